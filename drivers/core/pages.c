// SPDX-License-Identifier: GPL-2.0
/*
 * iopt_pages: user memory behind IOAS areas, pinned lazily.
 *
 * Upstream iommufd pins the pages of a mapping only when a paging domain or
 * an in-kernel access needs them, pins each page once however many users it
 * has, and charges the pin to the mapper (RLIMIT_MEMLOCK per user, or the
 * mm's locked_vm, or nothing with CAP_IPC_LOCK). This file keeps the same
 * rules with a simpler store: the pfn of every pinned page sits in an
 * xarray, and an interval tree of holds says which page indexes someone
 * needs. A page is pinned exactly while a hold covers it.
 *
 * Pinning, unpinning and mapping run in bounded batches (at most
 * iopt_batch_limit bytes of page pointers, settable by upstream's
 * IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT), reschedule between batches and stop
 * on a fatal signal. Callers hold the file's ictx->lock.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/io.h>
#include <linux/magic.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/sched/user.h>
#include <linux/shmem_fs.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "iommufd_private.h"

/* Bytes of page pointers one batch may use (upstream's default 64 KiB). */
unsigned long iopt_batch_limit = 65536;

static unsigned long batch_entries(unsigned long want)
{
	unsigned long max = max(iopt_batch_limit / sizeof(struct page *), 1UL);

	return min3(want, max, 65536UL / sizeof(struct page *));
}

/* A pages object of @npages pages from @uptr (page aligned); pins nothing. */
static struct iopt_pages *pages_alloc(unsigned long uptr, unsigned long npages,
				      bool writable, u8 account_mode)
{
	struct iopt_pages *pages;

	pages = kzalloc(sizeof(*pages), GFP_KERNEL_ACCOUNT);
	if (!pages)
		return ERR_PTR(-ENOMEM);
	kref_init(&pages->kref);
	pages->uptr = uptr;
	pages->npages = npages;
	pages->writable = writable;
	pages->account_mode = capable(CAP_IPC_LOCK) ? IOPT_ACCOUNT_NONE :
						      account_mode;
	xa_init_flags(&pages->pfns, XA_FLAGS_ACCOUNT);
	pages->holds = RB_ROOT_CACHED;
	pages->source_mm = current->mm;
	mmgrab(pages->source_mm);
	pages->source_task = current->group_leader;
	get_task_struct(pages->source_task);
	pages->source_user = get_uid(current_user());
	return pages;
}

/**
 * iopt_alloc_pages() - describe user memory for a new mapping; pins nothing
 * @uptr: user address (any alignment)
 * @length: bytes, not 0
 * @writable: pages will be pinned for write
 * @account_mode: the file's accounting mode (IOPT_ACCOUNT_USER or _MM); the
 *                mapper's CAP_IPC_LOCK turns it into IOPT_ACCOUNT_NONE
 *
 * Return: the pages with one kref, or ERR_PTR(-EINVAL/-EOVERFLOW/-ENOMEM).
 */
struct iopt_pages *iopt_alloc_pages(unsigned long uptr, unsigned long length,
				    bool writable, u8 account_mode)
{
	unsigned long end, first;

	if (!length || length > ULONG_MAX - PAGE_SIZE)
		return ERR_PTR(-EINVAL);
	if (check_add_overflow(uptr, length, &end))
		return ERR_PTR(-EOVERFLOW);
	first = ALIGN_DOWN(uptr, PAGE_SIZE);
	return pages_alloc(first, DIV_ROUND_UP(end - first, PAGE_SIZE),
			   writable, account_mode);
}

static void iopt_release_pages(struct kref *kref)
{
	struct iopt_pages *pages = container_of(kref, struct iopt_pages, kref);

	WARN_ON(pages->npinned);
	WARN_ON(!RB_EMPTY_ROOT(&pages->holds.rb_root));
	xa_destroy(&pages->pfns);
	mmdrop(pages->source_mm);
	put_task_struct(pages->source_task);
	free_uid(pages->source_user);
	if (pages->file)
		fput(pages->file);
	kfree(pages);
}

/**
 * iopt_put_pages() - drop one kref of @pages
 * @pages: pages with no hold left once the last kref goes
 */
