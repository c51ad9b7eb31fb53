/* spice-sso-connect - a console SPICE client that reports what happens
 *
 * Connects to a SPICE server with spice-client-glib, the way remote-viewer
 * does: the library's own option group (spice_get_option_group()) supplies
 * every --spice-* option, --spice-gss-delegate among them when the library
 * is the patched one, and spice_set_session_option() applies them. It then
 * prints one event line per thing that happens (see spice-sso-connect(1) for
 * the format), stays connected until its standard input closes, a signal,
 * or --disconnect-after, and disconnects cleanly.
 *
 * It runs against the unpatched library too (same soname, chosen with
 * LD_LIBRARY_PATH): that library has no --spice-gss-delegate, so the program
 * takes the option out of the command line itself, and says so.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <dlfcn.h>
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib.h>
#include <spice-client.h>

#define GSS_DELEGATE_OPTION "--spice-gss-delegate"

enum {
    EXIT_OK = 0,     /* connected, then disconnected on our request */
    EXIT_FAILED = 1, /* an error, or no connection */
    EXIT_USAGE = 2,
};

typedef struct {
    GMainLoop *loop;
    SpiceSession *session;
    SpiceMainChannel *main_channel;
    gboolean main_opened;
    gboolean failed;
    gboolean disconnecting;
    gboolean agent_known;
    gboolean agent_connected;
    guint agent_caps0;
    gint disconnect_after;
    guint deadline_id;
    guint disconnect_id;
    guint stdin_id;
    guint sigint_id, sigterm_id;
    guint linger_id;
} Client;

/* how long a disconnect may take before we stop waiting for the library:
 * spice-gtk 0.42 never reports "disconnected" for a session disconnected
 * while its main channel is still opening its connection */
#define DISCONNECT_LINGER_SECONDS 5

/* ------------------------------------------------------------ event lines */

/* a value as it appears in an event line: bare if it is made of safe
 * characters, else double-quoted with C escapes */
static void append_value(GString *line, const char *v)
{
    if (v == NULL) {
        g_string_append(line, "\"\"");
        return;
    }
    gboolean bare = v[0] != '\0';
    for (const char *p = v; *p && bare; p++) {
        bare = g_ascii_isalnum(*p) || strchr("._:/@+-,", *p) != NULL;
    }
    if (bare) {
        g_string_append(line, v);
        return;
    }
    g_autofree gchar *esc = g_strescape(v, NULL);
    g_string_append_printf(line, "\"%s\"", esc);
}

/* event NAME followed by key, value pairs, NULL-terminated */
static void G_GNUC_NULL_TERMINATED emit(const char *name, ...)
{
    g_autoptr(GString) line = g_string_new(name);
    va_list ap;
    va_start(ap, name);
    const char *key;
    while ((key = va_arg(ap, const char *)) != NULL) {
        const char *value = va_arg(ap, const char *);
        g_string_append_printf(line, " %s=", key);
        append_value(line, value);
    }
    va_end(ap);
    printf("%s\n", line->str);
    fflush(stdout);
}

static const char *channel_name(SpiceChannel *channel)
{
    gint type = 0;
    g_object_get(channel, "channel-type", &type, NULL);
    const char *n = spice_channel_type_to_string(type);
    return n ? n : "unknown";
}

static gchar *channel_id(SpiceChannel *channel)
{
    gint id = 0;
    g_object_get(channel, "channel-id", &id, NULL);
    return g_strdup_printf("%d", id);
}

/* ------------------------------------------------------------ disconnecting */

static void stop_watches(Client *c)
{
    g_clear_handle_id(&c->deadline_id, g_source_remove);
    g_clear_handle_id(&c->disconnect_id, g_source_remove);
    g_clear_handle_id(&c->stdin_id, g_source_remove);
}

static gboolean linger_over(gpointer data)
{
    Client *c = data;
    c->linger_id = 0;
    emit("disconnected", "reason", "client-gave-up-waiting", NULL);
    g_main_loop_quit(c->loop);
    return G_SOURCE_REMOVE;
}

static void disconnect(Client *c, const char *reason)
{
    if (c->disconnecting) {
        return;
    }
    c->disconnecting = TRUE;
    stop_watches(c);
    emit("disconnecting", "reason", reason, NULL);
    c->linger_id = g_timeout_add_seconds(DISCONNECT_LINGER_SECONDS, linger_over, c);
    /* emits "disconnected" once every channel is gone */
    spice_session_disconnect(c->session);
}

