/* sasl-floor: the floor under single sign-on, for scripts/bench.
 *
 * Two processes on loopback TCP: a client that authenticates with Cyrus SASL
 * GSSAPI and asks for delegation (SASL_SEC_PASS_CREDENTIALS), and a server
 * that accepts (service "spice", the keytab in KRB5_KTNAME), takes the
 * delegated credential (SASL_DELEGATEDCREDS), copies it into a MEMORY cache
 * and verifies the TGT once with krb5_verify_init_creds against a host/
 * keytab (ap_req_nofail). Nothing SPICE, no agent, no PAM: what any design
 * has to pay.
 *
 *   sasl-floor RUNS SERVER_NAME HOST_KEYTAB HOST_PRINCIPAL
 *
 * Each run starts, as the other paths of scripts/bench do, from a cache
 * holding only the user's TGT (a MEMORY copy of the TGT in KRB5CCNAME, made
 * the GSS default before the clock starts): the client asks the KDC for the
 * service ticket and for the forwarded TGT every time.
 *
 * Prints one line per run: "floor <milliseconds>", measured by the client
 * from connect() to the server's one-byte verdict. Exits non-zero if any
 * run fails.
 */
#include <arpa/inet.h>
#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sasl/sasl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fd-io.h"

/* frames: u32 length (0xffffffff = no data) + bytes, in one write */
static int send_frame(int fd, const char *data, unsigned len, int null)
{
    char buf[8192];
    uint32_t l = null ? 0xffffffffu : len;
    if (len > sizeof(buf) - 4) {
        return -1;
    }
    memcpy(buf, &l, 4);
    if (!null && len > 0) {
        memcpy(buf + 4, data, len);
    }
    return fdio_write_all(fd, buf, 4 + (null ? 0 : len)) ? 0 : -1;
}

static int recv_frame(int fd, char *buf, unsigned *len, int *null)
{
    uint32_t l;
    if (!fdio_read_exact(fd, &l, 4)) {
        return -1;
    }
    *null = l == 0xffffffffu;
    *len = *null ? 0 : l;
    if (*len > 8192) {
        return -1;
    }
    return *len > 0 && !fdio_read_exact(fd, buf, *len) ? -1 : 0;
}

/* The TGT of @client in @cc (krbtgt/REALM@REALM) into @creds. */
static krb5_error_code retrieve_tgt(krb5_context ctx, krb5_ccache cc, krb5_principal client,
                                    krb5_creds *creds)
{
    krb5_creds match;
    memset(&match, 0, sizeof(match));
    match.client = client;
    krb5_error_code e = krb5_build_principal_ext(
        ctx, &match.server, (unsigned)client->realm.length, client->realm.data, 6, "krbtgt",
        (unsigned)client->realm.length, client->realm.data, 0);
    if (e == 0) {
        e = krb5_cc_retrieve_cred(ctx, cc, 0, &match, creds);
        krb5_free_principal(ctx, match.server);
    }
    return e;
}

/* A MEMORY cache with only the TGT of the default cache, as the GSS
 * default cache of this thread -> the cache (destroy it after the run). */
