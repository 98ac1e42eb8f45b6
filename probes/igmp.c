// SPDX-License-Identifier: GPL-2.0
/*
 * igmp - IGMP on the wire: what the kernel sends when sockets join and leave
 * groups, how it answers queries, and the link-layer filter it programs.
 *
 * Environment: each scenario runs in a fresh network namespace ("host") with
 * a veth pair v0 (host, 10.0.0.1/24) <-> v1 (peer namespace, 10.0.0.2/24).
 * An AF_PACKET socket in the peer namespace, opened before the pair exists,
 * captures every IPv4 frame arriving on v1 with its kernel timestamp, and
 * injects queries from v1. Frames are recorded as hex; the harness
 * (harness/decoders/igmp.py) dissects them with scapy and judges the fields.
 *
 * Pinned in the host namespace (new namespaces inherit the caller's conf/all
 * and conf/default): IPv6 off (no MLD/33:33 noise), rp_filter 0,
 * force_igmp_version 0 (or the scenario's), igmp_qrv 2,
 * igmp_link_local_mcast_reports 1, and the IGMPv3/v2 unsolicited report
 * intervals at IV_MS on conf/default (before v0 exists) and on v0, so the area
 * runs fast; the repeat spacing checks observe that the interval is honoured.
 *
 * Waits: "positive" waits for frames the action should produce are generous
 * (WAIT_MS); after them a short quiet window (QUIET_MS, longer than the
 * pinned interval plus timer slack) catches any extra frame. Query windows
 * add the query's max response time.
 *
 * Scenarios run in parallel lanes (independent namespaces, mostly sleeping on
 * timers) so the area stays within its wall-time budget.
 */
#include "capture.h"
#include "mcp.h"

#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <sys/prctl.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#define IV_MS 50	/* igmpv3/igmpv2_unsolicited_report_interval pinned */
#define QUIET_MS 150	/* > IV_MS + timer slack: a further repeat would land inside */
#define WAIT_MS 2000	/* generous bound for frames that should come */
#define SETTLE_MS 300	/* quiet before a query window: earlier reports are over */

static int peer = -1;
static struct mcap cap;
static int v0;

/* ------------------------------------------------------------------ */

/* The veth pair and the capture, with nothing about IGMP pinned. The
 * capture's clock starts before v0 exists, so the first window also covers
 * everything sent while the link came up. */
static void link_up(void)
{
	static const char *const confs[] = { "all", "default" };

	/* not IGMP: no MLD/33:33 noise, and no reverse-path drops */
	for (size_t i = 0; i < MCP_ARRAY_SIZE(confs); i++) {
		mcp_pin_conf("ipv6", confs[i], "disable_ipv6", 1);
		mcp_pin_conf("ipv4", confs[i], "rp_filter", 0);
	}
	peer = mcp_ns_new();
	if (peer < 0)
		mcp_broken("peer namespace");
	if (mcap_open(&cap, peer) < 0)
		mcp_broken("AF_PACKET capture in the peer namespace");
	if (mcp_link_pair("v0", "10.0.0.1/24", peer, "v1", "10.0.0.2/24") < 0)
		mcp_broken("veth pair");
	if (mcap_bind_dev(&cap, "v1") < 0)
		mcp_broken("capture on v1");
	/* v0 came up before its peer: its qdisc is activated later, by linkwatch */
	if (mcap_link_ready("v0", WAIT_MS) < 0)
		mcp_broken("v0 never became ready to send");
	v0 = mcp_ifindex("v0");
	if (v0 < 0)
		mcp_broken("v0 ifindex");
	mcp_pin_conf("ipv4", "v0", "rp_filter", 0);
}

/*
 * The pinned scenarios: IGMPv3 robustness 2, link-local groups reported,
 * the unsolicited report intervals at IV_MS (on conf/default before v0
 * exists, and on v0), force: value for conf/v0/force_igmp_version.
 */
