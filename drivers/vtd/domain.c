// SPDX-License-Identifier: GPL-2.0
/*
 * VT-d domains: paging domains (second stage when allocated as a nest
 * parent), kept in an xarray page table, and nested domains holding the
 * guest's first-stage description (IOMMU_HWPT_DATA_VTD_S1) with upstream's
 * rules: nothing in it is checked at allocation, the address width and the
 * SRE / EAFE flags at attach (upstream's intel_pasid_setup_nested()), and
 * invalidations as upstream's intel_nested_cache_invalidate_user().
 */
#include <linux/sizes.h>
#include <linux/slab.h>

#include "vtd.h"
#include "vtd_trace.h"

static const struct miommu_domain_ops vtd_paging_ops;
static const struct miommu_domain_ops vtd_nested_ops;

/**
 * vtd_s2_lookup() - translate an IPA through a second-stage domain
 * @s2: the nest parent
 * @ipa: input address
 * @phys: out: physical address of the byte at @ipa
 * @prot: out: MIOMMU_READ / MIOMMU_WRITE of its page
 *
 * Return: 0 or -ENOENT (a second-stage miss).
 */
int vtd_s2_lookup(struct vtd_domain *s2, u64 ipa, phys_addr_t *phys,
		  int *prot)
{
	if (ipa > s2->core.aperture_last)
		return -ENOENT;
	return xa_pgtable_lookup(&s2->pt, ipa, phys, prot);
}

/**
 * vtd_domain_compatible() - may @dev use the page tables of @domain
 * @dev: a device of a VT-d instance
 * @domain: any domain
 *
 * Every VT-d instance has the same second stage (48-bit, 4 KiB / 2 MiB /
 * 1 GiB), so their domains are shared as upstream's
 * paging_domain_compatible() allows; no other format is (seed 004: mixed
 * formats at attach are EINVAL).
 * Return: true if compatible.
 */
bool vtd_domain_compatible(struct miommu_device *dev,
			   struct miommu_domain *domain)
{
	return vtd_owns(dev) && (domain->ops == &vtd_paging_ops ||
				 domain->ops == &vtd_nested_ops);
}

/**
 * vtd_domain_alloc_paging() - the domain_alloc_paging op
 * @dev: device of the instance
 * @flags: 0 or IOMMU_HWPT_ALLOC_NEST_PARENT
 *
 * Return: the domain or ERR_PTR: -EOPNOTSUPP other flags (dirty tracking
 * is not modelled), -ENOMEM.
 */
struct miommu_domain *vtd_domain_alloc_paging(struct miommu_device *dev,
					      u32 flags)
{
	struct vtd_domain *s2;

	if (flags & ~IOMMU_HWPT_ALLOC_NEST_PARENT)
		return ERR_PTR(-EOPNOTSUPP);
	s2 = kzalloc(sizeof(*s2), GFP_KERNEL_ACCOUNT);
	if (!s2)
		return ERR_PTR(-ENOMEM);
	s2->core.ops = &vtd_paging_ops;
	s2->core.inst = dev->inst;
	s2->core.aperture_start = 0;
	s2->core.aperture_last = BIT_ULL(VTD_IAS_BITS) - 1;
	s2->core.pgsize_bitmap = SZ_4K | SZ_2M | SZ_1G;
	s2->flags = flags;
	s2->iommu = to_vtd(dev->inst);
	xa_pgtable_init(&s2->pt);
	spin_lock_init(&s2->lock);
	INIT_LIST_HEAD(&s2->nested);
	return &s2->core;
}

static int vtd_paging_attach_dev(struct miommu_domain *domain,
				 struct miommu_device *dev)
{
	return vtd_domain_compatible(dev, domain) ? 0 : -EINVAL;
}

static int vtd_map_pages(struct miommu_domain *domain, unsigned long iova,
			 phys_addr_t paddr, size_t pgsize, size_t pgcount,
			 int prot, size_t *mapped)
{
	return xa_pgtable_map(&to_vtd_s2(domain)->pt, domain, iova, paddr,
			      pgsize * pgcount, prot, mapped);
}

