/* sso.h - single sign-on in spice-vdagentd: VD_AGENT_SSO in, a login or a
 * refresh of the seat's session out, and a lock when the client leaves.
 *
 * Copyright (C) 2026 The spice-sso authors
 *
 * This program is free software: you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation, either version 3 of the License, or
 * (at your option) any later version.
 *
 * The contract is docs/protocol.md. This file holds the policy; everything
 * it needs from the outside (the seat, the system bus, Kerberos, the agent
 * port, the clock, the helper) comes in through VDAgentdSsoBackend, so that the policy
 * is tested on its own. sso-daemon.c builds the real backend.
 */
#ifndef VDAGENTD_SSO_H
#define VDAGENTD_SSO_H

#include <glib.h>
#include <sys/types.h>

#include "vdagent-sso.h"

G_BEGIN_DECLS

/* ------------------------------------------------------------- configuration */

#define VDAGENTD_SSO_DEFAULT_CONFIG "/etc/spice-vdagentd/sso.conf"
#define VDAGENTD_SSO_DEFAULT_PAM_SERVICE_FILE "/etc/pam.d/gdm-ovirtcred"
#define VDAGENTD_SSO_DEFAULT_SOCKET "/run/spice-vdagentd/sso.sock"
#define VDAGENTD_SSO_DEFAULT_TTL 60
#define VDAGENTD_SSO_MIN_TTL 5
#define VDAGENTD_SSO_MAX_TTL 600
/* fetches of one credential before its REPORT: a greeter that restarts its
 * conversation fetches again */
#define VDAGENTD_SSO_MAX_FETCHES 4
/* A lock on disconnect is checked through logind's LockedHint after 1, 2,
 * 4 ... 32, 32 ... seconds and asked again while the session is not
 * locked, VDAGENTD_SSO_LOCK_ATTEMPTS times in all (about 3 minutes: a
 * session that GDM is still opening has no shell to lock it yet) */
#define VDAGENTD_SSO_LOCK_RETRY_MS 1000
#define VDAGENTD_SSO_LOCK_ATTEMPTS 10

typedef struct VDAgentdSsoConfig {
    gboolean enabled;
    guint ttl;                /* seconds a credential waits to be redeemed */
    gchar *pam_service_file;  /* emit only while this file exists */
    gchar *socket_path;       /* the redemption socket */
    gchar *state_file;        /* the sessions single sign-on opened; NULL:
                               * kept in memory only */
    /* not configurable, but tests shorten them */
    guint lock_retry_ms;      /* first wait before LockedHint is checked */
    guint lock_attempts;      /* checks before giving up (with an error) */
    guint helper_timeout_ms;  /* wait for the helper's MAPPED; 0: the default */
} VDAgentdSsoConfig;

/* Command-line options, to add to the daemon's GOptionContext. */
const GOptionEntry *vdagentd_sso_option_entries(void);

/* The configuration: the configuration file (--sso-config, default
 * VDAGENTD_SSO_DEFAULT_CONFIG; a missing default file is no error), then the
 * command line on top. Returns FALSE with @error set on a bad file or value. */
gboolean vdagentd_sso_config_load(VDAgentdSsoConfig *config, GError **error);
void vdagentd_sso_config_clear(VDAgentdSsoConfig *config);

/* Forget the command-line options (free their strings). */
void vdagentd_sso_options_clear(void);

/* ------------------------------------------------------------------ backend */

/* Who is on the seat. */
typedef struct VDAgentdSsoSeat {
    gboolean active_is_greeter; /* the active session has class "greeter" */
    gboolean active_is_user;    /* ... class "user" */
    uid_t active_uid;           /* (uid_t)-1 when no session is active */
    guint n_user_sessions;      /* live user sessions on the seat, any owner */
} VDAgentdSsoSeat;

/* What logind says of a process that asks the redemption socket for a
 * credential (the SO_PEERCRED pid). */
typedef struct VDAgentdSsoPeer {
    gchar *session;           /* its logind session, NULL if it is in none */
    gchar *seat;              /* that session's seat, NULL if none */
    gchar *session_class;     /* that session's class ("user", "greeter", ...) */
    uid_t session_uid;        /* that session's owner */
    gchar *unit;              /* its systemd unit (its cgroup's), NULL if none */
} VDAgentdSsoPeer;

void vdagentd_sso_peer_clear(VDAgentdSsoPeer *peer);

/* The systemd unit of GDM 43 in Debian 12 (gdm3 ships gdm.service; the
 * gdm3.service and display-manager.service names are aliases of it, and a
 * unit's cgroup carries its real name). The workers of its login
 * conversations run in it. */
#define VDAGENTD_SSO_GREETER_UNIT "gdm.service"

/* The single sign-on helper: a PAM application of ours that systemd runs
 * as the oneshot unit spice-vdagentd-sso@JOB.service (JOB a decimal
 * number, no secret). vdagentd never runs Kerberos itself: the helper maps
 * the principal of a VD_AGENT_SSO to a local user (MAPPED), and refreshes
 * an existing session's cache through PAM (pam_vdagent_sso). */
#define VDAGENTD_SSO_HELPER_UNIT_PREFIX "spice-vdagentd-sso@"
#define VDAGENTD_SSO_HELPER_UNIT_SUFFIX ".service"
/* Seconds from asking systemd to start the helper to its MAPPED; then the
 * principal is taken as mapping to no local user */
