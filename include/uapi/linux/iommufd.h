/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * iommufd uAPI: everything upstream Linux's iommufd uAPI header has in the
 * 6.17 cycle (commands 0x80-0x94, their structs, flags and driver types).
 *
 * Every number, layout and enum value here matches upstream, so a program
 * written against upstream's header builds against this one unchanged.
 * iommufd_mock.ko serves a subset of these commands; the others answer
 * ENOTTY. Documentation/uapi.rst lists which are served. Where a comment
 * below describes what the mock does, it says so; otherwise it states
 * upstream's rules. The text is the iommufd-mock project's own. Extensions
 * that upstream does not have live in <linux/iommufd_mock.h>, in their own
 * number range.
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
 * struct iommu_ioas_allow_iovas - ioctl(IOMMU_IOAS_ALLOW_IOVAS)
 * @size: sizeof(struct iommu_ioas_allow_iovas)
 * @ioas_id: IOAS whose allowed list is set
 * @num_iovas: number of entries at @allowed_iovas (0 clears the list)
 * @__reserved: must be 0
 * @allowed_iovas: user pointer to an array of struct iommu_iova_range
 *
 * Replaces the IOAS's list of IOVA ranges that must stay usable. Once set,
 * IOMMU_IOAS_IOVA_RANGES never reports less than these ranges: attaching a
 * device whose reserved regions or aperture would cut into them fails
 * instead, and the call itself fails if the IOAS is already narrower.
 * Automatic IOVA allocation (MAP without FIXED_IOVA) then only picks
 * addresses inside the allowed ranges. Upstream errnos: EINVAL for a range
 * whose start is not below its last, or for overlapping ranges; EADDRINUSE
 * if a range covers reserved IOVA (the old list is then kept); EFAULT for
 * a bad pointer. Source: upstream iommufd.
 */
struct iommu_ioas_allow_iovas {
	__u32 size;
	__u32 ioas_id;
	__u32 num_iovas;
	__u32 __reserved;
	__aligned_u64 allowed_iovas;
};

#define IOMMU_IOAS_ALLOW_IOVAS _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_ALLOW_IOVAS)

/**
 * enum iommufd_ioas_map_flags - flags of IOMMU_IOAS_MAP, _MAP_FILE and _COPY
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
 * struct iommu_ioas_map_file - ioctl(IOMMU_IOAS_MAP_FILE)
 * @size: sizeof(struct iommu_ioas_map_file)
 * @flags: enum iommufd_ioas_map_flags, with the same rules as IOMMU_IOAS_MAP
 * @ioas_id: IOAS to map into
 * @fd: a memfd (shmem, or hugetlbfs with MFD_HUGETLB)
 * @start: offset in bytes into the file where the mapping begins; its
 *         offset in the page follows the IOMMU_IOAS_MAP rules of @user_va
 * @length: bytes to map, not 0
 * @iova: in with FIXED_IOVA: IOVA to map at; out: IOVA used
 *
 * IOMMU_IOAS_MAP for memory named by a file and an offset rather than by a
 * user virtual address. Pages are pinned from the file's page cache when a
 * HWPT or an access needs them, so the mapping does not depend on the
 * caller's address space (which is what lets IOMMU_IOAS_CHANGE_PROCESS
 * move its accounting). The range must lie inside the file when pinned.
 *
 * Errnos: EOPNOTSUPP unknown flag, or a kernel without memfd_pin_folios()
 * (before 6.11); EOVERFLOW @iova or @length at or above 2^64 - 1, or
 * @start + @length - 1 wraps; EINVAL no permission flag, @length 0, a
 * file neither shmem nor hugetlbfs, a range past the end of the file when
 * a HWPT pins it, or the alignment rules of IOMMU_IOAS_MAP; ENOENT no such
 * IOAS; EBADF @fd is not open; EEXIST, ENOSPC, ENOMEM as IOMMU_IOAS_MAP.
 * Source: upstream iommufd (newer than 6.12; it also accepts other files
 * until they are pinned, and some dma-bufs).
 */
struct iommu_ioas_map_file {
	__u32 size;
	__u32 flags;
	__u32 ioas_id;
	__s32 fd;
	__aligned_u64 start;
	__aligned_u64 length;
	__aligned_u64 iova;
};

#define IOMMU_IOAS_MAP_FILE _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_MAP_FILE)

/**
 * struct iommu_ioas_copy - ioctl(IOMMU_IOAS_COPY)
 * @size: sizeof(struct iommu_ioas_copy)
 * @flags: enum iommufd_ioas_map_flags for the new mapping
 * @dst_ioas_id: IOAS the new mapping goes into
 * @src_ioas_id: IOAS the pages are taken from
 * @length: bytes to copy
 * @dst_iova: in with FIXED_IOVA: IOVA in the destination; out: IOVA used
 * @src_iova: first IOVA of the source range
 *
 * Maps into @dst_ioas_id the pages that [@src_iova, @src_iova + @length - 1]
 * maps in @src_ioas_id, sharing the pins instead of pinning again, so
 * cloning part of an IOAS costs no new pinning. Upstream documents that the
 * source range matches a range given to MAP; its code accepts any range
 * that is fully mapped, and fails with ENOENT where it has a hole. At least
 * one of READABLE and WRITEABLE is needed (EINVAL). Source: upstream
 * iommufd.
 */
