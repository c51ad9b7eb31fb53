"""Whether a session is locked is logind's to say: after alice unlocks
her session with her password (not single sign-on), or after an unlock
by single sign-on failed, every later disconnect locks it again."""

from vdagentd_harness import (
    ALICE_UID, FLAG_LOGIN, FLAG_REFRESH, PRINCIPAL, check, guest, locked, logged_in_and_locked)


def run(guests):
    g = guest(guests)
    g.start()
    alice = logged_in_and_locked(g)
    # alice types her password at the shield
    g.shield.unlocked('2')
    check(not g.locked_hint('2'), 'unlocked by password')
    g.client_disconnected()
    locked(g, '2', 2)
    # an unlock by single sign-on that the module refuses; then the password
    n = g.listener.count()
    g.send_sso(PRINCIPAL('alice'), alice, serial=91, flags=FLAG_LOGIN | FLAG_REFRESH)
    g.expect_reply(91, 'ACCEPTED')
    token = g.listener.wait(n + 1)
    check(g.redeem('fetch', token, unlock='alice').startswith('CRED '),
          'the unlock dialog fetches')
    check(g.redeem('report', token, 1, ALICE_UID, unlock='alice') == 'STATUS OK',
          'and reports a failure')
    g.shield.unlocked('2')
    g.client_disconnected()
    locked(g, '2', 3)
    # while logind reports it locked, a disconnect asks nothing more
    g.client_disconnected()
    g.wait_log(r'the client disconnected: session 2 of uid 5001 is locked already')
    check(g.lock_calls().count('2') == 3, 'no request for a session logind reports locked')
