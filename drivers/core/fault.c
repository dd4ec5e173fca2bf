// SPDX-License-Identifier: GPL-2.0
/*
 * Fault queue objects (IOMMU_FAULT_QUEUE_ALLOC): I/O page requests of the
 * devices attached to a HWPT allocated with IOMMU_HWPT_FAULT_ID_VALID are
 * read from the queue's file as struct iommu_hwpt_pgfault and answered by
 * writing struct iommu_hwpt_page_response, as with upstream iommufd.
 *
 * The file's read/write/poll run outside the iommufd's lock, so the queue
 * has its own mutex; it is taken inside ictx->lock, never around it. The
 * file holds a user of the object (IOMMU_DESTROY answers EBUSY while it is
 * open) and keeps the iommufd file open.
 */
#include <linux/completion.h>
#include <linux/file.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "iommufd_private.h"

/* Like a PRI queue: page requests past this many pending are refused. */
#define FAULT_QUEUE_DEPTH 1024

/**
 * struct iommufd_fault_group - one page request group (one fault here)
 * @node: entry in the queue's deliver list until read
 * @hwpt: the HWPT the device was attached to (no reference: groups of a
 *        HWPT are purged before it goes)
 * @idev: the faulting device (same rule)
 * @pasid: the attachment that took the request: MIOMMU_NO_PASID (the RID's)
 *         or the PASID @hwpt is attached to; purged with that attachment
 * @msg: the record userspace reads; msg.cookie is set when it is read
 * @waiter: a DMA waiting for the response (iommufd_fault_page_request()),
 *          on its stack; told and unlinked under the queue's mutex
 */
struct iommufd_fault_group {
	struct list_head node;
	struct iommufd_hwpt *hwpt;
	struct iommufd_device *idev;
	u32 pasid;
	struct iommu_hwpt_pgfault msg;
	struct iommufd_fault_waiter *waiter;
};

/**
 * struct iommufd_fault_waiter - a DMA stopped at a page request
 * @done: completed when the response (or a purge) arrived
 * @code: enum iommufd_page_response_code, valid once @done completed
 */
struct iommufd_fault_waiter {
	struct completion done;
	u32 code;
};

/* Answer a group: its waiting DMA, if any, learns @code. Queue mutex held. */
static void fault_group_answer(struct iommufd_fault_group *group, u32 code)
{
	if (group->waiter) {
		group->waiter->code = code;
		complete(&group->waiter->done);
	}
	kfree(group);
}

static const struct file_operations iommufd_fault_fops;

/**
 * iommufd_get_fault() - look up a fault queue object
 * @ictx: the file's context (locked)
 * @id: object ID
 *
 * Return: the queue, or ERR_PTR(-ENOENT).
 */
struct iommufd_fault *iommufd_get_fault(struct iommufd_ctx *ictx, u32 id)
{
	struct iommufd_object *obj;

	obj = iommufd_get_object(ictx, id, IOMMUFD_OBJ_FAULT);
	if (IS_ERR(obj))
		return ERR_CAST(obj);
	return container_of(obj, struct iommufd_fault, obj);
}

/* Queue a page request of @idev, taken by its attachment @pasid to @hwpt. */
static int iommufd_fault_report(struct iommufd_hwpt *hwpt,
				struct iommufd_device *idev, u32 pasid,
				const struct iommu_hwpt_pgfault *msg)
{
	struct iommufd_fault *fault = hwpt->fault;
	struct iommufd_fault_group *group;
	int rc = 0;

	group = kzalloc(sizeof(*group), GFP_KERNEL_ACCOUNT);
	if (!group)
		return -ENOMEM;
	group->hwpt = hwpt;
	group->idev = idev;
	group->pasid = pasid;
	group->msg = *msg;
	group->msg.dev_id = idev->obj.id;

	mutex_lock(&fault->mutex);
	if (fault->pending >= FAULT_QUEUE_DEPTH) {
		rc = -ENOSPC;
		kfree(group);
	} else {
		fault->pending++;
		list_add_tail(&group->node, &fault->deliver);
	}
	mutex_unlock(&fault->mutex);
	if (!rc)
		wake_up_interruptible(&fault->wait_queue);
	return rc;
}

