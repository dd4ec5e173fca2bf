// SPDX-License-Identifier: GPL-2.0
/*
 * VT-d first-stage table walk for nested translation.
 *
 * The guest's first-stage tables (x86-64 4- or 5-level paging) live in
 * guest memory and are addressed by IPA, so every entry the walk reads, and
 * every entry whose A / D / EA flags it sets, goes through stage 2 (the nest
 * parent) first, one aligned 8-byte entry at a time. A stage-2 miss or
 * permission failure on such an access is a stage-2 fault of the walk
 * (IOMMU_MOCK_DMA_FAULT_S2 and IOMMU_MOCK_DMA_FAULT_WALK); everything else
 * found wrong is a first-stage fault whose fault reason goes into
 * miommu_fault.code.
 *
 * Nothing here allocates or sleeps: it runs in process context under the
 * file mutex on the path of every simulated DMA that misses the IOTLB. The
 * walk is not atomic against the CPU writing guest memory at the same time
 * (hardware sets A/D with a locked update; here an entry is read, then
 * written back with one 64-bit store, so a CPU write in between may be
 * lost or mixed with the flags): userspace that edits its tables while its
 * own DMA runs gets what it raced for, the kernel is not affected.
 *
 * Sources: Intel VT-d specification (Architecture Specification for
 * Directed I/O) 3.6 (first-stage translation, A/D flags, permissions with
 * SRE / WPE / EAFE), 7.1.3 (fault reasons), 9.7 (first-stage paging
 * entries); Intel SDM vol. 3 chapter 4.5 (4- and 5-level paging).
 */
#include <linux/bits.h>
#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/highmem.h>
#include <linux/mm.h>

#include "vtd.h"

/* First-stage entry bits beyond those vtd.h names (VT-d 9.7) */
#define FS_EA			BIT_ULL(10)	/* extended accessed (EAFE) */
#define FS_G			BIT_ULL(8)	/* global, leaves only */
#define FS_1G_RSVD		GENMASK_ULL(29, 13)
#define FS_2M_RSVD		GENMASK_ULL(20, 13)
#define FS_ENTRY_BYTES		8
#define FS_LEVEL_BITS		9
#define FS_MAX_LEVELS		5
#define FS_PAGE_SHIFT		12

/* Paging levels as x86 counts them: 1 = PT ... 4 = PML4, 5 = PML5 */
#define FS_LEVEL_PD		2
#define FS_LEVEL_PDPT		3

/* Fault reason 0x5D: a supervisor request and SRE = 0 in the PASID entry */
#define VTD_FR_SRE_CLEAR	0x5D

/* Set a first-stage or PASID-entry fault: fault->flags and ->ipa stay */
static int walk_fault(struct miommu_fault *fault, u32 code, int err)
{
	fault->code = code;
	return err;
}

/* Set a stage-2 fault of an access of the walk at @ipa */
static int walk_s2_fault(struct miommu_fault *fault, u64 ipa, u32 code,
			 int err)
{
	fault->code = code;
	fault->ipa = ipa;
	fault->flags |= IOMMU_MOCK_DMA_FAULT_S2 | IOMMU_MOCK_DMA_FAULT_WALK;
	return err;
}

/*
 * Translate the 8-aligned entry at @ipa through stage 2, needing @need
 * (MIOMMU_READ or MIOMMU_WRITE), and map its page: the entry's address in
 * the kernel, to be given back with kunmap_local(). Faults as
 * vtd_read_ipa() describes.
 */
static __le64 *walk_map_entry(struct vtd_domain *s2, u64 ipa, int need,
			      struct miommu_fault *fault, int *err)
{
	phys_addr_t phys;
	void *va;
	int prot;
	int ret;

	if (WARN_ON_ONCE(ipa & (FS_ENTRY_BYTES - 1))) {
		*err = -EINVAL;
		return NULL;
	}
	if (ipa >> VTD_IAS_BITS) {
		*err = walk_s2_fault(fault, ipa, VTD_FR_S2_ACCESS, -ENOENT);
		return NULL;
	}

	ret = vtd_s2_lookup(s2, ipa & PAGE_MASK, &phys, &prot);
	if (ret == -ENOENT)
		ret = walk_s2_fault(fault, ipa, VTD_FR_S2_ACCESS, -ENOENT);
	else if (!ret && !(prot & need))
		ret = walk_s2_fault(fault, ipa, VTD_FR_S2_PERM, -EPERM);
	if (ret) {
		*err = ret;
		return NULL;
	}

	va = kmap_local_page(pfn_to_page(PHYS_PFN(phys)));
	return va + offset_in_page(ipa);
}

