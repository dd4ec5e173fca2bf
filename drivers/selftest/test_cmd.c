// SPDX-License-Identifier: GPL-2.0
/*
 * Upstream's IOMMU_TEST_CMD (iommufd_test.h): the ops its selftests use to
 * make mock devices, reserve IOVA, look into the selftest mock's page
 * tables and IOTLB, check page pin counts, and drive in-kernel accesses.
 * Numbers, layouts, errnos and side effects follow upstream's selftest.c;
 * the code is the project's own. The ops read core state, so this file
 * includes the core's private header (the only driver file that does).
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/mm.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "../core/iommufd_private.h"
#include "selftest.h"

/*
 * An IOMMU_TEST_OP_MOCK_DOMAIN object ("stdev"): owns a selftest device,
 * its binding to the file and its attachment. Destroying it undoes all.
 */
struct st_stdev {
	struct iommufd_driver_object dobj;
	struct st_dev *sdev;
	struct iommufd_device *idev;
};

static void st_stdev_destroy(struct iommufd_driver_object *dobj)
{
	struct st_stdev *st = container_of(dobj, struct st_stdev, dobj);

	/*
	 * Unbinding detaches the RID and any PASID left attached, then
	 * releases the device through the instance's ops
	 */
	iommufd_device_unbind(st->idev);
}

static int st_add_reserved(struct iommufd_ucmd *ucmd, struct iommu_test_cmd *cmd)
{
	struct iommufd_ioas *ioas;
	unsigned long last;

	if (!cmd->add_reserved.length)
		return -EINVAL;
	if (check_add_overflow((unsigned long)cmd->add_reserved.start,
			       (unsigned long)cmd->add_reserved.length - 1,
			       &last))
		return -EOVERFLOW;
	ioas = iommufd_get_ioas(ucmd->ictx, cmd->id);
	if (IS_ERR(ioas))
		return PTR_ERR(ioas);
	return iopt_reserve(&ioas->iopt, cmd->add_reserved.start, last, NULL);
}

static int st_mock_domain(struct iommufd_ucmd *ucmd, struct iommu_test_cmd *cmd)
{
	u32 flags = cmd->op == IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS ?
		    cmd->mock_domain_flags.dev_flags : 0;
	struct iommufd_attach att;
	struct iommufd_device *idev;
	struct iommufd_object *obj;
	struct st_stdev *st;
	struct st_dev *sdev;
	int rc;

	obj = iommufd_object_alloc(ucmd->ictx, sizeof(*st), IOMMUFD_OBJ_DRIVER);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	st = container_of(obj, struct st_stdev, dobj.obj);
	/* Not busy with a vDEVICE: unbinding leaves it a tombstone (6.17) */
	st->dobj.destroy = st_stdev_destroy;

	sdev = st_dev_create(flags);
	if (IS_ERR(sdev)) {
		rc = PTR_ERR(sdev);
		goto out_abort;
	}
	idev = iommufd_device_bind(ucmd->ictx, &sdev->core);
	if (IS_ERR(idev)) {
		st_dev_destroy(sdev);
		rc = PTR_ERR(idev);
		goto out_abort;
	}
	st->sdev = sdev;
	st->idev = idev;

	rc = iommufd_device_attach_begin(ucmd->ictx, idev, MIOMMU_NO_PASID,
					 cmd->id, false, &att);
	if (rc)
		goto out_unbind;

	cmd->mock_domain.out_stdev_id = st->dobj.obj.id;
	cmd->mock_domain.out_hwpt_id = att.hwpt->obj.id;
	cmd->mock_domain.out_idev_id = idev->obj.id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	iommufd_device_attach_end(ucmd->ictx, idev, &att, !rc);
	if (rc)
		goto out_unbind;
	iommufd_object_finalize(ucmd->ictx, &st->dobj.obj);
	return 0;

out_unbind:
	iommufd_device_unbind(idev);
out_abort:
	iommufd_object_abort(ucmd->ictx, &st->dobj.obj);
	return rc;
}

