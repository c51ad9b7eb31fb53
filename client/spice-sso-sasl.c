/* spice-sso-sasl.c - single sign-on helpers for spice-gtk's SASL authentication
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "spice-sso-sasl.h"

#include <string.h>

#include <openssl/evp.h>
#include <openssl/objects.h>

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

gboolean spice_sso_tls_server_end_point(X509 *cert, guint8 *out, gsize *out_len,
                                        const char **md_name, GError **error)
{
    int md_nid = NID_undef;

    g_return_val_if_fail(cert != NULL && out != NULL && out_len != NULL, FALSE);

#if OPENSSL_VERSION_NUMBER >= 0x10101000L
    /* also resolves RSASSA-PSS, whose hash is in the parameters */
    if (!X509_get_signature_info(cert, &md_nid, NULL, NULL, NULL)) {
        md_nid = NID_undef;
    }
#else
    if (!OBJ_find_sigid_algs(X509_get_signature_nid(cert), &md_nid, NULL)) {
        md_nid = NID_undef;
    }
#endif
    if (md_nid == NID_md5 || md_nid == NID_sha1) {
        md_nid = NID_sha256;
    }
    const EVP_MD *md = md_nid == NID_undef ? NULL : EVP_get_digestbynid(md_nid);
    if (md == NULL) {
        const char *sig = OBJ_nid2sn(X509_get_signature_nid(cert));
        g_set_error(error, SPICE_SSO_SASL_ERROR, SPICE_SSO_SASL_ERROR_BINDING,
                    "the server certificate's signature algorithm (%s) names no single hash "
                    "function, so its tls-server-end-point channel binding is undefined "
                    "(RFC 5929, 4.1)", sig ? sig : "unknown");
        return FALSE;
    }

    unsigned int n = 0;
    if (!X509_digest(cert, md, out, &n) || n == 0) {
        g_set_error(error, SPICE_SSO_SASL_ERROR, SPICE_SSO_SASL_ERROR_BINDING,
                    "cannot hash the server certificate with %s", OBJ_nid2sn(md_nid));
        return FALSE;
    }
    *out_len = n;
    if (md_name) {
        *md_name = OBJ_nid2sn(md_nid);
    }
    return TRUE;
}

struct SpiceSsoChannelBinding {
    sasl_channel_binding_t cb;
    const char *hash_name;
    gsize len;
    guint8 data[EVP_MAX_MD_SIZE];
};

SpiceSsoChannelBinding *spice_sso_channel_binding_new(X509 *server_cert, GError **error)
{
    guint8 hash[EVP_MAX_MD_SIZE];
    gsize hash_len = 0;
    const char *hash_name = NULL;

    if (server_cert == NULL) {
        g_set_error_literal(error, SPICE_SSO_SASL_ERROR, SPICE_SSO_SASL_ERROR_BINDING,
                            "the TLS connection has no server certificate");
        return NULL;
    }
    if (!spice_sso_tls_server_end_point(server_cert, hash, &hash_len, &hash_name, error)) {
        return NULL;
    }
    SpiceSsoChannelBinding *b = g_new0(SpiceSsoChannelBinding, 1);
    memcpy(b->data, hash, hash_len);
    b->len = hash_len;
    b->hash_name = hash_name;
    b->cb.name = SPICE_SSO_CB_TYPE;
    b->cb.critical = 0;
    b->cb.len = b->len;
    b->cb.data = b->data;
    return b;
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
