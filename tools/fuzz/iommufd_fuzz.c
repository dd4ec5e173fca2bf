// SPDX-License-Identifier: GPL-2.0
/*
 * iommufd_fuzz: a seeded ioctl fuzzer for iommufd_mock.ko.
 *
 * Every iteration opens the device, issues a random sequence of the
 * commands the module serves (and a few it does not), with arguments drawn
 * from the IDs, IOVAs and fds that earlier commands returned, random and
 * boundary values, struct sizes that are short, long, long with non-zero
 * tails, or cross into an unmapped page, and user pointers into a few
 * buffers (read-write, read-only, PROT_NONE, unmapped, shared, memfd,
 * hugepage). It then closes everything (or, in a forked child, just exits)
 * and checks what must hold whatever the module's answers were:
 *
 *  - every ioctl returns, within the watchdog time (-w);
 *  - a failing ioctl's errno is one the module documents (fuzz_common.h);
 *  - a struct with non-zero bytes past the known size is never accepted;
 *  - after the files are closed no page of the buffers is still pinned
 *    (IOMMU_TEST_OP_MD_CHECK_REFS with refs 0), no mock device is left in
 *    sysfs and VmPin is back to 0.
 *
 * Iteration i uses a PRNG seeded from (seed, i), so `-s SEED -i I` replays
 * one iteration alone (-v prints each command and its answer). The only
 * state carried between iterations is the module's, which each iteration
 * resets (temporary memory limit).
 *
 * Usage: iommufd_fuzz [-t seconds] [-s seed] [-n iterations] [-i iteration]
 *                     [-d device] [-w watchdog_seconds] [-v]
 * Exit code: 0 no problem, 1 problems found, 2 usage or setup error,
 * 3 watchdog.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <dirent.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <linux/capability.h>

#include "fuzz_common.h"

/* ---- operations ------------------------------------------------------------ */

#define OPS(X)								\
	X(DESTROY) X(IOAS_ALLOC) X(IOAS_ALLOW_IOVAS) X(IOAS_COPY)	\
	X(IOAS_IOVA_RANGES) X(IOAS_MAP) X(IOAS_UNMAP) X(OPTION)		\
	X(VFIO_IOAS) X(HWPT_ALLOC) X(HWPT_ALLOC_NESTED) X(GET_HW_INFO)	\
	X(HWPT_SET_DIRTY) X(HWPT_GET_DIRTY) X(HWPT_INVALIDATE)		\
	X(FAULT_QUEUE_ALLOC) X(IOAS_MAP_FILE) X(VIOMMU_ALLOC)		\
	X(VDEVICE_ALLOC) X(IOAS_CHANGE_PROCESS) X(VEVENTQ_ALLOC)	\
	X(HW_QUEUE_ALLOC) X(RAW_IOMMUFD)				\
	X(MOCK_INSTANCE_INFO) X(MOCK_DEVICE_ALLOC) X(MOCK_ATTACH)	\
	X(MOCK_DETACH) X(MOCK_RESV_REGIONS) X(MOCK_OBJECT_INFO)		\
	X(MOCK_DMA)							\
	X(T_ADD_RESERVED) X(T_MOCK_DOMAIN) X(T_MOCK_DOMAIN_FLAGS)	\
	X(T_REPLACE) X(T_CHECK_MAP) X(T_CHECK_REFS) X(T_CHECK_IOTLB)	\
	X(T_CREATE_ACCESS) X(T_ACCESS_PAGES) X(T_DESTROY_ACCESS_PAGES)	\
	X(T_ACCESS_RW) X(T_ACCESS_REPLACE_IOAS) X(T_SET_TEMP_MEM_LIMIT)	\
	X(T_DIRTY) X(T_TRIGGER_IOPF) X(T_DEV_CHECK_CACHE)		\
	X(T_TRIGGER_VEVENT) X(T_PASID) X(T_RANDOM_OP)			\
	X(VFIO_API_VERSION) X(VFIO_CHECK_EXT) X(VFIO_SET_IOMMU)		\
	X(VFIO_GET_INFO) X(VFIO_MAP_DMA) X(VFIO_UNMAP_DMA) X(VFIO_RAW)	\
	X(FAULT_READ) X(FAULT_WRITE) X(FAULT_POLL) X(FAULT_PREAD)	\
	X(FAULT_CLOSE) X(ACCESS_CLOSE) X(IOMMUFD_CLOSE) X(IOMMUFD_OPEN)	\
	X(IOMMUFD_MMAP) X(IOMMUFD_MUNMAP) X(VIOMMU_RECIPE)		\
	X(VEVENTQ_READ) X(VEVENTQ_CLOSE) X(VDEV_OPEN) X(VDEV_BIND)	\
	X(VDEV_ATTACH) X(VDEV_IOCTL) X(VDEV_RW) X(VDEV_CLOSE)

#define X_ENUM(n) OP_##n,
#define X_NAME(n) #n,
enum op { OPS(X_ENUM) NR_OPS };
static const char *const op_names[] = { OPS(X_NAME) };

/* Relative weights: setup commands come up often so deep states are reached. */
static unsigned int op_weight[NR_OPS] = {
	[OP_DESTROY] = 6, [OP_IOAS_ALLOC] = 8, [OP_IOAS_ALLOW_IOVAS] = 3,
	[OP_IOAS_COPY] = 4, [OP_IOAS_IOVA_RANGES] = 3, [OP_IOAS_MAP] = 14,
	[OP_IOAS_UNMAP] = 6, [OP_OPTION] = 3, [OP_VFIO_IOAS] = 2,
	[OP_HWPT_ALLOC] = 6, [OP_HWPT_ALLOC_NESTED] = 6, [OP_GET_HW_INFO] = 2,
	[OP_HWPT_SET_DIRTY] = 3, [OP_HWPT_GET_DIRTY] = 3,
	[OP_HWPT_INVALIDATE] = 4, [OP_FAULT_QUEUE_ALLOC] = 3,
	[OP_IOAS_MAP_FILE] = 3, [OP_VIOMMU_ALLOC] = 4, [OP_VDEVICE_ALLOC] = 4,
	[OP_IOAS_CHANGE_PROCESS] = 1, [OP_VEVENTQ_ALLOC] = 3,
	[OP_HW_QUEUE_ALLOC] = 2, [OP_RAW_IOMMUFD] = 2,
	[OP_MOCK_INSTANCE_INFO] = 1, [OP_MOCK_DEVICE_ALLOC] = 6,
	[OP_MOCK_ATTACH] = 8, [OP_MOCK_DETACH] = 3, [OP_MOCK_RESV_REGIONS] = 2,
	[OP_MOCK_OBJECT_INFO] = 2, [OP_MOCK_DMA] = 5,
	[OP_T_ADD_RESERVED] = 2, [OP_T_MOCK_DOMAIN] = 6,
	[OP_T_MOCK_DOMAIN_FLAGS] = 4, [OP_T_REPLACE] = 5, [OP_T_CHECK_MAP] = 2,
	[OP_T_CHECK_REFS] = 2, [OP_T_CHECK_IOTLB] = 2, [OP_T_CREATE_ACCESS] = 5,
	[OP_T_ACCESS_PAGES] = 6, [OP_T_DESTROY_ACCESS_PAGES] = 4,
	[OP_T_ACCESS_RW] = 5, [OP_T_ACCESS_REPLACE_IOAS] = 3,
	[OP_T_SET_TEMP_MEM_LIMIT] = 1, [OP_T_DIRTY] = 3, [OP_T_TRIGGER_IOPF] = 5,
	[OP_T_DEV_CHECK_CACHE] = 2, [OP_T_TRIGGER_VEVENT] = 4, [OP_T_PASID] = 4,
	[OP_T_RANDOM_OP] = 1,
	[OP_VFIO_API_VERSION] = 1, [OP_VFIO_CHECK_EXT] = 1,
	[OP_VFIO_SET_IOMMU] = 2, [OP_VFIO_GET_INFO] = 2, [OP_VFIO_MAP_DMA] = 4,
	[OP_VFIO_UNMAP_DMA] = 3, [OP_VFIO_RAW] = 1,
	[OP_FAULT_READ] = 5, [OP_FAULT_WRITE] = 4, [OP_FAULT_POLL] = 2,
	[OP_FAULT_PREAD] = 1, [OP_FAULT_CLOSE] = 2, [OP_ACCESS_CLOSE] = 2,
	[OP_IOMMUFD_CLOSE] = 1, [OP_IOMMUFD_OPEN] = 2,
	[OP_IOMMUFD_MMAP] = 3, [OP_IOMMUFD_MUNMAP] = 2, [OP_VIOMMU_RECIPE] = 2,
	[OP_VEVENTQ_READ] = 4, [OP_VEVENTQ_CLOSE] = 1,
	[OP_VDEV_OPEN] = 2, [OP_VDEV_BIND] = 3, [OP_VDEV_ATTACH] = 4,
	[OP_VDEV_IOCTL] = 5, [OP_VDEV_RW] = 5, [OP_VDEV_CLOSE] = 1,
};

/* ---- state shared with forked iterations and the watchdog ------------------ */

#define ERRMAX 140
#define RING 24
#define DESC 320

struct op_stat {
	uint64_t calls;
	uint64_t ok;
	uint32_t err[ERRMAX];
};

struct shared {
	volatile uint64_t progress;
	volatile int busy_pid;
	volatile int busy_tid;
	volatile uint64_t busy_since;
	uint64_t ops;
	uint64_t problems;
	unsigned int ring_pos;
	char ring[RING][DESC];
	struct op_stat st[NR_OPS];
};

static struct shared *sh;
static uint64_t g_seed;
static uint64_t g_iter;
static bool g_verbose;
static unsigned int g_watchdog_s = 120;
static const char *g_dev;

/* ---- buffers ------------------------------------------------------------------ */

enum buf_kind {
	B_PRIV, B_SHARED, B_MEMFD, B_RO, B_NONE, B_HOLE, B_HUGE, NR_BUFS
};

static const char *const buf_names[NR_BUFS] = {
	"priv", "shared", "memfd", "ro", "none", "hole", "huge",
};

struct buf {
	uint8_t *p;
	uint64_t len;
	bool refs_checkable;	/* normal pages MD_CHECK_REFS can look at */
};

static struct buf bufs[NR_BUFS];
static int memfd_fd = -1;
static bool huge_is_hugetlb;

/* Argument arena: two read-write pages, then an inaccessible page. */
static uint8_t *arena;
#define ARENA_LEN (2 * FZ_PAGE)

/*
 * A mapping with an inaccessible page right below and right above it, so a
 * kernel write that runs past a buffer faults instead of landing in the
 * fuzzer's own state. @align: alignment of the start (hugetlb: 2 MiB).
 */
static uint8_t *map_guarded(uint64_t len, int prot, int flags, int fd,
			    uint64_t align)
{
	uint64_t total = len + 2 * align + 2 * FZ_PAGE;
	uint8_t *res = mmap(NULL, total, PROT_NONE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uint8_t *p;

	if (res == MAP_FAILED)
		return MAP_FAILED;
	p = (uint8_t *)(((uintptr_t)res + FZ_PAGE + align - 1) &
			~(uintptr_t)(align - 1));
	if (mmap(p, len, prot, flags | MAP_FIXED, fd, 0) == MAP_FAILED) {
		munmap(res, total);
		return MAP_FAILED;
	}
	return p;
}

static void setup_buffers(void)
{
	const int anon = MAP_PRIVATE | MAP_ANONYMOUS;

	bufs[B_PRIV].len = 64 * FZ_PAGE;
	bufs[B_PRIV].p = map_guarded(bufs[B_PRIV].len, PROT_READ | PROT_WRITE,
				     anon, -1, FZ_PAGE);
	bufs[B_SHARED].len = 64 * FZ_PAGE;
	bufs[B_SHARED].p = map_guarded(bufs[B_SHARED].len,
				       PROT_READ | PROT_WRITE,
				       MAP_SHARED | MAP_ANONYMOUS, -1, FZ_PAGE);
	bufs[B_MEMFD].len = 32 * FZ_PAGE;
	memfd_fd = memfd_create("iommufd_fuzz", 0);
	if (memfd_fd >= 0 && !ftruncate(memfd_fd, bufs[B_MEMFD].len))
		bufs[B_MEMFD].p = map_guarded(bufs[B_MEMFD].len,
					      PROT_READ | PROT_WRITE, MAP_SHARED,
					      memfd_fd, FZ_PAGE);
	else
		bufs[B_MEMFD].p = MAP_FAILED;
	bufs[B_RO].len = 16 * FZ_PAGE;
	bufs[B_RO].p = map_guarded(bufs[B_RO].len, PROT_READ | PROT_WRITE, anon,
				   -1, FZ_PAGE);
	bufs[B_NONE].len = 16 * FZ_PAGE;
	bufs[B_NONE].p = map_guarded(bufs[B_NONE].len, PROT_NONE, anon, -1,
				     FZ_PAGE);
	/*
	 * The unmapped range is far below where mmap() places anything, so no
	 * later mapping (the shared counters, thread stacks, malloc) can land
	 * in it and be written through a "bad" pointer. Checked unmapped below.
	 */
	bufs[B_HOLE].len = 16 * FZ_PAGE;
	bufs[B_HOLE].p = (uint8_t *)(uintptr_t)0x100000000000ULL;
	for (int i = 0; i < NR_BUFS; i++) {
		if (i == B_HUGE)
			continue;
		if (bufs[i].p == MAP_FAILED) {
			fprintf(stderr, "iommufd_fuzz: mmap of buffer %s: %s\n",
				buf_names[i], strerror(errno));
			exit(2);
		}
	}
	if (msync(bufs[B_HOLE].p, bufs[B_HOLE].len, MS_ASYNC) != -1 ||
	    errno != ENOMEM) {
		fprintf(stderr, "iommufd_fuzz: %p is mapped, no hole\n",
			bufs[B_HOLE].p);
		exit(2);
	}

	/* 2 MiB: a hugetlb page if the kernel has one to give, else THP */
	bufs[B_HUGE].len = 2ULL << 20;
	bufs[B_HUGE].p = map_guarded(bufs[B_HUGE].len, PROT_READ | PROT_WRITE,
				     anon | MAP_HUGETLB, -1, bufs[B_HUGE].len);
	if (bufs[B_HUGE].p != MAP_FAILED) {
		huge_is_hugetlb = true;
	} else {
		bufs[B_HUGE].p = map_guarded(bufs[B_HUGE].len,
					     PROT_READ | PROT_WRITE, anon, -1,
					     bufs[B_HUGE].len);
		if (bufs[B_HUGE].p == MAP_FAILED) {
			fprintf(stderr, "iommufd_fuzz: mmap huge: %s\n",
				strerror(errno));
			exit(2);
		}
		madvise(bufs[B_HUGE].p, bufs[B_HUGE].len, MADV_HUGEPAGE);
	}

	memset(bufs[B_PRIV].p, 0x5a, bufs[B_PRIV].len);
	memset(bufs[B_SHARED].p, 0xa5, bufs[B_SHARED].len);
	memset(bufs[B_MEMFD].p, 0x3c, bufs[B_MEMFD].len);
	memset(bufs[B_RO].p, 0x77, bufs[B_RO].len);
	mprotect(bufs[B_RO].p, bufs[B_RO].len, PROT_READ);
	memset(bufs[B_HUGE].p, 0x11, bufs[B_HUGE].len);
	bufs[B_PRIV].refs_checkable = true;
	bufs[B_SHARED].refs_checkable = true;
	bufs[B_MEMFD].refs_checkable = true;
	bufs[B_RO].refs_checkable = true;

	arena = map_guarded(ARENA_LEN + FZ_PAGE, PROT_READ | PROT_WRITE,
			    anon, -1, FZ_PAGE);
	if (arena == MAP_FAILED) {
		perror("iommufd_fuzz: mmap arena");
		exit(2);
	}
	mprotect(arena + ARENA_LEN, FZ_PAGE, PROT_NONE);

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("iommufd_fuzz: mmap shared state");
		exit(2);
	}
}

