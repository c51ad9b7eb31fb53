"""Without the PAM service file there is no signal and the reply is
NO_LOGIN_SERVICE; once the file exists, the same message is accepted."""

import time

from vdagentd_harness import PRINCIPAL, check, creds, guest


def run(guests):
    g = guest(guests, pam_file=False)
    g.start()
    cred, _ = creds(g)
    g.send_sso(PRINCIPAL('alice'), cred, serial=41)
    g.expect_reply(41, 'NO_LOGIN_SERVICE')
    g.wait_log(r'cannot ask the greeter to log alice@\S+ in: the PAM service file is missing')
    time.sleep(2)
    check(g.listener.count() == 0, 'no UserAuthenticated signal without the PAM service file')
    g.create_pam_file()
    g.send_sso(PRINCIPAL('alice'), cred, serial=42)
    g.expect_reply(42, 'ACCEPTED')
    g.listener.wait(1)
