/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Private definitions of the iommufd-mock core: the per-file context, the
 * object table and the object kinds. One .c file per object kind.
 */
#ifndef IOMMUFD_PRIVATE_H
#define IOMMUFD_PRIVATE_H

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rbtree.h>
#include <linux/wait.h>
#include <linux/refcount.h>
#include <linux/xarray.h>

#include "io_pagetable.h"
#include "miommu.h"

struct iommufd_device;
struct iommufd_viommu;

enum iommufd_object_type {
	IOMMUFD_OBJ_NONE,
	IOMMUFD_OBJ_ANY,
	IOMMUFD_OBJ_IOAS,
	IOMMUFD_OBJ_HWPT_PAGING,
	IOMMUFD_OBJ_HWPT_NESTED,
	IOMMUFD_OBJ_DEVICE,
	IOMMUFD_OBJ_VIOMMU,
	IOMMUFD_OBJ_VDEVICE,
	IOMMUFD_OBJ_DRIVER,
	IOMMUFD_OBJ_FAULT,
	IOMMUFD_OBJ_VEVENTQ,
	IOMMUFD_OBJ_HW_QUEUE,
	IOMMUFD_OBJ_MAX,
};

/**
 * struct iommufd_object - header embedded first in every object
 * @users: 1 for the ID table plus 1 per object that depends on this one;
 *         IOMMU_DESTROY refuses (-EBUSY) anything above 1
 * @type: enum iommufd_object_type
 * @id: ID in the context's table, >= 1
 * @published: set once by iommufd_object_finalize(); until then the object
 *             holds its ID but no lookup or walk of the table returns it
 */
struct iommufd_object {
	refcount_t users;
	enum iommufd_object_type type;
	u32 id;
	bool published;
};

/**
 * struct iommufd_ctx - state of one open file
 * @lock: serialises every command of this file (IOAS_ALLOC and part of
 *        IOMMU_DESTROY excepted, see object.c), so object state needs no
 *        finer locking; taken before mmap_lock (pinning, copies)
 * @objects: ID table: objects from allocation on (found only once
 *           published), XA_ZERO_ENTRY for tombstones; commands read it only
 *           under its xa_lock (object.c)
 * @file: the open file (accesses keep it open)
 * @account_mode: enum iopt_account_mode for new mappings (upstream's
 *                IOMMU_OPTION_RLIMIT_MODE: 0 per user, 1 per mm)
 * @vfio_ioas: the IOAS the VFIO type1 compatibility ioctls use, or NULL
 * @mmaps: regions mmap() of this file maps, by page offset (mmap.c); its
 *         xa_lock also guards each region's owner pointer
 * @mmap_next_pgoff: page offset the next region gets (never reused)
 */
struct iommufd_ctx {
	struct mutex lock; /* serialises all commands of the file */
	struct xarray objects;
	struct file *file;
	u8 account_mode;
	struct iommufd_ioas *vfio_ioas;
	struct xarray mmaps;
	unsigned long mmap_next_pgoff;
};

/**
 * struct iommufd_driver_object - an object a driver adds to the ID table
 * @obj: object header (IOMMUFD_OBJ_DRIVER)
 * @destroy: undo everything the driver built; called once, lock held
 * @busy: optional: true while what the object owns is still in use by other
 *        objects (IOMMU_DESTROY answers EBUSY, close destroys it later)
 *
 * Upstream's selftest devices ("stdev" IDs) are such objects: the core
 * destroys them like any other without knowing the driver.
 */
struct iommufd_driver_object {
	struct iommufd_object obj;
	void (*destroy)(struct iommufd_driver_object *dobj);
	bool (*busy)(struct iommufd_driver_object *dobj);
};

/* access.c: in-kernel users of an IOAS (upstream's iommufd_access) */

#define IOMMUFD_ACCESS_RW_WRITE		BIT(0)
#define IOMMUFD_ACCESS_RW_SLOW_PATH	BIT(2)

/**
 * struct iommufd_access_ops - what the owner of an access provides
 * @needs_pin_pages: the owner pins pages (IOVA must be page aligned)
 * @unmap: drop every pin inside [@iova, @iova + @length) before returning
 */
struct iommufd_access_ops {
	u8 needs_pin_pages;
	void (*unmap)(void *data, unsigned long iova, unsigned long length);
};

