/* Unit tests of sso-krb5's cache side: a login's new cache, a refresh of an
 * existing one and the destruction of what a login created, as the user,
 * for FILE and DIR caches, against every hostile thing a local user can
 * plant at the cache path. Needs root (it writes as uid 65534); the
 * credentials are made up (store does not verify, it requires the verified
 * flag, which the test sets). */
#include "sso-krb5-private.h"
#include "fake-creds.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define UID 65534
#define GID 65534

static char top[] = "/tmp/sso-krb5-store-XXXXXX";
static char tmp[256];  /* top/tmp: 1777, like /tmp */
static SsoKrb5User user = { .name = "nobody", .uid = UID, .gid = GID };

static SsoKrb5 *open_with(const char *ccache_line)
{
    SsoKrb5Options o = { .krb5_conf = fake_krb5_conf(top, ccache_line), .uid_min = 1000 };
    SsoKrb5 *k = NULL;
    SsoKrb5Error err = { 0 };
    g_assert_cmpint(sso_krb5_open(&o, &k, &err), ==, SSO_KRB5_OK);
    return k;
}

static SsoKrb5Creds *creds_for(SsoKrb5 *k, const char *principal, long life)
{
    krb5_creds tgt;
    fake_cred(&tgt, principal, "krbtgt/SPICE.TEST@SPICE.TEST", life);
    size_t len;
    uint8_t *bytes = fake_cache_bytes(principal, &tgt, 1, 0, &len);
    VDSsoMsg m = fake_msg(principal, bytes, len);
    SsoKrb5Creds *c = NULL;
    SsoKrb5Error err = { 0 };
    g_assert_cmpint(sso_krb5_creds_load(k, &m, &c, &err), ==, SSO_KRB5_OK);
    free(bytes);
    fake_cred_free(&tgt);
    if (c != NULL) {
        c->verified = 1; /* as if sso_krb5_creds_verify had succeeded */
    }
    return c;
}

/* The principal and TGT end time MIT reads from @name (as root). */
static int read_cache(const char *name, char *principal, size_t len, krb5_timestamp *end)
{
    krb5_ccache cc;
    krb5_principal p = NULL;
    if (krb5_cc_resolve(fake_ctx, name, &cc) != 0) {
        return -1;
    }
    int r = krb5_cc_get_principal(fake_ctx, cc, &p);
    if (r == 0) {
        char *s = NULL;
        krb5_unparse_name(fake_ctx, p, &s);
        snprintf(principal, len, "%s", s);
        krb5_free_unparsed_name(fake_ctx, s);
        krb5_creds in = { 0 }, out;
        in.client = p;
        in.server = fake_princ("krbtgt/SPICE.TEST@SPICE.TEST");
        r = krb5_cc_retrieve_cred(fake_ctx, cc, 0, &in, &out);
        if (r == 0) {
            *end = out.times.endtime;
            krb5_free_cred_contents(fake_ctx, &out);
        }
        krb5_free_principal(fake_ctx, in.server);
        krb5_free_principal(fake_ctx, p);
    }
    krb5_cc_close(fake_ctx, cc);
    return r;
}

static void expect_file(const char *path, uid_t uid, mode_t mode)
{
    struct stat st;
    if (lstat(path, &st) != 0) {
        g_test_fail_printf("%s: %s", path, strerror(errno));
        return;
    }
    g_assert_true(S_ISREG(st.st_mode));
    g_assert_cmpint(st.st_uid, ==, uid);
    g_assert_cmpint(st.st_mode & 07777, ==, mode);
}

static int exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

static void write_file(const char *path, const char *text, uid_t uid, mode_t mode)
{
    FILE *f = fopen(path, "w");
    g_assert_true(f != NULL);
    fputs(text, f);
    fclose(f);
    g_assert_cmpint(chown(path, uid, uid), ==, 0);
    g_assert_cmpint(chmod(path, mode), ==, 0);
}

static int file_is(const char *path, const char *text)
{
    char buf[256] = "";
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return 0;
    }
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return strcmp(buf, text) == 0;
}

