/* vdagent-sso.h - the VD_AGENT_SSO message, its reply, the redemption-socket
 * protocol and the envelope of the Kerberos credentials they carry.
 *
 * Copyright (C) 2026 The spice-sso authors
 *
 * This library is free software; you can redistribute it and/or modify it
 * under the terms of the GNU Lesser General Public License as published by the
 * Free Software Foundation; either version 2.1 of the License, or (at your
 * option) any later version.
 *
 * docs/protocol.md is the specification; this is its one implementation,
 * shared by spice-server (sender), spice-vdagentd (receiver) and the PAM
 * module (redeemer). Plain C11, no allocation except where a function says
 * so, no globals, no GLib. Every decoder checks every length and field
 * against the bounds below before it allocates or copies anything.
 */
#ifndef VDAGENT_SSO_H
#define VDAGENT_SSO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ numbers */

/* Provisional numbers, outside spice-protocol 0.14.3's sequential enums so
 * that neither VD_AGENT_END_MESSAGE nor VD_AGENT_END_CAP moves (see
 * docs/protocol.md, "Numbers"). */
#define VDSSO_AGENT_MSG_SSO       0x8001u /* VD_AGENT_SSO, server -> agent */
#define VDSSO_AGENT_MSG_SSO_REPLY 0x8002u /* VD_AGENT_SSO_REPLY, agent -> server */
#define VDSSO_AGENT_CAP_SSO       30u     /* VD_AGENT_CAP_SSO */

#define VDSSO_PORT_CLIENT 1u /* VDP_CLIENT_PORT */
#define VDSSO_PORT_SERVER 2u /* VDP_SERVER_PORT */
#define VDSSO_AGENT_PROTOCOL 1u /* VD_AGENT_PROTOCOL */

#define VDSSO_VERSION 2u

/* Bounds */
#define VDSSO_MAX_PAYLOAD   65536u /* whole VD_AGENT_SSO payload */
#define VDSSO_HEADER_SIZE   24u    /* fixed part of the payload */
#define VDSSO_MAX_PRINCIPAL 1024u  /* bytes, without terminator */
#define VDSSO_MAX_CRED      (VDSSO_MAX_PAYLOAD - VDSSO_HEADER_SIZE - 1u)
#define VDSSO_REPLY_SIZE    12u
#define VDSSO_CHUNK_MAX     2048u  /* VD_AGENT_MAX_DATA_SIZE */
#define VDSSO_CHUNK_HEADER  8u     /* VDIChunkHeader */
#define VDSSO_MSG_HEADER    20u    /* VDAgentMessage */

/* Flags: what the server asks the agent to do with the credential. */
#define VDSSO_FLAG_LOGIN   (1u << 0) /* start a login if the seat has no user session */
#define VDSSO_FLAG_REFRESH (1u << 1) /* refresh the principal's existing session */
#define VDSSO_FLAGS_KNOWN  (VDSSO_FLAG_LOGIN | VDSSO_FLAG_REFRESH)

/* Credential types (1, a FILE v4 credential cache, is retired) */
#define VDSSO_CRED_KRB5_CREDS 2u /* length-prefixed krb5_marshal_credentials() records */

/* ------------------------------------------------------------------- errors */

typedef enum VDSsoError {
    VDSSO_OK = 0,
    VDSSO_ERR_TRUNCATED = -1,    /* shorter than a header or a declared length */
    VDSSO_ERR_TOO_LARGE = -2,    /* over VDSSO_MAX_PAYLOAD (or a frame limit) */
    VDSSO_ERR_VERSION = -3,      /* version is not VDSSO_VERSION */
    VDSSO_ERR_FLAGS = -4,        /* unknown flag bits, or no action requested */
    VDSSO_ERR_CRED_TYPE = -5,    /* unknown credential type */
    VDSSO_ERR_PRINCIPAL = -6,    /* principal empty, too long or not printable */
    VDSSO_ERR_EMPTY_CRED = -7,   /* zero-length credential */
    VDSSO_ERR_TRAILING = -8,     /* bytes after the last declared field */
    VDSSO_ERR_NOMEM = -9,
    VDSSO_ERR_INVALID = -10,     /* bad argument from the caller */
    VDSSO_ERR_RESULT = -11,      /* reply carries an unknown result code */
    VDSSO_ERR_TYPE = -12,        /* unknown redemption frame type */
    VDSSO_ERR_CREDS = -13,       /* credential records malformed (a length out of bounds,
                                  * or records that do not fill the credential) */
    VDSSO_ERR_CREDS_LIMIT = -14  /* more than VDSSO_CREDS_MAX_RECORDS records */
} VDSsoError;

