/* sso-daemon.h - the hooks spice-vdagentd calls for single sign-on
 *
 * Copyright (C) 2026 The spice-sso authors
 *
 * This program is free software: you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation, either version 3 of the License, or
 * (at your option) any later version.
 *
 * One call per place in vdagentd.c; the state lives here. Every hook is a
 * no-op while single sign-on is off.
 */
#ifndef VDAGENTD_SSO_DAEMON_H
#define VDAGENTD_SSO_DAEMON_H

#include <glib.h>
#include <stdint.h>

#include "session-info.h"

G_BEGIN_DECLS

/* Sends one agent message (@type, @data) on agent port @port_nr, if the
 * virtio port is open (vdagent_virtio_port_write). */
typedef void (*VDAgentdSsoWriteFunc)(uint32_t port_nr, uint32_t type, const uint8_t *data,
                                     gsize size);

/* Add the --sso* options. */
void vdagentd_sso_add_options(GOptionContext *context);

/* Load the configuration (after the options were parsed). FALSE, with a
 * message already printed, if it is invalid: the daemon should exit. */
gboolean vdagentd_sso_init(void);

/* Is single sign-on configured? (the port must then stay usable at the
 * greeter) */
gboolean vdagentd_sso_configured(void);

/* Start single sign-on if configured, with @si the daemon's session
 * information (it must be systemd-logind's). FALSE if it is not running
 * afterwards (off, or not possible; logged). */
gboolean vdagentd_sso_start(struct session_info *si, VDAgentdSsoWriteFunc write);

/* Is single sign-on running? (VD_AGENT_CAP_SSO is announced then) */
gboolean vdagentd_sso_running(void);

/* A VD_AGENT_SSO arrived on @port_nr. */
void vdagentd_sso_on_message(int port_nr, const uint8_t *data, gsize size);

/* The client left (VD_AGENT_CLIENT_DISCONNECTED, or a new client replaced
 * it): wipe any pending credential, lock single sign-on sessions. */
void vdagentd_sso_on_client_disconnected(const char *reason);

/* The agent port was reset. */
void vdagentd_sso_on_port_reset(void);

/* The seat changed. */
void vdagentd_sso_on_seat_changed(void);

void vdagentd_sso_stop(void);

G_END_DECLS

#endif
