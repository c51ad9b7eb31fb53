/* Unit tests: FILE v4 credential caches, checked against MIT krb5's own
 * reader and writer (no KDC needed: the credentials are made up). */
#include "vdagent-sso.h"
#include "check.h"

#include <krb5.h>
#include <stdlib.h>
#include <unistd.h>

static krb5_context ctx;

static krb5_principal princ(const char *name)
{
    krb5_principal p = NULL;
    CHECK_INT(krb5_parse_name(ctx, name, &p), 0);
    return p;
}

/* A credential as the KDC would issue it, with made-up key and ticket. */
static void make_cred(krb5_creds *c, const char *client, const char *server)
{
    static uint8_t key[32], ticket[444];
    memset(c, 0, sizeof(*c));
    for (size_t i = 0; i < sizeof(key); i++) {
        key[i] = (uint8_t)(0xa0 + i);
    }
    for (size_t i = 0; i < sizeof(ticket); i++) {
        ticket[i] = (uint8_t)i;
    }
    c->client = princ(client);
    c->server = princ(server);
    c->keyblock.enctype = ENCTYPE_AES256_CTS_HMAC_SHA1_96;
    c->keyblock.length = sizeof(key);
    c->keyblock.contents = key;
    c->times.authtime = 1700000000;
    c->times.starttime = 1700000000;
    c->times.endtime = 1700036000;
    c->times.renew_till = 1700604800;
    c->ticket_flags = 0x60890000;
    c->ticket.length = sizeof(ticket);
    c->ticket.data = (char *)ticket;
}

static void free_made(krb5_creds *c)
{
    krb5_free_principal(ctx, c->client);
    krb5_free_principal(ctx, c->server);
}

/* Our principal encoder must agree with the bytes MIT puts in a record. */
static long encode_principal(const char *name, uint8_t *out, size_t n)
{
    krb5_principal p = princ(name);
    const char *comps[VDSSO_CCACHE_MAX_COMPONENTS];
    size_t lens[VDSSO_CCACHE_MAX_COMPONENTS];
    for (krb5_int32 i = 0; i < p->length; i++) {
        comps[i] = p->data[i].data;
        lens[i] = p->data[i].length;
    }
    long r = vdsso_principal_encode((uint32_t)p->type, p->realm.data, p->realm.length, comps, lens,
                                    (size_t)p->length, out, n);
    krb5_free_principal(ctx, p);
    return r;
}

/* Build a cache from marshalled records; returns its length. */
static size_t build(const char *def, krb5_creds *creds, size_t n, uint8_t *out, size_t out_len)
{
    uint8_t pbuf[512];
    long plen = encode_principal(def, pbuf, sizeof(pbuf));
    CHECK(plen > 0);
    VDSsoSlice slices[8];
    krb5_data *data[8];
    for (size_t i = 0; i < n; i++) {
        CHECK_INT(krb5_marshal_credentials(ctx, &creds[i], &data[i]), 0);
        slices[i].p = (const uint8_t *)data[i]->data;
        slices[i].len = data[i]->length;
    }
    VDSsoSlice dp = { pbuf, (size_t)plen };
    size_t want = vdsso_ccache_size(dp, slices, n);
    long r = vdsso_ccache_build(dp, slices, n, out, out_len);
    CHECK_INT(r, (long)want);
    for (size_t i = 0; i < n; i++) {
        krb5_free_data(ctx, data[i]);
    }
    return (size_t)r;
}

