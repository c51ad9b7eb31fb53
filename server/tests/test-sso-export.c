/* test-sso-export - unit tests of spice-server's single sign-on logic: the
 * credential export, the Kerberos name, the channel-binding read-back, the
 * link and export decisions, the delivery message and the agent's replies.
 * (The TLS binding data, protocol/vdsso-tls.c, is tested in our build:
 * protocol/tests/test-tls.c.)
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * No KDC is needed: the Kerberos tickets are made here with keys made here.
 * To make a service ticket the test calls two functions MIT krb5 exports
 * but does not declare (encode_krb5_ticket, krb5_encrypt_tkt_part); they
 * are declared below. Runs in spice-server's test suite and in ours.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <glib.h>
#include <glib/gstdio.h>
#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5.h>
#include <stdlib.h>
#include <string.h>

#include "sso-delivery.h"
#include "vdsso-private.h"
#include "sso-gss.h"
#include "sso-policy.h"
#include "sso-sasl.h"
#include "vdagent-sso.h"

#ifndef GSS_C_CHANNEL_BOUND_FLAG
#define GSS_C_CHANNEL_BOUND_FLAG 2048
#endif

/* exported by libkrb5, declared only in its private headers */
krb5_error_code encode_krb5_ticket(const krb5_ticket *rep, krb5_data **code);
krb5_error_code krb5_encrypt_tkt_part(krb5_context context, const krb5_keyblock *srv_key,
                                      krb5_ticket *dec_ticket);

#define REALM "SPICE.TEST"
#define ALICE "alice@" REALM
#define SERVICE "spice/spice-host.spice.test@" REALM

static char *tmpdir;

static void *dup_bytes(const void *p, size_t n)
{
    void *d = g_malloc(n ? n : 1);
    memcpy(d, p, n);
    return d;
}
static krb5_context kctx;

static void setup_krb5(void)
{
    GError *error = NULL;
    tmpdir = g_dir_make_tmp("test-sso-export-XXXXXX", &error);
    g_assert_no_error(error);
    char *conf = g_build_filename(tmpdir, "krb5.conf", NULL);
    const char *text =
        "[libdefaults]\n"
        "  default_realm = " REALM "\n"
        "  dns_lookup_kdc = false\n"
        "  dns_lookup_realm = false\n"
        "  rdns = false\n"
        "  dns_canonicalize_hostname = false\n"
        "[realms]\n"
        "  " REALM " = {\n    kdc = 127.0.0.1:1\n  }\n";
    g_assert_true(g_file_set_contents(conf, text, -1, &error));
    g_setenv("KRB5_CONFIG", conf, TRUE);
    g_setenv("KRB5CCNAME", "MEMORY:test-sso-client", TRUE);
    g_setenv("KRB5_KTNAME", "MEMORY:test-sso-keytab", TRUE);
    g_free(conf);
    g_assert_cmpint(krb5_init_context(&kctx), ==, 0);
}

static void teardown_krb5(void)
{
    char *conf = g_build_filename(tmpdir, "krb5.conf", NULL);
    g_unlink(conf);
    g_free(conf);
    g_rmdir(tmpdir);
    g_free(tmpdir);
    krb5_free_context(kctx);
}

static krb5_principal principal(const char *name)
{
    krb5_principal p = NULL;
    g_assert_cmpint(krb5_parse_name(kctx, name, &p), ==, 0);
    return p;
}

static uint8_t session_key[32];
static uint8_t ticket_bytes[300];

/* A credential as a KDC would issue it; the ticket is opaque bytes. */
static void fake_cred(krb5_creds *c, const char *client, const char *server)
{
    memset(c, 0, sizeof(*c));
    for (size_t i = 0; i < sizeof(session_key); i++) {
        session_key[i] = (uint8_t)(0xc0 ^ i);
    }
    for (size_t i = 0; i < sizeof(ticket_bytes); i++) {
        ticket_bytes[i] = (uint8_t)(i * 7);
    }
    c->client = principal(client);
    c->server = principal(server);
    c->keyblock.enctype = ENCTYPE_AES256_CTS_HMAC_SHA1_96;
    c->keyblock.length = sizeof(session_key);
    c->keyblock.contents = session_key;
    c->times.authtime = c->times.starttime = (krb5_timestamp)time(NULL);
    c->times.endtime = c->times.starttime + 36000;
    c->times.renew_till = c->times.starttime + 7 * 86400;
    c->ticket_flags = TKT_FLG_FORWARDABLE | TKT_FLG_FORWARDED | TKT_FLG_RENEWABLE |
                      TKT_FLG_PRE_AUTH;
    c->ticket.length = sizeof(ticket_bytes);
    c->ticket.data = (char *)ticket_bytes;
}

static void free_fake(krb5_creds *c)
{
    krb5_free_principal(kctx, c->client);
    krb5_free_principal(kctx, c->server);
}

/* A GSS credential holding @n fake credentials of @clients[i] in a MEMORY
 * cache whose default principal is @owner: what SASL_DELEGATEDCREDS gives. */
static gss_cred_id_t fake_gss_cred(const char *owner, const char *const *clients, size_t n,
                                   krb5_ccache *cc_out)
{
    krb5_ccache cc;
    krb5_principal p = principal(owner);
    OM_uint32 major, minor;
    gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;

    g_assert_cmpint(krb5_cc_new_unique(kctx, "MEMORY", NULL, &cc), ==, 0);
    g_assert_cmpint(krb5_cc_initialize(kctx, cc, p), ==, 0);
    for (size_t i = 0; i < n; i++) {
        krb5_creds c;
        fake_cred(&c, clients[i], i == 0 ? "krbtgt/" REALM "@" REALM : SERVICE);
        g_assert_cmpint(krb5_cc_store_cred(kctx, cc, &c), ==, 0);
        free_fake(&c);
    }
    krb5_free_principal(kctx, p);
    major = gss_krb5_import_cred(&minor, cc, NULL, NULL, &cred);
    g_assert_cmpuint(major, ==, GSS_S_COMPLETE);
    *cc_out = cc;
    return cred;
}

static void release_gss_cred(gss_cred_id_t cred, krb5_ccache cc)
{
    OM_uint32 minor;
    gss_release_cred(&minor, &cred);
    krb5_cc_destroy(kctx, cc);
}

/* ------------------------------------------------------------- export */

/* Is @key in a mapping of ours whose /proc/self/maps line contains @where
 * ("[stack]": this thread's, the main thread's; "[heap]": the main arena)?
 * Linux only. */
