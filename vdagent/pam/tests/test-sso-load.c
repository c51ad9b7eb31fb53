/* Unit tests of sso-krb5: loading a VD_AGENT_SSO credential (one client
 * principal, equal to the principal field, one TGT of the realm, not
 * expired), verification failing closed without a usable keytab, and the
 * local-user mapping's refusals. No KDC, no root. */
#include "sso-krb5-private.h"
#include "fake-creds.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/sso-krb5-load-XXXXXX";
static SsoKrb5 *k;

static int is_tgt_of(const SsoKrb5Creds *cr)
{
    krb5_principal tgs = fake_princ("krbtgt/SPICE.TEST@SPICE.TEST");
    int r = krb5_principal_compare(fake_ctx, cr->tgt->server, tgs);
    krb5_free_principal(fake_ctx, tgs);
    return r;
}

static SsoKrb5Status load(const char *principal, const char *def, krb5_creds *creds, size_t n,
                          int config, SsoKrb5Creds **out, SsoKrb5Error *err)
{
    size_t len;
    uint8_t *bytes = fake_cache_bytes(def, creds, n, config, &len);
    VDSsoMsg m = fake_msg(principal, bytes, len);
    SsoKrb5Status st = sso_krb5_creds_load(k, &m, out, err);
    free(bytes);
    return st;
}

static void test_good(void)
{
    krb5_creds c[2];
    fake_cred(&c[0], "alice@SPICE.TEST", "krbtgt/SPICE.TEST@SPICE.TEST", 3600);
    fake_cred(&c[1], "alice@SPICE.TEST", "host/guest.spice.test@SPICE.TEST", 3600);
    SsoKrb5Creds *cr = NULL;
    SsoKrb5Error err = { 0 };
    g_assert_cmpint(load("alice@SPICE.TEST", "alice@SPICE.TEST", c, 1, 0, &cr, &err),
                    ==, SSO_KRB5_OK);
    g_assert_true(cr != NULL);
    if (cr != NULL) {
        g_assert_cmpstr(sso_krb5_creds_principal(cr), ==, "alice@SPICE.TEST");
        g_assert_true(!sso_krb5_creds_verified(cr));
        /* only the TGT is kept */
        g_assert_true(is_tgt_of(cr));
    }
    sso_krb5_creds_free(cr);
    cr = NULL;
    /* a service ticket and a configuration entry are checked and dropped */
    g_assert_cmpint(load("alice@SPICE.TEST", "alice@SPICE.TEST", c, 2, 1, &cr, &err),
                    ==, SSO_KRB5_OK);
    if (cr != NULL) {
        g_assert_true(is_tgt_of(cr));
    }
    sso_krb5_creds_free(cr);
    cr = NULL;
    /* the TGT need not come first */
    krb5_creds swapped[2] = { c[1], c[0] };
    g_assert_cmpint(load("alice@SPICE.TEST", "alice@SPICE.TEST", swapped, 2, 0, &cr, &err),
                    ==, SSO_KRB5_OK);
    sso_krb5_creds_free(cr);
    fake_cred_free(&c[0]);
    fake_cred_free(&c[1]);
}

static void expect_refused(const char *what, const char *principal, const char *def,
                           krb5_creds *c, size_t n, SsoKrb5Status want, const char *text)
{
    SsoKrb5Creds *cr = NULL;
    SsoKrb5Error err = { 0 };
    SsoKrb5Status st = load(principal, def, c, n, 0, &cr, &err);
    if (st != want || cr != NULL || strstr(err.text, text) == NULL) {
        g_test_fail_printf("%s: status %d (want %d), text \"%s\" (want \"%s\")", what, st, want,
                           err.text, text);
    }
    sso_krb5_creds_free(cr);
}

