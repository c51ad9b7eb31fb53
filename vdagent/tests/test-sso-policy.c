/* test-sso-policy.c - spice-vdagentd's single sign-on policy (sso.c) with a
 * fake backend: a seat, a bus, the helper and an agent port that record what
 * is asked of them. The helper (spice-vdagent-sso-helper) is played here:
 * its JOB and MAPPED (fake.map) and, for a refresh, its PAM module's FETCH
 * and REPORT. logind's LockedHint is per session; LockSession sets it
 * only while the session's screen locker is up (fake.shield), as
 * gnome-shell does with SetLockedHint once its shield is shown. */
#include "fake-creds.h"
#include "sso.h"

#include <glib/gstdio.h>

#define ALICE "alice@SPICE.TEST"
#define TGS "krbtgt/SPICE.TEST@SPICE.TEST"
#define ALICE_UID 5001

typedef struct {
    gboolean seat_ok;
    VDAgentdSsoSeat seat;
    uid_t sessions_uid;        /* the user who has... */
    const char *sessions[3];   /* ...these sessions on the seat */
    gboolean owns_name;
    GPtrArray *emitted;
    guint withdrawn;           /* empty UserAuthenticated signals */
    GPtrArray *locked;         /* LockSession calls */
    GHashTable *hints;         /* session -> LockedHint + 2 */
    int locked_hint;           /* LockedHint of the sessions not in hints */
    gboolean shield;           /* the screen locker is up: a lock takes */
    uint32_t map;              /* the helper's MAPPED: a VDSsoMapping */
    uid_t map_uid;
    gboolean helper_starts;    /* start_helper succeeds */
    gboolean helper_answers;   /* the helper plays its part (else: a test does) */
    guint job;                 /* the last job a helper was started for */
    int refreshes;             /* refreshes the helper's PAM module verified */
    GByteArray *port;
    /* the redemption socket's peer: by default the right conversation (a
     * login's GDM worker when no user session is on the seat, else the
     * worker in the session of sessions_uid); peer_set overrides it */
    gboolean peer_set;
    gboolean peer_ok;
    VDAgentdSsoPeer peer;
    uint32_t fetch_user;       /* the FETCH's preset user; -2: the right one */
} Fake;

static Fake fake;

static gboolean f_get_seat(gpointer d, VDAgentdSsoSeat *seat)
{
    *seat = fake.seat;
    return fake.seat_ok;
}

static gchar **f_user_sessions(gpointer d, uid_t uid)
{
    if (uid == fake.sessions_uid) {
        return g_strdupv((gchar **)fake.sessions);
    }
    return g_new0(gchar *, 1);
}

static gboolean f_owns_name(gpointer d)
{
    return fake.owns_name;
}

static gboolean f_emit(gpointer d, const char *token_hex)
{
    if (token_hex[0] == '\0') {
        fake.withdrawn++;
        return TRUE;
    }
    g_ptr_array_add(fake.emitted, g_strdup(token_hex));
    return TRUE;
}

static void set_hint(const char *session, int hint)
{
    g_hash_table_replace(fake.hints, g_strdup(session), GINT_TO_POINTER(hint + 2));
}

static void f_lock_session(gpointer d, const char *session)
{
    g_ptr_array_add(fake.locked, g_strdup(session));
    if (fake.shield) {
        set_hint(session, 1);
    }
}

static int f_session_locked(gpointer d, const char *session)
{
    gpointer v = g_hash_table_lookup(fake.hints, session);
    return v != NULL ? GPOINTER_TO_INT(v) - 2 : fake.locked_hint;
}

/* LockSession calls for @session */
static guint lock_calls(const char *session)
{
    guint n = 0;
    for (guint i = 0; i < fake.locked->len; i++) {
        n += strcmp(g_ptr_array_index(fake.locked, i), session) == 0;
    }
    return n;
}

#define HELPER_PID 4343

static gboolean f_start_helper(gpointer d, guint job)
{
    g_assert_true(job != 0);
    fake.job = job;
    return fake.helper_starts;
}

/* vdagentd's vdagent_virtio_port_write: one agent message, framed here as
 * its chunks would be, for the checks below */
static void f_write_message(gpointer d, uint32_t port, uint32_t type, const uint8_t *payload,
                            gsize size)
{
    uint8_t frame[VDSSO_CHUNK_HEADER + VDSSO_MSG_HEADER + VDSSO_REPLY_SIZE];

    g_assert_cmpint(port, ==, VDSSO_PORT_SERVER);
    g_assert_cmpint(type, ==, VDSSO_AGENT_MSG_SSO_REPLY);
    g_assert_cmpint(size, ==, VDSSO_REPLY_SIZE);
    g_assert_cmpint(vdsso_frame(port, type, payload, size, frame, sizeof(frame)),
                    ==, (long)sizeof(frame));
    g_byte_array_append(fake.port, frame, sizeof(frame));
}

static gint64 f_now(gpointer d)
{
    return g_get_real_time() / G_USEC_PER_SEC;
}

static gboolean f_peer(gpointer d, pid_t pid, VDAgentdSsoPeer *peer)
{
    memset(peer, 0, sizeof(*peer));
    if (pid == HELPER_PID) { /* the helper's unit, as systemd runs it */
        peer->session_uid = (uid_t)-1;
        peer->unit = g_strdup_printf("spice-vdagentd-sso@%u.service", fake.job);
        return TRUE;
    }
    g_assert_cmpint(pid, ==, 4242);
    if (fake.peer_set) {
        peer->session = g_strdup(fake.peer.session);
        peer->seat = g_strdup(fake.peer.seat);
        peer->session_class = g_strdup(fake.peer.session_class);
        peer->session_uid = fake.peer.session_uid;
        peer->unit = g_strdup(fake.peer.unit);
        return fake.peer_ok;
    }
    if (fake.sessions_uid == (uid_t)-1 || fake.sessions[0] == NULL) {
        peer->unit = g_strdup("gdm.service");
        peer->session_uid = (uid_t)-1;
    } else {
        peer->session = g_strdup(fake.sessions[0]);
        peer->seat = g_strdup("seat0");
        peer->session_class = g_strdup("user");
        peer->session_uid = fake.sessions_uid;
        peer->unit = g_strdup_printf("session-%s.scope", fake.sessions[0]);
    }
    return TRUE;
}

static const VDAgentdSsoBackend backend = {
    .get_seat = f_get_seat,
    .user_sessions = f_user_sessions,
    .owns_name = f_owns_name,
    .emit = f_emit,
    .lock_session = f_lock_session,
    .session_locked = f_session_locked,
    .start_helper = f_start_helper,
    .write_message = f_write_message,
    .now = f_now,
    .peer = f_peer,
};

static char tmpdir[] = "/tmp/test-sso-policy-XXXXXX";
static char pam_file[4200], sock_path[4200], state_file[4200];

/* A greeter alone on the seat, nobody mapped, the bus name owned */
static void fake_reset(void)
{
    g_ptr_array_set_size(fake.emitted, 0);
    fake.withdrawn = 0;
    g_ptr_array_set_size(fake.locked, 0);
    g_byte_array_set_size(fake.port, 0);
    fake.seat_ok = TRUE;
    memset(&fake.seat, 0, sizeof(fake.seat));
    fake.seat.active_is_greeter = TRUE;
    fake.seat.active_uid = 115;
    fake.sessions_uid = (uid_t)-1;
    memset(fake.sessions, 0, sizeof(fake.sessions));
    fake.owns_name = TRUE;
    g_hash_table_remove_all(fake.hints);
    fake.locked_hint = 0;
    fake.shield = TRUE;
    fake.map = VDSSO_MAPPING_NO_USER;
    fake.map_uid = (uid_t)-1;
    fake.helper_starts = TRUE;
    fake.helper_answers = TRUE;
    fake.refreshes = 0;
    fake.peer_set = FALSE;
    fake.peer_ok = TRUE;
    memset(&fake.peer, 0, sizeof(fake.peer));
    fake.fetch_user = (uint32_t)-2;
}

/* locks checked after 20, 40, 80 ... ms, 6 times */
#define LOCK_RETRY_MS 20
#define LOCK_ATTEMPTS 6
/* the helper's MAPPED is awaited 200 ms */
#define HELPER_TIMEOUT_MS 200

/* @state: the state file, or NULL; the fake is reset first unless @keep */
static VDAgentdSso *sso_new_full(guint ttl, const char *state, gboolean keep)
{
    VDAgentdSsoConfig config = { .enabled = TRUE, .ttl = ttl, .pam_service_file = pam_file,
                                 .socket_path = sock_path, .state_file = (gchar *)state,
                                 .lock_retry_ms = LOCK_RETRY_MS,
                                 .lock_attempts = LOCK_ATTEMPTS,
                                 .helper_timeout_ms = HELPER_TIMEOUT_MS };
    GError *err = NULL;
    if (!keep) {
        fake_reset();
    }
    VDAgentdSso *sso = vdagentd_sso_new(&config, &backend, &err);
    g_assert_true(sso != NULL && err == NULL);
    return sso;
}

