// SPDX-License-Identifier: GPL-2.0
/*
 * sourcefilter6 - IPv6 source-specific multicast on AF_INET6 sockets:
 * MCAST_JOIN_SOURCE_GROUP / MCAST_LEAVE_SOURCE_GROUP, MCAST_BLOCK_SOURCE /
 * MCAST_UNBLOCK_SOURCE, MCAST_MSFILTER (set and get).
 *
 * Tested: optlen bounds and unreadable optval; which modes combine (INCLUDE
 * vs EXCLUDE, a source added twice, removed when absent, the last source
 * leaving the group); net.ipv6.mld_max_msf (default, a lowered limit, per
 * group); MCAST_MSFILTER set and get (bad fmode, numsrc against the list and
 * the limit); /proc/net/mcfilter6 and /proc/net/igmp6 against the filters;
 * and delivery: three sources send to one group, and each receiver's filter
 * decides which of them it reads (counts bounded by a sentinel sent after,
 * from an any-source group every receiver joined; lib/dlv.h).
 *
 * Environment: a fresh namespace with lo and a veth v0 (no address) to a peer
 * namespace whose v1 holds the three sources fd00::a, fd00::b, fd00::c (all
 * NODAD; IPv6 on, DAD off, no automatic link-local addresses, pinned in both).
 */
#include "mcp.h"
#include "dlv.h"
#include "dlv6.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LEN 64
#define G "ff0e::30:1"
#define GS "ff0e::30:99"	/* sentinel group, any-source on every receiver */
#define P 6700

static const char *const srcs[3] = { "fd00::a", "fd00::b", "fd00::c" };
static int peer = -1, v0 = -1;

static struct sockaddr_in6 sa6(const char *addr)
{
	struct sockaddr_in6 s = { .sin6_family = AF_INET6 };

	if (inet_pton(AF_INET6, addr, &s.sin6_addr) != 1)
		mcp_broken("bad IPv6 literal %s", addr);
	return s;
}

/* MCAST_{JOIN,LEAVE}_SOURCE_GROUP, MCAST_{,UN}BLOCK_SOURCE with optlen */
static int src_op(int fd, int opt, const char *group, const char *src, socklen_t optlen)
{
	unsigned char buf[512] = { 0 };
	struct group_source_req r = { .gsr_interface = (uint32_t)v0 };
	struct sockaddr_in6 g = sa6(group), s = sa6(src);

	memcpy(&r.gsr_group, &g, sizeof(g));
	memcpy(&r.gsr_source, &s, sizeof(s));
	memcpy(buf, &r, sizeof(r));
	return setsockopt(fd, IPPROTO_IPV6, opt, buf, optlen);
}

static int src_do(int fd, int opt, const char *group, const char *src)
{
	return src_op(fd, opt, group, src, sizeof(struct group_source_req));
}

static int join_any(int fd, const char *group)
{
	return dlv6_join(fd, group, v0);
}

/* MCAST_MSFILTER set with n sources from srcs[first], srcs[first + 1], ...
 * (past the third: made-up ones); optlen GROUP_FILTER_SIZE(n) + optlen_adj */
static int msf_set(int fd, uint32_t fmode, int first, int n, socklen_t optlen_adj)
{
	size_t len = GROUP_FILTER_SIZE(n > 0 ? n : 0);
	struct group_filter *gf = calloc(1, len + 256);
	struct sockaddr_in6 g = sa6(G);
	int rc, e;

	if (!gf)
		return -1;
	gf->gf_interface = (uint32_t)v0;
	memcpy(&gf->gf_group, &g, sizeof(g));
	gf->gf_fmode = fmode;
	gf->gf_numsrc = (uint32_t)n;
	for (int i = 0; i < n; i++) {
		struct sockaddr_in6 s = sa6(srcs[(first + i) % 3]);

		if (first + i >= 3)	/* distinct sources beyond the three real ones */
			s.sin6_addr.s6_addr[15] = (unsigned char)(0x10 + i);
		memcpy(&gf->gf_slist[i], &s, sizeof(s));
	}
	rc = setsockopt(fd, IPPROTO_IPV6, MCAST_MSFILTER, gf, (socklen_t)len + optlen_adj);
	e = errno;
	free(gf);
	errno = e;
	return rc;
}

