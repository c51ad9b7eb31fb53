"""FETCH works until the REPORT, a few times at most (gnome-shell
restarts a conversation that a late signal reaches, and the restarted
one fetches again); then UNKNOWN_TOKEN. REPORT is accepted once, and
the token is forgotten after it."""

from vdagentd_harness import ALICE_UID, accepted_token, check, guest


def run(guests):
    g = guest(guests)
    g.start()
    token, _ = accepted_token(g)
    check(g.redeem('fetch', token).startswith('CRED '), 'the first FETCH gets the credential')
    check(g.redeem('fetch', token).startswith('CRED '), 'a restarted conversation fetches again')
    g.wait_log(r'fetched the credential of alice@\S+ again \(login, fetch 2\): the greeter '
               r'restarted its conversation')
    check(g.redeem('report', token, 0, ALICE_UID) == 'STATUS OK', 'REPORT is accepted')
    check(g.redeem('report', token, 0, ALICE_UID) == 'STATUS UNKNOWN_TOKEN',
          'a replayed REPORT is refused')
    check(g.redeem('fetch', token) == 'STATUS UNKNOWN_TOKEN', 'the token is forgotten')
    g.wait_log(r'FETCH with an unknown, used or expired token')
    # fetched more often than a restarted conversation needs: dropped
    token, _ = accepted_token(g, serial=2)
    for i in range(4):
        check(g.redeem('fetch', token).startswith('CRED '), 'FETCH %d' % (i + 1))
    check(g.redeem('fetch', token) == 'STATUS UNKNOWN_TOKEN', 'a fifth FETCH is refused')
    g.wait_log(r'fetched 4 times and never reported: refusing another FETCH')
    g.wait_log(r'dropped the redeemed credential of alice@\S+ \(login\): fetched too often')
    check(g.redeem('report', token, 0, ALICE_UID) == 'STATUS UNKNOWN_TOKEN',
          'and the credential is gone')
