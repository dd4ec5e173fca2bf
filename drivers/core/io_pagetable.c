// SPDX-License-Identifier: GPL-2.0
/*
 * The IOVA space of an IOAS with upstream iommufd's rules: areas (slices of
 * iopt_pages, see pages.c), reserved ranges, the allowed ranges of
 * IOAS_ALLOW_IOVAS, the paging domains that mirror the areas, the accesses
 * that pin from them, and the IOVA alignment those impose.
 *
 * Interval trees come from the kernel's INTERVAL_TREE_DEFINE, which every
 * kernel has even when CONFIG_INTERVAL_TREE is off. Areas never overlap;
 * reserved ranges may overlap each other (two devices can share an MSI
 * window) but never an area or an allowed range. Everything runs under the
 * file's ictx->lock.
 */
#include <linux/interval_tree_generic.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>

#include "iommufd_private.h"

#define NODE_START(n) ((n)->start)
#define NODE_LAST(n) ((n)->last)
/* Global linkage (empty storage class): pages.c walks its holds too. */
#define IOPT_TREE_LINKAGE
#ifdef MIOMMU_ITREE_SUBTREE_EXTERN
/* Generated with that linkage too from 7.x (Kbuild probe); used here only */
struct iopt_node *iopt_tree_subtree_search(struct iopt_node *node,
					   unsigned long start,
					   unsigned long last);
#endif
INTERVAL_TREE_DEFINE(struct iopt_node, rb, unsigned long, subtree_last,
		     NODE_START, NODE_LAST, IOPT_TREE_LINKAGE, iopt_tree)

/* Accesses that do not answer unmap requests make IOAS_UNMAP give up. */
#define IOPT_UNMAP_TRIES 100

static struct iopt_area *to_area(struct iopt_node *node)
{
	return node ? container_of(node, struct iopt_area, node) : NULL;
}

/**
 * iopt_area_first() - first area intersecting [@start, @last]
 * @iopt: the IO page table
 * @start: first IOVA
 * @last: last IOVA (inclusive)
 *
 * Return: the area with the lowest IOVA, or NULL.
 */
struct iopt_area *iopt_area_first(struct io_pagetable *iopt,
				  unsigned long start, unsigned long last)
{
	return to_area(iopt_tree_iter_first(&iopt->areas, start, last));
}

/**
 * iopt_area_next() - next area after @area intersecting [@start, @last]
 * @area: current area
 * @start: first IOVA
 * @last: last IOVA (inclusive)
 *
 * Return: the next area in IOVA order, or NULL.
 */
struct iopt_area *iopt_area_next(struct iopt_area *area, unsigned long start,
				 unsigned long last)
{
	return to_area(iopt_tree_iter_next(&area->node, start, last));
}

/**
 * iopt_init_table() - an empty IO page table
 * @iopt: the table
 * @ictx: the file it belongs to
 *
 * A table without domains or accesses accepts any IOVA, length and
 * alignment (upstream's iova_alignment of 1).
 */
void iopt_init_table(struct io_pagetable *iopt, struct iommufd_ctx *ictx)
{
	iopt->ictx = ictx;
	iopt->areas = RB_ROOT_CACHED;
	iopt->reserved = RB_ROOT_CACHED;
	iopt->allowed = RB_ROOT_CACHED;
	INIT_LIST_HEAD(&iopt->domains);
	INIT_LIST_HEAD(&iopt->accesses);
	iopt->iova_alignment = 1;
}

/**
 * iopt_free_tree() - free every node of an interval tree of bare iopt_nodes
 * @root: the tree (the allowed ranges, or IOAS_ALLOW_IOVAS's new set)
 */
void iopt_free_tree(struct rb_root_cached *root)
{
	struct iopt_node *node;

	while ((node = iopt_tree_iter_first(root, 0, ULONG_MAX))) {
		iopt_tree_remove(node, root);
		kfree(node);
	}
}

/**
 * iopt_destroy_table() - free what remains of an IO page table
 * @iopt: table with no area, domain or access left
 */
void iopt_destroy_table(struct io_pagetable *iopt)
{
	/* Ranges of IOMMU_TEST_OP_ADD_RESERVED have no owner to drop them */
	iopt_unreserve(iopt, NULL);
	iopt_free_tree(&iopt->allowed);
	WARN_ON(!RB_EMPTY_ROOT(&iopt->reserved.rb_root));
	WARN_ON(!RB_EMPTY_ROOT(&iopt->areas.rb_root));
	WARN_ON(!list_empty(&iopt->domains));
	WARN_ON(!list_empty(&iopt->accesses));
}

