// SPDX-License-Identifier: GPL-2.0
/*
 * HW page tables: paging and NEST_PARENT HWPTs on an IOAS, nested HWPTs with
 * struct iommu_hwpt_mock_s1, apertures, stage-1 format compatibility
 * (seed 004) and IOMMU_HWPT_INVALIDATE on a nested HWPT.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>

#include "mock_helpers.h"

/* stream IDs of this file: 0x20-0x3f on each instance */
#define SID_BASE 0x20

#define BUF_PAGES 8
#define DMA_IOVA 0x100000ULL

/* ---- per instance ------------------------------------------------------------ */

FIXTURE(hwpt_inst) {
	int fd;
	uint32_t ioas_id;
	uint32_t dev_id;
	const struct mock_inst_facts *f;
	uint8_t *buf;
};

FIXTURE_VARIANT(hwpt_inst) {
	uint32_t inst;
};

FIXTURE_VARIANT_ADD(hwpt_inst, arm_inst0) { .inst = 0 };
FIXTURE_VARIANT_ADD(hwpt_inst, x86_inst1) { .inst = 1 };
FIXTURE_VARIANT_ADD(hwpt_inst, arm_inst2) { .inst = 2 };

FIXTURE_SETUP(hwpt_inst)
{
	self->f = &mock_facts[variant->inst];
	self->fd = mock_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ioas_alloc(self->fd, &self->ioas_id));
	ASSERT_EQ(0, dev_alloc(self->fd, variant->inst, SID_BASE + 1,
			       &self->dev_id));
	self->buf = mock_pages(BUF_PAGES, 0);
	ASSERT_NE(MAP_FAILED, self->buf);
}

FIXTURE_TEARDOWN(hwpt_inst)
{
	if (self->buf && self->buf != MAP_FAILED)
		munmap(self->buf, BUF_PAGES * MOCK_PAGE);
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(hwpt_inst, paging_alloc)
{
	struct iommu_mock_object_info info;
	uint32_t hwpt = 0;

	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev_id, self->ioas_id, 0, &hwpt));
	EXPECT_LE(1, hwpt);
	ASSERT_EQ(0, mock_obj_info(self->fd, hwpt, &info));
	EXPECT_EQ(IOMMU_MOCK_OBJ_HWPT_PAGING, info.out_type);
	EXPECT_EQ(self->ioas_id, info.out_parent_id);
	EXPECT_EQ(variant->inst, info.out_instance_id);
	EXPECT_EQ(0, info.out_flags);
	EXPECT_EQ(0, info.out_users);
	ASSERT_EQ(0, mock_obj_info(self->fd, self->ioas_id, &info));
	EXPECT_EQ(1, info.out_users);
	ASSERT_EQ(0, mock_destroy(self->fd, hwpt));
	ASSERT_EQ(0, mock_obj_info(self->fd, self->ioas_id, &info));
	EXPECT_EQ(0, info.out_users);
}

TEST_F(hwpt_inst, nest_parent_alloc)
{
	struct iommu_mock_object_info info;
	uint32_t hwpt;

	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev_id, self->ioas_id,
				IOMMU_HWPT_ALLOC_NEST_PARENT, &hwpt));
	ASSERT_EQ(0, mock_obj_info(self->fd, hwpt, &info));
	EXPECT_EQ(IOMMU_MOCK_OBJ_HWPT_PAGING, info.out_type);
	EXPECT_EQ(IOMMU_MOCK_OBJ_F_NEST_PARENT, info.out_flags);
	EXPECT_EQ(self->ioas_id, info.out_parent_id);
	EXPECT_EQ(variant->inst, info.out_instance_id);
}

TEST_F(hwpt_inst, aperture_limits_ranges)
{
	uint32_t hwpt;

	EXPECT_ONE_RANGE(self->fd, self->ioas_id, UINT64_MAX);
	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev_id, self->ioas_id, 0, &hwpt));
	EXPECT_ONE_RANGE(self->fd, self->ioas_id, self->f->aperture_last);
	ASSERT_EQ(0, mock_destroy(self->fd, hwpt));
	EXPECT_ONE_RANGE(self->fd, self->ioas_id, UINT64_MAX);
}

TEST_F(hwpt_inst, map_outside_aperture_einval)
{
	uint64_t last = self->f->aperture_last;
	uint32_t hwpt;

	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev_id, self->ioas_id,
				IOMMU_HWPT_ALLOC_NEST_PARENT, &hwpt));
	EXPECT_EQ(-EINVAL, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
					  MOCK_PAGE, last + 1));
	/* straddling the end */
	EXPECT_EQ(-EINVAL, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
					  2 * MOCK_PAGE, last + 1 - MOCK_PAGE));
	EXPECT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    MOCK_PAGE, last + 1 - MOCK_PAGE));
}

TEST_F(hwpt_inst, mapping_outside_aperture_eaddrinuse)
{
	uint64_t last = self->f->aperture_last;
	uint32_t hwpt;

	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    MOCK_PAGE, last + 1));
	EXPECT_EQ(-EADDRINUSE, hwpt_alloc(self->fd, self->dev_id,
					  self->ioas_id, 0, &hwpt));
	EXPECT_EQ(-EADDRINUSE, hwpt_alloc(self->fd, self->dev_id,
					  self->ioas_id,
					  IOMMU_HWPT_ALLOC_NEST_PARENT, &hwpt));
	EXPECT_EQ(-EADDRINUSE, dev_attach(self->fd, self->dev_id,
					  self->ioas_id, &hwpt));
	EXPECT_ONE_RANGE(self->fd, self->ioas_id, UINT64_MAX);
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, last + 1, MOCK_PAGE,
				NULL));
	EXPECT_EQ(0, hwpt_alloc(self->fd, self->dev_id, self->ioas_id, 0, &hwpt));
}

TEST_F(hwpt_inst, paging_mirrors_ioas)
{
	struct iommu_mock_object_info info;
	uint32_t hwpt;

	/* out_invalidations of a paging HWPT: IOVA pages mapped in it */
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    3 * MOCK_PAGE, DMA_IOVA));
	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev_id, self->ioas_id, 0, &hwpt));
	ASSERT_EQ(0, mock_obj_info(self->fd, hwpt, &info));
	EXPECT_EQ(3, info.out_invalidations);
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    2 * MOCK_PAGE, 0x200000));
	ASSERT_EQ(0, mock_obj_info(self->fd, hwpt, &info));
	EXPECT_EQ(5, info.out_invalidations);
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, DMA_IOVA,
				3 * MOCK_PAGE, NULL));
	ASSERT_EQ(0, mock_obj_info(self->fd, hwpt, &info));
	EXPECT_EQ(2, info.out_invalidations);
}

