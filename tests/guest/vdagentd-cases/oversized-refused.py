"""VD_AGENT_SSO messages declaring more than 64 KiB are refused from their
header, before reassembly allocates anything; their chunks are skipped and
the next message is served."""

from vdagentd_harness import PRINCIPAL, VDP_SERVER_PORT, VD_AGENT_SSO, check, creds, frame, guest


def run(guests):
    g = guest(guests)
    g.start()
    for size in (65537, 1 << 20):
        g.host.send(frame(VDP_SERVER_PORT, VD_AGENT_SSO, b'\x01' + b'\0' * (size - 1)))
        g.wait_log(r'VD_AGENT_SSO of %d bytes is larger than 65536, ignoring' % size)
    g.no_reply()
    cred, _ = creds(g)
    g.send_sso(PRINCIPAL('alice'), cred, serial=9)
    g.expect_reply(9, 'ACCEPTED')
    check('AIIEEE' not in g.read_log(), 'the port was not reset')
