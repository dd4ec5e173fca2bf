/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * iommufd-mock extensions: commands and data types that upstream iommufd
 * does not have. Command numbers live in 0xc0-0xcf, clear of upstream's
 * 0x80-0xa0.
 */
#ifndef _UAPI_IOMMUFD_MOCK_H
#define _UAPI_IOMMUFD_MOCK_H

#include <linux/types.h>
#include <linux/ioctl.h>
/* Quoted so the sibling header is found, also inside a kernel build. */
#include "iommufd.h"

/* Default character device; the module parameter dev_iommu=1 uses /dev/iommu. */
#define IOMMUFD_MOCK_DEVICE_PATH "/dev/iommufd-mock"

enum {
	IOMMUFD_MOCK_CMD_BASE = 0xc0,
	IOMMUFD_MOCK_CMD_INSTANCE_INFO = IOMMUFD_MOCK_CMD_BASE,
	IOMMUFD_MOCK_CMD_DEVICE_ALLOC = 0xc1,
	IOMMUFD_MOCK_CMD_DEVICE_ATTACH = 0xc2,
	IOMMUFD_MOCK_CMD_DEVICE_DETACH = 0xc3,
	IOMMUFD_CMD_DEVICE_GET_RESV_REGIONS = 0xc4,
	IOMMUFD_MOCK_CMD_OBJECT_INFO = 0xc5,
	IOMMUFD_MOCK_CMD_DMA = 0xc6,
};

/* Value of every mock type in upstream's driver-type enums: ASCII "MOCK". */
#define IOMMUFD_MOCK_TYPE 0x4d4f434bU

/* enum iommu_hw_info_type: data is struct iommu_hw_info_mock */
#define IOMMU_HW_INFO_TYPE_MOCK IOMMUFD_MOCK_TYPE
/* enum iommu_hwpt_data_type: data is struct iommu_hwpt_mock_s1 */
#define IOMMU_HWPT_DATA_MOCK_S1 IOMMUFD_MOCK_TYPE
/* enum iommu_viommu_type: the mock driver's own vIOMMU (ARM-like instances) */
#define IOMMU_VIOMMU_TYPE_MOCK IOMMUFD_MOCK_TYPE
/* enum iommu_hwpt_invalidate_data_type: entries are struct iommu_mock_invalidate */
#define IOMMU_HWPT_INVALIDATE_DATA_MOCK IOMMUFD_MOCK_TYPE

/**
 * enum iommu_mock_s1_format - stage-1 page-table formats of mock instances
 * @IOMMU_MOCK_S1_FORMAT_ARM_LPAE: ARM-like AArch64 LPAE, 4 KiB granule,
 *                                 16-bit ASID
 * @IOMMU_MOCK_S1_FORMAT_X86_FL: x86-like first-level (4-level) table,
 *                               16-bit domain tag
 * @IOMMU_MOCK_S1_FORMAT_ARM_SMMUV3: SMMUv3 instance: the guest's stream
 *                                   table entry, context descriptors and
 *                                   VMSAv8-64 tables (4, 16 or 64 KiB
 *                                   granule), walked in guest memory
 * @IOMMU_MOCK_S1_FORMAT_INTEL_VTD: VT-d instance: x86-64 4- or 5-level
 *                                  first-stage tables, walked in guest
 *                                  memory
 *
 * Devices behind instances of different formats cannot share a HWPT or a
 * nesting parent (seed 004); instances of the same format can, as long as
 * the HWPT reaches no IOVA beyond the device's own aperture (a 44-bit
 * instance refuses a 48-bit instance's HWPTs, not the other way round).
 */
enum iommu_mock_s1_format {
	IOMMU_MOCK_S1_FORMAT_ARM_LPAE = 1,
	IOMMU_MOCK_S1_FORMAT_X86_FL = 2,
	IOMMU_MOCK_S1_FORMAT_ARM_SMMUV3 = 3,
	IOMMU_MOCK_S1_FORMAT_INTEL_VTD = 4,
};

