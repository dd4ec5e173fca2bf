// SPDX-License-Identifier: GPL-2.0
/*
 * The per-file object table: IDs, lifetime, IOMMU_DESTROY and the
 * IOMMU_MOCK_OBJECT_INFO view.
 *
 * Every command of a file runs under ictx->lock, so an object found in the
 * table stays valid for the whole command without taking a reference. Two
 * commands run without it: IOAS_ALLOC, which touches only the object it
 * creates (unpublished until it is complete, so no other command can find
 * it), and IOMMU_DESTROY as far as iommufd_destroy_quiet() allows.
 * obj->users counts the table's reference plus one per dependent object.
 */
#include <linux/anon_inodes.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "iommufd_private.h"

/* Destroy op of a driver's object: the driver undoes what it built. */
static void iommufd_driver_object_destroy(struct iommufd_object *obj)
{
	struct iommufd_driver_object *dobj =
		container_of(obj, struct iommufd_driver_object, obj);

	dobj->destroy(dobj);
}

static void (*const iommufd_destroy_ops[IOMMUFD_OBJ_MAX])(struct iommufd_object *) = {
	[IOMMUFD_OBJ_IOAS] = iommufd_ioas_destroy,
	[IOMMUFD_OBJ_HWPT_PAGING] = iommufd_hwpt_paging_destroy,
	[IOMMUFD_OBJ_HWPT_NESTED] = iommufd_hwpt_nested_destroy,
	[IOMMUFD_OBJ_DEVICE] = iommufd_device_destroy,
	[IOMMUFD_OBJ_VIOMMU] = iommufd_viommu_destroy,
	[IOMMUFD_OBJ_VDEVICE] = iommufd_vdevice_destroy,
	[IOMMUFD_OBJ_DRIVER] = iommufd_driver_object_destroy,
	[IOMMUFD_OBJ_FAULT] = iommufd_fault_destroy,
	[IOMMUFD_OBJ_VEVENTQ] = iommufd_veventq_destroy,
	[IOMMUFD_OBJ_HW_QUEUE] = iommufd_hw_queue_destroy,
};

/*
 * Has iommufd_object_finalize() run on @obj? Read under the table's xa_lock
 * (abort erases the entry under it before freeing the object).
 */
static bool iommufd_object_published(struct iommufd_object *obj)
{
	/* Pairs with the release in iommufd_object_finalize() */
	return smp_load_acquire(&obj->published);
}

/**
 * iommufd_object_alloc() - allocate an object and reserve its ID
 * @ictx: context
 * @size: bytes of the containing struct, whose first member is the header
 * @type: object type
 *
 * The ID is reserved but lookups do not see the object until
 * iommufd_object_finalize(). Return: the header or ERR_PTR(-ENOMEM/-ENOSPC).
 */
struct iommufd_object *iommufd_object_alloc(struct iommufd_ctx *ictx,
					    size_t size,
					    enum iommufd_object_type type)
{
	struct iommufd_object *obj;
	int rc;

	obj = kzalloc(size, GFP_KERNEL_ACCOUNT);
	if (!obj)
		return ERR_PTR(-ENOMEM);
	obj->type = type;
	refcount_set(&obj->users, 1);
	/* In the table at once, so publishing it stores nothing */
	rc = xa_alloc(&ictx->objects, &obj->id, obj, xa_limit_31b,
		      GFP_KERNEL_ACCOUNT);
	if (rc) {
		kfree(obj);
		return ERR_PTR(rc);
	}
	return obj;
}

/**
 * iommufd_object_finalize() - publish a fully built object under its ID
 * @ictx: context
 * @obj: object from iommufd_object_alloc()
 */
void iommufd_object_finalize(struct iommufd_ctx *ictx,
			     struct iommufd_object *obj)
{
	/* Pairs with the acquire of iommufd_object_published() */
	smp_store_release(&obj->published, true);
}

/**
 * iommufd_object_abort() - release the ID and memory of an unpublished object
 * @ictx: context
 * @obj: object whose type-specific state was never set up or is undone
 */
void iommufd_object_abort(struct iommufd_ctx *ictx, struct iommufd_object *obj)
{
	xa_erase(&ictx->objects, obj->id);
	kfree(obj);
}

/**
 * iommufd_object_abort_and_destroy() - undo an unpublished, built object
 * @ictx: context
 * @obj: object whose type-specific state is complete
 */
void iommufd_object_abort_and_destroy(struct iommufd_ctx *ictx,
				      struct iommufd_object *obj)
{
	iommufd_destroy_ops[obj->type](obj);
	iommufd_object_abort(ictx, obj);
}

