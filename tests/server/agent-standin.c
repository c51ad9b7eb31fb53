/* agent-standin - the guest agent's side of the virtio port, for tests
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Emulated because no guest runs here: spice-vdagentd reads and writes the
 * virtio port as a stream of VDIChunkHeader {u32 port; u32 size} + data,
 * the data of each port forming VDAgentMessage {u32 protocol; u32 type;
 * u64 opaque; u32 size} + payload. This program does the same on the UNIX
 * socket of tests/host/spice-test-host, to the contract of spice-vdagentd
 * 0.23.0 and docs/protocol.md: it announces its capabilities (with
 * VD_AGENT_CAP_SSO unless --no-sso-cap) on connecting and whenever a client
 * asks, decodes VD_AGENT_SSO with the protocol library, records the
 * credential cache in a 0600 file, and answers with VD_AGENT_SSO_REPLY on
 * VDP_SERVER_PORT.
 *
 * Options:
 *   --socket PATH        the host's agent socket (waits up to 10 s for it)
 *   --no-sso-cap         do not announce VD_AGENT_CAP_SSO
 *   --record DIR         write each received credential to
 *                        DIR/sso-SERIAL.ccache (0600)
 *   --reply WHAT         accepted (default), none, or a result number
 *
 * Event lines on stdout (line-buffered):
 *   connected
 *   caps-sent sso=yes|no request=0|1
 *   message port=P type=T size=S         (every message, before handling)
 *   sso serial=N principal=P flags=F cred-bytes=L
 *   sso-recorded path=PATH
 *   sso-malformed error=TEXT
 *   sso-on-client-port                   (a VD_AGENT_SSO on VDP_CLIENT_PORT)
 *   reply-sent serial=N result=R
 *   closed
 * Exit status 0 when the host closes the socket or on SIGTERM.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "fd-io.h"
#include <krb5.h>
#include "vdagent-sso.h"

#define VD_AGENT_ANNOUNCE_CAPABILITIES 6
#define MAX_MESSAGE (1024 * 1024)

static const char *opt_socket, *opt_record;
static bool opt_sso_cap = true;
static long opt_reply = 0; /* -1: none */
static int fd = -1;

typedef struct Port {
    uint8_t header[VDSSO_MSG_HEADER];
    uint32_t header_have;
    uint32_t type, size, have;
    uint8_t *data;  /* NULL: skipping an oversized message */
} Port;

static Port ports[3];

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void send_message(uint32_t port, uint32_t type, const uint8_t *payload, size_t len)
{
    size_t size = vdsso_framed_size(len);
    uint8_t *buf = malloc(size);
    if (vdsso_frame(port, type, payload, len, buf, size) > 0) {
        fdio_write_all(fd, buf, size);
    }
    free(buf);
}

static void send_caps(uint32_t request)
{
    uint8_t payload[8];
    uint32_t caps = 0;
    caps |= 1u << 1;  /* VD_AGENT_CAP_MONITORS_CONFIG, like any agent */
    caps |= 1u << 4;  /* VD_AGENT_CAP_REPLY */
    if (opt_sso_cap) {
        caps |= 1u << VDSSO_AGENT_CAP_SSO;
    }
    put32(payload, request);
    put32(payload + 4, caps);
    send_message(VDSSO_PORT_CLIENT, VD_AGENT_ANNOUNCE_CAPABILITIES, payload, sizeof(payload));
    printf("caps-sent sso=%s request=%u\n", opt_sso_cap ? "yes" : "no", request);
}

/* The credential as received (DIR/sso-SERIAL.creds) and, read with
 * krb5_unmarshal_credentials and written by krb5, as a FILE cache klist
 * reads (DIR/sso-SERIAL.ccache); both 0600. */
