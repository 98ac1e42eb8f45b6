// SPDX-License-Identifier: GPL-2.0
/*
 * membership6 - IPv6 group membership: IPV6_ADD_MEMBERSHIP /
 * IPV6_DROP_MEMBERSHIP (IPV6_JOIN_GROUP / IPV6_LEAVE_GROUP) and
 * MCAST_JOIN_GROUP / MCAST_LEAVE_GROUP on AF_INET6 sockets.
 *
 * What is observed: what stops joins (there is no count sysctl: per-socket
 * option memory does), optlen on each side of the boundaries and unreadable
 * buffers, which addresses are accepted as groups, duplicate joins, drops
 * (ifindex 0 on drop), how the interface is chosen (ifindex, or the route to
 * the group for ifindex 0), link down and deletion, which socket types may
 * join, the SOL_IP/SOL_IPV6 cross-family paths, and the device state in
 * /proc/net/igmp6.
 *
 * Environment: every scenario runs in its own fresh network namespace (made
 * by mcp_main) with lo, and where needed a veth v0 <-> p0 to a peer
 * namespace. IPv6 is enabled and DAD off on all/default before any link is
 * made (new namespaces copy the host's conf/default). Needs root.
 *
 * The probe records return values, errno names and /proc/net/igmp6 users;
 * expected/common/membership6.yaml decides what is right.
 */
#include "mcp.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define G1 "ff05::1:5"
#define FILL_CAP 10000	/* far above 6.18's optmem_max/56 = 2340 */

static int v0 = -1;
static int peer_ns = -1;

static int sock6(int type, int proto)
{
	int fd = socket(AF_INET6, type | SOCK_CLOEXEC, proto);

	if (fd < 0)
		mcp_broken("socket(AF_INET6, %d, %d)", type, proto);
	return fd;
}

static int udp6(void) { return sock6(SOCK_DGRAM, 0); }

static struct in6_addr a6(const char *s)
{
	struct in6_addr a;

	if (inet_pton(AF_INET6, s, &a) != 1)
		mcp_broken("bad IPv6 literal %s", s);
	return a;
}

/* ipv6_mreq {group, ifindex} with the caller's optlen (buffer large enough for any) */
static int mreq6(int fd, int opt, const char *group, int ifindex, socklen_t optlen)
{
	unsigned char buf[256] = { 0 };
	struct ipv6_mreq m = { .ipv6mr_multiaddr = a6(group), .ipv6mr_interface = (unsigned int)ifindex };

	memcpy(buf, &m, sizeof(m));
	return setsockopt(fd, SOL_IPV6, opt, buf, optlen);
}

static int join6(int fd, const char *group, int ifindex)
{
	return mreq6(fd, IPV6_ADD_MEMBERSHIP, group, ifindex, sizeof(struct ipv6_mreq));
}

static int drop6(int fd, const char *group, int ifindex)
{
	return mreq6(fd, IPV6_DROP_MEMBERSHIP, group, ifindex, sizeof(struct ipv6_mreq));
}

/* group_req {ifindex, sockaddr_storage of `family`} with the caller's optlen */
static int greq6(int fd, int opt, const char *group, int ifindex, int family, socklen_t optlen)
{
	unsigned char buf[512] = { 0 };
	struct group_req r;
	struct sockaddr_in6 *s = (struct sockaddr_in6 *)&r.gr_group;

	memset(&r, 0, sizeof(r));
	r.gr_interface = (uint32_t)ifindex;
	s->sin6_family = (sa_family_t)family;
	s->sin6_addr = a6(group);
	memcpy(buf, &r, sizeof(r));
	return setsockopt(fd, SOL_IPV6, opt, buf, optlen);
}

static int mjoin6(int fd, const char *group, int ifindex)
{
	return greq6(fd, MCAST_JOIN_GROUP, group, ifindex, AF_INET6, sizeof(struct group_req));
}

/* users of `group` on `dev` in /proc/net/igmp6, 0 when there is no row */
static int users6(const char *dev, const char *group)
{
	int users = mcp_igmp6_users(dev, group);

	if (users < 0)
		mcp_broken("read /proc/net/igmp6");
	return users;
}

/* devices holding `group`, comma-separated in /proc order, "" if none */
static const char *devs6(const char *group)
{
	static const char *const devs[] = { "lo", "v0" };
	static char out[64];

	out[0] = 0;
	for (size_t i = 0; i < MCP_ARRAY_SIZE(devs); i++) {
		if (!users6(devs[i], group))
			continue;
		if (out[0])
			strcat(out, ",");
		strcat(out, devs[i]);
	}
	return out;
}

