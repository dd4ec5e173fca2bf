// SPDX-License-Identifier: GPL-2.0
/*
 * vIOMMUs and vDEVICEs: VIOMMU_ALLOC (MOCK and DEFAULT types, seed 000),
 * nested HWPTs on a vIOMMU, VDEVICE_ALLOC (virtual stream IDs, seed 002) and
 * IOMMU_HWPT_INVALIDATE on a vIOMMU.
 */
#define _GNU_SOURCE
#include <stdint.h>

#include "mock_helpers.h"

/* stream IDs of this file: 0x40-0x5f on each instance */
#define SID_BASE 0x40

#define BUF_PAGES 4
#define DMA_IOVA 0x100000ULL

/* ---- on an ARM-like instance ------------------------------------------------- */

FIXTURE(viommu) {
	int fd;
	uint32_t ioas_id;
	uint32_t dev_id;	/* instance under test */
	uint32_t dev2_id;	/* same instance */
	uint32_t other_id;	/* the other ARM-like instance */
	uint32_t x86_id;	/* instance 1 */
	uint32_t parent;
	uint32_t viommu;
	uint8_t *buf;
};

FIXTURE_VARIANT(viommu) {
	uint32_t inst;
	uint32_t other;
};

FIXTURE_VARIANT_ADD(viommu, arm_inst0) { .inst = 0, .other = 2 };
FIXTURE_VARIANT_ADD(viommu, arm_inst2) { .inst = 2, .other = 0 };

FIXTURE_SETUP(viommu)
{
	self->fd = mock_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ioas_alloc(self->fd, &self->ioas_id));
	ASSERT_EQ(0, dev_alloc(self->fd, variant->inst, SID_BASE + 1,
			       &self->dev_id));
	ASSERT_EQ(0, dev_alloc(self->fd, variant->inst, SID_BASE + 2,
			       &self->dev2_id));
	ASSERT_EQ(0, dev_alloc(self->fd, variant->other, SID_BASE + 3,
			       &self->other_id));
	ASSERT_EQ(0, dev_alloc(self->fd, 1, SID_BASE + 4, &self->x86_id));
	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev_id, self->ioas_id,
				IOMMU_HWPT_ALLOC_NEST_PARENT, &self->parent));
	ASSERT_EQ(0, viommu_alloc(self->fd, self->dev_id, self->parent,
				  IOMMU_VIOMMU_TYPE_MOCK, &self->viommu));
	self->buf = mock_pages(BUF_PAGES, 0);
	ASSERT_NE(MAP_FAILED, self->buf);
}

