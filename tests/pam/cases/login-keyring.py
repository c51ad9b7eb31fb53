"""A login into KEYRING:persistent:%{uid} (where the kernel has persistent
keyrings): klist reads it in the session, and closing the session leaves
alice's keyring without a cache."""
import os
import subprocess

from ssotest.core import Skip, check


def run(p):
    if not os.path.exists('/proc/sys/kernel/keys/persistent_keyring_expiry'):
        raise Skip('no persistent kernel keyrings in this kernel (KEYRING caches untested here)')
    alice = p.principal('alice')
    p.guest_krb5_conf('KEYRING:persistent:%{uid}')
    p.client_tgt('alice')
    p.greeter('--hold', '--', p.probe)
    p.standin('alice')
    p.wait('greeter.out', r'^holding|^result ', 60)
    p.expect('greeter.out', r'^pam open_session 0 ', 'session opened')
    p.expect('greeter.out', r'^env KRB5CCNAME=KEYRING:persistent:5001$', 'KRB5CCNAME set')
    p.expect('greeter.out', r'^probe klist-exit 0', 'klist reads the cache as alice')
    p.expect('greeter.out', r'^probe klist: Default principal: ' + alice, 'klist: principal')
    p.close_session()
    p.wait('greeter.out', r'^result ', 30)
    p.expect('greeter.out', r'^result ok', 'conversation ok')
    p.expect('syslog', r'destroyed credential cache KEYRING:persistent:5001:',
             'destruction logged')
    p.greeter_done()
    r = subprocess.run(['setpriv', '--reuid=5001', '--regid=5001', '--clear-groups', 'env',
                        'KRB5_CONFIG=' + p.path('guest/krb5.conf'), 'klist', '-l'],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    check(alice not in r.stdout, "alice's keyring holds no cache any more")
    p.no_cache_left()
