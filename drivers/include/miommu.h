/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Driver interface between the iommufd-mock core and an IOMMU driver.
 *
 * The core (drivers/core/) implements the iommufd objects and ioctls and
 * reaches hardware only through the three ops tables below; the mock driver
 * (drivers/mock/) implements them. The split follows upstream's IOMMU-wide
 * ops / per-domain ops / per-vIOMMU ops (seed 003). Nothing here registers
 * with the kernel's own IOMMU core.
 */
#ifndef MIOMMU_H
#define MIOMMU_H

#include <linux/device.h>
#include <linux/types.h>
#include <linux/xarray.h>

#include "iommufd_mock.h"

#define MIOMMU_READ	BIT(0)	/* device may read through a mapping */
#define MIOMMU_WRITE	BIT(1)	/* device may write through a mapping */

#define MIOMMU_MAX_INSTANCES 8

/*
 * The PASID value that names a device's requests without PASID (its RID),
 * upstream's IOMMU_NO_PASID: attach and detach helpers of the core take it
 * for the RID attachment, any other value for that PASID's.
 */
#define MIOMMU_NO_PASID 0

struct miommu_instance;
struct miommu_device;
struct miommu_domain;
struct miommu_viommu;
struct miommu_vdevice;
struct miommu_hw_queue;
struct iommufd_viommu;
struct iommufd_hw_queue;

/**
 * struct miommu_user_data - driver data passed by userspace, not yet copied
 * @type: the uAPI data type userspace declared
 * @uptr: user pointer to the data
 * @len: bytes at @uptr
 */
struct miommu_user_data {
	u32 type;
	void __user *uptr;
	size_t len;
};

/**
 * struct miommu_user_data_array - array of invalidation entries in user memory
 * @type: the uAPI data type of every entry
 * @uptr: user pointer to entry 0
 * @entry_len: bytes of one entry as userspace laid it out
 * @entry_num: in: entries present; out (set by the driver): entries handled
 */
struct miommu_user_data_array {
	u32 type;
	void __user *uptr;
	u32 entry_len;
	u32 entry_num;
};

/**
 * struct miommu_dirty_bitmap - where a driver reports dirty IOVA
 * @bits: one bit per @page_size page from @iova, or NULL when the caller
 *        only wants the dirty state cleared
 * @iova: IOVA of bit 0
 * @page_size: bytes per bit (a power of two)
 * @nbits: bits in @bits
 */
struct miommu_dirty_bitmap {
	unsigned long *bits;
	u64 iova;
	u64 page_size;
	u64 nbits;
};

void miommu_dirty_record(struct miommu_dirty_bitmap *dirty, u64 iova,
			 u64 length);

/**
 * struct miommu_fault - where and why a simulated DMA stopped
 * @addr: input address (IOVA) of the access that faulted
 * @ipa: stage-2 faults: the IPA stage 2 did not translate
 * @code: the driver's fault code, reported to userspace as is (SMMUv3: the
 *        event ID of the specification); 0 when the driver has none
 * @flags: enum iommu_mock_dma_fault_flags (IOMMU_MOCK_DMA_FAULT set by the
 *         core)
 * @recoverable: set by the driver for a stage-1 fault a page request can
 *               resolve (not present, no permission): when the HWPT has a
 *               fault queue the core sends one and retries the access if
 *               userspace answers Success (PRI)
 */
struct miommu_fault {
	u64 addr;
	u64 ipa;
	u32 code;
	u32 flags;
	bool recoverable;
};

