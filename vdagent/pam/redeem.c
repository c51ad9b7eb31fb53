/* redeem.c - the client side of spice-vdagentd's redemption socket
 * (docs/protocol.md, "The redemption socket"): one request and one answer
 * per connection, to a server that must run as root.
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every frame is built and read with the protocol library; the size of an
 * answer is checked from its header (vdsso_redeem_frame_size) before its
 * body is read or anything is allocated for it. The whole exchange has one
 * deadline, so a server that drips bytes cannot hold the login.
 */
#include "internal.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int wait_fd(int fd, short events, long long deadline)
{
    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0) {
            errno = ETIMEDOUT;
            return -1;
        }
        struct pollfd p = { .fd = fd, .events = events };
        int r = poll(&p, 1, left > 60000 ? 60000 : (int)left);
        if (r > 0) {
            return 0;
        }
        if (r < 0 && errno != EINTR) {
            return -1;
        }
    }
}

static int send_all(int fd, const uint8_t *p, size_t len, long long deadline)
{
    while (len > 0) {
        if (wait_fd(fd, POLLOUT, deadline) != 0) {
            return -1;
        }
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                continue;
            }
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Read exactly @len bytes; EOF before that is EPIPE. */
static int recv_all(int fd, uint8_t *p, size_t len, long long deadline)
{
    while (len > 0) {
        if (wait_fd(fd, POLLIN, deadline) != 0) {
            return -1;
        }
        ssize_t n = recv(fd, p, len, MSG_DONTWAIT);
        if (n == 0) {
            errno = EPIPE;
            return -1;
        }
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) {
                continue;
            }
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static SsoRedeemResult connect_checked(const char *path, uid_t server_uid, int *out, char *err,
                                       size_t errlen)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    *out = -1;
    if (strlen(path) >= sizeof(sa.sun_path)) {
        snprintf(err, errlen, "socket path %s is too long", path);
        return SSO_REDEEM_UNREACHABLE;
    }
    strcpy(sa.sun_path, path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(err, errlen, "socket: %s", strerror(errno));
        return SSO_REDEEM_UNREACHABLE;
    }
    int r;
    do {
        r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
    } while (r < 0 && errno == EINTR);
    if (r < 0) {
        snprintf(err, errlen, "cannot connect to %s: %s", path, strerror(errno));
        close(fd);
        return SSO_REDEEM_UNREACHABLE;
    }
    /* Who listens: only root's spice-vdagentd may hand out credentials. */
    struct ucred cred;
    socklen_t clen = sizeof(cred);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) != 0 || clen != sizeof(cred)) {
        snprintf(err, errlen, "cannot identify the server of %s: %s", path, strerror(errno));
        close(fd);
        return SSO_REDEEM_NOT_ROOT;
    }
    if (cred.uid != server_uid) {
        snprintf(err, errlen, "%s is served by uid %lu (pid %ld), not by root: refused", path,
                 (unsigned long)cred.uid, (long)cred.pid);
        close(fd);
        return SSO_REDEEM_NOT_ROOT;
    }
    *out = fd;
    return SSO_REDEEM_OK;
}

/* One exchange: send @req, read one frame into *@frame (body in *@buf,
 * which the caller wipes and frees). */
