// SPDX-License-Identifier: GPL-2.0
/*
 * The IOVA space of an IOAS: mapped areas of pinned user pages, reserved
 * ranges, and the paging domains that mirror the areas.
 *
 * Two interval trees (built with the kernel's INTERVAL_TREE_DEFINE, which
 * every kernel has even when CONFIG_INTERVAL_TREE is off): areas never
 * overlap each other; reserved ranges may overlap each other (two devices
 * can share a MSI window) but never an area.
 */
#include <linux/interval_tree_generic.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/user.h>
#include <linux/slab.h>

#include "iommufd_private.h"

#define NODE_START(n) ((n)->start)
#define NODE_LAST(n) ((n)->last)
INTERVAL_TREE_DEFINE(struct iopt_node, rb, unsigned long, subtree_last,
		     NODE_START, NODE_LAST, static, iopt_tree)

static struct iopt_area *to_area(struct iopt_node *node)
{
	return container_of(node, struct iopt_area, node);
}

static struct iopt_reserved *to_resv(struct iopt_node *node)
{
	return container_of(node, struct iopt_reserved, node);
}

/*
 * RLIMIT_MEMLOCK accounting per user, as upstream iommufd does by default:
 * CAP_IPC_LOCK holders are not charged.
 */
static int iopt_charge(struct iopt_area *area)
{
	unsigned long limit, total;
	struct user_struct *user;

	if (capable(CAP_IPC_LOCK))
		return 0;
	user = get_current_user();
	limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	total = atomic_long_add_return(area->npages, &user->locked_vm);
	if (total > limit) {
		atomic_long_sub(area->npages, &user->locked_vm);
		free_uid(user);
		return -ENOMEM;
	}
	area->user = user;
	return 0;
}

static void iopt_uncharge(struct iopt_area *area)
{
	if (!area->user)
		return;
	atomic_long_sub(area->npages, &area->user->locked_vm);
	free_uid(area->user);
	area->user = NULL;
}

static int iopt_pin(struct iopt_area *area, unsigned long uva)
{
	unsigned int gup_flags = FOLL_LONGTERM;
	unsigned long done = 0;
	int rc;

	if (area->prot & MIOMMU_WRITE)
		gup_flags |= FOLL_WRITE;
	area->pages = kvcalloc(area->npages, sizeof(*area->pages),
			       GFP_KERNEL_ACCOUNT);
	if (!area->pages)
		return -ENOMEM;
	while (done < area->npages) {
		rc = pin_user_pages_fast(uva + done * PAGE_SIZE,
					 min_t(unsigned long, area->npages - done,
					       INT_MAX),
					 gup_flags, area->pages + done);
		if (rc <= 0) {
			if (done)
				unpin_user_pages(area->pages, done);
			kvfree(area->pages);
			area->pages = NULL;
			return rc ? rc : -EFAULT;
		}
		done += rc;
	}
	return 0;
}

static void iopt_unpin(struct iopt_area *area)
{
	unpin_user_pages_dirty_lock(area->pages, area->npages,
				    area->prot & MIOMMU_WRITE);
	kvfree(area->pages);
}

/* Maps @area into @domain page by page; on failure nothing stays mapped. */
static int iopt_area_map(struct iopt_area *area, struct miommu_domain *domain)
{
	unsigned long i;
	size_t mapped;
	int rc;

	for (i = 0; i < area->npages; i++) {
		rc = domain->ops->map_pages(domain,
					    area->node.start + i * PAGE_SIZE,
					    page_to_phys(area->pages[i]),
					    PAGE_SIZE, 1, area->prot, &mapped);
		if (rc) {
			if (i)
				domain->ops->unmap_pages(domain, area->node.start,
							 PAGE_SIZE, i);
			return rc;
		}
	}
	return 0;
}

static void iopt_area_unmap(struct iopt_area *area,
			    struct miommu_domain *domain)
{
	domain->ops->unmap_pages(domain, area->node.start, PAGE_SIZE,
				 area->npages);
}

static void iopt_area_free(struct iommufd_ioas *ioas, struct iopt_area *area)
{
	struct iommufd_hwpt *hwpt;

	list_for_each_entry(hwpt, &ioas->hwpt_list, ioas_item)
		iopt_area_unmap(area, hwpt->domain);
	iopt_tree_remove(&area->node, &ioas->areas);
	iopt_unpin(area);
	iopt_uncharge(area);
	kfree(area);
}

/*
 * Lowest page-aligned hole of @length bytes: each step jumps past the
 * interval that blocks the candidate, so the loop ends.
 */