static struct st_stdev *st_get_stdev(struct iommufd_ctx *ictx, u32 id)
{
	struct iommufd_driver_object *dobj;
	struct iommufd_object *obj;

	obj = iommufd_get_object(ictx, id, IOMMUFD_OBJ_DRIVER);
	if (IS_ERR(obj))
		return ERR_CAST(obj);
	dobj = container_of(obj, struct iommufd_driver_object, obj);
	if (dobj->destroy != st_stdev_destroy)
		return ERR_PTR(-EINVAL);
	return container_of(dobj, struct st_stdev, dobj);
}

static int st_mock_domain_replace(struct iommufd_ucmd *ucmd,
				  struct iommu_test_cmd *cmd)
{
	struct st_stdev *st = st_get_stdev(ucmd->ictx, cmd->id);
	struct iommufd_attach att;
	int rc;

	if (IS_ERR(st))
		return PTR_ERR(st);
	rc = iommufd_device_attach_begin(ucmd->ictx, st->idev, MIOMMU_NO_PASID,
					 cmd->mock_domain_replace.pt_id, true,
					 &att);
	if (rc)
		return rc;
	cmd->mock_domain_replace.pt_id = att.hwpt->obj.id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	iommufd_device_attach_end(ucmd->ictx, st->idev, &att, !rc);
	return rc;
}

/*
 * IOMMU_TEST_OP_PASID_ATTACH and _REPLACE: upstream's iommufd_device_attach()
 * and _replace() with the PASID (0, IOMMU_NO_PASID, is the RID), pt_id
 * written back with the HWPT now attached. Unlike upstream, which undoes an
 * attach but keeps a replace when the reply cannot be written, the reply is
 * written before the change is committed, so an EFAULT changes nothing.
 */
static int st_pasid_attach(struct iommufd_ucmd *ucmd, struct iommu_test_cmd *cmd,
			   bool replace)
{
	struct st_stdev *st = st_get_stdev(ucmd->ictx, cmd->id);
	struct iommufd_attach att;
	u32 pasid, pt_id;
	int rc;

	if (IS_ERR(st))
		return PTR_ERR(st);
	pasid = replace ? cmd->pasid_replace.pasid : cmd->pasid_attach.pasid;
	pt_id = replace ? cmd->pasid_replace.pt_id : cmd->pasid_attach.pt_id;
	rc = iommufd_device_attach_begin(ucmd->ictx, st->idev, pasid, pt_id,
					 replace, &att);
	if (rc)
		return rc;
	if (replace)
		cmd->pasid_replace.pt_id = att.hwpt->obj.id;
	else
		cmd->pasid_attach.pt_id = att.hwpt->obj.id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	iommufd_device_attach_end(ucmd->ictx, st->idev, &att, !rc);
	return rc;
}

/* IOMMU_TEST_OP_PASID_DETACH: succeeds whether or not it was attached. */
static int st_pasid_detach(struct iommufd_ucmd *ucmd, struct iommu_test_cmd *cmd)
{
	struct st_stdev *st = st_get_stdev(ucmd->ictx, cmd->id);

	if (IS_ERR(st))
		return PTR_ERR(st);
	iommufd_device_detach(ucmd->ictx, st->idev, cmd->pasid_detach.pasid);
	return 0;
}

/*
 * IOMMU_TEST_OP_PASID_CHECK_HWPT: hwpt_id 0 checks that nothing is attached
 * to the PASID, else that the HWPT hwpt_id is (EINVAL when not).
 */
static int st_pasid_check_hwpt(struct iommufd_ucmd *ucmd,
			       struct iommu_test_cmd *cmd)
{
	struct st_stdev *st = st_get_stdev(ucmd->ictx, cmd->id);
	struct iommufd_hwpt *attached;
	struct iommufd_object *obj;

