/* sso-dbus.c - the system-bus side of single sign-on, see sso-dbus.h
 *
 * Copyright (C) 2026 The spice-sso authors
 *
 * This program is free software: you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation, either version 3 of the License, or
 * (at your option) any later version.
 *
 * gnome-shell 43 (js/gdm/oVirt.js) listens, through a GDBusProxy for
 * org.ovirt.vdsm.Credentials on /org/ovirt/vdsm/Credentials, for the signal
 * UserAuthenticated(s token) of interface org.ovirt.vdsm.Credentials. A proxy
 * only delivers signals of the name's current owner, so we must own the name;
 * the system bus lets root own it only with a policy file
 * (spice-vdagentd-sso.conf). The object is exported so that the greeter's
 * proxy can introspect it.
 */
#include "sso-dbus.h"

#include <gio/gio.h>
#include <syslog.h>

#define SYSTEMD_NAME "org.freedesktop.systemd1"
#define SYSTEMD_PATH "/org/freedesktop/systemd1"
#define SYSTEMD_MANAGER "org.freedesktop.systemd1.Manager"
#define LOGIND_NAME "org.freedesktop.login1"
#define LOGIND_PATH "/org/freedesktop/login1"
#define LOGIND_MANAGER "org.freedesktop.login1.Manager"
#define LOGIND_SESSION "org.freedesktop.login1.Session"

/* seconds between attempts to get the name when someone else has it */
#define RETRY_SECONDS 30
#define CALL_TIMEOUT_MS 2000

static const char introspection_xml[] =
    "<node>"
    "  <interface name='" VDAGENTD_SSO_BUS_INTERFACE "'>"
    "    <signal name='UserAuthenticated'>"
    "      <arg type='s' name='token'/>"
    "    </signal>"
    "  </interface>"
    "</node>";

struct VDAgentdSsoBus {
    guint owner_id;
    guint retry_source;
    guint object_id;
    GDBusConnection *conn;
    GDBusNodeInfo *node;
    gboolean owned;
};

static void own_name(VDAgentdSsoBus *bus);

static void name_acquired_cb(GDBusConnection *conn, const gchar *name, gpointer user_data)
{
    VDAgentdSsoBus *bus = user_data;

    bus->owned = TRUE;
    syslog(LOG_INFO, "sso: owning %s on the system bus", name);
}

static gboolean retry_cb(gpointer user_data)
{
    VDAgentdSsoBus *bus = user_data;

    bus->retry_source = 0;
    own_name(bus);
    return G_SOURCE_REMOVE;
}

static void schedule_retry(VDAgentdSsoBus *bus)
{
    if (bus->retry_source == 0) {
        bus->retry_source = g_timeout_add_seconds(RETRY_SECONDS, retry_cb, bus);
    }
}

static void name_lost_cb(GDBusConnection *conn, const gchar *name, gpointer user_data)
{
    VDAgentdSsoBus *bus = user_data;

    if (bus->owned) {
        syslog(LOG_WARNING, "sso: lost %s on the system bus; retrying in %d s",
               name, RETRY_SECONDS);
    } else {
        syslog(LOG_WARNING, "sso: cannot own %s on the system bus (owned by another"
               " process, or not allowed by the bus policy); retrying in %d s",
               name, RETRY_SECONDS);
    }
    bus->owned = FALSE;
    schedule_retry(bus);
}

static void closed_cb(GDBusConnection *conn, gboolean remote_peer_vanished, GError *error,
                      gpointer user_data)
{
    VDAgentdSsoBus *bus = user_data;

    syslog(LOG_WARNING, "sso: the system bus connection closed; reconnecting in %d s",
           RETRY_SECONDS);
    bus->owned = FALSE;
    schedule_retry(bus);
}

