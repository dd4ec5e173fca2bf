// SPDX-License-Identifier: GPL-2.0
/*
 * mmap() of the iommufd file (upstream 6.17): a driver object (a vIOMMU)
 * registers a region of kernel memory and hands its offset to userspace,
 * which maps exactly that offset and length with MAP_SHARED. A mapping is
 * a user of the owner object, so IOMMU_DESTROY of it answers EBUSY until
 * munmap().
 *
 * mmap() runs with mmap_lock held, which nests inside ictx->lock, so this
 * file never takes ictx->lock: the region table's xa_lock guards a
 * region's owner pointer. A region is freed with its last mapping, so a
 * mapping that outlives its owner (a race between mmap() and
 * IOMMU_DESTROY) still maps valid memory and only stops counting as a user.
 */
#include <linux/fs.h>
#include <linux/kref.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "iommufd_private.h"

/**
 * struct iommufd_mmap - a region mmap() of the iommufd file maps
 * @kref: one for the table, one per mapping
 * @owner: the object it belongs to; NULL once the owner removed it
 *         (guarded by the table's xa_lock)
 * @buf: the memory, from vmalloc_user() (zeroed)
 * @length: bytes, a multiple of PAGE_SIZE
 */
struct iommufd_mmap {
	struct kref kref;
	struct iommufd_object *owner;
	void *buf;
	size_t length;
};

static void iommufd_mmap_release(struct kref *kref)
{
	struct iommufd_mmap *immap = container_of(kref, struct iommufd_mmap,
						  kref);

	vfree(immap->buf);
	kfree(immap);
}

/**
 * miommu_viommu_alloc_mmap() - a region userspace may mmap() through the
 *                              iommufd file, owned by a vIOMMU
 * @viommu: the vIOMMU, set up by the core (@viommu->owner set)
 * @length: bytes, a non-zero multiple of PAGE_SIZE
 * @offset: out: the offset to give mmap(); never 0 (upstream skips the
 *          first page) and never reused by the file
 *
 * Return: the region's kernel address (zeroed memory the driver may fill),
 * or ERR_PTR(-EINVAL) for a bad length, -ENOSPC when the file ran out of
 * offsets, -ENOMEM.
 */
void *miommu_viommu_alloc_mmap(struct miommu_viommu *viommu, size_t length,
			       u64 *offset)
{
	struct iommufd_ctx *ictx = viommu->owner->ictx;
	unsigned long pgoff, npages = length >> PAGE_SHIFT;
	struct iommufd_mmap *immap;
	int rc;

	if (!length || !PAGE_ALIGNED(length))
		return ERR_PTR(-EINVAL);
	/* The first page is skipped, so 0 is never a valid offset */
	pgoff = ictx->mmap_next_pgoff ?: 1;
	if (pgoff + npages < pgoff ||
	    pgoff + npages > (ULONG_MAX >> PAGE_SHIFT))
		return ERR_PTR(-ENOSPC);
	immap = kzalloc(sizeof(*immap), GFP_KERNEL_ACCOUNT);
	if (!immap)
		return ERR_PTR(-ENOMEM);
	immap->buf = vmalloc_user(length);
	if (!immap->buf) {
		kfree(immap);
		return ERR_PTR(-ENOMEM);
	}
	kref_init(&immap->kref);
	immap->owner = &viommu->owner->obj;
	immap->length = length;
	rc = xa_insert(&ictx->mmaps, pgoff, immap, GFP_KERNEL_ACCOUNT);
	if (rc) {
		iommufd_mmap_release(&immap->kref);
		return ERR_PTR(rc == -EBUSY ? -ENOSPC : rc);
	}
	ictx->mmap_next_pgoff = pgoff + npages;
	*offset = (u64)pgoff << PAGE_SHIFT;
	return immap->buf;
}

/**
 * miommu_viommu_destroy_mmap() - remove a region of miommu_viommu_alloc_mmap()
 * @viommu: its vIOMMU
 * @offset: the offset the region was given
 *
 * New mmap() calls fail with ENXIO from now on; the memory stays until
 * the last existing mapping of it goes.
 */
void miommu_viommu_destroy_mmap(struct miommu_viommu *viommu, u64 offset)
{
	struct iommufd_ctx *ictx = viommu->owner->ictx;
	struct iommufd_mmap *immap;

	xa_lock(&ictx->mmaps);
	immap = __xa_erase(&ictx->mmaps, offset >> PAGE_SHIFT);
	if (immap)
		immap->owner = NULL;
	xa_unlock(&ictx->mmaps);
	if (!WARN_ON(!immap))
		kref_put(&immap->kref, iommufd_mmap_release);
}

static void iommufd_vma_open(struct vm_area_struct *vma)
{
	struct iommufd_mmap *immap = vma->vm_private_data;
	struct iommufd_ctx *ictx = vma->vm_file->private_data;

	xa_lock(&ictx->mmaps);
	if (immap->owner)
		refcount_inc(&immap->owner->users);
	kref_get(&immap->kref);
	xa_unlock(&ictx->mmaps);
}

static void iommufd_vma_close(struct vm_area_struct *vma)
{
	struct iommufd_mmap *immap = vma->vm_private_data;
	struct iommufd_ctx *ictx = vma->vm_file->private_data;

	xa_lock(&ictx->mmaps);
	if (immap->owner)
		refcount_dec(&immap->owner->users);
	xa_unlock(&ictx->mmaps);
	kref_put(&immap->kref, iommufd_mmap_release);
}

static const struct vm_operations_struct iommufd_vm_ops = {
	.open = iommufd_vma_open,
	.close = iommufd_vma_close,
};

/**
 * iommufd_fops_mmap() - mmap() of the iommufd file
 * @filp: the iommufd file
 * @vma: the new mapping
 *
 * Upstream's rules: the offset and length must be exactly a region's.
 * Return: 0; -EINVAL without MAP_SHARED; -EPERM with PROT_EXEC; -ENXIO no
 * region at that offset, or another length; remap_vmalloc_range()'s errno.
 */
int iommufd_fops_mmap(struct file *filp, struct vm_area_struct *vma)
{
	struct iommufd_ctx *ictx = filp->private_data;
	size_t length = vma->vm_end - vma->vm_start;
	struct iommufd_mmap *immap;
	int rc;

	if (!(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (vma->vm_flags & VM_EXEC)
		return -EPERM;

	xa_lock(&ictx->mmaps);
	immap = xa_load(&ictx->mmaps, vma->vm_pgoff);
	if (!immap || !immap->owner || immap->length != length) {
		xa_unlock(&ictx->mmaps);
		return -ENXIO;
	}
	refcount_inc(&immap->owner->users);
	kref_get(&immap->kref);
	xa_unlock(&ictx->mmaps);

	rc = remap_vmalloc_range(vma, immap->buf, 0);
	if (rc) {
		xa_lock(&ictx->mmaps);
		if (immap->owner)
			refcount_dec(&immap->owner->users);
		xa_unlock(&ictx->mmaps);
		kref_put(&immap->kref, iommufd_mmap_release);
		return rc;
	}
	vma->vm_private_data = immap;
	vma->vm_ops = &iommufd_vm_ops;
	return 0;
}