static VDAgentdSso *sso_new(guint ttl)
{
    return sso_new_full(ttl, NULL, FALSE);
}

static void run_loop_ms(guint ms)
{
    gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;
    while (g_get_monotonic_time() < end) {
        g_main_context_iteration(NULL, FALSE);
        g_usleep(10000);
    }
}

/* A VD_AGENT_SSO payload for @principal with a fresh TGT of @principal */
static uint8_t *sso_payload(const char *principal, uint32_t serial, uint32_t flags, size_t *len)
{
    krb5_creds c;
    char tgs[256];
    size_t cred_len;
    const char *realm = strchr(principal, '@') + 1;

    snprintf(tgs, sizeof(tgs), "krbtgt/%s@%s", realm, realm);
    fake_cred(&c, principal, tgs, 3600);
    uint8_t *cred = fake_cache_bytes(principal, &c, 1, 0, &cred_len);
    fake_cred_free(&c);
    VDSsoMsg m = fake_msg(principal, cred, cred_len);
    m.serial = serial;
    m.flags = flags;
    *len = vdsso_msg_size(&m);
    uint8_t *buf = malloc(*len);
    g_assert_cmpint(vdsso_msg_encode(&m, buf, *len), ==, (long)*len);
    free(cred);
    return buf;
}

/* The helper of the current job: JOB, then MAPPED (fake.map); with a
 * token, its PAM module fetches as the preset user and reports success (a
 * refresh). Returns MAPPED's status. */
static uint32_t play_helper(VDAgentdSso *sso)
{
    uint8_t *payload = NULL, token[VDSSO_TOKEN_SIZE];
    gsize len = 0;
    gboolean has_token = FALSE;
    guint job = vdagentd_sso_current_job(sso);

    g_assert_cmpint(job, ==, fake.job);
    g_assert_cmpint(vdagentd_sso_job(sso, job, HELPER_PID, &payload, &len), ==, VDSSO_STATUS_OK);
    vdsso_wipe_free(payload, len);
    uint32_t st = vdagentd_sso_mapped(sso, job, fake.map, (uint32_t)fake.map_uid, HELPER_PID,
                                      token, &has_token);
    if (st != VDSSO_STATUS_OK || !has_token) {
        return st;
    }
    g_assert_cmpint(fake.map, ==, VDSSO_MAPPING_USER);
    g_assert_cmpint(vdagentd_sso_fetch(sso, token, (uint32_t)fake.map_uid, HELPER_PID, &payload,
                                       &len),
                    ==, VDSSO_STATUS_OK);
    vdsso_wipe_free(payload, len);
    g_assert_cmpint(vdagentd_sso_report(sso, token, VDSSO_OUTCOME_SUCCESS, (uint32_t)fake.map_uid),
                    ==, VDSSO_STATUS_OK);
    fake.refreshes++;
    return st;
}

/* Send a message on @port (the helper answers, unless a test plays it);
 * the reply's result, or -1 if none was written. */
static long send_sso(VDAgentdSso *sso, int port, const char *principal, uint32_t serial,
                     uint32_t flags)
{
    size_t len;
    uint8_t *p = sso_payload(principal, serial, flags, &len);
    g_byte_array_set_size(fake.port, 0);
    vdagentd_sso_handle_message(sso, port, p, len);
    free(p);
    if (fake.helper_answers && vdagentd_sso_current_job(sso) != 0) {
        play_helper(sso);
    }
    if (fake.port->len == 0) {
        return -1;
    }
    /* one chunk: chunk header, message header, 12-byte payload */
    g_assert_cmpint(fake.port->len, ==, VDSSO_CHUNK_HEADER + VDSSO_MSG_HEADER + VDSSO_REPLY_SIZE);
    g_assert_cmpint(fake.port->data[0], ==, VDSSO_PORT_SERVER);
    g_assert_cmpint(fake.port->data[VDSSO_CHUNK_HEADER + 4] |
                        fake.port->data[VDSSO_CHUNK_HEADER + 5] << 8,
                    ==, VDSSO_AGENT_MSG_SSO_REPLY);
    VDSsoReply r;
    g_assert_cmpint(vdsso_reply_decode(fake.port->data + VDSSO_CHUNK_HEADER + VDSSO_MSG_HEADER,
                                       VDSSO_REPLY_SIZE, &r), ==, VDSSO_OK);
    g_assert_cmpint(r.serial, ==, serial);
    return r.result;
}

static void token_of(VDAgentdSso *sso, uint8_t token[VDSSO_TOKEN_SIZE])
{
    g_assert_true(vdagentd_sso_pending_token(sso, token));
}

static uint32_t fetch(VDAgentdSso *sso, const uint8_t token[VDSSO_TOKEN_SIZE], VDSsoMsg **msg)
{
    uint8_t *payload = NULL;
    gsize len = 0;
    uint32_t user = fake.fetch_user;
    if (user == (uint32_t)-2) { /* the right conversation's */
        user = fake.sessions_uid == (uid_t)-1 || fake.sessions[0] == NULL
                   ? VDSSO_REDEEM_NO_USER : (uint32_t)fake.sessions_uid;
    }
    uint32_t st = vdagentd_sso_fetch(sso, token, user, 4242, &payload, &len);
    *msg = NULL;
    if (st == VDSSO_STATUS_OK) {
        g_assert_cmpint(vdsso_msg_decode(payload, len, msg), ==, VDSSO_OK);
        vdsso_wipe_free(payload, len);
    } else {
        g_assert_true(payload == NULL);
    }
    return st;
}

/* ------------------------------------------------------------------ cases */

/* vdagentd has no Kerberos: the helper maps the principal, in its own
 * unit, and refreshes through PAM; the reply waits for its MAPPED */