static void test_refused(void)
{
    krb5_creds tgt, other, svc, bobtgt, cross, old;
    fake_cred(&tgt, "alice@SPICE.TEST", "krbtgt/SPICE.TEST@SPICE.TEST", 3600);
    fake_cred(&bobtgt, "bob@SPICE.TEST", "krbtgt/SPICE.TEST@SPICE.TEST", 3600);
    fake_cred(&other, "bob@SPICE.TEST", "host/guest.spice.test@SPICE.TEST", 3600);
    fake_cred(&svc, "alice@SPICE.TEST", "host/guest.spice.test@SPICE.TEST", 3600);
    fake_cred(&cross, "alice@SPICE.TEST", "krbtgt/OTHER.TEST@SPICE.TEST", 3600);
    fake_cred(&old, "alice@SPICE.TEST", "krbtgt/SPICE.TEST@SPICE.TEST", -60);

    expect_refused("principal field differs", "bob@SPICE.TEST", "alice@SPICE.TEST", &tgt, 1,
                   SSO_KRB5_MISMATCH, "another principal");
    expect_refused("principal field without realm", "alice", "alice@SPICE.TEST", &tgt, 1,
                   SSO_KRB5_BAD_CCACHE, "does not parse");
    krb5_creds two[2] = { tgt, other };
    expect_refused("two client principals", "alice@SPICE.TEST", "alice@SPICE.TEST", two, 2,
                   SSO_KRB5_BAD_CCACHE, "more than one client principal");
    expect_refused("default principal of another", "bob@SPICE.TEST", "bob@SPICE.TEST", &tgt, 1,
                   SSO_KRB5_MISMATCH, "another principal");
    krb5_creds bob_first[2] = { bobtgt, tgt };
    expect_refused("another client first", "alice@SPICE.TEST", "alice@SPICE.TEST", bob_first, 2,
                   SSO_KRB5_MISMATCH, "another principal");
    expect_refused("no TGT", "alice@SPICE.TEST", "alice@SPICE.TEST", &svc, 1, SSO_KRB5_BAD_CCACHE,
                   "no ticket-granting ticket");
    expect_refused("cross-realm TGT only", "alice@SPICE.TEST", "alice@SPICE.TEST", &cross, 1,
                   SSO_KRB5_BAD_CCACHE, "no ticket-granting ticket");
    krb5_creds dup[2] = { tgt, tgt };
    expect_refused("two TGTs", "alice@SPICE.TEST", "alice@SPICE.TEST", dup, 2, SSO_KRB5_BAD_CCACHE,
                   "2 ticket-granting tickets");
    expect_refused("expired", "alice@SPICE.TEST", "alice@SPICE.TEST", &old, 1, SSO_KRB5_EXPIRED,
                   "has expired");
    expect_refused("empty cache", "alice@SPICE.TEST", "alice@SPICE.TEST", NULL, 0,
                   SSO_KRB5_BAD_CCACHE, "malformed");

    /* bytes that are no cache at all, and a wrong credential type */
    uint8_t junk[100];
    memset(junk, 0x41, sizeof(junk));
    VDSsoMsg m = fake_msg("alice@SPICE.TEST", junk, sizeof(junk));
    SsoKrb5Creds *cr = NULL;
    SsoKrb5Error err = { 0 };
    g_assert_cmpint(sso_krb5_creds_load(k, &m, &cr, &err), ==, SSO_KRB5_BAD_CCACHE);
    g_assert_true(strstr(err.text, "malformed") != NULL);
    /* a record envelope that holds, around bytes krb5 does not read */
    junk[0] = sizeof(junk) - 4;
    junk[1] = junk[2] = junk[3] = 0;
    g_assert_cmpint(sso_krb5_creds_load(k, &m, &cr, &err), ==, SSO_KRB5_BAD_CCACHE);
    g_assert_true(strstr(err.text, "does not unmarshal") != NULL);
    /* more records than the bound */
    uint8_t many[(VDSSO_CREDS_MAX_RECORDS + 1) * 5];
    for (size_t i = 0; i < sizeof(many); i += 5) {
        many[i] = 1;
        many[i + 1] = many[i + 2] = many[i + 3] = 0;
        many[i + 4] = 0x30;
    }
    m = fake_msg("alice@SPICE.TEST", many, sizeof(many));
    g_assert_cmpint(sso_krb5_creds_load(k, &m, &cr, &err), ==, SSO_KRB5_BAD_CCACHE);
    g_assert_true(strstr(err.text, "too many credential records") != NULL);
    m = fake_msg("alice@SPICE.TEST", junk, sizeof(junk));
    m.cred_type = 1; /* the retired FILE cache */
    g_assert_cmpint(sso_krb5_creds_load(k, &m, &cr, &err), ==, SSO_KRB5_BAD_CCACHE);
    g_assert_true(cr == NULL);

    /* a corrupted record: krb5 refuses a record that ends early */
    size_t len;
    uint8_t *bytes = fake_cache_bytes("alice@SPICE.TEST", &tgt, 1, 0, &len);
    uint32_t rl = ((uint32_t)bytes[0] | (uint32_t)bytes[1] << 8 | (uint32_t)bytes[2] << 16) - 1;
    bytes[0] = (uint8_t)rl; /* the record one byte shorter, */
    bytes[1] = (uint8_t)(rl >> 8);
    bytes[2] = (uint8_t)(rl >> 16);
    m = fake_msg("alice@SPICE.TEST", bytes, len - 1); /* the envelope still whole */
    g_assert_cmpint(sso_krb5_creds_load(k, &m, &cr, &err), ==, SSO_KRB5_BAD_CCACHE);
    g_assert_true(strstr(err.text, "does not unmarshal") != NULL);
    free(bytes);

    fake_cred_free(&tgt);
    fake_cred_free(&bobtgt);
    fake_cred_free(&other);
    fake_cred_free(&svc);
    fake_cred_free(&cross);
    fake_cred_free(&old);
}

