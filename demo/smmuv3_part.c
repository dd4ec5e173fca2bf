// SPDX-License-Identifier: GPL-2.0
/*
 * vmm_demo, part 2: a second VM whose device sits behind the SMMUv3
 * instance, driven through upstream's ARM SMMUv3 uAPI in the order QEMU's
 * accelerated vSMMU (hw/arm/smmuv3-accel.c) makes the calls. Here the guest
 * side is real: the "guest" writes its stream table entry, its context
 * descriptor and a 4-level VMSAv8-64 stage-1 table (4 KiB granule) into
 * guest RAM, the VMM hands the STE to the kernel, and the mock device's DMA
 * walks those structures through stage 2 into an IOTLB that goes stale
 * exactly as hardware's does until the guest's TLBI is forwarded. A fault
 * comes back to the VMM as an SMMUv3 event record on the vEVENTQ, with the
 * guest's stream ID in it.
 *
 * Guest structures are built with selftests/smmuv3_guest.h (shared with the
 * selftests and the benchmark).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
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
#include "../selftests/smmuv3_guest.h"

#define SZ_4K		0x1000ULL
#define SZ_1M		0x100000ULL
#define GRAM_GPA	0x40000000ULL	/* the second guest's RAM */
#define GRAM_SIZE	(16 * SZ_1M)
#define PSID		0x7a0		/* the device's physical stream ID */
#define VSID		0x20		/* the stream ID the guest sees */
#define ASID		0x5
#define STRTAB_SIDS	64		/* linear stream table: vSIDs 0-63 */
/* Index 1 at every level of a 4 KiB-granule, 4-level walk. */
#define DMA_IOVA	0x8040201000ULL
/* Index 3 in the same leaf table: the guest mapped nothing there. */
#define HOLE_IOVA	(DMA_IOVA + 2 * SZ_4K)
#define MSG1		"hello from the device, DMA #1"

/* The VMM's view of the SMMUv3 VM. */
struct smmu_vm {
	uint32_t inst;
	uint32_t dev_id, ioas_id, s2_hwpt, viommu, vdevice, veventq;
	uint32_t nested;
	int qfd;
	struct guest_ram g;
	uint64_t strtab;		/* GPA of the guest's stream table */
	uint64_t cd;			/* GPA of its context descriptor */
	uint64_t page_a, page_b;	/* GPAs of two data pages */
	uint64_t pte;			/* GPA of the leaf descriptor of DMA_IOVA */
	struct s1_pt pt;
};

/* Counters of the vIOMMU (IOMMU_MOCK_OBJECT_INFO), printed. */
static struct iommu_mock_object_info vstats(const struct smmu_vm *vm)
{
	struct iommu_mock_object_info info = {
		.size = sizeof(info),
		.id = vm->viommu,
	};

	xcall("IOMMU_MOCK_OBJECT_INFO", IOMMU_MOCK_OBJECT_INFO, &info,
	      "id=%u (vIOMMU)", vm->viommu);
	out("IOTLB: hits=%llu misses=%llu invalidated=%llu   CD cache: hits=%llu misses=%llu   evictions=%llu",
	    (unsigned long long)info.out_tlb_hits,
	    (unsigned long long)info.out_tlb_misses,
	    (unsigned long long)info.out_tlb_invalidated,
	    (unsigned long long)info.out_cd_hits,
	    (unsigned long long)info.out_cd_misses,
	    (unsigned long long)info.out_evictions);
	return info;
}

static void show_page(const struct smmu_vm *vm, const char *name, uint64_t gpa)
{
	show_guest_text(name, gpa, gram_ptr(&vm->g, gpa));
}

static int page_has(const struct smmu_vm *vm, uint64_t gpa, const char *msg)
{
	return !memcmp(gram_ptr(&vm->g, gpa), msg, strlen(msg));
}

/* The device DMAs @len bytes at @iova (IOMMU_MOCK_DMA); returns 0 or errno. */
static int device_dma(const struct smmu_vm *vm, int write, uint64_t iova,
		      void *buf, uint64_t len, struct iommu_mock_dma *d)
{
	memset(d, 0, sizeof(*d));
	d->size = sizeof(*d);
	d->flags = write ? IOMMU_MOCK_DMA_WRITE : 0;
	d->dev_id = vm->dev_id;
	d->iova = iova;
	d->length = len;
	d->uptr = (uintptr_t)buf;
	if (write)
		return call("IOMMU_MOCK_DMA", IOMMU_MOCK_DMA, d,
			    "flags=WRITE dev_id=%u iova=0x%llx length=%llu uptr=\"%s\"",
			    d->dev_id, (unsigned long long)iova,
			    (unsigned long long)len, (char *)buf);
	return call("IOMMU_MOCK_DMA", IOMMU_MOCK_DMA, d,
		    "flags=0 (read) dev_id=%u iova=0x%llx length=%llu",
		    d->dev_id, (unsigned long long)iova,
		    (unsigned long long)len);
}

