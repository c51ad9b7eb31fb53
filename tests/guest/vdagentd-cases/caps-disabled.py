"""Without --sso: upstream behaviour, the port opens only once a session
agent reported its resolution, and VD_AGENT_CAP_SSO is not announced; a
VD_AGENT_SSO gets DISABLED."""

from vdagentd_harness import PRINCIPAL, VD_AGENT_CAP_SSO, check, creds, fake_agent, guest


def run(guests):
    g = guest(guests, sso=False, session_info=False)
    g.start(expect_port=False)
    check(not g.host.accept(2), 'no port without a session agent when SSO is off')
    agent = fake_agent(g)
    check(g.host.accept(10), 'the port opens once a session agent reported its resolution')
    _, word = g.caps()
    check(not word & (1 << VD_AGENT_CAP_SSO), 'VD_AGENT_CAP_SSO is not announced (0x%08x)' % word)
    check('announcing VD_AGENT_CAP_SSO' not in g.read_log(), 'nor logged as announced')
    check(word & 1, 'the usual capabilities are (VD_AGENT_CAP_MOUSE_STATE)')
    cred, _ = creds(g)
    g.send_sso(PRINCIPAL('alice'), cred, serial=7)
    g.expect_reply(7, 'DISABLED')
    check(g.name_owner('org.ovirt.vdsm.Credentials') is None, 'nobody owns the bus name')
    agent.close()
