/* libFuzzer target: sso_krb5_creds_load, the one judge of a credential from
 * the wire: the record envelope, MIT's krb5_unmarshal_credentials on each
 * record, one client principal equal to the principal field, one TGT of the
 * realm, expiry. */
#include "sso-krb5.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static SsoKrb5 *k;

static SsoKrb5 *context(void)
{
    if (k != NULL) {
        return k;
    }
    /* a krb5.conf of our own: the fuzzer must not read the machine's */
    char path[] = "/tmp/fuzz-sso-creds-XXXXXX";
    int fd = mkstemp(path);
    static const char conf[] = "[libdefaults]\n\tdefault_realm = SPICE.TEST\n";
    if (fd < 0 || write(fd, conf, sizeof(conf) - 1) != (ssize_t)(sizeof(conf) - 1)) {
        abort();
    }
    close(fd);
    SsoKrb5Options o = { .krb5_conf = path, .uid_min = 1000 };
    SsoKrb5Error err;
    if (sso_krb5_open(&o, &k, &err) != SSO_KRB5_OK) {
        abort();
    }
    unlink(path);
    return k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    SsoKrb5 *kk = context();
    if (size == 0 || size > VDSSO_MAX_CRED) {
        return 0;
    }
    /* The principal field is the one the seeds were made for; the fuzzer
     * varies the records, which have to agree with it. */
    uint8_t *copy = malloc(size);
    memcpy(copy, data, size);
    VDSsoMsg m = { .version = VDSSO_VERSION, .flags = VDSSO_FLAG_LOGIN,
                   .cred_type = VDSSO_CRED_KRB5_CREDS, .principal = (char *)"alice@SPICE.TEST",
                   .principal_len = 16, .cred = copy, .cred_len = (uint32_t)size };
    SsoKrb5Creds *c = NULL;
    SsoKrb5Error err;
    SsoKrb5Status st = sso_krb5_creds_load(kk, &m, &c, &err);
    if (st == SSO_KRB5_OK) {
        if (c == NULL || strcmp(sso_krb5_creds_principal(c), "alice@SPICE.TEST") != 0) {
            abort();
        }
    } else if (c != NULL || err.text[0] == '\0') {
        abort();
    }
    sso_krb5_creds_free(c);
    free(copy);
    return 0;
}
