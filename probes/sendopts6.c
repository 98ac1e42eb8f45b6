// SPDX-License-Identifier: GPL-2.0
/*
 * sendopts6 - the IPv6 sender-side multicast options and what they do to
 * datagrams: IPV6_MULTICAST_HOPS, IPV6_MULTICAST_LOOP, IPV6_MULTICAST_IF.
 *
 * Tested per option: the default, accepted and refused values and optlens,
 * each paired with its effect on a datagram sent right after (the hop limit
 * a peer receives, whether the host's own member gets a looped copy, which
 * interface the datagram leaves by), what getsockopt writes for short
 * optlens; and the paths: which side IPV6_MULTICAST_LOOP belongs to and that
 * lo ignores it, hop limit 0 with and without a local member, the egress
 * interface (IPV6_MULTICAST_IF, reset, SO_BINDTODEVICE precedence, an
 * IPV6_PKTINFO cmsg on sendmsg), the IPV6_PKTINFO a peer receiver gets, and
 * the sender receiving its own datagram.
 *
 * Environment: a fresh namespace ("host") with lo and two veth pairs to two
 * peer namespaces: v0 fd00::1/64 <-> v1 (peer A), w0 fd00:1::1/64 <-> w1
 * (peer B); IPv6 on, DAD off, no automatic link-local addresses (pinned in
 * every namespace). Both v0 and w0 have the kernel's ff00::/8 route (table
 * local, metric 256); a ff00::/8 route via v0 with metric 1 makes v0 the
 * interface of a sender that names none, and "local ff00::/8 dev lo" with
 * metric 2048 lets a sender that names lo use it. Receivers: one per peer
 * joined on v1/w1 and, where a scenario wants local members, one per host
 * interface joined there and bound to it with SO_BINDTODEVICE (IPv6
 * memberships are not matched per interface on delivery, see
 * mcif.looped.membership_on_lo_only). Every observation ends with sentinels
 * sent on v0, w0 and lo that each receiver must get; counts are what arrived
 * before its sentinel (lib/dlv.h), so no check waits for a timer.
 */
#include "mcp.h"
#include "dlv.h"
#include "dlv6.h"

#include <arpa/inet.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define LEN 64
#define F (&dlv_fam6)
#define G "ff0e::20:1"
#define P 6600

enum { PA, PB, LV, LW, LL, NR };
static const char *const rname[NR] = { "peer_v1", "peer_w1", "local_v0", "local_w0", "local_lo" };
static int rfd[NR] = { -1, -1, -1, -1, -1 };
static int nsa = -1, nsb = -1, idx_v0, idx_w0, idx_lo;
static int sent_v0 = -1, sent_w0 = -1, sent_lo = -1;	/* sentinel senders */
static struct {
	int n;
	struct dlv6_rx first;
} res[NR];
static struct mcp_res last_send;

#define M(x) (1u << (x))

/* joined on its interface and bound to it: sees only what arrives there */
static int local_receiver(const char *dev, int ifindex)
{
	int fd = dlv_must_udp(F, DLV6_REUSEADDR, "::", P);

	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, dev, (socklen_t)strlen(dev)) < 0 ||
	    dlv6_join(fd, G, ifindex) < 0)
		mcp_broken("local receiver on %s", dev);
	return fd;
}

static int peer_receiver(int ns, const char *dev)
{
	int fd = dlv6_udp_in(ns, 0, "::", P);

	if (fd < 0 || dlv6_join(fd, G, dlv_ifindex_in(ns, dev)) < 0)
		mcp_broken("peer receiver on %s", dev);
	return fd;
}

static void topo_links(void)
{
	if (dlv_pin_cpu() < 0 || dlv6_pin() < 0)
		mcp_broken("pin CPU and IPv6 sysctls");
	nsa = dlv6_ns_new();
	nsb = dlv6_ns_new();
	if (nsa < 0 || nsb < 0)
		mcp_broken("peer namespaces");
	if (dlv_link_pair("v0", NULL, nsa, "v1", NULL) < 0 || dlv_link_pair("w0", NULL, nsb, "w1", NULL) < 0 ||
	    dlv6_addr_add("v0", "fd00::1/64") < 0 || dlv6_addr_add("w0", "fd00:1::1/64") < 0)
		mcp_broken("veth pairs");
	idx_v0 = mcp_ifindex("v0");
	idx_w0 = mcp_ifindex("w0");
	idx_lo = mcp_ifindex("lo");
	if (dlv6_route_add("ff00::/8", "v0", RTN_MULTICAST, RT_TABLE_LOCAL, 1) < 0 ||
	    dlv6_route_add("ff00::/8", "lo", RTN_LOCAL, RT_TABLE_LOCAL, 2048) < 0)
		mcp_broken("ff00::/8 routes");
}

