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

# ---------------------------------------------------------------- chroots
# Clean build roots of a Debian release, made with mmdebstrap from the same
# archive the machine's apt uses (no archive address is written here).

# The machine's Debian entries (those of its running release, as
# scripts/apt-sources reads them), turned into deb and deb-src entries of
# release $1 (its main, -updates and -security suites), deb822 form.
release_sources() { # release
	local rel=$1 host
	host=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	"$TOP/scripts/apt-sources" --print | awk -v h="$host" -v r="$rel" '
		/^#/ { next }
		/^Types:/ { $0 = "Types: deb deb-src" }
		/^Suites:/ { if ($2 == "sid") skip = 1; else sub("^" h, r, $2) }
		/^Check-Valid-Until:/ { next }
		NF == 0 { if (!skip && rec != "") printf "%s\n", rec; rec = ""; skip = 0; next }
		{ rec = rec $0 "\n" }
		END { if (!skip && rec != "") printf "%s\n", rec }'
}

# apt options of the host that apt in a chroot needs as well (an archive
# snapshot whose Release files are past their Valid-Until date)
host_aptopts() {
	apt-config dump | sed -n 's/^\(Acquire::Check-Valid-Until\|Acquire::Check-Date\) \(".*"\);$/\1 \2;/p'
}

CHROOT_PACKAGES="build-essential,fakeroot,dpkg-dev,quilt,ca-certificates"

# make_chroot RELEASE: a clean build root of RELEASE (mmdebstrap's buildd
# variant plus the packaging tools), cached as a tarball under
# $CACHE/chroots/<release>-<key>/root.tar; prints that directory. The key
# hashes the release, its apt sources, the host's apt options, the package
# set and this function. Concurrent callers share one build (flock). Unpack
# the tarball per use; the tarball itself stays clean.
make_chroot() { # release
	local rel=$1 key dir t0
	command -v mmdebstrap >/dev/null || die "make_chroot needs mmdebstrap (apt-get install mmdebstrap)"
	key=$( {
		echo "$rel $CHROOT_PACKAGES"
		release_sources "$rel"
		host_aptopts
		declare -f make_chroot release_sources
	} | sha256sum | cut -c1-16)
	dir=$CACHE/chroots/$rel-$key
	mkdir -p "$CACHE/chroots"
	if [ ! -f "$dir/.done" ]; then
		exec {_mc_lock}>"$dir.lock"
		flock "$_mc_lock"
		if [ ! -f "$dir/.done" ]; then
			t0=$SECONDS
			rm -rf "$dir"; mkdir -p "$dir"
			release_sources "$rel" >"$dir/sources"
			local aptopts=() opt
			while read -r opt; do [ -n "$opt" ] && aptopts+=(--aptopt="$opt"); done < <(host_aptopts)
			step "chroot $rel: mmdebstrap (buildd variant; log: $dir/mmdebstrap.log)"
			run_logged "$dir/mmdebstrap.log" mmdebstrap --variant=buildd --mode=root \
				--include="$CHROOT_PACKAGES" "${aptopts[@]}" \
				--dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
				--dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*' \
				"$rel" "$dir/root.tar" - <"$dir/sources"
			date +%s >"$dir/.done"
			step "chroot $rel: made in $((SECONDS - t0)) s ($(du -m "$dir/root.tar" | cut -f1) MiB)"
		fi
		flock -u "$_mc_lock"
		exec {_mc_lock}>&-
	fi
	touch "$dir/.used"
	echo "$dir"
}

# unpack_chroot CHROOT-DIR ROOT: a private copy of the cached root, with the
# host's resolver configuration for apt
unpack_chroot() { # chroot-dir root
	rm -rf "$2"; mkdir -p "$2"
	tar -xf "$1/root.tar" -C "$2" --numeric-owner
	cp -L /etc/resolv.conf "$2/etc/resolv.conf" 2>/dev/null || true
}

# in_chroot ROOT CMD...: run CMD in ROOT in private mount and PID namespaces
# (/dev bound, a fresh /proc); the mounts vanish with the namespace.
in_chroot() { # root cmd...
	local r=$1; shift
	unshare --mount --pid --fork --propagation private /bin/sh -c '
		r=$1; shift
		mount --rbind /dev "$r/dev" && mount -t proc proc "$r/proc" || exit 97
		exec chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
			DEBIAN_FRONTEND=noninteractive "$@"' sh "$r" "$@"
}