/* the n-th of a run of site-local groups no row names otherwise */
static const char *nth6(unsigned int n)
{
	static char buf[INET6_ADDRSTRLEN];

	snprintf(buf, sizeof(buf), "ff05::6:%x:%x", (n >> 16) & 0xffff, n & 0xffff);
	return buf;
}

static void pin_ipv6(void)
{
	mcp_pin("net.ipv6.conf.all.disable_ipv6", 0);
	mcp_pin("net.ipv6.conf.default.disable_ipv6", 0);
	mcp_pin("net.ipv6.conf.all.accept_dad", 0);
	mcp_pin("net.ipv6.conf.default.accept_dad", 0);
}

/*
 * v0 <-> p0 in a peer namespace. addrconf adds v0's ff00::/8 route only when
 * linkwatch reports the link operational, a moment after "up": wait for it
 * (positive wait, 3 s; a UDP connect() to a site-local group needs that route).
 */
static void topology(void)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons(9) };
	int fd, rc = -1;

	pin_ipv6();
	peer_ns = mcp_ns_new();
	if (peer_ns < 0 || mcp_link_pair("v0", NULL, peer_ns, "p0", NULL) < 0)
		mcp_broken("veth v0/p0");
	v0 = mcp_ifindex("v0");
	if (v0 < 0 || mcp_link_wait_up("v0", 3000) < 0)
		mcp_broken("v0 up");
	sa.sin6_addr = a6("ff05::9");
	fd = udp6();
	for (int i = 0; i < 300 && (rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa))) < 0; i++)
		usleep(10000);	/* bounded poll: 300 x 10 ms */
	if (rc < 0)
		mcp_broken("no IPv6 multicast route on v0 3 s after link up");
	close(fd);
}

/* ------------------------------------------------------------------ */
/* limit: no count sysctl; option memory stops joins */

struct fill {
	int accepted;
	struct mcp_res next;
};

static struct fill fill6(int fd, int mcast_api, int ifindex, unsigned int first, int cap)
{
	struct fill f = { 0, { 0, 0 } };

	for (int i = 0; i < cap; i++) {
		const char *g = nth6(first + (unsigned int)i);

		f.next = mcast_api ? MCP_TRY(mjoin6(fd, g, ifindex)) : MCP_TRY(join6(fd, g, ifindex));
		if (f.next.rc < 0)
			return f;
		f.accepted++;
	}
	f.next = (struct mcp_res){ 0, 0 };
	return f;
}

/* joins distinct groups on lo until one fails, and records where and why it stopped */
static void fill_to_optmem(const char *id, int fd, int mcast_api)
{
	struct fill f = fill6(fd, mcast_api, 1, 0, FILL_CAP);

	obs_begin("%s", id);
	obs_int("accepted", f.accepted);
	obs_res("next", f.next);
	/* per namespace since 6.8; absent in child namespaces before */
	obs_sysctl_int("optmem_max_in_netns", "net.core.optmem_max");
	obs_end();
}

static void sc_limit(void)
{
	struct fill f;
	int fd;

	pin_ipv6();
	mcp_pin("net.ipv4.igmp_max_memberships", 2);
	fd = udp6();
	f = fill6(fd, 0, 1, 0, 30);
	obs_begin("ipv6.membership.limit.igmp_max_memberships_does_not_apply");
	obs_int("igmp_max_memberships", 2);
	obs_int("accepted_of_30", f.accepted);
	obs_end();
	close(fd);

	fd = udp6();
	fill_to_optmem("ipv6.membership.limit.ipv6_add_membership_stops_at_optmem", fd, 0);
	{
		struct mcp_res drop = MCP_TRY(drop6(fd, nth6(0), 1));
		struct mcp_res again = MCP_TRY(join6(fd, nth6(50000), 1));
		struct mcp_res over = MCP_TRY(join6(fd, nth6(50001), 1));

		obs_begin("ipv6.membership.limit.drop_frees_option_memory");
		obs_res("drop", drop);
		obs_res("join_after_drop", again);
		obs_res("join_after_that", over);
		obs_end();
	}
	close(fd);

	fd = udp6();
	fill_to_optmem("ipv6.membership.limit.mcast_join_group_stops_at_optmem", fd, 1);
	close(fd);

	/* two sockets each hold the same groups: the budget is per socket */
	{
		int a = udp6(), b = udp6();
		struct fill fa = fill6(a, 0, 1, 0, FILL_CAP), fb = fill6(b, 0, 1, 0, FILL_CAP);

		obs_begin("ipv6.membership.limit.optmem_per_socket");
		obs_int("first_socket_accepted", fa.accepted);
		obs_int("second_socket_accepted", fb.accepted);
		obs_int("users_of_first_group", users6("lo", nth6(0)));
		obs_end();
		close(a);
		close(b);
	}
}

