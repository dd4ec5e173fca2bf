// SPDX-License-Identifier: GPL-2.0
/*
 * IOAS: alloc, map (fixed and kernel-chosen IOVA), unmap, IOVA ranges and
 * alignment, ALLOW_IOVAS, COPY, OPTION, permissions and lazy pinning proven
 * by mock DMA and VmPin, RLIMIT_MEMLOCK accounting. The rules are upstream
 * iommufd's (drivers/iommu/iommufd/ioas.c, io_pagetable.c, pages.c).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stddef.h>
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

/*
 * Defect fixed with upstream's lazy pinning: a 1 TiB map from a small buffer
 * once sized a page array by the length (WARNING in __kvmalloc_node). Now
 * nothing is pinned until a domain needs the pages, and then in bounded
 * batches that stop at the first unbacked page.
 */
TEST_F(ioas_basic, map_1tib_from_small_buffer)
{
	const uint64_t len = 1ULL << 40, iova = 1ULL << 32;
	uint64_t unmapped = 0;
	uint32_t dev, hwpt;
	uint8_t *va;

	/* 1 TiB of address space: 16 backed pages, then PROT_NONE */
	va = mmap(NULL, len, PROT_NONE,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, va);
	ASSERT_EQ(va, mmap(va, 16 * MOCK_PAGE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED |
			   MAP_POPULATE, -1, 0));

	/* No domain: nothing to pin, the map succeeds (upstream) */
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, va, len, iova));
	ASSERT_EQ(0, dev_alloc(self->fd, 0, 0x7f0, &dev));
	/* The first domain pins and stops at the first unbacked page */
	EXPECT_EQ(-EFAULT, dev_attach(self->fd, dev, self->ioas_id, &hwpt));
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, iova, len, &unmapped));
	EXPECT_EQ(len, unmapped);

	/* With a domain the map itself fails, leaving nothing mapped */
	ASSERT_EQ(0, dev_attach(self->fd, dev, self->ioas_id, &hwpt));
	EXPECT_EQ(-EFAULT, ioas_map_fixed(self->fd, self->ioas_id, va, len,
					  iova));
	EXPECT_EQ(-ENOENT, ioas_unmap(self->fd, self->ioas_id, iova, len, NULL));
	munmap(va, len);
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
	/* upstream: no domain or access needs more than byte alignment */
	EXPECT_EQ(1, align);
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

/*
 * Kernel-chosen IOVAs follow upstream's iopt_alloc_iova: never 0 (the search
 * starts at PAGE_SIZE), aligned to min(roundup_pow_of_two(length), lowest set
 * bit of user_va, 2 MiB), lowest hole first. The buffers here start at an
 * odd multiple of 2 MiB so only the length decides the alignment.
 */
TEST_F(ioas_basic, map_kernel_chosen_lowest)
{
	uint64_t iova1, iova2, iova3;
	struct mock_mem m;

	ASSERT_EQ(0, mock_mem_alloc(&m, 4 * MOCK_PAGE, 2ULL << 20, 1));
	/* 4 pages: 16 KiB aligned, the first such IOVA >= PAGE_SIZE */
	ASSERT_EQ(0, ioas_map_any(self->fd, self->ioas_id, m.p, 4 * MOCK_PAGE,
				  &iova1));
	EXPECT_EQ(4 * MOCK_PAGE, iova1);
	/* 2 pages: 8 KiB aligned, fits below the first */
	ASSERT_EQ(0, ioas_map_any(self->fd, self->ioas_id, m.p, 2 * MOCK_PAGE,
				  &iova2));
	EXPECT_EQ(2 * MOCK_PAGE, iova2);
	/* 1 page: the hole [PAGE_SIZE, 2 pages) */
	ASSERT_EQ(0, ioas_map_any(self->fd, self->ioas_id, m.p, MOCK_PAGE,
				  &iova3));
	EXPECT_EQ(MOCK_PAGE, iova3);
	/* IOVA 0 is never chosen: the next one goes above everything */
	ASSERT_EQ(0, ioas_map_any(self->fd, self->ioas_id, m.p, MOCK_PAGE,
				  &iova3));
	EXPECT_EQ(8 * MOCK_PAGE, iova3);
	mock_mem_free(&m);
}

TEST_F(ioas_basic, map_kernel_chosen_keeps_page_offset)
{
	uint64_t iova;

	/* user_va 0x...123: alignment 1, the page offset is kept */
	ASSERT_EQ(0, ioas_map_any(self->fd, self->ioas_id, self->buf + 0x123,
				  0x100, &iova));
	EXPECT_EQ(MOCK_PAGE + 0x123, iova);
	/* user_va 0x...800, one page: 2 KiB aligned, offset 0x800 */
	ASSERT_EQ(0, ioas_map_any(self->fd, self->ioas_id, self->buf + 0x800,
				  MOCK_PAGE, &iova));
	EXPECT_EQ(0x800, iova % MOCK_PAGE);
	EXPECT_EQ(MOCK_PAGE + 0x800, iova);
}

TEST_F(ioas_basic, map_kernel_chosen_fills_hole)
{
	struct mock_mem m;
	uint64_t iova;

	ASSERT_EQ(0, mock_mem_alloc(&m, 4 * MOCK_PAGE, 2ULL << 20, 1));
	/* [1p, 2p) and [4p, 5p) taken: a 2-page hole at 2p */
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, m.p, MOCK_PAGE,
				    MOCK_PAGE));
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, m.p, MOCK_PAGE,
				    4 * MOCK_PAGE));
	/* 4 pages (16 KiB aligned) fit neither hole: first aligned one is 8p */
	ASSERT_EQ(0, ioas_map_any(self->fd, self->ioas_id, m.p, 4 * MOCK_PAGE,
				  &iova));
	EXPECT_EQ(8 * MOCK_PAGE, iova);
	ASSERT_EQ(0, ioas_map_any(self->fd, self->ioas_id, m.p, 2 * MOCK_PAGE,
				  &iova));
	EXPECT_EQ(2 * MOCK_PAGE, iova);
	ASSERT_EQ(0, ioas_map_any(self->fd, self->ioas_id, m.p, MOCK_PAGE,
				  &iova));
	EXPECT_EQ(5 * MOCK_PAGE, iova);
	mock_mem_free(&m);
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

/*
 * The device is detached and no automatic HWPT is left on the IOAS: what a
 * failed attach must leave behind.
 */
#define EXPECT_NOT_ATTACHED(fd, dev, ioas) do {					\
	struct iommu_mock_object_info __i;					\
	ASSERT_EQ(0, mock_obj_info(fd, dev, &__i));				\
	EXPECT_EQ(0, __i.out_parent_id);					\
	ASSERT_EQ(0, mock_obj_info(fd, ioas, &__i));				\
	EXPECT_EQ(0, __i.out_users);						\
	EXPECT_EQ(1, ioas_alignment(fd, ioas));					\
} while (0)

