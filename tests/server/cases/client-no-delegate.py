"""The client does not delegate: nothing is delivered, and the server logs
why."""


def run(s):
    s.start_host('--gss-delegate')
    s.start_agent('a')
    s.user_tgt('alice', '-f')
    s.start_client('c', '--port', s.port, '--agent', '--hold', 30)
    s.wait('client-c.out', r'^auth-ok ')
    s.agent_exchange_done('c', 'a')
    s.nothing_delivered('a')
    s.wait('host.err', r'sso: capture .*principal=%s result=none '
           r'reason="no delegated credential"' % s.principal('alice'))