/**
 * enum iommu_hw_info_mock_flags - properties of a mock IOMMU instance
 * @IOMMU_HW_INFO_MOCK_VIOMMU: the driver offers IOMMU_VIOMMU_TYPE_MOCK;
 *                             without it only IOMMU_VIOMMU_TYPE_DEFAULT works
 * @IOMMU_HW_INFO_MOCK_NESTING: nested HWPTs (IOMMU_HWPT_DATA_MOCK_S1) work
 * @IOMMU_HW_INFO_MOCK_ARM_SMMUV3: an SMMUv3 instance (module parameter
 *                                 smmuv3_instances): IOMMU_GET_HW_INFO
 *                                 reports IOMMU_HW_INFO_TYPE_ARM_SMMUV3, its
 *                                 vIOMMU type is IOMMU_VIOMMU_TYPE_ARM_SMMUV3
 *                                 and its nested HWPTs take
 *                                 IOMMU_HWPT_DATA_ARM_SMMUV3 (upstream's
 *                                 ARM SMMUv3 uAPI), with stage-1 tables read
 *                                 from guest memory
 * @IOMMU_HW_INFO_MOCK_INTEL_VTD: a VT-d instance (module parameter
 *                                vtd_instances): IOMMU_GET_HW_INFO reports
 *                                IOMMU_HW_INFO_TYPE_INTEL_VTD, nested HWPTs
 *                                take IOMMU_HWPT_DATA_VTD_S1 over a nest
 *                                parent (upstream's Intel VT-d nesting
 *                                uAPI), with first-stage tables read from
 *                                guest memory
 */
enum iommu_hw_info_mock_flags {
	IOMMU_HW_INFO_MOCK_VIOMMU = 1 << 0,
	IOMMU_HW_INFO_MOCK_NESTING = 1 << 1,
	IOMMU_HW_INFO_MOCK_ARM_SMMUV3 = 1 << 2,
	IOMMU_HW_INFO_MOCK_INTEL_VTD = 1 << 3,
};

/**
 * struct iommu_hw_info_mock - a mock IOMMU instance (IOMMU_HW_INFO_TYPE_MOCK)
 * @flags: enum iommu_hw_info_mock_flags
 * @instance_id: instance number, 0-based, as named by
 *               struct iommu_mock_device_alloc::instance_id
 * @s1_format: enum iommu_mock_s1_format, the stage-1 format descriptor
 * @s1_ias: stage-1 input address width in bits
 * @s1_oas: stage-1 output (IPA) width in bits
 * @sid_bits: width of the physical stream-ID space in bits
 * @asid_bits: width of the stage-1 ASID / domain tag in bits
 * @num_resv_regions: number of reserved regions each device of the instance
 *                    has
 * @pgsize_bitmap: page sizes the instance's page tables support (bytes)
 * @aperture_start: first IOVA a paging HWPT of this instance translates
 * @aperture_last: last IOVA (inclusive)
 *
 * Returned by IOMMU_GET_HW_INFO for a device and, one per instance, by
 * IOMMU_MOCK_INSTANCE_INFO. Project extension.
 */
struct iommu_hw_info_mock {
	__u32 flags;
	__u32 instance_id;
	__u32 s1_format;
	__u32 s1_ias;
	__u32 s1_oas;
	__u32 sid_bits;
	__u32 asid_bits;
	__u32 num_resv_regions;
	__aligned_u64 pgsize_bitmap;
	__aligned_u64 aperture_start;
	__aligned_u64 aperture_last;
};

/**
 * struct iommu_mock_instance_info - ioctl(IOMMU_MOCK_INSTANCE_INFO)
 * @size: sizeof(struct iommu_mock_instance_info)
 * @num_instances: in: entries @instances_uptr holds; out: instances present
 * @instances_uptr: user pointer to an array of struct iommu_hw_info_mock
 *
 * Lists the mock IOMMU instances of the module (module parameter
 * num_instances, default 3: even numbers ARM-like, odd numbers x86-like).
 * Errnos: EMSGSIZE the array is too short (it is filled as far as it goes and
 * @num_instances tells the count needed); EFAULT bad pointer.
 * Project extension.
 */
