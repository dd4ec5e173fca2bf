// SPDX-License-Identifier: GPL-2.0
/*
 * The selftest driver's vIOMMU side as of upstream's 6.17 cycle:
 * IOMMU_TEST_OP_DEV_CHECK_CACHE and the device cache that
 * IOMMU_HWPT_INVALIDATE on an IOMMU_VIOMMU_TYPE_SELFTEST vIOMMU clears,
 * the vIOMMU's allocation data and mmap() region, vDEVICE tombstones,
 * IOMMU_VEVENTQ_ALLOC with IOMMU_TEST_OP_TRIGGER_VEVENT, and
 * IOMMU_HW_QUEUE_ALLOC. Each errno of each command is checked.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <stdint.h>

#include "mock_helpers.h"
#include "iommufd_test.h"

#define ST_PAGE 4096UL

FIXTURE(stv) {
	int fd;
	uint32_t ioas_id;
	uint32_t stdev_id;
	uint32_t idev_id;
	uint32_t parent_id;
	uint32_t viommu_id;
	uint32_t nested_id;
};

static int st_cmd(int fd, struct iommu_test_cmd *cmd)
{
	cmd->size = sizeof(*cmd);
	return mock_ioctl(fd, IOMMU_TEST_CMD, cmd);
}

static int st_mock_domain(int fd, uint32_t ioas_id, uint32_t *stdev_id,
			  uint32_t *idev_id)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_MOCK_DOMAIN,
		.id = ioas_id,
	};
	int rc = st_cmd(fd, &cmd);

	if (!rc) {
		*stdev_id = cmd.mock_domain.out_stdev_id;
		*idev_id = cmd.mock_domain.out_idev_id;
	}
	return rc;
}

static int st_check_cache(int fd, uint32_t idev_id, uint32_t slot,
			  uint32_t value)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_DEV_CHECK_CACHE,
		.id = idev_id,
		.check_dev_cache = { .id = slot, .cache = value },
	};

	return st_cmd(fd, &cmd);
}

static int st_replace(int fd, uint32_t stdev_id, uint32_t pt_id)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
		.id = stdev_id,
		.mock_domain_replace = { .pt_id = pt_id },
	};

	return st_cmd(fd, &cmd);
}

static int st_trigger(int fd, uint32_t idev_id)
{
	struct iommu_test_cmd cmd = {
		.op = IOMMU_TEST_OP_TRIGGER_VEVENT,
		.trigger_vevent = { .dev_id = idev_id },
	};

	return st_cmd(fd, &cmd);
}

static int st_inv(int fd, uint32_t viommu_id, uint32_t type,
		  const void *entries, uint32_t len, uint32_t *num)
{
	return hwpt_invalidate(fd, viommu_id, type, entries, len, num);
}

static int hw_queue_alloc(int fd, uint32_t viommu_id, uint32_t type,
			  uint32_t index, uint64_t iova, uint64_t length,
			  uint32_t *id)
{
	struct iommu_hw_queue_alloc cmd = {
		.size = sizeof(cmd),
		.viommu_id = viommu_id,
		.type = type,
		.index = index,
		.nesting_parent_iova = iova,
		.length = length,
	};
	int rc = mock_ioctl(fd, IOMMU_HW_QUEUE_ALLOC, &cmd);

	if (!rc && id)
		*id = cmd.out_hw_queue_id;
	return rc;
}

FIXTURE_SETUP(stv)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };

	self->fd = mock_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ioas_alloc(self->fd, &self->ioas_id));
	ASSERT_EQ(0, st_mock_domain(self->fd, self->ioas_id, &self->stdev_id,
				    &self->idev_id));
	ASSERT_EQ(0, hwpt_alloc(self->fd, self->idev_id, self->ioas_id,
				IOMMU_HWPT_ALLOC_NEST_PARENT,
				&self->parent_id));
	ASSERT_EQ(0, viommu_alloc(self->fd, self->idev_id, self->parent_id,
				  IOMMU_VIOMMU_TYPE_SELFTEST,
				  &self->viommu_id));
	ASSERT_EQ(0, hwpt_alloc_data(self->fd, self->idev_id, self->viommu_id,
				     0, IOMMU_HWPT_DATA_SELFTEST, &data,
				     sizeof(data), &self->nested_id));
}

FIXTURE_TEARDOWN(stv)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* Every slot starts at the default; bad slot, value, ID or device fail. */
TEST_F(stv, dev_check_cache)
{
	uint32_t other_dev, slot;

	for (slot = 0; slot < MOCK_DEV_CACHE_NUM; slot++)
		EXPECT_EQ(0, st_check_cache(self->fd, self->idev_id, slot,
					    IOMMU_TEST_DEV_CACHE_DEFAULT));
	EXPECT_EQ(-EINVAL, st_check_cache(self->fd, self->idev_id,
					  MOCK_DEV_CACHE_ID_MAX + 1,
					  IOMMU_TEST_DEV_CACHE_DEFAULT));
	EXPECT_EQ(-EINVAL, st_check_cache(self->fd, self->idev_id, 0, 0));
	EXPECT_EQ(-ENOENT, st_check_cache(self->fd, 0xffffff, 0,
					  IOMMU_TEST_DEV_CACHE_DEFAULT));
	/* The stdev and IOAS IDs are no device objects */
	EXPECT_EQ(-ENOENT, st_check_cache(self->fd, self->stdev_id, 0,
					  IOMMU_TEST_DEV_CACHE_DEFAULT));
	EXPECT_EQ(-ENOENT, st_check_cache(self->fd, self->ioas_id, 0,
					  IOMMU_TEST_DEV_CACHE_DEFAULT));
	/* A device of the module's own mock has no such cache */
	ASSERT_EQ(0, dev_alloc(self->fd, 0, 7, &other_dev));
	EXPECT_EQ(-EINVAL, st_check_cache(self->fd, other_dev, 0,
					  IOMMU_TEST_DEV_CACHE_DEFAULT));
}