struct iommu_ioas_copy {
	__u32 size;
	__u32 flags;
	__u32 dst_ioas_id;
	__u32 src_ioas_id;
	__aligned_u64 length;
	__aligned_u64 dst_iova;
	__aligned_u64 src_iova;
};

#define IOMMU_IOAS_COPY _IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_COPY)

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
 * enum iommufd_option - options of IOMMU_OPTION
 * @IOMMU_OPTION_RLIMIT_MODE: how pinned pages are charged against
 *                            RLIMIT_MEMLOCK: 0 (default) per user, 1 per
 *                            process. Global to the iommufd (object_id must
 *                            be 0); setting it needs CAP_SYS_RESOURCE
 *                            (EPERM) and an iommufd without objects (EBUSY)
 * @IOMMU_OPTION_HUGE_PAGES: per IOAS (@object_id is the IOAS): 1 (default)
 *                           lets physically contiguous pages be mapped as
 *                           larger IOMMU pages, 0 maps every page singly
 */
enum iommufd_option {
	IOMMU_OPTION_RLIMIT_MODE = 0,
	IOMMU_OPTION_HUGE_PAGES = 1,
};

/**
 * enum iommufd_option_ops - what IOMMU_OPTION does with the option
 * @IOMMU_OPTION_OP_SET: store @val64 as the option's value
 * @IOMMU_OPTION_OP_GET: return the option's value in @val64
 */
enum iommufd_option_ops {
	IOMMU_OPTION_OP_SET = 0,
	IOMMU_OPTION_OP_GET = 1,
};

/**
 * struct iommu_option - ioctl(IOMMU_OPTION)
 * @size: sizeof(struct iommu_option)
 * @option_id: enum iommufd_option
 * @op: enum iommufd_option_ops
 * @__reserved: must be 0
 * @object_id: object the option belongs to, 0 for a global option
 * @val64: in for SET: the new value; out for GET: the current value
 *
 * Reads or changes one simple setting of the iommufd or of one of its
 * objects. Upstream errnos: EOPNOTSUPP unknown @option_id or @op, or a
 * non-zero @object_id for a global option; EINVAL a value out of range.
 * Source: upstream iommufd.
 */
struct iommu_option {
	__u32 size;
	__u32 option_id;
	__u16 op;
	__u16 __reserved;
	__u32 object_id;
	__aligned_u64 val64;
};

#define IOMMU_OPTION _IO(IOMMUFD_TYPE, IOMMUFD_CMD_OPTION)

/**
 * enum iommufd_vfio_ioas_op - operations of IOMMU_VFIO_IOAS
 * @IOMMU_VFIO_IOAS_GET: return the IOAS that the VFIO container emulation
 *                       uses (ENODEV if none is set)
 * @IOMMU_VFIO_IOAS_SET: make @ioas_id that IOAS
 * @IOMMU_VFIO_IOAS_CLEAR: forget it; the emulation is disabled
 */
enum iommufd_vfio_ioas_op {
	IOMMU_VFIO_IOAS_GET = 0,
	IOMMU_VFIO_IOAS_SET = 1,
	IOMMU_VFIO_IOAS_CLEAR = 2,
};

/**
 * struct iommu_vfio_ioas - ioctl(IOMMU_VFIO_IOAS)
 * @size: sizeof(struct iommu_vfio_ioas)
 * @ioas_id: in for SET: the IOAS; out for GET: the IOAS
 * @op: enum iommufd_vfio_ioas_op
 * @__reserved: must be 0
 *
 * Chooses the single IOAS behind the emulation of the VFIO type1 container
 * API on an iommufd (those ioctls carry no IOAS ID). If none is chosen when
 * a VFIO group joins the container, upstream creates one. SET and CLEAR do
 * not destroy an IOAS. Source: upstream iommufd.
 */
struct iommu_vfio_ioas {
	__u32 size;
	__u32 ioas_id;
	__u16 op;
	__u16 __reserved;
};

#define IOMMU_VFIO_IOAS _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VFIO_IOAS)

/**
 * enum iommufd_hwpt_alloc_flags - flags of IOMMU_HWPT_ALLOC
 * @IOMMU_HWPT_ALLOC_NEST_PARENT: the paging HWPT may serve as stage 2 under
 *                                nested HWPTs and vIOMMUs
 * @IOMMU_HWPT_ALLOC_DIRTY_TRACKING: paging HWPT with dirty tracking (the
 *                                   selftest mock offers it; the own mock
 *                                   instances answer EOPNOTSUPP)
 * @IOMMU_HWPT_FAULT_ID_VALID: @fault_id names a fault queue (nested HWPTs,
 *                             as upstream 6.12)
 * @IOMMU_HWPT_ALLOC_PASID: the HWPT may be attached to PASIDs of devices
 *                          (upstream 6.15; paging or nested, for drivers
 *                          that attach PASIDs: selftest devices; the mock
 *                          instances answer EOPNOTSUPP). While a PASID of a
 *                          device is attached, its RID takes only such
 *                          HWPTs
 */
