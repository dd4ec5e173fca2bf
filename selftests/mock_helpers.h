/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared helpers of the iommufd_mock selftests: thin ioctl wrappers that
 * return 0 or -errno (so a test can write EXPECT_EQ(-EEXIST, ...)), buffers,
 * and the module facts the tests rely on.
 *
 * Include this instead of kselftest_harness.h: it includes the harness.
 */
#ifndef MOCK_HELPERS_H
#define MOCK_HELPERS_H

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/iommufd_mock.h>

/*
 * The tests are built with -Wall -Wextra -Werror. Three -Wextra warnings come
 * from the harness's own code and macros, not from the tests, so they are
 * silenced for the whole file:
 *  - unused-parameter: its timeout handler, and TEST() bodies that never use
 *    the variant parameter the macro declares;
 *  - clobbered: its TEST_F() wrapper keeps a local across setjmp();
 *  - sign-compare: EXPECT_*()/ASSERT_*() copy both operands into __typeof__
 *    variables, so a literal or an enum compared with a __u32 field warns.
 *    Both values are printed on a mismatch, so nothing is lost.
 */
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wclobbered"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include "kselftest_harness.h"

/* ---- module facts (README of the module, not in the headers) ---------- */

#define MOCK_PAGE		4096ULL
#define MOCK_NUM_INSTANCES	3	/* own mock instances, 0-2 */
#define MOCK_SMMUV3_INST	3	/* the default set's SMMUv3 instance */
#define MOCK_VTD_INST		4	/* the default set's VT-d instance */
#define MOCK_ALL_INSTANCES	5	/* what IOMMU_MOCK_INSTANCE_INFO lists */
#define MOCK_SYSFS_DEVICES	"/sys/bus/mockiommu/devices"
#define MOCK_DMA_MAX		(16ULL << 20)

/* ARM-like SW_MSI window of instances 0 and 2 */
#define MOCK_SW_MSI_START	0x8000000ULL
#define MOCK_SW_MSI_LAST	0x80fffffULL
/* instance 0: RESV_DIRECT */
#define MOCK_DIRECT_START	0x70000000ULL
#define MOCK_DIRECT_LAST	0x7000ffffULL
/* instance 1 (x86-like): MSI and RESERVED */
#define MOCK_X86_MSI_START	0xfee00000ULL
#define MOCK_X86_MSI_LAST	0xfeefffffULL
#define MOCK_X86_RSV_START	0xb0000000ULL
#define MOCK_X86_RSV_LAST	0xbfffffffULL

#define MOCK_APERTURE_LAST_0	((1ULL << 48) - 1)
#define MOCK_APERTURE_LAST_1	((1ULL << 39) - 1)
#define MOCK_APERTURE_LAST_2	((1ULL << 44) - 1)

static inline uint64_t mock_aperture_last(unsigned int inst)
{
	switch (inst) {
	case 0:
		return MOCK_APERTURE_LAST_0;
	case 1:
		return MOCK_APERTURE_LAST_1;
	default:
		return MOCK_APERTURE_LAST_2;
	}
}

/*
 * What each default instance reports: its reserved regions (sorted by start)
 * and the allowed IOVA ranges of an IOAS holding one paging HWPT of the
 * instance with one of its devices attached, directly ("paging", also a
 * NEST_PARENT HWPT) or through a nested HWPT ("nested": only SW_MSI taken).
 */
struct mock_inst_facts {
	uint32_t s1_format;
	uint32_t sid_bits;
	uint32_t hw_flags;
	uint64_t aperture_last;
	uint32_t nregions;
	struct iommu_resv_region_info regions[2];
	uint32_t nranges_paging;
	struct iommu_iova_range ranges_paging[3];
	uint32_t nranges_nested;
	struct iommu_iova_range ranges_nested[3];
};

