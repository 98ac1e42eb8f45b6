// SPDX-License-Identifier: GPL-2.0
/*
 * mld - MLD on the wire (RFC 3810, RFC 2710; net/ipv6/mcast.c): what the
 * kernel sends when AF_INET6 sockets join and leave groups, how it answers
 * injected queries, the groups it joins itself, and the link-layer filter and
 * /proc/net/igmp6 rows it keeps. The IPv6 counterpart of probes/igmp.c.
 *
 * Environment: each scenario runs in a fresh network namespace ("host") with
 * a veth pair v0 (host, MAC 02:00:00:00:00:01, so EUI-64 gives the link-local
 * fe80::ff:fe00:1 and the solicited-node group ff02::1:ff00:1 every run) <->
 * v1 (peer namespace, no address). An AF_PACKET socket in the peer namespace,
 * opened before the pair exists, keeps every IPv6 frame arriving on v1 with
 * its kernel timestamp, and injects queries from fe80::2. Frames are recorded
 * as hex; the harness (harness/decoders/mld.py) dissects them with scapy's
 * MLD layers and judges the fields each check is about.
 *
 * Pinned in the host namespace (IPv6 conf is reset to the defaults in every
 * new namespace), on conf/all and conf/default before v0 exists, then on v0:
 * addr_gen_mode 0 (EUI-64), accept_dad 0 (1 with dad_transmits 1 and a
 * 100 ms retransmit timer on v0 in the dad scenario), router_solicitations 0 (no
 * RS frames), force_mld_version 0 (or the scenario's), and the MLDv1/v2
 * unsolicited report intervals at IV_MS, so the area runs fast; the repeat
 * spacing checks observe that the interval is honoured. net.ipv6.mld_qrv
 * cannot be pinned: it is global, registered in the initial namespace only
 * (absent in every other one, observed as a check), so the robustness is the
 * host's and is observed on the wire. The default scenario pins none of the
 * MLD values and reads them first.
 *
 * Waits: "positive" waits for frames the action should produce are generous
 * (WIRE_WAIT_MS); after them a short quiet window (WIRE_QUIET_MS, longer
 * than the pinned interval plus timer slack) catches any extra frame. Query
 * windows add the query's maximum response delay. Scenarios run in parallel
 * lanes. The link, the capture and the waits are probes/lib/wire.c's.
 */
#include "mcp.h"
#include "mld.h"
#include "wire.h"

#include <arpa/inet.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

/* mldv1/mldv2_unsolicited_report_interval pinned; stored in jiffies, so a
 * multiple of 10 ms that HZ 100, 250 and 1000 all read back unchanged */
#define IV_MS 40
#define PEER_LL "fe80::2"	/* source of injected queries */

/* ------------------------------------------------------------------ */

struct setup_opts {
	int force;	/* force_mld_version */
	int dad;	/* accept_dad 1 with one probe, 100 ms apart */
};

static void pin_dev(const char *dev, const struct setup_opts *o)
{
	mcp_pin_conf("ipv6", dev, "disable_ipv6", 0);
	mcp_pin_conf("ipv6", dev, "addr_gen_mode", 0);
	mcp_pin_conf("ipv6", dev, "accept_dad", o->dad);
	mcp_pin_conf("ipv6", dev, "dad_transmits", 1);
	mcp_pin_conf("ipv6", dev, "router_solicitations", 0);
	mcp_pin_conf("ipv6", dev, "router_solicitation_delay", 0);
	mcp_pin_conf("ipv6", dev, "force_mld_version", strcmp(dev, "all") ? o->force : 0);
	mcp_pin_conf("ipv6", dev, "mldv1_unsolicited_report_interval", IV_MS);
	mcp_pin_conf("ipv6", dev, "mldv2_unsolicited_report_interval", IV_MS);
}

static void setup_with(const struct setup_opts *o)
{
	pin_dev("all", o);
	pin_dev("default", o);
	wire_setup(AF_INET6);
	pin_dev("v0", o);
}

