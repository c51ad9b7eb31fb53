/* sso-redeem.c - the redemption socket, see sso-redeem.h
 *
 * Copyright (C) 2026 The spice-sso authors
 *
 * This program is free software: you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation, either version 3 of the License, or
 * (at your option) any later version.
 *
 * One request and one answer per connection. Requests (FETCH, REPORT) are at
 * most 32 bytes and are read into a fixed buffer; vdsso_redeem_frame_size()
 * refuses any other header before its body is read. The answer is written
 * without blocking the main loop; a CRED answer is wiped as soon as it has
 * been written or the connection is dropped.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* accept4, struct ucred */
#endif
#include "sso-redeem.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>
#include <gio/gio.h>
#include <glib-unix.h>

/* FETCH is 8 + 20 bytes, REPORT 8 + 24, JOB 8 + 4, MAPPED 8 + 12: nothing a
 * peer may send is larger */
#define REQUEST_MAX (VDSSO_REDEEM_HEADER + VDSSO_TOKEN_SIZE + 8u)

typedef struct Conn Conn;

struct VDAgentdSsoRedeem {
    char *path;
    int fd;
    guint watch;
    VDAgentdSsoRedeemOps ops;
    gpointer data;
    GList *conns;
};

struct Conn {
    VDAgentdSsoRedeem *server;
    int fd;
    pid_t pid;
    guint watch;
    guint timeout;
    uint8_t in[REQUEST_MAX];
    gsize in_len;
    gsize want;       /* whole frame size, once the header is in */
    uint8_t *out;     /* the answer; may hold a credential */
    gsize out_len;
    gsize out_pos;
};

static void conn_close(Conn *c)
{
    VDAgentdSsoRedeem *s = c->server;

    if (c->watch) {
        g_source_remove(c->watch);
    }
    if (c->timeout) {
        g_source_remove(c->timeout);
    }
    close(c->fd);
    vdsso_wipe(c->in, sizeof(c->in));
    if (c->out != NULL) {
        vdsso_wipe(c->out, c->out_len);
        g_free(c->out);
    }
    s->conns = g_list_remove(s->conns, c);
    g_free(c);
}

static gboolean conn_timeout_cb(gpointer user_data)
{
    Conn *c = user_data;

    syslog(LOG_WARNING, "sso: redemption socket: peer pid %d timed out, disconnecting",
           (int) c->pid);
    c->timeout = 0;
    conn_close(c);
    return G_SOURCE_REMOVE;
}

static gboolean conn_write_cb(gint fd, GIOCondition cond, gpointer user_data);

/* Queue @frame (taken) as the answer and start writing it. */
static void conn_answer(Conn *c, uint8_t *frame, gsize len)
{
    g_source_remove(c->watch);
    c->out = frame;
    c->out_len = len;
    c->out_pos = 0;
    c->watch = g_unix_fd_add(c->fd, G_IO_OUT | G_IO_HUP | G_IO_ERR, conn_write_cb, c);
}

static void conn_answer_status(Conn *c, uint32_t status)
{
    VDSsoRedeemFrame f = { .type = VDSSO_REDEEM_STATUS, .version = VDSSO_REDEEM_VERSION,
                           .status = status };
    uint8_t *frame = g_malloc(VDSSO_REDEEM_HEADER + 4);
    long n = vdsso_redeem_encode(&f, frame, VDSSO_REDEEM_HEADER + 4);

    g_assert(n == VDSSO_REDEEM_HEADER + 4);
    conn_answer(c, frame, (gsize) n);
}

static void conn_answer_cred(Conn *c, uint8_t *payload, gsize payload_len)
{
    VDSsoRedeemFrame f = { .type = VDSSO_REDEEM_CRED, .version = VDSSO_REDEEM_VERSION,
                           .body = payload, .body_len = (uint32_t) payload_len };
    gsize size = VDSSO_REDEEM_HEADER + payload_len;
    uint8_t *frame = g_malloc(size);
    long n = vdsso_redeem_encode(&f, frame, size);

    vdsso_wipe(payload, payload_len);
    g_free(payload);
    if (n != (long) size) {
        vdsso_wipe(frame, size);
        g_free(frame);
        syslog(LOG_ERR, "sso: redemption socket: cannot encode the credential");
        conn_answer_status(c, VDSSO_STATUS_BAD_REQUEST);
        return;
    }
    conn_answer(c, frame, size);
}