static void setup(int force)
{
	static const char *const confs[] = { "all", "default" };

	for (size_t i = 0; i < MCP_ARRAY_SIZE(confs); i++)
		mcp_pin_conf("ipv4", confs[i], "force_igmp_version", 0);
	mcp_pin_conf("ipv4", "default", "igmpv3_unsolicited_report_interval", IV_MS);
	mcp_pin_conf("ipv4", "default", "igmpv2_unsolicited_report_interval", IV_MS);
	mcp_pin("net.ipv4.igmp_qrv", 2);
	mcp_pin("net.ipv4.igmp_link_local_mcast_reports", 1);
	link_up();
	mcp_pin_conf("ipv4", "v0", "igmpv3_unsolicited_report_interval", IV_MS);
	mcp_pin_conf("ipv4", "v0", "igmpv2_unsolicited_report_interval", IV_MS);
	mcp_pin_conf("ipv4", "v0", "force_igmp_version", force);
}

static int udp(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		mcp_broken("socket");
	return fd;
}

static void join(int fd, const char *group)
{
	if (mcp_join_ifindex(fd, group, v0) < 0)
		mcp_broken("join %s", group);
}

static void drop(int fd, const char *group)
{
	if (mcp_drop_ifindex(fd, group, v0) < 0)
		mcp_broken("drop %s", group);
}

/* IP_ADD/DROP_SOURCE_MEMBERSHIP, IP_BLOCK/UNBLOCK_SOURCE on v0's address */
static void source_op(int fd, int opt, const char *group, const char *source)
{
	struct ip_mreq_source m = {
		.imr_multiaddr = mcp_in(group),
		.imr_interface = mcp_in("10.0.0.1"),
		.imr_sourceaddr = mcp_in(source),
	};

	if (setsockopt(fd, IPPROTO_IP, opt, &m, sizeof(m)) < 0)
		mcp_broken("source option %d %s %s", opt, group, source);
}

/* Every frame held since the last mark, under check id; "at" is the caller's line. */
static void emit_frames_at(const char *file, int line, const char *id)
{
	obs_begin_at(file, line, "%s", id);
	obs_frames("frames", &cap);
	obs_end();
}

#define emit_frames(id) emit_frames_at(__FILE__, __LINE__, id)

/* Frames that should come: wait for want, then the quiet window. */
static void window(int want, int extra_ms)
{
	mcap_wait(&cap, want, WAIT_MS, QUIET_MS + extra_ms);
}

/* The Querier column of v0 in /proc/net/igmp ("V1", "V2", "V3"). */
static void querier(char *out, size_t len)
{
	if (mcp_igmp_querier(v0, out, len) < 0 && errno != ENOENT)
		mcp_broken("read /proc/net/igmp");
}

/* Polls the Querier column until it is no longer "V3" (bounded). */
static void querier_after_query(char *out, size_t len)
{
	for (int i = 0; i < 100; i++) {
		querier(out, len);
		if (strcmp(out, "V3"))
			return;
		poll(NULL, 0, 10);
	}
}

static void emit_querier(const char *id, int with_frames)
{
	char q[16];

	querier(q, sizeof(q));
	obs_begin("%s", id);
	obs_str("querier", q);
	if (with_frames)
		obs_frames("frames", &cap);
	obs_end();
}

/* ---- queries injected from the peer ---- */

struct query {
	const char *dst;	/* IP destination */
	int len;		/* IGMP bytes sent: 8 (v1/v2), 12 + 4n (v3), or a cut */
	int code;		/* max response code, 1/10 s (v3: < 128, linear) */
	const char *group;	/* "0.0.0.0" for general queries */
	int nsrcs;		/* the number-of-sources field */
	const char *src[2];	/* sources actually present */
	int bad_csum;
};

