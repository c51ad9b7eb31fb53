/* sso-krb5-store.c - write a verified credential into a user's cache, as
 * the user: a new cache for a login, an existing one for a refresh, and the
 * destruction of what a login created.
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Every operation runs in a forked child that first drops to the user's uid
 * and gid, so the kernel applies the user's permissions to every path; the
 * child reports one fixed-size result over a pipe. Every byte of a cache
 * is krb5's: KEYRING, KCM and new DIR subsidiaries are written by
 * krb5_cc_initialize and krb5_cc_store_cred on the cache itself. FILE
 * caches (and DIR subsidiaries when refreshed) are files we create
 * (openat O_CREAT|O_EXCL|O_NOFOLLOW) or open (O_NOFOLLOW) ourselves relative
 * to a directory descriptor we checked: krb5 writes the cache with the same
 * two calls into a fresh file of a private directory it alone uses, and
 * its bytes are copied, unread, into our descriptor (docs/security.md says
 * why krb5 does not write the target name itself).
 */
#include "sso-krb5-private.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int sso_krb5_child_timeout = SSO_KRB5_CHILD_TIMEOUT;

enum child_op { OP_STORE, OP_REFRESH, OP_DESTROY, OP_CHECK };

typedef struct ChildResult {
    int status;             /* SsoKrb5Status */
    long code;
    char text[SSO_KRB5_ERRLEN];
    SsoKrb5Stored stored;   /* OP_STORE */
    char name[SSO_KRB5_NAMELEN]; /* OP_REFRESH: the cache written */
} ChildResult;

typedef struct ChildArgs {
    enum child_op op;
    const SsoKrb5 *k;
    const krb5_creds *tgt;
    const SsoKrb5User *user;
    const char *ccname;            /* OP_REFRESH, may be NULL */
    const SsoKrb5Stored *stored;   /* OP_DESTROY */
} ChildArgs;

/* What the child works with once it runs as the user. */
typedef struct Work {
    const ChildArgs *a;
    krb5_context ctx;
    ChildResult *res;
    SsoKrb5Error err;
} Work;

static SsoKrb5Status wfail(Work *w, SsoKrb5Status st, long code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static SsoKrb5Status wfail(Work *w, SsoKrb5Status st, long code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    w->err.krb5_code = code;
    vsnprintf(w->err.text, sizeof(w->err.text), fmt, ap);
    va_end(ap);
    return st;
}

/* ------------------------------------------------------------ cache names */

enum cache_kind { KIND_FILE, KIND_DIR, KIND_KRB5, KIND_UNSUPPORTED };

/* Classify a cache name without touching the file system. *@rest points at
 * the path (FILE, DIR subsidiary: the file; DIR collection: the directory). */
static enum cache_kind classify(const char *name, const char **rest)
{
    *rest = name;
    if (name[0] == '/') {
        return KIND_FILE;
    }
    if (strncmp(name, "FILE:", 5) == 0) {
        *rest = name + 5;
        return (*rest)[0] == '/' ? KIND_FILE : KIND_UNSUPPORTED;
    }
    if (strncmp(name, "DIR::", 5) == 0) {
        *rest = name + 5;
        return (*rest)[0] == '/' ? KIND_FILE : KIND_UNSUPPORTED;
    }
    if (strncmp(name, "DIR:", 4) == 0) {
        *rest = name + 4;
        return (*rest)[0] == '/' ? KIND_DIR : KIND_UNSUPPORTED;
    }
    if (strncmp(name, "KEYRING:", 8) == 0 || strncmp(name, "KCM:", 4) == 0) {
        return KIND_KRB5;
    }
    return KIND_UNSUPPORTED;
}

/* ------------------------------------------------------- safe directories */

/* Open the directory holding @path (absolute) without following its last
 * component, and check it: a directory owned by root or @uid, not writable
 * by group or others unless it is root's and sticky (/tmp). On success
 * *@dirfd is an O_PATH descriptor and *@base points into @path. */
static SsoKrb5Status open_parent(Work *w, const char *path, uid_t uid, int *dirfd,
                                 const char **base)
{
    *dirfd = -1;
    const char *slash = strrchr(path, '/');
    if (path[0] != '/' || slash == NULL || slash[1] == '\0' || strcmp(slash + 1, ".") == 0 ||
        strcmp(slash + 1, "..") == 0) {
        return wfail(w, SSO_KRB5_CACHE_REFUSED, 0, "cache path %s is not an absolute file name",
                     path);
    }
    size_t dlen = slash == path ? 1 : (size_t)(slash - path);
    char dir[PATH_MAX];
    if (dlen >= sizeof(dir)) {
        return wfail(w, SSO_KRB5_CACHE_REFUSED, 0, "cache path %s is too long", path);
    }
    memcpy(dir, path, dlen);
    dir[dlen] = '\0';
    int fd = open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        return wfail(w, e == ENOENT ? SSO_KRB5_NO_CACHE : SSO_KRB5_CACHE_REFUSED, e,
                     "cannot open directory %s as user %s: %s", dir, w->a->user->name,
                     strerror(e));
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return wfail(w, SSO_KRB5_INTERNAL, e, "cannot stat %s: %s", dir, strerror(e));
    }
    if (st.st_uid != 0 && st.st_uid != uid) {
        close(fd);
        return wfail(w, SSO_KRB5_CACHE_REFUSED, 0, "directory %s belongs to uid %lu, not to root or %s",
                     dir, (unsigned long)st.st_uid, w->a->user->name);
    }
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_uid == 0 && (st.st_mode & S_ISVTX))) {
        close(fd);
        return wfail(w, SSO_KRB5_CACHE_REFUSED, 0,
                     "directory %s is writable by others and not sticky", dir);
    }
    *dirfd = fd;
    *base = slash + 1;
    return SSO_KRB5_OK;
}

/* ------------------------------------------------------------ FILE bytes */

#define CACHE_BYTES_MAX (1u << 20)
#define PRIVATE_DIR_PREFIX ".sso-krb5-"

/* Overwrite the first @size bytes of the open file @fd with zeros, to
 * the disk. */
