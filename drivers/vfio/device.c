// SPDX-License-Identifier: GPL-2.0
/*
 * VFIO device files of mock devices (issue 6): made and removed through
 * sysfs on a driver's bus, bound to an iommufd of this module, attached to
 * its IOAS and HWPTs, and driving a mock PCI function (pci_func.c).
 *
 * The uAPI is upstream's VFIO device cdev with iommufd (Linux 6.6+:
 * drivers/vfio/device_cdev.c, vfio_main.c, pci/vfio_pci_core.c give the
 * numbers, layouts and errnos); the sysfs layout is the one QEMU's
 * vfio-pci reads for sysfsdev=: the first entry of <device>/vfio-dev whose
 * name starts with "vfio", its "dev" file, and /dev/vfio/devices/<name>.
 * The names (vfio-mockN) cannot clash with the kernel's own VFIO devices
 * (vfioN).
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "../core/iommufd_private.h"
#include "vfio_mock.h"

#define MVFIO_MAX_DEVICES 256

static DEFINE_MUTEX(mvfio_list_lock);	/* the list, the IDA, mvfio_ready */
static LIST_HEAD(mvfio_devices);
static DEFINE_IDA(mvfio_ida);
static dev_t mvfio_devt;
static bool mvfio_ready;

/**
 * struct mvfio_file - one open VFIO device file
 * @vdev: the device
 * @bound: VFIO_DEVICE_BIND_IOMMUFD succeeded (release/acquire published)
 * @ictx: the iommufd it is bound to (a reference of its file)
 * @idev: the device object in @ictx (dev_id)
 */
struct mvfio_file {
	struct mvfio_device *vdev;
	bool bound;
	struct iommufd_ctx *ictx;
	struct iommufd_device *idev;
};

static int mvfio_dma(void *arg, u32 pasid, u64 src, u64 dst, u64 length,
		     u64 *fault_iova)
{
	struct miommu_fault fault = {};
	int rc;

	rc = iommufd_device_dma_copy(arg, pasid, src, dst, length, &fault);
	*fault_iova = fault.addr;
	return rc;
}

/* Unbind: detach everything, drop the device object and the iommufd. */
static void mvfio_unbind(struct mvfio_file *df)
{
	struct iommufd_ctx *ictx = df->ictx;

	mutex_lock(&ictx->lock);
	iommufd_device_unbind(df->idev);
	mutex_unlock(&ictx->lock);
	iommufd_ctx_put(ictx);
	df->vdev->bound = NULL;
	df->bound = false;
	df->ictx = NULL;
	df->idev = NULL;
}

/*
 * VFIO_DEVICE_BIND_IOMMUFD (upstream's vfio_df_ioctl_bind_iommufd rules):
 * EINVAL short argsz, negative fd, unknown flags, a bound file or device;
 * EINVAL a VF token (this function is neither PF nor VF); EBADF/EBADFD the
 * fd is not an iommufd of this module; EFAULT; ENOMEM/ENOSPC.
 */
static long mvfio_ioctl_bind(struct mvfio_file *df,
			     struct mvfio_bind __user *arg)
{
	struct mvfio_device *vdev = df->vdev;
	struct iommufd_device *idev;
	struct iommufd_ctx *ictx;
	struct mvfio_bind bind;
	u8 uuid[16];
	u32 size;
	int rc;

	if (get_user(size, &arg->argsz))
		return -EFAULT;
	if (size < offsetofend(struct mvfio_bind, out_devid))
		return -EINVAL;
	rc = copy_struct_from_user(&bind, sizeof(bind), arg, size);
	if (rc)
		return rc;
	if (bind.iommufd < 0 || bind.flags & ~MVFIO_BIND_FLAG_TOKEN)
		return -EINVAL;

