// SPDX-License-Identifier: GPL-2.0
/*
 * IOMMU_IOAS_MAP_FILE and IOMMU_IOAS_CHANGE_PROCESS with upstream iommufd's
 * rules (drivers/iommu/iommufd/ioas.c, io_pagetable.c, pages.c): memfd
 * mappings pinned lazily from the file, their data seen by mock DMA, their
 * pins counted in VmPin and by upstream's MD_CHECK_REFS test op, every errno
 * of both commands, and the move of the pin accounting to another process.
 *
 * Kernels without memfd_pin_folios() (before 6.11) answer EOPNOTSUPP to
 * every map that passes the argument checks: the tests check that instead.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include <linux/memfd.h>

#include "mock_helpers.h"
#include "iommufd_test.h"

/* stream IDs of this file: 0x70-0x7f on each instance */
#define SID_BASE 0x70

#define FILE_PAGES 16
#define FILE_IOVA 0x200000ULL
#define HUGE_2M (2ULL << 20)

/* memfd_pin_folios() exists: 6.11 and later. */
static bool have_map_file(void)
{
	struct utsname u;
	unsigned int major = 0, minor = 0;

	if (uname(&u) || sscanf(u.release, "%u.%u", &major, &minor) != 2)
		return false;
	return major > 6 || (major == 6 && minor >= 11);
}

static int map_file_cmd(int fd, uint32_t ioas_id, int mfd, uint32_t flags,
			uint64_t start, uint64_t length, uint64_t *iova)
{
	struct iommu_ioas_map_file cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.ioas_id = ioas_id,
		.fd = mfd,
		.start = start,
		.length = length,
		.iova = iova ? *iova : 0,
	};
	int rc = mock_ioctl(fd, IOMMU_IOAS_MAP_FILE, &cmd);

	if (!rc && iova)
		*iova = cmd.iova;
	return rc;
}

/*
 * What a test checks instead on a kernel without memfd_pin_folios(): the
 * map it would make answers EOPNOTSUPP and leaves nothing mapped.
 */
static void expect_unsupported(struct __test_metadata *_metadata, int fd,
			       uint32_t ioas_id, int mfd)
{
	struct iommu_ioas_map_file cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE |
			 IOMMU_IOAS_MAP_FIXED_IOVA,
		.ioas_id = ioas_id,
		.fd = mfd,
		.length = MOCK_PAGE,
		.iova = FILE_IOVA,
	};
	uint64_t unmapped = 1;

	EXPECT_EQ(-EOPNOTSUPP, mock_ioctl(fd, IOMMU_IOAS_MAP_FILE, &cmd));
	EXPECT_EQ(0, ioas_unmap(fd, ioas_id, 0, UINT64_MAX, &unmapped));
	EXPECT_EQ(0, unmapped);
}

static int map_file_fixed(int fd, uint32_t ioas_id, int mfd, uint64_t start,
			  uint64_t length, uint64_t iova)
{
	return map_file_cmd(fd, ioas_id, mfd,
			    MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA, start, length,
			    &iova);
}

static int change_process(int fd)
{
	struct iommu_ioas_change_process cmd = { .size = sizeof(cmd) };

	return mock_ioctl(fd, IOMMU_IOAS_CHANGE_PROCESS, &cmd);
}

/* Upstream's MD_CHECK_REFS: every page of [@va, +@len) pinned @refs times. */
static int check_refs(int fd, void *va, uint64_t len, unsigned int refs)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_MD_CHECK_REFS,
		.check_refs = { .uptr = U64_PTR(va), .length = len,
				.refs = refs },
	};

	return mock_ioctl(fd, IOMMU_TEST_CMD, &cmd);
}

/* A memfd of @pages pages filled with a pattern, and its shared mapping. */
static int memfd_pages(uint64_t pages, uint32_t seed, uint8_t **va)
{
	int mfd = memfd_create("map_file_test", 0);

	if (mfd < 0)
		return -1;
	if (ftruncate(mfd, pages * MOCK_PAGE))
		goto out_close;
	*va = mmap(NULL, pages * MOCK_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
		   mfd, 0);
	if (*va == MAP_FAILED)
		goto out_close;
	fill_pattern(*va, pages * MOCK_PAGE, seed);
	return mfd;
out_close:
	close(mfd);
	return -1;
}

FIXTURE(map_file) {
	int fd;
	int mfd;
	uint32_t ioas_id;
	uint32_t dev_id;
	uint8_t *va;
	bool supported;
};

FIXTURE_SETUP(map_file)
{
	self->supported = have_map_file();
	self->fd = mock_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, ioas_alloc(self->fd, &self->ioas_id));
	ASSERT_EQ(0, dev_alloc(self->fd, 0, SID_BASE, &self->dev_id));
	self->mfd = memfd_pages(FILE_PAGES, 1, &self->va);
	ASSERT_LE(0, self->mfd);
}

FIXTURE_TEARDOWN(map_file)
{
	if (self->va && self->va != MAP_FAILED)
		munmap(self->va, FILE_PAGES * MOCK_PAGE);
	if (self->mfd >= 0)
		close(self->mfd);
	if (self->fd >= 0)
		close(self->fd);
}

