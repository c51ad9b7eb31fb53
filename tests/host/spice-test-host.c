/* spice-test-host - a minimal SPICE host for tests: libspice-server on a GLib
 * main loop, SASL on, a "vdagent" character device bridged to a UNIX socket.
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * It stands in for QEMU where a test needs spice-server and the guest agent's
 * port but no virtual machine: the agent side (spice-vdagentd with
 * `-s PATH`, which falls back to a UNIX socket when PATH is no character
 * device, or tests/server/agent-standin) connects to the socket this program
 * listens on; a connection is the guest opening the virtio port (the char
 * device is added to the server, "agent attached"), closing it is the guest
 * closing the port (removed, "agent detached"). One agent at a time.
 *
 * Options:
 *   --addr ADDR            listen address (default 127.0.0.1)
 *   --port N               plain TCP port; 0 picks a free one (default 0)
 *   --tls-port N           TLS port (needs --cert and --key); 0 picks one
 *   --cert FILE --key FILE --ca FILE
 *                          server certificate, its key, the CA file
 *   --tls-only             every channel must use TLS
 *   --sasl-appname NAME    SASL application name: selects NAME.conf in
 *                          SASL_CONF_PATH or /etc/sasl2 (default "spice-test")
 *   --gss-delegate         spice_server_set_sasl_gss_delegate(s, 1)
 *   --authz-allow PRINC    install the SASL authorization callback, allowing
 *                          PRINC (repeatable); without it no callback is set
 *   --agent-socket PATH    listen for the agent on this UNIX socket
 *                          (created 0600; removed at exit)
 *   --display              add a streaming device port (org.spice-space.stream.0,
 *                          no data) so that the server has a display channel
 *   --exit-on-disconnect   exit when the last client disconnects
 *
 * Event lines on stdout, one per event, line-buffered; the first word is the
 * event, then key=value fields:
 *   library path=P                              the libspice-server file loaded
 *   listening addr=A port=N tls-port=M          (M is 0 without TLS)
 *   agent-socket path=P
 *   ready pid=PID
 *   tcp-connected                               a connection was accepted (before
 *                                               its link and SASL exchange; for
 *                                               the benchmark's timeline)
 *   channel-connected connection=C type=T id=I tls=yes|no
 *   channel-disconnected connection=C type=T id=I
 *   authz principal=P result=allowed|refused
 *   agent-attached
 *   agent-detached
 *   exiting
 * and on stderr, libspice-server's log (the "sso: ..." audit lines).
 * SIGTERM or SIGINT: the server is destroyed, "exiting" printed, exit 0.
 * Exit status 2: bad option or a feature this libspice-server lacks.
 *
 * Built against the patched libspice-server; it also builds against one
 * without spice_server_set_sasl_gss_delegate() (HAVE_SPICE_SSO unset), and
 * then refuses --gss-delegate and --authz-allow.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <spice.h>

#include <errno.h>
#include <arpa/inet.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <glib.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static GMainLoop *loop;
static SpiceServer *server;
static int exit_on_disconnect;
static int connected_channels;

/* ------------------------------------------------------------ core interface */

struct SpiceTimer {
    SpiceTimerFunc func;
    void *opaque;
    GSource *source;
};

static gboolean timer_fired(gpointer data)
{
    SpiceTimer *t = data;
    g_source_unref(t->source);
    t->source = NULL;
    t->func(t->opaque);
    return G_SOURCE_REMOVE;
}

static SpiceTimer *timer_add(SpiceTimerFunc func, void *opaque)
{
    SpiceTimer *t = g_new0(SpiceTimer, 1);
    t->func = func;
    t->opaque = opaque;
    return t;
}

static void timer_cancel(SpiceTimer *t)
{
    if (t->source) {
        g_source_destroy(t->source);
        g_source_unref(t->source);
        t->source = NULL;
    }
}

static void timer_start(SpiceTimer *t, uint32_t ms)
{
    timer_cancel(t);
    t->source = g_timeout_source_new(ms);
    g_source_set_callback(t->source, timer_fired, t, NULL);
    g_source_attach(t->source, NULL);
}

static void timer_remove(SpiceTimer *t)
{
    timer_cancel(t);
    g_free(t);
}

struct SpiceWatch {
    int fd;
    int mask;
    SpiceWatchFunc func;
    void *opaque;
    GSource *source;
};