static void setup(int force)
{
	struct setup_opts o = { .force = force };

	setup_with(&o);
}

/* ---- queries injected from the peer ---- */

struct query {
	const char *dst;	/* IPv6 destination */
	int len;		/* ICMPv6 bytes sent: 24 (v1), 28 + 16n (v2), or a cut */
	int mrd;		/* maximum response code/delay, ms */
	const char *group;	/* "::" for general queries */
	int nsrcs;		/* the number-of-sources field */
	const char *src[2];	/* sources actually present */
	int bad_csum;
	int hl;			/* hop limit: 0 means 1 */
	int ra;			/* Router Alert value + 1: 0 means MLD (0), -1 no Hop-by-Hop */
	const char *from;	/* IPv6 source: NULL means PEER_LL */
};

static void in6(const char *a, unsigned char *out)
{
	if (inet_pton(AF_INET6, a, out) != 1)
		mcp_broken("address %s", a);
}

static int query_frame(const struct query *q, unsigned char *frame, size_t cap_len)
{
	unsigned char m[64];
	int len;

	memset(m, 0, sizeof(m));
	m[0] = 130;	/* Multicast Listener Query */
	m[4] = (unsigned char)(q->mrd >> 8);
	m[5] = (unsigned char)q->mrd;
	in6(q->group, m + 8);
	if (q->len >= 28) {
		m[24] = 2;	/* S=0, QRV=2: keeps the host's robustness where it was pinned */
		m[25] = 125;	/* QQIC: the default query interval */
		m[26] = (unsigned char)(q->nsrcs >> 8);
		m[27] = (unsigned char)q->nsrcs;
		for (int n = 0; n < 2 && q->src[n]; n++)
			in6(q->src[n], m + 28 + 16 * n);
	}
	len = mld_frame(frame, cap_len, wire.cap.mac, q->from ? q->from : PEER_LL, q->dst, q->hl ? q->hl : 1,
			q->ra < 0 ? -1 : (q->ra ? q->ra - 1 : 0), m, (size_t)q->len);
	if (len > 0 && q->bad_csum)
		frame[len - q->len + 3] ^= 0x01;
	return len;
}

static void ask(const struct query *q, int want)
{
	unsigned char frame[160];

	wire_ask(frame, query_frame(q, frame, sizeof(frame)), want, q->mrd);
}

/* ------------------------------------------------------------------ */
/* scenarios */

static const char *const join_checks[] = {
	"ipv6.mld.join.report_type",
	"ipv6.mld.join.destination",
	"ipv6.mld.join.source_is_link_local",
	"ipv6.mld.join.hop_limit",
	"ipv6.mld.join.traffic_class_and_flow_label",
	"ipv6.mld.join.router_alert",
	"ipv6.mld.join.checksum",
	"ipv6.mld.join.record",
	"ipv6.mld.join.repeats",
	"ipv6.mld.join.repeat_spacing_honours_interval",
	"ipv6.mld.join.first_report_immediate",
};

static const struct wire_join_plan join_plan = {
	.group = "ff15::1:1",
	.first_join = join_checks,
	.n_first_join = MCP_ARRAY_SIZE(join_checks),
	.second_join = "ipv6.mld.join.second_socket_no_report",
	.not_last_leave = "ipv6.mld.leave.not_last_no_report",
	.all_group = "ff02::1",
	.all_join = "ipv6.mld.allnodes.join_not_reported",
	.all_join_counted = 1,
	.all_leave = "ipv6.mld.allnodes.leave_not_reported",
	.last_leave = { "ipv6.mld.leave.last_reports_to_include", "ipv6.mld.leave.repeat_spacing_honours_interval" },
};

/* Default version (MLDv2): link up, join, a second holder, leaves, ff02::1. */
static void sc_join(void)
{
	setup(0);
	wire_window(2, 0);
	wire_emit_frames("ipv6.mld.link_up.reports_solicited_node_only");
	wire_settle();

	wire_join_plan(&join_plan);
}

