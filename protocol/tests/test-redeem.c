/* Unit tests: redemption-socket frames and tokens. */
#include "vdagent-sso.h"

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint8_t TOKEN[16] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                   0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };

static long enc(const VDSsoRedeemFrame *f, uint8_t *out, size_t n)
{
    return vdsso_redeem_encode(f, out, n);
}

static void test_fetch(void)
{
    VDSsoRedeemFrame f = { .type = VDSSO_REDEEM_FETCH, .uid = 5001 }, d;
    memcpy(f.token, TOKEN, 16);
    uint8_t buf[64];
    g_assert_cmpint(enc(&f, buf, sizeof(buf)), ==, 28);
    /* version 3 (the FETCH body is version 2's): the token, then the
     * conversation's preset user */
    static const uint8_t hdr[] = { 24, 0, 0, 0, 1, 0, 3, 0 };
    g_assert_cmpmem(buf, 8, hdr, 8);
    g_assert_cmpmem(buf + 8, 16, TOKEN, 16);
    static const uint8_t user[] = { 0x89, 0x13, 0, 0 };
    g_assert_cmpmem(buf + 24, 4, user, 4);
    g_assert_cmpint(vdsso_redeem_frame_size(buf, 8), ==, 28);
    g_assert_cmpint(vdsso_redeem_decode(buf, 28, &d), ==, VDSSO_OK);
    g_assert_cmpint(d.type, ==, VDSSO_REDEEM_FETCH);
    g_assert_cmpint(d.version, ==, VDSSO_REDEEM_VERSION);
    g_assert_cmpmem(d.token, 16, TOKEN, 16);
    g_assert_cmpint(d.uid, ==, 5001);
    for (size_t len = 0; len < 28; len++) {
        g_assert_cmpint(vdsso_redeem_decode(buf, len, &d), ==, VDSSO_ERR_TRUNCATED);
    }
    g_assert_cmpint(vdsso_redeem_decode(buf, 29, &d), ==, VDSSO_ERR_TRAILING);
    /* no preset user */
    f.uid = VDSSO_REDEEM_NO_USER;
    g_assert_cmpint(enc(&f, buf, sizeof(buf)), ==, 28);
    g_assert_cmpint(vdsso_redeem_decode(buf, 28, &d), ==, VDSSO_OK);
    g_assert_cmpint(d.uid, ==, VDSSO_REDEEM_NO_USER);
    /* a FETCH whose declared length is not exactly a token and a user; a
     * version 1 FETCH (a token only) is refused by its version */
    buf[0] = 25;
    g_assert_cmpint(vdsso_redeem_frame_size(buf, 8), ==, VDSSO_ERR_TRAILING);
    buf[0] = 23;
    g_assert_cmpint(vdsso_redeem_frame_size(buf, 8), ==, VDSSO_ERR_TRUNCATED);
    buf[0] = 3;
    g_assert_cmpint(vdsso_redeem_frame_size(buf, 8), ==, VDSSO_ERR_TRUNCATED);
    static const uint8_t v1[] = { 20, 0, 0, 0, 1, 0, 1, 0 };
    g_assert_cmpint(vdsso_redeem_frame_size(v1, 8), ==, VDSSO_ERR_VERSION);
    /* a version 2 FETCH: a peer that does not know JOB, MAPPED and TOKEN */
    static const uint8_t v2[] = { 24, 0, 0, 0, 1, 0, 2, 0 };
    g_assert_cmpint(vdsso_redeem_frame_size(v2, 8), ==, VDSSO_ERR_VERSION);
}

