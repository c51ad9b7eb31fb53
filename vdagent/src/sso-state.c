/* sso-state.c - the state file of spice-vdagentd's single sign-on, see
 * sso-state.h
 *
 * Copyright (C) 2026 The spice-sso authors
 *
 * This program is free software: you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation, either version 3 of the License, or
 * (at your option) any later version.
 */
#include "sso-state.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#define HEADER_V1 "spice-vdagentd-sso-sessions 1"
#define HEADER "spice-vdagentd-sso-sessions 2"

VDAgentdSsoStateEntry *vdagentd_sso_state_entry_new(uid_t uid, const char *session,
                                                    const char *principal)
{
    VDAgentdSsoStateEntry *e = g_new0(VDAgentdSsoStateEntry, 1);

    e->uid = uid;
    e->session = g_strdup(session);
    e->principal = g_strdup(principal);
    return e;
}

void vdagentd_sso_state_entry_free(gpointer entry)
{
    VDAgentdSsoStateEntry *e = entry;

    if (e == NULL) {
        return;
    }
    g_free(e->session);
    g_free(e->principal);
    g_free(e);
}

gboolean vdagentd_sso_state_session_ok(const char *session)
{
    gsize n = session ? strlen(session) : 0;

    if (n == 0 || n > VDAGENTD_SSO_STATE_MAX_SESSION) {
        return FALSE;
    }
    for (gsize i = 0; i < n; i++) {
        if (!g_ascii_isalnum(session[i])) {
            return FALSE;
        }
    }
    return TRUE;
}

/* A principal as VD_AGENT_SSO carries it (principal_ok in
 * protocol/vdsso-msg.c): bytes, bounded, no control characters. Not
 * necessarily UTF-8: Kerberos names are bytes, the wire takes them, and a
 * stricter rule here would lose the record (and the lock) of such a user
 * at the next start. */
static gboolean principal_ok(const char *p)
{
    gsize n = strlen(p);

    if (n == 0 || n > VDAGENTD_SSO_STATE_MAX_PRINCIPAL) {
        return FALSE;
    }
    for (gsize i = 0; i < n; i++) {
        if ((guchar) p[i] < 0x20 || p[i] == 0x7f) {
            return FALSE;
        }
    }
    return TRUE;
}

/* Cut @s at its next space: the rest, or NULL if there is no space */
static char *field_end(char *s)
{
    char *sp = s != NULL ? strchr(s, ' ') : NULL;

    if (sp != NULL) {
        *sp++ = '\0';
    }
    return sp;
}

/* Version 1 "<uid> <session|-> <principal>", version 2 "<uid> <session|->
 * <lock|-> <principal>"; NULL if malformed */
static VDAgentdSsoStateEntry *parse_line(char *line, int version)
{
    char *session = field_end(line);
    char *lock = field_end(session);
    char *principal = version >= 2 ? field_end(lock) : lock;
    guint64 uid;

    if (principal == NULL) {
        return NULL;
    }
    if (!g_ascii_string_to_unsigned(line, 10, 1, G_MAXUINT32 - 1, &uid, NULL) ||
        line[0] == '+' || line[0] == '0') {
        return NULL;
    }
    if (strcmp(session, "-") != 0 && !vdagentd_sso_state_session_ok(session)) {
        return NULL;
    }
    if (version >= 2 && strcmp(lock, "lock") != 0 && strcmp(lock, "-") != 0) {
        return NULL;
    }
    if (!principal_ok(principal)) {
        return NULL;
    }
    VDAgentdSsoStateEntry *e = vdagentd_sso_state_entry_new(
        (uid_t) uid, strcmp(session, "-") ? session : NULL, principal);
    e->lock_owed = version >= 2 && strcmp(lock, "lock") == 0;
    return e;
}

/* Is @dir ours and writable by nobody else? Created 0700 if missing. */
static gboolean check_dir(const char *path, GError **error)
{
    g_autofree gchar *dir = g_path_get_dirname(path);
    struct stat st;

    if (g_mkdir_with_parents(dir, 0700) != 0) {
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "cannot create %s: %s",
                    dir, g_strerror(errno));
        return FALSE;
    }
    /* lstat: a symbolic link in its place is not followed */
    if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
        (st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                    "%s must be a directory (not a symbolic link) of uid %u that nobody"
                    " else may write to",
                    dir, (unsigned) geteuid());
        return FALSE;
    }
    return TRUE;
}