FIXTURE_TEARDOWN(viommu)
{
	if (self->buf && self->buf != MAP_FAILED)
		munmap(self->buf, BUF_PAGES * MOCK_PAGE);
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

TEST_F(viommu, alloc_info)
{
	struct iommu_mock_object_info info;

	EXPECT_LE(1, self->viommu);
	ASSERT_EQ(0, mock_obj_info(self->fd, self->viommu, &info));
	EXPECT_EQ(IOMMU_MOCK_OBJ_VIOMMU, info.out_type);
	EXPECT_EQ(self->parent, info.out_parent_id);
	EXPECT_EQ(variant->inst, info.out_instance_id);
	EXPECT_EQ(IOMMU_VIOMMU_TYPE_MOCK, info.out_virt_id);
	EXPECT_EQ(0, info.out_users);
	EXPECT_EQ(0, info.out_invalidations);
	ASSERT_EQ(0, mock_obj_info(self->fd, self->parent, &info));
	EXPECT_EQ(1, info.out_users);
	EXPECT_EQ(-EBUSY, mock_destroy(self->fd, self->parent));
}

TEST_F(viommu, nested_on_viommu)
{
	struct iommu_hwpt_mock_s1 s1 = mock_s1(IOMMU_MOCK_S1_FORMAT_ARM_LPAE, 5,
					       0x4000);
	const struct mock_inst_facts *f = &mock_facts[variant->inst];
	struct iommu_mock_object_info info;
	uint32_t nested, out;
	uint8_t data[40];

	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    MOCK_PAGE, DMA_IOVA));
	ASSERT_EQ(0, hwpt_alloc_nested(self->fd, self->dev_id, self->viommu,
				       &s1, &nested));
	ASSERT_EQ(0, mock_obj_info(self->fd, nested, &info));
	EXPECT_EQ(IOMMU_MOCK_OBJ_HWPT_NESTED, info.out_type);
	EXPECT_EQ(self->viommu, info.out_parent_id);
	EXPECT_EQ(variant->inst, info.out_instance_id);
	EXPECT_EQ(5, info.out_asid);
	EXPECT_EQ(0x4000, info.out_ttbr);
	ASSERT_EQ(0, mock_obj_info(self->fd, self->viommu, &info));
	EXPECT_EQ(1, info.out_users);

	ASSERT_EQ(0, dev_attach(self->fd, self->dev_id, nested, &out));
	EXPECT_EQ(nested, out);
	/* only the SW_MSI window is taken from the S2 IOAS */
	EXPECT_RANGES(self->fd, self->ioas_id, f->ranges_nested,
		      f->nranges_nested);
	fill_pattern(data, sizeof(data), 21);
	ASSERT_EQ(0, dma_write(self->fd, self->dev_id, DMA_IOVA + 8, data,
			       sizeof(data)));
	EXPECT_EQ(0, memcmp(self->buf + 8, data, sizeof(data)));
	/* a second device of the instance shares it */
	EXPECT_EQ(0, dev_attach(self->fd, self->dev2_id, nested, &out));
	EXPECT_EQ(-EBUSY, mock_destroy(self->fd, self->viommu));
}

TEST_F(viommu, nested_other_instance_einval)
{
	struct iommu_hwpt_mock_s1 s1 = mock_s1(IOMMU_MOCK_S1_FORMAT_ARM_LPAE, 5,
					       0x4000);
	struct iommu_hwpt_mock_s1 x86 = mock_s1(IOMMU_MOCK_S1_FORMAT_X86_FL, 5,
						0x4000);
	uint32_t nested;

	/* same format, but another physical IOMMU than the vIOMMU's */
	EXPECT_EQ(-EINVAL, hwpt_alloc_nested(self->fd, self->other_id,
					     self->viommu, &s1, &nested));
	EXPECT_EQ(-EINVAL, hwpt_alloc_nested(self->fd, self->x86_id,
					     self->viommu, &x86, &nested));
	EXPECT_EQ(-EINVAL, hwpt_alloc_nested(self->fd, self->x86_id,
					     self->viommu, &s1, &nested));
}

TEST_F(viommu, attach_other_instance_to_viommu_nested_einval)
{
	struct iommu_hwpt_mock_s1 s1 = mock_s1(IOMMU_MOCK_S1_FORMAT_ARM_LPAE, 6,
					       0x4000);
	struct iommu_mock_object_info info;
	uint32_t nested, out;

	ASSERT_EQ(0, hwpt_alloc_nested(self->fd, self->dev_id, self->viommu,
				       &s1, &nested));
	EXPECT_EQ(-EINVAL, dev_attach(self->fd, self->other_id, nested, &out));
	EXPECT_EQ(-EINVAL, dev_attach(self->fd, self->x86_id, nested, &out));
	ASSERT_EQ(0, mock_obj_info(self->fd, self->other_id, &info));
	EXPECT_EQ(0, info.out_parent_id);
	EXPECT_EQ(0, dev_attach(self->fd, self->dev2_id, nested, &out));
}

TEST_F(viommu, vdev_alloc_info)
{
	struct iommu_mock_object_info info;
	uint32_t vdev = 0;

	ASSERT_EQ(0, vdev_alloc(self->fd, self->viommu, self->dev_id, 0x1234,
				&vdev));
	EXPECT_LE(1, vdev);
	ASSERT_EQ(0, mock_obj_info(self->fd, vdev, &info));
	EXPECT_EQ(IOMMU_MOCK_OBJ_VDEVICE, info.out_type);
	EXPECT_EQ(self->viommu, info.out_parent_id);
	EXPECT_EQ(variant->inst, info.out_instance_id);
	EXPECT_EQ(self->dev_id, info.out_asid);
	EXPECT_EQ(0x1234, info.out_virt_id);
	EXPECT_EQ(0, info.out_invalidations);
	ASSERT_EQ(0, mock_obj_info(self->fd, self->viommu, &info));
	EXPECT_EQ(1, info.out_users);
}