static SsoRedeemResult exchange(const char *path, int timeout, uid_t server_uid,
                                const VDSsoRedeemFrame *req, VDSsoRedeemFrame *frame,
                                uint8_t **buf, size_t *buf_len, char *err, size_t errlen)
{
    *buf = NULL;
    *buf_len = 0;
    long long deadline = now_ms() + (long long)timeout * 1000;
    int fd;
    SsoRedeemResult res = connect_checked(path, server_uid, &fd, err, errlen);
    if (res != SSO_REDEEM_OK) {
        return res;
    }
    uint8_t out[VDSSO_REDEEM_HEADER + VDSSO_TOKEN_SIZE + 8];
    long n = vdsso_redeem_encode(req, out, sizeof(out));
    if (n < 0) {
        snprintf(err, errlen, "cannot encode the request: %s", vdsso_strerror((int)n));
        res = SSO_REDEEM_PROTOCOL;
        goto out;
    }
    int sent = send_all(fd, out, (size_t)n, deadline);
    vdsso_wipe(out, sizeof(out));
    if (sent != 0) {
        snprintf(err, errlen, "cannot send to %s: %s", path, strerror(errno));
        res = SSO_REDEEM_PROTOCOL;
        goto out;
    }
    uint8_t hdr[VDSSO_REDEEM_HEADER];
    if (recv_all(fd, hdr, sizeof(hdr), deadline) != 0) {
        snprintf(err, errlen, "no answer from %s: %s", path,
                 errno == EPIPE ? "connection closed" : strerror(errno));
        res = SSO_REDEEM_PROTOCOL;
        goto out;
    }
    long total = vdsso_redeem_frame_size(hdr, sizeof(hdr));
    if (total < 0) {
        snprintf(err, errlen, "malformed answer from %s: %s", path, vdsso_strerror((int)total));
        res = SSO_REDEEM_PROTOCOL;
        goto out;
    }
    uint8_t *b = malloc((size_t)total);
    if (b == NULL) {
        snprintf(err, errlen, "out of memory");
        res = SSO_REDEEM_PROTOCOL;
        goto out;
    }
    memcpy(b, hdr, sizeof(hdr));
    *buf = b;
    *buf_len = (size_t)total;
    if (recv_all(fd, b + sizeof(hdr), (size_t)total - sizeof(hdr), deadline) != 0) {
        snprintf(err, errlen, "truncated answer from %s: %s", path,
                 errno == EPIPE ? "connection closed" : strerror(errno));
        res = SSO_REDEEM_PROTOCOL;
        goto out;
    }
    int r = vdsso_redeem_decode(b, (size_t)total, frame);
    if (r != VDSSO_OK) {
        snprintf(err, errlen, "malformed answer from %s: %s", path, vdsso_strerror(r));
        res = SSO_REDEEM_PROTOCOL;
        goto out;
    }
out:
    close(fd);
    return res;
}

SsoRedeemResult sso_redeem_fetch(const char *path, int timeout, uid_t server_uid,
                                 const uint8_t token[VDSSO_TOKEN_SIZE], uint32_t user,
                                 VDSsoMsg **msg, char *err, size_t errlen)
{
    *msg = NULL;
    VDSsoRedeemFrame req = { .type = VDSSO_REDEEM_FETCH, .version = VDSSO_REDEEM_VERSION,
                             .uid = user };
    memcpy(req.token, token, VDSSO_TOKEN_SIZE);
    VDSsoRedeemFrame ans;
    uint8_t *buf;
    size_t len;
    SsoRedeemResult res = exchange(path, timeout, server_uid, &req, &ans, &buf, &len, err, errlen);
    vdsso_wipe(req.token, sizeof(req.token));
    if (res != SSO_REDEEM_OK) {
        vdsso_wipe_free(buf, len);
        return res;
    }
    if (ans.type == VDSSO_REDEEM_STATUS && ans.status == VDSSO_STATUS_UNKNOWN_TOKEN) {
        snprintf(err, errlen, "%s does not know this token (never issued, already used, or expired)",
                 path);
        res = SSO_REDEEM_UNKNOWN_TOKEN;
    } else if (ans.type == VDSSO_REDEEM_STATUS &&
               ans.status == VDSSO_STATUS_WRONG_CONVERSATION) {
        snprintf(err, errlen, "%s holds this token for another conversation (another seat's"
                 " or a remote greeter, another user's unlock dialog, or not GDM's session"
                 " worker); it stays valid for the right one", path);
        res = SSO_REDEEM_WRONG_CONVERSATION;
    } else if (ans.type == VDSSO_REDEEM_STATUS) {
        snprintf(err, errlen, "%s answered FETCH with status %u (%s)", path, ans.status,
                 vdsso_status_str(ans.status));
        res = SSO_REDEEM_PROTOCOL;
    } else if (ans.type != VDSSO_REDEEM_CRED) {
        snprintf(err, errlen, "%s answered FETCH with frame type %u", path, ans.type);
        res = SSO_REDEEM_PROTOCOL;
    } else {
        int r = vdsso_msg_decode(ans.body, ans.body_len, msg);
        if (r != VDSSO_OK) {
            snprintf(err, errlen, "%s sent a malformed credential: %s", path, vdsso_strerror(r));
            res = SSO_REDEEM_PROTOCOL;
        }
    }
    vdsso_wipe_free(buf, len);
    return res;
}

