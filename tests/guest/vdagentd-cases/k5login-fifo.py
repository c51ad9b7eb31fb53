"""A local user cannot stall vdagentd: alice makes her ~/.k5login a FIFO,
which krb5_kuserok would open as root and block on for ever. The
mapping runs in the helper (its own unit, with vdagentd's deadline for
its answer), which refuses a .k5login that is no regular file: alice's
account may not be logged in as, so vdagentd answers USER_REFUSED
without asking the greeter; the next message is answered too, and the
helper's log says why."""

import os
import re

from vdagentd_harness import ALICE_UID, PRINCIPAL, check, creds, guest, wait_for


def run(guests):
    g = guest(guests)
    g.start()
    fifo = os.path.join(g.dir, 'id', 'home', 'alice', '.k5login')
    os.mkfifo(fifo, 0o644)
    os.chown(fifo, ALICE_UID, ALICE_UID)
    alice, _ = creds(g)
    g.send_sso(PRINCIPAL('alice'), alice, serial=91)
    g.expect_reply(91, 'USER_REFUSED')
    wait_for(lambda: re.search(r'alice@\S+ maps to a local user single sign-on may not log in'
                               r' as: alice@\S+ may not log in as alice: \S+/\.k5login is not a'
                               r' regular file', g.helper_log()), 5, 'the helper to say why')
    g.wait_log(r'sso: refusing alice@\S+: it maps to a local user single sign-on may not log in'
               r' as \(the log of spice-vdagentd-sso@\d+\.service says why\); the greeter is'
               r' not asked')
    check(g.listener.count() == 0, 'no UserAuthenticated for alice')
    bob, _ = creds(g, 'bob')
    g.send_sso(PRINCIPAL('bob'), bob, serial=92)
    g.expect_reply(92, 'ACCEPTED')