/* ---- per-iteration context -------------------------------------------------- */

enum kind {
	K_IOAS, K_HWPT, K_NESTED, K_DEV, K_STDEV, K_VIOMMU, K_VDEV, K_FAULT,
	K_APAGES, NR_KINDS
};

#define POOL 8
#define MAXFD 4

struct ctx {
	struct rng r;
	int fd[MAXFD];
	int nfd;
	int afd[POOL];		/* access fds (CREATE_ACCESS) */
	int naf;
	int ffd[POOL];		/* fault queue fds */
	int nff;
	int efd[POOL];		/* vEVENTQ fds */
	int nef;
	int vfd[POOL];		/* VFIO device files of the fuzzer's device */
	int nvf;
	uint32_t ids[NR_KINDS][POOL];
	unsigned int nids[NR_KINDS];
	uint64_t iova[16];
	unsigned int niova;
	struct { uint64_t iova, uptr, len; } map[POOL];	/* recent maps */
	unsigned int nmap;
	uint32_t cookie[POOL];
	unsigned int ncookie;
	struct { uint64_t off, len; } mmo[POOL];	/* regions vIOMMUs offered */
	unsigned int nmmo;
	struct { void *p; size_t len; } vm[POOL];	/* live mappings */
	unsigned int nvm;
	bool child;
};

static void problem(const char *fmt, ...);

static void push_id(struct ctx *c, enum kind k, uint32_t id)
{
	if (!id && k != K_APAGES)
		problem("a command succeeded and returned object ID 0 (kind %d)", k);
	c->ids[k][c->nids[k]++ % POOL] = id;
}

static void push_iova(struct ctx *c, uint64_t iova)
{
	c->iova[c->niova++ % ARRAY_LEN(c->iova)] = iova;
}

static void push_fd(int *arr, int *n, int fd)
{
	if (fd <= 2) {
		problem("a command succeeded and returned fd %d", fd);
		return;
	}
	if (*n < POOL) {
		arr[(*n)++] = fd;
		return;
	}
	/* full: forget (close) the oldest */
	close(arr[0]);
	memmove(arr, arr + 1, (POOL - 1) * sizeof(int));
	arr[POOL - 1] = fd;
}

static uint32_t pick_id(struct ctx *c, enum kind k)
{
	unsigned int n = c->nids[k] < POOL ? c->nids[k] : POOL;
	unsigned int x = rnd(&c->r, 100);

	if (x < 72 && n)
		return c->ids[k][rnd(&c->r, n)];
	if (x < 85) {
		enum kind o = rnd(&c->r, NR_KINDS);

		n = c->nids[o] < POOL ? c->nids[o] : POOL;
		if (n)
			return c->ids[o][rnd(&c->r, n)];
	}
	if (x < 95)
		return rnd(&c->r, 48);
	switch (rnd(&c->r, 3)) {
	case 0:
		return UINT32_MAX;
	case 1:
		return 1U << rnd(&c->r, 32);
	default:
		return (uint32_t)rng_next(&c->r);
	}
}

/* Errnos are judged only for calls on one of the iteration's iommufds. */
static bool is_iommufd(const struct ctx *c, int fd)
{
	for (int i = 0; i < c->nfd; i++)
		if (c->fd[i] == fd)
			return true;
	return false;
}

static int pick_fd(struct ctx *c)
{
	if (!c->nfd || one_in(&c->r, 60))
		return one_in(&c->r, 2) ? -1 : (int)rnd(&c->r, 40);
	return c->fd[rnd(&c->r, c->nfd)];
}

/* A random boundary-ish 64-bit value. */
static uint64_t wild64(struct rng *r)
{
	switch (rnd(r, 10)) {
	case 0: return 0;
	case 1: return UINT64_MAX;
	case 2: return UINT64_MAX - rnd(r, 2 * FZ_PAGE);
	case 3: return 1ULL << rnd(r, 64);
	case 4: return (1ULL << rnd(r, 64)) - 1;
	case 5: return (1ULL << 40);		/* 1 TiB */
	case 6: return 1ULL << 63;
	case 7: return rnd(r, 1ULL << 48) & ~(FZ_PAGE - 1);
	case 8: return 0xffff888000000000ULL + rnd(r, 1ULL << 30);
	default: return rng_next(r);
	}
}

static uint64_t pick_iova(struct ctx *c)
{
	unsigned int x = rnd(&c->r, 100);
	unsigned int n = c->niova < ARRAY_LEN(c->iova) ? c->niova :
			 ARRAY_LEN(c->iova);

	if (x < 40 && n) {
		uint64_t v = c->iova[rnd(&c->r, n)];

		if (one_in(&c->r, 3))
			v += rnd(&c->r, 16) * FZ_PAGE;
		if (one_in(&c->r, 10))
			v += rnd(&c->r, FZ_PAGE);
		return v;
	}
	if (x < 62)
		return MOCK_APERTURE_START +
		       rnd(&c->r, 1024) * FZ_PAGE * (one_in(&c->r, 4) ? 512 : 1);
	if (x < 70)
		return rnd(&c->r, MOCK_APERTURE_START / FZ_PAGE) * FZ_PAGE;
	if (x < 78) {
		static const uint64_t special[] = {
			0x8000000, 0x80ff000, 0x70000000, 0x7000f000,
			0xfee00000, 0xb0000000, (1ULL << 31) - FZ_PAGE,
			1ULL << 31, (1ULL << 39) - FZ_PAGE, (1ULL << 44),
			(1ULL << 48) - FZ_PAGE, 1ULL << 48,
		};
		return special[rnd(&c->r, ARRAY_LEN(special))];
	}
	if (x < 84)
		return rnd(&c->r, 1ULL << 32) | 1;	/* unaligned */
	return wild64(&c->r);
}

static uint64_t pick_len(struct ctx *c)
{
	unsigned int x = rnd(&c->r, 100);

	if (x < 55)
		return (1 + rnd(&c->r, 16)) * FZ_PAGE;
	if (x < 65)
		return (1 + rnd(&c->r, 64)) * FZ_PAGE;
	if (x < 75)
		return 1 + rnd(&c->r, 3 * FZ_PAGE);
	if (x < 80)
		return 2ULL << 20;
	if (x < 83)
		return 0;
	return wild64(&c->r);
}

/*
 * A wild user pointer that cannot name memory of this process: devices
 * write through what IOAS_MAP maps, so a random address that happened to
 * hit the fuzzer's own state, stack or heap would corrupt it.
 */
static uint64_t wild_uptr(struct rng *r)
{
	switch (rnd(r, 6)) {
	case 0: return U64P(bufs[B_HOLE].p) + rnd(r, bufs[B_HOLE].len);
	case 1: return 0xffff888000000000ULL + rnd(r, 1ULL << 30);
	case 2: return 1ULL << 63;			/* non-canonical */
	case 3: return UINT64_MAX - rnd(r, 2 * FZ_PAGE);
	case 4: return (1ULL << 47) + rnd(r, 1ULL << 20) * FZ_PAGE;
	default: return rnd(r, 0x10000) & ~(FZ_PAGE - 1);	/* below mmap_min_addr */
	}
}

/* A user pointer for @len bytes; usually inside one of the buffers. */
static uint64_t pick_uptr(struct ctx *c, uint64_t len)
{
	unsigned int x = rnd(&c->r, 100);
	enum buf_kind b;
	uint64_t off, max;

	if (x < 3)
		return 0;
	if (x < 6)
		return wild_uptr(&c->r);
	if (x < 50)
		b = B_PRIV;
	else if (x < 62)
		b = B_SHARED;
	else if (x < 70)
		b = B_MEMFD;
	else if (x < 76)
		b = B_RO;
	else if (x < 81)
		b = B_NONE;
	else if (x < 85)
		b = B_HOLE;
	else
		b = B_HUGE;
	max = bufs[b].len;
	if (len < max && !one_in(&c->r, 8))
		off = rnd(&c->r, (max - len) / FZ_PAGE + 1) * FZ_PAGE;
	else
		off = rnd(&c->r, max / FZ_PAGE) * FZ_PAGE;
	if (one_in(&c->r, 12))
		off += rnd(&c->r, FZ_PAGE);
	return U64P(bufs[b].p) + off;
}

/*
 * Half the time an (iova, uptr, length) inside a mapping made earlier, so
 * pins, reads and checks that name the right pages get through.
 */
static bool pick_mapped(struct ctx *c, __u64 *iova, __u64 *uptr,
			__u64 *len)
{
	unsigned int n = c->nmap < POOL ? c->nmap : POOL, m;
	uint64_t pages, off;

	if (!n || one_in(&c->r, 2))
		return false;
	m = rnd(&c->r, n);
	pages = c->map[m].len / FZ_PAGE;
	if (!pages || pages > (1ULL << 20))
		return false;
	off = rnd(&c->r, pages) * FZ_PAGE;
	*iova = c->map[m].iova + off;
	*uptr = c->map[m].uptr + off;
	*len = (1 + rnd(&c->r, (c->map[m].len - off) / FZ_PAGE)) * FZ_PAGE;
	return true;
}

/* Usually a subset of @valid, sometimes 0 or stray bits. */
static uint32_t pick_flags(struct ctx *c, uint32_t valid)
{
	unsigned int x = rnd(&c->r, 100);

	if (x < 75)
		return (uint32_t)rng_next(&c->r) & valid;
	if (x < 88)
		return 0;
	if (x < 95)
		return valid | (1U << rnd(&c->r, 32));
	return (uint32_t)rng_next(&c->r);
}

/* Mostly 0, sometimes not: for __reserved fields. */
static uint32_t pick_rsv(struct ctx *c)
{
	return one_in(&c->r, 25) ? (uint32_t)rng_next(&c->r) | 1 : 0;
}

/* ---- problems and logging ------------------------------------------------------ */

static void dump_ring(void)
{
	unsigned int i, n = sh->ring_pos < RING ? sh->ring_pos : RING;

	printf("#   last %u commands of the iteration (oldest first):\n", n);
	for (i = 0; i < n; i++)
		printf("#     %s\n",
		       sh->ring[(sh->ring_pos - n + i) % RING]);
}

static void problem(const char *fmt, ...)
{
	va_list ap;

	sh->problems++;
	printf("PROBLEM: iommufd_fuzz seed 0x%" PRIx64 " iteration %" PRIu64 ": ",
	       g_seed, g_iter);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n#   replay: iommufd_fuzz -s 0x%" PRIx64 " -i %" PRIu64 " -v\n",
	       g_seed, g_iter);
	dump_ring();
	fflush(stdout);
}

static void describe(char *out, size_t len, enum op op, int fd,
		     unsigned long req, const void *arg, uint32_t size,
		     unsigned int placement)
{
	const uint8_t *b = arg;
	size_t pos;
	uint32_t i, show = size < 80 ? size : 80;

	pos = snprintf(out, len, "%s fd=%d req=0x%lx size=%u place=%u",
		       op_names[op], fd, req, size, placement);
	if (!arg)
		return;
	for (i = 0; i < show && pos + 3 < len; i++)
		pos += snprintf(out + pos, len - pos, "%s%02x",
				i % 8 ? "" : " ", b[i]);
}

static void begin(const char *desc)
{
	snprintf(sh->ring[sh->ring_pos % RING], DESC, "%s", desc);
	sh->busy_pid = getpid();
	sh->busy_tid = gettid_();
	sh->busy_since = now_ms();
}

static void end(enum op op, int err, const char *desc)
{
	struct op_stat *s = &sh->st[op];
	char *slot = sh->ring[sh->ring_pos % RING];
	size_t l = strlen(slot);

	snprintf(slot + l, DESC - l, " -> %s", errno_name(err));
	sh->ring_pos++;
	s->calls++;
	if (!err)
		s->ok++;
	else
		s->err[err < ERRMAX ? err : 0]++;
	sh->ops++;
	sh->progress++;
	sh->busy_since = 0;
	if (g_verbose)
		printf("  %s -> %s\n", desc, errno_name(err));
}

/*
 * Issue one iommufd command whose struct (@size bytes, first __u32 the size)
 * is at @s: placed in the arena with a random size mutation, the answer
 * copied back to @s (as far as the size given). Returns 0, errno, or -1
 * for a success whose reply could not be read (bad struct pointer).
 */
static int issue(struct ctx *c, enum op op, int fd, unsigned long req, void *s,
		 uint32_t size, unsigned int extra)
{
	unsigned int place = 0, x = rnd(&c->r, 100);
	uint32_t usize = size, tail = 0;
	uint8_t *arg = arena;
	bool nonzero_tail = false;
	char desc[DESC];
	int rc, err;

	memset(arena, 0, ARENA_LEN);
	if (x < 84) {
		place = 0;
	} else if (x < 88) {
		place = 1;		/* short */
		usize = rnd(&c->r, size);
	} else if (x < 92) {
		place = 2;		/* long, zero tail */
		tail = 1 + rnd(&c->r, 256);
		usize = size + tail;
	} else if (x < 95) {
		place = 3;		/* long, a non-zero byte past the struct */
		tail = 1 + rnd(&c->r, 256);
		usize = size + tail;
		nonzero_tail = true;
	} else if (x < 97) {
		place = 4;		/* ends at the unmapped page */
		tail = 1 + rnd(&c->r, 64);
		usize = size + tail;
		arg = arena + ARENA_LEN - size;
	} else if (x < 98) {
		place = 5;		/* huge size */
		usize = one_in(&c->r, 2) ? UINT32_MAX : (uint32_t)rng_next(&c->r);
	} else {
		place = 6;		/* bad pointer */
		switch (rnd(&c->r, 4)) {
		case 0: arg = NULL; break;
		case 1: arg = bufs[B_HOLE].p; break;
		case 2: arg = bufs[B_NONE].p; break;
		default: arg = (uint8_t *)(uintptr_t)0xffff888000001000ULL; break;
		}
	}
	if (place != 6) {
		memcpy(arg, s, size);
		memcpy(arg, &usize, sizeof(usize));
		if (nonzero_tail)
			arg[size + rnd(&c->r, tail)] = 1 + rnd(&c->r, 255);
	}
	/* show no byte past the arena: place 4 ends at its guard page */
	describe(desc, sizeof(desc), op, fd, req, place == 6 ? NULL : arg,
		 place == 6 ? usize :
		 usize < (uint32_t)(arena + ARENA_LEN - arg) ? usize :
		 (uint32_t)(arena + ARENA_LEN - arg), place);
	begin(desc);
	rc = ioctl(fd, req, arg);
	err = rc ? errno : 0;
	end(op, err, desc);
	if (rc > 0)
		problem("%s returned %d (iommufd ioctls return 0 or -1): %s",
			op_names[op], rc, desc);
	if (err && is_iommufd(c, fd) && !errno_documented(err) &&
	    !errno_extra_ok(err, extra))
		problem("%s: errno %s is not documented: %s", op_names[op],
			errno_name(err), desc);
	if (!err && nonzero_tail)
		problem("%s accepted a struct with a non-zero byte past its %u bytes: %s",
			op_names[op], size, desc);
	if (!err && place == 4)
		problem("%s succeeded although its struct runs into an unmapped page: %s",
			op_names[op], desc);
	/*
	 * The reply: the kernel writes back what userspace said it has. A short
	 * struct that succeeded still covers the outputs (every command's
	 * minimum size does), so they are used too; a bad pointer has none.
	 */
	if (!err && place != 6)
		memcpy(s, arg, usize < size ? usize : size);
	if (!err && place == 6)
		return -1;
	return err;
}

