"""Every greeter on the machine hears the token; only seat0's local
login conversation redeems it. Another seat's greeter and a remote
display's greeter are refused by the module from their own PAM handle
(XDG_SEAT, PAM_RHOST) before they redeem anything; a root process that
runs the same PAM service outside GDM is refused by vdagentd from its
cgroup (WRONG_CONVERSATION). Then seat0's greeter logs in with the very
same token."""


from e2e_harness import creds, guest
from login_checks import PRINCIPAL, assert_login, logout, no_secret_logged
from vdagentd_harness import ALICE_UID, SESSION_PROBE, check


def run(guests):
    g = guest(guests)
    g.start()
    other_seat = g.greeter('--seat', 'seat1')
    remote = g.greeter('--seat', '', '--rhost', 'client.example.test')
    not_gdm = g.greeter(cgroup=g.cgroups.path('ssh.service'))
    seat0 = g.greeter('--answer-delay', '3', command=[SESSION_PROBE], hold=True)
    cred, key = creds(g)
    g.send_sso(PRINCIPAL('alice'), cred, serial=1)
    g.expect_reply(1, 'ACCEPTED')
    for wrong in (other_seat, remote, not_gdm):
        wrong.wait(r'^result ', 60)
        check(wrong.find(r'^pam authenticate 7 ') and wrong.find(r'^result failed authenticate'),
              'a wrong conversation is refused')
        check(wrong.finish() == 0, 'its emulator exits 0')
    g.syslog.wait(r'pam_vdagent_sso\(gdm-ovirtcred:auth\): refused: the conversation is on seat'
                  r' seat1 \(XDG_SEAT\), not on seat0')
    g.syslog.wait(r'pam_vdagent_sso\(gdm-ovirtcred:auth\): refused: the conversation has no seat')
    g.wait_log(r'sso: redemption: refused the FETCH of pid %d for the login of alice@\S+: it runs'
               r' in unit ssh.service, not in gdm.service; the token stays valid for seat0\'s'
               r' greeter' % not_gdm.proc.pid)
    g.syslog.wait(r'pam_vdagent_sso\(gdm-ovirtcred:auth\): refused: /run/spice-vdagentd/sso.sock'
                  r' holds this token for another conversation')
    assert_login(g, seat0, key)
    g.add_user_session('2', ALICE_UID, 'alice')
    logout(g, seat0)
    no_secret_logged(g, [t for _, t in g.listener.tokens], [key])