/**
 * struct miommu_ops - IOMMU-wide operations of one instance
 * @probe_device: create a device with physical @stream_id behind @inst.
 *                ERR_PTR: -EINVAL out-of-range ID, -EEXIST ID in use, -ENOMEM
 * @release_device: destroy a device made by @probe_device; it is detached.
 *                  Its stream ID is free again once the struct device is
 *                  released (gone from sysfs), not before
 * @hw_info: fill @buf (at most @len bytes) with the hardware info of @inst
 *           (what IOMMU_GET_HW_INFO reports for its devices), set *@type to
 *           its uAPI type; returns the bytes of the full data
 * @domain_alloc_paging: allocate a paging domain for @dev. @flags are
 *                       enum iommufd_hwpt_alloc_flags; ERR_PTR(-EOPNOTSUPP)
 *                       for flags the driver does not support
 * @domain_alloc_nested: allocate a nested domain over the paging domain
 *                       @parent from user @data; ERR_PTR(-EINVAL) when @parent
 *                       is not a nest parent or has another format
 * @domain_compatible: true if @dev may use the page tables of @domain: same
 *                     format, and no IOVA the domain (or, nested, its stage
 *                     2) reaches lies beyond @dev's aperture
 * @viommu_alloc: allocate a driver vIOMMU of @type over the nest-parent
 *                @s2; NULL op = the driver offers only the core's DEFAULT type.
 *                ERR_PTR(-EOPNOTSUPP) for a type the driver does not offer
 * @get_resv_regions: the reserved regions of @dev, sorted by start; *@num set
 * @describe: optional: fill @info, the instance as IOMMU_MOCK_INSTANCE_INFO
 *            lists it, for a driver whose @hw_info data is not
 *            struct iommu_hw_info_mock
 * @pasid_changed: optional: @pasid of @dev is now attached to @domain, or
 *                 detached (@domain NULL). Called once the core has
 *                 committed a PASID attach, replace or detach (never for
 *                 MIOMMU_NO_PASID); cannot fail
 * @user_pasid_table: the PASID table of a device whose RID is attached to a
 *                    nested domain belongs to the guest, so a page request
 *                    with a PASID nothing is attached to goes to that
 *                    nested domain (upstream's iommu_ops.user_pasid_table)
 */
struct miommu_ops {
	struct miommu_device *(*probe_device)(struct miommu_instance *inst,
					      u32 stream_id);
	void (*release_device)(struct miommu_device *dev);
	size_t (*hw_info)(struct miommu_instance *inst, void *buf, size_t len,
			  u32 *type);
	struct miommu_domain *(*domain_alloc_paging)(struct miommu_device *dev,
						     u32 flags);
	struct miommu_domain *(*domain_alloc_nested)(struct miommu_device *dev,
						     struct miommu_domain *parent,
						     u32 flags,
						     const struct miommu_user_data *data);
	bool (*domain_compatible)(struct miommu_device *dev,
				  struct miommu_domain *domain);
	struct miommu_viommu *(*viommu_alloc)(struct miommu_device *dev,
					      struct miommu_domain *s2, u32 type);
	const struct iommu_resv_region_info *
		(*get_resv_regions)(struct miommu_device *dev, unsigned int *num);
	void (*describe)(struct miommu_instance *inst,
			 struct iommu_hw_info_mock *info);
	void (*pasid_changed)(struct miommu_device *dev, u32 pasid,
			      struct miommu_domain *domain);
	bool user_pasid_table;
};

