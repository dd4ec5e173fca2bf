// SPDX-License-Identifier: GPL-2.0
/*
 * Device objects: mock devices bound to a file, their attachment to an IOAS
 * or HWPT, IOMMU_GET_HW_INFO, the per-device reserved-region report and the
 * simulated DMA.
 *
 * Reserved regions (seed 001): attaching to a paging HWPT reserves all of
 * the device's regions in the HWPT's IOAS; attaching to a nested HWPT
 * reserves only its SW_MSI windows in the stage-2 IOAS, where the MSI
 * doorbell still has to be mapped.
 *
 * PASIDs (upstream iommufd since 6.15, as of 6.17): each PASID of a device
 * may be attached to its own HWPT besides the RID's. Only HWPTs allocated
 * with IOMMU_HWPT_ALLOC_PASID serve a PASID, and while any PASID is
 * attached the RID must be on such a HWPT too. The same helpers attach the
 * RID (MIOMMU_NO_PASID) and a PASID, in the same two steps.
 */
#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "iommufd_private.h"

#define MOCK_DMA_MAX_LENGTH SZ_16M

static struct iommufd_device *iommufd_get_device(struct iommufd_ctx *ictx,
						 u32 id)
{
	struct iommufd_object *obj;

	obj = iommufd_get_object(ictx, id, IOMMUFD_OBJ_DEVICE);
	if (IS_ERR(obj))
		return ERR_CAST(obj);
	return container_of(obj, struct iommufd_device, obj);
}

/* Owner tag of the reservations of one attach generation of a device. */
static const void *resv_owner(struct iommufd_device *idev, unsigned int tag)
{
	return (const u8 *)idev + tag;
}

static int device_reserve(struct iommufd_device *idev, bool nested,
			  struct iommufd_ioas *ioas, const void *owner)
{
	const struct iommu_resv_region_info *regions;
	unsigned int i, num;
	int rc;

	regions = idev->hw->inst->ops->get_resv_regions(idev->hw, &num);
	for (i = 0; i < num; i++) {
		if (nested && regions[i].type != IOMMU_RESV_TYPE_SW_MSI)
			continue;
		rc = iopt_reserve(&ioas->iopt, regions[i].start,
				  regions[i].last, owner);
		if (rc) {
			iopt_unreserve(&ioas->iopt, owner);
			return rc;
		}
	}
	return 0;
}

/*
 * Upstream's IOMMU_HWPT_ALLOC_PASID rules (iommufd_hwpt_pasid_compat): a
 * PASID takes only a PASID-capable HWPT, and only while the RID is detached
 * or on a PASID-capable HWPT; the RID takes a HWPT without the flag only
 * while no PASID is attached. -EINVAL otherwise.
 */
static int device_pasid_compat(struct iommufd_device *idev, u32 pasid,
			       struct iommufd_hwpt *hwpt)
{
	bool compat = hwpt->flags & IOMMU_HWPT_ALLOC_PASID;

	if (pasid == MIOMMU_NO_PASID)
		return compat || xa_empty(&idev->pasids) ? 0 : -EINVAL;
	if (!compat)
		return -EINVAL;
	if (idev->hwpt && !(idev->hwpt->flags & IOMMU_HWPT_ALLOC_PASID))
		return -EINVAL;
	return 0;
}

/* A PASID in the device's range (upstream's pasid >= max_pasids check) */
static bool device_pasid_in_range(struct miommu_device *dev, u32 pasid)
{
	return (u64)pasid < BIT_ULL(min_t(u8, dev->max_pasid_log2, 32));
}

/* Drop an attachment's user of @hwpt, answering what it left queued. */
static void device_hwpt_put(struct iommufd_ctx *ictx, struct iommufd_device *idev,
			    u32 pasid, struct iommufd_hwpt *hwpt)
{
	/* Requests the device left behind are answered (upstream) */
	if (hwpt->fault)
		iommufd_fault_purge(hwpt->fault, hwpt, idev, pasid);
	refcount_dec(&hwpt->obj.users);
	if (hwpt->auto_domain && refcount_read(&hwpt->obj.users) == 1)
		iommufd_object_destroy_now(ictx, &hwpt->obj);
}

/*
 * Attach, or replace the current attachment, in two steps so the reply can
 * be written in between: device_attach_prepare() does everything that can
 * fail (the driver's check, the reservations under a new owner tag),
 * device_attach_commit() switches over and cannot fail,
 * device_attach_cancel() undoes a prepare. A failure changes nothing.
 */
static int device_attach_prepare(struct iommufd_device *idev,
				 struct iommufd_hwpt *hwpt)
{
	int rc;

