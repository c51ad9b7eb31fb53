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

# ---------------------------------------------------------------- releases
# The Debian releases our patch series must apply to and build on. The first
# is the one the project runs on and tests with (its series directories and
# manifest lines carry no suffix); a later release whose upstream version
# differs has its own series next to it, suffixed "-<release>".
RELEASES=(bookworm trixie)
PRIMARY_RELEASE=${RELEASES[0]}
# The local suffix scripts/package appends to Debian's version of each
# source it rebuilds (docs/deployment.md, "How the versions relate to
# Debian's"); the tests that look for our packages match it too.
LOCAL_SUFFIX=+bsso1

host_release() { (. /etc/os-release && echo "${VERSION_CODENAME:-}"); }

# series_dir COMPONENT [RELEASE]: the patch directory (relative to $TOP) of a
# component for a release: <area>/patches/<component>-<release> when that
# exists, else the shared <area>/patches/<component>.
series_dir() {
	local c=$1 rel=${2:-$PRIMARY_RELEASE} d
	case "$c" in
	spice-protocol) d=protocol/patches/spice-protocol ;;
	spice-server) d=server/patches/spice-server ;;
	spice-vdagent) d=vdagent/patches/spice-vdagent ;;
	spice-gtk) d=client/patches/spice-gtk ;;
	qemu) d=qemu-glue/patches/qemu ;;
	*) die "series_dir: unknown component '$c'" ;;
	esac
	if [ "$rel" != "$PRIMARY_RELEASE" ] && [ -d "$TOP/$d-$rel" ]; then
		echo "$d-$rel"
	else
		echo "$d"
	fi
}

# manifest_key COMPONENT [RELEASE]: the first column of the component's line
# in scripts/upstream.manifest for that release ("qemu", "qemu@trixie").
manifest_key() {
	local rel=${2:-$PRIMARY_RELEASE}
	if [ "$rel" = "$PRIMARY_RELEASE" ]; then echo "$1"; else echo "$1@$rel"; fi
}

# The source entries of a release other than the running one live in an apt
# configuration of their own (scripts/apt-sources --release), with their own
# index, so the machine's apt never sees them.
release_apt_dir() { echo "$CACHE/apt/$1"; }

# release_apt RELEASE apt-get|apt-cache ARGS...
release_apt() {
	local rel=$1 tool=$2 d
	shift 2
	d=$(release_apt_dir "$rel")
	"$tool" -o Dir::Etc::SourceList="$d/sources.sources" -o Dir::Etc::SourceParts=/nonexistent \
		-o Dir::State::Lists="$d/lists" -o Dir::Cache="$d/cache" "$@"
}

# release_apt_update RELEASE: write its sources and refresh its index when
# they changed or were never fetched (with a lock: checkouts share it).
release_apt_update() {
	local rel=$1 d
	d=$(release_apt_dir "$rel")
	mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
	exec 7>"$d.lock"
	flock 7
	"$TOP/scripts/apt-sources" --release "$rel"
	if [ ! -f "$d/.updated" ]; then
		step "refreshing the source index of Debian $rel (only our scripts read it)"
		run_logged "$d/update.log" release_apt "$rel" apt-get update
		touch "$d/.updated"
	fi
	flock -u 7
	exec 7>&-
}

# ---------------------------------------------------------------- pinned sources
# scripts/upstream.manifest (SPICE_SSO_MANIFEST overrides it; see its header).
# These need MANIFEST and RELEASE set by the caller.
MANIFEST=${SPICE_SSO_MANIFEST:-$TOP/scripts/upstream.manifest}
SRC=$CACHE/sources

manifest_field() { # component field-number, for $RELEASE
	awk -v c="$(manifest_key "$1" "$RELEASE")" -v f="$2" '$1 == c { print $f }' "$MANIFEST"
}
manifest_line() { # component, for $RELEASE (the whole line, as written)
	grep -E "^$(manifest_key "$1" "$RELEASE")[[:space:]]" "$MANIFEST"
}