/**
 * struct miommu_domain_ops - operations of one domain (HWPT page table)
 * @attach_dev: check that @dev can be attached (format, aperture,
 *              instance); 0 or -EINVAL, or -ENOENT for a nested domain of
 *              a vIOMMU in which @dev has no vDEVICE (upstream 6.17's
 *              selftest rule). The core records the attachment, and may
 *              drop it again without telling the driver
 * @set_dev_pasid: check that PASID @pasid of @dev can be attached to the
 *                 domain in place of @old (NULL: the PASID is detached);
 *                 0, -EINVAL (other driver or instance) or the driver's
 *                 errno. The core calls it only for a HWPT allocated with
 *                 IOMMU_HWPT_ALLOC_PASID and a PASID from 1 to
 *                 2^max_pasid_log2 - 1 of @dev; it records the attachment
 *                 itself, may drop a change it has not committed without
 *                 telling the driver, and reports committed changes through
 *                 &miommu_ops.pasid_changed. NULL: the domain cannot serve
 *                 a PASID (the core answers -EOPNOTSUPP, as upstream's
 *                 iommu core does without a set_dev_pasid op)
 * @map_pages: map @pgcount pages of @pgsize from @paddr at @iova with @prot
 *             (MIOMMU_READ/WRITE); *@mapped gets the bytes mapped. On an
 *             error (-EINVAL outside the aperture, -ENOMEM, -EINTR for a
 *             fatal signal during a long batch) nothing stays mapped
 * @unmap_pages: unmap @pgcount pages of @pgsize at @iova; returns bytes.
 *               Cannot fail; may sleep (yields during a long batch)
 * @iova_to_phys: translate @iova through the whole domain (stage 1 and the
 *                parent's stage 2 for a nested domain); -ENOENT if unmapped
 * @dma_translate: optional: translate the page of @iova for one access of
 *                 @dev (@pasid: MIOMMU_NO_PASID or the substream), as the
 *                 hardware does for a device's DMA: caches, guest tables,
 *                 fault events. Called with the file's lock held, page by
 *                 page; may not sleep on anything but the vIOMMU's
 *                 vEVENTQ. Return 0 with *@phys set, or -ENOENT
 *                 (translation fault), -EPERM (permission or access flag),
 *                 -EIO (configuration or address-size fault) with @fault
 *                 filled. Without it the core uses @iova_to_phys
 * @cache_invalidate_user: run the invalidation entries of @array on a
 *                         nested domain, setting @array->entry_num to the
 *                         number handled; the array may be long (up to
 *                         2^32 - 1 entries): yield between entries and stop
 *                         with -EINTR on a fatal signal
 * @fill_info: report driver state for IOMMU_MOCK_OBJECT_INFO
 * @set_dirty_tracking: paging domains allocated with
 *                      IOMMU_HWPT_ALLOC_DIRTY_TRACKING: start or stop
 *                      collecting dirty bits; NULL = no dirty tracking
 * @read_and_clear_dirty: report (miommu_dirty_record()) the dirty pages in
 *                        [@iova, @iova + @size) and clear their dirty bits
 *                        unless @flags has IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR;
 *                        -EINVAL when tracking is off and @dirty->bits is set
 * @free: free the domain; no device is attached any more
 */
struct miommu_domain_ops {
	int (*attach_dev)(struct miommu_domain *domain, struct miommu_device *dev);
	int (*set_dev_pasid)(struct miommu_domain *domain,
			     struct miommu_device *dev, u32 pasid,
			     struct miommu_domain *old);
	int (*map_pages)(struct miommu_domain *domain, unsigned long iova,
			 phys_addr_t paddr, size_t pgsize, size_t pgcount,
			 int prot, size_t *mapped);
	size_t (*unmap_pages)(struct miommu_domain *domain, unsigned long iova,
			      size_t pgsize, size_t pgcount);
	int (*iova_to_phys)(struct miommu_domain *domain, unsigned long iova,
			    phys_addr_t *phys, int *prot);
	int (*dma_translate)(struct miommu_domain *domain,
			     struct miommu_device *dev, u32 pasid, u64 iova,
			     bool write, phys_addr_t *phys,
			     struct miommu_fault *fault);
	int (*cache_invalidate_user)(struct miommu_domain *domain,
				     struct miommu_user_data_array *array);
	void (*fill_info)(struct miommu_domain *domain,
			  struct iommu_mock_object_info *info);
	int (*set_dirty_tracking)(struct miommu_domain *domain, bool enable);
	int (*read_and_clear_dirty)(struct miommu_domain *domain,
				    unsigned long iova, unsigned long size,
				    unsigned long flags,
				    struct miommu_dirty_bitmap *dirty);
	void (*free)(struct miommu_domain *domain);
};

