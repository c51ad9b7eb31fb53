/* sso-krb5map.c - principal to local user, and the cache refresh, through
 * sso-krb5; see sso-krb5map.h
 *
 * Copyright (C) 2026 The spice-sso authors
 *
 * This program is free software: you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation, either version 3 of the License, or
 * (at your option) any later version.
 */
#include "sso-krb5map.h"

#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "sso-krb5.h"

/* the system's krb5.conf and keytab, UID_MIN from login.defs: exactly what
 * the PAM module uses by default */
static const SsoKrb5Options options = { .uid_min = -1 };

/* sso_krb5_refresh() forks a child that goes on using libkrb5. A fork while
 * another thread is inside libkrb5 could leave one of its locks held in the
 * child for ever; the main thread's mapping and the worker's refresh take
 * this lock so that no krb5 call runs elsewhere while the worker forks. */
static GMutex krb5_fork_lock;

gboolean vdagentd_sso_map_principal(const VDSsoMsg *msg, uid_t *uid)
{
    SsoKrb5 *k = NULL;
    SsoKrb5Creds *c = NULL;
    SsoKrb5User user;
    SsoKrb5Error err;
    SsoKrb5Status st;

    g_mutex_lock(&krb5_fork_lock);
    st = sso_krb5_open(&options, &k, &err);
    if (st == SSO_KRB5_OK) {
        st = sso_krb5_creds_load(k, msg, &c, &err);
    }
    if (st == SSO_KRB5_OK) {
        st = sso_krb5_map_user(k, c, &user, &err);
    }
    if (st == SSO_KRB5_OK) {
        *uid = user.uid;
    } else {
        syslog(st == SSO_KRB5_NO_USER ? LOG_INFO : LOG_WARNING,
               "sso: %s: %s", sso_krb5_status_str(st), err.text);
    }
    sso_krb5_creds_free(c);
    sso_krb5_close(k);
    g_mutex_unlock(&krb5_fork_lock);
    return st == SSO_KRB5_OK;
}

/* ------------------------------------------------------------- refresh */

typedef struct {
    VDSsoMsg *msg;
    uid_t uid;
} Job;

static GThreadPool *pool;

static VDSsoMsg *msg_copy(const VDSsoMsg *m)
{
    VDSsoMsg *c = calloc(1, sizeof(*c));

    if (c == NULL) {
        return NULL;
    }
    *c = *m;
    c->principal = malloc((size_t) m->principal_len + 1);
    c->cred = malloc(m->cred_len);
    if (c->principal == NULL || c->cred == NULL) {
        free(c->principal);
        free(c->cred);
        free(c);
        return NULL;
    }
    memcpy(c->principal, m->principal, (size_t) m->principal_len + 1);
    memcpy(c->cred, m->cred, m->cred_len);
    return c;
}

static void refresh(const VDSsoMsg *msg, uid_t uid)
{
    SsoKrb5 *k = NULL;
    SsoKrb5Creds *c = NULL;
    SsoKrb5User user;
    SsoKrb5Error err;
    SsoKrb5Status st;
    char refreshed[SSO_KRB5_NAMELEN];

    st = sso_krb5_open(&options, &k, &err);
    if (st == SSO_KRB5_OK) {
        st = sso_krb5_creds_load(k, msg, &c, &err);
    }
    if (st == SSO_KRB5_OK) {
        st = sso_krb5_creds_verify(k, c, &err);
    }
    if (st == SSO_KRB5_OK) {
        st = sso_krb5_map_user(k, c, &user, &err);
    }
    if (st == SSO_KRB5_OK && user.uid != uid) {
        syslog(LOG_WARNING, "sso: refresh: %s now maps to uid %u, not %u; nothing written",
               msg->principal, (unsigned) user.uid, (unsigned) uid);
        goto out;
    }
    if (st == SSO_KRB5_OK) {
        /* the verification above may take a while (the KDC); the fork only
         * needs the main thread out of libkrb5 */
        g_mutex_lock(&krb5_fork_lock);
        st = sso_krb5_refresh(k, c, &user, NULL, refreshed, sizeof(refreshed), &err);
        g_mutex_unlock(&krb5_fork_lock);
    }
    if (st == SSO_KRB5_OK) {
        syslog(LOG_INFO, "sso: refreshed %s of %s (uid %u) with a verified TGT of %s",
               refreshed, user.name, (unsigned) uid, msg->principal);
    } else {
        syslog(LOG_WARNING, "sso: could not refresh the credential cache of uid %u (%s): %s: %s",
               (unsigned) uid, msg->principal, sso_krb5_status_str(st), err.text);
    }
out:
    sso_krb5_creds_free(c);
    sso_krb5_close(k);
}

static void refresh_job(gpointer data, gpointer user_data)
{
    Job *job = data;

    refresh(job->msg, job->uid);
    vdsso_msg_free(job->msg);
    g_free(job);
}

void vdagentd_sso_refresh_start(const VDSsoMsg *msg, uid_t uid)
{
    Job *job;

    if (pool == NULL) {
        /* exclusive, one thread: refreshes never overlap */
        pool = g_thread_pool_new(refresh_job, NULL, 1, TRUE, NULL);
    }
    job = g_new0(Job, 1);
    job->msg = msg_copy(msg);
    job->uid = uid;
    if (job->msg == NULL) {
        syslog(LOG_ERR, "sso: refresh: out of memory");
        g_free(job);
        return;
    }
    g_thread_pool_push(pool, job, NULL);
}

void vdagentd_sso_refresh_shutdown(void)
{
    if (pool != NULL) {
        g_thread_pool_free(pool, FALSE, TRUE);
        pool = NULL;
    }
}
