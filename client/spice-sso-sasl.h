/* spice-sso-sasl.h - single sign-on helpers for spice-gtk's SASL authentication
 *
 * Injected into spice-gtk 0.42 as src/spice-sso-sasl.{c,h} (see
 * client/patches/spice-gtk/inject) and called from
 * spice_channel_perform_auth_sasl(); also built on its own for our unit tests.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef SPICE_SSO_SASL_H
#define SPICE_SSO_SASL_H

#include <glib.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sasl/sasl.h>

G_BEGIN_DECLS

#define SPICE_SSO_SASL_ERROR (spice_sso_sasl_error_quark())
GQuark spice_sso_sasl_error_quark(void);

typedef enum {
    /* the server offers neither GSSAPI nor GSS-SPNEGO */
    SPICE_SSO_SASL_ERROR_NO_GSSAPI,
    /* no tls-server-end-point channel binding can be computed */
    SPICE_SSO_SASL_ERROR_BINDING,
} SpiceSsoSaslError;

/* The mechanisms a delegating client may use. */
#define SPICE_SSO_SASL_DELEGATION_MECHS "GSS-SPNEGO,GSSAPI"

/* Longest mechanism list the filter looks at, in bytes (spice-gtk reads at
 * most SASL_MAX_MECHLIST_LEN = 300 from the server). */
#define SPICE_SSO_SASL_MAX_MECHLIST 4096

/*
 * Keep from a server's SASL mechanism list only GSSAPI and GSS-SPNEGO (and
 * their channel-binding "-PLUS" names), so that a client that asks Cyrus for
 * SASL_SEC_PASS_CREDENTIALS can never end up in PLAIN, LOGIN or another
 * mechanism that also "passes credentials". Names are compared without
 * regard to case, whole names only ("GSSAPIX" is not GSSAPI); separators are
 * what Cyrus treats as separators (anything but letters, digits, '-', '_').
 * The server's order is kept, duplicates are dropped.
 *
 * Returns a new comma-separated list, or NULL (and sets @error) when the list
 * names neither mechanism, is empty, or is longer than
 * SPICE_SSO_SASL_MAX_MECHLIST.
 */
gchar *spice_sso_sasl_filter_mechlist(const gchar *mechlist, GError **error);

/* RFC 5929 channel binding type: the name of the binding. Its data, which
 * Cyrus hands to GSS-API as the application_data of the channel bindings,
 * is the bare hash below, as spice-server (server/sso-tls.c) gives it; no
 * "tls-server-end-point:" prefix (see docs/client.md). */
#define SPICE_SSO_CB_TYPE "tls-server-end-point"

/*
 * RFC 5929 section 4.1: the hash of the DER encoding of @cert, with the hash
 * function of the certificate's signature algorithm, SHA-256 instead of MD5
 * or SHA-1. A signature algorithm with no single hash function (Ed25519,
 * Ed448) leaves the binding undefined: FALSE and @error.
 *
 * On success writes the hash to @out (at least EVP_MAX_MD_SIZE bytes) and
 * its length to @out_len, and the hash's short name ("SHA256") to @md_name
 * if not NULL.
 */
gboolean spice_sso_tls_server_end_point(X509 *cert, guint8 *out, gsize *out_len,
                                        const char **md_name, GError **error);

/*
 * A Cyrus SASL channel binding (SASL_CHANNEL_BINDING) for a TLS connection:
 * name "tls-server-end-point", critical 0, data the hash above of the server
 * certificate (the peer's on a client, our own on a server). Cyrus keeps only the pointer: the binding must outlive every
 * sasl_client_start/step on the connection.
 *
 * critical is 0 because Cyrus 2.1.28's GSSAPI and GSS-SPNEGO pass the data to
 * gss_init_sec_context()/gss_accept_sec_context() whatever it says, while a
 * critical binding makes a client with more than one candidate mechanism fail
 * (no "-PLUS" mechanism offered) and a server fail every GSSAPI exchange (the
 * plugin never reports a binding disposition). See docs/client.md.
 */
typedef struct SpiceSsoChannelBinding SpiceSsoChannelBinding;

SpiceSsoChannelBinding *spice_sso_channel_binding_new(X509 *server_cert, GError **error);
/* the server certificate of @ssl's peer */
SpiceSsoChannelBinding *spice_sso_channel_binding_new_from_ssl(SSL *ssl, GError **error);
const sasl_channel_binding_t *spice_sso_channel_binding_get(const SpiceSsoChannelBinding *cb);
/* name of the hash used ("SHA256") */
const char *spice_sso_channel_binding_hash_name(const SpiceSsoChannelBinding *cb);
void spice_sso_channel_binding_free(SpiceSsoChannelBinding *cb);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(SpiceSsoChannelBinding, spice_sso_channel_binding_free)

G_END_DECLS

#endif /* SPICE_SSO_SASL_H */
