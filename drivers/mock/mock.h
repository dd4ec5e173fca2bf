/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The mock IOMMU driver: instances (instance.c), domains (domain.c) and
 * vIOMMUs (viommu.c) behind the miommu driver interface.
 */
#ifndef MOCK_H
#define MOCK_H

#include <linux/list.h>

#include "miommu.h"
#include "xa_pgtable.h"

/**
 * struct mock_instance - one mock IOMMU
 * @core: what the iommufd core sees
 * @dev: "mockiommu<N>" on the mockiommu bus, parent of its devices
 * @info: hardware description reported to userspace
 * @resv: reserved regions every device of the instance has, sorted
 * @sids: stream IDs in use, across all open files
 * @release: frees the struct the instance is embedded in (another driver's
 *           instance on the mockiommu bus); NULL: kfree() the instance
 */
struct mock_instance {
	struct miommu_instance core;
	struct device dev;
	struct iommu_hw_info_mock info;
	const struct iommu_resv_region_info *resv;
	struct xarray sids;
	void (*release)(struct mock_instance *mi);
};

/**
 * struct mock_domain - a mock IO page table
 * @core: what the iommufd core sees
 * @flags: enum iommufd_hwpt_alloc_flags of a paging domain
 * @pt: paging: the page table
 * @parent: nested: the nest-parent paging domain (stage 2)
 * @viommu: nested: the vIOMMU it was allocated on, or NULL
 * @viommu_item: nested: entry in the vIOMMU's list of nested domains
 * @s1: nested: the stage-1 description userspace gave
 * @iotlb_invalidations: nested: IOTLB invalidations that reached it
 */
struct mock_domain {
	struct miommu_domain core;
	u32 flags;
	struct xa_pgtable pt;
	struct mock_domain *parent;
	struct mock_viommu *viommu;
	struct list_head viommu_item;
	struct iommu_hwpt_mock_s1 s1;
	u64 iotlb_invalidations;
};

/**
 * struct mock_viommu - the mock driver's own vIOMMU type
 * @core: what the iommufd core sees
 * @nested: mock_domain.viommu_item of the nested domains allocated on it
 */
struct mock_viommu {
	struct miommu_viommu core;
	struct list_head nested;
};

static inline struct mock_instance *to_mock_instance(struct miommu_instance *inst)
{
	return container_of(inst, struct mock_instance, core);
}

static inline struct mock_domain *to_mock_domain(struct miommu_domain *domain)
{
	return container_of(domain, struct mock_domain, core);
}

/* instance.c: also used by other drivers' instances on the mockiommu bus */
int mock_instance_register(struct mock_instance *mi, unsigned int id);
void mock_instance_unregister(struct mock_instance *mi);
struct miommu_device *mock_probe_device(struct miommu_instance *inst,
					u32 stream_id);
void mock_release_device(struct miommu_device *mdev);
const struct iommu_resv_region_info *
mock_get_resv_regions(struct miommu_device *mdev, unsigned int *num);

/* domain.c */
struct miommu_domain *mock_domain_alloc_paging(struct miommu_device *dev,
					       u32 flags);
struct miommu_domain *mock_domain_alloc_nested(struct miommu_device *dev,
					       struct miommu_domain *parent,
					       u32 flags,
					       const struct miommu_user_data *data);
struct mock_domain *mock_nested_alloc(struct miommu_device *dev,
				      struct miommu_domain *parent,
				      const struct miommu_user_data *data);
bool mock_domain_compatible(struct miommu_device *dev,
			    struct miommu_domain *domain);
int mock_inv_run(struct miommu_user_data_array *array,
		 int (*one)(void *priv, const struct iommu_mock_invalidate *inv),
		 void *priv);

/* viommu.c */
struct miommu_viommu *mock_viommu_alloc(struct miommu_device *dev,
					struct miommu_domain *s2, u32 type);

#endif
