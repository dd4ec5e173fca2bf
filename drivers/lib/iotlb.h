/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An IOTLB as hardware has one: leaf translations made by table walks,
 * used on hits without reading the tables again, removed only by an
 * invalidation or eviction, bounded by a capacity the driver gives (its
 * module parameter). The SMMUv3 and VT-d drivers tag entries with what
 * their hardware tags them with: a VMID / domain ID (@tag, an object of
 * the driver that outlives its entries) and an ASID / PASID.
 */
#ifndef MIOMMU_IOTLB_H
#define MIOMMU_IOTLB_H

#include <linux/hashtable.h>
#include <linux/list.h>
#include <linux/spinlock.h>
#include <linux/types.h>

/**
 * struct miommu_iotlb_stats - counters of one tag's entries
 * @hits: lookups answered by an entry
 * @misses: lookups that found none (the caller walks)
 * @invalidated: entries removed by invalidations
 * @evictions: entries removed to make room
 */
struct miommu_iotlb_stats {
	u64 hits;
	u64 misses;
	u64 invalidated;
	u64 evictions;
};

/**
 * struct miommu_iotlb_entry - what a stage-1 walk found for one VA
 * @va: first VA of the page or block
 * @ipa: its output address (IPA), aligned as @va
 * @shift: log2 of the page or block size in bytes
 * @writable: the walk allows writes
 * @global: the entry matches every ASID / PASID of its tag
 * @dirty: a write may use the entry without a walk (VT-d: the leaf's D
 *         flag is set; drivers without dirty flags set it with @writable)
 */
struct miommu_iotlb_entry {
	u64 va;
	u64 ipa;
	u8 shift;
	bool writable;
	bool global;
	bool dirty;
};

/**
 * struct miommu_iotlb - one instance's IOTLB
 * @lock: guards the rest; the owner's stats are updated under it too
 * @hash: entries by (tag, VA >> shift, shift)
 * @lru: the same, least recently used first
 * @count: entries
 * @capacity: the driver's bound (read at each insert; at least 1 is kept)
 */
struct miommu_iotlb {
	spinlock_t lock;	/* see above */
	DECLARE_HASHTABLE(hash, 10);
	struct list_head lru;
	unsigned int count;
	const unsigned int *capacity;
};

void miommu_iotlb_init(struct miommu_iotlb *tlb, const unsigned int *capacity);
bool miommu_iotlb_lookup(struct miommu_iotlb *tlb, const void *tag, u32 asid,
			 const u8 *shifts, u64 va, bool need_dirty,
			 struct miommu_iotlb_entry *ent,
			 struct miommu_iotlb_stats *stats);
void miommu_iotlb_insert(struct miommu_iotlb *tlb, const void *tag, u32 asid,
			 const struct miommu_iotlb_entry *ent,
			 struct miommu_iotlb_stats *stats);
void miommu_iotlb_inv(struct miommu_iotlb *tlb, const void *tag,
		      bool by_asid, u32 asid, bool by_va, u64 start, u64 last);
void miommu_iotlb_flush_tag(struct miommu_iotlb *tlb, const void *tag,
			    bool count);

#endif
