// SPDX-License-Identifier: GPL-2.0
/*
 * The SMMUv3 instance (module parameter smmuv3_instances): upstream's ARM
 * SMMUv3 uAPI over a mock that really walks the guest's structures. A
 * "guest" writes STEs, context descriptors and VMSAv8-64 tables into guest
 * RAM (a user buffer mapped in the nest parent at GPA_BASE), the test acts
 * as the VMM (nested HWPT per STE, commands through HWPT_INVALIDATE on the
 * vIOMMU, events from the vEVENTQ) and IOMMU_MOCK_DMA is the device.
 *
 * Every data page carries its own pattern, so a check tells which page a
 * DMA reached: stale IOTLB and CD cache entries are observable.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <sys/mount.h>
#include <stdint.h>

#include "mock_helpers.h"
#include "smmuv3_guest.h"

#define GPA_BASE	0x40000000ULL	/* guest RAM, mapped in stage 2 */
#define GRAM_SIZE	(4ULL << 20)
#define FAR_IPA		0x80000000ULL	/* block outputs, holes, extras */
#define PSID		0x5a5		/* physical stream ID */
#define VSID		0x42		/* the guest's stream ID */
#define QDEPTH		32

struct smmu_rec {
	struct iommufd_vevent_header hdr;
	uint64_t evt[4];
};

FIXTURE(smmu) {
	int fd;
	uint32_t inst;
	uint32_t dev, ioas, s2, viommu, vdev, evq;
	int qfd;
	struct guest_ram g;
	uint32_t nested;
	bool attached;
	char saved_iotlb[32];	/* smmuv3_iotlb_entries to restore, or "" */
};

#define IOTLB_PARAM "/sys/module/iommufd_mock/parameters/smmuv3_iotlb_entries"

/* The first instance INSTANCE_INFO flags as SMMUv3, or -ENODEV. */
static int smmu_instance(int fd, uint32_t *inst)
{
	struct iommu_hw_info_mock arr[16];
	uint32_t n = 16, i;
	int rc;

	memset(arr, 0, sizeof(arr));
	rc = instance_info(fd, arr, &n);
	if (rc)
		return rc;
	for (i = 0; i < n && i < 16; i++) {
		if (arr[i].flags & IOMMU_HW_INFO_MOCK_ARM_SMMUV3) {
			*inst = arr[i].instance_id;
			return 0;
		}
	}
	return -ENODEV;
}

FIXTURE_SETUP(smmu)
{
	self->qfd = -1;
	self->saved_iotlb[0] = 0;
	self->fd = mock_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, smmu_instance(self->fd, &self->inst));
	ASSERT_EQ(0, dev_alloc(self->fd, self->inst, PSID, &self->dev));
	ASSERT_EQ(0, ioas_alloc(self->fd, &self->ioas));
	self->g.host = mmap(NULL, GRAM_SIZE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->g.host);
	self->g.ipa = GPA_BASE;
	self->g.size = GRAM_SIZE;
	self->g.next = 0;
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas, self->g.host,
				    GRAM_SIZE, GPA_BASE));
	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev, self->ioas,
				IOMMU_HWPT_ALLOC_NEST_PARENT, &self->s2));
	ASSERT_EQ(0, viommu_alloc(self->fd, self->dev, self->s2,
				  IOMMU_VIOMMU_TYPE_ARM_SMMUV3,
				  &self->viommu));
	ASSERT_EQ(0, vdev_alloc(self->fd, self->viommu, self->dev, VSID,
				&self->vdev));
	ASSERT_EQ(0, veventq_new(self->fd, self->viommu,
				 IOMMU_VEVENTQ_TYPE_ARM_SMMUV3, QDEPTH,
				 &self->evq, &self->qfd));
}

FIXTURE_TEARDOWN(smmu)
{
	if (self->saved_iotlb[0])
		param_rw(IOTLB_PARAM, self->saved_iotlb, 0, true);
	if (self->qfd >= 0)
		close(self->qfd);
	if (self->fd >= 0)
		close(self->fd);
}

/* ---- VMM side ------------------------------------------------------------ */

static int nested_alloc(FIXTURE_DATA(smmu) *self, const uint64_t ste[2],
			uint32_t *id)
{
	struct iommu_hwpt_arm_smmuv3 data = { .ste = { ste[0], ste[1] } };

	return hwpt_alloc_data(self->fd, self->dev, self->viommu, 0,
			       IOMMU_HWPT_DATA_ARM_SMMUV3, &data, sizeof(data),
			       id);
}

/* What QEMU does on a guest STE change: a new nested HWPT, attach/replace. */
static int install(FIXTURE_DATA(smmu) *self, const uint64_t ste[2])
{
	uint32_t id, old = self->nested;
	int rc = nested_alloc(self, ste, &id);

	if (rc)
		return rc;
	if (self->attached)
		rc = dev_replace(self->fd, self->dev, id, NULL);
	else
		rc = dev_attach(self->fd, self->dev, id, NULL);
	if (rc) {
		mock_destroy(self->fd, id);
		return rc;
	}
	self->attached = true;
	self->nested = id;
	if (old)
		mock_destroy(self->fd, old);
	return 0;
}

static int send_cmds(FIXTURE_DATA(smmu) *self, const struct gcmd *cmds,
		     uint32_t n, uint32_t *done)
{
	uint32_t num = n;
	int rc = hwpt_invalidate(self->fd, self->viommu,
				 IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3, cmds,
				 sizeof(*cmds), &num);

	if (done)
		*done = num;
	return rc;
}

static int send1(FIXTURE_DATA(smmu) *self, struct gcmd c)
{
	return send_cmds(self, &c, 1, NULL);
}

static int sdma(FIXTURE_DATA(smmu) *self, uint32_t flags, uint32_t pasid,
		uint64_t iova, void *buf, uint64_t len, struct iommu_mock_dma *d)
{
	memset(d, 0, sizeof(*d));
	d->size = sizeof(*d);
	d->flags = flags | (pasid ? IOMMU_MOCK_DMA_PASID : 0);
	d->dev_id = self->dev;
	d->pasid = pasid;
	d->iova = iova;
	d->length = len;
	d->uptr = U64_PTR(buf);
	return mock_ioctl(self->fd, IOMMU_MOCK_DMA, d);
}

static int rd(FIXTURE_DATA(smmu) *self, uint32_t pasid, uint64_t iova,
	      void *buf, uint64_t len)
{
	struct iommu_mock_dma d;

	return sdma(self, 0, pasid, iova, buf, len, &d);
}

static int wr(FIXTURE_DATA(smmu) *self, uint32_t pasid, uint64_t iova,
	      const void *buf, uint64_t len)
{
	struct iommu_mock_dma d;

	return sdma(self, IOMMU_MOCK_DMA_WRITE, pasid, iova, (void *)buf, len,
		    &d);
}

static struct iommu_mock_object_info vinfo(FIXTURE_DATA(smmu) *self)
{
	struct iommu_mock_object_info info;

	if (mock_obj_info(self->fd, self->viommu, &info))
		memset(&info, 0xff, sizeof(info));
	return info;
}

/* ---- guest side ------------------------------------------------------------ */

/* A guest page of 1 << gshift bytes filled with the pattern of @seed. */
static uint64_t gpage(FIXTURE_DATA(smmu) *self, unsigned int gshift,
		      uint32_t seed)
{
	uint64_t ipa = gram_alloc(&self->g, 1ULL << gshift, 1ULL << gshift);

	if (ipa)
		fill_pattern(gram_ptr(&self->g, ipa), 1ULL << gshift, seed);
	return ipa;
}

/* A host page with the pattern of @seed mapped in stage 2 at @ipa. */
static uint8_t *s2_page(FIXTURE_DATA(smmu) *self, uint64_t ipa, uint32_t seed,
			uint32_t prot)
{
	uint8_t *p = mock_pages(1, 0);

	if (p == MAP_FAILED)
		return NULL;
	fill_pattern(p, MOCK_PAGE, seed);
	if (ioas_map_flags(self->fd, self->ioas,
			   prot | IOMMU_IOAS_MAP_FIXED_IOVA, p, MOCK_PAGE,
			   &ipa))
		return NULL;
	return p;
}

/* One linear CD (substream 0 only) for @c at a fresh IPA; the STE installed. */
static uint64_t one_cd(struct __test_metadata *_metadata,
		       FIXTURE_DATA(smmu) *self, const struct gcd *c)
{
	uint64_t cd_ipa = gram_alloc(&self->g, GCD_BYTES, GCD_BYTES), ste[2];

	ASSERT_NE(0, cd_ipa);
	cd_build(gram_ptr(&self->g, cd_ipa), c);
	ste_s1(ste, cd_ipa, GSTE0_S1FMT_LINEAR, 0, GSTE1_S1DSS_SSID0);
	ASSERT_EQ(0, install(self, ste));
	return cd_ipa;
}

/* A 4K, T0SZ 16 table with a CD of @asid around it, installed. */
static uint64_t simple_s1(struct __test_metadata *_metadata,
			  FIXTURE_DATA(smmu) *self, struct s1_pt *pt,
			  uint16_t asid, bool record)
{
	struct gcd c = {
		.asid = asid, .t0sz = 16, .g0shift = 12, .epd1 = true,
		.ips = GCD_IPS_48, .record = record,
	};

	ASSERT_NE(0, s1_pt_init(pt, &self->g, 12, 16));
	c.ttb0 = pt->root;
	return one_cd(_metadata, self, &c);
}

/* ---- checks ---------------------------------------------------------------- */

/* The DMA returned @err with these fault outputs. */
#define EXPECT_FAULT(rc, d, err, code, flags, addr) do {			\
	EXPECT_EQ(-(err), rc);							\
	EXPECT_EQ((uint32_t)(code), (d).out_fault_code);			\
	EXPECT_EQ((uint32_t)(flags), (d).out_fault_flags);			\
	EXPECT_EQ((uint64_t)(addr), (d).out_fault_addr);			\
} while (0)

#define F_REP	(IOMMU_MOCK_DMA_FAULT | IOMMU_MOCK_DMA_FAULT_REPORTED)
#define F_S2	(IOMMU_MOCK_DMA_FAULT | IOMMU_MOCK_DMA_FAULT_S2)
#define F_S2W	(F_S2 | IOMMU_MOCK_DMA_FAULT_WALK)

/* The queue holds nothing. */
#define EXPECT_NO_EVT(self) do {						\
	struct smmu_rec __r;							\
	EXPECT_EQ(0, veventq_read_now((self)->qfd, &__r, sizeof(__r)));	\
} while (0)

/* Read exactly one record into @rec. */
#define READ_EVT(self, rec) do {						\
	memset(&(rec), 0, sizeof(rec));						\
	ASSERT_EQ((ssize_t)sizeof(rec),						\
		  veventq_read_now((self)->qfd, &(rec), sizeof(rec)));		\
	EXPECT_EQ(0, (rec).hdr.flags);						\
} while (0)

static uint64_t evt0(unsigned int id, bool ssv, uint32_t ssid)
{
	return g_field(GEVT0_ID, id) | (ssv ? GEVT0_SSV : 0) |
	       g_field(GEVT0_SSID, ssid) | g_field(GEVT0_SID, VSID);
}

/* A fault on the data address: the whole record is known. */
#define EXPECT_DATA_EVT(self, id, ssv, ssid, read, addr) do {			\
	struct smmu_rec __r;							\
	READ_EVT(self, __r);							\
	EXPECT_EQ(evt0(id, ssv, ssid), __r.evt[0])				\
		TH_LOG("evt[0] 0x%016llx", (unsigned long long)__r.evt[0]);	\
	EXPECT_EQ(((read) ? GEVT1_RNW : 0) |					\
		  g_field(GEVT1_CLASS, GEVT_CLASS_IN), __r.evt[1])		\
		TH_LOG("evt[1] 0x%016llx", (unsigned long long)__r.evt[1]);	\
	EXPECT_EQ((uint64_t)(addr), __r.evt[2]);				\
	EXPECT_EQ(0, __r.evt[3]);						\
	EXPECT_NO_EVT(self);							\
} while (0)

