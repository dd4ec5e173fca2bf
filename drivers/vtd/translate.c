// SPDX-License-Identifier: GPL-2.0
/*
 * A device's DMA through a nested VT-d domain, as the hardware does it:
 * the PASID-tagged IOTLB, else the first-stage walk of the guest's table
 * (through the nest parent), then the second stage and the page. Faults go
 * to the caller, the kernel log (rate limited) and a tracepoint.
 */
#include <linux/ratelimit.h>

#include "vtd.h"

#define CREATE_TRACE_POINTS
#include "vtd_trace.h"

/* First-stage leaf sizes: 4 KiB, 2 MiB, 1 GiB */
static const u8 vtd_leaf_shifts[] = { 12, 21, 30, 0 };

static void vtd_fault(struct vtd_nested *nd, struct miommu_device *dev,
		      u32 pasid, u64 iova, bool write,
		      const struct miommu_fault *fault)
{
	trace_vtd_fault(nd->did, dev->stream_id, pasid, fault->code, iova,
			fault->ipa, fault->flags & IOMMU_MOCK_DMA_FAULT_S2);
	pr_info_ratelimited("iommufd_mock: vtd %u: fault reason 0x%x, SID 0x%x PASID %u, %s 0x%llx%s\n",
			    nd->s2->iommu->base.core.id, fault->code,
			    dev->stream_id, pasid, write ? "write" : "read",
			    iova, fault->flags & IOMMU_MOCK_DMA_FAULT_S2 ?
			    " (second stage)" : "");
}

/**
 * vtd_nested_dma_translate() - the dma_translate op of nested domains
 * @domain: the nested domain (the guest's first stage)
 * @dev: the device doing the access
 * @pasid: MIOMMU_NO_PASID (requests without PASID use RID_PASID 0) or
 *         the PASID attached to @domain
 * @iova: input address
 * @write: a write access
 * @phys: out: physical address of the byte at @iova
 * @fault: out: the fault, on an error
 *
 * Requests are untranslated user requests. An IOTLB entry made by a read
 * does not serve a write until a walk has set the leaf's D flag, as
 * hardware re-walks for it.
 * Return: 0, or -ENOENT not present (either stage), -EPERM permission,
 * -EIO reserved bits, a non-canonical address, an address beyond the
 * width.
 */
int vtd_nested_dma_translate(struct miommu_domain *domain,
			     struct miommu_device *dev, u32 pasid, u64 iova,
			     bool write, phys_addr_t *phys,
			     struct miommu_fault *fault)
{
	struct vtd_nested *nd = to_vtd_nested(domain);
	struct miommu_iotlb *tlb = &nd->s2->iommu->tlb;
	struct vtd_request req = { .write = write };
	struct miommu_iotlb_entry ent;
	unsigned int levels = 0;
	int rc = 0, prot;
	bool hit;
	u64 ipa;

	hit = miommu_iotlb_lookup(tlb, nd, pasid, vtd_leaf_shifts, iova, write,
				  &ent, &nd->stats);
	if (!hit) {
		rc = vtd_fs_walk(nd->s2, &nd->cfg, iova, &req, &ent, &levels,
				 fault);
		if (!rc)
			miommu_iotlb_insert(tlb, nd, pasid, &ent, &nd->stats);
	}
	if (!rc && write && !ent.writable) {
		fault->code = VTD_FR_NO_WRITE;
		rc = -EPERM;
	}
	ipa = rc ? 0 : ent.ipa + (iova - ent.va);
	trace_vtd_walk(nd->did, pasid, iova, hit, levels, ipa, rc);
	if (rc) {
		/* Page requests (PRS) can resolve these first-stage faults */
		fault->recoverable = fault->code == VTD_FR_FS_NOT_PRESENT ||
				     fault->code == VTD_FR_US ||
				     fault->code == VTD_FR_NO_WRITE;
		goto fault;
	}

	rc = vtd_s2_lookup(nd->s2, ipa, phys, &prot);
	if (!rc && !(prot & (write ? MIOMMU_WRITE : MIOMMU_READ)))
		rc = -EPERM;
	if (!rc)
		return 0;
	fault->code = rc == -EPERM ? VTD_FR_S2_PERM : VTD_FR_S2_ACCESS;
	fault->flags |= IOMMU_MOCK_DMA_FAULT_S2;
	fault->ipa = ipa;
fault:
	vtd_fault(nd, dev, pasid, iova, write, fault);
	return rc;
}
