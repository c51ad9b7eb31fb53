/* sso-krb5map.h - Kerberos for spice-vdagentd's single sign-on: which
 * local user a principal is, and the refresh of an existing session's
 * credential cache. Both are sso-krb5's work (vdagent/pam/sso-krb5.h, shared
 * with the PAM module), so that vdagentd and the PAM module map a principal
 * in the same code, with the same secure krb5 context on /etc/krb5.conf.
 *
 * Copyright (C) 2026 The spice-sso authors
 *
 * This program is free software: you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation, either version 3 of the License, or
 * (at your option) any later version.
 */
#ifndef VDAGENTD_SSO_KRB5MAP_H
#define VDAGENTD_SSO_KRB5MAP_H

#include <gio/gio.h>
#include <glib.h>
#include <sys/types.h>

#include "sso.h"
#include "vdagent-sso.h"

G_BEGIN_DECLS

/* Seconds the mapping of a principal may take before its child is killed */
#define VDAGENTD_SSO_MAP_TIMEOUT 5

/* The local user the principal of @msg maps to: the credential loads
 * (sso_krb5_creds_load) and maps (sso_krb5_map_user:
 * krb5_aname_to_localname, the passwd database, uid 0 and uids outside
 * [UID_MIN, UID_MAX] refused, a .k5login that is no regular file refused,
 * krb5_kuserok). No network. It runs in a child process (krb5_kuserok reads
 * the user's .k5login, which the user may make block), killed after
 * VDAGENTD_SSO_MAP_TIMEOUT seconds; this blocks until then: never call it
 * from the main loop.
 * VDAGENTD_SSO_MAPPED: *@uid is the permitted user's.
 * VDAGENTD_SSO_USER_REFUSED (SSO_KRB5_USER_REFUSED): a local account single
 * sign-on may not log in as; *@reason (g_free) is sso-krb5's explanation.
 * VDAGENTD_SSO_NO_USER: no local account or name, or the mapping failed or
 * did not finish in time. Every failure is logged. */
VDAgentdSsoMapping vdagentd_sso_map_principal(const VDSsoMsg *msg, uid_t *uid, gchar **reason);

/* vdagentd_sso_map_principal() in a thread; @callback runs in the calling
 * thread's main context. @msg is copied (the copy is wiped). */
void vdagentd_sso_map_principal_async(const VDSsoMsg *msg, GAsyncReadyCallback callback,
                                      gpointer user_data);
VDAgentdSsoMapping vdagentd_sso_map_principal_finish(GAsyncResult *result, uid_t *uid,
                                                     gchar **reason);

/* Start refreshing the credential cache of @uid's session with the TGT of
 * @msg, in a worker thread (one at a time): load, verify against the keytab
 * (sso_krb5_creds_verify, which needs the KDC), map again (the user must
 * still be @uid), then sso_krb5_refresh: in a child running as the user,
 * replace the contents of the user's existing cache that holds the same
 * principal, without following symbolic links, only a regular file of the
 * user's. @msg is copied; the copy is wiped when done. The outcome is
 * logged. */
void vdagentd_sso_refresh_start(const VDSsoMsg *msg, uid_t uid);

/* Wait for a refresh under way to end (at exit). */
void vdagentd_sso_refresh_shutdown(void);

G_END_DECLS

#endif
