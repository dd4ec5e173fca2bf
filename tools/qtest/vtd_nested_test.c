// SPDX-License-Identifier: GPL-2.0
/*
 * vtd_nested_test: Debian's unmodified QEMU nests its intel-iommu over the
 * module's VT-d instance (issue 8, point 6). The test is the guest, through
 * qtest, on q35 with
 *
 *   -object iommufd,id=iommufd0
 *   -device intel-iommu,intremap=off,scalable-mode=on,fsts=on,caching-mode=on
 *   -device edu,addr=0x3
 *   -device vfio-pci,sysfsdev=<mock device of the VT-d instance>,iommufd=iommufd0,addr=0x4
 *
 * QEMU allocates a nest-parent HWPT for the vfio-pci device at realize (its
 * stage 2: guest RAM, GPA -> host). The guest (this program) writes a
 * scalable-mode root table, context entries, a PASID directory and table
 * whose entry 0 (RID_PASID) selects first-stage translation (PGTT 1) and
 * x86-64 4-level first-stage tables into guest RAM, sets the root table
 * (SRTP), enables the 256-bit invalidation queue (QIE) and translation
 * (TE), and issues a PASID-cache invalidation: QEMU reads the PASID entry
 * and allocates an IOMMU_HWPT_DATA_VTD_S1 HWPT on the nest parent with the
 * guest's table address, then attaches the device to it. The device's copy
 * engine (BAR0) then copies between IOVAs the first-stage tables map (4 KiB,
 * 2 MiB and 1 GiB leaves), its DMA walked by the module; a PTE edited
 * without invalidation still reaches the old page (the module's IOTLB), a
 * PASID-based IOTLB invalidation (page-selective, then all of the PASID;
 * forwarded by QEMU as IOMMU_HWPT_INVALIDATE) makes it reach the new one,
 * and an unmapped IOVA faults. A new first-stage table in the PASID entry
 * makes QEMU allocate a second VTD_S1 HWPT, replace the attachment and free
 * the first; a cleared PASID entry makes it detach the device (DMA blocked).
 * What QEMU did is read from its own trace events (-trace
 * iommufd_backend_*, vtd_device_*), what the device did from guest RAM.
 *
 * QEMU's own emulated device edu shares the tables: its DMA is translated
 * by QEMU's emulation of the same first stage, which checks the guest
 * programming without the module (and gives QEMU's fault record for the
 * unmapped IOVA). Last, mock devices of non-VT-d instances are refused at
 * realize: SMMUv3 (instance 3) with "Incompatible host platform IOMMU
 * type", the x86-like mock instance 1 earlier, by its 39-bit IOVA width.
 *
 * Not covered, because QEMU 11.1.3 does not do it: nesting for a PASID
 * other than RID_PASID (QEMU's accelerated path attaches the RID only).
 *
 * Environment: QTC_QEMU (command running QEMU), QTC_LOG (QEMU's output is
 * appended there at the end), TMPDIR, VTD_INST (VT-d instance, default 4),
 * OTHER_INST (a non-VT-d instance with 48-bit IOVAs, default 3: SMMUv3). Options: -v prints every
 * protocol line; -n runs only the cases without the module (vIOMMU
 * programming and edu), for a host without /dev/iommu; -d (make demo-qemu)
 * narrates each step for a reader: QEMU's command line, the host IOMMU
 * information QEMU checks (the test asks IOMMU_GET_HW_INFO itself, one more
 * check), the guest's tables and registers as written, and the iommufd calls
 * and descriptor handling QEMU made, from its trace events (-d adds
 * iommufd_backend_*, iommufd_cdev_*, vtd_inv_desc_* to the traced events).
 * Output: TAP and a "# Totals:" line. Exit code 0 only if every check passed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include <linux/iommufd.h>
#include <linux/iommufd_mock_pci.h>

#include "mock_pci.h"
#include "qtest_client.h"
#include "qtest_tap.h"

#define SID		0x20
#define OTHER_SID	0x21

/* intel-iommu's registers on q35 (VT-d spec 11.4) */
#define VTD_BASE	0xfed90000ull
#define VTD_CAP		0x08
#define VTD_ECAP	0x10
#define VTD_GCMD	0x18
#define VTD_GSTS	0x1c
#define VTD_RTADDR	0x20
#define VTD_FSTS	0x34
#define VTD_IQH		0x80
#define VTD_IQT		0x88
#define VTD_IQA		0x90
#define VTD_FRCD	0x220	/* CAP.FRO 0x22 * 16, as QEMU reports */

#define GCMD_TE		(1u << 31)
#define GCMD_SRTP	(1u << 30)
#define GCMD_QIE	(1u << 26)
#define RTADDR_SMT	(1ull << 10)	/* scalable-mode root table */
#define IQA_DW		(1ull << 11)	/* 256-bit descriptors */
#define FSTS_PPF	(1u << 1)
#define FSTS_IQE	(1u << 4)
#define CAP_CM		(1ull << 7)
#define CAP_FS1GP	(1ull << 56)
#define ECAP_SMTS	(1ull << 43)
#define ECAP_FSTS	(1ull << 47)

/* Invalidation descriptors (low qword: type 3:0, granularity 5:4) */
#define DESC_CC		1	/* context cache */
#define DESC_IOTLB	2
#define DESC_WAIT	5
#define DESC_PIOTLB	6	/* PASID-based IOTLB */
#define DESC_PC		7	/* PASID cache */
#define DESC_G(g)	((uint64_t)(g) << 4)
#define DESC_DID(d)	((uint64_t)(d) << 16)
#define DESC_PASID(p)	((uint64_t)(p) << 32)
#define WAIT_SW		(1ull << 5)
#define PIOTLB_ALL	2	/* all of a PASID */
#define PIOTLB_PSI	3	/* page-selective within a PASID */
#define PC_PASID_SI	1

/* First-stage entries (x86-64 paging) */
#define FS_P		(1ull << 0)
#define FS_RW		(1ull << 1)
#define FS_US		(1ull << 2)
#define FS_A		(1ull << 5)
#define FS_D		(1ull << 6)
#define FS_PS		(1ull << 7)
#define FS_TABLE	(FS_P | FS_RW | FS_US | FS_A)
#define FS_LEAF		(FS_P | FS_RW | FS_US | FS_A | FS_D)

#define DID		1

/* Guest-physical layout (128 MiB of RAM) */
#define ROOT_TABLE	0x10000ull
#define CONTEXT_TABLE	0x11000ull
#define PASID_DIR	0x12000ull
#define PASID_TABLE	0x13000ull
#define IQ_BASE		0x14000ull	/* 4 KiB: 128 descriptors of 32 bytes */
#define IQ_ENTRIES	128
#define WAIT_STATUS	0x15000ull
#define FS_PML4		0x20000ull
#define FS_PDPT		0x21000ull
#define FS_PD		0x22000ull
#define FS_PT		0x23000ull
#define FS2_PML4	0x24000ull	/* a second first-stage table (chain B) */
#define FS2_PDPT	0x25000ull
#define FS2_PD		0x26000ull
#define FS2_PT		0x27000ull

/*
 * IOVAs in one 2 MiB range at 160 MiB, above guest RAM (so an identity
 * mapping could not explain a result) and below edu's 28-bit DMA mask;
 * PT index in brackets.
 */