struct iommu_mock_instance_info {
	__u32 size;
	__u32 num_instances;
	__aligned_u64 instances_uptr;
};

#define IOMMU_MOCK_INSTANCE_INFO _IO(IOMMUFD_TYPE, IOMMUFD_MOCK_CMD_INSTANCE_INFO)

/**
 * struct iommu_mock_device_alloc - ioctl(IOMMU_MOCK_DEVICE_ALLOC)
 * @size: sizeof(struct iommu_mock_device_alloc)
 * @flags: must be 0
 * @instance_id: mock IOMMU instance the device sits behind
 * @stream_id: physical stream ID, below 1 << sid_bits of the instance and
 *             unique in the instance across all open files
 * @out_dev_id: ID of the new device, bound to this iommufd
 * @__reserved: must be 0
 *
 * Creates a mock device (a struct device named mockiommu<inst>.<sid> on the
 * module's "mockiommu" bus) and binds it to this file as a dev_id. It is
 * destroyed by IOMMU_DESTROY of @out_dev_id or when the file is closed.
 *
 * Errnos: EOPNOTSUPP non-zero @flags or @__reserved; ENODEV no such instance;
 * EINVAL @stream_id out of range; EEXIST @stream_id in use on the instance.
 * Project extension, shaped after upstream's selftest MOCK_DOMAIN.
 */
struct iommu_mock_device_alloc {
	__u32 size;
	__u32 flags;
	__u32 instance_id;
	__u32 stream_id;
	__u32 out_dev_id;
	__u32 __reserved;
};

#define IOMMU_MOCK_DEVICE_ALLOC _IO(IOMMUFD_TYPE, IOMMUFD_MOCK_CMD_DEVICE_ALLOC)

/**
 * enum iommu_mock_attach_flags - flags of IOMMU_MOCK_DEVICE_ATTACH
 * @IOMMU_MOCK_ATTACH_REPLACE: the device is attached: move it to @pt_id
 *                             without passing through a detached state
 * @IOMMU_MOCK_ATTACH_PASID: attach (or replace) PASID @pasid of the device
 *                           instead of its RID (seed 003), as
 *                           VFIO_DEVICE_ATTACH_IOMMUFD_PT with
 *                           VFIO_DEVICE_ATTACH_PASID does
 */
enum iommu_mock_attach_flags {
	IOMMU_MOCK_ATTACH_REPLACE = 1 << 0,
	IOMMU_MOCK_ATTACH_PASID = 1 << 1,
};

/**
 * struct iommu_mock_device_attach - ioctl(IOMMU_MOCK_DEVICE_ATTACH)
 * @size: sizeof(struct iommu_mock_device_attach)
 * @flags: enum iommu_mock_attach_flags
 * @dev_id: device to attach
 * @pt_id: an IOAS, a paging HWPT or a nested HWPT
 * @out_hwpt_id: the HWPT the device is now attached to. For an IOAS this is
 *               an automatic paging HWPT: the first one of the IOAS the
 *               device can attach to (same format, an aperture inside the
 *               device's), or a new one that is freed with its last device
 * @pasid: with IOMMU_MOCK_ATTACH_PASID, the PASID (1 to 2^max_pasid_log2 -
 *         1 of the device, see IOMMU_GET_HW_INFO); else 0
 *
 * Attaching to a paging HWPT (NEST_PARENT or not) reserves all the device's
 * reserved regions in the HWPT's IOAS; attaching to a nested HWPT reserves
 * only its SW_MSI windows in the parent's IOAS (seed 001). A failed attach or
 * replace, also one whose reply cannot be written (EFAULT), leaves the
 * device as it was and makes no automatic HWPT.
 *
 * Errnos: ENOENT an ID does not exist, @dev_id is no device; EINVAL @pt_id
 * is no IOAS or HWPT, the
 * HWPT's stage-1 format differs from the device's instance (seed 004) or the
 * HWPT reaches IOVA beyond the instance's aperture, the device is on another
 * instance than the nested HWPT's vIOMMU, or REPLACE on a detached device;
 * EBUSY attach without REPLACE on an attached device; EADDRINUSE a reserved
 * region of the device, or for a new automatic HWPT the IOVA outside its
 * aperture, overlaps a mapping of the IOAS; EOPNOTSUPP unknown flags, a
 * non-zero @pasid without IOMMU_MOCK_ATTACH_PASID, a HWPT that cannot serve
 * PASIDs; EFAULT the reply cannot be written. With IOMMU_MOCK_ATTACH_PASID
 * the PASID attach rules of VFIO_DEVICE_ATTACH_IOMMUFD_PT apply (the HWPT
 * allocated with IOMMU_HWPT_ALLOC_PASID, @pasid within the device's width:
 * EINVAL). Project extension, shaped after upstream's selftest
 * MOCK_DOMAIN_REPLACE.
 */
