// SPDX-License-Identifier: GPL-2.0
/*
 * Mock domains. A paging domain is a real page table of the pinned pages,
 * kept in an xarray indexed by IOVA page. A nested domain holds the stage-1
 * description userspace gave; the mock walks no guest table, so its stage 1
 * is the identity limited to the stage-1 input width, and translation ends
 * in the parent's page table.
 */
#include <linux/sizes.h>
#include <linux/slab.h>

#include "mock.h"

static const struct miommu_domain_ops mock_paging_ops;
static const struct miommu_domain_ops mock_nested_ops;

static u32 mock_format(struct miommu_instance *inst)
{
	return to_mock_instance(inst)->info.s1_format;
}

/**
 * mock_domain_compatible() - may @dev use page tables of @domain
 * @dev: device
 * @domain: paging or nested domain
 *
 * Instances with the same stage-1 format share page tables (seed 004), but
 * a device must never reach IOVA beyond its own instance's aperture: a
 * paging domain must lie inside it; a nested domain's stage-1 input must
 * fit the instance's stage-1 input width and its stage 2 must lie inside
 * the aperture. So a 44-bit instance refuses a 48-bit instance's domains
 * while the 48-bit instance may use the 44-bit one's. (Upstream reuses a
 * domain for a device exactly when the driver accepts the attach.)
 * Return: true if compatible; false for a domain of another driver.
 */
bool mock_domain_compatible(struct miommu_device *dev,
			    struct miommu_domain *domain)
{
	struct mock_instance *mi = to_mock_instance(dev->inst);

	if (domain->ops != &mock_paging_ops && domain->ops != &mock_nested_ops)
		return false;
	if (mock_format(dev->inst) != mock_format(domain->inst))
		return false;
	if (domain->ops == &mock_nested_ops) {
		if (domain->aperture_last > BIT_ULL(mi->info.s1_ias) - 1)
			return false;
		domain = &to_mock_domain(domain)->parent->core;
	}
	return domain->aperture_start >= mi->info.aperture_start &&
	       domain->aperture_last <= mi->info.aperture_last;
}

struct miommu_domain *mock_domain_alloc_paging(struct miommu_device *dev,
					       u32 flags)
{
	struct mock_instance *mi = to_mock_instance(dev->inst);
	struct mock_domain *md;

	if (flags & ~IOMMU_HWPT_ALLOC_NEST_PARENT)
		return ERR_PTR(-EOPNOTSUPP);
	md = kzalloc(sizeof(*md), GFP_KERNEL_ACCOUNT);
	if (!md)
		return ERR_PTR(-ENOMEM);
	md->core.ops = &mock_paging_ops;
	md->core.inst = dev->inst;
	md->core.aperture_start = mi->info.aperture_start;
	md->core.aperture_last = mi->info.aperture_last;
	md->core.pgsize_bitmap = mi->info.pgsize_bitmap;
	md->flags = flags;
	xa_pgtable_init(&md->pt);
	return &md->core;
}

/**
 * mock_nested_alloc() - validate stage-1 data and allocate a nested domain
 * @dev: device the domain is made for
 * @parent: the stage-2 domain
 * @data: user data, IOMMU_HWPT_DATA_MOCK_S1
 *
 * Return: the domain or ERR_PTR: -EINVAL parent not a mock nest parent,
 * format mismatch, bad ttbr/asid, short data; -EOPNOTSUPP other data type,
 * unknown flags or reserved bits; -E2BIG, -EFAULT from the copy.
 */
