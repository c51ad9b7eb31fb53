/* sso-sasl.h - who authenticated on a SASL connection, and how safely
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Called by spice-server's red-stream right after a successful SASL
 * exchange, before it tells the client. Fills an SsoSaslIdentity that the
 * authorization and export decisions (sso-policy.h) work on.
 */
#ifndef SSO_SASL_H
#define SSO_SASL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sasl/sasl.h>

#include "sso-gss.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct SsoSaslIdentity {
    char mech[64];                          /* SASL_MECHNAME */
    bool gss;                               /* a Kerberos GSS mechanism */
    /* The authenticated name: for GSS mechanisms the full initiator name
     * (with realm), else SASL_USERNAME. Empty if unknown (see why). */
    char principal[SSO_PRINCIPAL_MAX + 1];
    char principal_why[160];
    char peer[96];                          /* "address:port", for logs */
    bool tls;                               /* exchange ran inside TLS */
    unsigned ssf;                           /* SASL security layer strength */
    bool layer;                             /* a SASL security layer runs (ssf >= 56) */
    bool binding_checked;                   /* TLS binding was read back */
    bool bound;                             /* exchange bound to the TLS channel */
    char binding_why[160];                  /* why not bound or not checked */
    const void *delegated_cred;             /* gss_cred_id_t owned by SASL, or NULL */
} SsoSaslIdentity;

/* Fill @id from @conn after SASL_OK. @tls: the exchange ran over TLS;
 * @cb/@cb_len: the tls-server-end-point data given to SASL (NULL if none);
 * @token/@token_len: the client's first SASL token (NULL if not kept);
 * @runs_layer: spice-server will run the SASL security layer. */
void sso_sasl_identify(sasl_conn_t *conn, bool tls, bool runs_layer,
                       const uint8_t *cb, size_t cb_len,
                       const void *token, size_t token_len,
                       SsoSaslIdentity *id);

/* Does @mech carry Kerberos through GSS-API (GSSAPI, GSS-SPNEGO, GS2-KRB5,
 * GS2-IAKERB, with or without -PLUS)? Their initial token is worth keeping
 * for the binding read-back. */
bool sso_sasl_mech_is_gss(const char *mech);

/* Release the credential a client delegated on @conn, if any, now (see
 * sso_gss_release_delegated()): call it once the check callback took what
 * it needs, so that SASL does not keep a ticket-granting ticket for the
 * whole life of the connection. Returns true if one was released. */
bool sso_sasl_release_delegated(sasl_conn_t *conn);

/*
 * Drop GSSAPI-PLUS and GSS-SPNEGO-PLUS from @list, a mechanism list from
 * sasl_listmech() with ',' as prefix, separator and suffix, in place;
 * returns the new length.
 *
 * With a channel binding set, Cyrus SASL lists every mechanism with
 * SASL_FEAT_CHANNEL_BINDING twice, X-PLUS and X. For GSSAPI and
 * GSS-SPNEGO (Debian's cyrus-sasl2 patch 0034) the -PLUS name means
 * nothing: their client sends the plugin name ("GSSAPI"), both ends use
 * the binding whenever it is set, and the plugin reports no binding
 * disposition to the library. The two names only lengthen the list, which
 * spice-gtk refuses beyond 300 bytes (SASL_MAX_MECHLIST_LEN): with
 * Debian's plugins over TLS it would be 305. The -PLUS names of mechanisms
 * that do negotiate a binding (SCRAM-*, GS2-*) stay: a client that binds
 * and does not see them would tell the server it thinks the server cannot
 * bind, and Cyrus then fails the exchange ("client incorrectly assumed
 * server had no channel binding").
 */
size_t sso_sasl_advertised_mechlist(char *list);

#ifdef __cplusplus
}
#endif

#endif
