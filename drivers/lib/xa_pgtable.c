// SPDX-License-Identifier: GPL-2.0
/*
 * The xarray page table of the mock and SMMUv3 drivers' paging domains.
 */
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>

#include "miommu.h"
#include "xa_pgtable.h"

#define XA_PTE_PROT_MASK (MIOMMU_READ | MIOMMU_WRITE)
#define XA_PTE_SHIFT 2

/**
 * xa_pgtable_init() - an empty table
 * @pt: the table
 */
void xa_pgtable_init(struct xa_pgtable *pt)
{
	xa_init(&pt->ptes);
	pt->nr_mapped = 0;
}

/**
 * xa_pgtable_destroy() - free the table's nodes; it must be empty
 * @pt: the table
 */
void xa_pgtable_destroy(struct xa_pgtable *pt)
{
	WARN_ON(pt->nr_mapped);
	xa_destroy(&pt->ptes);
}

/**
 * xa_pgtable_map() - the map_pages op of a domain kept in @pt
 * @pt: the table
 * @domain: the domain, whose aperture the range must lie in
 * @iova: first IOVA, PAGE_SIZE aligned
 * @paddr: physical address of the first page
 * @bytes: a multiple of PAGE_SIZE
 * @prot: MIOMMU_READ / MIOMMU_WRITE
 * @mapped: out: @bytes on success, else 0
 *
 * A large batch yields the CPU and stops on a fatal signal.
 * Return: 0, or -EINVAL outside the aperture, -ENOMEM / -EINTR with
 * nothing of the batch left mapped.
 */
int xa_pgtable_map(struct xa_pgtable *pt, const struct miommu_domain *domain,
		   unsigned long iova, phys_addr_t paddr, size_t bytes,
		   int prot, size_t *mapped)
{
	unsigned long pfn = PHYS_PFN(paddr), first = iova >> PAGE_SHIFT;
	size_t i, n = bytes >> PAGE_SHIFT;
	int rc;

	*mapped = 0;
	if (iova < domain->aperture_start ||
	    iova + bytes - 1 > domain->aperture_last)
		return -EINVAL;

	for (i = 0; i < n; i++) {
		cond_resched();
		rc = fatal_signal_pending(current) ? -EINTR : 0;
		if (!rc)
			rc = xa_err(xa_store(&pt->ptes, first + i,
					     xa_mk_value((pfn + i) << XA_PTE_SHIFT |
							 (prot & XA_PTE_PROT_MASK)),
					     GFP_KERNEL_ACCOUNT));
		if (rc) {
			while (i--)
				xa_erase(&pt->ptes, first + i);
			return rc;
		}
	}
	pt->nr_mapped += n;
	*mapped = bytes;
	return 0;
}

/**
 * xa_pgtable_unmap() - unmap @bytes from @iova; cannot fail, may yield
 * @pt: the table
 * @iova: first IOVA, PAGE_SIZE aligned
 * @bytes: a multiple of PAGE_SIZE
 *
 * Return: bytes that were mapped and now are not.
 */
size_t xa_pgtable_unmap(struct xa_pgtable *pt, unsigned long iova,
			size_t bytes)
{
	size_t i, n = bytes >> PAGE_SHIFT, done = 0;

	for (i = 0; i < n; i++) {
		cond_resched();
		if (xa_erase(&pt->ptes, (iova >> PAGE_SHIFT) + i))
			done++;
	}
	pt->nr_mapped -= done;
	return done << PAGE_SHIFT;
}

/**
 * xa_pgtable_lookup() - translate one IOVA
 * @pt: the table
 * @iova: any IOVA
 * @phys: out: the physical address of @iova's byte
 * @prot: out: MIOMMU_READ / MIOMMU_WRITE of its page
 *
 * Return: 0 or -ENOENT when the page is not mapped.
 */
int xa_pgtable_lookup(struct xa_pgtable *pt, unsigned long iova,
		      phys_addr_t *phys, int *prot)
{
	void *pte = xa_load(&pt->ptes, iova >> PAGE_SHIFT);
	unsigned long val;

	if (!pte)
		return -ENOENT;
	val = xa_to_value(pte);
	*phys = PFN_PHYS(val >> XA_PTE_SHIFT) + offset_in_page(iova);
	*prot = val & XA_PTE_PROT_MASK;
	return 0;
}
