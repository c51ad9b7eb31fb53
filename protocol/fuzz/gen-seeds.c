/* Write the seed corpus of the fuzz targets (protocol/fuzz/seeds/): valid
 * messages of each kind, so the fuzzers start from the interesting shapes.
 * Run by hand after a format change:  gen-seeds protocol/fuzz/seeds */
#include "vdagent-sso.h"

#include <krb5.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void put(const char *dir, const char *sub, const char *name, const uint8_t *p, size_t n)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s", dir, sub);
    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
        perror(path);
        exit(1);
    }
    snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

/* One credential as krb5_marshal_credentials() writes it, with made-up
 * key and ticket; *@out is malloc'ed. */
static size_t cred(krb5_context ctx, const char *server, int with_extras, uint8_t **out)
{
    static uint8_t key[32] = { 1, 2, 3 }, ticket[60] = { 0x61, 0x82 };
    static uint8_t addr[4] = { 127, 0, 0, 1 }, ad[2] = { 'a', 'd' };
    krb5_address a = { KV5M_ADDRESS, ADDRTYPE_INET, 4, addr }, *addrs[] = { &a, NULL };
    krb5_authdata d = { KV5M_AUTHDATA, 1, 2, ad }, *ads[] = { &d, NULL };
    krb5_creds c;
    krb5_data *m = NULL;
    memset(&c, 0, sizeof(c));
    if (krb5_parse_name(ctx, "alice@SPICE.TEST", &c.client) != 0 ||
        krb5_parse_name(ctx, server, &c.server) != 0) {
        exit(1);
    }
    c.keyblock.enctype = 18;
    c.keyblock.length = sizeof(key);
    c.keyblock.contents = key;
    c.times.authtime = 1700000000;
    c.times.starttime = 1700003600;
    c.times.endtime = 1700007200;
    c.times.renew_till = 1700010800;
    c.ticket_flags = 0x60890000;
    c.ticket.length = sizeof(ticket);
    c.ticket.data = (char *)ticket;
    if (with_extras) {
        c.addresses = addrs;
        c.authdata = ads;
    }
    if (krb5_marshal_credentials(ctx, &c, &m) != 0) {
        exit(1);
    }
    krb5_free_principal(ctx, c.client);
    krb5_free_principal(ctx, c.server);
    size_t n = m->length;
    *out = malloc(n);
    memcpy(*out, m->data, n);
    krb5_free_data(ctx, m);
    return n;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s SEED_DIR\n", argv[0]);
        return 2;
    }
    const char *dir = argv[1];
    static uint8_t cc[8192], buf[16384];

    /* credential records: one TGT; a TGT and a ticket with addresses and
     * authorization data */
    krb5_context ctx;
    if (krb5_init_context(&ctx) != 0) {
        return 1;
    }
    uint8_t *rec1, *rec2;
    size_t len1 = cred(ctx, "krbtgt/SPICE.TEST@SPICE.TEST", 0, &rec1);
    size_t len2 = cred(ctx, "krbtgt/OTHER.TEST@SPICE.TEST", 1, &rec2);
    VDSsoSlice recs[2] = { { rec1, len1 }, { rec2, len2 } };
    long cc1 = vdsso_creds_encode(recs, 1, cc, sizeof(cc));
    put(dir, "creds", "tgt", cc, (size_t)cc1);
    long cc2 = vdsso_creds_encode(recs, 2, buf, sizeof(buf));
    put(dir, "creds", "two-creds", buf, (size_t)cc2);
    free(rec1);
    free(rec2);
    krb5_free_context(ctx);

    /* messages */
    VDSsoMsg m = { VDSSO_VERSION, 7, VDSSO_FLAG_LOGIN | VDSSO_FLAG_REFRESH, VDSSO_CRED_KRB5_CREDS,
                   (char *)"alice@SPICE.TEST", 16, cc, (uint32_t)cc1 };
    long n = vdsso_msg_encode(&m, buf, sizeof(buf));
    put(dir, "msg", "login-refresh", buf, (size_t)n);
    m.flags = VDSSO_FLAG_REFRESH;
    m.principal = (char *)"j\xc3\xb6rg/admin@SPICE.TEST";
    m.principal_len = (uint32_t)strlen(m.principal);
    n = vdsso_msg_encode(&m, buf, sizeof(buf));
    put(dir, "msg", "refresh-utf8", buf, (size_t)n);

    /* replies: every third result, and the last one */
    for (uint32_t r = 0; r <= VDSSO_RESULT_LAST; r++) {
        if (r % 3 != 0 && r != VDSSO_RESULT_LAST) {
            continue;
        }
        VDSsoReply rep = { VDSSO_VERSION, r * 11, r };
        char name[32];
        snprintf(name, sizeof(name), "result-%u", r);
        vdsso_reply_encode(&rep, buf, sizeof(buf));
        put(dir, "reply", name, buf, VDSSO_REPLY_SIZE);
    }

    /* redemption frames */
    VDSsoRedeemFrame f = { .type = VDSSO_REDEEM_FETCH, .uid = VDSSO_REDEEM_NO_USER };
    memset(f.token, 0xab, sizeof(f.token));
    n = vdsso_redeem_encode(&f, buf, sizeof(buf));
    put(dir, "redeem", "fetch", buf, (size_t)n);
    f.uid = 5001;
    n = vdsso_redeem_encode(&f, buf, sizeof(buf));
    put(dir, "redeem", "fetch-preset-user", buf, (size_t)n);
    f.type = VDSSO_REDEEM_REPORT;
    f.outcome = VDSSO_OUTCOME_SUCCESS;
    f.uid = 5001;
    n = vdsso_redeem_encode(&f, buf, sizeof(buf));
    put(dir, "redeem", "report", buf, (size_t)n);
    f.type = VDSSO_REDEEM_STATUS;
    f.status = VDSSO_STATUS_UNKNOWN_TOKEN;
    n = vdsso_redeem_encode(&f, buf, sizeof(buf));
    put(dir, "redeem", "status", buf, (size_t)n);
    f.status = VDSSO_STATUS_WRONG_CONVERSATION;
    n = vdsso_redeem_encode(&f, buf, sizeof(buf));
    put(dir, "redeem", "status-wrong-conversation", buf, (size_t)n);
    f.type = VDSSO_REDEEM_JOB;
    f.job = 3;
    n = vdsso_redeem_encode(&f, buf, sizeof(buf));
    put(dir, "redeem", "job", buf, (size_t)n);
    f.type = VDSSO_REDEEM_MAPPED;
    f.mapping = VDSSO_MAPPING_REFUSED;
    f.uid = 0;
    n = vdsso_redeem_encode(&f, buf, sizeof(buf));
    put(dir, "redeem", "mapped-refused", buf, (size_t)n);
    f.mapping = VDSSO_MAPPING_USER;
    f.uid = 5001;
    n = vdsso_redeem_encode(&f, buf, sizeof(buf));
    put(dir, "redeem", "mapped-user", buf, (size_t)n);
    f.type = VDSSO_REDEEM_TOKEN;
    n = vdsso_redeem_encode(&f, buf, sizeof(buf));
    put(dir, "redeem", "token", buf, (size_t)n);
    uint8_t payload[8192];
    m.flags = VDSSO_FLAG_LOGIN;
    long pl = vdsso_msg_encode(&m, payload, sizeof(payload));
    f.type = VDSSO_REDEEM_CRED;
    f.body = payload;
    f.body_len = (uint32_t)pl;
    n = vdsso_redeem_encode(&f, buf, sizeof(buf));
    put(dir, "redeem", "cred", buf, (size_t)n);
    return 0;
}