static const struct mock_inst_facts mock_facts[MOCK_NUM_INSTANCES] = {
	[0] = {
		.s1_format = IOMMU_MOCK_S1_FORMAT_ARM_LPAE,
		.sid_bits = 16,
		.hw_flags = IOMMU_HW_INFO_MOCK_VIOMMU | IOMMU_HW_INFO_MOCK_NESTING,
		.aperture_last = MOCK_APERTURE_LAST_0,
		.nregions = 2,
		.regions = {
			{ MOCK_SW_MSI_START, MOCK_SW_MSI_LAST,
			  IOMMU_RESV_TYPE_SW_MSI, 0 },
			{ MOCK_DIRECT_START, MOCK_DIRECT_LAST,
			  IOMMU_RESV_TYPE_DIRECT,
			  IOMMU_RESV_REGION_READ | IOMMU_RESV_REGION_WRITE },
		},
		.nranges_paging = 3,
		.ranges_paging = {
			{ 0, MOCK_SW_MSI_START - 1 },
			{ MOCK_SW_MSI_LAST + 1, MOCK_DIRECT_START - 1 },
			{ MOCK_DIRECT_LAST + 1, MOCK_APERTURE_LAST_0 },
		},
		.nranges_nested = 2,
		.ranges_nested = {
			{ 0, MOCK_SW_MSI_START - 1 },
			{ MOCK_SW_MSI_LAST + 1, MOCK_APERTURE_LAST_0 },
		},
	},
	[1] = {
		.s1_format = IOMMU_MOCK_S1_FORMAT_X86_FL,
		.sid_bits = 16,
		.hw_flags = IOMMU_HW_INFO_MOCK_NESTING,
		.aperture_last = MOCK_APERTURE_LAST_1,
		.nregions = 2,
		.regions = {
			{ MOCK_X86_RSV_START, MOCK_X86_RSV_LAST,
			  IOMMU_RESV_TYPE_RESERVED, 0 },
			{ MOCK_X86_MSI_START, MOCK_X86_MSI_LAST,
			  IOMMU_RESV_TYPE_MSI, 0 },
		},
		.nranges_paging = 3,
		.ranges_paging = {
			{ 0, MOCK_X86_RSV_START - 1 },
			{ MOCK_X86_RSV_LAST + 1, MOCK_X86_MSI_START - 1 },
			{ MOCK_X86_MSI_LAST + 1, MOCK_APERTURE_LAST_1 },
		},
		.nranges_nested = 1,
		.ranges_nested = {
			{ 0, MOCK_APERTURE_LAST_1 },
		},
	},
	[2] = {
		.s1_format = IOMMU_MOCK_S1_FORMAT_ARM_LPAE,
		.sid_bits = 8,
		.hw_flags = IOMMU_HW_INFO_MOCK_VIOMMU | IOMMU_HW_INFO_MOCK_NESTING,
		.aperture_last = MOCK_APERTURE_LAST_2,
		.nregions = 1,
		.regions = {
			{ MOCK_SW_MSI_START, MOCK_SW_MSI_LAST,
			  IOMMU_RESV_TYPE_SW_MSI, 0 },
		},
		.nranges_paging = 2,
		.ranges_paging = {
			{ 0, MOCK_SW_MSI_START - 1 },
			{ MOCK_SW_MSI_LAST + 1, MOCK_APERTURE_LAST_2 },
		},
		.nranges_nested = 2,
		.ranges_nested = {
			{ 0, MOCK_SW_MSI_START - 1 },
			{ MOCK_SW_MSI_LAST + 1, MOCK_APERTURE_LAST_2 },
		},
	},
};

static inline uint32_t mock_s1_format(unsigned int inst)
{
	return (inst & 1) ? IOMMU_MOCK_S1_FORMAT_X86_FL :
			    IOMMU_MOCK_S1_FORMAT_ARM_LPAE;
}

/* ---- raw access ---------------------------------------------------------- */

static inline int mock_open(void)
{
	return open(IOMMUFD_MOCK_DEVICE_PATH, O_RDWR | O_CLOEXEC);
}

/* ioctl() as 0 or -errno */
static inline int mock_ioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

#define U64_PTR(p) ((__u64)(uintptr_t)(p))

/* ---- generic ------------------------------------------------------------ */

static inline int mock_destroy(int fd, uint32_t id)
{
	struct iommu_destroy cmd = { .size = sizeof(cmd), .id = id };

	return mock_ioctl(fd, IOMMU_DESTROY, &cmd);
}

static inline int mock_obj_info(int fd, uint32_t id,
				struct iommu_mock_object_info *info)
{
	memset(info, 0, sizeof(*info));
	info->size = sizeof(*info);
	info->id = id;
	return mock_ioctl(fd, IOMMU_MOCK_OBJECT_INFO, info);
}

/* True if @id names no object of @fd (OBJECT_INFO says ENOENT). */
static inline bool mock_obj_gone(int fd, uint32_t id)
{
	struct iommu_mock_object_info info;

	return mock_obj_info(fd, id, &info) == -ENOENT;
}

/* ---- IOAS ------------------------------------------------------------- */

