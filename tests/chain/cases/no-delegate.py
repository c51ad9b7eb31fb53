"""The patched client without --spice-gss-delegate: authenticated, but
nothing delegated, kept, sent or logged in."""

from chain import chain, expect_no_delivery
from vdagentd_harness import check


def run(guests):
    c = chain(guests)
    c.greeter()
    client = c.connect('alice', delegate=False)
    client.wait_connected()
    check(client.find(r'^session .* gss-delegate=off$'), 'gss-delegate=off')
    expect_no_delivery(c, client, 'the client did not delegate')
    check(c.host.sso(r'capture .*result=none reason="no delegated credential"', client.t0),
          'server: "no delegated credential"')
    check(client.disconnect() == 0, 'the client disconnects cleanly')