/* Without a key to check against, nothing verifies (ap_req_nofail). */
static void test_verify_fails_closed(void)
{
    krb5_creds tgt;
    fake_cred(&tgt, "alice@SPICE.TEST", "krbtgt/SPICE.TEST@SPICE.TEST", 3600);
    SsoKrb5Creds *cr = NULL;
    SsoKrb5Error err = { 0 };
    g_assert_cmpint(load("alice@SPICE.TEST", "alice@SPICE.TEST", &tgt, 1, 0, &cr, &err),
                    ==, SSO_KRB5_OK);
    if (cr == NULL) {
        return;
    }
    char missing[4200];
    snprintf(missing, sizeof(missing), "FILE:%s/no-such.keytab", dir);
    free(k->keytab);
    k->keytab = strdup(missing);
    g_assert_cmpint(sso_krb5_creds_verify(k, cr, &err), ==, SSO_KRB5_VERIFY_FAILED);
    g_assert_true(!sso_krb5_creds_verified(cr));
    g_assert_true(strstr(err.text, "does not verify") != NULL);

    /* a keytab without any host/ key */
    char kt[4200];
    snprintf(kt, sizeof(kt), "FILE:%s/other.keytab", dir);
    krb5_keytab ktid;
    g_assert_cmpint(krb5_kt_resolve(fake_ctx, kt, &ktid), ==, 0);
    krb5_keytab_entry e = { 0 };
    uint8_t keybytes[32] = { 1 };
    e.principal = fake_princ("spice/guest.spice.test@SPICE.TEST");
    e.vno = 1;
    e.key.enctype = ENCTYPE_AES256_CTS_HMAC_SHA1_96;
    e.key.length = sizeof(keybytes);
    e.key.contents = keybytes;
    g_assert_cmpint(krb5_kt_add_entry(fake_ctx, ktid, &e), ==, 0);
    krb5_kt_close(fake_ctx, ktid);
    krb5_free_principal(fake_ctx, e.principal);
    free(k->keytab);
    k->keytab = strdup(kt);
    g_assert_cmpint(sso_krb5_creds_verify(k, cr, &err), ==, SSO_KRB5_VERIFY_FAILED);
    g_assert_true(!sso_krb5_creds_verified(cr));
    /* and one that names a server the keytab lacks */
    k->server = strdup("host/guest.spice.test@SPICE.TEST");
    g_assert_cmpint(sso_krb5_creds_verify(k, cr, &err), ==, SSO_KRB5_VERIFY_FAILED);
    free(k->server);
    k->server = NULL;
    free(k->keytab);
    k->keytab = NULL;
    sso_krb5_creds_free(cr);
    fake_cred_free(&tgt);
}

