/* session.c - the credential cache of a session opened, or unlocked, by
 * single sign-on.
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * GDM calls pam_setcred(PAM_ESTABLISH_CRED) before pam_open_session, and
 * pam_systemd (XDG_RUNTIME_DIR, for DIR caches) and pam_keyinit (the
 * session keyring, for KEYRING caches) run in the session stack: so a login
 * writes its cache in pam_sm_open_session, as the last session module, and
 * pam_sm_setcred(PAM_ESTABLISH_CRED) only confirms. An unlock dialog calls
 * pam_setcred(PAM_REINITIALIZE_CRED) and opens no session: that refreshes
 * the user's existing cache of the same principal. pam_sm_close_session
 * (and PAM_DELETE_CRED) destroys the cache the session created.
 */
#include "internal.h"

#include <security/pam_ext.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

static SsoAuthState *auth_state(pam_handle_t *pamh)
{
    const void *data = NULL;
    if (pam_get_data(pamh, SSO_DATA_AUTH, &data) != PAM_SUCCESS) {
        return NULL;
    }
    return (SsoAuthState *)data;
}

static SsoCacheState *cache_state(pam_handle_t *pamh)
{
    const void *data = NULL;
    if (pam_get_data(pamh, SSO_DATA_CACHE, &data) != PAM_SUCCESS) {
        return NULL;
    }
    return (SsoCacheState *)data;
}

static void cache_state_cleanup(pam_handle_t *pamh, void *data, int error_status)
{
    (void)pamh;
    (void)error_status;
    free(data);
}

/* Drop the verified credential: it is written, or it will not be. */
static void forget_credential(pam_handle_t *pamh)
{
    pam_set_data(pamh, SSO_DATA_AUTH, NULL, NULL); /* the cleanup wipes it */
}

/* The user PAM knows now must still be the one authenticated. */
static int same_user(pam_handle_t *pamh, const SsoAuthState *s)
{
    const void *item = NULL;
    if (pam_get_item(pamh, PAM_USER, &item) != PAM_SUCCESS || item == NULL ||
        strcmp((const char *)item, s->user.name) != 0) {
        pam_syslog(pamh, LOG_ERR, "refused: the PAM user changed from %s to %s since authentication",
                   s->user.name, item != NULL ? (const char *)item : "(none)");
        return 0;
    }
    return 1;
}

static int destroy_cache(pam_handle_t *pamh, const SsoOptions *o, const char *why)
{
    SsoCacheState *cs = cache_state(pamh);
    if (cs == NULL) {
        return PAM_SUCCESS;
    }
    SsoKrb5 *k = NULL;
    SsoKrb5Error kerr = { 0 };
    SsoKrb5Status st = sso_krb5_open(&o->krb5, &k, &kerr);
    if (st == SSO_KRB5_OK) {
        st = sso_krb5_destroy(k, &cs->user, &cs->stored, &kerr);
    }
    sso_krb5_close(k);
    if (st != SSO_KRB5_OK) {
        pam_syslog(pamh, LOG_ERR, "cannot destroy credential cache %s of user %s (%s): %s",
                   cs->stored.created, cs->user.name, why, kerr.text);
        pam_set_data(pamh, SSO_DATA_CACHE, NULL, NULL);
        return PAM_SESSION_ERR;
    }
    pam_syslog(pamh, LOG_NOTICE, "destroyed credential cache %s of user %s (%s)",
               cs->stored.created, cs->user.name, why);
    const char *env = pam_getenv(pamh, "KRB5CCNAME");
    if (env != NULL && strcmp(env, cs->stored.ccname) == 0) {
        pam_putenv(pamh, "KRB5CCNAME");
    }
    pam_set_data(pamh, SSO_DATA_CACHE, NULL, NULL);
    return PAM_SUCCESS;
}

/* An unlock: refresh the user's existing cache of this principal. */
static int refresh(pam_handle_t *pamh, const SsoOptions *o, SsoAuthState *s)
{
    if (!same_user(pamh, s)) {
        forget_credential(pamh);
        return PAM_CRED_ERR;
    }
    SsoKrb5 *k = NULL;
    SsoKrb5Error kerr = { 0 };
    char name[SSO_KRB5_NAMELEN] = "";
    const char *principal = sso_krb5_creds_principal(s->creds);
    SsoKrb5Status st = sso_krb5_open(&o->krb5, &k, &kerr);
    if (st == SSO_KRB5_OK) {
        st = sso_krb5_refresh(k, s->creds, &s->user, NULL, name, sizeof(name), &kerr);
    }
    sso_krb5_close(k);
    int ret;
    switch (st) {
    case SSO_KRB5_OK:
        pam_syslog(pamh, LOG_NOTICE, "refreshed credential cache %s of user %s (uid %lu) with %s",
                   name, s->user.name, (unsigned long)s->user.uid, principal);
        ret = PAM_SUCCESS;
        break;
    case SSO_KRB5_NO_CACHE:
    case SSO_KRB5_OTHER_PRINCIPAL:
        /* Nothing of ours to refresh: the user is who they say, though. */
        pam_syslog(pamh, LOG_NOTICE, "did not refresh a credential cache of user %s with %s: %s",
                   s->user.name, principal, kerr.text);
        ret = PAM_SUCCESS;
        break;
    default:
        pam_syslog(pamh, LOG_ERR, "refused to refresh a credential cache of user %s with %s: %s: %s",
                   s->user.name, principal, sso_krb5_status_str(st), kerr.text);
        ret = PAM_CRED_ERR;
        break;
    }
    forget_credential(pamh);
    return ret;
}

