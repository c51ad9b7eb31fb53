/* auth.c - pam_sm_authenticate's work: ask for the token, redeem it with
 * spice-vdagentd, verify and map the credential, set PAM_USER, report.
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The greeter (gnome-shell's oVirt credential manager) answers every
 * PAM_PROMPT_ECHO_OFF question of service gdm-ovirtcred with the token it
 * got in org.ovirt.vdsm.Credentials.UserAuthenticated; anything else it
 * shows to the user. So: exactly one ECHO_OFF question, and PAM_USER set
 * here, before any other module could ask for a user name.
 */
#include "internal.h"

#include <errno.h>
#include <pwd.h>
#include <security/pam_ext.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

int sso_load_options(pam_handle_t *pamh, int argc, const char **argv, SsoOptions *o)
{
    char err[256];
    if (sso_options_parse(argc, argv, o, err, sizeof(err)) != 0) {
        pam_syslog(pamh, LOG_ERR, "%s: refusing to run", err);
        return PAM_SERVICE_ERR;
    }
    return PAM_SUCCESS;
}

static void auth_state_cleanup(pam_handle_t *pamh, void *data, int error_status)
{
    (void)pamh;
    (void)error_status;
    SsoAuthState *s = data;
    if (s == NULL) {
        return;
    }
    sso_krb5_creds_free(s->creds); /* wipes the session key */
    sso_krb5_close(s->k);
    vdsso_wipe(s, sizeof(*s));
    free(s);
}

/* Ask the one question; the answer as a token. Returns a PAM code. */
static int ask_token(pam_handle_t *pamh, uint8_t token[VDSSO_TOKEN_SIZE])
{
    char *answer = NULL;
    int r = pam_prompt(pamh, PAM_PROMPT_ECHO_OFF, &answer, "%s", SSO_PROMPT);
    if (r != PAM_SUCCESS || answer == NULL) {
        pam_syslog(pamh, LOG_ERR, "refused: the conversation gave no answer to the token prompt: %s",
                   pam_strerror(pamh, r != PAM_SUCCESS ? r : PAM_CONV_ERR));
        free(answer);
        return r != PAM_SUCCESS ? r : PAM_CONV_ERR;
    }
    int ok = vdsso_token_from_hex(answer, token) == VDSSO_OK;
    vdsso_wipe(answer, strlen(answer));
    free(answer);
    if (!ok) {
        pam_syslog(pamh, LOG_NOTICE,
                   "refused: the answer to the token prompt is not a 32-digit single sign-on token");
        return PAM_AUTH_ERR;
    }
    return PAM_SUCCESS;
}

/* The uid of the preset user @name, for the FETCH; -1 if there is none. */
static int preset_uid(const char *name, uint32_t *uid)
{
    char buf[16384];
    struct passwd pw, *res = NULL;
    int e = getpwnam_r(name, &pw, buf, sizeof(buf), &res);
    if (e != 0 || res == NULL) {
        return -1;
    }
    *uid = (uint32_t)pw.pw_uid;
    return 0;
}

/* Tell the agent; returns 0 if it recorded the report. */
static int report(pam_handle_t *pamh, const SsoOptions *o, const uint8_t *token,
                  VDSsoOutcome outcome, uint32_t uid, const char *principal)
{
    char err[512];
    uint32_t status = VDSSO_STATUS_BAD_REQUEST;
    SsoRedeemResult r = sso_redeem_report(o->socket_path, o->timeout, 0, token, outcome, uid,
                                          &status, err, sizeof(err));
    if (r != SSO_REDEEM_OK) {
        pam_syslog(pamh, LOG_ERR, "cannot report outcome %u (%s) for %s: %s", outcome,
                   vdsso_outcome_str(outcome), principal, err);
        return -1;
    }
    if (status != VDSSO_STATUS_OK) {
        pam_syslog(pamh, LOG_ERR, "the agent did not record outcome %u (%s) for %s: status %u (%s)",
                   outcome, vdsso_outcome_str(outcome), principal, status,
                   vdsso_status_str(status));
        return -1;
    }
    if (o->debug) {
        pam_syslog(pamh, LOG_DEBUG, "reported outcome %u (%s) for %s", outcome,
                   vdsso_outcome_str(outcome), principal);
    }
    return 0;
}

