// SPDX-License-Identifier: GPL-2.0
/*
 * membership - IPv4 group membership: IP_ADD_MEMBERSHIP / IP_DROP_MEMBERSHIP
 * and MCAST_JOIN_GROUP / MCAST_LEAVE_GROUP.
 *
 * What is observed: the per-socket limit (net.ipv4.igmp_max_memberships) and
 * how it follows the sysctl, duplicate joins, drops, the optlen matrix and
 * unreadable option buffers, which groups are accepted, how the interface is
 * selected (by address, by index, by route), the device-level state in
 * /proc/net/igmp, and which socket types may join.
 *
 * Environment: every scenario runs in its own fresh network namespace (made
 * by mcp_main) holding lo and, where needed, two veth pairs to a peer
 * namespace:   v0 10.0.0.1/24 <-> p0 10.0.0.2/24   and
 *              w0 10.0.1.1/24 <-> p1 10.0.1.2/24
 * with no default and no multicast route unless a row adds one: interface
 * resolution for INADDR_ANY goes through the routing table, so the table is
 * part of every row's setup. Needs CAP_SYS_ADMIN + CAP_NET_ADMIN (root).
 *
 * The probe records return values, errno names and /proc/net/igmp rows; it
 * does not decide what is right: expected/common/membership.yaml does.
 */
#include "mcp.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define G1 "239.1.1.1"
#define G2 "239.1.1.2"
/* far above any default: 6.18 stops at optmem_max/48 = 2730 joins */
#define FILL_CAP 5000

static int v0, w0;	/* ifindexes of the two veth ends in the scenario's netns */
static int peer_ns = -1;

static void topology(void)
{
	peer_ns = mcp_ns_new();
	if (peer_ns < 0)
		mcp_broken("peer namespace");
	if (mcp_link_pair("v0", "10.0.0.1/24", peer_ns, "p0", "10.0.0.2/24") < 0)
		mcp_broken("veth v0/p0");
	if (mcp_link_pair("w0", "10.0.1.1/24", peer_ns, "p1", "10.0.1.2/24") < 0)
		mcp_broken("veth w0/p1");
	v0 = mcp_ifindex("v0");
	w0 = mcp_ifindex("w0");
	if (v0 < 0 || w0 < 0)
		mcp_broken("ifindex");
	mcp_pin("net.ipv4.igmp_max_memberships", 20);
}

static int sock(int family, int type, int proto)
{
	int fd = socket(family, type | SOCK_CLOEXEC, proto);

	if (fd < 0)
		mcp_broken("socket(%d, %d, %d)", family, type, proto);
	return fd;
}

static int udp(void) { return sock(AF_INET, SOCK_DGRAM, 0); }

static int sock_cb(void *type)
{
	return sock(AF_INET, *(int *)type, 0);
}

/* A socket created in the peer namespace (sockets keep the namespace they were made in). */
static int sock_in_peer(int type)
{
	int fd = mcp_in_ns(peer_ns, sock_cb, &type);

	if (fd < 0)
		mcp_broken("enter peer");
	return fd;
}

static int max_memberships_cb(void *out)
{
	return mcp_sysctl_get_int("net.ipv4.igmp_max_memberships", out);
}

static int listener(const struct sockaddr_in *sa)
{
	int fd = sock(AF_INET, SOCK_STREAM, 0), one = 1;

	MCP_SAFE(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)));
	if (bind(fd, (const struct sockaddr *)sa, sizeof(*sa)) < 0 || listen(fd, 1) < 0)
		mcp_broken("listen");
	return fd;
}

/* Connects from the peer namespace and returns the accepted child; *cli is the client. */
static int accepted_from_peer(int lst, const struct sockaddr_in *sa, int *cli)
{
	int child;

	*cli = sock_in_peer(SOCK_STREAM);
	/* blocking connect over a veth completes or fails within the scenario's alarm bound */
	if (connect(*cli, (const struct sockaddr *)sa, sizeof(*sa)) < 0)
		mcp_broken("connect from peer");
	child = accept(lst, NULL, NULL);
	if (child < 0)
		mcp_broken("accept");
	return child;
}

/* Devices on which `group` is a member now, comma-separated, "" if none. */
static const char *devs_of(const char *group)
{
	static char out[256];
	struct mcp_igmp_row rows[512];
	struct in_addr g = mcp_in(group);
	int n = mcp_igmp_rows(rows, 512);

	out[0] = 0;
	for (int i = 0; i < n && i < 512; i++) {
		if (rows[i].group.s_addr != g.s_addr)
			continue;
		if (out[0])
			strncat(out, ",", sizeof(out) - strlen(out) - 1);
		strncat(out, rows[i].dev, sizeof(out) - strlen(out) - 1);
	}
	return out;
}

/* ------------------------------------------------------------------ */
/* limit */

enum api { API_IP, API_MCAST };

struct fill {
	int accepted;
	struct mcp_res next;	/* the first join that failed */
};

/* Join distinct groups until one fails (bounded by FILL_CAP). */
static struct fill fill(int fd, enum api api, int ifindex, unsigned int first)
{
	struct fill f = { 0 };

	for (int i = 0; i < FILL_CAP; i++) {
		const char *g = mcp_nth_group(first + (unsigned int)i);

		f.next = api == API_IP ? MCP_TRY(mcp_join_ifindex(fd, g, ifindex))
				       : MCP_TRY(mcp_mcast_join(fd, g, ifindex));
		if (f.next.rc < 0)
			return f;
		f.accepted++;
	}
	return f;
}

static void obs_fill(const char *id, struct fill f)
{
	obs_begin("%s", id);
	obs_int("accepted", f.accepted);
	obs_res("next", f.next);
	obs_end();
}

