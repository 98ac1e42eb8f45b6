// SPDX-License-Identifier: GPL-2.0
/*
 * scope - TTL scoping across a multicast router: which datagrams the kernel's
 * own multicast forwarding (ipmr, driven through the MRT_* socket API, no
 * daemon) passes on, and with what TTL.
 *
 * Tested: TTL 1 (the default) does not cross the router; TTL 2 arrives with
 * TTL 1; a datagram whose TTL is not above the outgoing VIF's threshold in
 * the forwarding entry is not forwarded, one above it is and arrives with
 * TTL - 1. The thresholds are the classic TTL-scope table (0 host, 1 link,
 * 32 site, 64 region, 128 continent, 255 global/never), each a boundary the
 * router enforces. Also: whether the VIF's own vifc_threshold (MRT_ADD_VIF)
 * gates forwarding when the forwarding entry says otherwise. And that
 * 224.0.0.x (224.0.0.200, 224.0.0.1) is never forwarded whatever the TTL,
 * though an MFC entry says to.
 *
 * Environment: the scenario's namespace is the router R; sender S and
 * receivers D, D2 are peer namespaces:
 *   S s0 10.1.0.2/24 <-> r0 10.1.0.1/24  R  r1 10.2.0.1/24 <-> d0 10.2.0.2/24 D
 *                                           r2 10.3.0.1/24 <-> e0 10.3.0.2/24 D2
 * R: MRT_INIT on a raw IGMP socket; VIF 0 = r0, VIF 1 = r1 (threshold 1),
 * VIF 2 = r2 (vifc_threshold 200); one (S,G) MFC entry per group with the
 * TTL threshold of each outgoing VIF (what smcroute's/mrouted's per-interface
 * ttl-threshold becomes). rp_filter 0 everywhere it is pinned. D/D2 join all
 * groups. Every observation is followed by a sentinel datagram (TTL 64, a
 * group forwarded to r1 and r2) along the same path: counts are what
 * arrived before it (lib/dlv.h).
 *
 * "mrt_api": the MRT_* setsockopt errnos (MRT_INIT twice, on the wrong
 * socket, optlens, VIF indexes and ifindexes, MFC entries, MRT_DONE, an
 * option before MRT_INIT with and without CAP_NET_ADMIN over the netns), on
 * a veth pair m0/m1 in the scenario's own netns. "mc_forwarding":
 * net.ipv4.conf.all.mc_forwarding follows MRT_INIT / MRT_DONE and cannot be
 * written. Without CONFIG_IP_MROUTE every check is a SKIP.
 */
#include "mcp.h"
#include "dlv.h"
#include "mrt.h"

#include <arpa/inet.h>
#include <linux/mroute.h>
#include <sched.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <string.h>
#include <unistd.h>

#define LEN 64
#define PORT 7000
#define SRC "10.1.0.2"
#define G_SENTINEL "239.30.0.1"

struct grp {
	const char *group;
	int ttl_r1, ttl_r2;	/* MFC thresholds per outgoing VIF, 0 = not an oif */
};

static const struct grp groups[] = {
	{ G_SENTINEL, 1, 1 },
	{ "239.30.1.1", 1, 0 },		/* link */
	{ "239.30.1.32", 32, 0 },	/* site */
	{ "239.30.1.64", 64, 0 },	/* region */
	{ "239.30.1.128", 128, 0 },	/* continent */
	{ "239.30.1.254", 254, 0 },	/* global: everything but the last hop */
	{ "239.30.1.255", 255, 0 },	/* 255 = "never" in the MFC */
	{ "239.30.2.1", 0, 1 },		/* via r2 (vifc_threshold 200) with MFC ttl 1 */
	/* link-local: an MFC entry to r1 exists, yet nothing may be forwarded */
	{ "224.0.0.200", 1, 0 },
	{ "224.0.0.1", 1, 0 },
};

static int ns_s, ns_d, ns_d2, mrt = -1, sender, rcv_d, rcv_d2;

static int pin_rpf_cb(void *arg)
{
	const char *const *devs = arg;

	mcp_pin("net.ipv4.conf.all.rp_filter", 0);
	mcp_pin("net.ipv4.conf.default.rp_filter", 0);
	for (; devs && *devs; devs++)
		mcp_pin_conf("ipv4", *devs, "rp_filter", 0);
	return 0;
}

