/* Unit tests of pam_vdagent_sso's redemption-socket client against a forked
 * server that answers each connection as scripted: the good answers, and
 * every way a server can be wrong (not root, silent, truncated, oversized,
 * another version, a body that does not decode). Needs root (the server
 * must run as root to be accepted). */
#include "internal.h"

#include <errno.h>
#include <glib.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

enum answer {
    A_CRED, A_UNKNOWN, A_STATUS_OK, A_STATUS_NOT_FETCHED, A_BAD_VERSION, A_HUGE, A_TRUNCATED,
    A_SILENT, A_CRED_GARBAGE, A_CLOSE, A_WRONG_CONVERSATION, A_TOKEN
};

static const uint8_t token[VDSSO_TOKEN_SIZE] = { 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4,
                                                  5, 6, 7, 8, 9, 10, 11, 12 };
static char dir[] = "/tmp/sso-redeem-test-XXXXXX";
static char path[100];

static int read_n(int fd, uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r <= 0) {
            return -1;
        }
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

/* The server: one connection, one answer; exit 0 if the request was the
 * expected one (FETCH or REPORT of our token). */
static void serve(int lfd, enum answer a)
{
    int fd = accept(lfd, NULL, NULL);
    if (fd < 0) {
        _exit(2);
    }
    uint8_t req[64];
    if (read_n(fd, req, VDSSO_REDEEM_HEADER) != 0) {
        _exit(3);
    }
    long size = vdsso_redeem_frame_size(req, VDSSO_REDEEM_HEADER);
    if (size < 0 || (size_t)size > sizeof(req) ||
        read_n(fd, req + VDSSO_REDEEM_HEADER, (size_t)size - VDSSO_REDEEM_HEADER) != 0) {
        _exit(4);
    }
    VDSsoRedeemFrame f;
    if (vdsso_redeem_decode(req, (size_t)size, &f) != VDSSO_OK) {
        _exit(5);
    }
    /* the helper's requests name job 7; MAPPED: alice, uid 5001 */
    if (f.type == VDSSO_REDEEM_JOB || f.type == VDSSO_REDEEM_MAPPED) {
        if (f.job != 7 || (f.type == VDSSO_REDEEM_MAPPED &&
                           (f.mapping != VDSSO_MAPPING_USER || f.uid != 5001))) {
            _exit(12);
        }
    } else if (memcmp(f.token, token, sizeof(token)) != 0) {
        _exit(5);
    }
    if (f.type == VDSSO_REDEEM_REPORT && (f.outcome != 2 || f.uid != 5001)) {
        _exit(6);
    }
    /* the FETCH names the conversation's preset user (here: 5002) */
    if (f.type == VDSSO_REDEEM_FETCH && f.uid != 5002) {
        _exit(11);
    }
    uint8_t out[VDSSO_REDEEM_MAX_FRAME];
    long n = 0;
    VDSsoRedeemFrame ans = { .version = VDSSO_REDEEM_VERSION };
    uint8_t payload[512];
    switch (a) {
    case A_CRED:
    case A_CRED_GARBAGE: {
        /* one record of 3 bytes (no Kerberos credential: redeeming does not read it) */
        uint8_t cred[7] = { 3, 0, 0, 0, 'x', 'y', 'z' };
        VDSsoMsg m = { .version = VDSSO_VERSION, .serial = 9, .flags = VDSSO_FLAG_LOGIN,
                       .cred_type = VDSSO_CRED_KRB5_CREDS, .principal = (char *)"alice@SPICE.TEST",
                       .principal_len = 16, .cred = cred, .cred_len = 7 };
        long plen = vdsso_msg_encode(&m, payload, sizeof(payload));
        if (a == A_CRED_GARBAGE) {
            payload[0] = 9; /* version 9 */
        }
        ans.type = VDSSO_REDEEM_CRED;
        ans.body = payload;
        ans.body_len = (uint32_t)plen;
        n = vdsso_redeem_encode(&ans, out, sizeof(out));
        break;
    }
    case A_UNKNOWN:
    case A_STATUS_OK:
    case A_STATUS_NOT_FETCHED:
    case A_WRONG_CONVERSATION:
        ans.type = VDSSO_REDEEM_STATUS;
        ans.status = a == A_UNKNOWN ? VDSSO_STATUS_UNKNOWN_TOKEN
                     : a == A_STATUS_OK ? VDSSO_STATUS_OK
                     : a == A_WRONG_CONVERSATION ? VDSSO_STATUS_WRONG_CONVERSATION
                     : VDSSO_STATUS_NOT_FETCHED;
        n = vdsso_redeem_encode(&ans, out, sizeof(out));
        break;
    case A_BAD_VERSION:
        ans.type = VDSSO_REDEEM_STATUS;
        n = vdsso_redeem_encode(&ans, out, sizeof(out));
        out[6] = 1;
        break;
    case A_HUGE:
        memcpy(out, "\xf0\xff\xff\xff\x81\x00\x03\x00", 8);
        n = 8;
        break;
    case A_TRUNCATED:
        memcpy(out, "\x64\x00\x00\x00\x81\x00\x03\x00" "abcdefgh", 16);
        n = 16;
        break;
    case A_TOKEN:
        ans.type = VDSSO_REDEEM_TOKEN;
        memcpy(ans.token, token, sizeof(token));
        n = vdsso_redeem_encode(&ans, out, sizeof(out));
        break;
    case A_SILENT: /* until the client gives up */
        while (read(fd, out, sizeof(out)) > 0) {
        }
        _exit(0);
    case A_CLOSE:
        _exit(0);
    }
    if (n <= 0 || write(fd, out, (size_t)n) != n) {
        _exit(7);
    }
    close(fd);
    _exit(0);
}

