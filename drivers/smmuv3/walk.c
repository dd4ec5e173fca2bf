// SPDX-License-Identifier: GPL-2.0
/*
 * SMMUv3 context-descriptor fetch and VMSAv8-64 stage-1 table walk.
 *
 * The instance is nested: every structure the guest points the SMMU at
 * (its CD tables, its stage-1 translation tables) lives in guest memory and
 * is addressed by IPA, so every byte read here goes through stage 2 (the
 * nest parent) first, one aligned descriptor at a time. A stage-2 miss on
 * such a read is a stage-2 fault of the walk (IOMMU_MOCK_DMA_FAULT_S2 and
 * IOMMU_MOCK_DMA_FAULT_WALK); everything else found wrong is a stage-1 or
 * configuration fault whose event ID goes into miommu_fault.code.
 *
 * Nothing here allocates or sleeps: it runs under the file mutex on the
 * path of every simulated DMA that misses the caches.
 *
 * Sources: ARM IHI 0070 (SMMUv3) sections 3.4 (address sizes), 5.2 (STE),
 * 5.4 (CD and L1CD), 7.3 (event IDs); ARM DDI 0487 (VMSAv8-64 translation
 * table format and walk, chapter D8).
 */
#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/highmem.h>
#include <linux/math.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "smmuv3.h"

/* CD table layout: leaf tables of the two-level formats (IHI 0070 5.4.1) */
#define CD_L2_SPLIT_4K		6	/* 64 CDs of 64 bytes: 4 KiB */
#define CD_L2_SPLIT_64K		10	/* 1024 CDs: 64 KiB */
#define CD_L1_DESC_BYTES	8
#define CD0_IPS_RESERVED	7
#define CD_TSZ_MIN		16
#define CD_TSZ_MAX		39

/* VMSAv8-64 descriptor bits (DDI 0487 D8.3) */
#define PTE_VALID		BIT_ULL(0)
#define PTE_TYPE		GENMASK_ULL(1, 0)
#define PTE_TYPE_BLOCK		1
#define PTE_TYPE_TABLE		3	/* levels 0-2; a page at level 3 */
#define PTE_AP_UNPRIV		BIT_ULL(6)	/* AP[1]: EL0 access */
#define PTE_AP_RDONLY		BIT_ULL(7)	/* AP[2]: no writes */
#define PTE_AF			BIT_ULL(10)
#define PTE_NG			BIT_ULL(11)
#define PTE_OA_HIGH		GENMASK_ULL(51, 48)
#define PTE_APTABLE_NO_EL0	BIT_ULL(61)	/* APTable[0] */
#define PTE_APTABLE_RDONLY	BIT_ULL(62)	/* APTable[1] */
#define PTE_DESC_BYTES		8
#define PTE_OA_TOP		47	/* highest OA bit of a 48-bit descriptor */

/* Set a configuration or stage-1 fault: fault->flags and ->ipa stay */
static int walk_fault(struct miommu_fault *fault, u32 code, int err)
{
	fault->code = code;
	return err;
}

/* Set a stage-2 fault on a read of the walk at @ipa */
static int walk_s2_fault(struct miommu_fault *fault, u64 ipa, u32 code,
			 int err)
{
	fault->code = code;
	fault->ipa = ipa;
	fault->flags |= IOMMU_MOCK_DMA_FAULT_S2 | IOMMU_MOCK_DMA_FAULT_WALK;
	return err;
}