static void test_helper(void)
{
    VDAgentdSso *sso = sso_new(60);
    uint8_t *payload = NULL, token[VDSSO_TOKEN_SIZE];
    gsize len = 0;
    gboolean has_token = TRUE;

    fake.helper_answers = FALSE;
    g_assert_cmpint(send_sso(sso, VDSSO_PORT_SERVER, ALICE, 1, VDSSO_FLAG_LOGIN), ==, -1);
    guint job = vdagentd_sso_current_job(sso);
    g_assert_true(job != 0 && job == fake.job);
    g_assert_cmpint(fake.emitted->len, ==, 0);
    /* another job's number, a process outside the unit, MAPPED before JOB */
    g_assert_cmpint(vdagentd_sso_job(sso, job + 1, HELPER_PID, &payload, &len),
                    ==, VDSSO_STATUS_UNKNOWN_TOKEN);
    g_assert_cmpint(vdagentd_sso_job(sso, job, 4242, &payload, &len),
                    ==, VDSSO_STATUS_WRONG_CONVERSATION);
    g_assert_true(payload == NULL);
    g_assert_cmpint(vdagentd_sso_mapped(sso, job, VDSSO_MAPPING_NO_USER, VDSSO_REDEEM_NO_USER,
                                        4242, token, &has_token),
                    ==, VDSSO_STATUS_WRONG_CONVERSATION);
    g_assert_cmpint(vdagentd_sso_mapped(sso, job, VDSSO_MAPPING_NO_USER, VDSSO_REDEEM_NO_USER,
                                        HELPER_PID, token, &has_token),
                    ==, VDSSO_STATUS_NOT_FETCHED);
    g_assert_true(!has_token);
    g_assert_cmpint(fake.port->len, ==, 0);
    /* the helper's JOB: the message, once */
    g_assert_cmpint(vdagentd_sso_job(sso, job, HELPER_PID, &payload, &len), ==, VDSSO_STATUS_OK);
    VDSsoMsg *m = NULL;
    g_assert_cmpint(vdsso_msg_decode(payload, len, &m), ==, VDSSO_OK);
    g_assert_true(m != NULL && strcmp(m->principal, ALICE) == 0);
    vdsso_msg_free(m);
    vdsso_wipe_free(payload, len);
    payload = NULL;
    g_assert_cmpint(vdagentd_sso_job(sso, job, HELPER_PID, &payload, &len),
                    ==, VDSSO_STATUS_UNKNOWN_TOKEN);
    /* a mapping to root is never taken: refused, and no greeter asked */
    g_assert_cmpint(vdagentd_sso_mapped(sso, job, VDSSO_MAPPING_USER, 0, HELPER_PID, token,
                                        &has_token), ==, VDSSO_STATUS_BAD_REQUEST);
    g_assert_true(!has_token);
    g_assert_cmpint(vdagentd_sso_current_job(sso), ==, 0);
    g_assert_cmpint(fake.emitted->len, ==, 0);
    g_assert_true(!vdagentd_sso_has_pending(sso, NULL));
    fake.helper_answers = TRUE;

    /* no helper answers in time: the principal is taken as mapping to no
     * local user, and the greeter is asked */
    fake.helper_answers = FALSE;
    g_assert_cmpint(send_sso(sso, VDSSO_PORT_SERVER, ALICE, 2, VDSSO_FLAG_LOGIN), ==, -1);
    run_loop_ms(HELPER_TIMEOUT_MS + 300);
    g_assert_cmpint(fake.port->len, ==, VDSSO_CHUNK_HEADER + VDSSO_MSG_HEADER + VDSSO_REPLY_SIZE);
    g_assert_cmpint(fake.emitted->len, ==, 1);
    g_assert_true(vdagentd_sso_has_pending(sso, NULL));
    /* the late helper finds nothing */
    g_assert_cmpint(vdagentd_sso_mapped(sso, fake.job, VDSSO_MAPPING_NO_USER, VDSSO_REDEEM_NO_USER,
                                        HELPER_PID, token, &has_token),
                    ==, VDSSO_STATUS_UNKNOWN_TOKEN);

    /* the client leaves while the helper maps: no reply, nothing kept */
    g_assert_cmpint(send_sso(sso, VDSSO_PORT_SERVER, ALICE, 3, VDSSO_FLAG_LOGIN), ==, -1);
    g_assert_true(vdagentd_sso_current_job(sso) != 0);
    vdagentd_sso_client_disconnected(sso, "test");
    g_assert_cmpint(vdagentd_sso_current_job(sso), ==, 0);
    run_loop_ms(HELPER_TIMEOUT_MS + 100);
    g_assert_cmpint(fake.port->len, ==, 0);

    /* systemd cannot be asked: no local user, as for a mapping that failed */
    fake.helper_starts = FALSE;
    g_ptr_array_set_size(fake.emitted, 0);
    g_assert_cmpint(send_sso(sso, VDSSO_PORT_SERVER, ALICE, 4, VDSSO_FLAG_LOGIN),
                    ==, VDSSO_RESULT_ACCEPTED);
    g_assert_cmpint(fake.emitted->len, ==, 1);
    fake.helper_starts = TRUE;

    /* a refresh: the token goes to the helper alone (no signal), and only
     * the helper's unit with alice preset may fetch it */
    fake.seat.active_is_greeter = FALSE;
    fake.seat.active_is_user = TRUE;
    fake.seat.n_user_sessions = 1;
    fake.sessions_uid = ALICE_UID;
    fake.sessions[0] = "2";
    fake.map = VDSSO_MAPPING_USER;
    fake.map_uid = ALICE_UID;
    g_ptr_array_set_size(fake.emitted, 0);
    g_assert_cmpint(send_sso(sso, VDSSO_PORT_SERVER, ALICE, 5, VDSSO_FLAG_REFRESH), ==, -1);
    job = vdagentd_sso_current_job(sso);
    g_assert_cmpint(vdagentd_sso_job(sso, job, HELPER_PID, &payload, &len), ==, VDSSO_STATUS_OK);
    vdsso_wipe_free(payload, len);
    payload = NULL;
    g_byte_array_set_size(fake.port, 0);
    g_assert_cmpint(vdagentd_sso_mapped(sso, job, VDSSO_MAPPING_USER, ALICE_UID, HELPER_PID, token,
                                        &has_token), ==, VDSSO_STATUS_OK);
    g_assert_true(has_token);
    g_assert_cmpint(fake.port->len, ==, VDSSO_CHUNK_HEADER + VDSSO_MSG_HEADER + VDSSO_REPLY_SIZE);
    g_assert_cmpint(fake.emitted->len, ==, 0);
    /* alice's own session (an unlock dialog's worker) may not take it, nor
     * the helper without alice preset */
    g_assert_cmpint(vdagentd_sso_fetch(sso, token, ALICE_UID, 4242, &payload, &len),
                    ==, VDSSO_STATUS_WRONG_CONVERSATION);
    g_assert_cmpint(vdagentd_sso_fetch(sso, token, VDSSO_REDEEM_NO_USER, HELPER_PID, &payload,
                                       &len),
                    ==, VDSSO_STATUS_WRONG_CONVERSATION);
    g_assert_true(payload == NULL);
    g_assert_cmpint(vdagentd_sso_fetch(sso, token, ALICE_UID, HELPER_PID, &payload, &len),
                    ==, VDSSO_STATUS_OK);
    vdsso_wipe_free(payload, len);
    /* a refresh reported for another uid is refused */
    g_assert_cmpint(vdagentd_sso_report(sso, token, VDSSO_OUTCOME_SUCCESS, 5002),
                    ==, VDSSO_STATUS_BAD_REQUEST);
    g_assert_true(!vdagentd_sso_has_pending(sso, NULL));
    vdagentd_sso_free(sso);
}

static void test_login(void)
{
    VDAgentdSso *sso = sso_new(60);
    uint8_t token[VDSSO_TOKEN_SIZE];
    char hex[VDSSO_TOKEN_HEX_LEN + 1];
    gboolean fetched;
    VDSsoMsg *m;

    g_assert_cmpint(send_sso(sso, VDSSO_PORT_SERVER, ALICE, 11, VDSSO_FLAG_LOGIN),
                    ==, VDSSO_RESULT_ACCEPTED);
    g_assert_true(vdagentd_sso_has_pending(sso, &fetched) && !fetched);
    token_of(sso, token);
    vdsso_token_to_hex(token, hex);
    g_assert_cmpint(fake.emitted->len, ==, 1);
    g_assert_cmpstr(g_ptr_array_index(fake.emitted, 0), ==, hex);

    g_assert_cmpint(fetch(sso, token, &m), ==, VDSSO_STATUS_OK);
    g_assert_true(m != NULL && strcmp(m->principal, ALICE) == 0 && m->serial == 11);
    vdsso_msg_free(m);
    g_assert_true(vdagentd_sso_has_pending(sso, &fetched) && fetched);
    /* gnome-shell restarts a conversation that a late signal reaches: the
     * restarted one fetches again, until the REPORT, a few times at most */
    for (int i = 1; i < VDAGENTD_SSO_MAX_FETCHES; i++) {
        g_assert_cmpint(fetch(sso, token, &m), ==, VDSSO_STATUS_OK);
        g_assert_true(m != NULL && strcmp(m->principal, ALICE) == 0);
        vdsso_msg_free(m);
    }
    /* no repetition after the fetch */
    run_loop_ms(1500);
    g_assert_cmpint(fake.emitted->len, ==, 1);

    g_assert_cmpint(vdagentd_sso_report(sso, token, VDSSO_OUTCOME_SUCCESS, ALICE_UID),
                    ==, VDSSO_STATUS_OK);
    g_assert_true(!vdagentd_sso_has_pending(sso, NULL));
    g_assert_cmpint(vdagentd_sso_report(sso, token, VDSSO_OUTCOME_SUCCESS, ALICE_UID),
                    ==, VDSSO_STATUS_UNKNOWN_TOKEN);

    /* GDM opened alice's session; the client leaves: it is locked; while
     * logind reports it locked, another disconnect asks nothing more */
    fake.sessions_uid = ALICE_UID;
    fake.sessions[0] = "2";
    vdagentd_sso_client_disconnected(sso, "test");
    g_assert_cmpint(fake.locked->len, ==, 1);
    g_assert_cmpstr(g_ptr_array_index(fake.locked, 0), ==, "2");
    g_assert_cmpint(f_session_locked(NULL, "2"), ==, 1);
    run_loop_ms(100);
    g_assert_true(!vdagentd_sso_locking(sso, "2"));
    vdagentd_sso_client_disconnected(sso, "test again");
    g_assert_cmpint(fake.locked->len, ==, 1);

    /* the session is there, and locked: another principal mapping to the
     * same user is refused; alice herself gets a refresh and an unlock */
    fake.seat.active_is_greeter = FALSE;
    fake.seat.active_is_user = TRUE;
    fake.seat.n_user_sessions = 1;
    fake.map = VDSSO_MAPPING_USER;
    fake.map_uid = ALICE_UID;
    g_ptr_array_set_size(fake.emitted, 0);
    g_assert_cmpint(send_sso(sso, VDSSO_PORT_SERVER, "carol@SPICE.TEST", 12,
                             VDSSO_FLAG_LOGIN | VDSSO_FLAG_REFRESH), ==, VDSSO_RESULT_SEAT_BUSY);
    g_assert_cmpint(fake.refreshes, ==, 0);
    g_assert_cmpint(fake.emitted->len, ==, 0);
    g_assert_cmpint(send_sso(sso, VDSSO_PORT_SERVER, ALICE, 13,
                             VDSSO_FLAG_LOGIN | VDSSO_FLAG_REFRESH),
                    ==, VDSSO_RESULT_ACCEPTED);
    g_assert_cmpint(fake.refreshes, ==, 1);
    g_assert_cmpint(fake.emitted->len, ==, 1);
    token_of(sso, token);
    g_assert_cmpint(fetch(sso, token, &m), ==, VDSSO_STATUS_OK);
    vdsso_msg_free(m);
    /* the unlock must be reported for the locked session's user */
    g_assert_cmpint(vdagentd_sso_report(sso, token, VDSSO_OUTCOME_SUCCESS, 5002),
                    ==, VDSSO_STATUS_BAD_REQUEST);
    g_assert_true(!vdagentd_sso_has_pending(sso, NULL));

    /* the unlock failed: logind still reports the session locked, nothing
     * to ask */
    vdagentd_sso_client_disconnected(sso, "test");
    g_assert_cmpint(fake.locked->len, ==, 1);
    /* alice unlocks with her password (not single sign-on): the next
     * disconnect locks again, whatever single sign-on saw before */
    set_hint("2", 0);
    vdagentd_sso_client_disconnected(sso, "test");
    g_assert_cmpint(fake.locked->len, ==, 2);
    g_assert_cmpint(f_session_locked(NULL, "2"), ==, 1);
    vdagentd_sso_free(sso);
}