	if (idev->hwpt == hwpt)
		return 0;
	/* A vIOMMU's nested HWPTs serve its own instance only (seed 002) */
	if (hwpt->viommu && hwpt->viommu->hw->inst != idev->hw->inst)
		return -EINVAL;
	rc = device_pasid_compat(idev, MIOMMU_NO_PASID, hwpt);
	if (rc)
		return rc;
	rc = hwpt->domain->ops->attach_dev(hwpt->domain, idev->hw);
	if (rc)
		return rc;
	return device_reserve(idev, hwpt->obj.type == IOMMUFD_OBJ_HWPT_NESTED,
			      iommufd_hwpt_s2_ioas(hwpt),
			      resv_owner(idev, idev->resv_tag ^ 1));
}

static void device_attach_cancel(struct iommufd_device *idev,
				 struct iommufd_hwpt *hwpt)
{
	if (idev->hwpt == hwpt)
		return;
	iopt_unreserve(&iommufd_hwpt_s2_ioas(hwpt)->iopt,
		       resv_owner(idev, idev->resv_tag ^ 1));
}

static void device_attach_commit(struct iommufd_ctx *ictx,
				 struct iommufd_device *idev,
				 struct iommufd_hwpt *hwpt)
{
	struct iommufd_hwpt *old = idev->hwpt;

	if (old == hwpt)
		return;
	refcount_inc(&hwpt->obj.users);
	idev->hwpt = hwpt;
	if (old) {
		iopt_unreserve(&idev->resv_ioas->iopt,
			       resv_owner(idev, idev->resv_tag));
		device_hwpt_put(ictx, idev, MIOMMU_NO_PASID, old);
	}
	idev->resv_ioas = iommufd_hwpt_s2_ioas(hwpt);
	idev->resv_tag ^= 1;
}

/*
 * The same two steps for a PASID, in upstream's order of checks. An attach
 * reserves the PASID's slot so the commit cannot fail; PASID attachments
 * reserve no IOVA.
 */
static int device_pasid_prepare(struct iommufd_device *idev, u32 pasid,
				struct iommufd_hwpt *hwpt)
{
	struct iommufd_hwpt *old = xa_load(&idev->pasids, pasid);
	struct miommu_domain *domain = hwpt->domain;
	int rc;

	/* Upstream: a replace onto the same HWPT succeeds with no change */
	if (old == hwpt)
		return 0;
	rc = device_pasid_compat(idev, pasid, hwpt);
	if (rc)
		return rc;
	if (!domain->ops->set_dev_pasid)
		return -EOPNOTSUPP;
	if (hwpt->viommu && hwpt->viommu->hw->inst != idev->hw->inst)
		return -EINVAL;
	if (!device_pasid_in_range(idev->hw, pasid))
		return -EINVAL;
	if (!old) {
		rc = xa_reserve(&idev->pasids, pasid, GFP_KERNEL_ACCOUNT);
		if (rc)
			return rc;
	}
	rc = domain->ops->set_dev_pasid(domain, idev->hw, pasid,
					old ? old->domain : NULL);
	if (rc && !old)
		xa_release(&idev->pasids, pasid);
	return rc;
}

static void device_pasid_cancel(struct iommufd_device *idev, u32 pasid)
{
	/* A first attach left its slot reserved; a replace left nothing */
	if (!xa_load(&idev->pasids, pasid))
		xa_release(&idev->pasids, pasid);
}

static void device_pasid_commit(struct iommufd_ctx *ictx,
				struct iommufd_device *idev, u32 pasid,
				struct iommufd_hwpt *hwpt)
{
	struct iommufd_hwpt *old = xa_load(&idev->pasids, pasid);
	const struct miommu_ops *ops = idev->hw->inst->ops;

	if (old == hwpt)
		return;
	refcount_inc(&hwpt->obj.users);
	/* The slot is reserved or in use: storing allocates nothing */
	WARN_ON(xa_is_err(xa_store(&idev->pasids, pasid, hwpt, GFP_KERNEL)));
	if (old)
		device_hwpt_put(ictx, idev, pasid, old);
	if (ops->pasid_changed)
		ops->pasid_changed(idev->hw, pasid, hwpt->domain);
}

/*
 * Prepare an attach to an IOAS: the first automatic HWPT of the IOAS the
 * device can attach to (upstream's rule: the driver refuses an
 * incompatible domain with -EINVAL), else a new automatic HWPT, which
 * stays unpublished (*@is_new) until the caller finalizes or aborts it.
 */
static struct iommufd_hwpt *
device_attach_ioas_prepare(struct iommufd_ctx *ictx, struct iommufd_device *idev,
			   struct iommufd_ioas *ioas, bool *is_new)
{
	struct iommufd_hwpt *hwpt;
	const void *owner;
	int rc;

