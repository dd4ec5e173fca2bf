/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a guest's SMMUv3 driver writes, built in userspace: stream table
 * entry words, context descriptors, level-1 CD descriptors, VMSAv8-64
 * stage-1 tables (4, 16 and 64 KiB granules) in a block of "guest RAM",
 * SMMUv3 commands, and getters for event-record fields.
 *
 * Layouts: the SMMUv3 specification (ARM IHI 0070: STE 5.2, CD 5.4,
 * commands 4.x, event records 7.3) and the Arm ARM's VMSAv8-64 descriptor
 * formats. This header is plain C: no kselftest harness and no ioctl, so
 * the selftests, the demo and the benchmark can all use it.
 */
#ifndef SMMUV3_GUEST_H
#define SMMUV3_GUEST_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define G_BIT(n)		(1ULL << (n))
#define G_MASK(hi, lo)		((~0ULL >> (63 - (hi))) & ~((1ULL << (lo)) - 1))
/* Put @val into the field @mask (a contiguous run of bits). */
static inline uint64_t g_field(uint64_t mask, uint64_t val)
{
	return (val << __builtin_ctzll(mask)) & mask;
}

static inline uint64_t g_get(uint64_t word, uint64_t mask)
{
	return (word & mask) >> __builtin_ctzll(mask);
}

/* ---- ID registers (6.3) ------------------------------------------------ */

#define G_IDR0_S2P		G_BIT(0)
#define G_IDR0_S1P		G_BIT(1)
#define G_IDR0_TTF		G_MASK(3, 2)
#define G_IDR0_COHACC		G_BIT(4)
#define G_IDR0_ATS		G_BIT(10)
#define G_IDR0_ASID16		G_BIT(12)
#define G_IDR0_VMID16		G_BIT(18)
#define G_IDR0_CD2L		G_BIT(19)
#define G_IDR0_TTENDIAN		G_MASK(22, 21)
#define G_IDR0_STALL_MODEL	G_MASK(25, 24)
#define G_IDR0_ST_LVL		G_MASK(28, 27)
#define G_IDR1_SIDSIZE		G_MASK(5, 0)
#define G_IDR1_SSIDSIZE		G_MASK(10, 6)
#define G_IDR3_RIL		G_BIT(10)
#define G_IDR5_OAS		G_MASK(2, 0)
#define G_IDR5_GRAN4K		G_BIT(4)
#define G_IDR5_GRAN16K		G_BIT(5)
#define G_IDR5_GRAN64K		G_BIT(6)

/* ---- stream table entry, words 0 and 1 (5.2) --------------------------- */

#define GSTE0_V			G_BIT(0)
#define GSTE0_CFG		G_MASK(3, 1)
#define GSTE0_CFG_ABORT		0
#define GSTE0_CFG_BYPASS	4
#define GSTE0_CFG_S1		5
#define GSTE0_S1FMT		G_MASK(5, 4)
#define GSTE0_S1FMT_LINEAR	0
#define GSTE0_S1FMT_L2_4K	1	/* 2-level, 64-CD leaves */
#define GSTE0_S1FMT_L2_64K	2	/* 2-level, 1024-CD leaves */
#define GSTE0_S1CTXPTR		G_MASK(51, 6)
#define GSTE0_S1CDMAX		G_MASK(63, 59)

#define GSTE1_S1DSS		G_MASK(1, 0)
#define GSTE1_S1DSS_TERMINATE	0
#define GSTE1_S1DSS_BYPASS	1
#define GSTE1_S1DSS_SSID0	2
#define GSTE1_S1CIR		G_MASK(3, 2)
#define GSTE1_S1COR		G_MASK(5, 4)
#define GSTE1_S1CSH		G_MASK(7, 6)
#define GSTE1_MEV		G_BIT(19)
#define GSTE1_S1STALLD		G_BIT(27)
#define GSTE1_EATS		G_MASK(29, 28)
#define GSTE1_STRW		G_MASK(31, 30)

/* An STE with Config @cfg and nothing else (word 1 zero). */
static inline void ste_cfg(uint64_t ste[2], unsigned int cfg)
{
	ste[0] = GSTE0_V | g_field(GSTE0_CFG, cfg);
	ste[1] = 0;
}

