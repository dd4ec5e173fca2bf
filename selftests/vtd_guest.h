/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a guest's VT-d driver writes, built in userspace: x86-64 first-stage
 * page tables (4- and 5-level, 4 KiB / 2 MiB / 1 GiB leaves) in a block of
 * "guest RAM", the IOMMU_HWPT_DATA_VTD_S1 description of such a table and
 * IOMMU_HWPT_INVALIDATE_DATA_VTD_S1 entries, and the CAP / ECAP bits and
 * fault reasons a VMM reads.
 *
 * Layouts: the Intel VT-d specification (first-stage paging entries 9.7,
 * CAP_REG / ECAP_REG 11.4.2 / 11.4.3, fault reasons 7.1.3) and the SDM's
 * 4- and 5-level paging. This header is plain C: no kselftest harness and
 * no ioctl, so the selftests, the demo and the benchmark can all use it.
 */
#ifndef VTD_GUEST_H
#define VTD_GUEST_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <linux/iommufd.h>

#define VG_BIT(n)		(1ULL << (n))

/* ---- CAP_REG / ECAP_REG (as IOMMU_GET_HW_INFO returns them) ------------ */

#define VG_CAP_ND(cap)		((cap) & 7)
#define VG_CAP_SAGAW(cap)	(((cap) >> 8) & 0x1f)
#define VG_CAP_MGAW(cap)	((((cap) >> 16) & 0x3f) + 1)	/* bits */
#define VG_CAP_PSI		VG_BIT(39)
#define VG_CAP_FS1GP		VG_BIT(56)
#define VG_CAP_FS5LP		VG_BIT(60)

#define VG_ECAP_QI		VG_BIT(1)
#define VG_ECAP_NEST		VG_BIT(26)
#define VG_ECAP_PRS		VG_BIT(29)
#define VG_ECAP_SRS		VG_BIT(31)
#define VG_ECAP_EAFS		VG_BIT(34)
#define VG_ECAP_PSS(ecap)	((((ecap) >> 35) & 0x1f) + 1)	/* PASID bits */
#define VG_ECAP_PASID		VG_BIT(40)
#define VG_ECAP_SMTS		VG_BIT(43)
#define VG_ECAP_SLTS		VG_BIT(46)
#define VG_ECAP_FSTS		VG_BIT(47)

/* ---- first-stage paging entries (x86-64 format) -------------------------- */

#define VG_P			VG_BIT(0)
#define VG_RW			VG_BIT(1)
#define VG_US			VG_BIT(2)
#define VG_A			VG_BIT(5)
#define VG_D			VG_BIT(6)
#define VG_PS			VG_BIT(7)	/* PDPT / PD: a leaf; PT: PAT */
#define VG_G			VG_BIT(8)	/* leaves */
#define VG_EA			VG_BIT(10)	/* extended accessed (EAFE) */
#define VG_PAT_LARGE		VG_BIT(12)	/* PAT of a 2 MiB / 1 GiB leaf */
#define VG_XD			VG_BIT(63)
#define VG_ADDR			0x000ffffffffff000ULL
/* What a guest gives its table entries: present, writable, user */
#define VG_TABLE		(VG_P | VG_RW | VG_US)
#define VG_LEAF			(VG_P | VG_RW | VG_US)

/* Levels as x86 counts them: 1 PT, 2 PD, 3 PDPT, 4 PML4, 5 PML5 */
static inline unsigned int vg_shift(unsigned int level)
{
	return 12 + 9 * (level - 1);
}

static inline uint64_t vg_size(unsigned int level)
{
	return 1ULL << vg_shift(level);
}

static inline unsigned int vg_index(uint64_t va, unsigned int level)
{
	return (va >> vg_shift(level)) & 511;
}

/* @va made canonical for @levels-level paging (sign-extended from 47 / 56) */
static inline uint64_t vg_canonical(uint64_t va, unsigned int levels)
{
	unsigned int top = levels == 5 ? 56 : 47;

	return va & VG_BIT(top) ? va | ~(VG_BIT(top) - 1) :
				  va & (VG_BIT(top) - 1);
}

/* ---- fault reasons (IOMMU_MOCK_DMA out_fault_code) ---------------------- */

#define VG_FR_FS_NOT_PRESENT	0x71
#define VG_FR_FS_RESERVED	0x72
#define VG_FR_FS_BEYOND_MGAW	0x74
#define VG_FR_S2_ACCESS		0x78
#define VG_FR_S2_PERM		0x79
#define VG_FR_NOT_CANONICAL	0x80
#define VG_FR_US		0x81
#define VG_FR_NO_WRITE		0x85

/* ---- guest RAM ------------------------------------------------------------- */

/**
 * struct vg_ram - guest memory with a bump allocator of 4 KiB pages
 * @host: where the VMM mapped it
 * @ipa: its guest-physical (stage-2 input) address
 * @size: bytes
 * @next: bytes handed out
 */
struct vg_ram {
	uint8_t *host;
	uint64_t ipa;
	uint64_t size;
	uint64_t next;
};

