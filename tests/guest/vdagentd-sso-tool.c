/* vdagentd-sso-tool.c - the test host's and test PAM module's side of the
 * single sign-on protocol, for the guest-integration tests of spice-vdagentd.
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 *   delegate SERVICE OUT      GSSAPI with delegation from the default ccache
 *                             (kinit -f) to SERVICE (host@guest...), accepted
 *                             with the default keytab (KRB5_KTNAME): writes the
 *                             delegated (forwarded) TGT to the FILE cache OUT,
 *                             as spice-server receives it, and to OUT.creds
 *                             the credential records spice-server sends
 *   frame-sso [opts] < CRED   a VD_AGENT_SSO made with the protocol library,
 *                             framed in agent-port chunks, on stdout; opts:
 *                             --serial N --flags N --principal P --port N
 *                             --version N --cred-type N (patched in after
 *                             encoding) --truncate N --trailing N (bytes cut
 *                             from / added to the payload)
 *   decode-reply < PAYLOAD    "serial=N result=NAME"
 *   redeem SOCKET fetch HEX [UID]  FETCH (the conversation's preset user UID,
 *                             none if absent): "CRED principal=P cred_len=N" or
 *                             "STATUS NAME"
 *   redeem SOCKET report HEX OUTCOME UID
 *   redeem SOCKET raw HEX     send these bytes, print the answer's type or "closed"
 *   session-key CCACHE        the hex session key of the TGT in the cache (a
 *                             FILE path or a cache name)
 *                             (MIT klist -K shows keytab keys only), for the test
 *                             that scans vdagentd's memory for it
 *   write-ccache OUT < CRED   the credential written by krb5 as the FILE cache OUT
 *   tamper KIND [NAME] < CRED the credential spoiled as tests/lib/ccache-tamper.h
 *                             says (ticket, session-key, client [as NAME],
 *                             expired, truncate, garbage), on stdout
 *
 * The credential never goes to stdout or a log; the fetched one is wiped.
 */
#include <errno.h>
#include <fcntl.h>
#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ccache-tamper.h"
#include "tgt-key.h"
#include "vdagent-sso.h"

__attribute__((format(printf, 1, 2), noreturn))
static void die(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "vdagentd-sso-tool: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(2);
}

static uint8_t *read_all(int fd, size_t *len)
{
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
        ssize_t r = read(fd, buf + n, cap - n);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r < 0) {
            die("read: %s", strerror(errno));
        }
        if (r == 0) {
            break;
        }
        n += (size_t)r;
    }
    *len = n;
    return buf;
}

static void write_all(int fd, const uint8_t *p, size_t len)
{
    while (len > 0) {
        ssize_t r = send(fd, p, len, MSG_NOSIGNAL);
        if (r < 0 && errno == ENOTSOCK) {
            r = write(fd, p, len);
        }
        if (r < 0 && (errno == EPIPE || errno == ECONNRESET)) {
            /* the peer hung up on us (vdagentd refusing a peer) */
            printf("closed\n");
            exit(1);
        }
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            die("write: %s", strerror(errno));
        }
        p += r;
        len -= (size_t)r;
    }
}

/* ---------------------------------------------------------------- delegate */

static void gss_die(const char *what, OM_uint32 major, OM_uint32 minor)
{
    OM_uint32 ctx = 0, min;
    gss_buffer_desc msg;
    fprintf(stderr, "vdagentd-sso-tool: %s:", what);
    do {
        gss_display_status(&min, major, GSS_C_GSS_CODE, GSS_C_NO_OID, &ctx, &msg);
        fprintf(stderr, " %.*s", (int)msg.length, (char *)msg.value);
        gss_release_buffer(&min, &msg);
    } while (ctx != 0);
    do {
        gss_display_status(&min, minor, GSS_C_MECH_CODE, GSS_C_NO_OID, &ctx, &msg);
        fprintf(stderr, " (%.*s)", (int)msg.length, (char *)msg.value);
        gss_release_buffer(&min, &msg);
    } while (ctx != 0);
    fputc('\n', stderr);
    exit(2);
}

