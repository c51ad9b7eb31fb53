/* libFuzzer target: the FILE v4 credential cache parser and the principal
 * helpers that run on what it returns. */
#include "vdagent-sso.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_slice(VDSsoSlice s, const uint8_t *data, size_t size)
{
    if (s.p < data || s.len > size || (size_t)(s.p - data) > size - s.len) {
        abort(); /* a slice outside the input */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    VDSsoCcache c;
    if (vdsso_ccache_parse(data, size, &c) != VDSSO_OK) {
        return 0;
    }
    check_slice(c.default_principal, data, size);
    char text[512];
    (void)vdsso_principal_unparse(c.default_principal, text, sizeof(text));
    for (size_t i = 0; i < c.ncreds; i++) {
        check_slice(c.creds[i].whole, data, size);
        check_slice(c.creds[i].client, data, size);
        check_slice(c.creds[i].server, data, size);
        (void)vdsso_principal_equal(c.default_principal, c.creds[i].client);
        (void)vdsso_principal_is_local_tgs(c.creds[i].server);
        (void)vdsso_principal_unparse(c.creds[i].server, text, 8);
    }
    /* rebuilding from the parsed pieces gives a cache that parses again */
    VDSsoSlice recs[VDSSO_CCACHE_MAX_CREDS];
    for (size_t i = 0; i < c.ncreds; i++) {
        recs[i] = c.creds[i].whole;
    }
    size_t n = vdsso_ccache_size(c.default_principal, recs, c.ncreds);
    uint8_t *out = malloc(n);
    long r = out ? vdsso_ccache_build(c.default_principal, recs, c.ncreds, out, n) : -1;
    if (r < 0 && r != VDSSO_ERR_TOO_LARGE) {
        abort();
    }
    free(out);
    return 0;
}
