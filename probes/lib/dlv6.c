// SPDX-License-Identifier: GPL-2.0
/*
 * dlv6.c - IPv6 delivery helpers. See dlv6.h.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "dlv6.h"
#include "dlv.h"
#include "mcp.h"

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int dlv6_pin(void)
{
	static const char *const names[] = {
		"net.ipv6.conf.all.disable_ipv6", "net.ipv6.conf.default.disable_ipv6",
		"net.ipv6.conf.all.accept_dad", "net.ipv6.conf.default.accept_dad",
	};
	long mode = -1;


	for (size_t i = 0; i < MCP_ARRAY_SIZE(names); i++) {
		long v = -1;

		if (mcp_sysctl_set_int(names[i], 0) < 0 || mcp_sysctl_get_int(names[i], &v) < 0)
			return -1;
		if (v) {
			errno = EINVAL;
			return -1;
		}
	}
	/* no automatic link-local addresses: they stay tentative until a
	 * workqueue item runs (even without DAD), so source selection would
	 * change under load; every address is added explicitly with NODAD */
	if (mcp_sysctl_set_int("net.ipv6.conf.default.addr_gen_mode", 1) < 0 ||
	    mcp_sysctl_get_int("net.ipv6.conf.default.addr_gen_mode", &mode) < 0)
		return -1;
	if (mode != 1) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int dlv6_ns_new(void)
{
	return dlv_ns_new_with(dlv6_pin);
}

static int a6(const char *s, struct in6_addr *a)
{
	if (inet_pton(AF_INET6, s, a) != 1) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int dlv6_udp(int flags, const char *addr, uint16_t port)
{
	const struct dlv_sockopt opts[] = {
		{ IPPROTO_IPV6, IPV6_V6ONLY, !(flags & DLV6_DUAL) },
		{ IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1 },
		{ IPPROTO_IPV6, IPV6_RECVPKTINFO, 1 },
	};
	struct sockaddr_in6 sin = { .sin6_family = AF_INET6, .sin6_port = htons(port) };

	if (a6(addr, &sin.sin6_addr) < 0)
		return -1;
	return dlv_udp_bound(AF_INET6, flags, opts, MCP_ARRAY_SIZE(opts), &sin, sizeof(sin));
}

int dlv6_udp_in(int nsfd, int flags, const char *addr, uint16_t port)
{
	return dlv_udp_in_by(dlv6_udp, nsfd, flags, addr, port);
}

int dlv6_set_if(int fd, int ifindex)
{
	return setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof(ifindex));
}

int dlv6_set_hops(int fd, int hops)
{
	return setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops));
}

int dlv6_set_loop(int fd, int loop)
{
	return setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &loop, sizeof(loop));
}

static int mreq6(int fd, int opt, const char *group, int ifindex)
{
	struct ipv6_mreq m = { .ipv6mr_interface = (unsigned int)ifindex };

	if (a6(group, &m.ipv6mr_multiaddr) < 0)
		return -1;
	return setsockopt(fd, IPPROTO_IPV6, opt, &m, sizeof(m));
}

int dlv6_join(int fd, const char *group, int ifindex) { return mreq6(fd, IPV6_JOIN_GROUP, group, ifindex); }
int dlv6_leave(int fd, const char *group, int ifindex) { return mreq6(fd, IPV6_LEAVE_GROUP, group, ifindex); }

ssize_t dlv6_send(int fd, const char *dst, uint16_t port, uint32_t tag, uint32_t seq, size_t len)
{
	struct sockaddr_in6 sin = { .sin6_family = AF_INET6, .sin6_port = htons(port) };

	if (a6(dst, &sin.sin6_addr) < 0)
		return -1;
	return dlv_sendto(fd, &sin, sizeof(sin), tag, seq, len);
}

static void read_cmsgs(struct msghdr *m, struct dlv6_rx *rx)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		if (c->cmsg_level != IPPROTO_IPV6)
			continue;
		if (c->cmsg_type == IPV6_HOPLIMIT) {
			memcpy(&rx->hoplimit, CMSG_DATA(c), sizeof(int));
		} else if (c->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			rx->ifindex = (int)pi.ipi6_ifindex;
			rx->dst = pi.ipi6_addr;
		}
	}
}

static int read_one(int fd, struct dlv6_rx *rx, int flags)
{
	struct dlv_msg d;

	if (dlv_read_msg(fd, flags, &d) < 0)
		return -1;
	*rx = (struct dlv6_rx){ .tag = d.tag, .seq = d.seq, .len = d.len, .intact = d.intact, .hoplimit = -1 };
	memcpy(&rx->src, &((struct sockaddr_in6 *)&d.from)->sin6_addr, sizeof(rx->src));
	read_cmsgs(&d.m, rx);
	return 1;
}

static int read_one_cb(int fd, void *rx, int flags) { return read_one(fd, rx, flags); }

