// SPDX-License-Identifier: GPL-2.0
/*
 * vmm_demo - the iommufd calls a VMM makes to give a guest nested
 * (two-stage) translation, in the order a VMM makes them, against the mock
 * IOMMU of iommufd_mock.ko.
 *
 * The guest gets two virtual IOMMUs, because its three pass-through devices
 * sit behind two physical IOMMU instances with different stage-1 formats:
 * two devices behind an ARM-like instance (what QEMU's accelerated SMMUv3
 * does) and one behind an x86-like instance (what a VT-d nesting setup
 * does). Every step prints the ioctl with its inputs and outputs and why a
 * VMM makes it.
 *
 * Part 2 (smmuv3_part.c) is a second VM behind the SMMUv3 instance: the
 * guest writes real STEs, CDs and stage-1 tables, the device's DMA walks
 * them, a missing TLBI leaves a stale IOTLB entry, and a fault comes back
 * on the vEVENTQ with the guest's stream ID.
 *
 * Part 3 (vtd_part.c) is a third VM behind the VT-d instance, as QEMU's
 * intel-iommu with scalable-mode=on,fsts=on drives it: the guest writes an
 * x86-64 first-stage table, the VMM nests it (IOMMU_HWPT_DATA_VTD_S1) over
 * stage 2, the device's DMA walks it and sets A/D, a PTE edited without a
 * PASID-based IOTLB invalidation stays stale until the forwarded
 * IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, and an unmapped IOVA faults (0x71).
 *
 * Usage: vmm_demo [/dev/iommufd-mock]
 * Exit code: 0 when every step behaved as the uAPI headers say, 1 otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/iommufd.h>
#include <linux/iommufd_mock.h>

#include "demo.h"

#define SZ_4K		0x1000ULL
#define SZ_1M		0x100000ULL
#define GUEST_RAM_GPA	0x40000000ULL		/* where the guest sees its RAM */
#define GUEST_RAM_SIZE	(64 * SZ_1M)
#define GUEST_RAM_LAST	(GUEST_RAM_GPA + GUEST_RAM_SIZE - 1)
/* The guest keeps its stage-1 tables in the top MiB of its RAM. */
#define GUEST_PGTABLES	(GUEST_RAM_LAST + 1 - SZ_1M)
/* A DMA buffer the guest's driver of the first device allocated. */
#define GUEST_DMA_BUF	(GUEST_RAM_GPA + 2 * SZ_1M)
/* An address outside guest RAM: nothing is mapped there in stage 2. */
#define GUEST_HOLE	0x50000000ULL

int fd = -1;
int step_no;

/* ------------------------------------------------------------------ */
/* Printing                                                             */
/* ------------------------------------------------------------------ */

const char *errname(int err)
{
	static char buf[16];

	switch (err) {
	case 0: return "0";
	case EPERM: return "EPERM";
	case ENOENT: return "ENOENT";
	case EFAULT: return "EFAULT";
	case EBUSY: return "EBUSY";
	case EEXIST: return "EEXIST";
	case ENODEV: return "ENODEV";
	case EINVAL: return "EINVAL";
	case ENOSPC: return "ENOSPC";
	case ENOTTY: return "ENOTTY";
	case ENOMEM: return "ENOMEM";
	case E2BIG: return "E2BIG";
	case EMSGSIZE: return "EMSGSIZE";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case EADDRINUSE: return "EADDRINUSE";
	case EOVERFLOW: return "EOVERFLOW";
	case EACCES: return "EACCES";
	case EIO: return "EIO";
	case EINTR: return "EINTR";
	}
	snprintf(buf, sizeof(buf), "errno %d", err);
	return buf;
}

void die(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "\nvmm_demo: FAILED in step %d: ", step_no);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

