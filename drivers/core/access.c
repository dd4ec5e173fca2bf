// SPDX-License-Identifier: GPL-2.0
/*
 * In-kernel accesses to an IOAS: what an emulated device (upstream's mdev
 * drivers, or upstream's selftest "access" objects) uses to read, write or
 * pin guest memory by IOVA without a DMA domain. Same contract as upstream's
 * iommufd_access_*(): pins are per IOVA range, an IOAS_UNMAP of a pinned
 * range calls the access's unmap op, which must unpin before it returns.
 *
 * Every function is called with the file's ictx->lock held (from a command
 * of that file, or by the owner after taking the lock itself).
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/slab.h>

#include "iommufd_private.h"

/**
 * iommufd_access_create() - a new access of a file, attached to no IOAS
 * @ictx: the file's context; the access keeps the file open
 * @ops: the owner's ops; needs_pin_pages requires an unmap op
 * @data: passed back to @ops
 *
 * Return: the access or ERR_PTR(-EINVAL/-ENOMEM).
 */
struct iommufd_access *iommufd_access_create(struct iommufd_ctx *ictx,
					     const struct iommufd_access_ops *ops,
					     void *data)
{
	struct iommufd_access *access;

	if (ops->needs_pin_pages && !ops->unmap)
		return ERR_PTR(-EINVAL);
	access = kzalloc(sizeof(*access), GFP_KERNEL_ACCOUNT);
	if (!access)
		return ERR_PTR(-ENOMEM);
	access->ictx = ictx;
	access->ops = ops;
	access->data = data;
	/* Pinning hands out struct pages: IOVA must be page aligned (upstream) */
	access->iova_alignment = ops->needs_pin_pages ? PAGE_SIZE : 1;
	INIT_LIST_HEAD(&access->iopt_item);
	get_file(ictx->file);
	return access;
}

static const struct iommufd_access_ops iommufd_access_internal_ops = {
	.needs_pin_pages = 1,
};

/**
 * iommufd_access_create_internal() - an access owned by an object of a file
 * @ictx: the file's context; not kept open by the access (its owner object
 *        goes with the file)
 *
 * For core objects that pin guest memory (HW queues): no unmap op, and its
 * pins make IOAS_UNMAP of their areas fail with -EBUSY (upstream). Destroy
 * it with iommufd_access_destroy(); there is no file reference to drop.
 * Return: the access or ERR_PTR(-ENOMEM).
 */
struct iommufd_access *iommufd_access_create_internal(struct iommufd_ctx *ictx)
{
	struct iommufd_access *access;

	access = kzalloc(sizeof(*access), GFP_KERNEL_ACCOUNT);
	if (!access)
		return ERR_PTR(-ENOMEM);
	access->ictx = ictx;
	access->ops = &iommufd_access_internal_ops;
	access->iova_alignment = PAGE_SIZE;
	access->internal = true;
	INIT_LIST_HEAD(&access->iopt_item);
	return access;
}

/**
 * iommufd_access_change_ioas() - attach to, move to, or detach from an IOAS
 * @access: the access
 * @ioas: the new IOAS, or NULL to detach
 *
 * Before leaving the old IOAS the owner's unmap op is asked to drop every
 * pin (upstream's iommufd_access_replace). Return: 0, or -EADDRINUSE when
 * the new IOAS has areas not aligned to the access's needs.
 */
int iommufd_access_change_ioas(struct iommufd_access *access,
			       struct iommufd_ioas *ioas)
{
	struct iommufd_ioas *old = access->ioas;
	int rc;

	if (old == ioas)
		return 0;
	/* Check the new IOAS first so that a failure changes nothing */
	if (ioas) {
		rc = iopt_check_access(&ioas->iopt, access);
		if (rc)
			return rc;
	}
	if (old) {
		/* Pins are looked up through the old IOAS until it is left */
		if (access->ops->unmap)
			access->ops->unmap(access->data, 0, ULONG_MAX);
		WARN_ON(access->num_pins);
		iopt_remove_access(&old->iopt, access);
		refcount_dec(&old->obj.users);
	}
	if (ioas) {
		WARN_ON(iopt_add_access(&ioas->iopt, access));
		refcount_inc(&ioas->obj.users);
	}
	access->ioas = ioas;
	return 0;
}

