// SPDX-License-Identifier: GPL-2.0
/*
 * IOAS: alloc, map (fixed and kernel-chosen IOVA), unmap, IOVA ranges,
 * permissions and pinning proven by mock DMA, RLIMIT_MEMLOCK accounting.
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "mock_helpers.h"

/* stream IDs of this file: 0x10-0x1f on each instance */
#define SID_BASE 0x10

#define BUF_PAGES 16

FIXTURE(ioas_basic) {
	int fd;
	uint32_t ioas_id;
	uint8_t *buf;
};

FIXTURE_SETUP(ioas_basic)
{
	self->fd = mock_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ioas_alloc(self->fd, &self->ioas_id));
	self->buf = mock_pages(BUF_PAGES, 0x5a);
	ASSERT_NE(MAP_FAILED, self->buf);
}

FIXTURE_TEARDOWN(ioas_basic)
{
	if (self->buf && self->buf != MAP_FAILED)
		munmap(self->buf, BUF_PAGES * MOCK_PAGE);
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(ioas_basic, alloc_ids_and_info)
{
	struct iommu_mock_object_info info;
	uint32_t id2;

	ASSERT_LE(1, self->ioas_id);
	ASSERT_EQ(0, ioas_alloc(self->fd, &id2));
	ASSERT_LE(1, id2);
	ASSERT_NE(self->ioas_id, id2);

	ASSERT_EQ(0, mock_obj_info(self->fd, self->ioas_id, &info));
	EXPECT_EQ(IOMMU_MOCK_OBJ_IOAS, info.out_type);
	EXPECT_EQ(0, info.out_parent_id);
	EXPECT_EQ(0, info.out_users);
	ASSERT_EQ(0, mock_destroy(self->fd, id2));
	EXPECT_TRUE(mock_obj_gone(self->fd, id2));
}

TEST_F(ioas_basic, alloc_flags_eopnotsupp)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd), .flags = 1 };

	EXPECT_EQ(-EOPNOTSUPP, mock_ioctl(self->fd, IOMMU_IOAS_ALLOC, &cmd));
	cmd.flags = 1U << 31;
	EXPECT_EQ(-EOPNOTSUPP, mock_ioctl(self->fd, IOMMU_IOAS_ALLOC, &cmd));
}

TEST_F(ioas_basic, ranges_empty_ioas_emsgsize_protocol)
{
	struct iommu_iova_range r[2];
	uint64_t align = 0;
	uint32_t num = 0;

	/* num_iovas 0: EMSGSIZE and the count */
	ASSERT_EQ(-EMSGSIZE, ioas_ranges(self->fd, self->ioas_id, NULL, &num, NULL));
	ASSERT_EQ(1, num);

	memset(r, 0xa5, sizeof(r));
	ASSERT_EQ(0, ioas_ranges(self->fd, self->ioas_id, r, &num, &align));
	ASSERT_EQ(1, num);
	EXPECT_EQ(0, r[0].start);
	EXPECT_EQ(UINT64_MAX, r[0].last);
	EXPECT_EQ(MOCK_PAGE, align);
	EXPECT_EQ((uint64_t)sysconf(_SC_PAGESIZE), align);
}

TEST_F(ioas_basic, ranges_bigger_array_ok)
{
	struct iommu_iova_range r[4];
	uint32_t num = 4;

	ASSERT_EQ(0, ioas_ranges(self->fd, self->ioas_id, r, &num, NULL));
	EXPECT_EQ(1, num);
	EXPECT_EQ(0, r[0].start);
	EXPECT_EQ(UINT64_MAX, r[0].last);
}

TEST_F(ioas_basic, ranges_reserved_eopnotsupp)
{
	struct iommu_iova_range r[1];
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd),
		.ioas_id = self->ioas_id,
		.num_iovas = 1,
		.__reserved = 1,
		.allowed_iovas = U64_PTR(r),
	};

	EXPECT_EQ(-EOPNOTSUPP, mock_ioctl(self->fd, IOMMU_IOAS_IOVA_RANGES, &cmd));
}

TEST_F(ioas_basic, ranges_bad_ids)
{
	struct iommu_iova_range r[1];
	uint32_t dev, num = 1;

	ASSERT_EQ(0, dev_alloc(self->fd, 0, SID_BASE + 0, &dev));
	/* as upstream: an ID of another object type is not found */
	EXPECT_EQ(-ENOENT, ioas_ranges(self->fd, dev, r, &num, NULL));
	num = 1;
	EXPECT_EQ(-ENOENT, ioas_ranges(self->fd, 0xfffffff0, r, &num, NULL));
	num = 1;
	EXPECT_EQ(-ENOENT, ioas_ranges(self->fd, 0, r, &num, NULL));
}

