/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The SMMUv3 driver: an instance that speaks upstream's ARM SMMUv3 uAPI
 * and, unlike the own mock, really translates: a device's DMA goes through
 * the guest's stream table entry (the nested HWPT), its context descriptor
 * table and VMSAv8-64 stage-1 tables in guest memory, each descriptor read
 * by IPA through stage 2 (the nest parent), into an IOTLB and a CD cache
 * that stay stale until the guest's commands invalidate them.
 *
 * Files: instance.c (instances, devices, hardware info), domain.c (stage-2
 * and nested domains, the STE rules), viommu.c (vIOMMU, commands), walk.c
 * (CD fetch and stage-1 walk), cache.c (CD cache; the IOTLB is drivers/lib/iotlb.c),
 * translate.c (a device's DMA, event records). Field layouts are the SMMUv3
 * specification's (ARM IHI 0070); which fields a guest may set and which
 * commands and events cross the uAPI follow upstream's
 * arm-smmu-v3-iommufd.c.
 */
#ifndef SMMUV3_H
#define SMMUV3_H

#include <linux/bitfield.h>
#include <linux/hashtable.h>
#include <linux/idr.h>
#include <linux/list.h>
#include <linux/spinlock.h>

#include "../mock/mock.h"
#include "iotlb.h"
#include "miommu.h"
#include "xa_pgtable.h"

/* ID registers (SMMUv3 6.3.1 - 6.3.6) */
#define SMMU_IDR0_S2P		BIT(0)
#define SMMU_IDR0_S1P		BIT(1)
#define SMMU_IDR0_TTF		GENMASK(3, 2)
#define SMMU_IDR0_TTF_AARCH64	2
#define SMMU_IDR0_COHACC	BIT(4)
#define SMMU_IDR0_BTM		BIT(5)
#define SMMU_IDR0_HTTU		GENMASK(7, 6)
#define SMMU_IDR0_ATS		BIT(10)
#define SMMU_IDR0_ASID16	BIT(12)
#define SMMU_IDR0_MSI		BIT(13)
#define SMMU_IDR0_PRI		BIT(16)
#define SMMU_IDR0_VMID16	BIT(18)
#define SMMU_IDR0_CD2L		BIT(19)
#define SMMU_IDR0_TTENDIAN	GENMASK(22, 21)
#define SMMU_IDR0_TTENDIAN_LE	2
#define SMMU_IDR0_STALL_MODEL	GENMASK(25, 24)
#define SMMU_IDR0_STALL_NONE	1	/* stall not supported */
#define SMMU_IDR0_TERM_MODEL	BIT(26)
#define SMMU_IDR0_ST_LVL	GENMASK(28, 27)
#define SMMU_IDR0_ST_LVL_2LVL	1

#define SMMU_IDR1_SIDSIZE	GENMASK(5, 0)
#define SMMU_IDR1_SSIDSIZE	GENMASK(10, 6)
#define SMMU_IDR1_PRIQS		GENMASK(15, 11)
#define SMMU_IDR1_EVTQS		GENMASK(20, 16)
#define SMMU_IDR1_CMDQS		GENMASK(25, 21)

#define SMMU_IDR3_RIL		BIT(10)
#define SMMU_IDR3_BBML		GENMASK(12, 11)

#define SMMU_IDR5_OAS		GENMASK(2, 0)
#define SMMU_IDR5_OAS_48	5
#define SMMU_IDR5_GRAN4K	BIT(4)
#define SMMU_IDR5_GRAN16K	BIT(5)
#define SMMU_IDR5_GRAN64K	BIT(6)
#define SMMU_IDR5_VAX		GENMASK(11, 10)

#define SMMU_AIDR_V3_2		0x2	/* ArchMajorRev 0, ArchMinorRev 2 */

/* Stream table entry, words 0 and 1 (5.2) */
#define STE0_V			BIT_ULL(0)
#define STE0_CFG		GENMASK_ULL(3, 1)
#define STE0_CFG_ABORT		0
#define STE0_CFG_BYPASS		4
#define STE0_CFG_S1_TRANS	5
#define STE0_S1FMT		GENMASK_ULL(5, 4)
#define STE0_S1FMT_LINEAR	0
#define STE0_S1FMT_4K_L2	1
#define STE0_S1FMT_64K_L2	2
#define STE0_S1CTXPTR		GENMASK_ULL(51, 6)
#define STE0_S1CDMAX		GENMASK_ULL(63, 59)
#define STE0_NESTING_ALLOWED	(STE0_V | STE0_CFG | STE0_S1FMT | \
				 STE0_S1CTXPTR | STE0_S1CDMAX)

