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
#include <linux/refcount.h>
#include <linux/xarray.h>

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
	IOMMUFD_OBJ_MAX,
};

/**
 * struct iommufd_object - header embedded first in every object
 * @users: 1 for the ID table plus 1 per object that depends on this one;
 *         IOMMU_DESTROY refuses (-EBUSY) anything above 1
 * @type: enum iommufd_object_type
 * @id: ID in the context's table, >= 1
 */
struct iommufd_object {
	refcount_t users;
	enum iommufd_object_type type;
	u32 id;
};

/**
 * struct iommufd_ctx - state of one open file
 * @lock: serialises every command of this file, so object state needs no
 *        finer locking; taken before mmap_lock (pinning, user copies)
 * @objects: ID table; an ID is reserved with XA_ZERO_ENTRY until published
 */
struct iommufd_ctx {
	struct mutex lock; /* serialises all commands of the file */
	struct xarray objects;
};

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

/* object.c */
struct iommufd_object *iommufd_object_alloc(struct iommufd_ctx *ictx,
					    size_t size,
					    enum iommufd_object_type type);
void iommufd_object_finalize(struct iommufd_ctx *ictx,
			     struct iommufd_object *obj);
void iommufd_object_abort(struct iommufd_ctx *ictx, struct iommufd_object *obj);
void iommufd_object_abort_and_destroy(struct iommufd_ctx *ictx,
				      struct iommufd_object *obj);
struct iommufd_object *iommufd_get_object(struct iommufd_ctx *ictx, u32 id,
					  enum iommufd_object_type type);
void iommufd_object_destroy_now(struct iommufd_ctx *ictx,
				struct iommufd_object *obj);
void iommufd_destroy_all(struct iommufd_ctx *ictx);
int iommufd_destroy(struct iommufd_ucmd *ucmd);
int iommufd_object_info(struct iommufd_ucmd *ucmd);

#define iommufd_object_alloc_type(ictx, _struct, type) \
	container_of(iommufd_object_alloc(ictx, sizeof(_struct), type), \
		     _struct, obj)

/* io_pagetable.c: the IOVA space of an IOAS */

/**
 * struct iopt_node - an interval of IOVA in one of an IOAS's two trees
 * @rb: rbtree linkage
 * @start: first IOVA
 * @last: last IOVA (inclusive)
 * @subtree_last: interval-tree bookkeeping
 */
struct iopt_node {
	struct rb_node rb;
	unsigned long start;
	unsigned long last;
	unsigned long subtree_last;
};

/**
 * struct iopt_area - one IOAS_MAP: pinned pages at an IOVA range
 * @node: IOVA range in the area tree
 * @pages: the pinned pages, @node.start maps @pages[0]
 * @npages: number of pages
 * @prot: MIOMMU_READ / MIOMMU_WRITE
 * @user: user charged for RLIMIT_MEMLOCK, NULL if not charged
 */
struct iopt_area {
	struct iopt_node node;
	struct page **pages;
	unsigned long npages;
	int prot;
	struct user_struct *user;
};

/**
 * struct iopt_reserved - a reserved IOVA range
 * @node: IOVA range in the reserved tree (ranges may overlap)
 * @owner: tag of whoever reserved it (a device attach, a HWPT aperture)
 */
struct iopt_reserved {
	struct iopt_node node;
	const void *owner;
};

/**
 * struct iommufd_ioas - IO address space object
 * @obj: object header
 * @areas: interval tree of struct iopt_area
 * @reserved: interval tree of struct iopt_reserved
 * @hwpt_list: paging HWPTs mirroring this IOAS
 */
struct iommufd_ioas {
	struct iommufd_object obj;
	struct rb_root_cached areas;
	struct rb_root_cached reserved;
	struct list_head hwpt_list;
};

int iopt_map_user(struct iommufd_ioas *ioas, unsigned long uva,
		  unsigned long length, unsigned long *iova, bool fixed,
		  int prot);