/* The helper's requests and the agent's TOKEN answer (version 3). */
static void test_helper_frames(void)
{
    VDSsoRedeemFrame f = { .type = VDSSO_REDEEM_JOB, .job = 0x01020304 }, d;
    uint8_t buf[64];
    g_assert_cmpint(enc(&f, buf, sizeof(buf)), ==, 12);
    static const uint8_t job[] = { 8, 0, 0, 0, 3, 0, 3, 0, 4, 3, 2, 1 };
    g_assert_cmpmem(buf, sizeof(job), job, sizeof(job));
    g_assert_cmpint(vdsso_redeem_frame_size(buf, 8), ==, 12);
    g_assert_cmpint(vdsso_redeem_decode(buf, 12, &d), ==, VDSSO_OK);
    g_assert_cmpint(d.type, ==, VDSSO_REDEEM_JOB);
    g_assert_cmpint(d.job, ==, 0x01020304);
    for (size_t len = 0; len < 12; len++) {
        g_assert_cmpint(vdsso_redeem_decode(buf, len, &d), ==, VDSSO_ERR_TRUNCATED);
    }
    buf[0] = 9;
    g_assert_cmpint(vdsso_redeem_frame_size(buf, 8), ==, VDSSO_ERR_TRAILING);

    f = (VDSsoRedeemFrame){ .type = VDSSO_REDEEM_MAPPED, .job = 7,
                            .mapping = VDSSO_MAPPING_USER, .uid = 5001 };
    g_assert_cmpint(enc(&f, buf, sizeof(buf)), ==, 20);
    static const uint8_t mapped[] = { 16, 0, 0, 0, 4, 0, 3, 0, 7, 0, 0, 0, 0, 0, 0, 0,
                                      0x89, 0x13, 0, 0 };
    g_assert_cmpmem(buf, sizeof(mapped), mapped, sizeof(mapped));
    g_assert_cmpint(vdsso_redeem_decode(buf, 20, &d), ==, VDSSO_OK);
    g_assert_cmpint(d.job, ==, 7);
    g_assert_cmpint(d.mapping, ==, VDSSO_MAPPING_USER);
    g_assert_cmpint(d.uid, ==, 5001);
    buf[12] = VDSSO_MAPPING_REFUSED;
    g_assert_cmpint(vdsso_redeem_decode(buf, 20, &d), ==, VDSSO_OK);
    g_assert_cmpint(d.mapping, ==, VDSSO_MAPPING_REFUSED);
    /* an unknown mapping is refused by the decoder and the encoder */
    buf[12] = VDSSO_MAPPING_LAST + 1;
    g_assert_cmpint(vdsso_redeem_decode(buf, 20, &d), ==, VDSSO_ERR_RESULT);
    g_assert_cmpint(d.job, ==, 0);
    f.mapping = VDSSO_MAPPING_LAST + 1;
    g_assert_cmpint(enc(&f, buf, sizeof(buf)), ==, VDSSO_ERR_RESULT);

    f = (VDSsoRedeemFrame){ .type = VDSSO_REDEEM_TOKEN };
    memcpy(f.token, TOKEN, 16);
    g_assert_cmpint(enc(&f, buf, sizeof(buf)), ==, 24);
    static const uint8_t tok[] = { 20, 0, 0, 0, 0x83, 0, 3, 0 };
    g_assert_cmpmem(buf, 8, tok, 8);
    g_assert_cmpmem(buf + 8, 16, TOKEN, 16);
    g_assert_cmpint(vdsso_redeem_decode(buf, 24, &d), ==, VDSSO_OK);
    g_assert_cmpint(d.type, ==, VDSSO_REDEEM_TOKEN);
    g_assert_cmpmem(d.token, 16, TOKEN, 16);
    buf[0] = 19;
    g_assert_cmpint(vdsso_redeem_frame_size(buf, 8), ==, VDSSO_ERR_TRUNCATED);
}

static void test_report(void)
{
    VDSsoRedeemFrame f = { .type = VDSSO_REDEEM_REPORT, .outcome = VDSSO_OUTCOME_NO_USER,
                           .uid = 5001 }, d;
    memcpy(f.token, TOKEN, 16);
    uint8_t buf[64];
    g_assert_cmpint(enc(&f, buf, sizeof(buf)), ==, 32);
    g_assert_cmpint(vdsso_redeem_decode(buf, 32, &d), ==, VDSSO_OK);
    g_assert_cmpint(d.outcome, ==, VDSSO_OUTCOME_NO_USER);
    g_assert_cmpint(d.uid, ==, 5001);
    g_assert_cmpmem(d.token, 16, TOKEN, 16);
    buf[24] = VDSSO_OUTCOME_LAST + 1;
    g_assert_cmpint(vdsso_redeem_decode(buf, 32, &d), ==, VDSSO_ERR_RESULT);
    f.outcome = 77;
    g_assert_cmpint(enc(&f, buf, sizeof(buf)), ==, VDSSO_ERR_RESULT);
}

static void test_status(void)
{
    VDSsoRedeemFrame f = { .type = VDSSO_REDEEM_STATUS, .status = VDSSO_STATUS_UNKNOWN_TOKEN }, d;
    uint8_t buf[64];
    g_assert_cmpint(enc(&f, buf, sizeof(buf)), ==, 12);
    g_assert_cmpint(vdsso_redeem_decode(buf, 12, &d), ==, VDSSO_OK);
    g_assert_cmpint(d.status, ==, VDSSO_STATUS_UNKNOWN_TOKEN);
    buf[8] = VDSSO_STATUS_LAST + 1;
    g_assert_cmpint(vdsso_redeem_decode(buf, 12, &d), ==, VDSSO_ERR_RESULT);
    f.status = VDSSO_STATUS_WRONG_CONVERSATION;
    g_assert_cmpint(enc(&f, buf, sizeof(buf)), ==, 12);
    g_assert_cmpint(vdsso_redeem_decode(buf, 12, &d), ==, VDSSO_OK);
    g_assert_cmpint(d.status, ==, 4);
    g_assert_cmpstr(vdsso_status_str(4), ==, "the token is not for this conversation");
    for (uint32_t i = 0; i <= VDSSO_STATUS_LAST; i++) {
        g_assert_true(strcmp(vdsso_status_str(i), "unknown status") != 0);
    }
    for (uint32_t i = 0; i <= VDSSO_OUTCOME_LAST; i++) {
        g_assert_true(strcmp(vdsso_outcome_str(i), "unknown outcome") != 0);
    }
}

