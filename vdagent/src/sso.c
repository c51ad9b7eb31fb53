/* sso.c - single sign-on policy of spice-vdagentd, see sso.h
 *
 * Copyright (C) 2026 The spice-sso authors
 *
 * This program is free software: you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation, either version 3 of the License, or
 * (at your option) any later version.
 *
 * A VD_AGENT_SSO from the server is checked (sso-check.c), its principal
 * mapped to a local user (a principal that maps to an account single
 * sign-on may not log in as, such as root, is refused here: the greeter is
 * not asked), then decided on through the seat:
 *  - the principal's local user has a session on the seat: refresh its
 *    credential cache and, if the session is locked, ask the greeter to
 *    unlock it (same signal: gnome-shell's unlock dialog listens to it);
 *  - the seat shows no user session (nothing, or the greeter): ask GDM for
 *    a login;
 *  - someone else's session holds the seat: refuse.
 * Asking GDM means keeping the credential (the "pending" one, at most one)
 * with a one-time token for a while, and emitting UserAuthenticated(token)
 * with backoff until the PAM module fetches it over the redemption socket.
 * The PAM module reports what it did; a success makes a "record" of the user
 * and principal, so that the sessions get locked when the client leaves and
 * only the same principal unlocks them.
 *
 * Whether a session is locked is logind's to say (LockedHint), never ours to
 * remember: a user may unlock with a password, an unlock may fail, a screen
 * locker may not be up yet. Every disconnect locks every recorded session
 * that logind does not report locked, and each lock is checked and asked
 * again until LockedHint says it took.
 *
 * The records outlive the daemon in a root-only state file under /run
 * (sso-state.c): a restarted vdagentd still locks those sessions.
 *
 * Secrets (the credential, the token) are never logged and are wiped as
 * soon as they are no longer needed. The token, though, is broadcast on the
 * system bus as gnome-shell's contract requires, where any local user may
 * read it: it is a handle, not a proof. What keeps the credential from a
 * local user is the redemption socket's peer check (uid 0 only, in
 * sso-redeem.c); never relax that check.
 */
#include "sso.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <syslog.h>
#include <unistd.h>

#include "sso-check.h"
#include "sso-redeem.h"
#include "sso-state.h"

/* ------------------------------------------------------------- configuration */

static gboolean opt_enable;
static gchar *opt_config;
static gint opt_ttl = -1;
static gchar *opt_pam_service_file;
static gchar *opt_socket;
static gchar *opt_state_file;

static const GOptionEntry option_entries[] = {
    { "sso", 0, 0, G_OPTION_ARG_NONE, &opt_enable,
      "Enable single sign-on (VD_AGENT_SSO)", NULL },
    { "sso-config", 0, 0, G_OPTION_ARG_FILENAME, &opt_config,
      "Read the single sign-on settings from FILE (" VDAGENTD_SSO_DEFAULT_CONFIG ")", "FILE" },
    { "sso-ttl", 0, 0, G_OPTION_ARG_INT, &opt_ttl,
      "Seconds a credential waits to be redeemed (60)", "SECONDS" },
    { "sso-pam-service-file", 0, 0, G_OPTION_ARG_FILENAME, &opt_pam_service_file,
      "Ask the greeter only while FILE exists (" VDAGENTD_SSO_DEFAULT_PAM_SERVICE_FILE ")",
      "FILE" },
    { "sso-socket", 0, 0, G_OPTION_ARG_FILENAME, &opt_socket,
      "Redemption socket (" VDAGENTD_SSO_DEFAULT_SOCKET ")", "PATH" },
    { "sso-state-file", 0, 0, G_OPTION_ARG_FILENAME, &opt_state_file,
      "Keep the sessions single sign-on opened in FILE (" VDAGENTD_SSO_DEFAULT_STATE_FILE ")",
      "FILE" },
    { NULL, 0, 0, G_OPTION_ARG_NONE, NULL, NULL, NULL }
};

const GOptionEntry *vdagentd_sso_option_entries(void)
{
    return option_entries;
}

void vdagentd_sso_options_clear(void)
{
    opt_enable = FALSE;
    opt_ttl = -1;
    g_clear_pointer(&opt_config, g_free);
    g_clear_pointer(&opt_pam_service_file, g_free);
    g_clear_pointer(&opt_socket, g_free);
    g_clear_pointer(&opt_state_file, g_free);
}

static gboolean check_ttl(gint64 ttl, const char *where, GError **error)
{
    if (ttl < VDAGENTD_SSO_MIN_TTL || ttl > VDAGENTD_SSO_MAX_TTL) {
        g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                    "%s: the time to live must be %d to %d seconds, not %" G_GINT64_FORMAT,
                    where, VDAGENTD_SSO_MIN_TTL, VDAGENTD_SSO_MAX_TTL, ttl);
        return FALSE;
    }
    return TRUE;
}

static gboolean check_path(const char *path, const char *what, const char *where,
                           GError **error)
{
    if (path == NULL || !g_path_is_absolute(path)) {
        g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
                    "%s: the %s must be an absolute path", where, what);
        return FALSE;
    }
    return TRUE;
}

/* [sso] enable, ttl, pam-service-file, socket, state-file; unknown keys are errors so
 * that a typo does not silently leave a default in place */
static gboolean load_file(VDAgentdSsoConfig *config, const char *file, gboolean required,
                          GError **error)
{
    static const char *const known[] = { "enable", "ttl", "pam-service-file", "socket",
                                         "state-file", NULL };
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_auto(GStrv) groups = NULL;
    g_auto(GStrv) keys = NULL;
    GError *err = NULL;

    if (!g_key_file_load_from_file(kf, file, G_KEY_FILE_NONE, &err)) {
        if (!required && g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
            g_error_free(err);
            return TRUE;
        }
        g_propagate_prefixed_error(error, err, "%s: ", file);
        return FALSE;
    }
    groups = g_key_file_get_groups(kf, NULL);
    for (gsize i = 0; groups[i] != NULL; i++) {
        if (strcmp(groups[i], "sso") != 0) {
            g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND,
                        "%s: unknown group [%s]", file, groups[i]);
            return FALSE;
        }
    }
    if (!g_key_file_has_group(kf, "sso")) {
        return TRUE;
    }
    keys = g_key_file_get_keys(kf, "sso", NULL, NULL);
    for (gsize i = 0; keys != NULL && keys[i] != NULL; i++) {
        if (!g_strv_contains(known, keys[i])) {
            g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND,
                        "%s: unknown key %s in [sso]", file, keys[i]);
            return FALSE;
        }
    }
    if (g_key_file_has_key(kf, "sso", "enable", NULL)) {
        config->enabled = g_key_file_get_boolean(kf, "sso", "enable", &err);
        if (err) {
            g_propagate_prefixed_error(error, err, "%s: ", file);
            return FALSE;
        }
    }
    if (g_key_file_has_key(kf, "sso", "ttl", NULL)) {
        gint64 ttl = g_key_file_get_int64(kf, "sso", "ttl", &err);
        if (err) {
            g_propagate_prefixed_error(error, err, "%s: ", file);
            return FALSE;
        }
        if (!check_ttl(ttl, file, error)) {
            return FALSE;
        }
        config->ttl = (guint) ttl;
    }
    static const struct { const char *key, *what; gsize offset; } paths[] = {
        { "pam-service-file", "PAM service file",
          G_STRUCT_OFFSET(VDAgentdSsoConfig, pam_service_file) },
        { "socket", "socket", G_STRUCT_OFFSET(VDAgentdSsoConfig, socket_path) },
        { "state-file", "state file", G_STRUCT_OFFSET(VDAgentdSsoConfig, state_file) },
    };
    for (gsize i = 0; i < G_N_ELEMENTS(paths); i++) {
        gchar **field = G_STRUCT_MEMBER_P(config, paths[i].offset);
        gchar *value;

        if (!g_key_file_has_key(kf, "sso", paths[i].key, NULL)) {
            continue;
        }
        value = g_key_file_get_string(kf, "sso", paths[i].key, NULL);
        if (!check_path(value, paths[i].what, file, error)) {
            g_free(value);
            return FALSE;
        }
        g_free(*field);
        *field = value;
    }
    return TRUE;
}

