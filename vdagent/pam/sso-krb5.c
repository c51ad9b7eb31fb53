/* sso-krb5.c - load, verify and map a single sign-on credential
 * (the cache side is in sso-krb5-store.c).
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "sso-krb5-private.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <profile.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOGIN_DEFS "/etc/login.defs"
#define DEFAULT_UID_MIN 1000L
#define DEFAULT_UID_MAX 60000L

const char *sso_krb5_status_str(SsoKrb5Status st)
{
    switch (st) {
    case SSO_KRB5_OK: return "ok";
    case SSO_KRB5_BAD_CCACHE: return "credential cache refused";
    case SSO_KRB5_EXPIRED: return "ticket expired";
    case SSO_KRB5_VERIFY_FAILED: return "ticket verification failed";
    case SSO_KRB5_NO_USER: return "no permitted local user";
    case SSO_KRB5_USER_REFUSED: return "local user refused";
    case SSO_KRB5_CACHE_REFUSED: return "target credential cache refused";
    case SSO_KRB5_NO_CACHE: return "no existing credential cache for the principal";
    case SSO_KRB5_OTHER_PRINCIPAL: return "credential cache holds another principal";
    case SSO_KRB5_MISMATCH: return "credential cache refused";
    case SSO_KRB5_INTERNAL: return "internal error";
    }
    return "unknown status";
}

VDSsoOutcome sso_krb5_outcome(SsoKrb5Status st)
{
    switch (st) {
    case SSO_KRB5_OK: return VDSSO_OUTCOME_SUCCESS;
    case SSO_KRB5_BAD_CCACHE: return VDSSO_OUTCOME_BAD_CCACHE;
    case SSO_KRB5_EXPIRED:
    case SSO_KRB5_VERIFY_FAILED: return VDSSO_OUTCOME_VERIFY_FAILED;
    case SSO_KRB5_NO_USER:
    case SSO_KRB5_USER_REFUSED: return VDSSO_OUTCOME_NO_USER;
    case SSO_KRB5_CACHE_REFUSED:
    case SSO_KRB5_NO_CACHE:
    case SSO_KRB5_OTHER_PRINCIPAL:
    case SSO_KRB5_MISMATCH: return VDSSO_OUTCOME_BAD_CCACHE;
    case SSO_KRB5_INTERNAL: break;
    }
    return VDSSO_OUTCOME_INTERNAL;
}

static void vfail(SsoKrb5Error *err, long code, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static void vfail(SsoKrb5Error *err, long code, const char *fmt, va_list ap)
{
    if (err == NULL) {
        return;
    }
    err->krb5_code = code;
    vsnprintf(err->text, sizeof(err->text), fmt, ap);
}

SsoKrb5Status sso_krb5_fail(SsoKrb5Error *err, SsoKrb5Status st, long code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(err, code, fmt, ap);
    va_end(ap);
    return st;
}

SsoKrb5Status sso_krb5_fail_krb5(SsoKrb5Error *err, SsoKrb5Status st, krb5_context ctx,
                                 krb5_error_code code, const char *fmt, ...)
{
    if (err == NULL) {
        return st;
    }
    va_list ap;
    va_start(ap, fmt);
    vfail(err, code, fmt, ap);
    va_end(ap);
    size_t used = strlen(err->text);
    const char *msg = ctx != NULL ? krb5_get_error_message(ctx, code) : NULL;
    snprintf(err->text + used, sizeof(err->text) - used, ": %s",
             msg != NULL ? msg : "unknown Kerberos error");
    if (msg != NULL) {
        krb5_free_error_message(ctx, msg);
    }
    return st;
}

krb5_error_code sso_krb5_secure_context(const char *conf, krb5_context *out)
{
    *out = NULL;
    if (conf == NULL) {
        return krb5_init_secure_context(out);
    }
    /* profile_init() skips missing files: make a missing or unreadable
     * krb5.conf an error rather than an empty configuration. */
    int fd = open(conf, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return errno;
    }
    close(fd);
    const_profile_filespec_t files[2] = { conf, NULL };
    profile_t profile = NULL;
    long r = profile_init(files, &profile);
    if (r != 0) {
        return (krb5_error_code)r;
    }
    krb5_error_code ret = krb5_init_context_profile(profile, KRB5_INIT_CONTEXT_SECURE, out);
    profile_release(profile);
    return ret;
}