TEST_F(ioas_basic, ranges_efault)
{
	uint32_t num = 1;

	EXPECT_EQ(-EFAULT, ioas_ranges(self->fd, self->ioas_id,
				       (void *)(uintptr_t)8, &num, NULL));
}

TEST_F(ioas_basic, map_fixed)
{
	uint64_t iova = 0x100000;

	ASSERT_EQ(0, ioas_map_flags(self->fd, self->ioas_id,
				    MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA,
				    self->buf, 4 * MOCK_PAGE, &iova));
	EXPECT_EQ(0x100000, iova);
	/* the same IOVA again overlaps */
	EXPECT_EQ(-EEXIST, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
					  MOCK_PAGE, 0x100000));
}

TEST_F(ioas_basic, map_kernel_chosen_lowest)
{
	uint64_t iova1, iova2;

	ASSERT_EQ(0, ioas_map_any(self->fd, self->ioas_id, self->buf,
				  4 * MOCK_PAGE, &iova1));
	EXPECT_EQ(0, iova1);
	ASSERT_EQ(0, ioas_map_any(self->fd, self->ioas_id, self->buf,
				  2 * MOCK_PAGE, &iova2));
	EXPECT_EQ(4 * MOCK_PAGE, iova2);
}

TEST_F(ioas_basic, map_kernel_chosen_fills_hole)
{
	uint64_t iova;

	/* [0, 1p) and [3p, 4p) taken: a 2-page hole at 1p, a 3-page one at 4p */
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    MOCK_PAGE, 0));
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    MOCK_PAGE, 3 * MOCK_PAGE));
	ASSERT_EQ(0, ioas_map_any(self->fd, self->ioas_id, self->buf,
				  3 * MOCK_PAGE, &iova));
	EXPECT_EQ(4 * MOCK_PAGE, iova);
	ASSERT_EQ(0, ioas_map_any(self->fd, self->ioas_id, self->buf,
				  2 * MOCK_PAGE, &iova));
	EXPECT_EQ(1 * MOCK_PAGE, iova);
	ASSERT_EQ(0, ioas_map_any(self->fd, self->ioas_id, self->buf,
				  MOCK_PAGE, &iova));
	EXPECT_EQ(7 * MOCK_PAGE, iova);
}

TEST_F(ioas_basic, map_overlap_eexist)
{
	const uint64_t base = 0x40000;

	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    4 * MOCK_PAGE, base));
	/* inside */
	EXPECT_EQ(-EEXIST, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
					  MOCK_PAGE, base + 2 * MOCK_PAGE));
	/* over the start */
	EXPECT_EQ(-EEXIST, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
					  2 * MOCK_PAGE, base - MOCK_PAGE));
	/* over the end */
	EXPECT_EQ(-EEXIST, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
					  2 * MOCK_PAGE, base + 3 * MOCK_PAGE));
	/* covering it entirely */
	EXPECT_EQ(-EEXIST, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
					  8 * MOCK_PAGE, base - 2 * MOCK_PAGE));
	/* adjacent on both sides is fine */
	EXPECT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    MOCK_PAGE, base - MOCK_PAGE));
	EXPECT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    MOCK_PAGE, base + 4 * MOCK_PAGE));
}

TEST_F(ioas_basic, map_no_permission_einval)
{
	uint64_t iova = 0x100000;

	EXPECT_EQ(-EINVAL, ioas_map_flags(self->fd, self->ioas_id,
					  IOMMU_IOAS_MAP_FIXED_IOVA, self->buf,
					  MOCK_PAGE, &iova));
	iova = 0;
	EXPECT_EQ(-EINVAL, ioas_map_flags(self->fd, self->ioas_id, 0, self->buf,
					  MOCK_PAGE, &iova));
}

TEST_F(ioas_basic, map_unknown_flag_eopnotsupp)
{
	uint64_t iova = 0x100000;

	EXPECT_EQ(-EOPNOTSUPP,
		  ioas_map_flags(self->fd, self->ioas_id,
				 MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA | (1U << 3),
				 self->buf, MOCK_PAGE, &iova));
	EXPECT_EQ(-EOPNOTSUPP,
		  ioas_map_flags(self->fd, self->ioas_id, MAP_RW | (1U << 31),
				 self->buf, MOCK_PAGE, &iova));
}