int iopt_unmap(struct iommufd_ioas *ioas, unsigned long iova,
	       unsigned long last, unsigned long *unmapped);
int iopt_reserve(struct iommufd_ioas *ioas, unsigned long start,
		 unsigned long last, const void *owner);
void iopt_unreserve(struct iommufd_ioas *ioas, const void *owner);
void iopt_unmap_all(struct iommufd_ioas *ioas);
int iopt_fill_domain(struct iommufd_ioas *ioas, struct miommu_domain *domain);
void iopt_unfill_domain(struct iommufd_ioas *ioas,
			struct miommu_domain *domain);
unsigned int iopt_allowed_ranges(struct iommufd_ioas *ioas,
				 struct iommu_iova_range *out,
				 unsigned int max);

/* ioas.c */
void iommufd_ioas_destroy(struct iommufd_object *obj);
int iommufd_ioas_alloc_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_ioas_iova_ranges(struct iommufd_ucmd *ucmd);
int iommufd_ioas_map(struct iommufd_ucmd *ucmd);
int iommufd_ioas_unmap(struct iommufd_ucmd *ucmd);

/**
 * struct iommufd_hwpt - HWPT object: a domain plus its place in the graph
 * @obj: object header (IOMMUFD_OBJ_HWPT_PAGING or _NESTED)
 * @domain: the driver's page table
 * @flags: enum iommufd_hwpt_alloc_flags given at allocation
 * @auto_domain: made by attaching a device to an IOAS; freed with its last
 *               device
 * @ioas: paging: the IOAS mirrored
 * @ioas_item: paging: entry in @ioas->hwpt_list
 * @parent: nested on a HWPT: the nest parent
 * @viommu: nested on a vIOMMU: the vIOMMU
 */
struct iommufd_hwpt {
	struct iommufd_object obj;
	struct miommu_domain *domain;
	u32 flags;
	bool auto_domain;
	struct iommufd_ioas *ioas;
	struct list_head ioas_item;
	struct iommufd_hwpt *parent;
	struct iommufd_viommu *viommu;
};

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

/**
 * struct iommufd_device - a mock device bound to this file
 * @obj: object header
 * @ictx: the context, needed to free an automatic HWPT on destruction
 * @hw: the driver's device
 * @hwpt: the HWPT the device is attached to, or NULL
 * @resv_ioas: the IOAS holding the reservations of the current attach
 * @resv_tag: which of two owner tags the current reservations carry, so a
 *            replace can reserve anew before it drops the old ones
 */
struct iommufd_device {
	struct iommufd_object obj;
	struct iommufd_ctx *ictx;
	struct miommu_device *hw;
	struct iommufd_hwpt *hwpt;
	struct iommufd_ioas *resv_ioas;
	unsigned int resv_tag;
};

/* device.c */
void iommufd_device_destroy(struct iommufd_object *obj);
int iommufd_device_alloc(struct iommufd_ucmd *ucmd);
int iommufd_device_attach(struct iommufd_ucmd *ucmd);
int iommufd_device_detach_ioctl(struct iommufd_ucmd *ucmd);
int iommufd_get_hw_info(struct iommufd_ucmd *ucmd);
int iommufd_device_resv_regions(struct iommufd_ucmd *ucmd);
int iommufd_device_dma(struct iommufd_ucmd *ucmd);

/**
 * struct iommufd_viommu - vIOMMU object
 * @obj: object header
 * @hw: the driver's (or for DEFAULT the core's) vIOMMU
 * @hwpt: the nest-parent HWPT it wraps
 */
struct iommufd_viommu {
	struct iommufd_object obj;
	struct miommu_viommu *hw;
	struct iommufd_hwpt *hwpt;
};

/* viommu.c */
void iommufd_viommu_destroy(struct iommufd_object *obj);
int iommufd_viommu_alloc(struct iommufd_ucmd *ucmd);

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

/* main.c */
struct miommu_instance *miommu_find_instance(u32 id);
int iommufd_instance_info(struct iommufd_ucmd *ucmd);

#endif
