"""--spice-gss-delegate, forwardable TGT, plain TCP: both channels connect;
exactly one forwarded TGT is fetched (one TGS-REQ for krbtgt/REALM, in the
KDC log and the trace); only main-1:0 delegates, its mechanism list cut to
GSSAPI,GSS-SPNEGO while inputs-3:0 gets the server's whole list; main's
initial token carries the KRB-CRED (hundreds of bytes larger than
inputs')."""
from ssotest.core import check


def run(d):
    c = 'plain-delegate'
    # plain TCP: without TLS the server offers what meets SSF 56 (not PLAIN)
    d.start_host('gssapi gss-spnego digest-md5', 'plain')
    d.kinit_alice('-f')
    check(d.run_client(c, 'plain', '--spice-gss-delegate') == 0, 'the client exits 0')
    d.expect(c + '.out', r'^session .* gss-delegate=on$', 'the session has gss-delegate=on')
    d.expect(c + '.out', r'^connected channel=main id=0$', 'main connects')
    d.expect(c + '.out', r'^connected channel=inputs id=0$', 'inputs connects')
    n = d.forwarded_tgts_issued(c)
    check(n == 1, 'the KDC issued exactly one forwarded TGT (%d)' % n)
    n = d.forwarded_tgts_traced(c)
    check(n == 1, "the client's trace shows exactly one forwarded TGT (%d)" % n)
    d.expect(c + '.err', r"main-1:0: Delegating Kerberos credentials: mechlist "
             r"',GSSAPI,GSS-SPNEGO,DIGEST-MD5,' restricted to 'GSSAPI,GSS-SPNEGO'",
             'main delegates, with its list cut to GSSAPI,GSS-SPNEGO')
    d.expect(c + '.err', r"main-1:0: Client start negotiation mechlist 'GSSAPI,GSS-SPNEGO'$",
             'main starts SASL with GSSAPI,GSS-SPNEGO only')
    d.absent(c + '.err', r'inputs-3:0: Delegating', 'inputs does not delegate')
    d.expect(c + '.err', r"inputs-3:0: Client start negotiation mechlist "
             r"',GSSAPI,GSS-SPNEGO,DIGEST-MD5,'", "inputs gets the server's whole list")
    tm, ti = d.initial_token(c, 'main-1:0'), d.initial_token(c, 'inputs-3:0')
    check(tm is not None and ti is not None and tm > ti + 400,
          "main's first token carries the forwarded TGT (%s bytes, inputs %s)" % (tm, ti))
    d.expect(d.hout, r'^channel-connected .* type=main id=0 tls=no', 'the server saw main')
    d.expect(d.hout, r'^channel-connected .* type=inputs id=0 tls=no', 'the server saw inputs')