enum iommufd_hwpt_alloc_flags {
	IOMMU_HWPT_ALLOC_NEST_PARENT = 1 << 0,
	IOMMU_HWPT_ALLOC_DIRTY_TRACKING = 1 << 1,
	IOMMU_HWPT_FAULT_ID_VALID = 1 << 2,
	IOMMU_HWPT_ALLOC_PASID = 1 << 3,
};

/**
 * enum iommu_hwpt_vtd_s1_flags - attributes of a VT-d stage-1 table
 * @IOMMU_VTD_S1_SRE: supervisor requests are allowed
 * @IOMMU_VTD_S1_EAFE: extended accessed flag enabled
 * @IOMMU_VTD_S1_WPE: write protection applies to supervisor accesses
 */
enum iommu_hwpt_vtd_s1_flags {
	IOMMU_VTD_S1_SRE = 1 << 0,
	IOMMU_VTD_S1_EAFE = 1 << 1,
	IOMMU_VTD_S1_WPE = 1 << 2,
};

/**
 * struct iommu_hwpt_vtd_s1 - Intel VT-d stage-1 table (IOMMU_HWPT_DATA_VTD_S1)
 * @flags: enum iommu_hwpt_vtd_s1_flags
 * @pgtbl_addr: guest-physical (stage-2 input) address of the first-stage
 *              page table's root
 * @addr_width: input address width of that table in bits (48 or 57)
 * @__reserved: must be 0
 *
 * Source: upstream iommufd; the fields follow the VT-d specification.
 */
struct iommu_hwpt_vtd_s1 {
	__aligned_u64 flags;
	__aligned_u64 pgtbl_addr;
	__u32 addr_width;
	__u32 __reserved;
};

/**
 * struct iommu_hwpt_arm_smmuv3 - ARM SMMUv3 nested STE
 *                                (IOMMU_HWPT_DATA_ARM_SMMUV3)
 * @ste: the first two 64-bit words of the guest's Stream Table Entry,
 *       little-endian
 *
 * Upstream accepts only some STE fields (in word 0: V, Config, S1Fmt,
 * S1ContextPtr, S1CDMax; in word 1: EATS, S1DSS, S1CIR, S1COR, S1CSH,
 * S1STALLD) and answers EIO for an STE that sets anything else. Config
 * may select abort, bypass (translate through the nesting parent only) or a
 * stage-1 table in guest memory. Source: upstream iommufd and the SMMUv3
 * specification.
 */
struct iommu_hwpt_arm_smmuv3 {
	__aligned_le64 ste[2];
};

/**
 * enum iommu_hwpt_data_type - type of the data given to IOMMU_HWPT_ALLOC
 * @IOMMU_HWPT_DATA_NONE: no data: a paging (stage-2 capable) HWPT
 * @IOMMU_HWPT_DATA_VTD_S1: Intel VT-d stage 1 (VT-d instances)
 * @IOMMU_HWPT_DATA_ARM_SMMUV3: ARM SMMUv3 STE (SMMUv3 instances)
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
 * enum iommu_hw_info_vtd_flags - flags of struct iommu_hw_info_vtd
 * @IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17: the hardware has Intel erratum
 *                                         772415 (Sapphire Rapids SPR17):
 *                                         read-only mappings must not be
 *                                         used in a nesting-parent HWPT
 */
enum iommu_hw_info_vtd_flags {
	IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17 = 1 << 0,
};

/**
 * struct iommu_hw_info_vtd - Intel VT-d data (IOMMU_HW_INFO_TYPE_INTEL_VTD)
 * @flags: enum iommu_hw_info_vtd_flags
 * @__reserved: 0
 * @cap_reg: the unit's Capability Register (VT-d spec, 11.4.2)
 * @ecap_reg: the unit's Extended Capability Register (VT-d spec, 11.4.3)
 *
 * Raw register values; userspace decodes them per the VT-d specification.
 * Source: upstream iommufd.
 */
struct iommu_hw_info_vtd {
	__u32 flags;
	__u32 __reserved;
	__aligned_u64 cap_reg;
	__aligned_u64 ecap_reg;
};

