"""/etc/pam.d/gdm-ovirtcred is missing: the reply is NO_LOGIN_SERVICE and
the log line says to install it (or name it); with the file, the same
credential is accepted."""

from vdagentd_harness import PRINCIPAL, creds, guest


def run(guests):
    g = guest(guests, pam_file=False)
    g.start()
    cred, _ = creds(g)
    g.send_sso(PRINCIPAL('alice'), cred, serial=5)
    g.expect_reply(5, 'NO_LOGIN_SERVICE')
    m = g.wait_log(r'sso: cannot ask the greeter to log alice@\S+ in: the PAM service file is'
                   r' missing \([^)]*gdm-ovirtcred\); fix: install it with pam_vdagent_sso'
                   r' \(see pam_vdagent_sso\(8\)\), or name the right file with'
                   r' --sso-pam-service-file or pam-service-file= in /etc/spice-vdagentd/sso.conf')
    print('vdagentd:', m.group(0))
    g.create_pam_file()
    g.send_sso(PRINCIPAL('alice'), cred, serial=6)
    g.expect_reply(6, 'ACCEPTED')