static inline int ioas_alloc(int fd, uint32_t *ioas_id)
{
	struct iommu_ioas_alloc cmd = { .size = sizeof(cmd) };
	int ret = mock_ioctl(fd, IOMMU_IOAS_ALLOC, &cmd);

	if (!ret && ioas_id)
		*ioas_id = cmd.out_ioas_id;
	return ret;
}

/* Map with explicit flags; *iova is in (FIXED) and out. */
static inline int ioas_map_flags(int fd, uint32_t ioas_id, uint32_t flags,
				 const void *va, uint64_t length, uint64_t *iova)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.ioas_id = ioas_id,
		.user_va = U64_PTR(va),
		.length = length,
		.iova = iova ? *iova : 0,
	};
	int ret = mock_ioctl(fd, IOMMU_IOAS_MAP, &cmd);

	if (!ret && iova)
		*iova = cmd.iova;
	return ret;
}

#define MAP_RW (IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE)

static inline int ioas_map_fixed(int fd, uint32_t ioas_id, const void *va,
				 uint64_t length, uint64_t iova)
{
	return ioas_map_flags(fd, ioas_id, MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA,
			      va, length, &iova);
}

static inline int ioas_map_any(int fd, uint32_t ioas_id, const void *va,
			       uint64_t length, uint64_t *iova)
{
	*iova = 0;
	return ioas_map_flags(fd, ioas_id, MAP_RW, va, length, iova);
}

static inline int ioas_unmap(int fd, uint32_t ioas_id, uint64_t iova,
			     uint64_t length, uint64_t *out_len)
{
	struct iommu_ioas_unmap cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas_id,
		.iova = iova,
		.length = length,
	};
	int ret = mock_ioctl(fd, IOMMU_IOAS_UNMAP, &cmd);

	if (!ret && out_len)
		*out_len = cmd.length;
	return ret;
}

/* *num in: array entries, out: ranges the IOAS has (also on EMSGSIZE). */
static inline int ioas_ranges(int fd, uint32_t ioas_id,
			      struct iommu_iova_range *ranges, uint32_t *num,
			      uint64_t *align)
{
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas_id,
		.num_iovas = *num,
		.allowed_iovas = U64_PTR(ranges),
	};
	int ret = mock_ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &cmd);

	if (!ret || ret == -EMSGSIZE)
		*num = cmd.num_iovas;
	if (!ret && align)
		*align = cmd.out_iova_alignment;
	return ret;
}

/* out_iova_alignment of @ioas, or 0 if IOAS_IOVA_RANGES failed. */
static inline uint64_t ioas_alignment(int fd, uint32_t ioas_id)
{
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas_id,
	};
	int ret = mock_ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &cmd);

	return ret && ret != -EMSGSIZE ? 0 : cmd.out_iova_alignment;
}

static inline int ioas_allow_iovas(int fd, uint32_t ioas_id,
				   const struct iommu_iova_range *ranges,
				   uint32_t num)
{
	struct iommu_ioas_allow_iovas cmd = {
		.size = sizeof(cmd),
		.ioas_id = ioas_id,
		.num_iovas = num,
		.allowed_iovas = U64_PTR(ranges),
	};

	return mock_ioctl(fd, IOMMU_IOAS_ALLOW_IOVAS, &cmd);
}

/* IOAS_COPY; *dst_iova is in (FIXED_IOVA in @flags) and out. */
static inline int ioas_copy(int fd, uint32_t dst_ioas, uint64_t *dst_iova,
			    uint32_t flags, uint32_t src_ioas,
			    uint64_t src_iova, uint64_t length)
{
	struct iommu_ioas_copy cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dst_ioas_id = dst_ioas,
		.src_ioas_id = src_ioas,
		.length = length,
		.dst_iova = dst_iova ? *dst_iova : 0,
		.src_iova = src_iova,
	};
	int ret = mock_ioctl(fd, IOMMU_IOAS_COPY, &cmd);

	if (!ret && dst_iova)
		*dst_iova = cmd.dst_iova;
	return ret;
}

/* IOMMU_OPTION; *val is in (SET) and out (GET, written only on success). */
static inline int mock_option(int fd, uint32_t option_id, uint16_t op,
			      uint32_t object_id, uint64_t *val)
{
	struct iommu_option cmd = {
		.size = sizeof(cmd),
		.option_id = option_id,
		.op = op,
		.object_id = object_id,
		.val64 = *val,
	};
	int ret = mock_ioctl(fd, IOMMU_OPTION, &cmd);

	*val = cmd.val64;
	return ret;
}

static inline int option_set(int fd, uint32_t option_id, uint32_t object_id,
			     uint64_t val)
{
	return mock_option(fd, option_id, IOMMU_OPTION_OP_SET, object_id, &val);
}

