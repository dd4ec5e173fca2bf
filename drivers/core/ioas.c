// SPDX-License-Identifier: GPL-2.0
/*
 * IOAS object: IOMMU_IOAS_ALLOC, _IOVA_RANGES, _ALLOW_IOVAS, _MAP, _MAP_FILE,
 * _COPY, _UNMAP, _CHANGE_PROCESS and IOMMU_OPTION, with upstream iommufd's rules (the IO page table
 * itself is io_pagetable.c and pages.c).
 */
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "iommufd_private.h"

/* Destroy op: only reached with no HWPT or access left on the IOAS. */
void iommufd_ioas_destroy(struct iommufd_object *obj)
{
	struct iommufd_ioas *ioas = container_of(obj, struct iommufd_ioas, obj);

	WARN_ON(iopt_unmap_all(&ioas->iopt, NULL));
	iopt_destroy_table(&ioas->iopt);
}

/**
 * iommufd_get_ioas() - look up an IOAS of a file
 * @ictx: the file's context (locked)
 * @id: object ID
 *
 * Return: the IOAS, or ERR_PTR(-ENOENT) for no object or another type.
 */
struct iommufd_ioas *iommufd_get_ioas(struct iommufd_ctx *ictx, u32 id)
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
	iopt_init_table(&ioas->iopt, ucmd->ictx);
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

/*
 * IOMMU_IOAS_IOVA_RANGES: see struct iommu_ioas_iova_ranges. As upstream,
 * the ranges that fit are written and the struct is answered before
 * -EMSGSIZE says that more exist.
 */
