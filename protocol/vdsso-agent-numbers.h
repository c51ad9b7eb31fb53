/* vdsso-agent-numbers.h - compile-time guard of the provisional agent numbers
 *
 * Copyright (C) 2026 The spice-sso authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * VD_AGENT_SSO, VD_AGENT_SSO_REPLY and VD_AGENT_CAP_SSO come from our
 * spice-protocol patch and are provisional (docs/protocol.md, "Numbers").
 * Every side that puts them on the wire includes this header, so that a
 * spice-protocol in which they are not our numbers, or in which upstream's own
 * sequence has grown into them, stops the build instead of producing a server
 * and an agent that disagree about what a message means. Include it in a C
 * file, after nothing in particular; it declares nothing.
 */
#ifndef VDSSO_AGENT_NUMBERS_H
#define VDSSO_AGENT_NUMBERS_H

#include <spice/vd_agent.h>

#include "vdagent-sso.h"

#define VDSSO_NUMBERS_SEE " (provisional numbers, see docs/protocol.md#numbers)"

/* The values of our spice-protocol patch, which vdagent-sso.h repeats. */
_Static_assert(VD_AGENT_SSO == VDSSO_AGENT_MSG_SSO,
               "VD_AGENT_SSO is not 0x8001" VDSSO_NUMBERS_SEE);
_Static_assert(VD_AGENT_SSO_REPLY == VDSSO_AGENT_MSG_SSO_REPLY,
               "VD_AGENT_SSO_REPLY is not 0x8002" VDSSO_NUMBERS_SEE);
_Static_assert(VD_AGENT_CAP_SSO == VDSSO_AGENT_CAP_SSO,
               "VD_AGENT_CAP_SSO is not 30" VDSSO_NUMBERS_SEE);

/* Upstream numbers its messages 1 .. VD_AGENT_END_MESSAGE - 1 and its
 * capabilities 0 .. VD_AGENT_END_CAP - 1: once either sequence reaches our
 * numbers, one of them means something else to a peer built without our
 * patch. */
_Static_assert((long)VD_AGENT_END_MESSAGE <= (long)VD_AGENT_SSO,
               "upstream messages reach VD_AGENT_SSO" VDSSO_NUMBERS_SEE);
_Static_assert((long)VD_AGENT_END_CAP <= (long)VD_AGENT_CAP_SSO,
               "upstream capabilities reach VD_AGENT_CAP_SSO" VDSSO_NUMBERS_SEE);

/* The capability must stay in the words an agent announces, and testable
 * without shifting into the sign bit. */
_Static_assert(VD_AGENT_CAP_SSO < VD_AGENT_CAPS_SIZE * 32 && VD_AGENT_CAP_SSO < 31,
               "VD_AGENT_CAP_SSO is outside the first capability word" VDSSO_NUMBERS_SEE);

#undef VDSSO_NUMBERS_SEE

#endif
