/* test-sso-redeem.c - the redemption socket of spice-vdagentd
 * (vdagent/src/sso-redeem.c) with fake handlers, and clients in a thread.
 * The peer-credential check needs root (to connect as another uid): without
 * it that part is skipped, the rest still runs. */
#include "sso-redeem.h"

#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/test-sso-redeem-XXXXXX";
static char sock_path[4200];
static const uint8_t good_token[VDSSO_TOKEN_SIZE] = { 1, 2, 3, 4, 5, 6, 7, 8,
                                                      9, 10, 11, 12, 13, 14, 15, 16 };
static int fetches, reports;
static uint32_t last_outcome, last_uid, last_user;
static pid_t last_pid;

static uint32_t op_fetch(gpointer data, const uint8_t token[VDSSO_TOKEN_SIZE], uint32_t user,
                         pid_t pid, uint8_t **payload, gsize *len)
{
    fetches++;
    last_user = user;
    last_pid = pid;
    if (memcmp(token, good_token, VDSSO_TOKEN_SIZE) != 0) {
        return VDSSO_STATUS_UNKNOWN_TOKEN;
    }
    /* any bytes do: the socket does not look into the payload */
    *len = 3000;
    *payload = g_malloc(*len);
    memset(*payload, 0xa5, *len);
    return VDSSO_STATUS_OK;
}

static uint32_t op_report(gpointer data, const uint8_t token[VDSSO_TOKEN_SIZE], uint32_t outcome,
                          uint32_t uid)
{
    reports++;
    last_outcome = outcome;
    last_uid = uid;
    return memcmp(token, good_token, VDSSO_TOKEN_SIZE) == 0 ? VDSSO_STATUS_OK
                                                             : VDSSO_STATUS_UNKNOWN_TOKEN;
}

static int jobs, mappeds;
static uint32_t last_job, last_mapping;

static uint32_t op_job(gpointer data, uint32_t job, pid_t pid, uint8_t **payload, gsize *len)
{
    jobs++;
    last_job = job;
    last_pid = pid;
    if (job != 7) {
        return VDSSO_STATUS_UNKNOWN_TOKEN;
    }
    *len = 100;
    *payload = g_malloc(*len);
    memset(*payload, 0x5a, *len);
    return VDSSO_STATUS_OK;
}

static uint32_t op_mapped(gpointer data, uint32_t job, uint32_t mapping, uint32_t uid,
                          pid_t pid, uint8_t token[VDSSO_TOKEN_SIZE], gboolean *has_token)
{
    mappeds++;
    last_job = job;
    last_mapping = mapping;
    last_uid = uid;
    if (job != 7) {
        return VDSSO_STATUS_UNKNOWN_TOKEN;
    }
    /* a refresh (a user): the token for the helper's PAM conversation */
    if (mapping == VDSSO_MAPPING_USER) {
        memcpy(token, good_token, VDSSO_TOKEN_SIZE);
        *has_token = TRUE;
    }
    return VDSSO_STATUS_OK;
}

static const VDAgentdSsoRedeemOps ops = { op_fetch, op_report, op_job, op_mapped };

/* ------------------------------------------------------------ the client */

typedef struct {
    uint8_t req[256];
    size_t req_len;
    gboolean close_early; /* send half of it, then close */
    /* the answer */
    uint8_t ans[VDSSO_REDEEM_MAX_FRAME];
    size_t ans_len;
    gboolean done;
} Client;