TEST_F(viommu, vdev_virt_id_taken_eexist)
{
	uint32_t v1, v2;

	ASSERT_EQ(0, vdev_alloc(self->fd, self->viommu, self->dev_id, 7, &v1));
	EXPECT_EQ(-EEXIST, vdev_alloc(self->fd, self->viommu, self->dev2_id, 7,
				      &v2));
	EXPECT_EQ(0, vdev_alloc(self->fd, self->viommu, self->dev2_id, 8, &v2));
	/* freed with its vDEVICE */
	ASSERT_EQ(0, mock_destroy(self->fd, v1));
	EXPECT_EQ(-EEXIST, vdev_alloc(self->fd, self->viommu, self->dev2_id, 7,
				      &v1));
	ASSERT_EQ(0, mock_destroy(self->fd, v2));
	EXPECT_EQ(0, vdev_alloc(self->fd, self->viommu, self->dev2_id, 7, &v1));
}

TEST_F(viommu, vdev_device_once_per_viommu_eexist)
{
	uint32_t v1, v2;

	ASSERT_EQ(0, vdev_alloc(self->fd, self->viommu, self->dev_id, 1, &v1));
	EXPECT_EQ(-EEXIST, vdev_alloc(self->fd, self->viommu, self->dev_id, 2,
				      &v2));
}

TEST_F(viommu, vdev_same_virt_id_in_two_viommus)
{
	uint32_t viommu2, v1, v2, v3;

	ASSERT_EQ(0, viommu_alloc(self->fd, self->dev_id, self->parent,
				  IOMMU_VIOMMU_TYPE_MOCK, &viommu2));
	EXPECT_NE(self->viommu, viommu2);
	ASSERT_EQ(0, vdev_alloc(self->fd, self->viommu, self->dev_id, 3, &v1));
	/* same virt_id, other device, other vIOMMU */
	EXPECT_EQ(0, vdev_alloc(self->fd, viommu2, self->dev2_id, 3, &v2));
	/* the same device may have one vDEVICE in each vIOMMU */
	EXPECT_EQ(0, vdev_alloc(self->fd, viommu2, self->dev_id, 4, &v3));
}

TEST_F(viommu, vdev_virt_id_range)
{
	uint32_t v;

	EXPECT_EQ(-EINVAL, vdev_alloc(self->fd, self->viommu, self->dev_id,
				      1ULL << 32, &v));
	EXPECT_EQ(-EINVAL, vdev_alloc(self->fd, self->viommu, self->dev_id,
				      UINT64_MAX, &v));
	EXPECT_EQ(0, vdev_alloc(self->fd, self->viommu, self->dev_id,
				UINT32_MAX, &v));
	EXPECT_EQ(0, vdev_alloc(self->fd, self->viommu, self->dev2_id, 0, &v));
}

TEST_F(viommu, vdev_other_instance_einval)
{
	uint32_t v;

	EXPECT_EQ(-EINVAL, vdev_alloc(self->fd, self->viommu, self->other_id,
				      9, &v));
	EXPECT_EQ(-EINVAL, vdev_alloc(self->fd, self->viommu, self->x86_id, 9,
				      &v));
	/* the refused allocations did not take the virt_id */
	EXPECT_EQ(0, vdev_alloc(self->fd, self->viommu, self->dev_id, 9, &v));
}

