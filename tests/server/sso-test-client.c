/* sso-test-client - a SPICE client for tests: one channel, the SPICE link and
 * a real Cyrus SASL exchange (GSSAPI or GSS-SPNEGO), optionally over TLS,
 * with or without delegating the Kerberos TGT, with or without binding the
 * exchange to the TLS channel.
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Link and SASL byte layouts: ../shared/notes/spice-server.md ("Wire
 * formats"). It authenticates with the TGT in $KRB5CCNAME for
 * spice/<--sasl-host>, like spice-gtk (service "spice", the session host as
 * server name, no user name). After the link it keeps the channel alive
 * (acks, pongs) and, on the main channel, can talk to the agent as spice-gtk
 * does: AGENT_START, then VD_AGENT_ANNOUNCE_CAPABILITIES with request=1
 * whenever the agent is (re)connected.
 *
 * Options:
 *   --addr ADDR          server address (default 127.0.0.1)
 *   --port N             port (the TLS port with --tls)
 *   --sasl-host NAME     server name for SASL/Kerberos: the service principal
 *                        is spice/NAME (default spice-host.spice.test)
 *   --mech LIST          mechanisms offered to Cyrus, comma-separated
 *                        (default "GSS-SPNEGO,GSSAPI"; Cyrus picks one the
 *                        server also lists)
 *   --delegate           request credential delegation (SASL_SEC_PASS_CREDENTIALS)
 *   --channel TYPE       main (default), display, inputs, cursor, playback, record
 *   --channel-id N       (default 0)
 *   --connection-id N    (default 0; other channels use the main channel's)
 *   --tls                connect with TLS
 *   --ca FILE            verify the server certificate against FILE
 *   --cb                 bind the SASL exchange to TLS (tls-server-end-point,
 *                        RFC 5929, computed from the server's certificate)
 *   --cb-wrong           bind it to wrong data (a relay's view)
 *   --agent              main channel: AGENT_START and capability requests
 *   --inject-sso BYTES   main channel, with --agent: once the agent is
 *                        connected, send a forged VD_AGENT_SSO whose payload
 *                        is BYTES long through MAIN_AGENT_DATA (more than
 *                        2028 makes it multi-chunk), then a capability
 *                        request as a sentinel
 *   --hold SECONDS       keep the channel open this long (default: until
 *                        stdin reaches end of file or SIGTERM)
 *   --dump-token FILE    write the first SASL token sent (the AP-REQ, with
 *                        the forwarded TGT when delegating) to FILE, 0600,
 *                        for tests/server/sso-token-key
 *
 * Event lines on stdout (line-buffered):
 *   connected tls=yes|no
 *   mechlist LIST
 *   auth-ok mech=M ssf=N
 *   auth-refused                  (the server rejected after SASL)
 *   auth-failed reason=...        (SASL error or connection closed)
 *   link-error code=N             (SpiceLinkReply or link result)
 *   linked channel=T connection=C (after a successful link result)
 *   main-init connection=C agent=0|1
 *   agent-connected / agent-disconnected
 *   agent-message type=T size=S   (agent data forwarded to this client)
 *   injected-sso bytes=B chunks=N
 *   closed
 * Exit status: 0 linked (and held), 1 authentication or link refused,
 * 2 usage, 3 protocol or I/O error.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sasl/sasl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <spice/enums.h>
#include <spice/protocol.h>
#include <spice/vd_agent.h>

#include "fd-io.h"
#include "vdsso-tls.h"
#include "vdagent-sso.h"

static const char *opt_addr = "127.0.0.1";
static int opt_port;
static const char *opt_sasl_host = "spice-host.spice.test";
static const char *opt_mech = "GSS-SPNEGO,GSSAPI";
static bool opt_delegate, opt_tls, opt_cb, opt_cb_wrong, opt_agent;
static const char *opt_ca;
static int opt_channel = SPICE_CHANNEL_MAIN, opt_channel_id;
static uint32_t opt_connection_id;
static long opt_inject = -1;
static int opt_hold = -1;
static const char *opt_dump_token;

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static void die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));

static void die(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "sso-test-client: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    exit(code);
}

/* ------------------------------------------------------------------ I/O */

typedef struct Conn {
    int fd;
    SSL *ssl;
    sasl_conn_t *sasl;
    bool layer;             /* SASL security layer running */
    unsigned maxout;
    uint8_t *in;            /* decoded input not consumed yet */
    size_t in_len, in_off;
} Conn;