/* ------------------------------------------------------------------ */
/* optlen and unreadable buffers */

static const int mreq_lens[] = { 0, 1, 4, 16, 19, 20, 21, 24, 64, 256 };
static const int greq_lens[] = { 0, 8, 132, 135, 136, 137, 144, 264, 512 };

static void obs_len_result(const char *key, struct mcp_res r)
{
	obs_str(key, r.rc == 0 ? "ok" : mcp_errname(r.err));
}

/* each optlen on a fresh socket; a drop/leave row joins first with the right size */
static const struct len_row {
	const char *id;
	int opt, greq, prejoin;
	const int *lens;
	size_t n;
} len_rows[] = {
	{ "ipv6.membership.optlen.ipv6_add_membership", IPV6_ADD_MEMBERSHIP, 0, 0, mreq_lens, MCP_ARRAY_SIZE(mreq_lens) },
	{ "ipv6.membership.optlen.ipv6_drop_membership", IPV6_DROP_MEMBERSHIP, 0, 1, mreq_lens, MCP_ARRAY_SIZE(mreq_lens) },
	{ "ipv6.membership.optlen.mcast_join_group", MCAST_JOIN_GROUP, 1, 0, greq_lens, MCP_ARRAY_SIZE(greq_lens) },
	{ "ipv6.membership.optlen.mcast_leave_group", MCAST_LEAVE_GROUP, 1, 1, greq_lens, MCP_ARRAY_SIZE(greq_lens) },
};

static void sc_optlen(void)
{
	char key[32];
	int fd;

	pin_ipv6();
	for (size_t i = 0; i < MCP_ARRAY_SIZE(len_rows); i++) {
		const struct len_row *r = &len_rows[i];

		obs_begin("%s", r->id);
		for (size_t k = 0; k < r->n; k++) {
			socklen_t len = (socklen_t)r->lens[k];

			fd = udp6();
			if (r->prejoin && (r->greq ? mjoin6(fd, G1, 1) : join6(fd, G1, 1)) < 0)
				mcp_broken("join " G1);
			snprintf(key, sizeof(key), "optlen_%d", r->lens[k]);
			obs_len_result(key, r->greq ? MCP_TRY(greq6(fd, r->opt, G1, 1, AF_INET6, len))
						    : MCP_TRY(mreq6(fd, r->opt, G1, 1, len)));
			close(fd);
		}
		obs_end();
	}

	fd = udp6();
	obs_begin("ipv6.membership.optlen.ipv6_add_membership_null_optval");
	obs_res(NULL, MCP_TRY(setsockopt(fd, SOL_IPV6, IPV6_ADD_MEMBERSHIP, NULL, sizeof(struct ipv6_mreq))));
	obs_end();
	obs_begin("ipv6.membership.optlen.ipv6_add_membership_unreadable_optval");
	obs_res(NULL, MCP_TRY(setsockopt(fd, SOL_IPV6, IPV6_ADD_MEMBERSHIP, mcp_unreadable_page(),
					 sizeof(struct ipv6_mreq))));
	obs_int("users", users6("lo", G1));
	obs_end();
	obs_begin("ipv6.membership.optlen.mcast_join_group_unreadable_optval");
	obs_res(NULL, MCP_TRY(setsockopt(fd, SOL_IPV6, MCAST_JOIN_GROUP, mcp_unreadable_page(),
					 sizeof(struct group_req))));
	obs_end();
	close(fd);
}

/* ------------------------------------------------------------------ */
/* which addresses are groups (joined on lo by ifindex) */

