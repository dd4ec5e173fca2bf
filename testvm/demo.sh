#!/usr/bin/env bash
# `make demo`: run vmm_demo against the module on the Debian 6.12 cloud kernel
# in QEMU and print its transcript. Exit code: the demo's own, or 1 if the
# kernel splatted, rmmod failed, or the VM did not finish.
set -euo pipefail
LOG_TAG=demo
# shellcheck source=testvm/lib.sh
. "$(dirname "$0")/lib.sh"

"$TOP/testvm/deps.sh"
"$TOP/testvm/kernels.sh" cloud-6.12
vmlog=$CACHE/logs/cloud-6.12-demo.log
run=$CACHE/logs/cloud-6.12-demo.run
mkdir -p "$CACHE/logs"
rm -f "$vmlog" # never show an older run's transcript
verdict=0
"$TOP/testvm/run-vm.sh" cloud-6.12 demo >"$run" 2>&1 || verdict=$?
if [[ ! -f $vmlog ]]; then
	cat "$run"
	die "the VM was not started (see above)"
fi

echo "----- vmm_demo transcript (cloud-6.12) -----"
tr -d '\r' <"$vmlog" | sed -n '/^@@DEMO-BEGIN/,/^@@DEMO-END/{/^@@DEMO-/d;p}'
echo "----- end of transcript -----"
# Problems found by parse-log.sh, and its summary line.
grep -v '^\[[0-9:]* ' "$run" || true

rc=$(tr -d '\r' <"$vmlog" | sed -n 's/^@@RESULT vmm_demo //p' | head -n 1)
if [[ -z $rc ]]; then
	log "the demo never finished (console: $vmlog)"
	exit 1
fi
if ((rc != 0)); then
	log "vmm_demo exited with $rc"
	exit "$rc"
fi
if ((verdict != 0)); then
	log "vmm_demo passed but the run has problems (see above; console: $vmlog)"
	exit 1
fi
log "vmm_demo: ok"