/* Log alice in by single sign-on: the REPORT of her login succeeded. */
static void alice_logged_in(VDAgentdSso *sso)
{
    uint8_t token[VDSSO_TOKEN_SIZE];
    VDSsoMsg *m;

    g_assert_cmpint(send_sso(sso, VDSSO_PORT_SERVER, ALICE, 1, VDSSO_FLAG_LOGIN),
                    ==, VDSSO_RESULT_ACCEPTED);
    token_of(sso, token);
    g_assert_cmpint(fetch(sso, token, &m), ==, VDSSO_STATUS_OK);
    vdsso_msg_free(m);
    g_assert_cmpint(vdagentd_sso_report(sso, token, VDSSO_OUTCOME_SUCCESS, ALICE_UID),
                    ==, VDSSO_STATUS_OK);
}

/* The lock state is logind's: an unlock by password (or any unlock single
 * sign-on did not see) does not exempt the session from the next lock. */
static void test_password_unlock_relocks(void)
{
    VDAgentdSso *sso = sso_new(60);

    alice_logged_in(sso);
    fake.sessions_uid = ALICE_UID;
    fake.sessions[0] = "2";
    fake.seat.n_user_sessions = 1;
    vdagentd_sso_seat_changed(sso);
    for (guint round = 1; round <= 3; round++) {
        vdagentd_sso_client_disconnected(sso, "test");
        g_assert_cmpint(lock_calls("2"), ==, round);
        g_assert_cmpint(f_session_locked(NULL, "2"), ==, 1);
        /* alice types her password at the shield */
        set_hint("2", 0);
    }
    /* LockedHint cannot be read: locked all the same */
    g_hash_table_remove_all(fake.hints);
    fake.locked_hint = -1;
    fake.shield = FALSE;
    vdagentd_sso_client_disconnected(sso, "test");
    g_assert_cmpint(lock_calls("2"), ==, 4);
    vdagentd_sso_free(sso);
}

/* The client leaves between the login's REPORT and the session's
 * appearance: the lock waits for the session, then is asked until the
 * screen locker (not up at first) reports it. */
static void test_lock_before_session(void)
{
    VDAgentdSso *sso = sso_new(60);

    alice_logged_in(sso);
    vdagentd_sso_client_disconnected(sso, "test");
    g_assert_cmpint(fake.locked->len, ==, 0);
    /* the seat changes, still without alice's session */
    vdagentd_sso_seat_changed(sso);
    g_assert_cmpint(fake.locked->len, ==, 0);

    /* GDM opens it; its shell is not up yet: Lock is lost */
    fake.shield = FALSE;
    fake.sessions_uid = ALICE_UID;
    fake.sessions[0] = "2";
    fake.seat.n_user_sessions = 1;
    vdagentd_sso_seat_changed(sso);
    g_assert_cmpint(lock_calls("2"), ==, 1);
    g_assert_true(vdagentd_sso_locking(sso, "2"));
    /* asked again: after 20, 40 ms */
    run_loop_ms(100);
    g_assert_true(lock_calls("2") >= 2);
    g_assert_cmpint(f_session_locked(NULL, "2"), ==, 0);
    /* the shell comes up: the next request takes, the job ends */
    fake.shield = TRUE;
    run_loop_ms(600);
    g_assert_cmpint(f_session_locked(NULL, "2"), ==, 1);
    g_assert_true(!vdagentd_sso_locking(sso, "2"));
    guint n = fake.locked->len;
    run_loop_ms(300);
    g_assert_cmpint(fake.locked->len, ==, n);
    /* the pending lock was applied once */
    vdagentd_sso_seat_changed(sso);
    g_assert_cmpint(fake.locked->len, ==, n);
    vdagentd_sso_free(sso);
}

/* The records outlive the daemon: a restarted one still locks the
 * sessions; records of sessions logind no longer has are dropped. */
static void test_restart(void)
{
    VDAgentdSso *sso = sso_new_full(60, state_file, FALSE);
    gchar *text = NULL;

    alice_logged_in(sso);
    g_assert_true(g_file_get_contents(state_file, &text, NULL, NULL));
    g_assert_cmpstr(text, ==, "spice-vdagentd-sso-sessions 2\n5001 - - " ALICE "\n");
    g_free(text);
    fake.sessions_uid = ALICE_UID;
    fake.sessions[0] = "2";
    fake.seat.n_user_sessions = 1;
    vdagentd_sso_seat_changed(sso);
    g_assert_true(g_file_get_contents(state_file, &text, NULL, NULL));
    g_assert_cmpstr(text, ==, "spice-vdagentd-sso-sessions 2\n5001 2 - " ALICE "\n");
    g_free(text);
    /* vdagentd restarts; then the client leaves */
    vdagentd_sso_free(sso);
    sso = sso_new_full(60, state_file, TRUE);
    vdagentd_sso_client_disconnected(sso, "test");
    g_assert_cmpint(lock_calls("2"), ==, 1);
    /* and only alice's principal may take her session back */
    fake.map = VDSSO_MAPPING_USER;
    fake.map_uid = ALICE_UID;
    g_assert_cmpint(send_sso(sso, VDSSO_PORT_SERVER, "carol@SPICE.TEST", 3, VDSSO_FLAG_REFRESH),
                    ==, VDSSO_RESULT_SEAT_BUSY);
    vdagentd_sso_free(sso);

    /* restarted after alice logged out: the record is dropped */
    fake.sessions[0] = NULL;
    fake.seat.n_user_sessions = 0;
    sso = sso_new_full(60, state_file, TRUE);
    g_assert_true(g_file_get_contents(state_file, &text, NULL, NULL));
    g_assert_cmpstr(text, ==, "spice-vdagentd-sso-sessions 2\n");
    g_free(text);
    fake.sessions[0] = "2";
    vdagentd_sso_client_disconnected(sso, "test");
    g_assert_cmpint(lock_calls("2"), ==, 1);
    vdagentd_sso_free(sso);

    /* a login reported, the session not seen yet: kept, and the session
     * GDM opened while vdagentd was away is taken for it */
    fake.sessions[0] = NULL;
    sso = sso_new_full(60, state_file, FALSE);
    alice_logged_in(sso);
    vdagentd_sso_free(sso);
    fake.sessions_uid = ALICE_UID;
    fake.sessions[0] = "5";
    sso = sso_new_full(60, state_file, TRUE);
    vdagentd_sso_client_disconnected(sso, "test");
    g_assert_cmpint(lock_calls("5"), ==, 1);
    vdagentd_sso_free(sso);
    g_unlink(state_file);
}

/* A lock that never takes is asked a bounded number of times. */
static void test_lock_gives_up(void)
{
    VDAgentdSso *sso = sso_new(60);

    alice_logged_in(sso);
    fake.sessions_uid = ALICE_UID;
    fake.sessions[0] = "2";
    fake.seat.n_user_sessions = 1;
    fake.shield = FALSE;
    vdagentd_sso_client_disconnected(sso, "test");
    g_assert_true(vdagentd_sso_locking(sso, "2"));
    /* 20 + 40 + 80 + 160 + 320 + 640 ms */
    run_loop_ms(2000);
    g_assert_true(!vdagentd_sso_locking(sso, "2"));
    /* the first request, then one after each check but the last */
    g_assert_cmpint(lock_calls("2"), ==, LOCK_ATTEMPTS);
    run_loop_ms(200);
    g_assert_cmpint(lock_calls("2"), ==, LOCK_ATTEMPTS);

    /* a session that leaves the seat ends its job */
    vdagentd_sso_client_disconnected(sso, "test");
    g_assert_true(vdagentd_sso_locking(sso, "2"));
    fake.sessions[0] = "3";
    run_loop_ms(100);
    g_assert_true(!vdagentd_sso_locking(sso, "2"));
    vdagentd_sso_free(sso);
}

/* Right after an unlock by single sign-on, LockedHint may still say
 * "locked" until the shell reports the unlock; a disconnect then must not
 * take that for a lock. */
