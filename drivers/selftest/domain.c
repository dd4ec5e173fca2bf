// SPDX-License-Identifier: GPL-2.0
/*
 * Domains of the selftest mock, as upstream's selftests observe them: a
 * paging domain is an xarray of PTEs in ST_IO_PAGE_SIZE (half page) units
 * over upstream's mock aperture, with a huge IO page for devices created
 * with MOCK_FLAGS_DEVICE_HUGE_IOVA and dirty bits when allocated with
 * IOMMU_HWPT_ALLOC_DIRTY_TRACKING; a nested domain is a four-entry mock
 * IOTLB that IOMMU_HWPT_DATA_SELFTEST fills and invalidations clear. Both
 * kinds may be attached to PASIDs of devices made with
 * MOCK_FLAGS_DEVICE_PASID.
 */
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "selftest.h"

static const struct miommu_domain_ops st_paging_ops;
static const struct miommu_domain_ops st_nested_ops;

/**
 * st_is_paging() - is @domain a selftest paging domain
 * @domain: any domain
 *
 * Return: true if so.
 */
bool st_is_paging(struct miommu_domain *domain)
{
	return domain->ops == &st_paging_ops;
}

/**
 * st_is_nested() - is @domain a selftest nested domain
 * @domain: any domain
 *
 * Return: true if so.
 */
bool st_is_nested(struct miommu_domain *domain)
{
	return domain->ops == &st_nested_ops;
}

/**
 * st_domain_compatible() - selftest devices share only selftest domains
 * @dev: a device
 * @domain: a domain
 *
 * Return: true when both belong to this driver.
 */
bool st_domain_compatible(struct miommu_device *dev,
			  struct miommu_domain *domain)
{
	return st_is_dev(dev) && (st_is_paging(domain) || st_is_nested(domain));
}

/**
 * st_domain_alloc_paging() - upstream's mock paging domain
 * @dev: the device it is made for
 * @flags: IOMMU_HWPT_ALLOC_NEST_PARENT, _DIRTY_TRACKING, _PASID
 *
 * Return: the domain, or ERR_PTR(-EOPNOTSUPP) for other flags or dirty
 * tracking on a MOCK_FLAGS_DEVICE_NO_DIRTY device (upstream), -ENOMEM.
 */
struct miommu_domain *st_domain_alloc_paging(struct miommu_device *dev,
					     u32 flags)
{
	struct st_dev *sdev = to_st_dev(dev);
	struct st_domain *sd;

	if (flags & ~(IOMMU_HWPT_ALLOC_NEST_PARENT |
		      IOMMU_HWPT_ALLOC_DIRTY_TRACKING |
		      IOMMU_HWPT_ALLOC_PASID))
		return ERR_PTR(-EOPNOTSUPP);
	if ((flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING) &&
	    (sdev->flags & MOCK_FLAGS_DEVICE_NO_DIRTY))
		return ERR_PTR(-EOPNOTSUPP);
	sd = kzalloc(sizeof(*sd), GFP_KERNEL_ACCOUNT);
	if (!sd)
		return ERR_PTR(-ENOMEM);
	sd->core.ops = &st_paging_ops;
	sd->core.inst = dev->inst;
	sd->core.aperture_start = MOCK_APERTURE_START;
	sd->core.aperture_last = MOCK_APERTURE_LAST;
	sd->core.pgsize_bitmap = ST_IO_PAGE_SIZE;
	if (sdev->flags & MOCK_FLAGS_DEVICE_HUGE_IOVA)
		sd->core.pgsize_bitmap |= ST_HUGE_PAGE_SIZE;
	sd->dirty_ops = flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING;
	sd->nest_parent = flags & IOMMU_HWPT_ALLOC_NEST_PARENT;
	xa_init(&sd->ptes);
	return &sd->core;
}

/**
 * st_domain_alloc_nested() - upstream's mock nested domain
 * @dev: the device it is made for
 * @parent: a selftest paging domain allocated as a nest parent
 * @flags: 0 or IOMMU_HWPT_ALLOC_PASID
 * @data: IOMMU_HWPT_DATA_SELFTEST, struct iommu_hwpt_selftest
 *
 * Return: the domain or ERR_PTR: -EOPNOTSUPP other flags or another data type;
 * -EINVAL parent not a selftest nest parent, data shorter than its iotlb
 * field; -E2BIG data longer than the struct with non-zero bytes beyond it
 * (zero bytes are taken: newer upstream suites pass a longer struct);
 * -EFAULT; -ENOMEM.
 */
