// SPDX-License-Identifier: GPL-2.0
/*
 * Mock devices: alloc, sysfs, attach/replace/detach, automatic HWPTs, DMA
 * errors, GET_HW_INFO, INSTANCE_INFO and the per-device reserved regions
 * (IOMMU_DEVICE_GET_RESV_REGIONS and their effect on IOAS_IOVA_RANGES).
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <sys/wait.h>
#include <time.h>

#include "mock_helpers.h"

/* stream IDs of this file: 0x60-0x7f on each instance */
#define SID_BASE 0x60

#define BUF_PAGES 8
#define DMA_IOVA 0x100000ULL

/* ---- reserved regions, per instance ------------------------------------- */

FIXTURE(resv) {
	int fd;
	uint32_t ioas_id;
	uint32_t dev_id;
	uint32_t sid;
	const struct mock_inst_facts *f;
	uint8_t *buf;
};

FIXTURE_VARIANT(resv) {
	uint32_t inst;
};

FIXTURE_VARIANT_ADD(resv, arm_inst0) { .inst = 0 };
FIXTURE_VARIANT_ADD(resv, x86_inst1) { .inst = 1 };
FIXTURE_VARIANT_ADD(resv, arm_inst2) { .inst = 2 };

FIXTURE_SETUP(resv)
{
	self->f = &mock_facts[variant->inst];
	self->sid = SID_BASE + 1;
	self->fd = mock_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ioas_alloc(self->fd, &self->ioas_id));
	ASSERT_EQ(0, dev_alloc(self->fd, variant->inst, self->sid,
			       &self->dev_id));
	self->buf = mock_pages(BUF_PAGES, 0);
	ASSERT_NE(MAP_FAILED, self->buf);
}

FIXTURE_TEARDOWN(resv)
{
	if (self->buf && self->buf != MAP_FAILED)
		munmap(self->buf, BUF_PAGES * MOCK_PAGE);
	if (self->fd >= 0)
		close(self->fd);
}

#define EXPECT_REGION(exp, got) do {						\
	EXPECT_EQ((exp).start, (got).start);					\
	EXPECT_EQ((exp).last, (got).last);					\
	EXPECT_EQ((exp).type, (got).type);					\
	if ((exp).type == IOMMU_RESV_TYPE_DIRECT)				\
		EXPECT_EQ((exp).flags, (got).flags);				\
} while (0)

TEST_F(resv, report_emsgsize_then_all)
{
	struct iommu_resv_region_info r[2];
	uint32_t num = 0, i;

	ASSERT_EQ(-EMSGSIZE, resv_regions(self->fd, self->dev_id, NULL, &num));
	ASSERT_EQ(self->f->nregions, num);
	memset(r, 0, sizeof(r));
	ASSERT_EQ(0, resv_regions(self->fd, self->dev_id, r, &num));
	ASSERT_EQ(self->f->nregions, num);
	for (i = 0; i < num; i++) {
		EXPECT_REGION(self->f->regions[i], r[i]);
	}
}

TEST_F(resv, short_array_gets_prefix)
{
	struct iommu_resv_region_info r[3];
	uint32_t num = self->f->nregions - 1, i;

	memset(r, 0xa5, sizeof(r));
	ASSERT_EQ(-EMSGSIZE, resv_regions(self->fd, self->dev_id, r, &num));
	EXPECT_EQ(self->f->nregions, num);
	for (i = 0; i + 1 < self->f->nregions; i++) {
		EXPECT_REGION(self->f->regions[i], r[i]);
	}
	/* the entry past the given count is not written */
	EXPECT_EQ(0xa5a5a5a5a5a5a5a5ULL, r[self->f->nregions - 1].start);
	EXPECT_EQ(0xa5a5a5a5U, r[self->f->nregions - 1].type);
}

TEST_F(resv, bigger_array_ok)
{
	struct iommu_resv_region_info r[4];
	uint32_t num = 4, i;

	ASSERT_EQ(0, resv_regions(self->fd, self->dev_id, r, &num));
	ASSERT_EQ(self->f->nregions, num);
	for (i = 0; i < num; i++) {
		EXPECT_REGION(self->f->regions[i], r[i]);
	}
}

TEST_F(resv, reported_while_attached)
{
	struct iommu_resv_region_info r[2];
	uint32_t num = 2, i, hwpt;

	ASSERT_EQ(0, dev_attach(self->fd, self->dev_id, self->ioas_id, &hwpt));
	ASSERT_EQ(0, resv_regions(self->fd, self->dev_id, r, &num));
	ASSERT_EQ(self->f->nregions, num);
	for (i = 0; i < num; i++) {
		EXPECT_REGION(self->f->regions[i], r[i]);
	}
}

TEST_F(resv, hw_info_counts_regions)
{
	struct iommu_hw_info_mock hi;

	ASSERT_EQ(0, hw_info(self->fd, self->dev_id, &hi));
	EXPECT_EQ(self->f->nregions, hi.num_resv_regions);
}

/* every region start and last page is refused by a FIXED map */
#define EXPECT_REGIONS_REFUSED(only_sw_msi) do {				\
	uint32_t __i;								\
	for (__i = 0; __i < self->f->nregions; __i++) {			\
		const struct iommu_resv_region_info *__g = &self->f->regions[__i]; \
		int __want = (!(only_sw_msi) ||					\
			      __g->type == IOMMU_RESV_TYPE_SW_MSI) ? -EINVAL : 0; \
		EXPECT_EQ(__want, ioas_map_fixed(self->fd, self->ioas_id,	\
						 self->buf, MOCK_PAGE,		\
						 __g->start))			\
			TH_LOG("region %u start", __i);				\
		EXPECT_EQ(__want, ioas_map_fixed(self->fd, self->ioas_id,	\
						 self->buf, MOCK_PAGE,		\
						 __g->last + 1 - MOCK_PAGE))	\
			TH_LOG("region %u last page", __i);			\
		/* the page right below the region is allowed */		\
		EXPECT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf, \
					    MOCK_PAGE, __g->start - MOCK_PAGE)) \
			TH_LOG("region %u page below", __i);			\
	}									\
	ioas_unmap(self->fd, self->ioas_id, 0, UINT64_MAX, NULL);		\
} while (0)

TEST_F(resv, paging_attach_reserves_all)
{
	uint32_t hwpt, out;

	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev_id, self->ioas_id, 0, &hwpt));
	EXPECT_ONE_RANGE(self->fd, self->ioas_id, self->f->aperture_last);
	ASSERT_EQ(0, dev_attach(self->fd, self->dev_id, hwpt, &out));
	EXPECT_EQ(hwpt, out);
	EXPECT_RANGES(self->fd, self->ioas_id, self->f->ranges_paging,
		      self->f->nranges_paging);
	EXPECT_REGIONS_REFUSED(false);
	ASSERT_EQ(0, dev_detach(self->fd, self->dev_id));
	EXPECT_ONE_RANGE(self->fd, self->ioas_id, self->f->aperture_last);
	/* and the regions can be mapped again */
	EXPECT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    MOCK_PAGE, self->f->regions[0].start));
}

TEST_F(resv, nest_parent_attach_reserves_all)
{
	uint32_t hwpt, out;

	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev_id, self->ioas_id,
				IOMMU_HWPT_ALLOC_NEST_PARENT, &hwpt));
	ASSERT_EQ(0, dev_attach(self->fd, self->dev_id, hwpt, &out));
	EXPECT_EQ(hwpt, out);
	EXPECT_RANGES(self->fd, self->ioas_id, self->f->ranges_paging,
		      self->f->nranges_paging);
	EXPECT_REGIONS_REFUSED(false);
	ASSERT_EQ(0, dev_detach(self->fd, self->dev_id));
	EXPECT_ONE_RANGE(self->fd, self->ioas_id, self->f->aperture_last);
}

TEST_F(resv, auto_attach_reserves_all)
{
	uint32_t hwpt;

	ASSERT_EQ(0, dev_attach(self->fd, self->dev_id, self->ioas_id, &hwpt));
	EXPECT_RANGES(self->fd, self->ioas_id, self->f->ranges_paging,
		      self->f->nranges_paging);
	EXPECT_REGIONS_REFUSED(false);
	/* the automatic HWPT goes with the detach, and so does its aperture */
	ASSERT_EQ(0, dev_detach(self->fd, self->dev_id));
	EXPECT_ONE_RANGE(self->fd, self->ioas_id, UINT64_MAX);
}