	mutex_lock(&vdev->lock);
	rc = -EINVAL;
	if (df->bound || vdev->bound)
		goto out_unlock;
	if (bind.flags & MVFIO_BIND_FLAG_TOKEN) {
		if (size < offsetofend(struct mvfio_bind, token_uuid_ptr))
			goto out_unlock;
		rc = copy_from_user(uuid, u64_to_user_ptr(bind.token_uuid_ptr),
				    sizeof(uuid)) ? -EFAULT : -EINVAL;
		goto out_unlock;
	}
	ictx = iommufd_ctx_from_fd(bind.iommufd);
	if (IS_ERR(ictx)) {
		rc = PTR_ERR(ictx);
		goto out_unlock;
	}
	mutex_lock(&ictx->lock);
	idev = iommufd_device_bind_borrowed(ictx, vdev->hw);
	if (IS_ERR(idev)) {
		rc = PTR_ERR(idev);
		goto out_put;
	}
	if (put_user(idev->obj.id, &arg->out_devid)) {
		iommufd_device_unbind(idev);
		rc = -EFAULT;
		goto out_put;
	}
	mutex_unlock(&ictx->lock);
	df->ictx = ictx;
	df->idev = idev;
	vdev->bound = df;
	/* Pairs with the acquire of the ioctl and region paths */
	smp_store_release(&df->bound, true);
	mutex_unlock(&vdev->lock);
	return 0;

out_put:
	mutex_unlock(&ictx->lock);
	iommufd_ctx_put(ictx);
out_unlock:
	mutex_unlock(&vdev->lock);
	return rc;
}

/*
 * VFIO_DEVICE_ATTACH_IOMMUFD_PT (upstream rules): attach, or replace when
 * something is attached there, the RID or (with VFIO_DEVICE_ATTACH_PASID)
 * one PASID to an IOAS (automatic HWPT) or HWPT; the HWPT's ID is written
 * back. The reply is written before the attach commits, so an EFAULT
 * changes nothing (upstream detaches instead). Errnos: EFAULT; EINVAL
 * short argsz, unknown flags; iommufd_device_attach_begin()'s.
 */
static long mvfio_ioctl_attach(struct mvfio_file *df,
			       struct mvfio_attach __user *arg)
{
	size_t minsz = offsetofend(struct mvfio_attach, pt_id);
	struct iommufd_ctx *ictx = df->ictx;
	struct iommufd_attach att;
	struct mvfio_attach at;
	u32 pasid = MIOMMU_NO_PASID;
	int rc;

	if (copy_from_user(&at, arg, minsz))
		return -EFAULT;
	if (at.argsz < minsz || at.flags & ~MVFIO_ATTACH_PASID)
		return -EINVAL;
	if (at.flags & MVFIO_ATTACH_PASID) {
		if (at.argsz < offsetofend(struct mvfio_attach, pasid))
			return -EINVAL;
		if (get_user(pasid, &arg->pasid))
			return -EFAULT;
	}

	mutex_lock(&df->vdev->lock);
	mutex_lock(&ictx->lock);
	rc = iommufd_device_attach_begin(ictx, df->idev, pasid, at.pt_id,
					 iommufd_device_attached(df->idev, pasid),
					 &att);
	if (!rc) {
		rc = put_user(att.hwpt->obj.id, &arg->pt_id) ? -EFAULT : 0;
		iommufd_device_attach_end(ictx, df->idev, &att, !rc);
	}
	mutex_unlock(&ictx->lock);
	mutex_unlock(&df->vdev->lock);
	return rc;
}

/*
 * VFIO_DEVICE_DETACH_IOMMUFD_PT (upstream rules): detach the RID or one
 * PASID; nothing attached is not an error. EFAULT; EINVAL short argsz,
 * unknown flags.
 */
static long mvfio_ioctl_detach(struct mvfio_file *df,
			       struct mvfio_detach __user *arg)
{
	size_t minsz = offsetofend(struct mvfio_detach, flags);
	struct mvfio_detach dt;
	u32 pasid = MIOMMU_NO_PASID;

	if (copy_from_user(&dt, arg, minsz))
		return -EFAULT;
	if (dt.argsz < minsz || dt.flags & ~MVFIO_DETACH_PASID)
		return -EINVAL;
	if (dt.flags & MVFIO_DETACH_PASID) {
		if (dt.argsz < offsetofend(struct mvfio_detach, pasid))
			return -EINVAL;
		if (get_user(pasid, &arg->pasid))
			return -EFAULT;
	}
	mutex_lock(&df->vdev->lock);
	mutex_lock(&df->ictx->lock);
	iommufd_device_detach(df->ictx, df->idev, pasid);
	mutex_unlock(&df->ictx->lock);
	mutex_unlock(&df->vdev->lock);
	return 0;
}

