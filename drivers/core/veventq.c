// SPDX-License-Identifier: GPL-2.0
/*
 * vEVENTQ objects (IOMMU_VEVENTQ_ALLOC): the events a vIOMMU reports for
 * its vDEVICEs are read from the queue's file, each as a struct
 * iommufd_vevent_header followed by the type's event data, as with
 * upstream iommufd (6.17).
 *
 * Upstream's rules: one queue per type and vIOMMU; at most @depth events
 * wait in a queue, and an event that finds it full is dropped and turns
 * into one LOST_EVENTS header (no data) at the end of the queue, which
 * takes a sequence number of its own; an event queued after it (once a
 * read made room) replaces that header, leaving the gap in the sequence
 * numbers as the sign of the loss. Sequence numbers count from 0 and wrap
 * from INT_MAX to 0.
 *
 * The file's read/poll run outside the iommufd's lock, so the queue has
 * its own mutex, taken inside ictx->lock, never around it. The file holds
 * a user of the object (IOMMU_DESTROY answers EBUSY while it is open) and
 * keeps the iommufd file open.
 */
#include <linux/file.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "iommufd_private.h"

/* Upstream's bound on veventq_depth (fits every hardware queue it models) */
#define VEVENTQ_MAX_DEPTH BIT(19)

/**
 * struct iommufd_vevent - one queued event
 * @node: entry in the queue's deliver list
 * @header: the record header (flags 0, its sequence number)
 * @data_len: bytes of @data
 * @data: the driver's event data
 */
struct iommufd_vevent {
	struct list_head node;
	struct iommufd_vevent_header header;
	size_t data_len;
	u8 data[];
};

static struct iommufd_veventq *find_veventq(struct iommufd_viommu *viommu,
					    u32 type)
{
	struct iommufd_veventq *veventq;

	list_for_each_entry(veventq, &viommu->veventqs, node)
		if (veventq->type == type)
			return veventq;
	return NULL;
}

static u32 veventq_next_sequence(struct iommufd_veventq *veventq)
{
	u32 seq = veventq->sequence;

	veventq->sequence = (seq + 1) & INT_MAX;
	return seq;
}

/**
 * miommu_viommu_report_event() - queue an event of a vIOMMU for userspace
 * @viommu: the vIOMMU
 * @type: enum iommu_veventq_type of the event
 * @data: the event record userspace reads after the header
 * @len: bytes of @data, not 0
 *
 * Called with the file's lock held, as every driver op is. A full queue
 * drops the event and records the loss (see above); that still returns 0.
 * Return: 0; -EOPNOTSUPP when the vIOMMU has no vEVENTQ of @type
 * (upstream); -EINVAL for no data; -ENOMEM (the loss is recorded too).
 */
int miommu_viommu_report_event(struct miommu_viommu *viommu, u32 type,
			       const void *data, size_t len)
{
	struct iommufd_veventq *veventq;
	struct iommufd_vevent *vevent;
	int rc = 0;

	if (WARN_ON_ONCE(!len || !data))
		return -EINVAL;
	veventq = find_veventq(viommu->owner, type);
	if (!veventq)
		return -EOPNOTSUPP;

	vevent = kzalloc(struct_size(vevent, data, len), GFP_KERNEL_ACCOUNT);
	mutex_lock(&veventq->mutex);
	if (!vevent || veventq->num_events >= veventq->depth) {
		kfree(vevent);
		if (!vevent)
			rc = -ENOMEM;
		/* One LOST_EVENTS header at the end, with a new number */
		veventq->lost = true;
		veventq->lost_sequence = veventq_next_sequence(veventq);
	} else {
		/* The event takes the place of a LOST_EVENTS header */
		veventq->lost = false;
		vevent->header.sequence = veventq_next_sequence(veventq);
		vevent->data_len = len;
		memcpy(vevent->data, data, len);
		list_add_tail(&vevent->node, &veventq->deliver);
		veventq->num_events++;
	}
	mutex_unlock(&veventq->mutex);
	wake_up_interruptible(&veventq->wait_queue);
	return rc;
}

/* Destroy op: its file is closed; the vIOMMU loses a user. */
void iommufd_veventq_destroy(struct iommufd_object *obj)
{
	struct iommufd_veventq *veventq = container_of(obj,
						       struct iommufd_veventq,
						       obj);
	struct iommufd_vevent *cur, *next;

	list_for_each_entry_safe(cur, next, &veventq->deliver, node)
		kfree(cur);
	list_del(&veventq->node);
	refcount_dec(&veventq->viommu->obj.users);
	mutex_destroy(&veventq->mutex);
}

/*
 * Whole records only (upstream): a count below one header is -EINVAL, and
 * so is a first event whose data does not fit; later records that do not
 * fit wait for the next read. An empty queue reads 0 bytes.
 */
