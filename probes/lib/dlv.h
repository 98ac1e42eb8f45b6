/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dlv.h - datagram helpers for the delivery probes (delivery, sendopts, scope).
 *
 * Every test datagram carries a small header {magic, tag, seq, len} and a
 * payload pattern derived from (tag, seq), so a receiver can tell test
 * traffic from anything else, detect corruption and reordering, and stop at a
 * sentinel.
 *
 * "Nothing arrives" is never judged by waiting for a timer to expire. Two
 * techniques make a negative observation exact instead:
 *   - witness: a socket that must receive the same datagram in the same
 *     namespace. UDP multicast delivery clones the datagram to every matching
 *     socket inside one softirq run (__udp4_lib_mcast_deliver); once the
 *     witness has it, every other socket has had its chance.
 *   - sentinel: a second datagram sent after the first along the same path
 *     (same devices, same CPU) that must reach the observed socket. Each hop
 *     (per-CPU backlog, veth queue, ipmr forwarding) is FIFO, so when the
 *     sentinel has arrived the first datagram would have arrived before it.
 * Both rely on the scenario running on one CPU: dlv_pin_cpu() pins it, so
 * every packet the scenario sends goes through the same per-CPU queue and
 * softirq processing (not preemptible on this non-RT kernel) never
 * interleaves with the reads. The wait for the witness/sentinel is a positive
 * wait and is generous (DLV_POSITIVE_MS).
 *
 * Helpers return -1 and set errno on failure.
 */
#ifndef DLV_H
#define DLV_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/types.h>

/* Generous bound for anything that must arrive: on a loaded 2-core machine a
 * datagram over lo/veth arrives within microseconds; 3 s is only ever spent
 * when the kernel is wrong, and each scenario has its own alarm bound. */
#define DLV_POSITIVE_MS 3000

#define DLV_MAGIC 0x6d637076u	/* "mcpv" */
#define DLV_TAG_SENTINEL 0x53454e54u

struct dlv_rx {
	uint32_t tag, seq;	/* first: the loops of dlv_recv_by() read the tag here */
	size_t len;
	int intact;		/* header and payload pattern as sent */
	int ttl;		/* IP_RECVTTL, -1 if no cmsg */
	int ifindex;		/* IP_PKTINFO ipi_ifindex, 0 if no cmsg */
	struct in_addr src;	/* sender address */
	struct in_addr dst;	/* IP_PKTINFO ipi_addr (header destination) */
	struct in_addr spec_dst;	/* IP_PKTINFO ipi_spec_dst */
};

/* Pin the calling process to the CPU it runs on now (see the header comment)
 * and set net.core.rps_default_mask 0 in the current namespace, so devices
 * made later do not steer packets to other CPUs. */
int dlv_pin_cpu(void);
/* mcp_ns_new() with net.core.rps_default_mask 0 inside (devices made there
 * or moved there later stay on the sending CPU). */
int dlv_ns_new(void);
/* The same, then setup() (may be NULL) run inside the new namespace. */
int dlv_ns_new_with(int (*setup)(void));

#define DLV_REUSEADDR 1
#define DLV_REUSEPORT 2
/* UDP socket, options from DLV_REUSE*, bound to addr ("0.0.0.0", a group...)
 * and port. IP_RECVTTL and IP_PKTINFO are on so every read reports them. */
int dlv_udp(int flags, const char *addr, uint16_t port);
/* dlv_udp() created inside namespace nsfd; the caller stays where it is. */
int dlv_udp_in(int nsfd, int flags, const char *addr, uint16_t port);

/* The family-neutral part of dlv_udp()/dlv6_udp(): a UDP socket of family
 * with SO_REUSE* from flags (DLV_REUSE*), then opts in order, bound to sa. */
struct dlv_sockopt {
	int level, opt, val;
};
int dlv_udp_bound(int family, int flags, const struct dlv_sockopt *opts, size_t n,
		  const void *sa, socklen_t salen);
/* make() (dlv_udp, dlv6_udp) run inside namespace nsfd. */
typedef int (*dlv_udp_fn)(int flags, const char *addr, uint16_t port);
int dlv_udp_in_by(dlv_udp_fn make, int nsfd, int flags, const char *addr, uint16_t port);

