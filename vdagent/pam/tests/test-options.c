/* Unit tests of pam_vdagent_sso's module arguments. */
#include "internal.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

static int parse(SsoOptions *o, int argc, const char **argv)
{
    char err[256] = "";
    int r = sso_options_parse(argc, argv, o, err, sizeof(err));
    g_assert_true(r == 0 || strstr(err, "module argument") != NULL);
    return r;
}

static void test_defaults(void)
{
    SsoOptions o;
    g_assert_cmpint(parse(&o, 0, NULL), ==, 0);
    g_assert_cmpstr(o.socket_path, ==, "/run/spice-vdagentd/sso.sock");
    g_assert_true(o.krb5.krb5_conf == NULL);
    g_assert_true(o.krb5.keytab == NULL);
    g_assert_true(o.krb5.server == NULL);
    g_assert_cmpint(o.krb5.uid_min, ==, -1);
    g_assert_cmpint(o.krb5.uid_max, ==, 0);
    g_assert_cmpint(o.timeout, ==, 10);
    g_assert_cmpint(o.debug, ==, 0);
    g_assert_cmpint(o.helper, ==, 0);
}

static void test_values(void)
{
    SsoOptions o;
    const char *all[] = { "socket=/tmp/s.sock", "krb5_conf=/etc/k.conf", "keytab=FILE:/k.tab",
                          "server=host/g.example@EXAMPLE", "uid_min=500", "timeout=3", "debug",
                          "helper" };
    g_assert_cmpint(parse(&o, 8, all), ==, 0);
    g_assert_cmpint(o.helper, ==, 1);
    g_assert_cmpstr(o.socket_path, ==, "/tmp/s.sock");
    g_assert_cmpstr(o.krb5.krb5_conf, ==, "/etc/k.conf");
    g_assert_cmpstr(o.krb5.keytab, ==, "FILE:/k.tab");
    g_assert_cmpstr(o.krb5.server, ==, "host/g.example@EXAMPLE");
    g_assert_cmpint(o.krb5.uid_min, ==, 500);
    g_assert_cmpint(o.timeout, ==, 3);
    g_assert_cmpint(o.debug, ==, 1);
    const char *zero[] = { "uid_min=0" };
    g_assert_cmpint(parse(&o, 1, zero), ==, 0);
    g_assert_cmpint(o.krb5.uid_min, ==, 0);
    const char *max[] = { "uid_max=59999" };
    g_assert_cmpint(parse(&o, 1, max), ==, 0);
    g_assert_cmpint(o.krb5.uid_max, ==, 59999);
}

/* anything unknown or malformed fails closed */
static void test_bad(void)
{
    SsoOptions o;
    const char *bad[] = { "sockets=/x", "socket=", "socket=relative", "krb5_conf=relative",
                          "uid_min=-1", "uid_min=1e3", "uid_min=", "uid_min=99999999999",
                          "uid_max=0", "uid_max=-1", "uid_max=", "uid_max=99999999999",
                          "timeout=0", "timeout=301", "timeout=x", "debug=1", "keytab",
                          "helper=1",
                          "use_first_pass", "" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (parse(&o, 1, &bad[i]) != -1) {
            g_test_fail_printf("accepted bad argument \"%s\"", bad[i]);
        }
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/pam/options/defaults", test_defaults);
    g_test_add_func("/pam/options/values", test_values);
    g_test_add_func("/pam/options/bad", test_bad);
    return g_test_run();
}