struct msf_got {
	struct mcp_res r;
	uint32_t fmode, numsrc;
	socklen_t optlen;
};

static struct msf_got msf_get(int fd, uint32_t numsrc)
{
	size_t len = GROUP_FILTER_SIZE(numsrc);
	struct group_filter *gf = calloc(1, len);
	struct sockaddr_in6 g = sa6(G);
	struct msf_got out = { { -1, ENOMEM }, 0, 0, 0 };
	socklen_t l = (socklen_t)len;

	if (!gf)
		return out;
	gf->gf_interface = (uint32_t)v0;
	memcpy(&gf->gf_group, &g, sizeof(g));
	gf->gf_numsrc = numsrc;
	out.r = MCP_TRY(getsockopt(fd, IPPROTO_IPV6, MCAST_MSFILTER, gf, &l));
	out.fmode = gf->gf_fmode;
	out.numsrc = gf->gf_numsrc;
	out.optlen = l;
	free(gf);
	return out;
}

/* /proc/net/mcfilter6 rows of group G as "source inc=N exc=N", in file
 * order, into rows (up to max); returns how many there are */
static int mcfilter6(char (*rows)[96], int max)
{
	int n = 0;
	struct in6_addr g;
	char want[33], line[256];
	FILE *f = fopen("/proc/self/net/mcfilter6", "re");

	inet_pton(AF_INET6, G, &g);
	for (int i = 0; i < 16; i++)
		snprintf(want + 2 * i, 3, "%02x", g.s6_addr[i]);
	if (!f)
		mcp_broken("open /proc/net/mcfilter6");
	while (fgets(line, sizeof(line), f)) {
		char dev[32], grp[40], src[40];
		struct in6_addr s;
		int idx, inc, exc;

		if (sscanf(line, "%d %31s %39s %39s %d %d", &idx, dev, grp, src, &inc, &exc) != 6 ||
		    strcmp(grp, want))
			continue;
		for (int i = 0; i < 16; i++) {
			unsigned int b;

			sscanf(src + 2 * i, "%2x", &b);
			s.s6_addr[i] = (unsigned char)b;
		}
		if (n < max)
			snprintf(rows[n], sizeof(rows[n]), "%s inc=%d exc=%d", dlv6_ntop(&s), inc, exc);
		n++;
	}
	fclose(f);
	return n;
}

static int mcfilter6_rows(void)
{
	return mcfilter6(NULL, 0);
}

static void obs_mcfilter6(const char *key)
{
	char rows[8][96];
	int n = mcfilter6(rows, 8);

	obs_arr_begin(key);
	for (int i = 0; i < n && i < 8; i++)
		obs_str(NULL, rows[i]);
	obs_arr_end();
}

/* users of group on v0 in /proc/net/igmp6, 0 when there is no row */
static int users6(const char *group)
{
	struct in6_addr g;
	char want[33], line[256];
	int users = 0;
	FILE *f = fopen("/proc/self/net/igmp6", "re");

	inet_pton(AF_INET6, group, &g);
	for (int i = 0; i < 16; i++)
		snprintf(want + 2 * i, 3, "%02x", g.s6_addr[i]);
	if (!f)
		mcp_broken("open /proc/net/igmp6");
	while (fgets(line, sizeof(line), f)) {
		int idx, u;
		char d[32], hex[40];

		if (sscanf(line, "%d %31s %39s %d", &idx, d, hex, &u) == 4 && !strcmp(d, "v0") && !strcmp(hex, want))
			users = u;
	}
	fclose(f);
	return users;
}

static void setup(void)
{
	if (dlv_pin_cpu() < 0 || dlv6_pin() < 0)
		mcp_broken("pin CPU and IPv6 sysctls");
	peer = dlv6_ns_new();
	/* v0 gets no address: an address makes addrconf join its solicited-node
	 * group from a workqueue, at a moment of its own, and /proc/net/mcfilter6
	 * shows a device only when its newest group has sources (state scenario) */
	if (peer < 0 || dlv_link_pair("v0", NULL, peer, "v1", NULL) < 0)
		mcp_broken("veth v0/v1");
	v0 = mcp_ifindex("v0");
}

static int udp6(void)
{
	int fd = dlv6_udp(DLV6_REUSEADDR, "::", P);

	if (fd < 0)
		mcp_broken("udp6 socket");
	return fd;
}