TEST_F(viommu, vdev_bad_ids)
{
	uint32_t v;

	/* as upstream: an ID of another object type is not found */
	EXPECT_EQ(-ENOENT, vdev_alloc(self->fd, self->parent, self->dev_id, 1,
				      &v));
	EXPECT_EQ(-ENOENT, vdev_alloc(self->fd, self->ioas_id, self->dev_id, 1,
				      &v));
	EXPECT_EQ(-ENOENT, vdev_alloc(self->fd, self->viommu, self->ioas_id, 1,
				      &v));
	EXPECT_EQ(-ENOENT, vdev_alloc(self->fd, self->viommu, self->viommu, 1,
				      &v));
	EXPECT_EQ(-ENOENT, vdev_alloc(self->fd, 0xfffffff0, self->dev_id, 1,
				      &v));
	EXPECT_EQ(-ENOENT, vdev_alloc(self->fd, self->viommu, 0xfffffff0, 1,
				      &v));
}

TEST_F(viommu, invalidate_iotlb_counts)
{
	struct iommu_mock_invalidate inv[2] = {
		{ .op = IOMMU_MOCK_INV_IOTLB_ALL, .id = 5 },
		{ .op = IOMMU_MOCK_INV_IOTLB_RANGE, .id = 5, .iova = 0x200000,
		  .length = 0x10000 },
	};
	uint32_t num = 2;

	ASSERT_EQ(0, mock_invalidate(self->fd, self->viommu, inv, &num));
	EXPECT_EQ(2, num);
	EXPECT_EQ(2, inv_count(self->fd, self->viommu));
	num = 1;
	ASSERT_EQ(0, mock_invalidate(self->fd, self->viommu, inv, &num));
	EXPECT_EQ(1, num);
	EXPECT_EQ(3, inv_count(self->fd, self->viommu));
}

TEST_F(viommu, invalidate_long_array_stops_on_fatal_signal)
{
	const struct iommu_mock_invalidate inv = {
		.op = IOMMU_MOCK_INV_IOTLB_ALL,
		.id = 5,
	};

	EXPECT_KILLED_INVALIDATE(self->fd, self->viommu, &inv);
	EXPECT_LT(0, inv_count(self->fd, self->viommu));
}

TEST_F(viommu, invalidate_dev_cache)
{
	struct iommu_mock_invalidate inv = {
		.op = IOMMU_MOCK_INV_DEV_CACHE,
		.id = 0x10,
	};
	uint32_t v1, v2, num = 1;

	ASSERT_EQ(0, vdev_alloc(self->fd, self->viommu, self->dev_id, 0x10, &v1));
	ASSERT_EQ(0, vdev_alloc(self->fd, self->viommu, self->dev2_id, 0x20,
				&v2));
	ASSERT_EQ(0, mock_invalidate(self->fd, self->viommu, &inv, &num));
	EXPECT_EQ(1, num);
	EXPECT_EQ(1, inv_count(self->fd, v1));
	EXPECT_EQ(0, inv_count(self->fd, v2));
	EXPECT_EQ(1, inv_count(self->fd, self->viommu));
}

TEST_F(viommu, invalidate_dev_cache_unknown_enoent)
{
	struct iommu_mock_invalidate inv[4] = {
		{ .op = IOMMU_MOCK_INV_IOTLB_ALL, .id = 1 },
		{ .op = IOMMU_MOCK_INV_DEV_CACHE, .id = 0x10 },
		{ .op = IOMMU_MOCK_INV_DEV_CACHE, .id = 0x11 },
		{ .op = IOMMU_MOCK_INV_IOTLB_ALL, .id = 1 },
	};
	uint32_t v1, num = 4;

	ASSERT_EQ(0, vdev_alloc(self->fd, self->viommu, self->dev_id, 0x10, &v1));
	EXPECT_EQ(-ENOENT, mock_invalidate(self->fd, self->viommu, inv, &num));
	EXPECT_EQ(2, num);
	EXPECT_EQ(2, inv_count(self->fd, self->viommu));
	EXPECT_EQ(1, inv_count(self->fd, v1));
	/* after the vDEVICE is gone its virt_id is unknown */
	ASSERT_EQ(0, mock_destroy(self->fd, v1));
	num = 1;
	EXPECT_EQ(-ENOENT, mock_invalidate(self->fd, self->viommu, &inv[1],
					   &num));
	EXPECT_EQ(0, num);
	EXPECT_EQ(2, inv_count(self->fd, self->viommu));
}

