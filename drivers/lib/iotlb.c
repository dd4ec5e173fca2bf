// SPDX-License-Identifier: GPL-2.0
/*
 * The IOTLB of the SMMUv3 and VT-d instances (iotlb.h). Entries are
 * allocated per walk, hashed by (tag, VA >> shift, shift) and kept on an
 * LRU list; a lookup tries each leaf size the caller's format has.
 */
#include <linux/hash.h>
#include <linux/slab.h>

#include "iotlb.h"

struct miommu_iotlb_node {
	struct hlist_node hnode;
	struct list_head lru;
	const void *tag;
	u32 asid;
	struct miommu_iotlb_stats *stats;
	struct miommu_iotlb_entry ent;
};

/**
 * miommu_iotlb_init() - an empty IOTLB
 * @tlb: the IOTLB
 * @capacity: the bound on its entries (a module parameter, read at each
 *            insert)
 */
void miommu_iotlb_init(struct miommu_iotlb *tlb, const unsigned int *capacity)
{
	spin_lock_init(&tlb->lock);
	hash_init(tlb->hash);
	INIT_LIST_HEAD(&tlb->lru);
	tlb->count = 0;
	tlb->capacity = capacity;
}

static u32 iotlb_key(const void *tag, u64 va, u8 shift)
{
	return hash_64((u64)(uintptr_t)tag ^ (va >> shift) ^
		       ((u64)shift << 58), 32);
}

static void iotlb_del(struct miommu_iotlb *tlb, struct miommu_iotlb_node *n)
{
	hash_del(&n->hnode);
	list_del(&n->lru);
	tlb->count--;
	kfree(n);
}

/**
 * miommu_iotlb_lookup() - an entry for @va, as hardware looks it up
 * @tlb: the IOTLB
 * @tag: the VMID / domain ID owner of the access
 * @asid: its ASID / PASID (global entries match any)
 * @shifts: the leaf sizes (log2 bytes) the format has, 0-terminated
 * @va: input address
 * @need_dirty: only an entry whose dirty state is set serves (a write on
 *              a format that sets D: hardware walks again to set it)
 * @ent: out: the entry
 * @stats: the tag's counters: a hit or a miss is counted
 *
 * Return: true on a hit.
 */
bool miommu_iotlb_lookup(struct miommu_iotlb *tlb, const void *tag, u32 asid,
			 const u8 *shifts, u64 va, bool need_dirty,
			 struct miommu_iotlb_entry *ent,
			 struct miommu_iotlb_stats *stats)
{
	struct miommu_iotlb_node *n;

	spin_lock(&tlb->lock);
	for (; *shifts; shifts++) {
		hash_for_each_possible(tlb->hash, n, hnode,
				       iotlb_key(tag, va, *shifts)) {
			if (n->tag != tag || n->ent.shift != *shifts ||
			    n->ent.va != (va & ~(BIT_ULL(*shifts) - 1)) ||
			    (!n->ent.global && n->asid != asid) ||
			    (need_dirty && !n->ent.dirty))
				continue;
			*ent = n->ent;
			list_move_tail(&n->lru, &tlb->lru);
			stats->hits++;
			spin_unlock(&tlb->lock);
			return true;
		}
	}
	stats->misses++;
	spin_unlock(&tlb->lock);
	return false;
}

/**
 * miommu_iotlb_insert() - cache what a walk found
 * @tlb: the IOTLB
 * @tag: the VMID / domain ID owner
 * @asid: the ASID / PASID
 * @ent: the leaf
 * @stats: the tag's counters, credited with the entry's later eviction or
 *         invalidation; they must outlive the entry
 *
 * An entry for the same (tag, ASID, VA, size) is replaced. At capacity the
 * least recently used entry of the IOTLB is evicted. An allocation failure
 * only means nothing is cached.
 */
void miommu_iotlb_insert(struct miommu_iotlb *tlb, const void *tag, u32 asid,
			 const struct miommu_iotlb_entry *ent,
			 struct miommu_iotlb_stats *stats)
{
	struct miommu_iotlb_node *n, *old;
	struct hlist_node *tmp;
	u32 key = iotlb_key(tag, ent->va, ent->shift);

	n = kzalloc(sizeof(*n), GFP_KERNEL_ACCOUNT);
	if (!n)
		return;
	n->tag = tag;
	n->asid = asid;
	n->stats = stats;
	n->ent = *ent;
	spin_lock(&tlb->lock);
	hash_for_each_possible_safe(tlb->hash, old, tmp, hnode, key)
		if (old->tag == tag && old->asid == asid &&
		    old->ent.va == ent->va && old->ent.shift == ent->shift)
			iotlb_del(tlb, old);
	while (tlb->count &&
	       tlb->count >= max(READ_ONCE(*tlb->capacity), 1U)) {
		old = list_first_entry(&tlb->lru, struct miommu_iotlb_node, lru);
		old->stats->evictions++;
		iotlb_del(tlb, old);
	}
	hash_add(tlb->hash, &n->hnode, key);
	list_add_tail(&n->lru, &tlb->lru);
	tlb->count++;
	spin_unlock(&tlb->lock);
}

/**
 * miommu_iotlb_inv() - remove entries of a tag
 * @tlb: the IOTLB
 * @tag: the VMID / domain ID the invalidation names
 * @by_asid: only entries of @asid: without @by_va its non-global ones
 *           (SMMUv3 TLBI_NH_ASID, VT-d non-global in PASID), with @by_va
 *           its and the global ones (TLBI_NH_VA, VT-d page-selective)
 * @asid: the ASID / PASID
 * @by_va: only entries overlapping [@start, @last]
 * @start: first VA
 * @last: last VA (inclusive)
 *
 * Without either filter every entry of @tag goes. Only leaves are cached,
 * so leaf-only hints change nothing.
 */
void miommu_iotlb_inv(struct miommu_iotlb *tlb, const void *tag,
		      bool by_asid, u32 asid, bool by_va, u64 start, u64 last)
{
	struct miommu_iotlb_node *n, *tmp;
	u64 end;

	spin_lock(&tlb->lock);
	list_for_each_entry_safe(n, tmp, &tlb->lru, lru) {
		if (n->tag != tag)
			continue;
		if (by_asid && n->asid != asid && (!by_va || !n->ent.global))
			continue;
		if (by_asid && !by_va && n->ent.global)
			continue;
		end = n->ent.va + BIT_ULL(n->ent.shift) - 1;
		if (by_va && (end < start || n->ent.va > last))
			continue;
		n->stats->invalidated++;
		iotlb_del(tlb, n);
	}
	spin_unlock(&tlb->lock);
}

/**
 * miommu_iotlb_flush_tag() - drop every entry of a tag
 * @tlb: the IOTLB
 * @tag: the VMID / domain ID
 * @count: count them as invalidated (a stage-2 change); else the tag's
 *         owner goes away
 */
void miommu_iotlb_flush_tag(struct miommu_iotlb *tlb, const void *tag,
			    bool count)
{
	struct miommu_iotlb_node *n, *tmp;

	spin_lock(&tlb->lock);
	list_for_each_entry_safe(n, tmp, &tlb->lru, lru) {
		if (n->tag != tag)
			continue;
		if (count)
			n->stats->invalidated++;
		iotlb_del(tlb, n);
	}
	spin_unlock(&tlb->lock);
}