gboolean vdagentd_sso_config_load(VDAgentdSsoConfig *config, GError **error)
{
    memset(config, 0, sizeof(*config));
    config->ttl = VDAGENTD_SSO_DEFAULT_TTL;
    config->pam_service_file = g_strdup(VDAGENTD_SSO_DEFAULT_PAM_SERVICE_FILE);
    config->socket_path = g_strdup(VDAGENTD_SSO_DEFAULT_SOCKET);
    config->state_file = g_strdup(VDAGENTD_SSO_DEFAULT_STATE_FILE);
    config->lock_retry_ms = VDAGENTD_SSO_LOCK_RETRY_MS;
    config->lock_attempts = VDAGENTD_SSO_LOCK_ATTEMPTS;

    if (!load_file(config, opt_config ? opt_config : VDAGENTD_SSO_DEFAULT_CONFIG,
                   opt_config != NULL, error)) {
        goto fail;
    }
    if (opt_enable) {
        config->enabled = TRUE;
    }
    if (opt_ttl != -1) {
        if (!check_ttl(opt_ttl, "--sso-ttl", error)) {
            goto fail;
        }
        config->ttl = (guint) opt_ttl;
    }
    if (opt_pam_service_file) {
        if (!check_path(opt_pam_service_file, "PAM service file", "--sso-pam-service-file",
                        error)) {
            goto fail;
        }
        g_free(config->pam_service_file);
        config->pam_service_file = g_strdup(opt_pam_service_file);
    }
    if (opt_socket) {
        if (!check_path(opt_socket, "socket", "--sso-socket", error)) {
            goto fail;
        }
        g_free(config->socket_path);
        config->socket_path = g_strdup(opt_socket);
    }
    if (opt_state_file) {
        if (!check_path(opt_state_file, "state file", "--sso-state-file", error)) {
            goto fail;
        }
        g_free(config->state_file);
        config->state_file = g_strdup(opt_state_file);
    }
    return TRUE;

fail:
    vdagentd_sso_config_clear(config);
    return FALSE;
}

void vdagentd_sso_config_clear(VDAgentdSsoConfig *config)
{
    g_clear_pointer(&config->pam_service_file, g_free);
    g_clear_pointer(&config->socket_path, g_free);
    g_clear_pointer(&config->state_file, g_free);
}

/* -------------------------------------------------------------------- state */

typedef enum {
    PATH_LOGIN,  /* the greeter is asked for a new session */
    PATH_UNLOCK, /* the unlock dialog of the user's locked session is */
    PATH_REFRESH, /* the helper refreshes the cache of the user's session */
} PendingPath;

typedef struct {
    VDSsoMsg *msg;             /* NULL once fetched: the credential went to PAM */
    char *principal;
    uint8_t token[VDSSO_TOKEN_SIZE];
    PendingPath path;
    uid_t uid;                 /* PATH_UNLOCK, PATH_REFRESH: whose session */
    guint job;                 /* PATH_REFRESH: the helper's job, whose unit fetches */
    gboolean fetched;
    guint fetches;             /* FETCHes answered (a restarted conversation fetches again) */
    guint emissions;
    guint emit_source;
    guint expire_source;
} Pending;

/* A checked VD_AGENT_SSO waiting for the helper to map its principal */
typedef struct {
    VDSsoMsg *msg;
    uint32_t serial;
    guint number;              /* the helper's unit is spice-vdagentd-sso@NUMBER.service */
    gboolean fetched;          /* the helper fetched it (JOB) */
    guint timeout_source;
} Job;

/* Single sign-on opened (or refreshed) a session of @uid as @principal */
typedef struct {
    uid_t uid;
    char *principal;
    gboolean seen;             /* a session of uid was on the seat since */
    gchar **sessions;          /* ... these, when last looked at (state file) */
    gboolean lock_pending;     /* the client left before the session appeared */
    gint64 unlocked_at;        /* monotonic time of the last unlock by single
                                * sign-on (LockedHint may lag behind it), or 0 */
} Record;

/* A lock asked of logind, checked through LockedHint until it took */
typedef struct {
    VDAgentdSso *sso;
    char *session;
    uid_t uid;
    guint checks;              /* LockedHint checks made */
    guint asks;                /* LockSession calls made */
    guint source;
} LockJob;

struct VDAgentdSso {
    VDAgentdSsoConfig config;
    VDAgentdSsoBackend be;
    VDAgentdSsoRedeem *redeem;
    Pending *pending;
    Job *job;
    guint job_counter;
    GPtrArray *records;
    GHashTable *locks;         /* session id -> LockJob */
};

static const char *path_name(PendingPath path)
{
    return path == PATH_LOGIN ? "login" : path == PATH_UNLOCK ? "unlock" : "refresh";
}

static void record_free(gpointer p)
{
    Record *r = p;

    g_free(r->principal);
    g_strfreev(r->sessions);
    g_free(r);
}

static Record *record_find(VDAgentdSso *sso, uid_t uid)
{
    for (guint i = 0; i < sso->records->len; i++) {
        Record *r = g_ptr_array_index(sso->records, i);
        if (r->uid == uid) {
            return r;
        }
    }
    return NULL;
}

/* ------------------------------------------------------------- state file */

/* Write the records to the state file (if any); an error is logged. */
static void state_save(VDAgentdSso *sso)
{
    g_autoptr(GPtrArray) entries = NULL;
    GError *err = NULL;

    if (sso->config.state_file == NULL) {
        return;
    }
    entries = g_ptr_array_new_with_free_func(vdagentd_sso_state_entry_free);
    for (guint i = 0; i < sso->records->len; i++) {
        Record *r = g_ptr_array_index(sso->records, i);
        VDAgentdSsoStateEntry *e;
        if (r->sessions == NULL || r->sessions[0] == NULL || r->lock_pending) {
            e = vdagentd_sso_state_entry_new(r->uid, NULL, r->principal);
            e->lock_owed = r->lock_pending;
            g_ptr_array_add(entries, e);
        }
        for (gsize j = 0; r->sessions != NULL && r->sessions[j] != NULL; j++) {
            if (vdagentd_sso_state_session_ok(r->sessions[j])) {
                e = vdagentd_sso_state_entry_new(r->uid, r->sessions[j], r->principal);
                e->lock_owed = g_hash_table_contains(sso->locks, r->sessions[j]);
                g_ptr_array_add(entries, e);
            }
        }
    }
    if (!vdagentd_sso_state_save(sso->config.state_file, entries, &err)) {
        syslog(LOG_ERR, "sso: cannot save the single sign-on sessions: %s; a restarted"
               " spice-vdagentd would not lock them", err->message);
        g_error_free(err);
    }
}

/* @r's user has @sessions on the seat now (non-empty): remember them. */
static void record_sessions_seen(VDAgentdSso *sso, Record *r, gchar **sessions)
{
    gboolean changed = !r->seen || r->sessions == NULL ||
                       g_strv_length(r->sessions) != g_strv_length(sessions);

    for (gsize i = 0; !changed && sessions[i] != NULL; i++) {
        changed = !g_strv_contains((const gchar *const *) r->sessions, sessions[i]);
    }
    r->seen = TRUE;
    if (changed) {
        g_strfreev(r->sessions);
        r->sessions = g_strdupv(sessions);
        state_save(sso);
    }
}

static void lock_session(VDAgentdSso *sso, Record *r, const char *session, const char *reason);

/* Read the records a previous spice-vdagentd left; drop those whose
 * sessions logind no longer knows; take up the locks it still owed. */
