// SPDX-License-Identifier: GPL-2.0
/*
 * vfio_pci_test: Debian's unmodified QEMU drives a mock device of
 * iommufd_mock.ko through its VFIO device file and the module's /dev/iommu
 * (issue 6). The test is the guest, through qtest:
 *
 *  - a mock device is made with /sys/bus/mockiommu/vfio_add (instance 1,
 *    x86-like: its reserved regions leave guest RAM at IOVA 0 mappable);
 *  - QEMU starts with -object iommufd and -device vfio-pci,sysfsdev=...
 *    behind a PCIe root port: realize binds the file, attaches it to an
 *    IOAS and maps guest RAM with IOAS_MAP (IOVA = guest physical address);
 *  - the test opens the root port's window, finds the function (mock IDs),
 *    maps BAR0, and programs the copy engine: data copied between two guest
 *    buffers lands in guest RAM, an IOVA outside guest RAM gives the
 *    unmapped fault code and IOVA, and a completion interrupt arrives as an
 *    MSI-X write into guest RAM (module eventfd -> QEMU -> guest memory);
 *  - hot-unplug (QMP device_del, completed by system_reset as no guest OS
 *    runs) leaves QEMU without pinned pages (VmPin 0) and the device file
 *    closed (vfio_remove works); a second QEMU that exits with the device
 *    attached leaves nothing either: the device can be removed and the
 *    module has no reference left.
 *
 * QEMU: $QTC_QEMU (e.g. "chroot /sid qemu-system-x86_64"), output to
 * $QTC_LOG. The module must be loaded with dev_iommu=1 (QEMU opens
 * /dev/iommu). Options: -v prints every protocol line; -d (make demo-qemu)
 * narrates each step for a reader and shows the iommufd calls QEMU made,
 * from its own trace events (-trace iommufd_*, printed to $QTC_LOG).
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

#include <linux/iommufd_mock_pci.h>

#include "mock_pci.h"
#include "qtest_client.h"
#include "qtest_tap.h"

#define INST		1
#define SID		0x10
#define SYSFSDEV	"/sys/bus/mockiommu/devices/mockiommu1.0010"

/* Guest-physical layout: 128 MiB of RAM from 0, BAR window below the IOAPIC */
#define RAM_SRC		0x100000ull
#define RAM_DST		0x200000ull
#define RAM_MSI		0x300000ull
#define OUTSIDE_RAM	0x40000000ull
#define WINDOW		0xfe000000u
#define BAR0		WINDOW
#define ROOT_PORT	QTC_BDF(0, 0x10, 0)
#define FUNC		QTC_BDF(1, 0, 0)
#define MSI_DATA	0xabcdu

static bool demo, demo_quiet;

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

/* -d: QEMU's iommufd trace lines written to $QTC_LOG since offset *@pos */
static void show_trace(long *pos, const char *what)
{
	const char *path = getenv("QTC_LOG");
	char line[512], *t;
	int n = 0;
	FILE *f;

	if (!demo || !path)
		return;
	f = fopen(path, "r");
	if (!f)
		return;
	if (fseek(f, *pos, SEEK_SET) == 0) {
		say("   QEMU's calls into the module %s (its trace events):", what);
		while (fgets(line, sizeof(line), f)) {
			t = strstr(line, "iommufd_");
			if (!t)
				continue;
			if (++n <= 40)
				printf("     %s", t);
		}
		if (n > 40)
			say("     ... and %d more", n - 40);
	}
	*pos = ftell(f);
	fclose(f);
	fflush(stdout);
}

static long log_end(void)
{
	const char *path = getenv("QTC_LOG");
	FILE *f = path ? fopen(path, "r") : NULL;
	long end = 0;

	if (f) {
		if (!fseek(f, 0, SEEK_END))
			end = ftell(f);
		fclose(f);
	}
	return end;
}

static int sysfs_write(const char *attr)
{
	return mock_pci_sysfs(attr, INST, SID);
}

