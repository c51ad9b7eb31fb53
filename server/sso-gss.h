/* sso-gss.h - the Kerberos side of single sign-on in spice-server
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Three jobs, all on the main-loop thread, none of which talks to a KDC:
 *
 *  - the full GSS initiator name of a SASL GSSAPI/GSS-SPNEGO exchange
 *    (Cyrus SASL hands out the name without the realm when the realm is the
 *    default one);
 *  - whether that exchange was bound to the TLS channel, which Cyrus does
 *    not tell: we accept the client's initial token a second time, with the
 *    same channel bindings and no replay cache, and read
 *    GSS_C_CHANNEL_BOUND_FLAG (MIT krb5 >= 1.19);
 *  - the export of a delegated credential into the bytes of a FILE
 *    version 4 credential cache, in memory.
 *
 * Plain C with MIT krb5 and GSS-API; no GLib, no spice-server types.
 */
#ifndef SSO_GSS_H
#define SSO_GSS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Longest principal name we handle (the protocol allows 1024 bytes). */
#define SSO_PRINCIPAL_MAX 1024

typedef enum SsoGssStatus {
    SSO_GSS_OK = 0,
    SSO_GSS_MISMATCH = 1, /* the credential belongs to another principal */
    SSO_GSS_ERROR = 2,    /* see the message */
} SsoGssStatus;

/* The full name of a Kerberos principal as krb5_unparse_name() writes it,
 * from the name Cyrus SASL's GSSAPI mechanisms report (SASL_AUTHUSER): they
 * strip the realm exactly when it is the default realm, so parsing the name
 * (which appends the default realm) and unparsing it gives the initiator
 * name back. Returns SSO_GSS_OK or SSO_GSS_ERROR with @why filled in. */
SsoGssStatus sso_gss_full_name(const char *sasl_name, char *out, size_t out_len,
                               char *why, size_t why_len);

typedef struct SsoGssBinding {
    bool bound;                          /* GSS_C_CHANNEL_BOUND_FLAG */
    char initiator[SSO_PRINCIPAL_MAX + 1];
} SsoGssBinding;

/* Accept @token (the client's first GSSAPI or SPNEGO token, which carries
 * the AP-REQ) again with channel bindings whose application data is @cb,
 * through an acceptor credential with replay cache "none:" and the default
 * keytab (the one Cyrus used). Call only after Cyrus accepted the same token:
 * this is a read-back of what the client put in its authenticator, not an
 * authentication. Delegated credentials in the token are not kept. */
SsoGssStatus sso_gss_check_binding(const void *token, size_t token_len,
                                   const uint8_t *cb, size_t cb_len,
                                   SsoGssBinding *out, char *why, size_t why_len);

/* Export the delegated credential @cred (a gss_cred_id_t) as the records of
 * a VDSSO_CRED_KRB5_CREDS credential: a MEMORY ccache filled by
 * gss_krb5_copy_ccache(), each of its credentials (configuration entries
 * aside) marshalled with krb5_marshal_credentials(), and the records
 * written by vdsso_creds_encode(). The credential's principal must be
 * @expected (SSO_GSS_MISMATCH otherwise) and every credential in it must be
 * of that client. On success *@out is malloc()ed (wipe it with vdsso_wipe_free());
 * every intermediate copy has been wiped. */
SsoGssStatus sso_gss_export(const void *cred, const char *expected,
                            uint8_t **out, size_t *out_len, char *why, size_t why_len);

/* Release the delegated credential whose handle is stored at @handle, a
 * gss_cred_id_t *: what Cyrus SASL's SASL_DELEGATEDCREDS gives for its
 * GSSAPI, GSS-SPNEGO and GS2 mechanisms is the address of the handle their
 * plugin keeps (2.1.28: plugins/gssapi.c "oparams->client_creds =
 * &text->client_creds", plugins/gs2.c likewise). gss_release_cred() sets
 * that handle to GSS_C_NO_CREDENTIAL, and the plugin releases its handle
 * at dispose only if it is not GSS_C_NO_CREDENTIAL and does not use it
 * after the exchange, so the credential goes now, once, instead of when
 * the SASL connection is disposed (with a security layer: when the channel
 * closes). MIT destroys the credential's MEMORY cache, zeroing its keys;
 * the stack is wiped. Returns true if a credential was released. */
bool sso_gss_release_delegated(void *handle);

/* A SASL exchange failed on the acceptor side and Cyrus said no more than
 * "GSSAPI Failure: gss_accept_sec_context": look at what the acceptor's
 * configuration shows, in order: the keytab unreadable by this process,
 * no @service/ key in it, the replay cache directory not writable, the
 * acceptor name (@service/<canonical host name>, as Cyrus SASL forms it)
 * missing from it; else the names clients must ask for. @keytab: the SASL
 * "keytab" option, or NULL for the default keytab (KRB5_KTNAME, krb5.conf).
 * Writes one line ending with "; fix: ..." to @out. No secrets. */
void sso_gss_diagnose_acceptor(const char *keytab, const char *service,
                               char *out, size_t out_len);

/* MIT krb5 leaves copies of session keys in the stack frames of the
 * functions it calls (seen after importing, copying and marshalling a
 * credential, and after accepting a delegated one). Overwrite the
 * SSO_WIPE_STACK bytes below the caller's frame, where those calls ran.
 * sso_gss_export() and sso_gss_check_binding() do it before returning; call
 * it after other calls that handled a delegated credential (accepting the
 * exchange, disposing of the SASL connection). */
#define SSO_WIPE_STACK (64 * 1024)
void sso_wipe_stack(void);

#ifdef __cplusplus
}
#endif

#endif