static void test_unlock_then_leave(void)
{
    VDAgentdSso *sso = sso_new(60);
    uint8_t token[VDSSO_TOKEN_SIZE];
    VDSsoMsg *m;

    alice_logged_in(sso);
    fake.sessions_uid = ALICE_UID;
    fake.sessions[0] = "2";
    fake.seat.n_user_sessions = 1;
    fake.seat.active_is_greeter = FALSE;
    fake.seat.active_is_user = TRUE;
    vdagentd_sso_client_disconnected(sso, "test");
    g_assert_cmpint(lock_calls("2"), ==, 1);
    fake.map = VDSSO_MAPPING_USER;
    fake.map_uid = ALICE_UID;
    g_assert_cmpint(send_sso(sso, VDSSO_PORT_SERVER, ALICE, 2, VDSSO_FLAG_REFRESH),
                    ==, VDSSO_RESULT_ACCEPTED);
    token_of(sso, token);
    g_assert_cmpint(fetch(sso, token, &m), ==, VDSSO_STATUS_OK);
    vdsso_msg_free(m);
    g_assert_cmpint(vdagentd_sso_report(sso, token, VDSSO_OUTCOME_SUCCESS, ALICE_UID),
                    ==, VDSSO_STATUS_OK);
    /* the client leaves before the shell reported the unlock */
    vdagentd_sso_client_disconnected(sso, "test");
    g_assert_true(vdagentd_sso_locking(sso, "2"));
    run_loop_ms(50);
    g_assert_cmpint(lock_calls("2"), ==, 1);
    /* the shell reports it; the lock follows */
    set_hint("2", 0);
    run_loop_ms(300);
    g_assert_cmpint(lock_calls("2"), ==, 2);
    g_assert_cmpint(f_session_locked(NULL, "2"), ==, 1);
    g_assert_true(!vdagentd_sso_locking(sso, "2"));
    vdagentd_sso_free(sso);
}

/* Only seat0's greeter conversation redeems; any other is refused and the
 * token stays valid for the right one. */
static void peer_is(const char *session, const char *seat, const char *cls, uid_t uid,
                    const char *unit)
{
    fake.peer_set = TRUE;
    fake.peer.session = (gchar *)session;
    fake.peer.seat = (gchar *)seat;
    fake.peer.session_class = (gchar *)cls;
    fake.peer.session_uid = uid;
    fake.peer.unit = (gchar *)unit;
}

static void test_wrong_conversation_login(void)
{
    VDAgentdSso *sso = sso_new(60);
    uint8_t token[VDSSO_TOKEN_SIZE];
    gboolean fetched;
    VDSsoMsg *m;

    g_assert_cmpint(send_sso(sso, VDSSO_PORT_SERVER, ALICE, 21, VDSSO_FLAG_LOGIN),
                    ==, VDSSO_RESULT_ACCEPTED);
    token_of(sso, token);
    /* another user's unlock dialog (bob preset) */
    fake.fetch_user = 5002;
    g_assert_cmpint(fetch(sso, token, &m), ==, VDSSO_STATUS_WRONG_CONVERSATION);
    /* alice's own unlock dialog elsewhere: a login presets nobody */
    fake.fetch_user = ALICE_UID;
    g_assert_cmpint(fetch(sso, token, &m), ==, VDSSO_STATUS_WRONG_CONVERSATION);
    fake.fetch_user = VDSSO_REDEEM_NO_USER;
    /* a root process outside GDM (another PAM application) */
    peer_is(NULL, NULL, NULL, (uid_t)-1, "ssh.service");
    g_assert_cmpint(fetch(sso, token, &m), ==, VDSSO_STATUS_WRONG_CONVERSATION);
    peer_is(NULL, NULL, NULL, (uid_t)-1, NULL);
    g_assert_cmpint(fetch(sso, token, &m), ==, VDSSO_STATUS_WRONG_CONVERSATION);
    /* a process in a session: the greeter's own session, a user's */
    peer_is("c1", "seat0", "greeter", 115, "session-c1.scope");
    g_assert_cmpint(fetch(sso, token, &m), ==, VDSSO_STATUS_WRONG_CONVERSATION);
    peer_is("7", "seat0", "user", 5002, "session-7.scope");
    g_assert_cmpint(fetch(sso, token, &m), ==, VDSSO_STATUS_WRONG_CONVERSATION);
    /* logind cannot say */
    peer_is(NULL, NULL, NULL, (uid_t)-1, "gdm.service");
    fake.peer_ok = FALSE;
    g_assert_cmpint(fetch(sso, token, &m), ==, VDSSO_STATUS_WRONG_CONVERSATION);
    /* still valid for GDM's login conversation */
    g_assert_true(vdagentd_sso_has_pending(sso, &fetched) && !fetched);
    fake.peer_ok = TRUE;
    g_assert_cmpint(fetch(sso, token, &m), ==, VDSSO_STATUS_OK);
    g_assert_true(m != NULL && strcmp(m->principal, ALICE) == 0);
    vdsso_msg_free(m);
    vdagentd_sso_free(sso);
}

/* alice's session @session is the seat's active one (LockedHint
 * @locked_hint for every session); alice's principal maps to her */
static void alice_on_seat(const char *session, int locked_hint)
{
    fake.seat.active_is_greeter = FALSE;
    fake.seat.active_is_user = TRUE;
    fake.seat.active_uid = ALICE_UID;
    fake.seat.n_user_sessions = 1;
    fake.sessions_uid = ALICE_UID;
    fake.sessions[0] = session;
    fake.locked_hint = locked_hint;
    fake.map = VDSSO_MAPPING_USER;
    fake.map_uid = ALICE_UID;
}

static void test_wrong_conversation_unlock(void)
{
    VDAgentdSso *sso = sso_new(60);
    uint8_t token[VDSSO_TOKEN_SIZE];
    gboolean fetched;
    VDSsoMsg *m;

    /* alice's session is on the seat and locked: an unlock */
    alice_on_seat("3", 1);
    g_assert_cmpint(send_sso(sso, VDSSO_PORT_SERVER, ALICE, 22,
                             VDSSO_FLAG_LOGIN | VDSSO_FLAG_REFRESH),
                    ==, VDSSO_RESULT_ACCEPTED);
    g_assert_true(vdagentd_sso_has_pending(sso, &fetched) && !fetched);
    token_of(sso, token);
    /* bob's locked shell: bob preset, in bob's session */
    fake.fetch_user = 5002;
    peer_is("8", "seat0", "user", 5002, "session-8.scope");
    g_assert_cmpint(fetch(sso, token, &m), ==, VDSSO_STATUS_WRONG_CONVERSATION);
    /* alice preset, but from bob's session, or another seat's session,
     * or a process outside GDM */
    fake.fetch_user = ALICE_UID;
    g_assert_cmpint(fetch(sso, token, &m), ==, VDSSO_STATUS_WRONG_CONVERSATION);
    peer_is("9", "seat1", "user", ALICE_UID, "session-9.scope");
    g_assert_cmpint(fetch(sso, token, &m), ==, VDSSO_STATUS_WRONG_CONVERSATION);
    peer_is(NULL, NULL, NULL, (uid_t)-1, "ssh.service");
    g_assert_cmpint(fetch(sso, token, &m), ==, VDSSO_STATUS_WRONG_CONVERSATION);
    /* nobody preset (the login greeter) */
    fake.fetch_user = VDSSO_REDEEM_NO_USER;
    fake.peer_set = FALSE;
    g_assert_cmpint(fetch(sso, token, &m), ==, VDSSO_STATUS_WRONG_CONVERSATION);
    /* alice's own unlock dialog, in her session on seat0 */
    g_assert_true(vdagentd_sso_has_pending(sso, &fetched) && !fetched);
    fake.fetch_user = ALICE_UID;
    g_assert_cmpint(fetch(sso, token, &m), ==, VDSSO_STATUS_OK);
    vdsso_msg_free(m);
    vdagentd_sso_free(sso);

    /* a session GDM does not manage: its unlock dialog's worker is the gdm3
     * daemon's child, in gdm.service; alice preset */
    sso = sso_new(60);
    alice_on_seat("3", 1);
    g_assert_cmpint(send_sso(sso, VDSSO_PORT_SERVER, ALICE, 23,
                             VDSSO_FLAG_LOGIN | VDSSO_FLAG_REFRESH),
                    ==, VDSSO_RESULT_ACCEPTED);
    token_of(sso, token);
    peer_is(NULL, NULL, NULL, (uid_t)-1, "gdm.service");
    fake.fetch_user = 5002;
    g_assert_cmpint(fetch(sso, token, &m), ==, VDSSO_STATUS_WRONG_CONVERSATION);
    fake.fetch_user = ALICE_UID;
    g_assert_cmpint(fetch(sso, token, &m), ==, VDSSO_STATUS_OK);
    vdsso_msg_free(m);
    vdagentd_sso_free(sso);
}

