/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Upstream iommufd's selftest protocol: IOMMU_TEST_CMD and the data types of
 * upstream's mock IOMMU driver (drivers/iommu/iommufd/selftest.c).
 *
 * Upstream keeps this header next to its mock, outside include/uapi, because
 * only its own kselftests (tools/testing/selftests/iommu/) speak it. This
 * copy follows the Linux 6.17 cycle: every number, name, field order and
 * size is upstream's, so those kselftests compile against it and run against
 * a module that answers IOMMU_TEST_CMD. The text is the iommufd-mock
 * project's own. The 6.12 release of upstream's header is a subset of this
 * one with the same values (ops 1-15, no PASID or vEVENT parts).
 *
 * Inside the module the sibling uAPI header is found through the
 * -I include/uapi/linux of Kbuild; in userspace through -I include/uapi.
 */
#ifndef _IOMMUFD_MOCK_SELFTEST_IOMMUFD_TEST_H
#define _IOMMUFD_MOCK_SELFTEST_IOMMUFD_TEST_H

#include <linux/types.h>
#ifdef __KERNEL__
#include "iommufd.h"
#else
#include <linux/iommufd.h>
#endif

/**
 * enum iommu_test_op - values of struct iommu_test_cmd::op
 * @IOMMU_TEST_OP_ADD_RESERVED: reserve [start, start + length - 1] in the
 *                              IOAS @id (uses @add_reserved)
 * @IOMMU_TEST_OP_MOCK_DOMAIN: create a mock device, bind it to the iommufd
 *                             and attach it to the IOAS or HWPT @id (uses
 *                             @mock_domain)
 * @IOMMU_TEST_OP_MD_CHECK_MAP: check that the mock page table of HWPT @id
 *                              maps an IOVA range onto given user memory
 *                              (uses @check_map)
 * @IOMMU_TEST_OP_MD_CHECK_REFS: check the pin count of every page of a user
 *                               buffer (uses @check_refs)
 * @IOMMU_TEST_OP_CREATE_ACCESS: create an emulated-DMA access on IOAS @id,
 *                               returned as a file descriptor (uses
 *                               @create_access)
 * @IOMMU_TEST_OP_DESTROY_ACCESS_PAGES: release pages pinned by an
 *                                      ACCESS_PAGES of access fd @id (uses
 *                                      @destroy_access_pages)
 * @IOMMU_TEST_OP_ACCESS_PAGES: pin an IOVA range through access fd @id and
 *                              compare it with user memory (uses
 *                              @access_pages)
 * @IOMMU_TEST_OP_ACCESS_RW: copy between an IOVA range and a user buffer
 *                           through access fd @id (uses @access_rw)
 * @IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT: set the size of the temporary
 *                                       buffers of the page-pinning code
 *                                       (uses @memory_limit)
 * @IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE: move mock device @id to another IOAS or
 *                                     HWPT (uses @mock_domain_replace)
 * @IOMMU_TEST_OP_ACCESS_REPLACE_IOAS: move access fd @id to another IOAS
 *                                     (uses @access_replace_ioas)
 * @IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS: MOCK_DOMAIN with device flags (uses
 *                                   @mock_domain_flags)
 * @IOMMU_TEST_OP_DIRTY: mark IOVA pages of HWPT @id dirty, as a device
 *                       writing to them would (uses @dirty)
 * @IOMMU_TEST_OP_MD_CHECK_IOTLB: check one IOTLB slot of nested HWPT @id
 *                                (uses @check_iotlb)
 * @IOMMU_TEST_OP_TRIGGER_IOPF: make a mock device report a page request
 *                              (uses @trigger_iopf)
 * @IOMMU_TEST_OP_DEV_CHECK_CACHE: check one device-cache slot of the device
 *                                 whose dev_id (idev ID) is @id (uses
 *                                 @check_dev_cache)
 * @IOMMU_TEST_OP_TRIGGER_VEVENT: make a mock device raise a vIOMMU event
 *                                (uses @trigger_vevent)
 * @IOMMU_TEST_OP_PASID_ATTACH: attach a PASID of mock device @id to an IOAS
 *                              or HWPT (uses @pasid_attach)
 * @IOMMU_TEST_OP_PASID_REPLACE: move a PASID of mock device @id to another
 *                               IOAS or HWPT (uses @pasid_replace)
 * @IOMMU_TEST_OP_PASID_DETACH: detach a PASID of mock device @id (uses
 *                              @pasid_detach)
 * @IOMMU_TEST_OP_PASID_CHECK_HWPT: check which HWPT a PASID of mock device
 *                                  @id is attached to (uses @pasid_check)
 *
 * Ops 1 to 15 exist since Linux 6.12 (and earlier), 16 to 21 since the 6.17
 * cycle. The values are consecutive from 1.
 */