static void conn_answer_token(Conn *c, const uint8_t token[VDSSO_TOKEN_SIZE])
{
    VDSsoRedeemFrame f = { .type = VDSSO_REDEEM_TOKEN, .version = VDSSO_REDEEM_VERSION };
    uint8_t *frame = g_malloc(VDSSO_REDEEM_HEADER + VDSSO_TOKEN_SIZE);
    long n;

    memcpy(f.token, token, VDSSO_TOKEN_SIZE);
    n = vdsso_redeem_encode(&f, frame, VDSSO_REDEEM_HEADER + VDSSO_TOKEN_SIZE);
    vdsso_wipe(&f, sizeof(f));
    g_assert(n == VDSSO_REDEEM_HEADER + VDSSO_TOKEN_SIZE);
    conn_answer(c, frame, (gsize) n);
}

static void conn_handle_request(Conn *c)
{
    VDAgentdSsoRedeem *s = c->server;
    VDSsoRedeemFrame f;
    int err = vdsso_redeem_decode(c->in, c->in_len, &f);

    if (err != VDSSO_OK) {
        syslog(LOG_WARNING, "sso: redemption socket: peer pid %d sent a bad frame (%s)",
               (int) c->pid, vdsso_strerror(err));
        conn_answer_status(c, VDSSO_STATUS_BAD_REQUEST);
        return;
    }
    if (f.type == VDSSO_REDEEM_FETCH) {
        uint8_t *payload = NULL;
        gsize payload_len = 0;
        uint32_t status = s->ops.fetch(s->data, f.token, f.uid, c->pid, &payload,
                                       &payload_len);

        vdsso_wipe(&f, sizeof(f));
        if (status == VDSSO_STATUS_OK && payload != NULL) {
            conn_answer_cred(c, payload, payload_len);
        } else {
            conn_answer_status(c, status == VDSSO_STATUS_OK ? VDSSO_STATUS_BAD_REQUEST : status);
        }
    } else if (f.type == VDSSO_REDEEM_REPORT) {
        uint32_t status = s->ops.report(s->data, f.token, f.outcome, f.uid);

        vdsso_wipe(&f, sizeof(f));
        conn_answer_status(c, status);
    } else if (f.type == VDSSO_REDEEM_JOB) {
        uint8_t *payload = NULL;
        gsize payload_len = 0;
        uint32_t status = s->ops.job(s->data, f.job, c->pid, &payload, &payload_len);

        if (status == VDSSO_STATUS_OK && payload != NULL) {
            conn_answer_cred(c, payload, payload_len);
        } else {
            conn_answer_status(c, status == VDSSO_STATUS_OK ? VDSSO_STATUS_BAD_REQUEST : status);
        }
    } else if (f.type == VDSSO_REDEEM_MAPPED) {
        uint8_t token[VDSSO_TOKEN_SIZE];
        gboolean has_token = FALSE;
        uint32_t status = s->ops.mapped(s->data, f.job, f.mapping, f.uid, c->pid, token,
                                        &has_token);

        if (status == VDSSO_STATUS_OK && has_token) {
            conn_answer_token(c, token);
        } else {
            conn_answer_status(c, status);
        }
        vdsso_wipe(token, sizeof(token));
    } else {
        syslog(LOG_WARNING, "sso: redemption socket: peer pid %d sent a frame of type 0x%x,"
               " which only the agent sends", (int) c->pid, f.type);
        conn_answer_status(c, VDSSO_STATUS_BAD_REQUEST);
    }
}

static gboolean conn_read_cb(gint fd, GIOCondition cond, gpointer user_data)
{
    Conn *c = user_data;
    gsize need = c->want ? c->want : VDSSO_REDEEM_HEADER;
    ssize_t n = recv(fd, c->in + c->in_len, need - c->in_len, MSG_DONTWAIT);

    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        return G_SOURCE_CONTINUE;
    }
    if (n <= 0) {
        if (c->in_len > 0 || n < 0) {
            syslog(LOG_WARNING, "sso: redemption socket: peer pid %d left mid-request%s%s",
                   (int) c->pid, n < 0 ? ": " : "", n < 0 ? g_strerror(errno) : "");
        }
        c->watch = 0;
        conn_close(c);
        return G_SOURCE_REMOVE;
    }
    c->in_len += (gsize) n;
    if (c->in_len < need) {
        return G_SOURCE_CONTINUE;
    }
    if (c->want == 0) {
        long size = vdsso_redeem_frame_size(c->in, c->in_len);

        if (size < 0 || (gsize) size > REQUEST_MAX) {
            syslog(LOG_WARNING, "sso: redemption socket: peer pid %d sent a frame header"
                   " that is refused (%s)", (int) c->pid,
                   size < 0 ? vdsso_strerror((int) size) : "not a request");
            conn_answer_status(c, VDSSO_STATUS_BAD_REQUEST);
            return G_SOURCE_REMOVE; /* conn_answer replaced the watch */
        }
        c->want = (gsize) size;
        if (c->in_len < c->want) {
            return G_SOURCE_CONTINUE;
        }
    }
    conn_handle_request(c);
    return G_SOURCE_REMOVE;
}