	*is_new = false;
	list_for_each_entry(hwpt, &ioas->hwpt_list, ioas_item) {
		if (!hwpt->auto_domain)
			continue;
		rc = device_attach_prepare(idev, hwpt);
		if (!rc)
			return hwpt;
		if (rc != -EINVAL)
			return ERR_PTR(rc);
	}

	/*
	 * As upstream, the device's reserved regions go into the IOAS before
	 * the new domain pins anything: a mapping inside a reserved region is
	 * EADDRINUSE, whether or not its memory could be pinned.
	 */
	owner = resv_owner(idev, idev->resv_tag ^ 1);
	rc = device_reserve(idev, false, ioas, owner);
	if (rc)
		return ERR_PTR(rc);
	/* Automatic HWPTs are made without IOMMU_HWPT_ALLOC_PASID */
	if (!xa_empty(&idev->pasids)) {
		iopt_unreserve(&ioas->iopt, owner);
		return ERR_PTR(-EINVAL);
	}
	hwpt = iommufd_hwpt_paging_alloc(ictx, ioas, idev, 0, true);
	if (IS_ERR(hwpt)) {
		iopt_unreserve(&ioas->iopt, owner);
		return hwpt;
	}
	rc = hwpt->domain->ops->attach_dev(hwpt->domain, idev->hw);
	if (rc) {
		iommufd_object_abort_and_destroy(ictx, &hwpt->obj);
		iopt_unreserve(&ioas->iopt, owner);
		return ERR_PTR(rc);
	}
	*is_new = true;
	return hwpt;
}

/**
 * iommufd_device_detach() - detach the RID or one PASID of a device
 * @ictx: the file's context
 * @idev: the device
 * @pasid: MIOMMU_NO_PASID for the RID, else the PASID
 *
 * Nothing happens when nothing is attached there (upstream's
 * iommufd_device_detach). An automatic HWPT left unused is destroyed.
 */
void iommufd_device_detach(struct iommufd_ctx *ictx, struct iommufd_device *idev,
			   u32 pasid)
{
	const struct miommu_ops *ops = idev->hw->inst->ops;
	struct iommufd_hwpt *hwpt;

	if (pasid != MIOMMU_NO_PASID) {
		hwpt = xa_load(&idev->pasids, pasid);
		if (!hwpt)
			return;
		xa_erase(&idev->pasids, pasid);
		if (ops->pasid_changed)
			ops->pasid_changed(idev->hw, pasid, NULL);
		device_hwpt_put(ictx, idev, pasid, hwpt);
		return;
	}

	hwpt = idev->hwpt;
	if (!hwpt)
		return;
	iopt_unreserve(&idev->resv_ioas->iopt, resv_owner(idev, idev->resv_tag));
	idev->hwpt = NULL;
	idev->resv_ioas = NULL;
	device_hwpt_put(ictx, idev, MIOMMU_NO_PASID, hwpt);
}

/**
 * iommufd_device_attached() - the HWPT the RID or a PASID is attached to
 * @idev: the device
 * @pasid: MIOMMU_NO_PASID for the RID, else the PASID
 *
 * Return: the HWPT, or NULL when nothing is attached there.
 */
struct iommufd_hwpt *iommufd_device_attached(struct iommufd_device *idev,
					     u32 pasid)
{
	if (pasid == MIOMMU_NO_PASID)
		return idev->hwpt;
	return xa_load(&idev->pasids, pasid);
}

/*
 * Destroy op: no vDEVICE uses the device; its PASIDs and then its RID are
 * detached.
 */
void iommufd_device_destroy(struct iommufd_object *obj)
{
	struct iommufd_device *idev = container_of(obj, struct iommufd_device,
						   obj);
	struct iommufd_hwpt *hwpt;
	unsigned long pasid;

	/* Up to 2^max_pasid_log2 - 1 of them */
	xa_for_each(&idev->pasids, pasid, hwpt) {
		iommufd_device_detach(idev->ictx, idev, pasid);
		cond_resched();
	}
	xa_destroy(&idev->pasids);
	iommufd_device_detach(idev->ictx, idev, MIOMMU_NO_PASID);
	if (!idev->hw_borrowed)
		idev->hw->inst->ops->release_device(idev->hw);
}

/**
 * iommufd_device_bind() - give a driver-made device an ID in a file
 * @ictx: the file's context
 * @hw: the driver's device; released through its instance's
 *      release_device op when the binding ends
 *
 * The binder holds a reference, so IOMMU_DESTROY of the ID answers -EBUSY
 * until iommufd_device_unbind() (upstream's iommufd_device_bind rule).
 * Return: the published device object, or ERR_PTR(-ENOMEM/-ENOSPC).
 */
