// SPDX-License-Identifier: GPL-2.0
/*
 * Two upstream command families served on the module's selftest devices,
 * errno by errno: the VFIO type1 container ioctls on the iommufd file with
 * IOMMU_VFIO_IOAS, and HWPT dirty tracking (HWPT_SET_DIRTY_TRACKING,
 * HWPT_GET_DIRTY_BITMAP, with IOMMU_TEST_OP_DIRTY as the device).
 */
#define _GNU_SOURCE
#include <linux/vfio.h>
#include <stddef.h>
#include <stdint.h>

#include "mock_helpers.h"
#include "iommufd_test.h"

/* IO page size of upstream's mock domain: half a CPU page */
#define ST_IO_PAGE 2048ULL

FIXTURE(cd) {
	int fd;
	uint32_t ioas_id;
	uint32_t stdev_id;
	uint32_t idev_id;
	void *buf;
};

/* A selftest device (upstream's mock) on a fresh IOAS, and 4 pages. */
FIXTURE_SETUP(cd)
{
	struct iommu_test_cmd md = {
		.size = sizeof(md),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN,
	};

	self->fd = mock_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ioas_alloc(self->fd, &self->ioas_id));
	md.id = self->ioas_id;
	ASSERT_EQ(0, ioctl(self->fd, IOMMU_TEST_CMD, &md));
	self->stdev_id = md.mock_domain.out_stdev_id;
	self->idev_id = md.mock_domain.out_idev_id;
	self->buf = mock_pages(4, 0x3c);
	ASSERT_NE(MAP_FAILED, self->buf);
}

FIXTURE_TEARDOWN(cd)
{
	munmap(self->buf, 4 * MOCK_PAGE);
	close(self->fd);
}

static int vfio_ioas(int fd, uint32_t op, uint32_t *ioas_id)
{
	struct iommu_vfio_ioas cmd = {
		.size = sizeof(cmd),
		.ioas_id = *ioas_id,
		.op = op,
	};
	int rc = mock_ioctl(fd, IOMMU_VFIO_IOAS, &cmd);

	*ioas_id = cmd.ioas_id;
	return rc;
}

/* ioctl() of a VFIO container command: its return value, or -errno. */
static long vfio_ioctl(int fd, unsigned long cmd, unsigned long arg)
{
	long rc = ioctl(fd, cmd, arg);

	return rc < 0 ? -errno : rc;
}

static long vfio_map(int fd, uint32_t flags, const void *va, uint64_t iova,
		     uint64_t size)
{
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = flags,
		.vaddr = (uintptr_t)va,
		.iova = iova,
		.size = size,
	};

	return vfio_ioctl(fd, VFIO_IOMMU_MAP_DMA, (uintptr_t)&map);
}

static long vfio_unmap(int fd, uint32_t flags, uint64_t iova, uint64_t size,
		       uint64_t *unmapped)
{
	struct vfio_iommu_type1_dma_unmap unmap = {
		.argsz = sizeof(unmap),
		.flags = flags,
		.iova = iova,
		.size = size,
	};
	long rc = vfio_ioctl(fd, VFIO_IOMMU_UNMAP_DMA, (uintptr_t)&unmap);

	*unmapped = unmap.size;
	return rc;
}

#define RW (VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)