/* A plain syscall-level step (read, write, poll, close...), logged. */
static void plain_begin(enum op op, char *desc, size_t len, const char *fmt, ...)
{
	va_list ap;
	size_t pos = snprintf(desc, len, "%s ", op_names[op]);

	va_start(ap, fmt);
	vsnprintf(desc + pos, len - pos, fmt, ap);
	va_end(ap);
	begin(desc);
}

/* ---- generators: iommufd core ----------------------------------------------- */

static void g_destroy(struct ctx *c)
{
	struct iommu_destroy s = { .size = sizeof(s) };
	static const enum kind order[] = {
		K_VDEV, K_NESTED, K_VIOMMU, K_HWPT, K_DEV, K_STDEV, K_FAULT,
		K_IOAS,
	};

	s.id = pick_id(c, order[rnd(&c->r, ARRAY_LEN(order))]);
	issue(c, OP_DESTROY, pick_fd(c), IOMMU_DESTROY, &s, sizeof(s), 0);
}

static void g_ioas_alloc(struct ctx *c)
{
	struct iommu_ioas_alloc s = { .size = sizeof(s) };

	s.flags = one_in(&c->r, 20) ? (uint32_t)rng_next(&c->r) : 0;
	if (!issue(c, OP_IOAS_ALLOC, pick_fd(c), IOMMU_IOAS_ALLOC, &s, sizeof(s), 0))
		push_id(c, K_IOAS, s.out_ioas_id);
}

static void g_allow_iovas(struct ctx *c)
{
	struct iommu_ioas_allow_iovas s = { .size = sizeof(s) };
	struct iommu_iova_range *r = (void *)bufs[B_PRIV].p;
	uint32_t i, n = rnd(&c->r, 4);

	for (i = 0; i < n; i++) {
		r[i].start = one_in(&c->r, 2) ? pick_iova(c) : 0;
		r[i].last = one_in(&c->r, 3) ? UINT64_MAX :
			    r[i].start + pick_len(c) - 1;
	}
	s.ioas_id = pick_id(c, K_IOAS);
	s.num_iovas = one_in(&c->r, 15) ? (uint32_t)wild64(&c->r) : n;
	s.__reserved = pick_rsv(c);
	s.allowed_iovas = one_in(&c->r, 10) ? pick_uptr(c, 64) : U64P(r);
	issue(c, OP_IOAS_ALLOW_IOVAS, pick_fd(c), IOMMU_IOAS_ALLOW_IOVAS, &s,
	      sizeof(s), 0);
}

static void g_ioas_copy(struct ctx *c)
{
	struct iommu_ioas_copy s = { .size = sizeof(s) };

	s.flags = pick_flags(c, 7);
	s.dst_ioas_id = pick_id(c, K_IOAS);
	s.src_ioas_id = pick_id(c, K_IOAS);
	s.length = pick_len(c);
	s.dst_iova = pick_iova(c);
	s.src_iova = pick_iova(c);
	if (!issue(c, OP_IOAS_COPY, pick_fd(c), IOMMU_IOAS_COPY, &s, sizeof(s), 0))
		push_iova(c, s.dst_iova);
}

static void g_iova_ranges(struct ctx *c)
{
	struct iommu_ioas_iova_ranges s = { .size = sizeof(s) };

	s.ioas_id = pick_id(c, K_IOAS);
	s.num_iovas = one_in(&c->r, 10) ? (uint32_t)wild64(&c->r) :
		      rnd(&c->r, 6);
	s.__reserved = pick_rsv(c);
	s.allowed_iovas = pick_uptr(c, s.num_iovas * 16ULL);
	issue(c, OP_IOAS_IOVA_RANGES, pick_fd(c), IOMMU_IOAS_IOVA_RANGES, &s,
	      sizeof(s), 0);
}

static void g_ioas_map(struct ctx *c)
{
	struct iommu_ioas_map s = { .size = sizeof(s) };

	s.flags = pick_flags(c, 7);
	if (one_in(&c->r, 2))
		s.flags |= IOMMU_IOAS_MAP_READABLE;
	s.ioas_id = pick_id(c, K_IOAS);
	s.__reserved = pick_rsv(c);
	s.length = pick_len(c);
	s.user_va = pick_uptr(c, s.length);
	s.iova = pick_iova(c);
	if (!issue(c, OP_IOAS_MAP, pick_fd(c), IOMMU_IOAS_MAP, &s, sizeof(s), 0)) {
		unsigned int m = c->nmap++ % POOL;

		push_iova(c, s.iova);
		c->map[m].iova = s.iova;
		c->map[m].uptr = s.user_va;
		c->map[m].len = s.length;
	}
}

static void g_ioas_unmap(struct ctx *c)
{
	struct iommu_ioas_unmap s = { .size = sizeof(s) };

	s.ioas_id = pick_id(c, K_IOAS);
	if (one_in(&c->r, 5)) {
		s.iova = 0;
		s.length = UINT64_MAX;
	} else {
		s.iova = pick_iova(c);
		s.length = pick_len(c);
	}
	issue(c, OP_IOAS_UNMAP, pick_fd(c), IOMMU_IOAS_UNMAP, &s, sizeof(s),
	      XE_DEADLOCK);
}

static void g_option(struct ctx *c)
{
	struct iommu_option s = { .size = sizeof(s) };

	s.option_id = one_in(&c->r, 8) ? (uint32_t)rng_next(&c->r) :
		      rnd(&c->r, 2);
	s.op = one_in(&c->r, 8) ? (uint16_t)rng_next(&c->r) : rnd(&c->r, 2);
	s.__reserved = pick_rsv(c);
	s.object_id = one_in(&c->r, 2) ? 0 : pick_id(c, K_IOAS);
	s.val64 = one_in(&c->r, 6) ? wild64(&c->r) : rnd(&c->r, 2);
	issue(c, OP_OPTION, pick_fd(c), IOMMU_OPTION, &s, sizeof(s), 0);
}

static void g_vfio_ioas(struct ctx *c)
{
	struct iommu_vfio_ioas s = { .size = sizeof(s) };

	s.ioas_id = pick_id(c, K_IOAS);
	s.op = one_in(&c->r, 8) ? (uint16_t)rng_next(&c->r) : rnd(&c->r, 3);
	s.__reserved = pick_rsv(c);
	issue(c, OP_VFIO_IOAS, pick_fd(c), IOMMU_VFIO_IOAS, &s, sizeof(s), 0);
}

static void g_hwpt_alloc(struct ctx *c)
{
	struct iommu_hwpt_alloc s = { .size = sizeof(s) };

	s.flags = pick_flags(c, 0xf);
	s.dev_id = pick_id(c, K_DEV);
	s.pt_id = one_in(&c->r, 6) ? pick_id(c, K_HWPT) : pick_id(c, K_IOAS);
	s.__reserved = pick_rsv(c);
	if (one_in(&c->r, 10)) {
		s.data_type = (uint32_t)rng_next(&c->r);
		s.data_len = rnd(&c->r, 64);
		s.data_uptr = pick_uptr(c, s.data_len);
	}
	if (s.flags & IOMMU_HWPT_FAULT_ID_VALID)
		s.fault_id = pick_id(c, K_FAULT);
	s.__reserved2 = pick_rsv(c);
	if (!issue(c, OP_HWPT_ALLOC, pick_fd(c), IOMMU_HWPT_ALLOC, &s, sizeof(s), 0))
		push_id(c, K_HWPT, s.out_hwpt_id);
}

static void g_hwpt_alloc_nested(struct ctx *c)
{
	struct iommu_hwpt_alloc s = { .size = sizeof(s) };
	uint8_t *data = bufs[B_PRIV].p + 8 * FZ_PAGE;
	struct iommu_hwpt_mock_s1 *m = (void *)data;
	struct iommu_hwpt_selftest *st = (void *)data;
	struct iommu_hwpt_arm_smmuv3 *ste = (void *)data;
	struct iommu_hwpt_vtd_s1 *vtd = (void *)data;
	static const uint8_t cfgs[] = { 0, 4, 5, 5, 5, 6, 7 };

	memset(data, 0, 64);
	s.flags = one_in(&c->r, 3) ? pick_flags(c, 0xf) : 0;
	s.dev_id = pick_id(c, K_DEV);
	s.pt_id = one_in(&c->r, 2) ? pick_id(c, K_HWPT) : pick_id(c, K_VIOMMU);
	switch (rnd(&c->r, 9)) {
	case 7: case 8:
		/* VT-d first stage: a table somewhere in some IOAS */
		s.data_type = IOMMU_HWPT_DATA_VTD_S1;
		vtd->flags = one_in(&c->r, 6) ? wild64(&c->r) : rnd(&c->r, 8);
		vtd->pgtbl_addr = pick_iova(c) & ~0xfffULL;
		vtd->addr_width = one_in(&c->r, 6) ? (uint32_t)rng_next(&c->r) :
				  (one_in(&c->r, 3) ? 57 : 48);
		vtd->__reserved = pick_rsv(c);
		s.data_len = one_in(&c->r, 8) ? rnd(&c->r, 40) : sizeof(*vtd);
		break;
	case 5: case 6:
		/* SMMUv3 STE: mostly allowed fields, a CD table in some IOAS */
		s.data_type = IOMMU_HWPT_DATA_ARM_SMMUV3;
		ste->ste[0] = (uint64_t)(!one_in(&c->r, 8)) |
			      (uint64_t)cfgs[rnd(&c->r, sizeof(cfgs))] << 1 |
			      (uint64_t)rnd(&c->r, 4) << 4 |
			      (pick_iova(c) & 0xffffffffffc0ULL) |
			      (uint64_t)rnd(&c->r, 22) << 59;
		ste->ste[1] = rnd(&c->r, 256) | (uint64_t)rnd(&c->r, 2) << 27 |
			      (uint64_t)rnd(&c->r, 4) << 28;
		if (one_in(&c->r, 6))
			ste->ste[rnd(&c->r, 2)] ^= 1ULL << rnd(&c->r, 64);
		s.data_len = sizeof(*ste);
		break;
	case 0: case 1:
		s.data_type = IOMMU_HWPT_DATA_MOCK_S1;
		m->format = one_in(&c->r, 8) ? (uint32_t)rng_next(&c->r) :
			    1 + rnd(&c->r, 2);
		m->flags = pick_flags(c, IOMMU_MOCK_S1_BYPASS);
		m->ttbr = one_in(&c->r, 8) ? wild64(&c->r) :
			  rnd(&c->r, 1 << 20) * FZ_PAGE;
		m->asid = one_in(&c->r, 8) ? (uint32_t)rng_next(&c->r) :
			  rnd(&c->r, 64);
		m->__reserved = pick_rsv(c);
		s.data_len = sizeof(*m);
		break;
	case 2: case 3:
		s.data_type = IOMMU_HWPT_DATA_SELFTEST;
		st->iotlb = one_in(&c->r, 2) ? IOMMU_TEST_IOTLB_DEFAULT :
			    (uint32_t)rng_next(&c->r);
		s.data_len = sizeof(*st);
		break;
	default:
		s.data_type = rnd(&c->r, 3);
		s.data_len = rnd(&c->r, 33);
		break;
	}
	if (one_in(&c->r, 8))
		s.data_len = rnd(&c->r, 64);
	if (one_in(&c->r, 10))
		data[s.data_len + rnd(&c->r, 8)] = 1;
	s.data_uptr = one_in(&c->r, 12) ? pick_uptr(c, s.data_len) : U64P(data);
	if (s.flags & IOMMU_HWPT_FAULT_ID_VALID || one_in(&c->r, 4)) {
		s.flags |= IOMMU_HWPT_FAULT_ID_VALID;
		s.fault_id = pick_id(c, K_FAULT);
	}
	if (!issue(c, OP_HWPT_ALLOC_NESTED, pick_fd(c), IOMMU_HWPT_ALLOC, &s,
		   sizeof(s), 0))
		push_id(c, K_NESTED, s.out_hwpt_id);
}

static void g_hw_info(struct ctx *c)
{
	struct iommu_hw_info s = { .size = sizeof(s) };

	s.flags = pick_flags(c, IOMMU_HW_INFO_FLAG_INPUT_TYPE);
	s.dev_id = pick_id(c, K_DEV);
	s.data_len = one_in(&c->r, 8) ? (uint32_t)wild64(&c->r) :
		     rnd(&c->r, 128);
	s.data_uptr = pick_uptr(c, s.data_len);
	s.in_data_type = one_in(&c->r, 2) ? rnd(&c->r, 4) :
			 (one_in(&c->r, 2) ? IOMMU_HW_INFO_TYPE_MOCK :
			  IOMMU_HW_INFO_TYPE_SELFTEST);
	if (one_in(&c->r, 25))
		s.__reserved[rnd(&c->r, 3)] = 1;
	issue(c, OP_GET_HW_INFO, pick_fd(c), IOMMU_GET_HW_INFO, &s, sizeof(s), 0);
}

static uint32_t pick_hwpt_any(struct ctx *c)
{
	return one_in(&c->r, 4) ? pick_id(c, K_NESTED) : pick_id(c, K_HWPT);
}

static void g_set_dirty(struct ctx *c)
{
	struct iommu_hwpt_set_dirty_tracking s = { .size = sizeof(s) };

	s.flags = pick_flags(c, IOMMU_HWPT_DIRTY_TRACKING_ENABLE);
	s.hwpt_id = pick_hwpt_any(c);
	s.__reserved = pick_rsv(c);
	issue(c, OP_HWPT_SET_DIRTY, pick_fd(c), IOMMU_HWPT_SET_DIRTY_TRACKING,
	      &s, sizeof(s), 0);
}