int iommufd_ioas_iova_ranges(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_iova_ranges *cmd = ucmd->cmd;
	struct iommu_iova_range *ranges = NULL;
	struct iommufd_ioas *ioas;
	unsigned int total, max;
	int rc;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	ioas = iommufd_get_ioas(ucmd->ictx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	/* Ranges are bounded by the reserved ranges the kernel made */
	total = iopt_allowed_ranges(&ioas->iopt, NULL, 0);
	max = min(cmd->num_iovas, total);
	if (max) {
		ranges = kcalloc(max, sizeof(*ranges), GFP_KERNEL_ACCOUNT);
		if (!ranges)
			return -ENOMEM;
		iopt_allowed_ranges(&ioas->iopt, ranges, max);
		if (copy_to_user(u64_to_user_ptr(cmd->allowed_iovas), ranges,
				 max * sizeof(*ranges))) {
			kfree(ranges);
			return -EFAULT;
		}
		kfree(ranges);
	}

	rc = cmd->num_iovas < total ? -EMSGSIZE : 0;
	cmd->num_iovas = total;
	cmd->out_iova_alignment = ioas->iopt.iova_alignment;
	return iommufd_ucmd_respond(ucmd, sizeof(*cmd)) ?: rc;
}

/*
 * IOMMU_IOAS_ALLOW_IOVAS: see struct iommu_ioas_allow_iovas. The new set
 * is built aside and swapped in whole, so a failure changes nothing.
 * num_iovas is user controlled: each range costs one small allocation and
 * the loop stops on a fatal signal.
 */
int iommufd_ioas_allow_iovas(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_allow_iovas *cmd = ucmd->cmd;
	struct iommu_iova_range __user *uranges;
	struct rb_root_cached allowed = RB_ROOT_CACHED;
	struct iommufd_ioas *ioas;
	struct iopt_node *node;
	u32 i;
	int rc = 0;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	ioas = iommufd_get_ioas(ucmd->ictx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	uranges = u64_to_user_ptr(cmd->allowed_iovas);
	for (i = 0; i < cmd->num_iovas; i++) {
		struct iommu_iova_range range;

		if (copy_from_user(&range, uranges + i, sizeof(range))) {
			rc = -EFAULT;
			goto out_free;
		}
		if (range.start >= range.last || range.last > ULONG_MAX ||
		    iopt_tree_iter_first(&allowed, range.start, range.last)) {
			rc = -EINVAL;
			goto out_free;
		}
		node = kzalloc(sizeof(*node), GFP_KERNEL_ACCOUNT);
		if (!node) {
			rc = -ENOMEM;
			goto out_free;
		}
		node->start = range.start;
		node->last = range.last;
		iopt_tree_insert(node, &allowed);
		if (fatal_signal_pending(current)) {
			rc = -EINTR;
			goto out_free;
		}
		cond_resched();
	}
	rc = iopt_set_allowed(&ioas->iopt, &allowed);
out_free:
	iopt_free_tree(&allowed);
	return rc;
}

static int map_flags_to_prot(u32 flags)
{
	int prot = 0;

	if (flags & IOMMU_IOAS_MAP_READABLE)
		prot |= MIOMMU_READ;
	if (flags & IOMMU_IOAS_MAP_WRITEABLE)
		prot |= MIOMMU_WRITE;
	return prot;
}

#define IOAS_MAP_FLAGS (IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_WRITEABLE | \
			IOMMU_IOAS_MAP_READABLE)

/* IOMMU_IOAS_MAP: see struct iommu_ioas_map. */
int iommufd_ioas_map(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_map *cmd = ucmd->cmd;
	unsigned long iova = cmd->iova, unmapped;
	struct iommufd_ioas *ioas;
	int rc;

	if ((cmd->flags & ~IOAS_MAP_FLAGS) || cmd->__reserved)
		return -EOPNOTSUPP;
	if (cmd->iova >= ULONG_MAX || cmd->length >= ULONG_MAX)
		return -EOVERFLOW;
	if (!map_flags_to_prot(cmd->flags))
		return -EINVAL;
	ioas = iommufd_get_ioas(ucmd->ictx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	rc = iopt_map_user(&ioas->iopt, &iova, cmd->user_va, cmd->length,
			   map_flags_to_prot(cmd->flags),
			   cmd->flags & IOMMU_IOAS_MAP_FIXED_IOVA);
	if (rc)
		return rc;
	cmd->iova = iova;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	/* A mapping userspace cannot learn about is undone */
	if (rc)
		iopt_unmap_iova(&ioas->iopt, iova, cmd->length, &unmapped);
	return rc;
}

/*
 * IOMMU_IOAS_MAP_FILE: see struct iommu_ioas_map_file. Upstream's checks in
 * upstream's order: flags, IOVA and length range, no access, the IOAS, a
 * length of 0, start + length overflow, the fd, then the mapping itself.
 */
int iommufd_ioas_map_file(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_map_file *cmd = ucmd->cmd;
	unsigned long iova = cmd->iova, unmapped;
	struct iommufd_ioas *ioas;
	struct file *file;
	u64 last;
	int rc;

	if (cmd->flags & ~IOAS_MAP_FLAGS)
		return -EOPNOTSUPP;
	if (cmd->iova >= ULONG_MAX || cmd->length >= ULONG_MAX)
		return -EOVERFLOW;
	if (!map_flags_to_prot(cmd->flags))
		return -EINVAL;
	ioas = iommufd_get_ioas(ucmd->ictx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	if (!cmd->length)
		return -EINVAL;
	if (check_add_overflow(cmd->start, cmd->length - 1, &last) ||
	    last > ULONG_MAX)
		return -EOVERFLOW;

	file = fget(cmd->fd);
	if (!file)
		return -EBADF;
	rc = iopt_map_file(&ioas->iopt, &iova, file, cmd->start, cmd->length,
			   map_flags_to_prot(cmd->flags),
			   cmd->flags & IOMMU_IOAS_MAP_FIXED_IOVA);
	fput(file);
	if (rc)
		return rc;
	cmd->iova = iova;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	/* A mapping userspace cannot learn about is undone */
	if (rc)
		iopt_unmap_iova(&ioas->iopt, iova, cmd->length, &unmapped);
	return rc;
}

/* IOMMU_IOAS_COPY: see struct iommu_ioas_copy. */
int iommufd_ioas_copy(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_copy *cmd = ucmd->cmd;
	struct iommufd_ioas *src, *dst;
	unsigned long iova, unmapped;
	LIST_HEAD(pages_list);
	int rc;

	if (cmd->flags & ~IOAS_MAP_FLAGS)
		return -EOPNOTSUPP;
	if (cmd->length >= ULONG_MAX || cmd->src_iova >= ULONG_MAX ||
	    cmd->dst_iova >= ULONG_MAX)
		return -EOVERFLOW;
	if (!map_flags_to_prot(cmd->flags))
		return -EINVAL;

	src = iommufd_get_ioas(ucmd->ictx, cmd->src_ioas_id);
	if (IS_ERR(src))
		return PTR_ERR(src);
	rc = iopt_get_pages(&src->iopt, cmd->src_iova, cmd->length,
			    &pages_list);
	if (rc)
		return rc;
	dst = iommufd_get_ioas(ucmd->ictx, cmd->dst_ioas_id);
	if (IS_ERR(dst)) {
		rc = PTR_ERR(dst);
		goto out_pages;
	}
	iova = cmd->dst_iova;
	rc = iopt_map_pages(&dst->iopt, &pages_list, cmd->length, &iova,
			    map_flags_to_prot(cmd->flags),
			    cmd->flags & IOMMU_IOAS_MAP_FIXED_IOVA);
	if (rc)
		goto out_pages;
	cmd->dst_iova = iova;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		iopt_unmap_iova(&dst->iopt, iova, cmd->length, &unmapped);
out_pages:
	iopt_free_pages_list(&pages_list);
	return rc;
}

/*
 * IOMMU_IOAS_UNMAP: see struct iommu_ioas_unmap. iova 0 with length
 * U64_MAX unmaps everything and succeeds on an empty IOAS; any other range
 * must contain whole mappings (upstream).
 */
int iommufd_ioas_unmap(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_unmap *cmd = ucmd->cmd;
	unsigned long unmapped = 0;
	struct iommufd_ioas *ioas;
	int rc;

	ioas = iommufd_get_ioas(ucmd->ictx, cmd->ioas_id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	if (cmd->iova == 0 && cmd->length == U64_MAX) {
		rc = iopt_unmap_all(&ioas->iopt, &unmapped);
		if (rc)
			return rc;
	} else {
		if (cmd->iova >= ULONG_MAX || cmd->length >= ULONG_MAX)
			return -EOVERFLOW;
		rc = iopt_unmap_iova(&ioas->iopt, cmd->iova, cmd->length,
				     &unmapped);
		if (rc)
			return rc;
		if (!unmapped)
			return -ENOENT;
	}
	cmd->length = unmapped;
	return iommufd_ucmd_respond(ucmd, sizeof(*cmd));
}

/*
 * Walk every area of every IOAS of @ictx, in ID then IOVA order: @area NULL
 * starts at ID *@index; returns the area after @area, or NULL at the end.
 */
static struct iopt_area *ictx_next_area(struct iommufd_ctx *ictx,
					unsigned long *index,
					struct iopt_area *area)
{
	struct iommufd_object *obj;

	if (area) {
		area = iopt_area_next(area, 0, ULONG_MAX);
		if (area)
			return area;
		(*index)++;
	}
	while ((obj = iommufd_object_next(ictx, index, IOMMUFD_OBJ_IOAS))) {
		area = iopt_area_first(&container_of(obj, struct iommufd_ioas,
						     obj)->iopt, 0, ULONG_MAX);
		if (area)
			return area;
		(*index)++;
	}
	return NULL;
}

static struct iopt_area *ictx_first_area(struct iommufd_ctx *ictx,
					 unsigned long *index)
{
	*index = 0;
	return ictx_next_area(ictx, index, NULL);
}

/*
 * IOMMU_IOAS_CHANGE_PROCESS: see struct iommu_ioas_change_process. As
 * upstream: every mapping of every IOAS must come from IOMMU_IOAS_MAP_FILE
 * (else EINVAL); the pins of each pages object (counted once, however many
 * areas and IOASes share it) are charged to the caller, per accounting
 * mode, before any old owner is refunded, so a charge over the caller's
 * limit (ENOMEM) changes nothing. Pages charged with IOPT_ACCOUNT_NONE
 * (the mapper had CAP_IPC_LOCK) move their mm->pinned_vm too, which
 * upstream leaves with the old mm.
 */
int iommufd_ioas_change_process(struct iommufd_ucmd *ucmd)
{
	struct iommu_ioas_change_process *cmd = ucmd->cmd;
	unsigned long npinned[IOPT_ACCOUNT_MM + 1] = {};
	struct iommufd_ctx *ictx = ucmd->ictx;
	struct iopt_pages *pages;
	struct iopt_area *area;
	unsigned long index;
	unsigned int mode;
	int rc = 0;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	for (area = ictx_first_area(ictx, &index); area;
	     area = ictx_next_area(ictx, &index, area))
		if (!area->pages->file)
			return -EINVAL;

	for (area = ictx_first_area(ictx, &index); area;
	     area = ictx_next_area(ictx, &index, area)) {
		pages = area->pages;
		if (pages->moving)
			continue;
		pages->moving = true;
		if (iopt_pages_need_recharge(pages))
			npinned[pages->account_mode] += pages->npinned;
	}
	for (mode = 0; mode < ARRAY_SIZE(npinned); mode++) {
		rc = iopt_account_current(mode, npinned[mode], true);
		if (rc)
			break;
	}
	if (rc) {
		while (mode--)
			iopt_account_current(mode, npinned[mode], false);
		for (area = ictx_first_area(ictx, &index); area;
		     area = ictx_next_area(ictx, &index, area))
			area->pages->moving = false;
		return rc;
	}

	for (area = ictx_first_area(ictx, &index); area;
	     area = ictx_next_area(ictx, &index, area)) {
		pages = area->pages;
		if (!pages->moving)
			continue;
		iopt_pages_change_owner(pages);
		pages->moving = false;
	}
	return 0;
}

static int option_rlimit_mode(struct iommu_option *cmd,
			      struct iommufd_ctx *ictx)
{
	if (cmd->object_id)
		return -EOPNOTSUPP;
	if (cmd->op == IOMMU_OPTION_OP_GET) {
		cmd->val64 = ictx->account_mode == IOPT_ACCOUNT_MM;
		return 0;
	}
	if (cmd->op != IOMMU_OPTION_OP_SET)
		return -EOPNOTSUPP;
	if (!capable(CAP_SYS_RESOURCE))
		return -EPERM;
	/* Only a file without objects may change how it charges pins */
	if (!xa_empty(&ictx->objects))
		return -EBUSY;
	if (cmd->val64 == 0)
		ictx->account_mode = IOPT_ACCOUNT_USER;
	else if (cmd->val64 == 1)
		ictx->account_mode = IOPT_ACCOUNT_MM;
	else
		return -EINVAL;
	return 0;
}

static int option_huge_pages(struct iommu_option *cmd, struct iommufd_ctx *ictx)
{
	struct iommufd_ioas *ioas = iommufd_get_ioas(ictx, cmd->object_id);

	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	if (cmd->op == IOMMU_OPTION_OP_GET) {
		cmd->val64 = !ioas->iopt.disable_large_pages;
		return 0;
	}
	if (cmd->op != IOMMU_OPTION_OP_SET)
		return -EOPNOTSUPP;
	if (cmd->val64 == 0)
		return iopt_disable_large_pages(&ioas->iopt);
	if (cmd->val64 != 1)
		return -EINVAL;
	iopt_enable_large_pages(&ioas->iopt);
	return 0;
}

/*
 * IOMMU_OPTION: see struct iommu_option. Only val64 is written back, and
 * only on success (upstream).
 */
int iommufd_option(struct iommufd_ucmd *ucmd)
{
	struct iommu_option *cmd = ucmd->cmd;
	struct iommu_option __user *uptr = ucmd->ubuffer;
	int rc;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	switch (cmd->option_id) {
	case IOMMU_OPTION_RLIMIT_MODE:
		rc = option_rlimit_mode(cmd, ucmd->ictx);
		break;
	case IOMMU_OPTION_HUGE_PAGES:
		rc = option_huge_pages(cmd, ucmd->ictx);
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (rc)
		return rc;
	if (copy_to_user(&uptr->val64, &cmd->val64, sizeof(cmd->val64)))
		return -EFAULT;
	return 0;
}
