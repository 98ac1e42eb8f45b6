// SPDX-License-Identifier: GPL-2.0
/*
 * igmp_peers - IGMP between members of one link: what the host does when it
 * hears another member's report.
 *
 * Tested: IGMPv2 report suppression (RFC 2236 3): after a general query, a
 * host that hears another member report a group stops its own timer for
 * that group and does not report it (igmp_heard_report), while it still
 * answers for a group nobody else reported.
 *
 * Environment: a fresh namespace ("host") with a veth pair v0 (10.0.0.1/24,
 * force_igmp_version 2) <-> v1 (peer namespace, 10.0.0.2/24). An AF_PACKET
 * socket in the peer, opened before the pair exists (lib/capture.h), captures
 * every IPv4 frame arriving on v1 and injects the query, the other member's
 * report and a UDP sentinel from v1. Pinned in the host: IPv6 off, rp_filter
 * 0, igmp_qrv 2, the v2 unsolicited report interval at IV_MS.
 *
 * "Not reported" is decided by state, not by a timer: once the sentinel
 * (injected after the other member's report, same path, one CPU) has reached
 * a host socket, the report has been processed, and /proc/net/igmp shows the
 * group's timer stopped and the host not its reporter; nothing else can send
 * that group's report. The frames of the query's window (its max response
 * time plus a quiet window) are recorded for the harness's IGMP decoder.
 */
#include "capture.h"
#include "dlv.h"
#include "mcp.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define IV_MS 50	/* igmpv2_unsolicited_report_interval pinned */
#define WAIT_MS 2000	/* generous bound for frames that should come */
#define QUIET_MS 150	/* > IV_MS + timer slack */
#define SETTLE_MS 300	/* quiet before the query: unsolicited reports are over */
#define MAXRESP 5	/* the query's max response time, 1/10 s: short, it bounds the probe */
#define PORT 6100
#define G1 "239.40.0.1"	/* reported by the other member */
#define G2 "239.40.0.2"	/* reported by nobody else */

static int peer = -1;
static struct mcap cap;

static void setup(void)
{
	static const char *const confs[] = { "all", "default" };

	if (dlv_pin_cpu() < 0)
		mcp_broken("pin to one CPU");
	for (size_t i = 0; i < MCP_ARRAY_SIZE(confs); i++) {
		mcp_pin_conf("ipv6", confs[i], "disable_ipv6", 1);
		mcp_pin_conf("ipv4", confs[i], "rp_filter", 0);
		mcp_pin_conf("ipv4", confs[i], "force_igmp_version", 0);
	}
	mcp_pin_conf("ipv4", "default", "igmpv2_unsolicited_report_interval", IV_MS);
	mcp_pin("net.ipv4.igmp_qrv", 2);
	peer = dlv_ns_new();
	if (peer < 0 || mcap_open(&cap, peer) < 0)
		mcp_broken("peer namespace and its capture");
	if (dlv_link_pair("v0", "10.0.0.1/24", peer, "v1", "10.0.0.2/24") < 0)
		mcp_broken("veth pair");
	if (mcap_bind_dev(&cap, "v1") < 0)
		mcp_broken("capture on v1");
	mcp_pin_conf("ipv4", "v0", "igmpv2_unsolicited_report_interval", IV_MS);
	mcp_pin_conf("ipv4", "v0", "force_igmp_version", 2);
	mcp_pin_conf("ipv4", "v0", "rp_filter", 0);
}

/* An IGMPv1/v2 message (8 bytes) from the peer: type, max response, group. */
static void inject_igmp(int type, int code, const char *dst, const char *group)
{
	unsigned char m[8] = { (unsigned char)type, (unsigned char)code }, frame[128];
	struct in_addr g = mcp_in(group);
	uint16_t sum;
	int len;

	memcpy(m + 4, &g, 4);
	sum = mcap_csum(m, sizeof(m));
	memcpy(m + 2, &sum, 2);
	len = mcap_ipv4_frame(frame, sizeof(frame), cap.mac, "10.0.0.2", dst, IPPROTO_IGMP, 1, 0xc0, 1, m, sizeof(m));
	if (len < 0 || mcap_inject(&cap, frame, (size_t)len) < 0)
		mcp_broken("inject IGMP type 0x%02x", type);
}