/* Start a server answering @a, running as @uid. */
static pid_t start(enum answer a, uid_t uid)
{
    unlink(path);
    int ready[2];
    g_assert_cmpint(pipe(ready), ==, 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(ready[0]);
        if (uid != 0 && (setresgid(uid, uid, uid) != 0 || setresuid(uid, uid, uid) != 0)) {
            _exit(8);
        }
        int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
        if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(lfd, 1) != 0) {
            _exit(9);
        }
        if (write(ready[1], "r", 1) != 1) {
            _exit(10);
        }
        close(ready[1]);
        serve(lfd, a);
    }
    close(ready[1]);
    char c;
    g_assert_cmpint(read(ready[0], &c, 1), ==, 1);
    close(ready[0]);
    return pid;
}

static int finish(pid_t pid)
{
    int st = 0;
    if (pid <= 0) {
        return 0;
    }
    for (int i = 0; i < 300; i++) {
        if (waitpid(pid, &st, WNOHANG) == pid) {
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        }
        usleep(10000);
    }
    kill(pid, SIGTERM);
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void fetch_expect(const char *what, enum answer a, uid_t uid, int timeout,
                         SsoRedeemResult want, const char *text)
{
    pid_t pid = uid != (uid_t)-1 ? start(a, uid) : 0;
    VDSsoMsg *m = NULL;
    char err[512] = "";
    SsoRedeemResult r = sso_redeem_fetch(path, timeout, 0, token, 5002, &m, err, sizeof(err));
    if (r != want || (text != NULL && strstr(err, text) == NULL)) {
        g_test_fail_printf("%s: result %d (want %d), \"%s\" (want \"%s\")", what, r, want, err,
                           text ? text : "");
    }
    if (want == SSO_REDEEM_OK) {
        g_assert_true(m != NULL && strcmp(m->principal, "alice@SPICE.TEST") == 0 &&
                      m->cred_len == 7);
    } else {
        g_assert_true(m == NULL);
    }
    vdsso_msg_free(m);
    int code = finish(pid);
    if (want != SSO_REDEEM_NOT_ROOT && a != A_SILENT && a != A_CLOSE) {
        g_assert_cmpint(code, ==, 0);
    }
}

static void test_fetch(void)
{
    fetch_expect("cred", A_CRED, 0, 5, SSO_REDEEM_OK, NULL);
    fetch_expect("unknown token", A_UNKNOWN, 0, 5, SSO_REDEEM_UNKNOWN_TOKEN, "does not know this token");
    fetch_expect("wrong conversation", A_WRONG_CONVERSATION, 0, 5, SSO_REDEEM_WRONG_CONVERSATION,
                 "holds this token for another conversation");
    fetch_expect("status to a fetch", A_STATUS_NOT_FETCHED, 0, 5, SSO_REDEEM_PROTOCOL, "status 3");
    fetch_expect("not root", A_CRED, 65534, 5, SSO_REDEEM_NOT_ROOT, "served by uid 65534");
    fetch_expect("bad version", A_BAD_VERSION, 0, 5, SSO_REDEEM_PROTOCOL, "malformed answer");
    fetch_expect("huge", A_HUGE, 0, 5, SSO_REDEEM_PROTOCOL, "malformed answer");
    fetch_expect("truncated", A_TRUNCATED, 0, 5, SSO_REDEEM_PROTOCOL, "truncated answer");
    fetch_expect("closed", A_CLOSE, 0, 5, SSO_REDEEM_PROTOCOL, "connection closed");
    fetch_expect("silent", A_SILENT, 0, 1, SSO_REDEEM_PROTOCOL, "timed out");
    fetch_expect("garbage credential", A_CRED_GARBAGE, 0, 5, SSO_REDEEM_PROTOCOL,
                 "malformed credential");
    unlink(path);
    fetch_expect("nobody there", A_CRED, (uid_t)-1, 5, SSO_REDEEM_UNREACHABLE, "cannot connect");
}

/* REPORT */
static void test_report(void)
{
    uint32_t status = 99;
    char err[512] = "";
    pid_t pid = start(A_STATUS_OK, 0);
    g_assert_cmpint(sso_redeem_report(path, 5, 0, token, 2, 5001, &status, err, sizeof(err)),
                    ==, SSO_REDEEM_OK);
    g_assert_cmpint(status, ==, VDSSO_STATUS_OK);
    g_assert_cmpint(finish(pid), ==, 0);
    pid = start(A_STATUS_NOT_FETCHED, 0);
    g_assert_cmpint(sso_redeem_report(path, 5, 0, token, 2, 5001, &status, err, sizeof(err)),
                    ==, SSO_REDEEM_OK);
    g_assert_cmpint(status, ==, VDSSO_STATUS_NOT_FETCHED);
    g_assert_cmpint(finish(pid), ==, 0);
    pid = start(A_CRED, 0);
    g_assert_cmpint(sso_redeem_report(path, 5, 0, token, 2, 5001, &status, err, sizeof(err)),
                    ==, SSO_REDEEM_PROTOCOL);
    g_assert_cmpint(finish(pid), ==, 0);
}

/* the helper: JOB, then MAPPED answered with a token or with OK */
static void test_helper(void)
{
    char err[512] = "";
    pid_t pid;
    VDSsoMsg *msg = NULL;
    pid = start(A_CRED, 0);
    g_assert_cmpint(sso_redeem_job(path, 5, 0, 7, &msg, err, sizeof(err)), ==, SSO_REDEEM_OK);
    g_assert_true(msg != NULL && strcmp(msg->principal, "alice@SPICE.TEST") == 0);
    vdsso_msg_free(msg);
    g_assert_cmpint(finish(pid), ==, 0);
    pid = start(A_UNKNOWN, 0);
    g_assert_cmpint(sso_redeem_job(path, 5, 0, 7, &msg, err, sizeof(err)),
                    ==, SSO_REDEEM_UNKNOWN_TOKEN);
    g_assert_true(msg == NULL);
    g_assert_cmpint(finish(pid), ==, 0);
    pid = start(A_WRONG_CONVERSATION, 0);
    g_assert_cmpint(sso_redeem_job(path, 5, 0, 7, &msg, err, sizeof(err)),
                    ==, SSO_REDEEM_WRONG_CONVERSATION);
    g_assert_cmpint(finish(pid), ==, 0);
    uint8_t got[VDSSO_TOKEN_SIZE] = { 0 };
    int has_token = -1;
    pid = start(A_TOKEN, 0);
    g_assert_cmpint(sso_redeem_mapped(path, 5, 0, 7, VDSSO_MAPPING_USER, 5001, got, &has_token, err,
                                      sizeof(err)), ==, SSO_REDEEM_OK);
    g_assert_cmpint(has_token, ==, 1);
    g_assert_true(memcmp(got, token, sizeof(got)) == 0);
    g_assert_cmpint(finish(pid), ==, 0);
    pid = start(A_STATUS_OK, 0);
    g_assert_cmpint(sso_redeem_mapped(path, 5, 0, 7, VDSSO_MAPPING_USER, 5001, got, &has_token, err,
                                      sizeof(err)), ==, SSO_REDEEM_OK);
    g_assert_cmpint(has_token, ==, 0);
    g_assert_cmpint(finish(pid), ==, 0);
    pid = start(A_STATUS_NOT_FETCHED, 0);
    g_assert_cmpint(sso_redeem_mapped(path, 5, 0, 7, VDSSO_MAPPING_USER, 5001, got, &has_token, err,
                                      sizeof(err)), ==, SSO_REDEEM_PROTOCOL);
    g_assert_cmpint(has_token, ==, 0);
    g_assert_cmpint(finish(pid), ==, 0);
}

int main(int argc, char **argv)
{
    if (geteuid() != 0) {
        printf("test-redeem: needs root (the server must be root's)\n");
        return 77;
    }
    g_test_init(&argc, &argv, NULL);
    signal(SIGPIPE, SIG_IGN);
    g_assert_true(mkdtemp(dir) != NULL);
    g_assert_cmpint(chmod(dir, 0777), ==, 0);
    snprintf(path, sizeof(path), "%s/sso.sock", dir);

    g_test_add_func("/pam/redeem/fetch", test_fetch);
    g_test_add_func("/pam/redeem/report", test_report);
    g_test_add_func("/pam/redeem/helper", test_helper);
    int rc = g_test_run();

    unlink(path);
    rmdir(dir);
    return rc;
}