/**
 * struct iommufd_access - an in-kernel user of an IOAS
 * @ictx: the file (its lock serialises the access too)
 * @ioas: the IOAS attached, or NULL
 * @ops: the owner's ops
 * @data: passed to @ops
 * @iova_alignment: alignment the access imposes on its IOAS
 * @iopt_item: entry in the IOAS's io_pagetable.accesses
 * @num_pins: area pieces pinned (must be 0 when the IOAS is left)
 * @internal: owned by an object of the file (a HW queue): holds no file
 *            reference, and its pins lock their areas (IOAS_UNMAP answers
 *            EBUSY) instead of asking it to unpin (upstream)
 */
struct iommufd_access {
	struct iommufd_ctx *ictx;
	struct iommufd_ioas *ioas;
	const struct iommufd_access_ops *ops;
	void *data;
	unsigned long iova_alignment;
	struct list_head iopt_item;
	unsigned long num_pins;
	bool internal;
};

struct iommufd_access *iommufd_access_create(struct iommufd_ctx *ictx,
					     const struct iommufd_access_ops *ops,
					     void *data);
struct iommufd_access *iommufd_access_create_internal(struct iommufd_ctx *ictx);
int iommufd_access_change_ioas(struct iommufd_access *access,
			       struct iommufd_ioas *ioas);
int iommufd_access_attach_id(struct iommufd_access *access, u32 ioas_id);
void iommufd_access_destroy(struct iommufd_access *access);
int iommufd_access_pin_pages(struct iommufd_access *access, unsigned long iova,
			     unsigned long length, struct page **out_pages,
			     unsigned int flags);
void iommufd_access_unpin_pages(struct iommufd_access *access,
				unsigned long iova, unsigned long length);
int iommufd_access_rw(struct iommufd_access *access, unsigned long iova,
		      void *data, unsigned long length, unsigned int flags);

/**
 * struct iommufd_ucmd - one ioctl call being served
 * @ictx: the file's context
 * @ubuffer: user pointer to the argument struct
 * @user_size: size userspace gave in the struct's first u32
 * @cmd: kernel copy of the struct, zero-extended
 */
struct iommufd_ucmd {
	struct iommufd_ctx *ictx;
	void __user *ubuffer;
	u32 user_size;
	void *cmd;
};

int iommufd_ucmd_respond(struct iommufd_ucmd *ucmd, size_t cmd_len);

/* Upstream's IOMMU_TEST_CMD is _IO(';', 0xa0); a driver may serve it. */
#define IOMMUFD_TEST_CMD_NR 0xa0
#define IOMMUFD_TEST_CMD_MAX_SIZE 128
int iommufd_register_test_cmd(int (*execute)(struct iommufd_ucmd *ucmd),
			      unsigned int size, unsigned int min_size);
void iommufd_unregister_test_cmd(void);

/* object.c */
struct iommufd_object *iommufd_object_alloc(struct iommufd_ctx *ictx,
					    size_t size,
					    enum iommufd_object_type type);
void iommufd_object_finalize(struct iommufd_ctx *ictx,
			     struct iommufd_object *obj);
void iommufd_object_abort(struct iommufd_ctx *ictx, struct iommufd_object *obj);
void iommufd_object_abort_and_destroy(struct iommufd_ctx *ictx,
				      struct iommufd_object *obj);
int iommufd_object_file_get(const char *name,
			    const struct file_operations *fops, int flags,
			    struct file **filep);
void iommufd_object_file_put(int fd, struct file *filep);
void iommufd_object_file_install(struct iommufd_ctx *ictx,
				 struct iommufd_object *obj, int fd,
				 struct file *filep, void *priv);
void iommufd_object_file_release(struct iommufd_ctx *ictx,
				 struct iommufd_object *obj);
struct iommufd_object *iommufd_get_object(struct iommufd_ctx *ictx, u32 id,
					  enum iommufd_object_type type);
struct iommufd_object *iommufd_object_next(struct iommufd_ctx *ictx,
					   unsigned long *index,
					   enum iommufd_object_type type);
bool iommufd_object_busy(struct iommufd_object *obj);
void iommufd_object_destroy_now(struct iommufd_ctx *ictx,
				struct iommufd_object *obj);
void iommufd_destroy_all(struct iommufd_ctx *ictx);
void iommufd_object_tombstone(struct iommufd_ctx *ictx,
			      struct iommufd_object *obj);
