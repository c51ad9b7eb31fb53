"""Over TLS: every channel sets the tls-server-end-point binding (SHA256),
the unpatched server (which binds nothing) accepts, one forwarded TGT."""
from ssotest.core import check


def run(d):
    c = 'tls-delegate'
    d.kinit_alice('-f')
    d.start_host('gssapi gss-spnego', 'tls')
    check(d.run_client(c, 'tls', '--spice-gss-delegate') == 0, 'the client exits 0')
    d.expect(c + '.out', r'^connected channel=main id=0$', 'main connects')
    d.expect(c + '.out', r'^connected channel=inputs id=0$', 'inputs connects')
    d.expect(c + '.err', r'main-1:0: SASL channel binding tls-server-end-point \(SHA256\)',
             'main binds to TLS (tls-server-end-point, SHA256)')
    d.expect(c + '.err', r'inputs-3:0: SASL channel binding tls-server-end-point \(SHA256\)',
             'inputs binds to TLS too')
    d.expect(d.hout, r'^channel-connected .* type=main id=0 tls=yes', 'the server saw TLS channels')
    i, t = d.forwarded_tgts_issued(c), d.forwarded_tgts_traced(c)
    check(i == 1 and t == 1, 'exactly one forwarded TGT (%d issued, %d traced)' % (i, t))
