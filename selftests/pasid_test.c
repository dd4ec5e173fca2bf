// SPDX-License-Identifier: GPL-2.0
/*
 * PASID attachments (upstream iommufd as of 6.17): IOMMU_HWPT_ALLOC_PASID
 * and upstream's selftest ops IOMMU_TEST_OP_PASID_ATTACH, _REPLACE, _DETACH
 * and _CHECK_HWPT on selftest devices made with MOCK_FLAGS_DEVICE_PASID:
 * each success path and each errno, the rules between the RID and its
 * PASIDs, the reply written before the change is committed, PASID 0 as the
 * RID, upstream's one-shot ENOMEM of PASID 1024, and page requests routed
 * by PASID.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <stdint.h>

#include "mock_helpers.h"
#include "iommufd_test.h"

/* A PASID upstream's kselftest uses; any in [1, 2^MOCK_PASID_WIDTH) works */
#define PASID 100

/* A selftest device (IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS) attached to @pt_id. */
static int st_dev_new(int fd, uint32_t pt_id, uint32_t dev_flags,
		      uint32_t *stdev_id, uint32_t *idev_id, uint32_t *hwpt_id)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS,
		.id = pt_id,
		.mock_domain_flags = { .dev_flags = dev_flags },
	};

	if (ioctl(fd, IOMMU_TEST_CMD, &cmd))
		return -errno;
	*stdev_id = cmd.mock_domain_flags.out_stdev_id;
	if (idev_id)
		*idev_id = cmd.mock_domain_flags.out_idev_id;
	if (hwpt_id)
		*hwpt_id = cmd.mock_domain_flags.out_hwpt_id;
	return 0;
}

/* IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE: move the RID. */
static int rid_replace(int fd, uint32_t stdev_id, uint32_t pt_id)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
		.id = stdev_id,
		.mock_domain_replace = { .pt_id = pt_id },
	};

	return ioctl(fd, IOMMU_TEST_CMD, &cmd) ? -errno : 0;
}

/* PASID_ATTACH or PASID_REPLACE; *@out (if set) gets the pt_id written back. */
static int pasid_op(int fd, uint32_t op, uint32_t stdev_id, uint32_t pasid,
		    uint32_t pt_id, uint32_t *out)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = op,
		.id = stdev_id,
		.pasid_attach = { .pasid = pasid, .pt_id = pt_id },
	};

	if (ioctl(fd, IOMMU_TEST_CMD, &cmd))
		return -errno;
	if (out)
		*out = cmd.pasid_attach.pt_id;
	return 0;
}

static int pasid_attach(int fd, uint32_t stdev_id, uint32_t pasid,
			uint32_t pt_id)
{
	return pasid_op(fd, IOMMU_TEST_OP_PASID_ATTACH, stdev_id, pasid, pt_id,
			NULL);
}

static int pasid_replace(int fd, uint32_t stdev_id, uint32_t pasid,
			 uint32_t pt_id)
{
	return pasid_op(fd, IOMMU_TEST_OP_PASID_REPLACE, stdev_id, pasid, pt_id,
			NULL);
}

static int pasid_detach(int fd, uint32_t stdev_id, uint32_t pasid)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_PASID_DETACH,
		.id = stdev_id,
		.pasid_detach = { .pasid = pasid },
	};

	return ioctl(fd, IOMMU_TEST_CMD, &cmd) ? -errno : 0;
}

/* 0 if @hwpt_id is what @pasid is attached to (0: nothing), else -errno. */
static int pasid_check(int fd, uint32_t stdev_id, uint32_t pasid,
		       uint32_t hwpt_id)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_PASID_CHECK_HWPT,
		.id = stdev_id,
		.pasid_check = { .pasid = pasid, .hwpt_id = hwpt_id },
	};

	return ioctl(fd, IOMMU_TEST_CMD, &cmd) ? -errno : 0;
}

static uint32_t obj_users(int fd, uint32_t id)
{
	struct iommu_mock_object_info info;

	return mock_obj_info(fd, id, &info) ? UINT32_MAX : info.out_users;
}

static int nested_alloc(int fd, uint32_t idev_id, uint32_t pt_id,
			uint32_t flags, uint32_t fault_id, uint32_t *hwpt_id)
{
	struct iommu_hwpt_selftest data = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = idev_id,
		.pt_id = pt_id,
		.data_type = IOMMU_HWPT_DATA_SELFTEST,
		.data_len = sizeof(data),
		.data_uptr = U64_PTR(&data),
		.fault_id = fault_id,
	};

	if (ioctl(fd, IOMMU_HWPT_ALLOC, &cmd))
		return -errno;
	*hwpt_id = cmd.out_hwpt_id;
	return 0;
}

/*
 * A PASID-capable selftest device whose RID is on a PASID-capable paging
 * HWPT (@rid_hwpt), a second PASID-capable paging HWPT (@s2), a nest
 * parent without the flag (@parent) and a PASID-capable nested HWPT on it
 * (@nested).
 */