struct miommu_domain *st_domain_alloc_nested(struct miommu_device *dev,
					     struct miommu_domain *parent,
					     u32 flags,
					     const struct miommu_user_data *data)
{
	struct iommu_hwpt_selftest cfg;
	struct st_domain *sd;
	int rc, i;

	if ((flags & ~IOMMU_HWPT_ALLOC_PASID) ||
	    data->type != IOMMU_HWPT_DATA_SELFTEST)
		return ERR_PTR(-EOPNOTSUPP);
	if (!st_is_paging(parent) || !to_st_domain(parent)->nest_parent)
		return ERR_PTR(-EINVAL);
	/*
	 * Longer data is taken when its tail is zero (E2BIG otherwise):
	 * upstream's struct grew after 6.17 (pagetable_type, 0 = this one).
	 */
	if (data->len < offsetofend(struct iommu_hwpt_selftest, iotlb))
		return ERR_PTR(-EINVAL);
	rc = copy_struct_from_user(&cfg, sizeof(cfg), data->uptr, data->len);
	if (rc)
		return ERR_PTR(rc);
	sd = kzalloc(sizeof(*sd), GFP_KERNEL_ACCOUNT);
	if (!sd)
		return ERR_PTR(-ENOMEM);
	sd->core.ops = &st_nested_ops;
	sd->core.inst = dev->inst;
	sd->core.aperture_last = U64_MAX;
	sd->parent = to_st_domain(parent);
	for (i = 0; i < MOCK_NESTED_DOMAIN_IOTLB_NUM; i++)
		sd->iotlb[i] = cfg.iotlb;
	return &sd->core;
}

static int st_attach_dev(struct miommu_domain *domain,
			 struct miommu_device *dev)
{
	struct st_domain *sd = to_st_domain(domain);

	if (!st_is_dev(dev))
		return -EINVAL;
	/* Upstream's mock refuses dirty-capable domains for NO_DIRTY devices */
	if (sd->dirty_ops && (to_st_dev(dev)->flags & MOCK_FLAGS_DEVICE_NO_DIRTY))
		return -EINVAL;
	/* A vIOMMU's stage 1 serves only devices it knows (upstream 6.17) */
	if (sd->viommu && !miommu_viommu_find_vdev(sd->viommu, dev))
		return -ENOENT;
	return 0;
}

/*
 * Upstream's mock (mock_domain_set_dev_pasid_nop) takes any of its domains
 * on any PASID, except that IOMMU_TEST_PASID_RESERVED, once attached, fails
 * its next change with -ENOMEM, so tests see a failed replace keep the old
 * domain. The failure clears the mark; st_pasid_changed() sets and clears
 * it as the core commits.
 */
static int st_set_dev_pasid(struct miommu_domain *domain,
			    struct miommu_device *dev, u32 pasid,
			    struct miommu_domain *old)
{
	struct st_dev *sdev;

	if (!st_is_dev(dev))
		return -EINVAL;
	sdev = to_st_dev(dev);
	if (pasid == IOMMU_TEST_PASID_RESERVED && sdev->pasid_fail_next) {
		sdev->pasid_fail_next = false;
		return -ENOMEM;
	}
	return 0;
}

/**
 * st_pasid_changed() - the core committed a PASID change of a device
 * @dev: a selftest device
 * @pasid: the PASID
 * @domain: the domain now attached, NULL after a detach
 */
void st_pasid_changed(struct miommu_device *dev, u32 pasid,
		      struct miommu_domain *domain)
{
	if (pasid == IOMMU_TEST_PASID_RESERVED)
		to_st_dev(dev)->pasid_fail_next = !!domain;
}

