/* ccache-tamper.c - make and spoil VD_AGENT_SSO credentials for the refusal
 * tests; see ccache-tamper.h.
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ccache-tamper.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "vdagent-sso.h"

#define MAX_RECORDS (2 * VDSSO_CREDS_MAX_RECORDS)

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        snprintf(err, errlen, __VA_ARGS__);                                                        \
        goto out;                                                                                  \
    } while (0)

static int is_tgt(krb5_const_principal server)
{
    return server->length == 2 && server->data[0].length == 6 &&
           memcmp(server->data[0].data, "krbtgt", 6) == 0;
}

/* Encode @n krb5-owned records; frees them. */
static int encode(krb5_context ctx, krb5_data **recs, size_t n, uint8_t **out, size_t *out_len)
{
    VDSsoSlice slices[MAX_RECORDS];
    int ret = -1;
    for (size_t i = 0; i < n; i++) {
        slices[i].p = (const uint8_t *)recs[i]->data;
        slices[i].len = recs[i]->length;
    }
    size_t size = n > 0 && n <= VDSSO_CREDS_MAX_RECORDS ? vdsso_creds_size(slices, n) : 0;
    uint8_t *buf = size > 0 ? malloc(size) : NULL;
    if (buf != NULL && vdsso_creds_encode(slices, n, buf, size) == (long)size) {
        *out = buf;
        *out_len = size;
        ret = 0;
    } else {
        free(buf);
    }
    for (size_t i = 0; i < n; i++) {
        vdsso_wipe(recs[i]->data, recs[i]->length);
        krb5_free_data(ctx, recs[i]);
    }
    return ret;
}

int creds_from_ccache(krb5_context ctx, const char *ccname, uint8_t **out, size_t *out_len,
                      char *err, size_t errlen)
{
    krb5_ccache cc = NULL;
    krb5_cc_cursor cur;
    krb5_creds c;
    krb5_data *recs[MAX_RECORDS];
    size_t n = 0;
    int ret = -1;

    *out = NULL;
    *out_len = 0;
    if (krb5_cc_resolve(ctx, ccname, &cc) != 0 || krb5_cc_start_seq_get(ctx, cc, &cur) != 0) {
        snprintf(err, errlen, "cannot read the credential cache %s", ccname);
        if (cc != NULL) {
            krb5_cc_close(ctx, cc);
        }
        return -1;
    }
    while (krb5_cc_next_cred(ctx, cc, &cur, &c) == 0) {
        krb5_error_code kr = 0;
        if (!krb5_is_config_principal(ctx, c.server) && n < MAX_RECORDS) {
            kr = krb5_marshal_credentials(ctx, &c, &recs[n]);
            n += kr == 0;
        }
        krb5_free_cred_contents(ctx, &c);
        if (kr != 0) {
            snprintf(err, errlen, "cannot marshal a credential of %s", ccname);
            goto out;
        }
    }
    ret = encode(ctx, recs, n, out, out_len);
    n = 0;
    if (ret != 0) {
        snprintf(err, errlen, "%s holds no credential, or too many", ccname);
    }
out:
    for (size_t i = 0; i < n; i++) {
        krb5_free_data(ctx, recs[i]);
    }
    krb5_cc_end_seq_get(ctx, cc, &cur);
    krb5_cc_close(ctx, cc);
    return ret;
}

int creds_client_name(krb5_context ctx, const uint8_t *creds, size_t len, char *name,
                      size_t name_len)
{
    VDSsoCredsIter it;
    VDSsoSlice r;
    krb5_creds *c = NULL;
    char *s = NULL;
    int ret = -1;

    vdsso_creds_iter_init(&it, creds, len);
    if (vdsso_creds_next(&it, &r) != 1) {
        return -1;
    }
    krb5_data d = { .length = (unsigned)r.len, .data = (char *)r.p };
    if (krb5_unmarshal_credentials(ctx, &d, &c) == 0 && krb5_unparse_name(ctx, c->client, &s) == 0 &&
        strlen(s) < name_len) {
        strcpy(name, s);
        ret = 0;
    }
    krb5_free_unparsed_name(ctx, s);
    if (c != NULL) {
        krb5_free_creds(ctx, c);
    }
    return ret;
}

