/* vdsso-msg.c - VD_AGENT_SSO and VD_AGENT_SSO_REPLY payloads, agent-port
 * framing, helpers.
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define _DEFAULT_SOURCE /* explicit_bzero */
#include "vdagent-sso.h"
#include "vdsso-private.h"

#include <stdlib.h>
#include <string.h>

void vdsso_wipe(void *p, size_t len)
{
    if (p != NULL && len > 0) {
        explicit_bzero(p, len);
    }
}

void vdsso_wipe_free(void *p, size_t len)
{
    vdsso_wipe(p, len);
    free(p);
}

int vdsso_ct_equal(const void *a, const void *b, size_t len)
{
    const volatile uint8_t *x = a;
    const volatile uint8_t *y = b;
    uint8_t diff = 0;
    for (size_t i = 0; i < len; i++) {
        diff |= x[i] ^ y[i];
    }
    return diff == 0;
}

const char *vdsso_strerror(int err)
{
    switch (err) {
    case VDSSO_OK: return "success";
    case VDSSO_ERR_TRUNCATED: return "message truncated";
    case VDSSO_ERR_TOO_LARGE: return "message too large";
    case VDSSO_ERR_VERSION: return "unsupported version";
    case VDSSO_ERR_FLAGS: return "invalid flags";
    case VDSSO_ERR_CRED_TYPE: return "unsupported credential type";
    case VDSSO_ERR_PRINCIPAL: return "invalid principal name";
    case VDSSO_ERR_EMPTY_CRED: return "empty credential";
    case VDSSO_ERR_TRAILING: return "trailing bytes after the message";
    case VDSSO_ERR_NOMEM: return "out of memory";
    case VDSSO_ERR_INVALID: return "invalid argument";
    case VDSSO_ERR_RESULT: return "unknown result code";
    case VDSSO_ERR_TYPE: return "unknown frame type";
    case VDSSO_ERR_CREDS: return "malformed credential records";
    case VDSSO_ERR_CREDS_LIMIT: return "too many credential records";
    }
    return "unknown error";
}

const char *vdsso_result_str(uint32_t result)
{
    switch (result) {
    case VDSSO_RESULT_ACCEPTED: return "accepted";
    case VDSSO_RESULT_UNSUPPORTED_VERSION: return "unsupported version";
    case VDSSO_RESULT_MALFORMED: return "malformed message or credential";
    case VDSSO_RESULT_TOO_LARGE: return "message too large";
    case VDSSO_RESULT_DISABLED: return "single sign-on disabled in the guest agent";
    case VDSSO_RESULT_UNSUPPORTED_CRED: return "unsupported credential type";
    case VDSSO_RESULT_SEAT_BUSY: return "another user's session holds the seat";
    case VDSSO_RESULT_NO_LOGIN_SERVICE: return "no login service (PAM service gdm-ovirtcred missing)";
    case VDSSO_RESULT_PRINCIPAL_MISMATCH: return "principal does not match the credential";
    case VDSSO_RESULT_INTERNAL: return "internal error in the guest agent";
    case VDSSO_RESULT_USER_REFUSED: return "the principal maps to a local user single sign-on may not log in as";
    }
    return "unknown result";
}

const char *vdsso_result_name(uint32_t result)
{
    switch (result) {
    case VDSSO_RESULT_ACCEPTED: return "accepted";
    case VDSSO_RESULT_UNSUPPORTED_VERSION: return "unsupported-version";
    case VDSSO_RESULT_MALFORMED: return "malformed";
    case VDSSO_RESULT_TOO_LARGE: return "too-large";
    case VDSSO_RESULT_DISABLED: return "disabled";
    case VDSSO_RESULT_UNSUPPORTED_CRED: return "unsupported-cred";
    case VDSSO_RESULT_SEAT_BUSY: return "seat-busy";
    case VDSSO_RESULT_NO_LOGIN_SERVICE: return "no-login-service";
    case VDSSO_RESULT_PRINCIPAL_MISMATCH: return "principal-mismatch";
    case VDSSO_RESULT_INTERNAL: return "internal";
    case VDSSO_RESULT_USER_REFUSED: return "user-refused";
    }
    return "unknown";
}

/* ------------------------------------------------------ credential records */

void vdsso_creds_iter_init(VDSsoCredsIter *it, const uint8_t *buf, size_t len)
{
    it->p = buf;
    it->left = buf != NULL ? len : 0;
    it->count = 0;
}

