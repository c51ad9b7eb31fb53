"""A login into a DIR collection in the runtime directory pam_systemd
would have made; keytab= given while krb5.conf's default keytab is a wrong
one: the option wins. The session is closed by SIGTERM; the collection
directory the module made is removed."""
import glob
import os

from ssotest.core import check


def run(p):
    rundir = p.path('run/user/5001')
    os.makedirs(rundir)
    os.chown(rundir, 5001, 5001)
    os.chmod(rundir, 0o700)
    p.guest_krb5_conf('DIR:%s/krb5cc' % p.path('run/user/%{uid}'),
                      keytab=os.environ['SPICE_KEYTAB'])
    p.module_options.append('keytab=' + os.environ['HOST_KEYTAB'])
    p.pam_config()
    p.close_by_signal = True
    p.client_tgt('alice')
    p.greeter('--hold', '--', p.probe)
    p.standin('alice')
    p.wait('greeter.out', r'^holding|^result ', 60)
    tkt = (sorted(glob.glob(rundir + '/krb5cc/tkt*')) or [rundir + '/krb5cc/tkt-missing'])[0]
    p.login('DIR:%s/krb5cc' % rundir, tkt)
    p.expect('greeter.out', r'^probe klist-l: ' + p.principal('alice'),
             'klist -l lists the cache')
    check(not os.path.exists(rundir + '/krb5cc'),
          'the collection directory made by the module is gone')
    os.rmdir(rundir)
    os.rmdir(p.path('run/user'))
    p.no_cache_left()