/* A configuration event: word 0 is known, S2 is 0, word 3 is 0. */
#define EXPECT_CFG_EVT(self, id, ssv, ssid) do {				\
	struct smmu_rec __r;							\
	READ_EVT(self, __r);							\
	EXPECT_EQ(evt0(id, ssv, ssid), __r.evt[0])				\
		TH_LOG("evt[0] 0x%016llx", (unsigned long long)__r.evt[0]);	\
	EXPECT_FALSE(evt_s2(__r.evt));						\
	EXPECT_EQ(0, __r.evt[3]);						\
	EXPECT_NO_EVT(self);							\
} while (0)

/* @len bytes at @va read through the device equal the guest bytes at @ipa. */
#define EXPECT_READS(self, pasid, va, ipa, len) do {				\
	uint8_t __b[512];							\
	memset(__b, 0, sizeof(__b));						\
	ASSERT_GE(sizeof(__b), (size_t)(len));					\
	EXPECT_EQ(0, rd(self, pasid, va, __b, len))				\
		TH_LOG("read at 0x%llx", (unsigned long long)(va));		\
	EXPECT_EQ(0, memcmp(__b, gram_ptr(&(self)->g, ipa), len))		\
		TH_LOG("va 0x%llx did not read ipa 0x%llx",			\
		       (unsigned long long)(va), (unsigned long long)(ipa));	\
} while (0)

/* ---- hardware information -------------------------------------------------- */

TEST_F(smmu, hw_info)
{
	struct iommu_hw_info_arm_smmuv3 data;
	struct iommu_resv_region_info r[4];
	struct iommu_hw_info cmd;
	uint32_t n = 4;

	memset(&data, 0xa5, sizeof(data));
	ASSERT_EQ(0, hw_info_cmd(self->fd, &cmd, self->dev, 0, 0, &data,
				 sizeof(data)));
	EXPECT_EQ(IOMMU_HW_INFO_TYPE_ARM_SMMUV3, cmd.out_data_type);
	EXPECT_EQ(sizeof(data), cmd.data_len);
	EXPECT_EQ(20, cmd.out_max_pasid_log2);
	EXPECT_EQ(0, data.flags);
	EXPECT_EQ(0, data.__reserved);
	EXPECT_TRUE(data.idr[0] & G_IDR0_S1P);
	EXPECT_TRUE(data.idr[0] & G_IDR0_S2P);
	EXPECT_EQ(2, g_get(data.idr[0], G_IDR0_TTF));
	EXPECT_TRUE(data.idr[0] & G_IDR0_COHACC);
	EXPECT_TRUE(data.idr[0] & G_IDR0_ASID16);
	EXPECT_TRUE(data.idr[0] & G_IDR0_VMID16);
	EXPECT_TRUE(data.idr[0] & G_IDR0_CD2L);
	EXPECT_TRUE(data.idr[0] & G_IDR0_ATS);
	EXPECT_EQ(2, g_get(data.idr[0], G_IDR0_TTENDIAN));
	EXPECT_EQ(1, g_get(data.idr[0], G_IDR0_ST_LVL));
	EXPECT_EQ(1, g_get(data.idr[0], G_IDR0_STALL_MODEL));
	EXPECT_EQ(16, g_get(data.idr[1], G_IDR1_SIDSIZE));
	EXPECT_EQ(20, g_get(data.idr[1], G_IDR1_SSIDSIZE));
	EXPECT_TRUE(data.idr[3] & G_IDR3_RIL);
	EXPECT_EQ(5, g_get(data.idr[5], G_IDR5_OAS));
	EXPECT_TRUE(data.idr[5] & G_IDR5_GRAN4K);
	EXPECT_TRUE(data.idr[5] & G_IDR5_GRAN16K);
	EXPECT_TRUE(data.idr[5] & G_IDR5_GRAN64K);
	EXPECT_EQ(0x2, data.aidr);

	/* Asked by type; a mock type is refused */
	ASSERT_EQ(0, hw_info_cmd(self->fd, &cmd, self->dev,
				 IOMMU_HW_INFO_FLAG_INPUT_TYPE,
				 IOMMU_HW_INFO_TYPE_ARM_SMMUV3, &data,
				 sizeof(data)));
	EXPECT_EQ(IOMMU_HW_INFO_TYPE_ARM_SMMUV3, cmd.out_data_type);
	EXPECT_EQ(-EOPNOTSUPP, hw_info_cmd(self->fd, &cmd, self->dev,
					   IOMMU_HW_INFO_FLAG_INPUT_TYPE,
					   IOMMU_HW_INFO_TYPE_MOCK, &data,
					   sizeof(data)));

	/* An ARM host's reserved regions: the SW_MSI window only */
	memset(r, 0, sizeof(r));
	ASSERT_EQ(0, resv_regions(self->fd, self->dev, r, &n));
	ASSERT_EQ(1, n);
	EXPECT_EQ(MOCK_SW_MSI_START, r[0].start);
	EXPECT_EQ(MOCK_SW_MSI_LAST, r[0].last);
	EXPECT_EQ(IOMMU_RESV_TYPE_SW_MSI, r[0].type);
}

/* The own types are not the SMMUv3 instance's. */
TEST_F(smmu, foreign_types)
{
	struct iommu_hwpt_mock_s1 s1 = mock_s1(IOMMU_MOCK_S1_FORMAT_ARM_LPAE,
					       1, GPA_BASE);
	uint32_t id;

	EXPECT_EQ(-EOPNOTSUPP, viommu_alloc(self->fd, self->dev, self->s2,
					    IOMMU_VIOMMU_TYPE_MOCK, &id));
	EXPECT_EQ(-EINVAL, hwpt_alloc_nested(self->fd, self->dev,
					     self->viommu, &s1, &id));
}

/* ---- STE rules (upstream's arm_smmu_validate_vste) ------------------------- */

TEST_F(smmu, ste_rules)
{
	uint64_t cd_ipa = gram_alloc(&self->g, GCD_BYTES, GCD_BYTES);
	struct iommu_hwpt_arm_smmuv3 data;
	uint8_t big[24];
	uint64_t ste[2];
	unsigned int cfg, bit;
	uint32_t id;

	ste_s1(ste, cd_ipa, GSTE0_S1FMT_LINEAR, 0, GSTE1_S1DSS_SSID0);
	ASSERT_EQ(0, nested_alloc(self, ste, &id));
	EXPECT_EQ(0, mock_destroy(self->fd, id));

	/* Every allowed field at once */
	ste[0] |= GSTE0_S1CDMAX | g_field(GSTE0_S1FMT, 2);
	ste[1] |= GSTE1_S1DSS_BYPASS | GSTE1_S1CIR | GSTE1_S1COR |
		  GSTE1_S1CSH | GSTE1_S1STALLD | g_field(GSTE1_EATS, 1);
	ASSERT_EQ(0, nested_alloc(self, ste, &id));
	EXPECT_EQ(0, mock_destroy(self->fd, id));

	/* V = 0: anything else is ignored */
	ste[0] = ~GSTE0_V;
	ste[1] = ~0ULL;
	ASSERT_EQ(0, nested_alloc(self, ste, &id));
	EXPECT_EQ(0, mock_destroy(self->fd, id));

	/* A bit outside the allowed fields: EIO */
	for (bit = 52; bit < 59; bit++) {
		ste_s1(ste, cd_ipa, GSTE0_S1FMT_LINEAR, 0, 0);
		ste[0] |= G_BIT(bit);
		EXPECT_EQ(-EIO, nested_alloc(self, ste, &id))
			TH_LOG("word 0 bit %u", bit);
	}
	for (bit = 8; bit < 64; bit++) {
		if (bit == 27 || bit == 28 || bit == 29)
			continue;
		ste_s1(ste, cd_ipa, GSTE0_S1FMT_LINEAR, 0, 0);
		ste[1] |= G_BIT(bit);
		EXPECT_EQ(-EIO, nested_alloc(self, ste, &id))
			TH_LOG("word 1 bit %u", bit);
	}
	/* Config: abort, bypass and S1 translate only */
	for (cfg = 0; cfg < 8; cfg++) {
		int want = (cfg == 0 || cfg == 4 || cfg == 5) ? 0 : -EIO;

		ste_s1(ste, cd_ipa, GSTE0_S1FMT_LINEAR, 0, 0);
		ste[0] = (ste[0] & ~GSTE0_CFG) | g_field(GSTE0_CFG, cfg);
		id = 0;
		EXPECT_EQ(want, nested_alloc(self, ste, &id))
			TH_LOG("config %u", cfg);
		if (!want)
			EXPECT_EQ(0, mock_destroy(self->fd, id));
	}
	/* EATS: 0 or 1 */
	ste_s1(ste, cd_ipa, GSTE0_S1FMT_LINEAR, 0, 0);
	ste[1] |= g_field(GSTE1_EATS, 2);
	EXPECT_EQ(-EIO, nested_alloc(self, ste, &id));
	ste[1] |= g_field(GSTE1_EATS, 3);
	EXPECT_EQ(-EIO, nested_alloc(self, ste, &id));

	/* flags: EOPNOTSUPP; another data type, short or long data: EINVAL */
	ste_s1(ste, cd_ipa, GSTE0_S1FMT_LINEAR, 0, 0);
	data.ste[0] = ste[0];
	data.ste[1] = ste[1];
	EXPECT_EQ(-EOPNOTSUPP,
		  hwpt_alloc_data(self->fd, self->dev, self->viommu,
				  IOMMU_HWPT_ALLOC_NEST_PARENT,
				  IOMMU_HWPT_DATA_ARM_SMMUV3, &data,
				  sizeof(data), &id));
	EXPECT_EQ(-EINVAL,
		  hwpt_alloc_data(self->fd, self->dev, self->viommu, 0,
				  IOMMU_HWPT_DATA_VTD_S1, &data, sizeof(data),
				  &id));
	EXPECT_EQ(-EINVAL,
		  hwpt_alloc_data(self->fd, self->dev, self->viommu, 0,
				  IOMMU_HWPT_DATA_ARM_SMMUV3, &data, 8, &id));
	memset(big, 0, sizeof(big));
	memcpy(big, &data, sizeof(data));
	EXPECT_EQ(-EINVAL,
		  hwpt_alloc_data(self->fd, self->dev, self->viommu, 0,
				  IOMMU_HWPT_DATA_ARM_SMMUV3, big, sizeof(big),
				  &id));
}

/* S1 translate needs a vDEVICE; abort and bypass do not (upstream). */
TEST_F(smmu, attach_vdevice)
{
	uint64_t ste[2];
	uint32_t s1, byp, ab;

	ste_s1(ste, GPA_BASE, GSTE0_S1FMT_LINEAR, 0, 0);
	ASSERT_EQ(0, nested_alloc(self, ste, &s1));
	ste_cfg(ste, GSTE0_CFG_BYPASS);
	ASSERT_EQ(0, nested_alloc(self, ste, &byp));
	ste_cfg(ste, GSTE0_CFG_ABORT);
	ASSERT_EQ(0, nested_alloc(self, ste, &ab));
	ASSERT_EQ(0, mock_destroy(self->fd, self->vdev));

	EXPECT_EQ(-ENOENT, dev_attach(self->fd, self->dev, s1, NULL));
	EXPECT_EQ(0, dev_attach(self->fd, self->dev, byp, NULL));
	EXPECT_EQ(0, dev_replace(self->fd, self->dev, ab, NULL));
	EXPECT_EQ(-ENOENT, dev_replace(self->fd, self->dev, s1, NULL));
	ASSERT_EQ(0, vdev_alloc(self->fd, self->viommu, self->dev, VSID,
				&self->vdev));
	EXPECT_EQ(0, dev_replace(self->fd, self->dev, s1, NULL));
	EXPECT_EQ(0, dev_detach(self->fd, self->dev));
}