static gboolean watch_ready(gint fd, GIOCondition cond, gpointer data)
{
    SpiceWatch *w = data;
    int events = 0;
    if (cond & (G_IO_IN | G_IO_HUP | G_IO_ERR)) {
        events |= SPICE_WATCH_EVENT_READ;
    }
    if (cond & G_IO_OUT) {
        events |= SPICE_WATCH_EVENT_WRITE;
    }
    w->func(fd, events & (w->mask | SPICE_WATCH_EVENT_READ), w->opaque);
    return G_SOURCE_CONTINUE;
}

static void watch_update_mask(SpiceWatch *w, int mask)
{
    GIOCondition cond = 0;
    if (w->source) {
        g_source_destroy(w->source);
        g_source_unref(w->source);
        w->source = NULL;
    }
    w->mask = mask;
    if (mask & SPICE_WATCH_EVENT_READ) {
        cond |= G_IO_IN | G_IO_HUP | G_IO_ERR;
    }
    if (mask & SPICE_WATCH_EVENT_WRITE) {
        cond |= G_IO_OUT;
    }
    if (cond == 0) {
        return;
    }
    w->source = g_unix_fd_source_new(w->fd, cond);
    g_source_set_callback(w->source, (GSourceFunc)(void (*)(void))watch_ready, w, NULL);
    g_source_attach(w->source, NULL);
}

static SpiceWatch *watch_add(int fd, int mask, SpiceWatchFunc func, void *opaque)
{
    SpiceWatch *w = g_new0(SpiceWatch, 1);
    w->fd = fd;
    w->func = func;
    w->opaque = opaque;
    watch_update_mask(w, mask);
    return w;
}

static void watch_remove(SpiceWatch *w)
{
    watch_update_mask(w, 0);
    g_free(w);
}

static const char *channel_name(int type)
{
    static const char *const names[] = {
        "0", "main", "display", "inputs", "cursor", "playback", "record",
        "tunnel", "smartcard", "usbredir", "port", "webdav",
    };
    return type > 0 && (size_t)type < G_N_ELEMENTS(names) ? names[type] : "unknown";
}

static gboolean quit_idle(gpointer data)
{
    g_main_loop_quit(loop);
    return G_SOURCE_REMOVE;
}

static void channel_event(int event, SpiceChannelEventInfo *info)
{
    switch (event) {
    case SPICE_CHANNEL_EVENT_CONNECTED:
        printf("tcp-connected\n");
        break;
    case SPICE_CHANNEL_EVENT_INITIALIZED:
        connected_channels++;
        printf("channel-connected connection=%u type=%s id=%d tls=%s\n",
               (unsigned)info->connection_id, channel_name(info->type), info->id,
               (info->flags & SPICE_CHANNEL_EVENT_FLAG_TLS) ? "yes" : "no");
        break;
    case SPICE_CHANNEL_EVENT_DISCONNECTED:
        if (info->type == 0) {
            break; /* a link that never became a channel */
        }
        connected_channels--;
        printf("channel-disconnected connection=%u type=%s id=%d\n",
               (unsigned)info->connection_id, channel_name(info->type), info->id);
        if (exit_on_disconnect && connected_channels <= 0) {
            g_idle_add(quit_idle, NULL);
        }
        break;
    default:
        break;
    }
}

static SpiceCoreInterface core = {
    .base = {
        .major_version = SPICE_INTERFACE_CORE_MAJOR,
        .minor_version = SPICE_INTERFACE_CORE_MINOR,
    },
    .timer_add = timer_add,
    .timer_start = timer_start,
    .timer_cancel = timer_cancel,
    .timer_remove = timer_remove,
    .watch_add = watch_add,
    .watch_update_mask = watch_update_mask,
    .watch_remove = watch_remove,
    .channel_event = channel_event,
};

/* ---------------------------------------------------- the agent's char device */

static int agent_listen_fd = -1;
static int agent_fd = -1;
static GSource *agent_in_source;
static GSource *agent_out_source;
static gboolean agent_attached;
static gboolean agent_closing;

static void agent_state(SpiceCharDeviceInstance *sin, int connected)
{
    (void)sin;
    (void)connected;
}

static gboolean agent_detach(gpointer data);

static void agent_schedule_detach(void)
{
    if (!agent_closing) {
        agent_closing = TRUE;
        /* before the readable (end of file) socket's source runs again */
        g_idle_add_full(G_PRIORITY_HIGH, agent_detach, NULL, NULL);
    }
}

static gboolean agent_writable(gint fd, GIOCondition cond, gpointer data);
static SpiceCharDeviceInstance agent_sin;