/*
 * An S1-translate STE: CD table at IPA @ctxptr (64-byte aligned, a leaf
 * table 4 KiB aligned for 2-level formats), @fmt GSTE0_S1FMT_*, 2^@cdmax
 * substreams (0: no substreams), @s1dss for requests without a substream.
 * Cacheability fields are set to write-back, inner shareable, as Linux does.
 */
static inline void ste_s1(uint64_t ste[2], uint64_t ctxptr, unsigned int fmt,
			  unsigned int cdmax, unsigned int s1dss)
{
	ste[0] = GSTE0_V | g_field(GSTE0_CFG, GSTE0_CFG_S1) |
		 g_field(GSTE0_S1FMT, fmt) | (ctxptr & GSTE0_S1CTXPTR) |
		 g_field(GSTE0_S1CDMAX, cdmax);
	ste[1] = g_field(GSTE1_S1DSS, s1dss) | g_field(GSTE1_S1CIR, 1) |
		 g_field(GSTE1_S1COR, 1) | g_field(GSTE1_S1CSH, 3);
}

/* ---- context descriptor, 64 bytes (5.4) -------------------------------- */

#define GCD_BYTES		64
#define GCD0_T0SZ		G_MASK(5, 0)
#define GCD0_TG0		G_MASK(7, 6)
#define GCD0_IR0		G_MASK(9, 8)
#define GCD0_OR0		G_MASK(11, 10)
#define GCD0_SH0		G_MASK(13, 12)
#define GCD0_EPD0		G_BIT(14)
#define GCD0_ENDI		G_BIT(15)
#define GCD0_T1SZ		G_MASK(21, 16)
#define GCD0_TG1		G_MASK(23, 22)
#define GCD0_IR1		G_MASK(25, 24)
#define GCD0_OR1		G_MASK(27, 26)
#define GCD0_SH1		G_MASK(29, 28)
#define GCD0_EPD1		G_BIT(30)
#define GCD0_V			G_BIT(31)
#define GCD0_IPS		G_MASK(34, 32)
#define GCD0_AFFD		G_BIT(35)
#define GCD0_TBI		G_MASK(39, 38)
#define GCD0_AA64		G_BIT(41)
#define GCD0_HD			G_BIT(42)
#define GCD0_HA			G_BIT(43)
#define GCD0_S			G_BIT(44)
#define GCD0_R			G_BIT(45)
#define GCD0_A			G_BIT(46)
#define GCD0_ASET		G_BIT(47)
#define GCD0_ASID		G_MASK(63, 48)
#define GCD1_TTB0		G_MASK(51, 4)
#define GCD2_TTB1		G_MASK(51, 4)

/* IPS encodings: 0 32, 1 36, 2 40, 3 42, 4 44, 5 48 bits */
#define GCD_IPS_32		0
#define GCD_IPS_48		5

/* TG0 and TG1 encode the granule differently */
static inline unsigned int cd_tg0(unsigned int gshift)
{
	return gshift == 16 ? 1 : gshift == 14 ? 2 : 0;
}

static inline unsigned int cd_tg1(unsigned int gshift)
{
	return gshift == 16 ? 3 : gshift == 14 ? 1 : 2;
}

/**
 * struct gcd - what a guest puts in a context descriptor
 * @asid: 16-bit ASID
 * @ttb0: TTB0 IPA (0 with @epd0)
 * @ttb1: TTB1 IPA (0 with @epd1)
 * @t0sz: T0SZ, 16..39: the lower range is 2^(64 - t0sz) bytes
 * @t1sz: T1SZ, 16..39
 * @g0shift: TTB0 granule, 12, 14 or 16
 * @g1shift: TTB1 granule, 12, 14 or 16
 * @epd0: no walks through TTB0
 * @epd1: no walks through TTB1
 * @ips: GCD_IPS_* output size
 * @record: CD.R: faults are recorded as events
 * @affd: CD.AFFD: access-flag faults disabled
 * @no_aa64: clear CD.AA64 (an invalid CD here)
 * @invalid: clear CD.V
 */
