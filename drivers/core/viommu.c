// SPDX-License-Identifier: GPL-2.0
/*
 * vIOMMU objects: IOMMU_VIOMMU_ALLOC. A driver type goes through the
 * driver's viommu_alloc; IOMMU_VIOMMU_TYPE_DEFAULT is made by the core
 * itself, wrapping the nest-parent HWPT, so it works for every instance
 * (seed 000). Driver data (data_len/data_uptr) goes to the driver's
 * viommu_init op, which may answer through it (upstream 6.17: the selftest
 * type loops a value back and hands out an mmap() offset).
 */
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "iommufd_private.h"

/*
 * Destroy op: no vDEVICE, nested HWPT, vEVENTQ, HW queue or mapping of its
 * mmap() region uses the vIOMMU any more.
 */
void iommufd_viommu_destroy(struct iommufd_object *obj)
{
	struct iommufd_viommu *viommu = container_of(obj, struct iommufd_viommu,
						     obj);
	struct iommufd_hwpt *hwpt = viommu->hwpt;

	WARN_ON(!xa_empty(&viommu->hw->vdevs));
	WARN_ON(!list_empty(&viommu->veventqs));
	xa_destroy(&viommu->hw->vdevs);
	if (viommu->hw->ops)
		viommu->hw->ops->destroy(viommu->hw);
	else
		kfree(viommu->hw);
	refcount_dec(&hwpt->obj.users);
}

/* IOMMU_VIOMMU_ALLOC: see struct iommu_viommu_alloc. */
int iommufd_viommu_alloc(struct iommufd_ucmd *ucmd)
{
	struct iommu_viommu_alloc *cmd = ucmd->cmd;
	const struct miommu_user_data data = {
		.type = cmd->type,
		.uptr = u64_to_user_ptr(cmd->data_uptr),
		.len = cmd->data_len,
	};
	struct iommufd_viommu *viommu;
	struct iommufd_object *obj;
	struct iommufd_device *idev;
	struct iommufd_hwpt *hwpt;
	const struct miommu_ops *ops;
	struct miommu_viommu *hw;
	int rc;

	if (cmd->flags || cmd->__reserved)
		return -EOPNOTSUPP;
	if (!cmd->data_len && cmd->data_uptr)
		return -EINVAL;

	obj = iommufd_get_object(ucmd->ictx, cmd->dev_id, IOMMUFD_OBJ_DEVICE);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	idev = container_of(obj, struct iommufd_device, obj);
	ops = idev->hw->inst->ops;

	obj = iommufd_get_object(ucmd->ictx, cmd->hwpt_id,
				 IOMMUFD_OBJ_HWPT_PAGING);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	hwpt = container_of(obj, struct iommufd_hwpt, obj);
	if (!(hwpt->flags & IOMMU_HWPT_ALLOC_NEST_PARENT))
		return -EINVAL;
	/* A stage 2 is shared only by instances of one format (seed 004) */
	if (!ops->domain_compatible(idev->hw, hwpt->domain))
		return -EINVAL;

	if (cmd->type == IOMMU_VIOMMU_TYPE_DEFAULT) {
		hw = kzalloc(sizeof(*hw), GFP_KERNEL_ACCOUNT);
		if (!hw)
			return -ENOMEM;
	} else {
		if (!ops->viommu_alloc)
			return -EOPNOTSUPP;
		hw = ops->viommu_alloc(idev->hw, hwpt->domain, cmd->type);
		if (IS_ERR(hw))
			return PTR_ERR(hw);
	}
	hw->inst = idev->hw->inst;
	hw->s2 = hwpt->domain;
	hw->type = cmd->type;
	xa_init(&hw->vdevs);

	viommu = iommufd_object_alloc_type(ucmd->ictx, struct iommufd_viommu,
					   IOMMUFD_OBJ_VIOMMU);
	if (IS_ERR(viommu)) {
		if (hw->ops)
			hw->ops->destroy(hw);
		else
			kfree(hw);
		return PTR_ERR(viommu);
	}
	viommu->hw = hw;
	viommu->hwpt = hwpt;
	viommu->ictx = ucmd->ictx;
	INIT_LIST_HEAD(&viommu->veventqs);
	hw->owner = viommu;
	refcount_inc(&hwpt->obj.users);

	/* Driver data goes to the driver's init, which may answer in it */
	if (hw->ops && hw->ops->viommu_init)
		rc = hw->ops->viommu_init(hw, cmd->data_len ? &data : NULL);
	else
		rc = cmd->data_len ? -EINVAL : 0;
	if (rc) {
		iommufd_object_abort_and_destroy(ucmd->ictx, &viommu->obj);
		return rc;
	}

	cmd->out_viommu_id = viommu->obj.id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc) {
		iommufd_object_abort_and_destroy(ucmd->ictx, &viommu->obj);
		return rc;
	}
	iommufd_object_finalize(ucmd->ictx, &viommu->obj);
	return 0;
}