struct iommufd_device *iommufd_device_bind(struct iommufd_ctx *ictx,
					   struct miommu_device *hw)
{
	struct iommufd_device *idev;

	idev = iommufd_object_alloc_type(ictx, struct iommufd_device, IOMMUFD_OBJ_DEVICE);
	if (IS_ERR(idev))
		return idev;
	idev->hw = hw;
	idev->ictx = ictx;
	xa_init(&idev->pasids);
	refcount_inc(&idev->obj.users);
	iommufd_object_finalize(ictx, &idev->obj);
	return idev;
}

/**
 * iommufd_device_bind_borrowed() - iommufd_device_bind() of a device whose
 *                                  owner keeps it after the binding ends
 * @ictx: the file's context (its lock held)
 * @hw: the driver's device; not released by iommufd_device_unbind()
 *
 * The binding of a VFIO device file (VFIO_DEVICE_BIND_IOMMUFD): the device
 * exists before and after it. Return: as iommufd_device_bind().
 */
struct iommufd_device *iommufd_device_bind_borrowed(struct iommufd_ctx *ictx,
						    struct miommu_device *hw)
{
	struct iommufd_device *idev = iommufd_device_bind(ictx, hw);

	if (!IS_ERR(idev))
		idev->hw_borrowed = true;
	return idev;
}

/**
 * iommufd_device_unbind() - end a binding made by iommufd_device_bind()
 * @idev: the device, detached or not; its vDEVICEs become tombstones
 */
void iommufd_device_unbind(struct iommufd_device *idev)
{
	iommufd_device_tombstone_vdevs(idev->ictx, idev);
	refcount_dec(&idev->obj.users);
	iommufd_object_destroy_now(idev->ictx, &idev->obj);
}

/* IOMMU_MOCK_DEVICE_ALLOC: see struct iommu_mock_device_alloc. */
int iommufd_device_alloc(struct iommufd_ucmd *ucmd)
{
	struct iommu_mock_device_alloc *cmd = ucmd->cmd;
	struct miommu_instance *inst;
	struct iommufd_device *idev;
	struct miommu_device *hw;
	int rc;

	if (cmd->flags || cmd->__reserved)
		return -EOPNOTSUPP;
	inst = miommu_find_instance(cmd->instance_id);
	if (!inst)
		return -ENODEV;

	idev = iommufd_object_alloc_type(ucmd->ictx, struct iommufd_device, IOMMUFD_OBJ_DEVICE);
	if (IS_ERR(idev))
		return PTR_ERR(idev);
	hw = inst->ops->probe_device(inst, cmd->stream_id);
	if (IS_ERR(hw)) {
		iommufd_object_abort(ucmd->ictx, &idev->obj);
		return PTR_ERR(hw);
	}
	idev->hw = hw;
	idev->ictx = ucmd->ictx;
	xa_init(&idev->pasids);

	cmd->out_dev_id = idev->obj.id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc) {
		iommufd_object_abort_and_destroy(ucmd->ictx, &idev->obj);
		return rc;
	}
	iommufd_object_finalize(ucmd->ictx, &idev->obj);
	return 0;
}

/**
 * iommufd_device_attach_begin() - first half of an attach or replace
 * @ictx: the file's context
 * @idev: the device
 * @pasid: MIOMMU_NO_PASID to attach the RID, else the PASID to attach
 * @pt_id: an IOAS (an automatic HWPT is reused or made) or a HWPT
 * @replace: move an attached RID or PASID (else it must be detached)
 * @att: out: what iommufd_device_attach_end() needs
 *
 * Does everything that can fail; the caller then writes its reply (the
 * HWPT is att->hwpt) and commits or cancels with iommufd_device_attach_end(),
 * so an unwritable reply changes nothing. A PASID follows upstream's
 * iommufd_device_attach()/_replace() with a PASID: only a HWPT allocated
 * with IOMMU_HWPT_ALLOC_PASID serves it, so an IOAS (whose automatic HWPTs
 * never have the flag) is refused; upstream allocates such a HWPT first
 * and then refuses it, so there an allocation failure can answer first.
 * Return: 0; -ENOENT no object @pt_id; -EINVAL @pt_id is neither an IOAS
 * nor a HWPT, @replace of a detached RID or PASID, an incompatible HWPT, a
 * PASID beyond the device's width (every PASID of a device without
 * PASIDs), an IOAS for a PASID, a HWPT without IOMMU_HWPT_ALLOC_PASID for a
 * PASID or for the RID while a PASID is attached, a PASID while the RID is
 * on a HWPT without that flag; -EOPNOTSUPP a PASID and a domain the driver
 * cannot attach to PASIDs; -EBUSY attach of an attached RID or PASID; a
 * driver, pinning or allocation errno.
 */
