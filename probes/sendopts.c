// SPDX-License-Identifier: GPL-2.0
/*
 * sendopts - the IPv4 sender-side multicast options and what they do to
 * datagrams: IP_MULTICAST_LOOP, IP_MULTICAST_TTL, IP_MULTICAST_IF.
 *
 * Tested per option: the default, accepted and rejected values and optlens
 * (int and one byte), what getsockopt writes for short optlens, and the
 * effect on real traffic: which side IP_MULTICAST_LOOP applies to and that lo
 * ignores it; the TTL a peer actually receives (IP_RECVTTL), what TTL 0 does
 * with and without a local member; which interface a datagram leaves by
 * (in_addr, ip_mreq, ip_mreqn, reset, SO_BINDTODEVICE precedence), the source
 * address of looped copies and the IP_PKTINFO a receiver gets. Every set
 * row of LOOP, TTL and IF is followed by a datagram that shows the value in
 * force. The raw option numbers 32-36 at work (IF, TTL, LOOP on traffic;
 * ADD/DROP_MEMBERSHIP in /proc/net/igmp; getsockopt of a membership option);
 * a joined sender receiving its own datagram with loop 1 and 0; a sender
 * bound to the group address.
 *
 * Environment: a fresh namespace ("host") with lo and two veth pairs to two
 * peer namespaces: v0 10.0.0.1/24 <-> v1 10.0.0.2/24 (peer A) and
 * w0 10.0.1.1/24 + 10.0.1.11/24 <-> w1 10.0.1.2/24 (peer B); the only
 * multicast route is 224.0.0.0/4 dev v0. Receivers: one per peer joined on
 * v1/w1, and (when a scenario wants local members) one per host interface
 * joined on v0, w0, lo with IP_MULTICAST_ALL 0 so each sees only its own
 * interface. Every observation ends with sentinels sent on v0, w0 (and lo)
 * that each receiver must get; counts are what arrived before its sentinel
 * (see lib/dlv.h), so no check waits for a timer.
 */
#include "mcp.h"
#include "dlv.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef IP_MULTICAST_ALL
#define IP_MULTICAST_ALL 49
#endif

#define LEN 64
#define F (&dlv_fam4)
#define G "239.20.0.1"
#define P 6000

enum { PA, PB, LV, LW, LL, NR };
static const char *const rname[NR] = { "peer_v1", "peer_w1", "local_v0", "local_w0", "local_lo" };
static int rfd[NR] = { -1, -1, -1, -1, -1 };
static int nsa = -1, nsb = -1, idx_v0, idx_w0, idx_lo;
static int sent_v0 = -1, sent_w0 = -1, sent_lo = -1;	/* sentinel senders */
static struct {
	int n;
	struct dlv_rx first;
} res[NR];
static struct mcp_res last_send;

static int local_receiver(int ifindex)
{
	int fd = dlv_must_udp(F, DLV_REUSEADDR, "0.0.0.0", P), zero = 0;

	if (setsockopt(fd, IPPROTO_IP, IP_MULTICAST_ALL, &zero, sizeof(zero)) < 0 ||
	    mcp_join_ifindex(fd, G, ifindex) < 0)
		mcp_broken("local receiver on ifindex %d", ifindex);
	return fd;
}

/* The topology in the header comment; local: add the host's own members. */
static void topo(int local)
{
	if (dlv_pin_cpu() < 0)
		mcp_broken("pin to one CPU");
	nsa = dlv_ns_new();
	nsb = dlv_ns_new();
	if (nsa < 0 || nsb < 0)
		mcp_broken("peer namespaces");
	if (dlv_link_pair("v0", "10.0.0.1/24", nsa, "v1", "10.0.0.2/24") < 0 ||
	    dlv_link_pair("w0", "10.0.1.1/24", nsb, "w1", "10.0.1.2/24") < 0 ||
	    mcp_addr_add("w0", "10.0.1.11/24") < 0)
		mcp_broken("veth pairs");
	if (mcp_route_add("224.0.0.0/4", "v0", NULL) < 0)
		mcp_broken("route 224.0.0.0/4 dev v0");
	idx_v0 = mcp_ifindex("v0");
	idx_w0 = mcp_ifindex("w0");
	idx_lo = mcp_ifindex("lo");
	rfd[PA] = dlv_udp_in(nsa, 0, "0.0.0.0", P);
	rfd[PB] = dlv_udp_in(nsb, 0, "0.0.0.0", P);
	if (rfd[PA] < 0 || rfd[PB] < 0 ||
	    mcp_join_ifindex(rfd[PA], G, dlv_ifindex_in(nsa, "v1")) < 0 ||
	    mcp_join_ifindex(rfd[PB], G, dlv_ifindex_in(nsb, "w1")) < 0)
		mcp_broken("peer receivers");
	sent_v0 = dlv_must_sender_set(F, idx_v0, 1, DLV_KEEP);
	sent_w0 = dlv_must_sender_set(F, idx_w0, 1, DLV_KEEP);
	if (local) {
		rfd[LV] = local_receiver(idx_v0);
		rfd[LW] = local_receiver(idx_w0);
		rfd[LL] = local_receiver(idx_lo);
		sent_lo = dlv_must_sender_set(F, idx_lo, 1, DLV_KEEP);
	}
}

/* Send one datagram from s (to G unless the socket is connected), then the
 * sentinels; count what each receiver got before its sentinel. */