void step(const char *fmt, ...)
{
	va_list ap;

	printf("\n[%d] ", ++step_no);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* An explanation, word-wrapped under the step title. */
void why(const char *fmt, ...)
{
	char text[1024];
	const char *p = text;
	va_list ap;
	int col = 0;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	while (*p) {
		size_t n = strcspn(p, " ");

		if (col && col + 1 + (int)n > 76) {
			printf("\n");
			col = 0;
		}
		if (!col) {
			printf("    ");
			col = 4;
		} else {
			printf(" ");
			col++;
		}
		printf("%.*s", (int)n, p);
		col += n;
		p += n;
		while (*p == ' ')
			p++;
	}
	if (col)
		printf("\n");
}

/* Output lines of an ioctl, or a result the VMM derived. */
void out(const char *fmt, ...)
{
	va_list ap;

	printf("        ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/*
 * Issue one ioctl and print "NAME(inputs) = 0" or "= ERRNO". Returns 0 or
 * the errno.
 */
static int __attribute__((format(printf, 4, 0)))
vcall(const char *name, unsigned long req, void *arg, const char *fmt,
      va_list ap)
{
	char in[320];
	int err = 0;

	vsnprintf(in, sizeof(in), fmt, ap);
	if (ioctl(fd, req, arg))
		err = errno;
	printf("  ioctl(%s, {%s}) = %s\n", name, in, errname(err));
	return err;
}

int call(const char *name, unsigned long req, void *arg, const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = vcall(name, req, arg, fmt, ap);
	va_end(ap);
	return err;
}

/* Like call(), but any failure ends the demo. */
void xcall(const char *name, unsigned long req, void *arg, const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = vcall(name, req, arg, fmt, ap);
	va_end(ap);
	if (err)
		die("%s failed with %s (%s); the uAPI says it should succeed here",
		    name, errname(err), strerror(err));
}

/* A refusal the VMM must expect: exactly @want, nothing else. */
void expect_err(int err, int want, const char *name, const char *rule)
{
	if (err != want)
		die("%s: expected %s (%s), got %s", name, errname(want), rule,
		    errname(err));
	out("refused with %s, as expected: %s", errname(want), rule);
}

/* Pages this process has pinned: VmPin of /proc/self/status, in KiB. */
static long pinned_kib(void)
{
	char line[256];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmPin:", 6)) {
			kib = strtol(line + 6, NULL, 10);
			break;
		}
	fclose(f);
	return kib;
}

/* ------------------------------------------------------------------ */
/* Model of the VM being built                                          */
/* ------------------------------------------------------------------ */

/* One vIOMMU the guest sees, backed by one physical mock instance. */
struct viommu {
	const char *name;
	struct iommu_hw_info_mock hw;	/* its physical instance */
	uint32_t parent_hwpt;		/* the nest-parent (stage 2) HWPT */
	uint32_t id;			/* the vIOMMU object */
	uint32_t type;			/* IOMMU_VIOMMU_TYPE_* it got */
};

/* One pass-through device of the guest. */
struct vdev {
	const char *name;
	struct viommu *vi;
	uint32_t psid;			/* physical stream ID */
	uint32_t vsid;			/* virtual stream ID in the vIOMMU */
	uint32_t asid;			/* its stage-1 address-space tag */
	uint64_t ttbr;			/* its stage-1 table base (an IPA) */
	uint32_t dev_id;
	uint32_t vdevice_id;
	uint32_t nested_hwpt;
	struct iommu_hw_info_mock hw;	/* from IOMMU_GET_HW_INFO */
	struct iommu_resv_region_info *regions;
	uint32_t num_regions;
};

static const char *format_name(uint32_t format)
{
	switch (format) {
	case IOMMU_MOCK_S1_FORMAT_ARM_LPAE: return "ARM_LPAE";
	case IOMMU_MOCK_S1_FORMAT_X86_FL: return "X86_FL";
	case IOMMU_MOCK_S1_FORMAT_ARM_SMMUV3: return "ARM_SMMUV3";
	}
	return "unknown";
}

static const char *resv_type_name(uint32_t type)
{
	switch (type) {
	case IOMMU_RESV_TYPE_DIRECT: return "DIRECT";
	case IOMMU_RESV_TYPE_DIRECT_RELAXABLE: return "DIRECT_RELAXABLE";
	case IOMMU_RESV_TYPE_RESERVED: return "RESERVED";
	case IOMMU_RESV_TYPE_MSI: return "MSI";
	case IOMMU_RESV_TYPE_SW_MSI: return "SW_MSI";
	}
	return "unknown";
}

static const char *obj_type_name(uint32_t type)
{
	switch (type) {
	case IOMMU_MOCK_OBJ_IOAS: return "IOAS";
	case IOMMU_MOCK_OBJ_HWPT_PAGING: return "HWPT_PAGING";
	case IOMMU_MOCK_OBJ_HWPT_NESTED: return "HWPT_NESTED";
	case IOMMU_MOCK_OBJ_DEVICE: return "DEVICE";
	case IOMMU_MOCK_OBJ_VIOMMU: return "VIOMMU";
	case IOMMU_MOCK_OBJ_VDEVICE: return "VDEVICE";
	}
	return "unknown";
}

static void print_instance(const struct iommu_hw_info_mock *h)
{
	out("instance %u: s1_format=%s flags=%s%s ias=%u oas=%u sid_bits=%u asid_bits=%u",
	    h->instance_id, format_name(h->s1_format),
	    h->flags & IOMMU_HW_INFO_MOCK_VIOMMU ? "VIOMMU|" : "",
	    h->flags & IOMMU_HW_INFO_MOCK_NESTING ? "NESTING" : "-",
	    h->s1_ias, h->s1_oas, h->sid_bits, h->asid_bits);
	out("            aperture=0x%llx-0x%llx pgsizes=0x%llx resv_regions=%u",
	    (unsigned long long)h->aperture_start,
	    (unsigned long long)h->aperture_last,
	    (unsigned long long)h->pgsize_bitmap, h->num_resv_regions);
}

static uint32_t fit_bits(uint32_t value, uint32_t bits)
{
	return bits >= 32 ? value : value & ((1U << bits) - 1);
}

static struct iommu_mock_object_info object_info(uint32_t id)
{
	struct iommu_mock_object_info info = {
		.size = sizeof(info),
		.id = id,
	};

	xcall("IOMMU_MOCK_OBJECT_INFO", IOMMU_MOCK_OBJECT_INFO, &info,
	      "id=%u", id);
	return info;
}

/* ------------------------------------------------------------------ */
/* IOVA range arithmetic                                                */
/* ------------------------------------------------------------------ */

struct range {
	uint64_t start, last;
};

static int cmp_range(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return 0;
}

/*
 * Windows of [lo, hi] not covered by any of the @n (unsorted, possibly
 * overlapping) ranges in @r; returns how many were written to @win.
 */
static unsigned int free_windows(struct range *r, unsigned int n, uint64_t lo,
				 uint64_t hi, struct range *win,
				 unsigned int max)
{
	unsigned int i, nwin = 0;
	uint64_t next = lo;		/* first IOVA not yet placed */
	int done = 0;

	qsort(r, n, sizeof(*r), cmp_range);
	for (i = 0; i < n && !done; i++) {
		if (r[i].last < next)
			continue;
		if (r[i].start > hi)
			break;
		if (r[i].start > next && nwin < max)
			win[nwin++] = (struct range){ next, r[i].start - 1 };
		if (r[i].last >= hi)
			done = 1;
		else
			next = r[i].last + 1;
	}
	if (!done && nwin < max)
		win[nwin++] = (struct range){ next, hi };
	return nwin;
}

/* IOMMU_IOAS_IOVA_RANGES with the EMSGSIZE + count protocol. */
static unsigned int ioas_ranges(uint32_t ioas, struct iommu_iova_range **ranges)
{
	struct iommu_ioas_iova_ranges q = {
		.size = sizeof(q),
		.ioas_id = ioas,
	};
	struct iommu_iova_range *r;
	int err;

	err = call("IOMMU_IOAS_IOVA_RANGES", IOMMU_IOAS_IOVA_RANGES, &q,
		   "ioas_id=%u num_iovas=0 allowed_iovas=NULL", ioas);
	if (err && err != EMSGSIZE)
		die("IOMMU_IOAS_IOVA_RANGES: %s, expected EMSGSIZE and a count",
		    errname(err));
	out("num_iovas=%u: the kernel tells how big an array it needs", q.num_iovas);
	r = calloc(q.num_iovas ? q.num_iovas : 1, sizeof(*r));
	if (!r)
		die("out of memory");
	q.allowed_iovas = (uintptr_t)r;
	xcall("IOMMU_IOAS_IOVA_RANGES", IOMMU_IOAS_IOVA_RANGES, &q,
	      "ioas_id=%u num_iovas=%u allowed_iovas=<array>", ioas,
	      q.num_iovas);
	out("out_iova_alignment=0x%llx", (unsigned long long)q.out_iova_alignment);
	*ranges = r;
	return q.num_iovas;
}

/*
 * Print the allowed ranges of an IOAS and the holes between them - the
 * reserved IOVA - naming the device regions behind each hole. The holes are
 * returned in @holes.
 */
static unsigned int ioas_holes(uint32_t ioas, const struct vdev *devs,
			       unsigned int ndevs, struct range *holes,
			       unsigned int max)
{
	struct iommu_iova_range *r;
	unsigned int n, i, d, k, nholes = 0;
	uint64_t next = 0;
	int top = 0;

	n = ioas_ranges(ioas, &r);
	for (i = 0; i < n; i++) {
		out("allowed  0x%llx-0x%llx", (unsigned long long)r[i].start,
		    (unsigned long long)r[i].last);
		if (r[i].start > next && nholes < max)
			holes[nholes++] = (struct range){ next, r[i].start - 1 };
		if (r[i].last == UINT64_MAX)
			top = 1;
		else
			next = r[i].last + 1;
	}
	if (!top && nholes < max)
		holes[nholes++] = (struct range){ next, UINT64_MAX };
	free(r);

	for (i = 0; i < nholes; i++) {
		char label[200] = "";
		size_t len = 0;

		for (d = 0; d < ndevs; d++)
			for (k = 0; k < devs[d].num_regions; k++) {
				const struct iommu_resv_region_info *g =
					&devs[d].regions[k];

				if (g->start < holes[i].start ||
				    g->last > holes[i].last ||
				    len >= sizeof(label))
					continue;
				len += snprintf(label + len, sizeof(label) - len,
						"%s%s %s", len ? ", " : "",
						devs[d].name,
						resv_type_name(g->type));
			}
		if (!len)
			snprintf(label, sizeof(label), "outside a HWPT aperture");
		out("reserved 0x%llx-0x%llx  <- %s",
		    (unsigned long long)holes[i].start,
		    (unsigned long long)holes[i].last, label);
	}
	return nholes;
}

/* 1: @g lies inside one of the holes, 0: it touches none, -1: partly. */
static int region_reserved(const struct iommu_resv_region_info *g,
			   const struct range *holes, unsigned int nholes)
{
	unsigned int i;

	for (i = 0; i < nholes; i++) {
		if (g->start >= holes[i].start && g->last <= holes[i].last)
			return 1;
		if (g->start <= holes[i].last && holes[i].start <= g->last)
			return -1;
	}
	return 0;
}

/*
 * Check which of the devices' regions the IOAS reserves: all of them
 * (@only_sw_msi 0) or exactly the SW_MSI ones (@only_sw_msi 1).
 */
static void check_reserved(const struct vdev *devs, unsigned int ndevs,
			   const struct range *holes, unsigned int nholes,
			   int only_sw_msi)
{
	unsigned int d, k;

	for (d = 0; d < ndevs; d++)
		for (k = 0; k < devs[d].num_regions; k++) {
			const struct iommu_resv_region_info *g =
				&devs[d].regions[k];
			int want = !only_sw_msi ||
				   g->type == IOMMU_RESV_TYPE_SW_MSI;
			int got = region_reserved(g, holes, nholes);

			if (got != want)
				die("%s %s region 0x%llx-0x%llx is %s in the IOAS, expected %s",
				    devs[d].name, resv_type_name(g->type),
				    (unsigned long long)g->start,
				    (unsigned long long)g->last,
				    got == 1 ? "reserved" :
				    got ? "partly reserved" : "not reserved",
				    want ? "reserved" : "not reserved");
		}
}

/* True if a device before @d on the same vIOMMU has region @g too. */
static int region_listed(const struct vdev *devs, unsigned int d,
			 const struct iommu_resv_region_info *g)
{
	unsigned int i, k;

	for (i = 0; i < d; i++) {
		if (devs[i].vi != devs[d].vi)
			continue;
		for (k = 0; k < devs[i].num_regions; k++)
			if (devs[i].regions[k].start == g->start &&
			    devs[i].regions[k].last == g->last &&
			    devs[i].regions[k].type == g->type)
				return 1;
	}
	return 0;
}

/* Names of the devices on @vi that have region @g, comma separated. */
static void region_owners(const struct vdev *devs, unsigned int ndevs,
			  const struct viommu *vi,
			  const struct iommu_resv_region_info *g, char *buf,
			  size_t size)
{
	unsigned int i, k;
	size_t len = 0;

	buf[0] = 0;
	for (i = 0; i < ndevs; i++) {
		if (devs[i].vi != vi)
			continue;
		for (k = 0; k < devs[i].num_regions; k++)
			if (devs[i].regions[k].start == g->start &&
			    devs[i].regions[k].last == g->last &&
			    devs[i].regions[k].type == g->type && len < size)
				len += snprintf(buf + len, size - len, "%s%s",
						len ? ", " : "", devs[i].name);
	}
}

/* ------------------------------------------------------------------ */
/* The walkthrough                                                      */
/* ------------------------------------------------------------------ */

void destroy_obj(uint32_t id, const char *what)
{
	struct iommu_destroy ds = { .size = sizeof(ds), .id = id };

	xcall("IOMMU_DESTROY", IOMMU_DESTROY, &ds, "id=%u (%s)", id, what);
}

void show_guest_text(const char *name, uint64_t gpa, const unsigned char *p)
{
	char text[49];
	int i;

	for (i = 0; i < 48; i++)
		text[i] = p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '.';
	text[48] = 0;
	out("%s GPA 0x%llx: \"%s\"", name, (unsigned long long)gpa, text);
}

void expect_tlb_delta(const struct iommu_mock_object_info *before,
		      const struct iommu_mock_object_info *after,
		      uint64_t hits, uint64_t misses, uint64_t inval,
		      const char *what)
{
	uint64_t dh = after->out_tlb_hits - before->out_tlb_hits;
	uint64_t dm = after->out_tlb_misses - before->out_tlb_misses;
	uint64_t di = after->out_tlb_invalidated - before->out_tlb_invalidated;

	if (dh != hits || dm != misses || di != inval)
		die("%s: IOTLB hits +%llu misses +%llu invalidated +%llu, expected +%llu +%llu +%llu",
		    what, (unsigned long long)dh, (unsigned long long)dm,
		    (unsigned long long)di, (unsigned long long)hits,
		    (unsigned long long)misses, (unsigned long long)inval);
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : IOMMUFD_MOCK_DEVICE_PATH;
	struct viommu vis[2] = {
		{ .name = "vSMMU" },
		{ .name = "vVT-d" },
	};
	struct viommu *arm = &vis[0], *x86 = &vis[1];
	struct vdev devs[3] = {
		{ .name = "net0", .vi = &vis[0], .psid = 0x100, .vsid = 0x8,
		  .asid = 0x11 },
		{ .name = "nvme0", .vi = &vis[0], .psid = 0x101, .vsid = 0x10,
		  .asid = 0x12 },
		{ .name = "gpu0", .vi = &vis[1], .psid = 0x100, .vsid = 0x18,
		  .asid = 0x21 },
	};
	struct iommu_hw_info_mock *insts;
	uint32_t ioas_id, ninst, i, j;
	unsigned char *ram;
	int have_arm = 0, have_x86 = 0;
	long pinned_before;
	int err;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("vmm_demo: building the IOMMU side of a VM with two vIOMMUs and three\n"
	       "pass-through devices on %s\n", path);

	/* -------------------------------------------------------------- */
	step("Open the iommufd: open(\"%s\", O_RDWR)", path);
	why("One open file is one iommufd context. Every object the VMM creates "
	    "below (address spaces, page tables, vIOMMUs, devices) gets an ID in "
	    "this file and dies with it, so a crashed VMM leaks nothing.");
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die("open %s: %s (is iommufd_mock.ko loaded?)", path,
		    strerror(errno));
	out("fd=%d", fd);

	/* -------------------------------------------------------------- */
	step("List the physical IOMMU instances");
	why("A VMM learns the host's IOMMUs from sysfs and firmware tables; the "
	    "mock lists its instances with one call. First ask with an empty "
	    "array: the kernel answers EMSGSIZE and the count it needs.");
	{
		struct iommu_mock_instance_info q = { .size = sizeof(q) };

		err = call("IOMMU_MOCK_INSTANCE_INFO", IOMMU_MOCK_INSTANCE_INFO,
			   &q, "num_instances=0 instances_uptr=NULL");
		if (err && err != EMSGSIZE)
			die("IOMMU_MOCK_INSTANCE_INFO: %s, expected EMSGSIZE",
			    errname(err));
		out("num_instances=%u", q.num_instances);
		ninst = q.num_instances;
		insts = calloc(ninst ? ninst : 1, sizeof(*insts));
		if (!insts)
			die("out of memory");
		q.instances_uptr = (uintptr_t)insts;
		xcall("IOMMU_MOCK_INSTANCE_INFO", IOMMU_MOCK_INSTANCE_INFO, &q,
		      "num_instances=%u instances_uptr=<array>", ninst);
	}
	for (i = 0; i < ninst; i++) {
		print_instance(&insts[i]);
		if (!have_arm &&
		    insts[i].s1_format == IOMMU_MOCK_S1_FORMAT_ARM_LPAE &&
		    (insts[i].flags & IOMMU_HW_INFO_MOCK_NESTING)) {
			arm->hw = insts[i];
			have_arm = 1;
		}
		if (!have_x86 &&
		    insts[i].s1_format == IOMMU_MOCK_S1_FORMAT_X86_FL &&
		    (insts[i].flags & IOMMU_HW_INFO_MOCK_NESTING)) {
			x86->hw = insts[i];
			have_x86 = 1;
		}
	}
	if (!have_arm || !have_x86)
		die("need an ARM-like and an x86-like instance with NESTING "
		    "(load the module with num_instances >= 2)");
	out("the VM will use instance %u (ARM-like) and instance %u (x86-like)",
	    arm->hw.instance_id, x86->hw.instance_id);

	/* -------------------------------------------------------------- */
	step("Create the three pass-through devices");
	why("With real hardware these are VFIO device files bound to this "
	    "iommufd (VFIO_DEVICE_BIND_IOMMUFD returns the dev_id). The mock "
	    "creates a device behind an instance, with a physical stream ID. "
	    "Each IOMMU instance has its own stream-ID space, so gpu0 may use "
	    "the same physical ID as net0 (seed 002).");
	for (i = 0; i < ARRAY_SIZE(devs); i++) {
		struct vdev *d = &devs[i];
		struct iommu_mock_device_alloc a = {
			.size = sizeof(a),
			.instance_id = d->vi->hw.instance_id,
		};

		d->psid = fit_bits(d->psid, d->vi->hw.sid_bits);
		a.stream_id = d->psid;
		xcall("IOMMU_MOCK_DEVICE_ALLOC", IOMMU_MOCK_DEVICE_ALLOC, &a,
		      "instance_id=%u stream_id=0x%x", a.instance_id,
		      a.stream_id);
		d->dev_id = a.out_dev_id;
		if (!d->dev_id)
			die("object IDs start at 1, got dev_id 0");
		out("out_dev_id=%u  (%s)", d->dev_id, d->name);
	}

	/* -------------------------------------------------------------- */
	step("Allocate the IOAS and map 64 MiB of guest RAM at GPA 0x%llx",
	     GUEST_RAM_GPA);
	why("The VMM core owns one IO address space for the VM: IOVA = guest "
	    "physical address, backed by the memory that is the guest's RAM. It "
	    "becomes the stage 2 (IPA -> PA) of every vIOMMU (seed 000). "
	    "As in upstream iommufd, IOAS_MAP only records the memory: it is "
	    "pinned when the first HWPT of the IOAS needs it, so the guest's "
	    "DMA can never hit freed memory.");
	{
		struct iommu_ioas_alloc a = { .size = sizeof(a) };

		xcall("IOMMU_IOAS_ALLOC", IOMMU_IOAS_ALLOC, &a, "flags=0");
		ioas_id = a.out_ioas_id;
		out("out_ioas_id=%u", ioas_id);
	}
	ram = mmap(NULL, GUEST_RAM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ram == MAP_FAILED)
		die("mmap guest RAM: %s", strerror(errno));
	/* Every 64-bit word holds its own guest physical address. */
	for (i = 0; i < GUEST_RAM_SIZE / 8; i++)
		((uint64_t *)ram)[i] = GUEST_RAM_GPA + 8ULL * i;
	out("guest RAM: mmap(64 MiB) at %p, each 8-byte word filled with its own GPA",
	    (void *)ram);
	{
		struct iommu_ioas_map m = {
			.size = sizeof(m),
			.flags = IOMMU_IOAS_MAP_FIXED_IOVA |
				 IOMMU_IOAS_MAP_READABLE |
				 IOMMU_IOAS_MAP_WRITEABLE,
			.ioas_id = ioas_id,
			.user_va = (uintptr_t)ram,
			.length = GUEST_RAM_SIZE,
			.iova = GUEST_RAM_GPA,
		};

		xcall("IOMMU_IOAS_MAP", IOMMU_IOAS_MAP, &m,
		      "ioas_id=%u flags=FIXED_IOVA|READABLE|WRITEABLE user_va=%p length=0x%llx iova=0x%llx",
		      ioas_id, (void *)ram, (unsigned long long)m.length,
		      (unsigned long long)m.iova);
		out("iova=0x%llx: guest RAM is GPA 0x%llx-0x%llx in the IOAS",
		    (unsigned long long)m.iova, GUEST_RAM_GPA, GUEST_RAM_LAST);
	}
	pinned_before = pinned_kib();
	out("VmPin: %ld kB: nothing pinned yet, no HWPT needs the pages",
	    pinned_before);

	/* -------------------------------------------------------------- */
	step("Read each device's IOMMU capabilities (IOMMU_GET_HW_INFO)");
	why("Before it can offer a vIOMMU, the VMM must know which stage-1 "
	    "page-table format the hardware walks: the guest will write tables "
	    "in exactly that format (seed 004). Devices whose IOMMUs use "
	    "different formats need different vIOMMU models.");
	for (i = 0; i < ARRAY_SIZE(devs); i++) {
		struct vdev *d = &devs[i];
		struct iommu_hw_info q = {
			.size = sizeof(q),
			.dev_id = d->dev_id,
			.data_len = sizeof(d->hw),
			.data_uptr = (uintptr_t)&d->hw,
		};

		xcall("IOMMU_GET_HW_INFO", IOMMU_GET_HW_INFO, &q,
		      "dev_id=%u data_len=%zu data_uptr=<iommu_hw_info_mock>",
		      d->dev_id, sizeof(d->hw));
		out("out_data_type=0x%x (%s) data_len=%u out_capabilities=0x%llx out_max_pasid_log2=%u",
		    q.out_data_type,
		    q.out_data_type == IOMMU_HW_INFO_TYPE_MOCK ? "MOCK" : "?",
		    q.data_len, (unsigned long long)q.out_capabilities,
		    q.out_max_pasid_log2);
		if (q.out_data_type != IOMMU_HW_INFO_TYPE_MOCK)
			die("%s: out_data_type 0x%x, expected IOMMU_HW_INFO_TYPE_MOCK",
			    d->name, q.out_data_type);
		out("%s decodes as:", d->name);
		print_instance(&d->hw);
		if (d->hw.instance_id != d->vi->hw.instance_id ||
		    d->hw.s1_format != d->vi->hw.s1_format)
			die("%s: HW_INFO says instance %u format %s, created on %u (%s)",
			    d->name, d->hw.instance_id,
			    format_name(d->hw.s1_format), d->vi->hw.instance_id,
			    format_name(d->vi->hw.s1_format));
	}
	if (devs[0].hw.s1_format == devs[2].hw.s1_format)
		die("the ARM-like and x86-like instances report the same format");
	out("=> net0 and nvme0 share instance %u (%s): one vIOMMU for both",
	    arm->hw.instance_id, format_name(arm->hw.s1_format));
	out("=> gpu0 is on instance %u (%s): a different format, so a second vIOMMU",
	    x86->hw.instance_id, format_name(x86->hw.s1_format));
	for (i = 0; i < ninst; i++)
		if (insts[i].instance_id != arm->hw.instance_id &&
		    insts[i].s1_format == arm->hw.s1_format)
			out("   (instance %u is %s too: its devices could share the ARM stage 2,"
			    " but would still get a vIOMMU of their own)",
			    insts[i].instance_id, format_name(insts[i].s1_format));

	/* -------------------------------------------------------------- */
	step("Read each device's reserved regions and lay out the guest's stage-1 IOVA");
	why("The guest's stage-1 IOVA must avoid each device's reserved "
	    "regions (MSI doorbells, firmware-owned DMA). Once the devices are "
	    "nested, the stage-2 IOAS keeps only the SW_MSI window, so "
	    "IOAS_IOVA_RANGES cannot tell the VMM where they are (seed 001): "
	    "it asks per device, with their types, and describes them to the "
	    "guest (IORT RMR, DMAR RMRR, reserved-memory nodes).");
	for (i = 0; i < ARRAY_SIZE(devs); i++) {
		struct vdev *d = &devs[i];
		struct iommu_device_resv_regions q = {
			.size = sizeof(q),
			.dev_id = d->dev_id,
		};

		err = call("IOMMU_DEVICE_GET_RESV_REGIONS",
			   IOMMU_DEVICE_GET_RESV_REGIONS, &q,
			   "dev_id=%u (%s) num_regions=0 regions_uptr=NULL",
			   d->dev_id, d->name);
		if (err && err != EMSGSIZE)
			die("IOMMU_DEVICE_GET_RESV_REGIONS: %s, expected EMSGSIZE",
			    errname(err));
		out("num_regions=%u", q.num_regions);
		d->regions = calloc(q.num_regions ? q.num_regions : 1,
				    sizeof(*d->regions));
		if (!d->regions)
			die("out of memory");
		q.regions_uptr = (uintptr_t)d->regions;
		xcall("IOMMU_DEVICE_GET_RESV_REGIONS",
		      IOMMU_DEVICE_GET_RESV_REGIONS, &q,
		      "dev_id=%u num_regions=%u regions_uptr=<array>",
		      d->dev_id, q.num_regions);
		d->num_regions = q.num_regions;
		for (j = 0; j < d->num_regions; j++)
			out("%s: 0x%llx-0x%llx %s%s%s", d->name,
			    (unsigned long long)d->regions[j].start,
			    (unsigned long long)d->regions[j].last,
			    resv_type_name(d->regions[j].type),
			    d->regions[j].flags & IOMMU_RESV_REGION_READ ? " R" : "",
			    d->regions[j].flags & IOMMU_RESV_REGION_WRITE ? " W" : "");
		if (d->num_regions != d->hw.num_resv_regions)
			die("%s: %u regions, HW_INFO announced %u", d->name,
			    d->num_regions, d->hw.num_resv_regions);
	}
	for (i = 0; i < ARRAY_SIZE(vis); i++) {
		struct viommu *v = &vis[i];
		struct range resv[64], win[64];
		unsigned int nresv = 0, nwin, k;
		uint64_t hi = v->hw.s1_ias >= 64 ? UINT64_MAX :
			      (1ULL << v->hw.s1_ias) - 1;
		int buf_ok = 0;

		out("%s: stage-1 input space 0x0-0x%llx (ias %u), avoiding:",
		    v->name, (unsigned long long)hi, v->hw.s1_ias);
		for (j = 0; j < ARRAY_SIZE(devs); j++) {
			if (devs[j].vi != v)
				continue;
			for (k = 0; k < devs[j].num_regions &&
				    nresv < ARRAY_SIZE(resv); k++) {
				const struct iommu_resv_region_info *g =
					&devs[j].regions[k];
				char who[64];

				if (region_listed(devs, j, g))
					continue;
				resv[nresv++] = (struct range){ g->start,
								g->last };
				region_owners(devs, ARRAY_SIZE(devs), v, g, who,
					      sizeof(who));
				out("  avoid  0x%llx-0x%llx %s of %s",
				    (unsigned long long)g->start,
				    (unsigned long long)g->last,
				    resv_type_name(g->type), who);
			}
		}
		nwin = free_windows(resv, nresv, 0, hi, win, ARRAY_SIZE(win));
		for (k = 0; k < nwin; k++) {
			out("  window 0x%llx-0x%llx",
			    (unsigned long long)win[k].start,
			    (unsigned long long)win[k].last);
			if (win[k].start <= GUEST_DMA_BUF &&
			    GUEST_DMA_BUF + SZ_4K - 1 <= win[k].last)
				buf_ok = 1;
		}
		if (!buf_ok)
			die("the demo's DMA buffer 0x%llx is not in a free window",
			    GUEST_DMA_BUF);
	}
	out("=> the guest's DMA buffer at IOVA 0x%llx lies in a window of both vIOMMUs",
	    GUEST_DMA_BUF);

	/* -------------------------------------------------------------- */
	step("Allocate one nest-parent (stage 2) HWPT per stage-1 format");
	why("A HWPT is a real IO page table built from the IOAS. NEST_PARENT "
	    "makes it usable as stage 2 under guest-owned stage-1 tables. One "
	    "stage 2 can only be shared by instances of the same format, so the "
	    "ARM-like and the x86-like instance each get their own, both "
	    "mirroring the one IOAS: guest RAM is mapped once and appears in "
	    "both. The first one pins guest RAM; the second shares the pins.");
	for (i = 0; i < ARRAY_SIZE(vis); i++) {
		struct viommu *v = &vis[i];
		struct vdev *d = i ? &devs[2] : &devs[0];
		struct iommu_hwpt_alloc a = {
			.size = sizeof(a),
			.flags = IOMMU_HWPT_ALLOC_NEST_PARENT,
			.dev_id = d->dev_id,
			.pt_id = ioas_id,
			.data_type = IOMMU_HWPT_DATA_NONE,
		};
		struct iommu_mock_object_info info;

		xcall("IOMMU_HWPT_ALLOC", IOMMU_HWPT_ALLOC, &a,
		      "flags=NEST_PARENT dev_id=%u (%s) pt_id=%u (IOAS) data_type=NONE",
		      d->dev_id, d->name, ioas_id);
		v->parent_hwpt = a.out_hwpt_id;
		out("out_hwpt_id=%u: the %s stage 2", v->parent_hwpt,
		    format_name(v->hw.s1_format));
		info = object_info(v->parent_hwpt);
		out("type=%s flags=%s instance=%u parent(IOAS)=%u pages mapped=%llu",
		    obj_type_name(info.out_type),
		    info.out_flags & IOMMU_MOCK_OBJ_F_NEST_PARENT ? "NEST_PARENT" : "-",
		    info.out_instance_id, info.out_parent_id,
		    (unsigned long long)info.out_invalidations);
		if (info.out_type != IOMMU_MOCK_OBJ_HWPT_PAGING ||
		    !(info.out_flags & IOMMU_MOCK_OBJ_F_NEST_PARENT) ||
		    info.out_parent_id != ioas_id)
			die("HWPT %u does not look like a nest parent of IOAS %u",
			    v->parent_hwpt, ioas_id);
		out("VmPin: %ld kB", pinned_kib());
	}
	if (pinned_before >= 0 &&
	    pinned_kib() - pinned_before != (long)(GUEST_RAM_SIZE >> 10))
		die("VmPin grew by %ld kB, expected the %llu kB of guest RAM once",
		    pinned_kib() - pinned_before, GUEST_RAM_SIZE >> 10);

	/* -------------------------------------------------------------- */
	step("Boot: attach every device straight to its stage 2");
	why("Until the guest's IOMMU driver turns translation on, the devices "
	    "DMA to guest physical addresses: the VMM attaches them directly "
	    "to the nest parent. A direct attach to a paging HWPT is the normal "
	    "protocol, so all of each device's reserved regions are carved out "
	    "of the IOAS (seed 001).");
	for (i = 0; i < ARRAY_SIZE(devs); i++) {
		struct vdev *d = &devs[i];
		struct iommu_mock_device_attach a = {
			.size = sizeof(a),
			.dev_id = d->dev_id,
			.pt_id = d->vi->parent_hwpt,
		};

		xcall("IOMMU_MOCK_DEVICE_ATTACH", IOMMU_MOCK_DEVICE_ATTACH, &a,
		      "flags=0 dev_id=%u (%s) pt_id=%u (nest parent)",
		      d->dev_id, d->name, a.pt_id);
		out("out_hwpt_id=%u", a.out_hwpt_id);
		if (a.out_hwpt_id != d->vi->parent_hwpt)
			die("attached to HWPT %u, asked for %u", a.out_hwpt_id,
			    d->vi->parent_hwpt);
	}
	{
		struct range holes[32];
		unsigned int n;

		n = ioas_holes(ioas_id, devs, ARRAY_SIZE(devs), holes,
			       ARRAY_SIZE(holes));
		check_reserved(devs, ARRAY_SIZE(devs), holes, n, 0);
		out("ok: every reserved region of every device is kept out of the IOAS");
	}

	/* -------------------------------------------------------------- */
	step("Allocate one vIOMMU per physical instance");
	why("A vIOMMU is the VM's slice of one physical IOMMU: its virtual "
	    "stream-ID space and its invalidation queue. One per physical "
	    "instance, because two instances may both use the same stream ID "
	    "(seed 002). The ARM-like driver offers its own vIOMMU type; the "
	    "x86-like one offers none, so the VMM falls back to the generic "
	    "DEFAULT vIOMMU the core always provides (seed 000).");
	for (i = 0; i < ARRAY_SIZE(vis); i++) {
		struct viommu *v = &vis[i];
		struct vdev *d = i ? &devs[2] : &devs[0];
		struct iommu_viommu_alloc a = {
			.size = sizeof(a),
			.type = IOMMU_VIOMMU_TYPE_MOCK,
			.dev_id = d->dev_id,
			.hwpt_id = v->parent_hwpt,
		};

		err = call("IOMMU_VIOMMU_ALLOC", IOMMU_VIOMMU_ALLOC, &a,
			   "type=MOCK dev_id=%u (%s) hwpt_id=%u", d->dev_id,
			   d->name, v->parent_hwpt);
		if (v->hw.flags & IOMMU_HW_INFO_MOCK_VIOMMU) {
			if (err)
				die("IOMMU_VIOMMU_ALLOC type MOCK on instance %u: %s",
				    v->hw.instance_id, errname(err));
			v->type = IOMMU_VIOMMU_TYPE_MOCK;
		} else {
			expect_err(err, EOPNOTSUPP, "IOMMU_VIOMMU_ALLOC(MOCK)",
				   "this driver has no vIOMMU type of its own");
			a.type = IOMMU_VIOMMU_TYPE_DEFAULT;
			xcall("IOMMU_VIOMMU_ALLOC", IOMMU_VIOMMU_ALLOC, &a,
			      "type=DEFAULT dev_id=%u (%s) hwpt_id=%u",
			      d->dev_id, d->name, v->parent_hwpt);
			v->type = IOMMU_VIOMMU_TYPE_DEFAULT;
		}
		v->id = a.out_viommu_id;
		out("out_viommu_id=%u: %s, type %s, stage 2 = HWPT %u", v->id,
		    v->name, v->type ? "MOCK" : "DEFAULT", v->parent_hwpt);
	}

	/* -------------------------------------------------------------- */
	step("Give each device its virtual stream ID (vDEVICE)");
	why("The guest sees the devices with virtual IDs that the VMM wrote "
	    "into its firmware tables (IORT / DMAR). When the guest names a "
	    "vSID in a command, for instance to flush a device's ATC, the "
	    "kernel must know which physical device that is.");
	for (i = 0; i < ARRAY_SIZE(devs); i++) {
		struct vdev *d = &devs[i];
		struct iommu_vdevice_alloc a = {
			.size = sizeof(a),
			.viommu_id = d->vi->id,
			.dev_id = d->dev_id,
			.virt_id = d->vsid,
		};

		xcall("IOMMU_VDEVICE_ALLOC", IOMMU_VDEVICE_ALLOC, &a,
		      "viommu_id=%u dev_id=%u (%s) virt_id=0x%x", a.viommu_id,
		      d->dev_id, d->name, d->vsid);
		d->vdevice_id = a.out_vdevice_id;
		out("out_vdevice_id=%u: vSID 0x%x -> pSID 0x%x on instance %u",
		    d->vdevice_id, d->vsid, d->psid, d->vi->hw.instance_id);
	}

	/* -------------------------------------------------------------- */
	step("The guest enables its vIOMMUs: allocate the nested HWPTs");
	why("The guest's driver writes a stream table entry / context "
	    "descriptor (ARM) or a PASID entry (VT-d) pointing at its stage-1 "
	    "table, an IPA in guest RAM. The VMM traps that write and hands the "
	    "table pointer and ASID to the kernel as a nested HWPT on the "
	    "vIOMMU. The mock walks no guest table: its stage 1 is the identity, "
	    "tagged with the ASID so invalidations can be matched.");
	for (i = 0; i < ARRAY_SIZE(devs); i++) {
		struct vdev *d = &devs[i];
		struct iommu_hwpt_mock_s1 s1 = {
			.format = d->hw.s1_format,
			.ttbr = GUEST_PGTABLES + i * SZ_4K,
			.asid = fit_bits(d->asid, d->hw.asid_bits),
		};
		struct iommu_hwpt_alloc a = {
			.size = sizeof(a),
			.dev_id = d->dev_id,
			.pt_id = d->vi->id,
			.data_type = IOMMU_HWPT_DATA_MOCK_S1,
			.data_len = sizeof(s1),
			.data_uptr = (uintptr_t)&s1,
		};
		struct iommu_mock_object_info info;

		d->asid = s1.asid;
		d->ttbr = s1.ttbr;
		xcall("IOMMU_HWPT_ALLOC", IOMMU_HWPT_ALLOC, &a,
		      "dev_id=%u (%s) pt_id=%u (vIOMMU) data_type=MOCK_S1 data={format=%s ttbr=0x%llx asid=0x%x}",
		      d->dev_id, d->name, a.pt_id, format_name(s1.format),
		      (unsigned long long)s1.ttbr, s1.asid);
		d->nested_hwpt = a.out_hwpt_id;
		out("out_hwpt_id=%u", d->nested_hwpt);
		info = object_info(d->nested_hwpt);
		out("type=%s parent=%u (vIOMMU) instance=%u asid=0x%x ttbr=0x%llx",
		    obj_type_name(info.out_type), info.out_parent_id,
		    info.out_instance_id, info.out_asid,
		    (unsigned long long)info.out_ttbr);
		if (info.out_type != IOMMU_MOCK_OBJ_HWPT_NESTED ||
		    info.out_asid != d->asid || info.out_ttbr != d->ttbr)
			die("nested HWPT %u does not hold what was asked",
			    d->nested_hwpt);
	}

	/* -------------------------------------------------------------- */
	step("Switch each device from stage 2 only to stage 1 + stage 2");
	why("REPLACE moves an attached device to the nested HWPT without a "
	    "moment of blocked DMA, as the guest expects when it turns its "
	    "IOMMU on.");
	for (i = 0; i < ARRAY_SIZE(devs); i++) {
		struct vdev *d = &devs[i];
		struct iommu_mock_device_attach a = {
			.size = sizeof(a),
			.flags = IOMMU_MOCK_ATTACH_REPLACE,
			.dev_id = d->dev_id,
			.pt_id = d->nested_hwpt,
		};

		xcall("IOMMU_MOCK_DEVICE_ATTACH", IOMMU_MOCK_DEVICE_ATTACH, &a,
		      "flags=REPLACE dev_id=%u (%s) pt_id=%u (nested)",
		      d->dev_id, d->name, a.pt_id);
		out("out_hwpt_id=%u", a.out_hwpt_id);
		if (a.out_hwpt_id != d->nested_hwpt)
			die("attached to HWPT %u, asked for %u", a.out_hwpt_id,
			    d->nested_hwpt);
	}

	/* -------------------------------------------------------------- */
	step("What the shared stage-2 IOAS reserves now");
	why("With every device nested, the stage 2 is no longer what the "
	    "devices' addresses go to first: only the SW_MSI window stays "
	    "reserved, because the host maps the ARM MSI doorbell there in "
	    "stage 2 (seed 001). Compare with the boot step: the DIRECT, MSI "
	    "and RESERVED regions are gone from the IOAS, which is why the "
	    "per-device query above was needed.");
	{
		struct range holes[32];
		unsigned int n;

		n = ioas_holes(ioas_id, devs, ARRAY_SIZE(devs), holes,
			       ARRAY_SIZE(holes));
		check_reserved(devs, ARRAY_SIZE(devs), holes, n, 1);
		out("ok: only the SW_MSI windows are still reserved in stage 2");
	}

	/* -------------------------------------------------------------- */
	step("The object graph so far (IOMMU_MOCK_OBJECT_INFO)");
	why("Every object holds a reference on the objects it is built on; "
	    "out_users counts the objects that depend on one. This is the "
	    "order teardown must follow.");
	{
		uint32_t ids[16], n = 0;

		ids[n++] = ioas_id;
		for (i = 0; i < ARRAY_SIZE(vis); i++) {
			ids[n++] = vis[i].parent_hwpt;
			ids[n++] = vis[i].id;
		}
		for (i = 0; i < ARRAY_SIZE(devs); i++) {
			ids[n++] = devs[i].dev_id;
			ids[n++] = devs[i].vdevice_id;
			ids[n++] = devs[i].nested_hwpt;
		}
		for (i = 0; i < n; i++) {
			struct iommu_mock_object_info info = {
				.size = sizeof(info),
				.id = ids[i],
			};

			if (ioctl(fd, IOMMU_MOCK_OBJECT_INFO, &info))
				die("IOMMU_MOCK_OBJECT_INFO id=%u: %s", ids[i],
				    errname(errno));
			out("id %2u %-12s instance=%u parent=%-2u users=%u", ids[i],
			    obj_type_name(info.out_type), info.out_instance_id,
			    info.out_parent_id, info.out_users);
		}
	}

	/* -------------------------------------------------------------- */
	step("A device DMAs into guest RAM through both stages (IOMMU_MOCK_DMA)");
	why("With real hardware the device would do this on its own; the mock "
	    "lets the VMM trigger it. net0 writes to IOVA 0x%llx: stage 1 "
	    "(identity, ASID-tagged) gives the IPA, stage 2 gives the pinned "
	    "page, which is the VMM's own mmap of guest RAM.", GUEST_DMA_BUF);
	{
		char msg[64];
		char back[64];
		uint64_t off = GUEST_DMA_BUF - GUEST_RAM_GPA;
		uint64_t *w = (uint64_t *)(ram + off);
		struct iommu_mock_dma dma = {
			.size = sizeof(dma),
			.flags = IOMMU_MOCK_DMA_WRITE,
			.dev_id = devs[0].dev_id,
			.iova = GUEST_DMA_BUF,
		};

		memset(msg, 0, sizeof(msg));
		snprintf(msg, sizeof(msg), "hello from %s, vSID 0x%x, ASID 0x%x",
			 devs[0].name, devs[0].vsid, devs[0].asid);
		out("guest RAM at GPA 0x%llx before: %016llx %016llx (the fill pattern)",
		    GUEST_DMA_BUF, (unsigned long long)w[0],
		    (unsigned long long)w[1]);
		if (w[0] != GUEST_DMA_BUF)
			die("guest RAM does not hold the fill pattern");
		dma.length = sizeof(msg);
		dma.uptr = (uintptr_t)msg;
		xcall("IOMMU_MOCK_DMA", IOMMU_MOCK_DMA, &dma,
		      "flags=WRITE dev_id=%u (%s) iova=0x%llx length=%llu uptr=\"%s\"",
		      dma.dev_id, devs[0].name, (unsigned long long)dma.iova,
		      (unsigned long long)dma.length, msg);
		out("guest RAM at GPA 0x%llx after:  \"%.*s\"", GUEST_DMA_BUF,
		    (int)sizeof(msg), (char *)(ram + off));
		if (memcmp(ram + off, msg, sizeof(msg)))
			die("the DMA did not reach guest RAM");
		if (w[sizeof(msg) / 8] != GUEST_DMA_BUF + sizeof(msg))
			die("the DMA wrote past its %zu bytes", sizeof(msg));
		out("the next word is untouched: %016llx",
		    (unsigned long long)w[sizeof(msg) / 8]);

		why("gpu0 sits behind the other IOMMU, with its own stage 1 and "
		    "its own stage 2, yet both stage 2s mirror the same IOAS: it "
		    "reads the same guest memory.");
		memset(back, 0, sizeof(back));
		dma.flags = 0;
		dma.dev_id = devs[2].dev_id;
		dma.uptr = (uintptr_t)back;
		xcall("IOMMU_MOCK_DMA", IOMMU_MOCK_DMA, &dma,
		      "flags=0 (read) dev_id=%u (%s) iova=0x%llx length=%llu",
		      dma.dev_id, devs[2].name, (unsigned long long)dma.iova,
		      (unsigned long long)dma.length);
		out("read back: \"%.*s\"", (int)sizeof(back), back);
		if (memcmp(back, msg, sizeof(msg)))
			die("gpu0 read something else than net0 wrote");

		why("An IOVA whose IPA the VMM never mapped in stage 2 fails: on "
		    "hardware this is a stage-2 fault the VMM gets to see.");
		dma.iova = GUEST_HOLE;
		err = call("IOMMU_MOCK_DMA", IOMMU_MOCK_DMA, &dma,
			   "flags=0 (read) dev_id=%u (%s) iova=0x%llx length=%llu",
			   dma.dev_id, devs[2].name,
			   (unsigned long long)dma.iova,
			   (unsigned long long)dma.length);
		expect_err(err, ENOENT, "IOMMU_MOCK_DMA",
			   "no stage-2 mapping behind that IPA");
	}

	/* -------------------------------------------------------------- */
	step("Forward the guest's invalidations (IOMMU_HWPT_INVALIDATE)");
	why("When the guest changes its stage-1 tables it flushes the IOTLB; "
	    "when it changes a device's context it flushes the device's "
	    "caches. The VMM traps these commands and passes them on as an "
	    "array of entries: IOTLB ranges on the nested HWPT (tagged by its "
	    "ASID), device-cache flushes on the vIOMMU (named by vSID, which "
	    "the vDEVICEs translate). entry_num comes back as the number of "
	    "entries handled.");
	{
		struct iommu_mock_invalidate inv[2];
		struct iommu_hwpt_invalidate c = {
			.size = sizeof(c),
			.data_uptr = (uintptr_t)inv,
			.data_type = IOMMU_HWPT_INVALIDATE_DATA_MOCK,
			.entry_len = sizeof(inv[0]),
		};
		struct iommu_mock_object_info info;
		struct vdev *d;

		/* IOTLB range on each ARM device's nested HWPT, then gpu0's. */
		for (i = 0; i < ARRAY_SIZE(devs); i++) {
			d = &devs[i];
			memset(inv, 0, sizeof(inv));
			inv[0] = (struct iommu_mock_invalidate){
				.op = IOMMU_MOCK_INV_IOTLB_RANGE,
				.id = d->asid,
				.iova = GUEST_DMA_BUF,
				.length = 2 * SZ_4K,
			};
			c.hwpt_id = d->nested_hwpt;
			c.entry_num = 1;
			xcall("IOMMU_HWPT_INVALIDATE", IOMMU_HWPT_INVALIDATE, &c,
			      "hwpt_id=%u (%s nested) data_type=MOCK entry_len=%u entry_num=1 [IOTLB_RANGE asid=0x%x iova=0x%llx length=0x%llx]",
			      c.hwpt_id, d->name, c.entry_len, d->asid,
			      (unsigned long long)inv[0].iova,
			      (unsigned long long)inv[0].length);
			info = object_info(d->nested_hwpt);
			out("entry_num=%u; nested HWPT %u counts %llu IOTLB invalidation(s)",
			    c.entry_num, d->nested_hwpt,
			    (unsigned long long)info.out_invalidations);
			if (c.entry_num != 1 || info.out_invalidations < 1)
				die("the invalidation was not counted");
		}

		/* Device caches of both ARM devices, by vSID, on the vIOMMU. */
		memset(inv, 0, sizeof(inv));
		inv[0].op = IOMMU_MOCK_INV_DEV_CACHE;
		inv[0].id = devs[0].vsid;
		inv[1].op = IOMMU_MOCK_INV_DEV_CACHE;
		inv[1].id = devs[1].vsid;
		c.hwpt_id = arm->id;
		c.entry_num = 2;
		xcall("IOMMU_HWPT_INVALIDATE", IOMMU_HWPT_INVALIDATE, &c,
		      "hwpt_id=%u (%s) data_type=MOCK entry_len=%u entry_num=2 [DEV_CACHE vsid=0x%x, DEV_CACHE vsid=0x%x]",
		      c.hwpt_id, arm->name, c.entry_len, devs[0].vsid,
		      devs[1].vsid);
		out("entry_num=%u", c.entry_num);
		if (c.entry_num != 2)
			die("entry_num %u after a successful call of 2 entries",
			    c.entry_num);
		info = object_info(arm->id);
		out("vIOMMU %u: %llu entries handled", arm->id,
		    (unsigned long long)info.out_invalidations);
		for (i = 0; i < 2; i++) {
			info = object_info(devs[i].vdevice_id);
			out("vDEVICE %u (vSID 0x%x, %s): %llu device-cache invalidation(s)",
			    devs[i].vdevice_id, devs[i].vsid, devs[i].name,
			    (unsigned long long)info.out_invalidations);
			if (info.out_invalidations != 1)
				die("vDEVICE %u: expected 1 device-cache invalidation",
				    devs[i].vdevice_id);
		}

		why("The DEFAULT vIOMMU of the x86-like instance has no "
		    "invalidation path of its own: as with VT-d, the VMM flushes "
		    "through the nested HWPT (done above for gpu0).");
		inv[0].id = devs[2].vsid;
		c.hwpt_id = x86->id;
		c.entry_num = 1;
		err = call("IOMMU_HWPT_INVALIDATE", IOMMU_HWPT_INVALIDATE, &c,
			   "hwpt_id=%u (%s, DEFAULT) entry_num=1 [DEV_CACHE vsid=0x%x]",
			   c.hwpt_id, x86->name, devs[2].vsid);
		expect_err(err, EOPNOTSUPP, "IOMMU_HWPT_INVALIDATE",
			   "a DEFAULT vIOMMU has no invalidation support");
	}

	/* -------------------------------------------------------------- */
	step("Mistakes the kernel refuses");
	why("A guest can ask for anything; the VMM must map its requests to "
	    "calls the kernel accepts. These are the rules a VMM runs into.");
	{
		struct iommu_mock_device_attach a = {
			.size = sizeof(a),
			.flags = IOMMU_MOCK_ATTACH_REPLACE,
			.dev_id = devs[2].dev_id,
			.pt_id = devs[0].nested_hwpt,
		};
		struct iommu_destroy ds = {
			.size = sizeof(ds),
			.id = arm->parent_hwpt,
		};
		struct iommu_mock_invalidate inv[2];
		struct iommu_hwpt_invalidate c = {
			.size = sizeof(c),
			.hwpt_id = arm->id,
			.data_uptr = (uintptr_t)inv,
			.data_type = IOMMU_HWPT_INVALIDATE_DATA_MOCK,
			.entry_len = sizeof(inv[0]),
			.entry_num = 2,
		};
		struct iommu_mock_object_info info;

		why("(a) A device behind the x86-like IOMMU cannot use an ARM "
		    "stage-1 table: its hardware would not walk it (seed 004).");
		err = call("IOMMU_MOCK_DEVICE_ATTACH", IOMMU_MOCK_DEVICE_ATTACH,
			   &a, "flags=REPLACE dev_id=%u (%s) pt_id=%u (%s nested, ARM_LPAE)",
			   a.dev_id, devs[2].name, a.pt_id, devs[0].name);
		expect_err(err, EINVAL, "IOMMU_MOCK_DEVICE_ATTACH",
			   "stage-1 format and instance differ from the device's");
		info = object_info(devs[2].dev_id);
		out("%s is still attached to HWPT %u: a failed replace changes nothing",
		    devs[2].name, info.out_parent_id);
		if (info.out_parent_id != devs[2].nested_hwpt)
			die("%s moved to HWPT %u after a refused replace",
			    devs[2].name, info.out_parent_id);

		why("(b) The stage 2 cannot go while a vIOMMU (and the nested "
		    "HWPTs below it) still translate through it.");
		info = object_info(arm->parent_hwpt);
		out("HWPT %u has out_users=%u", arm->parent_hwpt, info.out_users);
		err = call("IOMMU_DESTROY", IOMMU_DESTROY, &ds,
			   "id=%u (nest parent of %s)", ds.id, arm->name);
		expect_err(err, EBUSY, "IOMMU_DESTROY",
			   "a vIOMMU still uses this stage 2");

		why("(c) A guest command naming a vSID the VMM never created "
		    "stops the batch; entry_num says how far the kernel got, so "
		    "the VMM can report the failing command index to the guest.");
		memset(inv, 0, sizeof(inv));
		inv[0].op = IOMMU_MOCK_INV_DEV_CACHE;
		inv[0].id = devs[0].vsid;
		inv[1].op = IOMMU_MOCK_INV_DEV_CACHE;
		inv[1].id = 0x99;
		err = call("IOMMU_HWPT_INVALIDATE", IOMMU_HWPT_INVALIDATE, &c,
			   "hwpt_id=%u (%s) entry_num=2 [DEV_CACHE vsid=0x%x, DEV_CACHE vsid=0x99]",
			   c.hwpt_id, arm->name, devs[0].vsid);
		expect_err(err, ENOENT, "IOMMU_HWPT_INVALIDATE",
			   "no vDEVICE has vSID 0x99");
		out("entry_num=%u: the first entry was handled, the second failed",
		    c.entry_num);
		if (c.entry_num != 1)
			die("entry_num %u, expected 1", c.entry_num);
	}

	/* -------------------------------------------------------------- */
	step("Tear down in reference order, then close");
	why("Each object is destroyed only after everything built on it: "
	    "detach the devices, then vDEVICEs, nested HWPTs, vIOMMUs, the "
	    "stage-2 HWPTs, the guest RAM mapping, the IOAS and the devices. "
	    "(Closing the file alone would also free everything.)");
	for (i = 0; i < ARRAY_SIZE(devs); i++) {
		struct iommu_mock_device_detach dd = {
			.size = sizeof(dd),
			.dev_id = devs[i].dev_id,
		};

		xcall("IOMMU_MOCK_DEVICE_DETACH", IOMMU_MOCK_DEVICE_DETACH, &dd,
		      "dev_id=%u (%s)", dd.dev_id, devs[i].name);
	}
	{
		struct {
			uint32_t id;
			const char *what;
			const char *who;
		} order[16];
		unsigned int n = 0;

		for (i = 0; i < ARRAY_SIZE(devs); i++)
			order[n++] = (typeof(order[0])){ devs[i].vdevice_id,
							 "vDEVICE", devs[i].name };
		for (i = 0; i < ARRAY_SIZE(devs); i++)
			order[n++] = (typeof(order[0])){ devs[i].nested_hwpt,
							 "nested HWPT", devs[i].name };
		for (i = 0; i < ARRAY_SIZE(vis); i++)
			order[n++] = (typeof(order[0])){ vis[i].id, "vIOMMU",
							 vis[i].name };
		for (i = 0; i < ARRAY_SIZE(vis); i++)
			order[n++] = (typeof(order[0])){ vis[i].parent_hwpt,
							 "nest parent",
							 format_name(vis[i].hw.s1_format) };
		for (i = 0; i < n; i++) {
			struct iommu_destroy ds = {
				.size = sizeof(ds),
				.id = order[i].id,
			};

			xcall("IOMMU_DESTROY", IOMMU_DESTROY, &ds,
			      "id=%u (%s, %s)", ds.id, order[i].what,
			      order[i].who);
		}
	}
	{
		struct iommu_ioas_unmap u = {
			.size = sizeof(u),
			.ioas_id = ioas_id,
			.iova = GUEST_RAM_GPA,
			.length = GUEST_RAM_SIZE,
		};
		struct iommu_destroy ds = { .size = sizeof(ds), .id = ioas_id };

		xcall("IOMMU_IOAS_UNMAP", IOMMU_IOAS_UNMAP, &u,
		      "ioas_id=%u iova=0x%llx length=0x%llx", ioas_id,
		      GUEST_RAM_GPA, GUEST_RAM_SIZE);
		out("length=0x%llx unmapped (its pages were unpinned with the last stage-2 HWPT)",
		    (unsigned long long)u.length);
		if (u.length != GUEST_RAM_SIZE)
			die("unmapped 0x%llx bytes, expected 0x%llx",
			    (unsigned long long)u.length, GUEST_RAM_SIZE);
		xcall("IOMMU_DESTROY", IOMMU_DESTROY, &ds, "id=%u (IOAS)",
		      ds.id);
	}
	for (i = 0; i < ARRAY_SIZE(devs); i++) {
		struct iommu_destroy ds = {
			.size = sizeof(ds),
			.id = devs[i].dev_id,
		};

		xcall("IOMMU_DESTROY", IOMMU_DESTROY, &ds, "id=%u (device %s)",
		      ds.id, devs[i].name);
	}
	if (close(fd))
		die("close: %s", strerror(errno));
	fd = -1;
	out("close(fd) = 0");
	munmap(ram, GUEST_RAM_SIZE);
	for (i = 0; i < ARRAY_SIZE(devs); i++)
		free(devs[i].regions);
	free(insts);

	smmuv3_part(path);
	vtd_part(path);

	printf("\nvmm_demo: all %d steps done, every call behaved as documented\n",
	       step_no);
	return 0;
}
