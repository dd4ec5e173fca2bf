// SPDX-License-Identifier: GPL-2.0
/*
 * The IOTLB and CD cache of an SMMUv3 instance. Entries are made by walks
 * and used on hits without reading guest memory again, so they go stale
 * exactly as a hardware TLB does: only a forwarded command, a stage-2
 * change, an STE change (CD cache) or eviction removes one. Both are
 * bounded by module parameters; the least recently used entry makes room.
 *
 * IOTLB entries hold stage-1 results (VA -> IPA), tagged by vIOMMU (its
 * VMID), ASID (unless global) and leaf size; stage 2 is looked up on every
 * access, and a stage-2 unmap flushes the vIOMMU's entries anyway (as the
 * host driver's TLBI_NH_ALL does), so no entry outlives the pages behind
 * it. CD cache entries are tagged by vIOMMU, physical SID (commands name a
 * vSID, translated as upstream does) and CD index, and remember the STE
 * they were fetched through.
 */
#include <linux/hash.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>

#include "smmuv3.h"

static unsigned int smmuv3_iotlb_entries = 256;
module_param(smmuv3_iotlb_entries, uint, 0644);
MODULE_PARM_DESC(smmuv3_iotlb_entries,
		 "IOTLB entries of each SMMUv3 instance (default 256, at least 1)");

static unsigned int smmuv3_cd_entries = 64;
module_param(smmuv3_cd_entries, uint, 0644);
MODULE_PARM_DESC(smmuv3_cd_entries,
		 "CD cache entries of each SMMUv3 instance (default 64, at least 1)");

/* An IOTLB entry: a leaf the walk found, and what it is tagged with */
struct smmuv3_tlb_node {
	struct hlist_node hnode;
	struct list_head lru;
	struct smmuv3_viommu *vs;
	u16 asid;
	struct smmuv3_tlb_entry ent;
};

struct smmuv3_cd_node {
	struct hlist_node hnode;
	struct list_head lru;
	struct smmuv3_viommu *vs;
	u32 sid;
	u32 index;
	u64 gen;
	struct smmuv3_cd cd;
};

static struct smmuv3_cache *vs_cache(struct smmuv3_viommu *vs)
{
	return &vs->smmu->cache;
}

/**
 * smmuv3_cache_init() - empty caches
 * @cache: the instance's caches
 */
void smmuv3_cache_init(struct smmuv3_cache *cache)
{
	spin_lock_init(&cache->lock);
	hash_init(cache->tlb);
	INIT_LIST_HEAD(&cache->tlb_lru);
	hash_init(cache->cd);
	INIT_LIST_HEAD(&cache->cd_lru);
}

static u32 tlb_key(struct smmuv3_viommu *vs, u64 va, u8 shift)
{
	return hash_64((u64)(uintptr_t)vs ^ (va >> shift) ^
		       ((u64)shift << 58), 32);
}

static void tlb_del(struct smmuv3_cache *cache, struct smmuv3_tlb_node *n)
{
	hash_del(&n->hnode);
	list_del(&n->lru);
	cache->tlb_count--;
	kfree(n);
}

/* The leaf sizes a granule's tables can hold, smallest first */
static const u8 *leaf_shifts(u8 granule_shift)
{
	static const u8 g4k[] = { 12, 21, 30, 0 };
	static const u8 g16k[] = { 14, 25, 0 };
	static const u8 g64k[] = { 16, 29, 0 };

	return granule_shift == 12 ? g4k : granule_shift == 14 ? g16k : g64k;
}

/**
 * smmuv3_tlb_lookup() - an IOTLB entry for @va, as hardware looks it up
 * @vs: the vIOMMU (VMID) of the access
 * @asid: the CD's ASID
 * @granule_shift: the granule of the half @va is in
 * @va: input address
 * @ent: out: the entry
 *
 * Counts a hit or a miss in @vs's statistics.
 * Return: true on a hit.
 */
