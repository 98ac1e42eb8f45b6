// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz_sockopt - libFuzzer target: programs of socket operations over a
 * table of four sockets (UDP, UDP-Lite, raw IGMP, TCP; IPv4 and IPv6): every
 * multicast option set and read back, bind/connect/listen/accept/send/recv/
 * close, igmp_max_memberships/igmp_max_msf changes, f0 down/up/delete while
 * memberships exist. Judged step by step against the model (fz_model.c).
 * Runs only inside its own network namespaces (fz_env.c).
 */
#include "fz.h"

FZ_LIBFUZZER_TARGET(FZ_SOCKOPT)
