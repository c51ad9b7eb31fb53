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
#include <ctype.h>
#include <malloc.h>
#include <stdbool.h>
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* krb5_marshal_credentials() grows its output buffer with realloc()
 * (k5_buf_init_dynamic, not the _zap variant its FILE cache writer uses),
 * from 128 bytes, doubling: the smaller buffers it outgrew hold the session
 * key and are freed without being wiped. glibc's free() goes one of two
 * ways, and each is covered:
 * - into the thread's cache of small chunks (tcache: up to 1032 bytes, 7
 *   of each size), last in first out: right after the call, one malloc()
 *   of each size class it may be in gets that chunk back; it is wiped and
 *   freed;
 * - into the arena's bins (larger chunks, or a full tcache): there
 *   mallopt(M_PERTURB) makes free() overwrite the chunk; it is set for the
 *   duration of the call only (a documented glibc switch, process-wide:
 *   other threads' allocations and frees are filled meanwhile, which costs
 *   time, not correctness).
 * Neither relies on any byte of krb5's output, only on how its buffer
 * grows; the server-integration cases scan the server for the key. */
#define SSO_PERTURB_BYTE 0xa5

static void set_perturb(bool on)
{
#ifdef M_PERTURB
    int restore = 0;
    const char *env = getenv("MALLOC_PERTURB_"); /* as glibc read it at start */
    if (env != NULL) {
        restore = atoi(env) & 0xff;
    }
    mallopt(M_PERTURB, on ? SSO_PERTURB_BYTE : restore);
#else
    (void)on;
#endif
}

/* glibc's per-thread cache takes chunks of up to 1040 bytes, in classes of
 * 16. An outgrown buffer is not always of the size krb5 asked for: realloc()
 * may first have grown it in place over a free neighbour (a 256-byte
 * request in a 288-byte chunk), so every class from the first buffer's (128
 * bytes) to twice the record's length is taken back once. */
#define SSO_TCACHE_MAX_CHUNK 1040

static void wipe_outgrown_buffers(size_t final_len)
{
    size_t top = final_len * 2 + 16 < SSO_TCACHE_MAX_CHUNK ? final_len * 2 + 16
                                                           : SSO_TCACHE_MAX_CHUNK;
    for (size_t chunk = 144; chunk <= top; chunk += 16) {
        void *p = malloc(chunk - 8); /* exactly that class */
        if (p != NULL) {
            explicit_bzero(p, malloc_usable_size(p));
            __asm__ __volatile__("" : : "r"(p) : "memory");
            free(p);
        }
    }
}

