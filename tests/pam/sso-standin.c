/* sso-standin - a stand-in for spice-vdagentd's single sign-on side, for
 * the PAM module's own tests (tests/guest/guest-e2e runs the module behind
 * the real daemon) and the test VM's KEYRING check.
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * It does what docs/protocol.md asks of vdagentd once a VD_AGENT_SSO was
 * accepted, with the protocol library: it builds a real VD_AGENT_SSO payload
 * around a real credential cache (a FILE v4 cache written by kinit, which
 * is exactly that format), draws a 128-bit token with getrandom, owns
 * org.ovirt.vdsm.Credentials on the system bus and emits
 * UserAuthenticated(token) on /org/ovirt/vdsm/Credentials with backoff
 * (1, 2, 4 ... s) until the token is fetched or expires, and serves the
 * redemption socket: 0600, peers checked to be root with SO_PEERCRED, one
 * request per connection, FETCH once (constant-time comparison, not after
 * expiry), REPORT after FETCH; the payload is wiped after the report or at
 * expiry. It is NOT the daemon: no agent port, no seat, no session lookup.
 *
 * For the refusal tests it can spoil the credential first (--tamper), with
 * MIT's own (un)marshalling of the TGT record:
 *   ticket       flip a byte of the ticket's ciphertext
 *   session-key  flip a byte of the session key
 *   client       rename the client (every record, the default principal
 *                and the principal field) to --forge-as (default bob)
 *   expired      set the TGT's end time an hour in the past
 *   truncate     cut the cache in half
 *   garbage      replace the cache by random bytes
 * and add the records of another cache (--extra-ccache: a second client
 * principal), or claim another principal (--principal).
 *
 *   sso-standin --socket PATH --ccache FILE [--principal P] [--tamper KIND]
 *               [--forge-as NAME] [--extra-ccache FILE] [--ttl S]
 *               [--no-emit] [--bogus-token] [--emit-after-fetch N]
 *
 * Output: one event per line on stdout (never the token):
 *   ready | owned | emitted | peer-refused uid=N | fetch-user UID|none |
 *   fetch ok | fetch unknown |
 *   report outcome=N uid=N status=N | bad-request | expired | wiped
 */
#include <errno.h>
#include <gio/gio.h>
#include <glib-unix.h>
#include <krb5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ccache-tamper.h"
#include "vdagent-sso.h"

static struct {
    const char *socket_path;
    const char *ccache;
    const char *principal;
    const char *tamper;
    const char *forge_as;
    const char *extra_ccache;
    int ttl;
    gboolean no_emit;
    gboolean bogus_token;
    int emit_after_fetch;
} opt = { .ttl = 60, .forge_as = "bob" };

static GMainLoop *loop;
static GDBusConnection *bus;
static uint8_t token[VDSSO_TOKEN_SIZE];
static char token_hex[VDSSO_TOKEN_HEX_LEN + 1];
static uint8_t *payload;
static size_t payload_len;
static gint64 expires_at;
static gboolean fetched, owned;
static guint emit_source;
static int emit_delay = 1;
static int emits_after_fetch;

