// SPDX-License-Identifier: GPL-2.0
/*
 * qtest_client: QEMU qtest + QMP client (see qtest_client.h for the API
 * and the protocol facts it relies on).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "qtest_client.h"

#define QTC_MAX_ARGS	256
#define QTC_NR_IRQS	256

/* A socket with a line buffer. */
struct qtc_chan {
	int fd;
	const char *name;	/* "qtest" or "QMP", for messages */
	char *buf;
	size_t len, cap;
};

struct qtc {
	pid_t pid;
	bool reaped;
	int status;		/* waitpid() status once reaped */
	struct qtc_chan qt, qmp;
	int timeout_ms;
	bool verbose;
	bool failed;		/* some call failed (sticky, see qtc_error()) */
	bool broken;		/* I/O error or timeout: the streams are out of step */
	char err[512];
	int irq[QTC_NR_IRQS];
	char **events;		/* QMP events not consumed yet, oldest first */
	size_t nevents, cap_events;
	uint64_t ecam;		/* ECAM base once enabled, else 0 */
};

/* --- errors, time ----------------------------------------------------- */

static int fail(struct qtc *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct qtc *q, const char *fmt, ...)
{
	va_list ap;

	if (!q->failed) {
		va_start(ap, fmt);
		vsnprintf(q->err, sizeof(q->err), fmt, ap);
		va_end(ap);
		q->failed = true;
	}
	if (q->verbose) {
		va_start(ap, fmt);
		fputs("qtc: error: ", stderr);
		vfprintf(stderr, fmt, ap);
		fputc('\n', stderr);
		va_end(ap);
	}
	return -1;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool qtc_failed(const struct qtc *q)
{
	return q->failed;
}

const char *qtc_error(const struct qtc *q)
{
	return q->failed ? q->err : "";
}

void qtc_clear_error(struct qtc *q)
{
	if (!q->broken) {
		q->failed = false;
		q->err[0] = '\0';
	}
}

pid_t qtc_pid(const struct qtc *q)
{
	return q->pid;
}

/* Reap QEMU without blocking; true once it has exited. */
static bool reap(struct qtc *q)
{
	if (!q->reaped && q->pid > 0 && waitpid(q->pid, &q->status, WNOHANG) == q->pid)
		q->reaped = true;
	return q->reaped;
}

static void describe_exit(const struct qtc *q, char *buf, size_t size)
{
	if (WIFEXITED(q->status))
		snprintf(buf, size, "exited with status %d", WEXITSTATUS(q->status));
	else if (WIFSIGNALED(q->status))
		snprintf(buf, size, "died of signal %d", WTERMSIG(q->status));
	else
		snprintf(buf, size, "ended (status 0x%x)", q->status);
}

/* --- line I/O ------------------------------------------------------------ */

static int send_all(struct qtc *q, struct qtc_chan *c, const char *data, size_t len, int fd)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n;

		if (fd >= 0 && done == 0) {
			/* The descriptor rides on the first bytes of the command. */
			char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
			struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
			struct msghdr msg = {
				.msg_iov = &iov, .msg_iovlen = 1,
				.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
			};
			struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

			cm->cmsg_level = SOL_SOCKET;
			cm->cmsg_type = SCM_RIGHTS;
			cm->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(cm), &fd, sizeof(int));
			n = sendmsg(c->fd, &msg, MSG_NOSIGNAL);
		} else {
			n = send(c->fd, data + done, len - done, MSG_NOSIGNAL);
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			q->broken = true;
			return fail(q, "%s socket: send: %s", c->name, n ? strerror(errno) : "closed");
		}
		done += n;
	}
	return 0;
}

/*
 * Next line of @c (without "\r\n"), malloc'd in *@line, waiting until
 * @deadline (ms, now_ms() clock).
 */
static int read_line(struct qtc *q, struct qtc_chan *c, char **line, int64_t deadline,
		     bool soft_timeout)
{
	for (;;) {
		char *nl = c->len ? memchr(c->buf, '\n', c->len) : NULL;
		struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
		int64_t left;
		ssize_t n;
		int r;

		if (nl) {
			size_t l = nl - c->buf;

			*line = malloc(l + 1);
			if (!*line)
				return fail(q, "out of memory");
			memcpy(*line, c->buf, l);
			(*line)[l] = '\0';
			if (l && (*line)[l - 1] == '\r')
				(*line)[l - 1] = '\0';
			c->len -= l + 1;
			memmove(c->buf, nl + 1, c->len);
			if (q->verbose)
				fprintf(stderr, "qtc %s< %s\n", c->name, *line);
			return 0;
		}
		left = deadline - now_ms();
		if (left <= 0) {
			/* Waiting for an event: nothing is out of step. */
			if (soft_timeout)
				return 1;
			q->broken = true;
			return fail(q, "%s: no reply within %d ms", c->name, q->timeout_ms);
		}
		r = poll(&pfd, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			q->broken = true;
			return fail(q, "%s: poll: %s", c->name, strerror(errno));
		}
		if (r == 0)
			continue;
		if (c->cap - c->len < 4096) {
			size_t cap = c->cap ? c->cap * 2 : 65536;
			char *b = realloc(c->buf, cap);

			if (!b)
				return fail(q, "out of memory");
			c->buf = b;
			c->cap = cap;
		}
		n = read(c->fd, c->buf + c->len, c->cap - c->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			char how[64] = "is still running";
			int i;

			q->broken = true;
			/* Give an exiting QEMU a moment to be reaped for the message. */
			for (i = 0; i < 50 && !reap(q); i++)
				usleep(10000);
			if (q->reaped)
				describe_exit(q, how, sizeof(how));
			return fail(q, "%s socket %s; QEMU %s", c->name,
				    n ? strerror(errno) : "closed", how);
		}
		c->len += n;
	}
}