static krb5_error_code marshal_wiped(krb5_context ctx, krb5_creds *creds, krb5_data **out)
{
    set_perturb(true);
    krb5_error_code code = krb5_marshal_credentials(ctx, creds, out);
    set_perturb(false);
    /* a failure (out of memory while growing) has outgrown buffers too,
     * of any size the cache holds */
    wipe_outgrown_buffers(code == 0 ? (*out)->length : SSO_TCACHE_MAX_CHUNK);
    return code;
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
    krb5_data *records[VDSSO_CREDS_MAX_RECORDS];
    VDSsoSlice slices[VDSSO_CREDS_MAX_RECORDS];
    size_t nrecords = 0;
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
        if (krb5_is_config_principal(ctx, creds.server)) {
            code = 0; /* cache configuration, not a ticket */
        } else if (!krb5_principal_compare(ctx, creds.client, princ)) {
            set_why(why, why_len, "the delegated credential holds a ticket of another client");
            code = -1;
        } else if (nrecords == VDSSO_CREDS_MAX_RECORDS) {
            set_why(why, why_len, "the delegated credential holds too many tickets");
            code = -1;
        } else {
            code = marshal_wiped(ctx, &creds, &records[nrecords]);
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

    size = vdsso_creds_size(slices, nrecords);
    if (size == 0 || size > VDSSO_MAX_CRED ||
        VDSSO_HEADER_SIZE + strlen(cred_name) + size > VDSSO_MAX_PAYLOAD) {
        set_why(why, why_len, "the credential would exceed %u bytes", VDSSO_MAX_PAYLOAD);
        goto out;
    }
    buf = malloc(size);
    if (buf == NULL) {
        set_why(why, why_len, "out of memory");
        goto out;
    }
    long built = vdsso_creds_encode(slices, nrecords, buf, size);
    if (built < 0 || (size_t)built != size) {
        set_why(why, why_len, "cannot encode the credential: %s",
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

/* ------------------------------------------------------------ diagnosis */

/* The file behind a keytab name, or NULL if it is not a file keytab. */
static const char *keytab_file(const char *name)
{
    if (strncmp(name, "FILE:", 5) == 0) {
        return name + 5;
    }
    if (strncmp(name, "WRFILE:", 7) == 0) {
        return name + 7;
    }
    return name[0] == '/' ? name : NULL;
}

/* spice/<this host's canonical name>: the acceptor Cyrus SASL asks for when
 * the application gives no server name (spice-server does not), the way
 * Cyrus's get_fqhostname() finds it (gethostname, getaddrinfo with
 * AI_CANONNAME, lower-cased). */
static void acceptor_name(const char *service, char *out, size_t out_len)
{
    char host[256] = "";
    struct addrinfo hints, *res = NULL;
    const char *fqdn;

    if (gethostname(host, sizeof(host) - 1) != 0) {
        snprintf(out, out_len, "%s/(unknown host name)", service);
        return;
    }
    memset(&hints, 0, sizeof(hints));
    hints.ai_flags = AI_CANONNAME;
    fqdn = host;
    if (getaddrinfo(host, NULL, &hints, &res) == 0 && res != NULL && res->ai_canonname) {
        fqdn = res->ai_canonname;
    }
    snprintf(out, out_len, "%s/%s", service, fqdn);
    for (char *p = out; *p; p++) {
        *p = (char)tolower((unsigned char)*p);
    }
    if (res) {
        freeaddrinfo(res);
    }
}

void sso_gss_diagnose_acceptor(const char *keytab, const char *service,
                               char *out, size_t out_len)
{
    krb5_context ctx = NULL;
    krb5_keytab kt = NULL;
    krb5_kt_cursor cursor;
    krb5_keytab_entry entry;
    char name[1024] = "", held[512] = "", acceptor[300];
    const char *file, *rcdir;
    bool has_acceptor = false, cursor_open = false;
    size_t count = 0;
    krb5_error_code code;

    if (out == NULL || out_len == 0) {
        return;
    }
    if (service == NULL || *service == '\0') {
        service = "spice";
    }
    acceptor_name(service, acceptor, sizeof(acceptor));
    code = krb5_init_context(&ctx);
    if (code) {
        snprintf(out, out_len, "cannot initialise Kerberos (error %d); fix: check"
                 " /etc/krb5.conf (or KRB5_CONFIG)", (int)code);
        return;
    }
    if (keytab != NULL && *keytab != '\0') {
        snprintf(name, sizeof(name), "%s", keytab);
    } else if (krb5_kt_default_name(ctx, name, sizeof(name)) != 0) {
        snprintf(name, sizeof(name), "(default keytab)");
    }

    /* 1. The keytab must be readable by this process (qemu's user). MIT
     * says only "Permission denied" somewhere inside Cyrus, if anything. */
    file = keytab_file(name);
    if (file != NULL && access(file, R_OK) != 0) {
        int e = errno;
        snprintf(out, out_len,
                 "the keytab %s cannot be read by uid %u (%s); fix: %s", file,
                 (unsigned)geteuid(), strerror(e),
                 e == ENOENT ? "create it with the spice/ key of this host (ipa-getkeytab,"
                               " or kadmin ktadd), or name the right one in KRB5_KTNAME or"
                               " the keytab: line of the SASL configuration"
                             : "make it readable by the user qemu runs as and nobody else"
                               " (chown root:GROUP-OF-QEMU, chmod 0640), or give qemu its own"
                               " copy");
        goto out;
    }

    /* 2. What the keytab holds for the service. */
    code = krb5_kt_resolve(ctx, name, &kt);
    if (code == 0) {
        code = krb5_kt_start_seq_get(ctx, kt, &cursor);
        cursor_open = code == 0;
    }
    while (cursor_open && (code = krb5_kt_next_entry(ctx, kt, &entry, &cursor)) == 0) {
        char *unparsed = NULL;
        if (entry.principal->length >= 1 &&
            entry.principal->data[0].length == strlen(service) &&
            memcmp(entry.principal->data[0].data, service, strlen(service)) == 0 &&
            krb5_unparse_name(ctx, entry.principal, &unparsed) == 0) {
            size_t n = strlen(acceptor);
            if (strncmp(unparsed, acceptor, n) == 0 && unparsed[n] == '@') {
                has_acceptor = true;
            }
            if (strstr(held, unparsed) == NULL && strlen(held) + strlen(unparsed) + 3 < sizeof(held)) {
                if (held[0]) {
                    strcat(held, ", ");
                }
                strcat(held, unparsed);
                count++;
            }
            krb5_free_unparsed_name(ctx, unparsed);
        }
        krb5_free_keytab_entry_contents(ctx, &entry);
    }
    if (cursor_open) {
        krb5_kt_end_seq_get(ctx, kt, &cursor);
    }
    if (code != 0 && code != KRB5_KT_END) {
        const char *msg = krb5_get_error_message(ctx, code);
        snprintf(out, out_len, "cannot read the keytab %s: %s; fix: export it again"
                 " (ipa-getkeytab, or kadmin ktadd)", name, msg);
        krb5_free_error_message(ctx, msg);
        goto out;
    }
    if (count == 0) {
        snprintf(out, out_len, "the keytab %s holds no %s/ key; fix: add %s (ipa-getkeytab"
                 " -p %s -k FILE, or kadmin ktadd -k FILE %s)", name, service, acceptor,
                 acceptor, acceptor);
        goto out;
    }

    /* 3. The replay cache must be writable. */
    rcdir = getenv("KRB5RCACHEDIR");
    if (rcdir == NULL || *rcdir == '\0') {
        rcdir = "/var/tmp";
    }
    if (access(rcdir, W_OK | X_OK) != 0) {
        snprintf(out, out_len, "the replay cache directory %s is not writable by uid %u (%s);"
                 " fix: set KRB5RCACHEDIR to a directory qemu may write", rcdir,
                 (unsigned)geteuid(), strerror(errno));
        goto out;
    }

    /* 4. The name clients must ask for. */
    if (!has_acceptor) {
        snprintf(out, out_len, "this host accepts tickets for %s, which is not in the keytab"
                 " %s (it holds %s); fix: add %s to the keytab, or give the host the"
                 " canonical name of a key it holds, or set ignore_acceptor_hostname = true"
                 " in the [libdefaults] of the host's krb5.conf", acceptor, name, held,
                 acceptor);
    } else {
        snprintf(out, out_len, "the keytab %s holds %s; fix: clients must ask for one of these"
                 " names: connect to a host name they map to, and check dns_canonicalize_hostname"
                 " and rdns in the client's krb5.conf; after a key change, export the keytab"
                 " again; and keep the clocks of client, host and KDC within 5 minutes",
                 name, held);
    }
out:
    if (kt) {
        krb5_kt_close(ctx, kt);
    }
    krb5_free_context(ctx);
}