/* Several groups changing in one kernel operation: records packed into one report. */
static void sc_pack(void)
{
	static const char *const groups[] = { "ff15::2:1", "ff15::2:2", "ff15::2:3" };

	setup(0);
	wire_pack(groups, "ipv6.mld.pack.link_up_announces_all_in_one_report", "ipv6.mld.pack.close_leaves_all_in_one_report");
}

/* Scopes: link-local groups are reported, interface-local ones never. */
static void sc_scope(void)
{
	int s;

	setup(0);
	s = wire_udp();
	wire_settle();
	wire_join_seen(s, "ff02::fb", 2, "ipv6.mld.scope.link_local_group_reported");

	wire_join_counted(s, "ff01::fb", 0, "ipv6.mld.scope.interface_local_join_not_reported");
	wire_leave_seen(s, "ff01::fb", 0, "ipv6.mld.scope.interface_local_leave_not_reported");

	/* what the kernel joined by itself, and its flags (MAF_NOREPORT for ff01::1, ff02::1) */
	obs_begin("ipv6.mld.proc.groups_the_kernel_joins");
	wire_obs_igmp6("rows");
	obs_end();
}

/* Solicited-node groups follow the addresses of the device. */
static void sc_solicited(void)
{
	setup(0);
	wire_settle();
	obs_begin("ipv6.mld.solicited_node.mac_in_dev_mcast");
	wire_obs_dev_mcast("entries", "3333");
	obs_end();

	wire_mark();
	if (mcp_addr_add("v0", "2001:db8::5/64") < 0)
		mcp_broken("add 2001:db8::5");
	wire_window(2, 0);
	wire_emit_users("ipv6.mld.solicited_node.address_added_joins_and_reports", "ff02::1:ff00:5");
	wire_settle();

	/* same low 24 bits as the link-local: one more user of its group */
	wire_mark();
	if (mcp_addr_add("v0", "2001:db8::ff:fe00:1/64") < 0)
		mcp_broken("add 2001:db8::ff:fe00:1");
	wire_window(2, 0);
	wire_emit_users("ipv6.mld.solicited_node.second_address_reannounces_every_group", "ff02::1:ff00:1");

	wire_mark();
	if (mcp_addr_del("v0", "2001:db8::5/64") < 0)
		mcp_broken("del 2001:db8::5");
	wire_window(2, 0);
	wire_emit_users("ipv6.mld.solicited_node.address_removed_leaves", "ff02::1:ff00:5");
}

/* With DAD: what is sent while the link-local address is tentative, and after. */
static void sc_dad(void)
{
	struct setup_opts o = { .dad = 1 };

	setup_with(&o);
	/* neigh/default exists in the initial namespace only: the retransmit
	 * timer (the DAD probe's wait) is v0's own, so DAD is watched on a
	 * second link up, with the timer at 100 ms instead of 1 s */
	if (mcp_link_set_up("v0", 0) < 0)
		mcp_broken("v0 down");
	mcp_pin("net.ipv6.neigh.v0.retrans_time_ms", 100);
	wire_settle();
	wire_mark();
	if (mcp_link_set_up("v0", 1) < 0)
		mcp_broken("v0 up");
	/* DAD starts when linkwatch has run, up to 1 s after the up */
	if (mcap_link_ready("v0", WIRE_WAIT_MS) < 0)
		mcp_broken("v0 never became ready to send");
	/* link up: reports, one NS, then (100 ms later) the post-DAD reports */
	mcap_wait(&wire.cap, 5, WIRE_WAIT_MS, WIRE_QUIET_MS + 150);
	wire_emit_frames("ipv6.mld.dad.reports_while_tentative_from_unspecified");
	wire_emit_frames("ipv6.mld.dad.reports_after_dad_from_link_local");
	wire_emit_frames("ipv6.mld.dad.probe_between_them");
}

