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

FZ_LIBFUZZER_TARGET(FZ_MSFILTER)
