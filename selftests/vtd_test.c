// SPDX-License-Identifier: GPL-2.0
/*
 * The VT-d instance: upstream's Intel VT-d nesting uAPI over a nest
 * parent, a device's DMA through the guest's x86-64 first-stage table in
 * guest RAM (an IOAS-mapped buffer, one IOAS area per page so a test can
 * take single pages out of stage 2), the PASID-tagged IOTLB and its
 * invalidation, PASID attachments (through the device's VFIO file) and
 * formats that must not mix. The guest's tables are built with
 * vtd_guest.h; IOMMU_MOCK_DMA is the device. Every data page holds its own
 * byte, so a read tells which page the walk reached.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdint.h>

#include <linux/vfio.h>

#include "mock_helpers.h"
#include "mock_vfio.h"
#include "vtd_guest.h"

#define GPA_BASE	0x40000000ULL	/* guest RAM, mapped in stage 2 */
#define GRAM_PAGES	160
#define SID		0x310
#define VSID		0x311		/* the VFIO device, for PASIDs */
#define OUT_2M		0x80000000ULL	/* 2 MiB leaf output (IPA) */
#define OUT_1G		0x100000000ULL	/* 1 GiB leaf output (IPA) */
#define PASID_P		0x42
#define PASID_Q		0x43
#define AW4		48
#define AW5		57
#define MOCK_VTD_SW_TAG	0x20		/* first data tag */

#define IOTLB_PARAM "/sys/module/iommufd_mock/parameters/vtd_iotlb_entries"

#define T_PASID_FLAG	(1 << 0)

FIXTURE(vtd) {
	int fd;
	uint32_t dev, ioas, s2;
	struct vg_ram g;
	uint8_t tag;		/* next data page's byte */
	int dfd;		/* VFIO device file, -1 if none */
	bool vfio;		/* VSID added on the VT-d instance */
	uint32_t vdev;		/* its dev_id */
	char saved_iotlb[32];	/* vtd_iotlb_entries to restore, or "" */
};

FIXTURE_SETUP(vtd)
{
	uint64_t i;

	self->dfd = -1;
	self->vfio = false;
	self->saved_iotlb[0] = 0;
	self->tag = MOCK_VTD_SW_TAG;
	self->fd = mock_open();
	ASSERT_LE(0, self->fd);
	self->g.host = mmap(NULL, GRAM_PAGES * MOCK_PAGE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->g.host);
	self->g.ipa = GPA_BASE;
	self->g.size = GRAM_PAGES * MOCK_PAGE;
	self->g.next = 0;
	ASSERT_EQ(0, dev_alloc(self->fd, MOCK_VTD_INST, SID, &self->dev));
	ASSERT_EQ(0, ioas_alloc(self->fd, &self->ioas));
	for (i = 0; i < GRAM_PAGES; i++)
		ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas,
					    self->g.host + i * MOCK_PAGE,
					    MOCK_PAGE, GPA_BASE + i * MOCK_PAGE));
	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev, self->ioas,
				IOMMU_HWPT_ALLOC_NEST_PARENT, &self->s2));
}

FIXTURE_TEARDOWN(vtd)
{
	char buf[64];

	if (self->saved_iotlb[0])
		param_rw(IOTLB_PARAM, self->saved_iotlb, 0, true);
	if (self->dfd >= 0)
		close(self->dfd);
	if (self->vfio) {
		snprintf(buf, sizeof(buf), "%u %u", MOCK_VTD_INST, VSID);
		sysfs_write(SYSFS_BUS "/vfio_remove", buf);
	}
	if (self->fd >= 0)
		close(self->fd);
}

/* ---- guest side -------------------------------------------------------- */

/* A data page in guest RAM holding its own byte everywhere: its IPA */
static uint64_t dpage(FIXTURE_DATA(vtd) *self, uint8_t *tag)
{
	uint64_t ipa = vg_page(&self->g);

	if (ipa) {
		*tag = self->tag++;
		memset(vg_ptr(&self->g, ipa), *tag, MOCK_PAGE);
	}
	return ipa;
}

/* A page outside guest RAM mapped at @ipa in stage 2, all @tag: its memory */
static uint8_t *xpage(FIXTURE_DATA(vtd) *self, uint64_t ipa, uint8_t tag)
{
	uint8_t *p = mock_pages(1, tag);

	if (p == MAP_FAILED)
		return NULL;
	if (ioas_map_fixed(self->fd, self->ioas, p, MOCK_PAGE, ipa))
		return NULL;
	return p;
}

static uint64_t *ent(FIXTURE_DATA(vtd) *self, uint64_t ipa)
{
	return vg_ptr(&self->g, ipa);
}

/* Take the guest page at @ipa out of stage 2, or put it back */
static int s2_unmap(FIXTURE_DATA(vtd) *self, uint64_t ipa)
{
	return ioas_unmap(self->fd, self->ioas, ipa & ~(MOCK_PAGE - 1),
			  MOCK_PAGE, NULL);
}

static int s2_remap(FIXTURE_DATA(vtd) *self, uint64_t ipa, uint32_t prot)
{
	uint64_t iova = ipa & ~(MOCK_PAGE - 1);

	return ioas_map_flags(self->fd, self->ioas,
			      prot | IOMMU_IOAS_MAP_FIXED_IOVA,
			      vg_ptr(&self->g, iova), MOCK_PAGE, &iova);
}

/* ---- VMM side ------------------------------------------------------------ */

static int nested_alloc_on(FIXTURE_DATA(vtd) *self, uint32_t dev,
			   uint32_t parent, uint32_t hwpt_flags,
			   const struct iommu_hwpt_vtd_s1 *s1, uint32_t *id)
{
	return hwpt_alloc_data(self->fd, dev, parent, hwpt_flags,
			       IOMMU_HWPT_DATA_VTD_S1, s1, sizeof(*s1), id);
}

static int nested_alloc(FIXTURE_DATA(vtd) *self, uint64_t root, uint32_t aw,
			uint64_t flags, uint32_t *id)
{
	struct iommu_hwpt_vtd_s1 s1 = vg_s1(root, aw, flags);

	return nested_alloc_on(self, self->dev, self->s2, 0, &s1, id);
}

/* A nested HWPT on @pt's table, the fixture's device attached to it */
static int install(FIXTURE_DATA(vtd) *self, const struct vg_fs *pt,
		   uint64_t flags, uint32_t *id)
{
	uint32_t nested;
	int rc = nested_alloc(self, pt->root, pt->levels == 5 ? AW5 : AW4,
			      flags, &nested);

	if (rc)
		return rc;
	if (id)
		*id = nested;
	return dev_attach(self->fd, self->dev, nested, NULL);
}

static int inv_n(FIXTURE_DATA(vtd) *self, uint32_t id,
		 const struct iommu_hwpt_vtd_s1_invalidate *inv, uint32_t *num)
{
	return hwpt_invalidate(self->fd, id, IOMMU_HWPT_INVALIDATE_DATA_VTD_S1,
			       inv, sizeof(*inv), num);
}

static int inv1(FIXTURE_DATA(vtd) *self, uint32_t id, uint64_t addr,
		uint64_t npages, bool leaf)
{
	struct iommu_hwpt_vtd_s1_invalidate inv = vg_inv(addr, npages, leaf);
	uint32_t num = 1;

	return inv_n(self, id, &inv, &num);
}

static struct iommu_mock_object_info info(FIXTURE_DATA(vtd) *self,
					  uint32_t id)
{
	struct iommu_mock_object_info i;

	if (mock_obj_info(self->fd, id, &i))
		memset(&i, 0xff, sizeof(i));
	return i;
}

/* A DMA of @dev (PASID @pasid, 0 for none): -errno, *@out the reply */
static int xdma(FIXTURE_DATA(vtd) *self, uint32_t dev, uint32_t flags,
		uint32_t pasid, uint64_t iova, void *buf, uint64_t len,
		struct iommu_mock_dma *out)
{
	struct iommu_mock_dma d = {
		.size = sizeof(d),
		.flags = flags | (pasid ? IOMMU_MOCK_DMA_PASID : 0),
		.dev_id = dev,
		.pasid = pasid,
		.iova = iova,
		.length = len,
		.uptr = U64_PTR(buf),
	};
	int rc = mock_ioctl(self->fd, IOMMU_MOCK_DMA, &d);

	if (out)
		*out = d;
	return rc;
}

static int rd(FIXTURE_DATA(vtd) *self, uint64_t iova, void *buf,
	      uint64_t len, struct iommu_mock_dma *out)
{
	return xdma(self, self->dev, 0, 0, iova, buf, len, out);
}

static int wr(FIXTURE_DATA(vtd) *self, uint64_t iova, const void *buf,
	      uint64_t len, struct iommu_mock_dma *out)
{
	return xdma(self, self->dev, IOMMU_MOCK_DMA_WRITE, 0, iova, (void *)buf,
		    len, out);
}

/* The byte @dev reads at @iova with PASID @pasid (0: none), or -errno */
static int peek(FIXTURE_DATA(vtd) *self, uint32_t dev, uint32_t pasid,
		uint64_t iova)
{
	uint8_t b = 0;
	int rc = xdma(self, dev, 0, pasid, iova, &b, 1, NULL);

	return rc ? rc : b;
}

/* The fault of a DMA, all four outputs */
#define EXPECT_FAULT(d, code, flags, addr, ipa) do {			\
	EXPECT_EQ((uint32_t)(code), (d).out_fault_code);		\
	EXPECT_EQ((uint32_t)(flags), (d).out_fault_flags);		\
	EXPECT_EQ((uint64_t)(addr), (d).out_fault_addr);		\
	EXPECT_EQ((uint64_t)(ipa), (d).out_fault_ipa);			\
} while (0)

#define F_S1	IOMMU_MOCK_DMA_FAULT
#define F_S2	(IOMMU_MOCK_DMA_FAULT | IOMMU_MOCK_DMA_FAULT_S2)
#define F_S2W	(F_S2 | IOMMU_MOCK_DMA_FAULT_WALK)

/* ---- GET_HW_INFO ---------------------------------------------------------- */