struct mock_domain *mock_nested_alloc(struct miommu_device *dev,
				      struct miommu_domain *parent,
				      const struct miommu_user_data *data)
{
	struct mock_instance *mi = to_mock_instance(dev->inst);
	struct iommu_hwpt_mock_s1 s1;
	struct mock_domain *md;
	int rc;

	if (parent->ops != &mock_paging_ops ||
	    !(to_mock_domain(parent)->flags & IOMMU_HWPT_ALLOC_NEST_PARENT))
		return ERR_PTR(-EINVAL);
	if (!mock_domain_compatible(dev, parent))
		return ERR_PTR(-EINVAL);
	rc = miommu_copy_user_data(&s1, sizeof(s1), sizeof(s1), data,
				   IOMMU_HWPT_DATA_MOCK_S1);
	if (rc)
		return ERR_PTR(rc);
	if ((s1.flags & ~IOMMU_MOCK_S1_BYPASS) || s1.__reserved)
		return ERR_PTR(-EOPNOTSUPP);
	if (s1.format != mi->info.s1_format || !IS_ALIGNED(s1.ttbr, SZ_4K) ||
	    s1.asid >= BIT(mi->info.asid_bits))
		return ERR_PTR(-EINVAL);

	md = kzalloc(sizeof(*md), GFP_KERNEL_ACCOUNT);
	if (!md)
		return ERR_PTR(-ENOMEM);
	md->core.ops = &mock_nested_ops;
	md->core.inst = dev->inst;
	md->core.aperture_start = 0;
	md->core.aperture_last = BIT_ULL(mi->info.s1_ias) - 1;
	md->parent = to_mock_domain(parent);
	md->s1 = s1;
	INIT_LIST_HEAD(&md->viommu_item);
	return md;
}

struct miommu_domain *mock_domain_alloc_nested(struct miommu_device *dev,
					       struct miommu_domain *parent,
					       u32 flags,
					       const struct miommu_user_data *data)
{
	struct mock_domain *md;

	if (flags)
		return ERR_PTR(-EOPNOTSUPP);
	md = mock_nested_alloc(dev, parent, data);
	return IS_ERR(md) ? ERR_CAST(md) : &md->core;
}

static int mock_attach_dev(struct miommu_domain *domain,
			   struct miommu_device *dev)
{
	struct mock_domain *md = to_mock_domain(domain);

	if (!mock_domain_compatible(dev, domain))
		return -EINVAL;
	/* A nested domain of a vIOMMU serves that instance's devices only */
	if (md->viommu && md->viommu->core.inst != dev->inst)
		return -EINVAL;
	return 0;
}

static int mock_map_pages(struct miommu_domain *domain, unsigned long iova,
			  phys_addr_t paddr, size_t pgsize, size_t pgcount,
			  int prot, size_t *mapped)
{
	return xa_pgtable_map(&to_mock_domain(domain)->pt, domain, iova, paddr,
			      pgsize * pgcount, prot, mapped);
}

static size_t mock_unmap_pages(struct miommu_domain *domain,
			       unsigned long iova, size_t pgsize,
			       size_t pgcount)
{
	return xa_pgtable_unmap(&to_mock_domain(domain)->pt, iova,
				pgsize * pgcount);
}

static int mock_paging_iova_to_phys(struct miommu_domain *domain,
				    unsigned long iova, phys_addr_t *phys,
				    int *prot)
{
	return xa_pgtable_lookup(&to_mock_domain(domain)->pt, iova, phys,
				 prot);
}

static void mock_paging_fill_info(struct miommu_domain *domain,
				  struct iommu_mock_object_info *info)
{
	info->out_invalidations = to_mock_domain(domain)->pt.nr_mapped;
}

static void mock_paging_free(struct miommu_domain *domain)
{
	struct mock_domain *md = to_mock_domain(domain);

	xa_pgtable_destroy(&md->pt);
	kfree(md);
}

static const struct miommu_domain_ops mock_paging_ops = {
	.attach_dev = mock_attach_dev,
	.map_pages = mock_map_pages,
	.unmap_pages = mock_unmap_pages,
	.iova_to_phys = mock_paging_iova_to_phys,
	.fill_info = mock_paging_fill_info,
	.free = mock_paging_free,
};

/* Stage 1 is the identity within its input width, then stage 2. */
static int mock_nested_iova_to_phys(struct miommu_domain *domain,
				    unsigned long iova, phys_addr_t *phys,
				    int *prot)
{
	struct mock_domain *md = to_mock_domain(domain);

	if (iova > domain->aperture_last)
		return -ENOENT;
	return mock_paging_iova_to_phys(&md->parent->core, iova, phys, prot);
}

