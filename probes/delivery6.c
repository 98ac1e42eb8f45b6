// SPDX-License-Identifier: GPL-2.0
/*
 * delivery6 - which IPv6 UDP sockets receive a multicast datagram.
 *
 * Tested: multicast as IPC on lo (one sender, 1/2/8 receivers sharing a port
 * with SO_REUSEADDR, ff01::/16 interface-local, ff02::/16 link-local and
 * ff05::/16 site-local groups: every receiver gets every datagram intact and
 * in order) and the route lo needs for it; which sockets on the port receive
 * (not joined, joined another group, bound to the group, bound to another
 * group, bound to ::1, AF_INET and dual-stack sockets, unicast to the port,
 * SO_REUSEPORT groups); IPV6_MULTICAST_ALL (default, accepted values, each
 * paired with what the socket then receives; a group nobody joined);
 * dual-stack AF_INET6 sockets with an IPv4 membership receiving IPv4
 * multicast and what IPV6_V6ONLY changes; connect() to a group; sendto()
 * with no route; a join before bind().
 *
 * Environment: each scenario runs in a fresh network namespace with only lo
 * up, IPv6 on and DAD off (pinned). lo has no ff00::/8 route of its own; the
 * scenarios that use it add "local ff00::/8 dev lo table local" (a route via
 * lo of any other type is turned into a reject route by the kernel, see the
 * lo_route scenario). "noroute" adds a veth pair to a peer namespace (v0
 * fd00:e::1/64; no automatic link-local addresses anywhere). The
 * scenario is pinned to one CPU so that "nothing arrived" is decided by a
 * witness socket or a sentinel datagram, never by a timer (lib/dlv.h).
 */
#include "mcp.h"
#include "dlv.h"
#include "dlv6.h"

#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef IPV6_MULTICAST_ALL
#define IPV6_MULTICAST_ALL 29
#endif
#ifndef IP_MULTICAST_ALL
#define IP_MULTICAST_ALL 49
#endif

#define LEN 64
#define F (&dlv_fam6)

static int lo_index;

static void setup_bare(void)
{
	if (dlv_pin_cpu() < 0)
		mcp_broken("pin to one CPU");
	if (dlv6_pin() < 0)
		mcp_broken("pin IPv6 sysctls");
	mcp_pin("net.ipv6.bindv6only", 0);
	lo_index = mcp_ifindex("lo");
	if (lo_index < 0)
		mcp_broken("lo ifindex");
}

/* lo able to carry IPv6 multicast (see the header comment) */
static void setup(void)
{
	setup_bare();
	if (dlv6_route_add("ff00::/8", "lo", RTN_LOCAL, RT_TABLE_LOCAL, 0) < 0)
		mcp_broken("route local ff00::/8 dev lo table local");
}

static void obs_received(const char *id, int n)
{
	obs_begin("%s", id);
	obs_int("received", n);
	obs_end();
}

/* ------------------------------------------------------------------ */
/* Multicast as IPC on lo */

#define IPC_COUNT 32

struct ipc_row {
	const char *id;
	const char *group;
	int nrecv;
};

struct ipc_res {
	int sent, complete, corrupt, reordered, dup, hoplimit, ifindex;
	struct in6_addr src;
};

/* positive wait for each datagram that was sent; the rest queued is duplicates */
static int ipc_read(int fd, struct ipc_res *r)
{
	int next = 0, ok = 1;

	while (next < r->sent) {
		struct dlv6_rx rx;

		if (dlv6_recv(fd, &rx, DLV_POSITIVE_MS) != 1)
			return 0;
		if (!rx.intact || rx.tag != 1) {
			r->corrupt++;
			ok = 0;
			continue;
		}
		if (rx.seq != (uint32_t)next) {
			r->reordered++;
			ok = 0;
		}
		r->src = rx.src;
		r->hoplimit = rx.hoplimit;
		r->ifindex = rx.ifindex;
		next = (int)rx.seq + 1;
	}
	r->dup += dlv6_drain(fd, 0, NULL);
	return ok && next == IPC_COUNT;
}

static void ipc_round(const struct ipc_row *row, uint16_t port)
{
	struct ipc_res r = { .hoplimit = -1 };
	struct mcp_res ifres;
	int rfd[8], s;

	for (int i = 0; i < row->nrecv; i++) {
		rfd[i] = dlv_must_udp(F, DLV6_REUSEADDR, "::", port);
		dlv_must_join(F, rfd[i], row->group, lo_index);
	}
	s = dlv_must_udp(F, 0, "::", 0);
	ifres = MCP_TRY(dlv6_set_if(s, lo_index));
	for (int k = 0; k < IPC_COUNT; k++)
		if (dlv6_send(s, row->group, port, 1, (uint32_t)k, LEN) == LEN)
			r.sent++;
	for (int i = 0; i < row->nrecv; i++) {
		r.complete += ipc_read(rfd[i], &r);
		close(rfd[i]);
	}
	close(s);
	obs_begin("%s", row->id);
	obs_res("if", ifres);
	obs_int("sent", r.sent);
	obs_int("receivers_complete", r.complete);
	obs_int("corrupt", r.corrupt);
	obs_int("out_of_order", r.reordered);
	obs_int("duplicates", r.dup);
	obs_str("src", dlv6_ntop(&r.src));
	obs_int("hoplimit", r.hoplimit);
	obs_str("pktinfo_ifname", dlv_ifname_in(-1, r.ifindex));
	obs_end();
}

