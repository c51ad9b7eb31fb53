/* logind-standin - the part of systemd-logind's D-Bus API that single
 * sign-on uses, for the test guest, which runs no systemd.
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Why a stand-in: the guest boots without systemd (under TCG it would cost
 * many seconds for units the tests do not need), so there is no logind. The
 * seat and session state that sd-login reads is fabricated as files under
 * /run/systemd (/usr/lib/spice-sso/sso-seat); this program answers the
 * calls spice-vdagentd makes on the system bus, exactly as logind 252
 * answers them, for the sessions those files describe:
 *
 *   org.freedesktop.login1.Manager (/org/freedesktop/login1)
 *     GetSession(s id) -> o        NoSuchSession unless /run/systemd/sessions/<id>
 *     LockSession(s id)            the session's Lock signal, nothing more
 *     UnlockSession(s id)          the session's Unlock signal, nothing more
 *   org.freedesktop.login1.Session (/org/freedesktop/login1/session/<escaped id>)
 *     properties Id (s), LockedHint (b)
 *     Lock(), Unlock()             the Lock, Unlock signals
 *     SetLockedHint(b)             LockedHint, PropertiesChanged
 *     signals Lock, Unlock; PropertiesChanged for LockedHint
 *
 * As with logind, LockSession does not lock anything: the session's screen
 * locker (gnome-shell's shield) does, on the Lock signal, once it is up, and
 * reports it with SetLockedHint(true); after its user unlocked it, or on
 * Unlock, SetLockedHint(false). No screen locker runs in the test guest:
 * with --shield this program also plays one for every session, on a bus
 * connection of its own, as a client of the stand-in like gnome-shell is of
 * logind: it answers Lock with SetLockedHint(true) and Unlock with
 * SetLockedHint(false). (An unlock dialog, the greeter emulator with
 * --unlock --session, reports its unlocks the same way.) Object paths are
 * escaped as sd_bus_path_encode() does (session "2" is ".../session/_32").
 *
 * It also stands in for the one call spice-vdagentd makes of systemd:
 *
 *   org.freedesktop.systemd1.Manager (/org/freedesktop/systemd1)
 *     StartUnit(s name, s mode) -> o   only spice-vdagentd-sso@<N>.service:
 *                                      runs its ExecStart (HELPER N) in the
 *                                      cgroup system.slice/<name>, as
 *                                      systemd would (sd-login reads the
 *                                      unit from it); anything else NoSuchUnit
 *
 * Each call that changes state is reported on the guest's console as an
 * SSO-GUEST marker (docs/vm.md): logind-lock, logind-unlock, logind-hint,
 * shield-lock, shield-unlock for what the shield did, and helper-start.
 *
 *   logind-standin [--console DEV] [--shield]   (default /dev/ttyS0)
 */
#include <gio/gio.h>
#include <glib-unix.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NAME "org.freedesktop.login1"
#define PATH "/org/freedesktop/login1"
#define SESSION_PREFIX "/org/freedesktop/login1/session/"
#define MANAGER_IFACE "org.freedesktop.login1.Manager"
#define SESSION_IFACE "org.freedesktop.login1.Session"
#define SESSIONS_DIR "/run/systemd/sessions"
#define SYSTEMD_NAME "org.freedesktop.systemd1"
#define SYSTEMD_PATH "/org/freedesktop/systemd1"
#define SYSTEMD_IFACE "org.freedesktop.systemd1.Manager"
/* ExecStart of vdagent/helper/spice-vdagentd-sso@.service.in as our build
 * configures it (meson's default prefix) */
#define HELPER "/usr/local/libexec/spice-vdagent-sso-helper"
#define HELPER_CGROUPS "/sys/fs/cgroup/system.slice"

static const char systemd_xml[] =
    "<node>"
    " <interface name='" SYSTEMD_IFACE "'>"
    "  <method name='StartUnit'><arg type='s' direction='in'/><arg type='s' direction='in'/>"
    "   <arg type='o' direction='out'/></method>"
    " </interface>"
    "</node>";