/* The value of @key ("UID_MIN", "UID_MAX") in the login.defs file @path,
 * read as shadow's getdef.c reads it, so that we agree with useradd on
 * which uids are users: a line is "NAME VALUE" (leading blanks skipped,
 * trailing white space trimmed, '#' starts a comment line only), the value
 * starts after the blanks and double quotes that follow the name and ends
 * at the next double quote; the last line naming @key wins; its value is a
 * number in C notation (decimal, 0x hexadecimal or 0 octal) with nothing
 * after it, else @dflt (as shadow falls back to its default). Lines of any
 * length are read whole. One reader for both bounds, and so for both
 * callers of sso_krb5_map_user (the PAM module and spice-vdagentd). */
long sso_krb5_login_defs_uid(const char *path, const char *key, long dflt)
{
    FILE *f = fopen(path, "re");
    if (f == NULL) {
        return dflt;
    }
    size_t klen = strlen(key);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int found = 0;
    long v = dflt;
    while ((len = getline(&line, &cap, f)) >= 0) {
        while (len > 0 && isspace((unsigned char)line[len - 1])) {
            line[--len] = '\0';
        }
        char *name = line + strspn(line, " \t");
        if (*name == '\0' || *name == '#') {
            continue;
        }
        size_t nlen = strcspn(name, " \t");
        if (name[nlen] == '\0' || nlen != klen || strncmp(name, key, klen) != 0) {
            continue;
        }
        char *value = name + nlen;
        value += strspn(value, " \"\t");
        value[strcspn(value, "\"")] = '\0';
        found = 1;
        char *end;
        errno = 0;
        unsigned long n = strtoul(value, &end, 0);
        if (errno != 0 || end == value || *end != '\0' || value[0] == '-' ||
            n > (unsigned long)(uid_t)-2) {
            v = -1; /* the last definition is not a uid: the default */
        } else {
            v = (long)n;
        }
    }
    free(line);
    fclose(f);
    return found && v >= 0 ? v : dflt;
}

static char *dup_or_null(const char *s, int *failed)
{
    if (s == NULL) {
        return NULL;
    }
    char *d = strdup(s);
    if (d == NULL) {
        *failed = 1;
    }
    return d;
}

SsoKrb5Status sso_krb5_open(const SsoKrb5Options *opts, SsoKrb5 **out, SsoKrb5Error *err)
{
    *out = NULL;
    SsoKrb5 *k = calloc(1, sizeof(*k));
    if (k == NULL) {
        return sso_krb5_fail(err, SSO_KRB5_INTERNAL, ENOMEM, "out of memory");
    }
    int failed = 0;
    k->krb5_conf = dup_or_null(opts->krb5_conf, &failed);
    k->keytab = dup_or_null(opts->keytab, &failed);
    k->server = dup_or_null(opts->server, &failed);
    k->uid_min = opts->uid_min >= 0 ? opts->uid_min : sso_krb5_login_defs_uid(LOGIN_DEFS, "UID_MIN", DEFAULT_UID_MIN);
    k->uid_max = opts->uid_max > 0 ? opts->uid_max : sso_krb5_login_defs_uid(LOGIN_DEFS, "UID_MAX", DEFAULT_UID_MAX);
    if (failed) {
        sso_krb5_close(k);
        return sso_krb5_fail(err, SSO_KRB5_INTERNAL, ENOMEM, "out of memory");
    }
    krb5_error_code ret = sso_krb5_secure_context(k->krb5_conf, &k->ctx);
    if (ret != 0) {
        SsoKrb5Status st = sso_krb5_fail(err, SSO_KRB5_INTERNAL, ret,
                                         "cannot make a secure Kerberos context from %s: %s",
                                         k->krb5_conf ? k->krb5_conf : "the system krb5.conf",
                                         ret > 0 && ret < 4096 ? strerror(ret) : error_message(ret));
        sso_krb5_close(k);
        return st;
    }
    *out = k;
    return SSO_KRB5_OK;
}

void sso_krb5_close(SsoKrb5 *k)
{
    if (k == NULL) {
        return;
    }
    if (k->ctx != NULL) {
        krb5_free_context(k->ctx);
    }
    free(k->krb5_conf);
    free(k->keytab);
    free(k->server);
    free(k);
}