/* Before an IOAS is chosen, the container has no IOMMU: ENODEV. */
TEST_F(cd, vfio_without_ioas_enodev)
{
	struct vfio_iommu_type1_info info = { .argsz = sizeof(info) };
	uint32_t id = 0;
	uint64_t n;

	EXPECT_EQ(VFIO_API_VERSION,
		  vfio_ioctl(self->fd, VFIO_GET_API_VERSION, 0));
	EXPECT_EQ(1, vfio_ioctl(self->fd, VFIO_CHECK_EXTENSION,
				VFIO_TYPE1v2_IOMMU));
	EXPECT_EQ(1, vfio_ioctl(self->fd, VFIO_CHECK_EXTENSION,
				VFIO_UNMAP_ALL));
	EXPECT_EQ(0, vfio_ioctl(self->fd, VFIO_CHECK_EXTENSION,
				VFIO_NOIOMMU_IOMMU));
	EXPECT_EQ(-ENODEV, vfio_ioctl(self->fd, VFIO_CHECK_EXTENSION,
				      VFIO_DMA_CC_IOMMU));
	EXPECT_EQ(-ENODEV, vfio_ioctl(self->fd, VFIO_SET_IOMMU,
				      VFIO_TYPE1v2_IOMMU));
	EXPECT_EQ(-ENODEV, vfio_ioctl(self->fd, VFIO_IOMMU_GET_INFO,
				      (uintptr_t)&info));
	EXPECT_EQ(-ENODEV, vfio_map(self->fd, RW, self->buf,
				    MOCK_APERTURE_START, MOCK_PAGE));
	EXPECT_EQ(-ENODEV, vfio_unmap(self->fd, 0, MOCK_APERTURE_START,
				      MOCK_PAGE, &n));
	EXPECT_EQ(-ENODEV, vfio_ioas(self->fd, IOMMU_VFIO_IOAS_GET, &id));
	/* Commands VFIO has but the module does not offer */
	EXPECT_EQ(-ENOTTY, vfio_ioctl(self->fd, VFIO_IOMMU_DIRTY_PAGES, 0));
}

/* IOMMU_VFIO_IOAS: GET / SET / CLEAR and its errnos. */
TEST_F(cd, vfio_ioas_ops)
{
	struct iommu_vfio_ioas cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_VFIO_IOAS_GET,
		.__reserved = 1,
	};
	uint32_t id;

	EXPECT_EQ(-EOPNOTSUPP, mock_ioctl(self->fd, IOMMU_VFIO_IOAS, &cmd));
	cmd.__reserved = 0;
	cmd.op = IOMMU_VFIO_IOAS_CLEAR + 1;
	EXPECT_EQ(-EOPNOTSUPP, mock_ioctl(self->fd, IOMMU_VFIO_IOAS, &cmd));
	id = self->idev_id;
	EXPECT_EQ(-ENOENT, vfio_ioas(self->fd, IOMMU_VFIO_IOAS_SET, &id));
	id = self->ioas_id;
	ASSERT_EQ(0, vfio_ioas(self->fd, IOMMU_VFIO_IOAS_SET, &id));
	id = 0;
	ASSERT_EQ(0, vfio_ioas(self->fd, IOMMU_VFIO_IOAS_GET, &id));
	EXPECT_EQ(self->ioas_id, id);
	EXPECT_EQ(1, vfio_ioctl(self->fd, VFIO_CHECK_EXTENSION,
				VFIO_DMA_CC_IOMMU));
	ASSERT_EQ(0, vfio_ioas(self->fd, IOMMU_VFIO_IOAS_CLEAR, &id));
	EXPECT_EQ(-ENODEV, vfio_ioas(self->fd, IOMMU_VFIO_IOAS_GET, &id));
	/* Destroying the IOAS the container uses makes it forget it */
	id = self->ioas_id;
	ASSERT_EQ(0, vfio_ioas(self->fd, IOMMU_VFIO_IOAS_SET, &id));
	ASSERT_EQ(0, mock_destroy(self->fd, self->stdev_id));
	ASSERT_EQ(0, mock_destroy(self->fd, self->ioas_id));
	EXPECT_EQ(-ENODEV, vfio_ioas(self->fd, IOMMU_VFIO_IOAS_GET, &id));
}