TEST_F(vtd, hw_info)
{
	struct iommu_hw_info_vtd hw;
	struct iommu_hw_info cmd;
	uint8_t big[64];

	ASSERT_EQ(0, hw_info_cmd(self->fd, &cmd, self->dev, 0, 0, &hw,
				 sizeof(hw)));
	EXPECT_EQ(IOMMU_HW_INFO_TYPE_INTEL_VTD, cmd.out_data_type);
	EXPECT_EQ(sizeof(hw), cmd.data_len);
	EXPECT_EQ(24, sizeof(hw));
	EXPECT_EQ(IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17, hw.flags);
	EXPECT_EQ(0, hw.__reserved);
	EXPECT_NE(0, hw.cap_reg & VG_CAP_FS1GP);
	EXPECT_NE(0, hw.cap_reg & VG_CAP_FS5LP);
	EXPECT_NE(0, hw.cap_reg & VG_CAP_PSI);
	EXPECT_EQ(48, VG_CAP_MGAW(hw.cap_reg));
	EXPECT_EQ(6, VG_CAP_ND(hw.cap_reg));
	EXPECT_NE(0, VG_CAP_SAGAW(hw.cap_reg) & 4);	/* 4-level stage 2 */
	EXPECT_NE(0, hw.ecap_reg & VG_ECAP_QI);
	EXPECT_NE(0, hw.ecap_reg & VG_ECAP_NEST);
	EXPECT_NE(0, hw.ecap_reg & VG_ECAP_SRS);
	EXPECT_NE(0, hw.ecap_reg & VG_ECAP_EAFS);
	EXPECT_NE(0, hw.ecap_reg & VG_ECAP_PASID);
	EXPECT_EQ(20, VG_ECAP_PSS(hw.ecap_reg));
	EXPECT_NE(0, hw.ecap_reg & VG_ECAP_SMTS);
	EXPECT_NE(0, hw.ecap_reg & VG_ECAP_SLTS);
	EXPECT_NE(0, hw.ecap_reg & VG_ECAP_FSTS);
	EXPECT_EQ(20, cmd.out_max_pasid_log2);

	/* A longer buffer: the tail is zeroed, the length stays 24 */
	memset(big, 0xaa, sizeof(big));
	ASSERT_EQ(0, hw_info_cmd(self->fd, &cmd, self->dev, 0, 0, big,
				 sizeof(big)));
	EXPECT_EQ(24, cmd.data_len);
	EXPECT_EQ(0, big[24]);
	EXPECT_EQ(0, big[63]);
	/* Asking for the VT-d type is fine; for another type is not */
	EXPECT_EQ(0, hw_info_cmd(self->fd, &cmd, self->dev,
				 IOMMU_HW_INFO_FLAG_INPUT_TYPE,
				 IOMMU_HW_INFO_TYPE_INTEL_VTD, &hw, sizeof(hw)));
	EXPECT_EQ(-EOPNOTSUPP,
		  hw_info_cmd(self->fd, &cmd, self->dev,
			      IOMMU_HW_INFO_FLAG_INPUT_TYPE,
			      IOMMU_HW_INFO_TYPE_ARM_SMMUV3, &hw, sizeof(hw)));
}

/* ---- walks ------------------------------------------------------------------ */

/*
 * Map each VA of @vas (canonical for @levels) to its own data page, then:
 * a read reaches that page, a write lands there, the first pass misses the
 * IOTLB once per page and the second hits.
 */
static void walk_check(struct __test_metadata *_metadata,
		       FIXTURE_DATA(vtd) *self, unsigned int levels,
		       const uint64_t *vas, unsigned int n)
{
	struct iommu_mock_object_info i0, i1, i2;
	uint64_t ipa[16];
	uint8_t tag[16];
	struct vg_fs pt;
	uint32_t nested;
	unsigned int i;
	char msg[8];

	ASSERT_GE(16, n);
	ASSERT_NE(0, vg_fs_init(&pt, &self->g, levels));
	for (i = 0; i < n; i++) {
		ipa[i] = dpage(self, &tag[i]);
		ASSERT_NE(0, ipa[i]);
		ASSERT_NE(0, vg_map(&pt, vas[i], ipa[i], 1, VG_LEAF));
	}
	ASSERT_EQ(0, install(self, &pt, 0, &nested));
	i0 = info(self, nested);
	for (i = 0; i < n; i++)
		EXPECT_EQ(tag[i], peek(self, self->dev, 0, vas[i] + 0x123))
			TH_LOG("va 0x%llx", (unsigned long long)vas[i]);
	i1 = info(self, nested);
	EXPECT_EQ(n, i1.out_tlb_misses - i0.out_tlb_misses);
	EXPECT_EQ(0, i1.out_tlb_hits - i0.out_tlb_hits);
	for (i = 0; i < n; i++) {
		snprintf(msg, sizeof(msg), "w%u", i);
		ASSERT_EQ(0, wr(self, vas[i] + 0x800, msg, 3, NULL));
		EXPECT_EQ(0, memcmp(vg_ptr(&self->g, ipa[i] + 0x800), msg, 3))
			TH_LOG("va 0x%llx", (unsigned long long)vas[i]);
	}
	for (i = 0; i < n; i++)
		EXPECT_EQ(tag[i], peek(self, self->dev, 0, vas[i]));
	i2 = info(self, nested);
	/* Writes re-walk once per page to set D (counted either way) */
	EXPECT_EQ(2 * n, (i2.out_tlb_hits - i1.out_tlb_hits) +
			 (i2.out_tlb_misses - i1.out_tlb_misses));
}

TEST_F(vtd, walk_4level)
{
	const uint64_t vas[] = {
		0x0000000000001000ULL,	/* all indexes 0 but the PT's */
		0x0000000000201000ULL,	/* another PD entry */
		0x0000000040001000ULL,	/* another PDPT entry */
		0x0000008000001000ULL,	/* another PML4 entry */
		0x00007ffffffff000ULL,	/* top of the lower half */
		0xffff800000001000ULL,	/* upper half, PML4 256 */
		0xfffffffffffff000ULL,	/* the last page */
	};

	walk_check(_metadata, self, 4, vas, ARRAY_SIZE(vas));
}

TEST_F(vtd, walk_5level)
{
	const uint64_t vas[] = {
		0x0000000000001000ULL,
		0x0001000000001000ULL,	/* only bits 56:48 differ */
		0x0002000000001000ULL,
		0x00ab000000001000ULL,
		0x0000008000001000ULL,
		0x00fffffffffff000ULL,	/* top of the lower half */
		0xff00000000001000ULL,	/* upper half, PML5 256 */
		0xfffffffffffff000ULL,
	};

	walk_check(_metadata, self, 5, vas, ARRAY_SIZE(vas));
}

/* A DMA across two pages mapped to unrelated guest pages, and one that stops */
TEST_F(vtd, walk_cross_page_partial)
{
	const uint64_t va = 0x7f0000001000ULL;
	uint8_t ta, tb, buf[8], out[8];
	struct iommu_mock_dma d;
	uint64_t a, b;
	struct vg_fs pt;

	ASSERT_NE(0, vg_fs_init(&pt, &self->g, 4));
	b = dpage(self, &tb);
	a = dpage(self, &ta);
	ASSERT_NE(0, vg_map(&pt, va, a, 1, VG_LEAF));
	ASSERT_NE(0, vg_map(&pt, va + MOCK_PAGE, b, 1, VG_LEAF));
	ASSERT_EQ(0, install(self, &pt, 0, NULL));

	memcpy(buf, "ABCDEFGH", 8);
	ASSERT_EQ(0, wr(self, va + MOCK_PAGE - 4, buf, 8, NULL));
	EXPECT_EQ(0, memcmp(vg_ptr(&self->g, a + MOCK_PAGE - 4), "ABCD", 4));
	EXPECT_EQ(0, memcmp(vg_ptr(&self->g, b), "EFGH", 4));
	EXPECT_EQ(tb, *(uint8_t *)vg_ptr(&self->g, b + 4));

	/* The third page is not mapped: the bytes before it arrive */
	memset(out, 0, sizeof(out));
	EXPECT_EQ(-ENOENT, rd(self, 2 * MOCK_PAGE + va - 4, out, 8, &d));
	EXPECT_FAULT(d, VG_FR_FS_NOT_PRESENT, F_S1, va + 2 * MOCK_PAGE, 0);
	EXPECT_EQ(tb, out[0]);
	EXPECT_EQ(tb, out[3]);
	EXPECT_EQ(0, out[4]);
}

/*
 * A @level leaf (2: 2 MiB, 3: 1 GiB) in a @levels table: pages at three
 * offsets of the leaf, each its own stage-2 page; one IOTLB entry serves
 * them all; PAT (bit 12) is not part of the address; the walk sets A on
 * every level and D on the leaf only for a write.
 */
static void leaf_check(struct __test_metadata *_metadata,
		       FIXTURE_DATA(vtd) *self, unsigned int levels,
		       unsigned int level)
{
	const uint64_t size = vg_size(level);
	const uint64_t out = level == 3 ? OUT_1G : OUT_2M;
	const uint64_t va = (levels == 5 ? 0x0003000000000000ULL : 0) +
			    0x0000008000000000ULL + 3 * size;
	const uint64_t off[3] = { 0, size - MOCK_PAGE, size / 2 + 0x3000 };
	struct iommu_mock_object_info i0, i1;
	struct iommu_mock_dma d;
	uint8_t *host[3];
	struct vg_fs pt;
	uint32_t nested;
	unsigned int i, l;
	uint64_t *leaf;

	ASSERT_NE(0, vg_fs_init(&pt, &self->g, levels));
	for (i = 0; i < 3; i++) {
		host[i] = xpage(self, out + off[i], 0x60 + i);
		ASSERT_NE(NULL, host[i]);
	}
	ASSERT_NE(0, vg_map(&pt, va, out, level, VG_LEAF | VG_PAT_LARGE));
	leaf = vg_entry(&pt, va, level);
	ASSERT_EQ(0, install(self, &pt, 0, &nested));

	i0 = info(self, nested);
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0x60 + i, peek(self, self->dev, 0, va + off[i] + 5));
	i1 = info(self, nested);
	EXPECT_EQ(1, i1.out_tlb_misses - i0.out_tlb_misses);
	EXPECT_EQ(2, i1.out_tlb_hits - i0.out_tlb_hits);
	for (l = levels; l >= level; l--)
		EXPECT_EQ(VG_A, *vg_entry(&pt, va, l) & (VG_A | VG_D | VG_EA))
			TH_LOG("level %u", l);

	ASSERT_EQ(0, wr(self, va + off[1] + 0x10, "big", 3, NULL));
	EXPECT_EQ(0, memcmp(host[1] + 0x10, "big", 3));
	EXPECT_EQ(VG_A | VG_D, *leaf & (VG_A | VG_D));
	for (l = levels; l > level; l--)
		EXPECT_EQ(0, *vg_entry(&pt, va, l) & VG_D) TH_LOG("level %u", l);

	/* The next leaf of that level is not present */
	EXPECT_EQ(-ENOENT, rd(self, va + size, &i, 1, &d));
	EXPECT_FAULT(d, VG_FR_FS_NOT_PRESENT, F_S1, va + size, 0);
	/* Inside the leaf but not in stage 2: a stage-2 fault on the data */
	EXPECT_EQ(-ENOENT, rd(self, va + MOCK_PAGE + 8, &i, 1, &d));
	EXPECT_FAULT(d, VG_FR_S2_ACCESS, F_S2, va + MOCK_PAGE + 8,
		     out + MOCK_PAGE + 8);
}