static void expect_user_in(const char *principal, long uid_min, long uid_max, SsoKrb5Status want,
                           const char *text)
{
    krb5_creds tgt;
    const char *realm = strchr(principal, '@') + 1;
    char tgs[256];
    snprintf(tgs, sizeof(tgs), "krbtgt/%s@%s", realm, realm);
    fake_cred(&tgt, principal, tgs, 3600);
    SsoKrb5Creds *cr = NULL;
    SsoKrb5Error err = { 0 };
    g_assert_cmpint(load(principal, principal, &tgt, 1, 0, &cr, &err), ==, SSO_KRB5_OK);
    if (cr != NULL) {
        SsoKrb5User u;
        k->uid_min = uid_min;
        k->uid_max = uid_max;
        SsoKrb5Status st = sso_krb5_map_user(k, cr, &u, &err);
        if (st != want || (text != NULL && strstr(err.text, text) == NULL)) {
            g_test_fail_printf("map %s: status %d (want %d), text \"%s\"", principal, st, want,
                               err.text);
        }
        if (st == SSO_KRB5_OK) {
            g_assert_cmpstr(u.name, ==, "nobody");
            g_assert_cmpint(u.uid, ==, 65534);
        }
    }
    sso_krb5_creds_free(cr);
    fake_cred_free(&tgt);
}

static void expect_user(const char *principal, long uid_min, SsoKrb5Status want, const char *text)
{
    expect_user_in(principal, uid_min, 60000, want, text);
}

/* A local account single sign-on may not log in as is USER_REFUSED; no
 * local account, or no local name, is NO_USER (vdagentd leaves only those
 * to the PAM module) */
static void test_map(void)
{
    expect_user("root@SPICE.TEST", 1000, SSO_KRB5_USER_REFUSED, "uid 0: refused");
    expect_user("root@SPICE.TEST", 0, SSO_KRB5_USER_REFUSED, "uid 0: refused");
    expect_user("daemon@SPICE.TEST", 1000, SSO_KRB5_USER_REFUSED, "a system account");
    expect_user("no-such-user-here@SPICE.TEST", 1000, SSO_KRB5_NO_USER, "no local account");
    expect_user("nobody/admin@SPICE.TEST", 1000, SSO_KRB5_NO_USER, "no local user name");
    expect_user("nobody@OTHER.TEST", 1000, SSO_KRB5_NO_USER, "no local user name");
    /* nobody (65534) stands in for a user where the range lets it in:
     * allowed, then below uid_min */
    expect_user_in("nobody@SPICE.TEST", 1000, 65534, SSO_KRB5_OK, NULL);
    expect_user_in("nobody@SPICE.TEST", 65535, 70000, SSO_KRB5_USER_REFUSED,
                   "below uid_min 65535");
}

/* Above UID_MAX: nobody with Debian's login.defs range */
static void test_map_above_uid_max(void)
{
    expect_user_in("nobody@SPICE.TEST", 1000, 60000, SSO_KRB5_USER_REFUSED,
                   "uid 65534, not a regular user account (above uid_max 60000;");
    expect_user_in("nobody@SPICE.TEST", 1000, 65533, SSO_KRB5_USER_REFUSED,
                   "above uid_max 65533");
}

/* .k5login refusals, with k5login_directory pointing into the test's
 * directory (the file of nobody there): a FIFO, a symbolic link, and one
 * that does not list the principal (krb5_kuserok) */
static void test_map_k5login(void)
{
    char kdir[4200], conf[4200], k5[4300];
    snprintf(kdir, sizeof(kdir), "%s/k5login", dir);
    snprintf(conf, sizeof(conf), "%s/krb5-k5login.conf", dir);
    snprintf(k5, sizeof(k5), "%s/nobody", kdir);
    g_assert_cmpint(mkdir(kdir, 0755), ==, 0);
    FILE *f = fopen(conf, "w");
    g_assert_true(f != NULL);
    fprintf(f, "[libdefaults]\n\tdefault_realm = SPICE.TEST\n\tdns_lookup_kdc = false\n"
               "\tk5login_directory = %s\n[realms]\n\tSPICE.TEST = {\n"
               "\t\tkdc = 127.0.0.1:9\n\t}\n", kdir);
    fclose(f);
    SsoKrb5Options o = { .krb5_conf = conf, .uid_min = 1000, .uid_max = 65534 };
    SsoKrb5Error err = { 0 };
    SsoKrb5 *saved = k;
    g_assert_cmpint(sso_krb5_open(&o, &k, &err), ==, SSO_KRB5_OK);
    if (k == NULL) {
        k = saved;
        return;
    }
    g_assert_cmpint(mkfifo(k5, 0644), ==, 0);
    expect_user_in("nobody@SPICE.TEST", 1000, 65534, SSO_KRB5_USER_REFUSED,
                   "is not a regular file");
    g_assert_cmpint(unlink(k5), ==, 0);
    g_assert_cmpint(symlink("/dev/null", k5), ==, 0);
    expect_user_in("nobody@SPICE.TEST", 1000, 65534, SSO_KRB5_USER_REFUSED,
                   "is a symbolic link");
    g_assert_cmpint(unlink(k5), ==, 0);
    f = fopen(k5, "w");
    g_assert_true(f != NULL);
    fprintf(f, "alice@SPICE.TEST\n");
    fclose(f);
    expect_user_in("nobody@SPICE.TEST", 1000, 65534, SSO_KRB5_USER_REFUSED, "krb5_kuserok");
    /* the control: krb5_kuserok reads it (a .k5login must be root's or the
     * user's, so only as root) */
    if (geteuid() == 0) {
        f = fopen(k5, "w");
        g_assert_true(f != NULL);
        fprintf(f, "alice@SPICE.TEST\nnobody@SPICE.TEST\n");
        fclose(f);
        expect_user_in("nobody@SPICE.TEST", 1000, 65534, SSO_KRB5_OK, NULL);
    }
    g_assert_cmpint(unlink(k5), ==, 0);
    sso_krb5_close(k);
    k = saved;
}

