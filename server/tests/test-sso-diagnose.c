/* test-sso-diagnose.c - sso_gss_diagnose_acceptor(): what a failed Kerberos
 * acceptor's configuration shows, and the fix it names.
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Keytabs are made here with random keys (no KDC). The case of a keytab that
 * exists but cannot be read needs an unprivileged user: the docs suite's
 * docs-misconfig-keytab-permissions covers it.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <krb5.h>
#include <stdlib.h>
#include <string.h>

#include "sso-gss.h"

typedef struct {
    gchar *dir;
} Fixture;

static void setup(Fixture *f, gconstpointer data)
{
    f->dir = g_dir_make_tmp("sso-diagnose-XXXXXX", NULL);
    g_assert_nonnull(f->dir);
}

static void teardown(Fixture *f, gconstpointer data)
{
    GDir *d = g_dir_open(f->dir, 0, NULL);
    const gchar *n;
    while (d && (n = g_dir_read_name(d)) != NULL) {
        gchar *p = g_build_filename(f->dir, n, NULL);
        g_remove(p);
        g_free(p);
    }
    if (d) {
        g_dir_close(d);
    }
    g_rmdir(f->dir);
    g_free(f->dir);
    g_unsetenv("KRB5RCACHEDIR");
}

/* a FILE keytab at @path with one random AES key for each principal */
static void make_keytab(const char *path, const char *const *principals)
{
    krb5_context ctx;
    krb5_keytab kt;
    gchar *name = g_strdup_printf("FILE:%s", path);

    g_assert_cmpint(krb5_init_context(&ctx), ==, 0);
    g_assert_cmpint(krb5_kt_resolve(ctx, name, &kt), ==, 0);
    for (; *principals; principals++) {
        krb5_keytab_entry e;
        memset(&e, 0, sizeof(e));
        g_assert_cmpint(krb5_parse_name(ctx, *principals, &e.principal), ==, 0);
        e.vno = 1;
        g_assert_cmpint(krb5_c_make_random_key(ctx, ENCTYPE_AES256_CTS_HMAC_SHA1_96, &e.key), ==, 0);
        g_assert_cmpint(krb5_kt_add_entry(ctx, kt, &e), ==, 0);
        krb5_free_keyblock_contents(ctx, &e.key);
        krb5_free_principal(ctx, e.principal);
    }
    krb5_kt_close(ctx, kt);
    krb5_free_context(ctx);
    g_free(name);
}

static gchar *diagnose(const char *keytab)
{
    char out[1024];
    memset(out, 'x', sizeof(out));
    sso_gss_diagnose_acceptor(keytab, "spice", out, sizeof(out));
    g_assert_nonnull(memchr(out, '\0', sizeof(out)));
    g_test_message("%s", out);
    g_assert_nonnull(strstr(out, "; fix: "));
    return g_strdup(out);
}

/* the acceptor name the diagnosis derives from this host's name */
static gchar *acceptor_of_this_host(Fixture *f)
{
    gchar *kt = g_build_filename(f->dir, "other.keytab", NULL);
    const char *p[] = { "spice/no-such-host.invalid@EXAMPLE.COM", NULL };
    make_keytab(kt, p);
    gchar *d = diagnose(kt);
    const char *s = strstr(d, "accepts tickets for ");
    g_assert_nonnull(s);
    s += strlen("accepts tickets for ");
    gchar *name = g_strndup(s, strcspn(s, ","));
    g_assert_true(g_str_has_prefix(name, "spice/"));
    g_free(d);
    g_free(kt);
    return name;
}

static void test_missing(Fixture *f, gconstpointer data)
{
    gchar *kt = g_build_filename(f->dir, "none.keytab", NULL);
    gchar *d = diagnose(kt);
    g_assert_nonnull(strstr(d, "cannot be read by uid"));
    g_assert_nonnull(strstr(d, "No such file or directory"));
    g_assert_nonnull(strstr(d, kt));
    g_assert_nonnull(strstr(d, "ipa-getkeytab"));
    g_free(d);
    /* the same through FILE: */
    gchar *name = g_strdup_printf("FILE:%s", kt);
    d = diagnose(name);
    g_assert_nonnull(strstr(d, "cannot be read by uid"));
    g_free(d);
    g_free(name);
    g_free(kt);
}

