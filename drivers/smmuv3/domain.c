// SPDX-License-Identifier: GPL-2.0
/*
 * SMMUv3 domains: paging domains (stage 2 when allocated as a nest
 * parent), kept in an xarray page table, and nested domains, which hold
 * the guest's stream table entry as upstream's arm-smmu-v3-iommufd.c
 * accepts it and translate through translate.c.
 */
#include <linux/atomic.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "smmuv3.h"
#include "smmuv3_trace.h"

static const struct miommu_domain_ops smmuv3_paging_ops;
static const struct miommu_domain_ops smmuv3_nested_ops;

/**
 * smmuv3_to_s2() - the SMMUv3 nest parent behind @domain
 * @domain: any domain
 *
 * Return: the paging domain, or NULL when @domain is not an SMMUv3 paging
 * domain allocated with IOMMU_HWPT_ALLOC_NEST_PARENT.
 */
struct smmuv3_domain *smmuv3_to_s2(struct miommu_domain *domain)
{
	if (domain->ops != &smmuv3_paging_ops ||
	    !(to_s2(domain)->flags & IOMMU_HWPT_ALLOC_NEST_PARENT))
		return NULL;
	return to_s2(domain);
}

/**
 * smmuv3_s2_lookup() - translate an IPA through a stage-2 domain
 * @s2: the nest parent
 * @ipa: input address
 * @phys: out: physical address of the byte at @ipa
 * @prot: out: MIOMMU_READ / MIOMMU_WRITE of its page
 *
 * Return: 0 or -ENOENT (no mapping: a stage-2 translation fault).
 */
int smmuv3_s2_lookup(struct smmuv3_domain *s2, u64 ipa, phys_addr_t *phys,
		     int *prot)
{
	if (ipa > s2->core.aperture_last)
		return -ENOENT;
	return xa_pgtable_lookup(&s2->pt, ipa, phys, prot);
}

/**
 * smmuv3_domain_compatible() - may @dev use the page tables of @domain
 * @dev: a device of an SMMUv3 instance
 * @domain: any domain
 *
 * As upstream's arm-smmu-v3, a domain serves the devices of the SMMU it
 * was allocated for (its VMID and ASIDs are that SMMU's), and no other
 * driver's devices.
 * Return: true if compatible.
 */
bool smmuv3_domain_compatible(struct miommu_device *dev,
			      struct miommu_domain *domain)
{
	return (domain->ops == &smmuv3_paging_ops ||
		domain->ops == &smmuv3_nested_ops) &&
	       domain->inst == dev->inst;
}

/**
 * smmuv3_domain_alloc_paging() - the domain_alloc_paging op
 * @dev: device of the instance
 * @flags: 0 or IOMMU_HWPT_ALLOC_NEST_PARENT
 *
 * A nest parent gets a VMID of the instance, as upstream's stage-2 domains.
 * Return: the domain or ERR_PTR: -EOPNOTSUPP other flags (dirty tracking
 * is not modelled), -ENOSPC no VMID left, -ENOMEM.
 */
struct miommu_domain *smmuv3_domain_alloc_paging(struct miommu_device *dev,
						 u32 flags)
{
	struct smmuv3_instance *smmu = to_smmu(dev->inst);
	struct smmuv3_domain *s2;
	int vmid = 0;

	if (flags & ~IOMMU_HWPT_ALLOC_NEST_PARENT)
		return ERR_PTR(-EOPNOTSUPP);
	s2 = kzalloc(sizeof(*s2), GFP_KERNEL_ACCOUNT);
	if (!s2)
		return ERR_PTR(-ENOMEM);
	/* A nest parent's VMID tags the nested stage-1 entries too */
	if (flags & IOMMU_HWPT_ALLOC_NEST_PARENT) {
		vmid = ida_alloc_range(&smmu->vmids, 1, U16_MAX, GFP_KERNEL);
		if (vmid < 0) {
			kfree(s2);
			return ERR_PTR(vmid);
		}
	}
	s2->core.ops = &smmuv3_paging_ops;
	s2->core.inst = dev->inst;
	s2->core.aperture_start = 0;
	s2->core.aperture_last = BIT_ULL(SMMUV3_IAS_BITS) - 1;
	/* Stage 2 with a 4 KiB granule: pages, 2 MiB and 1 GiB blocks */
	s2->core.pgsize_bitmap = SZ_4K | SZ_2M | SZ_1G;
	s2->flags = flags;
	s2->smmu = smmu;
	s2->vmid = vmid;
	xa_pgtable_init(&s2->pt);
	return &s2->core;
}