/* A static English description of an error code, for log lines. */
const char *vdsso_strerror(int err);

/* ------------------------------------------------------- the VD_AGENT_SSO payload
 *
 *   off size field
 *     0    4 version        VDSSO_VERSION
 *     4    4 serial         chosen by the server, echoed in the reply
 *     8    4 flags          VDSSO_FLAG_*
 *    12    4 cred_type      VDSSO_CRED_*
 *    16    4 principal_len  1..VDSSO_MAX_PRINCIPAL
 *    20    4 cred_len       1..
 *    24    principal_len bytes: the authenticated initiator name, no NUL
 *    ..    cred_len bytes: the credential
 * all little-endian; 24 + principal_len + cred_len == payload size <= 64 KiB. */

typedef struct VDSsoMsg {
    uint32_t version;
    uint32_t serial;
    uint32_t flags;
    uint32_t cred_type;
    char *principal;        /* NUL-terminated copy */
    uint32_t principal_len; /* without the NUL */
    uint8_t *cred;          /* secret: wiped by vdsso_msg_free() */
    uint32_t cred_len;
} VDSsoMsg;

/* Size of the encoded payload of @m, or 0 if @m is out of bounds. */
size_t vdsso_msg_size(const VDSsoMsg *m);

/* VDSSO_OK if @m is a message a receiver accepts (every field and the
 * principal's characters, as vdsso_msg_encode() checks them), else the
 * negative VDSsoError the encoder would return. */
int vdsso_msg_check(const VDSsoMsg *m);

/* Encode @m into @out (@out_len >= vdsso_msg_size(m)). Returns the number of
 * bytes written (> 0) or a negative VDSsoError. Validates @m as the decoder
 * would, so an encoder cannot produce what a receiver refuses. */
long vdsso_msg_encode(const VDSsoMsg *m, uint8_t *out, size_t out_len);

/* Decode and validate a whole payload. On success *@out is a new message
 * (free with vdsso_msg_free()); on error *@out is NULL and nothing was
 * allocated. */
int vdsso_msg_decode(const uint8_t *buf, size_t len, VDSsoMsg **out);

/* Wipe the credential and principal and free the message. NULL is fine. */
void vdsso_msg_free(VDSsoMsg *m);

/* ------------------------------------------------------ the VD_AGENT_SSO_REPLY payload
 *
 *   off size field
 *     0    4 version  VDSSO_VERSION (the agent's)
 *     4    4 serial   the serial of the VD_AGENT_SSO it answers
 *     8    4 result   VDSsoResult
 */

typedef enum VDSsoResult {
    VDSSO_RESULT_ACCEPTED = 0,            /* taken: a login or refresh is under way */
    VDSSO_RESULT_UNSUPPORTED_VERSION = 1,
    VDSSO_RESULT_MALFORMED = 2,           /* payload or credential malformed */
    VDSSO_RESULT_TOO_LARGE = 3,
    VDSSO_RESULT_DISABLED = 4,            /* single sign-on is off in the agent */
    VDSSO_RESULT_UNSUPPORTED_CRED = 5,
    VDSSO_RESULT_SEAT_BUSY = 6,           /* another user's session holds the seat */
    VDSSO_RESULT_NO_LOGIN_SERVICE = 7,    /* no greeter integration (PAM service file missing) */
    VDSSO_RESULT_PRINCIPAL_MISMATCH = 8,  /* principal field != the credential's client */
    VDSSO_RESULT_INTERNAL = 9,
    VDSSO_RESULT_USER_REFUSED = 10,       /* the principal maps to a local user single sign-on
                                           * may not log in as (root, a system account, ...) */
    VDSSO_RESULT_LAST = VDSSO_RESULT_USER_REFUSED
} VDSsoResult;

typedef struct VDSsoReply {
    uint32_t version;
    uint32_t serial;
    uint32_t result;
} VDSsoReply;

const char *vdsso_result_str(uint32_t result);
/* A one-word name of a result for key=value log lines ("seat-busy"). */
const char *vdsso_result_name(uint32_t result);
long vdsso_reply_encode(const VDSsoReply *r, uint8_t *out, size_t out_len);
int vdsso_reply_decode(const uint8_t *buf, size_t len, VDSsoReply *out);

/* -------------------------------------------------------- agent-port framing
 *
 * A message on the agent port is a VDAgentMessage header
 * {u32 protocol = 1; u32 type; u64 opaque = 0; u32 size} followed by the
 * payload, cut into chunks of at most VDSSO_CHUNK_MAX bytes, each preceded by
 * a VDIChunkHeader {u32 port; u32 size}. Little-endian. */

/* Bytes needed to frame a payload of @payload_len bytes. */
size_t vdsso_framed_size(size_t payload_len);

