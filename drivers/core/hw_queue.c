// SPDX-License-Identifier: GPL-2.0
/*
 * HW queue objects (IOMMU_HW_QUEUE_ALLOC, upstream 6.17): a queue the
 * hardware reads straight from guest memory, given by its address in the
 * vIOMMU's nest parent. As upstream, the core pins that memory through an
 * internal access of the stage-2 IOAS, which makes IOAS_UNMAP of it fail
 * with EBUSY while the queue exists, requires it to be physically
 * contiguous, and hands the driver its physical address.
 */
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/pfn.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "iommufd_private.h"

/* Destroy op: no other queue depends on this one. */
void iommufd_hw_queue_destroy(struct iommufd_object *obj)
{
	struct iommufd_hw_queue *q = container_of(obj, struct iommufd_hw_queue,
						  obj);
	const struct miommu_viommu_ops *ops = q->viommu->hw->ops;

	if (q->hw->depend)
		refcount_dec(&q->hw->depend->owner->obj.users);
	ops->hw_queue_destroy(q->hw);
	ops->hw_queue_free(q->hw);
	iommufd_access_unpin_pages(q->access, q->pin_iova, q->pin_length);
	iommufd_access_destroy(q->access);
	refcount_dec(&q->viommu->obj.users);
}

/*
 * Pin [@iova, @iova + @length) page-aligned in the stage-2 IOAS of
 * @viommu and check that it is physically contiguous. Bounded like
 * upstream: the page array is sized by userspace.
 */
static int hw_queue_pin(struct iommufd_hw_queue *q, u64 iova, u64 length,
			phys_addr_t *base_pa)
{
	unsigned long first = ALIGN_DOWN(iova, PAGE_SIZE), npages, i;
	u64 end;
	struct page **pages;
	int rc;

	if (check_add_overflow(iova, length, &end) ||
	    end > ULONG_MAX - PAGE_SIZE)
		return -ERANGE;
	npages = (ALIGN(end, PAGE_SIZE) - first) >> PAGE_SHIFT;
	if (npages > SZ_16M / sizeof(*pages))
		return -ENOMEM;
	pages = kvcalloc(npages, sizeof(*pages), GFP_KERNEL_ACCOUNT);
	if (!pages)
		return -ENOMEM;

	q->access = iommufd_access_create_internal(q->viommu->ictx);
	if (IS_ERR(q->access)) {
		rc = PTR_ERR(q->access);
		goto out_free;
	}
	rc = iommufd_access_change_ioas(q->access, q->viommu->hwpt->ioas);
	if (rc)
		goto out_destroy;
	rc = iommufd_access_pin_pages(q->access, first, npages << PAGE_SHIFT,
				      pages, 0);
	if (rc)
		goto out_destroy;
	for (i = 1; i < npages; i++) {
		if (page_to_pfn(pages[i]) != page_to_pfn(pages[i - 1]) + 1) {
			rc = -EFAULT;
			goto out_unpin;
		}
	}
	q->pin_iova = first;
	q->pin_length = npages << PAGE_SHIFT;
	*base_pa = PFN_PHYS(page_to_pfn(pages[0])) + (iova - first);
	kvfree(pages);
	return 0;

out_unpin:
	iommufd_access_unpin_pages(q->access, first, npages << PAGE_SHIFT);
out_destroy:
	iommufd_access_destroy(q->access);
out_free:
	kvfree(pages);
	return rc;
}

/* IOMMU_HW_QUEUE_ALLOC: see struct iommu_hw_queue_alloc. */
int iommufd_hw_queue_alloc(struct iommufd_ucmd *ucmd)
{
	struct iommu_hw_queue_alloc *cmd = ucmd->cmd;
	const struct miommu_viommu_ops *ops;
	struct iommufd_viommu *viommu;
	struct iommufd_object *obj;
	struct miommu_hw_queue *hw;
	struct iommufd_hw_queue *q;
	phys_addr_t base_pa;
	u64 last;
	int rc;

	if (cmd->flags || cmd->type == IOMMU_HW_QUEUE_TYPE_DEFAULT)
		return -EOPNOTSUPP;
	if (!cmd->length)
		return -EINVAL;
	if (check_add_overflow(cmd->nesting_parent_iova, cmd->length - 1,
			       &last))
		return -EOVERFLOW;
	obj = iommufd_get_object(ucmd->ictx, cmd->viommu_id, IOMMUFD_OBJ_VIOMMU);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	viommu = container_of(obj, struct iommufd_viommu, obj);
	ops = viommu->hw->ops;
	if (!ops || !ops->hw_queue_alloc)
		return -EOPNOTSUPP;

	hw = ops->hw_queue_alloc(viommu->hw, cmd->type);
	if (IS_ERR(hw))
		return PTR_ERR(hw);
	q = iommufd_object_alloc_type(ucmd->ictx, struct iommufd_hw_queue,
				      IOMMUFD_OBJ_HW_QUEUE);
	if (IS_ERR(q)) {
		ops->hw_queue_free(hw);
		return PTR_ERR(q);
	}
	q->viommu = viommu;
	q->hw = hw;
	hw->viommu = viommu->hw;
	hw->type = cmd->type;
	hw->base_iova = cmd->nesting_parent_iova;
	hw->length = cmd->length;
	hw->owner = q;

	rc = hw_queue_pin(q, cmd->nesting_parent_iova, cmd->length, &base_pa);
	if (rc)
		goto out_free;
	hw->base_pa = base_pa;
	rc = ops->hw_queue_init(hw, cmd->index);
	if (rc)
		goto out_unpin;
	if (hw->depend)
		refcount_inc(&hw->depend->owner->obj.users);
	refcount_inc(&viommu->obj.users);

	cmd->out_hw_queue_id = q->obj.id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc) {
		iommufd_object_abort_and_destroy(ucmd->ictx, &q->obj);
		return rc;
	}
	iommufd_object_finalize(ucmd->ictx, &q->obj);
	return 0;

out_unpin:
	iommufd_access_unpin_pages(q->access, q->pin_iova, q->pin_length);
	iommufd_access_destroy(q->access);
out_free:
	ops->hw_queue_free(hw);
	iommufd_object_abort(ucmd->ictx, &q->obj);
	return rc;
}