/* The topology in the header comment; local: add the host's own members. */
static void topo(int local)
{
	topo_links();
	rfd[PA] = peer_receiver(nsa, "v1");
	rfd[PB] = peer_receiver(nsb, "w1");
	sent_v0 = dlv_must_sender_set(F, idx_v0, 1, DLV_KEEP);
	sent_w0 = dlv_must_sender_set(F, idx_w0, 1, DLV_KEEP);
	if (local) {
		rfd[LV] = local_receiver("v0", idx_v0);
		rfd[LW] = local_receiver("w0", idx_w0);
		rfd[LL] = local_receiver("lo", idx_lo);
		sent_lo = dlv_must_sender_set(F, idx_lo, 1, DLV_KEEP);
	}
}

static void sentinels(void)
{
	if (dlv6_send(sent_v0, G, P, DLV_TAG_SENTINEL, 0, LEN) != LEN ||
	    dlv6_send(sent_w0, G, P, DLV_TAG_SENTINEL, 0, LEN) != LEN ||
	    (sent_lo >= 0 && dlv6_send(sent_lo, G, P, DLV_TAG_SENTINEL, 0, LEN) != LEN))
		mcp_broken("sentinel send");
}

static void count_all(uint32_t tag)
{
	for (int i = 0; i < NR; i++) {
		memset(&res[i], 0, sizeof(res[i]));
		res[i].first.hoplimit = -1;
		if (rfd[i] >= 0)
			res[i].n = dlv6_count_until_sentinel(rfd[i], tag, &res[i].first);
	}
}

/* Send one datagram from s to G, then the sentinels; count what each
 * receiver got before its sentinel. */
static void observe(int s, uint32_t tag)
{
	last_send = MCP_TRY((int)dlv6_send(s, G, P, tag, 0, LEN));
	sentinels();
	count_all(tag);
}

static void obs_counts(unsigned int mask)
{
	for (int i = 0; i < NR; i++)
		if (mask & M(i))
			obs_int(rname[i], res[i].n);
}

static int hop_of(int i)
{
	return res[i].n ? res[i].first.hoplimit : -1;
}

static const char *ifname_of(int ifindex)
{
	if (ifindex == 0)
		return "0";
	return dlv_ifname_in(-1, ifindex);
}

/* getsockopt with optlen 0, 1, 2, 4, 8 on a buffer of 0xee bytes: what the
 * kernel writes and the optlen it returns */
static void get_optlen_rows(const char *const ids[5], int opt, int val)
{
	static const int lens[] = { 0, 1, 2, 4, 8 };

	for (size_t i = 0; i < MCP_ARRAY_SIZE(lens); i++) {
		unsigned char buf[16];
		socklen_t l = (socklen_t)lens[i];
		int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		struct mcp_res r;

		if (fd < 0 || setsockopt(fd, IPPROTO_IPV6, opt, &val, sizeof(val)) < 0)
			mcp_broken("set option %d to %d", opt, val);
		memset(buf, 0xee, sizeof(buf));
		r = MCP_TRY(getsockopt(fd, IPPROTO_IPV6, opt, buf, &l));
		obs_begin("%s", ids[i]);
		obs_res(NULL, r);
		obs_int("optlen_out", l);
		obs_str("bytes", dlv_hex(buf, 8));
		obs_end();
		close(fd);
	}
}

/* ------------------------------------------------------------------ */
/* set rows shared by the three options: value and optlen as given, on a
 * socket pre-set to `pre`; each row's datagram shows the value in force */

struct set_row {
	const char *id;
	int sock;		/* SOCK_DGRAM, or SOCK_STREAM: no traffic */
	int optlen;		/* 4: val as int; 1, 2: its first bytes; 8: val, 4 zero bytes; -1: no set */
	int val;
	const char *bind_dev;	/* SO_BINDTODEVICE first, or NULL */
	int pre;		/* -1000: no pre-set */
};

