/* tgt-key.c - print the session key of a cache's TGT (see tgt-key.h).
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "tgt-key.h"

#include <stdio.h>
#include <string.h>

/* krbtgt/REALM@REALM: the ticket-granting ticket of the client's realm */
static int is_tgt(const krb5_creds *creds)
{
    const krb5_principal s = creds->server;

    return s->length == 2 && s->data[0].length == 6 && memcmp(s->data[0].data, "krbtgt", 6) == 0 &&
           s->data[1].length == s->realm.length &&
           memcmp(s->data[1].data, s->realm.data, s->realm.length) == 0;
}

int tgt_key_print_creds(const krb5_creds *creds)
{
    if (!is_tgt(creds)) {
        return 0;
    }
    for (unsigned i = 0; i < creds->keyblock.length; i++) {
        printf("%02x", creds->keyblock.contents[i]);
    }
    printf("\n");
    return 1;
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
        found = tgt_key_print_creds(&creds);
        krb5_free_cred_contents(ctx, &creds);
    }
    krb5_cc_end_seq_get(ctx, cc, &cur);
    return found;
}