static gboolean key_in_mapping(const char *where, const uint8_t *key, size_t len)
{
#ifdef __linux__
    FILE *maps = fopen("/proc/self/maps", "r");
    char line[512];
    gboolean found = FALSE;
    g_assert_nonnull(maps);
    while (fgets(line, sizeof(line), maps)) {
        unsigned long start, end;
        if (strstr(line, where) == NULL || sscanf(line, "%lx-%lx", &start, &end) != 2) {
            continue;
        }
        /* read through /proc/self/mem, not directly: sanitizers poison
         * parts of the stack */
        FILE *mem = fopen("/proc/self/mem", "rb");
        uint8_t *copy = g_malloc(end - start);
        g_assert_nonnull(mem);
        g_assert_cmpint(fseeko(mem, (off_t)start, SEEK_SET), ==, 0);
        size_t got = fread(copy, 1, end - start, mem);
        fclose(mem);
        for (size_t i = 0; i + len <= got; i++) {
            if (memcmp(copy + i, key, len) == 0) {
                found = TRUE;
            }
        }
        explicit_bzero(copy, got);
        g_free(copy);
    }
    fclose(maps);
    return found;
#else
    (void)where;
    (void)key;
    (void)len;
    return FALSE;
#endif
}

static gboolean key_in_stack(const uint8_t *key, size_t len)
{
    return key_in_mapping("[stack]", key, len);
}

static void test_export_ok(void)
{
    const char *clients[] = { ALICE };
    krb5_ccache cc;
    gss_cred_id_t cred = fake_gss_cred(ALICE, clients, 1, &cc);
    uint8_t *out = NULL;
    size_t len = 0;
    char why[256] = "";

    g_assert_cmpint(sso_gss_export(cred, ALICE, &out, &len, why, sizeof(why)), ==, SSO_GSS_OK);
    /* MIT leaves key copies in the stack frames of what the export called
     * (importing the test credential did too): the export wipes them */
    g_assert_false(key_in_stack(session_key, sizeof(session_key)));
    g_assert_nonnull(out);
    g_assert_cmpuint(len, >, 100);

    /* one record of alice's TGT, as MIT marshals it */
    g_assert_cmpint(vdsso_creds_check(out, len), ==, 1);
    VDSsoCredsIter it;
    VDSsoSlice r;
    vdsso_creds_iter_init(&it, out, len);
    g_assert_cmpint(vdsso_creds_next(&it, &r), ==, 1);
    g_assert_cmpuint(r.len + VDSSO_CREDS_RECORD_HEADER, ==, len);

    /* MIT reads the record back with the same session key */
    krb5_data rec = { .length = (unsigned)r.len, .data = (char *)r.p };
    krb5_creds *back = NULL;
    g_assert_cmpint(krb5_unmarshal_credentials(kctx, &rec, &back), ==, 0);
    char *name = NULL;
    g_assert_cmpint(krb5_unparse_name(kctx, back->client, &name), ==, 0);
    g_assert_cmpstr(name, ==, ALICE);
    krb5_free_unparsed_name(kctx, name);
    g_assert_cmpint(back->server->length, ==, 2);
    g_assert_cmpint(back->server->data[0].length, ==, 6);
    g_assert_true(memcmp(back->server->data[0].data, "krbtgt", 6) == 0);
    g_assert_cmpuint(back->keyblock.length, ==, sizeof(session_key));
    g_assert_cmpmem(back->keyblock.contents, back->keyblock.length, session_key,
                    sizeof(session_key));
    g_assert_true(back->ticket_flags & TKT_FLG_FORWARDABLE);
    krb5_free_creds(kctx, back);

    vdsso_wipe_free(out, len);
    release_gss_cred(cred, cc);
}

/* krb5_marshal_credentials() leaves the buffers it outgrew in freed memory;
 * glibc keeps a freed small chunk in the thread's cache unless that cache
 * already holds seven of its size, and then in the arena's bins. Fill the
 * cache for every size the record outgrows, as a busy server thread has
 * it, and look for the key in the main arena after the export. */
static void test_export_heap_wiped(void)
{
#if defined(__SANITIZE_ADDRESS__) || !defined(__GLIBC__)
    g_test_skip("the export's wipe of outgrown buffers is for glibc's allocator");
#else
    const char *clients[] = { ALICE };
    krb5_ccache cc;
    gss_cred_id_t cred = fake_gss_cred(ALICE, clients, 1, &cc);
    uint8_t *out = NULL;
    size_t len = 0;
    char why[256] = "";
    void *fill[8][7];

    for (size_t s = 0; s < 8; s++) {
        for (size_t i = 0; i < 7; i++) {
            fill[s][i] = malloc((size_t)128 << s);
        }
    }
    for (size_t s = 0; s < 8; s++) {
        for (size_t i = 0; i < 7; i++) {
            free(fill[s][i]);
        }
    }
    g_assert_cmpint(sso_gss_export(cred, ALICE, &out, &len, why, sizeof(why)), ==, SSO_GSS_OK);
    vdsso_wipe_free(out, len);
    release_gss_cred(cred, cc);
    g_assert_false(key_in_mapping("[heap]", session_key, sizeof(session_key)));
#endif
}

/* What the server does with the handle Cyrus hands out once it took what it
 * needs: release it through its address, leaving GSS_C_NO_CREDENTIAL there
 * for Cyrus' own release at dispose to skip. */
static void test_release_delegated(void)
{
    const char *clients[] = { ALICE };
    krb5_ccache cc;
    gss_cred_id_t cred = fake_gss_cred(ALICE, clients, 1, &cc);
    gss_cred_id_t *handle = &cred; /* what SASL_DELEGATEDCREDS gives */

    g_assert_true(sso_gss_release_delegated(handle));
    g_assert_true(cred == GSS_C_NO_CREDENTIAL);
    /* the stack below is wiped after the release too */
    g_assert_false(key_in_stack(session_key, sizeof(session_key)));
    /* a second release (Cyrus' dispose does the same check) does nothing */
    g_assert_false(sso_gss_release_delegated(handle));
    OM_uint32 minor;
    g_assert_cmpuint(gss_release_cred(&minor, handle), ==, GSS_S_COMPLETE);
    g_assert_false(sso_gss_release_delegated(NULL));
    krb5_cc_destroy(kctx, cc);
}

static void test_export_wrong_principal(void)
{
    const char *clients[] = { ALICE };
    krb5_ccache cc;
    gss_cred_id_t cred = fake_gss_cred(ALICE, clients, 1, &cc);
    uint8_t *out = (uint8_t *)"x";
    size_t len = 1;
    char why[256] = "";

    g_assert_cmpint(sso_gss_export(cred, "bob@" REALM, &out, &len, why, sizeof(why)), ==,
                    SSO_GSS_MISMATCH);
    g_assert_null(out);
    g_assert_cmpuint(len, ==, 0);
    g_assert_nonnull(strstr(why, ALICE));
    /* the realm is part of the name */
    g_assert_cmpint(sso_gss_export(cred, "alice", &out, &len, why, sizeof(why)), ==,
                    SSO_GSS_MISMATCH);
    release_gss_cred(cred, cc);
}