/* Device-cache invalidation through the vIOMMU, upstream's errno rules. */
TEST_F(stv, viommu_invalidate)
{
	struct iommu_viommu_invalidate_selftest inv[2] = {};
	const uint32_t type = IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST;
	uint32_t vdev_id, num, slot;
	uint8_t *pages;

	ASSERT_EQ(0, vdev_alloc(self->fd, self->viommu_id, self->idev_id,
				0x99, &vdev_id));

	/* An empty array checks the type only */
	num = 0;
	EXPECT_EQ(0, st_inv(self->fd, self->viommu_id, type, inv,
			    sizeof(inv[0]), &num));
	EXPECT_EQ(0, num);
	EXPECT_EQ(-EINVAL, st_inv(self->fd, self->viommu_id,
				  IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST_INVALID,
				  inv, sizeof(inv[0]), &num));
	num = 1;
	EXPECT_EQ(-EINVAL, st_inv(self->fd, self->viommu_id,
				  IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST_INVALID,
				  inv, sizeof(inv[0]), &num));
	EXPECT_EQ(0, num);

	/* Entry errors: flags, cache_id, vdev_id; nothing is cleared */
	inv[0].vdev_id = 0x99;
	inv[0].flags = 2;
	num = 1;
	EXPECT_EQ(-EOPNOTSUPP, st_inv(self->fd, self->viommu_id, type, inv,
				      sizeof(inv[0]), &num));
	EXPECT_EQ(0, num);
	inv[0].flags = 0;
	inv[0].cache_id = MOCK_DEV_CACHE_ID_MAX + 1;
	num = 1;
	EXPECT_EQ(-EINVAL, st_inv(self->fd, self->viommu_id, type, inv,
				  sizeof(inv[0]), &num));
	EXPECT_EQ(0, num);
	inv[0].cache_id = 0;
	inv[0].vdev_id = 0x98;
	num = 1;
	EXPECT_EQ(-EINVAL, st_inv(self->fd, self->viommu_id, type, inv,
				  sizeof(inv[0]), &num));
	EXPECT_EQ(0, num);
	for (slot = 0; slot < MOCK_DEV_CACHE_NUM; slot++)
		EXPECT_EQ(0, st_check_cache(self->fd, self->idev_id, slot,
					    IOMMU_TEST_DEV_CACHE_DEFAULT));

	/* A non-zero byte past the struct fails the whole array: E2BIG */
	pages = mmap(NULL, 2 * ST_PAGE, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, pages);
	memset(pages, 0, 2 * ST_PAGE);
	((struct iommu_viommu_invalidate_selftest *)pages)->vdev_id = 0x99;
	memcpy(pages + 16, pages, 12);
	pages[28] = 1;
	num = 2;
	EXPECT_EQ(-E2BIG, st_inv(self->fd, self->viommu_id, type, pages, 16,
				 &num));
	EXPECT_EQ(0, num);
	EXPECT_EQ(0, st_check_cache(self->fd, self->idev_id, 0,
				    IOMMU_TEST_DEV_CACHE_DEFAULT));

	/* An unreadable second entry: EFAULT before the first one runs */
	ASSERT_EQ(0, munmap(pages + ST_PAGE, ST_PAGE));
	memcpy(pages + ST_PAGE - 12, pages, 12);
	num = 2;
	EXPECT_EQ(-EFAULT, st_inv(self->fd, self->viommu_id, type,
				  pages + ST_PAGE - 12, 12, &num));
	EXPECT_EQ(0, num);
	EXPECT_EQ(0, st_check_cache(self->fd, self->idev_id, 0,
				    IOMMU_TEST_DEV_CACHE_DEFAULT));
	munmap(pages, ST_PAGE);

	/* The first entry runs, the second fails: entry_num 1 */
	inv[0] = (struct iommu_viommu_invalidate_selftest){ .vdev_id = 0x99 };
	inv[1] = (struct iommu_viommu_invalidate_selftest){
		.vdev_id = 0x99, .cache_id = MOCK_DEV_CACHE_ID_MAX + 1 };
	num = 2;
	EXPECT_EQ(-EINVAL, st_inv(self->fd, self->viommu_id, type, inv,
				  sizeof(inv[0]), &num));
	EXPECT_EQ(1, num);
	EXPECT_EQ(0, st_check_cache(self->fd, self->idev_id, 0, 0));
	EXPECT_EQ(0, st_check_cache(self->fd, self->idev_id, 1,
				    IOMMU_TEST_DEV_CACHE_DEFAULT));

	/* A shorter entry is zero-extended; FLAG_ALL clears every slot */
	inv[0] = (struct iommu_viommu_invalidate_selftest){
		.flags = IOMMU_TEST_INVALIDATE_FLAG_ALL, .vdev_id = 0x99,
		.cache_id = 0xffff };
	num = 1;
	EXPECT_EQ(0, st_inv(self->fd, self->viommu_id, type, inv, 8, &num));
	EXPECT_EQ(1, num);
	for (slot = 0; slot < MOCK_DEV_CACHE_NUM; slot++)
		EXPECT_EQ(0, st_check_cache(self->fd, self->idev_id, slot, 0));
}

