// SPDX-License-Identifier: GPL-2.0
/*
 * iommufd_stress: races on iommufd_mock.ko from several threads, files and
 * processes.
 *
 * The run is a sequence of rounds (-r milliseconds each). A round opens two
 * iommufds, builds a small world on them (IOASes with mappings, mock and
 * selftest devices attached, HWPTs, an access, a fault queue) and lets -j
 * threads, plus -p forked processes that inherit the files and run threads
 * of their own, pick random actions on the shared IDs and fds: map / unmap /
 * copy, attach / replace / detach, HWPT and nested HWPT alloc / destroy,
 * access create / pin / read-write / unpin / replace / close against unmap,
 * fault queue alloc / IOPF trigger / read / respond / close against HWPT
 * destroy, mock DMA, vIOMMU / vDEVICE, fork of a process that maps its own
 * memory through the inherited file and exits or is killed, and the VFIO
 * device files of two mock devices (reopen and bind to either iommufd,
 * attach / detach, copy-engine DMA, interrupt eventfds, reset) against all
 * of that. Answers are
 * not predicted (the races decide them); what must hold:
 *
 *  - no ioctl hangs: a watchdog thread aborts, printing the kernel stack of
 *    every task in flight, when no action finished for -w seconds;
 *  - failing ioctls give documented errnos;
 *  - at the end of each round, with every file closed and every process
 *    reaped, no page of the buffers is pinned (MD_CHECK_REFS refs=0), no
 *    mock device is left in sysfs and VmPin is 0.
 *
 * Usage: iommufd_stress [-t seconds] [-s seed] [-j threads] [-p processes]
 *                       [-r round_ms] [-d device] [-w watchdog_seconds] [-v]
 * Exit code: 0 no problem, 1 problems, 2 setup error, 3 watchdog.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>

#include "fuzz_common.h"
#include <linux/vfio.h>
#include <linux/iommufd_mock_pci.h>

#define ACTIONS(X)							\
	X(IOAS_ALLOC) X(MAP) X(UNMAP) X(UNMAP_ALL) X(COPY)		\
	X(DEV_ALLOC) X(ATTACH) X(REPLACE) X(DETACH) X(MOCK_DOMAIN)	\
	X(ST_REPLACE) X(HWPT_ALLOC) X(NESTED_ALLOC) X(DESTROY)		\
	X(ACCESS_CREATE) X(ACCESS_PAGES) X(ACCESS_UNPIN) X(ACCESS_RW)	\
	X(ACCESS_REPLACE) X(ACCESS_CLOSE) X(FAULT_ALLOC) X(IOPF)	\
	X(FAULT_READ) X(FAULT_WRITE) X(FAULT_CLOSE) X(DMA)		\
	X(VIOMMU) X(VDEVICE) X(INVALIDATE) X(DIRTY) X(FORK)		\
	X(OBJECT_INFO) X(VEVENTQ_ALLOC) X(VEVENT) X(VEVENTQ_READ)	\
	X(VEVENTQ_CLOSE) X(MMAP) X(PASID) X(IOAS_CHURN)		\
	X(CHANGE_PROCESS) X(VFIO_REOPEN) X(VFIO_ATTACH) X(VFIO_DETACH)	\
	X(VFIO_DMA) X(VFIO_IRQ) X(VFIO_RESET)

#define X_ENUM(n) A_##n,
#define X_NAME(n) #n,
enum action { ACTIONS(X_ENUM) NR_ACTIONS };
static const char *const action_names[] = { ACTIONS(X_NAME) };

#define MAX_WORKERS 64
#define ERRMAX 140
#define DESC 200

struct worker_slot {
	volatile int pid;
	volatile int tid;
	volatile uint64_t since;	/* 0: idle */
	char desc[DESC];
};

struct astat {
	uint64_t calls;
	uint64_t ok;
	uint32_t err[ERRMAX];
};

/* Shared by every thread and forked process of the run. */
struct shared {
	volatile uint64_t progress;
	uint64_t problems;
	uint64_t ops;
	struct worker_slot w[MAX_WORKERS];
	struct astat st[NR_ACTIONS];
	/* the round's world: IDs and fds, read and replaced racily */
	volatile int fd[2];
	volatile uint32_t ioas[4];
	volatile uint32_t hwpt[8];
	volatile uint32_t nested[4];
	volatile uint32_t dev[6];	/* own mock devices (dev_id) */
	volatile uint32_t stdev[4];	/* selftest device objects */
	volatile uint32_t idev[4];	/* their dev_ids */
	volatile uint32_t viommu[2];
	volatile uint32_t fault[2];
	volatile int fault_fd[2];
	volatile int access_fd[4];
	volatile uint32_t apages[8];
	volatile uint32_t cookie[8];
	volatile uint32_t next_sid;
	volatile int veventq_fd[2];
	volatile uint64_t mmap_off[2];	/* vIOMMU regions offered */
	volatile uint64_t mmap_len[2];
	volatile int vfio_fd[2];	/* VFIO device files, bound or not */
	volatile int vfio_made;		/* the devices exist (vfio_add worked) */
};

static struct shared *sh;
static uint64_t g_seed;
static uint64_t g_round;
static unsigned int g_watchdog_s = 120;
static bool g_verbose;
static const char *g_dev;
static volatile int g_stop;

/* Buffers: shared (seen by forked children too) and private */
#define BUF_PAGES 64
static uint8_t *sbuf, *pbuf;

#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define ADD(x, v) __atomic_add_fetch(&(x), (v), __ATOMIC_RELAXED)
#define PICK(arr, r) LOAD((arr)[rnd(r, ARRAY_LEN(arr))])
#define PUT(arr, r, v) STORE((arr)[rnd(r, ARRAY_LEN(arr))], (v))

static void problem(const char *fmt, ...)
{
	va_list ap;
	char buf[512];

	ADD(sh->problems, 1);
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printf("PROBLEM: iommufd_stress seed 0x%" PRIx64 " round %" PRIu64 ": %s\n",
	       g_seed, g_round, buf);
	fflush(stdout);
}

struct worker {
	struct rng r;
	int slot;
	bool in_child;
};

static void begin(struct worker *w, const char *fmt, ...)
{
	struct worker_slot *s = &sh->w[w->slot];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->desc, DESC, fmt, ap);
	va_end(ap);
	s->since = now_ms();
}

static void end(struct worker *w, enum action a, int err)
{
	struct astat *st = &sh->st[a];

	sh->w[w->slot].since = 0;
	ADD(st->calls, 1);
	if (!err)
		ADD(st->ok, 1);
	else
		ADD(st->err[err < ERRMAX ? err : 0], 1);
	ADD(sh->ops, 1);
	ADD(sh->progress, 1);
	if (g_verbose)
		printf("  [%d] %s -> %s\n", w->slot, sh->w[w->slot].desc,
		       errno_name(err));
}

/* One iommufd ioctl: 0 or errno, errno judged. */
static int xioctl(struct worker *w, enum action a, int fd, unsigned long req,
		  void *arg, unsigned int extra)
{
	int rc, err;

	begin(w, "%s fd=%d req=0x%lx", action_names[a], fd, req);
	rc = ioctl(fd, req, arg);
	err = rc ? errno : 0;
	end(w, a, err);
	/* a racing close may leave the number on another file: EBADF/ENOTTY */
	if (err && !errno_documented(err) && !errno_extra_ok(err, extra) &&
	    err != EBADF)
		problem("%s: errno %s is not documented", action_names[a],
			errno_name(err));
	return err;
}