struct gcd {
	uint16_t asid;
	uint64_t ttb0, ttb1;
	unsigned int t0sz, t1sz;
	unsigned int g0shift, g1shift;
	bool epd0, epd1;
	unsigned int ips;
	bool record, affd, no_aa64, invalid;
};

/* Write the 8 little-endian words of a CD (host is little-endian). */
static inline void cd_build(uint64_t cd[8], const struct gcd *c)
{
	memset(cd, 0, GCD_BYTES);
	cd[0] = g_field(GCD0_T0SZ, c->t0sz) |
		g_field(GCD0_TG0, cd_tg0(c->g0shift ? c->g0shift : 12)) |
		g_field(GCD0_IR0, 1) | g_field(GCD0_OR0, 1) |
		g_field(GCD0_SH0, 3) |
		g_field(GCD0_T1SZ, c->t1sz ? c->t1sz : 16) |
		g_field(GCD0_TG1, cd_tg1(c->g1shift ? c->g1shift : 12)) |
		g_field(GCD0_IR1, 1) | g_field(GCD0_OR1, 1) |
		g_field(GCD0_SH1, 3) |
		g_field(GCD0_IPS, c->ips) | g_field(GCD0_ASID, c->asid) |
		GCD0_A;
	if (c->epd0)
		cd[0] |= GCD0_EPD0;
	if (c->epd1)
		cd[0] |= GCD0_EPD1;
	if (!c->invalid)
		cd[0] |= GCD0_V;
	if (!c->no_aa64)
		cd[0] |= GCD0_AA64;
	if (c->record)
		cd[0] |= GCD0_R;
	if (c->affd)
		cd[0] |= GCD0_AFFD;
	cd[1] = c->ttb0 & GCD1_TTB0;
	cd[2] = c->ttb1 & GCD2_TTB1;
	cd[3] = 0xff;	/* MAIR: attribute 0 normal write-back */
}

/* Level-1 CD table descriptor (5.4.1): V and the leaf table's IPA. */
#define GCD_L1_V		G_BIT(0)
#define GCD_L1_L2PTR		G_MASK(51, 12)

static inline uint64_t cd_l1_desc(uint64_t l2_ipa)
{
	return GCD_L1_V | (l2_ipa & GCD_L1_L2PTR);
}

/* ---- VMSAv8-64 stage-1 descriptors ------------------------------------- */

#define GPTE_VALID		G_BIT(0)
#define GPTE_TABLE		G_BIT(1)	/* table (levels 0-2) or page (3) */
#define GPTE_ATTRIDX		G_MASK(4, 2)
#define GPTE_AP_EL0		G_BIT(6)	/* AP[1]: unprivileged access */
#define GPTE_AP_RO		G_BIT(7)	/* AP[2]: read-only */
#define GPTE_SH			G_MASK(9, 8)
#define GPTE_AF			G_BIT(10)
#define GPTE_NG			G_BIT(11)
#define GPTE_ADDR		G_MASK(47, 12)
#define GPTE_XN			G_BIT(54)
#define GPTE_APTABLE_RO		G_BIT(62)	/* APTable[1] */

/* Attributes of an ordinary read-write, non-global, accessed page. */
#define GPTE_RW_NG	(GPTE_AP_EL0 | g_field(GPTE_SH, 3) | GPTE_AF | \
			 GPTE_NG | GPTE_XN)

static inline uint64_t pte_table(uint64_t table_ipa)
{
	return GPTE_VALID | GPTE_TABLE | (table_ipa & GPTE_ADDR);
}

/* A leaf: a page at level 3, a block above it. @attrs GPTE_* bits. */
static inline uint64_t pte_leaf(unsigned int level, uint64_t out_ipa,
				uint64_t attrs)
{
	return GPTE_VALID | (level == 3 ? GPTE_TABLE : 0) |
	       (out_ipa & GPTE_ADDR) | attrs;
}

/* ---- guest RAM: one host buffer mapped at one IPA range ---------------- */

/**
 * struct guest_ram - guest memory with a bump allocator
 * @host: host address of IPA @ipa
 * @ipa: first IPA
 * @size: bytes
 * @next: next free offset
 */
struct guest_ram {
	uint8_t *host;
	uint64_t ipa;
	uint64_t size;
	uint64_t next;
};