#define VDAGENTD_SSO_HELPER_TIMEOUT 15

typedef struct VDAgentdSsoBackend {
    gpointer data;

    /* the seat: FALSE when it cannot be told */
    gboolean (*get_seat)(gpointer data, VDAgentdSsoSeat *seat);
    /* the live user sessions of @uid on the seat (NULL-terminated, for
     * g_strfreev), NULL when it cannot be told */
    gchar **(*user_sessions)(gpointer data, uid_t uid);

    /* the system bus: do we own org.ovirt.vdsm.Credentials? */
    gboolean (*owns_name)(gpointer data);
    /* emit UserAuthenticated(@token_hex); FALSE if it could not be sent */
    gboolean (*emit)(gpointer data, const char *token_hex);
    /* ask logind to lock the session (fire and forget: logind emits the
     * session's Lock signal, its screen locker locks and then reports it in
     * LockedHint) */
    void (*lock_session)(gpointer data, const char *session);
    /* logind's LockedHint of the session now: 1, 0, or -1 when unknown */
    int (*session_locked)(gpointer data, const char *session);

    /* ask systemd to start the helper's unit for job @job
     * (spice-vdagentd-sso@JOB.service); FALSE if it could not be asked */
    gboolean (*start_helper)(gpointer data, guint job);

    /* send one agent message (@type, @payload) on agent port @port
     * (vdagentd frames and chunks it: vdagent_virtio_port_write) */
    void (*write_message)(gpointer data, uint32_t port, uint32_t type, const uint8_t *payload,
                          gsize size);

    /* seconds since the epoch, for ticket lifetimes */
    gint64 (*now)(gpointer data);

    /* logind's view of process @pid; FALSE when it cannot be told */
    gboolean (*peer)(gpointer data, pid_t pid, VDAgentdSsoPeer *peer);
} VDAgentdSsoBackend;

/* -------------------------------------------------------------------- state */

typedef struct VDAgentdSso VDAgentdSso;

/* Start single sign-on: listen on the redemption socket. Returns NULL with
 * @error set if the socket cannot be set up. @backend is copied. */
VDAgentdSso *vdagentd_sso_new(const VDAgentdSsoConfig *config,
                              const VDAgentdSsoBackend *backend,
                              GError **error);
/* Wipe everything and stop. NULL is fine. */
void vdagentd_sso_free(VDAgentdSso *sso);

/* A complete VD_AGENT_SSO message arrived on agent port @port_nr.
 * Answers the server on VDP_SERVER_PORT through backend->write_message. @data
 * is not kept; the caller wipes it. */
void vdagentd_sso_handle_message(VDAgentdSso *sso, int port_nr,
                                 const uint8_t *data, gsize size);

/* Answer a VD_AGENT_SSO from the server when single sign-on is off. */
void vdagentd_sso_reply_disabled(const uint8_t *data, gsize size,
                                 void (*write_message)(gpointer, uint32_t, uint32_t,
                                                       const uint8_t *, gsize),
                                 gpointer write_data);

/* The client left, or another one took its place: wipe any pending
 * credential and lock every session that single sign-on opened or
 * refreshed and that logind does not report locked now; a session still
 * to appear (the login was reported, GDM has not opened it yet) is locked
 * when it does. Each lock is checked through LockedHint and asked again
 * with backoff until it takes (or an error is logged). */
void vdagentd_sso_client_disconnected(VDAgentdSso *sso, const char *reason);

/* The agent port was reset: wipe any pending credential. */
void vdagentd_sso_port_reset(VDAgentdSso *sso);

/* The seat changed (logind's session monitor fired). */
void vdagentd_sso_seat_changed(VDAgentdSso *sso);

/* ------------------------------------------------------- for the unit tests */

/* Is a lock of @session being asked and checked? */
gboolean vdagentd_sso_locking(VDAgentdSso *sso, const char *session);
/* Is a credential pending? Was it fetched? */
gboolean vdagentd_sso_has_pending(VDAgentdSso *sso, gboolean *fetched);
/* The pending token (to play the PAM module without listening to D-Bus). */
gboolean vdagentd_sso_pending_token(VDAgentdSso *sso, uint8_t token[VDSSO_TOKEN_SIZE]);
/* The redemption handlers, as the socket calls them. A FETCH comes from
 * process @pid, whose PAM conversation has the preset user @user
 * (VDSSO_REDEEM_NO_USER: none). */
uint32_t vdagentd_sso_fetch(VDAgentdSso *sso, const uint8_t token[VDSSO_TOKEN_SIZE],
                            uint32_t user, pid_t pid, uint8_t **payload, gsize *payload_len);
uint32_t vdagentd_sso_report(VDAgentdSso *sso, const uint8_t token[VDSSO_TOKEN_SIZE],
                             uint32_t outcome, uint32_t uid);
/* The helper's requests, as the socket calls them (from process @pid). */
uint32_t vdagentd_sso_job(VDAgentdSso *sso, uint32_t job, pid_t pid, uint8_t **payload,
                          gsize *payload_len);
uint32_t vdagentd_sso_mapped(VDAgentdSso *sso, uint32_t job, uint32_t mapping, uint32_t uid,
                             pid_t pid, uint8_t token[VDSSO_TOKEN_SIZE], gboolean *has_token);
/* The number of the job waiting for the helper, 0 if none. */
guint vdagentd_sso_current_job(VDAgentdSso *sso);

G_END_DECLS

#endif