long sso_krb5_uid_min(const SsoKrb5 *k)
{
    return k->uid_min;
}

long sso_krb5_uid_max(const SsoKrb5 *k)
{
    return k->uid_max;
}

/* ------------------------------------------------------------------ load */

void sso_krb5_wipe_creds(krb5_context ctx, krb5_creds *c)
{
    if (c == NULL) {
        return;
    }
    if (c->keyblock.contents != NULL) {
        vdsso_wipe(c->keyblock.contents, c->keyblock.length);
    }
    if (c->ticket.data != NULL) {
        vdsso_wipe(c->ticket.data, c->ticket.length);
    }
    if (c->second_ticket.data != NULL) {
        vdsso_wipe(c->second_ticket.data, c->second_ticket.length);
    }
    krb5_free_cred_contents(ctx, c);
}

static void free_creds_ptr(krb5_context ctx, krb5_creds *c)
{
    if (c != NULL) {
        sso_krb5_wipe_creds(ctx, c);
        free(c);
    }
}

void sso_krb5_creds_free(SsoKrb5Creds *c)
{
    if (c == NULL) {
        return;
    }
    free_creds_ptr(c->k->ctx, c->tgt);
    free(c->principal);
    free(c);
}

const char *sso_krb5_creds_principal(const SsoKrb5Creds *c)
{
    return c->principal;
}

int sso_krb5_creds_verified(const SsoKrb5Creds *c)
{
    return c->verified;
}

static int is_local_tgs(krb5_context ctx, krb5_const_principal server, krb5_const_principal client)
{
    (void)ctx;
    if (server->length != 2) {
        return 0;
    }
    const krb5_data *c0 = &server->data[0], *c1 = &server->data[1];
    const krb5_data *realm = &client->realm;
    return c0->length == 6 && memcmp(c0->data, "krbtgt", 6) == 0 &&
           c1->length == realm->length && memcmp(c1->data, realm->data, realm->length) == 0 &&
           server->realm.length == realm->length &&
           memcmp(server->realm.data, realm->data, realm->length) == 0;
}