/* Upstream: length 0 is EINVAL; otherwise only a domain's page size counts. */
TEST_F(ioas_basic, map_length_rules)
{
	uint64_t iova = 0x100000, len;
	uint32_t dev, hwpt;

	EXPECT_EQ(-EINVAL, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
					  0, 0x100000));
	EXPECT_EQ(-EINVAL, ioas_map_any(self->fd, self->ioas_id, self->buf,
					0, &iova));
	/* no domain: odd lengths map, and unmap gives back the exact bytes */
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    MOCK_PAGE / 2, 0x100000));
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    MOCK_PAGE + 8, 0x200000));
	ASSERT_EQ(0, ioas_map_any(self->fd, self->ioas_id, self->buf, 3,
				  &iova));
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, 0, UINT64_MAX, &len));
	EXPECT_EQ(MOCK_PAGE / 2 + MOCK_PAGE + 8 + 3, len);

	/* a paging domain of 4 KiB pages: lengths must be page multiples */
	ASSERT_EQ(0, dev_alloc(self->fd, 0, SID_BASE + 3, &dev));
	ASSERT_EQ(0, dev_attach(self->fd, dev, self->ioas_id, &hwpt));
	EXPECT_EQ(MOCK_PAGE, ioas_alignment(self->fd, self->ioas_id));
	EXPECT_EQ(-EINVAL, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
					  MOCK_PAGE / 2, 0x100000));
	EXPECT_EQ(-EINVAL, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
					  MOCK_PAGE + 8, 0x100000));
	EXPECT_EQ(-EINVAL, ioas_map_any(self->fd, self->ioas_id, self->buf,
					MOCK_PAGE + 8, &iova));
	EXPECT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    2 * MOCK_PAGE, 0x100000));
	/* detached: byte alignment again */
	ASSERT_EQ(0, dev_detach(self->fd, dev));
	EXPECT_EQ(1, ioas_alignment(self->fd, self->ioas_id));
	EXPECT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    MOCK_PAGE + 8, 0x200000));
}

TEST_F(ioas_basic, map_unaligned_va_rules)
{
	uint64_t iova, len;
	uint32_t dev, hwpt;

	/* no domain: any user address maps */
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf + 0x100,
				    MOCK_PAGE, 0x100000));
	ASSERT_EQ(0, ioas_map_any(self->fd, self->ioas_id, self->buf + 1,
				  MOCK_PAGE, &iova));
	EXPECT_EQ(1, iova % MOCK_PAGE);
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, 0, UINT64_MAX, &len));
	EXPECT_EQ(2 * MOCK_PAGE, len);

	ASSERT_EQ(0, dev_alloc(self->fd, 0, SID_BASE + 4, &dev));
	ASSERT_EQ(0, dev_attach(self->fd, dev, self->ioas_id, &hwpt));
	/* a domain: the user address's page offset must be page aligned too */
	EXPECT_EQ(-EINVAL, ioas_map_fixed(self->fd, self->ioas_id,
					  self->buf + 0x100, MOCK_PAGE, 0x100000));
	EXPECT_EQ(-EINVAL, ioas_map_any(self->fd, self->ioas_id,
					self->buf + 1, MOCK_PAGE, &iova));
	len = 1;
	EXPECT_EQ(0, ioas_unmap(self->fd, self->ioas_id, 0, UINT64_MAX, &len));
	EXPECT_EQ(0, len);
}

TEST_F(ioas_basic, map_unaligned_iova_rules)
{
	uint32_t dev, hwpt;
	uint64_t len;

	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    MOCK_PAGE, 0x100100));
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    MOCK_PAGE, 0x200000 + MOCK_PAGE / 2));
	/* mappings a 4 KiB domain cannot hold block the attach */
	ASSERT_EQ(0, dev_alloc(self->fd, 0, SID_BASE + 5, &dev));
	EXPECT_EQ(-EADDRINUSE, dev_attach(self->fd, dev, self->ioas_id, &hwpt));
	EXPECT_NOT_ATTACHED(self->fd, dev, self->ioas_id);
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, 0, UINT64_MAX, &len));
	EXPECT_EQ(2 * MOCK_PAGE, len);

	ASSERT_EQ(0, dev_attach(self->fd, dev, self->ioas_id, &hwpt));
	EXPECT_EQ(-EINVAL, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
					  MOCK_PAGE, 0x100100));
	EXPECT_EQ(-EINVAL, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
					  MOCK_PAGE, 0x100000 + MOCK_PAGE / 2));
	EXPECT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    MOCK_PAGE, 0x100000));
}

/* A paging HWPT raises the alignment while it exists, attached or not. */
TEST_F(ioas_basic, alignment_follows_domains)
{
	uint32_t dev, dev1, hwpt, auto1;

	EXPECT_EQ(1, ioas_alignment(self->fd, self->ioas_id));
	ASSERT_EQ(0, dev_alloc(self->fd, 0, SID_BASE + 6, &dev));
	ASSERT_EQ(0, dev_alloc(self->fd, 1, SID_BASE + 6, &dev1));
	ASSERT_EQ(0, hwpt_alloc(self->fd, dev, self->ioas_id, 0, &hwpt));
	EXPECT_EQ(MOCK_PAGE, ioas_alignment(self->fd, self->ioas_id));
	ASSERT_EQ(0, dev_attach(self->fd, dev1, self->ioas_id, &auto1));
	EXPECT_EQ(MOCK_PAGE, ioas_alignment(self->fd, self->ioas_id));
	ASSERT_EQ(0, mock_destroy(self->fd, hwpt));
	EXPECT_EQ(MOCK_PAGE, ioas_alignment(self->fd, self->ioas_id));
	ASSERT_EQ(0, dev_detach(self->fd, dev1));
	EXPECT_EQ(1, ioas_alignment(self->fd, self->ioas_id));
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

/*
 * Upstream pins nothing at IOAS_MAP: memory that cannot be pinned maps
 * while no domain needs it; the domain's attach then fails EFAULT and
 * changes nothing, and a map while a domain exists fails EFAULT.
 */
TEST_F(ioas_basic, map_unbacked_memory_efault_at_pin)
{
	uint64_t iova, len;
	uint32_t dev, hwpt;
	uint8_t *none, *hole;

	none = mmap(NULL, 2 * MOCK_PAGE, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, none);
	hole = mmap(NULL, 2 * MOCK_PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, hole);
	ASSERT_EQ(0, munmap(hole, 2 * MOCK_PAGE));
	ASSERT_EQ(0, dev_alloc(self->fd, 0, SID_BASE + 7, &dev));

	/* PROT_NONE, a hole in the address space, half good and half bad */
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, none,
				    2 * MOCK_PAGE, 0x100000));
	ASSERT_EQ(0, ioas_map_any(self->fd, self->ioas_id, hole,
				  2 * MOCK_PAGE, &iova));
	ASSERT_EQ(0, munmap(self->buf + (BUF_PAGES - 1) * MOCK_PAGE, MOCK_PAGE));
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id,
				    self->buf + (BUF_PAGES - 2) * MOCK_PAGE,
				    2 * MOCK_PAGE, 0x300000));

	/* pinning happens at attach: it fails and leaves nothing behind */
	EXPECT_EQ(-EFAULT, dev_attach(self->fd, dev, self->ioas_id, &hwpt));
	EXPECT_NOT_ATTACHED(self->fd, dev, self->ioas_id);
	EXPECT_EQ(-EFAULT, hwpt_alloc(self->fd, dev, self->ioas_id, 0, &hwpt));
	EXPECT_NOT_ATTACHED(self->fd, dev, self->ioas_id);
	/* the three mappings are still there */
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, 0x100000,
				2 * MOCK_PAGE, &len));
	EXPECT_EQ(2 * MOCK_PAGE, len);
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, iova, 2 * MOCK_PAGE,
				&len));
	EXPECT_EQ(2 * MOCK_PAGE, len);
	EXPECT_EQ(-EFAULT, dev_attach(self->fd, dev, self->ioas_id, &hwpt));
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, 0x300000,
				2 * MOCK_PAGE, &len));
	EXPECT_EQ(2 * MOCK_PAGE, len);

	/* nothing unpinnable left: the attach works, later maps pin at once */
	ASSERT_EQ(0, dev_attach(self->fd, dev, self->ioas_id, &hwpt));
	EXPECT_EQ(-EFAULT, ioas_map_fixed(self->fd, self->ioas_id, none,
					  2 * MOCK_PAGE, 0x100000));
	EXPECT_EQ(-EFAULT, ioas_map_any(self->fd, self->ioas_id, hole,
					2 * MOCK_PAGE, &iova));
	EXPECT_EQ(-EFAULT, ioas_map_fixed(self->fd, self->ioas_id,
					  self->buf + (BUF_PAGES - 2) * MOCK_PAGE,
					  2 * MOCK_PAGE, 0x300000));
	/* the failures left nothing mapped */
	len = 1;
	EXPECT_EQ(0, ioas_unmap(self->fd, self->ioas_id, 0, UINT64_MAX, &len));
	EXPECT_EQ(0, len);
	EXPECT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    MOCK_PAGE, 0x100000));
	munmap(none, 2 * MOCK_PAGE);
}

