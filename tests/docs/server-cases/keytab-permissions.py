"""A keytab the server's user cannot read, named (a) by the SASL
configuration as docs/deployment.md does (the GSSAPI plugin cannot load,
no mechanism is offered) and (b) by KRB5_KTNAME (the exchange fails): the
diagnosis names the keytab, the user and the fix; (c) the fix
deployment.md gives (group of qemu's user, mode 0640) makes it work."""
import os
import shutil

from ssotest.core import check


def sasl_conf(s, keytab=None):
    path = s.q + '/sasl/spice-test.conf'
    with open(path, 'w') as f:
        f.write('mech_list: GSSAPI GSS-SPNEGO\n' + ('keytab: %s\n' % keytab if keytab else ''))
    os.chmod(path, 0o644)


def run(s):
    s.user_tgt('alice', '-f')
    keytab = s.q + '/qemu.keytab'
    shutil.copy(os.environ['SPICE_KEYTAB'], keytab)
    os.chown(keytab, 0, 0)
    os.chmod(keytab, 0o600)
    fix = ('the keytab %s cannot be read by uid %d (Permission denied); fix: make it readable '
           'by the user qemu runs as' % (keytab, s.nobody_uid))
    # a)
    sasl_conf(s, keytab)
    s.start_host_as_nobody('--gss-delegate')
    check(s.run_client('a', '--port', s.port, '--delegate') != 0,
          'no link without a readable keytab (keytab: option)')
    line = s.wait('host.err', r'cannot list SASL mechanisms -4').string
    print('Cyrus:', line[line.index('cannot list SASL mechanisms'):])
    check(fix in s.diagnose(), 'the diagnosis names the keytab, the user and the fix')
    s.stop(s.host)
    # b)
    sasl_conf(s)
    s.start_host_as_nobody('--gss-delegate', env={'KRB5_KTNAME': 'FILE:' + keytab})
    check(s.run_client('b', '--port', s.port, '--delegate') != 0,
          'no link without a readable keytab (KRB5_KTNAME)')
    line = s.wait('host.err', r'sasl step failed').string
    print('Cyrus:', line[line.index('sasl step failed'):])
    check(fix in s.diagnose(), 'the diagnosis names the keytab, the user and the fix')
    s.stop(s.host)
    # c)
    shutil.chown(keytab, group='nogroup')
    os.chmod(keytab, 0o640)
    sasl_conf(s, keytab)
    s.start_host_as_nobody('--gss-delegate')
    check(s.run_client('c', '--port', s.port, '--delegate') == 0, 'linked after the fix')
    s.wait('host.err', r'sso: capture .*principal=%s result=kept' % s.principal('alice'))