SsoKrb5Status sso_krb5_creds_load(SsoKrb5 *k, const VDSsoMsg *msg, SsoKrb5Creds **out,
                                  SsoKrb5Error *err)
{
    *out = NULL;
    krb5_context ctx = k->ctx;
    const char *claimed = msg->principal;
    SsoKrb5Status st = SSO_KRB5_OK;
    krb5_principal claimed_p = NULL, client = NULL;
    krb5_creds *rec = NULL, *tgt = NULL;
    char *unparsed = NULL;
    SsoKrb5Creds *c = NULL;
    size_t ntgt = 0, i = 0;
    VDSsoCredsIter it;
    VDSsoSlice slice;
    int r;

    if (msg->cred_type != VDSSO_CRED_KRB5_CREDS) {
        return sso_krb5_fail(err, SSO_KRB5_BAD_CCACHE, 0,
                             "credential of %s has unknown type %u", claimed, msg->cred_type);
    }
    /* the envelope: every record bounded before krb5 sees a byte of it */
    r = vdsso_creds_check(msg->cred, msg->cred_len);
    if (r < 0) {
        return sso_krb5_fail(err, SSO_KRB5_BAD_CCACHE, r, "credential of %s is malformed: %s",
                             claimed, vdsso_strerror(r));
    }
    krb5_error_code ret = krb5_parse_name_flags(ctx, claimed, KRB5_PRINCIPAL_PARSE_REQUIRE_REALM,
                                                &claimed_p);
    if (ret != 0) {
        return sso_krb5_fail_krb5(err, SSO_KRB5_BAD_CCACHE, ctx, ret,
                                  "principal field %s does not parse", claimed);
    }
    vdsso_creds_iter_init(&it, msg->cred, msg->cred_len);
    for (i = 0; (r = vdsso_creds_next(&it, &slice)) > 0; i++) {
        krb5_data d = { .magic = KV5M_DATA, .length = (unsigned int)slice.len,
                        .data = (char *)slice.p };
        ret = krb5_unmarshal_credentials(ctx, &d, &rec);
        if (ret != 0) {
            rec = NULL;
            st = sso_krb5_fail_krb5(err, SSO_KRB5_BAD_CCACHE, ctx, ret,
                                    "credential %zu of %s does not unmarshal", i, claimed);
            goto out;
        }
        /* one client principal across the records, configuration entries
         * included, and it is the one the server authenticated */
        if (client == NULL) {
            ret = krb5_copy_principal(ctx, rec->client, &client);
            if (ret != 0) {
                st = sso_krb5_fail_krb5(err, SSO_KRB5_INTERNAL, ctx, ret, "cannot copy %s",
                                        claimed);
                goto out;
            }
        } else if (!krb5_principal_compare(ctx, rec->client, client)) {
            st = sso_krb5_fail(err, SSO_KRB5_BAD_CCACHE, 0,
                               "credential of %s holds more than one client principal", claimed);
            goto out;
        }
        if (!krb5_principal_compare(ctx, rec->client, claimed_p)) {
            st = sso_krb5_fail(err, SSO_KRB5_MISMATCH, 0,
                               "credential of %s is for another principal than the principal field",
                               claimed);
            goto out;
        }
        /* configuration entries are allowed and ignored; service tickets
         * are checked and dropped: only the TGT is kept */
        if (!krb5_is_config_principal(ctx, rec->server) &&
            is_local_tgs(ctx, rec->server, rec->client)) {
            ntgt++;
            if (tgt == NULL) {
                tgt = rec;
                rec = NULL;
            }
        }
        free_creds_ptr(ctx, rec);
        rec = NULL;
    }
    if (r < 0) { /* vdsso_creds_check() said it would not happen */
        st = sso_krb5_fail(err, SSO_KRB5_BAD_CCACHE, r, "credential of %s is malformed: %s",
                           claimed, vdsso_strerror(r));
        goto out;
    }
    if (ntgt == 0) {
        st = sso_krb5_fail(err, SSO_KRB5_BAD_CCACHE, 0,
                           "credential of %s holds no ticket-granting ticket of its realm", claimed);
        goto out;
    }
    if (ntgt > 1) {
        st = sso_krb5_fail(err, SSO_KRB5_BAD_CCACHE, 0,
                           "credential of %s holds %zu ticket-granting tickets of its realm",
                           claimed, ntgt);
        goto out;
    }
    krb5_timestamp now;
    ret = krb5_timeofday(ctx, &now);
    if (ret != 0) {
        st = sso_krb5_fail_krb5(err, SSO_KRB5_INTERNAL, ctx, ret, "cannot read the time");
        goto out;
    }
    /* krb5_timestamp is an unsigned 32-bit count in disguise (MIT >= 1.17). */
    if ((uint32_t)tgt->times.endtime <= (uint32_t)now) {
        st = sso_krb5_fail(err, SSO_KRB5_EXPIRED, 0, "ticket-granting ticket of %s has expired",
                           claimed);
        goto out;
    }
    ret = krb5_unparse_name(ctx, tgt->client, &unparsed);
    if (ret != 0) {
        st = sso_krb5_fail_krb5(err, SSO_KRB5_INTERNAL, ctx, ret, "cannot unparse %s", claimed);
        goto out;
    }
    c = calloc(1, sizeof(*c));
    if (c == NULL || (c->principal = strdup(unparsed)) == NULL) {
        free(c);
        c = NULL;
        st = sso_krb5_fail(err, SSO_KRB5_INTERNAL, ENOMEM, "out of memory");
        goto out;
    }
    c->k = k;
    c->tgt = tgt;
    tgt = NULL;
    *out = c;

out:
    free_creds_ptr(ctx, rec);
    free_creds_ptr(ctx, tgt);
    krb5_free_unparsed_name(ctx, unparsed);
    krb5_free_principal(ctx, client);
    krb5_free_principal(ctx, claimed_p);
    return st;
}

/* ---------------------------------------------------------------- verify */

/* What an administrator should do about a verification failure that has a
 * clear cause outside the credential itself ("" otherwise). */
