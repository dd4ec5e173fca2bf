// SPDX-License-Identifier: GPL-2.0
/*
 * The selftest mock's vIOMMU (IOMMU_VIOMMU_TYPE_SELFTEST), as upstream's
 * selftests observe it in the 6.17 cycle: nested domains allocated through
 * it need a vDEVICE of the device to attach; IOMMU_HWPT_INVALIDATE on it
 * clears slots of a device's cache named by virt_id; allocation data is
 * looped back and comes with a two-page region userspace maps through the
 * iommufd file; up to IOMMU_TEST_HW_QUEUE_MAX HW queues, allocated from
 * index 0 up, each depending on the one below it.
 */
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "selftest.h"

/**
 * struct st_viommu - a selftest vIOMMU
 * @core: what the core sees
 * @page: the first word of the mmap() region (NULL without data)
 * @mmap_offset: its mmap() offset, 0 when there is none
 * @queues: HW queues by index
 */
struct st_viommu {
	struct miommu_viommu core;
	u32 *page;
	u64 mmap_offset;
	struct st_hw_queue *queues[IOMMU_TEST_HW_QUEUE_MAX];
};

/**
 * struct st_hw_queue - a selftest HW queue
 * @core: what the core sees
 * @index: its index in the vIOMMU's @queues
 */
struct st_hw_queue {
	struct miommu_hw_queue core;
	u32 index;
};

static struct st_viommu *to_st_viommu(struct miommu_viommu *viommu)
{
	return container_of(viommu, struct st_viommu, core);
}

static struct st_hw_queue *to_st_hw_queue(struct miommu_hw_queue *queue)
{
	return container_of(queue, struct st_hw_queue, core);
}

static struct miommu_domain *
st_viommu_alloc_domain_nested(struct miommu_viommu *viommu,
			      struct miommu_device *dev, u32 flags,
			      const struct miommu_user_data *data)
{
	struct miommu_domain *domain;

	/* Upstream's mock takes only the PASID flag here */
	if (flags & ~IOMMU_HWPT_ALLOC_PASID)
		return ERR_PTR(-EOPNOTSUPP);
	domain = st_domain_alloc_nested(dev, viommu->s2, flags, data);
	if (!IS_ERR(domain))
		to_st_domain(domain)->viommu = viommu;
	return domain;
}

/* Copy entry @i of a user array of struct iommu_viommu_invalidate_selftest */
static int st_inv_entry(const struct miommu_user_data_array *array,
			unsigned int i,
			struct iommu_viommu_invalidate_selftest *inv)
{
	return copy_struct_from_user(inv, sizeof(*inv),
				     array->uptr + (size_t)i * array->entry_len,
				     array->entry_len);
}

/*
 * Upstream's rules: an empty array of the right type checks the type and
 * succeeds; another type is -EINVAL; every entry is read before any runs
 * (a fault or a non-zero tail beyond the struct fails the whole array with
 * entry_num 0); then each entry is -EOPNOTSUPP for unknown flags, -EINVAL
 * for a cache_id above MOCK_DEV_CACHE_ID_MAX or a vdev_id without a
 * vDEVICE, and clears one slot (or all with IOMMU_TEST_INVALIDATE_FLAG_ALL).
 * entry_num says how many entries ran. The entries are read twice instead
 * of into one buffer sized by userspace.
 */
static int st_viommu_cache_invalidate(struct miommu_viommu *viommu,
				      struct miommu_user_data_array *array)
{
	struct iommu_viommu_invalidate_selftest inv;
	struct miommu_vdevice *vdev;
	unsigned int i, num = array->entry_num;
	struct st_dev *sdev;
	int rc = 0, j;

