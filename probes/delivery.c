// SPDX-License-Identifier: GPL-2.0
/*
 * delivery - which IPv4 UDP sockets receive a multicast datagram.
 *
 * Tested: multicast as IPC on lo (one sender, 1/2/8 receivers sharing a port
 * with SO_REUSEADDR, IP_MULTICAST_IF by address and by ifindex: every
 * receiver gets every datagram intact and in order; 2000 datagrams paced by
 * a window that 4 receivers read before the next: none lost, all in order;
 * IP_MULTICAST_ALL set rows seen on an unjoined socket); which sockets on the
 * port receive (not joined, joined another group, bound to the group, bound
 * to another group, bound to a unicast address, unicast to the same port,
 * SO_REUSEPORT groups); IP_MULTICAST_ALL (defaults for AF_INET and AF_INET6
 * sockets, accepted values, effect on unjoined sockets, 224.0.0.1 with no
 * join); connect() to a group; sendto() with no multicast route; a socket
 * that joins before it binds; datagrams from a peer whose source is a
 * multicast, broadcast or zero address (injected by a packet socket) and the
 * ICMP echo to 224.0.0.1 with net.ipv4.icmp_echo_ignore_broadcasts 0 and 1
 * (the reply to a later unicast echo decides "no reply").
 *
 * Environment: each scenario runs in a fresh network namespace with only lo
 * (127.0.0.1/8) up; "noroute", "forged_source" and "all_hosts_echo" add a
 * veth pair v0 10.0.0.1/24 <-> v1 10.0.0.2/24 to a peer namespace. The
 * scenario is pinned to one CPU so that "nothing arrived" is decided by a
 * witness socket or a sentinel datagram, never by a timer (see lib/dlv.h).
 */
#include "mcp.h"
#include "dlv.h"
#include "capture.h"

#include <arpa/inet.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef IP_MULTICAST_ALL
#define IP_MULTICAST_ALL 49
#endif
#ifndef IPV6_MULTICAST_ALL
#define IPV6_MULTICAST_ALL 29
#endif

#define LEN 64
#define F (&dlv_fam4)

static int lo_index;

static void setup(void)
{
	if (dlv_pin_cpu() < 0)
		mcp_broken("pin to one CPU");
	lo_index = mcp_ifindex("lo");
	if (lo_index < 0)
		mcp_broken("lo ifindex");
}

/* ------------------------------------------------------------------ */
/* Multicast as IPC: the tutorial pattern. */

#define IPC_COUNT 32

static void ipc_round(const char *id, int by_addr, int nrecv, uint16_t port)
{
	static const char *group = "239.10.1.1";
	int rfd[8], complete = 0, corrupt = 0, reordered = 0, dup = 0, s;
	struct mcp_res ifres;
	struct in_addr src = { 0 };
	int sent = 0;

	for (int i = 0; i < nrecv; i++) {
		rfd[i] = dlv_must_udp(F, DLV_REUSEADDR, "0.0.0.0", port);
		dlv_must_join(F, rfd[i], group, lo_index);
	}
	s = dlv_must_udp(F, 0, "0.0.0.0", 0);
	if (by_addr) {
		struct in_addr a = mcp_in("127.0.0.1");

		ifres = MCP_TRY(setsockopt(s, IPPROTO_IP, IP_MULTICAST_IF, &a, sizeof(a)));
	} else {
		ifres = MCP_TRY(dlv_set_if_index(s, lo_index));
	}
	for (int k = 0; k < IPC_COUNT; k++)
		if (dlv_send(s, group, port, 1, (uint32_t)k, LEN) == LEN)
			sent++;
	for (int i = 0; i < nrecv; i++) {
		int next = 0, ok = 1;

		/* positive wait for each of the datagrams that were sent */
		while (next < sent) {
			struct dlv_rx rx;

			if (dlv_recv(rfd[i], &rx, DLV_POSITIVE_MS) != 1) {
				ok = 0;
				break;
			}
			if (!rx.intact || rx.tag != 1) {
				corrupt++;
				ok = 0;
				continue;
			}
			if (rx.seq != (uint32_t)next) {
				reordered++;
				ok = 0;
			}
			src = rx.src;
			next = (int)rx.seq + 1;
		}
		/* anything still queued after the last one is a duplicate */
		dup += dlv_drain(rfd[i], 0, NULL);
		if (ok && next == IPC_COUNT)
			complete++;
		close(rfd[i]);
	}
	close(s);
	obs_begin("%s", id);
	obs_res("if", ifres);
	obs_int("sent", sent);
	obs_int("receivers_complete", complete);
	obs_int("corrupt", corrupt);
	obs_int("out_of_order", reordered);
	obs_int("duplicates", dup);
	obs_str("src", dlv_ntoa(src));
	obs_end();
}