static void session_disconnected(SpiceSession *session, gpointer data)
{
    Client *c = data;
    stop_watches(c);
    g_clear_handle_id(&c->linger_id, g_source_remove);
    if (!c->disconnecting) {
        /* the server or the network ended it */
        c->failed = TRUE;
        emit("disconnected", "reason", "server", NULL);
    } else {
        emit("disconnected", "reason", "client", NULL);
    }
    g_main_loop_quit(c->loop);
}

static gboolean deadline_passed(gpointer data)
{
    Client *c = data;
    c->deadline_id = 0;
    c->failed = TRUE;
    emit("error", "channel", "main", "id", "0", "event", "timeout", "code", "none", "message",
         "the main channel did not open in time", NULL);
    disconnect(c, "timeout");
    return G_SOURCE_REMOVE;
}

static gboolean disconnect_time(gpointer data)
{
    Client *c = data;
    c->disconnect_id = 0;
    disconnect(c, "disconnect-after");
    return G_SOURCE_REMOVE;
}

static gboolean stdin_event(GIOChannel *source, GIOCondition cond, gpointer data)
{
    Client *c = data;
    char buf[256];
    ssize_t n = read(g_io_channel_unix_get_fd(source), buf, sizeof(buf));
    if (n > 0 || (n < 0 && (errno == EINTR || errno == EAGAIN))) {
        return G_SOURCE_CONTINUE; /* what is typed is ignored */
    }
    c->stdin_id = 0;
    disconnect(c, "stdin-closed");
    return G_SOURCE_REMOVE;
}

static gboolean on_signal(gpointer data)
{
    Client *c = data;
    if (c->disconnecting) {
        /* a second signal: stop waiting */
        emit("disconnected", "reason", "signal", NULL);
        g_main_loop_quit(c->loop);
    } else {
        disconnect(c, "signal");
    }
    return G_SOURCE_CONTINUE;
}

/* ------------------------------------------------------------ channels */

static void report_agent(Client *c, SpiceChannel *main_channel)
{
    gboolean connected = FALSE;
    gint caps0 = 0;
    g_object_get(main_channel, "agent-connected", &connected, "agent-caps-0", &caps0, NULL);
    if (c->agent_known && connected == c->agent_connected && (guint)caps0 == c->agent_caps0) {
        return;
    }
    c->agent_known = TRUE;
    c->agent_connected = connected;
    c->agent_caps0 = (guint)caps0;
    g_autofree gchar *caps = g_strdup_printf("0x%08x", (guint)caps0);
    emit("agent", "channel", "main", "connected", connected ? "yes" : "no", "caps0", caps, NULL);
}

static void main_agent_update(SpiceChannel *channel, gpointer data)
{
    Client *c = data;
    /* the state means something only while the main channel is up */
    if (c->main_opened && !c->disconnecting) {
        report_agent(c, channel);
    }
}

static const char *error_kind(SpiceChannelEvent event)
{
    switch (event) {
    case SPICE_CHANNEL_ERROR_CONNECT: return "connect";
    case SPICE_CHANNEL_ERROR_TLS: return "tls";
    case SPICE_CHANNEL_ERROR_LINK: return "link";
    case SPICE_CHANNEL_ERROR_AUTH: return "auth";
    case SPICE_CHANNEL_ERROR_IO: return "io";
    default: return "other";
    }
}

static void channel_event(SpiceChannel *channel, SpiceChannelEvent event, gpointer data)
{
    Client *c = data;
    const char *name = channel_name(channel);
    g_autofree gchar *id = channel_id(channel);
    gboolean is_main = SPICE_IS_MAIN_CHANNEL(channel);

    switch (event) {
    case SPICE_CHANNEL_OPENED:
        /* The server sends the link result only after it accepted the
         * channel's authentication (SASL, ticket or none): opening is
         * where authentication is known to be done. */
        emit("auth-done", "channel", name, "id", id, NULL);
        emit("connected", "channel", name, "id", id, NULL);
        if (is_main && !c->main_opened) {
            c->main_opened = TRUE;
            g_clear_handle_id(&c->deadline_id, g_source_remove);
            report_agent(c, channel);
            if (c->disconnect_after >= 0 && !c->disconnecting) {
                c->disconnect_id = g_timeout_add_seconds(c->disconnect_after, disconnect_time, c);
            }
        }
        break;
    case SPICE_CHANNEL_CLOSED:
        emit("closed", "channel", name, "id", id, NULL);
        break;
    case SPICE_CHANNEL_SWITCHING:
        emit("switching", "channel", name, "id", id, NULL);
        break;
    case SPICE_CHANNEL_ERROR_CONNECT:
    case SPICE_CHANNEL_ERROR_TLS:
    case SPICE_CHANNEL_ERROR_LINK:
    case SPICE_CHANNEL_ERROR_AUTH:
    case SPICE_CHANNEL_ERROR_IO: {
        const GError *err = spice_channel_get_error(channel);
        g_autofree gchar *code = NULL;
        if (err) {
            code = g_strdup_printf("%s:%d", g_quark_to_string(err->domain), err->code);
        }
        c->failed = TRUE;
        emit("error", "channel", name, "id", id, "event", error_kind(event), "code",
             code ? code : "none", "message", err ? err->message : "(no details)", NULL);
        /* without the main channel there is no session */
        if (is_main) {
            disconnect(c, "error");
        }
        break;
    }
    default:
        break;
    }
}