TEST_F(resv, nested_attach_reserves_sw_msi_only)
{
	struct iommu_hwpt_mock_s1 s1 = mock_s1(self->f->s1_format, 1, 0x1000);
	uint32_t parent, nested, out;

	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev_id, self->ioas_id,
				IOMMU_HWPT_ALLOC_NEST_PARENT, &parent));
	ASSERT_EQ(0, hwpt_alloc_nested(self->fd, self->dev_id, parent, &s1,
				       &nested));
	ASSERT_EQ(0, dev_attach(self->fd, self->dev_id, nested, &out));
	EXPECT_EQ(nested, out);
	EXPECT_RANGES(self->fd, self->ioas_id, self->f->ranges_nested,
		      self->f->nranges_nested);
	EXPECT_REGIONS_REFUSED(true);
	ASSERT_EQ(0, dev_detach(self->fd, self->dev_id));
	EXPECT_ONE_RANGE(self->fd, self->ioas_id, self->f->aperture_last);
}

TEST_F(resv, attach_over_mapping_eaddrinuse)
{
	struct iommu_mock_object_info info;
	uint64_t at = self->f->regions[self->f->nregions - 1].start;
	uint32_t hwpt, out;

	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev_id, self->ioas_id, 0, &hwpt));
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    MOCK_PAGE, at));
	EXPECT_EQ(-EADDRINUSE, dev_attach(self->fd, self->dev_id, hwpt, &out));
	/* nothing changed */
	ASSERT_EQ(0, mock_obj_info(self->fd, self->dev_id, &info));
	EXPECT_EQ(0, info.out_parent_id);
	EXPECT_ONE_RANGE(self->fd, self->ioas_id, self->f->aperture_last);
	/* also through an automatic HWPT */
	EXPECT_EQ(-EADDRINUSE, dev_attach(self->fd, self->dev_id, self->ioas_id,
					  &out));
	ASSERT_EQ(0, mock_obj_info(self->fd, self->dev_id, &info));
	EXPECT_EQ(0, info.out_parent_id);
	/* with the mapping gone, the attach works */
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, at, MOCK_PAGE, NULL));
	EXPECT_EQ(0, dev_attach(self->fd, self->dev_id, hwpt, &out));
}

TEST_F(resv, nested_attach_over_mapping)
{
	struct iommu_hwpt_mock_s1 s1 = mock_s1(self->f->s1_format, 2, 0x2000);
	uint32_t parent, nested, out, i;
	bool has_sw_msi = false;

	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev_id, self->ioas_id,
				IOMMU_HWPT_ALLOC_NEST_PARENT, &parent));
	ASSERT_EQ(0, hwpt_alloc_nested(self->fd, self->dev_id, parent, &s1,
				       &nested));
	for (i = 0; i < self->f->nregions; i++) {
		ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
					    MOCK_PAGE, self->f->regions[i].start));
		if (self->f->regions[i].type == IOMMU_RESV_TYPE_SW_MSI)
			has_sw_msi = true;
	}
	/* only a SW_MSI window is claimed in the parent's IOAS */
	EXPECT_EQ(has_sw_msi ? -EADDRINUSE : 0,
		  dev_attach(self->fd, self->dev_id, nested, &out));
}

TEST_F(resv, shared_reservation_kept_until_last_detach)
{
	uint32_t hwpt, dev2, out;

	ASSERT_EQ(0, dev_alloc(self->fd, variant->inst, self->sid + 1, &dev2));
	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev_id, self->ioas_id, 0, &hwpt));
	ASSERT_EQ(0, dev_attach(self->fd, self->dev_id, hwpt, &out));
	ASSERT_EQ(0, dev_attach(self->fd, dev2, hwpt, &out));
	ASSERT_EQ(0, dev_detach(self->fd, self->dev_id));
	EXPECT_RANGES(self->fd, self->ioas_id, self->f->ranges_paging,
		      self->f->nranges_paging);
	EXPECT_EQ(-EINVAL, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
					  MOCK_PAGE, self->f->regions[0].start));
	ASSERT_EQ(0, dev_detach(self->fd, dev2));
	EXPECT_ONE_RANGE(self->fd, self->ioas_id, self->f->aperture_last);
}

TEST_F(resv, ranges_short_array_prefix)
{
	struct iommu_iova_range r[3];
	uint32_t hwpt, num = 1;

	ASSERT_EQ(0, dev_attach(self->fd, self->dev_id, self->ioas_id, &hwpt));
	memset(r, 0xa5, sizeof(r));
	ASSERT_EQ(-EMSGSIZE, ioas_ranges(self->fd, self->ioas_id, r, &num, NULL));
	EXPECT_EQ(self->f->nranges_paging, num);
	EXPECT_EQ(self->f->ranges_paging[0].start, r[0].start);
	EXPECT_EQ(self->f->ranges_paging[0].last, r[0].last);
	EXPECT_EQ(0xa5a5a5a5a5a5a5a5ULL, r[1].start);
	/* num_iovas 0 is a pure count query */
	num = 0;
	ASSERT_EQ(-EMSGSIZE, ioas_ranges(self->fd, self->ioas_id, NULL, &num,
					 NULL));
	EXPECT_EQ(self->f->nranges_paging, num);
}

TEST_F(resv, hw_info_values)
{
	struct iommu_hw_info_mock hi;

	ASSERT_EQ(0, hw_info(self->fd, self->dev_id, &hi));
	EXPECT_EQ(variant->inst, hi.instance_id);
	EXPECT_EQ(self->f->s1_format, hi.s1_format);
	EXPECT_EQ(self->f->sid_bits, hi.sid_bits);
	EXPECT_EQ(self->f->hw_flags, hi.flags);
	EXPECT_EQ(16, hi.asid_bits);
	EXPECT_EQ(0, hi.aperture_start);
	EXPECT_EQ(self->f->aperture_last, hi.aperture_last);
	EXPECT_NE(0, hi.pgsize_bitmap & MOCK_PAGE);
	EXPECT_EQ(0, hi.pgsize_bitmap & (MOCK_PAGE - 1));
}

TEST_F(resv, instance_info_matches_hw_info)
{
	struct iommu_hw_info_mock hi, all[MOCK_ALL_INSTANCES];
	uint32_t num = MOCK_ALL_INSTANCES;

	ASSERT_EQ(0, hw_info(self->fd, self->dev_id, &hi));
	memset(all, 0, sizeof(all));
	ASSERT_EQ(0, instance_info(self->fd, all, &num));
	ASSERT_EQ(MOCK_ALL_INSTANCES, num);
	EXPECT_EQ(0, memcmp(&hi, &all[variant->inst], sizeof(hi)));
}

TEST_F(resv, sysfs_node_follows_device)
{
	char path[128];
	uint32_t dev2;

	mock_sysfs_path(path, sizeof(path), variant->inst, self->sid);
	EXPECT_EQ(0, access(path, F_OK)) TH_LOG("no %s", path);
	EXPECT_FALSE(mock_sysfs_exists(variant->inst, self->sid + 2));
	ASSERT_EQ(0, dev_alloc(self->fd, variant->inst, self->sid + 2, &dev2));
	EXPECT_TRUE(mock_sysfs_exists(variant->inst, self->sid + 2));
	ASSERT_EQ(0, mock_destroy(self->fd, dev2));
	EXPECT_FALSE(mock_sysfs_exists(variant->inst, self->sid + 2));
	ASSERT_EQ(0, mock_destroy(self->fd, self->dev_id));
	EXPECT_NE(0, access(path, F_OK)) TH_LOG("%s still there", path);
}

TEST_F(resv, stream_id_range)
{
	uint32_t max = (1U << self->f->sid_bits) - 1, dev;

	EXPECT_EQ(0, dev_alloc(self->fd, variant->inst, max, &dev));
	EXPECT_TRUE(mock_sysfs_exists(variant->inst, max));
	EXPECT_EQ(-EINVAL, dev_alloc(self->fd, variant->inst, max + 1, &dev));
	EXPECT_EQ(-EINVAL, dev_alloc(self->fd, variant->inst, UINT32_MAX, &dev));
	EXPECT_EQ(0, dev_alloc(self->fd, variant->inst, 0, &dev));
}