static const char xml[] =
    "<node>"
    " <interface name='" MANAGER_IFACE "'>"
    "  <method name='GetSession'><arg type='s' direction='in'/>"
    "   <arg type='o' direction='out'/></method>"
    "  <method name='LockSession'><arg type='s' direction='in'/></method>"
    "  <method name='UnlockSession'><arg type='s' direction='in'/></method>"
    " </interface>"
    " <interface name='" SESSION_IFACE "'>"
    "  <property name='Id' type='s' access='read'/>"
    "  <property name='LockedHint' type='b' access='read'/>"
    "  <method name='Lock'/>"
    "  <method name='Unlock'/>"
    "  <method name='SetLockedHint'><arg type='b' direction='in'/></method>"
    "  <signal name='Lock'/>"
    "  <signal name='Unlock'/>"
    " </interface>"
    "</node>";

static const char *console = "/dev/ttyS0";
static GDBusConnection *bus;
static GDBusNodeInfo *node;
static GHashTable *locked; /* session id -> GINT_TO_POINTER(1) */
static GMainLoop *loop;

static void mark(const char *event, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void mark(const char *event, const char *fmt, ...)
{
    struct timespec ts;
    char details[256];
    va_list ap;

    clock_gettime(CLOCK_BOOTTIME, &ts);
    va_start(ap, fmt);
    vsnprintf(details, sizeof(details), fmt, ap);
    va_end(ap);
    FILE *f = fopen(console, "w");
    if (f != NULL) {
        fprintf(f, "SSO-GUEST %lld %s %s\n", (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000,
                event, details);
        fclose(f);
    }
}

/* sd_bus_path_encode(): every byte but [A-Za-z0-9], and a leading digit,
 * as _xx */
static char *session_path(const char *id)
{
    GString *s = g_string_new(SESSION_PREFIX);
    for (const char *p = id; *p; p++) {
        if (g_ascii_isalpha(*p) || (g_ascii_isdigit(*p) && p != id)) {
            g_string_append_c(s, *p);
        } else {
            g_string_append_printf(s, "_%02x", (unsigned char)*p);
        }
    }
    return g_string_free(s, FALSE);
}

/* The session id of an object path we handed out, or NULL. */
static char *path_session(const char *path)
{
    if (!g_str_has_prefix(path, SESSION_PREFIX)) {
        return NULL;
    }
    GString *s = g_string_new(NULL);
    for (const char *p = path + strlen(SESSION_PREFIX); *p; p++) {
        if (*p == '_' && g_ascii_isxdigit(p[1]) && g_ascii_isxdigit(p[2])) {
            g_string_append_c(s, (char)(g_ascii_xdigit_value(p[1]) * 16 +
                                        g_ascii_xdigit_value(p[2])));
            p += 2;
        } else {
            g_string_append_c(s, *p);
        }
    }
    return g_string_free(s, FALSE);
}

static gboolean session_exists(const char *id)
{
    if (id == NULL || id[0] == '\0' || strchr(id, '/') != NULL || id[0] == '.') {
        return FALSE;
    }
    char *f = g_build_filename(SESSIONS_DIR, id, NULL);
    gboolean ok = g_file_test(f, G_FILE_TEST_IS_REGULAR);
    g_free(f);
    return ok;
}

/* logind's LockSession/UnlockSession and Session.Lock/Unlock: a signal to
 * the session's screen locker */
static void signal_lock(const char *id, gboolean lock)
{
    char *path = session_path(id);
    g_dbus_connection_emit_signal(bus, NULL, path, SESSION_IFACE, lock ? "Lock" : "Unlock",
                                  NULL, NULL);
    mark(lock ? "logind-lock" : "logind-unlock", "session=%s", id);
    g_free(path);
}

/* Session.SetLockedHint, which the screen locker calls */
static void set_hint(const char *id, gboolean lock)
{
    char *path = session_path(id);
    if (lock) {
        g_hash_table_replace(locked, g_strdup(id), GINT_TO_POINTER(1));
    } else {
        g_hash_table_remove(locked, id);
    }
    GVariantBuilder changed;
    g_variant_builder_init(&changed, G_VARIANT_TYPE("a{sv}"));
    g_variant_builder_add(&changed, "{sv}", "LockedHint", g_variant_new_boolean(lock));
    g_dbus_connection_emit_signal(bus, NULL, path, "org.freedesktop.DBus.Properties",
                                  "PropertiesChanged",
                                  g_variant_new("(sa{sv}as)", SESSION_IFACE, &changed, NULL),
                                  NULL);
    mark("logind-hint", "session=%s locked=%d", id, lock);
    g_free(path);
}

static void no_such_session(GDBusMethodInvocation *inv, const char *id)
{
    g_dbus_method_invocation_return_dbus_error(inv, "org.freedesktop.login1.NoSuchSession",
                                               "No session found");
    (void)id;
}

/* the child, before exec: into the unit's cgroup */
static void enter_cgroup(gpointer data)
{
    char procs[512];
    snprintf(procs, sizeof(procs), "%s/cgroup.procs", (const char *)data);
    FILE *f = fopen(procs, "w");
    if (f != NULL) {
        fprintf(f, "%d\n", (int)getpid());
        fclose(f);
    }
}

static void helper_exited(GPid pid, gint status, gpointer data)
{
    mark("helper-exit", "pid=%d status=%d", (int)pid, status);
    g_spawn_close_pid(pid);
}

static void systemd_call(GDBusConnection *c, const char *sender, const char *path,
                         const char *iface, const char *method, GVariant *params,
                         GDBusMethodInvocation *inv, gpointer data)
{
    const char *name = NULL, *mode = NULL;
    unsigned job = 0;
    char tail[32] = "";
    g_variant_get(params, "(&s&s)", &name, &mode);
    if (sscanf(name, "spice-vdagentd-sso@%u%31s", &job, tail) != 2 || job == 0 ||
        strcmp(tail, ".service") != 0) {
        g_dbus_method_invocation_return_dbus_error(inv, "org.freedesktop.systemd1.NoSuchUnit",
                                                   "Unit not found.");
        return;
    }
    char *cg = g_strdup_printf(HELPER_CGROUPS "/%s", name);
    g_mkdir_with_parents(cg, 0755);
    char num[16];
    snprintf(num, sizeof(num), "%u", job);
    char *argv[] = { (char *)HELPER, num, NULL };
    GError *err = NULL;
    GPid pid;
    /* its stderr (the journal's, under systemd) goes to ours */
    if (!g_spawn_async(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
                       enter_cgroup, cg, &pid, &err)) {
        g_dbus_method_invocation_return_dbus_error(inv, "org.freedesktop.systemd1.SpawnFailed",
                                                   err->message);
        g_error_free(err);
        g_free(cg);
        return;
    }
    g_child_watch_add(pid, helper_exited, NULL);
    mark("helper-start", "unit=%s pid=%d", name, (int)pid);
    char *job_path = g_strdup_printf(SYSTEMD_PATH "/job/%u", job);
    g_dbus_method_invocation_return_value(inv, g_variant_new("(o)", job_path));
    g_free(job_path);
    g_free(cg);
}

static void manager_call(GDBusConnection *c, const char *sender, const char *path,
                         const char *iface, const char *method, GVariant *params,
                         GDBusMethodInvocation *inv, gpointer data)
{
    const char *id = NULL;
    g_variant_get(params, "(&s)", &id);
    if (!session_exists(id)) {
        no_such_session(inv, id);
        return;
    }
    if (strcmp(method, "GetSession") == 0) {
        char *p = session_path(id);
        g_dbus_method_invocation_return_value(inv, g_variant_new("(o)", p));
        g_free(p);
        return;
    }
    signal_lock(id, strcmp(method, "LockSession") == 0);
    g_dbus_method_invocation_return_value(inv, NULL);
}

static void session_call(GDBusConnection *c, const char *sender, const char *path,
                         const char *iface, const char *method, GVariant *params,
                         GDBusMethodInvocation *inv, gpointer data)
{
    char *id = path_session(path);
    if (!session_exists(id)) {
        no_such_session(inv, id);
    } else if (strcmp(method, "SetLockedHint") == 0) {
        gboolean b = FALSE;
        g_variant_get(params, "(b)", &b);
        set_hint(id, b);
        g_dbus_method_invocation_return_value(inv, NULL);
    } else {
        signal_lock(id, strcmp(method, "Lock") == 0);
        g_dbus_method_invocation_return_value(inv, NULL);
    }
    g_free(id);
}

static GVariant *session_get(GDBusConnection *c, const char *sender, const char *path,
                             const char *iface, const char *prop, GError **error, gpointer data)
{
    char *id = path_session(path);
    GVariant *v = NULL;
    if (!session_exists(id)) {
        g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT, "No session found");
    } else if (strcmp(prop, "Id") == 0) {
        v = g_variant_new_string(id);
    } else {
        v = g_variant_new_boolean(g_hash_table_contains(locked, id));
    }
    g_free(id);
    return v;
}

static const GDBusInterfaceVTable manager_vtable = { manager_call, NULL, NULL, { 0 } };
static const GDBusInterfaceVTable session_vtable = { session_call, session_get, NULL, { 0 } };

/* Every session object exists while its /run/systemd/sessions file does. */
static char **subtree_enumerate(GDBusConnection *c, const char *sender, const char *path,
                                gpointer data)
{
    GPtrArray *out = g_ptr_array_new();
    GDir *d = g_dir_open(SESSIONS_DIR, 0, NULL);
    const char *n;
    while (d != NULL && (n = g_dir_read_name(d)) != NULL) {
        if (session_exists(n)) {
            char *p = session_path(n);
            g_ptr_array_add(out, g_strdup(p + strlen(SESSION_PREFIX)));
            g_free(p);
        }
    }
    if (d != NULL) {
        g_dir_close(d);
    }
    g_ptr_array_add(out, NULL);
    return (char **)g_ptr_array_free(out, FALSE);
}

static GDBusInterfaceInfo **subtree_introspect(GDBusConnection *c, const char *sender,
                                               const char *path, const char *nodename,
                                               gpointer data)
{
    GPtrArray *out = g_ptr_array_new();
    if (nodename != NULL) {
        g_ptr_array_add(out, g_dbus_interface_info_ref(node->interfaces[1]));
    }
    g_ptr_array_add(out, NULL);
    return (GDBusInterfaceInfo **)g_ptr_array_free(out, FALSE);
}

static const GDBusInterfaceVTable *subtree_dispatch(GDBusConnection *c, const char *sender,
                                                    const char *path, const char *iface,
                                                    const char *nodename, gpointer *out_data,
                                                    gpointer data)
{
    *out_data = NULL;
    return g_strcmp0(iface, SESSION_IFACE) == 0 ? &session_vtable : NULL;
}

static const GDBusSubtreeVTable subtree_vtable = { subtree_enumerate, subtree_introspect,
                                                   subtree_dispatch, { 0 } };

/* --shield: every session's screen locker, a client of ours on its own
 * connection: Lock -> SetLockedHint(true), Unlock -> SetLockedHint(false).
 * Asynchronous: the stand-in answers on this same main loop. */
static void shield_done(GObject *source, GAsyncResult *res, gpointer data)
{
    char *what = data;
    GError *err = NULL;
    GVariant *ret = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &err);
    if (ret != NULL) {
        mark(g_str_has_prefix(what, "lock ") ? "shield-lock" : "shield-unlock", "session=%s",
             strchr(what, ' ') + 1);
        g_variant_unref(ret);
    } else {
        mark("shield-failed", "%s %s", what, err->message);
        g_error_free(err);
    }
    g_free(what);
}

