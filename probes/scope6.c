// SPDX-License-Identifier: GPL-2.0
/*
 * scope6 - IPv6 multicast scoping across a router: which datagrams the
 * kernel's own IPv6 multicast forwarding (ip6mr, driven through the MRT6_*
 * socket API, no daemon) passes on, with what hop limit, and the errnos of
 * that API.
 *
 * Tested ("router"): hop limit 1 (the default) does not cross the router,
 * 2 arrives with 1, 64 with 63, 255 with 254, for site (ff05), admin (ff04),
 * organisation (ff08) and global (ff0e) scope groups; link-local ff02::/16
 * groups (one of our own and all-nodes ff02::1) are never forwarded whatever
 * the hop limit, though an MFC entry says to. The router's own member socket
 * on the incoming link shows that every datagram did reach the router; the
 * (S,G) counters (SIOCGETSGCNT_IN6) show which were handed to ip6mr at all.
 * "mrt6_api": the MRT6_* setsockopt errnos (MRT6_INIT twice, on the wrong
 * socket, short optlens, MIF indexes and ifindexes, MFC entries, MRT6_DONE,
 * an option before MRT6_INIT with and without CAP_NET_ADMIN over the netns).
 * "mc_forwarding": net.ipv6.conf.all.mc_forwarding follows MRT6_INIT and
 * MRT6_DONE and cannot be written.
 *
 * Environment: the scenario's namespace is the router R; sender S and
 * receiver D are peer namespaces over veth:
 *   S s0 fd00:31:1::2/64 <-> r0 fd00:31:1::1/64  R  r1 fd00:31:2::1/64 <-> d0 fd00:31:2::2/64 D
 * IPv6 on, DAD off, addr_gen_mode 1 (no automatic link-local addresses,
 * every address NODAD, lib/dlv6.h) in every namespace; forwarding 1 pinned
 * in R. R: MRT6_INIT on a raw ICMPv6 socket, MIF 0 = r0, MIF 1 = r1, one
 * (S,G) MFC entry per group from MIF 0 with mf6cc_ifset {1}. Every veth end
 * has the kernel's own "multicast ff00::/8 dev X table local" route. D and
 * R (on r0) join every group. Each observation is followed by a sentinel
 * (hop limit 64, a forwarded site group) along the same path: counts are
 * what arrived before it (lib/dlv.h). Without CONFIG_IPV6_MROUTE every
 * check is a SKIP.
 */
#include "mcp.h"
#include "dlv.h"
#include "dlv6.h"
#include "mrt.h"

#include <arpa/inet.h>
#include <linux/mroute6.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define LEN 64
#define PORT 7100
#define SRC "fd00:31:1::2"
#define G_SENTINEL "ff05::31:1"

static const char *const groups[] = {
	G_SENTINEL,
	"ff05::31:2",	/* 1 site */
	"ff0e::31:2",	/* 2 global */
	"ff04::31:2",	/* 3 admin-local */
	"ff08::31:2",	/* 4 organisation-local */
	"ff02::31:2",	/* 5 link-local: an MFC entry exists, nothing may cross */
	"ff02::1",	/* 6 all-nodes */
};

/* group: index into groups[]; hops -1 leaves the sender's default */
static const struct route_row {
	const char *id;
	int group, hops;
	uint32_t tag;
} route_rows[] = {
	{ "ipv6.scope.router.default_hops_not_forwarded", 1, -1, 10 },
	{ "ipv6.scope.site_ff05.hops_1", 1, 1, 11 },
	{ "ipv6.scope.site_ff05.hops_2", 1, 2, 12 },
	{ "ipv6.scope.site_ff05.hops_64", 1, 64, 13 },
	{ "ipv6.scope.site_ff05.hops_255", 1, 255, 14 },
	{ "ipv6.scope.global_ff0e.hops_1", 2, 1, 15 },
	{ "ipv6.scope.global_ff0e.hops_2", 2, 2, 16 },
	{ "ipv6.scope.global_ff0e.hops_64", 2, 64, 17 },
	{ "ipv6.scope.admin_local_ff04.hops_2", 3, 2, 18 },
	{ "ipv6.scope.organization_local_ff08.hops_2", 4, 2, 19 },
	{ "ipv6.scope.link_local_ff02.hops_2", 5, 2, 20 },
	{ "ipv6.scope.link_local_ff02.hops_64", 5, 64, 21 },
	{ "ipv6.scope.link_local_ff02.hops_255", 5, 255, 22 },
	{ "ipv6.scope.link_local_ff02_1.hops_255", 6, 255, 23 },
};

static const char forwarded_counter_id[] = "ipv6.scope.router.forwarded_counter";

static int ns_s, ns_d, mrt = -1, sender, rcv_d, rcv_r;

struct addr_arg {
	const char *dev, *cidr;
};

