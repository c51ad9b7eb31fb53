"""scripts/apt-sources derives deb-src entries from deb822 files with
several suites per stanza, a disabled stanza and a foreign one: the
Debian ones become deb-src (sid added, without expiry), the disabled and
foreign ones are left out."""
import re

from ssotest.core import check

KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg'


def run(w):
    c = w.codename()
    w.write('822/sources.list.d/debian.sources', f'''Types: deb
URIs: http://mirror.invalid/debian
Suites: {c} {c}-updates
Components: main
Signed-By: {KEYRING}

Types: deb
URIs: http://security.invalid/debian-security
Suites: {c}-security
Components: main
Signed-By: {KEYRING}

Types: deb
Enabled: no
URIs: http://disabled.invalid/debian
Suites: {c}
Components: main
''')
    w.write('822/sources.list.d/other.sources', '''Types: deb
URIs: http://thirdparty.invalid/repo
Suites: nodistro
Components: main
''')
    rc, out = w.apt_sources(w.path('822'))
    check(rc == 0, 'apt-sources succeeds (%s)' % out)
    want = sorted([f'{c} http://mirror.invalid/debian main {KEYRING}',
                   f'{c}-updates http://mirror.invalid/debian main {KEYRING}',
                   f'{c}-security http://security.invalid/debian-security main {KEYRING}',
                   f'sid http://mirror.invalid/debian main {KEYRING}'])
    got = w.stanzas(out)
    check(got == want, 'deb822 stanzas become deb-src, disabled and foreign ones left out '
          '(got %s, want %s)' % (got, want))
    sid = [b for b in out.split('\n\n') if re.search(r'(?m)^Suites: sid$', b)]
    check(sid and re.search(r'(?m)^Check-Valid-Until: no$', sid[0]),
          'the sid entry does not expire')
