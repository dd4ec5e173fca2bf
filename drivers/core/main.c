// SPDX-License-Identifier: GPL-2.0
/*
 * iommufd-mock: module entry, the character device, per-file contexts and
 * the ioctl dispatcher that applies upstream iommufd's struct rules (size
 * first, zero-extended, E2BIG for unknown non-zero bytes).
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "iommufd_private.h"

static unsigned int num_instances = 3;
module_param(num_instances, uint, 0444);
MODULE_PARM_DESC(num_instances,
		 "Mock IOMMU instances, 1-8 (default 3): even ARM-like, odd x86-like");

static unsigned int smmuv3_instances = 1;
module_param(smmuv3_instances, uint, 0444);
MODULE_PARM_DESC(smmuv3_instances,
		 "SMMUv3 instances after the mock ones (default 1; together at most 8)");

static unsigned int vtd_instances = 1;
module_param(vtd_instances, uint, 0444);
MODULE_PARM_DESC(vtd_instances,
		 "VT-d instances after the SMMUv3 ones (default 1; all kinds at most 8 in all)");

static bool dev_iommu;
module_param(dev_iommu, bool, 0444);
MODULE_PARM_DESC(dev_iommu,
		 "Register the character device as /dev/iommu instead of /dev/iommufd-mock");

/* Instances are registered at load and live until unload. */
static struct miommu_instance *instances[MIOMMU_MAX_INSTANCES];
static unsigned int nr_instances;

/**
 * miommu_register_instance() - make an IOMMU instance reachable by ID
 * @inst: instance with @inst->id == number of instances registered so far
 *
 * Return: 0, or -ENOSPC past MIOMMU_MAX_INSTANCES, -EINVAL for a wrong ID.
 */
int miommu_register_instance(struct miommu_instance *inst)
{
	if (nr_instances >= MIOMMU_MAX_INSTANCES)
		return -ENOSPC;
	if (inst->id != nr_instances)
		return -EINVAL;
	instances[nr_instances++] = inst;
	return 0;
}

/**
 * miommu_unregister_instance() - undo miommu_register_instance()
 * @inst: the last instance registered
 */
void miommu_unregister_instance(struct miommu_instance *inst)
{
	if (WARN_ON(!nr_instances || instances[nr_instances - 1] != inst))
		return;
	instances[--nr_instances] = NULL;
}

/**
 * miommu_find_instance() - instance by ID
 * @id: instance ID
 *
 * Return: the instance or NULL.
 */
struct miommu_instance *miommu_find_instance(u32 id)
{
	return id < nr_instances ? instances[id] : NULL;
}

/**
 * miommu_copy_user_data() - copy a driver data struct from userspace
 * @dst: kernel struct
 * @dst_size: its size
 * @min_size: smallest user length accepted (the first release's struct)
 * @data: user data descriptor
 * @type: the data type the driver expects
 *
 * Return: 0; -EOPNOTSUPP for another type; -EINVAL if shorter than
 * @min_size or longer than @dst_size (upstream's iommu_copy_struct_from_user
 * rule); -EFAULT.
 */
int miommu_copy_user_data(void *dst, size_t dst_size, size_t min_size,
			  const struct miommu_user_data *data, u32 type)
{
	if (data->type != type)
		return -EOPNOTSUPP;
	if (data->len < min_size || data->len > dst_size)
		return -EINVAL;
	return copy_struct_from_user(dst, dst_size, data->uptr, data->len);
}

/**
 * miommu_copy_array_entry() - copy entry @index of a user array
 * @dst: kernel struct, whose full size each entry must at least have
 * @dst_size: its size
 * @array: user array descriptor; type and entry_len checked by the caller
 * @index: entry number
 *
 * Return: 0; -EINVAL for entries longer than @dst_size (upstream's
 * iommu_copy_struct_from_user_array rule); -EFAULT.
 */
