"""A TGT that is not forwardable: the capture line says nothing was
delegated and names the fix; the fix (kinit -f) makes it work."""
from ssotest.core import check


def run(s):
    alice = s.principal('alice')
    s.start_host('--gss-delegate')
    s.start_agent('a')
    s.user_tgt('alice')  # the realm's krb5.conf says forwardable = false
    check(s.run_client('c', '--port', s.port, '--delegate') == 0, 'the client links')
    line = s.wait('host.err', r'sso: capture .*principal=%s result=none '
                  r'reason="no delegated credential"' % alice).string
    print('spice-server:', line[line.index('sso: capture'):])
    s.expect('host.err', r'fix="the client must delegate \(remote-viewer --spice-gss-delegate\) '
             r'a forwardable ticket-granting ticket: kinit -f, or forwardable = true',
             'the capture line names the fix')
    # the fix it names
    s.user_tgt('alice', '-f')
    check(s.run_client('f', '--port', s.port, '--delegate') == 0, 'the client links')
    s.wait('host.err', r'sso: capture .*principal=%s result=kept' % alice)
