/* sso-policy.h - who may link a channel, when a delegated credential may
 * be exported, and the audit log lines of single sign-on
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Pure decisions over the facts spice-server gathered: no Kerberos, no
 * sockets. The audit functions write one GLib log line (level "message")
 * per decision, starting with "sso: "; see docs/server.md. None of them
 * ever sees credential bytes.
 */
#ifndef SSO_POLICY_H
#define SSO_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sso-sasl.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SSO_AUTHZ_NONE (-1) /* no authorization hook installed */

typedef struct SsoLinkFacts {
    const SsoSaslIdentity *id;
    const char *channel;          /* "main", "display", ... for logs */
    bool main_channel;
    bool delegation;              /* spice_server_set_sasl_gss_delegate(s, 1) */
    int authz;                    /* SSO_AUTHZ_NONE, 0 refused, 1 allowed */
    /* the client this (non-main) channel joins, if known: */
    const char *client_principal; /* its main channel's authenticated name */
    bool client_sso;              /* its main channel exported a credential */
} SsoLinkFacts;

typedef struct SsoLinkDecision {
    bool allow;
    char reason[512];             /* why the link is refused */
    bool try_export;              /* main channel: export the delegated credential */
    char no_export[512];          /* main channel with delegation: why not */
} SsoLinkDecision;

/* Protected against relaying: a SASL security layer runs, or the exchange
 * was bound to the TLS channel. */
bool sso_policy_relay_safe(const SsoSaslIdentity *id);

void sso_policy_decide(const SsoLinkFacts *f, SsoLinkDecision *d);

/* ------------------------------------------------------------ audit lines */

/* "sso: link ..." for every SASL link when delegation or an authorization
 * hook is configured (the rest go to the debug log). */
void sso_audit_link(const SsoLinkFacts *f, const SsoLinkDecision *d, bool verbose);

/* "sso: capture ...": main channel with delegation. @kept_bytes > 0 if the
 * credential was kept, else @why says why nothing was. */
void sso_audit_capture(const SsoSaslIdentity *id, size_t kept_bytes, const char *why);

/* "sso: deliver ...": the credential went into the agent's write queue. */
void sso_audit_deliver(const char *peer, const char *principal, uint32_t serial,
                       size_t wire_bytes, uint64_t agent_connection, const char *failure);

/* "sso: reply ...": what the agent answered; @ended: it ended a delivery. */
void sso_audit_reply(const char *peer, const char *principal, uint32_t serial,
                     uint32_t result, bool ended);

/* "sso: agent reply refused ...": a malformed VD_AGENT_SSO_REPLY. */
void sso_audit_bad_reply(const char *why);

/* "sso: wipe ...": the server forgot a credential. */
void sso_audit_wipe(const char *peer, const char *principal, const char *reason, bool delivered);

#ifdef __cplusplus
}
#endif

#endif