int miommu_copy_array_entry(void *dst, size_t dst_size,
			    const struct miommu_user_data_array *array,
			    unsigned int index)
{
	if (array->entry_len > dst_size)
		return -EINVAL;
	return copy_struct_from_user(dst, dst_size,
				     array->uptr + (size_t)index * array->entry_len,
				     array->entry_len);
}

/**
 * miommu_array_run() - run the entries of an invalidation array in order
 * @array: user array descriptor; entry_num is set to the entries handled
 * @type: the data type the driver serves
 * @min_len: the shortest entry the driver takes
 * @one: copies entry @index (with the driver's copy rule) and runs it
 * @priv: passed to @one
 *
 * The array may be long (up to 2^32 - 1 entries): the CPU is yielded
 * between entries and the loop stops with -EINTR on a fatal signal. Stops
 * at the first failing entry, which is not counted as handled; an empty
 * array only checks @type (upstream's rule for entry_num 0).
 * Return: 0; -EINVAL another type, entries shorter than @min_len; -EINTR;
 * or @one's errno.
 */
int miommu_array_run(struct miommu_user_data_array *array, u32 type,
		     size_t min_len, int (*one)(void *priv, unsigned int index),
		     void *priv)
{
	unsigned int i;
	int rc = 0;

	if (array->type != type ||
	    (array->entry_num && array->entry_len < min_len)) {
		array->entry_num = 0;
		return -EINVAL;
	}
	for (i = 0; i < array->entry_num; i++) {
		cond_resched();
		if (fatal_signal_pending(current)) {
			rc = -EINTR;
			break;
		}
		rc = one(priv, i);
		if (rc)
			break;
	}
	array->entry_num = i;
	return rc;
}

/**
 * iommufd_ucmd_respond() - copy the command struct back to userspace
 * @ucmd: the call
 * @cmd_len: kernel size of the struct
 *
 * Only the part userspace knows is written. Return: 0 or -EFAULT.
 */
int iommufd_ucmd_respond(struct iommufd_ucmd *ucmd, size_t cmd_len)
{
	if (copy_to_user(ucmd->ubuffer, ucmd->cmd,
			 min_t(size_t, ucmd->user_size, cmd_len)))
		return -EFAULT;
	return 0;
}

/* IOMMU_MOCK_INSTANCE_INFO: see struct iommu_mock_instance_info. */
int iommufd_instance_info(struct iommufd_ucmd *ucmd)
{
	struct iommu_mock_instance_info *cmd = ucmd->cmd;
	struct iommu_hw_info_mock __user *out;
	struct iommu_hw_info_mock info;
	unsigned int i;
	u32 type;
	int rc;

	out = u64_to_user_ptr(cmd->instances_uptr);
	for (i = 0; i < nr_instances && i < cmd->num_instances; i++) {
		memset(&info, 0, sizeof(info));
		if (instances[i]->ops->describe)
			instances[i]->ops->describe(instances[i], &info);
		else
			instances[i]->ops->hw_info(instances[i], &info,
						   sizeof(info), &type);
		if (copy_to_user(&out[i], &info, sizeof(info)))
			return -EFAULT;
	}
	rc = cmd->num_instances < nr_instances ? -EMSGSIZE : 0;
	cmd->num_instances = nr_instances;
	return iommufd_ucmd_respond(ucmd, sizeof(*cmd)) ?: rc;
}