/* Frame @payload as a message of @type on @port into @out. Returns bytes
 * written or a negative VDSsoError. */
long vdsso_frame(uint32_t port, uint32_t type, const uint8_t *payload, size_t payload_len,
                 uint8_t *out, size_t out_len);

/* ----------------------------------------------------- the redemption socket
 *
 * Between spice-vdagentd and the PAM module, over a root-only UNIX stream
 * socket. Every frame: u32 length (of what follows, little-endian),
 * u16 type, u16 version (= VDSSO_REDEEM_VERSION), body. */

/* Version 2: FETCH names the conversation's preset user, and the agent may
 * answer STATUS(WRONG_CONVERSATION). Version 3: the single sign-on helper's
 * JOB and MAPPED requests and the TOKEN answer. Independent of VDSSO_VERSION
 * (the VD_AGENT_SSO message). */
#define VDSSO_REDEEM_VERSION 3u
#define VDSSO_REDEEM_NO_USER 0xffffffffu /* FETCH: PAM_USER was not preset */

#define VDSSO_TOKEN_SIZE 16u      /* 128-bit one-time token */
#define VDSSO_TOKEN_HEX_LEN 32u   /* its text form, lower-case hex */
#define VDSSO_REDEEM_HEADER 8u
#define VDSSO_REDEEM_MAX_FRAME (VDSSO_REDEEM_HEADER + VDSSO_MAX_PAYLOAD)

typedef enum VDSsoRedeemType {
    VDSSO_REDEEM_FETCH = 1,     /* PAM -> agent: body token[16] u32 user (preset uid) */
    VDSSO_REDEEM_REPORT = 2,    /* PAM -> agent: body token[16] u32 outcome u32 uid */
    VDSSO_REDEEM_JOB = 3,       /* helper -> agent: body u32 job */
    VDSSO_REDEEM_MAPPED = 4,    /* helper -> agent: body u32 job u32 mapping u32 uid */
    VDSSO_REDEEM_CRED = 0x81,   /* agent -> PAM: body = a VD_AGENT_SSO payload */
    VDSSO_REDEEM_STATUS = 0x82, /* agent -> PAM: body u32 status */
    VDSSO_REDEEM_TOKEN = 0x83   /* agent -> helper: body token[16] */
} VDSsoRedeemType;

/* What the helper found the principal of a job to be here (MAPPED). */
typedef enum VDSsoMapping {
    VDSSO_MAPPING_USER = 0,      /* a local user single sign-on may log in as: uid */
    VDSSO_MAPPING_NO_USER = 1,   /* no local account or name, or the mapping failed */
    VDSSO_MAPPING_REFUSED = 2,   /* an account single sign-on may never log in as */
    VDSSO_MAPPING_BAD_CRED = 3,  /* sso_krb5_creds_load() refused the credential (malformed,
                                  * not one client principal, no TGT of the realm, expired):
                                  * the agent replies MALFORMED */
    VDSSO_MAPPING_MISMATCH = 4,  /* the credential's client is not the principal field: the
                                  * agent replies PRINCIPAL_MISMATCH */
    VDSSO_MAPPING_LAST = VDSSO_MAPPING_MISMATCH
} VDSsoMapping;

typedef enum VDSsoRedeemStatus {
    VDSSO_STATUS_OK = 0,             /* report recorded */
    VDSSO_STATUS_UNKNOWN_TOKEN = 1,  /* never issued, already fetched, or expired */
    VDSSO_STATUS_BAD_REQUEST = 2,
    VDSSO_STATUS_NOT_FETCHED = 3,    /* report for a token nobody fetched */
    VDSSO_STATUS_WRONG_CONVERSATION = 4, /* FETCH from a conversation the token is not
                                          * for; it stays valid for the right one */
    VDSSO_STATUS_LAST = VDSSO_STATUS_WRONG_CONVERSATION
} VDSsoRedeemStatus;

/* Outcomes a REPORT carries (0 = the user was authenticated). */
typedef enum VDSsoOutcome {
    VDSSO_OUTCOME_SUCCESS = 0,
    VDSSO_OUTCOME_VERIFY_FAILED = 1,  /* TGT did not verify against the keytab */
    VDSSO_OUTCOME_NO_USER = 2,        /* principal maps to no permitted local user */
    VDSSO_OUTCOME_USER_MISMATCH = 3,  /* PAM_USER preset to someone else */
    VDSSO_OUTCOME_BAD_CCACHE = 4,
    VDSSO_OUTCOME_INTERNAL = 5,
    VDSSO_OUTCOME_LAST = VDSSO_OUTCOME_INTERNAL
} VDSsoOutcome;