static void expect_status(const char *what, SsoKrb5Status got, SsoKrb5Status want,
                          const SsoKrb5Error *err, const char *text)
{
    if (got != want || (text != NULL && strstr(err->text, text) == NULL)) {
        g_test_fail_printf("%s: status %d (want %d), \"%s\" (want \"%s\")", what, got, want,
                           err->text, text ? text : "");
    }
}

static void test_file(void)
{
    char line[1024], path[512], name[1024];
    snprintf(line, sizeof(line), "FILE:%s/krb5cc_%%{uid}", tmp);
    snprintf(path, sizeof(path), "%s/krb5cc_%d", tmp, UID);
    snprintf(name, sizeof(name), "FILE:%s", path);
    SsoKrb5 *k = open_with(line);
    SsoKrb5Creds *c = creds_for(k, "alice@SPICE.TEST", 3600);
    SsoKrb5Creds *c2 = creds_for(k, "alice@SPICE.TEST", 7200);
    SsoKrb5Creds *bob = creds_for(k, "bob@SPICE.TEST", 3600);
    SsoKrb5Stored s;
    SsoKrb5Error err = { 0 };
    char princ[256];
    krb5_timestamp end = 0;

    /* a login: created as the user, 0600, readable by krb5 */
    expect_status("store", sso_krb5_store_new(k, c, &user, &s, &err), SSO_KRB5_OK, &err, NULL);
    g_assert_cmpstr(s.ccname, ==, name);
    g_assert_cmpstr(s.created, ==, name);
    expect_file(path, UID, 0600);
    g_assert_cmpint(read_cache(name, princ, sizeof(princ), &end), ==, 0);
    g_assert_cmpstr(princ, ==, "alice@SPICE.TEST");
    g_assert_cmpint(end, ==, c->tgt->times.endtime);

    /* a second login over it: the user's own cache (another session's, live
     * or stale) is neither wiped nor overwritten; the login is refused */
    SsoKrb5Stored s2;
    struct stat before, after;
    g_assert_cmpint(lstat(path, &before), ==, 0);
    expect_status("check over own cache", sso_krb5_store_check(k, &user, &err),
                  SSO_KRB5_CACHE_REFUSED, &err, "that this login did not create");
    expect_status("store over own cache", sso_krb5_store_new(k, c2, &user, &s2, &err),
                  SSO_KRB5_CACHE_REFUSED, &err,
                  "did not create (another session's, or a stale one): not overwritten, left alone;"
                  " fix: give every login a cache of its own: default_ccache_name = DIR:");
    g_assert_cmpint(lstat(path, &after), ==, 0);
    g_assert_cmpint(after.st_ino, ==, before.st_ino);
    g_assert_cmpint(read_cache(name, princ, sizeof(princ), &end), ==, 0);
    g_assert_cmpint(end, ==, c->tgt->times.endtime);

    /* refresh: same principal in place (same inode), another principal refused */
    expect_status("refresh", sso_krb5_refresh(k, c, &user, NULL, princ, sizeof(princ), &err),
                  SSO_KRB5_OK, &err, NULL);
    g_assert_cmpstr(princ, ==, name);
    struct stat again;
    g_assert_cmpint(lstat(path, &again), ==, 0);
    g_assert_cmpint(again.st_ino, ==, after.st_ino);
    g_assert_cmpint(read_cache(name, princ, sizeof(princ), &end), ==, 0);
    g_assert_cmpint(end, ==, c->tgt->times.endtime);
    expect_status("refresh with another principal",
                  sso_krb5_refresh(k, bob, &user, NULL, NULL, 0, &err), SSO_KRB5_OTHER_PRINCIPAL,
                  &err, "holds another principal");
    g_assert_cmpint(read_cache(name, princ, sizeof(princ), &end), ==, 0);
    g_assert_cmpstr(princ, ==, "alice@SPICE.TEST");
    chmod(path, 0644);
    expect_status("refresh resets the mode", sso_krb5_refresh(k, c, &user, name, NULL, 0, &err),
                  SSO_KRB5_OK, &err, NULL);
    expect_file(path, UID, 0600);

    /* destroy: gone; a second destroy is fine */
    expect_status("destroy", sso_krb5_destroy(k, &user, &s, &err), SSO_KRB5_OK, &err, NULL);
    g_assert_true(!exists(path));
    expect_status("destroy again", sso_krb5_destroy(k, &user, &s, &err), SSO_KRB5_OK, &err, NULL);
    expect_status("check of a free name", sso_krb5_store_check(k, &user, &err), SSO_KRB5_OK,
                  &err, NULL);
    g_assert_true(!exists(path));
    expect_status("refresh of nothing", sso_krb5_refresh(k, c, &user, NULL, NULL, 0, &err),
                  SSO_KRB5_NO_CACHE, &err, "does not exist");

    /* destroy leaves alone a file that is no longer the one created */
    expect_status("store", sso_krb5_store_new(k, c, &user, &s, &err), SSO_KRB5_OK, &err, NULL);
    g_assert_cmpint(unlink(path), ==, 0);
    write_file(path, "someone else's\n", 1, 0666); /* may reuse the inode number */
    expect_status("destroy of a replaced file", sso_krb5_destroy(k, &user, &s, &err),
                  SSO_KRB5_CACHE_REFUSED, &err, "no longer the cache");
    g_assert_true(file_is(path, "someone else's\n"));
    unlink(path);

    /* hostile things at the path: never followed, never reused, left alone */
    char victim[1024];
    snprintf(victim, sizeof(victim), "%s/victim", tmp);
    write_file(victim, "precious\n", UID, 0644);
    g_assert_cmpint(symlink(victim, path), ==, 0);
    g_assert_cmpint(lchown(path, 1, 1), ==, 0); /* planted by another user */
    expect_status("symlink", sso_krb5_store_new(k, c, &user, &s, &err), SSO_KRB5_CACHE_REFUSED,
                  &err, "is squatted: a symbolic link of uid 1: not followed, left alone; fix: ");
    expect_status("check of a symlink", sso_krb5_store_check(k, &user, &err),
                  SSO_KRB5_CACHE_REFUSED, &err, "is squatted: a symbolic link");
    g_assert_true(file_is(victim, "precious\n"));
    struct stat lst;
    g_assert_true(lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode));
    expect_status("refresh through a symlink", sso_krb5_refresh(k, c, &user, NULL, NULL, 0, &err),
                  SSO_KRB5_CACHE_REFUSED, &err, "symbolic link");
    g_assert_true(file_is(victim, "precious\n"));
    unlink(path);

    write_file(path, "root's\n", 0, 0600);
    expect_status("file of another owner", sso_krb5_store_new(k, c, &user, &s, &err),
                  SSO_KRB5_CACHE_REFUSED, &err, "is squatted: it exists and is not a single-link"
                  " regular file of nobody (uid 0, mode 100600, 1 links): left alone; fix: ");
    expect_status("check of a file of another owner", sso_krb5_store_check(k, &user, &err),
                  SSO_KRB5_CACHE_REFUSED, &err, "is squatted");
    g_assert_true(file_is(path, "root's\n"));
    g_assert_true(file_is(path, "root's\n"));
    expect_status("refresh of a file of another owner",
                  sso_krb5_refresh(k, c, &user, NULL, NULL, 0, &err), SSO_KRB5_CACHE_REFUSED,
                  &err, NULL);
    unlink(path);

    g_assert_cmpint(link(victim, path), ==, 0); /* the user's own file, hard-linked */
    expect_status("hard link", sso_krb5_store_new(k, c, &user, &s, &err), SSO_KRB5_CACHE_REFUSED,
                  &err, "left alone");
    expect_status("refresh of a hard link", sso_krb5_refresh(k, c, &user, NULL, NULL, 0, &err),
                  SSO_KRB5_CACHE_REFUSED, &err, "links");
    g_assert_true(file_is(victim, "precious\n"));
    unlink(path);

    g_assert_cmpint(mkfifo(path, 0600), ==, 0);
    g_assert_cmpint(chown(path, UID, GID), ==, 0);
    expect_status("fifo", sso_krb5_store_new(k, c, &user, &s, &err), SSO_KRB5_CACHE_REFUSED, &err,
                  NULL);
    expect_status("refresh of a fifo", sso_krb5_refresh(k, c, &user, NULL, NULL, 0, &err),
                  SSO_KRB5_CACHE_REFUSED, &err, "not a regular file");
    unlink(path);

    /* a file of the user's that is no cache is not overwritten by a refresh */
    write_file(path, "notes\n", UID, 0600);
    expect_status("refresh of a non-cache", sso_krb5_refresh(k, c, &user, NULL, NULL, 0, &err),
                  SSO_KRB5_CACHE_REFUSED, &err, "not a readable credential cache");
    g_assert_true(file_is(path, "notes\n"));
    unlink(path);
    unlink(victim);

    /* unverified credentials are never stored */
    c->verified = 0;
    expect_status("unverified", sso_krb5_store_new(k, c, &user, &s, &err), SSO_KRB5_INTERNAL,
                  &err, "unverified");
    expect_status("unverified refresh", sso_krb5_refresh(k, c, &user, NULL, NULL, 0, &err),
                  SSO_KRB5_INTERNAL, &err, "unverified");
    c->verified = 1;
    /* nor as root */
    SsoKrb5User root = { .name = "root", .uid = 0, .gid = 0 };
    expect_status("as root", sso_krb5_store_new(k, c, &root, &s, &err), SSO_KRB5_INTERNAL, &err,
                  "as root");
    g_assert_true(!exists(path));

    sso_krb5_creds_free(c);
    sso_krb5_creds_free(c2);
    sso_krb5_creds_free(bob);
    sso_krb5_close(k);
}