static inline bool gram_has(const struct guest_ram *g, uint64_t ipa,
			    uint64_t len)
{
	return ipa >= g->ipa && ipa - g->ipa <= g->size &&
	       len <= g->size - (ipa - g->ipa);
}

/* Host address of @ipa; the caller keeps @ipa inside the RAM (gram_has()). */
static inline void *gram_ptr(const struct guest_ram *g, uint64_t ipa)
{
	return g->host + (ipa - g->ipa);
}

/* Zeroed, @align-aligned IPA of @len bytes, or 0 when the RAM is full. */
static inline uint64_t gram_alloc(struct guest_ram *g, uint64_t len,
				  uint64_t align)
{
	uint64_t ipa = (g->ipa + g->next + align - 1) & ~(align - 1);

	if (!gram_has(g, ipa, len))
		return 0;
	g->next = ipa + len - g->ipa;
	memset(gram_ptr(g, ipa), 0, len);
	return ipa;
}

static inline void gram_w64(const struct guest_ram *g, uint64_t ipa,
			    uint64_t val)
{
	memcpy(gram_ptr(g, ipa), &val, sizeof(val));
}

static inline uint64_t gram_r64(const struct guest_ram *g, uint64_t ipa)
{
	uint64_t val;

	memcpy(&val, gram_ptr(g, ipa), sizeof(val));
	return val;
}

/* ---- stage-1 tables ---------------------------------------------------- */

/**
 * struct s1_pt - one stage-1 table tree (one TTBn) in guest RAM
 * @g: the RAM tables come from
 * @gshift: granule, 12, 14 or 16
 * @tsz: TnSZ: the tree translates the low 64 - tsz bits of a VA
 * @root: IPA of the start-level table
 * @start: start level (0..3)
 */
struct s1_pt {
	struct guest_ram *g;
	unsigned int gshift;
	unsigned int tsz;
	uint64_t root;
	unsigned int start;
};

/* Bits a table at @level resolves sit from s1_shift() up. */
static inline unsigned int s1_shift(unsigned int gshift, unsigned int level)
{
	return gshift + (3 - level) * (gshift - 3);
}

static inline unsigned int s1_start_level(unsigned int gshift,
					  unsigned int tsz)
{
	unsigned int stride = gshift - 3, bits = 64 - tsz - gshift;

	return 4 - (bits + stride - 1) / stride;
}

/* Bytes of the table at @level (the start level may be smaller). */
static inline uint64_t s1_table_bytes(const struct s1_pt *pt,
				      unsigned int level)
{
	unsigned int bits = level == pt->start ?
		64 - pt->tsz - s1_shift(pt->gshift, level) : pt->gshift - 3;

	return 8ULL << bits;
}

/* The root table is allocated; returns its IPA, 0 if the RAM is full. */
static inline uint64_t s1_pt_init(struct s1_pt *pt, struct guest_ram *g,
				  unsigned int gshift, unsigned int tsz)
{
	pt->g = g;
	pt->gshift = gshift;
	pt->tsz = tsz;
	pt->start = s1_start_level(gshift, tsz);
	pt->root = gram_alloc(g, 1ULL << gshift, 1ULL << gshift);
	return pt->root;
}

static inline uint64_t s1_index(const struct s1_pt *pt, uint64_t va,
				unsigned int level)
{
	unsigned int shift = s1_shift(pt->gshift, level);
	unsigned int bits = level == pt->start ? 64 - pt->tsz - shift :
						 pt->gshift - 3;

	return (va >> shift) & ((1ULL << bits) - 1);
}

/*
 * IPA of the descriptor for @va at @level, making the tables above it as
 * needed (an existing non-table descriptor on the way is replaced). 0 when
 * the RAM is full or @level is above the start level.
 */
static inline uint64_t s1_desc_ipa(struct s1_pt *pt, uint64_t va,
				   unsigned int level)
{
	uint64_t table = pt->root, d, next;
	unsigned int l;

	if (level < pt->start || level > 3)
		return 0;
	for (l = pt->start; l < level; l++) {
		uint64_t at = table + 8 * s1_index(pt, va, l);

		d = gram_r64(pt->g, at);
		if ((d & 3) == 3) {
			table = d & GPTE_ADDR;
			continue;
		}
		next = gram_alloc(pt->g, 1ULL << pt->gshift,
				  1ULL << pt->gshift);
		if (!next)
			return 0;
		gram_w64(pt->g, at, pte_table(next));
		table = next;
	}
	return table + 8 * s1_index(pt, va, level);
}

