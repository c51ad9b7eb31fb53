/* sso-delivery.h - a delegated credential waiting for the guest agent, and
 * the agent's replies on VDP_SERVER_PORT
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * spice-server keeps one SsoCredential per client whose main channel
 * delegated a credential. It sends it (VD_AGENT_SSO) at most once per agent
 * connection that announced VD_AGENT_CAP_SSO, until a reply with the serial
 * of a delivery ends it; then, on client disconnect and at server teardown
 * the bytes are wiped. The SsoPortReader turns the bytes the agent writes on
 * VDP_SERVER_PORT into messages, whatever the chunk boundaries, without
 * allocating.
 */
#ifndef SSO_DELIVERY_H
#define SSO_DELIVERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vdagent-sso.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct SsoCredential SsoCredential;

/* Takes @ccache (malloc()ed FILE v4 cache bytes; wiped and freed by
 * sso_credential_free()). @peer is for log lines. NULL if the message would
 * not be valid (principal or size out of bounds): @ccache is then wiped. */
SsoCredential *sso_credential_new(const char *principal, const char *peer,
                                  uint8_t *ccache, size_t ccache_len);

/* Wipe and free; logs "sso: wipe" with @reason. NULL is fine. */
void sso_credential_free(SsoCredential *c, const char *reason);

const char *sso_credential_principal(const SsoCredential *c);
const char *sso_credential_peer(const SsoCredential *c);

/* Not yet sent to agent connection @agent_connection (a number that grows
 * with each agent attach), and not ended by a reply. */
bool sso_credential_due(const SsoCredential *c, uint64_t agent_connection);

/* Bytes on the agent port for the VD_AGENT_SSO message: chunk headers,
 * message header, payload. */
size_t sso_credential_wire_size(const SsoCredential *c);

/* Write the whole VD_AGENT_SSO message with @serial, chunked for
 * VDP_SERVER_PORT, into @out (sso_credential_wire_size() bytes) and record
 * the delivery to @agent_connection. Returns the number of bytes or a
 * negative VDSsoError. @out then holds the secret: wipe it after use. */
long sso_credential_write(SsoCredential *c, uint64_t agent_connection, uint32_t serial,
                          uint8_t *out, size_t out_len);

/* Did a delivery of this credential carry @serial? */
bool sso_credential_sent_serial(const SsoCredential *c, uint32_t serial);

/* ------------------------------------------------------- VDP_SERVER_PORT */

typedef enum SsoPortEventKind {
    SSO_PORT_REPLY,       /* a well-formed VD_AGENT_SSO_REPLY: reply */
    SSO_PORT_BAD_REPLY,   /* a VD_AGENT_SSO_REPLY that does not decode: error */
    SSO_PORT_OTHER,       /* another message: type, size (skipped) */
    SSO_PORT_BAD_HEADER,  /* not a VDAgentMessage (wrong protocol): rest dropped */
} SsoPortEventKind;

typedef struct SsoPortEvent {
    SsoPortEventKind kind;
    uint32_t type;
    uint32_t size;
    VDSsoReply reply;
    int error;            /* VDSsoError for SSO_PORT_BAD_REPLY */
} SsoPortEvent;

typedef void (*SsoPortCallback)(void *opaque, const SsoPortEvent *ev);

typedef struct SsoPortReader {
    uint8_t header[VDSSO_MSG_HEADER];
    uint32_t header_have;
    uint32_t type;
    uint32_t remaining;    /* payload bytes of the current message still to come */
    bool collecting;       /* current message is a reply we keep */
    uint8_t body[VDSSO_REPLY_SIZE];
    uint32_t body_have;
} SsoPortReader;

void sso_port_reader_init(SsoPortReader *r);

/* Feed the data of one chunk (or part of one) received on VDP_SERVER_PORT. */
void sso_port_reader_feed(SsoPortReader *r, const uint8_t *data, size_t len,
                          SsoPortCallback cb, void *opaque);

/* ------------------------------------------------------------- migration */

/* May a migration target write @data to the agent? It is the agent write
 * data of SpiceMigrateDataMain: what the source server still had to write
 * to the agent, relayed by the client, which may forge it. false (with
 * *@why, a static string, set) if at any offset it holds the chunk header of
 * a VDP_SERVER_PORT chunk (the agent takes what comes on that port from
 * the server), if any walk of the chunks the agent would read from a chunk
 * boundary within the first chunk's reach meets a VDP_SERVER_PORT chunk
 * with data (the agent assembles a message header across the chunks of a
 * port: {server, 1 byte} then {server, the rest} is a message too), or it
 * holds the header of a VD_AGENT_SSO or VD_AGENT_SSO_REPLY message.
 * Every offset, not only the chunk boundaries seen from the start: the data
 * may begin with the rest of a chunk the agent already partly received, so
 * where the agent sees boundaries cannot be known here. The source server
 * never migrates a credential (a secret write buffer), so honest data holds
 * none; it may hold the server's own messages (mouse state), which are lost
 * with the rest when the data is dropped. */
bool sso_restored_agent_data_ok(const uint8_t *data, size_t len, const char **why);

/* The agent state of SpiceMigrateDataMain besides the write data, relayed
 * by the client, which may forge it; upstream's reds_agent_state_restore()
 * asserts on some of it (a client could abort qemu) and copies by the rest
 * (a client could read or write past a buffer). */
typedef struct SsoRestoredReadState {
    uint32_t chunk_header_size;   /* agent2client: bytes of the chunk header read */
    bool msg_header_done;
    uint32_t msg_header_partial_len;
    uint64_t msg_header_start;    /* where upstream copies the partial header
                                   * from, as an offset in the message */
    uint32_t size;                /* of the whole message */
    uint8_t read_filter_result;   /* agent2client and client2agent */
    uint8_t write_filter_result;
    uint8_t max_filter_result;    /* the last AgentMsgFilterResult */
} SsoRestoredReadState;

/* May a migration target restore @st? false (with *@why, a static string,
 * set) unless the chunk header read is at most a chunk header, the filter
 * states are the server's, and while the message header is not done, no
 * part of it comes before the chunk header's end, the part is shorter than
 * a message header and it lies within the message. */
bool sso_restored_agent_read_state_ok(const SsoRestoredReadState *st, const char **why);

#ifdef __cplusplus
}
#endif

#endif
