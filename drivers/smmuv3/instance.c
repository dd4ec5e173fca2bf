// SPDX-License-Identifier: GPL-2.0
/*
 * SMMUv3 instances: on the mockiommu bus like the own mock instances (same
 * device naming, stream IDs, VFIO device files), but describing
 * themselves to userspace as upstream's arm-smmu-v3 does.
 */
#include <linux/moduleparam.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "smmuv3.h"

/* An ARM host's reserved region: the software MSI window of the ITS */
static const struct iommu_resv_region_info smmuv3_resv[] = {
	{ .start = 0x8000000, .last = 0x80fffff,
	  .type = IOMMU_RESV_TYPE_SW_MSI,
	  .flags = IOMMU_RESV_REGION_READ | IOMMU_RESV_REGION_WRITE },
};

static unsigned int smmuv3_iotlb_entries = 256;
module_param(smmuv3_iotlb_entries, uint, 0644);
MODULE_PARM_DESC(smmuv3_iotlb_entries,
		 "IOTLB entries of each SMMUv3 instance (default 256, at least 1)");

static struct smmuv3_instance *smmuv3_instances[MIOMMU_MAX_INSTANCES];
static unsigned int smmuv3_nr_instances;

/*
 * Upstream's arm_smmu_hw_info(): IDR0-5, IIDR and AIDR as read, unmasked.
 * The core asked for no other type (it answers -EOPNOTSUPP itself).
 */
static size_t smmuv3_hw_info(struct miommu_instance *inst, void *buf,
			     size_t len, u32 *type)
{
	struct smmuv3_instance *smmu = to_smmu(inst);

	memcpy(buf, &smmu->idr, min(len, sizeof(smmu->idr)));
	*type = IOMMU_HW_INFO_TYPE_ARM_SMMUV3;
	return sizeof(smmu->idr);
}

static void smmuv3_describe(struct miommu_instance *inst,
			    struct iommu_hw_info_mock *info)
{
	*info = to_smmu(inst)->base.info;
}

/* A device on the bus, with the instance's 20-bit SSIDs as its PASIDs */
static struct miommu_device *smmuv3_probe_device(struct miommu_instance *inst,
						 u32 stream_id)
{
	struct miommu_device *dev = mock_probe_device(inst, stream_id);

	if (!IS_ERR(dev))
		dev->max_pasid_log2 = SMMUV3_SSID_BITS;
	return dev;
}

/* Upstream's arm-smmu-v3 nests only through a vIOMMU. */
static struct miommu_domain *
smmuv3_domain_alloc_nested(struct miommu_device *dev,
			   struct miommu_domain *parent, u32 flags,
			   const struct miommu_user_data *data)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static const struct miommu_ops smmuv3_ops = {
	.probe_device = smmuv3_probe_device,
	.release_device = mock_release_device,
	.hw_info = smmuv3_hw_info,
	.domain_alloc_paging = smmuv3_domain_alloc_paging,
	.domain_alloc_nested = smmuv3_domain_alloc_nested,
	.domain_compatible = smmuv3_domain_compatible,
	.viommu_alloc = smmuv3_viommu_alloc,
	.get_resv_regions = mock_get_resv_regions,
	.describe = smmuv3_describe,
	/* The guest owns the CD table: SSIDs are resolved in its memory */
	.user_pasid_table = true,
};

/*
 * A plausible SMMUv3.2 that QEMU's smmuv3_accel_check_hw_compatible()
 * accepts with the vSMMU's defaults: 2-level stream table, little-endian
 * AArch64 tables, 16-bit SIDs and ASIDs/VMIDs, 20-bit SSIDs, range
 * invalidation, all three granules, 48-bit OAS, ATS, no stall, no HTTU.
 */