static void g_get_dirty(struct ctx *c)
{
	struct iommu_hwpt_get_dirty_bitmap s = { .size = sizeof(s) };

	s.hwpt_id = pick_hwpt_any(c);
	s.flags = pick_flags(c, IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR);
	s.__reserved = pick_rsv(c);
	s.iova = pick_iova(c);
	s.length = pick_len(c);
	s.page_size = one_in(&c->r, 8) ? wild64(&c->r) :
		      1ULL << (9 + rnd(&c->r, 14));
	s.data = pick_uptr(c, 64);
	issue(c, OP_HWPT_GET_DIRTY, pick_fd(c), IOMMU_HWPT_GET_DIRTY_BITMAP, &s,
	      sizeof(s), 0);
}

/* Eight SMMUv3 commands: mostly forwarded opcodes, small vSIDs and ASIDs */
static void smmuv3_cmds(struct ctx *c, uint8_t *arr)
{
	static const uint8_t ops[] = { 0x10, 0x11, 0x12, 0x13, 0x30, 0x05,
				       0x06, 0x40, 0x03, 0x46 };
	uint64_t *cmd = (uint64_t *)arr;
	unsigned int i;

	for (i = 0; i < 8; i++, cmd += 2) {
		cmd[0] = ops[rnd(&c->r, sizeof(ops))] |
			 (uint64_t)rnd(&c->r, 2) << 11 |
			 (uint64_t)rnd(&c->r, 1 << 14) << 12 |
			 (uint64_t)rnd(&c->r, 64) << 32 |
			 (uint64_t)rnd(&c->r, 64) << 48;
		cmd[1] = one_in(&c->r, 2) ? pick_iova(c) | rnd(&c->r, 4096) :
			 wild64(&c->r);
		if (one_in(&c->r, 10))
			cmd[0] = wild64(&c->r);
	}
}

/* Eight VT-d first-stage invalidations (24 bytes each) */
static void vtd_invs(struct ctx *c, uint8_t *arr)
{
	struct iommu_hwpt_vtd_s1_invalidate *inv = (void *)arr;
	unsigned int i;

	for (i = 0; i < 8; i++, inv++) {
		inv->addr = one_in(&c->r, 8) ? wild64(&c->r) :
			    pick_iova(c) & ~0xfffULL;
		inv->npages = one_in(&c->r, 4) ? UINT64_MAX :
			      (one_in(&c->r, 8) ? wild64(&c->r) :
			       rnd(&c->r, 1024));
		inv->flags = one_in(&c->r, 8) ? (uint32_t)rng_next(&c->r) :
			     rnd(&c->r, 2);
		inv->__reserved = pick_rsv(c);
	}
}

static void g_invalidate(struct ctx *c)
{
	struct iommu_hwpt_invalidate s = { .size = sizeof(s) };
	uint8_t *arr = bufs[B_PRIV].p + 16 * FZ_PAGE;
	uint32_t i, n = rnd(&c->r, 5);

	/* entries: a plausible mix of the mock's and the selftest's layouts */
	for (i = 0; i < 8; i++) {
		uint32_t *w = (uint32_t *)(arr + i * 32);

		w[0] = rnd(&c->r, 5);
		w[1] = one_in(&c->r, 6) ? (uint32_t)rng_next(&c->r) : rnd(&c->r, 4);
		w[2] = rnd(&c->r, 64);
		w[3] = one_in(&c->r, 10);
		*(uint64_t *)(w + 4) = pick_iova(c);
		*(uint64_t *)(w + 6) = pick_len(c);
	}
	s.hwpt_id = one_in(&c->r, 3) ? pick_id(c, K_VIOMMU) : pick_hwpt_any(c);
	switch (rnd(&c->r, 8)) {
	case 0: case 1:
		s.data_type = IOMMU_HWPT_INVALIDATE_DATA_MOCK;
		s.entry_len = sizeof(struct iommu_mock_invalidate);
		break;
	case 2: case 3:
		s.data_type = IOMMU_HWPT_INVALIDATE_DATA_SELFTEST;
		s.entry_len = one_in(&c->r, 2) ?
			sizeof(struct iommu_hwpt_invalidate_selftest) :
			sizeof(struct iommu_viommu_invalidate_selftest);
		break;
	case 4:
		s.data_type = IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_INVALID;
		s.entry_len = 8;
		break;
	case 6:
		/* VT-d first-stage invalidations: ranges, all, bad fields */
		s.data_type = IOMMU_HWPT_INVALIDATE_DATA_VTD_S1;
		s.entry_len = one_in(&c->r, 6) ? rnd(&c->r, 40) : 24;
		vtd_invs(c, arr);
		break;
	case 5:
		s.data_type = IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3;
		s.entry_len = one_in(&c->r, 6) ? rnd(&c->r, 40) : 16;
		smmuv3_cmds(c, arr);
		break;
	default:
		s.data_type = one_in(&c->r, 2) ? rnd(&c->r, 3) :
			      (uint32_t)rng_next(&c->r);
		s.entry_len = rnd(&c->r, 64);
		break;
	}
	if (one_in(&c->r, 8))
		s.entry_len = one_in(&c->r, 2) ? (uint32_t)wild64(&c->r) :
			      rnd(&c->r, 40);
	s.entry_num = one_in(&c->r, 10) ? (uint32_t)wild64(&c->r) : n;
	s.data_uptr = one_in(&c->r, 8) ? pick_uptr(c, 64) : U64P(arr);
	s.__reserved = pick_rsv(c);
	issue(c, OP_HWPT_INVALIDATE, pick_fd(c), IOMMU_HWPT_INVALIDATE, &s,
	      sizeof(s), 0);
}

static void g_fault_alloc(struct ctx *c)
{
	struct iommu_fault_alloc s = { .size = sizeof(s) };

	s.flags = one_in(&c->r, 20) ? (uint32_t)rng_next(&c->r) : 0;
	if (!issue(c, OP_FAULT_QUEUE_ALLOC, pick_fd(c), IOMMU_FAULT_QUEUE_ALLOC,
		   &s, sizeof(s), 0)) {
		push_id(c, K_FAULT, s.out_fault_id);
		push_fd(c->ffd, &c->nff, s.out_fault_fd);
	}
}

static void g_map_file(struct ctx *c)
{
	struct iommu_ioas_map_file s = { .size = sizeof(s) };

	s.flags = pick_flags(c, 7);
	s.ioas_id = pick_id(c, K_IOAS);
	s.fd = one_in(&c->r, 4) ? (int)rnd(&c->r, 20) : memfd_fd;
	s.start = one_in(&c->r, 4) ? wild64(&c->r) : rnd(&c->r, 32) * FZ_PAGE;
	s.length = pick_len(c);
	s.iova = pick_iova(c);
	if (!issue(c, OP_IOAS_MAP_FILE, pick_fd(c), IOMMU_IOAS_MAP_FILE, &s,
		   sizeof(s), XE_BADF))
		push_iova(c, s.iova);
}

static void g_viommu_alloc(struct ctx *c)
{
	struct iommu_viommu_alloc s = { .size = sizeof(s) };
	struct iommu_viommu_selftest *d = (void *)(bufs[B_PRIV].p + 9 * FZ_PAGE);

	memset(d, 0, sizeof(*d));
	d->in_data = (uint32_t)rng_next(&c->r);
	s.flags = one_in(&c->r, 20) ? (uint32_t)rng_next(&c->r) : 0;
	switch (rnd(&c->r, 6)) {
	case 0: s.type = IOMMU_VIOMMU_TYPE_DEFAULT; break;
	case 1: case 2: s.type = IOMMU_VIOMMU_TYPE_MOCK; break;
	case 3: s.type = IOMMU_VIOMMU_TYPE_SELFTEST; break;
	case 4: s.type = IOMMU_VIOMMU_TYPE_ARM_SMMUV3; break;
	default: s.type = (uint32_t)rng_next(&c->r); break;
	}
	s.dev_id = pick_id(c, K_DEV);
	s.hwpt_id = pick_id(c, K_HWPT);
	if (s.type == IOMMU_VIOMMU_TYPE_SELFTEST || one_in(&c->r, 8)) {
		s.data_len = one_in(&c->r, 2) ? 8 : sizeof(*d);
		if (one_in(&c->r, 6))
			s.data_len = (uint32_t)wild64(&c->r);
		s.data_uptr = one_in(&c->r, 8) ? pick_uptr(c, 24) : U64P(d);
	}
	s.__reserved = pick_rsv(c);
	if (!issue(c, OP_VIOMMU_ALLOC, pick_fd(c), IOMMU_VIOMMU_ALLOC, &s,
		   sizeof(s), 0)) {
		push_id(c, K_VIOMMU, s.out_viommu_id);
		if (s.data_uptr == U64P(d) && d->out_mmap_length) {
			c->mmo[c->nmmo % POOL].off = d->out_mmap_offset;
			c->mmo[c->nmmo++ % POOL].len = d->out_mmap_length;
		}
	}
}

static void g_vdevice_alloc(struct ctx *c)
{
	struct iommu_vdevice_alloc s = { .size = sizeof(s) };

	s.viommu_id = pick_id(c, K_VIOMMU);
	s.dev_id = pick_id(c, K_DEV);
	s.virt_id = one_in(&c->r, 6) ? wild64(&c->r) : rnd(&c->r, 16);
	if (!issue(c, OP_VDEVICE_ALLOC, pick_fd(c), IOMMU_VDEVICE_ALLOC, &s,
		   sizeof(s), 0))
		push_id(c, K_VDEV, s.out_vdevice_id);
}

static void g_change_process(struct ctx *c)
{
	struct iommu_ioas_change_process s = { .size = sizeof(s) };

	s.__reserved = pick_rsv(c);
	issue(c, OP_IOAS_CHANGE_PROCESS, pick_fd(c), IOMMU_IOAS_CHANGE_PROCESS,
	      &s, sizeof(s), 0);
}

static void g_veventq_alloc(struct ctx *c)
{
	struct iommu_veventq_alloc s = { .size = sizeof(s) };

	s.viommu_id = pick_id(c, K_VIOMMU);
	s.type = one_in(&c->r, 2) ? IOMMU_VEVENTQ_TYPE_SELFTEST : rnd(&c->r, 3);
	s.veventq_depth = one_in(&c->r, 4) ? (uint32_t)wild64(&c->r) :
			  rnd(&c->r, 64);
	s.__reserved = pick_rsv(c);
	if (!issue(c, OP_VEVENTQ_ALLOC, pick_fd(c), IOMMU_VEVENTQ_ALLOC, &s,
		   sizeof(s), 0))
		push_fd(c->efd, &c->nef, s.out_veventq_fd);
}

static void g_hw_queue_alloc(struct ctx *c)
{
	struct iommu_hw_queue_alloc s = { .size = sizeof(s) };

	s.viommu_id = pick_id(c, K_VIOMMU);
	s.type = one_in(&c->r, 2) ? IOMMU_HW_QUEUE_TYPE_SELFTEST : rnd(&c->r, 3);
	s.index = rnd(&c->r, 3);
	s.nesting_parent_iova = pick_iova(c);
	s.length = pick_len(c);
	issue(c, OP_HW_QUEUE_ALLOC, pick_fd(c), IOMMU_HW_QUEUE_ALLOC, &s,
	      sizeof(s), 0);
}

/* Any number of the ';' type, any direction and size bits. */
static void g_raw_iommufd(struct ctx *c)
{
	uint32_t buf[32];
	unsigned long req;
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(buf); i++)
		buf[i] = one_in(&c->r, 3) ? (uint32_t)rng_next(&c->r) : 0;
	buf[0] = rnd(&c->r, 128);
	switch (rnd(&c->r, 3)) {
	case 0:
		req = _IO(IOMMUFD_TYPE, 0x80 + rnd(&c->r, 0x80));
		break;
	case 1:
		req = _IOC(rnd(&c->r, 4), IOMMUFD_TYPE, 0x80 + rnd(&c->r, 0x30),
			   rnd(&c->r, 128));
		break;
	default:
		req = (unsigned long)(uint32_t)rng_next(&c->r);
		break;
	}
	issue(c, OP_RAW_IOMMUFD, pick_fd(c), req, buf, sizeof(buf),
	      XE_BADFD | XE_BADE);
}

/* ---- generators: the module's own commands ------------------------------------ */

static void g_instance_info(struct ctx *c)
{
	struct iommu_mock_instance_info s = { .size = sizeof(s) };

	s.num_instances = one_in(&c->r, 8) ? (uint32_t)wild64(&c->r) :
			  rnd(&c->r, 6);
	s.instances_uptr = pick_uptr(c, s.num_instances * 56ULL);
	issue(c, OP_MOCK_INSTANCE_INFO, pick_fd(c), IOMMU_MOCK_INSTANCE_INFO, &s,
	      sizeof(s), 0);
}

static void g_device_alloc(struct ctx *c)
{
	struct iommu_mock_device_alloc s = { .size = sizeof(s) };

	s.flags = one_in(&c->r, 20) ? (uint32_t)rng_next(&c->r) : 0;
	s.instance_id = one_in(&c->r, 10) ? (uint32_t)rng_next(&c->r) :
			rnd(&c->r, 6);
	s.stream_id = one_in(&c->r, 10) ? (uint32_t)wild64(&c->r) :
		      rnd(&c->r, 300);
	s.__reserved = pick_rsv(c);
	if (!issue(c, OP_MOCK_DEVICE_ALLOC, pick_fd(c), IOMMU_MOCK_DEVICE_ALLOC,
		   &s, sizeof(s), 0))
		push_id(c, K_DEV, s.out_dev_id);
}

static uint32_t pick_pt(struct ctx *c)
{
	switch (rnd(&c->r, 6)) {
	case 0: case 1: case 2: return pick_id(c, K_IOAS);
	case 3: case 4: return pick_id(c, K_HWPT);
	default: return pick_id(c, K_NESTED);
	}
}

static void g_attach(struct ctx *c)
{
	struct iommu_mock_device_attach s = { .size = sizeof(s) };

	s.flags = pick_flags(c, IOMMU_MOCK_ATTACH_REPLACE |
			     IOMMU_MOCK_ATTACH_PASID);
	s.dev_id = pick_id(c, K_DEV);
	s.pt_id = pick_pt(c);
	s.pasid = one_in(&c->r, 2) ? pick_rsv(c) : (uint32_t)rnd(&c->r, 64);
	if (!issue(c, OP_MOCK_ATTACH, pick_fd(c), IOMMU_MOCK_DEVICE_ATTACH, &s,
		   sizeof(s), 0))
		push_id(c, K_HWPT, s.out_hwpt_id);
}

static void g_detach(struct ctx *c)
{
	struct iommu_mock_device_detach s = { .size = sizeof(s) };

	s.dev_id = pick_id(c, K_DEV);
	s.flags = pick_flags(c, IOMMU_MOCK_DETACH_PASID);
	s.pasid = one_in(&c->r, 2) ? pick_rsv(c) : (uint32_t)rnd(&c->r, 64);
	issue(c, OP_MOCK_DETACH, pick_fd(c), IOMMU_MOCK_DEVICE_DETACH, &s,
	      sizeof(s), 0);
}