FIXTURE(pasid_dev) {
	int fd;
	uint32_t ioas_id;
	uint32_t stdev_id;
	uint32_t idev_id;
	uint32_t auto_hwpt;
	uint32_t rid_hwpt;
	uint32_t s2;
	uint32_t parent;
	uint32_t nested;
};

FIXTURE_SETUP(pasid_dev)
{
	self->fd = mock_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ioas_alloc(self->fd, &self->ioas_id));
	ASSERT_EQ(0, st_dev_new(self->fd, self->ioas_id, MOCK_FLAGS_DEVICE_PASID,
				&self->stdev_id, &self->idev_id,
				&self->auto_hwpt));
	ASSERT_EQ(0, hwpt_alloc(self->fd, self->idev_id, self->ioas_id,
				IOMMU_HWPT_ALLOC_PASID, &self->rid_hwpt));
	ASSERT_EQ(0, hwpt_alloc(self->fd, self->idev_id, self->ioas_id,
				IOMMU_HWPT_ALLOC_PASID, &self->s2));
	ASSERT_EQ(0, hwpt_alloc(self->fd, self->idev_id, self->ioas_id,
				IOMMU_HWPT_ALLOC_NEST_PARENT, &self->parent));
	ASSERT_EQ(0, nested_alloc(self->fd, self->idev_id, self->parent,
				  IOMMU_HWPT_ALLOC_PASID, 0, &self->nested));
	ASSERT_EQ(0, rid_replace(self->fd, self->stdev_id, self->rid_hwpt));
}

FIXTURE_TEARDOWN(pasid_dev)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* GET_HW_INFO reports the PASID width: MOCK_PASID_WIDTH, or 0 without. */
TEST_F(pasid_dev, hw_info_width)
{
	struct iommu_hw_info cmd = { .size = sizeof(cmd) };
	uint32_t stdev = 0, idev = 0;

	cmd.dev_id = self->idev_id;
	ASSERT_EQ(0, mock_ioctl(self->fd, IOMMU_GET_HW_INFO, &cmd));
	EXPECT_EQ(MOCK_PASID_WIDTH, cmd.out_max_pasid_log2);

	ASSERT_EQ(0, st_dev_new(self->fd, self->ioas_id, 0, &stdev, &idev,
				NULL));
	memset(&cmd, 0, sizeof(cmd));
	cmd.size = sizeof(cmd);
	cmd.dev_id = idev;
	ASSERT_EQ(0, mock_ioctl(self->fd, IOMMU_GET_HW_INFO, &cmd));
	EXPECT_EQ(0, cmd.out_max_pasid_log2);
}

/*
 * IOMMU_HWPT_ALLOC_PASID: the selftest driver takes it on paging and nested
 * HWPTs (also with a fault queue, and with dirty tracking); the module's own
 * mock instances refuse it (EOPNOTSUPP) on both.
 */
TEST_F(pasid_dev, hwpt_alloc_flag)
{
	struct iommu_fault_alloc fq = { .size = sizeof(fq) };
	uint32_t hwpt, dev, mock_parent;
	struct iommu_hwpt_mock_s1 s1;

	EXPECT_EQ(0, hwpt_alloc(self->fd, self->idev_id, self->ioas_id,
				IOMMU_HWPT_ALLOC_PASID |
				IOMMU_HWPT_ALLOC_NEST_PARENT, &hwpt));
	EXPECT_EQ(0, hwpt_alloc(self->fd, self->idev_id, self->ioas_id,
				IOMMU_HWPT_ALLOC_PASID |
				IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &hwpt));
	ASSERT_EQ(0, mock_ioctl(self->fd, IOMMU_FAULT_QUEUE_ALLOC, &fq));
	EXPECT_EQ(0, nested_alloc(self->fd, self->idev_id, self->parent,
				  IOMMU_HWPT_ALLOC_PASID |
				  IOMMU_HWPT_FAULT_ID_VALID,
				  fq.out_fault_id, &hwpt));
	/* Unknown flags next to it are still EOPNOTSUPP */
	EXPECT_EQ(-EOPNOTSUPP, hwpt_alloc(self->fd, self->idev_id,
					  self->ioas_id,
					  IOMMU_HWPT_ALLOC_PASID | (1U << 4),
					  &hwpt));
	EXPECT_EQ(-EOPNOTSUPP, nested_alloc(self->fd, self->idev_id,
					    self->parent,
					    IOMMU_HWPT_ALLOC_PASID | (1U << 4),
					    0, &hwpt));
	close(fq.out_fault_fd);

	/* An own mock instance: no PASID support, paging or nested */
	ASSERT_EQ(0, dev_alloc(self->fd, 0, 0x40, &dev));
	EXPECT_EQ(-EOPNOTSUPP, hwpt_alloc(self->fd, dev, self->ioas_id,
					  IOMMU_HWPT_ALLOC_PASID, &hwpt));
	ASSERT_EQ(0, hwpt_alloc(self->fd, dev, self->ioas_id,
				IOMMU_HWPT_ALLOC_NEST_PARENT, &mock_parent));
	s1 = mock_s1(mock_s1_format(0), 1, 0x1000);
	EXPECT_EQ(-EOPNOTSUPP, hwpt_alloc_data(self->fd, dev, mock_parent,
					       IOMMU_HWPT_ALLOC_PASID,
					       IOMMU_HWPT_DATA_MOCK_S1, &s1,
					       sizeof(s1), &hwpt));
	EXPECT_EQ(0, hwpt_alloc_data(self->fd, dev, mock_parent, 0,
				     IOMMU_HWPT_DATA_MOCK_S1, &s1, sizeof(s1),
				     &hwpt));
}