static int agent_write(SpiceCharDeviceInstance *sin, const uint8_t *buf, int len)
{
    ssize_t n;
    (void)sin;
    if (agent_fd < 0 || agent_closing) {
        return 0;
    }
    n = send(agent_fd, buf, (size_t)len, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
            if (agent_out_source == NULL) {
                agent_out_source = g_unix_fd_source_new(agent_fd, G_IO_OUT);
                g_source_set_callback(agent_out_source,
                                      (GSourceFunc)(void (*)(void))agent_writable, NULL, NULL);
                g_source_attach(agent_out_source, NULL);
            }
            return 0;
        }
        agent_schedule_detach();
        return 0;
    }
    return (int)n;
}

static int agent_read(SpiceCharDeviceInstance *sin, uint8_t *buf, int len)
{
    ssize_t n;
    (void)sin;
    if (agent_fd < 0 || agent_closing || len <= 0) {
        return 0;
    }
    n = recv(agent_fd, buf, (size_t)len, MSG_DONTWAIT);
    if (n > 0) {
        return (int)n;
    }
    if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        agent_schedule_detach(); /* the "guest" closed the port */
    }
    return 0;
}

static SpiceCharDeviceInterface agent_sif = {
    .base = {
        .type = SPICE_INTERFACE_CHAR_DEVICE,
        .description = "test agent",
        .major_version = SPICE_INTERFACE_CHAR_DEVICE_MAJOR,
        .minor_version = SPICE_INTERFACE_CHAR_DEVICE_MINOR,
    },
    .state = agent_state,
    .write = agent_write,
    .read = agent_read,
};

static SpiceCharDeviceInstance agent_sin = {
    .base = { .sif = &agent_sif.base },
    .subtype = "vdagent",
};

static gboolean agent_writable(gint fd, GIOCondition cond, gpointer data)
{
    (void)fd;
    (void)cond;
    (void)data;
    g_source_unref(agent_out_source);
    agent_out_source = NULL;
    if (agent_attached) {
        spice_server_char_device_wakeup(&agent_sin);
    }
    return G_SOURCE_REMOVE;
}

static gboolean agent_readable(gint fd, GIOCondition cond, gpointer data)
{
    (void)fd;
    (void)data;
    if (agent_closing) {
        g_source_unref(agent_in_source);
        agent_in_source = NULL;
        return G_SOURCE_REMOVE;
    }
    if (agent_attached) {
        spice_server_char_device_wakeup(&agent_sin);
    }
    if ((cond & (G_IO_HUP | G_IO_ERR)) && !(cond & G_IO_IN)) {
        agent_schedule_detach();
    }
    return G_SOURCE_CONTINUE;
}

static void drop_source(GSource **s)
{
    if (*s) {
        g_source_destroy(*s);
        g_source_unref(*s);
        *s = NULL;
    }
}

static gboolean agent_detach(gpointer data)
{
    (void)data;
    drop_source(&agent_in_source);
    drop_source(&agent_out_source);
    if (agent_attached) {
        spice_server_remove_interface(&agent_sin.base);
        agent_attached = FALSE;
        printf("agent-detached\n");
    }
    if (agent_fd >= 0) {
        close(agent_fd);
        agent_fd = -1;
    }
    agent_closing = FALSE;
    return G_SOURCE_REMOVE;
}

static gboolean agent_accept(gint fd, GIOCondition cond, gpointer data)
{
    int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
    (void)cond;
    (void)data;
    if (c < 0) {
        return G_SOURCE_CONTINUE;
    }
    if (agent_fd >= 0 || agent_closing) {
        close(c); /* one agent at a time */
        return G_SOURCE_CONTINUE;
    }
    agent_fd = c;
    agent_in_source = g_unix_fd_source_new(agent_fd, G_IO_IN | G_IO_HUP | G_IO_ERR);
    g_source_set_callback(agent_in_source, (GSourceFunc)(void (*)(void))agent_readable, NULL,
                          NULL);
    g_source_attach(agent_in_source, NULL);
    if (spice_server_add_interface(server, &agent_sin.base) != 0) {
        fprintf(stderr, "spice-test-host: cannot add the agent device\n");
        agent_schedule_detach();
        return G_SOURCE_CONTINUE;
    }
    agent_attached = TRUE;
    printf("agent-attached\n");
    spice_server_char_device_wakeup(&agent_sin);
    return G_SOURCE_CONTINUE;
}