/*
 * Read the datagrams seq [from, to) of tag 4 on fd with positive waits.
 * Returns how many arrived in order; *bad counts corrupt or out-of-order ones.
 */
static int read_window(int fd, uint32_t from, uint32_t to, int *bad)
{
	uint32_t next = from;
	int got = 0;

	while (next < to) {
		struct dlv_rx rx;

		if (dlv_recv(fd, &rx, DLV_POSITIVE_MS) != 1)
			break;
		if (!rx.intact || rx.tag != 4 || rx.seq != next) {
			(*bad)++;
			if (rx.tag == 4 && rx.seq > next)
				next = rx.seq + 1;	/* a gap: the ones skipped are lost */
			continue;
		}
		got++;
		next++;
	}
	return got;
}

/*
 * At a rate the receivers keep up with, multicast IPC on lo loses nothing:
 * the sender sends a window of datagrams, every receiver reads the whole
 * window before the next is sent (no receive buffer can fill: a window is a
 * fraction of net.core.rmem_default).
 */
#define PACED_COUNT 2000
#define PACED_WINDOW 40	/* divides PACED_COUNT */

static void ipc_paced_round(const char *id, size_t len, uint16_t port)
{
	static const char *group = "239.10.1.2";
	int rfd[4], inorder[4] = { 0 }, bad = 0, complete = 0, dup = 0, s = dlv_must_sender(F, lo_index);
	long sent = 0;

	for (int i = 0; i < 4; i++) {
		rfd[i] = dlv_must_udp(F, DLV_REUSEADDR, "0.0.0.0", port);
		dlv_must_join(F, rfd[i], group, lo_index);
	}
	for (uint32_t w = 0; w < PACED_COUNT; w += PACED_WINDOW) {
		for (uint32_t k = w; k < w + PACED_WINDOW; k++)
			if (dlv_send(s, group, port, 4, k, len) == (ssize_t)len)
				sent++;
		for (int i = 0; i < 4; i++)
			inorder[i] += read_window(rfd[i], w, w + PACED_WINDOW, &bad);
	}
	for (int i = 0; i < 4; i++) {
		dup += dlv_drain(rfd[i], 0, NULL);
		complete += inorder[i] == sent;
		close(rfd[i]);
	}
	close(s);
	obs_begin("%s", id);
	obs_int("sent", sent);
	obs_int("receivers_complete", complete);
	obs_int("lost_or_reordered", (long long)sent * 4 - inorder[0] - inorder[1] - inorder[2] - inorder[3]);
	obs_int("corrupt_or_out_of_order", bad);
	obs_int("duplicates", dup);
	obs_end();
}

static void ipc_paced(void)
{
	setup();
	ipc_paced_round("ipv4.delivery.ipc.paced.receivers_4_payload_64", 64, 5150);
	ipc_paced_round("ipv4.delivery.ipc.paced.receivers_4_payload_1400", 1400, 5151);
}

static void ipc(void)
{
	static const struct {
		int n;
		const char *id_addr, *id_index;	/* IP_MULTICAST_IF by address / by ifindex */
	} rows[] = {
		{ 1, "ipv4.delivery.ipc.if_addr.receivers_1", "ipv4.delivery.ipc.if_index.receivers_1" },
		{ 2, "ipv4.delivery.ipc.if_addr.receivers_2", "ipv4.delivery.ipc.if_index.receivers_2" },
		{ 8, "ipv4.delivery.ipc.if_addr.receivers_8", "ipv4.delivery.ipc.if_index.receivers_8" },
	};
	uint16_t port = 5100;

	setup();
	for (size_t i = 0; i < MCP_ARRAY_SIZE(rows); i++) {
		ipc_round(rows[i].id_addr, 1, rows[i].n, port++);
		ipc_round(rows[i].id_index, 0, rows[i].n, port++);
	}
}

/* ------------------------------------------------------------------ */
/* Which sockets on a port receive a datagram sent to a group. */

struct rcv_row {
	const char *id;		/* its last part names the receiver */
	const char *bind;	/* bound address */
	const char *join;	/* group joined on lo, NULL: none */
	int fd;
};