TEST_F(ioas_basic, map_reserved_eopnotsupp)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA,
		.ioas_id = self->ioas_id,
		.__reserved = 1,
		.user_va = U64_PTR(self->buf),
		.length = MOCK_PAGE,
		.iova = 0x100000,
	};

	EXPECT_EQ(-EOPNOTSUPP, mock_ioctl(self->fd, IOMMU_IOAS_MAP, &cmd));
}

TEST_F(ioas_basic, map_bad_length_einval)
{
	uint64_t iova = 0x100000;

	EXPECT_EQ(-EINVAL, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
					  0, 0x100000));
	EXPECT_EQ(-EINVAL, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
					  MOCK_PAGE / 2, 0x100000));
	EXPECT_EQ(-EINVAL, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
					  MOCK_PAGE + 8, 0x100000));
	EXPECT_EQ(-EINVAL, ioas_map_any(self->fd, self->ioas_id, self->buf,
					0, &iova));
}

TEST_F(ioas_basic, map_unaligned_va_einval)
{
	uint64_t iova;

	EXPECT_EQ(-EINVAL, ioas_map_fixed(self->fd, self->ioas_id,
					  self->buf + 0x100, MOCK_PAGE, 0x100000));
	EXPECT_EQ(-EINVAL, ioas_map_any(self->fd, self->ioas_id,
					self->buf + 1, MOCK_PAGE, &iova));
}

TEST_F(ioas_basic, map_unaligned_iova_einval)
{
	EXPECT_EQ(-EINVAL, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
					  MOCK_PAGE, 0x100100));
	EXPECT_EQ(-EINVAL, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
					  MOCK_PAGE, 0x100000 + MOCK_PAGE / 2));
}

TEST_F(ioas_basic, map_iova_overflow)
{
	EXPECT_EQ(-EOVERFLOW,
		  ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				 2 * MOCK_PAGE, UINT64_MAX - MOCK_PAGE + 1));
}

TEST_F(ioas_basic, map_user_va_overflow)
{
	EXPECT_EQ(-EOVERFLOW,
		  ioas_map_fixed(self->fd, self->ioas_id,
				 (void *)(uintptr_t)(UINT64_MAX - MOCK_PAGE + 1),
				 2 * MOCK_PAGE, 0x100000));
}

TEST_F(ioas_basic, map_unbacked_memory_efault)
{
	uint64_t iova, len;
	uint8_t *none;

	none = mmap(NULL, 2 * MOCK_PAGE, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, none);
	EXPECT_EQ(-EFAULT, ioas_map_fixed(self->fd, self->ioas_id, none,
					  2 * MOCK_PAGE, 0x100000));
	/* a hole in the address space */
	ASSERT_EQ(0, munmap(none, 2 * MOCK_PAGE));
	EXPECT_EQ(-EFAULT, ioas_map_any(self->fd, self->ioas_id, none,
					2 * MOCK_PAGE, &iova));
	/* half good, half bad */
	EXPECT_EQ(0, munmap(self->buf + (BUF_PAGES - 1) * MOCK_PAGE, MOCK_PAGE));
	EXPECT_EQ(-EFAULT, ioas_map_fixed(self->fd, self->ioas_id,
					  self->buf + (BUF_PAGES - 2) * MOCK_PAGE,
					  2 * MOCK_PAGE, 0x100000));
	/* nothing was left mapped by the failures */
	len = 1;
	EXPECT_EQ(0, ioas_unmap(self->fd, self->ioas_id, 0, UINT64_MAX, &len));
	EXPECT_EQ(0, len);
	EXPECT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    MOCK_PAGE, 0x100000));
}