int vdsso_creds_next(VDSsoCredsIter *it, VDSsoSlice *rec)
{
    rec->p = NULL;
    rec->len = 0;
    if (it->left == 0) {
        return 0;
    }
    if (it->count == VDSSO_CREDS_MAX_RECORDS) {
        it->left = 0;
        return VDSSO_ERR_CREDS_LIMIT;
    }
    if (it->left < VDSSO_CREDS_RECORD_HEADER) {
        it->left = 0;
        return VDSSO_ERR_CREDS;
    }
    uint32_t len = vdsso_get_le32(it->p);
    if (len == 0 || len > VDSSO_CREDS_MAX_RECORD ||
        len > it->left - VDSSO_CREDS_RECORD_HEADER) {
        it->left = 0;
        return VDSSO_ERR_CREDS;
    }
    rec->p = it->p + VDSSO_CREDS_RECORD_HEADER;
    rec->len = len;
    it->p += VDSSO_CREDS_RECORD_HEADER + (size_t)len;
    it->left -= VDSSO_CREDS_RECORD_HEADER + (size_t)len;
    it->count++;
    return 1;
}

int vdsso_creds_check(const uint8_t *buf, size_t len)
{
    if (buf == NULL || len == 0) {
        return VDSSO_ERR_EMPTY_CRED;
    }
    if (len > VDSSO_MAX_CRED) {
        return VDSSO_ERR_TOO_LARGE;
    }
    VDSsoCredsIter it;
    VDSsoSlice rec;
    int r;
    vdsso_creds_iter_init(&it, buf, len);
    while ((r = vdsso_creds_next(&it, &rec)) > 0) {
    }
    return r < 0 ? r : (int)it.count;
}

size_t vdsso_creds_size(const VDSsoSlice *recs, size_t n)
{
    if (recs == NULL || n == 0 || n > VDSSO_CREDS_MAX_RECORDS) {
        return 0;
    }
    size_t size = 0;
    for (size_t i = 0; i < n; i++) {
        if (recs[i].p == NULL || recs[i].len == 0 || recs[i].len > VDSSO_CREDS_MAX_RECORD) {
            return 0;
        }
        size += VDSSO_CREDS_RECORD_HEADER + recs[i].len;
    }
    return size;
}

long vdsso_creds_encode(const VDSsoSlice *recs, size_t n, uint8_t *out, size_t out_len)
{
    if (out == NULL || recs == NULL || n == 0) {
        return VDSSO_ERR_INVALID;
    }
    if (n > VDSSO_CREDS_MAX_RECORDS) {
        return VDSSO_ERR_CREDS_LIMIT;
    }
    size_t size = vdsso_creds_size(recs, n);
    if (size == 0) {
        return VDSSO_ERR_CREDS;
    }
    if (size > VDSSO_MAX_CRED) {
        return VDSSO_ERR_TOO_LARGE;
    }
    if (out_len < size) {
        return VDSSO_ERR_INVALID;
    }
    uint8_t *w = out;
    for (size_t i = 0; i < n; i++) {
        vdsso_put_le32(w, (uint32_t)recs[i].len);
        memcpy(w + VDSSO_CREDS_RECORD_HEADER, recs[i].p, recs[i].len);
        w += VDSSO_CREDS_RECORD_HEADER + recs[i].len;
    }
    return (long)size;
}

/* ------------------------------------------------------------ VD_AGENT_SSO */

static int principal_ok(const char *p, size_t len)
{
    if (len == 0 || len > VDSSO_MAX_PRINCIPAL) {
        return 0;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c < 0x20 || c == 0x7f) {
            return 0;
        }
    }
    return 1;
}

/* The checks shared by encoder and decoder, on the numeric fields. */
static int check_fields(uint32_t version, uint32_t flags, uint32_t cred_type,
                        uint32_t principal_len, uint32_t cred_len)
{
    if (version != VDSSO_VERSION) {
        return VDSSO_ERR_VERSION;
    }
    if ((flags & ~VDSSO_FLAGS_KNOWN) != 0 || (flags & VDSSO_FLAGS_KNOWN) == 0) {
        return VDSSO_ERR_FLAGS;
    }
    if (cred_type != VDSSO_CRED_KRB5_CREDS) {
        return VDSSO_ERR_CRED_TYPE;
    }
    if (principal_len == 0 || principal_len > VDSSO_MAX_PRINCIPAL) {
        return VDSSO_ERR_PRINCIPAL;
    }
    if (cred_len == 0) {
        return VDSSO_ERR_EMPTY_CRED;
    }
    if (cred_len > VDSSO_MAX_PAYLOAD - VDSSO_HEADER_SIZE - principal_len) {
        return VDSSO_ERR_TOO_LARGE;
    }
    return VDSSO_OK;
}

