"""A VD_AGENT_SSO on VDP_CLIENT_PORT is dropped before reassembly, with a
log line and no reply; the daemon keeps serving the server port."""

from vdagentd_harness import PRINCIPAL, VDP_CLIENT_PORT, check, creds, guest


def run(guests):
    g = guest(guests)
    g.start()
    cred, _ = creds(g)
    g.send_sso(PRINCIPAL('alice'), cred, serial=5, port=VDP_CLIENT_PORT)
    g.wait_log(r'VD_AGENT_SSO on port 1, not from the server, ignoring')
    g.no_reply()
    check(g.listener.count() == 0, 'no UserAuthenticated signal')
    g.send_sso(PRINCIPAL('alice'), cred, serial=6)
    g.expect_reply(6, 'ACCEPTED')