static void receivers(void)
{
	static const char *G = "239.10.2.1";
	struct rcv_row rows[] = {
		{ "ipv4.delivery.receivers.joined_any", "0.0.0.0", "239.10.2.1", -1 },		/* witness */
		{ "ipv4.delivery.receivers.unjoined_any", "0.0.0.0", NULL, -1 },
		{ "ipv4.delivery.receivers.joined_other_group_any", "0.0.0.0", "239.10.2.2", -1 },
		{ "ipv4.delivery.receivers.bound_group_unjoined", "239.10.2.1", NULL, -1 },
		{ "ipv4.delivery.receivers.bound_group_joined", "239.10.2.1", "239.10.2.1", -1 },
		{ "ipv4.delivery.receivers.bound_other_group_joined", "239.10.2.2", "239.10.2.2", -1 },
		{ "ipv4.delivery.receivers.bound_unicast_127_0_0_1", "127.0.0.1", NULL, -1 },
	};
	const uint16_t P = 5200;
	int s, got[MCP_ARRAY_SIZE(rows)], total = 0;
	const char *who = "none";

	setup();
	for (size_t i = 0; i < MCP_ARRAY_SIZE(rows); i++) {
		rows[i].fd = dlv_must_udp(F, DLV_REUSEADDR, rows[i].bind, P);
		if (rows[i].join)
			dlv_must_join(F, rows[i].fd, rows[i].join, lo_index);
	}
	s = dlv_must_sender(F, lo_index);
	dlv_must_send(F, s, G, P, 1, 0, LEN);
	dlv_await_witness(F, rows[0].fd, 1);
	for (size_t i = 1; i < MCP_ARRAY_SIZE(rows); i++) {
		obs_begin("%s", rows[i].id);
		obs_int("received", dlv_drain(rows[i].fd, 1, NULL));
		obs_end();
	}
	obs_begin("%s", rows[0].id);
	obs_int("received", 1 + dlv_drain(rows[0].fd, 1, NULL));
	obs_end();

	/* unicast to the same port: one socket gets it (no fan-out); the
	 * positive wait polls every socket, then the rest are read at once */
	dlv_must_send(F, s, "127.0.0.1", P, 2, 0, LEN);
	for (int spins = 0; spins < 100 && !total; spins++) {
		for (size_t i = 0; i < MCP_ARRAY_SIZE(rows); i++) {
			got[i] = dlv_drain(rows[i].fd, 2, NULL);
			if (got[i]) {
				who = strrchr(rows[i].id, '.') + 1;
				total += got[i];
			}
		}
		if (!total) {
			struct dlv_rx rx;

			/* block on the likeliest receiver a while, then sweep again */
			if (dlv_recv(rows[6].fd, &rx, DLV_POSITIVE_MS / 100) == 1 && rx.tag == 2) {
				who = strrchr(rows[6].id, '.') + 1;
				total++;
			}
		}
	}
	obs_begin("ipv4.delivery.receivers.unicast_same_port");
	obs_int("sockets_receiving", total);
	obs_str("receiver", who);
	obs_end();
	close(s);
	for (size_t i = 0; i < MCP_ARRAY_SIZE(rows); i++)
		close(rows[i].fd);
}

/* SO_REUSEPORT group: multicast is not load-balanced, unicast is. */
static void reuseport(void)
{
	setup();
	dlv_reuseport(F, "239.10.3.1", 5300, "127.0.0.1", lo_index,
		      "ipv4.delivery.reuseport.multicast_each_socket_gets_all",
		      "ipv4.delivery.reuseport.unicast_total");
}

/* ------------------------------------------------------------------ */
/* IP_MULTICAST_ALL */

struct allset_row {
	const char *id;
	int val;
	int optlen;	/* 1: one byte (val as unsigned char) */
};

static void mcast_all_set_rows(void);

static void mcast_all(void)
{
	int fd, v;
	struct mcp_res r;

	setup();
	/* defaults of fresh sockets, both families */
	fd = MCP_SAFE(socket(AF_INET, SOCK_DGRAM, 0));
	r = MCP_TRY(dlv_get_int(fd, IPPROTO_IP, IP_MULTICAST_ALL, &v));
	obs_begin("ipv4.delivery.mcast_all.default_af_inet");
	obs_res(NULL, r);
	obs_int("value", v);
	obs_end();
	close(fd);
	fd = socket(AF_INET6, SOCK_DGRAM, 0);
	if (fd < 0)
		mcp_broken("AF_INET6 socket");
	r = MCP_TRY(dlv_get_int(fd, IPPROTO_IP, IP_MULTICAST_ALL, &v));
	obs_begin("ipv4.delivery.mcast_all.default_af_inet6_sol_ip");
	obs_res(NULL, r);
	obs_int("value", v);
	obs_end();
	r = MCP_TRY(dlv_get_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, &v));
	obs_begin("ipv4.delivery.mcast_all.default_af_inet6_ipv6_multicast_all");
	obs_res(NULL, r);
	obs_int("value", v);
	obs_end();
	close(fd);

	mcast_all_set_rows();
}