static krb5_ccache fresh_tgt_cache(krb5_context ctx)
{
    krb5_ccache base = NULL, cc = NULL;
    krb5_principal me = NULL;
    krb5_creds tgt;
    char *name = NULL;
    OM_uint32 minor;
    int ok = 0;
    memset(&tgt, 0, sizeof(tgt));
    if (krb5_cc_default(ctx, &base) == 0 && krb5_cc_get_principal(ctx, base, &me) == 0 &&
        retrieve_tgt(ctx, base, me, &tgt) == 0 && krb5_cc_new_unique(ctx, "MEMORY", NULL, &cc) == 0 &&
        krb5_cc_initialize(ctx, cc, me) == 0 && krb5_cc_store_cred(ctx, cc, &tgt) == 0 &&
        krb5_cc_get_full_name(ctx, cc, &name) == 0 &&
        gss_krb5_ccache_name(&minor, name, NULL) == GSS_S_COMPLETE) {
        ok = 1;
    }
    krb5_free_string(ctx, name);
    krb5_free_cred_contents(ctx, &tgt);
    krb5_free_principal(ctx, me);
    if (base) {
        krb5_cc_close(ctx, base);
    }
    if (!ok && cc) {
        krb5_cc_destroy(ctx, cc);
        cc = NULL;
    }
    return cc;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int client_run(int port, const char *server_name)
{
    sasl_conn_t *conn = NULL;
    int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        perror("connect");
        return -1;
    }
    if (sasl_client_new("spice", server_name, NULL, NULL, NULL, 0, &conn) != SASL_OK) {
        return -1;
    }
    sasl_security_properties_t sp = { .min_ssf = 56, .max_ssf = 100000, .maxbufsize = 100000,
                                      .security_flags = SASL_SEC_NOANONYMOUS | SASL_SEC_NOPLAINTEXT |
                                                        SASL_SEC_PASS_CREDENTIALS };
    sasl_setprop(conn, SASL_SEC_PROPS, &sp);
    const char *out = NULL, *mech = NULL;
    unsigned outlen = 0;
    int r = sasl_client_start(conn, "GSSAPI", NULL, &out, &outlen, &mech);
    if (r != SASL_OK && r != SASL_CONTINUE) {
        fprintf(stderr, "client start: %s\n", sasl_errdetail(conn));
        return -1;
    }
    send_frame(fd, out, outlen, out == NULL);
    char buf[8192];
    for (;;) {
        unsigned len;
        int null;
        uint8_t complete;
        if (recv_frame(fd, buf, &len, &null) < 0 || !fdio_read_exact(fd, &complete, 1)) {
            return -1;
        }
        if (complete && len == 0) {
            break;
        }
        r = sasl_client_step(conn, null ? NULL : buf, len, NULL, &out, &outlen);
        if (r != SASL_OK && r != SASL_CONTINUE) {
            fprintf(stderr, "client step: %s\n", sasl_errdetail(conn));
            return -1;
        }
        if (complete) {
            break;
        }
        send_frame(fd, out, outlen, out == NULL);
    }
    uint8_t verdict = 0;
    if (!fdio_read_exact(fd, &verdict, 1)) {
        return -1;
    }
    sasl_dispose(&conn);
    close(fd);
    return verdict == 1 ? 0 : -1;
}

/* The delegated credential into a MEMORY cache, then verify its TGT. */
static int take_and_verify(sasl_conn_t *conn, krb5_context ctx, krb5_keytab kt, krb5_principal host)
{
    const void *p = NULL;
    if (sasl_getprop(conn, SASL_DELEGATEDCREDS, &p) != SASL_OK || p == NULL) {
        fprintf(stderr, "server: no delegated credential\n");
        return -1;
    }
    gss_cred_id_t cred = *(const gss_cred_id_t *)p;
    OM_uint32 minor;
    gss_name_t name = GSS_C_NO_NAME;
    gss_buffer_desc text = GSS_C_EMPTY_BUFFER;
    krb5_principal client = NULL;
    krb5_ccache cc = NULL;
    krb5_creds creds;
    int ok = -1;
    memset(&creds, 0, sizeof(creds));
    if (gss_inquire_cred(&minor, cred, &name, NULL, NULL, NULL) != GSS_S_COMPLETE ||
        gss_display_name(&minor, name, &text, NULL) != GSS_S_COMPLETE) {
        goto out;
    }
    char *s = strndup(text.value, text.length);
    krb5_error_code e = krb5_parse_name(ctx, s, &client);
    free(s);
    if (e || krb5_cc_new_unique(ctx, "MEMORY", NULL, &cc) || krb5_cc_initialize(ctx, cc, client) ||
        gss_krb5_copy_ccache(&minor, cred, cc) != GSS_S_COMPLETE) {
        goto out;
    }
    if (retrieve_tgt(ctx, cc, client, &creds)) {
        goto out;
    }
    krb5_verify_init_creds_opt opt;
    krb5_verify_init_creds_opt_init(&opt);
    krb5_verify_init_creds_opt_set_ap_req_nofail(&opt, 1);
    e = krb5_verify_init_creds(ctx, &creds, host, kt, NULL, &opt);
    if (e) {
        fprintf(stderr, "server: verify: %s\n", krb5_get_error_message(ctx, e));
        goto out;
    }
    ok = 0;
out:
    krb5_free_cred_contents(ctx, &creds);
    if (cc) {
        krb5_cc_destroy(ctx, cc);
    }
    krb5_free_principal(ctx, client);
    gss_release_buffer(&minor, &text);
    gss_release_name(&minor, &name);
    return ok;
}

