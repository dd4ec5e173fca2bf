// SPDX-License-Identifier: GPL-2.0
/*
 * The module's selftest driver (upstream's mock and IOMMU_TEST_CMD, served
 * on the module's own device too): regressions found by tools/fuzz that
 * upstream's kselftests do not cover.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <time.h>

#include "mock_helpers.h"
#include "iommufd_test.h"

FIXTURE(st) {
	int fd;
	uint32_t ioas_id;
	uint32_t stdev_id;
	uint32_t idev_id;
	uint32_t hwpt_id;
};

FIXTURE_SETUP(st)
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
	self->hwpt_id = md.mock_domain.out_hwpt_id;
}

FIXTURE_TEARDOWN(st)
{
	if (self->fd >= 0)
		close(self->fd);
}

/*
 * A device object of IOMMU_TEST_OP_MOCK_DOMAIN with a vDEVICE on its device
 * is in use: IOMMU_DESTROY answers EBUSY (it once freed the device under
 * the vDEVICE), and it goes once the vDEVICE is gone.
 */
/* A nest parent, a DEFAULT vIOMMU on it and a vDEVICE of @idev_id. */
static int st_add_vdevice(int fd, uint32_t ioas_id, uint32_t idev_id,
			  uint64_t virt_id, uint32_t *vdev_id)
{
	struct iommu_viommu_alloc viommu = {
		.size = sizeof(viommu),
		.type = IOMMU_VIOMMU_TYPE_DEFAULT,
		.dev_id = idev_id,
	};
	struct iommu_vdevice_alloc vdev = {
		.size = sizeof(vdev),
		.dev_id = idev_id,
		.virt_id = virt_id,
	};
	int rc;

	rc = hwpt_alloc(fd, idev_id, ioas_id, IOMMU_HWPT_ALLOC_NEST_PARENT,
			&viommu.hwpt_id);
	if (rc)
		return rc;
	if (ioctl(fd, IOMMU_VIOMMU_ALLOC, &viommu))
		return -errno;
	vdev.viommu_id = viommu.out_viommu_id;
	if (ioctl(fd, IOMMU_VDEVICE_ALLOC, &vdev))
		return -errno;
	*vdev_id = vdev.out_vdevice_id;
	return 0;
}

TEST_F(st, stdev_with_vdevice_busy)
{
	uint32_t vdev_id;

	ASSERT_EQ(0, st_add_vdevice(self->fd, self->ioas_id, self->idev_id, 1,
				    &vdev_id));
	EXPECT_EQ(-EBUSY, mock_destroy(self->fd, self->stdev_id));
	EXPECT_EQ(-EBUSY, mock_destroy(self->fd, self->idev_id));
	ASSERT_EQ(0, mock_destroy(self->fd, vdev_id));
	EXPECT_EQ(0, mock_destroy(self->fd, self->stdev_id));
	EXPECT_EQ(-ENOENT, mock_destroy(self->fd, self->idev_id));
}

/* The same, left to close: the vDEVICE goes before the device object. */
TEST_F(st, stdev_with_vdevice_closed)
{
	uint32_t vdev_id;

	ASSERT_EQ(0, st_add_vdevice(self->fd, self->ioas_id, self->idev_id, 7,
				    &vdev_id));
	/* The teardown closes the file; the VM's splat check judges it */
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

/*
 * IOMMU_HWPT_GET_DIRTY_BITMAP over 2^63 bytes of IOVA with one small
 * mapping: the walk costs what is mapped (it once walked 2^50 bits with no
 * reschedule, a soft lockup SIGKILL could not stop). The dirty page of the
 * mapping is still reported.
 */
TEST_F(st, dirty_bitmap_huge_range)
{
	const uint64_t page = 2048, iova = MOCK_APERTURE_START;
	struct iommu_hwpt_set_dirty_tracking set = {
		.size = sizeof(set),
		.flags = IOMMU_HWPT_DIRTY_TRACKING_ENABLE,
	};
	struct iommu_hwpt_get_dirty_bitmap get = {
		.size = sizeof(get),
		.iova = 0,
		.length = 1ULL << 63,
		.page_size = page,
	};
	struct iommu_test_cmd dirty = {
		.size = sizeof(dirty),
		.op = IOMMU_TEST_OP_DIRTY,
		.dirty = { .iova = iova, .length = 4 * page, .page_size = page },
	};
	uint64_t mark = 1, t0, *bitmap;
	uint32_t hwpt;
	void *buf;

	buf = mock_pages(2, 0x11);
	ASSERT_NE(MAP_FAILED, buf);
	ASSERT_EQ(0, hwpt_alloc(self->fd, self->idev_id, self->ioas_id,
				IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &hwpt));
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, buf, 2 * MOCK_PAGE,
				    iova));
	set.hwpt_id = hwpt;
	ASSERT_EQ(0, ioctl(self->fd, IOMMU_HWPT_SET_DIRTY_TRACKING, &set));
	dirty.id = hwpt;
	dirty.dirty.uptr = (uintptr_t)&mark;
	ASSERT_EQ(0, ioctl(self->fd, IOMMU_TEST_CMD, &dirty));
	ASSERT_EQ(1, dirty.dirty.out_nr_dirty);

	/* The bit of IOVA MOCK_APERTURE_START lies 1 MiB into the bitmap */
	bitmap = mmap(NULL, 2 << 20, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, bitmap);
	get.hwpt_id = hwpt;
	get.data = (uintptr_t)bitmap;
	t0 = now_ms();
	ASSERT_EQ(0, ioctl(self->fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &get));
	EXPECT_GT(20000, now_ms() - t0);
	EXPECT_EQ(1, bitmap[(iova / page) / 64] & 1);
	munmap(bitmap, 2 << 20);
	munmap(buf, 2 * MOCK_PAGE);
}

TEST_HARNESS_MAIN
