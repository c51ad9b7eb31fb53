"""Single sign-on unlocks alice's locked session; bob's locked shell
(his own session, on another seat) hears the same token, and its unlock
dialog is refused by vdagentd (its conversation presets bob, in bob's
session) without being handed the credential; alice's unlock dialog
then redeems the same token."""

import re

from e2e_harness import creds, guest, login
from login_checks import PRINCIPAL, logout, no_secret_logged
from vdagentd_harness import BOB_UID, FLAG_LOGIN, FLAG_REFRESH, check, wait_for


def run(guests):
    g = guest(guests)
    g.start()
    greeter, key = login(g)
    g.client_disconnected()
    wait_for(lambda: '2' in g.lock_calls(), 5, 'LockSession("2") at logind')
    g.add_other_seat_session('8', BOB_UID, 'bob')
    bobs = g.greeter('--unlock', 'bob', '--seat', 'seat0')
    alices = g.greeter('--unlock', 'alice', '--answer-delay', '3')
    alice2, key2 = creds(g)
    g.send_sso(PRINCIPAL('alice'), alice2, serial=3, flags=FLAG_LOGIN | FLAG_REFRESH)
    g.expect_reply(3, 'ACCEPTED')
    bobs.wait(r'^result ', 60)
    check(bobs.find(r'^pam authenticate 7 ') and bobs.find(r'^result failed authenticate'),
          'bob\'s unlock dialog is refused')
    check(bobs.finish() == 0, 'its emulator exits 0')
    g.wait_log(r'sso: redemption: refused the FETCH of pid %d for the unlock of alice@\S+: it is'
               r' the unlock dialog of uid 5002, not of uid 5001' % bobs.proc.pid)
    log = g.read_log()
    refused = log.find('refused the FETCH of pid %d' % bobs.proc.pid)
    # the helper fetched for the refresh before; the unlock's credential
    # was not fetched before bob's dialog was refused
    check(not re.search(r'the PAM module fetched the credential of alice@\S+ \(unlock\)',
                        log[:refused]), 'bob\'s dialog was not handed the credential')
    alices.wait(r'^result ', 60)
    check(alices.find(r'^pam authenticate 0 ') and alices.find(r'^unlocked$'),
          'alice\'s unlock dialog unlocks with the same token')
    check(alices.finish() == 0, 'its emulator exits 0')
    g.wait_log(r'sso: unlock of alice@\S+ as uid 5001 succeeded')
    logout(g, greeter)
    no_secret_logged(g, [t for _, t in g.listener.tokens], [key, key2])