static void limit_defaults(void)
{
	long v = -1;
	int fd;

	/* read before anything pins it: this is the namespace's default */
	if (mcp_sysctl_get_int("net.ipv4.igmp_max_memberships", &v) < 0)
		mcp_broken("read igmp_max_memberships");
	obs_begin("ipv4.membership.limit.default");
	obs_int("value", v);
	obs_end();

	fd = udp();
	obs_fill("ipv4.membership.limit.default.ip_add_membership", fill(fd, API_IP, 1, 0));
	close(fd);
	fd = udp();
	obs_fill("ipv4.membership.limit.default.mcast_join_group", fill(fd, API_MCAST, 1, 0));
	close(fd);
}

static void limit_follows_sysctl(void)
{
	static const struct { long value; const char *id; } rows[] = {
		{ 0, "ipv4.membership.limit.sysctl_0" },
		{ 1, "ipv4.membership.limit.sysctl_1" },
		{ 5, "ipv4.membership.limit.sysctl_5" },
		{ 100, "ipv4.membership.limit.sysctl_100" },
		{ 1000, "ipv4.membership.limit.sysctl_1000" },
		{ -1, "ipv4.membership.limit.sysctl_negative" },
	};

	for (size_t i = 0; i < MCP_ARRAY_SIZE(rows); i++) {
		int fd = udp();
		long got = -12345;

		mcp_pin("net.ipv4.igmp_max_memberships", rows[i].value);
		MCP_SAFE(mcp_sysctl_get_int("net.ipv4.igmp_max_memberships", &got));
		obs_begin("%s", rows[i].id);
		struct fill f = fill(fd, API_IP, 1, 0);
		obs_int("sysctl", got);
		obs_int("accepted", f.accepted);
		obs_res("next", f.next);
		obs_end();
		close(fd);
	}
}

/* With the count limit far away, per-socket option memory is what stops joins. */
static void limit_optmem(void)
{
	int fd = udp();
	struct fill f;

	mcp_pin("net.ipv4.igmp_max_memberships", 100000);
	f = fill(fd, API_IP, 1, 0);
	obs_begin("ipv4.membership.limit.sysctl_100000_stops_at_optmem");
	obs_int("accepted", f.accepted);
	obs_res("next", f.next);
	/* per namespace since 6.x; absent in child namespaces of older kernels */
	obs_sysctl_int("optmem_max_in_netns", "net.core.optmem_max");
	obs_end();
	close(fd);
}

static void limit_scope(void)
{
	int a, b;
	struct fill fa, fb, fc;
	long other = -1;

	topology();
	a = udp();
	b = udp();
	fa = fill(a, API_IP, v0, 0);
	fb = fill(b, API_IP, v0, 0);	/* the same groups: the limit counts per socket */
	obs_begin("ipv4.membership.limit.per_socket");
	obs_int("first_socket_accepted", fa.accepted);
	obs_int("second_socket_accepted", fb.accepted);
	obs_str("second_socket_next_errno", mcp_errname(fb.next.err));
	obs_int("users_of_first_group", mcp_igmp_users("v0", mcp_nth_group(0)));
	obs_end();
	close(a);
	close(b);

	/* per namespace: lower it here, the peer namespace keeps its own */
	mcp_pin("net.ipv4.igmp_max_memberships", 3);
	a = udp();
	fa = fill(a, API_IP, v0, 0);
	if (mcp_in_ns(peer_ns, max_memberships_cb, &other) < 0)
		mcp_broken("igmp_max_memberships of the peer namespace");
	b = sock_in_peer(SOCK_DGRAM);	/* a socket belongs to the namespace it was created in */
	fb = fill(b, API_IP, 1, 0);
	obs_begin("ipv4.membership.limit.per_namespace");
	obs_int("this_ns_sysctl", 3);
	obs_int("this_ns_accepted", fa.accepted);
	obs_int("other_ns_sysctl", other);
	obs_int("other_ns_accepted", fb.accepted);
	obs_end();
	close(a);
	close(b);

	/* a drop frees a slot; the limit applies again right after */
	mcp_pin("net.ipv4.igmp_max_memberships", 20);
	a = udp();
	fa = fill(a, API_IP, v0, 0);
	{
		struct mcp_res drop = MCP_TRY(mcp_drop_ifindex(a, mcp_nth_group(0), v0));
		struct mcp_res again = MCP_TRY(mcp_join_ifindex(a, mcp_nth_group(1000), v0));
		struct mcp_res over = MCP_TRY(mcp_join_ifindex(a, mcp_nth_group(1001), v0));
		struct mcp_res dup = MCP_TRY(mcp_join_ifindex(a, mcp_nth_group(1), v0));

		obs_begin("ipv4.membership.limit.drop_frees_one_slot");
		obs_int("filled", fa.accepted);
		obs_res("drop", drop);
		obs_res("join_after_drop", again);
		obs_res("join_over_limit", over);
		obs_end();
		obs_begin("ipv4.membership.limit.duplicate_on_full_socket");
		obs_res(NULL, dup);
		obs_end();
	}
	close(a);

	/* both APIs draw from the same per-socket count */
	a = udp();
	fa = fill(a, API_IP, v0, 0);
	close(a);
	a = udp();
	for (int i = 0; i < 10; i++)
		MCP_SAFE(mcp_join_ifindex(a, mcp_nth_group((unsigned int)i), v0));
	fc = fill(a, API_MCAST, v0, 100);
	obs_begin("ipv4.membership.limit.shared_by_ip_and_mcast_apis");
	obs_int("ip_add_membership_joins", 10);
	obs_int("mcast_join_group_accepted", fc.accepted);
	obs_res("next", fc.next);
	obs_end();
	close(a);

	/* lowering the sysctl below what a socket holds keeps its memberships */
	a = udp();
	fa = fill(a, API_IP, v0, 0);
	mcp_pin("net.ipv4.igmp_max_memberships", 5);
	{
		struct mcp_res over = MCP_TRY(mcp_join_ifindex(a, mcp_nth_group(500), v0));
		struct mcp_res drop = MCP_TRY(mcp_drop_ifindex(a, mcp_nth_group(0), v0));
		struct mcp_res still = MCP_TRY(mcp_join_ifindex(a, mcp_nth_group(0), v0));
		int held = 0;

		for (int i = 0; i < 20; i++)
			held += mcp_igmp_users("v0", mcp_nth_group((unsigned int)i)) > 0;
		obs_begin("ipv4.membership.limit.lowered_below_held");
		obs_int("held_before", fa.accepted);
		obs_int("groups_on_device_at_end", held);
		obs_res("join", over);
		obs_res("drop", drop);
		obs_res("join_after_one_drop", still);
		obs_end();
	}
	close(a);
}