static void ipc(void)
{
	static const struct ipc_row rows[] = {
		{ "ipv6.delivery.ipc.ff01.receivers_1", "ff01::6:1", 1 },
		{ "ipv6.delivery.ipc.ff01.receivers_2", "ff01::6:1", 2 },
		{ "ipv6.delivery.ipc.ff01.receivers_8", "ff01::6:1", 8 },
		{ "ipv6.delivery.ipc.ff02.receivers_1", "ff02::6:1", 1 },
		{ "ipv6.delivery.ipc.ff02.receivers_2", "ff02::6:1", 2 },
		{ "ipv6.delivery.ipc.ff02.receivers_8", "ff02::6:1", 8 },
		{ "ipv6.delivery.ipc.ff05.receivers_2", "ff05::6:1", 2 },
	};

	setup();
	for (size_t i = 0; i < MCP_ARRAY_SIZE(rows); i++)
		ipc_round(&rows[i], (uint16_t)(7100 + i));
}

/* ------------------------------------------------------------------ */
/* What lo needs: no route, a route via lo, a local route */

struct loroute_row {
	const char *id;
	int type;		/* 0: no route */
	int table;
};

static void lo_route(void)
{
	static const struct loroute_row rows[] = {
		{ "ipv6.delivery.lo_route.none", 0, 0 },
		{ "ipv6.delivery.lo_route.unicast_main", RTN_UNICAST, RT_TABLE_MAIN },
		{ "ipv6.delivery.lo_route.multicast_local_table", RTN_MULTICAST, RT_TABLE_LOCAL },
		{ "ipv6.delivery.lo_route.local_local_table", RTN_LOCAL, RT_TABLE_LOCAL },
	};
	const char *g = "ff02::7:1";
	const uint16_t P = 7200;
	int r, s, dropped_tags = 0;

	setup_bare();
	r = dlv_must_udp(F, 0, "::", P);
	dlv_must_join(F, r, g, lo_index);
	s = dlv_must_sender(F, lo_index);
	for (size_t i = 0; i < MCP_ARRAY_SIZE(rows); i++) {
		long before = dlv6_snmp("Ip6OutNoRoutes");
		struct mcp_res add = { 0, 0 }, snd;
		int got = 0;

		if (rows[i].type)
			add = MCP_TRY(dlv6_route_add("ff00::/8", "lo", rows[i].type, rows[i].table, 0));
		snd = MCP_TRY((int)dlv6_send(s, g, P, 10 + (uint32_t)i, 0, LEN));
		if (rows[i].type == RTN_LOCAL) {
			struct dlv6_rx rx;

			/* this route delivers: what came before the row's own
			 * datagram is what the earlier rows' datagrams left */
			while (dlv6_recv(r, &rx, DLV_POSITIVE_MS) == 1 && rx.tag != 10 + (uint32_t)i)
				dropped_tags += rx.tag >= 10;
			got = rx.tag == 10 + (uint32_t)i;
		}
		obs_begin("%s", rows[i].id);
		if (rows[i].type)
			obs_res("route", add);
		obs_res("send", snd);
		obs_int("out_no_routes_delta", dlv6_snmp("Ip6OutNoRoutes") - before);
		if (rows[i].type == RTN_LOCAL) {
			obs_bool("received", got);
			obs_int("earlier_rows_received", dropped_tags);
		}
		obs_end();
		if (rows[i].type && rows[i].type != RTN_LOCAL &&
		    dlv6_route_del("ff00::/8", "lo", rows[i].type, rows[i].table, 0) < 0)
			mcp_broken("delete route row %zu", i);
	}
	close(s);
	close(r);
}

/* ------------------------------------------------------------------ */
/* Which sockets on a port receive a datagram sent to a group */

struct rcv_row {
	const char *id;
	int family;		/* AF_INET6, or AF_INET (bound 0.0.0.0) */
	int flags;		/* DLV6_DUAL etc. */
	const char *bind;
	const char *join;	/* group joined on lo, NULL: none */
	int all;		/* IPV6_MULTICAST_ALL, -1: default */
	int fd;
};

static int rcv_socket(struct rcv_row *row, uint16_t port)
{
	int fd;

	if (row->family == AF_INET) {
		fd = dlv_udp(DLV_REUSEADDR, row->bind, port);
		if (fd < 0)
			mcp_broken("AF_INET socket on port %u", port);
		return fd;
	}
	fd = dlv_must_udp(F, DLV6_REUSEADDR | row->flags, row->bind, port);
	if (row->all >= 0 && setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, &row->all, sizeof(row->all)) < 0)
		mcp_broken("IPV6_MULTICAST_ALL %d", row->all);
	if (row->join)
		dlv_must_join(F, fd, row->join, lo_index);
	return fd;
}

/* unicast to the same port: one socket gets it (no fan-out); the positive
 * wait polls every socket, blocking a moment on the likeliest one */
