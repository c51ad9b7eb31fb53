"""scripts/apt-sources --release R, for the other Debian release we build
for: R's own suites (R, R-updates, R-security) derived from this
release's entries, source entries only, no sid; written to the cache's
own apt directory, never to the machine's sources; an unknown release is
refused."""
import os
import subprocess

from ssotest.core import Skip, check

KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg'


def releases(top):
    """RELEASES of scripts/lib.sh."""
    r = subprocess.run(['bash', '-c', '. "$0/scripts/lib.sh" && echo "${RELEASES[@]}"', top],
                       stdout=subprocess.PIPE, text=True, check=True)
    return r.stdout.split()


def run(w):
    c = w.codename()
    other = [r for r in releases(w.top) if r != c]
    if not other:
        raise Skip('this machine runs no release other than those we build for')
    other = other[0]
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
''')
    env = {'APT_ETC': w.path('822')}
    rc, out = w.script('apt-sources', '--release', other, '--print', env=env)
    check(rc == 0, 'apt-sources --release %s --print succeeds (%s)' % (other, out))
    want = sorted([f'{other} http://mirror.invalid/debian main {KEYRING}',
                   f'{other}-updates http://mirror.invalid/debian main {KEYRING}',
                   f'{other}-security http://security.invalid/debian-security main {KEYRING}'])
    got = w.stanzas(out)
    check(got == want, '--release %s: its suites from this release\'s entries, no sid '
          '(got %s, want %s)' % (other, got, want))
    types = {l for l in out.splitlines() if l.startswith('Types:')}
    check(types == {'Types: deb-src'}, '--release %s: source entries only (%s)' % (other, types))
    if os.getuid() == 0:
        rc, out = w.script('apt-sources', '--release', other,
                           env=dict(env, SPICE_SSO_CACHE=w.path('cache')))
        check(os.path.isfile(w.path('cache/apt/%s/sources.sources' % other)) and
              not os.path.exists(w.path('822/sources.list.d/spice-sso-deb-src.sources')),
              '--release %s: written to the cache\'s own apt directory, not to the machine\'s '
              'sources (%s)' % (other, out))
    rc, out = w.script('apt-sources', '--release', 'nosuch', '--print', env=env)
    check(rc != 0, 'an unknown release is refused (%s)' % out.strip())
