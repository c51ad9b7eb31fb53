# Shared helpers for the project's scripts. Source it; do not run it.
# shellcheck shell=bash

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# Builds of upstream trees are cached outside the clone, keyed by upstream
# version and by the hash of our patch series and injected sources.
CACHE=${SPICE_SSO_CACHE:-/var/cache/spice-sso}
# Build directories of our own code stay inside the clone (git-ignored).
OWN_BUILD=${SPICE_SSO_BUILD:-$TOP/_build}

_t0=$(date +%s.%N)

elapsed() { awk -v a="$_t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%6.1fs", b - a }'; }
step() { printf '[%s] %s\n' "$(elapsed)" "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

need_root() {
	[ "$(id -u)" = 0 ] || die "$1 must run as root (it installs packages with apt); run it with sudo"
}

# The integration tests and the benchmark run in private mount namespaces
# (unshare --mount --propagation private). Say why not, and the fix, before
# anything is built: in a chroot whose root is no mount point, the kernel
# refuses to change the root's propagation.
need_mount_ns() {
	local err
	err=$(unshare --mount --propagation private true 2>&1) && return 0
	if ! mountpoint -q /; then
		die "$1: cannot make a private mount namespace ($err): / is not a mount point here, as in a plain chroot; bind-mount the chroot's directory onto itself before entering it (mount --bind DIR DIR)"
	fi
	die "$1: cannot make a private mount namespace ($err); run it as root on a machine or in a container that allows unshare(CLONE_NEWNS)"
}

# The SPICE host's name is put in a private /etc/hosts by bind mount
# (tests/lib/spice-host-ns), which needs the file to exist: a Debian
# installation has it, a bare debootstrap does not.
need_etc_hosts() {
	[ -f /etc/hosts ] ||
		die "$1: /etc/hosts is missing (the tests bind-mount their own over it); create it, for example: printf '127.0.0.1 localhost\\n::1 localhost\\n' >/etc/hosts"
}

# Run a long command with its output in a log file; on failure show the tail
# of the log and name the file, so the error is visible without scrolling.
run_logged() {
	local log=$1; shift
	if ! "$@" >"$log" 2>&1; then
		tail -n 40 "$log" >&2
		die "'$*' failed; full log: $log"
	fi
}

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }
