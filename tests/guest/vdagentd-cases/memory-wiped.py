"""After each event that wipes the credential, vdagentd's memory (read
through /proc/PID/mem) no longer holds the TGT's session key; while the
credential is pending it does (the scan works)."""

from vdagentd_harness import PRINCIPAL, VDP_CLIENT_PORT, check, creds, guest, scan_memory


def run(guests):
    g = guest(guests, ttl=5)
    g.start()
    cred, key = creds(g)
    check(len(key) >= 16, 'the test knows the session key (%d bytes)' % len(key))
    pid = g.vdagentd.pid

    def held():
        return scan_memory(pid, key)

    g.send_sso(PRINCIPAL('alice'), cred, serial=71)
    g.expect_reply(71, 'ACCEPTED')
    token = g.listener.wait(1)
    check(held(), 'while pending, the key is in vdagentd\'s memory (control)')
    g.client_disconnected()
    g.wait_log(r'the client disconnected')
    check(not held(), 'wiped after VD_AGENT_CLIENT_DISCONNECTED')

    g.send_sso(PRINCIPAL('alice'), cred, serial=72)
    g.expect_reply(72, 'ACCEPTED')
    g.send_sso(PRINCIPAL('alice'), cred[:-3], serial=73)
    g.expect_reply(73, 'MALFORMED')
    check(not held(), 'wiped after replacement, and after a refused message')

    n = g.listener.count()
    g.send_sso(PRINCIPAL('alice'), cred, serial=74)
    g.expect_reply(74, 'ACCEPTED')
    token = g.listener.wait(n + 1)
    check(g.redeem('fetch', token).startswith('CRED '), 'fetched')
    # kept until the REPORT: a restarted greeter conversation fetches again
    check(g.redeem('report', token, 1, 0) == 'STATUS OK', 'a failure is reported')
    check(not held(), 'wiped once reported')

    g.send_sso(PRINCIPAL('alice'), cred, serial=75)
    g.expect_reply(75, 'ACCEPTED')
    g.wait_log(r'nobody redeemed it in time', 10)
    check(not held(), 'wiped at expiry')

    g.send_sso(PRINCIPAL('alice'), cred, serial=76, port=VDP_CLIENT_PORT)
    g.wait_log(r'VD_AGENT_SSO on port 1')
    g.send_sso(PRINCIPAL('alice'), cred, serial=77)
    g.expect_reply(77, 'ACCEPTED')
    g.host.drop_connection()
    g.wait_log(r'the agent port was reset')
    check(g.host.accept(10), 'the port reopens')
    check(not held(), 'wiped after a port reset')
