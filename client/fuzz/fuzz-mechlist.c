/* libFuzzer target: the SASL mechanism-list filter, which reads the list the
 * server sent. Whatever it keeps must be a comma-separated list of the
 * delegation mechanisms and nothing else. */
#include "spice-sso-sasl.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gchar *in = g_strndup((const gchar *)data, size);
    GError *err = NULL;
    gchar *out = spice_sso_sasl_filter_mechlist(in, &err);
    if (out == NULL) {
        if (err == NULL || err->message == NULL) {
            abort();
        }
        for (const char *p = err->message; *p; p++) {
            if (*p < 0x20 || *p > 0x7e) {
                abort();
            }
        }
        g_error_free(err);
    } else {
        if (err != NULL || out[0] == '\0') {
            abort();
        }
        gchar **names = g_strsplit(out, ",", -1);
        for (gchar **n = names; *n; n++) {
            if (g_ascii_strcasecmp(*n, "GSSAPI") != 0 && g_ascii_strcasecmp(*n, "GSS-SPNEGO") != 0 &&
                g_ascii_strcasecmp(*n, "GSSAPI-PLUS") != 0 &&
                g_ascii_strcasecmp(*n, "GSS-SPNEGO-PLUS") != 0) {
                abort();
            }
            if (strcasestr(in, *n) == NULL) {
                abort();
            }
        }
        g_strfreev(names);
        g_free(out);
    }
    g_free(in);
    return 0;
}