/* ------------------------------------------------------------------ */
/* duplicate joins */

struct twice {
	const char *id;
	int (*first)(int fd);
	int (*second)(int fd);
};

static int j_addr_v0(int fd) { return mcp_join_addr(fd, G1, "10.0.0.1"); }
static int j_idx_v0(int fd) { return mcp_join_ifindex(fd, G1, v0); }
static int j_idx_w0(int fd) { return mcp_join_ifindex(fd, G1, w0); }
static int j_mcast_v0(int fd) { return mcp_mcast_join(fd, G1, v0); }
static int j_any(int fd) { return mcp_join_ifindex(fd, G1, 0); }
static int d_idx_v0(int fd) { return mcp_drop_ifindex(fd, G1, v0); }
static int d_idx_w0(int fd) { return mcp_drop_ifindex(fd, G1, w0); }
static int d_addr_v0(int fd) { return mcp_drop_addr(fd, G1, "10.0.0.1"); }
static int d_mcast_v0(int fd) { return mcp_mcast_leave(fd, G1, v0); }

/* Two calls on one fresh socket; records both and where G1 is joined after. */
static void pair_row(const struct twice *row, const char *k1, const char *k2, int users)
{
	int fd = udp();
	struct mcp_res a = MCP_TRY(row->first(fd));
	struct mcp_res b = MCP_TRY(row->second(fd));

	obs_begin("%s", row->id);
	obs_res(k1, a);
	obs_res(k2, b);
	obs_str("member_on", devs_of(G1));
	if (users)
		obs_int("users_v0", mcp_igmp_users("v0", G1));
	obs_end();
	close(fd);	/* leaves whatever the row left joined */
}

static void duplicate(void)
{
	static const struct twice rows[] = {
		{ "ipv4.membership.duplicate.ip_mreq_same_address", j_addr_v0, j_addr_v0 },
		{ "ipv4.membership.duplicate.ip_mreqn_same_ifindex", j_idx_v0, j_idx_v0 },
		{ "ipv4.membership.duplicate.ip_mreq_then_ip_mreqn_same_interface", j_addr_v0, j_idx_v0 },
		{ "ipv4.membership.duplicate.ip_add_then_mcast_join_group", j_idx_v0, j_mcast_v0 },
		{ "ipv4.membership.duplicate.mcast_join_group_twice", j_mcast_v0, j_mcast_v0 },
		{ "ipv4.membership.duplicate.same_group_second_interface", j_idx_v0, j_idx_w0 },
		{ "ipv4.membership.duplicate.route_resolved_then_same_ifindex", j_any, j_idx_v0 },
	};

	topology();
	/* INADDR_ANY resolves through this route; only the row that uses it cares */
	if (mcp_route_add("224.0.0.0/4", "v0", NULL) < 0)
		mcp_broken("route 224/4");
	for (size_t i = 0; i < MCP_ARRAY_SIZE(rows); i++)
		pair_row(&rows[i], "first", "second", 1);

	/* two sockets, one group, one interface: one device record, two users */
	{
		int a = udp(), b = udp();
		struct mcp_res ra = MCP_TRY(j_idx_v0(a));
		struct mcp_res rb = MCP_TRY(j_idx_v0(b));

		obs_begin("ipv4.membership.duplicate.two_sockets_same_group");
		obs_res("first_socket", ra);
		obs_res("second_socket", rb);
		obs_igmp("igmp");
		obs_end();
		close(a);
		close(b);
	}
}

/* ------------------------------------------------------------------ */
/* drop */

