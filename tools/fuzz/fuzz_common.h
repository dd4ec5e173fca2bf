/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared pieces of iommufd_fuzz and iommufd_stress: a seeded PRNG, the
 * errno rules, the device path, the leak checks (page pin counts through
 * IOMMU_TEST_OP_MD_CHECK_REFS, mock devices left in sysfs, VmPin) and the
 * stack dump a watchdog prints when a task stops making progress.
 */
#ifndef IOMMUFD_FUZZ_COMMON_H
#define IOMMUFD_FUZZ_COMMON_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/iommufd_mock.h>
#include <linux/vfio.h>
#include "iommufd_test.h"

#define FZ_PAGE 4096ULL
#define U64P(p) ((__u64)(uintptr_t)(p))
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- PRNG: splitmix64, one state per thread / iteration ---------------- */

struct rng {
	uint64_t s;
};

static inline uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Seed of stream @idx derived from @seed (iterations, threads, rounds). */
static inline uint64_t rng_derive(uint64_t seed, uint64_t idx)
{
	struct rng r = { seed ^ (idx * 0xd1b54a32d192ed03ULL) };

	rng_next(&r);
	return rng_next(&r);
}

/* Uniform in [0, n), n > 0 */
static inline uint64_t rnd(struct rng *r, uint64_t n)
{
	return n ? rng_next(r) % n : 0;
}

/* True with probability 1/n */
static inline bool one_in(struct rng *r, unsigned int n)
{
	return rnd(r, n) == 0;
}

static inline uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

/* A seed from the command line, FUZZ_SEED, or the clock. */
static inline uint64_t pick_seed(const char *arg)
{
	const char *env = getenv("FUZZ_SEED");
	struct timespec ts;

	if (arg)
		return strtoull(arg, NULL, 0);
	if (env && *env)
		return strtoull(env, NULL, 0);
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000003ULL ^ (uint64_t)ts.tv_nsec ^
	       ((uint64_t)getpid() << 32);
}

/* ---- errno rules -------------------------------------------------------- */

/*
 * The errnos the module's documentation (include/uapi, Documentation/)
 * lists for its commands. Anything else from an iommufd ioctl is a problem.
 */
static inline bool errno_documented(int e)
{
	switch (e) {
	case EPERM: case ENOENT: case EINTR: case EIO: case ENOMEM:
	case EFAULT: case EBUSY: case EEXIST: case ENODEV: case EINVAL:
	case ENOSPC: case E2BIG: case ENOTTY: case EOVERFLOW:
	case EOPNOTSUPP: case EADDRINUSE: case EMSGSIZE:
		return true;
	default:
		return false;
	}
}

/*
 * Errnos upstream's own code gives for some paths that the module's docs
 * do not list: EBADFD (IOMMU_TEST_CMD with an fd that is no access),
 * EBADE (ACCESS_PAGES finds other pages than the user's), EDEADLOCK
 * (an unmap that an access does not release), ESPIPE (fault fd read or
 * write at an offset or in partial records), EBADF (IOAS_MAP_FILE with an
 * fd that is not open; listed for that command only). Accepted only where
 * upstream uses them; counted separately so a report can name them.
 */
enum extra_errno {
	XE_BADFD = 1 << 0,
	XE_BADE = 1 << 1,
	XE_DEADLOCK = 1 << 2,
	XE_SPIPE = 1 << 3,
	XE_BADF = 1 << 4,
};

static inline bool errno_extra_ok(int e, unsigned int extra)
{
	return ((extra & XE_BADFD) && e == EBADFD) ||
	       ((extra & XE_BADE) && e == EBADE) ||
	       ((extra & XE_DEADLOCK) && e == EDEADLOCK) ||
	       ((extra & XE_SPIPE) && e == ESPIPE) ||
	       ((extra & XE_BADF) && e == EBADF);
}

static inline const char *errno_name(int e)
{
	static char buf[16];

	switch (e) {
	case 0: return "ok";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EINTR: return "EINTR";
	case EIO: return "EIO";
	case EBADF: return "EBADF";
	case EAGAIN: return "EAGAIN";
	case ENOMEM: return "ENOMEM";
	case EACCES: return "EACCES";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case ENODEV: return "ENODEV";
	case EINVAL: return "EINVAL";
	case ENOSPC: return "ENOSPC";
	case ESPIPE: return "ESPIPE";
	case E2BIG: return "E2BIG";
	case ENOTTY: return "ENOTTY";
	case ERANGE: return "ERANGE";
	case EDEADLOCK: return "EDEADLOCK";
	case EOVERFLOW: return "EOVERFLOW";
	case EBADFD: return "EBADFD";
	case EBADE: return "EBADE";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EADDRINUSE: return "EADDRINUSE";
	case EMSGSIZE: return "EMSGSIZE";
	case ENXIO: return "ENXIO";
	default:
		snprintf(buf, sizeof(buf), "errno%d", e);
		return buf;
	}
}

