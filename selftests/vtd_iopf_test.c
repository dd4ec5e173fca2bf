// SPDX-License-Identifier: GPL-2.0
/*
 * I/O page faults on the VT-d instance, as PRI does them: a DMA that meets
 * a not-present first-stage entry on a nested HWPT with a fault queue
 * sends a page request to the queue and waits; the answer written to the
 * queue's fd retries the access (Success) or fails it (Invalid).
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <stdint.h>

#include "mock_helpers.h"

#define GPA_BASE	0x40000000ULL
#define GRAM_PAGES	32
#define SID		0x320
#define VA		0x2000ULL
#define FS_P		(1ULL << 0)
#define FS_RW		(1ULL << 1)
#define FS_US		(1ULL << 2)
#define FS_TABLE	(FS_P | FS_RW | FS_US)

FIXTURE(iopf) {
	int fd, qfd;
	uint32_t dev, ioas, s2, queue, nested;
	uint8_t *ram;
	uint64_t leaf;		/* IPA of VA's level-1 entry */
	uint64_t page;		/* the data page the responder maps */
	uint32_t answer;	/* what the responder answers */
	struct iommu_hwpt_pgfault seen;
	int responder_rc;
};

static uint64_t *gptr(FIXTURE_DATA(iopf) *self, uint64_t ipa)
{
	return (uint64_t *)(self->ram + (ipa - GPA_BASE));
}

FIXTURE_SETUP(iopf)
{
	struct iommu_fault_alloc fq = { .size = sizeof(fq) };
	struct iommu_hwpt_vtd_s1 s1 = { .addr_width = 48 };
	struct iommu_hwpt_alloc alloc = {
		.size = sizeof(alloc), .flags = IOMMU_HWPT_FAULT_ID_VALID,
		.data_type = IOMMU_HWPT_DATA_VTD_S1, .data_len = sizeof(s1),
	};
	int level;

	self->fd = mock_open();
	ASSERT_LE(0, self->fd);
	self->ram = mock_pages(GRAM_PAGES, 0);
	ASSERT_NE(MAP_FAILED, self->ram);
	ASSERT_EQ(0, dev_alloc(self->fd, MOCK_VTD_INST, SID, &self->dev));
	ASSERT_EQ(0, ioas_alloc(self->fd, &self->ioas));
	ASSERT_EQ(0, ioas_map_fixed(self->fd, self->ioas, self->ram,
				    GRAM_PAGES * MOCK_PAGE, GPA_BASE));
	ASSERT_EQ(0, hwpt_alloc(self->fd, self->dev, self->ioas,
				IOMMU_HWPT_ALLOC_NEST_PARENT, &self->s2));
	/* Tables at pages 0-3 (PML4 .. PT), VA's PT entry left empty */
	for (level = 0; level < 3; level++)
		*gptr(self, GPA_BASE + level * MOCK_PAGE) =
			(GPA_BASE + (level + 1) * MOCK_PAGE) | FS_TABLE;
	self->leaf = GPA_BASE + 3 * MOCK_PAGE + ((VA >> 12) & 511) * 8;
	self->page = GPA_BASE + 8 * MOCK_PAGE;
	s1.pgtbl_addr = GPA_BASE;
	ASSERT_EQ(0, mock_ioctl(self->fd, IOMMU_FAULT_QUEUE_ALLOC, &fq));
	self->queue = fq.out_fault_id;
	self->qfd = fq.out_fault_fd;
	alloc.dev_id = self->dev;
	alloc.pt_id = self->s2;
	alloc.fault_id = self->queue;
	alloc.data_uptr = U64_PTR(&s1);
	ASSERT_EQ(0, mock_ioctl(self->fd, IOMMU_HWPT_ALLOC, &alloc));
	self->nested = alloc.out_hwpt_id;
}

FIXTURE_TEARDOWN(iopf)
{
	close(self->qfd);
	close(self->fd);
	munmap(self->ram, GRAM_PAGES * MOCK_PAGE);
}