/**
 * smmuv3_read_ipa() - read guest memory by IPA through stage 2
 * @s2: the stage-2 domain (the nest parent) translating @ipa
 * @ipa: first IPA to read
 * @buf: destination, @len bytes
 * @len: 1 to 64 bytes; [@ipa, @ipa + @len) must not cross a 4 KiB boundary
 * @fault: on a stage-2 fault: @fault->code, ->ipa set and
 *         IOMMU_MOCK_DMA_FAULT_S2 | IOMMU_MOCK_DMA_FAULT_WALK added to
 *         ->flags; left alone otherwise
 *
 * The SMMU's own reads of its structures in a nested configuration (CDs,
 * L1CDs, stage-1 table descriptors) are by IPA and go through stage 2
 * (IHI 0070 3.4.3). Whether stage 2 allows the read is decided on the page
 * that holds @ipa; the bytes are copied from the page smmuv3_s2_lookup()
 * returns. Never sleeps, allocates nothing.
 *
 * Return: 0 with @buf filled; -ENOENT stage-2 translation fault (IPA beyond
 * the SMMUV3_IAS_BITS stage-2 input range or not mapped), code
 * EVT_ID_F_TRANSLATION; -EPERM stage 2 maps the page without read
 * permission, code EVT_ID_F_PERMISSION; -EINVAL @len is 0, above 64 or the
 * range crosses 4 KiB (a caller bug, warned once, @fault untouched); any
 * other error of smmuv3_s2_lookup() as it is, @fault untouched.
 */
int smmuv3_read_ipa(struct smmuv3_domain *s2, u64 ipa, void *buf,
		    size_t len, struct miommu_fault *fault)
{
	phys_addr_t phys;
	void *va;
	int prot;
	int ret;

	if (WARN_ON_ONCE(!len || len > 64 ||
			 (ipa & (SZ_4K - 1)) + len > SZ_4K))
		return -EINVAL;

	if (ipa >> SMMUV3_IAS_BITS)
		return walk_s2_fault(fault, ipa, EVT_ID_F_TRANSLATION, -ENOENT);

	ret = smmuv3_s2_lookup(s2, ipa & PAGE_MASK, &phys, &prot);
	if (ret == -ENOENT)
		return walk_s2_fault(fault, ipa, EVT_ID_F_TRANSLATION, -ENOENT);
	if (ret)
		return ret;
	if (!(prot & MIOMMU_READ))
		return walk_s2_fault(fault, ipa, EVT_ID_F_PERMISSION, -EPERM);

	va = kmap_local_page(pfn_to_page(PHYS_PFN(phys)));
	memcpy(buf, va + offset_in_page(ipa), len);
	kunmap_local(va);
	return 0;
}

/**
 * smmuv3_cd_index() - which CD of the STE's table serves a request
 * @ste: STE words in CPU order, Config = stage-1 translate
 * @ssv: the request has a substream ID
 * @ssid: its substream ID
 * @index: out: the CD index
 * @fault: on failure @fault->code is set
 *
 * IHI 0070 5.2: the resolution smmuv3_cd_fetch() makes before reading,
 * without reading (the CD cache is looked up by its result). First the
 * STE fields it needs (any transaction, C_BAD_STE): S1CDMax above
 * SMMUV3_SSID_BITS; with S1CDMax != 0 also S1DSS = 0b11 and S1Fmt = 0b11
 * (reserved). S1CDMax = 0: CD 0 without SSV, C_BAD_SUBSTREAMID with SSV.
 * S1CDMax != 0 without SSV by S1DSS: TERMINATE F_STREAM_DISABLED, BYPASS
 * stage 1 bypassed, SSID0 CD 0. With SSV: @ssid >= 2^S1CDMax, or @ssid = 0
 * with S1DSS = SSID0, C_BAD_SUBSTREAMID; else CD @ssid.
 * Return: 0; 1 stage 1 bypassed (no SSV, S1DSS = BYPASS); -EIO with code
 * EVT_ID_C_BAD_STE, EVT_ID_F_STREAM_DISABLED or EVT_ID_C_BAD_SUBSTREAMID.
 */
int smmuv3_cd_index(const u64 *ste, bool ssv, u32 ssid, u32 *index,
		    struct miommu_fault *fault)
{
	unsigned int cdmax = FIELD_GET(STE0_S1CDMAX, ste[0]);
	unsigned int fmt = FIELD_GET(STE0_S1FMT, ste[0]);
	unsigned int dss = FIELD_GET(STE1_S1DSS, ste[1]);