TEST_F(vtd, leaf_2m_4level) { leaf_check(_metadata, self, 4, 2); }
TEST_F(vtd, leaf_1g_4level) { leaf_check(_metadata, self, 4, 3); }
TEST_F(vtd, leaf_2m_5level) { leaf_check(_metadata, self, 5, 2); }
TEST_F(vtd, leaf_1g_5level) { leaf_check(_metadata, self, 5, 3); }

/* Input addresses: bits 63:47 (4-level) or 63:56 (5-level) all equal */
static void canonical_check(struct __test_metadata *_metadata,
			    FIXTURE_DATA(vtd) *self, unsigned int levels,
			    const uint64_t *good, unsigned int ngood,
			    const uint64_t *bad, unsigned int nbad)
{
	struct iommu_mock_dma d;
	struct vg_fs pt;
	uint8_t tag, b;
	unsigned int i;
	uint64_t a;

	ASSERT_NE(0, vg_fs_init(&pt, &self->g, levels));
	for (i = 0; i < ngood; i++) {
		a = dpage(self, &tag);
		ASSERT_NE(0, vg_map(&pt, good[i], a, 1, VG_LEAF));
	}
	ASSERT_EQ(0, install(self, &pt, 0, NULL));
	for (i = 0; i < ngood; i++)
		EXPECT_EQ(MOCK_VTD_SW_TAG + i, peek(self, self->dev, 0, good[i]))
			TH_LOG("va 0x%llx", (unsigned long long)good[i]);
	for (i = 0; i < nbad; i++) {
		EXPECT_EQ(-EIO, rd(self, bad[i], &b, 1, &d))
			TH_LOG("va 0x%llx", (unsigned long long)bad[i]);
		EXPECT_FAULT(d, VG_FR_NOT_CANONICAL, F_S1, bad[i], 0);
		EXPECT_EQ(-EIO, wr(self, bad[i], &b, 1, &d));
		EXPECT_EQ(VG_FR_NOT_CANONICAL, d.out_fault_code);
	}
}

TEST_F(vtd, canonical_4level)
{
	const uint64_t good[] = {
		0x00007ffffffff000ULL, 0xffff800000000000ULL,
	};
	const uint64_t bad[] = {
		0x0000800000000000ULL,	/* bit 47 alone */
		0x0001000000000000ULL,	/* bit 48: a 5-level address */
		0x00ab000000001000ULL,
		0xffff7ffffffff000ULL,	/* upper bits set, bit 47 clear */
		0x8000000000000000ULL,
		0x7fff800000000000ULL,
	};

	canonical_check(_metadata, self, 4, good, ARRAY_SIZE(good), bad,
			ARRAY_SIZE(bad));
}

TEST_F(vtd, canonical_5level)
{
	const uint64_t good[] = {
		0x00fffffffffff000ULL, 0xff00000000000000ULL,
		0x0000800000000000ULL,	/* bad at 4 levels, fine at 5 */
	};
	const uint64_t bad[] = {
		0x0100000000000000ULL,	/* bit 56 alone */
		0xfefffffffffff000ULL,
		0x8000000000000000ULL,
		0x7f00000000000000ULL,
	};

	canonical_check(_metadata, self, 5, good, ARRAY_SIZE(good), bad,
			ARRAY_SIZE(bad));
}

/*
 * P = 0 in the entry of @level: ENOENT, 0x71, a first-stage fault; the
 * entries above keep A clear (flags are set only by a walk that succeeds)
 */
static void np_check(struct __test_metadata *_metadata,
		     FIXTURE_DATA(vtd) *self, unsigned int levels,
		     unsigned int level)
{
	const uint64_t va = vg_canonical(0x00a5a5a5a5a5a000ULL, levels);
	struct iommu_mock_dma d;
	uint64_t a, *e[6];
	struct vg_fs pt;
	unsigned int l;
	uint8_t tag, b;

	ASSERT_NE(0, vg_fs_init(&pt, &self->g, levels));
	a = dpage(self, &tag);
	ASSERT_NE(0, vg_map(&pt, va, a, 1, VG_LEAF));
	/* The entries, taken before the path is cut */
	for (l = levels; l >= 1; l--)
		e[l] = vg_entry(&pt, va, l);
	*e[level] &= ~VG_P;
	ASSERT_EQ(0, install(self, &pt, 0, NULL));
	EXPECT_EQ(-ENOENT, rd(self, va + 0x40, &b, 1, &d));
	EXPECT_FAULT(d, VG_FR_FS_NOT_PRESENT, F_S1, va + 0x40, 0);
	EXPECT_EQ(-ENOENT, wr(self, va, &b, 1, &d));
	EXPECT_FAULT(d, VG_FR_FS_NOT_PRESENT, F_S1, va, 0);
	for (l = levels; l >= 1; l--)
		EXPECT_EQ(0, *e[l] & (VG_A | VG_D)) TH_LOG("level %u", l);
	/* Made present, without an invalidation: faults are not cached */
	*e[level] |= VG_P;
	EXPECT_EQ(tag, peek(self, self->dev, 0, va));
}

TEST_F(vtd, not_present_4l_pml4) { np_check(_metadata, self, 4, 4); }
TEST_F(vtd, not_present_4l_pdpt) { np_check(_metadata, self, 4, 3); }
TEST_F(vtd, not_present_4l_pd) { np_check(_metadata, self, 4, 2); }
TEST_F(vtd, not_present_4l_pt) { np_check(_metadata, self, 4, 1); }
TEST_F(vtd, not_present_5l_pml5) { np_check(_metadata, self, 5, 5); }
TEST_F(vtd, not_present_5l_pml4) { np_check(_metadata, self, 5, 4); }
TEST_F(vtd, not_present_5l_pt) { np_check(_metadata, self, 5, 1); }

/* An entry with @bits added at @level faults with @code, EIO */
static void bad_entry(struct __test_metadata *_metadata,
		      FIXTURE_DATA(vtd) *self, unsigned int levels,
		      unsigned int leaf_level, unsigned int level,
		      uint64_t bits, uint32_t code)
{
	const uint64_t va = vg_canonical(0x005a5a5a40000000ULL, levels);
	struct iommu_mock_dma d;
	struct vg_fs pt;
	uint8_t tag, b;
	uint64_t a, *e, old;

	ASSERT_NE(0, vg_fs_init(&pt, &self->g, levels));
	if (leaf_level == 1) {
		a = dpage(self, &tag);
	} else {
		a = leaf_level == 3 ? OUT_1G : OUT_2M;
		tag = 0x77;
		ASSERT_NE(NULL, xpage(self, a, tag));
	}
	ASSERT_NE(0, vg_map(&pt, va, a, leaf_level, VG_LEAF));
	e = vg_entry(&pt, va, level);
	old = *e;
	*e |= bits;
	ASSERT_EQ(0, install(self, &pt, 0, NULL));
	EXPECT_EQ(-EIO, rd(self, va + 8, &b, 1, &d))
		TH_LOG("level %u bits 0x%llx", level, (unsigned long long)bits);
	EXPECT_FAULT(d, code, F_S1, va + 8, 0);
	EXPECT_EQ(-EIO, wr(self, va + 8, &b, 1, &d));
	EXPECT_EQ(code, d.out_fault_code);
	*e = old;
	EXPECT_EQ(tag, peek(self, self->dev, 0, va + 8));
}

TEST_F(vtd, reserved_ps_pml4)
{
	bad_entry(_metadata, self, 4, 1, 4, VG_PS, VG_FR_FS_RESERVED);
}

TEST_F(vtd, reserved_ps_pml5)
{
	bad_entry(_metadata, self, 5, 1, 5, VG_PS, VG_FR_FS_RESERVED);
}

TEST_F(vtd, reserved_ps_pml4_of_5level)
{
	bad_entry(_metadata, self, 5, 1, 4, VG_PS, VG_FR_FS_RESERVED);
}

TEST_F(vtd, reserved_2m_bit13)
{
	bad_entry(_metadata, self, 4, 2, 2, VG_BIT(13), VG_FR_FS_RESERVED);
}

TEST_F(vtd, reserved_2m_bit20)
{
	bad_entry(_metadata, self, 4, 2, 2, VG_BIT(20), VG_FR_FS_RESERVED);
}

TEST_F(vtd, reserved_1g_bit13)
{
	bad_entry(_metadata, self, 4, 3, 3, VG_BIT(13), VG_FR_FS_RESERVED);
}

TEST_F(vtd, reserved_1g_bit21)
{
	bad_entry(_metadata, self, 4, 3, 3, VG_BIT(21), VG_FR_FS_RESERVED);
}

TEST_F(vtd, reserved_1g_bit29)
{
	bad_entry(_metadata, self, 5, 3, 3, VG_BIT(29), VG_FR_FS_RESERVED);
}

/* Table and page addresses above the 48-bit stage-2 input: 0x74 */
TEST_F(vtd, beyond_mgaw_table)
{
	bad_entry(_metadata, self, 4, 1, 3, VG_BIT(48), VG_FR_FS_BEYOND_MGAW);
}

TEST_F(vtd, beyond_mgaw_leaf)
{
	bad_entry(_metadata, self, 4, 1, 1, VG_BIT(51), VG_FR_FS_BEYOND_MGAW);
}

TEST_F(vtd, beyond_mgaw_large_leaf)
{
	bad_entry(_metadata, self, 5, 2, 2, VG_BIT(50), VG_FR_FS_BEYOND_MGAW);
}

/* ---- permissions and A/D ------------------------------------------------------ */

/* U/S = 0 anywhere: device DMA is a user request, 0x81 (SRE or not) */
static void us_check(struct __test_metadata *_metadata,
		     FIXTURE_DATA(vtd) *self, unsigned int level,
		     uint64_t s1_flags)
{
	const uint64_t va = 0x0000123456789000ULL;
	struct iommu_mock_dma d;
	struct vg_fs pt;
	uint8_t tag, b;
	uint64_t a;

	ASSERT_NE(0, vg_fs_init(&pt, &self->g, 4));
	a = dpage(self, &tag);
	ASSERT_NE(0, vg_map(&pt, va, a, 1, VG_LEAF));
	*vg_entry(&pt, va, level) &= ~VG_US;
	ASSERT_EQ(0, install(self, &pt, s1_flags, NULL));
	EXPECT_EQ(-EPERM, rd(self, va, &b, 1, &d));
	EXPECT_FAULT(d, VG_FR_US, F_S1, va, 0);
	EXPECT_EQ(-EPERM, wr(self, va + 4, &b, 1, &d));
	EXPECT_FAULT(d, VG_FR_US, F_S1, va + 4, 0);
	EXPECT_EQ(0, *vg_entry(&pt, va, 4) & VG_A);
}