size_t vdsso_msg_size(const VDSsoMsg *m)
{
    if (m == NULL || check_fields(m->version, m->flags, m->cred_type, m->principal_len,
                                  m->cred_len) != VDSSO_OK) {
        return 0;
    }
    return VDSSO_HEADER_SIZE + (size_t)m->principal_len + m->cred_len;
}

int vdsso_msg_check(const VDSsoMsg *m)
{
    if (m == NULL || m->principal == NULL || m->cred == NULL) {
        return VDSSO_ERR_INVALID;
    }
    int err = check_fields(m->version, m->flags, m->cred_type, m->principal_len, m->cred_len);
    if (err != VDSSO_OK) {
        return err;
    }
    if (!principal_ok(m->principal, m->principal_len)) {
        return VDSSO_ERR_PRINCIPAL;
    }
    err = vdsso_creds_check(m->cred, m->cred_len);
    return err < 0 ? err : VDSSO_OK;
}

long vdsso_msg_encode(const VDSsoMsg *m, uint8_t *out, size_t out_len)
{
    if (out == NULL) {
        return VDSSO_ERR_INVALID;
    }
    int err = vdsso_msg_check(m);
    if (err != VDSSO_OK) {
        return err;
    }
    size_t size = vdsso_msg_size(m);
    if (out_len < size) {
        return VDSSO_ERR_INVALID;
    }
    vdsso_put_le32(out, m->version);
    vdsso_put_le32(out + 4, m->serial);
    vdsso_put_le32(out + 8, m->flags);
    vdsso_put_le32(out + 12, m->cred_type);
    vdsso_put_le32(out + 16, m->principal_len);
    vdsso_put_le32(out + 20, m->cred_len);
    memcpy(out + VDSSO_HEADER_SIZE, m->principal, m->principal_len);
    memcpy(out + VDSSO_HEADER_SIZE + m->principal_len, m->cred, m->cred_len);
    return (long)size;
}

int vdsso_msg_decode(const uint8_t *buf, size_t len, VDSsoMsg **out)
{
    if (out == NULL) {
        return VDSSO_ERR_INVALID;
    }
    *out = NULL;
    if (buf == NULL && len > 0) {
        return VDSSO_ERR_INVALID;
    }
    if (len > VDSSO_MAX_PAYLOAD) {
        return VDSSO_ERR_TOO_LARGE;
    }
    /* The version comes first so that a payload of a future version gets
     * "unsupported version", whatever its layout. */
    if (len < 4) {
        return VDSSO_ERR_TRUNCATED;
    }
    uint32_t version = vdsso_get_le32(buf);
    if (version != VDSSO_VERSION) {
        return VDSSO_ERR_VERSION;
    }
    if (len < VDSSO_HEADER_SIZE) {
        return VDSSO_ERR_TRUNCATED;
    }
    uint32_t serial = vdsso_get_le32(buf + 4);
    uint32_t flags = vdsso_get_le32(buf + 8);
    uint32_t cred_type = vdsso_get_le32(buf + 12);
    uint32_t principal_len = vdsso_get_le32(buf + 16);
    uint32_t cred_len = vdsso_get_le32(buf + 20);
    int err = check_fields(version, flags, cred_type, principal_len, cred_len);
    if (err != VDSSO_OK) {
        return err;
    }
    /* no overflow: both lengths are bounded by check_fields() */
    size_t need = VDSSO_HEADER_SIZE + (size_t)principal_len + cred_len;
    if (len < need) {
        return VDSSO_ERR_TRUNCATED;
    }
    if (len > need) {
        return VDSSO_ERR_TRAILING;
    }
    const char *principal = (const char *)buf + VDSSO_HEADER_SIZE;
    if (!principal_ok(principal, principal_len)) {
        return VDSSO_ERR_PRINCIPAL;
    }
    err = vdsso_creds_check(buf + VDSSO_HEADER_SIZE + principal_len, cred_len);
    if (err < 0) {
        return err;
    }

    VDSsoMsg *m = calloc(1, sizeof(*m));
    if (m == NULL) {
        return VDSSO_ERR_NOMEM;
    }
    m->principal = malloc((size_t)principal_len + 1);
    m->cred = malloc(cred_len);
    if (m->principal == NULL || m->cred == NULL) {
        free(m->principal);
        free(m->cred);
        free(m);
        return VDSSO_ERR_NOMEM;
    }
    m->version = version;
    m->serial = serial;
    m->flags = flags;
    m->cred_type = cred_type;
    m->principal_len = principal_len;
    memcpy(m->principal, principal, principal_len);
    m->principal[principal_len] = '\0';
    m->cred_len = cred_len;
    memcpy(m->cred, buf + VDSSO_HEADER_SIZE + principal_len, cred_len);
    *out = m;
    return VDSSO_OK;
}

