"""The client leaves after the module reported the login but before GDM
opened the session: the lock waits for the session to appear on the
seat, and is asked again until the session's shell, which comes up
later, reports it (LockedHint)."""

import time

from vdagentd_harness import ALICE_UID, check, guest, logged_in, wait_for


def run(guests):
    g = guest(guests)
    g.start()
    logged_in(g)
    g.client_disconnected()
    g.wait_log(r'the client disconnected: the session of uid 5001 \(single sign-on as alice@\S+\) '
               r'is not on the seat yet; it will be locked when it appears')
    time.sleep(1)
    check(g.lock_calls() == [], 'nothing to lock yet')
    # GDM opens it; its shell is not up yet, the first Lock is lost
    g.add_user_session('2', ALICE_UID, 'alice', shell=False)
    wait_for(lambda: '2' in g.lock_calls(), 5, 'LockSession("2") once the session appeared')
    g.wait_log(r'the client left before this session appeared: locking session 2 of uid 5001')
    wait_for(lambda: g.lock_calls().count('2') >= 2, 5, 'LockSession("2") asked again')
    g.wait_log(r'session 2 of uid 5001 is not locked yet \(LockedHint: no\); asking logind again')
    check(not g.locked_hint('2'), 'not locked while the shell is not up')
    g.shield.up('2')
    wait_for(lambda: g.locked_hint('2'), 20, 'LockedHint of session 2 once the shell is up')
    g.wait_log(r'logind reports session 2 of uid 5001 locked', 40)
    n = len(g.lock_calls())
    time.sleep(2)
    check(len(g.lock_calls()) == n, 'no request once the lock took')