static void test_export_foreign_ticket(void)
{
    /* alice's cache holding a ticket of bob: refused whole */
    const char *clients[] = { ALICE, "bob@" REALM };
    krb5_ccache cc;
    gss_cred_id_t cred = fake_gss_cred(ALICE, clients, 2, &cc);
    uint8_t *out = NULL;
    size_t len = 0;
    char why[256] = "";

    g_assert_cmpint(sso_gss_export(cred, ALICE, &out, &len, why, sizeof(why)), ==,
                    SSO_GSS_ERROR);
    g_assert_null(out);
    g_assert_nonnull(strstr(why, "another client"));
    release_gss_cred(cred, cc);
}

static void test_export_no_cred(void)
{
    uint8_t *out = NULL;
    size_t len = 0;
    char why[256] = "";
    g_assert_cmpint(sso_gss_export(NULL, ALICE, &out, &len, why, sizeof(why)), ==,
                    SSO_GSS_ERROR);
    g_assert_cmpstr(why, ==, "no delegated credential");
}

/* ------------------------------------------------------------ names */

static void test_full_name(void)
{
    char out[SSO_PRINCIPAL_MAX + 1], why[256];

    g_assert_cmpint(sso_gss_full_name("alice", out, sizeof(out), why, sizeof(why)), ==,
                    SSO_GSS_OK);
    g_assert_cmpstr(out, ==, ALICE);
    g_assert_cmpint(sso_gss_full_name("alice@OTHER.TEST", out, sizeof(out), why, sizeof(why)),
                    ==, SSO_GSS_OK);
    g_assert_cmpstr(out, ==, "alice@OTHER.TEST");
    g_assert_cmpint(sso_gss_full_name("host/vm.spice.test", out, sizeof(out), why, sizeof(why)),
                    ==, SSO_GSS_OK);
    g_assert_cmpstr(out, ==, "host/vm.spice.test@" REALM);
    g_assert_cmpint(sso_gss_full_name("", out, sizeof(out), why, sizeof(why)), ==,
                    SSO_GSS_ERROR);
    g_assert_cmpint(sso_gss_full_name(NULL, out, sizeof(out), why, sizeof(why)), ==,
                    SSO_GSS_ERROR);
    g_assert_cmpint(sso_gss_full_name("a@b@c", out, sizeof(out), why, sizeof(why)), ==,
                    SSO_GSS_ERROR);
    g_assert_cmpint(sso_gss_full_name("alice", out, 5, why, sizeof(why)), ==, SSO_GSS_ERROR);
}

static void test_mech_is_gss(void)
{
    g_assert_true(sso_sasl_mech_is_gss("GSSAPI"));
    g_assert_true(sso_sasl_mech_is_gss("GSS-SPNEGO"));
    g_assert_true(sso_sasl_mech_is_gss("gss-spnego-plus"));
    g_assert_true(sso_sasl_mech_is_gss("GS2-KRB5-PLUS"));
    g_assert_false(sso_sasl_mech_is_gss("GSSAPIX"));
    g_assert_false(sso_sasl_mech_is_gss("PLAIN"));
    g_assert_false(sso_sasl_mech_is_gss("DIGEST-MD5"));
    g_assert_false(sso_sasl_mech_is_gss(NULL));
}

static void check_advertised(const char *in, const char *want)
{
    g_autofree char *list = g_strdup(in);
    size_t n = sso_sasl_advertised_mechlist(list);
    g_assert_cmpstr(list, ==, want);
    g_assert_cmpuint(n, ==, strlen(want));
}

/* what spice-server sends after sasl_listmech() with a channel binding set */
static void test_advertised_mechlist(void)
{
    /* Debian 12's plugins (libsasl2-modules, -gssapi-mit), unrestricted
     * mech_list, over TLS with the binding set: 305 bytes, more than
     * spice-gtk accepts (300) */
    const char *debian =
        ",GSS-SPNEGO-PLUS,GSS-SPNEGO,GSSAPI-PLUS,GSSAPI,SCRAM-SHA-512-PLUS,SCRAM-SHA-512,"
        "SCRAM-SHA-384-PLUS,SCRAM-SHA-384,SCRAM-SHA-256-PLUS,SCRAM-SHA-256,"
        "SCRAM-SHA-224-PLUS,SCRAM-SHA-224,SCRAM-SHA-1-PLUS,SCRAM-SHA-1,GS2-KRB5-PLUS,GS2-KRB5,"
        "GS2-IAKERB-PLUS,GS2-IAKERB,DIGEST-MD5,CRAM-MD5,NTLM,PLAIN,LOGIN,ANONYMOUS,";
    g_assert_cmpuint(strlen(debian), ==, 305);
    const char *sent =
        ",GSS-SPNEGO,GSSAPI,SCRAM-SHA-512-PLUS,SCRAM-SHA-512,"
        "SCRAM-SHA-384-PLUS,SCRAM-SHA-384,SCRAM-SHA-256-PLUS,SCRAM-SHA-256,"
        "SCRAM-SHA-224-PLUS,SCRAM-SHA-224,SCRAM-SHA-1-PLUS,SCRAM-SHA-1,GS2-KRB5-PLUS,GS2-KRB5,"
        "GS2-IAKERB-PLUS,GS2-IAKERB,DIGEST-MD5,CRAM-MD5,NTLM,PLAIN,LOGIN,ANONYMOUS,";
    check_advertised(debian, sent);
    g_assert_cmpuint(strlen(sent), <=, 300);
    /* the test's mech_list: GSSAPI GSS-SPNEGO */
    check_advertised(",GSS-SPNEGO-PLUS,GSS-SPNEGO,GSSAPI-PLUS,GSSAPI,", ",GSS-SPNEGO,GSSAPI,");
    /* no binding: unchanged */
    check_advertised(",GSS-SPNEGO,GSSAPI,", ",GSS-SPNEGO,GSSAPI,");
    check_advertised(",PLAIN,", ",PLAIN,");
    /* case, position, whole names only */
    check_advertised(",gssapi-plus,GSSAPI-PLUSX,XGSSAPI-PLUS,GSSAPI,", ",GSSAPI-PLUSX,XGSSAPI-PLUS,GSSAPI,");
    check_advertised("GSSAPI-PLUS,GSSAPI", "GSSAPI");
    check_advertised("GSSAPI,GSS-SPNEGO-PLUS", "GSSAPI");
    /* only -PLUS names of GSSAPI and GSS-SPNEGO: nothing left */
    check_advertised(",GSSAPI-PLUS,GSS-SPNEGO-PLUS,", ",");
    check_advertised(",", ",");
    check_advertised("", "");
    g_assert_cmpuint(sso_sasl_advertised_mechlist(NULL), ==, 0);
}