	if (cdmax > SMMUV3_SSID_BITS)
		return walk_fault(fault, EVT_ID_C_BAD_STE, -EIO);
	if (!cdmax) {
		if (ssv)
			return walk_fault(fault, EVT_ID_C_BAD_SUBSTREAMID,
					  -EIO);
		*index = 0;
		return 0;
	}
	if (dss > STE1_S1DSS_SSID0 || fmt > STE0_S1FMT_64K_L2)
		return walk_fault(fault, EVT_ID_C_BAD_STE, -EIO);
	if (!ssv) {
		if (dss == STE1_S1DSS_TERMINATE)
			return walk_fault(fault, EVT_ID_F_STREAM_DISABLED,
					  -EIO);
		if (dss == STE1_S1DSS_BYPASS)
			return 1;
		*index = 0;
		return 0;
	}
	if (ssid >= BIT(cdmax) || (!ssid && dss == STE1_S1DSS_SSID0))
		return walk_fault(fault, EVT_ID_C_BAD_SUBSTREAMID, -EIO);
	*index = ssid;
	return 0;
}

/**
 * smmuv3_cd_fetch() - find and read the context descriptor of a transaction
 * @s2: the stage-2 domain translating the CD table's IPAs
 * @ste: STE words 0 and 1 in CPU order, valid, Config = S1_TRANS
 * @ssv: the transaction carries a SubstreamID (PASID)
 * @ssid: the SubstreamID when @ssv, else ignored
 * @cd_raw: out: the 64-byte CD as in guest memory (little-endian words)
 * @fault: out on failure (see below)
 *
 * Follows IHI 0070 5.2 (STE.S1CDMax, S1DSS, S1Fmt, S1ContextPtr) and 5.4.1
 * (CD table formats). The CD index is smmuv3_cd_index()'s (its checks and
 * faults first). The table: linear (or S1CDMax =
 * 0) at S1ContextPtr + 64 * index; two-level: an L1 table of 8-byte L1CDs
 * at S1ContextPtr indexed by the SSID bits above 6 (S1Fmt 4K_L2, leaf
 * tables of 64 CDs) or above 10 (64K_L2, 1024 CDs), the leaf at L1CD.L2Ptr
 * used as it is (4 KiB aligned by its field). An S1ContextPtr with bits
 * above SMMUV3_IAS_BITS makes the STE illegal (C_BAD_STE), such an L2Ptr
 * the substream range unusable (C_BAD_SUBSTREAMID); both are checked only
 * when a CD is read. Each L1CD and the CD are read by IPA with
 * smmuv3_read_ipa(), whose stage-2 faults propagate unchanged.
 *
 * Configuration faults set only @fault->code (the event ID).
 *
 * Return: 0 with @cd_raw filled; 1 when stage 1 is bypassed (no SSV,
 * S1DSS = BYPASS; @cd_raw untouched); -EIO with code C_BAD_STE (0x04),
 * EVT_ID_F_STREAM_DISABLED or EVT_ID_C_BAD_SUBSTREAMID (also an L1CD with
 * V = 0, as IHI 0070 5.4.1 says); -ENOENT / -EPERM stage-2 fault on a read
 * (smmuv3_read_ipa()).
 */
