/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The IO page table of an IOAS, as upstream iommufd models it: areas of IOVA
 * that each point at a slice of an iopt_pages (a span of user memory shared
 * by every area made from the same IOAS_MAP, IOAS_COPY or split), pinned
 * only while something needs the pages: a paging domain of the IOAS or an
 * in-kernel access. Every function here runs under the file's ictx->lock.
 */
#ifndef IO_PAGETABLE_H
#define IO_PAGETABLE_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/rbtree.h>
#include <linux/xarray.h>

#include "miommu.h"

struct iommufd_ctx;
struct file;
struct iommufd_access;
struct mm_struct;
struct task_struct;
struct user_struct;

/**
 * struct iopt_node - an inclusive interval in one of the interval trees
 * @rb: rbtree linkage
 * @start: first IOVA, or first page index in an iopt_pages
 * @last: last one (inclusive)
 * @subtree_last: interval-tree bookkeeping
 */
struct iopt_node {
	struct rb_node rb;
	unsigned long start;
	unsigned long last;
	unsigned long subtree_last;
};

/* Interval tree of struct iopt_node (drivers/core/io_pagetable.c). */
void iopt_tree_insert(struct iopt_node *node, struct rb_root_cached *root);
void iopt_tree_remove(struct iopt_node *node, struct rb_root_cached *root);
struct iopt_node *iopt_tree_iter_first(struct rb_root_cached *root,
				       unsigned long start, unsigned long last);
struct iopt_node *iopt_tree_iter_next(struct iopt_node *node,
				      unsigned long start, unsigned long last);

/* How pinned pages are charged (upstream's IOMMU_OPTION_RLIMIT_MODE). */
enum iopt_account_mode {
	IOPT_ACCOUNT_NONE,	/* the mapper had CAP_IPC_LOCK */
	IOPT_ACCOUNT_USER,	/* user_struct->locked_vm, RLIMIT_MEMLOCK */
	IOPT_ACCOUNT_MM,	/* mm->locked_vm through __account_locked_vm() */
};

/**
 * struct iopt_pages - a span of user memory or of a file that areas map
 * @kref: one per area (and per pages-list entry) using it
 * @uptr: page-aligned user address of page index 0; for file-backed pages
 *        (@file set) the page-aligned file offset of page index 0
 * @npages: pages in the span
 * @file: the memfd of IOMMU_IOAS_MAP_FILE (a reference), or NULL for user
 *        memory; pins then come from the file, not from @source_mm
 * @writable: pinned for write (the first IOAS_MAP asked for write)
 * @moving: IOMMU_IOAS_CHANGE_PROCESS is moving this object (set only while
 *          that command runs)
 * @account_mode: enum iopt_account_mode
 * @source_mm: the mm the span belongs to (mmgrab'd): pinning may happen
 *             long after the mapper returned, even from another process
 * @source_task: the mapper's group leader, for its RLIMIT_MEMLOCK
 * @source_user: the mapper's user, charged in IOPT_ACCOUNT_USER mode
 * @npinned: pages pinned now (each pinned exactly once, however many
 *           domains and accesses use it, as upstream's MD_CHECK_REFS expects)
 * @pfns: page index -> xa_mk_value(pfn) for every pinned page
 * @holds: interval tree of struct iopt_hold: who needs which indexes pinned
 */
struct iopt_pages {
	struct kref kref;
	unsigned long uptr;
	unsigned long npages;
	struct file *file;
	bool writable;
	bool moving;
	u8 account_mode;
	struct mm_struct *source_mm;
	struct task_struct *source_task;
	struct user_struct *source_user;
	unsigned long npinned;
	struct xarray pfns;
	struct rb_root_cached holds;
};

/**
 * struct iopt_hold - a range of page indexes someone keeps pinned
 * @node: index range in iopt_pages.holds
 * @users: for an access hold, how many pins of exactly this range exist;
 *         an area's domain hold has 1
 * @access: made by iommufd_access_pin_pages() (else an area's domain hold)
 */
struct iopt_hold {
	struct iopt_node node;
	unsigned int users;
	bool access;
};