struct iommu_mock_device_attach {
	__u32 size;
	__u32 flags;
	__u32 dev_id;
	__u32 pt_id;
	__u32 out_hwpt_id;
	__u32 pasid;
};

#define IOMMU_MOCK_DEVICE_ATTACH _IO(IOMMUFD_TYPE, IOMMUFD_MOCK_CMD_DEVICE_ATTACH)

/**
 * enum iommu_mock_detach_flags - flags of IOMMU_MOCK_DEVICE_DETACH
 * @IOMMU_MOCK_DETACH_PASID: detach PASID @pasid instead of the RID
 */
enum iommu_mock_detach_flags {
	IOMMU_MOCK_DETACH_PASID = 1 << 0,
};

/**
 * struct iommu_mock_device_detach - ioctl(IOMMU_MOCK_DEVICE_DETACH)
 * @size: sizeof(struct iommu_mock_device_detach); 8 (without @flags and
 *        @pasid) is still accepted
 * @dev_id: device to detach
 * @flags: enum iommu_mock_detach_flags
 * @pasid: with IOMMU_MOCK_DETACH_PASID, the PASID; else 0
 *
 * Detaches the device (or one PASID of it) and releases the reserved IOVA
 * its attach took.
 * Errnos: ENOENT @dev_id names no device; EINVAL not attached (that
 * PASID: not attached); EOPNOTSUPP unknown flags, @pasid without
 * IOMMU_MOCK_DETACH_PASID. Project extension.
 */
struct iommu_mock_device_detach {
	__u32 size;
	__u32 dev_id;
	__u32 flags;
	__u32 pasid;
};

#define IOMMU_MOCK_DEVICE_DETACH _IO(IOMMUFD_TYPE, IOMMUFD_MOCK_CMD_DEVICE_DETACH)

/**
 * enum iommu_resv_region_type - kind of a reserved IOVA region
 * @IOMMU_RESV_TYPE_DIRECT: RESV_DIRECT: must be identity mapped (firmware
 *                          DMA, RMRR / IORT RMR)
 * @IOMMU_RESV_TYPE_DIRECT_RELAXABLE: like DIRECT, may be dropped for
 *                                    assignment
 * @IOMMU_RESV_TYPE_RESERVED: never usable for DMA
 * @IOMMU_RESV_TYPE_MSI: hardware MSI window (x86 0xfee00000), translated by
 *                       the interrupt remapper, not the page table
 * @IOMMU_RESV_TYPE_SW_MSI: software-managed MSI window (ARM): the kernel maps
 *                          the doorbell there, in stage 2 even when nesting
 *
 * Value 0 is left unused so an unset field is never a valid type (seed 000).
 */
enum iommu_resv_region_type {
	IOMMU_RESV_TYPE_DIRECT = 1,
	IOMMU_RESV_TYPE_DIRECT_RELAXABLE = 2,
	IOMMU_RESV_TYPE_RESERVED = 3,
	IOMMU_RESV_TYPE_MSI = 4,
	IOMMU_RESV_TYPE_SW_MSI = 5,
};

/**
 * enum iommu_resv_region_flags - access a DIRECT region needs
 * @IOMMU_RESV_REGION_READ: the device reads the region
 * @IOMMU_RESV_REGION_WRITE: the device writes the region
 */