int smmuv3_cd_fetch(struct smmuv3_domain *s2, const u64 *ste, bool ssv,
		    u32 ssid, __le64 *cd_raw, struct miommu_fault *fault)
{
	unsigned int fmt = FIELD_GET(STE0_S1FMT, ste[0]);
	u64 table = ste[0] & STE0_S1CTXPTR;
	unsigned int split;
	__le64 l1desc;
	u64 l1;
	u32 idx;
	int ret;

	ret = smmuv3_cd_index(ste, ssv, ssid, &idx, fault);
	if (ret)
		return ret;
	if (!FIELD_GET(STE0_S1CDMAX, ste[0]))
		fmt = STE0_S1FMT_LINEAR;

	if (table >> SMMUV3_IAS_BITS)
		return walk_fault(fault, EVT_ID_C_BAD_STE, -EIO);

	if (fmt != STE0_S1FMT_LINEAR) {
		split = fmt == STE0_S1FMT_4K_L2 ? CD_L2_SPLIT_4K :
						  CD_L2_SPLIT_64K;
		ret = smmuv3_read_ipa(s2, table +
				      (u64)(idx >> split) * CD_L1_DESC_BYTES,
				      &l1desc, sizeof(l1desc), fault);
		if (ret)
			return ret;
		l1 = le64_to_cpu(l1desc);
		if (!(l1 & CD_L1_V))
			return walk_fault(fault, EVT_ID_C_BAD_SUBSTREAMID,
					  -EIO);
		table = l1 & CD_L1_L2PTR;
		if (table >> SMMUV3_IAS_BITS)
			return walk_fault(fault, EVT_ID_C_BAD_SUBSTREAMID,
					  -EIO);
		idx &= BIT(split) - 1;
	}

	return smmuv3_read_ipa(s2, table + (u64)idx * CD_BYTES, cd_raw,
			       CD_BYTES, fault);
}

/* TG0 / TG1 to log2 of the granule; 0 for a reserved value (5.4) */
static u8 cd_granule_shift(unsigned int half, unsigned int tg)
{
	static const u8 tg0[4] = { 12, 16, 14, 0 };
	static const u8 tg1[4] = { 0, 14, 12, 16 };

	return half ? tg1[tg & 3] : tg0[tg & 3];
}

/**
 * smmuv3_cd_decode() - check a fetched context descriptor and decode it
 * @cd_raw: the 64-byte CD as read from guest memory (smmuv3_cd_fetch())
 * @cd: out: the decoded CD (fields of a half disabled by EPDx are 0 but
 *      @cd->epd)
 * @fault: on failure @fault->code is set; ->flags and ->ipa stay
 *
 * IHI 0070 5.4 field by field. Illegal for this instance (no AArch32
 * tables, little-endian tables only, no stall model): V = 0, AA64 = 0,
 * ENDI = 1, S = 1, IPS = 0b111 (reserved), A = 0 (the instance has
 * TERM_MODEL = 1: faults terminate with an abort), HA or HD = 1 (no HTTU),
 * as QEMU's vSMMU also decides; and for each half not disabled
 * by EPD0/EPD1: TxSZ outside 16..39, a reserved TG (TG0 0b11, TG1 0b00).
 * The 4K, 16K and 64K granules are all supported. IPS gives the output
 * (IPA) width 32, 36, 40, 42, 44, 48 or 52 bits, limited to
 * SMMUV3_OAS_BITS. TBI is not modelled.
 *
 * Return: 0 with @cd filled; -EIO an illegal CD, code EVT_ID_C_BAD_CD.
 */
int smmuv3_cd_decode(const __le64 *cd_raw, struct smmuv3_cd *cd,
		     struct miommu_fault *fault)
{
	static const u8 ips_bits[7] = { 32, 36, 40, 42, 44, 48, 52 };
	u64 cd0 = le64_to_cpu(cd_raw[0]);
	u64 ttb[2] = {
		le64_to_cpu(cd_raw[1]) & CD1_TTB0,
		le64_to_cpu(cd_raw[2]) & CD2_TTB1,
	};
	unsigned int tsz[2] = {
		FIELD_GET(CD0_T0SZ, cd0), FIELD_GET(CD0_T1SZ, cd0)
	};
	unsigned int tg[2] = {
		FIELD_GET(CD0_TG0, cd0), FIELD_GET(CD0_TG1, cd0)
	};
	bool epd[2] = { cd0 & CD0_EPD0, cd0 & CD0_EPD1 };
	unsigned int ips = FIELD_GET(CD0_IPS, cd0);
	unsigned int i;