/* Attach, check, detach: pt_id written back, a user of the HWPT held. */
TEST_F(pasid_dev, attach_detach)
{
	uint32_t out = 0;

	EXPECT_EQ(0, pasid_check(self->fd, self->stdev_id, PASID, 0));
	ASSERT_EQ(0, pasid_op(self->fd, IOMMU_TEST_OP_PASID_ATTACH,
			      self->stdev_id, PASID, self->s2, &out));
	EXPECT_EQ(self->s2, out);
	EXPECT_EQ(0, pasid_check(self->fd, self->stdev_id, PASID, self->s2));
	EXPECT_EQ(-EINVAL, pasid_check(self->fd, self->stdev_id, PASID, 0));
	EXPECT_EQ(-EINVAL, pasid_check(self->fd, self->stdev_id, PASID,
				       self->nested));
	/* Other PASIDs are untouched */
	EXPECT_EQ(0, pasid_check(self->fd, self->stdev_id, PASID + 1, 0));
	EXPECT_EQ(1, obj_users(self->fd, self->s2));
	EXPECT_EQ(-EBUSY, mock_destroy(self->fd, self->s2));

	ASSERT_EQ(0, pasid_detach(self->fd, self->stdev_id, PASID));
	EXPECT_EQ(0, pasid_check(self->fd, self->stdev_id, PASID, 0));
	EXPECT_EQ(0, obj_users(self->fd, self->s2));
	/* Detaching a detached PASID is no error (upstream) */
	EXPECT_EQ(0, pasid_detach(self->fd, self->stdev_id, PASID));
	EXPECT_EQ(0, mock_destroy(self->fd, self->s2));
}

/* A nested HWPT with the flag serves a PASID; many PASIDs at once. */
TEST_F(pasid_dev, nested_and_many)
{
	uint32_t p;

	ASSERT_EQ(0, pasid_attach(self->fd, self->stdev_id, PASID,
				  self->nested));
	EXPECT_EQ(0, pasid_check(self->fd, self->stdev_id, PASID,
				 self->nested));
	for (p = 1; p <= 64; p++) {
		if (p == PASID)
			continue;
		ASSERT_EQ(0, pasid_attach(self->fd, self->stdev_id, p,
					  p % 2 ? self->s2 : self->nested));
	}
	EXPECT_EQ(32, obj_users(self->fd, self->s2));
	EXPECT_EQ(33, obj_users(self->fd, self->nested));
	/* The nested HWPT's users keep its parent busy too */
	EXPECT_EQ(-EBUSY, mock_destroy(self->fd, self->parent));
	for (p = 1; p <= 64; p++)
		ASSERT_EQ(0, pasid_detach(self->fd, self->stdev_id, p));
	EXPECT_EQ(0, obj_users(self->fd, self->s2));
	EXPECT_EQ(1, obj_users(self->fd, self->nested));
	ASSERT_EQ(0, pasid_detach(self->fd, self->stdev_id, PASID));
	EXPECT_EQ(0, obj_users(self->fd, self->nested));
}

/* Attaching an attached PASID is EBUSY, to any target. */
TEST_F(pasid_dev, attach_attached_ebusy)
{
	ASSERT_EQ(0, pasid_attach(self->fd, self->stdev_id, PASID, self->s2));
	EXPECT_EQ(-EBUSY, pasid_attach(self->fd, self->stdev_id, PASID,
				       self->s2));
	EXPECT_EQ(-EBUSY, pasid_attach(self->fd, self->stdev_id, PASID,
				       self->nested));
	EXPECT_EQ(-EBUSY, pasid_attach(self->fd, self->stdev_id, PASID,
				       self->ioas_id));
	EXPECT_EQ(0, pasid_check(self->fd, self->stdev_id, PASID, self->s2));
	EXPECT_EQ(1, obj_users(self->fd, self->s2));
}

