/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints of the VT-d instances (events/iommufd_mock_vtd/): what the
 * remapping unit did, for ftrace and trace-cmd users.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM iommufd_mock_vtd

#if !defined(VTD_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define VTD_TRACE_H

#include <linux/tracepoint.h>

/* A nested HWPT: its domain ID and the guest's first stage. */
TRACE_EVENT(vtd_hwpt_alloc,
	    TP_PROTO(u16 did, u64 pgtbl_addr, u32 addr_width, u64 flags),
	    TP_ARGS(did, pgtbl_addr, addr_width, flags),
	    TP_STRUCT__entry(__field(u16, did)
			     __field(u64, pgtbl_addr)
			     __field(u32, addr_width)
			     __field(u64, flags)),
	    TP_fast_assign(__entry->did = did;
			   __entry->pgtbl_addr = pgtbl_addr;
			   __entry->addr_width = addr_width;
			   __entry->flags = flags;),
	    TP_printk("did=%u pgtbl=0x%llx aw=%u flags=0x%llx",
		      __entry->did, __entry->pgtbl_addr, __entry->addr_width,
		      __entry->flags)
);

/* One IOMMU_HWPT_INVALIDATE_DATA_VTD_S1 entry. */
TRACE_EVENT(vtd_inv,
	    TP_PROTO(u16 did, u64 addr, u64 npages, u32 flags, int rc),
	    TP_ARGS(did, addr, npages, flags, rc),
	    TP_STRUCT__entry(__field(u16, did)
			     __field(u64, addr)
			     __field(u64, npages)
			     __field(u32, flags)
			     __field(int, rc)),
	    TP_fast_assign(__entry->did = did;
			   __entry->addr = addr;
			   __entry->npages = npages;
			   __entry->flags = flags;
			   __entry->rc = rc;),
	    TP_printk("did=%u addr=0x%llx npages=0x%llx flags=0x%x rc=%d",
		      __entry->did, __entry->addr, __entry->npages,
		      __entry->flags, __entry->rc)
);

/* A first-stage translation: IOTLB hit, or a walk and the entries read. */
TRACE_EVENT(vtd_walk,
	    TP_PROTO(u16 did, u32 pasid, u64 va, bool hit, unsigned int levels,
		     u64 ipa, int rc),
	    TP_ARGS(did, pasid, va, hit, levels, ipa, rc),
	    TP_STRUCT__entry(__field(u16, did)
			     __field(u32, pasid)
			     __field(u64, va)
			     __field(bool, hit)
			     __field(unsigned int, levels)
			     __field(u64, ipa)
			     __field(int, rc)),
	    TP_fast_assign(__entry->did = did;
			   __entry->pasid = pasid;
			   __entry->va = va;
			   __entry->hit = hit;
			   __entry->levels = levels;
			   __entry->ipa = ipa;
			   __entry->rc = rc;),
	    TP_printk("did=%u pasid=%u va=0x%llx %s levels=%u ipa=0x%llx rc=%d",
		      __entry->did, __entry->pasid, __entry->va,
		      __entry->hit ? "hit" : "miss", __entry->levels,
		      __entry->ipa, __entry->rc)
);

/* A fault of a DMA, with its VT-d fault reason. */
TRACE_EVENT(vtd_fault,
	    TP_PROTO(u16 did, u32 sid, u32 pasid, u32 reason, u64 addr,
		     u64 ipa, bool s2),
	    TP_ARGS(did, sid, pasid, reason, addr, ipa, s2),
	    TP_STRUCT__entry(__field(u16, did)
			     __field(u32, sid)
			     __field(u32, pasid)
			     __field(u32, reason)
			     __field(u64, addr)
			     __field(u64, ipa)
			     __field(bool, s2)),
	    TP_fast_assign(__entry->did = did;
			   __entry->sid = sid;
			   __entry->pasid = pasid;
			   __entry->reason = reason;
			   __entry->addr = addr;
			   __entry->ipa = ipa;
			   __entry->s2 = s2;),
	    TP_printk("did=%u sid=0x%x pasid=%u reason=0x%02x addr=0x%llx ipa=0x%llx s2=%d",
		      __entry->did, __entry->sid, __entry->pasid,
		      __entry->reason, __entry->addr, __entry->ipa,
		      __entry->s2)
);

#endif

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE vtd_trace
#include <trace/define_trace.h>