/*
 * Accepted and rejected values; each row starts from a socket whose value was
 * first set to the opposite of what the row tries. The row's socket is
 * unjoined, on the port of a witness joined to the group: whether a datagram
 * to the group reaches it is the value in force (ip_mc_sf_allow), decided
 * when the witness has the same datagram.
 */
static void mcast_all_set_rows(void)
{
	static const struct allset_row set[] = {
		{ "ipv4.delivery.mcast_all.set.int_0", 0, 4 },
		{ "ipv4.delivery.mcast_all.set.int_1", 1, 4 },
		{ "ipv4.delivery.mcast_all.set.int_2", 2, 4 },
		{ "ipv4.delivery.mcast_all.set.int_minus1", -1, 4 },
		{ "ipv4.delivery.mcast_all.set.int_256", 256, 4 },
		{ "ipv4.delivery.mcast_all.set.char_0", 0, 1 },
		{ "ipv4.delivery.mcast_all.set.char_1", 1, 1 },
		{ "ipv4.delivery.mcast_all.set.char_2", 2, 1 },
		{ "ipv4.delivery.mcast_all.set.optlen_0", 0, 0 },
	};
	static const char *G = "239.10.4.9";
	const uint16_t P = 5410;
	int w = dlv_must_udp(F, DLV_REUSEADDR, "0.0.0.0", P), s = dlv_must_sender(F, lo_index);

	dlv_must_join(F, w, G, lo_index);
	for (size_t i = 0; i < MCP_ARRAY_SIZE(set); i++) {
		unsigned char c = (unsigned char)set[i].val;
		int iv = set[i].val, pre = set[i].val ? 0 : 1, after, fd;
		uint32_t tag = 10 + (uint32_t)i;
		struct mcp_res r;

		fd = dlv_must_udp(F, DLV_REUSEADDR, "0.0.0.0", P);
		if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_ALL, &pre, sizeof(pre)) < 0)
			mcp_broken("IP_MULTICAST_ALL %d", pre);
		r = MCP_TRY(setsockopt(fd, IPPROTO_IP, IP_MULTICAST_ALL,
				       set[i].optlen == 1 ? (void *)&c : (void *)&iv,
				       (socklen_t)set[i].optlen));
		MCP_SAFE(dlv_get_int(fd, IPPROTO_IP, IP_MULTICAST_ALL, &after));
		dlv_must_send(F, s, G, P, tag, 0, LEN);
		dlv_await_witness(F, w, tag);
		obs_begin("%s", set[i].id);
		obs_res(NULL, r);
		obs_int("before", pre);
		obs_int("after", after);
		obs_int("unjoined_received", dlv_drain(fd, tag, NULL));
		obs_end();
		close(fd);
	}
	close(s);
	close(w);
}

static int sock_all(const char *bind, uint16_t port, int all)
{
	int fd = dlv_must_udp(F, DLV_REUSEADDR, bind, port);

	if (all >= 0 && setsockopt(fd, IPPROTO_IP, IP_MULTICAST_ALL, &all, sizeof(all)) < 0)
		mcp_broken("IP_MULTICAST_ALL %d", all);
	return fd;
}