static void pin_rpf(int nsfd, const char *const *devs)
{
	if (mcp_in_ns(nsfd, pin_rpf_cb, (void *)devs) < 0)
		mcp_broken("enter namespace");
}

static int add_vif(int vifi, const char *dev, int threshold)
{
	struct vifctl v = {
		.vifc_vifi = (vifi_t)vifi,
		.vifc_flags = VIFF_USE_IFINDEX,
		.vifc_threshold = (unsigned char)threshold,
		.vifc_lcl_ifindex = mcp_ifindex(dev),
	};

	return setsockopt(mrt, IPPROTO_IP, MRT_ADD_VIF, &v, sizeof(v));
}

static int add_mfc(const struct grp *g)
{
	struct mfcctl m;

	memset(&m, 0, sizeof(m));
	m.mfcc_origin = mcp_in(SRC);
	m.mfcc_mcastgrp = mcp_in(g->group);
	m.mfcc_parent = 0;
	m.mfcc_ttls[1] = (unsigned char)g->ttl_r1;
	m.mfcc_ttls[2] = (unsigned char)g->ttl_r2;
	return setsockopt(mrt, IPPROTO_IP, MRT_ADD_MFC, &m, sizeof(m));
}

/* every datagram check: group is an index into groups[], ttl -1 leaves the
 * sender's default, second: received on d2 (behind r2) instead of d0 */
static const struct route_row {
	const char *id;
	int group, ttl, second;
	uint32_t tag;
} route_rows[] = {
	{ "ipv4.scope.router.default_ttl_not_forwarded", 1, -1, 0, 10 },
	{ "ipv4.scope.threshold_1.ttl_0", 1, 0, 0, 11 },
	{ "ipv4.scope.threshold_1.ttl_1", 1, 1, 0, 12 },
	{ "ipv4.scope.threshold_1.ttl_2", 1, 2, 0, 13 },
	{ "ipv4.scope.threshold_32.ttl_32", 2, 32, 0, 14 },
	{ "ipv4.scope.threshold_32.ttl_33", 2, 33, 0, 15 },
	{ "ipv4.scope.threshold_64.ttl_64", 3, 64, 0, 16 },
	{ "ipv4.scope.threshold_64.ttl_65", 3, 65, 0, 17 },
	{ "ipv4.scope.threshold_128.ttl_128", 4, 128, 0, 18 },
	{ "ipv4.scope.threshold_128.ttl_129", 4, 129, 0, 19 },
	{ "ipv4.scope.threshold_254.ttl_254", 5, 254, 0, 20 },
	{ "ipv4.scope.threshold_254.ttl_255", 5, 255, 0, 21 },
	{ "ipv4.scope.threshold_255.ttl_255", 6, 255, 0, 22 },
	{ "ipv4.scope.vif_threshold_200_mfc_ttl_1.ttl_64", 7, 64, 1, 99 },
	{ "ipv4.scope.link_local_224_0_0_200.ttl_2", 8, 2, 0, 30 },
	{ "ipv4.scope.link_local_224_0_0_200.ttl_64", 8, 64, 0, 31 },
	{ "ipv4.scope.link_local_224_0_0_200.ttl_255", 8, 255, 0, 32 },
	{ "ipv4.scope.link_local_224_0_0_1.ttl_255", 9, 255, 0, 33 },
};

static const char forwarded_counter_id[] = "ipv4.scope.router.forwarded_counter";

