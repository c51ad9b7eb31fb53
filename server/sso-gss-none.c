/* sso-gss-none.c - sso-gss.h for a spice-server built without Kerberos:
 * no full initiator names, no channel binding read-back, no export.
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "sso-gss.h"

#include <stdio.h>
#include <string.h>

void sso_wipe_stack(void)
{
}

static SsoGssStatus unsupported(char *why, size_t why_len)
{
    if (why != NULL && why_len > 0) {
        snprintf(why, why_len, "spice-server was built without Kerberos support");
    }
    return SSO_GSS_ERROR;
}

SsoGssStatus sso_gss_full_name(const char *sasl_name, char *out, size_t out_len,
                               char *why, size_t why_len)
{
    (void)sasl_name;
    if (out != NULL && out_len > 0) {
        out[0] = '\0';
    }
    return unsupported(why, why_len);
}

SsoGssStatus sso_gss_check_binding(const void *token, size_t token_len,
                                   const uint8_t *cb, size_t cb_len,
                                   SsoGssBinding *out, char *why, size_t why_len)
{
    (void)token;
    (void)token_len;
    (void)cb;
    (void)cb_len;
    memset(out, 0, sizeof(*out));
    return unsupported(why, why_len);
}

SsoGssStatus sso_gss_export(const void *cred, const char *expected,
                            uint8_t **out, size_t *out_len, char *why, size_t why_len)
{
    (void)cred;
    (void)expected;
    *out = NULL;
    *out_len = 0;
    return unsupported(why, why_len);
}

bool sso_gss_release_delegated(void *handle)
{
    (void)handle;
    return false;
}