/* MAP_DMA / UNMAP_DMA land in the IOAS, with VFIO's errnos. */
TEST_F(cd, vfio_map_unmap)
{
	const uint64_t iova = MOCK_APERTURE_START;
	struct vfio_iommu_type1_dma_map map = {
		.argsz = offsetof(struct vfio_iommu_type1_dma_map, size),
		.flags = RW,
	};
	uint32_t id = self->ioas_id;
	uint64_t n;

	ASSERT_EQ(0, vfio_ioas(self->fd, IOMMU_VFIO_IOAS_SET, &id));
	EXPECT_EQ(-EINVAL, vfio_ioctl(self->fd, VFIO_SET_IOMMU, 12345));
	ASSERT_EQ(0, vfio_ioctl(self->fd, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU));
	EXPECT_EQ(-EINVAL, vfio_ioctl(self->fd, VFIO_IOMMU_MAP_DMA,
				      (uintptr_t)&map));
	EXPECT_EQ(-EINVAL, vfio_map(self->fd, RW | (1U << 5), self->buf, iova,
				    MOCK_PAGE));
	EXPECT_EQ(-EFAULT, vfio_ioctl(self->fd, VFIO_IOMMU_MAP_DMA, 8));

	ASSERT_EQ(0, vfio_map(self->fd, RW, self->buf, iova, 2 * MOCK_PAGE));
	ASSERT_EQ(0, vfio_map(self->fd, RW, self->buf, iova + 4 * MOCK_PAGE,
			      MOCK_PAGE));
	/* The IOAS has it: an overlapping IOAS_MAP is refused */
	EXPECT_EQ(-EEXIST, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
					  MOCK_PAGE, iova));
	/* The page table of the attached mock domain has it too */
	EXPECT_EQ(-EINVAL, vfio_unmap(self->fd, VFIO_DMA_UNMAP_FLAG_ALL, iova,
				      0, &n));
	EXPECT_EQ(-EINVAL, vfio_unmap(self->fd, 1U << 3, iova, MOCK_PAGE, &n));
	ASSERT_EQ(0, vfio_unmap(self->fd, 0, iova, 2 * MOCK_PAGE, &n));
	EXPECT_EQ(2 * MOCK_PAGE, n);
	ASSERT_EQ(0, vfio_unmap(self->fd, VFIO_DMA_UNMAP_FLAG_ALL, 0, 0, &n));
	EXPECT_EQ(MOCK_PAGE, n);
	ASSERT_EQ(0, vfio_unmap(self->fd, VFIO_DMA_UNMAP_FLAG_ALL, 0, 0, &n));
	EXPECT_EQ(0, n);
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    MOCK_PAGE, iova));
}

/* GET_INFO: page sizes and a DMA_AVAIL -> IOVA_RANGE capability chain. */
TEST_F(cd, vfio_get_info)
{
	struct {
		struct vfio_iommu_type1_info info;
		uint8_t caps[512];
	} big = { .info.argsz = sizeof(big) };
	struct vfio_iommu_type1_info small = { .argsz = sizeof(small) };
	struct vfio_iommu_type1_info_cap_iova_range *range;
	struct vfio_info_cap_header *hdr;
	uint32_t id = self->ioas_id, bad = 4;

	ASSERT_EQ(0, vfio_ioas(self->fd, IOMMU_VFIO_IOAS_SET, &id));
	EXPECT_EQ(-EINVAL, vfio_ioctl(self->fd, VFIO_IOMMU_GET_INFO,
				      (uintptr_t)&bad));
	ASSERT_EQ(0, vfio_ioctl(self->fd, VFIO_IOMMU_GET_INFO,
				(uintptr_t)&small));
	EXPECT_EQ(VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS, small.flags);
	EXPECT_EQ(0, small.cap_offset);
	EXPECT_LT(sizeof(small), small.argsz);
	/* Sub-page IO pages of the mock are reported as PAGE_SIZE */
	EXPECT_EQ(MOCK_PAGE, small.iova_pgsizes & -small.iova_pgsizes);

	ASSERT_GE(sizeof(big), small.argsz);
	ASSERT_EQ(0, vfio_ioctl(self->fd, VFIO_IOMMU_GET_INFO,
				(uintptr_t)&big));
	ASSERT_EQ(sizeof(big.info), big.info.cap_offset);
	hdr = (void *)&big + big.info.cap_offset;
	EXPECT_EQ(VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL, hdr->id);
	ASSERT_NE(0, hdr->next);
	hdr = (void *)&big + hdr->next;
	ASSERT_EQ(VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, hdr->id);
	EXPECT_EQ(0, hdr->next);
	range = (void *)hdr;
	ASSERT_LE(1, range->nr_iovas);
	/* The mock domain translates from MOCK_APERTURE_START up */
	EXPECT_EQ(MOCK_APERTURE_START, range->iova_ranges[0].start);
}