static const struct { const char *id, *addr; } groups[] = {
	{ "ipv6.membership.groups.all_nodes_ff02_1", "ff02::1" },
	{ "ipv6.membership.groups.all_routers_ff02_2", "ff02::2" },
	{ "ipv6.membership.groups.interface_local_ff01_1", "ff01::1" },
	{ "ipv6.membership.groups.link_local_ff02_1_3", "ff02::1:3" },
	{ "ipv6.membership.groups.solicited_node", "ff02::1:ff00:1" },
	{ "ipv6.membership.groups.site_local", "ff05::1:3" },
	{ "ipv6.membership.groups.global", "ff0e::1234" },
	{ "ipv6.membership.groups.transient_link_local_ff12", "ff12::1" },
	{ "ipv6.membership.groups.reserved_scope_0_ff00", "ff00::1" },
	{ "ipv6.membership.groups.v4_mapped_224_1_1_1", "::ffff:224.1.1.1" },
	{ "ipv6.membership.groups.unicast_documentation", "2001:db8::1" },
	{ "ipv6.membership.groups.unspecified", "::" },
	{ "ipv6.membership.groups.loopback", "::1" },
};

static void sc_groups(void)
{
	pin_ipv6();
	for (size_t i = 0; i < MCP_ARRAY_SIZE(groups); i++) {
		int before = users6("lo", groups[i].addr), a = udp6(), b = udp6();
		struct mcp_res ra = MCP_TRY(join6(a, groups[i].addr, 1));
		struct mcp_res rb = MCP_TRY(mjoin6(b, groups[i].addr, 1));

		obs_begin("%s", groups[i].id);
		obs_res("ipv6_add_membership", ra);
		obs_res("mcast_join_group", rb);
		obs_int("lo_users_before", before);
		obs_int("lo_users_after", users6("lo", groups[i].addr));
		obs_end();
		close(a);
		close(b);
	}
	{
		int fd = udp6();

		obs_begin("ipv6.membership.groups.mcast_join_group_family_af_inet");
		obs_res(NULL, MCP_TRY(greq6(fd, MCAST_JOIN_GROUP, G1, 1, AF_INET, sizeof(struct group_req))));
		obs_end();
		obs_begin("ipv6.membership.groups.mcast_join_group_family_unspec");
		obs_res(NULL, MCP_TRY(greq6(fd, MCAST_JOIN_GROUP, G1, 1, AF_UNSPEC, sizeof(struct group_req))));
		obs_end();
		close(fd);
	}
}

/* ------------------------------------------------------------------ */
/* duplicate joins and drops */

static void sc_dup_drop(void)
{
	int a, b;

	topology();
	a = udp6();
	join6(a, G1, 1);
	obs_begin("ipv6.membership.duplicate.same_ifindex");
	obs_res(NULL, MCP_TRY(join6(a, G1, 1)));
	obs_int("lo_users", users6("lo", G1));
	obs_end();
	obs_begin("ipv6.membership.duplicate.ifindex_0_after_ifindex");
	obs_res(NULL, MCP_TRY(join6(a, G1, 0)));
	obs_end();
	obs_begin("ipv6.membership.duplicate.other_ifindex");
	obs_res(NULL, MCP_TRY(join6(a, G1, v0)));
	obs_str("devices", devs6(G1));
	obs_end();
	obs_begin("ipv6.membership.duplicate.mcast_join_group_after_ipv6_add_membership");
	obs_res(NULL, MCP_TRY(mjoin6(a, G1, 1)));
	obs_end();
	b = udp6();
	obs_begin("ipv6.membership.duplicate.second_socket");
	obs_res(NULL, MCP_TRY(join6(b, G1, 1)));
	obs_int("lo_users", users6("lo", G1));
	obs_end();
	close(b);

	/* a holds G1 on lo (older) and v0 (newer): ifindex 0 drops one of them */
	obs_begin("ipv6.membership.drop.ifindex_0_with_two_memberships");
	obs_res(NULL, MCP_TRY(drop6(a, G1, 0)));
	obs_str("devices_left", devs6(G1));
	obs_res("second_drop_ifindex_0", MCP_TRY(drop6(a, G1, 0)));
	obs_str("devices_left_after_second", devs6(G1));
	obs_res("third_drop_ifindex_0", MCP_TRY(drop6(a, G1, 0)));
	obs_end();
	obs_begin("ipv6.membership.drop.not_joined");
	obs_res(NULL, MCP_TRY(drop6(a, "ff05::1:6", 1)));
	obs_end();
	join6(a, G1, 1);
	obs_begin("ipv6.membership.drop.wrong_ifindex");
	obs_res(NULL, MCP_TRY(drop6(a, G1, v0)));
	obs_int("lo_users", users6("lo", G1));
	obs_end();
	obs_begin("ipv6.membership.drop.nonexistent_ifindex");
	obs_res(NULL, MCP_TRY(drop6(a, G1, 999)));
	obs_end();
	obs_begin("ipv6.membership.drop.unicast_group");
	obs_res(NULL, MCP_TRY(drop6(a, "2001:db8::1", 1)));
	obs_end();
	obs_begin("ipv6.membership.drop.mcast_leave_group_of_ipv6_add_membership");
	obs_res(NULL, MCP_TRY(greq6(a, MCAST_LEAVE_GROUP, G1, 1, AF_INET6, sizeof(struct group_req))));
	obs_int("lo_users", users6("lo", G1));
	obs_end();
	mjoin6(a, G1, v0);
	obs_begin("ipv6.membership.drop.ipv6_drop_membership_of_mcast_join_group");
	obs_res(NULL, MCP_TRY(drop6(a, G1, v0)));
	obs_int("v0_users", users6("v0", G1));
	obs_end();
	obs_begin("ipv6.membership.drop.mcast_leave_group_family_af_inet");
	mjoin6(a, G1, v0);
	obs_res(NULL, MCP_TRY(greq6(a, MCAST_LEAVE_GROUP, G1, v0, AF_INET, sizeof(struct group_req))));
	obs_int("v0_users", users6("v0", G1));
	obs_end();
	close(a);
	obs_begin("ipv6.membership.drop.close_leaves_everything");
	obs_str("devices", devs6(G1));
	obs_end();
}