static void drop(void)
{
	int fd;

	topology();

	fd = udp();
	OBS_CALL("ipv4.membership.drop.never_joined_by_ifindex", mcp_drop_ifindex(fd, G1, v0));
	OBS_CALL("ipv4.membership.drop.never_joined_by_address", mcp_drop_addr(fd, G1, "10.0.0.1"));
	OBS_CALL("ipv4.membership.drop.never_joined_any_without_route", mcp_drop_ifindex(fd, G1, 0));
	OBS_CALL("ipv4.membership.drop.never_joined_mcast_leave_group", mcp_mcast_leave(fd, G1, v0));
	OBS_CALL("ipv4.membership.drop.unicast_group", mcp_drop_ifindex(fd, "10.1.1.1", v0));
	OBS_CALL("ipv4.membership.drop.nonexistent_ifindex", mcp_drop_ifindex(fd, G1, 9999));
	OBS_CALL("ipv4.membership.drop.address_not_local", mcp_drop_addr(fd, G1, "10.9.9.9"));
	if (mcp_route_add("224.0.0.0/4", "v0", NULL) < 0)
		mcp_broken("route 224/4");
	OBS_CALL("ipv4.membership.drop.never_joined_any_with_route", mcp_drop_ifindex(fd, G1, 0));
	if (mcp_route_del("224.0.0.0/4", "v0", NULL) < 0)
		mcp_broken("route del 224/4");
	close(fd);

	fd = udp();
	{
		struct mcp_res j = MCP_TRY(mcp_join_ifindex(fd, G1, v0));
		struct mcp_res d1 = MCP_TRY(mcp_drop_ifindex(fd, G1, v0));
		struct mcp_res d2 = MCP_TRY(mcp_drop_ifindex(fd, G1, v0));

		obs_begin("ipv4.membership.drop.twice");
		obs_res("join", j);
		obs_res("first_drop", d1);
		obs_res("second_drop", d2);
		obs_end();
	}
	close(fd);

	/* join and drop naming the interface differently: entries are stored with the resolved ifindex */
	{
		static const struct twice rows[] = {
			{ "ipv4.membership.drop.joined_by_address_dropped_by_ifindex", j_addr_v0, d_idx_v0 },
			{ "ipv4.membership.drop.joined_by_ifindex_dropped_by_address", j_idx_v0, d_addr_v0 },
			{ "ipv4.membership.drop.other_interface_keeps_membership", j_idx_v0, d_idx_w0 },
			{ "ipv4.membership.drop.mcast_leave_group_after_ip_add_membership", j_idx_v0, d_mcast_v0 },
			{ "ipv4.membership.drop.ip_drop_by_address_after_mcast_join_group", j_mcast_v0, d_addr_v0 },
			{ "ipv4.membership.drop.route_resolved_join_dropped_by_address", j_any, d_addr_v0 },
		};

		if (mcp_route_add("224.0.0.0/4", "v0", NULL) < 0)
			mcp_broken("route 224/4");
		for (size_t i = 0; i < MCP_ARRAY_SIZE(rows); i++)
			pair_row(&rows[i], "join", "drop", 0);
	}
}

/* ------------------------------------------------------------------ */
/* optlen and unreadable buffers */

/* Compresses per-optlen results into runs: {"0-7":"EINVAL","8-11":"ok:v0",...} */
struct runs {
	int lo[96], hi[96];
	char what[96][64];
	int n;
};

static void runs_add(struct runs *r, int optlen, const char *what)
{
	if (r->n && r->hi[r->n - 1] == optlen - 1 && !strcmp(r->what[r->n - 1], what)) {
		r->hi[r->n - 1] = optlen;
		return;
	}
	if (r->n == (int)MCP_ARRAY_SIZE(r->lo))
		mcp_broken("too many runs");
	r->lo[r->n] = r->hi[r->n] = optlen;
	snprintf(r->what[r->n], sizeof(r->what[0]), "%s", what);
	r->n++;
}

static void obs_runs(const char *key, const struct runs *r)
{
	obs_obj_begin(key);
	for (int i = 0; i < r->n; i++) {
		char k[32];

		if (r->lo[i] == r->hi[i])
			snprintf(k, sizeof(k), "%d", r->lo[i]);
		else
			snprintf(k, sizeof(k), "%d-%d", r->lo[i], r->hi[i]);
		obs_str(k, r->what[i]);
	}
	obs_obj_end();
}

/* "ok:<devices now holding G1>" or the errno name */
static const char *outcome(struct mcp_res r, const char *before)
{
	static char buf[600];

	if (r.rc < 0)
		return mcp_errname(r.err);
	snprintf(buf, sizeof(buf), "ok:%s->%s", before, devs_of(G1));
	return buf;
}

static void optlen_group_req(void)
{
	/* group_req is 136 bytes on LP64: probe both sides of it and the compat size */
	{
		static const int lens[] = { 0, 1, 4, 8, 12, 16, 64, 131, 132, 135, 136, 137, 144, 264, 512 };
		unsigned char gbuf[512] = { 0 };
		struct group_req gr = { .gr_interface = (uint32_t)w0 };
		struct sockaddr_in *sin = (struct sockaddr_in *)&gr.gr_group;
		struct runs j = { 0 }, l = { 0 };

		sin->sin_family = AF_INET;
		sin->sin_addr = mcp_in(G1);
		memcpy(gbuf, &gr, sizeof(gr));
		for (size_t i = 0; i < MCP_ARRAY_SIZE(lens); i++) {
			int fd = udp();
			struct mcp_res r = MCP_TRY(setsockopt(fd, IPPROTO_IP, MCAST_JOIN_GROUP, gbuf, (socklen_t)lens[i]));

			runs_add(&j, lens[i], outcome(r, ""));
			close(fd);
			fd = udp();
			if (mcp_join_ifindex(fd, G1, w0) < 0)
				mcp_broken("join before leave");
			r = MCP_TRY(setsockopt(fd, IPPROTO_IP, MCAST_LEAVE_GROUP, gbuf, (socklen_t)lens[i]));
			runs_add(&l, lens[i], outcome(r, "w0"));
			close(fd);
		}
		obs_begin("ipv4.membership.optlen.mcast_join_group_boundaries");
		obs_runs("by_optlen", &j);
		obs_end();
		obs_begin("ipv4.membership.optlen.mcast_leave_group_boundaries");
		obs_runs("by_optlen", &l);
		obs_end();
	}
}