static int query_frame(const struct query *q, unsigned char *frame, size_t cap_len)
{
	unsigned char m[64];
	struct in_addr g = mcp_in(q->group);
	int n = 0;
	uint16_t sum;

	memset(m, 0, sizeof(m));
	m[0] = 0x11;
	m[1] = (unsigned char)q->code;
	memcpy(m + 4, &g, 4);
	if (q->len >= 12) {
		m[8] = 2;	/* S=0, QRV=2: keeps the host's robustness where it was pinned */
		m[9] = 125;	/* QQIC: the default query interval */
		m[10] = (unsigned char)(q->nsrcs >> 8);
		m[11] = (unsigned char)q->nsrcs;
		for (; n < 2 && q->src[n]; n++) {
			struct in_addr s = mcp_in(q->src[n]);

			memcpy(m + 12 + 4 * n, &s, 4);
		}
	}
	sum = mcap_csum(m, (size_t)q->len);
	if (q->bad_csum)
		sum ^= htons(0x0101);
	memcpy(m + 2, &sum, 2);
	return mcap_ipv4_frame(frame, cap_len, cap.mac, "10.0.0.2", q->dst, IPPROTO_IGMP, 1, 0xc0, 1,
			       m, (size_t)q->len);
}

/* Marks the capture, sends the query, collects what answers it. */
static void ask(const struct query *q, int want)
{
	unsigned char frame[128];
	int len = query_frame(q, frame, sizeof(frame));

	if (len < 0)
		mcp_broken("build query");
	mcap_mark(&cap);
	if (mcap_inject(&cap, frame, (size_t)len) < 0)
		mcp_broken("inject query");
	/* an answer that came ends its own wait; silence must outlast the max response time */
	window(want, want ? 0 : q->code * 100);
}

/* Waits until reports from earlier actions are over, so a window holds only its own. */
static void settle(void)
{
	mcap_wait(&cap, 0, 0, SETTLE_MS);
}

/* ------------------------------------------------------------------ */
/* scenarios */

static const char *const join_v3_checks[] = {
	"ipv4.igmp.join.v3.report_type",
	"ipv4.igmp.join.v3.destination",
	"ipv4.igmp.join.v3.source",
	"ipv4.igmp.join.v3.ttl",
	"ipv4.igmp.join.v3.tos",
	"ipv4.igmp.join.v3.dont_fragment",
	"ipv4.igmp.join.v3.router_alert",
	"ipv4.igmp.join.v3.checksums",
	"ipv4.igmp.join.v3.record",
	"ipv4.igmp.join.v3.repeats",
	"ipv4.igmp.join.v3.repeat_spacing_honours_interval",
	"ipv4.igmp.join.v3.first_report_immediate",
};

/* Default version (IGMPv3): join, a second holder, leaves, 224.0.0.1. */
static void sc_join(void)
{
	int s1, s2, s3;

	setup(0);
	/* only 224.0.0.1 is joined while v0 comes up */
	window(0, 0);
	emit_frames("ipv4.igmp.allhosts.link_up_not_reported");

	s1 = udp();
	s2 = udp();
	s3 = udp();
	mcap_mark(&cap);
	join(s1, "224.0.1.1");
	window(2, 0);
	for (size_t i = 0; i < MCP_ARRAY_SIZE(join_v3_checks); i++)
		emit_frames(join_v3_checks[i]);

	mcap_mark(&cap);
	join(s2, "224.0.1.1");
	window(0, 0);
	obs_begin("ipv4.igmp.join.second_socket_no_report");
	obs_frames("frames", &cap);
	obs_int("users", mcp_igmp_users("v0", "224.0.1.1"));
	obs_end();

	mcap_mark(&cap);
	drop(s1, "224.0.1.1");
	window(0, 0);
	obs_begin("ipv4.igmp.leave.not_last_no_report");
	obs_frames("frames", &cap);
	obs_int("users", mcp_igmp_users("v0", "224.0.1.1"));
	obs_end();

	mcap_mark(&cap);
	join(s3, "224.0.0.1");
	window(0, 0);
	emit_frames("ipv4.igmp.allhosts.join_not_reported");
	mcap_mark(&cap);
	drop(s3, "224.0.0.1");
	window(0, 0);
	emit_frames("ipv4.igmp.allhosts.leave_not_reported");

	mcap_mark(&cap);
	drop(s2, "224.0.1.1");
	window(2, 0);
	emit_frames("ipv4.igmp.leave.v3.last");
	emit_frames("ipv4.igmp.leave.v3.repeat_spacing_honours_interval");
}