static void state_load(VDAgentdSso *sso)
{
    g_autoptr(GPtrArray) entries = NULL;
    g_autoptr(GHashTable) owed = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GHashTable) owed_later = g_hash_table_new(NULL, NULL);
    GError *err = NULL;

    if (sso->config.state_file == NULL) {
        return;
    }
    entries = vdagentd_sso_state_load(sso->config.state_file, &err);
    if (entries == NULL) {
        syslog(LOG_ERR, "sso: ignoring the single sign-on state file: %s", err->message);
        g_error_free(err);
        return;
    }
    for (guint i = 0; i < entries->len; i++) {
        VDAgentdSsoStateEntry *e = g_ptr_array_index(entries, i);
        if (e->lock_owed && e->session != NULL) {
            g_hash_table_add(owed, e->session);
        } else if (e->lock_owed) {
            g_hash_table_add(owed_later, GUINT_TO_POINTER(e->uid));
        }
        Record *r = record_find(sso, e->uid);
        if (r == NULL) {
            r = g_new0(Record, 1);
            r->uid = e->uid;
            r->principal = g_strdup(e->principal);
            r->sessions = g_new0(gchar *, 1);
            g_ptr_array_add(sso->records, r);
        } else if (strcmp(r->principal, e->principal) != 0) {
            syslog(LOG_WARNING, "sso: %s: uid %u is recorded as %s and as %s; keeping the"
                   " first", sso->config.state_file, (unsigned) e->uid, r->principal,
                   e->principal);
            continue;
        }
        if (e->session != NULL && !g_strv_contains((const gchar *const *) r->sessions,
                                                   e->session)) {
            guint n = g_strv_length(r->sessions);
            r->sessions = g_renew(gchar *, r->sessions, n + 2);
            r->sessions[n] = g_strdup(e->session);
            r->sessions[n + 1] = NULL;
            r->seen = TRUE;
        }
    }
    for (guint i = sso->records->len; i-- > 0;) {
        Record *r = g_ptr_array_index(sso->records, i);
        g_auto(GStrv) now = sso->be.user_sessions(sso->be.data, r->uid);
        gboolean known = FALSE;

        if (now == NULL) {
            continue; /* cannot tell: keep it */
        }
        for (gsize j = 0; r->sessions[j] != NULL; j++) {
            known = known || g_strv_contains((const gchar *const *) now, r->sessions[j]);
        }
        if (r->seen && !known) {
            g_autofree gchar *list = g_strjoinv(" ", r->sessions);
            syslog(LOG_INFO, "sso: %s: forgetting uid %u (%s): logind no longer knows its"
                   " session(s) %s", sso->config.state_file, (unsigned) r->uid, r->principal,
                   list);
            g_ptr_array_remove_index(sso->records, i);
        } else if (now[0] != NULL) {
            /* its sessions now; or, for a login not seen before, the
             * session GDM opened meanwhile */
            g_strfreev(r->sessions);
            r->sessions = g_strdupv(now);
            r->seen = TRUE;
        }
    }
    for (guint i = 0; i < sso->records->len; i++) {
        Record *r = g_ptr_array_index(sso->records, i);
        g_autofree gchar *list = g_strjoinv(" ", r->sessions);
        gboolean later = g_hash_table_contains(owed_later, GUINT_TO_POINTER(r->uid));
        syslog(LOG_INFO, "sso: %s: uid %u (single sign-on as %s), session(s): %s",
               sso->config.state_file, (unsigned) r->uid, r->principal,
               r->seen ? list : "none yet");
        /* the locks the previous daemon owed: the client left, the lock
         * was not confirmed yet (or the session had not appeared) */
        if (later && !r->seen) {
            r->lock_pending = TRUE;
            syslog(LOG_INFO, "sso: %s: the session of uid %u is to be locked when it"
                   " appears (the client left before spice-vdagentd restarted)",
                   sso->config.state_file, (unsigned) r->uid);
            continue;
        }
        g_auto(GStrv) sessions = g_strdupv(r->sessions);
        for (gsize j = 0; sessions[j] != NULL; j++) {
            if (later || g_hash_table_contains(owed, sessions[j])) {
                lock_session(sso, r, sessions[j], "a lock was owed when spice-vdagentd stopped");
            }
        }
    }
    state_save(sso);
}

static void pending_free(Pending *p)
{
    if (p->emit_source) {
        g_source_remove(p->emit_source);
    }
    if (p->expire_source) {
        g_source_remove(p->expire_source);
    }
    vdsso_msg_free(p->msg);
    g_free(p->principal);
    vdsso_wipe(p, sizeof(*p));
    g_free(p);
}

/* Forget the pending credential, wiping it. */
static void pending_drop(VDAgentdSso *sso, const char *why)
{
    Pending *p = sso->pending;

    if (p == NULL) {
        return;
    }
    /* wipe first, then say so: whoever reads the line may rely on it */
    gboolean fetched = p->fetched;
    gboolean heard = p->emissions > 0;
    PendingPath path = p->path;
    char *principal = g_strdup(p->principal);
    sso->pending = NULL;
    pending_free(p);
    syslog(LOG_INFO, "sso: dropped the %s credential of %s (%s): %s",
           fetched ? "redeemed" : "pending", principal, path_name(path), why);
    g_free(principal);
    /* gnome-shell keeps the last token it heard in its credential manager,
     * also after a successful login, and hands it to the next conversation
     * it starts (the next unlock dialog, the next greeter): that one then
     * fails once, "Sorry, that didn't work", before the password prompt,
     * and eats what the user typed meanwhile. Its manager takes an empty
     * token as "none": withdraw the token once it is used or gone. */
    if (heard) {
        if (sso->be.emit(sso->be.data, "")) {
            syslog(LOG_DEBUG, "sso: withdrew the token from the greeter (empty UserAuthenticated)");
        } else {
            syslog(LOG_WARNING, "sso: could not withdraw the token from the greeter: a greeter "
                   "may try it once more and fail");
        }
    }
}

static gboolean pam_service_present(VDAgentdSso *sso)
{
    return g_file_test(sso->config.pam_service_file, G_FILE_TEST_EXISTS);
}

/* Can the greeter be asked? Says why not in *@why, and what to do in *@fix. */
static gboolean can_ask_greeter(VDAgentdSso *sso, const char **why, const char **fix)
{
    if (!pam_service_present(sso)) {
        *why = "the PAM service file is missing";
        *fix = "install it with pam_vdagent_sso (see pam_vdagent_sso(8)), or name the right"
               " file with --sso-pam-service-file or pam-service-file= in"
               " /etc/spice-vdagentd/sso.conf";
        return FALSE;
    }
    if (!sso->be.owns_name(sso->be.data)) {
        *why = "spice-vdagentd does not own org.ovirt.vdsm.Credentials on the system bus";
        *fix = "install the D-Bus policy spice-vdagentd-sso.conf in"
               " /usr/share/dbus-1/system.d and reload the bus, and stop any other owner of"
               " the name (ovirt-guest-agent)";
        return FALSE;
    }
    return TRUE;
}

/* The live user sessions of @uid on the seat, or NULL (logged) */
static gchar **user_sessions(VDAgentdSso *sso, uid_t uid)
{
    gchar **s = sso->be.user_sessions(sso->be.data, uid);

    if (s == NULL) {
        syslog(LOG_ERR, "sso: cannot list the sessions of uid %u on the seat", (unsigned) uid);
    }
    return s;
}

/* Is one of @uid's sessions on the seat locked? */
static gboolean user_session_locked(VDAgentdSso *sso, uid_t uid)
{
    g_auto(GStrv) sessions = user_sessions(sso, uid);

    for (gsize i = 0; sessions != NULL && sessions[i] != NULL; i++) {
        if (sso->be.session_locked(sso->be.data, sessions[i]) == 1) {
            return TRUE;
        }
    }
    return FALSE;
}

/* ------------------------------------------------------------------ locking */

/* LockSession is fire and forget: logind emits the session's Lock signal
 * and the screen locker (gnome-shell's shield), if it is up, locks and
 * reports it with SetLockedHint. So a lock is a job: ask, check LockedHint
 * after 1, 2, 4 ... s, ask again while it is not locked, give up with an
 * error after config.lock_attempts checks. */

static void lock_job_free(gpointer p)
{
    LockJob *j = p;

    if (j->source) {
        g_source_remove(j->source);
    }
    g_free(j->session);
    g_free(j);
}

static const char *hint_name(int hint)
{
    return hint == 1 ? "yes" : hint == 0 ? "no" : "unknown";
}

/* Just after an unlock by single sign-on, LockedHint may still say "yes"
 * until the screen locker reports the unlock: not a lock to rely on. */
static gboolean unlock_settling(VDAgentdSso *sso, uid_t uid)
{
    Record *r = record_find(sso, uid);
    gint64 settle_us = (gint64) sso->config.lock_retry_ms * 30 * 1000;

    return r != NULL && r->unlocked_at != 0 &&
           g_get_monotonic_time() - r->unlocked_at < settle_us;
}

static gboolean lock_job_cb(gpointer user_data);

static void lock_job_schedule(LockJob *j)
{
    guint delay = j->sso->config.lock_retry_ms << MIN(j->checks, 5u);

    j->source = g_timeout_add(delay, lock_job_cb, j);
}

/* Check the lock, ask again if it did not take. FALSE when the job is over. */
static gboolean lock_job_check(LockJob *j)
{
    VDAgentdSso *sso = j->sso;
    g_auto(GStrv) sessions = sso->be.user_sessions(sso->be.data, j->uid);
    int hint;

    if (sessions != NULL && !g_strv_contains((const gchar *const *) sessions, j->session)) {
        syslog(LOG_INFO, "sso: session %s of uid %u left the seat", j->session,
               (unsigned) j->uid);
        return FALSE;
    }
    hint = sso->be.session_locked(sso->be.data, j->session);
    j->checks++;
    if (hint != 1) {
        /* the unlock, if one was reported, has reached logind */
        Record *r = record_find(sso, j->uid);
        if (r != NULL) {
            r->unlocked_at = 0;
        }
    } else if (!unlock_settling(sso, j->uid)) {
        syslog(LOG_INFO, "sso: logind reports session %s of uid %u locked", j->session,
               (unsigned) j->uid);
        return FALSE;
    }
    if (j->checks >= sso->config.lock_attempts) {
        syslog(LOG_ERR, "sso: session %s of uid %u is still not locked after %u request(s)"
               " to logind (LockedHint: %s); giving up: is its screen locker running? lock it"
               " with loginctl lock-session %s", j->session, (unsigned) j->uid, j->asks,
               hint_name(hint), j->session);
        return FALSE;
    }
    if (hint != 1) {
        syslog(LOG_WARNING, "sso: session %s of uid %u is not locked yet (LockedHint: %s);"
               " asking logind again", j->session, (unsigned) j->uid, hint_name(hint));
        sso->be.lock_session(sso->be.data, j->session);
        j->asks++;
    }
    return TRUE;
}

