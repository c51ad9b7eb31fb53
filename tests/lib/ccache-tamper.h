/* ccache-tamper.h - make and spoil VD_AGENT_SSO credentials for the
 * refusal tests.
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A credential is a sequence of records (vdsso_creds_encode), each the
 * output of krb5_marshal_credentials for one krb5_creds. A forged
 * credential must be one that passes every structural check (so that the
 * code under test has to verify it to refuse it): each record goes through
 * MIT's own krb5_unmarshal_credentials, is changed, and is written back with
 * krb5_marshal_credentials; no byte offset of ours into krb5's format.
 * Kinds:
 *   ticket       flip a byte of the TGT's ticket ciphertext
 *   session-key  flip a byte of the TGT's session key
 *   client       rename the client of every record to @forge_as in the same
 *                realm (the ticket still names the original client inside its
 *                encrypted part)
 *   expired      set the TGT's end time an hour in the past
 *   truncate     cut every record to half its length (the record envelope
 *                stays whole: krb5_unmarshal_credentials has to refuse it)
 *   garbage      replace the bytes of every record by random bytes (likewise)
 *   ""/NULL      no change (with @extra: the records of a second credential
 *                are appended, a second client principal)
 * Used by tests/pam/sso-standin and tests/guest/vdagentd-sso-tool.
 */
#ifndef SPICE_SSO_CCACHE_TAMPER_H
#define SPICE_SSO_CCACHE_TAMPER_H

#include <krb5.h>
#include <stddef.h>
#include <stdint.h>

/* The credentials of the cache @ccname (configuration entries aside), as
 * spice-server exports them: one record each. Returns 0 and a malloc'd
 * credential in *@out (wipe and free it), or -1 with a message in @err. */
int creds_from_ccache(krb5_context ctx, const char *ccname, uint8_t **out, size_t *out_len,
                      char *err, size_t errlen);

/* The client principal of the first record of @creds, unparsed, into @name.
 * Returns 0, or -1 if there is no record krb5 reads. */
int creds_client_name(krb5_context ctx, const uint8_t *creds, size_t len, char *name,
                      size_t name_len);

/* Spoil @creds (@len bytes) as @kind says, appending @extra's records if
 * @extra is not NULL. Returns 0 and a malloc'd credential in *@out (the
 * caller wipes and frees it), or -1 with a message in @err. */
int ccache_tamper(krb5_context ctx, const char *kind, const char *forge_as, const uint8_t *creds,
                  size_t len, const uint8_t *extra, size_t extra_len, uint8_t **out,
                  size_t *out_len, char *err, size_t errlen);

#endif