/* Large enough for the argument struct of every command in the table. */
union ucmd_buffer {
	struct iommu_destroy destroy;
	struct iommu_ioas_alloc ioas_alloc;
	struct iommu_ioas_iova_ranges iova_ranges;
	struct iommu_ioas_map map;
	struct iommu_ioas_map_file map_file;
	struct iommu_ioas_change_process change_process;
	struct iommu_ioas_unmap unmap;
	struct iommu_ioas_allow_iovas allow_iovas;
	struct iommu_ioas_copy copy;
	struct iommu_option option;
	struct iommu_vfio_ioas vfio_ioas;
	struct iommu_fault_alloc fault_alloc;
	struct iommu_hwpt_set_dirty_tracking set_dirty;
	struct iommu_hwpt_get_dirty_bitmap get_dirty;
	struct iommu_hwpt_alloc hwpt_alloc;
	struct iommu_hw_info hw_info;
	struct iommu_hwpt_invalidate invalidate;
	struct iommu_viommu_alloc viommu_alloc;
	struct iommu_vdevice_alloc vdevice_alloc;
	struct iommu_veventq_alloc veventq_alloc;
	struct iommu_hw_queue_alloc hw_queue_alloc;
	struct iommu_mock_instance_info instance_info;
	struct iommu_mock_device_alloc device_alloc;
	struct iommu_mock_device_attach attach;
	struct iommu_mock_device_detach detach;
	struct iommu_device_resv_regions resv_regions;
	struct iommu_mock_object_info object_info;
	struct iommu_mock_dma dma;
	u8 test[IOMMUFD_TEST_CMD_MAX_SIZE];
};

struct iommufd_ioctl_op {
	unsigned int size;
	unsigned int min_size;
	bool unlocked;
	int (*execute)(struct iommufd_ucmd *ucmd);
};

/* Every command is _IO(IOMMUFD_TYPE, nr): the table is indexed by nr. */
#define IOCTL_OP(_nr, _fn, _struct, _last)                             \
	[_nr] = {                                                      \
		.size = sizeof(_struct),                               \
		.min_size = offsetofend(_struct, _last),               \
		.execute = _fn,                                        \
	}

/*
 * A command that takes ictx->lock itself, or needs none: it touches only
 * an object it creates and has not published yet.
 */
#define IOCTL_OP_UNLOCKED(_nr, _fn, _struct, _last)                    \
	[_nr] = {                                                      \
		.size = sizeof(_struct),                               \
		.min_size = offsetofend(_struct, _last),               \
		.unlocked = true,                                      \
		.execute = _fn,                                        \
	}