/**
 * iommufd_device_report_fault() - route a page request of a device
 * @idev: the faulting device
 * @msg: the request (IOMMU_PGFAULT_FLAGS_PASID_VALID set: @msg->pasid is
 *       its PASID); cookie is assigned when it is read
 *
 * As upstream's iommu_report_device_fault(): a request with a PASID goes to
 * the HWPT that PASID is attached to; with no PASID, or with a PASID
 * nothing is attached to when the driver has user_pasid_table and the RID
 * is on a nested HWPT, to the RID's HWPT. The HWPT must have a fault queue.
 * Return: 0 when queued; -ENODEV no HWPT with a fault queue takes it,
 * -ENOSPC the queue is full (the request is refused, as a full PRI queue
 * does), -ENOMEM.
 */
int iommufd_device_report_fault(struct iommufd_device *idev,
				const struct iommu_hwpt_pgfault *msg)
{
	u32 pasid = MIOMMU_NO_PASID;
	struct iommufd_hwpt *hwpt;

	if (msg->flags & IOMMU_PGFAULT_FLAGS_PASID_VALID) {
		pasid = msg->pasid;
		hwpt = iommufd_device_attached(idev, pasid);
		if (!hwpt && idev->hw->inst->ops->user_pasid_table &&
		    idev->hwpt && idev->hwpt->obj.type == IOMMUFD_OBJ_HWPT_NESTED) {
			pasid = MIOMMU_NO_PASID;
			hwpt = idev->hwpt;
		}
	} else {
		hwpt = idev->hwpt;
	}
	if (!hwpt || !hwpt->fault)
		return -ENODEV;
	return iommufd_fault_report(hwpt, idev, pasid, msg);
}

/* Seconds a DMA waits for the response to its page request (PRI timeout) */
#define FAULT_RESPONSE_TIMEOUT 10

/**
 * iommufd_fault_page_request() - a DMA's page request, and its answer
 * @hwpt: the HWPT that translated the access; it has a fault queue
 * @idev: the device
 * @pasid: MIOMMU_NO_PASID or the PASID of the access
 * @addr: the faulting input address
 * @write: a write access
 * @code: out: enum iommufd_page_response_code
 *
 * As a PCIe device with PRI: the request is queued on @hwpt's fault queue
 * (one group, LAST_PAGE set) and the access waits for userspace to write
 * the response to the queue's fd. The caller holds the file's lock; the
 * queue's fd runs without it. A response that does not come within
 * FAULT_RESPONSE_TIMEOUT seconds, or a fatal signal, fails the access like
 * an Invalid response (a device's PRG response timeout).
 * Return: 0 with *@code set; -ENOSPC the queue is full; -ENOMEM; -EINTR a
 * fatal signal; -ETIMEDOUT no response in time.
 */
int iommufd_fault_page_request(struct iommufd_hwpt *hwpt,
			       struct iommufd_device *idev, u32 pasid, u64 addr,
			       bool write, u32 *code)
{
	struct iommufd_fault *fault = hwpt->fault;
	struct iommufd_fault_waiter waiter;
	struct iommufd_fault_group *group, *g;
	unsigned long index;
	long left;
	int rc = 0;

	group = kzalloc(sizeof(*group), GFP_KERNEL_ACCOUNT);
	if (!group)
		return -ENOMEM;
	init_completion(&waiter.done);
	group->hwpt = hwpt;
	group->idev = idev;
	group->pasid = pasid;
	group->waiter = &waiter;
	group->msg.flags = IOMMU_PGFAULT_FLAGS_LAST_PAGE;
	if (pasid != MIOMMU_NO_PASID) {
		group->msg.flags |= IOMMU_PGFAULT_FLAGS_PASID_VALID;
		group->msg.pasid = pasid;
	}
	group->msg.dev_id = idev->obj.id;
	group->msg.perm = write ? IOMMU_PGFAULT_PERM_WRITE :
				  IOMMU_PGFAULT_PERM_READ;
	group->msg.addr = addr & PAGE_MASK;
	group->msg.length = PAGE_SIZE;

	mutex_lock(&fault->mutex);
	if (fault->pending >= FAULT_QUEUE_DEPTH) {
		mutex_unlock(&fault->mutex);
		kfree(group);
		return -ENOSPC;
	}
	fault->pending++;
	list_add_tail(&group->node, &fault->deliver);
	mutex_unlock(&fault->mutex);
	wake_up_interruptible(&fault->wait_queue);

	left = wait_for_completion_killable_timeout(&waiter.done,
						    FAULT_RESPONSE_TIMEOUT * HZ);
	if (left > 0) {
		*code = waiter.code;
		return 0;
	}
	/* Gone unanswered: unlink the group unless the answer raced in */
	mutex_lock(&fault->mutex);
	if (completion_done(&waiter.done)) {
		*code = waiter.code;
		mutex_unlock(&fault->mutex);
		return 0;
	}
	list_for_each_entry(g, &fault->deliver, node) {
		if (g == group) {
			list_del(&group->node);
			goto unlinked;
		}
	}
	xa_for_each(&fault->response, index, g) {
		if (g == group) {
			xa_erase(&fault->response, index);
			break;
		}
	}
unlinked:
	fault->pending--;
	kfree(group);
	mutex_unlock(&fault->mutex);
	rc = left < 0 ? -EINTR : -ETIMEDOUT;
	return rc;
}