static void zero_file(int fd, off_t size)
{
    static const uint8_t zeros[4096];
    for (off_t off = 0; off < size;) {
        size_t n = (size_t)(size - off) < sizeof(zeros) ? (size_t)(size - off) : sizeof(zeros);
        ssize_t wr = pwrite(fd, zeros, n, off);
        if (wr <= 0) {
            break;
        }
        off += wr;
    }
    if (size > 0) {
        fsync(fd);
    }
}

/* Wipe and remove what krb5 wrote in the private directory @sub of @dirfd:
 * @fd its open "cache" (or -1), @sfd the directory (or -1); closes both. */
static void remove_private_dir(int dirfd, const char *sub, int sfd, int fd)
{
    struct stat fst;
    if (fd >= 0) {
        /* only the file krb5 made: not a link to another of the user's */
        if (fstat(fd, &fst) == 0 && S_ISREG(fst.st_mode) && fst.st_nlink == 1) {
            zero_file(fd, fst.st_size);
        }
        close(fd);
    }
    if (sfd >= 0) {
        unlinkat(sfd, "cache", 0);
        close(sfd);
    }
    unlinkat(dirfd, sub, AT_REMOVEDIR);
}

/* A writer killed at its timeout leaves its private directory behind, with
 * the cache krb5 was writing: the user's next write removes any of the
 * user's own that is older than two timeouts (a younger one may be another
 * login's, in progress). */
static void remove_stale_private_dirs(Work *w, int dirfd)
{
    /* @dirfd may be an O_PATH descriptor, which cannot be read */
    int dfd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (d == NULL) {
        if (dfd >= 0) {
            close(dfd);
        }
        return;
    }
    time_t limit = time(NULL) - 2 * (time_t)sso_krb5_child_timeout;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        struct stat st;
        if (strncmp(e->d_name, PRIVATE_DIR_PREFIX, strlen(PRIVATE_DIR_PREFIX)) != 0 ||
            fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode) ||
            st.st_uid != w->a->user->uid || st.st_mtime > limit) {
            continue;
        }
        int sfd = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        int fd = sfd >= 0 ? openat(sfd, "cache", O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
                          : -1;
        remove_private_dir(dirfd, e->d_name, sfd, fd);
    }
    closedir(d);
}

/* The FILE cache for the credential, as krb5 writes it: krb5_cc_initialize
 * (its client) and krb5_cc_store_cred, into "cache" in a new directory of
 * the user's, mode 0700 and of a random name, in the checked directory
 * @dirfd (where the cache goes anyway), named through
 * /proc/self/fd/DIRFD/... so krb5 writes where we checked. Its bytes are read
 * back by descriptor (O_NOFOLLOW), then the file is wiped and removed with
 * its directory. *@out is malloc'ed; wipe it. */
static SsoKrb5Status build_file_bytes(Work *w, int dirfd, uint8_t **out, size_t *out_len)
{
    krb5_context ctx = w->ctx;
    char sub[32], name[96];
    uint8_t rnd[8];
    *out = NULL;
    if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd)) {
        return wfail(w, SSO_KRB5_INTERNAL, errno, "getrandom: %s", strerror(errno));
    }
    remove_stale_private_dirs(w, dirfd);
    snprintf(sub, sizeof(sub), PRIVATE_DIR_PREFIX "%02x%02x%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1],
             rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
    if (mkdirat(dirfd, sub, S_IRWXU) != 0) {
        int e = errno;
        return wfail(w, SSO_KRB5_CACHE_REFUSED, e, "cannot make a private directory for krb5"
                     " next to the cache as %s: %s", w->a->user->name, strerror(e));
    }
    snprintf(name, sizeof(name), "FILE:/proc/self/fd/%d/%s/cache", dirfd, sub);
    SsoKrb5Status st = SSO_KRB5_OK;
    krb5_ccache cc = NULL;
    krb5_error_code ret = krb5_cc_resolve(ctx, name, &cc);
    if (ret == 0) {
        ret = krb5_cc_initialize(ctx, cc, w->a->tgt->client);
    }
    if (ret == 0) {
        ret = krb5_cc_store_cred(ctx, cc, (krb5_creds *)w->a->tgt);
    }
    if (cc != NULL) {
        krb5_cc_close(ctx, cc);
    }
    int sfd = openat(dirfd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    int fd = sfd >= 0 ? openat(sfd, "cache", O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC) : -1;
    struct stat fst;
    if (ret != 0) {
        const char *m = krb5_get_error_message(ctx, ret);
        st = wfail(w, SSO_KRB5_INTERNAL, ret, "krb5 cannot write the cache as %s: %s",
                   w->a->user->name, m != NULL ? m : "unknown Kerberos error");
        krb5_free_error_message(ctx, m);
    } else if (fd < 0 || fstat(fd, &fst) != 0 || !S_ISREG(fst.st_mode) ||
               fst.st_size <= 0 || (uintmax_t)fst.st_size > CACHE_BYTES_MAX) {
        st = wfail(w, SSO_KRB5_INTERNAL, 0, "the cache krb5 wrote cannot be read back");
    } else {
        size_t size = (size_t)fst.st_size, got = 0;
        uint8_t *buf = malloc(size);
        while (buf != NULL && got < size) {
            ssize_t n = pread(fd, buf + got, size - got, (off_t)got);
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n <= 0) {
                break;
            }
            got += (size_t)n;
        }
        if (buf == NULL || got != size) {
            vdsso_wipe_free(buf, size);
            st = wfail(w, SSO_KRB5_INTERNAL, 0, "the cache krb5 wrote cannot be read back");
        } else {
            *out = buf;
            *out_len = size;
        }
    }
    remove_private_dir(dirfd, sub, sfd, fd);
    return st;
}

static int write_all_at(int fd, const uint8_t *p, size_t len)
{
    off_t off = 0;
    while (len > 0) {
        ssize_t n = pwrite(fd, p, len, off);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -1;
        }
        p += n;
        len -= (size_t)n;
        off += n;
    }
    return 0;
}

/* Read the default principal of the FILE cache open on @fd through krb5,
 * by the descriptor (/proc/self/fd), so no path is reopened. */