static int wfd(struct worker *w)
{
	return LOAD(sh->fd[rnd(&w->r, 4) == 0 ? 1 : 0]);
}

static uint32_t any_id(struct worker *w)
{
	switch (rnd(&w->r, 8)) {
	case 0: return PICK(sh->ioas, &w->r);
	case 1: return PICK(sh->hwpt, &w->r);
	case 2: return PICK(sh->nested, &w->r);
	case 3: return PICK(sh->dev, &w->r);
	case 4: return PICK(sh->stdev, &w->r);
	case 5: return PICK(sh->viommu, &w->r);
	case 6: return PICK(sh->fault, &w->r);
	default: return rnd(&w->r, 64);
	}
}

/*
 * Slot k of an IOAS: IOVA base + k * 16 pages, always backed by the same
 * user memory (16 pages of the shared or the private buffer), so an access
 * pin of slot k names the pages a map of slot k pinned.
 */
#define NSLOTS 16
static uint64_t slot_iova_k(unsigned int k)
{
	return MOCK_APERTURE_START + k * 16 * FZ_PAGE;
}

static uint8_t *slot_uptr(unsigned int k)
{
	return ((k & 4) ? pbuf : sbuf) + (k % 4) * 16 * FZ_PAGE;
}

static uint64_t slot_iova(struct worker *w)
{
	return slot_iova_k(rnd(&w->r, NSLOTS));
}

static uint8_t *pick_buf(struct worker *w, uint64_t len)
{
	uint8_t *b = rnd(&w->r, 3) ? sbuf : pbuf;

	return b + rnd(&w->r, BUF_PAGES - len / FZ_PAGE + 1) * FZ_PAGE;
}

static uint32_t test_cmd(struct worker *w, enum action a, int fd,
			 struct iommu_test_cmd *t, uint32_t op)
{
	t->size = sizeof(*t);
	t->op = op;
	return xioctl(w, a, fd, IOMMU_TEST_CMD, t, XE_BADFD | XE_BADE);
}

static void do_fork(struct worker *w);

/* ---- VFIO device files (drivers/vfio/) ---------------------------------- */

/* Upstream's cdev ioctls, written out: the build host's header predates them */
struct vfio_bind_iommufd {
	__u32 argsz;
	__u32 flags;
	__s32 iommufd;
	__u32 out_devid;
};

struct vfio_attach_pt {
	__u32 argsz;
	__u32 flags;
	__u32 pt_id;
	__u32 pasid;
};

struct vfio_detach_pt {
	__u32 argsz;
	__u32 flags;
	__u32 pasid;
};

#define VFIO_T_BIND	_IO(VFIO_TYPE, VFIO_BASE + 18)
#define VFIO_T_ATTACH	_IO(VFIO_TYPE, VFIO_BASE + 19)
#define VFIO_T_DETACH	_IO(VFIO_TYPE, VFIO_BASE + 20)
#define VFIO_SID	0x7f00	/* on instance 0; A_DEV_ALLOC uses 0-249 */
#define VFIO_BUS	"/sys/bus/mockiommu"

static int vfio_sysfs(const char *attr, unsigned int k)
{
	char path[64], text[32];
	int fd, rc;

	snprintf(path, sizeof(path), VFIO_BUS "/%s", attr);
	snprintf(text, sizeof(text), "0 %u", VFIO_SID + k);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = write(fd, text, strlen(text)) < 0 ? -errno : 0;
	close(fd);
	return rc;
}

/* Open device k's file, found as QEMU finds it (<device>/vfio-dev/vfio*) */
static int vfio_open(unsigned int k)
{
	char path[128];
	struct dirent *d;
	DIR *dir;
	int fd = -1;

	if (!LOAD(sh->vfio_made))
		return -1;
	snprintf(path, sizeof(path), VFIO_BUS "/devices/mockiommu0.%04x/vfio-dev",
		 VFIO_SID + k);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((d = readdir(dir))) {
		if (strncmp(d->d_name, "vfio", 4) || strlen(d->d_name) > 40)
			continue;
		snprintf(path, sizeof(path), "/dev/vfio/devices/%s", d->d_name);
		fd = open(path, O_RDWR | O_CLOEXEC);
		break;
	}
	closedir(dir);
	return fd;
}

static void vfio_bind(struct worker *w, enum action a, int dfd, int ifd)
{
	struct vfio_bind_iommufd b = { .argsz = sizeof(b), .iommufd = ifd };

	xioctl(w, a, dfd, VFIO_T_BIND, &b, XE_BADFD);
}

/* pread/pwrite of a region, checked like an ioctl */
static void vfio_rw(struct worker *w, enum action a, int dfd, bool wr,
		    void *buf, size_t len, uint64_t off)
{
	ssize_t n;

	begin(w, "%s fd=%d %s 0x%" PRIx64, action_names[a], dfd,
	      wr ? "pwrite" : "pread", off);
	n = wr ? pwrite(dfd, buf, len, off) : pread(dfd, buf, len, off);
	end(w, a, n < 0 ? errno : 0);
	/* a racing close may leave the number on another file or a directory */
	if (n < 0 && !errno_documented(errno) && errno != EBADF &&
	    errno != ESPIPE && errno != EBADFD && errno != EISDIR)
		problem("%s: errno %s is not documented", action_names[a],
			errno_name(errno));
}

/* Bus master on, a copy between two slots, maybe an interrupt */
static void vfio_dma(struct worker *w, enum action a, int dfd)
{
	uint16_t cmd = 0x6;	/* memory space, bus master */
	uint64_t src = slot_iova(w), dst = slot_iova(w);
	uint32_t len = 1 + rnd(&w->r, 16 * FZ_PAGE), go = 1, st;
	uint32_t ctrl = rnd(&w->r, 8);

	if (!rnd(&w->r, 8))
		cmd = rnd(&w->r, 8);
	vfio_rw(w, a, dfd, true, &cmd, 2, (7ULL << 40) + 4);
	vfio_rw(w, a, dfd, true, &src, 8, IOMMU_MOCK_PCI_REG_SRC);
	vfio_rw(w, a, dfd, true, &dst, 8, IOMMU_MOCK_PCI_REG_DST);
	vfio_rw(w, a, dfd, true, &len, 4, IOMMU_MOCK_PCI_REG_LENGTH);
	vfio_rw(w, a, dfd, true, &ctrl, 4, IOMMU_MOCK_PCI_REG_CTRL);
	vfio_rw(w, a, dfd, true, &go, 4, IOMMU_MOCK_PCI_REG_DOORBELL);
	vfio_rw(w, a, dfd, false, &st, 4, IOMMU_MOCK_PCI_REG_STATUS);
}