/**
 * iommufd_access_attach_id() - attach or move to the IOAS with ID @ioas_id
 * @access: the access
 * @ioas_id: IOAS object ID in the access's file
 *
 * Return: 0, -ENOENT no IOAS with that ID, or iommufd_access_change_ioas().
 */
int iommufd_access_attach_id(struct iommufd_access *access, u32 ioas_id)
{
	struct iommufd_ioas *ioas = iommufd_get_ioas(access->ictx, ioas_id);

	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	return iommufd_access_change_ioas(access, ioas);
}

/**
 * iommufd_access_destroy() - detach and free an access
 * @access: the access; its owner drops its pins through the unmap op
 *
 * Called with ictx->lock held; the caller drops the file reference taken
 * by iommufd_access_create() (fput(ictx->file)) once it has unlocked
 * (an internal access holds none).
 */
void iommufd_access_destroy(struct iommufd_access *access)
{
	WARN_ON(iommufd_access_change_ioas(access, NULL));
	kfree(access);
}

static struct iopt_hold *access_find_hold(struct iopt_pages *pages,
					  unsigned long first,
					  unsigned long last)
{
	struct iopt_node *node;

	for (node = iopt_tree_iter_first(&pages->holds, first, first); node;
	     node = iopt_tree_iter_next(node, first, first)) {
		struct iopt_hold *hold = container_of(node, struct iopt_hold,
						      node);

		if (hold->access && node->start == first && node->last == last)
			return hold;
	}
	return NULL;
}

static int area_add_access(struct iopt_area *area, unsigned long first,
			   unsigned long last, bool lock)
{
	struct iopt_hold *hold = access_find_hold(area->pages, first, last);
	int rc;

	if (hold) {
		hold->users++;
	} else {
		hold = kzalloc(sizeof(*hold), GFP_KERNEL_ACCOUNT);
		if (!hold)
			return -ENOMEM;
		rc = iopt_pages_hold(area->pages, hold, first, last);
		if (rc) {
			kfree(hold);
			return rc;
		}
		hold->access = true;
	}
	area->num_accesses++;
	if (lock)
		area->num_locks++;
	return 0;
}

static void area_remove_access(struct iopt_area *area, unsigned long first,
			       unsigned long last, bool lock)
{
	struct iopt_hold *hold = access_find_hold(area->pages, first, last);

	if (WARN_ON(!hold))
		return;
	if (lock && !WARN_ON(!area->num_locks))
		area->num_locks--;
	if (!--hold->users) {
		iopt_pages_unhold(area->pages, hold);
		kfree(hold);
	}
	area->num_accesses--;
}

/* Inner junctions of a multi-area pin must fall on page boundaries. */
static bool access_piece_aligned(struct iopt_area *area, unsigned long cur,
				 unsigned long end, unsigned long iova,
				 unsigned long last)
{
	if (cur != iova && iopt_area_start_byte(area, cur) % PAGE_SIZE)
		return false;
	if (end != last &&
	    iopt_area_start_byte(area, end) % PAGE_SIZE != PAGE_SIZE - 1)
		return false;
	return true;
}

/* Undo the pins of [@iova, @last] made so far (they cover whole pieces). */
static void access_unpin_range(struct iommufd_access *access,
			       unsigned long iova, unsigned long last)
{
	struct io_pagetable *iopt = &access->ioas->iopt;
	unsigned long cur = iova;
	struct iopt_area *area;

	for (area = iopt_area_first(iopt, iova, iova); area;
	     area = iopt_area_next(area, cur, last)) {
		unsigned long end = min(last, iopt_area_last_iova(area));

		if (iopt_area_iova(area) > cur)
			break;
		area_remove_access(area, iopt_area_index(area, cur),
				   iopt_area_index(area, end), access->internal);
		access->num_pins--;
		if (end == last)
			break;
		cur = end + 1;
	}
}

/**
 * iommufd_access_pin_pages() - pin the memory behind an IOVA range
 * @access: an access made with needs_pin_pages
 * @iova: first IOVA
 * @length: bytes, not 0
 * @out_pages: one entry per page the range touches
 * @flags: IOMMUFD_ACCESS_RW_WRITE to write through the pages
 *
 * Return: 0; -ENOENT no IOAS or the range is not fully mapped; -EINVAL
 * length 0, an unmap is waiting on the range, or areas meet inside a page;
 * -EPERM write to a read-only mapping; -EOVERFLOW; a pinning errno.
 * Nothing is pinned on failure.
 */