/**
 * struct miommu_viommu_ops - operations of a driver-allocated vIOMMU
 * @alloc_domain_nested: allocate a nested domain for @dev whose stage 2 is
 *                       the vIOMMU's; same errnos as domain_alloc_nested
 * @cache_invalidate: run invalidation entries (IOTLB by ASID, device cache
 *                    by virt_id), setting @array->entry_num to those
 *                    handled; long arrays as for cache_invalidate_user
 * @viommu_init: optional: finish a vIOMMU the core has set up (its fields
 *               below are filled, @viommu->owner can be given to the core
 *               helpers) with the IOMMU_VIOMMU_ALLOC data, or NULL when
 *               userspace gave none; may write the data back to userspace.
 *               Without this op, data gives -EINVAL. On failure the core
 *               calls @destroy
 * @vdevice_init: set up the driver side of a new vDEVICE
 * @vdevice_destroy: undo @vdevice_init
 * @hw_queue_alloc: optional: allocate a HW queue of @type (upstream's
 *                  get_hw_queue_size); ERR_PTR(-EOPNOTSUPP) for a type the
 *                  driver does not offer, -ENOMEM
 * @hw_queue_init: set up a HW queue from @hw_queue_alloc whose memory the
 *                 core has pinned: @queue's base_iova, length and base_pa
 *                 are set. May set @queue->depend (see struct
 *                 miommu_hw_queue). On failure the core calls
 *                 @hw_queue_free
 * @hw_queue_destroy: undo a successful @hw_queue_init
 * @hw_queue_free: free a queue from @hw_queue_alloc
 * @fill_info: optional: report driver state for IOMMU_MOCK_OBJECT_INFO
 * @destroy: free the vIOMMU; it has no vDEVICE, nested domain, vEVENTQ or
 *           HW queue left
 */
struct miommu_viommu_ops {
	struct miommu_domain *(*alloc_domain_nested)(struct miommu_viommu *viommu,
						     struct miommu_device *dev,
						     u32 flags,
						     const struct miommu_user_data *data);
	int (*cache_invalidate)(struct miommu_viommu *viommu,
				struct miommu_user_data_array *array);
	int (*viommu_init)(struct miommu_viommu *viommu,
			   const struct miommu_user_data *data);
	int (*vdevice_init)(struct miommu_vdevice *vdev);
	void (*vdevice_destroy)(struct miommu_vdevice *vdev);
	struct miommu_hw_queue *(*hw_queue_alloc)(struct miommu_viommu *viommu,
						  u32 type);
	int (*hw_queue_init)(struct miommu_hw_queue *queue, u32 index);
	void (*hw_queue_destroy)(struct miommu_hw_queue *queue);
	void (*hw_queue_free)(struct miommu_hw_queue *queue);
	void (*fill_info)(struct miommu_viommu *viommu,
			  struct iommu_mock_object_info *info);
	void (*destroy)(struct miommu_viommu *viommu);
};

/**
 * struct miommu_instance - one physical IOMMU instance, owned by its driver
 * @ops: IOMMU-wide operations
 * @id: instance number, as userspace names it
 */
struct miommu_instance {
	const struct miommu_ops *ops;
	u32 id;
};

/**
 * struct miommu_device - a device behind an IOMMU instance
 * @inst: its IOMMU instance
 * @dev: the struct device on the driver's bus
 * @stream_id: its physical stream ID
 * @max_pasid_log2: PASID width: PASIDs 1 to 2^@max_pasid_log2 - 1 can be
 *                  attached, and IOMMU_GET_HW_INFO reports it (0: the device
 *                  has no PASID; at most 20, the PCIe width)
 * @hw_caps: enum iommufd_hw_capabilities IOMMU_GET_HW_INFO reports
 */
struct miommu_device {
	struct miommu_instance *inst;
	struct device dev;
	u32 stream_id;
	u8 max_pasid_log2;
	u64 hw_caps;
};

/**
 * struct miommu_domain - an IO page table, embedded in a driver struct
 * @ops: per-domain operations
 * @inst: instance the domain was allocated for
 * @aperture_start: first IOVA a paging domain translates
 * @aperture_last: last IOVA (inclusive)
 * @pgsize_bitmap: paging: every page size @ops->map_pages takes, in bytes;
 *                 the smallest is the IOVA alignment the domain imposes on
 *                 its IOAS and must be at most PAGE_SIZE
 */
struct miommu_domain {
	const struct miommu_domain_ops *ops;
	struct miommu_instance *inst;
	u64 aperture_start;
	u64 aperture_last;
	unsigned long pgsize_bitmap;
};

/**
 * struct miommu_viommu - a vIOMMU, embedded in a driver struct or, for the
 *                        DEFAULT type, allocated by the core alone
 * @ops: per-vIOMMU operations, NULL for the core's DEFAULT vIOMMU
 * @inst: physical instance the vIOMMU is a slice of
 * @s2: the nest-parent domain it wraps (stage 2)
 * @type: uAPI vIOMMU type
 * @vdevs: vDEVICEs by virt_id, kept by the core (drivers look them up with
 *         miommu_viommu_find_vdev() or xa_load())
 * @invalidations: entries handled by IOMMU_HWPT_INVALIDATE on the vIOMMU
 * @owner: the core's object, opaque to drivers; set before @ops->viommu_init
 */
