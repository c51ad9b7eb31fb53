/* sso-gss.c - initiator name, channel-binding read-back and credential
 * export with MIT krb5 and GSS-API
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define _DEFAULT_SOURCE /* explicit_bzero, snprintf */
#include "sso-gss.h"
#include "vdagent-sso.h"

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef GSS_C_CHANNEL_BOUND_FLAG
#define GSS_C_CHANNEL_BOUND_FLAG 2048 /* MIT krb5 >= 1.19 */
#endif

__attribute__((noinline)) void sso_wipe_stack(void)
{
    uint8_t buf[SSO_WIPE_STACK];
    explicit_bzero(buf, sizeof(buf));
    /* keep the compiler from dropping or shrinking the buffer */
    __asm__ __volatile__("" : : "r"(buf) : "memory");
}

static void set_why(char *why, size_t why_len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_why(char *why, size_t why_len, const char *fmt, ...)
{
    va_list ap;
    if (why == NULL || why_len == 0) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(why, why_len, fmt, ap);
    va_end(ap);
}

static void krb5_why(krb5_context ctx, krb5_error_code code, const char *what,
                     char *why, size_t why_len)
{
    const char *msg = ctx ? krb5_get_error_message(ctx, code) : NULL;
    set_why(why, why_len, "%s: %s", what, msg ? msg : "unknown Kerberos error");
    if (msg) {
        krb5_free_error_message(ctx, msg);
    }
}

static void gss_why(OM_uint32 major, OM_uint32 minor, const char *what,
                    char *why, size_t why_len)
{
    OM_uint32 min2, ctx = 0;
    gss_buffer_desc text = GSS_C_EMPTY_BUFFER;
    /* the minor status names the real cause when there is one */
    if (minor != 0 &&
        !GSS_ERROR(gss_display_status(&min2, minor, GSS_C_MECH_CODE, GSS_C_NO_OID,
                                      &ctx, &text))) {
        set_why(why, why_len, "%s: %.*s", what, (int)text.length, (const char *)text.value);
    } else if (!GSS_ERROR(gss_display_status(&min2, major, GSS_C_GSS_CODE, GSS_C_NO_OID,
                                             &ctx, &text))) {
        set_why(why, why_len, "%s: %.*s", what, (int)text.length, (const char *)text.value);
    } else {
        set_why(why, why_len, "%s: GSS-API error 0x%x/%u", what, major, minor);
    }
    gss_release_buffer(&min2, &text);
}

SsoGssStatus sso_gss_full_name(const char *sasl_name, char *out, size_t out_len,
                               char *why, size_t why_len)
{
    krb5_context ctx = NULL;
    krb5_principal princ = NULL;
    char *full = NULL;
    krb5_error_code code;
    SsoGssStatus ret = SSO_GSS_ERROR;

    if (sasl_name == NULL || *sasl_name == '\0' || out == NULL || out_len == 0) {
        set_why(why, why_len, "no authenticated name");
        return SSO_GSS_ERROR;
    }
    code = krb5_init_context(&ctx);
    if (code) {
        set_why(why, why_len, "cannot initialise Kerberos (error %d)", (int)code);
        return SSO_GSS_ERROR;
    }
    code = krb5_parse_name(ctx, sasl_name, &princ);
    if (code) {
        krb5_why(ctx, code, "cannot parse the authenticated name", why, why_len);
        goto out;
    }
    code = krb5_unparse_name(ctx, princ, &full);
    if (code) {
        krb5_why(ctx, code, "cannot unparse the authenticated name", why, why_len);
        goto out;
    }
    if (strlen(full) >= out_len || strlen(full) > SSO_PRINCIPAL_MAX) {
        set_why(why, why_len, "principal name too long");
        goto out;
    }
    strcpy(out, full);
    ret = SSO_GSS_OK;
out:
    krb5_free_unparsed_name(ctx, full);
    krb5_free_principal(ctx, princ);
    krb5_free_context(ctx);
    return ret;
}

SsoGssStatus sso_gss_check_binding(const void *token, size_t token_len,
                                   const uint8_t *cb, size_t cb_len,
                                   SsoGssBinding *out, char *why, size_t why_len)
{
    OM_uint32 major, minor, flags = 0;
    /* A replay cache would refuse the token: Cyrus accepted it already. */
    gss_key_value_element_desc element = { "rcache", "none:" };
    gss_key_value_set_desc store = { 1, &element };
    gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
    gss_ctx_id_t gctx = GSS_C_NO_CONTEXT;
    gss_buffer_desc in = { token_len, (void *)token };
    gss_buffer_desc reply = GSS_C_EMPTY_BUFFER, name = GSS_C_EMPTY_BUFFER;
    gss_name_t src = GSS_C_NO_NAME;
    struct gss_channel_bindings_struct bindings;
    SsoGssStatus ret = SSO_GSS_ERROR;

    memset(out, 0, sizeof(*out));
    if (token == NULL || token_len == 0 || cb == NULL || cb_len == 0) {
        set_why(why, why_len, "no initial token or no channel binding data");
        return SSO_GSS_ERROR;
    }
    memset(&bindings, 0, sizeof(bindings));
    bindings.application_data.length = cb_len;
    bindings.application_data.value = (void *)cb;

    major = gss_acquire_cred_from(&minor, GSS_C_NO_NAME, GSS_C_INDEFINITE, GSS_C_NO_OID_SET,
                                  GSS_C_ACCEPT, &store, &cred, NULL, NULL);
    if (GSS_ERROR(major)) {
        gss_why(major, minor, "cannot acquire acceptor credentials", why, why_len);
        return SSO_GSS_ERROR;
    }
    /* No delegated credential handle: MIT then does not keep the forwarded
     * TGT (it decrypts and drops it). */
    major = gss_accept_sec_context(&minor, &gctx, cred, &in, &bindings, &src, NULL, &reply,
                                   &flags, NULL, NULL);
    if (GSS_ERROR(major)) {
        gss_why(major, minor, "re-reading the initial token failed", why, why_len);
        goto out;
    }
    if (major & GSS_S_CONTINUE_NEEDED) {
        /* e.g. SPNEGO without an optimistic Kerberos token */
        set_why(why, why_len, "the initial token does not carry the Kerberos AP-REQ");
        goto out;
    }
    major = gss_display_name(&minor, src, &name, NULL);
    if (GSS_ERROR(major) || name.length > SSO_PRINCIPAL_MAX) {
        set_why(why, why_len, "cannot read the initiator name");
        goto out;
    }
    memcpy(out->initiator, name.value, name.length);
    out->initiator[name.length] = '\0';
    out->bound = (flags & GSS_C_CHANNEL_BOUND_FLAG) != 0;
    ret = SSO_GSS_OK;
out:
    gss_release_buffer(&minor, &name);
    gss_release_name(&minor, &src);
    if (reply.value) {
        explicit_bzero(reply.value, reply.length);
    }
    gss_release_buffer(&minor, &reply);
    gss_delete_sec_context(&minor, &gctx, GSS_C_NO_BUFFER);
    gss_release_cred(&minor, &cred);
    sso_wipe_stack();
    return ret;
}

/* Encode @p in the ccache v4 principal format. */
static long encode_principal(krb5_const_principal p, uint8_t *out, size_t out_len)
{
    const char *comps[VDSSO_CCACHE_MAX_COMPONENTS];
    size_t lens[VDSSO_CCACHE_MAX_COMPONENTS];

    if (p->length < 0 || (size_t)p->length > VDSSO_CCACHE_MAX_COMPONENTS) {
        return VDSSO_ERR_CCACHE_LIMIT;
    }
    for (krb5_int32 i = 0; i < p->length; i++) {
        comps[i] = p->data[i].data;
        lens[i] = p->data[i].length;
    }
    return vdsso_principal_encode((uint32_t)p->type, p->realm.data, p->realm.length, comps, lens,
                                  (size_t)p->length, out, out_len);
}

/* krb5_marshal_credentials() grows its output with realloc() and so leaves
 * pieces of what it wrote in freed memory. Give it the credential with a
 * zeroed session key, then put the key into the (exactly sized) result at
 * its place: after the two principals, the 16-bit enctype and the 32-bit
 * length (FILE format version 4). */
static krb5_error_code marshal_without_key_copies(krb5_context ctx, krb5_creds *creds,
                                                  krb5_data **out)
{
    uint8_t pbuf[4 + 4 + 4 + SSO_PRINCIPAL_MAX + VDSSO_CCACHE_MAX_COMPONENTS * 4];
    krb5_keyblock real = creds->keyblock;
    uint8_t *zeros;
    long clen, slen;
    size_t at;
    krb5_error_code code;

    clen = encode_principal(creds->client, pbuf, sizeof(pbuf));
    slen = encode_principal(creds->server, pbuf, sizeof(pbuf));
    if (clen <= 0 || slen <= 0) {
        return KRB5_CC_FORMAT;
    }
    zeros = calloc(1, real.length ? real.length : 1);
    if (zeros == NULL) {
        return ENOMEM;
    }
    creds->keyblock.contents = zeros;
    code = krb5_marshal_credentials(ctx, creds, out);
    creds->keyblock = real;
    free(zeros);
    if (code) {
        return code;
    }
    at = (size_t)clen + (size_t)slen;
    const uint8_t *p = (const uint8_t *)(*out)->data;
    if ((*out)->length < at + 6 + real.length ||
        (((uint32_t)p[at] << 8) | p[at + 1]) != (uint32_t)(uint16_t)real.enctype ||
        (((uint32_t)p[at + 2] << 24) | ((uint32_t)p[at + 3] << 16) |
         ((uint32_t)p[at + 4] << 8) | p[at + 5]) != real.length) {
        krb5_free_data(ctx, *out);
        *out = NULL;
        return KRB5_CC_FORMAT;
    }
    memcpy((*out)->data + at + 6, real.contents, real.length);
    return 0;
}

static void wipe_free_data(krb5_context ctx, krb5_data *d)
{
    if (d != NULL) {
        if (d->data != NULL) {
            explicit_bzero(d->data, d->length);
        }
        krb5_free_data(ctx, d);
    }
}

SsoGssStatus sso_gss_export(const void *cred_handle, const char *expected,
                            uint8_t **out, size_t *out_len, char *why, size_t why_len)
{
    gss_cred_id_t cred = (gss_cred_id_t)cred_handle;
    OM_uint32 major, minor;
    gss_name_t gname = GSS_C_NO_NAME;
    gss_buffer_desc dname = GSS_C_EMPTY_BUFFER;
    krb5_context ctx = NULL;
    krb5_ccache cc = NULL;
    krb5_principal princ = NULL;
    krb5_cc_cursor cursor = NULL;
    krb5_data *records[VDSSO_CCACHE_MAX_CREDS];
    VDSsoSlice slices[VDSSO_CCACHE_MAX_CREDS];
    size_t nrecords = 0;
    uint8_t pbuf[4 + 4 + 4 + SSO_PRINCIPAL_MAX + VDSSO_CCACHE_MAX_COMPONENTS * 4];
    uint8_t *buf = NULL;
    size_t size = 0;
    krb5_error_code code;
    char cred_name[SSO_PRINCIPAL_MAX + 1];
    SsoGssStatus ret = SSO_GSS_ERROR;

    *out = NULL;
    *out_len = 0;
    if (cred == GSS_C_NO_CREDENTIAL || expected == NULL) {
        set_why(why, why_len, "no delegated credential");
        return SSO_GSS_ERROR;
    }

    /* whose credential is it? */
    major = gss_inquire_cred(&minor, cred, &gname, NULL, NULL, NULL);
    if (GSS_ERROR(major)) {
        gss_why(major, minor, "cannot inquire the delegated credential", why, why_len);
        return SSO_GSS_ERROR;
    }
    major = gss_display_name(&minor, gname, &dname, NULL);
    gss_release_name(&minor, &gname);
    if (GSS_ERROR(major) || dname.length > SSO_PRINCIPAL_MAX) {
        set_why(why, why_len, "cannot read the name of the delegated credential");
        gss_release_buffer(&minor, &dname);
        return SSO_GSS_ERROR;
    }
    memcpy(cred_name, dname.value, dname.length);
    cred_name[dname.length] = '\0';
    gss_release_buffer(&minor, &dname);
    if (strcmp(cred_name, expected) != 0) {
        set_why(why, why_len, "delegated credential is for %s, not for the authenticated %s",
                cred_name, expected);
        return SSO_GSS_MISMATCH;
    }

    code = krb5_init_context(&ctx);
    if (code) {
        set_why(why, why_len, "cannot initialise Kerberos (error %d)", (int)code);
        return SSO_GSS_ERROR;
    }
    code = krb5_parse_name(ctx, cred_name, &princ);
    if (code) {
        krb5_why(ctx, code, "cannot parse the credential's principal", why, why_len);
        goto out;
    }
    code = krb5_cc_new_unique(ctx, "MEMORY", NULL, &cc);
    if (code) {
        cc = NULL;
        krb5_why(ctx, code, "cannot create a memory credential cache", why, why_len);
        goto out;
    }
    /* gss_krb5_copy_ccache() needs an initialised target */
    code = krb5_cc_initialize(ctx, cc, princ);
    if (code) {
        krb5_why(ctx, code, "cannot initialise the memory credential cache", why, why_len);
        goto out;
    }
    major = gss_krb5_copy_ccache(&minor, cred, cc);
    if (GSS_ERROR(major)) {
        gss_why(major, minor, "cannot copy the delegated credential", why, why_len);
        goto out;
    }

    code = krb5_cc_start_seq_get(ctx, cc, &cursor);
    if (code) {
        krb5_why(ctx, code, "cannot read the memory credential cache", why, why_len);
        goto out;
    }
    for (;;) {
        krb5_creds creds;
        code = krb5_cc_next_cred(ctx, cc, &cursor, &creds);
        if (code == KRB5_CC_END) {
            code = 0;
            break;
        }
        if (code) {
            krb5_why(ctx, code, "cannot read the memory credential cache", why, why_len);
            break;
        }
        if (!krb5_principal_compare(ctx, creds.client, princ)) {
            set_why(why, why_len, "the delegated credential holds a ticket of another client");
            code = -1;
        } else if (nrecords == VDSSO_CCACHE_MAX_CREDS) {
            set_why(why, why_len, "the delegated credential holds too many tickets");
            code = -1;
        } else {
            code = marshal_without_key_copies(ctx, &creds, &records[nrecords]);
            if (code) {
                krb5_why(ctx, code, "cannot marshal the delegated credential", why, why_len);
            } else {
                slices[nrecords].p = (const uint8_t *)records[nrecords]->data;
                slices[nrecords].len = records[nrecords]->length;
                nrecords++;
            }
        }
        /* zaps the session key */
        krb5_free_cred_contents(ctx, &creds);
        if (code) {
            break;
        }
    }
    krb5_cc_end_seq_get(ctx, cc, &cursor);
    if (code) {
        goto out;
    }
    if (nrecords == 0) {
        set_why(why, why_len, "the delegated credential holds no ticket");
        goto out;
    }

    long plen = encode_principal(princ, pbuf, sizeof(pbuf));
    if (plen <= 0) {
        set_why(why, why_len, "cannot encode the principal: %s", vdsso_strerror((int)plen));
        goto out;
    }
    VDSsoSlice def = { pbuf, (size_t)plen };
    size = vdsso_ccache_size(def, slices, nrecords);
    if (size == 0 || size > VDSSO_MAX_CRED ||
        VDSSO_HEADER_SIZE + strlen(cred_name) + size > VDSSO_MAX_PAYLOAD) {
        set_why(why, why_len, "the credential cache would exceed %u bytes", VDSSO_MAX_PAYLOAD);
        goto out;
    }
    buf = malloc(size);
    if (buf == NULL) {
        set_why(why, why_len, "out of memory");
        goto out;
    }
    long built = vdsso_ccache_build(def, slices, nrecords, buf, size);
    if (built < 0 || (size_t)built != size) {
        set_why(why, why_len, "cannot build the credential cache: %s",
                vdsso_strerror(built < 0 ? (int)built : VDSSO_ERR_INVALID));
        vdsso_wipe_free(buf, size);
        buf = NULL;
        goto out;
    }
    *out = buf;
    *out_len = size;
    ret = SSO_GSS_OK;
out:
    for (size_t i = 0; i < nrecords; i++) {
        wipe_free_data(ctx, records[i]);
    }
    if (cc != NULL) {
        krb5_cc_destroy(ctx, cc); /* a MEMORY cache zaps its keys */
    }
    krb5_free_principal(ctx, princ);
    krb5_free_context(ctx);
    sso_wipe_stack();
    return ret;
}

bool sso_gss_release_delegated(void *handle)
{
    gss_cred_id_t *cred = handle;
    OM_uint32 minor = 0;

    if (cred == NULL || *cred == GSS_C_NO_CREDENTIAL) {
        return false;
    }
    gss_release_cred(&minor, cred);
    *cred = GSS_C_NO_CREDENTIAL; /* gss_release_cred() does it; be sure */
    sso_wipe_stack();
    return true;
}