static void test_unsafe_places(void)
{
    char dir[512], line[1024];
    SsoKrb5Stored s;
    SsoKrb5Error err = { 0 };

    /* a directory anyone may write to, not sticky */
    snprintf(dir, sizeof(dir), "%s/open", top);
    g_assert_cmpint(mkdir(dir, 0777), ==, 0);
    g_assert_cmpint(chmod(dir, 0777), ==, 0);
    snprintf(line, sizeof(line), "FILE:%s/krb5cc_%%{uid}", dir);
    SsoKrb5 *k = open_with(line);
    SsoKrb5Creds *c = creds_for(k, "alice@SPICE.TEST", 3600);
    expect_status("world-writable directory", sso_krb5_store_new(k, c, &user, &s, &err),
                  SSO_KRB5_CACHE_REFUSED, &err, "writable by others");
    sso_krb5_creds_free(c);
    sso_krb5_close(k);
    rmdir(dir);

    /* a directory of another user */
    snprintf(dir, sizeof(dir), "%s/others", top);
    g_assert_cmpint(mkdir(dir, 0755), ==, 0);
    g_assert_cmpint(chown(dir, 1, 1), ==, 0);
    snprintf(line, sizeof(line), "FILE:%s/krb5cc_%%{uid}", dir);
    k = open_with(line);
    c = creds_for(k, "alice@SPICE.TEST", 3600);
    expect_status("directory of another user", sso_krb5_store_new(k, c, &user, &s, &err),
                  SSO_KRB5_CACHE_REFUSED, &err, "belongs to uid 1");
    sso_krb5_creds_free(c);
    sso_krb5_close(k);
    rmdir(dir);

    /* a symbolic link as the directory */
    snprintf(dir, sizeof(dir), "%s/link", tmp);
    g_assert_cmpint(symlink(top, dir), ==, 0);
    snprintf(line, sizeof(line), "FILE:%s/krb5cc_%%{uid}", dir);
    k = open_with(line);
    c = creds_for(k, "alice@SPICE.TEST", 3600);
    expect_status("symlinked directory", sso_krb5_store_new(k, c, &user, &s, &err),
                  SSO_KRB5_CACHE_REFUSED, &err, NULL);
    sso_krb5_creds_free(c);
    sso_krb5_close(k);
    unlink(dir);

    /* unsupported types */
    k = open_with("MEMORY:x");
    c = creds_for(k, "alice@SPICE.TEST", 3600);
    expect_status("MEMORY", sso_krb5_store_new(k, c, &user, &s, &err), SSO_KRB5_CACHE_REFUSED,
                  &err, "unsupported type");
    sso_krb5_creds_free(c);
    sso_krb5_close(k);
    k = open_with("FILE:relative/cc");
    c = creds_for(k, "alice@SPICE.TEST", 3600);
    expect_status("relative FILE", sso_krb5_store_new(k, c, &user, &s, &err),
                  SSO_KRB5_CACHE_REFUSED, &err, "unsupported type");
    sso_krb5_creds_free(c);
    sso_krb5_close(k);
}

