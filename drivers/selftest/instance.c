// SPDX-License-Identifier: GPL-2.0
/*
 * The selftest mock instance and its devices, on the module's own
 * "mockiommu-st" bus as "mockst<N>" (clear of upstream's "iommufd_mock"
 * names, so the module loads beside a kernel built with its own mock).
 * Devices exist only while an IOMMU_TEST_OP_MOCK_DOMAIN object holds them.
 */
#include <linux/idr.h>
#include <linux/slab.h>

#include "selftest.h"

/* MOCK_BUS_TYPE: const where the kernel allows it (Kbuild probe) */
static MOCK_BUS_TYPE st_bus = {
	.name = "mockiommu-st",
};

static DEFINE_IDA(st_dev_ida);

static void st_dev_release(struct device *dev)
{
	struct st_dev *sdev = container_of(dev, struct st_dev, core.dev);

	/* The name is free only once the device has left sysfs */
	ida_free(&st_dev_ida, sdev->id);
	kfree(sdev);
}

static size_t st_hw_info(struct miommu_instance *inst, void *buf, size_t len,
			 u32 *type)
{
	struct iommu_test_hw_info info = {
		.test_reg = IOMMU_HW_INFO_SELFTEST_REGVAL,
	};

	memcpy(buf, &info, min(len, sizeof(info)));
	*type = IOMMU_HW_INFO_TYPE_SELFTEST;
	return sizeof(info);
}

static const struct iommu_resv_region_info *
st_get_resv_regions(struct miommu_device *dev, unsigned int *num)
{
	/* Upstream's mock reports none; tests add them with ADD_RESERVED */
	*num = 0;
	return NULL;
}

static struct miommu_device *st_probe_device(struct miommu_instance *inst,
					     u32 stream_id)
{
	/* Devices come from IOMMU_TEST_OP_MOCK_DOMAIN only */
	return ERR_PTR(-ENODEV);
}

static void st_release_device(struct miommu_device *dev)
{
	st_dev_destroy(to_st_dev(dev));
}

static const struct miommu_ops st_ops = {
	.probe_device = st_probe_device,
	.release_device = st_release_device,
	.hw_info = st_hw_info,
	.domain_alloc_paging = st_domain_alloc_paging,
	.domain_alloc_nested = st_domain_alloc_nested,
	.domain_compatible = st_domain_compatible,
	.viommu_alloc = st_viommu_alloc,
	.get_resv_regions = st_get_resv_regions,
	.pasid_changed = st_pasid_changed,
	/* As upstream's mock: a nested RID domain takes unattached PASIDs' faults */
	.user_pasid_table = true,
};

/* Not registered by ID: userspace reaches it through IOMMU_TEST_CMD only. */
static struct miommu_instance st_instance = {
	.ops = &st_ops,
	.id = U32_MAX,
};

/**
 * st_dev_create() - a new selftest device (upstream's mock_dev_create)
 * @flags: enum iommu_test_device_flags
 *
 * Return: the device, or ERR_PTR(-EINVAL) for unknown flags, -ENOMEM,
 * -ENOSPC, or the driver core's errno.
 */
struct st_dev *st_dev_create(u32 flags)
{
	struct st_dev *sdev;
	int rc, i;

	if (flags & ~(MOCK_FLAGS_DEVICE_NO_DIRTY | MOCK_FLAGS_DEVICE_HUGE_IOVA |
		      MOCK_FLAGS_DEVICE_PASID))
		return ERR_PTR(-EINVAL);
	sdev = kzalloc(sizeof(*sdev), GFP_KERNEL_ACCOUNT);
	if (!sdev)
		return ERR_PTR(-ENOMEM);
	rc = ida_alloc(&st_dev_ida, GFP_KERNEL);
	if (rc < 0) {
		kfree(sdev);
		return ERR_PTR(rc);
	}
	sdev->id = rc;
	sdev->flags = flags;
	for (i = 0; i < MOCK_DEV_CACHE_NUM; i++)
		sdev->cache[i] = IOMMU_TEST_DEV_CACHE_DEFAULT;
	sdev->core.inst = &st_instance;
	sdev->core.stream_id = sdev->id;
	if (flags & MOCK_FLAGS_DEVICE_PASID)
		sdev->core.max_pasid_log2 = MOCK_PASID_WIDTH;
	if (!(flags & MOCK_FLAGS_DEVICE_NO_DIRTY))
		sdev->core.hw_caps = IOMMU_HW_CAP_DIRTY_TRACKING;

	device_initialize(&sdev->core.dev);
	sdev->core.dev.bus = &st_bus;
	sdev->core.dev.release = st_dev_release;
	rc = dev_set_name(&sdev->core.dev, "mockst%u", sdev->id);
	if (!rc)
		rc = device_add(&sdev->core.dev);
	if (rc) {
		/* release frees the ID and the memory */
		put_device(&sdev->core.dev);
		return ERR_PTR(rc);
	}
	return sdev;
}

/**
 * st_dev_destroy() - remove a device made by st_dev_create()
 * @sdev: the device, no longer bound to any file
 */
void st_dev_destroy(struct st_dev *sdev)
{
	device_unregister(&sdev->core.dev);
}

/**
 * st_is_dev() - is @dev a selftest mock device
 * @dev: any device of the module
 *
 * Return: true for devices of this driver.
 */
bool st_is_dev(struct miommu_device *dev)
{
	return dev->inst == &st_instance;
}

/**
 * selftest_iommu_init() - register the bus and upstream's test command
 *
 * Return: 0 or the errno of the failing step, with everything undone.
 */
int selftest_iommu_init(void)
{
	int rc;

	rc = bus_register(&st_bus);
	if (rc)
		return rc;
	rc = st_test_cmd_init();
	if (rc)
		bus_unregister(&st_bus);
	return rc;
}

/**
 * selftest_iommu_exit() - undo selftest_iommu_init(); no file is open
 */
void selftest_iommu_exit(void)
{
	st_test_cmd_exit();
	bus_unregister(&st_bus);
	ida_destroy(&st_dev_ida);
}
