"""A principal the authorization hook does not allow: the link is refused
cleanly, nothing is captured or delivered; an allowed one then links and
gets its TGT delivered."""
from ssotest.core import check


def run(s):
    alice, bob = s.principal('alice'), s.principal('bob')
    s.start_host('--gss-delegate', '--authz-allow', bob)
    s.start_agent('a')
    s.user_tgt('alice', '-f')
    check(s.run_client('c', '--port', s.port, '--delegate', '--agent') != 0,
          'alice\'s client does not link')
    s.expect('client-c.out', r'^auth-refused', 'a clean refusal')
    s.wait('host.out', rf'^authz principal={alice} result=refused')
    s.wait('host.err', rf'sso: link .*principal={alice} .*authz=refused result=refused '
           r'reason="not allowed by the authorization hook"')
    s.absent('host.err', r'sso: capture')
    s.absent('host.out', r'^channel-connected')
    s.nothing_delivered('a')
    # bob may
    s.user_tgt('bob', '-f')
    s.start_client('b', '--port', s.port, '--delegate', '--agent', '--hold', 30)
    s.wait('client-b.out', r'^auth-ok ')
    s.wait('agent-a.out', rf'^sso serial=[0-9]+ principal={bob}')
    s.host_alive()