static int iopt_find_hole(struct iommufd_ioas *ioas, unsigned long length,
			  unsigned long *iova)
{
	unsigned long start = 0, last;
	struct iopt_node *node;

	for (;;) {
		if (check_add_overflow(start, length - 1, &last))
			return -ENOSPC;
		node = iopt_tree_iter_first(&ioas->reserved, start, last);
		if (!node)
			node = iopt_tree_iter_first(&ioas->areas, start, last);
		if (!node) {
			*iova = start;
			return 0;
		}
		if (node->last >= ULONG_MAX - PAGE_SIZE)
			return -ENOSPC;
		start = ALIGN(node->last + 1, PAGE_SIZE);
	}
}

/**
 * iopt_map_user() - pin user memory and map it at an IOVA of the IOAS
 * @ioas: the IOAS
 * @uva: page-aligned user address
 * @length: bytes, a non-zero multiple of PAGE_SIZE
 * @iova: in when @fixed: IOVA to use; out: IOVA used
 * @fixed: use *@iova rather than the lowest free hole
 * @prot: MIOMMU_READ / MIOMMU_WRITE
 *
 * Return: 0; -EINVAL a fixed range touches reserved IOVA; -EEXIST it
 * overlaps a mapping; -EOVERFLOW it wraps; -ENOSPC no hole; -ENOMEM memory or
 * RLIMIT_MEMLOCK; a pinning errno. Nothing changes on failure.
 */
int iopt_map_user(struct iommufd_ioas *ioas, unsigned long uva,
		  unsigned long length, unsigned long *iova, bool fixed,
		  int prot)
{
	struct iommufd_hwpt *hwpt, *undo;
	struct iopt_area *area;
	unsigned long last;
	int rc;

	if (fixed) {
		if (check_add_overflow(*iova, length - 1, &last))
			return -EOVERFLOW;
		if (iopt_tree_iter_first(&ioas->reserved, *iova, last))
			return -EINVAL;
		if (iopt_tree_iter_first(&ioas->areas, *iova, last))
			return -EEXIST;
	} else {
		rc = iopt_find_hole(ioas, length, iova);
		if (rc)
			return rc;
	}

	area = kzalloc(sizeof(*area), GFP_KERNEL_ACCOUNT);
	if (!area)
		return -ENOMEM;
	area->node.start = *iova;
	area->node.last = *iova + length - 1;
	area->npages = length >> PAGE_SHIFT;
	area->prot = prot;

	rc = iopt_charge(area);
	if (rc)
		goto out_free;
	rc = iopt_pin(area, uva);
	if (rc)
		goto out_uncharge;

	list_for_each_entry(hwpt, &ioas->hwpt_list, ioas_item) {
		rc = iopt_area_map(area, hwpt->domain);
		if (rc)
			goto out_unmap;
	}
	iopt_tree_insert(&area->node, &ioas->areas);
	return 0;

out_unmap:
	list_for_each_entry(undo, &ioas->hwpt_list, ioas_item) {
		if (undo == hwpt)
			break;
		iopt_area_unmap(area, undo->domain);
	}
	iopt_unpin(area);
out_uncharge:
	iopt_uncharge(area);
out_free:
	kfree(area);
	return rc;
}

/**
 * iopt_unmap() - unmap every area inside [@iova, @last]
 * @ioas: the IOAS
 * @iova: first IOVA
 * @last: last IOVA (inclusive)
 * @unmapped: out: bytes unmapped
 *
 * Return: 0; -ENOENT no area inside; -EINVAL an area crosses the range's
 * edge (nothing is unmapped then).
 */
int iopt_unmap(struct iommufd_ioas *ioas, unsigned long iova,
	       unsigned long last, unsigned long *unmapped)
{
	struct iopt_node *node;

	*unmapped = 0;
	for (node = iopt_tree_iter_first(&ioas->areas, iova, last); node;
	     node = iopt_tree_iter_next(node, iova, last))
		if (node->start < iova || node->last > last)
			return -EINVAL;

	while ((node = iopt_tree_iter_first(&ioas->areas, iova, last))) {
		*unmapped += node->last - node->start + 1;
		iopt_area_free(ioas, to_area(node));
	}
	return *unmapped ? 0 : -ENOENT;
}

/**
 * iopt_reserve() - reserve [@start, @last] for @owner
 * @ioas: the IOAS
 * @start: first IOVA
 * @last: last IOVA (inclusive)
 * @owner: tag used by iopt_unreserve()
 *
 * Return: 0, -EADDRINUSE if a mapping overlaps the range, -ENOMEM.
 */
