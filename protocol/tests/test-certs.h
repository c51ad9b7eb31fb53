/* test-certs.h - certificates and TLS connections for unit tests (GLib)
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Certificates are made by the openssl command in a temporary directory,
 * and the expected tls-server-end-point values are computed with GLib's
 * GChecksum over the DER that `openssl x509 -outform DER` writes: both
 * independently of the code under test (protocol/vdsso-tls.c), which uses
 * the OpenSSL library. Used by protocol/tests/test-tls.c and
 * client/tests/test-sso-sasl.c.
 */
#ifndef TEST_CERTS_H
#define TEST_CERTS_H

#include <glib.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

/* create the temporary directory; test_certs_cleanup() removes it */
void test_certs_init(void);
void test_certs_cleanup(void);

/* A private key of the openssl genpkey algorithm @alg ("RSA" and
 * "RSA-PSS": 1024 bits, "EC": P-256, "ED25519", "ED448"), made once per
 * run; returns its path (owned). */
const char *test_certs_key(const char *alg);

/* A self-signed certificate, key of @alg, signed with `openssl req -x509`
 * and the digest option "-@md" (none if @md is "") and the extra
 * `-sigopt` values in @sigopts (NULL-terminated, may be NULL). Returns the
 * path of the PEM file (free it). */
gchar *test_certs_make(const char *alg, const char *md, const char *const *sigopts,
                       const char *name);

X509 *test_certs_load(const char *pem_path);

/* The hash of the certificate's DER with @type: the expected binding. */
GBytes *test_certs_der_hash(const char *pem_path, GChecksumType type);

/* A TLS connection in memory (BIO pairs), handshake done: the server uses
 * @cert_pem and @key_pem, the client verifies nothing. */
typedef struct {
    SSL_CTX *sctx, *cctx;
    SSL *server, *client;
    BIO *s_net, *c_net;
} TestTlsPair;

void test_tls_pair_connect(TestTlsPair *t, const char *cert_pem, const char *key_pem);
void test_tls_pair_free(TestTlsPair *t);

#endif