TEST_F(hwpt_inst, nested_alloc)
{
	struct iommu_hwpt_mock_s1 s1 = mock_s1(self->f->s1_format, 0x77, 0x5000);
	struct iommu_mock_object_info info;
	uint32_t parent, nested = 0;

	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev_id, self->ioas_id,
				IOMMU_HWPT_ALLOC_NEST_PARENT, &parent));
	ASSERT_EQ(0, hwpt_alloc_nested(self->fd, self->dev_id, parent, &s1,
				       &nested));
	EXPECT_LE(1, nested);
	ASSERT_EQ(0, mock_obj_info(self->fd, nested, &info));
	EXPECT_EQ(IOMMU_MOCK_OBJ_HWPT_NESTED, info.out_type);
	EXPECT_EQ(parent, info.out_parent_id);
	EXPECT_EQ(variant->inst, info.out_instance_id);
	EXPECT_EQ(0x77, info.out_asid);
	EXPECT_EQ(0x5000, info.out_ttbr);
	EXPECT_EQ(0, info.out_flags & IOMMU_MOCK_OBJ_F_S1_BYPASS);
	EXPECT_EQ(0, info.out_invalidations);
	ASSERT_EQ(0, mock_obj_info(self->fd, parent, &info));
	EXPECT_EQ(1, info.out_users);
}

TEST_F(hwpt_inst, nested_bypass)
{
	struct iommu_hwpt_mock_s1 s1 = mock_s1(self->f->s1_format, 1, 0);
	struct iommu_mock_object_info info;
	uint32_t parent, nested;

	s1.flags = IOMMU_MOCK_S1_BYPASS;
	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev_id, self->ioas_id,
				IOMMU_HWPT_ALLOC_NEST_PARENT, &parent));
	ASSERT_EQ(0, hwpt_alloc_nested(self->fd, self->dev_id, parent, &s1,
				       &nested));
	ASSERT_EQ(0, mock_obj_info(self->fd, nested, &info));
	EXPECT_EQ(IOMMU_MOCK_OBJ_F_S1_BYPASS,
		  info.out_flags & IOMMU_MOCK_OBJ_F_S1_BYPASS);
}

TEST_F(hwpt_inst, nested_dma_reaches_s2)
{
	struct iommu_hwpt_mock_s1 s1 = mock_s1(self->f->s1_format, 3, 0x3000);
	uint32_t parent, nested, bypass, out;
	uint8_t data[64], back[64];

	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    2 * MOCK_PAGE, DMA_IOVA));
	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev_id, self->ioas_id,
				IOMMU_HWPT_ALLOC_NEST_PARENT, &parent));
	ASSERT_EQ(0, hwpt_alloc_nested(self->fd, self->dev_id, parent, &s1,
				       &nested));
	s1.flags = IOMMU_MOCK_S1_BYPASS;
	ASSERT_EQ(0, hwpt_alloc_nested(self->fd, self->dev_id, parent, &s1,
				       &bypass));
	ASSERT_EQ(0, dev_attach(self->fd, self->dev_id, nested, &out));
	EXPECT_EQ(nested, out);

	fill_pattern(data, sizeof(data), 11);
	ASSERT_EQ(0, dma_write(self->fd, self->dev_id, DMA_IOVA + 100, data,
			       sizeof(data)));
	EXPECT_EQ(0, memcmp(self->buf + 100, data, sizeof(data)));
	EXPECT_EQ(-ENOENT, dma_write(self->fd, self->dev_id, 0x300000, data,
				     sizeof(data)));

	ASSERT_EQ(0, dev_replace(self->fd, self->dev_id, bypass, &out));
	EXPECT_EQ(bypass, out);
	ASSERT_EQ(0, dma_read(self->fd, self->dev_id, DMA_IOVA + 100, back,
			      sizeof(back)));
	EXPECT_EQ(0, memcmp(back, data, sizeof(data)));
	/* the parent is busy while nested HWPTs sit on it */
	EXPECT_EQ(-EBUSY, mock_destroy(self->fd, parent));
}

TEST_F(hwpt_inst, nested_wrong_format_einval)
{
	struct iommu_hwpt_mock_s1 s1;
	uint32_t parent, nested;

	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev_id, self->ioas_id,
				IOMMU_HWPT_ALLOC_NEST_PARENT, &parent));
	s1 = mock_s1(self->f->s1_format == IOMMU_MOCK_S1_FORMAT_X86_FL ?
			     IOMMU_MOCK_S1_FORMAT_ARM_LPAE :
			     IOMMU_MOCK_S1_FORMAT_X86_FL, 1, 0x1000);
	EXPECT_EQ(-EINVAL, hwpt_alloc_nested(self->fd, self->dev_id, parent,
					     &s1, &nested));
	s1.format = 0;
	EXPECT_EQ(-EINVAL, hwpt_alloc_nested(self->fd, self->dev_id, parent,
					     &s1, &nested));
	s1.format = 99;
	EXPECT_EQ(-EINVAL, hwpt_alloc_nested(self->fd, self->dev_id, parent,
					     &s1, &nested));
}

TEST_F(hwpt_inst, nested_ttbr_misaligned_einval)
{
	struct iommu_hwpt_mock_s1 s1 = mock_s1(self->f->s1_format, 1, 0x1001);
	uint32_t parent, nested;

	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev_id, self->ioas_id,
				IOMMU_HWPT_ALLOC_NEST_PARENT, &parent));
	EXPECT_EQ(-EINVAL, hwpt_alloc_nested(self->fd, self->dev_id, parent,
					     &s1, &nested));
	s1.ttbr = 0x1800;
	EXPECT_EQ(-EINVAL, hwpt_alloc_nested(self->fd, self->dev_id, parent,
					     &s1, &nested));
	s1.ttbr = 0x2000;
	EXPECT_EQ(0, hwpt_alloc_nested(self->fd, self->dev_id, parent, &s1,
				       &nested));
}

