"""KEYRING caches through both sides (default_ccache_name =
KEYRING:persistent:%{uid}, where the kernel has persistent keyrings):
the login stores alice's TGT in her persistent keyring, klist reads it
as alice; after a disconnect, her reconnect's new TGT is written into
that cache by vdagentd's refresh (a child as alice, in the collection)
and by the unlock dialog's module; at logout the cache is destroyed."""

import os
import re

from e2e_harness import creds, guest
from login_checks import PRINCIPAL, cache_key
from vdagentd_harness import (
    ALICE_UID, FLAG_LOGIN, FLAG_REFRESH, SESSION_PROBE, Skip, check, scan_memory, wait_for)


def run(guests):
    if not os.path.exists('/proc/sys/kernel/keys/persistent_keyring_expiry'):
        raise Skip('no persistent kernel keyrings here (the test VM checks KEYRING caches)')
    g = guest(guests, ccache='KEYRING:persistent:%{uid}')
    g.start()
    cc = 'KEYRING:persistent:%d' % ALICE_UID
    greeter = g.greeter(command=[SESSION_PROBE], hold=True)
    cred, key = creds(g)
    g.send_sso(PRINCIPAL('alice'), cred, serial=1)
    g.expect_reply(1, 'ACCEPTED')
    greeter.wait(r'^holding|^result ', 60)
    check(greeter.find(r'^pam open_session 0 '), 'session opened')
    check(greeter.find(r'^env KRB5CCNAME=%s$' % cc), 'KRB5CCNAME=' + cc)
    check(greeter.find(r'^probe id uid=5001 ') and greeter.find(r'^probe klist-exit 0$') and
          greeter.find(r'^probe klist: Default principal: %s$' % re.escape(PRINCIPAL('alice'))),
          'klist reads alice\'s KEYRING cache as alice')
    check(cache_key(cc) == key.hex(), 'her persistent keyring holds the delegated TGT')
    g.syslog.wait(r'stored the credentials of alice@\S+ for user alice \(uid 5001\) in %s:' % cc)
    g.add_user_session('2', ALICE_UID, 'alice')

    g.client_disconnected()
    wait_for(lambda: '2' in g.lock_calls(), 5, 'LockSession("2") at logind')
    unlock = g.greeter('--unlock', 'alice')
    alice2, key2 = creds(g)
    g.send_sso(PRINCIPAL('alice'), alice2, serial=2, flags=FLAG_LOGIN | FLAG_REFRESH)
    g.expect_reply(2, 'ACCEPTED')
    unlock.wait(r'^result ', 60)
    check(unlock.find(r'^unlocked$') and unlock.find(r'^result ok$'), 'unlocked')
    check(unlock.finish() == 0, 'the unlock dialog\'s emulator exits 0')
    g.syslog.wait(r'spice-vdagentd-sso:setcred\): refreshed credential cache %s:\S+ of user'
                  r' alice \(uid 5001\)' % cc, 15)
    g.syslog.wait(r'gdm-ovirtcred:setcred\): refreshed credential cache %s:\S+ of user alice'
                  r' \(uid 5001\)' % cc)
    check(cache_key(cc) == key2.hex(), 'the KEYRING cache now holds the new TGT')
    greeter.close()
    greeter.wait(r'^result ', 30)
    check(greeter.find(r'^result ok$') and greeter.finish() == 0, 'logged out')
    g.syslog.wait(r'destroyed credential cache %s:\S+ of user alice \(session closed\)' % cc)
    check(cache_key(cc) == '', 'no cache of alice\'s is left in her keyring')
    check(not scan_memory(g.vdagentd.pid, key) and not scan_memory(g.vdagentd.pid, key2),
          'vdagentd\'s memory holds neither TGT\'s session key')
