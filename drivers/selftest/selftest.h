/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The upstream-shaped mock IOMMU: one more instance kind behind the driver
 * interface, behaving as the mock that upstream iommufd's selftests expect
 * (drivers/iommu/iommufd/selftest.c in Linux): half-page IO page size, an
 * optional huge IO page, dirty tracking, a small nested IOTLB. Its devices
 * are made by upstream's IOMMU_TEST_CMD ops (test_cmd.c), which also give
 * the suite its checks on the core's state.
 */
#ifndef SELFTEST_H
#define SELFTEST_H

#include <linux/mm.h>
#include <linux/xarray.h>

#include "miommu.h"
#include "iommufd_test.h"

/* Upstream's mock maps in half pages, and 512 of them as a huge IO page. */
#define ST_IO_PAGE_SIZE		(PAGE_SIZE / 2)
#define ST_HUGE_PAGE_SIZE	(512 * ST_IO_PAGE_SIZE)

/*
 * A PTE of the mock page table: the address in ST_IO_PAGE_SIZE units in the
 * low bits, state above them (xarray values must stay below BIT(63)).
 */
#define ST_PTE_PFN_MASK		GENMASK_ULL(51, 0)
#define ST_PTE_DIRTY		BIT_ULL(52)
#define ST_PTE_HUGE		BIT_ULL(53)
#define ST_PTE_WRITE		BIT_ULL(54)

/**
 * struct st_dev - a device of the selftest mock (upstream's mock_dev)
 * @core: what the core sees
 * @flags: enum iommu_test_device_flags given at creation
 * @id: number in the device name
 * @cache: the device's cache (upstream's mock_dev cache), each slot
 *         IOMMU_TEST_DEV_CACHE_DEFAULT until an invalidation through a
 *         selftest vIOMMU clears it; IOMMU_TEST_OP_DEV_CHECK_CACHE reads it
 * @pasid_fail_next: IOMMU_TEST_PASID_RESERVED is attached, so the next
 *                   change of its domain fails once with -ENOMEM
 *                   (upstream's pasid_1024_fake_error)
 */
struct st_dev {
	struct miommu_device core;
	u32 flags;
	int id;
	u32 cache[MOCK_DEV_CACHE_NUM];
	bool pasid_fail_next;
};

/**
 * struct st_domain - a paging or nested domain of the selftest mock
 * @core: what the core sees
 * @ptes: paging: IOVA / ST_IO_PAGE_SIZE -> xa_mk_value(PTE)
 * @dirty_ops: paging: allocated with IOMMU_HWPT_ALLOC_DIRTY_TRACKING
 * @dirty_tracking: paging: tracking is on (PTEs collect dirty bits)
 * @nest_parent: paging: IOMMU_HWPT_ALLOC_NEST_PARENT
 * @parent: nested: the paging parent
 * @iotlb: nested: the mock IOTLB entries, set from the allocation data and
 *         cleared by invalidations
 * @viommu: nested through a selftest vIOMMU: that vIOMMU (a device needs a
 *          vDEVICE in it to attach, as upstream)
 */
struct st_domain {
	struct miommu_domain core;
	struct xarray ptes;
	bool dirty_ops;
	bool dirty_tracking;
	bool nest_parent;
	struct st_domain *parent;
	u32 iotlb[MOCK_NESTED_DOMAIN_IOTLB_NUM];
	struct miommu_viommu *viommu;
};

static inline struct st_dev *to_st_dev(struct miommu_device *dev)
{
	return container_of(dev, struct st_dev, core);
}

static inline struct st_domain *to_st_domain(struct miommu_domain *domain)
{
	return container_of(domain, struct st_domain, core);
}

/* instance.c */
struct st_dev *st_dev_create(u32 flags);
void st_dev_destroy(struct st_dev *sdev);
bool st_is_dev(struct miommu_device *dev);

/* domain.c */
struct miommu_domain *st_domain_alloc_paging(struct miommu_device *dev,
					     u32 flags);
struct miommu_domain *st_domain_alloc_nested(struct miommu_device *dev,
					     struct miommu_domain *parent,
					     u32 flags,
					     const struct miommu_user_data *data);
bool st_domain_compatible(struct miommu_device *dev,
			  struct miommu_domain *domain);
bool st_is_paging(struct miommu_domain *domain);
bool st_is_nested(struct miommu_domain *domain);
void st_pasid_changed(struct miommu_device *dev, u32 pasid,
		      struct miommu_domain *domain);

/* viommu.c */
struct miommu_viommu *st_viommu_alloc(struct miommu_device *dev,
				      struct miommu_domain *s2, u32 type);

/* test_cmd.c */
int st_test_cmd_init(void);
void st_test_cmd_exit(void);

#endif