static krb5_error_code fd_principal(Work *w, int fd, krb5_principal *out)
{
    char name[64];
    krb5_ccache cc = NULL;
    snprintf(name, sizeof(name), "FILE:/proc/self/fd/%d", fd);
    krb5_error_code ret = krb5_cc_resolve(w->ctx, name, &cc);
    if (ret == 0) {
        ret = krb5_cc_get_principal(w->ctx, cc, out);
        krb5_cc_close(w->ctx, cc);
    }
    return ret;
}

static const char *krb5_msg(Work *w, krb5_error_code code, char *buf, size_t len)
{
    const char *m = krb5_get_error_message(w->ctx, code);
    snprintf(buf, len, "%s", m ? m : "unknown Kerberos error");
    krb5_free_error_message(w->ctx, m);
    return buf;
}

/* Check a descriptor we opened: a regular file, the user's, one link. */
static SsoKrb5Status check_own_file(Work *w, int fd, const char *path, struct stat *st)
{
    if (fstat(fd, st) != 0) {
        int e = errno;
        return wfail(w, SSO_KRB5_INTERNAL, e, "cannot stat %s: %s", path, strerror(e));
    }
    if (!S_ISREG(st->st_mode)) {
        return wfail(w, SSO_KRB5_CACHE_REFUSED, 0, "%s is not a regular file", path);
    }
    if (st->st_uid != w->a->user->uid) {
        return wfail(w, SSO_KRB5_CACHE_REFUSED, 0, "%s belongs to uid %lu, not to %s", path,
                     (unsigned long)st->st_uid, w->a->user->name);
    }
    if (st->st_nlink != 1) {
        return wfail(w, SSO_KRB5_CACHE_REFUSED, 0, "%s has %lu links", path,
                     (unsigned long)st->st_nlink);
    }
    return SSO_KRB5_OK;
}

/* Write the cache krb5 made into the open file (truncating it), release @locked's
 * lock if any, and check that krb5 reads the principal back. krb5 takes its
 * own (open file description) lock to read, which would wait for ours. */
static SsoKrb5Status fill_file(Work *w, int dirfd, int fd, const char *path, int locked)
{
    uint8_t *bytes = NULL;
    size_t len = 0;
    SsoKrb5Status st = build_file_bytes(w, dirfd, &bytes, &len);
    if (st != SSO_KRB5_OK) {
        return st;
    }
    int failed = fchmod(fd, S_IRUSR | S_IWUSR) != 0 || ftruncate(fd, 0) != 0 ||
                 write_all_at(fd, bytes, len) != 0 || fsync(fd) != 0;
    int e = errno;
    vdsso_wipe_free(bytes, len);
    if (locked) {
        struct flock fl = { .l_type = F_UNLCK, .l_whence = SEEK_SET };
        fcntl(fd, F_SETLK, &fl);
    }
    if (failed) {
        return wfail(w, SSO_KRB5_INTERNAL, e, "cannot write %s: %s", path, strerror(e));
    }
    krb5_principal back = NULL;
    krb5_error_code ret = fd_principal(w, fd, &back);
    if (ret != 0 || !krb5_principal_compare(w->ctx, back, w->a->tgt->client)) {
        char m[256] = "principal differs";
        if (ret != 0) {
            krb5_msg(w, ret, m, sizeof(m));
        }
        krb5_free_principal(w->ctx, back);
        return wfail(w, SSO_KRB5_INTERNAL, ret, "%s does not read back: %s", path, m);
    }
    krb5_free_principal(w->ctx, back);
    return SSO_KRB5_OK;
}

/* Overwrite with zeros and unlink @base in @dirfd if it is still the file
 * (@dev, @ino) and ours (we run as the user). Returns 0, or -1 with errno
 * (ESTALE: another file). */
