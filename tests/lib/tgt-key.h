/* tgt-key.h - print the session key of a cache's TGT, for the memory scans.
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The tests that prove a process no longer holds a ticket need the key to
 * look for: tests/server/sso-token-key (the TGT a client forwarded in its
 * first token) and tests/guest/vdagentd-sso-tool session-key (a user's
 * cache). The key goes to stdout only, which the tests point at a 0600 file.
 */
#ifndef SPICE_SSO_TGT_KEY_H
#define SPICE_SSO_TGT_KEY_H

#include <krb5.h>

/* If @creds is the ticket-granting ticket of its realm (krbtgt/R@R), print
 * its session key as one line of hex on stdout and return 1; else 0. */
int tgt_key_print_creds(const krb5_creds *creds);

/* Print the session key of the first krbtgt/R@R ticket in @cc as one line
 * of hex on stdout. Returns 1 if there was one, 0 if not, -1 if the cache
 * cannot be read. */
int tgt_key_print(krb5_context ctx, krb5_ccache cc);

#endif
