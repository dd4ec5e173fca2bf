// SPDX-License-Identifier: GPL-2.0
/*
 * iommufd_bench - side-by-side benchmark of upstream iommufd (/dev/iommu,
 * CONFIG_IOMMUFD + CONFIG_IOMMUFD_TEST) and iommufd_mock.ko
 * (/dev/iommufd-mock) in one boot.
 *
 * Both sides are driven through the same code: upstream's uAPI
 * (<linux/iommufd.h>) plus upstream's selftest command IOMMU_TEST_CMD
 * (MOCK_DOMAIN, CREATE_ACCESS, ACCESS_RW), which both implement. Only the
 * device DMA rows use the module's own IOMMU_MOCK_DMA (upstream has no such
 * command); they are compared with a plain userspace memcpy. The SMMUv3 rows
 * are of that kind too: DMA through a guest's stage-1 tables on the
 * module's SMMUv3 instance (IOTLB hit, 4-level walk, a walk that misses
 * stage 2, working sets around the IOTLB's capacity with its hit rate),
 * and so are the VT-d rows: DMA through a guest's x86-64 first-stage table
 * on the module's VT-d instance (IOTLB hit, 4-level walk, a walk whose
 * level-1 table misses stage 2).
 *
 * Every figure is measured in several rounds after an untimed warm-up;
 * rounds alternate which side goes first, and the per-call figures also
 * interleave the two sides in slices within each round. The table shows
 * each side's median over the rounds and, as the ratio, the median of the
 * per-round ratios module cost / upstream cost (time or bytes; for
 * throughput rows the inverse of the MB/s ratio), so lower is better and
 * <= 1.0 means the module is at least as fast or as small. Raw per-round
 * values follow the table.
 *
 * Usage: iommufd_bench [-r ROUNDS] [-u UPSTREAM_DEV] [-m MODULE_DEV] [-q]
 *   -q  quick: small counts (a smoke test of the program, not a benchmark)
 * Exit code: 0 if every figure could be measured on both sides, 1 otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/iommufd_mock.h>
#include "iommufd_test.h"
#include "../../selftests/smmuv3_guest.h"
#include "../../selftests/vtd_guest.h"

#ifndef MAP_HUGETLB
#define MAP_HUGETLB 0x40000
#endif
#ifndef MADV_NOHUGEPAGE
#define MADV_NOHUGEPAGE 15
#endif

#define SZ_4K (4096UL)
#define SZ_2M (2UL << 20)
#define SZ_16M (16UL << 20)
#define SZ_1G (1UL << 30)
/* First IOVA of upstream's mock aperture (MOCK_APERTURE_START). */
#define IOVA_BASE ((uint64_t)MOCK_APERTURE_START)
#define MAX_ROUNDS 15
/* Interleaved slices per round of the per-call figures. */
#define SLICES 20
/* Tries per round of the 1 GiB map/unmap rows; the best one counts. */
#define BIG_TRIES 3
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

enum { UP, MOD, NSIDES };
static const char *side_name[NSIDES] = { "upstream", "module" };
static const char *dev_path[NSIDES] = { "/dev/iommu", IOMMUFD_MOCK_DEVICE_PATH };

static int rounds = 5;
static bool quick;
static int failures;

/* Counts, shrunk by -q. */
static unsigned long n_null = 100000, n_alloc = 20000, n_small = 262144;
/* ACCESS_RW is slow under TCG (about 15 MB/s): fewer repetitions. */
static unsigned long big_len = SZ_1G, dma_len = SZ_16M, dma_reps = 16, acc_reps = 4;
static unsigned long obj_counts[3] = { 1000, 10000, 100000 };

/* Memory shared by both sides (same pages, same state). */
static char *buf4k;	/* big_len of 4 KiB pages, THP off, populated */
static char *bufhuge;	/* big_len of 2 MiB hugetlb pages, or NULL */
static char *dmabuf;	/* dma_len destination buffer */

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void fail(const char *what, int side, int err)
{
	fprintf(stderr, "bench: %s on %s: %s\n", what,
		side >= 0 ? side_name[side] : "-", strerror(err));
	failures++;
}

/* ---- one iommufd context: fd, IOAS and optionally a mock device ---- */

struct ctx {
	int fd;
	uint32_t ioas;
	uint32_t stdev, hwpt, idev;
};

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) ? -errno : 0;
}

static int ioas_alloc(int fd, uint32_t *id)
{
	struct iommu_ioas_alloc a = { .size = sizeof(a) };
	int rc = xioctl(fd, IOMMU_IOAS_ALLOC, &a);

	*id = a.out_ioas_id;
	return rc;
}

static int destroy(int fd, uint32_t id)
{
	struct iommu_destroy d = { .size = sizeof(d), .id = id };

	return xioctl(fd, IOMMU_DESTROY, &d);
}

static int map_fixed(int fd, uint32_t ioas, void *va, uint64_t len, uint64_t iova)
{
	struct iommu_ioas_map m = {
		.size = sizeof(m),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = ioas,
		.user_va = (uintptr_t)va,
		.length = len,
		.iova = iova,
	};

	return xioctl(fd, IOMMU_IOAS_MAP, &m);
}

static int unmap(int fd, uint32_t ioas, uint64_t iova, uint64_t len)
{
	struct iommu_ioas_unmap u = {
		.size = sizeof(u),
		.ioas_id = ioas,
		.iova = iova,
		.length = len,
	};
	int rc = xioctl(fd, IOMMU_IOAS_UNMAP, &u);

	if (!rc && u.length != len)
		rc = -EIO;
	return rc;
}

/* Upstream's selftest MOCK_DOMAIN: a mock device attached to @pt_id. */
static int mock_domain(struct ctx *c)
{
	struct iommu_test_cmd t = {
		.size = sizeof(t),
		.op = IOMMU_TEST_OP_MOCK_DOMAIN,
		.id = c->ioas,
	};
	int rc = xioctl(c->fd, IOMMU_TEST_CMD, &t);

	c->stdev = t.mock_domain.out_stdev_id;
	c->hwpt = t.mock_domain.out_hwpt_id;
	c->idev = t.mock_domain.out_idev_id;
	return rc;
}

static int ctx_open(struct ctx *c, int side, bool with_dev)
{
	int rc;

	memset(c, 0, sizeof(*c));
	c->fd = open(dev_path[side], O_RDWR);
	if (c->fd < 0) {
		rc = errno;
		fail(dev_path[side], side, rc);
		return -rc;
	}
	rc = ioas_alloc(c->fd, &c->ioas);
	if (rc) {
		fail("IOAS_ALLOC", side, -rc);
		goto out_close;
	}
	if (with_dev) {
		rc = mock_domain(c);
		if (rc) {
			fail("IOMMU_TEST_CMD MOCK_DOMAIN", side, -rc);
			goto out_close;
		}
	}
	return 0;
out_close:
	close(c->fd);
	c->fd = -1;
	return rc;
}

