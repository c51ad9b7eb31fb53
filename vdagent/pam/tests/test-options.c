/* Unit tests of pam_vdagent_sso's module arguments. */
#include "internal.h"
#include "check.h"

static int parse(SsoOptions *o, int argc, const char **argv)
{
    char err[256] = "";
    int r = sso_options_parse(argc, argv, o, err, sizeof(err));
    CHECK(r == 0 || strstr(err, "module argument") != NULL);
    return r;
}

int main(void)
{
    SsoOptions o;
    CHECK_INT(parse(&o, 0, NULL), 0);
    CHECK_STR(o.socket_path, "/run/spice-vdagentd/sso.sock");
    CHECK(o.krb5.krb5_conf == NULL);
    CHECK(o.krb5.keytab == NULL);
    CHECK(o.krb5.server == NULL);
    CHECK_INT(o.krb5.uid_min, -1);
    CHECK_INT(o.krb5.uid_max, 0);
    CHECK_INT(o.timeout, 10);
    CHECK_INT(o.debug, 0);
    CHECK_INT(o.helper, 0);

    const char *all[] = { "socket=/tmp/s.sock", "krb5_conf=/etc/k.conf", "keytab=FILE:/k.tab",
                          "server=host/g.example@EXAMPLE", "uid_min=500", "timeout=3", "debug",
                          "helper" };
    CHECK_INT(parse(&o, 8, all), 0);
    CHECK_INT(o.helper, 1);
    CHECK_STR(o.socket_path, "/tmp/s.sock");
    CHECK_STR(o.krb5.krb5_conf, "/etc/k.conf");
    CHECK_STR(o.krb5.keytab, "FILE:/k.tab");
    CHECK_STR(o.krb5.server, "host/g.example@EXAMPLE");
    CHECK_INT(o.krb5.uid_min, 500);
    CHECK_INT(o.timeout, 3);
    CHECK_INT(o.debug, 1);
    const char *zero[] = { "uid_min=0" };
    CHECK_INT(parse(&o, 1, zero), 0);
    CHECK_INT(o.krb5.uid_min, 0);
    const char *max[] = { "uid_max=59999" };
    CHECK_INT(parse(&o, 1, max), 0);
    CHECK_INT(o.krb5.uid_max, 59999);

    /* anything unknown or malformed fails closed */
    const char *bad[] = { "sockets=/x", "socket=", "socket=relative", "krb5_conf=relative",
                          "uid_min=-1", "uid_min=1e3", "uid_min=", "uid_min=99999999999",
                          "uid_max=0", "uid_max=-1", "uid_max=", "uid_max=99999999999",
                          "timeout=0", "timeout=301", "timeout=x", "debug=1", "keytab",
                          "helper=1",
                          "use_first_pass", "" };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        if (parse(&o, 1, &bad[i]) != -1) {
            fprintf(stderr, "accepted bad argument \"%s\"\n", bad[i]);
            check_failures++;
        }
    }
    return check_status("test-options");
}
