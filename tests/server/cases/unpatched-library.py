"""The test host built against Debian's libspice-server1: --gss-delegate is
refused with a clear message; without it, nothing is delivered. Debian's
spice-server does not filter VD_AGENT_SSO from clients: the guest agent
must check the port (docs/protocol.md)."""
import os

from ssotest.core import Skip, check


def run(s):
    host = os.environ.get('SPICE_TEST_HOST_DEBIAN', '')
    if not os.access(host, os.X_OK):
        raise Skip("Debian's libspice-server-dev is not installed, "
                   'so the unpatched host was not built')
    check(s.run_host_alone(host, '--gss-delegate') != 0, '--gss-delegate is refused')
    s.expect('alone.out', r'need a libspice-server with spice_server_set_sasl_gss_delegate')
    s.start_host(program=host)
    s.start_agent('a')
    s.user_tgt('alice', '-f')
    s.start_client('c', '--port', s.port, '--delegate', '--agent', '--hold', 30)
    s.wait('client-c.out', r'^auth-ok ')
    s.agent_exchange_done('c', 'a')
    s.nothing_delivered('a')