static int wipe_unlink(int dirfd, const char *base, dev_t dev, ino_t ino)
{
    int fd = openat(dirfd, base, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        return errno == ENOENT ? 0 : -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    if (!S_ISREG(st.st_mode) || st.st_dev != dev || st.st_ino != ino || st.st_uid != geteuid()) {
        close(fd);
        errno = ESTALE;
        return -1;
    }
    zero_file(fd, st.st_size);
    close(fd);
    return unlinkat(dirfd, base, 0);
}

/* What the administrator can do when a fixed FILE cache name is taken. */
#define FILE_NAME_FIX                                                                              \
    "fix: give every login a cache of its own: default_ccache_name = "                            \
    "DIR:/run/user/%%{uid}/krb5cc or KEYRING:persistent:%%{uid} in krb5.conf, or a per-session "  \
    "FILE name"

/* The FILE cache name @base in @dirfd exists: say what holds it. A name
 * squatted by someone else (a symbolic link, a file of another owner, with
 * more links, or not a regular file) and a cache of the user's own that
 * this login did not create (another session's live cache, or a stale
 * one) are both refused: the first would make the login write where
 * another user decides, the second would destroy another session's
 * tickets. Nothing is touched. SSO_KRB5_OK if the name is free. */
static SsoKrb5Status file_name_taken(Work *w, int dirfd, const char *base, const char *path)
{
    uid_t uid = w->a->user->uid;
    struct stat lst;
    if (fstatat(dirfd, base, &lst, AT_SYMLINK_NOFOLLOW) != 0) {
        int e = errno;
        if (e == ENOENT) {
            return SSO_KRB5_OK;
        }
        return wfail(w, SSO_KRB5_CACHE_REFUSED, e, "cannot stat %s: %s", path, strerror(e));
    }
    if (S_ISLNK(lst.st_mode)) {
        return wfail(w, SSO_KRB5_CACHE_REFUSED, 0,
                     "%s is squatted: a symbolic link of uid %lu: not followed, left alone; "
                     FILE_NAME_FIX, path, (unsigned long)lst.st_uid);
    }
    if (!S_ISREG(lst.st_mode) || lst.st_uid != uid || lst.st_nlink != 1) {
        return wfail(w, SSO_KRB5_CACHE_REFUSED, 0,
                     "%s is squatted: it exists and is not a single-link regular file of %s"
                     " (uid %lu, mode %o, %lu links): left alone; " FILE_NAME_FIX,
                     path, w->a->user->name, (unsigned long)lst.st_uid, (unsigned)lst.st_mode,
                     (unsigned long)lst.st_nlink);
    }
    return wfail(w, SSO_KRB5_CACHE_REFUSED, 0,
                 "%s already holds a cache of %s that this login did not create (another"
                 " session's, or a stale one): not overwritten, left alone; " FILE_NAME_FIX,
                 path, w->a->user->name);
}

/* Before a login, FILE: is the name free to be created? */
static SsoKrb5Status file_check_free(Work *w, const char *path)
{
    int dirfd;
    const char *base;
    SsoKrb5Status st = open_parent(w, path, w->a->user->uid, &dirfd, &base);
    if (st != SSO_KRB5_OK) {
        return st == SSO_KRB5_NO_CACHE ? SSO_KRB5_CACHE_REFUSED : st;
    }
    st = file_name_taken(w, dirfd, base, path);
    close(dirfd);
    return st;
}

/* A login, FILE: create @path exclusively and fill it. */
static SsoKrb5Status file_store_new(Work *w, const char *path)
{
    uid_t uid = w->a->user->uid;
    int dirfd;
    const char *base;
    SsoKrb5Status st = open_parent(w, path, uid, &dirfd, &base);
    if (st != SSO_KRB5_OK) {
        return st == SSO_KRB5_NO_CACHE ? SSO_KRB5_CACHE_REFUSED : st;
    }
    const int flags = O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC;
    int fd = openat(dirfd, base, flags, S_IRUSR | S_IWUSR);
    if (fd < 0 && errno == EEXIST) {
        /* Something is there that this login did not create: whatever it
         * is, it is left alone (never wiped, never overwritten). */
        st = file_name_taken(w, dirfd, base, path);
        close(dirfd);
        if (st == SSO_KRB5_OK) { /* gone again since: someone is racing us */
            st = wfail(w, SSO_KRB5_CACHE_REFUSED, EEXIST,
                       "%s changed while the cache was being created: left alone", path);
        }
        return st;
    }
    if (fd < 0) {
        int e = errno;
        close(dirfd);
        return wfail(w, e == EEXIST || e == ELOOP ? SSO_KRB5_CACHE_REFUSED : SSO_KRB5_INTERNAL, e,
                     "cannot create %s exclusively as %s: %s", path, w->a->user->name,
                     strerror(e));
    }
    struct stat fst;
    if (fstat(fd, &fst) != 0) {
        int e = errno;
        close(fd);
        unlinkat(dirfd, base, 0); /* created exclusively a moment ago: ours */
        close(dirfd);
        return wfail(w, SSO_KRB5_INTERNAL, e, "cannot stat %s: %s", path, strerror(e));
    }
    st = check_own_file(w, fd, path, &fst);
    if (st == SSO_KRB5_OK) {
        st = fill_file(w, dirfd, fd, path, 0);
    }
    close(fd);
    if (st != SSO_KRB5_OK) {
        wipe_unlink(dirfd, base, fst.st_dev, fst.st_ino);
        close(dirfd);
        return st;
    }
    close(dirfd);
    ChildResult *r = w->res;
    snprintf(r->stored.ccname, sizeof(r->stored.ccname), "FILE:%s", path);
    snprintf(r->stored.created, sizeof(r->stored.created), "FILE:%s", path);
    r->stored.dev = fst.st_dev;
    r->stored.ino = fst.st_ino;
    return SSO_KRB5_OK;
}

/* A refresh, FILE: rewrite @path in place if it is the user's cache of the
 * same principal. */
static SsoKrb5Status file_refresh(Work *w, const char *path)
{
    int dirfd;
    const char *base;
    SsoKrb5Status st = open_parent(w, path, w->a->user->uid, &dirfd, &base);
    if (st != SSO_KRB5_OK) {
        return st;
    }
    int fd = openat(dirfd, base, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        close(dirfd);
        if (e == ENOENT) {
            return wfail(w, SSO_KRB5_NO_CACHE, e, "%s does not exist", path);
        }
        return wfail(w, SSO_KRB5_CACHE_REFUSED, e, "cannot open %s without following links as %s: %s",
                     path, w->a->user->name, e == ELOOP ? "it is a symbolic link" : strerror(e));
    }
    struct stat fst;
    st = check_own_file(w, fd, path, &fst);
    if (st != SSO_KRB5_OK) {
        close(fd);
        close(dirfd);
        return st;
    }
    /* The principal first: krb5 opens and closes its own descriptor, which
     * would drop our lock (POSIX record locks are per process). */
    krb5_principal have = NULL;
    krb5_error_code ret = fd_principal(w, fd, &have);
    if (ret != 0) {
        char m[256];
        close(fd);
        close(dirfd);
        return wfail(w, SSO_KRB5_CACHE_REFUSED, ret, "%s is not a readable credential cache: %s",
                     path, krb5_msg(w, ret, m, sizeof(m)));
    }
    int same = krb5_principal_compare(w->ctx, have, w->a->tgt->client);
    krb5_free_principal(w->ctx, have);
    if (!same) {
        close(fd);
        close(dirfd);
        return wfail(w, SSO_KRB5_OTHER_PRINCIPAL, 0, "%s holds another principal: left alone",
                     path);
    }
    /* A write lock, which krb5's readers (open file description locks)
     * respect, so klist never reads half a cache. */
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    int locked = 0;
    for (int i = 0; i < 50 && !locked; i++) {
        if (fcntl(fd, F_SETLK, &fl) == 0) {
            locked = 1;
        } else if (errno == EACCES || errno == EAGAIN) {
            struct timespec ts = { 0, 100 * 1000 * 1000 };
            nanosleep(&ts, NULL);
        } else {
            break;
        }
    }
    if (!locked) {
        close(fd);
        close(dirfd);
        return wfail(w, SSO_KRB5_INTERNAL, errno, "cannot lock %s", path);
    }
    st = fill_file(w, dirfd, fd, path, 1);
    close(fd);
    close(dirfd);
    if (st == SSO_KRB5_OK) {
        snprintf(w->res->name, sizeof(w->res->name), "FILE:%s", path);
    }
    return st;
}

/* --------------------------------------------------------- DIR collection */

/* What dir_prepare does with a missing directory */
enum dir_missing { DIR_MUST_EXIST, DIR_CREATE, DIR_CHECK /* fine: a store makes it */ };

/* Open (creating if missing, 0700) the collection directory @dir, which must
 * be the user's and private; its parent must be safe. */
static SsoKrb5Status dir_prepare(Work *w, const char *dir, enum dir_missing create, int *created)
{
    uid_t uid = w->a->user->uid;
    int pfd;
    const char *base;
    *created = 0;
    SsoKrb5Status st = open_parent(w, dir, uid, &pfd, &base);
    if (st != SSO_KRB5_OK) {
        return st == SSO_KRB5_NO_CACHE && create != DIR_MUST_EXIST ? SSO_KRB5_CACHE_REFUSED : st;
    }
    struct stat lst;
    if (fstatat(pfd, base, &lst, AT_SYMLINK_NOFOLLOW) != 0) {
        int e = errno;
        if (e != ENOENT) {
            close(pfd);
            return wfail(w, SSO_KRB5_CACHE_REFUSED, e, "cannot stat %s: %s", dir, strerror(e));
        }
        if (create != DIR_CREATE) {
            close(pfd);
            if (create == DIR_CHECK) {
                return SSO_KRB5_OK;
            }
            return wfail(w, SSO_KRB5_NO_CACHE, e, "%s does not exist", dir);
        }
        if (mkdirat(pfd, base, S_IRWXU) != 0) {
            e = errno;
            close(pfd);
            return wfail(w, SSO_KRB5_CACHE_REFUSED, e, "cannot create %s as %s: %s", dir,
                         w->a->user->name, strerror(e));
        }
        *created = 1;
        if (fstatat(pfd, base, &lst, AT_SYMLINK_NOFOLLOW) != 0) {
            e = errno;
            close(pfd);
            return wfail(w, SSO_KRB5_INTERNAL, e, "cannot stat %s: %s", dir, strerror(e));
        }
    }
    close(pfd);
    if (!S_ISDIR(lst.st_mode)) {
        return wfail(w, SSO_KRB5_CACHE_REFUSED, 0, "%s is not a directory%s: left alone", dir,
                     S_ISLNK(lst.st_mode) ? " but a symbolic link" : "");
    }
    if (lst.st_uid != uid || (lst.st_mode & (S_IWGRP | S_IWOTH))) {
        return wfail(w, SSO_KRB5_CACHE_REFUSED, 0,
                     "%s is not a private directory of %s (uid %lu, mode %o): left alone", dir,
                     w->a->user->name, (unsigned long)lst.st_uid, (unsigned)(lst.st_mode & 07777));
    }
    return SSO_KRB5_OK;
}

static void dir_remove_if_created(const char *dir)
{
    char primary[PATH_MAX];
    if ((size_t)snprintf(primary, sizeof(primary), "%s/primary", dir) < sizeof(primary)) {
        unlink(primary);
    }
    rmdir(dir);
}

/* ---------------------------------------------- collections through krb5 */

static SsoKrb5Status krb5_failure(Work *w, SsoKrb5Status st, krb5_error_code ret,
                                  const char *what, const char *name)
{
    char m[256];
    return wfail(w, st, ret, "%s %s as %s: %s", what, name, w->a->user->name,
                 krb5_msg(w, ret, m, sizeof(m)));
}

/* A new cache in the default collection (DIR, KEYRING, KCM), made primary. */
static SsoKrb5Status collection_store_new(Work *w, const char *defname, const char *type,
                                          krb5_ccache *out)
{
    krb5_context ctx = w->ctx;
    krb5_ccache cc = NULL;
    *out = NULL;
    krb5_error_code ret = krb5_cc_new_unique(ctx, type, NULL, &cc);
    if (ret != 0) {
        return krb5_failure(w, SSO_KRB5_CACHE_REFUSED, ret, "cannot make a new cache in", defname);
    }
    ret = krb5_cc_initialize(ctx, cc, w->a->tgt->client);
    if (ret == 0) {
        ret = krb5_cc_store_cred(ctx, cc, (krb5_creds *)w->a->tgt);
    }
    if (ret == 0) {
        ret = krb5_cc_switch(ctx, cc);
    }
    if (ret != 0) {
        krb5_cc_destroy(ctx, cc);
        return krb5_failure(w, SSO_KRB5_INTERNAL, ret, "cannot write a new cache in", defname);
    }
    *out = cc;
    return SSO_KRB5_OK;
}

static SsoKrb5Status full_name(Work *w, krb5_ccache cc, char *out, size_t len)
{
    char *full = NULL;
    krb5_error_code ret = krb5_cc_get_full_name(w->ctx, cc, &full);
    if (ret != 0) {
        return krb5_failure(w, SSO_KRB5_INTERNAL, ret, "cannot name the cache in", "collection");
    }
    int n = snprintf(out, len, "%s", full);
    krb5_free_string(w->ctx, full);
    if (n < 0 || (size_t)n >= len) {
        return wfail(w, SSO_KRB5_INTERNAL, 0, "cache name too long");
    }
    return SSO_KRB5_OK;
}

/* The user's default cache name, classified; refused if of a type we do
 * not write. In the child, after the drop to the user. */
static SsoKrb5Status default_cache(Work *w, const char **defname, const char **rest,
                                   enum cache_kind *kind)
{
    *defname = krb5_cc_default_name(w->ctx);
    if (*defname == NULL) {
        return wfail(w, SSO_KRB5_INTERNAL, 0, "no default credential cache name");
    }
    *kind = classify(*defname, rest);
    if (*kind == KIND_UNSUPPORTED) {
        return wfail(w, SSO_KRB5_CACHE_REFUSED, 0,
                     "default credential cache %s of %s is of an unsupported type", *defname,
                     w->a->user->name);
    }
    return SSO_KRB5_OK;
}

static SsoKrb5Status do_store(Work *w)
{
    krb5_context ctx = w->ctx;
    ChildResult *r = w->res;
    const char *defname, *rest;
    enum cache_kind kind;
    SsoKrb5Status st = default_cache(w, &defname, &rest, &kind);
    if (st != SSO_KRB5_OK) {
        return st;
    }
    if (kind == KIND_FILE) {
        return file_store_new(w, rest);
    }
    krb5_ccache cc = NULL;
    if (kind == KIND_DIR) {
        int created = 0;
        st = dir_prepare(w, rest, DIR_CREATE, &created);
        if (st != SSO_KRB5_OK) {
            return st;
        }
        r->stored.created_dir = created;
        st = collection_store_new(w, defname, "DIR", &cc);
        if (st == SSO_KRB5_OK) {
            st = full_name(w, cc, r->stored.created, sizeof(r->stored.created));
        }
        struct stat lst;
        const char *file = r->stored.created + 5; /* "DIR::" */
        if (st == SSO_KRB5_OK && (strncmp(r->stored.created, "DIR::", 5) != 0 ||
                                  lstat(file, &lst) != 0 || !S_ISREG(lst.st_mode) ||
                                  lst.st_uid != w->a->user->uid)) {
            st = wfail(w, SSO_KRB5_INTERNAL, 0, "new cache %s is not a file of %s",
                       r->stored.created, w->a->user->name);
        }
        if (st != SSO_KRB5_OK) {
            if (cc != NULL) {
                krb5_cc_destroy(ctx, cc);
            }
            if (created) {
                dir_remove_if_created(rest);
            }
            return st;
        }
        r->stored.dev = lst.st_dev;
        r->stored.ino = lst.st_ino;
    } else {
        const char *type = strncmp(defname, "KCM:", 4) == 0 ? "KCM" : "KEYRING";
        st = collection_store_new(w, defname, type, &cc);
        if (st == SSO_KRB5_OK) {
            st = full_name(w, cc, r->stored.created, sizeof(r->stored.created));
            if (st != SSO_KRB5_OK) {
                krb5_cc_destroy(ctx, cc);
                return st;
            }
        } else {
            return st;
        }
    }
    krb5_cc_close(ctx, cc);
    snprintf(r->stored.ccname, sizeof(r->stored.ccname), "%s", defname);
    return SSO_KRB5_OK;
}

/* Before a login: can the user's default cache take a new cache? A FILE
 * name can be taken by someone else; a DIR collection's directory can be
 * someone else's, a symbolic link, or open to others (a store would refuse
 * it: say so before the greeter is asked, not after); KEYRING and KCM
 * collections always can. */
static SsoKrb5Status do_check(Work *w)
{
    const char *defname, *rest;
    enum cache_kind kind;
    SsoKrb5Status st = default_cache(w, &defname, &rest, &kind);
    if (st != SSO_KRB5_OK) {
        return st;
    }
    if (kind == KIND_FILE) {
        return file_check_free(w, rest);
    }
    if (kind == KIND_DIR) {
        int created = 0;
        return dir_prepare(w, rest, DIR_CHECK, &created);
    }
    return SSO_KRB5_OK;
}

static SsoKrb5Status do_refresh(Work *w)
{
    krb5_context ctx = w->ctx;
    const char *given = w->a->ccname != NULL ? w->a->ccname : krb5_cc_default_name(ctx);
    char name[SSO_KRB5_NAMELEN];
    const char *rest;
    if (given == NULL) {
        return wfail(w, SSO_KRB5_INTERNAL, 0, "no default credential cache name");
    }
    /* a copy: krb5_cc_set_default_name() below frees the context's string */
    if ((size_t)snprintf(name, sizeof(name), "%s", given) >= sizeof(name)) {
        return wfail(w, SSO_KRB5_CACHE_REFUSED, 0, "credential cache name too long");
    }
    enum cache_kind kind = classify(name, &rest);
    if (kind == KIND_FILE) {
        return file_refresh(w, rest);
    }
    if (kind == KIND_UNSUPPORTED) {
        return wfail(w, SSO_KRB5_CACHE_REFUSED, 0, "credential cache %s is of an unsupported type",
                     name);
    }
    /* A collection: find the cache holding the principal in it. */
    krb5_error_code ret = krb5_cc_set_default_name(ctx, name);
    if (ret != 0) {
        return krb5_failure(w, SSO_KRB5_INTERNAL, ret, "cannot use", name);
    }
    if (kind == KIND_DIR) {
        int created;
        SsoKrb5Status st = dir_prepare(w, rest, DIR_MUST_EXIST, &created);
        if (st != SSO_KRB5_OK) {
            return st;
        }
    }
    krb5_ccache cc = NULL;
    ret = krb5_cc_cache_match(ctx, w->a->tgt->client, &cc);
    if (ret != 0) {
        if (ret == KRB5_CC_NOTFOUND) {
            return wfail(w, SSO_KRB5_NO_CACHE, ret, "no cache in %s holds the principal", name);
        }
        return krb5_failure(w, SSO_KRB5_CACHE_REFUSED, ret, "cannot search", name);
    }
    char full[SSO_KRB5_NAMELEN];
    SsoKrb5Status st = full_name(w, cc, full, sizeof(full));
    const char *type = krb5_cc_get_type(ctx, cc);
    if (st == SSO_KRB5_OK && (type == NULL || strncmp(name, type, strlen(type)) != 0 ||
                              name[strlen(type)] != ':')) {
        st = wfail(w, SSO_KRB5_NO_CACHE, 0, "the cache holding the principal, %s, is not in %s",
                   full, name);
    }
    if (st != SSO_KRB5_OK) {
        krb5_cc_close(ctx, cc);
        return st;
    }
    if (kind == KIND_DIR) {
        /* A subsidiary: one of our FILE writes, with its checks. */
        if (strncmp(full, "DIR::", 5) != 0) {
            krb5_cc_close(ctx, cc);
            return wfail(w, SSO_KRB5_INTERNAL, 0, "unexpected subsidiary name %s", full);
        }
        st = file_refresh(w, full + 5);
        if (st == SSO_KRB5_OK) {
            krb5_cc_switch(ctx, cc);
        }
        krb5_cc_close(ctx, cc);
        if (st == SSO_KRB5_OK) {
            snprintf(w->res->name, sizeof(w->res->name), "%s", full);
        }
        return st;
    }
    ret = krb5_cc_initialize(ctx, cc, w->a->tgt->client);
    if (ret == 0) {
        ret = krb5_cc_store_cred(ctx, cc, (krb5_creds *)w->a->tgt);
    }
    if (ret == 0) {
        krb5_cc_switch(ctx, cc);
    }
    krb5_cc_close(ctx, cc);
    if (ret != 0) {
        return krb5_failure(w, SSO_KRB5_INTERNAL, ret, "cannot rewrite", full);
    }
    snprintf(w->res->name, sizeof(w->res->name), "%s", full);
    return SSO_KRB5_OK;
}

static SsoKrb5Status do_destroy(Work *w)
{
    const SsoKrb5Stored *s = w->a->stored;
    const char *rest;
    enum cache_kind kind = classify(s->created, &rest);
    if (kind == KIND_FILE) {
        int dirfd;
        const char *base;
        SsoKrb5Status st = open_parent(w, rest, w->a->user->uid, &dirfd, &base);
        if (st == SSO_KRB5_NO_CACHE) {
            return SSO_KRB5_OK; /* the directory is gone, and the cache with it */
        }
        if (st != SSO_KRB5_OK) {
            return st;
        }
        int r = wipe_unlink(dirfd, base, s->dev, s->ino);
        int e = errno;
        close(dirfd);
        if (r != 0) {
            return wfail(w, SSO_KRB5_CACHE_REFUSED, e, "%s: %s: left alone", rest,
                         e == ESTALE ? "no longer the cache that was created" : strerror(e));
        }
        if (s->created_dir && strncmp(s->created, "DIR::", 5) == 0) {
            char dir[PATH_MAX];
            snprintf(dir, sizeof(dir), "%s", rest);
            char *slash = strrchr(dir, '/');
            if (slash != NULL && slash != dir) {
                *slash = '\0';
                dir_remove_if_created(dir);
            }
        }
        return SSO_KRB5_OK;
    }
    if (kind != KIND_KRB5) {
        return wfail(w, SSO_KRB5_INTERNAL, 0, "cannot destroy %s", s->created);
    }
    krb5_ccache cc = NULL;
    krb5_error_code ret = krb5_cc_resolve(w->ctx, s->created, &cc);
    if (ret == 0) {
        ret = krb5_cc_destroy(w->ctx, cc);
    }
    if (ret != 0 && ret != KRB5_FCC_NOFILE && ret != KRB5_CC_NOTFOUND) {
        return krb5_failure(w, SSO_KRB5_INTERNAL, ret, "cannot destroy", s->created);
    }
    return SSO_KRB5_OK;
}

/* ----------------------------------------------------------------- child */

static int drop_to_user(const SsoKrb5User *u)
{
    gid_t gid = u->gid;
    if (u->uid == 0 || setgroups(1, &gid) != 0 || setresgid(gid, gid, gid) != 0 ||
        setresuid(u->uid, u->uid, u->uid) != 0) {
        return -1;
    }
    uid_t ru, eu, su;
    gid_t rg, eg, sg;
    if (getresuid(&ru, &eu, &su) != 0 || getresgid(&rg, &eg, &sg) != 0 || ru != u->uid ||
        eu != u->uid || su != u->uid || rg != gid || eg != gid || sg != gid) {
        return -1;
    }
    /* There is no way back. */
    if (setresuid(0, 0, 0) == 0) {
        return -1;
    }
    return 0;
}

static void write_result(int fd, const ChildResult *r)
{
    const uint8_t *p = (const uint8_t *)r;
    size_t left = sizeof(*r);
    while (left > 0) {
        ssize_t n = write(fd, p, left);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return;
        }
        p += n;
        left -= (size_t)n;
    }
}