/* force_mld_version 1 and 2 on v0. */
static void sc_force_v1(void)
{
	int s;

	setup(1);
	wire_settle();
	s = wire_udp();
	wire_join_seen(s, "ff15::1:1", 2, "ipv6.mld.force_v1.join_reports_to_the_group");
	wire_emit_frames("ipv6.mld.force_v1.ipv6_header");
	wire_emit_frames("ipv6.mld.force_v1.repeat_spacing_honours_interval");

	wire_leave_seen(s, "ff15::1:1", 1, "ipv6.mld.force_v1.done_to_all_routers");
}

static void sc_force_v2(void)
{
	static const struct query v1 = { "ff02::1", 24, 100, "::", 0, { 0 }, 0, 0, 0, NULL };
	int s;

	setup(2);
	s = wire_socket_in("ff15::1:1");
	ask(&v1, 0);
	wire_emit_frames("ipv6.mld.force_v2.v1_query_not_answered");
	wire_join_seen(s, "ff15::1:2", 2, "ipv6.mld.force_v2.join_after_v1_query_still_v2");
}

/* Two ASM groups and one INCLUDE {2001:db8::2} group on a socket kept open
 * (the queries ask about its memberships), their unsolicited reports over. */
static void query_setup(void)
{
	int s;

	setup(0);
	s = wire_udp();
	wire_join(s, "ff15::1:1");
	wire_join(s, "ff15::1:2");
	wire_source_op(s, MCAST_JOIN_SOURCE_GROUP, "ff35::1", "2001:db8::2");
	wire_settle();
}

/* MLDv2 general and group-specific queries injected from the peer. */
static void sc_query2(void)
{
	static const struct query general = { "ff02::1", 28, 300, "::", 0, { 0 }, 0, 0, 0, NULL };
	static const struct query group = { "ff15::1:2", 28, 100, "ff15::1:2", 0, { 0 }, 0, 0, 0, NULL };

	query_setup();
	ask(&general, 1);
	wire_emit_frames("ipv6.mld.query.v2.general_reports_every_group");
	wire_emit_frames("ipv6.mld.query.v2.general_within_max_response_delay");
	ask(&group, 1);
	wire_emit_frames("ipv6.mld.query.v2.group_specific_only_that_group");
}

/* MLDv2 group-and-source-specific queries. */
static void sc_query2_source(void)
{
	static const struct query gs_in = { "ff35::1", 44, 100, "ff35::1", 1, { "2001:db8::2" }, 0, 0, 0, NULL };
	static const struct query gs_other = { "ff35::1", 44, 100, "ff35::1", 1, { "2001:db8::9" }, 0, 0, 0, NULL };
	static const struct query gs_asm = { "ff15::1:1", 44, 100, "ff15::1:1", 1, { "2001:db8::9" }, 0, 0, 0, NULL };

	query_setup();
	ask(&gs_in, 1);
	wire_emit_frames("ipv6.mld.query.v2.group_source_specific_included_source");
	ask(&gs_other, 0);
	wire_emit_frames("ipv6.mld.query.v2.group_source_specific_other_source");
	ask(&gs_asm, 1);
	wire_emit_frames("ipv6.mld.query.v2.group_source_specific_asm_group");
}

struct bad_query {
	const char *id;
	struct query q;
};

/* Malformed queries are dropped; with answered_last, the last row is a valid
 * query that must be answered after them. */
static void bad_queries(const struct bad_query *rows, size_t n, int answered_last)
{
	setup(0);
	wire_socket_in("ff15::1:1");	/* kept open: the queries ask about it */
	for (size_t i = 0; i < n; i++) {
		ask(&rows[i].q, answered_last && i + 1 == n);
		wire_emit_frames(rows[i].id);
	}
}

/* Queries with a broken ICMPv6 or IPv6 header (lanes of their own: each
 * ignored query costs its max response delay plus the quiet window). */
