/* test-certs.c - certificates and TLS connections for unit tests (GLib)
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "test-certs.h"

#include <glib/gstdio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <string.h>

static gchar *tmpdir;
static GHashTable *keys; /* algorithm -> key file */

void test_certs_init(void)
{
    g_autoptr(GError) err = NULL;
    tmpdir = g_dir_make_tmp("spice-sso-certs-XXXXXX", &err);
    g_assert_no_error(err);
    keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
}

void test_certs_cleanup(void)
{
    g_autoptr(GDir) d = g_dir_open(tmpdir, 0, NULL);
    const char *n;
    while (d && (n = g_dir_read_name(d)) != NULL) {
        g_autofree gchar *p = g_build_filename(tmpdir, n, NULL);
        g_unlink(p);
    }
    g_rmdir(tmpdir);
    g_clear_pointer(&tmpdir, g_free);
    g_clear_pointer(&keys, g_hash_table_unref);
}

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

const char *test_certs_key(const char *alg)
{
    const char *known = g_hash_table_lookup(keys, alg);
    if (known) {
        return known;
    }
    g_autofree gchar *name = g_strdup_printf("%s.key", alg);
    gchar *path = g_build_filename(tmpdir, name, NULL);
    const char *opt = NULL;
    if (g_str_equal(alg, "RSA") || g_str_equal(alg, "RSA-PSS")) {
        opt = "rsa_keygen_bits:1024";
    } else if (g_str_equal(alg, "EC")) {
        opt = "ec_paramgen_curve:P-256";
    }
    const char *argv[] = {"openssl", "genpkey", "-algorithm", alg, "-out", path,
                          opt ? "-pkeyopt" : NULL, opt, NULL};
    run(argv);
    g_hash_table_insert(keys, g_strdup(alg), path);
    return path;
}

gchar *test_certs_make(const char *alg, const char *md, const char *const *sigopts,
                       const char *name)
{
    const char *key = test_certs_key(alg);
    gchar *path = g_build_filename(tmpdir, name, NULL);
    g_autofree gchar *mdopt = md[0] ? g_strdup_printf("-%s", md) : NULL;
    g_autoptr(GPtrArray) argv = g_ptr_array_new();
    const char *fixed[] = {"openssl", "req", "-x509", "-key", key, "-subj", "/CN=spice-sso test",
                           "-days", "1", "-out", path};
    for (gsize i = 0; i < G_N_ELEMENTS(fixed); i++) {
        g_ptr_array_add(argv, (gpointer)fixed[i]);
    }
    if (mdopt) {
        g_ptr_array_add(argv, mdopt);
    }
    for (const char *const *s = sigopts; s && *s; s++) {
        g_ptr_array_add(argv, (gpointer) "-sigopt");
        g_ptr_array_add(argv, (gpointer)*s);
    }
    g_ptr_array_add(argv, NULL);
    run((const char *const *)argv->pdata);
    return path;
}

X509 *test_certs_load(const char *pem_path)
{
    FILE *f = fopen(pem_path, "r");
    g_assert_nonnull(f);
    X509 *x = PEM_read_X509(f, NULL, NULL, NULL);
    fclose(f);
    g_assert_nonnull(x);
    return x;
}

GBytes *test_certs_der_hash(const char *pem_path, GChecksumType type)
{
    g_autofree gchar *der = g_strconcat(pem_path, ".der", NULL);
    const char *argv[] = {"openssl", "x509", "-in", pem_path, "-outform", "DER", "-out", der,
                          NULL};
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

static void pump(BIO *from_net, BIO *to_net)
{
    char buf[4096];
    int n;
    while ((n = BIO_read(from_net, buf, sizeof(buf))) > 0) {
        g_assert_cmpint(BIO_write(to_net, buf, n), ==, n);
    }
}

void test_tls_pair_connect(TestTlsPair *t, const char *cert_pem, const char *key_pem)
{
    t->sctx = SSL_CTX_new(TLS_server_method());
    t->cctx = SSL_CTX_new(TLS_client_method());
    /* 1024-bit test keys: allow them whatever the system's security level */
    SSL_CTX_set_security_level(t->sctx, 0);
    SSL_CTX_set_security_level(t->cctx, 0);
    g_assert_cmpint(SSL_CTX_use_certificate_file(t->sctx, cert_pem, SSL_FILETYPE_PEM), ==, 1);
    g_assert_cmpint(SSL_CTX_use_PrivateKey_file(t->sctx, key_pem, SSL_FILETYPE_PEM), ==, 1);
    SSL_CTX_set_verify(t->cctx, SSL_VERIFY_NONE, NULL);

    t->server = SSL_new(t->sctx);
    t->client = SSL_new(t->cctx);
    BIO *s_int, *c_int;
    g_assert_cmpint(BIO_new_bio_pair(&s_int, 0, &t->s_net, 0), ==, 1);
    g_assert_cmpint(BIO_new_bio_pair(&c_int, 0, &t->c_net, 0), ==, 1);
    SSL_set_bio(t->server, s_int, s_int);
    SSL_set_bio(t->client, c_int, c_int);
    SSL_set_accept_state(t->server);
    SSL_set_connect_state(t->client);
    gboolean c_done = FALSE, s_done = FALSE;
    for (int round = 0; round < 20 && !(c_done && s_done); round++) {
        if (!c_done) {
            c_done = SSL_do_handshake(t->client) == 1;
        }
        pump(t->c_net, t->s_net);
        if (!s_done) {
            s_done = SSL_do_handshake(t->server) == 1;
        }
        pump(t->s_net, t->c_net);
    }
    if (!(c_done && s_done)) {
        ERR_print_errors_fp(stderr);
    }
    g_assert_true(c_done && s_done);
}

void test_tls_pair_free(TestTlsPair *t)
{
    SSL_free(t->server);
    SSL_free(t->client);
    BIO_free(t->s_net);
    BIO_free(t->c_net);
    SSL_CTX_free(t->sctx);
    SSL_CTX_free(t->cctx);
    memset(t, 0, sizeof(*t));
}
