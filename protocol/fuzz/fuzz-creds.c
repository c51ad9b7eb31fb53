/* libFuzzer target: the record envelope of a VDSSO_CRED_KRB5_CREDS
 * credential (the iterator and its whole-credential check), and the encoder
 * on what the iterator hands out. */
#include "vdagent-sso.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int n = vdsso_creds_check(data, size);
    VDSsoSlice recs[VDSSO_CREDS_MAX_RECORDS];
    VDSsoCredsIter it;
    VDSsoSlice r;
    size_t count = 0;
    int got;

    vdsso_creds_iter_init(&it, data, size);
    while ((got = vdsso_creds_next(&it, &r)) > 0) {
        /* a slice inside the input, within the bounds */
        if (r.p < data || r.len == 0 || r.len > VDSSO_CREDS_MAX_RECORD || r.len > size ||
            (size_t)(r.p - data) > size - r.len || count == VDSSO_CREDS_MAX_RECORDS) {
            abort();
        }
        recs[count++] = r;
    }
    /* the check and the iterator agree */
    if ((n > 0) != (got == 0 && count > 0 && size <= VDSSO_MAX_CRED) ||
        (n > 0 && (size_t)n != count)) {
        abort();
    }
    if (n <= 0) {
        return 0;
    }
    /* re-encoding what was read gives the input back */
    uint8_t *out = malloc(size);
    if (out == NULL) {
        return 0;
    }
    long w = vdsso_creds_encode(recs, count, out, size);
    if (w != (long)size || memcmp(out, data, size) != 0) {
        abort();
    }
    free(out);
    return 0;
}