/* ------------------------------------------------------------------ */
/* optlen bounds; each accepted row shows in /proc/net/mcfilter6 */

static void size(void)
{
	static const struct {
		const char *id;
		int opt;
		int len;		/* optlen; -1: NULL optval, -2: unreadable page */
	} rows[] = {
		{ "ipv6.sourcefilter.size.join_source_optlen_0", MCAST_JOIN_SOURCE_GROUP, 0 },
		{ "ipv6.sourcefilter.size.join_source_optlen_263", MCAST_JOIN_SOURCE_GROUP, 263 },
		{ "ipv6.sourcefilter.size.join_source_optlen_264", MCAST_JOIN_SOURCE_GROUP, 264 },
		{ "ipv6.sourcefilter.size.join_source_optlen_265", MCAST_JOIN_SOURCE_GROUP, 265 },
		{ "ipv6.sourcefilter.size.join_source_optlen_512", MCAST_JOIN_SOURCE_GROUP, 512 },
		{ "ipv6.sourcefilter.size.join_source_null", MCAST_JOIN_SOURCE_GROUP, -1 },
		{ "ipv6.sourcefilter.size.join_source_unreadable", MCAST_JOIN_SOURCE_GROUP, -2 },
	};

	setup();
	for (size_t i = 0; i < MCP_ARRAY_SIZE(rows); i++) {
		int fd = udp6();
		struct mcp_res r;

		if (rows[i].len == -1)
			r = MCP_TRY(setsockopt(fd, IPPROTO_IPV6, rows[i].opt, NULL, sizeof(struct group_source_req)));
		else if (rows[i].len == -2)
			r = MCP_TRY(setsockopt(fd, IPPROTO_IPV6, rows[i].opt, mcp_unreadable_page(),
					       sizeof(struct group_source_req)));
		else
			r = MCP_TRY(src_op(fd, rows[i].opt, G, srcs[0], (socklen_t)rows[i].len));
		obs_begin("%s", rows[i].id);
		obs_res(NULL, r);
		obs_mcfilter6("mcfilter6");
		obs_end();
		close(fd);
	}
	/* MCAST_MSFILTER: optlen against GROUP_FILTER_SIZE(numsrc) */
	{
		static const struct {
			const char *id;
			int n;
			int adj;
		} mrows[] = {
			{ "ipv6.sourcefilter.size.msfilter_numsrc_1_optlen_short_by_1", 1, -1 },
			{ "ipv6.sourcefilter.size.msfilter_numsrc_1_optlen_exact", 1, 0 },
			{ "ipv6.sourcefilter.size.msfilter_numsrc_2_optlen_of_1", 2, -128 },
			{ "ipv6.sourcefilter.size.msfilter_numsrc_0_optlen_exact", 0, 0 },
			{ "ipv6.sourcefilter.size.msfilter_numsrc_1_optlen_plus_64", 1, 64 },
		};

		for (size_t i = 0; i < MCP_ARRAY_SIZE(mrows); i++) {
			int fd = udp6();
			struct mcp_res r;

			/* MCAST_MSFILTER changes a membership; it makes none */
			if (join_any(fd, G) < 0)
				mcp_broken("join any-source");
			r = MCP_TRY(msf_set(fd, MCAST_INCLUDE, 0, mrows[i].n, (socklen_t)mrows[i].adj));

			obs_begin("%s", mrows[i].id);
			obs_res(NULL, r);
			obs_mcfilter6("mcfilter6");
			obs_int("igmp6_users_v0", users6(G));
			obs_end();
			close(fd);
		}
	}
}

/* ------------------------------------------------------------------ */
/* which calls combine: each row is a fresh socket and a short program */

enum step_kind { ANY, JSRC, LSRC, BLK, UNBLK, LEAVE_ANY };

struct step {
	enum step_kind k;
	int src;		/* index into srcs[] */
};

struct mode_row {
	const char *id;
	struct step steps[4];
	int n;
};