static void unicast_same_port(struct rcv_row *rows, size_t n, int s, uint16_t port, size_t likely)
{
	const char *who = "none";
	int total = 0;

	dlv_must_send(F, s, "::1", port, 2, 0, LEN);
	for (int spins = 0; spins < 100 && !total; spins++) {
		struct dlv6_rx rx;

		for (size_t i = 0; i < n; i++) {
			int got = rows[i].family == AF_INET ? dlv_drain(rows[i].fd, 2, NULL)
							    : dlv6_drain(rows[i].fd, 2, NULL);

			if (got) {
				who = rows[i].id;
				total += got;
			}
		}
		if (!total && dlv6_recv(rows[likely].fd, &rx, DLV_POSITIVE_MS / 100) == 1 && rx.tag == 2) {
			who = rows[likely].id;
			total++;
		}
	}
	obs_begin("ipv6.delivery.receivers.unicast_same_port");
	obs_int("sockets_receiving", total);
	obs_str("receiver", who);
	obs_end();
}

static void receivers(void)
{
	struct rcv_row rows[] = {
		/* the witness: joined, wildcard */
		{ "ipv6.delivery.receivers.joined_any", AF_INET6, 0, "::", "ff05::8:1", -1, -1 },
		{ "ipv6.delivery.receivers.unjoined_any", AF_INET6, 0, "::", NULL, -1, -1 },
		{ "ipv6.delivery.receivers.unjoined_any_mc_all_0", AF_INET6, 0, "::", NULL, 0, -1 },
		{ "ipv6.delivery.receivers.joined_any_mc_all_0", AF_INET6, 0, "::", "ff05::8:1", 0, -1 },
		{ "ipv6.delivery.receivers.joined_other_group_any", AF_INET6, 0, "::", "ff05::8:2", -1, -1 },
		{ "ipv6.delivery.receivers.joined_other_group_any_mc_all_0", AF_INET6, 0, "::", "ff05::8:2", 0, -1 },
		{ "ipv6.delivery.receivers.bound_group_unjoined", AF_INET6, 0, "ff05::8:1", NULL, -1, -1 },
		{ "ipv6.delivery.receivers.bound_group_joined", AF_INET6, 0, "ff05::8:1", "ff05::8:1", -1, -1 },
		{ "ipv6.delivery.receivers.bound_other_group_joined", AF_INET6, 0, "ff05::8:2", "ff05::8:2", -1, -1 },
		{ "ipv6.delivery.receivers.bound_loopback", AF_INET6, 0, "::1", NULL, -1, -1 },
		{ "ipv6.delivery.receivers.dual_stack_joined", AF_INET6, DLV6_DUAL, "::", "ff05::8:1", -1, -1 },
		{ "ipv6.delivery.receivers.af_inet_any", AF_INET, 0, "0.0.0.0", NULL, -1, -1 },
	};
	const uint16_t P = 7300;
	int s;

	setup();
	for (size_t i = 0; i < MCP_ARRAY_SIZE(rows); i++)
		rows[i].fd = rcv_socket(&rows[i], P);
	s = dlv_must_sender(F, lo_index);
	dlv_must_send(F, s, "ff05::8:1", P, 1, 0, LEN);
	dlv_await_witness(F, rows[0].fd, 1);
	for (size_t i = 0; i < MCP_ARRAY_SIZE(rows); i++) {
		int n = rows[i].family == AF_INET ? dlv_drain(rows[i].fd, 1, NULL) : dlv6_drain(rows[i].fd, 1, NULL);

		obs_received(rows[i].id, n + (i == 0));
	}
	unicast_same_port(rows, MCP_ARRAY_SIZE(rows), s, P, 9);
	close(s);
	for (size_t i = 0; i < MCP_ARRAY_SIZE(rows); i++)
		close(rows[i].fd);
}

/* A group no socket joined: IPV6_MULTICAST_ALL only widens what a socket
 * takes of what the host accepted; the host did not accept this group on lo
 * (ip6_mc_input: no device membership). Both sockets are joined to another
 * group, whose sentinel (sent after, same path) bounds the count. */
static void no_member(void)
{
	static const struct {
		const char *id;
		int all;
	} rows[] = {
		{ "ipv6.delivery.no_member.lo_local_route_mc_all_1", 1 },
		{ "ipv6.delivery.no_member.lo_local_route_mc_all_0", 0 },
	};
	const uint16_t P = 7400;
	int fd[MCP_ARRAY_SIZE(rows)], s;

	setup();
	for (size_t i = 0; i < MCP_ARRAY_SIZE(rows); i++) {
		fd[i] = dlv_must_udp(F, DLV6_REUSEADDR, "::", P);
		if (setsockopt(fd[i], IPPROTO_IPV6, IPV6_MULTICAST_ALL, &rows[i].all, sizeof(rows[i].all)) < 0)
			mcp_broken("IPV6_MULTICAST_ALL");
		dlv_must_join(F, fd[i], "ff05::9:1", lo_index);
	}
	s = dlv_must_sender(F, lo_index);
	dlv_must_send(F, s, "ff05::9:99", P, 1, 0, LEN);
	dlv_must_send(F, s, "ff05::9:1", P, DLV_TAG_SENTINEL, 0, LEN);
	for (size_t i = 0; i < MCP_ARRAY_SIZE(rows); i++) {
		obs_received(rows[i].id, dlv6_count_until_sentinel(fd[i], 1, NULL));
		close(fd[i]);
	}
	close(s);
}