/* A device write of @msg (with its NUL) to DMA_IOVA that must succeed. */
static void device_write(const struct smmu_vm *vm, const char *msg)
{
	struct iommu_mock_dma d;
	char buf[48];
	int err;

	memset(buf, 0, sizeof(buf));
	snprintf(buf, sizeof(buf), "%s", msg);
	err = device_dma(vm, 1, DMA_IOVA, buf, strlen(buf) + 1, &d);
	if (err)
		die("the DMA to IOVA 0x%llx failed with %s (fault code 0x%x flags 0x%x)",
		    DMA_IOVA, errname(err), d.out_fault_code,
		    d.out_fault_flags);
}

/* One guest command forwarded as QEMU does: one entry per call. */
static int forward(const struct smmu_vm *vm, const struct gcmd *c,
		   const char *what, uint32_t *done)
{
	struct iommu_viommu_arm_smmuv3_invalidate inv = {
		.cmd = { c->w[0], c->w[1] },
	};
	struct iommu_hwpt_invalidate h = {
		.size = sizeof(h),
		.hwpt_id = vm->viommu,
		.data_uptr = (uintptr_t)&inv,
		.data_type = IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3,
		.entry_len = sizeof(inv),
		.entry_num = 1,
	};
	int err;

	err = call("IOMMU_HWPT_INVALIDATE", IOMMU_HWPT_INVALIDATE, &h,
		   "hwpt_id=%u (vIOMMU) data_type=ARM_SMMUV3 entry_len=%u entry_num=1 [%s: %016llx %016llx]",
		   h.hwpt_id, h.entry_len, what,
		   (unsigned long long)c->w[0], (unsigned long long)c->w[1]);
	out("entry_num=%u", h.entry_num);
	*done = h.entry_num;
	return err;
}

static const char *level_kind(unsigned int level, uint64_t d)
{
	if (!(d & GPTE_VALID))
		return "invalid";
	if (level == 3)
		return (d & GPTE_TABLE) ? "page" : "reserved";
	return (d & GPTE_TABLE) ? "table" : "block";
}

/* Print the guest's walk of @iova, descriptor by descriptor. */
static void show_walk(const struct smmu_vm *vm, uint64_t iova)
{
	uint64_t table = vm->pt.root;
	unsigned int l;

	for (l = vm->pt.start; l <= 3; l++) {
		uint64_t idx = s1_index(&vm->pt, iova, l);
		uint64_t at = table + 8 * idx;
		uint64_t d = gram_r64(&vm->g, at);

		out("  L%u table GPA 0x%llx [%3llu] at 0x%llx = 0x%016llx  %s -> 0x%llx",
		    l, (unsigned long long)table, (unsigned long long)idx,
		    (unsigned long long)at, (unsigned long long)d,
		    level_kind(l, d), (unsigned long long)(d & GPTE_ADDR));
		if ((d & 3) != 3)
			return;
		table = d & GPTE_ADDR;
	}
}

static void vm_open(struct smmu_vm *vm, const char *path)
{
	struct iommu_hw_info_mock insts[16];
	struct iommu_mock_instance_info q = {
		.size = sizeof(q),
		.num_instances = ARRAY_SIZE(insts),
		.instances_uptr = (uintptr_t)insts,
	};
	uint32_t i;
	int found = 0;

	step("Part 2: a second VM with a vSMMU over the SMMUv3 instance");
	why("The instances so far spoke the mock's own dialect, and their stage "
	    "1 was the identity. An SMMUv3 instance speaks upstream's ARM "
	    "SMMUv3 uAPI, the one QEMU's accelerated vSMMU (smmuv3-accel.c) "
	    "uses, and really walks the guest's stream table entry, context "
	    "descriptor and page tables. A new iommufd is a new VM.");
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	out("open(\"%s\", O_RDWR) = %d", path, fd);
	memset(insts, 0, sizeof(insts));
	xcall("IOMMU_MOCK_INSTANCE_INFO", IOMMU_MOCK_INSTANCE_INFO, &q,
	      "num_instances=%zu instances_uptr=<array>", ARRAY_SIZE(insts));
	for (i = 0; i < q.num_instances && i < ARRAY_SIZE(insts); i++) {
		if (!(insts[i].flags & IOMMU_HW_INFO_MOCK_ARM_SMMUV3))
			continue;
		vm->inst = insts[i].instance_id;
		found = 1;
		out("instance %u: flags ARM_SMMUV3, s1_format=%u (ARM_SMMUV3) ias=%u oas=%u sid_bits=%u asid_bits=%u",
		    insts[i].instance_id, insts[i].s1_format, insts[i].s1_ias,
		    insts[i].s1_oas, insts[i].sid_bits, insts[i].asid_bits);
		break;
	}
	if (!found)
		die("no instance has IOMMU_HW_INFO_MOCK_ARM_SMMUV3 (module parameter smmuv3_instances=0?)");
}

