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

/* After a failed SASL step (red-stream's "sasl step failed"): log one line
 * "sso: auth client=PEER result=failed sasl=ERR reason=..." naming the most
 * likely misconfiguration of the Kerberos acceptor and its fix (see
 * sso_gss_diagnose_acceptor()), since Cyrus tells spice-server no more than
 * "GSSAPI Failure: gss_accept_sec_context". */
void sso_sasl_log_failure(sasl_conn_t *conn, const char *peer, int err);

#ifdef __cplusplus
}
#endif

#endif
