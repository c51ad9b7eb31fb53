"""A lock owed when vdagentd stops is taken up by the restarted one. The
client leaves before GDM opened alice's session: the state file marks the
lock owed ("- lock"), and a vdagentd restarted then locks the session when
it appears. Its shell is not up yet, so logind does not report it locked:
the mark moves to the session ("2 lock"), and a vdagentd restarted again
asks logind once more at start, until the lock is reported and the mark is
gone. Without the mark, a vdagentd restarted in that window (an upgrade of
the package) would leave the session unlocked for the next client."""

from vdagentd_harness import ALICE_UID, PRINCIPAL, check, guest, logged_in, wait_for


def run(guests):
    g = guest(guests)
    g.start()

    def state():
        with open(g.state_file) as f:
            return f.read()

    def entry(session, lock):
        return '%d %s %s %s\n' % (ALICE_UID, session, lock, PRINCIPAL('alice'))

    logged_in(g)
    g.client_disconnected()
    wait_for(lambda: entry('-', 'lock') in state(), 5, 'the lock marked owed before the session appeared')
    g.restart()
    g.wait_log(r'the session of uid 5001 is to be locked when it appears')
    check(g.lock_calls() == [], 'nothing to lock yet')
    # GDM opens it; its shell is not up yet, so the Lock is lost
    g.add_user_session('2', ALICE_UID, 'alice', shell=False)
    wait_for(lambda: '2' in g.lock_calls(), 5, 'LockSession("2") once the session appeared')
    wait_for(lambda: entry('2', 'lock') in state(), 5, 'the owed lock now names session 2')
    asked = g.lock_calls().count('2')
    g.restart()
    g.wait_log(r'a lock was owed when spice-vdagentd stopped: locking session 2 of uid 5001')
    wait_for(lambda: g.lock_calls().count('2') > asked, 5, 'the restarted vdagentd asks again')
    g.shield.up('2')
    wait_for(lambda: g.locked_hint('2'), 20, 'the session locked once its shell is up')
    g.wait_log(r'logind reports session 2 of uid 5001 locked', 40)
    wait_for(lambda: state().endswith(entry('2', '-')), 5, 'no lock owed any more')