static void vm_device(struct smmu_vm *vm)
{
	struct iommu_mock_device_alloc a = {
		.size = sizeof(a),
		.instance_id = vm->inst,
		.stream_id = PSID,
	};
	struct iommu_hw_info_arm_smmuv3 idr;
	struct iommu_hw_info h = {
		.size = sizeof(h),
		.data_len = sizeof(idr),
		.data_uptr = (uintptr_t)&idr,
	};

	step("Create the pass-through device and read its SMMU's ID registers");
	why("With hardware this is a VFIO device bound to the iommufd. "
	    "IOMMU_GET_HW_INFO returns the host SMMU's IDR registers: QEMU "
	    "checks them against the vSMMU it offers (stage 1, AArch64 tables, "
	    "stream-table levels, SID/SSID sizes, range invalidation, granules, "
	    "OAS) and refuses accel=on when the host cannot walk what the guest "
	    "will write.");
	xcall("IOMMU_MOCK_DEVICE_ALLOC", IOMMU_MOCK_DEVICE_ALLOC, &a,
	      "instance_id=%u stream_id=0x%x", a.instance_id, a.stream_id);
	vm->dev_id = a.out_dev_id;
	out("out_dev_id=%u: physical stream ID 0x%x", vm->dev_id, PSID);
	memset(&idr, 0, sizeof(idr));
	h.dev_id = vm->dev_id;
	xcall("IOMMU_GET_HW_INFO", IOMMU_GET_HW_INFO, &h,
	      "dev_id=%u data_len=%zu data_uptr=<iommu_hw_info_arm_smmuv3>",
	      h.dev_id, sizeof(idr));
	out("out_data_type=%u (%s) data_len=%u", h.out_data_type,
	    h.out_data_type == IOMMU_HW_INFO_TYPE_ARM_SMMUV3 ? "ARM_SMMUV3" : "?",
	    h.data_len);
	if (h.out_data_type != IOMMU_HW_INFO_TYPE_ARM_SMMUV3)
		die("out_data_type %u, expected IOMMU_HW_INFO_TYPE_ARM_SMMUV3",
		    h.out_data_type);
	out("IDR0=0x%08x IDR1=0x%08x IDR3=0x%08x IDR5=0x%08x IIDR=0x%08x AIDR=0x%x",
	    idr.idr[0], idr.idr[1], idr.idr[3], idr.idr[5], idr.iidr, idr.aidr);
	out("  IDR0: S1P=%d S2P=%d TTF=%s ST_LVL=%s CD2L=%d ASID16=%d",
	    !!(idr.idr[0] & G_IDR0_S1P), !!(idr.idr[0] & G_IDR0_S2P),
	    g_get(idr.idr[0], G_IDR0_TTF) == 2 ? "AArch64" : "other",
	    g_get(idr.idr[0], G_IDR0_ST_LVL) == 1 ? "2-level" : "linear",
	    !!(idr.idr[0] & G_IDR0_CD2L), !!(idr.idr[0] & G_IDR0_ASID16));
	out("  IDR1: SIDSIZE=%llu SSIDSIZE=%llu   IDR3: RIL=%d   IDR5: OAS=%llu (48-bit) GRAN4K=%d 16K=%d 64K=%d",
	    (unsigned long long)g_get(idr.idr[1], G_IDR1_SIDSIZE),
	    (unsigned long long)g_get(idr.idr[1], G_IDR1_SSIDSIZE),
	    !!(idr.idr[3] & G_IDR3_RIL),
	    (unsigned long long)g_get(idr.idr[5], G_IDR5_OAS),
	    !!(idr.idr[5] & G_IDR5_GRAN4K), !!(idr.idr[5] & G_IDR5_GRAN16K),
	    !!(idr.idr[5] & G_IDR5_GRAN64K));
	if (!(idr.idr[0] & G_IDR0_S1P) || !(idr.idr[5] & G_IDR5_GRAN4K) ||
	    g_get(idr.idr[0], G_IDR0_TTF) != 2)
		die("the SMMU cannot walk AArch64 stage-1 tables with a 4 KiB granule");
	out("=> stage 1 with AArch64 4 KiB tables is there: the vSMMU can offer it");
}