/* VFIO_DEVICE_GET_INFO: a PCI device with reset, 9 regions, 5 IRQ indexes */
static long mvfio_ioctl_get_info(struct vfio_device_info __user *arg)
{
	size_t minsz = offsetofend(struct vfio_device_info, num_irqs);
	struct vfio_device_info info;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	minsz = min_t(size_t, info.argsz, sizeof(info));
	memset(&info, 0, sizeof(info));
	info.argsz = minsz;
	info.flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;
	info.num_regions = MVFIO_NUM_REGIONS;
	info.num_irqs = MVFIO_NUM_IRQS;
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

/*
 * VFIO_DEVICE_GET_REGION_INFO: BAR0 and config space are read/write (no
 * mmap), the other BARs and the ROM have size 0; VGA and beyond: EINVAL.
 */
static long mvfio_ioctl_region_info(struct vfio_region_info __user *arg)
{
	size_t minsz = offsetofend(struct vfio_region_info, offset);
	struct vfio_region_info info;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz || info.index >= VFIO_PCI_VGA_REGION_INDEX)
		return -EINVAL;
	info.offset = MVFIO_OFFSET(info.index);
	info.cap_offset = 0;
	info.size = 0;
	info.flags = 0;
	if (info.index == VFIO_PCI_BAR0_REGION_INDEX)
		info.size = IOMMU_MOCK_PCI_BAR0_SIZE;
	else if (info.index == VFIO_PCI_CONFIG_REGION_INDEX)
		info.size = IOMMU_MOCK_PCI_CONFIG_SIZE;
	if (info.size)
		info.flags = VFIO_REGION_INFO_FLAG_READ |
			     VFIO_REGION_INFO_FLAG_WRITE;
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

/* VFIO_DEVICE_GET_IRQ_INFO (vfio-pci's flags; MSI-X vectors are dynamic) */
static long mvfio_ioctl_irq_info(struct mvfio_device *vdev,
				 struct vfio_irq_info __user *arg)
{
	size_t minsz = offsetofend(struct vfio_irq_info, count);
	struct vfio_irq_info info;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz || info.index >= MVFIO_NUM_IRQS)
		return -EINVAL;
	info.flags = VFIO_IRQ_INFO_EVENTFD;
	if (info.index == VFIO_PCI_INTX_IRQ_INDEX)
		info.flags |= VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED;
	else if (info.index != VFIO_PCI_MSIX_IRQ_INDEX)
		info.flags |= VFIO_IRQ_INFO_NORESIZE;
	info.count = mpci_irq_count(&vdev->func, info.index);
	return copy_to_user(arg, &info, minsz) ? -EFAULT : 0;
}

/*
 * VFIO_DEVICE_SET_IRQS, validated as upstream's
 * vfio_set_irqs_validate_and_prepare(): EINVAL short argsz, index, range,
 * flags or data; EFAULT; then mpci_set_irqs()'s errnos.
 */
static long mvfio_ioctl_set_irqs(struct mvfio_device *vdev,
				 struct vfio_irq_set __user *arg)
{
	size_t minsz = offsetofend(struct vfio_irq_set, count), size;
	struct vfio_irq_set hdr;
	void *data = NULL;
	int max, rc;

