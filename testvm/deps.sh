#!/usr/bin/env bash
# Install the Debian packages the build, the checks and the test VMs need.
# Idempotent: when every package is already installed, apt is not touched.
set -euo pipefail
LOG_TAG=deps
# shellcheck source=testvm/lib.sh
. "$(dirname "$0")/lib.sh"

PKGS=(
	build-essential libc6-dev make gcc # module, static selftests, demo
	flex bison bc libelf-dev libssl-dev dwarves # kernel builds (debug kernel, kbuild)
	perl python3 # checkpatch, kbuild scripts
	sparse # make sparse (C=2)
	qemu-system-x86 # test VMs (TCG)
	busybox-static cpio gzip # initramfs
	xz-utils kmod # source tarball and .ko.xz, modinfo
	ca-certificates # apt-get download over https mirrors
	debootstrap e2fsprogs # Debian sid root for QEMU 11 and gcc-16 (sid-root.sh)
)

missing=()
for p in "${PKGS[@]}"; do
	if ! dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
		missing+=("$p")
	fi
done

if ((${#missing[@]} == 0)); then
	log "all ${#PKGS[@]} packages present"
	exit 0
fi

log "installing: ${missing[*]}"
SUDO=
if [[ $(id -u) != 0 ]]; then
	command -v sudo >/dev/null || die "need root or sudo to install packages"
	SUDO=sudo
fi
export DEBIAN_FRONTEND=noninteractive
# A fresh machine has no (or old) package lists: update unless they are recent
# and know every missing package.
need_update=0
if ! apt_lists_fresh; then
	need_update=1
else
	for p in "${missing[@]}"; do
		if ! apt-cache show "$p" >/dev/null 2>&1; then need_update=1; break; fi
	done
fi
if ((need_update)); then
	apt_update
fi
if ! $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"; then
	# Stale lists give 404s for superseded versions: refresh once and retry.
	log "install failed, refreshing package lists and retrying"
	apt_update
	$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
log "done"