/* Re-marshal every record (spoiling the TGT as @kind says), add @extra's. */
static int rebuild(krb5_context ctx, const char *kind, const char *forge_as, const uint8_t *creds,
                   size_t len, const uint8_t *extra, size_t extra_len, uint8_t **out,
                   size_t *out_len, char *err, size_t errlen)
{
    krb5_data *recs[MAX_RECORDS] = { 0 };
    krb5_principal newclient = NULL;
    size_t n = 0;
    int ret = -1;

    for (int pass = 0; pass < 2; pass++) {
        const uint8_t *buf = pass == 0 ? creds : extra;
        size_t blen = pass == 0 ? len : extra_len;
        VDSsoCredsIter it;
        VDSsoSlice r;
        int got;
        if (buf == NULL) {
            continue;
        }
        vdsso_creds_iter_init(&it, buf, blen);
        while ((got = vdsso_creds_next(&it, &r)) > 0) {
            krb5_data d = { .length = (unsigned)r.len, .data = (char *)r.p };
            krb5_creds *cr = NULL;
            if (n == MAX_RECORDS || krb5_unmarshal_credentials(ctx, &d, &cr) != 0) {
                FAIL("a record does not unmarshal");
            }
            int tgt = pass == 0 && is_tgt(cr->server);
            if (pass == 0 && strcmp(kind, "client") == 0) {
                if (newclient == NULL) {
                    char name[512];
                    snprintf(name, sizeof(name), "%s@%.*s", forge_as ? forge_as : "bob",
                             (int)cr->client->realm.length, cr->client->realm.data);
                    if (krb5_parse_name(ctx, name, &newclient) != 0) {
                        krb5_free_creds(ctx, cr);
                        FAIL("bad name to forge as: %s", name);
                    }
                }
                krb5_free_principal(ctx, cr->client);
                cr->client = NULL;
                krb5_copy_principal(ctx, newclient, &cr->client);
            }
            if (tgt && strcmp(kind, "ticket") == 0) {
                cr->ticket.data[cr->ticket.length / 2] ^= 0x40;
            } else if (tgt && strcmp(kind, "session-key") == 0) {
                cr->keyblock.contents[0] ^= 0x01;
            } else if (tgt && strcmp(kind, "expired") == 0) {
                cr->times.endtime = (krb5_timestamp)(time(NULL) - 3600);
            }
            krb5_error_code kr = krb5_marshal_credentials(ctx, cr, &recs[n]);
            n += kr == 0;
            krb5_free_creds(ctx, cr);
            if (kr != 0) {
                FAIL("cannot marshal a record");
            }
        }
        if (got < 0) {
            FAIL("the credential records are malformed: %s", vdsso_strerror(got));
        }
    }
    ret = encode(ctx, recs, n, out, out_len);
    n = 0;
    if (ret != 0) {
        snprintf(err, errlen, "cannot encode the records");
    }
out:
    for (size_t i = 0; i < n; i++) {
        vdsso_wipe(recs[i]->data, recs[i]->length);
        krb5_free_data(ctx, recs[i]);
    }
    krb5_free_principal(ctx, newclient);
    return ret;
}

/* Spoil the bytes of every record, keeping the envelope whole. */
static int spoil_records(const char *kind, const uint8_t *creds, size_t len, uint8_t **out,
                         size_t *out_len, char *err, size_t errlen)
{
    VDSsoSlice recs[VDSSO_CREDS_MAX_RECORDS];
    uint8_t *copies[VDSSO_CREDS_MAX_RECORDS];
    VDSsoCredsIter it;
    VDSsoSlice r;
    size_t n = 0;
    int got, ret = -1;

    vdsso_creds_iter_init(&it, creds, len);
    while ((got = vdsso_creds_next(&it, &r)) > 0) {
        size_t l = strcmp(kind, "truncate") == 0 && r.len > 1 ? r.len / 2 : r.len;
        copies[n] = malloc(l);
        if (copies[n] == NULL) {
            FAIL("out of memory");
        }
        memcpy(copies[n], r.p, l);
        if (strcmp(kind, "garbage") == 0 && getrandom(copies[n], l, 0) != (ssize_t)l) {
            free(copies[n]);
            FAIL("getrandom failed");
        }
        recs[n].p = copies[n];
        recs[n].len = l;
        n++;
    }
    if (got < 0 || n == 0) {
        FAIL("the credential records are malformed");
    }
    size_t size = vdsso_creds_size(recs, n);
    uint8_t *buf = malloc(size);
    if (buf == NULL || vdsso_creds_encode(recs, n, buf, size) != (long)size) {
        free(buf);
        FAIL("cannot encode the records");
    }
    *out = buf;
    *out_len = size;
    ret = 0;
out:
    for (size_t i = 0; i < n; i++) {
        vdsso_wipe_free(copies[i], recs[i].len);
    }
    return ret;
}

int ccache_tamper(krb5_context ctx, const char *kind, const char *forge_as, const uint8_t *creds,
                  size_t len, const uint8_t *extra, size_t extra_len, uint8_t **out,
                  size_t *out_len, char *err, size_t errlen)
{
    const char *k = kind != NULL ? kind : "";

    *out = NULL;
    *out_len = 0;
    if (extra != NULL || k[0] == '\0' || strcmp(k, "ticket") == 0 ||
        strcmp(k, "session-key") == 0 || strcmp(k, "expired") == 0 || strcmp(k, "client") == 0) {
        return rebuild(ctx, k, forge_as, creds, len, extra, extra_len, out, out_len, err, errlen);
    }
    if (strcmp(k, "truncate") == 0 || strcmp(k, "garbage") == 0) {
        return spoil_records(k, creds, len, out, out_len, err, errlen);
    }
    snprintf(err, errlen, "unknown kind of tampering: %s", k);
    return -1;
}
