"""Which sessions single sign-on opened outlives vdagentd: the state file
(default path; root's, 0600, uid, session and principal, no token) is
read by a restarted vdagentd, which locks alice's session when the
client leaves; an entry whose session logind no longer has is dropped
at start, and a malformed line is ignored with a log line."""

import os
import re
import stat

from vdagentd_harness import (
    ALICE_UID, BOB_UID, GREETER_UID, PRINCIPAL, check, guest, locked, logged_in, wait_for)


def run(guests):
    g = guest(guests, system_paths=True)
    g.start()
    logged_in(g)
    g.add_user_session('2', ALICE_UID, 'alice')
    state = g.state_file
    want = 'spice-vdagentd-sso-sessions 2\n%d 2 - %s\n' % (ALICE_UID, PRINCIPAL('alice'))

    def contents():
        try:
            with open(state) as f:
                return f.read()
        except FileNotFoundError:
            return ''
    wait_for(lambda: contents() == want, 5, 'alice\'s session 2 in %s' % state)
    st = os.lstat(state)
    check(stat.S_ISREG(st.st_mode) and st.st_uid == 0 and stat.S_IMODE(st.st_mode) == 0o600,
          'the state file is root\'s, mode 0600 (%o)' % stat.S_IMODE(st.st_mode))
    tokens = [t for _, t in g.listener.tokens]
    check(tokens and not any(t in contents() for t in tokens), 'no token in it')
    check(sorted(os.listdir(os.path.dirname(state))) == ['sso-sessions', 'sso.sock'],
          'no temporary file left next to it (%s)' % os.listdir(os.path.dirname(state)))
    # an entry of bob's whose session logind does not have, and garbage
    with open(state, 'a') as f:
        f.write('%d 9 - %s\n5003 ../x - mallory\n' % (BOB_UID, PRINCIPAL('bob')))
    g.restart()
    g.wait_log(r'sso: %s: line 4 is malformed; ignoring it' % re.escape(state))
    g.wait_log(r'sso: %s: forgetting uid 5002 \(bob@\S+\): logind no longer knows its '
               r'session\(s\) 9' % re.escape(state))
    g.wait_log(r'sso: %s: uid 5001 \(single sign-on as alice@\S+\), session\(s\): 2'
               % re.escape(state))
    check(contents() == want, 'the state file holds alice\'s session only')
    g.client_disconnected()
    locked(g, '2', 1)
    g.wait_log(r'the client disconnected: locking session 2 of uid 5001 \(single sign-on as '
               r'alice@')
    # alice logs out while vdagentd is away: the next one forgets her
    g.vdagentd.terminate()
    g.vdagentd.wait(5)
    g.set_seat([('c1', GREETER_UID, 'Debian-gdm', 'greeter')], 'c1')
    g.restart()
    g.wait_log(r'forgetting uid 5001 \(alice@\S+\): logind no longer knows its session\(s\) 2')
    check(contents() == 'spice-vdagentd-sso-sessions 2\n', 'the state file is empty')