	if (IS_ERR(st))
		return PTR_ERR(st);
	attached = iommufd_device_attached(st->idev, cmd->pasid_check.pasid);
	if (!cmd->pasid_check.hwpt_id)
		return attached ? -EINVAL : 0;
	obj = iommufd_get_object(ucmd->ictx, cmd->pasid_check.hwpt_id,
				 IOMMUFD_OBJ_ANY);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	if (obj->type != IOMMUFD_OBJ_HWPT_PAGING &&
	    obj->type != IOMMUFD_OBJ_HWPT_NESTED)
		return -EINVAL;
	return attached == container_of(obj, struct iommufd_hwpt, obj) ?
	       0 : -EINVAL;
}

static struct st_domain *st_get_domain(struct iommufd_ctx *ictx, u32 id,
				       enum iommufd_object_type type)
{
	struct iommufd_object *obj = iommufd_get_object(ictx, id, type);
	struct iommufd_hwpt *hwpt;

	if (IS_ERR(obj))
		return ERR_CAST(obj);
	hwpt = container_of(obj, struct iommufd_hwpt, obj);
	if (type == IOMMUFD_OBJ_HWPT_PAGING ? !st_is_paging(hwpt->domain) :
					      !st_is_nested(hwpt->domain))
		return ERR_PTR(-EINVAL);
	return to_st_domain(hwpt->domain);
}

static int st_user_pfn(unsigned long uaddr, unsigned long *pfn)
{
	struct page *page;
	long got;

	got = get_user_pages_fast(uaddr & PAGE_MASK, 1, 0, &page);
	if (got < 0)
		return got;
	if (got != 1)
		return -EFAULT;
	*pfn = page_to_pfn(page);
	put_page(page);
	return 0;
}

/* Every half page of the IOVA range maps the page under the user address. */
static int st_md_check_map(struct iommufd_ucmd *ucmd,
			   struct iommu_test_cmd *cmd)
{
	unsigned long iova = cmd->check_map.iova, length = cmd->check_map.length;
	unsigned long uptr = cmd->check_map.uptr, end, pfn;
	struct st_domain *sd;
	void *entry;
	int rc;