static void test_cred(void)
{
    uint8_t body[300];
    for (size_t i = 0; i < sizeof(body); i++) {
        body[i] = (uint8_t)i;
    }
    VDSsoRedeemFrame f = { .type = VDSSO_REDEEM_CRED, .body = body, .body_len = sizeof(body) }, d;
    uint8_t buf[400];
    g_assert_cmpint(enc(&f, buf, sizeof(buf)), ==, 308);
    g_assert_cmpint(vdsso_redeem_frame_size(buf, 8), ==, 308);
    g_assert_cmpint(vdsso_redeem_decode(buf, 308, &d), ==, VDSSO_OK);
    g_assert_cmpint(d.body_len, ==, 300);
    g_assert_true(d.body == buf + 8);
    /* an empty CRED is refused on both sides */
    f.body_len = 0;
    g_assert_cmpint(enc(&f, buf, sizeof(buf)), ==, VDSSO_ERR_INVALID);
    static const uint8_t empty[] = { 4, 0, 0, 0, 0x81, 0, 3, 0 };
    g_assert_cmpint(vdsso_redeem_frame_size(empty, 8), ==, VDSSO_ERR_TRUNCATED);
    /* the length is bounded before anything is read or allocated */
    uint8_t big[8] = { 0, 0, 0, 0, 0x81, 0, 3, 0 };
    uint32_t max_rest = VDSSO_REDEEM_MAX_FRAME - 4;
    big[0] = (uint8_t)max_rest;
    big[1] = (uint8_t)(max_rest >> 8);
    big[2] = (uint8_t)(max_rest >> 16);
    g_assert_cmpint(vdsso_redeem_frame_size(big, 8), ==, (long)VDSSO_REDEEM_MAX_FRAME);
    big[0]++;
    g_assert_cmpint(vdsso_redeem_frame_size(big, 8), ==, VDSSO_ERR_TOO_LARGE);
    memset(big, 0xff, 4);
    g_assert_cmpint(vdsso_redeem_frame_size(big, 8), ==, VDSSO_ERR_TOO_LARGE);
}

static void test_header_errors(void)
{
    uint8_t h[8] = { 24, 0, 0, 0, 1, 0, 4, 0 };
    g_assert_cmpint(vdsso_redeem_frame_size(h, 8), ==, VDSSO_ERR_VERSION);
    h[6] = 3;
    h[4] = 5;
    g_assert_cmpint(vdsso_redeem_frame_size(h, 8), ==, VDSSO_ERR_TYPE);
    g_assert_cmpint(vdsso_redeem_frame_size(h, 7), ==, VDSSO_ERR_TRUNCATED);
    VDSsoRedeemFrame f = { .type = 9 };
    uint8_t buf[64];
    g_assert_cmpint(enc(&f, buf, sizeof(buf)), ==, VDSSO_ERR_TYPE);
    f.type = VDSSO_REDEEM_FETCH;
    g_assert_cmpint(enc(&f, buf, 10), ==, VDSSO_ERR_INVALID);
}

static void test_tokens(void)
{
    char hex[33];
    vdsso_token_to_hex(TOKEN, hex);
    g_assert_cmpstr(hex, ==, "00112233445566778899aabbccddeeff");
    uint8_t t[16];
    g_assert_cmpint(vdsso_token_from_hex(hex, t), ==, VDSSO_OK);
    g_assert_cmpmem(t, 16, TOKEN, 16);
    static const char *bad[] = {
        "", "0011", "00112233445566778899aabbccddeef",   /* short */
        "00112233445566778899aabbccddeeff0",               /* long */
        "00112233445566778899AABBCCDDEEFF",                /* upper case */
        "0011223344556677889 aabbccddeeff0",               /* space */
        "g0112233445566778899aabbccddeeff",                /* not hex */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        memset(t, 0x5a, sizeof(t));
        g_assert_cmpint(vdsso_token_from_hex(bad[i], t), ==, VDSSO_ERR_INVALID);
        g_assert_true(t[0] == 0x5a); /* untouched on error */
    }
    g_assert_cmpint(vdsso_token_from_hex(NULL, t), ==, VDSSO_ERR_INVALID);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/redeem/fetch", test_fetch);
    g_test_add_func("/redeem/report", test_report);
    g_test_add_func("/redeem/status", test_status);
    g_test_add_func("/redeem/helper-frames", test_helper_frames);
    g_test_add_func("/redeem/cred", test_cred);
    g_test_add_func("/redeem/header-errors", test_header_errors);
    g_test_add_func("/redeem/tokens", test_tokens);
    return g_test_run();
}
