"""A token not redeemed within the time to live is refused, and the
credential is wiped."""

from vdagentd_harness import accepted_token, check, guest


def run(guests):
    g = guest(guests, ttl=5)
    g.start()
    token, _ = accepted_token(g)
    g.wait_log(r'dropped the pending credential of alice@\S+ \(login\): nobody redeemed it in time',
               10)
    check(g.redeem('fetch', token) == 'STATUS UNKNOWN_TOKEN', 'the expired token is refused')