static void g_resv_regions(struct ctx *c)
{
	struct iommu_device_resv_regions s = { .size = sizeof(s) };

	s.dev_id = pick_id(c, K_DEV);
	s.num_regions = one_in(&c->r, 8) ? (uint32_t)wild64(&c->r) :
			rnd(&c->r, 4);
	s.__reserved = pick_rsv(c);
	s.regions_uptr = pick_uptr(c, s.num_regions * 24ULL);
	issue(c, OP_MOCK_RESV_REGIONS, pick_fd(c), IOMMU_DEVICE_GET_RESV_REGIONS,
	      &s, sizeof(s), 0);
}

static void g_object_info(struct ctx *c)
{
	struct iommu_mock_object_info s = { .size = sizeof(s) };

	s.id = pick_id(c, rnd(&c->r, NR_KINDS));
	issue(c, OP_MOCK_OBJECT_INFO, pick_fd(c), IOMMU_MOCK_OBJECT_INFO, &s,
	      sizeof(s), 0);
}

static void g_dma(struct ctx *c)
{
	struct iommu_mock_dma s = { .size = sizeof(s) };

	s.flags = pick_flags(c, IOMMU_MOCK_DMA_WRITE | IOMMU_MOCK_DMA_PASID);
	s.dev_id = pick_id(c, K_DEV);
	s.pasid = one_in(&c->r, 2) ? pick_rsv(c) : (__u32)rnd(&c->r, 1U << 21);
	s.iova = pick_iova(c);
	s.length = one_in(&c->r, 10) ? wild64(&c->r) : 1 + rnd(&c->r, 16 * FZ_PAGE);
	s.uptr = pick_uptr(c, s.length);
	if (one_in(&c->r, 2)) {
		__u64 u, l;

		if (pick_mapped(c, &s.iova, &u, &l) && l <= 16 * FZ_PAGE)
			s.length = l;	/* uptr stays a buffer of ours */
	}
	issue(c, OP_MOCK_DMA, pick_fd(c), IOMMU_MOCK_DMA, &s, sizeof(s), 0);
}

/* ---- generators: upstream's IOMMU_TEST_CMD -------------------------------------- */

static int pick_access_fd(struct ctx *c)
{
	if (c->naf && !one_in(&c->r, 10))
		return c->afd[rnd(&c->r, c->naf)];
	if (c->nff && one_in(&c->r, 2))
		return c->ffd[rnd(&c->r, c->nff)];
	return one_in(&c->r, 2) ? pick_fd(c) : (int)rnd(&c->r, 40);
}

static int test_cmd(struct ctx *c, enum op op, struct iommu_test_cmd *t,
		    uint32_t top)
{
	t->size = sizeof(*t);
	t->op = top;
	t->__reserved = pick_rsv(c);
	if (one_in(&c->r, 30))
		t->last = 1;
	return issue(c, op, pick_fd(c), IOMMU_TEST_CMD, t, sizeof(*t),
		     XE_BADFD | XE_BADE);
}

static void g_t_add_reserved(struct ctx *c)
{
	struct iommu_test_cmd t = {};

	t.id = pick_id(c, K_IOAS);
	t.add_reserved.start = pick_iova(c);
	t.add_reserved.length = pick_len(c);
	test_cmd(c, OP_T_ADD_RESERVED, &t, IOMMU_TEST_OP_ADD_RESERVED);
}

static void g_t_mock_domain(struct ctx *c, bool flags)
{
	struct iommu_test_cmd t = {};

	t.id = one_in(&c->r, 4) ? pick_id(c, K_HWPT) : pick_id(c, K_IOAS);
	if (flags)
		t.mock_domain_flags.dev_flags = pick_flags(c, 7);
	if (!test_cmd(c, flags ? OP_T_MOCK_DOMAIN_FLAGS : OP_T_MOCK_DOMAIN, &t,
		      flags ? IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS :
			      IOMMU_TEST_OP_MOCK_DOMAIN)) {
		push_id(c, K_STDEV, t.mock_domain.out_stdev_id);
		push_id(c, K_HWPT, t.mock_domain.out_hwpt_id);
		push_id(c, K_DEV, t.mock_domain.out_idev_id);
	}
}

static void g_t_replace(struct ctx *c)
{
	struct iommu_test_cmd t = {};

	t.id = pick_id(c, K_STDEV);
	t.mock_domain_replace.pt_id = pick_pt(c);
	if (!test_cmd(c, OP_T_REPLACE, &t, IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE))
		push_id(c, K_HWPT, t.mock_domain_replace.pt_id);
}

static void g_t_check_map(struct ctx *c)
{
	struct iommu_test_cmd t = {};

	t.id = pick_hwpt_any(c);
	t.check_map.iova = pick_iova(c);
	t.check_map.length = pick_len(c);
	t.check_map.uptr = pick_uptr(c, t.check_map.length);
	pick_mapped(c, &t.check_map.iova, &t.check_map.uptr,
		    &t.check_map.length);
	test_cmd(c, OP_T_CHECK_MAP, &t, IOMMU_TEST_OP_MD_CHECK_MAP);
}

static void g_t_check_refs(struct ctx *c)
{
	struct iommu_test_cmd t = {};

	t.check_refs.length = one_in(&c->r, 10) ? wild64(&c->r) :
			      (1 + rnd(&c->r, 16)) * FZ_PAGE;
	t.check_refs.uptr = pick_uptr(c, t.check_refs.length);
	t.check_refs.refs = rnd(&c->r, 3);
	test_cmd(c, OP_T_CHECK_REFS, &t, IOMMU_TEST_OP_MD_CHECK_REFS);
}

static void g_t_check_iotlb(struct ctx *c)
{
	struct iommu_test_cmd t = {};

	t.id = pick_id(c, K_NESTED);
	t.check_iotlb.id = one_in(&c->r, 6) ? (uint32_t)rng_next(&c->r) :
			   rnd(&c->r, 5);
	t.check_iotlb.iotlb = one_in(&c->r, 2) ? IOMMU_TEST_IOTLB_DEFAULT : 0;
	test_cmd(c, OP_T_CHECK_IOTLB, &t, IOMMU_TEST_OP_MD_CHECK_IOTLB);
}

static void g_t_create_access(struct ctx *c)
{
	struct iommu_test_cmd t = {};

	t.id = pick_id(c, K_IOAS);
	t.create_access.flags = pick_flags(c,
					   MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES);
	if (!test_cmd(c, OP_T_CREATE_ACCESS, &t, IOMMU_TEST_OP_CREATE_ACCESS))
		push_fd(c->afd, &c->naf, t.create_access.out_access_fd);
}

static void g_t_access_pages(struct ctx *c)
{
	struct iommu_test_cmd t = {};
	__u64 iova, uptr, len;

	t.id = pick_access_fd(c);
	t.access_pages.flags = pick_flags(c, MOCK_FLAGS_ACCESS_WRITE |
					     MOCK_FLAGS_ACCESS_SYZ);
	t.access_pages.iova = pick_iova(c);
	if (t.access_pages.flags & MOCK_FLAGS_ACCESS_SYZ)
		t.access_pages.iova = rnd(&c->r, 4) |
				      (rnd(&c->r, 8) * FZ_PAGE) << 32;
	t.access_pages.length = pick_len(c);
	t.access_pages.uptr = pick_uptr(c, t.access_pages.length);
	if (!(t.access_pages.flags & MOCK_FLAGS_ACCESS_SYZ) &&
	    pick_mapped(c, &iova, &uptr, &len)) {
		t.access_pages.iova = iova;
		t.access_pages.uptr = uptr;
		t.access_pages.length = len;
	}
	if (!test_cmd(c, OP_T_ACCESS_PAGES, &t, IOMMU_TEST_OP_ACCESS_PAGES))
		push_id(c, K_APAGES, t.access_pages.out_access_pages_id);
}

static void g_t_destroy_access_pages(struct ctx *c)
{
	struct iommu_test_cmd t = {};

	t.id = pick_access_fd(c);
	t.destroy_access_pages.access_pages_id = pick_id(c, K_APAGES);
	test_cmd(c, OP_T_DESTROY_ACCESS_PAGES, &t,
		 IOMMU_TEST_OP_DESTROY_ACCESS_PAGES);
}

static void g_t_access_rw(struct ctx *c)
{
	struct iommu_test_cmd t = {};

	t.id = pick_access_fd(c);
	t.access_rw.iova = pick_iova(c);
	if (one_in(&c->r, 3))
		t.access_rw.iova += rnd(&c->r, FZ_PAGE);
	t.access_rw.length = one_in(&c->r, 10) ? wild64(&c->r) :
			     rnd(&c->r, 3 * FZ_PAGE);
	t.access_rw.uptr = pick_uptr(c, t.access_rw.length);
	t.access_rw.flags = pick_flags(c, MOCK_ACCESS_RW_WRITE |
					  MOCK_ACCESS_RW_SLOW_PATH |
					  MOCK_FLAGS_ACCESS_SYZ);
	test_cmd(c, OP_T_ACCESS_RW, &t, IOMMU_TEST_OP_ACCESS_RW);
}

static void g_t_access_replace(struct ctx *c)
{
	struct iommu_test_cmd t = {};

	t.id = pick_access_fd(c);
	t.access_replace_ioas.ioas_id = pick_id(c, K_IOAS);
	test_cmd(c, OP_T_ACCESS_REPLACE_IOAS, &t,
		 IOMMU_TEST_OP_ACCESS_REPLACE_IOAS);
}

static void g_t_mem_limit(struct ctx *c)
{
	struct iommu_test_cmd t = {};

	switch (rnd(&c->r, 4)) {
	case 0: t.memory_limit.limit = rnd(&c->r, 32); break;
	case 1: t.memory_limit.limit = (uint32_t)rng_next(&c->r); break;
	default: t.memory_limit.limit = 12 + rnd(&c->r, 65536); break;
	}
	test_cmd(c, OP_T_SET_TEMP_MEM_LIMIT, &t,
		 IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT);
}

static void g_t_dirty(struct ctx *c)
{
	struct iommu_test_cmd t = {};

	t.id = pick_id(c, K_HWPT);
	t.dirty.flags = one_in(&c->r, 10);
	t.dirty.iova = pick_iova(c);
	t.dirty.page_size = one_in(&c->r, 8) ? wild64(&c->r) :
			    1ULL << (11 + rnd(&c->r, 11));
	t.dirty.length = one_in(&c->r, 4) ? pick_len(c) :
			 t.dirty.page_size * (1 + rnd(&c->r, 64));
	t.dirty.uptr = pick_uptr(c, 64);
	test_cmd(c, OP_T_DIRTY, &t, IOMMU_TEST_OP_DIRTY);
}

static void g_t_trigger_iopf(struct ctx *c)
{
	struct iommu_test_cmd t = {};

	t.trigger_iopf.dev_id = pick_id(c, K_DEV);
	t.trigger_iopf.pasid = one_in(&c->r, 3) ? rnd(&c->r, 1 << 20) : 0;
	t.trigger_iopf.grpid = one_in(&c->r, 5) ? (uint32_t)rng_next(&c->r) :
			       rnd(&c->r, 4);
	t.trigger_iopf.perm = pick_flags(c, 0xf);
	t.trigger_iopf.addr = pick_iova(c);
	test_cmd(c, OP_T_TRIGGER_IOPF, &t, IOMMU_TEST_OP_TRIGGER_IOPF);
}

static void g_t_dev_check_cache(struct ctx *c)
{
	struct iommu_test_cmd t = {};

	t.id = pick_id(c, K_DEV);
	t.check_dev_cache.id = rnd(&c->r, 5);
	t.check_dev_cache.cache = IOMMU_TEST_DEV_CACHE_DEFAULT;
	test_cmd(c, OP_T_DEV_CHECK_CACHE, &t, IOMMU_TEST_OP_DEV_CHECK_CACHE);
}

static void g_t_trigger_vevent(struct ctx *c)
{
	struct iommu_test_cmd t = {};

	t.trigger_vevent.dev_id = pick_id(c, K_DEV);
	test_cmd(c, OP_T_TRIGGER_VEVENT, &t, IOMMU_TEST_OP_TRIGGER_VEVENT);
}

static void g_t_pasid(struct ctx *c)
{
	struct iommu_test_cmd t = {};
	uint32_t op = IOMMU_TEST_OP_PASID_ATTACH + rnd(&c->r, 4);

	t.id = pick_id(c, K_STDEV);
	t.pasid_attach.pasid = one_in(&c->r, 4) ? IOMMU_TEST_PASID_RESERVED :
			       rnd(&c->r, 1 << 20);
	t.pasid_attach.pt_id = pick_pt(c);
	test_cmd(c, OP_T_PASID, &t, op);
}

static void g_t_random_op(struct ctx *c)
{
	struct iommu_test_cmd t;
	uint64_t *w = (uint64_t *)&t;
	unsigned int i;

	for (i = 0; i < sizeof(t) / 8; i++)
		w[i] = one_in(&c->r, 2) ? rng_next(&c->r) : 0;
	t.id = pick_id(c, rnd(&c->r, NR_KINDS));
	test_cmd(c, OP_T_RANDOM_OP, &t,
		 one_in(&c->r, 2) ? rnd(&c->r, 40) : (uint32_t)rng_next(&c->r));
}

/* ---- generators: VFIO type1 compatibility ----------------------------------------- */

/*
 * VFIO structs begin with argsz, checked by the module itself rather than
 * the iommufd size rules; issue them with their own variations.
 */
static int vfio_call(struct ctx *c, enum op op, unsigned long req, void *s,
		     uint32_t len, bool is_ptr)
{
	char desc[DESC];
	uint8_t *arg = arena;
	unsigned long a;
	int rc, err;

	int fd = pick_fd(c);

	memset(arena, 0, ARENA_LEN);
	if (is_ptr) {
		memcpy(arena, s, len);
		if (one_in(&c->r, 20))
			arg = one_in(&c->r, 2) ? NULL : bufs[B_HOLE].p;
		else if (one_in(&c->r, 20))
			arg = arena + ARENA_LEN - len / 2;
		a = (unsigned long)arg;
	} else {
		a = len;
	}
	describe(desc, sizeof(desc), op, fd, req,
		 is_ptr && arg == arena ? arena : NULL, len, 0);
	begin(desc);
	rc = ioctl(fd, req, a);
	err = rc < 0 ? errno : 0;
	end(op, err, desc);
	if (err && is_iommufd(c, fd) && !errno_documented(err))
		problem("%s: errno %s is not documented: %s", op_names[op],
			errno_name(err), desc);
	if (!err && is_ptr && arg == arena)
		memcpy(s, arena, len);
	return err;
}

static void g_vfio_api(struct ctx *c)
{
	vfio_call(c, OP_VFIO_API_VERSION, VFIO_GET_API_VERSION, NULL,
		  (uint32_t)rng_next(&c->r), false);
}

static void g_vfio_check_ext(struct ctx *c)
{
	vfio_call(c, OP_VFIO_CHECK_EXT, VFIO_CHECK_EXTENSION, NULL,
		  one_in(&c->r, 4) ? (uint32_t)rng_next(&c->r) : rnd(&c->r, 12),
		  false);
}

