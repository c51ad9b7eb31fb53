"""An agent that does not acknowledge, then reconnects: the TGT is
delivered again; once acknowledged, never again."""
import os

from ssotest.core import check, settle


def run(s):
    s.start_host('--gss-delegate')
    s.user_tgt('alice', '-f')
    s.start_agent('a1', '--reply', 'none')
    s.start_client('c', '--port', s.port, '--delegate', '--agent', '--hold', 60)
    s.wait('agent-a1.out', r'^sso serial=1 ')
    s.stop(s.agent)
    s.wait('host.out', r'^agent-detached')
    # not acknowledged: the next agent connection gets it again
    s.start_agent('a2', '--reply', 'accepted')
    s.wait('agent-a2.out', r'^sso serial=2 ')
    s.wait('host.err', r'sso: reply .*serial=2 result=accepted delivery=ended')
    s.check_recorded_tgt(os.path.join(s.rec, 'sso-2.ccache'), s.principal('alice'))
    s.stop(s.agent)
    s.wait('host.out', r'^agent-detached')
    # acknowledged: never again
    s.start_agent('a3')
    s.wait('client-c.out', r'agent-connected')
    settle(0.3)
    s.wait('agent-a3.out', r'^caps-sent .*request=0')
    s.agent_exchange_done('c', 'a3')
    s.agent_got_nothing('a3')
    check(s.count('host.err', r'sso: deliver ') == 2, 'exactly two deliveries')
