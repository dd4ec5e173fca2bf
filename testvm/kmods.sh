#!/usr/bin/env bash
# Kernel modules of a Debian cloud kernel that the test VM loads before it
# can use a disk (virtio_blk for the sid root's image), with everything they
# depend on: taken from the unpacked kernel (kernels.sh), or from the
# kernel's own package when that tree carries no modules (a pruned cache;
# sid's modules are a package of their own), uncompressed, numbered in load
# order.
# Usage: kmods.sh <cloud-6.12|cloud-6.1|cloud-sid> MODULE...
# Output folder (printed on stdout): .cache/kmods/<kernel>/, holding
# NN-name.ko files; modules built into the kernel are left out. Cached: a
# second run for the same kernel version and module list downloads nothing.
set -euo pipefail
LOG_TAG=kmods
# shellcheck source=testvm/lib.sh
. "$(dirname "$0")/lib.sh"

kernel=${1:?usage: kmods.sh <kernel> MODULE...}
shift
(($#)) || die "usage: kmods.sh <kernel> MODULE..."
[[ $kernel == cloud-* ]] || die "kmods.sh handles the Debian cloud kernels only, not $kernel"
stamp_val=$(version_of "$kernel") || true
[[ -n $stamp_val ]] || die "$kernel unknown in $CACHE/versions (run testvm/kernels.sh $kernel)"
# "6.12.117+deb12-cloud-amd64 (6.12.117-1~deb12u1)"
flavour=${stamp_val%% *}
pkgver=${stamp_val#*(}
pkgver=${pkgver%)}

dir=$CACHE/kmods/$kernel
want="$flavour $pkgver: $*"
if [[ -f $dir/.stamp && $(cat "$dir/.stamp") == "$want" ]]; then
	log "$kernel: cached ($*)"
	echo "$dir"
	exit 0
fi

mkdir -p "$CACHE/kmods"
exec 9>"$CACHE/kmods/.lock"
flock 9
tmp=$(mktemp -d "$CACHE/kmods/.tmp.XXXXXX")
# (cloud-sid: what apt-get update left in the sid root goes too.)
trap 'rm -rf "$tmp"; [[ $kernel != cloud-sid ]] || sid_apt_clean' EXIT

# The unpacked kernel (kernels.sh) has its modules unless someone pruned
# them; otherwise the package holding /lib/modules/<flavour>/kernel: Debian
# 12 ships one linux-image-*-unsigned, sid keeps them in linux-modules-*.
mroot=$(find "$(kernel_dir "$kernel")/root" -type d -path "*/modules/$flavour" | head -n 1)
if [[ -n $mroot && -n $(find "$mroot/kernel" -name '*.ko*' -print -quit 2>/dev/null) ]]; then
	log "$kernel: modules from the unpacked kernel"
	from="the unpacked kernel"
else
	case $kernel in
	cloud-sid)
		pkg=linux-modules-$flavour
		log "$kernel: download $pkg=$pkgver (sid root's apt)"
		"$TOP/testvm/sid-root.sh" >/dev/null
		SID_BINDS=$tmp sid_chroot "$SID_ROOT" sh -c "cd '$tmp' && apt-get $(printf '%q ' "${SID_APT_OPTS[@]}") update >/dev/null && apt-get $(printf '%q ' "${SID_APT_OPTS[@]}") download '$pkg=$pkgver'" >&2 ||
			die "$kernel: apt-get download $pkg failed"
		;;
	*)
		pkg=linux-image-$flavour-unsigned
		log "$kernel: download $pkg=$pkgver"
		# As root apt warns that it cannot drop privileges to _apt: harmless.
		(cd "$tmp" && apt-get download -q "$pkg=$pkgver" 2>/dev/null >&2) || {
			apt_update
			(cd "$tmp" && apt-get download -q "$pkg=$pkgver" >&2)
		} || die "$kernel: apt-get download $pkg=$pkgver failed"
		;;
	esac
	deb=$(ls "$tmp"/*.deb)
	from=$(basename "$deb")
	# Debian's packages carry no modules.dep (depmod makes it at install):
	# unpack the module tree and follow each module's "depends" (modinfo).
	mkdir "$tmp/x"
	dpkg-deb -x "$deb" "$tmp/x"
	mroot=$(find "$tmp/x" -type d -path "*/modules/$flavour" | head -n 1)
	[[ -n $mroot && -d $mroot/kernel ]] || die "$kernel: no module tree in $from"
fi

# What is built in: modules.builtin of the package, or (sid keeps it in
# linux-binary-*) of the unpacked kernel.
builtin=$mroot/modules.builtin
[[ -f $builtin ]] || builtin=$(find "$(kernel_dir "$kernel")/root" -path "*/modules/$flavour/modules.builtin" | head -n 1)
[[ -f $builtin ]] || die "$kernel: no modules.builtin"

# Depth-first: dependencies get lower numbers.
declare -A done_=()
order=()
find_ko() { find "$mroot/kernel" \( -name "$1.ko*" -o -name "${1//_/-}.ko*" \) | head -n 1; }
visit() {
	local m=$1 f d
	[[ -n ${done_[$m]:-} ]] && return
	done_[$m]=1
	f=$(find_ko "$m")
	if [[ -z $f ]]; then
		if grep -qE "/(${m}|${m//_/-})\.ko$" "$builtin"; then
			log "$kernel: $m is built in"
			return
		fi
		die "$kernel: no module $m in $from"
	fi
	for d in $(modinfo -F depends "$f" | tr ',' ' '); do
		visit "$d"
	done
	order+=("$f")
}
for m in "$@"; do
	visit "$m"
done

rm -rf "$dir"
mkdir -p "$dir"
n=0
for f in "${order[@]}"; do
	n=$((n + 1))
	name=$(basename "$f")
	name=${name%%.ko*}
	out=$dir/$(printf %02d "$n")-$name.ko
	case $f in
	*.xz) xz -dc "$f" >"$out" ;;
	*.zst) zstd -dcq "$f" >"$out" ;;
	*.gz) gzip -dc "$f" >"$out" ;;
	*) cp "$f" "$out" ;;
	esac
	log "$kernel: $(basename "$out")"
done
echo "$want" >"$dir/.stamp"
echo "$dir"