static gboolean lock_job_cb(gpointer user_data)
{
    LockJob *j = user_data;

    j->source = 0;
    if (lock_job_check(j)) {
        lock_job_schedule(j);
    } else {
        VDAgentdSso *sso = j->sso;
        g_hash_table_remove(sso->locks, j->session);
        state_save(sso); /* no lock owed any more */
    }
    return G_SOURCE_REMOVE;
}

/* Lock @session of @r's user unless logind reports it locked now. */
static void lock_session(VDAgentdSso *sso, Record *r, const char *session, const char *reason)
{
    LockJob *j = g_hash_table_lookup(sso->locks, session);
    int hint = sso->be.session_locked(sso->be.data, session);
    gboolean settling = unlock_settling(sso, r->uid);

    if (hint == 1 && !settling) {
        syslog(LOG_INFO, "sso: %s: session %s of uid %u is locked already", reason, session,
               (unsigned) r->uid);
        if (g_hash_table_remove(sso->locks, session)) {
            state_save(sso);
        }
        return;
    }
    if (j == NULL) {
        j = g_new0(LockJob, 1);
        j->sso = sso;
        j->session = g_strdup(session);
        j->uid = r->uid;
        g_hash_table_insert(sso->locks, j->session, j);
    } else if (j->source) {
        g_source_remove(j->source);
        j->source = 0;
    }
    j->checks = 0;
    if (hint == 1) {
        syslog(LOG_INFO, "sso: %s: session %s of uid %u shows locked, but its unlock by single"
               " sign-on was just reported; checking again", reason, session, (unsigned) r->uid);
    } else {
        syslog(LOG_INFO, "sso: %s: locking session %s of uid %u (single sign-on as %s)",
               reason, session, (unsigned) r->uid, r->principal);
        sso->be.lock_session(sso->be.data, session);
        j->asks++;
    }
    lock_job_schedule(j);
    /* a lock is owed until logind reports it: a restarted daemon takes it up */
    state_save(sso);
}

static gboolean lock_job_of_uid(gpointer key, gpointer value, gpointer user_data)
{
    return ((LockJob *) value)->uid == *(uid_t *) user_data;
}

/* Is a lock of one of @uid's sessions being asked and checked? */
static gboolean locking_uid(VDAgentdSso *sso, uid_t uid)
{
    return g_hash_table_find(sso->locks, lock_job_of_uid, &uid) != NULL;
}

static void locks_cancel_uid(VDAgentdSso *sso, uid_t uid)
{
    g_hash_table_foreach_remove(sso->locks, lock_job_of_uid, &uid);
}

gboolean vdagentd_sso_locking(VDAgentdSso *sso, const char *session)
{
    return g_hash_table_contains(sso->locks, session);
}

/* Does the seat still show what the pending credential was accepted for? */
static gboolean pending_still_wanted(VDAgentdSso *sso, const char **why)
{
    Pending *p = sso->pending;
    VDAgentdSsoSeat seat;

    if (!sso->be.get_seat(sso->be.data, &seat)) {
        *why = "the seat state cannot be read";
        return FALSE;
    }
    if (p->path == PATH_LOGIN) {
        if (seat.n_user_sessions > 0 || seat.active_is_user) {
            *why = "a user session appeared on the seat";
            return FALSE;
        }
        return TRUE;
    }
    g_auto(GStrv) sessions = user_sessions(sso, p->uid);
    if (sessions == NULL || sessions[0] == NULL) {
        *why = "the user's session left the seat";
        return FALSE;
    }
    if (p->path == PATH_UNLOCK && !user_session_locked(sso, p->uid) &&
        !locking_uid(sso, p->uid)) {
        *why = "the user's session is no longer locked";
        return FALSE;
    }
    return TRUE;
}

static void pending_emit(VDAgentdSso *sso);

static gboolean emit_cb(gpointer user_data)
{
    VDAgentdSso *sso = user_data;

    sso->pending->emit_source = 0;
    pending_emit(sso);
    return G_SOURCE_REMOVE;
}

/* Emit UserAuthenticated(token) now, after re-checking the seat.
 * gnome-shell keeps the token it heard in its credential manager and hands
 * it to every conversation it starts, and each signal restarts a
 * conversation under way (under TCG one takes tens of seconds). A locked
 * session's shell has listened since the session started, and the signal
 * itself raises its unlock dialog: one emission. The greeter may not listen
 * yet when it appears on the seat (a signal nobody hears is lost): repeat
 * 1, 2, 4, 8 ... seconds later, until the credential is fetched or expires. */
static void pending_emit(VDAgentdSso *sso)
{
    Pending *p = sso->pending;
    const char *why, *fix;
    char hex[VDSSO_TOKEN_HEX_LEN + 1];

    if (p == NULL || p->fetched || p->path == PATH_REFRESH) {
        return;
    }
    if (!pending_still_wanted(sso, &why) || !can_ask_greeter(sso, &why, &fix)) {
        pending_drop(sso, why);
        return;
    }
    vdsso_token_to_hex(p->token, hex);
    if (!sso->be.emit(sso->be.data, hex)) {
        syslog(LOG_WARNING, "sso: could not emit UserAuthenticated for %s; will retry",
               p->principal);
    } else if (p->emissions == 0) {
        syslog(LOG_INFO, "sso: asked the greeter for a %s of %s (UserAuthenticated)",
               path_name(p->path), p->principal);
    } else {
        syslog(LOG_DEBUG, "sso: repeated UserAuthenticated for %s (%u)", p->principal,
               p->emissions);
    }
    vdsso_wipe(hex, sizeof(hex));
    guint delay = 1u << MIN(p->emissions, 8u);
    p->emissions++;
    if (p->path == PATH_UNLOCK) {
        return;
    }
    p->emit_source = g_timeout_add_seconds(delay, emit_cb, sso);
}

static gboolean expire_cb(gpointer user_data)
{
    VDAgentdSso *sso = user_data;

    sso->pending->expire_source = 0;
    pending_drop(sso, sso->pending->fetched ? "the PAM module never reported"
                                            : "nobody redeemed it in time");
    return G_SOURCE_REMOVE;
}

/* Keep @msg (taken) with a new token and start asking the greeter (a
 * refresh: the helper of job @job is told the token instead). */
static gboolean pending_start(VDAgentdSso *sso, VDSsoMsg *msg, PendingPath path, uid_t uid,
                              guint job)
{
    Pending *p = g_new0(Pending, 1);

    if (getrandom(p->token, sizeof(p->token), 0) != (ssize_t) sizeof(p->token)) {
        syslog(LOG_ERR, "sso: getrandom: %s", g_strerror(errno));
        vdsso_msg_free(msg);
        pending_free(p);
        return FALSE;
    }
    p->msg = msg;
    p->principal = g_strdup(msg->principal);
    p->path = path;
    p->uid = uid;
    p->job = job;
    p->expire_source = g_timeout_add_seconds(sso->config.ttl, expire_cb, sso);
    sso->pending = p;
    pending_emit(sso);
    return sso->pending != NULL;
}

/* --------------------------------------------------------------- the message */

/* Encode a VD_AGENT_SSO_REPLY and hand it to @write_message for the server
 * (vdagentd frames it as any agent message). */
static void write_reply(void (*write_message)(gpointer, uint32_t, uint32_t, const uint8_t *,
                                              gsize),
                        gpointer write_data, uint32_t serial, uint32_t result)
{
    VDSsoReply reply = { .version = VDSSO_VERSION, .serial = serial, .result = result };
    uint8_t payload[VDSSO_REPLY_SIZE];
    long n = vdsso_reply_encode(&reply, payload, sizeof(payload));

    g_return_if_fail(n == VDSSO_REPLY_SIZE);
    write_message(write_data, VDSSO_PORT_SERVER, VDSSO_AGENT_MSG_SSO_REPLY, payload,
                  sizeof(payload));
}

static void send_reply(VDAgentdSso *sso, uint32_t serial, uint32_t result)
{
    write_reply(sso->be.write_message, sso->be.data, serial, result);
    syslog(result == VDSSO_RESULT_ACCEPTED ? LOG_INFO : LOG_WARNING,
           "sso: replied to serial %u: %s", serial, vdsso_result_str(result));
}

/* The user's session is refreshed (or there was nothing to refresh): if it
 * is locked, or a lock asked for that its screen locker has not reported
 * yet, have its unlock dialog unlock it with the same credential. Takes
 * @msg. */
