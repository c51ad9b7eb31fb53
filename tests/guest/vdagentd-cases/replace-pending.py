"""A new VD_AGENT_SSO replaces the pending one: the old token is refused,
the new one returns the new message."""

from vdagentd_harness import accepted_token, check, guest


def run(guests):
    g = guest(guests)
    g.start()
    old, cred = accepted_token(g, serial=51)
    new, _ = accepted_token(g, serial=52, cred=cred)
    check(old != new, 'a new token')
    g.wait_log(r'dropped the pending credential of alice@\S+ \(login\): a new VD_AGENT_SSO arrived')
    check(g.redeem('fetch', old) == 'STATUS UNKNOWN_TOKEN', 'the old token is refused')
    out = g.redeem('fetch', new)
    check('serial=52' in out, 'the new token returns the new message (%s)' % out)
