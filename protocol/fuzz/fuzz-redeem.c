/* libFuzzer target: the redemption-socket frame decoder, as the daemon and
 * the PAM module use it: header first (bounds the read), then the frame,
 * then a CRED body through the message decoder. */
#include "vdagent-sso.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    long want = vdsso_redeem_frame_size(data, size);
    VDSsoRedeemFrame f;
    int r = vdsso_redeem_decode(data, size, &f);
    if (want < 0) {
        if (r == VDSSO_OK) {
            abort(); /* the frame decoder accepted what the header check refused */
        }
        return 0;
    }
    if (want > (long)VDSSO_REDEEM_MAX_FRAME) {
        abort();
    }
    if (r != VDSSO_OK) {
        return 0;
    }
    if ((size_t)want != size) {
        abort();
    }
    uint8_t *out = malloc(size);
    if (out == NULL || vdsso_redeem_encode(&f, out, size) != (long)size || memcmp(out, data, size) != 0) {
        abort();
    }
    free(out);
    if (f.type == VDSSO_REDEEM_CRED) {
        VDSsoMsg *m = NULL;
        if (vdsso_msg_decode(f.body, f.body_len, &m) == VDSSO_OK) {
            vdsso_msg_free(m);
        }
    }
    return 0;
}
