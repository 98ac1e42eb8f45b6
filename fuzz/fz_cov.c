// SPDX-License-Identifier: GPL-2.0
/*
 * fz_cov.c - where the fuzzers' extra coverage comes from.
 *
 * Default: nothing beyond libFuzzer's own instrumentation of the harness.
 * -DMCP_FUZZ_KCOV: kernel coverage from KCOV (a VM with CONFIG_KCOV and
 * debugfs): each input runs between KCOV_ENABLE and KCOV_DISABLE on this
 * thread, and every pair (previous PC, PC) is hashed into a byte array in
 * libFuzzer's __libfuzzer_extra_counters section, which libFuzzer treats as
 * features (watch ft:, not cov:). KCOV is opened lazily per process, so
 * -fork/-jobs children each get their own fd. Packets injected through the
 * veth are handled in softirq and stay invisible to KCOV; a TAP writer would
 * be covered (see fuzz/README section in the closing note).
 * Another source only has to provide these three functions.
 */
#include "fz.h"

#ifdef MCP_FUZZ_KCOV
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define KCOV_INIT_TRACE _IOR('c', 1, unsigned long)
#define KCOV_ENABLE _IO('c', 100)
#define KCOV_DISABLE _IO('c', 101)
#define KCOV_TRACE_PC 0
#define COVER_WORDS (256u << 10)
#define COUNTERS (64u << 10)

__attribute__((section("__libfuzzer_extra_counters"))) static uint8_t kcov_counters[COUNTERS];
static unsigned long *cover;
static int kcov_fd = -1;

void fz_cov_init(void)
{
	kcov_fd = open("/sys/kernel/debug/kcov", O_RDWR | O_CLOEXEC);
	if (kcov_fd < 0) {
		perror("mcprobe-fuzz: MCP_FUZZ_KCOV build but /sys/kernel/debug/kcov");
		return;
	}
	if (ioctl(kcov_fd, KCOV_INIT_TRACE, (unsigned long)COVER_WORDS) < 0)
		goto fail;
	cover = mmap(NULL, COVER_WORDS * sizeof(unsigned long), PROT_READ | PROT_WRITE, MAP_SHARED,
		     kcov_fd, 0);
	if (cover == MAP_FAILED)
		goto fail;
	return;
fail:
	perror("mcprobe-fuzz: kcov setup");
	close(kcov_fd);
	kcov_fd = -1;
	cover = NULL;
}

void fz_cov_begin(void)
{
	if (!cover)
		return;
	if (ioctl(kcov_fd, KCOV_ENABLE, KCOV_TRACE_PC) == 0)
		__atomic_store_n(&cover[0], 0, __ATOMIC_RELAXED);
}

void fz_cov_end(void)
{
	unsigned long n, prev = 0;

	if (!cover)
		return;
	n = __atomic_load_n(&cover[0], __ATOMIC_RELAXED);
	ioctl(kcov_fd, KCOV_DISABLE, 0);
	if (n > COVER_WORDS - 1)
		n = COVER_WORDS - 1;
	for (unsigned long i = 1; i <= n; i++) {
		unsigned long pc = cover[i];
		unsigned long h = (pc ^ (prev >> 1)) * 0x9E3779B97F4A7C15ull;

		kcov_counters[(h >> 40) % COUNTERS]++;
		prev = pc;
	}
}
#else
void fz_cov_init(void) {}
void fz_cov_begin(void) {}
void fz_cov_end(void) {}
#endif
