"""scripts/apt-sources with no apt entry for this Debian release: a clear
error, nothing written."""
from ssotest.core import check


def run(w):
    w.mkdir('none/sources.list.d')
    w.write('none/sources.list', 'deb http://thirdparty.invalid/repo stable main\n')
    rc, out = w.apt_sources(w.path('none'))
    check(rc != 0, 'no Debian entry: apt-sources fails')
    check('no active apt entry for Debian %s' % w.codename() in out,
          'the error names the release (%s)' % out.strip())