static int server_one(int lfd, krb5_context ctx, krb5_keytab kt, krb5_principal host)
{
    int fd = accept(lfd, NULL, NULL), one = 1;
    if (fd < 0) {
        return -1;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    sasl_conn_t *conn = NULL;
    if (sasl_server_new("spice", NULL, NULL, NULL, NULL, NULL, 0, &conn) != SASL_OK) {
        return -1;
    }
    sasl_security_properties_t sp = { .min_ssf = 56, .max_ssf = 100000, .maxbufsize = 8192,
                                      .security_flags = SASL_SEC_NOANONYMOUS | SASL_SEC_NOPLAINTEXT };
    sasl_setprop(conn, SASL_SEC_PROPS, &sp);
    char buf[8192];
    unsigned len;
    int null, first = 1, r;
    uint8_t verdict = 0;
    for (;;) {
        const char *out = NULL;
        unsigned outlen = 0;
        if (recv_frame(fd, buf, &len, &null) < 0) {
            break;
        }
        r = first ? sasl_server_start(conn, "GSSAPI", null ? NULL : buf, len, &out, &outlen)
                  : sasl_server_step(conn, null ? NULL : buf, len, &out, &outlen);
        first = 0;
        if (r != SASL_OK && r != SASL_CONTINUE) {
            fprintf(stderr, "server: %s\n", sasl_errdetail(conn));
            break;
        }
        uint8_t complete = r == SASL_OK;
        send_frame(fd, out, outlen, out == NULL && !complete);
        fdio_write_all(fd, &complete, 1);
        if (complete) {
            verdict = take_and_verify(conn, ctx, kt, host) == 0;
            break;
        }
    }
    fdio_write_all(fd, &verdict, 1);
    sasl_dispose(&conn);
    close(fd);
    return verdict ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: %s RUNS SERVER_NAME HOST_KEYTAB HOST_PRINCIPAL\n", argv[0]);
        return 2;
    }
    int runs = atoi(argv[1]);
    int lfd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    struct sockaddr_in sa = { .sin_family = AF_INET };
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    socklen_t sl = sizeof(sa);
    if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 8) < 0 ||
        getsockname(lfd, (struct sockaddr *)&sa, &sl) < 0) {
        perror("listen");
        return 1;
    }
    int port = ntohs(sa.sin_port);
    pid_t pid = fork();
    if (pid == 0) {
        close(lfd);
        krb5_context cctx;
        if (sasl_client_init(NULL) != SASL_OK || krb5_init_context(&cctx)) {
            _exit(1);
        }
        int rc = 0;
        for (int i = 0; i < runs; i++) {
            krb5_ccache cc = fresh_tgt_cache(cctx);
            if (cc == NULL) {
                fprintf(stderr, "client: no TGT in the default cache\n");
                rc = 1;
                break;
            }
            double t0 = now_ms();
            int r = client_run(port, argv[2]);
            double t1 = now_ms();
            krb5_cc_destroy(cctx, cc);
            if (r < 0) {
                rc = 1;
                break;
            }
            printf("floor %.3f\n", t1 - t0);
            fflush(stdout);
        }
        _exit(rc);
    }
    krb5_context ctx;
    krb5_keytab kt;
    krb5_principal host;
    if (sasl_server_init(NULL, "sasl-floor") != SASL_OK || krb5_init_context(&ctx) ||
        krb5_kt_resolve(ctx, argv[3], &kt) || krb5_parse_name(ctx, argv[4], &host)) {
        fprintf(stderr, "server setup failed\n");
        kill(pid, SIGTERM);
        return 1;
    }
    int failed = 0;
    for (int i = 0; i < runs && !failed; i++) {
        failed = server_one(lfd, ctx, kt, host) < 0;
    }
    int status;
    waitpid(pid, &status, 0);
    krb5_free_principal(ctx, host);
    krb5_kt_close(ctx, kt);
    krb5_free_context(ctx);
    sasl_done();
    return failed || !WIFEXITED(status) || WEXITSTATUS(status) != 0;
}
