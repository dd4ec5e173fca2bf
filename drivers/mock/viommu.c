// SPDX-License-Identifier: GPL-2.0
/*
 * The mock driver's own vIOMMU type (IOMMU_VIOMMU_TYPE_MOCK), offered by
 * ARM-like instances: nested domains allocated through it, IOTLB
 * invalidation by ASID across them, device-cache invalidation by virt_id.
 */
#include <linux/slab.h>

#include "mock.h"

static struct mock_viommu *to_mock_viommu(struct miommu_viommu *viommu)
{
	return container_of(viommu, struct mock_viommu, core);
}

static struct miommu_domain *
mock_viommu_alloc_domain_nested(struct miommu_viommu *viommu,
				struct miommu_device *dev, u32 flags,
				const struct miommu_user_data *data)
{
	struct mock_viommu *mv = to_mock_viommu(viommu);
	struct mock_domain *md;

	if (flags)
		return ERR_PTR(-EOPNOTSUPP);
	md = mock_nested_alloc(dev, viommu->s2, data);
	if (IS_ERR(md))
		return ERR_CAST(md);
	md->viommu = mv;
	list_add_tail(&md->viommu_item, &mv->nested);
	return &md->core;
}

static int mock_viommu_invalidate_one(void *priv,
				      const struct iommu_mock_invalidate *inv)
{
	struct mock_viommu *mv = priv;
	struct miommu_vdevice *vdev;
	struct mock_domain *md;

	if (inv->op == IOMMU_MOCK_INV_DEV_CACHE) {
		vdev = xa_load(&mv->core.vdevs, inv->id);
		if (!vdev)
			return -ENOENT;
		vdev->invalidations++;
		return 0;
	}
	/* The IOTLB is tagged by ASID: flush every nested domain using it */
	list_for_each_entry(md, &mv->nested, viommu_item)
		if (md->s1.asid == inv->id)
			md->iotlb_invalidations++;
	return 0;
}

static int mock_viommu_cache_invalidate(struct miommu_viommu *viommu,
					struct miommu_user_data_array *array)
{
	return mock_inv_run(array, mock_viommu_invalidate_one,
			    to_mock_viommu(viommu));
}

static void mock_viommu_destroy(struct miommu_viommu *viommu)
{
	struct mock_viommu *mv = to_mock_viommu(viommu);

	WARN_ON(!list_empty(&mv->nested));
	kfree(mv);
}

static const struct miommu_viommu_ops mock_viommu_ops = {
	.alloc_domain_nested = mock_viommu_alloc_domain_nested,
	.cache_invalidate = mock_viommu_cache_invalidate,
	.destroy = mock_viommu_destroy,
};

/**
 * mock_viommu_alloc() - the viommu_alloc op of ARM-like instances
 * @dev: device whose instance backs the vIOMMU
 * @s2: the nest-parent domain, format already checked by the core
 * @type: must be IOMMU_VIOMMU_TYPE_MOCK
 *
 * Return: the vIOMMU or ERR_PTR(-EOPNOTSUPP) for another type, -ENOMEM.
 */
struct miommu_viommu *mock_viommu_alloc(struct miommu_device *dev,
					struct miommu_domain *s2, u32 type)
{
	struct mock_viommu *mv;

	if (type != IOMMU_VIOMMU_TYPE_MOCK)
		return ERR_PTR(-EOPNOTSUPP);
	mv = kzalloc(sizeof(*mv), GFP_KERNEL_ACCOUNT);
	if (!mv)
		return ERR_PTR(-ENOMEM);
	mv->core.ops = &mock_viommu_ops;
	INIT_LIST_HEAD(&mv->nested);
	return &mv->core;
}