TEST_F(hwpt_inst, nested_asid_range)
{
	struct iommu_hwpt_mock_s1 s1;
	struct iommu_hw_info_mock hi;
	uint32_t parent, nested;

	ASSERT_EQ(0, hw_info(self->fd, self->dev_id, &hi));
	ASSERT_GT(32, hi.asid_bits);
	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev_id, self->ioas_id,
				IOMMU_HWPT_ALLOC_NEST_PARENT, &parent));
	s1 = mock_s1(self->f->s1_format, 1U << hi.asid_bits, 0x1000);
	EXPECT_EQ(-EINVAL, hwpt_alloc_nested(self->fd, self->dev_id, parent,
					     &s1, &nested));
	s1.asid = UINT32_MAX;
	EXPECT_EQ(-EINVAL, hwpt_alloc_nested(self->fd, self->dev_id, parent,
					     &s1, &nested));
	s1.asid = (1U << hi.asid_bits) - 1;
	EXPECT_EQ(0, hwpt_alloc_nested(self->fd, self->dev_id, parent, &s1,
				       &nested));
}

TEST_F(hwpt_inst, nested_short_data_einval)
{
	struct iommu_hwpt_mock_s1 s1 = mock_s1(self->f->s1_format, 1, 0x1000);
	uint32_t parent, nested;

	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev_id, self->ioas_id,
				IOMMU_HWPT_ALLOC_NEST_PARENT, &parent));
	EXPECT_EQ(-EINVAL, hwpt_alloc_data(self->fd, self->dev_id, parent, 0,
					   IOMMU_HWPT_DATA_MOCK_S1, &s1,
					   sizeof(s1) - 4, &nested));
	EXPECT_EQ(-EINVAL, hwpt_alloc_data(self->fd, self->dev_id, parent, 0,
					   IOMMU_HWPT_DATA_MOCK_S1, &s1, 8,
					   &nested));
	/* no data at all for a data type that needs some */
	EXPECT_EQ(-EINVAL, hwpt_alloc_data(self->fd, self->dev_id, parent, 0,
					   IOMMU_HWPT_DATA_MOCK_S1, NULL, 0,
					   &nested));
}

TEST_F(hwpt_inst, nested_s1_flags_reserved_eopnotsupp)
{
	struct iommu_hwpt_mock_s1 s1 = mock_s1(self->f->s1_format, 1, 0x1000);
	uint32_t parent, nested;

	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev_id, self->ioas_id,
				IOMMU_HWPT_ALLOC_NEST_PARENT, &parent));
	s1.flags = 1U << 1;
	EXPECT_EQ(-EOPNOTSUPP, hwpt_alloc_nested(self->fd, self->dev_id, parent,
						 &s1, &nested));
	s1.flags = IOMMU_MOCK_S1_BYPASS | (1U << 31);
	EXPECT_EQ(-EOPNOTSUPP, hwpt_alloc_nested(self->fd, self->dev_id, parent,
						 &s1, &nested));
	s1.flags = 0;
	s1.__reserved = 1;
	EXPECT_EQ(-EOPNOTSUPP, hwpt_alloc_nested(self->fd, self->dev_id, parent,
						 &s1, &nested));
}

TEST_F(hwpt_inst, nested_longer_data)
{
	struct {
		struct iommu_hwpt_mock_s1 s1;
		uint64_t tail;
	} d = { .s1 = mock_s1(self->f->s1_format, 1, 0x1000) };
	uint32_t parent, nested;

	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev_id, self->ioas_id,
				IOMMU_HWPT_ALLOC_NEST_PARENT, &parent));
	/*
	 * Driver data longer than the kernel's struct is EINVAL whatever the
	 * tail holds (upstream's iommu_copy_struct_from_user: data_len <
	 * src_data->len), unlike the E2BIG rule of the ioctl structs.
	 */
	EXPECT_EQ(-EINVAL, hwpt_alloc_data(self->fd, self->dev_id, parent, 0,
					   IOMMU_HWPT_DATA_MOCK_S1, &d,
					   sizeof(d), &nested));
	d.tail = 1;
	EXPECT_EQ(-EINVAL, hwpt_alloc_data(self->fd, self->dev_id, parent, 0,
					   IOMMU_HWPT_DATA_MOCK_S1, &d,
					   sizeof(d), &nested));
	/* the exact size works */
	EXPECT_EQ(0, hwpt_alloc_data(self->fd, self->dev_id, parent, 0,
				     IOMMU_HWPT_DATA_MOCK_S1, &d.s1,
				     sizeof(d.s1), &nested));
}

TEST_F(hwpt_inst, nested_on_non_parent_einval)
{
	struct iommu_hwpt_mock_s1 s1 = mock_s1(self->f->s1_format, 1, 0x1000);
	uint32_t paging, nested;

	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev_id, self->ioas_id, 0,
				&paging));
	EXPECT_EQ(-EINVAL, hwpt_alloc_nested(self->fd, self->dev_id, paging,
					     &s1, &nested));
	/* nor on an automatic HWPT, which is no nest parent either */
	ASSERT_EQ(0, mock_destroy(self->fd, paging));
	ASSERT_EQ(0, dev_attach(self->fd, self->dev_id, self->ioas_id, &paging));
	EXPECT_EQ(-EINVAL, hwpt_alloc_nested(self->fd, self->dev_id, paging,
					     &s1, &nested));
}

TEST_F(hwpt_inst, nested_on_nested_einval)
{
	struct iommu_hwpt_mock_s1 s1 = mock_s1(self->f->s1_format, 1, 0x1000);
	uint32_t parent, nested, nn;

	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev_id, self->ioas_id,
				IOMMU_HWPT_ALLOC_NEST_PARENT, &parent));
	ASSERT_EQ(0, hwpt_alloc_nested(self->fd, self->dev_id, parent, &s1,
				       &nested));
	EXPECT_EQ(-EINVAL, hwpt_alloc_nested(self->fd, self->dev_id, nested,
					     &s1, &nn));
	EXPECT_EQ(-EINVAL, hwpt_alloc(self->fd, self->dev_id, nested, 0, &nn));
}

/* Upstream 6.12: a nested HWPT without data is not supported */
TEST_F(hwpt_inst, nested_without_data_eopnotsupp)
{
	uint32_t parent, nested;

	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev_id, self->ioas_id,
				IOMMU_HWPT_ALLOC_NEST_PARENT, &parent));
	EXPECT_EQ(-EOPNOTSUPP, hwpt_alloc(self->fd, self->dev_id, parent, 0,
					  &nested));
}