static const struct iommufd_ioctl_op iommufd_ioctl_ops[] = {
	IOCTL_OP_UNLOCKED(IOMMUFD_CMD_DESTROY, iommufd_destroy,
			  struct iommu_destroy, id),
	IOCTL_OP_UNLOCKED(IOMMUFD_CMD_IOAS_ALLOC, iommufd_ioas_alloc_ioctl,
			  struct iommu_ioas_alloc, out_ioas_id),
	IOCTL_OP(IOMMUFD_CMD_IOAS_IOVA_RANGES, iommufd_ioas_iova_ranges,
		 struct iommu_ioas_iova_ranges, out_iova_alignment),
	IOCTL_OP(IOMMUFD_CMD_IOAS_ALLOW_IOVAS, iommufd_ioas_allow_iovas,
		 struct iommu_ioas_allow_iovas, allowed_iovas),
	IOCTL_OP(IOMMUFD_CMD_IOAS_COPY, iommufd_ioas_copy, struct iommu_ioas_copy,
		 src_iova),
	IOCTL_OP(IOMMUFD_CMD_IOAS_MAP, iommufd_ioas_map, struct iommu_ioas_map, iova),
	IOCTL_OP(IOMMUFD_CMD_IOAS_UNMAP, iommufd_ioas_unmap, struct iommu_ioas_unmap,
		 length),
	IOCTL_OP(IOMMUFD_CMD_OPTION, iommufd_option, struct iommu_option, val64),
	IOCTL_OP(IOMMUFD_CMD_IOAS_MAP_FILE, iommufd_ioas_map_file,
		 struct iommu_ioas_map_file, iova),
	IOCTL_OP(IOMMUFD_CMD_IOAS_CHANGE_PROCESS, iommufd_ioas_change_process,
		 struct iommu_ioas_change_process, __reserved),
	IOCTL_OP(IOMMUFD_CMD_VFIO_IOAS, iommufd_vfio_ioas, struct iommu_vfio_ioas,
		 __reserved),
	IOCTL_OP(IOMMUFD_CMD_HWPT_ALLOC, iommufd_hwpt_alloc, struct iommu_hwpt_alloc,
		 __reserved),
	IOCTL_OP(IOMMUFD_CMD_GET_HW_INFO, iommufd_get_hw_info, struct iommu_hw_info,
		 __reserved),
	IOCTL_OP(IOMMUFD_CMD_HWPT_SET_DIRTY_TRACKING, iommufd_hwpt_set_dirty_tracking,
		 struct iommu_hwpt_set_dirty_tracking, __reserved),
	IOCTL_OP(IOMMUFD_CMD_HWPT_GET_DIRTY_BITMAP, iommufd_hwpt_get_dirty_bitmap,
		 struct iommu_hwpt_get_dirty_bitmap, data),
	IOCTL_OP(IOMMUFD_CMD_FAULT_QUEUE_ALLOC, iommufd_fault_alloc,
		 struct iommu_fault_alloc, out_fault_fd),
	IOCTL_OP(IOMMUFD_CMD_HWPT_INVALIDATE, iommufd_hwpt_invalidate,
		 struct iommu_hwpt_invalidate, __reserved),
	IOCTL_OP(IOMMUFD_CMD_VIOMMU_ALLOC, iommufd_viommu_alloc,
		 struct iommu_viommu_alloc, out_viommu_id),
	IOCTL_OP(IOMMUFD_CMD_VDEVICE_ALLOC, iommufd_vdevice_alloc,
		 struct iommu_vdevice_alloc, virt_id),
	IOCTL_OP(IOMMUFD_CMD_VEVENTQ_ALLOC, iommufd_veventq_alloc,
		 struct iommu_veventq_alloc, out_veventq_fd),
	IOCTL_OP(IOMMUFD_CMD_HW_QUEUE_ALLOC, iommufd_hw_queue_alloc,
		 struct iommu_hw_queue_alloc, length),
	IOCTL_OP(IOMMUFD_MOCK_CMD_INSTANCE_INFO, iommufd_instance_info,
		 struct iommu_mock_instance_info, instances_uptr),
	IOCTL_OP(IOMMUFD_MOCK_CMD_DEVICE_ALLOC, iommufd_device_alloc,
		 struct iommu_mock_device_alloc, __reserved),
	IOCTL_OP(IOMMUFD_MOCK_CMD_DEVICE_ATTACH, iommufd_device_attach,
		 struct iommu_mock_device_attach, pasid),
	IOCTL_OP(IOMMUFD_MOCK_CMD_DEVICE_DETACH, iommufd_device_detach_ioctl,
		 struct iommu_mock_device_detach, dev_id),
	IOCTL_OP(IOMMUFD_CMD_DEVICE_GET_RESV_REGIONS, iommufd_device_resv_regions,
		 struct iommu_device_resv_regions, regions_uptr),
	IOCTL_OP(IOMMUFD_MOCK_CMD_OBJECT_INFO, iommufd_object_info,
		 struct iommu_mock_object_info, out_ttbr),
	IOCTL_OP(IOMMUFD_MOCK_CMD_DMA, iommufd_device_dma, struct iommu_mock_dma,
		 uptr),
};

/* Upstream's IOMMU_TEST_CMD, served by a driver that registers it. */
static struct iommufd_ioctl_op test_cmd_op;

/**
 * iommufd_register_test_cmd() - serve upstream's IOMMU_TEST_CMD (0xa0)
 * @execute: the handler; it runs under the file's lock like every command
 * @size: kernel size of its argument struct
 * @min_size: smallest size userspace may give
 *
 * Return: 0, -EBUSY when a handler is registered, -EINVAL when @size does
 * not fit the command buffer.
 */
int iommufd_register_test_cmd(int (*execute)(struct iommufd_ucmd *ucmd),
			      unsigned int size, unsigned int min_size)
{
	if (test_cmd_op.execute)
		return -EBUSY;
	if (size > IOMMUFD_TEST_CMD_MAX_SIZE || min_size > size)
		return -EINVAL;
	test_cmd_op.size = size;
	test_cmd_op.min_size = min_size;
	test_cmd_op.execute = execute;
	return 0;
}

/**
 * iommufd_unregister_test_cmd() - stop serving IOMMU_TEST_CMD
 */