void iopt_put_pages(struct iopt_pages *pages)
{
	kref_put(&pages->kref, iopt_release_pages);
}

/* Charge or refund @n pinned pages as upstream does for its three modes. */
static int pages_account(struct iopt_pages *pages, unsigned long n, bool inc)
{
	unsigned long limit, cur, new;
	int rc;

	switch (pages->account_mode) {
	case IOPT_ACCOUNT_USER:
		if (!inc) {
			atomic_long_sub(n, &pages->source_user->locked_vm);
			break;
		}
		limit = task_rlimit(pages->source_task, RLIMIT_MEMLOCK) >>
			PAGE_SHIFT;
		cur = atomic_long_read(&pages->source_user->locked_vm);
		do {
			new = cur + n;
			if (new > limit)
				return -ENOMEM;
		} while (!atomic_long_try_cmpxchg(&pages->source_user->locked_vm,
						  &cur, new));
		break;
	case IOPT_ACCOUNT_MM:
		/* An exited mm has no locked_vm left to refund */
		if (!mmget_not_zero(pages->source_mm)) {
			if (inc)
				return -EFAULT;
			break;
		}
		mmap_write_lock(pages->source_mm);
		rc = __account_locked_vm(pages->source_mm, n, inc,
					 pages->source_task, false);
		mmap_write_unlock(pages->source_mm);
		mmput(pages->source_mm);
		if (rc)
			return rc;
		break;
	default:
		break;
	}
	if (inc)
		atomic64_add(n, &pages->source_mm->pinned_vm);
	else
		atomic64_sub(n, &pages->source_mm->pinned_vm);
	return 0;
}

/**
 * iopt_account_current() - charge or refund pins to the calling process
 * @account_mode: enum iopt_account_mode to charge by
 * @n: pages
 * @inc: charge (else refund)
 *
 * For IOMMU_IOAS_CHANGE_PROCESS, which charges the caller before it
 * refunds the old owners. Return: 0; -ENOMEM over RLIMIT_MEMLOCK or
 * mm->locked_vm's limit; -EFAULT the caller has no mm.
 */
int iopt_account_current(u8 account_mode, unsigned long n, bool inc)
{
	struct iopt_pages tmp = {
		.account_mode = account_mode,
		.source_mm = current->mm,
		.source_task = current->group_leader,
		.source_user = current_user(),
	};

	if (!current->mm)
		return -EFAULT;
	if (!n)
		return 0;
	return pages_account(&tmp, n, inc);
}

/**
 * iopt_pages_need_recharge() - is @pages charged to another process
 * @pages: the pages
 *
 * Every mode charges mm->pinned_vm, so another mm means a move; the USER
 * mode also charges the user. Return: true when
 * iopt_pages_change_owner() moves a charge.
 */
bool iopt_pages_need_recharge(struct iopt_pages *pages)
{
	if (pages->source_mm != current->mm)
		return true;
	return pages->account_mode == IOPT_ACCOUNT_USER &&
	       pages->source_user != current_user();
}

/**
 * iopt_pages_change_owner() - make the calling process own @pages
 * @pages: file-backed pages; the caller charged its pins to the calling
 *         process already when iopt_pages_need_recharge() said so
 *
 * Refunds the old owner and takes the caller's mm, group leader and user
 * for every later charge and refund (upstream's change_mm).
 */
void iopt_pages_change_owner(struct iopt_pages *pages)
{
	struct task_struct *old_task = pages->source_task;
	struct user_struct *old_user = pages->source_user;
	struct mm_struct *old_mm = pages->source_mm;

	if (iopt_pages_need_recharge(pages) && pages->npinned)
		pages_account(pages, pages->npinned, false);
	pages->source_mm = current->mm;
	mmgrab(pages->source_mm);
	pages->source_task = current->group_leader;
	get_task_struct(pages->source_task);
	pages->source_user = get_uid(current_user());
	mmdrop(old_mm);
	put_task_struct(old_task);
	free_uid(old_user);
}

/*
 * A read-only long-term pin of a private file mapping must not hold the page
 * cache page: the process's next write would copy-on-write away from what
 * the device reads. GUP unshares such pages itself from Linux 6.2 on; 6.1
 * does not, so where the mapping allows writes the pin asks for write
 * access, which breaks COW the same way (upstream's ro_unshare test). One
 * VMA at a time: *@n is cut at the end of the VMA holding @uaddr. The
 * caller holds @mm's mmap lock for reading.
 */
