/* fake-creds.h - made-up Kerberos credentials and caches for the unit tests
 * of sso-krb5 (no KDC: keys and tickets are arbitrary bytes; nothing here
 * would verify, which is what the verification tests rely on). */
#ifndef FAKE_CREDS_H
#define FAKE_CREDS_H

#include "vdagent-sso.h"

#include <fcntl.h>
#include <glib.h>
#include <krb5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static krb5_context fake_ctx;

static krb5_principal fake_princ(const char *name)
{
    krb5_principal p = NULL;
    g_assert_cmpint(krb5_parse_name(fake_ctx, name, &p), ==, 0);
    return p;
}

/* A credential valid from now for @life seconds (negative: expired). */
static void fake_cred(krb5_creds *c, const char *client, const char *server, long life)
{
    static uint8_t key[32], ticket[300];
    memset(c, 0, sizeof(*c));
    for (size_t i = 0; i < sizeof(key); i++) {
        key[i] = (uint8_t)(0x5a ^ i);
    }
    for (size_t i = 0; i < sizeof(ticket); i++) {
        ticket[i] = (uint8_t)(i * 7);
    }
    time_t now = time(NULL);
    c->client = fake_princ(client);
    c->server = fake_princ(server);
    c->keyblock.enctype = ENCTYPE_AES256_CTS_HMAC_SHA1_96;
    c->keyblock.length = sizeof(key);
    c->keyblock.contents = key;
    c->times.authtime = (krb5_timestamp)(now - 10);
    c->times.starttime = (krb5_timestamp)(now - 10);
    c->times.endtime = (krb5_timestamp)(now + life);
    c->times.renew_till = (krb5_timestamp)(now + 7 * 86400);
    c->ticket_flags = 0x60890000;
    c->ticket.length = sizeof(ticket);
    c->ticket.data = (char *)ticket;
}

static void fake_cred_free(krb5_creds *c)
{
    krb5_free_principal(fake_ctx, c->client);
    krb5_free_principal(fake_ctx, c->server);
}

/* A FILE cache written by MIT into @path: default principal @def, then
 * @creds, then a configuration entry if @config. */
static void fake_cache_file(const char *path, const char *def, krb5_creds *creds, size_t n,
                            int config)
{
    char name[4200];
    snprintf(name, sizeof(name), "FILE:%s", path);
    krb5_ccache cc;
    krb5_principal d = fake_princ(def);
    g_assert_cmpint(krb5_cc_resolve(fake_ctx, name, &cc), ==, 0);
    g_assert_cmpint(krb5_cc_initialize(fake_ctx, cc, d), ==, 0);
    for (size_t i = 0; i < n; i++) {
        g_assert_cmpint(krb5_cc_store_cred(fake_ctx, cc, &creds[i]), ==, 0);
    }
    if (config) {
        krb5_data v = { .length = 3, .data = (char *)"yes" };
        g_assert_cmpint(krb5_cc_set_config(fake_ctx, cc, NULL, "fast_avail", &v), ==, 0);
    }
    krb5_cc_close(fake_ctx, cc);
    krb5_free_principal(fake_ctx, d);
}

/* The same as a VD_AGENT_SSO credential: each credential of that cache
 * (configuration entries included), as krb5 reads it back, marshalled
 * with krb5_marshal_credentials into a record. *@len set; free the result. */
static uint8_t *fake_cache_bytes(const char *def, krb5_creds *creds, size_t n, int config,
                                 size_t *len)
{
    char path[] = "/tmp/sso-krb5-test-XXXXXX", name[64];
    int fd = mkstemp(path);
    g_assert_true(fd >= 0);
    close(fd);
    unlink(path);
    fake_cache_file(path, def, creds, n, config);
    snprintf(name, sizeof(name), "FILE:%s", path);
    krb5_ccache cc;
    krb5_cc_cursor cur;
    krb5_creds c;
    krb5_data *m[VDSSO_CREDS_MAX_RECORDS];
    VDSsoSlice recs[VDSSO_CREDS_MAX_RECORDS];
    size_t nrec = 0;
    g_assert_cmpint(krb5_cc_resolve(fake_ctx, name, &cc), ==, 0);
    g_assert_cmpint(krb5_cc_start_seq_get(fake_ctx, cc, &cur), ==, 0);
    while (nrec < VDSSO_CREDS_MAX_RECORDS && krb5_cc_next_cred(fake_ctx, cc, &cur, &c) == 0) {
        g_assert_cmpint(krb5_marshal_credentials(fake_ctx, &c, &m[nrec]), ==, 0);
        recs[nrec].p = (const uint8_t *)m[nrec]->data;
        recs[nrec].len = m[nrec]->length;
        nrec++;
        krb5_free_cred_contents(fake_ctx, &c);
    }
    krb5_cc_end_seq_get(fake_ctx, cc, &cur);
    krb5_cc_destroy(fake_ctx, cc);
    size_t size = nrec > 0 ? vdsso_creds_size(recs, nrec) : 0;
    uint8_t *buf = malloc(size > 0 ? size : 1);
    if (nrec > 0) {
        g_assert_cmpint(vdsso_creds_encode(recs, nrec, buf, size), ==, (long)size);
    }
    for (size_t i = 0; i < nrec; i++) {
        krb5_free_data(fake_ctx, m[i]);
    }
    *len = size;
    return buf;
}

/* A decoded VD_AGENT_SSO message around a credential (not a copy). */
static VDSsoMsg fake_msg(const char *principal, uint8_t *cred, size_t len)
{
    VDSsoMsg m = { .version = VDSSO_VERSION, .serial = 7, .flags = VDSSO_FLAG_LOGIN,
                   .cred_type = VDSSO_CRED_KRB5_CREDS, .principal = (char *)principal,
                   .principal_len = (uint32_t)strlen(principal), .cred = cred,
                   .cred_len = (uint32_t)len };
    return m;
}

/* Write a krb5.conf for the tests; returns its path (static buffer). */
static const char *fake_krb5_conf(const char *dir, const char *ccache_line)
{
    static char path[4096];
    snprintf(path, sizeof(path), "%s/krb5.conf", dir);
    FILE *f = fopen(path, "w");
    g_assert_true(f != NULL);
    fprintf(f, "[libdefaults]\n\tdefault_realm = SPICE.TEST\n\tdns_lookup_kdc = false\n"
               "\tdns_lookup_realm = false\n%s%s%s\n[realms]\n\tSPICE.TEST = {\n"
               "\t\tkdc = 127.0.0.1:9\n\t}\n",
            ccache_line ? "\tdefault_ccache_name = " : "", ccache_line ? ccache_line : "",
            ccache_line ? "\n" : "");
    fclose(f);
    chmod(path, 0644);
    return path;
}

#endif
