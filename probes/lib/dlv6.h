/* SPDX-License-Identifier: GPL-2.0 */
/*
 * dlv6.h - the IPv6 side of the delivery helpers (lib/dlv.h), for the
 * delivery6 and sendopts6 probes.
 *
 * The same design as dlv.h: test datagrams carry {magic, tag, seq, len} and a
 * pattern (dlv_fill/dlv_parse), "nothing arrived" is decided by a witness
 * socket or a sentinel sent later along the same path (scenario pinned to one
 * CPU with dlv_pin_cpu(), RPS off), and the one wait there is is positive
 * (DLV_POSITIVE_MS).
 *
 * Sockets are AF_INET6 UDP with IPV6_RECVHOPLIMIT and IPV6_RECVPKTINFO on, so
 * every read reports the hop limit the datagram arrived with and its
 * arrival interface and header destination (for IPv4 datagrams read by a
 * dual-stack socket the kernel reports the TTL and a v4-mapped address).
 *
 * Helpers return -1 and set errno on failure.
 */
#ifndef DLV6_H
#define DLV6_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct dlv6_rx {
	uint32_t tag, seq;	/* first, as in struct dlv_rx */
	size_t len;
	int intact;		/* header and payload pattern as sent */
	int hoplimit;		/* IPV6_HOPLIMIT cmsg, -1 if none */
	int ifindex;		/* IPV6_PKTINFO ipi6_ifindex, 0 if none */
	struct in6_addr src;	/* sender address (v4-mapped for IPv4) */
	struct in6_addr dst;	/* IPV6_PKTINFO ipi6_addr */
};

/* IPv6 on, DAD off and no automatic link-local address (addr_gen_mode 1)
 * for devices of the current namespace made from now on (pinned: set, then
 * read back): a device has exactly the addresses a scenario gives it. */
int dlv6_pin(void);
/* dlv_ns_new() with dlv6_pin() inside. */
int dlv6_ns_new(void);

/* the same bits as DLV_REUSE* (lib/dlv.h) */
#define DLV6_REUSEADDR 1
#define DLV6_REUSEPORT 2
#define DLV6_DUAL 4		/* IPV6_V6ONLY 0 (default here: 1, pinned per socket) */
/* AF_INET6 UDP socket bound to addr ("::", a group, "::ffff:a.b.c.d") and port. */
int dlv6_udp(int flags, const char *addr, uint16_t port);
int dlv6_udp_in(int nsfd, int flags, const char *addr, uint16_t port);

int dlv6_set_if(int fd, int ifindex);
int dlv6_set_hops(int fd, int hops);
int dlv6_set_loop(int fd, int loop);
/* IPV6_JOIN_GROUP / IPV6_LEAVE_GROUP with ipv6_mreq */
int dlv6_join(int fd, const char *group, int ifindex);
int dlv6_leave(int fd, const char *group, int ifindex);

/* One test datagram of total length len to dst (an IPv6 literal) and port. */
ssize_t dlv6_send(int fd, const char *dst, uint16_t port, uint32_t tag, uint32_t seq, size_t len);

/* As dlv_recv/dlv_drain/dlv_count_until_sentinel (lib/dlv.h), for AF_INET6. */
int dlv6_recv(int fd, struct dlv6_rx *rx, int timeout_ms);
int dlv6_drain(int fd, uint32_t tag, struct dlv6_rx *last);
int dlv6_count_until_sentinel(int fd, uint32_t tag, struct dlv6_rx *first);

/* rtnetlink, current namespace: an address without DAD ("fd00::1/64"), and a
 * route of the given type (RTN_UNICAST, RTN_LOCAL, RTN_MULTICAST) in table
 * (RT_TABLE_MAIN, RT_TABLE_LOCAL) with a metric (0: the kernel's default). */
int dlv6_addr_add(const char *ifname, const char *cidr);
int dlv6_route_add(const char *dst, const char *ifname, int type, int table, unsigned int metric);
int dlv6_route_del(const char *dst, const char *ifname, int type, int table, unsigned int metric);

/* A counter of /proc/self/net/snmp6 ("Ip6OutNoRoutes"); -1 if absent. */
long dlv6_snmp(const char *name);

/* Address text in a static ring buffer (4 slots). */
const char *dlv6_ntop(const struct in6_addr *a);

#endif
