"""--sso with systemd session info: the port opens without any session
agent and the capabilities carry VD_AGENT_CAP_SSO (bit 30)."""

from vdagentd_harness import VD_AGENT_CAP_SSO, check, guest


def run(guests):
    g = guest(guests)
    g.start()
    request, word = g.caps()
    check(request == 1, 'capabilities announced with request=1 when the port opens')
    check(word & (1 << VD_AGENT_CAP_SSO), 'VD_AGENT_CAP_SSO is announced (word 0x%08x)' % word)
    g.wait_log(r'sso: single sign-on enabled: redemption socket')
    g.wait_log(r'sso: announcing VD_AGENT_CAP_SSO to the server')
    check(g.name_owner('org.ovirt.vdsm.Credentials') is not None,
          'vdagentd owns org.ovirt.vdsm.Credentials on the system bus')