/* ------------------------------------------------- channel binding read-back */

/* A service ticket for SERVICE with a random key, in the default (MEMORY)
 * ccache, and the key in the default (MEMORY) keytab: enough for
 * gss_init_sec_context() and gss_accept_sec_context() without a KDC. */
static krb5_keytab keytab;
static krb5_ccache client_cc;

static void make_service_ticket(void)
{
    krb5_keyblock skey, sess;
    krb5_enc_tkt_part enc;
    krb5_ticket tkt;
    krb5_data *der = NULL;
    krb5_creds creds;
    krb5_principal client = principal(ALICE), server = principal(SERVICE);
    krb5_keytab_entry entry;
    krb5_transited transited = { 0 };

    g_assert_cmpint(krb5_c_make_random_key(kctx, ENCTYPE_AES256_CTS_HMAC_SHA1_96, &skey), ==, 0);
    g_assert_cmpint(krb5_c_make_random_key(kctx, ENCTYPE_AES256_CTS_HMAC_SHA1_96, &sess), ==, 0);

    memset(&enc, 0, sizeof(enc));
    enc.flags = TKT_FLG_FORWARDABLE | TKT_FLG_PRE_AUTH;
    enc.session = &sess;
    enc.client = client;
    enc.transited = transited;
    enc.times.authtime = enc.times.starttime = (krb5_timestamp)time(NULL) - 60;
    enc.times.endtime = enc.times.starttime + 36000;
    memset(&tkt, 0, sizeof(tkt));
    tkt.server = server;
    tkt.enc_part2 = &enc;
    g_assert_cmpint(krb5_encrypt_tkt_part(kctx, &skey, &tkt), ==, 0);
    g_assert_cmpint(encode_krb5_ticket(&tkt, &der), ==, 0);

    memset(&creds, 0, sizeof(creds));
    creds.client = client;
    creds.server = server;
    creds.keyblock = sess;
    creds.times = enc.times;
    creds.ticket_flags = enc.flags;
    creds.ticket = *der;
    g_assert_cmpint(krb5_cc_resolve(kctx, "MEMORY:test-sso-client", &client_cc), ==, 0);
    g_assert_cmpint(krb5_cc_initialize(kctx, client_cc, client), ==, 0);
    g_assert_cmpint(krb5_cc_store_cred(kctx, client_cc, &creds), ==, 0);

    g_assert_cmpint(krb5_kt_resolve(kctx, "MEMORY:test-sso-keytab", &keytab), ==, 0);
    memset(&entry, 0, sizeof(entry));
    entry.principal = server;
    entry.vno = 1;
    entry.key = skey;
    g_assert_cmpint(krb5_kt_add_entry(kctx, keytab, &entry), ==, 0);

    krb5_free_data(kctx, der);
    krb5_free_data_contents(kctx, &tkt.enc_part.ciphertext);
    krb5_free_keyblock_contents(kctx, &skey);
    krb5_free_keyblock_contents(kctx, &sess);
    krb5_free_principal(kctx, client);
    krb5_free_principal(kctx, server);
}

/* The client's first token for SERVICE, with bindings @cb (or none). */
static gss_buffer_desc initial_token(const uint8_t *cb, size_t cb_len, gss_OID mech)
{
    OM_uint32 major, minor;
    gss_name_t target = GSS_C_NO_NAME;
    gss_buffer_desc name = { strlen("spice@spice-host.spice.test"),
                             (void *)"spice@spice-host.spice.test" };
    gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
    gss_buffer_desc out = GSS_C_EMPTY_BUFFER;
    struct gss_channel_bindings_struct bindings;

    memset(&bindings, 0, sizeof(bindings));
    bindings.application_data.length = cb_len;
    bindings.application_data.value = (void *)cb;
    major = gss_import_name(&minor, &name, GSS_C_NT_HOSTBASED_SERVICE, &target);
    g_assert_cmpuint(major, ==, GSS_S_COMPLETE);
    major = gss_init_sec_context(&minor, GSS_C_NO_CREDENTIAL, &ctx, target, mech,
                                 GSS_C_MUTUAL_FLAG | GSS_C_INTEG_FLAG | GSS_C_CONF_FLAG,
                                 0, cb ? &bindings : GSS_C_NO_CHANNEL_BINDINGS,
                                 GSS_C_NO_BUFFER, NULL, &out, NULL, NULL);
    if (GSS_ERROR(major)) {
        OM_uint32 ctx_id = 0, min2;
        gss_buffer_desc text;
        gss_display_status(&min2, minor, GSS_C_MECH_CODE, GSS_C_NO_OID, &ctx_id, &text);
        g_printerr("gss_init_sec_context: %.*s\n", (int)text.length, (char *)text.value);
        gss_release_buffer(&min2, &text);
    }
    g_assert_false(GSS_ERROR(major));
    gss_delete_sec_context(&minor, &ctx, GSS_C_NO_BUFFER);
    gss_release_name(&minor, &target);
    return out;
}

static void test_binding(void)
{
    static gss_OID_desc spnego = { 6, (void *)"\x2b\x06\x01\x05\x05\x02" };
    gss_OID mechs[] = { (gss_OID)gss_mech_krb5, &spnego };
    uint8_t cb[32], other[32];
    SsoGssBinding b;
    char why[256];
    OM_uint32 minor;

    memset(cb, 0x11, sizeof(cb));
    memset(other, 0x22, sizeof(other));
    make_service_ticket();

    for (size_t i = 0; i < G_N_ELEMENTS(mechs); i++) {
        /* bound with the right data */
        gss_buffer_desc tok = initial_token(cb, sizeof(cb), mechs[i]);
        g_assert_cmpint(sso_gss_check_binding(tok.value, tok.length, cb, sizeof(cb), &b, why,
                                              sizeof(why)), ==, SSO_GSS_OK);
        g_assert_true(b.bound);
        g_assert_cmpstr(b.initiator, ==, ALICE);
        /* the same token read back twice: no replay cache in the way */
        g_assert_cmpint(sso_gss_check_binding(tok.value, tok.length, cb, sizeof(cb), &b, why,
                                              sizeof(why)), ==, SSO_GSS_OK);
        g_assert_true(b.bound);
        /* bound to another channel: not accepted at all */
        g_assert_cmpint(sso_gss_check_binding(tok.value, tok.length, other, sizeof(other), &b,
                                              why, sizeof(why)), ==, SSO_GSS_ERROR);
        g_assert_false(b.bound);
        gss_release_buffer(&minor, &tok);

        /* not bound: accepted, but not bound */
        tok = initial_token(NULL, 0, mechs[i]);
        g_assert_cmpint(sso_gss_check_binding(tok.value, tok.length, cb, sizeof(cb), &b, why,
                                              sizeof(why)), ==, SSO_GSS_OK);
        g_assert_false(b.bound);
        g_assert_cmpstr(b.initiator, ==, ALICE);
        gss_release_buffer(&minor, &tok);
    }

    /* garbage */
    g_assert_cmpint(sso_gss_check_binding("\x60\x01\x00", 3, cb, sizeof(cb), &b, why,
                                          sizeof(why)), ==, SSO_GSS_ERROR);
    g_assert_cmpint(sso_gss_check_binding(NULL, 0, cb, sizeof(cb), &b, why, sizeof(why)), ==,
                    SSO_GSS_ERROR);

    krb5_cc_destroy(kctx, client_cc);
    krb5_kt_close(kctx, keytab);
}

