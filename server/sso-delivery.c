/* sso-delivery.c - delegated credentials waiting for the agent; replies
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "sso-delivery.h"
#include "sso-policy.h"
#include "vdsso-agent-numbers.h" /* stops the build if spice-protocol moved them */
#include "vdsso-private.h"

#include <stdlib.h>
#include <string.h>

struct SsoCredential {
    char *principal;
    char *peer;
    uint8_t *ccache;
    size_t ccache_len;
    size_t payload_len;
    bool sent;                 /* at least one delivery */
    uint64_t sent_to;          /* agent connection of the last delivery */
    uint32_t serial;           /* of the last delivery */
};

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) {
        memcpy(d, s, n);
    }
    return d;
}

SsoCredential *sso_credential_new(const char *principal, const char *peer,
                                  uint8_t *ccache, size_t ccache_len)
{
    VDSsoMsg m = {
        .version = VDSSO_VERSION,
        .flags = VDSSO_FLAG_LOGIN | VDSSO_FLAG_REFRESH,
        .cred_type = VDSSO_CRED_KRB5_CREDS,
        .principal = (char *)principal,
        .principal_len = principal ? (uint32_t)strlen(principal) : 0,
        .cred = ccache,
        .cred_len = (uint32_t)ccache_len,
    };
    SsoCredential *c;

    /* keep only what can be delivered: a principal with control characters
     * (krb5_unparse_name leaves most of them unescaped) never could be */
    if (principal == NULL || ccache == NULL || ccache_len > VDSSO_MAX_PAYLOAD ||
        vdsso_msg_check(&m) != VDSSO_OK) {
        vdsso_wipe_free(ccache, ccache_len);
        return NULL;
    }
    c = calloc(1, sizeof(*c));
    if (c == NULL) {
        vdsso_wipe_free(ccache, ccache_len);
        return NULL;
    }
    c->principal = dup_str(principal);
    c->peer = dup_str(peer ? peer : "");
    if (c->principal == NULL || c->peer == NULL) {
        free(c->principal);
        free(c->peer);
        free(c);
        vdsso_wipe_free(ccache, ccache_len);
        return NULL;
    }
    c->ccache = ccache;
    c->ccache_len = ccache_len;
    c->payload_len = vdsso_msg_size(&m);
    return c;
}

void sso_credential_free(SsoCredential *c, const char *reason)
{
    if (c == NULL) {
        return;
    }
    sso_audit_wipe(c->peer, c->principal, reason ? reason : "released", c->sent);
    vdsso_wipe_free(c->ccache, c->ccache_len);
    free(c->principal);
    free(c->peer);
    free(c);
}

const char *sso_credential_principal(const SsoCredential *c)
{
    return c->principal;
}

const char *sso_credential_peer(const SsoCredential *c)
{
    return c->peer;
}

bool sso_credential_due(const SsoCredential *c, uint64_t agent_connection)
{
    return !c->sent || c->sent_to != agent_connection;
}

size_t sso_credential_wire_size(const SsoCredential *c)
{
    return vdsso_framed_size(c->payload_len);
}

long sso_credential_write(SsoCredential *c, uint64_t agent_connection, uint32_t serial,
                          uint8_t *out, size_t out_len)
{
    VDSsoMsg m = {
        .version = VDSSO_VERSION,
        .serial = serial,
        .flags = VDSSO_FLAG_LOGIN | VDSSO_FLAG_REFRESH,
        .cred_type = VDSSO_CRED_KRB5_CREDS,
        .principal = c->principal,
        .principal_len = (uint32_t)strlen(c->principal),
        .cred = c->ccache,
        .cred_len = (uint32_t)c->ccache_len,
    };
    uint8_t *payload;
    long n, framed;

    if (out_len < sso_credential_wire_size(c)) {
        return VDSSO_ERR_INVALID;
    }
    payload = malloc(c->payload_len);
    if (payload == NULL) {
        return VDSSO_ERR_NOMEM;
    }
    n = vdsso_msg_encode(&m, payload, c->payload_len);
    if (n < 0) {
        vdsso_wipe_free(payload, c->payload_len);
        return n;
    }
    framed = vdsso_frame(VDSSO_PORT_SERVER, VDSSO_AGENT_MSG_SSO, payload, (size_t)n, out, out_len);
    vdsso_wipe_free(payload, c->payload_len);
    if (framed < 0) {
        vdsso_wipe(out, out_len);
        return framed;
    }
    c->sent = true;
    c->sent_to = agent_connection;
    c->serial = serial;
    return framed;
}