/* Struct sizes: upstream's min sizes, E2BIG for non-zero unknown bytes. */
TEST_F(map_file, struct_sizes)
{
	struct {
		struct iommu_ioas_map_file cmd;
		uint64_t extra;
	} big = {};
	struct iommu_ioas_change_process cp = { .size = 4 };

	big.cmd.size = offsetof(struct iommu_ioas_map_file, iova) + 7;
	EXPECT_EQ(-EINVAL, mock_ioctl(self->fd, IOMMU_IOAS_MAP_FILE, &big));
	EXPECT_EQ(-EINVAL, mock_ioctl(self->fd, IOMMU_IOAS_CHANGE_PROCESS, &cp));
	big.cmd.size = sizeof(big);
	big.extra = 1;
	EXPECT_EQ(-E2BIG, mock_ioctl(self->fd, IOMMU_IOAS_MAP_FILE, &big));
	cp.size = sizeof(cp);
	EXPECT_EQ(0, mock_ioctl(self->fd, IOMMU_IOAS_CHANGE_PROCESS, &cp));
}

/* Argument errnos in upstream's order; none leaves a mapping behind. */
TEST_F(map_file, errnos)
{
	int pipefd[2], status_fd;
	uint64_t iova = FILE_IOVA, unmapped = 1;

	EXPECT_EQ(-EOPNOTSUPP, map_file_cmd(self->fd, self->ioas_id, self->mfd,
					    MAP_RW | (1U << 3), 0, MOCK_PAGE,
					    &iova));
	EXPECT_EQ(-EOVERFLOW, map_file_cmd(self->fd, self->ioas_id, self->mfd,
					   MAP_RW, 0, UINT64_MAX, &iova));
	iova = UINT64_MAX;
	EXPECT_EQ(-EOVERFLOW, map_file_cmd(self->fd, self->ioas_id, self->mfd,
					   MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA,
					   0, MOCK_PAGE, &iova));
	iova = FILE_IOVA;
	EXPECT_EQ(-EINVAL, map_file_cmd(self->fd, self->ioas_id, self->mfd,
					IOMMU_IOAS_MAP_FIXED_IOVA, 0, MOCK_PAGE,
					&iova));
	EXPECT_EQ(-ENOENT, map_file_fixed(self->fd, self->ioas_id + 100,
					  self->mfd, 0, MOCK_PAGE, iova));
	EXPECT_EQ(-ENOENT, map_file_fixed(self->fd, self->dev_id, self->mfd, 0,
					  MOCK_PAGE, iova));
	EXPECT_EQ(-EINVAL, map_file_fixed(self->fd, self->ioas_id, self->mfd,
					  0, 0, iova));
	EXPECT_EQ(-EOVERFLOW, map_file_fixed(self->fd, self->ioas_id,
					     self->mfd, UINT64_MAX - 10,
					     MOCK_PAGE, iova));
	EXPECT_EQ(-EBADF, map_file_fixed(self->fd, self->ioas_id, -1, 0,
					 MOCK_PAGE, iova));
	EXPECT_EQ(-EBADF, map_file_fixed(self->fd, self->ioas_id, 100000, 0,
					 MOCK_PAGE, iova));

	/* Not a memfd: upstream refuses it with EINVAL (when it pins) */
	ASSERT_EQ(0, pipe(pipefd));
	status_fd = open("/proc/self/status", O_RDONLY);
	ASSERT_LE(0, status_fd);
	if (self->supported) {
		EXPECT_EQ(-EINVAL, map_file_fixed(self->fd, self->ioas_id,
						  pipefd[0], 0, MOCK_PAGE,
						  iova));
		EXPECT_EQ(-EINVAL, map_file_fixed(self->fd, self->ioas_id,
						  status_fd, 0, MOCK_PAGE,
						  iova));
		/* the iommufd itself: no reference cycle is made */
		EXPECT_EQ(-EINVAL, map_file_fixed(self->fd, self->ioas_id,
						  self->fd, 0, MOCK_PAGE,
						  iova));
	} else {
		EXPECT_EQ(-EOPNOTSUPP, map_file_fixed(self->fd, self->ioas_id,
						      pipefd[0], 0, MOCK_PAGE,
						      iova));
	}
	close(pipefd[0]);
	close(pipefd[1]);
	close(status_fd);
	/* nothing was mapped by any of them */
	EXPECT_EQ(0, ioas_unmap(self->fd, self->ioas_id, 0, UINT64_MAX,
				&unmapped));
	EXPECT_EQ(0, unmapped);
}

/* Kernels before 6.11: every valid map answers EOPNOTSUPP. */
TEST_F(map_file, unsupported_kernel_eopnotsupp)
{
	uint64_t iova = FILE_IOVA;
	int rc = map_file_fixed(self->fd, self->ioas_id, self->mfd, 0,
				MOCK_PAGE, iova);

	if (self->supported) {
		EXPECT_EQ(0, rc);
	} else {
		EXPECT_EQ(-EOPNOTSUPP, rc);
		/* nothing to move: CHANGE_PROCESS succeeds */
		EXPECT_EQ(0, change_process(self->fd));
	}
}