int iommufd_device_attach_begin(struct iommufd_ctx *ictx,
				struct iommufd_device *idev, u32 pasid,
				u32 pt_id, bool replace,
				struct iommufd_attach *att)
{
	struct iommufd_object *pt_obj;
	int rc;

	att->hwpt = NULL;
	att->pasid = pasid;
	att->is_new = false;
	pt_obj = iommufd_get_object(ictx, pt_id, IOMMUFD_OBJ_ANY);
	if (IS_ERR(pt_obj))
		return PTR_ERR(pt_obj);
	if (replace) {
		if (!iommufd_device_attached(idev, pasid))
			return -EINVAL;
	} else if (iommufd_device_attached(idev, pasid)) {
		return -EBUSY;
	}

	switch (pt_obj->type) {
	case IOMMUFD_OBJ_IOAS:
		/* No automatic HWPT can serve a PASID (see above) */
		if (pasid != MIOMMU_NO_PASID)
			return -EINVAL;
		att->hwpt = device_attach_ioas_prepare(ictx, idev,
						       container_of(pt_obj,
								    struct iommufd_ioas,
								    obj),
						       &att->is_new);
		if (IS_ERR(att->hwpt))
			return PTR_ERR(att->hwpt);
		return 0;
	case IOMMUFD_OBJ_HWPT_PAGING:
	case IOMMUFD_OBJ_HWPT_NESTED:
		att->hwpt = container_of(pt_obj, struct iommufd_hwpt, obj);
		if (pasid == MIOMMU_NO_PASID)
			rc = device_attach_prepare(idev, att->hwpt);
		else
			rc = device_pasid_prepare(idev, pasid, att->hwpt);
		if (rc)
			att->hwpt = NULL;
		return rc;
	default:
		return -EINVAL;
	}
}

/**
 * iommufd_device_attach_end() - commit or cancel iommufd_device_attach_begin()
 * @ictx: the file's context
 * @idev: the device
 * @att: as filled by a successful iommufd_device_attach_begin()
 * @commit: switch over (cannot fail), else undo everything begin did
 */
void iommufd_device_attach_end(struct iommufd_ctx *ictx,
			       struct iommufd_device *idev,
			       struct iommufd_attach *att, bool commit)
{
	if (att->pasid != MIOMMU_NO_PASID) {
		if (commit)
			device_pasid_commit(ictx, idev, att->pasid, att->hwpt);
		else
			device_pasid_cancel(idev, att->pasid);
		return;
	}
	if (!commit) {
		device_attach_cancel(idev, att->hwpt);
		if (att->is_new)
			iommufd_object_abort_and_destroy(ictx, &att->hwpt->obj);
		return;
	}
	device_attach_commit(ictx, idev, att->hwpt);
	if (att->is_new)
		iommufd_object_finalize(ictx, &att->hwpt->obj);
}

/*
 * IOMMU_MOCK_DEVICE_ATTACH: see struct iommu_mock_device_attach. The reply
 * is written before the attach is committed, so an EFAULT leaves the
 * device where it was and no automatic HWPT behind.
 */
int iommufd_device_attach(struct iommufd_ucmd *ucmd)
{
	struct iommu_mock_device_attach *cmd = ucmd->cmd;
	struct iommufd_device *idev;
	struct iommufd_attach att;
	int rc;

	u32 pasid = MIOMMU_NO_PASID;

	if ((cmd->flags & ~(IOMMU_MOCK_ATTACH_REPLACE |
			    IOMMU_MOCK_ATTACH_PASID)) ||
	    (!(cmd->flags & IOMMU_MOCK_ATTACH_PASID) && cmd->pasid))
		return -EOPNOTSUPP;
	idev = iommufd_get_device(ucmd->ictx, cmd->dev_id);
	if (IS_ERR(idev))
		return PTR_ERR(idev);
	if (cmd->flags & IOMMU_MOCK_ATTACH_PASID) {
		if (cmd->pasid == MIOMMU_NO_PASID)
			return -EINVAL;
		pasid = cmd->pasid;
	}
	rc = iommufd_device_attach_begin(ucmd->ictx, idev, pasid,
					 cmd->pt_id,
					 cmd->flags & IOMMU_MOCK_ATTACH_REPLACE,
					 &att);
	if (rc)
		return rc;
	cmd->out_hwpt_id = att.hwpt->obj.id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	iommufd_device_attach_end(ucmd->ictx, idev, &att, !rc);
	return rc;
}

