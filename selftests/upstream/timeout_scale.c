// SPDX-License-Identifier: GPL-2.0
/*
 * Linked into upstream's kselftest programs with -Wl,--wrap=alarm; their
 * source is not changed. The kselftest harness bounds each case with
 * alarm(30), a figure chosen for real hardware. On the debug kernel
 * (KASAN, lockdep, kmemleak) under QEMU's TCG everything runs many times
 * slower, so the test VM scales the bound by $KSFT_TIMEOUT_SCALE; elsewhere
 * the variable is unset and the bound is upstream's.
 */
#include <stdlib.h>
#include <unistd.h>

unsigned int __real_alarm(unsigned int seconds);
unsigned int __wrap_alarm(unsigned int seconds);

unsigned int __wrap_alarm(unsigned int seconds)
{
	const char *s = getenv("KSFT_TIMEOUT_SCALE");
	unsigned long scale = s ? strtoul(s, NULL, 10) : 1;

	if (seconds && scale > 1 && scale <= 20)
		seconds *= scale;
	return __real_alarm(seconds);
}
