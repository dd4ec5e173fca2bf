#!/usr/bin/env bash
# Fetch the Debian kernels the module is tested on, without installing them:
#   cloud-6.12  newest linux-image-6.12.*+deb12*-cloud-amd64-unsigned + headers
#   cloud-6.1   newest linux-image-6.1.0-N-cloud-amd64-unsigned + headers
#   source      linux-source-6.12: kselftest harness + checkpatch extracted,
#               tarball kept for debug-kernel.sh
#   cloud-sid   Debian sid's newest linux-image-*-cloud-amd64 (split into
#               linux-binary-*, linux-base-*; + headers, -common, kbuild),
#               resolved and fetched with the sid root's apt (sid-root.sh),
#               into .cache/sid-kernel/; modules for it are built in the sid
#               root (gcc-16). Only when named: not in the default list.
# Usage: kernels.sh [cloud-6.12] [cloud-6.1] [source] [cloud-sid]
#        (default: the first three)
# Everything goes to .cache/; parts already there for the resolved version are
# skipped, so a second run fetches nothing. Versions land in .cache/versions.
set -euo pipefail
LOG_TAG=kernels
# shellcheck source=testvm/lib.sh
. "$(dirname "$0")/lib.sh"

DEBS=$CACHE/debs
mkdir -p "$DEBS"
# Two runs at once must not unpack into the same folders.
exec 9>"$CACHE/.kernels.lock"
flock 9

# apt-cache needs package lists; a fresh machine may have none.
lists_updated=0
apt_update_once() {
	((lists_updated)) && return 0
	apt_update
	lists_updated=1
}

# Newest package name matching an extended regex (names only).
newest_pkg() {
	local re=$1 out
	out=$(apt-cache search --names-only "$re" | awk '{print $1}' | grep -E "$re" | sort -V | tail -n 1)
	if [[ -z $out ]]; then
		apt_update_once
		out=$(apt-cache search --names-only "$re" | awk '{print $1}' | grep -E "$re" | sort -V | tail -n 1)
	fi
	echo "$out"
}

# Old lists would resolve an old kernel: refresh them first.
apt_lists_fresh || apt_update_once

pkg_version() { apt-cache show "$1" 2>/dev/null | sed -n 's/^Version: //p' | sort -V | tail -n 1; }

# Download NAME[=VERSION] into .cache/debs and print the .deb path.
fetch_deb() {
	local spec=$1 name=${1%%=*} out
	log "download $spec"
	rm -f "$DEBS/${name}"_*.deb
	# As root apt warns that it cannot drop privileges to _apt: harmless.
	if ! out=$(cd "$DEBS" && apt-get download -q "$spec" 2>&1); then
		apt_update_once
		out=$(cd "$DEBS" && apt-get download -q "$spec" 2>&1) || die "apt-get download $spec: $out"
	fi
	ls "$DEBS/${name}"_*.deb
}

# Unpack image + headers + common + kbuild into .cache/kernels/NAME/root and
# point NAME/vmlinuz and NAME/build (the KDIR) at the right places.
setup_cloud() {
	local name=$1 abi=$2 kbuild_pkg=$3
	local dir=$CACHE/kernels/$name
	local flavour=$abi-cloud-amd64
	if [[ -f $dir/.stamp && $(cat "$dir/.stamp") == "$flavour" && -e $dir/build/Makefile && -e $dir/vmlinuz ]]; then
		log "$name: $flavour already present"
		return
	fi
	local hdr_ver
	hdr_ver=$(pkg_version "linux-headers-$flavour")
	[[ -n $hdr_ver ]] || die "no package linux-headers-$flavour"
	# The kbuild package must match the headers' version (6.1 reuses one name).
	local kb_spec=$kbuild_pkg
	if apt-cache madison "$kbuild_pkg" | awk '{print $3}' | grep -qxF "$hdr_ver"; then
		kb_spec="$kbuild_pkg=$hdr_ver"
	fi
	local debs=()
	debs+=("$(fetch_deb "linux-image-$flavour-unsigned")")
	debs+=("$(fetch_deb "linux-headers-$flavour")")
	debs+=("$(fetch_deb "linux-headers-$abi-common")")
	debs+=("$(fetch_deb "$kb_spec")")
	rm -rf "$dir"
	mkdir -p "$dir/root"
	for d in "${debs[@]}"; do
		log "$name: unpack $(basename "$d")"
		dpkg-deb -x "$d" "$dir/root"
	done
	local hdr=$dir/root/usr/src/linux-headers-$flavour
	[[ -f $hdr/Makefile ]] || die "$name: headers Makefile missing in $hdr"
	# The flavour Makefile includes the common tree by absolute /usr/src path;
	# make it relative to the Makefile itself so the cache can live anywhere.
	sed -i "s|^include /usr/src/\(linux-headers-$abi-common\)/Makefile|include \$(dir \$(lastword \$(MAKEFILE_LIST)))../\1/Makefile|" "$hdr/Makefile"
	grep -q '/usr/src' "$hdr/Makefile" && die "$name: could not rewrite $hdr/Makefile"
	ln -sfn "root/usr/src/linux-headers-$flavour" "$dir/build"
	ln -sfn "root/boot/vmlinuz-$flavour" "$dir/vmlinuz"
	[[ -f $dir/vmlinuz ]] || die "$name: no kernel image"
	echo "$flavour" >"$dir/.stamp"
	set_version "$name" "$flavour ($hdr_ver)"
	# Drop the .debs of this kernel: the unpacked tree is what is used.
	rm -f "${debs[@]}"
	log "$name: ready ($flavour)"
}