static void test_status_strings(void)
{
    g_assert_cmpint(sso_krb5_outcome(SSO_KRB5_OK), ==, VDSSO_OUTCOME_SUCCESS);
    g_assert_cmpint(sso_krb5_outcome(SSO_KRB5_VERIFY_FAILED), ==, VDSSO_OUTCOME_VERIFY_FAILED);
    g_assert_cmpint(sso_krb5_outcome(SSO_KRB5_EXPIRED), ==, VDSSO_OUTCOME_VERIFY_FAILED);
    g_assert_cmpint(sso_krb5_outcome(SSO_KRB5_NO_USER), ==, VDSSO_OUTCOME_NO_USER);
    /* a refused local user is reported to vdagentd as before */
    g_assert_cmpint(sso_krb5_outcome(SSO_KRB5_USER_REFUSED), ==, VDSSO_OUTCOME_NO_USER);
    g_assert_true(strcmp(sso_krb5_status_str(SSO_KRB5_USER_REFUSED),
                         sso_krb5_status_str(SSO_KRB5_NO_USER)) != 0);
    g_assert_cmpint(sso_krb5_outcome(SSO_KRB5_BAD_CCACHE), ==, VDSSO_OUTCOME_BAD_CCACHE);
    g_assert_cmpint(sso_krb5_outcome(SSO_KRB5_INTERNAL), ==, VDSSO_OUTCOME_INTERNAL);
    for (int s = SSO_KRB5_OK; s <= SSO_KRB5_INTERNAL; s++) {
        g_assert_true(strcmp(sso_krb5_status_str((SsoKrb5Status)s), "unknown status") != 0);
    }
}

static void test_open(void)
{
    SsoKrb5Options o = { .krb5_conf = "/nonexistent/krb5.conf", .uid_min = -1 };
    SsoKrb5 *x = NULL;
    SsoKrb5Error err = { 0 };
    g_assert_cmpint(sso_krb5_open(&o, &x, &err), ==, SSO_KRB5_INTERNAL);
    g_assert_true(x == NULL);
    g_assert_true(strstr(err.text, "/nonexistent/krb5.conf") != NULL);
    /* uid_min from /etc/login.defs when not given */
    o.krb5_conf = NULL;
    g_assert_cmpint(sso_krb5_open(&o, &x, &err), ==, SSO_KRB5_OK);
    if (x != NULL) {
        g_assert_true(sso_krb5_uid_min(x) >= 1);
        /* and uid_max from it: a zeroed field means "from login.defs" */
        g_assert_true(sso_krb5_uid_max(x) >= sso_krb5_uid_min(x));
        g_assert_true(sso_krb5_uid_max(x) < 65534);
        sso_krb5_close(x);
    }
}

/* login.defs as shadow's getdef.c reads it */
static long defs(const char *text, const char *key)
{
    char *path = g_build_filename(dir, "login.defs", NULL);
    g_assert_true(g_file_set_contents(path, text, -1, NULL));
    long v = sso_krb5_login_defs_uid(path, key, 4242);
    unlink(path);
    g_free(path);
    return v;
}

