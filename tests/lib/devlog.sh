# A private /dev/log for a test, so what programs send to syslog(3) (PAM
# modules through pam_syslog, daemons) can be read and asserted on. Only
# inside a private mount namespace (unshare -m --propagation private): /dev
# is replaced there by a tmpfs holding bind mounts of the real device nodes
# plus our socket; nothing outside the namespace sees it. Source it, then
#   devlog_start FILE   receive syslog datagrams into FILE, one line each
#   devlog_stop         stop the receiver (by its PID)
# The caller's EXIT trap calls devlog_stop.
# shellcheck shell=bash

devlog_start() {
	local file=$1 old e n
	[ "$(id -u)" = 0 ] || { echo "devlog: needs root" >&2; return 1; }
	old=$(mktemp -d /tmp/spice-sso-olddev.XXXXXX)
	mount --rbind /dev "$old" || return 1
	mount -t tmpfs -o mode=755,size=64k devlog /dev || { umount -l "$old"; return 1; }
	for e in "$old"/* "$old"/.[!.]*; do
		[ -e "$e" ] || [ -L "$e" ] || continue
		n=${e##*/}
		if [ -L "$e" ]; then
			cp -a "$e" "/dev/$n"
		elif [ -d "$e" ]; then
			mkdir "/dev/$n" && mount --rbind "$e" "/dev/$n"
		else
			touch "/dev/$n" && mount --bind "$e" "/dev/$n"
		fi
	done
	umount -l "$old" && rmdir "$old"
	: >"$file"
	python3 -u -c '
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
os.chmod("/dev/log", 0o666)
out = open(sys.argv[1], "a", buffering=1)
print("ready", flush=True)
while True:
    out.write(s.recv(65536).decode("utf-8", "replace").rstrip("\n") + "\n")
' "$file" >"$file.ready" 2>&1 &
	DEVLOG_PID=$!
	local i
	for i in $(seq 100); do
		grep -q ready "$file.ready" 2>/dev/null && { rm -f "$file.ready"; return 0; }
		sleep 0.05
	done
	echo "devlog: the receiver did not start" >&2
	return 1
}

devlog_stop() {
	if [ -n "${DEVLOG_PID:-}" ]; then
		kill "$DEVLOG_PID" 2>/dev/null
		wait "$DEVLOG_PID" 2>/dev/null
		unset DEVLOG_PID
	fi
}