/* VmPin of @pid in kB, or -1 */
static long vm_pin_kb(pid_t pid)
{
	char path[64], line[128];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmPin: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/*
 * QEMU with the mock device behind a root port. @iommufd and @device are
 * the -object and -device values: by path (sysfsdev=) or by inherited fd.
 */
static struct qtc *start_qemu_with(bool verbose, char **err,
				   const char *iommufd, const char *device)
{
	const char *args[] = {
		"-m", "128M",
		"-object", iommufd,
		"-device", "pcie-root-port,id=rp1,chassis=1,bus=pcie.0,addr=0x10",
		"-device", device,
		"-trace", "iommufd_*",
		NULL,
	};
	struct qtc_opts opts = {
		.args = args,
		.stderr_path = getenv("QTC_LOG"),
		.verbose = verbose,
	};

	return qtc_start(&opts, err);
}

static struct qtc *start_qemu(bool verbose, char **err)
{
	return start_qemu_with(verbose, err, "iommufd,id=iommufd0",
			       "vfio-pci,sysfsdev=" SYSFSDEV
			       ",iommufd=iommufd0,bus=rp1,id=dev0");
}

/* The vfio-mockN name under SYSFSDEV/vfio-dev, as QEMU finds it */
static int vfio_name(char *name, size_t size)
{
	return mock_pci_vfio_name(INST, SID, name, size);
}

/* One copy through the engine; returns STATUS */
static uint32_t engine_copy(struct qtc *q, uint64_t src, uint64_t dst,
			    uint32_t len, uint32_t ctrl)
{
	return mock_pci_copy(q, BAR0, src, dst, len, ctrl);
}

/* Config space and BAR0 of the function, seen through QEMU */
static bool find_function(struct qtc *q)
{
	uint32_t flags = 0;
	uint64_t size;
	uint16_t vendor, device;

	say("\n3. The guest's view. No firmware runs under qtest, so the test opens the\n"
	    "   root port's bus and memory window itself, then reads the function's\n"
	    "   config space (QEMU passes it through from the device file's region 7)\n"
	    "   and maps BAR0 (region 0) at 0x%x with memory decoding and bus mastering.",
	    WINDOW);
	qtc_pci_bridge_open(q, ROOT_PORT, 1, WINDOW, 0x100000);
	vendor = qtc_pci_readw(q, FUNC, 0x00);
	device = qtc_pci_readw(q, FUNC, 0x02);
	if (!check_q(q, vendor == IOMMU_MOCK_PCI_VENDOR_ID &&
		     device == IOMMU_MOCK_PCI_DEVICE_ID, "function_ids",
		     "%04x:%04x behind the root port", vendor, device))
		return false;
	check_q(q, qtc_pci_readb(q, FUNC, 0x0b) == 0xff, "function_class", NULL);
	size = qtc_pci_bar_probe(q, FUNC, 0, &flags);
	check_q(q, size == IOMMU_MOCK_PCI_BAR0_SIZE, "bar0_size", "%llu bytes",
		(unsigned long long)size);
	qtc_pci_bar_map(q, FUNC, 0, BAR0, true);
	return check_q(q, qtc_readl(q, BAR0 + IOMMU_MOCK_PCI_REG_ID) ==
		       IOMMU_MOCK_PCI_ID_VALUE, "bar0_id_register", NULL);
}

static void dma_checks(struct qtc *q)
{
	static uint8_t pattern[8192], back[8192];
	uint32_t st;
	uint64_t fault;
	size_t i;

	say("\n4. DMA. The test writes 8 KiB at guest address 0x%llx and programs the\n"
	    "   copy engine: SRC 0x%llx, DST 0x%llx, LENGTH 8192, DOORBELL. The\n"
	    "   device's requests go through the HWPT QEMU attached it to, so IOVA =\n"
	    "   guest physical address, and the module copies between QEMU's pinned\n"
	    "   pages before the doorbell write returns.",
	    (unsigned long long)RAM_SRC, (unsigned long long)RAM_SRC,
	    (unsigned long long)RAM_DST);
	for (i = 0; i < sizeof(pattern); i++)
		pattern[i] = (uint8_t)(i * 13 + 5);
	qtc_memwrite(q, RAM_SRC, pattern, sizeof(pattern));
	qtc_memset(q, RAM_DST, 0, sizeof(pattern));
	st = engine_copy(q, RAM_SRC, RAM_DST, sizeof(pattern), 0);
	check_q(q, st == IOMMU_MOCK_PCI_STATUS_DONE, "dma_copy_status",
		"status 0x%x", st);
	qtc_memread(q, RAM_DST, back, sizeof(back));
	check_q(q, !memcmp(pattern, back, sizeof(back)), "dma_copy_lands_in_guest_ram",
		"8 KiB through the IOAS QEMU mapped");

	say("   Then a copy from IOVA 0x%llx, above the 128 MiB QEMU mapped: the\n"
	    "   device reports the unmapped-IOVA fault code and the faulting IOVA.",
	    (unsigned long long)OUTSIDE_RAM);
	st = engine_copy(q, OUTSIDE_RAM, RAM_DST, 64, 0);
	fault = qtc_readq(q, BAR0 + IOMMU_MOCK_PCI_REG_FAULT_IOVA);
	check_q(q, st == (IOMMU_MOCK_PCI_STATUS_DONE |
			  IOMMU_MOCK_PCI_FAULT_UNMAPPED << 8) &&
		fault == OUTSIDE_RAM, "dma_outside_guest_ram_faults",
		"status 0x%x, fault IOVA 0x%llx", st, (unsigned long long)fault);
}

/* MSI-X vector 0 aimed at guest RAM: the module's eventfd reaches it */
static void msix_checks(struct qtc *q)
{
	uint8_t cap = qtc_pci_find_cap(q, FUNC, 0x11);
	uint32_t got = 0;
	uint16_t ctrl;
	int i;

	say("\n5. Interrupt. The guest programs MSI-X vector 0 to write 0x%x to guest\n"
	    "   address 0x%llx and enables MSI-X; QEMU turns that into\n"
	    "   VFIO_DEVICE_SET_IRQS with an eventfd. A copy with CTRL_IRQ makes the\n"
	    "   module signal the eventfd and QEMU deliver the MSI-X write.",
	    MSI_DATA, (unsigned long long)RAM_MSI);
	if (!check_q(q, cap != 0, "msix_capability", "at 0x%x", cap))
		return;
	qtc_writel(q, RAM_MSI, 0);
	qtc_writel(q, BAR0 + IOMMU_MOCK_PCI_MSIX_TABLE + 0, (uint32_t)RAM_MSI);
	qtc_writel(q, BAR0 + IOMMU_MOCK_PCI_MSIX_TABLE + 4, 0);
	qtc_writel(q, BAR0 + IOMMU_MOCK_PCI_MSIX_TABLE + 8, MSI_DATA);
	qtc_writel(q, BAR0 + IOMMU_MOCK_PCI_MSIX_TABLE + 12, 0);
	ctrl = qtc_pci_readw(q, FUNC, cap + 2);
	qtc_pci_writew(q, FUNC, cap + 2, ctrl | 0x8000);
	engine_copy(q, RAM_SRC, RAM_DST, 64, IOMMU_MOCK_PCI_CTRL_IRQ);
	/* QEMU's main loop reads the eventfd between qtest requests */
	for (i = 0; i < 200 && got != MSI_DATA; i++) {
		got = qtc_readl(q, RAM_MSI);
		if (got != MSI_DATA)
			usleep(10000);
	}
	check_q(q, got == MSI_DATA, "msix_interrupt_reaches_guest",
		"0x%x at 0x%llx after %d polls", got, (unsigned long long)RAM_MSI, i);
}

static void unplug_checks(struct qtc *q)
{
	long pin_before = vm_pin_kb(qtc_pid(q)), pin_after;
	char *ev;

	say("\n6. Hot-unplug. QMP device_del, then system_reset (no guest OS runs to\n"
	    "   eject the device, so the reset carries out the pending removal). QEMU\n"
	    "   detaches the device, destroys its HWPT, unmaps guest RAM, destroys the\n"
	    "   IOAS and closes the device file.");
	check(pin_before > 64 * 1024, "guest_ram_pinned_while_attached",
	      "VmPin %ld kB", pin_before);
	check_q(q, !qtc_qmp_ok(q, "{'execute':'device_del','arguments':{'id':'dev0'}}"),
		"qmp_device_del", NULL);
	/* No guest to eject it: a reset carries out the pending removal */
	check_q(q, !qtc_qmp_ok(q, "{'execute':'system_reset'}"), "qmp_system_reset", NULL);
	ev = qtc_qmp_wait_event(q, "DEVICE_DELETED", "\"dev0\"");
	check_q(q, ev != NULL, "device_deleted_event", NULL);
	free(ev);
	pin_after = vm_pin_kb(qtc_pid(q));
	check(pin_after == 0, "nothing_pinned_after_unplug", "VmPin %ld kB", pin_after);
	check(sysfs_write("vfio_remove") == 0, "device_file_closed_after_unplug",
	      "vfio_remove while QEMU still runs");
}

int main(int argc, char **argv)
{
	bool verbose = argc > 1 && !strcmp(argv[1], "-v");
	char *err = NULL, name[64] = "?";
	struct qtc *q;
	long pos;
	int st, rc;

	demo = argc > 1 && !strcmp(argv[1], "-d");
	printf("TAP version 13\n");
	say("\n1. A mock device with a VFIO device file, made through sysfs:\n"
	    "     echo '%d 0x%x' > /sys/bus/mockiommu/vfio_add", INST, SID);
	rc = sysfs_write("vfio_add");
	if (!check(rc == 0, "vfio_add", "%s", rc ? strerror(-rc) : ""))
		return tap_finish();
	check(vfio_name(name, sizeof(name)) == 0, "vfio_dev_entry", "%s", name);
	say("   It appears as %s, with %s/vfio-dev/%s\n"
	    "   and /dev/vfio/devices/%s: what QEMU's vfio-pci looks for with sysfsdev=.",
	    SYSFSDEV, SYSFSDEV, name, name);

	/* 1: realize, DMA, interrupt, hot-unplug, exit */
	say("\n2. QEMU (Debian's qemu-system-x86 11, unmodified), with the module loaded as\n"
	    "   /dev/iommu (dev_iommu=1):\n"
	    "     qemu-system-x86_64 -M q35 -accel qtest -m 128M -object iommufd,id=iommufd0 \\\n"
	    "       -device pcie-root-port,id=rp1,chassis=1,bus=pcie.0,addr=0x10 \\\n"
	    "       -device vfio-pci,sysfsdev=%s,iommufd=iommufd0,bus=rp1,id=dev0\n"
	    "   Realizing vfio-pci, QEMU binds the device file to its iommufd\n"
	    "   (VFIO_DEVICE_BIND_IOMMUFD), allocates an IOAS and a HWPT, attaches the\n"
	    "   device (VFIO_DEVICE_ATTACH_IOMMUFD_PT) and maps guest RAM (IOAS_MAP).",
	    SYSFSDEV);
	pos = log_end();
	q = start_qemu(verbose, &err);
	if (!check(q != NULL, "qemu_realizes_vfio_pci", "%s", err ? err : "")) {
		free(err);
		sysfs_write("vfio_remove");
		return tap_finish();
	}
	show_trace(&pos, "while realizing the device");
	if (find_function(q)) {
		dma_checks(q);
		msix_checks(q);
	}
	unplug_checks(q);
	show_trace(&pos, "for the unplug");
	st = qtc_quit(q);
	check(st == 0, "qemu_quit_status_0", "status %d", st);

	/* 2: QEMU exits with the device attached and mapped */
	say("\n7. A second QEMU that exits with the device still attached and guest RAM\n"
	    "   mapped: closing its files must leave nothing behind in the module.\n"
	    "   (It runs steps 3 and 4 again, without the explanations.)");
	demo_quiet = true;
	rc = sysfs_write("vfio_add");
	check(rc == 0, "vfio_add_again", "%s", rc ? strerror(-rc) : "");
	q = start_qemu(verbose, &err);
	if (check(q != NULL, "qemu_realizes_again", "%s", err ? err : "")) {
		if (find_function(q))
			dma_checks(q);
		st = qtc_quit(q);
		check(st == 0, "qemu_quit_attached_status_0", "status %d", st);
	}
	free(err);
	err = NULL;
	rc = sysfs_write("vfio_remove");
	check(rc == 0, "device_removable_after_qemu_exit", "%s",
	      rc ? strerror(-rc) : "");

	/* 3: fd passing: the files are opened here and QEMU inherits them */
	say("\n8. fd passing, as a management layer (libvirt) does it: the test opens\n"
	    "   /dev/iommu and the device file itself and QEMU inherits them:\n"
	    "     -object iommufd,id=iommufd0,fd=N -device vfio-pci,fd=M,iommufd=iommufd0\n"
	    "   QEMU binds the file it was given. Steps 3 and 4 run again quietly.");
	demo_quiet = true;
	rc = sysfs_write("vfio_add");
	check(rc == 0, "vfio_add_for_fd_passing", "%s", rc ? strerror(-rc) : "");
	if (!vfio_name(name, sizeof(name))) {
		char path[128], obj[64], dev[128];
		int ifd = open("/dev/iommu", O_RDWR), dfd;

		snprintf(path, sizeof(path), "/dev/vfio/devices/%s", name);
		dfd = open(path, O_RDWR);
		snprintf(obj, sizeof(obj), "iommufd,id=iommufd0,fd=%d", ifd);
		snprintf(dev, sizeof(dev),
			 "vfio-pci,fd=%d,iommufd=iommufd0,bus=rp1,id=dev0", dfd);
		q = ifd >= 0 && dfd >= 0 ? start_qemu_with(verbose, &err, obj, dev) : NULL;
		if (check(q != NULL, "qemu_realizes_with_passed_fds", "%s",
			  err ? err : "")) {
			if (find_function(q))
				dma_checks(q);
			st = qtc_quit(q);
			check(st == 0, "qemu_quit_passed_fds_status_0", "status %d", st);
		}
		free(err);
		/* our copies keep the bound file open until closed here */
		rc = sysfs_write("vfio_remove");
		check(rc == -EBUSY, "device_busy_while_passed_fd_open", "%s",
		      rc ? strerror(-rc) : "removed");
		if (dfd >= 0)
			close(dfd);
		if (ifd >= 0)
			close(ifd);
	}
	rc = sysfs_write("vfio_remove");
	check(rc == 0, "device_removable_after_fds_closed", "%s",
	      rc ? strerror(-rc) : "");
	check(mock_pci_module_refcnt() == 0, "no_module_reference_left", "refcnt %ld",
	      mock_pci_module_refcnt());
	demo_quiet = false;
	say("\nEvery step above is a check; the summary line counts them.");
	return tap_finish();
}
