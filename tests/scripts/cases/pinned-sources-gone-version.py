"""scripts/build-upstream stops with a clear message when the pinned
upstream version is no longer offered by any apt source. Runs against a
throwaway cache and manifest; nothing is built."""
import re

from ssotest.core import check


def run(w):
    w.need_deb_src()
    with open(w.top + '/scripts/upstream.manifest') as f:
        manifest = re.sub(r'(?m)^(spice-vdagent\s+spice-vdagent\s+)0\.23\.0', r'\g<1>0.99.0',
                          f.read())
    check('0.99.0' in manifest, 'the manifest pins spice-vdagent 0.99.0')
    w.write('manifest', manifest)
    rc, out = w.script('build-upstream', 'spice-vdagent',
                       env={'SPICE_SSO_MANIFEST': w.path('manifest'),
                            'SPICE_SSO_CACHE': w.path('cache2'),
                            'SPICE_SSO_BUILD': w.path('build')})
    check(rc != 0, 'a version nobody offers stops the build')
    check('pinned upstream tarball spice-vdagent_0.23.0.orig.tar.bz2 (spice-vdagent 0.99.0) '
          'is no longer offered' in out, 'the message says so (%s)' % out.strip()[-300:])