static struct mcp_res set_row_apply(int fd, int opt, const struct set_row *row)
{
	int buf[2] = { row->val, 0 };

	if (row->bind_dev &&
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, row->bind_dev, (socklen_t)strlen(row->bind_dev)) < 0)
		mcp_broken("SO_BINDTODEVICE %s", row->bind_dev);
	if (row->pre != -1000 && setsockopt(fd, IPPROTO_IPV6, opt, &row->pre, sizeof(int)) < 0)
		mcp_broken("pre-set option %d to %d", opt, row->pre);
	if (row->optlen < 0)	/* the default: nothing set */
		return (struct mcp_res){ 0, 0 };
	return MCP_TRY(setsockopt(fd, IPPROTO_IPV6, opt, buf, (socklen_t)row->optlen));
}

/* set, read back, and (datagram sockets) send one datagram through v0
 * unless the option itself chooses the interface; obs_effect records what
 * the traffic showed */
static void set_rows(int opt, const struct set_row *rows, size_t n, uint32_t tag0,
		     void (*obs_effect)(int readback))
{
	for (size_t i = 0; i < n; i++) {
		int fd = socket(AF_INET6, rows[i].sock | SOCK_CLOEXEC, 0), after = -1000;
		struct mcp_res r;

		if (fd < 0)
			mcp_broken("socket");
		if (rows[i].sock == SOCK_DGRAM && opt != IPV6_MULTICAST_IF && dlv6_set_if(fd, idx_v0) < 0)
			mcp_broken("IPV6_MULTICAST_IF v0");
		r = set_row_apply(fd, opt, &rows[i]);
		if (dlv_get_int(fd, IPPROTO_IPV6, opt, &after) < 0)
			after = -1000;
		if (rows[i].sock == SOCK_DGRAM)
			observe(fd, tag0 + (uint32_t)i);
		obs_begin("%s", rows[i].id);
		if (rows[i].optlen >= 0)
			obs_res(NULL, r);
		if (opt == IPV6_MULTICAST_IF)
			obs_str("readback", after == -1000 ? "error" : ifname_of(after));
		else
			obs_int("readback", after);
		if (rows[i].sock == SOCK_DGRAM) {
			obs_res("send", last_send);
			obs_effect(after);
		}
		obs_end();
		close(fd);
	}
}

/* ------------------------------------------------------------------ */
/* IPV6_MULTICAST_HOPS */

static void hops_effect(int readback)
{
	(void)readback;
	obs_counts(M(PA));
	obs_int("peer_hoplimit", hop_of(PA));
}

static void hops_opt(void)
{
	static const struct set_row rows[] = {
		{ "ipv6.sendopts.hops.default", SOCK_DGRAM, -1, 0, NULL, -1000 },
		{ "ipv6.sendopts.hops.set.int_0", SOCK_DGRAM, 4, 0, NULL, 7 },
		{ "ipv6.sendopts.hops.set.int_1", SOCK_DGRAM, 4, 1, NULL, 7 },
		{ "ipv6.sendopts.hops.set.int_2", SOCK_DGRAM, 4, 2, NULL, 7 },
		{ "ipv6.sendopts.hops.set.int_64", SOCK_DGRAM, 4, 64, NULL, 7 },
		{ "ipv6.sendopts.hops.set.int_255", SOCK_DGRAM, 4, 255, NULL, 7 },
		{ "ipv6.sendopts.hops.set.int_minus1_default", SOCK_DGRAM, 4, -1, NULL, 7 },
		{ "ipv6.sendopts.hops.set.int_minus2", SOCK_DGRAM, 4, -2, NULL, 7 },
		{ "ipv6.sendopts.hops.set.int_256", SOCK_DGRAM, 4, 256, NULL, 7 },
		{ "ipv6.sendopts.hops.set.int_65536", SOCK_DGRAM, 4, 65536, NULL, 7 },
		{ "ipv6.sendopts.hops.set.char_5", SOCK_DGRAM, 1, 5, NULL, 7 },
		{ "ipv6.sendopts.hops.set.optlen_2", SOCK_DGRAM, 2, 5, NULL, 7 },
		{ "ipv6.sendopts.hops.set.optlen_0", SOCK_DGRAM, 0, 5, NULL, 7 },
		{ "ipv6.sendopts.hops.set.optlen_8_int_9", SOCK_DGRAM, 8, 9, NULL, 7 },
		{ "ipv6.sendopts.hops.set.tcp_int_5", SOCK_STREAM, 4, 5, NULL, -1000 },
	};
	static const char *const get_ids[5] = {
		"ipv6.sendopts.hops.get.value_200_optlen_0", "ipv6.sendopts.hops.get.value_200_optlen_1",
		"ipv6.sendopts.hops.get.value_200_optlen_2", "ipv6.sendopts.hops.get.value_200_optlen_4",
		"ipv6.sendopts.hops.get.value_200_optlen_8",
	};

	topo(0);
	set_rows(IPV6_MULTICAST_HOPS, rows, MCP_ARRAY_SIZE(rows), 100, hops_effect);
	get_optlen_rows(get_ids, IPV6_MULTICAST_HOPS, 200);
}

