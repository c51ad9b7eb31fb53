"""A session that single sign-on opened is locked when the client
disconnects; the same principal's next VD_AGENT_SSO asks the unlock
dialog (same signal); another principal is refused."""

import time

from vdagentd_harness import (
    ALICE_UID, FLAG_LOGIN, FLAG_REFRESH, PRINCIPAL, check, creds, guest, locked,
    logged_in_and_locked)


def run(guests):
    g = guest(guests)
    g.start()
    alice = logged_in_and_locked(g)
    g.wait_log(r'the client disconnected: locking session 2 of uid 5001 \(single sign-on as alice@')
    check(g.lock_calls() == ['2'], 'only alice\'s session was locked')
    bob, _ = creds(g, 'bob')
    n = g.listener.count()
    g.send_sso(PRINCIPAL('bob'), bob, serial=61, flags=FLAG_LOGIN | FLAG_REFRESH)
    g.expect_reply(61, 'SEAT_BUSY')
    time.sleep(1.5)
    check(g.listener.count() == n, 'no signal for another principal')
    g.send_sso(PRINCIPAL('alice'), alice, serial=62, flags=FLAG_LOGIN | FLAG_REFRESH)
    g.expect_reply(62, 'ACCEPTED')
    g.wait_log(r'asked the greeter for a unlock of alice@', 30)
    token = g.listener.wait(n + 1)
    check(g.redeem('fetch', token, unlock='alice').startswith('CRED principal=' +
                                                         PRINCIPAL('alice')),
          'the unlock dialog\'s PAM module fetches alice\'s credential')
    check(g.redeem('report', token, 0, ALICE_UID, unlock='alice') == 'STATUS OK',
          'and reports success')
    g.wait_log(r'unlock of alice@\S+ as uid 5001 succeeded')
    # gnome-shell's shield reports the unlock; a second disconnect locks again
    g.shield.unlocked('2')
    g.client_disconnected()
    locked(g, '2', 2)
