"""A TGT whose ticket was tampered with passes vdagentd's checks (it
cannot verify: the module does) and is refused by the module against
the host keytab; the module reports it, vdagentd drops it, no session,
no cache, no record (a disconnect locks nothing), no key in memory."""

import re
import subprocess
import time

from e2e_harness import creds, guest
from login_checks import PRINCIPAL, left_in_cache_dir, no_secret_logged
from vdagentd_harness import ALICE_UID, SESSION_PROBE, SSO_TOOL, check, scan_memory


def tamper(cred, kind):
    return subprocess.run([SSO_TOOL, 'tamper', kind], input=cred, capture_output=True,
                          check=True).stdout


def run(guests):
    g = guest(guests)
    g.start()
    greeter = g.greeter(command=[SESSION_PROBE])
    cred, key = creds(g)
    forged = tamper(cred, 'ticket')
    check(forged != cred and len(forged) == len(cred), 'one byte of the ticket flipped')
    g.send_sso(PRINCIPAL('alice'), forged, serial=1)
    g.expect_reply(1, 'ACCEPTED')
    greeter.wait(r'^result ', 60)
    check(greeter.find(r'^pam authenticate 7 '), 'authentication failed (PAM_AUTH_ERR)')
    check(greeter.find(r'^result failed authenticate$'), 'the conversation failed')
    check(not greeter.find(r'^session-opened|^env KRB5CCNAME'), 'no session, no KRB5CCNAME')
    check(greeter.finish() == 0, 'the greeter emulator exits 0')
    g.syslog.wait(r'pam_vdagent_sso\(gdm-ovirtcred:auth\): refused %s: ticket verification '
                  r'failed' % re.escape(PRINCIPAL('alice')))
    g.wait_log(r'sso: the PAM module refused alice@\S+: ')
    g.wait_log(r'sso: dropped the redeemed credential of alice@\S+ \(login\): reported')
    check(not re.search(r'login of alice@\S+ as uid \d+ succeeded', g.read_log()),
          'vdagentd recorded no login')
    check(left_in_cache_dir(g) == [], 'no cache file was left behind')
    token = g.listener.tokens[0][1]
    check(g.redeem('fetch', token) == 'STATUS UNKNOWN_TOKEN', 'the token is dead')
    check(not scan_memory(g.vdagentd.pid, key), 'no session key in vdagentd\'s memory')
    g.add_user_session('2', ALICE_UID, 'alice')  # say alice logged in by password
    g.client_disconnected()
    time.sleep(1.5)
    check(g.lock_calls() == [], 'a disconnect locks nothing: no login was recorded')
    no_secret_logged(g, [token], [key])
