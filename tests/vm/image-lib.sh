# Shared by the guest image builders (tests/vm/build-guest,
# tests/gnome/build-gnome-guest); source it after scripts/lib.sh.
# shellcheck shell=bash

# make_image TREE IMAGE LABEL [MIB]: an ext4 image of TREE made with mke2fs -d
# (owners, modes and extended attributes kept). Without MIB: the tree's size
# plus a quarter plus 64 MiB, room for what the guest writes at run time
# (the harness boots images with snapshot=on: writes never reach them).
make_image() {
	local mib=${4:-}
	[ -n "$mib" ] || mib=$(( $(du -sm "$1" | cut -f1) * 5 / 4 + 64 ))
	rm -f "$2.tmp"
	run_logged "$2.log" mke2fs -q -t ext4 -L "$3" -E root_owner=0:0 -d "$1" "$2.tmp" "${mib}M"
	mv "$2.tmp" "$2"
	step "$(basename "$(dirname "$2")")/$(basename "$2"): ${mib} MiB ext4 made with mke2fs -d ($(du -sm "$2" | cut -f1) MiB on disk)"
}

# overlay_hash DIR: a short hash of DIR's paths, modes, owners and contents
overlay_hash() {
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort | while read -r f; do
		if [ -f "$f" ] && [ ! -L "$f" ]; then h=$(sha256_of "$f"); elif [ -L "$f" ]; then h=$(readlink "$f"); else h=dir; fi
		echo "$f $(stat -c '%a %u %g' "$f") $h"
	done) | sha256sum | cut -c1-16
}

# build_overlay BASETREE OVERLAY OUTDIR LABEL [MIB] [HOOK]: OUTDIR/rootfs.ext4,
# BASETREE with the files of OVERLAY on top (modes and owners kept). Hard
# links share the base tree's files; tar unlinks before it writes, so the
# base tree is never modified. HOOK, if given, is run with the staged tree
# as its argument before the image is made.
build_overlay() {
	local d=$3 stage=$3/stage
	rm -rf "$d"; mkdir -p "$d"
	step "adding overlay $2"
	cp -al "$1" "$stage"
	tar -C "$2" -cf - . | tar -xf - -C "$stage" --keep-directory-symlink
	ldconfig -r "$stage"
	[ -z "${6:-}" ] || "$6" "$stage"
	make_image "$stage" "$d/rootfs.ext4" "$4" "${5:-}"
	rm -rf "$stage"
	date +%s >"$d/.done"
}
