"""The installed D-Bus policy (spice-vdagentd-sso.conf) lets root, and
only root, own org.ovirt.vdsm.Credentials on a bus with Debian's default
system policy, and lets anyone introspect the object (gnome-shell's
proxy does); without it vdagentd cannot own the name and answers
NO_LOGIN_SERVICE."""

from vdagentd_harness import PRINCIPAL, check, creds, guest


def run(guests):
    g = guest(guests)
    r = g.as_user(65534, ['gdbus', 'call', '--system', '--dest', 'org.freedesktop.DBus',
                          '--object-path', '/org/freedesktop/DBus', '--method',
                          'org.freedesktop.DBus.RequestName', 'org.ovirt.vdsm.Credentials', '4'])
    check(r.returncode != 0 and 'AccessDenied' in r.stderr,
          'a non-root process may not own the name (%s)' % r.stderr.strip()[:120])
    g.start()
    r = g.as_user(65534, ['gdbus', 'introspect', '--system', '--dest',
                          'org.ovirt.vdsm.Credentials', '--object-path',
                          '/org/ovirt/vdsm/Credentials'])
    check(r.returncode == 0 and 'UserAuthenticated' in r.stdout,
          'anyone may introspect /org/ovirt/vdsm/Credentials')

    g = guest(guests, bus_policy=False)
    g.start(wait_name=False)
    g.wait_log(r'sso: cannot own org\.ovirt\.vdsm\.Credentials on the system bus \(owned by '
               r'another process, or not allowed by the bus policy\)')
    cred, _ = creds(g)
    g.send_sso(PRINCIPAL('alice'), cred, serial=1)
    g.expect_reply(1, 'NO_LOGIN_SERVICE')
    g.wait_log(r'does not own org\.ovirt\.vdsm\.Credentials')
