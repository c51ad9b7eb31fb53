/* sso-tls.h - TLS channel binding data for SASL (RFC 5929 tls-server-end-point)
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Server and client must feed Cyrus SASL (SASL_CHANNEL_BINDING) the same
 * bytes: the hash of the server certificate's DER encoding, computed with
 * the hash function of the certificate's signature algorithm, where MD5 and
 * SHA-1 are replaced by SHA-256 (RFC 5929, section 4.1). The binding name is
 * "tls-server-end-point"; the data is the bare hash, without a prefix.
 */
#ifndef SSO_TLS_H
#define SSO_TLS_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/x509.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SSO_TLS_CB_NAME "tls-server-end-point"
#define SSO_TLS_CB_MAX 64 /* EVP_MAX_MD_SIZE */

/* Write the tls-server-end-point binding data of @cert into @out. Returns
 * its length, or -1 when it is undefined for this certificate (a signature
 * algorithm with no single hash function, e.g. Ed25519 or RSA-PSS) or
 * @out_len is too small. */
long sso_tls_server_end_point(X509 *cert, uint8_t *out, size_t out_len);

#ifdef __cplusplus
}
#endif

#endif