/* SO_REUSEPORT group: multicast is not load-balanced, unicast is. */
static void reuseport(void)
{
	setup();
	dlv_reuseport(F, "ff05::a:1", 7500, "::1", lo_index,
		      "ipv6.delivery.reuseport.multicast_each_socket_gets_all",
		      "ipv6.delivery.reuseport.unicast_total");
}

/* ------------------------------------------------------------------ */
/* IPV6_MULTICAST_ALL: each accepted or refused value, then what the
 * (unjoined) socket receives with the value it ended with */

struct allset_row {
	const char *id;
	int val;
	int optlen;		/* 1: one byte; 8: val then 4 more bytes */
};

static void mcast_all(void)
{
	static const struct allset_row rows[] = {
		{ "ipv6.delivery.mcast_all.set.int_0", 0, 4 },
		{ "ipv6.delivery.mcast_all.set.int_1", 1, 4 },
		{ "ipv6.delivery.mcast_all.set.int_2", 2, 4 },
		{ "ipv6.delivery.mcast_all.set.int_minus1", -1, 4 },
		{ "ipv6.delivery.mcast_all.set.int_256", 256, 4 },
		{ "ipv6.delivery.mcast_all.set.char_0", 0, 1 },
		{ "ipv6.delivery.mcast_all.set.char_1", 1, 1 },
		{ "ipv6.delivery.mcast_all.set.optlen_0", 0, 0 },
		{ "ipv6.delivery.mcast_all.set.optlen_8_int_0", 0, 8 },
	};
	const uint16_t P = 7600;
	struct mcp_res r[MCP_ARRAY_SIZE(rows)], dr;
	int fd[MCP_ARRAY_SIZE(rows)], pre[MCP_ARRAY_SIZE(rows)], after[MCP_ARRAY_SIZE(rows)];
	int w, s, def = -1, dfd;

	setup();
	dfd = dlv_must_udp(F, DLV6_REUSEADDR, "::", P);	/* default, unjoined */
	dr = MCP_TRY(dlv_get_int(dfd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, &def));
	w = dlv_must_udp(F, DLV6_REUSEADDR, "::", P);
	dlv_must_join(F, w, "ff05::b:1", lo_index);
	/* pre-set to the opposite of what the row tries, so a refused or
	 * ignored value shows in both the readback and the traffic */
	for (size_t i = 0; i < MCP_ARRAY_SIZE(rows); i++) {
		int buf[2] = { rows[i].val, 0 };
		unsigned char c = (unsigned char)rows[i].val;

		pre[i] = rows[i].val ? 0 : 1;
		fd[i] = dlv_must_udp(F, DLV6_REUSEADDR, "::", P);
		if (setsockopt(fd[i], IPPROTO_IPV6, IPV6_MULTICAST_ALL, &pre[i], sizeof(int)) < 0)
			mcp_broken("IPV6_MULTICAST_ALL pre-set %d", pre[i]);
		r[i] = MCP_TRY(setsockopt(fd[i], IPPROTO_IPV6, IPV6_MULTICAST_ALL,
					  rows[i].optlen == 1 ? (void *)&c : (void *)buf, (socklen_t)rows[i].optlen));
		if (dlv_get_int(fd[i], IPPROTO_IPV6, IPV6_MULTICAST_ALL, &after[i]) < 0)
			mcp_broken("IPV6_MULTICAST_ALL readback");
	}
	s = dlv_must_sender(F, lo_index);
	dlv_must_send(F, s, "ff05::b:1", P, 1, 0, LEN);
	dlv_await_witness(F, w, 1);
	obs_begin("ipv6.delivery.mcast_all.default");
	obs_res(NULL, dr);
	obs_int("value", def);
	obs_int("unjoined_received", dlv6_drain(dfd, 1, NULL));
	obs_end();
	for (size_t i = 0; i < MCP_ARRAY_SIZE(rows); i++) {
		obs_begin("%s", rows[i].id);
		obs_res(NULL, r[i]);
		obs_int("before", pre[i]);
		obs_int("after", after[i]);
		obs_int("unjoined_received", dlv6_drain(fd[i], 1, NULL));
		obs_end();
		close(fd[i]);
	}
	close(dfd);
	close(w);
	close(s);
}

/* ------------------------------------------------------------------ */
/* Dual stack: AF_INET6 sockets and IPv4 multicast (sent on lo by an AF_INET
 * socket; an AF_INET socket joined on lo is the witness) */

enum v4join { J_NONE, J_SOL_IP, J_MCAST_AF_INET, J_IPV6_V4MAPPED };

struct dual_row {
	const char *id;
	int flags;		/* DLV6_DUAL or 0 (V6ONLY) */
	const char *bind;
	enum v4join join;
	int sol_ip_all;		/* IP_MULTICAST_ALL through SOL_IP, -1: leave */
	int fd;
	struct mcp_res jr;
};