#define STE1_S1DSS		GENMASK_ULL(1, 0)
#define STE1_S1DSS_TERMINATE	0
#define STE1_S1DSS_BYPASS	1
#define STE1_S1DSS_SSID0	2
#define STE1_S1CIR		GENMASK_ULL(3, 2)
#define STE1_S1COR		GENMASK_ULL(5, 4)
#define STE1_S1CSH		GENMASK_ULL(7, 6)
#define STE1_S1STALLD		BIT_ULL(27)
#define STE1_EATS		GENMASK_ULL(29, 28)
#define STE1_EATS_ABT		0
#define STE1_EATS_TRANS		1
#define STE1_NESTING_ALLOWED	(STE1_S1DSS | STE1_S1CIR | STE1_S1COR | \
				 STE1_S1CSH | STE1_S1STALLD | STE1_EATS)

/* Context descriptor, 64 bytes (5.4) */
#define CD_BYTES		64
#define CD0_T0SZ		GENMASK_ULL(5, 0)
#define CD0_TG0			GENMASK_ULL(7, 6)	/* 0 4K, 1 64K, 2 16K */
#define CD0_EPD0		BIT_ULL(14)
#define CD0_ENDI		BIT_ULL(15)
#define CD0_T1SZ		GENMASK_ULL(21, 16)
#define CD0_TG1			GENMASK_ULL(23, 22)	/* 1 16K, 2 4K, 3 64K */
#define CD0_EPD1		BIT_ULL(30)
#define CD0_V			BIT_ULL(31)
#define CD0_IPS			GENMASK_ULL(34, 32)
#define CD0_AFFD		BIT_ULL(35)
#define CD0_TBI			GENMASK_ULL(39, 38)
#define CD0_AA64		BIT_ULL(41)
#define CD0_HD			BIT_ULL(42)
#define CD0_HA			BIT_ULL(43)
#define CD0_S			BIT_ULL(44)
#define CD0_R			BIT_ULL(45)
#define CD0_A			BIT_ULL(46)
#define CD0_ASID		GENMASK_ULL(63, 48)
#define CD1_TTB0		GENMASK_ULL(51, 4)
#define CD2_TTB1		GENMASK_ULL(51, 4)

/* Level-1 CD table descriptor (5.4.1) */
#define CD_L1_V			BIT_ULL(0)
#define CD_L1_L2PTR		GENMASK_ULL(51, 12)

/* Command queue entries (4.1 - 4.7) */
#define CMD0_OP			GENMASK_ULL(7, 0)
#define CMD0_SSV		BIT_ULL(11)
#define CMD_OP_CFGI_STE		0x03
#define CMD_OP_CFGI_ALL		0x04
#define CMD_OP_CFGI_CD		0x05
#define CMD_OP_CFGI_CD_ALL	0x06
#define CMD_OP_TLBI_NH_ALL	0x10
#define CMD_OP_TLBI_NH_ASID	0x11
#define CMD_OP_TLBI_NH_VA	0x12
#define CMD_OP_TLBI_NH_VAA	0x13
#define CMD_OP_TLBI_NSNH_ALL	0x30
#define CMD_OP_ATC_INV		0x40
#define CMD_OP_CMD_SYNC		0x46

#define CMD_TLBI0_NUM		GENMASK_ULL(16, 12)
#define CMD_TLBI0_SCALE		GENMASK_ULL(24, 20)
#define CMD_TLBI0_VMID		GENMASK_ULL(47, 32)
#define CMD_TLBI0_ASID		GENMASK_ULL(63, 48)
#define CMD_TLBI1_LEAF		BIT_ULL(0)
#define CMD_TLBI1_TTL		GENMASK_ULL(9, 8)
#define CMD_TLBI1_TG		GENMASK_ULL(11, 10)
#define CMD_TLBI1_VA		GENMASK_ULL(63, 12)

#define CMD_CFGI0_SSID		GENMASK_ULL(31, 12)
#define CMD_CFGI0_SID		GENMASK_ULL(63, 32)
#define CMD_CFGI1_LEAF		BIT_ULL(0)

#define CMD_ATC0_SSID		GENMASK_ULL(31, 12)
#define CMD_ATC0_SID		GENMASK_ULL(63, 32)
#define CMD_ATC0_GLOBAL		BIT_ULL(9)
#define CMD_ATC1_SIZE		GENMASK_ULL(5, 0)
#define CMD_ATC1_ADDR		GENMASK_ULL(63, 12)