/* Lazy: nothing pinned until a domain needs the pages; then DMA works. */
TEST_F(map_file, lazy_pin_and_dma)
{
	uint8_t data[300], back[300];
	uint32_t hwpt;
	long base = pinned_pages();

	if (!self->supported) {
		expect_unsupported(_metadata, self->fd, self->ioas_id,
				   self->mfd);
		return;
	}
	ASSERT_LE(0, base);
	ASSERT_EQ(0, map_file_fixed(self->fd, self->ioas_id, self->mfd,
				    MOCK_PAGE, 4 * MOCK_PAGE, FILE_IOVA));
	EXPECT_EQ(base, pinned_pages());
	EXPECT_EQ(0, check_refs(self->fd, self->va, FILE_PAGES * MOCK_PAGE, 0));
	ASSERT_EQ(0, dev_attach(self->fd, self->dev_id, self->ioas_id, &hwpt));
	EXPECT_EQ(base + 4, pinned_pages());
	EXPECT_EQ(0, check_refs(self->fd, self->va + MOCK_PAGE,
				4 * MOCK_PAGE, 1));
	EXPECT_EQ(0, check_refs(self->fd, self->va, MOCK_PAGE, 0));
	EXPECT_EQ(0, check_refs(self->fd, self->va + 5 * MOCK_PAGE, MOCK_PAGE,
				0));

	/* DMA reads the file's pages and writes into them, across a page */
	ASSERT_EQ(0, dma_read(self->fd, self->dev_id, FILE_IOVA + 100, back,
			      sizeof(back)));
	EXPECT_EQ(0, memcmp(self->va + MOCK_PAGE + 100, back, sizeof(back)));
	fill_pattern(data, sizeof(data), 9);
	ASSERT_EQ(0, dma_write(self->fd, self->dev_id,
			       FILE_IOVA + MOCK_PAGE - 100, data,
			       sizeof(data)));
	EXPECT_EQ(0, memcmp(self->va + 2 * MOCK_PAGE - 100, data,
			    sizeof(data)));
	ASSERT_EQ((ssize_t)sizeof(back),
		  pread(self->mfd, back, sizeof(back), 2 * MOCK_PAGE - 100));
	EXPECT_EQ(0, memcmp(back, data, sizeof(data)));

	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, FILE_IOVA,
				4 * MOCK_PAGE, NULL));
	EXPECT_EQ(base, pinned_pages());
	EXPECT_EQ(0, check_refs(self->fd, self->va, FILE_PAGES * MOCK_PAGE, 0));
}

/* The pages stay the file's after the caller's own mapping goes. */
TEST_F(map_file, independent_of_user_mapping)
{
	uint8_t back[64];
	uint32_t hwpt;

	if (!self->supported) {
		expect_unsupported(_metadata, self->fd, self->ioas_id,
				   self->mfd);
		return;
	}
	ASSERT_EQ(0, dev_attach(self->fd, self->dev_id, self->ioas_id, &hwpt));
	ASSERT_EQ(0, map_file_fixed(self->fd, self->ioas_id, self->mfd, 0,
				    2 * MOCK_PAGE, FILE_IOVA));
	munmap(self->va, FILE_PAGES * MOCK_PAGE);
	self->va = NULL;
	ASSERT_EQ(0, dma_write(self->fd, self->dev_id, FILE_IOVA + 8,
			       "through the file", 16));
	ASSERT_EQ(16, pread(self->mfd, back, 16, 8));
	EXPECT_EQ(0, memcmp(back, "through the file", 16));
}

/* A kernel-chosen IOVA keeps the file offset's place in its page. */
TEST_F(map_file, kernel_chosen_iova_keeps_offset)
{
	uint64_t iova = 0;
	uint32_t hwpt;

	if (!self->supported) {
		expect_unsupported(_metadata, self->fd, self->ioas_id,
				   self->mfd);
		return;
	}
	ASSERT_EQ(0, map_file_cmd(self->fd, self->ioas_id, self->mfd, MAP_RW,
				  0x123, 100, &iova));
	EXPECT_EQ(0x123, iova % MOCK_PAGE);
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, iova, 100, NULL));
	/* with a domain the IOAS alignment is the page: EINVAL */
	ASSERT_EQ(0, dev_attach(self->fd, self->dev_id, self->ioas_id, &hwpt));
	EXPECT_EQ(-EINVAL, map_file_cmd(self->fd, self->ioas_id, self->mfd,
					MAP_RW, 0x123, MOCK_PAGE, &iova));
}

/*
 * Past the end of the file: accepted without a domain (nothing is pinned),
 * EINVAL once a domain pins; every page pinned before the failing one is
 * released again.
 */
TEST_F(map_file, past_eof_einval_at_pin)
{
	long base = pinned_pages();
	uint32_t hwpt;

	if (!self->supported) {
		expect_unsupported(_metadata, self->fd, self->ioas_id,
				   self->mfd);
		return;
	}
	ASSERT_EQ(0, map_file_fixed(self->fd, self->ioas_id, self->mfd, 0,
				    (FILE_PAGES + 1) * MOCK_PAGE, FILE_IOVA));
	EXPECT_EQ(-EINVAL, dev_attach(self->fd, self->dev_id, self->ioas_id,
				      &hwpt));
	EXPECT_EQ(base, pinned_pages());
	EXPECT_EQ(0, check_refs(self->fd, self->va, FILE_PAGES * MOCK_PAGE, 0));
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, FILE_IOVA,
				(FILE_PAGES + 1) * MOCK_PAGE, NULL));

	/* with a domain the map itself fails and leaves nothing */
	ASSERT_EQ(0, dev_attach(self->fd, self->dev_id, self->ioas_id, &hwpt));
	EXPECT_EQ(-EINVAL, map_file_fixed(self->fd, self->ioas_id, self->mfd,
					  MOCK_PAGE, FILE_PAGES * MOCK_PAGE,
					  FILE_IOVA));
	EXPECT_EQ(base, pinned_pages());
	EXPECT_EQ(0, check_refs(self->fd, self->va, FILE_PAGES * MOCK_PAGE, 0));
	EXPECT_EQ(-ENOENT, ioas_unmap(self->fd, self->ioas_id, FILE_IOVA,
				      FILE_PAGES * MOCK_PAGE, NULL));

	/* a truncated file: EINVAL too */
	ASSERT_EQ(0, ftruncate(self->mfd, 0));
	EXPECT_EQ(-EINVAL, map_file_fixed(self->fd, self->ioas_id, self->mfd,
					  0, MOCK_PAGE, FILE_IOVA));
	EXPECT_EQ(base, pinned_pages());
}

