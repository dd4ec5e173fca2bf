/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VFIO device files for mock devices: the subset of upstream's VFIO device
 * uAPI (cdev + iommufd flavour) a VMM needs, in front of a mock PCI
 * function whose DMA goes through the module's IOMMU instances.
 *
 * device.c: sysfs creation and removal, the char device, binding to an
 * iommufd of this module, attach/detach, the VFIO ioctls and region I/O.
 * pci_func.c: the PCI function itself (config space, BAR0 DMA engine,
 * interrupts), which knows nothing of files.
 */
#ifndef MVFIO_H
#define MVFIO_H

#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/eventfd.h>
#include <linux/mutex.h>
#include <uapi/linux/vfio.h>

#include "miommu.h"
#include "iommufd_mock_pci.h"

/*
 * Upstream's cdev-only ioctls (Linux 6.6+; the PASID fields 6.13+), defined
 * here with upstream's numbers and layouts for kernels whose headers lack
 * them.
 */
#define MVFIO_BIND_IOMMUFD	_IO(VFIO_TYPE, VFIO_BASE + 18)
#define MVFIO_ATTACH_PT		_IO(VFIO_TYPE, VFIO_BASE + 19)
#define MVFIO_DETACH_PT		_IO(VFIO_TYPE, VFIO_BASE + 20)
#define MVFIO_BIND_FLAG_TOKEN	BIT(0)
#define MVFIO_ATTACH_PASID	BIT(0)
#define MVFIO_DETACH_PASID	BIT(0)

/* struct vfio_device_bind_iommufd */
struct mvfio_bind {
	__u32 argsz;
	__u32 flags;
	__s32 iommufd;
	__u32 out_devid;
	__aligned_u64 token_uuid_ptr;
};

/* struct vfio_device_attach_iommufd_pt */
struct mvfio_attach {
	__u32 argsz;
	__u32 flags;
	__u32 pt_id;
	__u32 pasid;
};

/* struct vfio_device_detach_iommufd_pt */
struct mvfio_detach {
	__u32 argsz;
	__u32 flags;
	__u32 pasid;
};

/* Region offsets in the device file: index << 40, as vfio-pci */
#define MVFIO_OFFSET_SHIFT	40
#define MVFIO_OFFSET(index)	((u64)(index) << MVFIO_OFFSET_SHIFT)

#define MVFIO_NUM_REGIONS	9	/* VFIO_PCI_NUM_REGIONS */
#define MVFIO_NUM_IRQS		5	/* VFIO_PCI_NUM_IRQS */

/**
 * struct mpci_func - the mock PCI function (pci_func.c)
 * @config: config space as the device answers it
 * @wmask: per byte of @config, the bits a config write changes
 * @regs: BAR0 registers 0x00-0x3f, little endian
 * @msix_table: BAR0's MSI-X table (QEMU emulates its own; kept for readers)
 * @msix: eventfd of each MSI-X vector (VFIO_DEVICE_SET_IRQS), or NULL
 * @msix_on: MSI-X enabled through SET_IRQS
 * @err: eventfd of the error interrupt, or NULL
 * @req: eventfd of the device request interrupt, or NULL
 */
struct mpci_func {
	u8 config[IOMMU_MOCK_PCI_CONFIG_SIZE];
	u8 wmask[IOMMU_MOCK_PCI_CONFIG_SIZE];
	u8 regs[0x40];
	u8 msix_table[16 * IOMMU_MOCK_PCI_MSIX_VECTORS];
	struct eventfd_ctx *msix[IOMMU_MOCK_PCI_MSIX_VECTORS];
	bool msix_on;
	struct eventfd_ctx *err;
	struct eventfd_ctx *req;
};

struct mvfio_file;

/**
 * struct mvfio_device - a mock device with a VFIO device file
 * @hw: the device behind its IOMMU instance (owned: released on removal)
 * @dir: the "vfio-dev" directory device under @hw (as upstream's class)
 * @dev: "vfio-mockN", holder of the char device number
 * @cdev: the char device
 * @index: N
 * @lock: guards everything below and @func; taken before the bound
 *        iommufd's ictx->lock
 * @open_count: open files
 * @removed: vfio_remove ran; no new open
 * @bound: the file bound to an iommufd, or NULL (one at a time, upstream)
 * @func: the PCI function
 * @node: in the list of devices
 */
struct mvfio_device {
	struct miommu_device *hw;
	struct device *dir;
	struct device dev;
	struct cdev cdev;
	unsigned int index;
	struct mutex lock; /* see @lock above */
	unsigned int open_count;
	bool removed;
	struct mvfio_file *bound;
	struct mpci_func func;
	struct list_head node;
};

/* pci_func.c */
void mpci_init(struct mpci_func *f);
void mpci_reset(struct mpci_func *f);
void mpci_irqs_release(struct mpci_func *f);
void mpci_request(struct mpci_func *f);
void mpci_config_read(struct mpci_func *f, unsigned int off, u8 *buf,
		      unsigned int len);
void mpci_config_write(struct mpci_func *f, unsigned int off,
		       const u8 *buf, unsigned int len);
bool mpci_mem_enabled(struct mpci_func *f);
void mpci_bar0_read(struct mpci_func *f, unsigned int off, u8 *buf,
		    unsigned int len);
bool mpci_bar0_write(struct mpci_func *f, unsigned int off, const u8 *buf,
		     unsigned int len);
int mpci_irq_count(struct mpci_func *f, unsigned int index);
int mpci_set_irqs(struct mpci_func *f, const struct vfio_irq_set *hdr,
		  const void *data);

/**
 * typedef mpci_dma_fn - how the function's copy engine reaches memory
 * @arg: the caller's context (the bound device)
 * @pasid: PASID of the requests, or MIOMMU_NO_PASID
 * @src: source IOVA
 * @dst: destination IOVA
 * @length: bytes
 * @fault_iova: out: the IOVA that faulted
 *
 * Return: 0 or iommufd_device_dma_copy()'s errno.
 */
typedef int (*mpci_dma_fn)(void *arg, u32 pasid, u64 src, u64 dst,
			   u64 length, u64 *fault_iova);
void mpci_doorbell(struct mpci_func *f, mpci_dma_fn dma, void *arg);

#endif
