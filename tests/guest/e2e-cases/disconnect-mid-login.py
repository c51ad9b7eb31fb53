"""The client leaves while the module verifies the TGT it fetched (the
KDC answers late): vdagentd forgets the token at once, the module's
REPORT gets UNKNOWN_TOKEN, and the module refuses the login: no session,
no cache, nothing recorded to lock."""

import os
import re
import signal

from e2e_harness import creds, guest
from login_checks import PRINCIPAL, left_in_cache_dir
from vdagentd_harness import SESSION_PROBE, check, scan_memory


def run(guests):
    kdc = int(os.environ['REALM_KDC_PID'])
    g = guest(guests)
    g.start()
    greeter = g.greeter(command=[SESSION_PROBE])
    cred, key = creds(g)
    os.kill(kdc, signal.SIGSTOP)
    try:
        g.send_sso(PRINCIPAL('alice'), cred, serial=1)
        g.expect_reply(1, 'ACCEPTED')
        g.wait_log(r'sso: the PAM module fetched the credential', 10)
        g.client_disconnected()
        g.wait_log(r'dropped the redeemed credential of alice@\S+ \(login\): the client '
                   r'disconnected')
    finally:
        os.kill(kdc, signal.SIGCONT)
    greeter.wait(r'^result ', 60)
    check(greeter.find(r'^pam authenticate 7 ') and not greeter.find(r'^session-opened'),
          'the login is refused')
    check(greeter.finish() == 0, 'the greeter emulator exits 0')
    g.wait_log(r'REPORT with an unknown or expired token')
    g.syslog.wait(r'refused alice@\S+: the agent did not acknowledge the login')
    check(left_in_cache_dir(g) == [], 'no cache file was left behind')
    check(not re.search(r'login of alice@\S+ as uid \d+ succeeded', g.read_log()),
          'vdagentd recorded no login')
    check(not scan_memory(g.vdagentd.pid, key), 'no session key in vdagentd\'s memory')