TEST_F(resv, device_info)
{
	struct iommu_mock_object_info info;

	ASSERT_EQ(0, mock_obj_info(self->fd, self->dev_id, &info));
	EXPECT_EQ(IOMMU_MOCK_OBJ_DEVICE, info.out_type);
	EXPECT_EQ(variant->inst, info.out_instance_id);
	EXPECT_EQ(self->sid, info.out_asid);
	EXPECT_EQ(0, info.out_parent_id);
}

/* ---- device alloc / attach / detach (instance 0 unless said) -------------- */

FIXTURE(dev) {
	int fd;
	uint32_t ioas_id;
	uint32_t dev_id;	/* instance 0, SID_BASE + 8 */
	uint8_t *buf;
};

FIXTURE_SETUP(dev)
{
	self->fd = mock_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ioas_alloc(self->fd, &self->ioas_id));
	ASSERT_EQ(0, dev_alloc(self->fd, 0, SID_BASE + 8, &self->dev_id));
	ASSERT_LE(1, self->dev_id);
	self->buf = mock_pages(BUF_PAGES, 0);
	ASSERT_NE(MAP_FAILED, self->buf);
}

FIXTURE_TEARDOWN(dev)
{
	if (self->buf && self->buf != MAP_FAILED)
		munmap(self->buf, BUF_PAGES * MOCK_PAGE);
	if (self->fd >= 0)
		close(self->fd);
}

/*
 * Upstream reserves a device's regions before a new automatic domain pins
 * anything: an unbacked mapping inside the SW_MSI window of instance 0 is
 * EADDRINUSE at attach, not EFAULT, and the IOAS keeps its mapping.
 */
TEST_F(dev, attach_reserves_before_pinning)
{
	uint64_t unmapped = 0;
	uint32_t hwpt;
	void *none;

	none = mmap(NULL, 2 * MOCK_PAGE, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, none);
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, none,
				    2 * MOCK_PAGE, MOCK_SW_MSI_START));
	EXPECT_EQ(-EADDRINUSE, dev_attach(self->fd, self->dev_id,
					  self->ioas_id, &hwpt));
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, MOCK_SW_MSI_START,
				2 * MOCK_PAGE, &unmapped));
	EXPECT_EQ(2 * MOCK_PAGE, unmapped);
	munmap(none, 2 * MOCK_PAGE);
}

TEST_F(dev, alloc_flags_reserved_eopnotsupp)
{
	struct iommu_mock_device_alloc cmd = {
		.size = sizeof(cmd),
		.flags = 1,
		.instance_id = 0,
		.stream_id = SID_BASE + 9,
	};

	EXPECT_EQ(-EOPNOTSUPP, mock_ioctl(self->fd, IOMMU_MOCK_DEVICE_ALLOC, &cmd));
	cmd.flags = 0;
	cmd.__reserved = 1;
	EXPECT_EQ(-EOPNOTSUPP, mock_ioctl(self->fd, IOMMU_MOCK_DEVICE_ALLOC, &cmd));
	EXPECT_FALSE(mock_sysfs_exists(0, SID_BASE + 9));
}

TEST_F(dev, alloc_bad_instance_enodev)
{
	uint32_t dev;

	EXPECT_EQ(-ENODEV, dev_alloc(self->fd, MOCK_ALL_INSTANCES,
				     SID_BASE + 9, &dev));
	EXPECT_EQ(-ENODEV, dev_alloc(self->fd, 8, SID_BASE + 9, &dev));
	EXPECT_EQ(-ENODEV, dev_alloc(self->fd, UINT32_MAX, SID_BASE + 9, &dev));
}

TEST_F(dev, alloc_duplicate_sid_eexist)
{
	uint32_t dev;

	EXPECT_EQ(-EEXIST, dev_alloc(self->fd, 0, SID_BASE + 8, &dev));
	/* the same stream ID on other instances is another ID space */
	EXPECT_EQ(0, dev_alloc(self->fd, 1, SID_BASE + 8, &dev));
	EXPECT_EQ(0, dev_alloc(self->fd, 2, SID_BASE + 8, &dev));
	EXPECT_EQ(-EEXIST, dev_alloc(self->fd, 2, SID_BASE + 8, &dev));
}

TEST_F(dev, alloc_duplicate_sid_other_fd_eexist)
{
	int fd2 = mock_open();
	uint32_t dev;

	ASSERT_LE(0, fd2);
	EXPECT_EQ(-EEXIST, dev_alloc(fd2, 0, SID_BASE + 8, &dev));
	EXPECT_EQ(0, dev_alloc(fd2, 0, SID_BASE + 9, &dev));
	EXPECT_EQ(-EEXIST, dev_alloc(self->fd, 0, SID_BASE + 9, &dev));
	close(fd2);
}

TEST_F(dev, sid_free_after_destroy)
{
	struct iommu_mock_object_info info;
	uint32_t dev;

	ASSERT_EQ(0, mock_destroy(self->fd, self->dev_id));
	EXPECT_TRUE(mock_obj_gone(self->fd, self->dev_id));
	EXPECT_FALSE(mock_sysfs_exists(0, SID_BASE + 8));
	ASSERT_EQ(0, dev_alloc(self->fd, 0, SID_BASE + 8, &dev));
	/* IDs may be reused: the new object is a device with that SID */
	ASSERT_EQ(0, mock_obj_info(self->fd, dev, &info));
	EXPECT_EQ(IOMMU_MOCK_OBJ_DEVICE, info.out_type);
	EXPECT_EQ(SID_BASE + 8, info.out_asid);
	EXPECT_TRUE(mock_sysfs_exists(0, SID_BASE + 8));
}

/*
 * Two files race for one stream ID: each allocates the device and destroys
 * it again. The ID must not be free for the other file before the old
 * device has left sysfs, or the new one's sysfs entry collides with it
 * ("sysfs: cannot create duplicate filename" and a call trace).
 */
#define RACE_SID (SID_BASE + 0x10)
#define RACE_MS 1500

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

/* Churns device (0, RACE_SID) on a new fd: 0 or the first unexpected errno. */
static int sid_churn(unsigned int ms, unsigned long *won)
{
	uint64_t end = now_ms() + ms;
	int fd = mock_open(), rc = 0;
	uint32_t dev;

	if (fd < 0)
		return -errno;
	while (!rc && now_ms() < end) {
		rc = dev_alloc(fd, 0, RACE_SID, &dev);
		if (rc == -EEXIST) {
			rc = 0;
			continue;
		}
		if (!rc) {
			(*won)++;
			rc = mock_destroy(fd, dev);
		}
	}
	close(fd);
	return rc;
}

/* Kernel log records read from @kfd (non-blocking) that contain @needle. */
static int kmsg_count(int kfd, const char *needle)
{
	char rec[4096];
	int hits = 0;
	ssize_t n;

	for (;;) {
		n = read(kfd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;	/* records overwritten: go on */
		if (n < 0)
			return errno == EAGAIN ? hits : -errno;
		rec[n] = 0;
		if (strstr(rec, needle))
			hits++;
	}
}

TEST(sid_reuse_race_across_files)
{
	unsigned long won = 0, won_child = 0;
	int kfd, status, hits;
	pid_t pid;

	kfd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, kfd);
	ASSERT_LE(0, lseek(kfd, 0, SEEK_END));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid)
		_exit(sid_churn(RACE_MS, &won_child) ? 1 : 0);
	EXPECT_EQ(0, sid_churn(RACE_MS, &won));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT_LT(0, won);
	hits = kmsg_count(kfd, "duplicate filename");
	close(kfd);
	EXPECT_EQ(0, hits);
	EXPECT_FALSE(mock_sysfs_exists(0, RACE_SID));
}