enum iommu_resv_region_flags {
	IOMMU_RESV_REGION_READ = 1 << 0,
	IOMMU_RESV_REGION_WRITE = 1 << 1,
};

/**
 * struct iommu_resv_region_info - one reserved region of a device
 * @start: first IOVA
 * @last: last IOVA (inclusive)
 * @type: enum iommu_resv_region_type
 * @flags: enum iommu_resv_region_flags
 */
struct iommu_resv_region_info {
	__aligned_u64 start;
	__aligned_u64 last;
	__u32 type;
	__u32 flags;
};

/**
 * struct iommu_device_resv_regions - ioctl(IOMMU_DEVICE_GET_RESV_REGIONS)
 * @size: sizeof(struct iommu_device_resv_regions)
 * @dev_id: device to query
 * @num_regions: in: entries @regions_uptr holds; out: regions the device has
 * @__reserved: must be 0
 * @regions_uptr: user pointer to an array of struct iommu_resv_region_info
 *
 * Reports every reserved region of one device, sorted by @start, whether or
 * not it is attached. Userspace needs this to lay out stage-1 IOVAs, because
 * an IOAS used as nesting parent carries only the SW_MSI window (seed 001).
 *
 * Errnos: ENOENT @dev_id names no device; EOPNOTSUPP non-zero
 * @__reserved; EMSGSIZE the array is too short (filled as far as it goes,
 * @num_regions set to the count needed); EFAULT bad pointer.
 * Project extension after upstream's dropped IOMMU_RESV_IOVA_RANGES (2023),
 * with the region type added.
 */
struct iommu_device_resv_regions {
	__u32 size;
	__u32 dev_id;
	__u32 num_regions;
	__u32 __reserved;
	__aligned_u64 regions_uptr;
};

#define IOMMU_DEVICE_GET_RESV_REGIONS \
	_IO(IOMMUFD_TYPE, IOMMUFD_CMD_DEVICE_GET_RESV_REGIONS)

/**
 * enum iommu_mock_s1_flags - flags of struct iommu_hwpt_mock_s1
 * @IOMMU_MOCK_S1_BYPASS: stage 1 is bypassed: IOVA goes straight to stage 2
 */
enum iommu_mock_s1_flags {
	IOMMU_MOCK_S1_BYPASS = 1 << 0,
};

/**
 * struct iommu_hwpt_mock_s1 - mock stage-1 table (IOMMU_HWPT_DATA_MOCK_S1)
 * @format: enum iommu_mock_s1_format; must equal the device's instance format
 * @flags: enum iommu_mock_s1_flags
 * @ttbr: stage-1 table base, an IPA (stage-2 input), 4 KiB aligned
 * @asid: address-space tag, below 1 << asid_bits
 * @__reserved: must be 0
 *
 * The mock walks no guest table: its stage 1 is the identity (IOVA == IPA),
 * tagged with @asid so invalidations can be matched. EINVAL for a wrong
 * @format, a misaligned @ttbr, a too large @asid or a @data_len below this
 * struct; EOPNOTSUPP unknown @flags or non-zero @__reserved. Extension.
 */
struct iommu_hwpt_mock_s1 {
	__u32 format;
	__u32 flags;
	__aligned_u64 ttbr;
	__u32 asid;
	__u32 __reserved;
};

/**
 * enum iommu_mock_invalidate_op - operations of struct iommu_mock_invalidate
 * @IOMMU_MOCK_INV_IOTLB_ALL: flush every IOTLB entry tagged @id (an ASID);
 *                            on a nested HWPT @id must be its ASID
 * @IOMMU_MOCK_INV_IOTLB_RANGE: flush [@iova, @iova + @length - 1] of ASID @id
 * @IOMMU_MOCK_INV_DEV_CACHE: flush the device cache (ATC, descriptor cache)
 *                            of the vDEVICE whose virt_id is @id; vIOMMU only
 */
enum iommu_mock_invalidate_op {
	IOMMU_MOCK_INV_IOTLB_ALL = 1,
	IOMMU_MOCK_INV_IOTLB_RANGE = 2,
	IOMMU_MOCK_INV_DEV_CACHE = 3,
};

