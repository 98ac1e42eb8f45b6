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
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
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
	int fd = dlv_ns_new(), here, e;

	if (fd < 0)
		return -1;
	here = mcp_ns_self();
	if (here < 0 || mcp_ns_enter(fd) < 0) {
		e = errno;
		close(fd);
		if (here >= 0)
			close(here);
		errno = e;
		return -1;
	}
	e = dlv6_pin() < 0 ? errno : 0;
	if (mcp_ns_enter(here) < 0)
		_exit(3);	/* never go on in the wrong namespace */
	close(here);
	if (e) {
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
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
	struct sockaddr_in6 sin = { .sin6_family = AF_INET6, .sin6_port = htons(port) };
	int fd, one = 1, v6only = !(flags & DLV6_DUAL), e;

	if (a6(addr, &sin.sin6_addr) < 0)
		return -1;
	fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (((flags & DLV6_REUSEADDR) && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0) ||
	    ((flags & DLV6_REUSEPORT) && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0) ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int dlv6_udp_in(int nsfd, int flags, const char *addr, uint16_t port)
{
	int here = mcp_ns_self(), fd, e;

	if (here < 0)
		return -1;
	if (mcp_ns_enter(nsfd) < 0) {
		e = errno;
		close(here);
		errno = e;
		return -1;
	}
	fd = dlv6_udp(flags, addr, port);
	e = errno;
	if (mcp_ns_enter(here) < 0)
		_exit(3);
	close(here);
	errno = e;
	return fd;
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
	unsigned char buf[2048];
	struct sockaddr_in6 sin = { .sin6_family = AF_INET6, .sin6_port = htons(port) };

	if (len < 16 || len > sizeof(buf) || a6(dst, &sin.sin6_addr) < 0) {
		errno = EINVAL;
		return -1;
	}
	dlv_fill(buf, tag, seq, len);
	return sendto(fd, buf, len, 0, (struct sockaddr *)&sin, sizeof(sin));
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
	unsigned char buf[4096];
	char cbuf[256];
	struct sockaddr_in6 from = { 0 };
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr m = {
		.msg_name = &from, .msg_namelen = sizeof(from),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	ssize_t n = recvmsg(fd, &m, flags);

	if (n < 0)
		return -1;
	memset(rx, 0, sizeof(*rx));
	rx->hoplimit = -1;
	rx->len = (size_t)n;
	rx->src = from.sin6_addr;
	rx->intact = dlv_parse(buf, (size_t)n, &rx->tag, &rx->seq) && !(m.msg_flags & MSG_TRUNC);
	read_cmsgs(&m, rx);
	return 1;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int dlv6_recv(int fd, struct dlv6_rx *rx, int timeout_ms)
{
	long end = now_ms() + timeout_ms;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long left = end - now_ms();
		int r;

		if (left < 0)
			left = 0;
		r = poll(&p, 1, (int)left);
		if (r < 0 && errno != EINTR)
			return -1;
		if (r > 0) {
			if (read_one(fd, rx, MSG_DONTWAIT) == 1)
				return 1;
			if (errno != EAGAIN && errno != EINTR)
				return -1;
		}
		if (left == 0)
			return 0;
	}
}

int dlv6_drain(int fd, uint32_t tag, struct dlv6_rx *last)
{
	struct dlv6_rx rx;
	int n = 0;

	/* bounded: a socket cannot hold more than its receive buffer */
	for (int i = 0; i < 100000 && read_one(fd, &rx, MSG_DONTWAIT) == 1; i++) {
		if (tag && rx.tag != tag)
			continue;
		n++;
		if (last)
			*last = rx;
	}
	return n;
}

int dlv6_count_until_sentinel(int fd, uint32_t tag, struct dlv6_rx *first)
{
	struct dlv6_rx rx;
	int n = 0;

	for (int i = 0; i < 100000; i++) {
		int r = dlv6_recv(fd, &rx, DLV_POSITIVE_MS);

		if (r < 0)
			mcp_broken("reading up to the sentinel");
		if (r == 0) {
			errno = 0;
			mcp_broken("sentinel did not arrive within %d ms", DLV_POSITIVE_MS);
		}
		if (rx.tag == DLV_TAG_SENTINEL)
			return n;
		if (rx.tag == tag) {
			if (!n && first)
				*first = rx;
			n++;
		}
	}
	errno = 0;
	mcp_broken("no sentinel among 100000 datagrams");
}

/* ------------------------------------------------------------------ */
/* rtnetlink */

struct nlreq6 {
	char buf[1024] __attribute__((aligned(NLMSG_ALIGNTO)));
};

static void put(struct nlmsghdr *h, int type, const void *data, size_t len)
{
	struct rtattr *rta = (struct rtattr *)((char *)h + NLMSG_ALIGN(h->nlmsg_len));

	rta->rta_type = (unsigned short)type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

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
	put(h, IFA_LOCAL, &a, sizeof(a));
	put(h, IFA_ADDRESS, &a, sizeof(a));
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
	put(h, RTA_DST, &d, sizeof(d));
	put(h, RTA_OIF, &oif, sizeof(oif));
	put(h, RTA_TABLE, &tbl, sizeof(tbl));
	if (metric)
		put(h, RTA_PRIORITY, &metric, sizeof(metric));
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