/* the loops are the IPv4 ones (lib/dlv.c) */
int dlv6_recv(int fd, struct dlv6_rx *rx, int timeout_ms) { return dlv_recv_by(read_one_cb, fd, rx, timeout_ms); }
int dlv6_drain(int fd, uint32_t tag, struct dlv6_rx *last)
{ return dlv_drain_by(read_one_cb, sizeof(*last), fd, tag, last); }
int dlv6_count_until_sentinel(int fd, uint32_t tag, struct dlv6_rx *first)
{ return dlv_count_until_sentinel_by(read_one_cb, sizeof(*first), fd, tag, first); }

const struct dlv_fam dlv_fam6 = {
	.any = "::", .udp_name = "udp6", .if_opt = "IPV6_MULTICAST_IF",
	.udp = dlv6_udp, .set_if = dlv6_set_if, .set_loop = dlv6_set_loop, .set_hops = dlv6_set_hops, .join = dlv6_join,
	.send = dlv6_send, .read = read_one_cb,
};

/* ------------------------------------------------------------------ */
/* rtnetlink */

struct nlreq6 {
	char buf[1024] __attribute__((aligned(NLMSG_ALIGNTO)));
};

static int cidr6(const char *cidr, struct in6_addr *a, int *plen)
{
	char tmp[64], *slash;

	snprintf(tmp, sizeof(tmp), "%s", cidr);
	slash = strchr(tmp, '/');
	*plen = 128;
	if (slash) {
		*slash = 0;
		*plen = atoi(slash + 1);
	}
	if (a6(tmp, a) < 0 || *plen < 0 || *plen > 128) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int dlv6_addr_add(const char *ifname, const char *cidr)
{
	struct nlreq6 r;
	struct nlmsghdr *h = memset(r.buf, 0, sizeof(r.buf));
	struct ifaddrmsg *ifa;
	struct in6_addr a;
	int plen, idx = mcp_ifindex(ifname);

	if (idx < 0 || cidr6(cidr, &a, &plen) < 0)
		return -1;
	h->nlmsg_len = NLMSG_LENGTH(sizeof(*ifa));
	h->nlmsg_type = RTM_NEWADDR;
	h->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifa = NLMSG_DATA(h);
	ifa->ifa_family = AF_INET6;
	ifa->ifa_prefixlen = (unsigned char)plen;
	ifa->ifa_flags = IFA_F_NODAD;
	ifa->ifa_index = (unsigned int)idx;
	mcp_nla_put(h, IFA_LOCAL, &a, sizeof(a));
	mcp_nla_put(h, IFA_ADDRESS, &a, sizeof(a));
	return mcp_nl_talk(h);
}

static int route6(int op, const char *dst, const char *ifname, int type, int table, unsigned int metric)
{
	struct nlreq6 r;
	struct nlmsghdr *h = memset(r.buf, 0, sizeof(r.buf));
	struct rtmsg *rtm;
	struct in6_addr d;
	int plen, idx = mcp_ifindex(ifname);
	uint32_t oif, tbl = (uint32_t)table;

	if (idx < 0 || cidr6(dst, &d, &plen) < 0)
		return -1;
	oif = (uint32_t)idx;
	h->nlmsg_len = NLMSG_LENGTH(sizeof(*rtm));
	h->nlmsg_type = (unsigned short)op;
	if (op == RTM_NEWROUTE)
		h->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	rtm = NLMSG_DATA(h);
	rtm->rtm_family = AF_INET6;
	rtm->rtm_dst_len = (unsigned char)plen;
	rtm->rtm_table = table < 256 ? (unsigned char)table : RT_TABLE_UNSPEC;
	/* a delete names no protocol: it must match the kernel's own routes too */
	rtm->rtm_protocol = op == RTM_NEWROUTE ? RTPROT_BOOT : RTPROT_UNSPEC;
	rtm->rtm_scope = type == RTN_LOCAL ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE;
	rtm->rtm_type = (unsigned char)type;
	mcp_nla_put(h, RTA_DST, &d, sizeof(d));
	mcp_nla_put(h, RTA_OIF, &oif, sizeof(oif));
	mcp_nla_put(h, RTA_TABLE, &tbl, sizeof(tbl));
	if (metric)
		mcp_nla_put(h, RTA_PRIORITY, &metric, sizeof(metric));
	return mcp_nl_talk(h);
}

int dlv6_route_add(const char *dst, const char *ifname, int type, int table, unsigned int metric)
{
	return route6(RTM_NEWROUTE, dst, ifname, type, table, metric);
}

int dlv6_route_del(const char *dst, const char *ifname, int type, int table, unsigned int metric)
{
	return route6(RTM_DELROUTE, dst, ifname, type, table, metric);
}

long dlv6_snmp(const char *name)
{
	char line[256], key[128];
	long v, out = -1;
	FILE *f = fopen("/proc/self/net/snmp6", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%127s %ld", key, &v) == 2 && !strcmp(key, name))
			out = v;
	fclose(f);
	return out;
}

const char *dlv6_ntop(const struct in6_addr *a)
{
	static char ring[4][INET6_ADDRSTRLEN];
	static int slot;
	char *out = ring[slot++ % 4];

	inet_ntop(AF_INET6, a, out, INET6_ADDRSTRLEN);
	return out;
}