static void test_unlock_relocks(void)
{
    VDAgentdSso *sso = sso_new(60);
    uint8_t token[VDSSO_TOKEN_SIZE];
    VDSsoMsg *m;

    alice_logged_in(sso);
    fake.sessions_uid = ALICE_UID;
    fake.sessions[0] = "2";
    fake.sessions[1] = "3";
    fake.seat.n_user_sessions = 2;
    /* LockedHint cannot be read (-1) */
    fake.locked_hint = -1;
    fake.shield = FALSE;
    vdagentd_sso_client_disconnected(sso, "test");
    g_assert_cmpint(fake.locked->len, ==, 2);

    fake.map = VDSSO_MAPPING_USER;
    fake.map_uid = ALICE_UID;
    /* the locks asked are still being checked: an unlock is asked for */
    g_assert_cmpint(send_sso(sso, VDSSO_PORT_SERVER, ALICE, 2, VDSSO_FLAG_REFRESH),
                    ==, VDSSO_RESULT_ACCEPTED);
    token_of(sso, token);
    g_assert_cmpint(fetch(sso, token, &m), ==, VDSSO_STATUS_OK);
    vdsso_msg_free(m);
    g_assert_cmpint(vdagentd_sso_report(sso, token, VDSSO_OUTCOME_SUCCESS, ALICE_UID),
                    ==, VDSSO_STATUS_OK);
    /* unlocked by single sign-on: the next disconnect locks both again */
    vdagentd_sso_client_disconnected(sso, "test");
    g_assert_cmpint(fake.locked->len, ==, 4);

    /* the record survives the seat showing none of alice's sessions before
     * one was seen (the PAM module reports before GDM opens the session)...
     * here they were seen: alice logs out and the record is forgotten, so
     * another principal of hers is no longer bound to the old one */
    vdagentd_sso_seat_changed(sso);
    fake.sessions[0] = fake.sessions[1] = NULL;
    fake.seat.n_user_sessions = 0;
    vdagentd_sso_seat_changed(sso);
    fake.sessions[0] = "4";
    fake.seat.n_user_sessions = 1;
    fake.locked_hint = 0;
    fake.shield = TRUE;
    g_assert_cmpint(send_sso(sso, VDSSO_PORT_SERVER, "carol@SPICE.TEST", 3, VDSSO_FLAG_REFRESH),
                    ==, VDSSO_RESULT_ACCEPTED);
    vdagentd_sso_client_disconnected(sso, "test");
    g_assert_cmpint(fake.locked->len, ==, 4);
    vdagentd_sso_free(sso);
}

static void test_refresh_unlocked(void)
{
    VDAgentdSso *sso = sso_new(60);

    alice_on_seat("2", 0);
    g_assert_cmpint(send_sso(sso, VDSSO_PORT_SERVER, ALICE, 1,
                             VDSSO_FLAG_LOGIN | VDSSO_FLAG_REFRESH),
                    ==, VDSSO_RESULT_ACCEPTED);
    g_assert_cmpint(fake.refreshes, ==, 1);
    g_assert_cmpint(fake.emitted->len, ==, 0);
    g_assert_true(!vdagentd_sso_has_pending(sso, NULL));
    /* not asked to refresh */
    g_assert_cmpint(send_sso(sso, VDSSO_PORT_SERVER, ALICE, 2, VDSSO_FLAG_LOGIN),
                    ==, VDSSO_RESULT_SEAT_BUSY);
    g_assert_cmpint(fake.refreshes, ==, 1);
    /* locked, but no PAM service file: refreshed, no unlock */
    set_hint("2", 1);
    g_unlink(pam_file);
    g_assert_cmpint(send_sso(sso, VDSSO_PORT_SERVER, ALICE, 3, VDSSO_FLAG_REFRESH),
                    ==, VDSSO_RESULT_ACCEPTED);
    g_assert_cmpint(fake.refreshes, ==, 2);
    g_assert_cmpint(fake.emitted->len, ==, 0);
    g_assert_true(g_file_set_contents(pam_file, "", 0, NULL));
    vdagentd_sso_free(sso);
}

static void test_backoff(void)
{
    VDAgentdSso *sso = sso_new(60);

    g_assert_cmpint(send_sso(sso, VDSSO_PORT_SERVER, ALICE, 1, VDSSO_FLAG_LOGIN),
                    ==, VDSSO_RESULT_ACCEPTED);
    g_assert_cmpint(fake.emitted->len, ==, 1);
    /* g_timeout_add_seconds() fires within a second after its delay */
    run_loop_ms(2500);
    g_assert_cmpint(fake.emitted->len, ==, 2);
    run_loop_ms(3500);
    g_assert_cmpint(fake.emitted->len, ==, 3);
    for (guint i = 1; i < fake.emitted->len; i++) {
        g_assert_cmpstr(g_ptr_array_index(fake.emitted, i), ==, g_ptr_array_index(fake.emitted, 0));
    }
    /* a user session appears on the seat: the login is withdrawn */
    fake.seat.n_user_sessions = 1;
    vdagentd_sso_seat_changed(sso);
    g_assert_true(!vdagentd_sso_has_pending(sso, NULL));
    vdagentd_sso_free(sso);
}

/* A locked session's gnome-shell heard the one signal it needs (it keeps
 * the token and raises its unlock dialog); each repetition would restart
 * the unlock conversation under way. */
static void test_unlock_emits_once(void)
{
    VDAgentdSso *sso = sso_new(60);

    alice_on_seat("2", 0);
    set_hint("2", 1);
    g_assert_cmpint(send_sso(sso, VDSSO_PORT_SERVER, ALICE, 1,
                             VDSSO_FLAG_LOGIN | VDSSO_FLAG_REFRESH),
                    ==, VDSSO_RESULT_ACCEPTED);
    g_assert_true(vdagentd_sso_has_pending(sso, NULL));
    g_assert_cmpint(fake.emitted->len, ==, 1);
    run_loop_ms(3500);
    vdagentd_sso_seat_changed(sso);
    g_assert_cmpint(fake.emitted->len, ==, 1);
    g_assert_true(vdagentd_sso_has_pending(sso, NULL));
    g_assert_cmpint(fake.withdrawn, ==, 0);
    vdagentd_sso_free(sso);
}

/* gnome-shell replays the last token it heard in its next conversation:
 * once a token is used or dropped, an empty one makes it forget it. */
/* A credential fetched more often than any restarted conversation needs
 * is dropped, not kept until its time to live runs out. */
static void test_fetched_too_often(void)
{
    VDAgentdSso *sso = sso_new(60);
    uint8_t token[VDSSO_TOKEN_SIZE];
    VDSsoMsg *m;

    g_assert_cmpint(send_sso(sso, VDSSO_PORT_SERVER, ALICE, 1, VDSSO_FLAG_LOGIN),
                    ==, VDSSO_RESULT_ACCEPTED);
    token_of(sso, token);
    for (int i = 0; i < VDAGENTD_SSO_MAX_FETCHES; i++) {
        g_assert_cmpint(fetch(sso, token, &m), ==, VDSSO_STATUS_OK);
        vdsso_msg_free(m);
    }
    g_assert_cmpint(fetch(sso, token, &m), ==, VDSSO_STATUS_UNKNOWN_TOKEN);
    g_assert_true(!vdagentd_sso_has_pending(sso, NULL));
    g_assert_cmpint(vdagentd_sso_report(sso, token, VDSSO_OUTCOME_SUCCESS, ALICE_UID),
                    ==, VDSSO_STATUS_UNKNOWN_TOKEN);
    vdagentd_sso_free(sso);
}

static void test_token_withdrawn(void)
{
    VDAgentdSso *sso = sso_new(60);

    g_assert_cmpint(send_sso(sso, VDSSO_PORT_SERVER, ALICE, 1, VDSSO_FLAG_LOGIN),
                    ==, VDSSO_RESULT_ACCEPTED);
    g_assert_cmpint(fake.emitted->len, ==, 1);
    g_assert_cmpint(fake.withdrawn, ==, 0);
    vdagentd_sso_client_disconnected(sso, "test");
    g_assert_true(!vdagentd_sso_has_pending(sso, NULL));
    g_assert_cmpint(fake.withdrawn, ==, 1);
    vdagentd_sso_free(sso);
}

