// SPDX-License-Identifier: GPL-2.0
/*
 * The SMMUv3 vIOMMU (IOMMU_VIOMMU_TYPE_ARM_SMMUV3): a VMID over a nest
 * parent, the guest's commands forwarded raw as upstream's
 * arm_vsmmu_cache_invalidate() takes them, and its cache counters.
 */
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "smmuv3.h"
#include "smmuv3_trace.h"

static struct miommu_domain *
smmuv3_viommu_alloc_domain_nested(struct miommu_viommu *viommu,
				  struct miommu_device *dev, u32 flags,
				  const struct miommu_user_data *data)
{
	return smmuv3_nested_alloc(to_vsmmu(viommu), dev, flags, data);
}

/* A vSID names a vDEVICE of the vIOMMU; its physical SID replaces it. */
static int smmuv3_vsid_to_sid(struct smmuv3_viommu *vs, u32 vsid, u32 *sid,
			      struct miommu_vdevice **vdevp)
{
	struct miommu_vdevice *vdev = xa_load(&vs->core.vdevs, vsid);

	if (!vdev)
		return -EIO;
	*sid = vdev->dev->stream_id;
	if (vdevp)
		*vdevp = vdev;
	return 0;
}

/*
 * The range of a TLBI_NH_VA / VAA: without TG the entries holding VA; with
 * TG (range invalidation, IDR3.RIL) (NUM + 1) << SCALE granules from VA.
 */
static void smmuv3_tlbi_range(const u64 *cmd, u64 *start, u64 *last)
{
	unsigned int tg = FIELD_GET(CMD_TLBI1_TG, cmd[1]);
	u64 va = cmd[1] & CMD_TLBI1_VA, pages, bytes;

	*start = va;
	if (!tg) {
		*last = va;
		return;
	}
	pages = (FIELD_GET(CMD_TLBI0_NUM, cmd[0]) + 1) <<
		FIELD_GET(CMD_TLBI0_SCALE, cmd[0]);
	/* TG 1, 2, 3: 4 KiB, 16 KiB, 64 KiB granules */
	bytes = pages << (10 + 2 * tg);
	if (check_add_overflow(va, bytes - 1, last))
		*last = U64_MAX;
}

/* Runs one guest command; -EIO for what upstream does not forward. */
static int smmuv3_run_cmd(struct smmuv3_viommu *vs, const u64 *cmd)
{
	struct smmuv3_domain *s2 = vs->s2;
	unsigned int op = FIELD_GET(CMD0_OP, cmd[0]);
	struct miommu_vdevice *vdev;
	u64 start, last;
	u32 sid;
	int rc;

	switch (op) {
	case CMD_OP_TLBI_NSNH_ALL:
	case CMD_OP_TLBI_NH_ALL:
		miommu_iotlb_inv(&s2->smmu->tlb, s2, false, 0, false, 0, 0);
		return 0;
	case CMD_OP_TLBI_NH_ASID:
		miommu_iotlb_inv(&s2->smmu->tlb, s2, true,
				 FIELD_GET(CMD_TLBI0_ASID, cmd[0]), false, 0, 0);
		return 0;
	case CMD_OP_TLBI_NH_VA:
	case CMD_OP_TLBI_NH_VAA:
		smmuv3_tlbi_range(cmd, &start, &last);
		miommu_iotlb_inv(&s2->smmu->tlb, s2, op == CMD_OP_TLBI_NH_VA,
				 FIELD_GET(CMD_TLBI0_ASID, cmd[0]), true, start,
				 last);
		return 0;
	case CMD_OP_CFGI_CD:
	case CMD_OP_CFGI_CD_ALL:
		rc = smmuv3_vsid_to_sid(vs, FIELD_GET(CMD_CFGI0_SID, cmd[0]),
					&sid, NULL);
		if (rc)
			return rc;
		smmuv3_cd_inv(s2, sid, op == CMD_OP_CFGI_CD_ALL,
			      FIELD_GET(CMD_CFGI0_SSID, cmd[0]));
		return 0;
	case CMD_OP_ATC_INV:
		/* No ATS translation is cached: only the vSID is checked */
		rc = smmuv3_vsid_to_sid(vs, FIELD_GET(CMD_ATC0_SID, cmd[0]),
					&sid, &vdev);
		if (!rc)
			vdev->invalidations++;
		return rc;
	default:
		return -EIO;
	}
}

struct smmuv3_inv_ctx {
	struct smmuv3_viommu *vs;
	struct miommu_user_data_array *array;
};

