// SPDX-License-Identifier: GPL-2.0
/*
 * wire.c - veth v0 <-> v1 with a capture on v1, for the IGMP and MLD probes; see wire.h.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "wire.h"
#include "mcp.h"
#include "mld.h"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct wire wire = { .peer = -1 };

static const unsigned char MAC0[6] = { 0x02, 0, 0, 0, 0, 0x01 };

void wire_setup(int family)
{
	int rc;

	wire.family = family;
	wire.peer = mcp_ns_new();
	if (wire.peer < 0)
		mcp_broken("peer namespace");
	if (mcap_open(&wire.cap, wire.peer) < 0)
		mcp_broken("AF_PACKET capture in the peer namespace");
	if (family == AF_INET6) {
		wire.cap.ethertype = ETH_P_IPV6;
		rc = mld_veth_pair("v0", MAC0, wire.peer, "v1");
	} else {
		rc = mcp_link_pair("v0", "10.0.0.1/24", wire.peer, "v1", "10.0.0.2/24");
	}
	if (rc < 0)
		mcp_broken("veth pair");
	if (mcap_bind_dev(&wire.cap, "v1") < 0)
		mcp_broken("capture on v1");
	/* v0 came up before its peer: its qdisc is activated later, by linkwatch */
	if (mcap_link_ready("v0", WIRE_WAIT_MS) < 0)
		mcp_broken("v0 never became ready to send");
	wire.v0 = mcp_ifindex("v0");
	if (wire.v0 < 0)
		mcp_broken("v0 ifindex");
}