static int smmuv3_attach_dev(struct miommu_domain *domain,
			     struct miommu_device *dev)
{
	return smmuv3_domain_compatible(dev, domain) ? 0 : -EINVAL;
}

static int smmuv3_map_pages(struct miommu_domain *domain, unsigned long iova,
			    phys_addr_t paddr, size_t pgsize, size_t pgcount,
			    int prot, size_t *mapped)
{
	return xa_pgtable_map(&to_s2(domain)->pt, domain, iova, paddr,
			      pgsize * pgcount, prot, mapped);
}

/*
 * A stage-2 change of a nest parent: upstream's host driver follows its
 * TLBI_S2_IPA with a TLBI_NH_ALL of the VMID, so every nested stage-1
 * entry made through it goes, before the pages are unpinned.
 */
static size_t smmuv3_unmap_pages(struct miommu_domain *domain,
				 unsigned long iova, size_t pgsize,
				 size_t pgcount)
{
	struct smmuv3_domain *s2 = to_s2(domain);
	size_t done;

	done = xa_pgtable_unmap(&s2->pt, iova, pgsize * pgcount);
	if (s2->vmid)
		smmuv3_cache_flush_vmid(s2, true);
	return done;
}

static int smmuv3_paging_iova_to_phys(struct miommu_domain *domain,
				      unsigned long iova, phys_addr_t *phys,
				      int *prot)
{
	return xa_pgtable_lookup(&to_s2(domain)->pt, iova, phys, prot);
}

static void smmuv3_paging_fill_info(struct miommu_domain *domain,
				    struct iommu_mock_object_info *info)
{
	info->out_invalidations = to_s2(domain)->pt.nr_mapped;
}

static void smmuv3_paging_free(struct miommu_domain *domain)
{
	struct smmuv3_domain *s2 = to_s2(domain);

	if (s2->vmid) {
		smmuv3_cache_flush_vmid(s2, false);
		ida_free(&s2->smmu->vmids, s2->vmid);
	}
	xa_pgtable_destroy(&s2->pt);
	kfree(s2);
}

static const struct miommu_domain_ops smmuv3_paging_ops = {
	.attach_dev = smmuv3_attach_dev,
	.map_pages = smmuv3_map_pages,
	.unmap_pages = smmuv3_unmap_pages,
	.iova_to_phys = smmuv3_paging_iova_to_phys,
	.fill_info = smmuv3_paging_fill_info,
	.free = smmuv3_paging_free,
};

/*
 * Upstream's arm_smmu_validate_vste(): an STE with V = 0 is kept as all
 * zeroes (it aborts); any other must set only the fields a guest owns,
 * select abort, bypass or stage-1 translation, and EATS abort or full ATS.
 * EATS is cleared: the host decides ATS.
 */
static int smmuv3_validate_ste(u64 *ste)
{
	unsigned int cfg, eats;

	if (!(ste[0] & STE0_V)) {
		ste[0] = 0;
		ste[1] = 0;
		return 0;
	}
	if ((ste[0] & ~STE0_NESTING_ALLOWED) ||
	    (ste[1] & ~STE1_NESTING_ALLOWED))
		return -EIO;
	cfg = FIELD_GET(STE0_CFG, ste[0]);
	if (cfg != STE0_CFG_ABORT && cfg != STE0_CFG_BYPASS &&
	    cfg != STE0_CFG_S1_TRANS)
		return -EIO;
	eats = FIELD_GET(STE1_EATS, ste[1]);
	if (eats != STE1_EATS_ABT && eats != STE1_EATS_TRANS)
		return -EIO;
	ste[1] &= ~STE1_EATS;
	return 0;
}