static void optval_unreadable(void)
{
	/* optval the kernel cannot read */
	{
		static const struct { const char *id; int opt; socklen_t len; } rows[] = {
			{ "ipv4.membership.optval.ip_add_membership_null_optlen_8", IP_ADD_MEMBERSHIP, 8 },
			{ "ipv4.membership.optval.ip_add_membership_null_optlen_12", IP_ADD_MEMBERSHIP, 12 },
			{ "ipv4.membership.optval.ip_add_membership_null_optlen_0", IP_ADD_MEMBERSHIP, 0 },
			{ "ipv4.membership.optval.ip_drop_membership_null_optlen_8", IP_DROP_MEMBERSHIP, 8 },
			{ "ipv4.membership.optval.mcast_join_group_null", MCAST_JOIN_GROUP, sizeof(struct group_req) },
			{ "ipv4.membership.optval.mcast_leave_group_null", MCAST_LEAVE_GROUP, sizeof(struct group_req) },
		};
		void *bad = mcp_unreadable_page();
		int fd = udp();

		for (size_t i = 0; i < MCP_ARRAY_SIZE(rows); i++) {
			obs_begin("%s", rows[i].id);
			obs_res("null", MCP_TRY(setsockopt(fd, IPPROTO_IP, rows[i].opt, NULL, rows[i].len)));
			obs_res("unreadable", MCP_TRY(setsockopt(fd, IPPROTO_IP, rows[i].opt, bad, rows[i].len)));
			obs_end();
		}
		close(fd);
	}
}

static void optval_straddling_unreadable_page(void)
{
	/* an ip_mreqn whose last 4 bytes sit on an unreadable page: the copy length follows optlen */
	{
		unsigned char *two = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		struct ip_mreqn mm = { .imr_multiaddr = mcp_in(G1), .imr_address = mcp_in("10.0.0.1") };
		unsigned char *at;
		int fd = udp();
		struct mcp_res r8, r12;

		if (two == MAP_FAILED || mprotect(two + 4096, 4096, PROT_NONE) < 0)
			mcp_broken("guard page");
		at = two + 4096 - 8;
		memcpy(at, &mm, 8);
		r8 = MCP_TRY(setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, at, 8));
		r12 = MCP_TRY(setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, at, 12));
		obs_begin("ipv4.membership.optval.ip_mreqn_straddling_unreadable_page");
		obs_res("optlen_8", r8);
		obs_res("optlen_12", r12);
		obs_str("member_on", devs_of(G1));
		obs_end();
		close(fd);
		munmap(two, 8192);
	}
}

/*
 * The 64-byte buffer holds an ip_mreqn whose address names v0 and whose
 * ifindex names w0, then zeroes: the device that ends up joined (or left)
 * shows which structure the kernel read for each optlen.
 */
static void optlen(void)
{
	unsigned char buf[64] = { 0 };
	struct ip_mreqn m = { .imr_multiaddr = mcp_in(G1), .imr_address = mcp_in("10.0.0.1") };
	struct runs add = { 0 }, del = { 0 };

	topology();
	m.imr_ifindex = w0;
	memcpy(buf, &m, sizeof(m));
	for (int len = 0; len <= 64; len++) {
		int fd = udp();
		struct mcp_res r = MCP_TRY(setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, buf, (socklen_t)len));

		runs_add(&add, len, outcome(r, ""));
		close(fd);	/* leaves whatever was joined */
	}
	for (int len = 0; len <= 64; len++) {
		int fd = udp();
		char before[64];
		struct mcp_res r;

		if (mcp_join_ifindex(fd, G1, v0) < 0 || mcp_join_ifindex(fd, G1, w0) < 0)
			mcp_broken("join before drop");
		snprintf(before, sizeof(before), "%s", devs_of(G1));
		r = MCP_TRY(setsockopt(fd, IPPROTO_IP, IP_DROP_MEMBERSHIP, buf, (socklen_t)len));
		runs_add(&del, len, outcome(r, before));
		close(fd);
	}
	obs_begin("ipv4.membership.optlen.ip_add_membership_0_to_64");
	obs_runs("by_optlen", &add);
	obs_end();
	obs_begin("ipv4.membership.optlen.ip_drop_membership_0_to_64");
	obs_runs("by_optlen", &del);
	obs_end();
	optlen_group_req();
	optval_unreadable();
	optval_straddling_unreadable_page();
}

/* ------------------------------------------------------------------ */
/* which groups are accepted */

static void groups(void)
{
	static const struct { const char *id[2]; const char *group; } rows[] = {	/* id[api] */
		{ { "ipv4.membership.group.unicast.ip_add_membership",
		    "ipv4.membership.group.unicast.mcast_join_group" }, "10.1.1.1" },
		{ { "ipv4.membership.group.any_0_0_0_0.ip_add_membership",
		    "ipv4.membership.group.any_0_0_0_0.mcast_join_group" }, "0.0.0.0" },
		{ { "ipv4.membership.group.broadcast_255_255_255_255.ip_add_membership",
		    "ipv4.membership.group.broadcast_255_255_255_255.mcast_join_group" }, "255.255.255.255" },
		{ { "ipv4.membership.group.base_224_0_0_0.ip_add_membership",
		    "ipv4.membership.group.base_224_0_0_0.mcast_join_group" }, "224.0.0.0" },
		{ { "ipv4.membership.group.all_hosts_224_0_0_1.ip_add_membership",
		    "ipv4.membership.group.all_hosts_224_0_0_1.mcast_join_group" }, "224.0.0.1" },
		{ { "ipv4.membership.group.top_239_255_255_255.ip_add_membership",
		    "ipv4.membership.group.top_239_255_255_255.mcast_join_group" }, "239.255.255.255" },
		{ { "ipv4.membership.group.loopback_127_0_0_1.ip_add_membership",
		    "ipv4.membership.group.loopback_127_0_0_1.mcast_join_group" }, "127.0.0.1" },
		{ { "ipv4.membership.group.class_e_240_0_0_1.ip_add_membership",
		    "ipv4.membership.group.class_e_240_0_0_1.mcast_join_group" }, "240.0.0.1" },
	};

	topology();
	for (size_t i = 0; i < MCP_ARRAY_SIZE(rows); i++) {
		for (int api = 0; api < 2; api++) {
			int fd = udp();
			int before = mcp_igmp_users("v0", rows[i].group);
			struct mcp_res r = api ? MCP_TRY(mcp_mcast_join(fd, rows[i].group, v0))
					       : MCP_TRY(mcp_join_ifindex(fd, rows[i].group, v0));

			obs_begin("%s", rows[i].id[api]);
			obs_res(NULL, r);
			obs_int("users_before", before);
			obs_int("users_after", mcp_igmp_users("v0", rows[i].group));
			obs_end();
			close(fd);
		}
	}

	/* group_req must carry an AF_INET group */
	{
		static const struct { const char *id; int family; } fam[] = {
			{ "ipv4.membership.group.mcast_join_group_family_inet6", AF_INET6 },
			{ "ipv4.membership.group.mcast_join_group_family_unspec", AF_UNSPEC },
		};
		for (size_t i = 0; i < MCP_ARRAY_SIZE(fam); i++) {
			struct group_req gr = { .gr_interface = (uint32_t)v0 };
			struct sockaddr_in *sin = (struct sockaddr_in *)&gr.gr_group;
			int fd = udp();

			sin->sin_family = (sa_family_t)fam[i].family;
			sin->sin_addr = mcp_in(G1);
			obs_begin("%s", fam[i].id);
			obs_res(NULL, MCP_TRY(setsockopt(fd, IPPROTO_IP, MCAST_JOIN_GROUP, &gr, sizeof(gr))));
			obs_str("member_on", devs_of(G1));
			obs_end();
			close(fd);
		}
	}
}