static void test_against_mit_reader(void)
{
    krb5_creds c;
    make_cred(&c, "alice@SPICE.TEST", "krbtgt/SPICE.TEST@SPICE.TEST");
    uint8_t buf[4096];
    size_t len = build("alice@SPICE.TEST", &c, 1, buf, sizeof(buf));

    /* MIT's FILE ccache reads what we built */
    char path[] = "/tmp/test-ccache-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    CHECK_INT(write(fd, buf, len), (long)len);
    close(fd);
    char name[64];
    snprintf(name, sizeof(name), "FILE:%s", path);
    krb5_ccache cc;
    CHECK_INT(krb5_cc_resolve(ctx, name, &cc), 0);
    krb5_principal def = NULL;
    CHECK_INT(krb5_cc_get_principal(ctx, cc, &def), 0);
    CHECK(def && krb5_principal_compare(ctx, def, c.client));
    krb5_cc_cursor cur;
    krb5_creds got;
    int n = 0;
    CHECK_INT(krb5_cc_start_seq_get(ctx, cc, &cur), 0);
    while (krb5_cc_next_cred(ctx, cc, &cur, &got) == 0) {
        if (!krb5_is_config_principal(ctx, got.server)) {
            n++;
            CHECK(krb5_principal_compare(ctx, got.server, c.server));
            CHECK_INT(got.keyblock.length, 32);
            CHECK_MEM(got.keyblock.contents, c.keyblock.contents, 32);
            CHECK_INT(got.times.endtime, c.times.endtime);
            CHECK_INT(got.ticket_flags, c.ticket_flags);
            CHECK_INT(got.ticket.length, c.ticket.length);
        }
        krb5_free_cred_contents(ctx, &got);
    }
    krb5_cc_end_seq_get(ctx, cc, &cur);
    CHECK_INT(n, 1);
    krb5_free_principal(ctx, def);
    krb5_cc_close(ctx, cc);
    unlink(path);

    /* our parser reads it too, and each record unmarshals with MIT */
    VDSsoCcache cache;
    CHECK_INT(vdsso_ccache_parse(buf, len, &cache), VDSSO_OK);
    CHECK_INT(cache.ncreds, 1);
    CHECK_INT(cache.creds[0].endtime, 1700036000);
    CHECK_INT(cache.creds[0].ticket_flags, 0x60890000);
    CHECK(!cache.creds[0].is_config);
    CHECK(vdsso_principal_is_local_tgs(cache.creds[0].server));
    CHECK(!vdsso_principal_is_local_tgs(cache.creds[0].client));
    CHECK(vdsso_principal_equal(cache.default_principal, cache.creds[0].client));
    CHECK(!vdsso_principal_equal(cache.default_principal, cache.creds[0].server));
    krb5_data rec = { .length = (unsigned)cache.creds[0].whole.len,
                      .data = (char *)cache.creds[0].whole.p };
    krb5_creds *back = NULL;
    CHECK_INT(krb5_unmarshal_credentials(ctx, &rec, &back), 0);
    CHECK(back && krb5_principal_compare(ctx, back->client, c.client));
    krb5_free_creds(ctx, back);
    char text[256];
    CHECK_INT(vdsso_principal_unparse(cache.default_principal, text, sizeof(text)), 16);
    CHECK_STR(text, "alice@SPICE.TEST");
    CHECK_INT(vdsso_principal_unparse(cache.creds[0].server, text, sizeof(text)), 28);
    CHECK_STR(text, "krbtgt/SPICE.TEST@SPICE.TEST");
    CHECK_INT(vdsso_principal_unparse(cache.default_principal, text, 16), VDSSO_ERR_TOO_LARGE);
    CHECK_STR(text, "");
    free_made(&c);
}

