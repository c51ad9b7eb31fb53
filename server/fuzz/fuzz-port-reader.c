/* libFuzzer target: spice-server's reader of what the agent writes on
 * VDP_SERVER_PORT (SsoPortReader, sso-delivery.c). The first input byte
 * chooses how the rest is cut into feeds (chunk boundaries); the events
 * must be the same whatever the cut. */
#include "sso-delivery.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct Tally {
    unsigned replies, bad, other, bad_header;
    uint32_t last_serial;
} Tally;

static void count(void *opaque, const SsoPortEvent *ev)
{
    Tally *t = opaque;
    switch (ev->kind) {
    case SSO_PORT_REPLY:
        if (ev->reply.version != VDSSO_VERSION || ev->reply.result > VDSSO_RESULT_LAST) {
            abort();
        }
        t->replies++;
        t->last_serial = ev->reply.serial;
        break;
    case SSO_PORT_BAD_REPLY:
        if (ev->error >= 0) {
            abort();
        }
        t->bad++;
        break;
    case SSO_PORT_OTHER:
        t->other++;
        break;
    case SSO_PORT_BAD_HEADER:
        t->bad_header++;
        break;
    }
}

static void run(const uint8_t *data, size_t size, size_t step, Tally *t)
{
    SsoPortReader r;
    sso_port_reader_init(&r);
    memset(t, 0, sizeof(*t));
    for (size_t off = 0; off < size; off += step) {
        sso_port_reader_feed(&r, data + off, size - off < step ? size - off : step, count, t);
        if (r.header_have > VDSSO_MSG_HEADER || r.body_have > VDSSO_REPLY_SIZE) {
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) {
        return 0;
    }
    size_t step = (size_t)data[0] + 1;
    Tally whole, cut;
    run(data + 1, size - 1, size, &whole);
    run(data + 1, size - 1, step, &cut);
    /* a bad header drops the rest of a feed, so only then may cuts differ */
    if (whole.bad_header == 0 && cut.bad_header == 0 &&
        (whole.replies != cut.replies || whole.bad != cut.bad || whole.other != cut.other ||
         whole.last_serial != cut.last_serial)) {
        abort();
    }
    return 0;
}