static void shield_signal(GDBusConnection *c, const char *sender, const char *path,
                          const char *iface, const char *signal, GVariant *params, gpointer data)
{
    gboolean lock = strcmp(signal, "Lock") == 0;
    char *id = path_session(path);
    g_dbus_connection_call(c, NAME, path, SESSION_IFACE, "SetLockedHint",
                           g_variant_new("(b)", lock), NULL, G_DBUS_CALL_FLAGS_NONE, 5000, NULL,
                           shield_done,
                           g_strdup_printf("%s %s", lock ? "lock" : "unlock", id ? id : "?"));
    g_free(id);
}

static GDBusConnection *shield_start(GError **err)
{
    char *address = g_dbus_address_get_for_bus_sync(G_BUS_TYPE_SYSTEM, NULL, err);
    GDBusConnection *c = NULL;
    if (address != NULL) {
        c = g_dbus_connection_new_for_address_sync(address,
                G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION, NULL, NULL, err);
        g_free(address);
    }
    if (c == NULL) {
        return NULL;
    }
    /* signals of the name's owner, which is us once we own it */
    g_dbus_connection_signal_subscribe(c, NAME, SESSION_IFACE, "Lock", NULL, NULL,
                                       G_DBUS_SIGNAL_FLAGS_NONE, shield_signal, NULL, NULL);
    g_dbus_connection_signal_subscribe(c, NAME, SESSION_IFACE, "Unlock", NULL, NULL,
                                       G_DBUS_SIGNAL_FLAGS_NONE, shield_signal, NULL, NULL);
    return c;
}

