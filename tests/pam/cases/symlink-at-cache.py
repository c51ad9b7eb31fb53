"""Another user planted a symlink at alice's cache path: the name is
squatted, the login is refused at authentication (before the agent
records a login) with the fix named, and nothing is followed."""
import os

from ssotest.core import check
from ssotest.identities import BOB_UID


def run(p):
    victim = os.path.join(p.tmp, 'planted-victim')
    with open(victim, 'w') as f:
        f.write('precious\n')
    os.chown(victim, BOB_UID, BOB_UID)
    os.chmod(victim, 0o666)
    os.symlink(victim, p.user_cache)
    os.lchown(p.user_cache, BOB_UID, BOB_UID)
    p.client_tgt('alice')
    p.greeter('--', p.probe)
    p.standin('alice')
    p.wait('greeter.out', r'^result ', 60)
    p.expect('greeter.out', r'^pam authenticate 7 ', 'authentication refused')
    p.expect('greeter.out', r'^result failed authenticate', 'conversation failed')
    p.absent('greeter.out', r'^env KRB5CCNAME', 'no KRB5CCNAME')
    p.expect('standin.out', r'^report outcome=4 uid=-1 status=0', 'the refusal is reported')
    p.syslog_auth(r'refused %s: cannot store its credential cache for user alice: target '
                  r'credential cache refused: %s is squatted: a symbolic link of uid %d: not '
                  r'followed, left alone; fix: give every login a cache of its own: '
                  r'default_ccache_name = DIR:/run/user/%%\{uid\}/krb5cc or '
                  r'KEYRING:persistent:%%\{uid\} in krb5.conf, or a per-session FILE name'
                  % (p.principal('alice'), p.user_cache, BOB_UID), 'refusal logged with the fix')
    with open(victim) as f:
        check(f.read() == 'precious\n', "the symlink's target was not written")
    check(os.path.islink(p.user_cache), 'the planted symlink is left alone')
    p.greeter_done()
    os.unlink(p.user_cache)
    p.no_cache_left()
