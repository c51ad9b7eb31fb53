/* sso-sasl.c - identity and protection of a finished SASL exchange
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define _DEFAULT_SOURCE
#include "sso-sasl.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

bool sso_sasl_mech_is_gss(const char *mech)
{
    static const char *const gss[] = { "GSSAPI", "GSS-SPNEGO", "GS2-KRB5", "GS2-IAKERB" };
    if (mech == NULL) {
        return false;
    }
    for (size_t i = 0; i < sizeof(gss) / sizeof(gss[0]); i++) {
        size_t n = strlen(gss[i]);
        if (strncasecmp(mech, gss[i], n) == 0 &&
            (mech[n] == '\0' || strcasecmp(mech + n, "-PLUS") == 0)) {
            return true;
        }
    }
    return false;
}

static bool is_plain_gss_plus(const char *name, size_t len)
{
    static const char *const names[] = { "GSSAPI-PLUS", "GSS-SPNEGO-PLUS" };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strlen(names[i]) == len && strncasecmp(name, names[i], len) == 0) {
            return true;
        }
    }
    return false;
}

size_t sso_sasl_advertised_mechlist(char *list)
{
    size_t len, in = 0, out = 0;
    bool kept_any = false;

    if (list == NULL) {
        return 0;
    }
    len = strlen(list);
    if (len > 0 && list[0] == ',') {
        out = 1; /* the prefix */
    }
    while (in < len) {
        size_t start, n;
        while (in < len && list[in] == ',') {
            in++;
        }
        start = in;
        while (in < len && list[in] != ',') {
            in++;
        }
        n = in - start;
        if (n == 0 || is_plain_gss_plus(list + start, n)) {
            continue;
        }
        if (kept_any) {
            list[out++] = ',';
        }
        memmove(list + out, list + start, n);
        out += n;
        kept_any = true;
    }
    if (len > 1 && list[len - 1] == ',' && kept_any) {
        list[out++] = ','; /* the suffix */
    }
    list[out] = '\0';
    return out;
}

static const char *getprop_str(sasl_conn_t *conn, int prop)
{
    const void *v = NULL;
    if (sasl_getprop(conn, prop, &v) != SASL_OK) {
        return NULL;
    }
    return (const char *)v;
}

void sso_sasl_identify(sasl_conn_t *conn, bool tls, bool runs_layer,
                       const uint8_t *cb, size_t cb_len,
                       const void *token, size_t token_len,
                       SsoSaslIdentity *id)
{
    const char *mech, *authid, *user;
    const void *v = NULL;

    /* accepting the exchange, just before, may have left a delegated key
     * in the stack below us */
    sso_wipe_stack();
    memset(id, 0, sizeof(*id));
    id->tls = tls;
    id->layer = runs_layer;

    mech = getprop_str(conn, SASL_MECHNAME);
    snprintf(id->mech, sizeof(id->mech), "%s", mech ? mech : "");
    id->gss = sso_sasl_mech_is_gss(mech);

    if (sasl_getprop(conn, SASL_SSF, &v) == SASL_OK && v != NULL) {
        id->ssf = (unsigned)*(const int *)v;
    }

    /* SASL_USERNAME is the authorization id, SASL_AUTHUSER the
     * authenticated one; they differ only with proxy authorization. */
    user = getprop_str(conn, SASL_USERNAME);
    authid = getprop_str(conn, SASL_AUTHUSER);
    if (id->gss) {
        if (user != NULL && authid != NULL && strcmp(user, authid) != 0) {
            snprintf(id->principal_why, sizeof(id->principal_why),
                     "proxy authorization (as %.60s) is not supported", user);
        } else {
            sso_gss_full_name(authid, id->principal, sizeof(id->principal),
                              id->principal_why, sizeof(id->principal_why));
        }
    } else if (user != NULL && strlen(user) <= SSO_PRINCIPAL_MAX) {
        snprintf(id->principal, sizeof(id->principal), "%s", user);
    } else {
        snprintf(id->principal_why, sizeof(id->principal_why), "no user name");
    }

    if (id->gss && sasl_getprop(conn, SASL_DELEGATEDCREDS, &v) == SASL_OK && v != NULL) {
        /* Cyrus hands out a pointer to its gss_cred_id_t */
        id->delegated_cred = *(const void *const *)v;
    }

    if (!tls) {
        snprintf(id->binding_why, sizeof(id->binding_why), "not over TLS");
    } else if (!id->gss) {
        snprintf(id->binding_why, sizeof(id->binding_why),
                 "mechanism %s is not checked for channel binding", id->mech);
    } else if (cb == NULL || cb_len == 0) {
        snprintf(id->binding_why, sizeof(id->binding_why),
                 "no channel binding data for this TLS connection");
    } else if (token == NULL || token_len == 0) {
        snprintf(id->binding_why, sizeof(id->binding_why), "initial token not available");
    } else {
        SsoGssBinding b;
        if (sso_gss_check_binding(token, token_len, cb, cb_len, &b, id->binding_why,
                                  sizeof(id->binding_why)) == SSO_GSS_OK) {
            id->binding_checked = true;
            if (id->principal[0] != '\0' && strcmp(b.initiator, id->principal) != 0) {
                /* cannot happen with the same token; refuse to trust it */
                snprintf(id->binding_why, sizeof(id->binding_why),
                         "initial token names %.60s, not %.60s", b.initiator, id->principal);
            } else {
                id->bound = b.bound;
                if (!b.bound) {
                    snprintf(id->binding_why, sizeof(id->binding_why),
                             "the client did not bind the exchange to the TLS channel");
                }
            }
        }
    }
}

bool sso_sasl_release_delegated(sasl_conn_t *conn)
{
    const void *v = NULL;

    /* only the Kerberos mechanisms hand out their own handle's address */
    if (conn == NULL || !sso_sasl_mech_is_gss(getprop_str(conn, SASL_MECHNAME))) {
        return false;
    }
    if (sasl_getprop(conn, SASL_DELEGATEDCREDS, &v) != SASL_OK || v == NULL) {
        return false;
    }
    return sso_gss_release_delegated((void *)v);
}
