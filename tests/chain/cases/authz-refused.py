"""The server's authorization hook allows only bob: alice's delegating
client is refused at the link (the client reports an authentication
error), nothing is kept or delivered; bob, allowed, logs in through the
same chain (the positive control)."""

import re

from chain import chain
from login_checks import PRINCIPAL
from vdagentd_harness import check


def run(guests):
    c = chain(guests, authz_allow=[PRINCIPAL('bob')])
    greeter = c.greeter()
    alice = c.connect('alice')
    check(alice.auth_refused(40), 'alice\'s client: authentication error, no channel opened,'
          ' exit 1')
    t0 = alice.t0
    check(c.host.out.when(r'^authz principal=%s result=refused$' % re.escape(PRINCIPAL('alice')),
                          t0), 'the hook was asked about alice@REALM and refused')
    check(c.host.sso(r'link client=\S+ channel=main\b.*principal=%s .*result=refused reason='
                     r'"not allowed by the authorization hook"' % re.escape(PRINCIPAL('alice')), t0),
          'server: link refused, "not allowed by the authorization hook"')
    check(not c.host.sso(r'capture ', t0) and not c.host.sso(r'deliver ', t0),
          'server: nothing captured or sent')
    check(not c.guest.log.when(r'VD_AGENT_SSO serial', t0) and not greeter.find(r'^signal '),
          'nothing reached vdagentd or the greeter')
    bob = c.connect('bob')
    bob.wait_connected()
    check(c.wait_login(greeter), 'bob (allowed) logs in')
    check(greeter.find(r'^user bob uid=5002$') and greeter.find(r'^probe klist-exit 0$'),
          'bob\'s session reads his cache')
    bob.disconnect()
