"""scripts/apt-sources derives deb-src entries from a one-line
sources.list with options, comments, a third-party and a disabled entry:
the Debian ones become deb-src, security included, sid added; the
third-party one is left out and no address is invented."""
from ssotest.core import check


def run(w):
    c = w.codename()
    w.mkdir('one/sources.list.d')
    w.write('one/sources.list', f'''# deb http://mirror.invalid/debian {c} main
deb [arch=amd64 signed-by=/usr/share/keyrings/k.gpg] http://mirror.invalid/debian {c} main contrib
deb http://mirror.invalid/debian {c}-updates main
deb http://security.invalid/debian-security {c}-security main
deb http://thirdparty.invalid/repo stable main
deb-src http://mirror.invalid/debian {c} main
''')
    rc, out = w.apt_sources(w.path('one'))
    check(rc == 0, 'apt-sources succeeds (%s)' % out)
    want = sorted([
        f'{c} http://mirror.invalid/debian main contrib /usr/share/keyrings/k.gpg',
        f'{c}-updates http://mirror.invalid/debian main -',
        f'{c}-security http://security.invalid/debian-security main -',
        'sid http://mirror.invalid/debian main contrib /usr/share/keyrings/k.gpg'])
    got = w.stanzas(out)
    check(got == want, 'one-line entries become deb-src, security included, sid added '
          '(got %s, want %s)' % (got, want))
