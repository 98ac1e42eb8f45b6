// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_msfilter - libFuzzer target: source filters. IP_MSFILTER and
 * MCAST_MSFILTER (IPv4 and IPv6) with arbitrary numsrc, fmode and optlen,
 * the source options, read back with getsockopt; after each step the
 * socket state and /proc/net/mcfilter must equal the model (fz_model.c).
 * igmp_max_msf changes between steps.
 * Runs only inside its own network namespaces (fz_env.c).
 */
#include "fz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_env_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fz_run(FZ_MSFILTER, data, size);
}