/*
 * Several groups changing in one kernel operation: records packed into one
 * report. The groups are joined while v0 is down (nothing can be sent), so
 * bringing it up announces all of them at once; close() then leaves all of
 * them inside one system call.
 */
static void sc_pack(void)
{
	static const char *const groups[] = { "239.2.0.1", "239.2.0.2", "239.2.0.3" };
	int s;

	setup(0);
	s = udp();
	if (mcp_link_set_up("v0", 0) < 0)
		mcp_broken("v0 down");
	for (size_t i = 0; i < MCP_ARRAY_SIZE(groups); i++)
		join(s, groups[i]);
	settle();
	mcap_mark(&cap);
	if (mcp_link_set_up("v0", 1) < 0)
		mcp_broken("v0 up");
	window(2, 0);
	emit_frames("ipv4.igmp.pack.v3.link_up_announces_all_in_one_report");

	mcap_mark(&cap);
	close(s);
	window(2, 0);
	emit_frames("ipv4.igmp.pack.v3.close_leaves_all_in_one_report");
}

/* 224.0.0.0/24 groups and net.ipv4.igmp_link_local_mcast_reports. */
static void sc_linklocal(void)
{
	int s;

	setup(0);
	s = udp();
	mcap_mark(&cap);
	join(s, "224.0.0.251");
	window(2, 0);
	emit_frames("ipv4.igmp.linklocal.reported_by_default");
	settle();

	mcp_pin("net.ipv4.igmp_link_local_mcast_reports", 0);
	mcap_mark(&cap);
	join(s, "224.0.0.252");
	window(0, 0);
	obs_begin("ipv4.igmp.linklocal.sysctl_off_join_not_reported");
	obs_frames("frames", &cap);
	obs_int("users", mcp_igmp_users("v0", "224.0.0.252"));
	obs_end();

	mcap_mark(&cap);
	close(s);
	window(0, 0);
	emit_frames("ipv4.igmp.linklocal.sysctl_off_leaves_not_reported");
}

/* force_igmp_version 1 and 2 on v0: the ids of one version's checks */
struct forced_ids {
	int version;
	const char *join_reports, *ip_header, *repeat_spacing, *proc_querier, *leave;
};

static const struct forced_ids force_v1 = {
	1, "ipv4.igmp.force_v1.join_reports", "ipv4.igmp.force_v1.ip_header",
	"ipv4.igmp.force_v1.repeat_spacing_honours_interval", "ipv4.igmp.force_v1.proc_querier",
	"ipv4.igmp.force_v1.leave",
};

static const struct forced_ids force_v2 = {
	2, "ipv4.igmp.force_v2.join_reports", "ipv4.igmp.force_v2.ip_header",
	"ipv4.igmp.force_v2.repeat_spacing_honours_interval", "ipv4.igmp.force_v2.proc_querier",
	"ipv4.igmp.force_v2.leave",
};

static void forced(const struct forced_ids *f)
{
	int s;

	setup(f->version);
	s = udp();
	mcap_mark(&cap);
	join(s, "239.129.2.3");
	window(2, 0);
	emit_frames(f->join_reports);
	emit_frames(f->ip_header);
	emit_frames(f->repeat_spacing);
	emit_querier(f->proc_querier, 0);

	mcap_mark(&cap);
	drop(s, "239.129.2.3");
	/* v2: one leave; v1 has no leave message: the same window catches either */
	window(f->version == 2 ? 1 : 0, 0);
	emit_frames(f->leave);
}