enum iommu_test_op {
	IOMMU_TEST_OP_ADD_RESERVED = 1,
	IOMMU_TEST_OP_MOCK_DOMAIN = 2,
	IOMMU_TEST_OP_MD_CHECK_MAP = 3,
	IOMMU_TEST_OP_MD_CHECK_REFS = 4,
	IOMMU_TEST_OP_CREATE_ACCESS = 5,
	IOMMU_TEST_OP_DESTROY_ACCESS_PAGES = 6,
	IOMMU_TEST_OP_ACCESS_PAGES = 7,
	IOMMU_TEST_OP_ACCESS_RW = 8,
	IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT = 9,
	IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE = 10,
	IOMMU_TEST_OP_ACCESS_REPLACE_IOAS = 11,
	IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS = 12,
	IOMMU_TEST_OP_DIRTY = 13,
	IOMMU_TEST_OP_MD_CHECK_IOTLB = 14,
	IOMMU_TEST_OP_TRIGGER_IOPF = 15,
	IOMMU_TEST_OP_DEV_CHECK_CACHE = 16,
	IOMMU_TEST_OP_TRIGGER_VEVENT = 17,
	IOMMU_TEST_OP_PASID_ATTACH = 18,
	IOMMU_TEST_OP_PASID_REPLACE = 19,
	IOMMU_TEST_OP_PASID_DETACH = 20,
	IOMMU_TEST_OP_PASID_CHECK_HWPT = 21,
};

/**
 * enum iommu_test_aperture - IOVA window of a mock paging domain
 * @MOCK_APERTURE_START: first IOVA the mock domain translates (16 MiB)
 * @MOCK_APERTURE_LAST: last IOVA it translates, inclusive (2 GiB - 1)
 *
 * Attaching a mock device to an IOAS removes everything outside this window
 * from the IOAS's allowed IOVA.
 */
enum iommu_test_aperture {
	MOCK_APERTURE_START = 1UL << 24,
	MOCK_APERTURE_LAST = (1UL << 31) - 1,
};

/**
 * enum iommu_test_access_pages_flags - @access_pages.flags
 * @MOCK_FLAGS_ACCESS_WRITE: pin the pages for writing
 * @MOCK_FLAGS_ACCESS_SYZ: fuzzer (syzkaller) mode: the 64-bit IOVA is read
 *                         as two __u32, an index n then an offset, and
 *                         means the start of the IOAS's n-th mapping plus
 *                         that offset
 */
enum iommu_test_access_pages_flags {
	MOCK_FLAGS_ACCESS_WRITE = 1 << 0,
	MOCK_FLAGS_ACCESS_SYZ = 1 << 16,
};

/**
 * enum iommu_test_access_rw_flags - @access_rw.flags
 * @MOCK_ACCESS_RW_WRITE: copy from the user buffer to the IOVA range; without
 *                        it the copy goes from the IOVA range to the buffer
 * @MOCK_ACCESS_RW_SLOW_PATH: force the page-by-page path of the access code
 *                            instead of its fast path
 *
 * Bit 1 is unused. MOCK_FLAGS_ACCESS_SYZ is accepted here too.
 */
enum iommu_test_access_rw_flags {
	MOCK_ACCESS_RW_WRITE = 1 << 0,
	MOCK_ACCESS_RW_SLOW_PATH = 1 << 2,
};

/**
 * enum iommu_test_create_access_flags - @create_access.flags
 * @MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES: the access declares that it
 *                                           pins pages, which makes the
 *                                           IOAS require page-aligned IOVA;
 *                                           without it the access works at
 *                                           byte granularity
 */
