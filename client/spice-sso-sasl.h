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

/*
 * A Cyrus SASL channel binding (SASL_CHANNEL_BINDING) for a TLS connection:
 * name "tls-server-end-point", critical 0, data the RFC 5929 (4.1) hash of
 * the server certificate as vdsso_tls_server_end_point() computes it
 * (protocol/vdsso-tls.h, injected into spice-gtk as src/vdsso-tls.c; the
 * same code spice-server uses): the bare hash, no "tls-server-end-point:"
 * prefix (docs/client.md). A certificate whose signature algorithm uses no
 * single hash function (Ed25519, Ed448, RSASSA-PSS with MGF1 over another
 * hash) leaves the binding undefined: NULL and @error
 * (SPICE_SSO_SASL_ERROR_BINDING). Cyrus keeps only the pointer: the binding
 * must outlive every sasl_client_start/step on the connection.
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