static void act(struct worker *w, enum action a)
{
	int fd = wfd(w);

	switch (a) {
	case A_IOAS_ALLOC: {
		struct iommu_ioas_alloc s = { .size = sizeof(s) };

		if (!xioctl(w, a, fd, IOMMU_IOAS_ALLOC, &s, 0))
			PUT(sh->ioas, &w->r, s.out_ioas_id);
		break;
	}
	case A_MAP: {
		struct iommu_ioas_map s = { .size = sizeof(s) };

		s.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE;
		if (rnd(&w->r, 3))
			s.flags |= IOMMU_IOAS_MAP_FIXED_IOVA;
		unsigned int k = rnd(&w->r, NSLOTS);

		s.ioas_id = PICK(sh->ioas, &w->r);
		s.length = (1 + rnd(&w->r, 16)) * FZ_PAGE;
		s.user_va = U64P(rnd(&w->r, 8) ? slot_uptr(k) :
				 pick_buf(w, s.length));
		s.iova = slot_iova_k(k);
		xioctl(w, a, fd, IOMMU_IOAS_MAP, &s, 0);
		break;
	}
	case A_UNMAP: {
		struct iommu_ioas_unmap s = { .size = sizeof(s) };

		s.ioas_id = PICK(sh->ioas, &w->r);
		s.iova = slot_iova(w);
		s.length = (1 + rnd(&w->r, 32)) * FZ_PAGE;
		xioctl(w, a, fd, IOMMU_IOAS_UNMAP, &s, XE_DEADLOCK);
		break;
	}
	case A_UNMAP_ALL: {
		struct iommu_ioas_unmap s = { .size = sizeof(s) };

		s.ioas_id = PICK(sh->ioas, &w->r);
		s.length = UINT64_MAX;
		xioctl(w, a, fd, IOMMU_IOAS_UNMAP, &s, XE_DEADLOCK);
		break;
	}
	case A_COPY: {
		struct iommu_ioas_copy s = { .size = sizeof(s) };

		s.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_FIXED_IOVA;
		s.dst_ioas_id = PICK(sh->ioas, &w->r);
		s.src_ioas_id = PICK(sh->ioas, &w->r);
		s.length = (1 + rnd(&w->r, 4)) * FZ_PAGE;
		s.dst_iova = slot_iova(w);
		s.src_iova = slot_iova(w);
		xioctl(w, a, fd, IOMMU_IOAS_COPY, &s, 0);
		break;
	}
	case A_DEV_ALLOC: {
		struct iommu_mock_device_alloc s = { .size = sizeof(s) };

		s.instance_id = rnd(&w->r, 3);
		s.stream_id = ADD(sh->next_sid, 1) % 250;
		if (!xioctl(w, a, fd, IOMMU_MOCK_DEVICE_ALLOC, &s, 0))
			PUT(sh->dev, &w->r, s.out_dev_id);
		break;
	}
	case A_ATTACH:
	case A_REPLACE: {
		struct iommu_mock_device_attach s = { .size = sizeof(s) };

		s.flags = a == A_REPLACE ? IOMMU_MOCK_ATTACH_REPLACE : 0;
		s.dev_id = PICK(sh->dev, &w->r);
		s.pt_id = rnd(&w->r, 2) ? PICK(sh->ioas, &w->r) :
			  rnd(&w->r, 3) ? PICK(sh->hwpt, &w->r) :
					  PICK(sh->nested, &w->r);
		if (!xioctl(w, a, fd, IOMMU_MOCK_DEVICE_ATTACH, &s, 0))
			PUT(sh->hwpt, &w->r, s.out_hwpt_id);
		break;
	}
	case A_DETACH: {
		struct iommu_mock_device_detach s = { .size = sizeof(s) };

		s.dev_id = PICK(sh->dev, &w->r);
		xioctl(w, a, fd, IOMMU_MOCK_DEVICE_DETACH, &s, 0);
		break;
	}
	case A_MOCK_DOMAIN: {
		struct iommu_test_cmd t = {};

		t.id = rnd(&w->r, 4) ? PICK(sh->ioas, &w->r) : PICK(sh->hwpt, &w->r);
		t.mock_domain_flags.dev_flags = rnd(&w->r, 2) ?
			0 : rnd(&w->r, 4);
		if (!test_cmd(w, a, fd, &t, IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS)) {
			unsigned int i = rnd(&w->r, ARRAY_LEN(sh->stdev));

			STORE(sh->stdev[i], t.mock_domain_flags.out_stdev_id);
			STORE(sh->idev[i], t.mock_domain_flags.out_idev_id);
			PUT(sh->hwpt, &w->r, t.mock_domain_flags.out_hwpt_id);
		}
		break;
	}
	case A_ST_REPLACE: {
		struct iommu_test_cmd t = {};

		t.id = PICK(sh->stdev, &w->r);
		t.mock_domain_replace.pt_id = rnd(&w->r, 2) ?
			PICK(sh->ioas, &w->r) : rnd(&w->r, 2) ?
			PICK(sh->hwpt, &w->r) : PICK(sh->nested, &w->r);
		test_cmd(w, a, fd, &t, IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE);
		break;
	}
	case A_HWPT_ALLOC: {
		struct iommu_hwpt_alloc s = { .size = sizeof(s) };

		s.flags = rnd(&w->r, 2) ? IOMMU_HWPT_ALLOC_NEST_PARENT : 0;
		if (!rnd(&w->r, 4))
			s.flags |= IOMMU_HWPT_ALLOC_DIRTY_TRACKING;
		s.dev_id = rnd(&w->r, 2) ? PICK(sh->dev, &w->r) : PICK(sh->idev, &w->r);
		s.pt_id = PICK(sh->ioas, &w->r);
		if (!xioctl(w, a, fd, IOMMU_HWPT_ALLOC, &s, 0))
			PUT(sh->hwpt, &w->r, s.out_hwpt_id);
		break;
	}
	case A_NESTED_ALLOC: {
		struct iommu_hwpt_alloc s = { .size = sizeof(s) };
		struct iommu_hwpt_mock_s1 m = {};
		struct iommu_hwpt_selftest st = { IOMMU_TEST_IOTLB_DEFAULT };

		if (rnd(&w->r, 2)) {
			s.dev_id = PICK(sh->dev, &w->r);
			m.format = 1 + rnd(&w->r, 2);
			m.asid = rnd(&w->r, 16);
			s.data_type = IOMMU_HWPT_DATA_MOCK_S1;
			s.data_len = sizeof(m);
			s.data_uptr = U64P(&m);
		} else {
			s.dev_id = PICK(sh->idev, &w->r);
			s.data_type = IOMMU_HWPT_DATA_SELFTEST;
			s.data_len = sizeof(st);
			s.data_uptr = U64P(&st);
		}
		s.pt_id = rnd(&w->r, 3) ? PICK(sh->hwpt, &w->r) : PICK(sh->viommu, &w->r);
		if (rnd(&w->r, 2)) {
			s.flags = IOMMU_HWPT_FAULT_ID_VALID;
			s.fault_id = PICK(sh->fault, &w->r);
		}
		if (!xioctl(w, a, fd, IOMMU_HWPT_ALLOC, &s, 0))
			PUT(sh->nested, &w->r, s.out_hwpt_id);
		break;
	}
	case A_DESTROY: {
		struct iommu_destroy s = { .size = sizeof(s) };

		s.id = any_id(w);
		xioctl(w, a, fd, IOMMU_DESTROY, &s, 0);
		break;
	}
	case A_ACCESS_CREATE: {
		struct iommu_test_cmd t = {};
		unsigned int i;
		int old;

		t.id = PICK(sh->ioas, &w->r);
		t.create_access.flags = rnd(&w->r, 2) ?
			MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES : 0;
		if (!test_cmd(w, a, fd, &t, IOMMU_TEST_OP_CREATE_ACCESS) &&
		    !w->in_child) {
			/* a child's fd numbers mean nothing to the others */
			i = rnd(&w->r, ARRAY_LEN(sh->access_fd));
			old = __atomic_exchange_n(&sh->access_fd[i],
						  (int)t.create_access.out_access_fd,
						  __ATOMIC_RELAXED);
			if (old > 2)
				close(old);
		}
		break;
	}
	case A_ACCESS_PAGES: {
		struct iommu_test_cmd t = {};
		uint8_t *b;

		t.id = PICK(sh->access_fd, &w->r);
		t.access_pages.flags = rnd(&w->r, 2) ? MOCK_FLAGS_ACCESS_WRITE : 0;
		unsigned int k = rnd(&w->r, NSLOTS), off = rnd(&w->r, 4);

		t.access_pages.length = (1 + rnd(&w->r, 4)) * FZ_PAGE;
		t.access_pages.iova = slot_iova_k(k) + off * FZ_PAGE;
		b = slot_uptr(k) + off * FZ_PAGE;
		t.access_pages.uptr = U64P(b);
		if (!test_cmd(w, a, fd, &t, IOMMU_TEST_OP_ACCESS_PAGES))
			PUT(sh->apages, &w->r, t.access_pages.out_access_pages_id);
		break;
	}
	case A_ACCESS_UNPIN: {
		struct iommu_test_cmd t = {};

		t.id = PICK(sh->access_fd, &w->r);
		t.destroy_access_pages.access_pages_id = PICK(sh->apages, &w->r);
		test_cmd(w, a, fd, &t, IOMMU_TEST_OP_DESTROY_ACCESS_PAGES);
		break;
	}
	case A_ACCESS_RW: {
		struct iommu_test_cmd t = {};
		uint8_t tmp[256];

		t.id = PICK(sh->access_fd, &w->r);
		t.access_rw.iova = slot_iova(w) + rnd(&w->r, FZ_PAGE);
		t.access_rw.length = rnd(&w->r, sizeof(tmp));
		t.access_rw.uptr = U64P(tmp);
		t.access_rw.flags = rnd(&w->r, 2) | (rnd(&w->r, 2) ?
						    MOCK_ACCESS_RW_SLOW_PATH : 0);
		memset(tmp, 0x42, sizeof(tmp));
		test_cmd(w, a, fd, &t, IOMMU_TEST_OP_ACCESS_RW);
		break;
	}
	case A_ACCESS_REPLACE: {
		struct iommu_test_cmd t = {};

		t.id = PICK(sh->access_fd, &w->r);
		t.access_replace_ioas.ioas_id = PICK(sh->ioas, &w->r);
		test_cmd(w, a, fd, &t, IOMMU_TEST_OP_ACCESS_REPLACE_IOAS);
		break;
	}
	case A_ACCESS_CLOSE: {
		unsigned int i = rnd(&w->r, ARRAY_LEN(sh->access_fd));
		int old;

		/* a child's close only drops its own copy of the fd */
		if (w->in_child)
			break;
		old = __atomic_exchange_n(&sh->access_fd[i], -1, __ATOMIC_RELAXED);
		begin(w, "ACCESS_CLOSE fd=%d", old);
		end(w, a, old > 2 && close(old) ? errno : 0);
		break;
	}
	case A_FAULT_ALLOC: {
		struct iommu_fault_alloc s = { .size = sizeof(s) };
		unsigned int i;
		int old;

		if (!xioctl(w, a, fd, IOMMU_FAULT_QUEUE_ALLOC, &s, 0)) {
			i = rnd(&w->r, ARRAY_LEN(sh->fault));
			STORE(sh->fault[i], s.out_fault_id);
			if (w->in_child)
				break;
			old = __atomic_exchange_n(&sh->fault_fd[i],
						  (int)s.out_fault_fd,
						  __ATOMIC_RELAXED);
			if (old > 2)
				close(old);
		}
		break;
	}
	case A_IOPF: {
		struct iommu_test_cmd t = {};

		t.trigger_iopf.dev_id = PICK(sh->idev, &w->r);
		t.trigger_iopf.grpid = rnd(&w->r, 4);
		t.trigger_iopf.perm = IOMMU_PGFAULT_PERM_READ;
		t.trigger_iopf.addr = slot_iova(w);
		test_cmd(w, a, fd, &t, IOMMU_TEST_OP_TRIGGER_IOPF);
		break;
	}
	case A_FAULT_READ: {
		struct iommu_hwpt_pgfault f[4];
		int ffd = PICK(sh->fault_fd, &w->r);
		ssize_t rc;
		int err, i;

		begin(w, "FAULT_READ fd=%d", ffd);
		rc = read(ffd, f, sizeof(f[0]) * (1 + rnd(&w->r, 4)));
		err = rc < 0 ? errno : 0;
		end(w, a, err);
		for (i = 0; rc > 0 && i < rc / (ssize_t)sizeof(f[0]); i++)
			PUT(sh->cookie, &w->r, f[i].cookie);
		break;
	}
	case A_FAULT_WRITE: {
		struct iommu_hwpt_page_response r = {};
		int ffd = PICK(sh->fault_fd, &w->r);
		ssize_t rc;

		r.cookie = PICK(sh->cookie, &w->r);
		r.code = rnd(&w->r, 2);
		begin(w, "FAULT_WRITE fd=%d cookie=%u", ffd, r.cookie);
		rc = write(ffd, &r, sizeof(r));
		end(w, a, rc < 0 ? errno : 0);
		break;
	}
	case A_FAULT_CLOSE: {
		unsigned int i = rnd(&w->r, ARRAY_LEN(sh->fault_fd));
		int old;

		if (w->in_child)
			break;
		old = __atomic_exchange_n(&sh->fault_fd[i], -1, __ATOMIC_RELAXED);
		begin(w, "FAULT_CLOSE fd=%d", old);
		end(w, a, old > 2 && close(old) ? errno : 0);
		break;
	}
	case A_DMA: {
		struct iommu_mock_dma s = { .size = sizeof(s) };
		uint8_t tmp[512];

		s.flags = rnd(&w->r, 2);
		s.dev_id = PICK(sh->dev, &w->r);
		s.iova = slot_iova(w) + rnd(&w->r, FZ_PAGE);
		s.length = 1 + rnd(&w->r, sizeof(tmp));
		s.uptr = U64P(tmp);
		memset(tmp, 0x24, sizeof(tmp));
		xioctl(w, a, fd, IOMMU_MOCK_DMA, &s, 0);
		break;
	}
	case A_VIOMMU: {
		struct iommu_viommu_alloc s = { .size = sizeof(s) };
		struct iommu_viommu_selftest d = {};

		if (rnd(&w->r, 2)) {
			s.type = rnd(&w->r, 2) ? IOMMU_VIOMMU_TYPE_MOCK :
						 IOMMU_VIOMMU_TYPE_DEFAULT;
			s.dev_id = PICK(sh->dev, &w->r);
		} else {
			s.type = IOMMU_VIOMMU_TYPE_SELFTEST;
			s.dev_id = PICK(sh->idev, &w->r);
			s.data_len = sizeof(d);
			s.data_uptr = U64P(&d);
		}
		s.hwpt_id = PICK(sh->hwpt, &w->r);
		if (!xioctl(w, a, fd, IOMMU_VIOMMU_ALLOC, &s, 0)) {
			unsigned int i = rnd(&w->r, 2);

			PUT(sh->viommu, &w->r, s.out_viommu_id);
			if (d.out_mmap_length) {
				STORE(sh->mmap_off[i], d.out_mmap_offset);
				STORE(sh->mmap_len[i], d.out_mmap_length);
			}
		}
		break;
	}
	case A_VDEVICE: {
		struct iommu_vdevice_alloc s = { .size = sizeof(s) };

		s.viommu_id = PICK(sh->viommu, &w->r);
		s.dev_id = rnd(&w->r, 2) ? PICK(sh->dev, &w->r) : PICK(sh->idev, &w->r);
		s.virt_id = rnd(&w->r, 8);
		xioctl(w, a, fd, IOMMU_VDEVICE_ALLOC, &s, 0);
		break;
	}
	case A_INVALIDATE: {
		struct iommu_hwpt_invalidate s = { .size = sizeof(s) };
		struct iommu_mock_invalidate m[2] = {};
		struct iommu_hwpt_invalidate_selftest st[2] = {};

		s.hwpt_id = rnd(&w->r, 3) ? PICK(sh->nested, &w->r) :
			    PICK(sh->viommu, &w->r);
		if (rnd(&w->r, 2)) {
			m[0].op = IOMMU_MOCK_INV_IOTLB_ALL;
			m[1].op = 1 + rnd(&w->r, 3);
			m[1].id = rnd(&w->r, 16);
			m[1].iova = slot_iova(w);
			m[1].length = FZ_PAGE;
			s.data_type = IOMMU_HWPT_INVALIDATE_DATA_MOCK;
			s.data_uptr = U64P(m);
			s.entry_len = sizeof(m[0]);
		} else {
			st[0].flags = IOMMU_TEST_INVALIDATE_FLAG_ALL;
			st[1].iotlb_id = rnd(&w->r, 4);
			s.data_type = IOMMU_HWPT_INVALIDATE_DATA_SELFTEST;
			s.data_uptr = U64P(st);
			s.entry_len = sizeof(st[0]);
		}
		s.entry_num = 1 + rnd(&w->r, 2);
		xioctl(w, a, fd, IOMMU_HWPT_INVALIDATE, &s, 0);
		break;
	}
	case A_DIRTY: {
		struct iommu_hwpt_set_dirty_tracking d = { .size = sizeof(d) };
		struct iommu_hwpt_get_dirty_bitmap g = { .size = sizeof(g) };
		uint64_t bitmap[4] = {};

		if (rnd(&w->r, 2)) {
			d.flags = rnd(&w->r, 2);
			d.hwpt_id = PICK(sh->hwpt, &w->r);
			xioctl(w, a, fd, IOMMU_HWPT_SET_DIRTY_TRACKING, &d, 0);
		} else {
			g.hwpt_id = PICK(sh->hwpt, &w->r);
			g.iova = MOCK_APERTURE_START;
			g.length = 256 * FZ_PAGE;
			g.page_size = FZ_PAGE;
			g.data = U64P(bitmap);
			xioctl(w, a, fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &g, 0);
		}
		break;
	}
	case A_FORK:
		if (!w->in_child)
			do_fork(w);
		break;
	case A_IOAS_CHURN: {
		/*
		 * An empty IOAS that others may already pick, destroyed at
		 * once: IOMMU_DESTROY's path without the file lock against
		 * every command that looks the ID up.
		 */
		struct iommu_ioas_alloc s = { .size = sizeof(s) };
		struct iommu_destroy d = { .size = sizeof(d) };

		if (xioctl(w, a, fd, IOMMU_IOAS_ALLOC, &s, 0))
			break;
		PUT(sh->ioas, &w->r, s.out_ioas_id);
		d.id = s.out_ioas_id;
		xioctl(w, a, fd, IOMMU_DESTROY, &d, 0);
		break;
	}
	case A_CHANGE_PROCESS: {
		/* Walks every IOAS of the file while they are destroyed */
		struct iommu_ioas_change_process s = { .size = sizeof(s) };

		xioctl(w, a, fd, IOMMU_IOAS_CHANGE_PROCESS, &s, 0);
		break;
	}
	case A_VFIO_REOPEN: {
		/* a new file for device k, bound to either iommufd */
		unsigned int k = rnd(&w->r, 2);
		int nfd = vfio_open(k), old;

		if (nfd < 0)
			break;
		vfio_bind(w, a, nfd, wfd(w));
		/* a child's fd numbers mean nothing to the others */
		if (w->in_child) {
			close(nfd);
			break;
		}
		old = __atomic_exchange_n(&sh->vfio_fd[k], nfd, __ATOMIC_RELAXED);
		if (old > 2)
			close(old);
		break;
	}
	case A_VFIO_ATTACH: {
		struct vfio_attach_pt s = { .argsz = 12 };

		switch (rnd(&w->r, 4)) {
		case 0: s.pt_id = PICK(sh->hwpt, &w->r); break;
		case 1: s.pt_id = PICK(sh->nested, &w->r); break;
		default: s.pt_id = PICK(sh->ioas, &w->r); break;
		}
		if (!rnd(&w->r, 4)) {
			s.argsz = 16;
			s.flags = 1;	/* VFIO_DEVICE_ATTACH_PASID */
			s.pasid = 1 + rnd(&w->r, 3);
		}
		xioctl(w, a, LOAD(sh->vfio_fd[rnd(&w->r, 2)]), VFIO_T_ATTACH, &s,
		       XE_BADFD);
		break;
	}
	case A_VFIO_DETACH: {
		struct vfio_detach_pt s = { .argsz = 8 };

		if (!rnd(&w->r, 4)) {
			s.argsz = 12;
			s.flags = 1;
			s.pasid = 1 + rnd(&w->r, 3);
		}
		xioctl(w, a, LOAD(sh->vfio_fd[rnd(&w->r, 2)]), VFIO_T_DETACH, &s,
		       XE_BADFD);
		break;
	}
	case A_VFIO_DMA:
		vfio_dma(w, a, LOAD(sh->vfio_fd[rnd(&w->r, 2)]));
		break;
	case A_VFIO_IRQ: {
		/* a fresh eventfd per vector, closed at once: the device holds it */
		char buf[sizeof(struct vfio_irq_set) + 2 * sizeof(int32_t)];
		struct vfio_irq_set *is = (struct vfio_irq_set *)buf;
		int32_t efd[2] = { eventfd(0, EFD_NONBLOCK), -1 };

		memset(buf, 0, sizeof(buf));
		is->argsz = sizeof(buf);
		is->index = rnd(&w->r, 2) ? VFIO_PCI_MSIX_IRQ_INDEX :
					    VFIO_PCI_REQ_IRQ_INDEX;
		is->count = is->index == VFIO_PCI_MSIX_IRQ_INDEX ? 2 : 1;
		is->flags = VFIO_IRQ_SET_ACTION_TRIGGER |
			    (rnd(&w->r, 4) ? VFIO_IRQ_SET_DATA_EVENTFD :
					     VFIO_IRQ_SET_DATA_NONE);
		if (is->flags & VFIO_IRQ_SET_DATA_NONE)
			is->count = 0;
		memcpy(is->data, efd, sizeof(efd));
		xioctl(w, a, LOAD(sh->vfio_fd[rnd(&w->r, 2)]), VFIO_DEVICE_SET_IRQS,
		       is, XE_BADFD);
		if (efd[0] >= 0)
			close(efd[0]);
		break;
	}
	case A_VFIO_RESET:
		xioctl(w, a, LOAD(sh->vfio_fd[rnd(&w->r, 2)]), VFIO_DEVICE_RESET,
		       NULL, XE_BADFD);
		break;
	case A_OBJECT_INFO: {
		struct iommu_mock_object_info s = { .size = sizeof(s) };

		s.id = any_id(w);
		xioctl(w, a, fd, IOMMU_MOCK_OBJECT_INFO, &s, 0);
		break;
	}
	case A_VEVENTQ_ALLOC: {
		struct iommu_veventq_alloc s = { .size = sizeof(s) };
		unsigned int i = rnd(&w->r, 2);
		int old;

		s.viommu_id = PICK(sh->viommu, &w->r);
		s.type = IOMMU_VEVENTQ_TYPE_SELFTEST;
		s.veventq_depth = 1 + rnd(&w->r, 4);
		if (xioctl(w, a, fd, IOMMU_VEVENTQ_ALLOC, &s, 0))
			break;
		if (w->in_child) {
			close(s.out_veventq_fd);
			break;
		}
		old = __atomic_exchange_n(&sh->veventq_fd[i],
					  (int)s.out_veventq_fd, __ATOMIC_RELAXED);
		if (old > 2)
			close(old);
		break;
	}
	case A_VEVENT: {
		struct iommu_test_cmd t = {};

		t.trigger_vevent.dev_id = PICK(sh->idev, &w->r);
		test_cmd(w, a, fd, &t, IOMMU_TEST_OP_TRIGGER_VEVENT);
		break;
	}
	case A_VEVENTQ_READ: {
		uint8_t buf[64];
		int efd = PICK(sh->veventq_fd, &w->r);
		ssize_t rc;

		begin(w, "VEVENTQ_READ fd=%d", efd);
		rc = read(efd, buf, 12 * (1 + rnd(&w->r, 5)));
		end(w, a, rc < 0 ? errno : 0);
		break;
	}
	case A_VEVENTQ_CLOSE: {
		unsigned int i = rnd(&w->r, ARRAY_LEN(sh->veventq_fd));
		int old;

		if (w->in_child)
			break;
		old = __atomic_exchange_n(&sh->veventq_fd[i], -1,
					  __ATOMIC_RELAXED);
		begin(w, "VEVENTQ_CLOSE fd=%d", old);
		end(w, a, old > 2 && close(old) ? errno : 0);
		break;
	}
	case A_MMAP: {
		/* A mapping keeps its vIOMMU busy while others destroy it */
		unsigned int i = rnd(&w->r, 2);
		uint64_t off = LOAD(sh->mmap_off[i]), len = LOAD(sh->mmap_len[i]);
		volatile uint8_t *p;

		if (!len)
			len = FZ_PAGE;
		begin(w, "MMAP off=0x%" PRIx64 " len=0x%" PRIx64, off, len);
		p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
		end(w, a, p == MAP_FAILED ? errno : 0);
		if (p == MAP_FAILED)
			break;
		p[rnd(&w->r, len)] = 1;
		(void)p[rnd(&w->r, len)];
		munmap((void *)p, len);
		break;
	}
	case A_PASID: {
		struct iommu_test_cmd t = {};
		uint32_t op = IOMMU_TEST_OP_PASID_ATTACH + rnd(&w->r, 3);

		t.id = PICK(sh->stdev, &w->r);
		t.pasid_attach.pasid = 1 + rnd(&w->r, 4);
		t.pasid_attach.pt_id = rnd(&w->r, 2) ? PICK(sh->hwpt, &w->r) :
						       PICK(sh->nested, &w->r);
		test_cmd(w, a, fd, &t, op);
		break;
	}
	case NR_ACTIONS:
		break;
	}
}

