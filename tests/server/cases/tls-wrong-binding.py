"""Over TLS, an exchange bound to another certificate (a relay's): the
link fails, nothing is captured or delivered."""
from ssotest.core import check


def run(s):
    s.tls_host()
    s.start_agent('a')
    s.user_tgt('alice', '-f')
    check(s.run_client('c', '--port', s.tls_port, '--tls', '--ca', s.ca, '--delegate',
                       '--cb-wrong') != 0, 'a relayed exchange does not link')
    s.expect('client-c.out', r'^auth-failed', 'a clean failure')
    s.nothing_delivered('a')
    s.absent('host.err', r'sso: capture')
    s.host_alive()
