/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mrt.h - the family-neutral half of the multicast routing socket API
 * probes (scope: ipmr, MRT_*; scope6: ip6mr, MRT6_*).
 *
 * Both APIs have the same shape: an INIT/DONE pair on a raw socket of one
 * protocol, interface and MFC add/del options, a VERSION getsockopt that
 * says whether the kernel has multicast routing at all, and an
 * all.mc_forwarding sysctl owned by INIT/DONE. What differs (socket
 * protocol, option numbers, the control structs) is in struct mrt_family;
 * each probe keeps its own rows and check ids and builds one row's call.
 *
 * Helpers return -1 and set errno on failure, or are mcp_broken() on setup
 * failure like the probes themselves.
 */
#ifndef MRT_H
#define MRT_H

#include <stddef.h>

/* which socket an API row's call is made on */
enum { MRT_S_A, MRT_S_B, MRT_S_UDP, MRT_S_RAW_UDP, MRT_S_NOCAP, MRT_S_N };

/* One API row. op is the probe's own; len 0: the option's own size;
 * ifindex 0: m0's, -1: m1's, else this value; idx is the VIF/MIF index, or
 * the MFC parent for the MFC ops. */
struct mrt_row {
	const char *id;
	int sock, op, len, idx, ifindex;
	const char *group;
};

struct mrt_family {
	int domain, proto, level;	/* the router socket and option level */
	int opt_init, opt_done, opt_version;
	const char *routing;		/* "IPv4 multicast routing" */
	const char *version_name;	/* "MRT_VERSION" */
	const char *config;		/* "CONFIG_IP_MROUTE" */
	const char *mc_forwarding;	/* the all.mc_forwarding sysctl */
	int (*pin)(void);		/* namespace setup after the check, or NULL */
	/* the row's setsockopt on fd; m0, m1: the veth pair's ifindexes */
	int (*call)(int fd, const struct mrt_row *rw, int m0, int m1);
};

/* 1 when the kernel has no multicast routing for the family: every id is
 * then a SKIP; 0 when it has */
int mrt_missing(const struct mrt_family *f, const char *const *ids, size_t n);

/* every row's errno, on a veth pair m0/m1 in the scenario's netns */
void mrt_api(const struct mrt_family *f, const struct mrt_row *rows, size_t n);

/* all.mc_forwarding before INIT, after it, written to 0, after DONE */
void mrt_mc_forwarding(const struct mrt_family *f, const char *id);

#endif