TEST_F(ioas_basic, map_readonly_memory)
{
	uint64_t iova = 0x100000, len;
	uint32_t dev, hwpt;
	uint8_t *ro;

	ro = mmap(NULL, 2 * MOCK_PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
		  -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_EQ(0, dev_alloc(self->fd, 0, SID_BASE + 7, &dev));
	/* WRITEABLE pins with FOLL_WRITE, but only once a domain needs it */
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, ro,
				    2 * MOCK_PAGE, 0x100000));
	EXPECT_EQ(-EFAULT, dev_attach(self->fd, dev, self->ioas_id, &hwpt));
	EXPECT_NOT_ATTACHED(self->fd, dev, self->ioas_id);
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, 0, UINT64_MAX, &len));
	EXPECT_EQ(2 * MOCK_PAGE, len);

	/* READABLE only pins read-only memory fine */
	ASSERT_EQ(0, ioas_map_flags(self->fd, self->ioas_id,
				    IOMMU_IOAS_MAP_READABLE |
					    IOMMU_IOAS_MAP_FIXED_IOVA,
				    ro, 2 * MOCK_PAGE, &iova));
	ASSERT_EQ(0, dev_attach(self->fd, dev, self->ioas_id, &hwpt));
	/* with the domain there, a writeable map fails at once */
	EXPECT_EQ(-EFAULT, ioas_map_fixed(self->fd, self->ioas_id, ro,
					  2 * MOCK_PAGE, 0x200000));
	EXPECT_EQ(0, ioas_unmap(self->fd, self->ioas_id, 0, UINT64_MAX, &len));
	EXPECT_EQ(2 * MOCK_PAGE, len);
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
	/* everything is free again: the lowest IOVA chosen is PAGE_SIZE */
	ASSERT_EQ(0, ioas_map_any(self->fd, self->ioas_id, self->buf,
				  MOCK_PAGE, &iova));
	EXPECT_EQ(MOCK_PAGE, iova);
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

/* Upstream never splits on IOAS_UNMAP: a range that cuts a mapping is ENOENT. */
TEST_F(ioas_basic, unmap_cut_enoent)
{
	uint64_t len = 0;

	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    4 * MOCK_PAGE, 0x100000));
	/* head, tail, middle, and a range sticking out of one end */
	EXPECT_EQ(-ENOENT, ioas_unmap(self->fd, self->ioas_id, 0x100000,
				      MOCK_PAGE, NULL));
	EXPECT_EQ(-ENOENT, ioas_unmap(self->fd, self->ioas_id,
				      0x100000 + 3 * MOCK_PAGE, MOCK_PAGE, NULL));
	EXPECT_EQ(-ENOENT, ioas_unmap(self->fd, self->ioas_id,
				      0x100000 + MOCK_PAGE, 2 * MOCK_PAGE, NULL));
	EXPECT_EQ(-ENOENT, ioas_unmap(self->fd, self->ioas_id, 0xfe000,
				      4 * MOCK_PAGE, NULL));
	EXPECT_EQ(-ENOENT, ioas_unmap(self->fd, self->ioas_id,
				      0x100000 + 2 * MOCK_PAGE, 0x100000, NULL));
	/* the mapping is intact */
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, 0x100000,
				4 * MOCK_PAGE, &len));
	EXPECT_EQ(4 * MOCK_PAGE, len);
}

/*
 * Areas are unmapped in IOVA order: those wholly inside the range before
 * the cut one are gone, the cut one and everything after it stay.
 */
TEST_F(ioas_basic, unmap_cut_keeps_what_came_before)
{
	uint64_t len = 0;

	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    MOCK_PAGE, 0x100000));
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    2 * MOCK_PAGE, 0x180000));
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    4 * MOCK_PAGE, 0x200000));
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    MOCK_PAGE, 0x280000));
	/* [0x100000, 0x201fff]: two areas inside, the third is cut */
	EXPECT_EQ(-ENOENT, ioas_unmap(self->fd, self->ioas_id, 0x100000,
				      0x102000, NULL));
	EXPECT_EQ(-ENOENT, ioas_unmap(self->fd, self->ioas_id, 0x100000,
				      MOCK_PAGE, NULL));
	EXPECT_EQ(-ENOENT, ioas_unmap(self->fd, self->ioas_id, 0x180000,
				      2 * MOCK_PAGE, NULL));
	EXPECT_EQ(-EEXIST, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
					  MOCK_PAGE, 0x200000));
	EXPECT_EQ(-EEXIST, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
					  MOCK_PAGE, 0x280000));
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, 0, UINT64_MAX, &len));
	EXPECT_EQ(5 * MOCK_PAGE, len);
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

/* ---- IOMMU_IOAS_ALLOW_IOVAS (upstream ioas.c / io_pagetable.c) ---------- */

TEST_F(ioas_basic, allow_iovas_errors)
{
	struct iommu_iova_range r[2] = {
		{ 0x100000, 0x1fffff },
		{ 0x180000, 0x2fffff },
	};
	struct iommu_ioas_allow_iovas cmd = {
		.size = sizeof(cmd),
		.ioas_id = self->ioas_id,
		.num_iovas = 1,
		.__reserved = 1,
		.allowed_iovas = U64_PTR(r),
	};
	uint64_t iova;

	/* overlapping ranges, start == last, start > last */
	EXPECT_EQ(-EINVAL, ioas_allow_iovas(self->fd, self->ioas_id, r, 2));
	r[1] = (struct iommu_iova_range){ 0x300000, 0x300000 };
	EXPECT_EQ(-EINVAL, ioas_allow_iovas(self->fd, self->ioas_id, r, 2));
	r[1] = (struct iommu_iova_range){ 0x400000, 0x300000 };
	EXPECT_EQ(-EINVAL, ioas_allow_iovas(self->fd, self->ioas_id, r, 2));
	EXPECT_EQ(-EFAULT, ioas_allow_iovas(self->fd, self->ioas_id,
					    (void *)(uintptr_t)8, 1));
	EXPECT_EQ(-EOPNOTSUPP, mock_ioctl(self->fd, IOMMU_IOAS_ALLOW_IOVAS,
					  &cmd));
	EXPECT_EQ(-ENOENT, ioas_allow_iovas(self->fd, 0xfffffff0, r, 1));
	EXPECT_EQ(-ENOENT, ioas_allow_iovas(self->fd, 0, r, 1));
	/* the failures changed nothing: no restriction */
	ASSERT_EQ(0, ioas_map_any(self->fd, self->ioas_id, self->buf,
				  MOCK_PAGE, &iova));
	EXPECT_EQ(MOCK_PAGE, iova);
	/* the allowed ranges do not show in IOAS_IOVA_RANGES */
	ASSERT_EQ(0, ioas_allow_iovas(self->fd, self->ioas_id, r, 1));
	EXPECT_ONE_RANGE(self->fd, self->ioas_id, UINT64_MAX);
}