static int agent_socket_listen(const char *path)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    mode_t old;
    int fd;

    if (strlen(path) >= sizeof(sun.sun_path)) {
        fprintf(stderr, "spice-test-host: agent socket path too long\n");
        return -1;
    }
    strcpy(sun.sun_path, path);
    unlink(path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        return -1;
    }
    old = umask(0177);
    if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(fd, 4) < 0) {
        umask(old);
        fprintf(stderr, "spice-test-host: %s: %s\n", path, strerror(errno));
        close(fd);
        return -1;
    }
    umask(old);
    g_unix_fd_add(fd, G_IO_IN, agent_accept, NULL);
    return fd;
}

/* ------------------------------------------- a display channel, no display */

/* A streaming device port makes spice-server create a display channel (at
 * the first main link) without a QXL device. It never sends a stream. */
static int stream_write(SpiceCharDeviceInstance *sin, const uint8_t *buf, int len)
{
    (void)sin;
    (void)buf;
    return len;
}

static int stream_read(SpiceCharDeviceInstance *sin, uint8_t *buf, int len)
{
    (void)sin;
    (void)buf;
    (void)len;
    return 0;
}

static SpiceCharDeviceInterface stream_sif = {
    .base = {
        .type = SPICE_INTERFACE_CHAR_DEVICE,
        .description = "test stream port",
        .major_version = SPICE_INTERFACE_CHAR_DEVICE_MAJOR,
        .minor_version = SPICE_INTERFACE_CHAR_DEVICE_MINOR,
    },
    .state = agent_state,
    .write = stream_write,
    .read = stream_read,
};

static SpiceCharDeviceInstance stream_sin = {
    .base = { .sif = &stream_sif.base },
    .subtype = "port",
    .portname = "org.spice-space.stream.0",
};

/* ---------------------------------------------------------------- authz */

static GPtrArray *allowed;

#ifdef HAVE_SPICE_SSO
static int authz_is_allowed(void *opaque, const char *principal)
{
    gboolean ok = FALSE;
    (void)opaque;
    for (guint i = 0; i < allowed->len; i++) {
        if (strcmp(g_ptr_array_index(allowed, i), principal) == 0) {
            ok = TRUE;
        }
    }
    printf("authz principal=%s result=%s\n", principal, ok ? "allowed" : "refused");
    return ok;
}
#endif

/* ---------------------------------------------------------------- main */

static int free_port(const char *addr)
{
    struct sockaddr_in sin = { .sin_family = AF_INET };
    socklen_t len = sizeof(sin);
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;
    if (fd < 0) {
        return -1;
    }
    if (inet_pton(AF_INET, addr, &sin.sin_addr) == 1 &&
        bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
        getsockname(fd, (struct sockaddr *)&sin, &len) == 0) {
        port = ntohs(sin.sin_port);
    }
    close(fd);
    return port;
}

static gboolean on_signal(gpointer data)
{
    (void)data;
    g_main_loop_quit(loop);
    return G_SOURCE_CONTINUE;
}

int main(int argc, char **argv)
{
    gchar *addr = NULL, *cert = NULL, *key = NULL, *ca = NULL, *appname = NULL;
    gchar *agent_path = NULL;
    gchar **allow = NULL;
    gint port = 0, tls_port = -1;
    gboolean tls_only = FALSE, gss_delegate = FALSE, display = FALSE;
    GError *error = NULL;
    GOptionEntry entries[] = {
        { "addr", 0, 0, G_OPTION_ARG_STRING, &addr, "listen address", "ADDR" },
        { "port", 0, 0, G_OPTION_ARG_INT, &port, "plain TCP port (0: any free)", "N" },
        { "tls-port", 0, 0, G_OPTION_ARG_INT, &tls_port, "TLS port (0: any free)", "N" },
        { "cert", 0, 0, G_OPTION_ARG_FILENAME, &cert, "server certificate", "FILE" },
        { "key", 0, 0, G_OPTION_ARG_FILENAME, &key, "server key", "FILE" },
        { "ca", 0, 0, G_OPTION_ARG_FILENAME, &ca, "CA certificates", "FILE" },
        { "tls-only", 0, 0, G_OPTION_ARG_NONE, &tls_only, "every channel over TLS", NULL },
        { "sasl-appname", 0, 0, G_OPTION_ARG_STRING, &appname, "SASL application name", "NAME" },
        { "gss-delegate", 0, 0, G_OPTION_ARG_NONE, &gss_delegate,
          "accept delegated Kerberos credentials", NULL },
        { "authz-allow", 0, 0, G_OPTION_ARG_STRING_ARRAY, &allow,
          "allow this principal (repeatable; installs the authorization callback)", "PRINC" },
        { "agent-socket", 0, 0, G_OPTION_ARG_FILENAME, &agent_path,
          "UNIX socket the agent connects to", "PATH" },
        { "display", 0, 0, G_OPTION_ARG_NONE, &display,
          "a display channel (from a streaming device port)", NULL },
        { "exit-on-disconnect", 0, 0, G_OPTION_ARG_NONE, &exit_on_disconnect,
          "exit when the last client channel disconnects", NULL },
        { NULL },
    };
    GOptionContext *ctx = g_option_context_new("- a SPICE server for tests");

    setvbuf(stdout, NULL, _IOLBF, 0);
    /* as QEMU does: a peer closing its socket must not kill the server */
    signal(SIGPIPE, SIG_IGN);
    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
        fprintf(stderr, "spice-test-host: %s\n", error->message);
        return 2;
    }
    g_option_context_free(ctx);
    if (addr == NULL) {
        addr = g_strdup("127.0.0.1");
    }
    if (port == 0) {
        port = free_port(addr);
    }
    if (tls_port == 0) {
        tls_port = free_port(addr);
    }
    if (tls_port > 0 && (cert == NULL || key == NULL)) {
        fprintf(stderr, "spice-test-host: --tls-port needs --cert and --key\n");
        return 2;
    }