TEST_F(ioas_basic, map_readonly_memory)
{
	uint64_t iova = 0x100000;
	uint8_t *ro;

	ro = mmap(NULL, 2 * MOCK_PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
		  -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	/* WRITEABLE pins with FOLL_WRITE: read-only memory cannot be pinned */
	EXPECT_EQ(-EFAULT, ioas_map_fixed(self->fd, self->ioas_id, ro,
					  2 * MOCK_PAGE, 0x100000));
	/* READABLE only is fine */
	EXPECT_EQ(0, ioas_map_flags(self->fd, self->ioas_id,
				    IOMMU_IOAS_MAP_READABLE |
					    IOMMU_IOAS_MAP_FIXED_IOVA,
				    ro, 2 * MOCK_PAGE, &iova));
	EXPECT_EQ(0, ioas_unmap(self->fd, self->ioas_id, 0, UINT64_MAX, NULL));
	munmap(ro, 2 * MOCK_PAGE);
}

TEST_F(ioas_basic, map_bad_ids)
{
	uint32_t dev;

	ASSERT_EQ(0, dev_alloc(self->fd, 0, SID_BASE + 1, &dev));
	EXPECT_EQ(-ENOENT, ioas_map_fixed(self->fd, dev, self->buf, MOCK_PAGE,
					  0x100000));
	EXPECT_EQ(-ENOENT, ioas_map_fixed(self->fd, 0xfffffff0, self->buf,
					  MOCK_PAGE, 0x100000));
	EXPECT_EQ(-ENOENT, ioas_map_fixed(self->fd, 0, self->buf, MOCK_PAGE,
					  0x100000));
}

TEST_F(ioas_basic, unmap_exact)
{
	uint64_t len = 0;

	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    4 * MOCK_PAGE, 0x200000));
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, 0x200000,
				4 * MOCK_PAGE, &len));
	EXPECT_EQ(4 * MOCK_PAGE, len);
	/* gone: same range again is ENOENT, and it can be mapped again */
	EXPECT_EQ(-ENOENT, ioas_unmap(self->fd, self->ioas_id, 0x200000,
				      4 * MOCK_PAGE, NULL));
	EXPECT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    4 * MOCK_PAGE, 0x200000));
}

TEST_F(ioas_basic, unmap_all_returns_bytes)
{
	uint64_t iova, len = 0;

	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    MOCK_PAGE, 0x10000));
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    2 * MOCK_PAGE, 0x30000000));
	ASSERT_EQ(0, ioas_map_any(self->fd, self->ioas_id, self->buf,
				  4 * MOCK_PAGE, &iova));
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    MOCK_PAGE, 1ULL << 52));
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, 0, UINT64_MAX, &len));
	EXPECT_EQ(8 * MOCK_PAGE, len);
	/* as upstream: unmap-all of an empty IOAS succeeds with 0 bytes */
	len = 1;
	EXPECT_EQ(0, ioas_unmap(self->fd, self->ioas_id, 0, UINT64_MAX, &len));
	EXPECT_EQ(0, len);
	/* everything is free again: the lowest hole is 0 */
	ASSERT_EQ(0, ioas_map_any(self->fd, self->ioas_id, self->buf,
				  MOCK_PAGE, &iova));
	EXPECT_EQ(0, iova);
}

TEST_F(ioas_basic, unmap_range_covering_several)
{
	uint64_t len = 0;

	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    MOCK_PAGE, 0x100000));
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    2 * MOCK_PAGE, 0x104000));
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    MOCK_PAGE, 0x200000));
	/* [0xff000, 0x10ffff] holds the first two whole, with holes around */
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, 0xff000, 0x11000,
				&len));
	EXPECT_EQ(3 * MOCK_PAGE, len);
	/* the third one is still there */
	EXPECT_EQ(-EEXIST, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
					  MOCK_PAGE, 0x200000));
	EXPECT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    MOCK_PAGE, 0x100000));
}

TEST_F(ioas_basic, unmap_split_einval)
{
	uint64_t len = 0;

	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    4 * MOCK_PAGE, 0x100000));
	/* head, tail, middle, and a range sticking out of one end */
	EXPECT_EQ(-EINVAL, ioas_unmap(self->fd, self->ioas_id, 0x100000,
				      MOCK_PAGE, NULL));
	EXPECT_EQ(-EINVAL, ioas_unmap(self->fd, self->ioas_id,
				      0x100000 + 3 * MOCK_PAGE, MOCK_PAGE, NULL));
	EXPECT_EQ(-EINVAL, ioas_unmap(self->fd, self->ioas_id,
				      0x100000 + MOCK_PAGE, 2 * MOCK_PAGE, NULL));
	EXPECT_EQ(-EINVAL, ioas_unmap(self->fd, self->ioas_id, 0xfe000,
				      4 * MOCK_PAGE, NULL));
	EXPECT_EQ(-EINVAL, ioas_unmap(self->fd, self->ioas_id,
				      0x100000 + 2 * MOCK_PAGE, 0x100000, NULL));
	/* the mapping is intact */
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, 0x100000,
				4 * MOCK_PAGE, &len));
	EXPECT_EQ(4 * MOCK_PAGE, len);
}