int wire_udp(void)
{
	int fd = socket(wire.family, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		mcp_broken("socket");
	return fd;
}

static int is6(const char *group)
{
	return strchr(group, ':') != NULL;
}

static struct sockaddr_in6 sin6(const char *a)
{
	struct sockaddr_in6 s = { .sin6_family = AF_INET6 };

	if (inet_pton(AF_INET6, a, &s.sin6_addr) != 1)
		mcp_broken("address %s", a);
	return s;
}

/* MCAST_JOIN_GROUP / MCAST_LEAVE_GROUP on v0 */
static int group6_op(int fd, int opt, const char *group)
{
	struct group_req r = { .gr_interface = (uint32_t)wire.v0 };
	struct sockaddr_in6 g = sin6(group);

	memcpy(&r.gr_group, &g, sizeof(g));
	return setsockopt(fd, IPPROTO_IPV6, opt, &r, sizeof(r));
}

void wire_join(int fd, const char *group)
{
	if ((is6(group) ? group6_op(fd, MCAST_JOIN_GROUP, group) : mcp_join_ifindex(fd, group, wire.v0)) < 0)
		mcp_broken("join %s", group);
}

void wire_leave(int fd, const char *group)
{
	if ((is6(group) ? group6_op(fd, MCAST_LEAVE_GROUP, group) : mcp_drop_ifindex(fd, group, wire.v0)) < 0)
		mcp_broken("leave %s", group);
}

void wire_source_op(int fd, int opt, const char *group, const char *source)
{
	int rc;

	if (is6(group)) {
		struct group_source_req r = { .gsr_interface = (uint32_t)wire.v0 };
		struct sockaddr_in6 g = sin6(group), s = sin6(source);

		memcpy(&r.gsr_group, &g, sizeof(g));
		memcpy(&r.gsr_source, &s, sizeof(s));
		rc = setsockopt(fd, IPPROTO_IPV6, opt, &r, sizeof(r));
	} else {
		struct ip_mreq_source m = {
			.imr_multiaddr = mcp_in(group),
			.imr_interface = mcp_in("10.0.0.1"),
			.imr_sourceaddr = mcp_in(source),
		};

		rc = setsockopt(fd, IPPROTO_IP, opt, &m, sizeof(m));
	}
	if (rc < 0)
		mcp_broken("source option %d %s %s", opt, group, source);
}

int wire_users(const char *group)
{
	int n = is6(group) ? mcp_igmp6_users("v0", group) : mcp_igmp_users("v0", group);

	if (n < 0)
		mcp_broken("read the users of %s", group);
	return n;
}

void wire_mark(void)
{
	mcap_mark(&wire.cap);
}

void wire_window(int want, int extra_ms)
{
	mcap_wait(&wire.cap, want, WIRE_WAIT_MS, WIRE_QUIET_MS + extra_ms);
}

void wire_settle(void)
{
	mcap_wait(&wire.cap, 0, 0, WIRE_SETTLE_MS);
}

void wire_ask(const void *frame, int len, int want, int silent_ms)
{
	if (len < 0)
		mcp_broken("build query");
	wire_mark();
	if (mcap_inject(&wire.cap, frame, (size_t)len) < 0)
		mcp_broken("inject query");
	wire_window(want, want ? 0 : silent_ms);
}

void wire_emit_frames_at(const char *file, int line, const char *id)
{
	obs_begin_at(file, line, "%s", id);
	obs_frames("frames", &wire.cap);
	obs_end();
}

void wire_emit_users_at(const char *file, int line, const char *id, const char *group)
{
	obs_begin_at(file, line, "%s", id);
	obs_frames("frames", &wire.cap);
	obs_int("users", wire_users(group));
	obs_end();
}

void wire_change_seen_at(const char *file, int line, int fd, int join, const char *group, int want,
			 const char *id, int counted)
{
	wire_mark();
	if (join)
		wire_join(fd, group);
	else
		wire_leave(fd, group);
	wire_window(want, 0);
	if (counted)
		wire_emit_users_at(file, line, id, group);
	else
		wire_emit_frames_at(file, line, id);
}

int wire_socket_in(const char *group)
{
	int s = wire_udp();

	if (group)
		wire_join(s, group);
	wire_settle();
	return s;
}

void wire_join_plan(const struct wire_join_plan *p)
{
	int s1 = wire_udp(), s2 = wire_udp(), s3 = wire_udp();

	wire_mark();
	wire_join(s1, p->group);
	wire_window(2, 0);
	for (size_t i = 0; i < p->n_first_join; i++)
		wire_emit_frames(p->first_join[i]);
	wire_join_counted(s2, p->group, 0, p->second_join);
	wire_leave_counted(s1, p->group, 0, p->not_last_leave);
	wire_change_seen_at(__FILE__, __LINE__, s3, 1, p->all_group, 0, p->all_join, p->all_join_counted);
	wire_leave_seen(s3, p->all_group, 0, p->all_leave);
	wire_leave_seen(s2, p->group, 2, p->last_leave[0]);
	wire_emit_frames(p->last_leave[1]);
}

void wire_pack(const char *const groups[3], const char *link_up, const char *close_id)
{
	int v6 = wire.family == AF_INET6, s = wire_udp();

	if (v6)	/* the link-up reports of the first up are over */
		wire_settle();
	if (mcp_link_set_up("v0", 0) < 0)
		mcp_broken("v0 down");
	for (size_t i = 0; i < 3; i++)
		wire_join(s, groups[i]);
	wire_settle();
	wire_mark();
	if (mcp_link_set_up("v0", 1) < 0)
		mcp_broken("v0 up");
	/* IPv6: linkwatch (rate-limited to one run a second) adds the link-local
	 * and activates the queue: until it ran, reports are dropped or not due yet */
	if (v6 && mcap_link_ready("v0", WIRE_WAIT_MS) < 0)
		mcp_broken("v0 never became ready to send");
	wire_window(2, 0);
	wire_emit_frames(link_up);
	if (v6)
		wire_settle();

	wire_mark();
	close(s);
	wire_window(2, 0);
	wire_emit_frames(close_id);
}

/* Sorted (a handful of rows: insertion sort), emitted, freed. */
static void emit_sorted(const char *key, char **rows, int n)
{
	for (int i = 1; i < n; i++)
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

void wire_obs_dev_mcast(const char *key, const char *prefix)
{
	struct mcp_dev_mcast_row r[64];
	char *rows[64];
	int nr = mcp_dev_mcast_rows(r, 64), n = 0;

	if (nr < 0)
		mcp_broken("read /proc/net/dev_mcast");
	for (int i = 0; i < nr && i < 64; i++) {
		if (r[i].ifindex != wire.v0 || strncmp(r[i].hex, prefix, strlen(prefix)))
			continue;
		if (asprintf(&rows[n], "%s users=%d", r[i].hex, r[i].users) < 0)
			abort();
		n++;
	}
	emit_sorted(key, rows, n);
}

void wire_obs_igmp6(const char *key)
{
	struct mcp_igmp6_row r[64];
	char *rows[64], g[INET6_ADDRSTRLEN];
	int nr = mcp_igmp6_rows(r, 64), n = 0;

	if (nr < 0)
		mcp_broken("read /proc/net/igmp6");
	for (int i = 0; i < nr && i < 64; i++) {
		if (strcmp(r[i].dev, "v0"))
			continue;
		inet_ntop(AF_INET6, &r[i].group, g, sizeof(g));
		if (asprintf(&rows[n], "%s users=%d flags=%02X", g, r[i].users, r[i].flags) < 0)
			abort();
		n++;
	}
	emit_sorted(key, rows, n);
}

void wire_next_change_witness_at(const char *file, int line, int fd, const char *group, const char *id)
{
	wire_mark();
	wire_join(fd, group);
	mcap_wait(&wire.cap, 1, WIRE_WAIT_MS, 0);
	wire_emit_frames_at(file, line, id);
}
