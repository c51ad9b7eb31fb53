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

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "sso-krb5.h"

/* the system's krb5.conf and keytab, UID_MIN from login.defs: exactly what
 * the PAM module uses by default */
static const SsoKrb5Options options = { .uid_min = -1 };

/* The mapping and the refresh fork children that go on using libkrb5. A
 * fork while another thread is inside libkrb5 could leave one of its locks
 * held in the child for ever: every krb5 call in this process and every
 * fork of such a child happen under this lock. The main loop never takes
 * it: the mapping runs in a thread of its own, the refresh in the worker,
 * and every wait for a child has a deadline. */
static GMutex krb5_fork_lock;

typedef struct {
    int status;                 /* SsoKrb5Status */
    long code;
    char text[SSO_KRB5_ERRLEN];
    SsoKrb5User user;
} MapResult;

static void map_child(const VDSsoMsg *msg, int fd) G_GNUC_NORETURN;

/* In the child: only sso-krb5 and system calls, no GLib, no syslog */
static void map_child(const VDSsoMsg *msg, int fd)
{
    static MapResult res;
    SsoKrb5 *k = NULL;
    SsoKrb5Creds *c = NULL;
    SsoKrb5Error err = { 0 };
    sigset_t none;

    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGALRM, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    alarm(VDAGENTD_SSO_MAP_TIMEOUT + 1);
    res.status = sso_krb5_open(&options, &k, &err);
    if (res.status == SSO_KRB5_OK) {
        res.status = sso_krb5_creds_load(k, msg, &c, &err);
    }
    if (res.status == SSO_KRB5_OK) {
        res.status = sso_krb5_map_user(k, c, &res.user, &err);
    }
    res.code = err.krb5_code;
    memcpy(res.text, err.text, sizeof(res.text));
    sso_krb5_creds_free(c);
    sso_krb5_close(k);
    for (gsize done = 0; done < sizeof(res);) {
        ssize_t n = write(fd, (const char *) &res + done, sizeof(res) - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        done += (gsize) n;
    }
    _exit(0);
}

/* Map the principal of @msg in a child process (as root: krb5_kuserok reads
 * the user's .k5login), which is killed if it takes longer than
 * VDAGENTD_SSO_MAP_TIMEOUT seconds: a file of the user's may block it. */
static SsoKrb5Status map_in_child(const VDSsoMsg *msg, SsoKrb5User *user, SsoKrb5Error *err)
{
    MapResult res;
    gsize got = 0;
    gboolean timed_out = FALSE;
    int p[2];
    pid_t pid;

    memset(err, 0, sizeof(*err));
    if (pipe2(p, O_CLOEXEC) != 0) {
        g_snprintf(err->text, sizeof(err->text), "pipe: %s", g_strerror(errno));
        return SSO_KRB5_INTERNAL;
    }
    g_mutex_lock(&krb5_fork_lock);
    pid = fork();
    if (pid == 0) {
        close(p[0]);
        map_child(msg, p[1]);
    }
    g_mutex_unlock(&krb5_fork_lock);
    close(p[1]);
    if (pid < 0) {
        g_snprintf(err->text, sizeof(err->text), "fork: %s", g_strerror(errno));
        close(p[0]);
        return SSO_KRB5_INTERNAL;
    }
    gint64 deadline = g_get_monotonic_time() + VDAGENTD_SSO_MAP_TIMEOUT * G_USEC_PER_SEC;
    while (got < sizeof(res)) {
        gint64 left = (deadline - g_get_monotonic_time()) / 1000;
        struct pollfd pfd = { .fd = p[0], .events = POLLIN };
        int r = left > 0 ? poll(&pfd, 1, (int) left) : 0;
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r == 0) {
            timed_out = TRUE;
            break;
        }
        if (r < 0) {
            break;
        }
        ssize_t n = read(p[0], (char *) &res + got, sizeof(res) - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        got += (gsize) n;
    }
    close(p[0]);
    if (timed_out) {
        kill(pid, SIGKILL);
    }
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
    }
    if (timed_out) {
        g_snprintf(err->text, sizeof(err->text), "the mapping did not finish within %d s"
                   " (a file of the user's, such as ~/.k5login, may block it): killed it",
                   VDAGENTD_SSO_MAP_TIMEOUT);
        return SSO_KRB5_INTERNAL;
    }
    if (got != sizeof(res) || res.status < SSO_KRB5_OK || res.status > SSO_KRB5_INTERNAL) {
        g_snprintf(err->text, sizeof(err->text), "the mapping child failed");
        return SSO_KRB5_INTERNAL;
    }
    res.text[sizeof(res.text) - 1] = '\0';
    res.user.name[sizeof(res.user.name) - 1] = '\0';
    err->krb5_code = res.code;
    memcpy(err->text, res.text, sizeof(err->text));
    *user = res.user;
    return (SsoKrb5Status) res.status;
}