enum iommu_test_create_access_flags {
	MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES = 1 << 0,
};

/**
 * enum iommu_test_device_flags - @mock_domain_flags.dev_flags
 * @MOCK_FLAGS_DEVICE_NO_DIRTY: the device's IOMMU has no dirty tracking, so
 *                              a DIRTY_TRACKING HWPT cannot be attached to it
 * @MOCK_FLAGS_DEVICE_HUGE_IOVA: the device's domains may also map huge IO
 *                               pages (512 mock IO pages, a mock IO page
 *                               being half a CPU page), so dirty tracking is
 *                               reported per huge page
 * @MOCK_FLAGS_DEVICE_PASID: the device supports PASIDs, MOCK_PASID_WIDTH
 *                           bits wide (6.17 cycle)
 */
enum iommu_test_device_flags {
	MOCK_FLAGS_DEVICE_NO_DIRTY = 1 << 0,
	MOCK_FLAGS_DEVICE_HUGE_IOVA = 1 << 1,
	MOCK_FLAGS_DEVICE_PASID = 1 << 2,
};

/**
 * enum iommu_test_nested_iotlb - IOTLB of a mock nested HWPT
 * @MOCK_NESTED_DOMAIN_IOTLB_ID_MAX: highest valid IOTLB slot index
 * @MOCK_NESTED_DOMAIN_IOTLB_NUM: number of slots; each starts at the value
 *                                given in struct iommu_hwpt_selftest
 */
enum iommu_test_nested_iotlb {
	MOCK_NESTED_DOMAIN_IOTLB_ID_MAX = 3,
	MOCK_NESTED_DOMAIN_IOTLB_NUM = 4,
};

/**
 * enum iommu_test_dev_cache - device cache of a mock device
 * @MOCK_DEV_CACHE_ID_MAX: highest valid cache slot index
 * @MOCK_DEV_CACHE_NUM: number of slots; each starts at
 *                      IOMMU_TEST_DEV_CACHE_DEFAULT
 */
enum iommu_test_dev_cache {
	MOCK_DEV_CACHE_ID_MAX = 3,
	MOCK_DEV_CACHE_NUM = 4,
};

/*
 * A PASID that upstream's mock treats specially: after a successful attach
 * to it, the next change of its domain (a replace) fails once with ENOMEM,
 * so tests can check that a failed replace keeps the old attachment.
 */
#define IOMMU_TEST_PASID_RESERVED 1024