TEST_F(viommu, invalidate_probe_and_type)
{
	const struct iommu_mock_invalidate inv = {
		.op = IOMMU_MOCK_INV_IOTLB_ALL,
		.id = 1,
	};
	uint32_t num = 0;

	EXPECT_EQ(0, mock_invalidate(self->fd, self->viommu, NULL, &num));
	EXPECT_EQ(0, num);
	EXPECT_EQ(-EINVAL, hwpt_invalidate(self->fd, self->viommu,
					   IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3,
					   NULL, sizeof(inv), &num));
	num = 1;
	EXPECT_EQ(-EINVAL, hwpt_invalidate(self->fd, self->viommu, 0x1234, &inv,
					   sizeof(inv), &num));
	EXPECT_EQ(0, num);
	EXPECT_EQ(0, inv_count(self->fd, self->viommu));
}

TEST_F(viommu, invalidate_entry_len)
{
	struct iommu_mock_invalidate exact[3];
	struct {
		struct iommu_mock_invalidate inv;
		uint32_t tail[4];
	} e[3] = {
		{ .inv = { .op = IOMMU_MOCK_INV_IOTLB_ALL, .id = 1 } },
		{ .inv = { .op = IOMMU_MOCK_INV_IOTLB_ALL, .id = 2 } },
		{ .inv = { .op = IOMMU_MOCK_INV_IOTLB_ALL, .id = 3 } },
	};
	uint32_t num = 3;

	EXPECT_EQ(-EINVAL, hwpt_invalidate(self->fd, self->viommu,
					   IOMMU_HWPT_INVALIDATE_DATA_MOCK, e,
					   sizeof(e[0].inv) - 4, &num));
	EXPECT_EQ(0, num);
	/* longer than the kernel's struct: EINVAL at entry 0 (upstream) */
	num = 3;
	EXPECT_EQ(-EINVAL, hwpt_invalidate(self->fd, self->viommu,
					   IOMMU_HWPT_INVALIDATE_DATA_MOCK, e,
					   sizeof(e[0]), &num));
	EXPECT_EQ(0, num);
	EXPECT_EQ(0, inv_count(self->fd, self->viommu));
	e[2].tail[3] = 0xff;
	num = 3;
	EXPECT_EQ(-EINVAL, hwpt_invalidate(self->fd, self->viommu,
					   IOMMU_HWPT_INVALIDATE_DATA_MOCK, e,
					   sizeof(e[0]), &num));
	EXPECT_EQ(0, num);
	EXPECT_EQ(0, inv_count(self->fd, self->viommu));
	/* exactly the kernel's size */
	exact[0] = e[0].inv;
	exact[1] = e[1].inv;
	exact[2] = e[2].inv;
	num = 3;
	EXPECT_EQ(0, hwpt_invalidate(self->fd, self->viommu,
				     IOMMU_HWPT_INVALIDATE_DATA_MOCK, exact,
				     sizeof(exact[0]), &num));
	EXPECT_EQ(3, num);
	EXPECT_EQ(3, inv_count(self->fd, self->viommu));
}

TEST_F(viommu, invalidate_entry_errors)
{
	struct iommu_mock_invalidate inv = {
		.op = IOMMU_MOCK_INV_IOTLB_RANGE,
		.id = 1,
		.iova = 0x1000,
		.length = 0x800,
	};
	uint32_t num = 1;

	EXPECT_EQ(-EINVAL, mock_invalidate(self->fd, self->viommu, &inv, &num));
	inv.length = 0x1000;
	inv.flags = 1;
	num = 1;
	EXPECT_EQ(-EOPNOTSUPP, mock_invalidate(self->fd, self->viommu, &inv,
					       &num));
	inv.flags = 0;
	inv.op = 77;
	num = 1;
	EXPECT_EQ(-EINVAL, mock_invalidate(self->fd, self->viommu, &inv, &num));
	EXPECT_EQ(0, num);
	EXPECT_EQ(0, inv_count(self->fd, self->viommu));
}

/* ---- VIOMMU_ALLOC arguments, DEFAULT type ---------------------------------- */