/* Copies and checks entry @index of @array (entry_len checked by caller). */
static int mock_inv_entry_get(struct iommu_mock_invalidate *inv,
			      const struct miommu_user_data_array *array,
			      unsigned int index)
{
	u64 end;
	int rc;

	rc = miommu_copy_array_entry(inv, sizeof(*inv), array, index);
	if (rc)
		return rc;
	if (inv->flags || inv->__reserved)
		return -EOPNOTSUPP;
	switch (inv->op) {
	case IOMMU_MOCK_INV_IOTLB_ALL:
	case IOMMU_MOCK_INV_DEV_CACHE:
		return 0;
	case IOMMU_MOCK_INV_IOTLB_RANGE:
		if (!inv->length || !IS_ALIGNED(inv->iova, SZ_4K) ||
		    !IS_ALIGNED(inv->length, SZ_4K) ||
		    check_add_overflow(inv->iova, inv->length - 1, &end))
			return -EINVAL;
		return 0;
	default:
		return -EINVAL;
	}
}

struct mock_inv_ctx {
	struct miommu_user_data_array *array;
	int (*one)(void *priv, const struct iommu_mock_invalidate *inv);
	void *priv;
};

static int mock_inv_one(void *priv, unsigned int index)
{
	struct mock_inv_ctx *ctx = priv;
	struct iommu_mock_invalidate inv;
	int rc;

	rc = mock_inv_entry_get(&inv, ctx->array, index);
	return rc ?: ctx->one(ctx->priv, &inv);
}

/**
 * mock_inv_run() - run an array of IOMMU_HWPT_INVALIDATE_DATA_MOCK entries
 * @array: the user array; entry_num is set to the entries handled
 * @one: handles one checked entry, returns 0 or an errno
 * @priv: passed to @one
 *
 * miommu_array_run() with the mock's entry checks.
 * Return: 0; -EINVAL wrong type, short entries, unknown op, bad range;
 * -EOPNOTSUPP flags or reserved bits; -E2BIG, -EFAULT from the copy;
 * -EINTR fatal signal; or the errno of @one.
 */
int mock_inv_run(struct miommu_user_data_array *array,
		 int (*one)(void *priv, const struct iommu_mock_invalidate *inv),
		 void *priv)
{
	struct mock_inv_ctx ctx = { .array = array, .one = one, .priv = priv };

	return miommu_array_run(array, IOMMU_HWPT_INVALIDATE_DATA_MOCK,
				sizeof(struct iommu_mock_invalidate),
				mock_inv_one, &ctx);
}

/* A nested HWPT has one ASID and no device cache of its own. */
static int mock_nested_invalidate_one(void *priv,
				      const struct iommu_mock_invalidate *inv)
{
	struct mock_domain *md = priv;

	if (inv->op == IOMMU_MOCK_INV_DEV_CACHE || inv->id != md->s1.asid)
		return -EINVAL;
	md->iotlb_invalidations++;
	return 0;
}

static int mock_nested_invalidate(struct miommu_domain *domain,
				  struct miommu_user_data_array *array)
{
	return mock_inv_run(array, mock_nested_invalidate_one,
			    to_mock_domain(domain));
}

static void mock_nested_fill_info(struct miommu_domain *domain,
				  struct iommu_mock_object_info *info)
{
	struct mock_domain *md = to_mock_domain(domain);

	info->out_asid = md->s1.asid;
	info->out_ttbr = md->s1.ttbr;
	info->out_invalidations = md->iotlb_invalidations;
	if (md->s1.flags & IOMMU_MOCK_S1_BYPASS)
		info->out_flags |= IOMMU_MOCK_OBJ_F_S1_BYPASS;
}

static void mock_nested_free(struct miommu_domain *domain)
{
	struct mock_domain *md = to_mock_domain(domain);

	list_del(&md->viommu_item);
	kfree(md);
}

static const struct miommu_domain_ops mock_nested_ops = {
	.attach_dev = mock_attach_dev,
	.iova_to_phys = mock_nested_iova_to_phys,
	.cache_invalidate_user = mock_nested_invalidate,
	.fill_info = mock_nested_fill_info,
	.free = mock_nested_free,
};