/* ------------------------------------------------------------- policy */

static SsoSaslIdentity identity(const char *principal, bool tls, bool layer, bool bound,
                                bool cred)
{
    SsoSaslIdentity id;
    memset(&id, 0, sizeof(id));
    g_strlcpy(id.mech, "GSSAPI", sizeof(id.mech));
    id.gss = true;
    g_strlcpy(id.principal, principal, sizeof(id.principal));
    g_strlcpy(id.peer, "127.0.0.1:4242", sizeof(id.peer));
    id.tls = tls;
    id.layer = layer;
    id.ssf = layer ? 256 : 0;
    id.bound = bound;
    id.binding_checked = tls;
    g_strlcpy(id.binding_why, bound ? "" : "the client did not bind the exchange",
              sizeof(id.binding_why));
    id.delegated_cred = cred ? (const void *)&id : NULL;
    return id;
}

static void test_policy(void)
{
    SsoLinkDecision d;
    SsoSaslIdentity id;
    SsoLinkFacts f;

#define FACTS(main_, deleg, authz_, cp, csso) \
    (SsoLinkFacts) { .id = &id, .channel = (main_) ? "main" : "display", .main_channel = (main_), \
                     .delegation = (deleg), .authz = (authz_), .client_principal = (cp), \
                     .client_sso = (csso) }

    /* plain TCP with a security layer, delegation on: export */
    id = identity(ALICE, false, true, false, true);
    f = FACTS(true, true, SSO_AUTHZ_NONE, NULL, false);
    sso_policy_decide(&f, &d);
    g_assert_true(d.allow);
    g_assert_true(d.try_export);

    /* delegation off: allowed, nothing exported, no reason logged */
    f = FACTS(true, false, 1, NULL, false);
    sso_policy_decide(&f, &d);
    g_assert_true(d.allow);
    g_assert_false(d.try_export);
    g_assert_cmpstr(d.no_export, ==, "");

    /* refused by the authorization callback: no export either */
    f = FACTS(true, true, 0, NULL, false);
    sso_policy_decide(&f, &d);
    g_assert_false(d.allow);
    g_assert_false(d.try_export);
    g_assert_cmpstr(d.reason, ==, "not allowed by the authorization hook");

    /* name unknown and a callback installed: refused */
    id = identity("", false, true, false, true);
    g_strlcpy(id.principal_why, "proxy authorization", sizeof(id.principal_why));
    f = FACTS(true, true, 0, NULL, false);
    sso_policy_decide(&f, &d);
    g_assert_false(d.allow);
    g_assert_nonnull(strstr(d.reason, "proxy authorization"));

    /* no delegated credential */
    id = identity(ALICE, false, true, false, false);
    f = FACTS(true, true, 1, NULL, false);
    sso_policy_decide(&f, &d);
    g_assert_true(d.allow);
    g_assert_false(d.try_export);
    g_assert_cmpstr(d.no_export, ==, "no delegated credential");

    /* TLS, neither bound nor layered: allowed, not exported */
    id = identity(ALICE, true, false, false, true);
    f = FACTS(true, true, 1, NULL, false);
    sso_policy_decide(&f, &d);
    g_assert_true(d.allow);
    g_assert_false(d.try_export);
    g_assert_nonnull(strstr(d.no_export, "neither bound"));

    /* TLS and bound: exported */
    id = identity(ALICE, true, false, true, true);
    sso_policy_decide(&f, &d);
    g_assert_true(d.try_export);

    /* other channels never export */
    id = identity(ALICE, false, true, false, true);
    f = FACTS(false, true, 1, ALICE, true);
    sso_policy_decide(&f, &d);
    g_assert_true(d.allow);
    g_assert_false(d.try_export);

    /* another principal than the main channel's: refused */
    id = identity("bob@" REALM, false, true, false, false);
    f = FACTS(false, true, 1, ALICE, false);
    sso_policy_decide(&f, &d);
    g_assert_false(d.allow);
    g_assert_nonnull(strstr(d.reason, "differs from the main channel's (" ALICE ")"));
    /* also without delegation or callback */
    f = FACTS(false, false, SSO_AUTHZ_NONE, ALICE, false);
    sso_policy_decide(&f, &d);
    g_assert_false(d.allow);

    /* the client delegated: a later TLS channel must be bound or layered */
    id = identity(ALICE, true, false, false, false);
    f = FACTS(false, true, 1, ALICE, true);
    sso_policy_decide(&f, &d);
    g_assert_false(d.allow);
    g_assert_nonnull(strstr(d.reason, "delegated a credential"));
    id = identity(ALICE, true, false, true, false);
    sso_policy_decide(&f, &d);
    g_assert_true(d.allow);
    /* it did not delegate: no such requirement */
    id = identity(ALICE, true, false, false, false);
    f = FACTS(false, true, 1, ALICE, false);
    sso_policy_decide(&f, &d);
    g_assert_true(d.allow);
#undef FACTS
}

/* ------------------------------------------------------------- delivery */

/* Reassemble the agent-port stream: returns the payload of the single
 * message on @port (and its type), checking every chunk's bounds. */