/* Abort, V = 0 and bypass STEs. */
TEST_F(smmu, abort_bypass)
{
	uint64_t ipa = gpage(self, 12, 7), ste[2];
	struct iommu_mock_dma d;
	uint8_t buf[64];
	int rc;

	ste_cfg(ste, GSTE0_CFG_ABORT);
	ASSERT_EQ(0, install(self, ste));
	rc = sdma(self, 0, 0, ipa, buf, sizeof(buf), &d);
	EXPECT_EQ(-EIO, rc);
	EXPECT_EQ(0, d.out_fault_code);
	EXPECT_FALSE(d.out_fault_flags & IOMMU_MOCK_DMA_FAULT_REPORTED);
	EXPECT_NO_EVT(self);

	ste[0] = 0xfff0;	/* V = 0 */
	ste[1] = 0;
	ASSERT_EQ(0, install(self, ste));
	rc = sdma(self, 0, 0, ipa, buf, sizeof(buf), &d);
	EXPECT_EQ(-EIO, rc);
	EXPECT_EQ(0, d.out_fault_code);
	EXPECT_FALSE(d.out_fault_flags & IOMMU_MOCK_DMA_FAULT_REPORTED);
	EXPECT_NO_EVT(self);

	/* Bypass: IOVA = IPA, stage 2 only */
	ste_cfg(ste, GSTE0_CFG_BYPASS);
	ASSERT_EQ(0, install(self, ste));
	EXPECT_READS(self, 0, ipa + 0x100, ipa + 0x100, 64);
	fill_pattern(buf, sizeof(buf), 99);
	EXPECT_EQ(0, wr(self, 0, ipa + 0x800, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, gram_ptr(&self->g, ipa + 0x800), 64));
	rc = sdma(self, 0, 0, FAR_IPA + 0x10, buf, 16, &d);
	EXPECT_FAULT(rc, d, ENOENT, GEVT_F_TRANSLATION, F_S2, FAR_IPA + 0x10);
	EXPECT_EQ(FAR_IPA + 0x10, d.out_fault_ipa);
	EXPECT_NO_EVT(self);
}

/* ---- the walker --------------------------------------------------------------- */

/*
 * Pages at the lowest, the highest and a middle VA of the range of one
 * TTBn (every level's index differs), each with its own pattern; reads,
 * writes, a DMA across two pages with unrelated IPAs, an unmapped VA.
 */
static void walk_check(struct __test_metadata *_metadata,
		       FIXTURE_DATA(smmu) *self, unsigned int gshift,
		       unsigned int tsz, bool ttb1)
{
	uint64_t gsz = 1ULL << gshift, top = 1ULL << (64 - tsz);
	uint64_t hi = ttb1 ? ~0ULL << (64 - tsz) : 0;
	uint64_t va[4], ipa[4];
	struct iommu_mock_dma d;
	struct gcd c = { .asid = 3, .ips = GCD_IPS_48, .record = true };
	struct s1_pt pt;
	uint8_t buf[256], before;
	unsigned int i;
	int rc;

	ASSERT_NE(0, s1_pt_init(&pt, &self->g, gshift, tsz));
	if (ttb1) {
		c.epd0 = true;
		c.t1sz = tsz;
		c.g1shift = gshift;
		c.ttb1 = pt.root;
	} else {
		c.epd1 = true;
		c.t0sz = tsz;
		c.g0shift = gshift;
		c.ttb0 = pt.root;
	}
	va[0] = hi | 0;
	va[1] = hi | gsz;			/* next to va[0] */
	va[2] = hi | (top - gsz);
	va[3] = hi | ((0x5a5a5a5a5a5a5aULL & (top - 1)) & ~(gsz - 1));
	ASSERT_TRUE(va[3] != va[0] && va[3] != va[1] && va[3] != va[2] &&
		    va[3] != va[2] - gsz);
	for (i = 0; i < 4; i++) {
		ipa[i] = gpage(self, gshift, 10 + i);
		ASSERT_NE(0, ipa[i]);
		ASSERT_NE(0, s1_map(&pt, va[i], ipa[i], 3, GPTE_RW_NG));
	}
	one_cd(_metadata, self, &c);

	for (i = 0; i < 4; i++) {
		EXPECT_READS(self, 0, va[i] + gsz - 0x200, ipa[i] + gsz - 0x200,
			     256);
		EXPECT_READS(self, 0, va[i] + 8, ipa[i] + 8, 8);
	}
	/* Across va[0] | va[1]: two unrelated IPAs */
	memset(buf, 0, sizeof(buf));
	ASSERT_EQ(0, rd(self, 0, va[1] - 128, buf, 256));
	EXPECT_EQ(0, memcmp(buf, gram_ptr(&self->g, ipa[0] + gsz - 128), 128));
	EXPECT_EQ(0, memcmp(buf + 128, gram_ptr(&self->g, ipa[1]), 128));

	/* Inside one 16K or 64K page: several 4K stage-2 pages in a row */
	if (gshift > 12) {
		uint8_t big[8192];

		memset(big, 0, sizeof(big));
		ASSERT_EQ(0, rd(self, 0, va[2] + 0x800, big, sizeof(big)));
		EXPECT_EQ(0, memcmp(big, gram_ptr(&self->g, ipa[2] + 0x800),
				    sizeof(big)));
	}

	/* A write lands exactly where the table says */
	fill_pattern(buf, sizeof(buf), 77);
	before = *(uint8_t *)gram_ptr(&self->g, ipa[3] + 0x3ff);
	EXPECT_EQ(0, wr(self, 0, va[3] + 0x400, buf, 100));
	EXPECT_EQ(0, memcmp(buf, gram_ptr(&self->g, ipa[3] + 0x400), 100));
	EXPECT_EQ(before, *(uint8_t *)gram_ptr(&self->g, ipa[3] + 0x3ff));

	/* Unmapped VA: F_TRANSLATION with its record */
	rc = sdma(self, 0, 0, va[2] - gsz + 0x18, buf, 8, &d);
	EXPECT_FAULT(rc, d, ENOENT, GEVT_F_TRANSLATION, F_REP,
		     va[2] - gsz + 0x18);
	EXPECT_DATA_EVT(self, GEVT_F_TRANSLATION, false, 0, true,
			va[2] - gsz + 0x18);
	EXPECT_NO_EVT(self);
}

TEST_F(smmu, walk_4k_t0sz16) { walk_check(_metadata, self, 12, 16, false); }
TEST_F(smmu, walk_4k_t0sz39) { walk_check(_metadata, self, 12, 39, false); }
TEST_F(smmu, walk_4k_t0sz25) { walk_check(_metadata, self, 12, 25, false); }
TEST_F(smmu, walk_16k_t0sz16) { walk_check(_metadata, self, 14, 16, false); }
TEST_F(smmu, walk_16k_t0sz39) { walk_check(_metadata, self, 14, 39, false); }
TEST_F(smmu, walk_16k_t0sz28) { walk_check(_metadata, self, 14, 28, false); }
TEST_F(smmu, walk_64k_t0sz16) { walk_check(_metadata, self, 16, 16, false); }
TEST_F(smmu, walk_64k_t0sz39) { walk_check(_metadata, self, 16, 39, false); }
TEST_F(smmu, walk_64k_t0sz22) { walk_check(_metadata, self, 16, 22, false); }
TEST_F(smmu, walk_ttb1_4k_t1sz16) { walk_check(_metadata, self, 12, 16, true); }
TEST_F(smmu, walk_ttb1_16k_t1sz39) { walk_check(_metadata, self, 14, 39, true); }
TEST_F(smmu, walk_ttb1_64k_t1sz20) { walk_check(_metadata, self, 16, 20, true); }

/* TTB0 and TTB1 of one CD with different granules; the hole between them. */
TEST_F(smmu, walk_both_halves)
{
	struct gcd c = { .asid = 4, .ips = GCD_IPS_48, .record = true,
			 .t0sz = 39, .g0shift = 12, .t1sz = 30,
			 .g1shift = 16 };
	uint64_t lo_ipa = gpage(self, 12, 1), hi_ipa = gpage(self, 16, 2);
	uint64_t hi_va = 0xfffffffc00000000ULL + 0x30000;
	struct iommu_mock_dma d;
	struct s1_pt p0, p1;
	uint8_t buf[8];
	int rc;

	ASSERT_NE(0, s1_pt_init(&p0, &self->g, 12, 39));
	ASSERT_NE(0, s1_pt_init(&p1, &self->g, 16, 30));
	c.ttb0 = p0.root;
	c.ttb1 = p1.root;
	ASSERT_NE(0, s1_map(&p0, 0x1000, lo_ipa, 3, GPTE_RW_NG));
	ASSERT_NE(0, s1_map(&p1, hi_va, hi_ipa, 3, GPTE_RW_NG));
	one_cd(_metadata, self, &c);
	EXPECT_READS(self, 0, 0x1010, lo_ipa + 0x10, 64);
	EXPECT_READS(self, 0, hi_va + 0xf000, hi_ipa + 0xf000, 64);

	/* Above the lower range (2^25) and below the upper one: the hole */
	rc = sdma(self, 0, 0, 1ULL << 25, buf, 8, &d);
	EXPECT_FAULT(rc, d, ENOENT, GEVT_F_TRANSLATION, F_REP, 1ULL << 25);
	EXPECT_DATA_EVT(self, GEVT_F_TRANSLATION, false, 0, true, 1ULL << 25);
	rc = sdma(self, 0, 0, 0xfffffffbfffff000ULL, buf, 8, &d);
	EXPECT_FAULT(rc, d, ENOENT, GEVT_F_TRANSLATION, F_REP,
		     0xfffffffbfffff000ULL);
	EXPECT_DATA_EVT(self, GEVT_F_TRANSLATION, false, 0, true,
			0xfffffffbfffff000ULL);
}

/* EPD0: no walk through TTB0 */
TEST_F(smmu, walk_epd0)
{
	struct gcd c = { .asid = 4, .ips = GCD_IPS_48, .record = true,
			 .t0sz = 16, .g0shift = 12, .epd0 = true,
			 .epd1 = true };
	uint64_t ipa = gpage(self, 12, 1);
	struct iommu_mock_dma d;
	struct s1_pt pt;
	uint8_t buf[8];
	int rc;

	ASSERT_NE(0, s1_pt_init(&pt, &self->g, 12, 16));
	c.ttb0 = pt.root;
	ASSERT_NE(0, s1_map(&pt, 0x1000, ipa, 3, GPTE_RW_NG));
	one_cd(_metadata, self, &c);
	rc = sdma(self, 0, 0, 0x1000, buf, 8, &d);
	EXPECT_FAULT(rc, d, ENOENT, GEVT_F_TRANSLATION, F_REP, 0x1000);
	EXPECT_DATA_EVT(self, GEVT_F_TRANSLATION, false, 0, true, 0x1000);
}

/*
 * A block at @level: two stage-2 pages at both ends of its output range
 * (nothing else of it is mapped in stage 2), a stage-2 miss inside it.
 */