/* Upstream's SET_TEMP_MEMORY_LIMIT: bytes of page pointers per batch. */
static int set_batch_limit(int fd, uint32_t limit)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT,
		.memory_limit = { .limit = limit },
	};

	return mock_ioctl(fd, IOMMU_TEST_CMD, &cmd);
}

/*
 * One page per pinning batch: a pin that fails after several batches (the
 * end of the file, or RLIMIT_MEMLOCK) releases every page pinned before.
 */
TEST_F(map_file, partial_pin_failure_releases_all)
{
	long base = pinned_pages();
	uint32_t hwpt;
	pid_t pid;
	int status;

	if (!self->supported) {
		expect_unsupported(_metadata, self->fd, self->ioas_id,
				   self->mfd);
		return;
	}
	ASSERT_EQ(0, set_batch_limit(self->fd, 12));
	ASSERT_EQ(0, dev_attach(self->fd, self->dev_id, self->ioas_id, &hwpt));
	/* pages 8-15 pin one by one, page 16 is past the end */
	EXPECT_EQ(-EINVAL, map_file_fixed(self->fd, self->ioas_id, self->mfd,
					  8 * MOCK_PAGE, 9 * MOCK_PAGE,
					  FILE_IOVA));
	EXPECT_EQ(base, pinned_pages());
	EXPECT_EQ(0, check_refs(self->fd, self->va, FILE_PAGES * MOCK_PAGE, 0));
	/* the same range without its last page works */
	ASSERT_EQ(0, map_file_fixed(self->fd, self->ioas_id, self->mfd,
				    8 * MOCK_PAGE, 8 * MOCK_PAGE, FILE_IOVA));
	EXPECT_EQ(base + 8, pinned_pages());
	EXPECT_EQ(0, check_refs(self->fd, self->va + 8 * MOCK_PAGE,
				8 * MOCK_PAGE, 1));
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, 0, UINT64_MAX, NULL));

	/* RLIMIT_MEMLOCK of 4 pages hit at the fifth batch */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct rlimit rl = { .rlim_cur = 4 * MOCK_PAGE,
				     .rlim_max = 4 * MOCK_PAGE };

		if (setrlimit(RLIMIT_MEMLOCK, &rl) ||
		    setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(2);
		if (map_file_fixed(self->fd, self->ioas_id, self->mfd, 0,
				   8 * MOCK_PAGE, FILE_IOVA) != -ENOMEM)
			_exit(3);
		if (check_refs(self->fd, self->va, FILE_PAGES * MOCK_PAGE, 0))
			_exit(4);
		/* the limit is whole again: 4 pages fit */
		if (map_file_fixed(self->fd, self->ioas_id, self->mfd, 0,
				   4 * MOCK_PAGE, FILE_IOVA) ||
		    ioas_unmap(self->fd, self->ioas_id, 0, UINT64_MAX, NULL))
			_exit(5);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0, set_batch_limit(self->fd, 65536));
	EXPECT_EQ(base, pinned_pages());
}

static int access_rw(int fd, uint32_t access_fd, uint64_t iova, void *buf,
		     uint64_t len, uint32_t flags)
{
	struct iommu_test_cmd cmd = {
		.size = sizeof(cmd),
		.op = IOMMU_TEST_OP_ACCESS_RW,
		.id = access_fd,
		.access_rw = { .iova = iova, .length = len,
			       .uptr = U64_PTR(buf), .flags = flags },
	};

	return mock_ioctl(fd, IOMMU_TEST_CMD, &cmd);
}

/*
 * An in-kernel access (upstream's selftest access) reads and writes file
 * pages nothing has pinned: each page is pinned from the file for the copy
 * alone, so nothing stays pinned afterwards.
 */
