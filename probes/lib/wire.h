/* SPDX-License-Identifier: GPL-2.0 */
/*
 * wire.h - a scenario with a veth v0 (this namespace) <-> v1 (a peer
 * namespace) and an AF_PACKET capture on v1: what the IGMP and MLD probes
 * share. The capture is opened before the pair exists, so its clock covers
 * everything sent while the link came up. One scenario per process: the
 * state is the global `wire`.
 *
 * Family specifics are chosen by the group's text (a ':' means IPv6):
 * IPv4 is v0 10.0.0.1/24 <-> v1 10.0.0.2/24, IP_ADD_MEMBERSHIP and
 * ip_mreq_source on 10.0.0.1; IPv6 is v0 with MAC 02:00:00:00:00:01 (EUI-64
 * gives the same link-local every run) <-> v1 without an address,
 * MCAST_JOIN_GROUP and group_source_req on v0.
 *
 * Setup failures are mcp_broken(); the waits are bounded.
 */
#ifndef MCP_WIRE_H
#define MCP_WIRE_H

#include "capture.h"

#include <stddef.h>
#include <sys/socket.h>

#define WIRE_QUIET_MS 150	/* > the pinned report interval + timer slack: a further repeat lands inside */
#define WIRE_WAIT_MS 2000	/* generous bound for frames that should come */
#define WIRE_SETTLE_MS 300	/* quiet before a window: earlier reports are over */
#define WIRE_DEFAULT_WAIT_MS 3000	/* generous for repeats at the shipped 1 s interval */

struct wire {
	int family;		/* AF_INET or AF_INET6 */
	int peer;		/* the peer namespace */
	int v0;			/* ifindex of v0 */
	struct mcap cap;	/* on v1, in the peer namespace */
};
extern struct wire wire;

/* Peer namespace, capture, the pair, and v0 ready to send. */
void wire_setup(int family);

int wire_udp(void);
void wire_join(int fd, const char *group);
void wire_leave(int fd, const char *group);
/* IP_ADD/DROP_SOURCE_MEMBERSHIP, IP_(UN)BLOCK_SOURCE, or the MCAST_* source options */
void wire_source_op(int fd, int opt, const char *group, const char *source);
/* Users of group on v0 in /proc/net/igmp or /proc/net/igmp6, 0 when there is no row. */
int wire_users(const char *group);

void wire_mark(void);
/* Frames that should come: wait for want, then the quiet window (+ extra_ms). */
void wire_window(int want, int extra_ms);
/* Waits until reports from earlier actions are over, so a window holds only its own. */
void wire_settle(void);
/* Marks, injects frame from v1, and collects what answers it: an answer
 * ends its own wait, silence must outlast silent_ms (the max response time). */
void wire_ask(const void *frame, int len, int want, int silent_ms);

/* Every frame held since the last mark, under check id; "at" is the caller's line. */
void wire_emit_frames_at(const char *file, int line, const char *id);
#define wire_emit_frames(id) wire_emit_frames_at(__FILE__, __LINE__, id)
/*
 * After a change's reports, the next change decides whether they were all:
 * the interface timer restarts (igmp_ifc_event / mld_ifc_event) and its
 * report carries every record that still has retransmissions left, so a
 * record of the earlier change riding along means its repeats were not
 * over. fd joins group; its first report is recorded under id. A witness
 * instead of a quiet window of one default interval.
 */
void wire_next_change_witness_at(const char *file, int line, int fd, const char *group, const char *id);
#define wire_next_change_witness(fd, group, id) wire_next_change_witness_at(__FILE__, __LINE__, fd, group, id)
/* The same with "users": wire_users(group). */
void wire_emit_users_at(const char *file, int line, const char *id, const char *group);
#define wire_emit_users(id, group) wire_emit_users_at(__FILE__, __LINE__, id, group)
/* Marks, joins (or leaves) group, waits for want frames and emits them under
 * id; _counted adds "users" as wire_emit_users does. */
void wire_change_seen_at(const char *file, int line, int fd, int join, const char *group, int want,
			 const char *id, int counted);
#define wire_join_seen(fd, group, want, id) wire_change_seen_at(__FILE__, __LINE__, fd, 1, group, want, id, 0)
#define wire_leave_seen(fd, group, want, id) wire_change_seen_at(__FILE__, __LINE__, fd, 0, group, want, id, 0)
#define wire_join_counted(fd, group, want, id) wire_change_seen_at(__FILE__, __LINE__, fd, 1, group, want, id, 1)
#define wire_leave_counted(fd, group, want, id) wire_change_seen_at(__FILE__, __LINE__, fd, 0, group, want, id, 1)
/* A socket joined to group on v0 (group NULL: none), its reports over. */
int wire_socket_in(const char *group);

/*
 * The join/leave sequence both areas check, after the link-up window: one
 * socket joins group (its frames under each first_join id), a second one
 * joins it (no report; users), the first leaves (no report; users), a third
 * joins and leaves the all-hosts/all-nodes group (not reported), and the
 * last holder leaves (its reports under both last_leave ids).
 */
struct wire_join_plan {
	const char *group;
	const char *const *first_join;
	size_t n_first_join;
	const char *second_join, *not_last_leave;
	const char *all_group, *all_join, *all_leave;
	int all_join_counted;	/* all_join records users too */
	const char *last_leave[2];
};
void wire_join_plan(const struct wire_join_plan *p);

/*
 * Several groups changing in one kernel operation: groups[] are joined on
 * one socket while v0 is down (nothing can be sent), so bringing it up
 * announces all of them at once (frames under link_up), and close() leaves
 * all of them inside one system call (frames under close_id).
 */
void wire_pack(const char *const groups[3], const char *link_up, const char *close_id);

/* v0's /proc/net/dev_mcast entries whose address starts with prefix
 * ("01005e", "3333") as "<hex> users=N", sorted. */
void wire_obs_dev_mcast(const char *key, const char *prefix);
/* v0's /proc/net/igmp6 rows as "group users=N flags=XX", sorted. */
void wire_obs_igmp6(const char *key);

#endif