int iommufd_destroy(struct iommufd_ucmd *ucmd);
int iommufd_object_info(struct iommufd_ucmd *ucmd);

#define iommufd_object_alloc_type(ictx, _struct, type) \
	container_of(iommufd_object_alloc(ictx, sizeof(_struct), type), \
		     _struct, obj)

/**
 * struct iommufd_ioas - IO address space object
 * @obj: object header
 * @iopt: its IO page table (areas, reserved and allowed ranges, domains)
 * @hwpt_list: paging HWPTs mirroring this IOAS
 */
struct iommufd_ioas {
	struct iommufd_object obj;
	struct io_pagetable iopt;
	struct list_head hwpt_list;
};

struct iommufd_ioas *iommufd_get_ioas(struct iommufd_ctx *ictx, u32 id);

/* vfio_compat.c */
int iommufd_vfio_ioas(struct iommufd_ucmd *ucmd);
long iommufd_vfio_ioctl(struct iommufd_ctx *ictx, unsigned int cmd,
			unsigned long arg);

/* ioas.c */
void iommufd_ioas_destroy(struct iommufd_object *obj);
int iommufd_ioas_alloc_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_ioas_iova_ranges(struct iommufd_ucmd *ucmd);
int iommufd_ioas_map(struct iommufd_ucmd *ucmd);
int iommufd_ioas_map_file(struct iommufd_ucmd *ucmd);
int iommufd_ioas_change_process(struct iommufd_ucmd *ucmd);
int iommufd_ioas_unmap(struct iommufd_ucmd *ucmd);
int iommufd_ioas_allow_iovas(struct iommufd_ucmd *ucmd);
int iommufd_ioas_copy(struct iommufd_ucmd *ucmd);
int iommufd_option(struct iommufd_ucmd *ucmd);

/**
 * struct iommufd_hwpt - HWPT object: a domain plus its place in the graph
 * @obj: object header (IOMMUFD_OBJ_HWPT_PAGING or _NESTED)
 * @domain: the driver's page table
 * @flags: enum iommufd_hwpt_alloc_flags given at allocation
 * @auto_domain: made by attaching a device to an IOAS; freed with its last
 *               device
 * @ioas: paging: the IOAS mirrored
 * @ioas_item: paging: entry in @ioas->hwpt_list
 * @iopt_dom: paging: the domain's link in @ioas->iopt
 * @parent: nested on a HWPT: the nest parent
 * @viommu: nested on a vIOMMU: the vIOMMU
 * @fault: nested with IOMMU_HWPT_FAULT_ID_VALID: its fault queue (a user)
 */
struct iommufd_hwpt {
	struct iommufd_object obj;
	struct miommu_domain *domain;
	u32 flags;
	bool auto_domain;
	struct iommufd_ioas *ioas;
	struct list_head ioas_item;
	struct iopt_domain iopt_dom;
	struct iommufd_hwpt *parent;
	struct iommufd_viommu *viommu;
	struct iommufd_fault *fault;
};

/**
 * struct iommufd_fault - fault queue object (IOMMU_FAULT_QUEUE_ALLOC)
 * @obj: object header; its file holds one user while open
 * @ictx: the file's context
 * @mutex: guards the lists below (the file's ops run outside ictx->lock)
 * @deliver: struct iommufd_fault_group not yet read
 * @response: cookie -> group read but not answered
 * @pending: groups in @deliver and @response (bounded)
 * @wait_queue: poll() waiters
 */
struct iommufd_fault {
	struct iommufd_object obj;
	struct iommufd_ctx *ictx;
	struct mutex mutex; /* guards deliver, response, pending */
	struct list_head deliver;
	struct xarray response;
	unsigned int pending;
	wait_queue_head_t wait_queue;
};

/* fault.c */
struct iommufd_fault *iommufd_get_fault(struct iommufd_ctx *ictx, u32 id);
int iommufd_fault_page_request(struct iommufd_hwpt *hwpt,
			       struct iommufd_device *idev, u32 pasid, u64 addr,
			       bool write, u32 *code);
int iommufd_device_report_fault(struct iommufd_device *idev,
				const struct iommu_hwpt_pgfault *msg);
void iommufd_fault_purge(struct iommufd_fault *fault, struct iommufd_hwpt *hwpt,
			 struct iommufd_device *idev, u32 pasid);
