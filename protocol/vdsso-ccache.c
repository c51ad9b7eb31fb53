/* vdsso-ccache.c - parse and build FILE-format version 4 credential caches
 * in memory, without krb5 and without allocating.
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Format (MIT krb5 "ccache_file_format", all big-endian):
 *   u16 0x0504, u16 header_len, header tags {u16 tag, u16 len, bytes},
 *   principal default, credential* until the end.
 *   principal: u32 name_type, u32 ncomponents, data realm, data component*
 *   data: u32 length, bytes
 *   credential: principal client, principal server, u16 enctype, data key,
 *     u32 authtime, starttime, endtime, renew_till, u8 is_skey, u32 flags,
 *     u32 naddrs {u16 type, data}*, u32 nauthdata {u16 type, data}*,
 *     data ticket, data second_ticket
 */
#include "vdagent-sso.h"
#include "vdsso-private.h"

#include <string.h>

#define CCACHE_V4 0x0504u
#define CONF_REALM "X-CACHECONF:"

typedef struct Reader {
    const uint8_t *p;
    size_t left;
    int bad;
} Reader;

static const uint8_t *take(Reader *r, size_t n)
{
    if (r->bad || n > r->left) {
        r->bad = 1;
        return NULL;
    }
    const uint8_t *at = r->p;
    r->p += n;
    r->left -= n;
    return at;
}

static uint32_t get32(Reader *r)
{
    const uint8_t *p = take(r, 4);
    return p != NULL ? vdsso_get_be32(p) : 0;
}

static uint16_t get16(Reader *r)
{
    const uint8_t *p = take(r, 2);
    return p != NULL ? vdsso_get_be16(p) : 0;
}

/* counted octet string; returns its bytes, length in *len */
static const uint8_t *get_data(Reader *r, uint32_t *len)
{
    *len = get32(r);
    return take(r, *len);
}

static int skip_principal(Reader *r, VDSsoSlice *s)
{
    const uint8_t *start = r->p;
    uint32_t len;
    (void)get32(r); /* name type */
    uint32_t n = get32(r);
    if (r->bad || n == 0 || n > VDSSO_CCACHE_MAX_COMPONENTS) {
        return 0;
    }
    const uint8_t *realm = get_data(r, &len);
    if (realm == NULL || len == 0) {
        return 0;
    }
    for (uint32_t i = 0; i < n; i++) {
        if (get_data(r, &len) == NULL) {
            return 0;
        }
    }
    s->p = start;
    s->len = (size_t)(r->p - start);
    return 1;
}

/* Walk an encoded principal that skip_principal() accepted. */
typedef struct PrincipalView {
    uint32_t ncomp;
    VDSsoSlice realm;
    VDSsoSlice comp[VDSSO_CCACHE_MAX_COMPONENTS];
} PrincipalView;

static int view_principal(VDSsoSlice s, PrincipalView *v)
{
    Reader r = { s.p, s.len, 0 };
    uint32_t len;
    (void)get32(&r);
    v->ncomp = get32(&r);
    if (r.bad || v->ncomp == 0 || v->ncomp > VDSSO_CCACHE_MAX_COMPONENTS) {
        return 0;
    }
    v->realm.p = get_data(&r, &len);
    v->realm.len = len;
    for (uint32_t i = 0; i < v->ncomp; i++) {
        v->comp[i].p = get_data(&r, &len);
        v->comp[i].len = len;
    }
    return !r.bad && r.left == 0 && v->realm.len > 0;
}