static const char *verify_fix(krb5_error_code ret)
{
    switch (ret) {
    case KRB5KRB_AP_ERR_SKEW:
    case KRB5KRB_AP_ERR_TKT_NYV:
        return "synchronise the guest's clock with the KDC (chrony or systemd-timesyncd);"
               " Kerberos tolerates krb5.conf's clockskew, 300 s by default";
    case KRB5_KT_NOTFOUND:
    case KRB5_KT_KVNONOTFOUND:
        return "put the guest's host/FQDN key into its keytab (ipa-getkeytab -p host/FQDN,"
               " or kadmin ktadd host/FQDN); pam_vdagent_sso's keytab= names another keytab";
    case ENOENT:
    case EACCES:
        return "install the guest's keytab (/etc/krb5.keytab unless keytab= says otherwise),"
               " mode 0600, owned by root";
    case KRB5_KDC_UNREACH:
    case KRB5_REALM_CANT_RESOLVE:
        return "the guest must reach its realm's KDC: check [realms] and DNS in krb5.conf,"
               " and the firewall";
    default:
        return "";
    }
}

SsoKrb5Status sso_krb5_creds_verify(SsoKrb5 *k, SsoKrb5Creds *c, SsoKrb5Error *err)
{
    krb5_context ctx = k->ctx;
    krb5_keytab kt = NULL;
    krb5_principal server = NULL;
    krb5_verify_init_creds_opt opt;
    SsoKrb5Status st = SSO_KRB5_OK;
    krb5_error_code ret;

    c->verified = 0;
    ret = k->keytab != NULL ? krb5_kt_resolve(ctx, k->keytab, &kt) : krb5_kt_default(ctx, &kt);
    if (ret != 0) {
        return sso_krb5_fail_krb5(err, SSO_KRB5_VERIFY_FAILED, ctx, ret, "cannot open keytab %s",
                                  k->keytab ? k->keytab : "(default)");
    }
    if (k->server != NULL) {
        ret = krb5_parse_name(ctx, k->server, &server);
        if (ret != 0) {
            st = sso_krb5_fail_krb5(err, SSO_KRB5_INTERNAL, ctx, ret, "server %s does not parse",
                                    k->server);
            goto out;
        }
    }
    krb5_verify_init_creds_opt_init(&opt);
    /* Fail closed: without this a missing keytab or key "verifies" anything. */
    krb5_verify_init_creds_opt_set_ap_req_nofail(&opt, 1);
    ret = krb5_verify_init_creds(ctx, c->tgt, server, kt, NULL, &opt);
    if (ret != 0) {
        char ktname[256] = "";
        krb5_kt_get_name(ctx, kt, ktname, sizeof(ktname));
        st = sso_krb5_fail_krb5(err, ret == KRB5KRB_AP_ERR_TKT_EXPIRED ? SSO_KRB5_EXPIRED
                                                                          : SSO_KRB5_VERIFY_FAILED,
                                ctx, ret, "ticket of %s does not verify against %s%s%s",
                                c->principal, ktname, server ? " as " : "",
                                server ? k->server : "");
        if (err != NULL && verify_fix(ret)[0] != '\0') {
            size_t used = strlen(err->text);
            snprintf(err->text + used, sizeof(err->text) - used, "; fix: %s", verify_fix(ret));
        }
        goto out;
    }
    c->verified = 1;
out:
    krb5_free_principal(ctx, server);
    krb5_kt_close(ctx, kt);
    return st;
}

/* ------------------------------------------------------------------- map */

/* krb5_kuserok() reads the user's .k5login as root with fopen(): a FIFO
 * (or a device) there blocks it until someone writes to it. Look first,
 * without blocking and without following a symbolic link, and refuse
 * anything but a regular file; a missing file is krb5_kuserok's business. */
static SsoKrb5Status check_k5login(SsoKrb5 *k, const SsoKrb5Creds *c, const char *lname,
                                   const char *home, SsoKrb5Error *err)
{
    profile_t profile = NULL;
    char *dir = NULL, path[4096];

    if (krb5_get_profile(k->ctx, &profile) == 0) {
        profile_get_string(profile, "libdefaults", "k5login_directory", NULL, NULL, &dir);
        profile_release(profile);
    }
    int n = dir != NULL ? snprintf(path, sizeof(path), "%s/%s", dir, lname)
                        : snprintf(path, sizeof(path), "%s/.k5login", home);
    profile_release_string(dir);
    if (n < 0 || (size_t)n >= sizeof(path)) {
        return sso_krb5_fail(err, SSO_KRB5_USER_REFUSED, 0, "the .k5login path of %s is too long",
                             lname);
    }
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ELOOP) {
            return sso_krb5_fail(err, SSO_KRB5_USER_REFUSED, ELOOP,
                                 "%s may not log in as %s: %s is a symbolic link", c->principal,
                                 lname, path);
        }
        return SSO_KRB5_OK;
    }
    struct stat st;
    int regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
    close(fd);
    if (!regular) {
        return sso_krb5_fail(err, SSO_KRB5_USER_REFUSED, 0,
                             "%s may not log in as %s: %s is not a regular file (a FIFO or"
                             " device would block whoever reads it)", c->principal, lname, path);
    }
    return SSO_KRB5_OK;
}