bool smmuv3_tlb_lookup(struct smmuv3_viommu *vs, u16 asid, u8 granule_shift,
		       u64 va, struct smmuv3_tlb_entry *ent)
{
	struct smmuv3_cache *cache = vs_cache(vs);
	const u8 *shift = leaf_shifts(granule_shift);
	struct smmuv3_tlb_node *n;

	spin_lock(&cache->lock);
	for (; *shift; shift++) {
		hash_for_each_possible(cache->tlb, n, hnode,
				       tlb_key(vs, va, *shift)) {
			if (n->vs != vs || n->ent.shift != *shift ||
			    n->ent.va != (va & ~(BIT_ULL(*shift) - 1)) ||
			    (!n->ent.global && n->asid != asid))
				continue;
			*ent = n->ent;
			list_move_tail(&n->lru, &cache->tlb_lru);
			vs->stats.tlb_hits++;
			spin_unlock(&cache->lock);
			return true;
		}
	}
	vs->stats.tlb_misses++;
	spin_unlock(&cache->lock);
	return false;
}

/**
 * smmuv3_tlb_insert() - cache what a walk found
 * @vs: the vIOMMU of the walk
 * @asid: the CD's ASID
 * @ent: the leaf
 *
 * At capacity the least recently used entry of the instance is evicted. An
 * allocation failure only means nothing is cached.
 */
void smmuv3_tlb_insert(struct smmuv3_viommu *vs, u16 asid,
		       const struct smmuv3_tlb_entry *ent)
{
	struct smmuv3_cache *cache = vs_cache(vs);
	struct smmuv3_tlb_node *n, *old;

	n = kzalloc(sizeof(*n), GFP_KERNEL_ACCOUNT);
	if (!n)
		return;
	n->vs = vs;
	n->asid = asid;
	n->ent = *ent;
	spin_lock(&cache->lock);
	while (cache->tlb_count &&
	       cache->tlb_count >= max(READ_ONCE(smmuv3_iotlb_entries), 1U)) {
		old = list_first_entry(&cache->tlb_lru, struct smmuv3_tlb_node,
				       lru);
		old->vs->stats.evictions++;
		tlb_del(cache, old);
	}
	hash_add(cache->tlb, &n->hnode, tlb_key(vs, ent->va, ent->shift));
	list_add_tail(&n->lru, &cache->tlb_lru);
	cache->tlb_count++;
	spin_unlock(&cache->lock);
}

/**
 * smmuv3_tlb_inv() - remove IOTLB entries of a vIOMMU
 * @vs: the vIOMMU (the command's VMID)
 * @by_asid: only non-global entries of @asid (TLBI_NH_ASID), or with
 *           @by_va, entries of @asid and global ones (TLBI_NH_VA)
 * @asid: the ASID
 * @by_va: only entries overlapping [@start, @last] (TLBI_NH_VA / VAA)
 * @start: first VA
 * @last: last VA (inclusive)
 *
 * Without either filter every entry of @vs goes (TLBI_NH_ALL). Leaf and
 * TTL hints change nothing: only leaves are cached.
 */
void smmuv3_tlb_inv(struct smmuv3_viommu *vs, bool by_asid, u16 asid,
		    bool by_va, u64 start, u64 last)
{
	struct smmuv3_cache *cache = vs_cache(vs);
	struct smmuv3_tlb_node *n, *tmp;
	u64 end;

	spin_lock(&cache->lock);
	list_for_each_entry_safe(n, tmp, &cache->tlb_lru, lru) {
		if (n->vs != vs)
			continue;
		if (by_asid && n->asid != asid &&
		    (!by_va || !n->ent.global))
			continue;
		if (by_asid && !by_va && n->ent.global)
			continue;
		end = n->ent.va + BIT_ULL(n->ent.shift) - 1;
		if (by_va && (end < start || n->ent.va > last))
			continue;
		vs->stats.tlb_invalidated++;
		tlb_del(cache, n);
	}
	spin_unlock(&cache->lock);
}

static u32 cd_key(struct smmuv3_viommu *vs, u32 sid, u32 index)
{
	return hash_64((u64)(uintptr_t)vs ^ ((u64)sid << 32 | index), 32);
}

static void cd_del(struct smmuv3_cache *cache, struct smmuv3_cd_node *n)
{
	hash_del(&n->hnode);
	list_del(&n->lru);
	cache->cd_count--;
	kfree(n);
}

/**
 * smmuv3_cd_lookup() - a cached CD
 * @vs: the vIOMMU
 * @sid: physical stream ID of the device
 * @index: CD index in the STE's table
 * @gen: generation of the STE the device is attached through: an entry
 *       fetched through another STE is dropped (the STE changed, which
 *       invalidates the CDs cached through it)
 * @cd: out: the CD
 *
 * Return: true on a hit.
 */
