"""The same as plain-delegate without --spice-gss-delegate: no forwarded
TGT at all, no channel delegates, main gets the server's whole list."""
from ssotest.core import check


def run(d):
    c = 'plain-nodelegate'
    d.start_host('gssapi gss-spnego digest-md5', 'plain')
    d.kinit_alice('-f')
    check(d.run_client(c, 'plain') == 0, 'the client exits 0')
    d.expect(c + '.out', r'^connected channel=main id=0$', 'main connects')
    d.expect(c + '.out', r'^session .* gss-delegate=off$', 'the session has gss-delegate=off')
    i, t = d.forwarded_tgts_issued(c), d.forwarded_tgts_traced(c)
    check(i == 0 and t == 0, 'no forwarded TGT (%d issued, %d traced)' % (i, t))
    d.absent(c + '.err', r'Delegating', 'no channel delegates')
    d.expect(c + '.err', r"main-1:0: Client start negotiation mechlist "
             r"',GSSAPI,GSS-SPNEGO,DIGEST-MD5,'", "main gets the server's whole list")