static void mcast_all_effect(void)
{
	static const char *G = "239.10.4.1";
	const uint16_t P = 5400, P2 = 5401;
	struct {
		const char *id, *bind;
		int all, join;
		int fd;
	} rows[] = {
		{ "ipv4.delivery.mcast_all.effect.joined_any_all0", "0.0.0.0", 0, 1, -1 },	/* witness: joined, ALL=0 */
		{ "ipv4.delivery.mcast_all.effect.unjoined_any_all0", "0.0.0.0", 0, 0, -1 },
		{ "ipv4.delivery.mcast_all.effect.unjoined_any_all1", "0.0.0.0", 1, 0, -1 },
		{ "ipv4.delivery.mcast_all.effect.unjoined_bound_group_all0", "239.10.4.1", 0, 0, -1 },
		{ "ipv4.delivery.mcast_all.effect.unjoined_bound_group_all1", "239.10.4.1", 1, 0, -1 },
	};
	int s, h1, h0, hg, got, v6;

	setup();
	for (size_t i = 0; i < MCP_ARRAY_SIZE(rows); i++) {
		rows[i].fd = sock_all(rows[i].bind, P, rows[i].all);
		if (rows[i].join)
			dlv_must_join(F, rows[i].fd, G, lo_index);
	}
	/* an AF_INET6 dual-stack socket on the same port, not joined: its
	 * SOL_IP IP_MULTICAST_ALL default (read in the mcast_all scenario)
	 * decides whether IPv4 group traffic reaches it */
	{
		struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(P) };
		int one = 1, zero = 0;

		v6 = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (v6 < 0 || setsockopt(v6, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
		    setsockopt(v6, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) < 0 ||
		    bind(v6, (struct sockaddr *)&a6, sizeof(a6)) < 0)
			mcp_broken("dual-stack AF_INET6 socket on port %u", P);
	}
	s = dlv_must_sender(F, lo_index);
	dlv_must_send(F, s, G, P, 1, 0, LEN);
	dlv_await_witness(F, rows[0].fd, 1);
	obs_begin("ipv4.delivery.mcast_all.effect.unjoined_af_inet6_dual_stack_default");
	obs_int("received", dlv_drain(v6, 1, NULL));
	obs_end();
	close(v6);
	obs_begin("%s", rows[0].id);
	obs_int("received", 1 + dlv_drain(rows[0].fd, 1, NULL));
	obs_end();
	for (size_t i = 1; i < MCP_ARRAY_SIZE(rows); i++) {
		obs_begin("%s", rows[i].id);
		obs_int("received", dlv_drain(rows[i].fd, 1, NULL));
		obs_end();
		close(rows[i].fd);
	}
	close(rows[0].fd);

	/* 224.0.0.1: every up device is a member (ip_mc_up); nothing here joins
	 * it. h1 (default ALL) is the one expected to receive; its positive wait
	 * decides when the others are read. */
	h1 = sock_all("0.0.0.0", P2, -1);
	h0 = sock_all("0.0.0.0", P2, 0);
	hg = sock_all("224.0.0.1", P2, -1);
	dlv_must_send(F, s, "224.0.0.1", P2, 3, 0, LEN);
	{
		struct dlv_rx rx;

		got = dlv_recv(h1, &rx, DLV_POSITIVE_MS) == 1 && rx.tag == 3;
	}
	obs_begin("ipv4.delivery.mcast_all.all_hosts.no_join_any_default");
	obs_int("received", got + dlv_drain(h1, 3, NULL));
	obs_end();
	obs_begin("ipv4.delivery.mcast_all.all_hosts.no_join_any_all0");
	obs_int("received", dlv_drain(h0, 3, NULL));
	obs_end();
	obs_begin("ipv4.delivery.mcast_all.all_hosts.no_join_bound_224_0_0_1");
	obs_int("received", dlv_drain(hg, 3, NULL));
	obs_end();
	close(h1);
	close(h0);
	close(hg);
	close(s);
}

/* ------------------------------------------------------------------ */
/* connect() and send()/sendto() */

