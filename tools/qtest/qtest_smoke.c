// SPDX-License-Identifier: GPL-2.0
/*
 * qtest_smoke: checks that Debian's QEMU starts under qtest and that every
 * part of qtest_client works against it, before any VFIO device is involved.
 *
 * QEMU: $QTC_QEMU (e.g. "chroot /sid qemu-system-x86_64"), else
 * qemu-system-x86_64 from $PATH. QEMU's output goes to $QTC_LOG if set.
 * Options: -v prints every protocol line.
 * Output: TAP, one line per check, and a kselftest-style "# Totals:" line.
 * Exit code 0 only if every check passed.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qtest_client.h"
#include "qtest_tap.h"

/* Guest-physical addresses used below: RAM (q35 default 128 MiB) and a free
 * spot below the IOAPIC for a BAR. */
#define RAM_BUF		0x100000ull
#define RAM_BUF2	0x200000ull
#define BAR_ADDR	0xfe000000ull

#define Q35_HOST	QTC_BDF(0, 0, 0)
#define ICH9_SATA	QTC_BDF(0, 0x1f, 2)

static void memory_checks(struct qtc *q)
{
	static uint8_t out[8192], in[8192];
	char *r = NULL;
	size_t i;
	bool ok;

	/* The brief's first probe: readl 0x0 answers OK. */
	ok = qtc_cmd(q, &r, "readl 0x0") == 0 && r && !strncmp(r, "0x", 2);
	check_q(q, ok, "readl_0x0_ok", "reply OK %s", r ? r : "(none)");
	free(r);

	for (i = 0; i < sizeof(out); i++)
		out[i] = (uint8_t)(i * 7 + 3);
	qtc_memwrite(q, RAM_BUF, out, sizeof(out));
	qtc_memread(q, RAM_BUF, in, sizeof(in));
	check_q(q, !memcmp(in, out, sizeof(in)), "ram_b64_roundtrip", "8 KiB at 0x%llx",
		RAM_BUF);

	memset(in, 0, sizeof(in));
	qtc_memread_hex(q, RAM_BUF, in, 256);
	check_q(q, !memcmp(in, out, 256), "ram_hex_read", "256 bytes");
	qtc_memwrite_hex(q, RAM_BUF2, out + 1, 33);
	qtc_memread(q, RAM_BUF2, in, 33);
	check_q(q, !memcmp(in, out + 1, 33), "ram_hex_write", "33 bytes");

	qtc_writeq(q, RAM_BUF2, 0x0123456789abcdefull);
	check_q(q, qtc_readq(q, RAM_BUF2) == 0x0123456789abcdefull &&
		qtc_readl(q, RAM_BUF2) == 0x89abcdef && qtc_readw(q, RAM_BUF2 + 4) == 0x4567 &&
		qtc_readb(q, RAM_BUF2 + 7) == 0x01, "ram_widths_little_endian", NULL);
	qtc_writel(q, RAM_BUF2, 0xdeadbeef);
	qtc_writew(q, RAM_BUF2 + 4, 0xcafe);
	qtc_writeb(q, RAM_BUF2 + 6, 0x5a);
	check_q(q, qtc_readq(q, RAM_BUF2) == 0x015acafedeadbeefull, "ram_partial_writes",
		"0x%016llx", (unsigned long long)qtc_readq(q, RAM_BUF2));

	qtc_memset(q, RAM_BUF, 0xa5, 4096);
	qtc_memread(q, RAM_BUF, in, 4097);
	check_q(q, in[0] == 0xa5 && in[4095] == 0xa5 && in[4096] == out[4096], "ram_memset",
		NULL);
}

