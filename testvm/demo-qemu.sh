#!/usr/bin/env bash
# `make demo-qemu`: Debian sid's unmodified QEMU drives a mock device of the
# module through its VFIO device file, in a test VM on the Debian 6.12 cloud
# kernel: tools/qtest/vfio_pci_test -d narrates each step (device creation,
# the QEMU command line, the iommufd calls QEMU makes from its own trace
# events, config space, DMA, interrupt, hot-unplug, exit, fd passing) and
# prints its checks. Documentation/qemu.rst explains it. Exit code: the
# program's own, or 1 if the kernel splatted, rmmod failed, or the VM did
# not finish.
set -euo pipefail
LOG_TAG=demo-qemu
# shellcheck source=testvm/lib.sh
. "$(dirname "$0")/lib.sh"

export QEMU_DEMO=1
run_demo qemu vfio_pci_test "QEMU walkthrough (Debian sid's QEMU, cloud-6.12)"
