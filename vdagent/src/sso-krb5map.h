/* sso-krb5map.h - Kerberos for spice-vdagentd's single sign-on decisions:
 * which local user a principal is, and the refresh of an existing session's
 * credential cache.
 *
 * Copyright (C) 2026 The spice-sso authors
 *
 * This program is free software: you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation, either version 3 of the License, or
 * (at your option) any later version.
 *
 * Both use a secure krb5 context (krb5_init_secure_context): the
 * environment cannot swap the configuration, so vdagentd maps a principal
 * exactly as the PAM module does.
 */
#ifndef VDAGENTD_SSO_KRB5MAP_H
#define VDAGENTD_SSO_KRB5MAP_H

#include <glib.h>
#include <sys/types.h>

#include "vdagent-sso.h"

G_BEGIN_DECLS

/* The local user @principal maps to (krb5_aname_to_localname(), then the
 * passwd database). FALSE if it maps to nobody, or to root or a system
 * account (uid below UID_MIN of /etc/login.defs, 1000 if unset), which
 * single sign-on never touches. */
gboolean vdagentd_sso_map_principal(const char *principal, uid_t *uid);

/* Refresh the credential cache of @uid's session with the TGT in @msg:
 * verify the TGT against the keytab, then, in a child running as the user,
 * store it into the user's existing cache if that cache holds the same
 * principal, without following symlinks. FALSE with a secret-free
 * explanation in *@why (g_free it) on failure. */
gboolean vdagentd_sso_refresh_cache(const VDSsoMsg *msg, uid_t uid, char **why);

G_END_DECLS

#endif
