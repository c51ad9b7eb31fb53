"""bob created a file at alice's cache name before she logs in: refused
with the fix named, bob's file left alone."""
import os

from ssotest.core import check
from ssotest.identities import BOB_UID


def run(p):
    with open(p.user_cache, 'w') as f:
        f.write("bob's\n")
    os.chown(p.user_cache, BOB_UID, BOB_UID)
    os.chmod(p.user_cache, 0o644)
    p.client_tgt('alice')
    p.greeter('--', p.probe)
    p.standin('alice')
    p.refused(4, r'refused %s: cannot store its credential cache for user alice: target '
              r'credential cache refused: %s is squatted: it exists and is not a single-link '
              r'regular file of alice \(uid %d, mode 100644, 1 links\): left alone; fix: give '
              r'every login a cache of its own: default_ccache_name = DIR:'
              % (p.principal('alice'), p.user_cache, BOB_UID), keeping=True)
    with open(p.user_cache) as f:
        check(f.read() == "bob's\n", "bob's file is unchanged")
    check(os.stat(p.user_cache).st_uid == BOB_UID, "bob's file keeps its owner")
    os.unlink(p.user_cache)
    p.no_cache_left()
