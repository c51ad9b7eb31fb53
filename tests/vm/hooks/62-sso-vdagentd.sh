# SSO hook 3/4: the patched spice-vdagentd with single sign-on enabled by
# /etc/spice-vdagentd/sso.conf (there is no udev to start it when the port
# appears; docs/guest.md), in the foreground with debug output, on
# /dev/virtio-ports/com.redhat.spice.0; its output becomes markers
# (sso-events vdagentd: vdagentd-seat, vdagentd-sso-enabled, bus-name-owned,
# port-opened, port-kept-open, caps-announced, later sso-received,
# sso-replied, greeter-asked, token-redeemed, login-reported, ...).
# Waits until the port is open, the capability announced and the bus name
# owned, then reports vdagentd-ready. SSO_VDAGENTD_ARGS: more options.
. /usr/lib/spice-sso/guest-lib.sh
set -u
$BB mkdir -p /run/spice-vdagentd $RUN/state
$BB chmod 0755 /run/spice-vdagentd
t0=$(sso_now_ms)
# shellcheck disable=SC2086 # options are words
( spice-vdagentd -x -d ${SSO_VDAGENTD_ARGS:-} </dev/null 2>&1 & echo $! >$RUN/vdagentd.pid; wait ) |
	$STAMP | /usr/lib/spice-sso/sso-events vdagentd >/dev/null 2>&1 &
for ((i = 0; i < 50; i++)); do [ -s $RUN/vdagentd.pid ] && break; $BB sleep 0.02; done
read -r pid <$RUN/vdagentd.pid
sso_mark vdagentd-started "pid=$pid port=/dev/virtio-ports/com.redhat.spice.0 config=/etc/spice-vdagentd/sso.conf"
for ((i = 0; i < 300; i++)); do
	[ -e $RUN/state/port-opened ] && [ -e $RUN/state/caps-announced ] &&
		[ -e $RUN/state/bus-name-owned ] && break
	kill -0 "$pid" 2>/dev/null || { sso_mark vdagentd-failed "exited"; exit 1; }
	$BB sleep 0.1
done
if [ ! -e $RUN/state/port-opened ] || [ ! -e $RUN/state/caps-announced ] ||
	[ ! -e $RUN/state/bus-name-owned ]; then
	sso_mark vdagentd-failed "not ready after 30 s"
	exit 1
fi
sso_mark vdagentd-ready "pid=$pid ms=$(($(sso_now_ms) - t0))"