	if (copy_from_user(&hdr, arg, minsz))
		return -EFAULT;
	max = mpci_irq_count(&vdev->func, hdr.index);
	if (hdr.argsz < minsz || hdr.index >= MVFIO_NUM_IRQS ||
	    hdr.count >= U32_MAX - hdr.start ||
	    hdr.flags & ~(VFIO_IRQ_SET_DATA_TYPE_MASK |
			  VFIO_IRQ_SET_ACTION_TYPE_MASK))
		return -EINVAL;
	if (hdr.start >= max || hdr.start + hdr.count > max)
		return -EINVAL;
	switch (hdr.flags & VFIO_IRQ_SET_DATA_TYPE_MASK) {
	case VFIO_IRQ_SET_DATA_NONE:
		size = 0;
		break;
	case VFIO_IRQ_SET_DATA_BOOL:
		size = sizeof(u8);
		break;
	case VFIO_IRQ_SET_DATA_EVENTFD:
		size = sizeof(s32);
		break;
	default:
		return -EINVAL;
	}
	/* count < max <= IOMMU_MOCK_PCI_MSIX_VECTORS: a few bytes at most */
	if (size && hdr.argsz - minsz < hdr.count * size)
		return -EINVAL;
	if (size && hdr.count) {
		data = memdup_user((void __user *)arg + minsz, hdr.count * size);
		if (IS_ERR(data))
			return PTR_ERR(data);
	}
	mutex_lock(&vdev->lock);
	rc = mpci_set_irqs(&vdev->func, &hdr, data);
	mutex_unlock(&vdev->lock);
	kfree(data);
	return rc;
}

/*
 * VFIO_DEVICE_FEATURE: the header is checked as upstream does (EFAULT,
 * EINVAL short argsz, unknown flags, GET with SET without PROBE); the
 * device has no feature (migration, DMA logging, low power, dma-buf):
 * ENOTTY, which VMMs read as "not supported".
 */
static long mvfio_ioctl_feature(struct vfio_device_feature __user *arg)
{
	size_t minsz = offsetofend(struct vfio_device_feature, flags);
	struct vfio_device_feature feature;

	if (copy_from_user(&feature, arg, minsz))
		return -EFAULT;
	if (feature.argsz < minsz)
		return -EINVAL;
	if (feature.flags & ~(VFIO_DEVICE_FEATURE_MASK |
			      VFIO_DEVICE_FEATURE_SET |
			      VFIO_DEVICE_FEATURE_GET |
			      VFIO_DEVICE_FEATURE_PROBE))
		return -EINVAL;
	if (!(feature.flags & VFIO_DEVICE_FEATURE_PROBE) &&
	    (feature.flags & VFIO_DEVICE_FEATURE_SET) &&
	    (feature.flags & VFIO_DEVICE_FEATURE_GET))
		return -EINVAL;
	return -ENOTTY;
}

/*
 * Before VFIO_DEVICE_BIND_IOMMUFD every other ioctl answers EINVAL
 * (upstream); hot reset, ioeventfds and graphics planes are not there
 * (ENOTTY, as vfio-pci answers an unknown ioctl).
 */
static long mvfio_fops_ioctl(struct file *filp, unsigned int cmd,
			     unsigned long arg)
{
	struct mvfio_file *df = filp->private_data;
	void __user *uptr = (void __user *)arg;

	if (cmd == MVFIO_BIND_IOMMUFD)
		return mvfio_ioctl_bind(df, uptr);
	/* Pairs with the release in mvfio_ioctl_bind() */
	if (!smp_load_acquire(&df->bound))
		return -EINVAL;

	switch (cmd) {
	case MVFIO_ATTACH_PT:
		return mvfio_ioctl_attach(df, uptr);
	case MVFIO_DETACH_PT:
		return mvfio_ioctl_detach(df, uptr);
	case VFIO_DEVICE_GET_INFO:
		return mvfio_ioctl_get_info(uptr);
	case VFIO_DEVICE_GET_REGION_INFO:
		return mvfio_ioctl_region_info(uptr);
	case VFIO_DEVICE_GET_IRQ_INFO:
		return mvfio_ioctl_irq_info(df->vdev, uptr);
	case VFIO_DEVICE_SET_IRQS:
		return mvfio_ioctl_set_irqs(df->vdev, uptr);
	case VFIO_DEVICE_RESET:
		mutex_lock(&df->vdev->lock);
		mpci_reset(&df->vdev->func);
		mutex_unlock(&df->vdev->lock);
		return 0;
	case VFIO_DEVICE_FEATURE:
		return mvfio_ioctl_feature(uptr);
	default:
		return -ENOTTY;
	}
}

/*
 * Region I/O at index << 40, as vfio-pci: config space at any offset and
 * size inside it; BAR0 only while Memory Space Enable is set (EIO
 * otherwise, as vfio-pci); a doorbell write runs the copy before it
 * returns. EINVAL unbound, an offset outside a region, a region without
 * I/O.
 */
