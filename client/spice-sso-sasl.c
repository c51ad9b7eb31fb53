/* spice-sso-sasl.c - single sign-on helpers for spice-gtk's SASL authentication
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "spice-sso-sasl.h"

#include <string.h>

#include <openssl/objects.h>

#include "vdsso-tls.h"

G_DEFINE_QUARK(spice-sso-sasl-error-quark, spice_sso_sasl_error)

/* ------------------------------------------------------------ mechanisms */

static const char *const delegation_mechs[] = {
    "GSS-SPNEGO", "GSSAPI", "GSS-SPNEGO-PLUS", "GSSAPI-PLUS",
};

/* what Cyrus' sasl_client_start() takes as part of a name (lib/client.c) */
static gboolean is_mech_char(char c)
{
    return g_ascii_isalnum(c) || c == '-' || c == '_';
}

static gboolean is_delegation_mech(const char *name, gsize len)
{
    for (gsize i = 0; i < G_N_ELEMENTS(delegation_mechs); i++) {
        if (strlen(delegation_mechs[i]) == len &&
            g_ascii_strncasecmp(name, delegation_mechs[i], len) == 0) {
            return TRUE;
        }
    }
    return FALSE;
}

static gboolean already_kept(GPtrArray *kept, const char *name, gsize len)
{
    for (guint i = 0; i < kept->len; i++) {
        const char *k = g_ptr_array_index(kept, i);
        if (strlen(k) == len && g_ascii_strncasecmp(k, name, len) == 0) {
            return TRUE;
        }
    }
    return FALSE;
}

gchar *spice_sso_sasl_filter_mechlist(const gchar *mechlist, GError **error)
{
    if (mechlist == NULL || mechlist[0] == '\0') {
        g_set_error_literal(error, SPICE_SSO_SASL_ERROR, SPICE_SSO_SASL_ERROR_NO_GSSAPI,
                            "the server offers no SASL mechanism");
        return NULL;
    }
    gsize total = strnlen(mechlist, SPICE_SSO_SASL_MAX_MECHLIST + 1);
    if (total > SPICE_SSO_SASL_MAX_MECHLIST) {
        g_set_error(error, SPICE_SSO_SASL_ERROR, SPICE_SSO_SASL_ERROR_NO_GSSAPI,
                    "the server's SASL mechanism list is longer than %d bytes",
                    SPICE_SSO_SASL_MAX_MECHLIST);
        return NULL;
    }

    g_autoptr(GPtrArray) kept = g_ptr_array_new_with_free_func(g_free);
    gsize i = 0;
    while (i < total) {
        while (i < total && !is_mech_char(mechlist[i])) {
            i++;
        }
        gsize start = i;
        while (i < total && is_mech_char(mechlist[i])) {
            i++;
        }
        gsize len = i - start;
        if (len > 0 && is_delegation_mech(mechlist + start, len) &&
            !already_kept(kept, mechlist + start, len)) {
            g_ptr_array_add(kept, g_strndup(mechlist + start, len));
        }
    }
    if (kept->len == 0) {
        /* say what was offered, printable ASCII only, so the message can be
         * shown and logged as it is */
        g_autofree gchar *shown = g_strndup(mechlist, MIN(total, 200));
        for (gchar *p = shown; *p; p++) {
            if (*p < 0x20 || *p > 0x7e) {
                *p = '?';
            }
        }
        g_strstrip(g_strdelimit(shown, ",", ' '));
        g_set_error(error, SPICE_SSO_SASL_ERROR, SPICE_SSO_SASL_ERROR_NO_GSSAPI,
                    "the server offers neither GSSAPI nor GSS-SPNEGO (it offers: %s)",
                    shown[0] ? shown : "nothing");
        return NULL;
    }
    g_ptr_array_add(kept, NULL);
    return g_strjoinv(",", (gchar **)kept->pdata);
}

/* ------------------------------------------------------------ channel binding */

struct SpiceSsoChannelBinding {
    sasl_channel_binding_t cb;
    const char *hash_name;
    guint8 data[VDSSO_TLS_CB_MAX];
};

SpiceSsoChannelBinding *spice_sso_channel_binding_new(X509 *server_cert, GError **error)
{
    if (server_cert == NULL) {
        g_set_error_literal(error, SPICE_SSO_SASL_ERROR, SPICE_SSO_SASL_ERROR_BINDING,
                            "the TLS connection has no server certificate");
        return NULL;
    }
    g_autoptr(SpiceSsoChannelBinding) b = g_new0(SpiceSsoChannelBinding, 1);
    int md_nid = NID_undef;
    int n = vdsso_tls_server_end_point(server_cert, b->data, sizeof(b->data), &md_nid);
    if (n == VDSSO_TLS_ERR_UNDEFINED) {
        const char *sig = OBJ_nid2sn(X509_get_signature_nid(server_cert));
        g_set_error(error, SPICE_SSO_SASL_ERROR, SPICE_SSO_SASL_ERROR_BINDING,
                    "the server certificate's signature algorithm (%s) uses no single hash "
                    "function, so its tls-server-end-point channel binding is undefined "
                    "(RFC 5929, 4.1)", sig ? sig : "unknown");
        return NULL;
    } else if (n <= 0) {
        g_set_error(error, SPICE_SSO_SASL_ERROR, SPICE_SSO_SASL_ERROR_BINDING,
                    "tls-server-end-point channel binding: %s", vdsso_tls_strerror(n));
        return NULL;
    }
    b->hash_name = OBJ_nid2sn(md_nid);
    b->cb.name = VDSSO_TLS_CB_NAME;
    b->cb.critical = 0;
    b->cb.len = (unsigned long)n;
    b->cb.data = b->data;
    return g_steal_pointer(&b);
}

SpiceSsoChannelBinding *spice_sso_channel_binding_new_from_ssl(SSL *ssl, GError **error)
{
    g_return_val_if_fail(ssl != NULL, NULL);
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
    X509 *cert = SSL_get1_peer_certificate(ssl);
#else
    X509 *cert = SSL_get_peer_certificate(ssl);
#endif
    SpiceSsoChannelBinding *b = spice_sso_channel_binding_new(cert, error);
    X509_free(cert);
    return b;
}

const sasl_channel_binding_t *spice_sso_channel_binding_get(const SpiceSsoChannelBinding *cb)
{
    g_return_val_if_fail(cb != NULL, NULL);
    return &cb->cb;
}

const char *spice_sso_channel_binding_hash_name(const SpiceSsoChannelBinding *cb)
{
    g_return_val_if_fail(cb != NULL, NULL);
    return cb->hash_name;
}

void spice_sso_channel_binding_free(SpiceSsoChannelBinding *cb)
{
    g_free(cb);
}
