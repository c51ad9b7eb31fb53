/* Write the seed corpus of the fuzz targets (protocol/fuzz/seeds/): valid
 * messages of each kind, so the fuzzers start from the interesting shapes.
 * Run by hand after a format change:  gen-seeds protocol/fuzz/seeds */
#include "vdagent-sso.h"

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

static size_t be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24); p[1] = (uint8_t)(v >> 16); p[2] = (uint8_t)(v >> 8); p[3] = (uint8_t)v;
    return 4;
}

static size_t data(uint8_t *p, const void *d, uint32_t n)
{
    be32(p, n);
    memcpy(p + 4, d, n);
    return 4 + n;
}

static size_t principal(uint8_t *p, const char *realm, const char *c1, const char *c2)
{
    const char *comps[2] = { c1, c2 };
    size_t lens[2] = { strlen(c1), c2 ? strlen(c2) : 0 };
    return (size_t)vdsso_principal_encode(1, realm, strlen(realm), comps, lens, c2 ? 2 : 1, p, 256);
}

/* one credential record, with made-up key and ticket */
static size_t cred(uint8_t *p, const char *server2, int with_extras)
{
    static const uint8_t key[32] = { 1, 2, 3 }, ticket[60] = { 0x61, 0x82 };
    size_t n = 0;
    n += principal(p + n, "SPICE.TEST", "alice", NULL);
    n += principal(p + n, "SPICE.TEST", "krbtgt", server2);
    p[n++] = 0; p[n++] = 18;
    n += data(p + n, key, sizeof(key));
    for (int i = 0; i < 4; i++) {
        n += be32(p + n, 1700000000u + (uint32_t)i * 3600);
    }
    p[n++] = 0;
    n += be32(p + n, 0x60890000);
    n += be32(p + n, with_extras ? 1 : 0);
    if (with_extras) {
        p[n++] = 0; p[n++] = 2;
        n += data(p + n, "\x7f\0\0\1", 4);
    }
    n += be32(p + n, with_extras ? 1 : 0);
    if (with_extras) {
        p[n++] = 0; p[n++] = 1;
        n += data(p + n, "ad", 2);
    }
    n += data(p + n, ticket, sizeof(ticket));
    n += data(p + n, "", 0);
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

    /* ccaches: one TGT; TGT + extras + a second ticket */
    uint8_t pr[256];
    size_t plen = principal(pr, "SPICE.TEST", "alice", NULL);
    uint8_t rec1[1024], rec2[1024];
    VDSsoSlice recs[2] = { { rec1, cred(rec1, "SPICE.TEST", 0) }, { rec2, cred(rec2, "OTHER.TEST", 1) } };
    VDSsoSlice dp = { pr, plen };
    long cc1 = vdsso_ccache_build(dp, recs, 1, cc, sizeof(cc));
    put(dir, "ccache", "tgt", cc, (size_t)cc1);
    long cc2 = vdsso_ccache_build(dp, recs, 2, buf, sizeof(buf));
    put(dir, "ccache", "two-creds", buf, (size_t)cc2);

    /* messages */
    VDSsoMsg m = { VDSSO_VERSION, 7, VDSSO_FLAG_LOGIN | VDSSO_FLAG_REFRESH, VDSSO_CRED_KRB5_CCACHE,
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