static void event(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

static void event(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

static void die(const char *what)
{
    fprintf(stderr, "sso-standin: %s\n", what);
    exit(1);
}

static void wipe_payload(void)
{
    if (payload != NULL) {
        vdsso_wipe_free(payload, payload_len);
        payload = NULL;
        payload_len = 0;
        event("wiped");
    }
    vdsso_wipe(token, sizeof(token));
    vdsso_wipe(token_hex, sizeof(token_hex));
}

/* The credentials of the FILE cache @path as spice-server sends them. */
static uint8_t *read_creds(krb5_context ctx, const char *path, size_t *len)
{
    char name[4200], err[256];
    uint8_t *out = NULL;
    snprintf(name, sizeof(name), "FILE:%s", path);
    if (creds_from_ccache(ctx, name, &out, len, err, sizeof(err)) != 0) {
        die(err);
    }
    return out;
}

static void make_payload(void)
{
    size_t len, xlen = 0;
    krb5_context ctx;
    if (krb5_init_context(&ctx) != 0) {
        die("krb5_init_context");
    }
    uint8_t *cc = read_creds(ctx, opt.ccache, &len);
    uint8_t *extra = opt.extra_ccache ? read_creds(ctx, opt.extra_ccache, &xlen) : NULL;
    char orig_principal[VDSSO_MAX_PRINCIPAL + 1];
    if (creds_client_name(ctx, cc, len, orig_principal, sizeof(orig_principal)) != 0) {
        die("the credential cache holds no credential krb5 reads");
    }
    const char *t = opt.tamper ? opt.tamper : "";
    if (extra != NULL || t[0] != '\0') {
        uint8_t *n = NULL;
        size_t nlen = 0;
        char err[256];
        if (ccache_tamper(ctx, t, opt.forge_as, cc, len, extra, xlen, &n, &nlen, err,
                          sizeof(err)) != 0) {
            die(err);
        }
        vdsso_wipe_free(cc, len);
        cc = n;
        len = nlen;
    }
    if (extra != NULL) {
        vdsso_wipe_free(extra, xlen);
    }
    /* The principal field: what the server authenticated, the client of the
     * credential as sent (or, if it is garbled, as read). */
    char principal[VDSSO_MAX_PRINCIPAL + 1];
    if (opt.principal != NULL) {
        g_strlcpy(principal, opt.principal, sizeof(principal));
    } else if (creds_client_name(ctx, cc, len, principal, sizeof(principal)) != 0) {
        g_strlcpy(principal, orig_principal, sizeof(principal));
    }
    krb5_free_context(ctx);
    VDSsoMsg m = { .version = VDSSO_VERSION, .serial = 1,
                   .flags = VDSSO_FLAG_LOGIN | VDSSO_FLAG_REFRESH,
                   .cred_type = VDSSO_CRED_KRB5_CREDS, .principal = principal,
                   .principal_len = (uint32_t)strlen(principal), .cred = cc,
                   .cred_len = (uint32_t)len };
    payload_len = vdsso_msg_size(&m);
    if (payload_len == 0) {
        die("the message is out of bounds");
    }
    payload = g_malloc(payload_len);
    if (vdsso_msg_encode(&m, payload, payload_len) < 0) {
        die("cannot encode the message");
    }
    vdsso_wipe_free(cc, len);
}

/* --------------------------------------------------------------- the bus */

static gboolean emit(gpointer data)
{
    (void)data;
    emit_source = 0;
    if (!owned || g_get_monotonic_time() >= expires_at || (!fetched && payload == NULL)) {
        return G_SOURCE_REMOVE;
    }
    if (fetched && emits_after_fetch <= 0) {
        return G_SOURCE_REMOVE;
    }
    if (fetched) {
        emits_after_fetch--;
    }
    g_dbus_connection_emit_signal(bus, NULL, "/org/ovirt/vdsm/Credentials",
                                  "org.ovirt.vdsm.Credentials", "UserAuthenticated",
                                  g_variant_new("(s)", opt.bogus_token ? "not-a-token" : token_hex),
                                  NULL);
    g_dbus_connection_flush_sync(bus, NULL, NULL);
    event("emitted");
    emit_source = g_timeout_add_seconds((guint)emit_delay, emit, NULL);
    if (emit_delay < 8) {
        emit_delay *= 2;
    }
    return G_SOURCE_REMOVE;
}

static void on_acquired(GDBusConnection *c, const char *name, gpointer data)
{
    (void)c;
    (void)name;
    (void)data;
    owned = TRUE;
    event("owned");
    if (!opt.no_emit) {
        emit(NULL);
    }
}

static void on_lost(GDBusConnection *c, const char *name, gpointer data)
{
    (void)c;
    (void)name;
    (void)data;
    owned = FALSE;
    event("name-lost");
}

/* ---------------------------------------------------------- the socket */

static int read_n(int fd, uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r <= 0) {
            return -1;
        }
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

static void send_frame(int fd, const VDSsoRedeemFrame *f)
{
    uint8_t *out = g_malloc(VDSSO_REDEEM_MAX_FRAME);
    long n = vdsso_redeem_encode(f, out, VDSSO_REDEEM_MAX_FRAME);
    if (n > 0 && send(fd, out, (size_t)n, MSG_NOSIGNAL) != n) {
        event("send-failed");
    }
    vdsso_wipe_free(out, VDSSO_REDEEM_MAX_FRAME);
}

static void send_status(int fd, uint32_t status)
{
    VDSsoRedeemFrame f = { .type = VDSSO_REDEEM_STATUS, .version = VDSSO_REDEEM_VERSION,
                           .status = status };
    send_frame(fd, &f);
}

static void serve(int fd)
{
    struct ucred cred;
    socklen_t len = sizeof(cred);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 || cred.uid != 0) {
        event("peer-refused uid=%ld", (long)cred.uid);
        return;
    }
    struct timeval tv = { .tv_sec = 5 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    uint8_t req[VDSSO_REDEEM_HEADER + VDSSO_TOKEN_SIZE + 8];
    VDSsoRedeemFrame f;
    long size;
    if (read_n(fd, req, VDSSO_REDEEM_HEADER) != 0 ||
        (size = vdsso_redeem_frame_size(req, VDSSO_REDEEM_HEADER)) < 0 ||
        (size_t)size > sizeof(req) ||
        read_n(fd, req + VDSSO_REDEEM_HEADER, (size_t)size - VDSSO_REDEEM_HEADER) != 0 ||
        vdsso_redeem_decode(req, (size_t)size, &f) != VDSSO_OK ||
        (f.type != VDSSO_REDEEM_FETCH && f.type != VDSSO_REDEEM_REPORT)) {
        event("bad-request");
        send_status(fd, VDSSO_STATUS_BAD_REQUEST);
        return;
    }
    gboolean match = payload != NULL && vdsso_ct_equal(f.token, token, sizeof(token));
    if (f.type == VDSSO_REDEEM_FETCH) {
        /* what the module says of its conversation (the daemon checks it) */
        if (f.uid == VDSSO_REDEEM_NO_USER) {
            event("fetch-user none");
        } else {
            event("fetch-user %lu", (unsigned long)f.uid);
        }
        if (!match || fetched || g_get_monotonic_time() >= expires_at) {
            event("fetch unknown");
            send_status(fd, VDSSO_STATUS_UNKNOWN_TOKEN);
        } else {
            fetched = TRUE;
            VDSsoRedeemFrame c = { .type = VDSSO_REDEEM_CRED, .version = VDSSO_REDEEM_VERSION,
                                   .body = payload, .body_len = (uint32_t)payload_len };
            send_frame(fd, &c);
            event("fetch ok");
            if (emits_after_fetch > 0 && emit_source == 0) {
                emit_source = g_timeout_add_seconds(1, emit, NULL);
            }
        }
    } else {
        uint32_t status = match && fetched ? VDSSO_STATUS_OK : VDSSO_STATUS_NOT_FETCHED;
        send_status(fd, status);
        event("report outcome=%u uid=%ld status=%u", f.outcome,
              f.uid == 0xffffffffu ? -1L : (long)f.uid, status);
        if (status == VDSSO_STATUS_OK) {
            /* the credential is done with; a replayed token must stay unknown */
            vdsso_wipe(payload, payload_len);
            g_free(payload);
            payload = NULL;
            payload_len = 0;
            event("wiped");
        }
    }
    vdsso_wipe(&f, sizeof(f));
    vdsso_wipe(req, sizeof(req));
}

static gboolean on_accept(int lfd, GIOCondition cond, gpointer data)
{
    (void)cond;
    (void)data;
    int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    if (fd >= 0) {
        serve(fd);
        close(fd);
    }
    return G_SOURCE_CONTINUE;
}

static gboolean on_expire(gpointer data)
{
    (void)data;
    if (payload != NULL) {
        event("expired");
        vdsso_wipe_free(payload, payload_len);
        payload = NULL;
        payload_len = 0;
    }
    return G_SOURCE_REMOVE;
}

static gboolean on_term(gpointer data)
{
    (void)data;
    g_main_loop_quit(loop);
    return G_SOURCE_REMOVE;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    GOptionEntry entries[] = {
        { "socket", 0, 0, G_OPTION_ARG_FILENAME, &opt.socket_path, "redemption socket", "PATH" },
        { "ccache", 0, 0, G_OPTION_ARG_FILENAME, &opt.ccache, "FILE credential cache", "FILE" },
        { "principal", 0, 0, G_OPTION_ARG_STRING, &opt.principal, "principal field", "P" },
        { "tamper", 0, 0, G_OPTION_ARG_STRING, &opt.tamper, "spoil the credential", "KIND" },
        { "forge-as", 0, 0, G_OPTION_ARG_STRING, &opt.forge_as, "--tamper client's name", "NAME" },
        { "extra-ccache", 0, 0, G_OPTION_ARG_FILENAME, &opt.extra_ccache, "add its records", "FILE" },
        { "ttl", 0, 0, G_OPTION_ARG_INT, &opt.ttl, "token lifetime", "S" },
        { "no-emit", 0, 0, G_OPTION_ARG_NONE, &opt.no_emit, "own the name, emit nothing", NULL },
        { "bogus-token", 0, 0, G_OPTION_ARG_NONE, &opt.bogus_token,
          "emit something that is no token", NULL },
        { "emit-after-fetch", 0, 0, G_OPTION_ARG_INT, &opt.emit_after_fetch,
          "emit the used token N more times", "N" },
        { NULL, 0, 0, 0, NULL, NULL, NULL }
    };
    GError *err = NULL;
    GOptionContext *oc = g_option_context_new("- stand-in for spice-vdagentd's redemption side");
    g_option_context_add_main_entries(oc, entries, NULL);
    if (!g_option_context_parse(oc, &argc, &argv, &err) || opt.socket_path == NULL ||
        opt.ccache == NULL) {
        fprintf(stderr, "sso-standin: %s\n", err ? err->message : "--socket and --ccache needed");
        return 1;
    }
    g_option_context_free(oc);
    emits_after_fetch = opt.emit_after_fetch;

    make_payload();
    if (getrandom(token, sizeof(token), 0) != (ssize_t)sizeof(token)) {
        die("getrandom");
    }
    vdsso_token_to_hex(token, token_hex);
    expires_at = g_get_monotonic_time() + (gint64)opt.ttl * G_USEC_PER_SEC;

    int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    if (lfd < 0 || strlen(opt.socket_path) >= sizeof(sa.sun_path)) {
        die("socket");
    }
    strcpy(sa.sun_path, opt.socket_path);
    unlink(opt.socket_path);
    mode_t old = umask(0177);
    if (bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(lfd, 8) != 0) {
        die("cannot listen on the socket");
    }
    umask(old);

    loop = g_main_loop_new(NULL, FALSE);
    g_unix_fd_add(lfd, G_IO_IN, on_accept, NULL);
    g_timeout_add_seconds((guint)opt.ttl, on_expire, NULL);
    g_unix_signal_add(SIGTERM, on_term, NULL);
    g_unix_signal_add(SIGINT, on_term, NULL);
    event("ready");

    bus = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, &err);
    if (bus == NULL) {
        die(err->message);
    }
    guint own = g_bus_own_name_on_connection(bus, "org.ovirt.vdsm.Credentials",
                                             G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE, on_acquired,
                                             on_lost, NULL, NULL);
    g_main_loop_run(loop);

    g_bus_unown_name(own);
    if (emit_source != 0) {
        g_source_remove(emit_source);
    }
    wipe_payload();
    close(lfd);
    unlink(opt.socket_path);
    g_object_unref(bus);
    g_main_loop_unref(loop);
    return 0;
}
