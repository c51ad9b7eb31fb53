"""The agent connects after the client: the TGT is delivered once (chunks
of at most 2048 bytes), acknowledged, and klist reads the recorded cache;
its key is in the server's memory before the delivery, and gone after the
acknowledgement although the client stays connected (plain TCP, SASL
security layer), and after it disconnects."""
import os

from ssotest.core import check, settle


def run(s):
    alice = s.principal('alice')
    s.start_host('--gss-delegate', '--authz-allow', alice)
    s.user_tgt('alice', '-f')
    s.start_client('c', '--port', s.port, '--delegate', '--agent', '--hold', 30,
                   '--dump-token', s.path('token'))
    s.wait('client-c.out', r'^main-init .* agent=0')
    s.wait('host.err', rf'sso: capture .*principal={alice} result=kept')
    key = s.forwarded_key()
    s.key_in_server_memory('found', 'before delivery')
    s.start_agent('a')
    s.wait('agent-a.out', rf'^sso serial=[0-9]+ principal={alice} flags=3 ')
    s.wait('agent-a.out', r'^reply-sent serial=[0-9]+ result=0')
    s.wait('host.err', rf'sso: reply .*principal={alice} .*result=accepted delivery=ended')
    s.wait('host.err', r'sso: wipe .*reason="acknowledged" delivered=yes')
    recorded = os.path.join(s.rec, 'sso-1.ccache')
    s.check_recorded_tgt(recorded, alice)
    # the key the agent received is the one in the client's token (what
    # ccache-key reads for the spice-gtk cases, which dump no token)
    check(s.recorded_key(recorded) == key,
          'ccache-key reads the forwarded TGT\'s key from the recorded cache')
    # the client asks again: nothing more
    settle(0.5)
    check(s.count('agent-a.out', r'^sso serial=') == 1, 'delivered once')
    check(s.count('host.err', r'sso: deliver ') == 1, 'one delivery logged')
    s.absent('agent-a.out', r'bad chunk', 'chunks of at most 2048 bytes')
    # acknowledged: nothing left, although the main channel is still up
    # without TLS, its SASL connection running the security layer (the
    # delegated credential SASL kept was released after the link check)
    s.key_in_server_memory('absent', 'after the acknowledgement, client connected')
    s.stop(s.client)
    s.wait('host.out', r'^channel-disconnected .*type=main')
    s.key_in_server_memory('absent', 'after the acknowledgement and disconnect')