static void block_check(struct __test_metadata *_metadata,
			FIXTURE_DATA(smmu) *self, unsigned int gshift,
			unsigned int level)
{
	uint64_t bs = 1ULL << s1_shift(gshift, level), va = 3 * bs;
	uint64_t off[2] = { 0x5000, bs - MOCK_PAGE };
	struct gcd c = { .asid = 5, .ips = GCD_IPS_48, .record = true,
			 .t0sz = 16, .g0shift = gshift, .epd1 = true };
	struct iommu_mock_dma d;
	struct s1_pt pt;
	uint8_t buf[128], *host[2];
	unsigned int i;
	int rc;

	ASSERT_EQ(0, FAR_IPA & (bs - 1));
	for (i = 0; i < 2; i++) {
		host[i] = s2_page(self, FAR_IPA + off[i], 30 + i, MAP_RW);
		ASSERT_NE(NULL, host[i]);
	}
	ASSERT_NE(0, s1_pt_init(&pt, &self->g, gshift, 16));
	c.ttb0 = pt.root;
	ASSERT_NE(0, s1_map(&pt, va, FAR_IPA, level, GPTE_RW_NG));
	one_cd(_metadata, self, &c);

	for (i = 0; i < 2; i++) {
		memset(buf, 0, sizeof(buf));
		EXPECT_EQ(0, rd(self, 0, va + off[i] + 0x40, buf, sizeof(buf)));
		EXPECT_EQ(0, memcmp(buf, host[i] + 0x40, sizeof(buf)))
			TH_LOG("block offset 0x%llx",
			       (unsigned long long)off[i]);
	}
	fill_pattern(buf, sizeof(buf), 55);
	EXPECT_EQ(0, wr(self, 0, va + off[1] + 0xf00, buf, 64));
	EXPECT_EQ(0, memcmp(buf, host[1] + 0xf00, 64));

	/* In the block but not in stage 2: a stage-2 fault, not reported */
	rc = sdma(self, 0, 0, va + 0x3008, buf, 8, &d);
	EXPECT_FAULT(rc, d, ENOENT, GEVT_F_TRANSLATION, F_S2, va + 0x3008);
	EXPECT_EQ(FAR_IPA + 0x3000, d.out_fault_ipa & ~0xfffULL);
	EXPECT_NO_EVT(self);
}

TEST_F(smmu, block_4k_level1) { block_check(_metadata, self, 12, 1); }
TEST_F(smmu, block_4k_level2) { block_check(_metadata, self, 12, 2); }
TEST_F(smmu, block_16k_level2) { block_check(_metadata, self, 14, 2); }
TEST_F(smmu, block_64k_level2) { block_check(_metadata, self, 16, 2); }

/* A leaf where the granule allows none, or a reserved encoding: F_TRANSLATION. */
static void bad_leaf(struct __test_metadata *_metadata,
		     FIXTURE_DATA(smmu) *self, unsigned int gshift,
		     unsigned int level, uint64_t desc)
{
	struct gcd c = { .asid = 6, .ips = GCD_IPS_48, .record = true,
			 .t0sz = 16, .g0shift = gshift, .epd1 = true };
	uint64_t va = 5ULL << s1_shift(gshift, level), at;
	struct iommu_mock_dma d;
	struct s1_pt pt;
	uint8_t buf[8];
	int rc;

	ASSERT_NE(0, s1_pt_init(&pt, &self->g, gshift, 16));
	c.ttb0 = pt.root;
	at = s1_desc_ipa(&pt, va, level);
	ASSERT_NE(0, at);
	gram_w64(&self->g, at, desc);
	one_cd(_metadata, self, &c);
	rc = sdma(self, 0, 0, va + 0x10, buf, 8, &d);
	EXPECT_FAULT(rc, d, ENOENT, GEVT_F_TRANSLATION, F_REP, va + 0x10);
	EXPECT_DATA_EVT(self, GEVT_F_TRANSLATION, false, 0, true, va + 0x10);
}

TEST_F(smmu, bad_block_4k_level0)
{
	bad_leaf(_metadata, self, 12, 0, pte_leaf(0, 0, GPTE_RW_NG));
}

TEST_F(smmu, bad_block_16k_level1)
{
	bad_leaf(_metadata, self, 14, 1, pte_leaf(1, 0, GPTE_RW_NG));
}

TEST_F(smmu, bad_block_64k_level1)
{
	bad_leaf(_metadata, self, 16, 1, pte_leaf(1, 0, GPTE_RW_NG));
}

TEST_F(smmu, bad_level3_reserved)
{
	/* 0b01 at level 3 is reserved */
	bad_leaf(_metadata, self, 12, 3,
		 GPTE_VALID | (GPA_BASE & GPTE_ADDR) | GPTE_RW_NG);
}

TEST_F(smmu, bad_invalid_table)
{
	/* bit 0 clear at level 1, the rest looks like a table */
	bad_leaf(_metadata, self, 12, 1, pte_table(GPA_BASE) & ~GPTE_VALID);
}

/* AF = 0: F_ACCESS (EPERM) unless CD.AFFD. */
TEST_F(smmu, access_flag)
{
	struct gcd c = { .asid = 7, .ips = GCD_IPS_48, .record = true,
			 .t0sz = 16, .g0shift = 12, .epd1 = true };
	uint64_t ipa = gpage(self, 12, 3), cd_ipa;
	struct iommu_mock_dma d;
	struct s1_pt pt;
	uint8_t buf[8];
	int rc;

	ASSERT_NE(0, s1_pt_init(&pt, &self->g, 12, 16));
	c.ttb0 = pt.root;
	ASSERT_NE(0, s1_map(&pt, 0x7000, ipa, 3, GPTE_RW_NG & ~GPTE_AF));
	cd_ipa = one_cd(_metadata, self, &c);
	rc = sdma(self, 0, 0, 0x7020, buf, 8, &d);
	EXPECT_FAULT(rc, d, EPERM, GEVT_F_ACCESS, F_REP, 0x7020);
	EXPECT_DATA_EVT(self, GEVT_F_ACCESS, false, 0, true, 0x7020);
	rc = sdma(self, IOMMU_MOCK_DMA_WRITE, 0, 0x7040, buf, 8, &d);
	EXPECT_FAULT(rc, d, EPERM, GEVT_F_ACCESS, F_REP, 0x7040);
	EXPECT_DATA_EVT(self, GEVT_F_ACCESS, false, 0, false, 0x7040);

	/* The same table with AFFD in the CD */
	c.affd = true;
	cd_build(gram_ptr(&self->g, cd_ipa), &c);
	ASSERT_EQ(0, send1(self, cmd_cfgi_cd_all(VSID)));
	EXPECT_READS(self, 0, 0x7020, ipa + 0x20, 64);
	EXPECT_NO_EVT(self);
}

/* AP[2] read-only, AP[1] = 0 (privileged only): F_PERMISSION (EPERM). */
TEST_F(smmu, permissions)
{
	struct gcd c = { .asid = 8, .ips = GCD_IPS_48, .record = true,
			 .t0sz = 16, .g0shift = 12, .epd1 = true };
	uint64_t ro = gpage(self, 12, 4), priv = gpage(self, 12, 5);
	uint64_t pg = gpage(self, 12, 6), at;
	struct iommu_mock_dma d;
	struct s1_pt pt;
	uint8_t buf[64], copy[64];
	int rc;

	ASSERT_NE(0, s1_pt_init(&pt, &self->g, 12, 16));
	ASSERT_NE(0, s1_map(&pt, 0x10000, ro, 3, GPTE_RW_NG | GPTE_AP_RO));
	ASSERT_NE(0, s1_map(&pt, 0x11000, priv, 3, GPTE_RW_NG & ~GPTE_AP_EL0));
	c.ttb0 = pt.root;
	one_cd(_metadata, self, &c);
	/* Read first (cached), then a write that the cached entry refuses */
	EXPECT_READS(self, 0, 0x10100, ro + 0x100, 64);
	memcpy(copy, gram_ptr(&self->g, ro + 0x100), 64);
	fill_pattern(buf, sizeof(buf), 66);
	rc = sdma(self, IOMMU_MOCK_DMA_WRITE, 0, 0x10100, buf, 64, &d);
	EXPECT_FAULT(rc, d, EPERM, GEVT_F_PERMISSION, F_REP, 0x10100);
	EXPECT_DATA_EVT(self, GEVT_F_PERMISSION, false, 0, false, 0x10100);
	EXPECT_EQ(0, memcmp(copy, gram_ptr(&self->g, ro + 0x100), 64));

	/* APTable[1] on the way down makes a read-write page read-only */
	ASSERT_NE(0, s1_map(&pt, (1ULL << 30) + 0x3000, pg, 3, GPTE_RW_NG));
	at = s1_desc_ipa(&pt, 1ULL << 30, 1);
	ASSERT_NE(0, at);
	gram_w64(&self->g, at, gram_r64(&self->g, at) | GPTE_APTABLE_RO);
	EXPECT_READS(self, 0, (1ULL << 30) + 0x3000, pg, 32);
	rc = sdma(self, IOMMU_MOCK_DMA_WRITE, 0, (1ULL << 30) + 0x3000, buf, 8,
		  &d);
	EXPECT_FAULT(rc, d, EPERM, GEVT_F_PERMISSION, F_REP,
		     (1ULL << 30) + 0x3000);
	EXPECT_DATA_EVT(self, GEVT_F_PERMISSION, false, 0, false,
			(1ULL << 30) + 0x3000);

	/* Device requests are unprivileged: AP[1] = 0 refuses reads too */
	rc = sdma(self, 0, 0, 0x11008, buf, 8, &d);
	EXPECT_FAULT(rc, d, EPERM, GEVT_F_PERMISSION, F_REP, 0x11008);
	EXPECT_DATA_EVT(self, GEVT_F_PERMISSION, false, 0, true, 0x11008);
}

/* An output address beyond CD.IPS: F_ADDR_SIZE (EIO). */
TEST_F(smmu, address_size)
{
	struct gcd c = { .asid = 9, .ips = GCD_IPS_32, .record = true,
			 .t0sz = 16, .g0shift = 12, .epd1 = true };
	struct iommu_mock_dma d;
	struct s1_pt pt;
	uint8_t buf[8];
	int rc;

	ASSERT_NE(0, s1_pt_init(&pt, &self->g, 12, 16));
	c.ttb0 = pt.root;
	ASSERT_NE(0, s1_map(&pt, 0x2000, 1ULL << 32, 3, GPTE_RW_NG));
	one_cd(_metadata, self, &c);
	rc = sdma(self, 0, 0, 0x2010, buf, 8, &d);
	EXPECT_FAULT(rc, d, EIO, GEVT_F_ADDR_SIZE, F_REP, 0x2010);
	EXPECT_DATA_EVT(self, GEVT_F_ADDR_SIZE, false, 0, true, 0x2010);
}

/* CD.R = 0: the DMA still faults but nothing is recorded. */
TEST_F(smmu, no_record_without_r)
{
	struct iommu_mock_dma d;
	struct s1_pt pt;
	uint8_t buf[8];
	int rc;

	simple_s1(_metadata, self, &pt, 10, false);
	rc = sdma(self, 0, 0, 0x3000, buf, 8, &d);
	EXPECT_FAULT(rc, d, ENOENT, GEVT_F_TRANSLATION, IOMMU_MOCK_DMA_FAULT,
		     0x3000);
	EXPECT_NO_EVT(self);
}

/* A DMA over a mapped and an unmapped page: the first part is done. */
TEST_F(smmu, partial_dma)
{
	struct gcd c = { .asid = 11, .ips = GCD_IPS_48, .record = true,
			 .t0sz = 16, .g0shift = 12, .epd1 = true };
	uint64_t ipa = gpage(self, 12, 11);
	struct iommu_mock_dma d;
	struct s1_pt pt;
	uint8_t buf[8192];
	int rc;

	ASSERT_NE(0, s1_pt_init(&pt, &self->g, 12, 16));
	ASSERT_NE(0, s1_map(&pt, 0x20000, ipa, 3, GPTE_RW_NG));
	c.ttb0 = pt.root;
	one_cd(_metadata, self, &c);
	fill_pattern(buf, sizeof(buf), 88);
	rc = sdma(self, IOMMU_MOCK_DMA_WRITE, 0, 0x20000, buf, 8192, &d);
	EXPECT_FAULT(rc, d, ENOENT, GEVT_F_TRANSLATION, F_REP, 0x21000);
	EXPECT_DATA_EVT(self, GEVT_F_TRANSLATION, false, 0, false, 0x21000);
	EXPECT_EQ(0, memcmp(buf, gram_ptr(&self->g, ipa), 4096));
}