static void observe(int s, uint32_t tag)
{
	last_send = MCP_TRY((int)dlv_send(s, G, P, tag, 0, LEN));
	if (dlv_send(sent_v0, G, P, DLV_TAG_SENTINEL, 0, LEN) != LEN ||
	    dlv_send(sent_w0, G, P, DLV_TAG_SENTINEL, 0, LEN) != LEN ||
	    (sent_lo >= 0 && dlv_send(sent_lo, G, P, DLV_TAG_SENTINEL, 0, LEN) != LEN))
		mcp_broken("sentinel send");
	for (int i = 0; i < NR; i++) {
		memset(&res[i], 0, sizeof(res[i]));
		if (rfd[i] >= 0)
			res[i].n = dlv_count_until_sentinel(rfd[i], tag, &res[i].first);
	}
}

static void obs_counts(unsigned int mask)
{
	for (int i = 0; i < NR; i++)
		if (mask & (1u << i))
			obs_int(rname[i], res[i].n);
}

#define M(x) (1u << (x))

static int ns_of(int i)
{
	return i == PA ? nsa : i == PB ? nsb : -1;
}

/* ------------------------------------------------------------------ */
/* option tables shared by LOOP and TTL: int options with a byte form */

struct intset_row {
	const char *id;
	int sock;		/* SOCK_DGRAM or SOCK_STREAM */
	int optlen;		/* 1, 2: the bytes below; 4: val as int; 0: nothing */
	int val;
	unsigned char bytes[2];
};

/*
 * Each row's socket sends one datagram out of v0 after the row's setsockopt,
 * so the value in force shows on traffic: for IP_MULTICAST_TTL the TTL peer A
 * receives, for IP_MULTICAST_LOOP whether the host's own member on v0 gets
 * the looped copy. A rejected value shows as the pre-set one still in force.
 * TCP sockets cannot send multicast: their rows record the return and the
 * value read back only.
 */
static void int_set_rows(const char *opt_name, int opt, int pre, const struct intset_row *rows, size_t n,
			 uint32_t tag)
{
	for (size_t i = 0; i < n; i++) {
		int fd = MCP_SAFE(socket(AF_INET, rows[i].sock, 0)), after = -1, iv = rows[i].val, before = pre;
		const void *arg = rows[i].optlen == 4 ? (const void *)&iv : (const void *)rows[i].bytes;
		int dgram = rows[i].sock == SOCK_DGRAM;
		struct mcp_res r;

		/* a TCP socket may refuse the option altogether: it starts from its default */
		if (!dgram)
			dlv_get_int(fd, IPPROTO_IP, opt, &before);
		else if (dlv_set_if_index(fd, idx_v0) < 0 || setsockopt(fd, IPPROTO_IP, opt, &pre, sizeof(pre)) < 0)
			mcp_broken("%s pre-set %d on a v0 sender", opt_name, pre);
		r = MCP_TRY(setsockopt(fd, IPPROTO_IP, opt, arg, (socklen_t)rows[i].optlen));
		dlv_get_int(fd, IPPROTO_IP, opt, &after);
		if (dgram)
			observe(fd, tag + (uint32_t)i);
		if (dgram && last_send.rc != LEN)
			mcp_broken("%s row %s: send", opt_name, rows[i].id);
		obs_begin("%s", rows[i].id);
		obs_res(NULL, r);
		obs_int("before", before);
		obs_int("after", after);
		if (dgram && opt == IP_MULTICAST_TTL)
			obs_int("peer_ttl", res[PA].n ? res[PA].first.ttl : -1);
		if (dgram && opt == IP_MULTICAST_LOOP)
			obs_counts(M(PA) | M(LV));
		obs_end();
		close(fd);
	}
}

struct get_row {
	int optlen;
	const char *id;
};

/* getsockopt with the rows' optlens on a buffer of 0xee bytes: what the
 * kernel writes and the optlen it returns */
static void get_optlen_rows(const char *opt_name, int opt, int val, const struct get_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char buf[16];
		socklen_t l = (socklen_t)rows[i].optlen;
		int fd = socket(AF_INET, SOCK_DGRAM, 0);
		struct mcp_res r;

		if (fd < 0 || setsockopt(fd, IPPROTO_IP, opt, &val, sizeof(val)) < 0)
			mcp_broken("%s set %d", opt_name, val);
		memset(buf, 0xee, sizeof(buf));
		r = MCP_TRY(getsockopt(fd, IPPROTO_IP, opt, buf, &l));
		obs_begin("%s", rows[i].id);
		obs_res(NULL, r);
		obs_int("optlen_out", l);
		obs_str("bytes", dlv_hex(buf, 8));
		obs_end();
		close(fd);
	}
}

static void obs_default(const char *id, int opt)
{
	int fd = MCP_SAFE(socket(AF_INET, SOCK_DGRAM, 0)), v = -1;
	struct mcp_res r = MCP_TRY(dlv_get_int(fd, IPPROTO_IP, opt, &v));

	obs_begin("%s", id);
	obs_res(NULL, r);
	obs_int("value", v);
	obs_end();
	close(fd);
}

/*
 * The multicast defaults of every kind of IPv4 socket (UDP's own are the
 * ttl/loop/mcif.default rows and delivery's mcast_all.default_af_inet):
 * inet_create() sets them for all protocols alike, so a protocol that
 * starts to differ fails its own check.
 */