static void g_vfio_set_iommu(struct ctx *c)
{
	static const uint32_t types[] = {
		VFIO_TYPE1_IOMMU, VFIO_TYPE1v2_IOMMU, VFIO_NOIOMMU_IOMMU,
		VFIO_SPAPR_TCE_IOMMU, 0, 10,
	};

	vfio_call(c, OP_VFIO_SET_IOMMU, VFIO_SET_IOMMU, NULL,
		  types[rnd(&c->r, ARRAY_LEN(types))], false);
}

static void g_vfio_get_info(struct ctx *c)
{
	struct vfio_iommu_type1_info s = {};
	uint8_t *big = bufs[B_PRIV].p + 20 * FZ_PAGE;

	s.argsz = one_in(&c->r, 3) ? rnd(&c->r, 256) : sizeof(s);
	if (one_in(&c->r, 3)) {
		/* whole reply with capability chain into a larger buffer */
		memset(big, 0, 512);
		memcpy(big, &s, sizeof(s));
		((struct vfio_iommu_type1_info *)big)->argsz = 8 + rnd(&c->r, 504);
		vfio_call(c, OP_VFIO_GET_INFO, VFIO_IOMMU_GET_INFO, big, 512,
			  true);
		return;
	}
	s.flags = one_in(&c->r, 8) ? (uint32_t)rng_next(&c->r) : 0;
	vfio_call(c, OP_VFIO_GET_INFO, VFIO_IOMMU_GET_INFO, &s, sizeof(s), true);
}

static void g_vfio_map(struct ctx *c)
{
	struct vfio_iommu_type1_dma_map s = { .argsz = sizeof(s) };

	if (one_in(&c->r, 10))
		s.argsz = rnd(&c->r, 64);
	s.flags = pick_flags(c, VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE);
	s.size = pick_len(c);
	s.vaddr = pick_uptr(c, s.size);
	s.iova = pick_iova(c);
	if (!vfio_call(c, OP_VFIO_MAP_DMA, VFIO_IOMMU_MAP_DMA, &s, sizeof(s),
		       true))
		push_iova(c, s.iova);
}

static void g_vfio_unmap(struct ctx *c)
{
	struct vfio_iommu_type1_dma_unmap s = { .argsz = sizeof(s) };

	if (one_in(&c->r, 10))
		s.argsz = rnd(&c->r, 64);
	s.flags = pick_flags(c, VFIO_DMA_UNMAP_FLAG_ALL |
				VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP |
				VFIO_DMA_UNMAP_FLAG_VADDR);
	s.iova = pick_iova(c);
	s.size = pick_len(c);
	vfio_call(c, OP_VFIO_UNMAP_DMA, VFIO_IOMMU_UNMAP_DMA, &s, sizeof(s),
		  true);
}

static void g_vfio_raw(struct ctx *c)
{
	uint32_t buf[16];
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(buf); i++)
		buf[i] = one_in(&c->r, 2) ? (uint32_t)rng_next(&c->r) : 0;
	buf[0] = rnd(&c->r, 64);
	vfio_call(c, OP_VFIO_RAW, _IO(VFIO_TYPE, VFIO_BASE + rnd(&c->r, 30)),
		  buf, sizeof(buf), true);
}

/* ---- generators: the VFIO device file of a mock device (drivers/vfio/) ----- */

static void check_io(enum op op, const char *desc, long rc, int err, int fd,
		     unsigned int extra);

/*
 * One device made at start (vfio_add on instance 0); each iteration opens
 * its file, binds it to one of its iommufds (or a wrong fd), attaches it to
 * known IDs, and sends VFIO ioctls and region I/O with wild arguments.
 */
#define VDEV_SID 0x7e00
static char vdev_path[96];

static int vdev_sysfs(const char *attr)
{
	char path[64], text[32];
	int fd, rc;

	snprintf(path, sizeof(path), "/sys/bus/mockiommu/%s", attr);
	snprintf(text, sizeof(text), "0 0x%x", VDEV_SID);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = write(fd, text, strlen(text)) < 0 ? -errno : 0;
	close(fd);
	return rc;
}

/* Make the device and find its node as QEMU would; "" if that failed */
static void vdev_setup(void)
{
	char dir[96];
	struct dirent *d;
	DIR *dp;

	if (vdev_sysfs("vfio_add"))
		return;
	snprintf(dir, sizeof(dir), "/sys/bus/mockiommu/devices/mockiommu0.%04x/vfio-dev",
		 VDEV_SID);
	dp = opendir(dir);
	while (dp && (d = readdir(dp))) {
		if (!strncmp(d->d_name, "vfio", 4) && strlen(d->d_name) < 40) {
			snprintf(vdev_path, sizeof(vdev_path), "/dev/vfio/devices/%s",
				 d->d_name);
			break;
		}
	}
	if (dp)
		closedir(dp);
}

static void g_vdev_open(struct ctx *c);
static void vdev_call(enum op op, int fd, unsigned long req, void *arg,
		      const char *what);

/* Mostly a device file (opened, and usually bound, when there is none) */
static int pick_vfd(struct ctx *c)
{
	if (!c->nvf && *vdev_path && !one_in(&c->r, 4))
		g_vdev_open(c);
	if (!c->nvf || one_in(&c->r, 30))
		return pick_fd(c);
	return c->vfd[rnd(&c->r, c->nvf)];
}

static void g_vdev_open(struct ctx *c)
{
	char desc[DESC];
	int fd;

	if (!*vdev_path || c->nvf >= POOL)
		return;
	plain_begin(OP_VDEV_OPEN, desc, sizeof(desc), "%s", vdev_path);
	fd = open(vdev_path, O_RDWR | O_CLOEXEC);
	end(OP_VDEV_OPEN, fd < 0 ? errno : 0, desc);
	if (fd >= 0) {
		c->vfd[c->nvf++] = fd;
		/* bound right away most of the time, so later calls go deep */
		if (c->nfd && rnd(&c->r, 3)) {
			struct { uint32_t argsz, flags; int32_t iommufd; uint32_t devid; } b = {
				.argsz = 16, .iommufd = c->fd[rnd(&c->r, c->nfd)],
			};

			vdev_call(OP_VDEV_BIND, fd, _IO(VFIO_TYPE, VFIO_BASE + 18), &b,
				  "BIND_IOMMUFD (after open)");
		}
	} else if (errno != ENODEV) {
		problem("open %s: %s", vdev_path, errno_name(errno));
	}
}

/* A VFIO ioctl on a device file, checked for documented errnos */
static void vdev_call(enum op op, int fd, unsigned long req, void *arg,
		      const char *what)
{
	char desc[DESC];
	int rc, err;

	plain_begin(op, desc, sizeof(desc), "fd=%d req=0x%lx %s", fd, req, what);
	rc = ioctl(fd, req, arg);
	err = rc < 0 ? errno : 0;
	end(op, err, desc);
	check_io(op, desc, rc, err, fd, XE_BADFD);
}

static void g_vdev_bind(struct ctx *c)
{
	struct { uint32_t argsz, flags; int32_t iommufd; uint32_t devid; uint64_t tok; } b = {
		.argsz = one_in(&c->r, 8) ? rnd(&c->r, 40) : 16 + 8 * rnd(&c->r, 2),
		.flags = one_in(&c->r, 8) ? (uint32_t)rng_next(&c->r) : 0,
		.iommufd = pick_fd(c),
		.tok = U64P(bufs[B_PRIV].p),
	};

	vdev_call(OP_VDEV_BIND, pick_vfd(c), _IO(VFIO_TYPE, VFIO_BASE + 18),
		  one_in(&c->r, 30) ? NULL : &b, "BIND_IOMMUFD");
}

static void g_vdev_attach(struct ctx *c)
{
	struct { uint32_t argsz, flags, pt_id, pasid; } a = {
		.argsz = one_in(&c->r, 8) ? rnd(&c->r, 24) : 12,
		.pt_id = pick_id(c, rnd(&c->r, 2) ? K_IOAS : K_HWPT),
	};
	bool detach = one_in(&c->r, 3);

	if (one_in(&c->r, 4)) {
		a.flags = 1;
		a.argsz += 4;
		a.pasid = one_in(&c->r, 2) ? rnd(&c->r, 4) : (uint32_t)rng_next(&c->r);
	}
	if (detach) {
		/* struct vfio_device_detach_iommufd_pt: argsz, flags, pasid */
		a.argsz -= 4;
		a.pt_id = a.pasid;
	}
	vdev_call(OP_VDEV_ATTACH, pick_vfd(c),
		  _IO(VFIO_TYPE, VFIO_BASE + (detach ? 20 : 19)), &a,
		  detach ? "DETACH_IOMMUFD_PT" : "ATTACH_IOMMUFD_PT");
}

/* INFO, REGION_INFO, IRQ_INFO, SET_IRQS, RESET, FEATURE, ... with wild args */
static void g_vdev_ioctl(struct ctx *c)
{
	uint32_t buf[32];
	unsigned int i, nr = 7 + rnd(&c->r, 12);	/* VFIO_BASE + 7..18 */

	for (i = 0; i < ARRAY_LEN(buf); i++)
		buf[i] = one_in(&c->r, 3) ? (uint32_t)rng_next(&c->r) : rnd(&c->r, 8);
	buf[0] = one_in(&c->r, 4) ? rnd(&c->r, 128) : 16 + 4 * rnd(&c->r, 8);
	if (nr == 10 && one_in(&c->r, 2)) {
		/* SET_IRQS: a plausible header, fds from this process */
		buf[1] = (1U << rnd(&c->r, 3)) | (1U << (3 + rnd(&c->r, 3)));
		buf[2] = rnd(&c->r, 6);
		buf[3] = rnd(&c->r, 3);
		buf[4] = rnd(&c->r, 3);
		buf[5] = (uint32_t)pick_fd(c);
		buf[6] = (uint32_t)-1;
	}
	vdev_call(OP_VDEV_IOCTL, pick_vfd(c), _IO(VFIO_TYPE, VFIO_BASE + nr),
		  one_in(&c->r, 40) ? NULL : buf, "wild");
}

static void g_vdev_rw(struct ctx *c)
{
	uint64_t off = ((uint64_t)rnd(&c->r, 10) << 40) +
		       (one_in(&c->r, 4) ? wild64(&c->r) & 0xffffffff : rnd(&c->r, 0x1100));
	size_t len = one_in(&c->r, 4) ? rnd(&c->r, 9000) : 1U << rnd(&c->r, 4);
	uint8_t *b = bufs[B_PRIV].p + 8 * FZ_PAGE;
	bool wr = one_in(&c->r, 2);
	int fd = pick_vfd(c);
	char desc[DESC];
	ssize_t rc;

	if (wr && rnd(&c->r, 3))
		memset(b, rnd(&c->r, 256), len);
	plain_begin(OP_VDEV_RW, desc, sizeof(desc), "fd=%d %s off=0x%" PRIx64 " len=%zu",
		    fd, wr ? "pwrite" : "pread", off, len);
	rc = wr ? pwrite(fd, b, len, off) : pread(fd, b, len, off);
	end(OP_VDEV_RW, rc < 0 ? errno : 0, desc);
	/* other files answer ESPIPE or EISDIR for positioned I/O */
	if (rc < 0 && (errno == ESPIPE || errno == EISDIR))
		return;
	check_io(OP_VDEV_RW, desc, rc, rc < 0 ? errno : 0, fd, XE_BADFD);
}

/* ---- generators: fault queue and access fds, the iommufd itself -------------------- */

static int pick_ffd(struct ctx *c)
{
	/* never a random number: read() on a terminal would block */
	if (c->nff && !one_in(&c->r, 10))
		return c->ffd[rnd(&c->r, c->nff)];
	if (c->naf && one_in(&c->r, 2))
		return c->afd[rnd(&c->r, c->naf)];
	return c->nfd ? c->fd[rnd(&c->r, c->nfd)] : -1;
}

static void check_io(enum op op, const char *desc, long rc, int err, int fd,
		     unsigned int extra)
{
	if (rc >= 0 || errno_documented(err) || errno_extra_ok(err, extra))
		return;
	/* EBADF: the fd was closed or never was one; EINVAL from VFS */
	if (err == EBADF || (err == EINVAL && fd >= 0))
		return;
	problem("%s: errno %s is not documented: %s", op_names[op],
		errno_name(err), desc);
}

static void g_fault_read(struct ctx *c)
{
	const size_t rec = sizeof(struct iommu_hwpt_pgfault);
	int fd = pick_ffd(c);
	size_t count;
	uint64_t ptr;
	char desc[DESC];
	ssize_t rc;
	int err;

	switch (rnd(&c->r, 5)) {
	case 0: count = rec; break;
	case 1: count = rec * (1 + rnd(&c->r, 8)); break;
	case 2: count = rnd(&c->r, 3 * rec); break;
	case 3: count = 0; break;
	default: count = rec * (1 + rnd(&c->r, 4)) + (one_in(&c->r, 2) ? 1 : 0); break;
	}
	ptr = one_in(&c->r, 5) ? pick_uptr(c, count) :
	      U64P(bufs[B_PRIV].p + 24 * FZ_PAGE);
	plain_begin(OP_FAULT_READ, desc, sizeof(desc), "fd=%d count=%zu buf=0x%" PRIx64,
		    fd, count, ptr);
	rc = read(fd, (void *)(uintptr_t)ptr, count);
	err = rc < 0 ? errno : 0;
	end(OP_FAULT_READ, err, desc);
	check_io(OP_FAULT_READ, desc, rc, err, fd, XE_SPIPE);
	if (rc > 0 && ptr == U64P(bufs[B_PRIV].p + 24 * FZ_PAGE)) {
		struct iommu_hwpt_pgfault *f = (void *)(uintptr_t)ptr;
		size_t i;

		if (rc % rec)
			problem("FAULT_READ returned %zd bytes, not whole records: %s",
				rc, desc);
		for (i = 0; i < (size_t)rc / rec; i++)
			c->cookie[c->ncookie++ % POOL] = f[i].cookie;
	}
}

/*
 * read() of a vEVENTQ: only whole records (a header, then the selftest
 * event's 4 bytes unless the header says events were lost), in sequence.
 */
static void g_veventq_read(struct ctx *c)
{
	uint8_t *buf = bufs[B_PRIV].p + 26 * FZ_PAGE;
	char desc[DESC];
	bool ev = c->nef && !one_in(&c->r, 10);
	size_t count, off = 0;
	ssize_t rc;
	int fd, err;

	fd = ev ? c->efd[rnd(&c->r, c->nef)] : pick_ffd(c);
	count = one_in(&c->r, 4) ? rnd(&c->r, 64) : 12 * (1 + rnd(&c->r, 8));
	plain_begin(OP_VEVENTQ_READ, desc, sizeof(desc), "fd=%d count=%zu", fd,
		    count);
	rc = read(fd, buf, count);
	err = rc < 0 ? errno : 0;
	end(OP_VEVENTQ_READ, err, desc);
	check_io(OP_VEVENTQ_READ, desc, rc, err, fd, XE_SPIPE);
	if (rc <= 0 || !ev)
		return;
	while (off + sizeof(struct iommufd_vevent_header) <= (size_t)rc) {
		struct iommufd_vevent_header *h = (void *)(buf + off);

		off += sizeof(*h);
		if (!(h->flags & IOMMU_VEVENTQ_FLAG_LOST_EVENTS))
			off += sizeof(struct iommu_viommu_event_selftest);
	}
	if (off != (size_t)rc)
		problem("VEVENTQ_READ returned %zd bytes, not whole records: %s",
			rc, desc);
}

