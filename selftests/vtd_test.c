// SPDX-License-Identifier: GPL-2.0
/*
 * The VT-d instance: upstream's Intel VT-d nesting uAPI over a nest
 * parent, a device's DMA through the guest's x86-64 first-stage table in
 * guest RAM (an IOAS-mapped buffer), the PASID-tagged IOTLB and its
 * invalidation. The guest's tables are built here; IOMMU_MOCK_DMA is the
 * device.
 */
#define _GNU_SOURCE
#include <stdint.h>

#include "mock_helpers.h"

#define GPA_BASE	0x40000000ULL	/* guest RAM, mapped in stage 2 */
#define GRAM_PAGES	64
#define SID		0x310

/* x86-64 first-stage entry bits */
#define FS_P		(1ULL << 0)
#define FS_RW		(1ULL << 1)
#define FS_US		(1ULL << 2)
#define FS_A		(1ULL << 5)
#define FS_D		(1ULL << 6)
#define FS_TABLE	(FS_P | FS_RW | FS_US)

FIXTURE(vtd) {
	int fd;
	uint32_t dev, ioas, s2;
	uint8_t *ram;
	unsigned int next;	/* next free guest page */
};

FIXTURE_SETUP(vtd)
{
	self->fd = mock_open();
	ASSERT_LE(0, self->fd);
	self->ram = mock_pages(GRAM_PAGES, 0);
	ASSERT_NE(MAP_FAILED, self->ram);
	ASSERT_EQ(0, dev_alloc(self->fd, MOCK_VTD_INST, SID, &self->dev));
	ASSERT_EQ(0, ioas_alloc(self->fd, &self->ioas));
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas, self->ram,
				    GRAM_PAGES * MOCK_PAGE, GPA_BASE));
	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev, self->ioas,
				IOMMU_HWPT_ALLOC_NEST_PARENT, &self->s2));
	self->next = 0;
}

FIXTURE_TEARDOWN(vtd)
{
	close(self->fd);
	munmap(self->ram, GRAM_PAGES * MOCK_PAGE);
}

/* A zeroed guest page: its IPA */
static uint64_t gpage(FIXTURE_DATA(vtd) *self)
{
	uint64_t ipa = GPA_BASE + (uint64_t)self->next * MOCK_PAGE;

	memset(self->ram + (size_t)self->next * MOCK_PAGE, 0, MOCK_PAGE);
	self->next++;
	return ipa;
}

static uint64_t *gptr(FIXTURE_DATA(vtd) *self, uint64_t ipa)
{
	return (uint64_t *)(self->ram + (ipa - GPA_BASE));
}

/*
 * Map 4 KiB @va to @out in the 4-level table at @root, making the missing
 * tables: returns the IPA of the leaf entry.
 */
static uint64_t fs_map(FIXTURE_DATA(vtd) *self, uint64_t root, uint64_t va,
		       uint64_t out, uint64_t leaf_bits)
{
	uint64_t table = root, *e;
	int level;

	for (level = 4; level > 1; level--) {
		e = gptr(self, table) + ((va >> (12 + 9 * (level - 1))) & 511);
		if (!(*e & FS_P))
			*e = gpage(self) | FS_TABLE;
		table = *e & 0x000ffffffffff000ULL;
	}
	e = gptr(self, table) + ((va >> 12) & 511);
	*e = out | leaf_bits;
	return table + ((va >> 12) & 511) * 8;
}

static int nested_alloc(FIXTURE_DATA(vtd) *self, uint64_t root,
			uint32_t aw, uint64_t flags, uint32_t *id)
{
	struct iommu_hwpt_vtd_s1 s1 = {
		.flags = flags, .pgtbl_addr = root, .addr_width = aw,
	};

	return hwpt_alloc_data(self->fd, self->dev, self->s2, 0,
			       IOMMU_HWPT_DATA_VTD_S1, &s1, sizeof(s1), id);
}

static int vtd_inv(FIXTURE_DATA(vtd) *self, uint32_t id, uint64_t addr,
		   uint64_t npages)
{
	struct iommu_hwpt_vtd_s1_invalidate inv = {
		.addr = addr, .npages = npages,
	};
	uint32_t num = 1;

	return hwpt_invalidate(self->fd, id, IOMMU_HWPT_INVALIDATE_DATA_VTD_S1,
			       &inv, sizeof(inv), &num);
}

TEST_F(vtd, hw_info)
{
	struct iommu_hw_info_vtd info;
	struct iommu_hw_info cmd;

	ASSERT_EQ(0, hw_info_cmd(self->fd, &cmd, self->dev, 0, 0, &info,
				 sizeof(info)));
	EXPECT_EQ(IOMMU_HW_INFO_TYPE_INTEL_VTD, cmd.out_data_type);
	EXPECT_EQ(sizeof(info), cmd.data_len);
	EXPECT_EQ(IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17, info.flags);
	EXPECT_NE(0, info.cap_reg & (1ULL << 56));	/* FS1GP */
	EXPECT_EQ(47, (info.cap_reg >> 16) & 0x3f);	/* MGAW: 48 bits */
	EXPECT_NE(0, info.ecap_reg & (1ULL << 26));	/* NEST */
	EXPECT_NE(0, info.ecap_reg & (1ULL << 43));	/* SMTS */
	EXPECT_NE(0, info.ecap_reg & (1ULL << 47));	/* FLTS */
	EXPECT_EQ(20, cmd.out_max_pasid_log2);
}