	if (iova % ST_IO_PAGE_SIZE || length % ST_IO_PAGE_SIZE ||
	    uptr % ST_IO_PAGE_SIZE || check_add_overflow(uptr, length, &end))
		return -EINVAL;
	sd = st_get_domain(ucmd->ictx, cmd->id, IOMMUFD_OBJ_HWPT_PAGING);
	if (IS_ERR(sd))
		return PTR_ERR(sd);
	for (; length; length -= ST_IO_PAGE_SIZE) {
		rc = st_user_pfn(uptr, &pfn);
		if (rc)
			return rc;
		entry = xa_load(&sd->ptes, iova / ST_IO_PAGE_SIZE);
		if (!entry ||
		    (xa_to_value(entry) & ST_PTE_PFN_MASK) * ST_IO_PAGE_SIZE !=
		    pfn * PAGE_SIZE + uptr % PAGE_SIZE)
			return -EINVAL;
		iova += ST_IO_PAGE_SIZE;
		uptr += ST_IO_PAGE_SIZE;
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return 0;
}

/* Each small page of the range is pinned exactly @refs times. */
static int st_md_check_refs(struct iommu_test_cmd *cmd)
{
	unsigned long uptr = cmd->check_refs.uptr, length = cmd->check_refs.length;
	unsigned long end;
	struct page *page;
	long got;

	if (length % PAGE_SIZE || uptr % PAGE_SIZE ||
	    check_add_overflow(uptr, length, &end))
		return -EINVAL;
	for (; length; length -= PAGE_SIZE, uptr += PAGE_SIZE) {
		got = get_user_pages_fast(uptr, 1, 0, &page);
		if (got < 0)
			return got;
		if (got != 1)
			return -EFAULT;
		if (!PageCompound(page) &&
		    page_ref_count(page) / GUP_PIN_COUNTING_BIAS !=
		    cmd->check_refs.refs) {
			put_page(page);
			return -EIO;
		}
		put_page(page);
		if (fatal_signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return 0;
}

static int st_md_check_iotlb(struct iommufd_ucmd *ucmd,
			     struct iommu_test_cmd *cmd)
{
	struct st_domain *sd;

	sd = st_get_domain(ucmd->ictx, cmd->id, IOMMUFD_OBJ_HWPT_NESTED);
	if (IS_ERR(sd))
		return PTR_ERR(sd);
	if (cmd->check_iotlb.id > MOCK_NESTED_DOMAIN_IOTLB_ID_MAX ||
	    sd->iotlb[cmd->check_iotlb.id] != cmd->check_iotlb.iotlb)
		return -EINVAL;
	return 0;
}

/*
 * Access objects: a file per access (its fd is the ID the other access ops
 * take), items = pinned ranges. Everything runs under the iommufd's lock.
 */
struct st_access {
	struct iommufd_access *access;
	struct list_head items;
	unsigned int next_id;
};

struct st_access_item {
	struct list_head next;
	unsigned long iova;
	unsigned long length;
	unsigned int id;
};

static const struct file_operations st_access_fops;

/* The access's unmap op: drop every item that touches the range. */
static void st_access_unmap(void *data, unsigned long iova,
			    unsigned long length)
{
	unsigned long last = iova + length - 1;
	struct st_access *sa = data;
	struct st_access_item *item, *tmp;

	list_for_each_entry_safe(item, tmp, &sa->items, next) {
		if (iova > item->iova + item->length - 1 || last < item->iova)
			continue;
		list_del(&item->next);
		iommufd_access_unpin_pages(sa->access, item->iova,
					   item->length);
		kfree(item);
	}
}

static const struct iommufd_access_ops st_access_ops_pin = {
	.needs_pin_pages = 1,
	.unmap = st_access_unmap,
};

static const struct iommufd_access_ops st_access_ops = {
	.unmap = st_access_unmap,
};

static int st_access_release(struct inode *inode, struct file *file)
{
	struct st_access *sa = file->private_data;

	if (sa->access) {
		struct iommufd_ctx *ictx = sa->access->ictx;
		struct file *ifile = ictx->file;

		mutex_lock(&ictx->lock);
		st_access_unmap(sa, 0, ULONG_MAX);
		iommufd_access_destroy(sa->access);
		mutex_unlock(&ictx->lock);
		fput(ifile);
	}
	kfree(sa);
	return 0;
}

static const struct file_operations st_access_fops = {
	.owner = THIS_MODULE,
	.release = st_access_release,
};

/* The access behind fd @fd, which must belong to this iommufd. */
static struct st_access *st_access_get(struct iommufd_ucmd *ucmd, u32 fd,
				       struct file **filep)
{
	struct st_access *sa;
	struct file *file;

	file = fget(fd);
	if (!file)
		return ERR_PTR(-EBADFD);
	if (file->f_op != &st_access_fops) {
		fput(file);
		return ERR_PTR(-EBADFD);
	}
	sa = file->private_data;
	if (!sa->access || sa->access->ictx != ucmd->ictx) {
		fput(file);
		return ERR_PTR(-EINVAL);
	}
	*filep = file;
	return sa;
}

static int st_create_access(struct iommufd_ucmd *ucmd,
			    struct iommu_test_cmd *cmd)
{
	u32 flags = cmd->create_access.flags;
	struct iommufd_access *access;
	struct st_access *sa;
	struct file *file;
	int fd, rc;

	if (flags & ~MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES)
		return -EOPNOTSUPP;
	sa = kzalloc(sizeof(*sa), GFP_KERNEL_ACCOUNT);
	if (!sa)
		return -ENOMEM;
	INIT_LIST_HEAD(&sa->items);
	file = anon_inode_getfile("[iommufd_mock_access]", &st_access_fops, sa,
				  O_RDWR);
	if (IS_ERR(file)) {
		kfree(sa);
		return PTR_ERR(file);
	}
	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		rc = fd;
		goto out_fput;
	}
	access = iommufd_access_create(ucmd->ictx,
				       (flags & MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES) ?
				       &st_access_ops_pin : &st_access_ops, sa);
	if (IS_ERR(access)) {
		rc = PTR_ERR(access);
		goto out_put_fd;
	}
	rc = iommufd_access_attach_id(access, cmd->id);
	if (rc)
		goto out_destroy;
	cmd->create_access.out_access_fd = fd;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc)
		goto out_destroy;
	sa->access = access;
	fd_install(fd, file);
	return 0;

out_destroy:
	iommufd_access_destroy(access);
	/* The file reference the access took cannot be the last one here */
	fput(ucmd->ictx->file);
out_put_fd:
	put_unused_fd(fd);
out_fput:
	fput(file);
	return rc;
}

static int st_access_replace_ioas(struct iommufd_ucmd *ucmd,
				  struct iommu_test_cmd *cmd)
{
	struct st_access *sa;
	struct file *file;
	int rc;