/**
 * struct iommu_hw_info_arm_smmuv3 - ARM SMMUv3 data
 *                                   (IOMMU_HW_INFO_TYPE_ARM_SMMUV3)
 * @flags: 0
 * @__reserved: 0
 * @idr: the SMMU_IDR0..SMMU_IDR5 registers
 * @iidr: the SMMU_IIDR register (implementer, revision)
 * @aidr: the SMMU_AIDR register (architecture version)
 *
 * Raw register values (SMMUv3 specification, 6.3.1 to 6.3.6). Upstream
 * promises meaning only for some fields, which a VMM may copy into its
 * virtual SMMU: in IDR0 the stream-table levels, termination and stall
 * models, endianness, CD2L, ASID16 and TTF; in IDR1 SIDSIZE and SSIDSIZE; in
 * IDR3 BBML and RIL; in IDR5 VAX and the supported granules. Other bits may
 * change meaning in later kernels. Source: upstream iommufd.
 */
struct iommu_hw_info_arm_smmuv3 {
	__u32 flags;
	__u32 __reserved;
	__u32 idr[6];
	__u32 iidr;
	__u32 aidr;
};

/**
 * struct iommu_hw_info_tegra241_cmdqv - NVIDIA Tegra241 CMDQV data
 *                                       (IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV)
 * @flags: 0
 * @version: CMDQ-V hardware version (PARAM register bits 3:0)
 * @log2vcmdqs: log2 of the number of virtual command queues (PARAM 7:4)
 * @log2vsids: log2 of the number of stream-ID replacements (PARAM 15:12)
 * @__reserved: 0
 *
 * A VMM can place these values in the PARAM register it emulates, exposing
 * one virtual interface (VINTF) to the guest. Source: upstream iommufd.
 */
struct iommu_hw_info_tegra241_cmdqv {
	__u32 flags;
	__u8 version;
	__u8 log2vcmdqs;
	__u8 log2vsids;
	__u8 __reserved;
};

/**
 * enum iommu_hw_info_type - type of the data IOMMU_GET_HW_INFO returns
 * @IOMMU_HW_INFO_TYPE_NONE: no driver data
 * @IOMMU_HW_INFO_TYPE_DEFAULT: as an input: whatever the driver reports
 * @IOMMU_HW_INFO_TYPE_INTEL_VTD: Intel VT-d (VT-d instances)
 * @IOMMU_HW_INFO_TYPE_ARM_SMMUV3: ARM SMMUv3 (SMMUv3 instances)
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
 * @IOMMU_HW_CAP_DIRTY_TRACKING: dirty tracking: IOMMU_HWPT_ALLOC_DIRTY_TRACKING,
 *                               IOMMU_HWPT_SET_DIRTY_TRACKING and
 *                               IOMMU_HWPT_GET_DIRTY_BITMAP work for the
 *                               device (never set by the mock)
 * @IOMMU_HW_CAP_PCI_PASID_EXEC: the PCI device supports the PASID Execute
 *                               Requested bit; meaningless when
 *                               out_max_pasid_log2 is 0
 * @IOMMU_HW_CAP_PCI_PASID_PRIV: the PCI device supports the PASID Privileged
 *                               Mode Requested bit; meaningless when
 *                               out_max_pasid_log2 is 0
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
 * @out_max_pasid_log2: out: PASID width: PASIDs 1 to 2^width - 1 can be
 *                      attached; 0 for the mock instances' devices (no
 *                      PASID support), 20 for selftest devices made with
 *                      MOCK_FLAGS_DEVICE_PASID
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
 * enum iommufd_hwpt_set_dirty_tracking_flags - flags of
 *                                              IOMMU_HWPT_SET_DIRTY_TRACKING
 * @IOMMU_HWPT_DIRTY_TRACKING_ENABLE: turn tracking on; without it, off
 */
enum iommufd_hwpt_set_dirty_tracking_flags {
	IOMMU_HWPT_DIRTY_TRACKING_ENABLE = 1,
};

/**
 * struct iommu_hwpt_set_dirty_tracking - ioctl(IOMMU_HWPT_SET_DIRTY_TRACKING)
 * @size: sizeof(struct iommu_hwpt_set_dirty_tracking)
 * @flags: enum iommufd_hwpt_set_dirty_tracking_flags
 * @hwpt_id: a paging HWPT allocated with IOMMU_HWPT_ALLOC_DIRTY_TRACKING
 * @__reserved: must be 0
 *
 * Starts or stops the recording of DMA writes in the HWPT's page table.
 * Source: upstream iommufd.
 */
struct iommu_hwpt_set_dirty_tracking {
	__u32 size;
	__u32 flags;
	__u32 hwpt_id;
	__u32 __reserved;
};

#define IOMMU_HWPT_SET_DIRTY_TRACKING \
	_IO(IOMMUFD_TYPE, IOMMUFD_CMD_HWPT_SET_DIRTY_TRACKING)

/**
 * enum iommufd_hwpt_get_dirty_bitmap_flags - flags of
 *                                            IOMMU_HWPT_GET_DIRTY_BITMAP
 * @IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR: report the dirty bits but leave
 *                                        them set, for a caller that is
 *                                        about to unmap the range anyway
 */
enum iommufd_hwpt_get_dirty_bitmap_flags {
	IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR = 1,
};