static void connect_(void)
{
	static const char *G = "239.10.5.1", *G3 = "239.10.5.3";
	const uint16_t P = 5500;
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(P), .sin_addr = mcp_in(G) };
	struct sockaddr_in name;
	socklen_t nl;
	struct mcp_res r;
	struct dlv_rx rx;
	int w, c, rc_sock, u, got;
	ssize_t n;

	setup();
	w = dlv_must_udp(F, DLV_REUSEADDR, "0.0.0.0", P);	/* witness, joined G and G3 */
	dlv_must_join(F, w, G, lo_index);
	dlv_must_join(F, w, G3, lo_index);

	/* no route and no IP_MULTICAST_IF: connect() needs a route too */
	c = dlv_must_udp(F, 0, "0.0.0.0", 0);
	r = MCP_TRY(connect(c, (struct sockaddr *)&to, sizeof(to)));
	obs_begin("ipv4.delivery.connect.sender_no_route");
	obs_res(NULL, r);
	obs_end();
	close(c);

	/* a sender connected to the group */
	c = dlv_must_udp(F, 0, "0.0.0.0", 0);
	if (dlv_set_if_index(c, lo_index) < 0)
		mcp_broken("IP_MULTICAST_IF lo");
	r = MCP_TRY(connect(c, (struct sockaddr *)&to, sizeof(to)));
	nl = sizeof(name);
	memset(&name, 0, sizeof(name));
	getsockname(c, (struct sockaddr *)&name, &nl);
	n = dlv_send_connected(c, 1, 0, LEN);
	got = dlv_recv(w, &rx, DLV_POSITIVE_MS) == 1 && rx.tag == 1;
	obs_begin("ipv4.delivery.connect.sender_connected_to_group");
	obs_res("connect", r);
	obs_str("local_addr", dlv_ntoa(name.sin_addr));
	obs_int("send_ret", n);
	obs_bool("received", got);
	obs_str("received_dst", got ? dlv_ntoa(rx.dst) : "none");
	obs_end();

	/* sendto() another group on the connected socket overrides the peer */
	{
		struct sockaddr_in o = to;
		unsigned char buf[LEN];

		o.sin_addr = mcp_in(G3);
		dlv_fill(buf, 2, 0, LEN);
		r = MCP_TRY((int)sendto(c, buf, LEN, 0, (struct sockaddr *)&o, sizeof(o)));
		got = dlv_recv(w, &rx, DLV_POSITIVE_MS) == 1 && rx.tag == 2;
		obs_begin("ipv4.delivery.connect.sendto_other_group_on_connected");
		obs_res(NULL, r);
		obs_bool("received", got);
		obs_str("received_dst", got ? dlv_ntoa(rx.dst) : "none");
		obs_end();
	}

	/* send() on an unconnected socket has no destination */
	u = dlv_must_sender(F, lo_index);
	r = MCP_TRY((int)dlv_send_connected(u, 9, 0, LEN));
	obs_begin("ipv4.delivery.connect.send_unconnected");
	obs_res(NULL, r);
	obs_end();

	/* a wildcard-bound, joined receiver that then connects to the group:
	 * its peer becomes the group, so group traffic (whose source is never
	 * the group) no longer matches it. lo has no universe-scope address, so
	 * the route gives no source and the local address stays 0.0.0.0 */
	rc_sock = dlv_must_udp(F, DLV_REUSEADDR, "0.0.0.0", P);
	dlv_must_join(F, rc_sock, G, lo_index);
	if (dlv_set_if_index(rc_sock, lo_index) < 0)
		mcp_broken("IP_MULTICAST_IF lo");
	r = MCP_TRY(connect(rc_sock, (struct sockaddr *)&to, sizeof(to)));
	nl = sizeof(name);
	memset(&name, 0, sizeof(name));
	getsockname(rc_sock, (struct sockaddr *)&name, &nl);
	dlv_must_send(F, u, G, P, 3, 0, LEN);
	dlv_await_witness(F, w, 3);
	obs_begin("ipv4.delivery.connect.wildcard_receiver_then_connected_to_group");
	obs_res("connect", r);
	obs_str("local_addr", dlv_ntoa(name.sin_addr));
	obs_int("received", dlv_drain(rc_sock, 3, NULL));
	obs_end();
	close(rc_sock);
	close(u);
	close(c);
	close(w);
}

/* ------------------------------------------------------------------ */
/* sendto() a group with and without a route */

/* one sendto() of tag to dst; with a peer receiver pr (>= 0, in namespace
 * peer) also whether and where it got the datagram */
static void noroute_send(const char *id, int s, const char *dst, uint16_t port, uint32_t tag, int pr, int peer)
{
	struct mcp_res r = MCP_TRY((int)dlv_send(s, dst, port, tag, 0, LEN));
	struct dlv_rx rx;
	int got = pr >= 0 && dlv_recv(pr, &rx, DLV_POSITIVE_MS) == 1 && rx.tag == tag;

	obs_begin("%s", id);
	obs_res(NULL, r);
	if (pr >= 0) {
		obs_bool("peer_received", got);
		obs_str("peer_ifname", got ? dlv_ifname_in(peer, rx.ifindex) : "none");
	}
	obs_end();
}

static void noroute(void)
{
	static const char *G = "239.10.6.1";
	const uint16_t P = 5600;
	int s, peer, pr;

	setup();
	s = dlv_must_udp(F, 0, "0.0.0.0", 0);
	noroute_send("ipv4.delivery.noroute.sendto_group_lo_only", s, G, P, 1, -1, -1);
	noroute_send("ipv4.delivery.noroute.sendto_all_hosts_lo_only", s, "224.0.0.1", P, 1, -1, -1);

	/* a veth to a peer with an address but still no multicast route */
	peer = dlv_ns_new();
	if (peer < 0 || dlv_link_pair("v0", "10.0.0.1/24", peer, "v1", "10.0.0.2/24") < 0)
		mcp_broken("veth pair to peer");
	noroute_send("ipv4.delivery.noroute.sendto_group_connected_subnet_only", s, G, P, 1, -1, -1);

	pr = dlv_udp_in(peer, 0, "0.0.0.0", P);
	if (pr < 0 || mcp_join_ifindex(pr, G, dlv_ifindex_in(peer, "v1")) < 0)
		mcp_broken("peer join on v1");

	/* a default route covers the groups too; its gateway plays no part */
	if (mcp_route_add("default", "v0", "10.0.0.2") < 0)
		mcp_broken("default route via 10.0.0.2");
	noroute_send("ipv4.delivery.noroute.sendto_group_default_route_only", s, G, P, 3, pr, peer);
	if (mcp_route_del("default", "v0", "10.0.0.2") < 0)
		mcp_broken("delete the default route");
	if (mcp_route_add("224.0.0.0/4", "v0", NULL) < 0)
		mcp_broken("route 224.0.0.0/4 dev v0");
	noroute_send("ipv4.delivery.noroute.sendto_group_after_224_route", s, G, P, 2, pr, peer);
	close(pr);
	close(s);
	close(peer);
}