static void socket_defaults(void)
{
	static const int opts[4] = { IP_MULTICAST_TTL, IP_MULTICAST_LOOP, IP_MULTICAST_ALL, IP_MULTICAST_IF };
	static const struct dlv_default_row rows[] = {
		{ SOCK_DGRAM, IPPROTO_UDPLITE, { "ipv4.sendopts.default.udplite.ttl", "ipv4.sendopts.default.udplite.loop",
						 "ipv4.sendopts.default.udplite.all", "ipv4.sendopts.default.udplite.mcif" } },
		{ SOCK_DGRAM, IPPROTO_ICMP, { "ipv4.sendopts.default.ping.ttl", "ipv4.sendopts.default.ping.loop",
					      "ipv4.sendopts.default.ping.all", "ipv4.sendopts.default.ping.mcif" } },
		{ SOCK_RAW, IPPROTO_UDP, { "ipv4.sendopts.default.raw_udp.ttl", "ipv4.sendopts.default.raw_udp.loop",
					   "ipv4.sendopts.default.raw_udp.all", "ipv4.sendopts.default.raw_udp.mcif" } },
		{ SOCK_RAW, IPPROTO_ICMP, { "ipv4.sendopts.default.raw_icmp.ttl", "ipv4.sendopts.default.raw_icmp.loop",
					    "ipv4.sendopts.default.raw_icmp.all", "ipv4.sendopts.default.raw_icmp.mcif" } },
		{ SOCK_RAW, IPPROTO_RAW, { "ipv4.sendopts.default.raw_ipproto_raw.ttl",
					   "ipv4.sendopts.default.raw_ipproto_raw.loop",
					   "ipv4.sendopts.default.raw_ipproto_raw.all",
					   "ipv4.sendopts.default.raw_ipproto_raw.mcif" } },
		{ SOCK_STREAM, IPPROTO_TCP, { "ipv4.sendopts.default.tcp.ttl", "ipv4.sendopts.default.tcp.loop",
					      "ipv4.sendopts.default.tcp.all", "ipv4.sendopts.default.tcp.mcif" } },
	};

	dlv_obs_defaults(AF_INET, IPPROTO_IP, opts, rows, MCP_ARRAY_SIZE(rows));
}

/* ------------------------------------------------------------------ */
/* IP_MULTICAST_LOOP */

static void loop_opt(void)
{
	/* the host's own member on v0 (local_v0) shows whether a copy is looped */
	topo(1);
	static const struct get_row get[] = {
		{ 0, "ipv4.sendopts.loop.get.value_1_optlen_0" },
		{ 1, "ipv4.sendopts.loop.get.value_1_optlen_1" },
		{ 2, "ipv4.sendopts.loop.get.value_1_optlen_2" },
		{ 4, "ipv4.sendopts.loop.get.value_1_optlen_4" },
		{ 8, "ipv4.sendopts.loop.get.value_1_optlen_8" },
	};
	static const struct intset_row rows[] = {
		{ "ipv4.sendopts.loop.set.int_0", SOCK_DGRAM, 4, 0, { 0 } },
		{ "ipv4.sendopts.loop.set.int_1", SOCK_DGRAM, 4, 1, { 0 } },
		{ "ipv4.sendopts.loop.set.int_5", SOCK_DGRAM, 4, 5, { 0 } },
		{ "ipv4.sendopts.loop.set.int_minus1", SOCK_DGRAM, 4, -1, { 0 } },
		{ "ipv4.sendopts.loop.set.int_256", SOCK_DGRAM, 4, 256, { 0 } },
		{ "ipv4.sendopts.loop.set.char_0", SOCK_DGRAM, 1, 0, { 0 } },
		{ "ipv4.sendopts.loop.set.char_1", SOCK_DGRAM, 1, 0, { 1 } },
		{ "ipv4.sendopts.loop.set.char_2", SOCK_DGRAM, 1, 0, { 2 } },
		{ "ipv4.sendopts.loop.set.optlen_2_bytes_00_01", SOCK_DGRAM, 2, 0, { 0, 1 } },
		{ "ipv4.sendopts.loop.set.optlen_0", SOCK_DGRAM, 0, 0, { 0 } },
		{ "ipv4.sendopts.loop.set.tcp_int_0", SOCK_STREAM, 4, 0, { 0 } },
	};

	obs_default("ipv4.sendopts.loop.default", IP_MULTICAST_LOOP);
	/* pre-set to 1 so a row that takes effect shows as a change to 0 */
	int_set_rows("loop", IP_MULTICAST_LOOP, 1, rows, MCP_ARRAY_SIZE(rows), 600);
	get_optlen_rows("loop", IP_MULTICAST_LOOP, 1, get, MCP_ARRAY_SIZE(get));
}

/* the facts of a sender-path row (dlv_path_rows): the send, the receivers
 * of mask and, where local names one, the TTL that receiver saw */
static void path_report(const struct dlv_path_row *row)
{
	obs_res("send", last_send);
	obs_counts(row->mask);
	if (row->local >= 0)
		obs_int("local_ttl", res[row->local].n ? res[row->local].first.ttl : -1);
}

static const struct dlv_path path = { F, { &idx_v0, &idx_w0, &idx_lo }, observe, path_report };

static void loop_path(void)
{
	/* dev: 0 v0, 1 w0, 2 lo */
	static const struct dlv_path_row rows[] = {
		/* local_v0's own receiver has IP_MULTICAST_LOOP 0 (set below) */
		{ "ipv4.sendopts.loop.path.v0_sender_loop1_receiver_loop0", 0, 1, DLV_KEEP, M(PA) | M(LV), -1 },
		{ "ipv4.sendopts.loop.path.v0_sender_loop0", 0, 0, DLV_KEEP, M(PA) | M(LV), -1 },
		{ "ipv4.sendopts.loop.path.w0_sender_loop0_receiver_loop1", 1, 0, DLV_KEEP, M(PB) | M(LW), -1 },
		{ "ipv4.sendopts.loop.path.w0_sender_loop1", 1, 1, DLV_KEEP, M(PB) | M(LW), -1 },
		{ "ipv4.sendopts.loop.path.lo_sender_loop0_still_delivers", 2, 0, DLV_KEEP, M(LL), -1 },
		{ "ipv4.sendopts.loop.path.lo_sender_loop1_one_copy", 2, 1, DLV_KEEP, M(LL), -1 },
	};

	topo(1);
	if (dlv_set_loop(rfd[LV], 0) < 0)
		mcp_broken("receiver IP_MULTICAST_LOOP 0");
	dlv_path_rows(&path, rows, MCP_ARRAY_SIZE(rows), 100);
}