static uint8_t *unframe(const uint8_t *buf, size_t len, uint32_t port, uint32_t *type,
                        size_t *payload_len, unsigned *chunks)
{
    GByteArray *stream = g_byte_array_new();
    size_t off = 0;
    *chunks = 0;
    while (off < len) {
        g_assert_cmpuint(len - off, >=, VDSSO_CHUNK_HEADER);
        uint32_t p = (uint32_t)buf[off] | (uint32_t)buf[off + 1] << 8;
        uint32_t n = (uint32_t)buf[off + 4] | (uint32_t)buf[off + 5] << 8 |
                     (uint32_t)buf[off + 6] << 16;
        g_assert_cmpuint(p, ==, port);
        g_assert_cmpuint(n, <=, VDSSO_CHUNK_MAX);
        g_assert_cmpuint(n, >, 0);
        g_assert_cmpuint(off + VDSSO_CHUNK_HEADER + n, <=, len);
        g_byte_array_append(stream, buf + off + VDSSO_CHUNK_HEADER, n);
        off += VDSSO_CHUNK_HEADER + n;
        (*chunks)++;
        /* every chunk but the last is full */
        g_assert_true(off == len || n == VDSSO_CHUNK_MAX);
    }
    g_assert_cmpuint(stream->len, >=, VDSSO_MSG_HEADER);
    *type = (uint32_t)stream->data[4] | (uint32_t)stream->data[5] << 8 |
            (uint32_t)stream->data[6] << 16 | (uint32_t)stream->data[7] << 24;
    *payload_len = stream->len - VDSSO_MSG_HEADER;
    uint8_t *payload = dup_bytes(stream->data + VDSSO_MSG_HEADER, *payload_len);
    g_byte_array_free(stream, TRUE);
    return payload;
}

static void check_delivery(size_t ccache_len, unsigned want_chunks)
{
    uint8_t *ccache = malloc(ccache_len);
    for (size_t i = 0; i < ccache_len; i++) {
        ccache[i] = (uint8_t)(i * 13 + 5);
    }
    /* records of at most VDSSO_CREDS_MAX_RECORD bytes filling it */
    for (size_t pos = 0; pos < ccache_len;) {
        size_t left = ccache_len - pos - VDSSO_CREDS_RECORD_HEADER;
        size_t len = left > VDSSO_CREDS_MAX_RECORD ? VDSSO_CREDS_MAX_RECORD : left;
        vdsso_put_le32(ccache + pos, (uint32_t)len);
        pos += VDSSO_CREDS_RECORD_HEADER + len;
    }
    uint8_t *copy = dup_bytes(ccache, ccache_len);
    SsoCredential *c = sso_credential_new(ALICE, "127.0.0.1:4242", ccache, ccache_len);
    g_assert_nonnull(c);
    g_assert_cmpstr(sso_credential_principal(c), ==, ALICE);

    /* due for every agent connection until sent to it */
    g_assert_true(sso_credential_due(c, 1));
    size_t size = sso_credential_wire_size(c);
    g_assert_cmpuint(size, ==, vdsso_framed_size(VDSSO_HEADER_SIZE + strlen(ALICE) + ccache_len));
    uint8_t *wire = g_malloc(size);
    g_assert_cmpint(sso_credential_write(c, 1, 77, wire, size), ==, (long)size);
    g_assert_false(sso_credential_due(c, 1));
    g_assert_true(sso_credential_due(c, 2));
    g_assert_true(sso_credential_sent_serial(c, 77));
    g_assert_false(sso_credential_sent_serial(c, 76));

    uint32_t type;
    size_t plen;
    unsigned chunks;
    uint8_t *payload = unframe(wire, size, VDSSO_PORT_SERVER, &type, &plen, &chunks);
    g_assert_cmpuint(type, ==, VDSSO_AGENT_MSG_SSO);
    g_assert_cmpuint(chunks, ==, want_chunks);
    VDSsoMsg *m = NULL;
    g_assert_cmpint(vdsso_msg_decode(payload, plen, &m), ==, VDSSO_OK);
    g_assert_cmpuint(m->serial, ==, 77);
    g_assert_cmpuint(m->flags, ==, VDSSO_FLAG_LOGIN | VDSSO_FLAG_REFRESH);
    g_assert_cmpuint(m->cred_type, ==, VDSSO_CRED_KRB5_CREDS);
    g_assert_cmpstr(m->principal, ==, ALICE);
    g_assert_cmpmem(m->cred, m->cred_len, copy, ccache_len);
    vdsso_msg_free(m);

    /* a second delivery, to the next agent connection, has a new serial */
    g_assert_cmpint(sso_credential_write(c, 2, 78, wire, size), ==, (long)size);
    g_assert_true(sso_credential_sent_serial(c, 78));
    g_assert_false(sso_credential_due(c, 2));
    /* too small an output */
    g_assert_cmpint(sso_credential_write(c, 3, 79, wire, size - 1), <, 0);

    g_test_expect_message(G_LOG_DOMAIN, G_LOG_LEVEL_MESSAGE, "sso: wipe*reason=\"test\"*");
    sso_credential_free(c, "test");
    g_test_assert_expected_messages();
    g_free(payload);
    g_free(wire);
    g_free(copy);
}

static void test_delivery(void)
{
    check_delivery(612, 1);
    check_delivery(5116, 3);
    /* the largest that fits a 64 KiB payload */
    check_delivery(VDSSO_MAX_PAYLOAD - VDSSO_HEADER_SIZE - strlen(ALICE), 33);
    /* one byte more does not */
    size_t too_big = VDSSO_MAX_PAYLOAD - VDSSO_HEADER_SIZE - strlen(ALICE) + 1;
    g_assert_null(sso_credential_new(ALICE, NULL, malloc(too_big), too_big));
    g_assert_null(sso_credential_new(NULL, NULL, malloc(10), 10));
    g_assert_null(sso_credential_new("", NULL, malloc(10), 10));
    g_assert_null(sso_credential_new(ALICE, NULL, NULL, 0));
    /* records that do not fill the credential (a zero length) */
    g_assert_null(sso_credential_new(ALICE, NULL, calloc(1, 10), 10));
    /* krb5_unparse_name leaves most control characters unescaped: such a
     * principal could never be delivered, so nothing is kept */
    g_assert_null(sso_credential_new("alice\x01@SPICE.TEST", NULL, calloc(1, 10), 10));
    sso_credential_free(NULL, "nothing");
}

/* ------------------------------------------------------------- replies */

typedef struct Events {
    SsoPortEvent ev[16];
    unsigned n;
} Events;

static void collect(void *opaque, const SsoPortEvent *ev)
{
    Events *e = opaque;
    g_assert_cmpuint(e->n, <, G_N_ELEMENTS(e->ev));
    e->ev[e->n++] = *ev;
}

static size_t message(uint8_t *out, uint32_t protocol, uint32_t type, const uint8_t *payload,
                      uint32_t len)
{
    memset(out, 0, VDSSO_MSG_HEADER);
    out[0] = (uint8_t)protocol;
    out[4] = (uint8_t)type;
    out[5] = (uint8_t)(type >> 8);
    out[16] = (uint8_t)len;
    out[17] = (uint8_t)(len >> 8);
    memcpy(out + VDSSO_MSG_HEADER, payload, len);
    return VDSSO_MSG_HEADER + len;
}