/* ------------------------------------------------------------------ */
/* A socket that joins before it binds. */

static void join_first(void)
{
	static const char *G = "239.10.7.1";
	const uint16_t P = 5700;
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(P) };
	int w, j, one = 1, s;
	struct mcp_res jr, br;

	setup();
	w = dlv_must_udp(F, DLV_REUSEADDR, "0.0.0.0", P);	/* witness: bound, then joined */
	dlv_must_join(F, w, G, lo_index);
	j = MCP_SAFE(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
	MCP_SAFE(setsockopt(j, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)));
	jr = MCP_TRY(mcp_join_ifindex(j, G, lo_index));
	br = MCP_TRY(bind(j, (struct sockaddr *)&a, sizeof(a)));
	s = dlv_must_sender(F, lo_index);
	dlv_must_send(F, s, G, P, 1, 0, LEN);
	dlv_await_witness(F, w, 1);
	obs_begin("ipv4.delivery.receivers.joined_before_bind");
	obs_res("join", jr);
	obs_res("bind", br);
	obs_int("received", dlv_drain(j, 1, NULL));
	obs_end();
	close(s);
	close(j);
	close(w);
}

/* ------------------------------------------------------------------ */
/* Frames from a peer: datagrams with a forged source injected by a packet
 * socket, and ICMP echo to 224.0.0.1. The host is the scenario's namespace,
 * v0 10.0.0.1/24 <-> v1 10.0.0.2/24 in the peer. */

static int peer_ns = -1;
static struct mcap pcap;

static void peer_link(void)
{
	setup();
	peer_ns = dlv_ns_new();
	if (peer_ns < 0 || mcap_open(&pcap, peer_ns) < 0)
		mcp_broken("peer namespace and its packet socket");
	/* dlv_link_pair waits until both ends can transmit */
	if (dlv_link_pair("v0", "10.0.0.1/24", peer_ns, "v1", "10.0.0.2/24") < 0)
		mcp_broken("veth pair to peer");
	if (mcap_bind_dev(&pcap, "v1") < 0)
		mcp_broken("packet socket on v1");
	mcp_pin("net.ipv4.conf.all.rp_filter", 0);
	mcp_pin_conf("ipv4", "v0", "rp_filter", 0);
	/* the forged sources are martians: keep them out of the kernel log */
	mcp_pin("net.ipv4.conf.all.log_martians", 0);
	mcp_pin_conf("ipv4", "v0", "log_martians", 0);
}

/* A UDP test datagram (no checksum) from src to dst:port, out of v1. */
static int inject_udp(const char *src, const char *dst, uint16_t port, uint32_t tag)
{
	unsigned char pl[8 + LEN], frame[256];
	uint16_t h[4] = { htons(4000), htons(port), htons(sizeof(pl)), 0 };
	int len;

	memcpy(pl, h, sizeof(h));
	dlv_fill(pl + 8, tag, 0, LEN);
	len = mcap_ipv4_frame(frame, sizeof(frame), pcap.mac, src, dst, IPPROTO_UDP, 1, 0, 0, pl, sizeof(pl));
	return len < 0 ? -1 : mcap_inject(&pcap, frame, (size_t)len);
}

static void forged_source(void)
{
	static const char *G = "239.10.8.1";
	static const struct {
		const char *id, *src;
	} rows[] = {
		{ "ipv4.delivery.source.unicast_peer_delivered", "10.0.0.2" },
		{ "ipv4.delivery.source.multicast_224_1_2_3_dropped", "224.1.2.3" },
		{ "ipv4.delivery.source.the_group_itself_dropped", "239.10.8.1" },
		{ "ipv4.delivery.source.limited_broadcast_dropped", "255.255.255.255" },
		{ "ipv4.delivery.source.zero_to_non_local_group_dropped", "0.0.0.0" },
	};
	const uint16_t P = 5800;
	int r;

	peer_link();
	r = dlv_must_udp(F, 0, "0.0.0.0", P);
	if (mcp_join_ifindex(r, G, mcp_ifindex("v0")) < 0)
		mcp_broken("join %s on v0", G);
	for (size_t i = 0; i < MCP_ARRAY_SIZE(rows); i++) {
		uint32_t tag = 20 + (uint32_t)i;

		/* the sentinel comes from the peer's own address along the same path */
		if (inject_udp(rows[i].src, G, P, tag) < 0 || inject_udp("10.0.0.2", G, P, DLV_TAG_SENTINEL) < 0)
			mcp_broken("inject from v1");
		obs_begin("%s", rows[i].id);
		obs_int("received", dlv_count_until_sentinel(r, tag, NULL));
		obs_end();
	}
	close(r);
}