TEST_F(dev, attach_ioas_makes_auto_hwpt)
{
	struct iommu_mock_object_info info;
	uint32_t hwpt = 0;

	ASSERT_EQ(0, dev_attach(self->fd, self->dev_id, self->ioas_id, &hwpt));
	EXPECT_LE(1, hwpt);
	EXPECT_NE(self->ioas_id, hwpt);
	EXPECT_NE(self->dev_id, hwpt);
	ASSERT_EQ(0, mock_obj_info(self->fd, hwpt, &info));
	EXPECT_EQ(IOMMU_MOCK_OBJ_HWPT_PAGING, info.out_type);
	EXPECT_EQ(IOMMU_MOCK_OBJ_F_AUTO,
		  info.out_flags & (IOMMU_MOCK_OBJ_F_AUTO |
				    IOMMU_MOCK_OBJ_F_NEST_PARENT));
	EXPECT_EQ(self->ioas_id, info.out_parent_id);
	EXPECT_EQ(0, info.out_instance_id);
	ASSERT_EQ(0, mock_obj_info(self->fd, self->dev_id, &info));
	EXPECT_EQ(hwpt, info.out_parent_id);
}

TEST_F(dev, auto_hwpt_reused_then_freed)
{
	uint32_t dev2, h1, h2;

	ASSERT_EQ(0, dev_alloc(self->fd, 0, SID_BASE + 9, &dev2));
	ASSERT_EQ(0, dev_attach(self->fd, self->dev_id, self->ioas_id, &h1));
	ASSERT_EQ(0, dev_attach(self->fd, dev2, self->ioas_id, &h2));
	EXPECT_EQ(h1, h2);
	ASSERT_EQ(0, dev_detach(self->fd, self->dev_id));
	EXPECT_FALSE(mock_obj_gone(self->fd, h1));
	ASSERT_EQ(0, dev_detach(self->fd, dev2));
	EXPECT_TRUE(mock_obj_gone(self->fd, h1));
	EXPECT_EQ(-ENOENT, mock_destroy(self->fd, h1));
	/* the IOAS is free again */
	EXPECT_EQ(0, mock_destroy(self->fd, self->ioas_id));
}

TEST_F(dev, auto_hwpt_per_ioas)
{
	uint32_t ioas2, dev2, h1, h2;

	ASSERT_EQ(0, ioas_alloc(self->fd, &ioas2));
	ASSERT_EQ(0, dev_alloc(self->fd, 0, SID_BASE + 9, &dev2));
	ASSERT_EQ(0, dev_attach(self->fd, self->dev_id, self->ioas_id, &h1));
	ASSERT_EQ(0, dev_attach(self->fd, dev2, ioas2, &h2));
	EXPECT_NE(h1, h2);
}

TEST_F(dev, attach_paging_hwpt)
{
	struct iommu_mock_object_info info;
	uint32_t hwpt, out = 0;

	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev_id, self->ioas_id, 0, &hwpt));
	ASSERT_EQ(0, dev_attach(self->fd, self->dev_id, hwpt, &out));
	EXPECT_EQ(hwpt, out);
	ASSERT_EQ(0, mock_obj_info(self->fd, self->dev_id, &info));
	EXPECT_EQ(hwpt, info.out_parent_id);
	ASSERT_EQ(0, mock_obj_info(self->fd, hwpt, &info));
	EXPECT_EQ(0, info.out_flags & IOMMU_MOCK_OBJ_F_AUTO);
	/* a HWPT the user made outlives the detach */
	ASSERT_EQ(0, dev_detach(self->fd, self->dev_id));
	EXPECT_FALSE(mock_obj_gone(self->fd, hwpt));
	ASSERT_EQ(0, mock_obj_info(self->fd, self->dev_id, &info));
	EXPECT_EQ(0, info.out_parent_id);
	EXPECT_EQ(0, mock_destroy(self->fd, hwpt));
}

TEST_F(dev, attach_twice_ebusy)
{
	struct iommu_mock_object_info info;
	uint32_t h1, h2, out;

	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev_id, self->ioas_id, 0, &h1));
	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev_id, self->ioas_id, 0, &h2));
	ASSERT_EQ(0, dev_attach(self->fd, self->dev_id, h1, &out));
	EXPECT_EQ(-EBUSY, dev_attach(self->fd, self->dev_id, h2, &out));
	EXPECT_EQ(-EBUSY, dev_attach(self->fd, self->dev_id, h1, &out));
	EXPECT_EQ(-EBUSY, dev_attach(self->fd, self->dev_id, self->ioas_id,
				     &out));
	ASSERT_EQ(0, mock_obj_info(self->fd, self->dev_id, &info));
	EXPECT_EQ(h1, info.out_parent_id);
}

TEST_F(dev, replace_moves_dma)
{
	struct iommu_mock_object_info info;
	uint32_t ioas2, h1, h2, out = 0;
	uint8_t *buf2, data[32];

	buf2 = mock_pages(1, 0);
	ASSERT_NE(MAP_FAILED, buf2);
	ASSERT_EQ(0, ioas_alloc(self->fd, &ioas2));
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    MOCK_PAGE, DMA_IOVA));
	ASSERT_EQ(0, ioas_map_fixed(self->fd, ioas2, buf2, MOCK_PAGE, DMA_IOVA));
	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev_id, self->ioas_id, 0, &h1));
	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev_id, ioas2, 0, &h2));
	ASSERT_EQ(0, dev_attach(self->fd, self->dev_id, h1, &out));

	memset(data, 0x61, sizeof(data));
	ASSERT_EQ(0, dma_write(self->fd, self->dev_id, DMA_IOVA, data,
			       sizeof(data)));
	EXPECT_EQ(0x61, self->buf[0]);
	EXPECT_EQ(0, buf2[0]);

	ASSERT_EQ(0, dev_replace(self->fd, self->dev_id, h2, &out));
	EXPECT_EQ(h2, out);
	ASSERT_EQ(0, mock_obj_info(self->fd, self->dev_id, &info));
	EXPECT_EQ(h2, info.out_parent_id);
	memset(data, 0x62, sizeof(data));
	ASSERT_EQ(0, dma_write(self->fd, self->dev_id, DMA_IOVA, data,
			       sizeof(data)));
	EXPECT_EQ(0x61, self->buf[0]);
	EXPECT_EQ(0x62, buf2[0]);
	/* the old HWPT is no longer in use */
	EXPECT_EQ(0, mock_destroy(self->fd, h1));
	munmap(buf2, MOCK_PAGE);
}

TEST_F(dev, replace_auto_hwpt_to_other_ioas)
{
	uint32_t ioas2, h1, h2;

	ASSERT_EQ(0, ioas_alloc(self->fd, &ioas2));
	ASSERT_EQ(0, dev_attach(self->fd, self->dev_id, self->ioas_id, &h1));
	ASSERT_EQ(0, dev_replace(self->fd, self->dev_id, ioas2, &h2));
	EXPECT_NE(h1, h2);
	/* the old automatic HWPT lost its last device */
	EXPECT_TRUE(mock_obj_gone(self->fd, h1));
	EXPECT_EQ(0, mock_destroy(self->fd, self->ioas_id));
	EXPECT_EQ(-EBUSY, mock_destroy(self->fd, ioas2));
}

TEST_F(dev, replace_detached_einval)
{
	struct iommu_mock_object_info info;
	uint32_t hwpt, out;

	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev_id, self->ioas_id, 0, &hwpt));
	EXPECT_EQ(-EINVAL, dev_replace(self->fd, self->dev_id, hwpt, &out));
	EXPECT_EQ(-EINVAL, dev_replace(self->fd, self->dev_id, self->ioas_id,
				       &out));
	ASSERT_EQ(0, mock_obj_info(self->fd, self->dev_id, &info));
	EXPECT_EQ(0, info.out_parent_id);
}

