// SPDX-License-Identifier: GPL-2.0
/*
 * A device's DMA through a nested SMMUv3 domain, as the hardware does it:
 * STE (the nested domain) -> CD (CD cache, else fetched through stage 2)
 * -> IOTLB, else the stage-1 walk -> IPA -> stage 2 -> page. Faults go to
 * the caller always, to the vIOMMU's vEVENTQ as upstream's host driver
 * forwards them (stage-1 and configuration events of a device with a
 * vDEVICE), and stage-2 faults to the kernel log instead.
 */
#include <linux/ratelimit.h>

#include "smmuv3.h"

#define CREATE_TRACE_POINTS
#include "smmuv3_trace.h"

/* Events upstream's arm_smmu_handle_event() hands to a vEVENTQ */
static bool smmuv3_event_forwarded(u32 code)
{
	switch (code) {
	case EVT_ID_C_BAD_STE:
	case EVT_ID_F_STREAM_DISABLED:
	case EVT_ID_C_BAD_SUBSTREAMID:
	case EVT_ID_C_BAD_CD:
	case EVT_ID_F_TRANSLATION:
	case EVT_ID_F_ADDR_SIZE:
	case EVT_ID_F_ACCESS:
	case EVT_ID_F_PERMISSION:
		return true;
	default:
		return false;
	}
}

/* Translation-related faults are recorded only when the CD says so (CD.R) */
static bool smmuv3_event_is_translation(u32 code)
{
	return code >= EVT_ID_F_TRANSLATION && code <= EVT_ID_F_PERMISSION;
}

/*
 * Build the event record (SMMUv3 7.3) of a fault and hand it to the
 * vIOMMU's vEVENTQ with the device's vSID in place of its SID, as
 * upstream's arm_vmaster_report_event() does.
 */
static void smmuv3_report(struct smmuv3_nested *nd, struct miommu_device *dev,
			  bool ssv, u32 ssid, u64 iova, bool write,
			  bool record, struct miommu_fault *fault)
{
	struct smmuv3_viommu *vs = nd->vsmmu;
	struct iommu_vevent_arm_smmuv3 evt = {};
	struct miommu_vdevice *vdev;
	u64 w0, w1 = 0;

	trace_smmuv3_fault(vs->s2->vmid, dev->stream_id, ssv ? ssid : 0,
			   fault->code, iova, fault->ipa,
			   fault->flags & IOMMU_MOCK_DMA_FAULT_S2);
	if (fault->flags & IOMMU_MOCK_DMA_FAULT_S2) {
		/* Upstream keeps stage-2 events in the host */
		pr_info_ratelimited("iommufd_mock: smmuv3 %u: stage-2 fault 0x%x, SID 0x%x, IPA 0x%llx%s\n",
				    vs->smmu->base.core.id, fault->code,
				    dev->stream_id, fault->ipa,
				    fault->flags & IOMMU_MOCK_DMA_FAULT_WALK ?
				    " (table walk)" : "");
		return;
	}
	if (!fault->code || !smmuv3_event_forwarded(fault->code) ||
	    (smmuv3_event_is_translation(fault->code) && !record))
		return;
	vdev = miommu_viommu_find_vdev(&vs->core, dev);
	if (!vdev)
		return;
	w0 = FIELD_PREP(EVT0_ID, fault->code) |
	     FIELD_PREP(EVT0_SID, (u32)vdev->virt_id);
	if (ssv)
		w0 |= EVT0_SSV | FIELD_PREP(EVT0_SSID, ssid);
	if (smmuv3_event_is_translation(fault->code)) {
		w1 = FIELD_PREP(EVT1_CLASS, EVT1_CLASS_IN);
		if (!write)
			w1 |= EVT1_RNW;
		evt.evt[2] = cpu_to_le64(iova);
	}
	evt.evt[0] = cpu_to_le64(w0);
	evt.evt[1] = cpu_to_le64(w1);
	if (!miommu_viommu_report_event(&vs->core, IOMMU_VEVENTQ_TYPE_ARM_SMMUV3,
					&evt, sizeof(evt)))
		fault->flags |= IOMMU_MOCK_DMA_FAULT_REPORTED;
}

/* The leaf sizes a granule's tables can hold, smallest first */
static const u8 *smmuv3_leaf_shifts(u8 granule_shift)
{
	static const u8 g4k[] = { 12, 21, 30, 0 };
	static const u8 g16k[] = { 14, 25, 0 };
	static const u8 g64k[] = { 16, 29, 0 };

	return granule_shift == 12 ? g4k : granule_shift == 14 ? g16k : g64k;
}

/* The CD for (@ssv, @ssid): from the CD cache, else from guest memory. */
static int smmuv3_get_cd(struct smmuv3_nested *nd, struct miommu_device *dev,
			 bool ssv, u32 ssid, struct smmuv3_cd *cd,
			 struct miommu_fault *fault)
{
	struct smmuv3_viommu *vs = nd->vsmmu;
	__le64 raw[CD_BYTES / 8];
	u32 index;
	int rc;

