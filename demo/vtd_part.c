// SPDX-License-Identifier: GPL-2.0
/*
 * vmm_demo, part 3: a third VM whose device sits behind the VT-d instance,
 * driven through upstream's Intel VT-d nesting uAPI in the order QEMU's
 * intel-iommu with scalable-mode=on,fsts=on (hw/i386/intel_iommu_accel.c)
 * makes the calls. The "guest" writes an x86-64 4-level first-stage table
 * into its RAM; when it invalidates the PASID cache the VMM hands the
 * table's address to the kernel in a VTD_S1 nested HWPT on the nest
 * parent, and the mock device's DMA walks that table through stage 2,
 * setting A/D in the guest's entries, into a PASID-tagged IOTLB that stays
 * stale until the guest's PASID-based IOTLB invalidation is forwarded.
 *
 * Guest structures are built with selftests/vtd_guest.h (shared with the
 * selftests and the benchmark).
 */
#include <errno.h>
#include <fcntl.h>
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
#include "../selftests/vtd_guest.h"

#define SZ_4K		0x1000ULL
#define SZ_1M		0x100000ULL
#define GRAM_GPA	0x80000000ULL	/* the third guest's RAM */
#define GRAM_SIZE	(16 * SZ_1M)
#define SRC_ID		0x0300		/* requester ID 03:00.0 */
#define ADDR_WIDTH	48		/* 4-level first stage */
/* PML4 index 1, PDPT 2, PD 3, PT 4: every level of the walk shows. */
#define DMA_IOVA	0x8080604000ULL
/* PT index 6 in the same leaf table: the guest mapped nothing there. */
#define HOLE_IOVA	(DMA_IOVA + 2 * SZ_4K)
#define MSG1		"hello from the device, DMA #1"

/* The VMM's view of the VT-d VM. */
struct vtd_vm {
	uint32_t inst;
	uint32_t dev_id, ioas_id, s2_hwpt, nested;
	struct vg_ram g;
	struct vg_fs pt;
	uint64_t page_a, page_b;	/* GPAs of two data pages */
	uint64_t pte;			/* GPA of the PT entry of DMA_IOVA */
};

static const char *lvl_name[] = { "", "PT  ", "PD  ", "PDPT", "PML4", "PML5" };

/* Counters of the nested HWPT (IOMMU_MOCK_OBJECT_INFO), printed. */
static struct iommu_mock_object_info vstats(const struct vtd_vm *vm)
{
	struct iommu_mock_object_info info = {
		.size = sizeof(info),
		.id = vm->nested,
	};

	xcall("IOMMU_MOCK_OBJECT_INFO", IOMMU_MOCK_OBJECT_INFO, &info,
	      "id=%u (nested HWPT)", vm->nested);
	out("IOTLB: hits=%llu misses=%llu invalidated=%llu evictions=%llu",
	    (unsigned long long)info.out_tlb_hits,
	    (unsigned long long)info.out_tlb_misses,
	    (unsigned long long)info.out_tlb_invalidated,
	    (unsigned long long)info.out_evictions);
	return info;
}

static void show_page(const struct vtd_vm *vm, const char *name, uint64_t gpa)
{
	show_guest_text(name, gpa, vg_ptr(&vm->g, gpa));
}

static int page_has(const struct vtd_vm *vm, uint64_t gpa, const char *msg)
{
	return !memcmp(vg_ptr(&vm->g, gpa), msg, strlen(msg));
}

/* The flags of a first-stage entry as text: "P RW US A D PS". */
static const char *eflags(uint64_t e)
{
	static char s[40];

	snprintf(s, sizeof(s), "%s%s%s%s%s%s", e & VG_P ? "P" : "not present",
		 e & VG_RW ? " RW" : "", e & VG_US ? " US" : "",
		 e & VG_A ? " A" : "", e & VG_D ? " D" : "",
		 e & VG_PS ? " PS" : "");
	return s;
}

/*
 * Print the walk of @iova, entry by entry, as the remapping unit reads it;
 * returns the number of entries that have the accessed flag.
 */