struct miommu_viommu {
	const struct miommu_viommu_ops *ops;
	struct miommu_instance *inst;
	struct miommu_domain *s2;
	u32 type;
	struct xarray vdevs;
	u64 invalidations;
	struct iommufd_viommu *owner;
};

/**
 * struct miommu_hw_queue - a HW queue of a vIOMMU (IOMMU_HW_QUEUE_ALLOC),
 *                          embedded in a driver struct
 * @viommu: its vIOMMU
 * @type: uAPI queue type
 * @base_iova: guest address of the queue (an IOVA of the nest parent)
 * @length: bytes of queue memory
 * @base_pa: physical address of @base_iova; the core keeps the pages
 *           pinned and physically contiguous while the queue exists
 * @depend: set by @hw_queue_init to another queue of the vIOMMU that must
 *          outlive this one: the core refuses (-EBUSY) to destroy it first
 *          (upstream's iommufd_hw_queue_depend)
 * @owner: the core's object, opaque to drivers
 */
struct miommu_hw_queue {
	struct miommu_viommu *viommu;
	u32 type;
	u64 base_iova;
	u64 length;
	phys_addr_t base_pa;
	struct miommu_hw_queue *depend;
	struct iommufd_hw_queue *owner;
};

/**
 * struct miommu_vdevice - a device as seen inside one vIOMMU
 * @viommu: the vIOMMU
 * @dev: the physical device
 * @virt_id: its virtual ID in @viommu (virtual stream ID)
 * @invalidations: device-cache invalidations that named this vDEVICE
 */
struct miommu_vdevice {
	struct miommu_viommu *viommu;
	struct miommu_device *dev;
	u64 virt_id;
	u64 invalidations;
};

/* Provided by the core for drivers. */
int miommu_register_instance(struct miommu_instance *inst);
void miommu_unregister_instance(struct miommu_instance *inst);
int miommu_copy_user_data(void *dst, size_t dst_size, size_t min_size,
			  const struct miommu_user_data *data, u32 type);
int miommu_copy_array_entry(void *dst, size_t dst_size,
			    const struct miommu_user_data_array *array,
			    unsigned int index);
int miommu_array_run(struct miommu_user_data_array *array, u32 type,
		     size_t min_len, int (*one)(void *priv, unsigned int index),
		     void *priv);

struct miommu_vdevice *miommu_viommu_find_vdev(struct miommu_viommu *viommu,
					       struct miommu_device *dev);
int miommu_viommu_report_event(struct miommu_viommu *viommu, u32 type,
			       const void *data, size_t len);
void *miommu_viommu_alloc_mmap(struct miommu_viommu *viommu, size_t length,
			       u64 *offset);
void miommu_viommu_destroy_mmap(struct miommu_viommu *viommu, u64 offset);

/* Provided by the mock driver for the module's init and exit. */
/*
 * VFIO device files (drivers/vfio/): a driver whose bus_type lists
 * miommu_vfio_bus_groups in .bus_groups gets the bus attributes vfio_add
 * and vfio_remove ("INSTANCE STREAM_ID") that make and remove devices with
 * a VFIO device file (include/uapi/linux/iommufd_mock_pci.h).
 */
extern const struct attribute_group *miommu_vfio_bus_groups[];
int mvfio_init(void);
void mvfio_exit(void);

int mock_iommu_init(unsigned int num_instances);
void mock_iommu_exit(void);

/* Provided by the SMMUv3 driver (drivers/smmuv3/). */
int smmuv3_init(unsigned int first_id, unsigned int num_instances);
void smmuv3_exit(void);

/* Provided by the VT-d driver (drivers/vtd/). */
int vtd_init(unsigned int first_id, unsigned int num_instances);
void vtd_exit(void);

/* Provided by the selftest driver (upstream's mock and IOMMU_TEST_CMD). */
int selftest_iommu_init(void);
void selftest_iommu_exit(void);

#endif