static int cmd_delegate(const char *service, const char *out)
{
    OM_uint32 major, minor, flags = 0;
    gss_buffer_desc name_buf = { strlen(service), (void *)service };
    gss_name_t target;
    gss_ctx_id_t ictx = GSS_C_NO_CONTEXT, actx = GSS_C_NO_CONTEXT;
    gss_buffer_desc itok = GSS_C_EMPTY_BUFFER, atok = GSS_C_EMPTY_BUFFER;
    gss_cred_id_t deleg = GSS_C_NO_CREDENTIAL;
    gss_name_t client;

    major = gss_import_name(&minor, &name_buf, GSS_C_NT_HOSTBASED_SERVICE, &target);
    if (GSS_ERROR(major)) {
        gss_die("gss_import_name", major, minor);
    }
    do {
        major = gss_init_sec_context(&minor, GSS_C_NO_CREDENTIAL, &ictx, target,
                                     (gss_OID)gss_mech_krb5,
                                     GSS_C_DELEG_FLAG | GSS_C_MUTUAL_FLAG, 0,
                                     GSS_C_NO_CHANNEL_BINDINGS, &atok, NULL, &itok, NULL,
                                     NULL);
        gss_release_buffer(&minor, &atok);
        if (GSS_ERROR(major)) {
            gss_die("gss_init_sec_context", major, minor);
        }
        if (itok.length == 0) {
            break;
        }
        OM_uint32 amajor = gss_accept_sec_context(&minor, &actx, GSS_C_NO_CREDENTIAL, &itok,
                                                  GSS_C_NO_CHANNEL_BINDINGS, &client, NULL,
                                                  &atok, &flags, NULL, &deleg);
        gss_release_buffer(&minor, &itok);
        if (GSS_ERROR(amajor)) {
            gss_die("gss_accept_sec_context", amajor, minor);
        }
    } while (major & GSS_S_CONTINUE_NEEDED);
    if (!(flags & GSS_C_DELEG_FLAG) || deleg == GSS_C_NO_CREDENTIAL) {
        die("no credential was delegated (is the TGT forwardable? kinit -f) ");
    }

    krb5_context kctx;
    krb5_ccache cc;
    char name[4096];
    if (krb5_init_context(&kctx) != 0) {
        die("krb5_init_context failed");
    }
    gss_buffer_desc client_name;
    krb5_principal princ;
    major = gss_display_name(&minor, client, &client_name, NULL);
    if (GSS_ERROR(major)) {
        gss_die("gss_display_name", major, minor);
    }
    snprintf(name, sizeof(name), "%.*s", (int)client_name.length, (char *)client_name.value);
    gss_release_buffer(&minor, &client_name);
    if (krb5_parse_name(kctx, name, &princ) != 0) {
        die("cannot parse %s", name);
    }
    unlink(out);
    snprintf(name, sizeof(name), "FILE:%s", out);
    if (krb5_cc_resolve(kctx, name, &cc) != 0 || krb5_cc_initialize(kctx, cc, princ) != 0) {
        die("cannot create the cache %s", name);
    }
    krb5_free_principal(kctx, princ);
    major = gss_krb5_copy_ccache(&minor, deleg, cc);
    if (GSS_ERROR(major)) {
        gss_die("gss_krb5_copy_ccache", major, minor);
    }
    krb5_cc_close(kctx, cc);
    /* and as spice-server sends it: OUT.creds, the records */
    {
        uint8_t *creds = NULL;
        size_t creds_len = 0;
        char err[256], path[4200];
        if (creds_from_ccache(kctx, name, &creds, &creds_len, err, sizeof(err)) != 0) {
            die("%s", err);
        }
        snprintf(path, sizeof(path), "%s.creds", out);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0) {
            die("cannot create %s", path);
        }
        write_all(fd, creds, creds_len);
        close(fd);
        vdsso_wipe_free(creds, creds_len);
    }
    krb5_free_context(kctx);
    gss_release_cred(&minor, &deleg);
    gss_release_name(&minor, &client);
    gss_release_name(&minor, &target);
    gss_delete_sec_context(&minor, &ictx, GSS_C_NO_BUFFER);
    gss_delete_sec_context(&minor, &actx, GSS_C_NO_BUFFER);
    return 0;
}

/* --------------------------------------------------------------- frame-sso */

static long num(const char *s)
{
    char *end;
    long v = strtol(s, &end, 0);
    if (*s == '\0' || *end != '\0') {
        die("not a number: %s", s);
    }
    return v;
}

