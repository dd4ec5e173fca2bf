#!/usr/bin/env bash
# `make demo-qemu`: Debian sid's unmodified QEMU drives mock devices of the
# module through their VFIO device files, in a test VM on the Debian 6.12
# cloud kernel. Two narrated transcripts, each with its checks:
#  - tools/qtest/vfio_pci_test -d: device creation, the QEMU command line, the
#    iommufd calls QEMU makes (its own trace events), config space, DMA,
#    interrupt, hot-unplug, exit, fd passing;
#  - tools/qtest/vtd_nested_test -d: QEMU's intel-iommu (scalable-mode,
#    fsts=on) nesting over the module's VT-d instance: host checks, the
#    guest's tables, the IOMMU_HWPT_DATA_VTD_S1 HWPT, DMA through the guest's
#    first stage, a stale IOTLB and the forwarded invalidation, faults.
# Documentation/qemu.rst explains them. Exit code: the first failing
# program's own, or 1 if the kernel splatted, rmmod failed, or the VM did not
# finish.
set -euo pipefail
LOG_TAG=demo-qemu
# shellcheck source=testvm/lib.sh
. "$(dirname "$0")/lib.sh"

export QEMU_DEMO=1
run_demo qemu "vfio_pci_test vtd_nested_test" "QEMU walkthrough (Debian sid's QEMU, cloud-6.12)"
