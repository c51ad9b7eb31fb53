/* sso-daemon.c - single sign-on wired into spice-vdagentd: the real backend
 * (session-info for the seat, the system bus, systemd for the helper, the
 * agent port)
 * and the hooks vdagentd.c calls. See sso-daemon.h.
 *
 * Copyright (C) 2026 The spice-sso authors
 *
 * This program is free software: you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation, either version 3 of the License, or
 * (at your option) any later version.
 */
#include <config.h>

#include "sso-daemon.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <systemd/sd-login.h>

#include "sso.h"
#include "sso-dbus.h"
#include "vdsso-agent-numbers.h" /* stops the build if spice-protocol moved them */

static VDAgentdSsoConfig config;
static gboolean config_loaded;
static VDAgentdSso *sso;
static VDAgentdSsoBus *bus;
static struct session_info *session_info;
static VDAgentdSsoWriteFunc write_func;

/* ------------------------------------------------------------------ backend */

static gboolean be_get_seat(gpointer data, VDAgentdSsoSeat *out)
{
    SessionInfoSeat seat;

    if (!session_info_get_seat(session_info, &seat)) {
        return FALSE;
    }
    out->active_is_greeter = g_strcmp0(seat.active_class, "greeter") == 0;
    out->active_is_user = g_strcmp0(seat.active_class, "user") == 0;
    out->active_uid = seat.active_uid;
    out->n_user_sessions = seat.n_user_sessions;
    session_info_seat_clear(&seat);
    return TRUE;
}

static gchar **be_user_sessions(gpointer data, uid_t uid)
{
    return session_info_get_user_sessions(session_info, uid);
}

static gboolean be_owns_name(gpointer data)
{
    return vdagentd_sso_bus_owns_name(bus);
}

static gboolean be_emit(gpointer data, const char *token_hex)
{
    return vdagentd_sso_bus_emit(bus, token_hex);
}

static void be_lock_session(gpointer data, const char *session)
{
    vdagentd_sso_bus_lock_session(bus, session);
}

static int be_session_locked(gpointer data, const char *session)
{
    return vdagentd_sso_bus_session_locked(bus, session);
}

static gboolean be_start_helper(gpointer data, guint job)
{
    g_autofree gchar *unit = g_strdup_printf(VDAGENTD_SSO_HELPER_UNIT_PREFIX "%u"
                                             VDAGENTD_SSO_HELPER_UNIT_SUFFIX, job);

    return vdagentd_sso_bus_start_unit(bus, unit);
}

static void be_write_message(gpointer data, uint32_t port, uint32_t type,
                             const uint8_t *payload, gsize size)
{
    write_func(port, type, payload, size);
}

static gint64 be_now(gpointer data)
{
    return g_get_real_time() / G_USEC_PER_SEC;
}

/* Who is the peer of the redemption socket? From its cgroup, as sd-login
 * reads it (/proc/PID/cgroup): its session, if it is in one (the seat,
 * class and owner of that session from logind's files), and its unit.
 * GDM 43 on Debian 12: the worker of a login conversation runs in
 * gdm.service and no session; the worker of an unlock dialog in the
 * locked user's session scope. */
static gboolean be_peer(gpointer data, pid_t pid, VDAgentdSsoPeer *out)
{
    char *s = NULL;
    uid_t uid;
    int r;

    memset(out, 0, sizeof(*out));
    out->session_uid = (uid_t) -1;
    if (pid <= 0) {
        return FALSE;
    }
    r = sd_pid_get_session(pid, &s);
    if (r >= 0) {
        out->session = g_strdup(s);
        free(s);
        s = NULL;
        if (sd_session_get_seat(out->session, &s) >= 0) {
            out->seat = g_strdup(s);
            free(s);
            s = NULL;
        }
        if (sd_session_get_class(out->session, &s) >= 0) {
            out->session_class = g_strdup(s);
            free(s);
            s = NULL;
        }
        if (sd_session_get_uid(out->session, &uid) >= 0) {
            out->session_uid = uid;
        }
    } else if (r != -ENODATA && r != -ENXIO) {
        syslog(LOG_WARNING, "sso: cannot tell the logind session of pid %d: %s", (int) pid,
               g_strerror(-r));
        return FALSE;
    }
    r = sd_pid_get_unit(pid, &s);
    if (r >= 0) {
        out->unit = g_strdup(s);
        free(s);
    } else if (r != -ENODATA && r != -ENXIO) {
        syslog(LOG_WARNING, "sso: cannot tell the unit of pid %d: %s", (int) pid,
               g_strerror(-r));
        vdagentd_sso_peer_clear(out);
        return FALSE;
    }
    return TRUE;
}