/**
 * struct iommu_test_cmd - ioctl(IOMMU_TEST_CMD)
 * @size: sizeof(struct iommu_test_cmd), 72
 * @op: enum iommu_test_op
 * @id: object the op works on; its kind depends on @op (IOAS, HWPT, mock
 *      device object, access fd, ...)
 * @__reserved: must be 0
 * @add_reserved: IOMMU_TEST_OP_ADD_RESERVED
 * @add_reserved.start: first IOVA to reserve
 * @add_reserved.length: bytes to reserve
 * @mock_domain: IOMMU_TEST_OP_MOCK_DOMAIN
 * @mock_domain.out_stdev_id: ID of the selftest device object, the @id of
 *                            later per-device ops
 * @mock_domain.out_hwpt_id: HWPT the device was attached to
 * @mock_domain.out_idev_id: device ID as IOMMU_HWPT_ALLOC and the other
 *                           uAPI commands know it (dev_id)
 * @mock_domain_flags: IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS
 * @mock_domain_flags.out_stdev_id: as @mock_domain.out_stdev_id
 * @mock_domain_flags.out_hwpt_id: as @mock_domain.out_hwpt_id
 * @mock_domain_flags.out_idev_id: as @mock_domain.out_idev_id
 * @mock_domain_flags.dev_flags: enum iommu_test_device_flags
 * @mock_domain_replace: IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE
 * @mock_domain_replace.pt_id: in: IOAS or HWPT to move to; out: the HWPT
 *                             the device is now attached to
 * @check_map: IOMMU_TEST_OP_MD_CHECK_MAP
 * @check_map.iova: first IOVA, page aligned
 * @check_map.length: bytes, page aligned
 * @check_map.uptr: user memory the range must map to, page aligned
 * @check_refs: IOMMU_TEST_OP_MD_CHECK_REFS
 * @check_refs.length: bytes of the buffer
 * @check_refs.uptr: the buffer
 * @check_refs.refs: expected pin count of every page of it
 * @create_access: IOMMU_TEST_OP_CREATE_ACCESS
 * @create_access.out_access_fd: file descriptor of the new access
 * @create_access.flags: enum iommu_test_create_access_flags
 * @destroy_access_pages: IOMMU_TEST_OP_DESTROY_ACCESS_PAGES
 * @destroy_access_pages.access_pages_id: ID returned by ACCESS_PAGES
 * @access_pages: IOMMU_TEST_OP_ACCESS_PAGES
 * @access_pages.flags: enum iommu_test_access_pages_flags
 * @access_pages.out_access_pages_id: ID of the pinned range, for
 *                                    DESTROY_ACCESS_PAGES
 * @access_pages.iova: first IOVA to pin
 * @access_pages.length: bytes to pin
 * @access_pages.uptr: user memory the pinned pages must be
 * @access_rw: IOMMU_TEST_OP_ACCESS_RW
 * @access_rw.iova: first IOVA, any alignment
 * @access_rw.length: bytes to copy
 * @access_rw.uptr: user buffer
 * @access_rw.flags: enum iommu_test_access_rw_flags
 * @memory_limit: IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT
 * @memory_limit.limit: bytes (upstream's default 65536); a value below
 *                      one element of a page batch (12 bytes on 64-bit)
 *                      gives EINVAL
 * @access_replace_ioas: IOMMU_TEST_OP_ACCESS_REPLACE_IOAS
 * @access_replace_ioas.ioas_id: IOAS the access moves to
 * @dirty: IOMMU_TEST_OP_DIRTY
 * @dirty.flags: not used by upstream's mock, 0
 * @dirty.iova: first IOVA, a multiple of @dirty.page_size
 * @dirty.length: bytes, a multiple of @dirty.page_size
 * @dirty.page_size: bytes one bit of the bitmap stands for
 * @dirty.uptr: bitmap of the pages to mark, bit 0 for @dirty.iova
 * @dirty.out_nr_dirty: number of mapped pages marked dirty
 * @check_iotlb: IOMMU_TEST_OP_MD_CHECK_IOTLB
 * @check_iotlb.id: IOTLB slot, at most MOCK_NESTED_DOMAIN_IOTLB_ID_MAX
 * @check_iotlb.iotlb: value the slot must hold
 * @trigger_iopf: IOMMU_TEST_OP_TRIGGER_IOPF
 * @trigger_iopf.dev_id: device (idev ID) that faults
 * @trigger_iopf.pasid: PASID of the request; IOMMU_NO_PASID (0) for none
 * @trigger_iopf.grpid: page request group index
 * @trigger_iopf.perm: enum iommu_hwpt_pgfault_perm bits requested
 * @trigger_iopf.addr: faulting address
 * @check_dev_cache: IOMMU_TEST_OP_DEV_CHECK_CACHE
 * @check_dev_cache.id: cache slot, at most MOCK_DEV_CACHE_ID_MAX
 * @check_dev_cache.cache: value the slot must hold
 * @trigger_vevent: IOMMU_TEST_OP_TRIGGER_VEVENT
 * @trigger_vevent.dev_id: device (idev ID) whose vDEVICE reports the event
 * @pasid_attach: IOMMU_TEST_OP_PASID_ATTACH
 * @pasid_attach.pasid: PASID of the mock device @id
 * @pasid_attach.pt_id: in: IOAS or HWPT; out: the HWPT attached
 * @pasid_replace: IOMMU_TEST_OP_PASID_REPLACE
 * @pasid_replace.pasid: PASID of the mock device @id
 * @pasid_replace.pt_id: in: IOAS or HWPT; out: the HWPT attached
 * @pasid_detach: IOMMU_TEST_OP_PASID_DETACH
 * @pasid_detach.pasid: PASID of the mock device @id
 * @pasid_check: IOMMU_TEST_OP_PASID_CHECK_HWPT
 * @pasid_check.pasid: PASID of the mock device @id
 * @pasid_check.hwpt_id: HWPT expected on it; 0 for "nothing attached"
 * @last: trailing field; the minimum @size is the end of it (68 bytes),
 *        as upstream's ioctl table asks for offsetofend(last)
 *
 * One multiplexed command for everything upstream's kselftests need from
 * the mock that the regular uAPI does not offer. The union is 48 bytes
 * (the largest member is @dirty) and 8-byte aligned.
 */
