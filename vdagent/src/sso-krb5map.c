/* sso-krb5map.c - principal to local user, and the cache refresh; see
 * sso-krb5map.h
 *
 * Copyright (C) 2026 The spice-sso authors
 *
 * This program is free software: you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation, either version 3 of the License, or
 * (at your option) any later version.
 */
#include "sso-krb5map.h"

#include <krb5.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#define LOGIN_DEFS "/etc/login.defs"
#define DEFAULT_UID_MIN 1000

/* UID_MIN from login.defs, as useradd reads it */
static uid_t uid_min(void)
{
    FILE *f = fopen(LOGIN_DEFS, "re");
    char line[256];
    unsigned long v = DEFAULT_UID_MIN;

    if (f == NULL) {
        return DEFAULT_UID_MIN;
    }
    while (fgets(line, sizeof(line), f) != NULL) {
        char *p = line, *end;
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        if (strncmp(p, "UID_MIN", 7) != 0 || (p[7] != ' ' && p[7] != '\t')) {
            continue;
        }
        unsigned long n = strtoul(p + 7, &end, 10);
        if (end != p + 7 && n > 0 && n < 0x7fffffffUL) {
            v = n;
        }
    }
    fclose(f);
    return (uid_t) v;
}

gboolean vdagentd_sso_map_principal(const char *principal, uid_t *uid)
{
    krb5_context ctx = NULL;
    krb5_principal princ = NULL;
    char lname[256];
    struct passwd pw, *res = NULL;
    char pwbuf[4096];
    krb5_error_code ret;
    gboolean ok = FALSE;

    ret = krb5_init_secure_context(&ctx);
    if (ret) {
        syslog(LOG_ERR, "sso: cannot initialize Kerberos (error %d)", (int) ret);
        return FALSE;
    }
    ret = krb5_parse_name(ctx, principal, &princ);
    if (ret) {
        const char *msg = krb5_get_error_message(ctx, ret);
        syslog(LOG_WARNING, "sso: cannot parse principal %s: %s", principal, msg);
        krb5_free_error_message(ctx, msg);
        goto out;
    }
    ret = krb5_aname_to_localname(ctx, princ, sizeof(lname), lname);
    if (ret) {
        syslog(LOG_INFO, "sso: %s has no local name here (krb5_aname_to_localname)", principal);
        goto out;
    }
    if (getpwnam_r(lname, &pw, pwbuf, sizeof(pwbuf), &res) != 0 || res == NULL) {
        syslog(LOG_INFO, "sso: %s maps to %s, which is no local user", principal, lname);
        goto out;
    }
    if (pw.pw_uid == 0 || pw.pw_uid < uid_min()) {
        syslog(LOG_WARNING, "sso: %s maps to %s (uid %u), a system account: ignored",
               principal, lname, (unsigned) pw.pw_uid);
        goto out;
    }
    *uid = pw.pw_uid;
    ok = TRUE;
out:
    if (princ) {
        krb5_free_principal(ctx, princ);
    }
    krb5_free_context(ctx);
    return ok;
}

/* NARROW INTERFACE: the verification against the keytab and the write as the
 * user are the PAM module's code (vdagent/pam/sso-krb5.c, in progress on
 * another branch); this is where vdagentd calls it once merged. Until then
 * a refresh is reported as not possible, which vdagentd logs, and the
 * unlock through the greeter (whose PAM module verifies the ticket and
 * reinitializes the credentials) still works. */
gboolean vdagentd_sso_refresh_cache(const VDSsoMsg *msg, uid_t uid, char **why)
{
    *why = g_strdup("refreshing a credential cache from vdagentd is not available in this"
                    " build (sso-krb5 not merged)");
    return FALSE;
}