int sso_authenticate(pam_handle_t *pamh, int flags, const SsoOptions *o)
{
    (void)flags;
    uint8_t token[VDSSO_TOKEN_SIZE];
    VDSsoMsg *msg = NULL;
    SsoAuthState *s = NULL;
    SsoKrb5Error kerr = { 0 };
    char err[512];
    int ret;

    /* A preset user (an unlock dialog): the credential must be theirs. */
    const void *item = NULL;
    char preset[SSO_KRB5_USERLEN] = "";
    if (pam_get_item(pamh, PAM_USER, &item) == PAM_SUCCESS && item != NULL &&
        ((const char *)item)[0] != '\0') {
        snprintf(preset, sizeof(preset), "%s", (const char *)item);
    }

    /* Only seat0's greeter conversation may redeem: refuse any other
     * before anything is redeemed, so the token stays valid for it. The
     * helper (service spice-vdagentd-sso) refreshes the cache of a user
     * whose session is on the seat: it has no seat of its own, runs in a
     * unit that vdagentd checks, and always presets that user. */
    if (o->helper) {
        if (preset[0] == '\0') {
            pam_syslog(pamh, LOG_NOTICE, "refused: the helper's conversation presets no user");
            return PAM_AUTH_ERR;
        }
    } else if (sso_conversation_check(pamh, err, sizeof(err)) != 0) {
        pam_syslog(pamh, LOG_NOTICE, "refused: %s", err);
        return PAM_AUTH_ERR;
    }
    /* The agent knows whose conversation may redeem the token (nobody
     * preset at the login greeter; the user of the locked session in an
     * unlock dialog): tell it ours. */
    uint32_t user = VDSSO_REDEEM_NO_USER;
    if (preset[0] != '\0' && preset_uid(preset, &user) != 0) {
        pam_syslog(pamh, LOG_NOTICE, "refused: the user of this conversation, %s, is unknown",
                   preset);
        return PAM_AUTH_ERR;
    }

    ret = ask_token(pamh, token);
    if (ret != PAM_SUCCESS) {
        return ret;
    }

    SsoRedeemResult rr = sso_redeem_fetch(o->socket_path, o->timeout, 0, token, user, &msg, err,
                                          sizeof(err));
    if (rr == SSO_REDEEM_UNKNOWN_TOKEN || rr == SSO_REDEEM_WRONG_CONVERSATION) {
        pam_syslog(pamh, LOG_NOTICE, "refused: %s", err);
        ret = PAM_AUTH_ERR;
        goto out;
    }
    if (rr != SSO_REDEEM_OK) {
        pam_syslog(pamh, LOG_ERR, "refused: cannot redeem the token: %s", err);
        ret = PAM_AUTHINFO_UNAVAIL;
        goto out;
    }

    /* From here on the agent holds a fetched credential: always report. */
    char principal[VDSSO_MAX_PRINCIPAL + 1];
    snprintf(principal, sizeof(principal), "%s", msg->principal);
    s = calloc(1, sizeof(*s));
    if (s == NULL) {
        pam_syslog(pamh, LOG_CRIT, "refused %s: out of memory", principal);
        report(pamh, o, token, VDSSO_OUTCOME_INTERNAL, SSO_REPORT_NO_UID, principal);
        ret = PAM_BUF_ERR;
        goto out;
    }
    SsoKrb5Status st = sso_krb5_open(&o->krb5, &s->k, &kerr);
    if (st == SSO_KRB5_OK) {
        st = sso_krb5_creds_load(s->k, msg, &s->creds, &kerr);
    }
    vdsso_msg_free(msg); /* the credential is in s->creds now, or refused */
    msg = NULL;
    if (st == SSO_KRB5_OK) {
        st = sso_krb5_creds_verify(s->k, s->creds, &kerr);
    }
    if (st == SSO_KRB5_OK) {
        st = sso_krb5_map_user(s->k, s->creds, &s->user, &kerr);
    }
    if (st != SSO_KRB5_OK) {
        pam_syslog(pamh, st == SSO_KRB5_INTERNAL ? LOG_ERR : LOG_NOTICE, "refused %s: %s: %s",
                   principal, sso_krb5_status_str(st), kerr.text);
        report(pamh, o, token, sso_krb5_outcome(st), SSO_REPORT_NO_UID, principal);
        ret = st == SSO_KRB5_INTERNAL ? PAM_SYSTEM_ERR : PAM_AUTH_ERR;
        goto out;
    }
    if (preset[0] != '\0' && strcmp(preset, s->user.name) != 0) {
        pam_syslog(pamh, LOG_NOTICE,
                   "refused %s: it maps to user %s, but the user of this conversation is %s",
                   principal, s->user.name, preset);
        report(pamh, o, token, VDSSO_OUTCOME_USER_MISMATCH, SSO_REPORT_NO_UID, principal);
        ret = PAM_AUTH_ERR;
        goto out;
    }
    /* A login will create a cache at the user's default name: if that
     * name is taken (squatted by someone else, or another session's
     * cache), refuse now, before the agent records a login, rather than
     * fail when the session opens. An unlock only refreshes. */
    if (preset[0] == '\0') {
        st = sso_krb5_store_check(s->k, &s->user, &kerr);
        if (st != SSO_KRB5_OK) {
            pam_syslog(pamh, st == SSO_KRB5_INTERNAL ? LOG_ERR : LOG_NOTICE,
                       "refused %s: cannot store its credential cache for user %s: %s: %s",
                       principal, s->user.name, sso_krb5_status_str(st), kerr.text);
            report(pamh, o, token, sso_krb5_outcome(st), SSO_REPORT_NO_UID, principal);
            ret = st == SSO_KRB5_INTERNAL ? PAM_SYSTEM_ERR : PAM_AUTH_ERR;
            goto out;
        }
    }
    ret = preset[0] != '\0' ? PAM_SUCCESS : pam_set_item(pamh, PAM_USER, s->user.name);
    if (ret == PAM_SUCCESS) {
        ret = pam_set_data(pamh, SSO_DATA_AUTH, s, auth_state_cleanup);
    }
    if (ret != PAM_SUCCESS) {
        pam_syslog(pamh, LOG_ERR, "refused %s: cannot set the PAM user or data: %s", principal,
                   pam_strerror(pamh, ret));
        report(pamh, o, token, VDSSO_OUTCOME_INTERNAL, SSO_REPORT_NO_UID, principal);
        if (preset[0] == '\0') {
            pam_set_item(pamh, PAM_USER, NULL);
        }
        goto out;
    }
    SsoAuthState *kept = s;
    s = NULL; /* PAM owns it now */
    /* The agent must know, so it can lock the session when the client
     * leaves: without its acknowledgement, no login. */
    if (report(pamh, o, token, VDSSO_OUTCOME_SUCCESS, (uint32_t)kept->user.uid, principal) != 0) {
        pam_syslog(pamh, LOG_NOTICE, "refused %s: the agent did not acknowledge the login",
                   principal);
        pam_set_data(pamh, SSO_DATA_AUTH, NULL, NULL); /* wipes the credential */
        if (preset[0] == '\0') {
            pam_set_item(pamh, PAM_USER, NULL);
        }
        ret = PAM_AUTH_ERR;
        goto out;
    }
    pam_syslog(pamh, LOG_NOTICE, "authenticated %s as local user %s (uid %lu)", principal,
               kept->user.name, (unsigned long)kept->user.uid);
    ret = PAM_SUCCESS;

out:
    vdsso_wipe(token, sizeof(token));
    vdsso_msg_free(msg);
    auth_state_cleanup(pamh, s, 0);
    return ret;
}
