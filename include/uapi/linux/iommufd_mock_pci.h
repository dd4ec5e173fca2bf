/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The mock PCI function behind each VFIO device file of iommufd-mock
 * (project extension; the VFIO uAPI itself is upstream's <linux/vfio.h>).
 *
 * Devices are made and removed through sysfs on the mock IOMMU bus:
 *
 *   echo "INSTANCE STREAM_ID" > /sys/bus/mockiommu/vfio_add
 *   echo "INSTANCE STREAM_ID" > /sys/bus/mockiommu/vfio_remove
 *
 * (numbers in C notation: 0x100 or 256). The device appears as
 * /sys/bus/mockiommu/devices/mockiommuI.SSSS, with its VFIO device file
 * under vfio-dev/vfio-mockN there and as /dev/vfio/devices/vfio-mockN:
 * the layout QEMU's vfio-pci looks for with sysfsdev=. A device is bound to
 * an iommufd of this module with VFIO_DEVICE_BIND_IOMMUFD, attached with
 * VFIO_DEVICE_ATTACH_IOMMUFD_PT, and driven through its regions.
 *
 * The function: PCIe endpoint, 4 KiB of config space, BAR0 of 4 KiB
 * (32-bit, non-prefetchable) with the registers below and an MSI-X table of
 * IOMMU_MOCK_PCI_MSIX_VECTORS vectors, no INTx (interrupt pin 0), FLR.
 */
#ifndef _UAPI_IOMMUFD_MOCK_PCI_H
#define _UAPI_IOMMUFD_MOCK_PCI_H

/* PCI IDs: QEMU's test vendor ID, a device ID of our own, class "other" */
#define IOMMU_MOCK_PCI_VENDOR_ID	0x1234
#define IOMMU_MOCK_PCI_DEVICE_ID	0x4d44	/* "MD": mock DMA */
#define IOMMU_MOCK_PCI_CLASS		0xff0000

#define IOMMU_MOCK_PCI_BAR0_SIZE	0x1000
#define IOMMU_MOCK_PCI_CONFIG_SIZE	0x1000
#define IOMMU_MOCK_PCI_MSIX_VECTORS	2
#define IOMMU_MOCK_PCI_MSIX_TABLE	0x800	/* in BAR0 */
#define IOMMU_MOCK_PCI_MSIX_PBA		0xc00	/* in BAR0 */

/*
 * BAR0 registers of the DMA engine, little endian. 64-bit registers may be
 * accessed as two 32-bit halves. A write of IOMMU_MOCK_PCI_DOORBELL_GO to
 * DOORBELL copies LENGTH bytes from SRC to DST (or DST to SRC with
 * IOMMU_MOCK_PCI_CTRL_REVERSE), both IOVAs of the device, translated by
 * what the device's requests without PASID (or with PASID, when
 * IOMMU_MOCK_PCI_CTRL_PASID is set) are attached to, exactly as
 * IOMMU_MOCK_DMA translates. The copy completes before the write returns:
 * STATUS then holds DONE and a fault code, FAULT_IOVA the IOVA that
 * faulted, and MSI-X vector 0 fires if IOMMU_MOCK_PCI_CTRL_IRQ is set.
 */
#define IOMMU_MOCK_PCI_REG_ID		0x00	/* RO: IOMMU_MOCK_PCI_ID_VALUE */
#define IOMMU_MOCK_PCI_REG_SRC		0x08	/* RW 64: source IOVA */
#define IOMMU_MOCK_PCI_REG_DST		0x10	/* RW 64: destination IOVA */
#define IOMMU_MOCK_PCI_REG_LENGTH	0x18	/* RW 32: bytes, 1 to 16 MiB */
#define IOMMU_MOCK_PCI_REG_PASID	0x1c	/* RW 32: PASID (20 bits) */
#define IOMMU_MOCK_PCI_REG_CTRL		0x20	/* RW 32: IOMMU_MOCK_PCI_CTRL_* */
#define IOMMU_MOCK_PCI_REG_DOORBELL	0x24	/* WO 32 */
#define IOMMU_MOCK_PCI_REG_STATUS	0x28	/* RO 32: STATUS_* | code << 8 */
#define IOMMU_MOCK_PCI_REG_FAULT_IOVA	0x30	/* RO 64 */
#define IOMMU_MOCK_PCI_REG_COUNT	0x38	/* RO 32: copies completed */

#define IOMMU_MOCK_PCI_ID_VALUE		0x414d444dU	/* "MDMA" */

#define IOMMU_MOCK_PCI_CTRL_REVERSE	(1U << 0)	/* copy DST to SRC */
#define IOMMU_MOCK_PCI_CTRL_PASID	(1U << 1)	/* requests carry PASID */
#define IOMMU_MOCK_PCI_CTRL_IRQ		(1U << 2)	/* MSI-X 0 on completion */

#define IOMMU_MOCK_PCI_DOORBELL_GO	1U

#define IOMMU_MOCK_PCI_STATUS_DONE	(1U << 0)
#define IOMMU_MOCK_PCI_STATUS_CODE(s)	(((s) >> 8) & 0xff)

/**
 * enum iommu_mock_pci_fault - fault code of the last copy (STATUS bits 8-15)
 * @IOMMU_MOCK_PCI_OK: copied
 * @IOMMU_MOCK_PCI_FAULT_UNMAPPED: an IOVA had no translation (FAULT_IOVA)
 * @IOMMU_MOCK_PCI_FAULT_PERM: an IOVA was mapped without the permission
 * @IOMMU_MOCK_PCI_FAULT_DETACHED: nothing attached for the requests
 * @IOMMU_MOCK_PCI_FAULT_LENGTH: LENGTH 0, above 16 MiB, or a wrapping range
 * @IOMMU_MOCK_PCI_FAULT_MASTER: bus mastering is off (PCI COMMAND bit 2)
 * @IOMMU_MOCK_PCI_FAULT_IOMMU: an IOVA met another fault of the IOMMU's
 *                              (FAULT_IOVA): a bad configuration, reserved
 *                              bits, an address beyond its width (what
 *                              IOMMU_MOCK_DMA answers EIO)
 */
enum iommu_mock_pci_fault {
	IOMMU_MOCK_PCI_OK = 0,
	IOMMU_MOCK_PCI_FAULT_UNMAPPED = 1,
	IOMMU_MOCK_PCI_FAULT_PERM = 2,
	IOMMU_MOCK_PCI_FAULT_DETACHED = 3,
	IOMMU_MOCK_PCI_FAULT_LENGTH = 4,
	IOMMU_MOCK_PCI_FAULT_MASTER = 5,
	IOMMU_MOCK_PCI_FAULT_IOMMU = 6,
};

#endif
