"""connect -> logged-in PAM session with a verified ccache. The patched
client delegates alice's forwardable TGT over SASL GSSAPI (plain TCP, so
with the SASL security layer); spice-server keeps the forwarded TGT and,
when vdagentd announces VD_AGENT_CAP_SSO, sends VD_AGENT_SSO on the agent
port; vdagentd accepts (the reply reaches the server), asks the greeter;
the module redeems the token, verifies the TGT against the host keytab,
installs it; the session's klist reads it as alice, 0600, KRB5CCNAME
set, a forwarded TGT. Then: the server wiped its copy on the reply;
vdagentd's memory does not hold the TGT's session key; after the client
leaves, the server's memory does not either; logout removes the cache."""

import re

from chain import chain, print_timeline
from login_checks import PRINCIPAL, assert_login, cache_key, cache_path, logout
from vdagentd_harness import check, scan_memory


def run(guests):
    c = chain(guests)
    greeter = c.greeter()
    client = c.connect('alice')
    client.wait_connected()
    check(client.find(r'^session .* gss-delegate=on$'), 'the client delegates (gss-delegate=on)')
    check(c.wait_login(greeter), 'the greeter opened a session')
    assert_login(c.guest, greeter, None)
    cache = cache_path(c.guest)
    check(greeter.find(r'^probe klist: .*Flags: [A-Za-z]*f'),
          'klist: the TGT in the session is a forwarded one (flag f)')
    key = bytes.fromhex(cache_key(cache))
    own = bytes.fromhex(cache_key(client.ccache))
    check(len(key) >= 16 and key != own,
          'the session holds the forwarded TGT, not a copy of the client\'s own')
    t0 = client.t0
    h = c.host
    check(h.sso(r'link client=\S+ channel=main\b.*principal=%s .*result=allowed'
                % re.escape(PRINCIPAL('alice')), t0), 'server: main channel authenticated as alice')
    check(h.sso(r'capture .*principal=%s result=kept' % re.escape(PRINCIPAL('alice')), t0),
          'server: the delegated credential kept')
    check(h.sso(r'deliver .*result=sent', t0), 'server: VD_AGENT_SSO sent on the agent port')
    h.err.wait(r'sso: reply .*result=accepted delivery=ended', 10, start=t0)
    check(True, 'server: vdagentd\'s reply ACCEPTED ended the delivery')
    h.err.wait(r'sso: wipe .*reason="?acknowledged', 10, start=t0)
    check(True, 'server: its copy wiped on the acknowledgement')
    check(c.guest.log.when(r'sso: VD_AGENT_SSO serial \d+ for %s ' % re.escape(PRINCIPAL('alice'))),
          'vdagentd: VD_AGENT_SSO for alice received')
    check(not scan_memory(c.guest.vdagentd.pid, key),
          'vdagentd\'s memory does not hold the forwarded TGT\'s session key')
    print_timeline(c, client, greeter)

    check(client.disconnect() == 0, 'the client disconnects cleanly')
    h.out.wait(r'^channel-disconnected .*type=main', 10)
    check(not scan_memory(h.proc.pid, key),
          'after the client left, the server\'s memory does not hold the session key')
    c.user_session()
    logout(c.guest, greeter)