/* ---- stage-2 faults: returned, never forwarded ------------------------------ */

TEST_F(smmu, s2_fault_data)
{
	struct iommu_mock_dma d;
	struct s1_pt pt;
	uint8_t buf[8], *rop;
	int rc;

	simple_s1(_metadata, self, &pt, 12, true);
	ASSERT_NE(0, s1_map(&pt, 0x4000, FAR_IPA + 0x9000, 3, GPTE_RW_NG));
	rc = sdma(self, 0, 0, 0x4010, buf, 8, &d);
	EXPECT_FAULT(rc, d, ENOENT, GEVT_F_TRANSLATION, F_S2, 0x4010);
	EXPECT_EQ(FAR_IPA + 0x9000, d.out_fault_ipa & ~0xfffULL);
	EXPECT_NO_EVT(self);

	/* Stage 2 read-only: a write is a stage-2 permission fault */
	rop = s2_page(self, FAR_IPA + 0xa000, 40, IOMMU_IOAS_MAP_READABLE);
	ASSERT_NE(NULL, rop);
	ASSERT_NE(0, s1_map(&pt, 0x5000, FAR_IPA + 0xa000, 3, GPTE_RW_NG));
	memset(buf, 0, sizeof(buf));
	EXPECT_EQ(0, rd(self, 0, 0x5008, buf, 8));
	EXPECT_EQ(0, memcmp(buf, rop + 8, 8));
	rc = sdma(self, IOMMU_MOCK_DMA_WRITE, 0, 0x5008, buf, 8, &d);
	EXPECT_FAULT(rc, d, EPERM, GEVT_F_PERMISSION, F_S2, 0x5008);
	EXPECT_EQ(FAR_IPA + 0xa000, d.out_fault_ipa & ~0xfffULL);
	EXPECT_NO_EVT(self);
}

/* Stage-2 misses while fetching a table descriptor or a CD. */
TEST_F(smmu, s2_fault_walk)
{
	struct iommu_mock_dma d;
	struct s1_pt pt;
	uint64_t at, ste[2];
	uint8_t buf[8];
	uint64_t l1;
	int rc;

	simple_s1(_metadata, self, &pt, 13, true);
	/* Level-1 descriptor of VA 1 GiB: a table at an IPA stage 2 lacks */
	at = s1_desc_ipa(&pt, 1ULL << 30, 1);
	ASSERT_NE(0, at);
	gram_w64(&self->g, at, pte_table(FAR_IPA + 0x200000));
	rc = sdma(self, 0, 0, (1ULL << 30) + 0x18, buf, 8, &d);
	EXPECT_FAULT(rc, d, ENOENT, GEVT_F_TRANSLATION, F_S2W,
		     (1ULL << 30) + 0x18);
	EXPECT_EQ(FAR_IPA + 0x200000, d.out_fault_ipa & ~0xfffULL);
	EXPECT_NO_EVT(self);

	/* The CD table itself outside stage 2 */
	ste_s1(ste, FAR_IPA + 0x300000, GSTE0_S1FMT_LINEAR, 0,
	       GSTE1_S1DSS_SSID0);
	ASSERT_EQ(0, install(self, ste));
	rc = sdma(self, 0, 0, 0x18, buf, 8, &d);
	EXPECT_FAULT(rc, d, ENOENT, GEVT_F_TRANSLATION, F_S2W, 0x18);
	EXPECT_EQ(FAR_IPA + 0x300000, d.out_fault_ipa & ~0xfffULL);
	EXPECT_NO_EVT(self);

	/* A 2-level CD table whose leaf is outside stage 2 */
	l1 = gram_alloc(&self->g, 4096, 4096);
	ASSERT_NE(0, l1);
	gram_w64(&self->g, l1, cd_l1_desc(FAR_IPA + 0x400000));
	ste_s1(ste, l1, GSTE0_S1FMT_L2_4K, 8, GSTE1_S1DSS_SSID0);
	ASSERT_EQ(0, install(self, ste));
	rc = sdma(self, 0, 3, 0x18, buf, 8, &d);
	EXPECT_FAULT(rc, d, ENOENT, GEVT_F_TRANSLATION, F_S2W, 0x18);
	EXPECT_EQ(FAR_IPA + 0x400000, d.out_fault_ipa & ~0xfffULL);
	EXPECT_NO_EVT(self);
}

/* ---- context descriptors and substreams --------------------------------------- */

TEST_F(smmu, bad_cd)
{
	struct gcd good = { .asid = 14, .ips = GCD_IPS_48, .t0sz = 16,
			    .g0shift = 12, .epd1 = true, .ttb0 = GPA_BASE };
	struct gcd bad[4];
	struct iommu_mock_dma d;
	uint8_t buf[8];
	unsigned int i;
	int rc;

	for (i = 0; i < 4; i++)
		bad[i] = good;
	bad[0].invalid = true;
	bad[1].no_aa64 = true;
	bad[2].t0sz = 15;
	bad[3].t0sz = 40;
	for (i = 0; i < 4; i++) {
		one_cd(_metadata, self, &bad[i]);
		rc = sdma(self, 0, 0, 0x1000, buf, 8, &d);
		EXPECT_EQ(-EIO, rc) TH_LOG("bad CD %u", i);
		EXPECT_EQ(GEVT_C_BAD_CD, d.out_fault_code);
		EXPECT_EQ(F_REP, d.out_fault_flags);
		EXPECT_CFG_EVT(self, GEVT_C_BAD_CD, false, 0);
	}
}

/*
 * A linear table of 4 CDs (S1CDMax 2): CD n has ASID 20 + n and its own
 * table mapping VA 0x8000 to page n.
 */
static void four_cds(struct __test_metadata *_metadata,
		     FIXTURE_DATA(smmu) *self, unsigned int s1dss,
		     uint64_t page[4])
{
	uint64_t table = gram_alloc(&self->g, 4 * GCD_BYTES, 4 * GCD_BYTES);
	uint64_t ste[2];
	unsigned int i;

	ASSERT_NE(0, table);
	for (i = 0; i < 4; i++) {
		struct gcd c = { .asid = 20 + i, .ips = GCD_IPS_48,
				 .record = true, .t0sz = 16, .g0shift = 12,
				 .epd1 = true };
		struct s1_pt pt;

		page[i] = gpage(self, 12, 50 + i);
		ASSERT_NE(0, s1_pt_init(&pt, &self->g, 12, 16));
		ASSERT_NE(0, s1_map(&pt, 0x8000, page[i], 3, GPTE_RW_NG));
		c.ttb0 = pt.root;
		cd_build(gram_ptr(&self->g, table + i * GCD_BYTES), &c);
	}
	ste_s1(ste, table, GSTE0_S1FMT_LINEAR, 2, s1dss);
	ASSERT_EQ(0, install(self, ste));
}

TEST_F(smmu, substreams_linear)
{
	struct iommu_mock_dma d;
	uint64_t page[4];
	uint8_t buf[8];
	unsigned int i;
	int rc;

	four_cds(_metadata, self, GSTE1_S1DSS_SSID0, page);
	for (i = 1; i < 4; i++)
		EXPECT_READS(self, i, 0x8040, page[i] + 0x40, 64);
	EXPECT_READS(self, 0, 0x8040, page[0] + 0x40, 64);

	rc = sdma(self, 0, 4, 0x8040, buf, 8, &d);
	EXPECT_EQ(-EIO, rc);
	EXPECT_EQ(GEVT_C_BAD_SUBSTREAMID, d.out_fault_code);
	EXPECT_EQ(F_REP, d.out_fault_flags);
	EXPECT_CFG_EVT(self, GEVT_C_BAD_SUBSTREAMID, true, 4);

	/* A fault under a substream carries SSV and the SSID */
	rc = sdma(self, 0, 3, 0x9000, buf, 8, &d);
	EXPECT_FAULT(rc, d, ENOENT, GEVT_F_TRANSLATION, F_REP, 0x9000);
	EXPECT_DATA_EVT(self, GEVT_F_TRANSLATION, true, 3, true, 0x9000);

	/* PASID 0 is no PASID */
	EXPECT_EQ(-EINVAL, sdma(self, IOMMU_MOCK_DMA_PASID, 0, 0x8040, buf, 8,
				&d));
}

TEST_F(smmu, s1dss_terminate)
{
	struct iommu_mock_dma d;
	uint64_t page[4];
	uint8_t buf[8];
	int rc;

	four_cds(_metadata, self, GSTE1_S1DSS_TERMINATE, page);
	rc = sdma(self, 0, 0, 0x8040, buf, 8, &d);
	EXPECT_EQ(-EIO, rc);
	EXPECT_EQ(GEVT_F_STREAM_DISABLED, d.out_fault_code);
	EXPECT_EQ(F_REP, d.out_fault_flags);
	EXPECT_CFG_EVT(self, GEVT_F_STREAM_DISABLED, false, 0);
	EXPECT_READS(self, 2, 0x8040, page[2] + 0x40, 64);
}

TEST_F(smmu, s1dss_bypass)
{
	uint64_t page[4];

	four_cds(_metadata, self, GSTE1_S1DSS_BYPASS, page);
	/* Without a substream: IOVA = IPA */
	EXPECT_READS(self, 0, page[1] + 0x80, page[1] + 0x80, 64);
	EXPECT_READS(self, 1, 0x8080, page[1] + 0x80, 64);
}

/* S1CDMax 0: no substreams at all */
TEST_F(smmu, cdmax0_pasid)
{
	struct iommu_mock_dma d;
	struct s1_pt pt;
	uint8_t buf[8];
	int rc;

	simple_s1(_metadata, self, &pt, 15, true);
	rc = sdma(self, 0, 1, 0x8040, buf, 8, &d);
	EXPECT_EQ(-EIO, rc);
	EXPECT_EQ(GEVT_C_BAD_SUBSTREAMID, d.out_fault_code);
	EXPECT_CFG_EVT(self, GEVT_C_BAD_SUBSTREAMID, true, 1);
}

/*
 * 2-level CD table: leaves of @per CDs, @nl1 level-1 descriptors; the
 * SSIDs in @ssid (each a different leaf slot) get a CD mapping VA 0xc000
 * to their own page; level-1 entry @hole stays invalid.
 */
static void cd_2level(struct __test_metadata *_metadata,
		      FIXTURE_DATA(smmu) *self, unsigned int fmt,
		      unsigned int cdmax, const uint32_t *ssid,
		      uint64_t *page, unsigned int n)
{
	unsigned int per = fmt == GSTE0_S1FMT_L2_4K ? 64 : 1024;
	unsigned int nl1 = (1U << cdmax) / per, i;
	uint64_t l1 = gram_alloc(&self->g, 8ULL * nl1, 4096), ste[2];

	ASSERT_NE(0, l1);
	for (i = 0; i < n; i++) {
		uint64_t at = l1 + 8 * (ssid[i] / per), leaf;
		struct gcd c = { .asid = 30 + i, .ips = GCD_IPS_48,
				 .record = true, .t0sz = 16, .g0shift = 12,
				 .epd1 = true };
		struct s1_pt pt;

		leaf = gram_r64(&self->g, at) & GCD_L1_L2PTR;
		if (!leaf) {
			leaf = gram_alloc(&self->g, (uint64_t)per * GCD_BYTES,
					  4096);
			ASSERT_NE(0, leaf);
			gram_w64(&self->g, at, cd_l1_desc(leaf));
		}
		page[i] = gpage(self, 12, 60 + i);
		ASSERT_NE(0, s1_pt_init(&pt, &self->g, 12, 16));
		ASSERT_NE(0, s1_map(&pt, 0xc000, page[i], 3, GPTE_RW_NG));
		c.ttb0 = pt.root;
		cd_build(gram_ptr(&self->g,
				  leaf + (ssid[i] % per) * GCD_BYTES), &c);
	}
	ste_s1(ste, l1, fmt, cdmax, GSTE1_S1DSS_SSID0);
	ASSERT_EQ(0, install(self, ste));
}

