// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel finding (fuzz_sockopt, 2026-11-21/22, Linux 6.18.44; also 6.1 and
 * 6.12 through the probe checks): source filters of an INCLUDE-mode group that
 * change while the link is down are wrong after link up.
 *
 * ip_mc_down() parks the source records of every INCLUDE-mode group in a tomb
 * record (igmpv3_add_delrec: pmc->sources = im->sources, im->sources = NULL).
 * While the link is down, socket operations work on the group's now empty live
 * list; ip_mc_up() swaps the parked list back (igmpv3_del_delrec) and frees
 * whatever the live list held. Three effects, all without privilege beyond
 * owning the sockets:
 *   1. a socket that leaves (close, drop) while the link is down leaves its
 *      source in the device filter: ip_mc_del_src() found no record, so the
 *      parked count is never decremented ("ghost" source, INC 1, no holder);
 *      the host accepts that source's traffic and reports it to routers;
 *   2. a source added while the link is down is lost at link up: the socket's
 *      own filter has it, the device filter does not, nothing from it arrives;
 *   3. the ghost outlives the group: the last close parks it in a new tomb
 *      record and the next INCLUDE join of the group while the state-change
 *      reports last (igmp_qrv of them) takes it back.
 * The fuzzer saw effect 3 across inputs ("232.1.1.1 source 10.99.0.3 INC 1,
 * model 0" right after joining 232.1.1.1 with another source). An earlier
 * attempt (join, down, close, up, re-join with one socket) does not show it:
 * the close while down makes a second, empty tomb record, which the re-join
 * finds first. It takes a second socket keeping the group alive across up.
 *
 * /proc/net/mcfilter hides a device whose newest group has no sources (finding
 * 1, mcfilter_first_group.c), and ip_mc_up() re-adds 224.0.0.1 at the head:
 * a sourced group is joined after up so the rows show.
 *
 * Environment: a private netns (never the caller's), veth v0 10.0.0.1/24 whose
 * peer is in a second private netns. Run as root (only for the namespaces).
 * Build: cc -D_GNU_SOURCE -Iprobes/lib -o lds fuzz/findings/link_down_include_sources.c probes/lib/mcp.c
 * Output: the device rows after each step and one verdict line per effect;
 * exit 1 when any effect shows, 0 when none does, 2 on a setup error.
 */
#include "mcp.h"
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int ssm(int fd, const char *group, const char *src)
{
	struct ip_mreq_source ms;

	if (fd < 0)
		fd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&ms, 0, sizeof(ms));
	ms.imr_multiaddr = mcp_in(group);
	ms.imr_interface = mcp_in("10.0.0.1");
	ms.imr_sourceaddr = mcp_in(src);
	if (fd < 0 || setsockopt(fd, SOL_IP, IP_ADD_SOURCE_MEMBERSHIP, &ms, sizeof(ms)) < 0) {
		perror("IP_ADD_SOURCE_MEMBERSHIP");
		_exit(2);
	}
	return fd;
}

/* prints v0's mcfilter rows of group; returns whether src is among them */
static int rows(const char *what, const char *group, const char *src)
{
	char line[256], g[16], s[16];
	int found = 0;
	FILE *f = fopen("/proc/self/net/mcfilter", "r");

	snprintf(g, sizeof(g), "0x%08x", ntohl(mcp_in(group).s_addr));
	snprintf(s, sizeof(s), "0x%08x", ntohl(mcp_in(src).s_addr));
	printf("%s\n", what);
	while (f && fgets(line, sizeof(line), f)) {
		if (!strstr(line, g))
			continue;
		printf("    %s", line);
		found |= strstr(line, s) != NULL;
	}
	if (f)
		fclose(f);
	return found;
}

static void link_set(const char *dev, int up)
{
	if (mcp_link_set_up(dev, up) < 0) {
		perror("link");
		_exit(2);
	}
}

int main(void)
{
	int peer, a, b, c, d, z, ghost, lost, back;

	if (unshare(CLONE_NEWNET) < 0 || mcp_link_set_up("lo", 1) < 0) {
		perror("unshare");
		return 2;
	}
	peer = mcp_ns_new();
	if (peer < 0 || mcp_link_pair("v0", "10.0.0.1/24", peer, "v1", "10.0.0.2/24") < 0) {
		perror("veth");
		return 2;
	}
	/* the tomb of step 3 lives until the second state-change report: make
	 * that a random time below 10 s instead of below 1 s */
	mcp_sysctl_set_int("net.ipv4.conf.v0.igmpv3_unsolicited_report_interval", 10000);

	a = ssm(-1, "232.1.1.1", "10.0.0.3");
	b = ssm(-1, "232.1.1.1", "10.0.0.4");
	c = ssm(-1, "232.1.1.2", "10.0.0.5");
	link_set("v0", 0);
	close(a);				/* effect 1: 10.0.0.3 has no holder now */
	ssm(c, "232.1.1.2", "10.0.0.6");	/* effect 2: added while down */
	link_set("v0", 1);
	z = ssm(-1, "232.1.1.9", "10.0.0.9");	/* rows of v0 visible again */

	ghost = rows("232.1.1.1 after up (A with 10.0.0.3 closed while down, B has 10.0.0.4):",
		     "232.1.1.1", "10.0.0.3");
	lost = !rows("232.1.1.2 after up (C added 10.0.0.6 while down):", "232.1.1.2", "10.0.0.6");
	close(b);				/* last member: 232.1.1.1 goes to a tomb */
	d = ssm(-1, "232.1.1.1", "10.0.0.7");
	back = rows("232.1.1.1 after B closed and D joined with 10.0.0.7:", "232.1.1.1", "10.0.0.3");

	printf("effect 1, source of a socket closed while down kept: %s\n", ghost ? "AFFECTED" : "no");
	printf("effect 2, source added while down lost at up:      %s\n", lost ? "AFFECTED" : "no");
	printf("effect 3, stale source taken back by a new join:   %s\n", back ? "AFFECTED" : "no");
	close(d);
	close(c);
	close(z);
	return ghost || lost || back;
}