/**
 * struct iommu_hwpt_get_dirty_bitmap - ioctl(IOMMU_HWPT_GET_DIRTY_BITMAP)
 * @size: sizeof(struct iommu_hwpt_get_dirty_bitmap)
 * @hwpt_id: a paging HWPT with dirty tracking
 * @flags: enum iommufd_hwpt_get_dirty_bitmap_flags
 * @__reserved: must be 0
 * @iova: IOVA that bit 0 of the bitmap stands for
 * @length: bytes of IOVA to report
 * @page_size: bytes of IOVA one bit stands for, a non-zero power of two;
 *             @iova and @iova + @length must be multiples of it
 * @data: user pointer to the bitmap, an array of 64-bit words
 *
 * Walks the page table over [@iova, @iova + @length - 1] and sets, in the
 * bitmap, the bit of every @page_size page that was written since the last
 * read: page n of the range is bit n % 64 of word n / 64. Unless NO_CLEAR
 * is given the dirty state is cleared as it is read. Source: upstream
 * iommufd.
 */
struct iommu_hwpt_get_dirty_bitmap {
	__u32 size;
	__u32 hwpt_id;
	__u32 flags;
	__u32 __reserved;
	__aligned_u64 iova;
	__aligned_u64 length;
	__aligned_u64 page_size;
	__aligned_u64 data;
};

#define IOMMU_HWPT_GET_DIRTY_BITMAP \
	_IO(IOMMUFD_TYPE, IOMMUFD_CMD_HWPT_GET_DIRTY_BITMAP)

/**
 * enum iommu_hwpt_invalidate_data_type - type of invalidation entries
 * @IOMMU_HWPT_INVALIDATE_DATA_VTD_S1: VT-d stage 1 (VT-d instances)
 * @IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3: SMMUv3 commands (SMMUv3
 *                                           instances)
 *
 * The mock's type, IOMMU_HWPT_INVALIDATE_DATA_MOCK, is in
 * <linux/iommufd_mock.h>.
 */
enum iommu_hwpt_invalidate_data_type {
	IOMMU_HWPT_INVALIDATE_DATA_VTD_S1 = 0,
	IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3 = 1,
};

/**
 * enum iommu_hwpt_vtd_s1_invalidate_flags - flags of
 *                                           struct iommu_hwpt_vtd_s1_invalidate
 * @IOMMU_VTD_INV_FLAGS_LEAF: only leaf entries changed: the paging-structure
 *                            caches of upper levels may be kept
 */
enum iommu_hwpt_vtd_s1_invalidate_flags {
	IOMMU_VTD_INV_FLAGS_LEAF = 1 << 0,
};

/**
 * struct iommu_hwpt_vtd_s1_invalidate - one VT-d stage-1 invalidation
 *                                       (IOMMU_HWPT_INVALIDATE_DATA_VTD_S1)
 * @addr: first address to flush, 4 KiB aligned
 * @npages: number of 4 KiB pages to flush
 * @flags: enum iommu_hwpt_vtd_s1_invalidate_flags
 * @__reserved: must be 0
 *
 * @addr 0 with @npages U64_MAX flushes everything cached for the nested
 * HWPT. The device TLB (ATS) is flushed with it. Source: upstream iommufd.
 */
struct iommu_hwpt_vtd_s1_invalidate {
	__aligned_u64 addr;
	__aligned_u64 npages;
	__u32 flags;
	__u32 __reserved;
};

/**
 * struct iommu_viommu_arm_smmuv3_invalidate - one SMMUv3 command
 *                                 (IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3)
 * @cmd: a 128-bit SMMUv3 command-queue entry, little-endian
 *
 * Given with a vIOMMU as hwpt_id. Upstream forwards only TLB invalidations
 * of the guest's stage 1 (TLBI_NSNH_ALL, TLBI_NH_VA, TLBI_NH_VAA,
 * TLBI_NH_ALL, TLBI_NH_ASID), ATC_INV, CFGI_CD and CFGI_CD_ALL, with the
 * virtual stream IDs translated through the vIOMMU's vDEVICEs; other
 * commands give EIO. Source: upstream iommufd.
 */
