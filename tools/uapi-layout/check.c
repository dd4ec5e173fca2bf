// SPDX-License-Identifier: GPL-2.0
/*
 * Compile-time check of the uAPI layouts against upstream Linux (6.17 cycle).
 *
 * Every number below was read by hand from upstream's
 * include/uapi/linux/iommufd.h and drivers/iommu/iommufd/iommufd_test.h
 * (sizes and offsets worked out from the field lists, ioctl numbers from the
 * command enum); none comes from the headers under test. If this file
 * compiles, the project's headers have upstream's ABI. Run "make" here.
 */
#include <stddef.h>
#include <linux/iommufd.h>
#include "../../drivers/selftest/iommufd_test.h"

#define SZ(s, n) _Static_assert(sizeof(struct s) == (n), "sizeof " #s)
/* 8 for every struct with a 64-bit field, on 32-bit x86 as well. */
#define AL(s, n) _Static_assert(_Alignof(struct s) == (n), "alignof " #s)
#define OFF(s, f, n) \
	_Static_assert(offsetof(struct s, f) == (n), "offsetof " #s "." #f)
#define VAL(x, n) _Static_assert((x) == (n), "value of " #x)
/* _IO(';', nr): type ';' (0x3b) in bits 15:8, no size, no direction. */
#define CMD(x, nr) VAL(x, 0x3b00 + (nr))

/* Command numbers */
VAL(IOMMUFD_TYPE, ';');
VAL(IOMMUFD_CMD_BASE, 0x80);
VAL(IOMMUFD_CMD_DESTROY, 0x80);
VAL(IOMMUFD_CMD_IOAS_ALLOC, 0x81);
VAL(IOMMUFD_CMD_IOAS_ALLOW_IOVAS, 0x82);
VAL(IOMMUFD_CMD_IOAS_COPY, 0x83);
VAL(IOMMUFD_CMD_IOAS_IOVA_RANGES, 0x84);
VAL(IOMMUFD_CMD_IOAS_MAP, 0x85);
VAL(IOMMUFD_CMD_IOAS_UNMAP, 0x86);
VAL(IOMMUFD_CMD_OPTION, 0x87);
VAL(IOMMUFD_CMD_VFIO_IOAS, 0x88);
VAL(IOMMUFD_CMD_HWPT_ALLOC, 0x89);
VAL(IOMMUFD_CMD_GET_HW_INFO, 0x8a);
VAL(IOMMUFD_CMD_HWPT_SET_DIRTY_TRACKING, 0x8b);
VAL(IOMMUFD_CMD_HWPT_GET_DIRTY_BITMAP, 0x8c);
VAL(IOMMUFD_CMD_HWPT_INVALIDATE, 0x8d);
VAL(IOMMUFD_CMD_FAULT_QUEUE_ALLOC, 0x8e);
VAL(IOMMUFD_CMD_IOAS_MAP_FILE, 0x8f);
VAL(IOMMUFD_CMD_VIOMMU_ALLOC, 0x90);
VAL(IOMMUFD_CMD_VDEVICE_ALLOC, 0x91);
VAL(IOMMUFD_CMD_IOAS_CHANGE_PROCESS, 0x92);
VAL(IOMMUFD_CMD_VEVENTQ_ALLOC, 0x93);
VAL(IOMMUFD_CMD_HW_QUEUE_ALLOC, 0x94);

CMD(IOMMU_DESTROY, 0x80);
CMD(IOMMU_IOAS_ALLOC, 0x81);
CMD(IOMMU_IOAS_ALLOW_IOVAS, 0x82);
CMD(IOMMU_IOAS_COPY, 0x83);
CMD(IOMMU_IOAS_IOVA_RANGES, 0x84);
CMD(IOMMU_IOAS_MAP, 0x85);
CMD(IOMMU_IOAS_UNMAP, 0x86);
CMD(IOMMU_OPTION, 0x87);
CMD(IOMMU_VFIO_IOAS, 0x88);
CMD(IOMMU_HWPT_ALLOC, 0x89);
CMD(IOMMU_GET_HW_INFO, 0x8a);
CMD(IOMMU_HWPT_SET_DIRTY_TRACKING, 0x8b);
CMD(IOMMU_HWPT_GET_DIRTY_BITMAP, 0x8c);
CMD(IOMMU_HWPT_INVALIDATE, 0x8d);
CMD(IOMMU_FAULT_QUEUE_ALLOC, 0x8e);
CMD(IOMMU_IOAS_MAP_FILE, 0x8f);
CMD(IOMMU_VIOMMU_ALLOC, 0x90);
CMD(IOMMU_VDEVICE_ALLOC, 0x91);
CMD(IOMMU_IOAS_CHANGE_PROCESS, 0x92);
CMD(IOMMU_VEVENTQ_ALLOC, 0x93);
CMD(IOMMU_HW_QUEUE_ALLOC, 0x94);
CMD(IOMMU_TEST_CMD, 0xa0);

/* Enum values */
VAL(IOMMU_IOAS_MAP_FIXED_IOVA, 1);
VAL(IOMMU_IOAS_MAP_WRITEABLE, 2);
VAL(IOMMU_IOAS_MAP_READABLE, 4);
VAL(IOMMU_OPTION_RLIMIT_MODE, 0);
VAL(IOMMU_OPTION_HUGE_PAGES, 1);
VAL(IOMMU_OPTION_OP_SET, 0);
VAL(IOMMU_OPTION_OP_GET, 1);
VAL(IOMMU_VFIO_IOAS_GET, 0);
VAL(IOMMU_VFIO_IOAS_SET, 1);
VAL(IOMMU_VFIO_IOAS_CLEAR, 2);
VAL(IOMMU_HWPT_ALLOC_NEST_PARENT, 1);
VAL(IOMMU_HWPT_ALLOC_DIRTY_TRACKING, 2);
VAL(IOMMU_HWPT_FAULT_ID_VALID, 4);
VAL(IOMMU_HWPT_ALLOC_PASID, 8);
VAL(IOMMU_VTD_S1_SRE, 1);
VAL(IOMMU_VTD_S1_EAFE, 2);
VAL(IOMMU_VTD_S1_WPE, 4);
VAL(IOMMU_HWPT_DATA_NONE, 0);
VAL(IOMMU_HWPT_DATA_VTD_S1, 1);
VAL(IOMMU_HWPT_DATA_ARM_SMMUV3, 2);
VAL(IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17, 1);
VAL(IOMMU_HW_INFO_TYPE_NONE, 0);
VAL(IOMMU_HW_INFO_TYPE_DEFAULT, 0);
VAL(IOMMU_HW_INFO_TYPE_INTEL_VTD, 1);
VAL(IOMMU_HW_INFO_TYPE_ARM_SMMUV3, 2);
VAL(IOMMU_HW_INFO_TYPE_TEGRA241_CMDQV, 3);
VAL(IOMMU_HW_CAP_DIRTY_TRACKING, 1);
VAL(IOMMU_HW_CAP_PCI_PASID_EXEC, 2);
VAL(IOMMU_HW_CAP_PCI_PASID_PRIV, 4);
VAL(IOMMU_HW_INFO_FLAG_INPUT_TYPE, 1);
VAL(IOMMU_HWPT_DIRTY_TRACKING_ENABLE, 1);
VAL(IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR, 1);
VAL(IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, 0);
VAL(IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, 1);
VAL(IOMMU_VTD_INV_FLAGS_LEAF, 1);
VAL(IOMMU_PGFAULT_FLAGS_PASID_VALID, 1);
VAL(IOMMU_PGFAULT_FLAGS_LAST_PAGE, 2);
VAL(IOMMU_PGFAULT_PERM_READ, 1);
VAL(IOMMU_PGFAULT_PERM_WRITE, 2);
VAL(IOMMU_PGFAULT_PERM_EXEC, 4);
VAL(IOMMU_PGFAULT_PERM_PRIV, 8);
VAL(IOMMUFD_PAGE_RESP_SUCCESS, 0);
VAL(IOMMUFD_PAGE_RESP_INVALID, 1);
VAL(IOMMU_VIOMMU_TYPE_DEFAULT, 0);
VAL(IOMMU_VIOMMU_TYPE_ARM_SMMUV3, 1);
VAL(IOMMU_VIOMMU_TYPE_TEGRA241_CMDQV, 2);
VAL(IOMMU_VEVENTQ_FLAG_LOST_EVENTS, 1);
VAL(IOMMU_VEVENTQ_TYPE_DEFAULT, 0);
VAL(IOMMU_VEVENTQ_TYPE_ARM_SMMUV3, 1);
VAL(IOMMU_VEVENTQ_TYPE_TEGRA241_CMDQV, 2);
VAL(IOMMU_HW_QUEUE_TYPE_DEFAULT, 0);
VAL(IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV, 1);

/* Structs of include/uapi/linux/iommufd.h */
SZ(iommu_destroy, 8);
AL(iommu_destroy, 4);
OFF(iommu_destroy, id, 4);

SZ(iommu_ioas_alloc, 12);
AL(iommu_ioas_alloc, 4);
OFF(iommu_ioas_alloc, flags, 4);
OFF(iommu_ioas_alloc, out_ioas_id, 8);

SZ(iommu_iova_range, 16);
AL(iommu_iova_range, 8);
OFF(iommu_iova_range, last, 8);

SZ(iommu_ioas_iova_ranges, 32);
AL(iommu_ioas_iova_ranges, 8);
OFF(iommu_ioas_iova_ranges, ioas_id, 4);
OFF(iommu_ioas_iova_ranges, num_iovas, 8);
OFF(iommu_ioas_iova_ranges, __reserved, 12);
OFF(iommu_ioas_iova_ranges, allowed_iovas, 16);
OFF(iommu_ioas_iova_ranges, out_iova_alignment, 24);

SZ(iommu_ioas_allow_iovas, 24);
AL(iommu_ioas_allow_iovas, 8);
OFF(iommu_ioas_allow_iovas, ioas_id, 4);
OFF(iommu_ioas_allow_iovas, num_iovas, 8);
OFF(iommu_ioas_allow_iovas, __reserved, 12);
OFF(iommu_ioas_allow_iovas, allowed_iovas, 16);

SZ(iommu_ioas_map, 40);
AL(iommu_ioas_map, 8);
OFF(iommu_ioas_map, flags, 4);
OFF(iommu_ioas_map, ioas_id, 8);
OFF(iommu_ioas_map, __reserved, 12);
OFF(iommu_ioas_map, user_va, 16);
OFF(iommu_ioas_map, length, 24);
OFF(iommu_ioas_map, iova, 32);

SZ(iommu_ioas_map_file, 40);
AL(iommu_ioas_map_file, 8);
OFF(iommu_ioas_map_file, flags, 4);
OFF(iommu_ioas_map_file, ioas_id, 8);
OFF(iommu_ioas_map_file, fd, 12);
OFF(iommu_ioas_map_file, start, 16);
OFF(iommu_ioas_map_file, length, 24);
OFF(iommu_ioas_map_file, iova, 32);

SZ(iommu_ioas_copy, 40);
AL(iommu_ioas_copy, 8);
OFF(iommu_ioas_copy, flags, 4);
OFF(iommu_ioas_copy, dst_ioas_id, 8);
OFF(iommu_ioas_copy, src_ioas_id, 12);
OFF(iommu_ioas_copy, length, 16);
OFF(iommu_ioas_copy, dst_iova, 24);
OFF(iommu_ioas_copy, src_iova, 32);

SZ(iommu_ioas_unmap, 24);
AL(iommu_ioas_unmap, 8);
OFF(iommu_ioas_unmap, ioas_id, 4);
OFF(iommu_ioas_unmap, iova, 8);
OFF(iommu_ioas_unmap, length, 16);

SZ(iommu_option, 24);
AL(iommu_option, 8);
OFF(iommu_option, option_id, 4);
OFF(iommu_option, op, 8);
OFF(iommu_option, __reserved, 10);
OFF(iommu_option, object_id, 12);
OFF(iommu_option, val64, 16);

SZ(iommu_vfio_ioas, 12);
AL(iommu_vfio_ioas, 4);
OFF(iommu_vfio_ioas, ioas_id, 4);
OFF(iommu_vfio_ioas, op, 8);
OFF(iommu_vfio_ioas, __reserved, 10);

SZ(iommu_hwpt_vtd_s1, 24);
AL(iommu_hwpt_vtd_s1, 8);
OFF(iommu_hwpt_vtd_s1, pgtbl_addr, 8);
OFF(iommu_hwpt_vtd_s1, addr_width, 16);
OFF(iommu_hwpt_vtd_s1, __reserved, 20);

SZ(iommu_hwpt_arm_smmuv3, 16);
AL(iommu_hwpt_arm_smmuv3, 8);

SZ(iommu_hwpt_alloc, 48);
AL(iommu_hwpt_alloc, 8);
OFF(iommu_hwpt_alloc, flags, 4);
OFF(iommu_hwpt_alloc, dev_id, 8);
OFF(iommu_hwpt_alloc, pt_id, 12);
OFF(iommu_hwpt_alloc, out_hwpt_id, 16);
OFF(iommu_hwpt_alloc, __reserved, 20);
OFF(iommu_hwpt_alloc, data_type, 24);
OFF(iommu_hwpt_alloc, data_len, 28);
OFF(iommu_hwpt_alloc, data_uptr, 32);
OFF(iommu_hwpt_alloc, fault_id, 40);
OFF(iommu_hwpt_alloc, __reserved2, 44);

SZ(iommu_hw_info_vtd, 24);
AL(iommu_hw_info_vtd, 8);
OFF(iommu_hw_info_vtd, __reserved, 4);
OFF(iommu_hw_info_vtd, cap_reg, 8);
OFF(iommu_hw_info_vtd, ecap_reg, 16);

SZ(iommu_hw_info_arm_smmuv3, 40);
AL(iommu_hw_info_arm_smmuv3, 4);
OFF(iommu_hw_info_arm_smmuv3, __reserved, 4);
OFF(iommu_hw_info_arm_smmuv3, idr, 8);
OFF(iommu_hw_info_arm_smmuv3, iidr, 32);
OFF(iommu_hw_info_arm_smmuv3, aidr, 36);

SZ(iommu_hw_info_tegra241_cmdqv, 8);
AL(iommu_hw_info_tegra241_cmdqv, 4);
OFF(iommu_hw_info_tegra241_cmdqv, version, 4);
OFF(iommu_hw_info_tegra241_cmdqv, log2vcmdqs, 5);
OFF(iommu_hw_info_tegra241_cmdqv, log2vsids, 6);
OFF(iommu_hw_info_tegra241_cmdqv, __reserved, 7);

SZ(iommu_hw_info, 40);
AL(iommu_hw_info, 8);
OFF(iommu_hw_info, flags, 4);
OFF(iommu_hw_info, dev_id, 8);
OFF(iommu_hw_info, data_len, 12);
OFF(iommu_hw_info, data_uptr, 16);
OFF(iommu_hw_info, in_data_type, 24);
OFF(iommu_hw_info, out_data_type, 24);
OFF(iommu_hw_info, out_max_pasid_log2, 28);
OFF(iommu_hw_info, __reserved, 29);
OFF(iommu_hw_info, out_capabilities, 32);

SZ(iommu_hwpt_set_dirty_tracking, 16);
AL(iommu_hwpt_set_dirty_tracking, 4);
OFF(iommu_hwpt_set_dirty_tracking, flags, 4);
OFF(iommu_hwpt_set_dirty_tracking, hwpt_id, 8);
OFF(iommu_hwpt_set_dirty_tracking, __reserved, 12);

SZ(iommu_hwpt_get_dirty_bitmap, 48);
AL(iommu_hwpt_get_dirty_bitmap, 8);
OFF(iommu_hwpt_get_dirty_bitmap, hwpt_id, 4);
OFF(iommu_hwpt_get_dirty_bitmap, flags, 8);
OFF(iommu_hwpt_get_dirty_bitmap, __reserved, 12);
OFF(iommu_hwpt_get_dirty_bitmap, iova, 16);
OFF(iommu_hwpt_get_dirty_bitmap, length, 24);
OFF(iommu_hwpt_get_dirty_bitmap, page_size, 32);
OFF(iommu_hwpt_get_dirty_bitmap, data, 40);

SZ(iommu_hwpt_vtd_s1_invalidate, 24);
AL(iommu_hwpt_vtd_s1_invalidate, 8);
OFF(iommu_hwpt_vtd_s1_invalidate, npages, 8);
OFF(iommu_hwpt_vtd_s1_invalidate, flags, 16);
OFF(iommu_hwpt_vtd_s1_invalidate, __reserved, 20);

SZ(iommu_viommu_arm_smmuv3_invalidate, 16);
AL(iommu_viommu_arm_smmuv3_invalidate, 8);

SZ(iommu_hwpt_invalidate, 32);
AL(iommu_hwpt_invalidate, 8);
OFF(iommu_hwpt_invalidate, hwpt_id, 4);
OFF(iommu_hwpt_invalidate, data_uptr, 8);
OFF(iommu_hwpt_invalidate, data_type, 16);
OFF(iommu_hwpt_invalidate, entry_len, 20);
OFF(iommu_hwpt_invalidate, entry_num, 24);
OFF(iommu_hwpt_invalidate, __reserved, 28);

SZ(iommu_hwpt_pgfault, 40);
AL(iommu_hwpt_pgfault, 8);
OFF(iommu_hwpt_pgfault, dev_id, 4);
OFF(iommu_hwpt_pgfault, pasid, 8);
OFF(iommu_hwpt_pgfault, grpid, 12);
OFF(iommu_hwpt_pgfault, perm, 16);
OFF(iommu_hwpt_pgfault, __reserved, 20);
OFF(iommu_hwpt_pgfault, addr, 24);
OFF(iommu_hwpt_pgfault, length, 32);
OFF(iommu_hwpt_pgfault, cookie, 36);

SZ(iommu_hwpt_page_response, 8);
AL(iommu_hwpt_page_response, 4);
OFF(iommu_hwpt_page_response, code, 4);

SZ(iommu_fault_alloc, 16);
AL(iommu_fault_alloc, 4);
OFF(iommu_fault_alloc, flags, 4);
OFF(iommu_fault_alloc, out_fault_id, 8);
OFF(iommu_fault_alloc, out_fault_fd, 12);

SZ(iommu_viommu_tegra241_cmdqv, 16);
AL(iommu_viommu_tegra241_cmdqv, 8);
OFF(iommu_viommu_tegra241_cmdqv, out_vintf_mmap_length, 8);

SZ(iommu_viommu_alloc, 40);
AL(iommu_viommu_alloc, 8);
OFF(iommu_viommu_alloc, flags, 4);
OFF(iommu_viommu_alloc, type, 8);
OFF(iommu_viommu_alloc, dev_id, 12);
OFF(iommu_viommu_alloc, hwpt_id, 16);
OFF(iommu_viommu_alloc, out_viommu_id, 20);
OFF(iommu_viommu_alloc, data_len, 24);
OFF(iommu_viommu_alloc, __reserved, 28);
OFF(iommu_viommu_alloc, data_uptr, 32);

SZ(iommu_vdevice_alloc, 24);
AL(iommu_vdevice_alloc, 8);
OFF(iommu_vdevice_alloc, viommu_id, 4);
OFF(iommu_vdevice_alloc, dev_id, 8);
OFF(iommu_vdevice_alloc, out_vdevice_id, 12);
OFF(iommu_vdevice_alloc, virt_id, 16);

SZ(iommu_ioas_change_process, 8);
AL(iommu_ioas_change_process, 4);
OFF(iommu_ioas_change_process, __reserved, 4);

SZ(iommufd_vevent_header, 8);
AL(iommufd_vevent_header, 4);
OFF(iommufd_vevent_header, sequence, 4);

SZ(iommu_vevent_arm_smmuv3, 32);
AL(iommu_vevent_arm_smmuv3, 8);

SZ(iommu_vevent_tegra241_cmdqv, 16);
AL(iommu_vevent_tegra241_cmdqv, 8);

SZ(iommu_veventq_alloc, 32);
AL(iommu_veventq_alloc, 4);
OFF(iommu_veventq_alloc, flags, 4);
OFF(iommu_veventq_alloc, viommu_id, 8);
OFF(iommu_veventq_alloc, type, 12);
OFF(iommu_veventq_alloc, veventq_depth, 16);
OFF(iommu_veventq_alloc, out_veventq_id, 20);
OFF(iommu_veventq_alloc, out_veventq_fd, 24);
OFF(iommu_veventq_alloc, __reserved, 28);

SZ(iommu_hw_queue_alloc, 40);
AL(iommu_hw_queue_alloc, 8);
OFF(iommu_hw_queue_alloc, flags, 4);
OFF(iommu_hw_queue_alloc, viommu_id, 8);
OFF(iommu_hw_queue_alloc, type, 12);
OFF(iommu_hw_queue_alloc, index, 16);
OFF(iommu_hw_queue_alloc, out_hw_queue_id, 20);
OFF(iommu_hw_queue_alloc, nesting_parent_iova, 24);
OFF(iommu_hw_queue_alloc, length, 32);

/* drivers/selftest/iommufd_test.h */
VAL(IOMMU_TEST_OP_ADD_RESERVED, 1);
VAL(IOMMU_TEST_OP_MOCK_DOMAIN, 2);
VAL(IOMMU_TEST_OP_MD_CHECK_MAP, 3);
VAL(IOMMU_TEST_OP_MD_CHECK_REFS, 4);
VAL(IOMMU_TEST_OP_CREATE_ACCESS, 5);
VAL(IOMMU_TEST_OP_DESTROY_ACCESS_PAGES, 6);
VAL(IOMMU_TEST_OP_ACCESS_PAGES, 7);
VAL(IOMMU_TEST_OP_ACCESS_RW, 8);
VAL(IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT, 9);
VAL(IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE, 10);
VAL(IOMMU_TEST_OP_ACCESS_REPLACE_IOAS, 11);
VAL(IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS, 12);
VAL(IOMMU_TEST_OP_DIRTY, 13);
VAL(IOMMU_TEST_OP_MD_CHECK_IOTLB, 14);
VAL(IOMMU_TEST_OP_TRIGGER_IOPF, 15);
VAL(IOMMU_TEST_OP_DEV_CHECK_CACHE, 16);
VAL(IOMMU_TEST_OP_TRIGGER_VEVENT, 17);
VAL(IOMMU_TEST_OP_PASID_ATTACH, 18);
VAL(IOMMU_TEST_OP_PASID_REPLACE, 19);
VAL(IOMMU_TEST_OP_PASID_DETACH, 20);
VAL(IOMMU_TEST_OP_PASID_CHECK_HWPT, 21);
VAL(MOCK_APERTURE_START, 0x1000000);
VAL(MOCK_APERTURE_LAST, 0x7fffffff);
VAL(MOCK_FLAGS_ACCESS_WRITE, 1);
VAL(MOCK_FLAGS_ACCESS_SYZ, 0x10000);
VAL(MOCK_ACCESS_RW_WRITE, 1);
VAL(MOCK_ACCESS_RW_SLOW_PATH, 4);
VAL(MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES, 1);
VAL(MOCK_FLAGS_DEVICE_NO_DIRTY, 1);
VAL(MOCK_FLAGS_DEVICE_HUGE_IOVA, 2);
VAL(MOCK_FLAGS_DEVICE_PASID, 4);
VAL(MOCK_NESTED_DOMAIN_IOTLB_ID_MAX, 3);
VAL(MOCK_NESTED_DOMAIN_IOTLB_NUM, 4);
VAL(MOCK_DEV_CACHE_ID_MAX, 3);
VAL(MOCK_DEV_CACHE_NUM, 4);
VAL(IOMMU_TEST_PASID_RESERVED, 1024);
VAL(MOCK_PASID_WIDTH, 20);
VAL(IOMMU_HW_INFO_TYPE_SELFTEST, 0xfeedbeef);
VAL(IOMMU_HW_INFO_SELFTEST_REGVAL, 0xdeadbeef);
VAL(IOMMU_HWPT_DATA_SELFTEST, 0xdead);
VAL(IOMMU_TEST_IOTLB_DEFAULT, 0xbadbeef);
VAL(IOMMU_TEST_DEV_CACHE_DEFAULT, 0xbaddad);
VAL(IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, 0xdeadbeef);
VAL(IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_INVALID, 0xdadbeef);
VAL(IOMMU_TEST_INVALIDATE_FLAG_ALL, 1);
VAL(IOMMU_VIOMMU_TYPE_SELFTEST, 0xdeadbeef);
VAL(IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST, 0xdeadbeef);
VAL(IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST_INVALID, 0xdadbeef);
VAL(IOMMU_VEVENTQ_TYPE_SELFTEST, 0xbeefbeef);
VAL(IOMMU_HW_QUEUE_TYPE_SELFTEST, 0xdeadbeef);
VAL(IOMMU_TEST_HW_QUEUE_MAX, 2);

/* The union is 48 bytes (dirty: a __u32 padded to 8, then five __u64). */
SZ(iommu_test_cmd, 72);
AL(iommu_test_cmd, 8);
OFF(iommu_test_cmd, op, 4);
OFF(iommu_test_cmd, id, 8);
OFF(iommu_test_cmd, __reserved, 12);
OFF(iommu_test_cmd, add_reserved.start, 16);
OFF(iommu_test_cmd, add_reserved.length, 24);
OFF(iommu_test_cmd, mock_domain.out_stdev_id, 16);
OFF(iommu_test_cmd, mock_domain.out_hwpt_id, 20);
OFF(iommu_test_cmd, mock_domain.out_idev_id, 24);
OFF(iommu_test_cmd, mock_domain_flags.out_stdev_id, 16);
OFF(iommu_test_cmd, mock_domain_flags.out_hwpt_id, 20);
OFF(iommu_test_cmd, mock_domain_flags.out_idev_id, 24);
OFF(iommu_test_cmd, mock_domain_flags.dev_flags, 28);
OFF(iommu_test_cmd, mock_domain_replace.pt_id, 16);
OFF(iommu_test_cmd, check_map.iova, 16);
OFF(iommu_test_cmd, check_map.length, 24);
OFF(iommu_test_cmd, check_map.uptr, 32);
OFF(iommu_test_cmd, check_refs.length, 16);
OFF(iommu_test_cmd, check_refs.uptr, 24);
OFF(iommu_test_cmd, check_refs.refs, 32);
OFF(iommu_test_cmd, create_access.out_access_fd, 16);
OFF(iommu_test_cmd, create_access.flags, 20);
OFF(iommu_test_cmd, destroy_access_pages.access_pages_id, 16);
OFF(iommu_test_cmd, access_pages.flags, 16);
OFF(iommu_test_cmd, access_pages.out_access_pages_id, 20);
OFF(iommu_test_cmd, access_pages.iova, 24);
OFF(iommu_test_cmd, access_pages.length, 32);
OFF(iommu_test_cmd, access_pages.uptr, 40);
OFF(iommu_test_cmd, access_rw.iova, 16);
OFF(iommu_test_cmd, access_rw.length, 24);
OFF(iommu_test_cmd, access_rw.uptr, 32);
OFF(iommu_test_cmd, access_rw.flags, 40);
OFF(iommu_test_cmd, memory_limit.limit, 16);
OFF(iommu_test_cmd, access_replace_ioas.ioas_id, 16);
OFF(iommu_test_cmd, dirty.flags, 16);
OFF(iommu_test_cmd, dirty.iova, 24);
OFF(iommu_test_cmd, dirty.length, 32);
OFF(iommu_test_cmd, dirty.page_size, 40);
OFF(iommu_test_cmd, dirty.uptr, 48);
OFF(iommu_test_cmd, dirty.out_nr_dirty, 56);
OFF(iommu_test_cmd, check_iotlb.id, 16);
OFF(iommu_test_cmd, check_iotlb.iotlb, 20);
OFF(iommu_test_cmd, trigger_iopf.dev_id, 16);
OFF(iommu_test_cmd, trigger_iopf.pasid, 20);
OFF(iommu_test_cmd, trigger_iopf.grpid, 24);
OFF(iommu_test_cmd, trigger_iopf.perm, 28);
OFF(iommu_test_cmd, trigger_iopf.addr, 32);
OFF(iommu_test_cmd, check_dev_cache.id, 16);
OFF(iommu_test_cmd, check_dev_cache.cache, 20);
OFF(iommu_test_cmd, trigger_vevent.dev_id, 16);
OFF(iommu_test_cmd, pasid_attach.pasid, 16);
OFF(iommu_test_cmd, pasid_attach.pt_id, 20);
OFF(iommu_test_cmd, pasid_replace.pasid, 16);
OFF(iommu_test_cmd, pasid_replace.pt_id, 20);
OFF(iommu_test_cmd, pasid_detach.pasid, 16);
OFF(iommu_test_cmd, pasid_check.pasid, 16);
OFF(iommu_test_cmd, pasid_check.hwpt_id, 20);
OFF(iommu_test_cmd, last, 64);

SZ(iommu_test_hw_info, 8);
AL(iommu_test_hw_info, 4);
OFF(iommu_test_hw_info, test_reg, 4);
SZ(iommu_hwpt_selftest, 4);
AL(iommu_hwpt_selftest, 4);
SZ(iommu_hwpt_invalidate_selftest, 8);
AL(iommu_hwpt_invalidate_selftest, 4);
OFF(iommu_hwpt_invalidate_selftest, iotlb_id, 4);
SZ(iommu_viommu_selftest, 24);
AL(iommu_viommu_selftest, 8);
OFF(iommu_viommu_selftest, out_data, 4);
OFF(iommu_viommu_selftest, out_mmap_offset, 8);
OFF(iommu_viommu_selftest, out_mmap_length, 16);
SZ(iommu_viommu_invalidate_selftest, 12);
AL(iommu_viommu_invalidate_selftest, 4);
OFF(iommu_viommu_invalidate_selftest, vdev_id, 4);
OFF(iommu_viommu_invalidate_selftest, cache_id, 8);
SZ(iommu_viommu_event_selftest, 4);
AL(iommu_viommu_event_selftest, 4);

int main(void)
{
	return 0;
}