/* IOMMU_MOCK_DEVICE_DETACH: see struct iommu_mock_device_detach. */
int iommufd_device_detach_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_mock_device_detach *cmd = ucmd->cmd;
	u32 pasid = MIOMMU_NO_PASID;
	struct iommufd_device *idev;

	if ((cmd->flags & ~IOMMU_MOCK_DETACH_PASID) ||
	    (!(cmd->flags & IOMMU_MOCK_DETACH_PASID) && cmd->pasid))
		return -EOPNOTSUPP;
	idev = iommufd_get_device(ucmd->ictx, cmd->dev_id);
	if (IS_ERR(idev))
		return PTR_ERR(idev);
	if (cmd->flags & IOMMU_MOCK_DETACH_PASID) {
		if (cmd->pasid == MIOMMU_NO_PASID)
			return -EINVAL;
		pasid = cmd->pasid;
	}
	if (!iommufd_device_attached(idev, pasid))
		return -EINVAL;
	iommufd_device_detach(ucmd->ictx, idev, pasid);
	return 0;
}

/* IOMMU_GET_HW_INFO: see struct iommu_hw_info. */
int iommufd_get_hw_info(struct iommufd_ucmd *ucmd)
{
	struct iommu_hw_info *cmd = ucmd->cmd;
	void __user *uptr = u64_to_user_ptr(cmd->data_uptr);
	struct iommufd_device *idev;
	size_t len, copy;
	u8 buf[128];
	u32 type;

	if ((cmd->flags & ~IOMMU_HW_INFO_FLAG_INPUT_TYPE) ||
	    cmd->__reserved[0] || cmd->__reserved[1] || cmd->__reserved[2])
		return -EOPNOTSUPP;
	idev = iommufd_get_device(ucmd->ictx, cmd->dev_id);
	if (IS_ERR(idev))
		return PTR_ERR(idev);

	memset(buf, 0, sizeof(buf));
	len = idev->hw->inst->ops->hw_info(idev->hw->inst, buf, sizeof(buf), &type);
	if ((cmd->flags & IOMMU_HW_INFO_FLAG_INPUT_TYPE) &&
	    cmd->in_data_type != IOMMU_HW_INFO_TYPE_DEFAULT &&
	    cmd->in_data_type != type)
		return -EOPNOTSUPP;

	copy = min_t(size_t, len, cmd->data_len);
	if (copy && copy_to_user(uptr, buf, copy))
		return -EFAULT;
	if (cmd->data_len > copy && clear_user(uptr + copy, cmd->data_len - copy))
		return -EFAULT;

	cmd->data_len = len;
	cmd->out_data_type = type;
	cmd->out_max_pasid_log2 = idev->hw->max_pasid_log2;
	cmd->out_capabilities = idev->hw->hw_caps;
	return iommufd_ucmd_respond(ucmd, sizeof(*cmd));
}

/* IOMMU_DEVICE_GET_RESV_REGIONS: see struct iommu_device_resv_regions. */
int iommufd_device_resv_regions(struct iommufd_ucmd *ucmd)
{
	struct iommu_device_resv_regions *cmd = ucmd->cmd;
	const struct iommu_resv_region_info *regions;
	struct iommufd_device *idev;
	unsigned int num;
	int rc;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	idev = iommufd_get_device(ucmd->ictx, cmd->dev_id);
	if (IS_ERR(idev))
		return PTR_ERR(idev);

	regions = idev->hw->inst->ops->get_resv_regions(idev->hw, &num);
	if (copy_to_user(u64_to_user_ptr(cmd->regions_uptr), regions,
			 min(num, cmd->num_regions) * sizeof(*regions)))
		return -EFAULT;
	rc = cmd->num_regions < num ? -EMSGSIZE : 0;
	cmd->num_regions = num;
	return iommufd_ucmd_respond(ucmd, sizeof(*cmd)) ?: rc;
}

/* User pages one step of a simulated DMA pins at most (128 KiB). */
#define MOCK_DMA_UPAGES 32

/**
 * iommufd_device_dma_hwpt() - the HWPT that translates a device's requests
 * @idev: the device
 * @pasid: MIOMMU_NO_PASID for requests without PASID, else their PASID
 *
 * As upstream's IOMMU core routes requests: a PASID's own attachment, else,
 * when the driver's PASID table belongs to the guest (user_pasid_table)
 * and the RID is on a nested HWPT, the RID's HWPT, whose guest structures
 * select the substream.
 * Return: the HWPT or NULL.
 */
struct iommufd_hwpt *iommufd_device_dma_hwpt(struct iommufd_device *idev,
					     u32 pasid)
{
	struct iommufd_hwpt *hwpt = iommufd_device_attached(idev, pasid);

	if (!hwpt && pasid != MIOMMU_NO_PASID &&
	    idev->hw->inst->ops->user_pasid_table && idev->hwpt &&
	    idev->hwpt->obj.type == IOMMUFD_OBJ_HWPT_NESTED)
		hwpt = idev->hwpt;
	return hwpt;
}