static void unlock_if_locked(VDAgentdSso *sso, VDSsoMsg *msg, uid_t uid)
{
    const char *why, *fix;

    if (!user_session_locked(sso, uid) && !locking_uid(sso, uid)) {
        vdsso_msg_free(msg);
        return;
    }
    if (!can_ask_greeter(sso, &why, &fix)) {
        syslog(LOG_WARNING, "sso: the session of uid %u is locked but cannot be unlocked: %s;"
               " fix: %s", (unsigned) uid, why, fix);
        vdsso_msg_free(msg);
        return;
    }
    pending_start(sso, msg, PATH_UNLOCK, uid, 0);
}

/* The principal's user has a session on the seat: have the helper of job
 * @job refresh its cache through PAM, then its unlock dialog unlock it if
 * it is locked. Takes @msg. */
static uint32_t decide_refresh(VDAgentdSso *sso, VDSsoMsg *msg, uid_t uid, guint job)
{
    Record *r = record_find(sso, uid);

    if (r != NULL && strcmp(r->principal, msg->principal) != 0) {
        syslog(LOG_WARNING, "sso: %s maps to uid %u, whose session single sign-on opened"
               " as %s: a different principal never takes it over",
               msg->principal, (unsigned) uid, r->principal);
        vdsso_msg_free(msg);
        return VDSSO_RESULT_SEAT_BUSY;
    }
    if (!(msg->flags & VDSSO_FLAG_REFRESH)) {
        syslog(LOG_WARNING, "sso: uid %u (%s) already has a session on the seat and the"
               " server did not ask for a refresh", (unsigned) uid, msg->principal);
        vdsso_msg_free(msg);
        return VDSSO_RESULT_SEAT_BUSY;
    }

    /* verifying the ticket needs the KDC and writing the cache a process
     * of the user's: the helper does both through PAM (pam_authenticate
     * redeems the token, pam_setcred(PAM_REFRESH_CRED) writes), then
     * reports */
    syslog(LOG_INFO, "sso: refreshing the credential cache of uid %u with a new TGT of %s"
           " (the helper of job %u, through PAM)", (unsigned) uid, msg->principal, job);
    return pending_start(sso, msg, PATH_REFRESH, uid, job) ? VDSSO_RESULT_ACCEPTED
                                                          : VDSSO_RESULT_INTERNAL;
}

/* Decide what to do with a checked message whose principal the helper of
 * job @job mapped (@mapping, @uid). Takes @msg. */
static uint32_t decide(VDAgentdSso *sso, VDSsoMsg *msg, uint32_t mapping, uid_t uid, guint job)
{
    VDAgentdSsoSeat seat;
    const char *why, *fix;

    if (!sso->be.get_seat(sso->be.data, &seat)) {
        syslog(LOG_ERR, "sso: cannot tell who is on the seat; refusing");
        vdsso_msg_free(msg);
        return VDSSO_RESULT_INTERNAL;
    }

    if (mapping == VDSSO_MAPPING_BAD_CRED || mapping == VDSSO_MAPPING_MISMATCH) {
        /* judged by sso_krb5_creds_load() in the helper, as the PAM module
         * would judge it */
        syslog(LOG_WARNING, "sso: refused the credential of %s (the log of "
               VDAGENTD_SSO_HELPER_UNIT_PREFIX "%u" VDAGENTD_SSO_HELPER_UNIT_SUFFIX
               " says why)", msg->principal, job);
        vdsso_msg_free(msg);
        return mapping == VDSSO_MAPPING_MISMATCH ? VDSSO_RESULT_PRINCIPAL_MISMATCH
                                                 : VDSSO_RESULT_MALFORMED;
    }
    if (mapping == VDSSO_MAPPING_REFUSED) {
        /* the PAM module would refuse it too: asking the greeter would
         * only show a failed login to whoever sits at the screen */
        syslog(LOG_WARNING, "sso: refusing %s: it maps to a local user single sign-on may not"
               " log in as (the log of " VDAGENTD_SSO_HELPER_UNIT_PREFIX "%u"
               VDAGENTD_SSO_HELPER_UNIT_SUFFIX " says why); the greeter is not asked",
               msg->principal, job);
        vdsso_msg_free(msg);
        return VDSSO_RESULT_USER_REFUSED;
    }
    if (mapping == VDSSO_MAPPING_USER) {
        g_auto(GStrv) sessions = user_sessions(sso, uid);
        if (sessions == NULL) {
            vdsso_msg_free(msg);
            return VDSSO_RESULT_INTERNAL;
        }
        if (sessions[0] != NULL) {
            return decide_refresh(sso, msg, uid, job);
        }
    } else {
        syslog(LOG_INFO, "sso: %s maps to no local user here; the PAM module decides",
               msg->principal);
    }

    if (seat.n_user_sessions > 0 || seat.active_is_user) {
        syslog(LOG_WARNING, "sso: refusing %s: the seat holds %u session(s) of other users"
               " (active session: %s, uid %d)", msg->principal, seat.n_user_sessions,
               seat.active_is_user ? "a user's" : seat.active_is_greeter ? "the greeter" : "none",
               (int) seat.active_uid);
        vdsso_msg_free(msg);
        return VDSSO_RESULT_SEAT_BUSY;
    }
    if (!(msg->flags & VDSSO_FLAG_LOGIN)) {
        syslog(LOG_WARNING, "sso: %s has no session to refresh and the server did not ask"
               " for a login", msg->principal);
        vdsso_msg_free(msg);
        return VDSSO_RESULT_SEAT_BUSY;
    }
    if (!can_ask_greeter(sso, &why, &fix)) {
        syslog(LOG_WARNING, "sso: cannot ask the greeter to log %s in: %s (%s); fix: %s",
               msg->principal, why, sso->config.pam_service_file, fix);
        vdsso_msg_free(msg);
        return VDSSO_RESULT_NO_LOGIN_SERVICE;
    }
    return pending_start(sso, msg, PATH_LOGIN, (uid_t) -1, 0) ? VDSSO_RESULT_ACCEPTED
                                                              : VDSSO_RESULT_INTERNAL;
}

/* ----------------------------------------------------------------- the helper */

static void job_free(Job *j)
{
    if (j->timeout_source) {
        g_source_remove(j->timeout_source);
    }
    vdsso_msg_free(j->msg);
    vdsso_wipe(j, sizeof(*j));
    g_free(j);
}

/* Forget the message waiting for the helper, wiping it; no reply. */
static void job_drop(VDAgentdSso *sso, const char *why)
{
    Job *j = sso->job;

    if (j == NULL) {
        return;
    }
    sso->job = NULL;
    char *principal = g_strdup(j->msg->principal);
    guint number = j->number;
    job_free(j);
    syslog(LOG_INFO, "sso: dropped the VD_AGENT_SSO of %s while its principal was being"
           " mapped (job %u): %s", principal, number, why);
    g_free(principal);
}

/* The helper's answer is in (or will never be): decide and reply. If the
 * decision is a refresh by this job's helper, its token goes to @token. */
static void job_finish(VDAgentdSso *sso, uint32_t mapping, uid_t uid,
                       uint8_t token[VDSSO_TOKEN_SIZE], gboolean *has_token)
{
    Job *j = sso->job;
    VDSsoMsg *msg = g_steal_pointer(&j->msg);
    uint32_t serial = j->serial;
    guint number = j->number;

    sso->job = NULL;
    job_free(j);
    send_reply(sso, serial, decide(sso, msg, mapping, uid, number));
    if (has_token != NULL && sso->pending != NULL && sso->pending->path == PATH_REFRESH &&
        sso->pending->job == number) {
        memcpy(token, sso->pending->token, VDSSO_TOKEN_SIZE);
        *has_token = TRUE;
    }
}

static gboolean job_timeout_cb(gpointer user_data)
{
    VDAgentdSso *sso = user_data;

    sso->job->timeout_source = 0;
    syslog(LOG_WARNING, "sso: the single sign-on helper (job %u) did not report the mapping of"
           " %s within %u ms; taking it as mapping to no local user", sso->job->number,
           sso->job->msg->principal, sso->config.helper_timeout_ms);
    job_finish(sso, VDSSO_MAPPING_NO_USER, (uid_t) -1, NULL, NULL);
    return G_SOURCE_REMOVE;
}

/* Have the helper map the principal of @msg (taken); the reply goes out
 * once it has. */