/*
 * Map @va to @out_ipa with a leaf at @level (3: a page; 1 or 2: a block of
 * 1 << s1_shift(gshift, level) bytes). Returns the descriptor's IPA (to edit
 * it later) or 0.
 */
static inline uint64_t s1_map(struct s1_pt *pt, uint64_t va, uint64_t out_ipa,
			      unsigned int level, uint64_t attrs)
{
	uint64_t at = s1_desc_ipa(pt, va, level);

	if (at)
		gram_w64(pt->g, at, pte_leaf(level, out_ipa, attrs));
	return at;
}

/* ---- commands (4.x), 16 bytes --------------------------------------------- */

#define GCMD0_OP		G_MASK(7, 0)
#define GCMD0_SSV		G_BIT(11)
#define GCMD_PREFETCH_CFG	0x01
#define GCMD_CFGI_STE		0x03
#define GCMD_CFGI_ALL		0x04
#define GCMD_CFGI_CD		0x05
#define GCMD_CFGI_CD_ALL	0x06
#define GCMD_TLBI_NH_ALL	0x10
#define GCMD_TLBI_NH_ASID	0x11
#define GCMD_TLBI_NH_VA		0x12
#define GCMD_TLBI_NH_VAA	0x13
#define GCMD_TLBI_S12_VMALL	0x28
#define GCMD_TLBI_NSNH_ALL	0x30
#define GCMD_ATC_INV		0x40
#define GCMD_CMD_SYNC		0x46

#define GCMD_TLBI0_NUM		G_MASK(16, 12)
#define GCMD_TLBI0_SCALE	G_MASK(24, 20)
#define GCMD_TLBI0_VMID		G_MASK(47, 32)
#define GCMD_TLBI0_ASID		G_MASK(63, 48)
#define GCMD_TLBI1_LEAF		G_BIT(0)
#define GCMD_TLBI1_TTL		G_MASK(9, 8)
#define GCMD_TLBI1_TG		G_MASK(11, 10)
#define GCMD_TLBI1_VA		G_MASK(63, 12)
#define GCMD_SSID		G_MASK(31, 12)
#define GCMD_SID		G_MASK(63, 32)
#define GCMD_CFGI1_LEAF		G_BIT(0)
#define GCMD_ATC0_GLOBAL	G_BIT(9)
#define GCMD_ATC1_SIZE		G_MASK(5, 0)
#define GCMD_ATC1_ADDR		G_MASK(63, 12)

struct gcmd {
	uint64_t w[2];
};

static inline struct gcmd cmd_op(unsigned int op)
{
	struct gcmd c = { { g_field(GCMD0_OP, op), 0 } };

	return c;
}

/* TLBI granule code of a range: 1 4K, 2 16K, 3 64K (0: no range). */
static inline unsigned int cmd_tg(unsigned int gshift)
{
	return (gshift - 10) / 2;
}

/*
 * TLBI_NH_VA: entries of @asid (and global ones) holding @va; with @tg
 * (cmd_tg()) a range of (@num + 1) << @scale granules from @va.
 */
static inline struct gcmd cmd_tlbi_nh_va(uint16_t asid, uint64_t va, bool leaf,
					 unsigned int tg, unsigned int num,
					 unsigned int scale)
{
	struct gcmd c = cmd_op(GCMD_TLBI_NH_VA);

	c.w[0] |= g_field(GCMD_TLBI0_ASID, asid) |
		  g_field(GCMD_TLBI0_NUM, num) |
		  g_field(GCMD_TLBI0_SCALE, scale);
	c.w[1] = (va & GCMD_TLBI1_VA) | g_field(GCMD_TLBI1_TG, tg) |
		 (leaf ? GCMD_TLBI1_LEAF : 0);
	return c;
}