static void ctx_close(struct ctx *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* A formatted string that lives until exit (row names). */
static const char *fmt(const char *f, ...)
{
	va_list ap;
	char *p;

	va_start(ap, f);
	if (vasprintf(&p, f, ap) < 0)
		p = "?";
	va_end(ap);
	return p;
}

/* ---- results ---- */

enum kind { COST, THROUGHPUT };

struct row {
	const char *name;
	const char *unit;
	enum kind kind;
	int n[NSIDES];
	double v[NSIDES][MAX_ROUNDS];
	bool single;		/* one side only: v[MOD] vs a reference */
	const char *ref_name;	/* name of the reference for single rows */
};

#define MAX_ROWS 64
static struct row rows[MAX_ROWS];
static int nrows;

static struct row *row_new(const char *name, const char *unit, enum kind kind)
{
	struct row *r = &rows[nrows++];

	memset(r, 0, sizeof(*r));
	r->name = name;
	r->unit = unit;
	r->kind = kind;
	return r;
}

static void row_add(struct row *r, int side, double v)
{
	if (r && r->n[side] < MAX_ROUNDS)
		r->v[side][r->n[side]++] = v;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(const double *v, int n)
{
	double s[MAX_ROUNDS];

	memcpy(s, v, n * sizeof(*v));
	qsort(s, n, sizeof(*s), cmp_double);
	return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/*
 * Module/upstream cost ratio of round @k of a row (for MB/s rows the inverse
 * of the throughput ratio), or -1 when a side lacks that round.
 */
static double round_ratio(const struct row *r, int k)
{
	double up, mod;

	if (k >= r->n[UP] || k >= r->n[MOD])
		return -1;
	up = r->v[UP][k];
	mod = r->v[MOD][k];
	if (up <= 0 || mod <= 0)
		return -1;
	return r->kind == THROUGHPUT ? up / mod : mod / up;
}

/*
 * The ratio of a row: the median of its per-round ratios. The two sides of
 * a round ran back to back (or interleaved), so load from other jobs on the
 * machine, which drifts over seconds, mostly cancels in each round's ratio.
 * @lo and @hi get the smallest and largest per-round ratio.
 */
static double row_ratio(const struct row *r, double *lo, double *hi)
{
	double v[MAX_ROUNDS];
	int k, n = 0;

	for (k = 0; k < MAX_ROUNDS; k++) {
		double x = round_ratio(r, k);

		if (x < 0)
			continue;
		if (!n || x < *lo)
			*lo = x;
		if (!n || x > *hi)
			*hi = x;
		v[n++] = x;
	}
	return n ? median(v, n) : -1;
}

/* Order of the two sides in round @r: alternate who goes first. */
static int side_at(int r, int i)
{
	return (r % 2) ? (NSIDES - 1 - i) : i;
}

/* ---- memory ---- */

/*
 * Bytes of live slab objects: the sum over /proc/slabinfo's caches of
 * active_objs * objsize. Exact per cache (no per-CPU counter drift as in
 * /proc/meminfo); free objects of the per-CPU slabs count as live, which
 * blurs small populations by a few slabs.
 */
static long long slab_bytes(void)
{
	char line[512];
	long long sum = 0;
	FILE *f = fopen("/proc/slabinfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char name[128];
		unsigned long active, num, objsize;

		if (line[0] == '#' || !strncmp(line, "slabinfo", 8))
			continue;
		if (sscanf(line, "%127s %lu %lu %lu", name, &active, &num, &objsize) == 4)
			sum += (long long)active * objsize;
	}
	fclose(f);
	return sum;
}

static int setup_memory(void)
{
	unsigned long i;

	/* 4 KiB pages: THP off for this range, then every page faulted in. */
	buf4k = mmap(NULL, big_len, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf4k == MAP_FAILED) {
		fail("mmap 4 KiB buffer", -1, errno);
		return -1;
	}
	if (madvise(buf4k, big_len, MADV_NOHUGEPAGE))
		fail("madvise(MADV_NOHUGEPAGE)", -1, errno);
	for (i = 0; i < big_len; i += SZ_4K)
		buf4k[i] = (char)i;
	/* hugetlb 2 MiB folios, populated at mmap time */
	bufhuge = mmap(NULL, big_len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE,
		       -1, 0);
	if (bufhuge == MAP_FAILED) {
		fail("mmap MAP_HUGETLB buffer (nr_hugepages?)", -1, errno);
		bufhuge = NULL;
	} else {
		for (i = 0; i < big_len; i += SZ_2M)
			bufhuge[i] = (char)i;
	}
	dmabuf = mmap(NULL, dma_len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (dmabuf == MAP_FAILED) {
		fail("mmap DMA buffer", -1, errno);
		return -1;
	}
	memset(dmabuf, 0x5a, dma_len);
	return 0;
}

/* ---- figures ---- */

/* IOMMU_DESTROY of ID 0: the cheapest ioctl that reaches the object table. */
static void bench_null(void)
{
	struct row *r = row_new("null ioctl (DESTROY id 0 -> ENOENT)", "ns/op", COST);
	struct ctx c[NSIDES];
	int s, i, rd;

	for (s = 0; s < NSIDES; s++) {
		c[s].fd = open(dev_path[s], O_RDWR);
		if (c[s].fd < 0) {
			fail(dev_path[s], s, errno);
			continue;
		}
		i = destroy(c[s].fd, 0);
		if (i != -ENOENT) {
			fprintf(stderr, "bench: DESTROY 0 on %s gave %d, expected -ENOENT\n",
				side_name[s], i);
			failures++;
		}
	}
	/* Untimed warm-up (TCG translates each code path on first use). */
	for (s = 0; s < NSIDES; s++)
		for (i = 0; c[s].fd >= 0 && i < 1000; i++)
			destroy(c[s].fd, 0);
	/* Each round: SLICES slices per side, interleaved, summed per side. */
	for (rd = 0; rd < rounds; rd++) {
		double sum[NSIDES] = { 0 };
		int sl;

		for (sl = 0; sl < SLICES; sl++) {
			for (i = 0; i < NSIDES; i++) {
				unsigned long k;
				double t0;

				s = side_at(rd + sl, i);
				if (c[s].fd < 0)
					continue;
				t0 = now_ns();
				for (k = 0; k < n_null / SLICES; k++)
					destroy(c[s].fd, 0);
				sum[s] += now_ns() - t0;
			}
		}
		for (s = 0; s < NSIDES; s++)
			if (c[s].fd >= 0)
				row_add(r, s, sum[s] / (n_null / SLICES * SLICES));
	}
	for (s = 0; s < NSIDES; s++)
		if (c[s].fd >= 0)
			close(c[s].fd);
}

static void bench_ioas_alloc(void)
{
	struct row *r = row_new("IOAS alloc + destroy", "ns/op", COST);
	struct ctx c[NSIDES];
	int s, i, rd;

	for (s = 0; s < NSIDES; s++) {
		uint32_t id;

		ctx_open(&c[s], s, false);
		/* untimed warm-up */
		for (i = 0; c[s].fd >= 0 && i < 200; i++)
			if (!ioas_alloc(c[s].fd, &id))
				destroy(c[s].fd, id);
	}
	for (rd = 0; rd < rounds; rd++) {
		double sum[NSIDES] = { 0 };
		bool ok[NSIDES] = { true, true };
		int sl;

		for (sl = 0; sl < SLICES; sl++) {
			for (i = 0; i < NSIDES; i++) {
				unsigned long k;
				uint32_t id;
				double t0;
				int rc = 0;

				s = side_at(rd + sl, i);
				if (c[s].fd < 0 || !ok[s])
					continue;
				t0 = now_ns();
				for (k = 0; k < n_alloc / SLICES && !rc; k++) {
					rc = ioas_alloc(c[s].fd, &id);
					if (!rc)
						rc = destroy(c[s].fd, id);
				}
				sum[s] += now_ns() - t0;
				if (rc) {
					fail("IOAS alloc/destroy loop", s, -rc);
					ok[s] = false;
				}
			}
		}
		for (s = 0; s < NSIDES; s++)
			if (c[s].fd >= 0 && ok[s])
				row_add(r, s, sum[s] / (n_alloc / SLICES * SLICES));
	}
	for (s = 0; s < NSIDES; s++)
		ctx_close(&c[s]);
}

/* One IOAS_MAP and one IOAS_UNMAP of big_len with a mock device attached. */
static void bench_big(const char *what_map, const char *what_unmap, char *mem)
{
	struct row *rm = row_new(what_map, "ms", COST);
	struct row *ru = row_new(what_unmap, "ms", COST);
	struct ctx c[NSIDES];
	int s, i, rd;

	if (!mem) {
		failures++;
		return;
	}
	for (s = 0; s < NSIDES; s++) {
		/* untimed warm-up: the same calls on a sixteenth of the length */
		if (!ctx_open(&c[s], s, true) &&
		    !map_fixed(c[s].fd, c[s].ioas, mem, big_len / 16, IOVA_BASE))
			unmap(c[s].fd, c[s].ioas, IOVA_BASE, big_len / 16);
	}
	/*
	 * One map + unmap takes about a second under TCG, long enough for a
	 * burst of load from other jobs to land in it: each round keeps the
	 * best of BIG_TRIES interleaved tries per side (load only adds time).
	 */
	for (rd = 0; rd < rounds; rd++) {
		double bm[NSIDES] = { 0 }, bu[NSIDES] = { 0 };
		bool ok[NSIDES];
		int t;

		for (s = 0; s < NSIDES; s++)
			ok[s] = c[s].fd >= 0;
		for (t = 0; t < BIG_TRIES; t++) {
			for (i = 0; i < NSIDES; i++) {
				double t0, t1;
				int rc;

				s = side_at(rd + t, i);
				if (!ok[s])
					continue;
				t0 = now_ns();
				rc = map_fixed(c[s].fd, c[s].ioas, mem, big_len, IOVA_BASE);
				t1 = now_ns();
				if (rc) {
					fail(what_map, s, -rc);
					ok[s] = false;
					continue;
				}
				if (!t || t1 - t0 < bm[s])
					bm[s] = t1 - t0;
				t0 = now_ns();
				rc = unmap(c[s].fd, c[s].ioas, IOVA_BASE, big_len);
				t1 = now_ns();
				if (rc) {
					fail(what_unmap, s, -rc);
					ok[s] = false;
					continue;
				}
				if (!t || t1 - t0 < bu[s])
					bu[s] = t1 - t0;
			}
		}
		for (s = 0; s < NSIDES; s++) {
			if (!ok[s])
				continue;
			row_add(rm, s, bm[s] / 1e6);
			row_add(ru, s, bu[s] / 1e6);
		}
	}
	for (s = 0; s < NSIDES; s++)
		ctx_close(&c[s]);
}

/*
 * @n single-page maps at consecutive IOVAs (each its own IOAS_MAP), then
 * their @n single-page unmaps, with a mock device attached.
 */
static void bench_small(void)
{
	struct row *rm = row_new(fmt("%lu x 4 KiB IOAS_MAP (total)", n_small), "ms", COST);
	struct row *ru = row_new(fmt("%lu x 4 KiB IOAS_UNMAP (total)", n_small), "ms", COST);
	struct ctx c[NSIDES];
	int s, i, rd;

	for (s = 0; s < NSIDES; s++) {
		unsigned long j;

		if (ctx_open(&c[s], s, true))
			continue;
		/* untimed warm-up */
		for (j = 0; j < 256; j++)
			if (map_fixed(c[s].fd, c[s].ioas, buf4k + j * SZ_4K, SZ_4K,
				      IOVA_BASE + j * SZ_4K))
				break;
		unmap(c[s].fd, c[s].ioas, IOVA_BASE, 256 * SZ_4K);
	}
	/*
	 * Each round maps (then unmaps) the range in SLICES consecutive parts,
	 * alternating the sides part by part; the times are summed per side.
	 */
	for (rd = 0; rd < rounds; rd++) {
		double tm[NSIDES] = { 0 }, tu[NSIDES] = { 0 };
		bool ok[NSIDES];
		unsigned long per = n_small / SLICES, k, end;
		int sl, pass;

		for (s = 0; s < NSIDES; s++)
			ok[s] = c[s].fd >= 0;
		for (pass = 0; pass < 2; pass++) {
			for (sl = 0; sl < SLICES; sl++) {
				k = sl * per;
				end = sl == SLICES - 1 ? n_small : k + per;
				for (i = 0; i < NSIDES; i++) {
					unsigned long j;
					double t0;
					int rc = 0;

					s = side_at(rd + sl, i);
					if (!ok[s])
						continue;
					t0 = now_ns();
					for (j = k; j < end && !rc; j++)
						rc = pass ?
						     unmap(c[s].fd, c[s].ioas,
							   IOVA_BASE + j * SZ_4K, SZ_4K) :
						     map_fixed(c[s].fd, c[s].ioas,
							       buf4k + j * SZ_4K, SZ_4K,
							       IOVA_BASE + j * SZ_4K);
					(pass ? tu : tm)[s] += now_ns() - t0;
					if (rc) {
						fail(pass ? "4 KiB unmap loop" : "4 KiB map loop",
						     s, -rc);
						ok[s] = false;
						unmap(c[s].fd, c[s].ioas, IOVA_BASE, n_small * SZ_4K);
					}
				}
			}
		}
		for (s = 0; s < NSIDES; s++) {
			if (!ok[s])
				continue;
			row_add(rm, s, tm[s] / 1e6);
			row_add(ru, s, tu[s] / 1e6);
		}
	}
	for (s = 0; s < NSIDES; s++)
		ctx_close(&c[s]);
}

/*
 * @count IOAS objects (or @count 4 KiB mappings in one IOAS with a device
 * attached) alive at once: creation time per object and the growth of live
 * slab bytes per object (slab_bytes()), read while the objects exist; they
 * are destroyed afterwards.
 */
static void bench_population(unsigned long count, bool mappings)
{
	const char *what = mappings ? "4 KiB mappings (device attached)" : "IOAS objects";
	struct row *rt, *rs;
	int s, i, rd;

	rt = row_new(fmt("%luk %s: create", count / 1000, what), "ns/obj", COST);
	rs = row_new(fmt("%luk %s: slab", count / 1000, what), "B/obj", COST);

	for (rd = 0; rd < rounds; rd++) {
		for (i = 0; i < NSIDES; i++) {
			long long slab0, slab1;
			unsigned long k;
			struct ctx c;
			double t0, t1;
			uint32_t *ids = NULL;
			int rc = 0;

			s = side_at(rd, i);
			if (ctx_open(&c, s, mappings))
				continue;
			if (!mappings) {
				ids = calloc(count, sizeof(*ids));
				if (!ids) {
					fail("calloc", s, ENOMEM);
					ctx_close(&c);
					continue;
				}
			}
			slab0 = slab_bytes();
			if (slab0 < 0)
				fail("read /proc/slabinfo", s, errno);
			t0 = now_ns();
			for (k = 0; k < count && !rc; k++) {
				if (mappings)
					rc = map_fixed(c.fd, c.ioas, buf4k + k * SZ_4K,
						       SZ_4K, IOVA_BASE + k * SZ_4K);
				else
					rc = ioas_alloc(c.fd, &ids[k]);
			}
			t1 = now_ns();
			slab1 = slab_bytes();
			if (rc) {
				fail(mappings ? "mapping population" : "IOAS population", s, -rc);
			} else {
				row_add(rt, s, (t1 - t0) / count);
				if (slab0 >= 0 && slab1 >= 0)
					row_add(rs, s, (double)(slab1 - slab0) / count);
			}
			if (mappings)
				unmap(c.fd, c.ioas, IOVA_BASE, count * SZ_4K);
			else
				for (k = 0; k < count; k++)
					if (ids[k])
						destroy(c.fd, ids[k]);
			free(ids);
			ctx_close(&c);
		}
	}
}

/* MB/s of @reps copies of @len bytes taking @ns. */
static double mbps(unsigned long len, unsigned long reps, double ns)
{
	return (double)len * reps / (1 << 20) / (ns / 1e9);
}

/* Upstream's IOMMU_TEST_OP_ACCESS_RW (emulated access), both sides. */
static void bench_access_rw(void)
{
	struct row *rr = row_new(fmt("ACCESS_RW read %lu MiB (test access)", dma_len >> 20), "MB/s", THROUGHPUT);
	struct row *rw = row_new(fmt("ACCESS_RW write %lu MiB (test access)", dma_len >> 20), "MB/s", THROUGHPUT);
	struct ctx c[NSIDES];
	int afd[NSIDES];
	int s, i, rd, dir;

	for (s = 0; s < NSIDES; s++) {
		struct iommu_test_cmd t = {
			.size = sizeof(t),
			.op = IOMMU_TEST_OP_CREATE_ACCESS,
		};
		int rc;

		afd[s] = -1;
		if (ctx_open(&c[s], s, true))
			continue;
		rc = map_fixed(c[s].fd, c[s].ioas, buf4k, dma_len, IOVA_BASE);
		if (rc) {
			fail("ACCESS_RW: map", s, -rc);
			ctx_close(&c[s]);
			continue;
		}
		t.id = c[s].ioas;
		rc = xioctl(c[s].fd, IOMMU_TEST_CMD, &t);
		if (rc) {
			fail("CREATE_ACCESS", s, -rc);
			ctx_close(&c[s]);
			continue;
		}
		afd[s] = t.create_access.out_access_fd;
		/* untimed warm-up: one call in each direction */
		for (dir = 0; dir < 2; dir++) {
			struct iommu_test_cmd w = {
				.size = sizeof(w),
				.op = IOMMU_TEST_OP_ACCESS_RW,
				.id = afd[s],
				.access_rw = {
					.iova = IOVA_BASE,
					.length = dma_len,
					.uptr = (uintptr_t)dmabuf,
					.flags = dir ? MOCK_ACCESS_RW_WRITE : 0,
				},
			};

			xioctl(c[s].fd, IOMMU_TEST_CMD, &w);
		}
	}
	for (rd = 0; rd < rounds; rd++) {
		for (dir = 0; dir < 2; dir++) {
			for (i = 0; i < NSIDES; i++) {
				struct iommu_test_cmd t = {
					.size = sizeof(t),
					.op = IOMMU_TEST_OP_ACCESS_RW,
					.access_rw = {
						.iova = IOVA_BASE,
						.length = dma_len,
						.uptr = (uintptr_t)dmabuf,
						.flags = dir ? MOCK_ACCESS_RW_WRITE : 0,
					},
				};
				unsigned long k;
				double t0;
				int rc = 0;

				s = side_at(rd, i);
				if (afd[s] < 0)
					continue;
				t.id = afd[s];
				t0 = now_ns();
				for (k = 0; k < acc_reps && !rc; k++)
					rc = xioctl(c[s].fd, IOMMU_TEST_CMD, &t);
				if (rc) {
					fail("ACCESS_RW", s, -rc);
					continue;
				}
				row_add(dir ? rw : rr, s, mbps(dma_len, acc_reps, now_ns() - t0));
			}
		}
	}
	for (s = 0; s < NSIDES; s++) {
		if (afd[s] >= 0)
			close(afd[s]);
		ctx_close(&c[s]);
	}
}

/*
 * The module's IOMMU_MOCK_DMA through one of its own mock devices, against
 * memcpy of the same size in userspace (upstream has no DMA command). The
 * "upstream" column of these rows holds the memcpy figure.
 */
static void bench_dma(void)
{
	struct row *rr = row_new(fmt("MOCK_DMA read %lu MiB (module) vs memcpy", dma_len >> 20), "MB/s", THROUGHPUT);
	struct row *rw = row_new(fmt("MOCK_DMA write %lu MiB (module) vs memcpy", dma_len >> 20), "MB/s", THROUGHPUT);
	struct iommu_mock_device_alloc da = { .size = sizeof(da), .stream_id = 1 };
	struct iommu_mock_device_attach at = { .size = sizeof(at) };
	struct iommu_ioas_map m = {
		.size = sizeof(m),
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE,
		.user_va = (uintptr_t)buf4k,
		.length = dma_len,
	};
	struct ctx c;
	int rd, dir, i, rc;

	rr->single = rw->single = true;
	rr->ref_name = rw->ref_name = "memcpy";
	if (ctx_open(&c, MOD, false))
		return;
	rc = xioctl(c.fd, IOMMU_MOCK_DEVICE_ALLOC, &da);
	if (rc) {
		fail("IOMMU_MOCK_DEVICE_ALLOC", MOD, -rc);
		goto out;
	}
	at.dev_id = da.out_dev_id;
	at.pt_id = c.ioas;
	rc = xioctl(c.fd, IOMMU_MOCK_DEVICE_ATTACH, &at);
	if (rc) {
		fail("IOMMU_MOCK_DEVICE_ATTACH", MOD, -rc);
		goto out;
	}
	m.ioas_id = c.ioas;
	rc = xioctl(c.fd, IOMMU_IOAS_MAP, &m);
	if (rc) {
		fail("DMA: IOAS_MAP", MOD, -rc);
		goto out;
	}
	/* untimed warm-up: one DMA and one memcpy in each direction */
	for (dir = 0; dir < 2; dir++) {
		struct iommu_mock_dma d = {
			.size = sizeof(d),
			.flags = dir ? IOMMU_MOCK_DMA_WRITE : 0,
			.dev_id = da.out_dev_id,
			.iova = m.iova,
			.length = dma_len,
			.uptr = (uintptr_t)dmabuf,
		};

		xioctl(c.fd, IOMMU_MOCK_DMA, &d);
		memcpy(dir ? buf4k : dmabuf, dir ? dmabuf : buf4k, dma_len);
	}
	for (rd = 0; rd < rounds; rd++) {
		for (dir = 0; dir < 2; dir++) {
			for (i = 0; i < NSIDES; i++) {
				int s = side_at(rd, i);
				unsigned long k;
				double t0;

				t0 = now_ns();
				if (s == UP) {
					/* memcpy of the same bytes, same direction */
					for (k = 0; k < dma_reps; k++) {
						if (dir)
							memcpy(buf4k, dmabuf, dma_len);
						else
							memcpy(dmabuf, buf4k, dma_len);
						__asm__ volatile("" ::: "memory");
					}
				} else {
					struct iommu_mock_dma d = {
						.size = sizeof(d),
						.flags = dir ? IOMMU_MOCK_DMA_WRITE : 0,
						.dev_id = da.out_dev_id,
						.iova = m.iova,
						.length = dma_len,
						.uptr = (uintptr_t)dmabuf,
					};

					rc = 0;
					for (k = 0; k < dma_reps && !rc; k++)
						rc = xioctl(c.fd, IOMMU_MOCK_DMA, &d);
					if (rc) {
						fail("IOMMU_MOCK_DMA", MOD, -rc);
						continue;
					}
				}
				row_add(dir ? rw : rr, s, mbps(dma_len, dma_reps, now_ns() - t0));
			}
		}
	}
out:
	ctx_close(&c);
}

/* ---- SMMUv3: the cost of a nested DMA through the guest's tables ---- */

/*
 * The module's SMMUv3 instance with a "guest" built as in the selftests
 * (selftests/smmuv3_guest.h): a CD and a 4-level stage-1 table (4 KiB
 * granule, T0SZ 16) in guest RAM mapped in the nest parent, each data page
 * mapped at its own VA. Every figure is ns per 4 KiB page read by the
 * device (IOMMU_MOCK_DMA) against a userspace memcpy of the same bytes in
 * the same round, in the "upstream" column; upstream has no such device.
 */
#define SMMU_GPA	0x40000000ULL
#define SMMU_VA		0x8000000000ULL		/* data page i at SMMU_VA + i * 4K */
#define SMMU_VA_S2MISS	(SMMU_VA + (1ULL << 30)) /* its leaf table is not in stage 2 */
#define SMMU_HOLE_IPA	0x200000000ULL		/* an IPA outside guest RAM */
#define SMMU_PSID	0x10
#define SMMU_VSID	0x8
#define SMMU_ASID	0x1
#define SMMU_BULK	128			/* pages per call of the bulk rows */
#define SMMU_PAGES_ROUND 8192			/* pages per round and figure */

struct smmu_bench {
	int fd;
	uint32_t dev, ioas, s2, viommu, vdev, nested;
	struct guest_ram g;
	uint64_t data;		/* IPA of data page 0 */
	unsigned long npages;	/* data pages mapped in stage 1 */
	unsigned int entries;	/* smmuv3_iotlb_entries */
	char *buf;		/* destination of reads and memcpy */
};

/* The module parameter, or the default when sysfs does not say. */
static unsigned int smmu_iotlb_entries(void)
{
	FILE *f = fopen("/sys/module/iommufd_mock/parameters/smmuv3_iotlb_entries", "r");
	unsigned int v = 0;

	if (f) {
		if (fscanf(f, "%u", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v ? v : 256;
}

static int smmu_dma(struct smmu_bench *b, uint64_t va, unsigned long pages,
		    struct iommu_mock_dma *d)
{
	memset(d, 0, sizeof(*d));
	d->size = sizeof(*d);
	d->dev_id = b->dev;
	d->iova = va;
	d->length = pages * SZ_4K;
	d->uptr = (uintptr_t)b->buf;
	return xioctl(b->fd, IOMMU_MOCK_DMA, d);
}

static int smmu_tlbi_all(struct smmu_bench *b)
{
	struct gcmd c = cmd_tlbi_nh_all();
	struct iommu_viommu_arm_smmuv3_invalidate inv = {
		.cmd = { c.w[0], c.w[1] },
	};
	struct iommu_hwpt_invalidate h = {
		.size = sizeof(h),
		.hwpt_id = b->viommu,
		.data_uptr = (uintptr_t)&inv,
		.data_type = IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3,
		.entry_len = sizeof(inv),
		.entry_num = 1,
	};

	return xioctl(b->fd, IOMMU_HWPT_INVALIDATE, &h);
}

static int smmu_counters(struct smmu_bench *b, uint64_t *hits, uint64_t *misses)
{
	struct iommu_mock_object_info info = {
		.size = sizeof(info),
		.id = b->viommu,
	};
	int rc = xioctl(b->fd, IOMMU_MOCK_OBJECT_INFO, &info);

	*hits = info.out_tlb_hits;
	*misses = info.out_tlb_misses;
	return rc;
}

/* The first instance whose IOMMU_MOCK_INSTANCE_INFO has @flag, or -ENODEV. */
static int instance_with(int fd, uint32_t flag, uint32_t *inst)
{
	struct iommu_hw_info_mock arr[16];
	struct iommu_mock_instance_info q = {
		.size = sizeof(q),
		.num_instances = 16,
		.instances_uptr = (uintptr_t)arr,
	};
	uint32_t i;
	int rc;

	memset(arr, 0, sizeof(arr));
	rc = xioctl(fd, IOMMU_MOCK_INSTANCE_INFO, &q);
	if (rc && rc != -EMSGSIZE)
		return rc;
	for (i = 0; i < q.num_instances && i < 16; i++)
		if (arr[i].flags & flag) {
			*inst = arr[i].instance_id;
			return 0;
		}
	return -ENODEV;
}

/*
 * Device, guest RAM, stage 2, vIOMMU, vDEVICE, the guest's CD and tables,
 * the nested HWPT from its STE, attached; checked with one DMA per kind.
 */
static int smmu_setup(struct smmu_bench *b)
{
	struct iommu_mock_device_alloc da = { .size = sizeof(da), .stream_id = SMMU_PSID };
	struct iommu_mock_device_attach at = { .size = sizeof(at) };
	struct iommu_hwpt_alloc ha = { .size = sizeof(ha) };
	struct iommu_viommu_alloc va = {
		.size = sizeof(va),
		.type = IOMMU_VIOMMU_TYPE_ARM_SMMUV3,
	};
	struct iommu_vdevice_alloc vd = { .size = sizeof(vd), .virt_id = SMMU_VSID };
	struct iommu_hwpt_arm_smmuv3 ste;
	struct gcd c = {
		.asid = SMMU_ASID, .t0sz = 16, .g0shift = 12, .epd1 = true,
		.ips = GCD_IPS_48,
	};
	struct iommu_mock_dma d;
	uint64_t cd, l2, w[2];
	struct s1_pt pt;
	unsigned long i, gram;
	int rc;

	b->entries = smmu_iotlb_entries();
	/* Working sets up to 4x the IOTLB, at most one 16 MiB DMA */
	b->npages = 4UL * b->entries;
	if (b->npages < SMMU_BULK * 2)
		b->npages = SMMU_BULK * 2;
	if (b->npages > (16UL << 20) / SZ_4K)
		b->npages = (16UL << 20) / SZ_4K;
	gram = b->npages * SZ_4K + SZ_2M;
	b->buf = mmap(NULL, b->npages * SZ_4K, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	b->g.host = mmap(NULL, gram, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (b->buf == MAP_FAILED || b->g.host == MAP_FAILED) {
		fail("SMMUv3: mmap", MOD, errno);
		return -ENOMEM;
	}
	b->g.ipa = SMMU_GPA;
	b->g.size = gram;
	b->g.next = 0;

	b->fd = open(dev_path[MOD], O_RDWR);
	if (b->fd < 0) {
		fail(dev_path[MOD], MOD, errno);
		return -ENODEV;
	}
	rc = instance_with(b->fd, IOMMU_HW_INFO_MOCK_ARM_SMMUV3, &da.instance_id);
	if (rc) {
		fail("SMMUv3: no instance with IOMMU_HW_INFO_MOCK_ARM_SMMUV3", MOD, -rc);
		return rc;
	}
	rc = xioctl(b->fd, IOMMU_MOCK_DEVICE_ALLOC, &da);
	if (!rc)
		rc = ioas_alloc(b->fd, &b->ioas);
	if (!rc)
		rc = map_fixed(b->fd, b->ioas, b->g.host, gram, SMMU_GPA);
	if (rc) {
		fail("SMMUv3: device, IOAS or guest RAM", MOD, -rc);
		return rc;
	}
	b->dev = da.out_dev_id;
	ha.flags = IOMMU_HWPT_ALLOC_NEST_PARENT;
	ha.dev_id = b->dev;
	ha.pt_id = b->ioas;
	rc = xioctl(b->fd, IOMMU_HWPT_ALLOC, &ha);
	b->s2 = ha.out_hwpt_id;
	va.dev_id = b->dev;
	va.hwpt_id = b->s2;
	if (!rc)
		rc = xioctl(b->fd, IOMMU_VIOMMU_ALLOC, &va);
	b->viommu = va.out_viommu_id;
	vd.viommu_id = b->viommu;
	vd.dev_id = b->dev;
	if (!rc)
		rc = xioctl(b->fd, IOMMU_VDEVICE_ALLOC, &vd);
	if (rc) {
		fail("SMMUv3: stage 2, vIOMMU or vDEVICE", MOD, -rc);
		return rc;
	}

	/* The guest: CD, tables, data pages each tagged with its number */
	cd = gram_alloc(&b->g, GCD_BYTES, SZ_4K);
	if (!cd || !s1_pt_init(&pt, &b->g, 12, 16))
		goto full;
	c.ttb0 = pt.root;
	cd_build(gram_ptr(&b->g, cd), &c);
	b->data = gram_alloc(&b->g, b->npages * SZ_4K, SZ_4K);
	if (!b->data)
		goto full;
	for (i = 0; i < b->npages; i++) {
		gram_w64(&b->g, b->data + i * SZ_4K, i);
		if (!s1_map(&pt, SMMU_VA + i * SZ_4K, b->data + i * SZ_4K, 3,
			    GPTE_RW_NG))
			goto full;
	}
	/* A level-2 descriptor naming a leaf table stage 2 does not map */
	l2 = s1_desc_ipa(&pt, SMMU_VA_S2MISS, 2);
	if (!l2)
		goto full;
	gram_w64(&b->g, l2, pte_table(SMMU_HOLE_IPA));

	ste_s1(w, cd, GSTE0_S1FMT_LINEAR, 0, GSTE1_S1DSS_SSID0);
	ste.ste[0] = w[0];
	ste.ste[1] = w[1];
	memset(&ha, 0, sizeof(ha));
	ha.size = sizeof(ha);
	ha.dev_id = b->dev;
	ha.pt_id = b->viommu;
	ha.data_type = IOMMU_HWPT_DATA_ARM_SMMUV3;
	ha.data_len = sizeof(ste);
	ha.data_uptr = (uintptr_t)&ste;
	rc = xioctl(b->fd, IOMMU_HWPT_ALLOC, &ha);
	b->nested = ha.out_hwpt_id;
	at.dev_id = b->dev;
	at.pt_id = b->nested;
	if (!rc)
		rc = xioctl(b->fd, IOMMU_MOCK_DEVICE_ATTACH, &at);
	if (rc) {
		fail("SMMUv3: nested HWPT from the STE, attach", MOD, -rc);
		return rc;
	}

	/* The last page reads its own number; the stage-2 hole faults in the walk */
	rc = smmu_dma(b, SMMU_VA + (b->npages - 1) * SZ_4K, 1, &d);
	if (rc || *(uint64_t *)b->buf != b->npages - 1) {
		fail("SMMUv3: a DMA did not read the page the tables name", MOD, rc ? -rc : EIO);
		return -EIO;
	}
	rc = smmu_dma(b, SMMU_VA_S2MISS, 1, &d);
	if (rc != -ENOENT ||
	    d.out_fault_flags != (IOMMU_MOCK_DMA_FAULT | IOMMU_MOCK_DMA_FAULT_S2 |
				  IOMMU_MOCK_DMA_FAULT_WALK)) {
		fprintf(stderr, "bench: SMMUv3: the stage-2 hole gave %d, fault flags 0x%x, expected -ENOENT, S2|WALK\n",
			rc, d.out_fault_flags);
		failures++;
		return -EIO;
	}
	return 0;
full:
	fail("SMMUv3: guest RAM too small for the tables", MOD, ENOMEM);
	return -ENOMEM;
}

enum smmu_kind { SMMU_HIT, SMMU_WALK, SMMU_S2MISS };

/*
 * One timed figure of @pages pages, @per pages per call: ns per page.
 * SMMU_WALK invalidates the IOTLB (TLBI_NH_ALL, untimed) before each call
 * of @per > 1, and before each group of SMMU_BULK single-page calls.
 */
static double smmu_run(struct smmu_bench *b, enum smmu_kind kind,
		       unsigned long per, unsigned long pages)
{
	unsigned long done = 0, j, span = per > 1 ? per : SMMU_BULK;
	struct iommu_mock_dma d;
	double ns = 0, t0;
	int rc;

	if (kind == SMMU_HIT) {
		/* the pages of the figure in the IOTLB */
		if (smmu_tlbi_all(b) || smmu_dma(b, SMMU_VA, span, &d))
			return -1;
	}
	while (done < pages) {
		if (kind == SMMU_WALK && smmu_tlbi_all(b))
			return -1;
		t0 = now_ns();
		for (j = 0; j < span; j += per) {
			if (kind == SMMU_S2MISS) {
				rc = smmu_dma(b, SMMU_VA_S2MISS + j * SZ_4K, 1, &d);
				if (rc != -ENOENT)
					return -1;
			} else if (smmu_dma(b, SMMU_VA + j * SZ_4K, per, &d)) {
				return -1;
			}
		}
		ns += now_ns() - t0;
		done += span;
	}
	return ns / done;
}

/* memcpy of the same bytes, @src to @dst: @per pages per call, ns per page. */
static double copy_run(const char *src, char *dst, unsigned long per,
		       unsigned long span, unsigned long pages)
{
	unsigned long done = 0, j;
	double t0 = now_ns();

	while (done < pages) {
		for (j = 0; j < span; j += per)
			memcpy(dst + j * SZ_4K, src + j * SZ_4K, per * SZ_4K);
		__asm__ volatile("" ::: "memory");
		done += span;
	}
	return (now_ns() - t0) / done;
}

static double memcpy_run(struct smmu_bench *b, unsigned long per,
			 unsigned long span, unsigned long pages)
{
	return copy_run(gram_ptr(&b->g, b->data), b->buf, per, span, pages);
}

static void bench_smmuv3(void)
{
	static const struct {
		enum smmu_kind kind;
		unsigned long per;
		const char *what;
	} figs[] = {
		{ SMMU_HIT, SMMU_BULK, "IOTLB hit" },
		{ SMMU_WALK, SMMU_BULK, "4-level walk" },
		{ SMMU_HIT, 1, "IOTLB hit" },
		{ SMMU_WALK, 1, "4-level walk" },
		{ SMMU_S2MISS, 1, "walk misses stage 2" },
	};
	unsigned long ws[4], per_round = quick ? 1024 : SMMU_PAGES_ROUND;
	struct row *fr[ARRAY_SIZE(figs)], *hr[4], *cr[4];
	struct smmu_bench b;
	unsigned int f, k;
	int rd, i;

	memset(&b, 0, sizeof(b));
	b.fd = -1;
	if (smmu_setup(&b))
		goto out;
	for (f = 0; f < ARRAY_SIZE(figs); f++) {
		fr[f] = row_new(fmt("SMMUv3 DMA read, %s, %lu page%s/call",
				    figs[f].what, figs[f].per,
				    figs[f].per > 1 ? "s" : ""),
				"ns/page", COST);
		fr[f]->single = true;
		fr[f]->ref_name = "memcpy";
	}
	/* Working sets around the IOTLB's capacity */
	ws[0] = b.entries / 2;
	ws[1] = b.entries;
	ws[2] = b.entries + b.entries / 4;
	ws[3] = 4UL * b.entries;
	for (k = 0; k < 4; k++) {
		if (!ws[k])
			ws[k] = 1;
		if (ws[k] > b.npages)
			ws[k] = b.npages;
		hr[k] = row_new(fmt("SMMUv3 IOTLB %lu pages (%u entries): hit rate",
				    ws[k], b.entries), "%", COST);
		hr[k]->single = true;
		cr[k] = row_new(fmt("SMMUv3 IOTLB %lu pages: DMA read", ws[k]),
				"ns/page", COST);
		cr[k]->single = true;
		cr[k]->ref_name = "memcpy";
	}
	/* untimed warm-up: each path once */
	for (f = 0; f < ARRAY_SIZE(figs); f++)
		smmu_run(&b, figs[f].kind, figs[f].per, SMMU_BULK);
	memcpy_run(&b, 1, SMMU_BULK, SMMU_BULK);

	for (rd = 0; rd < rounds; rd++) {
		for (f = 0; f < ARRAY_SIZE(figs); f++) {
			for (i = 0; i < NSIDES; i++) {
				double v;

				if (side_at(rd, i) == UP) {
					row_add(fr[f], UP, memcpy_run(&b, figs[f].per, SMMU_BULK,
								      per_round));
					continue;
				}
				v = smmu_run(&b, figs[f].kind, figs[f].per, per_round);
				if (v < 0)
					fail(fr[f]->name, MOD, EIO);
				else
					row_add(fr[f], MOD, v);
			}
		}
		/*
		 * Each working set: an empty IOTLB, one untimed pass, then
		 * timed passes of one call each; the hit rate is the share of
		 * IOTLB hits among the timed passes' pages.
		 */
		for (k = 0; k < 4; k++) {
			unsigned long passes = per_round / ws[k] ? per_round / ws[k] : 1, p;
			uint64_t h0 = 0, m0 = 0, h1 = 0, m1 = 0;
			struct iommu_mock_dma d;
			double t0, ns = 0;
			int rc;

			for (i = 0; i < NSIDES; i++) {
				if (side_at(rd, i) == UP) {
					row_add(cr[k], UP, memcpy_run(&b, ws[k], ws[k],
								      passes * ws[k]));
					continue;
				}
				rc = smmu_tlbi_all(&b);
				if (!rc)
					rc = smmu_dma(&b, SMMU_VA, ws[k], &d);
				if (!rc)
					rc = smmu_counters(&b, &h0, &m0);
				t0 = now_ns();
				for (p = 0; p < passes && !rc; p++)
					rc = smmu_dma(&b, SMMU_VA, ws[k], &d);
				ns = now_ns() - t0;
				if (!rc)
					rc = smmu_counters(&b, &h1, &m1);
				if (rc || h1 + m1 == h0 + m0) {
					fail(cr[k]->name, MOD, rc ? -rc : EIO);
					continue;
				}
				row_add(cr[k], MOD, ns / (passes * ws[k]));
				row_add(hr[k], MOD, 100.0 * (h1 - h0) / (h1 - h0 + m1 - m0));
			}
		}
	}
out:
	if (b.fd >= 0)
		close(b.fd);
	if (b.buf && b.buf != MAP_FAILED)
		munmap(b.buf, b.npages * SZ_4K);
	if (b.g.host && b.g.host != MAP_FAILED)
		munmap(b.g.host, b.g.size);
}

/* ---- VT-d: the cost of a nested DMA through the guest's first stage ---- */

/*
 * The module's VT-d instance with a "guest" built with
 * selftests/vtd_guest.h: an x86-64 4-level first-stage table in guest RAM
 * mapped in the nest parent, each data page mapped at its own VA, a
 * IOMMU_HWPT_DATA_VTD_S1 nested HWPT on it with the device attached. The
 * figures are those of the SMMUv3 rows, against the same memcpy.
 */
#define VTD_GPA		0x80000000ULL
#define VTD_VA		0x8000000000ULL		/* data page i at VTD_VA + i * 4K */
#define VTD_VA_S2MISS	(VTD_VA + (1ULL << 30))	/* its PT is not in stage 2 */
#define VTD_HOLE_IPA	0x200000000ULL		/* an IPA outside guest RAM */
#define VTD_SID		0x0300
#define VTD_BULK	128			/* pages per call of the bulk rows */
/*
 * Data pages: as many as the SMMUv3 rows have by default (4 x 256), so
 * the guest RAM and the destination buffer have the same sizes, and the
 * same transparent huge pages under them, as the memcpy reference there.
 */
#define VTD_PAGES	1024

struct vtd_bench {
	int fd;
	uint32_t dev, ioas, s2, nested;
	struct vg_ram g;
	uint64_t data;		/* IPA of data page 0 */
	char *buf;		/* destination of reads and memcpy */
};

static int vtd_dma(struct vtd_bench *b, uint64_t va, unsigned long pages,
		   struct iommu_mock_dma *d)
{
	memset(d, 0, sizeof(*d));
	d->size = sizeof(*d);
	d->dev_id = b->dev;
	d->iova = va;
	d->length = pages * SZ_4K;
	d->uptr = (uintptr_t)b->buf;
	return xioctl(b->fd, IOMMU_MOCK_DMA, d);
}

/* Everything of the nested HWPT: addr 0, npages U64_MAX */
static int vtd_inv_all(struct vtd_bench *b)
{
	struct iommu_hwpt_vtd_s1_invalidate inv = vg_inv(0, UINT64_MAX, false);
	struct iommu_hwpt_invalidate h = {
		.size = sizeof(h),
		.hwpt_id = b->nested,
		.data_uptr = (uintptr_t)&inv,
		.data_type = IOMMU_HWPT_INVALIDATE_DATA_VTD_S1,
		.entry_len = sizeof(inv),
		.entry_num = 1,
	};

	return xioctl(b->fd, IOMMU_HWPT_INVALIDATE, &h);
}

/*
 * Device, guest RAM, nest parent, the guest's first-stage table, the
 * VTD_S1 nested HWPT, attached; checked with one DMA per kind.
 */
static int vtd_setup(struct vtd_bench *b)
{
	struct iommu_mock_device_alloc da = { .size = sizeof(da), .stream_id = VTD_SID };
	struct iommu_mock_device_attach at = { .size = sizeof(at) };
	struct iommu_hwpt_alloc ha = { .size = sizeof(ha) };
	struct iommu_hwpt_vtd_s1 s1;
	struct iommu_mock_dma d;
	unsigned long i, gram = VTD_PAGES * SZ_4K + SZ_2M;
	uint64_t pd, page;
	struct vg_fs pt;
	int rc;

	b->buf = mmap(NULL, VTD_PAGES * SZ_4K, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	b->g.host = mmap(NULL, gram, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (b->buf == MAP_FAILED || b->g.host == MAP_FAILED) {
		fail("VT-d: mmap", MOD, errno);
		return -ENOMEM;
	}
	b->g.ipa = VTD_GPA;
	b->g.size = gram;
	b->g.next = 0;

	b->fd = open(dev_path[MOD], O_RDWR);
	if (b->fd < 0) {
		fail(dev_path[MOD], MOD, errno);
		return -ENODEV;
	}
	rc = instance_with(b->fd, IOMMU_HW_INFO_MOCK_INTEL_VTD, &da.instance_id);
	if (rc) {
		fail("VT-d: no instance with IOMMU_HW_INFO_MOCK_INTEL_VTD", MOD, -rc);
		return rc;
	}
	rc = xioctl(b->fd, IOMMU_MOCK_DEVICE_ALLOC, &da);
	if (!rc)
		rc = ioas_alloc(b->fd, &b->ioas);
	if (!rc)
		rc = map_fixed(b->fd, b->ioas, b->g.host, gram, VTD_GPA);
	b->dev = da.out_dev_id;
	ha.flags = IOMMU_HWPT_ALLOC_NEST_PARENT;
	ha.dev_id = b->dev;
	ha.pt_id = b->ioas;
	if (!rc)
		rc = xioctl(b->fd, IOMMU_HWPT_ALLOC, &ha);
	if (rc) {
		fail("VT-d: device, IOAS, guest RAM or nest parent", MOD, -rc);
		return rc;
	}
	b->s2 = ha.out_hwpt_id;

	/* The guest: the PML4, data pages (each tagged with its number), tables */
	if (!vg_fs_init(&pt, &b->g, 4))
		goto full;
	for (i = 0; i < VTD_PAGES; i++) {
		page = vg_page(&b->g);
		if (!page)
			goto full;
		if (!i)
			b->data = page;
		vg_w64(&b->g, page, i);
	}
	for (i = 0; i < VTD_PAGES; i++)
		if (!vg_map(&pt, VTD_VA + i * SZ_4K, b->data + i * SZ_4K, 1, VG_LEAF))
			goto full;
	/* A PD entry naming a level-1 table stage 2 does not map */
	pd = vg_entry_ipa(&pt, VTD_VA_S2MISS, 2);
	if (!pd)
		goto full;
	vg_w64(&b->g, pd, VTD_HOLE_IPA | VG_TABLE);

	s1 = vg_s1(pt.root, 48, 0);
	memset(&ha, 0, sizeof(ha));
	ha.size = sizeof(ha);
	ha.dev_id = b->dev;
	ha.pt_id = b->s2;
	ha.data_type = IOMMU_HWPT_DATA_VTD_S1;
	ha.data_len = sizeof(s1);
	ha.data_uptr = (uintptr_t)&s1;
	rc = xioctl(b->fd, IOMMU_HWPT_ALLOC, &ha);
	b->nested = ha.out_hwpt_id;
	at.dev_id = b->dev;
	at.pt_id = b->nested;
	if (!rc)
		rc = xioctl(b->fd, IOMMU_MOCK_DEVICE_ATTACH, &at);
	if (rc) {
		fail("VT-d: VTD_S1 nested HWPT, attach", MOD, -rc);
		return rc;
	}

	/* The last page reads its own number; the stage-2 hole faults in the walk */
	rc = vtd_dma(b, VTD_VA + (VTD_PAGES - 1) * SZ_4K, 1, &d);
	if (rc || *(uint64_t *)b->buf != VTD_PAGES - 1) {
		fail("VT-d: a DMA did not read the page the table names", MOD, rc ? -rc : EIO);
		return -EIO;
	}
	rc = vtd_dma(b, VTD_VA_S2MISS, 1, &d);
	if (rc != -ENOENT || d.out_fault_code != VG_FR_S2_ACCESS ||
	    d.out_fault_ipa != VTD_HOLE_IPA ||
	    d.out_fault_flags != (IOMMU_MOCK_DMA_FAULT | IOMMU_MOCK_DMA_FAULT_S2 |
				  IOMMU_MOCK_DMA_FAULT_WALK)) {
		fprintf(stderr, "bench: VT-d: the stage-2 hole gave %d, reason 0x%x, IPA 0x%llx, flags 0x%x, expected -ENOENT, 0x78, 0x%llx, S2|WALK\n",
			rc, d.out_fault_code, (unsigned long long)d.out_fault_ipa,
			d.out_fault_flags, (unsigned long long)VTD_HOLE_IPA);
		failures++;
		return -EIO;
	}
	return 0;
full:
	fail("VT-d: guest RAM too small for the tables", MOD, ENOMEM);
	return -ENOMEM;
}

/*
 * One timed figure of @pages pages, @per pages per call: ns per page, as
 * smmu_run(); SMMU_WALK invalidates everything (untimed) before each call
 * of @per > 1, and before each group of VTD_BULK single-page calls.
 */
static double vtd_run(struct vtd_bench *b, enum smmu_kind kind,
		      unsigned long per, unsigned long pages)
{
	unsigned long done = 0, j, span = per > 1 ? per : VTD_BULK;
	struct iommu_mock_dma d;
	double ns = 0, t0;
	int rc;

	if (kind == SMMU_HIT) {
		if (vtd_inv_all(b) || vtd_dma(b, VTD_VA, span, &d))
			return -1;
	}
	while (done < pages) {
		if (kind == SMMU_WALK && vtd_inv_all(b))
			return -1;
		t0 = now_ns();
		for (j = 0; j < span; j += per) {
			if (kind == SMMU_S2MISS) {
				rc = vtd_dma(b, VTD_VA_S2MISS + j * SZ_4K, 1, &d);
				if (rc != -ENOENT)
					return -1;
			} else if (vtd_dma(b, VTD_VA + j * SZ_4K, per, &d)) {
				return -1;
			}
		}
		ns += now_ns() - t0;
		done += span;
	}
	return ns / done;
}

static void bench_vtd(void)
{
	static const struct {
		enum smmu_kind kind;
		unsigned long per;
		const char *what;
	} figs[] = {
		{ SMMU_HIT, VTD_BULK, "IOTLB hit" },
		{ SMMU_WALK, VTD_BULK, "4-level walk" },
		{ SMMU_HIT, 1, "IOTLB hit" },
		{ SMMU_WALK, 1, "4-level walk" },
		{ SMMU_S2MISS, 1, "walk misses stage 2" },
	};
	unsigned long per_round = quick ? 1024 : SMMU_PAGES_ROUND;
	struct row *fr[ARRAY_SIZE(figs)];
	struct vtd_bench b;
	unsigned int f;
	int rd, i;

	memset(&b, 0, sizeof(b));
	b.fd = -1;
	if (vtd_setup(&b))
		goto out;
	for (f = 0; f < ARRAY_SIZE(figs); f++) {
		fr[f] = row_new(fmt("VT-d DMA read, %s, %lu page%s/call",
				    figs[f].what, figs[f].per,
				    figs[f].per > 1 ? "s" : ""),
				"ns/page", COST);
		fr[f]->single = true;
		fr[f]->ref_name = "memcpy";
	}
	/* untimed warm-up: each path once */
	for (f = 0; f < ARRAY_SIZE(figs); f++)
		vtd_run(&b, figs[f].kind, figs[f].per, VTD_BULK);
	copy_run(vg_ptr(&b.g, b.data), b.buf, 1, VTD_BULK, VTD_BULK);

	for (rd = 0; rd < rounds; rd++) {
		for (f = 0; f < ARRAY_SIZE(figs); f++) {
			for (i = 0; i < NSIDES; i++) {
				double v;

				if (side_at(rd, i) == UP) {
					row_add(fr[f], UP,
						copy_run(vg_ptr(&b.g, b.data), b.buf,
							 figs[f].per, VTD_BULK,
							 per_round));
					continue;
				}
				v = vtd_run(&b, figs[f].kind, figs[f].per, per_round);
				if (v < 0)
					fail(fr[f]->name, MOD, EIO);
				else
					row_add(fr[f], MOD, v);
			}
		}
	}
out:
	if (b.fd >= 0)
		close(b.fd);
	if (b.buf && b.buf != MAP_FAILED)
		munmap(b.buf, VTD_PAGES * SZ_4K);
	if (b.g.host && b.g.host != MAP_FAILED)
		munmap(b.g.host, b.g.size);
}

/* ---- output ---- */

static void print_table(void)
{
	int i, s, k, worst = -1;
	double worst_ratio = 0;

	printf("\n%-52s %-7s %12s %12s %8s  %s\n", "figure", "unit", "upstream",
	       "module", "mod/up", "range");
	for (i = 0; i < nrows; i++) {
		struct row *r = &rows[i];
		double m[NSIDES], ratio, lo = 0, hi = 0;

		for (s = 0; s < NSIDES; s++)
			m[s] = r->n[s] ? median(r->v[s], r->n[s]) : -1;
		ratio = row_ratio(r, &lo, &hi);
		printf("%-52s %-7s ", r->name, r->unit);
		for (s = 0; s < NSIDES; s++) {
			if (!r->n[s])
				printf("%12s ", r->single && !r->ref_name ? "-" : "n/a");
			else if (r->single && s == UP)
				printf("%5s %6.0f ", r->ref_name, m[s]);
			else
				printf("%12.*f ", m[s] < 100 ? 2 : 0, m[s]);
		}
		if (ratio < 0)
			printf("%8s\n", r->single && !r->ref_name ? "-" : "n/a");
		else
			printf("%6.2f%s  %.2f-%.2f\n", ratio, ratio > 1.0 ? " *" : "  ", lo, hi);
		if (!r->single && ratio > worst_ratio) {
			worst_ratio = ratio;
			worst = i;
		}
	}
	printf("\nupstream, module: medians of %d rounds. mod/up: median of the per-round\n"
	       "ratios module cost / upstream cost (time or bytes per op; for MB/s rows\n"
	       "upstream MB/s / module MB/s); range: smallest and largest per-round\n"
	       "ratio. Lower is better; * marks a ratio above 1.0. Rounds alternate which\n"
	       "side goes first; the per-call rows interleave the sides in %d slices;\n"
	       "the 1 GiB rows keep per side and round the best of %d interleaved tries.\n"
	       "MOCK_DMA rows compare the module's device DMA with a userspace memcpy of\n"
	       "the same size (upstream has no DMA command); the ACCESS_RW rows compare\n"
	       "upstream's emulated access path (IOMMU_TEST_OP_ACCESS_RW) on both sides.\n"
	       "SMMUv3 rows: the module's SMMUv3 instance, a device reading through a\n"
	       "guest's CD and 4-level stage-1 table (4 KiB granule), nested over stage\n"
	       "2, in ns per 4 KiB page against a userspace memcpy of the same pages\n"
	       "and call size in the same round; mod/up is DMA cost / memcpy cost.\n"
	       "IOTLB hit: pages already cached; 4-level walk: TLBI_NH_ALL (untimed)\n"
	       "before each call or group of %d single-page calls; walk misses stage\n"
	       "2: the level-2 descriptor names a leaf table outside stage 2, so each\n"
	       "call reads three descriptors and stops at a stage-2 fault. The IOTLB\n"
	       "rows read working sets around smmuv3_iotlb_entries in whole passes\n"
	       "after one untimed pass; hit rate from the vIOMMU's counters.\n"
	       "VT-d rows: the module's VT-d instance, a device reading through a\n"
	       "guest's x86-64 4-level first-stage table (IOMMU_HWPT_DATA_VTD_S1)\n"
	       "nested over stage 2, against memcpy as the SMMUv3 rows. 4-level walk:\n"
	       "VTD_S1 invalidation of everything (npages U64_MAX, untimed) before\n"
	       "each call or group of %d single-page calls; walk misses stage 2: the\n"
	       "PD entry names a level-1 table (PT) outside stage 2, so each call\n"
	       "reads three entries and stops at a stage-2 fault (0x78).\n",
	       rounds, SLICES, BIG_TRIES, SMMU_BULK, VTD_BULK);
	if (worst >= 0)
		printf("Highest module/upstream ratio: %.2f (%s)\n", worst_ratio,
		       rows[worst].name);

	printf("\nraw rounds:\n");
	for (i = 0; i < nrows; i++) {
		struct row *r = &rows[i];

		for (s = 0; s < NSIDES; s++) {
			if (r->single && s == UP && !r->ref_name)
				continue;
			printf("  %-52s %-8s", r->name,
			       r->single && s == UP ? r->ref_name : side_name[s]);
			for (k = 0; k < r->n[s]; k++)
				printf(" %.2f", r->v[s][k]);
			printf("\n");
		}
	}
}

int main(int argc, char **argv)
{
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	cpu_set_t cpus;
	double t0;
	int opt, ci;

	while ((opt = getopt(argc, argv, "r:u:m:q")) != -1) {
		switch (opt) {
		case 'r':
			rounds = atoi(optarg);
			break;
		case 'u':
			dev_path[UP] = optarg;
			break;
		case 'm':
			dev_path[MOD] = optarg;
			break;
		case 'q':
			quick = true;
			break;
		default:
			fprintf(stderr, "usage: %s [-r ROUNDS] [-u DEV] [-m DEV] [-q]\n", argv[0]);
			return 2;
		}
	}
	if (rounds < 1 || rounds > MAX_ROUNDS) {
		fprintf(stderr, "rounds must be 1..%d\n", MAX_ROUNDS);
		return 2;
	}
	if (quick) {
		n_null = 1000;
		n_alloc = 200;
		n_small = 1024;
		big_len = 64UL << 20;
		dma_len = 1UL << 20;
		dma_reps = 2;
		acc_reps = 1;
		obj_counts[0] = 1000;
		obj_counts[1] = 2000;
		obj_counts[2] = 3000;
	}
	/* Pinning is not charged to root with CAP_IPC_LOCK; be sure anyway. */
	setrlimit(RLIMIT_MEMLOCK, &rl);
	/* One CPU: no migration between the timed calls. */
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus))
		perror("sched_setaffinity");

	t0 = now_ns();
	printf("iommufd_bench: upstream %s, module %s, %d rounds%s\n", dev_path[UP],
	       dev_path[MOD], rounds, quick ? " (quick)" : "");
	if (setup_memory())
		return 1;
	printf("memory ready: %lu MiB 4 KiB pages, %s hugetlb, %.1f s\n", big_len >> 20,
	       bufhuge ? "2 MiB" : "NO", (now_ns() - t0) / 1e9);
	fflush(stdout);

	bench_null();
	bench_ioas_alloc();
	bench_big(fmt("%lu MiB IOAS_MAP, 4 KiB pages", big_len >> 20),
		  fmt("%lu MiB IOAS_UNMAP, 4 KiB pages", big_len >> 20), buf4k);
	bench_big(fmt("%lu MiB IOAS_MAP, 2 MiB hugetlb folios", big_len >> 20),
		  fmt("%lu MiB IOAS_UNMAP, 2 MiB hugetlb folios", big_len >> 20), bufhuge);
	bench_small();
	for (ci = 0; ci < 3; ci++)
		bench_population(obj_counts[ci], false);
	for (ci = 0; ci < 3; ci++)
		bench_population(obj_counts[ci], true);
	bench_access_rw();
	bench_dma();
	bench_smmuv3();
	bench_vtd();

	print_table();
	printf("\nbenchmark time: %.1f s, %d failure(s)\n", (now_ns() - t0) / 1e9, failures);
	return failures ? 1 : 0;
}