TEST_F(ioas_basic, unmap_nothing_enoent)
{
	EXPECT_EQ(-ENOENT, ioas_unmap(self->fd, self->ioas_id, 0x100000,
				      MOCK_PAGE, NULL));
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    MOCK_PAGE, 0x100000));
	EXPECT_EQ(-ENOENT, ioas_unmap(self->fd, self->ioas_id, 0x200000,
				      0x100000, NULL));
	EXPECT_EQ(-ENOENT, ioas_unmap(self->fd, self->ioas_id, 0,
				      0x100000, NULL));
}

TEST_F(ioas_basic, unmap_zero_length_einval)
{
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    MOCK_PAGE, 0x100000));
	EXPECT_EQ(-EINVAL, ioas_unmap(self->fd, self->ioas_id, 0x100000, 0,
				      NULL));
}

TEST_F(ioas_basic, unmap_overflow)
{
	EXPECT_EQ(-EOVERFLOW, ioas_unmap(self->fd, self->ioas_id,
					 UINT64_MAX - MOCK_PAGE + 1,
					 2 * MOCK_PAGE, NULL));
}

TEST_F(ioas_basic, unmap_bad_ids)
{
	uint32_t dev;

	ASSERT_EQ(0, dev_alloc(self->fd, 0, SID_BASE + 2, &dev));
	EXPECT_EQ(-ENOENT, ioas_unmap(self->fd, dev, 0, UINT64_MAX, NULL));
	EXPECT_EQ(-ENOENT, ioas_unmap(self->fd, 0xfffffff0, 0, UINT64_MAX,
				      NULL));
}

TEST_F(ioas_basic, destroy_with_mappings)
{
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    8 * MOCK_PAGE, 0x100000));
	ASSERT_EQ(0, mock_destroy(self->fd, self->ioas_id));
	EXPECT_TRUE(mock_obj_gone(self->fd, self->ioas_id));
	EXPECT_EQ(-ENOENT, ioas_unmap(self->fd, self->ioas_id, 0, UINT64_MAX,
				      NULL));
}

/* ---- DMA through a device attached to the IOAS ------------------------- */

FIXTURE(ioas_dma) {
	int fd;
	uint32_t ioas_id;
	uint32_t dev_id;
	uint32_t hwpt_id;
	uint8_t *buf;
};

FIXTURE_VARIANT(ioas_dma) {
	uint32_t inst;
};

FIXTURE_VARIANT_ADD(ioas_dma, arm_inst0) { .inst = 0 };
FIXTURE_VARIANT_ADD(ioas_dma, x86_inst1) { .inst = 1 };

#define DMA_IOVA 0x100000ULL

FIXTURE_SETUP(ioas_dma)
{
	self->fd = mock_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ioas_alloc(self->fd, &self->ioas_id));
	ASSERT_EQ(0, dev_alloc(self->fd, variant->inst, SID_BASE + 8,
			       &self->dev_id));
	ASSERT_EQ(0, dev_attach(self->fd, self->dev_id, self->ioas_id,
				&self->hwpt_id));
	self->buf = mock_pages(BUF_PAGES, 0);
	ASSERT_NE(MAP_FAILED, self->buf);
}

FIXTURE_TEARDOWN(ioas_dma)
{
	if (self->buf && self->buf != MAP_FAILED)
		munmap(self->buf, BUF_PAGES * MOCK_PAGE);
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(ioas_dma, write_reaches_user_memory)
{
	uint8_t data[300];

	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    4 * MOCK_PAGE, DMA_IOVA));
	fill_pattern(data, sizeof(data), 1);
	/* across a page boundary */
	ASSERT_EQ(0, dma_write(self->fd, self->dev_id,
			       DMA_IOVA + MOCK_PAGE - 100, data, sizeof(data)));
	EXPECT_EQ(0, memcmp(self->buf + MOCK_PAGE - 100, data, sizeof(data)));
	/* the bytes around are untouched */
	EXPECT_EQ(0, self->buf[MOCK_PAGE - 101]);
	EXPECT_EQ(0, self->buf[MOCK_PAGE + 200]);
}