static struct mcp_res do_step(int fd, struct step st)
{
	switch (st.k) {
	case ANY:
		return MCP_TRY(join_any(fd, G));
	case LEAVE_ANY:
		return MCP_TRY(dlv6_leave(fd, G, v0));
	case JSRC:
		return MCP_TRY(src_do(fd, MCAST_JOIN_SOURCE_GROUP, G, srcs[st.src]));
	case LSRC:
		return MCP_TRY(src_do(fd, MCAST_LEAVE_SOURCE_GROUP, G, srcs[st.src]));
	case BLK:
		return MCP_TRY(src_do(fd, MCAST_BLOCK_SOURCE, G, srcs[st.src]));
	default:
		return MCP_TRY(src_do(fd, MCAST_UNBLOCK_SOURCE, G, srcs[st.src]));
	}
}

static void mode(void)
{
	static const struct mode_row rows[] = {
		{ "ipv6.sourcefilter.mode.join_source", { { JSRC, 0 } }, 1 },
		{ "ipv6.sourcefilter.mode.join_source_twice", { { JSRC, 0 }, { JSRC, 0 } }, 2 },
		{ "ipv6.sourcefilter.mode.join_two_sources", { { JSRC, 0 }, { JSRC, 1 } }, 2 },
		{ "ipv6.sourcefilter.mode.leave_source_absent", { { JSRC, 0 }, { LSRC, 1 } }, 2 },
		{ "ipv6.sourcefilter.mode.leave_last_source_leaves_group", { { JSRC, 0 }, { LSRC, 0 } }, 2 },
		{ "ipv6.sourcefilter.mode.leave_source_never_joined", { { LSRC, 0 } }, 1 },
		{ "ipv6.sourcefilter.mode.block_on_any_source", { { ANY, 0 }, { BLK, 0 } }, 2 },
		{ "ipv6.sourcefilter.mode.block_twice", { { ANY, 0 }, { BLK, 0 }, { BLK, 0 } }, 3 },
		{ "ipv6.sourcefilter.mode.block_not_joined", { { BLK, 0 } }, 1 },
		{ "ipv6.sourcefilter.mode.block_on_include", { { JSRC, 0 }, { BLK, 1 } }, 2 },
		{ "ipv6.sourcefilter.mode.join_source_on_any_source", { { ANY, 0 }, { JSRC, 0 } }, 2 },
		{ "ipv6.sourcefilter.mode.any_source_on_include", { { JSRC, 0 }, { ANY, 0 } }, 2 },
		{ "ipv6.sourcefilter.mode.unblock", { { ANY, 0 }, { BLK, 0 }, { UNBLK, 0 } }, 3 },
		{ "ipv6.sourcefilter.mode.unblock_absent", { { ANY, 0 }, { UNBLK, 0 } }, 2 },
		{ "ipv6.sourcefilter.mode.leave_any_source_on_include", { { JSRC, 0 }, { LEAVE_ANY, 0 } }, 2 },
	};

	setup();
	for (size_t i = 0; i < MCP_ARRAY_SIZE(rows); i++) {
		int fd = udp6();
		struct mcp_res r[4];

		for (int k = 0; k < rows[i].n; k++)
			r[k] = do_step(fd, rows[i].steps[k]);
		obs_begin("%s", rows[i].id);
		obs_arr_begin("steps");
		for (int k = 0; k < rows[i].n; k++)
			obs_str(NULL, r[k].rc < 0 ? mcp_errname(r[k].err) : "ok");
		obs_arr_end();
		obs_mcfilter6("mcfilter6");
		obs_int("igmp6_users_v0", users6(G));
		obs_end();
		close(fd);
	}
}

/* ------------------------------------------------------------------ */
/* net.ipv6.mld_max_msf */

static int fill_sources(int fd, int opt, const char *group, int cap, struct mcp_res *next)
{
	for (int i = 0; i < cap; i++) {
		char s[40];

		snprintf(s, sizeof(s), "fd00::1:%x", i + 1);
		*next = MCP_TRY(src_do(fd, opt, group, s));
		if (next->rc < 0)
			return i;
	}
	*next = (struct mcp_res){ 0, 0 };
	return cap;
}

static void obs_fill(const char *id, int accepted, struct mcp_res next)
{
	obs_begin("%s", id);
	obs_int("accepted", accepted);
	obs_res("next", next);
	obs_end();
}

/* net.ipv6.mld_max_msf is global (init_net only, not in a child namespace's
 * /proc/sys): it cannot be pinned here, so the checks observe the default */
