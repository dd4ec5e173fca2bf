#!/usr/bin/env bash
# `make demo-qemu`: Debian sid's unmodified QEMU drives a mock device of the
# module through its VFIO device file, in a test VM on the Debian 6.12 cloud
# kernel: tools/qtest/vfio_pci_test -d narrates each step (device creation,
# the QEMU command line, the iommufd calls QEMU makes from its own trace
# events, config space, DMA, interrupt, hot-unplug, exit) and prints its
# checks. Documentation/qemu.rst explains it. Exit code: the program's own,
# or 1 if the kernel splatted, rmmod failed, or the VM did not finish.
set -euo pipefail
LOG_TAG=demo-qemu
# shellcheck source=testvm/lib.sh
. "$(dirname "$0")/lib.sh"

"$TOP/testvm/deps.sh"
"$TOP/testvm/kernels.sh" cloud-6.12
vmlog=$CACHE/logs/cloud-6.12-qemu.log
run=$CACHE/logs/cloud-6.12-qemu-demo.run
mkdir -p "$CACHE/logs"
rm -f "$vmlog" # never show an older run's transcript
verdict=0
QEMU_DEMO=1 "$TOP/testvm/run-vm.sh" cloud-6.12 qemu >"$run" 2>&1 || verdict=$?
if [[ ! -f $vmlog ]]; then
	cat "$run"
	die "the VM was not started (see above)"
fi

echo "----- QEMU walkthrough (Debian sid's QEMU, cloud-6.12) -----"
tr -d '\r' <"$vmlog" | sed -n '/^@@DEMO-BEGIN/,/^@@DEMO-END/{/^@@DEMO-/d;p}'
echo "----- end of transcript -----"
grep -v '^\[[0-9:]* ' "$run" || true

rc=$(tr -d '\r' <"$vmlog" | sed -n 's/^@@RESULT vfio_pci_test //p' | head -n 1)
if [[ -z $rc ]]; then
	log "the walkthrough never finished (console: $vmlog)"
	exit 1
fi
rc=${rc%% *}
if ((rc != 0)); then
	log "vfio_pci_test exited with $rc"
	exit "$rc"
fi
if ((verdict != 0)); then
	log "the walkthrough passed but the run has problems (see above; console: $vmlog)"
	exit 1
fi
log "demo-qemu: ok"