	rc = smmuv3_cd_index(nd->ste, ssv, ssid, &index, fault);
	if (rc)
		return rc;
	if (smmuv3_cd_lookup(vs->s2, dev->stream_id, index, nd->gen, cd))
		return 0;
	rc = smmuv3_cd_fetch(vs->s2, nd->ste, ssv, ssid, raw, fault);
	if (rc)
		return rc;
	rc = smmuv3_cd_decode(raw, cd, fault);
	if (rc)
		return rc;
	smmuv3_cd_insert(vs->s2, dev->stream_id, index, nd->gen, cd);
	return 0;
}

/*
 * Stage 1 of a nested STE: *@ipa for @iova. @record is set once the CD is
 * known: whether its translation faults are recorded.
 */
static int smmuv3_stage1(struct smmuv3_nested *nd, struct miommu_device *dev,
			 bool ssv, u32 ssid, u64 iova, bool write, u64 *ipa,
			 bool *record, struct miommu_fault *fault)
{
	struct smmuv3_viommu *vs = nd->vsmmu;
	struct miommu_iotlb_entry ent;
	unsigned int levels = 0;
	struct smmuv3_cd cd;
	bool hit, ttb1;
	int rc;

	rc = smmuv3_get_cd(nd, dev, ssv, ssid, &cd, fault);
	if (rc == 1) {
		/* S1DSS = bypass for requests without a substream */
		*ipa = iova;
		return 0;
	}
	if (rc)
		return rc;
	*record = cd.record;
	ttb1 = iova >> 63;
	hit = miommu_iotlb_lookup(&vs->smmu->tlb, vs->s2, cd.asid,
				  smmuv3_leaf_shifts(cd.granule_shift[ttb1]),
				  iova, false, &ent, &vs->s2->stats.tlb);
	if (!hit) {
		rc = smmuv3_s1_walk(vs->s2, &cd, iova, &ent, &levels, fault);
		if (!rc)
			miommu_iotlb_insert(&vs->smmu->tlb, vs->s2, cd.asid, &ent,
					    &vs->s2->stats.tlb);
	}
	trace_smmuv3_walk(vs->s2->vmid, cd.asid, iova, hit, levels,
			  rc ? 0 : ent.ipa + (iova - ent.va), rc);
	if (rc)
		return rc;
	if (write && !ent.writable) {
		fault->code = EVT_ID_F_PERMISSION;
		return -EPERM;
	}
	*ipa = ent.ipa + (iova - ent.va);
	return 0;
}

/**
 * smmuv3_nested_dma_translate() - the dma_translate op of nested domains
 * @domain: the nested domain (the guest's STE)
 * @dev: the device doing the access
 * @pasid: MIOMMU_NO_PASID, or the substream ID (SSV = 1)
 * @iova: input address
 * @write: a write access
 * @phys: out: physical address of the byte at @iova
 * @fault: out: the fault, on an error
 *
 * V = 0 and abort STEs terminate the access without an event (SMMUv3
 * 5.2: Config abort records none); bypass STEs go through stage 2 alone;
 * stage-1 STEs as the file comment says.
 * Return: 0, or -ENOENT translation fault (either stage), -EPERM
 * permission or access-flag fault, -EIO configuration, address-size or
 * abort.
 */
int smmuv3_nested_dma_translate(struct miommu_domain *domain,
				struct miommu_device *dev, u32 pasid, u64 iova,
				bool write, phys_addr_t *phys,
				struct miommu_fault *fault)
{
	struct smmuv3_nested *nd = to_nested(domain);
	bool ssv = pasid != MIOMMU_NO_PASID, record = true;
	u64 ipa = iova;
	int rc, prot;

	switch (FIELD_GET(STE0_CFG, nd->ste[0])) {
	case STE0_CFG_S1_TRANS:
		rc = smmuv3_stage1(nd, dev, ssv, pasid, iova, write, &ipa,
				   &record, fault);
		if (rc)
			goto fault;
		break;
	case STE0_CFG_BYPASS:
		break;
	default:
		fault->code = 0;
		return -EIO;
	}

	rc = smmuv3_s2_lookup(nd->vsmmu->s2, ipa, phys, &prot);
	if (!rc && !(prot & (write ? MIOMMU_WRITE : MIOMMU_READ)))
		rc = -EPERM;
	if (!rc)
		return 0;
	fault->code = rc == -EPERM ? EVT_ID_F_PERMISSION : EVT_ID_F_TRANSLATION;
	fault->flags |= IOMMU_MOCK_DMA_FAULT_S2;
	fault->ipa = ipa;
fault:
	smmuv3_report(nd, dev, ssv, pasid, iova, write, record, fault);
	return rc;
}