TEST_F(dev, failed_replace_keeps_attachment)
{
	struct iommu_mock_object_info info;
	uint32_t x86dev, h0, h1, ioas2, h2, out;
	uint8_t data[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

	ASSERT_EQ(0, dev_alloc(self->fd, 1, SID_BASE + 8, &x86dev));
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    MOCK_PAGE, DMA_IOVA));
	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev_id, self->ioas_id, 0, &h0));
	ASSERT_EQ(0, hwpt_alloc(self->fd, x86dev, self->ioas_id, 0, &h1));
	ASSERT_EQ(0, dev_attach(self->fd, self->dev_id, h0, &out));

	/* x86-format HWPT: EINVAL */
	EXPECT_EQ(-EINVAL, dev_replace(self->fd, self->dev_id, h1, &out));
	/* an IOAS with a mapping in the SW_MSI window: EADDRINUSE */
	ASSERT_EQ(0, ioas_alloc(self->fd, &ioas2));
	ASSERT_EQ(0, ioas_map_fixed(self->fd, ioas2, self->buf, MOCK_PAGE,
				    MOCK_SW_MSI_START));
	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev_id, ioas2, 0, &h2));
	EXPECT_EQ(-EADDRINUSE, dev_replace(self->fd, self->dev_id, h2, &out));
	EXPECT_ONE_RANGE(self->fd, ioas2, MOCK_APERTURE_LAST_0);

	ASSERT_EQ(0, mock_obj_info(self->fd, self->dev_id, &info));
	EXPECT_EQ(h0, info.out_parent_id);
	ASSERT_EQ(0, dma_write(self->fd, self->dev_id, DMA_IOVA, data,
			       sizeof(data)));
	EXPECT_EQ(0, memcmp(self->buf, data, sizeof(data)));
	/* its reservations in the first IOAS are still held */
	EXPECT_EQ(-EINVAL, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
					  MOCK_PAGE, MOCK_SW_MSI_START));
}

/*
 * An attach command in a page made read-only once filled: the kernel reads
 * it, but cannot write the reply. NULL on failure.
 */
static struct iommu_mock_device_attach *ro_attach_cmd(uint32_t dev_id,
						      uint32_t pt_id,
						      uint32_t flags)
{
	struct iommu_mock_device_attach *cmd;

	cmd = mmap(NULL, MOCK_PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (cmd == MAP_FAILED)
		return NULL;
	memset(cmd, 0, sizeof(*cmd));
	cmd->size = sizeof(*cmd);
	cmd->flags = flags;
	cmd->dev_id = dev_id;
	cmd->pt_id = pt_id;
	if (mprotect(cmd, MOCK_PAGE, PROT_READ)) {
		munmap(cmd, MOCK_PAGE);
		return NULL;
	}
	return cmd;
}

static int ro_attach(int fd, uint32_t dev_id, uint32_t pt_id, uint32_t flags)
{
	struct iommu_mock_device_attach *cmd;
	int rc;

	cmd = ro_attach_cmd(dev_id, pt_id, flags);
	if (!cmd)
		return -ENOMEM;
	rc = mock_ioctl(fd, IOMMU_MOCK_DEVICE_ATTACH, cmd);
	munmap(cmd, MOCK_PAGE);
	return rc;
}

static uint32_t obj_users(int fd, uint32_t id)
{
	struct iommu_mock_object_info info;

	return mock_obj_info(fd, id, &info) ? UINT32_MAX : info.out_users;
}

TEST_F(dev, attach_reply_efault_changes_nothing)
{
	struct iommu_mock_object_info info;
	uint32_t hwpt, out;

	/* to an IOAS: no device attached, no automatic HWPT left behind */
	EXPECT_EQ(-EFAULT, ro_attach(self->fd, self->dev_id, self->ioas_id, 0));
	ASSERT_EQ(0, mock_obj_info(self->fd, self->dev_id, &info));
	EXPECT_EQ(0, info.out_parent_id);
	EXPECT_EQ(0, obj_users(self->fd, self->ioas_id));
	/* nor the device's reserved regions */
	EXPECT_ONE_RANGE(self->fd, self->ioas_id, UINT64_MAX);

	/* to a HWPT */
	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev_id, self->ioas_id, 0, &hwpt));
	EXPECT_EQ(-EFAULT, ro_attach(self->fd, self->dev_id, hwpt, 0));
	ASSERT_EQ(0, mock_obj_info(self->fd, self->dev_id, &info));
	EXPECT_EQ(0, info.out_parent_id);
	EXPECT_EQ(0, obj_users(self->fd, hwpt));
	EXPECT_ONE_RANGE(self->fd, self->ioas_id, MOCK_APERTURE_LAST_0);

	/* and the device attaches normally afterwards */
	ASSERT_EQ(0, mock_destroy(self->fd, hwpt));
	ASSERT_EQ(0, dev_attach(self->fd, self->dev_id, self->ioas_id, &out));
	EXPECT_EQ(1, obj_users(self->fd, out));
}

TEST_F(dev, replace_reply_efault_keeps_attachment)
{
	struct iommu_mock_object_info info;
	uint32_t ioas2, h1, h2;
	uint8_t data[8] = { 9, 8, 7, 6, 5, 4, 3, 2 };

	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    MOCK_PAGE, DMA_IOVA));
	ASSERT_EQ(0, dev_attach(self->fd, self->dev_id, self->ioas_id, &h1));
	ASSERT_EQ(0, ioas_alloc(self->fd, &ioas2));
	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev_id, ioas2, 0, &h2));

	/* to a HWPT, to another IOAS (a new automatic HWPT), to the same */
	EXPECT_EQ(-EFAULT, ro_attach(self->fd, self->dev_id, h2,
				     IOMMU_MOCK_ATTACH_REPLACE));
	EXPECT_EQ(-EFAULT, ro_attach(self->fd, self->dev_id, ioas2,
				     IOMMU_MOCK_ATTACH_REPLACE));
	EXPECT_EQ(-EFAULT, ro_attach(self->fd, self->dev_id, self->ioas_id,
				     IOMMU_MOCK_ATTACH_REPLACE));

	ASSERT_EQ(0, mock_obj_info(self->fd, self->dev_id, &info));
	EXPECT_EQ(h1, info.out_parent_id);
	EXPECT_EQ(1, obj_users(self->fd, h1));
	EXPECT_EQ(0, obj_users(self->fd, h2));
	/* ioas2 holds h2 only, and none of the device's reservations */
	EXPECT_EQ(1, obj_users(self->fd, ioas2));
	EXPECT_ONE_RANGE(self->fd, ioas2, MOCK_APERTURE_LAST_0);
	EXPECT_RANGES(self->fd, self->ioas_id, mock_facts[0].ranges_paging,
		      mock_facts[0].nranges_paging);
	ASSERT_EQ(0, dma_write(self->fd, self->dev_id, DMA_IOVA, data,
			       sizeof(data)));
	EXPECT_EQ(0, memcmp(self->buf, data, sizeof(data)));
}

TEST_F(dev, detach_errors)
{
	uint32_t hwpt;

	EXPECT_EQ(-EINVAL, dev_detach(self->fd, self->dev_id));
	ASSERT_EQ(0, dev_attach(self->fd, self->dev_id, self->ioas_id, &hwpt));
	EXPECT_EQ(0, dev_detach(self->fd, self->dev_id));
	EXPECT_EQ(-EINVAL, dev_detach(self->fd, self->dev_id));
	/* as upstream: an ID of another object type is not found */
	EXPECT_EQ(-ENOENT, dev_detach(self->fd, self->ioas_id));
	EXPECT_EQ(-ENOENT, dev_detach(self->fd, 0xfffffff0));
	EXPECT_EQ(-ENOENT, dev_detach(self->fd, 0));
}

TEST_F(dev, attach_bad_ids)
{
	uint32_t parent, viommu, out;

	EXPECT_EQ(-ENOENT, dev_attach(self->fd, self->dev_id, 0xfffffff0, &out));
	EXPECT_EQ(-ENOENT, dev_attach(self->fd, 0xfffffff0, self->ioas_id, &out));
	/* pt_id a device: EINVAL; dev_id an IOAS: not found, as upstream */
	EXPECT_EQ(-EINVAL, dev_attach(self->fd, self->dev_id, self->dev_id, &out));
	EXPECT_EQ(-ENOENT, dev_attach(self->fd, self->ioas_id, self->ioas_id,
				      &out));
	/* pt_id is a vIOMMU */
	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev_id, self->ioas_id,
				IOMMU_HWPT_ALLOC_NEST_PARENT, &parent));
	ASSERT_EQ(0, viommu_alloc(self->fd, self->dev_id, parent,
				  IOMMU_VIOMMU_TYPE_MOCK, &viommu));
	EXPECT_EQ(-EINVAL, dev_attach(self->fd, self->dev_id, viommu, &out));
}