/**
 * iommufd_object_file_get() - reserve an fd and make the file of a queue
 *                             object being built (fault queue, vEVENTQ)
 * @name: anon inode name
 * @fops: the file's operations; their release must accept a NULL
 *        private_data (a file never installed)
 * @flags: O_RDONLY or O_RDWR
 * @filep: out: the file, not linked to the object yet
 *
 * Return: the fd, or a negative errno with nothing left behind.
 */
int iommufd_object_file_get(const char *name,
			    const struct file_operations *fops, int flags,
			    struct file **filep)
{
	struct file *file;
	int fd;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return fd;
	file = anon_inode_getfile(name, fops, NULL, flags);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		return PTR_ERR(file);
	}
	*filep = file;
	return fd;
}

/**
 * iommufd_object_file_put() - undo iommufd_object_file_get()
 * @fd: the reserved fd
 * @filep: the file, never installed
 */
void iommufd_object_file_put(int fd, struct file *filep)
{
	fput(filep);
	put_unused_fd(fd);
}

/**
 * iommufd_object_file_install() - publish @obj and hand its file out
 * @ictx: context
 * @obj: object from iommufd_object_alloc(), complete
 * @fd: fd from iommufd_object_file_get()
 * @filep: its file
 * @priv: the file's private_data
 *
 * Called once nothing can fail any more. The file holds one user of @obj
 * and a reference of the iommufd file, both dropped by
 * iommufd_object_file_release().
 */
void iommufd_object_file_install(struct iommufd_ctx *ictx,
				 struct iommufd_object *obj, int fd,
				 struct file *filep, void *priv)
{
	filep->private_data = priv;
	refcount_inc(&obj->users);
	get_file(ictx->file);
	iommufd_object_finalize(ictx, obj);
	fd_install(fd, filep);
}

/**
 * iommufd_object_file_release() - the release of an installed queue file
 * @ictx: context of @obj
 * @obj: the object the file was installed for
 */
void iommufd_object_file_release(struct iommufd_ctx *ictx,
				 struct iommufd_object *obj)
{
	struct file *ifile = ictx->file;

	refcount_dec(&obj->users);
	fput(ifile);
}

/**
 * iommufd_get_object() - look up a published object
 * @ictx: context (its lock held)
 * @id: object ID
 * @type: wanted type, or IOMMUFD_OBJ_ANY
 *
 * As upstream's iommufd_get_object(), an object of another type is not
 * found: a caller that accepts several types asks for IOMMUFD_OBJ_ANY and
 * chooses its own errno for the types it refuses.
 * Return: the object, or ERR_PTR(-ENOENT) for no such ID, an unpublished
 * one, or one of another type.
 */
struct iommufd_object *iommufd_get_object(struct iommufd_ctx *ictx, u32 id,
					  enum iommufd_object_type type)
{
	struct iommufd_object *obj;

	/* Under xa_lock: see iommufd_destroy_quiet() */
	xa_lock(&ictx->objects);
	obj = xa_load(&ictx->objects, id);
	if (obj && !iommufd_object_published(obj))
		obj = NULL;
	xa_unlock(&ictx->objects);
	if (!obj || (type != IOMMUFD_OBJ_ANY && obj->type != type))
		return ERR_PTR(-ENOENT);
	return obj;
}

/**
 * iommufd_object_next() - the published object of a type with the lowest ID
 *                         at or above *@index
 * @ictx: context (its lock held)
 * @index: in: first ID to look at; out: the ID of the object returned
 * @type: wanted type
 *
 * The walk of the table for commands that visit every object of a type;
 * like iommufd_get_object() it reads the table under its xa_lock.
 * Return: the object, or NULL when none is left.
 */
struct iommufd_object *iommufd_object_next(struct iommufd_ctx *ictx,
					   unsigned long *index,
					   enum iommufd_object_type type)
{
	struct iommufd_object *obj;

	xa_lock(&ictx->objects);
	obj = xa_find(&ictx->objects, index, ULONG_MAX, XA_PRESENT);
	while (obj && (obj->type != type || !iommufd_object_published(obj)))
		obj = xa_find_after(&ictx->objects, index, ULONG_MAX,
				    XA_PRESENT);
	xa_unlock(&ictx->objects);
	return obj;
}

/**
 * iommufd_object_busy() - does anything still depend on @obj
 * @obj: a published object
 *
 * Return: true while another object holds a user of it, or while a
 * driver object reports that what it owns is in use (a selftest device
 * with a vDEVICE on it): IOMMU_DESTROY answers EBUSY then, and closing the
 * file destroys it only after its dependents.
 */
