// SPDX-License-Identifier: GPL-2.0
/*
 * HWPT objects: paging HWPTs mirror an IOAS (and may be nest parents);
 * nested HWPTs put a user-described stage 1 over a nest parent, directly or
 * through a vIOMMU. IOMMU_HWPT_ALLOC and IOMMU_HWPT_INVALIDATE.
 */
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "iommufd_private.h"

/**
 * iommufd_hwpt_s2_ioas() - the IOAS whose mappings a HWPT translates to
 * @hwpt: paging or nested HWPT
 *
 * Return: the IOAS of a paging HWPT, or of the stage 2 under a nested one.
 */
struct iommufd_ioas *iommufd_hwpt_s2_ioas(struct iommufd_hwpt *hwpt)
{
	if (hwpt->obj.type == IOMMUFD_OBJ_HWPT_PAGING)
		return hwpt->ioas;
	if (hwpt->viommu)
		return hwpt->viommu->hwpt->ioas;
	return hwpt->parent->ioas;
}

/* Destroy op of a paging HWPT: no device, nested HWPT or vIOMMU uses it. */
void iommufd_hwpt_paging_destroy(struct iommufd_object *obj)
{
	struct iommufd_hwpt *hwpt = container_of(obj, struct iommufd_hwpt, obj);

	list_del(&hwpt->ioas_item);
	iopt_remove_domain(&hwpt->ioas->iopt, &hwpt->iopt_dom);
	hwpt->domain->ops->free(hwpt->domain);
	refcount_dec(&hwpt->ioas->obj.users);
}

/* Destroy op of a nested HWPT. */
void iommufd_hwpt_nested_destroy(struct iommufd_object *obj)
{
	struct iommufd_hwpt *hwpt = container_of(obj, struct iommufd_hwpt, obj);

	if (hwpt->fault) {
		iommufd_fault_purge(hwpt->fault, hwpt, NULL, MIOMMU_NO_PASID);
		refcount_dec(&hwpt->fault->obj.users);
	}
	hwpt->domain->ops->free(hwpt->domain);
	if (hwpt->viommu)
		refcount_dec(&hwpt->viommu->obj.users);
	else
		refcount_dec(&hwpt->parent->obj.users);
}

/**
 * iommufd_hwpt_paging_alloc() - allocate a paging HWPT mirroring an IOAS
 * @ictx: context
 * @ioas: IOAS to mirror
 * @idev: device whose IOMMU instance makes the page table
 * @flags: enum iommufd_hwpt_alloc_flags
 * @auto_domain: made by a device attach to the IOAS
 *
 * The object is not published; the caller finalizes or aborts it.
 * Return: the HWPT or ERR_PTR: the driver's errno, -EADDRINUSE if the IOAS
 * has mappings outside the aperture or not aligned to the domain's page
 * size, a pinning errno (pages are pinned now if no domain had them yet:
 * -EFAULT for unbacked memory), -ENOMEM.
 */
struct iommufd_hwpt *iommufd_hwpt_paging_alloc(struct iommufd_ctx *ictx,
					       struct iommufd_ioas *ioas,
					       struct iommufd_device *idev,
					       u32 flags, bool auto_domain)
{
	const struct miommu_ops *ops = idev->hw->inst->ops;
	struct miommu_domain *domain;
	struct iommufd_hwpt *hwpt;
	int rc;

	domain = ops->domain_alloc_paging(idev->hw, flags);
	if (IS_ERR(domain))
		return ERR_CAST(domain);

	hwpt = iommufd_object_alloc_type(ictx, struct iommufd_hwpt, IOMMUFD_OBJ_HWPT_PAGING);
	if (IS_ERR(hwpt)) {
		domain->ops->free(domain);
		return hwpt;
	}
	hwpt->domain = domain;
	hwpt->flags = flags;
	hwpt->auto_domain = auto_domain;
	hwpt->ioas = ioas;

	rc = iopt_add_domain(&ioas->iopt, &hwpt->iopt_dom, domain);
	if (rc)
		goto out_abort;
	list_add_tail(&hwpt->ioas_item, &ioas->hwpt_list);
	refcount_inc(&ioas->obj.users);
	return hwpt;

out_abort:
	domain->ops->free(domain);
	iommufd_object_abort(ictx, &hwpt->obj);
	return ERR_PTR(rc);
}

