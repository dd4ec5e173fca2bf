// SPDX-License-Identifier: GPL-2.0
/*
 * VT-d instances: on the mockiommu bus like the other instance kinds, but
 * describing themselves to userspace as upstream's intel-iommu does.
 */
#include <linux/moduleparam.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "vtd.h"

static unsigned int vtd_iotlb_entries = 256;
module_param(vtd_iotlb_entries, uint, 0644);
MODULE_PARM_DESC(vtd_iotlb_entries,
		 "IOTLB entries of each VT-d instance (default 256, at least 1)");

/* An x86 host's reserved region: the interrupt (MSI) address range */
static const struct iommu_resv_region_info vtd_resv[] = {
	{ .start = 0xfee00000, .last = 0xfeefffff,
	  .type = IOMMU_RESV_TYPE_MSI,
	  .flags = IOMMU_RESV_REGION_WRITE },
};

static struct vtd_instance *vtd_instances[MIOMMU_MAX_INSTANCES];
static unsigned int vtd_nr_instances;

/*
 * Upstream's intel_iommu_hw_info(): the raw CAP and ECAP registers, and the
 * erratum flag upstream always sets.
 */
static size_t vtd_hw_info(struct miommu_instance *inst, void *buf,
			  size_t len, u32 *type)
{
	struct vtd_instance *iommu = to_vtd(inst);

	memcpy(buf, &iommu->info, min(len, sizeof(iommu->info)));
	*type = IOMMU_HW_INFO_TYPE_INTEL_VTD;
	return sizeof(iommu->info);
}

static void vtd_describe(struct miommu_instance *inst,
			 struct iommu_hw_info_mock *info)
{
	*info = to_vtd(inst)->base.info;
}

/* A device on the bus, with the instance's 20-bit PASIDs */
static struct miommu_device *vtd_probe_device(struct miommu_instance *inst,
					      u32 stream_id)
{
	struct miommu_device *dev = mock_probe_device(inst, stream_id);

	if (!IS_ERR(dev))
		dev->max_pasid_log2 = VTD_PASID_BITS;
	return dev;
}

static const struct miommu_ops vtd_ops;

/**
 * vtd_owns() - is @dev behind a VT-d instance
 * @dev: any device
 *
 * Return: true for a device of this driver.
 */
bool vtd_owns(struct miommu_device *dev)
{
	return dev->inst->ops == &vtd_ops;
}

static const struct miommu_ops vtd_ops = {
	.probe_device = vtd_probe_device,
	.release_device = mock_release_device,
	.hw_info = vtd_hw_info,
	.domain_alloc_paging = vtd_domain_alloc_paging,
	.domain_alloc_nested = vtd_domain_alloc_nested,
	.domain_compatible = vtd_domain_compatible,
	.get_resv_regions = mock_get_resv_regions,
	.describe = vtd_describe,
};

/*
 * A plausible scalable-mode VT-d with nesting that QEMU's host checks
 * (vtd_check_hiod_accel()) accept: first-stage 4- and 5-level paging with
 * 1 GiB pages (FS1GP, which fs1gp=on needs), second stage 48-bit, 16-bit
 * domain IDs, 20-bit PASIDs, supervisor requests, the extended accessed
 * flag, page requests (a nested HWPT with a fault queue gets them),
 * queued invalidation, page-selective invalidation.
 */
static void vtd_describe_regs(struct vtd_instance *iommu)
{
	struct iommu_hw_info_vtd *info = &iommu->info;

	info->flags = IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17;
	info->cap_reg = FIELD_PREP(VTD_CAP_ND, 6) |
			FIELD_PREP(VTD_CAP_SAGAW, BIT(1) | BIT(2)) |
			FIELD_PREP(VTD_CAP_MGAW, VTD_IAS_BITS - 1) |
			FIELD_PREP(VTD_CAP_FRO, 0x22) |
			FIELD_PREP(VTD_CAP_SLLPS, 3) | VTD_CAP_PSI |
			FIELD_PREP(VTD_CAP_MAMV, 18) | VTD_CAP_DWD |
			VTD_CAP_DRD | VTD_CAP_FS1GP | VTD_CAP_FS5LP;
	info->ecap_reg = VTD_ECAP_C | VTD_ECAP_QI | VTD_ECAP_DT |
			 VTD_ECAP_PT | VTD_ECAP_SC |
			 FIELD_PREP(VTD_ECAP_IRO, 0xf) | VTD_ECAP_NEST |
			 VTD_ECAP_PRS | VTD_ECAP_SRS | VTD_ECAP_EAFS |
			 FIELD_PREP(VTD_ECAP_PSS, VTD_PASID_BITS - 1) |
			 VTD_ECAP_PASID | VTD_ECAP_SMTS | VTD_ECAP_SLTS |
			 VTD_ECAP_FLTS | VTD_ECAP_SMPWC;
}

static void vtd_release(struct mock_instance *mi)
{
	struct vtd_instance *iommu = container_of(mi, struct vtd_instance,
						  base);

	ida_destroy(&iommu->dids);
	kfree(iommu);
}

static int vtd_instance_add(unsigned int id)
{
	struct iommu_hw_info_mock *info;
	struct vtd_instance *iommu;
	int rc;

	iommu = kzalloc(sizeof(*iommu), GFP_KERNEL);
	if (!iommu)
		return -ENOMEM;
	iommu->base.core.ops = &vtd_ops;
	iommu->base.release = vtd_release;
	iommu->base.resv = vtd_resv;
	info = &iommu->base.info;
	info->flags = IOMMU_HW_INFO_MOCK_NESTING | IOMMU_HW_INFO_MOCK_INTEL_VTD;
	info->instance_id = id;
	info->s1_format = IOMMU_MOCK_S1_FORMAT_INTEL_VTD;
	info->s1_ias = 57;
	info->s1_oas = VTD_IAS_BITS;
	info->sid_bits = 16;
	info->asid_bits = 16;
	info->num_resv_regions = ARRAY_SIZE(vtd_resv);
	info->pgsize_bitmap = SZ_4K | SZ_2M | SZ_1G;
	info->aperture_start = 0;
	info->aperture_last = BIT_ULL(VTD_IAS_BITS) - 1;
	vtd_describe_regs(iommu);
	ida_init(&iommu->dids);
	miommu_iotlb_init(&iommu->tlb, &vtd_iotlb_entries);
	rc = mock_instance_register(&iommu->base, id);
	if (rc)
		return rc;
	vtd_instances[vtd_nr_instances++] = iommu;
	return 0;
}

/**
 * vtd_init() - register @num_instances VT-d instances
 * @first_id: instance number of the first (after the other kinds)
 * @num_instances: 0 to MIOMMU_MAX_INSTANCES - @first_id
 *
 * Return: 0 or the errno of the failing step, with everything undone.
 */
int vtd_init(unsigned int first_id, unsigned int num_instances)
{
	unsigned int i;
	int rc;

	for (i = 0; i < num_instances; i++) {
		rc = vtd_instance_add(first_id + i);
		if (rc) {
			vtd_exit();
			return rc;
		}
	}
	return 0;
}

/**
 * vtd_exit() - remove every VT-d instance
 *
 * Called at unload, when no file is open and so no device or domain (and
 * no IOTLB entry) is left.
 */
void vtd_exit(void)
{
	struct vtd_instance *iommu;

	while (vtd_nr_instances) {
		iommu = vtd_instances[--vtd_nr_instances];
		vtd_instances[vtd_nr_instances] = NULL;
		WARN_ON(iommu->tlb.count);
		mock_instance_unregister(&iommu->base);
	}
}