static int set_dirty(int fd, uint32_t hwpt_id, uint32_t flags)
{
	struct iommu_hwpt_set_dirty_tracking cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.hwpt_id = hwpt_id,
	};

	return mock_ioctl(fd, IOMMU_HWPT_SET_DIRTY_TRACKING, &cmd);
}

static int get_dirty(int fd, uint32_t hwpt_id, uint32_t flags, uint64_t iova,
		     uint64_t length, uint64_t page_size, uint64_t *bitmap)
{
	struct iommu_hwpt_get_dirty_bitmap cmd = {
		.size = sizeof(cmd),
		.hwpt_id = hwpt_id,
		.flags = flags,
		.iova = iova,
		.length = length,
		.page_size = page_size,
		.data = (uintptr_t)bitmap,
	};

	return mock_ioctl(fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &cmd);
}

/* The device writes the pages whose bit is set in @mark. */
static int device_dirty(int fd, uint32_t hwpt_id, uint64_t iova,
			uint64_t length, uint64_t page_size, uint64_t *mark,
			uint64_t *out_nr)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_DIRTY,
		.id = hwpt_id,
		.dirty = { .iova = iova, .length = length,
			   .page_size = page_size, .uptr = (uintptr_t)mark },
	};
	int rc = ioctl(fd, IOMMU_TEST_CMD, &cmd) ? -errno : 0;

	*out_nr = cmd.dirty.out_nr_dirty;
	return rc;
}

/* HWPT_SET_DIRTY_TRACKING: flags, IDs and HWPTs without tracking. */
TEST_F(cd, dirty_tracking_errnos)
{
	struct iommu_hwpt_set_dirty_tracking cmd = {
		.size = sizeof(cmd),
		.__reserved = 1,
	};
	uint32_t hwpt, plain, nested;
	struct iommu_hwpt_selftest s1 = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };

	ASSERT_EQ(0, hwpt_alloc(self->fd, self->idev_id, self->ioas_id,
				IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &hwpt));
	cmd.hwpt_id = hwpt;
	EXPECT_EQ(-EOPNOTSUPP, mock_ioctl(self->fd,
					  IOMMU_HWPT_SET_DIRTY_TRACKING, &cmd));
	EXPECT_EQ(-EOPNOTSUPP, set_dirty(self->fd, hwpt, 1U << 1));
	EXPECT_EQ(-ENOENT, set_dirty(self->fd, self->ioas_id,
				     IOMMU_HWPT_DIRTY_TRACKING_ENABLE));
	EXPECT_EQ(-ENOENT, set_dirty(self->fd, 0x7fffffff,
				     IOMMU_HWPT_DIRTY_TRACKING_ENABLE));
	ASSERT_EQ(0, set_dirty(self->fd, hwpt,
			       IOMMU_HWPT_DIRTY_TRACKING_ENABLE));
	ASSERT_EQ(0, set_dirty(self->fd, hwpt, 0));

	/* A nested HWPT is not a paging one */
	ASSERT_EQ(0, hwpt_alloc(self->fd, self->idev_id, self->ioas_id,
				IOMMU_HWPT_ALLOC_NEST_PARENT, &plain));
	ASSERT_EQ(0, hwpt_alloc_data(self->fd, self->idev_id, plain, 0,
				     IOMMU_HWPT_DATA_SELFTEST, &s1, sizeof(s1),
				     &nested));
	EXPECT_EQ(-ENOENT, set_dirty(self->fd, nested,
				     IOMMU_HWPT_DIRTY_TRACKING_ENABLE));
}

