/* test-sso-check.c - what vdagentd checks in a VD_AGENT_SSO payload
 * (vdagent/src/sso-check.c): the envelope only, each refusal and its reply
 * code. What is inside the records is judged by sso_krb5_creds_load()
 * (vdagent/pam/tests/test-sso-load.c). */
#include "fake-creds.h"
#include "sso-check.h"

#define ALICE "alice@SPICE.TEST"
#define TGS "krbtgt/SPICE.TEST@SPICE.TEST"

/* A payload around a credential, as the server encodes it. */
static uint8_t *payload(const char *principal, const uint8_t *cred, size_t cred_len,
                        uint32_t serial, size_t *len)
{
    VDSsoMsg m = fake_msg(principal, (uint8_t *)cred, cred_len);
    m.serial = serial;
    *len = vdsso_msg_size(&m);
    g_assert_true(*len > 0);
    uint8_t *buf = malloc(*len);
    g_assert_cmpint(vdsso_msg_encode(&m, buf, *len), ==, (long)*len);
    return buf;
}

/* Check @cred (a cache) under @principal; returns the result, frees all. */
static uint32_t check_cache(const char *principal, uint8_t *cred, size_t cred_len,
                            const char **why)
{
    size_t len;
    uint8_t *p = payload(principal, cred, cred_len, 99, &len);
    VDSsoMsg *m = NULL;
    uint32_t serial = 0;
    uint32_t r = vdagentd_sso_check_payload(p, len, &m, &serial, why);
    g_assert_cmpint(serial, ==, 99);
    g_assert_true((r == VDSSO_RESULT_ACCEPTED) == (m != NULL));
    vdsso_msg_free(m);
    free(p);
    free(cred);
    return r;
}

static void test_accepted(void)
{
    krb5_creds c[2];
    size_t len;
    const char *why;

    fake_cred(&c[0], ALICE, TGS, 3600);
    uint8_t *cred = fake_cache_bytes(ALICE, c, 1, 1, &len);
    size_t plen;
    uint8_t *p = payload(ALICE, cred, len, 42, &plen);
    VDSsoMsg *m = NULL;
    uint32_t serial = 0;
    g_assert_cmpint(vdagentd_sso_check_payload(p, plen, &m, &serial, &why),
                    ==, VDSSO_RESULT_ACCEPTED);
    g_assert_cmpint(serial, ==, 42);
    g_assert_true(m != NULL && strcmp(m->principal, ALICE) == 0 && m->cred_len == len &&
                  memcmp(m->cred, cred, len) == 0);
    vdsso_msg_free(m);
    free(p);
    free(cred);

    /* a service ticket besides the TGT is fine */
    fake_cred(&c[1], ALICE, "host/guest.spice.test@SPICE.TEST", 3600);
    cred = fake_cache_bytes(ALICE, c, 2, 0, &len);
    g_assert_cmpint(check_cache(ALICE, cred, len, &why), ==, VDSSO_RESULT_ACCEPTED);
    fake_cred_free(&c[0]);
    fake_cred_free(&c[1]);
}

/* Well-formed records with hostile contents pass the envelope check: they
 * are sso_krb5_creds_load()'s to refuse, in the mapping child. */
static void test_contents_not_judged_here(void)
{
    krb5_creds c[2];
    size_t len;
    const char *why;

    fake_cred(&c[0], ALICE, TGS, -60);
    fake_cred(&c[1], "bob@SPICE.TEST", "host/guest.spice.test@SPICE.TEST", 3600);
    uint8_t *cred = fake_cache_bytes(ALICE, c, 1, 0, &len);
    g_assert_cmpint(check_cache("bob@SPICE.TEST", cred, len, &why), ==, VDSSO_RESULT_ACCEPTED);
    cred = fake_cache_bytes(ALICE, c, 2, 0, &len);
    g_assert_cmpint(check_cache(ALICE, cred, len, &why), ==, VDSSO_RESULT_ACCEPTED);
    fake_cred_free(&c[0]);
    fake_cred_free(&c[1]);
}

static void test_decode_errors(void)
{
    /* one record of 18 bytes */
    static const uint8_t junk[] = "\x12\0\0\0 not a krb5 record";
    size_t len;
    const char *why;
    VDSsoMsg *m = (VDSsoMsg *)1;
    uint32_t serial = 1;

    uint8_t *p = payload(ALICE, junk, sizeof(junk) - 1, 5, &len);
    g_assert_cmpint(vdagentd_sso_check_payload(p, len, &m, &serial, &why),
                    ==, VDSSO_RESULT_ACCEPTED);
    vdsso_msg_free(m);
    /* the record's length no longer fills the credential */
    p[len - 18 - 4] = 19;
    g_assert_cmpint(vdagentd_sso_check_payload(p, len, &m, &serial, &why),
                    ==, VDSSO_RESULT_MALFORMED);
    g_assert_cmpstr(why, ==, "malformed credential records");
    g_assert_true(m == NULL);
    g_assert_cmpint(serial, ==, 5);
    p[len - 18 - 4] = 18;
    g_assert_cmpint(vdagentd_sso_check_payload(p, len - 1, &m, &serial, &why),
                    ==, VDSSO_RESULT_MALFORMED);
    g_assert_cmpstr(why, ==, "message truncated");
    p[0] = 1; /* version */
    g_assert_cmpint(vdagentd_sso_check_payload(p, len, &m, &serial, &why),
                    ==, VDSSO_RESULT_UNSUPPORTED_VERSION);
    p[0] = 2;
    p[12] = 9; /* credential type */
    g_assert_cmpint(vdagentd_sso_check_payload(p, len, &m, &serial, &why),
                    ==, VDSSO_RESULT_UNSUPPORTED_CRED);
    p[12] = 1; /* the retired FILE cache */
    g_assert_cmpint(vdagentd_sso_check_payload(p, len, &m, &serial, &why),
                    ==, VDSSO_RESULT_UNSUPPORTED_CRED);
    free(p);

    uint8_t *big = calloc(1, VDSSO_MAX_PAYLOAD + 1);
    big[0] = 2;
    g_assert_cmpint(vdagentd_sso_check_payload(big, VDSSO_MAX_PAYLOAD + 1, &m, &serial, &why),
                    ==, VDSSO_RESULT_TOO_LARGE);
    free(big);
    g_assert_cmpint(vdagentd_sso_check_payload(NULL, 0, &m, &serial, &why),
                    ==, VDSSO_RESULT_MALFORMED);
    g_assert_cmpint(serial, ==, 0);
    g_assert_true(m == NULL);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_assert_cmpint(krb5_init_context(&fake_ctx), ==, 0);
    g_test_add_func("/sso-check/accepted", test_accepted);
    g_test_add_func("/sso-check/contents-not-judged-here", test_contents_not_judged_here);
    g_test_add_func("/sso-check/decode-errors", test_decode_errors);
    int rc = g_test_run();

    krb5_free_context(fake_ctx);
    (void)fake_krb5_conf; /* fake-creds.h helper these tests do not need */
    return rc;
}