static unsigned int weight[NR_ACTIONS] = {
	[A_IOAS_ALLOC] = 2, [A_MAP] = 12, [A_UNMAP] = 8, [A_UNMAP_ALL] = 3,
	[A_COPY] = 3, [A_DEV_ALLOC] = 3, [A_ATTACH] = 6, [A_REPLACE] = 6,
	[A_DETACH] = 4, [A_MOCK_DOMAIN] = 3, [A_ST_REPLACE] = 6,
	[A_HWPT_ALLOC] = 4, [A_NESTED_ALLOC] = 4, [A_DESTROY] = 6,
	[A_ACCESS_CREATE] = 2, [A_ACCESS_PAGES] = 8, [A_ACCESS_UNPIN] = 5,
	[A_ACCESS_RW] = 6, [A_ACCESS_REPLACE] = 2, [A_ACCESS_CLOSE] = 1,
	[A_FAULT_ALLOC] = 1, [A_IOPF] = 6, [A_FAULT_READ] = 5,
	[A_FAULT_WRITE] = 4, [A_FAULT_CLOSE] = 1, [A_DMA] = 6, [A_VIOMMU] = 2,
	[A_VDEVICE] = 2, [A_INVALIDATE] = 3, [A_DIRTY] = 2, [A_FORK] = 1,
	[A_OBJECT_INFO] = 2, [A_VEVENTQ_ALLOC] = 1, [A_VEVENT] = 3,
	[A_VEVENTQ_READ] = 3, [A_VEVENTQ_CLOSE] = 1, [A_MMAP] = 2, [A_PASID] = 3,
	[A_IOAS_CHURN] = 3, [A_CHANGE_PROCESS] = 1, [A_VFIO_REOPEN] = 2,
	[A_VFIO_ATTACH] = 4, [A_VFIO_DETACH] = 2, [A_VFIO_DMA] = 4,
	[A_VFIO_IRQ] = 2, [A_VFIO_RESET] = 1,
};