/**
 * vtd_read_ipa() - read one first-stage entry from guest memory by IPA
 * @s2: the stage-2 domain (the nest parent) translating @ipa
 * @ipa: IPA of the entry; 8-byte aligned
 * @val: out: the entry in CPU byte order (guest memory is little-endian)
 * @fault: on a stage-2 fault: @fault->code, ->ipa = @ipa set and
 *         IOMMU_MOCK_DMA_FAULT_S2 | IOMMU_MOCK_DMA_FAULT_WALK added to
 *         ->flags; left alone otherwise
 *
 * In nested translation the remapping hardware fetches the first-stage
 * paging entries by their guest-physical address, which stage 2 translates
 * like any other access (VT-d 3.6, 3.8). Whether stage 2 allows the read
 * is decided on the page that holds @ipa (vtd_s2_lookup()); the entry is
 * read from that page with one 64-bit load. Never sleeps, allocates
 * nothing.
 *
 * Return: 0 with @val set; -ENOENT @ipa beyond the VTD_IAS_BITS stage-2
 * input range or not mapped by stage 2, fault reason VTD_FR_S2_ACCESS;
 * -EPERM stage 2 maps the page without read permission, VTD_FR_S2_PERM;
 * -EINVAL @ipa not 8-byte aligned (a caller bug, warned once, @fault
 * untouched); any other error of vtd_s2_lookup() as it is, @fault
 * untouched.
 */
int vtd_read_ipa(struct vtd_domain *s2, u64 ipa, u64 *val,
		 struct miommu_fault *fault)
{
	__le64 *entry;
	int err;

	entry = walk_map_entry(s2, ipa, MIOMMU_READ, fault, &err);
	if (!entry)
		return err;
	*val = le64_to_cpu(READ_ONCE(*entry));
	kunmap_local(entry);
	return 0;
}

/*
 * Set @bits in the entry at @ipa, as the hardware's A / D / EA update does:
 * the page needs stage-2 write permission (else -EPERM, VTD_FR_S2_PERM,
 * or the faults of vtd_read_ipa() for an unmapped page). The entry is read
 * again and stored with one 64-bit store only when a flag was missing.
 */
static int walk_set_flags(struct vtd_domain *s2, u64 ipa, u64 bits,
			  struct miommu_fault *fault)
{
	__le64 *entry;
	u64 old;
	int err;

	entry = walk_map_entry(s2, ipa, MIOMMU_WRITE, fault, &err);
	if (!entry)
		return err;
	old = le64_to_cpu(READ_ONCE(*entry));
	if ((old | bits) != old)
		WRITE_ONCE(*entry, cpu_to_le64(old | bits));
	kunmap_local(entry);
	return 0;
}

/* True when bits 63:@top of @va are all equal (the sign extension) */
static bool walk_canonical(u64 va, unsigned int top)
{
	u64 high = va >> top;

	return !high || high == (U64_MAX >> top);
}

/**
 * vtd_fs_walk() - translate a VA through the guest's first-stage tables
 * @s2: the stage-2 domain translating the tables' IPAs
 * @cfg: the first stage of the nested domain (IOMMU_HWPT_DATA_VTD_S1)
 * @va: the input address of the request
 * @req: the request: read or write, user or supervisor
 * @ent: out on success: the page: @ent->va and ->ipa aligned down to its
 *       size 2^@ent->shift (12, 21 or 30), ->writable for @req's privilege,
 *       ->global the leaf's G flag, ->dirty the leaf's D flag after the walk
 * @levels: out: the number of entries read (set to 0 first)
 * @fault: out on failure (see below)
 *
 * VT-d 3.6 first-stage translation with x86-64 paging (VT-d 9.7, SDM vol.
 * 3 4.5), in this order:
 *
 * A supervisor request (@req->priv) with @cfg->sre clear is refused before
 * the walk (fault reason 0x5D, SRE clear in the PASID entry). @va must be
 * canonical: bits 63:47 (4-level) or 63:56 (5-level) all equal, else
 * VTD_FR_NOT_CANONICAL. The walk starts at @cfg->pgtbl_addr (PML4 or
 * PML5) and indexes each table with 9 VA bits from the top (47:39 for a
 * PML4, 56:48 for a PML5). Each entry is read by IPA with vtd_read_ipa(),
 * whose stage-2 faults propagate unchanged, and then checked: P = 0 is
 * VTD_FR_FS_NOT_PRESENT; PS = 1 in a PML5 or PML4 entry, or reserved bits
 * in a large leaf (1 GiB: 29:13, 2 MiB: 20:13; bit 12 is PAT) are
 * VTD_FR_FS_RESERVED; a next-table or output address with bits above
 * VTD_IAS_BITS (51:48) set is VTD_FR_FS_BEYOND_MGAW. PS = 1 in a PDPT or
 * PD entry is a 1 GiB or 2 MiB leaf (the instance has FS1GP); bit 7 of a
 * PT entry is PAT. Bits 63:52 (XD, ignored bits) are not checked.
 *
 * Permissions are those of all entries of the walk together: R/W and U/S
 * each the AND over every level. A user request (device DMA without a
 * privileged PASID) with U/S = 0 anywhere is VTD_FR_US. The page is
 * writable for a user request when R/W = 1 everywhere; for a supervisor
 * request the same with @cfg->wpe, always without it. A write to a page not
 * writable is VTD_FR_NO_WRITE. Reads need no more than P (no execute
 * requests are modelled).
 *
 * Only when every check passed are the flags set, as hardware does:
 * A (bit 5) in each entry of the walk, with @cfg->eafe also EA (bit 10),
 * and for a write D (bit 6) in the leaf. Each entry missing one of them is
 * written back through stage 2, top level first; that needs stage-2 write
 * permission on its page (else -EPERM, VTD_FR_S2_PERM, stage-2 flags as
 * vtd_read_ipa()), and entries already updated stay so. Entries whose
 * flags are all set are not written.
 *
 * First-stage and PASID-entry faults set only @fault->code.
 *
 * Return: 0 with @ent filled; -ENOENT VTD_FR_FS_NOT_PRESENT or a stage-2
 * VTD_FR_S2_ACCESS; -EPERM VTD_FR_US, VTD_FR_NO_WRITE or a stage-2
 * VTD_FR_S2_PERM; -EIO VTD_FR_NOT_CANONICAL, VTD_FR_FS_RESERVED,
 * VTD_FR_FS_BEYOND_MGAW or 0x5D (SRE clear); -EINVAL @cfg->levels not 4 or
 * 5 (a caller bug, warned once, @fault untouched).
 */