/* IP_MULTICAST_IF by ifindex (ip_mreqn) / IP_MULTICAST_TTL / IP_MULTICAST_LOOP as int. */
int dlv_set_if_index(int fd, int ifindex);
int dlv_set_ttl(int fd, int ttl);
int dlv_set_loop(int fd, int loop);
int dlv_get_int(int fd, int level, int opt, int *val);

/* Send one test datagram of total length len (>= 16) to dst:port. */
ssize_t dlv_send(int fd, const char *dst, uint16_t port, uint32_t tag, uint32_t seq, size_t len);
/* The same on a connected socket (send()). */
ssize_t dlv_send_connected(int fd, uint32_t tag, uint32_t seq, size_t len);
/* Either family: to sa (salen bytes), or with send() when sa is NULL. */
ssize_t dlv_sendto(int fd, const void *sa, socklen_t salen, uint32_t tag, uint32_t seq, size_t len);
void dlv_fill(void *buf, uint32_t tag, uint32_t seq, size_t len);
/* The reverse of dlv_fill: 1 if buf holds an intact test datagram of length n;
 * *tag and *seq are set whenever the magic matches (else 0). */
int dlv_parse(const void *buf, size_t n, uint32_t *tag, uint32_t *seq);

/* One recvmsg() of either family into d (buffers inside it), the test header
 * parsed: intact as in struct dlv_rx. -1 and errno when recvmsg fails. */
struct dlv_msg {
	unsigned char buf[4096];
	char cbuf[256];
	struct sockaddr_storage from;
	struct iovec iov;
	struct msghdr m;
	size_t len;
	uint32_t tag, seq;
	int intact;
};
int dlv_read_msg(int fd, int flags, struct dlv_msg *d);

/* Wait up to timeout_ms for one datagram; 1 read, 0 nothing by the deadline,
 * -1 error. Non-test datagrams are returned with intact = 0. */
int dlv_recv(int fd, struct dlv_rx *rx, int timeout_ms);
/* Read what is queued right now without waiting; returns how many datagrams
 * carried tag (any tag if tag == 0); last (may be NULL) gets the last one. */
int dlv_drain(int fd, uint32_t tag, struct dlv_rx *last);
/* Read until a sentinel arrives (positive wait, DLV_POSITIVE_MS); returns how
 * many datagrams carrying tag arrived before it, first (may be NULL) gets the
 * first of them. Breaks the scenario when the sentinel never comes: that is a
 * broken setup, not an observation. */
int dlv_count_until_sentinel(int fd, uint32_t tag, struct dlv_rx *first);

/* The same three for either family (dlv6 uses them): read reads one datagram
 * into rx, a struct dlv_rx or dlv6_rx of size bytes, whose first member is the
 * tag; 1 read, -1 error (EAGAIN: nothing queued). */
typedef int (*dlv_read_fn)(int fd, void *rx, int flags);
int dlv_recv_by(dlv_read_fn read, int fd, void *rx, int timeout_ms);
int dlv_drain_by(dlv_read_fn read, size_t size, int fd, uint32_t tag, void *last);
int dlv_count_until_sentinel_by(dlv_read_fn read, size_t size, int fd, uint32_t tag, void *first);

/*
 * One family's socket calls, so a scenario written once runs over IPv4
 * (dlv_fam4) or IPv6 (dlv_fam6, lib/dlv6.c). The dlv_must_* helpers break the
 * scenario (mcp_broken) where the plain ones return -1.
 */
struct dlv_fam {
	const char *any;	/* wildcard address text */
	const char *udp_name;	/* "udp", "udp6": for messages */
	const char *if_opt;	/* name of the MULTICAST_IF option: for messages */
	int (*udp)(int flags, const char *addr, uint16_t port);
	int (*set_if)(int fd, int ifindex);
	int (*set_loop)(int fd, int loop);
	int (*set_hops)(int fd, int hops);	/* IP_MULTICAST_TTL, IPV6_MULTICAST_HOPS */
	int (*join)(int fd, const char *group, int ifindex);
	ssize_t (*send)(int fd, const char *dst, uint16_t port, uint32_t tag, uint32_t seq, size_t len);
	dlv_read_fn read;	/* into a struct dlv_rx / dlv6_rx */
};
extern const struct dlv_fam dlv_fam4, dlv_fam6;

