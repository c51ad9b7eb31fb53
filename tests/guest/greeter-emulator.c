/* greeter-emulator - the part of GNOME's login screen that single sign-on
 * talks to, for tests: gnome-shell 43's oVirt credential manager and the
 * PAM calls of GDM 43's session worker, driving real Linux-PAM.
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Why an emulator: the real greeter is a Wayland compositor (gnome-shell in
 * GDM's greeter session) talking to gdm-session-worker over GDM's private
 * D-Bus; neither runs without a seat, a GPU and logind, none of which exist
 * here. What single sign-on depends on is a small, exact contract, and this
 * program implements that contract and nothing else:
 *
 * gnome-shell 43 (js/gdm/oVirt.js, credentialManager.js, util.js):
 *  - a Gio.DBusProxy on the SYSTEM bus for name org.ovirt.vdsm.Credentials,
 *    object /org/ovirt/vdsm/Credentials, interface org.ovirt.vdsm.Credentials
 *    (flags DO_NOT_LOAD_PROPERTIES), so only signals from the CURRENT OWNER
 *    of the name are delivered (GDBusProxy semantics), with the signature of
 *    the interface, UserAuthenticated(s token);
 *  - on the signal the token is kept and the gdm-ovirtcred conversation is
 *    started, preempting the others; every PAM_PROMPT_ECHO_OFF question of
 *    that conversation is answered with the token; an ECHO_ON question would
 *    be shown to the user (here: printed, answered with a conversation
 *    error, since a transparent login has failed); info and error messages
 *    are shown (printed);
 *  - a failed conversation clears the token and is not retried.
 * GDM 43's session worker (daemon/gdm-session-worker.c):
 *  - pam_start("gdm-ovirtcred", NULL for a login / the user for an unlock)
 *    (here pam_start_confdir, so the test's PAM directory is used), with
 *    PAM_USER_PROMPT "Username:" when no user is given; PAM_RHOST for a
 *    remote display; XDG_SEAT=<the display's seat> in the PAM environment
 *    for a display with a seat (none for a remote one); PAM_TTY
 *    "/dev/tty<initial VT>" (gdm_session_worker_initialize_pam; here
 *    --seat, --rhost, --tty: seat0, none, /dev/tty1 by default);
 *  - pam_authenticate, pam_acct_mgmt; then, as root: LOGNAME, USER,
 *    USERNAME, HOME, SHELL and PATH put in the PAM environment, setgid and
 *    initgroups to the user, pam_setcred(PAM_ESTABLISH_CRED) for a login or
 *    pam_setcred(PAM_REINITIALIZE_CRED) for an unlock (whose result GDM
 *    ignores, as it ignores acct_mgmt's);
 *  - a login: pam_open_session, then the session runs as the user with the
 *    environment of pam_getenvlist(); at its end pam_close_session,
 *    pam_setcred(PAM_DELETE_CRED), pam_end.
 *
 * The "session" here is a command (e.g. klist) run as the user with the
 * PAM environment; variables the PAM environment lacks are taken from ours
 * (PATH, LD_PRELOAD and NSS_WRAPPER_* for test accounts, KRB5_CONFIG for the
 * test realm), which a real session would get from its own login files.
 *
 *   greeter-emulator --confdir DIR [--service NAME] [--unlock USER [--session ID]]
 *                    [--seat SEAT|""] [--rhost HOST] [--tty TTY]
 *                    [--conversations N] [--answer-delay SECONDS]
 *                    [--timeout SECONDS] [--hold] [-- COMMAND ARGS...]
 *
 * With --session, the unlock dialog's shell reports a successful unlock of
 * logind session ID as gnome-shell's screen shield does once it is
 * dismissed: org.freedesktop.login1.Session.SetLockedHint(false) on the
 * session's object (from Manager.GetSession), on the system bus.
 *
 * With --hold the session stays open after the command until a line
 * "close" or end of file on stdin, or SIGTERM/SIGINT/SIGHUP.
 *
 * Output: one event per line on stdout, "<event> [details]":
 *   ready owner=<unique name|none>     listening
 *   signal UserAuthenticated           a token arrived (never printed)
 *   prompt echo-off answered           the token was given
 *   prompt echo-on <text> | info <text> | error <text>
 *   pam <call> <code> <text>           each PAM call's result
 *   user <name> uid=<uid>              PAM_USER after authentication
 *   env NAME=VALUE                     the session's PAM environment
 *   session-opened | unlocked
 *   locked-hint false | locked-hint-failed <error>   (--session)
 *   command-exit <status>
 *   session-closed
 *   result ok | result failed <call>
 *   timeout
 * Exit status: 0 when the asked number of conversations ran (whatever their
 * results), 2 on timeout, 1 on a usage or setup error.
 */
