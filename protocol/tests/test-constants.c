/* The protocol library's numbers and layouts are the ones our patch adds to
 * spice-protocol's vd_agent.h (compile-time checks; the program only runs).
 * The message and capability numbers are checked by vdsso-agent-numbers.h,
 * which the server and the agent include too. */
#include "vdagent-sso.h"
#include "vdsso-agent-numbers.h"

#include <assert.h>
#include <spice/vd_agent.h>
#include <stdio.h>

static_assert(VD_AGENT_END_MESSAGE == 17 && VD_AGENT_END_CAP == 18, "0.14.3's enums unchanged");
static_assert(VD_AGENT_SSO_VERSION == VDSSO_VERSION, "version");
static_assert(VD_AGENT_SSO_MAX_SIZE == VDSSO_MAX_PAYLOAD, "size limit");
static_assert(VD_AGENT_SSO_MAX_PRINCIPAL == VDSSO_MAX_PRINCIPAL, "principal limit");
static_assert(sizeof(VDAgentSSO) == VDSSO_HEADER_SIZE, "payload header");
static_assert(sizeof(VDAgentSSOReply) == VDSSO_REPLY_SIZE, "reply");
static_assert(sizeof(VDAgentMessage) == VDSSO_MSG_HEADER, "message header");
static_assert(sizeof(VDIChunkHeader) == VDSSO_CHUNK_HEADER, "chunk header");
static_assert(VD_AGENT_MAX_DATA_SIZE == VDSSO_CHUNK_MAX, "chunk size");
static_assert(VDP_SERVER_PORT == VDSSO_PORT_SERVER && VDP_CLIENT_PORT == VDSSO_PORT_CLIENT, "ports");
static_assert(VD_AGENT_SSO_FLAG_LOGIN == VDSSO_FLAG_LOGIN, "flag");
static_assert(VD_AGENT_SSO_FLAG_REFRESH == VDSSO_FLAG_REFRESH, "flag");
static_assert(VD_AGENT_SSO_CRED_KRB5_CREDS == VDSSO_CRED_KRB5_CREDS, "cred type");
static_assert((int)VD_AGENT_SSO_RESULT_INTERNAL == (int)VDSSO_RESULT_INTERNAL, "results");
static_assert((int)VD_AGENT_SSO_RESULT_NO_LOGIN_SERVICE == (int)VDSSO_RESULT_NO_LOGIN_SERVICE, "results");
static_assert((int)VD_AGENT_SSO_RESULT_USER_REFUSED == (int)VDSSO_RESULT_USER_REFUSED, "results");
static_assert((int)VD_AGENT_SSO_RESULT_USER_REFUSED == (int)VDSSO_RESULT_LAST, "results");

int main(void)
{
    puts("test-constants: the library matches the patched spice/vd_agent.h");
    return 0;
}