TEST_F(dev, attach_flags_reserved_eopnotsupp)
{
	struct iommu_mock_device_attach cmd = {
		.size = sizeof(cmd),
		.flags = 1U << 2,
		.dev_id = self->dev_id,
		.pt_id = self->ioas_id,
	};
	struct iommu_mock_object_info info;

	EXPECT_EQ(-EOPNOTSUPP, mock_ioctl(self->fd, IOMMU_MOCK_DEVICE_ATTACH, &cmd));
	/* A PASID without IOMMU_MOCK_ATTACH_PASID */
	cmd.flags = 0;
	cmd.pasid = 1;
	EXPECT_EQ(-EOPNOTSUPP, mock_ioctl(self->fd, IOMMU_MOCK_DEVICE_ATTACH, &cmd));
	ASSERT_EQ(0, mock_obj_info(self->fd, self->dev_id, &info));
	EXPECT_EQ(0, info.out_parent_id);
}

TEST_F(dev, dma_not_attached_einval)
{
	uint8_t data[8];

	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    MOCK_PAGE, DMA_IOVA));
	EXPECT_EQ(-EINVAL, dma_read(self->fd, self->dev_id, DMA_IOVA, data,
				    sizeof(data)));
	EXPECT_EQ(-EINVAL, dma_write(self->fd, self->dev_id, DMA_IOVA, data,
				     sizeof(data)));
}

TEST_F(dev, dma_bad_length_einval)
{
	uint32_t hwpt;
	uint8_t data[8];

	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    MOCK_PAGE, DMA_IOVA));
	ASSERT_EQ(0, dev_attach(self->fd, self->dev_id, self->ioas_id, &hwpt));
	EXPECT_EQ(-EINVAL, dma_read(self->fd, self->dev_id, DMA_IOVA, data, 0));
	EXPECT_EQ(-EINVAL, dma_read(self->fd, self->dev_id, DMA_IOVA, data,
				    MOCK_DMA_MAX + 1));
	EXPECT_EQ(-EINVAL, dma_write(self->fd, self->dev_id, DMA_IOVA, data,
				     UINT64_MAX));
}

TEST_F(dev, dma_flags_reserved_eopnotsupp)
{
	uint8_t data[8] = { 0 };
	uint32_t hwpt;
	struct iommu_mock_dma cmd = {
		.size = sizeof(cmd),
		.flags = 1U << 2,
		.dev_id = self->dev_id,
		.iova = DMA_IOVA,
		.length = sizeof(data),
		.uptr = U64_PTR(data),
	};

	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    MOCK_PAGE, DMA_IOVA));
	ASSERT_EQ(0, dev_attach(self->fd, self->dev_id, self->ioas_id, &hwpt));
	EXPECT_EQ(-EOPNOTSUPP, mock_ioctl(self->fd, IOMMU_MOCK_DMA, &cmd));
	/* A PASID without IOMMU_MOCK_DMA_PASID */
	cmd.flags = IOMMU_MOCK_DMA_WRITE;
	cmd.pasid = 1;
	EXPECT_EQ(-EOPNOTSUPP, mock_ioctl(self->fd, IOMMU_MOCK_DMA, &cmd));
	/* PASID 0 is the RID's, beyond 20 bits none: both EINVAL */
	cmd.flags = IOMMU_MOCK_DMA_WRITE | IOMMU_MOCK_DMA_PASID;
	cmd.pasid = 0;
	EXPECT_EQ(-EINVAL, mock_ioctl(self->fd, IOMMU_MOCK_DMA, &cmd));
	cmd.pasid = 1U << 20;
	EXPECT_EQ(-EINVAL, mock_ioctl(self->fd, IOMMU_MOCK_DMA, &cmd));
	/* A PASID nothing is attached to, on an instance without a guest
	 * PASID table: no HWPT takes it
	 */
	cmd.pasid = 1;
	EXPECT_EQ(-EINVAL, mock_ioctl(self->fd, IOMMU_MOCK_DMA, &cmd));
	cmd.flags = IOMMU_MOCK_DMA_WRITE;
	cmd.pasid = 0;
	EXPECT_EQ(0, mock_ioctl(self->fd, IOMMU_MOCK_DMA, &cmd));
	EXPECT_EQ(0, cmd.out_fault_flags);
}

TEST_F(dev, dma_bad_uptr_efault)
{
	uint32_t hwpt;

	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    MOCK_PAGE, DMA_IOVA));
	ASSERT_EQ(0, dev_attach(self->fd, self->dev_id, self->ioas_id, &hwpt));
	EXPECT_EQ(-EFAULT, dma_read(self->fd, self->dev_id, DMA_IOVA,
				    (void *)(uintptr_t)8, 64));
	EXPECT_EQ(-EFAULT, dma_write(self->fd, self->dev_id, DMA_IOVA,
				     (void *)(uintptr_t)8, 64));
}

TEST_F(dev, dma_bad_ids)
{
	uint8_t data[8];

	EXPECT_EQ(-ENOENT, dma_read(self->fd, 0xfffffff0, DMA_IOVA, data,
				    sizeof(data)));
	EXPECT_EQ(-ENOENT, dma_read(self->fd, self->ioas_id, DMA_IOVA, data,
				    sizeof(data)));
}

TEST_F(dev, dma_16mib)
{
	const uint64_t len = MOCK_DMA_MAX;
	uint8_t *mem, *data;
	uint32_t hwpt;

	mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	data = mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mem);
	ASSERT_NE(MAP_FAILED, data);
	fill_pattern(data, len, 9);
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, mem, len,
				    0x1000000));
	ASSERT_EQ(0, dev_attach(self->fd, self->dev_id, self->ioas_id, &hwpt));
	ASSERT_EQ(0, dma_write(self->fd, self->dev_id, 0x1000000, data, len));
	EXPECT_EQ(0, memcmp(mem, data, len));
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, 0, UINT64_MAX, NULL));
	munmap(mem, len);
	munmap(data, len);
}

/*
 * Offsets that differ on both sides and a length over several of the
 * module's 128 KiB DMA steps: every byte lands where the IOVA says, in
 * both directions.
 */
TEST_F(dev, dma_unaligned_multi_step)
{
	const uint64_t len = 1 << 20, n = 300007;
	uint8_t *mem, *data, *back;
	uint32_t hwpt;

	mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	data = mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	back = mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mem);
	ASSERT_NE(MAP_FAILED, data);
	ASSERT_NE(MAP_FAILED, back);
	memset(mem, 0x5a, len);
	fill_pattern(data, len, 3);
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, mem, len,
				    0x1000000));
	ASSERT_EQ(0, dev_attach(self->fd, self->dev_id, self->ioas_id, &hwpt));
	ASSERT_EQ(0, dma_write(self->fd, self->dev_id, 0x1000000 + 100,
			       data + 7, n));
	EXPECT_EQ(0, memcmp(mem + 100, data + 7, n));
	EXPECT_EQ(0x5a, mem[99]);
	EXPECT_EQ(0x5a, mem[100 + n]);
	ASSERT_EQ(0, dma_read(self->fd, self->dev_id, 0x1000000 + 4095,
			      back + 1, n));
	EXPECT_EQ(0, memcmp(back + 1, mem + 4095, n));
	EXPECT_EQ(0, back[0]);
	EXPECT_EQ(0, back[1 + n]);
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, 0, UINT64_MAX, NULL));
	munmap(mem, len);
	munmap(data, len);
	munmap(back, len);
}

/*
 * A user buffer the device cannot write (read-only) or that ends early
 * answers EFAULT; an unmapped IOVA met before the bad user byte answers
 * ENOENT, as a device walking the range in order meets it first.
 */
TEST_F(dev, dma_user_buffer_errors_in_order)
{
	const uint64_t page = sysconf(_SC_PAGESIZE);
	uint8_t *ro, *two;
	uint32_t hwpt;

	ro = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	two = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_NE(MAP_FAILED, two);
	ASSERT_EQ(0, munmap(two + page, page));
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, self->buf,
				    MOCK_PAGE, DMA_IOVA));
	ASSERT_EQ(0, dev_attach(self->fd, self->dev_id, self->ioas_id, &hwpt));
	/* the device reads memory into a read-only buffer */
	EXPECT_EQ(-EFAULT, dma_read(self->fd, self->dev_id, DMA_IOVA, ro, 64));
	/* writing from a read-only buffer is fine */
	EXPECT_EQ(0, dma_write(self->fd, self->dev_id, DMA_IOVA, ro, 64));
	/* the buffer ends inside the mapped IOVA range */
	EXPECT_EQ(-EFAULT, dma_write(self->fd, self->dev_id, DMA_IOVA,
				     two + 64, MOCK_PAGE));
	/* the IOVA after the mapping is met before the buffer's end */
	EXPECT_EQ(-ENOENT, dma_write(self->fd, self->dev_id,
				     DMA_IOVA + MOCK_PAGE - 64, two + 64,
				     page));
	munmap(ro, page);
	munmap(two, page);
}