/* -------------------------------------------------------------------- hooks */

void vdagentd_sso_add_options(GOptionContext *context)
{
    g_option_context_add_main_entries(context, vdagentd_sso_option_entries(), NULL);
}

gboolean vdagentd_sso_init(void)
{
    GError *err = NULL;

    if (!vdagentd_sso_config_load(&config, &err)) {
        g_printerr("Invalid single sign-on configuration: %s\n", err->message);
        g_error_free(err);
        return FALSE;
    }
    config_loaded = TRUE;
    return TRUE;
}

gboolean vdagentd_sso_configured(void)
{
    return config_loaded && config.enabled;
}

gboolean vdagentd_sso_start(struct session_info *si, VDAgentdSsoWriteFunc write)
{
    static const VDAgentdSsoBackend backend = {
        .get_seat = be_get_seat,
        .user_sessions = be_user_sessions,
        .owns_name = be_owns_name,
        .emit = be_emit,
        .lock_session = be_lock_session,
        .session_locked = be_session_locked,
        .start_helper = be_start_helper,
        .write_message = be_write_message,
        .now = be_now,
        .peer = be_peer,
    };
    SessionInfoSeat seat;
    GError *err = NULL;

    /* also used to answer DISABLED while single sign-on is off */
    write_func = write;
    if (!vdagentd_sso_configured()) {
        return FALSE;
    }
    /* Telling the greeter from a user's session needs systemd-logind */
    if (si == NULL || !session_info_get_seat(si, &seat)) {
        syslog(LOG_ERR, "sso: single sign-on needs the systemd-logind session"
               " information (no -X, built --with-session-info=systemd): disabled");
        return FALSE;
    }
    session_info_seat_clear(&seat);
    session_info = si;
    bus = vdagentd_sso_bus_new();
    sso = vdagentd_sso_new(&config, &backend, &err);
    if (sso == NULL) {
        syslog(LOG_ERR, "sso: single sign-on disabled: %s", err->message);
        g_error_free(err);
        g_clear_pointer(&bus, vdagentd_sso_bus_free);
        return FALSE;
    }
    return TRUE;
}

gboolean vdagentd_sso_running(void)
{
    return sso != NULL;
}

void vdagentd_sso_on_message(int port_nr, const uint8_t *data, gsize size)
{
    if (sso != NULL) {
        vdagentd_sso_handle_message(sso, port_nr, data, size);
    } else if (port_nr != VDSSO_PORT_SERVER) {
        syslog(LOG_WARNING, "sso: dropped a VD_AGENT_SSO that came on port %d, not from"
               " the server", port_nr);
    } else if (write_func != NULL) {
        vdagentd_sso_reply_disabled(data, size, be_write_message, NULL);
    }
}

void vdagentd_sso_on_client_disconnected(const char *reason)
{
    vdagentd_sso_client_disconnected(sso, reason);
}

void vdagentd_sso_on_port_reset(void)
{
    vdagentd_sso_port_reset(sso);
}

void vdagentd_sso_on_seat_changed(void)
{
    vdagentd_sso_seat_changed(sso);
}

void vdagentd_sso_stop(void)
{
    g_clear_pointer(&sso, vdagentd_sso_free);
    g_clear_pointer(&bus, vdagentd_sso_bus_free);
    if (config_loaded) {
        vdagentd_sso_config_clear(&config);
        config_loaded = FALSE;
    }
    vdagentd_sso_options_clear();
    session_info = NULL;
    write_func = NULL;
}