/* Lowest hole of @length in [@start, @last] with the given alignment. */
static bool alloc_in_range(struct io_pagetable *iopt, unsigned long start,
			   unsigned long last, unsigned long length,
			   unsigned long align, unsigned long page_offset,
			   unsigned long *iova)
{
	unsigned long cand, cand_last;
	struct iopt_node *node;

	for (;;) {
		if (check_add_overflow(start, align - 1, &cand))
			return false;
		cand = (cand & ~(align - 1)) | page_offset;
		if (cand >= last || last - cand < length - 1)
			return false;
		cand_last = cand + length - 1;
		node = iopt_tree_iter_first(&iopt->reserved, cand, cand_last);
		if (!node)
			node = iopt_tree_iter_first(&iopt->areas, cand, cand_last);
		if (!node) {
			*iova = cand;
			return true;
		}
		if (node->last >= last)
			return false;
		start = node->last + 1;
	}
}

/*
 * Choose an IOVA as upstream does: never 0, aligned like the user address
 * and the length (up to 2 MiB, so folios can map as large pages), with the
 * user address's offset in its page, inside the allowed ranges.
 */
static int iopt_alloc_iova(struct io_pagetable *iopt, unsigned long *iova,
			   unsigned long uptr, unsigned long length)
{
	unsigned long lo = PAGE_SIZE, hi = ULONG_MAX - PAGE_SIZE;
	unsigned long page_offset = uptr % PAGE_SIZE;
	unsigned long align, span_start = 0, span_last = 0;
	struct iopt_node *node;
	bool have = false;

	if (!length || length >= ULONG_MAX / 2)
		return -EOVERFLOW;
	align = roundup_pow_of_two(length);
	if (uptr)
		align = min(align, BIT(__ffs(uptr)));
	align = min_t(unsigned long, align, SZ_2M);
	if (align < iopt->iova_alignment)
		return -EINVAL;

	if (RB_EMPTY_ROOT(&iopt->allowed.rb_root))
		return alloc_in_range(iopt, lo, hi, length, align, page_offset,
				      iova) ? 0 : -ENOSPC;

	/* Adjacent allowed ranges form one span */
	for (node = iopt_tree_iter_first(&iopt->allowed, lo, hi); node;
	     node = iopt_tree_iter_next(node, lo, hi)) {
		if (have && node->start == span_last + 1) {
			span_last = node->last;
			continue;
		}
		if (have && alloc_in_range(iopt, max(span_start, lo),
					   min(span_last, hi), length, align,
					   page_offset, iova))
			return 0;
		span_start = node->start;
		span_last = node->last;
		have = true;
	}
	if (have && alloc_in_range(iopt, max(span_start, lo),
				   min(span_last, hi), length, align,
				   page_offset, iova))
		return 0;
	return -ENOSPC;
}