/* The host side: read one page request, map the page, answer. */
static void *responder(void *arg)
{
	FIXTURE_DATA(iopf) *self = arg;
	struct iommu_hwpt_page_response resp = { 0 };
	struct pollfd p = { .fd = self->qfd, .events = POLLIN };

	self->responder_rc = -1;
	if (poll(&p, 1, 5000) != 1)
		return NULL;
	if (read(self->qfd, &self->seen, sizeof(self->seen)) !=
	    sizeof(self->seen))
		return NULL;
	if (self->answer == IOMMUFD_PAGE_RESP_SUCCESS)
		*gptr(self, self->leaf) = self->page | FS_P | FS_RW | FS_US;
	resp.cookie = self->seen.cookie;
	resp.code = self->answer;
	if (write(self->qfd, &resp, sizeof(resp)) != sizeof(resp))
		return NULL;
	self->responder_rc = 0;
	return NULL;
}

static int dma_with_responder(FIXTURE_DATA(iopf) *self, uint32_t answer,
			      struct iommu_mock_dma *d)
{
	pthread_t t;
	int rc;

	self->answer = answer;
	if (pthread_create(&t, NULL, responder, self))
		return -1000;
	rc = mock_ioctl(self->fd, IOMMU_MOCK_DMA, d);
	pthread_join(t, NULL);
	return rc;
}

TEST_F(iopf, success_retries)
{
	const char data[] = "after the page request";
	struct iommu_mock_dma d = {
		.size = sizeof(d), .flags = IOMMU_MOCK_DMA_WRITE,
		.iova = VA + 16, .length = sizeof(data),
	};

	ASSERT_EQ(0, dev_attach(self->fd, self->dev, self->nested, NULL));
	d.dev_id = self->dev;
	d.uptr = U64_PTR(data);
	ASSERT_EQ(0, dma_with_responder(self, IOMMUFD_PAGE_RESP_SUCCESS, &d));
	EXPECT_EQ(0, self->responder_rc);
	EXPECT_EQ(0, d.out_fault_flags);
	EXPECT_EQ(0, memcmp(gptr(self, self->page + 16), data, sizeof(data)));
	/* The request: the device, the page, a write, a whole group */
	EXPECT_EQ(self->dev, self->seen.dev_id);
	EXPECT_EQ(VA, self->seen.addr);
	EXPECT_EQ(IOMMU_PGFAULT_PERM_WRITE, self->seen.perm);
	EXPECT_EQ(IOMMU_PGFAULT_FLAGS_LAST_PAGE, self->seen.flags);
}

TEST_F(iopf, invalid_fails)
{
	uint8_t buf[8];
	struct iommu_mock_dma d = {
		.size = sizeof(d), .iova = VA, .length = sizeof(buf),
	};

	ASSERT_EQ(0, dev_attach(self->fd, self->dev, self->nested, NULL));
	d.dev_id = self->dev;
	d.uptr = U64_PTR(buf);
	EXPECT_EQ(-ENOENT, dma_with_responder(self, IOMMUFD_PAGE_RESP_INVALID,
					      &d));
	EXPECT_EQ(0, self->responder_rc);
	EXPECT_EQ(0x71, d.out_fault_code);
	EXPECT_EQ(IOMMU_MOCK_DMA_FAULT | IOMMU_MOCK_DMA_FAULT_PAGE_REQUEST,
		  d.out_fault_flags);
	EXPECT_EQ(IOMMU_PGFAULT_PERM_READ, self->seen.perm);
}

/* Without a fault queue the same fault is not a page request */
TEST_F(iopf, no_queue_no_request)
{
	struct iommu_hwpt_vtd_s1 s1 = { .addr_width = 48,
					.pgtbl_addr = GPA_BASE };
	struct pollfd p = { .fd = self->qfd, .events = POLLIN };
	uint32_t plain;
	uint8_t buf[8];
	struct iommu_mock_dma d = {
		.size = sizeof(d), .iova = VA, .length = sizeof(buf),
	};

	ASSERT_EQ(0, hwpt_alloc_data(self->fd, self->dev, self->s2, 0,
				     IOMMU_HWPT_DATA_VTD_S1, &s1, sizeof(s1),
				     &plain));
	ASSERT_EQ(0, dev_attach(self->fd, self->dev, plain, NULL));
	d.dev_id = self->dev;
	d.uptr = U64_PTR(buf);
	EXPECT_EQ(-ENOENT, mock_ioctl(self->fd, IOMMU_MOCK_DMA, &d));
	EXPECT_EQ(IOMMU_MOCK_DMA_FAULT, d.out_fault_flags);
	EXPECT_EQ(0, poll(&p, 1, 0));
}

TEST_HARNESS_MAIN
