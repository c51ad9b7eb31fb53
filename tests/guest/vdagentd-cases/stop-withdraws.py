"""Stopping vdagentd (SIGTERM: systemctl stop or restart, an upgrade of the
package) while a token waits drops it like any other end: the credential
is wiped, the line says so, and the greeter is told to forget the token
(an empty UserAuthenticated, sent before vdagentd leaves the bus), else
gnome-shell would hand the dead token to its next conversation, which
fails once before the password prompt. The restarted vdagentd does not
know the token."""

import re

from vdagentd_harness import accepted_token, check, guest, wait_for


def run(guests):
    g = guest(guests)
    g.start()
    token, _ = accepted_token(g)
    listener = g.listener
    check(listener.withdrawals == 0, 'nothing withdrawn while the token waits')

    def stopped():
        check(re.search(r'dropped the pending credential of alice@\S+ \(login\): '
                        r'spice-vdagentd is stopping', g.read_log()), 'the drop is logged')
        wait_for(lambda: listener.withdrawals == 1, 5, 'the token withdrawn from the greeter')
    g.restart(stopped)
    check(g.redeem('fetch', token) == 'STATUS UNKNOWN_TOKEN', 'the restarted vdagentd does not know it')