int iommufd_access_pin_pages(struct iommufd_access *access, unsigned long iova,
			     unsigned long length, struct page **out_pages,
			     unsigned int flags)
{
	unsigned long last, cur = iova, i;
	struct io_pagetable *iopt;
	struct iopt_area *area;
	int rc = -ENOENT;

	if (!access->ops->needs_pin_pages)
		return -EINVAL;
	if (!length)
		return -EINVAL;
	if (check_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;
	if (!access->ioas)
		return -ENOENT;
	iopt = &access->ioas->iopt;

	for (area = iopt_area_first(iopt, iova, iova); area;
	     area = iopt_area_next(area, cur, last)) {
		unsigned long end = min(last, iopt_area_last_iova(area));
		unsigned long first_index, last_index;

		if (iopt_area_iova(area) > cur)
			break;
		if (area->prevent_access ||
		    !access_piece_aligned(area, cur, end, iova, last)) {
			rc = -EINVAL;
			goto out_undo;
		}
		if ((flags & IOMMUFD_ACCESS_RW_WRITE) &&
		    !(area->prot & MIOMMU_WRITE)) {
			rc = -EPERM;
			goto out_undo;
		}
		first_index = iopt_area_index(area, cur);
		last_index = iopt_area_index(area, end);
		rc = area_add_access(area, first_index, last_index,
				     access->internal);
		if (rc)
			goto out_undo;
		access->num_pins++;
		for (i = first_index; i <= last_index; i++)
			*out_pages++ = iopt_pages_page(area->pages, i);
		if (end == last)
			return 0;
		cur = end + 1;
		rc = -ENOENT;
	}

out_undo:
	if (cur > iova)
		access_unpin_range(access, iova, cur - 1);
	return rc;
}

/**
 * iommufd_access_unpin_pages() - undo iommufd_access_pin_pages()
 * @access: the access
 * @iova: the same IOVA given to the pin
 * @length: the same length
 */
void iommufd_access_unpin_pages(struct iommufd_access *access,
				unsigned long iova, unsigned long length)
{
	unsigned long last;

	if (WARN_ON(!length || !access->ioas) ||
	    WARN_ON(check_add_overflow(iova, length - 1, &last)))
		return;
	access_unpin_range(access, iova, last);
}

/**
 * iommufd_access_rw() - CPU read or write of memory by IOVA
 * @access: the access
 * @iova: first IOVA
 * @data: kernel buffer
 * @length: bytes, not 0
 * @flags: IOMMUFD_ACCESS_RW_WRITE to write @data; IOMMUFD_ACCESS_RW_SLOW_PATH
 *         to never copy through the user address directly
 *
 * Return: 0; -ENOENT no IOAS or a hole in the range; -EINVAL length 0 or an
 * unmap is waiting; -EPERM write to a read-only mapping; -EOVERFLOW;
 * -EFAULT unbacked memory.
 */
int iommufd_access_rw(struct iommufd_access *access, unsigned long iova,
		      void *data, unsigned long length, unsigned int flags)
{
	bool write = flags & IOMMUFD_ACCESS_RW_WRITE;
	unsigned long last, cur = iova;
	struct io_pagetable *iopt;
	struct iopt_area *area;
	int rc;

	if (!length)
		return -EINVAL;
	if (check_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;
	if (!access->ioas)
		return -ENOENT;
	iopt = &access->ioas->iopt;

	for (area = iopt_area_first(iopt, iova, iova); area;
	     area = iopt_area_next(area, cur, last)) {
		unsigned long end = min(last, iopt_area_last_iova(area));

		if (iopt_area_iova(area) > cur)
			break;
		if (area->prevent_access)
			return -EINVAL;
		if (write && !(area->prot & MIOMMU_WRITE))
			return -EPERM;
		rc = iopt_pages_rw(area->pages, iopt_area_start_byte(area, cur),
				   data, end - cur + 1, write,
				   flags & IOMMUFD_ACCESS_RW_SLOW_PATH);
		if (rc)
			return rc;
		if (end == last)
			return 0;
		data += end - cur + 1;
		cur = end + 1;
	}
	return -ENOENT;
}