int sso_setcred(pam_handle_t *pamh, int flags, const SsoOptions *o)
{
    SsoAuthState *s = auth_state(pamh);
    int what = flags & ~PAM_SILENT;
    if (what & PAM_DELETE_CRED) {
        forget_credential(pamh);
        return destroy_cache(pamh, o, "credentials deleted");
    }
    if (what & (PAM_REINITIALIZE_CRED | PAM_REFRESH_CRED)) {
        return s != NULL ? refresh(pamh, o, s) : PAM_IGNORE;
    }
    /* PAM_ESTABLISH_CRED: the session stack writes the cache. */
    if (s == NULL) {
        return PAM_IGNORE;
    }
    if (o->debug) {
        pam_syslog(pamh, LOG_DEBUG, "credentials of %s for %s will be stored when the session opens",
                   sso_krb5_creds_principal(s->creds), s->user.name);
    }
    return PAM_SUCCESS;
}

int sso_open_session(pam_handle_t *pamh, int flags, const SsoOptions *o)
{
    (void)flags;
    SsoAuthState *s = auth_state(pamh);
    if (s == NULL) {
        if (o->debug) {
            pam_syslog(pamh, LOG_DEBUG, "no single sign-on credential in this conversation");
        }
        return PAM_IGNORE;
    }
    const char *principal = sso_krb5_creds_principal(s->creds);
    if (!same_user(pamh, s)) {
        forget_credential(pamh);
        return PAM_SESSION_ERR;
    }
    SsoCacheState *cs = calloc(1, sizeof(*cs));
    if (cs == NULL) {
        pam_syslog(pamh, LOG_CRIT, "cannot store the credentials of %s: out of memory", principal);
        forget_credential(pamh);
        return PAM_BUF_ERR;
    }
    cs->user = s->user;
    SsoKrb5 *k = NULL;
    SsoKrb5Error kerr = { 0 };
    SsoKrb5Status st = sso_krb5_open(&o->krb5, &k, &kerr);
    if (st == SSO_KRB5_OK) {
        st = sso_krb5_store_new(k, s->creds, &s->user, &cs->stored, &kerr);
    }
    if (st != SSO_KRB5_OK) {
        pam_syslog(pamh, LOG_ERR, "cannot store the credentials of %s for user %s: %s: %s",
                   principal, s->user.name, sso_krb5_status_str(st), kerr.text);
        sso_krb5_close(k);
        free(cs);
        forget_credential(pamh);
        return PAM_SESSION_ERR;
    }
    char env[sizeof(cs->stored.ccname) + 16];
    snprintf(env, sizeof(env), "KRB5CCNAME=%s", cs->stored.ccname);
    int ret = pam_putenv(pamh, env);
    if (ret == PAM_SUCCESS) {
        ret = pam_set_data(pamh, SSO_DATA_CACHE, cs, cache_state_cleanup);
    }
    if (ret != PAM_SUCCESS) {
        pam_syslog(pamh, LOG_ERR, "cannot set KRB5CCNAME for user %s: %s", s->user.name,
                   pam_strerror(pamh, ret));
        sso_krb5_destroy(k, &cs->user, &cs->stored, &kerr);
        sso_krb5_close(k);
        free(cs);
        forget_credential(pamh);
        return PAM_SESSION_ERR;
    }
    sso_krb5_close(k);
    pam_syslog(pamh, LOG_NOTICE, "stored the credentials of %s for user %s (uid %lu) in %s",
               principal, s->user.name, (unsigned long)s->user.uid, cs->stored.created);
    forget_credential(pamh); /* s is gone from here on */
    return PAM_SUCCESS;
}

int sso_close_session(pam_handle_t *pamh, int flags, const SsoOptions *o)
{
    (void)flags;
    forget_credential(pamh);
    if (cache_state(pamh) == NULL) {
        return PAM_IGNORE;
    }
    return destroy_cache(pamh, o, "session closed");
}