/* the facts of a sender-path row (dlv_path_rows): the send, the receivers
 * of mask and, where local names one, the hop limits seen (the peer's too
 * unless the sender is on lo) */
static void path_report(const struct dlv_path_row *row)
{
	obs_res("send", last_send);
	obs_counts(row->mask);
	if (row->local < 0)
		return;
	if (row->dev != 2)
		obs_int("peer_hoplimit", hop_of(PA));
	obs_int("local_hoplimit", hop_of(row->local));
}

static const struct dlv_path path = { F, { &idx_v0, &idx_w0, &idx_lo }, observe, path_report };

/* Hop limit 0 and 1 when the host is itself a member on the output device,
 * and on lo: the looped copy and the wire copy part ways */
static void hops_member(void)
{
	/* dev: 0 v0, 2 lo */
	static const struct dlv_path_row rows[] = {
		{ "ipv6.sendopts.hops.path.hops_0_local_member_v0", 0, DLV_KEEP, 0, M(PA) | M(LV), LV },
		{ "ipv6.sendopts.hops.path.hops_1_local_member_v0", 0, DLV_KEEP, 1, M(PA) | M(LV), LV },
		{ "ipv6.sendopts.hops.path.hops_5_local_member_v0", 0, DLV_KEEP, 5, M(PA) | M(LV), LV },
		{ "ipv6.sendopts.hops.path.hops_0_lo", 2, DLV_KEEP, 0, M(LL), LL },
	};

	topo(1);
	dlv_path_rows(&path, rows, MCP_ARRAY_SIZE(rows), 200);
}

/* ------------------------------------------------------------------ */
/* IPV6_MULTICAST_LOOP */

static void loop_effect(int readback)
{
	(void)readback;
	obs_counts(M(PA) | M(LV));
}

static void loop_opt(void)
{
	static const struct set_row rows[] = {
		{ "ipv6.sendopts.loop.default", SOCK_DGRAM, -1, 0, NULL, -1000 },
		{ "ipv6.sendopts.loop.set.int_0", SOCK_DGRAM, 4, 0, NULL, 1 },
		{ "ipv6.sendopts.loop.set.int_1", SOCK_DGRAM, 4, 1, NULL, 0 },
		{ "ipv6.sendopts.loop.set.int_2", SOCK_DGRAM, 4, 2, NULL, 0 },
		{ "ipv6.sendopts.loop.set.int_minus1", SOCK_DGRAM, 4, -1, NULL, 0 },
		{ "ipv6.sendopts.loop.set.int_256", SOCK_DGRAM, 4, 256, NULL, 0 },
		{ "ipv6.sendopts.loop.set.char_0", SOCK_DGRAM, 1, 0, NULL, 1 },
		{ "ipv6.sendopts.loop.set.char_1", SOCK_DGRAM, 1, 1, NULL, 0 },
		{ "ipv6.sendopts.loop.set.optlen_0", SOCK_DGRAM, 0, 0, NULL, 1 },
		{ "ipv6.sendopts.loop.set.optlen_8_int_0", SOCK_DGRAM, 8, 0, NULL, 1 },
		{ "ipv6.sendopts.loop.set.tcp_int_0", SOCK_STREAM, 4, 0, NULL, -1000 },
	};
	static const char *const get_ids[5] = {
		"ipv6.sendopts.loop.get.value_1_optlen_0", "ipv6.sendopts.loop.get.value_1_optlen_1",
		"ipv6.sendopts.loop.get.value_1_optlen_2", "ipv6.sendopts.loop.get.value_1_optlen_4",
		"ipv6.sendopts.loop.get.value_1_optlen_8",
	};

	topo(1);
	set_rows(IPV6_MULTICAST_LOOP, rows, MCP_ARRAY_SIZE(rows), 300, loop_effect);
	get_optlen_rows(get_ids, IPV6_MULTICAST_LOOP, 1);
}