static int st_map_pages(struct miommu_domain *domain, unsigned long iova,
			phys_addr_t paddr, size_t pgsize, size_t pgcount,
			int prot, size_t *mapped)
{
	struct st_domain *sd = to_st_domain(domain);
	unsigned long n = pgsize * pgcount / ST_IO_PAGE_SIZE, i = 0;
	XA_STATE(xas, &sd->ptes, iova / ST_IO_PAGE_SIZE);
	u64 flags = 0, pfn = paddr / ST_IO_PAGE_SIZE;

	*mapped = 0;
	if (!IS_ALIGNED(iova, ST_IO_PAGE_SIZE) ||
	    !IS_ALIGNED(paddr, ST_IO_PAGE_SIZE) ||
	    !IS_ALIGNED(pgsize, ST_IO_PAGE_SIZE))
		return -EINVAL;
	if (pgsize != ST_IO_PAGE_SIZE)
		flags |= ST_PTE_HUGE;
	if (prot & MIOMMU_WRITE)
		flags |= ST_PTE_WRITE;

	/* One walk of the xarray for the whole run of IO pages */
	do {
		xas_lock(&xas);
		while (i < n) {
			xas_store(&xas, xa_mk_value((pfn + i) | flags));
			if (xas_error(&xas))
				break;
			i++;
			xas_next(&xas);
		}
		xas_unlock(&xas);
	} while (xas_nomem(&xas, GFP_KERNEL_ACCOUNT));
	if (xas_error(&xas)) {
		xa_lock(&sd->ptes);
		while (i--)
			__xa_erase(&sd->ptes, iova / ST_IO_PAGE_SIZE + i);
		xa_unlock(&sd->ptes);
		return xas_error(&xas);
	}
	*mapped = pgsize * pgcount;
	return 0;
}

static size_t st_unmap_pages(struct miommu_domain *domain, unsigned long iova,
			     size_t pgsize, size_t pgcount)
{
	struct st_domain *sd = to_st_domain(domain);
	unsigned long first = iova / ST_IO_PAGE_SIZE, n = 0;
	size_t total = pgsize * pgcount;
	XA_STATE(xas, &sd->ptes, first);
	void *entry;

	/*
	 * One walk of the xarray for the run; the lock is dropped every 1024
	 * PTEs, as an unmap may be gigabytes.
	 */
	xas_lock(&xas);
	xas_for_each(&xas, entry, first + total / ST_IO_PAGE_SIZE - 1) {
		xas_store(&xas, NULL);
		if (!(++n % 1024)) {
			xas_pause(&xas);
			xas_unlock(&xas);
			cond_resched();
			xas_lock(&xas);
		}
	}
	xas_unlock(&xas);
	return total;
}

static int st_iova_to_phys(struct miommu_domain *domain, unsigned long iova,
			   phys_addr_t *phys, int *prot)
{
	struct st_domain *sd = to_st_domain(domain);
	unsigned long off = iova % ST_IO_PAGE_SIZE;
	void *entry;
	u64 pte;

	if (st_is_nested(domain))
		sd = sd->parent;
	entry = xa_load(&sd->ptes, iova / ST_IO_PAGE_SIZE);
	if (!entry)
		return -ENOENT;
	pte = xa_to_value(entry);
	*phys = (pte & ST_PTE_PFN_MASK) * ST_IO_PAGE_SIZE + off;
	*prot = MIOMMU_READ | ((pte & ST_PTE_WRITE) ? MIOMMU_WRITE : 0);
	return 0;
}

static int st_set_dirty_tracking(struct miommu_domain *domain, bool enable)
{
	struct st_domain *sd = to_st_domain(domain);

	if (!sd->dirty_ops)
		return -EOPNOTSUPP;
	sd->dirty_tracking = enable;
	return 0;
}

/* Test and clear the dirty bits of the IO pages in [@iova, +@size). */
static bool st_test_and_clear_dirty(struct st_domain *sd, unsigned long iova,
				    unsigned long size, unsigned long flags)
{
	unsigned long cur;
	bool dirty = false;
	void *entry;
	u64 pte;

	for (cur = iova; cur < iova + size; cur += ST_IO_PAGE_SIZE) {
		entry = xa_load(&sd->ptes, cur / ST_IO_PAGE_SIZE);
		if (!entry || !(xa_to_value(entry) & ST_PTE_DIRTY))
			continue;
		dirty = true;
		if (flags & IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR)
			continue;
		pte = xa_to_value(entry) & ~ST_PTE_DIRTY;
		/* Replacing a present value entry allocates nothing */
		xa_store(&sd->ptes, cur / ST_IO_PAGE_SIZE, xa_mk_value(pte),
			 GFP_KERNEL);
	}
	return dirty;
}

/*
 * As upstream's mock: a huge IO page is dirty as a whole, so a dirty bit in
 * any of its half pages reports (and clears) the whole huge page. One walk
 * of the xarray visits only present PTEs.
 */