bool iommufd_object_busy(struct iommufd_object *obj)
{
	struct iommufd_driver_object *dobj;

	if (refcount_read(&obj->users) != 1)
		return true;
	if (obj->type != IOMMUFD_OBJ_DRIVER)
		return false;
	dobj = container_of(obj, struct iommufd_driver_object, obj);
	return dobj->busy && dobj->busy(dobj);
}

/**
 * iommufd_object_destroy_now() - remove a published object nobody uses
 * @ictx: context
 * @obj: object with users == 1
 */
void iommufd_object_destroy_now(struct iommufd_ctx *ictx,
				struct iommufd_object *obj)
{
	/* The VFIO compatibility IOAS is a plain pointer: forget it */
	if (ictx->vfio_ioas && &ictx->vfio_ioas->obj == obj)
		ictx->vfio_ioas = NULL;
	xa_erase(&ictx->objects, obj->id);
	iommufd_destroy_ops[obj->type](obj);
	kfree(obj);
}

/**
 * iommufd_object_tombstone() - destroy a published object, keep its ID taken
 * @ictx: context
 * @obj: object with users == 1
 *
 * The ID stays reserved (lookups and IOMMU_DESTROY answer -ENOENT) until
 * the file is closed, so userspace that still holds it cannot reach a new
 * object under the same number: upstream's tombstone of a vDEVICE whose
 * device was unbound.
 */
void iommufd_object_tombstone(struct iommufd_ctx *ictx,
			      struct iommufd_object *obj)
{
	/* Replacing a present entry allocates nothing */
	xa_store(&ictx->objects, obj->id, XA_ZERO_ENTRY, GFP_KERNEL);
	iommufd_destroy_ops[obj->type](obj);
	kfree(obj);
}

/**
 * iommufd_destroy_all() - destroy every object of a closing file
 * @ictx: context
 *
 * Dependencies form a DAG, so each pass frees at least the objects nothing
 * depends on, and the table empties.
 */
void iommufd_destroy_all(struct iommufd_ctx *ictx)
{
	struct iommufd_object *obj;
	unsigned long index;
	bool progress = true;

	while (progress) {
		progress = false;
		xa_for_each(&ictx->objects, index, obj) {
			if (iommufd_object_busy(obj))
				continue;
			iommufd_object_destroy_now(ictx, obj);
			progress = true;
			/* a file may own very many objects */
			cond_resched();
		}
	}
	/* Tombstones (zero entries) may stay: xa_for_each skips them */
	xa_for_each(&ictx->objects, index, obj)
		WARN_ON(1);
}

/*
 * Can IOMMU_DESTROY remove @obj without the file lock? Called under the
 * table's xa_lock. Every command that runs under ictx->lock takes that lock
 * before it looks an object up, and reads the table only under xa_lock
 * (iommufd_get_object(), iommufd_object_next()). So while xa_lock is held
 * and ictx->lock is free, no command holds @obj, none can find it before it
 * is erased, and what the last one wrote is visible. Only an object whose
 * destroy touches nothing another object shares qualifies: an IOAS that
 * nothing uses and that has no mapping (mappings may share iopt_pages with
 * another IOAS through IOAS_COPY, and those are guarded by ictx->lock).
 */
static bool iommufd_destroy_quiet(struct iommufd_ctx *ictx,
				  struct iommufd_object *obj)
{
	struct iommufd_ioas *ioas;

	if (obj->type != IOMMUFD_OBJ_IOAS || mutex_is_locked(&ictx->lock))
		return false;
	/* Pairs with the release of the last mutex_unlock() */
	smp_rmb();
	if (refcount_read(&obj->users) != 1)
		return false;
	ioas = container_of(obj, struct iommufd_ioas, obj);
	return ioas != ictx->vfio_ioas &&
	       RB_EMPTY_ROOT(&ioas->iopt.areas.rb_root);
}

/*
 * IOMMU_DESTROY: see struct iommu_destroy. Runs without the file lock as
 * far as it can, as upstream's destroy does: an unknown or unpublished ID
 * answers ENOENT after one lockless xarray load, and an object
 * iommufd_destroy_quiet() accepts is erased under the xarray lock alone.
 * Everything else is decided under the file lock.
 */