static inline int option_get(int fd, uint32_t option_id, uint32_t object_id,
			     uint64_t *val)
{
	*val = 0xdeadbeef;
	return mock_option(fd, option_id, IOMMU_OPTION_OP_GET, object_id, val);
}

/* ---- mock devices ------------------------------------------------------ */

static inline int dev_alloc(int fd, uint32_t inst, uint32_t sid,
			    uint32_t *dev_id)
{
	struct iommu_mock_device_alloc cmd = {
		.size = sizeof(cmd),
		.instance_id = inst,
		.stream_id = sid,
	};
	int ret = mock_ioctl(fd, IOMMU_MOCK_DEVICE_ALLOC, &cmd);

	if (!ret && dev_id)
		*dev_id = cmd.out_dev_id;
	return ret;
}

static inline int dev_attach_flags(int fd, uint32_t dev_id, uint32_t pt_id,
				   uint32_t flags, uint32_t *hwpt_id)
{
	struct iommu_mock_device_attach cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = dev_id,
		.pt_id = pt_id,
	};
	int ret = mock_ioctl(fd, IOMMU_MOCK_DEVICE_ATTACH, &cmd);

	if (!ret && hwpt_id)
		*hwpt_id = cmd.out_hwpt_id;
	return ret;
}

static inline int dev_attach(int fd, uint32_t dev_id, uint32_t pt_id,
			     uint32_t *hwpt_id)
{
	return dev_attach_flags(fd, dev_id, pt_id, 0, hwpt_id);
}

static inline int dev_replace(int fd, uint32_t dev_id, uint32_t pt_id,
			      uint32_t *hwpt_id)
{
	return dev_attach_flags(fd, dev_id, pt_id, IOMMU_MOCK_ATTACH_REPLACE,
				hwpt_id);
}

static inline int dev_detach(int fd, uint32_t dev_id)
{
	struct iommu_mock_device_detach cmd = {
		.size = sizeof(cmd),
		.dev_id = dev_id,
	};

	return mock_ioctl(fd, IOMMU_MOCK_DEVICE_DETACH, &cmd);
}

static inline int dev_dma(int fd, uint32_t dev_id, uint32_t flags,
			  uint64_t iova, void *buf, uint64_t length)
{
	struct iommu_mock_dma cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = dev_id,
		.iova = iova,
		.length = length,
		.uptr = U64_PTR(buf),
	};

	return mock_ioctl(fd, IOMMU_MOCK_DMA, &cmd);
}

/* The device writes @length bytes of @buf at @iova. */
static inline int dma_write(int fd, uint32_t dev_id, uint64_t iova,
			    const void *buf, uint64_t length)
{
	return dev_dma(fd, dev_id, IOMMU_MOCK_DMA_WRITE, iova, (void *)buf,
		       length);
}

/* The device reads @length bytes at @iova into @buf. */
static inline int dma_read(int fd, uint32_t dev_id, uint64_t iova, void *buf,
			   uint64_t length)
{
	return dev_dma(fd, dev_id, 0, iova, buf, length);
}

static inline int resv_regions(int fd, uint32_t dev_id,
			       struct iommu_resv_region_info *regions,
			       uint32_t *num)
{
	struct iommu_device_resv_regions cmd = {
		.size = sizeof(cmd),
		.dev_id = dev_id,
		.num_regions = *num,
		.regions_uptr = U64_PTR(regions),
	};
	int ret = mock_ioctl(fd, IOMMU_DEVICE_GET_RESV_REGIONS, &cmd);

	if (!ret || ret == -EMSGSIZE)
		*num = cmd.num_regions;
	return ret;
}

static inline int instance_info(int fd, struct iommu_hw_info_mock *arr,
				uint32_t *num)
{
	struct iommu_mock_instance_info cmd = {
		.size = sizeof(cmd),
		.num_instances = *num,
		.instances_uptr = U64_PTR(arr),
	};
	int ret = mock_ioctl(fd, IOMMU_MOCK_INSTANCE_INFO, &cmd);

	if (!ret || ret == -EMSGSIZE)
		*num = cmd.num_instances;
	return ret;
}

