/* ccache-tamper.c - spoil a credential cache for the refusal tests; see
 * ccache-tamper.h.
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

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        snprintf(err, errlen, __VA_ARGS__);                                                        \
        goto out;                                                                                  \
    } while (0)

static long encode_principal(krb5_const_principal p, uint8_t *out, size_t n)
{
    const char *comps[VDSSO_CCACHE_MAX_COMPONENTS];
    size_t lens[VDSSO_CCACHE_MAX_COMPONENTS];
    if (p->length < 0 || (size_t)p->length > VDSSO_CCACHE_MAX_COMPONENTS) {
        return -1;
    }
    for (krb5_int32 i = 0; i < p->length; i++) {
        comps[i] = p->data[i].data;
        lens[i] = p->data[i].length;
    }
    return vdsso_principal_encode((uint32_t)p->type, p->realm.data, p->realm.length, comps, lens,
                                  (size_t)p->length, out, n);
}

static int is_tgt(krb5_const_principal server)
{
    return server->length == 2 && server->data[0].length == 6 &&
           memcmp(server->data[0].data, "krbtgt", 6) == 0;
}

/* Re-marshal every record (spoiling the TGT as @kind says), add @extra's. */
static int rebuild(krb5_context ctx, const char *kind, const char *forge_as, const uint8_t *cc,
                   size_t len, const uint8_t *extra, size_t extra_len, uint8_t **out,
                   size_t *out_len, char *err, size_t errlen)
{
    VDSsoCcache c, x;
    VDSsoSlice slices[2 * VDSSO_CCACHE_MAX_CREDS];
    krb5_data *marshalled[2 * VDSSO_CCACHE_MAX_CREDS] = { 0 };
    krb5_principal newclient = NULL;
    uint8_t defp[2048];
    long defp_len = 0;
    size_t n = 0, nx = 0;
    int ret = -1;

    if (vdsso_ccache_parse(cc, len, &c) != VDSSO_OK) {
        FAIL("the credential cache does not parse");
    }
    if (extra != NULL) {
        if (vdsso_ccache_parse(extra, extra_len, &x) != VDSSO_OK) {
            FAIL("the extra cache does not parse");
        }
        nx = x.ncreds;
    }
    for (size_t i = 0; i < c.ncreds + nx; i++) {
        const VDSsoCcacheCred *r = i < c.ncreds ? &c.creds[i] : &x.creds[i - c.ncreds];
        krb5_data d = { .length = (unsigned)r->whole.len, .data = (char *)r->whole.p };
        krb5_creds *cr = NULL;
        if (krb5_unmarshal_credentials(ctx, &d, &cr) != 0) {
            FAIL("a record does not unmarshal");
        }
        int tgt = i < c.ncreds && is_tgt(cr->server);
        if (i < c.ncreds && strcmp(kind, "client") == 0) {
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
        krb5_error_code kr = krb5_marshal_credentials(ctx, cr, &marshalled[n]);
        if (kr == 0) {
            slices[n].p = (const uint8_t *)marshalled[n]->data;
            slices[n].len = marshalled[n]->length;
            if (defp_len == 0) {
                defp_len = encode_principal(cr->client, defp, sizeof(defp));
            }
            n++;
        }
        krb5_free_creds(ctx, cr);
        if (kr != 0 || defp_len < 0) {
            FAIL("cannot marshal a record");
        }
    }
    VDSsoSlice dp = { defp, (size_t)defp_len };
    size_t size = vdsso_ccache_size(dp, slices, n);
    uint8_t *buf = malloc(size);
    long w = buf != NULL ? vdsso_ccache_build(dp, slices, n, buf, size) : -1;
    if (w < 0) {
        free(buf);
        FAIL("cannot build the cache");
    }
    *out = buf;
    *out_len = (size_t)w;
    ret = 0;
out:
    for (size_t i = 0; i < n; i++) {
        vdsso_wipe(marshalled[i]->data, marshalled[i]->length);
        krb5_free_data(ctx, marshalled[i]);
    }
    krb5_free_principal(ctx, newclient);
    return ret;
}

int ccache_tamper(krb5_context ctx, const char *kind, const char *forge_as, const uint8_t *cc,
                  size_t len, const uint8_t *extra, size_t extra_len, uint8_t **out,
                  size_t *out_len, char *err, size_t errlen)
{
    const char *k = kind != NULL ? kind : "";

    *out = NULL;
    *out_len = 0;
    if (extra != NULL || strcmp(k, "ticket") == 0 || strcmp(k, "session-key") == 0 ||
        strcmp(k, "expired") == 0 || strcmp(k, "client") == 0) {
        return rebuild(ctx, k, forge_as, cc, len, extra, extra_len, out, out_len, err, errlen);
    }
    if (k[0] != '\0' && strcmp(k, "truncate") != 0 && strcmp(k, "garbage") != 0) {
        snprintf(err, errlen, "unknown kind of tampering: %s", k);
        return -1;
    }
    size_t n = strcmp(k, "truncate") == 0 ? len / 2 : len;
    uint8_t *buf = malloc(n > 0 ? n : 1);
    if (buf == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    memcpy(buf, cc, n);
    if (strcmp(k, "garbage") == 0 && getrandom(buf, n, 0) != (ssize_t)n) {
        vdsso_wipe(buf, n);
        free(buf);
        snprintf(err, errlen, "getrandom failed");
        return -1;
    }
    *out = buf;
    *out_len = n;
    return 0;
}