TEST_F(vtd, us_clear_pdpt) { us_check(_metadata, self, 3, 0); }
TEST_F(vtd, us_clear_leaf) { us_check(_metadata, self, 1, 0); }
TEST_F(vtd, us_clear_pml4_sre)
{
	us_check(_metadata, self, 4, IOMMU_VTD_S1_SRE);
}

/* R/W = 0 in the leaf or a table: reads work, writes fault 0x85 */
static void ro_check(struct __test_metadata *_metadata,
		     FIXTURE_DATA(vtd) *self, unsigned int level,
		     uint64_t s1_flags)
{
	const uint64_t va = 0x0000222222222000ULL;
	struct iommu_mock_dma d;
	struct vg_fs pt;
	uint8_t tag, b = 0x99;
	uint64_t a, *leaf;

	ASSERT_NE(0, vg_fs_init(&pt, &self->g, 4));
	a = dpage(self, &tag);
	ASSERT_NE(0, vg_map(&pt, va, a, 1, VG_LEAF));
	*vg_entry(&pt, va, level) &= ~VG_RW;
	leaf = vg_entry(&pt, va, 1);
	ASSERT_EQ(0, install(self, &pt, s1_flags, NULL));
	/* A write first (a walk), then a read, then a write on the entry */
	EXPECT_EQ(-EPERM, wr(self, va + 0x10, &b, 1, &d));
	EXPECT_FAULT(d, VG_FR_NO_WRITE, F_S1, va + 0x10, 0);
	EXPECT_EQ(0, *leaf & (VG_A | VG_D));
	EXPECT_EQ(tag, peek(self, self->dev, 0, va + 0x10));
	EXPECT_EQ(VG_A, *leaf & (VG_A | VG_D));
	EXPECT_EQ(-EPERM, wr(self, va + 0x20, &b, 1, &d));
	EXPECT_FAULT(d, VG_FR_NO_WRITE, F_S1, va + 0x20, 0);
	EXPECT_EQ(0, *leaf & VG_D);
	EXPECT_EQ(tag, *(uint8_t *)vg_ptr(&self->g, a + 0x10));
	EXPECT_EQ(tag, *(uint8_t *)vg_ptr(&self->g, a + 0x20));
}

TEST_F(vtd, read_only_leaf) { ro_check(_metadata, self, 1, 0); }
TEST_F(vtd, read_only_pd) { ro_check(_metadata, self, 2, 0); }
/* WPE without SRE is accepted and ignored; user requests obey R/W anyway */
TEST_F(vtd, read_only_wpe_no_sre)
{
	ro_check(_metadata, self, 1, IOMMU_VTD_S1_WPE);
}

TEST_F(vtd, read_only_sre_wpe)
{
	ro_check(_metadata, self, 3, IOMMU_VTD_S1_SRE | IOMMU_VTD_S1_WPE);
}

/*
 * A read sets A on every level walked and nothing else; a write sets D
 * in the leaf only; EA (bit 10) only with EAFE, then on every level
 */
static void ad_check(struct __test_metadata *_metadata,
		     FIXTURE_DATA(vtd) *self, unsigned int levels, bool eafe)
{
	const uint64_t va = vg_canonical(0x0012345678abc000ULL, levels);
	const uint64_t va2 = va + MOCK_PAGE;
	const uint64_t acc = VG_A | (eafe ? VG_EA : 0);
	struct vg_fs pt;
	uint8_t tag, b;
	unsigned int l;

	ASSERT_NE(0, vg_fs_init(&pt, &self->g, levels));
	ASSERT_NE(0, vg_map(&pt, va, dpage(self, &tag), 1, VG_LEAF));
	ASSERT_NE(0, vg_map(&pt, va2, dpage(self, &tag), 1, VG_LEAF));
	ASSERT_EQ(0, install(self, &pt, eafe ? IOMMU_VTD_S1_EAFE : 0, NULL));
	for (l = levels; l >= 1; l--)
		EXPECT_EQ(0, *vg_entry(&pt, va, l) & (VG_A | VG_D | VG_EA));

	EXPECT_LE(0, peek(self, self->dev, 0, va));
	for (l = levels; l >= 1; l--)
		EXPECT_EQ(acc, *vg_entry(&pt, va, l) & (VG_A | VG_D | VG_EA))
			TH_LOG("level %u after a read", l);
	EXPECT_EQ(0, *vg_entry(&pt, va2, 1) & (VG_A | VG_D | VG_EA));

	b = 1;
	ASSERT_EQ(0, wr(self, va2, &b, 1, NULL));
	for (l = levels; l >= 2; l--)
		EXPECT_EQ(acc, *vg_entry(&pt, va2, l) & (VG_A | VG_D | VG_EA))
			TH_LOG("level %u after a write", l);
	EXPECT_EQ(acc | VG_D, *vg_entry(&pt, va2, 1) & (VG_A | VG_D | VG_EA));
	EXPECT_EQ(acc, *vg_entry(&pt, va, 1) & (VG_A | VG_D | VG_EA));
}

TEST_F(vtd, ad_4level) { ad_check(_metadata, self, 4, false); }
TEST_F(vtd, ad_5level) { ad_check(_metadata, self, 5, false); }
TEST_F(vtd, ad_eafe_4level) { ad_check(_metadata, self, 4, true); }
TEST_F(vtd, ad_eafe_5level) { ad_check(_metadata, self, 5, true); }

/*
 * An IOTLB entry a read made (D clear) does not serve a write: the write
 * walks again (the guest cleared A meanwhile: the walk sets it again) and
 * sets D; the entry it leaves serves the next write without a walk.
 */
TEST_F(vtd, dirty_rewalk)
{
	const uint64_t va = 0x0000333333333000ULL;
	struct iommu_mock_object_info i0, i1, i2;
	struct vg_fs pt;
	uint32_t nested;
	unsigned int l;
	uint8_t tag, b = 7;
	uint64_t a;

	ASSERT_NE(0, vg_fs_init(&pt, &self->g, 4));
	a = dpage(self, &tag);
	ASSERT_NE(0, vg_map(&pt, va, a, 1, VG_LEAF));
	ASSERT_EQ(0, install(self, &pt, 0, &nested));
	EXPECT_EQ(tag, peek(self, self->dev, 0, va));
	EXPECT_EQ(VG_A, *vg_entry(&pt, va, 1) & (VG_A | VG_D));
	for (l = 4; l >= 1; l--)
		*vg_entry(&pt, va, l) &= ~VG_A;

	i0 = info(self, nested);
	ASSERT_EQ(0, wr(self, va + 1, &b, 1, NULL));
	i1 = info(self, nested);
	EXPECT_EQ(b, *(uint8_t *)vg_ptr(&self->g, a + 1));
	for (l = 4; l >= 2; l--)
		EXPECT_EQ(VG_A, *vg_entry(&pt, va, l) & (VG_A | VG_D))
			TH_LOG("level %u", l);
	EXPECT_EQ(VG_A | VG_D, *vg_entry(&pt, va, 1) & (VG_A | VG_D));
	/* The write walked: a miss, not a hit (uAPI: misses walked) */
	EXPECT_EQ(1, i1.out_tlb_misses - i0.out_tlb_misses);
	EXPECT_EQ(0, i1.out_tlb_hits - i0.out_tlb_hits);

	/* The dirty entry serves writes: no walk sets A again */
	for (l = 4; l >= 1; l--)
		*vg_entry(&pt, va, l) &= ~VG_A;
	ASSERT_EQ(0, wr(self, va + 2, &b, 1, NULL));
	i2 = info(self, nested);
	EXPECT_EQ(0, i2.out_tlb_misses - i1.out_tlb_misses);
	EXPECT_EQ(1, i2.out_tlb_hits - i1.out_tlb_hits);
	for (l = 4; l >= 1; l--)
		EXPECT_EQ(0, *vg_entry(&pt, va, l) & VG_A);
}

/* ---- stage-2 faults ---------------------------------------------------------- */

/*
 * The table page of each level taken out of stage 2: the walk's fetch of
 * that entry faults (ENOENT, 0x78, FAULT | S2 | WALK, the entry's IPA)
 */
TEST_F(vtd, s2_fault_walk)
{
	const uint64_t va = 0x00000abcdef12000ULL;
	struct iommu_mock_dma d;
	struct vg_fs pt;
	unsigned int l;
	uint64_t e_ipa;
	uint8_t tag, b;

	ASSERT_NE(0, vg_fs_init(&pt, &self->g, 4));
	ASSERT_NE(0, vg_map(&pt, va, dpage(self, &tag), 1, VG_LEAF));
	ASSERT_EQ(0, install(self, &pt, 0, NULL));
	for (l = 4; l >= 1; l--) {
		e_ipa = vg_entry_ipa(&pt, va, l);
		ASSERT_EQ(0, s2_unmap(self, e_ipa));
		EXPECT_EQ(-ENOENT, rd(self, va + 0x30, &b, 1, &d))
			TH_LOG("level %u", l);
		EXPECT_FAULT(d, VG_FR_S2_ACCESS, F_S2W, va + 0x30, e_ipa);
		EXPECT_EQ(-ENOENT, wr(self, va, &b, 1, &d));
		EXPECT_FAULT(d, VG_FR_S2_ACCESS, F_S2W, va, e_ipa);
		ASSERT_EQ(0, s2_remap(self, e_ipa, MAP_RW));
	}
	EXPECT_EQ(tag, peek(self, self->dev, 0, va));
}

/* A root beyond the stage-2 input width: the first fetch faults */
TEST_F(vtd, s2_fault_root_beyond)
{
	const uint64_t root = 1ULL << 48;
	struct iommu_mock_dma d;
	uint32_t nested;
	uint8_t b;

	ASSERT_EQ(0, nested_alloc(self, root, AW4, 0, &nested));
	ASSERT_EQ(0, dev_attach(self->fd, self->dev, nested, NULL));
	EXPECT_EQ(-ENOENT, rd(self, 0x8000001000ULL, &b, 1, &d));
	EXPECT_FAULT(d, VG_FR_S2_ACCESS, F_S2W, 0x8000001000ULL, root + 8);
}