/* Times a DMA retries after its page requests were answered Success */
#define MOCK_DMA_PRI_RETRIES 4

/*
 * Translate the page of @iova for one access of a device's DMA: through
 * the driver's dma_translate when it has one (guest tables, caches, fault
 * events), else through iova_to_phys and the mapping's permissions:
 * -ENOENT nothing mapped, -EPERM mapped without that permission. A fault
 * the driver calls recoverable, on a HWPT with a fault queue, becomes a
 * page request; a Success answer retries the access (PRI).
 */
static int device_dma_translate(struct iommufd_device *idev,
				struct iommufd_hwpt *hwpt, u32 pasid,
				u64 iova, bool write, struct page **page,
				struct miommu_fault *fault)
{
	struct miommu_domain *domain = hwpt->domain;
	unsigned int tries = 0;
	int rc, prot, pri;
	phys_addr_t phys;
	u32 code;

again:
	if (domain->ops->dma_translate) {
		rc = domain->ops->dma_translate(domain, idev->hw, pasid, iova,
						write, &phys, fault);
	} else {
		rc = domain->ops->iova_to_phys(domain, iova & PAGE_MASK, &phys,
					       &prot);
		if (!rc && !(prot & (write ? MIOMMU_WRITE : MIOMMU_READ)))
			rc = -EPERM;
	}
	if (rc && fault->recoverable && hwpt->fault &&
	    tries++ < MOCK_DMA_PRI_RETRIES) {
		pri = iommufd_fault_page_request(hwpt, idev, pasid, iova, write,
						 &code);
		if (pri == -EINTR)
			return pri;
		if (!pri || pri == -ETIMEDOUT)
			fault->flags |= IOMMU_MOCK_DMA_FAULT_PAGE_REQUEST;
		if (!pri && code == IOMMUFD_PAGE_RESP_SUCCESS) {
			*fault = (struct miommu_fault){};
			goto again;
		}
	}
	if (rc) {
		fault->addr = iova;
		fault->flags |= IOMMU_MOCK_DMA_FAULT;
		return rc;
	}
	*page = pfn_to_page(PHYS_PFN(phys));
	return 0;
}

/*
 * One step of a simulated DMA: the user buffer's pages are pinned for the
 * step and each piece bounded by a device page and a user page is copied
 * between the two kernel mappings, as a DMA engine copies between two
 * physical pages. Errors come in the order a byte-by-byte device would meet
 * them: a piece's IOVA is translated (ENOENT, EPERM, EIO) before its user
 * page is needed (EFAULT).
 */
static int device_dma_step(struct iommufd_device *idev,
			   struct iommufd_hwpt *hwpt, u32 pasid,
			   unsigned long iova, unsigned long uaddr, size_t len,
			   bool write, struct miommu_fault *fault)
{
	unsigned long ufirst = uaddr & PAGE_MASK, cur = 1, io, ua;
	int nr = DIV_ROUND_UP(offset_in_page(uaddr) + len, PAGE_SIZE);
	struct page *upages[MOCK_DMA_UPAGES], *dpage = NULL;
	void *dev, *usr;
	size_t done, seg;
	int got, ui, rc = 0;

	got = pin_user_pages_fast(ufirst, nr, write ? 0 : FOLL_WRITE, upages);
	for (done = 0; done < len; done += seg) {
		io = iova + done;
		ua = uaddr + done;
		seg = min3(len - done, PAGE_SIZE - offset_in_page(io),
			   PAGE_SIZE - offset_in_page(ua));
		if ((io & PAGE_MASK) != cur) {
			rc = device_dma_translate(idev, hwpt, pasid, io,
						  write, &dpage, fault);
			if (rc)
				break;
			cur = io & PAGE_MASK;
		}
		ui = (ua - ufirst) >> PAGE_SHIFT;
		if (ui >= got) {
			/* Unbacked, unwritable or wrapping: as a failed copy */
			rc = -EFAULT;
			break;
		}
		dev = kmap_local_page(dpage) + offset_in_page(io);
		usr = kmap_local_page(upages[ui]) + offset_in_page(ua);
		/* The user buffer may be the mapped memory itself */
		if (dpage == upages[ui])
			memmove(write ? dev : usr, write ? usr : dev, seg);
		else
			memcpy(write ? dev : usr, write ? usr : dev, seg);
		kunmap_local(usr);
		kunmap_local(dev);
	}
	if (got > 0)
		unpin_user_pages_dirty_lock(upages, got, !write);
	return rc;
}