static void test_refusals(void)
{
    VDAgentdSso *sso = sso_new(60);

    /* the client port: dropped, no reply */
    g_assert_cmpint(send_sso(sso, VDSSO_PORT_CLIENT, ALICE, 1, VDSSO_FLAG_LOGIN), ==, -1);
    g_assert_true(!vdagentd_sso_has_pending(sso, NULL));
    /* someone else's session on the seat */
    fake.seat.n_user_sessions = 1;
    g_assert_cmpint(send_sso(sso, VDSSO_PORT_SERVER, ALICE, 2, VDSSO_FLAG_LOGIN),
                    ==, VDSSO_RESULT_SEAT_BUSY);
    fake.seat.n_user_sessions = 0;
    fake.seat.active_is_user = TRUE;
    g_assert_cmpint(send_sso(sso, VDSSO_PORT_SERVER, ALICE, 3, VDSSO_FLAG_LOGIN),
                    ==, VDSSO_RESULT_SEAT_BUSY);
    fake.seat.active_is_user = FALSE;
    /* nothing to refresh and no login asked for */
    g_assert_cmpint(send_sso(sso, VDSSO_PORT_SERVER, ALICE, 4, VDSSO_FLAG_REFRESH),
                    ==, VDSSO_RESULT_SEAT_BUSY);
    /* no PAM service file; bus name not owned */
    g_unlink(pam_file);
    g_assert_cmpint(send_sso(sso, VDSSO_PORT_SERVER, ALICE, 5, VDSSO_FLAG_LOGIN),
                    ==, VDSSO_RESULT_NO_LOGIN_SERVICE);
    g_assert_true(g_file_set_contents(pam_file, "", 0, NULL));
    fake.owns_name = FALSE;
    g_assert_cmpint(send_sso(sso, VDSSO_PORT_SERVER, ALICE, 6, VDSSO_FLAG_LOGIN),
                    ==, VDSSO_RESULT_NO_LOGIN_SERVICE);
    fake.owns_name = TRUE;
    /* the seat cannot be read */
    fake.seat_ok = FALSE;
    g_assert_cmpint(send_sso(sso, VDSSO_PORT_SERVER, ALICE, 7, VDSSO_FLAG_LOGIN),
                    ==, VDSSO_RESULT_INTERNAL);
    fake.seat_ok = TRUE;
    g_assert_cmpint(fake.emitted->len, ==, 0);
    g_assert_true(!vdagentd_sso_has_pending(sso, NULL));

    /* a malformed payload, and the DISABLED answer */
    static const uint8_t junk[] = { 2, 0, 0, 0, 9, 0, 0, 0, 1 };
    g_byte_array_set_size(fake.port, 0);
    vdagentd_sso_handle_message(sso, VDSSO_PORT_SERVER, junk, sizeof(junk));
    VDSsoReply r;
    g_assert_cmpint(vdsso_reply_decode(fake.port->data + VDSSO_CHUNK_HEADER + VDSSO_MSG_HEADER,
                                       VDSSO_REPLY_SIZE, &r), ==, VDSSO_OK);
    g_assert_cmpint(r.serial, ==, 9);
    g_assert_cmpint(r.result, ==, VDSSO_RESULT_MALFORMED);
    g_byte_array_set_size(fake.port, 0);
    vdagentd_sso_reply_disabled(junk, sizeof(junk), f_write_message, NULL);
    g_assert_cmpint(vdsso_reply_decode(fake.port->data + VDSSO_CHUNK_HEADER + VDSSO_MSG_HEADER,
                                       VDSSO_REPLY_SIZE, &r), ==, VDSSO_OK);
    g_assert_cmpint(r.result, ==, VDSSO_RESULT_DISABLED);
    g_assert_cmpint(r.serial, ==, 9);
    vdagentd_sso_free(sso);
}

/* A principal that maps to a local account single sign-on may never log in
 * as (root, a system account, ...) is refused by vdagentd: the greeter is
 * not asked, so nobody at the screen sees a failed login. One with no local
 * account at all is still left to the PAM module. */
static void test_user_refused(void)
{
    VDAgentdSso *sso = sso_new(60);

    fake.map = VDSSO_MAPPING_REFUSED;
    g_assert_cmpint(send_sso(sso, VDSSO_PORT_SERVER, "root@SPICE.TEST", 1, VDSSO_FLAG_LOGIN),
                    ==, VDSSO_RESULT_USER_REFUSED);
    g_assert_cmpint(send_sso(sso, VDSSO_PORT_SERVER, "root@SPICE.TEST", 2,
                             VDSSO_FLAG_LOGIN | VDSSO_FLAG_REFRESH), ==, VDSSO_RESULT_USER_REFUSED);
    /* whoever is on the seat */
    fake.seat.n_user_sessions = 1;
    fake.seat.active_is_user = TRUE;
    g_assert_cmpint(send_sso(sso, VDSSO_PORT_SERVER, "root@SPICE.TEST", 3, VDSSO_FLAG_REFRESH),
                    ==, VDSSO_RESULT_USER_REFUSED);
    fake.seat.n_user_sessions = 0;
    fake.seat.active_is_user = FALSE;
    g_assert_cmpint(fake.emitted->len, ==, 0);
    g_assert_true(!vdagentd_sso_has_pending(sso, NULL));
    g_assert_cmpint(fake.refreshes, ==, 0);

    /* a refusal also replaces a credential that was pending */
    fake.map = VDSSO_MAPPING_NO_USER;
    g_assert_cmpint(send_sso(sso, VDSSO_PORT_SERVER, "mallory@SPICE.TEST", 4, VDSSO_FLAG_LOGIN),
                    ==, VDSSO_RESULT_ACCEPTED);
    g_assert_cmpint(fake.emitted->len, ==, 1);
    g_assert_true(vdagentd_sso_has_pending(sso, NULL));
    fake.map = VDSSO_MAPPING_REFUSED;
    g_assert_cmpint(send_sso(sso, VDSSO_PORT_SERVER, "daemon@SPICE.TEST", 5, VDSSO_FLAG_LOGIN),
                    ==, VDSSO_RESULT_USER_REFUSED);
    g_assert_true(!vdagentd_sso_has_pending(sso, NULL));
    g_assert_cmpint(fake.emitted->len, ==, 1);

    /* the next principal with no local account goes to the PAM module */
    fake.map = VDSSO_MAPPING_NO_USER;
    g_assert_cmpint(send_sso(sso, VDSSO_PORT_SERVER, "mallory@SPICE.TEST", 6, VDSSO_FLAG_LOGIN),
                    ==, VDSSO_RESULT_ACCEPTED);
    g_assert_true(vdagentd_sso_has_pending(sso, NULL));
    g_assert_cmpint(fake.emitted->len, ==, 2);
    vdagentd_sso_free(sso);
}

static void test_wipes(void)
{
    VDAgentdSso *sso = sso_new(1);
    uint8_t old[VDSSO_TOKEN_SIZE], token[VDSSO_TOKEN_SIZE];
    VDSsoMsg *m;

    /* replaced */
    g_assert_cmpint(send_sso(sso, VDSSO_PORT_SERVER, ALICE, 1, VDSSO_FLAG_LOGIN),
                    ==, VDSSO_RESULT_ACCEPTED);
    token_of(sso, old);
    g_assert_cmpint(send_sso(sso, VDSSO_PORT_SERVER, ALICE, 2, VDSSO_FLAG_LOGIN),
                    ==, VDSSO_RESULT_ACCEPTED);
    token_of(sso, token);
    g_assert_true(memcmp(old, token, sizeof(token)) != 0);
    g_assert_cmpint(fetch(sso, old, &m), ==, VDSSO_STATUS_UNKNOWN_TOKEN);
    /* a token one bit off, first or last byte */
    old[0] = token[0] ^ 1;
    memcpy(old + 1, token + 1, sizeof(token) - 1);
    g_assert_cmpint(fetch(sso, old, &m), ==, VDSSO_STATUS_UNKNOWN_TOKEN);
    old[0] = token[0];
    old[15] ^= 0x80;
    g_assert_cmpint(fetch(sso, old, &m), ==, VDSSO_STATUS_UNKNOWN_TOKEN);
    /* a report before the fetch */
    g_assert_cmpint(vdagentd_sso_report(sso, token, VDSSO_OUTCOME_SUCCESS, ALICE_UID),
                    ==, VDSSO_STATUS_NOT_FETCHED);
    g_assert_cmpint(fetch(sso, token, &m), ==, VDSSO_STATUS_OK);
    g_assert_cmpint(m->serial, ==, 2);
    vdsso_msg_free(m);
    /* a failure reported: no record, nothing to lock */
    g_assert_cmpint(vdagentd_sso_report(sso, token, VDSSO_OUTCOME_VERIFY_FAILED, ALICE_UID),
                    ==, VDSSO_STATUS_OK);
    fake.sessions_uid = ALICE_UID;
    fake.sessions[0] = "2";
    vdagentd_sso_client_disconnected(sso, "test");
    g_assert_cmpint(fake.locked->len, ==, 0);
    fake.sessions[0] = NULL;

    /* the client leaves; the port is reset */
    g_assert_cmpint(send_sso(sso, VDSSO_PORT_SERVER, ALICE, 3, VDSSO_FLAG_LOGIN),
                    ==, VDSSO_RESULT_ACCEPTED);
    token_of(sso, token);
    vdagentd_sso_client_disconnected(sso, "test");
    g_assert_true(!vdagentd_sso_has_pending(sso, NULL));
    g_assert_cmpint(fetch(sso, token, &m), ==, VDSSO_STATUS_UNKNOWN_TOKEN);
    g_assert_cmpint(send_sso(sso, VDSSO_PORT_SERVER, ALICE, 4, VDSSO_FLAG_LOGIN),
                    ==, VDSSO_RESULT_ACCEPTED);
    vdagentd_sso_port_reset(sso);
    g_assert_true(!vdagentd_sso_has_pending(sso, NULL));
    /* root is never recorded */
    g_assert_cmpint(send_sso(sso, VDSSO_PORT_SERVER, ALICE, 5, VDSSO_FLAG_LOGIN),
                    ==, VDSSO_RESULT_ACCEPTED);
    token_of(sso, token);
    g_assert_cmpint(fetch(sso, token, &m), ==, VDSSO_STATUS_OK);
    vdsso_msg_free(m);
    g_assert_cmpint(vdagentd_sso_report(sso, token, VDSSO_OUTCOME_SUCCESS, 0),
                    ==, VDSSO_STATUS_BAD_REQUEST);

    /* expiry (time to live 1 s), fetched or not */
    g_assert_cmpint(send_sso(sso, VDSSO_PORT_SERVER, ALICE, 6, VDSSO_FLAG_LOGIN),
                    ==, VDSSO_RESULT_ACCEPTED);
    token_of(sso, token);
    run_loop_ms(2600);
    g_assert_true(!vdagentd_sso_has_pending(sso, NULL));
    g_assert_cmpint(fetch(sso, token, &m), ==, VDSSO_STATUS_UNKNOWN_TOKEN);
    /* a fetched credential's report is awaited for a time to live of its
     * own, but not for ever */
    g_assert_cmpint(send_sso(sso, VDSSO_PORT_SERVER, ALICE, 8, VDSSO_FLAG_LOGIN),
                    ==, VDSSO_RESULT_ACCEPTED);
    token_of(sso, token);
    g_assert_cmpint(fetch(sso, token, &m), ==, VDSSO_STATUS_OK);
    vdsso_msg_free(m);
    run_loop_ms(2600);
    g_assert_cmpint(vdagentd_sso_report(sso, token, VDSSO_OUTCOME_SUCCESS, ALICE_UID),
                    ==, VDSSO_STATUS_UNKNOWN_TOKEN);
    vdagentd_sso_free(sso);
}

