/* sso-krb5.h - the Kerberos half of single sign-on on the guest: load the
 * credential a VD_AGENT_SSO message carries, verify its TGT against the
 * guest's keytab, map its principal to a permitted local user, and store it
 * into that user's credential cache, as the user.
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Two callers share this file: the PAM module pam_vdagent_sso (a login: a
 * new cache in pam_sm_open_session; an unlock: a refresh in pam_sm_setcred)
 * and spice-vdagentd (a refresh of the cache of a session that already
 * exists). Plain C11 with the krb5 API and the protocol library; no GLib, no
 * PAM, no logging: every function that can fail returns an SsoKrb5Status
 * and, if @err is not NULL, a one-line English explanation that names the
 * principal, user or path involved and never contains secret bytes. The
 * caller logs it.
 *
 * Typical use:
 *
 *     SsoKrb5 *k;                      sso_krb5_open(&opts, &k, &err)
 *     SsoKrb5Creds *c;                 sso_krb5_creds_load(k, msg, &c, &err)
 *                                      sso_krb5_creds_verify(k, c, &err)
 *     SsoKrb5User u;                   sso_krb5_map_user(k, c, &u, &err)
 *     login:   SsoKrb5Stored s;        sso_krb5_store_new(k, c, &u, &s, &err)
 *              ... at logout           sso_krb5_destroy(k, &u, &s, &err)
 *     refresh: char name[...];         sso_krb5_refresh(k, c, &u, NULL, name, sizeof name, &err)
 *     sso_krb5_creds_free(c); sso_krb5_close(k);
 *
 * Threads: an SsoKrb5 and its credentials belong to one thread at a time.
 * The store, refresh and destroy functions fork a child that drops to the
 * user's uid and gid (setgroups, setresgid, setresuid) and does all cache
 * I/O; they block until it is done (at most SSO_KRB5_CHILD_TIMEOUT seconds)
 * and reap it with waitpid on its pid only.
 */
#ifndef SSO_KRB5_H
#define SSO_KRB5_H

#include <stddef.h>
#include <sys/types.h>

#include "vdagent-sso.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SSO_KRB5_ERRLEN 1024
#define SSO_KRB5_NAMELEN 4096      /* credential cache names */
#define SSO_KRB5_USERLEN 256       /* local user names (LOGIN_NAME_MAX) */
#define SSO_KRB5_CHILD_TIMEOUT 30  /* seconds a cache-writing child may take */

typedef enum SsoKrb5Status {
    SSO_KRB5_OK = 0,
    SSO_KRB5_BAD_CCACHE,      /* credential malformed, not one client principal,
                               * no TGT (or two) of the realm */
    SSO_KRB5_EXPIRED,         /* the TGT has expired */
    SSO_KRB5_VERIFY_FAILED,   /* the TGT did not verify against the keytab */
    SSO_KRB5_NO_USER,         /* no local user name, or no local account of that name */
    SSO_KRB5_USER_REFUSED,    /* a local account that single sign-on may not log in as:
                               * uid 0, outside [uid_min, uid_max], a .k5login that is not
                               * a regular file, or krb5_kuserok said no */
    SSO_KRB5_CACHE_REFUSED,   /* the target cache is unsafe: symbolic link, not a
                               * regular file, another owner, more links, unsafe directory,
                               * unsupported cache type */
    SSO_KRB5_NO_CACHE,        /* refresh: no cache of the user holds this principal */
    SSO_KRB5_OTHER_PRINCIPAL, /* refresh: the user's cache holds another principal */
    SSO_KRB5_MISMATCH,        /* the credential's client is not the principal field */
    SSO_KRB5_INTERNAL         /* out of memory, krb5 or system error (keep it last:
                               * a status read back from a child is checked against it) */
} SsoKrb5Status;

typedef struct SsoKrb5Error {
    long krb5_code;               /* the krb5 or errno code behind it, 0 if none */
    char text[SSO_KRB5_ERRLEN];   /* one line, no secrets */
} SsoKrb5Error;

/* A short name for a status ("ticket verification failed", ...). */
const char *sso_krb5_status_str(SsoKrb5Status st);

/* The REPORT outcome (docs/protocol.md) for a status. */
VDSsoOutcome sso_krb5_outcome(SsoKrb5Status st);

