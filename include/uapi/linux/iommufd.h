/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * iommufd uAPI, the subset served by iommufd_mock.ko.
 *
 * Every number, layout, enum value and errno rule here matches upstream
 * Linux's iommufd uAPI header (6.17 cycle) for the commands listed.
 * The text is the iommufd-mock project's own. Extensions that upstream does
 * not have live in <linux/iommufd_mock.h>, in their own number range.
 */
#ifndef _UAPI_IOMMUFD_H
#define _UAPI_IOMMUFD_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define IOMMUFD_TYPE (';')

/**
 * DOC: General ioctl format (upstream iommufd)
 *
 * Every command is _IO(IOMMUFD_TYPE, nr) and takes a pointer to a struct
 * whose first __u32 is the size userspace compiled with. Structs only grow at
 * their end: a short struct is zero-extended by the kernel, a long one is
 * accepted only if every byte the kernel does not know is zero.
 *
 * Errnos shared by all commands:
 *
 *  - ENOTTY: the command number is not served;
 *  - E2BIG: the struct carries non-zero bytes past what the kernel knows;
 *  - EOPNOTSUPP: a flag, type or reserved field holds a value the kernel does
 *    not support (non-zero __reserved fields give this errno);
 *  - EINVAL: a field is understood but wrong (size below the minimum,
 *    misaligned address, an ID of a type the command refuses where it takes
 *    several types, ...);
 *  - ENOENT: an object ID or an IOVA does not exist; as upstream, also an ID
 *    of another object type where the command takes one type only;
 *  - ENOMEM: out of memory, or RLIMIT_MEMLOCK would be exceeded;
 *  - EOVERFLOW: an address computation overflowed.
 */
enum {
	IOMMUFD_CMD_BASE = 0x80,
	IOMMUFD_CMD_DESTROY = IOMMUFD_CMD_BASE,
	IOMMUFD_CMD_IOAS_ALLOC = 0x81,
	IOMMUFD_CMD_IOAS_ALLOW_IOVAS = 0x82,
	IOMMUFD_CMD_IOAS_COPY = 0x83,
	IOMMUFD_CMD_IOAS_IOVA_RANGES = 0x84,
	IOMMUFD_CMD_IOAS_MAP = 0x85,
	IOMMUFD_CMD_IOAS_UNMAP = 0x86,
	IOMMUFD_CMD_OPTION = 0x87,
	IOMMUFD_CMD_VFIO_IOAS = 0x88,
	IOMMUFD_CMD_HWPT_ALLOC = 0x89,
	IOMMUFD_CMD_GET_HW_INFO = 0x8a,
	IOMMUFD_CMD_HWPT_SET_DIRTY_TRACKING = 0x8b,
	IOMMUFD_CMD_HWPT_GET_DIRTY_BITMAP = 0x8c,
	IOMMUFD_CMD_HWPT_INVALIDATE = 0x8d,
	IOMMUFD_CMD_FAULT_QUEUE_ALLOC = 0x8e,
	IOMMUFD_CMD_IOAS_MAP_FILE = 0x8f,
	IOMMUFD_CMD_VIOMMU_ALLOC = 0x90,
	IOMMUFD_CMD_VDEVICE_ALLOC = 0x91,
	IOMMUFD_CMD_IOAS_CHANGE_PROCESS = 0x92,
	IOMMUFD_CMD_VEVENTQ_ALLOC = 0x93,
	IOMMUFD_CMD_HW_QUEUE_ALLOC = 0x94,
};

/**
 * struct iommu_destroy - ioctl(IOMMU_DESTROY)
 * @size: sizeof(struct iommu_destroy)
 * @id: ID of any object of this iommufd (IOAS, HWPT, device, vIOMMU, vDEVICE)
 *
 * Destroys one object. Errnos: ENOENT if @id names no object of this fd;
 * EBUSY if another object still depends on it (an IOAS under a HWPT, a HWPT
 * under a vIOMMU, a nested HWPT or an attached device, a vIOMMU under a
 * vDEVICE or nested HWPT, a device with a vDEVICE) or if the object is being
 * used by a concurrent call. A mock device that is attached is detached
 * first. Source: upstream iommufd; the device rule is the project's.
 */