static int cmd_frame_sso(int argc, char **argv)
{
    VDSsoMsg m = { .version = VDSSO_VERSION, .serial = 1, .flags = VDSSO_FLAG_LOGIN,
                   .cred_type = VDSSO_CRED_KRB5_CREDS };
    long port = VDSSO_PORT_SERVER, version = -1, cred_type = -1, truncate_n = 0, trailing = 0;
    const char *principal = NULL;

    for (int i = 0; i < argc; i += 2) {
        if (i + 1 >= argc) {
            die("%s needs a value", argv[i]);
        }
        const char *o = argv[i], *v = argv[i + 1];
        if (!strcmp(o, "--serial")) m.serial = (uint32_t)num(v);
        else if (!strcmp(o, "--flags")) m.flags = (uint32_t)num(v);
        else if (!strcmp(o, "--principal")) principal = v;
        else if (!strcmp(o, "--port")) port = num(v);
        else if (!strcmp(o, "--version")) version = num(v);
        else if (!strcmp(o, "--cred-type")) cred_type = num(v);
        else if (!strcmp(o, "--truncate")) truncate_n = num(v);
        else if (!strcmp(o, "--trailing")) trailing = num(v);
        else die("unknown option %s", o);
    }
    if (principal == NULL) {
        die("--principal is required");
    }
    size_t cred_len;
    uint8_t *cred = read_all(0, &cred_len);
    if (cred_len < VDSSO_CREDS_RECORD_HEADER + 1) {
        die("a credential of %zu bytes cannot be framed", cred_len);
    }
    /* The encoder refuses malformed records, which the tests send on
     * purpose: encode around one placeholder record of the same size, then
     * put the credential as given in its place. */
    uint8_t *placeholder = calloc(1, cred_len);
    uint32_t rec_len = (uint32_t)(cred_len - VDSSO_CREDS_RECORD_HEADER);
    placeholder[0] = (uint8_t)rec_len;
    placeholder[1] = (uint8_t)(rec_len >> 8);
    placeholder[2] = (uint8_t)(rec_len >> 16);
    placeholder[3] = (uint8_t)(rec_len >> 24);
    m.cred = placeholder;
    m.cred_len = (uint32_t)cred_len;
    m.principal = (char *)principal;
    m.principal_len = (uint32_t)strlen(principal);

    size_t size = vdsso_msg_size(&m);
    if (size == 0) {
        die("the message is out of bounds");
    }
    uint8_t *payload = calloc(1, size + (size_t)trailing);
    if (vdsso_msg_encode(&m, payload, size) != (long)size) {
        die("vdsso_msg_encode failed");
    }
    memcpy(payload + VDSSO_HEADER_SIZE + m.principal_len, cred, cred_len);
    free(placeholder);
    vdsso_wipe_free(cred, cred_len);
    if (version >= 0) {
        payload[0] = (uint8_t)version;
        payload[1] = (uint8_t)(version >> 8);
        payload[2] = (uint8_t)(version >> 16);
        payload[3] = (uint8_t)(version >> 24);
    }
    if (cred_type >= 0) {
        payload[12] = (uint8_t)cred_type;
        payload[13] = (uint8_t)(cred_type >> 8);
        payload[14] = (uint8_t)(cred_type >> 16);
        payload[15] = (uint8_t)(cred_type >> 24);
    }
    size_t plen = size - (size_t)truncate_n + (size_t)trailing;
    size_t flen = vdsso_framed_size(plen);
    uint8_t *frame = malloc(flen);
    if (vdsso_frame((uint32_t)port, VDSSO_AGENT_MSG_SSO, payload, plen, frame, flen) !=
        (long)flen) {
        die("vdsso_frame failed");
    }
    write_all(1, frame, flen);
    vdsso_wipe_free(payload, size + (size_t)trailing);
    vdsso_wipe_free(frame, flen);
    return 0;
}

static int cmd_decode_reply(void)
{
    size_t len;
    uint8_t *buf = read_all(0, &len);
    VDSsoReply r;
    int err = vdsso_reply_decode(buf, len, &r);
    free(buf);
    if (err != VDSSO_OK) {
        printf("invalid %s\n", vdsso_strerror(err));
        return 1;
    }
    printf("serial=%u result=%u\n", r.serial, r.result);
    return 0;
}