typedef struct SsoKrb5Options {
    /* krb5.conf to use, read with KRB5_INIT_CONTEXT_SECURE. NULL: the system
     * profile of krb5_init_secure_context() (/etc/krb5.conf). The environment
     * (KRB5_CONFIG, KRB5_KTNAME, KRB5CCNAME) is never consulted. */
    const char *krb5_conf;
    /* Keytab to verify against ("FILE:/path" or "/path"). NULL: the context's
     * default keytab (default_keytab_name in krb5.conf, else /etc/krb5.keytab). */
    const char *keytab;
    /* Service principal to verify against. NULL: every host/ principal in the
     * keytab is tried (krb5_verify_init_creds with server NULL). */
    const char *server;
    /* Lowest uid that may log in. < 0: UID_MIN from /etc/login.defs, else 1000.
     * uid 0 is refused whatever this says. */
    long uid_min;
    /* Highest uid that may log in. <= 0 (so also a zeroed field): UID_MAX
     * from /etc/login.defs, else 60000. Keeps out nobody (65534) and
     * systemd's dynamic users (61184-65519). */
    long uid_max;
} SsoKrb5Options;

typedef struct SsoKrb5 SsoKrb5;

/* Make a secure krb5 context from @opts (copied). */
SsoKrb5Status sso_krb5_open(const SsoKrb5Options *opts, SsoKrb5 **out, SsoKrb5Error *err);
void sso_krb5_close(SsoKrb5 *k);

/* The uid_min in force (resolved from /etc/login.defs if it was < 0). */
long sso_krb5_uid_min(const SsoKrb5 *k);
/* The uid_max in force (resolved from /etc/login.defs if it was <= 0). */
long sso_krb5_uid_max(const SsoKrb5 *k);

/* ---------------------------------------------------------- credentials */

typedef struct SsoKrb5Creds SsoKrb5Creds;

/* Load and judge the credential of a decoded VD_AGENT_SSO message
 * (docs/protocol.md, "What the receiver must verify", step 4); the one place
 * a received credential is judged. The records (VDSSO_CRED_KRB5_CREDS,
 * bounded by vdsso_creds_check) each go through
 * krb5_unmarshal_credentials; every record, configuration entries included,
 * has the same client (else SSO_KRB5_BAD_CCACHE), which is @msg->principal
 * (krb5_principal_compare with it parsed: else SSO_KRB5_MISMATCH); exactly
 * one TGT of the client's own realm (krbtgt/REALM@REALM), not expired
 * (SSO_KRB5_EXPIRED). Only that TGT is kept: other records (service
 * tickets, configuration entries) are checked and dropped, so what is later
 * stored is exactly what was verified. Nothing is verified against the
 * keytab yet (sso_krb5_creds_verify). The credentials belong to @k: free
 * them before closing @k. */
SsoKrb5Status sso_krb5_creds_load(SsoKrb5 *k, const VDSsoMsg *msg, SsoKrb5Creds **out,
                                  SsoKrb5Error *err);

/* Verify the TGT against the keytab: krb5_verify_init_creds with
 * ap_req_nofail set (a missing keytab or key fails). Needs the KDC. */
SsoKrb5Status sso_krb5_creds_verify(SsoKrb5 *k, SsoKrb5Creds *c, SsoKrb5Error *err);

/* The client principal, as krb5_unparse_name writes it. */
const char *sso_krb5_creds_principal(const SsoKrb5Creds *c);

/* Has sso_krb5_creds_verify() succeeded on these credentials? */
int sso_krb5_creds_verified(const SsoKrb5Creds *c);

/* Wipe the session key and ticket and free. NULL is fine. */
void sso_krb5_creds_free(SsoKrb5Creds *c);

/* ---------------------------------------------------------- local user */

typedef struct SsoKrb5User {
    char name[SSO_KRB5_USERLEN];
    uid_t uid;
    gid_t gid;
} SsoKrb5User;

/* Map the principal to a permitted local user: krb5_aname_to_localname,
 * getpwnam_r, uid != 0 and uid_min <= uid <= uid_max, then krb5_kuserok.
 * SSO_KRB5_NO_USER: the principal has no local user name, or no local
 * account has that name. SSO_KRB5_USER_REFUSED: the account exists but
 * single sign-on may not log in as it (uid 0, a system account, a uid above
 * uid_max, a .k5login that is no regular file or whose path is too long,
 * krb5_kuserok). */
SsoKrb5Status sso_krb5_map_user(SsoKrb5 *k, const SsoKrb5Creds *c, SsoKrb5User *user,
                                SsoKrb5Error *err);