TEST_F(map_file, access_rw_unpinned_pages)
{
	struct iommu_test_cmd create = {
		.size = sizeof(create),
		.op = IOMMU_TEST_OP_CREATE_ACCESS,
		.id = self->ioas_id,
	};
	uint8_t data[200], back[200];
	long base = pinned_pages();
	uint32_t flags;

	if (!self->supported) {
		expect_unsupported(_metadata, self->fd, self->ioas_id,
				   self->mfd);
		return;
	}
	ASSERT_EQ(0, map_file_fixed(self->fd, self->ioas_id, self->mfd,
				    MOCK_PAGE, 3 * MOCK_PAGE, FILE_IOVA));
	ASSERT_EQ(0, mock_ioctl(self->fd, IOMMU_TEST_CMD, &create));
	for (flags = 0; flags <= MOCK_ACCESS_RW_SLOW_PATH;
	     flags += MOCK_ACCESS_RW_SLOW_PATH) {
		/* across the first page boundary of the mapping */
		ASSERT_EQ(0, access_rw(self->fd, create.create_access.out_access_fd,
				       FILE_IOVA + MOCK_PAGE - 100, back,
				       sizeof(back), flags));
		EXPECT_EQ(0, memcmp(self->va + 2 * MOCK_PAGE - 100, back,
				    sizeof(back)));
		fill_pattern(data, sizeof(data), 20 + flags);
		ASSERT_EQ(0, access_rw(self->fd, create.create_access.out_access_fd,
				       FILE_IOVA + 2 * MOCK_PAGE - 50, data,
				       sizeof(data),
				       flags | MOCK_ACCESS_RW_WRITE));
		EXPECT_EQ(0, memcmp(self->va + 3 * MOCK_PAGE - 50, data,
				    sizeof(data)));
		EXPECT_EQ(base, pinned_pages());
		EXPECT_EQ(0, check_refs(self->fd, self->va,
					FILE_PAGES * MOCK_PAGE, 0));
	}
	close(create.create_access.out_access_fd);
}

/* A read-only mapping: the device cannot write. */
TEST_F(map_file, readonly_mapping)
{
	uint64_t iova = FILE_IOVA, dst = 0;
	uint8_t data[16] = { 0x77 };
	uint32_t hwpt, ioas2;

	if (!self->supported) {
		expect_unsupported(_metadata, self->fd, self->ioas_id,
				   self->mfd);
		return;
	}
	ASSERT_EQ(0, dev_attach(self->fd, self->dev_id, self->ioas_id, &hwpt));
	ASSERT_EQ(0, map_file_cmd(self->fd, self->ioas_id, self->mfd,
				  IOMMU_IOAS_MAP_READABLE |
					  IOMMU_IOAS_MAP_FIXED_IOVA,
				  0, MOCK_PAGE, &iova));
	self->va[0] = 0x11;
	EXPECT_EQ(-EPERM, dma_write(self->fd, self->dev_id, FILE_IOVA, data,
				    sizeof(data)));
	EXPECT_EQ(0x11, self->va[0]);
	/* a copy cannot make it writable */
	ASSERT_EQ(0, ioas_alloc(self->fd, &ioas2));
	EXPECT_EQ(-EPERM, ioas_copy(self->fd, ioas2, &dst, MAP_RW,
				    self->ioas_id, FILE_IOVA, MOCK_PAGE));
}

/* IOAS_COPY shares the file's pages: pinned once, seen by both. */
TEST_F(map_file, copy_pins_once)
{
	uint32_t ioas2, dev2, hwpt, hwpt2;
	uint64_t dst = 0x400000;
	long base = pinned_pages();
	uint8_t back[32];

	if (!self->supported) {
		expect_unsupported(_metadata, self->fd, self->ioas_id,
				   self->mfd);
		return;
	}
	ASSERT_EQ(0, map_file_fixed(self->fd, self->ioas_id, self->mfd, 0,
				    8 * MOCK_PAGE, FILE_IOVA));
	ASSERT_EQ(0, ioas_alloc(self->fd, &ioas2));
	ASSERT_EQ(0, ioas_copy(self->fd, ioas2, &dst,
			       MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA,
			       self->ioas_id, FILE_IOVA + 2 * MOCK_PAGE,
			       4 * MOCK_PAGE));
	ASSERT_EQ(0, dev_alloc(self->fd, 1, SID_BASE + 1, &dev2));
	ASSERT_EQ(0, dev_attach(self->fd, dev2, ioas2, &hwpt2));
	EXPECT_EQ(base + 4, pinned_pages());
	ASSERT_EQ(0, dev_attach(self->fd, self->dev_id, self->ioas_id, &hwpt));
	EXPECT_EQ(base + 8, pinned_pages());
	EXPECT_EQ(0, check_refs(self->fd, self->va, 8 * MOCK_PAGE, 1));
	ASSERT_EQ(0, dma_write(self->fd, dev2, dst + 16, "copied", 6));
	ASSERT_EQ(0, dma_read(self->fd, self->dev_id,
			      FILE_IOVA + 2 * MOCK_PAGE + 16, back, 6));
	EXPECT_EQ(0, memcmp(back, "copied", 6));
	EXPECT_EQ(0, memcmp(self->va + 2 * MOCK_PAGE + 16, "copied", 6));
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, 0, UINT64_MAX, NULL));
	EXPECT_EQ(base + 4, pinned_pages());
	ASSERT_EQ(0, mock_destroy(self->fd, dev2));
	EXPECT_EQ(base, pinned_pages());
	EXPECT_EQ(0, check_refs(self->fd, self->va, 8 * MOCK_PAGE, 0));
}