/* The vIOMMU's data loops back; its region maps only as handed out. */
TEST_F(stv, viommu_data_and_mmap)
{
	struct iommu_viommu_selftest data = { .in_data = 0xbeef };
	struct iommu_viommu_alloc cmd = {
		.size = sizeof(cmd),
		.type = IOMMU_VIOMMU_TYPE_SELFTEST,
		.dev_id = self->idev_id,
		.hwpt_id = self->parent_id,
		.data_len = sizeof(data),
		.data_uptr = U64_PTR(&data),
	};
	uint8_t big[32] = {};
	uint32_t *map;
	off_t off;
	size_t len;

	ASSERT_EQ(0, mock_ioctl(self->fd, IOMMU_VIOMMU_ALLOC, &cmd));
	EXPECT_EQ(0xbeef, data.out_data);
	EXPECT_EQ(2 * ST_PAGE, data.out_mmap_length);
	EXPECT_NE(0, data.out_mmap_offset);
	EXPECT_EQ(0, data.out_mmap_offset % ST_PAGE);
	off = data.out_mmap_offset;
	len = data.out_mmap_length;

	/* Offset and length must be exactly the region's: ENXIO */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, len, PROT_READ, MAP_SHARED, self->fd,
				   off + ST_PAGE));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, len / 2, PROT_READ, MAP_SHARED,
				   self->fd, off));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, len * 2, PROT_READ, MAP_SHARED,
				   self->fd, off));
	EXPECT_EQ(ENXIO, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, len, PROT_READ, MAP_SHARED, self->fd,
				   0));
	EXPECT_EQ(ENXIO, errno);
	/* Private or executable mappings are refused */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, len, PROT_READ, MAP_PRIVATE, self->fd,
				   off));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, len, PROT_READ | PROT_EXEC,
				   MAP_SHARED, self->fd, off));
	EXPECT_EQ(EPERM, errno);

	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd,
		   off);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ(0xbeef, map[0]);
	map[1] = 5;
	/* A mapping is a user of the vIOMMU */
	EXPECT_EQ(-EBUSY, mock_destroy(self->fd, cmd.out_viommu_id));
	ASSERT_EQ(0, munmap(map, len));
	EXPECT_EQ(0, mock_destroy(self->fd, cmd.out_viommu_id));
	/* The region went with its vIOMMU */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, len, PROT_READ, MAP_SHARED, self->fd,
				   off));
	EXPECT_EQ(ENXIO, errno);

	/* 6.12's 8-byte struct: answered in place, nothing written beyond */
	memset(big, 0xa5, sizeof(big));
	memset(big, 0, 8);
	big[0] = 7;
	cmd.data_uptr = U64_PTR(big);
	cmd.data_len = 8;
	ASSERT_EQ(0, mock_ioctl(self->fd, IOMMU_VIOMMU_ALLOC, &cmd));
	EXPECT_EQ(7, big[4]);
	EXPECT_EQ(0xa5, big[8]);

	/* Shorter than in/out_data or longer than the struct: EINVAL */
	cmd.data_len = 4;
	EXPECT_EQ(-EINVAL, mock_ioctl(self->fd, IOMMU_VIOMMU_ALLOC, &cmd));
	memset(big, 0, sizeof(big));
	cmd.data_len = sizeof(big);
	EXPECT_EQ(-EINVAL, mock_ioctl(self->fd, IOMMU_VIOMMU_ALLOC, &cmd));
	/* An unreadable buffer: EFAULT */
	cmd.data_len = sizeof(data);
	cmd.data_uptr = 8;
	EXPECT_EQ(-EFAULT, mock_ioctl(self->fd, IOMMU_VIOMMU_ALLOC, &cmd));
	/* The module's own type is not offered by the selftest driver */
	EXPECT_EQ(-EOPNOTSUPP, viommu_alloc(self->fd, self->idev_id,
					    self->parent_id,
					    IOMMU_VIOMMU_TYPE_MOCK, NULL));
}

