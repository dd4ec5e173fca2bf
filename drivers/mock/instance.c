// SPDX-License-Identifier: GPL-2.0
/*
 * Mock IOMMU instances and their devices, on the module's own "mockiommu"
 * bus (names kept clear of upstream's selftest mock, so both can load).
 *
 * Even instances are ARM-like (LPAE stage 1, SW_MSI window, vIOMMU type),
 * odd ones x86-like (first-level stage 1, fixed MSI window, no driver
 * vIOMMU type, so only the core's DEFAULT vIOMMU works there).
 */
#include <linux/sizes.h>
#include <linux/slab.h>

#include "mock.h"

static const struct iommu_resv_region_info arm_resv_first[] = {
	{ .start = 0x8000000, .last = 0x80fffff,
	  .type = IOMMU_RESV_TYPE_SW_MSI,
	  .flags = IOMMU_RESV_REGION_READ | IOMMU_RESV_REGION_WRITE },
	{ .start = 0x70000000, .last = 0x7000ffff,
	  .type = IOMMU_RESV_TYPE_DIRECT,
	  .flags = IOMMU_RESV_REGION_READ | IOMMU_RESV_REGION_WRITE },
};

static const struct iommu_resv_region_info arm_resv[] = {
	{ .start = 0x8000000, .last = 0x80fffff,
	  .type = IOMMU_RESV_TYPE_SW_MSI,
	  .flags = IOMMU_RESV_REGION_READ | IOMMU_RESV_REGION_WRITE },
};

static const struct iommu_resv_region_info x86_resv[] = {
	{ .start = 0xb0000000, .last = 0xbfffffff,
	  .type = IOMMU_RESV_TYPE_RESERVED },
	{ .start = 0xfee00000, .last = 0xfeefffff,
	  .type = IOMMU_RESV_TYPE_MSI,
	  .flags = IOMMU_RESV_REGION_WRITE },
};

/* MOCK_BUS_TYPE: const where the kernel allows it (Kbuild probe) */
static MOCK_BUS_TYPE mock_bus = {
	.name = "mockiommu",
	.bus_groups = miommu_vfio_bus_groups,
};

static struct mock_instance *mock_instances[MIOMMU_MAX_INSTANCES];
static unsigned int mock_nr_instances;

/*
 * The stream ID stays taken until the struct device is released: only then
 * is its sysfs entry surely gone, so a new device may reuse the ID (and its
 * name) without colliding with it. The device holds a reference on its
 * instance for the ID table.
 */
static void mock_device_release(struct device *dev)
{
	struct miommu_device *mdev = container_of(dev, struct miommu_device, dev);
	struct mock_instance *mi = to_mock_instance(mdev->inst);

	xa_erase(&mi->sids, mdev->stream_id);
	kfree(mdev);
	put_device(&mi->dev);
}

/**
 * mock_probe_device() - the probe_device op of instances on the mockiommu bus
 * @inst: the instance (a struct mock_instance)
 * @stream_id: physical stream ID, below 2^info.sid_bits
 *
 * Makes "mockiommu<inst>.<sid>" under the instance's device.
 * Return: the device or ERR_PTR: -EINVAL ID out of range, -EEXIST ID in
 * use, -ENOMEM, or device_add()'s errno.
 */
struct miommu_device *mock_probe_device(struct miommu_instance *inst,
					u32 stream_id)
{
	struct mock_instance *mi = to_mock_instance(inst);
	struct miommu_device *mdev;
	int rc;

	if (stream_id >= BIT_ULL(mi->info.sid_bits))
		return ERR_PTR(-EINVAL);
	rc = xa_insert(&mi->sids, stream_id, xa_mk_value(1), GFP_KERNEL);
	if (rc)
		return ERR_PTR(rc == -EBUSY ? -EEXIST : rc);

	mdev = kzalloc(sizeof(*mdev), GFP_KERNEL);
	if (!mdev) {
		xa_erase(&mi->sids, stream_id);
		return ERR_PTR(-ENOMEM);
	}
	mdev->inst = inst;
	mdev->stream_id = stream_id;
	device_initialize(&mdev->dev);
	get_device(&mi->dev);
	mdev->dev.bus = &mock_bus;
	mdev->dev.parent = &mi->dev;
	mdev->dev.release = mock_device_release;
	rc = dev_set_name(&mdev->dev, "mockiommu%u.%04x", inst->id, stream_id);
	if (!rc)
		rc = device_add(&mdev->dev);
	if (rc) {
		/* the release callback frees the stream ID */
		put_device(&mdev->dev);
		return ERR_PTR(rc);
	}
	return mdev;
}

/**
 * mock_release_device() - the release_device op of mockiommu bus instances
 * @mdev: a device made by mock_probe_device()
 *
 * The stream ID is freed by mock_device_release(), after sysfs let go.
 */
void mock_release_device(struct miommu_device *mdev)
{
	device_unregister(&mdev->dev);
}

static size_t mock_hw_info(struct miommu_instance *inst, void *buf,
			   size_t len, u32 *type)
{
	struct mock_instance *mi = to_mock_instance(inst);

	memcpy(buf, &mi->info, min(len, sizeof(mi->info)));
	*type = IOMMU_HW_INFO_TYPE_MOCK;
	return sizeof(mi->info);
}

/**
 * mock_get_resv_regions() - the get_resv_regions op: the instance's list
 * @mdev: a device of the instance
 * @num: out: entries
 *
 * Return: the instance's reserved regions (struct mock_instance.resv).
 */