TEST_F(ioas_basic, allow_iovas_kernel_chosen_inside)
{
	const uint64_t start = 0x10000000;
	struct iommu_iova_range r[2] = {
		/* two adjacent ranges act as one */
		{ start, start + 2 * MOCK_PAGE - 1 },
		{ start + 2 * MOCK_PAGE, start + 16 * MOCK_PAGE - 1 },
	};
	struct mock_mem m;
	uint64_t iova;

	/* user_va aligned to 2 MiB: the length decides the alignment */
	ASSERT_EQ(0, mock_mem_alloc(&m, 8 * MOCK_PAGE, 2ULL << 20, 1));
	ASSERT_EQ(0, ioas_allow_iovas(self->fd, self->ioas_id, r, 2));
	ASSERT_EQ(0, ioas_map_any(self->fd, self->ioas_id, m.p,
				  4 * MOCK_PAGE, &iova));
	EXPECT_EQ(start, iova);
	ASSERT_EQ(0, ioas_map_any(self->fd, self->ioas_id, m.p,
				  8 * MOCK_PAGE, &iova));
	EXPECT_EQ(start + 8 * MOCK_PAGE, iova);
	ASSERT_EQ(0, ioas_map_any(self->fd, self->ioas_id, m.p,
				  4 * MOCK_PAGE, &iova));
	EXPECT_EQ(start + 4 * MOCK_PAGE, iova);
	/* full */
	EXPECT_EQ(-ENOSPC, ioas_map_any(self->fd, self->ioas_id, self->buf,
					MOCK_PAGE, &iova));
	/* a caller-chosen IOVA is not restricted (upstream iopt_check_iova) */
	EXPECT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    MOCK_PAGE, 0x100000));
	/* an empty list lifts the restriction */
	ASSERT_EQ(0, ioas_allow_iovas(self->fd, self->ioas_id, NULL, 0));
	ASSERT_EQ(0, ioas_map_any(self->fd, self->ioas_id, self->buf,
				  MOCK_PAGE, &iova));
	EXPECT_EQ(MOCK_PAGE, iova);
	mock_mem_free(&m);
}

/* Allowed and reserved IOVA never overlap, whichever comes first. */
TEST_F(ioas_basic, allow_iovas_vs_reserved_eaddrinuse)
{
	struct iommu_iova_range msi = { MOCK_SW_MSI_START - MOCK_PAGE,
					MOCK_SW_MSI_START + MOCK_PAGE - 1 };
	struct iommu_iova_range low = { 0x100000, MOCK_SW_MSI_START - 1 };
	uint32_t dev, hwpt;
	uint64_t iova;

	ASSERT_EQ(0, dev_alloc(self->fd, 0, SID_BASE + 10, &dev));
	ASSERT_EQ(0, dev_attach(self->fd, dev, self->ioas_id, &hwpt));
	EXPECT_EQ(-EADDRINUSE, ioas_allow_iovas(self->fd, self->ioas_id,
						&msi, 1));
	ASSERT_EQ(0, ioas_allow_iovas(self->fd, self->ioas_id, &low, 1));
	ASSERT_EQ(0, ioas_map_any(self->fd, self->ioas_id, self->buf,
				  MOCK_PAGE, &iova));
	EXPECT_EQ(0x100000, iova);
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, 0, UINT64_MAX, NULL));
	/* detached, the window is free; then the attach is refused */
	ASSERT_EQ(0, dev_detach(self->fd, dev));
	ASSERT_EQ(0, ioas_allow_iovas(self->fd, self->ioas_id, &msi, 1));
	EXPECT_EQ(-EADDRINUSE, dev_attach(self->fd, dev, self->ioas_id, &hwpt));
	EXPECT_NOT_ATTACHED(self->fd, dev, self->ioas_id);
	ASSERT_EQ(0, ioas_allow_iovas(self->fd, self->ioas_id, NULL, 0));
	EXPECT_EQ(0, dev_attach(self->fd, dev, self->ioas_id, &hwpt));
}

/* ---- IOMMU_OPTION HUGE_PAGES (upstream ioas.c: iommufd_ioas_option) ----- */

TEST_F(ioas_basic, option_huge_pages)
{
	struct iommu_option cmd = {
		.size = sizeof(cmd),
		.option_id = IOMMU_OPTION_HUGE_PAGES,
		.op = IOMMU_OPTION_OP_SET,
		.object_id = self->ioas_id,
		.val64 = 2,
	};
	uint64_t val;

	ASSERT_EQ(0, option_get(self->fd, IOMMU_OPTION_HUGE_PAGES,
				self->ioas_id, &val));
	EXPECT_EQ(1, val);
	/* off: the IOAS maps page by page, so PAGE_SIZE alignment */
	ASSERT_EQ(0, option_set(self->fd, IOMMU_OPTION_HUGE_PAGES,
				self->ioas_id, 0));
	ASSERT_EQ(0, option_get(self->fd, IOMMU_OPTION_HUGE_PAGES,
				self->ioas_id, &val));
	EXPECT_EQ(0, val);
	EXPECT_EQ(MOCK_PAGE, ioas_alignment(self->fd, self->ioas_id));
	EXPECT_EQ(-EINVAL, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
					  MOCK_PAGE / 2, 0x100000));
	/* setting it again is fine */
	EXPECT_EQ(0, option_set(self->fd, IOMMU_OPTION_HUGE_PAGES,
				self->ioas_id, 0));
	ASSERT_EQ(0, option_set(self->fd, IOMMU_OPTION_HUGE_PAGES,
				self->ioas_id, 1));
	EXPECT_EQ(1, ioas_alignment(self->fd, self->ioas_id));
	ASSERT_EQ(0, option_get(self->fd, IOMMU_OPTION_HUGE_PAGES,
				self->ioas_id, &val));
	EXPECT_EQ(1, val);

	/* bad value: EINVAL, and val64 is not written back on failure */
	EXPECT_EQ(-EINVAL, mock_ioctl(self->fd, IOMMU_OPTION, &cmd));
	EXPECT_EQ(2, cmd.val64);
	cmd.op = 2;
	EXPECT_EQ(-EOPNOTSUPP, mock_ioctl(self->fd, IOMMU_OPTION, &cmd));
	cmd.op = IOMMU_OPTION_OP_GET;
	cmd.__reserved = 1;
	EXPECT_EQ(-EOPNOTSUPP, mock_ioctl(self->fd, IOMMU_OPTION, &cmd));
	EXPECT_EQ(2, cmd.val64);
	cmd.__reserved = 0;
	cmd.option_id = 0x1000;
	EXPECT_EQ(-EOPNOTSUPP, mock_ioctl(self->fd, IOMMU_OPTION, &cmd));
	cmd.option_id = UINT32_MAX;
	EXPECT_EQ(-EOPNOTSUPP, mock_ioctl(self->fd, IOMMU_OPTION, &cmd));
	EXPECT_EQ(-ENOENT, option_get(self->fd, IOMMU_OPTION_HUGE_PAGES,
				      0xfffffff0, &val));
	EXPECT_EQ(-ENOENT, option_get(self->fd, IOMMU_OPTION_HUGE_PAGES, 0,
				      &val));
	EXPECT_EQ(-ENOENT, option_set(self->fd, IOMMU_OPTION_HUGE_PAGES, 0, 0));
}

