// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel finding (fuzz_msfilter / fuzz_sockopt, 2026-11-21, Linux 6.18.44):
 * /proc/net/mcfilter does not print the source filters of a device whose most
 * recently added group has no sources.
 *
 * igmp_mcf_get_first() (net/ipv4/igmp.c) looks only at the FIRST group record
 * of each device (in_dev->mc_list, newest first) for a source list; a device
 * whose head group has none is skipped as a whole, so its other groups' sources
 * are not printed, and if no device qualifies the file is empty. The filter
 * itself is intact (IP_MSFILTER get, delivery): only the /proc view is wrong.
 * A link down/up shows the same: ip_mc_up re-adds 224.0.0.1 at the head.
 *
 * Environment: a private netns (never the caller's), veth v0 10.0.0.1/24 whose
 * peer is in a second private netns. Run as root.
 * Build: cc -D_GNU_SOURCE -Iprobes/lib -o mcf fuzz/findings/mcfilter_first_group.c probes/lib/mcp.c
 * Expected output on an affected kernel: "rows: 1", "rows: 0", "rows: 1".
 */
#include "mcp.h"
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int mcfilter_rows(void)
{
	char line[256];
	int n = -1;	/* the header line */
	FILE *f = fopen("/proc/self/net/mcfilter", "r");

	while (f && fgets(line, sizeof(line), f))
		n++;
	if (f)
		fclose(f);
	return n;
}

int main(void)
{
	struct ip_mreq_source ms;
	int peer, fd, idx;

	if (unshare(CLONE_NEWNET) < 0 || mcp_link_set_up("lo", 1) < 0) {
		perror("unshare");
		return 2;
	}
	peer = mcp_ns_new();
	if (peer < 0 || mcp_link_pair("v0", "10.0.0.1/24", peer, "v1", "10.0.0.2/24") < 0) {
		perror("veth");
		return 2;
	}
	idx = mcp_ifindex("v0");
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&ms, 0, sizeof(ms));
	ms.imr_multiaddr = mcp_in("232.1.1.1");
	ms.imr_interface = mcp_in("10.0.0.1");
	ms.imr_sourceaddr = mcp_in("10.0.0.2");
	if (setsockopt(fd, SOL_IP, IP_ADD_SOURCE_MEMBERSHIP, &ms, sizeof(ms)) < 0) {
		perror("IP_ADD_SOURCE_MEMBERSHIP");
		return 2;
	}
	printf("SSM (232.1.1.1, source 10.0.0.2) on v0          rows: %d\n", mcfilter_rows());
	if (mcp_join_ifindex(fd, "239.1.2.3", idx) < 0) {
		perror("join");
		return 2;
	}
	printf("then ASM 239.1.2.3 on v0 (now v0's first group) rows: %d\n", mcfilter_rows());
	mcp_drop_ifindex(fd, "239.1.2.3", idx);
	printf("then 239.1.2.3 left again                       rows: %d\n", mcfilter_rows());
	return 0;
}
