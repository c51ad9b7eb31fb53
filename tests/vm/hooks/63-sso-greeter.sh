# SSO hook 4/4: the greeter, EMULATED (tests/guest/greeter-emulator:
# gnome-shell 43's oVirt credential manager and GDM's PAM calls; the real
# greeter needs a GPU and GDM), listening on the system bus for
# UserAuthenticated from the owner of org.ovirt.vdsm.Credentials, answering
# with the token in PAM service gdm-ovirtcred (the real pam_vdagent_sso), and
# running the session command (session-probe: id, klist, stat) as the user.
# Its output becomes markers (sso-events greeter: greeter-ready,
# greeter-signal, greeter-answered, greeter-pam, greeter-user,
# session-opened, session-env, session-uid, klist-ok, klist, ccache-stat,
# session-closed, greeter-result); session-opened also puts the user's
# session on the fabricated seat (sso-seat user 2 ...), as pam_systemd and
# logind would, and session-closed takes it off.
#   SSO_GREETER_CONVERSATIONS  conversations to run (1)
#   SSO_GREETER_UNLOCK         a user name: be that user's unlock dialog
#   SSO_GREETER_SESSION        with SSO_GREETER_UNLOCK: the logind session it
#                              unlocks; a successful unlock is reported to
#                              logind (SetLockedHint(false)), as gnome-shell's
#                              shield does
#   SSO_GREETER_TIMEOUT        seconds before it gives up (3600)
#   SSO_GREETER_NAME           another instance, e.g. "unlock": its markers
#                              are prefixed "unlock-" and it leaves the seat
#                              alone (run this script again from the control
#                              port for an unlock dialog next to the login)
# The session stays open until "close" is written to /run/spice-sso/greeter.in
# (/run/spice-sso/NAME.in; the user logs out).
. /usr/lib/spice-sso/guest-lib.sh
set -u
name=${SSO_GREETER_NAME:-}
pfx=${name:+$name-}
$BB mkdir -p $RUN/state
$BB mkfifo -m 0600 "$RUN/${name:-greeter}.in" || exit 1
args=(--confdir /etc/pam.d --timeout "${SSO_GREETER_TIMEOUT:-3600}"
	--conversations "${SSO_GREETER_CONVERSATIONS:-1}" --hold)
[ -n "${SSO_GREETER_UNLOCK:-}" ] && args+=(--unlock "$SSO_GREETER_UNLOCK")
[ -n "${SSO_GREETER_UNLOCK:-}" ] && [ -n "${SSO_GREETER_SESSION:-}" ] &&
	args+=(--session "$SSO_GREETER_SESSION")
# Where GDM 43 runs the conversation, since vdagentd checks the redemption
# socket's peer by its cgroup: a login conversation's worker in
# gdm.service, an unlock dialog's in the locked user's session scope (the
# session on the fabricated seat: SSO_GREETER_SESSION, else the first one
# whose USER= is the user's). Without such a session there is no unlock
# dialog to emulate.
cg=/sys/fs/cgroup/system.slice/gdm.service
if [ -n "${SSO_GREETER_UNLOCK:-}" ]; then
	if [ -n "${SSO_GREETER_SESSION:-}" ]; then
		sfile=/run/systemd/sessions/$SSO_GREETER_SESSION
		$BB grep -qx "USER=$SSO_GREETER_UNLOCK" "$sfile" 2>/dev/null || sfile=
	else
		sfile=$($BB grep -l "^USER=$SSO_GREETER_UNLOCK\$" /run/systemd/sessions/* 2>/dev/null | $BB head -n1)
	fi
	[ -n "$sfile" ] || { sso_mark "${pfx}greeter-failed" "no session of $SSO_GREETER_UNLOCK"; exit 1; }
	cg=/sys/fs/cgroup/user.slice/user-$($BB sed -n 's/^UID=//p' "$sfile").slice/session-${sfile##*/}.scope
fi
$BB mkdir -p "$cg"
bash -c 'echo $$ >"$0/cgroup.procs" && exec "$@"' "$cg" \
	/usr/libexec/spice-sso/greeter-emulator "${args[@]}" -- /usr/lib/spice-sso/session-probe \
	<>"$RUN/${name:-greeter}.in" 2>&1 | $STAMP |
	/usr/lib/spice-sso/sso-events "greeter${name:+-$name}" "$pfx" >/dev/null 2>&1 &
for ((i = 0; i < 100; i++)); do [ -e "$RUN/state/${pfx}greeter-ready" ] && exit 0; $BB sleep 0.1; done
sso_mark "${pfx}greeter-failed" "not ready after 10 s"
exit 1
