"""Debian's unpatched libspice-client-glib-2.0-8 as the client (same
program, LD_LIBRARY_PATH): it has no --spice-gss-delegate, so the
program drops the option and says so; it connects with SASL GSSAPI as
alice, the server keeps nothing ("no delegated credential"), nothing
reaches vdagentd or the greeter, no login, no cache; its disconnect
locks nothing (no single sign-on session to lock)."""

import re
import time

from chain import chain, expect_no_delivery
from login_checks import PRINCIPAL
from vdagentd_harness import check


def run(guests):
    c = chain(guests)
    greeter = c.greeter()
    client = c.connect('alice', debian=True)
    client.wait_connected()
    check(client.find(r'^start library=/usr/lib/\S+/libspice-client-glib-2\.0\.so\.8 .*'
                      r'gss-delegate-option=no$'), "it runs on Debian's library")
    check(client.find(r'^option-ignored option=--spice-gss-delegate '),
          'the program dropped --spice-gss-delegate and said so')
    check(client.find(r'^session .* gss-delegate=unsupported$'), 'gss-delegate=unsupported')
    check(c.host.sso(r'link client=\S+ channel=main\b.*principal=%s .*result=allowed'
                     % re.escape(PRINCIPAL('alice')), client.t0),
          'the server authenticated alice over SASL GSSAPI')
    expect_no_delivery(c, client, 'no delegation from an unpatched client')
    check(c.host.sso(r'capture .*result=none reason="no delegated credential"', client.t0),
          'server: "no delegated credential"')
    check(client.disconnect() == 0, 'the client disconnects cleanly')
    c.guest.wait_log(r'New client connected')
    time.sleep(1.5)
    check(c.guest.lock_calls() == [], 'the disconnect locked nothing')
    check(not greeter.find(r'^signal |^session-opened'), 'the greeter never heard a thing')