TEST_F(dev, kernel_chosen_iova_skips_reserved)
{
	const uint64_t chunk = 8ULL << 20, two_mib = 2ULL << 20;
	/* the first 2 MiB aligned IOVA above the SW_MSI window */
	const uint64_t above = (MOCK_SW_MSI_LAST + two_mib) & ~(two_mib - 1);
	struct mock_mem m;
	uint64_t at, iova;
	uint32_t hwpt;

	/* instance 0: the lowest hole [PAGE_SIZE, SW_MSI start) gets filled */
	ASSERT_EQ(0, dev_attach(self->fd, self->dev_id, self->ioas_id, &hwpt));
	/* 2 MiB aligned memory: the IOVA chosen is min(length, 2 MiB) aligned */
	ASSERT_EQ(0, mock_mem_alloc(&m, 2 * chunk, two_mib, 0));
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, m.p, MOCK_PAGE,
				    MOCK_PAGE));
	for (at = chunk; at < MOCK_SW_MSI_START; at += chunk) {
		ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas_id, m.p, chunk,
					    at));
	}
	ASSERT_EQ(0, ioas_map_any(self->fd, self->ioas_id, m.p, MOCK_PAGE,
				  &iova));
	EXPECT_EQ(2 * MOCK_PAGE, iova);
	ASSERT_EQ(0, ioas_map_any(self->fd, self->ioas_id, m.p, 2 * MOCK_PAGE,
				  &iova));
	EXPECT_EQ(4 * MOCK_PAGE, iova);
	/* 8 MiB, 2 MiB aligned: [6 pages, 8 MiB) is too small, so above SW_MSI */
	ASSERT_EQ(0, ioas_map_any(self->fd, self->ioas_id, m.p, chunk, &iova));
	EXPECT_EQ(above, iova);
	/* a bigger hole, still too small for 16 MiB, is skipped as well */
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, chunk, chunk, NULL));
	ASSERT_EQ(0, ioas_map_any(self->fd, self->ioas_id, m.p, 2 * chunk,
				  &iova));
	EXPECT_EQ(above + chunk, iova);
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, 0, UINT64_MAX, NULL));
	mock_mem_free(&m);
}

TEST_F(dev, resv_regions_errors)
{
	struct iommu_resv_region_info r[2];
	struct iommu_device_resv_regions cmd = {
		.size = sizeof(cmd),
		.dev_id = self->dev_id,
		.num_regions = 2,
		.__reserved = 1,
		.regions_uptr = U64_PTR(r),
	};
	uint32_t num = 2;

	EXPECT_EQ(-EOPNOTSUPP, mock_ioctl(self->fd,
					  IOMMU_DEVICE_GET_RESV_REGIONS, &cmd));
	EXPECT_EQ(-ENOENT, resv_regions(self->fd, 0xfffffff0, r, &num));
	num = 2;
	EXPECT_EQ(-ENOENT, resv_regions(self->fd, 0, r, &num));
	num = 2;
	EXPECT_EQ(-ENOENT, resv_regions(self->fd, self->ioas_id, r, &num));
	num = 2;
	EXPECT_EQ(-EFAULT, resv_regions(self->fd, self->dev_id,
					(void *)(uintptr_t)8, &num));
	num = 2;
	EXPECT_EQ(0, resv_regions(self->fd, self->dev_id, r, &num));
	EXPECT_EQ(2, num);
}

TEST_F(dev, object_info_unknown_enoent)
{
	struct iommu_mock_object_info info;

	EXPECT_EQ(-ENOENT, mock_obj_info(self->fd, 0, &info));
	EXPECT_EQ(-ENOENT, mock_obj_info(self->fd, 0xfffffff0, &info));
}

/* ---- GET_HW_INFO ------------------------------------------------------------ */

TEST_F(dev, hw_info_zero_len_reports_size)
{
	struct iommu_hw_info cmd;

	ASSERT_EQ(0, hw_info_cmd(self->fd, &cmd, self->dev_id, 0, 0, NULL, 0));
	EXPECT_EQ(sizeof(struct iommu_hw_info_mock), cmd.data_len);
	EXPECT_EQ(IOMMU_HW_INFO_TYPE_MOCK, cmd.out_data_type);
}

TEST_F(dev, hw_info_outputs)
{
	struct iommu_hw_info_mock hi;
	struct iommu_hw_info cmd;

	memset(&hi, 0, sizeof(hi));
	ASSERT_EQ(0, hw_info_cmd(self->fd, &cmd, self->dev_id, 0, 0, &hi,
				 sizeof(hi)));
	EXPECT_EQ(sizeof(hi), cmd.data_len);
	EXPECT_EQ(IOMMU_HW_INFO_TYPE_MOCK, cmd.out_data_type);
	EXPECT_EQ(0, cmd.out_max_pasid_log2);
	EXPECT_EQ(0, cmd.out_capabilities & IOMMU_HW_CAP_DIRTY_TRACKING);
	EXPECT_EQ(0, hi.instance_id);
	EXPECT_EQ(IOMMU_MOCK_S1_FORMAT_ARM_LPAE, hi.s1_format);
}

TEST_F(dev, hw_info_short_buffer_prefix)
{
	struct iommu_hw_info_mock full;
	struct iommu_hw_info cmd;
	uint8_t buf[sizeof(full)];

	ASSERT_EQ(0, hw_info(self->fd, self->dev_id, &full));
	memset(buf, 0xa5, sizeof(buf));
	ASSERT_EQ(0, hw_info_cmd(self->fd, &cmd, self->dev_id, 0, 0, buf, 12));
	EXPECT_EQ(sizeof(full), cmd.data_len);
	EXPECT_EQ(0, memcmp(buf, &full, 12));
	/* nothing past the given length */
	EXPECT_EQ(0xa5, buf[12]);
	EXPECT_EQ(0xa5, buf[sizeof(buf) - 1]);
}

TEST_F(dev, hw_info_long_buffer_zeroed)
{
	struct iommu_hw_info_mock full;
	struct iommu_hw_info cmd;
	uint8_t buf[sizeof(full) + 40];
	size_t i;

	ASSERT_EQ(0, hw_info(self->fd, self->dev_id, &full));
	memset(buf, 0xa5, sizeof(buf));
	ASSERT_EQ(0, hw_info_cmd(self->fd, &cmd, self->dev_id, 0, 0, buf,
				 sizeof(buf)));
	EXPECT_EQ(sizeof(full), cmd.data_len);
	EXPECT_EQ(0, memcmp(buf, &full, sizeof(full)));
	for (i = sizeof(full); i < sizeof(buf); i++) {
		EXPECT_EQ(0, buf[i]) TH_LOG("byte %zu", i);
	}
}

TEST_F(dev, hw_info_input_type)
{
	struct iommu_hw_info_mock full, hi;
	struct iommu_hw_info cmd;

	ASSERT_EQ(0, hw_info(self->fd, self->dev_id, &full));
	memset(&hi, 0, sizeof(hi));
	ASSERT_EQ(0, hw_info_cmd(self->fd, &cmd, self->dev_id,
				 IOMMU_HW_INFO_FLAG_INPUT_TYPE,
				 IOMMU_HW_INFO_TYPE_MOCK, &hi, sizeof(hi)));
	EXPECT_EQ(IOMMU_HW_INFO_TYPE_MOCK, cmd.out_data_type);
	EXPECT_EQ(0, memcmp(&hi, &full, sizeof(hi)));
	memset(&hi, 0, sizeof(hi));
	ASSERT_EQ(0, hw_info_cmd(self->fd, &cmd, self->dev_id,
				 IOMMU_HW_INFO_FLAG_INPUT_TYPE,
				 IOMMU_HW_INFO_TYPE_DEFAULT, &hi, sizeof(hi)));
	EXPECT_EQ(IOMMU_HW_INFO_TYPE_MOCK, cmd.out_data_type);
	EXPECT_EQ(0, memcmp(&hi, &full, sizeof(hi)));
}