static void substream_bad(struct __test_metadata *_metadata,
			  FIXTURE_DATA(smmu) *self, uint32_t ssid)
{
	struct iommu_mock_dma d;
	uint8_t buf[8];
	int rc;

	rc = sdma(self, 0, ssid, 0xc000, buf, 8, &d);
	EXPECT_EQ(-EIO, rc) TH_LOG("ssid %u", ssid);
	EXPECT_EQ(GEVT_C_BAD_SUBSTREAMID, d.out_fault_code);
	EXPECT_CFG_EVT(self, GEVT_C_BAD_SUBSTREAMID, true, ssid);
}

TEST_F(smmu, cd_2level_64)
{
	const uint32_t ssid[] = { 5, 70, 1023, 71 };
	struct iommu_mock_dma d;
	uint64_t page[4];
	uint8_t buf[8];
	unsigned int i;

	cd_2level(_metadata, self, GSTE0_S1FMT_L2_4K, 10, ssid, page, 4);
	for (i = 0; i < 4; i++)
		EXPECT_READS(self, ssid[i], 0xc010, page[i] + 0x10, 64);
	substream_bad(_metadata, self, 200);	/* level-1 entry 3 invalid */
	substream_bad(_metadata, self, 1024);	/* beyond S1CDMax */
	/* A valid leaf, an empty CD slot in it: C_BAD_CD */
	EXPECT_EQ(-EIO, sdma(self, 0, 72, 0xc000, buf, 8, &d));
	EXPECT_EQ(GEVT_C_BAD_CD, d.out_fault_code);
	EXPECT_CFG_EVT(self, GEVT_C_BAD_CD, true, 72);
}

TEST_F(smmu, cd_2level_1024)
{
	const uint32_t ssid[] = { 3, 1030, 2047 };
	uint64_t page[3];
	unsigned int i;

	cd_2level(_metadata, self, GSTE0_S1FMT_L2_64K, 12, ssid, page, 3);
	for (i = 0; i < 3; i++)
		EXPECT_READS(self, ssid[i], 0xc010, page[i] + 0x10, 64);
	substream_bad(_metadata, self, 2100);	/* level-1 entry 2 invalid */
	substream_bad(_metadata, self, 4096);
}

/* ---- the IOTLB: stale until the right command ------------------------------ */

#define NPG 8
#define STALE_VA 0x100000ULL

struct stale {
	struct s1_pt pt;
	uint64_t old_ipa[NPG], new_ipa[NPG], pte[NPG];
	uint64_t cd_ipa;
};

/* NPG pages cached by a read each, then every PTE moved to a new page. */
static void stale_setup(struct __test_metadata *_metadata,
			FIXTURE_DATA(smmu) *self, struct stale *st,
			uint16_t asid)
{
	unsigned int i;

	st->cd_ipa = simple_s1(_metadata, self, &st->pt, asid, true);
	for (i = 0; i < NPG; i++) {
		st->old_ipa[i] = gpage(self, 12, 100 + i);
		st->new_ipa[i] = gpage(self, 12, 200 + i);
		st->pte[i] = s1_map(&st->pt, STALE_VA + i * 0x1000,
				    st->old_ipa[i], 3, GPTE_RW_NG);
		ASSERT_NE(0, st->pte[i]);
	}
	for (i = 0; i < NPG; i++)
		EXPECT_READS(self, 0, STALE_VA + i * 0x1000 + 0x20,
			     st->old_ipa[i] + 0x20, 32);
	for (i = 0; i < NPG; i++)
		gram_w64(&self->g, st->pte[i],
			 pte_leaf(3, st->new_ipa[i], GPTE_RW_NG));
}

/* 'o' when page @i reads its old page, 'n' the new one, 'x' otherwise. */
static char which(FIXTURE_DATA(smmu) *self, struct stale *st, unsigned int i)
{
	uint8_t buf[32];

	if (rd(self, 0, STALE_VA + i * 0x1000 + 0x20, buf, sizeof(buf)))
		return 'x';
	if (!memcmp(buf, gram_ptr(&self->g, st->old_ipa[i] + 0x20), 32))
		return 'o';
	if (!memcmp(buf, gram_ptr(&self->g, st->new_ipa[i] + 0x20), 32))
		return 'n';
	return 'x';
}

/* The pages as a string, one letter each. */
#define EXPECT_PAGES(self, st, want) do {					\
	char __s[NPG + 1];							\
	unsigned int __i;							\
	for (__i = 0; __i < NPG; __i++)						\
		__s[__i] = which(self, st, __i);				\
	__s[NPG] = 0;								\
	EXPECT_STREQ(want, __s);						\
} while (0)

TEST_F(smmu, iotlb_stale_tlbi_va)
{
	struct iommu_mock_object_info a, b;
	struct stale st;

	stale_setup(_metadata, self, &st, 40);
	EXPECT_PAGES(self, &st, "oooooooo");
	/* Another ASID: nothing */
	ASSERT_EQ(0, send1(self, cmd_tlbi_nh_va(41, STALE_VA + 0x3000, true,
						 0, 0, 0)));
	EXPECT_PAGES(self, &st, "oooooooo");
	a = vinfo(self);
	ASSERT_EQ(0, send1(self, cmd_tlbi_nh_va(40, STALE_VA + 0x3000, true,
						 0, 0, 0)));
	b = vinfo(self);
	EXPECT_EQ(1, b.out_tlb_invalidated - a.out_tlb_invalidated);
	EXPECT_PAGES(self, &st, "ooonoooo");
	/* Non-leaf form too */
	ASSERT_EQ(0, send1(self, cmd_tlbi_nh_va(40, STALE_VA + 0x5000, false,
						 0, 0, 0)));
	EXPECT_PAGES(self, &st, "ooononoo");
}

TEST_F(smmu, iotlb_tlbi_va_range)
{
	struct stale st;

	stale_setup(_metadata, self, &st, 42);
	/* TG 4K, NUM 3, SCALE 0: pages 1..4 */
	ASSERT_EQ(0, send1(self, cmd_tlbi_nh_va(42, STALE_VA + 0x1000, true,
						 cmd_tg(12), 3, 0)));
	EXPECT_PAGES(self, &st, "onnnnooo");
	/* NUM 0, SCALE 1: (0 + 1) << 1 = 2 pages from 6 */
	ASSERT_EQ(0, send1(self, cmd_tlbi_nh_va(42, STALE_VA + 0x6000, true,
						 cmd_tg(12), 0, 1)));
	EXPECT_PAGES(self, &st, "onnnnonn");
	/* NUM 1, SCALE 1: 4 pages from 0 (page 5 stays: the range ends) */
	ASSERT_EQ(0, send1(self, cmd_tlbi_nh_va(42, STALE_VA, true,
						 cmd_tg(12), 1, 1)));
	EXPECT_PAGES(self, &st, "nnnnnonn");
}

TEST_F(smmu, iotlb_tlbi_vaa)
{
	struct stale st;

	stale_setup(_metadata, self, &st, 43);
	ASSERT_EQ(0, send1(self, cmd_tlbi_nh_vaa(STALE_VA + 0x7000, true, 0,
						  0, 0)));
	EXPECT_PAGES(self, &st, "ooooooon");
	ASSERT_EQ(0, send1(self, cmd_tlbi_nh_vaa(STALE_VA, false, cmd_tg(12),
						  1, 0)));
	EXPECT_PAGES(self, &st, "nnooooon");
}

TEST_F(smmu, iotlb_tlbi_asid)
{
	struct stale st;

	stale_setup(_metadata, self, &st, 44);
	ASSERT_EQ(0, send1(self, cmd_tlbi_nh_asid(45)));
	EXPECT_PAGES(self, &st, "oooooooo");
	ASSERT_EQ(0, send1(self, cmd_tlbi_nh_asid(44)));
	EXPECT_PAGES(self, &st, "nnnnnnnn");
}

TEST_F(smmu, iotlb_tlbi_nh_all)
{
	struct iommu_mock_object_info a, b;
	struct stale st;

	stale_setup(_metadata, self, &st, 46);
	EXPECT_PAGES(self, &st, "oooooooo");
	a = vinfo(self);
	ASSERT_EQ(0, send1(self, cmd_tlbi_nh_all()));
	b = vinfo(self);
	EXPECT_EQ(NPG, b.out_tlb_invalidated - a.out_tlb_invalidated);
	EXPECT_PAGES(self, &st, "nnnnnnnn");
}

TEST_F(smmu, iotlb_tlbi_nsnh_all)
{
	struct stale st;

	stale_setup(_metadata, self, &st, 47);
	EXPECT_PAGES(self, &st, "oooooooo");
	ASSERT_EQ(0, send1(self, cmd_tlbi_nsnh_all()));
	EXPECT_PAGES(self, &st, "nnnnnnnn");
}

/* A stage-2 change (IOAS_UNMAP of the parent) drops the stage-1 entries. */
TEST_F(smmu, iotlb_s2_unmap)
{
	struct iommu_mock_object_info a, b;
	struct iommu_mock_dma d;
	struct stale st;
	uint8_t buf[8];
	int rc;

	stale_setup(_metadata, self, &st, 48);
	ASSERT_NE(NULL, s2_page(self, FAR_IPA, 1, MAP_RW));
	EXPECT_PAGES(self, &st, "oooooooo");
	a = vinfo(self);
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas, FAR_IPA, MOCK_PAGE,
				NULL));
	b = vinfo(self);
	EXPECT_EQ(NPG, b.out_tlb_invalidated - a.out_tlb_invalidated);
	EXPECT_PAGES(self, &st, "nnnnnnnn");

	/* Unmapping the page a cached entry points at: a stage-2 fault */
	ASSERT_NE(NULL, s2_page(self, FAR_IPA + 0x1000, 2, MAP_RW));
	gram_w64(&self->g, st.pte[0], pte_leaf(3, FAR_IPA + 0x1000,
					       GPTE_RW_NG));
	ASSERT_EQ(0, send1(self, cmd_tlbi_nh_all()));
	EXPECT_EQ(0, rd(self, 0, STALE_VA, buf, 8));
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas, FAR_IPA + 0x1000,
				MOCK_PAGE, NULL));
	rc = sdma(self, 0, 0, STALE_VA, buf, 8, &d);
	EXPECT_FAULT(rc, d, ENOENT, GEVT_F_TRANSLATION, F_S2, STALE_VA);
	EXPECT_NO_EVT(self);
}

/* A cached block is one entry: a TLBI anywhere inside it removes it. */
TEST_F(smmu, iotlb_block)
{
	uint64_t bva = 0x40000000ULL, pte;
	uint8_t *p0, *p1, buf[32];
	struct s1_pt pt;

	p0 = s2_page(self, FAR_IPA + 0x7000, 70, MAP_RW);
	p1 = s2_page(self, FAR_IPA + 0x200000 + 0x7000, 71, MAP_RW);
	ASSERT_NE(NULL, p0);
	ASSERT_NE(NULL, p1);
	simple_s1(_metadata, self, &pt, 49, true);
	pte = s1_map(&pt, bva, FAR_IPA, 2, GPTE_RW_NG);
	ASSERT_NE(0, pte);
	ASSERT_EQ(0, rd(self, 0, bva + 0x7000, buf, 32));
	EXPECT_EQ(0, memcmp(buf, p0, 32));
	gram_w64(&self->g, pte, pte_leaf(2, FAR_IPA + 0x200000, GPTE_RW_NG));
	ASSERT_EQ(0, rd(self, 0, bva + 0x7000, buf, 32));
	EXPECT_EQ(0, memcmp(buf, p0, 32));
	ASSERT_EQ(0, send1(self, cmd_tlbi_nh_va(49, bva + 0x1ff000, true, 0,
						 0, 0)));
	ASSERT_EQ(0, rd(self, 0, bva + 0x7000, buf, 32));
	EXPECT_EQ(0, memcmp(buf, p1, 32));
}

