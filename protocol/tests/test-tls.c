/* Unit tests of protocol/vdsso-tls.c: the RFC 5929 tls-server-end-point
 * binding data that spice-server and spice-gtk both compute with it.
 *
 * Certificates of every signature algorithm that matters are made by the
 * openssl command; the expected values are GLib's hashes of the DER that
 * `openssl x509 -outform DER` writes (test-certs.c). Two tests run a real
 * TLS handshake in memory: the value the client computes from the
 * certificate it received equals the one the server computes from its own.
 */
#include "vdsso-tls.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <openssl/objects.h>
#include <string.h>

#include "test-certs.h"

typedef struct {
    const char *name;
    const char *alg, *md;       /* key algorithm, `openssl req -MD` */
    const char *sigopts[4];     /* `-sigopt` values */
    int want_nid;               /* the hash RFC 5929 4.1 asks for, NID_undef: undefined */
    GChecksumType want;
} Case;

static const Case cases[] = {
    /* RSA PKCS#1 v1.5 */
    {"rsa-md5", "RSA", "md5", {NULL}, NID_sha256, G_CHECKSUM_SHA256}, /* MD5 -> SHA-256 */
    {"rsa-sha1", "RSA", "sha1", {NULL}, NID_sha256, G_CHECKSUM_SHA256}, /* SHA-1 -> SHA-256 */
    {"rsa-sha256", "RSA", "sha256", {NULL}, NID_sha256, G_CHECKSUM_SHA256},
    {"rsa-sha384", "RSA", "sha384", {NULL}, NID_sha384, G_CHECKSUM_SHA384},
    {"rsa-sha512", "RSA", "sha512", {NULL}, NID_sha512, G_CHECKSUM_SHA512},
    /* ECDSA */
    {"ecdsa-sha1", "EC", "sha1", {NULL}, NID_sha256, G_CHECKSUM_SHA256},
    {"ecdsa-sha256", "EC", "sha256", {NULL}, NID_sha256, G_CHECKSUM_SHA256},
    {"ecdsa-sha384", "EC", "sha384", {NULL}, NID_sha384, G_CHECKSUM_SHA384},
    {"ecdsa-sha512", "EC", "sha512", {NULL}, NID_sha512, G_CHECKSUM_SHA512},
    /* RSASSA-PSS: the hash of the parameters, MGF1 with the same hash
     * (what openssl does by default), with an RSA-PSS key ... */
    {"pss-key-sha256", "RSA-PSS", "sha256", {NULL}, NID_sha256, G_CHECKSUM_SHA256},
    {"pss-key-sha384", "RSA-PSS", "sha384", {NULL}, NID_sha384, G_CHECKSUM_SHA384},
    {"pss-key-sha512", "RSA-PSS", "sha512", {NULL}, NID_sha512, G_CHECKSUM_SHA512},
    /* ... and with an RSA key and PSS padding */
    {"rsa-pss-sha384", "RSA", "sha384", {"rsa_padding_mode:pss", NULL}, NID_sha384,
     G_CHECKSUM_SHA384},
    /* both hashes SHA-1, encoded as the defaults (absent): SHA-256 */
    {"pss-sha1", "RSA-PSS", "sha1", {NULL}, NID_sha256, G_CHECKSUM_SHA256},
    /* two different hash functions: undefined */
    {"pss-sha256-mgf1-sha1", "RSA", "sha256", {"rsa_padding_mode:pss", "rsa_mgf1_md:sha1", NULL},
     NID_undef, 0},
    {"pss-sha1-mgf1-sha256", "RSA", "sha1", {"rsa_padding_mode:pss", "rsa_mgf1_md:sha256", NULL},
     NID_undef, 0},
    {"pss-sha512-mgf1-sha384", "RSA-PSS", "sha512", {"rsa_mgf1_md:sha384", NULL}, NID_undef, 0},
    /* no separate hash function: undefined */
    {"ed25519", "ED25519", "", {NULL}, NID_undef, 0},
    {"ed448", "ED448", "", {NULL}, NID_undef, 0},
};

