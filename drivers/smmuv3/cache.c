// SPDX-License-Identifier: GPL-2.0
/*
 * The CD cache of an SMMUv3 instance (its IOTLB is drivers/lib/iotlb.c).
 * Entries are made by fetches and used on hits without reading guest
 * memory again, so they go stale exactly as hardware's do: only a
 * forwarded CFGI_CD / CFGI_CD_ALL, an STE change or eviction removes one.
 * It is bounded by a module parameter; the least recently used entry makes
 * room. Entries are tagged by VMID (the nest parent's: vIOMMUs over one
 * nest parent share it, as upstream's do), physical SID (commands name a
 * vSID, translated as upstream does) and CD index, and remember the STE
 * they were fetched through.
 *
 * IOTLB entries hold stage-1 results (VA -> IPA) tagged by VMID and ASID;
 * stage 2 is looked up on every access, and a stage-2 unmap flushes the
 * VMID's entries anyway (as the host driver's TLBI_NH_ALL does), so no
 * entry outlives the pages behind it.
 */
#include <linux/hash.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>

#include "smmuv3.h"

static unsigned int smmuv3_cd_entries = 64;
module_param(smmuv3_cd_entries, uint, 0644);
MODULE_PARM_DESC(smmuv3_cd_entries,
		 "CD cache entries of each SMMUv3 instance (default 64, at least 1)");

struct smmuv3_cd_node {
	struct hlist_node hnode;
	struct list_head lru;
	struct smmuv3_domain *s2;
	u32 sid;
	u32 index;
	u64 gen;
	struct smmuv3_cd cd;
};

static struct smmuv3_cd_cache *s2_cache(struct smmuv3_domain *s2)
{
	return &s2->smmu->cd;
}

/**
 * smmuv3_cd_cache_init() - an empty CD cache
 * @cache: the instance's CD cache
 */
void smmuv3_cd_cache_init(struct smmuv3_cd_cache *cache)
{
	spin_lock_init(&cache->lock);
	hash_init(cache->hash);
	INIT_LIST_HEAD(&cache->lru);
	cache->count = 0;
}

static u32 cd_key(struct smmuv3_domain *s2, u32 sid, u32 index)
{
	return hash_64((u64)(uintptr_t)s2 ^ ((u64)sid << 32 | index), 32);
}

static void cd_del(struct smmuv3_cd_cache *cache, struct smmuv3_cd_node *n)
{
	hash_del(&n->hnode);
	list_del(&n->lru);
	cache->count--;
	kfree(n);
}

/**
 * smmuv3_cd_lookup() - a cached CD
 * @s2: the nest parent (VMID)
 * @sid: physical stream ID of the device
 * @index: CD index in the STE's table
 * @gen: generation of the STE the device is attached through: an entry
 *       fetched through another STE is dropped (the STE changed, which
 *       invalidates the CDs cached through it)
 * @cd: out: the CD
 *
 * Return: true on a hit.
 */
bool smmuv3_cd_lookup(struct smmuv3_domain *s2, u32 sid, u32 index, u64 gen,
		      struct smmuv3_cd *cd)
{
	struct smmuv3_cd_cache *cache = s2_cache(s2);
	struct smmuv3_cd_node *n;

	spin_lock(&cache->lock);
	hash_for_each_possible(cache->hash, n, hnode, cd_key(s2, sid, index)) {
		if (n->s2 != s2 || n->sid != sid || n->index != index)
			continue;
		if (n->gen != gen) {
			s2->stats.cd_invalidated++;
			cd_del(cache, n);
			break;
		}
		*cd = n->cd;
		list_move_tail(&n->lru, &cache->lru);
		s2->stats.cd_hits++;
		spin_unlock(&cache->lock);
		return true;
	}
	s2->stats.cd_misses++;
	spin_unlock(&cache->lock);
	return false;
}

/**
 * smmuv3_cd_insert() - cache a fetched, valid CD
 * @s2: the nest parent (VMID)
 * @sid: physical stream ID
 * @index: CD index
 * @gen: generation of the STE it was fetched through
 * @cd: the decoded CD
 */
void smmuv3_cd_insert(struct smmuv3_domain *s2, u32 sid, u32 index, u64 gen,
		      const struct smmuv3_cd *cd)
{
	struct smmuv3_cd_cache *cache = s2_cache(s2);
	struct smmuv3_cd_node *n, *old;

	n = kzalloc(sizeof(*n), GFP_KERNEL_ACCOUNT);
	if (!n)
		return;
	n->s2 = s2;
	n->sid = sid;
	n->index = index;
	n->gen = gen;
	n->cd = *cd;
	spin_lock(&cache->lock);
	while (cache->count &&
	       cache->count >= max(READ_ONCE(smmuv3_cd_entries), 1U)) {
		old = list_first_entry(&cache->lru, struct smmuv3_cd_node,
				       lru);
		old->s2->stats.cd_evictions++;
		cd_del(cache, old);
	}
	hash_add(cache->hash, &n->hnode, cd_key(s2, sid, index));
	list_add_tail(&n->lru, &cache->lru);
	cache->count++;
	spin_unlock(&cache->lock);
}

/**
 * smmuv3_cd_inv() - CFGI_CD / CFGI_CD_ALL
 * @s2: the nest parent (VMID)
 * @sid: physical stream ID (the command's vSID translated)
 * @all: every CD of @sid (CFGI_CD_ALL)
 * @index: else the CD index (the command's SSID)
 */
void smmuv3_cd_inv(struct smmuv3_domain *s2, u32 sid, bool all, u32 index)
{
	struct smmuv3_cd_cache *cache = s2_cache(s2);
	struct smmuv3_cd_node *n, *tmp;

	spin_lock(&cache->lock);
	list_for_each_entry_safe(n, tmp, &cache->lru, lru) {
		if (n->s2 != s2 || n->sid != sid || (!all && n->index != index))
			continue;
		s2->stats.cd_invalidated++;
		cd_del(cache, n);
	}
	spin_unlock(&cache->lock);
}

/**
 * smmuv3_cache_flush_vmid() - drop every cache entry of a VMID
 * @s2: the nest parent
 * @count: a stage-2 change (IOTLB entries counted as invalidated, CDs
 *         kept); else the nest parent goes away and both caches lose its
 *         entries
 */
void smmuv3_cache_flush_vmid(struct smmuv3_domain *s2, bool count)
{
	struct smmuv3_cd_cache *cache = s2_cache(s2);
	struct smmuv3_cd_node *c, *ctmp;

	miommu_iotlb_flush_tag(&s2->smmu->tlb, s2, count);
	if (count)
		return;
	spin_lock(&cache->lock);
	list_for_each_entry_safe(c, ctmp, &cache->lru, lru)
		if (c->s2 == s2)
			cd_del(cache, c);
	spin_unlock(&cache->lock);
}