/* ------------------------------------------------------------------ */
/* interface selection */

struct sel {
	const char *id;
	const char *addr;	/* imr_address */
	int *ifindex;		/* imr_ifindex (NULL: 0) */
	int bogus_ifindex;	/* used when ifindex is NULL and this is non-zero */
};

static int zero;

/* s->id, or id when s is shared by several rows */
static void join_sel(const struct sel *s, const char *id)
{
	struct ip_mreqn m = { .imr_multiaddr = mcp_in(G1), .imr_address = mcp_in(s->addr) };
	int fd = udp();
	struct mcp_res r;

	m.imr_ifindex = s->ifindex ? *s->ifindex : s->bogus_ifindex;
	r = MCP_TRY(setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof(m)));
	obs_begin("%s", id ? id : s->id);
	obs_res(NULL, r);
	obs_str("member_on", devs_of(G1));
	obs_end();
	close(fd);
}

static void iface(void)
{
	static const struct sel plain[] = {
		{ "ipv4.membership.iface.any_without_route", "0.0.0.0", &zero, 0 },
		{ "ipv4.membership.iface.address_of_w0", "10.0.1.1", &zero, 0 },
		{ "ipv4.membership.iface.address_not_on_any_interface", "10.9.9.9", &zero, 0 },
		{ "ipv4.membership.iface.address_of_peer_on_link", "10.0.0.2", &zero, 0 },
		{ "ipv4.membership.iface.address_127_0_0_1", "127.0.0.1", &zero, 0 },
		{ "ipv4.membership.iface.ifindex_w0", "0.0.0.0", &w0, 0 },
		{ "ipv4.membership.iface.ifindex_nonexistent", "0.0.0.0", NULL, 9999 },
		{ "ipv4.membership.iface.ifindex_w0_address_of_v0_disagree", "10.0.0.1", &w0, 0 },
		{ "ipv4.membership.iface.ifindex_nonexistent_address_of_v0", "10.0.0.1", NULL, 9999 },
	};
	static const struct sel any = { NULL, "0.0.0.0", &zero, 0 };

	topology();
	for (size_t i = 0; i < MCP_ARRAY_SIZE(plain); i++)
		join_sel(&plain[i], NULL);

	/* INADDR_ANY follows the route to the group */
	if (mcp_route_add("default", "v0", "10.0.0.2") < 0)
		mcp_broken("default route");
	join_sel(&any, "ipv4.membership.iface.any_with_default_route_via_v0");
	if (mcp_route_add("224.0.0.0/4", "w0", NULL) < 0)
		mcp_broken("route 224/4");
	join_sel(&any, "ipv4.membership.iface.any_with_default_via_v0_and_multicast_route_w0");
	if (mcp_route_add(G1 "/32", "v0", NULL) < 0)
		mcp_broken("host route");
	join_sel(&any, "ipv4.membership.iface.any_with_host_route_for_group_via_v0");
	if (mcp_route_del(G1 "/32", "v0", NULL) < 0 || mcp_route_del("default", "v0", "10.0.0.2") < 0)
		mcp_broken("route del");
	join_sel(&any, "ipv4.membership.iface.any_with_only_multicast_route_w0");

	/* MCAST_JOIN_GROUP carries only an ifindex */
	{
		static const struct { const char *id; int *ifindex; int bogus; } rows[] = {
			{ "ipv4.membership.iface.mcast_join_group_ifindex_0_with_route_w0", &zero, 0 },
			{ "ipv4.membership.iface.mcast_join_group_ifindex_v0", &v0, 0 },
			{ "ipv4.membership.iface.mcast_join_group_ifindex_nonexistent", NULL, 9999 },
		};
		for (size_t i = 0; i < MCP_ARRAY_SIZE(rows); i++) {
			int fd = udp();

			obs_begin("%s", rows[i].id);
			obs_res(NULL, MCP_TRY(mcp_mcast_join(fd, G1, rows[i].ifindex ? *rows[i].ifindex : rows[i].bogus)));
			obs_str("member_on", devs_of(G1));
			obs_end();
			close(fd);
		}
		if (mcp_route_del("224.0.0.0/4", "w0", NULL) < 0)
			mcp_broken("route del 224/4");
		{
			int fd = udp();

			obs_begin("ipv4.membership.iface.mcast_join_group_ifindex_0_without_route");
			obs_res(NULL, MCP_TRY(mcp_mcast_join(fd, G1, 0)));
			obs_str("member_on", devs_of(G1));
			obs_end();
			close(fd);
		}
	}

	/* an interface that is down still has an in_device: joining is allowed */
	if (mcp_link_set_up("w0", 0) < 0)
		mcp_broken("w0 down");
	join_sel(&plain[5], "ipv4.membership.iface.link_down_ifindex_w0");
}

