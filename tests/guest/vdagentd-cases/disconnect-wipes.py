"""VD_AGENT_CLIENT_DISCONNECTED, and a reset of the agent port, wipe the
pending credential at once: its token is refused and signals stop."""

import time

from vdagentd_harness import accepted_token, check, guest


def run(guests):
    g = guest(guests)
    g.start()
    token, cred = accepted_token(g)
    g.client_disconnected()
    g.wait_log(r'dropped the pending credential of alice@\S+ \(login\): the client disconnected')
    check(g.redeem('fetch', token) == 'STATUS UNKNOWN_TOKEN', 'the token died with the client')
    n = g.listener.count()
    time.sleep(2.5)
    check(g.listener.count() == n, 'no more signals')
    token, _ = accepted_token(g, serial=2, cred=cred)
    g.host.drop_connection()
    g.wait_log(r'dropped the pending credential of alice@\S+ \(login\): the agent port was reset')
    check(g.host.accept(10), 'vdagentd reopens the port')
    check(g.redeem('fetch', token) == 'STATUS UNKNOWN_TOKEN', 'the token died with the port')