/* Only HWPTs allocated with IOMMU_HWPT_ALLOC_PASID serve a PASID. */
TEST_F(pasid_dev, hwpt_without_flag_einval)
{
	uint32_t plain;

	ASSERT_EQ(0, hwpt_alloc(self->fd, self->idev_id, self->ioas_id, 0,
				&plain));
	EXPECT_EQ(-EINVAL, pasid_attach(self->fd, self->stdev_id, PASID,
					plain));
	EXPECT_EQ(-EINVAL, pasid_attach(self->fd, self->stdev_id, PASID,
					self->parent));
	/* nor an automatic HWPT, by its ID */
	EXPECT_EQ(-EINVAL, pasid_attach(self->fd, self->stdev_id, PASID,
					self->auto_hwpt));
	EXPECT_EQ(0, pasid_check(self->fd, self->stdev_id, PASID, 0));
	/* and a replace onto one keeps the old HWPT */
	ASSERT_EQ(0, pasid_attach(self->fd, self->stdev_id, PASID, self->s2));
	EXPECT_EQ(-EINVAL, pasid_replace(self->fd, self->stdev_id, PASID,
					 plain));
	EXPECT_EQ(0, pasid_check(self->fd, self->stdev_id, PASID, self->s2));
	EXPECT_EQ(0, obj_users(self->fd, plain));
}

/*
 * An IOAS is EINVAL for a PASID (its automatic HWPTs lack the flag), on
 * attach and replace, and leaves no automatic HWPT behind.
 */
TEST_F(pasid_dev, ioas_einval)
{
	uint32_t ioas2, users;

	ASSERT_EQ(0, ioas_alloc(self->fd, &ioas2));
	users = obj_users(self->fd, self->ioas_id);
	EXPECT_EQ(-EINVAL, pasid_attach(self->fd, self->stdev_id, PASID,
					self->ioas_id));
	EXPECT_EQ(-EINVAL, pasid_attach(self->fd, self->stdev_id, PASID, ioas2));
	EXPECT_EQ(0, pasid_check(self->fd, self->stdev_id, PASID, 0));
	ASSERT_EQ(0, pasid_attach(self->fd, self->stdev_id, PASID, self->s2));
	EXPECT_EQ(-EINVAL, pasid_replace(self->fd, self->stdev_id, PASID,
					 self->ioas_id));
	EXPECT_EQ(-EINVAL, pasid_replace(self->fd, self->stdev_id, PASID,
					 ioas2));
	EXPECT_EQ(0, pasid_check(self->fd, self->stdev_id, PASID, self->s2));
	EXPECT_EQ(users, obj_users(self->fd, self->ioas_id));
	EXPECT_EQ(0, obj_users(self->fd, ioas2));
}

/* While the RID is on a HWPT without the flag, no PASID attaches. */
TEST_F(pasid_dev, rid_without_flag_blocks_pasid)
{
	ASSERT_EQ(0, rid_replace(self->fd, self->stdev_id, self->parent));
	EXPECT_EQ(-EINVAL, pasid_attach(self->fd, self->stdev_id, PASID,
					self->s2));
	ASSERT_EQ(0, rid_replace(self->fd, self->stdev_id, self->ioas_id));
	EXPECT_EQ(-EINVAL, pasid_attach(self->fd, self->stdev_id, PASID,
					self->nested));
	EXPECT_EQ(0, pasid_check(self->fd, self->stdev_id, PASID, 0));
	/* A detached RID does not block */
	ASSERT_EQ(0, pasid_detach(self->fd, self->stdev_id, 0));
	EXPECT_EQ(0, pasid_attach(self->fd, self->stdev_id, PASID, self->s2));
}

/*
 * While a PASID is attached the RID takes only HWPTs with the flag: a
 * plain HWPT or an IOAS (automatic HWPT) is EINVAL, the RID stays put and
 * no automatic HWPT is left behind; once the PASID is gone they work.
 */
TEST_F(pasid_dev, pasid_blocks_rid_without_flag)
{
	uint32_t users;

	ASSERT_EQ(0, pasid_attach(self->fd, self->stdev_id, PASID,
				  self->nested));
	EXPECT_EQ(-EINVAL, rid_replace(self->fd, self->stdev_id, self->parent));
	users = obj_users(self->fd, self->ioas_id);
	EXPECT_EQ(-EINVAL, rid_replace(self->fd, self->stdev_id, self->ioas_id));
	EXPECT_EQ(users, obj_users(self->fd, self->ioas_id));
	EXPECT_EQ(0, pasid_check(self->fd, self->stdev_id, 0, self->rid_hwpt));
	/* A PASID-capable HWPT is fine */
	EXPECT_EQ(0, rid_replace(self->fd, self->stdev_id, self->s2));
	/* The RID detached and attached anew follows the same rule */
	ASSERT_EQ(0, pasid_detach(self->fd, self->stdev_id, 0));
	EXPECT_EQ(-EINVAL, pasid_attach(self->fd, self->stdev_id, 0,
					self->ioas_id));
	EXPECT_EQ(-EINVAL, pasid_attach(self->fd, self->stdev_id, 0,
					self->parent));
	EXPECT_EQ(0, pasid_check(self->fd, self->stdev_id, 0, 0));
	ASSERT_EQ(0, pasid_detach(self->fd, self->stdev_id, PASID));
	EXPECT_EQ(0, pasid_attach(self->fd, self->stdev_id, 0, self->ioas_id));
	EXPECT_EQ(0, rid_replace(self->fd, self->stdev_id, self->parent));
}

