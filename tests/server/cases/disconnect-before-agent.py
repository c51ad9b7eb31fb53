"""The client disconnects before any agent connected: nothing is
delivered, and the TGT's session key, in the server's memory while the
client was connected, is gone."""
from ssotest.core import settle


def run(s):
    s.start_host('--gss-delegate')
    s.user_tgt('alice', '-f')
    s.start_client('c', '--port', s.port, '--delegate', '--agent', '--hold', 30,
                   '--dump-token', s.path('token'))
    s.wait('host.err', r'sso: capture .*principal=%s result=kept' % s.principal('alice'))
    s.forwarded_key()
    # control: while the client is connected the server holds the key
    s.key_in_server_memory('found', 'client connected')
    s.stop(s.client)
    s.wait('host.out', r'^channel-disconnected .*type=main')
    s.wait('host.err', r'sso: wipe .*reason="client disconnected" delivered=no')
    s.start_agent('a')
    settle(0.5)
    s.nothing_delivered('a')
    s.key_in_server_memory('absent', 'client gone')