static ssize_t raw_read(Conn *c, void *buf, size_t len)
{
    if (c->ssl) {
        int n = SSL_read(c->ssl, buf, (int)len);
        return n > 0 ? n : (SSL_get_error(c->ssl, n) == SSL_ERROR_ZERO_RETURN ? 0 : -1);
    }
    ssize_t n;
    do {
        n = read(c->fd, buf, len);
    } while (n < 0 && errno == EINTR && !stop);
    return n;
}

static bool raw_write(Conn *c, const void *buf, size_t len)
{
    if (!c->ssl) {
        return fdio_write_all(c->fd, buf, len);
    }
    const uint8_t *p = buf;
    while (len > 0) {
        int n = SSL_write(c->ssl, p, (int)len);
        if (n <= 0) {
            return false;
        }
        p += n;
        len -= (size_t)n;
    }
    return true;
}

/* Make at least one more byte of (decoded) input available. */
static bool fill(Conn *c)
{
    uint8_t buf[16384];
    ssize_t n = raw_read(c, buf, sizeof(buf));
    if (n <= 0) {
        return false;
    }
    const uint8_t *data = buf;
    unsigned dlen = (unsigned)n;
    if (c->layer) {
        const char *out;
        if (sasl_decode(c->sasl, (const char *)buf, (unsigned)n, &out, &dlen) != SASL_OK) {
            die(3, "sasl_decode: %s", sasl_errdetail(c->sasl));
        }
        data = (const uint8_t *)out;
    }
    if (c->in_off == c->in_len) {
        c->in_off = c->in_len = 0;
    }
    c->in = realloc(c->in, c->in_len + dlen + 1);
    memcpy(c->in + c->in_len, data, dlen);
    c->in_len += dlen;
    return true;
}

static bool read_exact(Conn *c, void *buf, size_t len)
{
    uint8_t *p = buf;
    while (len > 0) {
        if (c->in_off == c->in_len && !fill(c)) {
            return false;
        }
        size_t take = c->in_len - c->in_off < len ? c->in_len - c->in_off : len;
        memcpy(p, c->in + c->in_off, take);
        c->in_off += take;
        p += take;
        len -= take;
    }
    return true;
}

static bool write_all(Conn *c, const void *buf, size_t len)
{
    if (!c->layer) {
        return raw_write(c, buf, len);
    }
    const uint8_t *p = buf;
    while (len > 0) {
        unsigned n = len > c->maxout ? c->maxout : (unsigned)len;
        const char *out;
        unsigned outlen;
        if (sasl_encode(c->sasl, (const char *)p, n, &out, &outlen) != SASL_OK) {
            die(3, "sasl_encode: %s", sasl_errdetail(c->sasl));
        }
        if (!raw_write(c, out, outlen)) {
            return false;
        }
        p += n;
        len -= n;
    }
    return true;
}

static bool read_u32(Conn *c, uint32_t *v)
{
    uint8_t b[4];
    if (!read_exact(c, b, 4)) {
        return false;
    }
    *v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return true;
}

static void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static bool write_u32(Conn *c, uint32_t v)
{
    uint8_t b[4];
    put_u32(b, v);
    return write_all(c, b, 4);
}

/* SASL data as the link carries it: u32 length counting a terminating
 * NUL, the data, the NUL. A failed write shows as the server's silence. */
static void send_sasl_data(Conn *c, const char *out, unsigned outlen)
{
    (void)(write_u32(c, outlen + 1) && write_all(c, out, outlen) && write_all(c, "", 1));
}

/* ----------------------------------------------------------------- link */

static int connect_tcp(void)
{
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM }, *res, *ai;
    char port[16];
    int fd = -1, one = 1;
    snprintf(port, sizeof(port), "%d", opt_port);
    if (getaddrinfo(opt_addr, port, &hints, &res) != 0) {
        die(3, "cannot resolve %s", opt_addr);
    }
    for (ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            break;
        }
        if (fd >= 0) {
            close(fd);
        }
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        die(3, "cannot connect to %s:%d: %s", opt_addr, opt_port, strerror(errno));
    }
    /* separate writes of length and data would stall on Nagle + delayed ACK */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return fd;
}

