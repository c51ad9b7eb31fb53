/* vdsso-redeem.c - frames of the redemption socket between spice-vdagentd
 * and the PAM module.
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vdagent-sso.h"
#include "vdsso-private.h"

#include <string.h>

#define FETCH_BODY (VDSSO_TOKEN_SIZE + 4u)
#define REPORT_BODY (VDSSO_TOKEN_SIZE + 8u)
#define STATUS_BODY 4u
#define JOB_BODY 4u
#define MAPPED_BODY 12u
#define TOKEN_BODY VDSSO_TOKEN_SIZE

const char *vdsso_status_str(uint32_t status)
{
    switch (status) {
    case VDSSO_STATUS_OK: return "ok";
    case VDSSO_STATUS_UNKNOWN_TOKEN: return "unknown, used or expired token";
    case VDSSO_STATUS_BAD_REQUEST: return "bad request";
    case VDSSO_STATUS_NOT_FETCHED: return "token was not fetched";
    case VDSSO_STATUS_WRONG_CONVERSATION: return "the token is not for this conversation";
    }
    return "unknown status";
}

const char *vdsso_outcome_str(uint32_t outcome)
{
    switch (outcome) {
    case VDSSO_OUTCOME_SUCCESS: return "user authenticated";
    case VDSSO_OUTCOME_VERIFY_FAILED: return "ticket verification failed";
    case VDSSO_OUTCOME_NO_USER: return "principal maps to no permitted local user";
    case VDSSO_OUTCOME_USER_MISMATCH: return "principal does not match the preset user";
    case VDSSO_OUTCOME_BAD_CCACHE: return "credential cache refused";
    case VDSSO_OUTCOME_INTERNAL: return "internal error in the PAM module";
    }
    return "unknown outcome";
}

/* Body length a frame type requires; 0 for variable (CRED), -1 unknown. */
static long body_len_for(uint16_t type)
{
    switch (type) {
    case VDSSO_REDEEM_FETCH: return FETCH_BODY;
    case VDSSO_REDEEM_REPORT: return REPORT_BODY;
    case VDSSO_REDEEM_STATUS: return STATUS_BODY;
    case VDSSO_REDEEM_JOB: return JOB_BODY;
    case VDSSO_REDEEM_MAPPED: return MAPPED_BODY;
    case VDSSO_REDEEM_TOKEN: return TOKEN_BODY;
    case VDSSO_REDEEM_CRED: return 0;
    }
    return -1;
}

long vdsso_redeem_frame_size(const uint8_t *hdr, size_t len)
{
    if (hdr == NULL) {
        return VDSSO_ERR_INVALID;
    }
    if (len < VDSSO_REDEEM_HEADER) {
        return VDSSO_ERR_TRUNCATED;
    }
    uint32_t rest = vdsso_get_le32(hdr);
    uint16_t type = vdsso_get_le16(hdr + 4);
    uint16_t version = vdsso_get_le16(hdr + 6);
    if (rest > VDSSO_REDEEM_MAX_FRAME - 4u) {
        return VDSSO_ERR_TOO_LARGE;
    }
    if (rest < 4u) {
        return VDSSO_ERR_TRUNCATED;
    }
    if (version != VDSSO_REDEEM_VERSION) {
        return VDSSO_ERR_VERSION;
    }
    long body = body_len_for(type);
    if (body < 0) {
        return VDSSO_ERR_TYPE;
    }
    uint32_t have = rest - 4u;
    if (body > 0 && have != (uint32_t)body) {
        return have < (uint32_t)body ? VDSSO_ERR_TRUNCATED : VDSSO_ERR_TRAILING;
    }
    if (body == 0 && have == 0) {
        return VDSSO_ERR_TRUNCATED;
    }
    return (long)rest + 4;
}

int vdsso_redeem_decode(const uint8_t *buf, size_t len, VDSsoRedeemFrame *out)
{
    if (out == NULL || (buf == NULL && len > 0)) {
        return VDSSO_ERR_INVALID;
    }
    memset(out, 0, sizeof(*out));
    long size = vdsso_redeem_frame_size(buf, len);
    if (size < 0) {
        return (int)size;
    }
    if (len < (size_t)size) {
        return VDSSO_ERR_TRUNCATED;
    }
    if (len > (size_t)size) {
        return VDSSO_ERR_TRAILING;
    }
    const uint8_t *body = buf + VDSSO_REDEEM_HEADER;
    uint32_t body_len = (uint32_t)(size - (long)VDSSO_REDEEM_HEADER);
    out->type = vdsso_get_le16(buf + 4);
    out->version = vdsso_get_le16(buf + 6);
    switch (out->type) {
    case VDSSO_REDEEM_FETCH:
        memcpy(out->token, body, VDSSO_TOKEN_SIZE);
        out->uid = vdsso_get_le32(body + VDSSO_TOKEN_SIZE);
        break;
    case VDSSO_REDEEM_REPORT:
        memcpy(out->token, body, VDSSO_TOKEN_SIZE);
        out->outcome = vdsso_get_le32(body + VDSSO_TOKEN_SIZE);
        out->uid = vdsso_get_le32(body + VDSSO_TOKEN_SIZE + 4);
        if (out->outcome > VDSSO_OUTCOME_LAST) {
            vdsso_wipe(out, sizeof(*out));
            return VDSSO_ERR_RESULT;
        }
        break;
    case VDSSO_REDEEM_STATUS:
        out->status = vdsso_get_le32(body);
        if (out->status > VDSSO_STATUS_LAST) {
            memset(out, 0, sizeof(*out));
            return VDSSO_ERR_RESULT;
        }
        break;
    case VDSSO_REDEEM_JOB:
        out->job = vdsso_get_le32(body);
        break;
    case VDSSO_REDEEM_MAPPED:
        out->job = vdsso_get_le32(body);
        out->mapping = vdsso_get_le32(body + 4);
        out->uid = vdsso_get_le32(body + 8);
        if (out->mapping > VDSSO_MAPPING_LAST) {
            memset(out, 0, sizeof(*out));
            return VDSSO_ERR_RESULT;
        }
        break;
    case VDSSO_REDEEM_TOKEN:
        memcpy(out->token, body, VDSSO_TOKEN_SIZE);
        break;
    case VDSSO_REDEEM_CRED:
        out->body = body;
        out->body_len = body_len;
        break;
    }
    return VDSSO_OK;
}

