// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel finding (fuzz_sockopt, 2026-11-22, Linux 6.18.44): leaving a group by
 * the address it was joined with leaks the device membership when that address
 * is not local, without any privilege and without touching addresses.
 *
 * IP_ADD_MEMBERSHIP with ip_mreqn {group, imr_address 10.0.0.2 (not ours),
 * imr_ifindex v0} joins on v0 (the ifindex wins, the address is stored as
 * given). IP_DROP_MEMBERSHIP with ip_mreq {group, 10.0.0.2}: ip_mc_find_dev()
 * finds no device for the non-local address, so ip_mc_leave_group() matches the
 * socket entry by its stored address, removes it and returns 0, but skips
 * ip_mc_dec_group() (in_dev is NULL): /proc/net/igmp keeps "users 1" for the
 * group after the socket is closed, until v0 is destroyed, and the group goes
 * on being reported. kernel-spec.md 3.5 documents the same leak when an
 * interface address is removed; this path needs no address change at all and
 * any unprivileged process can repeat it for many groups.
 *
 * Environment: a private netns (never the caller's), veth v0 10.0.0.1/24 whose
 * peer is in a second private netns. Run as root (only for the namespaces).
 * Build: cc -D_GNU_SOURCE -Iprobes/lib -o leak fuzz/findings/leave_by_address_leak.c probes/lib/mcp.c
 * Affected output: "after close: users 1" (expected 0).
 */
#include "mcp.h"
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
	struct ip_mreqn mn;
	struct ip_mreq m;
	int peer, fd, rc;

	if (unshare(CLONE_NEWNET) < 0 || mcp_link_set_up("lo", 1) < 0) {
		perror("unshare");
		return 2;
	}
	peer = mcp_ns_new();
	if (peer < 0 || mcp_link_pair("v0", "10.0.0.1/24", peer, "v1", "10.0.0.2/24") < 0) {
		perror("veth");
		return 2;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&mn, 0, sizeof(mn));
	mn.imr_multiaddr = mcp_in("239.1.2.3");
	mn.imr_address = mcp_in("10.0.0.2");	/* the peer's address: not local here */
	mn.imr_ifindex = mcp_ifindex("v0");
	rc = setsockopt(fd, SOL_IP, IP_ADD_MEMBERSHIP, &mn, sizeof(mn));
	printf("join {239.1.2.3, 10.0.0.2, v0}: %d, users %d\n", rc, mcp_igmp_users("v0", "239.1.2.3"));
	m.imr_multiaddr = mcp_in("239.1.2.3");
	m.imr_interface = mcp_in("10.0.0.2");
	rc = setsockopt(fd, SOL_IP, IP_DROP_MEMBERSHIP, &m, sizeof(m));
	printf("leave {239.1.2.3, 10.0.0.2}: %d, users %d\n", rc, mcp_igmp_users("v0", "239.1.2.3"));
	close(fd);
	printf("after close: users %d\n", mcp_igmp_users("v0", "239.1.2.3"));
	return 0;
}
