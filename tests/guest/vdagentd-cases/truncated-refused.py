"""Truncated, overlong and future-version payloads are refused with their
own reply codes; the daemon keeps serving."""

from vdagentd_harness import PRINCIPAL, VDP_SERVER_PORT, VD_AGENT_SSO, check, creds, frame, guest


def run(guests):
    g = guest(guests)
    g.start()
    cred, _ = creds(g)
    g.send_sso(PRINCIPAL('alice'), cred, serial=11, truncate=10)
    g.expect_reply(11, 'MALFORMED')
    g.wait_log(r'refused VD_AGENT_SSO serial 11 .*message truncated')
    g.send_sso(PRINCIPAL('alice'), cred, serial=12, trailing=7)
    g.expect_reply(12, 'MALFORMED')
    g.send_sso(PRINCIPAL('alice'), cred[:len(cred) // 2], serial=13)
    g.expect_reply(13, 'MALFORMED')
    g.send_sso(PRINCIPAL('alice'), cred, serial=14, version=3)
    g.expect_reply(14, 'UNSUPPORTED_VERSION')
    # a frame shorter than the payload header, made by hand
    g.host.send(frame(VDP_SERVER_PORT, VD_AGENT_SSO, b'\x02\0\0\0\x0f\0'))
    g.expect_reply(0, 'MALFORMED')
    check(g.listener.count() == 0, 'no UserAuthenticated signal for any of them')
    g.send_sso(PRINCIPAL('alice'), cred, serial=15)
    g.expect_reply(15, 'ACCEPTED')