static int connect_to(void)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    strcpy(addr.sun_path, sock_path);
    g_assert_cmpint(connect(fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    return fd;
}

static gpointer client_thread(gpointer data)
{
    Client *c = data;
    int fd = connect_to();
    size_t n = c->close_early ? c->req_len / 2 : c->req_len;

    g_assert_cmpint(send(fd, c->req, n, MSG_NOSIGNAL), ==, (long)n);
    if (!c->close_early) {
        for (;;) {
            ssize_t r = recv(fd, c->ans + c->ans_len, sizeof(c->ans) - c->ans_len, 0);
            if (r <= 0) {
                break;
            }
            c->ans_len += (size_t)r;
        }
    }
    close(fd);
    g_atomic_int_set(&c->done, TRUE);
    return NULL;
}

/* Send @c->req and wait (running the main loop) for the server's answer. */
static void exchange(Client *c)
{
    GThread *t = g_thread_new("client", client_thread, c);
    gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

    while (!g_atomic_int_get(&c->done) && g_get_monotonic_time() < end) {
        g_main_context_iteration(NULL, FALSE);
        g_usleep(1000);
    }
    g_assert_true(g_atomic_int_get(&c->done));
    g_thread_join(t);
    /* let the server notice a connection that went away */
    for (int i = 0; i < 20; i++) {
        g_main_context_iteration(NULL, FALSE);
        g_usleep(1000);
    }
}

static void request(Client *c, uint16_t type, const uint8_t *token, uint32_t outcome, uint32_t uid)
{
    VDSsoRedeemFrame f = { .type = type, .version = VDSSO_REDEEM_VERSION, .outcome = outcome,
                           .uid = uid, .job = 7, .mapping = outcome };
    memset(c, 0, sizeof(*c));
    memcpy(f.token, token, VDSSO_TOKEN_SIZE);
    long n = vdsso_redeem_encode(&f, c->req, sizeof(c->req));
    g_assert_true(n > 0);
    c->req_len = (size_t)n;
}

static void raw(Client *c, uint32_t length, uint16_t type, uint16_t version, size_t body)
{
    memset(c, 0, sizeof(*c));
    c->req[0] = (uint8_t)length;
    c->req[1] = (uint8_t)(length >> 8);
    c->req[2] = (uint8_t)(length >> 16);
    c->req[3] = (uint8_t)(length >> 24);
    c->req[4] = (uint8_t)type;
    c->req[5] = (uint8_t)(type >> 8);
    c->req[6] = (uint8_t)version;
    c->req[7] = (uint8_t)(version >> 8);
    c->req_len = VDSSO_REDEEM_HEADER + body;
}

/* The answer as a frame; its status, or 0x100 + type for other frames, or
 * -1 if the server hung up without answering. */
static long answer(Client *c, VDSsoRedeemFrame *f)
{
    if (c->ans_len == 0) {
        return -1;
    }
    g_assert_cmpint(vdsso_redeem_frame_size(c->ans, c->ans_len), ==, (long)c->ans_len);
    g_assert_cmpint(vdsso_redeem_decode(c->ans, c->ans_len, f), ==, VDSSO_OK);
    return f->type == VDSSO_REDEEM_STATUS ? (long)f->status : 0x100 + f->type;
}

/* ------------------------------------------------------------------ cases */

static void test_requests(void)
{
    Client c;
    VDSsoRedeemFrame f;
    uint8_t bad[VDSSO_TOKEN_SIZE] = { 0 };

    request(&c, VDSSO_REDEEM_FETCH, good_token, 0, 5002);
    exchange(&c);
    g_assert_cmpint(answer(&c, &f), ==, 0x100 + VDSSO_REDEEM_CRED);
    g_assert_cmpint(f.body_len, ==, 3000);
    g_assert_true(f.body[0] == 0xa5 && f.body[2999] == 0xa5);
    /* the handler learns the conversation's preset user and the peer's pid
     * (SO_PEERCRED: the client thread is ours) */
    g_assert_cmpint(last_user, ==, 5002);
    g_assert_cmpint(last_pid, ==, getpid());

    request(&c, VDSSO_REDEEM_FETCH, bad, 0, 0);
    exchange(&c);
    g_assert_cmpint(answer(&c, &f), ==, VDSSO_STATUS_UNKNOWN_TOKEN);

    request(&c, VDSSO_REDEEM_REPORT, good_token, VDSSO_OUTCOME_NO_USER, 5001);
    exchange(&c);
    g_assert_cmpint(answer(&c, &f), ==, VDSSO_STATUS_OK);
    g_assert_cmpint(last_outcome, ==, VDSSO_OUTCOME_NO_USER);
    g_assert_cmpint(last_uid, ==, 5001);
    g_assert_cmpint(fetches, ==, 2);
    g_assert_cmpint(reports, ==, 1);

    /* the helper: JOB gets the message, MAPPED a token for a refresh or
     * STATUS(OK) when vdagentd takes it from there */
    request(&c, VDSSO_REDEEM_JOB, bad, 0, 0);
    exchange(&c);
    g_assert_cmpint(answer(&c, &f), ==, 0x100 + VDSSO_REDEEM_CRED);
    g_assert_cmpint(f.body_len, ==, 100);
    g_assert_cmpint(last_job, ==, 7);
    g_assert_cmpint(last_pid, ==, getpid());
    request(&c, VDSSO_REDEEM_MAPPED, bad, VDSSO_MAPPING_USER, 5001);
    exchange(&c);
    g_assert_cmpint(answer(&c, &f), ==, 0x100 + VDSSO_REDEEM_TOKEN);
    g_assert_cmpmem(f.token, VDSSO_TOKEN_SIZE, good_token, VDSSO_TOKEN_SIZE);
    g_assert_cmpint(last_mapping, ==, VDSSO_MAPPING_USER);
    g_assert_cmpint(last_uid, ==, 5001);
    request(&c, VDSSO_REDEEM_MAPPED, bad, VDSSO_MAPPING_REFUSED, VDSSO_REDEEM_NO_USER);
    exchange(&c);
    g_assert_cmpint(answer(&c, &f), ==, VDSSO_STATUS_OK);
    g_assert_cmpint(last_mapping, ==, VDSSO_MAPPING_REFUSED);
    g_assert_cmpint(jobs, ==, 1);
    g_assert_cmpint(mappeds, ==, 2);
}

static void test_bad_frames(void)
{
    Client c;
    VDSsoRedeemFrame f;
    int before = fetches + reports;

    /* frames only the agent sends */
    raw(&c, 4 + 4, VDSSO_REDEEM_STATUS, 3, 4);
    exchange(&c);
    g_assert_cmpint(answer(&c, &f), ==, VDSSO_STATUS_BAD_REQUEST);
    raw(&c, 4 + 16, VDSSO_REDEEM_TOKEN, 3, 16);
    exchange(&c);
    g_assert_cmpint(answer(&c, &f), ==, VDSSO_STATUS_BAD_REQUEST);
    raw(&c, 4 + 100, VDSSO_REDEEM_CRED, 3, 0);
    exchange(&c);
    g_assert_cmpint(answer(&c, &f), ==, VDSSO_STATUS_BAD_REQUEST);
    /* too large, wrong version (version 1's FETCH, a token only), unknown
     * type, wrong fixed size */
    raw(&c, 0x7fffffff, VDSSO_REDEEM_CRED, 3, 0);
    exchange(&c);
    g_assert_cmpint(answer(&c, &f), ==, VDSSO_STATUS_BAD_REQUEST);
    raw(&c, 4 + 16, VDSSO_REDEEM_FETCH, 1, 16);
    exchange(&c);
    g_assert_cmpint(answer(&c, &f), ==, VDSSO_STATUS_BAD_REQUEST);
    raw(&c, 4 + 20, VDSSO_REDEEM_FETCH, 2, 20);
    exchange(&c);
    g_assert_cmpint(answer(&c, &f), ==, VDSSO_STATUS_BAD_REQUEST);
    raw(&c, 4 + 20, VDSSO_REDEEM_FETCH, 4, 20);
    exchange(&c);
    g_assert_cmpint(answer(&c, &f), ==, VDSSO_STATUS_BAD_REQUEST);
    raw(&c, 4 + 16, 7, 3, 16);
    exchange(&c);
    g_assert_cmpint(answer(&c, &f), ==, VDSSO_STATUS_BAD_REQUEST);
    raw(&c, 4 + 16, VDSSO_REDEEM_FETCH, 3, 16);
    exchange(&c);
    g_assert_cmpint(answer(&c, &f), ==, VDSSO_STATUS_BAD_REQUEST);
    raw(&c, 4 + 8, VDSSO_REDEEM_MAPPED, 3, 8);
    exchange(&c);
    g_assert_cmpint(answer(&c, &f), ==, VDSSO_STATUS_BAD_REQUEST);
    /* half a request, then gone */
    request(&c, VDSSO_REDEEM_FETCH, good_token, 0, 0);
    c.close_early = TRUE;
    exchange(&c);
    g_assert_cmpint(fetches + reports, ==, before);
    /* still serving */
    request(&c, VDSSO_REDEEM_FETCH, good_token, 0, 0);
    exchange(&c);
    g_assert_cmpint(answer(&c, &f), ==, 0x100 + VDSSO_REDEEM_CRED);
}

static void test_peer_uid(void)
{
    if (geteuid() != 0) {
        fprintf(stderr, "not root: the peer uid check is not tested here\n");
        return;
    }
    struct stat st;
    g_assert_cmpint(lstat(sock_path, &st), ==, 0);
    g_assert_true(S_ISSOCK(st.st_mode) && (st.st_mode & 0777) == 0600);
    /* get past the file modes, as a process with CAP_DAC_OVERRIDE could */
    char *dir = g_path_get_dirname(sock_path);
    g_assert_cmpint(chmod(tmpdir, 0711), ==, 0);
    g_assert_cmpint(chmod(dir, 0711), ==, 0);
    g_assert_cmpint(chmod(sock_path, 0666), ==, 0);
    pid_t pid = fork();
    if (pid == 0) {
        uint8_t req[64], ans[16];
        VDSsoRedeemFrame f = { .type = VDSSO_REDEEM_FETCH, .version = VDSSO_REDEEM_VERSION };
        memcpy(f.token, good_token, sizeof(good_token));
        long n = vdsso_redeem_encode(&f, req, sizeof(req));
        if (setgid(65534) != 0 || setuid(65534) != 0) {
            _exit(3);
        }
        int fd = connect_to();
        if (send(fd, req, (size_t)n, MSG_NOSIGNAL) < 0 && errno != EPIPE && errno != ECONNRESET) {
            _exit(4);
        }
        /* served: exit 1; refused: the server closes without a word */
        _exit(recv(fd, ans, sizeof(ans), 0) > 0 ? 1 : 0);
    }
    int status = -1;
    gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    while (waitpid(pid, &status, WNOHANG) == 0 && g_get_monotonic_time() < end) {
        g_main_context_iteration(NULL, FALSE);
        g_usleep(1000);
    }
    g_assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    g_assert_cmpint(chmod(sock_path, 0600), ==, 0);
    g_assert_cmpint(chmod(dir, 0700), ==, 0);
    g_assert_cmpint(chmod(tmpdir, 0700), ==, 0);
    g_free(dir);
}

static void test_setup_errors(void)
{
    GError *err = NULL;
    char path[4300];

    /* something that is not a socket is never replaced */
    snprintf(path, sizeof(path), "%s/file", tmpdir);
    g_assert_true(g_file_set_contents(path, "x", 1, NULL));
    g_assert_true(vdagentd_sso_redeem_new(path, &ops, NULL, &err) == NULL);
    g_assert_true(err != NULL);
    g_clear_error(&err);
    g_unlink(path);
    /* a stale socket, as a crash leaves it, is */
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    strcpy(addr.sun_path, path);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), ==, 0);
    close(fd);
    VDAgentdSsoRedeem *s = vdagentd_sso_redeem_new(path, &ops, NULL, &err);
    g_assert_true(s != NULL && err == NULL);
    vdagentd_sso_redeem_free(s);
    g_assert_true(!g_file_test(path, G_FILE_TEST_EXISTS));
    /* the directory may be readable by all (upstream's /run/spice-vdagentd
     * is 0755), but not writable by anyone but its owner, the daemon's user */
    char dir[4200];
    snprintf(dir, sizeof(dir), "%s/shared", tmpdir);
    snprintf(path, sizeof(path), "%s/sso.sock", dir);
    g_assert_cmpint(mkdir(dir, 0755), ==, 0);
    g_assert_cmpint(chmod(dir, 0755), ==, 0);
    s = vdagentd_sso_redeem_new(path, &ops, NULL, &err);
    g_assert_true(s != NULL && err == NULL);
    vdagentd_sso_redeem_free(s);
    static const mode_t unsafe[] = { 0775, 0757, 01777 };
    for (size_t i = 0; i < G_N_ELEMENTS(unsafe); i++) {
        g_assert_cmpint(chmod(dir, unsafe[i]), ==, 0);
        g_assert_true(vdagentd_sso_redeem_new(path, &ops, NULL, &err) == NULL);
        g_assert_true(err != NULL && strstr(err->message, "nobody else may write") != NULL);
        g_clear_error(&err);
        g_assert_true(!g_file_test(path, G_FILE_TEST_EXISTS));
    }
    if (geteuid() == 0) {
        g_assert_cmpint(chmod(dir, 0755), ==, 0);
        g_assert_cmpint(chown(dir, 65534, 65534), ==, 0);
        g_assert_true(vdagentd_sso_redeem_new(path, &ops, NULL, &err) == NULL);
        g_clear_error(&err);
    }
    g_assert_cmpint(rmdir(dir), ==, 0);
    /* too long a path */
    char longp[200];
    memset(longp, 'a', sizeof(longp) - 1);
    longp[0] = '/';
    longp[sizeof(longp) - 1] = '\0';
    g_assert_true(vdagentd_sso_redeem_new(longp, &ops, NULL, &err) == NULL);
    g_clear_error(&err);
}