/*
 * A second-stage change of a nest parent flushes the IOTLB entries of
 * the nested domains over it (upstream's NESTING_IOTLB cache tags), before
 * the pages are unpinned.
 */
static size_t vtd_unmap_pages(struct miommu_domain *domain,
			      unsigned long iova, size_t pgsize, size_t pgcount)
{
	struct vtd_domain *s2 = to_vtd_s2(domain);
	struct vtd_nested *nd;
	size_t done;

	done = xa_pgtable_unmap(&s2->pt, iova, pgsize * pgcount);
	spin_lock(&s2->lock);
	list_for_each_entry(nd, &s2->nested, s2_item)
		miommu_iotlb_flush_tag(&s2->iommu->tlb, nd, true);
	spin_unlock(&s2->lock);
	return done;
}

static int vtd_paging_iova_to_phys(struct miommu_domain *domain,
				   unsigned long iova, phys_addr_t *phys,
				   int *prot)
{
	return xa_pgtable_lookup(&to_vtd_s2(domain)->pt, iova, phys, prot);
}

static void vtd_paging_fill_info(struct miommu_domain *domain,
				 struct iommu_mock_object_info *info)
{
	info->out_invalidations = to_vtd_s2(domain)->pt.nr_mapped;
}

static void vtd_paging_free(struct miommu_domain *domain)
{
	struct vtd_domain *s2 = to_vtd_s2(domain);

	WARN_ON(!list_empty(&s2->nested));
	xa_pgtable_destroy(&s2->pt);
	kfree(s2);
}

/* PASIDs of a paging domain: the core checks IOMMU_HWPT_ALLOC_PASID */
static int vtd_paging_set_dev_pasid(struct miommu_domain *domain,
				    struct miommu_device *dev, u32 pasid,
				    struct miommu_domain *old)
{
	return vtd_paging_attach_dev(domain, dev);
}

static const struct miommu_domain_ops vtd_paging_ops = {
	.attach_dev = vtd_paging_attach_dev,
	.set_dev_pasid = vtd_paging_set_dev_pasid,
	.map_pages = vtd_map_pages,
	.unmap_pages = vtd_unmap_pages,
	.iova_to_phys = vtd_paging_iova_to_phys,
	.fill_info = vtd_paging_fill_info,
	.free = vtd_paging_free,
};

/**
 * vtd_domain_alloc_nested() - a nested domain from IOMMU_HWPT_DATA_VTD_S1
 * @dev: device the HWPT is allocated for
 * @parent: the nest parent (a HWPT, or a DEFAULT vIOMMU's)
 * @flags: 0 or IOMMU_HWPT_ALLOC_PASID
 * @data: struct iommu_hwpt_vtd_s1
 *
 * Upstream's intel_iommu_domain_alloc_nested(): the data is stored as
 * given; its fields are checked when a device or PASID attaches.
 * Return: the domain or ERR_PTR: -EOPNOTSUPP other flags or data type;
 * -EINVAL a parent that is not a VT-d nest parent, data not exactly the
 * struct's size; -EFAULT; -ENOSPC no domain ID left; -ENOMEM.
 */
