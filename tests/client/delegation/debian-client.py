"""Debian's unpatched libspice-client-glib (same soname, chosen with
LD_LIBRARY_PATH): spice-sso-connect drops --spice-gss-delegate and says
so, connects, no delegation."""
import os

from ssotest.core import Failure, check

LIBDIR = '/usr/lib/x86_64-linux-gnu'


def run(d):
    c = 'debian-client'
    lib = os.path.join(LIBDIR, 'libspice-client-glib-2.0.so.8')
    if not os.path.exists(lib):
        raise Failure("Debian's libspice-client-glib-2.0-8 is not installed "
                      '(scripts/setup installs it)')
    d.kinit_alice('-f')
    d.start_host('gssapi gss-spnego', 'plain')
    rc = d.run_client(c, 'plain', '--spice-gss-delegate', libdir=LIBDIR)
    d.expect(c + '.out', r'^start library=%s version=[0-9.]* gss-delegate-option=no$' % lib,
             'it runs on ' + lib)
    d.expect(c + '.out', r'^option-ignored option=--spice-gss-delegate ',
             'it drops --spice-gss-delegate and says so')
    d.expect(c + '.out', r'^session .* gss-delegate=unsupported$',
             'the session has gss-delegate=unsupported')
    check(rc == 0, 'it exits 0')
    d.expect(c + '.out', r'^connected channel=main id=0$', 'main connects')
    i, t = d.forwarded_tgts_issued(c), d.forwarded_tgts_traced(c)
    check(i == 0 and t == 0, 'no forwarded TGT (%d issued, %d traced)' % (i, t))