/*
 * nG: a global entry serves every ASID and survives TLBI_NH_ASID; a
 * non-global one is per ASID. Two CDs (ASID 50, 51) share one table.
 */
TEST_F(smmu, iotlb_global)
{
	uint64_t table = gram_alloc(&self->g, 2 * GCD_BYTES, 2 * GCD_BYTES);
	uint64_t ga = gpage(self, 12, 1), gb = gpage(self, 12, 2);
	uint64_t na = gpage(self, 12, 3), nb = gpage(self, 12, 4);
	uint64_t ste[2], pg, pn;
	struct s1_pt pt;
	unsigned int i;

	ASSERT_NE(0, s1_pt_init(&pt, &self->g, 12, 16));
	pg = s1_map(&pt, 0x1000, ga, 3, GPTE_RW_NG & ~GPTE_NG);
	pn = s1_map(&pt, 0x2000, na, 3, GPTE_RW_NG);
	for (i = 0; i < 2; i++) {
		struct gcd c = { .asid = 50 + i, .ips = GCD_IPS_48,
				 .record = true, .t0sz = 16, .g0shift = 12,
				 .epd1 = true, .ttb0 = pt.root };

		cd_build(gram_ptr(&self->g, table + i * GCD_BYTES), &c);
	}
	ste_s1(ste, table, GSTE0_S1FMT_LINEAR, 1, GSTE1_S1DSS_SSID0);
	ASSERT_EQ(0, install(self, ste));

	EXPECT_READS(self, 0, 0x1000, ga, 32);
	EXPECT_READS(self, 0, 0x2000, na, 32);
	gram_w64(&self->g, pg, pte_leaf(3, gb, GPTE_RW_NG & ~GPTE_NG));
	gram_w64(&self->g, pn, pte_leaf(3, nb, GPTE_RW_NG));
	/* ASID 51 hits the global entry of ASID 50, walks for the other */
	EXPECT_READS(self, 1, 0x1000, ga, 32);
	EXPECT_READS(self, 1, 0x2000, nb, 32);
	/* TLBI by ASID leaves global entries */
	ASSERT_EQ(0, send1(self, cmd_tlbi_nh_asid(50)));
	EXPECT_READS(self, 0, 0x1000, ga, 32);
	EXPECT_READS(self, 0, 0x2000, nb, 32);
	/* TLBI by VA of any ASID removes them */
	ASSERT_EQ(0, send1(self, cmd_tlbi_nh_va(51, 0x1000, true, 0, 0, 0)));
	EXPECT_READS(self, 0, 0x1000, gb, 32);
}

/* ---- the CD cache ------------------------------------------------------------ */

/*
 * CD 0 (ASID 60, table A) is cached by a DMA at 0x1000; then the guest
 * rewrites it for ASID 61 and table B. Table A maps 0x2000 to a2, table B
 * maps 0x2000 to b2: which one a DMA at 0x2000 reads tells the CD in use.
 */
struct stale_cd {
	uint64_t cd_ipa, a2, b2;
};

static void stale_cd_setup(struct __test_metadata *_metadata,
			   FIXTURE_DATA(smmu) *self, struct stale_cd *s)
{
	struct gcd c = { .asid = 60, .ips = GCD_IPS_48, .record = true,
			 .t0sz = 16, .g0shift = 12, .epd1 = true };
	uint64_t a1 = gpage(self, 12, 1);
	struct s1_pt pa, pb;

	s->a2 = gpage(self, 12, 2);
	s->b2 = gpage(self, 12, 3);
	ASSERT_NE(0, s1_pt_init(&pa, &self->g, 12, 16));
	ASSERT_NE(0, s1_pt_init(&pb, &self->g, 12, 16));
	ASSERT_NE(0, s1_map(&pa, 0x1000, a1, 3, GPTE_RW_NG));
	ASSERT_NE(0, s1_map(&pa, 0x2000, s->a2, 3, GPTE_RW_NG));
	ASSERT_NE(0, s1_map(&pb, 0x2000, s->b2, 3, GPTE_RW_NG));
	c.ttb0 = pa.root;
	s->cd_ipa = one_cd(_metadata, self, &c);
	EXPECT_READS(self, 0, 0x1000, a1, 32);
	c.asid = 61;
	c.ttb0 = pb.root;
	cd_build(gram_ptr(&self->g, s->cd_ipa), &c);
}

TEST_F(smmu, cd_stale_cfgi_cd)
{
	struct iommu_mock_object_info a, b;
	struct stale_cd s;

	stale_cd_setup(_metadata, self, &s);
	EXPECT_READS(self, 0, 0x2000, s.a2, 32);
	/* Another substream: nothing */
	ASSERT_EQ(0, send1(self, cmd_cfgi_cd(VSID, 1, true)));
	EXPECT_READS(self, 0, 0x2000, s.a2, 32);
	a = vinfo(self);
	ASSERT_EQ(0, send1(self, cmd_cfgi_cd(VSID, 0, true)));
	b = vinfo(self);
	EXPECT_EQ(1, b.out_cd_invalidated - a.out_cd_invalidated);
	EXPECT_READS(self, 0, 0x2000, s.b2, 32);
}

TEST_F(smmu, cd_stale_cfgi_cd_all)
{
	struct stale_cd s;

	stale_cd_setup(_metadata, self, &s);
	EXPECT_READS(self, 0, 0x2000, s.a2, 32);
	ASSERT_EQ(0, send1(self, cmd_cfgi_cd_all(VSID)));
	EXPECT_READS(self, 0, 0x2000, s.b2, 32);
}

/* A new STE (nested HWPT replaced) drops the stream's cached CDs. */
TEST_F(smmu, cd_stale_ste_replace)
{
	struct stale_cd s;
	uint64_t ste[2];

	stale_cd_setup(_metadata, self, &s);
	EXPECT_READS(self, 0, 0x2000, s.a2, 32);
	ste_s1(ste, s.cd_ipa, GSTE0_S1FMT_LINEAR, 0, GSTE1_S1DSS_SSID0);
	ASSERT_EQ(0, install(self, ste));
	EXPECT_READS(self, 0, 0x2000, s.b2, 32);
}

/* ---- command forwarding --------------------------------------------------------- */

TEST_F(smmu, commands)
{
	const unsigned int bad_ops[] = {
		GCMD_PREFETCH_CFG, GCMD_CFGI_STE, GCMD_CFGI_ALL,
		GCMD_TLBI_S12_VMALL, GCMD_CMD_SYNC, 0x20, 0x2a, 0xff,
	};
	struct iommu_mock_invalidate mi = { .op = IOMMU_MOCK_INV_IOTLB_ALL };
	struct gcmd c[4];
	uint32_t done, num;
	unsigned int i;

	/* Every supported command */
	c[0] = cmd_atc_inv_all(VSID);
	c[1] = cmd_cfgi_cd(VSID, 7, false);
	c[2] = cmd_cfgi_cd_all(VSID);
	c[3] = cmd_tlbi_nsnh_all();
	EXPECT_EQ(0, send_cmds(self, c, 4, &done));
	EXPECT_EQ(4, done);

	/* Upstream's EIO, entry_num at the failing entry */
	for (i = 0; i < sizeof(bad_ops) / sizeof(bad_ops[0]); i++) {
		c[0] = cmd_tlbi_nh_all();
		c[1] = cmd_cfgi_cd_all(VSID);
		c[2] = cmd_op(bad_ops[i]);
		c[2].w[0] |= g_field(GCMD_SID, VSID);
		c[3] = cmd_tlbi_nh_all();
		EXPECT_EQ(-EIO, send_cmds(self, c, 4, &done))
			TH_LOG("opcode 0x%x", bad_ops[i]);
		EXPECT_EQ(2, done);
	}
	/* An unknown vSID */
	c[0] = cmd_cfgi_cd(VSID + 1, 0, true);
	EXPECT_EQ(-EIO, send_cmds(self, c, 1, &done));
	EXPECT_EQ(0, done);
	c[0] = cmd_tlbi_nh_all();
	c[1] = cmd_atc_inv_all(VSID + 1);
	EXPECT_EQ(-EIO, send_cmds(self, c, 2, &done));
	EXPECT_EQ(1, done);
	c[1] = cmd_cfgi_cd_all(0x999);
	EXPECT_EQ(-EIO, send_cmds(self, c, 2, &done));
	EXPECT_EQ(1, done);

	/* Not the mock's own entries */
	num = 1;
	EXPECT_EQ(-EINVAL, mock_invalidate(self->fd, self->viommu, &mi, &num));
}

/* ---- vEVENTQ -------------------------------------------------------------------- */

TEST_F(smmu, veventq_overflow)
{
	struct pollfd pfd = { .events = POLLIN };
	struct smmu_rec rec[4];
	struct iommu_mock_dma d;
	struct s1_pt pt;
	uint8_t buf[8];
	uint32_t id;
	unsigned int i;
	ssize_t n;

	close(self->qfd);
	self->qfd = -1;
	ASSERT_EQ(0, mock_destroy(self->fd, self->evq));
	ASSERT_EQ(0, veventq_new(self->fd, self->viommu,
				 IOMMU_VEVENTQ_TYPE_ARM_SMMUV3, 2, &id,
				 &self->qfd));
	pfd.fd = self->qfd;
	simple_s1(_metadata, self, &pt, 70, true);
	EXPECT_EQ(0, poll(&pfd, 1, 0));

	for (i = 0; i < 3; i++) {
		EXPECT_EQ(-ENOENT, sdma(self, 0, 0, 0x1000 * (i + 1), buf, 8,
					&d));
		if (i < 2)
			EXPECT_EQ(F_REP, d.out_fault_flags);
	}
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	memset(rec, 0, sizeof(rec));
	n = veventq_read_now(self->qfd, rec, sizeof(rec));
	ASSERT_EQ((ssize_t)(2 * sizeof(rec[0]) + sizeof(rec[0].hdr)), n);
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(0, rec[i].hdr.flags);
		EXPECT_EQ(i, rec[i].hdr.sequence);
		EXPECT_EQ(evt0(GEVT_F_TRANSLATION, false, 0), rec[i].evt[0]);
		EXPECT_EQ(0x1000 * (i + 1), rec[i].evt[2]);
	}
	EXPECT_EQ(IOMMU_VEVENTQ_FLAG_LOST_EVENTS, rec[2].hdr.flags);
	EXPECT_EQ(2, rec[2].hdr.sequence);
	EXPECT_EQ(0, poll(&pfd, 1, 0));

	/* Numbering goes on after the loss */
	EXPECT_EQ(-ENOENT, sdma(self, 0, 0, 0x9000, buf, 8, &d));
	memset(rec, 0, sizeof(rec));
	ASSERT_EQ((ssize_t)sizeof(rec[0]),
		  veventq_read_now(self->qfd, rec, sizeof(rec)));
	EXPECT_EQ(3, rec[0].hdr.sequence);
	EXPECT_EQ(0x9000, rec[0].evt[2]);
}

