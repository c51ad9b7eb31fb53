/* Unit tests of client/spice-sso-sasl.c: the mechanism filter and the
 * Cyrus SASL channel binding built on protocol/vdsso-tls.c.
 *
 * The hash itself, for every signature algorithm, is tested once, in
 * protocol/tests/test-tls.c; here: the binding's name, critical flag and
 * data (the expected hash computed with GLib over the DER the openssl
 * command writes, see protocol/tests/test-certs.c), the errors, and the
 * binding taken from the client's SSL object after a real TLS handshake
 * in memory, as spice-gtk does.
 */
#include "spice-sso-sasl.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "test-certs.h"
#include "vdsso-tls.h"

/* ------------------------------------------------------------ mechanism filter */

static void check_filter(const char *in, const char *want)
{
    g_autoptr(GError) err = NULL;
    g_autofree gchar *got = spice_sso_sasl_filter_mechlist(in, &err);
    if (want == NULL) {
        g_assert_null(got);
        g_assert_error(err, SPICE_SSO_SASL_ERROR, SPICE_SSO_SASL_ERROR_NO_GSSAPI);
    } else {
        g_assert_no_error(err);
        g_assert_cmpstr(got, ==, want);
    }
}

static void test_filter_keeps_gssapi(void)
{
    /* spice-server's wire form: comma-wrapped */
    check_filter(",GSS-SPNEGO,GSSAPI,DIGEST-MD5,", "GSS-SPNEGO,GSSAPI");
    check_filter("GSSAPI", "GSSAPI");
    check_filter("GSS-SPNEGO", "GSS-SPNEGO");
    /* the server's order is kept */
    check_filter("PLAIN GSSAPI SCRAM-SHA-256 GSS-SPNEGO", "GSSAPI,GSS-SPNEGO");
    /* what Cyrus lists with PASS_CREDENTIALS asked for */
    check_filter("GSS-SPNEGO GSSAPI GS2-KRB5 GS2-IAKERB PLAIN LOGIN", "GSS-SPNEGO,GSSAPI");
    /* channel-binding names of a server with a binding set */
    check_filter(",GSS-SPNEGO-PLUS,GSS-SPNEGO,GSSAPI-PLUS,GSSAPI,SCRAM-SHA-1-PLUS,",
                 "GSS-SPNEGO-PLUS,GSS-SPNEGO,GSSAPI-PLUS,GSSAPI");
    /* case, separators and duplicates as Cyrus sees them */
    check_filter("gssapi;;PLAIN\tGss-Spnego  GSSAPI", "gssapi,Gss-Spnego");
}

static void test_filter_refuses_others(void)
{
    check_filter("PLAIN", NULL);
    check_filter(",PLAIN,DIGEST-MD5,SCRAM-SHA-256,", NULL);
    check_filter("LOGIN GS2-KRB5 ANONYMOUS", NULL);
    /* whole names only */
    check_filter("GSSAPIX,XGSSAPI,GSS-SPNEGOX,GSS_SPNEGO,GSSAPI-PLUSX,GSSAPI-PLU,GSS,SPNEGO", NULL);
    check_filter("", NULL);
    check_filter(",,, ;", NULL);
    check_filter(NULL, NULL);
}

static void test_filter_error_message(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree gchar *got = spice_sso_sasl_filter_mechlist(",PLAIN,DIGEST-MD5\x01\xff,", &err);
    g_assert_null(got);
    g_assert_nonnull(err);
    /* names what was offered, printable only */
    g_assert_nonnull(strstr(err->message, "neither GSSAPI nor GSS-SPNEGO"));
    g_assert_nonnull(strstr(err->message, "PLAIN DIGEST-MD5??"));
    for (const char *p = err->message; *p; p++) {
        g_assert_true(*p >= 0x20 && *p < 0x7f);
    }
}

static void test_filter_bounds(void)
{
    /* at the limit: accepted */
    GString *s = g_string_new(NULL);
    while (s->len + sizeof(",GSSAPI") - 1 <= SPICE_SSO_SASL_MAX_MECHLIST) {
        g_string_append(s, ",GSSAPI");
    }
    g_string_append_len(s, ",,,,,,,,,,", SPICE_SSO_SASL_MAX_MECHLIST - s->len);
    g_assert_cmpuint(s->len, ==, SPICE_SSO_SASL_MAX_MECHLIST);
    check_filter(s->str, "GSSAPI");
    /* one byte more: refused, and the message says why */
    g_string_append_c(s, ',');
    g_autoptr(GError) err = NULL;
    g_autofree gchar *got = spice_sso_sasl_filter_mechlist(s->str, &err);
    g_assert_null(got);
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(err->message, "longer than"));
    g_string_free(s, TRUE);
}

/* ------------------------------------------------------------ channel binding */

typedef struct {
    const char *alg, *md; /* how the certificate is signed */
    const char *const *sigopts;
    GChecksumType want;   /* the hash RFC 5929 4.1 asks for */
    const char *want_name;
} BindingCase;

static const char *const pss_padding[] = {"rsa_padding_mode:pss", NULL};

static const BindingCase binding_cases[] = {
    {"RSA", "sha1", NULL, G_CHECKSUM_SHA256, "SHA256"}, /* SHA-1 -> SHA-256 */
    {"RSA", "sha512", NULL, G_CHECKSUM_SHA512, "SHA512"},
    {"RSA", "sha384", pss_padding, G_CHECKSUM_SHA384, "SHA384"}, /* the PSS parameters' hash */
    {"EC", "sha384", NULL, G_CHECKSUM_SHA384, "SHA384"},
};