static void pci_checks(struct qtc *q)
{
	uint32_t flags = 0, cap_reg, vs;
	uint16_t vendor, device;
	uint64_t size;
	uint8_t msi;

	/* Port I/O: the config address register latches what is written. */
	qtc_outl(q, 0xcf8, 0x80001234 & ~3u);
	check_q(q, qtc_inl(q, 0xcf8) == 0x80001234, "port_cf8_latch", NULL);

	vendor = qtc_pci_readw(q, Q35_HOST, 0x00);
	device = qtc_pci_readw(q, Q35_HOST, 0x02);
	check_q(q, vendor == 0x8086, "host_bridge_vendor", "00:00.0 %04x:%04x", vendor, device);
	check_q(q, qtc_pci_readl(q, Q35_HOST, 0x00) == ((uint32_t)device << 16 | vendor),
		"config_dword_matches_words", NULL);
	check_q(q, qtc_pci_readw(q, QTC_BDF(0, 0x1e, 7), 0x00) == 0xffff, "absent_function_ffff",
		NULL);

	/* ICH9 AHCI at 00:1f.2: capability walk, BAR sizing and mapping. */
	vendor = qtc_pci_readw(q, ICH9_SATA, 0x00);
	if (!check_q(q, vendor == 0x8086, "ich9_sata_present", "00:1f.2 vendor %04x", vendor))
		return;
	msi = qtc_pci_find_cap(q, ICH9_SATA, 0x05);
	check_q(q, msi >= 0x40 && qtc_pci_readb(q, ICH9_SATA, msi) == 0x05, "find_msi_cap",
		"at 0x%02x", msi);
	check_q(q, qtc_pci_find_cap(q, ICH9_SATA, 0x7f) == 0, "missing_cap_is_0", NULL);
	size = qtc_pci_bar_probe(q, ICH9_SATA, 5, &flags);
	check_q(q, size >= 0x1000 && (size & (size - 1)) == 0 && !(flags & 1), "bar5_probe",
		"size 0x%llx type bits 0x%x", (unsigned long long)size, flags);
	check_q(q, qtc_pci_readl(q, ICH9_SATA, 0x24) == 0, "bar5_restored_after_probe", NULL);
	qtc_pci_bar_map(q, ICH9_SATA, 5, BAR_ADDR, true);
	cap_reg = qtc_readl(q, BAR_ADDR + 0x00);
	vs = qtc_readl(q, BAR_ADDR + 0x10);
	check_q(q, (qtc_pci_readw(q, ICH9_SATA, 0x04) & 0x6) == 0x6 &&
		qtc_pci_readl(q, ICH9_SATA, 0x24) == BAR_ADDR, "bar5_map", "command 0x%x",
		qtc_pci_readw(q, ICH9_SATA, 0x04));
	check_q(q, cap_reg && cap_reg != 0xffffffff && vs >= 0x10000 && vs != 0xffffffff,
		"ahci_mmio_read", "CAP 0x%08x VS 0x%08x", cap_reg, vs);
}

/*
 * A device behind a PCIe root port, as the hot-unpluggable VFIO devices
 * will sit: find the port, reach extended configuration space through
 * ECAM, open the port's bus and memory window, then find the device's MSI-X
 * table through its capability and BAR, and read it over MMIO.
 */
#define ECAM_BASE	0xb0000000ull
#define BRIDGE_WINDOW	0xfd000000u	/* 16 MiB, below BAR_ADDR */

static void bridge_checks(struct qtc *q)
{
	uint16_t rp = 0, dev = QTC_BDF(1, 0, 0), aer;
	uint32_t table, flags = 0;
	uint64_t size;
	uint8_t msix;
	int d;

	for (d = 1; d < 32 && !rp; d++)
		if (qtc_pci_readw(q, QTC_BDF(0, d, 0), 0x00) != 0xffff &&
		    qtc_pci_readl(q, QTC_BDF(0, d, 0), 0x08) >> 16 == 0x0604)
			rp = QTC_BDF(0, d, 0);
	if (!check_q(q, rp != 0, "root_port_found", "00:%02x.0", rp >> 3))
		return;
	check_q(q, qtc_pcie_ecam_enable(q, ECAM_BASE) == 0 &&
		qtc_pcie_readl(q, rp, 0x00) == qtc_pci_readl(q, rp, 0x00), "ecam_enable",
		"at 0x%llx", ECAM_BASE);
	aer = qtc_pcie_find_ext_cap(q, rp, 0x0001);
	check_q(q, aer >= 0x100, "find_ext_cap_aer", "at 0x%x", aer);

	check_q(q, qtc_pci_readw(q, dev, 0x00) == 0xffff, "bus1_closed_before_open", NULL);
	qtc_pci_bridge_open(q, rp, 1, BRIDGE_WINDOW, 16 << 20);
	check_q(q, qtc_pci_readw(q, dev, 0x00) == 0x1af4, "device_behind_port", "01:00.0 %04x:%04x",
		qtc_pci_readw(q, dev, 0x00), qtc_pci_readw(q, dev, 0x02));
	msix = qtc_pci_find_cap(q, dev, 0x11);
	if (!check_q(q, msix >= 0x40, "find_msix_cap", "at 0x%02x", msix))
		return;
	table = qtc_pci_readl(q, dev, msix + 4);
	size = qtc_pci_bar_probe(q, dev, table & 7, &flags);
	if (!check_q(q, size && size <= (16 << 20) && (table & ~7u) < size, "msix_bar_probe",
		     "BAR%u size 0x%llx table at +0x%x", table & 7, (unsigned long long)size,
		     table & ~7u))
		return;
	qtc_pci_bar_map(q, dev, table & 7, BRIDGE_WINDOW, true);
	/* Entry 0's vector control: masked after reset (PCI spec 3.0, 6.8.2.9). */
	check_q(q, qtc_readl(q, BRIDGE_WINDOW + (table & ~7u) + 12) == 1,
		"msix_table_through_bridge", "vector control 0x%x",
		qtc_readl(q, BRIDGE_WINDOW + (table & ~7u) + 12));
}

static void clock_checks(struct qtc *q)
{
	int64_t t0, t1;

	t0 = qtc_clock_step(q, 1000);
	t1 = qtc_clock_step(q, 2500);
	check_q(q, t0 > 0 && t1 == t0 + 2500, "clock_step", "%lld -> %lld", (long long)t0,
		(long long)t1);
	t1 = qtc_clock_set(q, t1 + 1000000);
	check_q(q, t1 == t0 + 2500 + 1000000, "clock_set", "%lld", (long long)t1);
}

