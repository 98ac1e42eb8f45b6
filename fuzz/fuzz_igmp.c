// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_igmp - libFuzzer target: packets into the kernel. Sockets hold
 * memberships (ASM, SSM, filters) while IGMP queries, reports and leaves
 * built from the input (v1/v2/v3, bad checksums, wrong lengths, raw bytes)
 * arrive on f0 from the peer end of the veth: igmp_rcv, igmp_heard_query,
 * igmp_heard_report. Memberships must not move; the Querier column must follow v1/v2 queries.
 * Runs only inside its own network namespaces (fz_env.c).
 */
#include "fz.h"

FZ_LIBFUZZER_TARGET(FZ_IGMP)