/*
 * A table page mapped read-only in stage 2: the walk reads it, but setting
 * A needs a write (EPERM, 0x79, FAULT | S2 | WALK); with A already set in
 * that entry the walk writes nothing there and succeeds
 */
TEST_F(vtd, s2_perm_walk_ad)
{
	const uint64_t va = 0x0000000000402000ULL;
	struct iommu_mock_dma d;
	struct vg_fs pt;
	uint64_t e_ipa;
	uint8_t tag, b;

	ASSERT_NE(0, vg_fs_init(&pt, &self->g, 4));
	ASSERT_NE(0, vg_map(&pt, va, dpage(self, &tag), 1, VG_LEAF));
	e_ipa = vg_entry_ipa(&pt, va, 2);
	ASSERT_EQ(0, s2_unmap(self, e_ipa));
	ASSERT_EQ(0, s2_remap(self, e_ipa, IOMMU_IOAS_MAP_READABLE));
	ASSERT_EQ(0, install(self, &pt, 0, NULL));
	EXPECT_EQ(-EPERM, rd(self, va, &b, 1, &d));
	EXPECT_FAULT(d, VG_FR_S2_PERM, F_S2W, va, e_ipa);
	*ent(self, e_ipa) |= VG_A;
	EXPECT_EQ(tag, peek(self, self->dev, 0, va));
}

/* The data page out of stage 2, or read-only there: faults on the data */
TEST_F(vtd, s2_fault_data)
{
	const uint64_t va = 0x0000444444444000ULL;
	struct iommu_mock_dma d;
	struct vg_fs pt;
	uint8_t tag, b = 3;
	uint64_t a;

	ASSERT_NE(0, vg_fs_init(&pt, &self->g, 4));
	a = dpage(self, &tag);
	ASSERT_NE(0, vg_map(&pt, va, a, 1, VG_LEAF));
	ASSERT_EQ(0, install(self, &pt, 0, NULL));
	ASSERT_EQ(0, s2_unmap(self, a));
	EXPECT_EQ(-ENOENT, rd(self, va + 0x234, &b, 1, &d));
	EXPECT_FAULT(d, VG_FR_S2_ACCESS, F_S2, va + 0x234, a + 0x234);
	/* The first stage was walked fine: A set in the leaf */
	EXPECT_EQ(VG_A, *vg_entry(&pt, va, 1) & (VG_A | VG_D));

	ASSERT_EQ(0, s2_remap(self, a, IOMMU_IOAS_MAP_READABLE));
	EXPECT_EQ(tag, peek(self, self->dev, 0, va + 0x234));
	EXPECT_EQ(-EPERM, wr(self, va + 0x235, &b, 1, &d));
	EXPECT_FAULT(d, VG_FR_S2_PERM, F_S2, va + 0x235, a + 0x235);
	EXPECT_EQ(tag, *(uint8_t *)vg_ptr(&self->g, a + 0x235));
}

/* ---- IOTLB ------------------------------------------------------------------ */

#define NPG		8
#define STALE_VA	0x0000000010000000ULL

struct stale {
	struct vg_fs pt;
	uint32_t nested;
	uint8_t old_tag[NPG], new_tag[NPG];
};

/*
 * NPG pages read through the IOTLB, then every PTE pointed at another page
 * without an invalidation: what a DMA reads tells if the entry was stale
 */
static void stale_setup(struct __test_metadata *_metadata,
			FIXTURE_DATA(vtd) *self, struct stale *st)
{
	uint64_t old, new;
	unsigned int i;

	ASSERT_NE(0, vg_fs_init(&st->pt, &self->g, 4));
	for (i = 0; i < NPG; i++) {
		old = dpage(self, &st->old_tag[i]);
		ASSERT_NE(0, vg_map(&st->pt, STALE_VA + i * MOCK_PAGE, old, 1,
				    VG_LEAF));
	}
	ASSERT_EQ(0, install(self, &st->pt, 0, &st->nested));
	for (i = 0; i < NPG; i++)
		ASSERT_EQ(st->old_tag[i],
			  peek(self, self->dev, 0, STALE_VA + i * MOCK_PAGE));
	for (i = 0; i < NPG; i++) {
		new = dpage(self, &st->new_tag[i]);
		ASSERT_NE(0, new);
		*vg_entry(&st->pt, STALE_VA + i * MOCK_PAGE, 1) =
			new | VG_LEAF | VG_A;
	}
}

/* 'o' the old page (stale), 'n' the new one, '?' anything else */
static char which(FIXTURE_DATA(vtd) *self, struct stale *st, unsigned int i)
{
	int b = peek(self, self->dev, 0, STALE_VA + i * MOCK_PAGE);

	return b == st->old_tag[i] ? 'o' : b == st->new_tag[i] ? 'n' : '?';
}

/* The NPG answers of which() as a string */
static const char *pattern(FIXTURE_DATA(vtd) *self, struct stale *st,
			   char *buf)
{
	unsigned int i;

	for (i = 0; i < NPG; i++)
		buf[i] = which(self, st, i);
	buf[NPG] = 0;
	return buf;
}

#define EXPECT_PATTERN(exp) do {					\
	char __b[NPG + 1];						\
	EXPECT_STREQ(exp, pattern(self, &st, __b));			\
} while (0)

static uint64_t invalidated(FIXTURE_DATA(vtd) *self, uint32_t id)
{
	return info(self, id).out_tlb_invalidated;
}

TEST_F(vtd, iotlb_stale_page)
{
	struct stale st;
	uint64_t n0;

	stale_setup(_metadata, self, &st);
	n0 = invalidated(self, st.nested);
	ASSERT_EQ(0, inv1(self, st.nested, STALE_VA + 3 * MOCK_PAGE, 1, false));
	EXPECT_EQ(1, invalidated(self, st.nested) - n0);
	EXPECT_PATTERN("ooonoooo");
}

TEST_F(vtd, iotlb_range)
{
	struct stale st;
	uint64_t n0;

	stale_setup(_metadata, self, &st);
	n0 = invalidated(self, st.nested);
	ASSERT_EQ(0, inv1(self, st.nested, STALE_VA + 2 * MOCK_PAGE, 3, false));
	EXPECT_EQ(3, invalidated(self, st.nested) - n0);
	EXPECT_PATTERN("oonnnooo");
}

TEST_F(vtd, iotlb_leaf)
{
	struct stale st;

	stale_setup(_metadata, self, &st);
	ASSERT_EQ(0, inv1(self, st.nested, STALE_VA + 5 * MOCK_PAGE, 2, true));
	EXPECT_PATTERN("ooooonno");
}

TEST_F(vtd, iotlb_all)
{
	struct stale st;
	uint64_t n0;

	stale_setup(_metadata, self, &st);
	n0 = invalidated(self, st.nested);
	ASSERT_EQ(0, inv1(self, st.nested, 0, UINT64_MAX, false));
	EXPECT_EQ(NPG, invalidated(self, st.nested) - n0);
	EXPECT_PATTERN("nnnnnnnn");
}

/* A range outside the cached pages removes nothing */
TEST_F(vtd, iotlb_range_elsewhere)
{
	struct stale st;
	uint64_t n0;

	stale_setup(_metadata, self, &st);
	n0 = invalidated(self, st.nested);
	ASSERT_EQ(0, inv1(self, st.nested, STALE_VA + NPG * MOCK_PAGE, 16,
			  false));
	ASSERT_EQ(0, inv1(self, st.nested, STALE_VA - MOCK_PAGE, 1, false));
	EXPECT_EQ(0, invalidated(self, st.nested) - n0);
	EXPECT_PATTERN("oooooooo");
}

/* Each bad entry: its errno, entry_num 0, nothing invalidated */
TEST_F(vtd, iotlb_inv_errors)
{
	struct iommu_hwpt_vtd_s1_invalidate inv;
	struct stale st;
	uint32_t num;

	stale_setup(_metadata, self, &st);
	/* npages U64_MAX with addr != 0 */
	inv = vg_inv(STALE_VA, UINT64_MAX, false);
	num = 1;
	EXPECT_EQ(-EINVAL, inv_n(self, st.nested, &inv, &num));
	EXPECT_EQ(0, num);
	/* addr not 4 KiB aligned */
	inv = vg_inv(STALE_VA + 0x800, 1, false);
	num = 1;
	EXPECT_EQ(-EINVAL, inv_n(self, st.nested, &inv, &num));
	EXPECT_EQ(0, num);
	/* unknown flags, __reserved */
	inv = vg_inv(STALE_VA, 1, false);
	inv.flags = 1U << 1;
	num = 1;
	EXPECT_EQ(-EOPNOTSUPP, inv_n(self, st.nested, &inv, &num));
	EXPECT_EQ(0, num);
	inv.flags = 1U << 31 | IOMMU_VTD_INV_FLAGS_LEAF;
	num = 1;
	EXPECT_EQ(-EOPNOTSUPP, inv_n(self, st.nested, &inv, &num));
	inv.flags = 0;
	inv.__reserved = 1;
	num = 1;
	EXPECT_EQ(-EOPNOTSUPP, inv_n(self, st.nested, &inv, &num));
	EXPECT_EQ(0, num);
	/* another data type, shorter and longer entries */
	inv = vg_inv(STALE_VA, 1, false);
	num = 1;
	EXPECT_EQ(-EINVAL, hwpt_invalidate(self->fd, st.nested,
					   IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3,
					   &inv, sizeof(inv), &num));
	EXPECT_EQ(0, num);
	num = 1;
	EXPECT_EQ(-EINVAL, hwpt_invalidate(self->fd, st.nested,
					   IOMMU_HWPT_INVALIDATE_DATA_MOCK,
					   &inv, sizeof(inv), &num));
	EXPECT_EQ(0, num);
	num = 1;
	EXPECT_EQ(-EINVAL, hwpt_invalidate(self->fd, st.nested,
					   IOMMU_HWPT_INVALIDATE_DATA_VTD_S1,
					   &inv, 16, &num));
	EXPECT_EQ(0, num);
	num = 1;
	EXPECT_EQ(-EINVAL, hwpt_invalidate(self->fd, st.nested,
					   IOMMU_HWPT_INVALIDATE_DATA_VTD_S1,
					   &inv, 32, &num));
	EXPECT_EQ(0, num);
	/* entry_num 0 does nothing, even with a bad entry */
	inv = vg_inv(STALE_VA + 1, UINT64_MAX, false);
	num = 0;
	EXPECT_EQ(0, inv_n(self, st.nested, &inv, &num));
	EXPECT_EQ(0, num);
	EXPECT_PATTERN("oooooooo");
}