bool sso_credential_sent_serial(const SsoCredential *c, uint32_t serial)
{
    return c->sent && c->serial == serial;
}

/* ------------------------------------------------------- VDP_SERVER_PORT */

void sso_port_reader_init(SsoPortReader *r)
{
    memset(r, 0, sizeof(*r));
}

void sso_port_reader_feed(SsoPortReader *r, const uint8_t *data, size_t len,
                          SsoPortCallback cb, void *opaque)
{
    while (len > 0) {
        if (r->header_have < VDSSO_MSG_HEADER) {
            size_t take = VDSSO_MSG_HEADER - r->header_have;
            if (take > len) {
                take = len;
            }
            memcpy(r->header + r->header_have, data, take);
            r->header_have += (uint32_t)take;
            data += take;
            len -= take;
            if (r->header_have < VDSSO_MSG_HEADER) {
                return;
            }
            SsoPortEvent ev = { 0 };
            ev.type = vdsso_get_le32(r->header + 4);
            ev.size = vdsso_get_le32(r->header + 16);
            if (vdsso_get_le32(r->header) != VDSSO_AGENT_PROTOCOL) {
                ev.kind = SSO_PORT_BAD_HEADER;
                sso_port_reader_init(r);
                cb(opaque, &ev);
                return; /* lost sync: drop the rest of this chunk */
            }
            r->type = ev.type;
            r->remaining = ev.size;
            r->collecting = ev.type == VDSSO_AGENT_MSG_SSO_REPLY && ev.size == VDSSO_REPLY_SIZE;
            r->body_have = 0;
            if (ev.type == VDSSO_AGENT_MSG_SSO_REPLY && !r->collecting) {
                ev.kind = SSO_PORT_BAD_REPLY;
                ev.error = ev.size < VDSSO_REPLY_SIZE ? VDSSO_ERR_TRUNCATED : VDSSO_ERR_TRAILING;
                cb(opaque, &ev);
            } else if (ev.type != VDSSO_AGENT_MSG_SSO_REPLY) {
                ev.kind = SSO_PORT_OTHER;
                cb(opaque, &ev);
            }
        }
        /* payload */
        size_t take = r->remaining < len ? r->remaining : len;
        if (r->collecting) {
            memcpy(r->body + r->body_have, data, take);
            r->body_have += (uint32_t)take;
        }
        r->remaining -= (uint32_t)take;
        data += take;
        len -= take;
        if (r->remaining == 0) {
            if (r->collecting) {
                SsoPortEvent ev = { 0 };
                ev.type = r->type;
                ev.size = VDSSO_REPLY_SIZE;
                ev.error = vdsso_reply_decode(r->body, r->body_have, &ev.reply);
                ev.kind = ev.error == VDSSO_OK ? SSO_PORT_REPLY : SSO_PORT_BAD_REPLY;
                cb(opaque, &ev);
            }
            r->header_have = 0;
            r->collecting = false;
            r->body_have = 0;
        }
    }
}

/* ------------------------------------------------------------- migration */

/* The header of a VD_AGENT_SSO or VD_AGENT_SSO_REPLY message at @p? */
static bool sso_message_at(const uint8_t *p, size_t left)
{
    return left >= VDSSO_MSG_HEADER && vdsso_get_le32(p) == VDSSO_AGENT_PROTOCOL &&
           (vdsso_get_le32(p + 4) == VDSSO_AGENT_MSG_SSO ||
            vdsso_get_le32(p + 4) == VDSSO_AGENT_MSG_SSO_REPLY);
}

/* A VDP_SERVER_PORT chunk that starts a message at @p? (Without the message
 * header, a chunk header is 8 bytes that ordinary data matches too often:
 * the type field of a VD_AGENT_MONITORS_CONFIG header followed by a zero
 * opaque field reads as a VDP_SERVER_PORT chunk of size 0.) */
static bool server_message_at(const uint8_t *p, size_t left)
{
    return left >= VDSSO_CHUNK_HEADER + VDSSO_MSG_HEADER &&
           vdsso_get_le32(p) == VDSSO_PORT_SERVER &&
           vdsso_get_le32(p + 4) <= VDSSO_CHUNK_MAX &&
           vdsso_get_le32(p + VDSSO_CHUNK_HEADER) == VDSSO_AGENT_PROTOCOL;
}