static void sc_force_v1(void) { forced(&force_v1); }
static void sc_force_v2(void) { forced(&force_v2); }

/* Two ASM groups and one INCLUDE {10.0.0.2} group on socket s (kept open: the
 * queries ask about its memberships), their unsolicited reports over. */
static void query_setup(int s)
{
	setup(0);
	join(s, "239.1.1.1");
	join(s, "239.1.1.2");
	source_op(s, IP_ADD_SOURCE_MEMBERSHIP, "232.1.1.1", "10.0.0.2");
	settle();
}

/* IGMPv3 general and group-specific queries injected from the peer. */
static void sc_query3(void)
{
	static const struct query general = { "224.0.0.1", 12, 3, "0.0.0.0", 0, { 0 }, 0 };
	static const struct query group = { "239.1.1.2", 12, 1, "239.1.1.2", 0, { 0 }, 0 };

	query_setup(udp());
	ask(&general, 1);
	emit_frames("ipv4.igmp.query.v3.general_reports_every_group");
	emit_frames("ipv4.igmp.query.v3.general_within_max_response_time");
	ask(&group, 1);
	emit_frames("ipv4.igmp.query.v3.group_specific_only_that_group");
	emit_querier("ipv4.igmp.query.v3.proc_querier", 0);
}

/* IGMPv3 group-and-source-specific queries. */
static void sc_query3_source(void)
{
	static const struct query gs_in = { "232.1.1.1", 16, 1, "232.1.1.1", 1, { "10.0.0.2" }, 0 };
	static const struct query gs_other = { "232.1.1.1", 16, 1, "232.1.1.1", 1, { "10.0.0.9" }, 0 };
	static const struct query gs_asm = { "239.1.1.1", 16, 1, "239.1.1.1", 1, { "10.0.0.9" }, 0 };

	query_setup(udp());
	ask(&gs_in, 1);
	emit_frames("ipv4.igmp.query.v3.group_source_specific_included_source");
	ask(&gs_other, 0);
	emit_frames("ipv4.igmp.query.v3.group_source_specific_other_source");
	ask(&gs_asm, 1);
	emit_frames("ipv4.igmp.query.v3.group_source_specific_asm_group");
}

/* Malformed v3 queries are dropped and the host still answers afterwards. */
static void sc_query3_bad(void)
{
	static const struct query bad_csum = { "224.0.0.1", 12, 1, "0.0.0.0", 0, { 0 }, 1 };
	/* 10 bytes: longer than v1/v2, shorter than a v3 query */
	static const struct query cut = { "224.0.0.1", 10, 1, "0.0.0.0", 0, { 0 }, 0 };
	/* claims two sources and carries none */
	static const struct query no_srcs = { "239.1.1.1", 12, 1, "239.1.1.1", 2, { 0 }, 0 };
	static const struct query good = { "224.0.0.1", 12, 1, "0.0.0.0", 0, { 0 }, 0 };
	int s;

	setup(0);
	s = udp();
	join(s, "239.1.1.1");
	settle();
	ask(&bad_csum, 0);
	emit_frames("ipv4.igmp.query.v3.bad_checksum_ignored");
	ask(&cut, 0);
	emit_frames("ipv4.igmp.query.v3.truncated_ignored");
	ask(&no_srcs, 0);
	emit_frames("ipv4.igmp.query.v3.missing_sources_ignored");
	ask(&good, 1);
	emit_frames("ipv4.igmp.query.v3.answered_after_bad_queries");
}