static ssize_t mvfio_rw(struct file *filp, char __user *ubuf, size_t count,
			loff_t *ppos, bool write)
{
	struct mvfio_file *df = filp->private_data;
	struct mvfio_device *vdev = df->vdev;
	unsigned int index = *ppos >> MVFIO_OFFSET_SHIFT;
	u64 off = *ppos & (MVFIO_OFFSET(1) - 1), size;
	bool ring = false;
	ssize_t rc;
	u8 *buf;

	/* Pairs with the release in mvfio_ioctl_bind() */
	if (!smp_load_acquire(&df->bound))
		return -EINVAL;
	if (index == VFIO_PCI_CONFIG_REGION_INDEX)
		size = IOMMU_MOCK_PCI_CONFIG_SIZE;
	else if (index == VFIO_PCI_BAR0_REGION_INDEX)
		size = IOMMU_MOCK_PCI_BAR0_SIZE;
	else
		return -EINVAL;
	if (*ppos < 0 || off >= size)
		return -EINVAL;
	count = min_t(u64, count, size - off);
	/* At most one region: 4 KiB */
	buf = write ? memdup_user(ubuf, count) : kzalloc(count, GFP_KERNEL);
	if (IS_ERR_OR_NULL(buf))
		return buf ? PTR_ERR(buf) : -ENOMEM;

	mutex_lock(&vdev->lock);
	rc = count;
	if (index == VFIO_PCI_CONFIG_REGION_INDEX) {
		if (write)
			mpci_config_write(&vdev->func, off, buf, count);
		else
			mpci_config_read(&vdev->func, off, buf, count);
	} else if (!mpci_mem_enabled(&vdev->func)) {
		rc = -EIO;
	} else if (write) {
		ring = mpci_bar0_write(&vdev->func, off, buf, count);
	} else {
		mpci_bar0_read(&vdev->func, off, buf, count);
	}
	if (ring) {
		mutex_lock(&df->ictx->lock);
		mpci_doorbell(&vdev->func, mvfio_dma, df->idev);
		mutex_unlock(&df->ictx->lock);
	}
	mutex_unlock(&vdev->lock);

	if (rc > 0 && !write && copy_to_user(ubuf, buf, count))
		rc = -EFAULT;
	kfree(buf);
	if (rc > 0)
		*ppos += count;
	return rc;
}

static ssize_t mvfio_fops_read(struct file *filp, char __user *buf,
			       size_t count, loff_t *ppos)
{
	return mvfio_rw(filp, buf, count, ppos, false);
}

static ssize_t mvfio_fops_write(struct file *filp, const char __user *buf,
				size_t count, loff_t *ppos)
{
	return mvfio_rw(filp, (char __user *)buf, count, ppos, true);
}

/* No region offers mmap (no VFIO_REGION_INFO_FLAG_MMAP): as vfio-pci */
static int mvfio_fops_mmap(struct file *filp, struct vm_area_struct *vma)
{
	return -EINVAL;
}

static int mvfio_fops_open(struct inode *inode, struct file *filp)
{
	struct mvfio_device *vdev = container_of(inode->i_cdev,
						 struct mvfio_device, cdev);
	struct mvfio_file *df;

	df = kzalloc(sizeof(*df), GFP_KERNEL_ACCOUNT);
	if (!df)
		return -ENOMEM;
	df->vdev = vdev;
	mutex_lock(&vdev->lock);
	if (vdev->removed) {
		mutex_unlock(&vdev->lock);
		kfree(df);
		return -ENODEV;
	}
	vdev->open_count++;
	get_device(&vdev->dev);
	mutex_unlock(&vdev->lock);
	filp->private_data = df;
	return 0;
}

/*
 * The last close of a bound file unbinds (detaching everything), and, as
 * vfio-pci's close_device, drops the interrupt eventfds and resets the
 * function.
 */
