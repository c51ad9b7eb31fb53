/* conversation.c - is this PAM handle seat0's greeter conversation?
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The token is broadcast on the system bus, and every greeter on the
 * machine listens: another seat's, a remote-login (XDMCP, remote desktop)
 * greeter, every user's unlock dialog. Single sign-on serves only the
 * console the SPICE client shows, seat0. What GDM 43's session worker
 * (daemon/gdm-session-worker.c, gdm_session_worker_initialize_pam) puts in
 * the PAM handle before pam_authenticate:
 *  - XDG_SEAT=<the display's seat> in the PAM environment, and only for a
 *    display with a seat: a remote display has none;
 *  - PAM_RHOST=<host> for a remote display;
 *  - PAM_TTY="/dev/tty<initial VT>" (later, when the session opens, the
 *    session's VT or X display name).
 * XDG_VTNR is put in the PAM environment only when the session opens
 * (set_up_for_current_vt, seat0 only), so it is not there to check yet; if
 * it is, it must be a VT number.
 * These are facts of the handle this module runs in, so checking them
 * here refuses a wrong conversation before it redeems anything: the token
 * stays valid for the right one. spice-vdagentd checks the other half,
 * which process is asking (sso.c, sso-daemon.c).
 */
#include "internal.h"

#include <security/pam_ext.h>
#include <stdio.h>
#include <string.h>

#define SSO_SEAT "seat0"

static int all_digits(const char *s)
{
    if (s == NULL || *s == '\0') {
        return 0;
    }
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '9') {
            return 0;
        }
    }
    return 1;
}

/* A local console: "/dev/ttyN", "ttyN", or a local X display ":N[.M]". */
static int local_tty(const char *tty)
{
    if (strncmp(tty, "/dev/", 5) == 0) {
        tty += 5;
    }
    if (strncmp(tty, "tty", 3) == 0) {
        return all_digits(tty + 3) && tty[3] != '0';
    }
    if (tty[0] == ':') {
        const char *dot = strchr(tty, '.');
        char disp[16];
        size_t n = dot != NULL ? (size_t)(dot - tty - 1) : strlen(tty + 1);
        if (n == 0 || n >= sizeof(disp)) {
            return 0;
        }
        memcpy(disp, tty + 1, n);
        disp[n] = '\0';
        return all_digits(disp) && (dot == NULL || all_digits(dot + 1));
    }
    return 0;
}

int sso_conversation_check(pam_handle_t *pamh, char *why, size_t whylen)
{
    const char *seat = pam_getenv(pamh, "XDG_SEAT");
    if (seat == NULL || seat[0] == '\0') {
        snprintf(why, whylen, "the conversation has no seat (no XDG_SEAT in the PAM environment:"
                 " a remote or seatless display); single sign-on serves only %s's greeter",
                 SSO_SEAT);
        return -1;
    }
    if (strcmp(seat, SSO_SEAT) != 0) {
        snprintf(why, whylen, "the conversation is on seat %.64s (XDG_SEAT), not on %s;"
                 " single sign-on serves only %s's greeter", seat, SSO_SEAT, SSO_SEAT);
        return -1;
    }
    const void *item = NULL;
    if (pam_get_item(pamh, PAM_RHOST, &item) == PAM_SUCCESS && item != NULL &&
        ((const char *)item)[0] != '\0') {
        snprintf(why, whylen, "the conversation is a remote login (PAM_RHOST %.128s);"
                 " single sign-on serves only %s's local greeter", (const char *)item, SSO_SEAT);
        return -1;
    }
    item = NULL;
    if (pam_get_item(pamh, PAM_TTY, &item) == PAM_SUCCESS && item != NULL &&
        ((const char *)item)[0] != '\0' && !local_tty((const char *)item)) {
        snprintf(why, whylen, "the conversation's PAM_TTY %.128s is not a local console;"
                 " single sign-on serves only %s's local greeter", (const char *)item, SSO_SEAT);
        return -1;
    }
    const char *vt = pam_getenv(pamh, "XDG_VTNR");
    if (vt != NULL && !all_digits(vt)) {
        snprintf(why, whylen, "the conversation's XDG_VTNR %.32s is not a VT number", vt);
        return -1;
    }
    return 0;
}