/**
 * struct iommu_mock_invalidate - one entry (IOMMU_HWPT_INVALIDATE_DATA_MOCK)
 * @op: enum iommu_mock_invalidate_op
 * @flags: must be 0
 * @id: ASID for IOTLB ops, virt_id for IOMMU_MOCK_INV_DEV_CACHE
 * @__reserved: must be 0
 * @iova: first IOVA for IOMMU_MOCK_INV_IOTLB_RANGE, 4 KiB aligned
 * @length: bytes for IOMMU_MOCK_INV_IOTLB_RANGE, non-zero multiple of 4 KiB
 *
 * Each handled entry is counted in the invalidation counters that
 * IOMMU_MOCK_OBJECT_INFO reports. Errnos per entry: EOPNOTSUPP non-zero
 * @flags or @__reserved; EINVAL unknown @op, DEV_CACHE on a HWPT, an ASID
 * that does not match the HWPT, a misaligned or empty range; ENOENT no
 * vDEVICE with virt_id @id in the vIOMMU. Project extension.
 */
struct iommu_mock_invalidate {
	__u32 op;
	__u32 flags;
	__u32 id;
	__u32 __reserved;
	__aligned_u64 iova;
	__aligned_u64 length;
};

/**
 * enum iommu_mock_object_type - object types IOMMU_MOCK_OBJECT_INFO reports
 * @IOMMU_MOCK_OBJ_IOAS: IO address space
 * @IOMMU_MOCK_OBJ_HWPT_PAGING: paging HWPT (stage 2 if NEST_PARENT)
 * @IOMMU_MOCK_OBJ_HWPT_NESTED: nested HWPT (stage 1 over a parent)
 * @IOMMU_MOCK_OBJ_DEVICE: mock device
 * @IOMMU_MOCK_OBJ_VIOMMU: vIOMMU
 * @IOMMU_MOCK_OBJ_VDEVICE: vDEVICE
 */
enum iommu_mock_object_type {
	IOMMU_MOCK_OBJ_IOAS = 1,
	IOMMU_MOCK_OBJ_HWPT_PAGING = 2,
	IOMMU_MOCK_OBJ_HWPT_NESTED = 3,
	IOMMU_MOCK_OBJ_DEVICE = 4,
	IOMMU_MOCK_OBJ_VIOMMU = 5,
	IOMMU_MOCK_OBJ_VDEVICE = 6,
};

/**
 * enum iommu_mock_object_flags - state bits of IOMMU_MOCK_OBJECT_INFO
 * @IOMMU_MOCK_OBJ_F_NEST_PARENT: paging HWPT allocated with NEST_PARENT
 * @IOMMU_MOCK_OBJ_F_AUTO: HWPT made by attaching a device to an IOAS
 * @IOMMU_MOCK_OBJ_F_S1_BYPASS: nested HWPT with IOMMU_MOCK_S1_BYPASS
 */
enum iommu_mock_object_flags {
	IOMMU_MOCK_OBJ_F_NEST_PARENT = 1 << 0,
	IOMMU_MOCK_OBJ_F_AUTO = 1 << 1,
	IOMMU_MOCK_OBJ_F_S1_BYPASS = 1 << 2,
};