static void drop_connection(VDAgentdSsoBus *bus)
{
    if (bus->owner_id) {
        g_bus_unown_name(bus->owner_id);
        bus->owner_id = 0;
    }
    if (bus->conn == NULL) {
        return;
    }
    if (bus->object_id) {
        g_dbus_connection_unregister_object(bus->conn, bus->object_id);
        bus->object_id = 0;
    }
    g_signal_handlers_disconnect_by_data(bus->conn, bus);
    if (!g_dbus_connection_is_closed(bus->conn)) {
        /* what was emitted last (a withdrawal at exit) goes out first */
        g_dbus_connection_flush_sync(bus->conn, NULL, NULL);
        g_dbus_connection_close_sync(bus->conn, NULL, NULL);
    }
    g_clear_object(&bus->conn);
}

/* Our own connection rather than the shared one: the shared system bus
 * connection makes the process exit when the bus goes away. */
static gboolean connect_bus(VDAgentdSsoBus *bus)
{
    GError *err = NULL;
    gchar *address = g_dbus_address_get_for_bus_sync(G_BUS_TYPE_SYSTEM, NULL, &err);

    if (address != NULL) {
        bus->conn = g_dbus_connection_new_for_address_sync(address,
                        G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                        G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                        NULL, NULL, &err);
        g_free(address);
    }
    if (bus->conn == NULL) {
        syslog(LOG_WARNING, "sso: cannot connect to the system bus (%s); retrying in %d s",
               err->message, RETRY_SECONDS);
        g_error_free(err);
        return FALSE;
    }
    g_dbus_connection_set_exit_on_close(bus->conn, FALSE);
    g_signal_connect(bus->conn, "closed", G_CALLBACK(closed_cb), bus);
    bus->object_id = g_dbus_connection_register_object(bus->conn, VDAGENTD_SSO_BUS_PATH,
                                                       bus->node->interfaces[0],
                                                       NULL, NULL, NULL, &err);
    if (bus->object_id == 0) {
        syslog(LOG_WARNING, "sso: cannot export %s: %s", VDAGENTD_SSO_BUS_PATH, err->message);
        g_clear_error(&err);
    }
    return TRUE;
}

static void own_name(VDAgentdSsoBus *bus)
{
    if (bus->conn != NULL && g_dbus_connection_is_closed(bus->conn)) {
        drop_connection(bus);
    }
    if (bus->owner_id) {
        g_bus_unown_name(bus->owner_id);
        bus->owner_id = 0;
    }
    if (bus->conn == NULL && !connect_bus(bus)) {
        schedule_retry(bus);
        return;
    }
    bus->owner_id = g_bus_own_name_on_connection(bus->conn, VDAGENTD_SSO_BUS_NAME,
                                                 G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
                                                 name_acquired_cb, name_lost_cb,
                                                 bus, NULL);
}

VDAgentdSsoBus *vdagentd_sso_bus_new(void)
{
    VDAgentdSsoBus *bus = g_new0(VDAgentdSsoBus, 1);

    bus->node = g_dbus_node_info_new_for_xml(introspection_xml, NULL);
    g_assert(bus->node != NULL);
    own_name(bus);
    return bus;
}

void vdagentd_sso_bus_free(VDAgentdSsoBus *bus)
{
    if (bus == NULL) {
        return;
    }
    if (bus->retry_source) {
        g_source_remove(bus->retry_source);
    }
    drop_connection(bus);
    g_dbus_node_info_unref(bus->node);
    g_free(bus);
}

gboolean vdagentd_sso_bus_owns_name(VDAgentdSsoBus *bus)
{
    return bus->owned && bus->conn != NULL && !g_dbus_connection_is_closed(bus->conn);
}

gboolean vdagentd_sso_bus_emit(VDAgentdSsoBus *bus, const char *token_hex)
{
    GError *err = NULL;

    if (!vdagentd_sso_bus_owns_name(bus)) {
        return FALSE;
    }
    if (!g_dbus_connection_emit_signal(bus->conn, NULL, VDAGENTD_SSO_BUS_PATH,
                                       VDAGENTD_SSO_BUS_INTERFACE, "UserAuthenticated",
                                       g_variant_new("(s)", token_hex), &err)) {
        syslog(LOG_WARNING, "sso: emitting UserAuthenticated: %s", err->message);
        g_error_free(err);
        return FALSE;
    }
    return TRUE;
}