static ssize_t iommufd_veventq_fops_read(struct file *filep, char __user *buf,
					 size_t count, loff_t *ppos)
{
	const size_t hdr_size = sizeof(struct iommufd_vevent_header);
	struct iommufd_veventq *veventq = filep->private_data;
	struct iommufd_vevent_header lost = {
		.flags = IOMMU_VEVENTQ_FLAG_LOST_EVENTS,
	};
	struct iommufd_vevent *cur;
	size_t done = 0;
	int rc = 0;

	if (*ppos)
		return -ESPIPE;
	if (count < hdr_size)
		return -EINVAL;

	mutex_lock(&veventq->mutex);
	while ((cur = list_first_entry_or_null(&veventq->deliver,
					       struct iommufd_vevent, node))) {
		if (hdr_size + cur->data_len > count - done) {
			if (!done)
				rc = -EINVAL;
			break;
		}
		if (copy_to_user(buf + done, &cur->header, hdr_size) ||
		    copy_to_user(buf + done + hdr_size, cur->data,
				 cur->data_len)) {
			rc = -EFAULT;
			break;
		}
		done += hdr_size + cur->data_len;
		list_del(&cur->node);
		veventq->num_events--;
		kfree(cur);
	}
	/* The LOST_EVENTS header is last: after every event was read */
	if (!rc && veventq->lost && list_empty(&veventq->deliver) &&
	    count - done >= hdr_size) {
		lost.sequence = veventq->lost_sequence;
		if (copy_to_user(buf + done, &lost, hdr_size)) {
			rc = -EFAULT;
		} else {
			done += hdr_size;
			veventq->lost = false;
		}
	}
	mutex_unlock(&veventq->mutex);
	return done ? done : rc;
}

static __poll_t iommufd_veventq_fops_poll(struct file *filep,
					  struct poll_table_struct *wait)
{
	struct iommufd_veventq *veventq = filep->private_data;
	__poll_t mask = 0;

	poll_wait(filep, &veventq->wait_queue, wait);
	mutex_lock(&veventq->mutex);
	if (!list_empty(&veventq->deliver) || veventq->lost)
		mask |= EPOLLIN | EPOLLRDNORM;
	mutex_unlock(&veventq->mutex);
	return mask;
}

static int iommufd_veventq_fops_release(struct inode *inode,
					struct file *filep)
{
	struct iommufd_veventq *veventq = filep->private_data;

	/* A file whose allocation failed was never linked to a queue */
	if (veventq)
		iommufd_object_file_release(veventq->ictx, &veventq->obj);
	return 0;
}

static const struct file_operations iommufd_veventq_fops = {
	.owner = THIS_MODULE,
	.read = iommufd_veventq_fops_read,
	.poll = iommufd_veventq_fops_poll,
	.release = iommufd_veventq_fops_release,
	.llseek = noop_llseek,
};

/* IOMMU_VEVENTQ_ALLOC: see struct iommu_veventq_alloc. */
int iommufd_veventq_alloc(struct iommufd_ucmd *ucmd)
{
	struct iommu_veventq_alloc *cmd = ucmd->cmd;
	struct iommufd_veventq *veventq;
	struct iommufd_viommu *viommu;
	struct iommufd_object *obj;
	struct file *filep;
	int fd, rc;

	if (cmd->flags || cmd->__reserved ||
	    cmd->type == IOMMU_VEVENTQ_TYPE_DEFAULT)
		return -EOPNOTSUPP;
	if (!cmd->veventq_depth || cmd->veventq_depth > VEVENTQ_MAX_DEPTH)
		return -EINVAL;
	obj = iommufd_get_object(ucmd->ictx, cmd->viommu_id, IOMMUFD_OBJ_VIOMMU);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	viommu = container_of(obj, struct iommufd_viommu, obj);
	if (find_veventq(viommu, cmd->type))
		return -EEXIST;

	veventq = iommufd_object_alloc_type(ucmd->ictx, struct iommufd_veventq,
					    IOMMUFD_OBJ_VEVENTQ);
	if (IS_ERR(veventq))
		return PTR_ERR(veventq);
	veventq->ictx = ucmd->ictx;
	veventq->viommu = viommu;
	veventq->type = cmd->type;
	veventq->depth = cmd->veventq_depth;
	INIT_LIST_HEAD(&veventq->deliver);
	mutex_init(&veventq->mutex);
	init_waitqueue_head(&veventq->wait_queue);
	list_add_tail(&veventq->node, &viommu->veventqs);
	refcount_inc(&viommu->obj.users);

	fd = iommufd_object_file_get("[iommufd-viommu-event]",
				     &iommufd_veventq_fops, O_RDONLY, &filep);
	if (fd < 0) {
		rc = fd;
		goto out_abort;
	}
	cmd->out_veventq_id = veventq->obj.id;
	cmd->out_veventq_fd = fd;
	rc = iommufd_ucmd_respond(ucmd, sizeof(*cmd));
	if (rc) {
		iommufd_object_file_put(fd, filep);
		goto out_abort;
	}
	iommufd_object_file_install(ucmd->ictx, &veventq->obj, fd, filep,
				    veventq);
	return 0;

out_abort:
	iommufd_object_abort_and_destroy(ucmd->ictx, &veventq->obj);
	return rc;
}