static void test_no_spice_key(Fixture *f, gconstpointer data)
{
    gchar *kt = g_build_filename(f->dir, "host.keytab", NULL);
    const char *p[] = { "host/guest.example.com@EXAMPLE.COM", NULL };
    make_keytab(kt, p);
    gchar *d = diagnose(kt);
    g_assert_nonnull(strstr(d, "holds no spice/ key; fix: add spice/"));
    g_assert_nonnull(strstr(d, "kadmin ktadd"));
    g_free(d);
    g_free(kt);
}

static void test_acceptor_missing(Fixture *f, gconstpointer data)
{
    gchar *acceptor = acceptor_of_this_host(f);
    gchar *kt = g_build_filename(f->dir, "other.keytab", NULL);
    gchar *d = diagnose(kt);
    gchar *want = g_strdup_printf("this host accepts tickets for %s, which is not in the keytab %s"
                                  " (it holds spice/no-such-host.invalid@EXAMPLE.COM); fix: add %s",
                                  acceptor, kt, acceptor);
    g_assert_nonnull(strstr(d, want));
    g_assert_nonnull(strstr(d, "ignore_acceptor_hostname = true"));
    g_free(want);
    g_free(d);
    g_free(kt);
    g_free(acceptor);
}

static void test_rcache_not_writable(Fixture *f, gconstpointer data)
{
    gchar *acceptor = acceptor_of_this_host(f);
    gchar *kt = g_build_filename(f->dir, "spice.keytab", NULL);
    gchar *princ = g_strdup_printf("%s@EXAMPLE.COM", acceptor);
    const char *p[] = { princ, NULL };
    make_keytab(kt, p);
    gchar *rc = g_build_filename(f->dir, "no-such-rcache-dir", NULL);
    g_setenv("KRB5RCACHEDIR", rc, TRUE);
    gchar *d = diagnose(kt);
    gchar *want = g_strdup_printf("the replay cache directory %s is not writable", rc);
    g_assert_nonnull(strstr(d, want));
    g_assert_nonnull(strstr(d, "fix: set KRB5RCACHEDIR"));
    g_free(want);
    g_free(d);
    /* writable: the keytab is fine, so the client must ask for its names */
    g_setenv("KRB5RCACHEDIR", f->dir, TRUE);
    d = diagnose(kt);
    want = g_strdup_printf("the keytab %s holds %s; fix: clients must ask for one of these names",
                           kt, princ);
    g_assert_nonnull(strstr(d, want));
    g_free(want);
    g_free(d);
    g_free(rc);
    g_free(princ);
    g_free(kt);
    g_free(acceptor);
}

static void test_small_buffer(Fixture *f, gconstpointer data)
{
    char out[16];
    sso_gss_diagnose_acceptor("/nonexistent/keytab", NULL, out, sizeof(out));
    g_assert_cmpuint(strlen(out), ==, sizeof(out) - 1);
    sso_gss_diagnose_acceptor("/nonexistent/keytab", NULL, NULL, 0); /* no crash */
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    /* the default krb5.conf of the machine is not ours to depend on */
    g_setenv("KRB5_CONFIG", "/dev/null", TRUE);
    g_test_add("/diagnose/missing", Fixture, NULL, setup, test_missing, teardown);
    g_test_add("/diagnose/no-spice-key", Fixture, NULL, setup, test_no_spice_key, teardown);
    g_test_add("/diagnose/acceptor-missing", Fixture, NULL, setup, test_acceptor_missing, teardown);
    g_test_add("/diagnose/rcache", Fixture, NULL, setup, test_rcache_not_writable, teardown);
    g_test_add("/diagnose/small-buffer", Fixture, NULL, setup, test_small_buffer, teardown);
    return g_test_run();
}