static void test_binding(gconstpointer data)
{
    const BindingCase *c = data;
    g_autofree gchar *name = g_strdup_printf("%s-%s%s.pem", c->alg, c->md, c->sigopts ? "-pss" : "");
    g_autofree gchar *pem = test_certs_make(c->alg, c->md, c->sigopts, name);
    g_autoptr(GBytes) want = test_certs_der_hash(pem, c->want);
    gsize wlen = 0;
    const guint8 *w = g_bytes_get_data(want, &wlen);
    X509 *x = test_certs_load(pem);

    /* the SASL binding: name, not critical, the bare hash as data */
    g_autoptr(GError) err = NULL;
    g_autoptr(SpiceSsoChannelBinding) b = spice_sso_channel_binding_new(x, &err);
    g_assert_no_error(err);
    const sasl_channel_binding_t *cb = spice_sso_channel_binding_get(b);
    g_assert_cmpstr(cb->name, ==, "tls-server-end-point");
    g_assert_cmpint(cb->critical, ==, 0);
    g_assert_cmpmem(cb->data, cb->len, w, wlen);
    g_assert_cmpstr(spice_sso_channel_binding_hash_name(b), ==, c->want_name);
    X509_free(x);
    g_unlink(pem);
}

static void test_binding_undefined(void)
{
    /* Ed25519 signs without a separate hash: RFC 5929 leaves it undefined */
    g_autofree gchar *pem = test_certs_make("ED25519", "", NULL, "ed25519.pem");
    X509 *x = test_certs_load(pem);
    g_autoptr(GError) err = NULL;
    SpiceSsoChannelBinding *b = spice_sso_channel_binding_new(x, &err);
    g_assert_null(b);
    g_assert_error(err, SPICE_SSO_SASL_ERROR, SPICE_SSO_SASL_ERROR_BINDING);
    g_assert_nonnull(strstr(err->message, "(ED25519) uses no single hash function"));
    g_clear_error(&err);
    X509_free(x);
    g_unlink(pem);

    /* RSASSA-PSS hashing the message with SHA-256 and MGF1 with SHA-1 */
    const char *const mixed[] = {"rsa_padding_mode:pss", "rsa_mgf1_md:sha1", NULL};
    g_autofree gchar *pss = test_certs_make("RSA", "sha256", mixed, "pss-mixed.pem");
    x = test_certs_load(pss);
    b = spice_sso_channel_binding_new(x, &err);
    g_assert_null(b);
    g_assert_error(err, SPICE_SSO_SASL_ERROR, SPICE_SSO_SASL_ERROR_BINDING);
    g_assert_nonnull(strstr(err->message, "(RSASSA-PSS) uses no single hash function"));
    g_clear_error(&err);
    X509_free(x);
    g_unlink(pss);

    b = spice_sso_channel_binding_new(NULL, &err);
    g_assert_null(b);
    g_assert_error(err, SPICE_SSO_SASL_ERROR, SPICE_SSO_SASL_ERROR_BINDING);
}

/* ------------------------------------------------------------ from a TLS connection */

static void test_binding_from_ssl(void)
{
    g_autofree gchar *pem = test_certs_make("RSA", "sha384", NULL, "tls-server.pem");
    TestTlsPair t;
    test_tls_pair_connect(&t, pem, test_certs_key("RSA"));

    g_autoptr(GError) err = NULL;
    g_autoptr(SpiceSsoChannelBinding) b = spice_sso_channel_binding_new_from_ssl(t.client, &err);
    g_assert_no_error(err);
    g_autoptr(GBytes) want = test_certs_der_hash(pem, G_CHECKSUM_SHA384);
    gsize wlen = 0;
    const guint8 *w = g_bytes_get_data(want, &wlen);
    const sasl_channel_binding_t *cb = spice_sso_channel_binding_get(b);
    g_assert_cmpmem(cb->data, cb->len, w, wlen);

    /* what the server gives Cyrus: the same function on its own certificate */
    uint8_t s_out[VDSSO_TLS_CB_MAX];
    int sn = vdsso_tls_server_end_point(SSL_get_certificate(t.server), s_out, sizeof(s_out), NULL);
    g_assert_cmpmem(s_out, (gsize)MAX(sn, 0), cb->data, cb->len);
    test_tls_pair_free(&t);
    g_unlink(pem);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    test_certs_init();

    g_test_add_func("/mechlist/keeps-gssapi", test_filter_keeps_gssapi);
    g_test_add_func("/mechlist/refuses-others", test_filter_refuses_others);
    g_test_add_func("/mechlist/error-message", test_filter_error_message);
    g_test_add_func("/mechlist/bounds", test_filter_bounds);
    for (gsize i = 0; i < G_N_ELEMENTS(binding_cases); i++) {
        const BindingCase *c = &binding_cases[i];
        g_autofree gchar *name = g_strdup_printf("/binding/%s-%s%s", c->alg, c->md,
                                                 c->sigopts ? "-pss" : "");
        g_test_add_data_func(name, c, test_binding);
    }
    g_test_add_func("/binding/undefined", test_binding_undefined);
    g_test_add_func("/binding/from-ssl", test_binding_from_ssl);

    int rc = g_test_run();
    test_certs_cleanup();
    return rc;
}