/* The device reaches the page the guest's table names; a stale PTE stays */
TEST_F(vtd, walk_stale_invalidate)
{
	uint64_t root = gpage(self), a = gpage(self), b = gpage(self), pte;
	const uint64_t va = 0x7f1234567000ULL;
	uint32_t nested, hwpt;
	uint8_t buf[16];

	pte = fs_map(self, root, va, a, FS_P | FS_RW | FS_US);
	ASSERT_EQ(0, nested_alloc(self, root, 48, 0, &nested));
	ASSERT_EQ(0, dev_attach(self->fd, self->dev, nested, &hwpt));
	ASSERT_EQ(0, dma_write(self->fd, self->dev, va + 8, "first", 6));
	EXPECT_EQ(0, memcmp(gptr(self, a + 8), "first", 6));
	/* The walk set A everywhere and D in the leaf */
	EXPECT_EQ(FS_A | FS_D, *gptr(self, pte) & (FS_A | FS_D));

	/* Point the PTE at page b without an invalidation: stale */
	*gptr(self, pte) = b | FS_P | FS_RW | FS_US;
	ASSERT_EQ(0, dma_write(self->fd, self->dev, va + 8, "stale", 6));
	EXPECT_EQ(0, memcmp(gptr(self, a + 8), "stale", 6));
	EXPECT_NE(0, memcmp(gptr(self, b + 8), "stale", 6));

	/* Page-selective invalidation: the next DMA walks again */
	ASSERT_EQ(0, vtd_inv(self, nested, va, 1));
	ASSERT_EQ(0, dma_write(self->fd, self->dev, va + 8, "fresh", 6));
	EXPECT_EQ(0, memcmp(gptr(self, b + 8), "fresh", 6));
	ASSERT_EQ(0, dma_read(self->fd, self->dev, va + 8, buf, 6));
	EXPECT_EQ(0, memcmp(buf, "fresh", 6));
}

/* Not present, read-only and non-canonical: errno and fault reason */
TEST_F(vtd, faults)
{
	uint64_t root = gpage(self), a = gpage(self);
	const uint64_t va = 0x1000;
	struct iommu_mock_dma d = {
		.size = sizeof(d), .length = 4,
	};
	uint32_t nested;
	uint8_t buf[4] = { 0 };

	fs_map(self, root, va, a, FS_P | FS_US);	/* read-only */
	ASSERT_EQ(0, nested_alloc(self, root, 48, 0, &nested));
	ASSERT_EQ(0, dev_attach(self->fd, self->dev, nested, NULL));
	d.dev_id = self->dev;
	d.uptr = U64_PTR(buf);

	d.iova = va;
	EXPECT_EQ(0, mock_ioctl(self->fd, IOMMU_MOCK_DMA, &d));
	d.flags = IOMMU_MOCK_DMA_WRITE;
	EXPECT_EQ(-EPERM, mock_ioctl(self->fd, IOMMU_MOCK_DMA, &d));
	EXPECT_EQ(0x85, d.out_fault_code);
	EXPECT_EQ(IOMMU_MOCK_DMA_FAULT, d.out_fault_flags);
	d.flags = 0;
	d.iova = va + 0x200000;
	EXPECT_EQ(-ENOENT, mock_ioctl(self->fd, IOMMU_MOCK_DMA, &d));
	EXPECT_EQ(0x71, d.out_fault_code);
	EXPECT_EQ(va + 0x200000, d.out_fault_addr);
	d.iova = 0x0000800000000000ULL;		/* bit 47 set, 63:48 clear */
	EXPECT_EQ(-EIO, mock_ioctl(self->fd, IOMMU_MOCK_DMA, &d));
	EXPECT_EQ(0x80, d.out_fault_code);
}

/* Upstream checks the first-stage data at attach, not at allocation */
TEST_F(vtd, attach_rules)
{
	uint64_t root = gpage(self);
	uint32_t nested, bad;

	ASSERT_EQ(0, nested_alloc(self, root, 39, 0, &bad));
	EXPECT_EQ(-EINVAL, dev_attach(self->fd, self->dev, bad, NULL));
	ASSERT_EQ(0, nested_alloc(self, root, 57, IOMMU_VTD_S1_SRE, &nested));
	EXPECT_EQ(0, dev_attach(self->fd, self->dev, nested, NULL));
	/* A flag a nested HWPT cannot have */
	EXPECT_EQ(-EOPNOTSUPP,
		  hwpt_alloc_data(self->fd, self->dev, self->s2,
				  IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
				  IOMMU_HWPT_DATA_VTD_S1, &root, 24, &bad));
}

/* Seed 004: devices of another format cannot share the HWPTs */
TEST_F(vtd, format_mismatch)
{
	uint64_t root = gpage(self);
	uint32_t nested, x86, arm;

	ASSERT_EQ(0, nested_alloc(self, root, 48, 0, &nested));
	ASSERT_EQ(0, dev_alloc(self->fd, 1, SID, &x86));
	ASSERT_EQ(0, dev_alloc(self->fd, MOCK_SMMUV3_INST, SID, &arm));
	EXPECT_EQ(-EINVAL, dev_attach(self->fd, x86, nested, NULL));
	EXPECT_EQ(-EINVAL, dev_attach(self->fd, arm, nested, NULL));
	EXPECT_EQ(-EINVAL, dev_attach(self->fd, x86, self->s2, NULL));
	EXPECT_EQ(-EINVAL, dev_attach(self->fd, arm, self->s2, NULL));
}

TEST_HARNESS_MAIN