GPtrArray *vdagentd_sso_state_load(const char *path, GError **error)
{
    GPtrArray *entries = g_ptr_array_new_with_free_func(vdagentd_sso_state_entry_free);
    g_autofree char *buf = NULL;
    struct stat st;
    gsize len = 0;
    ssize_t n;
    int fd;

    /* not following a link, not blocking on a FIFO */
    fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        if (errno == ENOENT) {
            return entries;
        }
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "cannot open %s: %s",
                    path, errno == ELOOP ? "it is a symbolic link" : g_strerror(errno));
        goto fail;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
        (st.st_mode & 077) != 0) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
                    "%s is not a regular file of uid %u with mode 0600", path,
                    (unsigned) geteuid());
        goto fail;
    }
    if (st.st_size > VDAGENTD_SSO_STATE_MAX_SIZE) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                    "%s is larger than %d bytes", path, VDAGENTD_SSO_STATE_MAX_SIZE);
        goto fail;
    }
    buf = g_malloc(VDAGENTD_SSO_STATE_MAX_SIZE + 1);
    while (len <= VDAGENTD_SSO_STATE_MAX_SIZE &&
           (n = read(fd, buf + len, VDAGENTD_SSO_STATE_MAX_SIZE + 1 - len)) != 0) {
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "cannot read %s: %s",
                        path, g_strerror(errno));
            goto fail;
        }
        len += (gsize) n;
    }
    if (len > VDAGENTD_SSO_STATE_MAX_SIZE) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                    "%s is larger than %d bytes", path, VDAGENTD_SSO_STATE_MAX_SIZE);
        goto fail;
    }
    close(fd);
    fd = -1;
    buf[len] = '\0';
    if (memchr(buf, '\0', len) != NULL) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s holds a NUL byte", path);
        goto fail;
    }

    guint lineno = 0;
    int version = 0;
    char *next;
    for (char *line = buf; line != NULL; line = next) {
        next = strchr(line, '\n');
        if (next != NULL) {
            *next++ = '\0';
        } else if (*line == '\0') {
            break; /* after the last newline */
        }
        lineno++;
        if (lineno == 1) {
            version = strcmp(line, HEADER) == 0 ? 2 : strcmp(line, HEADER_V1) == 0 ? 1 : 0;
            if (version == 0) {
                g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                            "%s does not start with \"%s\"", path, HEADER);
                goto fail;
            }
            continue;
        }
        if (entries->len >= VDAGENTD_SSO_STATE_MAX_ENTRIES) {
            syslog(LOG_WARNING, "sso: %s: more than %d entries; ignoring the rest", path,
                   VDAGENTD_SSO_STATE_MAX_ENTRIES);
            break;
        }
        VDAgentdSsoStateEntry *e = parse_line(line, version);
        if (e == NULL) {
            syslog(LOG_WARNING, "sso: %s: line %u is malformed; ignoring it", path, lineno);
            continue;
        }
        g_ptr_array_add(entries, e);
    }
    return entries;

fail:
    if (fd >= 0) {
        close(fd);
    }
    g_ptr_array_free(entries, TRUE);
    return NULL;
}

static gboolean write_all(int fd, const char *data, gsize len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return FALSE;
        }
        data += n;
        len -= (gsize) n;
    }
    return TRUE;
}

gboolean vdagentd_sso_state_save(const char *path, GPtrArray *entries, GError **error)
{
    g_autoptr(GString) text = g_string_new(HEADER "\n");
    g_autofree gchar *dir = NULL, *tmp = NULL;
    int fd, errsv;

    for (guint i = 0; i < entries->len; i++) {
        VDAgentdSsoStateEntry *e = g_ptr_array_index(entries, i);
        if ((e->session != NULL && !vdagentd_sso_state_session_ok(e->session)) ||
            !principal_ok(e->principal)) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                        "uid %u: not a session id or principal the file can hold",
                        (unsigned) e->uid);
            return FALSE;
        }
        g_string_append_printf(text, "%u %s %s %s\n", (unsigned) e->uid,
                               e->session ? e->session : "-", e->lock_owed ? "lock" : "-",
                               e->principal);
    }
    if (!check_dir(path, error)) {
        return FALSE;
    }
    dir = g_path_get_dirname(path);
    tmp = g_build_filename(dir, ".sso-sessions.XXXXXX", NULL);
    /* O_CREAT | O_EXCL, a name nobody had; 0600 whatever the umask */
    fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "cannot create %s: %s",
                    tmp, g_strerror(errno));
        return FALSE;
    }
    if (fchmod(fd, 0600) != 0 || !write_all(fd, text->str, text->len) || fsync(fd) != 0) {
        errsv = errno;
        close(fd);
        g_unlink(tmp);
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errsv), "cannot write %s: %s",
                    tmp, g_strerror(errsv));
        return FALSE;
    }
    if (close(fd) != 0 || rename(tmp, path) != 0) {
        errsv = errno;
        g_unlink(tmp);
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errsv), "cannot replace %s: %s",
                    path, g_strerror(errsv));
        return FALSE;
    }
    return TRUE;
}