/* Without a queue the DMA faults the same, unreported. */
TEST_F(smmu, no_veventq)
{
	struct iommu_mock_dma d;
	struct s1_pt pt;
	uint8_t buf[8];
	int rc;

	close(self->qfd);
	self->qfd = -1;
	ASSERT_EQ(0, mock_destroy(self->fd, self->evq));
	simple_s1(_metadata, self, &pt, 71, true);
	rc = sdma(self, 0, 0, 0x1000, buf, 8, &d);
	EXPECT_FAULT(rc, d, ENOENT, GEVT_F_TRANSLATION, IOMMU_MOCK_DMA_FAULT,
		     0x1000);
}

/*
 * ---- two vIOMMUs over two nest parents: their entries never mix (two
 * VMIDs); vIOMMUs over one nest parent share its VMID, as upstream's ------
 */

TEST_F(smmu, viommu_isolation)
{
	struct gcd c = { .asid = 80, .ips = GCD_IPS_48, .record = true,
			 .t0sz = 16, .g0shift = 12, .epd1 = true };
	uint64_t a_old = gpage(self, 12, 1), a_new = gpage(self, 12, 2);
	uint64_t b_old = gpage(self, 12, 3), b_new = gpage(self, 12, 4);
	uint64_t cd_b = gram_alloc(&self->g, GCD_BYTES, GCD_BYTES), ste[2];
	uint64_t pte_a, pte_b;
	uint32_t dev2, s2b, viommu2, viommu3, vdev2, nested2, num = 1;
	struct iommu_mock_object_info ia, ib, ic;
	struct gcmd all = cmd_tlbi_nh_all();
	struct iommu_hwpt_arm_smmuv3 data;
	struct s1_pt pa, pb;
	uint8_t buf[32];

	/*
	 * vIOMMU A: the fixture's; vIOMMU B: a second device over a second
	 * nest parent of the same guest RAM
	 */
	ASSERT_NE(0, s1_pt_init(&pa, &self->g, 12, 16));
	ASSERT_NE(0, s1_pt_init(&pb, &self->g, 12, 16));
	pte_a = s1_map(&pa, 0x1000, a_old, 3, GPTE_RW_NG);
	pte_b = s1_map(&pb, 0x1000, b_old, 3, GPTE_RW_NG);
	ASSERT_NE(0, pte_a);
	ASSERT_NE(0, pte_b);
	c.ttb0 = pa.root;
	one_cd(_metadata, self, &c);
	c.ttb0 = pb.root;	/* same ASID */
	cd_build(gram_ptr(&self->g, cd_b), &c);

	ASSERT_EQ(0, dev_alloc(self->fd, self->inst, PSID + 1, &dev2));
	ASSERT_EQ(0, hwpt_alloc(self->fd, dev2, self->ioas,
				IOMMU_HWPT_ALLOC_NEST_PARENT, &s2b));
	ASSERT_EQ(0, viommu_alloc(self->fd, dev2, s2b,
				  IOMMU_VIOMMU_TYPE_ARM_SMMUV3, &viommu2));
	/* A third vIOMMU over A's nest parent takes A's VMID */
	ASSERT_EQ(0, viommu_alloc(self->fd, dev2, self->s2,
				  IOMMU_VIOMMU_TYPE_ARM_SMMUV3, &viommu3));
	ASSERT_EQ(0, mock_obj_info(self->fd, self->viommu, &ia));
	ASSERT_EQ(0, mock_obj_info(self->fd, viommu2, &ib));
	ASSERT_EQ(0, mock_obj_info(self->fd, viommu3, &ic));
	EXPECT_NE(0, ia.out_asid);
	EXPECT_NE(ia.out_asid, ib.out_asid);
	EXPECT_EQ(ia.out_asid, ic.out_asid);
	ASSERT_EQ(0, mock_destroy(self->fd, viommu3));
	ASSERT_EQ(0, vdev_alloc(self->fd, viommu2, dev2, VSID, &vdev2));
	ste_s1(ste, cd_b, GSTE0_S1FMT_LINEAR, 0, GSTE1_S1DSS_SSID0);
	data.ste[0] = ste[0];
	data.ste[1] = ste[1];
	ASSERT_EQ(0, hwpt_alloc_data(self->fd, dev2, viommu2, 0,
				     IOMMU_HWPT_DATA_ARM_SMMUV3, &data,
				     sizeof(data), &nested2));
	ASSERT_EQ(0, dev_attach(self->fd, dev2, nested2, NULL));

	EXPECT_READS(self, 0, 0x1000, a_old, 32);
	ASSERT_EQ(0, dma_read(self->fd, dev2, 0x1000, buf, 32));
	EXPECT_EQ(0, memcmp(buf, gram_ptr(&self->g, b_old), 32));
	gram_w64(&self->g, pte_a, pte_leaf(3, a_new, GPTE_RW_NG));
	gram_w64(&self->g, pte_b, pte_leaf(3, b_new, GPTE_RW_NG));

	/* TLBI_NH_ALL on A: B keeps its stale entry */
	ASSERT_EQ(0, send1(self, cmd_tlbi_nh_all()));
	EXPECT_READS(self, 0, 0x1000, a_new, 32);
	ASSERT_EQ(0, dma_read(self->fd, dev2, 0x1000, buf, 32));
	EXPECT_EQ(0, memcmp(buf, gram_ptr(&self->g, b_old), 32));
	ASSERT_EQ(0, hwpt_invalidate(self->fd, viommu2,
				     IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3,
				     &all, sizeof(all), &num));
	ASSERT_EQ(0, dma_read(self->fd, dev2, 0x1000, buf, 32));
	EXPECT_EQ(0, memcmp(buf, gram_ptr(&self->g, b_new), 32));
}

/* ---- capacity: smmuv3_iotlb_entries bounds the IOTLB -------------------------- */

TEST_F(smmu, iotlb_eviction)
{
	struct iommu_mock_object_info a, b;
	char four[] = "4";
	struct stale st;
	uint8_t buf[32];

	ASSERT_EQ(0, param_rw(IOTLB_PARAM, self->saved_iotlb,
			      sizeof(self->saved_iotlb), false));
	ASSERT_EQ(0, param_rw(IOTLB_PARAM, four, 0, true));
	a = vinfo(self);
	stale_setup(_metadata, self, &st, 81);
	b = vinfo(self);
	/* 8 pages into 4 entries: the first 4 went */
	EXPECT_EQ(NPG - 4, b.out_evictions - a.out_evictions);
	/* The newest is still stale, the oldest was evicted and re-walks */
	EXPECT_EQ('o', which(self, &st, NPG - 1));
	EXPECT_EQ('n', which(self, &st, 0));
	EXPECT_EQ(0, rd(self, 0, STALE_VA, buf, 8));
}

/* ---- counters ------------------------------------------------------------------ */

TEST_F(smmu, counters)
{
	struct iommu_mock_object_info i0, i1, i2, i3, i4;
	uint64_t p0 = gpage(self, 12, 1), p1 = gpage(self, 12, 2);
	struct s1_pt pt;
	uint8_t buf[8192];

	simple_s1(_metadata, self, &pt, 72, true);
	ASSERT_NE(0, s1_map(&pt, 0x1000, p0, 3, GPTE_RW_NG));
	ASSERT_NE(0, s1_map(&pt, 0x2000, p1, 3, GPTE_RW_NG));
	i0 = vinfo(self);
	EXPECT_EQ(IOMMU_MOCK_OBJ_VIOMMU, i0.out_type);
	EXPECT_EQ(0, i0.out_tlb_hits);
	EXPECT_EQ(0, i0.out_tlb_misses);
	EXPECT_EQ(0, i0.out_cd_hits);
	EXPECT_EQ(0, i0.out_cd_misses);
	EXPECT_EQ(0, i0.out_evictions);

	ASSERT_EQ(0, rd(self, 0, 0x1000, buf, 64));
	i1 = vinfo(self);
	EXPECT_EQ(0, i1.out_tlb_hits);
	EXPECT_EQ(1, i1.out_tlb_misses);
	EXPECT_EQ(0, i1.out_cd_hits);
	EXPECT_EQ(1, i1.out_cd_misses);

	ASSERT_EQ(0, rd(self, 0, 0x1000, buf, 64));
	i2 = vinfo(self);
	EXPECT_EQ(1, i2.out_tlb_hits);
	EXPECT_EQ(1, i2.out_tlb_misses);
	EXPECT_EQ(1, i2.out_cd_hits);
	EXPECT_EQ(1, i2.out_cd_misses);

	/* Two pages: one hit, one miss */
	ASSERT_EQ(0, rd(self, 0, 0x1000, buf, 8192));
	i3 = vinfo(self);
	EXPECT_EQ(2, i3.out_tlb_hits);
	EXPECT_EQ(2, i3.out_tlb_misses);

	ASSERT_EQ(0, send1(self, cmd_tlbi_nh_all()));
	ASSERT_EQ(0, send1(self, cmd_cfgi_cd_all(VSID)));
	i4 = vinfo(self);
	EXPECT_EQ(2, i4.out_tlb_invalidated - i3.out_tlb_invalidated);
	EXPECT_EQ(1, i4.out_cd_invalidated - i3.out_cd_invalidated);
	EXPECT_EQ(0, i4.out_evictions);
}

/* ---- tracepoints: what the vSMMU did, as ftrace shows it ------------------ */

#define TRACEFS "/sys/kernel/tracing"

static int trace_write(const char *file, const char *val)
{
	char path[128];
	int fd, rc = 0;

	snprintf(path, sizeof(path), TRACEFS "/%s", file);
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

TEST_F(smmu, tracepoints)
{
	uint64_t page = gpage(self, 12, 1);
	static char text[65536];
	struct iommu_mock_dma d;
	struct s1_pt pt;
	uint8_t buf[8];
	ssize_t n = 0, got;
	int fd;

	if (access(TRACEFS "/events", F_OK))
		mount("nodev", TRACEFS, "tracefs", 0, NULL);
	if (access(TRACEFS "/events/iommufd_mock_smmuv3/enable", F_OK))
		SKIP(return, "no tracefs in this kernel");
	ASSERT_EQ(0, trace_write("trace", ""));
	ASSERT_EQ(0, trace_write("events/iommufd_mock_smmuv3/enable", "1"));

	simple_s1(_metadata, self, &pt, 93, true);
	ASSERT_NE(0, s1_map(&pt, 0x1000, page, 3, GPTE_RW_NG));
	EXPECT_EQ(0, rd(self, 0, 0x1000, buf, 8));	/* walk: 4 levels */
	EXPECT_EQ(0, rd(self, 0, 0x1000, buf, 8));	/* IOTLB hit */
	EXPECT_EQ(0, send1(self, cmd_tlbi_nh_va(93, 0x1000, true, 0, 0, 0)));
	EXPECT_EQ(-ENOENT, sdma(self, 0, 0, 0x5000, buf, 8, &d));

	ASSERT_EQ(0, trace_write("events/iommufd_mock_smmuv3/enable", "0"));
	fd = open(TRACEFS "/trace", O_RDONLY);
	ASSERT_LE(0, fd);
	while ((got = read(fd, text + n, sizeof(text) - 1 - n)) > 0)
		n += got;
	close(fd);
	text[n] = 0;
	EXPECT_NE(NULL, strstr(text, "smmuv3_hwpt_alloc:")) TH_LOG("%s", text);
	EXPECT_NE(NULL, strstr(text, "asid=93 va=0x1000 miss levels=4"))
		TH_LOG("%s", text);
	EXPECT_NE(NULL, strstr(text, "asid=93 va=0x1000 hit levels=0"))
		TH_LOG("%s", text);
	EXPECT_NE(NULL, strstr(text, "smmuv3_cmd:")) TH_LOG("%s", text);
	EXPECT_NE(NULL, strstr(text, "op=0x12")) TH_LOG("%s", text);
	EXPECT_NE(NULL, strstr(text, "event=0x10 addr=0x5000")) TH_LOG("%s", text);
	trace_write("trace", "");
}

TEST_HARNESS_MAIN