static void job_start(VDAgentdSso *sso, VDSsoMsg *msg, uint32_t serial)
{
    Job *j = g_new0(Job, 1);

    j->msg = msg;
    j->serial = serial;
    if (++sso->job_counter == 0) {
        sso->job_counter = 1;
    }
    j->number = sso->job_counter;
    sso->job = j;
    if (!sso->be.start_helper(sso->be.data, j->number)) {
        syslog(LOG_ERR, "sso: cannot start " VDAGENTD_SSO_HELPER_UNIT_PREFIX "%u"
               VDAGENTD_SSO_HELPER_UNIT_SUFFIX " to map %s; taking it as mapping to no"
               " local user", j->number, msg->principal);
        job_finish(sso, VDSSO_MAPPING_NO_USER, (uid_t) -1, NULL, NULL);
        return;
    }
    j->timeout_source = g_timeout_add(sso->config.helper_timeout_ms, job_timeout_cb, sso);
    syslog(LOG_INFO, "sso: asked systemd to start " VDAGENTD_SSO_HELPER_UNIT_PREFIX "%u"
           VDAGENTD_SSO_HELPER_UNIT_SUFFIX " to map %s", j->number, msg->principal);
}

guint vdagentd_sso_current_job(VDAgentdSso *sso)
{
    return sso->job != NULL ? sso->job->number : 0;
}

void vdagentd_sso_handle_message(VDAgentdSso *sso, int port_nr, const uint8_t *data, gsize size)
{
    VDSsoMsg *msg = NULL;
    uint32_t serial, result;
    const char *why;

    if (port_nr != VDSSO_PORT_SERVER) {
        /* only the server creates VD_AGENT_SSO; no reply to a client */
        syslog(LOG_WARNING, "sso: dropped a VD_AGENT_SSO that came on port %d, not from"
               " the server", port_nr);
        return;
    }
    /* the server's newest credential supersedes whatever is pending */
    pending_drop(sso, "a new VD_AGENT_SSO arrived");
    job_drop(sso, "a new VD_AGENT_SSO arrived");

    result = vdagentd_sso_check_payload(data, size, &msg, &serial,
                                        &why);
    if (result != VDSSO_RESULT_ACCEPTED) {
        syslog(LOG_WARNING, "sso: refused VD_AGENT_SSO serial %u (%" G_GSIZE_FORMAT
               " bytes): %s", serial, size, why);
        send_reply(sso, serial, result);
        return;
    }
    syslog(LOG_INFO, "sso: VD_AGENT_SSO serial %u for %s (%u credential bytes, flags 0x%x)",
           serial, msg->principal, msg->cred_len, msg->flags);
    /* who the principal is here is the helper's to say (Kerberos runs
     * only in PAM and the helper, never in vdagentd) */
    job_start(sso, msg, serial);
}

void vdagentd_sso_reply_disabled(const uint8_t *data, gsize size,
                                 void (*write_message)(gpointer, uint32_t, uint32_t,
                                                       const uint8_t *, gsize),
                                 gpointer write_data)
{
    uint32_t serial = vdagentd_sso_peek_serial(data, size);

    syslog(LOG_WARNING, "sso: single sign-on is disabled; refusing VD_AGENT_SSO serial %u",
           serial);
    write_reply(write_message, write_data, serial, VDSSO_RESULT_DISABLED);
}

/* ------------------------------------------------------------ client and seat */

void vdagentd_sso_client_disconnected(VDAgentdSso *sso, const char *reason)
{
    if (sso == NULL) {
        return;
    }
    pending_drop(sso, reason);
    job_drop(sso, reason);
    for (guint i = 0; i < sso->records->len; i++) {
        Record *r = g_ptr_array_index(sso->records, i);
        g_auto(GStrv) sessions = user_sessions(sso, r->uid);

        if (sessions == NULL || (sessions[0] == NULL && !r->seen)) {
            /* the login was reported, GDM has not opened the session yet
             * (or the seat cannot be read): lock it when it appears */
            r->lock_pending = TRUE;
            syslog(LOG_INFO, "sso: %s: the session of uid %u (single sign-on as %s) is not on"
                   " the seat yet; it will be locked when it appears", reason,
                   (unsigned) r->uid, r->principal);
            state_save(sso);
            continue;
        }
        if (sessions[0] != NULL) {
            record_sessions_seen(sso, r, sessions);
            r->lock_pending = FALSE;
        }
        for (gsize j = 0; sessions[j] != NULL; j++) {
            lock_session(sso, r, sessions[j], reason);
        }
    }
}

void vdagentd_sso_port_reset(VDAgentdSso *sso)
{
    if (sso == NULL) {
        return;
    }
    pending_drop(sso, "the agent port was reset");
    job_drop(sso, "the agent port was reset");
}

void vdagentd_sso_seat_changed(VDAgentdSso *sso)
{
    const char *why;

    if (sso == NULL) {
        return;
    }
    /* forget users who left the seat: a record is made when the PAM
     * module reports, before GDM opens the session, so only once a session
     * of the user has been seen does its absence mean the user left */
    for (guint i = sso->records->len; i-- > 0;) {
        Record *r = g_ptr_array_index(sso->records, i);
        g_auto(GStrv) sessions = sso->be.user_sessions(sso->be.data, r->uid);
        if (sessions == NULL) {
            continue;
        }
        if (sessions[0] != NULL) {
            record_sessions_seen(sso, r, sessions);
            if (r->lock_pending) {
                r->lock_pending = FALSE;
                for (gsize j = 0; sessions[j] != NULL; j++) {
                    lock_session(sso, r, sessions[j],
                                 "the client left before this session appeared");
                }
            }
        } else if (r->seen) {
            syslog(LOG_INFO, "sso: uid %u (%s) has no session on the seat any more",
                   (unsigned) r->uid, r->principal);
            locks_cancel_uid(sso, r->uid);
            g_ptr_array_remove_index(sso->records, i);
            state_save(sso);
        }
    }
    if (sso->pending == NULL || sso->pending->fetched) {
        return;
    }
    if (!pending_still_wanted(sso, &why)) {
        pending_drop(sso, why);
        return;
    }
    /* a greeter may just have come up: ask it now rather than at the next
     * repetition (an unlock dialog heard the one signal it needs; a
     * refresh asks no greeter) */
    if (sso->pending->path != PATH_LOGIN) {
        return;
    }
    if (sso->pending->emit_source) {
        g_source_remove(sso->pending->emit_source);
        sso->pending->emit_source = 0;
    }
    pending_emit(sso);
}

/* ------------------------------------------------------------ redemption */

gboolean vdagentd_sso_has_pending(VDAgentdSso *sso, gboolean *fetched)
{
    if (fetched) {
        *fetched = sso->pending != NULL && sso->pending->fetched;
    }
    return sso->pending != NULL;
}

gboolean vdagentd_sso_pending_token(VDAgentdSso *sso, uint8_t token[VDSSO_TOKEN_SIZE])
{
    if (sso->pending == NULL) {
        return FALSE;
    }
    memcpy(token, sso->pending->token, VDSSO_TOKEN_SIZE);
    return TRUE;
}

/* Compare with the pending token in constant time; with nothing pending,
 * compare with a dummy so that the time does not tell either. */
static gboolean token_matches(VDAgentdSso *sso, const uint8_t token[VDSSO_TOKEN_SIZE])
{
    static const uint8_t dummy[VDSSO_TOKEN_SIZE];
    const uint8_t *mine = sso->pending ? sso->pending->token : dummy;
    int eq = vdsso_ct_equal(mine, token, VDSSO_TOKEN_SIZE);

    return sso->pending != NULL && eq;
}

void vdagentd_sso_peer_clear(VDAgentdSsoPeer *peer)
{
    g_clear_pointer(&peer->session, g_free);
    g_clear_pointer(&peer->seat, g_free);
    g_clear_pointer(&peer->session_class, g_free);
    g_clear_pointer(&peer->unit, g_free);
}

/* Is the FETCH from @pid, whose conversation has the preset user @user, the
 * conversation the pending credential is for? Only seat0's greeter may
 * redeem a token, though every greeter on the machine hears it:
 *  - a login: GDM's login conversation, whose worker (gdm-session-worker,
 *    spawned by the gdm3 daemon) runs in gdm.service and in no logind
 *    session yet, with no preset user (gnome-shell starts gdm-ovirtcred
 *    without one);
 *  - an unlock: the unlock dialog of the locked user's session, with the
 *    user preset. GDM spawns its worker from that session's own worker, so
 *    it runs in that session (on seat0, of class user, of the user); for a
 *    session GDM does not manage (open_temporary_reauthentication_channel)
 *    the gdm3 daemon spawns it, in gdm.service and no session.
 * The PAM module checks the seat of its own handle (XDG_SEAT, PAM_RHOST,
 * PAM_TTY), which tells the login conversations of seat0's greeter from
 * those of other seats' and of remote displays, all GDM's too. A refused
 * FETCH leaves the token valid for the right conversation. */
static gchar *helper_unit(guint job)
{
    return g_strdup_printf(VDAGENTD_SSO_HELPER_UNIT_PREFIX "%u" VDAGENTD_SSO_HELPER_UNIT_SUFFIX,
                           job);
}

/* Is process @pid the helper of job @job: in its unit, as systemd runs it
 * (so in no logind session)? Only root can start units, and vdagentd picks
 * the job numbers: the unit's name binds the process to the job. */
