/* sso-tls.c - RFC 5929 tls-server-end-point channel binding data
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "sso-tls.h"

#include <openssl/evp.h>
#include <openssl/objects.h>

long sso_tls_server_end_point(X509 *cert, uint8_t *out, size_t out_len)
{
    int md_nid = NID_undef, pkey_nid = NID_undef;
    const EVP_MD *md;
    unsigned int len = 0;

    if (cert == NULL || out == NULL) {
        return -1;
    }
    if (!OBJ_find_sigid_algs(X509_get_signature_nid(cert), &md_nid, &pkey_nid) ||
        md_nid == NID_undef) {
        return -1;
    }
    if (md_nid == NID_md5 || md_nid == NID_sha1) {
        md = EVP_sha256();
    } else {
        md = EVP_get_digestbynid(md_nid);
    }
    if (md == NULL || (size_t)EVP_MD_size(md) > out_len) {
        return -1;
    }
    if (!X509_digest(cert, md, out, &len)) {
        return -1;
    }
    return (long)len;
}