/* GET_HW_INFO with a struct iommu_hw_info_mock buffer; @cmd is filled. */
static inline int hw_info_cmd(int fd, struct iommu_hw_info *cmd,
			      uint32_t dev_id, uint32_t flags, uint32_t in_type,
			      void *buf, uint32_t len)
{
	memset(cmd, 0, sizeof(*cmd));
	cmd->size = sizeof(*cmd);
	cmd->flags = flags;
	cmd->dev_id = dev_id;
	cmd->data_len = len;
	cmd->data_uptr = U64_PTR(buf);
	cmd->in_data_type = in_type;
	return mock_ioctl(fd, IOMMU_GET_HW_INFO, cmd);
}

static inline int hw_info(int fd, uint32_t dev_id,
			  struct iommu_hw_info_mock *data)
{
	struct iommu_hw_info cmd;

	memset(data, 0, sizeof(*data));
	return hw_info_cmd(fd, &cmd, dev_id, 0, 0, data, sizeof(*data));
}

/* ---- HWPTs ------------------------------------------------------------- */

static inline int hwpt_alloc_data(int fd, uint32_t dev_id, uint32_t pt_id,
				  uint32_t flags, uint32_t data_type,
				  const void *data, uint32_t data_len,
				  uint32_t *hwpt_id)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = dev_id,
		.pt_id = pt_id,
		.data_type = data_type,
		.data_len = data_len,
		.data_uptr = U64_PTR(data),
	};
	int ret = mock_ioctl(fd, IOMMU_HWPT_ALLOC, &cmd);

	if (!ret && hwpt_id)
		*hwpt_id = cmd.out_hwpt_id;
	return ret;
}

/* Paging HWPT on an IOAS (flags 0 or NEST_PARENT). */
static inline int hwpt_alloc(int fd, uint32_t dev_id, uint32_t ioas_id,
			     uint32_t flags, uint32_t *hwpt_id)
{
	return hwpt_alloc_data(fd, dev_id, ioas_id, flags, IOMMU_HWPT_DATA_NONE,
			       NULL, 0, hwpt_id);
}

static inline struct iommu_hwpt_mock_s1 mock_s1(uint32_t format, uint32_t asid,
						uint64_t ttbr)
{
	struct iommu_hwpt_mock_s1 s1 = {
		.format = format,
		.ttbr = ttbr,
		.asid = asid,
	};

	return s1;
}

/* Nested HWPT on a NEST_PARENT HWPT or a vIOMMU. */
static inline int hwpt_alloc_nested(int fd, uint32_t dev_id, uint32_t pt_id,
				    const struct iommu_hwpt_mock_s1 *s1,
				    uint32_t *hwpt_id)
{
	return hwpt_alloc_data(fd, dev_id, pt_id, 0, IOMMU_HWPT_DATA_MOCK_S1,
			       s1, sizeof(*s1), hwpt_id);
}

/* *num in: entries; out: entries handled (also on error). */
static inline int hwpt_invalidate(int fd, uint32_t id, uint32_t data_type,
				  const void *entries, uint32_t entry_len,
				  uint32_t *num)
{
	struct iommu_hwpt_invalidate cmd = {
		.size = sizeof(cmd),
		.hwpt_id = id,
		.data_uptr = U64_PTR(entries),
		.data_type = data_type,
		.entry_len = entry_len,
		.entry_num = *num,
	};
	int ret = mock_ioctl(fd, IOMMU_HWPT_INVALIDATE, &cmd);

	*num = cmd.entry_num;
	return ret;
}

static inline int mock_invalidate(int fd, uint32_t id,
				  const struct iommu_mock_invalidate *inv,
				  uint32_t *num)
{
	return hwpt_invalidate(fd, id, IOMMU_HWPT_INVALIDATE_DATA_MOCK, inv,
			       sizeof(*inv), num);
}

/* ---- vIOMMU / vDEVICE ---------------------------------------------------- */

static inline int viommu_alloc(int fd, uint32_t dev_id, uint32_t hwpt_id,
			       uint32_t type, uint32_t *viommu_id)
{
	struct iommu_viommu_alloc cmd = {
		.size = sizeof(cmd),
		.type = type,
		.dev_id = dev_id,
		.hwpt_id = hwpt_id,
	};
	int ret = mock_ioctl(fd, IOMMU_VIOMMU_ALLOC, &cmd);

	if (!ret && viommu_id)
		*viommu_id = cmd.out_viommu_id;
	return ret;
}

static inline int vdev_alloc(int fd, uint32_t viommu_id, uint32_t dev_id,
			     uint64_t virt_id, uint32_t *vdev_id)
{
	struct iommu_vdevice_alloc cmd = {
		.size = sizeof(cmd),
		.viommu_id = viommu_id,
		.dev_id = dev_id,
		.virt_id = virt_id,
	};
	int ret = mock_ioctl(fd, IOMMU_VDEVICE_ALLOC, &cmd);

	if (!ret && vdev_id)
		*vdev_id = cmd.out_vdevice_id;
	return ret;
}