static int slice_eq(VDSsoSlice a, VDSsoSlice b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

static int slice_is(VDSsoSlice a, const char *s)
{
    size_t n = strlen(s);
    return a.len == n && memcmp(a.p, s, n) == 0;
}

static int skip_counted_list(Reader *r, uint32_t max)
{
    uint32_t n = get32(r), len;
    if (r->bad) {
        return 0;
    }
    /* each entry takes at least 6 bytes: bound the count by what is left */
    if (n > max || (size_t)n * 6 > r->left) {
        r->bad = 1;
        return 0;
    }
    for (uint32_t i = 0; i < n; i++) {
        (void)get16(r);
        if (get_data(r, &len) == NULL) {
            return 0;
        }
    }
    return 1;
}

static int parse_cred(Reader *r, VDSsoCcacheCred *c)
{
    const uint8_t *start = r->p;
    uint32_t len;
    if (!skip_principal(r, &c->client) || !skip_principal(r, &c->server)) {
        return 0;
    }
    (void)get16(r); /* enctype */
    if (get_data(r, &len) == NULL) {
        return 0;
    }
    c->authtime = get32(r);
    c->starttime = get32(r);
    c->endtime = get32(r);
    c->renew_till = get32(r);
    const uint8_t *is_skey = take(r, 1);
    c->ticket_flags = get32(r);
    if (r->bad || *is_skey > 1) {
        return 0;
    }
    if (!skip_counted_list(r, 256) || !skip_counted_list(r, 256)) {
        return 0;
    }
    if (get_data(r, &len) == NULL || get_data(r, &len) == NULL) {
        return 0;
    }
    c->whole.p = start;
    c->whole.len = (size_t)(r->p - start);
    PrincipalView v;
    c->is_config = view_principal(c->server, &v) && slice_is(v.realm, CONF_REALM);
    return 1;
}

int vdsso_ccache_parse(const uint8_t *buf, size_t len, VDSsoCcache *out)
{
    if (out == NULL || (buf == NULL && len > 0)) {
        return VDSSO_ERR_INVALID;
    }
    memset(out, 0, sizeof(*out));
    if (len > VDSSO_MAX_PAYLOAD) {
        return VDSSO_ERR_TOO_LARGE;
    }
    Reader r = { buf, len, 0 };
    if (get16(&r) != CCACHE_V4) {
        return r.bad ? VDSSO_ERR_TRUNCATED : VDSSO_ERR_CCACHE;
    }
    uint16_t header_len = get16(&r);
    const uint8_t *header = take(&r, header_len);
    if (header == NULL) {
        return VDSSO_ERR_TRUNCATED;
    }
    Reader h = { header, header_len, 0 };
    while (h.left > 0) {
        (void)get16(&h);
        uint16_t tl = get16(&h);
        if (take(&h, tl) == NULL) {
            return VDSSO_ERR_CCACHE;
        }
    }
    if (!skip_principal(&r, &out->default_principal)) {
        memset(out, 0, sizeof(*out));
        return r.bad ? VDSSO_ERR_TRUNCATED : VDSSO_ERR_CCACHE;
    }
    while (r.left > 0) {
        if (out->ncreds == VDSSO_CCACHE_MAX_CREDS) {
            memset(out, 0, sizeof(*out));
            return VDSSO_ERR_CCACHE_LIMIT;
        }
        if (!parse_cred(&r, &out->creds[out->ncreds])) {
            memset(out, 0, sizeof(*out));
            return r.bad ? VDSSO_ERR_TRUNCATED : VDSSO_ERR_CCACHE;
        }
        out->ncreds++;
    }
    if (out->ncreds == 0) {
        memset(out, 0, sizeof(*out));
        return VDSSO_ERR_CCACHE;
    }
    return VDSSO_OK;
}

int vdsso_principal_equal(VDSsoSlice a, VDSsoSlice b)
{
    PrincipalView va, vb;
    if (!view_principal(a, &va) || !view_principal(b, &vb) || va.ncomp != vb.ncomp ||
        !slice_eq(va.realm, vb.realm)) {
        return 0;
    }
    for (uint32_t i = 0; i < va.ncomp; i++) {
        if (!slice_eq(va.comp[i], vb.comp[i])) {
            return 0;
        }
    }
    return 1;
}

int vdsso_principal_is_local_tgs(VDSsoSlice p)
{
    PrincipalView v;
    return view_principal(p, &v) && v.ncomp == 2 && slice_is(v.comp[0], "krbtgt") &&
           slice_eq(v.comp[1], v.realm);
}

static int append_quoted(VDSsoSlice s, char *out, size_t out_len, size_t *pos)
{
    for (size_t i = 0; i < s.len; i++) {
        char c = (char)s.p[i];
        char esc = 0;
        switch (c) {
        case '/': case '@': case '\\': esc = c; break;
        case '\0': esc = '0'; break;
        case '\n': esc = 'n'; break;
        case '\t': esc = 't'; break;
        case '\b': esc = 'b'; break;
        }
        size_t need = esc ? 2 : 1;
        if (*pos + need >= out_len) {
            return 0;
        }
        if (esc) {
            out[(*pos)++] = '\\';
            out[(*pos)++] = esc;
        } else {
            out[(*pos)++] = c;
        }
    }
    return 1;
}

long vdsso_principal_unparse(VDSsoSlice p, char *out, size_t out_len)
{
    PrincipalView v;
    if (out == NULL || out_len == 0) {
        return VDSSO_ERR_INVALID;
    }
    out[0] = '\0';
    if (!view_principal(p, &v)) {
        return VDSSO_ERR_CCACHE;
    }
    size_t pos = 0;
    for (uint32_t i = 0; i < v.ncomp; i++) {
        if (i > 0) {
            if (pos + 1 >= out_len) {
                out[0] = '\0';
                return VDSSO_ERR_TOO_LARGE;
            }
            out[pos++] = '/';
        }
        if (!append_quoted(v.comp[i], out, out_len, &pos)) {
            out[0] = '\0';
            return VDSSO_ERR_TOO_LARGE;
        }
    }
    if (pos + 1 >= out_len) {
        out[0] = '\0';
        return VDSSO_ERR_TOO_LARGE;
    }
    out[pos++] = '@';
    if (!append_quoted(v.realm, out, out_len, &pos)) {
        out[0] = '\0';
        return VDSSO_ERR_TOO_LARGE;
    }
    out[pos] = '\0';
    return (long)pos;
}

long vdsso_principal_encode(uint32_t name_type, const char *realm, size_t realm_len,
                            const char *const *comps, const size_t *comp_lens, size_t ncomps,
                            uint8_t *out, size_t out_len)
{
    if (realm == NULL || realm_len == 0 || comps == NULL || comp_lens == NULL || ncomps == 0 ||
        ncomps > VDSSO_CCACHE_MAX_COMPONENTS || out == NULL) {
        return VDSSO_ERR_INVALID;
    }
    size_t need = 8 + 4 + realm_len;
    for (size_t i = 0; i < ncomps; i++) {
        if (comp_lens[i] > VDSSO_MAX_PAYLOAD || (comps[i] == NULL && comp_lens[i] > 0)) {
            return VDSSO_ERR_INVALID;
        }
        need += 4 + comp_lens[i];
    }
    if (need > VDSSO_MAX_PAYLOAD) {
        return VDSSO_ERR_TOO_LARGE;
    }
    if (out_len < need) {
        return VDSSO_ERR_INVALID;
    }
    uint8_t *w = out;
    vdsso_put_be32(w, name_type);
    vdsso_put_be32(w + 4, (uint32_t)ncomps);
    vdsso_put_be32(w + 8, (uint32_t)realm_len);
    memcpy(w + 12, realm, realm_len);
    w += 12 + realm_len;
    for (size_t i = 0; i < ncomps; i++) {
        vdsso_put_be32(w, (uint32_t)comp_lens[i]);
        if (comp_lens[i] > 0) {
            memcpy(w + 4, comps[i], comp_lens[i]);
        }
        w += 4 + comp_lens[i];
    }
    return (long)need;
}

size_t vdsso_ccache_size(VDSsoSlice default_principal, const VDSsoSlice *creds, size_t ncreds)
{
    size_t size = 4 + default_principal.len;
    for (size_t i = 0; i < ncreds; i++) {
        size += creds[i].len;
    }
    return size;
}

long vdsso_ccache_build(VDSsoSlice default_principal, const VDSsoSlice *creds, size_t ncreds,
                        uint8_t *out, size_t out_len)
{
    if (out == NULL || default_principal.p == NULL || (creds == NULL && ncreds > 0)) {
        return VDSSO_ERR_INVALID;
    }
    if (ncreds == 0) {
        return VDSSO_ERR_CCACHE;
    }
    if (ncreds > VDSSO_CCACHE_MAX_CREDS) {
        return VDSSO_ERR_CCACHE_LIMIT;
    }
    size_t size = vdsso_ccache_size(default_principal, creds, ncreds);
    if (size > VDSSO_MAX_CRED) {
        return VDSSO_ERR_TOO_LARGE;
    }
    if (out_len < size) {
        return VDSSO_ERR_INVALID;
    }
    uint8_t *w = out;
    vdsso_put_be16(w, CCACHE_V4);
    vdsso_put_be16(w + 2, 0);
    w += 4;
    memcpy(w, default_principal.p, default_principal.len);
    w += default_principal.len;
    for (size_t i = 0; i < ncreds; i++) {
        memcpy(w, creds[i].p, creds[i].len);
        w += creds[i].len;
    }
    /* what we built must be what a receiver accepts */
    VDSsoCcache check;
    int err = vdsso_ccache_parse(out, size, &check);
    if (err != VDSSO_OK) {
        vdsso_wipe(out, size);
        return err;
    }
    return (long)size;
}