struct iommu_destroy {
	__u32 size;
	__u32 id;
};

#define IOMMU_DESTROY _IO(IOMMUFD_TYPE, IOMMUFD_CMD_DESTROY)

/**
 * struct iommu_ioas_alloc - ioctl(IOMMU_IOAS_ALLOC)
 * @size: sizeof(struct iommu_ioas_alloc)
 * @flags: must be 0 (EOPNOTSUPP otherwise)
 * @out_ioas_id: ID of the new IO address space
 *
 * Creates an empty IOAS: a map from IOVA to pinned user memory that HWPTs
 * created on it mirror. Source: upstream iommufd.
 */
struct iommu_ioas_alloc {
	__u32 size;
	__u32 flags;
	__u32 out_ioas_id;
};

#define IOMMU_IOAS_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_ALLOC)

/**
 * struct iommu_iova_range - one inclusive IOVA interval
 * @start: first IOVA of the interval
 * @last: last IOVA of the interval (inclusive)
 */
struct iommu_iova_range {
	__aligned_u64 start;
	__aligned_u64 last;
};

/**
 * struct iommu_ioas_iova_ranges - ioctl(IOMMU_IOAS_IOVA_RANGES)
 * @size: sizeof(struct iommu_ioas_iova_ranges)
 * @ioas_id: IOAS to query
 * @num_iovas: in: number of entries @allowed_iovas can hold; out: number of
 *             allowed ranges the IOAS has
 * @__reserved: must be 0
 * @allowed_iovas: user pointer to an array of struct iommu_iova_range
 * @out_iova_alignment: out: alignment in bytes that IOAS_MAP needs for iova
 *                      and length (PAGE_SIZE here)
 *
 * Reports the IOVA ranges a MAP may use: the whole 64-bit space minus every
 * reserved range (device reserved regions added on attach, IOVA outside the
 * aperture of each HWPT on the IOAS). The ranges are sorted and disjoint.
 * If @num_iovas is smaller than the number of ranges, the array is filled as
 * far as it goes, @num_iovas is set to the needed count and the call fails
 * with EMSGSIZE. Source: upstream iommufd.
 */
struct iommu_ioas_iova_ranges {
	__u32 size;
	__u32 ioas_id;
	__u32 num_iovas;
	__u32 __reserved;
	__aligned_u64 allowed_iovas;
	__aligned_u64 out_iova_alignment;
};

#define IOMMU_IOAS_IOVA_RANGES _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_IOVA_RANGES)

/**
 * enum iommufd_ioas_map_flags - flags of IOMMU_IOAS_MAP
 * @IOMMU_IOAS_MAP_FIXED_IOVA: place the mapping at the given iova; without it
 *                             the kernel picks the lowest free IOVA
 * @IOMMU_IOAS_MAP_WRITEABLE: devices may write through the mapping
 * @IOMMU_IOAS_MAP_READABLE: devices may read through the mapping
 */
enum iommufd_ioas_map_flags {
	IOMMU_IOAS_MAP_FIXED_IOVA = 1 << 0,
	IOMMU_IOAS_MAP_WRITEABLE = 1 << 1,
	IOMMU_IOAS_MAP_READABLE = 1 << 2,
};

/**
 * struct iommu_ioas_map - ioctl(IOMMU_IOAS_MAP)
 * @size: sizeof(struct iommu_ioas_map)
 * @flags: combination of enum iommufd_ioas_map_flags; at least one of
 *         READABLE and WRITEABLE
 * @ioas_id: IOAS to map into
 * @__reserved: must be 0
 * @user_va: start of the user memory, page aligned
 * @length: bytes to map, a non-zero multiple of PAGE_SIZE
 * @iova: in with FIXED_IOVA: IOVA to map at (page aligned); out: IOVA used
 *
 * Pins the user pages (FOLL_LONGTERM, FOLL_WRITE when WRITEABLE), charges
 * them to the caller's RLIMIT_MEMLOCK unless it has CAP_IPC_LOCK, and maps
 * them into every HWPT of the IOAS.
 *
 * Errnos: EOPNOTSUPP unknown flag or non-zero @__reserved; EINVAL no
 * permission flag, zero or unaligned @length, @user_va or @iova, or a FIXED
 * range that touches a reserved range or lies outside the allowed space;
 * EEXIST a FIXED range overlaps an existing mapping; EOVERFLOW @iova or
 * @user_va plus @length wraps; ENOSPC no free IOVA hole fits; ENOMEM the
 * memlock limit would be exceeded; EFAULT the user memory cannot be pinned.
 * Source: upstream iommufd (page-aligned @user_va is the project's rule).
 */
