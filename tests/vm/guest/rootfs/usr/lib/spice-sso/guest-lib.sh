# Helpers for the guest's init and hook scripts; source it from bash.
#   sso_mark EVENT [DETAILS...]   one marker line on the serial console:
#                                 "SSO-GUEST <ms> EVENT DETAILS"
#   sso_mark_at US EVENT [...]    the same for CLOCK_REALTIME microseconds US
#   sso_log TAG                   each line of stdin as "SSO-GUEST <ms> log TAG <line>"
#   sso_now_ms                    print the guest clock used in markers
#   sso_poweroff [REASON]         ask init to power the guest off (after the
#                                 current hook, or at once from the command loop)
#   sso_calibrate                 measure the marker clock's offset (once, at boot)
#   sso_control_loop FD           serve the host's commands read from FD (below)
# <ms> is CLOCK_BOOTTIME (uptime) in milliseconds: init measures the offset of
# the realtime clock once at boot, so markers are precise to the microsecond
# relative to each other (bash's EPOCHREALTIME) without forking a process.
# C code can write the same lines itself with clock_gettime(CLOCK_BOOTTIME).
# Details must never contain a secret: the console is a log.
# shellcheck shell=bash

SSO_CONSOLE=${SSO_CONSOLE:-/dev/ttyS0}
SSO_RUN=/run/spice-sso
# the hook scripts' shorthands: busybox, the run directory, and the stamper
# of the lines an actor writes (sso-events uses the stamp; cat without it)
BB=/usr/bin/busybox
RUN=$SSO_RUN
STAMP=/usr/lib/spice-sso/sso-stamp
[ -x $STAMP ] || STAMP=cat

sso_now_ms() {
	local off=0 us
	[ -r $SSO_RUN/clock-offset-us ] && read -r off <$SSO_RUN/clock-offset-us
	us=${EPOCHREALTIME/./}
	echo $(((us + off) / 1000))
}

sso_mark() {
	sso_mark_at "" "$@"
}

# sso_mark_at US EVENT [DETAILS...]: the marker of something that happened at
# CLOCK_REALTIME microseconds US (empty: now), e.g. a line stamped by sso-stamp
sso_mark_at() {
	local off=0 us=$1 ev=$2 msg
	shift 2
	[ -r $SSO_RUN/clock-offset-us ] && read -r off <$SSO_RUN/clock-offset-us
	[ -n "$us" ] || us=${EPOCHREALTIME/./}
	msg="$*"
	msg=${msg//[$'\r\n']/ }
	printf 'SSO-GUEST %d %s%s\n' $(((us + off) / 1000)) "$ev" "${msg:+ $msg}" >"$SSO_CONSOLE"
}

sso_log() {
	local tag=$1 line
	while IFS= read -r line || [ -n "$line" ]; do
		sso_mark log "$tag $line"
	done
}

sso_poweroff() {
	mkdir -p $SSO_RUN
	echo "${1:-requested}" >$SSO_RUN/poweroff
}

# Markers carry CLOCK_BOOTTIME in ms. Find the offset of the realtime clock
# (bash reads it without forking) at an edge of /proc/uptime's 10 ms steps.
sso_calibrate() {
	local u0 u1 r i
	mkdir -p $SSO_RUN
	read -r u0 _ </proc/uptime
	for ((i = 0; i < 200000; i++)); do
		read -r u1 _ </proc/uptime
		r=${EPOCHREALTIME/./}
		[ "$u1" != "$u0" ] && break
	done
	u1=${u1/./}
	echo $((10#$u1 * 10000 - r)) >$SSO_RUN/clock-offset-us
}

# sso_control_loop FD: the host's commands, one a line, from FD (the control
# port: a serial port that is a UNIX socket on the host):
#   ping                    -> "pong"
#   run <id> <shell words>  run it with bash -c as root in the background;
#                           its output becomes "out <id> <line>" markers, then
#                           "run-exit <id> rc=<n>"
#   poweroff [reason]       calls the caller's sso_poweroff_now REASON
# The caller may define sso_control_tick, called every 0.2 s in a subshell.
_sso_run_cmd() { # id command
	local id=$1 out=$SSO_RUN/cmd/$1.out rc line
	bash -c "$2" </dev/null >"$out" 2>&1
	rc=$?
	while IFS= read -r line || [ -n "$line" ]; do sso_mark out "$id $line"; done <"$out"
	rm -f "$out"
	sso_mark run-exit "$id rc=$rc"
}

sso_control_loop() {
	local fd=$1 idle line cmd rest id words
	mkdir -p $SSO_RUN/cmd
	chmod 0700 $SSO_RUN/cmd
	# a pipe nobody writes to: a timed read of it is a sleep without a
	# process (under TCG every exec costs about 0.1 s)
	exec {idle}<> <(:)
	# Commands are read without a time-out, and the tick runs beside them.
	# A timed read is not used for the commands: bash 5.2's "read -t" can
	# take the newline of a line that completes just as the time-out fires
	# and still report the time-out, and two commands then ran as one
	# ("...; donerun r58 ..." in the GNOME guest under load; 12 lines in
	# 2000 with a 1 ms time-out on a loaded host).
	if declare -F sso_control_tick >/dev/null; then
		(while :; do
			sso_control_tick
			read -r -t 0.2 -u "$idle" _
		done) &
	fi
	while :; do
		line=""
		if ! IFS= read -r -u "$fd" line; then
			# end of file (no host connected yet, or it went away): a
			# line cut by it is dropped, the host sends whole lines
			read -r -t 0.2 -u "$idle" _
			continue
		fi
		line=${line%$'\r'}
		read -r cmd rest <<<"$line"
		case "$cmd" in
		"") ;;
		ping) sso_mark pong ;;
		poweroff) sso_poweroff_now "${rest:-command}" ;;
		run)
			read -r id words <<<"$rest"
			if [[ "$id" =~ ^[A-Za-z0-9_.-]+$ ]] && [ -n "$words" ]; then
				_sso_run_cmd "$id" "$words" &
			else
				sso_mark cmd-refused "malformed run command"
			fi
			;;
		*) sso_mark cmd-refused "unknown command ${cmd:0:32}" ;;
		esac
		# (bash reaps finished commands on SIGCHLD)
	done
}