static void loop_path(void)
{
	/* dev: 0 v0, 1 w0, 2 lo */
	static const struct dlv_path_row rows[] = {
		/* local_v0's own receiver has IPV6_MULTICAST_LOOP 0 (set below) */
		{ "ipv6.sendopts.loop.path.v0_sender_loop1_receiver_loop0", 0, 1, DLV_KEEP, M(PA) | M(LV), -1 },
		{ "ipv6.sendopts.loop.path.v0_sender_loop0", 0, 0, DLV_KEEP, M(PA) | M(LV), -1 },
		{ "ipv6.sendopts.loop.path.w0_sender_loop0_receiver_loop1", 1, 0, DLV_KEEP, M(PB) | M(LW), -1 },
		{ "ipv6.sendopts.loop.path.w0_sender_loop1", 1, 1, DLV_KEEP, M(PB) | M(LW), -1 },
		{ "ipv6.sendopts.loop.path.lo_sender_loop0_still_delivers", 2, 0, DLV_KEEP, M(LL), -1 },
		{ "ipv6.sendopts.loop.path.lo_sender_loop1_one_copy", 2, 1, DLV_KEEP, M(LL), -1 },
	};

	topo(1);
	if (dlv6_set_loop(rfd[LV], 0) < 0)
		mcp_broken("receiver IPV6_MULTICAST_LOOP 0");
	dlv_path_rows(&path, rows, MCP_ARRAY_SIZE(rows), 400);
}

/* The sender is itself a member on its output interface and on the port:
 * IPV6_MULTICAST_LOOP decides whether it reads its own datagram. */
static void loop_own(void)
{
	static const struct {
		const char *id;
		int loop;
	} rows[] = {
		{ "ipv6.sendopts.loop.own.sender_member_loop1", 1 },
		{ "ipv6.sendopts.loop.own.sender_member_loop0", 0 },
	};

	topo(1);
	for (size_t i = 0; i < MCP_ARRAY_SIZE(rows); i++) {
		int s = dlv_must_udp(F, DLV6_REUSEADDR, "::", P), own;

		if (setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, "v0", 2) < 0 || dlv6_join(s, G, idx_v0) < 0 ||
		    dlv6_set_if(s, idx_v0) < 0 || dlv6_set_loop(s, rows[i].loop) < 0)
			mcp_broken("sender-member setup");
		observe(s, 450 + (uint32_t)i);
		/* the v0 sentinel is looped to every member on v0, the sender too */
		own = dlv6_count_until_sentinel(s, 450 + (uint32_t)i, NULL);
		obs_begin("%s", rows[i].id);
		obs_res("send", last_send);
		obs_int("sender_received", own);
		obs_counts(M(PA) | M(LV));
		obs_end();
		close(s);
	}
}

/* ------------------------------------------------------------------ */
/* IPV6_MULTICAST_IF */

/* interface codes in the tables: the ifindex is known only at run time */
enum { D_NONE = -1000, D_V0 = -1001, D_W0 = -1002, D_LO = -1003, D_BOGUS = -1004 };

static int dev_code(int v)
{
	return v == D_V0 ? idx_v0 : v == D_W0 ? idx_w0 : v == D_LO ? idx_lo : v == D_BOGUS ? 0x7ffffff0 : v;
}

static const char *src_seen(void)
{
	for (int i = 0; i < NR; i++)
		if (res[i].n)
			return dlv6_ntop(&res[i].first.src);
	return "none";
}

static void if_effect(int readback)
{
	(void)readback;
	obs_counts(M(PA) | M(PB) | M(LL));
	obs_str("src", src_seen());
}