static unsigned int pages_unshare_flags(struct mm_struct *mm,
					unsigned long uaddr, unsigned long *n,
					unsigned int gup_flags)
{
	struct vm_area_struct *vma;

	if ((gup_flags & (FOLL_LONGTERM | FOLL_WRITE)) != FOLL_LONGTERM)
		return gup_flags;
	vma = vma_lookup(mm, uaddr);
	if (!vma)
		return gup_flags;
	*n = min(*n, (vma->vm_end - uaddr) >> PAGE_SHIFT);
	if (vma->vm_file && (vma->vm_flags & (VM_WRITE | VM_SHARED)) == VM_WRITE)
		gup_flags |= FOLL_WRITE;
	return gup_flags;
}

/*
 * Pin @n pages from user address @uaddr of the source mm into @out. The
 * mapper's own mm takes the fast path; any other (a forked child's mapping,
 * a process that has exited) needs a live mm: -EFAULT when it is gone, as
 * upstream's fork_gone test expects. May pin fewer than @n.
 */
static long pages_pin_user(struct iopt_pages *pages, unsigned long uaddr,
			   unsigned long n, unsigned int gup_flags,
			   struct page **out)
{
	struct mm_struct *mm = pages->source_mm;
	long rc;

	if (current->mm == mm) {
		if ((gup_flags & (FOLL_LONGTERM | FOLL_WRITE)) == FOLL_LONGTERM) {
			mmap_read_lock(mm);
			gup_flags = pages_unshare_flags(mm, uaddr, &n, gup_flags);
			mmap_read_unlock(mm);
		}
		return pin_user_pages_fast(uaddr, n, gup_flags, out);
	}

	if (!mmget_not_zero(mm))
		return -EFAULT;
	mmap_read_lock(mm);
	gup_flags = pages_unshare_flags(mm, uaddr, &n, gup_flags);
#ifdef MIOMMU_PIN_REMOTE_VMAS
	rc = pin_user_pages_remote(mm, uaddr, n, gup_flags, out, NULL, NULL);
#else
	rc = pin_user_pages_remote(mm, uaddr, n, gup_flags, out, NULL);
#endif
	mmap_read_unlock(mm);
	mmput(mm);
	return rc;
}

/*
 * File-backed pages (IOMMU_IOAS_MAP_FILE): @pages->uptr is the file offset
 * of page index 0 and pages come from the file's page cache through
 * memfd_pin_folios() (Linux 6.11+), as upstream pins them. That pins each
 * folio once however many of its pages the range covers; this file keeps
 * one pin per small page (so that pages_unpin_batch() and MD_CHECK_REFS
 * see what they see for user memory), so the further pages of a large
 * folio take one more memfd_pin_folios() call each. The kernel has no
 * exported way to add pins to a folio before folio_add_pins() (newer than
 * 6.12, not used yet).
 */
#ifdef MIOMMU_HAVE_MEMFD_PIN
/* Pin the one page at index @index of the file of @pages. */
static int pages_pin_file_page(struct iopt_pages *pages, unsigned long index,
			       struct page **out)
{
	loff_t pos = pages->uptr + index * PAGE_SIZE;
	struct folio *folio;
	pgoff_t offset;
	long got;

	got = memfd_pin_folios(pages->file, pos, pos + PAGE_SIZE - 1, &folio, 1,
			       &offset);
	if (got <= 0)
		return got ? got : -EFAULT;
	*out = folio_page(folio, offset >> PAGE_SHIFT);
	return 0;
}

/*
 * Pin up to @n pages from page index @index of the file into @out, one pin
 * per page. Return: pages pinned (at least 1), or an errno: -EINVAL when
 * the range passes the end of the file (memfd_pin_folios()), -ENOMEM.
 */
