/* sso-redeem.h - the redemption socket of spice-vdagentd: where the PAM
 * module, as root, fetches the credential for a token and reports what it did
 * with it, and where the single sign-on helper asks for its job (docs/protocol.md, "The redemption socket").
 *
 * Copyright (C) 2026 The spice-sso authors
 *
 * This program is free software: you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation, either version 3 of the License, or
 * (at your option) any later version.
 */
#ifndef VDAGENTD_SSO_REDEEM_H
#define VDAGENTD_SSO_REDEEM_H

#include <glib.h>
#include <sys/types.h>

#include "vdagent-sso.h"

G_BEGIN_DECLS

/* Seconds a peer has to send its request and read the answer. */
#define VDAGENTD_SSO_REDEEM_TIMEOUT 5

typedef struct VDAgentdSsoRedeemOps {
    /* FETCH from process @pid (SO_PEERCRED) for a conversation whose
     * preset user is @user (VDSSO_REDEEM_NO_USER: none): return
     * VDSSO_STATUS_OK and a g_malloc'ed VD_AGENT_SSO payload in *@payload
     * (the server wipes and frees it), or another status. */
    uint32_t (*fetch)(gpointer data, const uint8_t token[VDSSO_TOKEN_SIZE], uint32_t user,
                      pid_t pid, uint8_t **payload, gsize *payload_len);
    /* REPORT: return the status to answer with. */
    uint32_t (*report)(gpointer data, const uint8_t token[VDSSO_TOKEN_SIZE],
                       uint32_t outcome, uint32_t uid);
    /* JOB from process @pid (the single sign-on helper): like fetch, the
     * payload of job @job */
    uint32_t (*job)(gpointer data, uint32_t job, pid_t pid, uint8_t **payload,
                    gsize *payload_len);
    /* MAPPED from process @pid: return the status to answer with; with
     * VDSSO_STATUS_OK and *@has_token, the answer is TOKEN(@token) */
    uint32_t (*mapped)(gpointer data, uint32_t job, uint32_t mapping, uint32_t uid, pid_t pid,
                       uint8_t token[VDSSO_TOKEN_SIZE], gboolean *has_token);
} VDAgentdSsoRedeemOps;

typedef struct VDAgentdSsoRedeem VDAgentdSsoRedeem;

/* Listen on the UNIX socket @path (mode 0600; a stale socket there is
 * replaced, anything else is an error). Only peers of uid 0 (SO_PEERCRED)
 * are served. */
VDAgentdSsoRedeem *vdagentd_sso_redeem_new(const char *path,
                                           const VDAgentdSsoRedeemOps *ops,
                                           gpointer data, GError **error);
/* Close every connection (wiping what was to be sent), stop listening and
 * remove the socket. NULL is fine. */
void vdagentd_sso_redeem_free(VDAgentdSsoRedeem *redeem);

G_END_DECLS

#endif