/* Upstream's rules for a caller-chosen IOVA. */
static int iopt_check_iova(struct io_pagetable *iopt, unsigned long iova,
			   unsigned long length)
{
	unsigned long last;

	if (iova & (iopt->iova_alignment - 1))
		return -EINVAL;
	if (check_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;
	if (iopt_tree_iter_first(&iopt->reserved, iova, last))
		return -EINVAL;
	if (iopt_tree_iter_first(&iopt->areas, iova, last))
		return -EEXIST;
	return 0;
}

/* Set up @area as the slice [@start_byte, +@length) of @pages at @iova. */
static int iopt_area_init(struct io_pagetable *iopt, struct iopt_area *area,
			  struct iopt_pages *pages, unsigned long iova,
			  unsigned long start_byte, unsigned long length,
			  int prot)
{
	unsigned long last_byte;

	if ((prot & MIOMMU_WRITE) && !pages->writable)
		return -EPERM;
	area->prot = prot;
	area->page_offset = start_byte % PAGE_SIZE;
	if (area->page_offset & (iopt->iova_alignment - 1))
		return -EINVAL;
	area->node.start = iova;
	if (check_add_overflow(iova, length - 1, &area->node.last))
		return -EOVERFLOW;
	area->first_index = start_byte / PAGE_SIZE;
	if (check_add_overflow(start_byte, length - 1, &last_byte))
		return -EOVERFLOW;
	area->last_index = last_byte / PAGE_SIZE;
	if (area->last_index >= pages->npages)
		return -EOVERFLOW;
	area->pages = pages;
	return 0;
}

/* Map a new area into every domain of the IOAS; nothing stays on failure. */
static int iopt_area_fill_domains(struct io_pagetable *iopt,
				  struct iopt_area *area)
{
	struct iopt_domain *idom, *undo;
	int rc;

	if (list_empty(&iopt->domains))
		return 0;
	rc = iopt_pages_hold(area->pages, &area->dom_hold, area->first_index,
			     area->last_index);
	if (rc)
		return rc;
	list_for_each_entry(idom, &iopt->domains, item) {
		rc = iopt_area_map_domain(area, idom->domain,
					  iopt->disable_large_pages);
		if (rc)
			goto out_unmap;
	}
	area->filled = true;
	return 0;

out_unmap:
	list_for_each_entry(undo, &iopt->domains, item) {
		if (undo == idom)
			break;
		iopt_area_unmap_domain(area, undo->domain);
	}
	iopt_pages_unhold(area->pages, &area->dom_hold);
	return rc;
}

static void iopt_area_unfill_domains(struct io_pagetable *iopt,
				     struct iopt_area *area)
{
	struct iopt_domain *idom;

	if (!area->filled)
		return;
	list_for_each_entry(idom, &iopt->domains, item)
		iopt_area_unmap_domain(area, idom->domain);
	iopt_pages_unhold(area->pages, &area->dom_hold);
	area->filled = false;
}

/* Remove a mapped area: unmap, unpin what nobody else holds, free. */
static void iopt_area_destroy(struct io_pagetable *iopt, struct iopt_area *area)
{
	iopt_area_unfill_domains(iopt, area);
	iopt_tree_remove(&area->node, &iopt->areas);
	iopt_put_pages(area->pages);
	kfree(area);
}

/**
 * iopt_free_pages_list() - drop a pages list built by iopt_get_pages()
 * @pages_list: list of struct iopt_pages_list
 */
void iopt_free_pages_list(struct list_head *pages_list)
{
	struct iopt_pages_list *elm, *tmp;

	list_for_each_entry_safe(elm, tmp, pages_list, next) {
		list_del(&elm->next);
		iopt_put_pages(elm->pages);
		kfree(elm);
	}
}

/**
 * iopt_map_pages() - map slices of iopt_pages at consecutive IOVAs
 * @iopt: the IO page table
 * @pages_list: struct iopt_pages_list entries; their krefs are not consumed
 * @length: total bytes of the entries
 * @iova: in: the IOVA when @fixed; out: the IOVA used
 * @prot: MIOMMU_READ / MIOMMU_WRITE
 * @fixed: use *@iova, else choose one like upstream
 *
 * Pins and maps only when the IOAS has domains. Return: 0; -EINVAL length
 * or IOVA not aligned to the IOAS's alignment, or reserved; -EEXIST IOVA in
 * use; -EOVERFLOW; -ENOSPC no hole; -EPERM write to read-only pages;
 * -ENOMEM; a pinning or driver errno. Nothing changes on failure.
 */
int iopt_map_pages(struct io_pagetable *iopt, struct list_head *pages_list,
		   unsigned long length, unsigned long *iova, int prot,
		   bool fixed)
{
	struct iopt_pages_list *elm;
	struct iopt_area *area;
	unsigned long cur;
	int rc;

	if (!length || (length & (iopt->iova_alignment - 1)))
		return -EINVAL;
	if (fixed) {
		rc = iopt_check_iova(iopt, *iova, length);
	} else {
		elm = list_first_entry(pages_list, struct iopt_pages_list, next);
		rc = iopt_alloc_iova(iopt, iova,
				     elm->pages->uptr + elm->start_byte, length);
	}
	if (rc)
		return rc;

	cur = *iova;
	list_for_each_entry(elm, pages_list, next) {
		area = kzalloc(sizeof(*area), GFP_KERNEL_ACCOUNT);
		if (!area) {
			rc = -ENOMEM;
			goto out_undo;
		}
		rc = iopt_area_init(iopt, area, elm->pages, cur, elm->start_byte,
				    elm->length, prot);
		if (!rc)
			rc = iopt_area_fill_domains(iopt, area);
		if (rc) {
			kfree(area);
			goto out_undo;
		}
		kref_get(&elm->pages->kref);
		iopt_tree_insert(&area->node, &iopt->areas);
		cur += elm->length;
	}
	return 0;

out_undo:
	/* Areas inserted so far lie in [*iova, cur) */
	if (cur > *iova) {
		while ((area = iopt_area_first(iopt, *iova, cur - 1)))
			iopt_area_destroy(iopt, area);
	}
	return rc;
}

/**
 * iopt_map_user() - map user memory at an IOVA (IOMMU_IOAS_MAP)
 * @iopt: the IO page table
 * @iova: in: the IOVA when @fixed; out: the IOVA used
 * @uptr: user address, any alignment the IOAS accepts
 * @length: bytes
 * @prot: MIOMMU_READ / MIOMMU_WRITE
 * @fixed: use *@iova
 *
 * Nothing is pinned until a domain or an access needs the pages (upstream).
 * Return: as iopt_map_pages().
 */
int iopt_map_user(struct io_pagetable *iopt, unsigned long *iova,
		  unsigned long uptr, unsigned long length, int prot,
		  bool fixed)
{
	struct iopt_pages_list elm = {};
	LIST_HEAD(pages_list);
	int rc;

	elm.pages = iopt_alloc_pages(uptr, length, prot & MIOMMU_WRITE,
				     iopt->ictx->account_mode);
	if (IS_ERR(elm.pages))
		return PTR_ERR(elm.pages);
	elm.start_byte = uptr - elm.pages->uptr;
	elm.length = length;
	list_add(&elm.next, &pages_list);
	rc = iopt_map_pages(iopt, &pages_list, length, iova, prot, fixed);
	iopt_put_pages(elm.pages);
	return rc;
}

/**
 * iopt_map_file() - map part of a memfd at an IOVA (IOMMU_IOAS_MAP_FILE)
 * @iopt: the IO page table
 * @iova: in: the IOVA when @fixed; out: the IOVA used
 * @file: the memfd (shmem or hugetlbfs)
 * @start: byte offset in the file, any alignment the IOAS accepts
 * @length: bytes
 * @prot: MIOMMU_READ / MIOMMU_WRITE
 * @fixed: use *@iova
 *
 * As iopt_map_user(), with the file offset in place of the user address
 * (also for choosing the IOVA, as upstream). Return: as
 * iopt_alloc_file_pages() and iopt_map_pages(); -EINVAL also when a domain
 * pins past the end of the file.
 */
int iopt_map_file(struct io_pagetable *iopt, unsigned long *iova,
		  struct file *file, unsigned long start, unsigned long length,
		  int prot, bool fixed)
{
	struct iopt_pages_list elm = {};
	LIST_HEAD(pages_list);
	int rc;

	elm.pages = iopt_alloc_file_pages(file, start, length,
					  prot & MIOMMU_WRITE,
					  iopt->ictx->account_mode);
	if (IS_ERR(elm.pages))
		return PTR_ERR(elm.pages);
	elm.start_byte = start - elm.pages->uptr;
	elm.length = length;
	list_add(&elm.next, &pages_list);
	rc = iopt_map_pages(iopt, &pages_list, length, iova, prot, fixed);
	iopt_put_pages(elm.pages);
	return rc;
}

/**
 * iopt_get_pages() - the pages behind [@iova, @iova + @length)
 * @iopt: the IO page table
 * @iova: first IOVA
 * @length: bytes, not 0
 * @pages_list: out: one entry per area slice, each with a kref
 *
 * Return: 0; -EINVAL; -EOVERFLOW; -ENOENT the range is not fully mapped;
 * -ENOMEM. The list is empty on failure.
 */
int iopt_get_pages(struct io_pagetable *iopt, unsigned long iova,
		   unsigned long length, struct list_head *pages_list)
{
	unsigned long last, cur = iova;
	struct iopt_pages_list *elm;
	struct iopt_area *area;

	if (!length)
		return -EINVAL;
	if (check_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;

	for (area = iopt_area_first(iopt, iova, iova); area;
	     area = iopt_area_next(area, cur, last)) {
		unsigned long end = min(last, iopt_area_last_iova(area));

		if (iopt_area_iova(area) > cur)
			break;
		elm = kzalloc(sizeof(*elm), GFP_KERNEL_ACCOUNT);
		if (!elm) {
			iopt_free_pages_list(pages_list);
			return -ENOMEM;
		}
		elm->pages = area->pages;
		elm->start_byte = iopt_area_start_byte(area, cur);
		elm->length = end - cur + 1;
		kref_get(&elm->pages->kref);
		list_add_tail(&elm->next, pages_list);
		if (end == last)
			return 0;
		cur = end + 1;
	}
	iopt_free_pages_list(pages_list);
	return -ENOENT;
}

/*
 * Ask every access of the IOAS to drop its pins in [@iova, +@length): the
 * accesses' unmap op unpins synchronously (iommufd_access_unpin_pages()).
 */
static void iopt_notify_unmap(struct io_pagetable *iopt, unsigned long iova,
			      unsigned long length)
{
	struct iommufd_access *access, *tmp;

	list_for_each_entry_safe(access, tmp, &iopt->accesses, iopt_item)
		if (access->ops->unmap)
			access->ops->unmap(access->data, iova, length);
}

static int iopt_unmap_range(struct io_pagetable *iopt, unsigned long start,
			    unsigned long last, unsigned long *unmapped)
{
	unsigned long done = 0;
	struct iopt_area *area;
	unsigned int tries = 0;
	int rc = 0;

	while ((area = iopt_area_first(iopt, start, last))) {
		unsigned long area_first = iopt_area_iova(area);
		unsigned long area_last = iopt_area_last_iova(area);

		/* Memory a HW queue reads stays mapped (upstream) */
		if (area->num_locks) {
			rc = -EBUSY;
			break;
		}
		/* Upstream never splits here: a cut area ends the unmap */
		if (area_first < start || area_last > last) {
			rc = -ENOENT;
			break;
		}
		if (area->num_accesses) {
			area->prevent_access = true;
			iopt_notify_unmap(iopt, area_first,
					  iopt_area_length(area));
			if (area->num_accesses) {
				if (++tries > IOPT_UNMAP_TRIES) {
					area->prevent_access = false;
					rc = -EDEADLOCK;
					break;
				}
				continue;
			}
		}
		tries = 0;
		iopt_area_destroy(iopt, area);
		done += area_last - area_first + 1;
		if (area_last >= last)
			break;
		start = area_last + 1;
		if (fatal_signal_pending(current)) {
			rc = -EINTR;
			break;
		}
		cond_resched();
	}
	if (unmapped)
		*unmapped = done;
	return rc;
}

/**
 * iopt_unmap_iova() - unmap every area inside [@iova, @iova + @length)
 * @iopt: the IO page table
 * @iova: first IOVA
 * @length: bytes
 * @unmapped: out: bytes unmapped (also on failure)
 *
 * Areas are taken in IOVA order; an area that crosses the range's edge
 * stops the walk with -ENOENT, keeping what was unmapped before it (upstream).
 * Return: 0; -EINVAL length 0; -EOVERFLOW; -ENOENT; -EBUSY a HW queue
 * pins an area; -EDEADLOCK an access kept its pins; -EINTR.
 */
int iopt_unmap_iova(struct io_pagetable *iopt, unsigned long iova,
		    unsigned long length, unsigned long *unmapped)
{
	unsigned long last;

	if (!length)
		return -EINVAL;
	if (check_add_overflow(iova, length - 1, &last))
		return -EOVERFLOW;
	return iopt_unmap_range(iopt, iova, last, unmapped);
}

/**
 * iopt_unmap_all() - unmap everything; succeeds on an empty table
 * @iopt: the IO page table
 * @unmapped: out: bytes unmapped, may be NULL
 *
 * Return: 0, -EBUSY, -EDEADLOCK, -EINTR.
 */
int iopt_unmap_all(struct io_pagetable *iopt, unsigned long *unmapped)
{
	return iopt_unmap_range(iopt, 0, ULONG_MAX, unmapped);
}

/* Split @area so that @iova is its last byte (VFIO type1 partial unmap). */
static int iopt_area_split(struct io_pagetable *iopt, struct iopt_area *area,
			   unsigned long iova)
{
	unsigned long new_start = iova + 1, align = iopt->iova_alignment;
	unsigned long first = iopt_area_iova(area);
	unsigned long last = iopt_area_last_iova(area);
	struct iopt_area *lhs, *rhs;
	int rc;

	if (iova == first || iova == last)
		return 0;
	if (area->prevent_access)
		return -EBUSY;
	if ((new_start & (align - 1)) ||
	    (iopt_area_start_byte(area, new_start) & (align - 1)))
		return -EINVAL;
	/* Pins and large pages are not tracked finely enough to split */
	if (area->num_accesses)
		return -EINVAL;
	if (area->filled && !iopt->disable_large_pages)
		return -EINVAL;

	lhs = kzalloc(sizeof(*lhs), GFP_KERNEL_ACCOUNT);
	rhs = kzalloc(sizeof(*rhs), GFP_KERNEL_ACCOUNT);
	if (!lhs || !rhs) {
		rc = -ENOMEM;
		goto out_free;
	}
	rc = iopt_area_init(iopt, lhs, area->pages, first,
			    iopt_area_start_byte(area, first), new_start - first,
			    area->prot);
	if (!rc)
		rc = iopt_area_init(iopt, rhs, area->pages, new_start,
				    iopt_area_start_byte(area, new_start),
				    last - new_start + 1, area->prot);
	if (rc)
		goto out_free;

	/* The pinned pages stay: the two holds cover what the old one did */
	if (area->filled) {
		iopt_tree_remove(&area->dom_hold.node, &area->pages->holds);
		lhs->dom_hold.node.start = lhs->first_index;
		lhs->dom_hold.node.last = lhs->last_index;
		lhs->dom_hold.users = 1;
		rhs->dom_hold.node.start = rhs->first_index;
		rhs->dom_hold.node.last = rhs->last_index;
		rhs->dom_hold.users = 1;
		iopt_tree_insert(&lhs->dom_hold.node, &area->pages->holds);
		iopt_tree_insert(&rhs->dom_hold.node, &area->pages->holds);
		lhs->filled = true;
		rhs->filled = true;
	}
	iopt_tree_remove(&area->node, &iopt->areas);
	iopt_tree_insert(&lhs->node, &iopt->areas);
	iopt_tree_insert(&rhs->node, &iopt->areas);
	kref_get(&area->pages->kref);
	kfree(area);
	return 0;

out_free:
	kfree(lhs);
	kfree(rhs);
	return rc;
}

/**
 * iopt_cut_iova() - make each of @iovas the last byte of an area
 * @iopt: the IO page table
 * @iovas: IOVAs to cut after
 * @num: entries of @iovas
 *
 * Return: 0; -EINVAL/-EBUSY an area cannot be split; -ENOMEM.
 */
int iopt_cut_iova(struct io_pagetable *iopt, unsigned long *iovas,
		  unsigned int num)
{
	unsigned int i;
	int rc;

	for (i = 0; i < num; i++) {
		struct iopt_area *area = iopt_area_first(iopt, iovas[i],
							 iovas[i]);

		if (!area)
			continue;
		rc = iopt_area_split(iopt, area, iovas[i]);
		if (rc)
			return rc;
	}
	return 0;
}

/**
 * iopt_reserve() - reserve [@start, @last] for @owner
 * @iopt: the IO page table
 * @start: first IOVA
 * @last: last IOVA (inclusive)
 * @owner: tag used by iopt_unreserve()
 *
 * Return: 0, -EADDRINUSE if an area or an allowed range overlaps, -ENOMEM.
 */
int iopt_reserve(struct io_pagetable *iopt, unsigned long start,
		 unsigned long last, const void *owner)
{
	struct iopt_reserved *resv;

	if (iopt_tree_iter_first(&iopt->areas, start, last) ||
	    iopt_tree_iter_first(&iopt->allowed, start, last))
		return -EADDRINUSE;
	resv = kzalloc(sizeof(*resv), GFP_KERNEL_ACCOUNT);
	if (!resv)
		return -ENOMEM;
	resv->node.start = start;
	resv->node.last = last;
	resv->owner = owner;
	iopt_tree_insert(&resv->node, &iopt->reserved);
	return 0;
}

/**
 * iopt_unreserve() - drop every reserved range tagged @owner
 * @iopt: the IO page table
 * @owner: tag given to iopt_reserve()
 */
void iopt_unreserve(struct io_pagetable *iopt, const void *owner)
{
	struct iopt_node *node, *next;

	node = iopt_tree_iter_first(&iopt->reserved, 0, ULONG_MAX);
	while (node) {
		next = iopt_tree_iter_next(node, 0, ULONG_MAX);
		if (container_of(node, struct iopt_reserved, node)->owner == owner) {
			iopt_tree_remove(node, &iopt->reserved);
			kfree(container_of(node, struct iopt_reserved, node));
		}
		node = next;
	}
}

/**
 * iopt_set_allowed() - replace the allowed ranges (IOMMU_IOAS_ALLOW_IOVAS)
 * @iopt: the IO page table
 * @allowed: the new set; on return it holds the old set, which the caller
 *           frees (also on failure, when it holds the new set again)
 *
 * Return: 0, or -EADDRINUSE when a new range overlaps a reserved one.
 */
int iopt_set_allowed(struct io_pagetable *iopt, struct rb_root_cached *allowed)
{
	struct iopt_node *node;

	for (node = iopt_tree_iter_first(allowed, 0, ULONG_MAX); node;
	     node = iopt_tree_iter_next(node, 0, ULONG_MAX))
		if (iopt_tree_iter_first(&iopt->reserved, node->start,
					 node->last))
			return -EADDRINUSE;
	swap(*allowed, iopt->allowed);
	return 0;
}

/* Every area (and its page offset) is aligned to @align. */
static int iopt_check_alignment(struct io_pagetable *iopt, unsigned long align)
{
	struct iopt_area *area;

	for (area = iopt_area_first(iopt, 0, ULONG_MAX); area;
	     area = iopt_area_next(area, 0, ULONG_MAX))
		if ((iopt_area_iova(area) & (align - 1)) ||
		    (iopt_area_length(area) & (align - 1)) ||
		    (area->page_offset & (align - 1)))
			return -EADDRINUSE;
	return 0;
}

/* Recompute the alignment from the domains, accesses and option. */
static int iopt_update_alignment(struct io_pagetable *iopt)
{
	unsigned long align = iopt->disable_large_pages ? PAGE_SIZE : 1;
	struct iommufd_access *access;
	struct iopt_domain *idom;
	int rc;

	list_for_each_entry(idom, &iopt->domains, item)
		align = max(align, BIT(__ffs(idom->domain->pgsize_bitmap)));
	list_for_each_entry(access, &iopt->accesses, iopt_item)
		align = max(align, access->iova_alignment);
	if (align > iopt->iova_alignment) {
		rc = iopt_check_alignment(iopt, align);
		if (rc)
			return rc;
	}
	iopt->iova_alignment = align;
	return 0;
}

/**
 * iopt_add_domain() - make a paging domain mirror the IOAS
 * @iopt: the IO page table
 * @idom: the link to add, not on any list
 * @domain: the driver's domain
 *
 * Reserves the IOVA outside the domain's aperture, raises the IOAS's
 * alignment to the domain's smallest page size, pins (if no domain did yet)
 * and maps every area. Return: 0; -EINVAL the domain's smallest page is
 * above PAGE_SIZE; -EADDRINUSE an area lies outside the aperture or is not
 * aligned; a pinning or driver errno. Nothing changes on failure.
 */
int iopt_add_domain(struct io_pagetable *iopt, struct iopt_domain *idom,
		    struct miommu_domain *domain)
{
	unsigned long align = max(iopt->iova_alignment,
				  BIT(__ffs(domain->pgsize_bitmap)));
	bool first = list_empty(&iopt->domains);
	struct iopt_area *area, *undo;
	int rc;

	if (align > PAGE_SIZE)
		return -EINVAL;
	if (align != iopt->iova_alignment) {
		rc = iopt_check_alignment(iopt, align);
		if (rc)
			return rc;
	}
	if (domain->aperture_start) {
		rc = iopt_reserve(iopt, 0, domain->aperture_start - 1, idom);
		if (rc)
			goto out_unreserve;
	}
	if (domain->aperture_last != ULONG_MAX) {
		rc = iopt_reserve(iopt, domain->aperture_last + 1, ULONG_MAX,
				  idom);
		if (rc)
			goto out_unreserve;
	}

	for (area = iopt_area_first(iopt, 0, ULONG_MAX); area;
	     area = iopt_area_next(area, 0, ULONG_MAX)) {
		if (first) {
			rc = iopt_pages_hold(area->pages, &area->dom_hold,
					     area->first_index,
					     area->last_index);
			if (rc)
				goto out_unfill;
		}
		rc = iopt_area_map_domain(area, domain,
					  iopt->disable_large_pages);
		if (rc) {
			if (first)
				iopt_pages_unhold(area->pages, &area->dom_hold);
			goto out_unfill;
		}
		if (first)
			area->filled = true;
		if (fatal_signal_pending(current)) {
			area = iopt_area_next(area, 0, ULONG_MAX);
			rc = -EINTR;
			goto out_unfill;
		}
	}

	idom->domain = domain;
	list_add_tail(&idom->item, &iopt->domains);
	iopt->iova_alignment = align;
	return 0;

out_unfill:
	for (undo = iopt_area_first(iopt, 0, ULONG_MAX); undo && undo != area;
	     undo = iopt_area_next(undo, 0, ULONG_MAX)) {
		iopt_area_unmap_domain(undo, domain);
		if (first) {
			iopt_pages_unhold(undo->pages, &undo->dom_hold);
			undo->filled = false;
		}
	}
out_unreserve:
	iopt_unreserve(iopt, idom);
	return rc;
}

/**
 * iopt_remove_domain() - undo iopt_add_domain()
 * @iopt: the IO page table
 * @idom: the link given to iopt_add_domain()
 *
 * Unmaps every area from the domain; with no domain left, the pages are
 * unpinned unless an access holds them.
 */
void iopt_remove_domain(struct io_pagetable *iopt, struct iopt_domain *idom)
{
	struct iopt_area *area;

	list_del(&idom->item);
	for (area = iopt_area_first(iopt, 0, ULONG_MAX); area;
	     area = iopt_area_next(area, 0, ULONG_MAX)) {
		iopt_area_unmap_domain(area, idom->domain);
		if (list_empty(&iopt->domains) && area->filled) {
			iopt_pages_unhold(area->pages, &area->dom_hold);
			area->filled = false;
		}
	}
	iopt_unreserve(iopt, idom);
	WARN_ON(iopt_update_alignment(iopt));
}

/**
 * iopt_check_access() - could @access attach to the IOAS
 * @iopt: the IO page table
 * @access: the access
 *
 * Return: 0, or -EADDRINUSE when an area is not aligned to the access's
 * alignment.
 */
int iopt_check_access(struct io_pagetable *iopt, struct iommufd_access *access)
{
	if (access->iova_alignment <= iopt->iova_alignment)
		return 0;
	return iopt_check_alignment(iopt, access->iova_alignment);
}

/**
 * iopt_add_access() - attach an in-kernel access to the IOAS
 * @iopt: the IO page table
 * @access: the access, not attached anywhere
 *
 * Return: 0, or -EADDRINUSE when an area is not aligned to the access's
 * alignment.
 */
int iopt_add_access(struct io_pagetable *iopt, struct iommufd_access *access)
{
	int rc;

	list_add_tail(&access->iopt_item, &iopt->accesses);
	rc = iopt_update_alignment(iopt);
	if (rc)
		list_del(&access->iopt_item);
	return rc;
}

/**
 * iopt_remove_access() - undo iopt_add_access(); the access has no pin left
 * @iopt: the IO page table
 * @access: the access
 */
void iopt_remove_access(struct io_pagetable *iopt,
			struct iommufd_access *access)
{
	list_del(&access->iopt_item);
	WARN_ON(iopt_update_alignment(iopt));
}

/**
 * iopt_disable_large_pages() - IOMMU_OPTION_HUGE_PAGES = 0
 * @iopt: the IO page table
 *
 * Return: 0; -EINVAL once domains hold mappings (upstream); -EADDRINUSE
 * when an area is not PAGE_SIZE aligned.
 */
int iopt_disable_large_pages(struct io_pagetable *iopt)
{
	int rc;

	if (iopt->disable_large_pages)
		return 0;
	if (!list_empty(&iopt->domains) &&
	    !RB_EMPTY_ROOT(&iopt->areas.rb_root))
		return -EINVAL;
	iopt->disable_large_pages = true;
	rc = iopt_update_alignment(iopt);
	if (rc)
		iopt->disable_large_pages = false;
	return rc;
}

/**
 * iopt_enable_large_pages() - IOMMU_OPTION_HUGE_PAGES = 1
 * @iopt: the IO page table
 */
void iopt_enable_large_pages(struct io_pagetable *iopt)
{
	iopt->disable_large_pages = false;
	WARN_ON(iopt_update_alignment(iopt));
}

/**
 * iopt_allowed_ranges() - the complement of the reserved ranges
 * @iopt: the IO page table
 * @out: array for the ranges, may be NULL when @max is 0
 * @max: entries @out holds
 *
 * Return: the number of ranges (may exceed @max; only @max are written).
 * Reserved ranges come in ascending start order and may overlap, hence the
 * running @next.
 */
unsigned int iopt_allowed_ranges(struct io_pagetable *iopt,
				 struct iommu_iova_range *out,
				 unsigned int max)
{
	unsigned long next = 0;
	struct iopt_node *node;
	unsigned int n = 0;

	for (node = iopt_tree_iter_first(&iopt->reserved, 0, ULONG_MAX); node;
	     node = iopt_tree_iter_next(node, 0, ULONG_MAX)) {
		if (node->start > next) {
			if (n < max) {
				out[n].start = next;
				out[n].last = node->start - 1;
			}
			n++;
		}
		if (node->last == ULONG_MAX)
			return n;
		next = max(next, node->last + 1);
	}
	if (n < max) {
		out[n].start = next;
		out[n].last = ULONG_MAX;
	}
	return n + 1;
}