/**
 * struct iommu_mock_object_info - ioctl(IOMMU_MOCK_OBJECT_INFO)
 * @size: sizeof(struct iommu_mock_object_info)
 * @id: object to inspect
 * @out_type: enum iommu_mock_object_type
 * @out_flags: enum iommu_mock_object_flags
 * @out_parent_id: HWPT: its IOAS (paging), parent HWPT or vIOMMU (nested);
 *                 device: the HWPT it is attached to, 0 if detached;
 *                 vIOMMU: its nest-parent HWPT; vDEVICE: its vIOMMU; IOAS: 0
 * @out_instance_id: IOMMU instance of a HWPT, device, vIOMMU or vDEVICE
 * @out_users: number of other objects that depend on this one
 * @out_asid: nested HWPT: stage-1 ASID; device: physical stream ID;
 *            vDEVICE: its device's dev_id
 * @out_virt_id: vDEVICE: virt_id; vIOMMU: type
 * @out_invalidations: nested HWPT: IOTLB entries invalidated on it;
 *                     vIOMMU: entries handled; vDEVICE: device-cache
 *                     invalidations; paging HWPT: IOVA pages mapped
 * @out_ttbr: nested HWPT: stage-1 table base (SMMUv3: the STE's
 *            S1ContextPtr)
 * @out_tlb_hits: SMMUv3 vIOMMU (its VMID's entries) or VT-d nested HWPT
 *                (its domain ID's): DMA pages translated by an IOTLB entry
 * @out_tlb_misses: as @out_tlb_hits: DMA pages that walked the stage-1
 *                  table
 * @out_tlb_invalidated: as @out_tlb_hits: IOTLB entries removed by
 *                       forwarded invalidations and stage-2 changes (not
 *                       evictions)
 * @out_cd_hits: SMMUv3 vIOMMU: context descriptors found in the CD cache
 * @out_cd_misses: SMMUv3 vIOMMU: context descriptors fetched from guest
 *                 memory
 * @out_cd_invalidated: SMMUv3 vIOMMU: CD cache entries removed by CFGI_CD,
 *                      CFGI_CD_ALL and STE changes
 * @out_evictions: as @out_tlb_hits: IOTLB (and SMMUv3 CD cache) entries
 *                 evicted to make room (module parameters
 *                 smmuv3_iotlb_entries, vtd_iotlb_entries)
 *
 * Read-only view of the mock's state, so tests can check what an ioctl did.
 * Errnos: ENOENT unknown @id. Project extension.
 */
struct iommu_mock_object_info {
	__u32 size;
	__u32 id;
	__u32 out_type;
	__u32 out_flags;
	__u32 out_parent_id;
	__u32 out_instance_id;
	__u32 out_users;
	__u32 out_asid;
	__aligned_u64 out_virt_id;
	__aligned_u64 out_invalidations;
	__aligned_u64 out_ttbr;
	__aligned_u64 out_tlb_hits;
	__aligned_u64 out_tlb_misses;
	__aligned_u64 out_tlb_invalidated;
	__aligned_u64 out_cd_hits;
	__aligned_u64 out_cd_misses;
	__aligned_u64 out_cd_invalidated;
	__aligned_u64 out_evictions;
};

#define IOMMU_MOCK_OBJECT_INFO _IO(IOMMUFD_TYPE, IOMMUFD_MOCK_CMD_OBJECT_INFO)

/**
 * enum iommu_mock_dma_flags - how IOMMU_MOCK_DMA accesses memory
 * @IOMMU_MOCK_DMA_WRITE: the device writes @length bytes from @uptr to
 *                        memory; without it the device reads memory into
 *                        @uptr
 * @IOMMU_MOCK_DMA_PASID: the requests carry PASID (SMMUv3: substream ID)
 *                        @pasid. They go to the HWPT that PASID is attached
 *                        to or, when none is and the RID is attached to a
 *                        nested HWPT of an instance whose PASID table
 *                        belongs to the guest (SMMUv3), to the RID's HWPT,
 *                        which selects the guest's context descriptor
 */
enum iommu_mock_dma_flags {
	IOMMU_MOCK_DMA_WRITE = 1 << 0,
	IOMMU_MOCK_DMA_PASID = 1 << 1,
};

/**
 * enum iommu_mock_dma_fault_flags - what @out_fault_flags says
 * @IOMMU_MOCK_DMA_FAULT: the DMA stopped at a fault; @out_fault_addr is set
 * @IOMMU_MOCK_DMA_FAULT_S2: the fault is in stage 2 (the nest parent);
 *                           @out_fault_ipa is the IPA that missed
 * @IOMMU_MOCK_DMA_FAULT_WALK: the fault happened while the IOMMU read its
 *                             own structures (a context descriptor or a
 *                             stage-1 table descriptor), not on the data
 * @IOMMU_MOCK_DMA_FAULT_REPORTED: an event record went to the vIOMMU's
 *                                 vEVENTQ
 * @IOMMU_MOCK_DMA_FAULT_PAGE_REQUEST: the fault went as a page request to
 *                                     the HWPT's fault queue (VT-d, PRI)
 *                                     and was answered Invalid, or not in
 *                                     time; an answer Success retries the
 *                                     access, and a DMA that then succeeds
 *                                     reports no fault
 */