/* ---- vEVENTQ -------------------------------------------------------------- */

static inline int veventq_alloc(int fd, struct iommu_veventq_alloc *cmd)
{
	cmd->size = sizeof(*cmd);
	return mock_ioctl(fd, IOMMU_VEVENTQ_ALLOC, cmd);
}

/* A vEVENTQ of @type and @depth on @viommu_id: *id and its fd *qfd. */
static inline int veventq_new(int fd, uint32_t viommu_id, uint32_t type,
			      uint32_t depth, uint32_t *id, int *qfd)
{
	struct iommu_veventq_alloc cmd = {
		.viommu_id = viommu_id,
		.type = type,
		.veventq_depth = depth,
	};
	int rc = veventq_alloc(fd, &cmd);

	if (!rc) {
		*id = cmd.out_veventq_id;
		*qfd = cmd.out_veventq_fd;
	}
	return rc;
}

/*
 * Whatever the queue holds now, without waiting: read()'s byte count, 0 when
 * empty, -errno on an error.
 */
static inline ssize_t veventq_read_now(int qfd, void *buf, size_t len)
{
	ssize_t n;
	int fl = fcntl(qfd, F_GETFL);

	if (fl < 0 || fcntl(qfd, F_SETFL, fl | O_NONBLOCK))
		return -errno;
	n = read(qfd, buf, len);
	if (n < 0)
		n = errno == EAGAIN ? 0 : -errno;
	fcntl(qfd, F_SETFL, fl);
	return n;
}

/*
 * Assert that IOAS_IOVA_RANGES of @ioas returns exactly the @n ranges of
 * @exp (a macro, so ASSERT/EXPECT reach the calling test).
 */
#define EXPECT_RANGES(fd, ioas, exp, n) do {					\
	struct iommu_iova_range __r[8];						\
	uint32_t __n = 8, __i;							\
	memset(__r, 0, sizeof(__r));						\
	ASSERT_EQ(0, ioas_ranges(fd, ioas, __r, &__n, NULL));			\
	ASSERT_EQ((uint32_t)(n), __n);						\
	for (__i = 0; __i < __n; __i++) {					\
		EXPECT_EQ((exp)[__i].start, __r[__i].start)			\
			TH_LOG("range %u start 0x%llx", __i,			\
			       (unsigned long long)__r[__i].start);		\
		EXPECT_EQ((exp)[__i].last, __r[__i].last)			\
			TH_LOG("range %u last 0x%llx", __i,			\
			       (unsigned long long)__r[__i].last);		\
	}									\
} while (0)

/* The IOAS allows [0, last] and nothing else. */
#define EXPECT_ONE_RANGE(fd, ioas, last) do {					\
	const struct iommu_iova_range __one[1] = { { 0, (last) } };		\
	EXPECT_RANGES(fd, ioas, __one, 1);					\
} while (0)

/* ---- memory -------------------------------------------------------------- */

/* @pages anonymous pages, filled with @fill; MAP_FAILED on failure. */
static inline void *mock_pages(uint64_t pages, int fill)
{
	void *p = mmap(NULL, pages * MOCK_PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p != MAP_FAILED)
		memset(p, fill, pages * MOCK_PAGE);
	return p;
}

static inline void fill_pattern(void *buf, uint64_t len, uint32_t seed)
{
	uint8_t *b = buf;
	uint64_t i;

	for (i = 0; i < len; i++)
		b[i] = (uint8_t)(seed * 131 + i * 7 + (i >> 8));
}

/* ---- long commands and fatal signals --------------------------------------- */

/* One memfd chunk of entries, mapped back to back: a long array, little memory */
#define LONG_INV_CHUNK	(2ULL << 20)
#define LONG_INV_COPIES	128

static inline uint64_t mock_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

/*
 * A read-only array of LONG_INV_COPIES * LONG_INV_CHUNK bytes holding copies
 * of @inv only, every page already mapped (so the kernel takes no page fault
 * while it reads it). Returns the array or MAP_FAILED; *num gets the entries.
 */