/* ------------------------------------------------------------------ */
/* IP_MULTICAST_TTL */

static void ttl_opt(void)
{
	/* no local member: ip_mc_output() is off the path, every TTL goes on the wire */
	topo(0);
	static const struct get_row get[] = {
		{ 0, "ipv4.sendopts.ttl.get.value_200_optlen_0" },
		{ 1, "ipv4.sendopts.ttl.get.value_200_optlen_1" },
		{ 2, "ipv4.sendopts.ttl.get.value_200_optlen_2" },
		{ 4, "ipv4.sendopts.ttl.get.value_200_optlen_4" },
		{ 8, "ipv4.sendopts.ttl.get.value_200_optlen_8" },
	};
	static const struct intset_row rows[] = {
		{ "ipv4.sendopts.ttl.set.int_0", SOCK_DGRAM, 4, 0, { 0 } },
		{ "ipv4.sendopts.ttl.set.int_1", SOCK_DGRAM, 4, 1, { 0 } },
		{ "ipv4.sendopts.ttl.set.int_64", SOCK_DGRAM, 4, 64, { 0 } },
		{ "ipv4.sendopts.ttl.set.int_255", SOCK_DGRAM, 4, 255, { 0 } },
		{ "ipv4.sendopts.ttl.set.int_minus1", SOCK_DGRAM, 4, -1, { 0 } },
		{ "ipv4.sendopts.ttl.set.int_minus2", SOCK_DGRAM, 4, -2, { 0 } },
		{ "ipv4.sendopts.ttl.set.int_256", SOCK_DGRAM, 4, 256, { 0 } },
		{ "ipv4.sendopts.ttl.set.int_65536", SOCK_DGRAM, 4, 65536, { 0 } },
		{ "ipv4.sendopts.ttl.set.char_0", SOCK_DGRAM, 1, 0, { 0 } },
		{ "ipv4.sendopts.ttl.set.char_200", SOCK_DGRAM, 1, 0, { 200 } },
		{ "ipv4.sendopts.ttl.set.char_255", SOCK_DGRAM, 1, 0, { 255 } },
		{ "ipv4.sendopts.ttl.set.optlen_2_bytes_02_01", SOCK_DGRAM, 2, 0, { 2, 1 } },
		{ "ipv4.sendopts.ttl.set.optlen_0", SOCK_DGRAM, 0, 0, { 0 } },
		{ "ipv4.sendopts.ttl.set.tcp_int_5", SOCK_STREAM, 4, 5, { 0 } },
	};

	obs_default("ipv4.sendopts.ttl.default", IP_MULTICAST_TTL);
	/* pre-set 7: neither the default nor a value any row sets */
	int_set_rows("ttl", IP_MULTICAST_TTL, 7, rows, MCP_ARRAY_SIZE(rows), 700);
	get_optlen_rows("ttl", IP_MULTICAST_TTL, 200, get, MCP_ARRAY_SIZE(get));
}

/* The TTL a peer sees; no local member on v0, so ip_mc_output() is not on
 * the path and nothing is looped. */
static void ttl_wire(void)
{
	static const struct {
		int ttl;	/* -100: unset */
		const char *id;
	} ttls[] = {
		{ -100, "ipv4.sendopts.ttl.wire.unset_no_local_member" },
		{ 0, "ipv4.sendopts.ttl.wire.ttl_0_no_local_member" },
		{ 1, "ipv4.sendopts.ttl.wire.ttl_1_no_local_member" },
		{ 2, "ipv4.sendopts.ttl.wire.ttl_2_no_local_member" },
		{ 64, "ipv4.sendopts.ttl.wire.ttl_64_no_local_member" },
		{ 255, "ipv4.sendopts.ttl.wire.ttl_255_no_local_member" },
	};

	topo(0);
	for (size_t i = 0; i < MCP_ARRAY_SIZE(ttls); i++) {
		int s = dlv_must_udp(F, 0, "0.0.0.0", 0);

		if (dlv_set_if_index(s, idx_v0) < 0 || (ttls[i].ttl != -100 && dlv_set_ttl(s, ttls[i].ttl) < 0))
			mcp_broken("sender setup");
		observe(s, 200 + (uint32_t)i);
		obs_begin("%s", ttls[i].id);
		obs_res("send", last_send);
		obs_counts(M(PA));
		obs_int("peer_ttl", res[PA].n ? res[PA].first.ttl : -1);
		obs_end();
		close(s);
	}
}

/* TTL 0 when the host is itself a member on the output device (and on lo) */
static void ttl0_member(void)
{
	/* dev: 0 v0, 2 lo */
	static const struct dlv_path_row rows[] = {
		{ "ipv4.sendopts.ttl.wire.ttl_0_local_member_v0", 0, DLV_KEEP, 0, M(PA) | M(LV), LV },
		{ "ipv4.sendopts.ttl.wire.ttl_1_local_member_v0", 0, DLV_KEEP, 1, M(PA) | M(LV), LV },
		{ "ipv4.sendopts.ttl.wire.ttl_0_lo_member", 2, DLV_KEEP, 0, M(LL), LL },
	};

	topo(1);
	dlv_path_rows(&path, rows, MCP_ARRAY_SIZE(rows), 300);
}

/* ------------------------------------------------------------------ */
/* IP_MULTICAST_IF */