	sa = st_access_get(ucmd, cmd->id, &file);
	if (IS_ERR(sa))
		return PTR_ERR(sa);
	rc = iommufd_access_attach_id(sa->access,
				      cmd->access_replace_ioas.ioas_id);
	fput(file);
	return rc;
}

/* Each pinned page must be the page under the user address. */
static int st_check_pages(unsigned long uptr, struct page **pages,
			  unsigned long npages)
{
	unsigned long pfn;
	int rc;

	for (; npages; npages--, pages++, uptr += PAGE_SIZE) {
		rc = st_user_pfn(uptr, &pfn);
		if (rc)
			return rc;
		if (page_to_pfn(*pages) != pfn)
			return -EBADE;
	}
	return 0;
}

static int st_access_pages(struct iommufd_ucmd *ucmd,
			   struct iommu_test_cmd *cmd)
{
	unsigned long iova = cmd->access_pages.iova;
	unsigned long length = cmd->access_pages.length;
	unsigned long uptr = cmd->access_pages.uptr, npages;
	u32 flags = cmd->access_pages.flags;
	struct st_access_item *item;
	struct st_access *sa;
	struct page **pages;
	struct file *file;
	int rc;

	/* Bounded like upstream: the page array is sized by userspace */
	if (length > SZ_16M)
		return -ENOMEM;
	if (flags & ~(MOCK_FLAGS_ACCESS_WRITE | MOCK_FLAGS_ACCESS_SYZ))
		return -EOPNOTSUPP;
	sa = st_access_get(ucmd, cmd->id, &file);
	if (IS_ERR(sa))
		return PTR_ERR(sa);
	if (sa->access->ops != &st_access_ops_pin) {
		rc = -EOPNOTSUPP;
		goto out_fput;
	}
	if (!length || iova + length < iova) {
		rc = length ? -EOVERFLOW : -EINVAL;
		goto out_fput;
	}
	npages = (ALIGN(iova + length, PAGE_SIZE) - ALIGN_DOWN(iova, PAGE_SIZE)) /
		 PAGE_SIZE;
	pages = kvcalloc(npages, sizeof(*pages), GFP_KERNEL_ACCOUNT);
	if (!pages) {
		rc = -ENOMEM;
		goto out_fput;
	}
	rc = iommufd_access_pin_pages(sa->access, iova, length, pages,
				      (flags & MOCK_FLAGS_ACCESS_WRITE) ?
				      IOMMUFD_ACCESS_RW_WRITE : 0);
	if (rc)
		goto out_free;
	if (uptr) {
		rc = st_check_pages(uptr - (iova - ALIGN_DOWN(iova, PAGE_SIZE)),
				    pages, npages);
		if (rc)
			goto out_unpin;
	}
	item = kzalloc(sizeof(*item), GFP_KERNEL_ACCOUNT);
	if (!item) {
		rc = -ENOMEM;
		goto out_unpin;
	}
	item->iova = iova;
	item->length = length;
	item->id = sa->next_id++;
	list_add_tail(&item->next, &sa->items);
	cmd->access_pages.out_access_pages_id = item->id;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (!rc)
		goto out_free;
	list_del(&item->next);
	kfree(item);
out_unpin:
	iommufd_access_unpin_pages(sa->access, iova, length);
out_free:
	kvfree(pages);
out_fput:
	fput(file);
	return rc;
}

static int st_destroy_access_pages(struct iommufd_ucmd *ucmd,
				   struct iommu_test_cmd *cmd)
{
	struct st_access_item *item;
	struct st_access *sa;
	struct file *file;
	int rc = -ENOENT;