TEST_F(ioas_basic, option_huge_pages_off_needs_aligned_areas)
{
	uint32_t dev, hwpt;
	uint64_t val;

	/* an area a page-by-page IOAS cannot hold: EADDRINUSE, still on */
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    MOCK_PAGE + 8, 0x100000));
	EXPECT_EQ(-EADDRINUSE, option_set(self->fd, IOMMU_OPTION_HUGE_PAGES,
					  self->ioas_id, 0));
	ASSERT_EQ(0, option_get(self->fd, IOMMU_OPTION_HUGE_PAGES,
				self->ioas_id, &val));
	EXPECT_EQ(1, val);
	EXPECT_EQ(1, ioas_alignment(self->fd, self->ioas_id));
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, 0, UINT64_MAX, NULL));

	/* a domain with mappings in it: EINVAL (upstream) */
	ASSERT_EQ(0, dev_alloc(self->fd, 0, SID_BASE + 12, &dev));
	ASSERT_EQ(0, dev_attach(self->fd, dev, self->ioas_id, &hwpt));
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    MOCK_PAGE, 0x100000));
	EXPECT_EQ(-EINVAL, option_set(self->fd, IOMMU_OPTION_HUGE_PAGES,
				      self->ioas_id, 0));
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, 0, UINT64_MAX, NULL));
	/* a domain without mappings: fine */
	EXPECT_EQ(0, option_set(self->fd, IOMMU_OPTION_HUGE_PAGES,
				self->ioas_id, 0));
	ASSERT_EQ(0, dev_detach(self->fd, dev));
	/* the option alone keeps PAGE_SIZE alignment */
	EXPECT_EQ(MOCK_PAGE, ioas_alignment(self->fd, self->ioas_id));
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

/*
 * Upstream pins when a domain needs the pages, not at IOAS_MAP: memory
 * replaced under the mapping before the attach is what the device sees.
 */
TEST_F(ioas_dma, pages_pinned_at_attach_not_at_map)
{
	uint8_t data[64], back[64];
	uint32_t hwpt;
	void *p;

	ASSERT_EQ(0, dev_detach(self->fd, self->dev_id));
	fill_pattern(self->buf, 2 * MOCK_PAGE, 7);
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    2 * MOCK_PAGE, DMA_IOVA));
	/* new pages at the same address */
	p = mmap(self->buf, 2 * MOCK_PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	ASSERT_EQ((void *)self->buf, p);
	memset(self->buf, 0xee, 2 * MOCK_PAGE);
	ASSERT_EQ(0, dev_attach(self->fd, self->dev_id, self->ioas_id, &hwpt));
	ASSERT_EQ(0, dma_read(self->fd, self->dev_id, DMA_IOVA + MOCK_PAGE,
			      back, sizeof(back)));
	memset(data, 0xee, sizeof(data));
	EXPECT_EQ(0, memcmp(data, back, sizeof(back)));
	fill_pattern(data, sizeof(data), 8);
	ASSERT_EQ(0, dma_write(self->fd, self->dev_id, DMA_IOVA, data,
			       sizeof(data)));
	EXPECT_EQ(0, memcmp(self->buf, data, sizeof(data)));
}

/*
 * VmPin (mm->pinned_vm) counts what is pinned: nothing after IOAS_MAP, each
 * page once however many domains map it, nothing after the last domain goes.
 */
TEST_F(ioas_dma, pinned_vm_follows_domains)
{
	/* another instance with another format: surely another domain */
	const uint32_t other = variant->inst == 1 ? 0 : 1;
	uint32_t dev2, hwpt, h2;
	long base;

	ASSERT_EQ(0, dev_detach(self->fd, self->dev_id));
	base = pinned_pages();
	ASSERT_LE(0, base);
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    8 * MOCK_PAGE, DMA_IOVA));
	EXPECT_EQ(base, pinned_pages());
	ASSERT_EQ(0, dev_attach(self->fd, self->dev_id, self->ioas_id, &hwpt));
	EXPECT_EQ(base + 8, pinned_pages());
	/* a second domain (another instance) shares the pins */
	ASSERT_EQ(0, dev_alloc(self->fd, other, SID_BASE + 9, &dev2));
	ASSERT_EQ(0, dev_attach(self->fd, dev2, self->ioas_id, &h2));
	EXPECT_NE(hwpt, h2);
	EXPECT_EQ(base + 8, pinned_pages());
	/* a map with domains present pins at once; unmap unpins */
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    2 * MOCK_PAGE, 2 * DMA_IOVA));
	EXPECT_EQ(base + 10, pinned_pages());
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, 2 * DMA_IOVA,
				2 * MOCK_PAGE, NULL));
	EXPECT_EQ(base + 8, pinned_pages());
	ASSERT_EQ(0, dev_detach(self->fd, self->dev_id));
	EXPECT_EQ(base + 8, pinned_pages());
	ASSERT_EQ(0, dev_detach(self->fd, dev2));
	EXPECT_EQ(base, pinned_pages());
	/* a paging HWPT nobody is attached to is a domain too */
	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev_id, self->ioas_id, 0, &hwpt));
	EXPECT_EQ(base + 8, pinned_pages());
	ASSERT_EQ(0, mock_destroy(self->fd, hwpt));
	EXPECT_EQ(base, pinned_pages());
}

/* ---- IOMMU_IOAS_COPY (upstream ioas.c: iommufd_ioas_copy) --------------- */

FIXTURE(ioas_copy) {
	int fd;
	uint32_t src, dst;
	uint32_t dev_id;
	struct mock_mem m;
};

#define COPY_PAGES 16
#define SRC_IOVA 0x100000ULL
#define DST_IOVA 0x400000ULL

FIXTURE_SETUP(ioas_copy)
{
	uint32_t hwpt;

	self->fd = mock_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ioas_alloc(self->fd, &self->src));
	ASSERT_EQ(0, ioas_alloc(self->fd, &self->dst));
	ASSERT_EQ(0, dev_alloc(self->fd, 0, SID_BASE + 11, &self->dev_id));
	ASSERT_EQ(0, dev_attach(self->fd, self->dev_id, self->dst, &hwpt));
	ASSERT_EQ(0, mock_mem_alloc(&self->m, COPY_PAGES * MOCK_PAGE,
				    2ULL << 20, 0));
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->src, self->m.p,
				    4 * MOCK_PAGE, SRC_IOVA));
}

FIXTURE_TEARDOWN(ioas_copy)
{
	mock_mem_free(&self->m);
	if (self->fd >= 0)
		close(self->fd);
}

#define COPY_FIXED (MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA)