/* Does @group belong to the attachment (@idev, @pasid) of @hwpt */
static bool fault_group_match(struct iommufd_fault_group *group,
			      struct iommufd_hwpt *hwpt,
			      struct iommufd_device *idev, u32 pasid)
{
	return group->hwpt == hwpt &&
	       (!idev || (group->idev == idev && group->pasid == pasid));
}

/**
 * iommufd_fault_purge() - drop the requests of a HWPT (and attachment)
 * @fault: the queue
 * @hwpt: the HWPT being destroyed or left
 * @idev: only the requests this device's attachment @pasid took, or NULL
 *        for all of @hwpt's
 * @pasid: with @idev: MIOMMU_NO_PASID for its RID, else the PASID
 *
 * Unread and unanswered requests are answered "invalid", as upstream does
 * when a device (or one PASID of it) leaves a fault-capable HWPT.
 */
void iommufd_fault_purge(struct iommufd_fault *fault, struct iommufd_hwpt *hwpt,
			 struct iommufd_device *idev, u32 pasid)
{
	struct iommufd_fault_group *group, *tmp;
	unsigned long index;

	mutex_lock(&fault->mutex);
	list_for_each_entry_safe(group, tmp, &fault->deliver, node) {
		if (!fault_group_match(group, hwpt, idev, pasid))
			continue;
		list_del(&group->node);
		fault->pending--;
		fault_group_answer(group, IOMMUFD_PAGE_RESP_INVALID);
	}
	xa_for_each(&fault->response, index, group) {
		if (!fault_group_match(group, hwpt, idev, pasid))
			continue;
		xa_erase(&fault->response, index);
		fault->pending--;
		fault_group_answer(group, IOMMUFD_PAGE_RESP_INVALID);
	}
	mutex_unlock(&fault->mutex);
}

/* Destroy op: no HWPT uses the queue and its file is closed. */
void iommufd_fault_destroy(struct iommufd_object *obj)
{
	struct iommufd_fault *fault = container_of(obj, struct iommufd_fault, obj);
	struct iommufd_fault_group *group, *tmp;
	unsigned long index;

	list_for_each_entry_safe(group, tmp, &fault->deliver, node)
		kfree(group);
	xa_for_each(&fault->response, index, group)
		kfree(group);
	xa_destroy(&fault->response);
	mutex_destroy(&fault->mutex);
}

/*
 * Whole records only, at offset 0; a buffer too small for the first record
 * gets -EINVAL, an empty queue 0 (upstream).
 */
static ssize_t iommufd_fault_fops_read(struct file *filep, char __user *buf,
				       size_t count, loff_t *ppos)
{
	const size_t size = sizeof(struct iommu_hwpt_pgfault);
	struct iommufd_fault *fault = filep->private_data;
	struct iommufd_fault_group *group;
	size_t done = 0;
	u32 cookie;
	int rc = 0;

	if (*ppos || count % size)
		return -ESPIPE;

	mutex_lock(&fault->mutex);
	while ((group = list_first_entry_or_null(&fault->deliver,
						 struct iommufd_fault_group,
						 node))) {
		if (count - done < size) {
			if (!done)
				rc = -EINVAL;
			break;
		}
		rc = xa_alloc(&fault->response, &cookie, group, xa_limit_32b,
			      GFP_KERNEL_ACCOUNT);
		if (rc)
			break;
		group->msg.cookie = cookie;
		if (copy_to_user(buf + done, &group->msg, size)) {
			xa_erase(&fault->response, cookie);
			rc = -EFAULT;
			break;
		}
		list_del(&group->node);
		done += size;
	}
	mutex_unlock(&fault->mutex);
	return done ? done : rc;
}