void iommufd_fault_destroy(struct iommufd_object *obj);
int iommufd_fault_alloc(struct iommufd_ucmd *ucmd);

/* hw_pagetable.c */
struct iommufd_hwpt *iommufd_hwpt_paging_alloc(struct iommufd_ctx *ictx,
					       struct iommufd_ioas *ioas,
					       struct iommufd_device *idev,
					       u32 flags, bool auto_domain);
struct iommufd_ioas *iommufd_hwpt_s2_ioas(struct iommufd_hwpt *hwpt);
void iommufd_hwpt_paging_destroy(struct iommufd_object *obj);
void iommufd_hwpt_nested_destroy(struct iommufd_object *obj);
int iommufd_hwpt_alloc(struct iommufd_ucmd *ucmd);
int iommufd_hwpt_invalidate(struct iommufd_ucmd *ucmd);

/* dirty.c */
int iommufd_hwpt_set_dirty_tracking(struct iommufd_ucmd *ucmd);
int iommufd_hwpt_get_dirty_bitmap(struct iommufd_ucmd *ucmd);

/**
 * struct iommufd_device - a mock device bound to this file
 * @obj: object header
 * @ictx: the context, needed to free an automatic HWPT on destruction
 * @hw: the driver's device
 * @hwpt: the HWPT the device's RID (requests without PASID) is attached to,
 *        or NULL
 * @pasids: PASID -> the struct iommufd_hwpt that PASID is attached to; an
 *          entry is reserved (reads NULL) while an attach is prepared
 * @resv_ioas: the IOAS holding the reservations of the current attach
 * @resv_tag: which of two owner tags the current reservations carry, so a
 *            replace can reserve anew before it drops the old ones
 * @hw_borrowed: @hw outlives the binding (a VFIO device file bound it), so
 *               destroying the object does not release it
 *
 * Each attachment (RID or PASID) holds a user of its HWPT. Only the RID
 * attachment reserves the device's regions in the IOAS (upstream: PASID
 * attachments enforce no reserved regions).
 */
struct iommufd_device {
	struct iommufd_object obj;
	struct iommufd_ctx *ictx;
	struct miommu_device *hw;
	struct iommufd_hwpt *hwpt;
	struct xarray pasids;
	struct iommufd_ioas *resv_ioas;
	unsigned int resv_tag;
	bool hw_borrowed;
};

/* device.c */
void iommufd_device_destroy(struct iommufd_object *obj);
int iommufd_device_alloc(struct iommufd_ucmd *ucmd);
int iommufd_device_attach(struct iommufd_ucmd *ucmd);
/**
 * struct iommufd_attach - an attach prepared by iommufd_device_attach_begin()
 * @hwpt: the HWPT the device (or its PASID) will be attached to
 * @pasid: MIOMMU_NO_PASID for the RID, else the PASID
 * @is_new: @hwpt is a new automatic HWPT, published only on commit
 */
struct iommufd_attach {
	struct iommufd_hwpt *hwpt;
	u32 pasid;
	bool is_new;
};

int iommufd_device_attach_begin(struct iommufd_ctx *ictx,
				struct iommufd_device *idev, u32 pasid,
				u32 pt_id, bool replace,
				struct iommufd_attach *att);
void iommufd_device_attach_end(struct iommufd_ctx *ictx,
			       struct iommufd_device *idev,
			       struct iommufd_attach *att, bool commit);
void iommufd_device_detach(struct iommufd_ctx *ictx, struct iommufd_device *idev,
			   u32 pasid);
struct iommufd_hwpt *iommufd_device_attached(struct iommufd_device *idev,
					     u32 pasid);
struct iommufd_device *iommufd_device_bind(struct iommufd_ctx *ictx,
					   struct miommu_device *hw);
void iommufd_device_unbind(struct iommufd_device *idev);
struct iommufd_device *iommufd_device_bind_borrowed(struct iommufd_ctx *ictx,
						    struct miommu_device *hw);
int iommufd_device_dma_copy(struct iommufd_device *idev, u32 pasid, u64 src,
			    u64 dst, u64 length, struct miommu_fault *fault);
struct iommufd_hwpt *iommufd_device_dma_hwpt(struct iommufd_device *idev,
					     u32 pasid);