# The newest Debian revision of an upstream version in the running release's
# own suites, else in sid (spice-vdagent 0.23.0 is only there). Revisions of
# any other suite apt may know are never taken.
debian_version_of() { # source-package upstream-version
	local pkg=$1 up=$2 rel
	rel=$(host_release)
	# MADISON: apt-cache madison's answer for several packages at once, if
	# the caller asked apt once for all of them (check-series)
	{ if [ -n "${MADISON:-}" ]; then echo "$MADISON"; else apt-cache madison "$pkg" 2>/dev/null; fi; } |
		awk -F'|' -v pkg="$pkg" -v up="$up" -v rel="$rel" '
		{ p = $1; gsub(/ /, "", p) }
		p == pkg && $3 ~ /Sources/ {
			v = $2; gsub(/ /, "", v)
			u = v; sub(/^[0-9]+:/, "", u); sub(/-[^-]*$/, "", u)
			if (u != up) next
			if ($3 ~ (" " rel "(-[a-z]+)?/")) rank = 1
			else if ($3 ~ / sid\//) rank = 0
			else next
			print rank "\t" v
		}' | sort -t$'\t' -k1,1nr | awk -F'\t' 'NR == 1 || $1 == first { first = $1; print $2 }' |
		sort -V | tail -n1
}

# fetch_source COMPONENT: download the component's pinned source for $RELEASE
# into $SRC (unless there already), check it, and set FETCHED_DSC (empty for
# a bare tarball) and FETCHED_VERSION. A line that pins a Debian version
# (field 7) gets exactly that version, and its .dsc is checked against field
# 8 and every file the .dsc names against the .dsc; otherwise the newest
# revision of the upstream version (debian_version_of). The upstream tarball
# is always checked against field 6.
fetch_source() {
	local c=$1 pkg up mode tarball sum ver got pinned dscsum apt=() how
	pkg=$(manifest_field "$c" 2); up=$(manifest_field "$c" 3)
	mode=$(manifest_field "$c" 4); tarball=$(manifest_field "$c" 5); sum=$(manifest_field "$c" 6)
	pinned=$(manifest_field "$c" 7); dscsum=$(manifest_field "$c" 8)
	[ -n "$pkg" ] || die "scripts/upstream.manifest has no line for $(manifest_key "$c" "$RELEASE")"
	mkdir -p "$SRC"
	chown _apt "$SRC" 2>/dev/null || true
	if [ -n "$pinned" ] && [ "$pinned" != - ]; then
		ver=$pinned
		if [ "$RELEASE" != "$(host_release)" ]; then
			release_apt_update "$RELEASE"
			apt=(release_apt "$RELEASE")
		fi
		how="apt-get source $pkg=$ver"
		[ ${#apt[@]} = 0 ] || how+=" (from the index of Debian $RELEASE)"
	else
		ver=$(debian_version_of "$pkg" "$up")
		[ -n "$ver" ] || die "the pinned upstream tarball $tarball ($pkg $up) is no longer offered by any configured apt source; no Debian revision of $pkg with upstream version $up was found (apt-cache madison $pkg). Re-pin scripts/upstream.manifest to an available version."
	fi
	FETCHED_VERSION=$ver
	step "$c: Debian source $pkg $ver (upstream $up)"
	local noepoch=${ver#*:} log=$SRC/apt-source-$pkg.log
	FETCHED_DSC=""
	if [ "$mode" = dsc ]; then
		FETCHED_DSC=$SRC/${pkg}_${noepoch}.dsc
		if [ ! -f "$FETCHED_DSC" ] || [ ! -f "$SRC/$tarball" ]; then
			(cd "$SRC" && "${apt[@]}" apt-get source --download-only "$pkg=$ver" >"$log" 2>&1) ||
				{ tail -n 5 "$log" >&2; die "$c: ${how:-apt-get source $pkg=$ver} failed (log: $log); if Debian $RELEASE no longer has $pkg $ver, re-pin scripts/upstream.manifest"; }
		fi
	elif [ ! -f "$SRC/$tarball" ]; then
		(cd "$SRC" && "${apt[@]}" apt-get source --download-only --tar-only "$pkg=$ver" >"$log" 2>&1) ||
			{ tail -n 5 "$log" >&2; die "$c: ${how:-apt-get source --tar-only $pkg=$ver} failed (log: $log)"; }
	fi
	[ -f "$SRC/$tarball" ] || die "apt did not deliver $tarball for $pkg=$ver: the pinned upstream tarball is gone from the configured sources"
	got=$(sha256_of "$SRC/$tarball")
	if [ "$got" != "$sum" ]; then
		mv -f "$SRC/$tarball" "$SRC/$tarball.bad"
		die "sha256 mismatch for $tarball: expected $sum, got $got (moved aside as $SRC/$tarball.bad)"
	fi
	if [ -n "$FETCHED_DSC" ] && [ -n "$dscsum" ] && [ "$dscsum" != - ]; then
		got=$(sha256_of "$FETCHED_DSC")
		[ "$got" = "$dscsum" ] || die "sha256 mismatch for $(basename "$FETCHED_DSC"): expected $dscsum, got $got"
		check_dsc_files "$FETCHED_DSC"
	fi
}

# check_dsc_files DSC: every file a .dsc names (Checksums-Sha256) is present
# beside it with that sum.
check_dsc_files() {
	local dsc=$1 sum size name n=0
	while read -r sum size name; do
		[ -f "$(dirname "$dsc")/$name" ] || die "$(basename "$dsc") names $name, which apt did not deliver"
		[ "$(sha256_of "$(dirname "$dsc")/$name")" = "$sum" ] ||
			die "sha256 mismatch for $name: not the sum $(basename "$dsc") gives ($sum)"
		n=$((n + 1))
	done < <(awk '/^Checksums-Sha256:/ { on = 1; next } /^[^ ]/ { on = 0 } on && NF == 3' "$dsc")
	[ $n -gt 0 ] || die "$(basename "$dsc") has no Checksums-Sha256 field"
}

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

# prune_unused DIR DEPTH [SUFFIX...]: drop the cached builds found at DEPTH
# under DIR (each a directory with a .used stamp and a lock file next to it,
# <build>.lock) that no run has used for a week, with the files named
# <build><SUFFIX>. Each under its lock, taken without waiting: a build
# another run holds is in use and is left for a later run.
prune_unused() { # dir depth [suffix...]
	local top=$1 depth=$2 used old sfx
	shift 2
	find "$top" -mindepth "$depth" -maxdepth "$depth" -name .used -mtime +7 2>/dev/null | while read -r used; do
		old=$(dirname "$used")
		(
			flock -n 7 || exit 0
			rm -rf "$old"
			for sfx in "$@"; do rm -f "$old$sfx"; done
			rm -f "$old.lock"
		) 7>>"$old.lock"
	done
}