const struct iommu_resv_region_info *
mock_get_resv_regions(struct miommu_device *mdev, unsigned int *num)
{
	struct mock_instance *mi = to_mock_instance(mdev->inst);

	*num = mi->info.num_resv_regions;
	return mi->resv;
}

static const struct miommu_ops mock_arm_ops = {
	.probe_device = mock_probe_device,
	.release_device = mock_release_device,
	.hw_info = mock_hw_info,
	.domain_alloc_paging = mock_domain_alloc_paging,
	.domain_alloc_nested = mock_domain_alloc_nested,
	.domain_compatible = mock_domain_compatible,
	.viommu_alloc = mock_viommu_alloc,
	.get_resv_regions = mock_get_resv_regions,
};

/* Like VT-d before its vIOMMU support: nesting, but no driver vIOMMU type. */
static const struct miommu_ops mock_x86_ops = {
	.probe_device = mock_probe_device,
	.release_device = mock_release_device,
	.hw_info = mock_hw_info,
	.domain_alloc_paging = mock_domain_alloc_paging,
	.domain_alloc_nested = mock_domain_alloc_nested,
	.domain_compatible = mock_domain_compatible,
	.get_resv_regions = mock_get_resv_regions,
};

static void mock_instance_release(struct device *dev)
{
	struct mock_instance *mi = container_of(dev, struct mock_instance, dev);

	xa_destroy(&mi->sids);
	if (mi->release)
		mi->release(mi);
	else
		kfree(mi);
}

static void mock_instance_describe(struct mock_instance *mi, unsigned int id)
{
	struct iommu_hw_info_mock *info = &mi->info;
	unsigned int aperture_bits;

	info->instance_id = id;
	info->s1_ias = 48;
	info->asid_bits = 16;
	info->pgsize_bitmap = SZ_4K | SZ_2M | SZ_1G;
	if (id % 2 == 0) {
		mi->core.ops = &mock_arm_ops;
		info->flags = IOMMU_HW_INFO_MOCK_VIOMMU |
			      IOMMU_HW_INFO_MOCK_NESTING;
		info->s1_format = IOMMU_MOCK_S1_FORMAT_ARM_LPAE;
		info->sid_bits = id == 0 ? 16 : 8;
		aperture_bits = id == 0 ? 48 : 44;
		mi->resv = id == 0 ? arm_resv_first : arm_resv;
		info->num_resv_regions = id == 0 ? ARRAY_SIZE(arm_resv_first) :
						   ARRAY_SIZE(arm_resv);
	} else {
		mi->core.ops = &mock_x86_ops;
		info->flags = IOMMU_HW_INFO_MOCK_NESTING;
		info->s1_format = IOMMU_MOCK_S1_FORMAT_X86_FL;
		info->sid_bits = 16;
		aperture_bits = 39;
		mi->resv = x86_resv;
		info->num_resv_regions = ARRAY_SIZE(x86_resv);
	}
	info->s1_oas = aperture_bits;
	info->aperture_start = 0;
	info->aperture_last = BIT_ULL(aperture_bits) - 1;
}

/**
 * mock_instance_register() - put an instance on the bus and in the core
 * @mi: an instance with core.ops, info and resv set (mi->release set when
 *      it is embedded in a larger struct); freed here on failure
 * @id: its instance number
 *
 * Return: 0, or the errno of device_add() or miommu_register_instance().
 */
int mock_instance_register(struct mock_instance *mi, unsigned int id)
{
	int rc;

	mi->core.id = id;
	xa_init(&mi->sids);
	device_initialize(&mi->dev);
	mi->dev.bus = &mock_bus;
	mi->dev.release = mock_instance_release;
	rc = dev_set_name(&mi->dev, "mockiommu%u", id);
	if (!rc)
		rc = device_add(&mi->dev);
	if (rc) {
		put_device(&mi->dev);
		return rc;
	}
	rc = miommu_register_instance(&mi->core);
	if (rc) {
		device_unregister(&mi->dev);
		return rc;
	}
	return 0;
}

/**
 * mock_instance_unregister() - undo mock_instance_register()
 * @mi: the instance; it has no device left. Freed once sysfs lets go.
 */
void mock_instance_unregister(struct mock_instance *mi)
{
	miommu_unregister_instance(&mi->core);
	device_unregister(&mi->dev);
}

static int mock_instance_add(unsigned int id)
{
	struct mock_instance *mi;
	int rc;

	mi = kzalloc(sizeof(*mi), GFP_KERNEL);
	if (!mi)
		return -ENOMEM;
	mock_instance_describe(mi, id);
	rc = mock_instance_register(mi, id);
	if (rc)
		return rc;
	mock_instances[mock_nr_instances++] = mi;
	return 0;
}

/**
 * mock_iommu_init() - register the bus and @num_instances mock IOMMUs
 * @num_instances: 1 to MIOMMU_MAX_INSTANCES
 *
 * Return: 0 or the errno of the failing step, with everything undone.
 */
int mock_iommu_init(unsigned int num_instances)
{
	unsigned int i;
	int rc;

	rc = bus_register(&mock_bus);
	if (rc)
		return rc;
	for (i = 0; i < num_instances; i++) {
		rc = mock_instance_add(i);
		if (rc) {
			mock_iommu_exit();
			return rc;
		}
	}
	return 0;
}

/**
 * mock_iommu_exit() - remove every mock IOMMU and the bus
 *
 * Called at unload, when no file is open and so no device is left.
 */
void mock_iommu_exit(void)
{
	struct mock_instance *mi;

	while (mock_nr_instances) {
		mi = mock_instances[--mock_nr_instances];
		mock_instances[mock_nr_instances] = NULL;
		mock_instance_unregister(mi);
	}
	bus_unregister(&mock_bus);
}
