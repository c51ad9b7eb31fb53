"""Display and inputs channels of the session, delegating too: linked,
but no second capture and no extra delivery."""
from ssotest.core import check, settle


def run(s):
    s.start_host('--gss-delegate', '--authz-allow', s.principal('alice'), '--display')
    s.start_agent('a')
    s.user_tgt('alice', '-f')
    s.start_client('c', '--port', s.port, '--delegate', '--agent', '--hold', 60)
    conn = s.main_connection('c')
    s.wait('agent-a.out', r'^sso serial=1 ')
    s.wait('host.err', r'delivery=ended')
    s.start_client('i', '--port', s.port, '--delegate', '--channel', 'inputs',
                   '--connection-id', conn, '--hold', 30)
    s.wait('client-i.out', r'^linked channel=3 ')
    s.start_client('d', '--port', s.port, '--delegate', '--channel', 'display',
                   '--connection-id', conn, '--hold', 30)
    s.wait('client-d.out', r'^linked channel=2 ')
    s.wait('host.err', r'sso: link .*channel=inputs .*result=allowed')
    s.wait('host.err', r'sso: link .*channel=display .*result=allowed')
    settle(0.5)
    check(s.count('host.err', r'sso: capture ') == 1, 'no other channel captured a credential')
    check(s.count('agent-a.out', r'^sso serial=') == 1, 'no extra delivery')