static int mvfio_fops_release(struct inode *inode, struct file *filp)
{
	struct mvfio_file *df = filp->private_data;
	struct mvfio_device *vdev = df->vdev;

	mutex_lock(&vdev->lock);
	if (df->bound) {
		mvfio_unbind(df);
		mpci_irqs_release(&vdev->func);
		mpci_reset(&vdev->func);
	}
	vdev->open_count--;
	mutex_unlock(&vdev->lock);
	put_device(&vdev->dev);
	kfree(df);
	return 0;
}

static const struct file_operations mvfio_fops = {
	.owner = THIS_MODULE,
	.open = mvfio_fops_open,
	.release = mvfio_fops_release,
	.read = mvfio_fops_read,
	.write = mvfio_fops_write,
	.mmap = mvfio_fops_mmap,
	.unlocked_ioctl = mvfio_fops_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

/* /dev/vfio/devices/<name>, where QEMU opens what sysfs names */
static char *mvfio_devnode(MIOMMU_DEVNODE_CONST struct device *dev,
			   umode_t *mode, kuid_t *uid, kgid_t *gid)
{
	return kasprintf(GFP_KERNEL, "vfio/devices/%s", dev_name(dev));
}

static void mvfio_release(struct device *dev)
{
	struct mvfio_device *vdev = container_of(dev, struct mvfio_device, dev);

	ida_free(&mvfio_ida, vdev->index);
	kfree(vdev);
}

static const struct device_type mvfio_type = {
	.name = "vfio-mock",
	.devnode = mvfio_devnode,
	.release = mvfio_release,
};

static void mvfio_dir_release(struct device *dev)
{
	kfree(dev);
}

/* Create the device with stream ID @sid on instance @inst_id. */
static int mvfio_add(u32 inst_id, u32 sid)
{
	struct miommu_instance *inst = miommu_find_instance(inst_id);
	struct mvfio_device *vdev;
	struct miommu_device *hw;
	struct device *dir;
	int rc, index;

	if (!inst)
		return -ENODEV;
	mutex_lock(&mvfio_list_lock);
	rc = -ENODEV;
	if (!mvfio_ready)
		goto out_unlock;
	index = ida_alloc_max(&mvfio_ida, MVFIO_MAX_DEVICES - 1, GFP_KERNEL);
	rc = index;
	if (index < 0)
		goto out_unlock;
	hw = inst->ops->probe_device(inst, sid);
	if (IS_ERR(hw)) {
		ida_free(&mvfio_ida, index);
		rc = PTR_ERR(hw);
		goto out_unlock;
	}

	rc = -ENOMEM;
	dir = kzalloc(sizeof(*dir), GFP_KERNEL);
	vdev = kzalloc(sizeof(*vdev), GFP_KERNEL);
	if (!dir || !vdev) {
		kfree(dir);
		kfree(vdev);
		goto out_release;
	}
	device_initialize(dir);
	dir->parent = &hw->dev;
	dir->release = mvfio_dir_release;
	rc = dev_set_name(dir, "vfio-dev");
	if (!rc)
		rc = device_add(dir);
	if (rc) {
		put_device(dir);
		kfree(vdev);
		goto out_release;
	}

	vdev->hw = hw;
	vdev->dir = dir;
	vdev->index = index;
	mutex_init(&vdev->lock);
	mpci_init(&vdev->func);
	device_initialize(&vdev->dev);
	vdev->dev.parent = dir;
	vdev->dev.type = &mvfio_type;
	vdev->dev.devt = MKDEV(MAJOR(mvfio_devt), index);
	cdev_init(&vdev->cdev, &mvfio_fops);
	vdev->cdev.owner = THIS_MODULE;
	rc = dev_set_name(&vdev->dev, "vfio-mock%d", index);
	if (!rc)
		rc = cdev_device_add(&vdev->cdev, &vdev->dev);
	if (rc) {
		/* The release frees the index */
		put_device(&vdev->dev);
		device_unregister(dir);
		inst->ops->release_device(hw);
		goto out_unlock;
	}
	list_add_tail(&vdev->node, &mvfio_devices);
	mutex_unlock(&mvfio_list_lock);
	return 0;

out_release:
	inst->ops->release_device(hw);
	ida_free(&mvfio_ida, index);
out_unlock:
	mutex_unlock(&mvfio_list_lock);
	return rc;
}

/* Remove a device nobody has open (list lock held). */
static void mvfio_del(struct mvfio_device *vdev)
{
	struct miommu_device *hw = vdev->hw;
	struct device *dir = vdev->dir;

	list_del(&vdev->node);
	cdev_device_del(&vdev->cdev, &vdev->dev);
	put_device(&vdev->dev);
	device_unregister(dir);
	hw->inst->ops->release_device(hw);
}

/*
 * Remove the device with stream ID @sid of instance @inst_id: ENODEV none;
 * EBUSY while a file has it open, after signalling its request interrupt
 * (a VMM such as QEMU then unplugs it and closes the file).
 */
static int mvfio_remove(u32 inst_id, u32 sid)
{
	struct mvfio_device *vdev, *found = NULL;
	int rc = 0;

	mutex_lock(&mvfio_list_lock);
	list_for_each_entry(vdev, &mvfio_devices, node) {
		if (vdev->hw->inst->id == inst_id && vdev->hw->stream_id == sid)
			found = vdev;
	}
	if (!found) {
		mutex_unlock(&mvfio_list_lock);
		return -ENODEV;
	}
	mutex_lock(&found->lock);
	if (found->open_count) {
		mpci_request(&found->func);
		rc = -EBUSY;
	} else {
		found->removed = true;
	}
	mutex_unlock(&found->lock);
	if (!rc)
		mvfio_del(found);
	mutex_unlock(&mvfio_list_lock);
	return rc;
}

/* "INSTANCE STREAM_ID", each decimal or 0x hex */
static int mvfio_parse(const char *buf, u32 *inst_id, u32 *sid)
{
	int a, b, n = 0;

	if (sscanf(buf, "%i %i %n", &a, &b, &n) != 2 || buf[n] || a < 0 ||
	    b < 0)
		return -EINVAL;
	*inst_id = a;
	*sid = b;
	return 0;
}

static ssize_t vfio_add_store(MOCK_BUS_TYPE *bus, const char *buf,
			      size_t count)
{
	u32 inst_id, sid;
	int rc;

	rc = mvfio_parse(buf, &inst_id, &sid);
	if (!rc)
		rc = mvfio_add(inst_id, sid);
	return rc ?: count;
}
static BUS_ATTR_WO(vfio_add);

static ssize_t vfio_remove_store(MOCK_BUS_TYPE *bus, const char *buf,
				 size_t count)
{
	u32 inst_id, sid;
	int rc;

	rc = mvfio_parse(buf, &inst_id, &sid);
	if (!rc)
		rc = mvfio_remove(inst_id, sid);
	return rc ?: count;
}
static BUS_ATTR_WO(vfio_remove);

static struct attribute *mvfio_bus_attrs[] = {
	&bus_attr_vfio_add.attr,
	&bus_attr_vfio_remove.attr,
	NULL,
};

static const struct attribute_group mvfio_bus_group = {
	.attrs = mvfio_bus_attrs,
};

/* A driver whose bus lists these offers VFIO device files (miommu.h) */
const struct attribute_group *miommu_vfio_bus_groups[] = {
	&mvfio_bus_group,
	NULL,
};

/**
 * mvfio_init() - reserve the char device numbers; devices may be added
 *
 * Return: 0 or alloc_chrdev_region()'s errno.
 */
int mvfio_init(void)
{
	int rc;

	rc = alloc_chrdev_region(&mvfio_devt, 0, MVFIO_MAX_DEVICES,
				 "vfio-mock");
	if (rc)
		return rc;
	mutex_lock(&mvfio_list_lock);
	mvfio_ready = true;
	mutex_unlock(&mvfio_list_lock);
	return 0;
}

/**
 * mvfio_exit() - remove every device and free the numbers
 *
 * At unload no file is open (each holds the module), so nothing is busy.
 */
void mvfio_exit(void)
{
	struct mvfio_device *vdev, *next;

	mutex_lock(&mvfio_list_lock);
	mvfio_ready = false;
	list_for_each_entry_safe(vdev, next, &mvfio_devices, node)
		mvfio_del(vdev);
	mutex_unlock(&mvfio_list_lock);
	unregister_chrdev_region(mvfio_devt, MVFIO_MAX_DEVICES);
}