TEST_F(hwpt_inst, nested_invalidate_counts)
{
	struct iommu_hwpt_mock_s1 s1 = mock_s1(self->f->s1_format, 9, 0x1000);
	struct iommu_mock_invalidate inv[3] = {
		{ .op = IOMMU_MOCK_INV_IOTLB_ALL, .id = 9 },
		{ .op = IOMMU_MOCK_INV_IOTLB_RANGE, .id = 9, .iova = 0x10000,
		  .length = 0x4000 },
		{ .op = IOMMU_MOCK_INV_IOTLB_RANGE, .id = 9, .iova = 0,
		  .length = MOCK_PAGE },
	};
	struct iommu_mock_object_info info;
	uint32_t parent, nested, num;

	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev_id, self->ioas_id,
				IOMMU_HWPT_ALLOC_NEST_PARENT, &parent));
	ASSERT_EQ(0, hwpt_alloc_nested(self->fd, self->dev_id, parent, &s1,
				       &nested));
	num = 1;
	ASSERT_EQ(0, mock_invalidate(self->fd, nested, inv, &num));
	EXPECT_EQ(1, num);
	ASSERT_EQ(0, mock_obj_info(self->fd, nested, &info));
	EXPECT_EQ(1, info.out_invalidations);
	num = 3;
	ASSERT_EQ(0, mock_invalidate(self->fd, nested, inv, &num));
	EXPECT_EQ(3, num);
	ASSERT_EQ(0, mock_obj_info(self->fd, nested, &info));
	EXPECT_EQ(4, info.out_invalidations);
}

/* ---- HWPT_ALLOC argument checks and format compatibility ------------------- */

FIXTURE(hwpt_args) {
	int fd;
	uint32_t ioas_id;
	uint32_t dev[MOCK_NUM_INSTANCES];
	uint8_t *buf;
};

FIXTURE_SETUP(hwpt_args)
{
	unsigned int i;

	self->fd = mock_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ioas_alloc(self->fd, &self->ioas_id));
	for (i = 0; i < MOCK_NUM_INSTANCES; i++) {
		ASSERT_EQ(0, dev_alloc(self->fd, i, SID_BASE + 8, &self->dev[i]));
	}
	self->buf = mock_pages(BUF_PAGES, 0);
	ASSERT_NE(MAP_FAILED, self->buf);
}

FIXTURE_TEARDOWN(hwpt_args)
{
	if (self->buf && self->buf != MAP_FAILED)
		munmap(self->buf, BUF_PAGES * MOCK_PAGE);
	if (self->fd >= 0)
		close(self->fd);
}

static int hwpt_alloc_cmd(int fd, struct iommu_hwpt_alloc *cmd)
{
	return mock_ioctl(fd, IOMMU_HWPT_ALLOC, cmd);
}

TEST_F(hwpt_args, refused_flags_eopnotsupp)
{
	const uint32_t bad[] = {
		IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
		IOMMU_HWPT_FAULT_ID_VALID,
		IOMMU_HWPT_ALLOC_PASID,
		1U << 4,
		1U << 31,
		IOMMU_HWPT_ALLOC_NEST_PARENT | IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
	};
	struct iommu_mock_object_info info;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct iommu_hwpt_alloc cmd = {
			.size = sizeof(cmd),
			.flags = bad[i],
			.dev_id = self->dev[0],
			.pt_id = self->ioas_id,
		};

		EXPECT_EQ(-EOPNOTSUPP, hwpt_alloc_cmd(self->fd, &cmd))
			TH_LOG("flags 0x%x", bad[i]);
	}
	/* nothing was created */
	ASSERT_EQ(0, mock_obj_info(self->fd, self->ioas_id, &info));
	EXPECT_EQ(0, info.out_users);
}

TEST_F(hwpt_args, reserved_eopnotsupp)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.dev_id = self->dev[0],
		.pt_id = self->ioas_id,
		.__reserved = 1,
	};

	EXPECT_EQ(-EOPNOTSUPP, hwpt_alloc_cmd(self->fd, &cmd));
	cmd.__reserved = 0;
	cmd.__reserved2 = 1;
	EXPECT_EQ(-EOPNOTSUPP, hwpt_alloc_cmd(self->fd, &cmd));
	cmd.__reserved2 = 0;
	EXPECT_EQ(0, hwpt_alloc_cmd(self->fd, &cmd));
}

TEST_F(hwpt_args, data_on_ioas_eopnotsupp)
{
	struct iommu_hwpt_mock_s1 s1 = mock_s1(IOMMU_MOCK_S1_FORMAT_ARM_LPAE, 1,
					       0x1000);
	uint8_t blob[64] = { 0 };
	uint32_t hwpt;

	EXPECT_EQ(-EOPNOTSUPP, hwpt_alloc_data(self->fd, self->dev[0],
					       self->ioas_id, 0,
					       IOMMU_HWPT_DATA_MOCK_S1, &s1,
					       sizeof(s1), &hwpt));
	EXPECT_EQ(-EOPNOTSUPP, hwpt_alloc_data(self->fd, self->dev[0],
					       self->ioas_id,
					       IOMMU_HWPT_ALLOC_NEST_PARENT,
					       IOMMU_HWPT_DATA_MOCK_S1, &s1,
					       sizeof(s1), &hwpt));
	EXPECT_EQ(-EOPNOTSUPP, hwpt_alloc_data(self->fd, self->dev[0],
					       self->ioas_id, 0,
					       IOMMU_HWPT_DATA_ARM_SMMUV3, blob,
					       sizeof(blob), &hwpt));
}

TEST_F(hwpt_args, nested_foreign_data_type_eopnotsupp)
{
	uint8_t blob[64] = { 0 };
	uint32_t parent, nested;

	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev[0], self->ioas_id,
				IOMMU_HWPT_ALLOC_NEST_PARENT, &parent));
	EXPECT_EQ(-EOPNOTSUPP, hwpt_alloc_data(self->fd, self->dev[0], parent, 0,
					       IOMMU_HWPT_DATA_VTD_S1, blob,
					       sizeof(blob), &nested));
	EXPECT_EQ(-EOPNOTSUPP, hwpt_alloc_data(self->fd, self->dev[0], parent, 0,
					       IOMMU_HWPT_DATA_ARM_SMMUV3, blob,
					       sizeof(blob), &nested));
	EXPECT_EQ(-EOPNOTSUPP, hwpt_alloc_data(self->fd, self->dev[0], parent, 0,
					       0x1234, blob, sizeof(blob),
					       &nested));
}