FIXTURE(viommu_args) {
	int fd;
	uint32_t ioas_id;
	uint32_t dev[MOCK_NUM_INSTANCES];
	uint32_t parent0;	/* NEST_PARENT for instance 0 (ARM) */
	uint32_t parent1;	/* NEST_PARENT for instance 1 (x86) */
	uint32_t paging0;	/* plain paging HWPT for instance 0 */
};

FIXTURE_SETUP(viommu_args)
{
	unsigned int i;

	self->fd = mock_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ioas_alloc(self->fd, &self->ioas_id));
	for (i = 0; i < MOCK_NUM_INSTANCES; i++) {
		ASSERT_EQ(0, dev_alloc(self->fd, i, SID_BASE + 8, &self->dev[i]));
	}
	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev[0], self->ioas_id,
				IOMMU_HWPT_ALLOC_NEST_PARENT, &self->parent0));
	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev[1], self->ioas_id,
				IOMMU_HWPT_ALLOC_NEST_PARENT, &self->parent1));
	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev[0], self->ioas_id, 0,
				&self->paging0));
}

FIXTURE_TEARDOWN(viommu_args)
{
	if (self->fd >= 0)
		close(self->fd);
}

static int viommu_alloc_cmd(int fd, struct iommu_viommu_alloc *cmd)
{
	return mock_ioctl(fd, IOMMU_VIOMMU_ALLOC, cmd);
}

TEST_F(viommu_args, mock_type_on_x86_eopnotsupp)
{
	uint32_t v;

	EXPECT_EQ(-EOPNOTSUPP, viommu_alloc(self->fd, self->dev[1],
					    self->parent1,
					    IOMMU_VIOMMU_TYPE_MOCK, &v));
}

TEST_F(viommu_args, default_type_on_x86)
{
	struct iommu_mock_object_info info;
	uint32_t v = 0;

	ASSERT_EQ(0, viommu_alloc(self->fd, self->dev[1], self->parent1,
				  IOMMU_VIOMMU_TYPE_DEFAULT, &v));
	EXPECT_LE(1, v);
	ASSERT_EQ(0, mock_obj_info(self->fd, v, &info));
	EXPECT_EQ(IOMMU_MOCK_OBJ_VIOMMU, info.out_type);
	EXPECT_EQ(IOMMU_VIOMMU_TYPE_DEFAULT, info.out_virt_id);
	EXPECT_EQ(self->parent1, info.out_parent_id);
	EXPECT_EQ(1, info.out_instance_id);
	EXPECT_EQ(-EBUSY, mock_destroy(self->fd, self->parent1));
	EXPECT_EQ(0, mock_destroy(self->fd, v));
	EXPECT_EQ(0, mock_destroy(self->fd, self->parent1));
}

TEST_F(viommu_args, default_type_on_arm)
{
	struct iommu_mock_object_info info;
	uint32_t v;

	ASSERT_EQ(0, viommu_alloc(self->fd, self->dev[0], self->parent0,
				  IOMMU_VIOMMU_TYPE_DEFAULT, &v));
	ASSERT_EQ(0, mock_obj_info(self->fd, v, &info));
	EXPECT_EQ(IOMMU_VIOMMU_TYPE_DEFAULT, info.out_virt_id);
	EXPECT_EQ(0, info.out_instance_id);
}

TEST_F(viommu_args, nested_on_default_viommu)
{
	struct iommu_hwpt_mock_s1 s1 = mock_s1(IOMMU_MOCK_S1_FORMAT_X86_FL, 2,
					       0x1000);
	struct iommu_mock_object_info info;
	uint32_t v, nested, out;

	ASSERT_EQ(0, viommu_alloc(self->fd, self->dev[1], self->parent1,
				  IOMMU_VIOMMU_TYPE_DEFAULT, &v));
	ASSERT_EQ(0, hwpt_alloc_nested(self->fd, self->dev[1], v, &s1, &nested));
	ASSERT_EQ(0, mock_obj_info(self->fd, nested, &info));
	EXPECT_EQ(IOMMU_MOCK_OBJ_HWPT_NESTED, info.out_type);
	EXPECT_EQ(v, info.out_parent_id);
	EXPECT_EQ(0, dev_attach(self->fd, self->dev[1], nested, &out));
	EXPECT_EQ(-EBUSY, mock_destroy(self->fd, v));
}

