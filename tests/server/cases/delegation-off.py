"""A host without --gss-delegate: nothing is captured or delivered, and
although the client delegated, the forwarded TGT's key is not in the
server's memory while the client stays connected (SASL keeps the
connection for its security layer, not the TGT)."""


def run(s):
    alice = s.principal('alice')
    s.start_host('--authz-allow', alice)
    s.start_agent('a')
    s.user_tgt('alice', '-f')
    s.start_client('c', '--port', s.port, '--delegate', '--agent', '--hold', 30,
                   '--dump-token', s.path('token'))
    s.wait('client-c.out', r'^auth-ok ')
    s.agent_exchange_done('c', 'a')
    s.nothing_delivered('a')
    s.absent('host.err', r'sso: capture')
    s.wait('host.err', rf'sso: link .*channel=main principal={alice} .*result=allowed')
    s.forwarded_key()
    s.key_in_server_memory('absent', 'delegation off, client connected')