/* A cache written by MIT (a MEMORY cache is not a file: use FILE) parses. */
static void test_mit_writer(void)
{
    char path[] = "/tmp/test-ccache-XXXXXX";
    int fd = mkstemp(path);
    close(fd);
    unlink(path);
    char name[64];
    snprintf(name, sizeof(name), "FILE:%s", path);
    krb5_ccache cc;
    krb5_creds c, c2;
    make_cred(&c, "bob/admin@SPICE.TEST", "krbtgt/SPICE.TEST@SPICE.TEST");
    make_cred(&c2, "bob/admin@SPICE.TEST", "host/guest.spice.test@SPICE.TEST");
    CHECK_INT(krb5_cc_resolve(ctx, name, &cc), 0);
    CHECK_INT(krb5_cc_initialize(ctx, cc, c.client), 0);
    CHECK_INT(krb5_cc_store_cred(ctx, cc, &c), 0);
    CHECK_INT(krb5_cc_store_cred(ctx, cc, &c2), 0);
    krb5_data conf = { .length = 4, .data = (char *)"yes" };
    CHECK_INT(krb5_cc_set_config(ctx, cc, NULL, "fast_avail", &conf), 0);
    krb5_cc_close(ctx, cc);

    uint8_t buf[8192];
    FILE *f = fopen(path, "rb");
    size_t len = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    unlink(path);
    VDSsoCcache cache;
    CHECK_INT(vdsso_ccache_parse(buf, len, &cache), VDSSO_OK);
    CHECK_INT(cache.ncreds, 3);
    int config = 0;
    for (size_t i = 0; i < cache.ncreds; i++) {
        config += cache.creds[i].is_config;
    }
    CHECK_INT(config, 1);
    char text[256];
    vdsso_principal_unparse(cache.default_principal, text, sizeof(text));
    CHECK_STR(text, "bob/admin@SPICE.TEST");
    free_made(&c);
    free_made(&c2);
}

static void test_malformed(void)
{
    krb5_creds c;
    make_cred(&c, "alice@SPICE.TEST", "krbtgt/SPICE.TEST@SPICE.TEST");
    uint8_t buf[4096];
    size_t len = build("alice@SPICE.TEST", &c, 1, buf, sizeof(buf));
    VDSsoCcache cache;

    /* every truncation is refused */
    for (size_t i = 0; i < len; i++) {
        int r = vdsso_ccache_parse(buf, i, &cache);
        CHECK(r == VDSSO_ERR_TRUNCATED || r == VDSSO_ERR_CCACHE);
        CHECK_INT(cache.ncreds, 0);
    }
    /* wrong version */
    buf[1] = 3;
    CHECK_INT(vdsso_ccache_parse(buf, len, &cache), VDSSO_ERR_CCACHE);
    buf[1] = 4;
    /* a header tag longer than the header */
    uint8_t tagged[4096];
    memcpy(tagged, buf, 2);
    static const uint8_t hdr[] = { 0, 4, 0, 1, 0, 8 };
    memcpy(tagged + 2, hdr, sizeof(hdr));
    memcpy(tagged + 8, buf + 4, len - 4);
    CHECK_INT(vdsso_ccache_parse(tagged, len + 4, &cache), VDSSO_ERR_CCACHE);
    /* a valid header tag (KDC time offset) is fine */
    static const uint8_t hdr2[] = { 0, 12, 0, 1, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0 };
    memcpy(tagged + 2, hdr2, sizeof(hdr2));
    memcpy(tagged + 16, buf + 4, len - 4);
    CHECK_INT(vdsso_ccache_parse(tagged, len + 12, &cache), VDSSO_OK);
    /* default principal with zero components, or too many */
    uint8_t copy[4096];
    memcpy(copy, buf, len);
    copy[4 + 7] = 0;
    CHECK_INT(vdsso_ccache_parse(copy, len, &cache), VDSSO_ERR_CCACHE);
    copy[4 + 7] = VDSSO_CCACHE_MAX_COMPONENTS + 1;
    CHECK_INT(vdsso_ccache_parse(copy, len, &cache), VDSSO_ERR_CCACHE);
    /* a huge counted length */
    memcpy(copy, buf, len);
    copy[4 + 8] = 0xff;
    CHECK_INT(vdsso_ccache_parse(copy, len, &cache), VDSSO_ERR_TRUNCATED);
    /* trailing partial record */
    memcpy(copy, buf, len);
    copy[len] = 0;
    CHECK_INT(vdsso_ccache_parse(copy, len + 1, &cache), VDSSO_ERR_TRUNCATED);
    /* no credentials at all */
    uint8_t pbuf[128];
    long plen = encode_principal("alice@SPICE.TEST", pbuf, sizeof(pbuf));
    uint8_t only[200] = { 5, 4, 0, 0 };
    memcpy(only + 4, pbuf, (size_t)plen);
    CHECK_INT(vdsso_ccache_parse(only, 4 + (size_t)plen, &cache), VDSSO_ERR_CCACHE);
    CHECK_INT(vdsso_ccache_parse(buf, VDSSO_MAX_PAYLOAD + 1, &cache), VDSSO_ERR_TOO_LARGE);
    free_made(&c);
}