/**
 * struct iopt_area - a mapped IOVA range: a slice of an iopt_pages
 * @node: IOVA range in the IOAS's area tree
 * @pages: the memory; one kref of it belongs to the area
 * @page_offset: byte offset of the first IOVA inside page @first_index
 * @first_index: page index (in @pages) of the first IOVA
 * @last_index: page index of the last IOVA
 * @prot: MIOMMU_READ / MIOMMU_WRITE
 * @dom_hold: pinned for the IOAS's domains while @filled
 * @filled: mapped in every paging domain of the IOAS (it has at least one)
 * @num_accesses: access pins inside the area: IOAS_UNMAP must ask the
 *                accesses to drop them first
 * @prevent_access: set while an unmap waits for accesses: new pins fail
 * @num_locks: pins of internal accesses (HW queues) inside the area:
 *             IOAS_UNMAP answers EBUSY while any is held (upstream)
 */
struct iopt_area {
	struct iopt_node node;
	struct iopt_pages *pages;
	unsigned long page_offset;
	unsigned long first_index;
	unsigned long last_index;
	int prot;
	struct iopt_hold dom_hold;
	bool filled;
	unsigned int num_accesses;
	bool prevent_access;
	unsigned int num_locks;
};

/**
 * struct iopt_reserved - a reserved IOVA range
 * @node: IOVA range in the reserved tree (ranges may overlap)
 * @owner: tag of whoever reserved it (a device attach, a domain aperture,
 *         NULL for IOMMU_TEST_OP_ADD_RESERVED)
 */
struct iopt_reserved {
	struct iopt_node node;
	const void *owner;
};

/**
 * struct iopt_domain - a paging domain filled from an IOAS
 * @item: entry in io_pagetable.domains
 * @domain: the driver's domain
 */
struct iopt_domain {
	struct list_head item;
	struct miommu_domain *domain;
};

/**
 * struct io_pagetable - the IOVA space of one IOAS
 * @ictx: the file it belongs to (for its accounting mode)
 * @areas: interval tree of struct iopt_area (never overlapping)
 * @reserved: interval tree of struct iopt_reserved
 * @allowed: interval tree of struct iopt_node set by IOAS_ALLOW_IOVAS;
 *           empty means every IOVA is allowed
 * @domains: struct iopt_domain of every paging domain mirroring the IOAS
 * @accesses: struct iommufd_access attached to the IOAS
 * @iova_alignment: bytes every IOVA, length and page offset must be
 *                  aligned to: 1 with no domain (upstream), else the
 *                  domains' smallest page size
 * @disable_large_pages: IOMMU_OPTION_HUGE_PAGES = 0: PAGE_SIZE mappings only
 */
struct io_pagetable {
	struct iommufd_ctx *ictx;
	struct rb_root_cached areas;
	struct rb_root_cached reserved;
	struct rb_root_cached allowed;
	struct list_head domains;
	struct list_head accesses;
	unsigned long iova_alignment;
	bool disable_large_pages;
};

/**
 * struct iopt_pages_list - one slice of an iopt_pages, for IOAS_COPY
 * @next: list linkage
 * @pages: the pages (one kref held by the entry)
 * @start_byte: byte offset of the slice from @pages->uptr
 * @length: bytes
 */
struct iopt_pages_list {
	struct list_head next;
	struct iopt_pages *pages;
	unsigned long start_byte;
	unsigned long length;
};

/* pages.c */
struct iopt_pages *iopt_alloc_pages(unsigned long uptr, unsigned long length,
				    bool writable, u8 account_mode);
struct iopt_pages *iopt_alloc_file_pages(struct file *file, unsigned long start,
					 unsigned long length, bool writable,
					 u8 account_mode);
void iopt_put_pages(struct iopt_pages *pages);
int iopt_account_current(u8 account_mode, unsigned long n, bool inc);
bool iopt_pages_need_recharge(struct iopt_pages *pages);
void iopt_pages_change_owner(struct iopt_pages *pages);
int iopt_pages_hold(struct iopt_pages *pages, struct iopt_hold *hold,
		    unsigned long first, unsigned long last);