int iommufd_destroy(struct iommufd_ucmd *ucmd)
{
	struct iommu_destroy *cmd = ucmd->cmd;
	struct iommufd_ctx *ictx = ucmd->ictx;
	struct iommufd_object *obj;
	int rc = 0;

	/* The miss costs one RCU walk, no lock */
	if (!xa_load(&ictx->objects, cmd->id))
		return -ENOENT;
	xa_lock(&ictx->objects);
	obj = xa_load(&ictx->objects, cmd->id);
	if (!obj || !iommufd_object_published(obj)) {
		xa_unlock(&ictx->objects);
		return -ENOENT;
	}
	if (iommufd_destroy_quiet(ictx, obj)) {
		__xa_erase(&ictx->objects, obj->id);
		xa_unlock(&ictx->objects);
		iommufd_destroy_ops[obj->type](obj);
		kfree(obj);
		return 0;
	}
	xa_unlock(&ictx->objects);

	mutex_lock(&ictx->lock);
	obj = iommufd_get_object(ictx, cmd->id, IOMMUFD_OBJ_ANY);
	if (IS_ERR(obj))
		rc = PTR_ERR(obj);
	else if (iommufd_object_busy(obj))
		rc = -EBUSY;
	else
		iommufd_object_destroy_now(ictx, obj);
	mutex_unlock(&ictx->lock);
	return rc;
}

static void hwpt_info(struct iommufd_hwpt *hwpt,
		      struct iommu_mock_object_info *info)
{
	if (hwpt->obj.type == IOMMUFD_OBJ_HWPT_PAGING) {
		info->out_type = IOMMU_MOCK_OBJ_HWPT_PAGING;
		info->out_parent_id = hwpt->ioas->obj.id;
	} else {
		info->out_type = IOMMU_MOCK_OBJ_HWPT_NESTED;
		info->out_parent_id = hwpt->viommu ? hwpt->viommu->obj.id :
						     hwpt->parent->obj.id;
	}
	if (hwpt->flags & IOMMU_HWPT_ALLOC_NEST_PARENT)
		info->out_flags |= IOMMU_MOCK_OBJ_F_NEST_PARENT;
	if (hwpt->auto_domain)
		info->out_flags |= IOMMU_MOCK_OBJ_F_AUTO;
	info->out_instance_id = hwpt->domain->inst->id;
	if (hwpt->domain->ops->fill_info)
		hwpt->domain->ops->fill_info(hwpt->domain, info);
}

/* IOMMU_MOCK_OBJECT_INFO: see struct iommu_mock_object_info. */
int iommufd_object_info(struct iommufd_ucmd *ucmd)
{
	struct iommu_mock_object_info *cmd = ucmd->cmd;
	struct iommufd_object *obj;
	struct iommufd_device *idev;
	struct iommufd_viommu *viommu;
	struct iommufd_vdevice *vdev;

	obj = iommufd_get_object(ucmd->ictx, cmd->id, IOMMUFD_OBJ_ANY);
	if (IS_ERR(obj))
		return PTR_ERR(obj);

	*cmd = (struct iommu_mock_object_info){ .size = cmd->size, .id = cmd->id };
	cmd->out_users = refcount_read(&obj->users) - 1;
	switch (obj->type) {
	case IOMMUFD_OBJ_IOAS:
		cmd->out_type = IOMMU_MOCK_OBJ_IOAS;
		break;
	case IOMMUFD_OBJ_HWPT_PAGING:
	case IOMMUFD_OBJ_HWPT_NESTED:
		hwpt_info(container_of(obj, struct iommufd_hwpt, obj), cmd);
		break;
	case IOMMUFD_OBJ_DEVICE:
		idev = container_of(obj, struct iommufd_device, obj);
		cmd->out_type = IOMMU_MOCK_OBJ_DEVICE;
		cmd->out_parent_id = idev->hwpt ? idev->hwpt->obj.id : 0;
		cmd->out_instance_id = idev->hw->inst->id;
		cmd->out_asid = idev->hw->stream_id;
		break;
	case IOMMUFD_OBJ_VIOMMU:
		viommu = container_of(obj, struct iommufd_viommu, obj);
		cmd->out_type = IOMMU_MOCK_OBJ_VIOMMU;
		cmd->out_parent_id = viommu->hwpt->obj.id;
		cmd->out_instance_id = viommu->hw->inst->id;
		cmd->out_virt_id = viommu->hw->type;
		cmd->out_invalidations = viommu->hw->invalidations;
		if (viommu->hw->ops && viommu->hw->ops->fill_info)
			viommu->hw->ops->fill_info(viommu->hw, cmd);
		break;
	case IOMMUFD_OBJ_VDEVICE:
		vdev = container_of(obj, struct iommufd_vdevice, obj);
		cmd->out_type = IOMMU_MOCK_OBJ_VDEVICE;
		cmd->out_parent_id = vdev->viommu->obj.id;
		cmd->out_instance_id = vdev->viommu->hw->inst->id;
		cmd->out_asid = vdev->idev->obj.id;
		cmd->out_virt_id = vdev->hw.virt_id;
		cmd->out_invalidations = vdev->hw.invalidations;
		break;
	default:
		return -EINVAL;
	}
	return iommufd_ucmd_respond(ucmd, sizeof(*cmd));
}