TEST_F(hwpt_args, bad_ids)
{
	uint32_t hwpt;

	/* a pt_id that names nothing is EINVAL (upstream's HWPT_ALLOC) */
	EXPECT_EQ(-EINVAL, hwpt_alloc(self->fd, self->dev[0], 0xfffffff0, 0,
				      &hwpt));
	EXPECT_EQ(-ENOENT, hwpt_alloc(self->fd, 0xfffffff0, self->ioas_id, 0,
				      &hwpt));
	EXPECT_EQ(-ENOENT, hwpt_alloc(self->fd, 0, self->ioas_id, 0, &hwpt));
	/* pt_id a device: EINVAL; dev_id an IOAS: not found, as upstream */
	EXPECT_EQ(-EINVAL, hwpt_alloc(self->fd, self->dev[0], self->dev[1], 0,
				      &hwpt));
	EXPECT_EQ(-ENOENT, hwpt_alloc(self->fd, self->ioas_id, self->ioas_id, 0,
				      &hwpt));
}

TEST_F(hwpt_args, old_struct_size)
{
	/* upstream's first iommu_hwpt_alloc ended at __reserved (24 bytes) */
	struct iommu_hwpt_alloc cmd = {
		.size = offsetof(struct iommu_hwpt_alloc, data_type),
		.dev_id = self->dev[0],
		.pt_id = self->ioas_id,
		/* beyond the given size: must be ignored */
		.data_type = 0x1234,
		.data_len = 8,
		.__reserved2 = 1,
	};
	struct iommu_mock_object_info info;

	ASSERT_EQ(0, hwpt_alloc_cmd(self->fd, &cmd));
	ASSERT_EQ(0, mock_obj_info(self->fd, cmd.out_hwpt_id, &info));
	EXPECT_EQ(IOMMU_MOCK_OBJ_HWPT_PAGING, info.out_type);
}

TEST_F(hwpt_args, x86_device_cannot_attach_arm_hwpt)
{
	uint32_t arm, arm_parent, out;

	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev[0], self->ioas_id, 0, &arm));
	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev[0], self->ioas_id,
				IOMMU_HWPT_ALLOC_NEST_PARENT, &arm_parent));
	EXPECT_EQ(-EINVAL, dev_attach(self->fd, self->dev[1], arm, &out));
	EXPECT_EQ(-EINVAL, dev_attach(self->fd, self->dev[1], arm_parent, &out));
}

TEST_F(hwpt_args, arm_device_cannot_attach_x86_hwpt)
{
	uint32_t x86, out;

	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev[1], self->ioas_id, 0, &x86));
	EXPECT_EQ(-EINVAL, dev_attach(self->fd, self->dev[0], x86, &out));
	EXPECT_EQ(-EINVAL, dev_attach(self->fd, self->dev[2], x86, &out));
}

TEST_F(hwpt_args, x86_device_cannot_nest_on_arm_parent)
{
	struct iommu_hwpt_mock_s1 x86 = mock_s1(IOMMU_MOCK_S1_FORMAT_X86_FL, 1,
						0x1000);
	struct iommu_hwpt_mock_s1 arm = mock_s1(IOMMU_MOCK_S1_FORMAT_ARM_LPAE, 1,
						0x1000);
	uint32_t parent, nested, out;

	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev[0], self->ioas_id,
				IOMMU_HWPT_ALLOC_NEST_PARENT, &parent));
	EXPECT_EQ(-EINVAL, hwpt_alloc_nested(self->fd, self->dev[1], parent,
					     &x86, &nested));
	EXPECT_EQ(-EINVAL, hwpt_alloc_nested(self->fd, self->dev[1], parent,
					     &arm, &nested));
	/* nor attach to a nested HWPT made for an ARM device */
	ASSERT_EQ(0, hwpt_alloc_nested(self->fd, self->dev[0], parent, &arm,
				       &nested));
	EXPECT_EQ(-EINVAL, dev_attach(self->fd, self->dev[1], nested, &out));
}

TEST_F(hwpt_args, arm_device_cannot_nest_on_x86_parent)
{
	struct iommu_hwpt_mock_s1 arm = mock_s1(IOMMU_MOCK_S1_FORMAT_ARM_LPAE, 1,
						0x1000);
	uint32_t parent, nested;

	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev[1], self->ioas_id,
				IOMMU_HWPT_ALLOC_NEST_PARENT, &parent));
	EXPECT_EQ(-EINVAL, hwpt_alloc_nested(self->fd, self->dev[0], parent,
					     &arm, &nested));
}

TEST_F(hwpt_args, arm_instances_share_hwpt)
{
	struct iommu_hwpt_mock_s1 arm = mock_s1(IOMMU_MOCK_S1_FORMAT_ARM_LPAE, 4,
						0x1000);
	uint32_t hwpt, parent, nested, out;
	uint8_t a = 0xa0, b = 0xb0;

	/*
	 * Same format: a HWPT made for instance 2 (44-bit aperture) serves
	 * instance 0 (48-bit) too, since it only reaches IOVA both translate.
	 */
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    MOCK_PAGE, DMA_IOVA));
	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev[2], self->ioas_id, 0, &hwpt));
	ASSERT_EQ(0, dev_attach(self->fd, self->dev[2], hwpt, &out));
	ASSERT_EQ(0, dev_attach(self->fd, self->dev[0], hwpt, &out));
	EXPECT_EQ(hwpt, out);
	ASSERT_EQ(0, dma_write(self->fd, self->dev[0], DMA_IOVA, &a, 1));
	ASSERT_EQ(0, dma_write(self->fd, self->dev[2], DMA_IOVA + 1, &b, 1));
	EXPECT_EQ(0xa0, self->buf[0]);
	EXPECT_EQ(0xb0, self->buf[1]);
	/* and a nest parent made for instance 2 serves instance 0 */
	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev[2], self->ioas_id,
				IOMMU_HWPT_ALLOC_NEST_PARENT, &parent));
	ASSERT_EQ(0, hwpt_alloc_nested(self->fd, self->dev[0], parent, &arm,
				       &nested));
	EXPECT_EQ(0, dev_replace(self->fd, self->dev[2], nested, &out));
	EXPECT_EQ(nested, out);
}