static void test_port_reader(void)
{
    SsoPortReader r;
    Events e = { 0 };
    uint8_t stream[256], reply[VDSSO_REPLY_SIZE], junk[40];
    VDSsoReply rep = { .version = VDSSO_VERSION, .serial = 9, .result = VDSSO_RESULT_SEAT_BUSY };
    size_t len = 0;

    g_assert_cmpint(vdsso_reply_encode(&rep, reply, sizeof(reply)), ==, VDSSO_REPLY_SIZE);
    memset(junk, 0xee, sizeof(junk));
    /* another message, a reply, a reply of the wrong size, a reply of an
     * unknown version, an empty message */
    len += message(stream + len, 1, 5, junk, sizeof(junk));
    len += message(stream + len, 1, VDSSO_AGENT_MSG_SSO_REPLY, reply, sizeof(reply));
    len += message(stream + len, 1, VDSSO_AGENT_MSG_SSO_REPLY, junk, 13);
    uint8_t v2[VDSSO_REPLY_SIZE];
    memcpy(v2, reply, sizeof(v2));
    v2[0] = 3; /* a version this server does not know */
    len += message(stream + len, 1, VDSSO_AGENT_MSG_SSO_REPLY, v2, sizeof(v2));
    len += message(stream + len, 1, 7, NULL, 0);

    /* the same events whatever the chunk boundaries */
    for (size_t step = 1; step <= len; step++) {
        sso_port_reader_init(&r);
        e.n = 0;
        for (size_t off = 0; off < len; off += step) {
            sso_port_reader_feed(&r, stream + off, MIN(step, len - off), collect, &e);
        }
        g_assert_cmpuint(e.n, ==, 5);
        g_assert_cmpint(e.ev[0].kind, ==, SSO_PORT_OTHER);
        g_assert_cmpuint(e.ev[0].type, ==, 5);
        g_assert_cmpuint(e.ev[0].size, ==, sizeof(junk));
        g_assert_cmpint(e.ev[1].kind, ==, SSO_PORT_REPLY);
        g_assert_cmpuint(e.ev[1].reply.serial, ==, 9);
        g_assert_cmpuint(e.ev[1].reply.result, ==, VDSSO_RESULT_SEAT_BUSY);
        g_assert_cmpint(e.ev[2].kind, ==, SSO_PORT_BAD_REPLY);
        g_assert_cmpint(e.ev[2].error, ==, VDSSO_ERR_TRAILING);
        g_assert_cmpint(e.ev[3].kind, ==, SSO_PORT_BAD_REPLY);
        g_assert_cmpint(e.ev[3].error, ==, VDSSO_ERR_VERSION);
        g_assert_cmpint(e.ev[4].kind, ==, SSO_PORT_OTHER);
        g_assert_cmpuint(e.ev[4].size, ==, 0);
    }

    /* not a VDAgentMessage: the rest of the chunk is dropped, then resync */
    sso_port_reader_init(&r);
    e.n = 0;
    len = message(stream, 3, VDSSO_AGENT_MSG_SSO_REPLY, reply, sizeof(reply));
    sso_port_reader_feed(&r, stream, len, collect, &e);
    g_assert_cmpuint(e.n, ==, 1);
    g_assert_cmpint(e.ev[0].kind, ==, SSO_PORT_BAD_HEADER);
    len = message(stream, 1, VDSSO_AGENT_MSG_SSO_REPLY, reply, sizeof(reply));
    sso_port_reader_feed(&r, stream, len, collect, &e);
    g_assert_cmpuint(e.n, ==, 2);
    g_assert_cmpint(e.ev[1].kind, ==, SSO_PORT_REPLY);

    /* a huge message is skipped without being stored */
    sso_port_reader_init(&r);
    e.n = 0;
    memset(stream, 0, VDSSO_MSG_HEADER);
    stream[0] = 1;
    stream[4] = 9;
    stream[19] = 0x7f; /* size 0x7f000000 */
    sso_port_reader_feed(&r, stream, VDSSO_MSG_HEADER, collect, &e);
    sso_port_reader_feed(&r, junk, sizeof(junk), collect, &e);
    g_assert_cmpuint(e.n, ==, 1);
    g_assert_cmpuint(r.remaining, ==, 0x7f000000u - sizeof(junk));
}

/* A chunk header for @port followed by a message of @type with @len bytes */
static size_t port_message(uint8_t *out, uint32_t port, uint32_t type, uint32_t len)
{
    uint8_t payload[64];

    memset(payload, 0x42, sizeof(payload));
    g_assert_cmpuint(len, <=, sizeof(payload));
    vdsso_put_le32(out, port);
    vdsso_put_le32(out + 4, VDSSO_MSG_HEADER + len);
    return VDSSO_CHUNK_HEADER + message(out + VDSSO_CHUNK_HEADER, 1, type, payload, len);
}