#define IOVA_BASE	0x0a000000ull
#define E_SRC		(IOVA_BASE + 0x0000)	/* [0] -> 0x100000 */
#define E_DST		(IOVA_BASE + 0x1000)	/* [1] -> 0x200000, then 0x300000 */
#define E_HOLE		(IOVA_BASE + 0x2000)	/* [2] not present */
#define V_SRC		(IOVA_BASE + 0x8000)	/* [8,9] -> 0x110000 */
#define V_DST		(IOVA_BASE + 0xa000)	/* [10,11] -> 0x210000; [10] then 0x310000 */
#define V_HOLE		(IOVA_BASE + 0xc000)	/* [12] not present */
#define V_RO		(IOVA_BASE + 0xd000)	/* [13] read-only -> 0x600000 */
#define V_SUPER		(IOVA_BASE + 0xe000)	/* [14] U/S clear -> 0x601000 */
#define V_2M		0x0a200000ull		/* PD[0x51]: 2 MiB page -> 0x400000 */
#define V_1G		0x40000000ull		/* PDPT[1]: 1 GiB page -> 0 */

#define E_SRC_GPA	0x100000ull
#define E_DST_GPA	0x200000ull
#define E_ALT_GPA	0x300000ull
#define V_SRC_GPA	0x110000ull
#define V_DST_GPA	0x210000ull
#define V_ALT_GPA	0x310000ull
#define V_2M_GPA	0x400000ull
#define V_B_GPA		0x510000ull	/* V_DST in chain B */
#define V_RO_GPA	0x600000ull
#define V_SUPER_GPA	0x601000ull

/* PCI: edu at 00:03.0, the mock function at 00:04.0, both on pcie.0 */
#define EDU		QTC_BDF(0, 3, 0)
#define EDU_DEVFN	0x18
#define EDU_BAR0	0xfd000000ull
#define FUNC		QTC_BDF(0, 4, 0)
#define FUNC_DEVFN	0x20
#define BAR0		0xfe000000ull

/* QEMU's edu device (docs/specs/edu.rst) */
#define EDU_ID		0x00
#define EDU_DMA_SRC	0x80
#define EDU_DMA_DST	0x88
#define EDU_DMA_CNT	0x90
#define EDU_DMA_CMD	0x98
#define EDU_CMD_RUN	1u
#define EDU_CMD_TO_RAM	2u	/* buffer -> RAM; without it RAM -> buffer */
#define EDU_BUF		0x40000ull

static int vtd_inst = 4, other_inst = 3;
static bool verbose, demo, demo_quiet;
static long demo_pos;		/* -d: QEMU's output shown up to here */
static char qlog[256];		/* QEMU's stderr and trace lines */
static uint32_t iq_tail, wait_seq;
static unsigned int first_s1;	/* the VTD_S1 HWPT QEMU made first */

/* --- QEMU ---------------------------------------------------------------- */

#define VIOMMU "intel-iommu,intremap=off,scalable-mode=on,fsts=on,caching-mode=on"

/* @viommu: the intel-iommu device's options; NULL: VIOMMU */
static struct qtc *start_qemu_with(int inst, unsigned int sid, bool with_vfio,
				   const char *viommu, char **err)
{
	char dev[256], sysfsdev[128];
	const char *args[32];
	struct qtc_opts opts = {
		.args = args,
		.stderr_path = qlog,
		.verbose = verbose,
	};
	int n = 0;

	args[n++] = "-m";
	args[n++] = "128M";
	if (with_vfio) {
		args[n++] = "-object";
		args[n++] = "iommufd,id=iommufd0";
	}
	args[n++] = "-device";
	args[n++] = viommu ? viommu : VIOMMU;
	args[n++] = "-device";
	args[n++] = "edu,addr=0x3";
	if (with_vfio) {
		mock_pci_sysfsdev(inst, sid, sysfsdev, sizeof(sysfsdev));
		snprintf(dev, sizeof(dev),
			 "vfio-pci,sysfsdev=%s,iommufd=iommufd0,addr=0x4,id=dev0", sysfsdev);
		args[n++] = "-device";
		args[n++] = dev;
	}
	args[n++] = "-trace";
	args[n++] = "iommufd_backend_alloc_hwpt";
	args[n++] = "-trace";
	args[n++] = "iommufd_backend_invalidate_cache";
	args[n++] = "-trace";
	args[n++] = "iommufd_backend_free_id";
	args[n++] = "-trace";
	args[n++] = "vtd_device_*";
	if (demo) {
		/* -d shows more of what QEMU did; the checks read the same lines */
		args[n++] = "-trace";
		args[n++] = "iommufd_backend_*";
		args[n++] = "-trace";
		args[n++] = "iommufd_cdev_*";
		args[n++] = "-trace";
		args[n++] = "vtd_inv_desc_*";
	}
	args[n] = NULL;
	return qtc_start(&opts, err);
}

static struct qtc *start_qemu(int inst, unsigned int sid, bool with_vfio, char **err)
{
	return start_qemu_with(inst, sid, with_vfio, NULL, err);
}

static long qlog_end(void)
{
	FILE *f = fopen(qlog, "r");
	long end = 0;

	if (f) {
		if (!fseek(f, 0, SEEK_END))
			end = ftell(f);
		fclose(f);
	}
	return end;
}

/*
 * The first line of QEMU's output after offset @from holding @a and @b
 * (@b may be NULL), without its newline, into @out; false if none.
 */
static bool qlog_find(long from, const char *a, const char *b, char *out, size_t size)
{
	char line[512];
	bool found = false;
	FILE *f = fopen(qlog, "r");

	if (!f)
		return false;
	if (!fseek(f, from, SEEK_SET)) {
		while (fgets(line, sizeof(line), f)) {
			if (strstr(line, a) && (!b || strstr(line, b))) {
				line[strcspn(line, "\n")] = '\0';
				snprintf(out, size, "%s", line);
				found = true;
				break;
			}
		}
	}
	fclose(f);
	return found;
}

/* QEMU's output goes to $QTC_LOG too, where the VM's init prints it on failure */
static void qlog_hand_over(void)
{
	const char *dst = getenv("QTC_LOG");
	FILE *in, *out;
	char buf[4096];
	size_t n;

	if (dst && *dst) {
		in = fopen(qlog, "r");
		out = fopen(dst, "a");
		while (in && out && (n = fread(buf, 1, sizeof(buf), in)) > 0)
			fwrite(buf, 1, n, out);
		if (in)
			fclose(in);
		if (out)
			fclose(out);
	}
	unlink(qlog);
}

/* --- -d: the narration -------------------------------------------------- */

