/* internal.h - what the files of pam_vdagent_sso share.
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * api-auth.c and api-session.c are the PAM entry points and stay thin; the
 * work is in auth.c (the conversation, redemption, verification, mapping),
 * session.c (the credential cache of the session), redeem.c (the client of
 * spice-vdagentd's redemption socket), options.c, and sso-krb5*.c (the
 * Kerberos work, shared with spice-vdagentd).
 */
#ifndef PAM_VDAGENT_SSO_INTERNAL_H
#define PAM_VDAGENT_SSO_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <security/pam_modules.h>

#include "sso-krb5.h"
#include "vdagent-sso.h"

#define SSO_DEFAULT_SOCKET "/run/spice-vdagentd/sso.sock"
#define SSO_DEFAULT_TIMEOUT 10 /* seconds for one redemption exchange */
#define SSO_PROMPT "Single sign-on token: "

/* pam_set_data() names */
#define SSO_DATA_AUTH "pam_vdagent_sso:auth"   /* SsoAuthState: verified creds */
#define SSO_DATA_CACHE "pam_vdagent_sso:cache" /* SsoCacheState: what the session created */

/* ------------------------------------------------------------------ options */

typedef struct SsoOptions {
    const char *socket_path; /* socket= */
    SsoKrb5Options krb5;     /* krb5_conf=, keytab=, server=, uid_min= */
    int timeout;             /* timeout= seconds */
    int debug;               /* debug */
    int helper;              /* helper: the conversation is spice-vdagent-sso-helper's */
} SsoOptions;

/* Parse module arguments (pointers into @argv are kept). Returns 0, or -1
 * with a message in @err for an unknown or malformed argument. */
int sso_options_parse(int argc, const char **argv, SsoOptions *o, char *err, size_t errlen);

/* ---------------------------------------------------------- the redemption socket */

typedef enum SsoRedeemResult {
    SSO_REDEEM_OK = 0,
    SSO_REDEEM_UNREACHABLE,   /* cannot connect */
    SSO_REDEEM_NOT_ROOT,      /* the socket is not served by root */
    SSO_REDEEM_PROTOCOL,      /* malformed, unexpected or missing answer, timeout */
    SSO_REDEEM_UNKNOWN_TOKEN, /* STATUS(UNKNOWN_TOKEN) */
    SSO_REDEEM_WRONG_CONVERSATION /* STATUS(WRONG_CONVERSATION): not for this conversation */
} SsoRedeemResult;

/* FETCH @token for a conversation whose preset user is @user
 * (VDSSO_REDEEM_NO_USER: none); on success *@msg is the decoded
 * VD_AGENT_SSO payload. */
SsoRedeemResult sso_redeem_fetch(const char *path, int timeout, uid_t server_uid,
                                 const uint8_t token[VDSSO_TOKEN_SIZE], uint32_t user,
                                 VDSsoMsg **msg, char *err, size_t errlen);

/* ------------------------------------------------------------- the conversation */

/* Is this PAM handle seat0's local greeter conversation (GDM 43's session
 * worker: XDG_SEAT=seat0 in the PAM environment, no PAM_RHOST, PAM_TTY a
 * local VT or X display)? Returns 0, or -1 with the reason in @why. */
int sso_conversation_check(pam_handle_t *pamh, char *why, size_t whylen);

/* REPORT the outcome; *@status receives the agent's STATUS. */
SsoRedeemResult sso_redeem_report(const char *path, int timeout, uid_t server_uid,
                                  const uint8_t token[VDSSO_TOKEN_SIZE], uint32_t outcome,
                                  uint32_t uid, uint32_t *status, char *err, size_t errlen);

/* The single sign-on helper (spice-vdagent-sso-helper): JOB @job; on
 * success *@msg is the VD_AGENT_SSO payload whose principal it maps. */
SsoRedeemResult sso_redeem_job(const char *path, int timeout, uid_t server_uid, uint32_t job,
                               VDSsoMsg **msg, char *err, size_t errlen);
/* MAPPED: what the principal of @job is here. *@has_token is set, and
 * @token filled, when the agent wants the helper to refresh the user's
 * cache with that token; otherwise there is nothing more to do. */
SsoRedeemResult sso_redeem_mapped(const char *path, int timeout, uid_t server_uid, uint32_t job,
                                  uint32_t mapping, uint32_t uid,
                                  uint8_t token[VDSSO_TOKEN_SIZE], int *has_token, char *err,
                                  size_t errlen);

/* REPORT's uid when no user was determined. */
#define SSO_REPORT_NO_UID 0xffffffffu

/* ------------------------------------------------------------------ state */

typedef struct SsoAuthState {
    SsoKrb5 *k;
    SsoKrb5Creds *creds; /* verified */
    SsoKrb5User user;
} SsoAuthState;

typedef struct SsoCacheState {
    SsoKrb5User user;
    SsoKrb5Stored stored;
} SsoCacheState;

/* ------------------------------------------------------------------ work */

int sso_authenticate(pam_handle_t *pamh, int flags, const SsoOptions *o);
int sso_setcred(pam_handle_t *pamh, int flags, const SsoOptions *o);
int sso_open_session(pam_handle_t *pamh, int flags, const SsoOptions *o);
int sso_close_session(pam_handle_t *pamh, int flags, const SsoOptions *o);

/* Parse the options of this module line, logging a bad one. Returns
 * PAM_SUCCESS or PAM_SERVICE_ERR. */
int sso_load_options(pam_handle_t *pamh, int argc, const char **argv, SsoOptions *o);

#endif /* PAM_VDAGENT_SSO_INTERNAL_H */