/* ------------------------------------------------------------------ redeem */

static int connect_to(const char *path)
{
    struct sockaddr_un addr = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (strlen(path) >= sizeof(addr.sun_path)) {
        die("path too long: %s", path);
    }
    strcpy(addr.sun_path, path);
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
        printf("connect-error %s\n", strerror(errno));
        exit(1);
    }
    return fd;
}

/* Read one whole frame (bounded by the library before the body is read).
 * Returns its length, 0 when the peer closed first. */
static size_t read_frame(int fd, uint8_t *buf)
{
    size_t have = 0, want = VDSSO_REDEEM_HEADER;
    while (have < want) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        if (poll(&p, 1, 10000) != 1) {
            die("timed out waiting for the answer");
        }
        ssize_t r = read(fd, buf + have, want - have);
        if (r <= 0) {
            return 0;
        }
        have += (size_t)r;
        if (have == VDSSO_REDEEM_HEADER && want == VDSSO_REDEEM_HEADER) {
            long size = vdsso_redeem_frame_size(buf, have);
            if (size < 0) {
                die("bad answer header: %s", vdsso_strerror((int)size));
            }
            want = (size_t)size;
        }
    }
    return have;
}

static int print_answer(int fd)
{
    static uint8_t buf[VDSSO_REDEEM_MAX_FRAME];
    size_t len = read_frame(fd, buf);
    VDSsoRedeemFrame f;

    if (len == 0) {
        printf("closed\n");
        return 1;
    }
    if (vdsso_redeem_decode(buf, len, &f) != VDSSO_OK) {
        printf("undecodable\n");
        return 1;
    }
    if (f.type == VDSSO_REDEEM_STATUS) {
        static const char *const names[] = { "OK", "UNKNOWN_TOKEN", "BAD_REQUEST",
                                             "NOT_FETCHED", "WRONG_CONVERSATION" };
        printf("STATUS %s\n", f.status <= VDSSO_STATUS_LAST ? names[f.status] : "?");
        return f.status == VDSSO_STATUS_OK ? 0 : 1;
    }
    VDSsoMsg *m = NULL;
    int err = vdsso_msg_decode(f.body, f.body_len, &m);
    if (err != VDSSO_OK) {
        printf("CRED undecodable %s\n", vdsso_strerror(err));
        vdsso_wipe(buf, len);
        return 1;
    }
    printf("CRED principal=%s cred_len=%u serial=%u flags=%u\n", m->principal, m->cred_len,
           m->serial, m->flags);
    vdsso_msg_free(m);
    vdsso_wipe(buf, len);
    return 0;
}

static int hex_bytes(const char *hex, uint8_t *out, size_t max)
{
    size_t n = strlen(hex);
    if (n % 2 || n / 2 > max) {
        die("bad hex: %s", hex);
    }
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1) {
            die("bad hex: %s", hex);
        }
        out[i] = (uint8_t)v;
    }
    return (int)(n / 2);
}

static int cmd_redeem(int argc, char **argv)
{
    if (argc < 3) {
        die("redeem SOCKET fetch|report|raw ...");
    }
    const char *path = argv[0], *what = argv[1];
    uint8_t frame[VDSSO_REDEEM_HEADER + 64];
    long n;

    if (!strcmp(what, "raw")) {
        uint8_t raw[4096];
        int len = hex_bytes(argv[2], raw, sizeof(raw));
        int fd = connect_to(path);
        write_all(fd, raw, (size_t)len);
        return print_answer(fd);
    }
    VDSsoRedeemFrame f = { .version = VDSSO_REDEEM_VERSION };
    if (vdsso_token_from_hex(argv[2], f.token) != VDSSO_OK) {
        die("not a token: %s", argv[2]);
    }
    if (!strcmp(what, "fetch") && argc <= 4) {
        f.type = VDSSO_REDEEM_FETCH;
        f.uid = argc == 4 ? (uint32_t)num(argv[3]) : VDSSO_REDEEM_NO_USER;
    } else if (!strcmp(what, "report") && argc == 5) {
        f.type = VDSSO_REDEEM_REPORT;
        f.outcome = (uint32_t)num(argv[3]);
        f.uid = (uint32_t)num(argv[4]);
    } else {
        die("unknown request %s", what);
    }
    n = vdsso_redeem_encode(&f, frame, sizeof(frame));
    if (n < 0) {
        die("vdsso_redeem_encode: %s", vdsso_strerror((int)n));
    }
    int fd = connect_to(path);
    write_all(fd, frame, (size_t)n);
    return print_answer(fd);
}

