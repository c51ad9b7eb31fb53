/* api-session.c - PAM session entry points of pam_vdagent_sso.
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "internal.h"

PAM_EXTERN int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    SsoOptions o;
    int ret = sso_load_options(pamh, argc, argv, &o);
    return ret == PAM_SUCCESS ? sso_open_session(pamh, flags, &o) : ret;
}

PAM_EXTERN int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    SsoOptions o;
    int ret = sso_load_options(pamh, argc, argv, &o);
    return ret == PAM_SUCCESS ? sso_close_session(pamh, flags, &o) : ret;
}
