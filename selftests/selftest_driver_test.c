// SPDX-License-Identifier: GPL-2.0
/*
 * The module's selftest driver (upstream's mock and IOMMU_TEST_CMD, served
 * on the module's own device too): regressions found by tools/fuzz that
 * upstream's kselftests do not cover.
 */
#define _GNU_SOURCE
#include <poll.h>
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

/* IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE of a selftest device object. */
static int mock_attach_replace(int fd, uint32_t stdev_id, uint32_t pt_id)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
		.id = stdev_id,
		.mock_domain_replace = { .pt_id = pt_id },
	};

	return ioctl(fd, IOMMU_TEST_CMD, &cmd) ? -errno : 0;
}

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

/*
 * A device object of IOMMU_TEST_OP_MOCK_DOMAIN with a vDEVICE on its device:
 * the device object it binds stays busy, but destroying the selftest
 * object destroys the vDEVICE first (it once freed the device under the
 * vDEVICE) and leaves its ID a tombstone, as upstream 6.17.
 */
TEST_F(st, stdev_with_vdevice_tombstone)
{
	uint32_t vdev_id;

	ASSERT_EQ(0, st_add_vdevice(self->fd, self->ioas_id, self->idev_id, 1,
				    &vdev_id));
	EXPECT_EQ(-EBUSY, mock_destroy(self->fd, self->idev_id));
	EXPECT_EQ(0, mock_destroy(self->fd, self->stdev_id));
	EXPECT_EQ(-ENOENT, mock_destroy(self->fd, self->idev_id));
	EXPECT_EQ(-ENOENT, mock_destroy(self->fd, vdev_id));
}

/* The same, left to close: the vDEVICE goes before the device object. */
TEST_F(st, stdev_with_vdevice_closed)
{
	uint32_t vdev_id;

	ASSERT_EQ(0, st_add_vdevice(self->fd, self->ioas_id, self->idev_id, 7,
				    &vdev_id));
	/* The teardown closes the file; the VM's splat check judges it */
}

/*
 * IOMMU_FAULT_QUEUE_ALLOC and its file, with upstream's errnos: a page
 * request of a device on a fault-capable nested HWPT is read as one record
 * and answered by its cookie.
 */
TEST_F(st, fault_queue)
{
	struct iommu_fault_alloc alloc = { .size = sizeof(alloc) };
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	struct iommu_hwpt_alloc nested = {
		.size = sizeof(nested),
		.flags = IOMMU_HWPT_FAULT_ID_VALID,
		.data_type = IOMMU_HWPT_DATA_SELFTEST,
		.data_len = sizeof(data),
		.data_uptr = (uintptr_t)&data,
	};
	struct iommu_test_cmd iopf = {
		.size = sizeof(iopf),
		.op = IOMMU_TEST_OP_TRIGGER_IOPF,
		.trigger_iopf = { .pasid = 1, .grpid = 2, .addr = 0x5000,
				  .perm = IOMMU_PGFAULT_PERM_READ },
	};
	struct iommu_hwpt_page_response resp = {
		.code = IOMMUFD_PAGE_RESP_SUCCESS,
	};
	struct iommu_hwpt_pgfault rec;
	struct pollfd pfd;
	uint32_t parent;

	alloc.flags = 1;
	EXPECT_EQ(-1, ioctl(self->fd, IOMMU_FAULT_QUEUE_ALLOC, &alloc));
	EXPECT_EQ(EOPNOTSUPP, errno);
	alloc.flags = 0;
	ASSERT_EQ(0, ioctl(self->fd, IOMMU_FAULT_QUEUE_ALLOC, &alloc));
	pfd.fd = alloc.out_fault_fd;
	pfd.events = POLLIN;

	ASSERT_EQ(0, hwpt_alloc(self->fd, self->idev_id, self->ioas_id,
				IOMMU_HWPT_ALLOC_NEST_PARENT, &parent));
	nested.dev_id = self->idev_id;
	nested.pt_id = parent;
	nested.fault_id = 0xffffff;
	EXPECT_EQ(-1, ioctl(self->fd, IOMMU_HWPT_ALLOC, &nested));
	EXPECT_EQ(ENOENT, errno);
	nested.fault_id = alloc.out_fault_id;
	ASSERT_EQ(0, ioctl(self->fd, IOMMU_HWPT_ALLOC, &nested));
	/* The queue is a user of the HWPT's and of its file: busy */
	EXPECT_EQ(-EBUSY, mock_destroy(self->fd, alloc.out_fault_id));

	/* Empty: nothing to read, poll says only writable */
	EXPECT_EQ(0, read(pfd.fd, &rec, sizeof(rec)));
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	EXPECT_EQ(-1, read(pfd.fd, &rec, sizeof(rec) - 1));
	EXPECT_EQ(ESPIPE, errno);

	ASSERT_EQ(0, mock_attach_replace(self->fd, self->stdev_id,
					 nested.out_hwpt_id));
	iopf.trigger_iopf.dev_id = self->idev_id;
	ASSERT_EQ(0, ioctl(self->fd, IOMMU_TEST_CMD, &iopf));
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	ASSERT_EQ((ssize_t)sizeof(rec), read(pfd.fd, &rec, sizeof(rec)));
	EXPECT_EQ(self->idev_id, rec.dev_id);
	EXPECT_EQ(0x5000, rec.addr);
	EXPECT_EQ(2, rec.grpid);
	EXPECT_EQ(IOMMU_PGFAULT_FLAGS_PASID_VALID | IOMMU_PGFAULT_FLAGS_LAST_PAGE,
		  rec.flags);

	/* Answers: a bad code or an unknown cookie is EINVAL */
	resp.cookie = rec.cookie;
	resp.code = 7;
	EXPECT_EQ(-1, write(pfd.fd, &resp, sizeof(resp)));
	EXPECT_EQ(EINVAL, errno);
	resp.code = IOMMUFD_PAGE_RESP_SUCCESS;
	resp.cookie = rec.cookie + 1;
	EXPECT_EQ(-1, write(pfd.fd, &resp, sizeof(resp)));
	EXPECT_EQ(EINVAL, errno);
	resp.cookie = rec.cookie;
	EXPECT_EQ((ssize_t)sizeof(resp), write(pfd.fd, &resp, sizeof(resp)));
	EXPECT_EQ(-1, write(pfd.fd, &resp, sizeof(resp)));
	EXPECT_EQ(EINVAL, errno);

	/* Leaving the HWPT, then closing the file, frees the queue's users */
	ASSERT_EQ(0, mock_attach_replace(self->fd, self->stdev_id,
					 self->ioas_id));
	ASSERT_EQ(0, mock_destroy(self->fd, nested.out_hwpt_id));
	close(pfd.fd);
	EXPECT_EQ(0, mock_destroy(self->fd, alloc.out_fault_id));
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
