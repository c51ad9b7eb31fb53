/* libFuzzer target: the VD_AGENT_SSO_REPLY decoder. */
#include "vdagent-sso.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    VDSsoReply r;
    if (vdsso_reply_decode(data, size, &r) != VDSSO_OK) {
        return 0;
    }
    uint8_t out[VDSSO_REPLY_SIZE];
    if (vdsso_reply_encode(&r, out, sizeof(out)) != VDSSO_REPLY_SIZE || size != VDSSO_REPLY_SIZE ||
        memcmp(out, data, size) != 0 || vdsso_result_str(r.result) == NULL) {
        abort();
    }
    return 0;
}