static struct mcp_res v4_join(int fd, enum v4join how, const char *g4)
{
	struct ip_mreqn m = { .imr_multiaddr = mcp_in(g4), .imr_ifindex = lo_index };
	struct group_req gr = { .gr_interface = (uint32_t)lo_index };
	struct sockaddr_in *sin = (struct sockaddr_in *)&gr.gr_group;
	char mapped[64];

	sin->sin_family = AF_INET;
	sin->sin_addr = mcp_in(g4);
	snprintf(mapped, sizeof(mapped), "::ffff:%s", g4);
	switch (how) {
	case J_SOL_IP:
		return MCP_TRY(setsockopt(fd, SOL_IP, IP_ADD_MEMBERSHIP, &m, sizeof(m)));
	case J_MCAST_AF_INET:
		return MCP_TRY(setsockopt(fd, SOL_IPV6, MCAST_JOIN_GROUP, &gr, sizeof(gr)));
	case J_IPV6_V4MAPPED:
		return MCP_TRY(dlv6_join(fd, mapped, lo_index));
	default:
		return (struct mcp_res){ 0, 0 };
	}
}

static void dual_obs(struct dual_row *row)
{
	struct dlv6_rx rx;
	int n = dlv6_drain(row->fd, 1, &rx);

	obs_begin("%s", row->id);
	if (row->join != J_NONE)
		obs_res("join", row->jr);
	obs_int("received", n);
	obs_str("src", n ? dlv6_ntop(&rx.src) : "none");
	obs_str("pktinfo_dst", n ? dlv6_ntop(&rx.dst) : "none");
	obs_int("hoplimit", n ? rx.hoplimit : -1);
	obs_end();
}

static void dualstack(void)
{
	struct dual_row rows[] = {
		{ "ipv6.delivery.dualstack.sol_ip_join", DLV6_DUAL, "::", J_SOL_IP, -1, -1, { 0, 0 } },
		{ "ipv6.delivery.dualstack.mcast_join_group_af_inet", DLV6_DUAL, "::", J_MCAST_AF_INET, -1, -1, { 0, 0 } },
		{ "ipv6.delivery.dualstack.ipv6_join_v4mapped_group", DLV6_DUAL, "::", J_IPV6_V4MAPPED, -1, -1, { 0, 0 } },
		{ "ipv6.delivery.dualstack.unjoined", DLV6_DUAL, "::", J_NONE, -1, -1, { 0, 0 } },
		{ "ipv6.delivery.dualstack.unjoined_sol_ip_mc_all_1", DLV6_DUAL, "::", J_NONE, 1, -1, { 0, 0 } },
		{ "ipv6.delivery.dualstack.bound_v4mapped_group_sol_ip_join", DLV6_DUAL, "::ffff:239.12.0.1", J_SOL_IP, -1, -1, { 0, 0 } },
		{ "ipv6.delivery.dualstack.bound_v4mapped_loopback_sol_ip_join", DLV6_DUAL, "::ffff:127.0.0.1", J_SOL_IP, -1, -1, { 0, 0 } },
		{ "ipv6.delivery.dualstack.v6only_sol_ip_join", 0, "::", J_SOL_IP, -1, -1, { 0, 0 } },
	};
	const char *g4 = "239.12.0.1";
	const uint16_t P = 7700;
	struct in_addr lo4 = mcp_in("127.0.0.1");
	int w, s;

	setup();
	w = dlv_udp(DLV_REUSEADDR, "0.0.0.0", P);
	if (w < 0 || mcp_join_ifindex(w, g4, lo_index) < 0)
		mcp_broken("AF_INET witness on %s", g4);
	for (size_t i = 0; i < MCP_ARRAY_SIZE(rows); i++) {
		rows[i].fd = dlv_must_udp(F, DLV6_REUSEADDR | rows[i].flags, rows[i].bind, P);
		rows[i].jr = v4_join(rows[i].fd, rows[i].join, g4);
		if (rows[i].sol_ip_all >= 0 && setsockopt(rows[i].fd, SOL_IP, IP_MULTICAST_ALL, &rows[i].sol_ip_all,
							  sizeof(int)) < 0)
			mcp_broken("IP_MULTICAST_ALL through SOL_IP");
	}
	s = dlv_udp(0, "0.0.0.0", 0);
	if (s < 0 || setsockopt(s, IPPROTO_IP, IP_MULTICAST_IF, &lo4, sizeof(lo4)) < 0)
		mcp_broken("AF_INET sender on lo");
	if (dlv_send(s, g4, P, 1, 0, LEN) != LEN)
		mcp_broken("IPv4 send to %s", g4);
	{
		struct dlv_rx rx;

		do {
			if (dlv_recv(w, &rx, DLV_POSITIVE_MS) != 1)
				mcp_broken("AF_INET witness got nothing");
		} while (rx.tag != 1);
	}
	for (size_t i = 0; i < MCP_ARRAY_SIZE(rows); i++) {
		dual_obs(&rows[i]);
		close(rows[i].fd);
	}
	close(s);
	close(w);
}

