/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VT-d driver: an instance that speaks upstream's Intel VT-d nesting
 * uAPI (IOMMU_HW_INFO_TYPE_INTEL_VTD, IOMMU_HWPT_DATA_VTD_S1 nested HWPTs
 * on a nest-parent HWPT, IOMMU_HWPT_INVALIDATE_DATA_VTD_S1) and really
 * translates: a device's DMA walks the guest's first-stage table (x86-64
 * 4- or 5-level paging at pgtbl_addr), every entry read by IPA through
 * the nest parent, into an IOTLB that stays stale until the guest's
 * PASID-based IOTLB invalidation is forwarded.
 *
 * Files: instance.c (instances, cap/ecap), domain.c (stage-2 and nested
 * domains, upstream's rules, invalidation), walk.c (the first-stage walk),
 * translate.c (a device's DMA). Register and entry layouts are the VT-d
 * specification's; which fields the uAPI checks and where follow
 * upstream's drivers/iommu/intel/nested.c and pasid.c.
 */
#ifndef VTD_H
#define VTD_H

#include <linux/bitfield.h>
#include <linux/idr.h>
#include <linux/list.h>
#include <linux/spinlock.h>

#include "../mock/mock.h"
#include "iotlb.h"
#include "miommu.h"
#include "xa_pgtable.h"

/* Capability register (VT-d 11.4.2) */
#define VTD_CAP_ND		GENMASK_ULL(2, 0)
#define VTD_CAP_SAGAW		GENMASK_ULL(12, 8)
#define VTD_CAP_MGAW		GENMASK_ULL(21, 16)
#define VTD_CAP_FRO		GENMASK_ULL(33, 24)
#define VTD_CAP_SLLPS		GENMASK_ULL(37, 34)
#define VTD_CAP_PSI		BIT_ULL(39)
#define VTD_CAP_NFR		GENMASK_ULL(47, 40)
#define VTD_CAP_MAMV		GENMASK_ULL(53, 48)
#define VTD_CAP_DWD		BIT_ULL(54)
#define VTD_CAP_DRD		BIT_ULL(55)
#define VTD_CAP_FS1GP		BIT_ULL(56)
#define VTD_CAP_FS5LP		BIT_ULL(60)

/* Extended capability register (VT-d 11.4.3) */
#define VTD_ECAP_C		BIT_ULL(0)
#define VTD_ECAP_QI		BIT_ULL(1)
#define VTD_ECAP_DT		BIT_ULL(2)
#define VTD_ECAP_IR		BIT_ULL(3)
#define VTD_ECAP_EIM		BIT_ULL(4)
#define VTD_ECAP_PT		BIT_ULL(6)
#define VTD_ECAP_SC		BIT_ULL(7)
#define VTD_ECAP_IRO		GENMASK_ULL(17, 8)
#define VTD_ECAP_NEST		BIT_ULL(26)
#define VTD_ECAP_PRS		BIT_ULL(29)
#define VTD_ECAP_ERS		BIT_ULL(30)
#define VTD_ECAP_SRS		BIT_ULL(31)
#define VTD_ECAP_EAFS		BIT_ULL(34)
#define VTD_ECAP_PSS		GENMASK_ULL(39, 35)
#define VTD_ECAP_PASID		BIT_ULL(40)
#define VTD_ECAP_SMTS		BIT_ULL(43)
#define VTD_ECAP_SLTS		BIT_ULL(46)
#define VTD_ECAP_FLTS		BIT_ULL(47)
#define VTD_ECAP_SMPWC		BIT_ULL(48)

/* First-stage paging entries: x86-64 4- and 5-level (VT-d 9.7) */
#define VTD_FS_P		BIT_ULL(0)
#define VTD_FS_RW		BIT_ULL(1)
#define VTD_FS_US		BIT_ULL(2)
#define VTD_FS_A		BIT_ULL(5)
#define VTD_FS_D		BIT_ULL(6)
#define VTD_FS_PS		BIT_ULL(7)
#define VTD_FS_ADDR		GENMASK_ULL(51, 12)
#define VTD_FS_XD		BIT_ULL(63)

/* Fault reasons of first-stage translation (VT-d 7.1.3, Table 26-ish) */
#define VTD_FR_FS_ENTRY_ACCESS	0x70	/* reading an entry failed (stage 2) */
#define VTD_FR_FS_NOT_PRESENT	0x71	/* P = 0 */
#define VTD_FR_FS_RESERVED	0x72	/* reserved bit set */
#define VTD_FR_FS_BEYOND_MGAW	0x74	/* an address beyond the IPA width */
#define VTD_FR_NOT_CANONICAL	0x80	/* input address not canonical */
#define VTD_FR_US		0x81	/* U/S = 0 for a user request */
#define VTD_FR_NO_WRITE		0x85	/* write to a read-only page */
#define VTD_FR_NO_READ		0x86	/* read without read permission */
#define VTD_FR_S2_ACCESS	0x78	/* second stage: no mapping */
#define VTD_FR_S2_PERM		0x79	/* second stage: no permission */
#define VTD_FR_AD_UPDATE	0x90	/* A or D would have to be set (EAFE) */

/* The instance's fixed properties */
#define VTD_IAS_BITS		48	/* stage-2 input (IPA) width, MGAW + 1 */
#define VTD_PASID_BITS		20

/**
 * struct vtd_s1_cfg - the guest's first stage, as IOMMU_HWPT_DATA_VTD_S1
 *                     gave it and the attach checked it
 * @pgtbl_addr: IPA of the top table (low 12 bits dropped, as upstream)
 * @levels: 4 (addr_width 48) or 5 (57)
 * @sre: supervisor requests allowed (IOMMU_VTD_S1_SRE)
 * @eafe: extended accessed flag enabled (IOMMU_VTD_S1_EAFE)
 * @wpe: write protect for supervisor requests (IOMMU_VTD_S1_WPE, with SRE)
 */
struct vtd_s1_cfg {
	u64 pgtbl_addr;
	u8 levels;
	bool sre;
	bool eafe;
	bool wpe;
};

/**
 * struct vtd_request - one access of a device's DMA
 * @write: a write (else a read)
 * @priv: a supervisor request (PASID with privilege); device DMA without
 *        PASID is a user request
 */
struct vtd_request {
	bool write;
	bool priv;
};

/**
 * struct vtd_instance - one VT-d remapping unit
 * @base: the instance on the mockiommu bus (devices, stream IDs, reserved
 *        regions, the IOMMU_MOCK_INSTANCE_INFO summary)
 * @info: what IOMMU_GET_HW_INFO reports: flags, CAP_REG, ECAP_REG
 * @dids: domain IDs of the live nested domains (1 to 65535)
 * @tlb: the PASID-tagged IOTLB (tag: the nested domain, i.e. its DID)
 */
struct vtd_instance {
	struct mock_instance base;
	struct iommu_hw_info_vtd info;
	struct ida dids;
	struct miommu_iotlb tlb;
};

/**
 * struct vtd_domain - a paging domain (second stage when a nest parent)
 * @core: what the iommufd core sees
 * @flags: enum iommufd_hwpt_alloc_flags it was allocated with
 * @pt: the page table, IPA -> page
 * @iommu: its instance
 * @lock: guards @nested
 * @nested: struct vtd_nested.s2_item of the nested domains over it
 */
struct vtd_domain {
	struct miommu_domain core;
	u32 flags;
	struct xa_pgtable pt;
	struct vtd_instance *iommu;
	spinlock_t lock;	/* guards nested */
	struct list_head nested;
};

/**
 * struct vtd_nested - a nested domain: the guest's first-stage table
 * @core: what the iommufd core sees
 * @s2: the nest parent
 * @s1: IOMMU_HWPT_DATA_VTD_S1 as given (checked at attach, as upstream)
 * @cfg: @s1 decoded for the walker
 * @did: its domain ID, which tags its IOTLB entries
 * @stats: counters of its IOTLB entries (under the IOTLB's lock)
 * @s2_item: entry in @s2's list
 */
struct vtd_nested {
	struct miommu_domain core;
	struct vtd_domain *s2;
	struct iommu_hwpt_vtd_s1 s1;
	struct vtd_s1_cfg cfg;
	u16 did;
	struct miommu_iotlb_stats stats;
	struct list_head s2_item;
};

static inline struct vtd_instance *to_vtd(struct miommu_instance *inst)
{
	return container_of(inst, struct vtd_instance, base.core);
}

static inline struct vtd_domain *to_vtd_s2(struct miommu_domain *domain)
{
	return container_of(domain, struct vtd_domain, core);
}

static inline struct vtd_nested *to_vtd_nested(struct miommu_domain *domain)
{
	return container_of(domain, struct vtd_nested, core);
}

/* instance.c */
bool vtd_owns(struct miommu_device *dev);

/* domain.c */
int vtd_s2_lookup(struct vtd_domain *s2, u64 ipa, phys_addr_t *phys,
		  int *prot);
struct miommu_domain *vtd_domain_alloc_paging(struct miommu_device *dev,
					      u32 flags);
struct miommu_domain *vtd_domain_alloc_nested(struct miommu_device *dev,
					      struct miommu_domain *parent,
					      u32 flags,
					      const struct miommu_user_data *data);
bool vtd_domain_compatible(struct miommu_device *dev,
			   struct miommu_domain *domain);

/* translate.c */
int vtd_nested_dma_translate(struct miommu_domain *domain,
			     struct miommu_device *dev, u32 pasid, u64 iova,
			     bool write, phys_addr_t *phys,
			     struct miommu_fault *fault);

/* walk.c */
int vtd_read_ipa(struct vtd_domain *s2, u64 ipa, u64 *val,
		 struct miommu_fault *fault);
int vtd_fs_walk(struct vtd_domain *s2, const struct vtd_s1_cfg *cfg, u64 va,
		const struct vtd_request *req, struct miommu_iotlb_entry *ent,
		unsigned int *levels, struct miommu_fault *fault);

#endif