/* ------------------------------------------------------------------ */
/* kernel state in /proc/net/igmp */

static void state_link_down_and_up(void)
{
	int a;

	/* link down: the group records stay, the automatic all-hosts one goes */
	a = udp();
	MCP_SAFE(mcp_join_ifindex(a, G1, w0));
	if (mcp_link_set_up("w0", 0) < 0)
		mcp_broken("w0 down");
	obs_begin("ipv4.membership.state.link_down_keeps_group_drops_all_hosts");
	obs_igmp("igmp");
	obs_str("all_hosts_on", devs_of("224.0.0.1"));
	obs_end();
	if (mcp_link_set_up("w0", 1) < 0)
		mcp_broken("w0 up");
	obs_begin("ipv4.membership.state.link_up_again_restores_all_hosts");
	obs_igmp("igmp");
	obs_str("all_hosts_on", devs_of("224.0.0.1"));
	obs_end();
	close(a);
}

static void state_deleted_device(void)
{
	int a;

	/*
	 * A deleted device takes its records with it, but the socket keeps its
	 * entries (stale ifindex): they still count toward the limit, and a
	 * drop naming the old ifindex still finds them.
	 */
	{
		int old;
		struct mcp_res over, leave, after;

		if (mcp_link_pair("x0", "10.0.2.1/24", peer_ns, "p2", "10.0.2.2/24") < 0)
			mcp_broken("veth x0");
		old = mcp_ifindex("x0");
		mcp_pin("net.ipv4.igmp_max_memberships", 2);
		a = udp();
		MCP_SAFE(mcp_join_ifindex(a, G1, old));
		MCP_SAFE(mcp_join_ifindex(a, G2, v0));
		if (mcp_link_del("x0") < 0)
			mcp_broken("delete x0");
		over = MCP_TRY(mcp_join_ifindex(a, "239.1.1.3", v0));
		leave = MCP_TRY(mcp_drop_ifindex(a, G1, old));
		after = MCP_TRY(mcp_join_ifindex(a, "239.1.1.3", v0));
		obs_begin("ipv4.membership.state.deleted_device_entries_still_count");
		obs_res("join_at_limit", over);
		obs_res("drop_by_old_ifindex", leave);
		obs_res("join_after_drop", after);
		obs_igmp("igmp");
		obs_end();
		close(a);
	}
}

static void state_leave_by_nonlocal_address(void)
{
	int a;

	/*
	 * Leaving by an address that is not local: ip_mc_find_dev() fails, so
	 * ip_mc_leave_group() matches the entry by its stored address, unlinks
	 * it and returns 0, but skips ip_mc_dec_group() (no in_device): the
	 * device record outlives the socket. Found by fuzz/ (finding 2).
	 */
	{
		struct ip_mreqn m = { .imr_multiaddr = mcp_in(G1), .imr_address = mcp_in("10.0.0.2"),
				      .imr_ifindex = v0 };
		struct mcp_res join, leave;
		int users_after_leave;

		a = udp();
		join = MCP_TRY(setsockopt(a, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof(m)));
		leave = MCP_TRY(mcp_drop_addr(a, G1, "10.0.0.2"));
		users_after_leave = mcp_igmp_users("v0", G1);
		close(a);
		obs_begin("ipv4.membership.state.leave_by_nonlocal_address_keeps_device_record");
		obs_res("join_ifindex_v0_address_of_peer", join);
		obs_res("leave_by_that_address", leave);
		obs_int("users_after_leave", users_after_leave);
		obs_int("users_after_close", mcp_igmp_users("v0", G1));
		obs_end();
	}
}

static void state(void)
{
	int a, b;

	topology();
	obs_begin("ipv4.membership.state.fresh_namespace_rows");
	obs_igmp("igmp");
	obs_str("all_hosts_on", devs_of("224.0.0.1"));
	obs_end();

	a = udp();
	b = udp();
	MCP_SAFE(mcp_join_ifindex(a, G1, v0));
	obs_begin("ipv4.membership.state.join_adds_device_record");
	obs_igmp("igmp");
	obs_end();
	MCP_SAFE(mcp_join_ifindex(b, G1, v0));
	obs_begin("ipv4.membership.state.second_socket_increments_users");
	obs_igmp("igmp");
	obs_end();
	MCP_SAFE(mcp_drop_ifindex(a, G1, v0));
	obs_begin("ipv4.membership.state.drop_by_one_socket_keeps_record");
	obs_igmp("igmp");
	obs_end();
	MCP_SAFE(mcp_drop_ifindex(b, G1, v0));
	obs_begin("ipv4.membership.state.last_drop_removes_record");
	obs_igmp("igmp");
	obs_end();

	MCP_SAFE(mcp_join_ifindex(a, G1, v0));
	MCP_SAFE(mcp_join_ifindex(b, G1, v0));
	MCP_SAFE(mcp_join_ifindex(a, G2, w0));
	close(a);
	obs_begin("ipv4.membership.state.close_leaves_only_that_sockets_groups");
	obs_igmp("igmp");
	obs_end();
	close(b);
	obs_begin("ipv4.membership.state.close_of_last_member_removes_record");
	obs_igmp("igmp");
	obs_end();

	a = udp();
	for (unsigned int i = 0; i < 20; i++)
		MCP_SAFE(mcp_join_ifindex(a, mcp_nth_group(i), i % 2 ? v0 : w0));
	{
		struct mcp_igmp_row rows[128];
		int n = mcp_igmp_rows(rows, 128);

		close(a);
		obs_begin("ipv4.membership.state.close_after_twenty_joins_leaves_nothing");
		obs_int("records_while_open", n);
		obs_igmp("igmp_after_close");
		obs_end();
	}
	state_link_down_and_up();
	state_deleted_device();
	state_leave_by_nonlocal_address();
}