TEST_F(hwpt_args, wider_aperture_hwpt_refused)
{
	struct iommu_hwpt_mock_s1 arm = mock_s1(IOMMU_MOCK_S1_FORMAT_ARM_LPAE, 4,
						0x1000);
	uint32_t hwpt, parent, nested, out, v;
	struct iommu_mock_object_info info;

	/*
	 * Instance 0's HWPTs translate 48 bits: an instance-2 device (44-bit)
	 * must not reach IOVA beyond its own aperture through them, directly,
	 * as a stage 2 under a nested HWPT, or under a vIOMMU.
	 */
	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev[0], self->ioas_id, 0, &hwpt));
	EXPECT_EQ(-EINVAL, dev_attach(self->fd, self->dev[2], hwpt, &out));
	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev[0], self->ioas_id,
				IOMMU_HWPT_ALLOC_NEST_PARENT, &parent));
	EXPECT_EQ(-EINVAL, dev_attach(self->fd, self->dev[2], parent, &out));
	EXPECT_EQ(-EINVAL, hwpt_alloc_nested(self->fd, self->dev[2], parent,
					     &arm, &nested));
	ASSERT_EQ(0, hwpt_alloc_nested(self->fd, self->dev[0], parent, &arm,
				       &nested));
	EXPECT_EQ(-EINVAL, dev_attach(self->fd, self->dev[2], nested, &out));
	EXPECT_EQ(-EINVAL, viommu_alloc(self->fd, self->dev[2], parent,
					IOMMU_VIOMMU_TYPE_MOCK, &v));
	ASSERT_EQ(0, mock_obj_info(self->fd, self->dev[2], &info));
	EXPECT_EQ(0, info.out_parent_id);
}

TEST_F(hwpt_args, auto_hwpt_not_shared_beyond_aperture)
{
	const uint64_t high = 1ULL << 45;	/* inside 48 bits, not 44 */
	uint32_t h0, h2;
	uint8_t b = 0x5a;

	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    MOCK_PAGE, DMA_IOVA));
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf + MOCK_PAGE,
				    MOCK_PAGE, high));
	ASSERT_EQ(0, dev_attach(self->fd, self->dev[0], self->ioas_id, &h0));
	/* instance 0's 48-bit automatic HWPT is no choice for instance 2 */
	EXPECT_EQ(-EADDRINUSE, dev_attach(self->fd, self->dev[2],
					  self->ioas_id, &h2));
	EXPECT_NE(0, dma_write(self->fd, self->dev[2], high, &b, 1));
	EXPECT_EQ(0, self->buf[MOCK_PAGE]);

	/* once nothing is mapped above 44 bits, it gets one of its own */
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, high, MOCK_PAGE, NULL));
	ASSERT_EQ(0, dev_attach(self->fd, self->dev[2], self->ioas_id, &h2));
	EXPECT_NE(h0, h2);
	EXPECT_EQ(-EINVAL, ioas_map_fixed(self->fd, self->ioas_id,
					  self->buf + MOCK_PAGE, MOCK_PAGE, high));
	ASSERT_EQ(0, dma_write(self->fd, self->dev[2], DMA_IOVA, &b, 1));
	EXPECT_EQ(0x5a, self->buf[0]);
}

TEST_F(hwpt_args, auto_hwpt_narrower_aperture_reused)
{
	uint32_t h0, h2;

	/* the other way round, instance 2's automatic HWPT serves instance 0 */
	ASSERT_EQ(0, dev_attach(self->fd, self->dev[2], self->ioas_id, &h2));
	ASSERT_EQ(0, dev_attach(self->fd, self->dev[0], self->ioas_id, &h0));
	EXPECT_EQ(h2, h0);
}

TEST_F(hwpt_args, apertures_intersect)
{
	uint32_t h0, h1, h2;

	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev[0], self->ioas_id, 0, &h0));
	EXPECT_ONE_RANGE(self->fd, self->ioas_id, MOCK_APERTURE_LAST_0);
	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev[2], self->ioas_id, 0, &h2));
	EXPECT_ONE_RANGE(self->fd, self->ioas_id, MOCK_APERTURE_LAST_2);
	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev[1], self->ioas_id, 0, &h1));
	EXPECT_ONE_RANGE(self->fd, self->ioas_id, MOCK_APERTURE_LAST_1);
	ASSERT_EQ(0, mock_destroy(self->fd, h1));
	EXPECT_ONE_RANGE(self->fd, self->ioas_id, MOCK_APERTURE_LAST_2);
	ASSERT_EQ(0, mock_destroy(self->fd, h2));
	EXPECT_ONE_RANGE(self->fd, self->ioas_id, MOCK_APERTURE_LAST_0);
	ASSERT_EQ(0, mock_destroy(self->fd, h0));
	EXPECT_ONE_RANGE(self->fd, self->ioas_id, UINT64_MAX);
}

TEST_F(hwpt_args, no_hole_enospc)
{
	const uint64_t len = 1ULL << 40;
	uint64_t iova;
	uint32_t hwpt;
	void *va;

	/*
	 * 1 TiB of address space that is never touched: the 39-bit aperture
	 * of instance 1 has no hole that large, so the kernel-chosen IOVA
	 * fails before any page is pinned.
	 */
	va = mmap(NULL, len, PROT_NONE,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	ASSERT_NE(MAP_FAILED, va);
	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev[1], self->ioas_id, 0, &hwpt));
	EXPECT_EQ(-ENOSPC, ioas_map_any(self->fd, self->ioas_id, va, len,
					&iova));
	/* a FIXED map of it is simply outside the aperture */
	EXPECT_EQ(-EINVAL, ioas_map_fixed(self->fd, self->ioas_id, va, len, 0));
	munmap(va, len);
}

/* ---- IOMMU_HWPT_INVALIDATE on a nested HWPT -------------------------------- */

#define INV_ASID 0x42

FIXTURE(hwpt_inv) {
	int fd;
	uint32_t ioas_id;
	uint32_t dev_id;
	uint32_t parent;
	uint32_t nested;
};

FIXTURE_SETUP(hwpt_inv)
{
	struct iommu_hwpt_mock_s1 s1 = mock_s1(IOMMU_MOCK_S1_FORMAT_ARM_LPAE,
					       INV_ASID, 0x8000);

	self->fd = mock_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ioas_alloc(self->fd, &self->ioas_id));
	ASSERT_EQ(0, dev_alloc(self->fd, 0, SID_BASE + 16, &self->dev_id));
	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev_id, self->ioas_id,
				IOMMU_HWPT_ALLOC_NEST_PARENT, &self->parent));
	ASSERT_EQ(0, hwpt_alloc_nested(self->fd, self->dev_id, self->parent,
				       &s1, &self->nested));
}

FIXTURE_TEARDOWN(hwpt_inv)
{
	if (self->fd >= 0)
		close(self->fd);
}

static uint64_t inv_count(int fd, uint32_t id)
{
	struct iommu_mock_object_info info;

	if (mock_obj_info(fd, id, &info))
		return UINT64_MAX;
	return info.out_invalidations;
}