/*
 * HWPT_GET_DIRTY_BITMAP: what the device wrote is reported once, or kept
 * with NO_CLEAR; bad ranges and page sizes answer upstream's errnos. An
 * unwritable bitmap answers EFAULT when there is something to report
 * (upstream's iova_bitmap drops such bits silently).
 */
TEST_F(cd, dirty_bitmap_read_and_clear)
{
	const uint64_t iova = MOCK_APERTURE_START, ps = ST_IO_PAGE;
	uint64_t mark = 0x5, bitmap[2] = { 0 }, nr;
	uint32_t hwpt;

	ASSERT_EQ(0, hwpt_alloc(self->fd, self->idev_id, self->ioas_id,
				IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &hwpt));
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    4 * MOCK_PAGE, iova));
	EXPECT_EQ(-EOPNOTSUPP, get_dirty(self->fd, hwpt, 1U << 1, iova,
					 4 * MOCK_PAGE, ps, bitmap));
	EXPECT_EQ(-EINVAL, get_dirty(self->fd, hwpt, 0, iova, 0, ps, bitmap));
	EXPECT_EQ(-EINVAL, get_dirty(self->fd, hwpt, 0, iova, 4 * MOCK_PAGE,
				     3 * ps, bitmap));
	EXPECT_EQ(-EINVAL, get_dirty(self->fd, hwpt, 0, iova, 4 * MOCK_PAGE,
				     0, bitmap));
	EXPECT_EQ(-EINVAL, get_dirty(self->fd, hwpt, 0, iova + ps / 2,
				     4 * MOCK_PAGE, ps, bitmap));
	EXPECT_EQ(-EOVERFLOW, get_dirty(self->fd, hwpt, 0, UINT64_MAX - ps + 1,
					2 * ps, ps, bitmap));
	EXPECT_EQ(-ENOENT, get_dirty(self->fd, self->ioas_id, 0, iova,
				     4 * MOCK_PAGE, ps, bitmap));

	/* Tracking on: IO pages 0 and 2 get written by the device */
	ASSERT_EQ(0, set_dirty(self->fd, hwpt,
			       IOMMU_HWPT_DIRTY_TRACKING_ENABLE));
	ASSERT_EQ(0, device_dirty(self->fd, hwpt, iova, 4 * ps, ps, &mark,
				  &nr));
	EXPECT_EQ(2, nr);
	/* Bits to report into a bitmap that cannot be written (the module's) */
	EXPECT_EQ(-EFAULT, get_dirty(self->fd, hwpt,
				     IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR, iova,
				     4 * MOCK_PAGE, ps, (uint64_t *)8));
	ASSERT_EQ(0, get_dirty(self->fd, hwpt,
			       IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR, iova,
			       4 * MOCK_PAGE, ps, bitmap));
	EXPECT_EQ(0x5, bitmap[0]);
	bitmap[0] = 0;
	ASSERT_EQ(0, get_dirty(self->fd, hwpt, 0, iova, 4 * MOCK_PAGE, ps,
			       bitmap));
	EXPECT_EQ(0x5, bitmap[0]);
	/* Cleared by the read: nothing new is set (bits are only ORed in) */
	bitmap[0] = 0x100;
	ASSERT_EQ(0, get_dirty(self->fd, hwpt, 0, iova, 4 * MOCK_PAGE, ps,
			       bitmap));
	EXPECT_EQ(0x100, bitmap[0]);
	EXPECT_EQ(0, bitmap[1]);
}

TEST_HARNESS_MAIN
