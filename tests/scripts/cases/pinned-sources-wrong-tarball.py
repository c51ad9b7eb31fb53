"""scripts/build-upstream stops with a message naming the file and both
sha256 sums when a cached tarball is not the pinned one, and moves the bad
file aside. Runs against a throwaway cache; nothing is built."""
import hashlib
import os

from ssotest.core import check

TARBALL = 'spice-vdagent_0.23.0.orig.tar.bz2'


def run(w):
    w.need_deb_src()
    pinned = w.pinned_sum('spice-vdagent')
    bad = w.write('cache/sources/' + TARBALL, 'not the upstream tarball\n')
    with open(bad, 'rb') as f:
        got = hashlib.sha256(f.read()).hexdigest()
    rc, out = w.script('build-upstream', 'spice-vdagent',
                       env={'SPICE_SSO_CACHE': w.path('cache'),
                            'SPICE_SSO_BUILD': w.path('build')})
    check(rc != 0, 'a wrong tarball stops the build')
    lines = [l for l in out.splitlines() if 'sha256 mismatch' in l]
    check(lines and TARBALL in lines[0] and pinned in lines[0] and got in lines[0] and
          lines[0].index(TARBALL) < lines[0].index(pinned) < lines[0].index(got),
          'the message names the file and both sums (%s)' % (lines or out))
    check(os.path.isfile(bad + '.bad') and not os.path.exists(bad), 'the bad file is moved aside')
