/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A page table kept in an xarray, one entry per 4 KiB (PAGE_SIZE) IOVA
 * page: what the mock and SMMUv3 drivers use for paging domains (stage 2).
 * Locking is the caller's: the core serialises map and unmap of a domain,
 * and lookups run under the file's lock or the xarray's RCU.
 */
#ifndef XA_PGTABLE_H
#define XA_PGTABLE_H

#include <linux/types.h>
#include <linux/xarray.h>

/**
 * struct xa_pgtable - IOVA page number -> xa_mk_value(pfn << 2 | prot)
 * @ptes: the entries
 * @nr_mapped: pages mapped
 */
struct xa_pgtable {
	struct xarray ptes;
	unsigned long nr_mapped;
};

void xa_pgtable_init(struct xa_pgtable *pt);
void xa_pgtable_destroy(struct xa_pgtable *pt);
struct miommu_domain;

int xa_pgtable_map(struct xa_pgtable *pt, const struct miommu_domain *domain,
		   unsigned long iova, phys_addr_t paddr, size_t bytes,
		   int prot, size_t *mapped);
size_t xa_pgtable_unmap(struct xa_pgtable *pt, unsigned long iova,
			size_t bytes);
int xa_pgtable_lookup(struct xa_pgtable *pt, unsigned long iova,
		      phys_addr_t *phys, int *prot);

#endif
