/* sso-check.c - checks of a VD_AGENT_SSO payload, see sso-check.h
 *
 * Copyright (C) 2026 The spice-sso authors
 *
 * This program is free software: you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation, either version 3 of the License, or
 * (at your option) any later version.
 */
#include "sso-check.h"

#include <string.h>

/* Room for any principal the cache parser lets through: at most 16
 * components, each escaped character doubling. Bounded by the payload. */
#define UNPARSED_MAX (2u * VDSSO_MAX_PRINCIPAL + 64u)

const char *vdagentd_sso_principal_realm(const char *principal)
{
    const char *realm = NULL;

    if (principal == NULL) {
        return NULL;
    }
    for (const char *p = principal; *p != '\0'; p++) {
        if (*p == '\\') {
            if (p[1] == '\0') {
                break;
            }
            p++;
        } else if (*p == '@') {
            realm = p + 1;
        }
    }
    return realm;
}

static uint32_t result_for_decode_error(int err, const char **why)
{
    switch (err) {
    case VDSSO_ERR_TOO_LARGE:
        *why = "payload larger than 64 KiB";
        return VDSSO_RESULT_TOO_LARGE;
    case VDSSO_ERR_VERSION:
        *why = "unsupported payload version";
        return VDSSO_RESULT_UNSUPPORTED_VERSION;
    case VDSSO_ERR_CRED_TYPE:
        *why = "unsupported credential type";
        return VDSSO_RESULT_UNSUPPORTED_CRED;
    case VDSSO_ERR_NOMEM:
        *why = "out of memory";
        return VDSSO_RESULT_INTERNAL;
    default:
        *why = vdsso_strerror(err);
        return VDSSO_RESULT_MALFORMED;
    }
}

/* Unparse an encoded principal into @out; 0 on failure. */
static int unparse(VDSsoSlice p, char *out, size_t out_len)
{
    return vdsso_principal_unparse(p, out, out_len) > 0;
}

static uint32_t check_ccache(const VDSsoMsg *m, int64_t now, const char **why)
{
    /* cc points into m->cred: no copies of the credential are made */
    char name[UNPARSED_MAX];
    VDSsoCcache cc;
    int err = vdsso_ccache_parse(m->cred, m->cred_len, &cc);
    if (err != VDSSO_OK) {
        *why = err == VDSSO_ERR_CCACHE_LIMIT ? "credential cache has too many entries"
                                              : "credential is not a FILE v4 credential cache";
        return VDSSO_RESULT_MALFORMED;
    }
    if (!unparse(cc.default_principal, name, sizeof(name))) {
        *why = "credential cache names no valid default principal";
        return VDSSO_RESULT_MALFORMED;
    }
    if (strcmp(name, m->principal) != 0) {
        *why = "credential cache's default principal is not the authenticated principal";
        return VDSSO_RESULT_PRINCIPAL_MISMATCH;
    }
    const char *realm = vdagentd_sso_principal_realm(m->principal);
    if (realm == NULL || *realm == '\0') {
        *why = "principal has no realm";
        return VDSSO_RESULT_MALFORMED;
    }

    int have_tgt = 0, tgt_expired = 0;
    for (size_t i = 0; i < cc.ncreds; i++) {
        const VDSsoCcacheCred *c = &cc.creds[i];
        if (c->is_config) {
            continue;
        }
        if (!vdsso_principal_equal(c->client, cc.default_principal)) {
            *why = "credential cache holds a credential of another client principal";
            return VDSSO_RESULT_PRINCIPAL_MISMATCH;
        }
        if (!vdsso_principal_is_local_tgs(c->server) || !unparse(c->server, name, sizeof(name))) {
            continue;
        }
        const char *tgs_realm = vdagentd_sso_principal_realm(name);
        if (tgs_realm == NULL || strcmp(tgs_realm, realm) != 0) {
            continue;
        }
        if ((int64_t)c->endtime > now) {
            have_tgt = 1;
        } else {
            tgt_expired = 1;
        }
    }
    if (!have_tgt) {
        *why = tgt_expired ? "the TGT has expired"
                           : "credential cache holds no TGT of the principal's realm";
        return VDSSO_RESULT_MALFORMED;
    }
    return VDSSO_RESULT_ACCEPTED;
}

uint32_t vdagentd_sso_peek_serial(const uint8_t *buf, size_t len)
{
    /* best effort for the reply, whatever the rest of the payload says */
    return len >= 8 ? (uint32_t)buf[4] | (uint32_t)buf[5] << 8 | (uint32_t)buf[6] << 16 |
                          (uint32_t)buf[7] << 24
                    : 0;
}

uint32_t vdagentd_sso_check_payload(const uint8_t *buf, size_t len, int64_t now,
                                    VDSsoMsg **out, uint32_t *serial, const char **why)
{
    VDSsoMsg *m = NULL;

    *out = NULL;
    *why = "accepted";
    *serial = vdagentd_sso_peek_serial(buf, len);

    int err = vdsso_msg_decode(buf, len, &m);
    if (err != VDSSO_OK) {
        return result_for_decode_error(err, why);
    }
    uint32_t result = check_ccache(m, now, why);
    if (result != VDSSO_RESULT_ACCEPTED) {
        vdsso_msg_free(m);
        return result;
    }
    *out = m;
    return VDSSO_RESULT_ACCEPTED;
}