bool smmuv3_cd_lookup(struct smmuv3_viommu *vs, u32 sid, u32 index, u64 gen,
		      struct smmuv3_cd *cd)
{
	struct smmuv3_cache *cache = vs_cache(vs);
	struct smmuv3_cd_node *n;

	spin_lock(&cache->lock);
	hash_for_each_possible(cache->cd, n, hnode, cd_key(vs, sid, index)) {
		if (n->vs != vs || n->sid != sid || n->index != index)
			continue;
		if (n->gen != gen) {
			vs->stats.cd_invalidated++;
			cd_del(cache, n);
			break;
		}
		*cd = n->cd;
		list_move_tail(&n->lru, &cache->cd_lru);
		vs->stats.cd_hits++;
		spin_unlock(&cache->lock);
		return true;
	}
	vs->stats.cd_misses++;
	spin_unlock(&cache->lock);
	return false;
}

/**
 * smmuv3_cd_insert() - cache a fetched, valid CD
 * @vs: the vIOMMU
 * @sid: physical stream ID
 * @index: CD index
 * @gen: generation of the STE it was fetched through
 * @cd: the decoded CD
 */
void smmuv3_cd_insert(struct smmuv3_viommu *vs, u32 sid, u32 index, u64 gen,
		      const struct smmuv3_cd *cd)
{
	struct smmuv3_cache *cache = vs_cache(vs);
	struct smmuv3_cd_node *n, *old;

	n = kzalloc(sizeof(*n), GFP_KERNEL_ACCOUNT);
	if (!n)
		return;
	n->vs = vs;
	n->sid = sid;
	n->index = index;
	n->gen = gen;
	n->cd = *cd;
	spin_lock(&cache->lock);
	while (cache->cd_count &&
	       cache->cd_count >= max(READ_ONCE(smmuv3_cd_entries), 1U)) {
		old = list_first_entry(&cache->cd_lru, struct smmuv3_cd_node,
				       lru);
		old->vs->stats.evictions++;
		cd_del(cache, old);
	}
	hash_add(cache->cd, &n->hnode, cd_key(vs, sid, index));
	list_add_tail(&n->lru, &cache->cd_lru);
	cache->cd_count++;
	spin_unlock(&cache->lock);
}

/**
 * smmuv3_cd_inv() - CFGI_CD / CFGI_CD_ALL
 * @vs: the vIOMMU
 * @sid: physical stream ID (the command's vSID translated)
 * @all: every CD of @sid (CFGI_CD_ALL)
 * @index: else the CD index (the command's SSID)
 */
void smmuv3_cd_inv(struct smmuv3_viommu *vs, u32 sid, bool all, u32 index)
{
	struct smmuv3_cache *cache = vs_cache(vs);
	struct smmuv3_cd_node *n, *tmp;

	spin_lock(&cache->lock);
	list_for_each_entry_safe(n, tmp, &cache->cd_lru, lru) {
		if (n->vs != vs || n->sid != sid || (!all && n->index != index))
			continue;
		vs->stats.cd_invalidated++;
		cd_del(cache, n);
	}
	spin_unlock(&cache->lock);
}

/**
 * smmuv3_cache_flush_viommu() - drop every entry of a vIOMMU
 * @vs: the vIOMMU
 * @count: a stage-2 change (counted as IOTLB invalidations, CDs kept); else
 *         the vIOMMU goes away and both caches lose its entries uncounted
 */
void smmuv3_cache_flush_viommu(struct smmuv3_viommu *vs, bool count)
{
	struct smmuv3_cache *cache = vs_cache(vs);
	struct smmuv3_tlb_node *n, *tmp;
	struct smmuv3_cd_node *c, *ctmp;

	spin_lock(&cache->lock);
	list_for_each_entry_safe(n, tmp, &cache->tlb_lru, lru) {
		if (n->vs != vs)
			continue;
		if (count)
			vs->stats.tlb_invalidated++;
		tlb_del(cache, n);
	}
	if (!count) {
		list_for_each_entry_safe(c, ctmp, &cache->cd_lru, lru)
			if (c->vs == vs)
				cd_del(cache, c);
	}
	spin_unlock(&cache->lock);
}
