"""--sso with -X (no systemd-logind session info): single sign-on stays
off, with a log line saying why; no capability, DISABLED."""

import os

from vdagentd_harness import PRINCIPAL, VD_AGENT_CAP_SSO, check, creds, fake_agent, guest


def run(guests):
    g = guest(guests, sso=True, session_info=False)
    g.start(expect_port=False)
    g.wait_log(r'sso: single sign-on needs the systemd-logind session information')
    agent = fake_agent(g)
    check(g.host.accept(10), 'the port opens with a session agent')
    _, word = g.caps()
    check(not word & (1 << VD_AGENT_CAP_SSO), 'VD_AGENT_CAP_SSO is not announced')
    cred, _ = creds(g)
    g.send_sso(PRINCIPAL('alice'), cred, serial=3)
    g.expect_reply(3, 'DISABLED')
    check(not os.path.exists(g.sso_socket), 'no redemption socket')
    agent.close()
