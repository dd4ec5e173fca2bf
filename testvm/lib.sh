# shellcheck shell=bash
# Shared helpers for the testvm/ scripts. Sourced, never run.

# Repo top = parent of the folder holding this file; everything fetched or
# built lives under $CACHE so a clean clone starts from nothing.
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${IOMMUFD_MOCK_CACHE:-$TOP/.cache}
JOBS=${JOBS:-$(nproc)}

log() { printf '[%s %s] %s\n' "$(date +%H:%M:%S)" "${LOG_TAG:-testvm}" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# True when apt's package lists exist and were refreshed within a day (by
# anyone, or by us: apt keeps a list's old mtime when it did not change).
# Older lists miss the newest kernels and may point at superseded .debs.
APT_STAMP=$CACHE/.apt-updated
apt_lists_fresh() {
	[[ -n $(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -print -quit 2>/dev/null) ]] || return 1
	[[ -n $(find /var/lib/apt/lists -maxdepth 1 -name '*_Packages*' -mmin -1440 -print -quit 2>/dev/null) ]] ||
		[[ -n $(find "$APT_STAMP" -mmin -1440 2>/dev/null) ]]
}
apt_update() {
	log "apt-get update"
	${SUDO:-} apt-get update -q >/dev/null
	mkdir -p "$CACHE" && touch "$APT_STAMP"
}

# Read a key from .cache/versions (written by kernels.sh).
version_of() {
	local key=$1
	[[ -f $CACHE/versions ]] || return 1
	sed -n "s/^$key=//p" "$CACHE/versions" | tail -n 1
}

# Set (or replace) a key in .cache/versions.
set_version() {
	local key=$1 val=$2
	mkdir -p "$CACHE"
	touch "$CACHE/versions"
	sed -i "/^$key=/d" "$CACHE/versions"
	echo "$key=$val" >>"$CACHE/versions"
}

# KDIR (kbuild tree for out-of-tree modules) and boot image of a kernel name.
kernel_kdir() {
	case $1 in
	cloud-*) echo "$CACHE/kernels/$1/build" ;;
	debug-6.12) echo "$CACHE/kernels/debug-6.12/src" ;;
	*) die "unknown kernel name: $1" ;;
	esac
}
kernel_image() {
	case $1 in
	cloud-*) echo "$CACHE/kernels/$1/vmlinuz" ;;
	debug-6.12) echo "$CACHE/kernels/debug-6.12/src/arch/x86/boot/bzImage" ;;
	*) die "unknown kernel name: $1" ;;
	esac
}

# Harness folder and checkpatch, extracted by kernels.sh (the top Makefile
# has the same defaults).
# shellcheck disable=SC2034
KSFT_DIR=$CACHE/linux-source-6.12/tools/testing/selftests
# shellcheck disable=SC2034
CHECKPATCH=$CACHE/linux-source-6.12/scripts/checkpatch.pl

# Upstream kselftest programs run on a kernel (selftests/upstream): the
# fault-injection sweep needs failslab, which only the debug kernel has.
# UPSTREAM_PROGS overrides the list (space-separated).
upstream_progs() {
	if [[ -n ${UPSTREAM_PROGS:-} ]]; then
		echo "$UPSTREAM_PROGS"
		return
	fi
	case $1 in
	debug-*) echo "iommufd iommufd_fail_nth" ;;
	*) echo "iommufd" ;;
	esac
}
# Expectations for the upstream cases (see selftests/upstream/README.md).
# shellcheck disable=SC2034
UPSTREAM_EXPECT=${UPSTREAM_EXPECT:-$TOP/selftests/upstream/expectations}

# tinyconfig kernels (debug-kernel.sh, bench-kernel.sh): configure the
# extracted tree $1 with tinyconfig plus fragment $2 (logging to $3), check
# that every fragment line survived olddefconfig (a missing dependency
# silently drops an option otherwise), then build it with -j$JOBS.
# tinyconfig on an x86_64 host would otherwise offer a 32-bit kernel: ARCH.
tiny_kernel_build() {
	local src=$1 frag=$2 blog=$3 line bad=0
	log "configure: tinyconfig + $(basename "$frag") + olddefconfig"
	make -C "$src" ARCH=x86_64 -s tinyconfig >>"$blog" 2>&1
	# Appended lines override tinyconfig's values when olddefconfig reads them.
	grep -E '^(CONFIG_|# CONFIG_)' "$frag" >>"$src/.config"
	make -C "$src" ARCH=x86_64 -s olddefconfig >>"$blog" 2>&1
	while IFS= read -r line; do
		if [[ $line =~ ^CONFIG_([A-Za-z0-9_]+)=(.*)$ ]]; then
			grep -qxF "$line" "$src/.config" || {
				log "fragment option lost: $line (now: $(grep -E "^(# )?CONFIG_${BASH_REMATCH[1]}[= ]" "$src/.config" || echo absent))"
				bad=1
			}
		elif [[ $line =~ ^#\ CONFIG_([A-Za-z0-9_]+)\ is\ not\ set$ ]]; then
			if grep -qE "^CONFIG_${BASH_REMATCH[1]}=" "$src/.config"; then
				log "fragment option should be off: ${BASH_REMATCH[1]}"
				bad=1
			fi
		fi
	done <"$frag"
	((bad == 0)) || die "config check failed (see above)"
	log "config check passed ($(grep -cE '^(CONFIG_|# CONFIG_)' "$frag") fragment lines)"

	log "build with -j$JOBS (log: $blog)"
	if ! make -C "$src" ARCH=x86_64 -j"$JOBS" all >>"$blog" 2>&1; then
		tail -n 40 "$blog" >&2
		die "kernel build failed"
	fi
	[[ -f $src/arch/x86/boot/bzImage && -f $src/Module.symvers ]] ||
		die "build produced no bzImage/Module.symvers"
}