static int raw_icmp_cb(void *arg)
{
	(void)arg;
	return socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
}

static int echo_to(int fd, const char *dst, uint16_t seq)
{
	struct icmphdr e = { .type = ICMP_ECHO, .un.echo = { htons(0x4d43), htons(seq) } };
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr = mcp_in(dst) };

	e.checksum = mcap_csum(&e, sizeof(e));
	return sendto(fd, &e, sizeof(e), 0, (struct sockaddr *)&to, sizeof(to)) == sizeof(e) ? 0 : -1;
}

/* Echo replies of our id until the one of seq `until` (positive wait): whether
 * the reply of seq `want` came before it, and from where. */
static int await_replies(int fd, uint16_t want, uint16_t until, struct in_addr *from)
{
	int got = 0;

	for (int spins = 0; spins < 64; spins++) {
		unsigned char buf[256];
		struct pollfd p = { .fd = fd, .events = POLLIN };
		struct icmphdr e;
		size_t ihl;
		ssize_t n;

		if (poll(&p, 1, DLV_POSITIVE_MS) != 1 || (n = recv(fd, buf, sizeof(buf), 0)) < 20)
			break;
		ihl = (size_t)(buf[0] & 0xf) * 4;
		if ((size_t)n < ihl + sizeof(e))
			continue;
		memcpy(&e, buf + ihl, sizeof(e));
		if (e.type != ICMP_ECHOREPLY || e.un.echo.id != htons(0x4d43))
			continue;
		if (ntohs(e.un.echo.sequence) == until)
			return got;
		if (ntohs(e.un.echo.sequence) == want) {
			memcpy(from, buf + 12, sizeof(*from));
			got++;
		}
	}
	mcp_broken("no echo reply from 10.0.0.1 within %d ms", DLV_POSITIVE_MS);
}

static void all_hosts_echo(void)
{
	static const struct {
		const char *id;
		int ignore;
	} rows[] = {
		{ "ipv4.delivery.all_hosts_echo.ignore_broadcasts_0_replied", 0 },
		{ "ipv4.delivery.all_hosts_echo.ignore_broadcasts_1_not_replied", 1 },
	};
	int fd;

	peer_link();
	fd = mcp_in_ns(peer_ns, raw_icmp_cb, NULL);
	if (fd < 0 || dlv_set_if_index(fd, dlv_ifindex_in(peer_ns, "v1")) < 0 || dlv_set_loop(fd, 0) < 0)
		mcp_broken("raw ICMP socket in the peer");
	for (size_t i = 0; i < MCP_ARRAY_SIZE(rows); i++) {
		uint16_t seq = (uint16_t)(10 * i + 1);
		struct in_addr from = { 0 };
		int got;

		mcp_pin("net.ipv4.icmp_echo_ignore_broadcasts", rows[i].ignore);
		/* the unicast echo after it is the witness: its reply comes after any reply to the first */
		if (echo_to(fd, "224.0.0.1", seq) < 0 || echo_to(fd, "10.0.0.1", (uint16_t)(seq + 1)) < 0)
			mcp_broken("echo requests from the peer");
		got = await_replies(fd, seq, (uint16_t)(seq + 1), &from);
		obs_begin("%s", rows[i].id);
		obs_int("replies", got);
		obs_str("reply_src", got ? dlv_ntoa(from) : "none");
		obs_end();
	}
	close(fd);
}

static const struct mcp_scenario scenarios[] = {
	{ "ipc", ipc, 0 },
	{ "ipc_paced", ipc_paced, 0 },
	{ "receivers", receivers, 0 },
	{ "reuseport", reuseport, 0 },
	{ "mcast_all", mcast_all, 0 },
	{ "mcast_all_effect", mcast_all_effect, 0 },
	{ "connect", connect_, 0 },
	{ "noroute", noroute, 0 },
	{ "join_first", join_first, 0 },
	{ "forged_source", forged_source, 0 },
	{ "all_hosts_echo", all_hosts_echo, 0 },
};

int main(int argc, char **argv)
{
	return mcp_main(argc, argv, "delivery", scenarios, MCP_ARRAY_SIZE(scenarios));
}
