/* api-auth.c - PAM authentication entry points of pam_vdagent_sso.
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "internal.h"

PAM_EXTERN int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    SsoOptions o;
    int ret = sso_load_options(pamh, argc, argv, &o);
    return ret == PAM_SUCCESS ? sso_authenticate(pamh, flags, &o) : ret;
}

PAM_EXTERN int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    SsoOptions o;
    int ret = sso_load_options(pamh, argc, argv, &o);
    return ret == PAM_SUCCESS ? sso_setcred(pamh, flags, &o) : ret;
}
