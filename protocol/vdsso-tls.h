/* vdsso-tls.h - RFC 5929 tls-server-end-point channel binding data
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The one implementation that spice-server (server/vdsso-tls.c, given to
 * Cyrus SASL as SASL_CHANNEL_BINDING for its own certificate) and
 * spice-gtk (src/vdsso-tls.c, for the certificate the server presented)
 * are built with, so that both ends of a SASL GSSAPI exchange feed Cyrus
 * exactly the same bytes. Plain C and OpenSSL (>= 1.1.1); no GLib, no
 * Kerberos: it is not part of the core protocol library (vdagent-sso.h)
 * because the guest side has no use for OpenSSL.
 *
 * The data is the hash of the DER encoding of the server certificate,
 * computed with the hash function of the certificate's signature
 * algorithm, where MD5 and SHA-1 are replaced by SHA-256 (RFC 5929,
 * section 4.1). It is the bare hash: no "tls-server-end-point:" prefix
 * (docs/client.md, "TLS channel binding").
 *
 * Which hash function a signature algorithm "uses" is what OpenSSL's
 * X509_get_signature_info() reports, with one rule of RFC 5929 applied on
 * top: a signature algorithm that uses no hash function or more than one
 * leaves the binding undefined. So:
 *   - RSA PKCS#1 v1.5, ECDSA, DSA: the hash named by the algorithm's OID;
 *   - RSASSA-PSS: the hash in the signature's parameters
 *     (hashAlgorithm, SHA-1 when absent), provided that the mask generation
 *     function is MGF1 with that same hash (the usual, and OpenSSL's
 *     default); MGF1 with another hash means two hash functions: undefined;
 *   - Ed25519, Ed448 (no separate hash function): undefined.
 */
#ifndef VDSSO_TLS_H
#define VDSSO_TLS_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/x509.h>

#ifdef __cplusplus
extern "C" {
#endif

/* the SASL channel binding's name (sasl_channel_binding_t.name) */
#define VDSSO_TLS_CB_NAME "tls-server-end-point"
/* the longest binding data (EVP_MAX_MD_SIZE) */
#define VDSSO_TLS_CB_MAX 64

enum {
    VDSSO_TLS_ERR_ARGS = -1,      /* no certificate or no output buffer */
    VDSSO_TLS_ERR_UNDEFINED = -2, /* the signature algorithm uses no single hash function */
    VDSSO_TLS_ERR_SPACE = -3,     /* @out_len is smaller than the hash */
    VDSSO_TLS_ERR_HASH = -4,      /* OpenSSL failed to hash the certificate */
};

/*
 * Write the tls-server-end-point binding data of @cert to @out (room for
 * @out_len bytes; VDSSO_TLS_CB_MAX is always enough). Returns its length
 * (> 0), or a VDSSO_TLS_ERR_* code. On success, *@md_nid (if not NULL) is
 * the NID of the hash function used (NID_sha256 for a certificate signed
 * with SHA-1); OBJ_nid2sn() names it.
 */
int vdsso_tls_server_end_point(X509 *cert, uint8_t *out, size_t out_len, int *md_nid);

/* A short English description of a VDSSO_TLS_ERR_* code, for log lines. */
const char *vdsso_tls_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif
