// SPDX-License-Identifier: GPL-2.0
/*
 * The mock PCI function behind a VFIO device file: config space, the BAR0
 * registers of a copy engine and its interrupts. Layout and register
 * meanings are in include/uapi/linux/iommufd_mock_pci.h; the PCI rules
 * (read-only bits, BAR sizing, FLR, bus mastering) are the PCI and PCIe
 * base specifications'. Callers serialise access (mvfio_device::lock).
 */
#include <linux/file.h>
#include <linux/pci_regs.h>
#include <linux/slab.h>
#ifdef MIOMMU_HAVE_LINUX_UNALIGNED
#include <linux/unaligned.h>
#else
#include <asm/unaligned.h>	/* before 6.12 */
#endif

#include "vfio_mock.h"

#define CAP_PCIE	0x40
#define CAP_MSIX	0x80
#define PCIE_CAP_LEN	0x3c

static void mpci_signal(struct eventfd_ctx *ctx)
{
#ifdef MIOMMU_EVENTFD_SIGNAL_COUNT
	eventfd_signal(ctx, 1);
#else
	eventfd_signal(ctx);
#endif
}

static void put16(struct mpci_func *f, unsigned int off, u16 val, u16 wmask)
{
	put_unaligned_le16(val, &f->config[off]);
	put_unaligned_le16(wmask, &f->wmask[off]);
}

static void put32(struct mpci_func *f, unsigned int off, u32 val, u32 wmask)
{
	put_unaligned_le32(val, &f->config[off]);
	put_unaligned_le32(wmask, &f->wmask[off]);
}

/**
 * mpci_init() - the function as it comes out of reset, no interrupt set
 * @f: the function (zeroed by the caller)
 */
void mpci_init(struct mpci_func *f)
{
	memset(f->config, 0, sizeof(f->config));
	memset(f->wmask, 0, sizeof(f->wmask));

	put16(f, PCI_VENDOR_ID, IOMMU_MOCK_PCI_VENDOR_ID, 0);
	put16(f, PCI_DEVICE_ID, IOMMU_MOCK_PCI_DEVICE_ID, 0);
	put16(f, PCI_COMMAND, 0, PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
	      PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE);
	put16(f, PCI_STATUS, PCI_STATUS_CAP_LIST, 0);
	put32(f, PCI_CLASS_REVISION, IOMMU_MOCK_PCI_CLASS << 8 | 1, 0);
	f->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
	/* BAR0: 32-bit memory, not prefetchable; its size shows in wmask */
	put32(f, PCI_BASE_ADDRESS_0, 0, ~(IOMMU_MOCK_PCI_BAR0_SIZE - 1));
	put16(f, PCI_SUBSYSTEM_VENDOR_ID, IOMMU_MOCK_PCI_VENDOR_ID, 0);
	put16(f, PCI_SUBSYSTEM_ID, IOMMU_MOCK_PCI_DEVICE_ID, 0);
	f->config[PCI_CAPABILITY_LIST] = CAP_PCIE;
	f->wmask[PCI_INTERRUPT_LINE] = 0xff;

	/* PCIe v2 endpoint with function level reset */
	f->config[CAP_PCIE] = PCI_CAP_ID_EXP;
	f->config[CAP_PCIE + 1] = CAP_MSIX;
	put16(f, CAP_PCIE + PCI_EXP_FLAGS, 2 | PCI_EXP_TYPE_ENDPOINT << 4, 0);
	put32(f, CAP_PCIE + PCI_EXP_DEVCAP, PCI_EXP_DEVCAP_FLR, 0);
	/* Initiate FLR resets the function, which clears it again */
	put16(f, CAP_PCIE + PCI_EXP_DEVCTL, 0, 0xffff);
	put16(f, CAP_PCIE + PCI_EXP_DEVCTL2, 0, 0xffff);

	f->config[CAP_MSIX] = PCI_CAP_ID_MSIX;
	put16(f, CAP_MSIX + PCI_MSIX_FLAGS, IOMMU_MOCK_PCI_MSIX_VECTORS - 1,
	      PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	put32(f, CAP_MSIX + PCI_MSIX_TABLE, IOMMU_MOCK_PCI_MSIX_TABLE, 0);
	put32(f, CAP_MSIX + PCI_MSIX_PBA, IOMMU_MOCK_PCI_MSIX_PBA, 0);

	memset(f->regs, 0, sizeof(f->regs));
	put_unaligned_le32(IOMMU_MOCK_PCI_ID_VALUE,
			   &f->regs[IOMMU_MOCK_PCI_REG_ID]);
	memset(f->msix_table, 0, sizeof(f->msix_table));
}

/**
 * mpci_reset() - function level reset
 * @f: the function
 *
 * Config space returns to its reset values except BAR0's address (as
 * vfio-pci restores the BARs after a reset), and the engine's registers
 * clear. The interrupt eventfds are the host driver's, not the function's,
 * and stay.
 */
void mpci_reset(struct mpci_func *f)
{
	u32 bar0 = get_unaligned_le32(&f->config[PCI_BASE_ADDRESS_0]);

	mpci_init(f);
	put_unaligned_le32(bar0, &f->config[PCI_BASE_ADDRESS_0]);
}

/**
 * mpci_irqs_release() - drop every interrupt eventfd
 * @f: the function
 */
void mpci_irqs_release(struct mpci_func *f)
{
	unsigned int i;

	for (i = 0; i < IOMMU_MOCK_PCI_MSIX_VECTORS; i++) {
		if (f->msix[i])
			eventfd_ctx_put(f->msix[i]);
		f->msix[i] = NULL;
	}
	f->msix_on = false;
	if (f->err)
		eventfd_ctx_put(f->err);
	if (f->req)
		eventfd_ctx_put(f->req);
	f->err = NULL;
	f->req = NULL;
}

/**
 * mpci_request() - signal the request interrupt, if set: the host asks
 *                  the user of the function to let it go
 * @f: the function
 */
void mpci_request(struct mpci_func *f)
{
	if (f->req)
		mpci_signal(f->req);
}

/**
 * mpci_config_read() - read config space
 * @f: the function
 * @off: byte offset, @off + @len <= IOMMU_MOCK_PCI_CONFIG_SIZE
 * @buf: out
 * @len: bytes
 */
void mpci_config_read(struct mpci_func *f, unsigned int off, u8 *buf,
		      unsigned int len)
{
	memcpy(buf, &f->config[off], len);
}

/**
 * mpci_config_write() - write config space through its write masks
 * @f: the function
 * @off: byte offset, @off + @len <= IOMMU_MOCK_PCI_CONFIG_SIZE
 * @buf: the bytes
 * @len: bytes
 *
 * Read-only bits keep their value; a write of Initiate FLR resets the
 * function (the bit reads 0).
 */
void mpci_config_write(struct mpci_func *f, unsigned int off,
		       const u8 *buf, unsigned int len)
{
	unsigned int devctl = CAP_PCIE + PCI_EXP_DEVCTL, i;
	bool flr = false;

	for (i = 0; i < len; i++) {
		unsigned int o = off + i;

		f->config[o] = (f->config[o] & ~f->wmask[o]) |
			       (buf[i] & f->wmask[o]);
		if (o == devctl + 1 && (buf[i] & (PCI_EXP_DEVCTL_BCR_FLR >> 8)))
			flr = true;
	}
	if (flr)
		mpci_reset(f);
}

/**
 * mpci_mem_enabled() - does the function decode its memory BAR
 * @f: the function
 *
 * Return: the Memory Space Enable bit of the command register.
 */
bool mpci_mem_enabled(struct mpci_func *f)
{
	return get_unaligned_le16(&f->config[PCI_COMMAND]) & PCI_COMMAND_MEMORY;
}

/* Per byte of the register block: what a write may change. */
static u8 reg_wmask(unsigned int off)
{
	switch (off) {
	case IOMMU_MOCK_PCI_REG_SRC ... IOMMU_MOCK_PCI_REG_DST + 7:
	case IOMMU_MOCK_PCI_REG_LENGTH ... IOMMU_MOCK_PCI_REG_LENGTH + 3:
		return 0xff;
	case IOMMU_MOCK_PCI_REG_PASID ... IOMMU_MOCK_PCI_REG_PASID + 1:
		return 0xff;
	case IOMMU_MOCK_PCI_REG_PASID + 2:
		return 0x0f;	/* 20-bit PASID */
	case IOMMU_MOCK_PCI_REG_CTRL:
		return IOMMU_MOCK_PCI_CTRL_REVERSE | IOMMU_MOCK_PCI_CTRL_PASID |
		       IOMMU_MOCK_PCI_CTRL_IRQ;
	default:
		return 0;
	}
}

/**
 * mpci_bar0_read() - read BAR0
 * @f: the function
 * @off: byte offset, @off + @len <= IOMMU_MOCK_PCI_BAR0_SIZE
 * @buf: out
 * @len: bytes
 *
 * Registers, the MSI-X table and a zero PBA; the rest reads 0.
 */
void mpci_bar0_read(struct mpci_func *f, unsigned int off, u8 *buf,
		    unsigned int len)
{
	unsigned int i, o;

	for (i = 0; i < len; i++) {
		o = off + i;
		if (o < sizeof(f->regs))
			buf[i] = f->regs[o];
		else if (o >= IOMMU_MOCK_PCI_MSIX_TABLE &&
			 o < IOMMU_MOCK_PCI_MSIX_TABLE + sizeof(f->msix_table))
			buf[i] = f->msix_table[o - IOMMU_MOCK_PCI_MSIX_TABLE];
		else
			buf[i] = 0;
	}
}

/**
 * mpci_bar0_write() - write BAR0
 * @f: the function
 * @off: byte offset, @off + @len <= IOMMU_MOCK_PCI_BAR0_SIZE
 * @buf: the bytes
 * @len: bytes
 *
 * Return: true when the write rang the doorbell (the caller then runs
 * mpci_doorbell()).
 */
bool mpci_bar0_write(struct mpci_func *f, unsigned int off, const u8 *buf,
		     unsigned int len)
{
	bool ring = false;
	unsigned int i, o;

	for (i = 0; i < len; i++) {
		o = off + i;
		if (o < sizeof(f->regs)) {
			f->regs[o] = (f->regs[o] & ~reg_wmask(o)) |
				     (buf[i] & reg_wmask(o));
			if (o == IOMMU_MOCK_PCI_REG_DOORBELL &&
			    (buf[i] & IOMMU_MOCK_PCI_DOORBELL_GO))
				ring = true;
		} else if (o >= IOMMU_MOCK_PCI_MSIX_TABLE &&
			   o < IOMMU_MOCK_PCI_MSIX_TABLE + sizeof(f->msix_table)) {
			f->msix_table[o - IOMMU_MOCK_PCI_MSIX_TABLE] = buf[i];
		}
	}
	return ring;
}

static u32 fault_code(int rc)
{
	switch (rc) {
	case 0:
		return IOMMU_MOCK_PCI_OK;
	case -ENOENT:
		return IOMMU_MOCK_PCI_FAULT_UNMAPPED;
	case -EPERM:
		return IOMMU_MOCK_PCI_FAULT_PERM;
	case -ENODEV:
		return IOMMU_MOCK_PCI_FAULT_DETACHED;
	case -EIO:
		return IOMMU_MOCK_PCI_FAULT_IOMMU;
	default:
		return IOMMU_MOCK_PCI_FAULT_LENGTH;
	}
}

/**
 * mpci_doorbell() - run the copy the registers describe
 * @f: the function
 * @dma: how the copy reaches memory (through the device's attachment)
 * @arg: @dma's context
 *
 * STATUS gets DONE and the fault code, FAULT_IOVA the faulting IOVA (0 when
 * none), COUNT one more; MSI-X vector 0 fires when asked for and set up.
 * A fatal signal during the copy leaves STATUS as a length fault.
 */
void mpci_doorbell(struct mpci_func *f, mpci_dma_fn dma, void *arg)
{
	u32 ctrl = get_unaligned_le32(&f->regs[IOMMU_MOCK_PCI_REG_CTRL]);
	u32 len = get_unaligned_le32(&f->regs[IOMMU_MOCK_PCI_REG_LENGTH]);
	u32 pasid = get_unaligned_le32(&f->regs[IOMMU_MOCK_PCI_REG_PASID]);
	u64 src = get_unaligned_le64(&f->regs[IOMMU_MOCK_PCI_REG_SRC]);
	u64 dst = get_unaligned_le64(&f->regs[IOMMU_MOCK_PCI_REG_DST]);
	u16 cmd = get_unaligned_le16(&f->config[PCI_COMMAND]);
	u64 fault = 0;
	u32 code;
	int rc;

	if (!(cmd & PCI_COMMAND_MASTER)) {
		code = IOMMU_MOCK_PCI_FAULT_MASTER;
	} else {
		if (ctrl & IOMMU_MOCK_PCI_CTRL_REVERSE)
			swap(src, dst);
		rc = dma(arg, ctrl & IOMMU_MOCK_PCI_CTRL_PASID ? pasid :
			 MIOMMU_NO_PASID, src, dst, len, &fault);
		code = fault_code(rc);
	}
	if (code != IOMMU_MOCK_PCI_FAULT_UNMAPPED &&
	    code != IOMMU_MOCK_PCI_FAULT_PERM &&
	    code != IOMMU_MOCK_PCI_FAULT_IOMMU)
		fault = 0;
	put_unaligned_le32(IOMMU_MOCK_PCI_STATUS_DONE | code << 8,
			   &f->regs[IOMMU_MOCK_PCI_REG_STATUS]);
	put_unaligned_le64(fault, &f->regs[IOMMU_MOCK_PCI_REG_FAULT_IOVA]);
	put_unaligned_le32(get_unaligned_le32(&f->regs[IOMMU_MOCK_PCI_REG_COUNT]) + 1,
			   &f->regs[IOMMU_MOCK_PCI_REG_COUNT]);
	if ((ctrl & IOMMU_MOCK_PCI_CTRL_IRQ) && f->msix_on && f->msix[0])
		mpci_signal(f->msix[0]);
}

/**
 * mpci_irq_count() - interrupts of one VFIO index (vfio-pci's counts)
 * @f: the function
 * @index: VFIO_PCI_*_IRQ_INDEX
 *
 * Return: 0 for INTx (pin 0) and MSI (no capability), the MSI-X table
 * size, 1 for the error (a PCIe function) and request interrupts.
 */
int mpci_irq_count(struct mpci_func *f, unsigned int index)
{
	switch (index) {
	case VFIO_PCI_MSIX_IRQ_INDEX:
		return IOMMU_MOCK_PCI_MSIX_VECTORS;
	case VFIO_PCI_ERR_IRQ_INDEX:
	case VFIO_PCI_REQ_IRQ_INDEX:
		return 1;
	default:
		return 0;
	}
}

/*
 * One eventfd for a single-interrupt index (error, request), with
 * vfio-pci's rules: DATA_NONE signals (count 1) or clears (count 0) a set
 * eventfd, DATA_BOOL signals, DATA_EVENTFD sets (fd >= 0) or clears (-1).
 */
static int set_single(struct eventfd_ctx **slot, u32 count, u32 flags,
		      const void *data)
{
	struct eventfd_ctx *ctx;
	s32 fd;

	if (flags & VFIO_IRQ_SET_DATA_NONE) {
		if (!*slot)
			return -EINVAL;
		if (count) {
			mpci_signal(*slot);
		} else {
			eventfd_ctx_put(*slot);
			*slot = NULL;
		}
		return 0;
	}
	if (!count)
		return -EINVAL;
	if (flags & VFIO_IRQ_SET_DATA_BOOL) {
		if (*(const u8 *)data && *slot)
			mpci_signal(*slot);
		return 0;
	}
	fd = *(const s32 *)data;
	if (fd < -1)
		return -EINVAL;
	ctx = NULL;
	if (fd >= 0) {
		ctx = eventfd_ctx_fdget(fd);
		if (IS_ERR(ctx))
			return PTR_ERR(ctx);
	}
	if (*slot)
		eventfd_ctx_put(*slot);
	*slot = ctx;
	return 0;
}

/*
 * MSI-X vectors, with vfio-pci's rules: DATA_EVENTFD sets vectors (fd -1
 * clears one) and enables MSI-X; DATA_NONE with count 0 disables it;
 * DATA_NONE/DATA_BOOL signal vectors of an enabled MSI-X (loopback). A bad
 * fd among several changes nothing.
 */
static int set_msix(struct mpci_func *f, u32 start, u32 count, u32 flags,
		    const void *data)
{
	struct eventfd_ctx *ctx[IOMMU_MOCK_PCI_MSIX_VECTORS] = {};
	unsigned int i;
	s32 fd;

	if ((flags & VFIO_IRQ_SET_DATA_NONE) && !count) {
		if (!f->msix_on)
			return -EINVAL;
		for (i = 0; i < IOMMU_MOCK_PCI_MSIX_VECTORS; i++) {
			if (f->msix[i])
				eventfd_ctx_put(f->msix[i]);
			f->msix[i] = NULL;
		}
		f->msix_on = false;
		return 0;
	}
	if (flags & VFIO_IRQ_SET_DATA_EVENTFD) {
		for (i = 0; i < count; i++) {
			fd = ((const s32 *)data)[i];
			if (fd == -1)
				continue;
			ctx[i] = fd < 0 ? ERR_PTR(-EINVAL) : eventfd_ctx_fdget(fd);
			if (IS_ERR(ctx[i])) {
				int rc = PTR_ERR(ctx[i]);

				while (i--)
					if (ctx[i])
						eventfd_ctx_put(ctx[i]);
				return rc;
			}
		}
		for (i = 0; i < count; i++) {
			if (f->msix[start + i])
				eventfd_ctx_put(f->msix[start + i]);
			f->msix[start + i] = ctx[i];
		}
		f->msix_on = true;
		return 0;
	}
	if (!f->msix_on)
		return -EINVAL;
	for (i = 0; i < count; i++) {
		if (!f->msix[start + i])
			continue;
		if ((flags & VFIO_IRQ_SET_DATA_NONE) || ((const u8 *)data)[i])
			mpci_signal(f->msix[start + i]);
	}
	return 0;
}

/**
 * mpci_set_irqs() - VFIO_DEVICE_SET_IRQS on a validated header
 * @f: the function
 * @hdr: header, validated against mpci_irq_count() as vfio-pci validates
 * @data: @hdr->count bools or fds as @hdr->flags say, or NULL
 *
 * Return: 0; -ENOTTY an action the index does not have (vfio-pci: MSI-X
 * masking, anything on INTx and MSI, which this function lacks); -EINVAL
 * as set_single() and set_msix() say; an eventfd_ctx_fdget() errno.
 */
int mpci_set_irqs(struct mpci_func *f, const struct vfio_irq_set *hdr,
		  const void *data)
{
	u32 action = hdr->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK;

	if (action != VFIO_IRQ_SET_ACTION_TRIGGER)
		return -ENOTTY;
	switch (hdr->index) {
	case VFIO_PCI_MSIX_IRQ_INDEX:
		return set_msix(f, hdr->start, hdr->count, hdr->flags, data);
	case VFIO_PCI_ERR_IRQ_INDEX:
		return set_single(&f->err, hdr->count, hdr->flags, data);
	case VFIO_PCI_REQ_IRQ_INDEX:
		return set_single(&f->req, hdr->count, hdr->flags, data);
	default:
		return -ENOTTY;
	}
}