/* A nested HWPT of the vIOMMU takes only devices with a vDEVICE in it. */
TEST_F(stv, nested_needs_vdevice)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	uint32_t vdev_id, hwpt;

	EXPECT_EQ(-ENOENT, st_replace(self->fd, self->stdev_id,
				      self->nested_id));
	ASSERT_EQ(0, vdev_alloc(self->fd, self->viommu_id, self->idev_id, 3,
				&vdev_id));
	EXPECT_EQ(0, st_replace(self->fd, self->stdev_id, self->nested_id));
	EXPECT_EQ(-EBUSY, mock_destroy(self->fd, self->nested_id));
	EXPECT_EQ(0, st_replace(self->fd, self->stdev_id, self->ioas_id));
	/* Flags the selftest vIOMMU does not take */
	EXPECT_EQ(-EOPNOTSUPP,
		  hwpt_alloc_data(self->fd, self->idev_id, self->viommu_id,
				  IOMMU_HWPT_ALLOC_NEST_PARENT,
				  IOMMU_HWPT_DATA_SELFTEST, &data,
				  sizeof(data), &hwpt));
}

/*
 * Destroying the device object leaves its vDEVICE a tombstone: its ID
 * answers ENOENT and is not given to a new object.
 */
TEST_F(stv, vdevice_tombstone)
{
	uint32_t vdev_id, ioas2;

	ASSERT_EQ(0, vdev_alloc(self->fd, self->viommu_id, self->idev_id, 0x99,
				&vdev_id));
	EXPECT_EQ(0, mock_destroy(self->fd, self->stdev_id));
	EXPECT_EQ(-ENOENT, mock_destroy(self->fd, vdev_id));
	EXPECT_TRUE(mock_obj_gone(self->fd, vdev_id));
	EXPECT_TRUE(mock_obj_gone(self->fd, self->idev_id));
	ASSERT_EQ(0, ioas_alloc(self->fd, &ioas2));
	EXPECT_NE(vdev_id, ioas2);
	/* The vIOMMU lost its vDEVICE: it can go */
	EXPECT_EQ(0, mock_destroy(self->fd, self->nested_id));
	EXPECT_EQ(0, mock_destroy(self->fd, self->viommu_id));
}