struct miommu_domain *vtd_domain_alloc_nested(struct miommu_device *dev,
					      struct miommu_domain *parent,
					      u32 flags,
					      const struct miommu_user_data *data)
{
	struct vtd_instance *iommu = to_vtd(dev->inst);
	struct iommu_hwpt_vtd_s1 s1;
	struct vtd_domain *s2;
	struct vtd_nested *nd;
	int rc, did;

	if ((flags & ~IOMMU_HWPT_ALLOC_PASID) ||
	    data->type != IOMMU_HWPT_DATA_VTD_S1)
		return ERR_PTR(-EOPNOTSUPP);
	if (parent->ops != &vtd_paging_ops ||
	    !(to_vtd_s2(parent)->flags & IOMMU_HWPT_ALLOC_NEST_PARENT))
		return ERR_PTR(-EINVAL);
	s2 = to_vtd_s2(parent);
	/* Upstream takes exactly the struct: shorter or longer is EINVAL */
	if (data->len != sizeof(s1))
		return ERR_PTR(-EINVAL);
	rc = miommu_copy_user_data(&s1, sizeof(s1), sizeof(s1), data,
				   IOMMU_HWPT_DATA_VTD_S1);
	if (rc)
		return ERR_PTR(rc);

	nd = kzalloc(sizeof(*nd), GFP_KERNEL_ACCOUNT);
	if (!nd)
		return ERR_PTR(-ENOMEM);
	did = ida_alloc_range(&iommu->dids, 1, U16_MAX, GFP_KERNEL);
	if (did < 0) {
		kfree(nd);
		return ERR_PTR(did);
	}
	nd->core.ops = &vtd_nested_ops;
	nd->core.inst = dev->inst;
	nd->core.aperture_start = 0;
	nd->core.aperture_last = U64_MAX;
	nd->s2 = s2;
	nd->s1 = s1;
	nd->did = did;
	nd->cfg.pgtbl_addr = s1.pgtbl_addr & ~(u64)(SZ_4K - 1);
	nd->cfg.levels = s1.addr_width == 57 ? 5 : 4;
	nd->cfg.sre = s1.flags & IOMMU_VTD_S1_SRE;
	nd->cfg.eafe = s1.flags & IOMMU_VTD_S1_EAFE;
	nd->cfg.wpe = nd->cfg.sre && (s1.flags & IOMMU_VTD_S1_WPE);
	spin_lock(&s2->lock);
	list_add_tail(&nd->s2_item, &s2->nested);
	spin_unlock(&s2->lock);
	trace_vtd_hwpt_alloc(did, s1.pgtbl_addr, s1.addr_width, s1.flags);
	return &nd->core;
}

/*
 * Upstream's intel_pasid_setup_nested(): the first stage must be 4-level
 * (48-bit) or, with FS5LP, 5-level (57-bit); SRE needs SRS, EAFE needs
 * EAFS. Other flag bits and __reserved are not looked at.
 */
static int vtd_nested_check(struct vtd_nested *nd, struct miommu_device *dev)
{
	u64 cap, ecap;

	/* A device of another driver: its instance is no struct vtd_instance */
	if (!vtd_domain_compatible(dev, &nd->s2->core))
		return -EINVAL;
	cap = to_vtd(dev->inst)->info.cap_reg;
	ecap = to_vtd(dev->inst)->info.ecap_reg;
	if (nd->s1.addr_width != 48 && nd->s1.addr_width != 57)
		return -EINVAL;
	if (nd->s1.addr_width == 57 && !(cap & VTD_CAP_FS5LP))
		return -EINVAL;
	if ((nd->s1.flags & IOMMU_VTD_S1_SRE) && !(ecap & VTD_ECAP_SRS))
		return -EINVAL;
	if ((nd->s1.flags & IOMMU_VTD_S1_EAFE) && !(ecap & VTD_ECAP_EAFS))
		return -EINVAL;
	return 0;
}

static int vtd_nested_attach_dev(struct miommu_domain *domain,
				 struct miommu_device *dev)
{
	return vtd_nested_check(to_vtd_nested(domain), dev);
}

static int vtd_nested_set_dev_pasid(struct miommu_domain *domain,
				    struct miommu_device *dev, u32 pasid,
				    struct miommu_domain *old)
{
	return vtd_nested_check(to_vtd_nested(domain), dev);
}

struct vtd_inv_ctx {
	struct vtd_nested *nd;
	struct miommu_user_data_array *array;
};