struct iommu_test_cmd {
	__u32 size;
	__u32 op;
	__u32 id;
	__u32 __reserved;
	union {
		struct {
			__aligned_u64 start;
			__aligned_u64 length;
		} add_reserved;
		struct {
			__u32 out_stdev_id;
			__u32 out_hwpt_id;
			__u32 out_idev_id;
		} mock_domain;
		struct {
			__u32 out_stdev_id;
			__u32 out_hwpt_id;
			__u32 out_idev_id;
			__u32 dev_flags;
		} mock_domain_flags;
		struct {
			__u32 pt_id;
		} mock_domain_replace;
		struct {
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 uptr;
		} check_map;
		struct {
			__aligned_u64 length;
			__aligned_u64 uptr;
			__u32 refs;
		} check_refs;
		struct {
			__u32 out_access_fd;
			__u32 flags;
		} create_access;
		struct {
			__u32 access_pages_id;
		} destroy_access_pages;
		struct {
			__u32 flags;
			__u32 out_access_pages_id;
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 uptr;
		} access_pages;
		struct {
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 uptr;
			__u32 flags;
		} access_rw;
		struct {
			__u32 limit;
		} memory_limit;
		struct {
			__u32 ioas_id;
		} access_replace_ioas;
		struct {
			__u32 flags;
			__aligned_u64 iova;
			__aligned_u64 length;
			__aligned_u64 page_size;
			__aligned_u64 uptr;
			__aligned_u64 out_nr_dirty;
		} dirty;
		struct {
			__u32 id;
			__u32 iotlb;
		} check_iotlb;
		struct {
			__u32 dev_id;
			__u32 pasid;
			__u32 grpid;
			__u32 perm;
			__u64 addr;
		} trigger_iopf;
		struct {
			__u32 id;
			__u32 cache;
		} check_dev_cache;
		struct {
			__u32 dev_id;
		} trigger_vevent;
		struct {
			__u32 pasid;
			__u32 pt_id;
		} pasid_attach;
		struct {
			__u32 pasid;
			__u32 pt_id;
		} pasid_replace;
		struct {
			__u32 pasid;
		} pasid_detach;
		struct {
			__u32 pasid;
			__u32 hwpt_id;
		} pasid_check;
	};
	__u32 last;
};

/* 0xa0: upstream places its test command 32 numbers above the base. */
#define IOMMU_TEST_CMD _IO(IOMMUFD_TYPE, IOMMUFD_CMD_BASE + 32)

/* PASID width in bits of a device made with MOCK_FLAGS_DEVICE_PASID. */
#define MOCK_PASID_WIDTH 20

/* enum iommu_hw_info_type value of the mock; data is iommu_test_hw_info */
#define IOMMU_HW_INFO_TYPE_SELFTEST 0xfeedbeef
/* Value of struct iommu_test_hw_info::test_reg. */
#define IOMMU_HW_INFO_SELFTEST_REGVAL 0xdeadbeef

/**
 * struct iommu_test_hw_info - IOMMU_GET_HW_INFO data of upstream's mock
 * @flags: 0
 * @test_reg: always IOMMU_HW_INFO_SELFTEST_REGVAL, so a test can see that
 *            the driver data reached its buffer
 */
struct iommu_test_hw_info {
	__u32 flags;
	__u32 test_reg;
};

/* enum iommu_hwpt_data_type value of the mock's nested HWPT data. */
#define IOMMU_HWPT_DATA_SELFTEST 0xdead
/* Initial value tests put in struct iommu_hwpt_selftest::iotlb. */
#define IOMMU_TEST_IOTLB_DEFAULT 0xbadbeef
/* Initial value of each slot of a mock device's cache. */
#define IOMMU_TEST_DEV_CACHE_DEFAULT 0xbaddad