/* A line of the walkthrough (-d only) */
static void __attribute__((format(printf, 1, 2))) say(const char *fmt, ...)
{
	va_list ap;

	if (!demo || demo_quiet)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/*
 * -d: QEMU's trace lines since demo_pos that name one of @keys (a NULL-ended
 * list), from the event name on (QEMU prefixes pid and time), at most 14;
 * demo_pos moves to the end either way.
 */
static void show_qemu(const char *what, const char *const *keys)
{
	char line[512], *t, *first;
	int n = 0, i;
	FILE *f;

	f = fopen(qlog, "r");
	if (!f)
		return;
	if (demo && !demo_quiet && !fseek(f, demo_pos, SEEK_SET)) {
		say("   What QEMU did %s (its trace events):", what);
		while (fgets(line, sizeof(line), f)) {
			first = NULL;
			for (i = 0; keys[i]; i++) {
				t = strstr(line, keys[i]);
				if (t && (!first || t < first))
					first = t;
			}
			if (!first)
				continue;
			if (++n <= 14)
				printf("     %s", first);
		}
		if (n > 14)
			say("     ... and %d more", n - 14);
		if (!n)
			say("     (none)");
	}
	fclose(f);
	demo_pos = qlog_end();
	fflush(stdout);
}

static const char *const trace_hwpt[] = {
	"iommufd_backend_alloc_hwpt", "iommufd_backend_free_id", "vtd_device_",
	"vtd_inv_desc_pasid_cache", NULL
};
static const char *const trace_inv[] = {
	"iommufd_backend_invalidate_cache", "vtd_inv_desc_iotlb_pasid", NULL
};

/* -d: a qword of guest RAM as QEMU will read it */
static void show_q(struct qtc *q, uint64_t gpa, const char *what)
{
	say("     0x%05llx: 0x%016llx  %s", (unsigned long long)gpa,
	    (unsigned long long)qtc_readq(q, gpa), what);
}

/* VFIO_DEVICE_BIND_IOMMUFD (linux/vfio.h of 6.6+; the build host's may be older) */
struct demo_vfio_bind {
	uint32_t argsz;
	uint32_t flags;
	int32_t iommufd;
	uint32_t out_devid;
};

#define DEMO_VFIO_BIND_IOMMUFD	_IO(';', 100 + 18)

/*
 * -d: the IOMMU_GET_HW_INFO answer QEMU's host checks read, asked here the
 * same way (bind the device file to an iommufd of our own, then close
 * both) before QEMU opens the device. One check: an INTEL_VTD answer.
 */
static void demo_hw_info(int inst, unsigned int sid)
{
	struct iommu_hw_info_vtd vtd = { 0 };
	struct iommu_hw_info info = {
		.size = sizeof(info),
		.data_len = sizeof(vtd),
		.data_uptr = (uintptr_t)&vtd,
	};
	struct demo_vfio_bind bind = { .argsz = sizeof(bind) };
	char name[64], path[128];
	int ifd, dfd = -1, rc = -1;
	uint64_t cap, ecap;

	ifd = open("/dev/iommu", O_RDWR);
	if (!mock_pci_vfio_name(inst, sid, name, sizeof(name))) {
		snprintf(path, sizeof(path), "/dev/vfio/devices/%s", name);
		dfd = open(path, O_RDWR);
	}
	bind.iommufd = ifd;
	if (ifd >= 0 && dfd >= 0 && !ioctl(dfd, DEMO_VFIO_BIND_IOMMUFD, &bind)) {
		info.dev_id = bind.out_devid;
		rc = ioctl(ifd, IOMMU_GET_HW_INFO, &info);
	}
	if (dfd >= 0)
		close(dfd);
	if (ifd >= 0)
		close(ifd);
	cap = vtd.cap_reg;
	ecap = vtd.ecap_reg;
	if (!check(!rc && info.out_data_type == IOMMU_HW_INFO_TYPE_INTEL_VTD,
		   "host_hw_info_intel_vtd", "type %u, cap_reg 0x%llx, ecap_reg 0x%llx",
		   info.out_data_type, (unsigned long long)cap, (unsigned long long)ecap))
		return;
	say("   IOMMU_GET_HW_INFO on the device (asked here as QEMU will ask it):\n"
	    "     out_data_type %u (IOMMU_HW_INFO_TYPE_INTEL_VTD), max_pasid_log2 %u,\n"
	    "     out_capabilities 0x%llx, flags (errata) 0x%x\n"
	    "     cap_reg  0x%016llx: MGAW %llu bits, FS1GP %llu, FS5LP %llu, CM %llu\n"
	    "     ecap_reg 0x%016llx: SMTS %llu, FSTS %llu, SSTS %llu, NEST %llu, PASID %llu",
	    info.out_data_type, info.out_max_pasid_log2,
	    (unsigned long long)info.out_capabilities, vtd.flags,
	    (unsigned long long)cap, (unsigned long long)((cap >> 16 & 0x3f) + 1),
	    (unsigned long long)(cap >> 56 & 1), (unsigned long long)(cap >> 60 & 1),
	    (unsigned long long)(cap >> 7 & 1),
	    (unsigned long long)ecap, (unsigned long long)(ecap >> 43 & 1),
	    (unsigned long long)(ecap >> 47 & 1), (unsigned long long)(ecap >> 46 & 1),
	    (unsigned long long)(ecap >> 26 & 1), (unsigned long long)(ecap >> 40 & 1));
	say("   QEMU's checks at realize (hw/i386/intel_iommu.c vtd_check_hiod, then\n"
	    "   intel_iommu_accel.c vtd_check_hiod_accel because fsts=on): the iommufd\n"
	    "   backend; the vIOMMU's aw-bits (48) not above the host's, which QEMU\n"
	    "   takes from the IOAS IOVA ranges; type INTEL_VTD; FS1GP in cap_reg\n"
	    "   (fs1gp=on is the default); the device not behind a PCI bridge. And\n"
	    "   device assignment needs caching-mode=on. Step 12 shows refusals.");
}

/* --- intel-iommu --------------------------------------------------------- */

static uint32_t vtd_readl(struct qtc *q, unsigned int off)
{
	return qtc_readl(q, VTD_BASE + off);
}

static uint64_t vtd_readq(struct qtc *q, unsigned int off)
{
	return qtc_readq(q, VTD_BASE + off);
}

/* Write GCMD and wait (a few reads) until GSTS shows @want */
static uint32_t vtd_gcmd(struct qtc *q, uint32_t cmd, uint32_t want)
{
	uint32_t sts = 0;
	int i;

	qtc_writel(q, VTD_BASE + VTD_GCMD, cmd);
	for (i = 0; i < 10; i++) {
		sts = vtd_readl(q, VTD_GSTS);
		if ((sts & want) == want)
			break;
	}
	return sts;
}

/* One 256-bit descriptor at the tail; QEMU runs the queue on the IQT write */
static void qi_submit(struct qtc *q, uint64_t lo, uint64_t hi)
{
	uint64_t d[4] = { lo, hi, 0, 0 };

	qtc_memwrite(q, IQ_BASE + (uint64_t)iq_tail * 32, d, sizeof(d));
	iq_tail = (iq_tail + 1) % IQ_ENTRIES;
	qtc_writeq(q, VTD_BASE + VTD_IQT, (uint64_t)iq_tail << 5);
}

/*
 * A wait descriptor with a status write after what was queued: true if the
 * status landed, the head caught up with the tail and no queue error is
 * flagged; @why explains otherwise.
 */
static bool qi_wait(struct qtc *q, char *why, size_t size)
{
	uint32_t data = 0x5a5a0000u | ++wait_seq, got, fsts;
	uint64_t head;

	qtc_writel(q, WAIT_STATUS, 0);
	qi_submit(q, DESC_WAIT | WAIT_SW | (uint64_t)data << 32, WAIT_STATUS);
	got = qtc_readl(q, WAIT_STATUS);
	head = vtd_readq(q, VTD_IQH);
	fsts = vtd_readl(q, VTD_FSTS);
	snprintf(why, size, "status 0x%x (want 0x%x), IQH 0x%llx IQT 0x%x, FSTS 0x%x",
		 got, data, (unsigned long long)head, iq_tail << 5, fsts);
	return got == data && head == (uint64_t)iq_tail << 5 && !(fsts & FSTS_IQE);
}

static void set_pte(struct qtc *q, uint64_t iova, uint64_t gpa)
{
	uint64_t idx = (iova >> 12) & 0x1ff;

	qtc_writeq(q, FS_PT + idx * 8, gpa ? gpa | FS_LEAF : 0);
}

/* Root, context, PASID and first-stage tables in guest RAM */
static void write_tables(struct qtc *q)
{
	uint64_t pd_idx = (IOVA_BASE >> 21) & 0x1ff;
	int devfn[] = { EDU_DEVFN, FUNC_DEVFN };
	unsigned int i;

	qtc_memset(q, ROOT_TABLE, 0, 0x10000);
	qtc_memset(q, FS_PML4, 0, 0x8000);
	/* Scalable root entry 0 (bus 0): lower context table (devfn 0-127) */
	qtc_writeq(q, ROOT_TABLE, CONTEXT_TABLE | 1);
	/* Scalable context entries (32 bytes): P, PDTS 0 (128 dir entries), RID_PASID 0 */
	for (i = 0; i < 2; i++) {
		qtc_writeq(q, CONTEXT_TABLE + devfn[i] * 32, PASID_DIR | 1);
		qtc_writeq(q, CONTEXT_TABLE + devfn[i] * 32 + 8, 0);
	}
	qtc_writeq(q, PASID_DIR, PASID_TABLE | 1);
	/* PASID entry 0: P, PGTT 1 (first stage only), DID, FSPTPTR, 4-level */
	qtc_writeq(q, PASID_TABLE + 0, 1 | 1ull << 6);
	qtc_writeq(q, PASID_TABLE + 8, DID);
	qtc_writeq(q, PASID_TABLE + 16, FS_PML4);
	/* First stage: PML4[0] -> PDPT[0] -> PD[0x50] -> PT; 2 MiB and 1 GiB leaves */
	qtc_writeq(q, FS_PML4, FS_PDPT | FS_TABLE);
	qtc_writeq(q, FS_PDPT, FS_PD | FS_TABLE);
	qtc_writeq(q, FS_PDPT + 8, 0 | FS_LEAF | FS_PS);
	qtc_writeq(q, FS_PD + pd_idx * 8, FS_PT | FS_TABLE);
	qtc_writeq(q, FS_PD + (pd_idx + 1) * 8, V_2M_GPA | FS_LEAF | FS_PS);
	set_pte(q, E_SRC, E_SRC_GPA);
	set_pte(q, E_DST, E_DST_GPA);
	set_pte(q, V_SRC, V_SRC_GPA);
	set_pte(q, V_SRC + 0x1000, V_SRC_GPA + 0x1000);
	set_pte(q, V_DST, V_DST_GPA);
	set_pte(q, V_DST + 0x1000, V_DST_GPA + 0x1000);
	qtc_writeq(q, FS_PT + ((V_RO >> 12) & 0x1ff) * 8, V_RO_GPA | FS_P | FS_US | FS_A);
	qtc_writeq(q, FS_PT + ((V_SUPER >> 12) & 0x1ff) * 8,
		   V_SUPER_GPA | FS_P | FS_RW | FS_A | FS_D);
	/* Chain B: V_SRC as in A, V_DST elsewhere */
	qtc_writeq(q, FS2_PML4, FS2_PDPT | FS_TABLE);
	qtc_writeq(q, FS2_PDPT, FS2_PD | FS_TABLE);
	qtc_writeq(q, FS2_PD + pd_idx * 8, FS2_PT | FS_TABLE);
	qtc_writeq(q, FS2_PT + ((V_SRC >> 12) & 0x1ff) * 8, V_SRC_GPA | FS_LEAF);
	qtc_writeq(q, FS2_PT + ((V_DST >> 12) & 0x1ff) * 8, V_B_GPA | FS_LEAF);
}

/* The vIOMMU: caps, root table, queue, translation, first invalidations */
static bool viommu_setup(struct qtc *q)
{
	uint64_t cap = vtd_readq(q, VTD_CAP), ecap = vtd_readq(q, VTD_ECAP);
	uint32_t sts;
	char why[200];

	say("\n4. The guest programs the vIOMMU (no guest OS runs: the test writes guest\n"
	    "   RAM and the registers at 0x%llx through qtest, as a driver would).\n"
	    "   The vIOMMU QEMU shows: CAP 0x%016llx (CM, FS1GP), ECAP 0x%016llx\n"
	    "   (SMTS, FSTS): scalable mode, first-stage tables.",
	    VTD_BASE, (unsigned long long)cap, (unsigned long long)ecap);
	check_q(q, (cap & (CAP_CM | CAP_FS1GP)) == (CAP_CM | CAP_FS1GP) &&
		(ecap & (ECAP_SMTS | ECAP_FSTS)) == (ECAP_SMTS | ECAP_FSTS),
		"viommu_caps_scalable_first_stage", "CAP 0x%llx ECAP 0x%llx",
		(unsigned long long)cap, (unsigned long long)ecap);
	write_tables(q);
	if (demo && !demo_quiet) {
		uint64_t pd = FS_PD + ((IOVA_BASE >> 21) & 0x1ff) * 8;

		say("   Tables in guest RAM (guest-physical address, value):");
		show_q(q, ROOT_TABLE, "scalable root entry, bus 0: P, lower context table");
		show_q(q, CONTEXT_TABLE + FUNC_DEVFN * 32,
		       "context entry 00:04.0 (mock device): P, PASID directory, PDTS 0");
		show_q(q, CONTEXT_TABLE + FUNC_DEVFN * 32 + 8, "  ... RID_PASID 0");
		show_q(q, PASID_DIR, "PASID directory entry 0: P, PASID table");
		show_q(q, PASID_TABLE, "PASID entry 0 (RID_PASID): P, PGTT 1 = first stage only");
		show_q(q, PASID_TABLE + 8, "  ... DID 1");
		show_q(q, PASID_TABLE + 16,
		       "  ... FSPTPTR (first-stage table), FSPM 0 = 4-level; SRE/WPE/EAFE 0");
		say("   First stage (x86-64 4-level paging; P RW US A, D on leaves):");
		show_q(q, FS_PML4, "PML4[0] -> PDPT");
		show_q(q, FS_PDPT, "PDPT[0] -> PD");
		show_q(q, FS_PDPT + 8, "PDPT[1]: 1 GiB page (PS) at 0: IOVA 0x40000000");
		show_q(q, pd, "PD[0x50] -> PT: IOVAs 0x0a000000-0x0a1fffff");
		show_q(q, pd + 8, "PD[0x51]: 2 MiB page (PS) at 0x400000: IOVA 0x0a200000");
		show_q(q, FS_PT + 8 * 8, "PT[8]: IOVA 0x0a008000 -> 0x110000 (copy source)");
		show_q(q, FS_PT + 10 * 8, "PT[10]: IOVA 0x0a00a000 -> 0x210000 (destination)");
		show_q(q, FS_PT + 12 * 8, "PT[12]: IOVA 0x0a00c000 not present");
		show_q(q, FS_PT + 13 * 8, "PT[13]: IOVA 0x0a00d000 read-only (no RW)");
	}
	say("   Registers: RTADDR 0x%llx (root table, SMT = scalable mode), GCMD.SRTP;\n"
	    "   IQA 0x%llx (invalidation queue, DW = 256-bit descriptors), GCMD.QIE;\n"
	    "   global context-cache and IOTLB invalidation descriptors, a wait\n"
	    "   descriptor; then GCMD.TE (translation on).",
	    ROOT_TABLE | RTADDR_SMT, IQ_BASE | IQA_DW);
	qtc_writeq(q, VTD_BASE + VTD_RTADDR, ROOT_TABLE | RTADDR_SMT);
	sts = vtd_gcmd(q, GCMD_SRTP, GCMD_SRTP);
	check_q(q, sts & GCMD_SRTP, "srtp_sets_rtps", "GSTS 0x%x", sts);
	iq_tail = 0;
	qtc_writeq(q, VTD_BASE + VTD_IQA, IQ_BASE | IQA_DW);
	qtc_writeq(q, VTD_BASE + VTD_IQT, 0);
	sts = vtd_gcmd(q, GCMD_QIE, GCMD_QIE);
	check_q(q, sts & GCMD_QIE, "qie_sets_qies", "GSTS 0x%x", sts);
	/* Global context-cache and IOTLB invalidation before translation */
	qi_submit(q, DESC_CC | DESC_G(1), 0);
	qi_submit(q, DESC_IOTLB | DESC_G(1), 0);
	check_q(q, qi_wait(q, why, sizeof(why)), "qi_context_iotlb_global", "%s", why);
	sts = vtd_gcmd(q, GCMD_QIE | GCMD_TE, GCMD_QIE | GCMD_TE);
	if (!check_q(q, (sts & (GCMD_TE | GCMD_QIE)) == (GCMD_TE | GCMD_QIE),
		     "te_sets_tes", "GSTS 0x%x", sts))
		return false;
	/* The PASID-cache invalidation that makes QEMU read the PASID entry */
	say("\n5. The PASID-cache invalidation: descriptor 0x%016llx (type 7, PASID-\n"
	    "   selective, DID 1, PASID 0) and a wait descriptor on the queue. QEMU\n"
	    "   re-reads PASID entry 0 of every device in domain 1; for the vfio-pci\n"
	    "   device it turns the entry into IOMMU_HWPT_ALLOC on its nest parent\n"
	    "   with IOMMU_HWPT_DATA_VTD_S1 and attaches the device to the result.",
	    (unsigned long long)(DESC_PC | DESC_G(PC_PASID_SI) | DESC_DID(DID) |
				 DESC_PASID(0)));
	qi_submit(q, DESC_PC | DESC_G(PC_PASID_SI) | DESC_DID(DID) | DESC_PASID(0), 0);
	if (!check_q(q, qi_wait(q, why, sizeof(why)), "qi_pasid_cache_invalidation",
		     "%s", why))
		return false;
	show_qemu("on the PASID-cache invalidation", trace_hwpt);
	say("   The iommu_hwpt_vtd_s1 QEMU passed (its trace prints only length and\n"
	    "   pointer; these are the PASID entry's fields, as vtd_create_fs_hwpt\n"
	    "   copies them): pgtbl_addr 0x%llx, addr_width 48 (FSPM 0), flags 0\n"
	    "   (no SRE, WPE, EAFE). pt_id is the nest parent, hwpt_type 1 = VTD_S1.\n"
	    "   The module checks them as upstream's intel_nested_domain_alloc does.",
	    FS_PML4);
	return true;
}

/* PASID-based IOTLB invalidation of one page (or all of PASID 0 if !iova) */
static bool piotlb_inv(struct qtc *q, uint64_t iova, char *why, size_t size)
{
	if (iova)
		qi_submit(q, DESC_PIOTLB | DESC_G(PIOTLB_PSI) | DESC_DID(DID) | DESC_PASID(0),
			  iova);
	else
		qi_submit(q, DESC_PIOTLB | DESC_G(PIOTLB_ALL) | DESC_DID(DID) | DESC_PASID(0), 0);
	return qi_wait(q, why, size);
}

/* --- edu: QEMU's emulated DMA through the same first stage --------------- */

/* One edu DMA of @len bytes; @to_ram: buffer -> @iova, else @iova -> buffer */
static bool edu_dma(struct qtc *q, uint64_t iova, uint32_t len, bool to_ram)
{
	uint32_t cmd = 0;
	int i;

	qtc_writeq(q, EDU_BAR0 + EDU_DMA_SRC, to_ram ? EDU_BUF : iova);
	qtc_writeq(q, EDU_BAR0 + EDU_DMA_DST, to_ram ? iova : EDU_BUF);
	qtc_writeq(q, EDU_BAR0 + EDU_DMA_CNT, len);
	qtc_writeq(q, EDU_BAR0 + EDU_DMA_CMD, EDU_CMD_RUN | (to_ram ? EDU_CMD_TO_RAM : 0));
	/* edu runs the copy from a timer 100 ms (virtual) later */
	for (i = 0; i < 5; i++) {
		qtc_clock_step(q, 100 * 1000 * 1000);
		cmd = qtc_readl(q, EDU_BAR0 + EDU_DMA_CMD);
		if (!(cmd & EDU_CMD_RUN))
			break;
	}
	return !qtc_failed(q) && !(cmd & EDU_CMD_RUN);
}

static void fill(uint8_t *buf, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 7 + seed * 31 + 1);
}