/* ---- device --------------------------------------------------------------- */

/* -d PATH, else IOMMUFD_DEV, else /dev/iommufd-mock, else /dev/iommu. */
static inline const char *pick_device(const char *arg)
{
	const char *env = getenv("IOMMUFD_DEV");

	if (arg)
		return arg;
	if (env && *env)
		return env;
	if (!access(IOMMUFD_MOCK_DEVICE_PATH, F_OK))
		return IOMMUFD_MOCK_DEVICE_PATH;
	return "/dev/iommu";
}

/* ---- leak checks ---------------------------------------------------------- */

/*
 * IOMMU_TEST_OP_MD_CHECK_REFS over [p, p + len): 0 if every (non-compound)
 * page has @refs pins, else -errno (EIO: a page's pin count differs).
 */
static inline int check_refs(int fd, const void *p, uint64_t len,
			     uint32_t refs)
{
	struct iommu_test_cmd cmd;

	memset(&cmd, 0, sizeof(cmd));
	cmd.size = sizeof(cmd);
	cmd.op = IOMMU_TEST_OP_MD_CHECK_REFS;
	cmd.check_refs.length = len;
	cmd.check_refs.uptr = U64P(p);
	cmd.check_refs.refs = refs;
	return ioctl(fd, IOMMU_TEST_CMD, &cmd) ? -errno : 0;
}

/* Entries of a sysfs folder (mock devices on a bus), -1 if it is missing. */
static inline int count_dir(const char *path)
{
	struct dirent *de;
	DIR *d = opendir(path);
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

#define SYSFS_MOCK_DEVS "/sys/bus/mockiommu/devices"
#define SYSFS_ST_DEVS "/sys/bus/mockiommu-st/devices"

/* Mock and selftest devices that exist now (instances included). */
static inline int count_mock_devices(void)
{
	int a = count_dir(SYSFS_MOCK_DEVS), b = count_dir(SYSFS_ST_DEVS);

	return (a < 0 ? 0 : a) + (b < 0 ? 0 : b);
}

/* A "Vm...:" field of /proc/self/status in kB, -1 if absent. */
static inline long proc_status_kb(const char *field)
{
	char buf[4096], *line;
	size_t n = strlen(field);
	ssize_t len;
	int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len <= 0)
		return -1;
	buf[len] = 0;
	for (line = buf; line; line = strchr(line, '\n')) {
		if (*line == '\n')
			line++;
		if (!strncmp(line, field, n) && line[n] == ':')
			return strtol(line + n + 1, NULL, 10);
	}
	return -1;
}

/* Print a file (a task's kernel stack, wchan) line by line with a prefix. */
static inline void dump_file(const char *prefix, const char *path)
{
	char buf[4096];
	ssize_t len;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *line, *nl;

	if (fd < 0) {
		printf("%s(%s: %s)\n", prefix, path, strerror(errno));
		return;
	}
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len < 0)
		len = 0;
	buf[len] = 0;
	for (line = buf; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		if (!nl) {
			printf("%s%s\n", prefix, line);
			break;
		}
		*nl = 0;
		printf("%s%s\n", prefix, line);
	}
}

/* The kernel stack and wchan of one task (needs root for the stack). */
static inline void dump_task(const char *prefix, int pid, int tid)
{
	char path[128];

	snprintf(path, sizeof(path), "/proc/%d/task/%d/wchan", pid, tid);
	dump_file(prefix, path);
	printf("\n");
	snprintf(path, sizeof(path), "/proc/%d/task/%d/stack", pid, tid);
	dump_file(prefix, path);
}

static inline int gettid_(void)
{
	return (int)syscall(SYS_gettid);
}

/*
 * -x NAME[,NAME...]: set the weight of each named operation to 0, so it is
 * never picked (to get past a known bug). Exits 2 on an unknown name.
 */
static inline void fuzz_exclude(const char *list, const char *const *names,
				unsigned int *weights, unsigned int n)
{
	char buf[256], *tok, *save = NULL;
	unsigned int i;

	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < n; i++)
			if (!strcmp(tok, names[i]))
				break;
		if (i == n) {
			fprintf(stderr, "unknown name to exclude: %s\n", tok);
			exit(2);
		}
		weights[i] = 0;
		printf("# excluded: %s\n", tok);
	}
}

#endif /* IOMMUFD_FUZZ_COMMON_H */