/* ------------------------------------------------------------------ */
/* IPV6_V6ONLY: its default follows net.ipv6.bindv6only; what it changes is
 * whether an AF_INET socket can share the port and whether IPv4 multicast
 * arrives. The IPv4 datagram is followed by an IPv6 sentinel on lo (same
 * device, same CPU backlog). */

struct v6only_row {
	const char *id;
	int sysctl;
	int set;		/* -1: leave the default */
};

static void v6only_row(const struct v6only_row *row, uint16_t port, int s4, int s6)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	struct ip_mreqn m = { .imr_multiaddr = mcp_in("239.12.1.1"), .imr_ifindex = lo_index };
	int fd, v = -1, f4, n;
	struct mcp_res b4;

	mcp_pin("net.ipv6.bindv6only", row->sysctl);
	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || (row->set >= 0 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &row->set, sizeof(int)) < 0))
		mcp_broken("IPV6_V6ONLY %d", row->set);
	if (dlv_get_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v) < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    setsockopt(fd, SOL_IP, IP_ADD_MEMBERSHIP, &m, sizeof(m)) < 0)
		mcp_broken("v6only socket on port %u", port);
	dlv_must_join(F, fd, "ff05::c:1", lo_index);
	f4 = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	{
		struct sockaddr_in a4 = { .sin_family = AF_INET, .sin_port = htons(port) };

		b4 = MCP_TRY(bind(f4, (struct sockaddr *)&a4, sizeof(a4)));
	}
	if (dlv_send(s4, "239.12.1.1", port, 1, 0, LEN) != LEN)
		mcp_broken("IPv4 send");
	dlv_must_send(F, s6, "ff05::c:1", port, DLV_TAG_SENTINEL, 0, LEN);
	n = dlv6_count_until_sentinel(fd, 1, NULL);
	obs_begin("%s", row->id);
	obs_int("value", v);
	obs_res("af_inet_bind_same_port", b4);
	obs_int("ipv4_received", n);
	obs_end();
	close(f4);
	close(fd);
}

static void v6only(void)
{
	static const struct v6only_row rows[] = {
		{ "ipv6.delivery.v6only.bindv6only_0_default", 0, -1 },
		{ "ipv6.delivery.v6only.bindv6only_1_default", 1, -1 },
		{ "ipv6.delivery.v6only.bindv6only_1_set_0", 1, 0 },
		{ "ipv6.delivery.v6only.bindv6only_0_set_1", 0, 1 },
	};
	struct in_addr lo4 = mcp_in("127.0.0.1");
	struct mcp_res r;
	int s4, s6, fd, v = -1, zero = 0;

	setup();
	s4 = dlv_udp(0, "0.0.0.0", 0);
	if (s4 < 0 || setsockopt(s4, IPPROTO_IP, IP_MULTICAST_IF, &lo4, sizeof(lo4)) < 0)
		mcp_broken("AF_INET sender on lo");
	s6 = dlv_must_sender(F, lo_index);
	for (size_t i = 0; i < MCP_ARRAY_SIZE(rows); i++)
		v6only_row(&rows[i], (uint16_t)(7800 + i), s4, s6);
	/* once bound, the socket's family behaviour is fixed */
	fd = dlv_must_udp(F, 0, "::", 7810);
	r = MCP_TRY(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)));
	dlv_get_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v);
	obs_begin("ipv6.delivery.v6only.set_0_after_bind");
	obs_res(NULL, r);
	obs_int("value", v);
	obs_end();
	close(fd);
	close(s4);
	close(s6);
}

/* ------------------------------------------------------------------ */
/* connect() and send()/sendto() */

static void connect_lo_only(const char *g, uint16_t port)
{
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	int c = dlv_must_udp(F, 0, "::", 0);
	struct mcp_res r;

	inet_pton(AF_INET6, g, &to.sin6_addr);
	r = MCP_TRY(connect(c, (struct sockaddr *)&to, sizeof(to)));
	obs_begin("ipv6.delivery.connect.sender_no_route");
	obs_res(NULL, r);
	obs_end();
	close(c);
}

static void connected_sender(int c, int w, const struct sockaddr_in6 *to)
{
	struct sockaddr_in6 name = { 0 }, o = *to;
	socklen_t nl = sizeof(name);
	unsigned char buf[LEN];
	struct dlv6_rx rx;
	struct mcp_res r = MCP_TRY(connect(c, (const struct sockaddr *)to, sizeof(*to)));
	int got;

	getsockname(c, (struct sockaddr *)&name, &nl);
	dlv_fill(buf, 1, 0, LEN);
	{
		struct mcp_res sr = MCP_TRY((int)send(c, buf, LEN, 0));

		got = dlv6_recv(w, &rx, DLV_POSITIVE_MS) == 1 && rx.tag == 1;
		obs_begin("ipv6.delivery.connect.sender_connected_to_group");
		obs_res("connect", r);
		obs_str("local_addr", dlv6_ntop(&name.sin6_addr));
		obs_res("send", sr);
		obs_bool("received", got);
		obs_str("received_dst", got ? dlv6_ntop(&rx.dst) : "none");
		obs_end();
	}
	/* sendto() another group on the connected socket overrides the peer */
	inet_pton(AF_INET6, "ff05::d:3", &o.sin6_addr);
	dlv_fill(buf, 2, 0, LEN);
	r = MCP_TRY((int)sendto(c, buf, LEN, 0, (struct sockaddr *)&o, sizeof(o)));
	got = dlv6_recv(w, &rx, DLV_POSITIVE_MS) == 1 && rx.tag == 2;
	obs_begin("ipv6.delivery.connect.sendto_other_group_on_connected");
	obs_res(NULL, r);
	obs_bool("received", got);
	obs_str("received_dst", got ? dlv6_ntop(&rx.dst) : "none");
	obs_end();
}