static void sc_query_bad(void)
{
	static const struct bad_query rows[] = {
		{ "ipv6.mld.query.bad_checksum_ignored", { "ff02::1", 28, 100, "::", 0, { 0 }, 1, 0, 0, NULL } },
		/* 26 bytes: longer than a v1 query, shorter than a v2 one */
		{ "ipv6.mld.query.truncated_ignored", { "ff02::1", 26, 100, "::", 0, { 0 }, 0, 0, 0, NULL } },
		{ "ipv6.mld.query.hop_limit_2_ignored", { "ff02::1", 28, 100, "::", 0, { 0 }, 0, 2, 0, NULL } },
	};

	bad_queries(rows, MCP_ARRAY_SIZE(rows), 0);
}

/* Queries without the Hop-by-Hop Router Alert MLD needs. */
static void sc_query_bad_alert(void)
{
	static const struct bad_query rows[] = {
		{ "ipv6.mld.query.no_router_alert_ignored", { "ff02::1", 28, 100, "::", 0, { 0 }, 0, 0, -1, NULL } },
		{ "ipv6.mld.query.router_alert_not_mld_ignored", { "ff02::1", 28, 100, "::", 0, { 0 }, 0, 0, 2, NULL } },
	};

	bad_queries(rows, MCP_ARRAY_SIZE(rows), 0);
}

/* Queries from a source a querier cannot have, or missing their sources. */
static void sc_query_bad_source(void)
{
	static const struct bad_query rows[] = {
		{ "ipv6.mld.query.global_source_ignored",
		  { "ff02::1", 28, 100, "::", 0, { 0 }, 0, 0, 0, "2001:db8::2" } },
		{ "ipv6.mld.query.unspecified_source_ignored", { "ff02::1", 28, 100, "::", 0, { 0 }, 0, 0, 0, "::" } },
		/* claims two sources and carries none */
		{ "ipv6.mld.query.missing_sources_ignored",
		  { "ff15::1:1", 28, 100, "ff15::1:1", 2, { 0 }, 0, 0, 0, NULL } },
		{ "ipv6.mld.query.answered_after_bad_queries", { "ff02::1", 28, 100, "::", 0, { 0 }, 0, 0, 0, NULL } },
	};

	bad_queries(rows, MCP_ARRAY_SIZE(rows), 1);
}

/* An MLDv1 query puts v0 into MLDv1 compatibility mode. */
static void sc_query1(void)
{
	static const struct query v1 = { "ff02::1", 24, 200, "::", 0, { 0 }, 0, 0, 0, NULL };
	int s;

	setup(0);
	s = wire_socket_in("ff15::1:1");
	ask(&v1, 2);
	wire_emit_frames("ipv6.mld.query.v1.general_answered_with_v1_reports");
	wire_emit_frames("ipv6.mld.query.v1.general_within_max_response_delay");

	wire_join_seen(s, "ff15::1:2", 2, "ipv6.mld.query.v1.later_join_reports_v1");
	wire_leave_seen(s, "ff15::1:2", 1, "ipv6.mld.query.v1.later_leave_sends_done");
}

struct source_row {
	const char *id;
	int opt;
	const char *group, *source;
};

/* Each row's source option, then the reports it causes (a lane of its own). */
static void source_rows(const struct source_row *rows, size_t n, const char *asm_group)
{
	int s;

	setup(0);
	s = wire_udp();
	if (asm_group)
		wire_join(s, asm_group);
	wire_settle();
	for (size_t i = 0; i < n; i++) {
		wire_mark();
		wire_source_op(s, rows[i].opt, rows[i].group, rows[i].source);
		wire_window(2, 0);
		wire_emit_frames(rows[i].id);
	}
}