TEST_F(dev, hw_info_other_type_eopnotsupp)
{
	struct iommu_hw_info_mock hi;
	struct iommu_hw_info cmd;

	EXPECT_EQ(-EOPNOTSUPP,
		  hw_info_cmd(self->fd, &cmd, self->dev_id,
			      IOMMU_HW_INFO_FLAG_INPUT_TYPE,
			      IOMMU_HW_INFO_TYPE_INTEL_VTD, &hi, sizeof(hi)));
	EXPECT_EQ(-EOPNOTSUPP,
		  hw_info_cmd(self->fd, &cmd, self->dev_id,
			      IOMMU_HW_INFO_FLAG_INPUT_TYPE,
			      IOMMU_HW_INFO_TYPE_ARM_SMMUV3, &hi, sizeof(hi)));
	EXPECT_EQ(-EOPNOTSUPP,
		  hw_info_cmd(self->fd, &cmd, self->dev_id,
			      IOMMU_HW_INFO_FLAG_INPUT_TYPE, 0x1234, &hi,
			      sizeof(hi)));
}

TEST_F(dev, hw_info_flags_reserved_eopnotsupp)
{
	struct iommu_hw_info_mock hi;
	struct iommu_hw_info cmd = {
		.size = sizeof(cmd),
		.flags = 1U << 1,
		.dev_id = self->dev_id,
		.data_len = sizeof(hi),
		.data_uptr = U64_PTR(&hi),
	};

	EXPECT_EQ(-EOPNOTSUPP, mock_ioctl(self->fd, IOMMU_GET_HW_INFO, &cmd));
	cmd.flags = 0;
	cmd.__reserved[1] = 1;
	EXPECT_EQ(-EOPNOTSUPP, mock_ioctl(self->fd, IOMMU_GET_HW_INFO, &cmd));
}

TEST_F(dev, hw_info_bad_ids_and_pointer)
{
	struct iommu_hw_info_mock hi;
	struct iommu_hw_info cmd;

	EXPECT_EQ(-ENOENT, hw_info_cmd(self->fd, &cmd, 0xfffffff0, 0, 0, &hi,
				       sizeof(hi)));
	EXPECT_EQ(-ENOENT, hw_info_cmd(self->fd, &cmd, self->ioas_id, 0, 0, &hi,
				       sizeof(hi)));
	EXPECT_EQ(-EFAULT, hw_info_cmd(self->fd, &cmd, self->dev_id, 0, 0,
				       (void *)(uintptr_t)8, sizeof(hi)));
}

TEST_F(dev, hw_info_old_struct_size)
{
	/* upstream's first iommu_hw_info ended at __reserved */
	struct iommu_hw_info_mock hi;
	struct iommu_hw_info cmd;

	memset(&hi, 0, sizeof(hi));
	memset(&cmd, 0, sizeof(cmd));
	cmd.size = offsetof(struct iommu_hw_info, out_capabilities);
	cmd.dev_id = self->dev_id;
	cmd.data_len = sizeof(hi);
	cmd.data_uptr = U64_PTR(&hi);
	cmd.out_capabilities = 0x5a5a;
	ASSERT_EQ(0, mock_ioctl(self->fd, IOMMU_GET_HW_INFO, &cmd));
	EXPECT_EQ(IOMMU_HW_INFO_TYPE_MOCK, cmd.out_data_type);
	EXPECT_EQ(sizeof(hi), cmd.data_len);
	EXPECT_EQ(IOMMU_MOCK_S1_FORMAT_ARM_LPAE, hi.s1_format);
	/* the kernel writes only what the caller's struct holds */
	EXPECT_EQ(0x5a5a, cmd.out_capabilities);
}

/* ---- INSTANCE_INFO ---------------------------------------------------------- */

TEST_F(dev, instance_info_emsgsize_protocol)
{
	struct iommu_hw_info_mock all[MOCK_ALL_INSTANCES];
	uint32_t num = 0;

	ASSERT_EQ(-EMSGSIZE, instance_info(self->fd, NULL, &num));
	ASSERT_EQ(MOCK_ALL_INSTANCES, num);
	ASSERT_EQ(0, instance_info(self->fd, all, &num));
	EXPECT_EQ(MOCK_ALL_INSTANCES, num);
}

TEST_F(dev, instance_info_values)
{
	struct iommu_hw_info_mock all[MOCK_ALL_INSTANCES];
	uint32_t num = MOCK_ALL_INSTANCES, i;

	memset(all, 0, sizeof(all));
	ASSERT_EQ(0, instance_info(self->fd, all, &num));
	for (i = 0; i < MOCK_NUM_INSTANCES; i++) {
		EXPECT_EQ(i, all[i].instance_id);
		EXPECT_EQ(mock_facts[i].s1_format, all[i].s1_format)
			TH_LOG("instance %u", i);
		EXPECT_EQ(mock_facts[i].sid_bits, all[i].sid_bits)
			TH_LOG("instance %u", i);
		EXPECT_EQ(mock_facts[i].hw_flags, all[i].flags)
			TH_LOG("instance %u", i);
		EXPECT_EQ(mock_facts[i].aperture_last, all[i].aperture_last)
			TH_LOG("instance %u", i);
		EXPECT_EQ(mock_facts[i].nregions, all[i].num_resv_regions)
			TH_LOG("instance %u", i);
		EXPECT_EQ(mock_s1_format(i), all[i].s1_format);
	}
	/* The SMMUv3 instance follows the mock ones */
	EXPECT_EQ(MOCK_SMMUV3_INST, all[MOCK_SMMUV3_INST].instance_id);
	EXPECT_EQ(IOMMU_HW_INFO_MOCK_VIOMMU | IOMMU_HW_INFO_MOCK_NESTING |
		  IOMMU_HW_INFO_MOCK_ARM_SMMUV3, all[MOCK_SMMUV3_INST].flags);
	EXPECT_EQ(IOMMU_MOCK_S1_FORMAT_ARM_SMMUV3,
		  all[MOCK_SMMUV3_INST].s1_format);
	EXPECT_EQ(16, all[MOCK_SMMUV3_INST].sid_bits);
	EXPECT_EQ((1ULL << 48) - 1, all[MOCK_SMMUV3_INST].aperture_last);
	/* Then the VT-d one */
	EXPECT_EQ(MOCK_VTD_INST, all[MOCK_VTD_INST].instance_id);
	EXPECT_EQ(IOMMU_HW_INFO_MOCK_NESTING | IOMMU_HW_INFO_MOCK_INTEL_VTD,
		  all[MOCK_VTD_INST].flags);
	EXPECT_EQ(IOMMU_MOCK_S1_FORMAT_INTEL_VTD, all[MOCK_VTD_INST].s1_format);
	EXPECT_EQ(57, all[MOCK_VTD_INST].s1_ias);
	EXPECT_EQ((1ULL << 48) - 1, all[MOCK_VTD_INST].aperture_last);
}

TEST_F(dev, instance_info_short_array_prefix)
{
	struct iommu_hw_info_mock all[MOCK_ALL_INSTANCES];
	uint32_t num = 1;

	memset(all, 0xa5, sizeof(all));
	ASSERT_EQ(-EMSGSIZE, instance_info(self->fd, all, &num));
	EXPECT_EQ(MOCK_ALL_INSTANCES, num);
	EXPECT_EQ(0, all[0].instance_id);
	EXPECT_EQ(IOMMU_MOCK_S1_FORMAT_ARM_LPAE, all[0].s1_format);
	EXPECT_EQ(0xa5a5a5a5U, all[1].instance_id);
}

TEST_F(dev, instance_info_bigger_array_and_efault)
{
	struct iommu_hw_info_mock all[MOCK_ALL_INSTANCES + 2];
	uint32_t num = MOCK_ALL_INSTANCES + 2;

	ASSERT_EQ(0, instance_info(self->fd, all, &num));
	EXPECT_EQ(MOCK_ALL_INSTANCES, num);
	EXPECT_EQ(2, all[2].instance_id);
	num = MOCK_ALL_INSTANCES;
	EXPECT_EQ(-EFAULT, instance_info(self->fd, (void *)(uintptr_t)8, &num));
}

TEST_HARNESS_MAIN