/* PASIDs from 1 to 2^MOCK_PASID_WIDTH - 1; a device without PASIDs has none. */
TEST_F(pasid_dev, range)
{
	const uint32_t max = (1U << MOCK_PASID_WIDTH) - 1;
	uint32_t stdev = 0, idev = 0;

	EXPECT_EQ(0, pasid_attach(self->fd, self->stdev_id, max, self->s2));
	EXPECT_EQ(0, pasid_check(self->fd, self->stdev_id, max, self->s2));
	EXPECT_EQ(-EINVAL, pasid_attach(self->fd, self->stdev_id, max + 1,
					self->s2));
	EXPECT_EQ(-EINVAL, pasid_attach(self->fd, self->stdev_id, UINT32_MAX,
					self->s2));
	EXPECT_EQ(0, pasid_check(self->fd, self->stdev_id, max + 1, 0));
	EXPECT_EQ(0, pasid_attach(self->fd, self->stdev_id, 1, self->s2));

	/* Without MOCK_FLAGS_DEVICE_PASID: every PASID is EINVAL */
	ASSERT_EQ(0, st_dev_new(self->fd, self->rid_hwpt, 0, &stdev, &idev,
				NULL));
	EXPECT_EQ(-EINVAL, pasid_attach(self->fd, stdev, 1, self->s2));
	EXPECT_EQ(-EINVAL, pasid_attach(self->fd, stdev, PASID, self->nested));
	EXPECT_EQ(0, pasid_check(self->fd, stdev, 1, 0));
	/* A PASID-capable HWPT still serves its RID */
	EXPECT_EQ(0, rid_replace(self->fd, stdev, self->nested));
}

/* Replace: EINVAL when detached; same HWPT a no-op; moves the user. */
TEST_F(pasid_dev, replace)
{
	uint32_t out = 0;

	EXPECT_EQ(-EINVAL, pasid_replace(self->fd, self->stdev_id, PASID,
					 self->s2));
	EXPECT_EQ(0, pasid_check(self->fd, self->stdev_id, PASID, 0));
	ASSERT_EQ(0, pasid_attach(self->fd, self->stdev_id, PASID, self->s2));
	EXPECT_EQ(0, pasid_op(self->fd, IOMMU_TEST_OP_PASID_REPLACE,
			      self->stdev_id, PASID, self->s2, &out));
	EXPECT_EQ(self->s2, out);
	EXPECT_EQ(1, obj_users(self->fd, self->s2));
	EXPECT_EQ(0, pasid_op(self->fd, IOMMU_TEST_OP_PASID_REPLACE,
			      self->stdev_id, PASID, self->nested, &out));
	EXPECT_EQ(self->nested, out);
	EXPECT_EQ(0, pasid_check(self->fd, self->stdev_id, PASID,
				 self->nested));
	EXPECT_EQ(0, obj_users(self->fd, self->s2));
	EXPECT_EQ(1, obj_users(self->fd, self->nested));
	EXPECT_EQ(0, pasid_replace(self->fd, self->stdev_id, PASID, self->s2));
	EXPECT_EQ(0, pasid_check(self->fd, self->stdev_id, PASID, self->s2));
	EXPECT_EQ(0, obj_users(self->fd, self->nested));
}

/*
 * Upstream's mock fails the first change of PASID 1024 after its attach
 * with ENOMEM, once; the PASID keeps its HWPT. A detach re-arms it.
 */
TEST_F(pasid_dev, reserved_pasid_fails_once)
{
	const uint32_t p = IOMMU_TEST_PASID_RESERVED;
	int i;

	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, pasid_attach(self->fd, self->stdev_id, p,
					  self->s2));
		EXPECT_EQ(-ENOMEM, pasid_replace(self->fd, self->stdev_id, p,
						 self->nested));
		EXPECT_EQ(0, pasid_check(self->fd, self->stdev_id, p,
					 self->s2));
		EXPECT_EQ(1, obj_users(self->fd, self->s2));
		EXPECT_EQ(0, obj_users(self->fd, self->nested));
		EXPECT_EQ(0, pasid_replace(self->fd, self->stdev_id, p,
					   self->nested));
		EXPECT_EQ(0, pasid_check(self->fd, self->stdev_id, p,
					 self->nested));
		/* armed again by that replace */
		EXPECT_EQ(-ENOMEM, pasid_replace(self->fd, self->stdev_id, p,
						 self->s2));
		ASSERT_EQ(0, pasid_detach(self->fd, self->stdev_id, p));
	}
	/* Other PASIDs are not affected */
	ASSERT_EQ(0, pasid_attach(self->fd, self->stdev_id, p + 1, self->s2));
	EXPECT_EQ(0, pasid_replace(self->fd, self->stdev_id, p + 1,
				   self->nested));
}