struct iommu_ioas_map {
	__u32 size;
	__u32 flags;
	__u32 ioas_id;
	__u32 __reserved;
	__aligned_u64 user_va;
	__aligned_u64 length;
	__aligned_u64 iova;
};

#define IOMMU_IOAS_MAP _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_MAP)

/**
 * struct iommu_ioas_unmap - ioctl(IOMMU_IOAS_UNMAP)
 * @size: sizeof(struct iommu_ioas_unmap)
 * @ioas_id: IOAS to unmap from
 * @iova: first IOVA of the range
 * @length: in: bytes of the range; out: bytes actually unmapped
 *
 * Unmaps every mapping inside [@iova, @iova + @length - 1]; @iova 0 with
 * @length U64_MAX unmaps everything. A mapping may not be split: the range
 * must cover whole mappings made by IOMMU_IOAS_MAP.
 *
 * Errnos: ENOENT no mapping inside the range (the unmap-all form succeeds
 * on an empty IOAS, reporting 0 bytes); EINVAL the range cuts through
 * a mapping, or @length is 0; EOVERFLOW the range wraps (other than the
 * unmap-all form). Source: upstream iommufd.
 */
struct iommu_ioas_unmap {
	__u32 size;
	__u32 ioas_id;
	__aligned_u64 iova;
	__aligned_u64 length;
};

#define IOMMU_IOAS_UNMAP _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_UNMAP)

/**
 * enum iommufd_hwpt_alloc_flags - flags of IOMMU_HWPT_ALLOC
 * @IOMMU_HWPT_ALLOC_NEST_PARENT: the paging HWPT may serve as stage 2 under
 *                                nested HWPTs and vIOMMUs
 * @IOMMU_HWPT_ALLOC_DIRTY_TRACKING: dirty tracking (the mock refuses it with
 *                                   EOPNOTSUPP)
 * @IOMMU_HWPT_FAULT_ID_VALID: @fault_id is valid (refused, EOPNOTSUPP)
 * @IOMMU_HWPT_ALLOC_PASID: the HWPT may be attached to a PASID (refused,
 *                          EOPNOTSUPP)
 */
enum iommufd_hwpt_alloc_flags {
	IOMMU_HWPT_ALLOC_NEST_PARENT = 1 << 0,
	IOMMU_HWPT_ALLOC_DIRTY_TRACKING = 1 << 1,
	IOMMU_HWPT_FAULT_ID_VALID = 1 << 2,
	IOMMU_HWPT_ALLOC_PASID = 1 << 3,
};

/**
 * enum iommu_hwpt_data_type - type of the data given to IOMMU_HWPT_ALLOC
 * @IOMMU_HWPT_DATA_NONE: no data: a paging (stage-2 capable) HWPT
 * @IOMMU_HWPT_DATA_VTD_S1: Intel VT-d stage 1 (not served by the mock)
 * @IOMMU_HWPT_DATA_ARM_SMMUV3: ARM SMMUv3 STE (not served by the mock)
 *
 * The mock's own stage-1 type, IOMMU_HWPT_DATA_MOCK_S1, is in
 * <linux/iommufd_mock.h>.
 */
enum iommu_hwpt_data_type {
	IOMMU_HWPT_DATA_NONE = 0,
	IOMMU_HWPT_DATA_VTD_S1 = 1,
	IOMMU_HWPT_DATA_ARM_SMMUV3 = 2,
};

