/* libFuzzer target: what spice-vdagentd checks in a VD_AGENT_SSO payload
 * before deciding anything (sso-check.c: decode, record envelope). An accepted payload must decode to the same message and
 * re-encode to the same bytes; a refused one must leave nothing allocated. */
#include "sso-check.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    VDSsoMsg *m = NULL;
    uint32_t serial;
    const char *why = NULL;
    /* the epoch: every ticket counts as unexpired, so the checks behind the
     * expiry are reached */
    uint32_t result = vdagentd_sso_check_payload(data, size, &m, &serial, &why);

    if (why == NULL || result > VDSSO_RESULT_LAST) {
        abort();
    }
    if (result != VDSSO_RESULT_ACCEPTED) {
        if (m != NULL) {
            abort();
        }
        return 0;
    }
    if (m == NULL || m->serial != serial || vdsso_msg_size(m) != size) {
        abort();
    }
    uint8_t *out = malloc(size);
    if (out == NULL || vdsso_msg_encode(m, out, size) != (long)size ||
        memcmp(out, data, size) != 0) {
        abort();
    }
    vdsso_wipe_free(out, size);
    vdsso_msg_free(m);
    return 0;
}