/* Entry @index of the command array, as upstream copies it, then run. */
static int smmuv3_invalidate_one(void *priv, unsigned int index)
{
	struct smmuv3_inv_ctx *ctx = priv;
	struct miommu_user_data_array *array = ctx->array;
	struct smmuv3_viommu *vs = ctx->vs;
	struct iommu_viommu_arm_smmuv3_invalidate inv;
	u64 cmd[2];
	int rc;

	rc = copy_struct_from_user(&inv, sizeof(inv),
				   array->uptr + (size_t)index * array->entry_len,
				   array->entry_len);
	if (rc)
		return rc;
	cmd[0] = le64_to_cpu(inv.cmd[0]);
	cmd[1] = le64_to_cpu(inv.cmd[1]);
	rc = smmuv3_run_cmd(vs, cmd);
	trace_smmuv3_cmd(vs->s2->vmid, cmd[0], cmd[1], rc);
	return rc;
}

/*
 * IOMMU_HWPT_INVALIDATE on the vIOMMU: upstream's arm_vsmmu_cache_invalidate()
 * takes an array of raw 16-byte commands (longer entries with a zero tail,
 * as iommu_copy_struct_from_full_user_array() copies them); entry_num says
 * how many ran.
 */
static int smmuv3_viommu_cache_invalidate(struct miommu_viommu *viommu,
					  struct miommu_user_data_array *array)
{
	struct smmuv3_inv_ctx ctx = { .vs = to_vsmmu(viommu), .array = array };

	return miommu_array_run(array, IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3,
				sizeof(struct iommu_viommu_arm_smmuv3_invalidate),
				smmuv3_invalidate_one, &ctx);
}

static void smmuv3_viommu_fill_info(struct miommu_viommu *viommu,
				    struct iommu_mock_object_info *info)
{
	struct smmuv3_domain *s2 = to_vsmmu(viommu)->s2;
	struct smmuv3_instance *smmu = s2->smmu;

	info->out_asid = s2->vmid;
	spin_lock(&smmu->tlb.lock);
	info->out_tlb_hits = s2->stats.tlb.hits;
	info->out_tlb_misses = s2->stats.tlb.misses;
	info->out_tlb_invalidated = s2->stats.tlb.invalidated;
	info->out_evictions = s2->stats.tlb.evictions;
	spin_unlock(&smmu->tlb.lock);
	spin_lock(&smmu->cd.lock);
	info->out_cd_hits = s2->stats.cd_hits;
	info->out_cd_misses = s2->stats.cd_misses;
	info->out_cd_invalidated = s2->stats.cd_invalidated;
	info->out_evictions += s2->stats.cd_evictions;
	spin_unlock(&smmu->cd.lock);
}

/* Cache entries belong to the nest parent's VMID: they stay. */
static void smmuv3_viommu_destroy(struct miommu_viommu *viommu)
{
	kfree(to_vsmmu(viommu));
}

static const struct miommu_viommu_ops smmuv3_viommu_ops = {
	.alloc_domain_nested = smmuv3_viommu_alloc_domain_nested,
	.cache_invalidate = smmuv3_viommu_cache_invalidate,
	.fill_info = smmuv3_viommu_fill_info,
	.destroy = smmuv3_viommu_destroy,
};

/**
 * smmuv3_viommu_alloc() - the viommu_alloc op of SMMUv3 instances
 * @dev: device whose instance backs the vIOMMU
 * @s2: the nest parent
 * @type: must be IOMMU_VIOMMU_TYPE_ARM_SMMUV3
 *
 * As upstream's arm_vsmmu_init(), the nest parent must belong to the same
 * SMMU, and the vIOMMU uses its VMID: vIOMMUs over one nest parent share
 * their IOTLB and CD cache tags.
 * Return: the vIOMMU or ERR_PTR: -EOPNOTSUPP another type; -EINVAL a nest
 * parent of another SMMU; -ENOMEM.
 */
struct miommu_viommu *smmuv3_viommu_alloc(struct miommu_device *dev,
					  struct miommu_domain *s2, u32 type)
{
	struct smmuv3_domain *parent = smmuv3_to_s2(s2);
	struct smmuv3_viommu *vs;

	if (type != IOMMU_VIOMMU_TYPE_ARM_SMMUV3)
		return ERR_PTR(-EOPNOTSUPP);
	if (!parent || s2->inst != dev->inst)
		return ERR_PTR(-EINVAL);
	vs = kzalloc(sizeof(*vs), GFP_KERNEL_ACCOUNT);
	if (!vs)
		return ERR_PTR(-ENOMEM);
	vs->core.ops = &smmuv3_viommu_ops;
	vs->smmu = to_smmu(dev->inst);
	vs->s2 = parent;
	return &vs->core;
}
