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

uint32_t vdagentd_sso_peek_serial(const uint8_t *buf, size_t len)
{
    /* best effort for the reply, whatever the rest of the payload says */
    return len >= 8 ? (uint32_t)buf[4] | (uint32_t)buf[5] << 8 | (uint32_t)buf[6] << 16 |
                          (uint32_t)buf[7] << 24
                    : 0;
}

uint32_t vdagentd_sso_check_payload(const uint8_t *buf, size_t len, VDSsoMsg **out,
                                    uint32_t *serial, const char **why)
{
    VDSsoMsg *m = NULL;

    *out = NULL;
    *why = "accepted";
    *serial = vdagentd_sso_peek_serial(buf, len);

    int err = vdsso_msg_decode(buf, len, &m);
    if (err != VDSSO_OK) {
        return result_for_decode_error(err, why);
    }
    *out = m;
    return VDSSO_RESULT_ACCEPTED;
}
