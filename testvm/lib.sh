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

# Folder of an unpacked Debian cloud kernel (kernels.sh): root/ holds the
# packages' files, build the KDIR, vmlinuz the image. Debian sid's kernel
# (cloud-sid) has its own folder: its build tools run in the sid root.
kernel_dir() {
	case $1 in
	cloud-sid) echo "$CACHE/sid-kernel" ;;
	cloud-*) echo "$CACHE/kernels/$1" ;;
	*) die "not a cloud kernel: $1" ;;
	esac
}
# KDIR (kbuild tree for out-of-tree modules) and boot image of a kernel name.
kernel_kdir() {
	case $1 in
	cloud-*) echo "$(kernel_dir "$1")/build" ;;
	debug-6.12) echo "$CACHE/kernels/debug-6.12/src" ;;
	*) die "unknown kernel name: $1" ;;
	esac
}
kernel_image() {
	case $1 in
	cloud-*) echo "$(kernel_dir "$1")/vmlinuz" ;;
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

# --- Debian sid root (sid-root.sh) -------------------------------------------
# The root with Debian's unmodified QEMU and sid's compiler, and its ext4
# image for the test VM (sid-disk.sh).
# shellcheck disable=SC2034
SID_DIR=$CACHE/sid-root
# shellcheck disable=SC2034
SID_ROOT=$SID_DIR/root
# shellcheck disable=SC2034
SID_IMAGE=$SID_DIR/root.ext4

# The Debian mirror this machine's apt uses, read at run time from its own
# sources (deb822 *.sources first, then one-line *.list/sources.list): the
# first "deb" URI serving a plain Debian suite (not -security/-updates/
# -backports). DEBIAN_MIRROR overrides. No host name is written anywhere
# in the repo.
debian_mirror() {
	if [[ -n ${DEBIAN_MIRROR:-} ]]; then
		echo "${DEBIAN_MIRROR%/}"
		return
	fi
	local re='^(buster|bullseye|bookworm|trixie|forky|duke|sid|oldstable|stable|testing|unstable)$'
	local f uri=''
	for f in /etc/apt/sources.list.d/*.sources; do
		[[ -f $f ]] || continue
		uri=$(awk -v re="$re" 'BEGIN { RS = ""; FS = "\n" }
		{
			types = ""; uris = ""; suites = ""; enabled = "yes"
			for (i = 1; i <= NF; i++) {
				l = $i
				if (l ~ /^[ \t]*#/) continue
				if (sub(/^Types:[ \t]*/, "", l)) types = l
				else if (sub(/^URIs:[ \t]*/, "", l)) uris = l
				else if (sub(/^Suites:[ \t]*/, "", l)) suites = l
				else if (sub(/^Enabled:[ \t]*/, "", l)) enabled = l
			}
			if (enabled == "no" || (" " types " ") !~ / deb /) next
			n = split(suites, s, /[ \t]+/)
			for (j = 1; j <= n; j++)
				if (s[j] ~ re) { split(uris, u, /[ \t]+/); print u[1]; exit }
		}' "$f")
		[[ -n $uri ]] && break
	done
	if [[ -z $uri ]]; then
		for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
			[[ -f $f ]] || continue
			# deb [options] URI SUITE COMPONENTS...
			uri=$(sed -E 's/\[[^]]*\]//' "$f" | awk -v re="$re" '$1 == "deb" && $3 ~ re { print $2; exit }')
			[[ -n $uri ]] && break
		done
	fi
	[[ -n $uri ]] || return 1
	echo "${uri%/}"
}

# apt options for a root made by sid-root.sh: the mirror's sid Release file
# is past its validity date, which apt refuses without this.
# shellcheck disable=SC2034
SID_APT_OPTS=(-o Acquire::Check-Valid-Until=false -o APT::Install-Recommends=false -q)

# Drop what apt-get update left in the sid root (package lists and apt's
# caches, 200 MB): the root stays as sid-root.sh made it.
sid_apt_clean() {
	rm -rf "$SID_ROOT"/var/lib/apt/lists/* "$SID_ROOT"/var/cache/apt/*.bin
}

# Run a command in a sid root with /proc, /sys, /dev and a fresh /tmp
# mounted inside, in a private mount namespace (the mounts vanish with the
# command, whatever way it ends). SID_BINDS: space-separated host folders
# bound at the same path inside (e.g. the repo for a module build).
sid_chroot() {
	local root=$1
	shift
	[[ -x $root/bin/sh ]] || die "no sid root at $root (run testvm/sid-root.sh)"
	# shellcheck disable=SC2016
	SID_BINDS=${SID_BINDS:-} unshare --mount --propagation private -- /bin/sh -euc '
		r=$1; shift
		mount -t proc proc "$r/proc"
		mount --rbind /sys "$r/sys"
		mount --rbind /dev "$r/dev"
		mount -t tmpfs tmpfs "$r/tmp"
		for b in $SID_BINDS; do
			mkdir -p "$r$b"
			mount --bind "$b" "$r$b"
		done
		exec chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
	' sid_chroot "$root" "$@"
}

# A demo: boot cloud-6.12 in run-vm.sh mode $1 (environment as given), print
# the transcript of each program in $2 (a space-separated list, in order) that
# the VM wrapped in @@DEMO-BEGIN/@@DEMO-END under the title $3 (followed by
# the program's name when there are several), then parse-log.sh's findings;
# exit with the first nonzero program code, or 1 if one never finished or the
# run had problems. Used by demo.sh and demo-qemu.sh.
run_demo() {
	local mode=$1 progs=$2 title=$3 vmlog run rc verdict=0 prog head failed=0
	"$TOP/testvm/deps.sh"
	"$TOP/testvm/kernels.sh" cloud-6.12
	vmlog=$CACHE/logs/cloud-6.12-$mode.log
	run=$CACHE/logs/cloud-6.12-$mode-${progs%% *}.run
	mkdir -p "$CACHE/logs"
	rm -f "$vmlog" # never show an older run's transcript
	"$TOP/testvm/run-vm.sh" cloud-6.12 "$mode" >"$run" 2>&1 || verdict=$?
	if [[ ! -f $vmlog ]]; then
		cat "$run"
		die "the VM was not started (see above)"
	fi
	for prog in $progs; do
		head=$title
		[[ $progs == *" "* ]] && head="$title: $prog"
		echo "----- $head -----"
		tr -d '\r' <"$vmlog" | sed -n "/^@@DEMO-BEGIN $prog\$/,/^@@DEMO-END $prog\$/{/^@@DEMO-/d;p}"
		echo "----- end of transcript -----"
	done
	# Problems found by parse-log.sh, and its summary line.
	grep -v '^\[[0-9:]* ' "$run" || true
	for prog in $progs; do
		rc=$(tr -d '\r' <"$vmlog" | sed -n "s/^@@RESULT $prog //p" | head -n 1)
		rc=${rc%% *}
		if [[ -z $rc ]]; then
			log "$prog never finished (console: $vmlog)"
			exit 1
		fi
		if ((rc != 0)); then
			log "$prog exited with $rc"
			((failed)) || failed=$rc
		fi
	done
	((failed == 0)) || exit "$failed"
	if ((verdict != 0)); then
		log "$progs: passed but the run has problems (see above; console: $vmlog)"
		exit 1
	fi
	log "$progs: ok"
}