static void limit(void)
{
	struct mcp_res next;
	long def = -1;
	int fd, n;

	setup();
	fd = udp6();
	obs_begin("ipv6.sourcefilter.limit.default");
	obs_res("sysctl_in_netns", MCP_TRY(mcp_sysctl_get_int("net.ipv6.mld_max_msf", &def)));
	n = fill_sources(fd, MCAST_JOIN_SOURCE_GROUP, G, 200, &next);
	obs_int("join_source_accepted", n);
	obs_res("join_source_next", next);
	obs_end();
	n = fill_sources(fd, MCAST_JOIN_SOURCE_GROUP, "ff0e::30:2", 200, &next);
	obs_fill("ipv6.sourcefilter.limit.per_group", n, next);
	close(fd);
	fd = udp6();
	if (join_any(fd, G) < 0)
		mcp_broken("join any-source");
	n = fill_sources(fd, MCAST_BLOCK_SOURCE, G, 200, &next);
	obs_fill("ipv6.sourcefilter.limit.block_source", n, next);
	close(fd);
	fd = udp6();
	if (join_any(fd, G) < 0)
		mcp_broken("join any-source");
	obs_begin("ipv6.sourcefilter.limit.msfilter_65_sources");
	obs_res(NULL, MCP_TRY(msf_set(fd, MCAST_INCLUDE, 0, 65, 0)));
	obs_int("mcfilter6_rows", mcfilter6_rows());
	obs_end();
	obs_begin("ipv6.sourcefilter.limit.msfilter_64_sources");
	obs_res(NULL, MCP_TRY(msf_set(fd, MCAST_INCLUDE, 0, 64, 0)));
	obs_int("mcfilter6_rows", mcfilter6_rows());
	obs_end();
	close(fd);
}

/* ------------------------------------------------------------------ */
/* MCAST_MSFILTER set and get */

static void obs_get(const char *id, struct msf_got g)
{
	obs_begin("%s", id);
	obs_res(NULL, g.r);
	obs_int("fmode", g.r.rc < 0 ? -1 : (long long)g.fmode);
	obs_int("numsrc", g.r.rc < 0 ? -1 : (long long)g.numsrc);
	obs_int("optlen_out", g.optlen);
	obs_end();
}

static void msfilter(void)
{
	int fd;

	setup();
	fd = udp6();
	obs_get("ipv6.sourcefilter.msfilter.get_not_joined", msf_get(fd, 4));
	obs_begin("ipv6.sourcefilter.msfilter.set_include_1_not_joined");
	obs_res(NULL, MCP_TRY(msf_set(fd, MCAST_INCLUDE, 0, 1, 0)));
	obs_mcfilter6("mcfilter6");
	obs_int("igmp6_users_v0", users6(G));
	obs_end();
	if (join_any(fd, G) < 0)
		mcp_broken("join any-source");
	obs_begin("ipv6.sourcefilter.msfilter.set_include_2");
	obs_res(NULL, MCP_TRY(msf_set(fd, MCAST_INCLUDE, 0, 2, 0)));
	obs_mcfilter6("mcfilter6");
	obs_int("igmp6_users_v0", users6(G));
	obs_end();
	obs_get("ipv6.sourcefilter.msfilter.get_include_2_numsrc_4", msf_get(fd, 4));
	obs_get("ipv6.sourcefilter.msfilter.get_include_2_numsrc_1", msf_get(fd, 1));
	obs_get("ipv6.sourcefilter.msfilter.get_include_2_numsrc_0", msf_get(fd, 0));
	obs_begin("ipv6.sourcefilter.msfilter.set_bad_fmode");
	obs_res(NULL, MCP_TRY(msf_set(fd, 7, 0, 1, 0)));
	obs_mcfilter6("mcfilter6");
	obs_end();
	obs_begin("ipv6.sourcefilter.msfilter.set_exclude_1");
	obs_res(NULL, MCP_TRY(msf_set(fd, MCAST_EXCLUDE, 0, 1, 0)));
	obs_mcfilter6("mcfilter6");
	obs_end();
	obs_get("ipv6.sourcefilter.msfilter.get_exclude_1", msf_get(fd, 4));
	obs_begin("ipv6.sourcefilter.msfilter.set_exclude_empty");
	obs_res(NULL, MCP_TRY(msf_set(fd, MCAST_EXCLUDE, 0, 0, 0)));
	obs_mcfilter6("mcfilter6");
	obs_int("igmp6_users_v0", users6(G));
	obs_end();
	obs_begin("ipv6.sourcefilter.msfilter.set_include_empty_leaves");
	obs_res(NULL, MCP_TRY(msf_set(fd, MCAST_INCLUDE, 0, 0, 0)));
	obs_mcfilter6("mcfilter6");
	obs_int("igmp6_users_v0", users6(G));
	obs_end();
	close(fd);
}

