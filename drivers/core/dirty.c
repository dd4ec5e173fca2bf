// SPDX-License-Identifier: GPL-2.0
/*
 * Dirty tracking of paging HWPTs: IOMMU_HWPT_SET_DIRTY_TRACKING and
 * IOMMU_HWPT_GET_DIRTY_BITMAP with upstream iommufd's rules. The driver
 * walks its page table and reports dirty IOVA (miommu_dirty_record()); the
 * core collects it in a bounded kernel window of the user's bitmap and ORs
 * each window into user memory, so any bitmap size costs bounded memory.
 */
#include <linux/bitmap.h>
#include <linux/sched/signal.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "iommufd_private.h"

/* Bits collected per window: 32 KiB of bitmap. */
#define DIRTY_WINDOW_BITS (SZ_32K * BITS_PER_BYTE)

/**
 * miommu_dirty_record() - mark [@iova, @iova + @length) dirty
 * @dirty: the window given to the driver's read_and_clear_dirty op
 * @iova: first dirty IOVA
 * @length: bytes, not 0
 *
 * Pages outside the window are ignored.
 */
void miommu_dirty_record(struct miommu_dirty_bitmap *dirty, u64 iova,
			 u64 length)
{
	u64 last = iova + length - 1, win_last;
	u64 first_bit, last_bit;

	if (!dirty->bits || !length || !dirty->nbits)
		return;
	win_last = dirty->iova + dirty->nbits * dirty->page_size - 1;
	if (last < dirty->iova || iova > win_last)
		return;
	iova = max(iova, dirty->iova);
	last = min(last, win_last);
	first_bit = (iova - dirty->iova) / dirty->page_size;
	last_bit = (last - dirty->iova) / dirty->page_size;
	bitmap_set(dirty->bits, first_bit, last_bit - first_bit + 1);
}

static struct iommufd_hwpt *get_hwpt_paging(struct iommufd_ctx *ictx, u32 id)
{
	struct iommufd_object *obj;

	obj = iommufd_get_object(ictx, id, IOMMUFD_OBJ_HWPT_PAGING);
	if (IS_ERR(obj))
		return ERR_CAST(obj);
	return container_of(obj, struct iommufd_hwpt, obj);
}

/* Run read_and_clear_dirty over the mapped parts of [@iova, @last]. */
static int dirty_walk(struct iommufd_hwpt *hwpt, unsigned long iova,
		      unsigned long last, unsigned long flags,
		      struct miommu_dirty_bitmap *dirty)
{
	struct miommu_domain *domain = hwpt->domain;
	struct iopt_area *area;
	int rc;