/* The copy maps the same pages: the device reaches the source's memory. */
TEST_F(ioas_copy, shares_pages)
{
	uint8_t data[128], back[128];
	uint64_t iova = DST_IOVA, len;

	/* the middle two pages of the source mapping */
	ASSERT_EQ(0, ioas_copy(self->fd, self->dst, &iova, COPY_FIXED,
			       self->src, SRC_IOVA + MOCK_PAGE, 2 * MOCK_PAGE));
	EXPECT_EQ(DST_IOVA, iova);
	fill_pattern(data, sizeof(data), 10);
	ASSERT_EQ(0, dma_write(self->fd, self->dev_id, DST_IOVA + 16, data,
			       sizeof(data)));
	EXPECT_EQ(0, memcmp(self->m.p + MOCK_PAGE + 16, data, sizeof(data)));
	fill_pattern(self->m.p + 2 * MOCK_PAGE, sizeof(data), 11);
	ASSERT_EQ(0, dma_read(self->fd, self->dev_id, DST_IOVA + MOCK_PAGE,
			      back, sizeof(back)));
	EXPECT_EQ(0, memcmp(self->m.p + 2 * MOCK_PAGE, back, sizeof(back)));
	/* only the copied part is mapped */
	EXPECT_EQ(-ENOENT, dma_read(self->fd, self->dev_id,
				    DST_IOVA + 2 * MOCK_PAGE, back, 8));
	/* the copy outlives the source mapping */
	ASSERT_EQ(0, ioas_unmap(self->fd, self->src, 0, UINT64_MAX, &len));
	EXPECT_EQ(4 * MOCK_PAGE, len);
	ASSERT_EQ(0, dma_write(self->fd, self->dev_id, DST_IOVA, data, 16));
	EXPECT_EQ(0, memcmp(self->m.p + MOCK_PAGE, data, 16));
	ASSERT_EQ(0, ioas_unmap(self->fd, self->dst, DST_IOVA, 2 * MOCK_PAGE,
				&len));
	EXPECT_EQ(2 * MOCK_PAGE, len);
}

/* Source and copy share one pin of each page (upstream iopt_pages). */
TEST_F(ioas_copy, pins_once)
{
	uint64_t iova = DST_IOVA;
	uint32_t dev2, hwpt;
	long base = pinned_pages();

	ASSERT_LE(0, base);
	ASSERT_EQ(0, dev_alloc(self->fd, 1, SID_BASE + 11, &dev2));
	ASSERT_EQ(0, dev_attach(self->fd, dev2, self->src, &hwpt));
	EXPECT_EQ(base + 4, pinned_pages());
	ASSERT_EQ(0, ioas_copy(self->fd, self->dst, &iova, COPY_FIXED,
			       self->src, SRC_IOVA, 4 * MOCK_PAGE));
	EXPECT_EQ(base + 4, pinned_pages());
	ASSERT_EQ(0, ioas_unmap(self->fd, self->src, 0, UINT64_MAX, NULL));
	EXPECT_EQ(base + 4, pinned_pages());
	ASSERT_EQ(0, ioas_unmap(self->fd, self->dst, 0, UINT64_MAX, NULL));
	EXPECT_EQ(base, pinned_pages());
}

/* Without FIXED_IOVA the destination IOVA is chosen like IOAS_MAP's. */
TEST_F(ioas_copy, kernel_chosen_dst)
{
	uint64_t iova = 0x12345000, iova2 = 0;
	uint8_t data[16];

	ASSERT_EQ(0, ioas_copy(self->fd, self->dst, &iova, MAP_RW, self->src,
			       SRC_IOVA, 4 * MOCK_PAGE));
	/* 4 pages from a 2 MiB aligned address: 16 KiB aligned, >= PAGE_SIZE */
	EXPECT_EQ(4 * MOCK_PAGE, iova);
	/* within the same IOAS as well */
	ASSERT_EQ(0, ioas_copy(self->fd, self->src, &iova2, MAP_RW, self->src,
			       SRC_IOVA + MOCK_PAGE, MOCK_PAGE));
	EXPECT_EQ(MOCK_PAGE, iova2);
	memset(data, 0x3c, sizeof(data));
	ASSERT_EQ(0, dma_write(self->fd, self->dev_id, iova + 3 * MOCK_PAGE,
			       data, sizeof(data)));
	EXPECT_EQ(0x3c, self->m.p[3 * MOCK_PAGE]);
}

TEST_F(ioas_copy, holes_enoent)
{
	uint64_t iova = DST_IOVA;

	/* a second source mapping after a one-page hole */
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->src, self->m.p,
				    MOCK_PAGE, SRC_IOVA + 5 * MOCK_PAGE));
	EXPECT_EQ(-ENOENT, ioas_copy(self->fd, self->dst, &iova, COPY_FIXED,
				     self->src, SRC_IOVA, 6 * MOCK_PAGE));
	EXPECT_EQ(-ENOENT, ioas_copy(self->fd, self->dst, &iova, COPY_FIXED,
				     self->src, SRC_IOVA + 4 * MOCK_PAGE,
				     MOCK_PAGE));
	EXPECT_EQ(-ENOENT, ioas_copy(self->fd, self->dst, &iova, COPY_FIXED,
				     self->src, SRC_IOVA - MOCK_PAGE,
				     2 * MOCK_PAGE));
	EXPECT_EQ(-ENOENT, ioas_copy(self->fd, self->dst, &iova, COPY_FIXED,
				     self->src, 0x80000000, MOCK_PAGE));
	/* adjacent mappings copy as one range */
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->src, self->m.p,
				    MOCK_PAGE, SRC_IOVA + 4 * MOCK_PAGE));
	EXPECT_EQ(0, ioas_copy(self->fd, self->dst, &iova, COPY_FIXED,
			       self->src, SRC_IOVA + 3 * MOCK_PAGE,
			       3 * MOCK_PAGE));
	/* nothing else was mapped by the failures */
	EXPECT_EQ(-ENOENT, ioas_unmap(self->fd, self->dst, 0,
				      DST_IOVA, NULL));
}

TEST_F(ioas_copy, readonly_source_eperm)
{
	uint64_t iova = SRC_IOVA + 8 * MOCK_PAGE;

	ASSERT_EQ(0, ioas_map_flags(self->fd, self->src,
				    IOMMU_IOAS_MAP_READABLE |
					    IOMMU_IOAS_MAP_FIXED_IOVA,
				    self->m.p, MOCK_PAGE, &iova));
	iova = DST_IOVA;
	EXPECT_EQ(-EPERM, ioas_copy(self->fd, self->dst, &iova, COPY_FIXED,
				    self->src, SRC_IOVA + 8 * MOCK_PAGE,
				    MOCK_PAGE));
	EXPECT_EQ(-EPERM, ioas_copy(self->fd, self->dst, &iova,
				    IOMMU_IOAS_MAP_WRITEABLE |
					    IOMMU_IOAS_MAP_FIXED_IOVA,
				    self->src, SRC_IOVA + 8 * MOCK_PAGE,
				    MOCK_PAGE));
	ASSERT_EQ(0, ioas_copy(self->fd, self->dst, &iova,
			       IOMMU_IOAS_MAP_READABLE |
				       IOMMU_IOAS_MAP_FIXED_IOVA,
			       self->src, SRC_IOVA + 8 * MOCK_PAGE, MOCK_PAGE));
	/* a read-only copy of a writeable mapping is fine, and read-only */
	iova = DST_IOVA + MOCK_PAGE;
	ASSERT_EQ(0, ioas_copy(self->fd, self->dst, &iova,
			       IOMMU_IOAS_MAP_READABLE |
				       IOMMU_IOAS_MAP_FIXED_IOVA,
			       self->src, SRC_IOVA, MOCK_PAGE));
	EXPECT_EQ(-EPERM, dma_write(self->fd, self->dev_id, DST_IOVA + MOCK_PAGE,
				    self->m.p, 8));
}