enum ifarg { A_INADDR, A_MREQ, A_MREQN };

struct ifset_row {
	const char *id;
	int sock;
	enum ifarg kind;
	const char *first;	/* in_addr, or ip_mreq/ip_mreqn first field */
	const char *second;	/* ip_mreq imr_interface / ip_mreqn imr_address */
	int ifindex;		/* ip_mreqn; -1: w0, -2: a device that cannot exist */
	int optlen;		/* 0: the natural size of kind */
	const char *preset;	/* set this in_addr first (to show a reset), or NULL */
};

static int set_if(int fd, enum ifarg kind, const char *first, const char *second, int ifindex, int optlen)
{
	unsigned char buf[32] = { 0 };
	struct ip_mreqn m = { 0 };

	if (ifindex == -1)
		ifindex = idx_w0;
	else if (ifindex == -2)
		ifindex = 0x7ffffff0;
	if (first)
		m.imr_multiaddr = mcp_in(first);
	if (second)
		m.imr_address = mcp_in(second);
	m.imr_ifindex = ifindex;
	memcpy(buf, &m, sizeof(m));	/* in_addr and ip_mreq are prefixes of this layout */
	if (!optlen)
		optlen = kind == A_INADDR ? 4 : kind == A_MREQ ? 8 : 12;
	return setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, buf, (socklen_t)optlen);
}

static const char *if_readback(int fd)
{
	struct in_addr a = { 0 };
	socklen_t l = sizeof(a);

	if (getsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &a, &l) < 0)
		return "error";
	return dlv_ntoa(a);
}

/* Which peer the datagram just observed reached (the sentinels decide the
 * zeros) and the source address it carried. */
static void obs_egress(void)
{
	obs_res("send", last_send);
	obs_counts(M(PA) | M(PB));
	obs_str("src", res[PA].n ? dlv_ntoa(res[PA].first.src) :
			res[PB].n ? dlv_ntoa(res[PB].first.src) : "none");
}

static void if_get_lens(void);

/*
 * Each accepted or rejected IP_MULTICAST_IF is followed by one datagram from
 * the same socket: where it leaves (peer A behind v0, the route's device; peer
 * B behind w0) and its source show what the kernel took from the argument,
 * beyond the address getsockopt reads back.
 */
static void if_opt(void)
{
	static const struct ifset_row rows[] = {
		{ "ipv4.sendopts.mcif.set.in_addr_w0", SOCK_DGRAM, A_INADDR, "10.0.1.1", NULL, 0, 0, NULL },
		{ "ipv4.sendopts.mcif.set.in_addr_w0_secondary", SOCK_DGRAM, A_INADDR, "10.0.1.11", NULL, 0, 0, NULL },
		{ "ipv4.sendopts.mcif.set.in_addr_127_0_0_1", SOCK_DGRAM, A_INADDR, "127.0.0.1", NULL, 0, 0, NULL },
		{ "ipv4.sendopts.mcif.set.in_addr_any_resets", SOCK_DGRAM, A_INADDR, "0.0.0.0", NULL, 0, 0, "10.0.1.1" },
		{ "ipv4.sendopts.mcif.set.in_addr_not_local", SOCK_DGRAM, A_INADDR, "192.0.2.1", NULL, 0, 0, NULL },
		{ "ipv4.sendopts.mcif.set.in_addr_group", SOCK_DGRAM, A_INADDR, G, NULL, 0, 0, NULL },
		{ "ipv4.sendopts.mcif.set.ip_mreq_w0", SOCK_DGRAM, A_MREQ, G, "10.0.1.1", 0, 0, NULL },
		{ "ipv4.sendopts.mcif.set.ip_mreq_first_field_ignored", SOCK_DGRAM, A_MREQ, "10.0.1.1", "0.0.0.0", 0, 0, "10.0.0.1" },
		{ "ipv4.sendopts.mcif.set.ip_mreqn_ifindex_w0", SOCK_DGRAM, A_MREQN, NULL, NULL, -1, 0, NULL },
		{ "ipv4.sendopts.mcif.set.ip_mreqn_ifindex_w0_after_addr", SOCK_DGRAM, A_MREQN, NULL, NULL, -1, 0, "10.0.0.1" },
		{ "ipv4.sendopts.mcif.set.ip_mreqn_ifindex_w0_foreign_addr", SOCK_DGRAM, A_MREQN, NULL, "192.0.2.7", -1, 0, NULL },
		{ "ipv4.sendopts.mcif.set.ip_mreqn_addr_only", SOCK_DGRAM, A_MREQN, NULL, "10.0.1.1", 0, 0, NULL },
		{ "ipv4.sendopts.mcif.set.ip_mreqn_bad_ifindex", SOCK_DGRAM, A_MREQN, NULL, NULL, -2, 0, NULL },
		{ "ipv4.sendopts.mcif.set.ip_mreqn_all_zero_resets", SOCK_DGRAM, A_MREQN, NULL, NULL, 0, 0, "10.0.1.1" },
		{ "ipv4.sendopts.mcif.set.optlen_0", SOCK_DGRAM, A_INADDR, "10.0.1.1", NULL, 0, -100, NULL },
		{ "ipv4.sendopts.mcif.set.optlen_3", SOCK_DGRAM, A_INADDR, "10.0.1.1", NULL, 0, 3, NULL },
		{ "ipv4.sendopts.mcif.set.optlen_5_read_as_in_addr", SOCK_DGRAM, A_INADDR, "10.0.1.1", NULL, 0, 5, NULL },
		{ "ipv4.sendopts.mcif.set.optlen_7_read_as_in_addr", SOCK_DGRAM, A_INADDR, "10.0.1.1", NULL, 0, 7, NULL },
		{ "ipv4.sendopts.mcif.set.optlen_11_read_as_ip_mreq", SOCK_DGRAM, A_MREQ, G, "10.0.1.1", 0, 11, NULL },
		{ "ipv4.sendopts.mcif.set.optlen_16_read_as_ip_mreqn", SOCK_DGRAM, A_MREQN, NULL, NULL, -1, 16, NULL },
		{ "ipv4.sendopts.mcif.set.tcp_in_addr_w0", SOCK_STREAM, A_INADDR, "10.0.1.1", NULL, 0, 0, NULL },
	};

	topo(0);
	obs_default("ipv4.sendopts.mcif.default", IP_MULTICAST_IF);
	for (size_t i = 0; i < MCP_ARRAY_SIZE(rows); i++) {
		int fd = socket(AF_INET, rows[i].sock, 0);
		struct mcp_res r;

		if (fd < 0)
			mcp_broken("socket");
		if (rows[i].preset && set_if(fd, A_INADDR, rows[i].preset, NULL, 0, 0) < 0)
			mcp_broken("preset IP_MULTICAST_IF %s", rows[i].preset);
		if (rows[i].optlen == -100)	/* optlen 0 (0 in the table means "natural size") */
			r = MCP_TRY(setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, "", 0));
		else
			r = MCP_TRY(set_if(fd, rows[i].kind, rows[i].first, rows[i].second, rows[i].ifindex,
					   rows[i].optlen));
		if (rows[i].sock == SOCK_DGRAM)
			observe(fd, 800 + (uint32_t)i);
		obs_begin("%s", rows[i].id);
		obs_res(NULL, r);
		obs_str("readback", if_readback(fd));
		if (rows[i].sock == SOCK_DGRAM)
			obs_egress();
		obs_end();
		close(fd);
	}
	if_get_lens();
}