/* the socket's own view of its filter, as facts of the open check */
static void obs_get_inline(int fd)
{
	struct msf_got g = msf_get(fd, 4);

	obs_res("msfilter_get", g.r);
	obs_int("msfilter_fmode", g.r.rc < 0 ? -1 : (long long)g.fmode);
	obs_int("msfilter_numsrc", g.r.rc < 0 ? -1 : (long long)g.numsrc);
}

/* two sockets' filters merged in the device's records */
static void state(void)
{
	int a, b;

	setup();
	a = udp6();
	b = udp6();
	if (src_do(a, MCAST_JOIN_SOURCE_GROUP, G, srcs[0]) < 0 || src_do(b, MCAST_JOIN_SOURCE_GROUP, G, srcs[1]) < 0)
		mcp_broken("two INCLUDE sockets");
	obs_begin("ipv6.sourcefilter.state.two_include_sockets");
	obs_mcfilter6("mcfilter6");
	obs_int("igmp6_users_v0", users6(G));
	obs_end();
	close(b);
	b = udp6();
	if (join_any(b, G) < 0 || src_do(b, MCAST_BLOCK_SOURCE, G, srcs[0]) < 0)
		mcp_broken("EXCLUDE socket");
	obs_begin("ipv6.sourcefilter.state.include_a_and_exclude_a");
	obs_mcfilter6("mcfilter6");
	obs_int("igmp6_users_v0", users6(G));
	obs_end();
	close(a);
	obs_begin("ipv6.sourcefilter.state.exclude_a_after_include_socket_closed");
	obs_mcfilter6("mcfilter6");
	obs_int("igmp6_users_v0", users6(G));
	obs_end();
	close(b);
	obs_begin("ipv6.sourcefilter.state.all_closed");
	obs_mcfilter6("mcfilter6");
	obs_int("igmp6_users_v0", users6(G));
	obs_end();
	/* a newer any-source group on the same device, the filter untouched */
	a = udp6();
	if (src_do(a, MCAST_JOIN_SOURCE_GROUP, G, srcs[0]) < 0 || join_any(a, "ff0e::30:3") < 0)
		mcp_broken("INCLUDE then any-source");
	obs_begin("ipv6.sourcefilter.state.newest_group_without_sources_hides_device");
	obs_mcfilter6("mcfilter6");
	obs_int("igmp6_users_v0", users6(G));
	obs_get_inline(a);
	obs_end();
	close(a);
}

/* ------------------------------------------------------------------ */
/* delivery from three sources */

enum { F_STEPS, F_MSF_INCLUDE_C, F_MSF_EXCLUDE_B_C, F_NONE };

struct dlv_row {
	const char *id;
	int filter;
	struct step steps[3];
	int n;
	int fd;
};

static void peer_senders(int s[3], int *sentinel)
{
	int here = mcp_ns_self(), v1;

	if (here < 0 || mcp_ns_enter(peer) < 0)
		mcp_broken("enter peer");
	for (int i = 0; i < 3; i++) {
		char cidr[48];

		snprintf(cidr, sizeof(cidr), "%s/64", srcs[i]);
		if (dlv6_addr_add("v1", cidr) < 0)
			mcp_broken("source address %s", cidr);
	}
	v1 = mcp_ifindex("v1");
	for (int i = 0; i < 3; i++) {
		s[i] = dlv6_udp(0, srcs[i], 0);
		if (s[i] < 0 || dlv6_set_if(s[i], v1) < 0)
			mcp_broken("sender from %s", srcs[i]);
	}
	*sentinel = s[0];
	if (mcp_ns_enter(here) < 0)
		_exit(3);	/* never go on in the wrong namespace */
	close(here);
}

