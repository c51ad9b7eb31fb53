"""Over TLS, an exchange bound neither to the TLS channel nor protected by
a SASL security layer: linked, but nothing delivered, the reason logged."""


def run(s):
    s.tls_case()
    s.wait('client-c.out', r'^auth-ok ')
    s.agent_exchange_done('c', 'a')
    s.nothing_delivered('a')
    s.wait('host.err', r'sso: capture .*principal=%s result=refused reason="over TLS, the '
           r'exchange is neither bound to the TLS channel nor protected by a SASL security '
           r'layer \(the client did not bind the exchange to the TLS channel\)"'
           % s.principal('alice'))
    s.wait('host.err', r'sso: link .*channel=main .*tls=yes protection=none .*result=allowed')