static void test_dir(void)
{
    char line[1024], dir[512], coll[1024], primary[1100];
    snprintf(dir, sizeof(dir), "%s/cc_%d", tmp, UID);
    snprintf(line, sizeof(line), "DIR:%s/cc_%%{uid}", tmp);
    snprintf(coll, sizeof(coll), "DIR:%s", dir);
    snprintf(primary, sizeof(primary), "%s/primary", dir);
    SsoKrb5 *k = open_with(line);
    SsoKrb5Creds *c = creds_for(k, "alice@SPICE.TEST", 3600);
    SsoKrb5Creds *c2 = creds_for(k, "alice@SPICE.TEST", 7200);
    SsoKrb5Creds *bob = creds_for(k, "bob@SPICE.TEST", 3600);
    SsoKrb5Stored s;
    SsoKrb5Error err = { 0 };
    char princ[256], name[1024];
    krb5_timestamp end = 0;

    /* before a login: a missing directory is fine (the store makes it) */
    expect_status("DIR check, no directory", sso_krb5_store_check(k, &user, &err), SSO_KRB5_OK,
                  &err, NULL);
    g_assert_true(!exists(dir));
    expect_status("DIR store", sso_krb5_store_new(k, c, &user, &s, &err), SSO_KRB5_OK, &err, NULL);
    g_assert_cmpstr(s.ccname, ==, coll);
    g_assert_true(strncmp(s.created, "DIR::", 5) == 0);
    g_assert_true(s.created_dir);
    struct stat st;
    g_assert_cmpint(lstat(dir, &st), ==, 0);
    g_assert_true(S_ISDIR(st.st_mode));
    g_assert_cmpint(st.st_uid, ==, UID);
    g_assert_cmpint(st.st_mode & 07777, ==, 0700);
    expect_file(s.created + 5, UID, 0600);
    /* the collection's primary cache is the new one */
    g_assert_cmpint(read_cache(coll, princ, sizeof(princ), &end), ==, 0);
    g_assert_cmpstr(princ, ==, "alice@SPICE.TEST");

    expect_status("DIR refresh", sso_krb5_refresh(k, c2, &user, NULL, name, sizeof(name), &err),
                  SSO_KRB5_OK, &err, NULL);
    g_assert_cmpstr(name, ==, s.created);
    g_assert_cmpint(read_cache(coll, princ, sizeof(princ), &end), ==, 0);
    g_assert_cmpint(end, ==, c2->tgt->times.endtime);
    expect_status("DIR refresh, other principal",
                  sso_krb5_refresh(k, bob, &user, NULL, NULL, 0, &err), SSO_KRB5_NO_CACHE, &err,
                  NULL);

    expect_status("DIR destroy", sso_krb5_destroy(k, &user, &s, &err), SSO_KRB5_OK, &err, NULL);
    g_assert_true(!exists(s.created + 5));
    g_assert_true(!exists(primary));
    g_assert_true(!exists(dir));
    expect_status("DIR refresh, no directory", sso_krb5_refresh(k, c, &user, NULL, NULL, 0, &err),
                  SSO_KRB5_NO_CACHE, &err, NULL);

    /* a directory planted by someone else, or a symlink in its place */
    g_assert_cmpint(mkdir(dir, 0700), ==, 0);
    g_assert_cmpint(chown(dir, 1, 1), ==, 0);
    expect_status("DIR check, another owner", sso_krb5_store_check(k, &user, &err),
                  SSO_KRB5_CACHE_REFUSED, &err, "not a private directory");
    expect_status("DIR of another owner", sso_krb5_store_new(k, c, &user, &s, &err),
                  SSO_KRB5_CACHE_REFUSED, &err, "not a private directory");
    g_assert_cmpint(chown(dir, UID, GID), ==, 0);
    g_assert_cmpint(chmod(dir, 0777), ==, 0);
    expect_status("DIR check, open to others", sso_krb5_store_check(k, &user, &err),
                  SSO_KRB5_CACHE_REFUSED, &err, "not a private directory");
    rmdir(dir);
    g_assert_cmpint(symlink(top, dir), ==, 0);
    expect_status("DIR check, symlink", sso_krb5_store_check(k, &user, &err),
                  SSO_KRB5_CACHE_REFUSED, &err, "symbolic link");
    expect_status("DIR symlink", sso_krb5_store_new(k, c, &user, &s, &err), SSO_KRB5_CACHE_REFUSED,
                  &err, "symbolic link");
    unlink(dir);
    /* the user's own directory is used, and kept */
    g_assert_cmpint(mkdir(dir, 0700), ==, 0);
    g_assert_cmpint(chown(dir, UID, GID), ==, 0);
    expect_status("DIR check, own directory", sso_krb5_store_check(k, &user, &err), SSO_KRB5_OK,
                  &err, NULL);
    expect_status("DIR existing", sso_krb5_store_new(k, c, &user, &s, &err), SSO_KRB5_OK, &err,
                  NULL);
    g_assert_true(!s.created_dir);
    expect_status("DIR destroy", sso_krb5_destroy(k, &user, &s, &err), SSO_KRB5_OK, &err, NULL);
    g_assert_true(!exists(s.created + 5));
    g_assert_true(exists(dir));
    unlink(primary);
    rmdir(dir);

    sso_krb5_creds_free(c);
    sso_krb5_creds_free(c2);
    sso_krb5_creds_free(bob);
    sso_krb5_close(k);
}