int dlv_must_udp(const struct dlv_fam *f, int flags, const char *addr, uint16_t port);
/* Unbound sender with MULTICAST_IF ifindex. */
int dlv_must_sender(const struct dlv_fam *f, int ifindex);
/* The same, then MULTICAST_LOOP loop and the hop limit (TTL) hops, each
 * unless DLV_KEEP. */
#define DLV_KEEP (-100000)
int dlv_must_sender_set(const struct dlv_fam *f, int ifindex, int loop, int hops);
void dlv_must_join(const struct dlv_fam *f, int fd, const char *group, int ifindex);
void dlv_must_send(const struct dlv_fam *f, int fd, const char *dst, uint16_t port,
		   uint32_t tag, uint32_t seq, size_t len);
/* The witness must get the datagram tagged tag (positive wait): after that,
 * every socket on the port has had it delivered or not (one softirq run,
 * this CPU: see the header comment). */
void dlv_await_witness(const struct dlv_fam *f, int witness, uint32_t tag);

/* Scenario, either family: an SO_REUSEPORT group of three sockets on port,
 * each joined to group on ifindex; id_multicast observes what each got of 4
 * datagrams to the group (multicast is not load-balanced), id_unicast the
 * total of 6 sent to unicast (it is: each goes to one member). */
void dlv_reuseport(const struct dlv_fam *f, const char *group, uint16_t port, const char *unicast,
		   int ifindex, const char *id_multicast, const char *id_unicast);

/* Sender-path rows, either family: for each row a sender on *ifindex[dev]
 * with MULTICAST_LOOP loop and hop limit hops (DLV_KEEP: untouched); the
 * probe's observe() sends from it (tag tag0 + row) and reads its receivers,
 * report() writes the facts of the record id. mask and local are the probe's:
 * which receivers report() shows. */
struct dlv_path_row {
	const char *id;
	int dev;
	int loop, hops;
	unsigned int mask;
	int local;
};
struct dlv_path {
	const struct dlv_fam *f;
	const int *ifindex[3];	/* read when the rows run: set by the topology */
	void (*observe)(int s, uint32_t tag);
	void (*report)(const struct dlv_path_row *row);
};
void dlv_path_rows(const struct dlv_path *p, const struct dlv_path_row *rows, size_t n, uint32_t tag0);

/* ifindex of ifname inside namespace nsfd; -1/ENODEV. */
int dlv_ifindex_in(int nsfd, const char *ifname);
/*
 * mcp_link_pair() and then wait until both ends can transmit. A device that
 * was just set up keeps the noop qdisc (which drops everything) until the
 * linkwatch work runs dev_activate(); that work is usually immediate but is
 * a workqueue item, so under load the first datagrams can be lost. Waits
 * (positive, DLV_POSITIVE_MS) for operstate UP on both ends, then makes one
 * RTNL-taking request per end: linkwatch sets the operstate and activates the
 * qdisc under one RTNL hold, so when our request has been served the qdisc is
 * in place.
 */
int dlv_link_pair(const char *local, const char *local_cidr, int peer_nsfd,
		  const char *peer, const char *peer_cidr);
/* The same wait for one device in namespace nsfd (-1: here). */
int dlv_wait_running(int nsfd, const char *ifname);

/*
 * The multicast defaults of fresh sockets of several kinds: for each row,
 * one socket of family, type and proto, and getsockopt(level, opts[k]) as
 * an int recorded under ids[k] (ret, errno, value). Ping sockets need
 * net.ipv4.ping_group_range (pinned here to every group).
 */
struct dlv_default_row {
	int type, proto;
	const char *ids[4];
};
void dlv_obs_defaults(int family, int level, const int opts[4], const struct dlv_default_row *rows, size_t n);

/* Interface name for an ifindex in namespace nsfd (-1: here); "?" if none. */
const char *dlv_ifname_in(int nsfd, int ifindex);
/* Dotted quad in a static ring buffer (4 slots). */
const char *dlv_ntoa(struct in_addr a);
/* Bytes as lower-case hex ("01ffeeee"), static ring buffer (4 slots, <= 32 bytes). */
const char *dlv_hex(const void *p, size_t n);

#endif
