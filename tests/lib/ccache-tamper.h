/* ccache-tamper.h - spoil a credential cache for the refusal tests.
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A forged credential must be one that passes every structural check (so
 * that the code under test has to verify it to refuse it): each record of
 * the FILE v4 cache goes through MIT's own krb5_unmarshal_credentials, is
 * changed, and is written back with krb5_marshal_credentials. Kinds:
 *   ticket       flip a byte of the TGT's ticket ciphertext
 *   session-key  flip a byte of the TGT's session key
 *   client       rename the client of every record and the default principal
 *                to @forge_as in the same realm (the ticket still names the
 *                original client inside its encrypted part)
 *   expired      set the TGT's end time an hour in the past
 *   truncate     cut the cache in half
 *   garbage      replace the cache by random bytes
 *   ""/NULL      no change (with @extra: the records of a second cache are
 *                appended, a second client principal)
 * Used by tests/pam/sso-standin and tests/guest/vdagentd-sso-tool.
 */
#ifndef SPICE_SSO_CCACHE_TAMPER_H
#define SPICE_SSO_CCACHE_TAMPER_H

#include <krb5.h>
#include <stddef.h>
#include <stdint.h>

/* Spoil @cc (@len bytes) as @kind says, appending @extra's records if
 * @extra is not NULL. Returns 0 and a malloc'd cache in *@out (the caller
 * wipes and frees it), or -1 with a message in @err. */
int ccache_tamper(krb5_context ctx, const char *kind, const char *forge_as, const uint8_t *cc,
                  size_t len, const uint8_t *extra, size_t extra_len, uint8_t **out,
                  size_t *out_len, char *err, size_t errlen);

#endif