/* Does guest page @gpa hold @len bytes of pattern @seed? */
static bool holds(struct qtc *q, uint64_t gpa, size_t len, unsigned int seed)
{
	static uint8_t want[8192], got[8192];

	fill(want, len, seed);
	if (qtc_memread(q, gpa, got, len))
		return false;
	return !memcmp(want, got, len);
}

static void edu_cases(struct qtc *q)
{
	static uint8_t buf[4096];
	uint64_t frcd_lo, frcd_hi;
	uint32_t fsts;
	bool ok;
	char why[200];

	qtc_pci_bar_map(q, EDU, 0, EDU_BAR0, true);
	if (!check_q(q, qtc_readl(q, EDU_BAR0 + EDU_ID) == 0x010000ed, "edu_found",
		     "ID 0x%x", qtc_readl(q, EDU_BAR0 + EDU_ID)))
		return;
	/* RAM -> edu's buffer from E_SRC, buffer -> RAM at E_DST */
	fill(buf, sizeof(buf), 1);
	qtc_memwrite(q, E_SRC_GPA, buf, sizeof(buf));
	qtc_memset(q, E_DST_GPA, 0, 4096);
	ok = edu_dma(q, E_SRC, 4096, false) && edu_dma(q, E_DST, 4096, true);
	check_q(q, ok && holds(q, E_DST_GPA, 4096, 1), "edu_dma_through_first_stage",
		"IOVA 0x%llx -> GPA 0x%llx, IOVA 0x%llx -> GPA 0x%llx",
		(unsigned long long)E_SRC, (unsigned long long)E_SRC_GPA,
		(unsigned long long)E_DST, (unsigned long long)E_DST_GPA);

	/* PTE edited without invalidation: QEMU's IOTLB keeps the old page */
	set_pte(q, E_DST, E_ALT_GPA);
	fill(buf, sizeof(buf), 2);
	qtc_memwrite(q, E_SRC_GPA, buf, sizeof(buf));
	qtc_memset(q, E_ALT_GPA, 0, 4096);
	ok = edu_dma(q, E_SRC, 4096, false) && edu_dma(q, E_DST, 4096, true);
	check_q(q, ok && holds(q, E_DST_GPA, 4096, 2) && !holds(q, E_ALT_GPA, 4096, 2),
		"edu_stale_iotlb_old_page", "data at 0x%llx, not 0x%llx",
		(unsigned long long)E_DST_GPA, (unsigned long long)E_ALT_GPA);

	ok = piotlb_inv(q, E_DST, why, sizeof(why));
	check_q(q, ok, "qi_piotlb_page_invalidation", "%s", why);
	fill(buf, sizeof(buf), 3);
	qtc_memwrite(q, E_SRC_GPA, buf, sizeof(buf));
	ok = edu_dma(q, E_SRC, 4096, false) && edu_dma(q, E_DST, 4096, true);
	check_q(q, ok && holds(q, E_ALT_GPA, 4096, 3) && !holds(q, E_DST_GPA, 4096, 3),
		"edu_new_page_after_piotlb", "data at 0x%llx",
		(unsigned long long)E_ALT_GPA);

	/* Not present: QEMU records a first-stage fault for edu's RID */
	ok = edu_dma(q, E_HOLE, 64, true);
	fsts = vtd_readl(q, VTD_FSTS);
	frcd_lo = vtd_readq(q, VTD_FRCD);
	frcd_hi = vtd_readq(q, VTD_FRCD + 8);
	check_q(q, ok && (fsts & FSTS_PPF) && (frcd_hi >> 63) &&
		(frcd_lo & ~0xfffull) == E_HOLE && (frcd_hi & 0xffff) == EDU_DEVFN,
		"edu_unmapped_iova_fault_record",
		"FSTS 0x%x, FRCD F %llu reason 0x%llx SID 0x%llx FI 0x%llx", fsts,
		(unsigned long long)(frcd_hi >> 63),
		(unsigned long long)((frcd_hi >> 32) & 0xff),
		(unsigned long long)(frcd_hi & 0xffff),
		(unsigned long long)(frcd_lo & ~0xfffull));
	/* Clear the record (F is RW1C) */
	qtc_writel(q, VTD_BASE + VTD_FRCD + 12, 1u << 31);
	qtc_writel(q, VTD_BASE + VTD_FSTS, FSTS_PPF);
}