/* IOMMU_VEVENTQ_ALLOC's errnos and the queue's lifetime. */
TEST_F(stv, veventq_alloc)
{
	struct iommu_veventq_alloc cmd = {
		.viommu_id = self->viommu_id,
		.type = IOMMU_VEVENTQ_TYPE_SELFTEST,
		.veventq_depth = 2,
	};
	uint32_t id, id2;
	int qfd, qfd2;

	cmd.flags = 1;
	EXPECT_EQ(-EOPNOTSUPP, veventq_alloc(self->fd, &cmd));
	cmd.flags = 0;
	cmd.__reserved = 1;
	EXPECT_EQ(-EOPNOTSUPP, veventq_alloc(self->fd, &cmd));
	cmd.__reserved = 0;
	cmd.type = IOMMU_VEVENTQ_TYPE_DEFAULT;
	EXPECT_EQ(-EOPNOTSUPP, veventq_alloc(self->fd, &cmd));
	cmd.type = IOMMU_VEVENTQ_TYPE_SELFTEST;
	cmd.veventq_depth = 0;
	EXPECT_EQ(-EINVAL, veventq_alloc(self->fd, &cmd));
	cmd.veventq_depth = (1U << 19) + 1;
	EXPECT_EQ(-EINVAL, veventq_alloc(self->fd, &cmd));
	cmd.veventq_depth = 1U << 19;
	cmd.viommu_id = self->parent_id;
	EXPECT_EQ(-ENOENT, veventq_alloc(self->fd, &cmd));

	ASSERT_EQ(0, veventq_new(self->fd, self->viommu_id,
				 IOMMU_VEVENTQ_TYPE_SELFTEST, 1U << 19, &id,
				 &qfd));
	EXPECT_EQ(-EEXIST, veventq_new(self->fd, self->viommu_id,
				       IOMMU_VEVENTQ_TYPE_SELFTEST, 2, &id2,
				       &qfd2));
	/* Another type is another queue */
	ASSERT_EQ(0, veventq_new(self->fd, self->viommu_id,
				 IOMMU_VEVENTQ_TYPE_ARM_SMMUV3, 2, &id2,
				 &qfd2));
	/* The open file is a user; the queues are users of the vIOMMU */
	EXPECT_EQ(-EBUSY, mock_destroy(self->fd, id));
	EXPECT_EQ(-EBUSY, mock_destroy(self->fd, self->viommu_id));
	close(qfd);
	EXPECT_EQ(0, mock_destroy(self->fd, id));
	close(qfd2);
	EXPECT_EQ(0, mock_destroy(self->fd, id2));
	EXPECT_EQ(0, mock_destroy(self->fd, self->nested_id));
	EXPECT_EQ(0, mock_destroy(self->fd, self->viommu_id));
}

struct st_record {
	struct iommufd_vevent_header hdr;
	struct iommu_viommu_event_selftest ev;
};