static void record(const VDSsoMsg *m)
{
    char path[4096], name[4200];
    if (opt_record == NULL) {
        return;
    }
    snprintf(path, sizeof(path), "%s/sso-%u.creds", opt_record, m->serial);
    int out = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (out < 0) {
        fprintf(stderr, "agent-standin: %s: %s\n", path, strerror(errno));
        return;
    }
    if (write(out, m->cred, m->cred_len) != (ssize_t)m->cred_len) {
        fprintf(stderr, "agent-standin: short write to %s\n", path);
    }
    close(out);

    krb5_context ctx;
    krb5_ccache cc = NULL;
    VDSsoCredsIter it;
    VDSsoSlice r;
    int n = 0;
    if (krb5_init_context(&ctx) != 0) {
        fprintf(stderr, "agent-standin: krb5_init_context failed\n");
        return;
    }
    snprintf(path, sizeof(path), "%s/sso-%u.ccache", opt_record, m->serial);
    snprintf(name, sizeof(name), "FILE:%s", path);
    mode_t old = umask(077);
    vdsso_creds_iter_init(&it, m->cred, m->cred_len);
    while (vdsso_creds_next(&it, &r) > 0) {
        krb5_data d = { .length = (unsigned)r.len, .data = (char *)r.p };
        krb5_creds *c = NULL;
        if (krb5_unmarshal_credentials(ctx, &d, &c) != 0) {
            fprintf(stderr, "agent-standin: record %d does not unmarshal\n", n);
            break;
        }
        if ((cc == NULL && (krb5_cc_resolve(ctx, name, &cc) != 0 ||
                            krb5_cc_initialize(ctx, cc, c->client) != 0)) ||
            krb5_cc_store_cred(ctx, cc, c) != 0) {
            fprintf(stderr, "agent-standin: cannot write %s\n", path);
        }
        krb5_free_creds(ctx, c);
        n++;
    }
    umask(old);
    if (cc != NULL) {
        krb5_cc_close(ctx, cc);
    }
    krb5_free_context(ctx);
    printf("sso-recorded path=%s\n", path);
}

static void handle_sso(const uint8_t *data, uint32_t len)
{
    VDSsoMsg *m = NULL;
    int err = vdsso_msg_decode(data, len, &m);
    uint32_t serial = len >= 8 ? le32(data + 4) : 0;
    uint32_t result;
    if (err != VDSSO_OK) {
        printf("sso-malformed error=%s\n", vdsso_strerror(err));
        result = err == VDSSO_ERR_VERSION ? VDSSO_RESULT_UNSUPPORTED_VERSION :
                 err == VDSSO_ERR_TOO_LARGE ? VDSSO_RESULT_TOO_LARGE : VDSSO_RESULT_MALFORMED;
    } else {
        printf("sso serial=%u principal=%s flags=%u cred-bytes=%u\n", m->serial, m->principal,
               m->flags, m->cred_len);
        record(m);
        result = (uint32_t)opt_reply;
    }
    vdsso_msg_free(m);
    if (opt_reply < 0) {
        return;
    }
    VDSsoReply r = { .version = VDSSO_VERSION, .serial = serial, .result = result };
    uint8_t payload[VDSSO_REPLY_SIZE];
    if (vdsso_reply_encode(&r, payload, sizeof(payload)) == (long)sizeof(payload)) {
        send_message(VDSSO_PORT_SERVER, VDSSO_AGENT_MSG_SSO_REPLY, payload, sizeof(payload));
        printf("reply-sent serial=%u result=%u\n", serial, result);
    }
}

static void handle_message(uint32_t port, Port *p)
{
    printf("message port=%u type=%u size=%u\n", port, p->type, p->size);
    if (p->data == NULL) {
        return;
    }
    if (p->type == VDSSO_AGENT_MSG_SSO) {
        if (port == VDSSO_PORT_SERVER) {
            handle_sso(p->data, p->size);
        } else {
            printf("sso-on-client-port\n");
        }
    } else if (p->type == VD_AGENT_ANNOUNCE_CAPABILITIES && port == VDSSO_PORT_CLIENT &&
               p->size >= 4 && le32(p->data) == 1) {
        send_caps(0);
    }
}