/* what getsockopt writes for each optlen (address 10.0.1.1 = 0a000101) */
static void if_get_lens(void)
{
	{
		static const struct get_row lens[] = {
			{ 0, "ipv4.sendopts.mcif.get.optlen_0" },
			{ 2, "ipv4.sendopts.mcif.get.optlen_2" },
			{ 4, "ipv4.sendopts.mcif.get.optlen_4" },
			{ 8, "ipv4.sendopts.mcif.get.optlen_8" },
			{ 12, "ipv4.sendopts.mcif.get.optlen_12" },
		};

		for (size_t i = 0; i < MCP_ARRAY_SIZE(lens); i++) {
			unsigned char buf[16];
			socklen_t l = (socklen_t)lens[i].optlen;
			int fd = socket(AF_INET, SOCK_DGRAM, 0);
			struct mcp_res r;

			if (fd < 0 || set_if(fd, A_INADDR, "10.0.1.1", NULL, 0, 0) < 0)
				mcp_broken("IP_MULTICAST_IF 10.0.1.1");
			memset(buf, 0xee, sizeof(buf));
			r = MCP_TRY(getsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, buf, &l));
			obs_begin("%s", lens[i].id);
			obs_res(NULL, r);
			obs_int("optlen_out", l);
			obs_str("bytes", dlv_hex(buf, 12));
			obs_end();
			close(fd);
		}
	}
}

/* Where a datagram leaves, seen from the peers. */
static void if_path(void)
{
	struct {
		const char *id;
		const char *bind_dev;		/* SO_BINDTODEVICE before/after the IF step */
		int bind_after;
		enum ifarg kind;
		const char *first, *second;
		int ifindex;			/* -1 w0, -3 v0 */
		int no_if;			/* leave IP_MULTICAST_IF alone */
		const char *preset;
		const char *pktinfo_id;		/* also what the receiving peer learns */
	} rows[] = {
		{ "ipv4.sendopts.mcif.path.unset_follows_route", NULL, 0, A_INADDR, NULL, NULL, 0, 1, NULL, NULL },
		{ "ipv4.sendopts.mcif.path.in_addr_w0", NULL, 0, A_INADDR, "10.0.1.1", NULL, 0, 0, NULL,
		  "ipv4.sendopts.mcif.pktinfo.peer_receiver" },
		{ "ipv4.sendopts.mcif.path.in_addr_w0_secondary", NULL, 0, A_INADDR, "10.0.1.11", NULL, 0, 0, NULL, NULL },
		{ "ipv4.sendopts.mcif.path.ip_mreq_w0", NULL, 0, A_MREQ, G, "10.0.1.1", 0, 0, NULL, NULL },
		{ "ipv4.sendopts.mcif.path.ip_mreqn_ifindex_w0", NULL, 0, A_MREQN, NULL, NULL, -1, 0, NULL, NULL },
		{ "ipv4.sendopts.mcif.path.w0_then_in_addr_any_reset", NULL, 0, A_INADDR, "0.0.0.0", NULL, 0, 0, "10.0.1.1", NULL },
		{ "ipv4.sendopts.mcif.path.ip_mreqn_ifindex_w0_foreign_addr", NULL, 0, A_MREQN, NULL, "192.0.2.7", -1, 0, NULL, NULL },
		{ "ipv4.sendopts.mcif.path.bindtodevice_w0_no_if", "w0", 0, A_INADDR, NULL, NULL, 0, 1, NULL, NULL },
		{ "ipv4.sendopts.mcif.path.if_v0_then_bindtodevice_w0", "w0", 1, A_MREQN, NULL, NULL, -3, 0, NULL, NULL },
		{ "ipv4.sendopts.mcif.path.bindtodevice_v0_then_if_w0", "v0", 0, A_MREQN, NULL, NULL, -1, 0, NULL, NULL },
		{ "ipv4.sendopts.mcif.path.bindtodevice_v0_then_if_v0", "v0", 0, A_MREQN, NULL, NULL, -3, 0, NULL, NULL },
	};

	topo(0);
	for (size_t i = 0; i < MCP_ARRAY_SIZE(rows); i++) {
		int s = dlv_must_udp(F, 0, "0.0.0.0", 0);
		struct mcp_res ifr = { 0, 0 };
		int idx = rows[i].ifindex == -3 ? idx_v0 : rows[i].ifindex;

		if (rows[i].bind_dev && !rows[i].bind_after &&
		    setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, rows[i].bind_dev, (socklen_t)strlen(rows[i].bind_dev)) < 0)
			mcp_broken("SO_BINDTODEVICE %s", rows[i].bind_dev);
		if (rows[i].preset && set_if(s, A_INADDR, rows[i].preset, NULL, 0, 0) < 0)
			mcp_broken("preset IP_MULTICAST_IF");
		if (!rows[i].no_if)
			ifr = MCP_TRY(set_if(s, rows[i].kind, rows[i].first, rows[i].second, idx, 0));
		if (rows[i].bind_dev && rows[i].bind_after &&
		    setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, rows[i].bind_dev, (socklen_t)strlen(rows[i].bind_dev)) < 0)
			mcp_broken("SO_BINDTODEVICE %s", rows[i].bind_dev);
		observe(s, 400 + (uint32_t)i);
		obs_begin("%s", rows[i].id);
		if (!rows[i].no_if)
			obs_res("if", ifr);
		obs_res("send", last_send);
		obs_counts(M(PA) | M(PB));
		obs_str("src", res[PA].n ? dlv_ntoa(res[PA].first.src) :
				res[PB].n ? dlv_ntoa(res[PB].first.src) : "none");
		obs_end();
		if (rows[i].pktinfo_id) {
			/* what the receiving peer learns from IP_PKTINFO */
			obs_begin("%s", rows[i].pktinfo_id);
			obs_int("received", res[PB].n);
			obs_str("ifname", res[PB].n ? dlv_ifname_in(ns_of(PB), res[PB].first.ifindex) : "none");
			obs_str("ipi_addr", dlv_ntoa(res[PB].first.dst));
			obs_str("ipi_spec_dst", dlv_ntoa(res[PB].first.spec_dst));
			obs_end();
		}
		close(s);
	}
}

