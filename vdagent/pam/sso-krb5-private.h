/* sso-krb5-private.h - what sso-krb5.c and sso-krb5-store.c share.
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SSO_KRB5_PRIVATE_H
#define SSO_KRB5_PRIVATE_H

#include "sso-krb5.h"

#include <krb5.h>
#include <stdarg.h>

struct SsoKrb5 {
    krb5_context ctx;
    char *krb5_conf; /* NULL: the system profile */
    char *keytab;    /* NULL: the context's default keytab */
    char *server;    /* NULL: every host/ principal in the keytab */
    long uid_min;
    long uid_max;
};

struct SsoKrb5Creds {
    SsoKrb5 *k;        /* whose context allocated them */
    krb5_creds *tgt;   /* krbtgt/REALM@REALM of the client's realm */
    char *principal;   /* the client, unparsed */
    int verified;
};

/* Seconds a cache-writing child may take before it is killed
 * (SSO_KRB5_CHILD_TIMEOUT; tests make it shorter). */
extern int sso_krb5_child_timeout;

/* A secure krb5 context on @conf (NULL: krb5_init_secure_context). */
krb5_error_code sso_krb5_secure_context(const char *conf, krb5_context *out);

/* The value of @key (UID_MIN, UID_MAX) in the login.defs file @path as
 * shadow reads it, else @dflt (sso-krb5.c; here for its unit test). */
long sso_krb5_login_defs_uid(const char *path, const char *key, long dflt);

/* Fill @err (if not NULL) and return @st. */
SsoKrb5Status sso_krb5_fail(SsoKrb5Error *err, SsoKrb5Status st, long code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* As sso_krb5_fail, appending ": <krb5 message for code>". */
SsoKrb5Status sso_krb5_fail_krb5(SsoKrb5Error *err, SsoKrb5Status st, krb5_context ctx,
                                 krb5_error_code code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Wipe and free the contents of a krb5_creds (session key, ticket). */
void sso_krb5_wipe_creds(krb5_context ctx, krb5_creds *c);

#endif /* SSO_KRB5_PRIVATE_H */