static int addr_cb(void *p)
{
	const struct addr_arg *a = p;

	return dlv6_addr_add(a->dev, a->cidr);
}

static int addr_in(int nsfd, const char *dev, const char *cidr)
{
	struct addr_arg a = { dev, cidr };

	return mcp_in_ns(nsfd, addr_cb, &a);
}

static int sock_in6(struct sockaddr_in6 *s, const char *addr)
{
	memset(s, 0, sizeof(*s));
	s->sin6_family = AF_INET6;
	return inet_pton(AF_INET6, addr, &s->sin6_addr) == 1 ? 0 : -1;
}

static int add_mif(int fd, int mifi, int ifindex)
{
	struct mif6ctl m = { .mif6c_mifi = (mifi_t)mifi, .mif6c_pifi = (unsigned short)ifindex };

	return setsockopt(fd, IPPROTO_IPV6, MRT6_ADD_MIF, &m, sizeof(m));
}

/* (SRC, group) from MIF 0 to MIF 1 */
static int add_mfc(int fd, const char *group)
{
	struct mf6cctl m;

	memset(&m, 0, sizeof(m));
	if (sock_in6(&m.mf6cc_origin, SRC) < 0 || sock_in6(&m.mf6cc_mcastgrp, group) < 0) {
		errno = EINVAL;
		return -1;
	}
	m.mf6cc_parent = 0;
	IF_SET(1, &m.mf6cc_ifset);
	return setsockopt(fd, IPPROTO_IPV6, MRT6_ADD_MFC, &m, sizeof(m));
}

/* the MRT6_* API, with its rows, at the end */
static const struct mrt_family ip6mr;

static int router_missing(void)
{
	const char *ids[MCP_ARRAY_SIZE(route_rows) + 1];

	for (size_t i = 0; i < MCP_ARRAY_SIZE(route_rows); i++)
		ids[i] = route_rows[i].id;
	ids[MCP_ARRAY_SIZE(route_rows)] = forwarded_counter_id;
	return mrt_missing(&ip6mr, ids, MCP_ARRAY_SIZE(ids));
}

static void topo(void)
{
	int one = 1, d0, r0, s0;

	MCP_SAFE(dlv_pin_cpu());
	MCP_SAFE(dlv6_pin());
	mcp_pin("net.ipv6.conf.all.forwarding", 1);
	ns_s = MCP_SAFE(dlv6_ns_new());
	ns_d = MCP_SAFE(dlv6_ns_new());
	MCP_SAFE(dlv_link_pair("r0", NULL, ns_s, "s0", NULL));
	MCP_SAFE(dlv_link_pair("r1", NULL, ns_d, "d0", NULL));
	MCP_SAFE(dlv6_addr_add("r0", "fd00:31:1::1/64"));
	MCP_SAFE(dlv6_addr_add("r1", "fd00:31:2::1/64"));
	MCP_SAFE(addr_in(ns_s, "s0", SRC "/64"));
	MCP_SAFE(addr_in(ns_d, "d0", "fd00:31:2::2/64"));

	mrt = MCP_SAFE(socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6));
	MCP_SAFE(setsockopt(mrt, IPPROTO_IPV6, MRT6_INIT, &one, sizeof(one)));
	MCP_SAFE(add_mif(mrt, 0, mcp_ifindex("r0")));
	MCP_SAFE(add_mif(mrt, 1, mcp_ifindex("r1")));
	for (size_t i = 0; i < MCP_ARRAY_SIZE(groups); i++)
		if (add_mfc(mrt, groups[i]) < 0)
			mcp_broken("MRT6_ADD_MFC %s", groups[i]);

	rcv_d = MCP_SAFE(dlv6_udp_in(ns_d, 0, "::", PORT));
	rcv_r = MCP_SAFE(dlv6_udp(0, "::", PORT));
	d0 = MCP_SAFE(dlv_ifindex_in(ns_d, "d0"));
	r0 = MCP_SAFE(mcp_ifindex("r0"));
	for (size_t i = 0; i < MCP_ARRAY_SIZE(groups); i++)
		if (dlv6_join(rcv_d, groups[i], d0) < 0 || dlv6_join(rcv_r, groups[i], r0) < 0)
			mcp_broken("join %s", groups[i]);
	sender = MCP_SAFE(dlv6_udp_in(ns_s, 0, "::", 0));
	s0 = MCP_SAFE(dlv_ifindex_in(ns_s, "s0"));
	MCP_SAFE(dlv6_set_if(sender, s0));
}