TEST_F(ioas_dma, read_sees_user_memory)
{
	uint8_t data[2 * MOCK_PAGE];

	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    4 * MOCK_PAGE, DMA_IOVA));
	/* written after the map: the pages are shared, not copied */
	fill_pattern(self->buf, 4 * MOCK_PAGE, 2);
	memset(data, 0, sizeof(data));
	ASSERT_EQ(0, dma_read(self->fd, self->dev_id, DMA_IOVA + MOCK_PAGE,
			      data, sizeof(data)));
	EXPECT_EQ(0, memcmp(self->buf + MOCK_PAGE, data, sizeof(data)));
}

TEST_F(ioas_dma, kernel_chosen_iova)
{
	uint8_t data[64];
	uint64_t iova;

	ASSERT_EQ(0, ioas_map_any(self->fd, self->ioas_id, self->buf + MOCK_PAGE,
				  2 * MOCK_PAGE, &iova));
	EXPECT_EQ(0, iova % MOCK_PAGE);
	fill_pattern(data, sizeof(data), 3);
	ASSERT_EQ(0, dma_write(self->fd, self->dev_id, iova + MOCK_PAGE + 8,
			       data, sizeof(data)));
	EXPECT_EQ(0, memcmp(self->buf + 2 * MOCK_PAGE + 8, data, sizeof(data)));
}

TEST_F(ioas_dma, readonly_mapping_write_eperm)
{
	uint8_t data[16], back[16];
	uint64_t iova = DMA_IOVA;

	ASSERT_EQ(0, ioas_map_flags(self->fd, self->ioas_id,
				    IOMMU_IOAS_MAP_READABLE |
					    IOMMU_IOAS_MAP_FIXED_IOVA,
				    self->buf, MOCK_PAGE, &iova));
	memset(self->buf, 0x11, 16);
	memset(data, 0x77, sizeof(data));
	EXPECT_EQ(-EPERM, dma_write(self->fd, self->dev_id, DMA_IOVA, data,
				    sizeof(data)));
	EXPECT_EQ(0x11, self->buf[0]);
	EXPECT_EQ(0x11, self->buf[15]);
	ASSERT_EQ(0, dma_read(self->fd, self->dev_id, DMA_IOVA, back,
			      sizeof(back)));
	EXPECT_EQ(0x11, back[0]);
}

TEST_F(ioas_dma, writeonly_mapping_read_eperm)
{
	uint8_t data[16];
	uint64_t iova = DMA_IOVA;

	ASSERT_EQ(0, ioas_map_flags(self->fd, self->ioas_id,
				    IOMMU_IOAS_MAP_WRITEABLE |
					    IOMMU_IOAS_MAP_FIXED_IOVA,
				    self->buf, MOCK_PAGE, &iova));
	EXPECT_EQ(-EPERM, dma_read(self->fd, self->dev_id, DMA_IOVA, data,
				   sizeof(data)));
	memset(data, 0x42, sizeof(data));
	ASSERT_EQ(0, dma_write(self->fd, self->dev_id, DMA_IOVA, data,
			       sizeof(data)));
	EXPECT_EQ(0x42, self->buf[0]);
}

TEST_F(ioas_dma, unmapped_iova_enoent)
{
	uint8_t data[64] = { 0 };

	EXPECT_EQ(-ENOENT, dma_read(self->fd, self->dev_id, DMA_IOVA, data,
				    sizeof(data)));
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    MOCK_PAGE, DMA_IOVA));
	/* runs off the end of the mapping */
	EXPECT_EQ(-ENOENT, dma_write(self->fd, self->dev_id,
				     DMA_IOVA + MOCK_PAGE - 32, data,
				     sizeof(data)));
	/* starts before it */
	EXPECT_EQ(-ENOENT, dma_read(self->fd, self->dev_id, DMA_IOVA - 32,
				    data, sizeof(data)));
}

TEST_F(ioas_dma, unmap_revokes_access)
{
	uint8_t data[32];

	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    2 * MOCK_PAGE, DMA_IOVA));
	memset(data, 0x33, sizeof(data));
	ASSERT_EQ(0, dma_write(self->fd, self->dev_id, DMA_IOVA, data,
			       sizeof(data)));
	ASSERT_EQ(0x33, self->buf[0]);
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, DMA_IOVA,
				2 * MOCK_PAGE, NULL));
	memset(data, 0x44, sizeof(data));
	EXPECT_EQ(-ENOENT, dma_write(self->fd, self->dev_id, DMA_IOVA, data,
				     sizeof(data)));
	EXPECT_EQ(-ENOENT, dma_read(self->fd, self->dev_id,
				    DMA_IOVA + MOCK_PAGE, data, sizeof(data)));
	EXPECT_EQ(0x33, self->buf[0]);
}