#ifndef HAVE_SPICE_SSO
    if (gss_delegate || allow != NULL) {
        fprintf(stderr, "spice-test-host: --gss-delegate and --authz-allow need a "
                        "libspice-server with spice_server_set_sasl_gss_delegate()\n");
        return 2;
    }
#endif

    loop = g_main_loop_new(NULL, FALSE);
    server = spice_server_new();
    spice_server_set_addr(server, addr, SPICE_ADDR_FLAG_IPV4_ONLY);
    if (port > 0) {
        spice_server_set_port(server, port);
    }
    if (spice_server_set_sasl(server, 1) != 0) {
        fprintf(stderr, "spice-test-host: this libspice-server has no SASL support\n");
        return 2;
    }
    spice_server_set_sasl_appname(server, appname ? appname : "spice-test");
    if (tls_port > 0) {
        if (spice_server_set_tls(server, tls_port, ca, cert, key, NULL, NULL, NULL) != 0) {
            fprintf(stderr, "spice-test-host: cannot set up TLS\n");
            return 2;
        }
    }
    if (tls_only) {
        spice_server_set_channel_security(server, NULL, SPICE_CHANNEL_SECURITY_SSL);
    }
#ifdef HAVE_SPICE_SSO
    if (gss_delegate && spice_server_set_sasl_gss_delegate(server, 1) != 0) {
        fprintf(stderr, "spice-test-host: this libspice-server cannot accept delegated "
                        "credentials\n");
        return 2;
    }
    if (allow != NULL) {
        allowed = g_ptr_array_new();
        for (gchar **p = allow; *p; p++) {
            g_ptr_array_add(allowed, *p);
        }
        spice_server_set_sasl_authz(server, authz_is_allowed, NULL);
    }
#endif
    if (spice_server_init(server, &core) != 0) {
        fprintf(stderr, "spice-test-host: spice_server_init failed\n");
        return 1;
    }
    if (display && spice_server_add_interface(server, &stream_sin.base) != 0) {
        fprintf(stderr, "spice-test-host: cannot add the streaming device port\n");
        return 1;
    }
    /* which library this is: the patched build or Debian's (tests check it) */
    Dl_info dl;
    printf("library path=%s\n", dladdr((void *)spice_server_new, &dl) && dl.dli_fname
                                       ? dl.dli_fname : "unknown");
    printf("listening addr=%s port=%d tls-port=%d\n", addr, port > 0 ? port : 0,
           tls_port > 0 ? tls_port : 0);

    if (agent_path) {
        agent_listen_fd = agent_socket_listen(agent_path);
        if (agent_listen_fd < 0) {
            return 1;
        }
        printf("agent-socket path=%s\n", agent_path);
    }
    g_unix_signal_add(SIGTERM, on_signal, NULL);
    g_unix_signal_add(SIGINT, on_signal, NULL);
    printf("ready pid=%d\n", (int)getpid());

    g_main_loop_run(loop);

    agent_detach(NULL);
    spice_server_destroy(server);
    if (agent_listen_fd >= 0) {
        close(agent_listen_fd);
        unlink(agent_path);
    }
    printf("exiting\n");
    if (allowed) {
        g_ptr_array_free(allowed, TRUE);
    }
    g_strfreev(allow);
    g_free(addr);
    g_free(cert);
    g_free(key);
    g_free(ca);
    g_free(appname);
    g_free(agent_path);
    g_main_loop_unref(loop);
    return 0;
}