static void channel_new(SpiceSession *session, SpiceChannel *channel, gpointer data)
{
    Client *c = data;
    g_autofree gchar *id = channel_id(channel);

    emit("channel-new", "channel", channel_name(channel), "id", id, NULL);
    g_signal_connect(channel, "channel-event", G_CALLBACK(channel_event), c);
    if (SPICE_IS_MAIN_CHANNEL(channel)) {
        c->main_channel = SPICE_MAIN_CHANNEL(channel);
        g_signal_connect(channel, "main-agent-update", G_CALLBACK(main_agent_update), c);
        return; /* spice_session_connect() connects it */
    }
    /* connect every other channel the server offers, as a graphical client
     * would: each authenticates on its own */
    if (!c->disconnecting) {
        spice_channel_connect(channel);
    }
}

static void channel_destroy(SpiceSession *session, SpiceChannel *channel, gpointer data)
{
    Client *c = data;
    if ((gpointer)channel == (gpointer)c->main_channel) {
        c->main_channel = NULL;
    }
}

/* ------------------------------------------------------------ options */

/* whether the library's option group offers --spice-gss-delegate: ask the
 * group itself, through the help text GLib builds from its entries */
static gboolean group_has_option(GOptionContext *ctx, GOptionGroup *group, const char *option)
{
    g_autofree gchar *help = g_option_context_get_help(ctx, FALSE, group);
    for (const char *p = help; (p = strstr(p, option)) != NULL; p += strlen(option)) {
        char next = p[strlen(option)];
        if (next == '\0' || next == ' ' || next == '\n' || next == '=') {
            return TRUE;
        }
    }
    return FALSE;
}

static const char *library_path(void)
{
    Dl_info info;
    if (dladdr((void *)spice_session_new, &info) && info.dli_fname) {
        return info.dli_fname;
    }
    return "unknown";
}