TEST_F(ioas_copy, errors)
{
	struct iommu_ioas_copy cmd = {
		.size = sizeof(cmd),
		.flags = COPY_FIXED,
		.dst_ioas_id = self->dst,
		.src_ioas_id = self->src,
		.length = MOCK_PAGE,
		.dst_iova = DST_IOVA,
		.src_iova = SRC_IOVA,
	};
	uint64_t iova = DST_IOVA;

	/* destination in use */
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->dst, self->m.p, MOCK_PAGE,
				    DST_IOVA + MOCK_PAGE));
	EXPECT_EQ(-EEXIST, ioas_copy(self->fd, self->dst, &iova, COPY_FIXED,
				     self->src, SRC_IOVA, 2 * MOCK_PAGE));
	/* the destination's domain needs page alignment */
	iova = DST_IOVA + 0x100;
	EXPECT_EQ(-EINVAL, ioas_copy(self->fd, self->dst, &iova, COPY_FIXED,
				     self->src, SRC_IOVA, MOCK_PAGE));
	iova = DST_IOVA;
	EXPECT_EQ(-EINVAL, ioas_copy(self->fd, self->dst, &iova, COPY_FIXED,
				     self->src, SRC_IOVA, 100));
	EXPECT_EQ(-EINVAL, ioas_copy(self->fd, self->dst, &iova, COPY_FIXED,
				     self->src, SRC_IOVA, 0));
	EXPECT_EQ(-EINVAL, ioas_copy(self->fd, self->dst, &iova,
				     IOMMU_IOAS_MAP_FIXED_IOVA, self->src,
				     SRC_IOVA, MOCK_PAGE));
	EXPECT_EQ(-EOPNOTSUPP, ioas_copy(self->fd, self->dst, &iova,
					 COPY_FIXED | (1U << 3), self->src,
					 SRC_IOVA, MOCK_PAGE));
	EXPECT_EQ(-EOVERFLOW, ioas_copy(self->fd, self->dst, &iova, COPY_FIXED,
					self->src, SRC_IOVA, UINT64_MAX));
	EXPECT_EQ(-EOVERFLOW, ioas_copy(self->fd, self->dst, &iova, COPY_FIXED,
					self->src, UINT64_MAX, MOCK_PAGE));
	EXPECT_EQ(-ENOENT, ioas_copy(self->fd, self->dst, &iova, COPY_FIXED,
				     0xfffffff0, SRC_IOVA, MOCK_PAGE));
	EXPECT_EQ(-ENOENT, ioas_copy(self->fd, 0xfffffff0, &iova, COPY_FIXED,
				     self->src, SRC_IOVA, MOCK_PAGE));
	/* a struct too short for src_iova */
	cmd.size = offsetof(struct iommu_ioas_copy, src_iova);
	EXPECT_EQ(-EINVAL, mock_ioctl(self->fd, IOMMU_IOAS_COPY, &cmd));
	/* nothing new in the destination */
	EXPECT_EQ(-ENOENT, ioas_unmap(self->fd, self->dst, DST_IOVA, MOCK_PAGE,
				      NULL));
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

/*
 * Upstream charges pinned pages when they are pinned: at the attach of the
 * first paging domain, or at a map while one exists. Every IOAS_MAP makes
 * its own iopt_pages, charged separately.
 */
TEST(memlock_limit_enforced_at_pin)
{
	struct child_res *r = child_res_alloc();
	pid_t pid;

	ASSERT_NE(NULL, r);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint32_t ioas, dev, hwpt;
		uint64_t iova, len = 0;
		uint8_t *mem = mock_pages(2 * LIMIT_PAGES, 1);
		int fd = mock_open();

		if (fd < 0 || mem == MAP_FAILED || ioas_alloc(fd, &ioas) ||
		    dev_alloc(fd, 0, SID_BASE + 13, &dev))
			_exit(2);
		if (set_memlock(LIMIT_PAGES * MOCK_PAGE) || drop_privileges())
			_exit(3);
		/* no domain: more than the limit maps, nothing is pinned */
		r->step[0] = ioas_map_any(fd, ioas, mem,
					  2 * LIMIT_PAGES * MOCK_PAGE, &iova);
		/* the attach pins it all: over the limit, nothing changes */
		r->step[1] = dev_attach(fd, dev, ioas, &hwpt);
		r->step[2] = ioas_unmap(fd, ioas, 0, UINT64_MAX, &len) ?:
			     (len == 2 * LIMIT_PAGES * MOCK_PAGE ? 0 : 1000);
		/* within it */
		r->step[3] = ioas_map_any(fd, ioas, mem, 4 * MOCK_PAGE, &iova) ?:
			     dev_attach(fd, dev, ioas, &hwpt);
		r->step[4] = ioas_map_any(fd, ioas, mem, 4 * MOCK_PAGE, &iova);
		/* 8 charged + 12 > 16 */
		r->step[5] = ioas_map_any(fd, ioas, mem, 12 * MOCK_PAGE, &iova);
		/* unmap gives the charge back: 12 fits now */
		r->step[6] = ioas_unmap(fd, ioas, 0, UINT64_MAX, &len) ?:
			     ioas_map_any(fd, ioas, mem, 12 * MOCK_PAGE, &iova);
		/* detach unpins and refunds: 12 more map, and attach fails */
		r->step[7] = dev_detach(fd, dev) ?:
			     ioas_map_any(fd, ioas, mem, 12 * MOCK_PAGE, &iova);
		if (!r->step[7] && dev_attach(fd, dev, ioas, &hwpt) != -ENOMEM)
			r->step[7] = 1001;
		close(fd);
		_exit(0);
	}
	ASSERT_EQ(0, wait_child(pid));
	EXPECT_EQ(0, r->step[0]);
	EXPECT_EQ(-ENOMEM, r->step[1]);
	EXPECT_EQ(0, r->step[2]);
	EXPECT_EQ(0, r->step[3]);
	EXPECT_EQ(0, r->step[4]);
	EXPECT_EQ(-ENOMEM, r->step[5]);
	EXPECT_EQ(0, r->step[6]);
	EXPECT_EQ(0, r->step[7]);
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
		uint32_t ioas, dev, hwpt;
		uint64_t iova;
		uint8_t *mem = mock_pages(2 * LIMIT_PAGES, 1);
		int fd = mock_open();

		if (fd < 0 || mem == MAP_FAILED || ioas_alloc(fd, &ioas) ||
		    dev_alloc(fd, 0, SID_BASE + 13, &dev))
			_exit(2);
		/* still root: CAP_IPC_LOCK lifts the limit */
		if (set_memlock(LIMIT_PAGES * MOCK_PAGE))
			_exit(3);
		r->step[0] = dev_attach(fd, dev, ioas, &hwpt);
		r->step[1] = ioas_map_any(fd, ioas, mem,
					  2 * LIMIT_PAGES * MOCK_PAGE, &iova);
		close(fd);
		_exit(0);
	}
	ASSERT_EQ(0, wait_child(pid));
	EXPECT_EQ(0, r->step[0]);
	EXPECT_EQ(0, r->step[1]);
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
		uint32_t ioas1, ioas2, dev1, dev2, hwpt;
		uint64_t iova;
		uint8_t *mem = mock_pages(LIMIT_PAGES, 1);
		int fd1 = mock_open(), fd2 = mock_open();

		if (fd1 < 0 || fd2 < 0 || mem == MAP_FAILED ||
		    ioas_alloc(fd1, &ioas1) || ioas_alloc(fd2, &ioas2) ||
		    dev_alloc(fd1, 0, SID_BASE + 13, &dev1) ||
		    dev_alloc(fd2, 0, SID_BASE + 14, &dev2) ||
		    dev_attach(fd1, dev1, ioas1, &hwpt))
			_exit(2);
		if (set_memlock(LIMIT_PAGES * MOCK_PAGE) || drop_privileges())
			_exit(3);
		r->step[0] = ioas_map_any(fd1, ioas1, mem, 12 * MOCK_PAGE, &iova);
		/* the charge is per user: the other fd is over the limit too */
		r->step[1] = ioas_map_any(fd2, ioas2, mem, 12 * MOCK_PAGE, &iova);
		r->step[2] = dev_attach(fd2, dev2, ioas2, &hwpt);
		close(fd1);
		r->step[3] = dev_attach(fd2, dev2, ioas2, &hwpt);
		close(fd2);
		_exit(0);
	}
	ASSERT_EQ(0, wait_child(pid));
	EXPECT_EQ(0, r->step[0]);
	EXPECT_EQ(0, r->step[1]);
	EXPECT_EQ(-ENOMEM, r->step[2]);
	EXPECT_EQ(0, r->step[3]);
	munmap(r, sizeof(*r));
}

