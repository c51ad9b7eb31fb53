/* Unit tests: VD_AGENT_SSO payload, its reply, and agent-port framing. */
#include "vdagent-sso.h"

#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char PRINC[] = "alice@SPICE.TEST";
static uint8_t cred_bytes[600];

static VDSsoMsg sample(void)
{
    for (size_t i = 0; i < sizeof(cred_bytes); i++) {
        cred_bytes[i] = (uint8_t)(i * 7 + 3);
    }
    /* one record of 596 bytes */
    cred_bytes[0] = 596 & 0xff;
    cred_bytes[1] = 596 >> 8;
    cred_bytes[2] = cred_bytes[3] = 0;
    VDSsoMsg m = {
        .version = VDSSO_VERSION,
        .serial = 0x01020304,
        .flags = VDSSO_FLAG_LOGIN | VDSSO_FLAG_REFRESH,
        .cred_type = VDSSO_CRED_KRB5_CREDS,
        .principal = (char *)PRINC,
        .principal_len = sizeof(PRINC) - 1,
        .cred = cred_bytes,
        .cred_len = sizeof(cred_bytes),
    };
    return m;
}

/* encode @m into a fresh buffer; returns the length */
static size_t encode(const VDSsoMsg *m, uint8_t **buf)
{
    size_t n = vdsso_msg_size(m);
    *buf = malloc(n + 16);
    long r = vdsso_msg_encode(m, *buf, n + 16);
    g_assert_cmpint(r, ==, (long)n);
    return n;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static int decode_err(const uint8_t *buf, size_t len)
{
    VDSsoMsg *m = (VDSsoMsg *)1;
    int r = vdsso_msg_decode(buf, len, &m);
    if (r == VDSSO_OK) {
        vdsso_msg_free(m);
    } else {
        g_assert_true(m == NULL);
    }
    return r;
}

static void test_round_trip(void)
{
    VDSsoMsg m = sample();
    uint8_t *buf;
    size_t n = encode(&m, &buf);
    g_assert_cmpint(n, ==, 24 + 16 + 600);
    /* byte layout, little-endian */
    static const uint8_t head[] = { 2, 0, 0, 0, 4, 3, 2, 1, 3, 0, 0, 0, 2, 0, 0, 0,
                                    16, 0, 0, 0, 0x58, 2, 0, 0 };
    g_assert_cmpmem(buf, sizeof(head), head, sizeof(head));
    g_assert_cmpmem(buf + 24, 16, PRINC, 16);
    VDSsoMsg *d = NULL;
    g_assert_cmpint(vdsso_msg_decode(buf, n, &d), ==, VDSSO_OK);
    g_assert_true(d != NULL);
    if (d) {
        g_assert_cmpint(d->version, ==, 2);
        g_assert_cmpint(d->serial, ==, 0x01020304);
        g_assert_cmpint(d->flags, ==, 3);
        g_assert_cmpint(d->cred_type, ==, VDSSO_CRED_KRB5_CREDS);
        g_assert_cmpstr(d->principal, ==, PRINC);
        g_assert_cmpint(d->principal_len, ==, 16);
        g_assert_cmpint(d->cred_len, ==, 600);
        g_assert_cmpmem(d->cred, 600, cred_bytes, 600);
    }
    vdsso_msg_free(d);
    vdsso_msg_free(NULL);
    free(buf);
}

static void test_truncations(void)
{
    VDSsoMsg m = sample();
    uint8_t *buf;
    size_t n = encode(&m, &buf);
    for (size_t len = 0; len < n; len++) {
        int r = decode_err(buf, len);
        if (r != VDSSO_ERR_TRUNCATED) {
            fprintf(stderr, "truncation at %zu: got %d\n", len, r);
        }
        g_assert_cmpint(r, ==, VDSSO_ERR_TRUNCATED);
    }
    g_assert_cmpint(decode_err(NULL, 0), ==, VDSSO_ERR_TRUNCATED);
    free(buf);
}

/* Overwrite a 32-bit field of a valid encoding and expect @want. */
static void field_case(size_t off, uint32_t value, int want)
{
    VDSsoMsg m = sample();
    uint8_t *buf;
    size_t n = encode(&m, &buf);
    put32(buf + off, value);
    int r = decode_err(buf, n);
    if (r != want) {
        fprintf(stderr, "field at %zu = %#x: got %d (%s), want %d\n", off, value, r,
                vdsso_strerror(r), want);
    }
    g_assert_cmpint(r, ==, want);
    free(buf);
}

static void test_fields(void)
{
    field_case(0, 0, VDSSO_ERR_VERSION);
    field_case(0, 1, VDSSO_ERR_VERSION);
    field_case(0, 3, VDSSO_ERR_VERSION);
    field_case(0, 0xffffffff, VDSSO_ERR_VERSION);
    field_case(8, 0, VDSSO_ERR_FLAGS);
    field_case(8, 4, VDSSO_ERR_FLAGS);
    field_case(8, 0x80000001, VDSSO_ERR_FLAGS);
    field_case(12, 0, VDSSO_ERR_CRED_TYPE);
    field_case(12, 1, VDSSO_ERR_CRED_TYPE); /* the retired FILE cache */
    field_case(12, 3, VDSSO_ERR_CRED_TYPE);
    /* the record envelope inside the credential */
    field_case(24 + 16, 0, VDSSO_ERR_CREDS);
    field_case(24 + 16, 597, VDSSO_ERR_CREDS);
    field_case(24 + 16, 595, VDSSO_ERR_CREDS);
    field_case(24 + 16, 0xffffffff, VDSSO_ERR_CREDS);
    field_case(16, 0, VDSSO_ERR_PRINCIPAL);
    field_case(16, VDSSO_MAX_PRINCIPAL + 1, VDSSO_ERR_PRINCIPAL);
    field_case(16, 0xffffffff, VDSSO_ERR_PRINCIPAL);
    field_case(16, 17, VDSSO_ERR_TRUNCATED); /* lengths no longer add up */
    field_case(16, 15, VDSSO_ERR_TRAILING);
    field_case(20, 0, VDSSO_ERR_EMPTY_CRED);
    field_case(20, 0xffffffff, VDSSO_ERR_TOO_LARGE);
    field_case(20, VDSSO_MAX_PAYLOAD - 24 - 16 + 1, VDSSO_ERR_TOO_LARGE);
    field_case(20, 601, VDSSO_ERR_TRUNCATED);
    field_case(20, 599, VDSSO_ERR_TRAILING);
    /* the serial is opaque: any value is fine */
    field_case(4, 0xffffffff, VDSSO_OK);

    /* bytes of the principal: control characters, NUL and DEL refused */
    static const uint8_t bad[] = { 0, 1, '\n', 0x1f, 0x7f };
    for (size_t i = 0; i < sizeof(bad); i++) {
        VDSsoMsg m = sample();
        uint8_t *buf;
        size_t n = encode(&m, &buf);
        buf[24 + 5] = bad[i];
        g_assert_cmpint(decode_err(buf, n), ==, VDSSO_ERR_PRINCIPAL);
        free(buf);
    }
    /* UTF-8 is fine */
    char utf8[] = "j\xc3\xb6rg@SPICE.TEST";
    VDSsoMsg m = sample();
    m.principal = utf8;
    m.principal_len = (uint32_t)strlen(utf8);
    uint8_t *buf;
    size_t n = encode(&m, &buf);
    g_assert_cmpint(decode_err(buf, n), ==, VDSSO_OK);
    free(buf);
}

static void test_sizes(void)
{
    /* a payload of exactly 64 KiB is the largest accepted */
    size_t cred_len = VDSSO_MAX_PAYLOAD - 24 - 16;
    uint8_t *cred = calloc(1, cred_len + 1);
    /* two records fill it: the largest one and the rest */
    put32(cred, VDSSO_CREDS_MAX_RECORD);
    put32(cred + 4 + VDSSO_CREDS_MAX_RECORD, (uint32_t)(cred_len - 8 - VDSSO_CREDS_MAX_RECORD));
    VDSsoMsg m = sample();
    m.cred = cred;
    m.cred_len = (uint32_t)cred_len;
    g_assert_cmpint(vdsso_msg_size(&m), ==, VDSSO_MAX_PAYLOAD);
    uint8_t *buf = malloc(VDSSO_MAX_PAYLOAD + 1);
    g_assert_cmpint(vdsso_msg_encode(&m, buf, VDSSO_MAX_PAYLOAD + 1), ==, VDSSO_MAX_PAYLOAD);
    g_assert_cmpint(decode_err(buf, VDSSO_MAX_PAYLOAD), ==, VDSSO_OK);
    /* one byte more: refused before anything is read */
    g_assert_cmpint(decode_err(buf, VDSSO_MAX_PAYLOAD + 1), ==, VDSSO_ERR_TOO_LARGE);
    m.cred_len++;
    g_assert_cmpint(vdsso_msg_size(&m), ==, 0);
    g_assert_cmpint(vdsso_msg_encode(&m, buf, VDSSO_MAX_PAYLOAD + 1), ==, VDSSO_ERR_TOO_LARGE);
    free(buf);
    free(cred);

    /* encoder refuses what the decoder would refuse */
    m = sample();
    uint8_t out[1024];
    m.cred_len = 0;
    g_assert_cmpint(vdsso_msg_encode(&m, out, sizeof(out)), ==, VDSSO_ERR_EMPTY_CRED);
    m = sample();
    m.principal = (char *)"bad\nname";
    m.principal_len = 8;
    g_assert_cmpint(vdsso_msg_encode(&m, out, sizeof(out)), ==, VDSSO_ERR_PRINCIPAL);
    m = sample();
    g_assert_cmpint(vdsso_msg_encode(&m, out, 10), ==, VDSSO_ERR_INVALID);
    m.version = 1;
    g_assert_cmpint(vdsso_msg_encode(&m, out, sizeof(out)), ==, VDSSO_ERR_VERSION);
    m = sample();
    m.cred_len = 100; /* the record says 596 */
    g_assert_cmpint(vdsso_msg_encode(&m, out, sizeof(out)), ==, VDSSO_ERR_CREDS);
}

static void test_version_first(void)
{
    /* a future version is reported as such even when its layout differs */
    uint8_t buf[4];
    put32(buf, 3);
    g_assert_cmpint(decode_err(buf, 4), ==, VDSSO_ERR_VERSION);
    put32(buf, 1); /* the retired version: a FILE credential cache */
    g_assert_cmpint(decode_err(buf, 4), ==, VDSSO_ERR_VERSION);
    uint8_t big[100] = { 0 };
    put32(big, 7);
    g_assert_cmpint(decode_err(big, sizeof(big)), ==, VDSSO_ERR_VERSION);
}

static void test_trailing(void)
{
    VDSsoMsg m = sample();
    uint8_t *buf;
    size_t n = encode(&m, &buf);
    buf[n] = 0xaa;
    g_assert_cmpint(decode_err(buf, n + 1), ==, VDSSO_ERR_TRAILING);
    g_assert_cmpint(decode_err(buf, n + 16), ==, VDSSO_ERR_TRAILING);
    free(buf);
}

static void test_reply(void)
{
    VDSsoReply r = { VDSSO_VERSION, 42, VDSSO_RESULT_SEAT_BUSY }, d;
    uint8_t buf[32];
    g_assert_cmpint(vdsso_reply_encode(&r, buf, sizeof(buf)), ==, 12);
    static const uint8_t want[] = { 2, 0, 0, 0, 42, 0, 0, 0, 6, 0, 0, 0 };
    g_assert_cmpmem(buf, 12, want, 12);
    g_assert_cmpint(vdsso_reply_decode(buf, 12, &d), ==, VDSSO_OK);
    g_assert_cmpint(d.serial, ==, 42);
    g_assert_cmpint(d.result, ==, VDSSO_RESULT_SEAT_BUSY);
    for (size_t len = 0; len < 12; len++) {
        g_assert_cmpint(vdsso_reply_decode(buf, len, &d), ==, VDSSO_ERR_TRUNCATED);
    }
    g_assert_cmpint(vdsso_reply_decode(buf, 13, &d), ==, VDSSO_ERR_TRAILING);
    /* the newest result keeps its wire value */
    buf[8] = 10;
    g_assert_cmpint(vdsso_reply_decode(buf, 12, &d), ==, VDSSO_OK);
    g_assert_cmpint(d.result, ==, VDSSO_RESULT_USER_REFUSED);
    buf[8] = VDSSO_RESULT_LAST + 1;
    g_assert_cmpint(vdsso_reply_decode(buf, 12, &d), ==, VDSSO_ERR_RESULT);
    buf[0] = 1;
    g_assert_cmpint(vdsso_reply_decode(buf, 12, &d), ==, VDSSO_ERR_VERSION);
    g_assert_cmpint(vdsso_reply_decode(buf, 20, &d), ==, VDSSO_ERR_VERSION);
    r.result = 99;
    g_assert_cmpint(vdsso_reply_encode(&r, buf, sizeof(buf)), ==, VDSSO_ERR_RESULT);
    for (uint32_t i = 0; i <= VDSSO_RESULT_LAST; i++) {
        g_assert_true(strcmp(vdsso_result_str(i), "unknown result") != 0);
        /* one word: safe as a key=value value */
        g_assert_true(strcmp(vdsso_result_name(i), "unknown") != 0);
        g_assert_true(strpbrk(vdsso_result_name(i), " =\"") == NULL);
    }
    g_assert_cmpstr(vdsso_result_name(VDSSO_RESULT_SEAT_BUSY), ==, "seat-busy");
    g_assert_cmpstr(vdsso_result_name(VDSSO_RESULT_USER_REFUSED), ==, "user-refused");
    g_assert_cmpstr(vdsso_result_name(VDSSO_RESULT_LAST + 1), ==, "unknown");
}

/* Reassemble framed bytes as spice-vdagentd does and check the chunk rules. */
static void check_frame(size_t payload_len)
{
    uint8_t *payload = malloc(payload_len + 1);
    for (size_t i = 0; i < payload_len; i++) {
        payload[i] = (uint8_t)(i ^ (i >> 8));
    }
    size_t size = vdsso_framed_size(payload_len);
    uint8_t *out = malloc(size);
    g_assert_cmpint(vdsso_frame(VDSSO_PORT_SERVER, VDSSO_AGENT_MSG_SSO, payload, payload_len, out,
                                size),
                    ==, (long)size);
    uint8_t *stream = malloc(size);
    size_t pos = 0, slen = 0, nchunks = 0;
    while (pos < size) {
        uint32_t port = out[pos] | out[pos + 1] << 8 | out[pos + 2] << 16 | (uint32_t)out[pos + 3] << 24;
        uint32_t n = out[pos + 4] | out[pos + 5] << 8 | out[pos + 6] << 16 | (uint32_t)out[pos + 7] << 24;
        g_assert_cmpint(port, ==, VDSSO_PORT_SERVER);
        g_assert_true(n > 0 && n <= VDSSO_CHUNK_MAX);
        /* every chunk but the last is full */
        if (pos + 8 + n < size) {
            g_assert_cmpint(n, ==, VDSSO_CHUNK_MAX);
        }
        memcpy(stream + slen, out + pos + 8, n);
        slen += n;
        pos += 8 + n;
        nchunks++;
    }
    g_assert_cmpint(pos, ==, size);
    g_assert_cmpint(slen, ==, 20 + payload_len);
    g_assert_cmpint(nchunks, ==, (20 + payload_len + 2047) / 2048);
    static const uint8_t hdr[] = { 1, 0, 0, 0, 0x01, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
    g_assert_cmpmem(stream, sizeof(hdr), hdr, sizeof(hdr));
    g_assert_cmpint(stream[16] | stream[17] << 8 | stream[18] << 16, ==, payload_len);
    g_assert_cmpmem(stream + 20, payload_len, payload, payload_len);
    free(stream);
    free(out);
    free(payload);
}

static void test_framing(void)
{
    static const size_t sizes[] = { 0, 1, 640, 2027, 2028, 2029, 4076, 4077, 5116,
                                    VDSSO_MAX_PAYLOAD };
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        check_frame(sizes[i]);
    }
    /* 64 KiB of payload + the 20-byte message header = 33 chunks (32 full,
     * one of 20 bytes), 65,556 + 33 * 8 = 65,820 bytes on the wire */
    g_assert_cmpint(vdsso_framed_size(65536), ==, 65820);
    uint8_t out[64];
    g_assert_cmpint(vdsso_frame(3, VDSSO_AGENT_MSG_SSO, NULL, 0, out, sizeof(out)),
                    ==, VDSSO_ERR_INVALID);
    g_assert_cmpint(vdsso_frame(2, VDSSO_AGENT_MSG_SSO, out, VDSSO_MAX_PAYLOAD + 1, out,
                                sizeof(out)),
                    ==, VDSSO_ERR_TOO_LARGE);
    g_assert_cmpint(vdsso_frame(2, VDSSO_AGENT_MSG_SSO, out, 60, out, sizeof(out)),
                    ==, VDSSO_ERR_INVALID);
}

static void test_helpers(void)
{
    uint8_t a[16] = { 1, 2, 3 }, b[16] = { 1, 2, 3 };
    g_assert_true(vdsso_ct_equal(a, b, 16));
    b[15] = 1;
    g_assert_true(!vdsso_ct_equal(a, b, 16));
    vdsso_wipe(a, sizeof(a));
    static const uint8_t zero[16];
    g_assert_cmpmem(a, 16, zero, 16);
    for (int e = 0; e >= VDSSO_ERR_CREDS_LIMIT; e--) {
        g_assert_true(strcmp(vdsso_strerror(e), "unknown error") != 0);
    }
}

/* The record envelope of a VDSSO_CRED_KRB5_CREDS credential. */
static void test_creds(void)
{
    static uint8_t a[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, b[1] = { 42 };
    VDSsoSlice recs[VDSSO_CREDS_MAX_RECORDS + 1];
    uint8_t out[4096];
    recs[0] = (VDSsoSlice){ a, sizeof(a) };
    recs[1] = (VDSsoSlice){ b, sizeof(b) };
    g_assert_cmpint(vdsso_creds_size(recs, 2), ==, 4 + 10 + 4 + 1);
    long n = vdsso_creds_encode(recs, 2, out, sizeof(out));
    g_assert_cmpint(n, ==, 19);
    g_assert_cmpint(out[0], ==, 10);
    g_assert_cmpint(out[14], ==, 1);
    g_assert_cmpint(vdsso_creds_check(out, (size_t)n), ==, 2);

    /* the iterator hands out slices of the input */
    VDSsoCredsIter it;
    VDSsoSlice r;
    vdsso_creds_iter_init(&it, out, (size_t)n);
    g_assert_cmpint(vdsso_creds_next(&it, &r), ==, 1);
    g_assert_true(r.p == out + 4 && r.len == 10);
    g_assert_cmpmem(r.p, 10, a, 10);
    g_assert_cmpint(vdsso_creds_next(&it, &r), ==, 1);
    g_assert_true(r.p == out + 18 && r.len == 1);
    g_assert_cmpint(vdsso_creds_next(&it, &r), ==, 0);
    g_assert_cmpint(vdsso_creds_next(&it, &r), ==, 0);

    /* every shorter prefix is refused (a record cut short or a header cut),
     * but the one that ends with the first record */
    for (size_t len = 1; len < (size_t)n; len++) {
        g_assert_cmpint(vdsso_creds_check(out, len), ==, len == 14 ? 1 : VDSSO_ERR_CREDS);
    }
    g_assert_cmpint(vdsso_creds_check(out, 0), ==, VDSSO_ERR_EMPTY_CRED);
    g_assert_cmpint(vdsso_creds_check(NULL, 5), ==, VDSSO_ERR_EMPTY_CRED);
    g_assert_cmpint(vdsso_creds_check(out, VDSSO_MAX_CRED + 1), ==, VDSSO_ERR_TOO_LARGE);
    /* a trailing byte is a header cut short */
    out[n] = 0;
    g_assert_cmpint(vdsso_creds_check(out, (size_t)n + 1), ==, VDSSO_ERR_CREDS);

    /* a zero length, a length over the bound, a length past the end */
    uint8_t bad[8 + 4] = { 0 };
    g_assert_cmpint(vdsso_creds_check(bad, 8), ==, VDSSO_ERR_CREDS);
    put32(bad, VDSSO_CREDS_MAX_RECORD + 1);
    g_assert_cmpint(vdsso_creds_check(bad, sizeof(bad)), ==, VDSSO_ERR_CREDS);
    put32(bad, 9);
    g_assert_cmpint(vdsso_creds_check(bad, sizeof(bad)), ==, VDSSO_ERR_CREDS);
    put32(bad, 8);
    g_assert_cmpint(vdsso_creds_check(bad, sizeof(bad)), ==, 1);

    /* at most VDSSO_CREDS_MAX_RECORDS records */
    for (size_t i = 0; i <= VDSSO_CREDS_MAX_RECORDS; i++) {
        recs[i] = (VDSsoSlice){ b, 1 };
    }
    n = vdsso_creds_encode(recs, VDSSO_CREDS_MAX_RECORDS, out, sizeof(out));
    g_assert_cmpint(n, ==, 5 * VDSSO_CREDS_MAX_RECORDS);
    g_assert_cmpint(vdsso_creds_check(out, (size_t)n), ==, VDSSO_CREDS_MAX_RECORDS);
    g_assert_cmpint(vdsso_creds_encode(recs, VDSSO_CREDS_MAX_RECORDS + 1, out, sizeof(out)),
                    ==, VDSSO_ERR_CREDS_LIMIT);
    g_assert_cmpint(vdsso_creds_size(recs, VDSSO_CREDS_MAX_RECORDS + 1), ==, 0);
    memcpy(out + n, out, 5);
    g_assert_cmpint(vdsso_creds_check(out, (size_t)n + 5), ==, VDSSO_ERR_CREDS_LIMIT);

    /* the encoder refuses empty and oversized records and short buffers */
    recs[0] = (VDSsoSlice){ b, 0 };
    g_assert_cmpint(vdsso_creds_encode(recs, 1, out, sizeof(out)), ==, VDSSO_ERR_CREDS);
    recs[0] = (VDSsoSlice){ b, VDSSO_CREDS_MAX_RECORD + 1 };
    g_assert_cmpint(vdsso_creds_encode(recs, 1, out, sizeof(out)), ==, VDSSO_ERR_CREDS);
    recs[0] = (VDSsoSlice){ a, sizeof(a) };
    g_assert_cmpint(vdsso_creds_encode(recs, 1, out, 13), ==, VDSSO_ERR_INVALID);
    g_assert_cmpint(vdsso_creds_encode(recs, 0, out, sizeof(out)), ==, VDSSO_ERR_INVALID);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/msg/creds", test_creds);
    g_test_add_func("/msg/round-trip", test_round_trip);
    g_test_add_func("/msg/truncations", test_truncations);
    g_test_add_func("/msg/fields", test_fields);
    g_test_add_func("/msg/sizes", test_sizes);
    g_test_add_func("/msg/version-first", test_version_first);
    g_test_add_func("/msg/trailing", test_trailing);
    g_test_add_func("/msg/reply", test_reply);
    g_test_add_func("/msg/framing", test_framing);
    g_test_add_func("/msg/helpers", test_helpers);
    return g_test_run();
}