static long pages_pin_file(struct iopt_pages *pages, unsigned long index,
			   unsigned long n, struct page **out)
{
	loff_t pos = pages->uptr + index * PAGE_SIZE;
	unsigned long done = 0, first, npin, k;
	struct folio **folios;
	pgoff_t offset;
	long got, i;
	int rc = 0;

	folios = kmalloc_array(n, sizeof(*folios), GFP_KERNEL_ACCOUNT);
	if (!folios)
		return -ENOMEM;
	got = memfd_pin_folios(pages->file, pos, pos + n * PAGE_SIZE - 1, folios,
			       n, &offset);
	if (got <= 0) {
		kfree(folios);
		return got ? got : -EFAULT;
	}
	for (i = 0; i < got; i++) {
		first = offset >> PAGE_SHIFT;
		npin = min(folio_nr_pages(folios[i]) - first, n - done);
		/* The folio's own pin goes with its first page */
		out[done++] = folio_page(folios[i], first);
		for (k = 1; k < npin && !rc; k++) {
			rc = pages_pin_file_page(pages, index + done, &out[done]);
			if (!rc)
				done++;
		}
		offset = 0;
		if (rc)
			break;
	}
	/* Folios after a failed extra pin were pinned but are not used */
	if (rc && i + 1 < got)
		unpin_folios(folios + i + 1, got - i - 1);
	kfree(folios);
	return done;
}

/* The kind of file memfd_pin_folios() accepts: shmem or hugetlbfs. */
static bool pages_file_ok(struct file *file)
{
	return shmem_mapping(file->f_mapping) ||
	       file_inode(file)->i_sb->s_magic == HUGETLBFS_MAGIC;
}
#else
static int pages_pin_file_page(struct iopt_pages *pages, unsigned long index,
			       struct page **out)
{
	return -EOPNOTSUPP;
}

static long pages_pin_file(struct iopt_pages *pages, unsigned long index,
			   unsigned long n, struct page **out)
{
	return -EOPNOTSUPP;
}

static bool pages_file_ok(struct file *file)
{
	return false;
}
#endif

/**
 * iopt_alloc_file_pages() - describe part of a memfd for a mapping
 * @file: the file; the pages keep a reference to it
 * @start: byte offset in the file (any alignment)
 * @length: bytes, not 0
 * @writable: pages will be pinned for write
 * @account_mode: as for iopt_alloc_pages()
 *
 * Pins nothing: the file's pages are pinned when a domain or an access
 * needs them, and the range must then lie inside the file. Return: the
 * pages with one kref; ERR_PTR(-EINVAL) length 0 or too large, or the file
 * is neither shmem nor hugetlbfs (upstream refuses it with EINVAL when it
 * pins); ERR_PTR(-EOVERFLOW) @start + @length - 1 overflows;
 * ERR_PTR(-EOPNOTSUPP) the kernel lacks memfd_pin_folios() (before 6.11);
 * ERR_PTR(-ENOMEM).
 */
struct iopt_pages *iopt_alloc_file_pages(struct file *file, unsigned long start,
					 unsigned long length, bool writable,
					 u8 account_mode)
{
	struct iopt_pages *pages;
	unsigned long last;

#ifndef MIOMMU_HAVE_MEMFD_PIN
	return ERR_PTR(-EOPNOTSUPP);
#endif
	if (!length || length > ULONG_MAX - PAGE_SIZE)
		return ERR_PTR(-EINVAL);
	if (check_add_overflow(start, length - 1, &last))
		return ERR_PTR(-EOVERFLOW);
	if (!pages_file_ok(file))
		return ERR_PTR(-EINVAL);
	pages = pages_alloc(ALIGN_DOWN(start, PAGE_SIZE),
			    last / PAGE_SIZE - start / PAGE_SIZE + 1, writable,
			    account_mode);
	if (!IS_ERR(pages))
		pages->file = get_file(file);
	return pages;
}

/* Drop @n pins collected from @pages. */
static void pages_unpin_batch(struct iopt_pages *pages, struct page **batch,
			      unsigned long n)
{
	unsigned long i, run;

	/*
	 * Physically contiguous pages go back as one range: a folio is
	 * dirtied and unpinned once, not once per small page.
	 */
	for (i = 0; i < n; i += run) {
		for (run = 1; i + run < n; run++)
			if (page_to_pfn(batch[i + run]) !=
			    page_to_pfn(batch[i]) + run)
				break;
		unpin_user_page_range_dirty_lock(batch[i], run,
						 pages->writable);
	}
	pages->npinned -= n;
	pages_account(pages, n, false);
}