static void if_opt(void)
{
	struct set_row rows[] = {
		{ "ipv6.sendopts.mcif.default", SOCK_DGRAM, -1, 0, NULL, D_NONE },
		{ "ipv6.sendopts.mcif.set.ifindex_w0", SOCK_DGRAM, 4, D_W0, NULL, D_NONE },
		{ "ipv6.sendopts.mcif.set.ifindex_lo", SOCK_DGRAM, 4, D_LO, NULL, D_NONE },
		{ "ipv6.sendopts.mcif.set.ifindex_0_resets", SOCK_DGRAM, 4, 0, NULL, D_W0 },
		{ "ipv6.sendopts.mcif.set.ifindex_bogus", SOCK_DGRAM, 4, D_BOGUS, NULL, D_W0 },
		{ "ipv6.sendopts.mcif.set.ifindex_minus1", SOCK_DGRAM, 4, -1, NULL, D_W0 },
		{ "ipv6.sendopts.mcif.set.optlen_1", SOCK_DGRAM, 1, D_W0, NULL, D_NONE },
		{ "ipv6.sendopts.mcif.set.optlen_0", SOCK_DGRAM, 0, D_W0, NULL, D_NONE },
		{ "ipv6.sendopts.mcif.set.optlen_8", SOCK_DGRAM, 8, D_W0, NULL, D_NONE },
		{ "ipv6.sendopts.mcif.set.bound_w0_ifindex_w0", SOCK_DGRAM, 4, D_W0, "w0", D_NONE },
		{ "ipv6.sendopts.mcif.set.bound_w0_ifindex_v0", SOCK_DGRAM, 4, D_V0, "w0", D_NONE },
		{ "ipv6.sendopts.mcif.set.bound_w0_ifindex_0", SOCK_DGRAM, 4, 0, "w0", D_NONE },
		{ "ipv6.sendopts.mcif.set.tcp_ifindex_w0", SOCK_STREAM, 4, D_W0, NULL, D_NONE },
	};
	static const char *const get_ids[5] = {
		"ipv6.sendopts.mcif.get.value_lo_optlen_0", "ipv6.sendopts.mcif.get.value_lo_optlen_1",
		"ipv6.sendopts.mcif.get.value_lo_optlen_2", "ipv6.sendopts.mcif.get.value_lo_optlen_4",
		"ipv6.sendopts.mcif.get.value_lo_optlen_8",
	};

	topo(1);
	for (size_t i = 0; i < MCP_ARRAY_SIZE(rows); i++) {
		rows[i].val = dev_code(rows[i].val);
		rows[i].pre = rows[i].pre == D_NONE ? -1000 : dev_code(rows[i].pre);
	}
	set_rows(IPV6_MULTICAST_IF, rows, MCP_ARRAY_SIZE(rows), 500, if_effect);
	get_optlen_rows(get_ids, IPV6_MULTICAST_IF, idx_lo);
}

/* sendmsg with an IPV6_PKTINFO cmsg naming an interface */
static struct mcp_res send_pktinfo(int s, int ifindex, uint32_t tag)
{
	unsigned char buf[LEN];
	char cbuf[CMSG_SPACE(sizeof(struct in6_pktinfo))] = { 0 };
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_port = htons(P) };
	struct iovec iov = { buf, LEN };
	struct msghdr m = { .msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	struct in6_pktinfo pi = { .ipi6_ifindex = (unsigned int)ifindex };

	inet_pton(AF_INET6, G, &to.sin6_addr);
	dlv_fill(buf, tag, 0, LEN);
	c->cmsg_level = IPPROTO_IPV6;
	c->cmsg_type = IPV6_PKTINFO;
	c->cmsg_len = CMSG_LEN(sizeof(pi));
	memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	return MCP_TRY((int)sendmsg(s, &m, 0));
}

struct path_row {
	const char *id;
	const char *bind_dev;	/* SO_BINDTODEVICE before (or after, bind_after) the IF step */
	int bind_after;
	int if_dev;		/* IPV6_MULTICAST_IF, D_NONE: leave alone */
	int preset;		/* IPV6_MULTICAST_IF first, D_NONE: none */
	int cmsg_dev;		/* IPV6_PKTINFO cmsg ifindex, D_NONE: plain sendto */
	int pktinfo;		/* also record what peer B's IPV6_PKTINFO said */
};

