"""An unlock's token is redeemed only by the locked user's own unlock
dialog, in that user's seat0 session (or, for a session GDM does not
manage, GDM's gdm.service): another user's locked shell (bob's session,
on another seat), alice's name preset from bob's session or from outside
GDM, or the login greeter's conversation get WRONG_CONVERSATION, and the
token stays valid for alice's unlock dialog."""

from vdagentd_harness import (
    ALICE_UID, BOB_UID, FLAG_LOGIN, FLAG_REFRESH, PRINCIPAL, accepted_token, check, guest, wait_for)


def run(guests):
    g = guest(guests)
    g.start()
    token, alice = accepted_token(g)
    check(g.redeem('fetch', token).startswith('CRED '), 'the login is fetched')
    check(g.redeem('report', token, 0, ALICE_UID) == 'STATUS OK', 'and reported')
    g.add_user_session('2', ALICE_UID, 'alice')
    g.client_disconnected()
    wait_for(lambda: '2' in g.lock_calls(), 5, 'LockSession("2") at logind')
    # bob has a locked session of his own on another seat
    g.add_other_seat_session('8', BOB_UID, 'bob')
    n = g.listener.count()
    g.send_sso(PRINCIPAL('alice'), alice, serial=63, flags=FLAG_LOGIN | FLAG_REFRESH)
    g.expect_reply(63, 'ACCEPTED')
    token = g.listener.wait(n + 1)
    out = g.redeem('fetch', token, unlock='bob')
    check(out == 'STATUS WRONG_CONVERSATION', 'bob\'s unlock dialog is refused (%s)' % out)
    g.wait_log(r'refused the FETCH of pid \d+ for the unlock of alice@\S+: it is the unlock dialog'
               r' of uid 5002, not of uid 5001')
    out = g.redeem('fetch', token, ALICE_UID, cgroup=g.cgroups.session('8', BOB_UID))
    check(out == 'STATUS WRONG_CONVERSATION', 'alice preset in bob\'s session is refused (%s)' % out)
    g.wait_log(r'refused the FETCH of pid \d+ for the unlock of alice@\S+: it runs in session 8'
               r' \(seat seat1, class user, uid 5002\), not in a seat0 session of uid 5001')
    out = g.redeem('fetch', token, ALICE_UID, cgroup=None)
    check(out == 'STATUS WRONG_CONVERSATION', 'alice preset outside GDM is refused (%s)' % out)
    g.wait_log(r'refused the FETCH of pid \d+ for the unlock of alice@\S+: it runs in unit'
               r' \(none\), neither in the locked user\'s session nor in gdm.service')
    out = g.redeem('fetch', token)
    check(out == 'STATUS WRONG_CONVERSATION', 'the login greeter is refused (%s)' % out)
    out = g.redeem('fetch', token, unlock='alice')
    check(out.startswith('CRED principal=' + PRINCIPAL('alice')),
          'alice\'s own unlock dialog still fetches (%s)' % out)
