/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TAP output of the qtest programs: one "ok N name" / "not ok N name # why"
 * line per check and a kselftest-style "# Totals:" line at the end, which
 * testvm/parse-log.sh counts like the selftests' cases.
 */
#ifndef QTEST_TAP_H
#define QTEST_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "qtest_client.h"

static int tap_pass, tap_fail, tap_case;

/* One check: @ok decides, @fmt (may be NULL) says more. */
static bool __attribute__((format(printf, 3, 4), unused))
check(bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	tap_case++;
	printf("%sok %d %s", ok ? "" : "not ", tap_case, name);
	if (fmt && *fmt) {
		printf(" # ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	putchar('\n');
	fflush(stdout);
	if (ok)
		tap_pass++;
	else
		tap_fail++;
	return ok;
}

/* A check that also fails if @q recorded a failure, which it then clears. */
static bool __attribute__((format(printf, 4, 5), unused))
check_q(struct qtc *q, bool ok, const char *name, const char *fmt, ...)
{
	char detail[600];
	va_list ap;

	detail[0] = '\0';
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(detail, sizeof(detail), fmt, ap);
		va_end(ap);
	}
	if (qtc_failed(q)) {
		check(false, name, "%s%s%s", detail, *detail ? "; " : "", qtc_error(q));
		qtc_clear_error(q);
		return false;
	}
	return check(ok, name, "%s", detail);
}

/* The plan and the totals; the program's exit code */
static int __attribute__((unused)) tap_finish(void)
{
	printf("1..%d\n", tap_case);
	printf("# Totals: pass:%d fail:%d xfail:0 xpass:0 skip:0 error:0\n",
	       tap_pass, tap_fail);
	return tap_fail ? 1 : 0;
}

#endif /* QTEST_TAP_H */