/* A multi-entry array stops at the failing entry: entry_num counts before */
TEST_F(vtd, iotlb_inv_array)
{
	struct iommu_hwpt_vtd_s1_invalidate inv[4];
	struct stale st;
	uint32_t num;

	stale_setup(_metadata, self, &st);
	inv[0] = vg_inv(STALE_VA, 1, false);
	inv[1] = vg_inv(STALE_VA + 1 * MOCK_PAGE, 1, true);
	inv[2] = vg_inv(STALE_VA + 2 * MOCK_PAGE + 8, 1, false);  /* EINVAL */
	inv[3] = vg_inv(STALE_VA + 3 * MOCK_PAGE, 1, false);
	num = 4;
	EXPECT_EQ(-EINVAL, inv_n(self, st.nested, inv, &num));
	EXPECT_EQ(2, num);
	EXPECT_PATTERN("nnoooooo");

	inv[0] = vg_inv(STALE_VA + 4 * MOCK_PAGE, 1, false);
	inv[1] = vg_inv(STALE_VA + 5 * MOCK_PAGE, 1, false);
	inv[1].__reserved = 5;				/* EOPNOTSUPP */
	num = 2;
	EXPECT_EQ(-EOPNOTSUPP, inv_n(self, st.nested, inv, &num));
	EXPECT_EQ(1, num);

	inv[0] = vg_inv(STALE_VA + 6 * MOCK_PAGE, 1, false);
	inv[1] = vg_inv(STALE_VA + 7 * MOCK_PAGE, 1, false);
	inv[2] = vg_inv(STALE_VA, UINT64_MAX, false);	/* EINVAL */
	num = 3;
	EXPECT_EQ(-EINVAL, inv_n(self, st.nested, inv, &num));
	EXPECT_EQ(2, num);
	EXPECT_PATTERN("nnoononn");
}

/* IOAS_UNMAP of any stage-2 page flushes the nested domains over it */
TEST_F(vtd, iotlb_s2_unmap)
{
	struct stale st;
	uint64_t spare, n0;

	stale_setup(_metadata, self, &st);
	spare = vg_page(&self->g);
	ASSERT_NE(0, spare);
	n0 = invalidated(self, st.nested);
	ASSERT_EQ(0, s2_unmap(self, spare));
	EXPECT_EQ(NPG, invalidated(self, st.nested) - n0);
	EXPECT_PATTERN("nnnnnnnn");
}

/* One nested HWPT's invalidation leaves another's entries alone (DID) */
TEST_F(vtd, iotlb_did_isolation)
{
	struct iommu_mock_object_info a, b;
	struct stale st;
	uint32_t other;

	stale_setup(_metadata, self, &st);
	ASSERT_EQ(0, nested_alloc(self, st.pt.root, AW4, 0, &other));
	a = info(self, st.nested);
	b = info(self, other);
	EXPECT_NE(0, a.out_asid);
	EXPECT_NE(0, b.out_asid);
	EXPECT_NE(a.out_asid, b.out_asid);
	ASSERT_EQ(0, inv1(self, other, 0, UINT64_MAX, false));
	EXPECT_EQ(0, info(self, other).out_tlb_invalidated);
	EXPECT_PATTERN("oooooooo");
}

TEST_F(vtd, iotlb_eviction)
{
	struct iommu_mock_object_info a, b;
	char four[] = "4";
	struct stale st;

	ASSERT_EQ(0, param_rw(IOTLB_PARAM, self->saved_iotlb,
			      sizeof(self->saved_iotlb), false));
	ASSERT_EQ(0, param_rw(IOTLB_PARAM, four, 0, true));
	stale_setup(_metadata, self, &st);
	a = info(self, st.nested);
	/* 8 pages into 4 entries: the first 4 went */
	EXPECT_EQ(NPG - 4, a.out_evictions);
	EXPECT_EQ(0, a.out_tlb_invalidated);
	EXPECT_EQ('o', which(self, &st, NPG - 1));
	EXPECT_EQ('o', which(self, &st, NPG - 4));
	EXPECT_EQ('n', which(self, &st, 0));
	b = info(self, st.nested);
	EXPECT_EQ(NPG - 3, b.out_evictions);
}

/* ---- counters and OBJECT_INFO ------------------------------------------------ */

TEST_F(vtd, counters)
{
	const uint64_t va = 0x0000000020000000ULL;
	struct iommu_mock_object_info i0, i1, i2, i3;
	uint8_t buf[3 * 4096], tag;
	struct vg_fs pt;
	uint32_t nested;
	unsigned int i;

	ASSERT_NE(0, vg_fs_init(&pt, &self->g, 4));
	for (i = 0; i < 3; i++)
		ASSERT_NE(0, vg_map(&pt, va + i * MOCK_PAGE, dpage(self, &tag),
				    1, VG_LEAF));
	/* Low bits of pgtbl_addr are dropped */
	ASSERT_EQ(0, nested_alloc(self, pt.root | 0xabc, AW4, 0, &nested));
	i0 = info(self, nested);
	EXPECT_EQ(IOMMU_MOCK_OBJ_HWPT_NESTED, i0.out_type);
	EXPECT_EQ(self->s2, i0.out_parent_id);
	EXPECT_EQ(MOCK_VTD_INST, i0.out_instance_id);
	EXPECT_EQ(pt.root, i0.out_ttbr);
	EXPECT_LT(0, i0.out_asid);
	EXPECT_GE(0xffff, i0.out_asid);
	EXPECT_EQ(0, i0.out_tlb_hits);
	EXPECT_EQ(0, i0.out_tlb_misses);
	EXPECT_EQ(0, i0.out_tlb_invalidated);
	EXPECT_EQ(0, i0.out_evictions);
	ASSERT_EQ(0, dev_attach(self->fd, self->dev, nested, NULL));

	/* 3 pages in one DMA: 3 misses, then 3 hits */
	ASSERT_EQ(0, rd(self, va, buf, sizeof(buf), NULL));
	EXPECT_EQ(MOCK_VTD_SW_TAG + 2, buf[2 * 4096]);
	i1 = info(self, nested);
	EXPECT_EQ(3, i1.out_tlb_misses);
	EXPECT_EQ(0, i1.out_tlb_hits);
	ASSERT_EQ(0, rd(self, va + 100, buf, 2 * 4096, NULL));
	i2 = info(self, nested);
	EXPECT_EQ(3, i2.out_tlb_misses);
	EXPECT_EQ(3, i2.out_tlb_hits);
	/* Invalidating all counts the 3 entries; then they miss again */
	ASSERT_EQ(0, inv1(self, nested, 0, UINT64_MAX, false));
	ASSERT_EQ(0, rd(self, va, buf, 1, NULL));
	i3 = info(self, nested);
	EXPECT_EQ(3, i3.out_tlb_invalidated);
	EXPECT_EQ(4, i3.out_tlb_misses);
	EXPECT_EQ(3, i3.out_tlb_hits);
	EXPECT_EQ(0, i3.out_evictions);
	/* A fault is a miss that inserts nothing */
	EXPECT_EQ(-ENOENT, rd(self, va + 3 * MOCK_PAGE, buf, 1, NULL));
	EXPECT_EQ(5, info(self, nested).out_tlb_misses);
	EXPECT_EQ(-ENOENT, rd(self, va + 3 * MOCK_PAGE, buf, 1, NULL));
	EXPECT_EQ(6, info(self, nested).out_tlb_misses);
}

/* ---- allocation and attach rules ----------------------------------------- */

TEST_F(vtd, nested_alloc_rules)
{
	struct iommu_hwpt_vtd_s1 s1 = vg_s1(GPA_BASE, AW4, 0);
	uint32_t id, plain, nested, arm, arm_s2, m0, m0_s2;
	uint8_t big[32];

	/* flags: only IOMMU_HWPT_ALLOC_PASID */
	EXPECT_EQ(0, nested_alloc_on(self, self->dev, self->s2,
				     IOMMU_HWPT_ALLOC_PASID, &s1, &id));
	EXPECT_EQ(-EOPNOTSUPP,
		  nested_alloc_on(self, self->dev, self->s2,
				  IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &s1, &id));
	EXPECT_EQ(-EOPNOTSUPP,
		  nested_alloc_on(self, self->dev, self->s2,
				  IOMMU_HWPT_ALLOC_NEST_PARENT, &s1, &id));
	EXPECT_EQ(-EOPNOTSUPP,
		  nested_alloc_on(self, self->dev, self->s2, 1U << 20, &s1,
				  &id));
	/* data type and length */
	EXPECT_EQ(-EOPNOTSUPP,
		  hwpt_alloc_data(self->fd, self->dev, self->s2, 0,
				  IOMMU_HWPT_DATA_MOCK_S1, &s1, sizeof(s1), &id));
	EXPECT_EQ(-EOPNOTSUPP,
		  hwpt_alloc_data(self->fd, self->dev, self->s2, 0,
				  IOMMU_HWPT_DATA_ARM_SMMUV3, &s1, sizeof(s1),
				  &id));
	EXPECT_EQ(-EINVAL, hwpt_alloc_data(self->fd, self->dev, self->s2, 0,
					   IOMMU_HWPT_DATA_VTD_S1, &s1, 0, &id));
	EXPECT_EQ(-EINVAL, hwpt_alloc_data(self->fd, self->dev, self->s2, 0,
					   IOMMU_HWPT_DATA_VTD_S1, &s1, 16, &id));
	EXPECT_EQ(-EINVAL, hwpt_alloc_data(self->fd, self->dev, self->s2, 0,
					   IOMMU_HWPT_DATA_VTD_S1, &s1, 23, &id));
	memset(big, 0, sizeof(big));
	memcpy(big, &s1, sizeof(s1));
	EXPECT_EQ(-EINVAL, hwpt_alloc_data(self->fd, self->dev, self->s2, 0,
					   IOMMU_HWPT_DATA_VTD_S1, big, 32, &id));

	/* nothing in the data is checked at allocation (upstream) */
	s1 = vg_s1(GPA_BASE + 0x123, 39, ~0ULL);
	s1.__reserved = 7;
	EXPECT_EQ(0, nested_alloc_on(self, self->dev, self->s2, 0, &s1, &id));
	s1 = vg_s1(GPA_BASE, AW4, 0);

	/* the parent: a VT-d nest parent */
	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev, self->ioas, 0, &plain));
	EXPECT_EQ(-EINVAL, nested_alloc_on(self, self->dev, plain, 0, &s1, &id));
	ASSERT_EQ(0, nested_alloc_on(self, self->dev, self->s2, 0, &s1,
				     &nested));
	EXPECT_EQ(-EINVAL, nested_alloc_on(self, self->dev, nested, 0, &s1,
					   &id));
	ASSERT_EQ(0, dev_alloc(self->fd, MOCK_SMMUV3_INST, SID, &arm));
	ASSERT_EQ(0, hwpt_alloc(self->fd, arm, self->ioas,
				IOMMU_HWPT_ALLOC_NEST_PARENT, &arm_s2));
	EXPECT_EQ(-EINVAL, nested_alloc_on(self, self->dev, arm_s2, 0, &s1,
					   &id));
	ASSERT_EQ(0, dev_alloc(self->fd, 0, SID, &m0));
	ASSERT_EQ(0, hwpt_alloc(self->fd, m0, self->ioas,
				IOMMU_HWPT_ALLOC_NEST_PARENT, &m0_s2));
	EXPECT_EQ(-EINVAL, nested_alloc_on(self, self->dev, m0_s2, 0, &s1,
					   &id));
	/* another kind's device on the VT-d nest parent */
	EXPECT_EQ(-EINVAL, nested_alloc_on(self, m0, self->s2, 0, &s1, &id));
	/* a nest parent of the VT-d instance with dirty tracking: refused */
	EXPECT_EQ(-EOPNOTSUPP,
		  hwpt_alloc(self->fd, self->dev, self->ioas,
			     IOMMU_HWPT_ALLOC_NEST_PARENT |
			     IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &id));
}