/*
 * Unpin and forget indexes [@first, @last], all of them pinned. When they
 * are the last pinned pages (a whole mapping going away), the pfns are only
 * read and the xarray is emptied in one xa_destroy() at the end instead of
 * one erase per page.
 */
static void pages_unpin_span(struct iopt_pages *pages, unsigned long first,
			     unsigned long last)
{
	bool all = last - first + 1 == pages->npinned;
	XA_STATE(xas, &pages->pfns, first);
	struct page *batch[128];
	unsigned long index = first, n, i;
	void *entry;

	/* Batches of consecutive indexes: one lock round trip each */
	while (index <= last) {
		n = min_t(unsigned long, ARRAY_SIZE(batch), last - index + 1);
		xas_lock(&xas);
		xas_set(&xas, index);
		for (i = 0; i < n; i++) {
			if (all)
				entry = i ? xas_next(&xas) : xas_load(&xas);
			else
				entry = __xa_erase(&pages->pfns, index + i);
			batch[i] = WARN_ON(!entry) ? NULL :
				   pfn_to_page(xa_to_value(entry));
		}
		xas_unlock(&xas);
		for (i = 0; i < n; i++)
			if (WARN_ON(!batch[i]))
				return;
		pages_unpin_batch(pages, batch, n);
		if (n == ARRAY_SIZE(batch) && last - index + 1 > n)
			cond_resched();
		index += n;
	}
	if (all)
		xa_destroy(&pages->pfns);
}

/* Record @n pinned pages from index @index in one xarray walk. */
static int pages_store_pfns(struct iopt_pages *pages, unsigned long index,
			    struct page **batch, unsigned long n)
{
	XA_STATE(xas, &pages->pfns, index);
	unsigned long i = 0;

	do {
		xas_lock(&xas);
		while (i < n) {
			xas_store(&xas, xa_mk_value(page_to_pfn(batch[i])));
			if (xas_error(&xas))
				break;
			i++;
			xas_next(&xas);
		}
		xas_unlock(&xas);
	} while (xas_nomem(&xas, GFP_KERNEL_ACCOUNT));
	if (xas_error(&xas)) {
		/* Forget the part stored: the caller unpins the whole batch */
		xa_lock(&pages->pfns);
		while (i--)
			__xa_erase(&pages->pfns, index + i);
		xa_unlock(&pages->pfns);
		return xas_error(&xas);
	}
	return 0;
}

/* Pin indexes [@first, @last], none of them pinned yet; all or nothing. */
static int pages_pin_span(struct iopt_pages *pages, unsigned long first,
			  unsigned long last)
{
	unsigned int gup_flags = FOLL_LONGTERM;
	unsigned long max, done = first;
	struct page **batch;
	long got;
	int rc = 0;

	if (pages->writable)
		gup_flags |= FOLL_WRITE;
	max = batch_entries(last - first + 1);
	batch = kmalloc_array(max, sizeof(*batch), GFP_KERNEL_ACCOUNT);
	if (!batch)
		return -ENOMEM;

	while (done <= last) {
		unsigned long n = min(max, last - done + 1);

		if (fatal_signal_pending(current)) {
			rc = -EINTR;
			break;
		}
		rc = pages_account(pages, n, true);
		if (rc)
			break;
		if (pages->file)
			got = pages_pin_file(pages, done, n, batch);
		else
			got = pages_pin_user(pages, pages->uptr + done * PAGE_SIZE,
					     n, gup_flags, batch);
		if (got <= 0) {
			pages_account(pages, n, false);
			rc = got ? got : -EFAULT;
			break;
		}
		if (got < n)
			pages_account(pages, n - got, false);
		rc = pages_store_pfns(pages, done, batch, got);
		if (rc) {
			unpin_user_pages(batch, got);
			pages_account(pages, got, false);
			break;
		}
		pages->npinned += got;
		done += got;
		cond_resched();
	}
	kfree(batch);
	if (rc && done > first)
		pages_unpin_span(pages, first, done - 1);
	return rc;
}

