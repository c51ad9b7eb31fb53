/* sso-dbus.h - the system-bus side of single sign-on: owning
 * org.ovirt.vdsm.Credentials and emitting UserAuthenticated(token) for GDM
 * (gnome-shell's oVirt credential manager), and asking logind to lock a
 * session.
 *
 * Copyright (C) 2026 The spice-sso authors
 *
 * This program is free software: you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation, either version 3 of the License, or
 * (at your option) any later version.
 */
#ifndef VDAGENTD_SSO_DBUS_H
#define VDAGENTD_SSO_DBUS_H

#include <glib.h>

G_BEGIN_DECLS

#define VDAGENTD_SSO_BUS_NAME "org.ovirt.vdsm.Credentials"
#define VDAGENTD_SSO_BUS_PATH "/org/ovirt/vdsm/Credentials"
#define VDAGENTD_SSO_BUS_INTERFACE "org.ovirt.vdsm.Credentials"

typedef struct VDAgentdSsoBus VDAgentdSsoBus;

/* Connect to the system bus and ask for the name (without queueing: if
 * someone else has it, we do not get it, and try again later). */
VDAgentdSsoBus *vdagentd_sso_bus_new(void);
void vdagentd_sso_bus_free(VDAgentdSsoBus *bus);

gboolean vdagentd_sso_bus_owns_name(VDAgentdSsoBus *bus);
gboolean vdagentd_sso_bus_emit(VDAgentdSsoBus *bus, const char *token_hex);
/* org.freedesktop.login1.Manager.LockSession(@session), asynchronously */
void vdagentd_sso_bus_lock_session(VDAgentdSsoBus *bus, const char *session);
/* org.freedesktop.systemd1.Manager.StartUnit(@unit, "replace"),
 * asynchronously (a failure is logged); FALSE without a bus */
gboolean vdagentd_sso_bus_start_unit(VDAgentdSsoBus *bus, const char *unit);
/* the LockedHint of @session: 1, 0, or -1 if it cannot be read */
int vdagentd_sso_bus_session_locked(VDAgentdSsoBus *bus, const char *session);

G_END_DECLS

#endif