/* ---------------------------------------------------------- caches
 *
 * The cache name is resolved as the user would resolve it: in the child,
 * after dropping to the user's ids, with KRB5CCNAME removed from its
 * environment, krb5_cc_default_name() of a fresh secure context on the same
 * krb5.conf, so default_ccache_name and its %{uid} tokens apply.
 *
 * FILE:/abs/path  written by us, not by krb5's FILE code: the directory is
 *     opened without following its last component and must be owned by root
 *     or the user and not writable by others unless sticky and root's; the
 *     file is created with openat(O_CREAT|O_EXCL|O_NOFOLLOW), mode 0600.
 *     Anything already at that name is refused and left alone: a squatted
 *     name (symbolic link, non-regular file, file of another owner or with
 *     more than one link) and a regular file of the user's own alike (it
 *     may be the live cache of another session); the error names the fix,
 *     a collection (DIR:, KEYRING:) or a per-session name.
 * DIR:/dir        a new subsidiary cache (krb5_cc_new_unique) made primary
 *     (krb5_cc_switch); the directory, if it exists, must be the user's and
 *     not writable by others; if missing it is created 0700.
 * KEYRING:..., KCM:...   a new cache in the collection, made primary.
 * DIR::/dir/file  (a subsidiary named directly) is treated as a FILE path.
 * Anything else (MEMORY, API, relative FILE paths) is refused with
 * SSO_KRB5_CACHE_REFUSED.
 *
 * The credentials passed to these functions may belong to another SsoKrb5
 * than @k (the PAM module loads them in pam_sm_authenticate and stores them
 * with the options of its session line): only @k's krb5.conf is used, in
 * the child. */

typedef struct SsoKrb5Stored {
    char ccname[SSO_KRB5_NAMELEN];   /* for KRB5CCNAME: the default name (collection) */
    char created[SSO_KRB5_NAMELEN];  /* the cache that was created ("DIR::/d/tkt.."), for destroy */
    dev_t dev;                       /* FILE and DIR: the file that was created */
    ino_t ino;
    int created_dir;                 /* DIR: the directory was created too */
} SsoKrb5Stored;

/* A login: store @c (verified) into a new cache of @user. On failure nothing
 * that was created is left behind. */
SsoKrb5Status sso_krb5_store_new(SsoKrb5 *k, const SsoKrb5Creds *c, const SsoKrb5User *user,
                                 SsoKrb5Stored *out, SsoKrb5Error *err);

/* A refresh: replace the contents of an EXISTING cache of @user that holds
 * the same principal as @c (verified). @ccname NULL means the user's default
 * cache (for collections: the cache in it that holds the principal, which is
 * made primary). FILE caches (and DIR subsidiaries) are refreshed in place
 * only if they are regular files owned by the user with one link, opened
 * without following symbolic links; they are reset to mode 0600. Returns
 * SSO_KRB5_NO_CACHE or SSO_KRB5_OTHER_PRINCIPAL without touching anything
 * when there is nothing to refresh. @refreshed (may be NULL) receives the
 * full name of the cache written. */
SsoKrb5Status sso_krb5_refresh(SsoKrb5 *k, const SsoKrb5Creds *c, const SsoKrb5User *user,
                               const char *ccname, char *refreshed, size_t refreshed_len,
                               SsoKrb5Error *err);

/* Before a login: would sso_krb5_store_new() find the user's default cache
 * name free? Checks, as the user, what store_new checks before it creates
 * anything (a FILE name already taken, an unsafe directory, an unsupported
 * type) and touches nothing, so that a login that cannot store its cache
 * is refused at authentication. store_new checks again (exclusive create). */
SsoKrb5Status sso_krb5_store_check(SsoKrb5 *k, const SsoKrb5User *user, SsoKrb5Error *err);

/* Destroy what sso_krb5_store_new() created, as the user: FILE and DIR
 * files are overwritten with zeros and unlinked only if they are still the
 * same file (device and inode); a created DIR directory is removed when
 * empty; KEYRING and KCM caches are krb5_cc_destroy()ed. A cache that is
 * already gone is not an error. */
SsoKrb5Status sso_krb5_destroy(SsoKrb5 *k, const SsoKrb5User *user, const SsoKrb5Stored *s,
                               SsoKrb5Error *err);

#ifdef __cplusplus
}
#endif

#endif /* SSO_KRB5_H */