/* TLBI_NH_VAA: @va (or the range) for every ASID. */
static inline struct gcmd cmd_tlbi_nh_vaa(uint64_t va, bool leaf,
					  unsigned int tg, unsigned int num,
					  unsigned int scale)
{
	struct gcmd c = cmd_tlbi_nh_va(0, va, leaf, tg, num, scale);

	c.w[0] = (c.w[0] & ~GCMD0_OP) | g_field(GCMD0_OP, GCMD_TLBI_NH_VAA);
	return c;
}

static inline struct gcmd cmd_tlbi_nh_asid(uint16_t asid)
{
	struct gcmd c = cmd_op(GCMD_TLBI_NH_ASID);

	c.w[0] |= g_field(GCMD_TLBI0_ASID, asid);
	return c;
}

static inline struct gcmd cmd_tlbi_nh_all(void)
{
	return cmd_op(GCMD_TLBI_NH_ALL);
}

static inline struct gcmd cmd_tlbi_nsnh_all(void)
{
	return cmd_op(GCMD_TLBI_NSNH_ALL);
}

static inline struct gcmd cmd_cfgi_cd(uint32_t sid, uint32_t ssid, bool leaf)
{
	struct gcmd c = cmd_op(GCMD_CFGI_CD);

	c.w[0] |= g_field(GCMD_SSID, ssid) | g_field(GCMD_SID, sid);
	c.w[1] = leaf ? GCMD_CFGI1_LEAF : 0;
	return c;
}

static inline struct gcmd cmd_cfgi_cd_all(uint32_t sid)
{
	struct gcmd c = cmd_op(GCMD_CFGI_CD_ALL);

	c.w[0] |= g_field(GCMD_SID, sid);
	return c;
}

/* ATC_INV of the whole ATC (size 52) of @sid, no substream. */
static inline struct gcmd cmd_atc_inv_all(uint32_t sid)
{
	struct gcmd c = cmd_op(GCMD_ATC_INV);

	c.w[0] |= g_field(GCMD_SID, sid);
	c.w[1] = g_field(GCMD_ATC1_SIZE, 52);
	return c;
}

/* ---- event records (7.3), 32 bytes ------------------------------------------ */

#define GEVT_F_STREAM_DISABLED	0x06
#define GEVT_C_BAD_SUBSTREAMID	0x08
#define GEVT_F_CD_FETCH		0x09
#define GEVT_C_BAD_CD		0x0a
#define GEVT_F_TRANSLATION	0x10
#define GEVT_F_ADDR_SIZE	0x11
#define GEVT_F_ACCESS		0x12
#define GEVT_F_PERMISSION	0x13

#define GEVT0_ID		G_MASK(7, 0)
#define GEVT0_SSV		G_BIT(11)
#define GEVT0_SSID		G_MASK(31, 12)
#define GEVT0_SID		G_MASK(63, 32)
#define GEVT1_PNU		G_BIT(33)
#define GEVT1_IND		G_BIT(34)
#define GEVT1_RNW		G_BIT(35)
#define GEVT1_S2		G_BIT(39)
#define GEVT1_CLASS		G_MASK(41, 40)
#define GEVT_CLASS_CD		0
#define GEVT_CLASS_TT		1
#define GEVT_CLASS_IN		2

static inline unsigned int evt_id(const uint64_t *e)
{
	return g_get(e[0], GEVT0_ID);
}

static inline bool evt_ssv(const uint64_t *e)
{
	return e[0] & GEVT0_SSV;
}

static inline uint32_t evt_ssid(const uint64_t *e)
{
	return g_get(e[0], GEVT0_SSID);
}

static inline uint32_t evt_sid(const uint64_t *e)
{
	return g_get(e[0], GEVT0_SID);
}

static inline bool evt_rnw(const uint64_t *e)
{
	return e[1] & GEVT1_RNW;
}

static inline bool evt_s2(const uint64_t *e)
{
	return e[1] & GEVT1_S2;
}

static inline unsigned int evt_class(const uint64_t *e)
{
	return g_get(e[1], GEVT1_CLASS);
}

static inline uint64_t evt_addr(const uint64_t *e)
{
	return e[2];
}

#endif /* SMMUV3_GUEST_H */