/* SSM: sources joined and left one by one. */
static void sc_source(void)
{
	static const struct source_row rows[] = {
		{ "ipv6.mld.source.join_first_source", MCAST_JOIN_SOURCE_GROUP, "ff35::1", "2001:db8::2" },
		{ "ipv6.mld.source.join_second_source", MCAST_JOIN_SOURCE_GROUP, "ff35::1", "2001:db8::3" },
		{ "ipv6.mld.source.leave_one_source", MCAST_LEAVE_SOURCE_GROUP, "ff35::1", "2001:db8::2" },
		{ "ipv6.mld.source.leave_last_source", MCAST_LEAVE_SOURCE_GROUP, "ff35::1", "2001:db8::3" },
	};

	source_rows(rows, MCP_ARRAY_SIZE(rows), NULL);
}

/* ASM: a source blocked and unblocked on a joined group. */
static void sc_source_asm(void)
{
	static const struct source_row rows[] = {
		{ "ipv6.mld.source.block_on_asm_group", MCAST_BLOCK_SOURCE, "ff15::1:1", "2001:db8::5" },
		{ "ipv6.mld.source.unblock_on_asm_group", MCAST_UNBLOCK_SOURCE, "ff15::1:1", "2001:db8::5" },
	};

	source_rows(rows, MCP_ARRAY_SIZE(rows), "ff15::1:1");
}

/* Polls (bounded) until group on v0 has a /proc/net/igmp6 row, or not. */
static void wait_row(const char *group, int present)
{
	for (int i = 0; i < 200; i++) {
		if ((wire_users(group) > 0) == present)
			return;
		poll(NULL, 0, 10);
	}
	mcp_broken("%s never %s on v0", group, present ? "appeared" : "went away");
}

/* Group -> MAC mapping and the entry ff15::1:1 and ff05::1:1 share. */
static void sc_mac(void)
{
	int s;

	setup(0);
	wait_row("ff02::1:ff00:1", 1);
	s = wire_udp();
	wire_join(s, "ff15::102:304");
	wire_join(s, "ff15::1:1");
	wire_join(s, "ff05::1:1");
	obs_begin("ipv6.mld.mac.link_filter_entries");
	wire_obs_dev_mcast("entries", "3333");
	obs_end();
	wire_leave(s, "ff05::1:1");
	obs_begin("ipv6.mld.mac.shared_entry_after_one_leave");
	wire_obs_dev_mcast("entries", "3333");
	obs_end();
	wire_leave(s, "ff15::1:1");
	obs_begin("ipv6.mld.mac.shared_entry_after_both_leave");
	wire_obs_dev_mcast("entries", "3333");
	obs_end();
}

static void emit_igmp6(const char *id)
{
	obs_begin("%s", id);
	wire_obs_igmp6("rows");
	obs_end();
}

/* /proc/net/igmp6 through join, a second join, link down/up, leave, delete. */
static void sc_proc(void)
{
	int s1, s2;

	setup(0);
	s1 = wire_udp();
	s2 = wire_udp();
	wait_row("ff02::1:ff00:1", 1);
	wire_join(s1, "ff15::1:1");
	emit_igmp6("ipv6.mld.proc.after_join");
	wire_join(s2, "ff15::1:1");
	emit_igmp6("ipv6.mld.proc.second_join_counts_users");
	if (mcp_link_set_up("v0", 0) < 0)
		mcp_broken("v0 down");
	wait_row("ff02::1:ff00:1", 0);
	emit_igmp6("ipv6.mld.proc.link_down");
	if (mcp_link_set_up("v0", 1) < 0 || mcap_link_ready("v0", WIRE_WAIT_MS) < 0)
		mcp_broken("v0 up");
	wait_row("ff02::1:ff00:1", 1);
	emit_igmp6("ipv6.mld.proc.link_up");
	close(s1);
	close(s2);
	emit_igmp6("ipv6.mld.proc.after_last_leave");
	if (mcp_link_del("v0") < 0)
		mcp_broken("delete v0");
	emit_igmp6("ipv6.mld.proc.device_deleted");
}