static gboolean helper_peer_ok(VDAgentdSso *sso, guint job, pid_t pid, char **why)
{
    VDAgentdSsoPeer peer = { 0 };
    g_autofree gchar *unit = helper_unit(job);
    gboolean ok;

    if (sso->be.peer == NULL || !sso->be.peer(sso->be.data, pid, &peer)) {
        vdagentd_sso_peer_clear(&peer);
        *why = g_strdup("its logind session and unit cannot be read");
        return FALSE;
    }
    ok = peer.session == NULL && g_strcmp0(peer.unit, unit) == 0;
    if (!ok) {
        *why = peer.session != NULL
            ? g_strdup_printf("it runs in logind session %s, not in unit %s", peer.session, unit)
            : g_strdup_printf("it runs in unit %s, not in %s", peer.unit ? peer.unit : "(none)",
                              unit);
    }
    vdagentd_sso_peer_clear(&peer);
    return ok;
}

static gboolean conversation_ok(VDAgentdSso *sso, uint32_t user, pid_t pid, char **why)
{
    Pending *p = sso->pending;
    VDAgentdSsoPeer peer = { 0 };
    gboolean ok = FALSE;

    if (p->path == PATH_REFRESH) {
        /* the helper's PAM conversation, with the user preset */
        if (user != (uint32_t) p->uid) {
            *why = g_strdup_printf("it presets uid %d, and the refresh is for uid %u",
                                   user == VDSSO_REDEEM_NO_USER ? -1 : (int) user,
                                   (unsigned) p->uid);
            return FALSE;
        }
        return helper_peer_ok(sso, p->job, pid, why);
    }

    if (p->path == PATH_LOGIN && user != VDSSO_REDEEM_NO_USER) {
        *why = g_strdup_printf("it presets uid %u, and a login greeter presets nobody",
                               (unsigned) user);
        return FALSE;
    }
    if (p->path == PATH_UNLOCK && user != (uint32_t) p->uid) {
        *why = user == VDSSO_REDEEM_NO_USER
            ? g_strdup_printf("it presets no user, and the unlock is for uid %u",
                              (unsigned) p->uid)
            : g_strdup_printf("it is the unlock dialog of uid %u, not of uid %u",
                              (unsigned) user, (unsigned) p->uid);
        return FALSE;
    }
    if (sso->be.peer == NULL || !sso->be.peer(sso->be.data, pid, &peer)) {
        vdagentd_sso_peer_clear(&peer);
        *why = g_strdup("its logind session and unit cannot be read");
        return FALSE;
    }
    if (p->path == PATH_LOGIN) {
        ok = peer.session == NULL && g_strcmp0(peer.unit, VDAGENTD_SSO_GREETER_UNIT) == 0;
        if (!ok) {
            *why = peer.session != NULL
                ? g_strdup_printf("it runs in logind session %s, not in GDM's login"
                                  " conversation (unit " VDAGENTD_SSO_GREETER_UNIT ")",
                                  peer.session)
                : g_strdup_printf("it runs in unit %s, not in " VDAGENTD_SSO_GREETER_UNIT,
                                  peer.unit ? peer.unit : "(none)");
        }
    } else {
        ok = peer.session != NULL
            ? g_strcmp0(peer.seat, "seat0") == 0 && g_strcmp0(peer.session_class, "user") == 0 &&
              peer.session_uid == p->uid
            : g_strcmp0(peer.unit, VDAGENTD_SSO_GREETER_UNIT) == 0;
        if (!ok) {
            *why = peer.session == NULL
                ? g_strdup_printf("it runs in unit %s, neither in the locked user's session nor"
                                  " in " VDAGENTD_SSO_GREETER_UNIT,
                                  peer.unit ? peer.unit : "(none)")
                : g_strdup_printf("it runs in session %s (seat %s, class %s, uid %u), not in"
                                  " a seat0 session of uid %u", peer.session,
                                  peer.seat ? peer.seat : "none",
                                  peer.session_class ? peer.session_class : "none",
                                  (unsigned) peer.session_uid, (unsigned) p->uid);
        }
    }
    vdagentd_sso_peer_clear(&peer);
    return ok;
}

uint32_t vdagentd_sso_fetch(VDAgentdSso *sso, const uint8_t token[VDSSO_TOKEN_SIZE],
                            uint32_t user, pid_t pid, uint8_t **payload, gsize *payload_len)
{
    Pending *p = sso->pending;
    char *why = NULL;

    *payload = NULL;
    *payload_len = 0;
    if (!token_matches(sso, token)) {
        syslog(LOG_WARNING, "sso: redemption: FETCH with an unknown, used or expired token");
        return VDSSO_STATUS_UNKNOWN_TOKEN;
    }
    if (p->fetches >= VDAGENTD_SSO_MAX_FETCHES) {
        syslog(LOG_WARNING, "sso: redemption: the credential of %s was fetched %u times and never"
               " reported: refusing another FETCH", p->principal, p->fetches);
        pending_drop(sso, "fetched too often");
        return VDSSO_STATUS_UNKNOWN_TOKEN;
    }
    if (!conversation_ok(sso, user, pid, &why)) {
        syslog(LOG_WARNING, "sso: redemption: refused the FETCH of pid %d for the %s of %s: %s;"
               " the token stays valid for %s", (int) pid, path_name(p->path),
               p->principal, why,
               p->path == PATH_REFRESH ? "the helper" : "seat0's greeter");
        g_free(why);
        return VDSSO_STATUS_WRONG_CONVERSATION;
    }
    size_t size = vdsso_msg_size(p->msg);
    uint8_t *buf = g_malloc(size);
    long n = vdsso_msg_encode(p->msg, buf, size);
    if (n != (long) size) {
        vdsso_wipe(buf, size);
        g_free(buf);
        syslog(LOG_ERR, "sso: redemption: cannot encode the credential of %s", p->principal);
        pending_drop(sso, "internal error");
        return VDSSO_STATUS_BAD_REQUEST;
    }
    /* The credential stays until the REPORT: gnome-shell restarts its
     * conversation when a UserAuthenticated signal reaches it while one is
     * under way (a repetition of ours emitted before the first FETCH and
     * heard after it, under TCG seconds later: seen on the real GNOME
     * guest), and the restarted conversation fetches again. At most
     * VDAGENTD_SSO_MAX_FETCHES fetches, all within the time to live. */
    p->fetches++;
    if (p->fetched) {
        syslog(LOG_INFO, "sso: the PAM module fetched the credential of %s again (%s, fetch %u):"
               " the greeter restarted its conversation", p->principal, path_name(p->path),
               p->fetches);
    } else {
        p->fetched = TRUE;
        if (p->emit_source) {
            g_source_remove(p->emit_source);
            p->emit_source = 0;
        }
        /* the time to live bounds how long the credential waits to be
         * fetched; the PAM module's verification may then wait for the
         * KDC, and it refuses a login whose REPORT is not acknowledged: it
         * gets a time to live of its own, from the first FETCH */
        g_source_remove(p->expire_source);
        p->expire_source = g_timeout_add_seconds(sso->config.ttl, expire_cb, sso);
        syslog(LOG_INFO, "sso: the PAM module fetched the credential of %s (%s)",
               p->principal, path_name(p->path));
    }
    *payload = buf;
    *payload_len = size;
    return VDSSO_STATUS_OK;
}

