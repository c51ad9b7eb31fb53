"""alice already has a live cache at the fixed name (another session of
hers, say over ssh): a single sign-on login must not wipe it; refused with
the fix named."""
import hashlib
import os

from ssotest.core import check


def digest(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def run(p):
    cache = p.user_cache
    p.session_tgt(cache)
    ino, before = os.stat(cache).st_ino, digest(cache)
    p.client_tgt('alice')
    p.greeter('--', p.probe)
    p.standin('alice')
    p.refused(4, r'refused %s: cannot store its credential cache for user alice: target '
              r'credential cache refused: %s already holds a cache of alice that this login '
              r'did not create \(another session\'s, or a stale one\): not overwritten, left '
              r'alone; fix: give every login a cache of its own: default_ccache_name = DIR:'
              % (p.principal('alice'), cache), keeping=True)
    st = os.stat(cache)
    check((st.st_ino, st.st_uid) == (ino, 5001), "alice's cache was not replaced")
    check(digest(cache) == before, "alice's cache was not overwritten")
    os.unlink(cache)
    p.no_cache_left()
