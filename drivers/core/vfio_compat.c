// SPDX-License-Identifier: GPL-2.0
/*
 * VFIO type1 container compatibility on the iommufd file, as upstream
 * iommufd offers it: IOMMU_VFIO_IOAS picks the IOAS that the VFIO ioctls
 * (ioctl numbers below IOMMUFD_CMD_BASE: VFIO_GET_API_VERSION,
 * VFIO_CHECK_EXTENSION, VFIO_SET_IOMMU, VFIO_IOMMU_GET_INFO, _MAP_DMA,
 * _UNMAP_DMA) act on. Numbers and layouts come from the kernel's
 * include/uapi/linux/vfio.h; behaviour from upstream's vfio_compat.c.
 */
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <uapi/linux/vfio.h>

#include "iommufd_private.h"

static struct iommufd_ioas *compat_ioas(struct iommufd_ctx *ictx)
{
	return ictx->vfio_ioas ?: ERR_PTR(-ENODEV);
}

/* IOMMU_VFIO_IOAS: see struct iommu_vfio_ioas. */
int iommufd_vfio_ioas(struct iommufd_ucmd *ucmd)
{
	struct iommu_vfio_ioas *cmd = ucmd->cmd;
	struct iommufd_ioas *ioas;

	if (cmd->__reserved)
		return -EOPNOTSUPP;
	switch (cmd->op) {
	case IOMMU_VFIO_IOAS_GET:
		ioas = compat_ioas(ucmd->ictx);
		if (IS_ERR(ioas))
			return PTR_ERR(ioas);
		cmd->ioas_id = ioas->obj.id;
		return iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	case IOMMU_VFIO_IOAS_SET:
		ioas = iommufd_get_ioas(ucmd->ictx, cmd->ioas_id);
		if (IS_ERR(ioas))
			return PTR_ERR(ioas);
		ucmd->ictx->vfio_ioas = ioas;
		return 0;
	case IOMMU_VFIO_IOAS_CLEAR:
		ucmd->ictx->vfio_ioas = NULL;
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

static int vfio_map_dma(struct iommufd_ctx *ictx, void __user *arg)
{
	size_t minsz = offsetofend(struct vfio_iommu_type1_dma_map, size);
	struct vfio_iommu_type1_dma_map map;
	struct iommufd_ioas *ioas;
	unsigned long iova;
	int prot = 0;

	if (copy_from_user(&map, arg, minsz))
		return -EFAULT;
	if (map.argsz < minsz ||
	    (map.flags & ~(VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE)))
		return -EINVAL;
	if (map.flags & VFIO_DMA_MAP_FLAG_READ)
		prot |= MIOMMU_READ;
	if (map.flags & VFIO_DMA_MAP_FLAG_WRITE)
		prot |= MIOMMU_WRITE;
	ioas = compat_ioas(ictx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	if (map.iova >= ULONG_MAX || map.size >= ULONG_MAX)
		return -EOVERFLOW;
	iova = map.iova;
	return iopt_map_user(&ioas->iopt, &iova, map.vaddr, map.size, prot,
			     true);
}

static int vfio_unmap_dma(struct iommufd_ctx *ictx, void __user *arg)
{
	size_t minsz = offsetofend(struct vfio_iommu_type1_dma_unmap, size);
	struct vfio_iommu_type1_dma_unmap unmap;
	unsigned long unmapped = 0;
	struct iommufd_ioas *ioas;
	int rc;

	if (copy_from_user(&unmap, arg, minsz))
		return -EFAULT;
	/* The old dirty-bitmap-on-unmap flag is not offered (upstream) */
	if (unmap.argsz < minsz || (unmap.flags & ~VFIO_DMA_UNMAP_FLAG_ALL))
		return -EINVAL;
	ioas = compat_ioas(ictx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	if (unmap.flags & VFIO_DMA_UNMAP_FLAG_ALL) {
		if (unmap.iova || unmap.size)
			return -EINVAL;
		rc = iopt_unmap_all(&ioas->iopt, &unmapped);
	} else {
		/*
		 * Type1 (not v2) may unmap inside a mapping: large pages are
		 * off for it, so the mapping can be cut at both ends.
		 */
		if (ioas->iopt.disable_large_pages) {
			unsigned long iovas[] = { unmap.iova + unmap.size - 1,
						  unmap.iova - 1 };

			rc = iopt_cut_iova(&ioas->iopt, iovas,
					   unmap.iova ? 2 : 1);
			if (rc)
				return rc;
		}
		rc = iopt_unmap_iova(&ioas->iopt, unmap.iova, unmap.size,
				     &unmapped);
	}
	unmap.size = unmapped;
	if (copy_to_user(arg, &unmap, minsz))
		rc = -EFAULT;
	return rc;
}

static int vfio_check_extension(struct iommufd_ctx *ictx, unsigned long type)
{
	switch (type) {
	case VFIO_TYPE1_IOMMU:
	case VFIO_TYPE1v2_IOMMU:
	case VFIO_UNMAP_ALL:
		return 1;
	case VFIO_DMA_CC_IOMMU:
		/* Every mock domain is cache coherent */
		return IS_ERR(compat_ioas(ictx)) ? PTR_ERR(compat_ioas(ictx)) : 1;
	default:
		/* Nesting, no-IOMMU and VADDR updates are not offered */
		return 0;
	}
}

static int vfio_set_iommu(struct iommufd_ctx *ictx, unsigned long type)
{
	struct iommufd_ioas *ioas;

	if (type != VFIO_TYPE1_IOMMU && type != VFIO_TYPE1v2_IOMMU)
		return -EINVAL;
	/* VFIO refuses SET_IOMMU before a group is attached */
	ioas = compat_ioas(ictx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	/* Type1 may split mappings: no large IO pages that could not split */
	if (type == VFIO_TYPE1_IOMMU)
		return iopt_disable_large_pages(&ioas->iopt);
	return 0;
}

/* Page sizes every domain of the IOAS offers, as VFIO reports them. */
static unsigned long vfio_pgsizes(struct iommufd_ioas *ioas)
{
	unsigned long bitmap = ULONG_MAX;
	struct iopt_domain *idom;

	list_for_each_entry(idom, &ioas->iopt.domains, item)
		bitmap &= idom->domain->pgsize_bitmap;
	/* Sub-page sizes are reported as PAGE_SIZE (vfio_update_pgsize_bitmap) */
	if (bitmap & ~PAGE_MASK) {
		bitmap &= PAGE_MASK;
		bitmap |= PAGE_SIZE;
	}
	return max(bitmap, ioas->iopt.iova_alignment);
}

/* Write one capability at byte @off of the user buffer if it fits. */
static int vfio_put_cap(void __user *arg, size_t argsz, size_t off,
			const void *cap, size_t len)
{
	if (argsz < off + len)
		return 0;
	return copy_to_user(arg + off, cap, len) ? -EFAULT : 0;
}

/*
 * VFIO_IOMMU_GET_INFO: page sizes, then a capability chain (DMA_AVAIL, then
 * IOVA_RANGE with the holes between reserved ranges). A short buffer gets
 * the part that fits and learns the full size from argsz (upstream).
 */
static int vfio_iommu_get_info(struct iommufd_ctx *ictx, void __user *arg)
{
	size_t minsz = offsetofend(struct vfio_iommu_type1_info, iova_pgsizes);
	struct vfio_iommu_type1_info_cap_iova_range iova_cap = {
		.header = { .id = VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE,
			    .version = 1 },
	};
	struct vfio_iommu_type1_info_dma_avail avail_cap = {
		.header = { .id = VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL,
			    .version = 1 },
		.avail = U32_MAX,
	};
	struct vfio_iommu_type1_info info = {};
	size_t avail_off, iova_off, total, iova_len;
	struct iommu_iova_range *ranges;
	struct iommufd_ioas *ioas;
	unsigned int n, i;
	int rc;

	if (copy_from_user(&info, arg, minsz))
		return -EFAULT;
	if (info.argsz < minsz)
		return -EINVAL;
	minsz = min_t(size_t, info.argsz, sizeof(info));
	ioas = compat_ioas(ictx);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);

	n = iopt_allowed_ranges(&ioas->iopt, NULL, 0);
	ranges = kcalloc(n, sizeof(*ranges), GFP_KERNEL_ACCOUNT);
	if (!ranges)
		return -ENOMEM;
	iopt_allowed_ranges(&ioas->iopt, ranges, n);

	avail_off = sizeof(info);
	iova_off = avail_off + ALIGN(sizeof(avail_cap), sizeof(u64));
	iova_len = struct_size(&iova_cap, iova_ranges, n);
	total = iova_off + ALIGN(iova_len, sizeof(u64));

	/* The chain link is written only when the next cap is reached */
	if (info.argsz >= iova_off)
		avail_cap.header.next = iova_off;
	rc = vfio_put_cap(arg, info.argsz, avail_off, &avail_cap,
			  sizeof(avail_cap));
	if (rc)
		goto out_free;
	/* The header only once the whole range array fits (upstream) */
	iova_cap.nr_iovas = n;
	if (info.argsz >= iova_off + iova_len)
		rc = vfio_put_cap(arg, info.argsz, iova_off, &iova_cap,
				  sizeof(iova_cap));
	for (i = 0; !rc && i < n; i++) {
		struct vfio_iova_range r = {
			.start = ranges[i].start,
			.end = ranges[i].last,
		};

		rc = vfio_put_cap(arg, info.argsz,
				  iova_off + offsetof(typeof(iova_cap),
						      iova_ranges[i]),
				  &r, sizeof(r));
	}
	if (rc)
		goto out_free;

	info.flags = VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS;
	info.iova_pgsizes = vfio_pgsizes(ioas);
	info.cap_offset = info.argsz >= total ? sizeof(info) : 0;
	info.argsz = total;
	if (copy_to_user(arg, &info, minsz))
		rc = -EFAULT;
out_free:
	kfree(ranges);
	return rc;
}

/**
 * iommufd_vfio_ioctl() - a VFIO container ioctl on the iommufd file
 * @ictx: the file's context, locked
 * @cmd: ioctl number (below IOMMUFD_CMD_BASE)
 * @arg: its argument
 *
 * Return: the VFIO result; -ENOIOCTLCMD (ENOTTY for userspace) for
 * commands not offered, among them VFIO_IOMMU_DIRTY_PAGES.
 */
long iommufd_vfio_ioctl(struct iommufd_ctx *ictx, unsigned int cmd,
			unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case VFIO_GET_API_VERSION:
		return VFIO_API_VERSION;
	case VFIO_SET_IOMMU:
		return vfio_set_iommu(ictx, arg);
	case VFIO_CHECK_EXTENSION:
		return vfio_check_extension(ictx, arg);
	case VFIO_IOMMU_GET_INFO:
		return vfio_iommu_get_info(ictx, uarg);
	case VFIO_IOMMU_MAP_DMA:
		return vfio_map_dma(ictx, uarg);
	case VFIO_IOMMU_UNMAP_DMA:
		return vfio_unmap_dma(ictx, uarg);
	default:
		return -ENOIOCTLCMD;
	}
}
