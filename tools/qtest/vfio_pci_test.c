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
 * /dev/iommu). Options: -v prints every protocol line.
 * Output: TAP and a "# Totals:" line. Exit code 0 only if every check passed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/iommufd_mock_pci.h>

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

static int sysfs_write(const char *attr)
{
	char path[128], text[32];
	int fd, rc;

	snprintf(path, sizeof(path), "/sys/bus/mockiommu/%s", attr);
	snprintf(text, sizeof(text), "%d 0x%x", INST, SID);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = write(fd, text, strlen(text)) < 0 ? -errno : 0;
	close(fd);
	return rc;
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

static long module_refcnt(void)
{
	FILE *f = fopen("/sys/module/iommufd_mock/refcnt", "r");
	long n = -1;

	if (f) {
		if (fscanf(f, "%ld", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

static struct qtc *start_qemu(bool verbose, char **err)
{
	static const char *const args[] = {
		"-m", "128M",
		"-object", "iommufd,id=iommufd0",
		"-device", "pcie-root-port,id=rp1,chassis=1,bus=pcie.0,addr=0x10",
		"-device", "vfio-pci,sysfsdev=" SYSFSDEV ",iommufd=iommufd0,bus=rp1,id=dev0",
		NULL,
	};
	struct qtc_opts opts = {
		.args = args,
		.stderr_path = getenv("QTC_LOG"),
		.verbose = verbose,
	};

	return qtc_start(&opts, err);
}

/* One copy through the engine; returns STATUS */
static uint32_t engine_copy(struct qtc *q, uint64_t src, uint64_t dst,
			    uint32_t len, uint32_t ctrl)
{
	qtc_writeq(q, BAR0 + IOMMU_MOCK_PCI_REG_SRC, src);
	qtc_writeq(q, BAR0 + IOMMU_MOCK_PCI_REG_DST, dst);
	qtc_writel(q, BAR0 + IOMMU_MOCK_PCI_REG_LENGTH, len);
	qtc_writel(q, BAR0 + IOMMU_MOCK_PCI_REG_CTRL, ctrl);
	qtc_writel(q, BAR0 + IOMMU_MOCK_PCI_REG_DOORBELL,
		   IOMMU_MOCK_PCI_DOORBELL_GO);
	return qtc_readl(q, BAR0 + IOMMU_MOCK_PCI_REG_STATUS);
}

/* Config space and BAR0 of the function, seen through QEMU */
static bool find_function(struct qtc *q)
{
	uint32_t flags = 0;
	uint64_t size;
	uint16_t vendor, device;

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
	char *err = NULL;
	struct qtc *q;
	int st, rc;

	printf("TAP version 13\n");
	rc = sysfs_write("vfio_add");
	if (!check(rc == 0, "vfio_add", "%s", rc ? strerror(-rc) : ""))
		return tap_finish();

	/* 1: realize, DMA, interrupt, hot-unplug, exit */
	q = start_qemu(verbose, &err);
	if (!check(q != NULL, "qemu_realizes_vfio_pci", "%s", err ? err : "")) {
		free(err);
		sysfs_write("vfio_remove");
		return tap_finish();
	}
	if (find_function(q)) {
		dma_checks(q);
		msix_checks(q);
	}
	unplug_checks(q);
	st = qtc_quit(q);
	check(st == 0, "qemu_quit_status_0", "status %d", st);

	/* 2: QEMU exits with the device attached and mapped */
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
	rc = sysfs_write("vfio_remove");
	check(rc == 0, "device_removable_after_qemu_exit", "%s",
	      rc ? strerror(-rc) : "");
	check(module_refcnt() == 0, "no_module_reference_left", "refcnt %ld",
	      module_refcnt());
	return tap_finish();
}
