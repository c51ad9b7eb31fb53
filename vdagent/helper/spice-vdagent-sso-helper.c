/* spice-vdagent-sso-helper - the Kerberos half of spice-vdagentd's single
 * sign-on, as a PAM application.
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * spice-vdagentd links no Kerberos library and forks nothing. For each
 * VD_AGENT_SSO it has systemd start the oneshot unit
 * spice-vdagentd-sso@JOB.service, which runs this program with JOB (a
 * number, no secret). vdagentd hands the job only to a process of that
 * unit (its cgroup, read with sd-login), on its root-only redemption
 * socket (docs/protocol.md):
 *
 *   JOB(job)                     -> CRED(the VD_AGENT_SSO payload)
 *   map its principal with sso-krb5 (krb5_aname_to_localname, passwd,
 *   UID_MIN..UID_MAX, krb5_kuserok), as pam_vdagent_sso maps it
 *   MAPPED(job, mapping, uid)    -> STATUS(OK): nothing more to do
 *                                   (vdagentd asks the greeter for a login,
 *                                   refuses, or found the seat busy)
 *                                -> TOKEN(token): the user has a session on
 *                                   the seat; refresh its credential cache:
 *   pam_start("spice-vdagentd-sso", user), answer the module's token prompt
 *   with the token, pam_authenticate (the module redeems, verifies, maps
 *   again, reports), pam_acct_mgmt, pam_setcred(PAM_REFRESH_CRED) (the
 *   module rewrites the user's existing cache of that principal, as the
 *   user), pam_end.
 *
 * Logs go to stderr with sd-daemon priority prefixes (the journal keeps
 * them as the unit's); no secret is logged. The token lives in this
 * process's memory only and is wiped after use.
 */
#include "internal.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <security/pam_appl.h>

#define HELPER_PAM_SERVICE "spice-vdagentd-sso"