struct iommufd_ctx *iommufd_ctx_from_fd(int fd);
void iommufd_ctx_put(struct iommufd_ctx *ictx);
int iommufd_device_detach_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_get_hw_info(struct iommufd_ucmd *ucmd);
int iommufd_device_resv_regions(struct iommufd_ucmd *ucmd);
int iommufd_device_dma(struct iommufd_ucmd *ucmd);

/**
 * struct iommufd_viommu - vIOMMU object
 * @obj: object header
 * @hw: the driver's (or for DEFAULT the core's) vIOMMU
 * @hwpt: the nest-parent HWPT it wraps
 * @ictx: the file's context
 * @veventqs: its vEVENTQs (struct iommufd_veventq), one per type
 */
struct iommufd_viommu {
	struct iommufd_object obj;
	struct miommu_viommu *hw;
	struct iommufd_hwpt *hwpt;
	struct iommufd_ctx *ictx;
	struct list_head veventqs;
};

/* viommu.c */
void iommufd_viommu_destroy(struct iommufd_object *obj);
int iommufd_viommu_alloc(struct iommufd_ucmd *ucmd);

/**
 * struct iommufd_veventq - vEVENTQ object (IOMMU_VEVENTQ_ALLOC)
 * @obj: object header; its file holds one user while open
 * @ictx: the file's context
 * @viommu: the vIOMMU whose events it receives (a user of it)
 * @node: entry in @viommu->veventqs
 * @type: enum iommu_veventq_type
 * @depth: most events queued at once
 * @mutex: guards the fields below (the file's ops run outside ictx->lock)
 * @deliver: events not yet read
 * @num_events: events in @deliver
 * @sequence: sequence number of the next record
 * @lost: events were dropped since the last record queued: a
 *        LOST_EVENTS header with @lost_sequence ends the queue
 * @lost_sequence: its sequence number
 * @wait_queue: poll() waiters
 */
struct iommufd_veventq {
	struct iommufd_object obj;
	struct iommufd_ctx *ictx;
	struct iommufd_viommu *viommu;
	struct list_head node;
	u32 type;
	u32 depth;
	struct mutex mutex; /* guards deliver .. lost_sequence */
	struct list_head deliver;
	u32 num_events;
	u32 sequence;
	bool lost;
	u32 lost_sequence;
	wait_queue_head_t wait_queue;
};

/* veventq.c */
void iommufd_veventq_destroy(struct iommufd_object *obj);
int iommufd_veventq_alloc(struct iommufd_ucmd *ucmd);

/**
 * struct iommufd_hw_queue - HW queue object (IOMMU_HW_QUEUE_ALLOC)
 * @obj: object header
 * @viommu: its vIOMMU (a user of it)
 * @hw: the driver's queue
 * @access: the internal access pinning the queue memory in the vIOMMU's
 *          stage-2 IOAS
 * @pin_iova: page-aligned start of the pinned range
 * @pin_length: bytes pinned
 */
struct iommufd_hw_queue {
	struct iommufd_object obj;
	struct iommufd_viommu *viommu;
	struct miommu_hw_queue *hw;
	struct iommufd_access *access;
	unsigned long pin_iova;
	unsigned long pin_length;
};

/* hw_queue.c */
void iommufd_hw_queue_destroy(struct iommufd_object *obj);
int iommufd_hw_queue_alloc(struct iommufd_ucmd *ucmd);

/* mmap.c */
int iommufd_fops_mmap(struct file *filp, struct vm_area_struct *vma);

/**
 * struct iommufd_vdevice - vDEVICE object
 * @obj: object header
 * @viommu: the vIOMMU object
 * @idev: the device object
 * @hw: driver view: virt_id, counters
 */
struct iommufd_vdevice {
	struct iommufd_object obj;
	struct iommufd_viommu *viommu;
	struct iommufd_device *idev;
	struct miommu_vdevice hw;
};

/* vdevice.c */
void iommufd_vdevice_destroy(struct iommufd_object *obj);
int iommufd_vdevice_alloc(struct iommufd_ucmd *ucmd);
void iommufd_device_tombstone_vdevs(struct iommufd_ctx *ictx,
				    struct iommufd_device *idev);

/* main.c */
struct miommu_instance *miommu_find_instance(u32 id);
int iommufd_instance_info(struct iommufd_ucmd *ucmd);

#endif
