"""The module's REPORT comes after the credential's time to live ran out
(here: the KDC answers the module's verification late; the greeter
answered the prompt late). The fetch is what the time to live bounds:
once fetched, vdagentd waits for the report (a fresh time to live), so a
verified login is not refused for a slow KDC."""

import os
import re
import signal
import time

from e2e_harness import creds, guest
from login_checks import PRINCIPAL, assert_login, logout
from vdagentd_harness import ALICE_UID, SESSION_PROBE, check


def run(guests):
    kdc = int(os.environ['REALM_KDC_PID'])
    g = guest(guests, ttl=5)
    g.start()
    greeter = g.greeter('--answer-delay', '3', command=[SESSION_PROBE], hold=True)
    cred, key = creds(g)
    os.kill(kdc, signal.SIGSTOP)
    try:
        t0 = time.monotonic()
        g.send_sso(PRINCIPAL('alice'), cred, serial=1)
        g.expect_reply(1, 'ACCEPTED')
        g.wait_log(r'sso: the PAM module fetched the credential', 10)
        # the module is now waiting for the KDC; let the time to live pass
        time.sleep(max(0, 7 - (time.monotonic() - t0)))
    finally:
        os.kill(kdc, signal.SIGCONT)
    assert_login(g, greeter, key)
    check(not re.search(r'never reported', g.read_log()), 'vdagentd waited for the report')
    g.add_user_session('2', ALICE_UID, 'alice')
    logout(g, greeter)