void iopt_pages_unhold(struct iopt_pages *pages, struct iopt_hold *hold);
struct page *iopt_pages_page(struct iopt_pages *pages, unsigned long index);
int iopt_pages_rw(struct iopt_pages *pages, unsigned long start_byte,
		  void *data, unsigned long length, bool write, bool slow);
int iopt_area_map_domain(struct iopt_area *area, struct miommu_domain *domain,
			 bool small_pages);
void iopt_area_unmap_domain(struct iopt_area *area,
			    struct miommu_domain *domain);
int iopt_domain_map_range(struct miommu_domain *domain, unsigned long iova,
			  phys_addr_t paddr, unsigned long length, int prot,
			  bool small_pages);
void iopt_domain_unmap_range(struct miommu_domain *domain, unsigned long iova,
			     unsigned long length);
extern unsigned long iopt_batch_limit;

/* io_pagetable.c */
void iopt_init_table(struct io_pagetable *iopt, struct iommufd_ctx *ictx);
void iopt_destroy_table(struct io_pagetable *iopt);
int iopt_map_user(struct io_pagetable *iopt, unsigned long *iova,
		  unsigned long uptr, unsigned long length, int prot,
		  bool fixed);
int iopt_map_file(struct io_pagetable *iopt, unsigned long *iova,
		  struct file *file, unsigned long start, unsigned long length,
		  int prot, bool fixed);
int iopt_get_pages(struct io_pagetable *iopt, unsigned long iova,
		   unsigned long length, struct list_head *pages_list);
void iopt_free_pages_list(struct list_head *pages_list);
int iopt_map_pages(struct io_pagetable *iopt, struct list_head *pages_list,
		   unsigned long length, unsigned long *iova, int prot,
		   bool fixed);
int iopt_unmap_iova(struct io_pagetable *iopt, unsigned long iova,
		    unsigned long length, unsigned long *unmapped);
int iopt_unmap_all(struct io_pagetable *iopt, unsigned long *unmapped);
int iopt_cut_iova(struct io_pagetable *iopt, unsigned long *iovas,
		  unsigned int num);
int iopt_reserve(struct io_pagetable *iopt, unsigned long start,
		 unsigned long last, const void *owner);
void iopt_unreserve(struct io_pagetable *iopt, const void *owner);
int iopt_set_allowed(struct io_pagetable *iopt, struct rb_root_cached *allowed);
void iopt_free_tree(struct rb_root_cached *root);
int iopt_add_domain(struct io_pagetable *iopt, struct iopt_domain *idom,
		    struct miommu_domain *domain);
void iopt_remove_domain(struct io_pagetable *iopt, struct iopt_domain *idom);
int iopt_check_access(struct io_pagetable *iopt, struct iommufd_access *access);
int iopt_add_access(struct io_pagetable *iopt, struct iommufd_access *access);
void iopt_remove_access(struct io_pagetable *iopt,
			struct iommufd_access *access);
int iopt_disable_large_pages(struct io_pagetable *iopt);
void iopt_enable_large_pages(struct io_pagetable *iopt);
unsigned int iopt_allowed_ranges(struct io_pagetable *iopt,
				 struct iommu_iova_range *out,
				 unsigned int max);
struct iopt_area *iopt_area_first(struct io_pagetable *iopt,
				  unsigned long start, unsigned long last);
struct iopt_area *iopt_area_next(struct iopt_area *area, unsigned long start,
				 unsigned long last);

static inline unsigned long iopt_area_iova(struct iopt_area *area)
{
	return area->node.start;
}

static inline unsigned long iopt_area_last_iova(struct iopt_area *area)
{
	return area->node.last;
}

static inline unsigned long iopt_area_length(struct iopt_area *area)
{
	return area->node.last - area->node.start + 1;
}

/* Byte offset from pages->uptr of @iova inside @area. */
static inline unsigned long iopt_area_start_byte(struct iopt_area *area,
						 unsigned long iova)
{
	return area->first_index * PAGE_SIZE + area->page_offset +
	       (iova - area->node.start);
}

/* Page index in area->pages of @iova inside @area. */
static inline unsigned long iopt_area_index(struct iopt_area *area,
					    unsigned long iova)
{
	return iopt_area_start_byte(area, iova) / PAGE_SIZE;
}

#endif
