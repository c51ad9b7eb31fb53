"""The login path under a guest clock two hours ahead of the KDC's
(libfaketime, FAKETIME=+2h, in the greeter's processes only). The
greeter is tests/guest/greeter-emulator (gnome-shell 43's credential
manager and GDM's PAM calls; the real greeter needs a seat and a GPU),
running the real PAM module through the shipped
/etc/pam.d/gdm-ovirtcred (module path and test options filled in); its
syslog goes to a private /dev/log (ssotest.devlog). The login fails and
the module's refusal (sso_krb5_creds_verify() in
vdagent/pam/sso-krb5.c) names the fix."""

import os
import re
import shutil
import subprocess

from ssotest.devlog import DevLog
from vdagentd_harness import (
    FAKETIME, PRINCIPAL, TOP, Cgroups, Skip, check, creds, guest, need_faketime, wait_for)


def run(guests):
    need_faketime()
    for v in ('GREETER', 'PAM_MODULE'):
        if not os.access(os.environ.get(v, ''), os.X_OK if v == 'GREETER' else os.R_OK):
            raise Skip('%s is not set to a built program (run through meson)' % v)
    # syslog of the PAM module: a private /dev/log in this mount namespace
    syslog = os.path.join('/tmp', 'docs-clock-skew-syslog.%d' % os.getpid())
    devlog = DevLog(syslog)
    greeter = None
    try:
        g = guest(guests)
        # the shipped service file, with the module from the build and the
        # guest's socket and krb5.conf of this test
        pam_dir = os.path.dirname(g.pam_file)
        with open(os.path.join(TOP, 'vdagent', 'pam', 'gdm-ovirtcred')) as f:
            service = f.read()
        service = re.sub(r'(?m)^(\S+\s+\S+\s+)pam_vdagent_sso\.so.*$',
                         lambda m: '%s%s socket=%s krb5_conf=%s' % (
                             m.group(1), os.environ['PAM_MODULE'], g.sso_socket, g.krb5_conf),
                         service)
        with open(g.pam_file, 'w') as f:
            f.write(service)
        for c in ('common-account', 'common-session'):
            shutil.copy('/etc/pam.d/' + c, pam_dir)
        g.start()
        greeter_out = os.path.join(g.dir, 'greeter.out')
        env = dict(os.environ, DBUS_SYSTEM_BUS_ADDRESS=g.bus_address, FAKETIME='+2h',
                   **{k: v for k, v in g.nss_env.items() if k != 'LD_PRELOAD'})
        env['LD_PRELOAD'] = FAKETIME + ' ' + g.nss_env['LD_PRELOAD']
        env['KRB5_CONFIG'] = g.krb5_conf
        with open(greeter_out, 'w') as o:
            # where GDM runs a login conversation (vdagentd checks it)
            greeter = subprocess.Popen([os.environ['GREETER'], '--confdir', pam_dir,
                                        '--timeout', '60'], env=env, stdout=o,
                                       stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                       preexec_fn=Cgroups.enter(g.cgroups.gdm()))

        def greeter_says(pattern):
            with open(greeter_out, errors='replace') as f:
                return re.search(pattern, f.read(), re.M)
        wait_for(lambda: greeter_says(r'^ready owner=:'), 30, 'the greeter listening to vdagentd')
        cred, _ = creds(g)
        g.send_sso(PRINCIPAL('alice'), cred, serial=11)
        g.expect_reply(11, 'ACCEPTED')
        wait_for(lambda: greeter_says(r'^result '), 60, 'the end of the greeter\'s conversation')
        check(greeter_says(r'^result failed authenticate'), 'the login failed')

        def logged():
            with open(syslog, errors='replace') as f:
                return re.search(r'pam_vdagent_sso\(gdm-ovirtcred:auth\): refused alice@\S+: ticket'
                                 r' verification failed: ticket of alice@\S+ does not verify against'
                                 r' \S+: Clock skew too great; fix: synchronise the guest\'s clock'
                                 r' with the KDC.*', f.read())
        m = wait_for(logged, 10, 'the PAM module\'s refusal naming the fix in syslog')
        print('pam_vdagent_sso:', m.group(0))
        g.wait_log(r'the PAM module refused alice@')
    finally:
        if greeter is not None:
            greeter.terminate()
            greeter.wait()
        devlog.stop()
        if os.path.exists(syslog):
            os.unlink(syslog)