/* Walk the chunks the agent reads if one of its chunk boundaries is at
 * @start, as spice-vdagentd's virtio port reads them: a chunk header it
 * takes (size at most VDSSO_CHUNK_MAX, port below VDP_END_PORT, else it
 * drops the connection and the walk ends) is followed by its data, then the
 * next header. true if one of them is a VDP_SERVER_PORT chunk with data:
 * the agent assembles a message's header across the chunks of a port, so a
 * server-port chunk of even 1 byte may be part of a forged message. Offsets
 * already walked from an earlier start (@seen) were clean: the walk from
 * there on is the same, so it stops. */
static bool server_chunk_from(const uint8_t *data, size_t len, size_t start, uint8_t *seen)
{
    size_t off = start;

    while (off + VDSSO_CHUNK_HEADER <= len && !seen[off]) {
        uint32_t port = vdsso_get_le32(data + off);
        uint32_t size = vdsso_get_le32(data + off + 4);

        seen[off] = 1;
        if (size > VDSSO_CHUNK_MAX || port > VDSSO_PORT_SERVER) {
            return false; /* the agent drops the connection here */
        }
        if (port == VDSSO_PORT_SERVER && size > 0) {
            return true;
        }
        off += VDSSO_CHUNK_HEADER + size;
    }
    return false;
}

bool sso_restored_agent_data_ok(const uint8_t *data, size_t len, const char **why)
{
    size_t off = 0;

    /* As the agent reads it if it starts at a chunk boundary (always, unless
     * the source server had written part of a chunk): every chunk must be
     * for VDP_CLIENT_PORT. */
    while (off + VDSSO_CHUNK_HEADER <= len) {
        uint32_t size = vdsso_get_le32(data + off + 4);

        if (size > VDSSO_CHUNK_MAX || size > len - off - VDSSO_CHUNK_HEADER) {
            break;
        }
        off += VDSSO_CHUNK_HEADER + size;
    }
    if (off == len) {
        for (off = 0; off < len; off += VDSSO_CHUNK_HEADER + vdsso_get_le32(data + off + 4)) {
            if (vdsso_get_le32(data + off) != VDSSO_PORT_CLIENT) {
                *why = "it holds a chunk for another port than VDP_CLIENT_PORT";
                return false;
            }
        }
    }
    /* Wherever the agent's first chunk boundary is: after the rest of a
     * chunk it partly received, so within a chunk header and a chunk's data
     * of the start; from there on the agent's boundaries follow. */
    uint8_t *seen = calloc(len + 1, 1);
    if (seen == NULL) {
        *why = "out of memory to check it";
        return false;
    }
    size_t starts = len < VDSSO_CHUNK_HEADER + VDSSO_CHUNK_MAX ? len
                                                              : VDSSO_CHUNK_HEADER + VDSSO_CHUNK_MAX;
    for (off = 0; off <= starts; off++) {
        if (server_chunk_from(data, len, off, seen)) {
            free(seen);
            *why = "it holds a chunk for VDP_SERVER_PORT";
            return false;
        }
    }
    free(seen);
    /* Wherever the agent's chunk boundaries are */
    for (off = 0; off < len; off++) {
        if (server_message_at(data + off, len - off)) {
            *why = "it holds a message for VDP_SERVER_PORT";
            return false;
        }
        if (sso_message_at(data + off, len - off)) {
            *why = "it holds a single sign-on message";
            return false;
        }
    }
    *why = NULL;
    return true;
}

bool sso_restored_agent_read_state_ok(const SsoRestoredReadState *st, const char **why)
{
    if (st->chunk_header_size > VDSSO_CHUNK_HEADER) {
        *why = "the agent's chunk header is said to be longer than a chunk header";
        return false;
    }
    if (st->read_filter_result > st->max_filter_result ||
        st->write_filter_result > st->max_filter_result) {
        *why = "a message filter state is not one the server has";
        return false;
    }
    if (st->msg_header_done) {
        *why = NULL;
        return true;
    }
    if (st->chunk_header_size < VDSSO_CHUNK_HEADER && st->msg_header_partial_len != 0) {
        *why = "part of a message header is said to be read before its chunk header";
        return false;
    }
    if (st->msg_header_partial_len >= VDSSO_MSG_HEADER) {
        *why = "the partial message header is said to be a whole one or longer";
        return false;
    }
    if (st->msg_header_start > st->size ||
        st->msg_header_partial_len > st->size - st->msg_header_start) {
        *why = "the partial message header lies outside the migration data";
        return false;
    }
    *why = NULL;
    return true;
}
