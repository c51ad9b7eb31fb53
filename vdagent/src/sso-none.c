/* sso-none.c - spice-vdagentd built without single sign-on
 * (configure --disable-sso, or no krb5 / systemd-logind): every hook of
 * sso-daemon.h does nothing.
 *
 * Copyright (C) 2026 The spice-sso authors
 *
 * This program is free software: you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation, either version 3 of the License, or
 * (at your option) any later version.
 */
#include <config.h>

#include <syslog.h>

#include "sso-daemon.h"

void vdagentd_sso_add_options(GOptionContext *context)
{
}

gboolean vdagentd_sso_init(void)
{
    return TRUE;
}

gboolean vdagentd_sso_configured(void)
{
    return FALSE;
}

gboolean vdagentd_sso_start(struct session_info *si, VDAgentdSsoWriteFunc write)
{
    return FALSE;
}

gboolean vdagentd_sso_running(void)
{
    return FALSE;
}

void vdagentd_sso_on_message(int port_nr, const uint8_t *data, gsize size)
{
    syslog(LOG_WARNING, "VD_AGENT_SSO: built without single sign-on, ignoring");
}

void vdagentd_sso_on_client_disconnected(const char *reason)
{
}

void vdagentd_sso_on_port_reset(void)
{
}

void vdagentd_sso_on_seat_changed(void)
{
}

void vdagentd_sso_stop(void)
{
}
