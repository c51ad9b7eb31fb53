/* sso-token-key - print, in hex, the session key of the TGT that a client
 * forwarded inside its first GSSAPI/SPNEGO token, so a test knows what
 * must not stay in spice-server's memory.
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   sso-token-key TOKEN-FILE > KEY-FILE     (with umask 077)
 *
 * Accepts the token as spice-server did, with the service keytab
 * ($KRB5_KTNAME) and no replay cache, takes the delegated credential and
 * prints the session key of its krbtgt ticket: one line of hex. The key
 * goes only to stdout, which the test points at a 0600 file. Exit 3 if the
 * token carries no delegated credential.
 */
#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tgt-key.h"

int main(int argc, char **argv)
{
    OM_uint32 major, minor, flags;
    gss_key_value_element_desc el = { "rcache", "none:" };
    gss_key_value_set_desc store = { 1, &el };
    gss_cred_id_t acceptor = GSS_C_NO_CREDENTIAL, deleg = GSS_C_NO_CREDENTIAL;
    gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
    gss_buffer_desc in, out = GSS_C_EMPTY_BUFFER;
    gss_name_t src = GSS_C_NO_NAME;
    static unsigned char token[1 << 20];
    krb5_context k;
    krb5_ccache cc;
    int found = 0;

    if (argc != 2) {
        fprintf(stderr, "usage: sso-token-key TOKEN-FILE\n");
        return 2;
    }
    FILE *f = fopen(argv[1], "rb");
    if (!f) {
        perror(argv[1]);
        return 2;
    }
    in.length = fread(token, 1, sizeof(token), f);
    in.value = token;
    fclose(f);

    major = gss_acquire_cred_from(&minor, GSS_C_NO_NAME, GSS_C_INDEFINITE, GSS_C_NO_OID_SET,
                                  GSS_C_ACCEPT, &store, &acceptor, NULL, NULL);
    if (GSS_ERROR(major)) {
        fprintf(stderr, "sso-token-key: cannot acquire acceptor credentials\n");
        return 1;
    }
    major = gss_accept_sec_context(&minor, &ctx, acceptor, &in, GSS_C_NO_CHANNEL_BINDINGS, &src,
                                   NULL, &out, &flags, NULL, &deleg);
    if (GSS_ERROR(major)) {
        fprintf(stderr, "sso-token-key: cannot accept the token (0x%x/%u)\n", major, minor);
        return 1;
    }
    if (deleg == GSS_C_NO_CREDENTIAL) {
        fprintf(stderr, "sso-token-key: no delegated credential in the token\n");
        return 3;
    }
    krb5_init_context(&k);
    krb5_cc_new_unique(k, "MEMORY", NULL, &cc);
    gss_name_t dname;
    gss_buffer_desc dn;
    gss_inquire_cred(&minor, deleg, &dname, NULL, NULL, NULL);
    gss_display_name(&minor, dname, &dn, NULL);
    krb5_principal p;
    char *name = strndup(dn.value, dn.length);
    krb5_parse_name(k, name, &p);
    krb5_cc_initialize(k, cc, p);
    gss_krb5_copy_ccache(&minor, deleg, cc);
    found = tgt_key_print(k, cc) > 0;
    krb5_cc_destroy(k, cc);
    krb5_free_principal(k, p);
    free(name);
    gss_release_buffer(&minor, &dn);
    gss_release_name(&minor, &dname);
    gss_release_cred(&minor, &deleg);
    gss_release_cred(&minor, &acceptor);
    gss_release_name(&minor, &src);
    gss_release_buffer(&minor, &out);
    gss_delete_sec_context(&minor, &ctx, GSS_C_NO_BUFFER);
    krb5_free_context(k);
    memset(token, 0, sizeof(token));
    return found ? 0 : 3;
}