static void child_main(const ChildArgs *a, int fd) __attribute__((noreturn));

static void child_main(const ChildArgs *a, int fd)
{
    static ChildResult res;
    Work w = { .a = a, .res = &res };
    memset(&res, 0, sizeof(res));

    /* Whatever the caller did with signals, a stuck child dies. */
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
    signal(SIGALRM, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    alarm((unsigned)sso_krb5_child_timeout);

    SsoKrb5Status st;
    if (drop_to_user(a->user) != 0) {
        st = wfail(&w, SSO_KRB5_INTERNAL, errno, "cannot drop to user %s (uid %lu, gid %lu)",
                   a->user->name, (unsigned long)a->user->uid, (unsigned long)a->user->gid);
        goto done;
    }
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    umask(077);
    /* Resolve the cache name as the user would: from krb5.conf, not from a
     * variable the greeter or daemon happened to inherit. */
    unsetenv("KRB5CCNAME");
    krb5_error_code ret = sso_krb5_secure_context(a->k->krb5_conf, &w.ctx);
    if (ret != 0) {
        st = wfail(&w, SSO_KRB5_INTERNAL, ret, "user %s cannot use %s: %s", a->user->name,
                   a->k->krb5_conf ? a->k->krb5_conf : "the system krb5.conf",
                   ret > 0 && ret < 4096 ? strerror(ret) : error_message(ret));
        goto done;
    }
    switch (a->op) {
    case OP_STORE: st = do_store(&w); break;
    case OP_REFRESH: st = do_refresh(&w); break;
    case OP_DESTROY: st = do_destroy(&w); break;
    case OP_CHECK: st = do_check(&w); break;
    default: st = wfail(&w, SSO_KRB5_INTERNAL, 0, "unknown operation"); break;
    }
done:
    res.status = (int)st;
    res.code = w.err.krb5_code;
    memcpy(res.text, w.err.text, sizeof(res.text));
    write_result(fd, &res);
    _exit(st == SSO_KRB5_OK ? 0 : 1);
}

static SsoKrb5Status run_child(const ChildArgs *a, ChildResult *res, SsoKrb5Error *err)
{
    memset(res, 0, sizeof(*res));
    if (a->user->uid == 0) {
        return sso_krb5_fail(err, SSO_KRB5_INTERNAL, 0, "refusing to write caches as root");
    }
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) {
        return sso_krb5_fail(err, SSO_KRB5_INTERNAL, errno, "pipe: %s", strerror(errno));
    }
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(p[0]);
        close(p[1]);
        return sso_krb5_fail(err, SSO_KRB5_INTERNAL, e, "fork: %s", strerror(e));
    }
    if (pid == 0) {
        close(p[0]);
        child_main(a, p[1]);
    }
    close(p[1]);
    /* The child runs as the user, who may stop it (SIGSTOP), and a stopped
     * child's alarm never fires: the parent keeps its own deadline and
     * kills the child when it passes. */
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    uint8_t *q = (uint8_t *)res;
    size_t got = 0;
    int timed_out = 0;
    while (got < sizeof(*res)) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        long left = sso_krb5_child_timeout * 1000L - (now.tv_sec - start.tv_sec) * 1000L -
                    (now.tv_nsec - start.tv_nsec) / 1000000L;
        struct pollfd pfd = { .fd = p[0], .events = POLLIN };
        int r = left > 0 ? poll(&pfd, 1, (int)left) : 0;
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r == 0) {
            timed_out = 1;
            break;
        }
        if (r < 0) {
            break;
        }
        ssize_t n = read(p[0], q + got, sizeof(*res) - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        got += (size_t)n;
    }
    close(p[0]);
    /* Whatever happened, the child has nothing left to do: its result is
     * read (it only _exits after writing it) or will never come. Kill it
     * before waiting, so that a child the user stopped between its result
     * and its exit cannot hold this (root) process in waitpid. */
    kill(pid, SIGKILL);
    int wstatus = 0;
    pid_t w;
    do {
        w = waitpid(pid, &wstatus, 0);
    } while (w < 0 && errno == EINTR);
    if (timed_out) {
        return sso_krb5_fail(err, SSO_KRB5_INTERNAL, ETIMEDOUT,
                             "the child writing as %s did not finish within %d s (stopped or"
                             " stuck): killed it (a private directory " PRIVATE_DIR_PREFIX "*"
                             " it left goes at %s's next login)", a->user->name,
                             sso_krb5_child_timeout, a->user->name);
    }
    /* The pipe decides (waitpid fails if the caller ignores SIGCHLD). */
    if (got != sizeof(*res)) {
        char why[64] = "";
        if (w == pid && WIFSIGNALED(wstatus)) {
            snprintf(why, sizeof(why), " (killed by signal %d)", WTERMSIG(wstatus));
        }
        return sso_krb5_fail(err, SSO_KRB5_INTERNAL, 0, "the child writing as %s failed%s",
                             a->user->name, why);
    }
    res->text[sizeof(res->text) - 1] = '\0';
    res->name[sizeof(res->name) - 1] = '\0';
    res->stored.ccname[sizeof(res->stored.ccname) - 1] = '\0';
    res->stored.created[sizeof(res->stored.created) - 1] = '\0';
    if (res->status < SSO_KRB5_OK || res->status > SSO_KRB5_INTERNAL) {
        return sso_krb5_fail(err, SSO_KRB5_INTERNAL, 0, "bad result from the child");
    }
    if (res->status != SSO_KRB5_OK) {
        return sso_krb5_fail(err, (SsoKrb5Status)res->status, res->code, "%s", res->text);
    }
    return SSO_KRB5_OK;
}