/*
 * Pin (or unpin) every maximal sub-range of [@first, @last] that no hold
 * in @pages covers. Holds come out of the interval tree in start order, so
 * one sweep with a cursor finds the gaps. On a pin failure *@stopped is
 * the start of the gap that failed (gaps before it are pinned).
 */
static int pages_walk_gaps(struct iopt_pages *pages, unsigned long first,
			   unsigned long last, bool pin, unsigned long *stopped)
{
	unsigned long cur = first;
	struct iopt_node *node;
	int rc = 0;

	for (node = iopt_tree_iter_first(&pages->holds, first, last); node;
	     node = iopt_tree_iter_next(node, first, last)) {
		if (node->start > cur) {
			if (pin)
				rc = pages_pin_span(pages, cur, node->start - 1);
			else
				pages_unpin_span(pages, cur, node->start - 1);
			if (rc) {
				*stopped = cur;
				return rc;
			}
		}
		if (node->last >= last)
			return 0;
		cur = max(cur, node->last + 1);
	}
	if (pin)
		rc = pages_pin_span(pages, cur, last);
	else
		pages_unpin_span(pages, cur, last);
	if (rc)
		*stopped = cur;
	return rc;
}

/**
 * iopt_pages_hold() - keep indexes [@first, @last] of @pages pinned
 * @pages: the pages
 * @hold: the holder's node, not in any tree; users is set to 1
 * @first: first page index
 * @last: last page index (inclusive, < @pages->npages)
 *
 * Pins what no other hold covers yet. Return: 0; -ENOMEM (memory or
 * RLIMIT_MEMLOCK); -EFAULT (unbacked memory, or the mapper's mm is gone);
 * -EINTR on a fatal signal; another pinning errno. Nothing changes on
 * failure.
 */
int iopt_pages_hold(struct iopt_pages *pages, struct iopt_hold *hold,
		    unsigned long first, unsigned long last)
{
	unsigned long stopped = first;
	int rc;

	rc = pages_walk_gaps(pages, first, last, true, &stopped);
	if (rc) {
		/* Gaps before the failing one were pinned: undo them */
		if (stopped > first)
			pages_walk_gaps(pages, first, stopped - 1, false,
					&stopped);
		return rc;
	}
	hold->node.start = first;
	hold->node.last = last;
	hold->users = 1;
	iopt_tree_insert(&hold->node, &pages->holds);
	return 0;
}

/**
 * iopt_pages_unhold() - drop a hold made by iopt_pages_hold()
 * @pages: the pages
 * @hold: the hold; unpins what no other hold covers
 */
void iopt_pages_unhold(struct iopt_pages *pages, struct iopt_hold *hold)
{
	unsigned long stopped;

	iopt_tree_remove(&hold->node, &pages->holds);
	pages_walk_gaps(pages, hold->node.start, hold->node.last, false,
			&stopped);
}

/**
 * iopt_pages_page() - the pinned page at @index
 * @pages: the pages
 * @index: page index under a hold
 *
 * Return: the page, or NULL when it is not pinned.
 */
struct page *iopt_pages_page(struct iopt_pages *pages, unsigned long index)
{
	void *entry = xa_load(&pages->pfns, index);

	return entry ? pfn_to_page(xa_to_value(entry)) : NULL;
}

/*
 * Copy within one page: through the pinned page when there is one; else,
 * from the mapper's own process, straight through its user address (the
 * fast path); else by pinning that page of the source mm for the copy
 * alone (what upstream's access_rw does, and what @slow forces).
 */
static int pages_rw_page(struct iopt_pages *pages, unsigned long index,
			 unsigned long offset, void *data, unsigned long len,
			 bool write, bool slow)
{
	struct page *page = iopt_pages_page(pages, index);
	void __user *uaddr;
	bool temp = false;
	void *kaddr;
	long got;

	if (!page && !slow && !pages->file && current->mm == pages->source_mm) {
		uaddr = (void __user *)(pages->uptr + index * PAGE_SIZE + offset);
		if (write ? copy_to_user(uaddr, data, len) :
			    copy_from_user(data, uaddr, len))
			return -EFAULT;
		return 0;
	}
	if (!page && pages->file) {
		got = pages_pin_file_page(pages, index, &page);
		if (got)
			return got;
		temp = true;
	} else if (!page) {
		got = pages_pin_user(pages, pages->uptr + index * PAGE_SIZE, 1,
				     write ? FOLL_WRITE : 0, &page);
		if (got != 1)
			return got < 0 ? got : -EFAULT;
		temp = true;
	}
	kaddr = kmap_local_page(page);
	if (write)
		memcpy(kaddr + offset, data, len);
	else
		memcpy(data, kaddr + offset, len);
	kunmap_local(kaddr);
	if (temp)
		unpin_user_pages_dirty_lock(&page, 1, write);
	else if (write)
		set_page_dirty_lock(page);
	return 0;
}