static inline bool vg_has(const struct vg_ram *g, uint64_t ipa, uint64_t len)
{
	return ipa >= g->ipa && len <= g->size && ipa - g->ipa <= g->size - len;
}

/* The host address of @ipa (which must be in @g) */
static inline void *vg_ptr(const struct vg_ram *g, uint64_t ipa)
{
	return g->host + (ipa - g->ipa);
}

/* A zeroed page: its IPA, or 0 when @g is full */
static inline uint64_t vg_page(struct vg_ram *g)
{
	uint64_t ipa;

	if (g->size - g->next < 4096)
		return 0;
	ipa = g->ipa + g->next;
	g->next += 4096;
	memset(vg_ptr(g, ipa), 0, 4096);
	return ipa;
}

static inline uint64_t vg_r64(const struct vg_ram *g, uint64_t ipa)
{
	uint64_t v;

	memcpy(&v, vg_ptr(g, ipa), 8);
	return v;
}

static inline void vg_w64(const struct vg_ram *g, uint64_t ipa, uint64_t v)
{
	memcpy(vg_ptr(g, ipa), &v, 8);
}

/* ---- first-stage tables ----------------------------------------------------- */

/**
 * struct vg_fs - a first-stage table being built
 * @g: the guest RAM holding its tables
 * @root: IPA of the PML4 (4 levels) or PML5 (5 levels)
 * @levels: 4 or 5
 * @table_bits: the flags new non-leaf entries get (VG_TABLE by default)
 */
struct vg_fs {
	struct vg_ram *g;
	uint64_t root;
	unsigned int levels;
	uint64_t table_bits;
};

/* An empty table of @levels levels in @g: its root IPA (0: @g full) */
static inline uint64_t vg_fs_init(struct vg_fs *pt, struct vg_ram *g,
				  unsigned int levels)
{
	pt->g = g;
	pt->levels = levels;
	pt->table_bits = VG_TABLE;
	pt->root = vg_page(g);
	return pt->root;
}

/*
 * IPA of the entry of @level that translates @va, making the tables above
 * it that are missing. 0 when @g is full or a present entry above is a
 * leaf or points outside @g.
 */
static inline uint64_t vg_entry_ipa(struct vg_fs *pt, uint64_t va,
				    unsigned int level)
{
	uint64_t table = pt->root, e, ipa;
	unsigned int l;

	for (l = pt->levels; ; l--) {
		ipa = table + 8ULL * vg_index(va, l);
		if (l == level)
			return ipa;
		e = vg_r64(pt->g, ipa);
		if (!(e & VG_P)) {
			e = vg_page(pt->g);
			if (!e)
				return 0;
			e |= pt->table_bits;
			vg_w64(pt->g, ipa, e);
		} else if ((l == 2 || l == 3) && (e & VG_PS)) {
			return 0;
		}
		table = e & VG_ADDR;
		if (!vg_has(pt->g, table, 4096))
			return 0;
	}
}

/*
 * Map the page of @level (1: 4 KiB, 2: 2 MiB with PS, 3: 1 GiB with PS)
 * holding @va to @out (aligned to that size) with @bits (VG_LEAF, ...):
 * the IPA of the leaf entry, 0 on failure.
 */
static inline uint64_t vg_map(struct vg_fs *pt, uint64_t va, uint64_t out,
			      unsigned int level, uint64_t bits)
{
	uint64_t ipa = vg_entry_ipa(pt, va, level);

	if (ipa)
		vg_w64(pt->g, ipa, out | bits | (level > 1 ? VG_PS : 0));
	return ipa;
}

/* The entry of @level on @va's path (its tables must exist) */
static inline uint64_t *vg_entry(struct vg_fs *pt, uint64_t va,
				 unsigned int level)
{
	return (uint64_t *)vg_ptr(pt->g, vg_entry_ipa(pt, va, level));
}

/* ---- uAPI data ---------------------------------------------------------------- */

/* IOMMU_HWPT_DATA_VTD_S1 for a table at @root */
static inline struct iommu_hwpt_vtd_s1 vg_s1(uint64_t root,
					     uint32_t addr_width,
					     uint64_t flags)
{
	struct iommu_hwpt_vtd_s1 s1;

	memset(&s1, 0, sizeof(s1));
	s1.flags = flags;
	s1.pgtbl_addr = root;
	s1.addr_width = addr_width;
	return s1;
}

/*
 * IOMMU_HWPT_INVALIDATE_DATA_VTD_S1 as QEMU forwards a guest's PASID-based
 * IOTLB invalidation: page-selective (@npages from @addr, LEAF with the
 * descriptor's IH), or all (@addr 0, @npages UINT64_MAX)
 */
static inline struct iommu_hwpt_vtd_s1_invalidate vg_inv(uint64_t addr,
							 uint64_t npages,
							 bool leaf)
{
	struct iommu_hwpt_vtd_s1_invalidate inv;

	memset(&inv, 0, sizeof(inv));
	inv.addr = addr;
	inv.npages = npages;
	inv.flags = leaf ? IOMMU_VTD_INV_FLAGS_LEAF : 0;
	return inv;
}

#endif /* VTD_GUEST_H */