TEST_F(viommu_args, default_invalidate_eopnotsupp)
{
	const struct iommu_mock_invalidate inv = {
		.op = IOMMU_MOCK_INV_IOTLB_ALL,
		.id = 1,
	};
	uint32_t v, num = 1;

	ASSERT_EQ(0, viommu_alloc(self->fd, self->dev[1], self->parent1,
				  IOMMU_VIOMMU_TYPE_DEFAULT, &v));
	EXPECT_EQ(-EOPNOTSUPP, mock_invalidate(self->fd, v, &inv, &num));
	/* as upstream, entry_num is written back: nothing handled */
	EXPECT_EQ(0, num);
	ASSERT_EQ(0, viommu_alloc(self->fd, self->dev[0], self->parent0,
				  IOMMU_VIOMMU_TYPE_DEFAULT, &v));
	num = 1;
	EXPECT_EQ(-EOPNOTSUPP, mock_invalidate(self->fd, v, &inv, &num));
	EXPECT_EQ(0, num);
}

TEST_F(viommu_args, unknown_type_eopnotsupp)
{
	const uint32_t types[] = {
		IOMMU_VIOMMU_TYPE_ARM_SMMUV3,
		IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV,
		0x1234,
		0xdeadbeef,
	};
	unsigned int i;
	uint32_t v;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		EXPECT_EQ(-EOPNOTSUPP, viommu_alloc(self->fd, self->dev[0],
						    self->parent0, types[i], &v))
			TH_LOG("type 0x%x", types[i]);
	}
}

TEST_F(viommu_args, not_nest_parent_einval)
{
	uint32_t v, autohwpt;

	EXPECT_EQ(-EINVAL, viommu_alloc(self->fd, self->dev[0], self->paging0,
					IOMMU_VIOMMU_TYPE_MOCK, &v));
	EXPECT_EQ(-EINVAL, viommu_alloc(self->fd, self->dev[0], self->paging0,
					IOMMU_VIOMMU_TYPE_DEFAULT, &v));
	ASSERT_EQ(0, dev_attach(self->fd, self->dev[2], self->ioas_id,
				&autohwpt));
	EXPECT_EQ(-EINVAL, viommu_alloc(self->fd, self->dev[2], autohwpt,
					IOMMU_VIOMMU_TYPE_MOCK, &v));
}

TEST_F(viommu_args, hwpt_id_wrong_object_enoent)
{
	struct iommu_hwpt_mock_s1 s1 = mock_s1(IOMMU_MOCK_S1_FORMAT_ARM_LPAE, 1,
					       0x1000);
	uint32_t v, nested;

	/* as upstream: hwpt_id must name a paging HWPT, or is not found */
	EXPECT_EQ(-ENOENT, viommu_alloc(self->fd, self->dev[0], self->ioas_id,
					IOMMU_VIOMMU_TYPE_MOCK, &v));
	EXPECT_EQ(-ENOENT, viommu_alloc(self->fd, self->dev[0], self->dev[1],
					IOMMU_VIOMMU_TYPE_MOCK, &v));
	ASSERT_EQ(0, hwpt_alloc_nested(self->fd, self->dev[0], self->parent0,
				       &s1, &nested));
	EXPECT_EQ(-ENOENT, viommu_alloc(self->fd, self->dev[0], nested,
					IOMMU_VIOMMU_TYPE_MOCK, &v));
	/* dev_id that is no device */
	EXPECT_EQ(-ENOENT, viommu_alloc(self->fd, self->ioas_id, self->parent0,
					IOMMU_VIOMMU_TYPE_MOCK, &v));
}