static struct iommufd_hwpt *
hwpt_nested_alloc(struct iommufd_ctx *ictx, struct iommufd_object *pt_obj,
		  struct iommufd_device *idev, u32 flags,
		  const struct miommu_user_data *data)
{
	struct iommufd_hwpt *parent = NULL, *hwpt;
	struct iommufd_viommu *viommu = NULL;
	struct miommu_domain *domain;

	/*
	 * Upstream: only a fault queue and IOMMU_HWPT_ALLOC_PASID may come
	 * with a nested HWPT; the driver gets the latter and may refuse it
	 */
	if ((flags & ~(IOMMU_HWPT_FAULT_ID_VALID | IOMMU_HWPT_ALLOC_PASID)) ||
	    !data->len)
		return ERR_PTR(-EOPNOTSUPP);
	flags &= ~IOMMU_HWPT_FAULT_ID_VALID;

	if (pt_obj->type == IOMMUFD_OBJ_VIOMMU) {
		viommu = container_of(pt_obj, struct iommufd_viommu, obj);
		/* A vIOMMU is a slice of one instance (seed 002) */
		if (idev->hw->inst != viommu->hw->inst)
			return ERR_PTR(-EINVAL);
		if (viommu->hw->ops)
			domain = viommu->hw->ops->alloc_domain_nested(viommu->hw,
								      idev->hw,
								      flags,
								      data);
		else
			domain = idev->hw->inst->ops->domain_alloc_nested(idev->hw,
									  viommu->hw->s2,
									  flags,
									  data);
	} else {
		parent = container_of(pt_obj, struct iommufd_hwpt, obj);
		if (parent->auto_domain ||
		    !(parent->flags & IOMMU_HWPT_ALLOC_NEST_PARENT))
			return ERR_PTR(-EINVAL);
		domain = idev->hw->inst->ops->domain_alloc_nested(idev->hw,
								  parent->domain,
								  flags, data);
	}
	if (IS_ERR(domain))
		return ERR_CAST(domain);

	hwpt = iommufd_object_alloc_type(ictx, struct iommufd_hwpt, IOMMUFD_OBJ_HWPT_NESTED);
	if (IS_ERR(hwpt)) {
		domain->ops->free(domain);
		return hwpt;
	}
	hwpt->domain = domain;
	hwpt->flags = flags;
	hwpt->parent = parent;
	hwpt->viommu = viommu;
	refcount_inc(viommu ? &viommu->obj.users : &parent->obj.users);
	return hwpt;
}

/* IOMMU_HWPT_ALLOC: see struct iommu_hwpt_alloc. */
int iommufd_hwpt_alloc(struct iommufd_ucmd *ucmd)
{
	const u32 known = IOMMU_HWPT_ALLOC_NEST_PARENT |
			  IOMMU_HWPT_ALLOC_DIRTY_TRACKING |
			  IOMMU_HWPT_FAULT_ID_VALID | IOMMU_HWPT_ALLOC_PASID;
	struct iommu_hwpt_alloc *cmd = ucmd->cmd;
	struct iommufd_object *obj, *pt_obj;
	struct miommu_user_data data = {
		.type = cmd->data_type,
		.uptr = u64_to_user_ptr(cmd->data_uptr),
		.len = cmd->data_len,
	};
	struct iommufd_device *idev;
	struct iommufd_hwpt *hwpt;
	int rc;

	if ((cmd->flags & ~known) || cmd->__reserved || cmd->__reserved2)
		return -EOPNOTSUPP;
	if ((cmd->data_type == IOMMU_HWPT_DATA_NONE && cmd->data_len) ||
	    (cmd->data_type != IOMMU_HWPT_DATA_NONE && !cmd->data_len))
		return -EINVAL;

	obj = iommufd_get_object(ucmd->ictx, cmd->dev_id, IOMMUFD_OBJ_DEVICE);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	idev = container_of(obj, struct iommufd_device, obj);

	/* Upstream answers EINVAL for a pt_id that names nothing */
	pt_obj = iommufd_get_object(ucmd->ictx, cmd->pt_id, IOMMUFD_OBJ_ANY);
	if (IS_ERR(pt_obj))
		return -EINVAL;

	switch (pt_obj->type) {
	case IOMMUFD_OBJ_IOAS:
		/*
		 * Paging HWPTs take no data and no fault queue (upstream 6.12);
		 * IOMMU_HWPT_ALLOC_PASID (upstream 6.15) goes to the driver,
		 * which may refuse it
		 */
		if (cmd->flags & ~(IOMMU_HWPT_ALLOC_NEST_PARENT |
				   IOMMU_HWPT_ALLOC_DIRTY_TRACKING |
				   IOMMU_HWPT_ALLOC_PASID))
			return -EOPNOTSUPP;
		if (cmd->data_type != IOMMU_HWPT_DATA_NONE)
			return -EOPNOTSUPP;
		hwpt = iommufd_hwpt_paging_alloc(ucmd->ictx,
						 container_of(pt_obj,
							      struct iommufd_ioas,
							      obj),
						 idev, cmd->flags, false);
		break;
	case IOMMUFD_OBJ_HWPT_PAGING:
	case IOMMUFD_OBJ_VIOMMU:
		hwpt = hwpt_nested_alloc(ucmd->ictx, pt_obj, idev, cmd->flags,
					 &data);
		break;
	default:
		return -EINVAL;
	}
	if (IS_ERR(hwpt))
		return PTR_ERR(hwpt);

	if (cmd->flags & IOMMU_HWPT_FAULT_ID_VALID) {
		struct iommufd_fault *fault;

		fault = iommufd_get_fault(ucmd->ictx, cmd->fault_id);
		if (IS_ERR(fault)) {
			iommufd_object_abort_and_destroy(ucmd->ictx, &hwpt->obj);
			return PTR_ERR(fault);
		}
		hwpt->fault = fault;
		refcount_inc(&fault->obj.users);
	}

	cmd->out_hwpt_id = hwpt->obj.id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc) {
		iommufd_object_abort_and_destroy(ucmd->ictx, &hwpt->obj);
		return rc;
	}
	iommufd_object_finalize(ucmd->ictx, &hwpt->obj);
	return 0;
}