TEST_F(ioas_dma, pages_stay_pinned_after_munmap)
{
	uint8_t *mem, data[MOCK_PAGE], back[MOCK_PAGE];

	mem = mock_pages(2, 0);
	ASSERT_NE(MAP_FAILED, mem);
	fill_pattern(mem, 2 * MOCK_PAGE, 4);
	memcpy(data, mem + MOCK_PAGE, MOCK_PAGE);
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, mem,
				    2 * MOCK_PAGE, DMA_IOVA));
	/* the process drops the memory; the pinned pages live on */
	ASSERT_EQ(0, munmap(mem, 2 * MOCK_PAGE));
	mem = mock_pages(2, 0xee); /* likely reuses the VA range */
	ASSERT_NE(MAP_FAILED, mem);
	memset(back, 0, sizeof(back));
	ASSERT_EQ(0, dma_read(self->fd, self->dev_id, DMA_IOVA + MOCK_PAGE,
			      back, sizeof(back)));
	EXPECT_EQ(0, memcmp(data, back, sizeof(back)));
	/* and writing them does not reach the new memory */
	memset(back, 0x99, 64);
	ASSERT_EQ(0, dma_write(self->fd, self->dev_id, DMA_IOVA, back, 64));
	EXPECT_EQ(0xee, mem[0]);
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, DMA_IOVA,
				2 * MOCK_PAGE, NULL));
	munmap(mem, 2 * MOCK_PAGE);
}

TEST_F(ioas_dma, spans_adjacent_mappings)
{
	uint8_t *other, data[256];

	other = mock_pages(1, 0);
	ASSERT_NE(MAP_FAILED, other);
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    MOCK_PAGE, DMA_IOVA));
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, other,
				    MOCK_PAGE, DMA_IOVA + MOCK_PAGE));
	fill_pattern(data, sizeof(data), 5);
	ASSERT_EQ(0, dma_write(self->fd, self->dev_id,
			       DMA_IOVA + MOCK_PAGE - 128, data, sizeof(data)));
	EXPECT_EQ(0, memcmp(self->buf + MOCK_PAGE - 128, data, 128));
	EXPECT_EQ(0, memcmp(other, data + 128, 128));
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, 0, UINT64_MAX, NULL));
	munmap(other, MOCK_PAGE);
}

TEST_F(ioas_dma, mapping_made_before_attach)
{
	uint8_t data[64];
	uint32_t hwpt;

	ASSERT_EQ(0, dev_detach(self->fd, self->dev_id));
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    2 * MOCK_PAGE, DMA_IOVA));
	ASSERT_EQ(0, dev_attach(self->fd, self->dev_id, self->ioas_id, &hwpt));
	fill_pattern(data, sizeof(data), 6);
	ASSERT_EQ(0, dma_write(self->fd, self->dev_id, DMA_IOVA + MOCK_PAGE,
			       data, sizeof(data)));
	EXPECT_EQ(0, memcmp(self->buf + MOCK_PAGE, data, sizeof(data)));
}

/* ---- RLIMIT_MEMLOCK ------------------------------------------------------ */

#define LIMIT_PAGES 16
#define NOBODY 65534

/* Results a forked child hands back to the test. */
struct child_res {
	int step[8];
};