/* A pin over RLIMIT_MEMLOCK fails with ENOMEM and leaves no pin behind. */
TEST_F(map_file, rlimit_enomem_no_leak)
{
	struct rlimit old, rl = { .rlim_cur = 4 * MOCK_PAGE,
				  .rlim_max = RLIM_INFINITY };
	long base = pinned_pages();
	uint32_t hwpt;
	pid_t pid;
	int status;

	if (!self->supported) {
		expect_unsupported(_metadata, self->fd, self->ioas_id,
				   self->mfd);
		return;
	}
	ASSERT_EQ(0, getrlimit(RLIMIT_MEMLOCK, &old));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* without CAP_IPC_LOCK the user is charged against the limit */
		int rc;

		if (setrlimit(RLIMIT_MEMLOCK, &rl) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(2);
		if (dev_attach(self->fd, self->dev_id, self->ioas_id, &hwpt))
			_exit(3);
		rc = map_file_fixed(self->fd, self->ioas_id, self->mfd, 0,
				    8 * MOCK_PAGE, FILE_IOVA);
		if (rc != -ENOMEM)
			_exit(4);
		if (check_refs(self->fd, self->va, FILE_PAGES * MOCK_PAGE, 0))
			_exit(5);
		if (map_file_fixed(self->fd, self->ioas_id, self->mfd, 0,
				   4 * MOCK_PAGE, FILE_IOVA))
			_exit(6);
		if (check_refs(self->fd, self->va, 4 * MOCK_PAGE, 1))
			_exit(7);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(base, pinned_pages());
}

/* Mock DMA and in-kernel access on a hugetlbfs memfd (2 MiB pages). */
TEST_F(map_file, hugetlb_memfd)
{
	const char *hp = "/proc/sys/vm/nr_hugepages";
	long base = pinned_pages(), had = 0;
	uint8_t back[64], *hva;
	uint32_t hwpt;
	FILE *f;
	int hfd;

	if (!self->supported) {
		expect_unsupported(_metadata, self->fd, self->ioas_id,
				   self->mfd);
		return;
	}
	f = fopen(hp, "r");
	ASSERT_NE(NULL, f);
	ASSERT_EQ(1, fscanf(f, "%ld", &had));
	fclose(f);
	if (had < 4) {
		f = fopen(hp, "w");
		ASSERT_NE(NULL, f);
		fprintf(f, "4\n");
		fclose(f);
	}
	hfd = memfd_create("map_file_huge", MFD_HUGETLB);
	ASSERT_LE(0, hfd);
	ASSERT_EQ(0, ftruncate(hfd, 2 * HUGE_2M));
	hva = mmap(NULL, 2 * HUGE_2M, PROT_READ | PROT_WRITE, MAP_SHARED, hfd,
		   0);
	ASSERT_NE(MAP_FAILED, hva);
	fill_pattern(hva, 2 * HUGE_2M, 4);

	ASSERT_EQ(0, dev_attach(self->fd, self->dev_id, self->ioas_id, &hwpt));
	/* a range across the two huge pages, not aligned to them */
	ASSERT_EQ(0, map_file_fixed(self->fd, self->ioas_id, hfd,
				    HUGE_2M - 8 * MOCK_PAGE, 16 * MOCK_PAGE,
				    FILE_IOVA));
	EXPECT_EQ(base + 16, pinned_pages());
	ASSERT_EQ(0, dma_read(self->fd, self->dev_id,
			      FILE_IOVA + 8 * MOCK_PAGE - 32, back,
			      sizeof(back)));
	EXPECT_EQ(0, memcmp(back, hva + HUGE_2M - 32, sizeof(back)));
	ASSERT_EQ(0, dma_write(self->fd, self->dev_id, FILE_IOVA + 8, "huge",
			       4));
	EXPECT_EQ(0, memcmp(hva + HUGE_2M - 8 * MOCK_PAGE + 8, "huge", 4));
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, 0, UINT64_MAX, NULL));
	EXPECT_EQ(base, pinned_pages());

	/* a whole huge page maps (and unpins) as one */
	ASSERT_EQ(0, map_file_fixed(self->fd, self->ioas_id, hfd, HUGE_2M,
				    HUGE_2M, 0x40000000));
	EXPECT_EQ(base + HUGE_2M / MOCK_PAGE, pinned_pages());
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, 0, UINT64_MAX, NULL));
	EXPECT_EQ(base, pinned_pages());

	munmap(hva, 2 * HUGE_2M);
	close(hfd);
	if (had < 4) {
		f = fopen(hp, "w");
		ASSERT_NE(NULL, f);
		fprintf(f, "%ld\n", had);
		fclose(f);
	}
}

/* ---- IOMMU_IOAS_CHANGE_PROCESS -------------------------------------------- */

TEST_F(map_file, change_process_errnos)
{
	struct iommu_ioas_change_process cmd = { .size = sizeof(cmd),
						 .__reserved = 1 };
	uint64_t iova = FILE_IOVA;
	uint32_t ioas2;

	EXPECT_EQ(-EOPNOTSUPP, mock_ioctl(self->fd, IOMMU_IOAS_CHANGE_PROCESS,
					  &cmd));
	/* nothing mapped: nothing to move */
	EXPECT_EQ(0, change_process(self->fd));
	/* a user-memory mapping anywhere: EINVAL, whatever else exists */
	if (self->supported)
		ASSERT_EQ(0, map_file_fixed(self->fd, self->ioas_id, self->mfd,
					    0, MOCK_PAGE, iova));
	ASSERT_EQ(0, ioas_alloc(self->fd, &ioas2));
	ASSERT_EQ(0, ioas_map_fixed(self->fd, ioas2, self->va, MOCK_PAGE, iova));
	EXPECT_EQ(-EINVAL, change_process(self->fd));
	ASSERT_EQ(0, ioas_unmap(self->fd, ioas2, iova, MOCK_PAGE, NULL));
	EXPECT_EQ(0, change_process(self->fd));
}

struct moved {
	long child_pin_before, child_pin_after;
	long child_lck_after;
	int rc, rc_again;
};