/**
 * struct iommu_hwpt_selftest - nested HWPT data (IOMMU_HWPT_DATA_SELFTEST)
 * @iotlb: value every IOTLB slot of the new nested HWPT starts with
 *         (IOMMU_TEST_IOTLB_DEFAULT in upstream's tests); MD_CHECK_IOTLB
 *         reads the slots back
 */
struct iommu_hwpt_selftest {
	__u32 iotlb;
};

/* Invalidation data types of a mock nested HWPT: a valid and a bad one. */
#define IOMMU_HWPT_INVALIDATE_DATA_SELFTEST 0xdeadbeef
#define IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_INVALID 0xdadbeef

/**
 * enum iommu_test_invalidate_flags - flags of both selftest invalidation
 *                                    entries
 * @IOMMU_TEST_INVALIDATE_FLAG_ALL: clear every slot, ignore the slot index
 */
enum iommu_test_invalidate_flags {
	IOMMU_TEST_INVALIDATE_FLAG_ALL = 1 << 0,
};

/**
 * struct iommu_hwpt_invalidate_selftest - one IOMMU_HWPT_INVALIDATE entry
 *                                         (IOMMU_HWPT_INVALIDATE_DATA_SELFTEST)
 * @flags: 0 or IOMMU_TEST_INVALIDATE_FLAG_ALL
 * @iotlb_id: IOTLB slot to clear (to 0), at most
 *            MOCK_NESTED_DOMAIN_IOTLB_ID_MAX; ignored with FLAG_ALL
 */
struct iommu_hwpt_invalidate_selftest {
	__u32 flags;
	__u32 iotlb_id;
};

/* enum iommu_viommu_type value of the mock's vIOMMU. */
#define IOMMU_VIOMMU_TYPE_SELFTEST 0xdeadbeef

/**
 * struct iommu_viommu_selftest - IOMMU_VIOMMU_ALLOC data
 *                                (IOMMU_VIOMMU_TYPE_SELFTEST)
 * @in_data: any value from the test
 * @out_data: the driver copies @in_data here, proving the data went in and
 *            out
 * @out_mmap_offset: offset to give mmap() on the iommufd to map the
 *                   vIOMMU's page of registers (6.17 cycle)
 * @out_mmap_length: length to give that mmap(), in bytes
 *
 * 24 bytes; 6.12 had only the first 8 (the driver copies what @data_len
 * covers).
 */
struct iommu_viommu_selftest {
	__u32 in_data;
	__u32 out_data;
	__aligned_u64 out_mmap_offset;
	__aligned_u64 out_mmap_length;
};

/* Invalidation data types of a mock vIOMMU: a valid and a bad one. */
#define IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST 0xdeadbeef
#define IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST_INVALID 0xdadbeef

/**
 * struct iommu_viommu_invalidate_selftest - one IOMMU_HWPT_INVALIDATE entry
 *                                           on a mock vIOMMU
 *                                           (IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST)
 * @flags: 0 or IOMMU_TEST_INVALIDATE_FLAG_ALL
 * @vdev_id: virt_id of the vDEVICE whose device cache is flushed
 * @cache_id: cache slot to clear (to 0), at most MOCK_DEV_CACHE_ID_MAX;
 *            ignored with FLAG_ALL
 */
struct iommu_viommu_invalidate_selftest {
	__u32 flags;
	__u32 vdev_id;
	__u32 cache_id;
};

/* enum iommu_veventq_type value of the mock's event queue. */
#define IOMMU_VEVENTQ_TYPE_SELFTEST 0xbeefbeef

/**
 * struct iommu_viommu_event_selftest - event data after each
 *                                      struct iommufd_vevent_header
 *                                      (IOMMU_VEVENTQ_TYPE_SELFTEST)
 * @virt_id: virt_id of the vDEVICE of the device given to TRIGGER_VEVENT
 */
struct iommu_viommu_event_selftest {
	__u32 virt_id;
};

/* enum iommu_hw_queue_type value of the mock's HW queue. */
#define IOMMU_HW_QUEUE_TYPE_SELFTEST 0xdeadbeef
/* Number of HW queues a mock vIOMMU takes (index 0 and 1). */
#define IOMMU_TEST_HW_QUEUE_MAX 2

#endif