static void vm_stage2(struct smmu_vm *vm)
{
	struct iommu_ioas_alloc ia = { .size = sizeof(ia) };
	struct iommu_ioas_map m = {
		.size = sizeof(m),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE |
			 IOMMU_IOAS_MAP_WRITEABLE,
		.length = GRAM_SIZE,
		.iova = GRAM_GPA,
	};
	struct iommu_hwpt_alloc ha = {
		.size = sizeof(ha),
		.flags = IOMMU_HWPT_ALLOC_NEST_PARENT,
		.data_type = IOMMU_HWPT_DATA_NONE,
	};

	step("Guest RAM in an IOAS, and the stage 2 (NEST_PARENT HWPT)");
	why("As in part 1: IOVA = guest physical address. Every structure the "
	    "guest gives its SMMU (context descriptors, page tables) and every "
	    "page its devices reach is an IPA that this stage 2 translates.");
	vm->g.host = mmap(NULL, GRAM_SIZE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (vm->g.host == MAP_FAILED)
		die("mmap guest RAM: %s", strerror(errno));
	vm->g.ipa = GRAM_GPA;
	vm->g.size = GRAM_SIZE;
	vm->g.next = 0;
	xcall("IOMMU_IOAS_ALLOC", IOMMU_IOAS_ALLOC, &ia, "flags=0");
	vm->ioas_id = ia.out_ioas_id;
	out("out_ioas_id=%u", vm->ioas_id);
	m.ioas_id = vm->ioas_id;
	m.user_va = (uintptr_t)vm->g.host;
	xcall("IOMMU_IOAS_MAP", IOMMU_IOAS_MAP, &m,
	      "ioas_id=%u flags=FIXED_IOVA|READABLE|WRITEABLE user_va=%p length=0x%llx iova=0x%llx",
	      m.ioas_id, (void *)vm->g.host, GRAM_SIZE, GRAM_GPA);
	ha.dev_id = vm->dev_id;
	ha.pt_id = vm->ioas_id;
	xcall("IOMMU_HWPT_ALLOC", IOMMU_HWPT_ALLOC, &ha,
	      "flags=NEST_PARENT dev_id=%u pt_id=%u (IOAS) data_type=NONE",
	      ha.dev_id, ha.pt_id);
	vm->s2_hwpt = ha.out_hwpt_id;
	out("out_hwpt_id=%u: the stage 2", vm->s2_hwpt);
}

static void vm_viommu(struct smmu_vm *vm)
{
	struct iommu_viommu_alloc va = {
		.size = sizeof(va),
		.type = IOMMU_VIOMMU_TYPE_ARM_SMMUV3,
		.dev_id = vm->dev_id,
		.hwpt_id = vm->s2_hwpt,
	};
	struct iommu_vdevice_alloc vd = {
		.size = sizeof(vd),
		.dev_id = vm->dev_id,
		.virt_id = VSID,
	};
	struct iommu_veventq_alloc vq = {
		.size = sizeof(vq),
		.type = IOMMU_VEVENTQ_TYPE_ARM_SMMUV3,
		.veventq_depth = 16,
	};

	step("vIOMMU of type ARM_SMMUV3, vDEVICE (vSID 0x%x), vEVENTQ", VSID);
	why("The vIOMMU is the VM's slice of the SMMU (its caches are tagged "
	    "with the VMID of its stage 2); the vDEVICE tells the kernel that the guest calls "
	    "physical stream 0x%x by vSID 0x%x; the vEVENTQ is the file the "
	    "VMM reads the guest's fault events from, to copy them into the "
	    "vSMMU's event queue.", PSID, VSID);
	xcall("IOMMU_VIOMMU_ALLOC", IOMMU_VIOMMU_ALLOC, &va,
	      "type=ARM_SMMUV3 dev_id=%u hwpt_id=%u", va.dev_id, va.hwpt_id);
	vm->viommu = va.out_viommu_id;
	out("out_viommu_id=%u", vm->viommu);
	vd.viommu_id = vm->viommu;
	xcall("IOMMU_VDEVICE_ALLOC", IOMMU_VDEVICE_ALLOC, &vd,
	      "viommu_id=%u dev_id=%u virt_id=0x%x", vd.viommu_id, vd.dev_id,
	      VSID);
	vm->vdevice = vd.out_vdevice_id;
	out("out_vdevice_id=%u: vSID 0x%x -> pSID 0x%x", vm->vdevice, VSID,
	    PSID);
	vq.viommu_id = vm->viommu;
	xcall("IOMMU_VEVENTQ_ALLOC", IOMMU_VEVENTQ_ALLOC, &vq,
	      "viommu_id=%u type=ARM_SMMUV3 veventq_depth=%u", vq.viommu_id,
	      vq.veventq_depth);
	vm->veventq = vq.out_veventq_id;
	vm->qfd = vq.out_veventq_fd;
	out("out_veventq_id=%u out_veventq_fd=%d", vm->veventq, vm->qfd);
}

static void guest_builds(struct smmu_vm *vm)
{
	struct gcd c = {
		.asid = ASID, .t0sz = 16, .g0shift = 12, .epd1 = true,
		.ips = GCD_IPS_48, .record = true,
	};
	uint64_t ste[2], *cd;

	step("The guest writes its SMMU structures into its RAM");
	why("Nothing here is an ioctl: the guest's SMMUv3 driver fills its "
	    "stream table, a context descriptor (ASID 0x%x, T0SZ 16: 48-bit "
	    "VAs, 4 KiB granule, TTB0 = its level-0 table, R = 1: record "
	    "faults) and a 4-level stage-1 table mapping IOVA 0x%llx to data "
	    "page A. The VMM only sees guest RAM change.", ASID, DMA_IOVA);
	vm->strtab = gram_alloc(&vm->g, STRTAB_SIDS * 64, SZ_4K);
	vm->cd = gram_alloc(&vm->g, SZ_4K, SZ_4K);
	if (!vm->strtab || !vm->cd || !s1_pt_init(&vm->pt, &vm->g, 12, 16))
		die("guest RAM too small");
	vm->g.next = SZ_1M;		/* data pages from GPA + 1 MiB on */
	vm->page_a = gram_alloc(&vm->g, SZ_4K, SZ_4K);
	vm->page_b = gram_alloc(&vm->g, SZ_4K, SZ_4K);
	vm->g.next = 2 * SZ_1M;		/* further tables */
	memset(gram_ptr(&vm->g, vm->page_a), 'A', SZ_4K);
	memset(gram_ptr(&vm->g, vm->page_b), 'B', SZ_4K);
	c.ttb0 = vm->pt.root;
	cd = gram_ptr(&vm->g, vm->cd);
	cd_build(cd, &c);
	vm->pte = s1_map(&vm->pt, DMA_IOVA, vm->page_a, 3, GPTE_RW_NG);
	if (!vm->pte)
		die("guest RAM too small for the tables");
	ste_s1(ste, vm->cd, GSTE0_S1FMT_LINEAR, 0, GSTE1_S1DSS_SSID0);
	gram_w64(&vm->g, vm->strtab + VSID * 64, ste[0]);
	gram_w64(&vm->g, vm->strtab + VSID * 64 + 8, ste[1]);

	out("stream table (linear, %u STEs) at GPA 0x%llx; STE[0x%x] at 0x%llx:",
	    STRTAB_SIDS, (unsigned long long)vm->strtab, VSID,
	    (unsigned long long)(vm->strtab + VSID * 64));
	out("  word0=0x%016llx  V=1 Config=%llu (S1 translate) S1Fmt=linear S1ContextPtr=0x%llx",
	    (unsigned long long)ste[0],
	    (unsigned long long)g_get(ste[0], GSTE0_CFG),
	    (unsigned long long)(ste[0] & GSTE0_S1CTXPTR));
	out("  word1=0x%016llx  S1DSS=SSID0, cacheable, inner shareable",
	    (unsigned long long)ste[1]);
	out("context descriptor at GPA 0x%llx:", (unsigned long long)vm->cd);
	out("  word0=0x%016llx  V=1 AA64=1 R=1 ASID=0x%llx T0SZ=%llu TG0=4K EPD1=1 IPS=48-bit",
	    (unsigned long long)cd[0],
	    (unsigned long long)g_get(cd[0], GCD0_ASID),
	    (unsigned long long)g_get(cd[0], GCD0_T0SZ));
	out("  word1=0x%016llx  TTB0=0x%llx (level-0 table)",
	    (unsigned long long)cd[1], (unsigned long long)(cd[1] & GCD1_TTB0));
	out("stage-1 walk of IOVA 0x%llx (the tables are guest pages, read by IPA through stage 2):",
	    DMA_IOVA);
	show_walk(vm, DMA_IOVA);
	show_page(vm, "data page A", vm->page_a);
	show_page(vm, "data page B", vm->page_b);
}

static void vm_install_ste(struct smmu_vm *vm)
{
	struct iommu_hwpt_arm_smmuv3 data;
	struct iommu_hwpt_alloc ha = {
		.size = sizeof(ha),
		.data_type = IOMMU_HWPT_DATA_ARM_SMMUV3,
		.data_len = sizeof(data),
		.data_uptr = (uintptr_t)&data,
	};
	struct iommu_mock_device_attach at = { .size = sizeof(at) };
	struct iommu_mock_object_info info = {
		.size = sizeof(info),
	};
	uint64_t at_gpa = vm->strtab + VSID * 64;

	step("The guest issues CFGI_STE(vSID 0x%x): the VMM installs the STE", VSID);
	why("QEMU does not forward CFGI_STE: it reads STE words 0-1 from the "
	    "guest's stream table itself and allocates a nested HWPT on the "
	    "vIOMMU with them (IOMMU_HWPT_DATA_ARM_SMMUV3), then attaches "
	    "the device to it. A later STE change is a new nested HWPT and a "
	    "replace. The kernel checks the fields upstream allows; the CD "
	    "and the tables stay in guest RAM, read when the device needs "
	    "them.");
	data.ste[0] = gram_r64(&vm->g, at_gpa);
	data.ste[1] = gram_r64(&vm->g, at_gpa + 8);
	out("read guest RAM at GPA 0x%llx: %016llx %016llx",
	    (unsigned long long)at_gpa, (unsigned long long)data.ste[0],
	    (unsigned long long)data.ste[1]);
	ha.dev_id = vm->dev_id;
	ha.pt_id = vm->viommu;
	xcall("IOMMU_HWPT_ALLOC", IOMMU_HWPT_ALLOC, &ha,
	      "dev_id=%u pt_id=%u (vIOMMU) data_type=ARM_SMMUV3 data={ste={0x%016llx, 0x%016llx}}",
	      ha.dev_id, ha.pt_id, (unsigned long long)data.ste[0],
	      (unsigned long long)data.ste[1]);
	vm->nested = ha.out_hwpt_id;
	out("out_hwpt_id=%u (nested)", vm->nested);
	info.id = vm->nested;
	xcall("IOMMU_MOCK_OBJECT_INFO", IOMMU_MOCK_OBJECT_INFO, &info,
	      "id=%u", info.id);
	out("nested HWPT: parent=%u (vIOMMU) out_ttbr=0x%llx (the STE's S1ContextPtr)",
	    info.out_parent_id, (unsigned long long)info.out_ttbr);
	if (info.out_type != IOMMU_MOCK_OBJ_HWPT_NESTED ||
	    info.out_ttbr != vm->cd)
		die("nested HWPT %u: type %u, S1ContextPtr 0x%llx, expected the CD at 0x%llx",
		    vm->nested, info.out_type,
		    (unsigned long long)info.out_ttbr,
		    (unsigned long long)vm->cd);
	at.dev_id = vm->dev_id;
	at.pt_id = vm->nested;
	xcall("IOMMU_MOCK_DEVICE_ATTACH", IOMMU_MOCK_DEVICE_ATTACH, &at,
	      "flags=0 dev_id=%u pt_id=%u (nested)", at.dev_id, at.pt_id);
	out("out_hwpt_id=%u: the device's DMA now goes STE -> CD -> stage 1 -> stage 2",
	    at.out_hwpt_id);
}

static void vm_dma(struct smmu_vm *vm)
{
	struct iommu_mock_object_info s0, s1, s2;
	struct iommu_mock_dma d;
	char back[48];
	int err;

	step("The device DMAs to IOVA 0x%llx through the guest's tables", DMA_IOVA);
	why("First access: the CD cache and the IOTLB are empty, so the SMMU "
	    "fetches the CD and walks levels 0-3, each descriptor read by IPA "
	    "through stage 2, and caches the result. The bytes land in the page "
	    "the level-3 descriptor names: page A.");
	s0 = vstats(vm);
	device_write(vm, MSG1);
	show_page(vm, "data page A", vm->page_a);
	show_page(vm, "data page B", vm->page_b);
	if (!page_has(vm, vm->page_a, MSG1))
		die("the DMA did not land in page A");
	if (!page_has(vm, vm->page_b, "BBBB"))
		die("page B changed");
	s1 = vstats(vm);
	expect_tlb_delta(&s0, &s1, 0, 1, 0, "first DMA");
	out("=> one IOTLB miss (the walk), one CD fetch");

	why("Second access to the same page: an IOTLB hit, no walk.");
	memset(back, 0, sizeof(back));
	err = device_dma(vm, 0, DMA_IOVA, back, sizeof(MSG1), &d);
	if (err)
		die("read back: %s", errname(err));
	out("read back: \"%s\"", back);
	s2 = vstats(vm);
	expect_tlb_delta(&s1, &s2, 1, 0, 0, "second DMA");
	if (strcmp(back, MSG1))
		die("read back something else than was written");
	out("=> IOTLB hit");
}

static void vm_stale(struct smmu_vm *vm)
{
	struct iommu_mock_object_info s0, s1, s2, s3;
	uint64_t old = gram_r64(&vm->g, vm->pte), new;
	struct gcmd c;
	uint32_t done;
	int err;

	step("The guest points the PTE at page B but forgets the TLBI");
	why("The guest rewrites the level-3 descriptor in its RAM. The SMMU's "
	    "IOTLB still holds the old translation, so the device keeps "
	    "writing page A: the bug a missing invalidation causes on real "
	    "hardware, reproduced deterministically.");
	new = pte_leaf(3, vm->page_b, GPTE_RW_NG);
	gram_w64(&vm->g, vm->pte, new);
	out("guest: PTE at GPA 0x%llx: 0x%016llx -> 0x%016llx (page A -> page B)",
	    (unsigned long long)vm->pte, (unsigned long long)old,
	    (unsigned long long)new);
	show_walk(vm, DMA_IOVA);
	s0 = vstats(vm);
	device_write(vm, "DMA #2, stale IOTLB");
	show_page(vm, "data page A", vm->page_a);
	show_page(vm, "data page B", vm->page_b);
	s1 = vstats(vm);
	if (!page_has(vm, vm->page_a, "DMA #2"))
		die("the DMA did not reach page A through the stale IOTLB entry");
	if (!page_has(vm, vm->page_b, "BBBB"))
		die("page B changed although no TLBI was forwarded");
	expect_tlb_delta(&s0, &s1, 1, 0, 0, "DMA without TLBI");
	out("=> STALE: an IOTLB hit sent the write to page A, which the guest no longer maps");

	step("The guest's TLBI_NH_VA, forwarded by the VMM, fixes it");
	why("The guest queues TLBI_NH_VA (ASID 0x%x, VA 0x%llx, leaf) and "
	    "CMD_SYNC. QEMU forwards the invalidation with "
	    "IOMMU_HWPT_INVALIDATE on the vIOMMU, the command copied raw. "
	    "CMD_SYNC it completes itself: the kernel has finished the "
	    "invalidation when the ioctl returns, and upstream refuses "
	    "CMD_SYNC with EIO, entry_num 0.", ASID, DMA_IOVA);
	c = cmd_tlbi_nh_va(ASID, DMA_IOVA, true, 0, 0, 0);
	err = forward(vm, &c, "TLBI_NH_VA", &done);
	if (err || done != 1)
		die("TLBI_NH_VA: %s, entry_num %u", errname(err), done);
	c = cmd_op(GCMD_CMD_SYNC);
	err = forward(vm, &c, "CMD_SYNC", &done);
	expect_err(err, EIO, "IOMMU_HWPT_INVALIDATE(CMD_SYNC)",
		   "only TLBI, ATC_INV and CFGI_CD commands cross the uAPI");
	if (done != 0)
		die("entry_num %u after a refused first entry", done);
	s2 = vstats(vm);
	expect_tlb_delta(&s1, &s2, 0, 0, 1, "TLBI_NH_VA");
	out("=> the IOTLB entry of VA 0x%llx is gone", DMA_IOVA);
	device_write(vm, "DMA #3, after the TLBI");
	show_page(vm, "data page A", vm->page_a);
	show_page(vm, "data page B", vm->page_b);
	s3 = vstats(vm);
	if (!page_has(vm, vm->page_b, "DMA #3"))
		die("the DMA after the TLBI did not reach page B");
	if (!page_has(vm, vm->page_a, "DMA #2"))
		die("page A changed after the TLBI");
	expect_tlb_delta(&s2, &s3, 0, 1, 0, "DMA after TLBI");
	out("=> a new walk read the new PTE: the write went to page B");
}

static void vm_fault(struct smmu_vm *vm)
{
	struct {
		struct iommufd_vevent_header hdr;
		uint64_t evt[4];
	} rec;
	struct pollfd p = { .fd = vm->qfd, .events = POLLIN };
	struct iommu_mock_dma d;
	char buf[16];
	ssize_t n;
	int err, rc;

	step("A DMA to an IOVA the guest never mapped: an event on the vEVENTQ");
	why("IOVA 0x%llx hits an invalid level-3 descriptor: a stage-1 "
	    "F_TRANSLATION. The DMA fails for the device; the kernel writes "
	    "an SMMUv3 event record to the vEVENTQ with the guest's vSID in "
	    "place of the physical stream ID, as upstream's host driver "
	    "does, and the VMM copies it into the vSMMU's event queue.",
	    HOLE_IOVA);
	show_walk(vm, HOLE_IOVA);
	memset(buf, 0, sizeof(buf));
	err = device_dma(vm, 0, HOLE_IOVA, buf, sizeof(buf), &d);
	out("out_fault_code=0x%x (F_TRANSLATION is 0x10) out_fault_addr=0x%llx out_fault_flags=0x%x (%s%s%s)",
	    d.out_fault_code, (unsigned long long)d.out_fault_addr,
	    d.out_fault_flags,
	    d.out_fault_flags & IOMMU_MOCK_DMA_FAULT ? "FAULT" : "-",
	    d.out_fault_flags & IOMMU_MOCK_DMA_FAULT_S2 ? "|S2" : "",
	    d.out_fault_flags & IOMMU_MOCK_DMA_FAULT_REPORTED ? "|REPORTED" : "");
	expect_err(err, ENOENT, "IOMMU_MOCK_DMA", "a translation fault");
	if (d.out_fault_code != GEVT_F_TRANSLATION ||
	    d.out_fault_addr != HOLE_IOVA ||
	    d.out_fault_flags != (IOMMU_MOCK_DMA_FAULT |
				  IOMMU_MOCK_DMA_FAULT_REPORTED))
		die("fault code 0x%x addr 0x%llx flags 0x%x, expected F_TRANSLATION at 0x%llx, reported",
		    d.out_fault_code, (unsigned long long)d.out_fault_addr,
		    d.out_fault_flags, HOLE_IOVA);

	rc = poll(&p, 1, 1000);
	out("poll({fd=%d, POLLIN}, 1, 1000) = %d, revents=0x%x%s", vm->qfd, rc,
	    p.revents, p.revents & POLLIN ? " (POLLIN)" : "");
	if (rc != 1 || !(p.revents & POLLIN))
		die("the vEVENTQ is not readable after the fault");
	memset(&rec, 0, sizeof(rec));
	n = read(vm->qfd, &rec, sizeof(rec));
	out("read(%d, buf, %zu) = %zd: header {flags=0x%x sequence=%u}",
	    vm->qfd, sizeof(rec), n, rec.hdr.flags, rec.hdr.sequence);
	if (n != (ssize_t)sizeof(rec) || rec.hdr.flags || rec.hdr.sequence)
		die("expected one record of %zu bytes, flags 0, sequence 0",
		    sizeof(rec));
	out("event record: %016llx %016llx %016llx %016llx",
	    (unsigned long long)rec.evt[0], (unsigned long long)rec.evt[1],
	    (unsigned long long)rec.evt[2], (unsigned long long)rec.evt[3]);
	out("  EventID=0x%x (%s) StreamID=0x%x (the vSID; the physical SID is 0x%x) SSV=%d",
	    evt_id(rec.evt),
	    evt_id(rec.evt) == GEVT_F_TRANSLATION ? "F_TRANSLATION" : "?",
	    evt_sid(rec.evt), PSID, evt_ssv(rec.evt));
	out("  RnW=%d (a read) S2=%d Class=%u (input address) InputAddr=0x%llx",
	    evt_rnw(rec.evt), evt_s2(rec.evt), evt_class(rec.evt),
	    (unsigned long long)evt_addr(rec.evt));
	if (evt_id(rec.evt) != GEVT_F_TRANSLATION || evt_sid(rec.evt) != VSID ||
	    evt_ssv(rec.evt) || !evt_rnw(rec.evt) || evt_s2(rec.evt) ||
	    evt_class(rec.evt) != GEVT_CLASS_IN ||
	    evt_addr(rec.evt) != HOLE_IOVA)
		die("the event record does not say F_TRANSLATION, vSID 0x%x, read, input address 0x%llx",
		    VSID, HOLE_IOVA);
	p.revents = 0;
	rc = poll(&p, 1, 0);
	out("poll again = %d: the queue is empty", rc);
	if (rc != 0)
		die("a second record is waiting");
}

static void vm_close(struct smmu_vm *vm)
{
	struct iommu_mock_device_detach dd = {
		.size = sizeof(dd),
		.dev_id = vm->dev_id,
	};
	struct iommu_ioas_unmap u = {
		.size = sizeof(u),
		.ioas_id = vm->ioas_id,
		.iova = GRAM_GPA,
		.length = GRAM_SIZE,
	};

	step("Tear down the second VM");
	why("The vEVENTQ's file holds a reference on it: close it before "
	    "IOMMU_DESTROY, then the rest in reference order.");
	xcall("IOMMU_MOCK_DEVICE_DETACH", IOMMU_MOCK_DEVICE_DETACH, &dd,
	      "dev_id=%u", dd.dev_id);
	destroy_obj(vm->nested, "nested HWPT");
	if (close(vm->qfd))
		die("close vEVENTQ fd: %s", strerror(errno));
	out("close(%d) = 0 (vEVENTQ fd)", vm->qfd);
	destroy_obj(vm->veventq, "vEVENTQ");
	destroy_obj(vm->vdevice, "vDEVICE");
	destroy_obj(vm->viommu, "vIOMMU");
	destroy_obj(vm->s2_hwpt, "stage 2");
	xcall("IOMMU_IOAS_UNMAP", IOMMU_IOAS_UNMAP, &u,
	      "ioas_id=%u iova=0x%llx length=0x%llx", u.ioas_id, GRAM_GPA,
	      GRAM_SIZE);
	destroy_obj(vm->ioas_id, "IOAS");
	destroy_obj(vm->dev_id, "device");
	if (close(fd))
		die("close: %s", strerror(errno));
	fd = -1;
	out("close(fd) = 0");
	munmap(vm->g.host, GRAM_SIZE);
}

/**
 * smmuv3_part() - the SMMUv3 walkthrough, after part 1 closed its iommufd
 * @path: the iommufd device node
 *
 * Ends the program through die() when a step does not behave as stated.
 */
void smmuv3_part(const char *path)
{
	struct smmu_vm vm;

	memset(&vm, 0, sizeof(vm));
	vm.qfd = -1;
	vm_open(&vm, path);
	vm_device(&vm);
	vm_stage2(&vm);
	vm_viommu(&vm);
	guest_builds(&vm);
	vm_install_ste(&vm);
	vm_dma(&vm);
	vm_stale(&vm);
	vm_fault(&vm);
	vm_close(&vm);
}
