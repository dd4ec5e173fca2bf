/* SPDX-License-Identifier: GPL-2.0 */
/*
 * qtest_client: a small client for QEMU's qtest text protocol and QMP.
 *
 * It starts one QEMU process with "-accel qtest", talks to it over two UNIX
 * sockets (qtest and QMP) and gives a test program guest-physical memory,
 * MMIO, x86 port I/O, the virtual clock, PCI configuration space and QMP
 * commands and events. No guest OS runs: the test is the guest.
 *
 * Protocol facts this relies on (QEMU system/qtest.c, docs/interop/qmp-*):
 *  - qtest: one request line, one reply line "OK[ VALUE]" or "FAIL ..."
 *    ("ERR ..." for malformed write data); lines "IRQ raise N" / "IRQ lower N"
 *    may arrive at any time between replies. Numbers are parsed with base 0.
 *    QEMU aborts on a malformed request, so this library only sends well-
 *    formed ones (e.g. never a zero-length read).
 *  - QMP: one JSON object per line; a greeting {"QMP": ...} first, then
 *    "qmp_capabilities" must be sent before any other command. Replies carry
 *    "return" or "error"; events ("event") may arrive before a reply.
 *
 * Errors: every call records the first error in the handle (sticky) and
 * returns all-ones (or -1); check qtc_failed() / qtc_error() after a step.
 * Nothing in this library calls exit() or abort().
 *
 * Written for iommufd_mock's harness (tools/qtest/README.md); not derived
 * from QEMU's libqtest.
 */
#ifndef QTEST_CLIENT_H
#define QTEST_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/** struct qtc - one running QEMU under qtest (opaque). */
struct qtc;

/**
 * struct qtc_opts - how to start QEMU.
 * @qemu:       command that runs QEMU, split on blanks, e.g.
 *              "chroot /sid qemu-system-x86_64". NULL: $QTC_QEMU, else
 *              "qemu-system-x86_64" from $PATH.
 * @machine:    value of -M. NULL: "q35".
 * @args:       more QEMU arguments, NULL-terminated; may be NULL.
 * @sock_dir:   where the two sockets are created (a private folder is made
 *              inside). It must be the same path for QEMU, e.g. a /tmp
 *              bound into a chroot. NULL: $TMPDIR, else "/tmp".
 * @stderr_path: QEMU's stdout and stderr go to this file (appended).
 *              NULL: inherited.
 * @timeout_ms: bound on QEMU's start and on every reply. 0: 30000.
 * @verbose:    print every qtest/QMP line sent and received on stderr.
 */
struct qtc_opts {
	const char *qemu;
	const char *machine;
	const char *const *args;
	const char *sock_dir;
	const char *stderr_path;
	int timeout_ms;
	bool verbose;
};

/* --- life cycle ---------------------------------------------------------- */

/**
 * qtc_start() - start QEMU and connect both sockets.
 * @opts: options (NULL: all defaults).
 * @err:  on failure, a malloc'd message (caller frees); may be NULL.
 *
 * Runs "<qemu> -M <machine> -accel qtest -display none -nodefaults
 * -qtest unix:<dir>/qtest -qtest-log none -qmp unix:<dir>/qmp <args...>"
 * (QEMU connects to both sockets as a client; "-mon" is deprecated in QEMU
 * 11.1), waits for both connections, removes the socket files, checks that
 * qtest answers ("endianness") and completes the QMP greeting and
 * "qmp_capabilities".
 * Return: the handle, or NULL (QEMU killed and reaped, sockets removed).
 */
struct qtc *qtc_start(const struct qtc_opts *opts, char **err);

/**
 * qtc_quit() - ask QEMU to exit (QMP "quit"), wait for it, free the handle.
 * @q: handle from qtc_start(); NULL is a no-op returning -1.
 *
 * QEMU is killed with SIGKILL if it has not exited within the timeout (2 s
 * after SIGTERM if the handle is out of step after an I/O error or timeout).
 * QEMU also gets SIGKILL if the test process dies first (PR_SET_PDEATHSIG).
 * Return: QEMU's exit status (0..255), 128+N if it died of signal N, or -1
 * if it could not be reaped.
 */
int qtc_quit(struct qtc *q);

/** qtc_pid() - process id of QEMU (for /proc checks). */
pid_t qtc_pid(const struct qtc *q);

/** qtc_failed() - true once any call on @q failed. */
bool qtc_failed(const struct qtc *q);

/** qtc_error() - message of the first failure, or "" if none. */
const char *qtc_error(const struct qtc *q);

/** qtc_clear_error() - forget the recorded failure (after an expected one). */
void qtc_clear_error(struct qtc *q);

/* --- raw qtest ----------------------------------------------------------- */

/**
 * qtc_cmd() - send one qtest request line and read its reply.
 * @q:     handle.
 * @reply: NULL, or gets the text after "OK" (malloc'd, no leading blank,
 *         possibly ""; caller frees).
 * @fmt:   printf format of the request, without the newline.
 *
 * Asynchronous "IRQ" lines read meanwhile update qtc_irq_level().
 * Return: 0 on "OK", -1 on "FAIL"/"ERR"/I/O error/timeout (recorded).
 */
