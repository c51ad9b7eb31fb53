# SSO hook 1/4 (tests/vm/hooks/6*-sso-*.sh, docs/vm.md "Single sign-on in
# the guest"): what a Debian desktop guest has running before GDM shows its
# greeter, for single sign-on, in a guest that runs no systemd:
#  - a syslog (busybox syslogd; the PAM module logs through syslog(3)), its
#    lines turned into markers by sso-events (tgt-verified, ccache-installed);
#  - the users' default credential cache: SSO_CCACHE, if set, becomes
#    default_ccache_name in /etc/krb5.conf (e.g. KEYRING:persistent:%{uid});
#  - logind's seat state, FABRICATED: GDM's greeter session c1 (Debian-gdm,
#    class greeter) active on seat0, as files under /run/systemd that
#    spice-vdagentd's sd-login reads (/usr/lib/spice-sso/sso-seat); there is
#    no logind to write them;
#  - logind's D-Bus API as far as spice-vdagentd uses it (GetSession,
#    LockSession, LockedHint): a stand-in (/usr/libexec/spice-sso/logind-standin),
#    with --shield also every session's screen locker (Lock ->
#    SetLockedHint(true), Unlock -> SetLockedHint(false)), as gnome-shell is.
# Needs the files of tests/vm/guest-files (Guest(builds=True)).
. /usr/lib/spice-sso/guest-lib.sh
set -u
$BB mkdir -p $RUN/state

# syslog, through a pipe into the marker filter
( $BB syslogd -n -O - </dev/null 2>&1 | $STAMP | /usr/lib/spice-sso/sso-events syslog ) \
	</dev/null >/dev/null 2>&1 &
for ((i = 0; i < 100; i++)); do [ -S /dev/log ] && break; $BB sleep 0.05; done
[ -S /dev/log ] || { sso_mark sso-system-failed "no /dev/log"; exit 1; }
sso_mark syslog-ready "socket=/dev/log"

# the users' default credential cache
if [ -n "${SSO_CCACHE:-}" ]; then
	$BB sed -i "s|^\[libdefaults\]\$|[libdefaults]\n\tdefault_ccache_name = $SSO_CCACHE|" /etc/krb5.conf
	sso_mark krb5-ccache "default_ccache_name=$SSO_CCACHE"
fi

# logind's seat state: the greeter (fabricated, see above)
/usr/lib/spice-sso/sso-seat greeter || { sso_mark sso-system-failed "seat"; exit 1; }

# logind's D-Bus API (stand-in); it reports logind-ready itself
/usr/libexec/spice-sso/logind-standin --shield </dev/null >$RUN/log/logind-standin.out 2>&1 &
for ((i = 0; i < 100; i++)); do
	dbus-send --system --print-reply --dest=org.freedesktop.DBus / \
		org.freedesktop.DBus.NameHasOwner string:org.freedesktop.login1 2>/dev/null |
		grep -q 'boolean true' && exit 0
	$BB sleep 0.1
done
sso_mark sso-system-failed "the logind stand-in did not appear on the bus"
exit 1