/* Event records, 32 bytes (7.3) */
#define EVT0_ID			GENMASK_ULL(7, 0)
#define EVT0_SSV		BIT_ULL(11)
#define EVT0_SSID		GENMASK_ULL(31, 12)
#define EVT0_SID		GENMASK_ULL(63, 32)
#define EVT1_PNU		BIT_ULL(33)
#define EVT1_IND		BIT_ULL(34)
#define EVT1_RNW		BIT_ULL(35)
#define EVT1_S2			BIT_ULL(39)
#define EVT1_CLASS		GENMASK_ULL(41, 40)
#define EVT1_CLASS_CD		0
#define EVT1_CLASS_TTD		1
#define EVT1_CLASS_IN		2
#define EVT3_IPA		GENMASK_ULL(51, 12)

#define EVT_ID_C_BAD_STE		0x04
#define EVT_ID_F_STREAM_DISABLED	0x06
#define EVT_ID_C_BAD_SUBSTREAMID	0x08
#define EVT_ID_F_CD_FETCH		0x09
#define EVT_ID_C_BAD_CD			0x0a
#define EVT_ID_F_WALK_EABT		0x0b
#define EVT_ID_F_TRANSLATION		0x10
#define EVT_ID_F_ADDR_SIZE		0x11
#define EVT_ID_F_ACCESS			0x12
#define EVT_ID_F_PERMISSION		0x13

/* The instance's fixed properties */
#define SMMUV3_SID_BITS		16
#define SMMUV3_SSID_BITS	20
#define SMMUV3_OAS_BITS		48
#define SMMUV3_IAS_BITS		48	/* stage-2 input (IPA) width */

/**
 * struct smmuv3_cd - a decoded, checked context descriptor
 * @asid: ASID tagging the IOTLB entries made through it
 * @ttb: TTB0, TTB1: stage-1 table base IPAs
 * @tsz: T0SZ, T1SZ: the VA width of each half is 64 - tsz
 * @granule_shift: 12, 14 or 16 for each half (TG0, TG1)
 * @epd: walks through that half are disabled (EPD0, EPD1)
 * @ips_bits: output (IPA) width, the smaller of CD.IPS and the instance's
 * @affd: access-flag faults disabled
 * @record: faults are recorded as events (CD.R)
 */
struct smmuv3_cd {
	u16 asid;
	u64 ttb[2];
	u8 tsz[2];
	u8 granule_shift[2];
	bool epd[2];
	u8 ips_bits;
	bool affd;
	bool record;
};

/**
 * struct smmuv3_cd_cache - the CD cache of one instance
 * @lock: guards everything below and the owners' CD counters
 * @hash: struct smmuv3_cd_node by (VMID, SID, CD index)
 * @lru: the same, least recently used first
 * @count: entries
 */
struct smmuv3_cd_cache {
	spinlock_t lock;	/* see above */
	DECLARE_HASHTABLE(hash, 8);
	struct list_head lru;
	unsigned int count;
};

/**
 * struct smmuv3_instance - one SMMUv3
 * @base: the instance on the mockiommu bus (devices, stream IDs, reserved
 *        regions, and the summary IOMMU_MOCK_INSTANCE_INFO lists), whose
 *        core member is what the iommufd core sees
 * @idr: the ID registers IOMMU_GET_HW_INFO reports
 * @vmids: VMIDs of the live nest parents (1 to 65535)
 * @tlb: the IOTLB (entries tagged by nest parent, i.e. VMID, and ASID)
 * @cd: the CD cache
 */
struct smmuv3_instance {
	struct mock_instance base;
	struct iommu_hw_info_arm_smmuv3 idr;
	struct ida vmids;
	struct miommu_iotlb tlb;
	struct smmuv3_cd_cache cd;
};

/**
 * struct smmuv3_stats - counters of one VMID (IOMMU_MOCK_OBJECT_INFO)
 * @tlb: its IOTLB entries' (under the IOTLB's lock)
 * @cd_hits: CDs found in the CD cache (the rest under the CD cache's lock)
 * @cd_misses: CDs fetched from guest memory
 * @cd_invalidated: CD cache entries removed by commands or STE changes
 * @cd_evictions: CD cache entries evicted for room
 */
struct smmuv3_stats {
	struct miommu_iotlb_stats tlb;
	u64 cd_hits;
	u64 cd_misses;
	u64 cd_invalidated;
	u64 cd_evictions;
};

/**
 * struct smmuv3_domain - a paging domain (stage 2 when a nest parent)
 * @core: what the iommufd core sees
 * @flags: enum iommufd_hwpt_alloc_flags it was allocated with
 * @pt: the page table, IPA -> page
 * @smmu: its instance
 * @vmid: nest parent: its VMID, which tags the IOTLB and CD cache entries
 *        made through it; every vIOMMU over it shares it (upstream's
 *        arm_vsmmu_init() takes the parent's VMID)
 * @stats: nest parent: counters of that VMID, under the cache lock
 */