int qtc_cmd(struct qtc *q, char **reply, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* --- guest-physical memory and MMIO (little-endian target values) -------- */

uint8_t qtc_readb(struct qtc *q, uint64_t addr);
uint16_t qtc_readw(struct qtc *q, uint64_t addr);
uint32_t qtc_readl(struct qtc *q, uint64_t addr);
uint64_t qtc_readq(struct qtc *q, uint64_t addr);
void qtc_writeb(struct qtc *q, uint64_t addr, uint8_t val);
void qtc_writew(struct qtc *q, uint64_t addr, uint16_t val);
void qtc_writel(struct qtc *q, uint64_t addr, uint32_t val);
void qtc_writeq(struct qtc *q, uint64_t addr, uint64_t val);

/**
 * qtc_memread() - read @len bytes at guest-physical @addr into @buf
 * (qtest "b64read"). @len 0 does nothing. Return: 0 or -1.
 */
int qtc_memread(struct qtc *q, uint64_t addr, void *buf, size_t len);
/** qtc_memwrite() - write @len bytes ("b64write"). Return: 0 or -1. */
int qtc_memwrite(struct qtc *q, uint64_t addr, const void *buf, size_t len);
/** qtc_memread_hex() - as qtc_memread() through the hex "read" command. */
int qtc_memread_hex(struct qtc *q, uint64_t addr, void *buf, size_t len);
/** qtc_memwrite_hex() - as qtc_memwrite() through the hex "write" command. */
int qtc_memwrite_hex(struct qtc *q, uint64_t addr, const void *buf, size_t len);
/** qtc_memset() - fill @len bytes with @val ("memset"). Return: 0 or -1. */
int qtc_memset(struct qtc *q, uint64_t addr, uint8_t val, size_t len);

/* --- x86 port I/O ---------------------------------------------------------- */

uint8_t qtc_inb(struct qtc *q, uint16_t port);
uint16_t qtc_inw(struct qtc *q, uint16_t port);
uint32_t qtc_inl(struct qtc *q, uint16_t port);
void qtc_outb(struct qtc *q, uint16_t port, uint8_t val);
void qtc_outw(struct qtc *q, uint16_t port, uint16_t val);
void qtc_outl(struct qtc *q, uint16_t port, uint32_t val);

/* --- virtual clock and interrupts --------------------------------------- */

/**
 * qtc_clock_step() - advance QEMU_CLOCK_VIRTUAL by @ns nanoseconds, or to
 * the next timer deadline if @ns is 0 (that fails if no timer is pending).
 * Return: the new clock value in ns, or -1.
 */
int64_t qtc_clock_step(struct qtc *q, int64_t ns);
/** qtc_clock_set() - advance the clock to @ns. Return: new value or -1. */
int64_t qtc_clock_set(struct qtc *q, int64_t ns);

/**
 * qtc_irq_intercept_in() - report the input GPIOs of the device at QOM
 * path @qom (e.g. "ioapic" on a PC) as IRQ lines. Return: 0 or -1.
 */
int qtc_irq_intercept_in(struct qtc *q, const char *qom);
/** qtc_irq_level() - last level seen for intercepted IRQ @n (0..255). */
int qtc_irq_level(const struct qtc *q, unsigned int n);

/* --- PCI configuration space through ports 0xcf8/0xcfc -------------------- */

/** QTC_BDF() - bus/device/function as used by the qtc_pci_* calls. */
#define QTC_BDF(bus, dev, fn) \
	((uint16_t)(((bus) & 0xff) << 8 | ((dev) & 0x1f) << 3 | ((fn) & 7)))

uint8_t qtc_pci_readb(struct qtc *q, uint16_t bdf, uint8_t off);
uint16_t qtc_pci_readw(struct qtc *q, uint16_t bdf, uint8_t off);
uint32_t qtc_pci_readl(struct qtc *q, uint16_t bdf, uint8_t off);
void qtc_pci_writeb(struct qtc *q, uint16_t bdf, uint8_t off, uint8_t val);
void qtc_pci_writew(struct qtc *q, uint16_t bdf, uint8_t off, uint16_t val);
void qtc_pci_writel(struct qtc *q, uint16_t bdf, uint8_t off, uint32_t val);

/**
 * qtc_pci_find_cap() - offset of the first standard capability @id of
 * @bdf (walks 0x34 if the status register has CAP_LIST), 0 if none.
 */
uint8_t qtc_pci_find_cap(struct qtc *q, uint16_t bdf, uint8_t id);

/**
 * qtc_pci_bar_probe() - size of BAR @bar (0..5) of @bdf by writing all-ones
 * and reading back (the original value is restored; decoding is turned off
 * meanwhile). @flags (may be NULL) gets the BAR's low type bits (bit 0 I/O,
 * bits 2:1 memory type, bit 3 prefetchable).
 * Return: the size in bytes, 0 for an unimplemented BAR. A 64-bit memory
 * BAR uses @bar and @bar + 1.
 */
uint64_t qtc_pci_bar_probe(struct qtc *q, uint16_t bdf, int bar, uint32_t *flags);

/**
 * qtc_pci_bar_map() - program BAR @bar of @bdf to @addr (both halves of a
 * 64-bit BAR) and enable memory or I/O decoding, plus bus mastering if
 * @master. No firmware runs under qtest: nothing else assigns BARs.
 */
void qtc_pci_bar_map(struct qtc *q, uint16_t bdf, int bar, uint64_t addr, bool master);

/**
 * qtc_pci_bridge_open() - route bus @bus and the 32-bit memory window
 * [@mem_base, @mem_base + @mem_size) through the PCI-to-PCI bridge (or PCIe
 * root port) @bdf: primary/secondary/subordinate bus numbers, memory base
 * and limit (1 MiB granules), the I/O and prefetchable windows closed,
 * memory decoding and bus mastering on. @mem_base and @mem_size must be
 * multiples of 1 MiB. Needed for any device behind a root port (e.g. one
 * that is to be hot-unplugged), as no firmware runs under qtest.
 */
void qtc_pci_bridge_open(struct qtc *q, uint16_t bdf, uint8_t bus, uint32_t mem_base,
			 uint32_t mem_size);

/* --- PCI Express extended configuration space (q35 ECAM / MMCONFIG) ------ */

/**
 * qtc_pcie_ecam_enable() - turn on q35's ECAM window at @base (256 MiB:
 * buses 0-255) through the MCH's PCIEXBAR register (00:00.0, offset 0x60);
 * firmware does that on a real boot, nothing does under qtest. Afterwards
 * the qtc_pcie_* calls reach all 4 KiB of each function's configuration
 * space. q35 only. Return: 0 or -1.
 */
int qtc_pcie_ecam_enable(struct qtc *q, uint64_t base);

uint8_t qtc_pcie_readb(struct qtc *q, uint16_t bdf, uint16_t off);
uint16_t qtc_pcie_readw(struct qtc *q, uint16_t bdf, uint16_t off);
uint32_t qtc_pcie_readl(struct qtc *q, uint16_t bdf, uint16_t off);
void qtc_pcie_writeb(struct qtc *q, uint16_t bdf, uint16_t off, uint8_t val);
void qtc_pcie_writew(struct qtc *q, uint16_t bdf, uint16_t off, uint16_t val);
void qtc_pcie_writel(struct qtc *q, uint16_t bdf, uint16_t off, uint32_t val);

/**
 * qtc_pcie_find_ext_cap() - offset (0x100..0xffc) of the first extended
 * capability @id of @bdf, 0 if none. Needs qtc_pcie_ecam_enable().
 */
uint16_t qtc_pcie_find_ext_cap(struct qtc *q, uint16_t bdf, uint16_t id);

/* --- QMP ----------------------------------------------------------------- */

/**
 * qtc_qmp() - send one QMP command and wait for its reply.
 * @fmt: printf format of the whole JSON command, e.g.
 *       "{'execute':'device_del','arguments':{'id':'%s'}}" — single quotes
 *       are turned into double quotes for readability (no single quote can
 *       therefore appear inside a value).
 * Events read meanwhile are queued for qtc_qmp_wait_event().
 * Return: the reply line (malloc'd, caller frees), or NULL on I/O error or
 * timeout. A reply with "error" is returned too (and is not recorded as a
 * failure): see qtc_qmp_ok().
 */
char *qtc_qmp(struct qtc *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/**
 * qtc_qmp_ok() - qtc_qmp() that expects "return": 0 if the reply has it,
 * else -1 with the reply's "error" recorded as the failure.
 */
int qtc_qmp_ok(struct qtc *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/**
 * qtc_qmp_fd() - as qtc_qmp(), passing file descriptor @fd with the
 * command (SCM_RIGHTS), as QMP "getfd" / "add-fd" want.
 */
char *qtc_qmp_fd(struct qtc *q, int fd, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/**
 * qtc_qmp_wait_event() - wait for event @name (e.g. "DEVICE_DELETED").
 * @match: NULL, or a string that must also occur in the event's line (e.g.
 *         "\"device\":\"dev0\"" to pick one device's event).
 * Queued events are looked at first; the matching one is removed from the
 * queue, others stay.
 * Return: the event line (malloc'd), or NULL after the timeout (recorded).
 */
char *qtc_qmp_wait_event(struct qtc *q, const char *name, const char *match);

/* --- small JSON helper for QMP replies --------------------------------- */

/**
 * qtc_json_get() - the value at @path in the JSON object @json.
 * @path: keys separated by '.', e.g. "return.status" or "event".
 * @out, @size: receives the value: a string without its quotes (escapes
 *   \" \\ \/ \n \t decoded), or the raw text of a number, true/false/null,
 *   object or array. Truncated to @size - 1 bytes.
 * Return: 0, or -1 if the path does not exist or the JSON is malformed.
 */
int qtc_json_get(const char *json, const char *path, char *out, size_t size);

#endif /* QTEST_CLIENT_H */
