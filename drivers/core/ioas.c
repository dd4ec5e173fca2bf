// SPDX-License-Identifier: GPL-2.0
/*
 * IOAS object: IOMMU_IOAS_ALLOC, IOMMU_IOAS_MAP, IOMMU_IOAS_UNMAP and
 * IOMMU_IOAS_IOVA_RANGES, with upstream iommufd's rules.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "iommufd_private.h"

/* Destroy op: only reached with no HWPT left on the IOAS. */
void iommufd_ioas_destroy(struct iommufd_object *obj)
{
	struct iommufd_ioas *ioas = container_of(obj, struct iommufd_ioas, obj);

	iopt_unmap_all(ioas);
	WARN_ON(!RB_EMPTY_ROOT(&ioas->reserved.rb_root));
}

static struct iommufd_ioas *iommufd_get_ioas(struct iommufd_ctx *ictx, u32 id)
{
	struct iommufd_object *obj;

	obj = iommufd_get_object(ictx, id, IOMMUFD_OBJ_IOAS);
	if (IS_ERR(obj))
		return ERR_CAST(obj);
	return container_of(obj, struct iommufd_ioas, obj);
}

/* IOMMU_IOAS_ALLOC: see struct iommu_ioas_alloc. */
int iommufd_ioas_alloc_ioctl(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_alloc *cmd = ucmd->cmd;
	struct iommufd_ioas *ioas;
	int rc;

	if (cmd->flags)
		return -EOPNOTSUPP;
	ioas = iommufd_object_alloc_type(ucmd->ictx, struct iommufd_ioas, IOMMUFD_OBJ_IOAS);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	ioas->areas = RB_ROOT_CACHED;
	ioas->reserved = RB_ROOT_CACHED;
	INIT_LIST_HEAD(&ioas->hwpt_list);

	cmd->out_ioas_id = ioas->obj.id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc) {
		iommufd_object_abort_and_destroy(ucmd->ictx, &ioas->obj);
		return rc;
	}
	iommufd_object_finalize(ucmd->ictx, &ioas->obj);
	return 0;
}

/* IOMMU_IOAS_IOVA_RANGES: see struct iommu_ioas_iova_ranges. */
int iommufd_ioas_iova_ranges(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_iova_ranges *cmd = ucmd->cmd;
	struct iommu_iova_range __user *uranges;
	struct iommu_iova_range *ranges = NULL;
	struct iommufd_ioas *ioas;
	unsigned int total, max;
	int rc;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	ioas = iommufd_get_ioas(ucmd->ictx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	total = iopt_allowed_ranges(ioas, NULL, 0);
	max = min(cmd->num_iovas, total);
	if (max) {
		ranges = kcalloc(max, sizeof(*ranges), GFP_KERNEL);
		if (!ranges)
			return -ENOMEM;
		iopt_allowed_ranges(ioas, ranges, max);
		uranges = u64_to_user_ptr(cmd->allowed_iovas);
		if (copy_to_user(uranges, ranges, max * sizeof(*ranges))) {
			kfree(ranges);
			return -EFAULT;
		}
		kfree(ranges);
	}

	rc = cmd->num_iovas < total ? -EMSGSIZE : 0;
	cmd->num_iovas = total;
	cmd->out_iova_alignment = PAGE_SIZE;
	return iommufd_ucmd_respond(ucmd, sizeof(*cmd)) ?: rc;
}

/* IOMMU_IOAS_MAP: see struct iommu_ioas_map. */
int iommufd_ioas_map(struct iommufd_ucmd *ucmd)
{
	const u32 known = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_WRITEABLE |
			  IOMMU_IOAS_MAP_READABLE;
	struct iommu_ioas_map *cmd = ucmd->cmd;
	struct iommufd_ioas *ioas;
	unsigned long iova, end;
	int prot = 0;
	int rc;

	if ((cmd->flags & ~known) || cmd->__reserved)
		return -EOPNOTSUPP;
	if (cmd->flags & IOMMU_IOAS_MAP_READABLE)
		prot |= MIOMMU_READ;
	if (cmd->flags & IOMMU_IOAS_MAP_WRITEABLE)
		prot |= MIOMMU_WRITE;
	if (!prot)
		return -EINVAL;
	if (!cmd->length || !PAGE_ALIGNED(cmd->length) ||
	    !PAGE_ALIGNED(cmd->user_va))
		return -EINVAL;
	if ((cmd->flags & IOMMU_IOAS_MAP_FIXED_IOVA) && !PAGE_ALIGNED(cmd->iova))
		return -EINVAL;
	if (check_add_overflow(cmd->user_va, cmd->length, &end))
		return -EOVERFLOW;

	ioas = iommufd_get_ioas(ucmd->ictx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	iova = cmd->iova;
	rc = iopt_map_user(ioas, cmd->user_va, cmd->length, &iova,
			   cmd->flags & IOMMU_IOAS_MAP_FIXED_IOVA, prot);
	if (rc)
		return rc;

	cmd->iova = iova;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc) {
		unsigned long unmapped;

		iopt_unmap(ioas, iova, iova + cmd->length - 1, &unmapped);
	}
	return rc;
}

/* IOMMU_IOAS_UNMAP: see struct iommu_ioas_unmap. */
int iommufd_ioas_unmap(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_unmap *cmd = ucmd->cmd;
	unsigned long last, unmapped;
	struct iommufd_ioas *ioas;
	int rc;

	ioas = iommufd_get_ioas(ucmd->ictx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	if (cmd->iova == 0 && cmd->length == U64_MAX) {
		last = ULONG_MAX;
	} else {
		if (!cmd->length)
			return -EINVAL;
		if (check_add_overflow(cmd->iova, cmd->length - 1, &last))
			return -EOVERFLOW;
	}

	rc = iopt_unmap(ioas, cmd->iova, last, &unmapped);
	/* As upstream: unmap-all of an empty IOAS succeeds */
	if (rc == -ENOENT && last == ULONG_MAX && !cmd->iova)
		rc = 0;
	if (rc)
		return rc;
	cmd->length = unmapped;
	return iommufd_ucmd_respond(ucmd, sizeof(*cmd));
}