static void dlv_receiver(struct dlv_row *row)
{
	row->fd = udp6();
	if (join_any(row->fd, GS) < 0)
		mcp_broken("sentinel group");
	if (row->filter == F_MSF_INCLUDE_C || row->filter == F_MSF_EXCLUDE_B_C) {
		int inc = row->filter == F_MSF_INCLUDE_C;

		if (join_any(row->fd, G) < 0 ||
		    msf_set(row->fd, inc ? MCAST_INCLUDE : MCAST_EXCLUDE, inc ? 2 : 1, inc ? 1 : 2, 0) < 0)
			mcp_broken("MCAST_MSFILTER of %s", row->id);
		return;
	}
	for (int k = 0; k < row->n; k++)
		if (do_step(row->fd, row->steps[k]).rc < 0)
			mcp_broken("receiver program of %s", row->id);
}

static void delivery(void)
{
	struct dlv_row rows[] = {
		{ "ipv6.sourcefilter.delivery.any_source", F_STEPS, { { ANY, 0 } }, 1, -1 },
		{ "ipv6.sourcefilter.delivery.include_a", F_STEPS, { { JSRC, 0 } }, 1, -1 },
		{ "ipv6.sourcefilter.delivery.include_a_b", F_STEPS, { { JSRC, 0 }, { JSRC, 1 } }, 2, -1 },
		{ "ipv6.sourcefilter.delivery.include_a_b_then_leave_a", F_STEPS,
		  { { JSRC, 0 }, { JSRC, 1 }, { LSRC, 0 } }, 3, -1 },
		{ "ipv6.sourcefilter.delivery.exclude_a", F_STEPS, { { ANY, 0 }, { BLK, 0 } }, 2, -1 },
		{ "ipv6.sourcefilter.delivery.exclude_a_unblocked", F_STEPS, { { ANY, 0 }, { BLK, 0 }, { UNBLK, 0 } }, 3, -1 },
		{ "ipv6.sourcefilter.delivery.msfilter_include_c", F_MSF_INCLUDE_C, { { ANY, 0 } }, 0, -1 },
		{ "ipv6.sourcefilter.delivery.msfilter_exclude_b_c", F_MSF_EXCLUDE_B_C, { { ANY, 0 } }, 0, -1 },
		{ "ipv6.sourcefilter.delivery.not_joined_mc_all_1", F_NONE, { { ANY, 0 } }, 0, -1 },
	};
	int s[3], sentinel;

	setup();
	peer_senders(s, &sentinel);
	for (size_t i = 0; i < MCP_ARRAY_SIZE(rows); i++)
		dlv_receiver(&rows[i]);
	for (int i = 0; i < 3; i++)
		if (dlv6_send(s[i], G, P, 1 + (uint32_t)i, 0, LEN) != LEN)
			mcp_broken("send from %s", srcs[i]);
	if (dlv6_send(sentinel, GS, P, DLV_TAG_SENTINEL, 0, LEN) != LEN)
		mcp_broken("sentinel");
	for (size_t i = 0; i < MCP_ARRAY_SIZE(rows); i++) {
		int from[3];

		for (int k = 0; k < 3; k++)
			from[k] = 0;
		for (;;) {
			struct dlv6_rx rx;

			if (dlv6_recv(rows[i].fd, &rx, DLV_POSITIVE_MS) != 1)
				mcp_broken("sentinel did not arrive at %s", rows[i].id);
			if (rx.tag == DLV_TAG_SENTINEL)
				break;
			if (rx.tag >= 1 && rx.tag <= 3)
				from[rx.tag - 1]++;
		}
		obs_begin("%s", rows[i].id);
		obs_int("from_a", from[0]);
		obs_int("from_b", from[1]);
		obs_int("from_c", from[2]);
		obs_end();
		close(rows[i].fd);
	}
	for (int i = 0; i < 3; i++)
		close(s[i]);
}

static const struct mcp_scenario scenarios[] = {
	{ "size", size, 0 },
	{ "mode", mode, 0 },
	{ "limit", limit, 0 },
	{ "msfilter", msfilter, 0 },
	{ "state", state, 0 },
	{ "delivery", delivery, 0 },
};

int main(int argc, char **argv)
{
	return mcp_main(argc, argv, "sourcefilter6", scenarios, MCP_ARRAY_SIZE(scenarios));
}