	sa = st_access_get(ucmd, cmd->id, &file);
	if (IS_ERR(sa))
		return PTR_ERR(sa);
	list_for_each_entry(item, &sa->items, next) {
		if (item->id != cmd->destroy_access_pages.access_pages_id)
			continue;
		list_del(&item->next);
		iommufd_access_unpin_pages(sa->access, item->iova,
					   item->length);
		kfree(item);
		rc = 0;
		break;
	}
	fput(file);
	return rc;
}

static int st_access_rw(struct iommufd_ucmd *ucmd, struct iommu_test_cmd *cmd)
{
	unsigned long length = cmd->access_rw.length;
	void __user *ubuf = u64_to_user_ptr(cmd->access_rw.uptr);
	u32 flags = cmd->access_rw.flags;
	struct st_access *sa;
	struct file *file;
	void *tmp;
	int rc;

	/* Bounded like upstream: the bounce buffer is sized by userspace */
	if (length > SZ_16M)
		return -ENOMEM;
	if (flags & ~(MOCK_ACCESS_RW_WRITE | MOCK_ACCESS_RW_SLOW_PATH |
		      MOCK_FLAGS_ACCESS_SYZ))
		return -EOPNOTSUPP;
	sa = st_access_get(ucmd, cmd->id, &file);
	if (IS_ERR(sa))
		return PTR_ERR(sa);
	tmp = kvzalloc(length ?: 1, GFP_KERNEL_ACCOUNT);
	if (!tmp) {
		rc = -ENOMEM;
		goto out_fput;
	}
	if ((flags & MOCK_ACCESS_RW_WRITE) && copy_from_user(tmp, ubuf, length)) {
		rc = -EFAULT;
		goto out_free;
	}
	rc = iommufd_access_rw(sa->access, cmd->access_rw.iova, tmp, length,
			       ((flags & MOCK_ACCESS_RW_WRITE) ?
				IOMMUFD_ACCESS_RW_WRITE : 0) |
			       ((flags & MOCK_ACCESS_RW_SLOW_PATH) ?
				IOMMUFD_ACCESS_RW_SLOW_PATH : 0));
	if (!rc && !(flags & MOCK_ACCESS_RW_WRITE) &&
	    copy_to_user(ubuf, tmp, length))
		rc = -EFAULT;
out_free:
	kvfree(tmp);
out_fput:
	fput(file);
	return rc;
}

/*
 * Mark the IO pages named by a user bitmap dirty, as a device write would
 * (upstream's IOMMU_TEST_OP_DIRTY); out_nr_dirty counts the mapped ones.
 */
static int st_dirty(struct iommufd_ucmd *ucmd, struct iommu_test_cmd *cmd)
{
	unsigned long iova = cmd->dirty.iova, length = cmd->dirty.length;
	unsigned long page_size = cmd->dirty.page_size, i, max;
	void __user *uptr = u64_to_user_ptr(cmd->dirty.uptr);
	unsigned long *bits;
	struct st_domain *sd;
	unsigned long count = 0;
	void *entry;
	int rc;

	if (!page_size || !length || iova % page_size || length % page_size ||
	    !uptr)
		return -EINVAL;
	max = length / page_size;
	/* Bounded like upstream: the bitmap copy is sized by userspace */
	if (max > SZ_16M * BITS_PER_BYTE)
		return -EOVERFLOW;
	sd = st_get_domain(ucmd->ictx, cmd->id, IOMMUFD_OBJ_HWPT_PAGING);
	if (IS_ERR(sd))
		return PTR_ERR(sd);
	if (!sd->dirty_tracking)
		return -EINVAL;
	bits = kvcalloc(BITS_TO_LONGS(max), sizeof(long), GFP_KERNEL_ACCOUNT);
	if (!bits)
		return -ENOMEM;
	if (copy_from_user(bits, uptr, DIV_ROUND_UP(max, BITS_PER_BYTE))) {
		rc = -EFAULT;
		goto out_free;
	}
	for_each_set_bit(i, bits, max) {
		unsigned long index = (iova + i * page_size) / ST_IO_PAGE_SIZE;

		entry = xa_load(&sd->ptes, index);
		if (!entry)
			continue;
		xa_store(&sd->ptes, index,
			 xa_mk_value(xa_to_value(entry) | ST_PTE_DIRTY),
			 GFP_KERNEL);
		count++;
		cond_resched();
	}
	cmd->dirty.out_nr_dirty = count;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
out_free:
	kvfree(bits);
	return rc;
}

/*
 * A page request from a selftest device: queued on the fault queue of the
 * HWPT its PASID (or its RID) is attached to, if any, as the core routes
 * it; like upstream, the op itself succeeds whether or not a queue takes
 * it.
 */
static int st_trigger_iopf(struct iommufd_ucmd *ucmd,
			   struct iommu_test_cmd *cmd)
{
	struct iommu_hwpt_pgfault msg = {
		.flags = IOMMU_PGFAULT_FLAGS_LAST_PAGE,
		.pasid = cmd->trigger_iopf.pasid,
		.grpid = cmd->trigger_iopf.grpid,
		.perm = cmd->trigger_iopf.perm,
		.addr = cmd->trigger_iopf.addr,
	};
	struct iommufd_device *idev;
	struct iommufd_object *obj;