/*
 * One IOMMU_HWPT_INVALIDATE_DATA_VTD_S1 entry: a PASID-based IOTLB
 * invalidation of every PASID the domain serves. npages = U64_MAX with
 * addr 0 (and npages = 0, whose range upstream computes as everything) is
 * the whole domain; otherwise the entries overlapping [addr, addr + npages
 * pages). Upstream rounds the range up to an aligned power of two; this
 * invalidates exactly what was named, so a guest that relies on the
 * rounding still meets its bug here.
 */
static int vtd_inv_one(void *priv, unsigned int index)
{
	struct vtd_inv_ctx *ctx = priv;
	struct vtd_nested *nd = ctx->nd;
	struct iommu_hwpt_vtd_s1_invalidate inv;
	u64 last;
	int rc;

	rc = miommu_copy_array_entry(&inv, sizeof(inv), ctx->array, index);
	if (rc)
		return rc;
	if ((inv.flags & ~IOMMU_VTD_INV_FLAGS_LEAF) || inv.__reserved)
		rc = -EOPNOTSUPP;
	else if (!IS_ALIGNED(inv.addr, SZ_4K) ||
		 (inv.npages == U64_MAX && inv.addr))
		rc = -EINVAL;
	trace_vtd_inv(nd->did, inv.addr, inv.npages, inv.flags, rc);
	if (rc)
		return rc;
	if (inv.npages == U64_MAX || !inv.npages ||
	    inv.npages > (U64_MAX >> 12) ||
	    check_add_overflow(inv.addr, (inv.npages << 12) - 1, &last))
		miommu_iotlb_inv(&nd->s2->iommu->tlb, nd, false, 0, false, 0,
				 0);
	else
		miommu_iotlb_inv(&nd->s2->iommu->tlb, nd, false, 0, true,
				 inv.addr, last);
	return 0;
}

static int vtd_nested_invalidate(struct miommu_domain *domain,
				 struct miommu_user_data_array *array)
{
	struct vtd_inv_ctx ctx = { .nd = to_vtd_nested(domain), .array = array };

	return miommu_array_run(array, IOMMU_HWPT_INVALIDATE_DATA_VTD_S1,
				sizeof(struct iommu_hwpt_vtd_s1_invalidate),
				vtd_inv_one, &ctx);
}

static void vtd_nested_fill_info(struct miommu_domain *domain,
				 struct iommu_mock_object_info *info)
{
	struct vtd_nested *nd = to_vtd_nested(domain);
	struct miommu_iotlb *tlb = &nd->s2->iommu->tlb;

	info->out_asid = nd->did;
	info->out_ttbr = nd->cfg.pgtbl_addr;
	spin_lock(&tlb->lock);
	info->out_tlb_hits = nd->stats.hits;
	info->out_tlb_misses = nd->stats.misses;
	info->out_tlb_invalidated = nd->stats.invalidated;
	info->out_evictions = nd->stats.evictions;
	spin_unlock(&tlb->lock);
}

static void vtd_nested_free(struct miommu_domain *domain)
{
	struct vtd_nested *nd = to_vtd_nested(domain);
	struct vtd_instance *iommu = nd->s2->iommu;

	spin_lock(&nd->s2->lock);
	list_del(&nd->s2_item);
	spin_unlock(&nd->s2->lock);
	miommu_iotlb_flush_tag(&iommu->tlb, nd, false);
	ida_free(&iommu->dids, nd->did);
	kfree(nd);
}

/* Without DMA state, what a device reaches: nothing is known without a walk */
static int vtd_nested_iova_to_phys(struct miommu_domain *domain,
				   unsigned long iova, phys_addr_t *phys,
				   int *prot)
{
	return -ENOENT;
}

static const struct miommu_domain_ops vtd_nested_ops = {
	.attach_dev = vtd_nested_attach_dev,
	.set_dev_pasid = vtd_nested_set_dev_pasid,
	.iova_to_phys = vtd_nested_iova_to_phys,
	.dma_translate = vtd_nested_dma_translate,
	.cache_invalidate_user = vtd_nested_invalidate,
	.fill_info = vtd_nested_fill_info,
	.free = vtd_nested_free,
};