static VDAgentdSsoRedeem *server;

static void test_new(void)
{
    GError *err = NULL;

    snprintf(sock_path, sizeof(sock_path), "%s/sub/sso.sock", tmpdir);
    server = vdagentd_sso_redeem_new(sock_path, &ops, NULL, &err);
    g_assert_true(server != NULL && err == NULL);
    /* a missing directory is created root-only */
    g_autofree char *dir = g_path_get_dirname(sock_path);
    struct stat st;
    g_assert_cmpint(stat(dir, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 0777, ==, 0700);
}

static void test_free(void)
{
    vdagentd_sso_redeem_free(server);
    server = NULL;
    g_assert_true(!g_file_test(sock_path, G_FILE_TEST_EXISTS));
    g_autofree char *dir = g_path_get_dirname(sock_path);
    g_rmdir(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_assert_true(g_mkdtemp(tmpdir) != NULL);
    g_test_add_func("/sso-redeem/new", test_new);
    g_test_add_func("/sso-redeem/requests", test_requests);
    g_test_add_func("/sso-redeem/bad-frames", test_bad_frames);
    g_test_add_func("/sso-redeem/peer-uid", test_peer_uid);
    g_test_add_func("/sso-redeem/free", test_free);
    g_test_add_func("/sso-redeem/setup-errors", test_setup_errors);
    int rc = g_test_run();

    g_rmdir(tmpdir);
    return rc;
}