static void say(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(int prio, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "<%d>spice-vdagent-sso-helper: ", prio);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

typedef struct {
    char hex[VDSSO_TOKEN_HEX_LEN + 1];
    int answered;
} ConvData;

/* The module asks one hidden question, the token; anything else is only
 * logged, and a second hidden question is refused. */
static int conversation(int n, const struct pam_message **msgs, struct pam_response **resp,
                        void *data)
{
    ConvData *cd = data;
    if (n <= 0 || n > PAM_MAX_NUM_MSG) {
        return PAM_CONV_ERR;
    }
    struct pam_response *r = calloc((size_t)n, sizeof(*r));
    if (r == NULL) {
        return PAM_BUF_ERR;
    }
    for (int i = 0; i < n; i++) {
        switch (msgs[i]->msg_style) {
        case PAM_PROMPT_ECHO_OFF:
            if (cd->answered) {
                say(LOG_ERR, "the PAM stack asked a second hidden question (\"%s\"): refused",
                    msgs[i]->msg);
                goto fail;
            }
            r[i].resp = strdup(cd->hex);
            if (r[i].resp == NULL) {
                goto fail;
            }
            cd->answered = 1;
            break;
        case PAM_PROMPT_ECHO_ON:
            say(LOG_ERR, "the PAM stack asked \"%s\", which the helper cannot answer",
                msgs[i]->msg);
            goto fail;
        case PAM_ERROR_MSG:
        case PAM_TEXT_INFO:
            say(msgs[i]->msg_style == PAM_ERROR_MSG ? LOG_WARNING : LOG_INFO, "PAM: %s",
                msgs[i]->msg);
            break;
        default:
            goto fail;
        }
    }
    *resp = r;
    return PAM_SUCCESS;
fail:
    for (int i = 0; i < n; i++) {
        if (r[i].resp != NULL) {
            vdsso_wipe(r[i].resp, strlen(r[i].resp));
            free(r[i].resp);
        }
    }
    free(r);
    return PAM_CONV_ERR;
}

/* Map the principal of @msg as the PAM module does. */
static VDSsoMapping map_principal(const VDSsoMsg *msg, SsoKrb5User *user)
{
    SsoKrb5Options opts = { .uid_min = -1 };
    SsoKrb5 *k = NULL;
    SsoKrb5Creds *c = NULL;
    SsoKrb5Error kerr = { 0 };
    SsoKrb5Status st = sso_krb5_open(&opts, &k, &kerr);
    if (st == SSO_KRB5_OK) {
        st = sso_krb5_creds_load(k, msg, &c, &kerr);
    }
    if (st == SSO_KRB5_OK) {
        st = sso_krb5_map_user(k, c, user, &kerr);
    }
    sso_krb5_creds_free(c);
    sso_krb5_close(k);
    switch (st) {
    case SSO_KRB5_OK:
        say(LOG_INFO, "%s maps to local user %s (uid %lu)", msg->principal, user->name,
            (unsigned long)user->uid);
        return VDSSO_MAPPING_USER;
    case SSO_KRB5_MISMATCH:
        say(LOG_NOTICE, "refused the credential of %s: %s", msg->principal, kerr.text);
        return VDSSO_MAPPING_MISMATCH;
    case SSO_KRB5_BAD_CCACHE:
    case SSO_KRB5_EXPIRED:
        say(LOG_NOTICE, "refused the credential of %s: %s", msg->principal, kerr.text);
        return VDSSO_MAPPING_BAD_CRED;
    case SSO_KRB5_USER_REFUSED:
        say(LOG_NOTICE, "%s maps to a local user single sign-on may not log in as: %s",
            msg->principal, kerr.text);
        return VDSSO_MAPPING_REFUSED;
    default:
        say(st == SSO_KRB5_INTERNAL ? LOG_ERR : LOG_NOTICE, "%s maps to no permitted local user:"
            " %s: %s", msg->principal, sso_krb5_status_str(st), kerr.text);
        return VDSSO_MAPPING_NO_USER;
    }
}

/* Refresh @user's cache through PAM with @token. Returns 0 on success. */
static int refresh(const SsoKrb5User *user, const uint8_t token[VDSSO_TOKEN_SIZE])
{
    ConvData cd = { .answered = 0 };
    struct pam_conv conv = { conversation, &cd };
    pam_handle_t *pamh = NULL;
    const char *step = "pam_start";
    vdsso_token_to_hex(token, cd.hex);
    int r = pam_start(HELPER_PAM_SERVICE, user->name, &conv, &pamh);
    if (r == PAM_SUCCESS) {
        step = "pam_authenticate";
        r = pam_authenticate(pamh, PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK);
    }
    if (r == PAM_SUCCESS) {
        step = "pam_acct_mgmt";
        r = pam_acct_mgmt(pamh, PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK);
    }
    if (r == PAM_SUCCESS) {
        step = "pam_setcred(PAM_REFRESH_CRED)";
        r = pam_setcred(pamh, PAM_SILENT | PAM_REFRESH_CRED);
    }
    vdsso_wipe(cd.hex, sizeof(cd.hex));
    if (r != PAM_SUCCESS) {
        say(LOG_ERR, "could not refresh the credential cache of %s (uid %lu): %s: %s",
            user->name, (unsigned long)user->uid, step,
            pamh != NULL ? pam_strerror(pamh, r) : "cannot start PAM");
    } else {
        say(LOG_INFO, "refreshed the credential cache of %s (uid %lu) through PAM service %s",
            user->name, (unsigned long)user->uid, HELPER_PAM_SERVICE);
    }
    if (pamh != NULL) {
        pam_end(pamh, r);
    }
    return r == PAM_SUCCESS ? 0 : -1;
}

static int parse_job(const char *s, uint32_t *job)
{
    char *end;
    if (s == NULL || *s < '1' || *s > '9') {
        return -1;
    }
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (errno != 0 || *end != '\0' || v > UINT32_MAX) {
        return -1;
    }
    *job = (uint32_t)v;
    return 0;
}

int main(int argc, char **argv)
{
    const char *socket_path = SSO_DEFAULT_SOCKET;
    uint32_t job;
    int argi = 1;
    char err[512];

    if (argc == 4 && strcmp(argv[1], "--socket") == 0 && argv[2][0] == '/') {
        socket_path = argv[2];
        argi = 3;
    }
    if (argc != argi + 1 || parse_job(argv[argi], &job) != 0) {
        fprintf(stderr, "usage: %s [--socket PATH] JOB\n"
                "  (started by systemd as spice-vdagentd-sso@JOB.service for spice-vdagentd)\n",
                argv[0]);
        return 2;
    }

    VDSsoMsg *msg = NULL;
    SsoRedeemResult rr = sso_redeem_job(socket_path, SSO_DEFAULT_TIMEOUT, 0, job, &msg, err,
                                        sizeof(err));
    if (rr != SSO_REDEEM_OK) {
        say(LOG_ERR, "job %u: %s", job, err);
        return 1;
    }
    SsoKrb5User user;
    memset(&user, 0, sizeof(user));
    VDSsoMapping mapping = map_principal(msg, &user);
    char principal[VDSSO_MAX_PRINCIPAL + 1];
    snprintf(principal, sizeof(principal), "%s", msg->principal);
    vdsso_msg_free(msg); /* wipes the credential */

    uint8_t token[VDSSO_TOKEN_SIZE];
    int has_token = 0;
    rr = sso_redeem_mapped(socket_path, SSO_DEFAULT_TIMEOUT, 0, job, mapping,
                           mapping == VDSSO_MAPPING_USER ? (uint32_t)user.uid
                                                         : SSO_REPORT_NO_UID,
                           token, &has_token, err, sizeof(err));
    if (rr != SSO_REDEEM_OK) {
        say(LOG_ERR, "job %u: %s", job, err);
        return 1;
    }
    if (!has_token) {
        say(LOG_INFO, "job %u: spice-vdagentd took it from here (%s)", job, principal);
        return 0;
    }
    if (mapping != VDSSO_MAPPING_USER) {
        vdsso_wipe(token, sizeof(token));
        say(LOG_ERR, "job %u: spice-vdagentd sent a token for a principal without a user", job);
        return 1;
    }
    int r = refresh(&user, token);
    vdsso_wipe(token, sizeof(token));
    return r == 0 ? 0 : 1;
}