/* ------------------------------------------------------------------ */
/* interface selection, link down, link deletion */

static void sc_iface(void)
{
	int a = udp6(), b;

	pin_ipv6();
	/* only lo: which device does ifindex 0 get without a veth? */
	obs_begin("ipv6.membership.interface.ifindex_0_only_lo");
	obs_res(NULL, MCP_TRY(join6(a, G1, 0)));
	obs_str("devices", devs6(G1));
	obs_end();
	close(a);
	obs_begin("ipv6.membership.interface.ifindex_0_only_lo_link_local_group");
	a = udp6();
	obs_res(NULL, MCP_TRY(join6(a, "ff02::1:9", 0)));
	obs_str("devices", devs6("ff02::1:9"));
	obs_end();
	close(a);
	topology();
	a = udp6();
	obs_begin("ipv6.membership.interface.ifindex_0_follows_the_route");
	obs_res(NULL, MCP_TRY(join6(a, G1, 0)));
	obs_str("devices", devs6(G1));
	obs_end();
	obs_begin("ipv6.membership.interface.nonexistent_ifindex");
	obs_res(NULL, MCP_TRY(join6(a, "ff05::1:7", 999)));
	obs_end();
	obs_begin("ipv6.membership.interface.mcast_join_group_nonexistent_ifindex");
	obs_res(NULL, MCP_TRY(greq6(a, MCAST_JOIN_GROUP, "ff05::1:7", 999, AF_INET6, sizeof(struct group_req))));
	obs_end();
	close(a);

	/* link down: joins by ifindex still work, the route for ifindex 0 is gone */
	a = udp6();
	join6(a, G1, v0);
	if (mcp_link_set_up("v0", 0) < 0)
		mcp_broken("v0 down");
	b = udp6();
	obs_begin("ipv6.membership.interface.link_down");
	obs_int("v0_users_held_before_down", users6("v0", G1));
	obs_res("join_by_ifindex_while_down", MCP_TRY(join6(b, "ff05::1:8", v0)));
	obs_int("v0_users_of_that_group", users6("v0", "ff05::1:8"));
	obs_res("join_ifindex_0_while_down", MCP_TRY(join6(b, "ff05::1:9", 0)));
	obs_end();
	close(b);

	/* deletion with a membership held: the socket entry outlives the device */
	if (mcp_link_del("v0") < 0)
		mcp_broken("delete v0");
	obs_begin("ipv6.membership.interface.link_deleted");
	obs_str("devices", devs6(G1));
	obs_res("drop_by_old_ifindex", MCP_TRY(drop6(a, G1, v0)));
	obs_res("join_by_old_ifindex", MCP_TRY(join6(a, G1, v0)));
	obs_end();
	close(a);
}

/* ------------------------------------------------------------------ */
/* socket types and the cross-family option levels */