/**
 * struct iommu_hwpt_alloc - ioctl(IOMMU_HWPT_ALLOC)
 * @size: sizeof(struct iommu_hwpt_alloc)
 * @flags: combination of enum iommufd_hwpt_alloc_flags
 * @dev_id: device the HWPT is made for; its IOMMU instance decides the
 *          page-table format
 * @pt_id: an IOAS (paging HWPT), a NEST_PARENT paging HWPT or a vIOMMU
 *         (nested HWPT)
 * @out_hwpt_id: ID of the new HWPT
 * @__reserved: must be 0
 * @data_type: one of enum iommu_hwpt_data_type or IOMMU_HWPT_DATA_MOCK_S1
 * @data_len: bytes at @data_uptr
 * @data_uptr: user pointer to the type-specific data
 * @fault_id: fault queue ID, only with IOMMU_HWPT_FAULT_ID_VALID
 * @__reserved2: must be 0
 *
 * With an IOAS @pt_id, allocates a paging HWPT that mirrors the IOAS
 * (@data_type must be IOMMU_HWPT_DATA_NONE with zero @data_len and
 * @data_uptr). With a NEST_PARENT HWPT or a vIOMMU @pt_id, allocates a nested
 * HWPT whose stage 1 is described by the data (stage 2 is the parent).
 *
 * Errnos: ENOENT an ID does not exist, or @dev_id is no device; EINVAL
 * @pt_id names another object type, the parent HWPT is not a NEST_PARENT, a
 * nested HWPT is asked without data, data is malformed, the device's
 * instance has a stage-1 format other than the parent's or the parent
 * reaches IOVA beyond the instance's aperture, or the device belongs to
 * another IOMMU instance than the vIOMMU; EOPNOTSUPP unsupported flags or
 * data type, non-zero reserved fields; EADDRINUSE the IOAS holds mappings
 * outside the new HWPT's aperture.
 * Source: upstream iommufd; format check from seed 004.
 */
struct iommu_hwpt_alloc {
	__u32 size;
	__u32 flags;
	__u32 dev_id;
	__u32 pt_id;
	__u32 out_hwpt_id;
	__u32 __reserved;
	__u32 data_type;
	__u32 data_len;
	__aligned_u64 data_uptr;
	__u32 fault_id;
	__u32 __reserved2;
};

#define IOMMU_HWPT_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_HWPT_ALLOC)

/**
 * enum iommu_hw_info_type - type of the data IOMMU_GET_HW_INFO returns
 * @IOMMU_HW_INFO_TYPE_NONE: no driver data
 * @IOMMU_HW_INFO_TYPE_DEFAULT: as an input: whatever the driver reports
 * @IOMMU_HW_INFO_TYPE_INTEL_VTD: Intel VT-d (not served by the mock)
 * @IOMMU_HW_INFO_TYPE_ARM_SMMUV3: ARM SMMUv3 (not served by the mock)
 * @IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV: Tegra241 CMDQV (not served)
 *
 * The mock reports IOMMU_HW_INFO_TYPE_MOCK from <linux/iommufd_mock.h>.
 */
enum iommu_hw_info_type {
	IOMMU_HW_INFO_TYPE_NONE = 0,
	IOMMU_HW_INFO_TYPE_DEFAULT = 0,
	IOMMU_HW_INFO_TYPE_INTEL_VTD = 1,
	IOMMU_HW_INFO_TYPE_ARM_SMMUV3 = 2,
	IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV = 3,
};

/**
 * enum iommufd_hw_capabilities - generic capability bits of a device's IOMMU
 * @IOMMU_HW_CAP_DIRTY_TRACKING: dirty tracking (never set by the mock)
 * @IOMMU_HW_CAP_PCI_PASID_EXEC: PASID execute permission
 * @IOMMU_HW_CAP_PCI_PASID_PRIV: PASID privileged mode
 */
enum iommufd_hw_capabilities {
	IOMMU_HW_CAP_DIRTY_TRACKING = 1 << 0,
	IOMMU_HW_CAP_PCI_PASID_EXEC = 1 << 1,
	IOMMU_HW_CAP_PCI_PASID_PRIV = 1 << 2,
};

/**
 * enum iommufd_hw_info_flags - flags of IOMMU_GET_HW_INFO
 * @IOMMU_HW_INFO_FLAG_INPUT_TYPE: @in_data_type asks for one data type
 */