SsoKrb5Status sso_krb5_map_user(SsoKrb5 *k, const SsoKrb5Creds *c, SsoKrb5User *user,
                                SsoKrb5Error *err)
{
    krb5_context ctx = k->ctx;
    char lname[SSO_KRB5_USERLEN];
    memset(user, 0, sizeof(*user));
    krb5_error_code ret = krb5_aname_to_localname(ctx, c->tgt->client, sizeof(lname), lname);
    if (ret != 0) {
        return sso_krb5_fail_krb5(err, SSO_KRB5_NO_USER, ctx, ret,
                                  "%s maps to no local user name", c->principal);
    }
    long bufsize = sysconf(_SC_GETPW_R_SIZE_MAX);
    size_t size = bufsize > 0 ? (size_t)bufsize : 16384;
    struct passwd pw, *res = NULL;
    char *buf = NULL;
    int e;
    for (;;) {
        char *nb = realloc(buf, size);
        if (nb == NULL) {
            free(buf);
            return sso_krb5_fail(err, SSO_KRB5_INTERNAL, ENOMEM, "out of memory");
        }
        buf = nb;
        e = getpwnam_r(lname, &pw, buf, size, &res);
        if (e != ERANGE || size >= (1u << 20)) {
            break;
        }
        size *= 2;
    }
    if (res == NULL) {
        free(buf);
        if (e != 0 && e != ENOENT && e != ESRCH) {
            return sso_krb5_fail(err, SSO_KRB5_INTERNAL, e, "cannot look up user %s (for %s): %s",
                                 lname, c->principal, strerror(e));
        }
        return sso_krb5_fail(err, SSO_KRB5_NO_USER, 0, "%s maps to %s, which is no local account",
                             c->principal, lname);
    }
    uid_t uid = pw.pw_uid;
    gid_t gid = pw.pw_gid;
    char home[4096];
    snprintf(home, sizeof(home), "%s", pw.pw_dir != NULL ? pw.pw_dir : "/");
    free(buf);
    if (uid == 0) {
        return sso_krb5_fail(err, SSO_KRB5_USER_REFUSED, 0, "%s maps to %s, uid 0: refused",
                             c->principal, lname);
    }
    if ((long)uid < k->uid_min) {
        return sso_krb5_fail(err, SSO_KRB5_USER_REFUSED, 0,
                             "%s maps to %s, uid %lu, a system account (below uid_min %ld): refused",
                             c->principal, lname, (unsigned long)uid, k->uid_min);
    }
    /* Above UID_MAX live nobody (65534), systemd's dynamic users
     * (61184-65519) and container ranges: never a person's account. */
    if ((long)uid > k->uid_max) {
        return sso_krb5_fail(err, SSO_KRB5_USER_REFUSED, 0,
                             "%s maps to %s, uid %lu, not a regular user account (above uid_max %ld;"
                             " nobody and dynamic users live there): refused",
                             c->principal, lname, (unsigned long)uid, k->uid_max);
    }
    SsoKrb5Status st = check_k5login(k, c, lname, home, err);
    if (st != SSO_KRB5_OK) {
        return st;
    }
    if (!krb5_kuserok(ctx, c->tgt->client, lname)) {
        return sso_krb5_fail(err, SSO_KRB5_USER_REFUSED, 0,
                             "%s may not log in as %s (krb5_kuserok, .k5login)", c->principal,
                             lname);
    }
    snprintf(user->name, sizeof(user->name), "%s", lname);
    user->uid = uid;
    user->gid = gid;
    return SSO_KRB5_OK;
}