/* Upstream checks the first-stage data at attach: 48 or 57 bits only */
TEST_F(vtd, attach_rules)
{
	const uint32_t bad_aw[] = { 0, 39, 47, 49, 52, 56, 58, 64 };
	const uint64_t va = 0x0000000000005000ULL;
	uint32_t nested, bad, good57;
	struct vg_fs pt;
	unsigned int i;
	uint8_t tag;

	ASSERT_NE(0, vg_fs_init(&pt, &self->g, 4));
	ASSERT_NE(0, vg_map(&pt, va, dpage(self, &tag), 1, VG_LEAF));
	for (i = 0; i < ARRAY_SIZE(bad_aw); i++) {
		ASSERT_EQ(0, nested_alloc(self, pt.root, bad_aw[i], 0, &bad));
		EXPECT_EQ(-EINVAL, dev_attach(self->fd, self->dev, bad, NULL))
			TH_LOG("addr_width %u", bad_aw[i]);
		EXPECT_EQ(-EINVAL, peek(self, self->dev, 0, va));
		EXPECT_EQ(0, mock_destroy(self->fd, bad));
	}
	/* The flags the instance has (SRS, EAFS) and bits it ignores */
	ASSERT_EQ(0, nested_alloc(self, pt.root, AW5,
				  IOMMU_VTD_S1_SRE | IOMMU_VTD_S1_EAFE |
				  IOMMU_VTD_S1_WPE | (1ULL << 3), &good57));
	EXPECT_EQ(0, dev_attach(self->fd, self->dev, good57, NULL));
	EXPECT_EQ(0, dev_detach(self->fd, self->dev));

	ASSERT_EQ(0, nested_alloc(self, pt.root, AW4, 0, &nested));
	ASSERT_EQ(0, dev_attach(self->fd, self->dev, nested, NULL));
	EXPECT_EQ(tag, peek(self, self->dev, 0, va));
	/* A failed replace leaves the device where it was */
	ASSERT_EQ(0, nested_alloc(self, pt.root, 39, 0, &bad));
	EXPECT_EQ(-EINVAL, dev_replace(self->fd, self->dev, bad, NULL));
	EXPECT_EQ(self->s2, info(self, nested).out_parent_id);
	EXPECT_EQ(nested, info(self, self->dev).out_parent_id);
	EXPECT_EQ(tag, peek(self, self->dev, 0, va));
	/* Replace to the 57-bit one: the 4-level table read as 5 levels */
	EXPECT_EQ(0, dev_replace(self->fd, self->dev, good57, NULL));
	EXPECT_EQ(good57, info(self, self->dev).out_parent_id);
}

/* Seed 004: devices of another format cannot share the HWPTs, both ways */
TEST_F(vtd, format_mismatch)
{
	struct iommu_hwpt_vtd_s1 s1 = vg_s1(GPA_BASE, AW4, 0);
	uint64_t ste[2] = { 1, 0 };	/* V, Config abort */
	struct iommu_hwpt_arm_smmuv3 arm_data;
	uint32_t nested, x86, arm, m0, arm_s2, arm_vi, arm_nested;
	uint32_t m0_s2, m0_nested, x86_paging;
	struct iommu_hwpt_mock_s1 ms1;

	ASSERT_EQ(0, nested_alloc(self, GPA_BASE, AW4, 0, &nested));
	ASSERT_EQ(0, dev_alloc(self->fd, 1, SID, &x86));
	ASSERT_EQ(0, dev_alloc(self->fd, MOCK_SMMUV3_INST, SID, &arm));
	ASSERT_EQ(0, dev_alloc(self->fd, 0, SID, &m0));
	/* Other kinds' devices on the VT-d HWPTs */
	EXPECT_EQ(-EINVAL, dev_attach(self->fd, x86, nested, NULL));
	EXPECT_EQ(-EINVAL, dev_attach(self->fd, arm, nested, NULL));
	EXPECT_EQ(-EINVAL, dev_attach(self->fd, m0, nested, NULL));
	EXPECT_EQ(-EINVAL, dev_attach(self->fd, x86, self->s2, NULL));
	EXPECT_EQ(-EINVAL, dev_attach(self->fd, arm, self->s2, NULL));
	EXPECT_EQ(-EINVAL, dev_attach(self->fd, m0, self->s2, NULL));

	/* The VT-d device on the other kinds' paging and nested HWPTs */
	ASSERT_EQ(0, hwpt_alloc(self->fd, arm, self->ioas,
				IOMMU_HWPT_ALLOC_NEST_PARENT, &arm_s2));
	ASSERT_EQ(0, viommu_alloc(self->fd, arm, arm_s2,
				  IOMMU_VIOMMU_TYPE_ARM_SMMUV3, &arm_vi));
	memset(&arm_data, 0, sizeof(arm_data));
	arm_data.ste[0] = ste[0];
	arm_data.ste[1] = ste[1];
	ASSERT_EQ(0, hwpt_alloc_data(self->fd, arm, arm_vi, 0,
				     IOMMU_HWPT_DATA_ARM_SMMUV3, &arm_data,
				     sizeof(arm_data), &arm_nested));
	EXPECT_EQ(-EINVAL, dev_attach(self->fd, self->dev, arm_s2, NULL));
	EXPECT_EQ(-EINVAL, dev_attach(self->fd, self->dev, arm_nested, NULL));

	ASSERT_EQ(0, hwpt_alloc(self->fd, m0, self->ioas,
				IOMMU_HWPT_ALLOC_NEST_PARENT, &m0_s2));
	ms1 = mock_s1(mock_s1_format(0), 0x77, 0x5000);
	ASSERT_EQ(0, hwpt_alloc_nested(self->fd, m0, m0_s2, &ms1, &m0_nested));
	EXPECT_EQ(-EINVAL, dev_attach(self->fd, self->dev, m0_s2, NULL));
	EXPECT_EQ(-EINVAL, dev_attach(self->fd, self->dev, m0_nested, NULL));
	ASSERT_EQ(0, hwpt_alloc(self->fd, x86, self->ioas, 0, &x86_paging));
	EXPECT_EQ(-EINVAL, dev_attach(self->fd, self->dev, x86_paging, NULL));
	/* Nor a vIOMMU of SMMUv3 for a VT-d device, nor the VT-d data there */
	EXPECT_EQ(-EINVAL, hwpt_alloc_data(self->fd, self->dev, arm_vi, 0,
					   IOMMU_HWPT_DATA_VTD_S1, &s1, sizeof(s1),
					   &nested));
	/* The VT-d device is still free to attach its own */
	EXPECT_EQ(0, dev_attach(self->fd, self->dev, self->s2, NULL));
}

/* ---- PASID (seed 003), through the device's VFIO file ------------------------ */

static int vfio_setup(struct __test_metadata *_metadata,
		      FIXTURE_DATA(vtd) *self)
{
	char buf[64], path[256], name[64] = "";
	struct t_bind b = { .argsz = sizeof(b) };
	struct dirent *de;
	DIR *dir;

	snprintf(buf, sizeof(buf), "%u 0x%x\n", MOCK_VTD_INST, VSID);
	if (sysfs_write(SYSFS_BUS "/vfio_add", buf))
		return -1;
	self->vfio = true;
	snprintf(path, sizeof(path), MOCK_SYSFS_DEVICES "/mockiommu%u.%04x/vfio-dev",
		 MOCK_VTD_INST, VSID);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((de = readdir(dir)))
		if (!strncmp(de->d_name, "vfio", 4) &&
		    strlen(de->d_name) < sizeof(name))
			strcpy(name, de->d_name);
	closedir(dir);
	snprintf(path, sizeof(path), "/dev/vfio/devices/%s", name);
	self->dfd = open(path, O_RDWR | O_CLOEXEC);
	if (self->dfd < 0)
		return -1;
	b.iommufd = self->fd;
	if (mock_ioctl(self->dfd, T_BIND, &b))
		return -1;
	self->vdev = b.out_devid;
	return 0;
}

/* VFIO_DEVICE_ATTACH_IOMMUFD_PT of the RID (@pasid 0) or a PASID */
static int vattach(FIXTURE_DATA(vtd) *self, uint32_t pasid, uint32_t pt_id)
{
	struct t_attach a = {
		.argsz = sizeof(a),
		.flags = pasid ? T_PASID_FLAG : 0,
		.pt_id = pt_id,
		.pasid = pasid,
	};

	return mock_ioctl(self->dfd, T_ATTACH, &a);
}

static int vdetach(FIXTURE_DATA(vtd) *self, uint32_t pasid)
{
	struct t_detach d = {
		.argsz = sizeof(d),
		.flags = pasid ? T_PASID_FLAG : 0,
		.pasid = pasid,
	};

	return mock_ioctl(self->dfd, T_DETACH, &d);
}

/* Three tables mapping the same VA to three pages: which table served */
struct three {
	struct vg_fs pt[3];
	uint32_t hwpt[3];
	uint8_t tag[3];
	uint64_t page[3];
};

#define PVA 0x0000555555555000ULL

