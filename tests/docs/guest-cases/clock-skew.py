"""The guest's clock runs two hours ahead of the KDC's (libfaketime,
FAKETIME=+2h, in the helper only; the KDC, the client and this test
keep the real time). The principal's user already has a session, so
vdagentd's helper (spice-vdagent-sso-helper, through pam_vdagent_sso)
verifies the new TGT (the refresh path, sso_krb5_creds_verify() in
vdagent/pam/sso-krb5.c) under the skewed clock: the refusal in syslog
names the fix, and nothing is written."""

import os
import stat

from vdagentd_harness import (
    ALICE_UID, FAKETIME, FLAG_LOGIN, FLAG_REFRESH, PRINCIPAL, check, creds, guest, need_faketime)


def run(guests):
    need_faketime()
    # the helper (and the PAM module it runs) verifies the ticket: its clock
    # two hours ahead of the KDC
    wrapper = []
    g = guest(guests, syslog=True, wrap=lambda name: wrapper if name == 'helper' else [])
    wrapper.append(os.path.join(g.dir, 'helper-2h-ahead'))
    with open(wrapper[0], 'w') as f:
        f.write('#!/bin/sh\n# the guest clock two hours ahead of the KDC\n'
                'LD_PRELOAD="%s${LD_PRELOAD:+ $LD_PRELOAD}" FAKETIME=+2h exec "$@"\n'
                % FAKETIME)
    os.chmod(wrapper[0], stat.S_IRWXU)
    g.start()
    g.add_user_session('2', ALICE_UID, 'alice')
    cred, _ = creds(g)
    g.send_sso(PRINCIPAL('alice'), cred, serial=9, flags=FLAG_LOGIN | FLAG_REFRESH)
    g.expect_reply(9, 'ACCEPTED')
    m = g.syslog.wait(r'refused alice@\S+: ticket verification failed: ticket of alice@\S+ does'
                      r' not verify against \S+: Clock skew too great; fix: synchronise the'
                      r' guest\'s clock with the KDC', 20)
    print('pam_vdagent_sso (the helper\'s refresh):', m.group(0))
    check(not os.path.exists(os.path.join(g.cache_dir, 'krb5cc_%d' % ALICE_UID)),
          'nothing was written')