/* The source address and IP_PKTINFO of looped copies on the sending host. */
static void if_looped(void)
{
	struct {
		const char *id;
		enum ifarg kind;
		const char *addr;
		int ifindex;	/* -1 w0, -4 lo */
		int local;
	} rows[] = {
		{ "ipv4.sendopts.mcif.looped.ifindex_w0", A_MREQN, NULL, -1, LW },
		{ "ipv4.sendopts.mcif.looped.in_addr_w0", A_INADDR, "10.0.1.1", 0, LW },
		{ "ipv4.sendopts.mcif.looped.in_addr_w0_secondary", A_INADDR, "10.0.1.11", 0, LW },
		{ "ipv4.sendopts.mcif.looped.ifindex_lo", A_MREQN, NULL, -4, LL },
		{ "ipv4.sendopts.mcif.looped.in_addr_127_0_0_1", A_INADDR, "127.0.0.1", 0, LL },
	};

	topo(1);
	for (size_t i = 0; i < MCP_ARRAY_SIZE(rows); i++) {
		int s = dlv_must_udp(F, 0, "0.0.0.0", 0), l = rows[i].local;

		if (set_if(s, rows[i].kind, rows[i].addr, NULL, rows[i].ifindex == -4 ? idx_lo : rows[i].ifindex, 0) < 0)
			mcp_broken("IP_MULTICAST_IF");
		observe(s, 500 + (uint32_t)i);
		obs_begin("%s", rows[i].id);
		obs_res("send", last_send);
		obs_int(rname[l], res[l].n);
		obs_str("src", res[l].n ? dlv_ntoa(res[l].first.src) : "none");
		obs_str("pktinfo_ifname", res[l].n ? dlv_ifname_in(-1, res[l].first.ifindex) : "none");
		obs_str("pktinfo_spec_dst", res[l].n ? dlv_ntoa(res[l].first.spec_dst) : "none");
		obs_end();
		close(s);
	}
}

/* ------------------------------------------------------------------ */
/* The option numbers of the ABI (uapi linux/in.h), used here as literals so
 * that a renumbering shows: each is read back by its name and seen at work. */

static void optnum_send_opts(void)
{
	struct in_addr w0 = mcp_in("10.0.1.1"), back = { 0 };
	socklen_t l = sizeof(back);
	int s = dlv_must_udp(F, 0, "0.0.0.0", 0), ttl = 9, loop = 0, v = -1;
	struct mcp_res r;

	r = MCP_TRY(setsockopt(s, IPPROTO_IP, 32, &w0, sizeof(w0)));
	getsockopt(s, IPPROTO_IP, IP_MULTICAST_IF, &back, &l);
	observe(s, 900);
	obs_begin("ipv4.sendopts.optnum.32_is_ip_multicast_if");
	obs_res(NULL, r);
	obs_str("readback_by_name", dlv_ntoa(back));
	obs_egress();
	obs_end();
	close(s);

	s = dlv_must_udp(F, 0, "0.0.0.0", 0);
	if (dlv_set_if_index(s, idx_v0) < 0)
		mcp_broken("IP_MULTICAST_IF v0");
	r = MCP_TRY(setsockopt(s, IPPROTO_IP, 33, &ttl, sizeof(ttl)));
	MCP_SAFE(dlv_get_int(s, IPPROTO_IP, IP_MULTICAST_TTL, &v));
	observe(s, 901);
	obs_begin("ipv4.sendopts.optnum.33_is_ip_multicast_ttl");
	obs_res(NULL, r);
	obs_int("readback_by_name", v);
	obs_res("send", last_send);
	obs_int("peer_ttl", res[PA].n ? res[PA].first.ttl : -1);
	obs_end();

	/* the same v0 sender (local_v0 is the host's member there) */
	r = MCP_TRY(setsockopt(s, IPPROTO_IP, 34, &loop, sizeof(loop)));
	MCP_SAFE(dlv_get_int(s, IPPROTO_IP, IP_MULTICAST_LOOP, &v));
	observe(s, 902);
	obs_begin("ipv4.sendopts.optnum.34_is_ip_multicast_loop");
	obs_res(NULL, r);
	obs_int("readback_by_name", v);
	obs_res("send", last_send);
	obs_counts(M(PA) | M(LV));
	obs_end();
	close(s);
}