/* Events, their records, sequence numbers and the LOST_EVENTS header. */
TEST_F(stv, vevent_records)
{
	struct pollfd pfd = { .events = POLLIN };
	struct st_record rec[4];
	uint32_t id, vdev_id;
	char byte;

	ASSERT_EQ(0, veventq_new(self->fd, self->viommu_id,
				 IOMMU_VEVENTQ_TYPE_SELFTEST, 2, &id,
				 &pfd.fd));
	/* Empty: short reads are EINVAL, a whole header reads nothing */
	EXPECT_EQ(-1, read(pfd.fd, rec, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, read(pfd.fd, rec, sizeof(rec[0].hdr) - 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, read(pfd.fd, rec, sizeof(rec)));
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	EXPECT_EQ(-1, pread(pfd.fd, rec, sizeof(rec), 1));
	EXPECT_EQ(ESPIPE, errno);
	EXPECT_EQ(-1, write(pfd.fd, &byte, 1));

	/* Not on a nested HWPT of a vIOMMU: ENOENT; unknown device: ENOENT */
	EXPECT_EQ(-ENOENT, st_trigger(self->fd, self->idev_id));
	EXPECT_EQ(-ENOENT, st_trigger(self->fd, self->ioas_id));
	ASSERT_EQ(0, vdev_alloc(self->fd, self->viommu_id, self->idev_id, 0x99,
				&vdev_id));
	ASSERT_EQ(0, st_replace(self->fd, self->stdev_id, self->nested_id));

	ASSERT_EQ(0, st_trigger(self->fd, self->idev_id));
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	/* A header without room for its data: EINVAL, the event stays */
	EXPECT_EQ(-1, read(pfd.fd, rec, sizeof(rec[0].hdr)));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ((ssize_t)sizeof(rec[0]), read(pfd.fd, rec, sizeof(rec)));
	EXPECT_EQ(0, rec[0].hdr.flags);
	EXPECT_EQ(0, rec[0].hdr.sequence);
	EXPECT_EQ(0x99, rec[0].ev.virt_id);

	/* Depth 2: the third event is lost and marked at the end */
	ASSERT_EQ(0, st_trigger(self->fd, self->idev_id));
	ASSERT_EQ(0, st_trigger(self->fd, self->idev_id));
	ASSERT_EQ(0, st_trigger(self->fd, self->idev_id));
	/* Room for one record only: the rest waits */
	ASSERT_EQ((ssize_t)sizeof(rec[0]),
		  read(pfd.fd, rec, sizeof(rec[0]) + 4));
	EXPECT_EQ(1, rec[0].hdr.sequence);
	ASSERT_EQ((ssize_t)(sizeof(rec[0]) + sizeof(rec[0].hdr)),
		  read(pfd.fd, rec, sizeof(rec)));
	EXPECT_EQ(2, rec[0].hdr.sequence);
	EXPECT_EQ(0, rec[0].hdr.flags);
	EXPECT_EQ(IOMMU_VEVENTQ_FLAG_LOST_EVENTS, rec[1].hdr.flags);
	EXPECT_EQ(3, rec[1].hdr.sequence);
	EXPECT_EQ(0, poll(&pfd, 1, 0));

	/* After the loss the numbers go on */
	ASSERT_EQ(0, st_trigger(self->fd, self->idev_id));
	ASSERT_EQ((ssize_t)sizeof(rec[0]), read(pfd.fd, rec, sizeof(rec)));
	EXPECT_EQ(4, rec[0].hdr.sequence);

	/* A loss later overtaken by an event: only the gap tells */
	ASSERT_EQ(0, st_trigger(self->fd, self->idev_id));
	ASSERT_EQ(0, st_trigger(self->fd, self->idev_id));
	ASSERT_EQ(0, st_trigger(self->fd, self->idev_id));
	ASSERT_EQ((ssize_t)sizeof(rec[0]), read(pfd.fd, rec, sizeof(rec[0])));
	EXPECT_EQ(5, rec[0].hdr.sequence);
	ASSERT_EQ(0, st_trigger(self->fd, self->idev_id));
	ASSERT_EQ((ssize_t)(2 * sizeof(rec[0])), read(pfd.fd, rec,
						       sizeof(rec)));
	EXPECT_EQ(6, rec[0].hdr.sequence);
	EXPECT_EQ(8, rec[1].hdr.sequence);
	EXPECT_EQ(0, rec[1].hdr.flags);

	/* No queue of the type: EOPNOTSUPP */
	close(pfd.fd);
	ASSERT_EQ(0, mock_destroy(self->fd, id));
	EXPECT_EQ(-EOPNOTSUPP, st_trigger(self->fd, self->idev_id));
	ASSERT_EQ(0, st_replace(self->fd, self->stdev_id, self->ioas_id));
}

/* virt_id 0 counts as "no vDEVICE" for events, as in upstream's mock. */
TEST_F(stv, vevent_virt_id_zero)
{
	uint32_t id, vdev_id;
	int qfd;

	ASSERT_EQ(0, veventq_new(self->fd, self->viommu_id,
				 IOMMU_VEVENTQ_TYPE_SELFTEST, 4, &id, &qfd));
	ASSERT_EQ(0, vdev_alloc(self->fd, self->viommu_id, self->idev_id, 0,
				&vdev_id));
	ASSERT_EQ(0, st_replace(self->fd, self->stdev_id, self->nested_id));
	EXPECT_EQ(-ENOENT, st_trigger(self->fd, self->idev_id));
	close(qfd);
}

/* IOMMU_HW_QUEUE_ALLOC: errnos, pinning, order of allocation and destroy. */
TEST_F(stv, hw_queue)
{
	uint64_t iova = MOCK_APERTURE_START, iova2;
	const uint32_t type = IOMMU_HW_QUEUE_TYPE_SELFTEST;
	struct iommu_hw_queue_alloc cmd = {
		.size = sizeof(cmd),
		.viommu_id = self->viommu_id,
		.type = type,
		.nesting_parent_iova = iova,
		.length = ST_PAGE,
	};
	uint32_t q[2], def_viommu;
	void *buf;

	buf = mock_pages(2, 0x5a);
	ASSERT_NE(MAP_FAILED, buf);
	cmd.flags = 1;
	EXPECT_EQ(-EOPNOTSUPP, mock_ioctl(self->fd, IOMMU_HW_QUEUE_ALLOC,
					  &cmd));
	EXPECT_EQ(-EOPNOTSUPP, hw_queue_alloc(self->fd, self->viommu_id,
					      IOMMU_HW_QUEUE_TYPE_DEFAULT, 0,
					      iova, ST_PAGE, &q[0]));
	EXPECT_EQ(-EOPNOTSUPP, hw_queue_alloc(self->fd, self->viommu_id,
					      IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV,
					      0, iova, ST_PAGE, &q[0]));
	EXPECT_EQ(-EINVAL, hw_queue_alloc(self->fd, self->viommu_id, type, 0,
					  iova, 0, &q[0]));
	EXPECT_EQ(-EOVERFLOW, hw_queue_alloc(self->fd, self->viommu_id, type,
					     0, ~0ULL, ST_PAGE, &q[0]));
	EXPECT_EQ(-ENOENT, hw_queue_alloc(self->fd, self->parent_id, type, 0,
					  iova, ST_PAGE, &q[0]));
	EXPECT_EQ(-ENOENT, hw_queue_alloc(self->fd, self->viommu_id, type, 0,
					  iova, ST_PAGE, &q[0]));
	/* A DEFAULT vIOMMU has no HW queues */
	ASSERT_EQ(0, viommu_alloc(self->fd, self->idev_id, self->parent_id,
				  IOMMU_VIOMMU_TYPE_DEFAULT, &def_viommu));
	EXPECT_EQ(-EOPNOTSUPP, hw_queue_alloc(self->fd, def_viommu, type, 0,
					      iova, ST_PAGE, &q[0]));

	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, buf, ST_PAGE,
				    iova));
	iova2 = iova + ST_PAGE;
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id,
				    (char *)buf + ST_PAGE, ST_PAGE, iova2));
	EXPECT_EQ(-EIO, hw_queue_alloc(self->fd, self->viommu_id, type, 1,
				       iova, ST_PAGE, &q[0]));
	EXPECT_EQ(-EINVAL, hw_queue_alloc(self->fd, self->viommu_id, type,
					  IOMMU_TEST_HW_QUEUE_MAX, iova,
					  ST_PAGE, &q[0]));
	/* Beyond the mapping: ENOENT, nothing stays pinned */
	EXPECT_EQ(-ENOENT, hw_queue_alloc(self->fd, self->viommu_id, type, 0,
					  iova2, 2 * ST_PAGE, &q[0]));

	ASSERT_EQ(0, hw_queue_alloc(self->fd, self->viommu_id, type, 0, iova,
				    ST_PAGE, &q[0]));
	EXPECT_EQ(-EEXIST, hw_queue_alloc(self->fd, self->viommu_id, type, 0,
					  iova, ST_PAGE, &q[0]));
	/* The pinned page stays mapped; the other one can go */
	EXPECT_EQ(-EBUSY, ioas_unmap(self->fd, self->ioas_id, iova, ST_PAGE,
				     NULL));
	EXPECT_EQ(0, ioas_unmap(self->fd, self->ioas_id, iova2, ST_PAGE,
				NULL));
	ASSERT_EQ(0, hw_queue_alloc(self->fd, self->viommu_id, type, 1,
				    iova + ST_PAGE / 2, ST_PAGE / 2, &q[1]));
	/* Queue 1 depends on queue 0, both on the vIOMMU */
	EXPECT_EQ(-EBUSY, mock_destroy(self->fd, q[0]));
	EXPECT_EQ(-EBUSY, mock_destroy(self->fd, self->viommu_id));
	EXPECT_EQ(0, mock_destroy(self->fd, q[1]));
	EXPECT_EQ(0, mock_destroy(self->fd, q[0]));
	EXPECT_EQ(0, ioas_unmap(self->fd, self->ioas_id, iova, ST_PAGE, NULL));
	munmap(buf, 2 * ST_PAGE);
}

