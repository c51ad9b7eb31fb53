# Helpers for the guest's init and hook scripts; source it from bash.
#   sso_mark EVENT [DETAILS...]   one marker line on the serial console:
#                                 "SSO-GUEST <ms> EVENT DETAILS"
#   sso_mark_at US EVENT [...]    the same for CLOCK_REALTIME microseconds US
#   sso_log TAG                   each line of stdin as "SSO-GUEST <ms> log TAG <line>"
#   sso_now_ms                    print the guest clock used in markers
#   sso_poweroff [REASON]         ask init to power the guest off (after the
#                                 current hook, or at once from the command loop)
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