	for (area = iopt_area_first(&hwpt->ioas->iopt, iova, last); area;
	     area = iopt_area_next(area, iova, last)) {
		unsigned long start = max(iova, iopt_area_iova(area));
		unsigned long end = min(last, iopt_area_last_iova(area));

		rc = domain->ops->read_and_clear_dirty(domain, start,
						       end - start + 1, flags,
						       dirty);
		if (rc)
			return rc;
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return 0;
}

/*
 * IOMMU_HWPT_SET_DIRTY_TRACKING: see struct iommu_hwpt_set_dirty_tracking.
 * Enabling first clears the dirty bits already in the page table, so the
 * first read reports only what was written from then on (upstream).
 */
int iommufd_hwpt_set_dirty_tracking(struct iommufd_ucmd *ucmd)
{
	struct iommu_hwpt_set_dirty_tracking *cmd = ucmd->cmd;
	struct miommu_dirty_bitmap clear = {};
	struct iommufd_hwpt *hwpt;
	bool enable;
	int rc;

	if ((cmd->flags & ~IOMMU_HWPT_DIRTY_TRACKING_ENABLE) || cmd->__reserved)
		return -EOPNOTSUPP;
	hwpt = get_hwpt_paging(ucmd->ictx, cmd->hwpt_id);
	if (IS_ERR(hwpt))
		return PTR_ERR(hwpt);
	if (!hwpt->domain->ops->set_dirty_tracking)
		return -EOPNOTSUPP;
	enable = cmd->flags & IOMMU_HWPT_DIRTY_TRACKING_ENABLE;
	if (enable) {
		rc = dirty_walk(hwpt, 0, ULONG_MAX, 0, &clear);
		if (rc)
			return rc;
	}
	return hwpt->domain->ops->set_dirty_tracking(hwpt->domain, enable);
}

/*
 * OR the first @nbits of @bits into the user bitmap at bit @start_bit (a
 * multiple of 8): read the user bytes once, merge, write them back once.
 */
static int dirty_copy_out(u8 __user *data, u64 start_bit,
			  const unsigned long *bits, u64 nbits, u8 *tmp)
{
	const u8 *src = (const u8 *)bits;
	u64 i, nbytes = DIV_ROUND_UP(nbits, BITS_PER_BYTE);

	if (bitmap_empty(bits, nbits))
		return 0;
	data += start_bit / BITS_PER_BYTE;
	if (copy_from_user(tmp, data, nbytes))
		return -EFAULT;
	for (i = 0; i < nbytes; i++)
		tmp[i] |= src[i];
	if (copy_to_user(data, tmp, nbytes))
		return -EFAULT;
	return 0;
}

/*
 * IOMMU_HWPT_GET_DIRTY_BITMAP: see struct iommu_hwpt_get_dirty_bitmap.
 * Bits are only ever set in the user bitmap; unmapped IOVA in the range is
 * skipped (upstream).
 */
int iommufd_hwpt_get_dirty_bitmap(struct iommufd_ucmd *ucmd)
{
	struct iommu_hwpt_get_dirty_bitmap *cmd = ucmd->cmd;
	u8 __user *data = u64_to_user_ptr(cmd->data);
	struct miommu_dirty_bitmap dirty;
	u64 last, nbits, bit, n, align;
	struct iommufd_hwpt *hwpt;
	unsigned long *bits;
	u8 *tmp;
	int rc = 0;

	if ((cmd->flags & ~IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR) ||
	    cmd->__reserved)
		return -EOPNOTSUPP;
	hwpt = get_hwpt_paging(ucmd->ictx, cmd->hwpt_id);
	if (IS_ERR(hwpt))
		return PTR_ERR(hwpt);
	if (!hwpt->domain->ops->read_and_clear_dirty)
		return -EOPNOTSUPP;

	/* Upstream's iommufd_check_iova_range() */
	align = hwpt->ioas->iopt.iova_alignment;
	if (!cmd->length)
		return -EINVAL;
	if (check_add_overflow(cmd->iova, cmd->length - 1, &last) ||
	    last > ULONG_MAX)
		return -EOVERFLOW;
	if ((cmd->iova & (align - 1)) || ((last + 1) & (align - 1)))
		return -EINVAL;
	if (!cmd->page_size || !is_power_of_2(cmd->page_size))
		return -EINVAL;
	if ((cmd->iova & (cmd->page_size - 1)) ||
	    ((last + 1) & (cmd->page_size - 1)))
		return -EINVAL;

	nbits = cmd->length / cmd->page_size;
	bits = bitmap_zalloc(min_t(u64, nbits, DIRTY_WINDOW_BITS),
			     GFP_KERNEL_ACCOUNT);
	tmp = kmalloc(DIV_ROUND_UP(min_t(u64, nbits, DIRTY_WINDOW_BITS),
				   BITS_PER_BYTE), GFP_KERNEL_ACCOUNT);
	if (!bits || !tmp) {
		rc = -ENOMEM;
		goto out_free;
	}
	for (bit = 0; bit < nbits; bit += n) {
		struct iopt_area *area;
		u64 win_iova = cmd->iova + bit * cmd->page_size;

		/*
		 * The range may be 2^63 bytes: jump over IOVA no area maps, so
		 * the walk costs what is mapped, not what is asked.
		 */
		area = iopt_area_first(&hwpt->ioas->iopt, win_iova, last);
		if (!area)
			break;
		if (iopt_area_iova(area) > win_iova)
			bit += round_down((iopt_area_iova(area) - win_iova) /
					  cmd->page_size, BITS_PER_BYTE);
		n = min_t(u64, nbits - bit, DIRTY_WINDOW_BITS);
		if (fatal_signal_pending(current)) {
			rc = -EINTR;
			break;
		}
		cond_resched();
		bitmap_zero(bits, n);
		dirty = (struct miommu_dirty_bitmap){
			.bits = bits,
			.iova = cmd->iova + bit * cmd->page_size,
			.page_size = cmd->page_size,
			.nbits = n,
		};
		rc = dirty_walk(hwpt, dirty.iova,
				dirty.iova + n * cmd->page_size - 1, cmd->flags,
				&dirty);
		if (!rc)
			rc = dirty_copy_out(data, bit, bits, n, tmp);
		if (rc)
			break;
	}
out_free:
	kfree(tmp);
	bitmap_free(bits);
	return rc;
}