enum iommufd_hw_info_flags {
	IOMMU_HW_INFO_FLAG_INPUT_TYPE = 1 << 0,
};

/**
 * struct iommu_hw_info - ioctl(IOMMU_GET_HW_INFO)
 * @size: sizeof(struct iommu_hw_info)
 * @flags: combination of enum iommufd_hw_info_flags
 * @dev_id: device to query
 * @data_len: in: bytes the buffer at @data_uptr holds (0 allowed); out:
 *            bytes of driver data the kernel has
 * @data_uptr: user buffer for the driver data; bytes past the kernel's data
 *             are zeroed
 * @in_data_type: with IOMMU_HW_INFO_FLAG_INPUT_TYPE, the type wanted
 * @out_data_type: out: the type of the data written (IOMMU_HW_INFO_TYPE_MOCK)
 * @out_max_pasid_log2: out: PASID width, 0 (the mock has no PASID support)
 * @__reserved: must be 0
 * @out_capabilities: out: enum iommufd_hw_capabilities bits
 *
 * Errnos: ENOENT @dev_id names no device; EOPNOTSUPP unknown flag, non-zero
 * @__reserved, or an @in_data_type the device's driver does not report;
 * EFAULT bad @data_uptr.
 * Source: upstream iommufd.
 */
struct iommu_hw_info {
	__u32 size;
	__u32 flags;
	__u32 dev_id;
	__u32 data_len;
	__aligned_u64 data_uptr;
	union {
		__u32 in_data_type;
		__u32 out_data_type;
	};
	__u8 out_max_pasid_log2;
	__u8 __reserved[3];
	__aligned_u64 out_capabilities;
};

#define IOMMU_GET_HW_INFO _IO(IOMMUFD_TYPE, IOMMUFD_CMD_GET_HW_INFO)

/**
 * enum iommu_hwpt_invalidate_data_type - type of invalidation entries
 * @IOMMU_HWPT_INVALIDATE_DATA_VTD_S1: VT-d stage 1 (not served by the mock)
 * @IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3: SMMUv3 commands (not served)
 *
 * The mock's type, IOMMU_HWPT_INVALIDATE_DATA_MOCK, is in
 * <linux/iommufd_mock.h>.
 */
enum iommu_hwpt_invalidate_data_type {
	IOMMU_HWPT_INVALIDATE_DATA_VTD_S1 = 0,
	IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3 = 1,
};

/**
 * struct iommu_hwpt_invalidate - ioctl(IOMMU_HWPT_INVALIDATE)
 * @size: sizeof(struct iommu_hwpt_invalidate)
 * @hwpt_id: a nested HWPT or a vIOMMU
 * @data_uptr: user pointer to an array of @entry_num entries
 * @data_type: type of every entry
 * @entry_len: bytes of one entry; a longer entry's extra bytes must be zero
 * @entry_num: in: entries in the array; out: entries handled, also on error
 * @__reserved: must be 0
 *
 * Flushes the IOTLB and device caches named by the entries. @entry_num 0
 * checks only that @data_type is served. On a failure @entry_num tells how
 * many entries were handled before the one that failed.
 *
 * Errnos: ENOENT unknown @hwpt_id; EINVAL @hwpt_id is a paging HWPT or no
 * HWPT/vIOMMU, @entry_num without @data_uptr or @entry_len, @data_type is
 * not the mock's, @entry_len too small, or an entry is invalid; EOPNOTSUPP
 * non-zero reserved fields or flags in an entry, or a vIOMMU without
 * invalidation support (the DEFAULT type); E2BIG non-zero bytes past the
 * known part of an entry; EINTR a fatal signal stopped a long array; EFAULT
 * bad @data_uptr, or @entry_num cannot be written back (whatever else
 * failed). @entry_num is written back on every error (0 when no entry was
 * handled). Source: upstream iommufd.
 */
struct iommu_hwpt_invalidate {
	__u32 size;
	__u32 hwpt_id;
	__aligned_u64 data_uptr;
	__u32 data_type;
	__u32 entry_len;
	__u32 entry_num;
	__u32 __reserved;
};