/* An IGMPv2 query puts v0 into v2 compatibility mode. */
static void sc_query2(void)
{
	static const struct query v2 = { "224.0.0.1", 8, 2, "0.0.0.0", 0, { 0 }, 0 };
	char q[16];
	int s;

	setup(0);
	s = udp();
	join(s, "239.1.1.1");
	join(s, "239.1.1.2");
	settle();
	ask(&v2, 2);
	emit_frames("ipv4.igmp.query.v2.general_answered_with_v2_reports");
	emit_frames("ipv4.igmp.query.v2.general_within_max_response_time");
	querier_after_query(q, sizeof(q));
	obs_begin("ipv4.igmp.query.v2.compat_mode_in_proc");
	obs_str("querier", q);
	obs_end();

	mcap_mark(&cap);
	join(s, "239.129.2.3");
	window(2, 0);
	emit_frames("ipv4.igmp.query.v2.later_join_reports_v2");
	mcap_mark(&cap);
	drop(s, "239.129.2.3");
	window(1, 0);
	emit_frames("ipv4.igmp.query.v2.later_leave_v2");
}

/*
 * An IGMPv1 query puts v0 into v1 compatibility mode. Nothing but 224.0.0.1
 * is joined when it arrives: a v1 query's response delay is a fixed 10 s
 * random window, which would spill into later windows.
 */
static void sc_query1(void)
{
	static const struct query v1 = { "224.0.0.1", 8, 0, "0.0.0.0", 0, { 0 }, 0 };
	char q[16];
	int s;

	setup(0);
	s = udp();
	ask(&v1, 0);
	querier_after_query(q, sizeof(q));
	obs_begin("ipv4.igmp.query.v1.compat_mode_in_proc");
	obs_str("querier", q);
	obs_frames("frames", &cap);
	obs_end();

	mcap_mark(&cap);
	join(s, "239.129.2.3");
	window(2, 0);
	emit_frames("ipv4.igmp.query.v1.later_join_reports_v1");
	mcap_mark(&cap);
	drop(s, "239.129.2.3");
	window(0, 0);
	emit_frames("ipv4.igmp.query.v1.later_leave_silent");
}

/* Source-specific state changes: ALLOW and BLOCK records. */
static void sc_source(void)
{
	static const struct {
		const char *id;
		int opt;
		const char *group, *source;
	} rows[] = {
		{ "ipv4.igmp.source.v3.add_first_source", IP_ADD_SOURCE_MEMBERSHIP, "232.1.1.1", "10.0.0.2" },
		{ "ipv4.igmp.source.v3.add_second_source", IP_ADD_SOURCE_MEMBERSHIP, "232.1.1.1", "10.0.0.3" },
		{ "ipv4.igmp.source.v3.drop_one_source", IP_DROP_SOURCE_MEMBERSHIP, "232.1.1.1", "10.0.0.2" },
		{ "ipv4.igmp.source.v3.drop_last_source", IP_DROP_SOURCE_MEMBERSHIP, "232.1.1.1", "10.0.0.3" },
		{ "ipv4.igmp.source.v3.block_on_asm_group", IP_BLOCK_SOURCE, "239.1.1.1", "10.0.0.5" },
		{ "ipv4.igmp.source.v3.unblock_on_asm_group", IP_UNBLOCK_SOURCE, "239.1.1.1", "10.0.0.5" },
	};
	int s, a;

	setup(0);
	s = udp();
	a = udp();
	join(a, "239.1.1.1");
	settle();
	for (size_t i = 0; i < MCP_ARRAY_SIZE(rows); i++) {
		mcap_mark(&cap);
		source_op(rows[i].opt == IP_BLOCK_SOURCE || rows[i].opt == IP_UNBLOCK_SOURCE ? a : s,
			  rows[i].opt, rows[i].group, rows[i].source);
		window(2, 0);
		emit_frames(rows[i].id);
	}
}