static const struct iommu_mock_invalidate inv_all = {
	.op = IOMMU_MOCK_INV_IOTLB_ALL,
	.id = INV_ASID,
};

TEST_F(hwpt_inv, entry_num_zero_probe)
{
	uint32_t num = 0;

	EXPECT_EQ(0, hwpt_invalidate(self->fd, self->nested,
				     IOMMU_HWPT_INVALIDATE_DATA_MOCK, NULL,
				     sizeof(struct iommu_mock_invalidate), &num));
	EXPECT_EQ(0, num);
	EXPECT_EQ(0, inv_count(self->fd, self->nested));
}

TEST_F(hwpt_inv, wrong_data_type_einval)
{
	uint32_t num = 0;

	EXPECT_EQ(-EINVAL, hwpt_invalidate(self->fd, self->nested,
					   IOMMU_HWPT_INVALIDATE_DATA_VTD_S1,
					   NULL, sizeof(inv_all), &num));
	num = 1;
	EXPECT_EQ(-EINVAL, hwpt_invalidate(self->fd, self->nested,
					   IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3,
					   &inv_all, sizeof(inv_all), &num));
	EXPECT_EQ(0, num);
	num = 1;
	EXPECT_EQ(-EINVAL, hwpt_invalidate(self->fd, self->nested, 0x1234,
					   &inv_all, sizeof(inv_all), &num));
	EXPECT_EQ(0, num);
	EXPECT_EQ(0, inv_count(self->fd, self->nested));
}

TEST_F(hwpt_inv, short_entry_len_einval)
{
	uint32_t num = 1;

	EXPECT_EQ(-EINVAL, hwpt_invalidate(self->fd, self->nested,
					   IOMMU_HWPT_INVALIDATE_DATA_MOCK,
					   &inv_all, sizeof(inv_all) - 8, &num));
	EXPECT_EQ(0, num);
	num = 1;
	EXPECT_EQ(-EINVAL, hwpt_invalidate(self->fd, self->nested,
					   IOMMU_HWPT_INVALIDATE_DATA_MOCK,
					   &inv_all, 0, &num));
	EXPECT_EQ(0, num);
	EXPECT_EQ(0, inv_count(self->fd, self->nested));
}

struct long_inv {
	struct iommu_mock_invalidate inv;
	uint64_t tail[2];
};

/*
 * Entries longer than the kernel's struct are EINVAL, zero tail or not
 * (upstream's iommu_copy_struct_from_user_array), at the first entry.
 */
TEST_F(hwpt_inv, long_entry_einval)
{
	struct iommu_mock_invalidate exact[2];
	struct long_inv e[2] = {
		{ .inv = inv_all },
		{ .inv = { .op = IOMMU_MOCK_INV_IOTLB_RANGE, .id = INV_ASID,
			   .iova = 0x4000, .length = 0x2000 } },
	};
	uint32_t num = 2;

	EXPECT_EQ(-EINVAL, hwpt_invalidate(self->fd, self->nested,
					   IOMMU_HWPT_INVALIDATE_DATA_MOCK, e,
					   sizeof(e[0]), &num));
	EXPECT_EQ(0, num);
	EXPECT_EQ(0, inv_count(self->fd, self->nested));
	e[1].tail[1] = 1;
	num = 2;
	EXPECT_EQ(-EINVAL, hwpt_invalidate(self->fd, self->nested,
					   IOMMU_HWPT_INVALIDATE_DATA_MOCK, e,
					   sizeof(e[0]), &num));
	EXPECT_EQ(0, num);
	EXPECT_EQ(0, inv_count(self->fd, self->nested));
	/* the same entries at the kernel's size are fine */
	exact[0] = e[0].inv;
	exact[1] = e[1].inv;
	num = 2;
	EXPECT_EQ(0, hwpt_invalidate(self->fd, self->nested,
				     IOMMU_HWPT_INVALIDATE_DATA_MOCK, exact,
				     sizeof(exact[0]), &num));
	EXPECT_EQ(2, num);
	EXPECT_EQ(2, inv_count(self->fd, self->nested));
}



TEST_F(hwpt_inv, failure_reports_entries_done)
{
	struct iommu_mock_invalidate e[4] = {
		inv_all,
		{ .op = IOMMU_MOCK_INV_IOTLB_RANGE, .id = INV_ASID,
		  .iova = 0, .length = MOCK_PAGE },
		{ .op = IOMMU_MOCK_INV_IOTLB_ALL, .id = INV_ASID + 1 },
		inv_all,
	};
	uint32_t num = 4;

	EXPECT_EQ(-EINVAL, mock_invalidate(self->fd, self->nested, e, &num));
	EXPECT_EQ(2, num);
	EXPECT_EQ(2, inv_count(self->fd, self->nested));
	/* failing at the first entry handles none */
	num = 2;
	EXPECT_EQ(-EINVAL, mock_invalidate(self->fd, self->nested, &e[2], &num));
	EXPECT_EQ(0, num);
	EXPECT_EQ(2, inv_count(self->fd, self->nested));
}

TEST_F(hwpt_inv, asid_mismatch_einval)
{
	struct iommu_mock_invalidate e = {
		.op = IOMMU_MOCK_INV_IOTLB_RANGE,
		.id = INV_ASID + 1,
		.iova = 0,
		.length = MOCK_PAGE,
	};
	uint32_t num = 1;

	EXPECT_EQ(-EINVAL, mock_invalidate(self->fd, self->nested, &e, &num));
	EXPECT_EQ(0, num);
	e.op = IOMMU_MOCK_INV_IOTLB_ALL;
	e.id = 0;
	num = 1;
	EXPECT_EQ(-EINVAL, mock_invalidate(self->fd, self->nested, &e, &num));
	EXPECT_EQ(0, num);
}

TEST_F(hwpt_inv, dev_cache_on_hwpt_einval)
{
	struct iommu_mock_invalidate e = {
		.op = IOMMU_MOCK_INV_DEV_CACHE,
		.id = 0,
	};
	uint32_t num = 1;

	EXPECT_EQ(-EINVAL, mock_invalidate(self->fd, self->nested, &e, &num));
	EXPECT_EQ(0, num);
	EXPECT_EQ(0, inv_count(self->fd, self->nested));
}

