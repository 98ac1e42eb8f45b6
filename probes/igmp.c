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
 * (WIRE_WAIT_MS); after them a short quiet window (WIRE_QUIET_MS, longer
 * than the pinned interval plus timer slack) catches any extra frame. Query
 * windows add the query's max response time.
 *
 * Scenarios run in parallel lanes (independent namespaces, mostly sleeping on
 * timers) so the area stays within its wall-time budget. The link, the
 * capture and the waits are probes/lib/wire.c's.
 */
#include "mcp.h"
#include "wire.h"

#include <arpa/inet.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define IV_MS 50	/* igmpv3/igmpv2_unsolicited_report_interval pinned */

/* ------------------------------------------------------------------ */

/* The veth pair and the capture (wire.h), with nothing about IGMP pinned. */
static void link_up(void)
{
	static const char *const confs[] = { "all", "default" };

	/* not IGMP: no MLD/33:33 noise, and no reverse-path drops */
	for (size_t i = 0; i < MCP_ARRAY_SIZE(confs); i++) {
		mcp_pin_conf("ipv6", confs[i], "disable_ipv6", 1);
		mcp_pin_conf("ipv4", confs[i], "rp_filter", 0);
	}
	wire_setup(AF_INET);
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

/* The Querier column of v0 in /proc/net/igmp ("V1", "V2", "V3"). */
static void querier(char *out, size_t len)
{
	if (mcp_igmp_querier(wire.v0, out, len) < 0 && errno != ENOENT)
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
		obs_frames("frames", &wire.cap);
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
	return mcap_ipv4_frame(frame, cap_len, wire.cap.mac, "10.0.0.2", q->dst, IPPROTO_IGMP, 1, 0xc0, 1,
			       m, (size_t)q->len);
}

static void ask(const struct query *q, int want)
{
	unsigned char frame[128];

	wire_ask(frame, query_frame(q, frame, sizeof(frame)), want, q->code * 100);
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

static const struct wire_join_plan join_plan = {
	.group = "224.0.1.1",
	.first_join = join_v3_checks,
	.n_first_join = MCP_ARRAY_SIZE(join_v3_checks),
	.second_join = "ipv4.igmp.join.second_socket_no_report",
	.not_last_leave = "ipv4.igmp.leave.not_last_no_report",
	.all_group = "224.0.0.1",
	.all_join = "ipv4.igmp.allhosts.join_not_reported",
	.all_leave = "ipv4.igmp.allhosts.leave_not_reported",
	.last_leave = { "ipv4.igmp.leave.v3.last", "ipv4.igmp.leave.v3.repeat_spacing_honours_interval" },
};

/* Default version (IGMPv3): join, a second holder, leaves, 224.0.0.1. */
static void sc_join(void)
{
	setup(0);
	/* only 224.0.0.1 is joined while v0 comes up */
	wire_window(0, 0);
	wire_emit_frames("ipv4.igmp.allhosts.link_up_not_reported");

	wire_join_plan(&join_plan);
}

/* Several groups changing in one kernel operation: records packed into one report. */
static void sc_pack(void)
{
	static const char *const groups[] = { "239.2.0.1", "239.2.0.2", "239.2.0.3" };

	setup(0);
	wire_pack(groups, "ipv4.igmp.pack.v3.link_up_announces_all_in_one_report", "ipv4.igmp.pack.v3.close_leaves_all_in_one_report");
}

/* 224.0.0.0/24 groups and net.ipv4.igmp_link_local_mcast_reports. */
static void sc_linklocal(void)
{
	int s;

	setup(0);
	s = wire_udp();
	wire_join_seen(s, "224.0.0.251", 2, "ipv4.igmp.linklocal.reported_by_default");
	wire_settle();

	mcp_pin("net.ipv4.igmp_link_local_mcast_reports", 0);
	wire_join_counted(s, "224.0.0.252", 0, "ipv4.igmp.linklocal.sysctl_off_join_not_reported");

	wire_mark();
	close(s);
	wire_window(0, 0);
	wire_emit_frames("ipv4.igmp.linklocal.sysctl_off_leaves_not_reported");
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
	s = wire_udp();
	wire_mark();
	wire_join(s, "239.129.2.3");
	wire_window(2, 0);
	wire_emit_frames(f->join_reports);
	wire_emit_frames(f->ip_header);
	wire_emit_frames(f->repeat_spacing);
	emit_querier(f->proc_querier, 0);

	wire_mark();
	wire_leave(s, "239.129.2.3");
	/* v2: one leave; v1 has no leave message: the same window catches either */
	wire_window(f->version == 2 ? 1 : 0, 0);
	wire_emit_frames(f->leave);
}

static void sc_force_v1(void) { forced(&force_v1); }
static void sc_force_v2(void) { forced(&force_v2); }

/* Two ASM groups and one INCLUDE {10.0.0.2} group on a socket kept open (the
 * queries ask about its memberships), their unsolicited reports over. */
static void query_setup(void)
{
	int s;

	setup(0);
	s = wire_udp();
	wire_join(s, "239.1.1.1");
	wire_join(s, "239.1.1.2");
	wire_source_op(s, IP_ADD_SOURCE_MEMBERSHIP, "232.1.1.1", "10.0.0.2");
	wire_settle();
}

/* IGMPv3 general and group-specific queries injected from the peer. */
static void sc_query3(void)
{
	static const struct query general = { "224.0.0.1", 12, 3, "0.0.0.0", 0, { 0 }, 0 };
	static const struct query group = { "239.1.1.2", 12, 1, "239.1.1.2", 0, { 0 }, 0 };

	query_setup();
	ask(&general, 1);
	wire_emit_frames("ipv4.igmp.query.v3.general_reports_every_group");
	wire_emit_frames("ipv4.igmp.query.v3.general_within_max_response_time");
	ask(&group, 1);
	wire_emit_frames("ipv4.igmp.query.v3.group_specific_only_that_group");
	emit_querier("ipv4.igmp.query.v3.proc_querier", 0);
}

/* IGMPv3 group-and-source-specific queries. */
static void sc_query3_source(void)
{
	static const struct query gs_in = { "232.1.1.1", 16, 1, "232.1.1.1", 1, { "10.0.0.2" }, 0 };
	static const struct query gs_other = { "232.1.1.1", 16, 1, "232.1.1.1", 1, { "10.0.0.9" }, 0 };
	static const struct query gs_asm = { "239.1.1.1", 16, 1, "239.1.1.1", 1, { "10.0.0.9" }, 0 };

	query_setup();
	ask(&gs_in, 1);
	wire_emit_frames("ipv4.igmp.query.v3.group_source_specific_included_source");
	ask(&gs_other, 0);
	wire_emit_frames("ipv4.igmp.query.v3.group_source_specific_other_source");
	ask(&gs_asm, 1);
	wire_emit_frames("ipv4.igmp.query.v3.group_source_specific_asm_group");
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

	setup(0);
	wire_socket_in("239.1.1.1");	/* kept open: the good query asks about it */
	ask(&bad_csum, 0);
	wire_emit_frames("ipv4.igmp.query.v3.bad_checksum_ignored");
	ask(&cut, 0);
	wire_emit_frames("ipv4.igmp.query.v3.truncated_ignored");
	ask(&no_srcs, 0);
	wire_emit_frames("ipv4.igmp.query.v3.missing_sources_ignored");
	ask(&good, 1);
	wire_emit_frames("ipv4.igmp.query.v3.answered_after_bad_queries");
}

/* An IGMPv2 query puts v0 into v2 compatibility mode. */
static void sc_query2(void)
{
	static const struct query v2 = { "224.0.0.1", 8, 2, "0.0.0.0", 0, { 0 }, 0 };
	char q[16];
	int s;

	setup(0);
	s = wire_udp();
	wire_join(s, "239.1.1.1");
	wire_join(s, "239.1.1.2");
	wire_settle();
	ask(&v2, 2);
	wire_emit_frames("ipv4.igmp.query.v2.general_answered_with_v2_reports");
	wire_emit_frames("ipv4.igmp.query.v2.general_within_max_response_time");
	querier_after_query(q, sizeof(q));
	obs_begin("ipv4.igmp.query.v2.compat_mode_in_proc");
	obs_str("querier", q);
	obs_end();

	wire_join_seen(s, "239.129.2.3", 2, "ipv4.igmp.query.v2.later_join_reports_v2");
	wire_leave_seen(s, "239.129.2.3", 1, "ipv4.igmp.query.v2.later_leave_v2");
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
	s = wire_udp();
	ask(&v1, 0);
	querier_after_query(q, sizeof(q));
	obs_begin("ipv4.igmp.query.v1.compat_mode_in_proc");
	obs_str("querier", q);
	obs_frames("frames", &wire.cap);
	obs_end();

	wire_join_seen(s, "239.129.2.3", 2, "ipv4.igmp.query.v1.later_join_reports_v1");
	wire_leave_seen(s, "239.129.2.3", 0, "ipv4.igmp.query.v1.later_leave_silent");
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
	s = wire_udp();
	a = wire_socket_in("239.1.1.1");
	for (size_t i = 0; i < MCP_ARRAY_SIZE(rows); i++) {
		wire_mark();
		wire_source_op(rows[i].opt == IP_BLOCK_SOURCE || rows[i].opt == IP_UNBLOCK_SOURCE ? a : s,
			  rows[i].opt, rows[i].group, rows[i].source);
		wire_window(2, 0);
		wire_emit_frames(rows[i].id);
	}
}

/* Group -> MAC mapping and the shared entry of 224.1.1.1 / 225.1.1.1. */
static void sc_mac(void)
{
	int s;

	setup(0);
	s = wire_udp();
	wire_join(s, "239.129.2.3");
	wire_join(s, "224.1.1.1");
	wire_join(s, "225.1.1.1");
	obs_begin("ipv4.igmp.mac.link_filter_entries");
	/* IPv4 groups only: v0 also holds 33:33:00:00:00:01 with IPv6 off */
	wire_obs_dev_mcast("entries", "01005e");
	obs_end();
	wire_leave(s, "225.1.1.1");
	obs_begin("ipv4.igmp.mac.shared_entry_after_one_leave");
	wire_obs_dev_mcast("entries", "01005e");
	obs_end();
	wire_leave(s, "224.1.1.1");
	obs_begin("ipv4.igmp.mac.shared_entry_after_both_leave");
	wire_obs_dev_mcast("entries", "01005e");
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
		obs_sysctl_int("value", globals[i].name);
		obs_end();
	}
	for (size_t i = 0; i < MCP_ARRAY_SIZE(confs); i++) {
		obs_begin("%s", confs[i].id);
		snprintf(name, sizeof(name), "net.ipv4.conf.all.%s", confs[i].key);
		obs_sysctl_int("all", name);
		snprintf(name, sizeof(name), "net.ipv4.conf.default.%s", confs[i].key);
		obs_sysctl_int("default", name);
		obs_end();
	}
}

/* Join with nothing about IGMP pinned: version, robustness and interval as shipped. */
static void sc_default_join(void)
{
	int s, w;

	link_up();
	s = wire_udp();
	w = wire_udp();
	wire_mark();
	wire_join(s, "239.3.0.1");
	mcap_wait(&wire.cap, 2, WIRE_DEFAULT_WAIT_MS, 0);
	wire_emit_frames("ipv4.igmp.default.join.reports");
	wire_emit_frames("ipv4.igmp.default.join.repeat_spacing_honours_interval");
	wire_next_change_witness(w, "239.3.0.9", "ipv4.igmp.default.join.next_change_report_holds_only_its_record");
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
	s = wire_udp();
	w = wire_udp();
	wire_join(s, "239.3.0.2");
	wire_window(2, 0);
	mcp_pin(iv, shipped);
	wire_mark();
	wire_leave(s, "239.3.0.2");
	mcap_wait(&wire.cap, 2, WIRE_DEFAULT_WAIT_MS, 0);
	wire_emit_frames("ipv4.igmp.default.leave.reports");
	wire_emit_frames("ipv4.igmp.default.leave.repeat_spacing_honours_interval");
	wire_next_change_witness(w, "239.3.0.9", "ipv4.igmp.default.leave.next_change_report_holds_only_its_record");
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