/*
 * Run CHANGE_PROCESS in a forked child that keeps its mm alive until the
 * parent has read its own VmPin. @memlock: the child's RLIMIT_MEMLOCK in
 * bytes (0: unlimited); @mode: IOMMU_OPTION_RLIMIT_MODE of the file.
 */
static int run_child_change(int fd, uint64_t memlock, struct moved *m,
			    int *to_child, int *from_child)
{
	int down[2], up[2];
	pid_t pid;
	char c;

	if (pipe(down) || pipe(up))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct rlimit rl = { .rlim_cur = memlock, .rlim_max = memlock };
		int st = open("/proc/self/status", O_RDONLY);

		if (memlock && setrlimit(RLIMIT_MEMLOCK, &rl))
			_exit(2);
		if (setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(3);
		m->child_pin_before = proc_status_kb_fd(st, "VmPin");
		m->rc = change_process(fd);
		m->child_pin_after = proc_status_kb_fd(st, "VmPin");
		m->child_lck_after = proc_status_kb_fd(st, "VmLck");
		if (write(up[1], "x", 1) != 1 || read(down[0], &c, 1) != 1)
			_exit(4);
		_exit(0);
	}
	close(down[0]);
	close(up[1]);
	*to_child = down[1];
	*from_child = up[0];
	return pid;
}

static void *shared_page(void)
{
	void *p = mmap(NULL, MOCK_PAGE, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p != MAP_FAILED)
		memset(p, 0, MOCK_PAGE);
	return p;
}

/* Pins move from this process to the child; shared pages count once. */
TEST_F(map_file, change_process_moves_to_child)
{
	struct moved *m = shared_page();
	uint32_t hwpt, ioas2;
	uint64_t dst = 0x800000;
	int to_child, from_child, status;
	long base = pinned_pages();
	pid_t pid;
	char c;

	ASSERT_NE(MAP_FAILED, m);
	if (!self->supported) {
		expect_unsupported(_metadata, self->fd, self->ioas_id,
				   self->mfd);
		return;
	}
	ASSERT_EQ(0, dev_attach(self->fd, self->dev_id, self->ioas_id, &hwpt));
	ASSERT_EQ(0, map_file_fixed(self->fd, self->ioas_id, self->mfd, 0,
				    4 * MOCK_PAGE, FILE_IOVA));
	/* the same pages in a second IOAS: still 4 pages to move */
	ASSERT_EQ(0, ioas_alloc(self->fd, &ioas2));
	ASSERT_EQ(0, ioas_copy(self->fd, ioas2, &dst,
			       MAP_RW | IOMMU_IOAS_MAP_FIXED_IOVA,
			       self->ioas_id, FILE_IOVA, 4 * MOCK_PAGE));
	EXPECT_EQ(base + 4, pinned_pages());

	pid = run_child_change(self->fd, 0, m, &to_child, &from_child);
	ASSERT_LT(0, pid);
	ASSERT_EQ(1, read(from_child, &c, 1));
	EXPECT_EQ(0, m->rc);
	EXPECT_EQ(0, m->child_pin_before);
	EXPECT_EQ(4 * MOCK_PAGE / 1024, m->child_pin_after);
	EXPECT_EQ(base, pinned_pages());
	ASSERT_EQ(1, write(to_child, "x", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	close(to_child);
	close(from_child);

	/* the child is gone; unmapping refunds its (dead) mm, not ours */
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, 0, UINT64_MAX, NULL));
	ASSERT_EQ(0, ioas_unmap(self->fd, ioas2, 0, UINT64_MAX, NULL));
	EXPECT_EQ(base, pinned_pages());
	EXPECT_EQ(0, check_refs(self->fd, self->va, FILE_PAGES * MOCK_PAGE, 0));
	/* and back to this process: works again, charges nothing now */
	ASSERT_EQ(0, map_file_fixed(self->fd, self->ioas_id, self->mfd, 0,
				    MOCK_PAGE, FILE_IOVA));
	EXPECT_EQ(0, change_process(self->fd));
	EXPECT_EQ(base + 1, pinned_pages());
	munmap(m, MOCK_PAGE);
}