static int st_read_and_clear_dirty(struct miommu_domain *domain,
				   unsigned long iova, unsigned long size,
				   unsigned long flags,
				   struct miommu_dirty_bitmap *dirty)
{
	struct st_domain *sd = to_st_domain(domain);
	bool clear = !(flags & IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR);
	unsigned long last = (iova + size - 1) / ST_IO_PAGE_SIZE;
	XA_STATE(xas, &sd->ptes, iova / ST_IO_PAGE_SIZE);
	unsigned long head, cur;
	void *entry;
	u64 pte;

	if (!sd->dirty_tracking && dirty->bits)
		return -EINVAL;
	xas_lock(&xas);
	xas_for_each(&xas, entry, last) {
		if (xas_retry(&xas, entry))
			continue;
		pte = xa_to_value(entry);
		cur = xas.xa_index * ST_IO_PAGE_SIZE;
		if (!(pte & ST_PTE_HUGE)) {
			if (!(pte & ST_PTE_DIRTY))
				continue;
			miommu_dirty_record(dirty, cur, ST_IO_PAGE_SIZE);
			if (clear)
				xas_store(&xas, xa_mk_value(pte & ~ST_PTE_DIRTY));
			continue;
		}
		/* The rest of this huge page is handled here, then skipped */
		head = cur & ~(ST_HUGE_PAGE_SIZE - 1);
		xas_pause(&xas);
		xas_unlock(&xas);
		if (st_test_and_clear_dirty(sd, head, ST_HUGE_PAGE_SIZE, flags))
			miommu_dirty_record(dirty, cur, ST_HUGE_PAGE_SIZE);
		cond_resched();
		xas_lock(&xas);
		xas_set(&xas, (head + ST_HUGE_PAGE_SIZE) / ST_IO_PAGE_SIZE);
	}
	xas_unlock(&xas);
	return 0;
}

static void st_paging_free(struct miommu_domain *domain)
{
	struct st_domain *sd = to_st_domain(domain);

	WARN_ON(!xa_empty(&sd->ptes));
	xa_destroy(&sd->ptes);
	kfree(sd);
}

/*
 * Upstream's mock invalidation: each entry clears one IOTLB entry or, with
 * IOMMU_TEST_INVALIDATE_FLAG_ALL, all of them; entry_num says how many
 * entries were handled.
 */
static int st_nested_invalidate(struct miommu_domain *domain,
				struct miommu_user_data_array *array)
{
	struct st_domain *sd = to_st_domain(domain);
	struct iommu_hwpt_invalidate_selftest inv;
	unsigned int i;
	int rc = 0, j;

	if (array->type != IOMMU_HWPT_INVALIDATE_DATA_SELFTEST) {
		array->entry_num = 0;
		return -EINVAL;
	}
	if (array->entry_num &&
	    array->entry_len < offsetofend(typeof(inv), iotlb_id)) {
		array->entry_num = 0;
		return -EINVAL;
	}
	for (i = 0; i < array->entry_num; i++) {
		rc = miommu_copy_array_entry(&inv, sizeof(inv), array, i);
		if (rc)
			break;
		if (inv.flags & ~IOMMU_TEST_INVALIDATE_FLAG_ALL) {
			rc = -EOPNOTSUPP;
			break;
		}
		if (inv.iotlb_id > MOCK_NESTED_DOMAIN_IOTLB_ID_MAX) {
			rc = -EINVAL;
			break;
		}
		if (inv.flags & IOMMU_TEST_INVALIDATE_FLAG_ALL) {
			for (j = 0; j < MOCK_NESTED_DOMAIN_IOTLB_NUM; j++)
				sd->iotlb[j] = 0;
		} else {
			sd->iotlb[inv.iotlb_id] = 0;
		}
		cond_resched();
	}
	array->entry_num = i;
	return rc;
}

static void st_nested_free(struct miommu_domain *domain)
{
	kfree(to_st_domain(domain));
}

static const struct miommu_domain_ops st_paging_ops = {
	.attach_dev = st_attach_dev,
	.set_dev_pasid = st_set_dev_pasid,
	.map_pages = st_map_pages,
	.unmap_pages = st_unmap_pages,
	.iova_to_phys = st_iova_to_phys,
	.set_dirty_tracking = st_set_dirty_tracking,
	.read_and_clear_dirty = st_read_and_clear_dirty,
	.free = st_paging_free,
};

static const struct miommu_domain_ops st_nested_ops = {
	.attach_dev = st_attach_dev,
	.set_dev_pasid = st_set_dev_pasid,
	.iova_to_phys = st_iova_to_phys,
	.cache_invalidate_user = st_nested_invalidate,
	.free = st_nested_free,
};