int main(int argc, char **argv)
{
    g_autofree gchar *host = NULL, *port = NULL, *tls_port = NULL, *uri = NULL;
    gint timeout = 30, disconnect_after = -1;
    gboolean ignore_stdin = FALSE;
    gchar **rest = NULL;
    GOptionEntry entries[] = {
        {"host", 0, 0, G_OPTION_ARG_STRING, &host, "Server host name", "HOST"},
        {"port", 0, 0, G_OPTION_ARG_STRING, &port, "Server port (plain)", "PORT"},
        {"tls-port", 0, 0, G_OPTION_ARG_STRING, &tls_port, "Server port (TLS)", "PORT"},
        {"uri", 0, 0, G_OPTION_ARG_STRING, &uri, "spice:// URI of the server (or as argument)", "URI"},
        {"timeout", 0, 0, G_OPTION_ARG_INT, &timeout,
         "Give up if the main channel is not open after SECONDS (default 30, 0: never)", "SECONDS"},
        {"disconnect-after", 0, 0, G_OPTION_ARG_INT, &disconnect_after,
         "Disconnect SECONDS after the main channel opened", "SECONDS"},
        {"ignore-stdin", 0, 0, G_OPTION_ARG_NONE, &ignore_stdin,
         "Do not disconnect when standard input closes", NULL},
        {G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &rest, NULL, "[URI]"},
        {NULL, 0, 0, 0, NULL, NULL, NULL},
    };

    setlocale(LC_ALL, "");
    setvbuf(stdout, NULL, _IOLBF, 0);
    /* stdout is for event lines only: every log message (GLib would write
     * debug and info to stdout) goes to stderr */
    g_log_writer_default_set_use_stderr(TRUE);

    g_autoptr(GOptionContext) ctx = g_option_context_new("- connect to a SPICE server and report events");
    g_option_context_add_main_entries(ctx, entries, NULL);
    /* as remote-viewer: the library's group, applied with spice_set_session_option() */
    GOptionGroup *spice_group = spice_get_option_group();
    g_option_context_add_group(ctx, spice_group);

    gboolean has_delegate = group_has_option(ctx, spice_group, GSS_DELEGATE_OPTION);
    emit("start", "library", library_path(), "version", spice_util_get_version_string(),
         "gss-delegate-option", has_delegate ? "yes" : "no", NULL);

    /* an unpatched library would reject the option: take it out, say so */
    g_autofree gchar **args = g_new0(gchar *, argc + 1);
    gint nargs = 0;
    gboolean dropped = FALSE;
    for (gint i = 0; i < argc; i++) {
        if (!has_delegate && i > 0 && g_str_equal(argv[i], GSS_DELEGATE_OPTION)) {
            dropped = TRUE;
            continue;
        }
        args[nargs++] = argv[i];
    }
    if (dropped) {
        emit("option-ignored", "option", GSS_DELEGATE_OPTION, "reason",
             "this spice-client-glib has no such option: connecting without delegation", NULL);
    }

    g_autoptr(GError) err = NULL;
    gchar **pargv = args;
    if (!g_option_context_parse(ctx, &nargs, &pargv, &err)) {
        emit("error", "event", "usage", "message", err->message, NULL);
        g_strfreev(rest);
        return EXIT_USAGE;
    }
    if (rest && rest[0]) {
        if (uri || rest[1]) {
            emit("error", "event", "usage", "message", "give one URI, as argument or with --uri", NULL);
            g_strfreev(rest);
            return EXIT_USAGE;
        }
        uri = g_strdup(rest[0]);
    }
    g_strfreev(rest);
    if (!uri && !host) {
        emit("error", "event", "usage", "message", "no server: give a URI or --host", NULL);
        return EXIT_USAGE;
    }
    if (!uri && !port && !tls_port) {
        emit("error", "event", "usage", "message", "no port: give --port or --tls-port", NULL);
        return EXIT_USAGE;
    }

    Client c = {0};
    c.disconnect_after = disconnect_after;
    c.loop = g_main_loop_new(NULL, FALSE);
    c.session = spice_session_new();
    if (uri) {
        g_object_set(c.session, "uri", uri, NULL);
    }
    if (host) {
        g_object_set(c.session, "host", host, NULL);
    }
    if (port) {
        g_object_set(c.session, "port", port, NULL);
    }
    if (tls_port) {
        g_object_set(c.session, "tls-port", tls_port, NULL);
    }
    spice_set_session_option(c.session);

    const char *delegate = "unsupported";
    if (g_object_class_find_property(G_OBJECT_GET_CLASS(c.session), "gss-delegate")) {
        gboolean on = FALSE;
        g_object_get(c.session, "gss-delegate", &on, NULL);
        delegate = on ? "on" : "off";
    }
    g_autofree gchar *s_host = NULL, *s_port = NULL, *s_tls = NULL;
    g_object_get(c.session, "host", &s_host, "port", &s_port, "tls-port", &s_tls, NULL);
    emit("session", "host", s_host ? s_host : "", "port", s_port ? s_port : "", "tls-port",
         s_tls ? s_tls : "", "gss-delegate", delegate, NULL);

    g_signal_connect(c.session, "channel-new", G_CALLBACK(channel_new), &c);
    g_signal_connect(c.session, "channel-destroy", G_CALLBACK(channel_destroy), &c);
    g_signal_connect(c.session, "disconnected", G_CALLBACK(session_disconnected), &c);

    if (!ignore_stdin) {
        GIOChannel *in = g_io_channel_unix_new(STDIN_FILENO);
        c.stdin_id = g_io_add_watch(in, G_IO_IN | G_IO_HUP | G_IO_ERR, stdin_event, &c);
        g_io_channel_unref(in);
    }
    c.sigint_id = g_unix_signal_add(SIGINT, on_signal, &c);
    c.sigterm_id = g_unix_signal_add(SIGTERM, on_signal, &c);
    if (timeout > 0) {
        c.deadline_id = g_timeout_add_seconds(timeout, deadline_passed, &c);
    }

    if (!spice_session_connect(c.session)) {
        emit("error", "channel", "main", "id", "0", "event", "connect", "code", "none", "message",
             "cannot start connecting", NULL);
        c.failed = TRUE;
    } else {
        g_main_loop_run(c.loop);
    }

    stop_watches(&c);
    g_clear_handle_id(&c.sigint_id, g_source_remove);
    g_clear_handle_id(&c.sigterm_id, g_source_remove);
    g_clear_handle_id(&c.linger_id, g_source_remove);
    g_object_unref(c.session);
    g_main_loop_unref(c.loop);

    int status = (c.failed || !c.main_opened) ? EXIT_FAILED : EXIT_OK;
    g_autofree gchar *st = g_strdup_printf("%d", status);
    emit("exit", "status", st, NULL);
    return status;
}
