/* test-sso-state.c - the state file of spice-vdagentd's single sign-on
 * (vdagent/src/sso-state.c): written root-only and atomically, read back
 * defensively. */
#include "sso-state.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/test-sso-state-XXXXXX";

static gchar *path_in(const char *name)
{
    return g_build_filename(tmpdir, name, NULL);
}

/* Write @text to @path with @mode, not through the code under test. */
static void plant(const char *path, const char *text, gssize len, mode_t mode)
{
    g_unlink(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
    g_assert_true(fd >= 0);
    gsize n = len < 0 ? strlen(text) : (gsize)len;
    g_assert_true(write(fd, text, n) == (ssize_t)n);
    g_assert_true(fchmod(fd, mode) == 0);
    close(fd);
}

static GPtrArray *load(const char *path)
{
    GError *err = NULL;
    GPtrArray *e = vdagentd_sso_state_load(path, &err);
    g_assert_true((e == NULL) == (err != NULL));
    g_clear_error(&err);
    return e;
}

/* Nothing but the files the test made is in the directory */
static guint files_in_dir(void)
{
    GDir *d = g_dir_open(tmpdir, 0, NULL);
    guint n = 0;
    while (g_dir_read_name(d) != NULL) {
        n++;
    }
    g_dir_close(d);
    return n;
}

static void test_round_trip(void)
{
    g_autofree gchar *path = path_in("sso-sessions");
    GPtrArray *in = g_ptr_array_new_with_free_func(vdagentd_sso_state_entry_free);
    struct stat st;

    g_ptr_array_add(in, vdagentd_sso_state_entry_new(5001, "2", "alice@SPICE.TEST"));
    g_ptr_array_add(in, vdagentd_sso_state_entry_new(5001, "c7", "alice@SPICE.TEST"));
    g_ptr_array_add(in, vdagentd_sso_state_entry_new(5002, NULL, "bob/admin@SPICE.TEST"));
    /* locks owed: of a session, of a session not opened yet */
    ((VDAgentdSsoStateEntry *)g_ptr_array_index(in, 1))->lock_owed = TRUE;
    g_ptr_array_add(in, vdagentd_sso_state_entry_new(5003, NULL, "carol@SPICE.TEST"));
    ((VDAgentdSsoStateEntry *)g_ptr_array_index(in, 3))->lock_owed = TRUE;
    /* a principal that is not UTF-8 (Kerberos names are bytes) */
    g_ptr_array_add(in, vdagentd_sso_state_entry_new(5004, "9", "d\xe9" "sir\xe9" "e@SPICE.TEST"));
    /* whatever the umask, the file is 0600 */
    mode_t old = umask(0);
    g_assert_true(vdagentd_sso_state_save(path, in, NULL));
    umask(old);
    g_assert_true(lstat(path, &st) == 0);
    g_assert_true(S_ISREG(st.st_mode));
    g_assert_cmpint(st.st_mode & 07777, ==, 0600);
    g_assert_cmpint(st.st_uid, ==, geteuid());
    /* no temporary file left */
    g_assert_cmpint(files_in_dir(), ==, 1);
    gchar *text = NULL;
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_assert_cmpstr(text, ==, "spice-vdagentd-sso-sessions 2\n5001 2 - alice@SPICE.TEST\n"
                    "5001 c7 lock alice@SPICE.TEST\n5002 - - bob/admin@SPICE.TEST\n"
                    "5003 - lock carol@SPICE.TEST\n5004 9 - d\xe9" "sir\xe9" "e@SPICE.TEST\n");
    g_free(text);

    GPtrArray *out = load(path);
    g_assert_true(out != NULL);
    g_assert_cmpint(out->len, ==, 5);
    for (guint i = 0; i < 5; i++) {
        VDAgentdSsoStateEntry *a = g_ptr_array_index(in, i), *b = g_ptr_array_index(out, i);
        g_assert_cmpint(a->uid, ==, b->uid);
        g_assert_true(g_strcmp0(a->session, b->session) == 0);
        g_assert_cmpstr(a->principal, ==, b->principal);
        g_assert_cmpint(a->lock_owed, ==, b->lock_owed);
    }
    g_ptr_array_free(out, TRUE);

    /* a principal the file cannot hold is not written */
    GPtrArray *bad = g_ptr_array_new_with_free_func(vdagentd_sso_state_entry_free);
    g_ptr_array_add(bad, vdagentd_sso_state_entry_new(5001, "2", "evil\n5002 3 - x@Y"));
    GError *err = NULL;
    g_assert_true(!vdagentd_sso_state_save(path, bad, &err));
    g_assert_true(err != NULL);
    g_clear_error(&err);
    g_ptr_array_free(bad, TRUE);
    out = load(path);
    g_assert_cmpint(out->len, ==, 5);
    g_ptr_array_free(out, TRUE);

    g_ptr_array_set_size(in, 3);

    /* replaced, not rewritten in place: a reader of the old file keeps it */
    int fd = open(path, O_RDONLY);
    g_assert_true(fd >= 0);
    g_ptr_array_set_size(in, 1);
    g_assert_true(vdagentd_sso_state_save(path, in, NULL));
    char buf[64] = "";
    g_assert_true(read(fd, buf, sizeof(buf) - 1) > 0);
    close(fd);
    g_assert_true(strstr(buf, "5001 c7") != NULL);
    out = load(path);
    g_assert_cmpint(out->len, ==, 1);
    g_ptr_array_free(out, TRUE);
    /* an empty list */
    g_ptr_array_set_size(in, 0);
    g_assert_true(vdagentd_sso_state_save(path, in, NULL));
    out = load(path);
    g_assert_true(out != NULL && out->len == 0);
    g_ptr_array_free(out, TRUE);
    g_ptr_array_free(in, TRUE);
    /* a version 1 file (before locks were recorded) is read: no lock owed */
    plant(path, "spice-vdagentd-sso-sessions 1\n5001 2 alice@SPICE.TEST\n5002 - b c@D\n", -1,
          0600);
    out = load(path);
    g_assert_true(out != NULL);
    g_assert_cmpint(out->len, ==, 2);
    VDAgentdSsoStateEntry *v1 = g_ptr_array_index(out, 1);
    g_assert_cmpstr(v1->principal, ==, "b c@D");
    g_assert_true(v1->session == NULL && !v1->lock_owed);
    g_ptr_array_free(out, TRUE);
    g_unlink(path);

    /* no file: no entries, no error */
    out = load(path);
    g_assert_true(out != NULL && out->len == 0);
    g_ptr_array_free(out, TRUE);
}

static void test_malformed_lines(void)
{
    g_autofree gchar *path = path_in("sso-sessions");

    plant(path,
          "spice-vdagentd-sso-sessions 2\n"
          "5001 2 - alice@SPICE.TEST\n"
          "5001 3 locked alice@SPICE.TEST\n"   /* neither lock nor - */
          "5001 3 alice@SPICE.TEST\n"          /* version 1 line */
          "\n"                                  /* empty */
          "0 2 - root@SPICE.TEST\n"               /* uid 0 */
          "-1 2 - x@SPICE.TEST\n"                 /* negative */
          "+5 2 - x@SPICE.TEST\n"                 /* sign */
          "05001 2 - x@SPICE.TEST\n"              /* not canonical */
          "4294967295 2 - x@SPICE.TEST\n"         /* (uid_t)-1 */
          "99999999999 2 - x@SPICE.TEST\n"        /* too large */
          "abc 2 - x@SPICE.TEST\n"
          "5003 ../../x - x@SPICE.TEST\n"       /* not a session id */
          "5003 2 -\n"                          /* no principal */
          "5003 2 - \n"                         /* empty principal */
          "5003 2 - bad\x01principal\n"         /* control character */
          "5003 2 - bad\x7f\n"                  /* DEL */
          "5003  - x@SPICE.TEST\n"              /* empty session */
          "5004 3 - carol@SPICE.TEST\r\n"       /* carriage return */
          "5005 4 lock dave@SPICE.TEST",        /* no final newline: fine */
          -1, 0600);
    GPtrArray *e = load(path);
    g_assert_true(e != NULL);
    g_assert_cmpint(e->len, ==, 2);
    VDAgentdSsoStateEntry *a = g_ptr_array_index(e, 0), *b = g_ptr_array_index(e, 1);
    g_assert_cmpint(a->uid, ==, 5001);
    g_assert_cmpstr(a->session, ==, "2");
    g_assert_cmpstr(a->principal, ==, "alice@SPICE.TEST");
    g_assert_true(!a->lock_owed);
    g_assert_cmpint(b->uid, ==, 5005);
    g_assert_cmpstr(b->principal, ==, "dave@SPICE.TEST");
    g_assert_true(b->lock_owed);
    g_ptr_array_free(e, TRUE);

    /* a long session id, a long principal */
    GString *s = g_string_new("spice-vdagentd-sso-sessions 1\n5001 ");
    for (int i = 0; i < VDAGENTD_SSO_STATE_MAX_SESSION + 1; i++) {
        g_string_append_c(s, '7');
    }
    g_string_append(s, " a@B\n5001 2 ");
    for (int i = 0; i < VDAGENTD_SSO_STATE_MAX_PRINCIPAL + 1; i++) {
        g_string_append_c(s, 'p');
    }
    g_string_append(s, "\n");
    plant(path, s->str, -1, 0600);
    g_string_free(s, TRUE);
    e = load(path);
    g_assert_true(e != NULL && e->len == 0);
    g_ptr_array_free(e, TRUE);

    /* at most VDAGENTD_SSO_STATE_MAX_ENTRIES entries */
    s = g_string_new("spice-vdagentd-sso-sessions 1\n");
    for (int i = 0; i < VDAGENTD_SSO_STATE_MAX_ENTRIES + 10; i++) {
        g_string_append_printf(s, "%d %d u@R\n", 6000 + i, i + 1);
    }
    plant(path, s->str, -1, 0600);
    g_string_free(s, TRUE);
    e = load(path);
    g_assert_true(e != NULL);
    g_assert_cmpint(e->len, ==, VDAGENTD_SSO_STATE_MAX_ENTRIES);
    g_ptr_array_free(e, TRUE);
    g_unlink(path);
}

/* Files that are not trusted are not read at all */
static void test_untrusted_files(void)
{
    g_autofree gchar *path = path_in("sso-sessions");
    g_autofree gchar *target = path_in("target");
    static const char ok[] = "spice-vdagentd-sso-sessions 1\n5001 2 alice@SPICE.TEST\n";

    /* readable by others */
    plant(path, ok, -1, 0644);
    g_assert_true(load(path) == NULL);
    /* another header, or none */
    plant(path, "spice-vdagentd-sso-sessions 3\n5001 2 - a@B\n", -1, 0600);
    g_assert_true(load(path) == NULL);
    plant(path, "5001 2 a@B\n", -1, 0600);
    g_assert_true(load(path) == NULL);
    /* a NUL byte */
    plant(path, "spice-vdagentd-sso-sessions 1\n5001 2 a\0@B\n", 42, 0600);
    g_assert_true(load(path) == NULL);
    /* too large */
    gchar *big = g_strnfill(VDAGENTD_SSO_STATE_MAX_SIZE + 1, 'x');
    plant(path, big, -1, 0600);
    g_free(big);
    g_assert_true(load(path) == NULL);
    /* a symbolic link to a good file */
    plant(target, ok, -1, 0600);
    g_unlink(path);
    g_assert_true(symlink(target, path) == 0);
    g_assert_true(load(path) == NULL);
    /* saving replaces the link, not its target */
    GPtrArray *none = g_ptr_array_new_with_free_func(vdagentd_sso_state_entry_free);
    g_assert_true(vdagentd_sso_state_save(path, none, NULL));
    struct stat st;
    g_assert_true(lstat(path, &st) == 0 && S_ISREG(st.st_mode));
    gchar *text = NULL;
    g_assert_true(g_file_get_contents(target, &text, NULL, NULL));
    g_assert_cmpstr(text, ==, ok);
    g_free(text);
    g_unlink(target);
    /* a FIFO: refused without blocking */
    g_unlink(path);
    g_assert_true(mkfifo(path, 0600) == 0);
    g_assert_true(load(path) == NULL);
    g_unlink(path);
    /* a directory: neither read nor replaced */
    g_assert_true(g_mkdir(path, 0700) == 0);
    g_assert_true(load(path) == NULL);
    GError *err = NULL;
    g_assert_true(!vdagentd_sso_state_save(path, none, &err));
    g_assert_true(err != NULL);
    g_clear_error(&err);
    g_rmdir(path);
    g_assert_cmpint(files_in_dir(), ==, 0);

    /* a directory others may write to: not written in */
    g_autofree gchar *open_dir = path_in("open");
    g_autofree gchar *in_open = g_build_filename(open_dir, "sso-sessions", NULL);
    g_assert_true(g_mkdir(open_dir, 0700) == 0);
    g_assert_true(chmod(open_dir, 0777) == 0);
    g_assert_true(!vdagentd_sso_state_save(in_open, none, &err));
    g_assert_true(err != NULL && strstr(err->message, "nobody else may write") != NULL);
    g_clear_error(&err);
    g_assert_true(!g_file_test(in_open, G_FILE_TEST_EXISTS));
    g_rmdir(open_dir);
    /* a symbolic link to a good directory: not written through */
    g_autofree gchar *real_dir = path_in("real");
    g_autofree gchar *in_link = g_build_filename(open_dir, "sso-sessions", NULL);
    g_assert_true(g_mkdir(real_dir, 0700) == 0);
    g_assert_true(symlink(real_dir, open_dir) == 0);
    g_assert_true(!vdagentd_sso_state_save(in_link, none, &err));
    g_assert_true(err != NULL && strstr(err->message, "not a symbolic link") != NULL);
    g_clear_error(&err);
    g_unlink(open_dir);
    g_assert_cmpint(files_in_dir(), ==, 1);
    g_rmdir(real_dir);
    /* a missing directory is made, 0700 */
    g_assert_true(vdagentd_sso_state_save(in_open, none, NULL));
    g_assert_true(stat(open_dir, &st) == 0 && (st.st_mode & 07777) == 0700);
    g_unlink(in_open);
    g_rmdir(open_dir);
    g_ptr_array_free(none, TRUE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_assert_true(g_mkdtemp(tmpdir) != NULL);
    g_test_add_func("/sso-state/round-trip", test_round_trip);
    g_test_add_func("/sso-state/malformed-lines", test_malformed_lines);
    g_test_add_func("/sso-state/untrusted-files", test_untrusted_files);
    int rc = g_test_run();

    g_rmdir(tmpdir);
    return rc;
}