static void sc_socktypes(void)
{
	static const struct { const char *id; int type, proto; } types[] = {
		{ "ipv6.membership.socket.udp", SOCK_DGRAM, 0 },
		{ "ipv6.membership.socket.udplite", SOCK_DGRAM, IPPROTO_UDPLITE },
		{ "ipv6.membership.socket.raw_icmpv6", SOCK_RAW, IPPROTO_ICMPV6 },
		{ "ipv6.membership.socket.tcp", SOCK_STREAM, 0 },
	};

	pin_ipv6();
	for (size_t i = 0; i < MCP_ARRAY_SIZE(types); i++) {
		int fd = sock6(types[i].type, types[i].proto), fd2 = sock6(types[i].type, types[i].proto);

		obs_begin("%s", types[i].id);
		obs_res("ipv6_add_membership", MCP_TRY(join6(fd, G1, 1)));
		obs_res("ipv6_add_membership_optlen_4", MCP_TRY(mreq6(fd, IPV6_ADD_MEMBERSHIP, "ff05::1:6", 1, 4)));
		obs_res("mcast_join_group", MCP_TRY(mjoin6(fd2, "ff05::1:7", 1)));
		obs_end();
		close(fd);
		close(fd2);
	}
	{
		int v4 = MCP_SAFE(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)), u6 = udp6(), r6 = sock6(SOCK_RAW, IPPROTO_ICMPV6);
		struct ip_mreqn m = { .imr_multiaddr = mcp_in("239.1.1.1"), .imr_ifindex = 1 };

		if (v4 < 0)
			mcp_broken("socket(AF_INET)");
		obs_begin("ipv6.membership.socket.af_inet_with_sol_ipv6");
		obs_res(NULL, MCP_TRY(join6(v4, G1, 1)));
		obs_end();
		obs_begin("ipv6.membership.socket.udp6_with_sol_ip_ip_add_membership");
		obs_res(NULL, MCP_TRY(setsockopt(u6, SOL_IP, IP_ADD_MEMBERSHIP, &m, sizeof(m))));
		obs_int("lo_ipv4_users", mcp_igmp_users("lo", "239.1.1.1"));
		obs_end();
		obs_begin("ipv6.membership.socket.raw6_with_sol_ip_ip_add_membership");
		obs_res(NULL, MCP_TRY(setsockopt(r6, SOL_IP, IP_ADD_MEMBERSHIP, &m, sizeof(m))));
		obs_end();
		close(v4);
		close(u6);
		close(r6);
	}
}

/* ------------------------------------------------------------------ */
/* device state in /proc/net/igmp6 */

static void sc_state(void)
{
	int a, b;

	topology();
	obs_begin("ipv6.membership.state.defaults");
	obs_int("lo_all_nodes_users", users6("lo", "ff02::1"));
	obs_int("v0_all_nodes_users", users6("v0", "ff02::1"));
	obs_int("lo_interface_local_all_nodes_users", users6("lo", "ff01::1"));
	obs_int("v0_all_routers_users", users6("v0", "ff02::2"));
	obs_end();
	a = udp6();
	b = udp6();
	join6(a, G1, v0);
	mjoin6(b, G1, v0);
	obs_begin("ipv6.membership.state.two_sockets_one_row");
	obs_int("v0_users", users6("v0", G1));
	obs_end();
	close(a);
	obs_begin("ipv6.membership.state.close_one_of_two");
	obs_int("v0_users", users6("v0", G1));
	obs_end();
	close(b);
	obs_begin("ipv6.membership.state.close_last");
	obs_str("devices", devs6(G1));
	obs_end();
	a = udp6();
	join6(a, G1, v0);
	join6(a, G1, 1);
	obs_begin("ipv6.membership.state.one_socket_two_devices");
	obs_int("v0_users", users6("v0", G1));
	obs_int("lo_users", users6("lo", G1));
	obs_end();
	close(a);
}

static const struct mcp_scenario scenarios[] = {
	{ "limit", sc_limit, 0 },
	{ "optlen", sc_optlen, 0 },
	{ "groups", sc_groups, 0 },
	{ "dup_drop", sc_dup_drop, 0 },
	{ "iface", sc_iface, 0 },
	{ "socktypes", sc_socktypes, 0 },
	{ "state", sc_state, 0 },
};

int main(int argc, char **argv)
{
	return mcp_main(argc, argv, "membership6", scenarios, MCP_ARRAY_SIZE(scenarios));
}