static void observe(const struct route_row *rw)
{
	struct dlv6_rx first;
	struct mcp_res r;
	int n, at_router;

	MCP_SAFE(dlv6_set_hops(sender, rw->hops));	/* -1 restores the default */
	r = MCP_TRY((int)dlv6_send(sender, groups[rw->group], PORT, rw->tag, 0, LEN));
	MCP_SAFE(dlv6_set_hops(sender, 64));
	if (dlv6_send(sender, G_SENTINEL, PORT, DLV_TAG_SENTINEL, 0, LEN) != LEN)
		mcp_broken("sentinel");
	n = dlv6_count_until_sentinel(rcv_d, rw->tag, &first);
	at_router = dlv6_count_until_sentinel(rcv_r, rw->tag, NULL);
	obs_begin("%s", rw->id);
	obs_res("send", r);
	obs_int("router_received", at_router);
	obs_int("received", n);
	obs_int("hoplimit", n ? first.hoplimit : -1);
	obs_end();
}

static long long sg_packets(const char *group)
{
	struct sioc_sg_req6 sg;

	memset(&sg, 0, sizeof(sg));
	if (sock_in6(&sg.src, SRC) < 0 || sock_in6(&sg.grp, group) < 0)
		mcp_broken("address");
	if (ioctl(mrt, SIOCGETSGCNT_IN6, &sg) < 0)
		return -1;
	return (long long)sg.pktcnt;
}

static void router(void)
{
	if (router_missing())
		return;
	topo();
	for (size_t i = 0; i < MCP_ARRAY_SIZE(route_rows); i++)
		observe(&route_rows[i]);

	/* the site group's 5 datagrams were all handed to ip6mr (counted
	 * before the hop-limit test); the link-local group's never were */
	obs_begin("%s", forwarded_counter_id);
	obs_int("site_group_packets", sg_packets(groups[1]));
	obs_int("link_local_group_packets", sg_packets(groups[5]));
	obs_end();
	close(mrt);
}

/* ------------------------------------------------------------------ */
/* MRT6_* errnos */

enum { OP_INIT, OP_DONE, OP_ADD_MIF, OP_DEL_MIF, OP_ADD_MFC, OP_DEL_MFC };
enum { S_A = MRT_S_A, S_B = MRT_S_B, S_UDP = MRT_S_UDP, S_RAW_UDP = MRT_S_RAW_UDP, S_NOCAP = MRT_S_NOCAP };

/* struct mrt_row (lib/mrt.h): idx is the MIF index, or the MFC parent */
static const struct mrt_row api_rows[] = {
	/* before any MRT6_INIT: allowed to a CAP_NET_ADMIN holder */
	{ "ipv6.scope.mrt6.add_mif_before_init", S_A, OP_ADD_MIF, 0, 5, 0, NULL },
	{ "ipv6.scope.mrt6.del_mif_before_init", S_A, OP_DEL_MIF, 0, 5, 0, NULL },
	{ "ipv6.scope.mrt6.add_mif_before_init_without_net_admin", S_NOCAP, OP_ADD_MIF, 0, 6, 0, NULL },
	{ "ipv6.scope.mrt6.init_udp_socket", S_UDP, OP_INIT, 0, 0, 0, NULL },
	{ "ipv6.scope.mrt6.init_raw_udp_socket", S_RAW_UDP, OP_INIT, 0, 0, 0, NULL },
	{ "ipv6.scope.mrt6.init_optlen_2", S_A, OP_INIT, 2, 0, 0, NULL },
	{ "ipv6.scope.mrt6.init", S_A, OP_INIT, 0, 0, 0, NULL },
	{ "ipv6.scope.mrt6.init_twice_same_socket", S_A, OP_INIT, 0, 0, 0, NULL },
	{ "ipv6.scope.mrt6.init_second_socket", S_B, OP_INIT, 0, 0, 0, NULL },
	{ "ipv6.scope.mrt6.add_mif", S_A, OP_ADD_MIF, 0, 0, 0, NULL },
	{ "ipv6.scope.mrt6.add_mif_same_index", S_A, OP_ADD_MIF, 0, 0, 0, NULL },
	{ "ipv6.scope.mrt6.add_mif_index_31", S_A, OP_ADD_MIF, 0, 31, -1, NULL },
	{ "ipv6.scope.mrt6.add_mif_index_32", S_A, OP_ADD_MIF, 0, 32, 0, NULL },
	{ "ipv6.scope.mrt6.add_mif_ifindex_nonexistent", S_A, OP_ADD_MIF, 0, 1, 65535, NULL },
	{ "ipv6.scope.mrt6.add_mif_optlen_short", S_A, OP_ADD_MIF, (int)sizeof(struct mif6ctl) - 1, 1, 0, NULL },
	{ "ipv6.scope.mrt6.del_mif_absent", S_A, OP_DEL_MIF, 0, 2, 0, NULL },
	{ "ipv6.scope.mrt6.del_mif_index_32", S_A, OP_DEL_MIF, 0, 32, 0, NULL },
	{ "ipv6.scope.mrt6.del_mif_optlen_1", S_A, OP_DEL_MIF, 1, 31, 0, NULL },
	{ "ipv6.scope.mrt6.add_mfc", S_A, OP_ADD_MFC, 0, 0, 0, "ff05::32:1" },
	{ "ipv6.scope.mrt6.add_mfc_unicast_group", S_A, OP_ADD_MFC, 0, 0, 0, "fd00::32:1" },
	{ "ipv6.scope.mrt6.add_mfc_parent_32", S_A, OP_ADD_MFC, 0, 32, 0, "ff05::32:2" },
	{ "ipv6.scope.mrt6.add_mfc_optlen_short", S_A, OP_ADD_MFC, (int)sizeof(struct mf6cctl) - 1, 0, 0, "ff05::32:3" },
	{ "ipv6.scope.mrt6.del_mfc", S_A, OP_DEL_MFC, 0, 0, 0, "ff05::32:1" },
	{ "ipv6.scope.mrt6.del_mfc_absent", S_A, OP_DEL_MFC, 0, 0, 0, "ff05::32:1" },
	{ "ipv6.scope.mrt6.done_not_mroute_socket", S_B, OP_DONE, 0, 0, 0, NULL },
	{ "ipv6.scope.mrt6.done", S_A, OP_DONE, 0, 0, 0, NULL },
	{ "ipv6.scope.mrt6.done_twice", S_A, OP_DONE, 0, 0, 0, NULL },
	{ "ipv6.scope.mrt6.add_mif_after_done", S_A, OP_ADD_MIF, 0, 3, 0, NULL },
	/* B takes the router role if the kernel lets optlen 8 through */
	{ "ipv6.scope.mrt6.init_optlen_8", S_B, OP_INIT, 8, 0, 0, NULL },
	{ "ipv6.scope.mrt6.init_after_done", S_A, OP_INIT, 0, 0, 0, NULL },
};