TEST_F(viommu_args, unknown_ids_enoent)
{
	uint32_t v;

	EXPECT_EQ(-ENOENT, viommu_alloc(self->fd, self->dev[0], 0xfffffff0,
					IOMMU_VIOMMU_TYPE_MOCK, &v));
	EXPECT_EQ(-ENOENT, viommu_alloc(self->fd, 0xfffffff0, self->parent0,
					IOMMU_VIOMMU_TYPE_MOCK, &v));
}

TEST_F(viommu_args, flags_reserved_eopnotsupp)
{
	struct iommu_viommu_alloc cmd = {
		.size = sizeof(cmd),
		.flags = 1,
		.type = IOMMU_VIOMMU_TYPE_MOCK,
		.dev_id = self->dev[0],
		.hwpt_id = self->parent0,
	};

	EXPECT_EQ(-EOPNOTSUPP, viommu_alloc_cmd(self->fd, &cmd));
	cmd.flags = 0;
	cmd.__reserved = 1;
	EXPECT_EQ(-EOPNOTSUPP, viommu_alloc_cmd(self->fd, &cmd));
	cmd.__reserved = 0;
	EXPECT_EQ(0, viommu_alloc_cmd(self->fd, &cmd));
}

TEST_F(viommu_args, data_einval)
{
	uint8_t blob[16] = { 0 };
	struct iommu_viommu_alloc cmd = {
		.size = sizeof(cmd),
		.type = IOMMU_VIOMMU_TYPE_MOCK,
		.dev_id = self->dev[0],
		.hwpt_id = self->parent0,
		.data_len = sizeof(blob),
		.data_uptr = U64_PTR(blob),
	};

	EXPECT_EQ(-EINVAL, viommu_alloc_cmd(self->fd, &cmd));
	cmd.type = IOMMU_VIOMMU_TYPE_DEFAULT;
	EXPECT_EQ(-EINVAL, viommu_alloc_cmd(self->fd, &cmd));
	cmd.type = IOMMU_VIOMMU_TYPE_MOCK;
	cmd.data_len = 0;
	EXPECT_EQ(-EINVAL, viommu_alloc_cmd(self->fd, &cmd));
	cmd.data_len = sizeof(blob);
	cmd.data_uptr = 0;
	EXPECT_EQ(-EINVAL, viommu_alloc_cmd(self->fd, &cmd));
}

TEST_F(viommu_args, format_differs_einval)
{
	uint32_t v;

	/* an x86 device over an ARM stage 2, and the other way round */
	EXPECT_EQ(-EINVAL, viommu_alloc(self->fd, self->dev[1], self->parent0,
					IOMMU_VIOMMU_TYPE_DEFAULT, &v));
	EXPECT_EQ(-EINVAL, viommu_alloc(self->fd, self->dev[0], self->parent1,
					IOMMU_VIOMMU_TYPE_MOCK, &v));
	EXPECT_EQ(-EINVAL, viommu_alloc(self->fd, self->dev[0], self->parent1,
					IOMMU_VIOMMU_TYPE_DEFAULT, &v));
}

TEST_F(viommu_args, same_format_other_instance_parent)
{
	struct iommu_mock_object_info info;
	uint32_t parent2, v;

	/* instance 0's vIOMMU over the ARM stage 2 made for instance 2 */
	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev[2], self->ioas_id,
				IOMMU_HWPT_ALLOC_NEST_PARENT, &parent2));
	ASSERT_EQ(0, viommu_alloc(self->fd, self->dev[0], parent2,
				  IOMMU_VIOMMU_TYPE_MOCK, &v));
	ASSERT_EQ(0, mock_obj_info(self->fd, v, &info));
	EXPECT_EQ(0, info.out_instance_id);
	EXPECT_EQ(parent2, info.out_parent_id);
	/* not the other way round: that stage 2 reaches beyond 44 bits */
	EXPECT_EQ(-EINVAL, viommu_alloc(self->fd, self->dev[2], self->parent0,
					IOMMU_VIOMMU_TYPE_MOCK, &v));
	EXPECT_EQ(-EINVAL, viommu_alloc(self->fd, self->dev[2], self->parent0,
					IOMMU_VIOMMU_TYPE_DEFAULT, &v));
}

TEST_HARNESS_MAIN
