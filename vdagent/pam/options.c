/* options.c - the module arguments of pam_vdagent_sso, parsed once per call
 * into an SsoOptions.
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   socket=PATH      the redemption socket (default /run/spice-vdagentd/sso.sock)
 *   krb5_conf=PATH   krb5.conf read with a secure context (default: the system's)
 *   keytab=PATH      keytab to verify against (default: the context's, /etc/krb5.keytab)
 *   server=PRINC     verify against this principal (default: any host/ key in the keytab)
 *   uid_min=N        lowest uid that may log in (default: UID_MIN of /etc/login.defs, 1000)
 *   uid_max=N        highest uid that may log in (default: UID_MAX of /etc/login.defs, 60000)
 *   timeout=SECONDS  for one exchange on the socket (default 10, 1 to 300)
 *   debug            more log lines (never secrets)
 *
 * An unknown or malformed argument is an error: the module fails closed
 * rather than run with a setting the administrator did not mean.
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int number(const char *s, long min, long max, long *out)
{
    char *end;
    if (*s < '0' || *s > '9') {
        return -1;
    }
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max) {
        return -1;
    }
    *out = v;
    return 0;
}

/* "key=value" with a non-empty value: the value, else NULL. */
static const char *value_of(const char *arg, const char *key)
{
    size_t n = strlen(key);
    if (strncmp(arg, key, n) == 0 && arg[n] == '=' && arg[n + 1] != '\0') {
        return arg + n + 1;
    }
    return NULL;
}

int sso_options_parse(int argc, const char **argv, SsoOptions *o, char *err, size_t errlen)
{
    memset(o, 0, sizeof(*o));
    o->socket_path = SSO_DEFAULT_SOCKET;
    o->timeout = SSO_DEFAULT_TIMEOUT;
    o->krb5.uid_min = -1;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v;
        long n;
        if (a == NULL) {
            continue;
        }
        if (strcmp(a, "debug") == 0) {
            o->debug = 1;
        } else if (strcmp(a, "helper") == 0) {
            o->helper = 1;
        } else if ((v = value_of(a, "socket")) != NULL && v[0] == '/') {
            o->socket_path = v;
        } else if ((v = value_of(a, "krb5_conf")) != NULL && v[0] == '/') {
            o->krb5.krb5_conf = v;
        } else if ((v = value_of(a, "keytab")) != NULL) {
            o->krb5.keytab = v;
        } else if ((v = value_of(a, "server")) != NULL) {
            o->krb5.server = v;
        } else if ((v = value_of(a, "uid_min")) != NULL && number(v, 0, 0x7fffffffL, &n) == 0) {
            o->krb5.uid_min = n;
        } else if ((v = value_of(a, "uid_max")) != NULL && number(v, 1, 0x7fffffffL, &n) == 0) {
            o->krb5.uid_max = n;
        } else if ((v = value_of(a, "timeout")) != NULL && number(v, 1, 300, &n) == 0) {
            o->timeout = (int)n;
        } else {
            snprintf(err, errlen, "unknown or malformed module argument \"%s\"", a);
            return -1;
        }
    }
    return 0;
}