static unsigned int show_walk(const struct vtd_vm *vm, uint64_t iova)
{
	uint64_t table = vm->pt.root;
	unsigned int l, accessed = 0;

	for (l = vm->pt.levels; l >= 1; l--) {
		unsigned int idx = vg_index(iova, l);
		uint64_t at = table + 8ULL * idx;
		uint64_t e = vg_r64(&vm->g, at);

		out("  %s GPA 0x%llx [%3u] at 0x%llx = 0x%016llx  %-16s -> 0x%llx",
		    lvl_name[l], (unsigned long long)table, idx,
		    (unsigned long long)at, (unsigned long long)e, eflags(e),
		    (unsigned long long)(e & VG_ADDR));
		if (e & VG_A)
			accessed++;
		if (!(e & VG_P) || (l > 1 && (e & VG_PS)))
			break;
		table = e & VG_ADDR;
	}
	return accessed;
}

/* The device DMAs @len bytes at @iova (IOMMU_MOCK_DMA); returns 0 or errno. */
static int device_dma(const struct vtd_vm *vm, int write, uint64_t iova,
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
static void device_write(const struct vtd_vm *vm, const char *msg)
{
	struct iommu_mock_dma d;
	char buf[48];
	int err;

	memset(buf, 0, sizeof(buf));
	snprintf(buf, sizeof(buf), "%s", msg);
	err = device_dma(vm, 1, DMA_IOVA, buf, strlen(buf) + 1, &d);
	if (err)
		die("the DMA to IOVA 0x%llx failed with %s (fault reason 0x%x flags 0x%x)",
		    DMA_IOVA, errname(err), d.out_fault_code,
		    d.out_fault_flags);
}

static void vm_open(struct vtd_vm *vm, const char *path)
{
	struct iommu_hw_info_mock insts[16];
	struct iommu_mock_instance_info q = {
		.size = sizeof(q),
		.num_instances = ARRAY_SIZE(insts),
		.instances_uptr = (uintptr_t)insts,
	};
	uint32_t i;
	int found = 0;

	step("Part 3: a third VM with a VT-d vIOMMU over the VT-d instance");
	why("QEMU's intel-iommu with scalable-mode=on and fsts=on gives the "
	    "guest a vIOMMU whose first stage the host walks: the guest's "
	    "x86-64 page table is handed to the kernel as is, nested over a "
	    "stage 2 of guest RAM. Unlike its accelerated SMMUv3 it needs no "
	    "vIOMMU object: the nested HWPT hangs directly off the nest "
	    "parent. A new iommufd is a new VM.");
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die("open %s: %s", path, strerror(errno));
	out("open(\"%s\", O_RDWR) = %d", path, fd);
	memset(insts, 0, sizeof(insts));
	xcall("IOMMU_MOCK_INSTANCE_INFO", IOMMU_MOCK_INSTANCE_INFO, &q,
	      "num_instances=%zu instances_uptr=<array>", ARRAY_SIZE(insts));
	for (i = 0; i < q.num_instances && i < ARRAY_SIZE(insts); i++) {
		if (!(insts[i].flags & IOMMU_HW_INFO_MOCK_INTEL_VTD))
			continue;
		vm->inst = insts[i].instance_id;
		found = 1;
		out("instance %u: flags INTEL_VTD, s1_format=%u (%s) ias=%u oas=%u",
		    insts[i].instance_id, insts[i].s1_format,
		    insts[i].s1_format == IOMMU_MOCK_S1_FORMAT_INTEL_VTD ?
		    "INTEL_VTD" : "?", insts[i].s1_ias, insts[i].s1_oas);
		break;
	}
	if (!found)
		die("no instance has IOMMU_HW_INFO_MOCK_INTEL_VTD (module parameter vtd_instances=0?)");
}

static void vm_device(struct vtd_vm *vm)
{
	struct iommu_mock_device_alloc a = {
		.size = sizeof(a),
		.instance_id = vm->inst,
		.stream_id = SRC_ID,
	};
	struct iommu_hw_info_vtd v;
	struct iommu_hw_info h = {
		.size = sizeof(h),
		.data_len = sizeof(v),
		.data_uptr = (uintptr_t)&v,
	};
	uint64_t cap, ecap;

	step("Create the pass-through device and read its VT-d unit's CAP / ECAP");
	why("IOMMU_GET_HW_INFO returns the host unit's raw capability "
	    "registers. QEMU's vtd_check_hiod_accel() wants the VT-d type and, "
	    "with fs1gp=on (its default), FS1GP; a guest's first stage needs "
	    "the unit to do scalable mode, first-stage translation, nesting and "
	    "PASIDs, with a guest address width of at least 48 bits for a "
	    "4-level table.");
	xcall("IOMMU_MOCK_DEVICE_ALLOC", IOMMU_MOCK_DEVICE_ALLOC, &a,
	      "instance_id=%u stream_id=0x%x", a.instance_id, a.stream_id);
	vm->dev_id = a.out_dev_id;
	out("out_dev_id=%u: requester ID %02x:%02x.%x", vm->dev_id,
	    SRC_ID >> 8, (SRC_ID >> 3) & 0x1f, SRC_ID & 7);
	memset(&v, 0, sizeof(v));
	h.dev_id = vm->dev_id;
	xcall("IOMMU_GET_HW_INFO", IOMMU_GET_HW_INFO, &h,
	      "dev_id=%u data_len=%zu data_uptr=<iommu_hw_info_vtd>",
	      h.dev_id, sizeof(v));
	out("out_data_type=%u (%s) data_len=%u", h.out_data_type,
	    h.out_data_type == IOMMU_HW_INFO_TYPE_INTEL_VTD ? "INTEL_VTD" : "?",
	    h.data_len);
	if (h.out_data_type != IOMMU_HW_INFO_TYPE_INTEL_VTD ||
	    h.data_len != sizeof(v))
		die("out_data_type %u data_len %u, expected IOMMU_HW_INFO_TYPE_INTEL_VTD, %zu",
		    h.out_data_type, h.data_len, sizeof(v));
	cap = v.cap_reg;
	ecap = v.ecap_reg;
	out("flags=0x%x%s cap_reg=0x%016llx ecap_reg=0x%016llx", v.flags,
	    v.flags & IOMMU_HW_INFO_VTD_ERRATA_772415_SPR17 ?
	    " (ERRATA_772415_SPR17)" : "",
	    (unsigned long long)cap, (unsigned long long)ecap);
	out("  CAP:  FS1GP=%d FS5LP=%d MGAW=%llu bits SAGAW=0x%llx PSI=%d ND=%llu",
	    !!(cap & VG_CAP_FS1GP), !!(cap & VG_CAP_FS5LP),
	    (unsigned long long)VG_CAP_MGAW(cap),
	    (unsigned long long)VG_CAP_SAGAW(cap), !!(cap & VG_CAP_PSI),
	    (unsigned long long)VG_CAP_ND(cap));
	out("  ECAP: NEST=%d SMTS=%d FLTS=%d SLTS=%d PASID=%d (PSS %llu bits) SRS=%d EAFS=%d PRS=%d QI=%d",
	    !!(ecap & VG_ECAP_NEST), !!(ecap & VG_ECAP_SMTS),
	    !!(ecap & VG_ECAP_FSTS), !!(ecap & VG_ECAP_SLTS),
	    !!(ecap & VG_ECAP_PASID),
	    (unsigned long long)VG_ECAP_PSS(ecap), !!(ecap & VG_ECAP_SRS),
	    !!(ecap & VG_ECAP_EAFS), !!(ecap & VG_ECAP_PRS),
	    !!(ecap & VG_ECAP_QI));
	if (!(cap & VG_CAP_FS1GP) || !(ecap & VG_ECAP_NEST) ||
	    !(ecap & VG_ECAP_SMTS) || !(ecap & VG_ECAP_FSTS) ||
	    !(ecap & VG_ECAP_PASID) || VG_CAP_MGAW(cap) < ADDR_WIDTH)
		die("the unit lacks FS1GP, NEST, SMTS, FLTS, PASID or a %u-bit MGAW",
		    ADDR_WIDTH);
	out("=> scalable mode with nested first-stage translation, 1 GiB first-stage pages: QEMU accepts this host");
}

static void vm_stage2(struct vtd_vm *vm)
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
	why("IOVA = guest physical address. The guest's first-stage table "
	    "entries and every page its device reaches are guest-physical "
	    "addresses that this stage 2 translates. QEMU allocates it when "
	    "the device's host IOMMU device is attached to the vIOMMU's "
	    "address space.");
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

static void guest_builds(struct vtd_vm *vm)
{
	step("The guest writes a 4-level first-stage table into its RAM");
	why("Nothing here is an ioctl: the guest's VT-d driver builds an x86-64 "
	    "page table (PML4, PDPT, PD, PT; entries present, writable, user) "
	    "mapping IOVA 0x%llx to data page A, and points its PASID table "
	    "entry for the device's requests without PASID at the PML4 "
	    "(first-stage translation, 4-level). The VMM only sees guest RAM "
	    "change.", DMA_IOVA);
	if (!vg_fs_init(&vm->pt, &vm->g, 4))
		die("guest RAM too small");
	vm->g.next = SZ_1M;		/* data pages from GPA + 1 MiB on */
	vm->page_a = vg_page(&vm->g);
	vm->page_b = vg_page(&vm->g);
	vm->g.next = 2 * SZ_1M;		/* further tables */
	memset(vg_ptr(&vm->g, vm->page_a), 'A', SZ_4K);
	memset(vg_ptr(&vm->g, vm->page_b), 'B', SZ_4K);
	vm->pte = vg_map(&vm->pt, DMA_IOVA, vm->page_a, 1, VG_LEAF);
	if (!vm->page_a || !vm->page_b || !vm->pte)
		die("guest RAM too small for the tables");
	out("PML4 at GPA 0x%llx; walk of IOVA 0x%llx (the tables are guest pages, read by IPA through stage 2):",
	    (unsigned long long)vm->pt.root, DMA_IOVA);
	if (show_walk(vm, DMA_IOVA))
		die("an entry has the accessed flag before any DMA");
	show_page(vm, "data page A", vm->page_a);
	show_page(vm, "data page B", vm->page_b);
}

static void vm_install(struct vtd_vm *vm)
{
	struct iommu_hwpt_vtd_s1 s1 = vg_s1(vm->pt.root, ADDR_WIDTH, 0);
	struct iommu_hwpt_alloc ha = {
		.size = sizeof(ha),
		.data_type = IOMMU_HWPT_DATA_VTD_S1,
		.data_len = sizeof(s1),
		.data_uptr = (uintptr_t)&s1,
	};
	struct iommu_mock_device_attach at = { .size = sizeof(at) };
	struct iommu_mock_object_info info = {
		.size = sizeof(info),
	};

	step("The guest invalidates its PASID cache: the VMM allocates the VTD_S1 HWPT");
	why("QEMU does not forward the PASID-cache invalidation: it reads the "
	    "guest's PASID entry itself and, for a first-stage entry, "
	    "allocates a nested HWPT on the nest parent with the table's "
	    "address, its address width (48: 4 levels) and the entry's SRE / "
	    "EAFE / WPE bits (none here), then attaches the device to it. The "
	    "kernel gives the HWPT a domain ID that tags its IOTLB entries; the "
	    "table stays in guest RAM, read when the device needs it.");
	ha.dev_id = vm->dev_id;
	ha.pt_id = vm->s2_hwpt;
	xcall("IOMMU_HWPT_ALLOC", IOMMU_HWPT_ALLOC, &ha,
	      "dev_id=%u pt_id=%u (nest parent) data_type=VTD_S1 data={flags=0 pgtbl_addr=0x%llx addr_width=%u}",
	      ha.dev_id, ha.pt_id, (unsigned long long)s1.pgtbl_addr,
	      s1.addr_width);
	vm->nested = ha.out_hwpt_id;
	out("out_hwpt_id=%u (nested)", vm->nested);
	info.id = vm->nested;
	xcall("IOMMU_MOCK_OBJECT_INFO", IOMMU_MOCK_OBJECT_INFO, &info,
	      "id=%u", info.id);
	out("nested HWPT: parent=%u (nest parent) domain ID (out_asid)=%u out_ttbr=0x%llx (pgtbl_addr)",
	    info.out_parent_id, info.out_asid,
	    (unsigned long long)info.out_ttbr);
	if (info.out_type != IOMMU_MOCK_OBJ_HWPT_NESTED ||
	    info.out_parent_id != vm->s2_hwpt ||
	    info.out_ttbr != vm->pt.root || !info.out_asid)
		die("nested HWPT %u: type %u parent %u table 0x%llx domain %u, expected nested over %u at 0x%llx",
		    vm->nested, info.out_type, info.out_parent_id,
		    (unsigned long long)info.out_ttbr, info.out_asid,
		    vm->s2_hwpt, (unsigned long long)vm->pt.root);
	at.dev_id = vm->dev_id;
	at.pt_id = vm->nested;
	xcall("IOMMU_MOCK_DEVICE_ATTACH", IOMMU_MOCK_DEVICE_ATTACH, &at,
	      "flags=0 dev_id=%u pt_id=%u (nested)", at.dev_id, at.pt_id);
	out("out_hwpt_id=%u: the device's DMA now goes first stage -> stage 2",
	    at.out_hwpt_id);
}

static void vm_dma(struct vtd_vm *vm)
{
	struct iommu_mock_object_info s0, s1, s2;
	struct iommu_mock_dma d;
	uint64_t leaf;
	char back[48];
	int err;

	step("The device DMAs to IOVA 0x%llx through the guest's table", DMA_IOVA);
	why("First access: the IOTLB is empty, so the unit walks PML4, PDPT, "
	    "PD and PT, each entry read by IPA through stage 2, sets the "
	    "accessed flag in each and, for a write, the dirty flag in the "
	    "leaf, writing them back into guest RAM, and caches the result "
	    "under (domain ID, PASID 0, page). The bytes land in the page the "
	    "PT entry names: page A.");
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
	out("=> one IOTLB miss (the walk); the guest's entries now:");
	if (show_walk(vm, DMA_IOVA) != 4)
		die("the walk did not set A in all four entries");
	leaf = vg_r64(&vm->g, vm->pte);
	if (!(leaf & VG_D))
		die("the write did not set D in the PT entry (0x%016llx)",
		    (unsigned long long)leaf);
	out("=> A in all four entries, D in the PT entry: the guest can see what was used and written");

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

static void vm_stale(struct vtd_vm *vm)
{
	struct iommu_hwpt_vtd_s1_invalidate inv;
	struct iommu_hwpt_invalidate h = {
		.size = sizeof(h),
		.data_type = IOMMU_HWPT_INVALIDATE_DATA_VTD_S1,
		.entry_len = sizeof(inv),
		.entry_num = 1,
	};
	struct iommu_mock_object_info s0, s1, s2, s3;
	uint64_t old = vg_r64(&vm->g, vm->pte), new;

	step("The guest points the PTE at page B but skips the PASID-IOTLB invalidation");
	why("The guest rewrites the PT entry in its RAM. The unit's IOTLB "
	    "still holds the old translation, so the device keeps writing "
	    "page A: the bug a missing invalidation causes on real hardware, "
	    "reproduced deterministically.");
	new = vm->page_b | VG_LEAF;
	vg_w64(&vm->g, vm->pte, new);
	out("guest: PT entry at GPA 0x%llx: 0x%016llx -> 0x%016llx (page A -> page B)",
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
		die("page B changed although no invalidation was forwarded");
	if (vg_r64(&vm->g, vm->pte) != new)
		die("the PT entry changed without a walk");
	expect_tlb_delta(&s0, &s1, 1, 0, 0, "DMA without invalidation");
	out("=> STALE: an IOTLB hit sent the write to page A, which the guest no longer maps");

	step("The guest's PASID-based IOTLB invalidation, forwarded by the VMM, fixes it");
	why("The guest queues a PASID-based IOTLB invalidation descriptor "
	    "(page-selective, address 0x%llx, AM 0, IH 1: only a leaf "
	    "changed) and a wait descriptor. QEMU forwards the first as "
	    "IOMMU_HWPT_INVALIDATE on the nested HWPT (addr, npages = 1 << AM, "
	    "LEAF from IH) and completes the wait itself: the kernel has "
	    "finished when the ioctl returns.", DMA_IOVA);
	inv = vg_inv(DMA_IOVA, 1, true);
	h.hwpt_id = vm->nested;
	h.data_uptr = (uintptr_t)&inv;
	xcall("IOMMU_HWPT_INVALIDATE", IOMMU_HWPT_INVALIDATE, &h,
	      "hwpt_id=%u (nested) data_type=VTD_S1 entry_len=%u entry_num=1 [addr=0x%llx npages=%llu flags=LEAF]",
	      h.hwpt_id, h.entry_len, (unsigned long long)inv.addr,
	      (unsigned long long)inv.npages);
	out("entry_num=%u", h.entry_num);
	if (h.entry_num != 1)
		die("entry_num %u, expected 1", h.entry_num);
	s2 = vstats(vm);
	expect_tlb_delta(&s1, &s2, 0, 0, 1, "PASID-IOTLB invalidation");
	out("=> the IOTLB entry of IOVA 0x%llx is gone", DMA_IOVA);
	device_write(vm, "DMA #3, after the invalidation");
	show_page(vm, "data page A", vm->page_a);
	show_page(vm, "data page B", vm->page_b);
	s3 = vstats(vm);
	if (!page_has(vm, vm->page_b, "DMA #3"))
		die("the DMA after the invalidation did not reach page B");
	if (!page_has(vm, vm->page_a, "DMA #2"))
		die("page A changed after the invalidation");
	expect_tlb_delta(&s2, &s3, 0, 1, 0, "DMA after the invalidation");
	show_walk(vm, DMA_IOVA);
	if ((vg_r64(&vm->g, vm->pte) & (VG_A | VG_D)) != (VG_A | VG_D))
		die("the new walk did not set A and D in the new PT entry");
	out("=> a new walk read the new PT entry (and set its A and D): the write went to page B");
}

static void vm_fault(struct vtd_vm *vm)
{
	struct iommu_mock_dma d;
	char buf[16];
	int err;

	step("A DMA to an IOVA the guest never mapped: fault reason 0x71");
	why("IOVA 0x%llx meets a PT entry with P = 0: a first-stage "
	    "not-present fault, reason 0x71 in the VT-d fault record. The DMA "
	    "fails for the device and no data moves; the kernel logs it and "
	    "fires the vtd_fault tracepoint.", HOLE_IOVA);
	show_walk(vm, HOLE_IOVA);
	memset(buf, 0, sizeof(buf));
	err = device_dma(vm, 0, HOLE_IOVA, buf, sizeof(buf), &d);
	out("out_fault_code=0x%x (first-stage not present is 0x%x) out_fault_addr=0x%llx out_fault_flags=0x%x (%s%s%s)",
	    d.out_fault_code, VG_FR_FS_NOT_PRESENT,
	    (unsigned long long)d.out_fault_addr, d.out_fault_flags,
	    d.out_fault_flags & IOMMU_MOCK_DMA_FAULT ? "FAULT" : "-",
	    d.out_fault_flags & IOMMU_MOCK_DMA_FAULT_S2 ? "|S2" : "",
	    d.out_fault_flags & IOMMU_MOCK_DMA_FAULT_WALK ? "|WALK" : "");
	expect_err(err, ENOENT, "IOMMU_MOCK_DMA", "a first-stage not-present fault");
	if (d.out_fault_code != VG_FR_FS_NOT_PRESENT ||
	    d.out_fault_addr != HOLE_IOVA ||
	    d.out_fault_flags != IOMMU_MOCK_DMA_FAULT)
		die("fault reason 0x%x addr 0x%llx flags 0x%x, expected 0x%x at 0x%llx, first stage",
		    d.out_fault_code, (unsigned long long)d.out_fault_addr,
		    d.out_fault_flags, VG_FR_FS_NOT_PRESENT, HOLE_IOVA);
	out("=> the fault names the IOVA and the reason the guest's fault record would carry");
}

static void vm_close(struct vtd_vm *vm)
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

	step("Tear down the third VM");
	why("In reference order: the device leaves the nested HWPT, which "
	    "goes before the nest parent it holds, then guest RAM and the "
	    "IOAS, then the device.");
	xcall("IOMMU_MOCK_DEVICE_DETACH", IOMMU_MOCK_DEVICE_DETACH, &dd,
	      "dev_id=%u", dd.dev_id);
	destroy_obj(vm->nested, "nested HWPT");
	destroy_obj(vm->s2_hwpt, "stage 2");
	xcall("IOMMU_IOAS_UNMAP", IOMMU_IOAS_UNMAP, &u,
	      "ioas_id=%u iova=0x%llx length=0x%llx", u.ioas_id, GRAM_GPA,
	      GRAM_SIZE);
	if (u.length != GRAM_SIZE)
		die("unmapped 0x%llx bytes, expected 0x%llx",
		    (unsigned long long)u.length, GRAM_SIZE);
	destroy_obj(vm->ioas_id, "IOAS");
	destroy_obj(vm->dev_id, "device");
	if (close(fd))
		die("close: %s", strerror(errno));
	fd = -1;
	out("close(fd) = 0");
	munmap(vm->g.host, GRAM_SIZE);
}

/**
 * vtd_part() - the VT-d walkthrough, after part 2 closed its iommufd
 * @path: the iommufd device node
 *
 * Ends the program through die() when a step does not behave as stated.
 */
void vtd_part(const char *path)
{
	struct vtd_vm vm;

	memset(&vm, 0, sizeof(vm));
	vm_open(&vm, path);
	vm_device(&vm);
	vm_stage2(&vm);
	guest_builds(&vm);
	vm_install(&vm);
	vm_dma(&vm);
	vm_stale(&vm);
	vm_fault(&vm);
	vm_close(&vm);
}
