/* libFuzzer target: the VD_AGENT_SSO payload decoder. Whatever it accepts
 * must re-encode to the same bytes. */
#include "vdagent-sso.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    VDSsoMsg *m = NULL;
    if (vdsso_msg_decode(data, size, &m) != VDSSO_OK) {
        if (m != NULL) {
            abort();
        }
        return 0;
    }
    size_t n = vdsso_msg_size(m);
    if (n != size) {
        abort();
    }
    uint8_t *out = malloc(n);
    if (out == NULL || vdsso_msg_encode(m, out, n) != (long)n || memcmp(out, data, n) != 0) {
        abort();
    }
    vdsso_wipe_free(out, n);
    vdsso_msg_free(m);
    return 0;
}