static void feed(uint32_t port, const uint8_t *data, uint32_t len)
{
    Port *p = &ports[port];
    while (len > 0) {
        if (p->header_have < VDSSO_MSG_HEADER) {
            uint32_t take = VDSSO_MSG_HEADER - p->header_have;
            if (take > len) {
                take = len;
            }
            memcpy(p->header + p->header_have, data, take);
            p->header_have += take;
            data += take;
            len -= take;
            if (p->header_have < VDSSO_MSG_HEADER) {
                return;
            }
            p->type = le32(p->header + 4);
            p->size = le32(p->header + 16);
            p->have = 0;
            uint32_t limit = p->type == VDSSO_AGENT_MSG_SSO ? VDSSO_MAX_PAYLOAD : MAX_MESSAGE;
            p->data = p->size <= limit ? malloc(p->size + 1) : NULL;
        }
        uint32_t take = p->size - p->have < len ? p->size - p->have : len;
        if (p->data) {
            memcpy(p->data + p->have, data, take);
        }
        p->have += take;
        data += take;
        len -= take;
        if (p->have == p->size) {
            handle_message(port, p);
            if (p->data) {
                vdsso_wipe(p->data, p->size);
                free(p->data);
            }
            p->data = NULL;
            p->header_have = 0;
        }
    }
}

static void on_term(int sig)
{
    (void)sig;
    if (fd >= 0) {
        shutdown(fd, SHUT_RDWR);
    }
}

int main(int argc, char **argv)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };

    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--socket") && i + 1 < argc) {
            opt_socket = argv[++i];
        } else if (!strcmp(argv[i], "--no-sso-cap")) {
            opt_sso_cap = false;
        } else if (!strcmp(argv[i], "--record") && i + 1 < argc) {
            opt_record = argv[++i];
        } else if (!strcmp(argv[i], "--reply") && i + 1 < argc) {
            const char *r = argv[++i];
            opt_reply = !strcmp(r, "none") ? -1 : !strcmp(r, "accepted") ? 0 : atol(r);
        } else {
            fprintf(stderr, "usage: agent-standin --socket PATH [--no-sso-cap] [--record DIR] "
                            "[--reply accepted|none|N]\n");
            return 2;
        }
    }
    if (opt_socket == NULL || strlen(opt_socket) >= sizeof(sun.sun_path)) {
        fprintf(stderr, "agent-standin: --socket PATH is required\n");
        return 2;
    }
    strcpy(sun.sun_path, opt_socket);
    signal(SIGPIPE, SIG_IGN);
    struct sigaction sa = { .sa_handler = on_term };
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    for (int tries = 0;; tries++) {
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0) {
            break;
        }
        close(fd);
        fd = -1;
        if (tries >= 100) {
            fprintf(stderr, "agent-standin: cannot connect to %s: %s\n", opt_socket,
                    strerror(errno));
            return 1;
        }
        struct timespec ts = { 0, 100 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    printf("connected\n");
    send_caps(0);

    for (;;) {
        uint8_t hdr[VDSSO_CHUNK_HEADER];
        static uint8_t chunk[VDSSO_CHUNK_MAX];
        if (!fdio_read_exact(fd, hdr, sizeof(hdr))) {
            break;
        }
        uint32_t port = le32(hdr), size = le32(hdr + 4);
        /* like spice-vdagentd: a chunk over the limit or an unknown port is fatal */
        if (size > VDSSO_CHUNK_MAX || (port != VDSSO_PORT_CLIENT && port != VDSSO_PORT_SERVER)) {
            fprintf(stderr, "agent-standin: bad chunk port=%u size=%u\n", port, size);
            printf("closed\n");
            return 1;
        }
        if (!fdio_read_exact(fd, chunk, size)) {
            break;
        }
        feed(port, chunk, size);
        vdsso_wipe(chunk, size);
    }
    printf("closed\n");
    close(fd);
    return 0;
}