void iommufd_unregister_test_cmd(void)
{
	test_cmd_op.execute = NULL;
}

static long iommufd_fops_ioctl(struct file *filp, unsigned int cmd,
			       unsigned long arg)
{
	struct iommufd_ctx *ictx = filp->private_data;
	const struct iommufd_ioctl_op *op;
	struct iommufd_ucmd ucmd = {};
	/*
	 * copy_struct_from_user() fills the op's whole struct (zero-extended);
	 * nothing reads past it, so the buffer need not be zeroed first
	 * (CONFIG_INIT_STACK_ALL_ZERO would on every ioctl).
	 */
	union ucmd_buffer buf __uninitialized;
	unsigned int nr;
	int rc;

	nr = _IOC_NR(cmd);
	/* Below the iommufd range: VFIO container compatibility (upstream) */
	if (nr < IOMMUFD_CMD_BASE) {
		long ret;

		mutex_lock(&ictx->lock);
		ret = iommufd_vfio_ioctl(ictx, cmd, arg);
		mutex_unlock(&ictx->lock);
		return ret;
	}
	if (nr == IOMMUFD_TEST_CMD_NR && test_cmd_op.execute)
		op = &test_cmd_op;
	else if (nr < ARRAY_SIZE(iommufd_ioctl_ops))
		op = &iommufd_ioctl_ops[nr];
	else
		return -ENOTTY;
	if (!op->execute || cmd != _IO(IOMMUFD_TYPE, nr))
		return -ENOTTY;

	ucmd.ictx = ictx;
	ucmd.ubuffer = (void __user *)arg;
	rc = get_user(ucmd.user_size, (u32 __user *)ucmd.ubuffer);
	if (rc)
		return rc;
	if (ucmd.user_size < op->min_size)
		return -EINVAL;
	ucmd.cmd = &buf;
	rc = copy_struct_from_user(ucmd.cmd, op->size, ucmd.ubuffer,
				   ucmd.user_size);
	if (rc)
		return rc;

	if (op->unlocked)
		return op->execute(&ucmd);
	mutex_lock(&ictx->lock);
	rc = op->execute(&ucmd);
	mutex_unlock(&ictx->lock);
	return rc;
}

static int iommufd_fops_open(struct inode *inode, struct file *filp)
{
	struct iommufd_ctx *ictx;

	ictx = kzalloc(sizeof(*ictx), GFP_KERNEL_ACCOUNT);
	if (!ictx)
		return -ENOMEM;
	mutex_init(&ictx->lock);
	xa_init_flags(&ictx->objects, XA_FLAGS_ALLOC1 | XA_FLAGS_ACCOUNT);
	xa_init_flags(&ictx->mmaps, XA_FLAGS_ACCOUNT);
	ictx->file = filp;
	ictx->account_mode = IOPT_ACCOUNT_USER;
	filp->private_data = ictx;
	return 0;
}

/* Closing the file destroys everything it owns. */
static int iommufd_fops_release(struct inode *inode, struct file *filp)
{
	struct iommufd_ctx *ictx = filp->private_data;

	mutex_lock(&ictx->lock);
	iommufd_destroy_all(ictx);
	mutex_unlock(&ictx->lock);
	xa_destroy(&ictx->objects);
	/* Every owner removed its regions; a mapping would hold the file */
	WARN_ON(!xa_empty(&ictx->mmaps));
	xa_destroy(&ictx->mmaps);
	mutex_destroy(&ictx->lock);
	kfree(ictx);
	return 0;
}

static const struct file_operations iommufd_fops = {
	.owner = THIS_MODULE,
	.open = iommufd_fops_open,
	.release = iommufd_fops_release,
	.unlocked_ioctl = iommufd_fops_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = iommufd_fops_mmap,
};