uint32_t vdagentd_sso_report(VDAgentdSso *sso, const uint8_t token[VDSSO_TOKEN_SIZE],
                             uint32_t outcome, uint32_t uid)
{
    Pending *p = sso->pending;

    if (!token_matches(sso, token)) {
        syslog(LOG_WARNING, "sso: redemption: REPORT with an unknown or expired token");
        return VDSSO_STATUS_UNKNOWN_TOKEN;
    }
    if (!p->fetched) {
        syslog(LOG_WARNING, "sso: redemption: REPORT for a credential nobody fetched");
        return VDSSO_STATUS_NOT_FETCHED;
    }
    if (outcome != VDSSO_OUTCOME_SUCCESS) {
        syslog(LOG_WARNING, "sso: the PAM module refused %s: %s", p->principal,
               vdsso_outcome_str(outcome));
        pending_drop(sso, "reported");
        return VDSSO_STATUS_OK;
    }
    if (uid == 0 || (p->path != PATH_LOGIN && uid != p->uid)) {
        /* the PAM module refuses root itself; never record it */
        syslog(LOG_ERR, "sso: the PAM module reported success for uid %u, which is not"
               " acceptable here", (unsigned) uid);
        pending_drop(sso, "reported an unexpected uid");
        return VDSSO_STATUS_BAD_REQUEST;
    }
    if (p->path == PATH_REFRESH) {
        /* the helper's PAM module verified the ticket and now writes the
         * cache (pam_setcred), logging the outcome; the session was there
         * before, so nothing is recorded: a session single sign-on opened
         * has its record, and a refresh does not change who may take it */
        VDSsoMsg *msg = g_steal_pointer(&p->msg);

        syslog(LOG_INFO, "sso: refresh of uid %u with %s: the helper's PAM module verified the"
               " ticket and writes the cache", (unsigned) uid, p->principal);
        pending_drop(sso, "reported");
        unlock_if_locked(sso, msg, (uid_t) uid);
        return VDSSO_STATUS_OK;
    }
    Record *r = record_find(sso, (uid_t) uid);
    if (r == NULL) {
        r = g_new0(Record, 1);
        r->uid = (uid_t) uid;
        r->sessions = g_new0(gchar *, 1);
        g_ptr_array_add(sso->records, r);
    }
    g_free(r->principal);
    r->principal = g_strdup(p->principal);
    if (p->path == PATH_LOGIN) {
        r->seen = FALSE;
        g_strfreev(r->sessions);
        r->sessions = g_new0(gchar *, 1);
        r->lock_pending = FALSE;
        r->unlocked_at = 0;
    } else {
        /* unlocked for the client that is here: stop locking it */
        r->unlocked_at = g_get_monotonic_time();
        locks_cancel_uid(sso, r->uid);
    }
    state_save(sso);
    syslog(LOG_INFO, "sso: %s of %s as uid %u succeeded; its sessions are locked when the"
           " client leaves", path_name(p->path), p->principal, (unsigned) uid);
    pending_drop(sso, "reported");
    return VDSSO_STATUS_OK;
}

static uint32_t redeem_fetch(gpointer data, const uint8_t token[VDSSO_TOKEN_SIZE],
                             uint32_t user, pid_t pid, uint8_t **payload, gsize *payload_len)
{
    return vdagentd_sso_fetch(data, token, user, pid, payload, payload_len);
}

static uint32_t redeem_report(gpointer data, const uint8_t token[VDSSO_TOKEN_SIZE],
                              uint32_t outcome, uint32_t uid)
{
    return vdagentd_sso_report(data, token, outcome, uid);
}

uint32_t vdagentd_sso_job(VDAgentdSso *sso, uint32_t job, pid_t pid, uint8_t **payload,
                          gsize *payload_len)
{
    Job *j = sso->job;
    char *why = NULL;

    *payload = NULL;
    *payload_len = 0;
    if (j == NULL || j->number != job || j->fetched) {
        syslog(LOG_WARNING, "sso: redemption: JOB %u from pid %d: no such job is waiting for"
               " its helper", job, (int) pid);
        return VDSSO_STATUS_UNKNOWN_TOKEN;
    }
    if (!helper_peer_ok(sso, job, pid, &why)) {
        syslog(LOG_WARNING, "sso: redemption: refused the JOB of pid %d for job %u: %s",
               (int) pid, job, why);
        g_free(why);
        return VDSSO_STATUS_WRONG_CONVERSATION;
    }
    size_t size = vdsso_msg_size(j->msg);
    uint8_t *buf = g_malloc(size);
    if (vdsso_msg_encode(j->msg, buf, size) != (long) size) {
        vdsso_wipe(buf, size);
        g_free(buf);
        syslog(LOG_ERR, "sso: redemption: cannot encode the VD_AGENT_SSO of job %u", job);
        return VDSSO_STATUS_BAD_REQUEST;
    }
    j->fetched = TRUE;
    syslog(LOG_INFO, "sso: the helper of job %u fetched the VD_AGENT_SSO of %s to map its"
           " principal", job, j->msg->principal);
    *payload = buf;
    *payload_len = size;
    return VDSSO_STATUS_OK;
}

uint32_t vdagentd_sso_mapped(VDAgentdSso *sso, uint32_t job, uint32_t mapping, uint32_t uid,
                             pid_t pid, uint8_t token[VDSSO_TOKEN_SIZE], gboolean *has_token)
{
    Job *j = sso->job;
    char *why = NULL;

    *has_token = FALSE;
    if (j == NULL || j->number != job) {
        syslog(LOG_WARNING, "sso: redemption: MAPPED %u from pid %d: no such job is waiting"
               " for its helper", job, (int) pid);
        return VDSSO_STATUS_UNKNOWN_TOKEN;
    }
    if (!helper_peer_ok(sso, job, pid, &why)) {
        syslog(LOG_WARNING, "sso: redemption: refused the MAPPED of pid %d for job %u: %s",
               (int) pid, job, why);
        g_free(why);
        return VDSSO_STATUS_WRONG_CONVERSATION;
    }
    if (!j->fetched) {
        syslog(LOG_WARNING, "sso: redemption: MAPPED for job %u, which its helper never"
               " fetched", job);
        return VDSSO_STATUS_NOT_FETCHED;
    }
    if (mapping == VDSSO_MAPPING_USER && (uid == 0 || uid == VDSSO_REDEEM_NO_USER)) {
        /* the helper refuses root itself (sso-krb5); never take it */
        syslog(LOG_ERR, "sso: the helper of job %u mapped %s to uid %u, which is not"
               " acceptable here", job, j->msg->principal, (unsigned) uid);
        job_finish(sso, VDSSO_MAPPING_REFUSED, (uid_t) -1, NULL, NULL);
        return VDSSO_STATUS_BAD_REQUEST;
    }
    if (mapping == VDSSO_MAPPING_USER) {
        syslog(LOG_INFO, "sso: the helper of job %u mapped %s to uid %u", job,
               j->msg->principal, (unsigned) uid);
    }
    job_finish(sso, mapping, (uid_t) uid, token, has_token);
    return VDSSO_STATUS_OK;
}

static uint32_t redeem_job(gpointer data, uint32_t job, pid_t pid, uint8_t **payload,
                           gsize *payload_len)
{
    return vdagentd_sso_job(data, job, pid, payload, payload_len);
}

static uint32_t redeem_mapped(gpointer data, uint32_t job, uint32_t mapping, uint32_t uid,
                              pid_t pid, uint8_t token[VDSSO_TOKEN_SIZE], gboolean *has_token)
{
    return vdagentd_sso_mapped(data, job, mapping, uid, pid, token, has_token);
}

/* --------------------------------------------------------------- lifetime */

VDAgentdSso *vdagentd_sso_new(const VDAgentdSsoConfig *config,
                              const VDAgentdSsoBackend *backend, GError **error)
{
    static const VDAgentdSsoRedeemOps ops = { redeem_fetch, redeem_report, redeem_job,
                                              redeem_mapped };
    VDAgentdSso *sso = g_new0(VDAgentdSso, 1);

    sso->config.enabled = config->enabled;
    sso->config.ttl = config->ttl;
    sso->config.pam_service_file = g_strdup(config->pam_service_file);
    sso->config.socket_path = g_strdup(config->socket_path);
    sso->config.state_file = g_strdup(config->state_file);
    sso->config.lock_retry_ms = config->lock_retry_ms ? config->lock_retry_ms
                                                      : VDAGENTD_SSO_LOCK_RETRY_MS;
    sso->config.lock_attempts = config->lock_attempts ? config->lock_attempts
                                                      : VDAGENTD_SSO_LOCK_ATTEMPTS;
    sso->config.helper_timeout_ms = config->helper_timeout_ms
        ? config->helper_timeout_ms : VDAGENTD_SSO_HELPER_TIMEOUT * 1000u;
    sso->be = *backend;
    sso->records = g_ptr_array_new_with_free_func(record_free);
    sso->locks = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, lock_job_free);
    sso->redeem = vdagentd_sso_redeem_new(config->socket_path, &ops, sso, error);
    if (sso->redeem == NULL) {
        vdagentd_sso_free(sso);
        return NULL;
    }
    syslog(LOG_INFO, "sso: single sign-on enabled: redemption socket %s, time to live %u s,"
           " PAM service file %s (%s), state file %s", config->socket_path, config->ttl,
           config->pam_service_file, pam_service_present(sso) ? "present" : "missing",
           config->state_file ? config->state_file : "none");
    state_load(sso);
    return sso;
}

void vdagentd_sso_free(VDAgentdSso *sso)
{
    if (sso == NULL) {
        return;
    }
    /* wiped, and withdrawn from the greeter like any other drop: else
     * gnome-shell hands the dead token to its next conversation after a
     * restart of vdagentd (an upgrade of the package) */
    pending_drop(sso, "spice-vdagentd is stopping");
    if (sso->job) {
        job_free(sso->job);
        sso->job = NULL;
    }
    vdagentd_sso_redeem_free(sso->redeem);
    g_hash_table_destroy(sso->locks);
    g_ptr_array_free(sso->records, TRUE);
    vdagentd_sso_config_clear(&sso->config);
    g_free(sso);
}