/* A sysctl as the check id's one fact (null where the kernel has no such knob). */
static void obs_sysctl(const char *id, const char *name)
{
	obs_begin("%s", id);
	obs_sysctl_int("value", name);
	obs_end();
}

/*
 * The kernel's defaults in a fresh namespace, and one join at those
 * defaults. The link comes up at the pinned interval, so its own reports
 * are over quickly; v0's interval is then written back to the value it
 * ships with and only the join is observed. That there were no more than
 * mld_qrv reports is decided by a witness, not a quiet window of one
 * default interval: mld_ifc_event() for the next change restarts the
 * interface work, and its report carries every record with retransmissions
 * left (mca_crcount), so it must hold only its own record.
 */
static void sc_default(void)
{
	static const char *const v0_iv = "net.ipv6.conf.v0.mldv2_unsolicited_report_interval";
	long shipped;
	int s, w;

	obs_begin("ipv6.mld.default.robustness_sysctl_is_global");
	obs_bool("visible_in_new_namespace", access("/proc/sys/net/ipv6/mld_qrv", F_OK) == 0);
	obs_end();
	obs_sysctl("ipv6.mld.default.mldv2_unsolicited_report_interval_ms",
		   "net.ipv6.conf.default.mldv2_unsolicited_report_interval");
	obs_sysctl("ipv6.mld.default.mldv1_unsolicited_report_interval_ms",
		   "net.ipv6.conf.default.mldv1_unsolicited_report_interval");
	obs_sysctl("ipv6.mld.default.force_mld_version", "net.ipv6.conf.default.force_mld_version");
	MCP_SAFE(mcp_sysctl_get_int("net.ipv6.conf.default.mldv2_unsolicited_report_interval", &shipped));
	setup(0);
	s = wire_udp();
	w = wire_udp();
	wire_window(2, 0);
	wire_settle();
	mcp_pin(v0_iv, shipped);
	wire_mark();
	wire_join(s, "ff15::1:1");
	mcap_wait(&wire.cap, 2, WIRE_DEFAULT_WAIT_MS, 0);
	wire_emit_frames("ipv6.mld.default.robustness_repeats_on_the_wire");
	wire_emit_frames("ipv6.mld.default.repeat_spacing_within_default_interval");
	wire_next_change_witness(w, "ff15::1:9", "ipv6.mld.default.next_change_report_holds_only_its_record");
}

static const struct mcp_scenario scenarios[] = {
	{ "join", sc_join, 20 },
	{ "pack", sc_pack, 15 },
	{ "scope", sc_scope, 15 },
	{ "solicited", sc_solicited, 15 },
	{ "dad", sc_dad, 15 },
	{ "force_v1", sc_force_v1, 15 },
	{ "force_v2", sc_force_v2, 15 },
	{ "query2", sc_query2, 20 },
	{ "query2_source", sc_query2_source, 20 },
	{ "query_bad", sc_query_bad, 25 },
	{ "query_bad_alert", sc_query_bad_alert, 25 },
	{ "query_bad_source", sc_query_bad_source, 25 },
	{ "query1", sc_query1, 20 },
	{ "source", sc_source, 25 },
	{ "source_asm", sc_source_asm, 15 },
	{ "mac", sc_mac, 10 },
	{ "proc", sc_proc, 15 },
	{ "default", sc_default, 20 },
};

/* Scenarios of one lane run in sequence; lanes run side by side. */
static const char *const lanes[] = {
	"source",
	"source_asm",
	"query_bad",
	"query_bad_alert",
	"query_bad_source",
	"join,mac",
	"pack",
	"scope",
	"default",
	"query2,proc",
	"query2_source",
	"force_v1",
	"query1",
	"dad",
	"solicited",
	"force_v2",
};

int main(int argc, char **argv)
{
	return mcp_main_lanes(argc, argv, "mld", scenarios, MCP_ARRAY_SIZE(scenarios), lanes,
			      MCP_ARRAY_SIZE(lanes));
}