static void topo(void)
{
	static const char *const rdevs[] = { "r0", "r1", "r2", NULL };
	static const char *const ddevs[] = { "d0", NULL };
	static const char *const edevs[] = { "e0", NULL };
	int one = 1;

	if (dlv_pin_cpu() < 0)
		mcp_broken("pin to one CPU");
	pin_rpf(-1, NULL);
	ns_s = dlv_ns_new();
	ns_d = dlv_ns_new();
	ns_d2 = dlv_ns_new();
	if (ns_s < 0 || ns_d < 0 || ns_d2 < 0)
		mcp_broken("namespaces");
	pin_rpf(ns_d, NULL);
	pin_rpf(ns_d2, NULL);
	if (dlv_link_pair("r0", "10.1.0.1/24", ns_s, "s0", "10.1.0.2/24") < 0 ||
	    dlv_link_pair("r1", "10.2.0.1/24", ns_d, "d0", "10.2.0.2/24") < 0 ||
	    dlv_link_pair("r2", "10.3.0.1/24", ns_d2, "e0", "10.3.0.2/24") < 0)
		mcp_broken("veth pairs");
	pin_rpf(-1, rdevs);
	pin_rpf(ns_d, ddevs);
	pin_rpf(ns_d2, edevs);

	mrt = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_IGMP);
	if (mrt < 0)
		mcp_broken("raw IGMP socket");
	if (setsockopt(mrt, IPPROTO_IP, MRT_INIT, &one, sizeof(one)) < 0) {
		if (errno == ENOPROTOOPT || errno == EOPNOTSUPP) {
			/* CONFIG_IP_MROUTE is off: nothing here can be observed */
			int e = errno;

			for (size_t i = 0; i < MCP_ARRAY_SIZE(route_rows); i++)
				obs_skip(route_rows[i].id, "no IPv4 multicast routing (MRT_INIT: %s; CONFIG_IP_MROUTE)",
					 mcp_errname(e));
			obs_skip(forwarded_counter_id, "no IPv4 multicast routing (MRT_INIT: %s; CONFIG_IP_MROUTE)",
				 mcp_errname(e));
			_exit(0);
		}
		mcp_broken("MRT_INIT");
	}
	if (add_vif(0, "r0", 1) < 0 || add_vif(1, "r1", 1) < 0 || add_vif(2, "r2", 200) < 0)
		mcp_broken("MRT_ADD_VIF");
	for (size_t i = 0; i < MCP_ARRAY_SIZE(groups); i++)
		if (add_mfc(&groups[i]) < 0)
			mcp_broken("MRT_ADD_MFC %s", groups[i].group);

	rcv_d = dlv_udp_in(ns_d, 0, "0.0.0.0", PORT);
	rcv_d2 = dlv_udp_in(ns_d2, 0, "0.0.0.0", PORT);
	if (rcv_d < 0 || rcv_d2 < 0)
		mcp_broken("receivers");
	for (size_t i = 0; i < MCP_ARRAY_SIZE(groups); i++)
		if (mcp_join_ifindex(rcv_d, groups[i].group, dlv_ifindex_in(ns_d, "d0")) < 0 ||
		    mcp_join_ifindex(rcv_d2, groups[i].group, dlv_ifindex_in(ns_d2, "e0")) < 0)
			mcp_broken("join %s", groups[i].group);
	sender = dlv_udp_in(ns_s, 0, "0.0.0.0", 0);
	if (sender < 0 || dlv_set_if_index(sender, dlv_ifindex_in(ns_s, "s0")) < 0)
		mcp_broken("sender");
}

/* ttl < 0: leave IP_MULTICAST_TTL at its default */
static void observe(const char *id, const char *group, int ttl, int rcv, uint32_t tag)
{
	struct dlv_rx first;
	struct mcp_res r;
	int n;

	if (dlv_set_ttl(sender, ttl < 0 ? -1 : ttl) < 0)	/* -1 restores the default */
		mcp_broken("IP_MULTICAST_TTL %d", ttl);
	r = MCP_TRY((int)dlv_send(sender, group, PORT, tag, 0, LEN));
	if (dlv_set_ttl(sender, 64) < 0 ||
	    dlv_send(sender, G_SENTINEL, PORT, DLV_TAG_SENTINEL, 0, LEN) != LEN)
		mcp_broken("sentinel");
	n = dlv_count_until_sentinel(rcv, tag, &first);
	/* the other receiver also gets the sentinel: keep it in step */
	dlv_count_until_sentinel(rcv == rcv_d ? rcv_d2 : rcv_d, tag, NULL);
	obs_begin("%s", id);
	obs_res("send", r);
	obs_int("received", n);
	obs_int("ttl", n ? first.ttl : -1);
	obs_end();
}