enum iommu_mock_dma_fault_flags {
	IOMMU_MOCK_DMA_FAULT = 1 << 0,
	IOMMU_MOCK_DMA_FAULT_S2 = 1 << 1,
	IOMMU_MOCK_DMA_FAULT_WALK = 1 << 2,
	IOMMU_MOCK_DMA_FAULT_REPORTED = 1 << 3,
	IOMMU_MOCK_DMA_FAULT_PAGE_REQUEST = 1 << 4,
};

/**
 * struct iommu_mock_dma - ioctl(IOMMU_MOCK_DMA)
 * @size: sizeof(struct iommu_mock_dma); the output fields from
 *        @out_fault_addr on are written only when @size covers them
 * @flags: enum iommu_mock_dma_flags
 * @dev_id: device doing the DMA
 * @pasid: with IOMMU_MOCK_DMA_PASID: the PASID, 1 to 2^20 - 1; else 0
 * @iova: first IOVA the device accesses (SMMUv3 stage 1: the input VA)
 * @length: bytes, 1 to 16 MiB
 * @uptr: user buffer the data comes from or goes to
 * @out_fault_addr: on a fault, the input address (IOVA) that faulted
 * @out_fault_ipa: on a stage-2 fault, the IPA stage 2 could not translate
 * @out_fault_code: on a fault, the instance's fault code: for SMMUv3
 *                  instances the event ID of the SMMUv3 specification
 *                  (F_TRANSLATION 0x10, F_ADDR_SIZE 0x11, F_ACCESS 0x12,
 *                  F_PERMISSION 0x13, C_BAD_CD 0x0a, C_BAD_SUBSTREAMID
 *                  0x08, F_STREAM_DISABLED 0x06, F_CD_FETCH 0x09 ...);
 *                  0 for the own mock instances
 * @out_fault_flags: enum iommu_mock_dma_fault_flags, 0 without a fault
 *
 * Simulates a DMA of the device through its attached HWPT: stage 1 (own
 * mock instances: the identity unless bypassed; SMMUv3 instances: the
 * guest's STE, context descriptor and tables, cached in an IOTLB) then the
 * page table the driver built from the IOAS, down to the pinned pages.
 * Lets tests prove that a mapping reaches the user's memory, that unmap and
 * permissions take effect and, on SMMUv3, what a stale IOTLB does. Bytes
 * before a fault are transferred, as a device's would be. The output
 * fields are written also when the command fails with a fault.
 *
 * Errnos: EINVAL the device is not attached (for that PASID), @length 0 or
 * too long, a PASID out of range; ENOENT @dev_id names no device, or an
 * IOVA of the range is not mapped (translation fault, at either stage);
 * EPERM the mapping lacks the needed READ/WRITE permission (permission or
 * access-flag fault); EIO a configuration fault (SMMUv3: bad CD, bad
 * substream, stream disabled, an abort STE) or an address-size fault;
 * EOPNOTSUPP unknown flags, @pasid without IOMMU_MOCK_DMA_PASID; EINTR a
 * fatal signal; EFAULT bad @uptr. Project extension.
 */
struct iommu_mock_dma {
	__u32 size;
	__u32 flags;
	__u32 dev_id;
	__u32 pasid;
	__aligned_u64 iova;
	__aligned_u64 length;
	__aligned_u64 uptr;
	__aligned_u64 out_fault_addr;
	__aligned_u64 out_fault_ipa;
	__u32 out_fault_code;
	__u32 out_fault_flags;
};

#define IOMMU_MOCK_DMA _IO(IOMMUFD_TYPE, IOMMUFD_MOCK_CMD_DMA)

#endif
