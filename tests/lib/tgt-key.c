/* tgt-key.c - print the session key of a cache's TGT (see tgt-key.h).
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "tgt-key.h"

#include <stdio.h>
#include <string.h>

static int is_tgt(const krb5_creds *creds)
{
    return creds->server->length == 2 && creds->server->data[0].length == 6 &&
           memcmp(creds->server->data[0].data, "krbtgt", 6) == 0;
}

int tgt_key_print(krb5_context ctx, krb5_ccache cc)
{
    krb5_cc_cursor cur;
    krb5_creds creds;
    int found = 0;

    if (krb5_cc_start_seq_get(ctx, cc, &cur) != 0) {
        return -1;
    }
    while (!found && krb5_cc_next_cred(ctx, cc, &cur, &creds) == 0) {
        if (is_tgt(&creds)) {
            for (unsigned i = 0; i < creds.keyblock.length; i++) {
                printf("%02x", creds.keyblock.contents[i]);
            }
            printf("\n");
            found = 1;
        }
        krb5_free_cred_contents(ctx, &creds);
    }
    krb5_cc_end_seq_get(ctx, cc, &cur);
    return found;
}