/**
 * iopt_pages_rw() - CPU copy to or from the memory of @pages
 * @pages: the pages
 * @start_byte: byte offset from @pages->uptr
 * @data: kernel buffer
 * @length: bytes
 * @write: copy @data into the pages (else out of them)
 * @slow: never use the mapper's user address directly (upstream's
 *        IOMMUFD_ACCESS_RW_SLOW_PATH test knob)
 *
 * Return: 0, -EFAULT (unbacked memory or the mm is gone), -EINTR.
 */
int iopt_pages_rw(struct iopt_pages *pages, unsigned long start_byte,
		  void *data, unsigned long length, bool write, bool slow)
{
	while (length) {
		unsigned long offset = start_byte % PAGE_SIZE;
		unsigned long len = min(length, PAGE_SIZE - offset);
		int rc;

		if (fatal_signal_pending(current))
			return -EINTR;
		rc = pages_rw_page(pages, start_byte / PAGE_SIZE, offset, data,
				   len, write, slow);
		if (rc)
			return rc;
		start_byte += len;
		data += len;
		length -= len;
		cond_resched();
	}
	return 0;
}

/*
 * Largest page size of @bitmap that @iova and @paddr are both aligned to and
 * that fits in @length, and how many of them to map before a larger size
 * becomes usable. 0 when none fits.
 */
static unsigned long pick_pgsize(unsigned long bitmap, unsigned long iova,
				 phys_addr_t paddr, unsigned long length,
				 unsigned long *count)
{
	unsigned long addr = iova | paddr, sizes, size, bigger, next;

	sizes = bitmap & GENMASK(__fls(length), 0);
	if (addr)
		sizes &= GENMASK(__ffs(addr), 0);
	if (!sizes)
		return 0;
	size = BIT(__fls(sizes));
	*count = length / size;

	/* Stop where the next larger size could take over */
	bigger = bitmap & ~GENMASK(__fls(size), 0);
	if (bigger) {
		next = BIT(__ffs(bigger));
		if (!((iova ^ paddr) & (next - 1))) {
			unsigned long to_edge = (ALIGN(iova + 1, next) - iova) / size;

			if (ALIGN(iova + 1, next) > iova)
				*count = min(*count, to_edge);
		}
	}
	return size;
}

/**
 * iopt_domain_unmap_range() - unmap [@iova, @iova + @length) from a domain
 * @domain: paging domain
 * @iova: first IOVA, aligned to the domain's smallest page size
 * @length: bytes, a multiple of it
 */
void iopt_domain_unmap_range(struct miommu_domain *domain, unsigned long iova,
			     unsigned long length)
{
	while (length) {
		unsigned long count, size;

		size = pick_pgsize(domain->pgsize_bitmap, iova, 0, length,
				   &count);
		if (WARN_ON(!size))
			return;
		count = min(count, max(SZ_2M / size, 1UL));
		domain->ops->unmap_pages(domain, iova, size, count);
		iova += size * count;
		length -= size * count;
		cond_resched();
	}
}

/**
 * iopt_domain_map_range() - map physically contiguous memory into a domain
 * @domain: paging domain
 * @iova: first IOVA
 * @paddr: physical address for @iova
 * @length: bytes
 * @prot: MIOMMU_READ / MIOMMU_WRITE
 * @small_pages: use no page size above PAGE_SIZE (IOMMU_OPTION_HUGE_PAGES 0)
 *
 * Uses the largest page sizes the domain offers where @iova and @paddr
 * allow. Return: 0 or the driver's errno (-EINVAL when no page size of the
 * domain fits the alignment), with nothing of the range left mapped.
 */