static void connect_(void)
{
	static const char *G = "ff05::d:1";
	const uint16_t P = 7900;
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_port = htons(P) };
	struct sockaddr_in6 name = { 0 };
	socklen_t nl = sizeof(name);
	unsigned char buf[LEN];
	struct mcp_res r;
	int w, c, u, rc_sock;

	setup_bare();
	connect_lo_only(G, P);
	if (dlv6_route_add("ff00::/8", "lo", RTN_LOCAL, RT_TABLE_LOCAL, 0) < 0)
		mcp_broken("route local ff00::/8 dev lo");
	inet_pton(AF_INET6, G, &to.sin6_addr);
	w = dlv_must_udp(F, DLV6_REUSEADDR, "::", P);	/* witness, joined G and ff05::d:3 */
	dlv_must_join(F, w, G, lo_index);
	dlv_must_join(F, w, "ff05::d:3", lo_index);
	c = dlv_must_sender(F, lo_index);
	connected_sender(c, w, &to);

	/* send() on an unconnected socket has no destination */
	u = dlv_must_sender(F, lo_index);
	dlv_fill(buf, 9, 0, LEN);
	r = MCP_TRY((int)send(u, buf, LEN, 0));
	obs_begin("ipv6.delivery.connect.send_unconnected");
	obs_res(NULL, r);
	obs_end();

	/* a joined wildcard receiver that then connects to the group: its peer
	 * becomes the group, and group traffic never comes from the group */
	rc_sock = dlv_must_udp(F, DLV6_REUSEADDR, "::", P);
	dlv_must_join(F, rc_sock, G, lo_index);
	if (dlv6_set_if(rc_sock, lo_index) < 0)
		mcp_broken("IPV6_MULTICAST_IF lo");
	r = MCP_TRY(connect(rc_sock, (struct sockaddr *)&to, sizeof(to)));
	getsockname(rc_sock, (struct sockaddr *)&name, &nl);
	dlv_must_send(F, u, G, P, 3, 0, LEN);
	dlv_await_witness(F, w, 3);
	obs_begin("ipv6.delivery.connect.wildcard_receiver_then_connected_to_group");
	obs_res("connect", r);
	obs_str("local_addr", dlv6_ntop(&name.sin6_addr));
	obs_int("received", dlv6_drain(rc_sock, 3, NULL));
	obs_end();
	close(rc_sock);
	close(u);
	close(c);
	close(w);
}

/* ------------------------------------------------------------------ */
/* sendto() a group with and without a route */

struct noroute_row {
	const char *id;
	const char *group;
	int use_if;		/* IPV6_MULTICAST_IF: 1 lo, 2 v0 */
	int then_sentinel;	/* a sentinel via v0 bounds what the peer got */
};

static struct mcp_res noroute_send(const struct noroute_row *row, uint32_t tag)
{
	int s = dlv_must_udp(F, 0, "::", 0);
	struct mcp_res r;

	if (row->use_if && dlv6_set_if(s, row->use_if == 1 ? lo_index : mcp_ifindex("v0")) < 0)
		mcp_broken("IPV6_MULTICAST_IF");
	r = MCP_TRY((int)dlv6_send(s, row->group, 8000, tag, 0, LEN));
	close(s);
	return r;
}

static void noroute_rows(const struct noroute_row *rows, size_t n, uint32_t tag0, int pr, int peer)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t tag = tag0 + (uint32_t)i;
		struct mcp_res r = noroute_send(&rows[i], tag);
		struct dlv6_rx rx = { 0 };
		int got = 0, earlier = 0;

		if (rows[i].then_sentinel) {
			static const struct noroute_row sent = { NULL, "ff05::e:1", 2, 0 };
			struct dlv6_rx any;

			if (noroute_send(&sent, DLV_TAG_SENTINEL).rc != LEN)
				mcp_broken("sentinel via v0");
			/* what came before the sentinel: this row's datagram, or
			 * an earlier row's that had no sentinel of its own */
			for (int k = 0; k < 64 && dlv6_recv(pr, &any, DLV_POSITIVE_MS) == 1 &&
					any.tag != DLV_TAG_SENTINEL; k++) {
				if (any.tag == tag && !got++)
					rx = any;
				else
					earlier++;
			}
		}
		obs_begin("%s", rows[i].id);
		obs_res(NULL, r);
		if (rows[i].then_sentinel) {
			obs_int("peer_received", got);
			obs_str("peer_ifname", got ? dlv_ifname_in(peer, rx.ifindex) : "none");
			obs_str("src", got ? dlv6_ntop(&rx.src) : "none");
			obs_int("hoplimit", got ? rx.hoplimit : -1);
			obs_int("earlier_rows_received", earlier);
		}
		obs_end();
	}
}