static void g_fault_write(struct ctx *c)
{
	struct iommu_hwpt_page_response *r = (void *)(bufs[B_PRIV].p + 25 * FZ_PAGE);
	unsigned int i, n = 1 + rnd(&c->r, 4);
	int fd = pick_ffd(c);
	char desc[DESC];
	size_t count;
	ssize_t rc;
	int err;

	for (i = 0; i < n; i++) {
		r[i].cookie = c->ncookie && !one_in(&c->r, 4) ?
			c->cookie[rnd(&c->r, c->ncookie < POOL ? c->ncookie : POOL)] :
			(uint32_t)rnd(&c->r, 8);
		r[i].code = one_in(&c->r, 6) ? (uint32_t)rng_next(&c->r) :
			    rnd(&c->r, 2);
	}
	count = n * sizeof(*r);
	if (one_in(&c->r, 6))
		count = rnd(&c->r, 40);
	plain_begin(OP_FAULT_WRITE, desc, sizeof(desc), "fd=%d count=%zu cookie0=%u code0=%u",
		    fd, count, r[0].cookie, r[0].code);
	rc = write(fd, r, count);
	err = rc < 0 ? errno : 0;
	end(OP_FAULT_WRITE, err, desc);
	check_io(OP_FAULT_WRITE, desc, rc, err, fd, XE_SPIPE);
}

static void g_fault_poll(struct ctx *c)
{
	struct pollfd p = { .fd = pick_ffd(c), .events = POLLIN | POLLOUT };
	char desc[DESC];
	int rc, err;

	plain_begin(OP_FAULT_POLL, desc, sizeof(desc), "fd=%d", p.fd);
	rc = poll(&p, 1, 0);
	err = rc < 0 ? errno : 0;
	end(OP_FAULT_POLL, err, desc);
	check_io(OP_FAULT_POLL, desc, rc, err, p.fd, 0);
}

static void g_fault_pread(struct ctx *c)
{
	int fd = pick_ffd(c);
	char desc[DESC];
	ssize_t rc;
	int err;

	plain_begin(OP_FAULT_PREAD, desc, sizeof(desc), "fd=%d", fd);
	rc = pread(fd, bufs[B_PRIV].p + 24 * FZ_PAGE,
		   sizeof(struct iommu_hwpt_pgfault), 1 + rnd(&c->r, 64));
	err = rc < 0 ? errno : 0;
	end(OP_FAULT_PREAD, err, desc);
	check_io(OP_FAULT_PREAD, desc, rc, err, fd, XE_SPIPE);
}

static void close_one(struct ctx *c, enum op op, int *arr, int *n)
{
	char desc[DESC];
	unsigned int i;
	int fd;

	if (!*n) {
		plain_begin(op, desc, sizeof(desc), "nothing to close");
		end(op, 0, desc);
		return;
	}
	i = rnd(&c->r, *n);
	fd = arr[i];
	arr[i] = arr[--*n];
	plain_begin(op, desc, sizeof(desc), "fd=%d", fd);
	end(op, close(fd) ? errno : 0, desc);
}

/*
 * mmap() of an iommufd: a region a vIOMMU offered (or a wrong offset,
 * length, protection or sharing), touched once when it maps. Mappings
 * outlive their vIOMMU's destroy attempts and the fd's close.
 */
static void g_iommufd_mmap(struct ctx *c)
{
	uint64_t off = rnd(&c->r, 16) * FZ_PAGE, len = FZ_PAGE * (1 + rnd(&c->r, 3));
	int prot = PROT_READ | (one_in(&c->r, 4) ? 0 : PROT_WRITE);
	int flags = one_in(&c->r, 10) ? MAP_PRIVATE : MAP_SHARED;
	char desc[DESC];
	uint8_t *p;

	if (c->nmmo && !one_in(&c->r, 5)) {
		unsigned int i = rnd(&c->r, c->nmmo < POOL ? c->nmmo : POOL);

		off = c->mmo[i].off;
		len = one_in(&c->r, 8) ? c->mmo[i].len + FZ_PAGE : c->mmo[i].len;
	}
	if (one_in(&c->r, 20))
		prot |= PROT_EXEC;
	if (c->nvm >= POOL) {
		munmap(c->vm[0].p, c->vm[0].len);
		c->vm[0] = c->vm[--c->nvm];
	}
	plain_begin(OP_IOMMUFD_MMAP, desc, sizeof(desc),
		    "off=0x%llx len=0x%llx prot=%d flags=%d",
		    (unsigned long long)off, (unsigned long long)len, prot, flags);
	p = mmap(NULL, len, prot, flags, pick_fd(c), off);
	if (p == MAP_FAILED) {
		end(OP_IOMMUFD_MMAP, errno, desc);
		return;
	}
	/* A region that maps must be backed: a fault here is a problem */
	(void)*(volatile uint8_t *)(p + rnd(&c->r, len));
	if (prot & PROT_WRITE)
		*(volatile uint8_t *)(p + rnd(&c->r, len)) = (uint8_t)rng_next(&c->r);
	c->vm[c->nvm].p = p;
	c->vm[c->nvm++].len = len;
	end(OP_IOMMUFD_MMAP, 0, desc);
}

/* munmap() of a live mapping, whole or its first page only. */
static void g_iommufd_munmap(struct ctx *c)
{
	char desc[DESC];
	unsigned int i;
	size_t len;

	if (!c->nvm) {
		plain_begin(OP_IOMMUFD_MUNMAP, desc, sizeof(desc), "nothing mapped");
		end(OP_IOMMUFD_MUNMAP, 0, desc);
		return;
	}
	i = rnd(&c->r, c->nvm);
	len = one_in(&c->r, 4) ? FZ_PAGE : c->vm[i].len;
	plain_begin(OP_IOMMUFD_MUNMAP, desc, sizeof(desc), "len=0x%zx of 0x%zx",
		    len, c->vm[i].len);
	end(OP_IOMMUFD_MUNMAP, munmap(c->vm[i].p, len) ? errno : 0, desc);
	if (len == c->vm[i].len) {
		c->vm[i] = c->vm[--c->nvm];
	} else {
		c->vm[i].p = (uint8_t *)c->vm[i].p + len;
		c->vm[i].len -= len;
	}
}

/*
 * The whole chain upstream's vIOMMU tests build, with valid arguments on
 * one fd, so that random vEVENTQ, HW queue, mmap, PASID and destroy ops
 * find selftest vIOMMUs to work on: IOAS, selftest device, nest parent,
 * SELFTEST vIOMMU (its mmap region), vDEVICE, nested HWPT the device moves
 * to, vEVENTQ. Every object goes into the pools; the op's answer is the
 * first step that failed (its errno) or 0.
 */
static void g_viommu_recipe(struct ctx *c)
{
	struct iommu_viommu_selftest vd = { .in_data = 1 };
	struct iommu_hwpt_selftest nd = { .iotlb = IOMMU_TEST_IOTLB_DEFAULT };
	struct iommu_ioas_alloc ia = { .size = sizeof(ia) };
	struct iommu_test_cmd md = { .size = sizeof(md),
				     .op = IOMMU_TEST_OP_MOCK_DOMAIN };
	struct iommu_hwpt_alloc pa = { .size = sizeof(pa),
				       .flags = IOMMU_HWPT_ALLOC_NEST_PARENT };
	struct iommu_viommu_alloc va = { .size = sizeof(va),
					 .type = IOMMU_VIOMMU_TYPE_SELFTEST,
					 .data_len = sizeof(vd),
					 .data_uptr = U64P(&vd) };
	struct iommu_vdevice_alloc vv = { .size = sizeof(vv) };
	struct iommu_hwpt_alloc na = { .size = sizeof(na),
				       .data_type = IOMMU_HWPT_DATA_SELFTEST,
				       .data_len = sizeof(nd),
				       .data_uptr = U64P(&nd) };
	struct iommu_test_cmd rp = { .size = sizeof(rp),
				     .op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE };
	struct iommu_veventq_alloc eq = { .size = sizeof(eq),
					  .type = IOMMU_VEVENTQ_TYPE_SELFTEST };
	struct iommu_ioas_map qm = { .size = sizeof(qm),
				     .flags = IOMMU_IOAS_MAP_READABLE |
					      IOMMU_IOAS_MAP_WRITEABLE,
				     .user_va = U64P(bufs[B_PRIV].p + 27 * FZ_PAGE),
				     .length = FZ_PAGE };
	struct iommu_hw_queue_alloc hq = { .size = sizeof(hq),
					   .type = IOMMU_HW_QUEUE_TYPE_SELFTEST,
					   .length = FZ_PAGE };
	char desc[DESC];
	int fd, step = 0, err = 0;

	plain_begin(OP_VIOMMU_RECIPE, desc, sizeof(desc), "chain");
	if (!c->nfd) {
		end(OP_VIOMMU_RECIPE, EBADF, desc);
		return;
	}
	fd = c->fd[rnd(&c->r, c->nfd)];
#define STEP(req, arg) do { step++; if (ioctl(fd, req, arg)) { err = errno; goto out; } } while (0)
	STEP(IOMMU_IOAS_ALLOC, &ia);
	push_id(c, K_IOAS, ia.out_ioas_id);
	md.id = ia.out_ioas_id;
	STEP(IOMMU_TEST_CMD, &md);
	push_id(c, K_STDEV, md.mock_domain.out_stdev_id);
	push_id(c, K_DEV, md.mock_domain.out_idev_id);
	push_id(c, K_HWPT, md.mock_domain.out_hwpt_id);
	pa.dev_id = md.mock_domain.out_idev_id;
	pa.pt_id = ia.out_ioas_id;
	STEP(IOMMU_HWPT_ALLOC, &pa);
	push_id(c, K_HWPT, pa.out_hwpt_id);
	va.dev_id = pa.dev_id;
	va.hwpt_id = pa.out_hwpt_id;
	STEP(IOMMU_VIOMMU_ALLOC, &va);
	push_id(c, K_VIOMMU, va.out_viommu_id);
	if (vd.out_mmap_length) {
		c->mmo[c->nmmo % POOL].off = vd.out_mmap_offset;
		c->mmo[c->nmmo++ % POOL].len = vd.out_mmap_length;
	}
	vv.viommu_id = va.out_viommu_id;
	vv.dev_id = pa.dev_id;
	vv.virt_id = 1 + rnd(&c->r, 15);
	STEP(IOMMU_VDEVICE_ALLOC, &vv);
	push_id(c, K_VDEV, vv.out_vdevice_id);
	na.dev_id = pa.dev_id;
	na.pt_id = va.out_viommu_id;
	STEP(IOMMU_HWPT_ALLOC, &na);
	push_id(c, K_NESTED, na.out_hwpt_id);
	rp.id = md.mock_domain.out_stdev_id;
	rp.mock_domain_replace.pt_id = na.out_hwpt_id;
	STEP(IOMMU_TEST_CMD, &rp);
	eq.viommu_id = va.out_viommu_id;
	eq.veventq_depth = 1 + rnd(&c->r, 8);
	STEP(IOMMU_VEVENTQ_ALLOC, &eq);
	push_fd(c->efd, &c->nef, eq.out_veventq_fd);
	/* Half of the chains also get a HW queue on one page of the IOAS */
	if (one_in(&c->r, 2)) {
		qm.ioas_id = ia.out_ioas_id;
		STEP(IOMMU_IOAS_MAP, &qm);
		push_iova(c, qm.iova);
		hq.viommu_id = va.out_viommu_id;
		hq.nesting_parent_iova = qm.iova;
		STEP(IOMMU_HW_QUEUE_ALLOC, &hq);
	}
#undef STEP
out:
	snprintf(desc + strlen(desc), sizeof(desc) - strlen(desc), " step %d",
		 step);
	end(OP_VIOMMU_RECIPE, err, desc);
}

static void g_iommufd_open(struct ctx *c)
{
	char desc[DESC];
	int fd;

	if (c->nfd >= MAXFD) {
		close_one(c, OP_IOMMUFD_CLOSE, c->fd, &c->nfd);
		return;
	}
	plain_begin(OP_IOMMUFD_OPEN, desc, sizeof(desc), "%s", g_dev);
	fd = open(g_dev, O_RDWR | O_CLOEXEC);
	end(OP_IOMMUFD_OPEN, fd < 0 ? errno : 0, desc);
	if (fd < 0)
		problem("open %s: %s", g_dev, strerror(errno));
	else
		c->fd[c->nfd++] = fd;
}

/* ---- the iteration ------------------------------------------------------------------- */