	if (!(cd0 & CD0_V) || !(cd0 & CD0_AA64) || (cd0 & CD0_ENDI) ||
	    (cd0 & CD0_S) || !(cd0 & CD0_A) || (cd0 & (CD0_HA | CD0_HD)) ||
	    ips == CD0_IPS_RESERVED)
		return walk_fault(fault, EVT_ID_C_BAD_CD, -EIO);

	memset(cd, 0, sizeof(*cd));
	for (i = 0; i < 2; i++) {
		cd->epd[i] = epd[i];
		if (epd[i])
			continue;
		cd->granule_shift[i] = cd_granule_shift(i, tg[i]);
		if (tsz[i] < CD_TSZ_MIN || tsz[i] > CD_TSZ_MAX ||
		    !cd->granule_shift[i])
			return walk_fault(fault, EVT_ID_C_BAD_CD, -EIO);
		cd->tsz[i] = tsz[i];
		cd->ttb[i] = ttb[i];
	}
	cd->asid = FIELD_GET(CD0_ASID, cd0);
	cd->ips_bits = min_t(u8, ips_bits[ips], SMMUV3_OAS_BITS);
	cd->affd = cd0 & CD0_AFFD;
	cd->record = cd0 & CD0_R;
	return 0;
}

/* Block descriptors: 4K granule at levels 1 and 2, 16K and 64K at 2 */
static bool walk_block_allowed(unsigned int g, unsigned int level)
{
	return level == 2 || (g == 12 && level == 1);
}

/**
 * smmuv3_s1_walk() - translate a VA through the CD's stage-1 tables
 * @s2: the stage-2 domain translating the tables' IPAs
 * @cd: the decoded CD (smmuv3_cd_decode())
 * @va: the input address of the transaction
 * @ent: out on success: the page or block: @ent->va and ->ipa aligned down
 *       to its size 2^@ent->shift, ->writable, ->global
 * @levels: out: the number of descriptors read (set to 0 first)
 * @fault: out on failure (see below)
 *
 * VMSAv8-64 (DDI 0487 D8) for a stage-1 walk of an unprivileged data
 * access, as IHI 0070 3.4 and 5.4 configure it. The half: TTB0 when the top
 * T0SZ bits of @va are 0, TTB1 when the top T1SZ bits are 1 (TBI is not
 * modelled), else a translation fault, also for a half disabled by EPDx.
 * Granule 2^g (g 12, 14, 16), g - 3 VA bits per level, start level
 * 4 - DIV_ROUND_UP(64 - TxSZ - g, g - 3). The start table has 2^n entries
 * for the n VA bits left at that level; TTB bits below its size (8 * 2^n
 * bytes) are ignored (treated as 0), one of the architecture's choices for
 * a misaligned base. A TTB beyond @cd->ips_bits is an address-size fault
 * before any read. Each descriptor is read by IPA with smmuv3_read_ipa().
 * A next table's address is descriptor bits [47:g], an output address bits
 * [47:log2 of the page or block size]; lower bits (64K: [15:12], where
 * FEAT_LPA would keep OA[51:48]) are ignored.
 *
 * Per descriptor, in this priority: bit 0 = 0, a block where the granule
 * has none (4K: levels 1, 2; 16K, 64K: level 2) or 0b01 at level 3 is a
 * translation fault; a table or output address with bits [51:48] set or
 * beyond @cd->ips_bits an address-size fault; AF = 0 without AFFD an
 * access-flag fault; AP[1] = 0 or an APTable[0] on the way a permission
 * fault (the device's requests are unprivileged). The entry is writable
 * when AP[2] = 0 and no APTable[1] was on the way; the caller checks
 * writes. Stage-1 faults set only @fault->code.
 *
 * Return: 0 with @ent filled; -ENOENT EVT_ID_F_TRANSLATION; -EIO
 * EVT_ID_F_ADDR_SIZE; -EPERM EVT_ID_F_ACCESS or EVT_ID_F_PERMISSION; a
 * stage-2 fault of smmuv3_read_ipa() (-ENOENT, -EPERM) unchanged.
 */