/* --- the mock function's DMA through the module's VT-d nesting ---------- */

/* Copy @len bytes of pattern @seed from guest page @src_gpa via IOVAs */
static uint32_t copy_pattern(struct qtc *q, uint64_t src_gpa, uint64_t src, uint64_t dst,
			     uint32_t len, unsigned int seed)
{
	static uint8_t buf[8192];

	fill(buf, len, seed);
	qtc_memwrite(q, src_gpa, buf, len);
	return mock_pci_copy(q, BAR0, src, dst, len, 0);
}

/*
 * QEMU's trace after @from: an IOMMU_HWPT_ALLOC of type
 * IOMMU_HWPT_DATA_VTD_S1 (1) that succeeded. Return: its id, or 0.
 */
static unsigned int s1_hwpt_allocated(long from, const char *name)
{
	unsigned int id = 0;
	char line[512] = "";
	const char *o;

	if (qlog_find(from, "iommufd_backend_alloc_hwpt", "hwpt_type=1 ", line,
		      sizeof(line)) && strstr(line, "(0)")) {
		o = strstr(line, "out_hwpt=");
		if (o)
			id = strtoul(o + 9, NULL, 0);
	}
	check(id != 0, name, "%s", line);
	return id;
}

/*
 * ... and QEMU's attach of the device (RID, PASID 0) to HWPT @id; QEMU's
 * trace prints the result as a bool, 1 = attached.
 */
