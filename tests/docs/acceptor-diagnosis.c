/* acceptor-diagnosis - what spice-server logs after a failed Kerberos SASL
 * exchange, for the docs suite's misconfiguration tests.
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   acceptor-diagnosis APPNAME
 *
 * Sets up Cyrus SASL exactly as spice-server does (sasl_server_init with
 * the embedder's application name, so APPNAME.conf in SASL_CONF_PATH is the
 * configuration; sasl_server_new for service "spice" with no server name)
 * and calls sso_sasl_log_failure() on that connection, as spice-server's
 * red-stream does after "sasl step failed": the "sso: auth" line goes to
 * stderr. Run it as the user, with the environment, that qemu has.
 */
#include <sasl/sasl.h>
#include <stdio.h>

#include "sso-sasl.h"

int main(int argc, char **argv)
{
    sasl_conn_t *conn = NULL;
    int err;

    if (argc != 2) {
        fprintf(stderr, "usage: acceptor-diagnosis APPNAME\n");
        return 2;
    }
    err = sasl_server_init(NULL, argv[1]);
    if (err != SASL_OK) {
        fprintf(stderr, "sasl_server_init: %s\n", sasl_errstring(err, NULL, NULL));
        return 1;
    }
    err = sasl_server_new("spice", NULL, NULL, NULL, NULL, NULL, 0, &conn);
    if (err != SASL_OK) {
        fprintf(stderr, "sasl_server_new: %s\n", sasl_errstring(err, NULL, NULL));
        return 1;
    }
    sso_sasl_log_failure(conn, "127.0.0.1:1", SASL_BADAUTH);
    sasl_dispose(&conn);
    sasl_server_done();
    return 0;
}
