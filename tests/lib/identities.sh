# Test accounts without touching the machine's account databases: nss_wrapper
# passwd and group files in a directory of the test's, for bash scripts
# (tests/bench/run-bench; the Python harnesses use ssotest.identities, which
# makes the same accounts). Source it, then
#   identities_create DIR   write DIR/passwd and DIR/group, export the
#                           NSS_WRAPPER_* variables and IDENTITIES_PRELOAD
# and run programs that must see the accounts with
#   LD_PRELOAD=$IDENTITIES_PRELOAD program ...
# The directory belongs to the test, which removes it.
#
# Accounts (principal in the realm of tests/lib/realm.sh -> account):
#   alice  uid 5001 home DIR/home/alice   a user
#   bob    uid 5002 home DIR/home/bob     a user
#   root   uid 0                          must be refused
#   daemon uid 1                          a system account: must be refused
#   nobody uid 65534                      above UID_MAX: must be refused
#   dynuser uid 61184                     a systemd dynamic user (61184-65519),
#                                         above UID_MAX: must be refused
#   mallory has no account
# shellcheck shell=bash

IDENTITIES_PRELOAD=$(ls /usr/lib/*/libnss_wrapper.so 2>/dev/null | head -n1)

identities_create() {
	local dir=$1
	mkdir -p "$dir/home/alice" "$dir/home/bob"
	# Password fields are "*" (no password, not shadowed): pam_unix reads a
	# shadowed entry from /etc/shadow itself, past nss_wrapper.
	cat >"$dir/passwd" <<PW
root:*:0:0:root:/root:/bin/bash
daemon:*:1:1:daemon:/usr/sbin:/usr/sbin/nologin
alice:*:5001:5001:Alice:$dir/home/alice:/bin/bash
bob:*:5002:5002:Bob:$dir/home/bob:/bin/bash
nobody:*:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
dynuser:*:61184:61184:Dynamic User:/:/usr/sbin/nologin
PW
	cat >"$dir/group" <<GR
root:x:0:
daemon:x:1:
alice:x:5001:
bob:x:5002:
nogroup:x:65534:
dynuser:x:61184:
GR
	chown 5001:5001 "$dir/home/alice"
	chown 5002:5002 "$dir/home/bob"
	chmod 755 "$dir" "$dir/home"
	export NSS_WRAPPER_PASSWD=$dir/passwd NSS_WRAPPER_GROUP=$dir/group
	export IDENTITIES_PRELOAD
	[ -n "$IDENTITIES_PRELOAD" ] || { echo "identities: libnss_wrapper.so not found (package libnss-wrapper)" >&2; return 1; }
}