/*
 * IOMMU_HWPT_INVALIDATE: see struct iommu_hwpt_invalidate. As upstream,
 * entry_num is written back on every path once the struct was read (0 for
 * a failure before the first entry), and a reply that cannot be written
 * answers EFAULT whatever the command's own result.
 */
int iommufd_hwpt_invalidate(struct iommufd_ucmd *ucmd)
{
	struct iommu_hwpt_invalidate *cmd = ucmd->cmd;
	struct miommu_user_data_array array = {
		.type = cmd->data_type,
		.uptr = u64_to_user_ptr(cmd->data_uptr),
		.entry_len = cmd->entry_len,
		.entry_num = cmd->entry_num,
	};
	struct iommufd_viommu *viommu;
	struct iommufd_hwpt *hwpt;
	struct iommufd_object *obj;
	int rc;

	/* Every failure below still answers entry_num (0 when early) */
	array.entry_num = 0;
	if (cmd->__reserved) {
		rc = -EOPNOTSUPP;
		goto out;
	}
	/* Bounded per entry like upstream: entry_len caps the zero-tail scan */
	if (cmd->entry_num &&
	    (!cmd->data_uptr || !cmd->entry_len || cmd->entry_len > PAGE_SIZE)) {
		rc = -EINVAL;
		goto out;
	}
	obj = iommufd_get_object(ucmd->ictx, cmd->hwpt_id, IOMMUFD_OBJ_ANY);
	if (IS_ERR(obj)) {
		rc = PTR_ERR(obj);
		goto out;
	}
	array.entry_num = cmd->entry_num;

	switch (obj->type) {
	case IOMMUFD_OBJ_HWPT_NESTED:
		hwpt = container_of(obj, struct iommufd_hwpt, obj);
		rc = hwpt->domain->ops->cache_invalidate_user(hwpt->domain,
							      &array);
		break;
	case IOMMUFD_OBJ_VIOMMU:
		viommu = container_of(obj, struct iommufd_viommu, obj);
		if (!viommu->hw->ops || !viommu->hw->ops->cache_invalidate) {
			array.entry_num = 0;
			rc = -EOPNOTSUPP;
			break;
		}
		rc = viommu->hw->ops->cache_invalidate(viommu->hw, &array);
		viommu->hw->invalidations += array.entry_num;
		break;
	default:
		/* Upstream looks up a nested HWPT or vIOMMU: anything else is ENOENT */
		array.entry_num = 0;
		rc = -ENOENT;
		break;
	}

out:
	/* entry_num reports the entries handled, also on failure */
	cmd->entry_num = array.entry_num;
	if (iommufd_ucmd_respond(ucmd, sizeof(*cmd)))
		return -EFAULT;
	return rc;
}