static void smmuv3_describe_idr(struct smmuv3_instance *smmu)
{
	struct iommu_hw_info_arm_smmuv3 *idr = &smmu->idr;

	idr->idr[0] = SMMU_IDR0_S2P | SMMU_IDR0_S1P |
		      FIELD_PREP(SMMU_IDR0_TTF, SMMU_IDR0_TTF_AARCH64) |
		      SMMU_IDR0_COHACC | SMMU_IDR0_ATS | SMMU_IDR0_ASID16 |
		      SMMU_IDR0_MSI | SMMU_IDR0_VMID16 | SMMU_IDR0_CD2L |
		      FIELD_PREP(SMMU_IDR0_TTENDIAN, SMMU_IDR0_TTENDIAN_LE) |
		      FIELD_PREP(SMMU_IDR0_STALL_MODEL, SMMU_IDR0_STALL_NONE) |
		      SMMU_IDR0_TERM_MODEL |
		      FIELD_PREP(SMMU_IDR0_ST_LVL, SMMU_IDR0_ST_LVL_2LVL);
	idr->idr[1] = FIELD_PREP(SMMU_IDR1_SIDSIZE, SMMUV3_SID_BITS) |
		      FIELD_PREP(SMMU_IDR1_SSIDSIZE, SMMUV3_SSID_BITS) |
		      FIELD_PREP(SMMU_IDR1_EVTQS, 19) |
		      FIELD_PREP(SMMU_IDR1_CMDQS, 19);
	idr->idr[3] = SMMU_IDR3_RIL;
	idr->idr[5] = FIELD_PREP(SMMU_IDR5_OAS, SMMU_IDR5_OAS_48) |
		      SMMU_IDR5_GRAN4K | SMMU_IDR5_GRAN16K | SMMU_IDR5_GRAN64K;
	/* Implementer 0x43b (Arm), product 0x4d4 ("mock"), r0p0 */
	idr->iidr = 0x4d40043b;
	idr->aidr = SMMU_AIDR_V3_2;
}

static void smmuv3_release(struct mock_instance *mi)
{
	struct smmuv3_instance *smmu = container_of(mi, struct smmuv3_instance,
						    base);

	ida_destroy(&smmu->vmids);
	kfree(smmu);
}

static int smmuv3_instance_add(unsigned int id)
{
	struct smmuv3_instance *smmu;
	struct iommu_hw_info_mock *info;
	int rc;

	smmu = kzalloc(sizeof(*smmu), GFP_KERNEL);
	if (!smmu)
		return -ENOMEM;
	smmu->base.core.ops = &smmuv3_ops;
	smmu->base.release = smmuv3_release;
	smmu->base.resv = smmuv3_resv;
	info = &smmu->base.info;
	info->flags = IOMMU_HW_INFO_MOCK_VIOMMU | IOMMU_HW_INFO_MOCK_NESTING |
		      IOMMU_HW_INFO_MOCK_ARM_SMMUV3;
	info->instance_id = id;
	info->s1_format = IOMMU_MOCK_S1_FORMAT_ARM_SMMUV3;
	info->s1_ias = 48;
	info->s1_oas = SMMUV3_OAS_BITS;
	info->sid_bits = SMMUV3_SID_BITS;
	info->asid_bits = 16;
	info->num_resv_regions = ARRAY_SIZE(smmuv3_resv);
	info->pgsize_bitmap = SZ_4K | SZ_2M | SZ_1G;
	info->aperture_start = 0;
	info->aperture_last = BIT_ULL(SMMUV3_IAS_BITS) - 1;
	smmuv3_describe_idr(smmu);
	ida_init(&smmu->vmids);
	miommu_iotlb_init(&smmu->tlb, &smmuv3_iotlb_entries);
	smmuv3_cd_cache_init(&smmu->cd);
	rc = mock_instance_register(&smmu->base, id);
	if (rc)
		return rc;
	smmuv3_instances[smmuv3_nr_instances++] = smmu;
	return 0;
}

/**
 * smmuv3_init() - register @num_instances SMMUv3 instances
 * @first_id: instance number of the first (after the mock instances)
 * @num_instances: 0 to MIOMMU_MAX_INSTANCES - @first_id
 *
 * Return: 0 or the errno of the failing step, with everything undone.
 */
int smmuv3_init(unsigned int first_id, unsigned int num_instances)
{
	unsigned int i;
	int rc;

	for (i = 0; i < num_instances; i++) {
		rc = smmuv3_instance_add(first_id + i);
		if (rc) {
			smmuv3_exit();
			return rc;
		}
	}
	return 0;
}

/**
 * smmuv3_exit() - remove every SMMUv3 instance
 *
 * Called at unload, when no file is open and so no device, domain or
 * vIOMMU (and no cache entry) is left.
 */
void smmuv3_exit(void)
{
	struct smmuv3_instance *smmu;

	while (smmuv3_nr_instances) {
		smmu = smmuv3_instances[--smmuv3_nr_instances];
		smmuv3_instances[smmuv3_nr_instances] = NULL;
		WARN_ON(smmu->tlb.count || smmu->cd.count);
		mock_instance_unregister(&smmu->base);
	}
}