/* Left to close: a HW queue, a queued event, an unmapped mmap() region. */
TEST_F(stv, close_with_everything)
{
	struct iommu_viommu_selftest data = { .in_data = 1 };
	struct iommu_viommu_alloc cmd = {
		.size = sizeof(cmd),
		.type = IOMMU_VIOMMU_TYPE_SELFTEST,
		.dev_id = self->idev_id,
		.hwpt_id = self->parent_id,
		.data_len = sizeof(data),
		.data_uptr = U64_PTR(&data),
	};
	uint64_t iova = MOCK_APERTURE_START;
	uint32_t id, vdev_id, q;
	void *buf;
	int qfd;

	buf = mock_pages(1, 0x11);
	ASSERT_NE(MAP_FAILED, buf);
	ASSERT_EQ(0, mock_ioctl(self->fd, IOMMU_VIOMMU_ALLOC, &cmd));
	ASSERT_EQ(0, veventq_new(self->fd, self->viommu_id,
				 IOMMU_VEVENTQ_TYPE_SELFTEST, 8, &id, &qfd));
	ASSERT_EQ(0, vdev_alloc(self->fd, self->viommu_id, self->idev_id, 5,
				&vdev_id));
	ASSERT_EQ(0, st_replace(self->fd, self->stdev_id, self->nested_id));
	ASSERT_EQ(0, st_trigger(self->fd, self->idev_id));
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, buf, ST_PAGE,
				    iova));
	ASSERT_EQ(0, hw_queue_alloc(self->fd, self->viommu_id,
				    IOMMU_HW_QUEUE_TYPE_SELFTEST, 0, iova,
				    ST_PAGE, &q));
	close(qfd);
	close(self->fd);
	self->fd = -1;
	munmap(buf, ST_PAGE);
}

TEST_HARNESS_MAIN
