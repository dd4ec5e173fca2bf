// SPDX-License-Identifier: GPL-2.0
/*
 * vDEVICE objects: IOMMU_VDEVICE_ALLOC binds a device to a virtual ID in
 * one vIOMMU. virt_id is unique per vIOMMU; one vDEVICE per device and
 * vIOMMU; the device must be on the vIOMMU's instance, since each physical
 * IOMMU has its own ID space (seed 002). Unbinding a device destroys its
 * vDEVICEs and leaves their IDs as tombstones (upstream 6.17).
 */
#include <linux/limits.h>
#include <linux/sched.h>

#include "iommufd_private.h"

/* Destroy op. */
void iommufd_vdevice_destroy(struct iommufd_object *obj)
{
	struct iommufd_vdevice *vdev = container_of(obj, struct iommufd_vdevice,
						    obj);
	struct miommu_viommu *hw = vdev->viommu->hw;

	if (hw->ops && hw->ops->vdevice_destroy)
		hw->ops->vdevice_destroy(&vdev->hw);
	xa_erase(&hw->vdevs, vdev->hw.virt_id);
	refcount_dec(&vdev->idev->obj.users);
	refcount_dec(&vdev->viommu->obj.users);
}

/**
 * miommu_viommu_find_vdev() - the vDEVICE of a device in a vIOMMU
 * @viommu: the vIOMMU
 * @dev: a device
 *
 * Called with the file's lock held, as every driver op is.
 * Return: the vDEVICE, or NULL when @dev has none in @viommu.
 */
struct miommu_vdevice *miommu_viommu_find_vdev(struct miommu_viommu *viommu,
					       struct miommu_device *dev)
{
	struct miommu_vdevice *vdev;
	unsigned long index;

	xa_for_each(&viommu->vdevs, index, vdev) {
		if (vdev->dev == dev)
			return vdev;
		cond_resched();
	}
	return NULL;
}

/**
 * iommufd_device_tombstone_vdevs() - destroy the vDEVICEs of a device
 * @ictx: the file's context
 * @idev: a device being unbound
 *
 * As upstream (6.17) when a device is unbound: each of its vDEVICEs is
 * destroyed and its ID left as a tombstone, so IOMMU_DESTROY of it answers
 * ENOENT and the number is not handed out again before the file closes.
 */
void iommufd_device_tombstone_vdevs(struct iommufd_ctx *ictx,
				    struct iommufd_device *idev)
{
	struct iommufd_vdevice *vdev;
	struct iommufd_object *obj;
	unsigned long index = 0;

	while ((obj = iommufd_object_next(ictx, &index, IOMMUFD_OBJ_VDEVICE))) {
		vdev = container_of(obj, struct iommufd_vdevice, obj);
		if (vdev->idev == idev)
			iommufd_object_tombstone(ictx, obj);
		index++;
		cond_resched();
	}
}

/* IOMMU_VDEVICE_ALLOC: see struct iommu_vdevice_alloc. */
int iommufd_vdevice_alloc(struct iommufd_ucmd *ucmd)
{
	struct iommu_vdevice_alloc *cmd = ucmd->cmd;
	struct iommufd_vdevice *vdev;
	struct iommufd_viommu *viommu;
	struct iommufd_device *idev;
	struct iommufd_object *obj;
	struct miommu_viommu *hw;
	int rc;

	obj = iommufd_get_object(ucmd->ictx, cmd->viommu_id, IOMMUFD_OBJ_VIOMMU);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	viommu = container_of(obj, struct iommufd_viommu, obj);
	hw = viommu->hw;
	obj = iommufd_get_object(ucmd->ictx, cmd->dev_id, IOMMUFD_OBJ_DEVICE);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	idev = container_of(obj, struct iommufd_device, obj);

	if (idev->hw->inst != hw->inst || cmd->virt_id > U32_MAX)
		return -EINVAL;
	if (miommu_viommu_find_vdev(hw, idev->hw))
		return -EEXIST;

	vdev = iommufd_object_alloc_type(ucmd->ictx, struct iommufd_vdevice, IOMMUFD_OBJ_VDEVICE);
	if (IS_ERR(vdev))
		return PTR_ERR(vdev);
	vdev->viommu = viommu;
	vdev->idev = idev;
	vdev->hw.viommu = hw;
	vdev->hw.dev = idev->hw;
	vdev->hw.virt_id = cmd->virt_id;

	rc = xa_insert(&hw->vdevs, cmd->virt_id, &vdev->hw, GFP_KERNEL_ACCOUNT);
	if (rc) {
		iommufd_object_abort(ucmd->ictx, &vdev->obj);
		return rc == -EBUSY ? -EEXIST : rc;
	}
	if (hw->ops && hw->ops->vdevice_init) {
		rc = hw->ops->vdevice_init(&vdev->hw);
		if (rc) {
			xa_erase(&hw->vdevs, cmd->virt_id);
			iommufd_object_abort(ucmd->ictx, &vdev->obj);
			return rc;
		}
	}
	refcount_inc(&idev->obj.users);
	refcount_inc(&viommu->obj.users);

	cmd->out_vdevice_id = vdev->obj.id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc) {
		iommufd_object_abort_and_destroy(ucmd->ictx, &vdev->obj);
		return rc;
	}
	iommufd_object_finalize(ucmd->ictx, &vdev->obj);
	return 0;
}