static void test_end_point(gconstpointer data)
{
    const Case *c = data;
    g_autofree gchar *file = g_strdup_printf("%s.pem", c->name);
    g_autofree gchar *pem = test_certs_make(c->alg, c->md, c->sigopts, file);
    X509 *x = test_certs_load(pem);
    uint8_t out[VDSSO_TLS_CB_MAX];
    int nid = -12345;

    int n = vdsso_tls_server_end_point(x, out, sizeof(out), &nid);
    if (c->want_nid == NID_undef) {
        g_assert_cmpint(n, ==, VDSSO_TLS_ERR_UNDEFINED);
        g_assert_cmpint(nid, ==, -12345); /* untouched */
        g_assert_nonnull(strstr(vdsso_tls_strerror(n), "undefined"));
    } else {
        g_autoptr(GBytes) want = test_certs_der_hash(pem, c->want);
        gsize wlen = 0;
        const guint8 *w = g_bytes_get_data(want, &wlen);
        g_assert_cmpint(n, ==, (int)wlen);
        g_assert_cmpmem(out, (gsize)n, w, wlen);
        g_assert_cmpint(nid, ==, c->want_nid);
        /* exactly large enough, one byte too small */
        g_assert_cmpint(vdsso_tls_server_end_point(x, out, wlen, NULL), ==, (int)wlen);
        g_assert_cmpint(vdsso_tls_server_end_point(x, out, wlen - 1, NULL), ==,
                        VDSSO_TLS_ERR_SPACE);
    }
    X509_free(x);
    g_unlink(pem);
}

static void test_arguments(void)
{
    uint8_t out[VDSSO_TLS_CB_MAX];
    g_assert_cmpint(vdsso_tls_server_end_point(NULL, out, sizeof(out), NULL), ==,
                    VDSSO_TLS_ERR_ARGS);
    g_autofree gchar *pem = test_certs_make("RSA", "sha256", NULL, "args.pem");
    X509 *x = test_certs_load(pem);
    g_assert_cmpint(vdsso_tls_server_end_point(x, NULL, 64, NULL), ==, VDSSO_TLS_ERR_ARGS);
    X509_free(x);
    g_unlink(pem);
    for (int e = VDSSO_TLS_ERR_HASH; e <= VDSSO_TLS_ERR_ARGS; e++) {
        g_assert_nonnull(vdsso_tls_strerror(e));
        g_assert_cmpstr(vdsso_tls_strerror(e), !=, vdsso_tls_strerror(-100));
    }
}

/* Both ends of a real TLS connection: the client's value from the peer
 * certificate (as spice-gtk computes it) equals the server's from its own
 * (as spice-server computes it), and the expected hash. */
static void check_both_ends(const char *alg, const char *md, const char *const *sigopts,
                            GChecksumType want_type)
{
    g_autofree gchar *file = g_strdup_printf("tls-%s-%s.pem", alg, md);
    g_autofree gchar *pem = test_certs_make(alg, md, sigopts, file);
    TestTlsPair t;
    test_tls_pair_connect(&t, pem, test_certs_key(alg));

    X509 *peer = SSL_get1_peer_certificate(t.client);
    g_assert_nonnull(peer);
    uint8_t c_out[VDSSO_TLS_CB_MAX], s_out[VDSSO_TLS_CB_MAX];
    int cn = vdsso_tls_server_end_point(peer, c_out, sizeof(c_out), NULL);
    int sn = vdsso_tls_server_end_point(SSL_get_certificate(t.server), s_out, sizeof(s_out), NULL);
    X509_free(peer);
    g_autoptr(GBytes) want = test_certs_der_hash(pem, want_type);
    gsize wlen = 0;
    const guint8 *w = g_bytes_get_data(want, &wlen);
    g_assert_cmpmem(c_out, (gsize)MAX(cn, 0), w, wlen);
    g_assert_cmpmem(s_out, (gsize)MAX(sn, 0), w, wlen);
    test_tls_pair_free(&t);
    g_unlink(pem);
}

static void test_handshake_rsa(void)
{
    check_both_ends("RSA", "sha384", NULL, G_CHECKSUM_SHA384);
}

static void test_handshake_pss(void)
{
    /* an RSA-PSS certificate and key: TLS 1.3's rsa_pss_pss_* signatures */
    check_both_ends("RSA-PSS", "sha256", NULL, G_CHECKSUM_SHA256);
}

static void test_handshake_ecdsa(void)
{
    check_both_ends("EC", "sha512", NULL, G_CHECKSUM_SHA512);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    test_certs_init();
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree gchar *path = g_strdup_printf("/tls/end-point/%s", cases[i].name);
        g_test_add_data_func(path, &cases[i], test_end_point);
    }
    g_test_add_func("/tls/arguments", test_arguments);
    g_test_add_func("/tls/handshake/rsa", test_handshake_rsa);
    g_test_add_func("/tls/handshake/rsa-pss", test_handshake_pss);
    g_test_add_func("/tls/handshake/ecdsa", test_handshake_ecdsa);
    int rc = g_test_run();
    test_certs_cleanup();
    return rc;
}