static void start_tls(Conn *c)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (opt_ca) {
        if (SSL_CTX_load_verify_locations(ctx, opt_ca, NULL) != 1) {
            die(3, "cannot load %s", opt_ca);
        }
        SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    }
    c->ssl = SSL_new(ctx);
    SSL_CTX_free(ctx);
    SSL_set_fd(c->ssl, c->fd);
    SSL_set_tlsext_host_name(c->ssl, opt_sasl_host);
    if (SSL_connect(c->ssl) != 1) {
        ERR_print_errors_fp(stderr);
        die(3, "TLS handshake failed");
    }
}

static int sasl_cb_empty(void *ctx, int id, const char **result, unsigned *len)
{
    (void)ctx;
    (void)id;
    *result = "";
    if (len) {
        *len = 0;
    }
    return SASL_OK;
}

/* Returns 0 on success, 1 refused/failed. */
static int authenticate(Conn *c)
{
    static sasl_callback_t callbacks[] = {
        { SASL_CB_USER, (int (*)(void))(void (*)(void))sasl_cb_empty, NULL },
        { SASL_CB_AUTHNAME, (int (*)(void))(void (*)(void))sasl_cb_empty, NULL },
        { SASL_CB_LIST_END, NULL, NULL },
    };
    static uint8_t cb_data[VDSSO_TLS_CB_MAX];
    static sasl_channel_binding_t cb;
    sasl_security_properties_t props = { 0 };
    uint32_t len;
    char *mechlist;
    const char *out, *mech;
    unsigned outlen;
    int err;

    if (sasl_client_init(NULL) != SASL_OK) {
        die(3, "sasl_client_init failed");
    }
    err = sasl_client_new("spice", opt_sasl_host, NULL, NULL, callbacks, 0, &c->sasl);
    if (err != SASL_OK) {
        die(3, "sasl_client_new: %s", sasl_errstring(err, NULL, NULL));
    }
    if (c->ssl) {
        sasl_ssf_t ssf = (sasl_ssf_t)SSL_get_cipher_bits(c->ssl, NULL);
        sasl_setprop(c->sasl, SASL_SSF_EXTERNAL, &ssf);
        props.min_ssf = 0;
        props.max_ssf = 0;
        props.security_flags = 0;
    } else {
        props.min_ssf = 56;
        props.max_ssf = 100000;
        props.security_flags = SASL_SEC_NOANONYMOUS | SASL_SEC_NOPLAINTEXT;
    }
    props.maxbufsize = 100000;
    if (opt_delegate) {
        props.security_flags |= SASL_SEC_PASS_CREDENTIALS;
    }
    sasl_setprop(c->sasl, SASL_SEC_PROPS, &props);
    if (c->ssl && (opt_cb || opt_cb_wrong)) {
        X509 *cert = SSL_get1_peer_certificate(c->ssl);
        int n = vdsso_tls_server_end_point(cert, cb_data, sizeof(cb_data), NULL);
        X509_free(cert);
        if (n <= 0) {
            die(3, "tls-server-end-point is undefined for the server certificate");
        }
        if (opt_cb_wrong) {
            cb_data[0] ^= 0xff;
        }
        cb.name = VDSSO_TLS_CB_NAME;
        cb.critical = 0;
        cb.len = (unsigned long)n;
        cb.data = cb_data;
        sasl_setprop(c->sasl, SASL_CHANNEL_BINDING, &cb);
    }

    if (!read_u32(c, &len) || len > 4096) {
        printf("auth-failed reason=no-mechlist\n");
        return 1;
    }
    mechlist = calloc(1, len + 1);
    if (!read_exact(c, mechlist, len)) {
        printf("auth-failed reason=no-mechlist\n");
        return 1;
    }
    printf("mechlist %s\n", mechlist);
    free(mechlist);

    err = sasl_client_start(c->sasl, opt_mech, NULL, &out, &outlen, &mech);
    if (err != SASL_OK && err != SASL_CONTINUE) {
        printf("auth-failed reason=\"sasl_client_start: %s\"\n", sasl_errdetail(c->sasl));
        return 1;
    }
    if (!write_u32(c, (uint32_t)strlen(mech)) || !write_all(c, mech, strlen(mech))) {
        die(3, "write failed");
    }
    if (opt_dump_token && out) {
        int tfd = open(opt_dump_token, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (tfd < 0 || write(tfd, out, outlen) != (ssize_t)outlen) {
            die(3, "cannot write %s", opt_dump_token);
        }
        close(tfd);
    }
    /* u32 (0 or len+1), data, NUL */
    if (out) {
        send_sasl_data(c, out, outlen);
    } else {
        write_u32(c, 0);
    }
    for (;;) {
        uint32_t slen;
        uint8_t complete;
        char *sdata = NULL;
        if (!read_u32(c, &slen)) {
            printf("auth-failed reason=closed\n");
            return 1;
        }
        if (slen > 1024 * 1024 + 1) {
            die(3, "server step too long (%u)", slen);
        }
        if (slen) {
            sdata = malloc(slen);
            if (!read_exact(c, sdata, slen)) {
                printf("auth-failed reason=closed\n");
                return 1;
            }
        }
        if (!read_exact(c, &complete, 1)) {
            printf("auth-failed reason=closed\n");
            return 1;
        }
        if (complete && slen == 0) {
            free(sdata);
            break;
        }
        err = sasl_client_step(c->sasl, sdata, slen ? slen - 1 : 0, NULL, &out, &outlen);
        free(sdata);
        if (err != SASL_OK && err != SASL_CONTINUE) {
            printf("auth-failed reason=\"sasl_client_step: %s\"\n", sasl_errdetail(c->sasl));
            return 1;
        }
        if (complete) {
            break;
        }
        if (out) {
            send_sasl_data(c, out, outlen);
        } else {
            write_u32(c, 0);
        }
    }
    uint32_t result;
    if (!read_u32(c, &result)) {
        printf("auth-failed reason=closed\n");
        return 1;
    }
    if (result != 0) {
        printf("auth-refused\n");
        return 1;
    }
    const void *v;
    unsigned ssf = 0;
    if (sasl_getprop(c->sasl, SASL_SSF, &v) == SASL_OK) {
        ssf = (unsigned)*(const int *)v;
    }
    if (ssf > 0 && !c->ssl) {
        c->layer = true;
        if (sasl_getprop(c->sasl, SASL_MAXOUTBUF, &v) == SASL_OK) {
            c->maxout = *(const unsigned *)v;
        }
        if (c->maxout == 0 || c->maxout > 65536) {
            c->maxout = 4096;
        }
        /* bytes already read past the SASL result belong to the layer */
        if (c->in_off < c->in_len) {
            size_t n = c->in_len - c->in_off;
            uint8_t *raw = malloc(n);
            memcpy(raw, c->in + c->in_off, n);
            c->in_off = c->in_len = 0;
            const char *dec;
            unsigned declen;
            if (sasl_decode(c->sasl, (const char *)raw, (unsigned)n, &dec, &declen) != SASL_OK) {
                die(3, "sasl_decode: %s", sasl_errdetail(c->sasl));
            }
            c->in = realloc(c->in, declen + 1);
            memcpy(c->in, dec, declen);
            c->in_len = declen;
            free(raw);
        }
    }
    printf("auth-ok mech=%s ssf=%u\n", mech, ssf);
    return 0;
}

static int link_channel(Conn *c)
{
    struct __attribute__((packed)) {
        SpiceLinkHeader hdr;
        SpiceLinkMess mess;
        uint32_t caps;
    } link = {
        .hdr = {
            .magic = SPICE_MAGIC,
            .major_version = SPICE_VERSION_MAJOR,
            .minor_version = SPICE_VERSION_MINOR,
            .size = sizeof(SpiceLinkMess) + 4,
        },
        .mess = {
            .connection_id = opt_connection_id,
            .channel_type = (uint8_t)opt_channel,
            .channel_id = (uint8_t)opt_channel_id,
            .num_common_caps = 1,
            .num_channel_caps = 0,
            .caps_offset = sizeof(SpiceLinkMess),
        },
        .caps = (1 << SPICE_COMMON_CAP_PROTOCOL_AUTH_SELECTION) | (1 << SPICE_COMMON_CAP_AUTH_SASL) |
                (1 << SPICE_COMMON_CAP_MINI_HEADER),
    };
    SpiceLinkHeader hdr;
    SpiceLinkReply reply;

    if (!raw_write(c, &link, sizeof(link))) {
        die(3, "write failed");
    }
    if (!read_exact(c, &hdr, sizeof(hdr)) || hdr.magic != SPICE_MAGIC ||
        hdr.size < sizeof(reply) || hdr.size > 4096) {
        die(3, "bad link reply header");
    }
    if (!read_exact(c, &reply, sizeof(reply))) {
        die(3, "short link reply");
    }
    for (uint32_t skip = hdr.size - sizeof(reply); skip > 0; skip--) {
        uint8_t b;
        if (!read_exact(c, &b, 1)) {
            die(3, "short link reply");
        }
    }
    if (reply.error != SPICE_LINK_ERR_OK) {
        printf("link-error code=%u\n", reply.error);
        return 1;
    }
    if (!write_u32(c, SPICE_COMMON_CAP_AUTH_SASL)) {
        die(3, "write failed");
    }
    if (authenticate(c) != 0) {
        return 1;
    }
    uint32_t result;
    if (!read_u32(c, &result)) {
        printf("link-error code=closed\n");
        return 1;
    }
    if (result != SPICE_LINK_ERR_OK) {
        printf("link-error code=%u\n", result);
        return 1;
    }
    printf("linked channel=%d connection=%u\n", opt_channel, opt_connection_id);
    return 0;
}

/* ------------------------------------------------------------ messages */

static bool send_msg(Conn *c, uint16_t type, const void *body, uint32_t size)
{
    uint8_t hdr[6];
    put_u16(hdr, type);
    put_u32(hdr + 2, size);
    return write_all(c, hdr, 6) && (size == 0 || write_all(c, body, size));
}

static uint32_t ack_window, ack_count;
static bool agent_started, agent_up, injected;

static void send_agent_data(Conn *c, const uint8_t *data, uint32_t len)
{
    send_msg(c, SPICE_MSGC_MAIN_AGENT_DATA, data, len);
}

static void request_agent_caps(Conn *c)
{
    uint8_t msg[sizeof(VDAgentMessage) + 8];
    put_u32(msg, VD_AGENT_PROTOCOL);
    put_u32(msg + 4, VD_AGENT_ANNOUNCE_CAPABILITIES);
    memset(msg + 8, 0, 8);
    put_u32(msg + 16, 8);
    put_u32(msg + 20, 1); /* request */
    put_u32(msg + 24, 0); /* no capabilities */
    send_agent_data(c, msg, sizeof(msg));
}

/* A VD_AGENT_SSO as the server would make it, sent as client data. */
static void inject_sso(Conn *c, size_t payload_len)
{
    static const char principal[] = "mallory@SPICE.TEST";
    size_t cred_len = payload_len - VDSSO_HEADER_SIZE - (sizeof(principal) - 1);
    uint8_t *cred = malloc(cred_len);
    memset(cred, 0x42, cred_len);
    /* records (their bytes are no Kerberos credential: nobody should read them) */
    for (size_t pos = 0, left = cred_len; left > 0;) {
        size_t l = left - 4 > VDSSO_CREDS_MAX_RECORD ? VDSSO_CREDS_MAX_RECORD : left - 4;
        if (left - 4 - l > 0 && left - 4 - l < 5) {
            l -= 5; /* leave room for a last record of at least one byte */
        }
        put_u32(cred + pos, (uint32_t)l);
        pos += 4 + l;
        left -= 4 + l;
    }
    VDSsoMsg m = {
        .version = VDSSO_VERSION, .serial = 4242, .flags = VDSSO_FLAG_LOGIN,
        .cred_type = VDSSO_CRED_KRB5_CREDS, .principal = (char *)principal,
        .principal_len = sizeof(principal) - 1, .cred = cred, .cred_len = (uint32_t)cred_len,
    };
    uint8_t *payload = malloc(payload_len);
    long n = vdsso_msg_encode(&m, payload, payload_len);
    if (n != (long)payload_len) {
        die(2, "--inject-sso: cannot encode a %zu-byte payload", payload_len);
    }
    size_t framed = vdsso_framed_size(payload_len);
    uint8_t *buf = malloc(framed);
    vdsso_frame(VDSSO_PORT_CLIENT, VDSSO_AGENT_MSG_SSO, payload, payload_len, buf, framed);
    /* the server adds the chunk headers: send each chunk's data */
    size_t off = 0;
    unsigned chunks = 0;
    while (off < framed) {
        uint32_t size = (uint32_t)buf[off + 4] | (uint32_t)buf[off + 5] << 8 |
                        (uint32_t)buf[off + 6] << 16 | (uint32_t)buf[off + 7] << 24;
        send_agent_data(c, buf + off + VDSSO_CHUNK_HEADER, size);
        off += VDSSO_CHUNK_HEADER + size;
        chunks++;
    }
    printf("injected-sso bytes=%zu chunks=%u\n", payload_len, chunks);
    free(buf);
    free(payload);
    free(cred);
}

static void agent_connected(Conn *c)
{
    agent_up = true;
    printf("agent-connected\n");
    if (!opt_agent) {
        return;
    }
    if (opt_inject >= 0 && !injected) {
        injected = true;
        inject_sso(c, (size_t)opt_inject);
    }
    request_agent_caps(c);
}

static bool handle_message(Conn *c)
{
    uint8_t hdr[6];
    if (!read_exact(c, hdr, 6)) {
        return false;
    }
    uint16_t type = (uint16_t)(hdr[0] | hdr[1] << 8);
    uint32_t size = (uint32_t)hdr[2] | (uint32_t)hdr[3] << 8 | (uint32_t)hdr[4] << 16 |
                    (uint32_t)hdr[5] << 24;
    if (size > 64 * 1024 * 1024) {
        die(3, "message too large");
    }
    uint8_t *body = malloc(size + 1);
    if (!read_exact(c, body, size)) {
        free(body);
        return false;
    }
    if (ack_window && ++ack_count >= ack_window) {
        ack_count = 0;
        send_msg(c, SPICE_MSGC_ACK, NULL, 0);
    }
    switch (type) {
    case SPICE_MSG_SET_ACK:
        if (size >= 8) {
            ack_window = (uint32_t)body[4] | (uint32_t)body[5] << 8 | (uint32_t)body[6] << 16 |
                         (uint32_t)body[7] << 24;
            ack_count = 0;
            send_msg(c, SPICE_MSGC_ACK_SYNC, body, 4);
        }
        break;
    case SPICE_MSG_PING:
        if (size >= 12) {
            send_msg(c, SPICE_MSGC_PONG, body, 12);
        }
        break;
    default:
        break;
    }
    if (opt_channel == SPICE_CHANNEL_MAIN) {
        switch (type) {
        case SPICE_MSG_MAIN_INIT:
            if (size >= 24) {
                uint32_t id = (uint32_t)body[0] | (uint32_t)body[1] << 8 |
                              (uint32_t)body[2] << 16 | (uint32_t)body[3] << 24;
                uint32_t agent = body[16];
                printf("main-init connection=%u agent=%u\n", id, agent);
                send_msg(c, SPICE_MSGC_MAIN_ATTACH_CHANNELS, NULL, 0);
                if (opt_agent) {
                    uint8_t tokens[4];
                    put_u32(tokens, 10);
                    send_msg(c, SPICE_MSGC_MAIN_AGENT_START, tokens, 4);
                    agent_started = true;
                }
                if (agent) {
                    agent_connected(c);
                }
            }
            break;
        case SPICE_MSG_MAIN_AGENT_CONNECTED:
        case SPICE_MSG_MAIN_AGENT_CONNECTED_TOKENS:
            agent_connected(c);
            break;
        case SPICE_MSG_MAIN_AGENT_DISCONNECTED:
            agent_up = false;
            printf("agent-disconnected\n");
            break;
        case SPICE_MSG_MAIN_AGENT_DATA:
            if (size >= sizeof(VDAgentMessage)) {
                uint32_t mtype = (uint32_t)body[4] | (uint32_t)body[5] << 8 |
                                 (uint32_t)body[6] << 16 | (uint32_t)body[7] << 24;
                uint32_t msize = (uint32_t)body[16] | (uint32_t)body[17] << 8 |
                                 (uint32_t)body[18] << 16 | (uint32_t)body[19] << 24;
                printf("agent-message type=%u size=%u\n", mtype, msize);
            }
            if (agent_started) {
                uint8_t tokens[4];
                put_u32(tokens, 1);
                send_msg(c, SPICE_MSGC_MAIN_AGENT_TOKEN, tokens, 4);
            }
            break;
        default:
            break;
        }
    }
    free(body);
    return true;
}

static int channel_type(const char *s)
{
    static const struct { const char *name; int type; } types[] = {
        { "main", SPICE_CHANNEL_MAIN }, { "display", SPICE_CHANNEL_DISPLAY },
        { "inputs", SPICE_CHANNEL_INPUTS }, { "cursor", SPICE_CHANNEL_CURSOR },
        { "playback", SPICE_CHANNEL_PLAYBACK }, { "record", SPICE_CHANNEL_RECORD },
    };
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        if (strcmp(s, types[i].name) == 0) {
            return types[i].type;
        }
    }
    return atoi(s);
}

