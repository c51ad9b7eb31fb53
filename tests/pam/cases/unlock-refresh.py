"""alice's session has her cache (an older, non-forwardable TGT); her
unlock dialog gets a fresh delegated one: the cache is refreshed in place
(same inode, owner and mode) with the forwardable TGT."""
import os

from ssotest import realm
from ssotest.core import check


def flags(cache):
    _, out = realm.klist('-f', '-c', cache)
    return ''.join(l.split('Flags:', 1)[1].strip() for l in out.splitlines() if 'Flags:' in l)


def run(p):
    alice, cache = p.principal('alice'), p.user_cache
    p.session_tgt(cache)
    ino = os.stat(cache).st_ino
    before = flags(cache)
    check('F' not in before, "the session's own TGT is not forwardable (%s)" % before)
    p.client_tgt('alice')
    p.greeter('--unlock', 'alice')
    p.standin('alice')
    p.wait('greeter.out', r'^result ', 60)
    p.expect('greeter.out', r'^pam authenticate 0 ', 'authenticated')
    p.expect('greeter.out', r'^pam setcred-reinitialize 0 ', 'credentials reinitialized')
    p.expect('greeter.out', r'^unlocked', 'unlocked')
    p.expect('standin.out', r'^report outcome=0 uid=5001 status=0', 'success reported')
    p.expect('syslog', r'pam_vdagent_sso\(gdm-ovirtcred:setcred\): refreshed credential cache '
             r'FILE:%s of user alice \(uid 5001\) with %s' % (cache, alice), 'refresh logged')
    st = os.stat(cache)
    check((st.st_ino, st.st_uid, st.st_mode & 0o777) == (ino, 5001, 0o600),
          'refreshed in place, alice\'s, 0600')
    after = flags(cache)
    check('F' in after, 'the cache holds the fresh forwardable TGT (before: %s, after: %s)'
          % (before, after))
    p.greeter_done()
    os.unlink(cache)
    p.no_cache_left()
