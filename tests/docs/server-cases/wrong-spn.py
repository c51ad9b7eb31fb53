"""A service name mismatch, both ways. (1) The client asks for
spice/wrong.spice.test (a real principal of the realm), which the server's
keytab lacks: the diagnosis names the keytab's principals and the
client-side fix, with a canonicalization hint, and the name it asks for
works. (2) The host's own canonical name (what Cyrus accepts for) is not
in its keytab: the diagnosis names the missing acceptor principal and the
fix."""
import os
import subprocess

from ssotest.core import check
from ssotest.spicehost import FQDN


def run(s):
    r = s.realm
    s.start_host('--gss-delegate')
    s.user_tgt('alice', '-f')
    check(s.run_client('w', '--port', s.port, '--sasl-host', 'wrong.spice.test',
                       '--delegate') != 0, 'no link with a wrong service name')
    s.expect('client-w.out', r'^auth-failed', 'a clean failure')
    line = s.wait('host.err', r'sasl step failed -13 .*gss_accept_sec_context').string
    print('Cyrus:', line[line.index('sasl step failed'):])
    d = s.diagnose()
    check('the keytab %s holds spice/%s@%s, spice/localhost@%s; fix: clients must ask for one '
          'of these names' % (os.environ['SPICE_KEYTAB'], FQDN, r, r) in d,
          "the diagnosis names the keytab's principals and the client-side fix")
    check('dns_canonicalize_hostname and rdns' in d, 'a canonicalization hint')
    # the name the fix asks for works
    check(s.run_client('c', '--port', s.port, '--delegate') == 0, "the keytab's name works")
    s.stop(s.host)

    other = s.path('other.keytab')
    for q in ('addprinc -randkey spice/localhost.localdomain@' + r,
              'ktadd -k %s spice/localhost.localdomain@%s' % (other, r)):
        subprocess.run(['kadmin.local', '-q', q], stdout=subprocess.DEVNULL, check=True)
    s.start_host('--gss-delegate', env={'KRB5_KTNAME': other}, agent_socket=False)
    check(s.run_client('o', '--port', s.port, '--sasl-host', 'localhost.localdomain',
                       '--delegate') != 0, 'no link')
    s.wait('host.err', r'sasl step failed')
    d = s.diagnose()
    check('this host accepts tickets for spice/%s, which is not in the keytab %s (it holds '
          'spice/localhost.localdomain@%s); fix: add spice/%s to the keytab'
          % (FQDN, other, r, FQDN) in d,
          'the diagnosis names the missing acceptor principal and the fix')
    check('ignore_acceptor_hostname = true' in d, 'an ignore_acceptor_hostname hint')