static void router(void)
{
	topo();
	for (size_t i = 0; i < MCP_ARRAY_SIZE(route_rows); i++) {
		const struct route_row *rw = &route_rows[i];

		observe(rw->id, groups[rw->group].group, rw->ttl, rw->second ? rcv_d2 : rcv_d, rw->tag);
	}

	/* the router's own per-(S,G) counters: every datagram of the link
	 * group reached the router (3 rows + default), whatever was forwarded */
	{
		struct sioc_sg_req sg = { .src = mcp_in(SRC), .grp = mcp_in(groups[1].group) };
		struct mcp_res r = MCP_TRY(ioctl(mrt, SIOCGETSGCNT, &sg));

		obs_begin("%s", forwarded_counter_id);
		obs_res(NULL, r);
		obs_int("link_group_packets", (long long)sg.pktcnt);
		obs_end();
	}
	close(mrt);
}

/* ------------------------------------------------------------------ */
/* MRT_* errnos */

enum { OP_INIT, OP_DONE, OP_ADD_VIF, OP_DEL_VIF, OP_ADD_MFC, OP_DEL_MFC };
enum { S_A = MRT_S_A, S_B = MRT_S_B, S_UDP = MRT_S_UDP, S_RAW_UDP = MRT_S_RAW_UDP, S_NOCAP = MRT_S_NOCAP };

/* struct mrt_row (lib/mrt.h): idx is the VIF index, or the MFC parent */
static const struct mrt_row api_rows[] = {
	/* before any MRT_INIT: allowed to a CAP_NET_ADMIN holder */
	{ "ipv4.scope.mrt.add_vif_before_init", S_A, OP_ADD_VIF, 0, 5, 0, NULL },
	{ "ipv4.scope.mrt.del_vif_before_init", S_A, OP_DEL_VIF, 0, 5, 0, NULL },
	{ "ipv4.scope.mrt.add_vif_before_init_without_net_admin", S_NOCAP, OP_ADD_VIF, 0, 6, 0, NULL },
	{ "ipv4.scope.mrt.init_udp_socket", S_UDP, OP_INIT, 0, 0, 0, NULL },
	{ "ipv4.scope.mrt.init_raw_udp_socket", S_RAW_UDP, OP_INIT, 0, 0, 0, NULL },
	{ "ipv4.scope.mrt.init_optlen_2", S_A, OP_INIT, 2, 0, 0, NULL },
	{ "ipv4.scope.mrt.init", S_A, OP_INIT, 0, 0, 0, NULL },
	{ "ipv4.scope.mrt.init_twice_same_socket", S_A, OP_INIT, 0, 0, 0, NULL },
	{ "ipv4.scope.mrt.init_second_socket", S_B, OP_INIT, 0, 0, 0, NULL },
	{ "ipv4.scope.mrt.add_vif", S_A, OP_ADD_VIF, 0, 0, 0, NULL },
	{ "ipv4.scope.mrt.add_vif_same_index", S_A, OP_ADD_VIF, 0, 0, 0, NULL },
	{ "ipv4.scope.mrt.add_vif_index_31", S_A, OP_ADD_VIF, 0, 31, -1, NULL },
	{ "ipv4.scope.mrt.add_vif_index_32", S_A, OP_ADD_VIF, 0, 32, 0, NULL },
	{ "ipv4.scope.mrt.add_vif_ifindex_nonexistent", S_A, OP_ADD_VIF, 0, 1, 65535, NULL },
	{ "ipv4.scope.mrt.add_vif_optlen_short", S_A, OP_ADD_VIF, (int)sizeof(struct vifctl) - 1, 1, 0, NULL },
	{ "ipv4.scope.mrt.del_vif_absent", S_A, OP_DEL_VIF, 0, 2, 0, NULL },
	{ "ipv4.scope.mrt.del_vif_index_32", S_A, OP_DEL_VIF, 0, 32, 0, NULL },
	{ "ipv4.scope.mrt.del_vif_optlen_short", S_A, OP_DEL_VIF, (int)sizeof(struct vifctl) - 1, 31, 0, NULL },
	{ "ipv4.scope.mrt.add_mfc", S_A, OP_ADD_MFC, 0, 0, 0, "239.32.0.1" },
	{ "ipv4.scope.mrt.add_mfc_unicast_group", S_A, OP_ADD_MFC, 0, 0, 0, "10.32.0.1" },
	{ "ipv4.scope.mrt.add_mfc_parent_32", S_A, OP_ADD_MFC, 0, 32, 0, "239.32.0.2" },
	{ "ipv4.scope.mrt.add_mfc_optlen_short", S_A, OP_ADD_MFC, (int)sizeof(struct mfcctl) - 1, 0, 0, "239.32.0.3" },
	{ "ipv4.scope.mrt.del_mfc", S_A, OP_DEL_MFC, 0, 0, 0, "239.32.0.1" },
	{ "ipv4.scope.mrt.del_mfc_absent", S_A, OP_DEL_MFC, 0, 0, 0, "239.32.0.1" },
	{ "ipv4.scope.mrt.done_not_mroute_socket", S_B, OP_DONE, 0, 0, 0, NULL },
	{ "ipv4.scope.mrt.done", S_A, OP_DONE, 0, 0, 0, NULL },
	{ "ipv4.scope.mrt.done_twice", S_A, OP_DONE, 0, 0, 0, NULL },
	{ "ipv4.scope.mrt.add_vif_after_done", S_A, OP_ADD_VIF, 0, 3, 0, NULL },
	/* B takes the router role if the kernel lets optlen 8 through */
	{ "ipv4.scope.mrt.init_optlen_8", S_B, OP_INIT, 8, 0, 0, NULL },
	{ "ipv4.scope.mrt.init_after_done", S_A, OP_INIT, 0, 0, 0, NULL },
};