SsoRedeemResult sso_redeem_report(const char *path, int timeout, uid_t server_uid,
                                  const uint8_t token[VDSSO_TOKEN_SIZE], uint32_t outcome,
                                  uint32_t uid, uint32_t *status, char *err, size_t errlen)
{
    VDSsoRedeemFrame req = { .type = VDSSO_REDEEM_REPORT, .version = VDSSO_REDEEM_VERSION,
                             .outcome = outcome, .uid = uid };
    memcpy(req.token, token, VDSSO_TOKEN_SIZE);
    VDSsoRedeemFrame ans;
    uint8_t *buf;
    size_t len;
    SsoRedeemResult res = exchange(path, timeout, server_uid, &req, &ans, &buf, &len, err, errlen);
    vdsso_wipe(req.token, sizeof(req.token));
    if (res == SSO_REDEEM_OK) {
        if (ans.type != VDSSO_REDEEM_STATUS) {
            snprintf(err, errlen, "%s answered REPORT with frame type %u", path, ans.type);
            res = SSO_REDEEM_PROTOCOL;
        } else {
            *status = ans.status;
        }
    }
    vdsso_wipe_free(buf, len);
    return res;
}

SsoRedeemResult sso_redeem_job(const char *path, int timeout, uid_t server_uid, uint32_t job,
                               VDSsoMsg **msg, char *err, size_t errlen)
{
    *msg = NULL;
    VDSsoRedeemFrame req = { .type = VDSSO_REDEEM_JOB, .version = VDSSO_REDEEM_VERSION,
                             .job = job };
    VDSsoRedeemFrame ans;
    uint8_t *buf;
    size_t len;
    SsoRedeemResult res = exchange(path, timeout, server_uid, &req, &ans, &buf, &len, err, errlen);
    if (res != SSO_REDEEM_OK) {
        vdsso_wipe_free(buf, len);
        return res;
    }
    if (ans.type == VDSSO_REDEEM_STATUS && ans.status == VDSSO_STATUS_UNKNOWN_TOKEN) {
        snprintf(err, errlen, "%s has no job %u waiting (dropped, done, or timed out)", path, job);
        res = SSO_REDEEM_UNKNOWN_TOKEN;
    } else if (ans.type == VDSSO_REDEEM_STATUS &&
               ans.status == VDSSO_STATUS_WRONG_CONVERSATION) {
        snprintf(err, errlen, "%s refused job %u to this process (not in the unit of job %u)",
                 path, job, job);
        res = SSO_REDEEM_WRONG_CONVERSATION;
    } else if (ans.type != VDSSO_REDEEM_CRED) {
        snprintf(err, errlen, "%s answered JOB with frame type %u (status %u)", path, ans.type,
                 ans.type == VDSSO_REDEEM_STATUS ? ans.status : 0);
        res = SSO_REDEEM_PROTOCOL;
    } else {
        int r = vdsso_msg_decode(ans.body, ans.body_len, msg);
        if (r != VDSSO_OK) {
            snprintf(err, errlen, "%s sent a malformed message: %s", path, vdsso_strerror(r));
            res = SSO_REDEEM_PROTOCOL;
        }
    }
    vdsso_wipe_free(buf, len);
    return res;
}

SsoRedeemResult sso_redeem_mapped(const char *path, int timeout, uid_t server_uid, uint32_t job,
                                  uint32_t mapping, uint32_t uid,
                                  uint8_t token[VDSSO_TOKEN_SIZE], int *has_token, char *err,
                                  size_t errlen)
{
    *has_token = 0;
    VDSsoRedeemFrame req = { .type = VDSSO_REDEEM_MAPPED, .version = VDSSO_REDEEM_VERSION,
                             .job = job, .mapping = mapping, .uid = uid };
    VDSsoRedeemFrame ans;
    uint8_t *buf;
    size_t len;
    SsoRedeemResult res = exchange(path, timeout, server_uid, &req, &ans, &buf, &len, err, errlen);
    if (res == SSO_REDEEM_OK) {
        if (ans.type == VDSSO_REDEEM_TOKEN) {
            memcpy(token, ans.token, VDSSO_TOKEN_SIZE);
            *has_token = 1;
        } else if (ans.type == VDSSO_REDEEM_STATUS && ans.status == VDSSO_STATUS_OK) {
            /* nothing more to do */
        } else if (ans.type == VDSSO_REDEEM_STATUS) {
            snprintf(err, errlen, "%s answered MAPPED with status %u (%s)", path, ans.status,
                     vdsso_status_str(ans.status));
            res = ans.status == VDSSO_STATUS_UNKNOWN_TOKEN ? SSO_REDEEM_UNKNOWN_TOKEN
                : ans.status == VDSSO_STATUS_WRONG_CONVERSATION ? SSO_REDEEM_WRONG_CONVERSATION
                : SSO_REDEEM_PROTOCOL;
        } else {
            snprintf(err, errlen, "%s answered MAPPED with frame type %u", path, ans.type);
            res = SSO_REDEEM_PROTOCOL;
        }
    }
    vdsso_wipe(&ans, sizeof(ans));
    vdsso_wipe_free(buf, len);
    return res;
}