void vdsso_msg_free(VDSsoMsg *m)
{
    if (m == NULL) {
        return;
    }
    vdsso_wipe_free(m->cred, m->cred_len);
    vdsso_wipe_free(m->principal, m->principal_len + (m->principal != NULL ? 1u : 0u));
    vdsso_wipe(m, sizeof(*m));
    free(m);
}

/* ------------------------------------------------------ VD_AGENT_SSO_REPLY */

long vdsso_reply_encode(const VDSsoReply *r, uint8_t *out, size_t out_len)
{
    if (r == NULL || out == NULL || out_len < VDSSO_REPLY_SIZE) {
        return VDSSO_ERR_INVALID;
    }
    if (r->version != VDSSO_VERSION) {
        return VDSSO_ERR_VERSION;
    }
    if (r->result > VDSSO_RESULT_LAST) {
        return VDSSO_ERR_RESULT;
    }
    vdsso_put_le32(out, r->version);
    vdsso_put_le32(out + 4, r->serial);
    vdsso_put_le32(out + 8, r->result);
    return VDSSO_REPLY_SIZE;
}

int vdsso_reply_decode(const uint8_t *buf, size_t len, VDSsoReply *out)
{
    if (out == NULL || (buf == NULL && len > 0)) {
        return VDSSO_ERR_INVALID;
    }
    memset(out, 0, sizeof(*out));
    if (len > VDSSO_REPLY_SIZE) {
        /* version first, as for the message: a longer reply of a future
         * version is "unsupported version", not "trailing bytes" */
        if (vdsso_get_le32(buf) != VDSSO_VERSION) {
            return VDSSO_ERR_VERSION;
        }
        return VDSSO_ERR_TRAILING;
    }
    if (len < 4) {
        return VDSSO_ERR_TRUNCATED;
    }
    if (vdsso_get_le32(buf) != VDSSO_VERSION) {
        return VDSSO_ERR_VERSION;
    }
    if (len < VDSSO_REPLY_SIZE) {
        return VDSSO_ERR_TRUNCATED;
    }
    uint32_t result = vdsso_get_le32(buf + 8);
    if (result > VDSSO_RESULT_LAST) {
        return VDSSO_ERR_RESULT;
    }
    out->version = VDSSO_VERSION;
    out->serial = vdsso_get_le32(buf + 4);
    out->result = result;
    return VDSSO_OK;
}

/* ----------------------------------------------------------------- framing */

size_t vdsso_framed_size(size_t payload_len)
{
    size_t total = VDSSO_MSG_HEADER + payload_len;
    size_t chunks = (total + VDSSO_CHUNK_MAX - 1) / VDSSO_CHUNK_MAX;
    return total + chunks * VDSSO_CHUNK_HEADER;
}

long vdsso_frame(uint32_t port, uint32_t type, const uint8_t *payload, size_t payload_len,
                 uint8_t *out, size_t out_len)
{
    if (out == NULL || (payload == NULL && payload_len > 0) ||
        (port != VDSSO_PORT_CLIENT && port != VDSSO_PORT_SERVER)) {
        return VDSSO_ERR_INVALID;
    }
    if (payload_len > VDSSO_MAX_PAYLOAD) {
        return VDSSO_ERR_TOO_LARGE;
    }
    size_t size = vdsso_framed_size(payload_len);
    if (out_len < size) {
        return VDSSO_ERR_INVALID;
    }
    uint8_t header[VDSSO_MSG_HEADER];
    vdsso_put_le32(header, VDSSO_AGENT_PROTOCOL);
    vdsso_put_le32(header + 4, type);
    vdsso_put_le64(header + 8, 0);
    vdsso_put_le32(header + 16, (uint32_t)payload_len);

    /* the logical stream is header || payload, cut into chunks */
    size_t total = VDSSO_MSG_HEADER + payload_len;
    size_t pos = 0;
    uint8_t *w = out;
    while (pos < total) {
        size_t n = total - pos < VDSSO_CHUNK_MAX ? total - pos : VDSSO_CHUNK_MAX;
        vdsso_put_le32(w, port);
        vdsso_put_le32(w + 4, (uint32_t)n);
        w += VDSSO_CHUNK_HEADER;
        for (size_t done = 0; done < n;) {
            size_t at = pos + done;
            size_t take;
            if (at < VDSSO_MSG_HEADER) {
                take = VDSSO_MSG_HEADER - at;
                if (take > n - done) {
                    take = n - done;
                }
                memcpy(w, header + at, take);
            } else {
                take = n - done;
                memcpy(w, payload + (at - VDSSO_MSG_HEADER), take);
            }
            w += take;
            done += take;
        }
        pos += n;
    }
    return (long)size;
}