/**
 * iommufd_ctx_from_fd() - the context of an open iommufd, referenced
 * @fd: a file descriptor of the caller
 *
 * What VFIO_DEVICE_BIND_IOMMUFD resolves its iommufd with (upstream's
 * iommufd_ctx_from_fd). The file reference keeps the context alive until
 * iommufd_ctx_put().
 * Return: the context; ERR_PTR(-EBADF) for no open file, -EBADFD for a file
 * that is not this module's iommufd.
 */
struct iommufd_ctx *iommufd_ctx_from_fd(int fd)
{
	struct file *file = fget(fd);

	if (!file)
		return ERR_PTR(-EBADF);
	if (file->f_op != &iommufd_fops) {
		fput(file);
		return ERR_PTR(-EBADFD);
	}
	return file->private_data;
}

/**
 * iommufd_ctx_put() - drop the reference of iommufd_ctx_from_fd()
 * @ictx: the context
 */
void iommufd_ctx_put(struct iommufd_ctx *ictx)
{
	fput(ictx->file);
}

static struct miscdevice iommufd_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "iommufd-mock",
	.fops = &iommufd_fops,
	.mode = 0660,
};

/*
 * With dev_iommu=1 the device is named "iommu". Registering a duplicate
 * misc name makes sysfs complain loudly, so look the name up in the misc
 * class first (found through a device we register under our own name).
 */
static int iommufd_register_chardev(void)
{
	struct device *other;
	int rc;

	rc = misc_register(&iommufd_misc);
	if (rc || !dev_iommu)
		return rc;

	other = class_find_device_by_name(iommufd_misc.this_device->class,
					  "iommu");
	misc_deregister(&iommufd_misc);
	if (other) {
		put_device(other);
		pr_err("iommufd_mock: /dev/iommu is taken (iommufd built in?); load without dev_iommu=1\n");
		return -EBUSY;
	}
	iommufd_misc.name = "iommu";
	iommufd_misc.minor = MISC_DYNAMIC_MINOR;
	return misc_register(&iommufd_misc);
}

static int __init iommufd_mock_init(void)
{
	int rc;

	if (!num_instances || smmuv3_instances > MIOMMU_MAX_INSTANCES ||
	    vtd_instances > MIOMMU_MAX_INSTANCES ||
	    num_instances + smmuv3_instances + vtd_instances >
	    MIOMMU_MAX_INSTANCES) {
		pr_err("iommufd_mock: num_instances must be 1-%d, with smmuv3_instances and vtd_instances at most %d in all\n",
		       MIOMMU_MAX_INSTANCES, MIOMMU_MAX_INSTANCES);
		return -EINVAL;
	}
	rc = mvfio_init();
	if (rc)
		return rc;
	rc = mock_iommu_init(num_instances);
	if (rc)
		goto out_vfio;
	rc = smmuv3_init(num_instances, smmuv3_instances);
	if (rc)
		goto out_mock;
	rc = vtd_init(num_instances + smmuv3_instances, vtd_instances);
	if (rc)
		goto out_smmuv3;
	rc = selftest_iommu_init();
	if (rc)
		goto out_vtd;
	rc = iommufd_register_chardev();
	if (rc)
		goto out_selftest;
	pr_info("iommufd_mock: /dev/%s with %u IOMMU instances (%u SMMUv3, %u VT-d)\n",
		iommufd_misc.name, nr_instances, smmuv3_instances,
		vtd_instances);
	return 0;

out_selftest:
	selftest_iommu_exit();
out_vtd:
	vtd_exit();
out_smmuv3:
	smmuv3_exit();
out_mock:
	mock_iommu_exit();
out_vfio:
	mvfio_exit();
	return rc;
}

static void __exit iommufd_mock_exit(void)
{
	misc_deregister(&iommufd_misc);
	/* VFIO devices sit on the instances' buses: they go first */
	mvfio_exit();
	selftest_iommu_exit();
	vtd_exit();
	smmuv3_exit();
	mock_iommu_exit();
}

module_init(iommufd_mock_init);
module_exit(iommufd_mock_exit);

MODULE_DESCRIPTION("iommufd-style uAPI backed by a mock IOMMU driver with nesting and vIOMMUs");
MODULE_LICENSE("GPL");