	obj = iommufd_get_object(ucmd->ictx, cmd->trigger_iopf.dev_id,
				 IOMMUFD_OBJ_DEVICE);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	idev = container_of(obj, struct iommufd_device, obj);
	if (!st_is_dev(idev->hw))
		return -EINVAL;
	/* IOMMU_NO_PASID is 0 */
	if (msg.pasid)
		msg.flags |= IOMMU_PGFAULT_FLAGS_PASID_VALID;
	iommufd_device_report_fault(idev, &msg);
	return 0;
}

/* The selftest device whose device object (idev) has ID @id. */
static struct st_dev *st_get_dev(struct iommufd_ctx *ictx, u32 id,
				 struct iommufd_device **idevp)
{
	struct iommufd_object *obj;
	struct iommufd_device *idev;

	obj = iommufd_get_object(ictx, id, IOMMUFD_OBJ_DEVICE);
	if (IS_ERR(obj))
		return ERR_CAST(obj);
	idev = container_of(obj, struct iommufd_device, obj);
	if (!st_is_dev(idev->hw))
		return ERR_PTR(-EINVAL);
	if (idevp)
		*idevp = idev;
	return to_st_dev(idev->hw);
}

/* One slot of a selftest device's cache holds the value given (upstream). */
static int st_dev_check_cache(struct iommufd_ucmd *ucmd,
			      struct iommu_test_cmd *cmd)
{
	struct st_dev *sdev = st_get_dev(ucmd->ictx, cmd->id, NULL);

	if (IS_ERR(sdev))
		return PTR_ERR(sdev);
	if (cmd->check_dev_cache.id > MOCK_DEV_CACHE_ID_MAX ||
	    sdev->cache[cmd->check_dev_cache.id] != cmd->check_dev_cache.cache)
		return -EINVAL;
	return 0;
}

/*
 * A vIOMMU event of a selftest device (upstream 6.17): the device must be
 * attached to a nested HWPT of a vIOMMU in which it has a vDEVICE with a
 * non-zero virt_id (upstream's mock treats 0 as none), else -ENOENT; the
 * event, struct iommu_viommu_event_selftest, goes to the vIOMMU's queue of
 * IOMMU_VEVENTQ_TYPE_SELFTEST (-EOPNOTSUPP without one).
 */
static int st_trigger_vevent(struct iommufd_ucmd *ucmd,
			     struct iommu_test_cmd *cmd)
{
	struct iommu_viommu_event_selftest event = {};
	struct miommu_vdevice *vdev;
	struct iommufd_device *idev;
	struct miommu_viommu *hw;
	struct st_dev *sdev;