/* The time to live bounds the wait for the FETCH; the REPORT then gets one
 * of its own (the module's verification may wait for the KDC, and it refuses
 * a login whose report is not acknowledged). g_timeout_add_seconds() fires
 * between 0.25 s early and 1 s late: with 3 s, the first expiry comes
 * between 2.75 and 4 s, the one restarted by a fetch at 2 s after 4.75 s. */
static void test_report_window(void)
{
    VDAgentdSso *sso = sso_new(3);
    uint8_t token[VDSSO_TOKEN_SIZE];
    VDSsoMsg *m;

    g_assert_cmpint(send_sso(sso, VDSSO_PORT_SERVER, ALICE, 1, VDSSO_FLAG_LOGIN),
                    ==, VDSSO_RESULT_ACCEPTED);
    token_of(sso, token);
    run_loop_ms(2000);
    g_assert_cmpint(fetch(sso, token, &m), ==, VDSSO_STATUS_OK);
    vdsso_msg_free(m);
    run_loop_ms(2400);
    g_assert_true(vdagentd_sso_has_pending(sso, NULL));
    g_assert_cmpint(vdagentd_sso_report(sso, token, VDSSO_OUTCOME_SUCCESS, ALICE_UID),
                    ==, VDSSO_STATUS_OK);
    g_assert_true(!vdagentd_sso_has_pending(sso, NULL));
    vdagentd_sso_free(sso);
}

/* ------------------------------------------------------------ configuration */

static gboolean load(const char *contents, const char *const *extra, VDAgentdSsoConfig *config,
                     GError **err)
{
    char path[4300];
    const char *argv[12] = { "test", "--sso-config", path };
    int argc = 3;
    char **args;

    snprintf(path, sizeof(path), "%s/sso.conf", tmpdir);
    g_assert_true(g_file_set_contents(path, contents, -1, NULL));
    for (; extra != NULL && *extra != NULL; extra++) {
        argv[argc++] = *extra;
    }
    args = (char **)argv;
    GOptionContext *ctx = g_option_context_new(NULL);
    g_option_context_add_main_entries(ctx, vdagentd_sso_option_entries(), NULL);
    g_assert_true(g_option_context_parse(ctx, &argc, &args, NULL));
    g_option_context_free(ctx);
    gboolean ok = vdagentd_sso_config_load(config, err);
    vdagentd_sso_options_clear();
    g_unlink(path);
    return ok;
}

static void test_config(void)
{
    VDAgentdSsoConfig c;
    GError *err = NULL;

    g_assert_true(load("[sso]\nenable=true\nttl=20\npam-service-file=/x/pam\nsocket=/x/sock\n"
                       "state-file=/x/state\n", NULL, &c, &err));
    g_assert_true(c.enabled);
    g_assert_cmpint(c.ttl, ==, 20);
    g_assert_cmpstr(c.pam_service_file, ==, "/x/pam");
    g_assert_cmpstr(c.socket_path, ==, "/x/sock");
    g_assert_cmpstr(c.state_file, ==, "/x/state");
    vdagentd_sso_config_clear(&c);

    g_assert_true(load("# nothing\n", NULL, &c, &err));
    g_assert_true(!c.enabled);
    g_assert_cmpint(c.ttl, ==, VDAGENTD_SSO_DEFAULT_TTL);
    g_assert_cmpstr(c.pam_service_file, ==, VDAGENTD_SSO_DEFAULT_PAM_SERVICE_FILE);
    g_assert_cmpstr(c.socket_path, ==, VDAGENTD_SSO_DEFAULT_SOCKET);
    g_assert_cmpstr(c.state_file, ==, "/run/spice-vdagentd/sso-sessions");
    vdagentd_sso_config_clear(&c);

    static const char *const bad[] = {
        "[sso]\nttl=1\n", "[sso]\nttl=601\n", "[sso]\nttl=soon\n", "[sso]\nenable=maybe\n",
        "[sso]\nsocket=relative/sock\n", "[sso]\nsockets=/x\n", "[sso]\nstate-file=x\n", "[other]\nenable=true\n",
        "not a key file\n",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_assert_true(!load(bad[i], NULL, &c, &err));
        g_assert_true(err != NULL);
        g_clear_error(&err);
    }

    /* the command line wins */
    static const char *const cmdline[] = { "--sso", "--sso-ttl", "30", "--sso-socket", "/y/sock",
                                           "--sso-state-file", "/y/state", NULL };
    g_assert_true(load("[sso]\nenable=false\nttl=20\nsocket=/x/sock\nstate-file=/x/state\n",
                       cmdline, &c, &err));
    g_assert_true(c.enabled);
    g_assert_cmpint(c.ttl, ==, 30);
    g_assert_cmpstr(c.socket_path, ==, "/y/sock");
    g_assert_cmpstr(c.state_file, ==, "/y/state");
    vdagentd_sso_config_clear(&c);
    static const char *const badttl[] = { "--sso-ttl", "3", NULL };
    g_assert_true(!load("", badttl, &c, &err));
    g_clear_error(&err);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_assert_true(g_mkdtemp(tmpdir) != NULL);
    snprintf(pam_file, sizeof(pam_file), "%s/gdm-ovirtcred", tmpdir);
    snprintf(sock_path, sizeof(sock_path), "%s/sso.sock", tmpdir);
    snprintf(state_file, sizeof(state_file), "%s/sso-sessions", tmpdir);
    g_assert_true(g_file_set_contents(pam_file, "", 0, NULL));
    g_assert_cmpint(krb5_init_context(&fake_ctx), ==, 0);
    fake.emitted = g_ptr_array_new_with_free_func(g_free);
    fake.locked = g_ptr_array_new_with_free_func(g_free);
    fake.hints = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    fake.port = g_byte_array_new();

    g_test_add_func("/sso-policy/login", test_login);
    g_test_add_func("/sso-policy/password-unlock-relocks", test_password_unlock_relocks);
    g_test_add_func("/sso-policy/lock-before-session", test_lock_before_session);
    g_test_add_func("/sso-policy/lock-gives-up", test_lock_gives_up);
    g_test_add_func("/sso-policy/restart", test_restart);
    g_test_add_func("/sso-policy/unlock-then-leave", test_unlock_then_leave);
    g_test_add_func("/sso-policy/unlock-relocks", test_unlock_relocks);
    g_test_add_func("/sso-policy/wrong-conversation-login", test_wrong_conversation_login);
    g_test_add_func("/sso-policy/wrong-conversation-unlock", test_wrong_conversation_unlock);
    g_test_add_func("/sso-policy/refresh-unlocked", test_refresh_unlocked);
    g_test_add_func("/sso-policy/helper", test_helper);
    g_test_add_func("/sso-policy/unlock-emits-once", test_unlock_emits_once);
    g_test_add_func("/sso-policy/token-withdrawn", test_token_withdrawn);
    g_test_add_func("/sso-policy/fetched-too-often", test_fetched_too_often);
    g_test_add_func("/sso-policy/backoff", test_backoff);
    g_test_add_func("/sso-policy/refusals", test_refusals);
    g_test_add_func("/sso-policy/user-refused", test_user_refused);
    g_test_add_func("/sso-policy/wipes", test_wipes);
    g_test_add_func("/sso-policy/report-window", test_report_window);
    g_test_add_func("/sso-policy/config", test_config);
    int rc = g_test_run();

    g_ptr_array_free(fake.emitted, TRUE);
    g_ptr_array_free(fake.locked, TRUE);
    g_hash_table_destroy(fake.hints);
    g_byte_array_free(fake.port, TRUE);
    krb5_free_context(fake_ctx);
    g_unlink(pam_file);
    g_rmdir(tmpdir);
    (void)fake_krb5_conf; /* fake-creds.h helper these tests do not need */
    return rc;
}
