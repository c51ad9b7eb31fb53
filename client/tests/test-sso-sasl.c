/* Unit tests of client/spice-sso-sasl.c: the mechanism filter and the
 * tls-server-end-point channel binding.
 *
 * The certificates are made by the openssl command in a temporary directory;
 * the expected hashes are computed with GLib's GChecksum over the DER that
 * `openssl x509 -outform DER` writes, independently of the code under test.
 * One test runs a real TLS handshake in memory and takes the binding from
 * the client's SSL object, as spice-gtk does.
 */
#include "spice-sso-sasl.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <string.h>

static gchar *tmpdir;
static GHashTable *keys; /* algorithm -> key file */

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

/* ------------------------------------------------------------ certificates */

static void run(const char *const *argv)
{
    g_autoptr(GError) err = NULL;
    gint status = 0;
    g_autofree gchar *out = NULL, *errout = NULL;
    if (!g_spawn_sync(tmpdir, (gchar **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                      &errout, &status, &err)) {
        g_error("cannot run %s: %s", argv[0], err->message);
    }
    if (!g_spawn_check_wait_status(status, &err)) {
        g_error("%s %s failed: %s\n%s", argv[0], argv[1], err->message, errout);
    }
}

static gchar *path_of(const char *name)
{
    return g_build_filename(tmpdir, name, NULL);
}

/* a key of the given openssl genpkey algorithm (and options), once */
static const char *make_key(const char *alg)
{
    const char *known = g_hash_table_lookup(keys, alg);
    if (known) {
        return known;
    }
    g_autofree gchar *name = g_strdup_printf("%s.key", alg);
    gchar *path = path_of(name);
    if (g_str_equal(alg, "RSA") || g_str_equal(alg, "RSA-PSS")) {
        const char *argv[] = {"openssl", "genpkey", "-algorithm", alg, "-pkeyopt",
                              "rsa_keygen_bits:1024", "-out", path, NULL};
        run(argv);
    } else if (g_str_equal(alg, "EC")) {
        const char *argv[] = {"openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                              "ec_paramgen_curve:P-256", "-out", path, NULL};
        run(argv);
    } else {
        const char *argv[] = {"openssl", "genpkey", "-algorithm", alg, "-out", path, NULL};
        run(argv);
    }
    g_hash_table_insert(keys, g_strdup(alg), path);
    return path;
}

/* self-signed certificate signed with @md ("" for none), returns its path */
static gchar *make_cert(const char *alg, const char *md, const char *name)
{
    const char *key = make_key(alg);
    gchar *path = path_of(name);
    g_autofree gchar *mdopt = md[0] ? g_strdup_printf("-%s", md) : NULL;
    const char *argv[] = {"openssl", "req", "-x509", "-key", key, "-subj", "/CN=spice-sso test",
                          "-days", "1", "-out", path, mdopt, NULL};
    run(argv);
    return path;
}

static X509 *load_cert(const char *path)
{
    FILE *f = fopen(path, "r");
    g_assert_nonnull(f);
    X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    g_assert_nonnull(x);
    return x;
}

/* the DER of the certificate as the openssl command writes it, hashed with
 * GLib: the expected tls-server-end-point value */
static GBytes *expected_hash(const char *pem, GChecksumType type)
{
    g_autofree gchar *der = g_strconcat(pem, ".der", NULL);
    const char *argv[] = {"openssl", "x509", "-in", pem, "-outform", "DER", "-out", der, NULL};
    run(argv);
    g_autofree gchar *contents = NULL;
    gsize len = 0;
    g_assert_true(g_file_get_contents(der, &contents, &len, NULL));
    g_unlink(der);
    g_autoptr(GChecksum) ck = g_checksum_new(type);
    g_checksum_update(ck, (const guchar *)contents, len);
    guint8 digest[64];
    gsize dlen = sizeof(digest);
    g_checksum_get_digest(ck, digest, &dlen);
    return g_bytes_new(digest, dlen);
}

typedef struct {
    const char *alg, *md; /* how the certificate is signed */
    GChecksumType want;   /* the hash RFC 5929 4.1 asks for */
    const char *want_name;
} HashCase;

static const HashCase hash_cases[] = {
    {"RSA", "md5", G_CHECKSUM_SHA256, "SHA256"},  /* MD5 -> SHA-256 */
    {"RSA", "sha1", G_CHECKSUM_SHA256, "SHA256"}, /* SHA-1 -> SHA-256 */
    {"RSA", "sha256", G_CHECKSUM_SHA256, "SHA256"},
    {"RSA", "sha384", G_CHECKSUM_SHA384, "SHA384"},
    {"RSA", "sha512", G_CHECKSUM_SHA512, "SHA512"},
    {"RSA-PSS", "sha384", G_CHECKSUM_SHA384, "SHA384"}, /* hash in the PSS parameters */
    {"EC", "sha384", G_CHECKSUM_SHA384, "SHA384"},
    {"EC", "sha1", G_CHECKSUM_SHA256, "SHA256"},
};

static void test_end_point_hash(gconstpointer data)
{
    const HashCase *c = data;
    g_autofree gchar *name = g_strdup_printf("%s-%s.pem", c->alg, c->md);
    g_autofree gchar *pem = make_cert(c->alg, c->md, name);
    g_autoptr(GBytes) want = expected_hash(pem, c->want);
    X509 *x = load_cert(pem);

    guint8 out[EVP_MAX_MD_SIZE];
    gsize len = 0;
    const char *md_name = NULL;
    g_autoptr(GError) err = NULL;
    g_assert_true(spice_sso_tls_server_end_point(x, out, &len, &md_name, &err));
    g_assert_no_error(err);
    g_assert_cmpstr(md_name, ==, c->want_name);
    gsize wlen = 0;
    const guint8 *w = g_bytes_get_data(want, &wlen);
    g_assert_cmpmem(out, len, w, wlen);

    /* the SASL binding: name, not critical, the bare hash as data */
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

static void test_end_point_undefined(void)
{
    /* Ed25519 signs without a separate hash: RFC 5929 leaves it undefined */
    g_autofree gchar *pem = make_cert("ED25519", "", "ed25519.pem");
    X509 *x = load_cert(pem);
    guint8 out[EVP_MAX_MD_SIZE];
    gsize len = 0;
    g_autoptr(GError) err = NULL;
    g_assert_false(spice_sso_tls_server_end_point(x, out, &len, NULL, &err));
    g_assert_error(err, SPICE_SSO_SASL_ERROR, SPICE_SSO_SASL_ERROR_BINDING);
    g_assert_nonnull(strstr(err->message, "ED25519"));
    g_clear_error(&err);
    SpiceSsoChannelBinding *b = spice_sso_channel_binding_new(x, &err);
    g_assert_null(b);
    g_assert_error(err, SPICE_SSO_SASL_ERROR, SPICE_SSO_SASL_ERROR_BINDING);
    g_clear_error(&err);
    b = spice_sso_channel_binding_new(NULL, &err);
    g_assert_null(b);
    g_assert_error(err, SPICE_SSO_SASL_ERROR, SPICE_SSO_SASL_ERROR_BINDING);
    X509_free(x);
    g_unlink(pem);
}

/* ------------------------------------------------------------ from a TLS connection */

static void pump(SSL *from, BIO *from_net, BIO *to_net)
{
    (void)from;
    char buf[4096];
    int n;
    while ((n = BIO_read(from_net, buf, sizeof(buf))) > 0) {
        g_assert_cmpint(BIO_write(to_net, buf, n), ==, n);
    }
}

static void test_binding_from_ssl(void)
{
    g_autofree gchar *pem = make_cert("RSA", "sha384", "tls-server.pem");
    const char *key = make_key("RSA");

    SSL_CTX *sctx = SSL_CTX_new(TLS_server_method());
    SSL_CTX *cctx = SSL_CTX_new(TLS_client_method());
    /* a 1024-bit test key: allow it whatever the system's security level */
    SSL_CTX_set_security_level(sctx, 0);
    SSL_CTX_set_security_level(cctx, 0);
    g_assert_cmpint(SSL_CTX_use_certificate_file(sctx, pem, SSL_FILETYPE_PEM), ==, 1);
    g_assert_cmpint(SSL_CTX_use_PrivateKey_file(sctx, key, SSL_FILETYPE_PEM), ==, 1);
    SSL_CTX_set_verify(cctx, SSL_VERIFY_NONE, NULL);

    SSL *s = SSL_new(sctx), *c = SSL_new(cctx);
    BIO *s_int, *s_net, *c_int, *c_net;
    g_assert_cmpint(BIO_new_bio_pair(&s_int, 0, &s_net, 0), ==, 1);
    g_assert_cmpint(BIO_new_bio_pair(&c_int, 0, &c_net, 0), ==, 1);
    SSL_set_bio(s, s_int, s_int);
    SSL_set_bio(c, c_int, c_int);
    SSL_set_accept_state(s);
    SSL_set_connect_state(c);
    gboolean c_done = FALSE, s_done = FALSE;
    for (int round = 0; round < 20 && !(c_done && s_done); round++) {
        if (!c_done) {
            c_done = SSL_do_handshake(c) == 1;
        }
        pump(c, c_net, s_net);
        if (!s_done) {
            s_done = SSL_do_handshake(s) == 1;
        }
        pump(s, s_net, c_net);
    }
    g_assert_true(c_done && s_done);

    g_autoptr(GError) err = NULL;
    g_autoptr(SpiceSsoChannelBinding) b = spice_sso_channel_binding_new_from_ssl(c, &err);
    g_assert_no_error(err);
    g_autoptr(GBytes) want = expected_hash(pem, G_CHECKSUM_SHA384);
    gsize wlen = 0;
    const guint8 *w = g_bytes_get_data(want, &wlen);
    const sasl_channel_binding_t *cb = spice_sso_channel_binding_get(b);
    g_assert_cmpmem(cb->data, cb->len, w, wlen);

    /* the server side computes the same value from its own certificate */
    g_autoptr(SpiceSsoChannelBinding) sb = spice_sso_channel_binding_new(SSL_get_certificate(s), &err);
    g_assert_no_error(err);
    const sasl_channel_binding_t *scb = spice_sso_channel_binding_get(sb);
    g_assert_cmpmem(scb->data, scb->len, cb->data, cb->len);

    SSL_free(s);
    SSL_free(c);
    BIO_free(s_net);
    BIO_free(c_net);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
    g_unlink(pem);
}

static void remove_tmpdir(void)
{
    g_autoptr(GDir) d = g_dir_open(tmpdir, 0, NULL);
    const char *n;
    while (d && (n = g_dir_read_name(d)) != NULL) {
        g_autofree gchar *p = path_of(n);
        g_unlink(p);
    }
    g_rmdir(tmpdir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    tmpdir = g_dir_make_tmp("spice-sso-client-test.XXXXXX", NULL);
    g_assert_nonnull(tmpdir);
    keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);

    g_test_add_func("/mechlist/keeps-gssapi", test_filter_keeps_gssapi);
    g_test_add_func("/mechlist/refuses-others", test_filter_refuses_others);
    g_test_add_func("/mechlist/error-message", test_filter_error_message);
    g_test_add_func("/mechlist/bounds", test_filter_bounds);
    for (gsize i = 0; i < G_N_ELEMENTS(hash_cases); i++) {
        g_autofree gchar *name = g_strdup_printf("/end-point/%s-%s", hash_cases[i].alg, hash_cases[i].md);
        g_test_add_data_func(name, &hash_cases[i], test_end_point_hash);
    }
    g_test_add_func("/end-point/undefined", test_end_point_undefined);
    g_test_add_func("/end-point/from-ssl", test_binding_from_ssl);

    int rc = g_test_run();
    remove_tmpdir();
    g_hash_table_destroy(keys);
    g_free(tmpdir);
    return rc;
}