	sdev = st_get_dev(ucmd->ictx, cmd->trigger_vevent.dev_id, &idev);
	if (IS_ERR(sdev))
		return PTR_ERR(sdev);
	if (!idev->hwpt || !idev->hwpt->viommu)
		return -ENOENT;
	hw = idev->hwpt->viommu->hw;
	vdev = miommu_viommu_find_vdev(hw, idev->hw);
	if (!vdev || !vdev->virt_id)
		return -ENOENT;
	event.virt_id = vdev->virt_id;
	return miommu_viommu_report_event(hw, IOMMU_VEVENTQ_TYPE_SELFTEST,
					  &event, sizeof(event));
}

static int st_test_cmd(struct iommufd_ucmd *ucmd)
{
	struct iommu_test_cmd *cmd = ucmd->cmd;

	switch (cmd->op) {
	case IOMMU_TEST_OP_ADD_RESERVED:
		return st_add_reserved(ucmd, cmd);
	case IOMMU_TEST_OP_MOCK_DOMAIN:
	case IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS:
		return st_mock_domain(ucmd, cmd);
	case IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE:
		return st_mock_domain_replace(ucmd, cmd);
	case IOMMU_TEST_OP_MD_CHECK_MAP:
		return st_md_check_map(ucmd, cmd);
	case IOMMU_TEST_OP_MD_CHECK_REFS:
		return st_md_check_refs(cmd);
	case IOMMU_TEST_OP_MD_CHECK_IOTLB:
		return st_md_check_iotlb(ucmd, cmd);
	case IOMMU_TEST_OP_CREATE_ACCESS:
		return st_create_access(ucmd, cmd);
	case IOMMU_TEST_OP_ACCESS_REPLACE_IOAS:
		return st_access_replace_ioas(ucmd, cmd);
	case IOMMU_TEST_OP_ACCESS_PAGES:
		return st_access_pages(ucmd, cmd);
	case IOMMU_TEST_OP_DESTROY_ACCESS_PAGES:
		return st_destroy_access_pages(ucmd, cmd);
	case IOMMU_TEST_OP_ACCESS_RW:
		return st_access_rw(ucmd, cmd);
	case IOMMU_TEST_OP_TRIGGER_IOPF:
		return st_trigger_iopf(ucmd, cmd);
	case IOMMU_TEST_OP_DIRTY:
		return st_dirty(ucmd, cmd);
	case IOMMU_TEST_OP_DEV_CHECK_CACHE:
		return st_dev_check_cache(ucmd, cmd);
	case IOMMU_TEST_OP_TRIGGER_VEVENT:
		return st_trigger_vevent(ucmd, cmd);
	case IOMMU_TEST_OP_PASID_ATTACH:
		return st_pasid_attach(ucmd, cmd, false);
	case IOMMU_TEST_OP_PASID_REPLACE:
		return st_pasid_attach(ucmd, cmd, true);
	case IOMMU_TEST_OP_PASID_DETACH:
		return st_pasid_detach(ucmd, cmd);
	case IOMMU_TEST_OP_PASID_CHECK_HWPT:
		return st_pasid_check_hwpt(ucmd, cmd);
	case IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT:
		/* A batch must hold at least one entry (upstream's bound) */
		if (cmd->memory_limit.limit < sizeof(unsigned long) + sizeof(u32))
			return -EINVAL;
		iopt_batch_limit = cmd->memory_limit.limit;
		return 0;
	default:
		return -EOPNOTSUPP;
	}
}

/**
 * st_test_cmd_init() - serve IOMMU_TEST_CMD from this driver
 *
 * Return: 0 or iommufd_register_test_cmd()'s errno.
 */
int st_test_cmd_init(void)
{
	return iommufd_register_test_cmd(st_test_cmd,
					 sizeof(struct iommu_test_cmd),
					 offsetofend(struct iommu_test_cmd, last));
}

/**
 * st_test_cmd_exit() - stop serving IOMMU_TEST_CMD
 */
void st_test_cmd_exit(void)
{
	iommufd_unregister_test_cmd();
}