static int cmd_session_key(const char *path)
{
    krb5_context kctx;
    krb5_ccache cc;
    char name[4096];
    int found = 0;

    if (krb5_init_context(&kctx) != 0) {
        die("krb5_init_context failed");
    }
    /* a path, or a full cache name (KEYRING:persistent:5001, as root) */
    snprintf(name, sizeof(name), "%s%s", path[0] == '/' ? "FILE:" : "", path);
    if (krb5_cc_resolve(kctx, name, &cc) != 0 || (found = tgt_key_print(kctx, cc)) < 0) {
        die("cannot read %s", path);
    }
    krb5_cc_close(kctx, cc);
    krb5_free_context(kctx);
    return found ? 0 : 1;
}

/* The credential records on stdin, read by krb5_unmarshal_credentials and
 * written by krb5 into the FILE cache OUT (a test plants it as a user's). */
static int cmd_write_ccache(const char *out)
{
    krb5_context kctx;
    krb5_ccache cc = NULL;
    size_t len;
    uint8_t *cred = read_all(0, &len);
    VDSsoCredsIter it;
    VDSsoSlice r;
    char name[4200];

    if (krb5_init_context(&kctx) != 0) {
        die("krb5_init_context failed");
    }
    snprintf(name, sizeof(name), "FILE:%s", out);
    vdsso_creds_iter_init(&it, cred, len);
    while (vdsso_creds_next(&it, &r) > 0) {
        krb5_data d = { .length = (unsigned)r.len, .data = (char *)r.p };
        krb5_creds *c = NULL;
        if (krb5_unmarshal_credentials(kctx, &d, &c) != 0) {
            die("a record does not unmarshal");
        }
        if ((cc == NULL && (krb5_cc_resolve(kctx, name, &cc) != 0 ||
                            krb5_cc_initialize(kctx, cc, c->client) != 0)) ||
            krb5_cc_store_cred(kctx, cc, c) != 0) {
            die("cannot write %s", out);
        }
        krb5_free_creds(kctx, c);
    }
    if (cc == NULL) {
        die("no credential records");
    }
    krb5_cc_close(kctx, cc);
    vdsso_wipe_free(cred, len);
    krb5_free_context(kctx);
    return 0;
}

static int cmd_tamper(const char *kind, const char *forge_as)
{
    krb5_context kctx;
    size_t len, out_len;
    uint8_t *cc = read_all(0, &len), *out;
    char err[256];

    if (krb5_init_context(&kctx) != 0) {
        die("krb5_init_context failed");
    }
    if (ccache_tamper(kctx, kind, forge_as, cc, len, NULL, 0, &out, &out_len, err,
                      sizeof(err)) != 0) {
        die("tamper: %s", err);
    }
    write_all(1, out, out_len);
    vdsso_wipe_free(cc, len);
    vdsso_wipe_free(out, out_len);
    krb5_free_context(kctx);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        die("usage: delegate|frame-sso|decode-reply|redeem ...");
    }
    if (!strcmp(argv[1], "delegate") && argc == 4) {
        return cmd_delegate(argv[2], argv[3]);
    }
    if (!strcmp(argv[1], "frame-sso")) {
        return cmd_frame_sso(argc - 2, argv + 2);
    }
    if (!strcmp(argv[1], "decode-reply")) {
        return cmd_decode_reply();
    }
    if (!strcmp(argv[1], "write-ccache") && argc == 3) {
        return cmd_write_ccache(argv[2]);
    }
    if (!strcmp(argv[1], "session-key") && argc == 3) {
        return cmd_session_key(argv[2]);
    }
    if (!strcmp(argv[1], "tamper") && (argc == 3 || argc == 4)) {
        return cmd_tamper(argv[2], argc == 4 ? argv[3] : NULL);
    }
    if (!strcmp(argv[1], "redeem")) {
        return cmd_redeem(argc - 2, argv + 2);
    }
    die("unknown command %s", argv[1]);
    return 2;
}