static void qmp_checks(struct qtc *q)
{
	char buf[64], *r, *ev;
	int fd;

	r = qtc_qmp(q, "{'execute':'query-status'}");
	check_q(q, r && !qtc_json_get(r, "return.status", buf, sizeof(buf)), "qmp_query_status",
		"status %s", r ? buf : "?");
	free(r);

	check_q(q, qtc_qmp_ok(q, "{'execute':'stop'}") == 0, "qmp_stop", NULL);
	ev = qtc_qmp_wait_event(q, "STOP", NULL);
	check_q(q, ev != NULL, "qmp_event_stop", NULL);
	free(ev);
	check_q(q, qtc_qmp_ok(q, "{'execute':'cont'}") == 0 &&
		(ev = qtc_qmp_wait_event(q, "RESUME", NULL)) != NULL, "qmp_event_resume", NULL);
	free(ev);

	/* An error reply is reported, and the connection stays usable. */
	check(qtc_qmp_ok(q, "{'execute':'no-such-command'}") == -1 &&
	      strstr(qtc_error(q), "no-such-command"), "qmp_error_reported", "%s", qtc_error(q));
	qtc_clear_error(q);
	check(qtc_cmd(q, NULL, "no_such_qtest_command") == -1 && strstr(qtc_error(q), "FAIL"),
	      "qtest_fail_reported", "%s", qtc_error(q));
	qtc_clear_error(q);

	/* A descriptor passed with a command (how fd= devices will be given). */
	fd = open("/dev/null", O_RDWR);
	r = qtc_qmp_fd(q, fd, "{'execute':'getfd','arguments':{'fdname':'qtc-null'}}");
	check_q(q, r && strstr(r, "\"return\""), "qmp_getfd_scm_rights", "%s", r ? r : "");
	free(r);
	close(fd);
	check_q(q, qtc_qmp_ok(q, "{'execute':'closefd','arguments':{'fdname':'qtc-null'}}") == 0,
		"qmp_closefd", NULL);

	/*
	 * Hot-unplug as the VFIO tests will do it: a device behind a root port,
	 * device_del, then system_reset runs the pending ACPI unplug (no guest
	 * runs to eject it), and DEVICE_DELETED names it.
	 */
	check_q(q, qtc_qmp_ok(q, "{'execute':'device_del','arguments':{'id':'rng0'}}") == 0,
		"qmp_device_del", NULL);
	check_q(q, qtc_qmp_ok(q, "{'execute':'system_reset'}") == 0, "qmp_system_reset", NULL);
	ev = qtc_qmp_wait_event(q, "DEVICE_DELETED", "\"rng0\"");
	check_q(q, ev != NULL, "qmp_event_device_deleted", "%s", ev ? ev : "");
	free(ev);
	r = qtc_qmp(q, "{'execute':'qom-list','arguments':{'path':'/machine/peripheral'}}");
	check_q(q, r && strstr(r, "\"return\"") && !strstr(r, "rng0"), "device_gone", NULL);
	free(r);
}

int main(int argc, char **argv)
{
	static const char *const args[] = {
		"-m", "128M",
		"-device", "pcie-root-port,id=rp1,chassis=1,bus=pcie.0",
		"-device", "virtio-rng-pci,id=rng0,bus=rp1",
		NULL,
	};
	struct qtc_opts opts = {
		.args = args,
		.stderr_path = getenv("QTC_LOG"),
		.verbose = argc > 1 && !strcmp(argv[1], "-v"),
	};
	char major[16], minor[16], micro[16], pkg[128], *r, *err = NULL;
	struct qtc *q;
	bool ok;
	int st;

	printf("TAP version 13\n");
	q = qtc_start(&opts, &err);
	if (!check(q != NULL, "qemu_start_qtest_qmp", "%s", err ? err : "")) {
		free(err);
		goto out;
	}
	r = qtc_qmp(q, "{'execute':'query-version'}");
	ok = r && !qtc_json_get(r, "return.qemu.major", major, sizeof(major)) &&
	     !qtc_json_get(r, "return.qemu.minor", minor, sizeof(minor)) &&
	     !qtc_json_get(r, "return.qemu.micro", micro, sizeof(micro)) &&
	     !qtc_json_get(r, "return.package", pkg, sizeof(pkg));
	if (ok)
		printf("# QEMU %s.%s.%s (%s), pid %d\n", major, minor, micro, pkg, (int)qtc_pid(q));
	check_q(q, ok, "qmp_query_version", NULL);
	free(r);

	memory_checks(q);
	pci_checks(q);
	bridge_checks(q);
	clock_checks(q);
	qmp_checks(q);

	st = qtc_quit(q);
	check(st == 0, "qemu_quit_status_0", "status %d", st);
out:
	return tap_finish();
}