/* ------------------------------------------------------------------ API */

SsoKrb5Status sso_krb5_store_new(SsoKrb5 *k, const SsoKrb5Creds *c, const SsoKrb5User *user,
                                 SsoKrb5Stored *out, SsoKrb5Error *err)
{
    memset(out, 0, sizeof(*out));
    if (!c->verified) {
        return sso_krb5_fail(err, SSO_KRB5_INTERNAL, 0, "refusing to store unverified credentials");
    }
    ChildArgs a = { .op = OP_STORE, .k = k, .tgt = c->tgt, .user = user };
    ChildResult *res = malloc(sizeof(*res));
    if (res == NULL) {
        return sso_krb5_fail(err, SSO_KRB5_INTERNAL, ENOMEM, "out of memory");
    }
    SsoKrb5Status st = run_child(&a, res, err);
    if (st == SSO_KRB5_OK) {
        *out = res->stored;
    }
    free(res);
    return st;
}

SsoKrb5Status sso_krb5_refresh(SsoKrb5 *k, const SsoKrb5Creds *c, const SsoKrb5User *user,
                               const char *ccname, char *refreshed, size_t refreshed_len,
                               SsoKrb5Error *err)
{
    if (refreshed != NULL && refreshed_len > 0) {
        refreshed[0] = '\0';
    }
    if (!c->verified) {
        return sso_krb5_fail(err, SSO_KRB5_INTERNAL, 0, "refusing to store unverified credentials");
    }
    ChildArgs a = { .op = OP_REFRESH, .k = k, .tgt = c->tgt, .user = user, .ccname = ccname };
    ChildResult *res = malloc(sizeof(*res));
    if (res == NULL) {
        return sso_krb5_fail(err, SSO_KRB5_INTERNAL, ENOMEM, "out of memory");
    }
    SsoKrb5Status st = run_child(&a, res, err);
    if (st == SSO_KRB5_OK && refreshed != NULL && refreshed_len > 0) {
        snprintf(refreshed, refreshed_len, "%s", res->name);
    }
    free(res);
    return st;
}

SsoKrb5Status sso_krb5_store_check(SsoKrb5 *k, const SsoKrb5User *user, SsoKrb5Error *err)
{
    ChildArgs a = { .op = OP_CHECK, .k = k, .user = user };
    ChildResult *res = malloc(sizeof(*res));
    if (res == NULL) {
        return sso_krb5_fail(err, SSO_KRB5_INTERNAL, ENOMEM, "out of memory");
    }
    SsoKrb5Status st = run_child(&a, res, err);
    free(res);
    return st;
}

SsoKrb5Status sso_krb5_destroy(SsoKrb5 *k, const SsoKrb5User *user, const SsoKrb5Stored *s,
                               SsoKrb5Error *err)
{
    ChildArgs a = { .op = OP_DESTROY, .k = k, .user = user, .stored = s };
    ChildResult *res = malloc(sizeof(*res));
    if (res == NULL) {
        return sso_krb5_fail(err, SSO_KRB5_INTERNAL, ENOMEM, "out of memory");
    }
    SsoKrb5Status st = run_child(&a, res, err);
    free(res);
    return st;
}