/*
 * PASID 0 is IOMMU_NO_PASID, the RID (upstream's iommufd_device_attach()
 * with IOMMU_NO_PASID): attach of the attached RID is EBUSY, check and
 * replace see the RID, detach detaches it, and an IOAS works again.
 */
TEST_F(pasid_dev, pasid_zero_is_rid)
{
	uint32_t out = 0;

	EXPECT_EQ(-EBUSY, pasid_attach(self->fd, self->stdev_id, 0, self->s2));
	EXPECT_EQ(0, pasid_check(self->fd, self->stdev_id, 0, self->rid_hwpt));
	EXPECT_EQ(0, pasid_replace(self->fd, self->stdev_id, 0, self->s2));
	EXPECT_EQ(0, pasid_check(self->fd, self->stdev_id, 0, self->s2));
	ASSERT_EQ(0, pasid_detach(self->fd, self->stdev_id, 0));
	EXPECT_EQ(0, pasid_check(self->fd, self->stdev_id, 0, 0));
	EXPECT_EQ(0, obj_users(self->fd, self->s2));
	EXPECT_EQ(-EINVAL, rid_replace(self->fd, self->stdev_id, self->s2));
	EXPECT_EQ(-EINVAL, pasid_replace(self->fd, self->stdev_id, 0,
					 self->s2));
	ASSERT_EQ(0, pasid_op(self->fd, IOMMU_TEST_OP_PASID_ATTACH,
			      self->stdev_id, 0, self->ioas_id, &out));
	EXPECT_NE(self->ioas_id, out);
	EXPECT_EQ(0, pasid_check(self->fd, self->stdev_id, 0, out));
}

/* The ops' own errnos: objects that do not exist or have the wrong kind. */
TEST_F(pasid_dev, bad_ids)
{
	EXPECT_EQ(-ENOENT, pasid_attach(self->fd, 0xfffff0, PASID, self->s2));
	EXPECT_EQ(-ENOENT, pasid_replace(self->fd, 0xfffff0, PASID, self->s2));
	EXPECT_EQ(-ENOENT, pasid_detach(self->fd, 0xfffff0, PASID));
	EXPECT_EQ(-ENOENT, pasid_check(self->fd, 0xfffff0, PASID, 0));
	/* The device's dev_id (idev) is not the selftest device object */
	EXPECT_EQ(-ENOENT, pasid_attach(self->fd, self->idev_id, PASID,
					self->s2));
	EXPECT_EQ(-ENOENT, pasid_check(self->fd, self->idev_id, PASID, 0));

	EXPECT_EQ(-ENOENT, pasid_attach(self->fd, self->stdev_id, PASID,
					0xfffff0));
	/* pt_id of another kind: the device itself */
	EXPECT_EQ(-EINVAL, pasid_attach(self->fd, self->stdev_id, PASID,
					self->idev_id));
	ASSERT_EQ(0, pasid_attach(self->fd, self->stdev_id, PASID, self->s2));
	EXPECT_EQ(-ENOENT, pasid_replace(self->fd, self->stdev_id, PASID,
					 0xfffff0));
	EXPECT_EQ(-EINVAL, pasid_replace(self->fd, self->stdev_id, PASID,
					 self->stdev_id));
	EXPECT_EQ(-ENOENT, pasid_check(self->fd, self->stdev_id, PASID,
				       0xfffff0));
	EXPECT_EQ(-EINVAL, pasid_check(self->fd, self->stdev_id, PASID,
				       self->ioas_id));
	EXPECT_EQ(0, pasid_check(self->fd, self->stdev_id, PASID, self->s2));
}