int smmuv3_s1_walk(struct smmuv3_domain *s2, const struct smmuv3_cd *cd,
		   u64 va, struct miommu_iotlb_entry *ent,
		   unsigned int *levels, struct miommu_fault *fault)
{
	unsigned int half, g, stride, vabits, level, shift, bits;
	bool no_write = false, no_el0 = false;
	u64 table, desc, oa;
	__le64 raw;
	int ret;

	*levels = 0;
	if (!cd->epd[0] && !(va >> (64 - cd->tsz[0])))
		half = 0;
	else if (!cd->epd[1] && !(~va >> (64 - cd->tsz[1])))
		half = 1;
	else
		return walk_fault(fault, EVT_ID_F_TRANSLATION, -ENOENT);

	g = cd->granule_shift[half];
	stride = g - 3;
	vabits = 64 - cd->tsz[half];
	level = 4 - DIV_ROUND_UP(vabits - g, stride);
	shift = g + (3 - level) * stride;
	bits = vabits - shift;

	table = cd->ttb[half];
	if (table >> cd->ips_bits)
		return walk_fault(fault, EVT_ID_F_ADDR_SIZE, -EIO);
	table &= ~(((u64)PTE_DESC_BYTES << bits) - 1);

	for (;;) {
		u64 idx = (va >> shift) & (BIT_ULL(bits) - 1);
		unsigned int type;

		ret = smmuv3_read_ipa(s2, table + idx * PTE_DESC_BYTES,
				      &raw, sizeof(raw), fault);
		if (ret)
			return ret;
		(*levels)++;
		desc = le64_to_cpu(raw);
		if (!(desc & PTE_VALID))
			return walk_fault(fault, EVT_ID_F_TRANSLATION,
					  -ENOENT);
		type = FIELD_GET(PTE_TYPE, desc);
		if (level < 3 && type == PTE_TYPE_TABLE) {
			table = desc & GENMASK_ULL(PTE_OA_TOP, g);
			if ((desc & PTE_OA_HIGH) || (table >> cd->ips_bits))
				return walk_fault(fault, EVT_ID_F_ADDR_SIZE,
						  -EIO);
			no_write |= desc & PTE_APTABLE_RDONLY;
			no_el0 |= desc & PTE_APTABLE_NO_EL0;
			level++;
			shift -= stride;
			bits = stride;
			continue;
		}
		if (level < 3 && !walk_block_allowed(g, level))
			return walk_fault(fault, EVT_ID_F_TRANSLATION,
					  -ENOENT);
		if (level == 3 && type != PTE_TYPE_TABLE)
			return walk_fault(fault, EVT_ID_F_TRANSLATION,
					  -ENOENT);
		break;
	}

	oa = desc & GENMASK_ULL(PTE_OA_TOP, shift);
	if ((desc & PTE_OA_HIGH) || (oa >> cd->ips_bits))
		return walk_fault(fault, EVT_ID_F_ADDR_SIZE, -EIO);
	if (!(desc & PTE_AF) && !cd->affd)
		return walk_fault(fault, EVT_ID_F_ACCESS, -EPERM);
	if (!(desc & PTE_AP_UNPRIV) || no_el0)
		return walk_fault(fault, EVT_ID_F_PERMISSION, -EPERM);

	ent->va = va & ~(BIT_ULL(shift) - 1);
	ent->ipa = oa;
	ent->shift = shift;
	ent->writable = !(desc & PTE_AP_RDONLY) && !no_write;
	ent->global = !(desc & PTE_NG);
	/* No dirty state without HTTU: a writable entry serves writes */
	ent->dirty = ent->writable;
	return 0;
}