/* v0's link-layer multicast list from /proc/net/dev_mcast, sorted. */
static void obs_dev_mcast(const char *key)
{
	struct mcp_dev_mcast_row r[64];
	char *rows[64];
	int nr = mcp_dev_mcast_rows(r, 64), n = 0;

	if (nr < 0)
		mcp_broken("read /proc/net/dev_mcast");
	for (int i = 0; i < nr && i < 64; i++) {
		/* IPv4 group addresses only: the device also holds 33:33:00:00:00:01 even with IPv6 off */
		if (r[i].ifindex != v0 || strncmp(r[i].hex, "01005e", 6))
			continue;
		if (asprintf(&rows[n], "%s users=%d", r[i].hex, r[i].users) < 0)
			abort();
		n++;
	}
	for (int i = 1; i < n; i++)	/* insertion sort: a handful of rows */
		for (int j = i; j > 0 && strcmp(rows[j - 1], rows[j]) > 0; j--) {
			char *t = rows[j];

			rows[j] = rows[j - 1];
			rows[j - 1] = t;
		}
	obs_arr_begin(key);
	for (int i = 0; i < n; i++) {
		obs_str(NULL, rows[i]);
		free(rows[i]);
	}
	obs_arr_end();
}

/* Group -> MAC mapping and the shared entry of 224.1.1.1 / 225.1.1.1. */
static void sc_mac(void)
{
	int s;

	setup(0);
	s = udp();
	join(s, "239.129.2.3");
	join(s, "224.1.1.1");
	join(s, "225.1.1.1");
	obs_begin("ipv4.igmp.mac.link_filter_entries");
	obs_dev_mcast("entries");
	obs_end();
	drop(s, "225.1.1.1");
	obs_begin("ipv4.igmp.mac.shared_entry_after_one_leave");
	obs_dev_mcast("entries");
	obs_end();
	drop(s, "224.1.1.1");
	obs_begin("ipv4.igmp.mac.shared_entry_after_both_leave");
	obs_dev_mcast("entries");
	obs_end();
}

/* ------------------------------------------------------------------ */
/*
 * The kernel's own defaults. A changed default must fail a named check, so
 * they are read in a fresh namespace before anything is pinned, and the
 * ones that shape traffic are seen on the wire once with IGMP left as the
 * kernel ships it (robustness, interval, version). Per-device knobs of a
 * fresh namespace come from init_net's conf/all and conf/default
 * (net.core.devconf_inherit_init_net 0), so on a test host they are the
 * booted kernel's defaults; the kernel command line can change them, which is
 * how the VM lane proves these checks can fail.
 */

#define DEFAULT_WAIT_MS 3000	/* generous: the default interval is 1 s */

static void obs_sysctl(const char *key, const char *name)
{
	long v = -1;

	if (mcp_sysctl_get_int(name, &v) < 0)
		obs_str(key, mcp_errname(errno));
	else
		obs_int(key, v);
}

static void sc_defaults(void)
{
	static const struct {
		const char *id, *name;
	} globals[] = {
		{ "ipv4.igmp.default.igmp_qrv", "net.ipv4.igmp_qrv" },
		{ "ipv4.igmp.default.igmp_max_memberships", "net.ipv4.igmp_max_memberships" },
		{ "ipv4.igmp.default.igmp_max_msf", "net.ipv4.igmp_max_msf" },
		{ "ipv4.igmp.default.igmp_link_local_mcast_reports", "net.ipv4.igmp_link_local_mcast_reports" },
	};
	static const struct {
		const char *id, *key;
	} confs[] = {
		{ "ipv4.igmp.default.force_igmp_version", "force_igmp_version" },
		{ "ipv4.igmp.default.igmpv3_unsolicited_report_interval", "igmpv3_unsolicited_report_interval" },
		{ "ipv4.igmp.default.igmpv2_unsolicited_report_interval", "igmpv2_unsolicited_report_interval" },
	};
	char name[128];

	for (size_t i = 0; i < MCP_ARRAY_SIZE(globals); i++) {
		obs_begin("%s", globals[i].id);
		obs_sysctl("value", globals[i].name);
		obs_end();
	}
	for (size_t i = 0; i < MCP_ARRAY_SIZE(confs); i++) {
		obs_begin("%s", confs[i].id);
		snprintf(name, sizeof(name), "net.ipv4.conf.all.%s", confs[i].key);
		obs_sysctl("all", name);
		snprintf(name, sizeof(name), "net.ipv4.conf.default.%s", confs[i].key);
		obs_sysctl("default", name);
		obs_end();
	}
}