/* A PASID attach or replace whose reply cannot be written changes nothing. */
static int ro_pasid_op(int fd, uint32_t op, uint32_t stdev_id, uint32_t pasid,
		       uint32_t pt_id)
{
	struct iommu_test_cmd *cmd;
	int rc;

	cmd = mmap(NULL, MOCK_PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (cmd == MAP_FAILED)
		return -ENOMEM;
	memset(cmd, 0, sizeof(*cmd));
	cmd->size = sizeof(*cmd);
	cmd->op = op;
	cmd->id = stdev_id;
	cmd->pasid_attach.pasid = pasid;
	cmd->pasid_attach.pt_id = pt_id;
	rc = mprotect(cmd, MOCK_PAGE, PROT_READ) ? -errno :
	     ioctl(fd, IOMMU_TEST_CMD, cmd) ? -errno : 0;
	munmap(cmd, MOCK_PAGE);
	return rc;
}

TEST_F(pasid_dev, reply_efault_changes_nothing)
{
	const uint32_t p = IOMMU_TEST_PASID_RESERVED;

	EXPECT_EQ(-EFAULT, ro_pasid_op(self->fd, IOMMU_TEST_OP_PASID_ATTACH,
				       self->stdev_id, PASID, self->s2));
	EXPECT_EQ(0, pasid_check(self->fd, self->stdev_id, PASID, 0));
	EXPECT_EQ(0, obj_users(self->fd, self->s2));
	ASSERT_EQ(0, pasid_attach(self->fd, self->stdev_id, PASID, self->s2));
	EXPECT_EQ(-EFAULT, ro_pasid_op(self->fd, IOMMU_TEST_OP_PASID_REPLACE,
				       self->stdev_id, PASID, self->nested));
	EXPECT_EQ(0, pasid_check(self->fd, self->stdev_id, PASID, self->s2));
	EXPECT_EQ(1, obj_users(self->fd, self->s2));
	EXPECT_EQ(0, obj_users(self->fd, self->nested));

	/* PASID 0: the RID stays where it was */
	EXPECT_EQ(-EFAULT, ro_pasid_op(self->fd, IOMMU_TEST_OP_PASID_REPLACE,
				       self->stdev_id, 0, self->s2));
	EXPECT_EQ(0, pasid_check(self->fd, self->stdev_id, 0, self->rid_hwpt));

	/* PASID 1024 after a cancelled attach: its next attach works */
	EXPECT_EQ(-EFAULT, ro_pasid_op(self->fd, IOMMU_TEST_OP_PASID_ATTACH,
				       self->stdev_id, p, self->s2));
	EXPECT_EQ(0, pasid_attach(self->fd, self->stdev_id, p, self->s2));
}

/* Destroying the device object drops every PASID's user of its HWPT. */
TEST_F(pasid_dev, destroy_with_pasids)
{
	ASSERT_EQ(0, pasid_attach(self->fd, self->stdev_id, PASID, self->s2));
	ASSERT_EQ(0, pasid_attach(self->fd, self->stdev_id, PASID + 1,
				  self->nested));
	ASSERT_EQ(0, mock_destroy(self->fd, self->stdev_id));
	EXPECT_EQ(0, obj_users(self->fd, self->s2));
	EXPECT_EQ(0, obj_users(self->fd, self->nested));
	EXPECT_EQ(0, obj_users(self->fd, self->rid_hwpt));
	EXPECT_EQ(0, mock_destroy(self->fd, self->nested));
	EXPECT_EQ(0, mock_destroy(self->fd, self->s2));
}

/* The same left to close: the VM's splat and leak checks judge it. */
TEST_F(pasid_dev, close_with_pasids)
{
	ASSERT_EQ(0, pasid_attach(self->fd, self->stdev_id, PASID, self->s2));
	ASSERT_EQ(0, pasid_attach(self->fd, self->stdev_id, PASID + 1,
				  self->nested));
}

/* Thousands of PASIDs, left to close: the device detaches them all. */
TEST_F(pasid_dev, many_pasids_closed)
{
	uint32_t p;

	for (p = 1; p <= 4096; p++)
		ASSERT_EQ(0, pasid_attach(self->fd, self->stdev_id, p * 199,
					  p % 3 ? self->s2 : self->nested));
	EXPECT_EQ(2731, obj_users(self->fd, self->s2));
	EXPECT_EQ(1365, obj_users(self->fd, self->nested));
}

/* A nested HWPT on the DEFAULT vIOMMU may carry the flag and a PASID. */
TEST_F(pasid_dev, viommu_nested)
{
	struct iommu_viommu_alloc va = {
		.size = sizeof(va),
		.type = IOMMU_VIOMMU_TYPE_DEFAULT,
		.dev_id = self->idev_id,
		.hwpt_id = self->parent,
	};
	uint32_t hwpt;

	ASSERT_EQ(0, mock_ioctl(self->fd, IOMMU_VIOMMU_ALLOC, &va));
	ASSERT_EQ(0, nested_alloc(self->fd, self->idev_id, va.out_viommu_id,
				  IOMMU_HWPT_ALLOC_PASID, 0, &hwpt));
	EXPECT_EQ(0, pasid_attach(self->fd, self->stdev_id, PASID, hwpt));
	EXPECT_EQ(0, pasid_check(self->fd, self->stdev_id, PASID, hwpt));
	ASSERT_EQ(0, nested_alloc(self->fd, self->idev_id, va.out_viommu_id, 0,
				  0, &hwpt));
	EXPECT_EQ(-EINVAL, pasid_attach(self->fd, self->stdev_id, PASID + 1,
					hwpt));
}

/* Trigger a page request of the device, with a PASID unless @pasid is 0. */
static int trigger_iopf(int fd, uint32_t idev_id, uint32_t pasid)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_TRIGGER_IOPF,
		.trigger_iopf = { .dev_id = idev_id, .pasid = pasid, .grpid = 3,
				  .perm = IOMMU_PGFAULT_PERM_READ,
				  .addr = 0x7000 },
	};

	return ioctl(fd, IOMMU_TEST_CMD, &cmd) ? -errno : 0;
}

/*
 * Page requests with a PASID go to the fault queue of the HWPT that PASID
 * is attached to; leaving it answers what is still queued.
 */
