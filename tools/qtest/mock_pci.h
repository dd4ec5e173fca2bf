/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mock_pci: what the qtest programs share about iommufd_mock's VFIO mock
 * devices (include/uapi/linux/iommufd_mock_pci.h): making and removing one
 * through /sys/bus/mockiommu, finding its VFIO device file, and one copy
 * through its BAR0 copy engine as the guest (qtest) drives it.
 */
#ifndef MOCK_PCI_H
#define MOCK_PCI_H

#include <stddef.h>
#include <stdint.h>

#include "qtest_client.h"

/**
 * mock_pci_sysfs() - write "@inst @sid" to /sys/bus/mockiommu/@attr
 * ("vfio_add" or "vfio_remove").
 * Return: 0, or -errno of the open or the write.
 */
int mock_pci_sysfs(const char *attr, int inst, unsigned int sid);

/**
 * mock_pci_sysfsdev() - the device's sysfs folder,
 * /sys/bus/mockiommu/devices/mockiommuI.SSSS (QEMU's sysfsdev=), into
 * @buf of @size bytes.
 */
void mock_pci_sysfsdev(int inst, unsigned int sid, char *buf, size_t size);

/**
 * mock_pci_vfio_name() - the vfio-mockN name under the device's vfio-dev
 * folder, as QEMU finds it (and /dev/vfio/devices/ names it).
 * Return: 0, or -1 if there is none (or it does not fit @size).
 */
int mock_pci_vfio_name(int inst, unsigned int sid, char *name, size_t size);

/**
 * mock_pci_copy() - one copy through the copy engine of the function whose
 * BAR0 is mapped at guest-physical @bar0: SRC, DST, LENGTH, CTRL, then
 * DOORBELL (the copy completes before the write returns).
 * Return: the STATUS register (DONE | fault code << 8), all-ones if @q
 * failed.
 */
uint32_t mock_pci_copy(struct qtc *q, uint64_t bar0, uint64_t src, uint64_t dst,
		       uint32_t len, uint32_t ctrl);

/** mock_pci_module_refcnt() - iommufd_mock's module reference count, or -1. */
long mock_pci_module_refcnt(void);

#endif /* MOCK_PCI_H */