struct iommu_viommu_arm_smmuv3_invalidate {
	__aligned_le64 cmd[2];
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
 * enum iommu_hwpt_pgfault_flags - flags of struct iommu_hwpt_pgfault
 * @IOMMU_PGFAULT_FLAGS_PASID_VALID: @pasid holds a PASID
 * @IOMMU_PGFAULT_FLAGS_LAST_PAGE: last request of its page request group
 */
enum iommu_hwpt_pgfault_flags {
	IOMMU_PGFAULT_FLAGS_PASID_VALID = (1 << 0),
	IOMMU_PGFAULT_FLAGS_LAST_PAGE = (1 << 1),
};

/**
 * enum iommu_hwpt_pgfault_perm - access a page request asks for
 * @IOMMU_PGFAULT_PERM_READ: read
 * @IOMMU_PGFAULT_PERM_WRITE: write
 * @IOMMU_PGFAULT_PERM_EXEC: execute (the PASID prefix's Execute Requested
 *                           bit, PCIe 10.4.1)
 * @IOMMU_PGFAULT_PERM_PRIV: privileged (the PASID prefix's Privileged Mode
 *                           Requested bit, PCIe 10.4.1)
 */
enum iommu_hwpt_pgfault_perm {
	IOMMU_PGFAULT_PERM_READ = (1 << 0),
	IOMMU_PGFAULT_PERM_WRITE = (1 << 1),
	IOMMU_PGFAULT_PERM_EXEC = (1 << 2),
	IOMMU_PGFAULT_PERM_PRIV = (1 << 3),
};

/**
 * struct iommu_hwpt_pgfault - one page request read from a fault queue fd
 * @flags: enum iommu_hwpt_pgfault_flags
 * @dev_id: device that made the request
 * @pasid: its PASID, with IOMMU_PGFAULT_FLAGS_PASID_VALID
 * @grpid: page request group index
 * @perm: enum iommu_hwpt_pgfault_perm
 * @__reserved: 0
 * @addr: faulting address
 * @length: bytes the device expects to access from @addr, a hint; 0 when
 *          the device gave none
 * @cookie: kernel-chosen tag of the group; the response to the group echoes
 *          the cookie of its last request
 *
 * read() on the fd of IOMMU_FAULT_QUEUE_ALLOC returns whole records of this
 * struct. Source: upstream iommufd.
 */
struct iommu_hwpt_pgfault {
	__u32 flags;
	__u32 dev_id;
	__u32 pasid;
	__u32 grpid;
	__u32 perm;
	__u32 __reserved;
	__aligned_u64 addr;
	__u32 length;
	__u32 cookie;
};

/**
 * enum iommufd_page_response_code - answer to a page request group
 * @IOMMUFD_PAGE_RESP_SUCCESS: the fault was resolved; the device retries
 *                             the access (PCIe "Success", 10.4.2.1)
 * @IOMMUFD_PAGE_RESP_INVALID: the fault cannot be resolved; the device must
 *                             not retry (PCIe "Invalid Request", 10.4.2.1)
 */
enum iommufd_page_response_code {
	IOMMUFD_PAGE_RESP_SUCCESS = 0,
	IOMMUFD_PAGE_RESP_INVALID = 1,
};

/**
 * struct iommu_hwpt_page_response - response written to a fault queue fd
 * @cookie: the cookie of the group's last struct iommu_hwpt_pgfault
 * @code: enum iommufd_page_response_code
 *
 * Source: upstream iommufd.
 */
struct iommu_hwpt_page_response {
	__u32 cookie;
	__u32 code;
};

/**
 * struct iommu_fault_alloc - ioctl(IOMMU_FAULT_QUEUE_ALLOC)
 * @size: sizeof(struct iommu_fault_alloc)
 * @flags: must be 0
 * @out_fault_id: ID of the new fault queue, for iommu_hwpt_alloc::fault_id
 * @out_fault_fd: file descriptor to read struct iommu_hwpt_pgfault from and
 *                write struct iommu_hwpt_page_response to
 *
 * Creates a queue that collects the page requests (I/O page faults) of the
 * HWPTs allocated with IOMMU_HWPT_FAULT_ID_VALID and its ID. Source:
 * upstream iommufd.
 */
struct iommu_fault_alloc {
	__u32 size;
	__u32 flags;
	__u32 out_fault_id;
	__u32 out_fault_fd;
};

#define IOMMU_FAULT_QUEUE_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_FAULT_QUEUE_ALLOC)

/**
 * enum iommu_viommu_type - type of a vIOMMU
 * @IOMMU_VIOMMU_TYPE_DEFAULT: generic vIOMMU the core makes itself, wrapping
 *                             a nest-parent HWPT; always available (seed 000)
 * @IOMMU_VIOMMU_TYPE_ARM_SMMUV3: ARM SMMUv3 (SMMUv3 instances)
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
 * struct iommu_viommu_tegra241_cmdqv - vIOMMU data of
 *                                      IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV
 * @out_vintf_mmap_offset: offset to give mmap() on the iommufd to map the
 *                         page 0 of the virtual interface (VINTF)
 * @out_vintf_mmap_length: length to give that mmap(), in bytes
 *
 * The VMM maps that page into the guest so the guest drives its virtual
 * command queues without traps. Source: upstream iommufd.
 */
struct iommu_viommu_tegra241_cmdqv {
	__aligned_u64 out_vintf_mmap_offset;
	__aligned_u64 out_vintf_mmap_length;
};

/**
 * struct iommu_viommu_alloc - ioctl(IOMMU_VIOMMU_ALLOC)
 * @size: sizeof(struct iommu_viommu_alloc)
 * @flags: must be 0
 * @type: enum iommu_viommu_type or IOMMU_VIOMMU_TYPE_MOCK
 * @dev_id: a device whose physical IOMMU instance backs the vIOMMU
 * @hwpt_id: a NEST_PARENT paging HWPT, the stage 2 the vIOMMU wraps
 * @out_viommu_id: ID of the new vIOMMU
 * @data_len: bytes at @data_uptr; 0 for types that take no data (only
 *            upstream's selftest type, on the selftest driver, takes some)
 * @__reserved: must be 0
 * @data_uptr: user pointer to type-specific data; 0 when @data_len is 0
 *
 * A vIOMMU is the slice of one physical IOMMU instance that a VM owns: its
 * virtual stream-ID space (vDEVICEs) and its invalidation path. It belongs to
 * the instance of @dev_id: vDEVICEs and nested HWPTs of other instances'
 * devices are refused.
 *
 * Errnos: ENOENT an ID does not exist, @dev_id is no device or @hwpt_id no
 * paging HWPT; EINVAL @hwpt_id is no NEST_PARENT, the HWPT is not
 * compatible with the device (format, aperture), data was given to a type
 * that takes none or is of the wrong length, or @data_uptr without
 * @data_len; EOPNOTSUPP non-zero @flags or @__reserved, or a @type the
 * device's driver does not offer; EFAULT the data cannot be read or
 * answered. Source: upstream iommufd, DEFAULT from seed 000.
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
 * vIOMMU. The device cannot be destroyed while the vDEVICE exists; unbinding
 * it (for a selftest device: destroying its selftest object) destroys the
 * vDEVICE and leaves its ID a tombstone that answers ENOENT (upstream
 * 6.17).
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

/**
 * struct iommu_ioas_change_process - ioctl(IOMMU_IOAS_CHANGE_PROCESS)
 * @size: sizeof(struct iommu_ioas_change_process)
 * @__reserved: must be 0
 *
 * Moves the pinned-page accounting of every mapping of every IOAS of this
 * iommufd to the calling process, for example when another process takes
 * over the device during a live update: later pins and unpins charge the
 * caller too. Only mappings made by IOMMU_IOAS_MAP_FILE can move. Pages
 * shared by several mappings count once. On any failure nothing is
 * changed.
 *
 * Errnos: EOPNOTSUPP non-zero @__reserved; EINVAL a mapping of user memory
 * (IOMMU_IOAS_MAP or a copy of one) exists; ENOMEM the caller's memlock
 * limit would be exceeded. Source: upstream iommufd (newer than 6.12).
 */
struct iommu_ioas_change_process {
	__u32 size;
	__u32 __reserved;
};

#define IOMMU_IOAS_CHANGE_PROCESS \
	_IO(IOMMUFD_TYPE, IOMMUFD_CMD_IOAS_CHANGE_PROCESS)

/**
 * enum iommu_veventq_flag - flags of struct iommufd_vevent_header
 * @IOMMU_VEVENTQ_FLAG_LOST_EVENTS: events were dropped because the queue
 *                                  was full; no event data follows
 */
enum iommu_veventq_flag {
	IOMMU_VEVENTQ_FLAG_LOST_EVENTS = (1U << 0),
};

/**
 * struct iommufd_vevent_header - header of each record of a vEVENTQ fd
 * @flags: enum iommu_veventq_flag
 * @sequence: index of the event, counting from 0 and wrapping from INT_MAX
 *            back to 0
 *
 * Each record is this header followed by the type's event data. A jump of
 * more than one in @sequence between two records means the events between
 * them were lost. When events are lost at the end of the queue, a header
 * with IOMMU_VEVENTQ_FLAG_LOST_EVENTS and the next @sequence, without data,
 * closes the queue's contents. Source: upstream iommufd.
 */
struct iommufd_vevent_header {
	__u32 flags;
	__u32 sequence;
};

/**
 * enum iommu_veventq_type - type of a vEVENTQ
 * @IOMMU_VEVENTQ_TYPE_DEFAULT: reserved, not a valid queue type
 * @IOMMU_VEVENTQ_TYPE_ARM_SMMUV3: SMMUv3 event records
 *                                (struct iommu_vevent_arm_smmuv3)
 * @IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV: Tegra241 CMDQV error interrupts
 *                                    (struct iommu_vevent_tegra241_cmdqv)
 */
enum iommu_veventq_type {
	IOMMU_VEVENTQ_TYPE_DEFAULT = 0,
	IOMMU_VEVENTQ_TYPE_ARM_SMMUV3 = 1,
	IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV = 2,
};

/**
 * struct iommu_vevent_arm_smmuv3 - SMMUv3 event (IOMMU_VEVENTQ_TYPE_ARM_SMMUV3)
 * @evt: the 256-bit event record, little-endian, with the StreamID field
 *       holding the vDEVICE's virt_id
 *
 * Upstream reports C_BAD_STE (0x04), F_STREAM_DISABLED (0x06),
 * C_BAD_SUBSTREAMID (0x08), C_BAD_CD (0x0a), F_TRANSLATION (0x10),
 * F_ADDR_SIZE (0x11), F_ACCESS (0x12) and F_PERMISSION (0x13) (SMMUv3
 * specification, 7.3), and only for devices that have a vDEVICE.
 * Source: upstream iommufd.
 */
struct iommu_vevent_arm_smmuv3 {
	__aligned_le64 evt[4];
};

/**
 * struct iommu_vevent_tegra241_cmdqv - Tegra241 CMDQV error interrupt
 *                                      (IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV)
 * @lvcmdq_err_map: the 128-bit logical VCMDQ error map of the vIOMMU's
 *                  virtual interface, little-endian, as the hardware reads
 *
 * Source: upstream iommufd.
 */
struct iommu_vevent_tegra241_cmdqv {
	__aligned_le64 lvcmdq_err_map[2];
};

/**
 * struct iommu_veventq_alloc - ioctl(IOMMU_VEVENTQ_ALLOC)
 * @size: sizeof(struct iommu_veventq_alloc)
 * @flags: must be 0
 * @viommu_id: vIOMMU whose events the queue receives
 * @type: enum iommu_veventq_type; one queue per type and vIOMMU
 * @veventq_depth: most events the queue holds before it drops new ones
 * @out_veventq_id: ID of the new vEVENTQ
 * @out_veventq_fd: file descriptor to read(), in records of struct
 *                  iommufd_vevent_header plus event data; the caller
 *                  closes it
 * @__reserved: must be 0
 *
 * Creates a queue of the events a vIOMMU reports for its vDEVICEs (for
 * example stage-1 translation faults to forward to the guest). The fd
 * reads whole records (EINVAL for a count below a header, or a first record
 * that does not fit); poll() reports POLLIN while one waits. See struct
 * iommufd_vevent_header for sequence numbers and lost events.
 *
 * Errnos: EOPNOTSUPP non-zero @flags or @__reserved, or @type 0; EINVAL
 * @veventq_depth 0 or above 2^19; ENOENT @viommu_id is no vIOMMU; EEXIST
 * the vIOMMU has a queue of @type; EMFILE; ENOMEM; EFAULT. Source:
 * upstream iommufd (the depth bound as in Linux 7.2's source).
 */
struct iommu_veventq_alloc {
	__u32 size;
	__u32 flags;
	__u32 viommu_id;
	__u32 type;
	__u32 veventq_depth;
	__u32 out_veventq_id;
	__u32 out_veventq_fd;
	__u32 __reserved;
};

#define IOMMU_VEVENTQ_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_VEVENTQ_ALLOC)

/**
 * enum iommu_hw_queue_type - type of a HW queue
 * @IOMMU_HW_QUEUE_TYPE_DEFAULT: reserved, not a valid queue type
 * @IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV: a Tegra241 CMDQV virtual command
 *                                     queue (VCMDQ). Upstream requires
 *                                     queues to be allocated from index 0
 *                                     upwards and destroyed in reverse
 *                                     order, @length a power of two from
 *                                     32 bytes up to the size that
 *                                     SMMU_IDR1.CMDQS allows, and the
 *                                     memory aligned to @length and mapped
 *                                     in the IOAS
 */
enum iommu_hw_queue_type {
	IOMMU_HW_QUEUE_TYPE_DEFAULT = 0,
	IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV = 1,
};

/**
 * struct iommu_hw_queue_alloc - ioctl(IOMMU_HW_QUEUE_ALLOC)
 * @size: sizeof(struct iommu_hw_queue_alloc)
 * @flags: must be 0
 * @viommu_id: vIOMMU the queue belongs to
 * @type: enum iommu_hw_queue_type
 * @index: number of the queue among the vIOMMU's queues of this @type
 * @out_hw_queue_id: ID of the new HW queue
 * @nesting_parent_iova: guest-physical address (an IOVA of the nesting
 *                       parent) of the queue memory
 * @length: bytes of queue memory
 *
 * Lets the hardware read a guest's command queue directly from guest
 * memory. The memory is pinned (IOMMU_IOAS_UNMAP of it answers EBUSY while
 * the queue exists) and must be physically contiguous.
 *
 * Errnos: EOPNOTSUPP non-zero @flags, @type 0, or a type the vIOMMU's
 * driver does not offer; EINVAL @length 0 or an @index the driver refuses;
 * EOVERFLOW @nesting_parent_iova + @length - 1 wraps; ENOENT @viommu_id is
 * no vIOMMU or the range is not fully mapped; EFAULT the pages are not
 * physically contiguous; EEXIST / EIO (selftest driver) the index is taken /
 * the queue below it does not exist; EBUSY is what IOMMU_DESTROY answers for
 * a queue another one depends on. Source: upstream iommufd 6.17.
 */
struct iommu_hw_queue_alloc {
	__u32 size;
	__u32 flags;
	__u32 viommu_id;
	__u32 type;
	__u32 index;
	__u32 out_hw_queue_id;
	__aligned_u64 nesting_parent_iova;
	__aligned_u64 length;
};

#define IOMMU_HW_QUEUE_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_CMD_HW_QUEUE_ALLOC)

#endif
