# The PAM service gdm-ovirtcred for a test: the shipped file
# (vdagent/pam/gdm-ovirtcred), with the module taken from the build directory
# and the test's module options, next to the machine's own common-account
# and common-session, in a directory of the test's that Linux-PAM reads
# through pam_start_confdir (the greeter emulator's --confdir). Source it, then
#   pam_service_write DIR MODULE [OPTIONS...]
# The directory belongs to the test, which removes it.
# Used by tests/pam/run-case and, through bash, by tests/guest's harness.
# shellcheck shell=bash

pam_service_write() {
	local dir=$1 module=$2 top
	shift 2
	top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
	mkdir -p "$dir" || return 1
	# only the module line changes: path and options; every other line is
	# the shipped one
	sed -e "s|^\(\S*\s*\S*\s*\)pam_vdagent_sso\.so.*|\1$module${*:+ $*}|" \
		"$top/vdagent/pam/gdm-ovirtcred" >"$dir/gdm-ovirtcred" &&
		cp /etc/pam.d/common-account /etc/pam.d/common-session "$dir/"
}