TEST_F(hwpt_inv, bad_range_einval)
{
	struct iommu_mock_invalidate e = {
		.op = IOMMU_MOCK_INV_IOTLB_RANGE,
		.id = INV_ASID,
		.iova = 0x1001,
		.length = MOCK_PAGE,
	};
	uint32_t num = 1;

	EXPECT_EQ(-EINVAL, mock_invalidate(self->fd, self->nested, &e, &num));
	e.iova = 0x1000;
	e.length = 0x1800;
	num = 1;
	EXPECT_EQ(-EINVAL, mock_invalidate(self->fd, self->nested, &e, &num));
	e.length = 0;
	num = 1;
	EXPECT_EQ(-EINVAL, mock_invalidate(self->fd, self->nested, &e, &num));
	EXPECT_EQ(0, inv_count(self->fd, self->nested));
}

TEST_F(hwpt_inv, unknown_op_einval)
{
	struct iommu_mock_invalidate e = { .op = 0, .id = INV_ASID };
	uint32_t num = 1;

	EXPECT_EQ(-EINVAL, mock_invalidate(self->fd, self->nested, &e, &num));
	e.op = 99;
	num = 1;
	EXPECT_EQ(-EINVAL, mock_invalidate(self->fd, self->nested, &e, &num));
	EXPECT_EQ(0, num);
}

TEST_F(hwpt_inv, entry_flags_reserved_eopnotsupp)
{
	struct iommu_mock_invalidate e = inv_all;
	uint32_t num = 1;

	e.flags = 1;
	EXPECT_EQ(-EOPNOTSUPP, mock_invalidate(self->fd, self->nested, &e, &num));
	EXPECT_EQ(0, num);
	e.flags = 0;
	e.__reserved = 1;
	num = 1;
	EXPECT_EQ(-EOPNOTSUPP, mock_invalidate(self->fd, self->nested, &e, &num));
	EXPECT_EQ(0, num);
	EXPECT_EQ(0, inv_count(self->fd, self->nested));
}

TEST_F(hwpt_inv, cmd_reserved_eopnotsupp)
{
	struct iommu_hwpt_invalidate cmd = {
		.size = sizeof(cmd),
		.hwpt_id = self->nested,
		.data_uptr = U64_PTR(&inv_all),
		.data_type = IOMMU_HWPT_INVALIDATE_DATA_MOCK,
		.entry_len = sizeof(inv_all),
		.entry_num = 1,
		.__reserved = 1,
	};

	EXPECT_EQ(-EOPNOTSUPP, mock_ioctl(self->fd, IOMMU_HWPT_INVALIDATE, &cmd));
	/* as upstream, entry_num is written back: nothing handled */
	EXPECT_EQ(0, cmd.entry_num);
	EXPECT_EQ(0, inv_count(self->fd, self->nested));
}

/*
 * Upstream 6.12 looks up a nested HWPT (or, from 6.13, a vIOMMU): any other
 * object is not found. entry_num is written back (0) on each failure.
 */
TEST_F(hwpt_inv, not_nested_enoent)
{
	uint32_t paging, num = 1;

	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev_id, self->ioas_id, 0,
				&paging));
	EXPECT_EQ(-ENOENT, mock_invalidate(self->fd, paging, &inv_all, &num));
	EXPECT_EQ(0, num);
	num = 1;
	EXPECT_EQ(-ENOENT, mock_invalidate(self->fd, self->parent, &inv_all,
					   &num));
	EXPECT_EQ(0, num);
	num = 1;
	EXPECT_EQ(-ENOENT, mock_invalidate(self->fd, self->ioas_id, &inv_all,
					   &num));
	EXPECT_EQ(0, num);
	num = 1;
	EXPECT_EQ(-ENOENT, mock_invalidate(self->fd, self->dev_id, &inv_all,
					   &num));
	EXPECT_EQ(0, num);
	num = 1;
	EXPECT_EQ(-ENOENT, mock_invalidate(self->fd, 0xfffffff0, &inv_all,
					   &num));
	EXPECT_EQ(0, num);
	EXPECT_EQ(0, inv_count(self->fd, self->nested));
}

/*
 * The command struct in a page made read-only once filled: the kernel reads
 * it but cannot write entry_num back, which upstream reports as EFAULT
 * whatever else went wrong.
 */
static int ro_invalidate(int fd, uint32_t id, const void *entries,
			 uint32_t num)
{
	struct iommu_hwpt_invalidate *cmd;
	int rc;

	cmd = mmap(NULL, MOCK_PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (cmd == MAP_FAILED)
		return -ENOMEM;
	memset(cmd, 0, sizeof(*cmd));
	cmd->size = sizeof(*cmd);
	cmd->hwpt_id = id;
	cmd->data_uptr = U64_PTR(entries);
	cmd->data_type = IOMMU_HWPT_INVALIDATE_DATA_MOCK;
	cmd->entry_len = sizeof(struct iommu_mock_invalidate);
	cmd->entry_num = num;
	rc = mprotect(cmd, MOCK_PAGE, PROT_READ) ? -errno :
	     mock_ioctl(fd, IOMMU_HWPT_INVALIDATE, cmd);
	munmap(cmd, MOCK_PAGE);
	return rc;
}

TEST_F(hwpt_inv, reply_efault_wins)
{
	const struct iommu_mock_invalidate bad = { .op = 0, .id = INV_ASID };

	/* the entries were handled, only the reply failed */
	EXPECT_EQ(-EFAULT, ro_invalidate(self->fd, self->nested, &inv_all, 1));
	EXPECT_EQ(1, inv_count(self->fd, self->nested));
	/* and EFAULT, not the error of the command itself */
	EXPECT_EQ(-EFAULT, ro_invalidate(self->fd, self->nested, &bad, 1));
	EXPECT_EQ(-EFAULT, ro_invalidate(self->fd, 0xfffffff0, &inv_all, 1));
	EXPECT_EQ(-EFAULT, ro_invalidate(self->fd, self->parent, &inv_all, 1));
	EXPECT_EQ(-EFAULT, ro_invalidate(self->fd, self->nested, NULL, 1));
	EXPECT_EQ(1, inv_count(self->fd, self->nested));
}

TEST_F(hwpt_inv, long_array_stops_on_fatal_signal)
{
	EXPECT_KILLED_INVALIDATE(self->fd, self->nested, &inv_all);
	/* the entries handled before the signal were counted */
	EXPECT_LT(0, inv_count(self->fd, self->nested));
}

TEST_F(hwpt_inv, bad_pointer_efault)
{
	uint32_t num = 1;

	EXPECT_EQ(-EFAULT, mock_invalidate(self->fd, self->nested,
					   (void *)(uintptr_t)8, &num));
	EXPECT_EQ(0, num);
	EXPECT_EQ(0, inv_count(self->fd, self->nested));
}

TEST_HARNESS_MAIN