TEST_F(pasid_dev, iopf_by_pasid)
{
	struct iommu_fault_alloc fq = { .size = sizeof(fq) };
	struct iommu_hwpt_pgfault rec;
	struct pollfd pfd = { .events = POLLIN };
	uint32_t iopf_hwpt;

	ASSERT_EQ(0, mock_ioctl(self->fd, IOMMU_FAULT_QUEUE_ALLOC, &fq));
	pfd.fd = fq.out_fault_fd;
	ASSERT_EQ(0, nested_alloc(self->fd, self->idev_id, self->parent,
				  IOMMU_HWPT_ALLOC_PASID |
				  IOMMU_HWPT_FAULT_ID_VALID,
				  fq.out_fault_id, &iopf_hwpt));
	ASSERT_EQ(0, pasid_attach(self->fd, self->stdev_id, 2048, iopf_hwpt));

	/* The RID (paging, no queue) and other PASIDs queue nothing */
	EXPECT_EQ(0, trigger_iopf(self->fd, self->idev_id, 0));
	EXPECT_EQ(0, trigger_iopf(self->fd, self->idev_id, 2049));
	EXPECT_EQ(0, poll(&pfd, 1, 0));

	EXPECT_EQ(0, trigger_iopf(self->fd, self->idev_id, 2048));
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	ASSERT_EQ((ssize_t)sizeof(rec), read(pfd.fd, &rec, sizeof(rec)));
	EXPECT_EQ(self->idev_id, rec.dev_id);
	EXPECT_EQ(2048, rec.pasid);
	EXPECT_EQ(0x7000, rec.addr);
	EXPECT_EQ(IOMMU_PGFAULT_FLAGS_PASID_VALID | IOMMU_PGFAULT_FLAGS_LAST_PAGE,
		  rec.flags);

	/* One unread request left; the replace away drops it */
	EXPECT_EQ(0, trigger_iopf(self->fd, self->idev_id, 2048));
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	ASSERT_EQ(0, pasid_replace(self->fd, self->stdev_id, 2048, self->s2));
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	EXPECT_EQ(0, trigger_iopf(self->fd, self->idev_id, 2048));
	EXPECT_EQ(0, poll(&pfd, 1, 0));

	/* The RID on the fault-capable nested HWPT keeps its own requests */
	ASSERT_EQ(0, pasid_replace(self->fd, self->stdev_id, 2048, iopf_hwpt));
	ASSERT_EQ(0, rid_replace(self->fd, self->stdev_id, iopf_hwpt));
	EXPECT_EQ(0, trigger_iopf(self->fd, self->idev_id, 0));
	EXPECT_EQ(0, trigger_iopf(self->fd, self->idev_id, 2048));
	/* A PASID nothing is attached to goes to the nested RID domain */
	EXPECT_EQ(0, trigger_iopf(self->fd, self->idev_id, 5));
	ASSERT_EQ(0, pasid_detach(self->fd, self->stdev_id, 2048));
	/* Only the PASID's request was dropped */
	ASSERT_EQ((ssize_t)sizeof(rec), read(pfd.fd, &rec, sizeof(rec)));
	EXPECT_EQ(IOMMU_PGFAULT_FLAGS_LAST_PAGE, rec.flags);
	ASSERT_EQ((ssize_t)sizeof(rec), read(pfd.fd, &rec, sizeof(rec)));
	EXPECT_EQ(5, rec.pasid);
	EXPECT_EQ(0, poll(&pfd, 1, 0));

	ASSERT_EQ(0, rid_replace(self->fd, self->stdev_id, self->rid_hwpt));
	EXPECT_EQ(0, mock_destroy(self->fd, iopf_hwpt));
	close(pfd.fd);
}

/* Dirty tracking of a HWPT works while a PASID is attached to it. */
TEST_F(pasid_dev, dirty_tracking_hwpt)
{
	struct iommu_hwpt_set_dirty_tracking sd = {
		.size = sizeof(sd),
		.flags = IOMMU_HWPT_DIRTY_TRACKING_ENABLE,
	};
	uint32_t hwpt;

	ASSERT_EQ(0, hwpt_alloc(self->fd, self->idev_id, self->ioas_id,
				IOMMU_HWPT_ALLOC_PASID |
				IOMMU_HWPT_ALLOC_DIRTY_TRACKING, &hwpt));
	ASSERT_EQ(0, pasid_attach(self->fd, self->stdev_id, PASID, hwpt));
	sd.hwpt_id = hwpt;
	EXPECT_EQ(0, mock_ioctl(self->fd, IOMMU_HWPT_SET_DIRTY_TRACKING, &sd));
	sd.flags = 0;
	EXPECT_EQ(0, mock_ioctl(self->fd, IOMMU_HWPT_SET_DIRTY_TRACKING, &sd));
	EXPECT_EQ(0, pasid_detach(self->fd, self->stdev_id, PASID));
	EXPECT_EQ(0, mock_destroy(self->fd, hwpt));
}

TEST_HARNESS_MAIN
