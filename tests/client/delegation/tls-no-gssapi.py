"""Over TLS the server offers only PLAIN and DIGEST-MD5: the delegating
client refuses before any mechanism starts, with an error naming what was
offered; no KDC traffic, the server sees no channel."""
import os

from ssotest.core import check


def run(d):
    c = 'tls-no-gssapi'
    d.kinit_alice('-f')
    d.start_host('plain digest-md5', 'tls')
    check(d.run_client(c, 'tls', '--spice-gss-delegate') == 1, 'the client fails (exit 1)')
    d.expect(c + '.out', r'^error channel=main id=0 event=auth code=spice-client-error-quark:0 '
             r'message="Cannot delegate Kerberos credentials: the server offers neither GSSAPI '
             r'nor GSS-SPNEGO \(it offers: PLAIN DIGEST-MD5\)"$',
             'an error naming what the server offered')
    d.absent(c + '.err', r'Server start negotiation with mech', 'no mechanism was started')
    check(os.path.getsize(d.path(c + '.kdc')) == 0, 'nothing reached the KDC')
    d.absent(d.hout, r'^channel-connected', 'the server saw no channel')
