/* sso-check.h - what spice-vdagentd checks in a VD_AGENT_SSO payload before
 * it does anything with it (docs/protocol.md, "What the receiver must
 * verify", step 3).
 *
 * Copyright (C) 2026 The spice-sso authors
 *
 * This program is free software: you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation, either version 3 of the License, or
 * (at your option) any later version.
 *
 * Plain C, no GLib, no allocation beyond the decoded message: this is the
 * parser of untrusted bytes, and has its own fuzz target.
 */
#ifndef VDAGENTD_SSO_CHECK_H
#define VDAGENTD_SSO_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include "vdagent-sso.h"

/* The serial of a VD_AGENT_SSO payload, for the reply, read without
 * validating anything else (0 if @len is too short for it). */
uint32_t vdagentd_sso_peek_serial(const uint8_t *buf, size_t len);

/* Decode and check a VD_AGENT_SSO payload: the envelope as the protocol
 * library checks it (vdsso_msg_decode: header, bounds, principal, and the
 * bounds of every credential record). The credential itself is judged in
 * one place only, sso_krb5_creds_load() (vdagent/pam/sso-krb5.c), which
 * vdagentd runs in its mapping child before it decides anything.
 *
 * Returns the VDSsoResult to reply with. On VDSSO_RESULT_ACCEPTED, *@out is
 * the decoded message (vdsso_msg_free() it); otherwise *@out is NULL and
 * nothing is left allocated. *@serial is the serial to echo (0 when the
 * payload is too short to hold one). *@why is a static, secret-free
 * explanation for the log. */
uint32_t vdagentd_sso_check_payload(const uint8_t *buf, size_t len, VDSsoMsg **out,
                                    uint32_t *serial, const char **why);

#endif