static inline void *long_inv_array(const struct iommu_mock_invalidate *inv,
				   uint32_t *num)
{
	const size_t n = LONG_INV_CHUNK / sizeof(*inv);
	struct iommu_mock_invalidate *chunk;
	uint8_t *base = MAP_FAILED;
	size_t i;
	int mfd;

	mfd = memfd_create("long_inv", 0);
	if (mfd < 0)
		return MAP_FAILED;
	if (ftruncate(mfd, LONG_INV_CHUNK))
		goto out;
	chunk = mmap(NULL, LONG_INV_CHUNK, PROT_READ | PROT_WRITE, MAP_SHARED,
		     mfd, 0);
	if (chunk == MAP_FAILED)
		goto out;
	for (i = 0; i < n; i++)
		chunk[i] = *inv;
	munmap(chunk, LONG_INV_CHUNK);

	base = mmap(NULL, LONG_INV_COPIES * LONG_INV_CHUNK, PROT_NONE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		goto out;
	for (i = 0; i < LONG_INV_COPIES; i++) {
		if (mmap(base + i * LONG_INV_CHUNK, LONG_INV_CHUNK, PROT_READ,
			 MAP_SHARED | MAP_FIXED | MAP_POPULATE, mfd, 0) ==
		    MAP_FAILED) {
			munmap(base, LONG_INV_COPIES * LONG_INV_CHUNK);
			base = MAP_FAILED;
			goto out;
		}
	}
	*num = LONG_INV_COPIES * n;
out:
	close(mfd);
	return base;
}

/**
 * struct killed_cmd - what happened to a command whose caller was killed
 * @status: wait status of the child that ran it
 * @entry_num: entry_num the kernel wrote back before the child died
 * @sleep_ms: how long a 50 ms sleep of the parent took, sharing one CPU
 *            with the child inside the command
 * @reap_ms: from SIGKILL until the child was reaped
 */
struct killed_cmd {
	int status;
	uint32_t entry_num;
	uint64_t sleep_ms;
	uint64_t reap_ms;
};

/*
 * Runs IOMMU_HWPT_INVALIDATE of @id over @num copies of an entry at @array
 * in a child pinned to CPU 0 with this process, waits until the child is in
 * the command, sleeps 50 ms and sends SIGKILL. The command struct is in
 * shared memory, so the entry_num written back is seen here.
 * Returns 0 or -errno of a setup step.
 */
static inline int run_killed_invalidate(int fd, uint32_t id, const void *array,
					uint32_t num, struct killed_cmd *out)
{
	struct iommu_hwpt_invalidate *cmd;
	uint64_t t0, t1;
	cpu_set_t cpus;
	int p[2], rc = 0;
	pid_t pid;
	char c;

	memset(out, 0, sizeof(*out));
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus))
		return -errno;
	cmd = mmap(NULL, MOCK_PAGE, PROT_READ | PROT_WRITE,
		   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (cmd == MAP_FAILED)
		return -errno;
	memset(cmd, 0, sizeof(*cmd));
	cmd->size = sizeof(*cmd);
	cmd->hwpt_id = id;
	cmd->data_uptr = U64_PTR(array);
	cmd->data_type = IOMMU_HWPT_INVALIDATE_DATA_MOCK;
	cmd->entry_len = sizeof(struct iommu_mock_invalidate);
	cmd->entry_num = num;
	if (pipe(p)) {
		rc = -errno;
		goto out_unmap;
	}
	pid = fork();
	if (pid < 0) {
		rc = -errno;
		goto out_pipe;
	}
	if (!pid) {
		if (write(p[1], "x", 1) != 1)
			_exit(2);
		ioctl(fd, IOMMU_HWPT_INVALIDATE, cmd);
		_exit(0);
	}
	if (read(p[0], &c, 1) != 1) {
		rc = -EIO;
		t1 = mock_now_ms();
		kill(pid, SIGKILL);
	} else {
		t0 = mock_now_ms();
		usleep(50 * 1000);
		t1 = mock_now_ms();
		kill(pid, SIGKILL);
		out->sleep_ms = t1 - t0;
	}
	if (waitpid(pid, &out->status, 0) != pid && !rc)
		rc = -errno;
	out->reap_ms = mock_now_ms() - t1;
	out->entry_num = cmd->entry_num;
out_pipe:
	close(p[0]);
	close(p[1]);
out_unmap:
	munmap(cmd, MOCK_PAGE);
	return rc;
}

/*
 * The checks on a killed long invalidation: it shared the CPU
 * (cond_resched()), stopped on the fatal signal before the end of the array
 * and reported the entries it had handled (a macro, so ASSERT/EXPECT reach
 * the calling test).
 */