do_cloud_612() {
	local img abi
	img=$(newest_pkg '^linux-image-6\.12\.[0-9]+\+deb12[^ ]*-cloud-amd64-unsigned$')
	if [[ -z $img ]]; then
		[[ -f $CACHE/kernels/cloud-6.12/.stamp ]] || die "no 6.12 cloud kernel found by apt-cache"
		log "cloud-6.12: apt knows none, keeping cached $(cat "$CACHE/kernels/cloud-6.12/.stamp")"
		return
	fi
	abi=${img#linux-image-}
	abi=${abi%-cloud-amd64-unsigned}
	setup_cloud cloud-6.12 "$abi" "linux-kbuild-$abi"
}

do_cloud_61() {
	local img abi
	img=$(newest_pkg '^linux-image-6\.1\.0-[0-9]+-cloud-amd64-unsigned$')
	if [[ -z $img ]]; then
		[[ -f $CACHE/kernels/cloud-6.1/.stamp ]] || die "no 6.1 cloud kernel found by apt-cache"
		log "cloud-6.1: apt knows none, keeping cached $(cat "$CACHE/kernels/cloud-6.1/.stamp")"
		return
	fi
	abi=${img#linux-image-}
	abi=${abi%-cloud-amd64-unsigned}
	setup_cloud cloud-6.1 "$abi" linux-kbuild-6.1
}

# Debian sid's cloud kernel. The packages are resolved and downloaded by the
# sid root's own apt (one session: update, search, download), then unpacked
# here; the root's package lists are dropped afterwards (sid_apt_clean).
do_cloud_sid() {
	local dir tmp flavour ver abi hdr d
	dir=$(kernel_dir cloud-sid)
	"$TOP/testvm/sid-root.sh" >/dev/null
	tmp=$(mktemp -d "$CACHE/.sid-debs.XXXXXX")
	# shellcheck disable=SC2064 # expand now: tmp is local
	trap "rm -rf '$tmp'; sid_apt_clean" EXIT
	log "cloud-sid: resolve the newest sid cloud kernel (sid root's apt)"
	# shellcheck disable=SC2016 # expanded by the shell in the root
	read -r flavour ver < <(SID_BINDS=$tmp sid_chroot "$SID_ROOT" /bin/sh -euc '
		apt-get "$@" update >/dev/null
		img=$(apt-cache search --names-only "^linux-image-[0-9.]+[+]deb[0-9]+-cloud-amd64\$" |
			cut -d" " -f1 | sort -V | tail -n 1)
		[ -n "$img" ] || exit 1
		flavour=${img#linux-image-}
		echo "$flavour $(apt-cache show "$img" | sed -n "s/^Version: //p" | sort -V | tail -n 1)"
	' sh "${SID_APT_OPTS[@]}") || true
	[[ -n ${flavour:-} && -n ${ver:-} ]] || die "cloud-sid: no linux-image-*-cloud-amd64 in sid"
	if [[ -f $dir/.stamp && $(cat "$dir/.stamp") == "$flavour $ver" && -e $dir/build/Makefile && -e $dir/vmlinuz ]]; then
		log "cloud-sid: $flavour ($ver) already present"
		return
	fi
	abi=${flavour%-cloud-amd64}
	log "cloud-sid: download $flavour ($ver): binary, base, headers, common, kbuild"
	# shellcheck disable=SC2016 # expanded by the shell in the root
	SID_BINDS=$tmp sid_chroot "$SID_ROOT" /bin/sh -euc '
		cd "$1"
		f=$2 a=$3 v=$4
		shift 4
		apt-get "$@" download "linux-binary-$f=$v" "linux-base-$f=$v" \
			"linux-headers-$f=$v" "linux-headers-$a-common=$v" "linux-kbuild-$a=$v"
	' sh "$tmp" "$flavour" "$abi" "$ver" "${SID_APT_OPTS[@]}" >&2 ||
		die "cloud-sid: apt-get download in the sid root failed"
	rm -rf "$dir"
	mkdir -p "$dir/root"
	for d in "$tmp"/*.deb; do
		log "cloud-sid: unpack $(basename "$d")"
		dpkg-deb -x "$d" "$dir/root"
	done
	hdr=$dir/root/usr/src/linux-headers-$flavour
	[[ -f $hdr/Makefile ]] || die "cloud-sid: headers Makefile missing in $hdr"
	# As for the other cloud kernels: the common tree relative to the Makefile;
	# sid's also names its own folder (KBUILD_OUTPUT) by absolute path.
	sed -i -e "s|^include /usr/src/\(linux-headers-$abi-common\)/Makefile|include \$(dir \$(lastword \$(MAKEFILE_LIST)))../\1/Makefile|" \
		-e "s|^KBUILD_OUTPUT *=.*|KBUILD_OUTPUT := \$(abspath \$(dir \$(lastword \$(MAKEFILE_LIST))))|" "$hdr/Makefile"
	grep -q '/usr/src' "$hdr/Makefile" && die "cloud-sid: could not rewrite $hdr/Makefile"
	ln -sfn "root/usr/src/linux-headers-$flavour" "$dir/build"
	d=$(cd "$dir" && find root -name "vmlinuz*" -type f | head -n 1)
	[[ -n $d ]] || die "cloud-sid: no vmlinuz in linux-binary-$flavour"
	ln -sfn "$d" "$dir/vmlinuz"
	echo "$flavour $ver" >"$dir/.stamp"
	set_version cloud-sid "$flavour ($ver)"
	log "cloud-sid: ready ($flavour, $(du -sm "$dir" | cut -f1) MB unpacked)"
}

# Files taken from the source tarball for the harness and checkpatch.
SRC_MEMBERS=(
	tools/testing/selftests/kselftest_harness.h
	tools/testing/selftests/kselftest.h
	scripts/checkpatch.pl
	scripts/spelling.txt
	scripts/const_structs.checkpatch
	Documentation/dev-tools/checkpatch.rst
)

do_source() {
	local ver dir=$CACHE/linux-source-6.12 tarball=$CACHE/linux-source-6.12.tar.xz
	ver=$(pkg_version linux-source-6.12)
	if [[ -z $ver ]]; then
		apt_update_once
		ver=$(pkg_version linux-source-6.12)
	fi
	if [[ -z $ver ]]; then
		[[ -f $tarball ]] || die "linux-source-6.12 not known to apt"
		ver=$(version_of linux-source-6.12)
		log "source: apt knows none, keeping cached $ver"
	fi
	if [[ $(version_of linux-source-6.12) != "$ver" || ! -f $tarball ]]; then
		local deb
		deb=$(fetch_deb "linux-source-6.12=$ver")
		log "source: unpack tarball from $(basename "$deb")"
		dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/src/linux-source-6.12.tar.xz >"$tarball.tmp"
		mv "$tarball.tmp" "$tarball"
		rm -f "$deb"
		rm -rf "$dir"
		set_version linux-source-6.12 "$ver"
	fi
	local m missing=()
	for m in "${SRC_MEMBERS[@]}"; do
		[[ -f $dir/$m ]] || missing+=("linux-source-6.12/$m")
	done
	if ((${#missing[@]})); then
		log "source: extract harness + checkpatch (${#missing[@]} files)"
		mkdir -p "$CACHE"
		tar -xJf "$tarball" -C "$CACHE" "${missing[@]}"
	fi
	[[ -f $KSFT_DIR/kselftest_harness.h && -f $CHECKPATCH ]] || die "source: extraction incomplete"
	log "source: ready ($ver)"
}

targets=("$@")
((${#targets[@]})) || targets=(cloud-6.12 cloud-6.1 source)
for t in "${targets[@]}"; do
	case $t in
	cloud-6.12) do_cloud_612 ;;
	cloud-6.1) do_cloud_61 ;;
	source) do_source ;;
	cloud-sid) do_cloud_sid ;;
	*) die "unknown target $t (want cloud-6.12, cloud-6.1, source, cloud-sid)" ;;
	esac
done