static void test_limits(void)
{
    krb5_creds c[1];
    make_cred(&c[0], "alice@SPICE.TEST", "krbtgt/SPICE.TEST@SPICE.TEST");
    krb5_data *d;
    CHECK_INT(krb5_marshal_credentials(ctx, &c[0], &d), 0);
    VDSsoSlice recs[VDSSO_CCACHE_MAX_CREDS + 1];
    for (size_t i = 0; i <= VDSSO_CCACHE_MAX_CREDS; i++) {
        recs[i].p = (const uint8_t *)d->data;
        recs[i].len = d->length;
    }
    uint8_t pbuf[128];
    long plen = encode_principal("alice@SPICE.TEST", pbuf, sizeof(pbuf));
    VDSsoSlice dp = { pbuf, (size_t)plen };
    uint8_t *out = malloc(VDSSO_MAX_PAYLOAD);
    long r = vdsso_ccache_build(dp, recs, VDSSO_CCACHE_MAX_CREDS + 1, out, VDSSO_MAX_PAYLOAD);
    CHECK_INT(r, VDSSO_ERR_CCACHE_LIMIT);
    r = vdsso_ccache_build(dp, recs, VDSSO_CCACHE_MAX_CREDS, out, VDSSO_MAX_PAYLOAD);
    CHECK(r > 0);
    VDSsoCcache cache;
    CHECK_INT(vdsso_ccache_parse(out, (size_t)r, &cache), VDSSO_OK);
    CHECK_INT(cache.ncreds, VDSSO_CCACHE_MAX_CREDS);
    /* append one more record by hand: the parser stops at the limit */
    memcpy(out + r, d->data, d->length);
    CHECK_INT(vdsso_ccache_parse(out, (size_t)r + d->length, &cache), VDSSO_ERR_CCACHE_LIMIT);
    CHECK_INT(vdsso_ccache_build(dp, recs, 0, out, VDSSO_MAX_PAYLOAD), VDSSO_ERR_CCACHE);
    free(out);
    krb5_free_data(ctx, d);
    free_made(&c[0]);
}

static void test_unparse_quoting(void)
{
    const char *comps[] = { "we/ird@", "x\\y" };
    size_t lens[] = { 7, 3 };
    uint8_t buf[128];
    long n = vdsso_principal_encode(1, "R", 1, comps, lens, 2, buf, sizeof(buf));
    CHECK(n > 0);
    char text[64];
    VDSsoSlice s = { buf, (size_t)n };
    vdsso_principal_unparse(s, text, sizeof(text));
    /* as krb5_unparse_name would print it */
    krb5_principal p = NULL;
    CHECK_INT(krb5_build_principal(ctx, &p, 1, "R", "we/ird@", "x\\y", NULL), 0);
    char *mit = NULL;
    CHECK_INT(krb5_unparse_name(ctx, p, &mit), 0);
    CHECK_STR(text, mit);
    krb5_free_unparsed_name(ctx, mit);
    krb5_free_principal(ctx, p);
    CHECK(!vdsso_principal_is_local_tgs(s));
}

int main(void)
{
    /* no krb5.conf needed: nothing here talks to a KDC */
    setenv("KRB5_CONFIG", "/dev/null", 1);
    CHECK_INT(krb5_init_context(&ctx), 0);
    test_against_mit_reader();
    test_mit_writer();
    test_malformed();
    test_limits();
    test_unparse_quoting();
    krb5_free_context(ctx);
    return check_status("test-ccache");
}
