/* libFuzzer target: tls-server-end-point data of a certificate parsed from
 * arbitrary DER (a client computes it from whatever the server presented;
 * vdsso-tls.c decodes RSASSA-PSS parameters itself). */
#include "vdsso-tls.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const unsigned char *p = data;
    X509 *x = d2i_X509(NULL, &p, (long)size);
    if (x == NULL) {
        return 0;
    }
    uint8_t out[VDSSO_TLS_CB_MAX];
    int nid = 0;
    int n = vdsso_tls_server_end_point(x, out, sizeof(out), &nid);
    if (n == 0 || n > VDSSO_TLS_CB_MAX || (n < 0 && n != VDSSO_TLS_ERR_UNDEFINED &&
                                           n != VDSSO_TLS_ERR_HASH)) {
        abort();
    }
    X509_free(x);
    return 0;
}