static void test_login_defs(void)
{
    g_assert_cmpint(sso_krb5_login_defs_uid("/nonexistent/login.defs", "UID_MIN", 4242), ==, 4242);
    g_assert_cmpint(defs("UID_MIN 1000\nUID_MAX 60000\n", "UID_MIN"), ==, 1000);
    g_assert_cmpint(defs("UID_MIN 1000\nUID_MAX 60000\n", "UID_MAX"), ==, 60000);
    /* blanks, tabs, CRLF, no final newline */
    g_assert_cmpint(defs("  \tUID_MIN\t \t 2000 \r\n", "UID_MIN"), ==, 2000);
    g_assert_cmpint(defs("UID_MIN 2000", "UID_MIN"), ==, 2000);
    /* C notation, quotes */
    g_assert_cmpint(defs("UID_MIN 0x3e8\n", "UID_MIN"), ==, 1000);
    g_assert_cmpint(defs("UID_MIN 01750\n", "UID_MIN"), ==, 1000);
    g_assert_cmpint(defs("UID_MIN \"1500\"\n", "UID_MIN"), ==, 1500);
    /* the last definition wins, also when it is not a number */
    g_assert_cmpint(defs("UID_MIN 1000\nUID_MIN 3000\n", "UID_MIN"), ==, 3000);
    g_assert_cmpint(defs("UID_MIN 1000\nUID_MIN many\n", "UID_MIN"), ==, 4242);
    /* not numbers, or not uids: the default */
    g_assert_cmpint(defs("UID_MIN 1000 # users\n", "UID_MIN"), ==, 4242);
    g_assert_cmpint(defs("UID_MIN -1\n", "UID_MIN"), ==, 4242);
    g_assert_cmpint(defs("UID_MIN 4294967295\n", "UID_MIN"), ==, 4242);
    g_assert_cmpint(defs("UID_MIN 99999999999999999999999\n", "UID_MIN"), ==, 4242);
    g_assert_cmpint(defs("UID_MIN\n", "UID_MIN"), ==, 4242);
    /* comments, other keys, a longer name with the key as prefix */
    g_assert_cmpint(defs("# UID_MIN 5\nUID_MINIMUM 7\nSYS_UID_MIN 100\n", "UID_MIN"), ==, 4242);
    /* a line is read whole: the tail of a long line, where a fixed buffer
     * of 511, 1023 or 4095 bytes would split it, is no definition */
    const size_t splits[] = { 511, 1023, 4095 };
    GString *s = g_string_new(NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(splits); i++) {
        g_string_assign(s, "MAIL_DIR /var/mail/");
        while (s->len < splits[i]) {
            g_string_append_c(s, 'x');
        }
        g_string_append(s, "UID_MIN 0\n");
        g_assert_cmpint(defs(s->str, "UID_MIN"), ==, 4242);
        g_string_append(s, "UID_MIN 1234\n");
        g_assert_cmpint(defs(s->str, "UID_MIN"), ==, 1234);
    }
    g_string_free(s, TRUE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_assert_true(mkdtemp(dir) != NULL);
    const char *conf = fake_krb5_conf(dir, NULL);
    g_assert_cmpint(krb5_init_context(&fake_ctx), ==, 0);
    SsoKrb5Options o = { .krb5_conf = conf, .uid_min = 1000 };
    SsoKrb5Error err = { 0 };
    g_assert_cmpint(sso_krb5_open(&o, &k, &err), ==, SSO_KRB5_OK);
    if (k == NULL) {
        fprintf(stderr, "sso_krb5_open: %s\n", err.text);
        return 1;
    }
    g_test_add_func("/pam/sso-load/good", test_good);
    g_test_add_func("/pam/sso-load/refused", test_refused);
    g_test_add_func("/pam/sso-load/verify-fails-closed", test_verify_fails_closed);
    g_test_add_func("/pam/sso-load/map", test_map);
    g_test_add_func("/pam/sso-load/map-above-uid-max", test_map_above_uid_max);
    g_test_add_func("/pam/sso-load/map-k5login", test_map_k5login);
    g_test_add_func("/pam/sso-load/status-strings", test_status_strings);
    g_test_add_func("/pam/sso-load/open", test_open);
    g_test_add_func("/pam/sso-load/login-defs", test_login_defs);
    int rc = g_test_run();

    sso_krb5_close(k);
    krb5_free_context(fake_ctx);
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    g_assert_cmpint(system(cmd), ==, 0);
    return rc;
}