const char *vdsso_status_str(uint32_t status);
const char *vdsso_outcome_str(uint32_t outcome);

typedef struct VDSsoRedeemFrame {
    uint16_t type;
    uint16_t version;
    uint8_t token[VDSSO_TOKEN_SIZE];  /* FETCH, REPORT, TOKEN */
    uint32_t job;                     /* JOB, MAPPED */
    uint32_t mapping;                 /* MAPPED: a VDSsoMapping */
    uint32_t outcome;                 /* REPORT */
    uint32_t uid;                     /* REPORT, MAPPED: the user; FETCH: the
                                       * conversation's preset user,
                                       * VDSSO_REDEEM_NO_USER if none */
    uint32_t status;                  /* STATUS */
    const uint8_t *body;              /* CRED: points into the decoded buffer */
    uint32_t body_len;
} VDSsoRedeemFrame;

/* Given the first VDSSO_REDEEM_HEADER bytes received, the total frame size,
 * or a negative error (VDSSO_ERR_TOO_LARGE, VDSSO_ERR_TRUNCATED, VDSSO_ERR_VERSION,
 * VDSSO_ERR_TYPE) so a reader can refuse before reading (or allocating for)
 * the body. */
long vdsso_redeem_frame_size(const uint8_t *hdr, size_t len);

/* Decode one whole frame. The token and numbers are copied into @out; for a
 * CRED frame @out->body points into @buf. */
int vdsso_redeem_decode(const uint8_t *buf, size_t len, VDSsoRedeemFrame *out);

/* Encode a frame; for CRED, @body/@body_len are the payload. Returns bytes
 * written or a negative VDSsoError. */
long vdsso_redeem_encode(const VDSsoRedeemFrame *f, uint8_t *out, size_t out_len);

/* Token text form: 32 lower-case hex digits. */
void vdsso_token_to_hex(const uint8_t token[VDSSO_TOKEN_SIZE], char hex[VDSSO_TOKEN_HEX_LEN + 1]);
/* Returns VDSSO_OK or VDSSO_ERR_INVALID if @hex is not exactly 32 hex digits. */
int vdsso_token_from_hex(const char *hex, uint8_t token[VDSSO_TOKEN_SIZE]);

/* ------------------------------------------------------ credential records
 *
 * A VDSSO_CRED_KRB5_CREDS credential is a sequence of records, each
 *   u32 len (little-endian, 1..VDSSO_CREDS_MAX_RECORD), then len bytes
 * that are the output of MIT krb5's krb5_marshal_credentials() for one
 * krb5_creds. The records fill the credential exactly; there are
 * 1..VDSSO_CREDS_MAX_RECORDS of them. This library only checks the
 * envelope and hands out slices: the bytes of a record are krb5's to read
 * (krb5_unmarshal_credentials). No allocation. */

#define VDSSO_CREDS_MAX_RECORDS 16u
#define VDSSO_CREDS_RECORD_HEADER 4u
#define VDSSO_CREDS_MAX_RECORD 32768u

typedef struct VDSsoSlice {
    const uint8_t *p;
    size_t len;
} VDSsoSlice;

typedef struct VDSsoCredsIter {
    const uint8_t *p;
    size_t left;
    size_t count;
} VDSsoCredsIter;

/* Check a whole credential: the number of records (> 0), or a negative
 * VDSsoError (VDSSO_ERR_EMPTY_CRED, VDSSO_ERR_TOO_LARGE, VDSSO_ERR_CREDS,
 * VDSSO_ERR_CREDS_LIMIT). */
int vdsso_creds_check(const uint8_t *buf, size_t len);

/* Walk the records of @buf. vdsso_creds_next() returns 1 with *@rec pointing
 * into @buf, 0 at the end, or a negative VDSsoError (and then nothing more);
 * each record is bounds-checked before it is handed out. */
void vdsso_creds_iter_init(VDSsoCredsIter *it, const uint8_t *buf, size_t len);
int vdsso_creds_next(VDSsoCredsIter *it, VDSsoSlice *rec);

/* Bytes needed to encode @n records (0 if out of bounds), and the encoder:
 * bytes written or a negative VDSsoError. */
size_t vdsso_creds_size(const VDSsoSlice *recs, size_t n);
long vdsso_creds_encode(const VDSsoSlice *recs, size_t n, uint8_t *out, size_t out_len);

/* ------------------------------------------------------------------ helpers */

/* explicit_bzero, then free. NULL is fine. */
void vdsso_wipe_free(void *p, size_t len);
void vdsso_wipe(void *p, size_t len);

/* Constant-time comparison of two equally long buffers: 1 if equal. */
int vdsso_ct_equal(const void *a, const void *b, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* VDAGENT_SSO_H */
