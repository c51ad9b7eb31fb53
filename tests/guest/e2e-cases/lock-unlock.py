"""A session single sign-on opened is locked when the client disconnects
(logind LockSession); another principal's VD_AGENT_SSO is refused
(SEAT_BUSY) and reaches no unlock dialog; the same principal's next one
refreshes the cache and unlocks through the greeter emulator in unlock
mode (PAM_USER preset, pam_setcred(PAM_REINITIALIZE_CRED)); the next
disconnect locks again."""

import os
import re
import stat
import time

from e2e_harness import creds, guest, login
from login_checks import PRINCIPAL, cache_key, cache_path, logout, no_secret_logged
from vdagentd_harness import ALICE_UID, FLAG_LOGIN, FLAG_REFRESH, check, scan_memory, wait_for


def run(guests):
    g = guest(guests)
    g.start()
    greeter, key = login(g)
    cache = cache_path(g)
    ino = os.lstat(cache).st_ino

    g.client_disconnected()
    wait_for(lambda: '2' in g.lock_calls(), 5, 'LockSession("2") at logind')
    g.wait_log(r'the client disconnected: locking session 2 of uid 5001 \(single sign-on as '
               r'alice@')
    wait_for(lambda: g.locked_hint('2'), 5, 'LockedHint of alice\'s session')
    check(True, 'alice\'s session is locked')

    # alice's locked session shows its unlock dialog (gnome-shell's, same
    # credential manager, same signal)
    unlock = g.greeter('--unlock', 'alice', '--session', '2')
    bob, bob_key = creds(g, 'bob')
    n = g.listener.count()
    g.send_sso(PRINCIPAL('bob'), bob, serial=2, flags=FLAG_LOGIN | FLAG_REFRESH)
    g.expect_reply(2, 'SEAT_BUSY')
    time.sleep(1.5)
    check(g.listener.count() == n and not unlock.find(r'^signal'),
          'another principal gets no signal: the unlock dialog never hears of bob')
    check(cache_key(cache) == key.hex(), 'alice\'s cache is untouched')

    alice2, key2 = creds(g)
    check(key2 != key, 'the reconnecting client delegates a new TGT')
    g.send_sso(PRINCIPAL('alice'), alice2, serial=3, flags=FLAG_LOGIN | FLAG_REFRESH)
    g.expect_reply(3, 'ACCEPTED')
    g.wait_log(r'asked the greeter for a unlock of alice@', 30)
    unlock.wait(r'^result ', 60)
    check(unlock.find(r'^pam authenticate 0 '), 'the unlock dialog\'s authentication succeeded')
    check(unlock.find(r'^pam setcred-reinitialize 0 '), 'pam_setcred(PAM_REINITIALIZE_CRED)')
    check(unlock.find(r'^unlocked$') and unlock.find(r'^result ok$'), 'unlocked')
    check(unlock.finish() == 0, 'the unlock dialog\'s emulator exits 0')
    g.wait_log(r'sso: unlock of alice@\S+ as uid 5001 succeeded')
    g.syslog.wait(r'pam_vdagent_sso\(gdm-ovirtcred:setcred\): refreshed credential cache FILE:%s '
                  r'of user alice \(uid 5001\) with alice@' % re.escape(cache))
    # the helper refreshed first, through its own PAM service, as for any
    # session of the user
    g.syslog.wait(r'pam_vdagent_sso\(spice-vdagentd-sso:setcred\): refreshed credential cache'
                  r' FILE:%s of user alice \(uid 5001\)' % re.escape(cache), 15)
    st = os.lstat(cache)
    check(cache_key(cache) == key2.hex(), 'the cache now holds the new TGT')
    check(st.st_ino == ino and st.st_uid == ALICE_UID and stat.S_IMODE(st.st_mode) == 0o600,
          'refreshed in place: same file, alice\'s, 0600')
    # gnome-shell's screen shield reported the unlock to logind
    check(unlock.find(r'^locked-hint false$'), 'the unlock dialog\'s shell reported the unlock')
    check(not g.locked_hint('2'), 'logind no longer reports the session locked')
    check(not g.locked_hint('2'), 'unlocked at logind')

    g.client_disconnected()
    wait_for(lambda: g.lock_calls().count('2') == 2, 5, 'a second LockSession("2")')
    check(not scan_memory(g.vdagentd.pid, key) and not scan_memory(g.vdagentd.pid, key2),
          'vdagentd\'s memory holds neither TGT\'s session key')
    logout(g, greeter)
    no_secret_logged(g, [t for _, t in g.listener.tokens], [key, key2, bob_key])
