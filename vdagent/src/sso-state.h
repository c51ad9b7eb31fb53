/* sso-state.h - the state file of spice-vdagentd's single sign-on: which
 * sessions single sign-on opened or refreshed, so that a restarted daemon
 * still locks them when the client leaves.
 *
 * Copyright (C) 2026 The spice-sso authors
 *
 * This program is free software: you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation, either version 3 of the License, or
 * (at your option) any later version.
 *
 * The file holds no secret: a uid, a logind session id and a principal
 * name per line. It is still root's alone (0600, in a directory nobody else
 * may write to): whoever could write it could exempt a session from the
 * lock, or bind a user's session to another principal. It lives under /run,
 * so a reboot (which ends every session) empties it. Format:
 *
 *   spice-vdagentd-sso-sessions 2
 *   <uid> <session id, or - while GDM has not opened it> <lock or -> <principal>
 *   ...
 *
 * "lock": a lock of that session is owed (the client left and logind does
 * not report it locked yet, or, with "-", the client left before GDM
 * opened the session), so a daemon restarted meanwhile still locks it.
 * Version 1 files (no third field, no lock owed) are still read.
 */
#ifndef VDAGENTD_SSO_STATE_H
#define VDAGENTD_SSO_STATE_H

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

#define VDAGENTD_SSO_DEFAULT_STATE_FILE "/run/spice-vdagentd/sso-sessions"
/* bounds of what is read back */
#define VDAGENTD_SSO_STATE_MAX_SIZE 65536
#define VDAGENTD_SSO_STATE_MAX_ENTRIES 256
#define VDAGENTD_SSO_STATE_MAX_SESSION 64
#define VDAGENTD_SSO_STATE_MAX_PRINCIPAL 1024

typedef struct VDAgentdSsoStateEntry {
    uid_t uid;
    char *session;   /* NULL: the login was reported, the session not seen yet */
    char *principal;
    gboolean lock_owed; /* a lock of the session (or, with no session, of the
                         * session when it appears) is owed */
} VDAgentdSsoStateEntry;

VDAgentdSsoStateEntry *vdagentd_sso_state_entry_new(uid_t uid, const char *session,
                                                    const char *principal);
void vdagentd_sso_state_entry_free(gpointer entry);

/* Is @session a logind session id we store (letters and digits, bounded)? */
gboolean vdagentd_sso_state_session_ok(const char *session);

/* Read @path: the entries (an empty array if the file does not exist), or
 * NULL with @error set if it cannot be trusted (not a regular file of ours
 * with mode 0600 or stricter, too large) or read. Malformed lines are
 * logged and skipped. */
GPtrArray *vdagentd_sso_state_load(const char *path, GError **error);

/* Replace @path with @entries, atomically: a new 0600 file in the same
 * directory (created 0700 if missing; it must be ours and writable by
 * nobody else), then rename. */
gboolean vdagentd_sso_state_save(const char *path, GPtrArray *entries, GError **error);

G_END_DECLS

#endif