static void lock_done_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
    gchar *session = user_data;
    GError *err = NULL;
    GVariant *ret = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &err);

    if (ret == NULL) {
        syslog(LOG_ERR, "sso: logind could not lock session %s: %s", session, err->message);
        g_error_free(err);
    } else {
        syslog(LOG_INFO, "sso: logind locked session %s", session);
        g_variant_unref(ret);
    }
    g_free(session);
}

void vdagentd_sso_bus_lock_session(VDAgentdSsoBus *bus, const char *session)
{
    if (bus->conn == NULL) {
        syslog(LOG_ERR, "sso: cannot lock session %s: no system bus", session);
        return;
    }
    g_dbus_connection_call(bus->conn, LOGIND_NAME, LOGIND_PATH, LOGIND_MANAGER,
                           "LockSession", g_variant_new("(s)", session), NULL,
                           G_DBUS_CALL_FLAGS_NONE, CALL_TIMEOUT_MS, NULL,
                           lock_done_cb, g_strdup(session));
}

static void start_unit_done_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
    g_autofree gchar *unit = user_data;
    GError *err = NULL;
    GVariant *ret = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &err);

    if (ret == NULL) {
        /* vdagentd waits for the helper's MAPPED until its time-out */
        syslog(LOG_ERR, "sso: systemd did not start %s: %s", unit, err->message);
        g_error_free(err);
        return;
    }
    g_variant_unref(ret);
}

gboolean vdagentd_sso_bus_start_unit(VDAgentdSsoBus *bus, const char *unit)
{
    if (bus->conn == NULL) {
        syslog(LOG_ERR, "sso: cannot start %s: no system bus", unit);
        return FALSE;
    }
    g_dbus_connection_call(bus->conn, SYSTEMD_NAME, SYSTEMD_PATH, SYSTEMD_MANAGER,
                           "StartUnit", g_variant_new("(ss)", unit, "replace"),
                           G_VARIANT_TYPE("(o)"), G_DBUS_CALL_FLAGS_NONE, CALL_TIMEOUT_MS,
                           NULL, start_unit_done_cb, g_strdup(unit));
    return TRUE;
}

int vdagentd_sso_bus_session_locked(VDAgentdSsoBus *bus, const char *session)
{
    GError *err = NULL;
    GVariant *ret, *value;
    const gchar *path;
    int locked = -1;

    if (bus->conn == NULL) {
        return -1;
    }
    ret = g_dbus_connection_call_sync(bus->conn, LOGIND_NAME, LOGIND_PATH, LOGIND_MANAGER,
                                      "GetSession", g_variant_new("(s)", session),
                                      G_VARIANT_TYPE("(o)"), G_DBUS_CALL_FLAGS_NONE,
                                      CALL_TIMEOUT_MS, NULL, &err);
    if (ret == NULL) {
        syslog(LOG_WARNING, "sso: logind does not know session %s: %s", session,
               err->message);
        g_error_free(err);
        return -1;
    }
    g_variant_get(ret, "(&o)", &path);
    value = g_dbus_connection_call_sync(bus->conn, LOGIND_NAME, path,
                                        "org.freedesktop.DBus.Properties", "Get",
                                        g_variant_new("(ss)", LOGIND_SESSION, "LockedHint"),
                                        G_VARIANT_TYPE("(v)"), G_DBUS_CALL_FLAGS_NONE,
                                        CALL_TIMEOUT_MS, NULL, &err);
    g_variant_unref(ret);
    if (value == NULL) {
        syslog(LOG_WARNING, "sso: cannot read LockedHint of session %s: %s", session,
               err->message);
        g_error_free(err);
        return -1;
    }
    GVariant *v = NULL;
    g_variant_get(value, "(v)", &v);
    if (g_variant_is_of_type(v, G_VARIANT_TYPE_BOOLEAN)) {
        locked = g_variant_get_boolean(v) ? 1 : 0;
    }
    g_variant_unref(v);
    g_variant_unref(value);
    return locked;
}