static void on_acquired(GDBusConnection *c, const char *name, gpointer data)
{
    mark("logind-ready", "name=%s pid=%d", name, (int)getpid());
}

static void on_lost(GDBusConnection *c, const char *name, gpointer data)
{
    fprintf(stderr, "logind-standin: cannot own %s (taken, or not allowed by the bus policy)\n",
            name);
    mark("logind-failed", "cannot own %s", name);
    g_main_loop_quit(loop);
}

static gboolean on_term(gpointer data)
{
    g_main_loop_quit(loop);
    return G_SOURCE_REMOVE;
}

int main(int argc, char **argv)
{
    GError *err = NULL;
    gboolean shield = FALSE;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--console") == 0 && i + 1 < argc) {
            console = argv[++i];
        } else if (strcmp(argv[i], "--shield") == 0) {
            shield = TRUE;
        } else {
            fprintf(stderr, "usage: logind-standin [--console DEV] [--shield]\n");
            return 2;
        }
    }
    bus = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, &err);
    if (bus == NULL) {
        fprintf(stderr, "logind-standin: system bus: %s\n", err->message);
        return 1;
    }
    node = g_dbus_node_info_new_for_xml(xml, &err);
    g_assert_no_error(err);
    GDBusNodeInfo *systemd_node = g_dbus_node_info_new_for_xml(systemd_xml, &err);
    g_assert_no_error(err);
    static const GDBusInterfaceVTable systemd_vtable = { systemd_call, NULL, NULL, { 0 } };
    if (!g_dbus_connection_register_object(bus, SYSTEMD_PATH, systemd_node->interfaces[0],
                                           &systemd_vtable, NULL, NULL, &err)) {
        fprintf(stderr, "logind-standin: %s\n", err->message);
        return 1;
    }
    locked = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    if (!g_dbus_connection_register_object(bus, PATH, node->interfaces[0], &manager_vtable, NULL,
                                           NULL, &err) ||
        !g_dbus_connection_register_subtree(bus, "/org/freedesktop/login1/session",
                                            &subtree_vtable,
                                            G_DBUS_SUBTREE_FLAGS_DISPATCH_TO_UNENUMERATED_NODES,
                                            NULL, NULL, &err)) {
        fprintf(stderr, "logind-standin: %s\n", err->message);
        return 1;
    }
    GDBusConnection *shield_bus = NULL;
    if (shield && (shield_bus = shield_start(&err)) == NULL) {
        fprintf(stderr, "logind-standin: the shield's bus connection: %s\n", err->message);
        return 1;
    }
    loop = g_main_loop_new(NULL, FALSE);
    g_unix_signal_add(SIGTERM, on_term, NULL);
    g_unix_signal_add(SIGINT, on_term, NULL);
    guint own = g_bus_own_name_on_connection(bus, NAME, G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
                                             on_acquired, on_lost, NULL, NULL);
    guint own_systemd = g_bus_own_name_on_connection(bus, SYSTEMD_NAME,
                                                     G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
                                                     NULL, on_lost, NULL, NULL);
    g_main_loop_run(loop);
    g_bus_unown_name(own_systemd);
    g_bus_unown_name(own);
    g_dbus_node_info_unref(systemd_node);
    g_main_loop_unref(loop);
    g_clear_object(&shield_bus);
    g_hash_table_unref(locked);
    g_dbus_node_info_unref(node);
    g_object_unref(bus);
    return 0;
}