/* ---- IOMMU_OPTION RLIMIT_MODE (upstream iommufd_option_rlimit_mode) ----- */

TEST(option_rlimit_mode)
{
	struct iommu_option cmd = {
		.size = sizeof(cmd),
		.option_id = IOMMU_OPTION_RLIMIT_MODE,
		.op = IOMMU_OPTION_OP_GET,
		.object_id = 1,
	};
	uint32_t ioas;
	uint64_t val;
	int fd = mock_open();

	ASSERT_LE(0, fd);
	/* default: charge the user (0) */
	ASSERT_EQ(0, option_get(fd, IOMMU_OPTION_RLIMIT_MODE, 0, &val));
	EXPECT_EQ(0, val);
	ASSERT_EQ(0, option_set(fd, IOMMU_OPTION_RLIMIT_MODE, 0, 1));
	ASSERT_EQ(0, option_get(fd, IOMMU_OPTION_RLIMIT_MODE, 0, &val));
	EXPECT_EQ(1, val);
	EXPECT_EQ(-EINVAL, option_set(fd, IOMMU_OPTION_RLIMIT_MODE, 0, 2));
	ASSERT_EQ(0, option_get(fd, IOMMU_OPTION_RLIMIT_MODE, 0, &val));
	EXPECT_EQ(1, val);
	/* it is global: an object ID is not accepted */
	EXPECT_EQ(-EOPNOTSUPP, mock_ioctl(fd, IOMMU_OPTION, &cmd));
	cmd.op = IOMMU_OPTION_OP_SET;
	EXPECT_EQ(-EOPNOTSUPP, mock_ioctl(fd, IOMMU_OPTION, &cmd));
	cmd.object_id = 0;
	cmd.op = 7;
	EXPECT_EQ(-EOPNOTSUPP, mock_ioctl(fd, IOMMU_OPTION, &cmd));
	/* any object makes it fixed */
	ASSERT_EQ(0, ioas_alloc(fd, &ioas));
	EXPECT_EQ(-EBUSY, option_set(fd, IOMMU_OPTION_RLIMIT_MODE, 0, 0));
	ASSERT_EQ(0, option_get(fd, IOMMU_OPTION_RLIMIT_MODE, 0, &val));
	EXPECT_EQ(1, val);
	ASSERT_EQ(0, mock_destroy(fd, ioas));
	EXPECT_EQ(0, option_set(fd, IOMMU_OPTION_RLIMIT_MODE, 0, 0));
	close(fd);
}

TEST(option_rlimit_mode_needs_cap_sys_resource)
{
	struct child_res *r = child_res_alloc();
	pid_t pid;

	ASSERT_NE(NULL, r);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint64_t val;
		int fd = mock_open();

		if (fd < 0 || drop_privileges())
			_exit(2);
		r->step[0] = option_set(fd, IOMMU_OPTION_RLIMIT_MODE, 0, 1);
		r->step[1] = option_get(fd, IOMMU_OPTION_RLIMIT_MODE, 0, &val) ?:
			     (int)val;
		close(fd);
		_exit(0);
	}
	ASSERT_EQ(0, wait_child(pid));
	EXPECT_EQ(-EPERM, r->step[0]);
	EXPECT_EQ(0, r->step[1]);
	munmap(r, sizeof(*r));
}

/*
 * Mode 1 charges the mapper's mm->locked_vm (VmLck) like VFIO type1, against
 * the same RLIMIT_MEMLOCK; mode 0 charges the user and leaves VmLck alone.
 */
TEST(option_rlimit_mode_mm_charges_locked_vm)
{
	struct child_res *r = child_res_alloc();
	pid_t pid;

	ASSERT_NE(NULL, r);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		uint32_t ioas, dev, hwpt, ioas0, dev0;
		uint64_t iova;
		uint8_t *mem = mock_pages(LIMIT_PAGES, 1);
		int fd = mock_open(), fd0 = mock_open();
		/* opened before the privileges go */
		int st = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
		long lck;

		if (fd < 0 || fd0 < 0 || st < 0 || mem == MAP_FAILED ||
		    option_set(fd, IOMMU_OPTION_RLIMIT_MODE, 0, 1) ||
		    ioas_alloc(fd, &ioas) || dev_alloc(fd, 0, SID_BASE + 13, &dev) ||
		    dev_attach(fd, dev, ioas, &hwpt) ||
		    ioas_alloc(fd0, &ioas0) ||
		    dev_alloc(fd0, 0, SID_BASE + 14, &dev0) ||
		    dev_attach(fd0, dev0, ioas0, &hwpt))
			_exit(2);
		if (set_memlock(LIMIT_PAGES * MOCK_PAGE) || drop_privileges())
			_exit(3);
		lck = proc_status_kb_fd(st, "VmLck");
		r->step[6] = (int)lck;
		r->step[0] = ioas_map_any(fd, ioas, mem, 8 * MOCK_PAGE, &iova);
		r->step[1] = (int)(proc_status_kb_fd(st, "VmLck") - lck);
		r->step[2] = ioas_map_any(fd, ioas, mem, 12 * MOCK_PAGE, &iova);
		r->step[3] = ioas_unmap(fd, ioas, 0, UINT64_MAX, NULL) ?:
			     (int)(proc_status_kb_fd(st, "VmLck") - lck);
		/* mode 0 (fd0): VmLck does not move */
		r->step[4] = ioas_map_any(fd0, ioas0, mem, 8 * MOCK_PAGE, &iova);
		r->step[5] = (int)(proc_status_kb_fd(st, "VmLck") - lck);
		close(fd);
		close(fd0);
		_exit(0);
	}
	ASSERT_EQ(0, wait_child(pid));
	EXPECT_EQ(0, r->step[0]);
	EXPECT_EQ(8 * MOCK_PAGE / 1024, r->step[1]);
	EXPECT_EQ(-ENOMEM, r->step[2]);
	EXPECT_EQ(0, r->step[3]);
	EXPECT_EQ(0, r->step[4]);
	EXPECT_EQ(0, r->step[5]);
	EXPECT_LE(0, r->step[6]);
	munmap(r, sizeof(*r));
}

TEST_HARNESS_MAIN