static int api_call(int fd, const struct mrt_row *rw, int m0, int m1)
{
	union {
		int one[2];
		struct vifctl vif;
		struct mfcctl mfc;
	} u;
	static const int opt[] = { MRT_INIT, MRT_DONE, MRT_ADD_VIF, MRT_DEL_VIF, MRT_ADD_MFC, MRT_DEL_MFC };
	socklen_t size[] = { sizeof(int), 0, sizeof(u.vif), sizeof(u.vif), sizeof(u.mfc), sizeof(u.mfc) };

	memset(&u, 0, sizeof(u));
	u.one[0] = 1;
	if (rw->op == OP_ADD_VIF || rw->op == OP_DEL_VIF) {
		u.vif.vifc_vifi = (vifi_t)rw->idx;
		u.vif.vifc_flags = VIFF_USE_IFINDEX;
		u.vif.vifc_threshold = 1;
		u.vif.vifc_lcl_ifindex = rw->ifindex > 0 ? rw->ifindex : rw->ifindex ? m1 : m0;
	} else if (rw->op == OP_ADD_MFC || rw->op == OP_DEL_MFC) {
		u.mfc.mfcc_origin = mcp_in(SRC);
		u.mfc.mfcc_mcastgrp = mcp_in(rw->group);
		u.mfc.mfcc_parent = (vifi_t)rw->idx;
		u.mfc.mfcc_ttls[31] = 1;
	}
	return setsockopt(fd, IPPROTO_IP, opt[rw->op], &u,
			  rw->len ? (socklen_t)rw->len : size[rw->op]);
}

static const struct mrt_family ipmr = {
	.domain = AF_INET, .proto = IPPROTO_IGMP, .level = IPPROTO_IP,
	.opt_init = MRT_INIT, .opt_done = MRT_DONE, .opt_version = MRT_VERSION,
	.routing = "IPv4 multicast routing", .version_name = "MRT_VERSION",
	.config = "CONFIG_IP_MROUTE",
	.mc_forwarding = "net.ipv4.conf.all.mc_forwarding",
	.call = api_call,
};

static void mrt_api_rows(void)
{
	mrt_api(&ipmr, api_rows, MCP_ARRAY_SIZE(api_rows));
}

/* net.ipv4.conf.all.mc_forwarding: owned by MRT_INIT / MRT_DONE */
static void mc_forwarding(void)
{
	mrt_mc_forwarding(&ipmr, "ipv4.scope.mrt.mc_forwarding");
}

static const struct mcp_scenario scenarios[] = {
	{ "router", router, 0 },
	{ "mrt_api", mrt_api_rows, 0 },
	{ "mc_forwarding", mc_forwarding, 0 },
};

int main(int argc, char **argv)
{
	return mcp_main(argc, argv, "scope", scenarios, MCP_ARRAY_SIZE(scenarios));
}