/* 35 and 36 as IP_ADD/DROP_MEMBERSHIP: the device record in /proc/net/igmp,
 * and getsockopt of a membership option (there is nothing to read). */
static void optnum_membership(void)
{
	static const char *G2 = "239.20.0.35";
	struct ip_mreqn m = { .imr_multiaddr = mcp_in(G2), .imr_ifindex = idx_w0 };
	unsigned char buf[16];
	socklen_t l = sizeof(buf);
	int s = dlv_must_udp(F, 0, "0.0.0.0", 0);
	struct mcp_res r;

	r = MCP_TRY(setsockopt(s, IPPROTO_IP, 35, &m, sizeof(m)));
	obs_begin("ipv4.sendopts.optnum.35_is_ip_add_membership");
	obs_res(NULL, r);
	obs_int("w0_users", mcp_igmp_users("w0", G2));
	obs_end();
	r = MCP_TRY(getsockopt(s, IPPROTO_IP, IP_ADD_MEMBERSHIP, buf, &l));
	obs_begin("ipv4.sendopts.optnum.35_getsockopt_ip_add_membership");
	obs_res(NULL, r);
	obs_end();
	r = MCP_TRY(setsockopt(s, IPPROTO_IP, 36, &m, sizeof(m)));
	obs_begin("ipv4.sendopts.optnum.36_is_ip_drop_membership");
	obs_res(NULL, r);
	obs_int("w0_users", mcp_igmp_users("w0", G2));
	obs_end();
	close(s);
}

static void optnum(void)
{
	topo(1);
	optnum_send_opts();
	optnum_membership();
}

/* ------------------------------------------------------------------ */
/* The sending socket itself as a receiver, and a sender bound to the group. */

static void self_rows(void)
{
	static const struct {
		const char *id;
		int loop;
	} rows[] = {
		{ "ipv4.sendopts.loop.self.joined_sender_loop_1", 1 },
		{ "ipv4.sendopts.loop.self.joined_sender_loop_0", 0 },
	};

	for (size_t i = 0; i < MCP_ARRAY_SIZE(rows); i++) {
		/* bound to the port, joined on v0, sending on v0; IP_MULTICAST_ALL 0
		 * so only v0 traffic (its own and v0's sentinel) reaches it */
		int s = local_receiver(idx_v0), own;
		uint32_t tag = 950 + (uint32_t)i;

		if (dlv_set_if_index(s, idx_v0) < 0 || dlv_set_loop(s, rows[i].loop) < 0)
			mcp_broken("self sender setup");
		observe(s, tag);
		own = dlv_count_until_sentinel(s, tag, NULL);
		obs_begin("%s", rows[i].id);
		obs_res("send", last_send);
		obs_int("sender_itself", own);
		obs_counts(M(PA) | M(LV));
		obs_end();
		close(s);
	}
}

static void self_and_bound(void)
{
	int s;
	struct mcp_res b;
	struct sockaddr_in name = { 0 };
	socklen_t nl = sizeof(name);

	topo(1);
	self_rows();
	/* bound to the group address and port, not joined: what it sends and
	 * the source the peer sees (a multicast bind sets only the receive
	 * address, inet_bind leaves inet_saddr 0) */
	s = MCP_SAFE(socket(AF_INET, SOCK_DGRAM, 0));
	{
		int one = 1;
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(P), .sin_addr = mcp_in(G) };

		MCP_SAFE(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)));
		b = MCP_TRY(bind(s, (struct sockaddr *)&a, sizeof(a)));
	}
	getsockname(s, (struct sockaddr *)&name, &nl);
	observe(s, 960);
	obs_begin("ipv4.sendopts.bound_group.sender_sends_by_route");
	obs_res("bind", b);
	obs_str("local_addr", dlv_ntoa(name.sin_addr));
	obs_egress();
	obs_int("local_v0", res[LV].n);
	obs_int("sender_itself", dlv_count_until_sentinel(s, 960, NULL));
	obs_end();
	close(s);
}

static const struct mcp_scenario scenarios[] = {
	{ "loop_opt", loop_opt, 0 },
	{ "loop_path", loop_path, 0 },
	{ "ttl_opt", ttl_opt, 0 },
	{ "ttl_wire", ttl_wire, 0 },
	{ "ttl0_member", ttl0_member, 0 },
	{ "if_opt", if_opt, 0 },
	{ "if_path", if_path, 0 },
	{ "if_looped", if_looped, 0 },
	{ "socket_defaults", socket_defaults, 0 },
	{ "optnum", optnum, 0 },
	{ "self_and_bound", self_and_bound, 0 },
};

int main(int argc, char **argv)
{
	return mcp_main(argc, argv, "sendopts", scenarios, MCP_ARRAY_SIZE(scenarios));
}