/**
 * smmuv3_nested_alloc() - a nested domain from the guest's STE
 * @vsmmu: the vIOMMU (its nest parent is stage 2)
 * @dev: device the HWPT is allocated for
 * @flags: must be 0
 * @data: IOMMU_HWPT_DATA_ARM_SMMUV3, struct iommu_hwpt_arm_smmuv3
 *
 * Upstream's arm_vsmmu_alloc_domain_nested().
 * Return: the domain or ERR_PTR: -EOPNOTSUPP @flags; -EINVAL another data
 * type or a short struct; -E2BIG, -EFAULT from the copy; -EIO an STE field
 * a guest may not set, a Config other than abort, bypass and stage-1
 * translate, EATS other than abort and full ATS; -ENOMEM.
 */
struct miommu_domain *smmuv3_nested_alloc(struct smmuv3_viommu *vsmmu,
					  struct miommu_device *dev, u32 flags,
					  const struct miommu_user_data *data)
{
	static atomic64_t smmuv3_ste_gen = ATOMIC64_INIT(0);
	struct iommu_hwpt_arm_smmuv3 arg;
	struct smmuv3_nested *nd;
	u64 ste[2];
	int rc;

	if (flags)
		return ERR_PTR(-EOPNOTSUPP);
	/* Upstream's iommu_copy_struct_from_user(): another type is EINVAL */
	if (data->type != IOMMU_HWPT_DATA_ARM_SMMUV3)
		return ERR_PTR(-EINVAL);
	rc = miommu_copy_user_data(&arg, sizeof(arg), sizeof(arg), data,
				   IOMMU_HWPT_DATA_ARM_SMMUV3);
	if (rc)
		return ERR_PTR(rc);
	ste[0] = le64_to_cpu(arg.ste[0]);
	ste[1] = le64_to_cpu(arg.ste[1]);
	rc = smmuv3_validate_ste(ste);
	trace_smmuv3_hwpt_alloc(vsmmu->s2->vmid, dev->stream_id, ste[0], ste[1], rc);
	if (rc)
		return ERR_PTR(rc);

	nd = kzalloc(sizeof(*nd), GFP_KERNEL_ACCOUNT);
	if (!nd)
		return ERR_PTR(-ENOMEM);
	nd->core.ops = &smmuv3_nested_ops;
	nd->core.inst = dev->inst;
	nd->core.aperture_start = 0;
	nd->core.aperture_last = U64_MAX;
	nd->vsmmu = vsmmu;
	nd->ste[0] = ste[0];
	nd->ste[1] = ste[1];
	nd->gen = atomic64_inc_return(&smmuv3_ste_gen);
	return &nd->core;
}

/*
 * Upstream's arm_smmu_attach_dev_nested(): the device must be behind the
 * vIOMMU's SMMU, and a stage-1 STE needs the device's vDEVICE (the
 * vSID its events carry); abort and bypass STEs do without.
 */
static int smmuv3_nested_attach_dev(struct miommu_domain *domain,
				    struct miommu_device *dev)
{
	struct smmuv3_nested *nd = to_nested(domain);

	if (nd->vsmmu->core.inst != dev->inst)
		return -EINVAL;
	if (FIELD_GET(STE0_CFG, nd->ste[0]) == STE0_CFG_S1_TRANS &&
	    !miommu_viommu_find_vdev(&nd->vsmmu->core, dev))
		return -ENOENT;
	return 0;
}

/* Through the STE's bypass only: what a device can reach without DMA state */
static int smmuv3_nested_iova_to_phys(struct miommu_domain *domain,
				      unsigned long iova, phys_addr_t *phys,
				      int *prot)
{
	struct smmuv3_nested *nd = to_nested(domain);

	if (FIELD_GET(STE0_CFG, nd->ste[0]) != STE0_CFG_BYPASS)
		return -ENOENT;
	return smmuv3_s2_lookup(nd->vsmmu->s2, iova, phys, prot);
}

static void smmuv3_nested_fill_info(struct miommu_domain *domain,
				    struct iommu_mock_object_info *info)
{
	struct smmuv3_nested *nd = to_nested(domain);

	info->out_ttbr = nd->ste[0] & STE0_S1CTXPTR;
}

static void smmuv3_nested_free(struct miommu_domain *domain)
{
	kfree(to_nested(domain));
}

static const struct miommu_domain_ops smmuv3_nested_ops = {
	.attach_dev = smmuv3_nested_attach_dev,
	.iova_to_phys = smmuv3_nested_iova_to_phys,
	.dma_translate = smmuv3_nested_dma_translate,
	.fill_info = smmuv3_nested_fill_info,
	.free = smmuv3_nested_free,
};
