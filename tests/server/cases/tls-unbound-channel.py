"""Over TLS, a bound main channel that delegated, then a second channel
that is not bound: refused; a bound one links."""
from ssotest.core import check


def run(s):
    s.tls_case('--cb')
    conn = s.main_connection('c')
    s.wait('agent-a.out', r'^sso serial=1 ')
    check(s.run_client('i', '--port', s.tls_port, '--tls', '--ca', s.ca, '--channel', 'inputs',
                       '--connection-id', conn) != 0, 'an unbound channel does not join')
    s.expect('client-i.out', r'^auth-refused', 'a clean refusal')
    s.wait('host.err', r'sso: link .*channel=inputs .*result=refused reason="the client '
           r'delegated a credential, but this exchange is neither bound')
    s.start_client('i2', '--port', s.tls_port, '--tls', '--ca', s.ca, '--cb', '--channel',
                   'inputs', '--connection-id', conn, '--hold', 30)
    s.wait('client-i2.out', r'^linked channel=3 ')