int vtd_fs_walk(struct vtd_domain *s2, const struct vtd_s1_cfg *cfg, u64 va,
		const struct vtd_request *req, struct miommu_iotlb_entry *ent,
		unsigned int *levels, struct miommu_fault *fault)
{
	u64 entry_ipa[FS_MAX_LEVELS], entry_val[FS_MAX_LEVELS];
	unsigned int level, shift, n = 0, i;
	bool rw_all = true, us_all = true;
	u64 table = cfg->pgtbl_addr;
	u64 desc, addr, flags;
	bool writable;
	int ret;

	*levels = 0;
	if (WARN_ON_ONCE(cfg->levels != 4 && cfg->levels != 5))
		return -EINVAL;
	if (req->priv && !cfg->sre)
		return walk_fault(fault, VTD_FR_SRE_CLEAR, -EIO);

	level = cfg->levels;
	shift = FS_PAGE_SHIFT + (level - 1) * FS_LEVEL_BITS;
	if (!walk_canonical(va, shift + FS_LEVEL_BITS - 1))
		return walk_fault(fault, VTD_FR_NOT_CANONICAL, -EIO);

	for (;;) {
		u64 idx = (va >> shift) & (BIT_ULL(FS_LEVEL_BITS) - 1);
		bool leaf;

		entry_ipa[n] = table + idx * FS_ENTRY_BYTES;
		ret = vtd_read_ipa(s2, entry_ipa[n], &desc, fault);
		if (ret)
			return ret;
		entry_val[n++] = desc;
		(*levels)++;

		if (!(desc & VTD_FS_P))
			return walk_fault(fault, VTD_FR_FS_NOT_PRESENT,
					  -ENOENT);
		leaf = level == 1 ||
		       ((level == FS_LEVEL_PD || level == FS_LEVEL_PDPT) &&
			(desc & VTD_FS_PS));
		if (level > FS_LEVEL_PDPT && (desc & VTD_FS_PS))
			return walk_fault(fault, VTD_FR_FS_RESERVED, -EIO);
		if (level == FS_LEVEL_PDPT && leaf && (desc & FS_1G_RSVD))
			return walk_fault(fault, VTD_FR_FS_RESERVED, -EIO);
		if (level == FS_LEVEL_PD && leaf && (desc & FS_2M_RSVD))
			return walk_fault(fault, VTD_FR_FS_RESERVED, -EIO);
		if ((desc & VTD_FS_ADDR) >> VTD_IAS_BITS)
			return walk_fault(fault, VTD_FR_FS_BEYOND_MGAW, -EIO);

		rw_all &= !!(desc & VTD_FS_RW);
		us_all &= !!(desc & VTD_FS_US);
		if (leaf)
			break;
		table = desc & VTD_FS_ADDR;
		level--;
		shift -= FS_LEVEL_BITS;
	}

	if (!req->priv && !us_all)
		return walk_fault(fault, VTD_FR_US, -EPERM);
	writable = rw_all || (req->priv && !cfg->wpe);
	if (req->write && !writable)
		return walk_fault(fault, VTD_FR_NO_WRITE, -EPERM);

	for (i = 0; i < n; i++) {
		flags = VTD_FS_A | (cfg->eafe ? FS_EA : 0);
		if (i == n - 1 && req->write)
			flags |= VTD_FS_D;
		if ((entry_val[i] & flags) == flags)
			continue;
		ret = walk_set_flags(s2, entry_ipa[i], flags, fault);
		if (ret)
			return ret;
		entry_val[i] |= flags;
	}

	addr = desc & VTD_FS_ADDR & ~(BIT_ULL(shift) - 1);
	ent->va = va & ~(BIT_ULL(shift) - 1);
	ent->ipa = addr;
	ent->shift = shift;
	ent->writable = writable;
	ent->global = desc & FS_G;
	ent->dirty = entry_val[n - 1] & VTD_FS_D;
	return 0;
}