static gboolean conn_write_cb(gint fd, GIOCondition cond, gpointer user_data)
{
    Conn *c = user_data;
    ssize_t n = send(fd, c->out + c->out_pos, c->out_len - c->out_pos,
                     MSG_DONTWAIT | MSG_NOSIGNAL);

    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        return G_SOURCE_CONTINUE;
    }
    if (n < 0) {
        syslog(LOG_WARNING, "sso: redemption socket: peer pid %d: %s", (int) c->pid,
               g_strerror(errno));
        c->watch = 0;
        conn_close(c);
        return G_SOURCE_REMOVE;
    }
    c->out_pos += (gsize) n;
    if (c->out_pos < c->out_len) {
        return G_SOURCE_CONTINUE;
    }
    c->watch = 0;
    conn_close(c);
    return G_SOURCE_REMOVE;
}

static gboolean accept_cb(gint fd, GIOCondition cond, gpointer user_data)
{
    VDAgentdSsoRedeem *s = user_data;
    struct ucred cred;
    socklen_t len = sizeof(cred);
    int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

    if (cfd < 0) {
        if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) {
            syslog(LOG_ERR, "sso: redemption socket: accept: %s", g_strerror(errno));
        }
        return G_SOURCE_CONTINUE;
    }
    if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || len != sizeof(cred)) {
        syslog(LOG_ERR, "sso: redemption socket: cannot get the peer's credentials: %s",
               g_strerror(errno));
        close(cfd);
        return G_SOURCE_CONTINUE;
    }
    if (cred.uid != 0) {
        syslog(LOG_WARNING, "sso: redemption socket: refused peer pid %d uid %u:"
               " only root may redeem", (int) cred.pid, (unsigned) cred.uid);
        close(cfd);
        return G_SOURCE_CONTINUE;
    }

    Conn *c = g_new0(Conn, 1);
    c->server = s;
    c->fd = cfd;
    c->pid = cred.pid;
    c->watch = g_unix_fd_add(cfd, G_IO_IN | G_IO_HUP | G_IO_ERR, conn_read_cb, c);
    c->timeout = g_timeout_add_seconds(VDAGENTD_SSO_REDEEM_TIMEOUT, conn_timeout_cb, c);
    s->conns = g_list_prepend(s->conns, c);
    return G_SOURCE_CONTINUE;
}

VDAgentdSsoRedeem *vdagentd_sso_redeem_new(const char *path,
                                           const VDAgentdSsoRedeemOps *ops,
                                           gpointer data, GError **error)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    struct stat st;
    mode_t old_umask;
    int fd, r;

    if (strlen(path) >= sizeof(addr.sun_path)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FILENAME_TOO_LONG,
                    "socket path %s is too long", path);
        return NULL;
    }
    strcpy(addr.sun_path, path);

    /* the directory: created root-only if missing; an existing one may be
     * readable by all (upstream's /run/spice-vdagentd is 0755: it also
     * holds the session agents' socket), but only its owner, the daemon's
     * user, may change what is in it, or the socket could be replaced */
    gchar *dir = g_path_get_dirname(path);
    if (g_mkdir_with_parents(dir, 0700) != 0) {
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno),
                    "cannot create %s: %s", dir, g_strerror(errno));
        g_free(dir);
        return NULL;
    }
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
        (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                    "%s must be a directory of uid %u that nobody else may write to; not"
                    " listening in it", dir, (unsigned) geteuid());
        g_free(dir);
        return NULL;
    }
    g_free(dir);

    if (lstat(path, &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                        "%s exists and is not a socket; not replacing it", path);
            return NULL;
        }
        unlink(path);
    }

    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno),
                    "socket: %s", g_strerror(errno));
        return NULL;
    }
    old_umask = umask(0177);
    r = bind(fd, (struct sockaddr *) &addr, sizeof(addr));
    umask(old_umask);
    if (r != 0 || chmod(path, 0600) != 0 || listen(fd, 8) != 0) {
        int errsv = errno;

        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errsv),
                    "cannot listen on %s: %s", path, g_strerror(errsv));
        close(fd);
        if (r == 0) {
            unlink(path);
        }
        return NULL;
    }

    VDAgentdSsoRedeem *s = g_new0(VDAgentdSsoRedeem, 1);
    s->path = g_strdup(path);
    s->fd = fd;
    s->ops = *ops;
    s->data = data;
    s->watch = g_unix_fd_add(fd, G_IO_IN, accept_cb, s);
    return s;
}

void vdagentd_sso_redeem_free(VDAgentdSsoRedeem *s)
{
    if (s == NULL) {
        return;
    }
    while (s->conns != NULL) {
        conn_close(s->conns->data);
    }
    g_source_remove(s->watch);
    close(s->fd);
    unlink(s->path);
    g_free(s->path);
    g_free(s);
}