static ssize_t iommufd_fault_fops_write(struct file *filep,
					const char __user *buf, size_t count,
					loff_t *ppos)
{
	const size_t size = sizeof(struct iommu_hwpt_page_response);
	struct iommufd_fault *fault = filep->private_data;
	struct iommu_hwpt_page_response response;
	struct iommufd_fault_group *group;
	size_t done = 0;
	int rc = 0;

	if (*ppos || count % size)
		return -ESPIPE;

	mutex_lock(&fault->mutex);
	while (done < count) {
		if (copy_from_user(&response, buf + done, size)) {
			rc = -EFAULT;
			break;
		}
		if (response.code != IOMMUFD_PAGE_RESP_SUCCESS &&
		    response.code != IOMMUFD_PAGE_RESP_INVALID) {
			rc = -EINVAL;
			break;
		}
		group = xa_erase(&fault->response, response.cookie);
		if (!group) {
			rc = -EINVAL;
			break;
		}
		/* A waiting DMA retries or fails; else the group completes */
		fault->pending--;
		fault_group_answer(group, response.code);
		done += size;
	}
	mutex_unlock(&fault->mutex);
	return done ? done : rc;
}

static __poll_t iommufd_fault_fops_poll(struct file *filep,
					struct poll_table_struct *wait)
{
	struct iommufd_fault *fault = filep->private_data;
	__poll_t mask = EPOLLOUT;

	poll_wait(filep, &fault->wait_queue, wait);
	mutex_lock(&fault->mutex);
	if (!list_empty(&fault->deliver))
		mask |= EPOLLIN | EPOLLRDNORM;
	mutex_unlock(&fault->mutex);
	return mask;
}

static int iommufd_fault_fops_release(struct inode *inode, struct file *filep)
{
	struct iommufd_fault *fault = filep->private_data;

	/* A file whose allocation failed was never linked to a queue */
	if (fault)
		iommufd_object_file_release(fault->ictx, &fault->obj);
	return 0;
}

static const struct file_operations iommufd_fault_fops = {
	.owner = THIS_MODULE,
	.read = iommufd_fault_fops_read,
	.write = iommufd_fault_fops_write,
	.poll = iommufd_fault_fops_poll,
	.release = iommufd_fault_fops_release,
	.llseek = noop_llseek,
};

/* IOMMU_FAULT_QUEUE_ALLOC: see struct iommu_fault_alloc. */
int iommufd_fault_alloc(struct iommufd_ucmd *ucmd)
{
	struct iommu_fault_alloc *cmd = ucmd->cmd;
	struct iommufd_fault *fault;
	struct file *filep;
	int fd, rc;

	if (cmd->flags)
		return -EOPNOTSUPP;
	fault = iommufd_object_alloc_type(ucmd->ictx, struct iommufd_fault,
					  IOMMUFD_OBJ_FAULT);
	if (IS_ERR(fault))
		return PTR_ERR(fault);
	fault->ictx = ucmd->ictx;
	INIT_LIST_HEAD(&fault->deliver);
	xa_init_flags(&fault->response, XA_FLAGS_ALLOC1 | XA_FLAGS_ACCOUNT);
	mutex_init(&fault->mutex);
	init_waitqueue_head(&fault->wait_queue);

	fd = iommufd_object_file_get("[iommufd-pgfault]", &iommufd_fault_fops,
				     O_RDWR, &filep);
	if (fd < 0) {
		rc = fd;
		goto out_abort;
	}
	cmd->out_fault_id = fault->obj.id;
	cmd->out_fault_fd = fd;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc) {
		iommufd_object_file_put(fd, filep);
		goto out_abort;
	}
	iommufd_object_file_install(ucmd->ictx, &fault->obj, fd, filep, fault);
	return 0;

out_abort:
	iommufd_object_abort_and_destroy(ucmd->ictx, &fault->obj);
	return rc;
}