/* The user stops the child that writes as the user (SIGSTOP: it runs with
 * the user's uid), so its alarm never fires: the parent kills it at its
 * own deadline and reports it, instead of waiting for ever. */
static volatile sig_atomic_t stop_children;

static void stop_child_at_fork(void)
{
    if (stop_children) {
        raise(SIGSTOP);
    }
}

static void test_stopped_child(void)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/krb5cc_%d", tmp, UID);
    char line[600];
    snprintf(line, sizeof(line), "FILE:%s", path);
    SsoKrb5 *k = open_with(line);
    SsoKrb5Creds *c = creds_for(k, "alice@SPICE.TEST", 3600);
    SsoKrb5Error err = { 0 };
    char name[SSO_KRB5_NAMELEN];

    g_assert_cmpint(pthread_atfork(NULL, NULL, stop_child_at_fork), ==, 0);
    sso_krb5_child_timeout = 2;
    stop_children = 1;
    time_t t0 = time(NULL);
    SsoKrb5Status st = sso_krb5_refresh(k, c, &user, NULL, name, sizeof(name), &err);
    time_t took = time(NULL) - t0;
    stop_children = 0;
    sso_krb5_child_timeout = SSO_KRB5_CHILD_TIMEOUT;
    expect_status("stopped child", st, SSO_KRB5_INTERNAL, &err, "did not finish within 2 s");
    g_assert_true(took >= 1 && took <= 10);
    /* killed and reaped: no child is left */
    g_assert_cmpint(waitpid(-1, NULL, WNOHANG), ==, -1);
    g_assert_cmpint(errno, ==, ECHILD);
    g_assert_true(!exists(path));
    sso_krb5_creds_free(c);
    sso_krb5_close(k);
}

int main(int argc, char **argv)
{
    if (geteuid() != 0) {
        printf("test-sso-store: needs root (writes caches as uid %d)\n", UID);
        return 77;
    }
    g_test_init(&argc, &argv, NULL);
    g_assert_true(mkdtemp(top) != NULL);
    g_assert_cmpint(chmod(top, 0755), ==, 0);
    snprintf(tmp, sizeof(tmp), "%s/tmp", top);
    g_assert_cmpint(mkdir(tmp, 01777), ==, 0);
    g_assert_cmpint(chmod(tmp, 01777), ==, 0);
    g_assert_cmpint(krb5_init_context(&fake_ctx), ==, 0);
    g_test_add_func("/pam/sso-store/file", test_file);
    g_test_add_func("/pam/sso-store/unsafe-places", test_unsafe_places);
    g_test_add_func("/pam/sso-store/dir", test_dir);
    g_test_add_func("/pam/sso-store/stopped-child", test_stopped_child);
    int rc = g_test_run();

    krb5_free_context(fake_ctx);
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
    g_assert_cmpint(system(cmd), ==, 0);
    return rc;
}
