/* ccache-key FILE - print, in hex, the session key of the ticket-granting
 * ticket (krbtgt/REALM@REALM) in a credential as VD_AGENT_SSO carries it
 * (records of krb5_marshal_credentials output, such as agent-standin
 * records in sso-N.creds): the forwarded TGT's key, for scan-memory. Each
 * record is read by krb5_unmarshal_credentials. Exit 1 if there is none.
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <krb5.h>
#include <stdio.h>
#include <string.h>

#include "tgt-key.h"
#include "vdagent-sso.h"

int main(int argc, char **argv)
{
    static uint8_t buf[VDSSO_MAX_CRED + 1];
    krb5_context ctx;
    VDSsoCredsIter it;
    VDSsoSlice r;
    int found = 0;

    if (argc != 2) {
        fprintf(stderr, "usage: ccache-key FILE\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (f == NULL) {
        perror(argv[1]);
        return 2;
    }
    size_t len = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    if (vdsso_creds_check(buf, len) <= 0 || krb5_init_context(&ctx) != 0) {
        fprintf(stderr, "ccache-key: %s holds no credential records\n", argv[1]);
        return 2;
    }
    vdsso_creds_iter_init(&it, buf, len);
    while (!found && vdsso_creds_next(&it, &r) > 0) {
        krb5_data d = { .length = (unsigned)r.len, .data = (char *)r.p };
        krb5_creds *c = NULL;
        if (krb5_unmarshal_credentials(ctx, &d, &c) != 0) {
            continue;
        }
        found = tgt_key_print_creds(c);
        krb5_free_creds(ctx, c);
    }
    vdsso_wipe(buf, sizeof(buf));
    krb5_free_context(ctx);
    if (!found) {
        fprintf(stderr, "ccache-key: no ticket-granting ticket\n");
    }
    return found ? 0 : 1;
}