/* Over the caller's RLIMIT_MEMLOCK: ENOMEM and nothing moves. */
TEST_F(map_file, change_process_enomem_changes_nothing)
{
	struct moved *m = shared_page();
	int to_child, from_child, status;
	long base = pinned_pages();
	uint32_t hwpt;
	pid_t pid;
	char c;

	ASSERT_NE(MAP_FAILED, m);
	if (!self->supported) {
		expect_unsupported(_metadata, self->fd, self->ioas_id,
				   self->mfd);
		return;
	}
	ASSERT_EQ(0, dev_attach(self->fd, self->dev_id, self->ioas_id, &hwpt));
	ASSERT_EQ(0, map_file_fixed(self->fd, self->ioas_id, self->mfd, 0,
				    8 * MOCK_PAGE, FILE_IOVA));
	/* the pages were mapped by root (CAP_IPC_LOCK): mode NONE */
	pid = run_child_change(self->fd, 4 * MOCK_PAGE, m, &to_child,
			       &from_child);
	ASSERT_LT(0, pid);
	ASSERT_EQ(1, read(from_child, &c, 1));
	/* NONE charges no limit: the move succeeds, VmPin moves */
	EXPECT_EQ(0, m->rc);
	EXPECT_EQ(8 * MOCK_PAGE / 1024, m->child_pin_after);
	EXPECT_EQ(base, pinned_pages());
	ASSERT_EQ(1, write(to_child, "x", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	close(to_child);
	close(from_child);
	ASSERT_EQ(0, ioas_unmap(self->fd, self->ioas_id, 0, UINT64_MAX, NULL));

	/* mapped by an unprivileged user (mode USER): the limit applies */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct moved *m2 = m;
		int down[2], up[2], st;
		pid_t grandchild;

		/* opened before the privileges go */
		st = open("/proc/self/status", O_RDONLY);
		if (setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(2);
		if (map_file_fixed(self->fd, self->ioas_id, self->mfd, 0,
				   8 * MOCK_PAGE, FILE_IOVA))
			_exit(3);
		if (proc_status_kb_fd(st, "VmPin") != 8 * MOCK_PAGE / 1024)
			_exit(4);
		if (pipe(down) || pipe(up))
			_exit(5);
		grandchild = fork();
		if (grandchild == 0) {
			struct rlimit rl = { .rlim_cur = 4 * MOCK_PAGE,
					     .rlim_max = 4 * MOCK_PAGE };

			/* same user: it already has 8 pages locked */
			if (setrlimit(RLIMIT_MEMLOCK, &rl))
				_exit(2);
			m2->rc = change_process(self->fd);
			_exit(0);
		}
		if (waitpid(grandchild, NULL, 0) != grandchild)
			_exit(6);
		if (m2->rc != -ENOMEM)
			_exit(7);
		/* nothing moved */
		if (proc_status_kb_fd(st, "VmPin") != 8 * MOCK_PAGE / 1024)
			_exit(8);
		if (ioas_unmap(self->fd, self->ioas_id, 0, UINT64_MAX, NULL))
			_exit(9);
		if (proc_status_kb_fd(st, "VmPin") != 0)
			_exit(10);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(base, pinned_pages());
	munmap(m, MOCK_PAGE);
}

/*
 * RLIMIT_MODE 1 (mm): VmLck moves with VmPin, here from an unprivileged
 * mapper to this (root) process.
 */
TEST(change_process_mm_mode_moves_locked_vm)
{
	struct moved *m = shared_page();
	int fd, mfd, down[2], up[2], status;
	uint32_t ioas, dev, hwpt;
	long lck, pin;
	uint8_t *va;
	pid_t pid;
	char c;

	ASSERT_NE(MAP_FAILED, m);
	fd = mock_open();
	ASSERT_LE(0, fd);
	if (!have_map_file()) {
		ASSERT_EQ(0, ioas_alloc(fd, &ioas));
		mfd = memfd_pages(1, 2, &va);
		ASSERT_LE(0, mfd);
		expect_unsupported(_metadata, fd, ioas, mfd);
		close(mfd);
		close(fd);
		return;
	}
	ASSERT_EQ(0, option_set(fd, IOMMU_OPTION_RLIMIT_MODE, 0, 1));
	ASSERT_EQ(0, ioas_alloc(fd, &ioas));
	ASSERT_EQ(0, dev_alloc(fd, 0, SID_BASE + 2, &dev));
	ASSERT_EQ(0, dev_attach(fd, dev, ioas, &hwpt));
	mfd = memfd_pages(4, 2, &va);
	ASSERT_LE(0, mfd);
	ASSERT_EQ(0, pipe(down));
	ASSERT_EQ(0, pipe(up));
	/* CAP_IPC_LOCK would make it mode NONE: map as nobody, in a child */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		/* opened before the privileges go */
		int st = open("/proc/self/status", O_RDONLY);

		if (setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(2);
		m->rc = map_file_fixed(fd, ioas, mfd, 0, 4 * MOCK_PAGE,
				       FILE_IOVA);
		m->child_pin_before = proc_status_kb_fd(st, "VmLck");
		if (write(up[1], "x", 1) != 1 || read(down[0], &c, 1) != 1)
			_exit(3);
		m->child_lck_after = proc_status_kb_fd(st, "VmLck");
		m->child_pin_after = proc_status_kb_fd(st, "VmPin");
		_exit(0);
	}
	ASSERT_EQ(1, read(up[0], &c, 1));
	ASSERT_EQ(0, m->rc);
	EXPECT_EQ(4 * MOCK_PAGE / 1024, m->child_pin_before);
	lck = proc_status_kb("VmLck");
	pin = proc_status_kb("VmPin");
	ASSERT_EQ(0, change_process(fd));
	EXPECT_EQ(lck + 4 * MOCK_PAGE / 1024, proc_status_kb("VmLck"));
	EXPECT_EQ(pin + 4 * MOCK_PAGE / 1024, proc_status_kb("VmPin"));
	ASSERT_EQ(1, write(down[1], "x", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(0, m->child_lck_after);
	EXPECT_EQ(0, m->child_pin_after);
	ASSERT_EQ(0, ioas_unmap(fd, ioas, 0, UINT64_MAX, NULL));
	EXPECT_EQ(lck, proc_status_kb("VmLck"));
	EXPECT_EQ(pin, proc_status_kb("VmPin"));
	EXPECT_EQ(0, check_refs(fd, va, 4 * MOCK_PAGE, 0));
	munmap(va, 4 * MOCK_PAGE);
	close(mfd);
	close(fd);
	munmap(m, MOCK_PAGE);
}

TEST_HARNESS_MAIN