long vdsso_redeem_encode(const VDSsoRedeemFrame *f, uint8_t *out, size_t out_len)
{
    if (f == NULL || out == NULL) {
        return VDSSO_ERR_INVALID;
    }
    long body = body_len_for(f->type);
    if (body < 0) {
        return VDSSO_ERR_TYPE;
    }
    if (f->type == VDSSO_REDEEM_CRED) {
        if (f->body == NULL || f->body_len == 0) {
            return VDSSO_ERR_INVALID;
        }
        if (f->body_len > VDSSO_MAX_PAYLOAD) {
            return VDSSO_ERR_TOO_LARGE;
        }
        body = (long)f->body_len;
    }
    if ((f->type == VDSSO_REDEEM_REPORT && f->outcome > VDSSO_OUTCOME_LAST) ||
        (f->type == VDSSO_REDEEM_STATUS && f->status > VDSSO_STATUS_LAST) ||
        (f->type == VDSSO_REDEEM_MAPPED && f->mapping > VDSSO_MAPPING_LAST)) {
        return VDSSO_ERR_RESULT;
    }
    size_t size = VDSSO_REDEEM_HEADER + (size_t)body;
    if (out_len < size) {
        return VDSSO_ERR_INVALID;
    }
    vdsso_put_le32(out, (uint32_t)(size - 4));
    vdsso_put_le16(out + 4, f->type);
    vdsso_put_le16(out + 6, VDSSO_REDEEM_VERSION);
    uint8_t *b = out + VDSSO_REDEEM_HEADER;
    switch (f->type) {
    case VDSSO_REDEEM_FETCH:
        memcpy(b, f->token, VDSSO_TOKEN_SIZE);
        vdsso_put_le32(b + VDSSO_TOKEN_SIZE, f->uid);
        break;
    case VDSSO_REDEEM_REPORT:
        memcpy(b, f->token, VDSSO_TOKEN_SIZE);
        vdsso_put_le32(b + VDSSO_TOKEN_SIZE, f->outcome);
        vdsso_put_le32(b + VDSSO_TOKEN_SIZE + 4, f->uid);
        break;
    case VDSSO_REDEEM_STATUS:
        vdsso_put_le32(b, f->status);
        break;
    case VDSSO_REDEEM_JOB:
        vdsso_put_le32(b, f->job);
        break;
    case VDSSO_REDEEM_MAPPED:
        vdsso_put_le32(b, f->job);
        vdsso_put_le32(b + 4, f->mapping);
        vdsso_put_le32(b + 8, f->uid);
        break;
    case VDSSO_REDEEM_TOKEN:
        memcpy(b, f->token, VDSSO_TOKEN_SIZE);
        break;
    case VDSSO_REDEEM_CRED:
        memcpy(b, f->body, f->body_len);
        break;
    }
    return (long)size;
}

void vdsso_token_to_hex(const uint8_t token[VDSSO_TOKEN_SIZE], char hex[VDSSO_TOKEN_HEX_LEN + 1])
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < VDSSO_TOKEN_SIZE; i++) {
        hex[2 * i] = digits[token[i] >> 4];
        hex[2 * i + 1] = digits[token[i] & 0xf];
    }
    hex[VDSSO_TOKEN_HEX_LEN] = '\0';
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

int vdsso_token_from_hex(const char *hex, uint8_t token[VDSSO_TOKEN_SIZE])
{
    if (hex == NULL || token == NULL) {
        return VDSSO_ERR_INVALID;
    }
    uint8_t tmp[VDSSO_TOKEN_SIZE];
    for (size_t i = 0; i < VDSSO_TOKEN_SIZE; i++) {
        int hi = hexval(hex[2 * i]);
        int lo = hi < 0 ? -1 : hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            vdsso_wipe(tmp, sizeof(tmp));
            return VDSSO_ERR_INVALID;
        }
        tmp[i] = (uint8_t)(hi << 4 | lo);
    }
    if (hex[VDSSO_TOKEN_HEX_LEN] != '\0') {
        vdsso_wipe(tmp, sizeof(tmp));
        return VDSSO_ERR_INVALID;
    }
    memcpy(token, tmp, VDSSO_TOKEN_SIZE);
    vdsso_wipe(tmp, sizeof(tmp));
    return VDSSO_OK;
}