	array->entry_num = 0;
	if (array->type != IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST)
		return -EINVAL;
	for (i = 0; i < num; i++) {
		rc = st_inv_entry(array, i, &inv);
		if (rc)
			return rc;
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	for (i = 0; i < num; i++) {
		rc = st_inv_entry(array, i, &inv);
		if (rc)
			break;
		if (inv.flags & ~IOMMU_TEST_INVALIDATE_FLAG_ALL) {
			rc = -EOPNOTSUPP;
			break;
		}
		if (inv.cache_id > MOCK_DEV_CACHE_ID_MAX) {
			rc = -EINVAL;
			break;
		}
		vdev = xa_load(&viommu->vdevs, inv.vdev_id);
		if (!vdev) {
			rc = -EINVAL;
			break;
		}
		sdev = to_st_dev(vdev->dev);
		if (inv.flags & IOMMU_TEST_INVALIDATE_FLAG_ALL) {
			for (j = 0; j < MOCK_DEV_CACHE_NUM; j++)
				sdev->cache[j] = 0;
		} else {
			sdev->cache[inv.cache_id] = 0;
		}
		vdev->invalidations++;
		if (fatal_signal_pending(current)) {
			rc = -EINTR;
			i++;
			break;
		}
		cond_resched();
	}
	array->entry_num = i;
	return rc;
}

/*
 * The allocation data (struct iommu_viommu_selftest, at least up to
 * out_data as in 6.12): in_data is copied to out_data and to the first
 * word of a two-page region whose mmap() offset and length are reported
 * (the fields a shorter struct lacks are not written).
 */
static int st_viommu_init(struct miommu_viommu *viommu,
			  const struct miommu_user_data *data)
{
	struct st_viommu *sv = to_st_viommu(viommu);
	struct iommu_viommu_selftest cfg;
	int rc;

	if (!data)
		return 0;
	rc = miommu_copy_user_data(&cfg, sizeof(cfg),
				   offsetofend(typeof(cfg), out_data), data,
				   IOMMU_VIOMMU_TYPE_SELFTEST);
	if (rc)
		return rc;
	sv->page = miommu_viommu_alloc_mmap(viommu, 2 * PAGE_SIZE,
					    &sv->mmap_offset);
	if (IS_ERR(sv->page)) {
		rc = PTR_ERR(sv->page);
		sv->page = NULL;
		sv->mmap_offset = 0;
		return rc;
	}
	*sv->page = cfg.in_data;
	cfg.out_data = cfg.in_data;
	cfg.out_mmap_offset = sv->mmap_offset;
	cfg.out_mmap_length = 2 * PAGE_SIZE;
	/* The core's destroy op removes the region on failure */
	if (copy_to_user(data->uptr, &cfg, min(data->len, sizeof(cfg))))
		return -EFAULT;
	return 0;
}

static struct miommu_hw_queue *st_hw_queue_alloc(struct miommu_viommu *viommu,
						 u32 type)
{
	struct st_hw_queue *sq;

	if (type != IOMMU_HW_QUEUE_TYPE_SELFTEST)
		return ERR_PTR(-EOPNOTSUPP);
	sq = kzalloc(sizeof(*sq), GFP_KERNEL_ACCOUNT);
	if (!sq)
		return ERR_PTR(-ENOMEM);
	return &sq->core;
}

/*
 * Upstream's mock: index below IOMMU_TEST_HW_QUEUE_MAX (-EINVAL), free
 * (-EEXIST), and above 0 only when the queue below exists (-EIO), which it
 * then depends on. The physical address the core found must be what the
 * stage 2 translates the guest address to (-EFAULT), a check of the core.
 */
static int st_hw_queue_init(struct miommu_hw_queue *queue, u32 index)
{
	struct st_viommu *sv = to_st_viommu(queue->viommu);
	struct st_hw_queue *sq = to_st_hw_queue(queue);
	struct miommu_domain *s2 = queue->viommu->s2;
	phys_addr_t phys;
	int prot;

	if (index >= IOMMU_TEST_HW_QUEUE_MAX)
		return -EINVAL;
	if (sv->queues[index])
		return -EEXIST;
	if (index && !sv->queues[index - 1])
		return -EIO;
	if (s2->ops->iova_to_phys(s2, queue->base_iova, &phys, &prot) ||
	    phys != queue->base_pa)
		return -EFAULT;
	if (index)
		queue->depend = &sv->queues[index - 1]->core;
	sq->index = index;
	sv->queues[index] = sq;
	return 0;
}

static void st_hw_queue_destroy(struct miommu_hw_queue *queue)
{
	struct st_hw_queue *sq = to_st_hw_queue(queue);

	to_st_viommu(queue->viommu)->queues[sq->index] = NULL;
}

static void st_hw_queue_free(struct miommu_hw_queue *queue)
{
	kfree(to_st_hw_queue(queue));
}

static void st_viommu_destroy(struct miommu_viommu *viommu)
{
	struct st_viommu *sv = to_st_viommu(viommu);

	if (sv->mmap_offset)
		miommu_viommu_destroy_mmap(viommu, sv->mmap_offset);
	kfree(sv);
}

static const struct miommu_viommu_ops st_viommu_ops = {
	.alloc_domain_nested = st_viommu_alloc_domain_nested,
	.cache_invalidate = st_viommu_cache_invalidate,
	.viommu_init = st_viommu_init,
	.hw_queue_alloc = st_hw_queue_alloc,
	.hw_queue_init = st_hw_queue_init,
	.hw_queue_destroy = st_hw_queue_destroy,
	.hw_queue_free = st_hw_queue_free,
	.destroy = st_viommu_destroy,
};

/**
 * st_viommu_alloc() - the viommu_alloc op of the selftest instance
 * @dev: a selftest device
 * @s2: a selftest nest parent (checked by the core)
 * @type: must be IOMMU_VIOMMU_TYPE_SELFTEST
 *
 * Return: the vIOMMU, or ERR_PTR(-EOPNOTSUPP) for another type, -ENOMEM.
 */
struct miommu_viommu *st_viommu_alloc(struct miommu_device *dev,
				      struct miommu_domain *s2, u32 type)
{
	struct st_viommu *sv;

	if (type != IOMMU_VIOMMU_TYPE_SELFTEST)
		return ERR_PTR(-EOPNOTSUPP);
	sv = kzalloc(sizeof(*sv), GFP_KERNEL_ACCOUNT);
	if (!sv)
		return ERR_PTR(-ENOMEM);
	sv->core.ops = &st_viommu_ops;
	return &sv->core;
}
