"""kinit without -f: the client connects, the KDC refuses the forwarded
TGT (TGT NOT FORWARDABLE), nothing issued."""
from ssotest.core import check


def run(d):
    c = 'not-forwardable'
    d.start_host('gssapi gss-spnego digest-md5', 'plain')
    d.kinit_alice('-F')
    check(d.run_client(c, 'plain', '--spice-gss-delegate') == 0, 'the client still exits 0')
    d.expect(c + '.out', r'^connected channel=main id=0$', 'main still connects')
    d.expect(c + '.kdc', r'TGT NOT FORWARDABLE.*alice@{0} for krbtgt/{0}@{0}'.format(d.realm),
             'the KDC refuses to forward the TGT')
    check(d.forwarded_tgts_issued(c) == 0, 'no forwarded TGT issued')