static void usage(void)
{
    fprintf(stderr, "usage: sso-test-client --port N [--addr A] [--sasl-host H] [--mech L] "
                    "[--delegate] [--channel T] [--channel-id N] [--connection-id N] [--tls] "
                    "[--ca F] [--cb|--cb-wrong] [--agent] [--inject-sso BYTES] [--hold S]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    Conn c = { .fd = -1 };

    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
#define ARG() (i + 1 < argc ? argv[++i] : (usage(), ""))
        if (!strcmp(a, "--addr")) opt_addr = ARG();
        else if (!strcmp(a, "--port")) opt_port = atoi(ARG());
        else if (!strcmp(a, "--sasl-host")) opt_sasl_host = ARG();
        else if (!strcmp(a, "--mech")) opt_mech = ARG();
        else if (!strcmp(a, "--delegate")) opt_delegate = true;
        else if (!strcmp(a, "--channel")) opt_channel = channel_type(ARG());
        else if (!strcmp(a, "--channel-id")) opt_channel_id = atoi(ARG());
        else if (!strcmp(a, "--connection-id")) opt_connection_id = (uint32_t)strtoul(ARG(), NULL, 0);
        else if (!strcmp(a, "--tls")) opt_tls = true;
        else if (!strcmp(a, "--ca")) opt_ca = ARG();
        else if (!strcmp(a, "--cb")) opt_cb = true;
        else if (!strcmp(a, "--cb-wrong")) opt_cb_wrong = true;
        else if (!strcmp(a, "--agent")) opt_agent = true;
        else if (!strcmp(a, "--inject-sso")) opt_inject = atol(ARG());
        else if (!strcmp(a, "--hold")) opt_hold = atoi(ARG());
        else if (!strcmp(a, "--dump-token")) opt_dump_token = ARG();
        else usage();
#undef ARG
    }
    if (opt_port <= 0) {
        usage();
    }
    if (opt_inject >= 0 &&
        (opt_inject < (long)(VDSSO_HEADER_SIZE + 20) || opt_inject > (long)VDSSO_MAX_PAYLOAD)) {
        die(2, "--inject-sso: between %u and %u bytes", VDSSO_HEADER_SIZE + 20, VDSSO_MAX_PAYLOAD);
    }
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    signal(SIGPIPE, SIG_IGN);

    c.fd = connect_tcp();
    if (opt_tls) {
        start_tls(&c);
    }
    printf("connected tls=%s\n", opt_tls ? "yes" : "no");
    int rc = link_channel(&c);
    if (rc != 0) {
        printf("closed\n");
        return rc;
    }

    /* hold: serve the channel until the deadline, stdin EOF or a signal */
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    bool stdin_open = opt_hold < 0;
    while (!stop) {
        int timeout = -1;
        if (opt_hold >= 0) {
            struct timespec now;
            clock_gettime(CLOCK_MONOTONIC, &now);
            long ms = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
            if (ms >= opt_hold * 1000L) {
                break;
            }
            timeout = (int)(opt_hold * 1000L - ms);
        }
        if (c.in_off < c.in_len || (c.ssl && SSL_pending(c.ssl) > 0)) {
            if (!handle_message(&c)) {
                break;
            }
            continue;
        }
        struct pollfd pfd[2] = { { c.fd, POLLIN, 0 }, { 0, POLLIN, 0 } };
        int n = poll(pfd, stdin_open ? 2 : 1, timeout);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            break;
        }
        if (stdin_open && pfd[1].revents) {
            char b[256];
            if (read(0, b, sizeof(b)) <= 0) {
                break;
            }
        }
        if (pfd[0].revents) {
            if (!handle_message(&c)) {
                break;
            }
        }
    }
    printf("closed\n");
    if (c.ssl) {
        SSL_shutdown(c.ssl);
        SSL_free(c.ssl);
    }
    sasl_dispose(&c.sasl);
    close(c.fd);
    free(c.in);
    return 0;
}
