"""The client asks for a ticket to a service the server's keytab does not
hold (spice/wrong.spice.test, in the realm): a clean failure, nothing
captured; the server still serves its own name."""
from ssotest.core import check


def run(s):
    s.start_host('--gss-delegate')
    s.start_agent('a')
    s.user_tgt('alice', '-f')
    check(s.run_client('w', '--port', s.port, '--sasl-host', 'wrong.spice.test',
                       '--delegate', '--agent') != 0, 'the client does not link')
    s.expect('client-w.out', r'^auth-failed', 'a clean failure')
    s.absent('host.err', r'sso: capture')
    s.absent('host.out', r'^channel-connected')
    s.host_alive()
    # the server still serves the right name
    s.start_client('c', '--port', s.port, '--delegate', '--agent', '--hold', 30)
    s.wait('agent-a.out', r'^sso serial=1 ')