static void noroute(void)
{
	static const struct noroute_row lo_only[] = {
		{ "ipv6.delivery.noroute.lo_only_sendto_ff02", "ff02::e:1", 0, 0 },
		{ "ipv6.delivery.noroute.lo_only_sendto_ff05", "ff05::e:1", 0, 0 },
		{ "ipv6.delivery.noroute.lo_only_if_lo_sendto_ff02", "ff02::e:1", 1, 0 },
	};
	static const struct noroute_row veth[] = {
		{ "ipv6.delivery.noroute.veth_auto_route_sendto_ff05", "ff05::e:1", 0, 1 },
		{ "ipv6.delivery.noroute.veth_auto_route_sendto_ff02", "ff02::e:1", 0, 1 },
		{ "ipv6.delivery.noroute.veth_auto_route_sendto_ff01", "ff01::e:1", 0, 1 },
	};
	static const struct noroute_row deleted[] = {
		{ "ipv6.delivery.noroute.auto_route_deleted_sendto_ff05", "ff05::e:1", 0, 0 },
		{ "ipv6.delivery.noroute.auto_route_deleted_if_v0_sendto_ff05", "ff05::e:1", 2, 0 },
	};
	static const struct noroute_row deflt[] = {
		{ "ipv6.delivery.noroute.default_route_only_sendto_ff05", "ff05::e:1", 0, 1 },
	};
	int peer, pr, v1;

	setup_bare();
	noroute_rows(lo_only, MCP_ARRAY_SIZE(lo_only), 1, -1, -1);
	peer = dlv6_ns_new();
	if (peer < 0 || dlv_link_pair("v0", NULL, peer, "v1", NULL) < 0 || dlv6_addr_add("v0", "fd00:e::1/64") < 0)
		mcp_broken("veth pair to peer");
	v1 = dlv_ifindex_in(peer, "v1");
	pr = dlv6_udp_in(peer, 0, "::", 8000);
	if (pr < 0 || dlv6_join(pr, "ff05::e:1", v1) < 0 || dlv6_join(pr, "ff02::e:1", v1) < 0 ||
	    dlv6_join(pr, "ff01::e:1", v1) < 0)
		mcp_broken("peer joins on v1");
	noroute_rows(veth, MCP_ARRAY_SIZE(veth), 10, pr, peer);
	if (dlv6_route_del("ff00::/8", "v0", RTN_MULTICAST, RT_TABLE_LOCAL, 256) < 0)
		mcp_broken("delete the ff00::/8 route of v0");
	noroute_rows(deleted, MCP_ARRAY_SIZE(deleted), 20, pr, peer);
	if (dlv6_route_add("::/0", "v0", RTN_UNICAST, RT_TABLE_MAIN, 0) < 0)
		mcp_broken("default route dev v0");
	noroute_rows(deflt, MCP_ARRAY_SIZE(deflt), 30, pr, peer);
	close(pr);
	close(peer);
}

/* ------------------------------------------------------------------ */
/* A membership made before bind(): the join needs no local port */

static void join_before_bind(void)
{
	static const char *G = "ff05::f:1";
	const uint16_t P = 8100;
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(P) };
	struct mcp_res jr, br;
	int fd, w, s;

	setup();
	w = dlv_must_udp(F, DLV6_REUSEADDR, "::", P);
	dlv_must_join(F, w, G, lo_index);
	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		mcp_broken("socket");
	jr = MCP_TRY(dlv6_join(fd, G, lo_index));
	{
		int one = 1;

		if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
			mcp_broken("SO_REUSEADDR");
	}
	br = MCP_TRY(bind(fd, (struct sockaddr *)&a, sizeof(a)));
	s = dlv_must_sender(F, lo_index);
	dlv_must_send(F, s, G, P, 1, 0, LEN);
	dlv_await_witness(F, w, 1);
	obs_begin("ipv6.delivery.join_before_bind.then_bound_to_port");
	obs_res("join", jr);
	obs_res("bind", br);
	obs_int("received", dlv6_drain(fd, 1, NULL));
	obs_end();
	close(fd);
	close(s);
	close(w);
}

static const struct mcp_scenario scenarios[] = {
	{ "ipc", ipc, 0 },
	{ "lo_route", lo_route, 0 },
	{ "receivers", receivers, 0 },
	{ "no_member", no_member, 0 },
	{ "reuseport", reuseport, 0 },
	{ "mcast_all", mcast_all, 0 },
	{ "dualstack", dualstack, 0 },
	{ "v6only", v6only, 0 },
	{ "connect", connect_, 0 },
	{ "noroute", noroute, 0 },
	{ "join_before_bind", join_before_bind, 0 },
};

int main(int argc, char **argv)
{
	return mcp_main(argc, argv, "delivery6", scenarios, MCP_ARRAY_SIZE(scenarios));
}