static void test_restored_agent_data(void)
{
    uint8_t data[512];
    const char *why;
    size_t len;

    /* the client's messages, whole chunks or after the rest of a chunk;
     * a VD_AGENT_MONITORS_CONFIG (type 2, opaque 0) is no server chunk */
    len = port_message(data, VDSSO_PORT_CLIENT, 2, 40);
    len += port_message(data + len, VDSSO_PORT_CLIENT, 4, 64);
    g_assert_true(sso_restored_agent_data_ok(data, len, &why));
    memset(data, 0x55, 30);
    len = 30 + port_message(data + 30, VDSSO_PORT_CLIENT, 2, 0);
    g_assert_true(sso_restored_agent_data_ok(data, len, &why));
    g_assert_true(sso_restored_agent_data_ok(data, 0, &why));

    /* anything on the server port, any single sign-on message */
    len = port_message(data, VDSSO_PORT_CLIENT, 4, 10);
    len += port_message(data + len, VDSSO_PORT_SERVER, 1, 8);
    g_assert_false(sso_restored_agent_data_ok(data, len, &why));
    g_assert_nonnull(why);
    len = port_message(data, VDSSO_PORT_CLIENT, VDSSO_AGENT_MSG_SSO, 64);
    g_assert_false(sso_restored_agent_data_ok(data, len, &why));
    g_assert_cmpstr(why, ==, "it holds a single sign-on message");
    len = port_message(data, VDSSO_PORT_CLIENT, VDSSO_AGENT_MSG_SSO_REPLY, 12);
    g_assert_false(sso_restored_agent_data_ok(data, len, &why));
    /* a server-port chunk that continues a message */
    len = port_message(data, VDSSO_PORT_CLIENT, 4, 10);
    vdsso_put_le32(data + len, VDSSO_PORT_SERVER);
    vdsso_put_le32(data + len + 4, 16);
    memset(data + len + 8, 0x42, 16);
    len += 24;
    g_assert_false(sso_restored_agent_data_ok(data, len, &why));
    /* behind the rest of a chunk: wherever the agent's boundaries are */
    memset(data, 0x55, 7);
    len = 7 + port_message(data + 7, VDSSO_PORT_SERVER, VDSSO_AGENT_MSG_SSO, 64);
    g_assert_false(sso_restored_agent_data_ok(data, len, &why));
    memset(data, 0x55, 7);
    len = 7 + message(data + 7, 1, VDSSO_AGENT_MSG_SSO, data, 0);
    g_assert_false(sso_restored_agent_data_ok(data, len, &why));

    /* a message whose header the agent assembles from two server-port
     * chunks (1 byte, then the rest), a trailing byte after them: no
     * chunk header is followed by a message header, yet it is one */
    uint8_t whole[128];
    size_t mlen = port_message(whole, VDSSO_PORT_SERVER, 4, 16) - VDSSO_CHUNK_HEADER;
    const uint8_t *msg = whole + VDSSO_CHUNK_HEADER;
    vdsso_put_le32(data, VDSSO_PORT_SERVER);
    vdsso_put_le32(data + 4, 1);
    data[8] = msg[0];
    vdsso_put_le32(data + 9, VDSSO_PORT_SERVER);
    vdsso_put_le32(data + 13, (uint32_t)mlen - 1);
    memcpy(data + 17, msg + 1, mlen - 1);
    len = 17 + mlen - 1;
    data[len++] = 0x55;
    g_assert_false(sso_restored_agent_data_ok(data, len, &why));
    g_assert_cmpstr(why, ==, "it holds a chunk for VDP_SERVER_PORT");
    /* the same behind the rest of a chunk (the agent's first boundary is
     * not at the start), and behind a client chunk */
    memmove(data + 5, data, len);
    memset(data, 0x55, 5);
    g_assert_false(sso_restored_agent_data_ok(data, len + 5, &why));
    size_t c = port_message(whole, VDSSO_PORT_CLIENT, 4, 10);
    memmove(data + c, data + 5, len);
    memcpy(data, whole, c);
    g_assert_false(sso_restored_agent_data_ok(data, len + c, &why));
    /* server-port chunks of no data carry nothing: the type and opaque
     * fields of a client's VD_AGENT_MONITORS_CONFIG read as one */
    len = port_message(data, VDSSO_PORT_CLIENT, 2, 0);
    g_assert_true(sso_restored_agent_data_ok(data, len, &why));
    /* a server-port chunk further than a chunk from the start is only seen
     * by a walk from a boundary: the client's chunks hide nothing */
    len = 0;
    for (int i = 0; i < 7; i++) {
        len += port_message(data + len, VDSSO_PORT_CLIENT, 4, 40);
    }
    g_assert_cmpuint(len, <=, sizeof(data));
    g_assert_true(sso_restored_agent_data_ok(data, len, &why));
}

static void test_restored_read_state(void)
{
    const char *why;
    SsoRestoredReadState st = {
        .chunk_header_size = VDSSO_CHUNK_HEADER, .msg_header_done = false,
        .msg_header_partial_len = 4, .msg_header_start = 100, .size = 104,
        .max_filter_result = 3,
    };

    g_assert_true(sso_restored_agent_read_state_ok(&st, &why));
    g_assert_null(why);
    st.size = 103;
    g_assert_false(sso_restored_agent_read_state_ok(&st, &why));
    g_assert_cmpstr(why, ==, "the partial message header lies outside the migration data");
    st.size = 104;
    st.msg_header_start = (uint64_t)UINT32_MAX + 2;
    g_assert_false(sso_restored_agent_read_state_ok(&st, &why));
    st.msg_header_start = 100;
    st.msg_header_partial_len = VDSSO_MSG_HEADER;
    g_assert_false(sso_restored_agent_read_state_ok(&st, &why));
    g_assert_cmpstr(why, ==, "the partial message header is said to be a whole one or longer");
    st.msg_header_partial_len = UINT32_MAX;
    g_assert_false(sso_restored_agent_read_state_ok(&st, &why));
    st.msg_header_partial_len = 4;
    st.chunk_header_size = VDSSO_CHUNK_HEADER + 1;
    g_assert_false(sso_restored_agent_read_state_ok(&st, &why));
    st.chunk_header_size = 2;
    g_assert_false(sso_restored_agent_read_state_ok(&st, &why));
    g_assert_cmpstr(why, ==, "part of a message header is said to be read before its chunk header");
    st.msg_header_partial_len = 0;
    g_assert_true(sso_restored_agent_read_state_ok(&st, &why));
    /* once the message header is done, its fields do not matter */
    st.msg_header_done = true;
    st.msg_header_partial_len = UINT32_MAX;
    g_assert_true(sso_restored_agent_read_state_ok(&st, &why));
    st.read_filter_result = 4;
    g_assert_false(sso_restored_agent_read_state_ok(&st, &why));
    g_assert_cmpstr(why, ==, "a message filter state is not one the server has");
    st.read_filter_result = 3;
    st.write_filter_result = 255;
    g_assert_false(sso_restored_agent_read_state_ok(&st, &why));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    setup_krb5();

    g_test_add_func("/sso/export/ok", test_export_ok);
    g_test_add_func("/sso/export/heap-wiped", test_export_heap_wiped);
    g_test_add_func("/sso/export/wrong-principal", test_export_wrong_principal);
    g_test_add_func("/sso/export/foreign-ticket", test_export_foreign_ticket);
    g_test_add_func("/sso/export/no-credential", test_export_no_cred);
    g_test_add_func("/sso/export/release", test_release_delegated);
    g_test_add_func("/sso/name/full", test_full_name);
    g_test_add_func("/sso/name/mechanisms", test_mech_is_gss);
    g_test_add_func("/sso/mechlist/advertised", test_advertised_mechlist);
    g_test_add_func("/sso/binding/read-back", test_binding);
    g_test_add_func("/sso/policy/decisions", test_policy);
    g_test_add_func("/sso/delivery/message", test_delivery);
    g_test_add_func("/sso/delivery/replies", test_port_reader);
    g_test_add_func("/sso/delivery/restored-agent-data", test_restored_agent_data);
    g_test_add_func("/sso/delivery/restored-read-state", test_restored_read_state);

    int ret = g_test_run();
    teardown_krb5();
    return ret;
}
