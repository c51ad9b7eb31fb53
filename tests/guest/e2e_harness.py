"""What the guest-e2e cases (tests/guest/e2e-cases/<case>.py, run by
tests/guest/guest-e2e) share: the guest side of single sign-on end to end,
with no stand-in between the daemon and the PAM module.

Together, for real: the patched spice-vdagentd in the foreground (its agent
port on a UNIX socket driven by a test host that writes VD_AGENT_SSO
messages made with the protocol library around a TGT delegated through
GSSAPI in the throwaway realm, as spice-server receives it); its redemption
socket at the compiled-in path /run/spice-vdagentd/sso.sock, in the 0755
directory of upstream's tmpfiles.d; the greeter emulator listening on a
private dbus-daemon system bus (Debian's system policy plus the installed
spice-vdagentd-sso.conf) for UserAuthenticated from the name's owner; the
real pam_vdagent_sso loaded by Linux-PAM from the shipped gdm-ovirtcred
service file (module path filled in, no options: both sides use their
defaults) with the machine's common-account and common-session; the
realm's krb5.conf as /etc/krb5.conf with the guest's host/ keytab as
default keytab; nss_wrapper accounts; syslog into a private /dev/log.

Emulated, and why (details in vdagentd_harness.py): the seat (logind's
/run/systemd files, fabricated under unshare -m, read by vdagentd's real
sd-login backend), logind's D-Bus API (python3-dbusmock's template; LockSession emits the
session's Lock signal), the sessions' screen lockers (the harness's Shield:
SetLockedHint(true) on Lock), the greeter UI and GDM's worker (the
emulator: they need a seat, a GPU and GDM's private bus). What pam_systemd
and logind do when GDM opens a session (a user session on the seat) the
test does by hand once the greeter reports session-opened; the unlock
dialog's emulator (--session) reports the unlock with SetLockedHint(false),
as gnome-shell's screen shield does once dismissed.
"""
from login_checks import PRINCIPAL, assert_login
from vdagentd_harness import ALICE_UID, PAM_MODULE, SESSION_PROBE, Guest, Realm, Skip, check


def guest(guests, **kw):
    if PAM_MODULE is None:
        raise Skip('PAM_MODULE is not set (run through meson)')
    g = Guest(pam_module=PAM_MODULE, system_paths=True, syslog=True, **kw)
    guests.append(g)
    return g


def creds(g, user='alice', **kw):
    return Realm(g.dir).delegated(user, **kw)


def login(g, serial=1):
    """Start a holding greeter, send alice's VD_AGENT_SSO, see her logged in;
    then do what logind does when GDM opens the session. -> (greeter, key)"""
    greeter = g.greeter(command=[SESSION_PROBE], hold=True)
    check(not greeter.find(r'owner=none'), 'the greeter\'s proxy sees vdagentd owning the name')
    cred, key = creds(g)
    g.send_sso(PRINCIPAL('alice'), cred, serial=serial)
    g.expect_reply(serial, 'ACCEPTED')
    assert_login(g, greeter, key)
    g.add_user_session('2', ALICE_UID, 'alice')
    return greeter, key
