/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints of the SMMUv3 instances (events/iommufd_mock_smmuv3/): what
 * the vSMMU did, for ftrace and trace-cmd users.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM iommufd_mock_smmuv3

#if !defined(SMMUV3_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define SMMUV3_TRACE_H

#include <linux/tracepoint.h>

/* A nested HWPT allocation: the guest STE and the verdict on it. */
TRACE_EVENT(smmuv3_hwpt_alloc,
	    TP_PROTO(u16 vmid, u32 sid, u64 ste0, u64 ste1, int rc),
	    TP_ARGS(vmid, sid, ste0, ste1, rc),
	    TP_STRUCT__entry(__field(u16, vmid)
			     __field(u32, sid)
			     __field(u64, ste0)
			     __field(u64, ste1)
			     __field(int, rc)),
	    TP_fast_assign(__entry->vmid = vmid;
			   __entry->sid = sid;
			   __entry->ste0 = ste0;
			   __entry->ste1 = ste1;
			   __entry->rc = rc;),
	    TP_printk("vmid=%u sid=0x%x ste=0x%016llx,0x%016llx rc=%d",
		      __entry->vmid, __entry->sid, __entry->ste0, __entry->ste1,
		      __entry->rc)
);

/* One guest command forwarded by IOMMU_HWPT_INVALIDATE. */
TRACE_EVENT(smmuv3_cmd,
	    TP_PROTO(u16 vmid, u64 cmd0, u64 cmd1, int rc),
	    TP_ARGS(vmid, cmd0, cmd1, rc),
	    TP_STRUCT__entry(__field(u16, vmid)
			     __field(u64, cmd0)
			     __field(u64, cmd1)
			     __field(int, rc)),
	    TP_fast_assign(__entry->vmid = vmid;
			   __entry->cmd0 = cmd0;
			   __entry->cmd1 = cmd1;
			   __entry->rc = rc;),
	    TP_printk("vmid=%u op=0x%02llx cmd=0x%016llx,0x%016llx rc=%d",
		      __entry->vmid, __entry->cmd0 & 0xff, __entry->cmd0,
		      __entry->cmd1, __entry->rc)
);

/* A stage-1 translation: IOTLB hit, or a walk and the descriptors read. */
TRACE_EVENT(smmuv3_walk,
	    TP_PROTO(u16 vmid, u16 asid, u64 va, bool hit, unsigned int levels,
		     u64 ipa, int rc),
	    TP_ARGS(vmid, asid, va, hit, levels, ipa, rc),
	    TP_STRUCT__entry(__field(u16, vmid)
			     __field(u16, asid)
			     __field(u64, va)
			     __field(bool, hit)
			     __field(unsigned int, levels)
			     __field(u64, ipa)
			     __field(int, rc)),
	    TP_fast_assign(__entry->vmid = vmid;
			   __entry->asid = asid;
			   __entry->va = va;
			   __entry->hit = hit;
			   __entry->levels = levels;
			   __entry->ipa = ipa;
			   __entry->rc = rc;),
	    TP_printk("vmid=%u asid=%u va=0x%llx %s levels=%u ipa=0x%llx rc=%d",
		      __entry->vmid, __entry->asid, __entry->va,
		      __entry->hit ? "hit" : "miss", __entry->levels, __entry->ipa,
		      __entry->rc)
);

/* A fault of a DMA, whether or not it went to the vEVENTQ. */
TRACE_EVENT(smmuv3_fault,
	    TP_PROTO(u16 vmid, u32 sid, u32 ssid, u32 event, u64 addr, u64 ipa,
		     bool s2),
	    TP_ARGS(vmid, sid, ssid, event, addr, ipa, s2),
	    TP_STRUCT__entry(__field(u16, vmid)
			     __field(u32, sid)
			     __field(u32, ssid)
			     __field(u32, event)
			     __field(u64, addr)
			     __field(u64, ipa)
			     __field(bool, s2)),
	    TP_fast_assign(__entry->vmid = vmid;
			   __entry->sid = sid;
			   __entry->ssid = ssid;
			   __entry->event = event;
			   __entry->addr = addr;
			   __entry->ipa = ipa;
			   __entry->s2 = s2;),
	    TP_printk("vmid=%u sid=0x%x ssid=%u event=0x%02x addr=0x%llx ipa=0x%llx s2=%d",
		      __entry->vmid, __entry->sid, __entry->ssid, __entry->event,
		      __entry->addr, __entry->ipa, __entry->s2)
);

#endif

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE smmuv3_trace
#include <trace/define_trace.h>