#define IOMMU_HWPT_INVALIDATE _IO(IOMMUFD_TYPE, IOMMUFD_CMD_HWPT_INVALIDATE)

/**
 * enum iommu_viommu_type - type of a vIOMMU
 * @IOMMU_VIOMMU_TYPE_DEFAULT: generic vIOMMU the core makes itself, wrapping
 *                             a nest-parent HWPT; always available (seed 000)
 * @IOMMU_VIOMMU_TYPE_ARM_SMMUV3: ARM SMMUv3 (not served by the mock)
 * @IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV: Tegra241 CMDQV (not served)
 *
 * The mock driver's type, IOMMU_VIOMMU_TYPE_MOCK, is in
 * <linux/iommufd_mock.h>.
 */
enum iommu_viommu_type {
	IOMMU_VIOMMU_TYPE_DEFAULT = 0,
	IOMMU_VIOMMU_TYPE_ARM_SMMUV3 = 1,
	IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV = 2,
};

/**
 * struct iommu_viommu_alloc - ioctl(IOMMU_VIOMMU_ALLOC)
 * @size: sizeof(struct iommu_viommu_alloc)
 * @flags: must be 0
 * @type: enum iommu_viommu_type or IOMMU_VIOMMU_TYPE_MOCK
 * @dev_id: a device whose physical IOMMU instance backs the vIOMMU
 * @hwpt_id: a NEST_PARENT paging HWPT, the stage 2 the vIOMMU wraps
 * @out_viommu_id: ID of the new vIOMMU
 * @data_len: bytes at @data_uptr; must be 0 (no type takes data here)
 * @__reserved: must be 0
 * @data_uptr: user pointer to type-specific data; must be 0
 *
 * A vIOMMU is the slice of one physical IOMMU instance that a VM owns: its
 * virtual stream-ID space (vDEVICEs) and its invalidation path. It belongs to
 * the instance of @dev_id: vDEVICEs and nested HWPTs of other instances'
 * devices are refused.
 *
 * Errnos: ENOENT an ID does not exist, @dev_id is no device or @hwpt_id no
 * paging HWPT; EINVAL @hwpt_id is no NEST_PARENT, the HWPT is not
 * compatible with the device (format, aperture), or data was given;
 * EOPNOTSUPP non-zero @flags or @__reserved, or a @type the device's driver
 * does not offer. Source: upstream iommufd, DEFAULT from seed 000.
 */
struct iommu_viommu_alloc {
	__u32 size;
	__u32 flags;
	__u32 type;
	__u32 dev_id;
	__u32 hwpt_id;
	__u32 out_viommu_id;
	__u32 data_len;
	__u32 __reserved;
	__aligned_u64 data_uptr;
};

#define IOMMU_VIOMMU_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VIOMMU_ALLOC)

/**
 * struct iommu_vdevice_alloc - ioctl(IOMMU_VDEVICE_ALLOC)
 * @size: sizeof(struct iommu_vdevice_alloc)
 * @viommu_id: vIOMMU the virtual device lives in
 * @dev_id: physical device it stands for
 * @out_vdevice_id: ID of the new vDEVICE
 * @virt_id: the device's ID as the guest sees it in this vIOMMU (virtual
 *           stream ID); at most U32_MAX for the mock
 *
 * Binds a device to a virtual ID in one vIOMMU, so that guest commands naming
 * @virt_id reach the device. @virt_id is unique within a vIOMMU; the same
 * value may be used in another vIOMMU. A device has at most one vDEVICE per
 * vIOMMU. The device cannot be destroyed while the vDEVICE exists.
 *
 * Errnos: ENOENT an ID does not exist or names another object type; EINVAL
 * the device is on another IOMMU instance than the vIOMMU, or @virt_id is
 * too large;
 * EEXIST @virt_id is taken in this vIOMMU or the device already has a
 * vDEVICE in it. Source: upstream iommufd, per-instance rule from seed 002.
 */
struct iommu_vdevice_alloc {
	__u32 size;
	__u32 viommu_id;
	__u32 dev_id;
	__u32 out_vdevice_id;
	__aligned_u64 virt_id;
};

#define IOMMU_VDEVICE_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VDEVICE_ALLOC)

#endif