static void three_setup(struct __test_metadata *_metadata,
			FIXTURE_DATA(vtd) *self, struct three *t)
{
	struct iommu_hwpt_vtd_s1 s1;
	unsigned int i;

	ASSERT_EQ(0, vfio_setup(_metadata, self));
	for (i = 0; i < 3; i++) {
		ASSERT_NE(0, vg_fs_init(&t->pt[i], &self->g, 4));
		t->page[i] = dpage(self, &t->tag[i]);
		ASSERT_NE(0, vg_map(&t->pt[i], PVA, t->page[i], 1, VG_LEAF));
		s1 = vg_s1(t->pt[i].root, AW4, 0);
		ASSERT_EQ(0, nested_alloc_on(self, self->vdev, self->s2,
					     IOMMU_HWPT_ALLOC_PASID, &s1,
					     &t->hwpt[i]));
	}
}

TEST_F(vtd, pasid_attach_replace_detach)
{
	struct iommu_mock_dma d;
	struct three t;
	uint8_t b;

	three_setup(_metadata, self, &t);
	ASSERT_EQ(0, vattach(self, 0, t.hwpt[0]));
	ASSERT_EQ(0, vattach(self, PASID_P, t.hwpt[1]));
	EXPECT_EQ(t.tag[0], peek(self, self->vdev, 0, PVA));
	EXPECT_EQ(t.tag[1], peek(self, self->vdev, PASID_P, PVA));
	/* Another PASID has nothing attached (VT-d: no guest PASID table) */
	EXPECT_EQ(-EINVAL, peek(self, self->vdev, PASID_Q, PVA));
	b = 0x5a;
	ASSERT_EQ(0, xdma(self, self->vdev, IOMMU_MOCK_DMA_WRITE, PASID_P,
			  PVA + 9, &b, 1, NULL));
	EXPECT_EQ(0x5a, *(uint8_t *)vg_ptr(&self->g, t.page[1] + 9));
	EXPECT_EQ(t.tag[0], *(uint8_t *)vg_ptr(&self->g, t.page[0] + 9));

	/* Replace the PASID (attach again = replace in VFIO) */
	ASSERT_EQ(0, vattach(self, PASID_P, t.hwpt[2]));
	EXPECT_EQ(t.tag[2], peek(self, self->vdev, PASID_P, PVA));
	EXPECT_EQ(t.tag[0], peek(self, self->vdev, 0, PVA));
	/* A fault through the PASID's table */
	EXPECT_EQ(-ENOENT, xdma(self, self->vdev, 0, PASID_P, PVA + MOCK_PAGE,
				&b, 1, &d));
	EXPECT_FAULT(d, VG_FR_FS_NOT_PRESENT, F_S1, PVA + MOCK_PAGE, 0);

	/* Detach the PASID: its DMA has no HWPT; the RID is unaffected */
	ASSERT_EQ(0, vdetach(self, PASID_P));
	EXPECT_EQ(-EINVAL, peek(self, self->vdev, PASID_P, PVA));
	EXPECT_EQ(t.tag[0], peek(self, self->vdev, 0, PVA));
	/* The PASID's HWPT is free again */
	EXPECT_EQ(0, mock_destroy(self->fd, t.hwpt[2]));
	/* Attach again after the detach */
	ASSERT_EQ(0, vattach(self, PASID_P, t.hwpt[1]));
	EXPECT_EQ(t.tag[1], peek(self, self->vdev, PASID_P, PVA));
}

/* Only a HWPT allocated with IOMMU_HWPT_ALLOC_PASID serves a PASID */
TEST_F(vtd, pasid_needs_alloc_flag)
{
	struct iommu_hwpt_vtd_s1 s1;
	struct three t;
	uint32_t plain, bad;

	three_setup(_metadata, self, &t);
	s1 = vg_s1(t.pt[0].root, AW4, 0);
	ASSERT_EQ(0, nested_alloc_on(self, self->vdev, self->s2, 0, &s1,
				     &plain));
	ASSERT_EQ(0, vattach(self, 0, t.hwpt[0]));
	EXPECT_EQ(-EINVAL, vattach(self, PASID_P, plain));
	EXPECT_EQ(-EINVAL, peek(self, self->vdev, PASID_P, PVA));
	/* The attach rules of the data apply to PASIDs too */
	s1 = vg_s1(t.pt[0].root, 39, 0);
	ASSERT_EQ(0, nested_alloc_on(self, self->vdev, self->s2,
				     IOMMU_HWPT_ALLOC_PASID, &s1, &bad));
	EXPECT_EQ(-EINVAL, vattach(self, PASID_P, bad));
	EXPECT_EQ(-EINVAL, peek(self, self->vdev, PASID_P, PVA));
}

/*
 * The IOTLB is tagged by PASID: the RID and PASID P on one nested HWPT;
 * an entry P's DMA made does not serve the RID, and the other way round
 */
TEST_F(vtd, pasid_iotlb_tag)
{
	struct iommu_mock_object_info i0, i1;
	uint64_t newp;
	struct three t;
	uint8_t ntag;

	three_setup(_metadata, self, &t);
	ASSERT_EQ(0, vattach(self, 0, t.hwpt[0]));
	ASSERT_EQ(0, vattach(self, PASID_P, t.hwpt[0]));
	/* P's DMA fills an entry, then the PTE moves without invalidation */
	i0 = info(self, t.hwpt[0]);
	EXPECT_EQ(t.tag[0], peek(self, self->vdev, PASID_P, PVA));
	newp = dpage(self, &ntag);
	*vg_entry(&t.pt[0], PVA, 1) = newp | VG_LEAF | VG_A;
	/* The RID misses (another PASID tag) and sees the new page */
	EXPECT_EQ(ntag, peek(self, self->vdev, 0, PVA));
	/* P still hits its stale entry */
	EXPECT_EQ(t.tag[0], peek(self, self->vdev, PASID_P, PVA));
	i1 = info(self, t.hwpt[0]);
	EXPECT_EQ(2, i1.out_tlb_misses - i0.out_tlb_misses);
	EXPECT_EQ(1, i1.out_tlb_hits - i0.out_tlb_hits);
	/* A page-selective invalidation covers every PASID of the domain */
	ASSERT_EQ(0, inv1(self, t.hwpt[0], PVA, 1, false));
	EXPECT_EQ(2, info(self, t.hwpt[0]).out_tlb_invalidated -
		     i0.out_tlb_invalidated);
	EXPECT_EQ(ntag, peek(self, self->vdev, PASID_P, PVA));
}

/* The RID and a PASID move independently */
TEST_F(vtd, pasid_rid_independent)
{
	struct three t;

	three_setup(_metadata, self, &t);
	ASSERT_EQ(0, vattach(self, 0, t.hwpt[0]));
	ASSERT_EQ(0, vattach(self, PASID_P, t.hwpt[1]));
	EXPECT_EQ(t.tag[1], peek(self, self->vdev, PASID_P, PVA));
	/* The RID replaced to the third table: P stays on its own */
	ASSERT_EQ(0, vattach(self, 0, t.hwpt[2]));
	EXPECT_EQ(t.tag[2], peek(self, self->vdev, 0, PVA));
	EXPECT_EQ(t.tag[1], peek(self, self->vdev, PASID_P, PVA));
	/* Detaching the RID keeps the PASID */
	ASSERT_EQ(0, vdetach(self, 0));
	EXPECT_EQ(-EINVAL, peek(self, self->vdev, 0, PVA));
	EXPECT_EQ(t.tag[1], peek(self, self->vdev, PASID_P, PVA));
}

/* The module's own attach and detach commands take a PASID too (seed 003) */
static int own_pasid(FIXTURE_DATA(vtd) *self, uint32_t flags, uint32_t pasid,
		     uint32_t pt_id)
{
	struct iommu_mock_device_attach cmd = {
		.size = sizeof(cmd), .flags = flags, .dev_id = self->dev,
		.pt_id = pt_id, .pasid = pasid,
	};

	return mock_ioctl(self->fd, IOMMU_MOCK_DEVICE_ATTACH, &cmd);
}

static int own_detach(FIXTURE_DATA(vtd) *self, uint32_t flags, uint32_t pasid)
{
	struct iommu_mock_device_detach cmd = {
		.size = sizeof(cmd), .dev_id = self->dev, .flags = flags,
		.pasid = pasid,
	};

	return mock_ioctl(self->fd, IOMMU_MOCK_DEVICE_DETACH, &cmd);
}

TEST_F(vtd, pasid_own_attach_command)
{
	const uint32_t P = IOMMU_MOCK_ATTACH_PASID;
	struct three t;

	three_setup(_metadata, self, &t);
	ASSERT_EQ(0, dev_attach(self->fd, self->dev, t.hwpt[0], NULL));
	ASSERT_EQ(0, own_pasid(self, P, PASID_P, t.hwpt[1]));
	EXPECT_EQ(t.tag[0], peek(self, self->dev, 0, PVA));
	EXPECT_EQ(t.tag[1], peek(self, self->dev, PASID_P, PVA));
	/* Attached already: only a replace moves it */
	EXPECT_EQ(-EBUSY, own_pasid(self, P, PASID_P, t.hwpt[2]));
	ASSERT_EQ(0, own_pasid(self, P | IOMMU_MOCK_ATTACH_REPLACE, PASID_P,
			       t.hwpt[2]));
	EXPECT_EQ(t.tag[2], peek(self, self->dev, PASID_P, PVA));
	EXPECT_EQ(t.tag[0], peek(self, self->dev, 0, PVA));
	/* PASID 0 is the RID's; a PASID beyond the device's 20 bits */
	EXPECT_EQ(-EINVAL, own_pasid(self, P, 0, t.hwpt[1]));
	EXPECT_EQ(-EINVAL, own_pasid(self, P, 1U << 20, t.hwpt[1]));
	/* A PASID without the flag */
	EXPECT_EQ(-EOPNOTSUPP, own_detach(self, 0, PASID_P));
	EXPECT_EQ(-EOPNOTSUPP, own_detach(self, 2, PASID_P));
	/* Detach the PASID: the RID stays */
	ASSERT_EQ(0, own_detach(self, IOMMU_MOCK_DETACH_PASID, PASID_P));
	EXPECT_EQ(-EINVAL, peek(self, self->dev, PASID_P, PVA));
	EXPECT_EQ(t.tag[0], peek(self, self->dev, 0, PVA));
	EXPECT_EQ(-EINVAL, own_detach(self, IOMMU_MOCK_DETACH_PASID, PASID_P));
	EXPECT_EQ(0, mock_destroy(self->fd, t.hwpt[2]));
	/* Detaching the RID leaves nothing */
	ASSERT_EQ(0, own_detach(self, 0, 0));
	EXPECT_EQ(-EINVAL, own_detach(self, 0, 0));
}

TEST_HARNESS_MAIN
