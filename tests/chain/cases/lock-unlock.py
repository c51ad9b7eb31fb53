"""Through the real client: alice logs in; her client disconnects ->
spice-server tells the agent, vdagentd locks her session at logind; bob
connects with his own TGT -> SEAT_BUSY, the unlock dialog hears nothing;
alice reconnects (a new client, a new forwarded TGT) -> the unlock
dialog unlocks with it and her cache is refreshed in place with the new
TGT; her next disconnect locks again."""

import os
import re
import stat
import time

from chain import chain, wait_for
from login_checks import PRINCIPAL, cache_key, cache_path, logout
from vdagentd_harness import ALICE_UID, check


def run(guests):
    c = chain(guests)
    greeter = c.greeter()
    a1 = c.connect('alice')
    check(c.wait_login(greeter), 'alice logs in')
    c.user_session()
    cache = cache_path(c.guest)
    key1 = cache_key(cache)
    ino = os.lstat(cache).st_ino
    check(a1.disconnect() == 0, 'alice\'s client disconnects')
    wait_for(lambda: '2' in c.guest.lock_calls(), 10, 'LockSession("2") at logind')
    c.guest.wait_log(r'the client disconnected: locking session 2 of uid 5001 \(single sign-on as '
                     r'alice@')
    wait_for(lambda: c.guest.locked_hint('2'), 10, 'LockedHint of alice\'s session')
    check(True, 'the disconnect locked alice\'s session')

    unlock = c.guest.greeter('--unlock', 'alice')
    b = c.connect('bob')
    b.wait_connected()
    c.host.err.wait(r'sso: reply .*principal=%s .*result=seat-busy delivery=ended '
                    % re.escape(PRINCIPAL('bob')), 15, start=b.t0)
    check(True, 'bob\'s credential: SEAT_BUSY (server log)')
    time.sleep(1)
    check(not unlock.find(r'^signal'), 'the unlock dialog never heard of bob')
    check(cache_key(cache) == key1, 'alice\'s cache is untouched')
    check(b.disconnect() == 0, 'bob\'s client disconnects')

    a2 = c.connect('alice')
    a2.wait_connected()
    c.host.err.wait(r'sso: reply .*principal=%s .*result=accepted' % re.escape(PRINCIPAL('alice')),
                    15, start=a2.t0)
    unlock.wait(r'^result ', 60)
    check(unlock.find(r'^pam authenticate 0 ') and unlock.find(r'^unlocked$') and
          unlock.find(r'^result ok$'), 'the unlock dialog unlocked with the new credential')
    check(unlock.finish() == 0, 'the unlock dialog\'s emulator exits 0')
    c.guest.wait_log(r'sso: unlock of alice@\S+ as uid 5001 succeeded')
    c.guest.syslog.wait(r'refreshed credential cache FILE:%s of user alice' % re.escape(cache))
    key2 = cache_key(cache)
    st = os.lstat(cache)
    check(key2 and key2 != key1, 'the cache now holds the new forwarded TGT')
    check(st.st_ino == ino and st.st_uid == ALICE_UID and stat.S_IMODE(st.st_mode) == 0o600,
          'refreshed in place: same file, alice\'s, 0600')
    # gnome-shell's screen shield reports the unlock to logind
    c.guest.shield.unlocked('2')
    check(a2.disconnect() == 0, 'alice\'s second client disconnects')
    wait_for(lambda: c.guest.lock_calls().count('2') == 2, 10, 'a second LockSession("2")')
    check(True, 'the next disconnect locks again')
    logout(c.guest, greeter)