static void bind_dev(int s, const char *dev)
{
	if (setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, dev, (socklen_t)strlen(dev)) < 0)
		mcp_broken("SO_BINDTODEVICE %s", dev);
}

static void path_row(const struct path_row *row, uint32_t tag)
{
	int s = dlv_must_udp(F, 0, "::", 0);
	struct mcp_res ifr = { 0, 0 };

	if (row->bind_dev && !row->bind_after)
		bind_dev(s, row->bind_dev);
	if (row->preset != D_NONE && dlv6_set_if(s, dev_code(row->preset)) < 0)
		mcp_broken("preset IPV6_MULTICAST_IF");
	if (row->if_dev != D_NONE)
		ifr = MCP_TRY(dlv6_set_if(s, dev_code(row->if_dev)));
	if (row->bind_dev && row->bind_after)
		bind_dev(s, row->bind_dev);
	if (row->cmsg_dev == D_NONE) {
		observe(s, tag);
	} else {
		last_send = send_pktinfo(s, dev_code(row->cmsg_dev), tag);
		sentinels();
		count_all(tag);
	}
	obs_begin("%s", row->id);
	if (row->if_dev != D_NONE)
		obs_res("if", ifr);
	obs_res("send", last_send);
	obs_counts(M(PA) | M(PB));
	obs_str("src", src_seen());
	obs_end();
	close(s);
}

/* Where a datagram leaves, seen from the peers. */
static void if_path(void)
{
	static const struct path_row rows[] = {
		{ "ipv6.sendopts.mcif.path.unset_follows_route", NULL, 0, D_NONE, D_NONE, D_NONE, 0 },
		{ "ipv6.sendopts.mcif.path.ifindex_w0", NULL, 0, D_W0, D_NONE, D_NONE, 1 },
		{ "ipv6.sendopts.mcif.path.w0_then_0_reset", NULL, 0, 0, D_W0, D_NONE, 0 },
		{ "ipv6.sendopts.mcif.path.bindtodevice_w0_no_if", "w0", 0, D_NONE, D_NONE, D_NONE, 0 },
		{ "ipv6.sendopts.mcif.path.if_v0_then_bindtodevice_w0", "w0", 1, D_V0, D_NONE, D_NONE, 0 },
		{ "ipv6.sendopts.mcif.path.bindtodevice_v0_then_if_w0", "v0", 0, D_W0, D_NONE, D_NONE, 0 },
		{ "ipv6.sendopts.mcif.path.pktinfo_cmsg_w0_over_if_v0", NULL, 0, D_V0, D_NONE, D_W0, 0 },
		{ "ipv6.sendopts.mcif.path.pktinfo_cmsg_w0_bound_v0", "v0", 0, D_NONE, D_NONE, D_W0, 0 },
		{ "ipv6.sendopts.mcif.path.pktinfo_cmsg_0_keeps_if_w0", NULL, 0, D_W0, D_NONE, 0, 0 },
	};

	topo(0);
	for (size_t i = 0; i < MCP_ARRAY_SIZE(rows); i++) {
		path_row(&rows[i], 600 + (uint32_t)i);
		if (rows[i].pktinfo) {
			/* what the receiving peer learns from IPV6_PKTINFO */
			obs_begin("ipv6.sendopts.mcif.pktinfo.peer_receiver");
			obs_int("received", res[PB].n);
			obs_str("ifname", res[PB].n ? dlv_ifname_in(nsb, res[PB].first.ifindex) : "none");
			obs_str("ipi6_addr", res[PB].n ? dlv6_ntop(&res[PB].first.dst) : "none");
			obs_int("hoplimit", hop_of(PB));
			obs_end();
		}
	}
}

/* The source address and IPV6_PKTINFO of looped copies on the sending host;
 * and a socket joined on lo only that reads a copy looped on w0 */