static void inject_sentinel(const char *group)
{
	unsigned char pl[8 + 64], frame[256];
	uint16_t h[4] = { htons(PORT), htons(PORT), htons(sizeof(pl)), 0 };
	int len;

	memcpy(pl, h, sizeof(h));
	dlv_fill(pl + 8, DLV_TAG_SENTINEL, 0, 64);
	len = mcap_ipv4_frame(frame, sizeof(frame), cap.mac, "10.0.0.2", group, IPPROTO_UDP, 1, 0, 0, pl, sizeof(pl));
	if (len < 0 || mcap_inject(&cap, frame, (size_t)len) < 0)
		mcp_broken("inject sentinel");
}

/* The Timer ("running:expiry") and Reporter columns of group on v0. */
static void group_state(const char *group, int *running, int *reporter)
{
	FILE *f = fopen("/proc/self/net/igmp", "re");
	struct in_addr g = mcp_in(group);
	char line[256], dev[32] = "";
	int idx;

	*running = *reporter = -1;
	if (!f)
		mcp_broken("read /proc/net/igmp");
	while (fgets(line, sizeof(line), f)) {
		unsigned int addr;
		int users, run, rep;
		unsigned long exp;

		if (line[0] != '\t')
			sscanf(line, "%d %31s", &idx, dev);
		else if (!strcmp(dev, "v0") && sscanf(line, " %x %d %d:%lx %d", &addr, &users, &run, &exp, &rep) == 5 &&
			 addr == g.s_addr) {
			*running = run;
			*reporter = rep;
		}
	}
	fclose(f);
}

static long long since_mark_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (t.tv_sec - cap.mark.tv_sec) * 1000000LL + (t.tv_nsec - cap.mark.tv_nsec) / 1000;
}

/* A frame of the host's to group's address captured before t_us. */
static int host_sent_before(const char *group, long long t_us)
{
	struct in_addr g = mcp_in(group);

	for (int i = 0; i < cap.n; i++)
		if (cap.f[i].len >= 34 && !memcmp(cap.f[i].data + 30, &g, 4) && cap.f[i].t_us < t_us)
			return 1;
	return 0;
}

/*
 * One query round; 0 if the host's own G1 timer fired before the other
 * member's report reached it (a race of the probe, not a kernel result:
 * timers start at 2 jiffies, the report follows the query by microseconds).
 */
static int query_round(int fd, int *run1, int *rep1)
{
	long long t_report;

	mcap_wait(&cap, 0, 0, SETTLE_MS);
	mcap_mark(&cap);
	inject_igmp(0x11, MAXRESP, "224.0.0.1", "0.0.0.0");
	t_report = since_mark_us();
	inject_igmp(0x16, 0, G1, G1);
	inject_sentinel(G2);
	if (dlv_count_until_sentinel(fd, 0, NULL) < 0)
		mcp_broken("sentinel");
	group_state(G1, run1, rep1);
	/* G2's report must come; silence for G1 outlasts the max response time */
	mcap_wait(&cap, 1, WAIT_MS, MAXRESP * 100 + QUIET_MS);
	mcap_drain(&cap);
	return !host_sent_before(G1, t_report);
}

static void v2_suppression(void)
{
	int fd, run1 = -1, rep1 = -1, ok = 0;

	setup();
	fd = dlv_udp(0, "0.0.0.0", PORT);
	if (fd < 0 || mcp_join_ifindex(fd, G1, mcp_ifindex("v0")) < 0 ||
	    mcp_join_ifindex(fd, G2, mcp_ifindex("v0")) < 0)
		mcp_broken("host socket joined %s and %s on v0", G1, G2);
	for (int attempt = 0; attempt < 3 && !ok; attempt++)
		ok = query_round(fd, &run1, &rep1);
	if (!ok)
		mcp_broken("the host's own report beat the injected one three times");
	obs_begin("ipv4.igmp_peers.v2.suppression.heard_group_state");
	obs_int("timer_running", run1);
	obs_int("host_is_reporter", rep1);
	obs_end();
	obs_begin("ipv4.igmp_peers.v2.suppression.reports_after_query");
	obs_frames("frames", &cap);
	obs_end();
	close(fd);
}

static const struct mcp_scenario scenarios[] = {
	{ "v2_suppression", v2_suppression, 0 },
};

int main(int argc, char **argv)
{
	return mcp_main(argc, argv, "igmp_peers", scenarios, MCP_ARRAY_SIZE(scenarios));
}
