"""A TGT that is not forwardable cannot be delegated: nothing is
delivered, and the server logs why."""
from ssotest import realm
from ssotest.core import check


def run(s):
    s.start_host('--gss-delegate')
    s.start_agent('a')
    s.user_tgt('alice')  # the realm's krb5.conf says forwardable = false
    _, out = realm.klist('-f', env=s.env)
    check('Flags: F' not in out, 'the TGT is not forwardable')
    s.start_client('c', '--port', s.port, '--delegate', '--agent', '--hold', 30)
    s.wait('client-c.out', r'^auth-ok ')
    s.agent_exchange_done('c', 'a')
    s.nothing_delivered('a')
    s.wait('host.err', r'sso: capture .*principal=%s result=none '
           r'reason="no delegated credential"' % s.principal('alice'))