static void if_looped(void)
{
	static const struct {
		const char *id;
		int dev;
		int local;
	} rows[] = {
		{ "ipv6.sendopts.mcif.looped.ifindex_w0", D_W0, LW },
		{ "ipv6.sendopts.mcif.looped.ifindex_lo", D_LO, LL },
	};
	int lo_only;

	topo(1);
	lo_only = dlv_must_udp(F, DLV6_REUSEADDR, "::", P);
	if (dlv6_join(lo_only, G, idx_lo) < 0)
		mcp_broken("join on lo");
	for (size_t i = 0; i < MCP_ARRAY_SIZE(rows); i++) {
		int s = dlv_must_udp(F, 0, "::", 0), l = rows[i].local, other;

		if (dlv6_set_if(s, dev_code(rows[i].dev)) < 0)
			mcp_broken("IPV6_MULTICAST_IF");
		observe(s, 700 + (uint32_t)i);
		/* not bound to a device: the v0, w0 and lo sentinels all reach
		 * it; the first of them bounds the count */
		other = dlv6_count_until_sentinel(lo_only, 700 + (uint32_t)i, NULL);
		dlv6_drain(lo_only, 0, NULL);
		obs_begin("%s", rows[i].id);
		obs_res("send", last_send);
		obs_int(rname[l], res[l].n);
		obs_str("src", res[l].n ? dlv6_ntop(&res[l].first.src) : "none");
		obs_str("pktinfo_ifname", res[l].n ? dlv_ifname_in(-1, res[l].first.ifindex) : "none");
		obs_str("pktinfo_addr", res[l].n ? dlv6_ntop(&res[l].first.dst) : "none");
		obs_int("hoplimit", hop_of(l));
		obs_end();
		if (rows[i].dev == D_W0) {
			obs_begin("ipv6.sendopts.mcif.looped.membership_on_lo_only");
			obs_int("received", other);
			obs_end();
		}
		close(s);
	}
	close(lo_only);
}

/*
 * The multicast defaults of every kind of IPv6 socket (UDP's own are the
 * hops/loop/mcif.default rows and delivery6's mcast_all.default):
 * inet6_create() sets them for all protocols alike.
 */
static void socket_defaults(void)
{
	static const int opts[4] = { IPV6_MULTICAST_HOPS, IPV6_MULTICAST_LOOP, IPV6_MULTICAST_ALL, IPV6_MULTICAST_IF };
	static const struct dlv_default_row rows[] = {
		{ SOCK_DGRAM, IPPROTO_UDPLITE, { "ipv6.sendopts.default.udplite.hops", "ipv6.sendopts.default.udplite.loop",
						 "ipv6.sendopts.default.udplite.all", "ipv6.sendopts.default.udplite.mcif" } },
		{ SOCK_DGRAM, IPPROTO_ICMPV6, { "ipv6.sendopts.default.ping.hops", "ipv6.sendopts.default.ping.loop",
						"ipv6.sendopts.default.ping.all", "ipv6.sendopts.default.ping.mcif" } },
		{ SOCK_RAW, IPPROTO_UDP, { "ipv6.sendopts.default.raw_udp.hops", "ipv6.sendopts.default.raw_udp.loop",
					   "ipv6.sendopts.default.raw_udp.all", "ipv6.sendopts.default.raw_udp.mcif" } },
		{ SOCK_RAW, IPPROTO_ICMPV6, { "ipv6.sendopts.default.raw_icmpv6.hops",
					      "ipv6.sendopts.default.raw_icmpv6.loop",
					      "ipv6.sendopts.default.raw_icmpv6.all",
					      "ipv6.sendopts.default.raw_icmpv6.mcif" } },
		{ SOCK_STREAM, IPPROTO_TCP, { "ipv6.sendopts.default.tcp.hops", "ipv6.sendopts.default.tcp.loop",
					      "ipv6.sendopts.default.tcp.all", "ipv6.sendopts.default.tcp.mcif" } },
	};

	dlv_obs_defaults(AF_INET6, IPPROTO_IPV6, opts, rows, MCP_ARRAY_SIZE(rows));
}

static const struct mcp_scenario scenarios[] = {
	{ "hops_opt", hops_opt, 0 },
	{ "hops_member", hops_member, 0 },
	{ "loop_opt", loop_opt, 0 },
	{ "loop_path", loop_path, 0 },
	{ "loop_own", loop_own, 0 },
	{ "if_opt", if_opt, 0 },
	{ "if_path", if_path, 0 },
	{ "if_looped", if_looped, 0 },
	{ "socket_defaults", socket_defaults, 0 },
};

int main(int argc, char **argv)
{
	return mcp_main(argc, argv, "sendopts6", scenarios, MCP_ARRAY_SIZE(scenarios));
}