VDAgentdSsoMapping vdagentd_sso_map_principal(const VDSsoMsg *msg, uid_t *uid, gchar **reason)
{
    SsoKrb5User user;
    SsoKrb5Error err;
    SsoKrb5Status st = map_in_child(msg, &user, &err);

    *reason = NULL;
    if (st == SSO_KRB5_OK) {
        *uid = user.uid;
        return VDAGENTD_SSO_MAPPED;
    }
    syslog(st == SSO_KRB5_NO_USER || st == SSO_KRB5_USER_REFUSED ? LOG_INFO : LOG_WARNING,
           "sso: mapping %s: %s: %s", msg->principal, sso_krb5_status_str(st), err.text);
    if (st == SSO_KRB5_USER_REFUSED) {
        *reason = g_strdup(err.text);
        return VDAGENTD_SSO_USER_REFUSED;
    }
    if (st == SSO_KRB5_BAD_CCACHE || st == SSO_KRB5_EXPIRED || st == SSO_KRB5_MISMATCH) {
        *reason = g_strdup(err.text);
        return st == SSO_KRB5_MISMATCH ? VDAGENTD_SSO_CRED_MISMATCH : VDAGENTD_SSO_CRED_REFUSED;
    }
    return VDAGENTD_SSO_NO_USER;
}

typedef struct {
    VDAgentdSsoMapping mapping;
    uid_t uid;
    gchar *reason;
} MapOutcome;

static void map_outcome_free(MapOutcome *o)
{
    g_free(o->reason);
    g_free(o);
}

static void map_thread(GTask *task, gpointer source, gpointer task_data,
                       GCancellable *cancellable)
{
    MapOutcome *o = g_new0(MapOutcome, 1);

    o->uid = (uid_t) -1;
    o->mapping = vdagentd_sso_map_principal(task_data, &o->uid, &o->reason);
    g_task_return_pointer(task, o, (GDestroyNotify) map_outcome_free);
}

static VDSsoMsg *msg_copy(const VDSsoMsg *m);

void vdagentd_sso_map_principal_async(const VDSsoMsg *msg, GAsyncReadyCallback callback,
                                      gpointer user_data)
{
    GTask *task = g_task_new(NULL, NULL, callback, user_data);
    VDSsoMsg *copy = msg_copy(msg);

    if (copy == NULL) {
        syslog(LOG_ERR, "sso: mapping %s: out of memory", msg->principal);
        g_task_return_pointer(task, NULL, NULL);
    } else {
        g_task_set_task_data(task, copy, (GDestroyNotify) vdsso_msg_free);
        g_task_run_in_thread(task, map_thread);
    }
    g_object_unref(task);
}

VDAgentdSsoMapping vdagentd_sso_map_principal_finish(GAsyncResult *result, uid_t *uid,
                                                     gchar **reason)
{
    MapOutcome *o = g_task_propagate_pointer(G_TASK(result), NULL);
    VDAgentdSsoMapping mapping;

    *reason = NULL;
    if (o == NULL) {
        return VDAGENTD_SSO_NO_USER;
    }
    mapping = o->mapping;
    *uid = o->uid;
    *reason = g_steal_pointer(&o->reason);
    map_outcome_free(o);
    return mapping;
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

    /* the verification may wait for the KDC: a mapping forks meanwhile
     * only once it is done (in its own thread, not the main loop's) */
    g_mutex_lock(&krb5_fork_lock);
    st = sso_krb5_open(&options, &k, &err);
    if (st == SSO_KRB5_OK) {
        st = sso_krb5_creds_load(k, msg, &c, &err);
    }
    if (st == SSO_KRB5_OK) {
        st = sso_krb5_creds_verify(k, c, &err);
    }
    g_mutex_unlock(&krb5_fork_lock);
    if (st == SSO_KRB5_OK) {
        st = map_in_child(msg, &user, &err);
    }
    if (st == SSO_KRB5_OK && user.uid != uid) {
        syslog(LOG_WARNING, "sso: refresh: %s now maps to uid %u, not %u; nothing written",
               msg->principal, (unsigned) user.uid, (unsigned) uid);
        goto out;
    }
    if (st == SSO_KRB5_OK) {
        /* the child runs as the user, who may stop it: sso_krb5_refresh
         * kills it at its deadline (SSO_KRB5_CHILD_TIMEOUT), so a mapping
         * waits for this lock at most that long */
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
    g_mutex_lock(&krb5_fork_lock);
    sso_krb5_creds_free(c);
    sso_krb5_close(k);
    g_mutex_unlock(&krb5_fork_lock);
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