/* ------------------------------------------------------------------ */
/* socket types */

static void socket_types(void)
{
	static const struct { const char *id; int family, type, proto; } rows[] = {
		{ "ipv4.membership.socket.udp", AF_INET, SOCK_DGRAM, 0 },
		{ "ipv4.membership.socket.raw_udp", AF_INET, SOCK_RAW, IPPROTO_UDP },
		{ "ipv4.membership.socket.raw_igmp", AF_INET, SOCK_RAW, IPPROTO_IGMP },
		{ "ipv4.membership.socket.raw_ipproto_raw", AF_INET, SOCK_RAW, IPPROTO_RAW },
		{ "ipv4.membership.socket.ping", AF_INET, SOCK_DGRAM, IPPROTO_ICMP },
		{ "ipv4.membership.socket.udplite", AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE },
		{ "ipv4.membership.socket.tcp", AF_INET, SOCK_STREAM, 0 },
		{ "ipv4.membership.socket.inet6_udp", AF_INET6, SOCK_DGRAM, 0 },
		{ "ipv4.membership.socket.inet6_raw_udp", AF_INET6, SOCK_RAW, IPPROTO_UDP },
	};

	topology();
	/* ping sockets need the group range of this namespace to include root */
	if (mcp_sysctl_set("net.ipv4.ping_group_range", "0 0") < 0)
		mcp_broken("ping_group_range");
	for (size_t i = 0; i < MCP_ARRAY_SIZE(rows); i++) {
		int fd = socket(rows[i].family, rows[i].type | SOCK_CLOEXEC, rows[i].proto);
		unsigned char three[3] = { 0 };

		if (fd < 0) {
			int e = errno;

			/* e.g. UDP-Lite built out: a missing feature, not a result */
			obs_skip(rows[i].id, "socket(%d, %d, %d): %s: not supported by this kernel",
				 rows[i].family, rows[i].type, rows[i].proto, mcp_errname(e));
			continue;
		}
		obs_begin("%s", rows[i].id);
		obs_res("ip_add_membership", MCP_TRY(mcp_join_ifindex(fd, G1, v0)));
		obs_res("ip_add_membership_optlen_3",
			MCP_TRY(setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, three, sizeof(three))));
		obs_res("ip_drop_membership", MCP_TRY(mcp_drop_ifindex(fd, G1, v0)));
		obs_res("mcast_join_group", MCP_TRY(mcp_mcast_join(fd, G2, v0)));
		obs_res("mcast_leave_group", MCP_TRY(mcp_mcast_leave(fd, G2, v0)));
		obs_end();
		close(fd);
	}

	/*
	 * CVE-2017-8890: a child returned by accept() must not inherit the
	 * listener's memberships (inet_csk_clone_lock clears mc_list), or both
	 * sockets free the same list. Commit "dccp/tcp: do not inherit mc_list
	 * from parent socket".
	 */
	{
		struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(4242),
					  .sin_addr = mcp_in("10.0.0.1") };
		int lst = listener(&sa), cli, child;
		struct mcp_res join, leave, rejoin;
		int users_open, users_child_closed, users_all_closed;

		join = MCP_TRY(mcp_mcast_join(lst, G1, v0));
		child = accepted_from_peer(lst, &sa, &cli);
		users_open = mcp_igmp_users("v0", G1);
		leave = MCP_TRY(mcp_mcast_leave(child, G1, v0));
		close(child);
		users_child_closed = mcp_igmp_users("v0", G1);
		close(lst);
		close(cli);
		users_all_closed = mcp_igmp_users("v0", G1);
		obs_begin("ipv4.membership.socket.tcp_accepted_child_does_not_inherit");
		obs_res("listener_join", join);
		obs_int("users_with_listener_and_child", users_open);
		obs_res("child_leave", leave);
		obs_int("users_after_child_close", users_child_closed);
		obs_int("users_after_listener_close", users_all_closed);
		obs_end();

		/* the child may join on its own: it starts with an empty list */
		lst = listener(&sa);
		MCP_SAFE(mcp_mcast_join(lst, G1, v0));
		child = accepted_from_peer(lst, &sa, &cli);
		rejoin = MCP_TRY(mcp_mcast_join(child, G1, v0));
		obs_begin("ipv4.membership.socket.tcp_accepted_child_can_join_same_group");
		obs_res("child_join", rejoin);
		obs_int("users", mcp_igmp_users("v0", G1));
		obs_end();
		close(child);
		close(lst);
		close(cli);
	}
}

static const struct mcp_scenario scenarios[] = {
	{ "limit-defaults", limit_defaults, 0 },
	{ "limit-sysctl", limit_follows_sysctl, 0 },
	{ "limit-optmem", limit_optmem, 0 },
	{ "limit-scope", limit_scope, 0 },
	{ "duplicate", duplicate, 0 },
	{ "drop", drop, 0 },
	{ "optlen", optlen, 0 },
	{ "groups", groups, 0 },
	{ "iface", iface, 0 },
	{ "state", state, 0 },
	{ "socket", socket_types, 0 },
};

int main(int argc, char **argv)
{
	return mcp_main(argc, argv, "membership", scenarios, MCP_ARRAY_SIZE(scenarios));
}