int iopt_domain_map_range(struct miommu_domain *domain, unsigned long iova,
			  phys_addr_t paddr, unsigned long length, int prot,
			  bool small_pages)
{
	unsigned long bitmap = domain->pgsize_bitmap, done = 0;
	int rc;

	if (small_pages)
		bitmap &= GENMASK(PAGE_SHIFT, 0);
	while (done < length) {
		unsigned long count, size;
		size_t mapped = 0;

		size = pick_pgsize(bitmap, iova + done, paddr + done,
				   length - done, &count);
		if (!size) {
			rc = -EINVAL;
			goto out_unmap;
		}
		/* Bounded driver calls: a run may be a gigabyte of one folio */
		count = min(count, max(SZ_2M / size, 1UL));
		rc = domain->ops->map_pages(domain, iova + done, paddr + done,
					    size, count, prot, &mapped);
		if (rc) {
			if (mapped)
				iopt_domain_unmap_range(domain, iova + done,
							mapped);
			goto out_unmap;
		}
		done += size * count;
		cond_resched();
	}
	return 0;

out_unmap:
	if (done)
		iopt_domain_unmap_range(domain, iova, done);
	return rc;
}

/**
 * iopt_area_map_domain() - map a filled area's pinned pages into a domain
 * @area: area whose pages are held (area->filled)
 * @domain: paging domain
 * @small_pages: the IOAS disabled large pages
 *
 * Physically contiguous runs go to the domain in one call each, so folios
 * map with large page sizes. Return: 0 or an errno with nothing mapped.
 */
int iopt_area_map_domain(struct iopt_area *area, struct miommu_domain *domain,
			 bool small_pages)
{
	struct iopt_pages *pages = area->pages;
	unsigned long index = area->first_index, iova = iopt_area_iova(area);
	unsigned long end = iopt_area_last_iova(area) + 1;
	XA_STATE(xas, &pages->pfns, index);
	unsigned long pfns[64], n = 0, k = 0;
	unsigned long run_iova = iova;
	phys_addr_t run_pa = 0, pa;
	unsigned long run_len = 0;
	int rc;

	while (iova < end) {
		unsigned long offset = index == area->first_index ?
				       area->page_offset : 0;
		unsigned long len = min(end - iova, PAGE_SIZE - offset);
		void *entry;

		/* pfns come in batches of one xarray walk each */
		if (k == n) {
			n = min_t(unsigned long, ARRAY_SIZE(pfns),
				  area->last_index - index + 1);
			rcu_read_lock();
			xas_set(&xas, index);
			for (k = 0; k < n; k++) {
				do {
					entry = k ? xas_next(&xas) : xas_load(&xas);
				} while (xas_retry(&xas, entry));
				pfns[k] = entry ? xa_to_value(entry) : 0;
			}
			rcu_read_unlock();
			k = 0;
			cond_resched();
		}
		if (WARN_ON(!pfns[k])) {
			rc = -EFAULT;
			goto out_unmap;
		}
		pa = PFN_PHYS(pfns[k++]) + offset;
		if (run_len && run_pa + run_len != pa) {
			rc = iopt_domain_map_range(domain, run_iova, run_pa,
						   run_len, area->prot,
						   small_pages);
			if (rc)
				goto out_unmap;
			run_iova += run_len;
			run_len = 0;
		}
		if (!run_len)
			run_pa = pa;
		run_len += len;
		iova += len;
		index++;
	}
	rc = iopt_domain_map_range(domain, run_iova, run_pa, run_len,
				   area->prot, small_pages);
	if (!rc)
		return 0;

out_unmap:
	if (run_iova > iopt_area_iova(area))
		iopt_domain_unmap_range(domain, iopt_area_iova(area),
					run_iova - iopt_area_iova(area));
	return rc;
}

/**
 * iopt_area_unmap_domain() - undo iopt_area_map_domain()
 * @area: the area
 * @domain: the domain it is mapped in
 */
void iopt_area_unmap_domain(struct iopt_area *area,
			    struct miommu_domain *domain)
{
	iopt_domain_unmap_range(domain, iopt_area_iova(area),
				iopt_area_length(area));
}