#include <errno.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <grp.h>
#include <pwd.h>
#include <security/pam_appl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define BUS_NAME "org.ovirt.vdsm.Credentials"
#define OBJECT_PATH "/org/ovirt/vdsm/Credentials"
#define IFACE_XML                                                                                  \
    "<node><interface name='org.ovirt.vdsm.Credentials'>"                                          \
    "<signal name='UserAuthenticated'><arg type='s' name='token'/></signal>"                       \
    "</interface></node>"
#define DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin:/usr/games"

static struct {
    const char *service;
    const char *confdir;
    const char *unlock_user;
    const char *seat;
    const char *rhost;
    const char *tty;
    const char *session;
    int conversations;
    int answer_delay;
    int timeout;
    gboolean hold;
    char **command;
} opt = { .service = "gdm-ovirtcred", .seat = "seat0", .tty = "/dev/tty1", .conversations = 1,
          .timeout = 60 };

static GMainLoop *loop;
static GQueue tokens = G_QUEUE_INIT;
static char *current_token; /* the credential manager's token */
static int done_conversations;
static int exit_status;
static volatile sig_atomic_t close_requested;

static void event(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

static void event(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

static void forget_token(void)
{
    if (current_token != NULL) {
        explicit_bzero(current_token, strlen(current_token));
        g_free(current_token);
        current_token = NULL;
    }
}

/* gdm_session_worker_pam_new_messages_handler + gnome-shell's handlers */
static int conversation(int n, const struct pam_message **msg, struct pam_response **resp,
                        void *data)
{
    (void)data;
    struct pam_response *r = calloc((size_t)n, sizeof(*r));
    if (r == NULL) {
        return PAM_BUF_ERR;
    }
    for (int i = 0; i < n; i++) {
        const char *text = msg[i]->msg ? msg[i]->msg : "";
        switch (msg[i]->msg_style) {
        case PAM_PROMPT_ECHO_OFF:
            if (current_token == NULL) {
                event("prompt echo-off unanswered %s", text);
                goto fail;
            }
            if (opt.answer_delay > 0) {
                sleep((unsigned)opt.answer_delay);
            }
            r[i].resp = strdup(current_token);
            if (r[i].resp == NULL) {
                goto fail;
            }
            event("prompt echo-off answered");
            break;
        case PAM_PROMPT_ECHO_ON:
            event("prompt echo-on %s", text);
            goto fail;
        case PAM_ERROR_MSG:
            event("error %s", text);
            break;
        case PAM_TEXT_INFO:
            event("info %s", text);
            break;
        default:
            event("prompt unknown-style %d", msg[i]->msg_style);
            goto fail;
        }
    }
    *resp = r;
    return PAM_SUCCESS;
fail:
    for (int i = 0; i < n; i++) {
        if (r[i].resp != NULL) {
            explicit_bzero(r[i].resp, strlen(r[i].resp));
            free(r[i].resp);
        }
    }
    free(r);
    return PAM_CONV_ERR;
}

static int pam_call(pam_handle_t *pamh, const char *name, int code)
{
    event("pam %s %d %s", name, code, pam_strerror(pamh, code));
    return code;
}

static void put_env(pam_handle_t *pamh, const char *key, const char *value)
{
    char *e = g_strdup_printf("%s=%s", key, value);
    pam_putenv(pamh, e);
    g_free(e);
}

/* The session: @command as the user, with the PAM environment first. */
static int run_session_command(pam_handle_t *pamh, const struct passwd *pw)
{
    char **penv = pam_getenvlist(pamh);
    GPtrArray *env = g_ptr_array_new_with_free_func(g_free);
    for (char **e = penv; e != NULL && *e != NULL; e++) {
        g_ptr_array_add(env, g_strdup(*e));
    }
    for (char **e = environ; *e != NULL; e++) {
        const char *eq = strchr(*e, '=');
        if (eq == NULL) {
            continue;
        }
        char *key = g_strndup(*e, (gsize)(eq - *e));
        if (pam_getenv(pamh, key) == NULL) {
            g_ptr_array_add(env, g_strdup(*e));
        }
        g_free(key);
    }
    g_ptr_array_add(env, NULL);
    if (penv != NULL) {
        for (char **e = penv; *e != NULL; e++) {
            free(*e);
        }
        free(penv);
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        if (setgid(pw->pw_gid) != 0 || initgroups(pw->pw_name, pw->pw_gid) != 0 ||
            setuid(pw->pw_uid) != 0 || setsid() < 0) {
            _exit(126);
        }
        if (chdir(pw->pw_dir) != 0 && chdir("/") != 0) {
            _exit(126);
        }
        execvpe(opt.command[0], opt.command, (char **)env->pdata);
        _exit(127);
    }
    g_ptr_array_unref(env);
    int st = 0;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    event("command-exit %d", code);
    return code;
}

static void on_close_signal(int sig)
{
    (void)sig;
    close_requested = 1;
}

/* --hold: until "close", EOF, or a signal. */
static void wait_for_close(void)
{
    struct sigaction sa = { .sa_handler = on_close_signal };
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    event("holding");
    char line[64];
    while (!close_requested) {
        if (fgets(line, sizeof(line), stdin) == NULL) {
            if (errno == EINTR && !feof(stdin)) {
                clearerr(stdin);
                continue;
            }
            break;
        }
        if (strncmp(line, "close", 5) == 0) {
            break;
        }
    }
}

/* The shell reports the unlock to logind (gnome-shell: the screen shield,
 * once dismissed, calls SetLockedHint(false) on its session). */
static void report_unlocked(void)
{
    GError *err = NULL;
    GDBusConnection *bus = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, &err);
    GVariant *ret = NULL;
    const char *path = NULL;

    if (bus != NULL) {
        ret = g_dbus_connection_call_sync(bus, "org.freedesktop.login1", "/org/freedesktop/login1",
                                          "org.freedesktop.login1.Manager", "GetSession",
                                          g_variant_new("(s)", opt.session), G_VARIANT_TYPE("(o)"),
                                          G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &err);
    }
    if (ret != NULL) {
        g_variant_get(ret, "(&o)", &path);
        GVariant *r2 = g_dbus_connection_call_sync(bus, "org.freedesktop.login1", path,
                                                   "org.freedesktop.login1.Session",
                                                   "SetLockedHint", g_variant_new("(b)", FALSE),
                                                   NULL, G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &err);
        if (r2 != NULL) {
            g_variant_unref(r2);
        }
        g_variant_unref(ret);
    }
    if (err != NULL) {
        event("locked-hint-failed %s", err->message);
        g_error_free(err);
    } else {
        event("locked-hint false");
    }
    if (bus != NULL) {
        g_object_unref(bus);
    }
}

/* One gdm-ovirtcred conversation, as the worker runs it. */
static void run_conversation(void)
{
    struct pam_conv conv = { conversation, NULL };
    pam_handle_t *pamh = NULL;
    const char *failed = NULL;
    int unlock = opt.unlock_user != NULL;
    int r = pam_start_confdir(opt.service, opt.unlock_user, &conv, opt.confdir, &pamh);
    if (r != PAM_SUCCESS) {
        event("pam start %d", r);
        event("result failed start");
        forget_token();
        return;
    }
    if (!unlock) {
        pam_set_item(pamh, PAM_USER_PROMPT, "Username:");
    }
    if (opt.rhost != NULL && opt.rhost[0] != '\0') {
        pam_set_item(pamh, PAM_RHOST, opt.rhost);
    }
    if (opt.seat[0] != '\0') {
        put_env(pamh, "XDG_SEAT", opt.seat);
    }
    pam_set_item(pamh, PAM_TTY, opt.tty);
    if (pam_call(pamh, "authenticate", pam_authenticate(pamh, 0)) != PAM_SUCCESS) {
        failed = "authenticate";
        goto end;
    }
    r = pam_call(pamh, "acct_mgmt", pam_acct_mgmt(pamh, 0));
    if (r != PAM_SUCCESS && !unlock) {
        failed = "acct_mgmt";
        goto end;
    }
    const void *item = NULL;
    pam_get_item(pamh, PAM_USER, &item);
    struct passwd *pw = item != NULL ? getpwnam((const char *)item) : NULL;
    if (pw == NULL) {
        event("user unknown %s", item != NULL ? (const char *)item : "(none)");
        failed = "accredit";
        goto end;
    }
    event("user %s uid=%lu", pw->pw_name, (unsigned long)pw->pw_uid);
    put_env(pamh, "LOGNAME", pw->pw_name);
    put_env(pamh, "USER", pw->pw_name);
    put_env(pamh, "USERNAME", pw->pw_name);
    put_env(pamh, "HOME", pw->pw_dir);
    put_env(pamh, "SHELL", pw->pw_shell);
    if (pam_getenv(pamh, "PATH") == NULL) {
        put_env(pamh, "PATH", DEFAULT_PATH);
    }
    /* _change_user: the worker's gid becomes the user's, uid stays root */
    if (setgid(pw->pw_gid) != 0 || initgroups(pw->pw_name, pw->pw_gid) != 0) {
        event("change-user failed %s", g_strerror(errno));
        failed = "accredit";
        goto end;
    }
    r = pam_call(pamh, unlock ? "setcred-reinitialize" : "setcred-establish",
                 pam_setcred(pamh, unlock ? PAM_REINITIALIZE_CRED : PAM_ESTABLISH_CRED));
    if (unlock) {
        /* GDM ignores setcred's result when reauthenticating */
        event("unlocked");
        if (opt.session != NULL) {
            report_unlocked();
        }
        goto end;
    }
    if (r != PAM_SUCCESS) {
        failed = "setcred";
        goto end;
    }
    put_env(pamh, "XDG_SESSION_TYPE", "wayland");
    put_env(pamh, "XDG_SESSION_CLASS", "user");
    if (pam_call(pamh, "open_session", pam_open_session(pamh, 0)) != PAM_SUCCESS) {
        failed = "open_session";
        pam_setcred(pamh, PAM_DELETE_CRED);
        goto end;
    }
    event("session-opened");
    char **env = pam_getenvlist(pamh);
    for (char **e = env; e != NULL && *e != NULL; e++) {
        event("env %s", *e);
        free(*e);
    }
    free(env);
    if (opt.command != NULL) {
        run_session_command(pamh, pw);
    }
    if (opt.hold) {
        wait_for_close();
    }
    pam_call(pamh, "close_session", pam_close_session(pamh, 0));
    pam_call(pamh, "setcred-delete", pam_setcred(pamh, PAM_DELETE_CRED));
    event("session-closed");
end:
    pam_end(pamh, failed ? PAM_AUTH_ERR : PAM_SUCCESS);
    if (failed) {
        event("result failed %s", failed);
    } else {
        event("result ok");
    }
    /* _onConversationStopped / a finished login: the token is gone */
    forget_token();
}

static gboolean next_conversation(gpointer data)
{
    (void)data;
    while (!g_queue_is_empty(&tokens) && done_conversations < opt.conversations) {
        forget_token();
        current_token = g_queue_pop_head(&tokens);
        run_conversation();
        done_conversations++;
    }
    if (done_conversations >= opt.conversations) {
        g_main_loop_quit(loop);
    }
    return G_SOURCE_REMOVE;
}

/* OVirtCredentialsManager: connectSignal('UserAuthenticated', ...) */
static void on_proxy_signal(GDBusProxy *proxy, const char *sender, const char *signal,
                            GVariant *params, gpointer data)
{
    (void)proxy;
    (void)sender;
    (void)data;
    if (g_strcmp0(signal, "UserAuthenticated") != 0 ||
        !g_variant_is_of_type(params, G_VARIANT_TYPE("(s)"))) {
        return;
    }
    const char *token = NULL;
    g_variant_get(params, "(&s)", &token);
    if (token == NULL || token[0] == '\0') {
        return; /* the manager's setter ignores an empty token */
    }
    event("signal UserAuthenticated");
    g_queue_push_tail(&tokens, g_strdup(token));
    g_idle_add(next_conversation, NULL);
}

static gboolean on_timeout(gpointer data)
{
    (void)data;
    event("timeout");
    exit_status = 2;
    g_main_loop_quit(loop);
    return G_SOURCE_REMOVE;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    GOptionEntry entries[] = {
        { "service", 0, 0, G_OPTION_ARG_STRING, &opt.service, "PAM service", "NAME" },
        { "confdir", 0, 0, G_OPTION_ARG_FILENAME, &opt.confdir, "PAM configuration directory", "DIR" },
        { "unlock", 0, 0, G_OPTION_ARG_STRING, &opt.unlock_user, "unlock USER's session", "USER" },
        { "seat", 0, 0, G_OPTION_ARG_STRING, &opt.seat, "the display's seat (\"\": none)", "SEAT" },
        { "rhost", 0, 0, G_OPTION_ARG_STRING, &opt.rhost, "a remote display's host", "HOST" },
        { "tty", 0, 0, G_OPTION_ARG_STRING, &opt.tty, "PAM_TTY", "TTY" },
        { "session", 0, 0, G_OPTION_ARG_STRING, &opt.session,
          "with --unlock: report the unlock of logind session ID (SetLockedHint)", "ID" },
        { "conversations", 0, 0, G_OPTION_ARG_INT, &opt.conversations, "conversations to run", "N" },
        { "answer-delay", 0, 0, G_OPTION_ARG_INT, &opt.answer_delay, "seconds before answering", "S" },
        { "timeout", 0, 0, G_OPTION_ARG_INT, &opt.timeout, "give up after S seconds", "S" },
        { "hold", 0, 0, G_OPTION_ARG_NONE, &opt.hold, "keep the session open until told", NULL },
        { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt.command, "session command", "CMD" },
        { NULL, 0, 0, 0, NULL, NULL, NULL }
    };
    GError *err = NULL;
    GOptionContext *oc = g_option_context_new("- gnome-shell 43's oVirt credential manager and GDM's PAM calls");
    g_option_context_add_main_entries(oc, entries, NULL);
    if (!g_option_context_parse(oc, &argc, &argv, &err) || opt.confdir == NULL ||
        opt.conversations < 1) {
        fprintf(stderr, "greeter-emulator: %s\n", err ? err->message : "--confdir is required");
        return 1;
    }
    g_option_context_free(oc);

    GDBusConnection *bus = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, &err);
    if (bus == NULL) {
        fprintf(stderr, "greeter-emulator: system bus: %s\n", err->message);
        return 1;
    }
    GDBusNodeInfo *node = g_dbus_node_info_new_for_xml(IFACE_XML, &err);
    g_assert_no_error(err);
    GDBusProxy *proxy = g_dbus_proxy_new_sync(bus, G_DBUS_PROXY_FLAGS_DO_NOT_LOAD_PROPERTIES,
                                              node->interfaces[0], BUS_NAME, OBJECT_PATH,
                                              BUS_NAME, NULL, &err);
    if (proxy == NULL) {
        fprintf(stderr, "greeter-emulator: proxy: %s\n", err->message);
        return 1;
    }
    g_signal_connect(proxy, "g-signal", G_CALLBACK(on_proxy_signal), NULL);
    char *owner = g_dbus_proxy_get_name_owner(proxy);
    event("ready owner=%s", owner ? owner : "none");
    g_free(owner);

    loop = g_main_loop_new(NULL, FALSE);
    g_timeout_add_seconds((guint)opt.timeout, on_timeout, NULL);
    g_main_loop_run(loop);

    forget_token();
    while (!g_queue_is_empty(&tokens)) {
        char *t = g_queue_pop_head(&tokens);
        explicit_bzero(t, strlen(t));
        g_free(t);
    }
    g_main_loop_unref(loop);
    g_object_unref(proxy);
    g_dbus_node_info_unref(node);
    g_object_unref(bus);
    g_strfreev(opt.command);
    return exit_status;
}
