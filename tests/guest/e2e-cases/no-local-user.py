"""A principal that maps to a local account single sign-on may never log
in as (root: uid 0; daemon: a system account below UID_MIN; nobody:
above UID_MAX) is refused by vdagentd itself: reply USER_REFUSED, a log
line that says why, no UserAuthenticated, so the greeter runs no
conversation (gnome-shell would show "Sorry, that didn't work" to whoever
sits at the screen). A principal with no local account (mallory) is
still left to the module ("the PAM module decides"), which refuses it
with outcome "no permitted local user" and reports; vdagentd keeps
serving."""

import re
import time

from e2e_harness import creds, guest
from login_checks import PRINCIPAL, left_in_cache_dir
from vdagentd_harness import check, wait_for


def run(guests):
    g = guest(guests)
    g.start()
    greeter = g.greeter()
    for serial, user, why in ((1, 'root', r'root@\S+ maps to root, uid 0: refused'),
                              (2, 'daemon', r'daemon@\S+ maps to daemon, uid 1, a system account'),
                              (3, 'nobody', r'nobody@\S+ maps to nobody, uid 65534, not a regular '
                               r'user account')):
        cred, _ = creds(g, user)
        g.send_sso(PRINCIPAL(user), cred, serial=serial)
        g.expect_reply(serial, 'USER_REFUSED')
        g.wait_log(r'sso: refusing %s@\S+: it maps to a local user single sign-on may not log in'
                   r' as \(the log of spice-vdagentd-sso@\d+\.service says why\); the greeter'
                   r' is not asked' % user)
        wait_for(lambda: re.search(r'%s@\S+ maps to a local user single sign-on may not log in'
                                   r' as: %s' % (user, why), g.helper_log()), 5,
                 'the helper to say why %s is refused' % user)
    time.sleep(1.5)
    log = g.read_log()
    check(not re.search(r'(root|daemon|nobody)@\S+ maps to no local user here', log),
          'none of them is left to the PAM module')
    check(g.listener.count() == 0, 'no UserAuthenticated signal for them')
    check(not greeter.find(r'^(signal|prompt|pam|result) '), 'the greeter ran no conversation')
    check(not re.search(r'pam_vdagent_sso', g.syslog.read()), 'the PAM module never ran')

    cred, _ = creds(g, 'mallory')
    g.send_sso(PRINCIPAL('mallory'), cred, serial=4)
    g.expect_reply(4, 'ACCEPTED')
    g.wait_log(r'sso: mallory@\S+ maps to no local user here; the PAM module decides')
    wait_for(lambda: greeter.find(r'^result '), 60, 'the conversation for mallory')
    g.syslog.wait(r'pam_vdagent_sso\(gdm-ovirtcred:auth\): refused %s: no permitted local '
                  r'user: mallory@\S+ maps to mallory, which is no local account'
                  % re.escape(PRINCIPAL('mallory')))
    g.wait_log(r'sso: the PAM module refused mallory@\S+: ')
    check(g.listener.count() >= 1, 'mallory\'s login was asked of the greeter')
    check(len(greeter.find(r'^result failed authenticate$')) == 1, 'mallory\'s conversation failed')
    check(not greeter.find(r'^session-opened'), 'no session')
    check(greeter.finish() == 0, 'the greeter emulator exits 0')
    check(left_in_cache_dir(g) == [], 'no cache file was left behind')
