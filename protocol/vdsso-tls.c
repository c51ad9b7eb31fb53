/* vdsso-tls.c - RFC 5929 tls-server-end-point channel binding data
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdsso-tls.h"

#include <openssl/asn1.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/opensslv.h>
#include <openssl/rsa.h>

#if OPENSSL_VERSION_NUMBER < 0x10101000L
#error "vdsso-tls.c needs OpenSSL 1.1.1 or later (X509_get_signature_info)"
#endif

/* The NID of the hash in an AlgorithmIdentifier of RSASSA-PSS parameters;
 * @absent is the default when the field is missing (RFC 4055: SHA-1). */
static int algor_nid(const X509_ALGOR *alg, int absent)
{
    const ASN1_OBJECT *obj = NULL;

    if (alg == NULL) {
        return absent;
    }
    X509_ALGOR_get0(&obj, NULL, NULL, alg);
    return obj ? OBJ_obj2nid(obj) : NID_undef;
}

/* The hash function of an RSASSA-PSS signature's mask generation function
 * (MGF1 with SHA-1 when absent, RFC 4055), or NID_undef if it is not MGF1
 * or cannot be decoded. */
static int pss_mgf1_md_nid(const X509 *cert)
{
    const X509_ALGOR *sigalg = NULL;
    const ASN1_OBJECT *obj = NULL;
    const void *pval = NULL;
    int ptype = V_ASN1_UNDEF, nid = NID_undef;

    X509_get0_signature(NULL, &sigalg, cert);
    if (sigalg == NULL) {
        return NID_undef;
    }
    X509_ALGOR_get0(&obj, &ptype, &pval, sigalg);
    if (ptype != V_ASN1_SEQUENCE || pval == NULL) {
        return NID_undef;
    }
    const ASN1_STRING *seq = pval;
    const unsigned char *p = ASN1_STRING_get0_data(seq);
    RSA_PSS_PARAMS *pss = d2i_RSA_PSS_PARAMS(NULL, &p, ASN1_STRING_length(seq));
    if (pss == NULL) {
        return NID_undef;
    }
    if (pss->maskGenAlgorithm == NULL) {
        nid = NID_sha1;
    } else if (algor_nid(pss->maskGenAlgorithm, NID_undef) == NID_mgf1) {
        /* MGF1's parameter: the AlgorithmIdentifier of its hash */
        X509_ALGOR_get0(NULL, &ptype, &pval, pss->maskGenAlgorithm);
        if (ptype == V_ASN1_SEQUENCE && pval != NULL) {
            seq = pval;
            p = ASN1_STRING_get0_data(seq);
            X509_ALGOR *mgf_md = d2i_X509_ALGOR(NULL, &p, ASN1_STRING_length(seq));
            if (mgf_md != NULL) {
                nid = algor_nid(mgf_md, NID_undef);
                X509_ALGOR_free(mgf_md);
            }
        }
    }
    RSA_PSS_PARAMS_free(pss);
    return nid;
}

int vdsso_tls_server_end_point(X509 *cert, uint8_t *out, size_t out_len, int *md_nid)
{
    int nid = NID_undef;

    if (cert == NULL || out == NULL) {
        return VDSSO_TLS_ERR_ARGS;
    }
    /* For RSASSA-PSS OpenSSL reports the hashAlgorithm of the parameters
     * (and fails on parameters it cannot decode); for Ed25519 and Ed448,
     * NID_undef. */
    if (!X509_get_signature_info(cert, &nid, NULL, NULL, NULL) || nid == NID_undef ||
        nid == NID_md5_sha1 /* two hash functions */) {
        return VDSSO_TLS_ERR_UNDEFINED;
    }
    /* RSASSA-PSS hashes twice: the message with hashAlgorithm, and in MGF1
     * with the hash of its own parameters. One hash function only if they
     * are the same. */
    if (X509_get_signature_nid(cert) == NID_rsassaPss && pss_mgf1_md_nid(cert) != nid) {
        return VDSSO_TLS_ERR_UNDEFINED;
    }
    if (nid == NID_md5 || nid == NID_sha1) {
        nid = NID_sha256;
    }
    const EVP_MD *md = EVP_get_digestbynid(nid);
    if (md == NULL) {
        return VDSSO_TLS_ERR_HASH;
    }
    if ((size_t)EVP_MD_size(md) > out_len) {
        return VDSSO_TLS_ERR_SPACE;
    }
    unsigned int len = 0;
    if (!X509_digest(cert, md, out, &len) || len == 0) {
        return VDSSO_TLS_ERR_HASH;
    }
    if (md_nid != NULL) {
        *md_nid = nid;
    }
    return (int)len;
}

const char *vdsso_tls_strerror(int err)
{
    switch (err) {
    case VDSSO_TLS_ERR_ARGS:
        return "no certificate";
    case VDSSO_TLS_ERR_UNDEFINED:
        return "the certificate's signature algorithm uses no single hash function, so its "
               "tls-server-end-point channel binding is undefined (RFC 5929, 4.1)";
    case VDSSO_TLS_ERR_SPACE:
        return "the hash is longer than the buffer";
    case VDSSO_TLS_ERR_HASH:
        return "cannot hash the certificate";
    default:
        return err > 0 ? "no error" : "unknown error";
    }
}
