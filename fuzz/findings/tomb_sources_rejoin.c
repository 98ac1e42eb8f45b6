// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel finding, OPEN (fuzz_sockopt, 2026-11-21, Linux 6.18.44): suspected
 * mechanism of the stale device source counts seen in a campaign (README.md
 * item 2). This standalone sequence does NOT reproduce it on 6.18.44 (the
 * last line shows only 10.0.0.2): kept as the starting point of the bisection.
 *
 * ip_mc_down() parks the sources of an INCLUDE-mode group in a tomb record
 * (igmpv3_add_delrec). If the last socket leaves while the link is down, that
 * tomb outlives the group. When the group is joined again after link up, before
 * the state-change reports have flushed the tomb, igmpv3_del_delrec() swaps the
 * parked sources, with their old sf_count, into the new group record: the
 * device now includes a source no socket asked for (/proc/net/mcfilter shows
 * it with INC 1; the socket's own filter, read with IP_MSFILTER, does not have it).
 *
 * Environment: a private netns (never the caller's), veth v0 10.0.0.1/24 whose
 * peer is in a second private netns. Run as root.
 * Build: cc -D_GNU_SOURCE -Iprobes/lib -o tomb fuzz/findings/tomb_sources_rejoin.c probes/lib/mcp.c
 * Affected output would be: the last line also lists source 0x0a000003.
 */
#include "mcp.h"
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int ssm(const char *src)
{
	struct ip_mreq_source ms;
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	memset(&ms, 0, sizeof(ms));
	ms.imr_multiaddr = mcp_in("232.1.1.1");
	ms.imr_interface = mcp_in("10.0.0.1");
	ms.imr_sourceaddr = mcp_in(src);
	if (fd < 0 || setsockopt(fd, SOL_IP, IP_ADD_SOURCE_MEMBERSHIP, &ms, sizeof(ms)) < 0) {
		perror("IP_ADD_SOURCE_MEMBERSHIP");
		_exit(2);
	}
	return fd;
}

static void show(const char *what)
{
	char line[256];
	FILE *f = fopen("/proc/self/net/mcfilter", "r");

	printf("%s\n", what);
	while (f && fgets(line, sizeof(line), f))
		printf("    %s", line);
	if (f)
		fclose(f);
}

int main(void)
{
	int peer, a, b;

	if (unshare(CLONE_NEWNET) < 0 || mcp_link_set_up("lo", 1) < 0) {
		perror("unshare");
		return 2;
	}
	peer = mcp_ns_new();
	if (peer < 0 || mcp_link_pair("v0", "10.0.0.1/24", peer, "v1", "10.0.0.2/24") < 0) {
		perror("veth");
		return 2;
	}
	a = ssm("10.0.0.3");
	show("A joined (232.1.1.1, 10.0.0.3):");
	mcp_link_set_up("v0", 0);
	close(a);	/* the last member leaves while v0 is down */
	mcp_link_set_up("v0", 1);
	b = ssm("10.0.0.2");	/* at once: before the state-change reports flush the tomb */
	show("v0 down, A closed, v0 up, B joined (232.1.1.1, 10.0.0.2):");
	close(b);
	return 0;
}