static enum action pick_action(struct worker *w)
{
	static unsigned int total;
	unsigned int i, x;

	if (!total)
		for (i = 0; i < NR_ACTIONS; i++)
			total += weight[i];
	x = rnd(&w->r, total);
	for (i = 0; i < NR_ACTIONS; i++) {
		if (x < weight[i])
			return i;
		x -= weight[i];
	}
	return A_MAP;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	sh->w[w->slot].pid = getpid();
	sh->w[w->slot].tid = gettid_();
	while (!g_stop)
		act(w, pick_action(w));
	return NULL;
}

/*
 * A process forked while the iommufds hold mappings: it maps memory of its
 * own (private, so it is the child's pages) through the inherited file,
 * pins some through an access, writes to the shared buffer, and exits with
 * the mappings in place (the parent's close cleans up), or is killed.
 */
static void do_fork(struct worker *w)
{
	uint64_t seed = rng_next(&w->r);
	pid_t pid;
	int status, i;

	begin(w, "FORK");
	pid = fork();
	if (pid < 0) {
		end(w, A_FORK, errno);
		return;
	}
	if (!pid) {
		struct worker cw = { .r = { seed }, .slot = w->slot, .in_child = true };
		uint8_t *mem = mmap(NULL, 8 * FZ_PAGE, PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		struct iommu_ioas_map m = { .size = sizeof(m) };
		int i;

		if (mem == MAP_FAILED)
			_exit(0);
		memset(mem, 0x66, 8 * FZ_PAGE);
		m.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE;
		m.ioas_id = PICK(sh->ioas, &cw.r);
		m.user_va = U64P(mem);
		m.length = 8 * FZ_PAGE;
		ioctl(LOAD(sh->fd[0]), IOMMU_IOAS_MAP, &m);
		for (i = 0; i < 8; i++)
			act(&cw, pick_action(&cw));
		sbuf[rnd(&cw.r, BUF_PAGES * FZ_PAGE)]++;
		pbuf[rnd(&cw.r, BUF_PAGES * FZ_PAGE)]++;
		_exit(0);
	}
	if (rnd(&w->r, 3) == 0) {
		usleep(rnd(&w->r, 2000));
		kill(pid, SIGKILL);
	}
	/* a child stuck in userspace (fork of a threaded process) is killed */
	for (i = 0; waitpid(pid, &status, WNOHANG) == 0; i++) {
		if (i == 10000)
			kill(pid, SIGKILL);
		usleep(1000);
	}
	end(w, A_FORK, 0);
}

/* ---- rounds ---------------------------------------------------------------- */

static int open_dev(void)
{
	int fd = open(g_dev, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		problem("open %s: %s", g_dev, strerror(errno));
		exit(2);
	}
	return fd;
}

/* The world a round starts from; every failure here is fine (races later). */
/*
 * A selftest device on a nested HWPT of a SELFTEST vIOMMU in which it has a
 * vDEVICE, with a vEVENTQ: what vEVENT triggers, queue reads and mmap()
 * need, built on sh->fd[0] with valid arguments (steps stop at the first
 * failure; the threads race on whatever was built).
 */
static void build_viommu_chain(void)
{
	struct iommu_viommu_selftest vd = {};
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
	struct iommu_vdevice_alloc vv = { .size = sizeof(vv), .virt_id = 1 };
	struct iommu_hwpt_alloc na = { .size = sizeof(na),
				       .data_type = IOMMU_HWPT_DATA_SELFTEST,
				       .data_len = sizeof(nd),
				       .data_uptr = U64P(&nd) };
	struct iommu_test_cmd rp = { .size = sizeof(rp),
				     .op = IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE };
	struct iommu_veventq_alloc eq = { .size = sizeof(eq),
					  .type = IOMMU_VEVENTQ_TYPE_SELFTEST,
					  .veventq_depth = 4 };
	int fd = sh->fd[0];

	if (ioctl(fd, IOMMU_IOAS_ALLOC, &ia))
		return;
	md.id = ia.out_ioas_id;
	if (ioctl(fd, IOMMU_TEST_CMD, &md))
		return;
	sh->stdev[0] = md.mock_domain.out_stdev_id;
	sh->idev[0] = md.mock_domain.out_idev_id;
	pa.dev_id = md.mock_domain.out_idev_id;
	pa.pt_id = ia.out_ioas_id;
	if (ioctl(fd, IOMMU_HWPT_ALLOC, &pa))
		return;
	sh->hwpt[0] = pa.out_hwpt_id;
	va.dev_id = pa.dev_id;
	va.hwpt_id = pa.out_hwpt_id;
	if (ioctl(fd, IOMMU_VIOMMU_ALLOC, &va))
		return;
	sh->viommu[0] = va.out_viommu_id;
	sh->mmap_off[0] = vd.out_mmap_offset;
	sh->mmap_len[0] = vd.out_mmap_length;
	vv.viommu_id = va.out_viommu_id;
	vv.dev_id = pa.dev_id;
	na.dev_id = pa.dev_id;
	na.pt_id = va.out_viommu_id;
	if (ioctl(fd, IOMMU_VDEVICE_ALLOC, &vv) ||
	    ioctl(fd, IOMMU_HWPT_ALLOC, &na))
		return;
	sh->nested[0] = na.out_hwpt_id;
	rp.id = md.mock_domain.out_stdev_id;
	rp.mock_domain_replace.pt_id = na.out_hwpt_id;
	eq.viommu_id = va.out_viommu_id;
	if (ioctl(fd, IOMMU_TEST_CMD, &rp) ||
	    ioctl(fd, IOMMU_VEVENTQ_ALLOC, &eq))
		return;
	sh->veventq_fd[0] = eq.out_veventq_fd;
}

static void build_world(struct rng *r)
{
	struct worker w = { .r = *r, .slot = MAX_WORKERS - 1 };
	unsigned int i;

	memset((void *)&sh->ioas, 0, sizeof(*sh) - offsetof(struct shared, ioas));
	for (i = 0; i < ARRAY_LEN(sh->access_fd); i++)
		sh->access_fd[i] = -1;
	sh->fault_fd[0] = sh->fault_fd[1] = -1;
	sh->veventq_fd[0] = sh->veventq_fd[1] = -1;
	sh->vfio_fd[0] = sh->vfio_fd[1] = -1;
	sh->fd[0] = open_dev();
	sh->fd[1] = open_dev();
	/* two devices with VFIO files, bound one to each iommufd */
	sh->vfio_made = !vfio_sysfs("vfio_add", 0) && !vfio_sysfs("vfio_add", 1);
	for (i = 0; i < 2 && sh->vfio_made; i++) {
		sh->vfio_fd[i] = vfio_open(i);
		if (sh->vfio_fd[i] >= 0)
			vfio_bind(&w, A_VFIO_REOPEN, sh->vfio_fd[i], sh->fd[i]);
	}
	sh->next_sid = rnd(r, 250);
	for (i = 0; i < 2; i++)
		act(&w, A_IOAS_ALLOC);
	for (i = 0; i < 6; i++)
		act(&w, A_MAP);
	for (i = 0; i < 3; i++)
		act(&w, A_DEV_ALLOC);
	for (i = 0; i < 3; i++)
		act(&w, A_ATTACH);
	for (i = 0; i < 3; i++)
		act(&w, A_MOCK_DOMAIN);
	act(&w, A_FAULT_ALLOC);
	act(&w, A_HWPT_ALLOC);
	act(&w, A_NESTED_ALLOC);
	act(&w, A_ACCESS_CREATE);
	act(&w, A_ACCESS_PAGES);
	build_viommu_chain();
	*r = w.r;
}

static void close_world(struct rng *r)
{
	int fds[16], n = 0, i, j, t;

	for (i = 0; i < 4; i++)
		if (sh->access_fd[i] > 2)
			fds[n++] = sh->access_fd[i];
	for (i = 0; i < 2; i++)
		if (sh->fault_fd[i] > 2)
			fds[n++] = sh->fault_fd[i];
	for (i = 0; i < 2; i++)
		if (sh->veventq_fd[i] > 2)
			fds[n++] = sh->veventq_fd[i];
	for (i = 0; i < 2; i++)
		if (sh->vfio_fd[i] > 2)
			fds[n++] = sh->vfio_fd[i];
	fds[n++] = sh->fd[0];
	fds[n++] = sh->fd[1];
	for (i = n - 1; i > 0; i--) {
		j = rnd(r, i + 1);
		t = fds[i];
		fds[i] = fds[j];
		fds[j] = t;
	}
	for (i = 0; i < n; i++)
		close(fds[i]);
	/* every file of the devices is closed now: they go */
	if (sh->vfio_made) {
		for (i = 0; i < 2; i++) {
			int rc = vfio_sysfs("vfio_remove", i);

			if (rc)
				problem("vfio_remove of device %d after the round: errno %d",
					i, -rc);
		}
		sh->vfio_made = 0;
	}
}

/* A lasting leak is reported once, not after every round. */
static bool refs_reported[2];
static int devs_reported = -1;
static long pin_reported;

static void check_clean(int dev_baseline)
{
	int fd = open_dev(), rc, devs;
	long pin;

	rc = check_refs(fd, sbuf, BUF_PAGES * FZ_PAGE, 0);
	if (rc && !refs_reported[0]) {
		refs_reported[0] = true;
		problem("MD_CHECK_REFS refs=0 on the shared buffer: %s (a page is still pinned)",
			errno_name(-rc));
	}
	rc = check_refs(fd, pbuf, BUF_PAGES * FZ_PAGE, 0);
	if (rc && !refs_reported[1]) {
		refs_reported[1] = true;
		problem("MD_CHECK_REFS refs=0 on the private buffer: %s (a page is still pinned)",
			errno_name(-rc));
	}
	close(fd);
	devs = count_mock_devices();
	if (devs != dev_baseline && devs != devs_reported) {
		devs_reported = devs;
		problem("%d mock devices in sysfs after the round, %d before the run",
			devs, dev_baseline);
	}
	pin = proc_status_kb("VmPin");
	if (pin > 0 && pin != pin_reported) {
		pin_reported = pin;
		problem("VmPin is %ld kB with every iommufd closed", pin);
	}
}

/* A process of the round: @nthreads workers until the round ends. */
static void run_workers(uint64_t seed, unsigned int first_slot,
			unsigned int nthreads, unsigned int ms, bool in_child)
{
	struct worker w[MAX_WORKERS];
	pthread_t th[MAX_WORKERS];
	unsigned int i;

	g_stop = 0;
	for (i = 0; i < nthreads; i++) {
		w[i].r.s = rng_derive(seed, i);
		w[i].slot = first_slot + i;
		w[i].in_child = in_child;
		if (pthread_create(&th[i], NULL, worker_main, &w[i])) {
			problem("pthread_create failed");
			nthreads = i;
			break;
		}
	}
	usleep(ms * 1000);
	g_stop = 1;
	for (i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
}

static void *watchdog(void *arg)
{
	uint64_t last = 0, since = now_ms();
	unsigned int i;

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
		printf("PROBLEM: iommufd_stress seed 0x%" PRIx64 " round %" PRIu64
		       ": WATCHDOG: no action finished for %u s; in flight:\n",
		       g_seed, g_round, g_watchdog_s);
		for (i = 0; i < MAX_WORKERS; i++) {
			struct worker_slot *s = &sh->w[i];

			if (!s->since)
				continue;
			printf("#   task %d/%d for %" PRIu64 " ms: %s\n", s->pid,
			       s->tid, now_ms() - s->since, s->desc);
			dump_task("#     ", s->pid, s->tid);
		}
		printf("iommufd_stress: seed 0x%" PRIx64 ", %" PRIu64 " rounds, %" PRIu64
		       " ops, %" PRIu64 " problems (watchdog)\n", g_seed, g_round,
		       sh->ops, sh->problems + 1);
		fflush(stdout);
		_exit(3);
	}
	return NULL;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: iommufd_stress [-t seconds] [-s seed] [-j threads] [-p processes]\n"
		"                      [-r round_ms] [-d device] [-w watchdog_seconds] [-v]\n"
		"       [-x NAME,...]  (names of the summary table)\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *seed_arg = NULL, *dev_arg = NULL;
	unsigned int threads = 4, procs = 2, round_ms = 1500, i, e;
	uint64_t seconds = 60, start;
	pthread_t wd;
	int opt, baseline;

	while ((opt = getopt(argc, argv, "x:t:s:j:p:r:d:w:v")) != -1) {
		switch (opt) {
		case 't': seconds = strtoull(optarg, NULL, 0); break;
		case 's': seed_arg = optarg; break;
		case 'j': threads = strtoul(optarg, NULL, 0); break;
		case 'p': procs = strtoul(optarg, NULL, 0); break;
		case 'r': round_ms = strtoul(optarg, NULL, 0); break;
		case 'd': dev_arg = optarg; break;
		case 'w': g_watchdog_s = strtoul(optarg, NULL, 0); break;
		case 'v': g_verbose = true; break;
		case 'x': fuzz_exclude(optarg, action_names, weight, NR_ACTIONS); break;
		default: usage();
		}
	}
	if (!threads || threads * (procs + 1) + 1 > MAX_WORKERS)
		usage();
	g_seed = pick_seed(seed_arg);
	g_dev = pick_device(dev_arg);
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	sbuf = mmap(NULL, BUF_PAGES * FZ_PAGE, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pbuf = mmap(NULL, BUF_PAGES * FZ_PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED || sbuf == MAP_FAILED || pbuf == MAP_FAILED) {
		perror("iommufd_stress: mmap");
		return 2;
	}
	memset(sbuf, 1, BUF_PAGES * FZ_PAGE);
	memset(pbuf, 2, BUF_PAGES * FZ_PAGE);
	printf("iommufd_stress: seed 0x%" PRIx64 " device %s, %" PRIu64
	       " s, %u threads x %u processes, rounds of %u ms, watchdog %u s\n",
	       g_seed, g_dev, seconds, threads, procs + 1, round_ms, g_watchdog_s);
	close(open_dev());
	baseline = count_mock_devices();
	if (pthread_create(&wd, NULL, watchdog, NULL))
		return 2;
	start = now_ms();
	for (g_round = 0; now_ms() - start < seconds * 1000; g_round++) {
		struct rng r = { rng_derive(g_seed, g_round) };
		unsigned int nprocs = rnd(&r, procs + 1), ms;
		pid_t pids[MAX_WORKERS];

		ms = round_ms / 2 + rnd(&r, round_ms);
		build_world(&r);
		fflush(stdout);
		for (i = 0; i < nprocs; i++) {
			uint64_t s = rng_next(&r);

			pids[i] = fork();
			if (!pids[i]) {
				run_workers(s, threads * (i + 1), threads, ms, true);
				_exit(0);
			}
		}
		run_workers(rng_next(&r), 0, threads, ms, false);
		for (i = 0; i < nprocs; i++) {
			int status;

			if (pids[i] < 0)
				continue;
			if (one_in(&r, 3))
				kill(pids[i], SIGKILL);
			while (waitpid(pids[i], &status, 0) < 0 && errno == EINTR)
				;
		}
		close_world(&r);
		check_clean(baseline);
		if (g_verbose)
			printf("# round %" PRIu64 " done, %" PRIu64 " ops so far\n",
			       g_round, sh->ops);
	}
	printf("# %-16s %9s %9s  errnos (first 5)\n", "action", "calls", "ok");
	for (i = 0; i < NR_ACTIONS; i++) {
		unsigned int shown = 0;

		printf("# %-16s %9" PRIu64 " %9" PRIu64 " ", action_names[i],
		       sh->st[i].calls, sh->st[i].ok);
		for (e = 0; e < ERRMAX && shown < 5; e++)
			if (sh->st[i].err[e]) {
				printf(" %s:%u", errno_name(e), sh->st[i].err[e]);
				shown++;
			}
		printf("\n");
	}
	printf("iommufd_stress: seed 0x%" PRIx64 ", %" PRIu64 " rounds, %" PRIu64
	       " ops, %" PRIu64 " problems\n", g_seed, g_round, sh->ops,
	       sh->problems);
	return sh->problems ? 1 : 0;
}