static int api_call(int fd, const struct mrt_row *rw, int m0, int m1)
{
	union {
		int one[2];
		struct mif6ctl mif;
		mifi_t mifi;
		struct mf6cctl mfc;
	} u;
	static const int opt[] = { MRT6_INIT, MRT6_DONE, MRT6_ADD_MIF, MRT6_DEL_MIF, MRT6_ADD_MFC, MRT6_DEL_MFC };
	socklen_t size[] = { sizeof(int), 0, sizeof(u.mif), sizeof(u.mifi), sizeof(u.mfc), sizeof(u.mfc) };

	memset(&u, 0, sizeof(u));
	u.one[0] = 1;
	if (rw->op == OP_ADD_MIF) {
		u.mif.mif6c_mifi = (mifi_t)rw->idx;
		u.mif.mif6c_pifi = (unsigned short)(rw->ifindex > 0 ? rw->ifindex : rw->ifindex ? m1 : m0);
	} else if (rw->op == OP_DEL_MIF) {
		u.mifi = (mifi_t)rw->idx;
	} else if (rw->op == OP_ADD_MFC || rw->op == OP_DEL_MFC) {
		if (sock_in6(&u.mfc.mf6cc_origin, SRC) < 0 || sock_in6(&u.mfc.mf6cc_mcastgrp, rw->group) < 0)
			mcp_broken("address %s", rw->group);
		u.mfc.mf6cc_parent = (mifi_t)rw->idx;
		IF_SET(1, &u.mfc.mf6cc_ifset);
	}
	return setsockopt(fd, IPPROTO_IPV6, opt[rw->op], &u,
			  rw->len ? (socklen_t)rw->len : size[rw->op]);
}

static const struct mrt_family ip6mr = {
	.domain = AF_INET6, .proto = IPPROTO_ICMPV6, .level = IPPROTO_IPV6,
	.opt_init = MRT6_INIT, .opt_done = MRT6_DONE, .opt_version = MRT6_VERSION,
	.routing = "IPv6 multicast routing", .version_name = "MRT6_VERSION",
	.config = "CONFIG_IPV6_MROUTE",
	.mc_forwarding = "net.ipv6.conf.all.mc_forwarding",
	.pin = dlv6_pin,
	.call = api_call,
};

static void mrt6_api(void)
{
	mrt_api(&ip6mr, api_rows, MCP_ARRAY_SIZE(api_rows));
}

/* net.ipv6.conf.all.mc_forwarding: owned by MRT6_INIT / MRT6_DONE */
static void mc_forwarding(void)
{
	mrt_mc_forwarding(&ip6mr, "ipv6.scope.mrt6.mc_forwarding");
}

static const struct mcp_scenario scenarios[] = {
	{ "router", router, 0 },
	{ "mrt6_api", mrt6_api, 0 },
	{ "mc_forwarding", mc_forwarding, 0 },
};

int main(int argc, char **argv)
{
	return mcp_main(argc, argv, "scope6", scenarios, MCP_ARRAY_SIZE(scenarios));
}