int iopt_reserve(struct iommufd_ioas *ioas, unsigned long start,
		 unsigned long last, const void *owner)
{
	struct iopt_reserved *resv;

	if (iopt_tree_iter_first(&ioas->areas, start, last))
		return -EADDRINUSE;
	resv = kzalloc(sizeof(*resv), GFP_KERNEL_ACCOUNT);
	if (!resv)
		return -ENOMEM;
	resv->node.start = start;
	resv->node.last = last;
	resv->owner = owner;
	iopt_tree_insert(&resv->node, &ioas->reserved);
	return 0;
}

/**
 * iopt_unreserve() - drop every reserved range tagged @owner
 * @ioas: the IOAS
 * @owner: tag given to iopt_reserve()
 */
void iopt_unreserve(struct iommufd_ioas *ioas, const void *owner)
{
	struct iopt_node *node, *next;

	node = iopt_tree_iter_first(&ioas->reserved, 0, ULONG_MAX);
	while (node) {
		next = iopt_tree_iter_next(node, 0, ULONG_MAX);
		if (to_resv(node)->owner == owner) {
			iopt_tree_remove(node, &ioas->reserved);
			kfree(to_resv(node));
		}
		node = next;
	}
}

/**
 * iopt_fill_domain() - map every area of the IOAS into a new domain
 * @ioas: the IOAS
 * @domain: a paging domain not yet on @ioas->hwpt_list
 *
 * Return: 0 or the driver's errno, with nothing left mapped.
 */
int iopt_fill_domain(struct iommufd_ioas *ioas, struct miommu_domain *domain)
{
	struct iopt_node *node, *undo;
	int rc;

	for (node = iopt_tree_iter_first(&ioas->areas, 0, ULONG_MAX); node;
	     node = iopt_tree_iter_next(node, 0, ULONG_MAX)) {
		rc = iopt_area_map(to_area(node), domain);
		if (rc)
			goto out_unmap;
	}
	return 0;

out_unmap:
	for (undo = iopt_tree_iter_first(&ioas->areas, 0, ULONG_MAX); undo;
	     undo = iopt_tree_iter_next(undo, 0, ULONG_MAX)) {
		if (undo == node)
			break;
		iopt_area_unmap(to_area(undo), domain);
	}
	return rc;
}

/**
 * iopt_unfill_domain() - unmap every area of the IOAS from a domain
 * @ioas: the IOAS
 * @domain: a paging domain filled by iopt_fill_domain()
 */
void iopt_unfill_domain(struct iommufd_ioas *ioas,
			struct miommu_domain *domain)
{
	struct iopt_node *node;

	for (node = iopt_tree_iter_first(&ioas->areas, 0, ULONG_MAX); node;
	     node = iopt_tree_iter_next(node, 0, ULONG_MAX))
		iopt_area_unmap(to_area(node), domain);
}

/**
 * iopt_unmap_all() - unmap and unpin everything (IOAS destruction)
 * @ioas: the IOAS, with no HWPT left
 */
void iopt_unmap_all(struct iommufd_ioas *ioas)
{
	struct iopt_node *node;

	while ((node = iopt_tree_iter_first(&ioas->areas, 0, ULONG_MAX)))
		iopt_area_free(ioas, to_area(node));
}

/**
 * iopt_allowed_ranges() - the complement of the reserved ranges
 * @ioas: the IOAS
 * @out: array for the ranges, may be NULL when @max is 0
 * @max: entries @out holds
 *
 * Return: the number of allowed ranges (may exceed @max; only @max are
 * written). Reserved ranges come in ascending start order from the tree and
 * may overlap, hence the running @next.
 */
unsigned int iopt_allowed_ranges(struct iommufd_ioas *ioas,
				 struct iommu_iova_range *out,
				 unsigned int max)
{
	unsigned long next = 0;
	struct iopt_node *node;
	unsigned int n = 0;
	bool done = false;

	for (node = iopt_tree_iter_first(&ioas->reserved, 0, ULONG_MAX); node;
	     node = iopt_tree_iter_next(node, 0, ULONG_MAX)) {
		if (node->start > next) {
			if (n < max) {
				out[n].start = next;
				out[n].last = node->start - 1;
			}
			n++;
		}
		if (node->last == ULONG_MAX) {
			done = true;
			break;
		}
		next = max(next, node->last + 1);
	}
	if (!done) {
		if (n < max) {
			out[n].start = next;
			out[n].last = ULONG_MAX;
		}
		n++;
	}
	return n;
}