static void s1_attached(long from, unsigned int id, const char *name)
{
	char line[512] = "", want[64];

	snprintf(want, sizeof(want), "hwpt_id %u, ret: 1", id);
	check(id && qlog_find(from, "vtd_device_attach_hwpt", want, line, sizeof(line)),
	      name, "%s", line);
}

static void vfio_cases(struct qtc *q, long log_from)
{
	uint32_t st, done = IOMMU_MOCK_PCI_STATUS_DONE;
	char line[512], why[200];
	unsigned int s1;
	uint64_t fault;
	long pos;

	qtc_pci_bar_map(q, FUNC, 0, BAR0, true);
	if (!check_q(q, qtc_pci_readw(q, FUNC, 0) == IOMMU_MOCK_PCI_VENDOR_ID &&
		     qtc_readl(q, BAR0 + IOMMU_MOCK_PCI_REG_ID) == IOMMU_MOCK_PCI_ID_VALUE,
		     "function_bar0_mapped", NULL))
		return;
	/* What QEMU did on the PASID-cache invalidation */
	s1 = s1_hwpt_allocated(log_from, "qemu_allocates_vtd_s1_hwpt");
	s1_attached(log_from, s1, "qemu_attaches_device_to_it");
	first_s1 = s1;

	say("\n6. DMA through the guest's first stage. The test maps the device's BAR0\n"
	    "   and programs its copy engine: SRC 0x%llx, DST 0x%llx, 8 KiB. The\n"
	    "   module walks the guest's table for each page, every table entry read\n"
	    "   at its guest-physical address through the nest parent (stage 2: QEMU's\n"
	    "   guest RAM mapping), e.g. DST: PML4[0] -> PDPT[0] -> PD[0x50] -> PT[10]\n"
	    "   -> GPA 0x%llx -> QEMU's page. Then a 2 MiB and a 1 GiB first-stage leaf.",
	    (unsigned long long)V_SRC, (unsigned long long)V_DST,
	    (unsigned long long)V_DST_GPA);
	qtc_memset(q, V_DST_GPA, 0, 8192);
	st = copy_pattern(q, V_SRC_GPA, V_SRC, V_DST, 8192, 11);
	check_q(q, st == done && holds(q, V_DST_GPA, 8192, 11), "dma_through_first_stage",
		"status 0x%x; IOVA 0x%llx -> GPA 0x%llx, IOVA 0x%llx -> GPA 0x%llx (8 KiB)",
		st, (unsigned long long)V_SRC, (unsigned long long)V_SRC_GPA,
		(unsigned long long)V_DST, (unsigned long long)V_DST_GPA);

	qtc_memset(q, V_2M_GPA + 0x3000, 0, 4096);
	st = copy_pattern(q, V_SRC_GPA, V_SRC, V_2M + 0x3000, 4096, 12);
	check_q(q, st == done && holds(q, V_2M_GPA + 0x3000, 4096, 12),
		"dma_through_2m_first_stage_page", "status 0x%x; IOVA 0x%llx -> GPA 0x%llx",
		st, (unsigned long long)(V_2M + 0x3000),
		(unsigned long long)(V_2M_GPA + 0x3000));
	qtc_memset(q, 0x520000, 0, 4096);
	st = copy_pattern(q, V_SRC_GPA, V_SRC, V_1G + 0x520000, 4096, 13);
	check_q(q, st == done && holds(q, 0x520000, 4096, 13),
		"dma_through_1g_first_stage_page", "status 0x%x; IOVA 0x%llx -> GPA 0x520000",
		st, (unsigned long long)(V_1G + 0x520000));

	/* Edited PTE, no invalidation: the module's IOTLB keeps the old page */
	say("\n7. A stale IOTLB. The guest points PT[10] (IOVA 0x%llx) at 0x%llx instead\n"
	    "   of 0x%llx and invalidates nothing: like hardware, the module keeps\n"
	    "   the cached translation, and the copy still lands at the old page.",
	    (unsigned long long)V_DST, (unsigned long long)V_ALT_GPA,
	    (unsigned long long)V_DST_GPA);
	set_pte(q, V_DST, V_ALT_GPA);
	qtc_memset(q, V_ALT_GPA, 0, 4096);
	st = copy_pattern(q, V_SRC_GPA, V_SRC, V_DST, 4096, 14);
	check_q(q, st == done && holds(q, V_DST_GPA, 4096, 14) &&
		!holds(q, V_ALT_GPA, 4096, 14), "stale_iotlb_reaches_old_page",
		"status 0x%x; data at 0x%llx, not 0x%llx", st,
		(unsigned long long)V_DST_GPA, (unsigned long long)V_ALT_GPA);

	say("\n8. The guest's PASID-based IOTLB invalidation: descriptor 0x%016llx\n"
	    "   (type 6, page-selective within PASID 0, DID 1), address 0x%llx (AM 0,\n"
	    "   one page). QEMU forwards it to the VTD_S1 HWPT with IOMMU_HWPT_INVALIDATE,\n"
	    "   data_type 0 = IOMMU_HWPT_INVALIDATE_DATA_VTD_S1, one entry\n"
	    "   { addr 0x%llx, npages 1, flags 0 (IH clear, so not LEAF) }.",
	    (unsigned long long)(DESC_PIOTLB | DESC_G(PIOTLB_PSI) | DESC_DID(DID) |
				 DESC_PASID(0)),
	    (unsigned long long)V_DST, (unsigned long long)V_DST);
	demo_pos = qlog_end();
	pos = qlog_end();
	check_q(q, piotlb_inv(q, V_DST, why, sizeof(why)), "qi_piotlb_page_selective",
		"%s", why);
	show_qemu("on it", trace_inv);
	check(qlog_find(pos, "iommufd_backend_invalidate_cache", "data_type=0 ", line,
			sizeof(line)) && strstr(line, "entry_num=1 done_num=1") &&
	      strstr(line, "(0)"), "qemu_forwards_piotlb_invalidation", "%s", line);
	st = copy_pattern(q, V_SRC_GPA, V_SRC, V_DST, 4096, 15);
	check_q(q, st == done && holds(q, V_ALT_GPA, 4096, 15) &&
		!holds(q, V_DST_GPA, 4096, 15), "invalidation_reaches_new_page",
		"status 0x%x; data at 0x%llx", st, (unsigned long long)V_ALT_GPA);
	say("   The same copy now lands at 0x%llx. Back to 0x%llx with an invalidation\n"
	    "   of all of PASID 0 (granularity 2), forwarded as one entry with\n"
	    "   npages U64_MAX:", (unsigned long long)V_ALT_GPA,
	    (unsigned long long)V_DST_GPA);
	demo_pos = qlog_end();

	/* Back to the first page, invalidated by "all of PASID 0" */
	set_pte(q, V_DST, V_DST_GPA);
	pos = qlog_end();
	check_q(q, piotlb_inv(q, 0, why, sizeof(why)), "qi_piotlb_all_in_pasid", "%s", why);
	check(qlog_find(pos, "iommufd_backend_invalidate_cache", "data_type=0 ", line,
			sizeof(line)) && strstr(line, "(0)"),
	      "qemu_forwards_piotlb_all", "%s", line);
	show_qemu("on it", trace_inv);
	st = copy_pattern(q, V_SRC_GPA, V_SRC, V_DST, 4096, 16);
	check_q(q, st == done && holds(q, V_DST_GPA, 4096, 16),
		"invalidate_all_reaches_first_page_again", "status 0x%x", st);

	say("\n9. Faults. A copy from IOVA 0x%llx, whose PT[12] is not present: the\n"
	    "   module's walk stops there and the device reports the unmapped-IOVA\n"
	    "   fault code (%u) and the IOVA. Then a read through the read-only PT[13]\n"
	    "   works, a write to it gives the permission fault (%u), and so does a\n"
	    "   request to a page with U/S clear (requests without PASID are user\n"
	    "   requests, SRE is off).", (unsigned long long)V_HOLE,
	    IOMMU_MOCK_PCI_FAULT_UNMAPPED, IOMMU_MOCK_PCI_FAULT_PERM);
	st = copy_pattern(q, V_SRC_GPA, V_SRC, V_HOLE, 64, 17);
	fault = qtc_readq(q, BAR0 + IOMMU_MOCK_PCI_REG_FAULT_IOVA);
	check_q(q, st == (done | IOMMU_MOCK_PCI_FAULT_UNMAPPED << 8) && fault == V_HOLE,
		"unmapped_iova_faults", "status 0x%x, fault IOVA 0x%llx", st,
		(unsigned long long)fault);

	/* A read-only leaf: read through it, a write to it faults */
	qtc_memset(q, V_DST_GPA, 0, 4096);
	st = copy_pattern(q, V_RO_GPA, V_RO, V_DST, 4096, 18);
	check_q(q, st == done && holds(q, V_DST_GPA, 4096, 18), "dma_reads_read_only_page",
		"status 0x%x", st);
	st = copy_pattern(q, V_SRC_GPA, V_SRC, V_RO, 64, 19);
	fault = qtc_readq(q, BAR0 + IOMMU_MOCK_PCI_REG_FAULT_IOVA);
	check_q(q, st == (done | IOMMU_MOCK_PCI_FAULT_PERM << 8) && fault == V_RO &&
		!holds(q, V_RO_GPA, 64, 19), "dma_write_to_read_only_page_faults",
		"status 0x%x, fault IOVA 0x%llx", st, (unsigned long long)fault);
	/* U/S clear: requests without PASID are user requests (no SRE) */
	st = copy_pattern(q, V_SUPER_GPA, V_SUPER, V_DST, 64, 20);
	fault = qtc_readq(q, BAR0 + IOMMU_MOCK_PCI_REG_FAULT_IOVA);
	check_q(q, st == (done | IOMMU_MOCK_PCI_FAULT_PERM << 8) && fault == V_SUPER,
		"dma_through_supervisor_page_faults", "status 0x%x, fault IOVA 0x%llx", st,
		(unsigned long long)fault);
}

