"""A cache writer killed at its timeout left its private directory (with
the cache krb5 was writing) next to alice's cache: her next login removes
it. A younger one (another login's, in progress) and bob's are left alone."""
import os
import time

from ssotest.core import check
from ssotest.identities import ALICE_UID, BOB_UID


def private_dir(parent, name, uid, age):
    d = os.path.join(parent, name)
    os.mkdir(d, 0o700)
    with open(os.path.join(d, 'cache'), 'w') as f:
        f.write('what krb5 was writing\n')
    os.chown(os.path.join(d, 'cache'), uid, uid)
    os.chown(d, uid, uid)
    then = time.time() - age
    os.utime(d, (then, then))
    return d


def run(p):
    parent = os.path.dirname(p.user_cache)
    stale = private_dir(parent, '.sso-krb5-00000000000000a1', ALICE_UID, 3600)
    young = private_dir(parent, '.sso-krb5-00000000000000a2', ALICE_UID, 0)
    bobs = private_dir(parent, '.sso-krb5-00000000000000b1', BOB_UID, 3600)
    p.client_tgt('alice')
    p.greeter('--hold', '--', p.probe)
    p.standin('alice')
    p.login('FILE:' + p.user_cache, p.user_cache)
    check(not os.path.exists(stale), "alice's stale private directory is removed")
    check(os.path.isfile(os.path.join(young, 'cache')), "alice's young private directory stays")
    check(os.path.isfile(os.path.join(bobs, 'cache')), "bob's private directory stays")
    for d in (young, bobs):
        os.unlink(os.path.join(d, 'cache'))
        os.rmdir(d)
    p.no_cache_left()
