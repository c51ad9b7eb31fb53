/* mini-spice-host - Debian's unpatched libspice-server on a GLib main loop,
 * with SASL, for testing the client against a server we did not change.
 *
 * It stands in for QEMU: no display, no agent, just the main and inputs
 * channels that every spice-server offers, each authenticating with SASL.
 * It is linked against the system's libspice-server (see meson.build), so
 * what it shows is the unpatched server's behaviour.
 *
 *   mini-spice-host --port N | --tls-port N --x509-dir DIR
 *                   [--sasl-appname NAME]
 *
 * DIR holds ca-cert.pem, server-cert.pem and server-key.pem, as for QEMU.
 * The SASL configuration is NAME.conf (default "spice-sso-test") in
 * SASL_CONF_PATH; the acceptor's keytab is KRB5_KTNAME.
 *
 * stdout, one line per event:
 *   listening port=N tls-port=M library=PATH
 *   channel-connected type=T id=I tls=yes|no      (after authentication)
 *   channel-disconnected type=T id=I
 *   exiting
 * SIGTERM or SIGINT: the server is destroyed, exit 0.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <spice.h>

#include <dlfcn.h>
#include <glib-unix.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>

static GMutex out_lock;

static void say(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_mutex_lock(&out_lock);
    vprintf(fmt, ap);
    putchar('\n');
    fflush(stdout);
    g_mutex_unlock(&out_lock);
    va_end(ap);
}

/* ------------------------------------------------------------ core interface */

struct SpiceTimer {
    SpiceTimerFunc func;
    void *opaque;
    guint id;
};

static gboolean timer_fired(gpointer data)
{
    SpiceTimer *t = data;
    t->id = 0;
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
    g_clear_handle_id(&t->id, g_source_remove);
}

static void timer_start(SpiceTimer *t, uint32_t ms)
{
    timer_cancel(t);
    t->id = g_timeout_add(ms, timer_fired, t);
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
    guint id;
};

static gboolean watch_fired(gint fd, GIOCondition cond, gpointer data)
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
    g_clear_handle_id(&w->id, g_source_remove);
    w->mask = mask;
    GIOCondition cond = 0;
    if (mask & SPICE_WATCH_EVENT_READ) {
        cond |= G_IO_IN | G_IO_HUP | G_IO_ERR;
    }
    if (mask & SPICE_WATCH_EVENT_WRITE) {
        cond |= G_IO_OUT;
    }
    if (cond) {
        w->id = g_unix_fd_add(w->fd, cond, watch_fired, w);
    }
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
    g_clear_handle_id(&w->id, g_source_remove);
    g_free(w);
}

static void channel_event(int event, SpiceChannelEventInfo *info)
{
    const char *tls = (info->flags & SPICE_CHANNEL_EVENT_FLAG_TLS) ? "yes" : "no";
    switch (event) {
    case SPICE_CHANNEL_EVENT_INITIALIZED:
        say("channel-connected type=%d id=%d tls=%s", info->type, info->id, tls);
        break;
    case SPICE_CHANNEL_EVENT_DISCONNECTED:
        say("channel-disconnected type=%d id=%d", info->type, info->id);
        break;
    default:
        break;
    }
}

static SpiceCoreInterface core = {
    .base = {
        .type = SPICE_INTERFACE_CORE,
        .description = "mini-spice-host core",
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

/* ------------------------------------------------------------ main */

static gboolean quit(gpointer loop)
{
    g_main_loop_quit(loop);
    return G_SOURCE_CONTINUE; /* removed by main() */
}

int main(int argc, char **argv)
{
    gint port = 0, tls_port = 0;
    g_autofree gchar *x509_dir = NULL, *appname = NULL;
    GOptionEntry entries[] = {
        {"port", 0, 0, G_OPTION_ARG_INT, &port, "plain TCP port", "N"},
        {"tls-port", 0, 0, G_OPTION_ARG_INT, &tls_port, "TLS port", "N"},
        {"x509-dir", 0, 0, G_OPTION_ARG_FILENAME, &x509_dir, "ca-cert.pem, server-cert.pem, server-key.pem", "DIR"},
        {"sasl-appname", 0, 0, G_OPTION_ARG_STRING, &appname, "SASL application name", "NAME"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };
    g_autoptr(GOptionContext) ctx = g_option_context_new("- unpatched spice-server with SASL, for tests");
    g_option_context_add_main_entries(ctx, entries, NULL);
    g_autoptr(GError) err = NULL;
    if (!g_option_context_parse(ctx, &argc, &argv, &err)) {
        fprintf(stderr, "mini-spice-host: %s\n", err->message);
        return 2;
    }
    if ((port <= 0 && tls_port <= 0) || (tls_port > 0 && !x509_dir)) {
        fprintf(stderr, "mini-spice-host: give --port, or --tls-port with --x509-dir\n");
        return 2;
    }

    gint64 t0 = g_get_monotonic_time();
    GMainLoop *loop = g_main_loop_new(NULL, FALSE);
    SpiceServer *server = spice_server_new();
    spice_server_set_addr(server, "127.0.0.1", SPICE_ADDR_FLAG_IPV4_ONLY);
    if (port > 0) {
        spice_server_set_port(server, port);
    }
    g_autofree gchar *ca = NULL, *cert = NULL, *key = NULL;
    if (tls_port > 0) {
        ca = g_build_filename(x509_dir, "ca-cert.pem", NULL);
        cert = g_build_filename(x509_dir, "server-cert.pem", NULL);
        key = g_build_filename(x509_dir, "server-key.pem", NULL);
        if (spice_server_set_tls(server, tls_port, ca, cert, key, NULL, NULL, NULL) != 0) {
            fprintf(stderr, "mini-spice-host: cannot set up TLS\n");
            return 1;
        }
    }
    if (spice_server_set_sasl(server, 1) != 0 ||
        spice_server_set_sasl_appname(server, appname ? appname : "spice-sso-test") != 0) {
        fprintf(stderr, "mini-spice-host: this libspice-server has no SASL\n");
        return 1;
    }
    if (spice_server_init(server, &core) != 0) {
        fprintf(stderr, "mini-spice-host: spice_server_init failed\n");
        return 1;
    }
    fprintf(stderr, "mini-spice-host: started in %" G_GINT64_FORMAT " ms\n",
            (g_get_monotonic_time() - t0) / 1000);
    Dl_info info;
    const char *lib = dladdr((void *)spice_server_new, &info) && info.dli_fname ? info.dli_fname : "unknown";
    say("listening port=%d tls-port=%d library=%s", port, tls_port, lib);

    guint sigterm = g_unix_signal_add(SIGTERM, quit, loop);
    guint sigint = g_unix_signal_add(SIGINT, quit, loop);
    g_main_loop_run(loop);
    g_source_remove(sigterm);
    g_source_remove(sigint);
    spice_server_destroy(server);
    g_main_loop_unref(loop);
    say("exiting");
    return 0;
}