/**
 * iommufd_device_dma_copy() - a device copies between two of its IOVAs
 * @idev: the device (its file's lock held)
 * @pasid: MIOMMU_NO_PASID for requests without PASID, else the PASID whose
 *         attachment translates them
 * @src: IOVA the device reads from
 * @dst: IOVA the device writes to
 * @length: bytes, 1 to 16 MiB
 * @fault: out, on -ENOENT, -EPERM or -EIO: the fault (its addr is the IOVA
 *         that faulted)
 *
 * The DMA engine of a mock PCI function (drivers/vfio/): each piece bounded
 * by the pages of both sides is read through the attachment and written
 * through it, as a copy engine moves data, in address order, so a fault
 * leaves the bytes before it copied (as hardware would).
 * Return: 0; -ENODEV nothing attached for @pasid; -EINVAL a length of 0 or
 * above 16 MiB; -EOVERFLOW a range that wraps; -ENOENT an unmapped IOVA;
 * -EPERM an IOVA mapped without the permission; -EIO a configuration or
 * address-size fault of the driver's guest structures; -EINTR a fatal
 * signal.
 */
int iommufd_device_dma_copy(struct iommufd_device *idev, u32 pasid, u64 src,
			    u64 dst, u64 length, struct miommu_fault *fault)
{
	struct iommufd_hwpt *hwpt = iommufd_device_dma_hwpt(idev, pasid);
	struct page *spage, *dpage;
	u64 done, seg, end;
	void *s, *d;
	int rc;

	if (!hwpt)
		return -ENODEV;
	if (!length || length > MOCK_DMA_MAX_LENGTH)
		return -EINVAL;
	if (check_add_overflow(src, length, &end) ||
	    check_add_overflow(dst, length, &end))
		return -EOVERFLOW;
	for (done = 0; done < length; done += seg) {
		if (!(done & (SZ_1M - 1))) {
			cond_resched();
			if (fatal_signal_pending(current))
				return -EINTR;
		}
		seg = min3(length - done, PAGE_SIZE - offset_in_page(src + done),
			   PAGE_SIZE - offset_in_page(dst + done));
		rc = device_dma_translate(idev, hwpt, pasid, src + done,
					  false, &spage, fault);
		if (rc)
			return rc;
		rc = device_dma_translate(idev, hwpt, pasid, dst + done,
					  true, &dpage, fault);
		if (rc)
			return rc;
		s = kmap_local_page(spage) + offset_in_page(src + done);
		d = kmap_local_page(dpage) + offset_in_page(dst + done);
		memmove(d, s, seg);
		kunmap_local(d);
		kunmap_local(s);
	}
	return 0;
}

/* IOMMU_MOCK_DMA: see struct iommu_mock_dma. */
int iommufd_device_dma(struct iommufd_ucmd *ucmd)
{
	struct iommu_mock_dma *cmd = ucmd->cmd;
	bool write = cmd->flags & IOMMU_MOCK_DMA_WRITE;
	struct miommu_fault fault = {};
	unsigned long uaddr = cmd->uptr;
	u32 pasid = MIOMMU_NO_PASID;
	struct iommufd_device *idev;
	struct iommufd_hwpt *hwpt;
	unsigned long iova, end;
	size_t len;
	int rc = 0;

	if (cmd->flags & ~(IOMMU_MOCK_DMA_WRITE | IOMMU_MOCK_DMA_PASID) ||
	    (!(cmd->flags & IOMMU_MOCK_DMA_PASID) && cmd->pasid))
		return -EOPNOTSUPP;
	idev = iommufd_get_device(ucmd->ictx, cmd->dev_id);
	if (IS_ERR(idev))
		return PTR_ERR(idev);
	if (cmd->flags & IOMMU_MOCK_DMA_PASID) {
		if (cmd->pasid == MIOMMU_NO_PASID || cmd->pasid >= BIT(20))
			return -EINVAL;
		pasid = cmd->pasid;
	}
	hwpt = iommufd_device_dma_hwpt(idev, pasid);
	if (!hwpt || !cmd->length || cmd->length > MOCK_DMA_MAX_LENGTH)
		return -EINVAL;
	if (check_add_overflow(cmd->iova, cmd->length, &end))
		return -EOVERFLOW;

	for (iova = cmd->iova; iova < end; iova += len, uaddr += len) {
		cond_resched();
		if (fatal_signal_pending(current))
			return -EINTR;
		len = min_t(unsigned long, end - iova,
			    MOCK_DMA_UPAGES * PAGE_SIZE - offset_in_page(uaddr));
		rc = device_dma_step(idev, hwpt, pasid, iova, uaddr,
				     len, write, &fault);
		if (rc)
			break;
	}
	cmd->out_fault_addr = fault.addr;
	cmd->out_fault_ipa = fault.ipa;
	cmd->out_fault_code = fault.code;
	cmd->out_fault_flags = fault.flags;
	return iommufd_ucmd_respond(ucmd, sizeof(*cmd)) ?: rc;
}