/*
 * The guest changes the PASID entry: a new first-stage table makes QEMU
 * allocate a new VTD_S1 HWPT, replace the attachment and free the old one;
 * a cleared entry makes it detach the device (DMA blocked).
 */
static void pasid_entry_cases(struct qtc *q)
{
	uint32_t st, done = IOMMU_MOCK_PCI_STATUS_DONE;
	char line[512] = "", want[64], why[200];
	unsigned int s1;
	long pos;

	say("\n11. The guest points PASID entry 0 at another first-stage table (0x%llx)\n"
	    "   and invalidates the PASID cache: QEMU allocates a second VTD_S1 HWPT,\n"
	    "   replaces the device's attachment and frees the first HWPT.",
	    FS2_PML4);
	demo_pos = qlog_end();
	pos = qlog_end();
	qtc_writeq(q, PASID_TABLE + 16, FS2_PML4);
	qi_submit(q, DESC_PC | DESC_G(PC_PASID_SI) | DESC_DID(DID) | DESC_PASID(0), 0);
	check_q(q, qi_wait(q, why, sizeof(why)), "qi_pasid_cache_after_new_table", "%s", why);
	s1 = s1_hwpt_allocated(pos, "qemu_allocates_s1_for_new_table");
	s1_attached(pos, s1, "qemu_replaces_attachment");
	snprintf(want, sizeof(want), "id=%u (0)", first_s1);
	check(first_s1 && s1 != first_s1 &&
	      qlog_find(pos, "iommufd_backend_free_id", want, line, sizeof(line)),
	      "qemu_frees_old_s1_hwpt", "%s", line);
	qtc_memset(q, V_B_GPA, 0, 4096);
	qtc_memset(q, V_DST_GPA, 0, 4096);
	st = copy_pattern(q, V_SRC_GPA, V_SRC, V_DST, 4096, 21);
	check_q(q, st == done && holds(q, V_B_GPA, 4096, 21) &&
		!holds(q, V_DST_GPA, 4096, 21), "dma_uses_new_table",
		"status 0x%x; IOVA 0x%llx -> GPA 0x%llx", st, (unsigned long long)V_DST,
		(unsigned long long)V_B_GPA);
	show_qemu("on it", trace_hwpt);

	say("   Then the guest clears PASID entry 0 and invalidates: QEMU detaches the\n"
	    "   device (blocked DMA) and frees the HWPT.");
	demo_pos = qlog_end();
	pos = qlog_end();
	qtc_writeq(q, PASID_TABLE, 0);
	qi_submit(q, DESC_PC | DESC_G(PC_PASID_SI) | DESC_DID(DID) | DESC_PASID(0), 0);
	check_q(q, qi_wait(q, why, sizeof(why)), "qi_pasid_cache_after_clear", "%s", why);
	check(qlog_find(pos, "vtd_device_detach_hwpt", "ret: 1", line, sizeof(line)),
	      "qemu_detaches_on_cleared_entry", "%s", line);
	qtc_memset(q, V_B_GPA, 0, 4096);
	st = copy_pattern(q, V_SRC_GPA, V_SRC, V_DST, 4096, 22);
	check_q(q, st == (done | IOMMU_MOCK_PCI_FAULT_DETACHED << 8) &&
		!holds(q, V_B_GPA, 4096, 22), "dma_blocked_after_detach", "status 0x%x", st);
	show_qemu("on it", trace_hwpt);
}