struct smmuv3_domain {
	struct miommu_domain core;
	u32 flags;
	struct xa_pgtable pt;
	struct smmuv3_instance *smmu;
	u16 vmid;
	struct smmuv3_stats stats;
};

/**
 * struct smmuv3_viommu - a vIOMMU of type IOMMU_VIOMMU_TYPE_ARM_SMMUV3
 * @core: what the iommufd core sees
 * @smmu: its instance
 * @s2: the nest parent, whose VMID the vIOMMU's commands name
 */
struct smmuv3_viommu {
	struct miommu_viommu core;
	struct smmuv3_instance *smmu;
	struct smmuv3_domain *s2;
};

/**
 * struct smmuv3_nested - a nested domain: the guest's STE
 * @core: what the iommufd core sees
 * @vsmmu: the vIOMMU it was allocated on
 * @ste: STE words 0 and 1 in CPU order, EATS cleared (all zero for V = 0)
 * @gen: distinguishes this STE from every other in the CD cache
 */
struct smmuv3_nested {
	struct miommu_domain core;
	struct smmuv3_viommu *vsmmu;
	u64 ste[2];
	u64 gen;
};

static inline struct smmuv3_instance *to_smmu(struct miommu_instance *inst)
{
	return container_of(inst, struct smmuv3_instance, base.core);
}

static inline struct smmuv3_domain *to_s2(struct miommu_domain *domain)
{
	return container_of(domain, struct smmuv3_domain, core);
}

static inline struct smmuv3_nested *to_nested(struct miommu_domain *domain)
{
	return container_of(domain, struct smmuv3_nested, core);
}

static inline struct smmuv3_viommu *to_vsmmu(struct miommu_viommu *viommu)
{
	return container_of(viommu, struct smmuv3_viommu, core);
}

struct smmuv3_domain;

/* domain.c */
int smmuv3_s2_lookup(struct smmuv3_domain *s2, u64 ipa, phys_addr_t *phys,
		     int *prot);
struct miommu_domain *smmuv3_domain_alloc_paging(struct miommu_device *dev,
						 u32 flags);
bool smmuv3_domain_compatible(struct miommu_device *dev,
			      struct miommu_domain *domain);
struct smmuv3_domain *smmuv3_to_s2(struct miommu_domain *domain);
struct miommu_domain *smmuv3_nested_alloc(struct smmuv3_viommu *vsmmu,
					  struct miommu_device *dev, u32 flags,
					  const struct miommu_user_data *data);

/* viommu.c */
struct miommu_viommu *smmuv3_viommu_alloc(struct miommu_device *dev,
					  struct miommu_domain *s2, u32 type);

/* cache.c */
void smmuv3_cd_cache_init(struct smmuv3_cd_cache *cache);
bool smmuv3_cd_lookup(struct smmuv3_domain *s2, u32 sid, u32 index, u64 gen,
		      struct smmuv3_cd *cd);
void smmuv3_cd_insert(struct smmuv3_domain *s2, u32 sid, u32 index, u64 gen,
		      const struct smmuv3_cd *cd);
void smmuv3_cd_inv(struct smmuv3_domain *s2, u32 sid, bool all, u32 index);
void smmuv3_cache_flush_vmid(struct smmuv3_domain *s2, bool count);

/* translate.c */
int smmuv3_nested_dma_translate(struct miommu_domain *domain,
				struct miommu_device *dev, u32 pasid, u64 iova,
				bool write, phys_addr_t *phys,
				struct miommu_fault *fault);

/* walk.c */
int smmuv3_read_ipa(struct smmuv3_domain *s2, u64 ipa, void *buf,
		    size_t len, struct miommu_fault *fault);
int smmuv3_cd_index(const u64 *ste, bool ssv, u32 ssid, u32 *index,
		    struct miommu_fault *fault);
int smmuv3_cd_fetch(struct smmuv3_domain *s2, const u64 *ste, bool ssv,
		    u32 ssid, __le64 *cd_raw, struct miommu_fault *fault);
int smmuv3_cd_decode(const __le64 *cd_raw, struct smmuv3_cd *cd,
		     struct miommu_fault *fault);
int smmuv3_s1_walk(struct smmuv3_domain *s2, const struct smmuv3_cd *cd,
		   u64 va, struct miommu_iotlb_entry *ent,
		   unsigned int *levels, struct miommu_fault *fault);

#endif