/* --- qtest requests -------------------------------------------------- */

static int vcmd(struct qtc *q, char **reply, const char *fmt, va_list ap)
{
	char *req = NULL, *line = NULL;
	int64_t deadline = now_ms() + q->timeout_ms;
	int len, rc = -1;

	if (reply)
		*reply = NULL;
	if (q->broken)
		return -1;
	len = vasprintf(&req, fmt, ap);
	if (len < 0)
		return fail(q, "out of memory");
	if (q->verbose)
		fprintf(stderr, "qtc qtest> %s\n", req);
	req[len] = '\n';	/* vasprintf left room for the NUL: reuse it */
	if (send_all(q, &q->qt, req, len + 1, -1))
		goto out;
	for (;;) {
		unsigned int n;

		free(line);
		line = NULL;
		if (read_line(q, &q->qt, &line, deadline, false))
			goto out;
		/* Asynchronous interrupt reports come between replies. */
		if (sscanf(line, "IRQ raise %u", &n) == 1) {
			if (n < QTC_NR_IRQS)
				q->irq[n] = 1;
			continue;
		}
		if (sscanf(line, "IRQ lower %u", &n) == 1) {
			if (n < QTC_NR_IRQS)
				q->irq[n] = 0;
			continue;
		}
		break;
	}
	if (strncmp(line, "OK", 2) == 0 && (line[2] == '\0' || line[2] == ' ')) {
		if (reply) {
			*reply = strdup(line[2] ? line + 3 : "");
			if (!*reply) {
				fail(q, "out of memory");
				goto out;
			}
		}
		rc = 0;
	} else {
		req[len] = '\0';
		fail(q, "qtest \"%s\": %s", req, line);
	}
out:
	free(line);
	free(req);
	return rc;
}

int qtc_cmd(struct qtc *q, char **reply, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vcmd(q, reply, fmt, ap);
	va_end(ap);
	return rc;
}

/* A request whose reply is "OK <number>"; all-ones on failure. */
static uint64_t cmd_u64(struct qtc *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static uint64_t cmd_u64(struct qtc *q, const char *fmt, ...)
{
	char *reply, *end;
	unsigned long long v;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vcmd(q, &reply, fmt, ap);
	va_end(ap);
	if (rc)
		return UINT64_MAX;
	errno = 0;
	v = strtoull(reply, &end, 0);
	if (errno || end == reply || *end) {
		fail(q, "qtest: not a number in reply \"OK %s\"", reply);
		v = UINT64_MAX;
	}
	free(reply);
	return v;
}

uint8_t qtc_readb(struct qtc *q, uint64_t addr)
{
	return cmd_u64(q, "readb 0x%llx", (unsigned long long)addr);
}

uint16_t qtc_readw(struct qtc *q, uint64_t addr)
{
	return cmd_u64(q, "readw 0x%llx", (unsigned long long)addr);
}

uint32_t qtc_readl(struct qtc *q, uint64_t addr)
{
	return cmd_u64(q, "readl 0x%llx", (unsigned long long)addr);
}

uint64_t qtc_readq(struct qtc *q, uint64_t addr)
{
	return cmd_u64(q, "readq 0x%llx", (unsigned long long)addr);
}

void qtc_writeb(struct qtc *q, uint64_t addr, uint8_t val)
{
	qtc_cmd(q, NULL, "writeb 0x%llx 0x%x", (unsigned long long)addr, val);
}

void qtc_writew(struct qtc *q, uint64_t addr, uint16_t val)
{
	qtc_cmd(q, NULL, "writew 0x%llx 0x%x", (unsigned long long)addr, val);
}

void qtc_writel(struct qtc *q, uint64_t addr, uint32_t val)
{
	qtc_cmd(q, NULL, "writel 0x%llx 0x%x", (unsigned long long)addr, val);
}

void qtc_writeq(struct qtc *q, uint64_t addr, uint64_t val)
{
	qtc_cmd(q, NULL, "writeq 0x%llx 0x%llx", (unsigned long long)addr,
		(unsigned long long)val);
}

uint8_t qtc_inb(struct qtc *q, uint16_t port)
{
	return cmd_u64(q, "inb 0x%x", port);
}

uint16_t qtc_inw(struct qtc *q, uint16_t port)
{
	return cmd_u64(q, "inw 0x%x", port);
}

uint32_t qtc_inl(struct qtc *q, uint16_t port)
{
	return cmd_u64(q, "inl 0x%x", port);
}

void qtc_outb(struct qtc *q, uint16_t port, uint8_t val)
{
	qtc_cmd(q, NULL, "outb 0x%x 0x%x", port, val);
}

void qtc_outw(struct qtc *q, uint16_t port, uint16_t val)
{
	qtc_cmd(q, NULL, "outw 0x%x 0x%x", port, val);
}

void qtc_outl(struct qtc *q, uint16_t port, uint32_t val)
{
	qtc_cmd(q, NULL, "outl 0x%x 0x%x", port, val);
}

int64_t qtc_clock_step(struct qtc *q, int64_t ns)
{
	uint64_t v = ns ? cmd_u64(q, "clock_step %lld", (long long)ns) : cmd_u64(q, "clock_step");

	return v == UINT64_MAX ? -1 : (int64_t)v;
}

int64_t qtc_clock_set(struct qtc *q, int64_t ns)
{
	uint64_t v = cmd_u64(q, "clock_set %lld", (long long)ns);

	return v == UINT64_MAX ? -1 : (int64_t)v;
}

int qtc_irq_intercept_in(struct qtc *q, const char *qom)
{
	return qtc_cmd(q, NULL, "irq_intercept_in %s", qom);
}

int qtc_irq_level(const struct qtc *q, unsigned int n)
{
	return n < QTC_NR_IRQS ? q->irq[n] : 0;
}

/* --- memory buffers: base64 and hex -------------------------------------- */

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *b64_encode(const uint8_t *in, size_t len)
{
	char *out = malloc((len + 2) / 3 * 4 + 1), *o = out;
	size_t i;

	if (!out)
		return NULL;
	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | in[i + 1] << 8 | in[i + 2];

		*o++ = b64_alphabet[v >> 18 & 63];
		*o++ = b64_alphabet[v >> 12 & 63];
		*o++ = b64_alphabet[v >> 6 & 63];
		*o++ = b64_alphabet[v & 63];
	}
	if (i < len) {
		uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < len ? in[i + 1] << 8 : 0);

		*o++ = b64_alphabet[v >> 18 & 63];
		*o++ = b64_alphabet[v >> 12 & 63];
		*o++ = i + 1 < len ? b64_alphabet[v >> 6 & 63] : '=';
		*o++ = '=';
	}
	*o = '\0';
	return out;
}