/*
 * After a change's reports, the next change decides whether they were all:
 * igmp_ifc_event() restarts the interface timer, and its report carries
 * every record that still has retransmissions left (crcount), so a record
 * of the earlier change riding along means its repeats were not over. A
 * witness instead of a quiet window of one default interval.
 */
static void next_change_witness(int fd, const char *group, const char *id)
{
	mcap_mark(&cap);
	join(fd, group);
	mcap_wait(&cap, 1, WAIT_MS, 0);
	emit_frames(id);
}

/* Join with nothing about IGMP pinned: version, robustness and interval as shipped. */
static void sc_default_join(void)
{
	int s, w;

	link_up();
	s = udp();
	w = udp();
	mcap_mark(&cap);
	join(s, "239.3.0.1");
	mcap_wait(&cap, 2, DEFAULT_WAIT_MS, 0);
	emit_frames("ipv4.igmp.default.join.reports");
	emit_frames("ipv4.igmp.default.join.repeat_spacing_honours_interval");
	next_change_witness(w, "239.3.0.9", "ipv4.igmp.default.join.next_change_report_holds_only_its_record");
}

/*
 * Leave as shipped. The join before it runs at IV_MS on v0 to be quick;
 * v0's interval is then written back to the value it had (the default) and
 * only the leave is observed.
 */
static void sc_default_leave(void)
{
	static const char *const iv = "net.ipv4.conf.v0.igmpv3_unsolicited_report_interval";
	long shipped;
	int s, w;

	link_up();
	MCP_SAFE(mcp_sysctl_get_int(iv, &shipped));
	mcp_pin_conf("ipv4", "v0", "igmpv3_unsolicited_report_interval", IV_MS);
	s = udp();
	w = udp();
	join(s, "239.3.0.2");
	window(2, 0);
	mcp_pin(iv, shipped);
	mcap_mark(&cap);
	drop(s, "239.3.0.2");
	mcap_wait(&cap, 2, DEFAULT_WAIT_MS, 0);
	emit_frames("ipv4.igmp.default.leave.reports");
	emit_frames("ipv4.igmp.default.leave.repeat_spacing_honours_interval");
	next_change_witness(w, "239.3.0.9", "ipv4.igmp.default.leave.next_change_report_holds_only_its_record");
}

static const struct mcp_scenario scenarios[] = {
	{ "join", sc_join, 20 },
	{ "mac", sc_mac, 10 },
	{ "force_v1", sc_force_v1, 15 },
	{ "pack", sc_pack, 15 },
	{ "linklocal", sc_linklocal, 15 },
	{ "force_v2", sc_force_v2, 15 },
	{ "query3", sc_query3, 20 },
	{ "query3_source", sc_query3_source, 20 },
	{ "query1", sc_query1, 15 },
	{ "query3_bad", sc_query3_bad, 20 },
	{ "query2", sc_query2, 20 },
	{ "source", sc_source, 25 },
	{ "defaults", sc_defaults, 10 },
	{ "default_join", sc_default_join, 15 },
	{ "default_leave", sc_default_leave, 15 },
};

/* Scenarios of one lane run in sequence; lanes run side by side. */
static const char *const lanes[] = {
	"source",
	"pack,linklocal",
	"query3_bad",
	"join,force_v1",
	"query2,mac",
	"query3",
	"query3_source",
	"query1,force_v2",
	"defaults,default_join",
	"default_leave",
};

int main(int argc, char **argv)
{
	return mcp_main_lanes(argc, argv, "igmp", scenarios, MCP_ARRAY_SIZE(scenarios), lanes,
			      MCP_ARRAY_SIZE(lanes));
}