#define EXPECT_KILLED_INVALIDATE(fd, id, inv) do {				\
	struct killed_cmd __k;							\
	uint32_t __num = 0;							\
	void *__arr = long_inv_array(inv, &__num);				\
	ASSERT_NE(MAP_FAILED, __arr);						\
	ASSERT_EQ(0, run_killed_invalidate(fd, id, __arr, __num, &__k));	\
	munmap(__arr, LONG_INV_COPIES * LONG_INV_CHUNK);			\
	EXPECT_TRUE(WIFSIGNALED(__k.status) &&					\
		    WTERMSIG(__k.status) == SIGKILL);				\
	EXPECT_GT(2000, __k.sleep_ms)						\
		TH_LOG("a 50 ms sleep on the shared CPU took %llu ms",		\
		       (unsigned long long)__k.sleep_ms);			\
	EXPECT_GT(2000, __k.reap_ms)						\
		TH_LOG("reaping the killed child took %llu ms",		\
		       (unsigned long long)__k.reap_ms);			\
	EXPECT_LT(0, __k.entry_num);						\
	EXPECT_GT(__num, __k.entry_num)						\
		TH_LOG("%u of %u entries handled: not stopped by SIGKILL",	\
		       __k.entry_num, __num);					\
} while (0)

/*
 * Anonymous memory whose start has exactly @lowbit as lowest set address
 * bit (a power of two >= MOCK_PAGE), so the IOVA the kernel chooses (aligned
 * like the user address, upstream's iopt_alloc_iova) is predictable.
 */
struct mock_mem {
	void *base;
	size_t base_len;
	uint8_t *p;
};

static inline int mock_mem_alloc(struct mock_mem *m, uint64_t len,
				 uint64_t lowbit, int fill)
{
	uintptr_t a;

	m->p = NULL;
	m->base_len = len + 3 * lowbit;
	m->base = mmap(NULL, m->base_len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m->base == MAP_FAILED)
		return -errno;
	a = ((uintptr_t)m->base + 2 * lowbit - 1) & ~(uintptr_t)(2 * lowbit - 1);
	m->p = (uint8_t *)(a + lowbit);
	memset(m->p, fill, len);
	return 0;
}

static inline void mock_mem_free(struct mock_mem *m)
{
	if (m->base && m->base != MAP_FAILED)
		munmap(m->base, m->base_len);
	m->base = NULL;
}

/*
 * A "Vm...:" line of /proc/self/status, read from @fd (opened on it, which
 * a process that drops privileges must do beforehand), in kB, or -1.
 * VmPin is mm->pinned_vm, VmLck mm->locked_vm.
 */
static inline long proc_status_kb_fd(int fd, const char *field)
{
	char buf[4096], *line;
	size_t n = strlen(field);
	ssize_t len;

	if (lseek(fd, 0, SEEK_SET))
		return -1;
	len = read(fd, buf, sizeof(buf) - 1);
	if (len <= 0)
		return -1;
	buf[len] = 0;
	for (line = buf; line; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		if (!strncmp(line, field, n) && line[n] == ':')
			return strtol(line + n + 1, NULL, 10);
	}
	return -1;
}

static inline long proc_status_kb(const char *field)
{
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	long kb;

	if (fd < 0)
		return -1;
	kb = proc_status_kb_fd(fd, field);
	close(fd);
	return kb;
}

/* Pages pinned by this process (VmPin), -1 if unknown. */
static inline long pinned_pages(void)
{
	long kb = proc_status_kb("VmPin");

	return kb < 0 ? -1 : kb / (long)(MOCK_PAGE / 1024);
}

/* ---- sysfs ----------------------------------------------------------------- */

static inline void mock_sysfs_path(char *buf, size_t len, uint32_t inst,
				   uint32_t sid)
{
	snprintf(buf, len, MOCK_SYSFS_DEVICES "/mockiommu%u.%04x", inst, sid);
}

static inline bool mock_sysfs_exists(uint32_t inst, uint32_t sid)
{
	char path[128];

	mock_sysfs_path(path, sizeof(path), inst, sid);
	return access(path, F_OK) == 0;
}

/*
 * Read (into @buf, @len bytes with the NUL) or write (@buf as text) a
 * module parameter or other small sysfs file: 0 or -errno.
 */
static inline int param_rw(const char *path, char *buf, size_t len, bool write)
{
	int fd = open(path, write ? O_WRONLY : O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write ? pwrite(fd, buf, strlen(buf), 0) : pread(fd, buf, len - 1, 0);
	close(fd);
	if (n < 0)
		return -errno;
	if (!write)
		buf[n] = 0;
	return 0;
}

#endif /* MOCK_HELPERS_H */
