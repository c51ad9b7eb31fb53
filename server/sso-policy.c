/* sso-policy.c - link and export decisions, audit lines
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "sso-policy.h"
#include "vdagent-sso.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

bool sso_policy_relay_safe(const SsoSaslIdentity *id)
{
    return id->layer || id->bound;
}

static const char *protection(const SsoSaslIdentity *id)
{
    if (id->bound) {
        return id->layer ? "bound+layer" : "bound";
    }
    return id->layer ? "layer" : "none";
}

void sso_policy_decide(const SsoLinkFacts *f, SsoLinkDecision *d)
{
    const SsoSaslIdentity *id = f->id;

    memset(d, 0, sizeof(*d));
    d->allow = true;

    if (f->authz == 0) {
        d->allow = false;
        if (id->principal[0] == '\0') {
            snprintf(d->reason, sizeof(d->reason), "authenticated name unknown (%s)",
                     id->principal_why[0] ? id->principal_why : "no name");
        } else {
            snprintf(d->reason, sizeof(d->reason), "not allowed by the authorization hook");
        }
        return;
    }

    if (!f->main_channel) {
        if (f->client_principal != NULL && strcmp(f->client_principal, id->principal) != 0) {
            d->allow = false;
            snprintf(d->reason, sizeof(d->reason),
                     "principal differs from the main channel's (%s)",
                     f->client_principal[0] ? f->client_principal : "unknown");
            return;
        }
        if (f->client_sso && !sso_policy_relay_safe(id)) {
            d->allow = false;
            snprintf(d->reason, sizeof(d->reason),
                     "the client delegated a credential, but this exchange is neither bound "
                     "to the TLS channel nor protected by a SASL security layer (%s)",
                     id->binding_why);
        }
        return;
    }

    if (!f->delegation) {
        return;
    }
    if (id->delegated_cred == NULL) {
        snprintf(d->no_export, sizeof(d->no_export), "no delegated credential");
    } else if (id->principal[0] == '\0') {
        snprintf(d->no_export, sizeof(d->no_export), "authenticated name unknown (%s)",
                 id->principal_why);
    } else if (!sso_policy_relay_safe(id)) {
        snprintf(d->no_export, sizeof(d->no_export),
                 "over TLS, the exchange is neither bound to the TLS channel nor protected "
                 "by a SASL security layer (%s)", id->binding_why);
    } else {
        d->try_export = true;
    }
}

static const char *or_unknown(const char *s)
{
    return s != NULL && s[0] != '\0' ? s : "(unknown)";
}

void sso_audit_link(const SsoLinkFacts *f, const SsoLinkDecision *d, bool verbose)
{
    const SsoSaslIdentity *id = f->id;
    GLogLevelFlags level = (verbose || !d->allow) ? G_LOG_LEVEL_MESSAGE : G_LOG_LEVEL_DEBUG;

    g_log(G_LOG_DOMAIN, level,
          "sso: link client=%s channel=%s principal=%s mech=%s tls=%s protection=%s "
          "authz=%s result=%s%s%s%s",
          or_unknown(id->peer), f->channel, or_unknown(id->principal), or_unknown(id->mech),
          id->tls ? "yes" : "no", protection(id),
          f->authz == SSO_AUTHZ_NONE ? "none" : (f->authz ? "allowed" : "refused"),
          d->allow ? "allowed" : "refused",
          d->allow ? "" : " reason=\"", d->allow ? "" : d->reason, d->allow ? "" : "\"");
}

void sso_audit_capture(const SsoSaslIdentity *id, size_t kept_bytes, const char *why)
{
    if (kept_bytes > 0) {
        g_message("sso: capture client=%s principal=%s result=kept bytes=%zu protection=%s",
                  or_unknown(id->peer), id->principal, kept_bytes, protection(id));
    } else {
        /* Nothing delegated is what a forgotten client option and a ticket
         * that is not forwardable both look like (Cyrus never logs its
         * "no credentials were passed"): name both fixes. */
        g_message("sso: capture client=%s principal=%s result=%s reason=\"%s\"%s",
                  or_unknown(id->peer), or_unknown(id->principal),
                  id->delegated_cred ? "refused" : "none", why ? why : "",
                  id->delegated_cred ? ""
                  : " fix=\"the client must delegate (remote-viewer --spice-gss-delegate) a"
                    " forwardable ticket-granting ticket: kinit -f, or forwardable = true in"
                    " the [libdefaults] of the client's krb5.conf (klist -f shows flag F)\"");
    }
}

void sso_audit_deliver(const char *peer, const char *principal, uint32_t serial,
                       size_t wire_bytes, uint64_t agent_connection, const char *failure)
{
    if (failure == NULL) {
        g_message("sso: deliver client=%s principal=%s serial=%u bytes=%zu agent=%" G_GUINT64_FORMAT
                  " result=sent",
                  or_unknown(peer), principal, serial, wire_bytes, agent_connection);
    } else {
        g_message("sso: deliver client=%s principal=%s serial=%u agent=%" G_GUINT64_FORMAT
                  " result=failed reason=\"%s\"",
                  or_unknown(peer), principal, serial, agent_connection, failure);
    }
}

void sso_audit_reply(const char *peer, const char *principal, uint32_t serial,
                     uint32_t result, bool ended)
{
    if (ended && result == VDSSO_RESULT_ACCEPTED) {
        g_message("sso: reply client=%s principal=%s serial=%u result=%s delivery=ended",
                  or_unknown(peer), principal, serial, vdsso_result_name(result));
    } else if (ended) {
        g_message("sso: reply client=%s principal=%s serial=%u result=%s delivery=ended"
                  " reason=\"%s\"", or_unknown(peer), principal, serial,
                  vdsso_result_name(result), vdsso_result_str(result));
    } else {
        g_message("sso: reply serial=%u result=%s ignored reason=\"no delivery with this serial\"",
                  serial, vdsso_result_name(result));
    }
}

void sso_audit_bad_reply(const char *why)
{
    g_message("sso: reply refused reason=\"%s\"", why);
}

void sso_audit_wipe(const char *peer, const char *principal, const char *reason, bool delivered)
{
    g_message("sso: wipe client=%s principal=%s reason=\"%s\" delivered=%s",
              or_unknown(peer), principal, reason, delivered ? "yes" : "no");
}