static void nested_run(void)
{
	char *err = NULL;
	struct qtc *q;
	long from;
	int rc, st;

	char sysfsdev[128];

	mock_pci_sysfsdev(vtd_inst, SID, sysfsdev, sizeof(sysfsdev));
	say("\n1. A mock device of the module's VT-d instance (instance %d), with a VFIO\n"
	    "   device file:\n"
	    "     echo '%d 0x%x' > /sys/bus/mockiommu/vfio_add", vtd_inst, vtd_inst, SID);
	rc = mock_pci_sysfs("vfio_add", vtd_inst, SID);
	if (!check(rc == 0, "vfio_add_vtd_instance", "instance %d SID 0x%x%s%s", vtd_inst,
		   SID, rc ? ": " : "", rc ? strerror(-rc) : ""))
		return;
	if (demo) {
		say("\n2. What the host IOMMU looks like to QEMU.");
		demo_hw_info(vtd_inst, SID);
	}
	say("\n3. QEMU (Debian's qemu-system-x86 11.1, unmodified), /dev/iommu = the module:\n"
	    "     qemu-system-x86_64 -M q35 -accel qtest -m 128M -object iommufd,id=iommufd0 \\\n"
	    "       -device " VIOMMU " \\\n"
	    "       -device edu,addr=0x3 \\\n"
	    "       -device vfio-pci,sysfsdev=%s,iommufd=iommufd0,addr=0x4,id=dev0\n"
	    "   fsts=on: the guest's first-stage tables go to the host (nesting);\n"
	    "   caching-mode=on: QEMU's condition for device assignment. The device is\n"
	    "   on pcie.0 (not behind a bridge). Realizing vfio-pci, QEMU binds the\n"
	    "   file, asks IOMMU_GET_HW_INFO, makes an IOAS, maps guest RAM and\n"
	    "   allocates a nest-parent HWPT (flags 0x1) on it: stage 2, GPA -> host.",
	    sysfsdev);
	from = qlog_end();
	demo_pos = from;
	q = start_qemu(vtd_inst, SID, true, &err);
	if (check(q != NULL, "qemu_realizes_intel_iommu_fsts_vfio_pci", "%s",
		  err ? err : "")) {
		char line[512];

		check(qlog_find(from, "iommufd_backend_alloc_hwpt", "flags=0x1 ", line,
				sizeof(line)) && strstr(line, "(0)"),
		      "qemu_allocates_nest_parent", "%s", line);
		{
			static const char *const keys[] = { "iommufd_", "vtd_device_", NULL };

			show_qemu("while realizing", keys);
		}
		if (viommu_setup(q)) {
			vfio_cases(q, from);
			say("\n10. QEMU's own emulated edu device (00:03.0) uses the same tables\n"
			    "   through QEMU's emulation of the first stage, without the module:\n"
			    "   the same copies, stale IOTLB and fault (QEMU's fault record), as\n"
			    "   a cross-check of the guest programming.");
			edu_cases(q);
			pasid_entry_cases(q);
		}
		st = qtc_quit(q);
		check(st == 0, "qemu_quit_status_0", "status %d", st);
	}
	free(err);
	rc = mock_pci_sysfs("vfio_remove", vtd_inst, SID);
	check(rc == 0, "vfio_remove_after_quit", "%s", rc ? strerror(-rc) : "");
}

/*
 * A device QEMU must refuse at realize (@viommu: intel-iommu's options,
 * NULL for VIOMMU), with a message holding @msg.
 */
static void refused_run(int inst, unsigned int sid, const char *viommu, const char *msg,
			const char *name)
{
	char *err = NULL, line[512] = "", add[32], rm[32];
	struct qtc *q;
	long from;
	int rc;

	snprintf(add, sizeof(add), "vfio_add_instance_%d", inst);
	snprintf(rm, sizeof(rm), "vfio_remove_instance_%d", inst);
	rc = mock_pci_sysfs("vfio_add", inst, sid);
	if (!check(rc == 0, add, "%s", rc ? strerror(-rc) : ""))
		return;
	from = qlog_end();
	q = start_qemu_with(inst, sid, true, viommu, &err);
	check(q == NULL && qlog_find(from, msg, NULL, line, sizeof(line)), name, "%s", line);
	if (q)
		qtc_quit(q);
	free(err);
	rc = mock_pci_sysfs("vfio_remove", inst, sid);
	check(rc == 0, rm, "%s", rc ? strerror(-rc) : "");
}

/* Without the module: the vIOMMU programming checked by edu alone */
static void qemu_only_run(void)
{
	char *err = NULL;
	struct qtc *q;
	int st;

	q = start_qemu(0, 0, false, &err);
	if (check(q != NULL, "qemu_realizes_intel_iommu_fsts_edu", "%s", err ? err : "")) {
		if (viommu_setup(q))
			edu_cases(q);
		st = qtc_quit(q);
		check(st == 0, "qemu_quit_status_0", "status %d", st);
	}
	free(err);
}

int main(int argc, char **argv)
{
	const char *tmp = getenv("TMPDIR");
	bool no_module = false;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-v"))
			verbose = true;
		else if (!strcmp(argv[i], "-n"))
			no_module = true;
		else if (!strcmp(argv[i], "-d"))
			demo = true;
	}
	if (getenv("VTD_INST"))
		vtd_inst = atoi(getenv("VTD_INST"));
	if (getenv("OTHER_INST"))
		other_inst = atoi(getenv("OTHER_INST"));
	snprintf(qlog, sizeof(qlog), "%s/vtd_nested_test.%d.log", tmp ? tmp : "/tmp",
		 (int)getpid());
	printf("TAP version 13\n");
	if (no_module) {
		qemu_only_run();
	} else {
		nested_run();
		say("\n12. Devices QEMU refuses at realize (its host checks):\n"
		    "   a mock device of the SMMUv3 instance %d (type ARM_SMMUV3, not\n"
		    "   INTEL_VTD), of the x86-like mock instance 1 (39-bit IOVAs < aw-bits\n"
		    "   48), and the VT-d instance's device without caching-mode=on.",
		    other_inst);
		/* SMMUv3: 48-bit IOVAs like the vIOMMU, then the format check */
		refused_run(other_inst, OTHER_SID, NULL, "Incompatible host platform IOMMU type",
			    "qemu_refuses_fsts_on_smmuv3_instance");
		/* The x86-like mock instance: its 39-bit IOVAs fail the width check first */
		refused_run(1, OTHER_SID, NULL, "Failed to set vIOMMU",
			    "qemu_refuses_fsts_on_mock_instance");
		/* The VT-d instance, but the vIOMMU without caching mode */
		refused_run(vtd_inst, SID, "intel-iommu,intremap=off,scalable-mode=on,fsts=on",
			    "caching-mode=on", "qemu_refuses_assignment_without_caching_mode");
		check(mock_pci_module_refcnt() == 0, "no_module_reference_left",
		      "refcnt %ld", mock_pci_module_refcnt());
		say("\nEvery step above is a check; the summary line counts them.");
	}
	qlog_hand_over();
	return tap_finish();
}