static struct child_res *child_res_alloc(void)
{
	struct child_res *r = mmap(NULL, sizeof(*r), PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (r == MAP_FAILED)
		return NULL;
	for (unsigned int i = 0; i < 8; i++)
		r->step[i] = 1000; /* never reached */
	return r;
}

static int set_memlock(uint64_t bytes)
{
	struct rlimit rl = { .rlim_cur = bytes, .rlim_max = bytes };

	return setrlimit(RLIMIT_MEMLOCK, &rl) ? -errno : 0;
}

/* Become nobody: every capability, CAP_IPC_LOCK included, is gone. */
static int drop_privileges(void)
{
	if (setresgid(NOBODY, NOBODY, NOBODY))
		return -errno;
	if (setresuid(NOBODY, NOBODY, NOBODY))
		return -errno;
	return 0;
}

static int wait_child(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(memlock_limit_enforced)
{
	struct child_res *r = child_res_alloc();
	pid_t pid;

	ASSERT_NE(NULL, r);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint32_t ioas;
		uint64_t iova, len = 0;
		uint8_t *mem = mock_pages(2 * LIMIT_PAGES, 1);
		int fd = mock_open();

		if (fd < 0 || mem == MAP_FAILED || ioas_alloc(fd, &ioas))
			_exit(2);
		if (set_memlock(LIMIT_PAGES * MOCK_PAGE) || drop_privileges())
			_exit(3);
		/* more than the limit */
		r->step[0] = ioas_map_any(fd, ioas, mem,
					  2 * LIMIT_PAGES * MOCK_PAGE, &iova);
		/* within it */
		r->step[1] = ioas_map_any(fd, ioas, mem, 4 * MOCK_PAGE, &iova);
		r->step[2] = ioas_map_any(fd, ioas, mem, 4 * MOCK_PAGE, &iova);
		/* 8 charged + 12 > 16 */
		r->step[3] = ioas_map_any(fd, ioas, mem, 12 * MOCK_PAGE, &iova);
		/* unmap gives the charge back: 12 fits now */
		r->step[4] = ioas_unmap(fd, ioas, 0, UINT64_MAX, &len);
		r->step[5] = ioas_map_any(fd, ioas, mem, 12 * MOCK_PAGE, &iova);
		close(fd);
		_exit(0);
	}
	ASSERT_EQ(0, wait_child(pid));
	EXPECT_EQ(-ENOMEM, r->step[0]);
	EXPECT_EQ(0, r->step[1]);
	EXPECT_EQ(0, r->step[2]);
	EXPECT_EQ(-ENOMEM, r->step[3]);
	EXPECT_EQ(0, r->step[4]);
	EXPECT_EQ(0, r->step[5]);
	munmap(r, sizeof(*r));
}

TEST(memlock_cap_ipc_lock_not_limited)
{
	struct child_res *r = child_res_alloc();
	pid_t pid;

	ASSERT_NE(NULL, r);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint32_t ioas;
		uint64_t iova;
		uint8_t *mem = mock_pages(2 * LIMIT_PAGES, 1);
		int fd = mock_open();

		if (fd < 0 || mem == MAP_FAILED || ioas_alloc(fd, &ioas))
			_exit(2);
		/* still root: CAP_IPC_LOCK lifts the limit */
		if (set_memlock(LIMIT_PAGES * MOCK_PAGE))
			_exit(3);
		r->step[0] = ioas_map_any(fd, ioas, mem,
					  2 * LIMIT_PAGES * MOCK_PAGE, &iova);
		close(fd);
		_exit(0);
	}
	ASSERT_EQ(0, wait_child(pid));
	EXPECT_EQ(0, r->step[0]);
	munmap(r, sizeof(*r));
}

TEST(memlock_released_on_close)
{
	struct child_res *r = child_res_alloc();
	pid_t pid;

	ASSERT_NE(NULL, r);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint32_t ioas1, ioas2;
		uint64_t iova;
		uint8_t *mem = mock_pages(LIMIT_PAGES, 1);
		int fd1 = mock_open(), fd2 = mock_open();

		if (fd1 < 0 || fd2 < 0 || mem == MAP_FAILED ||
		    ioas_alloc(fd1, &ioas1) || ioas_alloc(fd2, &ioas2))
			_exit(2);
		if (set_memlock(LIMIT_PAGES * MOCK_PAGE) || drop_privileges())
			_exit(3);
		r->step[0] = ioas_map_any(fd1, ioas1, mem, 12 * MOCK_PAGE, &iova);
		/* the charge is per user: the other fd is over the limit too */
		r->step[1] = ioas_map_any(fd2, ioas2, mem, 12 * MOCK_PAGE, &iova);
		close(fd1);
		r->step[2] = ioas_map_any(fd2, ioas2, mem, 12 * MOCK_PAGE, &iova);
		close(fd2);
		_exit(0);
	}
	ASSERT_EQ(0, wait_child(pid));
	EXPECT_EQ(0, r->step[0]);
	EXPECT_EQ(-ENOMEM, r->step[1]);
	EXPECT_EQ(0, r->step[2]);
	munmap(r, sizeof(*r));
}

TEST_HARNESS_MAIN