/* Decode @in into @out (room for @len bytes); return the decoded size or -1. */
static ssize_t b64_decode(const char *in, uint8_t *out, size_t len)
{
	uint32_t acc = 0;
	size_t n = 0;
	int bits = 0;

	for (; *in && *in != '='; in++) {
		const char *p = strchr(b64_alphabet, *in);

		if (!p || !*in)
			return -1;
		acc = acc << 6 | (uint32_t)(p - b64_alphabet);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n == len)
				return -1;
			out[n++] = acc >> bits & 0xff;
		}
	}
	return n;
}

int qtc_memread(struct qtc *q, uint64_t addr, void *buf, size_t len)
{
	char *reply;
	ssize_t n;

	if (!len)
		return 0;
	if (qtc_cmd(q, &reply, "b64read 0x%llx 0x%zx", (unsigned long long)addr, len))
		return -1;
	n = b64_decode(reply, buf, len);
	free(reply);
	if (n != (ssize_t)len)
		return fail(q, "b64read 0x%llx: %zd bytes decoded, %zu asked",
			    (unsigned long long)addr, n, len);
	return 0;
}

int qtc_memwrite(struct qtc *q, uint64_t addr, const void *buf, size_t len)
{
	char *enc;
	int rc;

	if (!len)
		return 0;
	enc = b64_encode(buf, len);
	if (!enc)
		return fail(q, "out of memory");
	rc = qtc_cmd(q, NULL, "b64write 0x%llx 0x%zx %s", (unsigned long long)addr, len, enc);
	free(enc);
	return rc;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int qtc_memread_hex(struct qtc *q, uint64_t addr, void *buf, size_t len)
{
	uint8_t *out = buf;
	char *reply;
	size_t i;

	if (!len)
		return 0;
	if (qtc_cmd(q, &reply, "read 0x%llx 0x%zx", (unsigned long long)addr, len))
		return -1;
	if (strncmp(reply, "0x", 2) || strlen(reply) != 2 + 2 * len) {
		free(reply);
		return fail(q, "read 0x%llx 0x%zx: reply of the wrong length",
			    (unsigned long long)addr, len);
	}
	for (i = 0; i < len; i++) {
		int hi = hexval(reply[2 + 2 * i]), lo = hexval(reply[3 + 2 * i]);

		if (hi < 0 || lo < 0) {
			free(reply);
			return fail(q, "read 0x%llx: bad hex in reply", (unsigned long long)addr);
		}
		out[i] = hi << 4 | lo;
	}
	free(reply);
	return 0;
}

int qtc_memwrite_hex(struct qtc *q, uint64_t addr, const void *buf, size_t len)
{
	const uint8_t *in = buf;
	char *hex;
	size_t i;
	int rc;

	if (!len)
		return 0;
	hex = malloc(2 * len + 3);
	if (!hex)
		return fail(q, "out of memory");
	hex[0] = '0';
	hex[1] = 'x';
	for (i = 0; i < len; i++) {
		hex[2 + 2 * i] = "0123456789abcdef"[in[i] >> 4];
		hex[3 + 2 * i] = "0123456789abcdef"[in[i] & 15];
	}
	hex[2 + 2 * len] = '\0';
	rc = qtc_cmd(q, NULL, "write 0x%llx 0x%zx %s", (unsigned long long)addr, len, hex);
	free(hex);
	return rc;
}

int qtc_memset(struct qtc *q, uint64_t addr, uint8_t val, size_t len)
{
	if (!len)
		return 0;
	return qtc_cmd(q, NULL, "memset 0x%llx 0x%zx 0x%x", (unsigned long long)addr, len, val);
}

/* --- PCI configuration space (mechanism #1: 0xcf8 address, 0xcfc data) --- */

#define PCI_CONF_ADDR	0xcf8
#define PCI_CONF_DATA	0xcfc

static void pci_select(struct qtc *q, uint16_t bdf, uint8_t off)
{
	qtc_outl(q, PCI_CONF_ADDR, 0x80000000u | (uint32_t)bdf << 8 | (off & 0xfc));
}

uint8_t qtc_pci_readb(struct qtc *q, uint16_t bdf, uint8_t off)
{
	pci_select(q, bdf, off);
	return qtc_inb(q, PCI_CONF_DATA + (off & 3));
}

uint16_t qtc_pci_readw(struct qtc *q, uint16_t bdf, uint8_t off)
{
	pci_select(q, bdf, off);
	return qtc_inw(q, PCI_CONF_DATA + (off & 2));
}

uint32_t qtc_pci_readl(struct qtc *q, uint16_t bdf, uint8_t off)
{
	pci_select(q, bdf, off);
	return qtc_inl(q, PCI_CONF_DATA);
}

void qtc_pci_writeb(struct qtc *q, uint16_t bdf, uint8_t off, uint8_t val)
{
	pci_select(q, bdf, off);
	qtc_outb(q, PCI_CONF_DATA + (off & 3), val);
}

void qtc_pci_writew(struct qtc *q, uint16_t bdf, uint8_t off, uint16_t val)
{
	pci_select(q, bdf, off);
	qtc_outw(q, PCI_CONF_DATA + (off & 2), val);
}

void qtc_pci_writel(struct qtc *q, uint16_t bdf, uint8_t off, uint32_t val)
{
	pci_select(q, bdf, off);
	qtc_outl(q, PCI_CONF_DATA, val);
}

/* Standard header registers used below (PCI Local Bus spec 3.0, 6.1). */
#define PCI_COMMAND		0x04
#define PCI_COMMAND_IO		0x1
#define PCI_COMMAND_MEMORY	0x2
#define PCI_COMMAND_MASTER	0x4
#define PCI_STATUS		0x06
#define PCI_STATUS_CAP_LIST	0x10
#define PCI_BAR0		0x10
#define PCI_CAP_PTR		0x34

uint8_t qtc_pci_find_cap(struct qtc *q, uint16_t bdf, uint8_t id)
{
	uint8_t pos;
	int n;

	if (!(qtc_pci_readw(q, bdf, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	pos = qtc_pci_readb(q, bdf, PCI_CAP_PTR) & 0xfc;
	/* 48 capabilities at most fit in 0x40..0xff: a loop is a bad chain. */
	for (n = 0; pos >= 0x40 && n < 48; n++) {
		if (qtc_pci_readb(q, bdf, pos) == id)
			return pos;
		pos = qtc_pci_readb(q, bdf, pos + 1) & 0xfc;
	}
	return 0;
}

uint64_t qtc_pci_bar_probe(struct qtc *q, uint16_t bdf, int bar, uint32_t *flags)
{
	uint8_t off = PCI_BAR0 + 4 * bar;
	uint16_t cmd;
	uint32_t orig, val, type;
	uint64_t mask;

	if (bar < 0 || bar > 5) {
		fail(q, "BAR %d does not exist", bar);
		return 0;
	}
	cmd = qtc_pci_readw(q, bdf, PCI_COMMAND);
	qtc_pci_writew(q, bdf, PCI_COMMAND, cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	orig = qtc_pci_readl(q, bdf, off);
	qtc_pci_writel(q, bdf, off, 0xffffffff);
	val = qtc_pci_readl(q, bdf, off);
	qtc_pci_writel(q, bdf, off, orig);
	if (orig & 1) {
		type = orig & 0x3;
		mask = val & ~0x3u;
	} else {
		type = orig & 0xf;
		mask = val & ~0xfu;
		/* Bits 2:1 == 2: 64-bit, the next BAR holds the upper half. */
		if ((type & 0x6) == 0x4 && bar < 5) {
			uint32_t hi_orig = qtc_pci_readl(q, bdf, off + 4);

			qtc_pci_writel(q, bdf, off + 4, 0xffffffff);
			mask |= (uint64_t)qtc_pci_readl(q, bdf, off + 4) << 32;
			qtc_pci_writel(q, bdf, off + 4, hi_orig);
		}
	}
	qtc_pci_writew(q, bdf, PCI_COMMAND, cmd);
	if (flags)
		*flags = type;
	/* The size is the lowest writable address bit. */
	return mask & -mask;
}

void qtc_pci_bar_map(struct qtc *q, uint16_t bdf, int bar, uint64_t addr, bool master)
{
	uint8_t off = PCI_BAR0 + 4 * bar;
	uint32_t type;
	uint16_t cmd;

	if (bar < 0 || bar > 5) {
		fail(q, "BAR %d does not exist", bar);
		return;
	}
	type = qtc_pci_readl(q, bdf, off) & 0xf;
	qtc_pci_writel(q, bdf, off, (uint32_t)addr);
	if (!(type & 1) && (type & 0x6) == 0x4 && bar < 5)
		qtc_pci_writel(q, bdf, off + 4, addr >> 32);
	cmd = qtc_pci_readw(q, bdf, PCI_COMMAND);
	cmd |= (type & 1) ? PCI_COMMAND_IO : PCI_COMMAND_MEMORY;
	if (master)
		cmd |= PCI_COMMAND_MASTER;
	qtc_pci_writew(q, bdf, PCI_COMMAND, cmd);
}

/* Type 1 (bridge) header registers (PCI-to-PCI Bridge spec 1.2, 3.2). */
#define PCI_PRIMARY_BUS		0x18
#define PCI_SECONDARY_BUS	0x19
#define PCI_SUBORDINATE_BUS	0x1a
#define PCI_IO_BASE		0x1c
#define PCI_IO_LIMIT		0x1d
#define PCI_MEMORY_BASE		0x20
#define PCI_MEMORY_LIMIT	0x22
#define PCI_PREF_MEMORY_BASE	0x24
#define PCI_PREF_MEMORY_LIMIT	0x26
#define PCI_PREF_BASE_UPPER32	0x28
#define PCI_PREF_LIMIT_UPPER32	0x2c

void qtc_pci_bridge_open(struct qtc *q, uint16_t bdf, uint8_t bus, uint32_t mem_base,
			 uint32_t mem_size)
{
	uint32_t last = mem_base + mem_size - 1;

	if (!mem_size || (mem_base | mem_size) & 0xfffff) {
		fail(q, "bridge window 0x%x+0x%x is not in 1 MiB granules", mem_base, mem_size);
		return;
	}
	qtc_pci_writeb(q, bdf, PCI_PRIMARY_BUS, bdf >> 8);
	qtc_pci_writeb(q, bdf, PCI_SECONDARY_BUS, bus);
	qtc_pci_writeb(q, bdf, PCI_SUBORDINATE_BUS, bus);
	/* Memory window: address bits 31:20 in register bits 15:4, limit inclusive. */
	qtc_pci_writew(q, bdf, PCI_MEMORY_BASE, (mem_base >> 16) & 0xfff0);
	qtc_pci_writew(q, bdf, PCI_MEMORY_LIMIT, (last >> 16) & 0xfff0);
	/* I/O and prefetchable windows closed: base above limit. */
	qtc_pci_writeb(q, bdf, PCI_IO_BASE, 0xf0);
	qtc_pci_writeb(q, bdf, PCI_IO_LIMIT, 0x00);
	qtc_pci_writew(q, bdf, PCI_PREF_MEMORY_BASE, 0xfff0);
	qtc_pci_writew(q, bdf, PCI_PREF_MEMORY_LIMIT, 0x0000);
	qtc_pci_writel(q, bdf, PCI_PREF_BASE_UPPER32, 0);
	qtc_pci_writel(q, bdf, PCI_PREF_LIMIT_UPPER32, 0);
	qtc_pci_writew(q, bdf, PCI_COMMAND, qtc_pci_readw(q, bdf, PCI_COMMAND) |
		       PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
}

/* q35 MCH: PCIEXBAR (64-bit) at 00:00.0 0x60; bit 0 enable, bits 2:1 length
 * (0: 256 MiB), base in bits 35:28 for that length. */
#define Q35_PCIEXBAR		0x60

int qtc_pcie_ecam_enable(struct qtc *q, uint64_t base)
{
	if (base & 0xfffffff)
		return fail(q, "ECAM base 0x%llx is not 256 MiB aligned", (unsigned long long)base);
	qtc_pci_writel(q, 0, Q35_PCIEXBAR + 4, base >> 32);
	qtc_pci_writel(q, 0, Q35_PCIEXBAR, (uint32_t)base | 1);
	if (qtc_failed(q))
		return -1;
	q->ecam = base;
	/* The host bridge itself must now answer through the window. */
	if (qtc_readw(q, base) != qtc_pci_readw(q, 0, 0)) {
		q->ecam = 0;
		return fail(q, "ECAM at 0x%llx does not answer (not q35?)", (unsigned long long)base);
	}
	return 0;
}

/* Guest-physical address of @off in @bdf's configuration space, 0 if none. */
static uint64_t ecam_addr(struct qtc *q, uint16_t bdf, uint16_t off)
{
	if (!q->ecam) {
		fail(q, "PCIe configuration access without qtc_pcie_ecam_enable()");
		return 0;
	}
	if (off > 0xfff) {
		fail(q, "configuration offset 0x%x beyond 4 KiB", off);
		return 0;
	}
	return q->ecam + ((uint64_t)bdf << 12) + off;
}

uint8_t qtc_pcie_readb(struct qtc *q, uint16_t bdf, uint16_t off)
{
	uint64_t a = ecam_addr(q, bdf, off);

	return a ? qtc_readb(q, a) : 0xff;
}

uint16_t qtc_pcie_readw(struct qtc *q, uint16_t bdf, uint16_t off)
{
	uint64_t a = ecam_addr(q, bdf, off);

	return a ? qtc_readw(q, a) : 0xffff;
}

uint32_t qtc_pcie_readl(struct qtc *q, uint16_t bdf, uint16_t off)
{
	uint64_t a = ecam_addr(q, bdf, off);

	return a ? qtc_readl(q, a) : 0xffffffff;
}

void qtc_pcie_writeb(struct qtc *q, uint16_t bdf, uint16_t off, uint8_t val)
{
	uint64_t a = ecam_addr(q, bdf, off);

	if (a)
		qtc_writeb(q, a, val);
}

void qtc_pcie_writew(struct qtc *q, uint16_t bdf, uint16_t off, uint16_t val)
{
	uint64_t a = ecam_addr(q, bdf, off);

	if (a)
		qtc_writew(q, a, val);
}

void qtc_pcie_writel(struct qtc *q, uint16_t bdf, uint16_t off, uint32_t val)
{
	uint64_t a = ecam_addr(q, bdf, off);

	if (a)
		qtc_writel(q, a, val);
}

uint16_t qtc_pcie_find_ext_cap(struct qtc *q, uint16_t bdf, uint16_t id)
{
	uint16_t pos = 0x100;
	int n;

	/* Header: ID in bits 15:0, version 19:16, next offset 31:20. */
	for (n = 0; pos >= 0x100 && n < (4096 - 256) / 4; n++) {
		uint32_t hdr = qtc_pcie_readl(q, bdf, pos);

		if (hdr == 0 || hdr == 0xffffffff || qtc_failed(q))
			return 0;
		if ((hdr & 0xffff) == id)
			return pos;
		pos = (hdr >> 20) & 0xffc;
	}
	return 0;
}

/* --- JSON (just enough for QMP replies) ------------------------------------ */

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	return p;
}

/* @p at '"': the character after the closing quote, or NULL. */
static const char *skip_string(const char *p)
{
	for (p++; *p; p++) {
		if (*p == '\\' && p[1])
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return NULL;
}

static const char *skip_value(const char *p)
{
	int depth = 0;

	p = skip_ws(p);
	if (*p == '"')
		return skip_string(p);
	if (*p != '{' && *p != '[') {
		const char *s = p;

		while (*p && !strchr(",}] \t\r\n", *p))
			p++;
		return p == s ? NULL : p;
	}
	for (; *p; p++) {
		if (*p == '"') {
			p = skip_string(p);
			if (!p)
				return NULL;
			p--;
		} else if (*p == '{' || *p == '[') {
			depth++;
		} else if (*p == '}' || *p == ']') {
			if (--depth == 0)
				return p + 1;
		}
	}
	return NULL;
}

/* @obj at '{': the start of the value of @key (@klen bytes), or NULL. */
static const char *find_key(const char *obj, const char *key, size_t klen)
{
	const char *p = skip_ws(obj + 1);

	while (*p == '"') {
		const char *k = p + 1, *end = skip_string(p);

		if (!end)
			return NULL;
		p = skip_ws(end);
		if (*p != ':')
			return NULL;
		p = skip_ws(p + 1);
		if ((size_t)(end - 1 - k) == klen && !memcmp(k, key, klen))
			return p;
		p = skip_value(p);
		if (!p)
			return NULL;
		p = skip_ws(p);
		if (*p != ',')
			return NULL;
		p = skip_ws(p + 1);
	}
	return NULL;
}

int qtc_json_get(const char *json, const char *path, char *out, size_t size)
{
	const char *p = skip_ws(json), *end;
	size_t n = 0;

	while (*path) {
		size_t klen = strcspn(path, ".");

		if (*p != '{')
			return -1;
		p = find_key(p, path, klen);
		if (!p)
			return -1;
		path += klen;
		if (*path == '.')
			path++;
	}
	if (!size)
		return -1;
	if (*p == '"') {
		end = skip_string(p);
		if (!end)
			return -1;
		for (p++; p < end - 1 && n + 1 < size; p++) {
			char c = *p;

			if (c == '\\') {
				c = *++p;
				c = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c;
			}
			out[n++] = c;
		}
	} else {
		end = skip_value(p);
		if (!end)
			return -1;
		for (; p < end && n + 1 < size; p++)
			out[n++] = *p;
	}
	out[n] = '\0';
	return 0;
}

/* --- QMP --------------------------------------------------------------- */

static bool is_event(const char *line)
{
	char name[64];

	return qtc_json_get(line, "event", name, sizeof(name)) == 0;
}

static int queue_event(struct qtc *q, char *line)
{
	if (q->nevents == q->cap_events) {
		size_t cap = q->cap_events ? 2 * q->cap_events : 16;
		char **e = realloc(q->events, cap * sizeof(*e));

		if (!e) {
			free(line);
			return fail(q, "out of memory");
		}
		q->events = e;
		q->cap_events = cap;
	}
	q->events[q->nevents++] = line;
	return 0;
}

static char *vqmp(struct qtc *q, int fd, const char *fmt, va_list ap)
{
	int64_t deadline = now_ms() + q->timeout_ms;
	char *req, *line, *s;
	int len;

	if (q->broken)
		return NULL;
	len = vasprintf(&req, fmt, ap);
	if (len < 0) {
		fail(q, "out of memory");
		return NULL;
	}
	for (s = req; *s; s++)
		if (*s == '\'')
			*s = '"';
	if (q->verbose)
		fprintf(stderr, "qtc QMP> %s\n", req);
	req[len] = '\n';
	if (send_all(q, &q->qmp, req, len + 1, fd)) {
		free(req);
		return NULL;
	}
	free(req);
	for (;;) {
		if (read_line(q, &q->qmp, &line, deadline, false))
			return NULL;
		if (is_event(line)) {
			if (queue_event(q, line))
				return NULL;
			continue;
		}
		return line;
	}
}

char *qtc_qmp(struct qtc *q, const char *fmt, ...)
{
	va_list ap;
	char *r;

	va_start(ap, fmt);
	r = vqmp(q, -1, fmt, ap);
	va_end(ap);
	return r;
}

char *qtc_qmp_fd(struct qtc *q, int fd, const char *fmt, ...)
{
	va_list ap;
	char *r;

	va_start(ap, fmt);
	r = vqmp(q, fd, fmt, ap);
	va_end(ap);
	return r;
}

int qtc_qmp_ok(struct qtc *q, const char *fmt, ...)
{
	char buf[8], desc[400];
	va_list ap;
	char *r;

	va_start(ap, fmt);
	r = vqmp(q, -1, fmt, ap);
	va_end(ap);
	if (!r)
		return -1;
	if (qtc_json_get(r, "return", buf, sizeof(buf)) == 0) {
		free(r);
		return 0;
	}
	if (qtc_json_get(r, "error.desc", desc, sizeof(desc)))
		snprintf(desc, sizeof(desc), "%.390s", r);
	free(r);
	return fail(q, "QMP: %s", desc);
}

static bool event_matches(const char *line, const char *name, const char *match)
{
	char ev[128];

	return qtc_json_get(line, "event", ev, sizeof(ev)) == 0 && !strcmp(ev, name) &&
	       (!match || strstr(line, match));
}

char *qtc_qmp_wait_event(struct qtc *q, const char *name, const char *match)
{
	int64_t deadline = now_ms() + q->timeout_ms;
	char *line;
	size_t i;

	for (i = 0; i < q->nevents; i++) {
		if (event_matches(q->events[i], name, match)) {
			line = q->events[i];
			memmove(&q->events[i], &q->events[i + 1],
				(q->nevents - i - 1) * sizeof(*q->events));
			q->nevents--;
			return line;
		}
	}
	if (q->broken)
		return NULL;
	for (;;) {
		int r = read_line(q, &q->qmp, &line, deadline, true);

		if (r > 0) {
			fail(q, "QMP: no event %s%s%s within %d ms", name, match ? " with " : "",
			     match ? match : "", q->timeout_ms);
			return NULL;
		}
		if (r < 0)
			return NULL;
		if (event_matches(line, name, match))
			return line;
		if (is_event(line)) {
			if (queue_event(q, line))
				return NULL;
		} else {
			/* Not an event and no command outstanding: ignore it. */
			free(line);
		}
	}
}

/* --- start and quit -------------------------------------------------------- */

static int listen_unix(struct qtc *q, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path))
		return fail(q, "socket path too long: %s", path);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail(q, "socket: %s", strerror(errno));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 1)) {
		fail(q, "bind/listen %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Split @cmd on blanks into @argv (at most @max - 1 words); modifies @cmd. */
static int split_words(char *cmd, char **argv, int max)
{
	int n = 0;
	char *save = NULL, *w;

	for (w = strtok_r(cmd, " \t", &save); w && n < max - 1; w = strtok_r(NULL, " \t", &save))
		argv[n++] = w;
	argv[n] = NULL;
	return n;
}

static void kill_and_reap(struct qtc *q)
{
	if (q->pid > 0 && !reap(q)) {
		kill(q->pid, SIGKILL);
		if (waitpid(q->pid, &q->status, 0) == q->pid)
			q->reaped = true;
	}
}

static void free_handle(struct qtc *q)
{
	size_t i;

	if (q->qt.fd >= 0)
		close(q->qt.fd);
	if (q->qmp.fd >= 0)
		close(q->qmp.fd);
	free(q->qt.buf);
	free(q->qmp.buf);
	for (i = 0; i < q->nevents; i++)
		free(q->events[i]);
	free(q->events);
	free(q);
}

struct qtc *qtc_start(const struct qtc_opts *opts, char **err)
{
	static const struct qtc_opts defaults;
	const struct qtc_opts *o = opts ? opts : &defaults;
	char dir[PATH_MAX], qt_path[PATH_MAX + 8], qmp_path[PATH_MAX + 8];
	char qt_arg[PATH_MAX + 16], qmp_arg[PATH_MAX + 16];
	char *argv[QTC_MAX_ARGS], *cmd = NULL, *line = NULL, endian[16];
	const char *base, *qemu;
	int lfd[2] = { -1, -1 }, *cfd[2], i, n, pending;
	pid_t parent;
	int64_t deadline;
	struct qtc *q;

	if (err)
		*err = NULL;
	q = calloc(1, sizeof(*q));
	if (!q) {
		if (err)
			*err = strdup("out of memory");
		return NULL;
	}
	q->qt.fd = q->qmp.fd = -1;
	q->qt.name = "qtest";
	q->qmp.name = "QMP";
	q->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 30000;
	q->verbose = o->verbose;
	dir[0] = '\0';

	/* A private folder for the two sockets. */
	base = o->sock_dir ? o->sock_dir : getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	snprintf(dir, sizeof(dir), "%s/qtc.XXXXXX", base);
	if (!mkdtemp(dir)) {
		fail(q, "mkdtemp %s: %s", dir, strerror(errno));
		dir[0] = '\0';
		goto fail;
	}
	snprintf(qt_path, sizeof(qt_path), "%s/qtest", dir);
	snprintf(qmp_path, sizeof(qmp_path), "%s/qmp", dir);
	lfd[0] = listen_unix(q, qt_path);
	lfd[1] = lfd[0] < 0 ? -1 : listen_unix(q, qmp_path);
	if (lfd[1] < 0)
		goto fail;

	/* QEMU connects to both sockets as a client while it starts. */
	qemu = o->qemu ? o->qemu : getenv("QTC_QEMU") ? getenv("QTC_QEMU") : "qemu-system-x86_64";
	cmd = strdup(qemu);
	if (!cmd) {
		fail(q, "out of memory");
		goto fail;
	}
	n = split_words(cmd, argv, QTC_MAX_ARGS);
	if (!n) {
		fail(q, "empty QEMU command");
		goto fail;
	}
	snprintf(qt_arg, sizeof(qt_arg), "unix:%s", qt_path);
	snprintf(qmp_arg, sizeof(qmp_arg), "unix:%s", qmp_path);
	{
		const char *fixed[] = {
			"-M", o->machine ? o->machine : "q35", "-accel", "qtest",
			"-display", "none", "-nodefaults",
			"-qtest", qt_arg, "-qtest-log", "none", "-qmp", qmp_arg,
		};
		size_t k;

		for (k = 0; k < sizeof(fixed) / sizeof(fixed[0]) && n < QTC_MAX_ARGS - 1; k++)
			argv[n++] = (char *)fixed[k];
		for (k = 0; o->args && o->args[k] && n < QTC_MAX_ARGS - 1; k++)
			argv[n++] = (char *)o->args[k];
		if (o->args && o->args[k]) {
			fail(q, "more than %d QEMU arguments", QTC_MAX_ARGS - 1);
			goto fail;
		}
		argv[n] = NULL;
	}
	if (q->verbose) {
		fputs("qtc: run", stderr);
		for (i = 0; i < n; i++)
			fprintf(stderr, " %s", argv[i]);
		fputc('\n', stderr);
	}

	parent = getpid();
	q->pid = fork();
	if (q->pid < 0) {
		fail(q, "fork: %s", strerror(errno));
		goto fail;
	}
	if (q->pid == 0) {
		int nul = open("/dev/null", O_RDONLY);

		/* QEMU must not outlive a test that crashed or was killed. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(127);
		if (nul >= 0)
			dup2(nul, 0);
		if (o->stderr_path) {
			int lf = open(o->stderr_path, O_WRONLY | O_CREAT | O_APPEND, 0644);

			if (lf >= 0) {
				dup2(lf, 1);
				dup2(lf, 2);
			}
		}
		execvp(argv[0], argv);
		fprintf(stderr, "qtc: exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}

	cfd[0] = &q->qt.fd;
	cfd[1] = &q->qmp.fd;
	deadline = now_ms() + q->timeout_ms;
	for (pending = 2; pending;) {
		struct pollfd pfd[2];
		int np = 0, r;

		for (i = 0; i < 2; i++)
			if (*cfd[i] < 0)
				pfd[np++] = (struct pollfd){ .fd = lfd[i], .events = POLLIN };
		/* Short slices: a QEMU that exits early is seen at once. */
		r = poll(pfd, np, 100);
		if (r < 0 && errno != EINTR) {
			fail(q, "poll: %s", strerror(errno));
			goto fail;
		}
		for (i = 0; i < 2 && r > 0; i++) {
			int k;

			if (*cfd[i] >= 0)
				continue;
			for (k = 0; k < np; k++)
				if (pfd[k].fd == lfd[i] && (pfd[k].revents & POLLIN))
					break;
			if (k == np)
				continue;
			*cfd[i] = accept4(lfd[i], NULL, NULL, SOCK_CLOEXEC);
			if (*cfd[i] < 0) {
				fail(q, "accept: %s", strerror(errno));
				goto fail;
			}
			pending--;
		}
		if (pending && reap(q)) {
			char how[64];

			describe_exit(q, how, sizeof(how));
			fail(q, "QEMU %s before connecting%s", how,
			     o->stderr_path ? " (see its log)" : "");
			goto fail;
		}
		if (pending && now_ms() > deadline) {
			fail(q, "QEMU did not connect within %d ms", q->timeout_ms);
			goto fail;
		}
	}
	/* Connected: the socket files and their folder are not needed any more. */
	close(lfd[0]);
	close(lfd[1]);
	lfd[0] = lfd[1] = -1;
	unlink(qt_path);
	unlink(qmp_path);
	rmdir(dir);
	dir[0] = '\0';

	/* qtest has no greeting: a first request shows it answers. */
	{
		char *r;

		if (qtc_cmd(q, &r, "endianness"))
			goto fail;
		snprintf(endian, sizeof(endian), "%s", r);
		free(r);
		if (strcmp(endian, "little") && strcmp(endian, "big")) {
			fail(q, "qtest: unexpected endianness reply \"%s\"", endian);
			goto fail;
		}
	}
	/* QMP: greeting, then capabilities negotiation. */
	if (read_line(q, &q->qmp, &line, now_ms() + q->timeout_ms, false))
		goto fail;
	if (qtc_json_get(line, "QMP", endian, sizeof(endian))) {
		fail(q, "QMP: no greeting (got \"%s\")", line);
		goto fail;
	}
	free(line);
	line = NULL;
	if (qtc_qmp_ok(q, "{'execute':'qmp_capabilities'}"))
		goto fail;
	free(cmd);
	return q;

fail:
	if (err)
		*err = strdup(q->err);
	free(line);
	free(cmd);
	for (i = 0; i < 2; i++)
		if (lfd[i] >= 0)
			close(lfd[i]);
	if (dir[0]) {
		unlink(qt_path);
		unlink(qmp_path);
		rmdir(dir);
	}
	kill_and_reap(q);
	free_handle(q);
	return NULL;
}

int qtc_quit(struct qtc *q)
{
	int64_t deadline;
	int rc;

	if (!q)
		return -1;
	deadline = now_ms() + q->timeout_ms;
	if (!q->broken && !reap(q)) {
		char *r = qtc_qmp(q, "{'execute':'quit'}");

		/* QEMU may close the socket before or after its reply. */
		free(r);
	} else if (!reap(q)) {
		/* Out of step or hung: no QMP; SIGTERM, then 2 s to exit. */
		kill(q->pid, SIGTERM);
		deadline = now_ms() + 2000;
	}
	while (!reap(q) && now_ms() < deadline)
		usleep(10000);
	kill_and_reap(q);
	if (!q->reaped)
		rc = -1;
	else if (WIFEXITED(q->status))
		rc = WEXITSTATUS(q->status);
	else if (WIFSIGNALED(q->status))
		rc = 128 + WTERMSIG(q->status);
	else
		rc = -1;
	free_handle(q);
	return rc;
}