static void run_op(struct ctx *c, enum op op)
{
	switch (op) {
	case OP_DESTROY: g_destroy(c); break;
	case OP_IOAS_ALLOC: g_ioas_alloc(c); break;
	case OP_IOAS_ALLOW_IOVAS: g_allow_iovas(c); break;
	case OP_IOAS_COPY: g_ioas_copy(c); break;
	case OP_IOAS_IOVA_RANGES: g_iova_ranges(c); break;
	case OP_IOAS_MAP: g_ioas_map(c); break;
	case OP_IOAS_UNMAP: g_ioas_unmap(c); break;
	case OP_OPTION: g_option(c); break;
	case OP_VFIO_IOAS: g_vfio_ioas(c); break;
	case OP_HWPT_ALLOC: g_hwpt_alloc(c); break;
	case OP_HWPT_ALLOC_NESTED: g_hwpt_alloc_nested(c); break;
	case OP_GET_HW_INFO: g_hw_info(c); break;
	case OP_HWPT_SET_DIRTY: g_set_dirty(c); break;
	case OP_HWPT_GET_DIRTY: g_get_dirty(c); break;
	case OP_HWPT_INVALIDATE: g_invalidate(c); break;
	case OP_FAULT_QUEUE_ALLOC: g_fault_alloc(c); break;
	case OP_IOAS_MAP_FILE: g_map_file(c); break;
	case OP_VIOMMU_ALLOC: g_viommu_alloc(c); break;
	case OP_VDEVICE_ALLOC: g_vdevice_alloc(c); break;
	case OP_IOAS_CHANGE_PROCESS: g_change_process(c); break;
	case OP_VEVENTQ_ALLOC: g_veventq_alloc(c); break;
	case OP_HW_QUEUE_ALLOC: g_hw_queue_alloc(c); break;
	case OP_RAW_IOMMUFD: g_raw_iommufd(c); break;
	case OP_MOCK_INSTANCE_INFO: g_instance_info(c); break;
	case OP_MOCK_DEVICE_ALLOC: g_device_alloc(c); break;
	case OP_MOCK_ATTACH: g_attach(c); break;
	case OP_MOCK_DETACH: g_detach(c); break;
	case OP_MOCK_RESV_REGIONS: g_resv_regions(c); break;
	case OP_MOCK_OBJECT_INFO: g_object_info(c); break;
	case OP_MOCK_DMA: g_dma(c); break;
	case OP_T_ADD_RESERVED: g_t_add_reserved(c); break;
	case OP_T_MOCK_DOMAIN: g_t_mock_domain(c, false); break;
	case OP_T_MOCK_DOMAIN_FLAGS: g_t_mock_domain(c, true); break;
	case OP_T_REPLACE: g_t_replace(c); break;
	case OP_T_CHECK_MAP: g_t_check_map(c); break;
	case OP_T_CHECK_REFS: g_t_check_refs(c); break;
	case OP_T_CHECK_IOTLB: g_t_check_iotlb(c); break;
	case OP_T_CREATE_ACCESS: g_t_create_access(c); break;
	case OP_T_ACCESS_PAGES: g_t_access_pages(c); break;
	case OP_T_DESTROY_ACCESS_PAGES: g_t_destroy_access_pages(c); break;
	case OP_T_ACCESS_RW: g_t_access_rw(c); break;
	case OP_T_ACCESS_REPLACE_IOAS: g_t_access_replace(c); break;
	case OP_T_SET_TEMP_MEM_LIMIT: g_t_mem_limit(c); break;
	case OP_T_DIRTY: g_t_dirty(c); break;
	case OP_T_TRIGGER_IOPF: g_t_trigger_iopf(c); break;
	case OP_T_DEV_CHECK_CACHE: g_t_dev_check_cache(c); break;
	case OP_T_TRIGGER_VEVENT: g_t_trigger_vevent(c); break;
	case OP_T_PASID: g_t_pasid(c); break;
	case OP_T_RANDOM_OP: g_t_random_op(c); break;
	case OP_VFIO_API_VERSION: g_vfio_api(c); break;
	case OP_VFIO_CHECK_EXT: g_vfio_check_ext(c); break;
	case OP_VFIO_SET_IOMMU: g_vfio_set_iommu(c); break;
	case OP_VFIO_GET_INFO: g_vfio_get_info(c); break;
	case OP_VFIO_MAP_DMA: g_vfio_map(c); break;
	case OP_VFIO_UNMAP_DMA: g_vfio_unmap(c); break;
	case OP_VFIO_RAW: g_vfio_raw(c); break;
	case OP_VDEV_OPEN: g_vdev_open(c); break;
	case OP_VDEV_BIND: g_vdev_bind(c); break;
	case OP_VDEV_ATTACH: g_vdev_attach(c); break;
	case OP_VDEV_IOCTL: g_vdev_ioctl(c); break;
	case OP_VDEV_RW: g_vdev_rw(c); break;
	case OP_VDEV_CLOSE: close_one(c, OP_VDEV_CLOSE, c->vfd, &c->nvf); break;
	case OP_FAULT_READ: g_fault_read(c); break;
	case OP_FAULT_WRITE: g_fault_write(c); break;
	case OP_FAULT_POLL: g_fault_poll(c); break;
	case OP_FAULT_PREAD: g_fault_pread(c); break;
	case OP_FAULT_CLOSE: close_one(c, op, c->ffd, &c->nff); break;
	case OP_ACCESS_CLOSE: close_one(c, op, c->afd, &c->naf); break;
	case OP_IOMMUFD_CLOSE: close_one(c, op, c->fd, &c->nfd); break;
	case OP_IOMMUFD_MMAP: g_iommufd_mmap(c); break;
	case OP_IOMMUFD_MUNMAP: g_iommufd_munmap(c); break;
	case OP_VIOMMU_RECIPE: g_viommu_recipe(c); break;
	case OP_VEVENTQ_READ: g_veventq_read(c); break;
	case OP_VEVENTQ_CLOSE: close_one(c, op, c->efd, &c->nef); break;
	case OP_IOMMUFD_OPEN: g_iommufd_open(c); break;
	case NR_OPS: break;
	}
}

static enum op pick_op(struct ctx *c)
{
	static unsigned int total;
	unsigned int i, x;

	if (!total)
		for (i = 0; i < NR_OPS; i++)
			total += op_weight[i];
	x = rnd(&c->r, total);
	for (i = 0; i < NR_OPS; i++) {
		if (x < op_weight[i])
			return i;
		x -= op_weight[i];
	}
	return OP_IOAS_ALLOC;
}

static void close_unknown_fds(void);

/* Close every fd of the iteration, in random order. */
static void close_all(struct ctx *c)
{
	int all[MAXFD + 4 * POOL], n = 0, i, j, t;

	/* A mapping holds its iommufd open: they go first */
	for (i = 0; i < (int)c->nvm; i++)
		munmap(c->vm[i].p, c->vm[i].len);
	c->nvm = c->nmmo = 0;
	for (i = 0; i < c->nef; i++)
		all[n++] = c->efd[i];
	for (i = 0; i < c->nfd; i++)
		all[n++] = c->fd[i];
	for (i = 0; i < c->naf; i++)
		all[n++] = c->afd[i];
	for (i = 0; i < c->nff; i++)
		all[n++] = c->ffd[i];
	for (i = 0; i < c->nvf; i++)
		all[n++] = c->vfd[i];
	for (i = n - 1; i > 0; i--) {
		j = rnd(&c->r, i + 1);
		t = all[i];
		all[i] = all[j];
		all[j] = t;
	}
	for (i = 0; i < n; i++)
		close(all[i]);
	c->nfd = c->naf = c->nff = c->nef = c->nvf = 0;
	close_unknown_fds();
}

static unsigned int refs_reported[NR_BUFS];
static int devs_reported = -1;
static long pin_reported;

/*
 * Files the iteration did not learn about (a reply it could not read) keep
 * their iommufd alive: close every anon-inode or device fd above stderr
 * that is not the memfd, and say so.
 */
static void close_unknown_fds(void)
{
	char path[64], target[256];
	struct dirent *de;
	DIR *d = opendir("/proc/self/fd");
	ssize_t n;
	int fd;

	if (!d)
		return;
	while ((de = readdir(d))) {
		fd = atoi(de->d_name);
		if (fd <= 2 || fd == memfd_fd || fd == dirfd(d))
			continue;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		n = readlink(path, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = 0;
		if (strncmp(target, "anon_inode:", 11) && strcmp(target, g_dev))
			continue;
		if (g_verbose)
			printf("# closing fd %d (%s) the iteration did not know\n",
			       fd, target);
		close(fd);
	}
	closedir(d);
}

/* Nothing pinned, no device left behind, limit back to upstream's default. */
static void check_clean(const char *when, int dev_baseline, bool all_bufs)
{
	struct iommu_test_cmd t = {};
	int fd, i, rc, devs;
	long pin;

	fd = open(g_dev, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		problem("%s: reopen %s: %s", when, g_dev, strerror(errno));
		return;
	}
	t.size = sizeof(t);
	t.op = IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT;
	t.memory_limit.limit = 65536;
	ioctl(fd, IOMMU_TEST_CMD, &t);
	for (i = 0; i < NR_BUFS; i++) {
		if (!bufs[i].refs_checkable || (!all_bufs && i == B_PRIV))
			continue;
		rc = check_refs(fd, bufs[i].p, bufs[i].len, 0);
		/* a lasting leak is reported once, not after every iteration */
		if (rc && !refs_reported[i]++)
			problem("%s: MD_CHECK_REFS refs=0 on buffer %s (%p, %" PRIu64
				" pages) failed: %s (a page is still pinned)",
				when, buf_names[i], bufs[i].p, bufs[i].len / FZ_PAGE,
				errno_name(-rc));
	}
	close(fd);
	devs = count_mock_devices();
	if (devs != dev_baseline && devs != devs_reported) {
		problem("%s: %d mock devices in sysfs, %d before the run",
			when, devs, dev_baseline);
		devs_reported = devs;
	}
	pin = proc_status_kb("VmPin");
	if (pin > 0 && pin != pin_reported) {
		problem("%s: VmPin is %ld kB with every iommufd closed", when, pin);
		pin_reported = pin;
	}
}

/* Without CAP_IPC_LOCK pinned pages are charged to RLIMIT_MEMLOCK. */
static void drop_ipc_lock(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return;
	d[CAP_IPC_LOCK / 32].effective &= ~(1U << (CAP_IPC_LOCK % 32));
	d[CAP_IPC_LOCK / 32].permitted &= ~(1U << (CAP_IPC_LOCK % 32));
	syscall(SYS_capset, &h, d);
}

static void iteration(uint64_t i, int dev_baseline)
{
	struct ctx c = {};
	unsigned int n, k;
	bool in_child, exit_open;
	pid_t pid = 0;
	int status;

	g_iter = i;
	sh->ring_pos = 0;
	c.r.s = rng_derive(g_seed, i);
	n = 20 + rnd(&c.r, 380);
	in_child = one_in(&c.r, 4);
	exit_open = in_child && one_in(&c.r, 2);
	if (g_verbose)
		printf("# iteration %" PRIu64 ": %u ops%s\n", i, n,
		       in_child ? (exit_open ? ", in a child that exits with its fds open" :
				   ", in a child") : "");
	if (in_child) {
		fflush(stdout);
		pid = fork();
		if (pid < 0) {
			problem("fork: %s", strerror(errno));
			return;
		}
	}
	if (!pid) {
		if (in_child && one_in(&c.r, 2)) {
			/* an unprivileged-like child: memlock accounting applies */
			struct rlimit rl = { 1 << 20, 1 << 20 };

			setrlimit(RLIMIT_MEMLOCK, &rl);
			drop_ipc_lock();
		}
		g_iommufd_open(&c);
		for (k = 0; k < n; k++) {
			if (!c.nfd && !one_in(&c.r, 4))
				g_iommufd_open(&c);
			run_op(&c, pick_op(&c));
		}
		if (exit_open) {
			fflush(stdout);
			_exit(0);
		}
		close_all(&c);
		if (in_child) {
			check_clean("after the child closed its fds", dev_baseline, true);
			fflush(stdout);
			_exit(0);
		}
	} else {
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			problem("iteration child ended with status 0x%x", status);
	}
	/* The parent's view: its own private pages were never the child's */
	check_clean("after the iteration", dev_baseline, !in_child);
}

/* ---- watchdog and main ----------------------------------------------------------------- */

static void *watchdog(void *arg)
{
	uint64_t last = 0, since = now_ms();

	(void)arg;
	for (;;) {
		sleep(1);
		if (sh->progress != last) {
			last = sh->progress;
			since = now_ms();
			continue;
		}
		if (now_ms() - since < g_watchdog_s * 1000ULL)
			continue;
		printf("PROBLEM: iommufd_fuzz seed 0x%" PRIx64 " iteration %" PRIu64
		       ": WATCHDOG: no progress for %u s; the command in flight (task %d/%d):\n#   %s\n",
		       g_seed, g_iter, g_watchdog_s, sh->busy_pid, sh->busy_tid,
		       sh->ring[sh->ring_pos % RING]);
		printf("#   its kernel stack:\n");
		dump_task("#     ", sh->busy_pid, sh->busy_tid);
		printf("#   replay: iommufd_fuzz -s 0x%" PRIx64 " -i %" PRIu64 " -v\n",
		       g_seed, g_iter);
		dump_ring();
		printf("iommufd_fuzz: seed 0x%" PRIx64 ", %" PRIu64 " iterations, %" PRIu64
		       " ops, %" PRIu64 " problems (watchdog)\n",
		       g_seed, g_iter, sh->ops, sh->problems + 1);
		fflush(stdout);
		if (sh->busy_pid != getpid())
			kill(sh->busy_pid, SIGKILL);
		_exit(3);
	}
	return NULL;
}

static int cmp_errcount(const void *a, const void *b)
{
	const uint32_t *x = a, *y = b;

	return (x[1] < y[1]) - (x[1] > y[1]);
}

static void print_stats(void)
{
	unsigned int i, e, n;
	uint32_t top[ERRMAX][2];

	printf("# %-26s %9s %9s  errnos (most frequent first)\n", "command",
	       "calls", "ok");
	for (i = 0; i < NR_OPS; i++) {
		struct op_stat *s = &sh->st[i];

		printf("# %-26s %9" PRIu64 " %9" PRIu64 " ", op_names[i],
		       s->calls, s->ok);
		for (e = 0, n = 0; e < ERRMAX; e++)
			if (s->err[e]) {
				top[n][0] = e;
				top[n++][1] = s->err[e];
			}
		qsort(top, n, sizeof(top[0]), cmp_errcount);
		for (e = 0; e < n && e < 5; e++)
			printf(" %s:%u", errno_name(top[e][0]), top[e][1]);
		printf("\n");
	}
}

static void usage(void)
{
	fprintf(stderr,
		"usage: iommufd_fuzz [-t seconds] [-s seed] [-n iterations] [-i iteration]\n"
		"                    [-d device] [-w watchdog_seconds] [-v]\n"
		"       [-x NAME,...]  (names of the summary table)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *seed_arg = NULL, *dev_arg = NULL;
	uint64_t seconds = 60, max_iter = UINT64_MAX, only = UINT64_MAX, i;
	uint64_t start;
	pthread_t wd;
	int opt, baseline, fd;

	while ((opt = getopt(argc, argv, "x:t:s:n:i:d:w:v")) != -1) {
		switch (opt) {
		case 't': seconds = strtoull(optarg, NULL, 0); break;
		case 's': seed_arg = optarg; break;
		case 'n': max_iter = strtoull(optarg, NULL, 0); break;
		case 'i': only = strtoull(optarg, NULL, 0); break;
		case 'd': dev_arg = optarg; break;
		case 'w': g_watchdog_s = strtoul(optarg, NULL, 0); break;
		case 'v': g_verbose = true; break;
		case 'x': fuzz_exclude(optarg, op_names, op_weight, NR_OPS); break;
		default: usage();
		}
	}
	g_seed = pick_seed(seed_arg);
	g_dev = pick_device(dev_arg);
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	setup_buffers();
	printf("iommufd_fuzz: seed 0x%" PRIx64 " device %s, %" PRIu64
	       " s, watchdog %u s, huge buffer: %s\n", g_seed, g_dev, seconds,
	       g_watchdog_s, huge_is_hugetlb ? "hugetlb" : "THP (madvise)");
	fd = open(g_dev, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		printf("iommufd_fuzz: cannot open %s: %s\n", g_dev, strerror(errno));
		return 2;
	}
	close(fd);
	vdev_setup();
	baseline = count_mock_devices();
	if (pthread_create(&wd, NULL, watchdog, NULL)) {
		printf("iommufd_fuzz: no watchdog thread\n");
		return 2;
	}
	start = now_ms();
	if (only != UINT64_MAX) {
		iteration(only, baseline);
		i = 1;
	} else {
		for (i = 0; i < max_iter; i++) {
			if (now_ms() - start >= seconds * 1000)
				break;
			iteration(i, baseline);
		}
	}
	g_iter = i;
	check_clean("at the end", baseline, true);
	/* every file of the device is closed: it must go */
	if (*vdev_path && vdev_sysfs("vfio_remove"))
		problem("vfio_remove of the fuzzer's device failed at the end");
	print_stats();
	printf("iommufd_fuzz: seed 0x%" PRIx64 ", %" PRIu64 " iterations, %" PRIu64
	       " ops, %" PRIu64 " problems\n", g_seed, i, sh->ops, sh->problems);
	return sh->problems ? 1 : 0;
}
