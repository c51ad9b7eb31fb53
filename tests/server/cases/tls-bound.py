"""Over TLS with channel binding: delivered. The SASL context is released
after the exchange: once the agent acknowledged, the key is nowhere in
the server's memory although the client is connected (and the binding
read-back, a second acceptance of the token, left no copy either)."""
import os


def run(s):
    alice = s.principal('alice')
    s.tls_case('--cb', '--dump-token', s.path('token'))
    s.wait('client-c.out', r'^auth-ok ')
    s.wait('host.err', r'sso: link .*channel=main .*tls=yes protection=bound ')
    s.wait('agent-a.out', rf'^sso serial=1 principal={alice}')
    s.wait('host.err', r'delivery=ended')
    s.check_recorded_tgt(os.path.join(s.rec, 'sso-1.ccache'), alice)
    s.forwarded_key()
    s.key_in_server_memory('absent', 'after the acknowledgement')
