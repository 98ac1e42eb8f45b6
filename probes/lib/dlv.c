// SPDX-License-Identifier: GPL-2.0
/*
 * dlv.c - datagram helpers for the delivery probes. See dlv.h.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "dlv.h"
#include "dlv6.h"
#include "mcp.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <linux/if.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static long now_ms(void);

struct dlv_hdr {
	uint32_t magic, tag, seq, len;
};

/* RPS would steer received packets to other CPUs (per flow), breaking the
 * one-CPU argument for a sentinel sent from another socket: devices made in a
 * namespace take net.core.rps_default_mask, so keep it 0 where it exists. */
static int no_rps(void)
{
	if (access("/proc/sys/net/core/rps_default_mask", F_OK) != 0)
		return 0;
	return mcp_sysctl_pin("net.core.rps_default_mask", 0);
}

struct ns_setup {
	int (*fn)(void);
};

static int ns_setup_cb(void *arg)
{
	const struct ns_setup *s = arg;

	if (no_rps() < 0)
		return -1;
	return s->fn ? s->fn() : 0;
}

int dlv_ns_new_with(int (*setup)(void))
{
	struct ns_setup s = { setup };
	int fd = mcp_ns_new(), e;

	if (fd < 0)
		return -1;
	if (mcp_in_ns(fd, ns_setup_cb, &s) < 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int dlv_ns_new(void)
{
	return dlv_ns_new_with(NULL);
}

int dlv_pin_cpu(void)
{
	cpu_set_t set;
	int cpu = sched_getcpu();

	if (no_rps() < 0)
		return -1;
	if (cpu < 0)
		return -1;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

int dlv_udp_bound(int family, int flags, const struct dlv_sockopt *opts, size_t n,
		  const void *sa, socklen_t salen)
{
	int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0), one = 1, e;
	size_t i = 0;

	if (fd < 0)
		return -1;
	if ((flags & DLV_REUSEADDR) && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		goto fail;
	if ((flags & DLV_REUSEPORT) && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0)
		goto fail;
	for (; i < n; i++)
		if (setsockopt(fd, opts[i].level, opts[i].opt, &opts[i].val, sizeof(opts[i].val)) < 0)
			goto fail;
	if (bind(fd, sa, salen) == 0)
		return fd;
fail:
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

int dlv_udp(int flags, const char *addr, uint16_t port)
{
	static const struct dlv_sockopt opts[] = {
		{ IPPROTO_IP, IP_RECVTTL, 1 },
		{ IPPROTO_IP, IP_PKTINFO, 1 },
	};
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };

	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
		errno = EINVAL;
		return -1;
	}
	return dlv_udp_bound(AF_INET, flags, opts, MCP_ARRAY_SIZE(opts), &sin, sizeof(sin));
}

struct udp_args {
	dlv_udp_fn make;
	int flags;
	const char *addr;
	uint16_t port;
};

static int udp_cb(void *arg)
{
	const struct udp_args *a = arg;

	return a->make(a->flags, a->addr, a->port);
}

int dlv_udp_in_by(dlv_udp_fn make, int nsfd, int flags, const char *addr, uint16_t port)
{
	struct udp_args a = { make, flags, addr, port };

	return mcp_in_ns(nsfd, udp_cb, &a);
}

int dlv_udp_in(int nsfd, int flags, const char *addr, uint16_t port)
{
	return dlv_udp_in_by(dlv_udp, nsfd, flags, addr, port);
}

int dlv_set_if_index(int fd, int ifindex)
{
	struct ip_mreqn m = { .imr_ifindex = ifindex };

	return setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &m, sizeof(m));
}

int dlv_set_ttl(int fd, int ttl)
{
	return setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl));
}

int dlv_set_loop(int fd, int loop)
{
	return setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof(loop));
}

int dlv_get_int(int fd, int level, int opt, int *val)
{
	socklen_t l = sizeof(*val);

	*val = 0;
	return getsockopt(fd, level, opt, val, &l);
}

void dlv_fill(void *buf, uint32_t tag, uint32_t seq, size_t len)
{
	struct dlv_hdr h = { DLV_MAGIC, tag, seq, (uint32_t)len };
	unsigned char *p = buf;

	memcpy(p, &h, sizeof(h));
	for (size_t i = sizeof(h); i < len; i++)
		p[i] = (unsigned char)(i * 7 + seq * 13 + tag);
}

static int check_payload(const unsigned char *p, size_t n, struct dlv_rx *rx)
{
	struct dlv_hdr h;

	if (n < sizeof(h))
		return 0;
	memcpy(&h, p, sizeof(h));
	if (h.magic != DLV_MAGIC)
		return 0;
	rx->tag = h.tag;
	rx->seq = h.seq;
	if (h.len != n)
		return 0;
	for (size_t i = sizeof(h); i < n; i++)
		if (p[i] != (unsigned char)(i * 7 + h.seq * 13 + h.tag))
			return 0;
	return 1;
}

int dlv_parse(const void *buf, size_t n, uint32_t *tag, uint32_t *seq)
{
	struct dlv_rx rx = { 0 };
	int ok = check_payload(buf, n, &rx);

	*tag = rx.tag;
	*seq = rx.seq;
	return ok;
}

ssize_t dlv_sendto(int fd, const void *sa, socklen_t salen, uint32_t tag, uint32_t seq, size_t len)
{
	unsigned char buf[2048];

	if (len < sizeof(struct dlv_hdr) || len > sizeof(buf)) {
		errno = EINVAL;
		return -1;
	}
	dlv_fill(buf, tag, seq, len);
	return sa ? sendto(fd, buf, len, 0, sa, salen) : send(fd, buf, len, 0);
}

ssize_t dlv_send(int fd, const char *dst, uint16_t port, uint32_t tag, uint32_t seq, size_t len)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };

	if (inet_pton(AF_INET, dst, &sin.sin_addr) != 1) {
		errno = EINVAL;
		return -1;
	}
	return dlv_sendto(fd, &sin, sizeof(sin), tag, seq, len);
}

ssize_t dlv_send_connected(int fd, uint32_t tag, uint32_t seq, size_t len)
{
	return dlv_sendto(fd, NULL, 0, tag, seq, len);
}

int dlv_read_msg(int fd, int flags, struct dlv_msg *d)
{
	ssize_t n;

	memset(d, 0, sizeof(*d));
	d->iov.iov_base = d->buf;
	d->iov.iov_len = sizeof(d->buf);
	d->m.msg_name = &d->from;
	d->m.msg_namelen = sizeof(d->from);
	d->m.msg_iov = &d->iov;
	d->m.msg_iovlen = 1;
	d->m.msg_control = d->cbuf;
	d->m.msg_controllen = sizeof(d->cbuf);
	n = recvmsg(fd, &d->m, flags);
	if (n < 0)
		return -1;
	d->len = (size_t)n;
	d->intact = dlv_parse(d->buf, d->len, &d->tag, &d->seq) && !(d->m.msg_flags & MSG_TRUNC);
	return 0;
}

static int read_one(int fd, struct dlv_rx *rx, int flags)
{
	struct dlv_msg d;

	if (dlv_read_msg(fd, flags, &d) < 0)
		return -1;
	*rx = (struct dlv_rx){ .tag = d.tag, .seq = d.seq, .len = d.len, .intact = d.intact, .ttl = -1 };
	memcpy(&rx->src, &((struct sockaddr_in *)&d.from)->sin_addr, sizeof(rx->src));
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&d.m); c; c = CMSG_NXTHDR(&d.m, c)) {
		if (c->cmsg_level != IPPROTO_IP)
			continue;
		if (c->cmsg_type == IP_TTL) {
			int t;

			memcpy(&t, CMSG_DATA(c), sizeof(t));
			rx->ttl = t;
		} else if (c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			rx->ifindex = pi.ipi_ifindex;
			rx->dst = pi.ipi_addr;
			rx->spec_dst = pi.ipi_spec_dst;
		}
	}
	return 1;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* The loops below serve both families: rx is a struct dlv_rx or dlv6_rx, whose
 * first member is the tag (a pointer to a struct is a pointer to its first
 * member), and read reads one datagram into it. */
static uint32_t rx_tag(const void *rx)
{
	return *(const uint32_t *)rx;
}

int dlv_recv_by(dlv_read_fn read, int fd, void *rx, int timeout_ms)
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
			if (read(fd, rx, MSG_DONTWAIT) == 1)
				return 1;
			if (errno != EAGAIN && errno != EINTR)
				return -1;
		}
		if (left == 0)
			return 0;
	}
}

union any_rx {
	struct dlv_rx v4;
	struct dlv6_rx v6;
};

int dlv_drain_by(dlv_read_fn read, size_t size, int fd, uint32_t tag, void *last)
{
	union any_rx rx;
	int n = 0;

	/* bounded: a socket cannot hold more than its receive buffer */
	for (int i = 0; i < 100000 && read(fd, &rx, MSG_DONTWAIT) == 1; i++) {
		if (tag && rx_tag(&rx) != tag)
			continue;
		n++;
		if (last)
			memcpy(last, &rx, size);
	}
	return n;
}

int dlv_count_until_sentinel_by(dlv_read_fn read, size_t size, int fd, uint32_t tag, void *first)
{
	union any_rx rx;
	int n = 0;

	for (int i = 0; i < 100000; i++) {
		int r = dlv_recv_by(read, fd, &rx, DLV_POSITIVE_MS);

		if (r < 0)
			mcp_broken("reading up to the sentinel");
		if (r == 0) {
			errno = 0;
			mcp_broken("sentinel did not arrive within %d ms", DLV_POSITIVE_MS);
		}
		if (rx_tag(&rx) == DLV_TAG_SENTINEL)
			return n;
		if (rx_tag(&rx) == tag) {
			if (!n && first)
				memcpy(first, &rx, size);
			n++;
		}
	}
	errno = 0;
	mcp_broken("no sentinel among 100000 datagrams");
}

static int read_one_cb(int fd, void *rx, int flags)
{
	return read_one(fd, rx, flags);
}

int dlv_recv(int fd, struct dlv_rx *rx, int timeout_ms)
{
	return dlv_recv_by(read_one_cb, fd, rx, timeout_ms);
}

int dlv_drain(int fd, uint32_t tag, struct dlv_rx *last)
{
	return dlv_drain_by(read_one_cb, sizeof(*last), fd, tag, last);
}

int dlv_count_until_sentinel(int fd, uint32_t tag, struct dlv_rx *first)
{
	return dlv_count_until_sentinel_by(read_one_cb, sizeof(*first), fd, tag, first);
}

const struct dlv_fam dlv_fam4 = {
	.any = "0.0.0.0", .udp_name = "udp", .if_opt = "IP_MULTICAST_IF",
	.udp = dlv_udp, .set_if = dlv_set_if_index, .set_loop = dlv_set_loop, .set_hops = dlv_set_ttl, .join = mcp_join_ifindex,
	.send = dlv_send, .read = read_one_cb,
};

int dlv_must_udp(const struct dlv_fam *f, int flags, const char *addr, uint16_t port)
{
	int fd = f->udp(flags, addr, port);

	if (fd < 0)
		mcp_broken("%s socket bound to %s port %u", f->udp_name, addr, port);
	return fd;
}

int dlv_must_sender(const struct dlv_fam *f, int ifindex)
{
	int fd = dlv_must_udp(f, 0, f->any, 0);

	if (f->set_if(fd, ifindex) < 0)
		mcp_broken("%s %s", f->if_opt, dlv_ifname_in(-1, ifindex));
	return fd;
}

int dlv_must_sender_set(const struct dlv_fam *f, int ifindex, int loop, int hops)
{
	int fd = dlv_must_udp(f, 0, f->any, 0);

	if (f->set_if(fd, ifindex) < 0 || (loop != DLV_KEEP && f->set_loop(fd, loop) < 0) ||
	    (hops != DLV_KEEP && f->set_hops(fd, hops) < 0))
		mcp_broken("sender on %s (loop %d, hops %d)", dlv_ifname_in(-1, ifindex), loop, hops);
	return fd;
}

void dlv_must_join(const struct dlv_fam *f, int fd, const char *group, int ifindex)
{
	if (f->join(fd, group, ifindex) < 0)
		mcp_broken("join %s on %s", group, dlv_ifname_in(-1, ifindex));
}

void dlv_must_send(const struct dlv_fam *f, int fd, const char *dst, uint16_t port,
		   uint32_t tag, uint32_t seq, size_t len)
{
	if (f->send(fd, dst, port, tag, seq, len) != (ssize_t)len)
		mcp_broken("send to %s port %u", dst, port);
}

void dlv_await_witness(const struct dlv_fam *f, int witness, uint32_t tag)
{
	union any_rx rx;
	int r;

	do {
		r = dlv_recv_by(f->read, witness, &rx, DLV_POSITIVE_MS);
		if (r <= 0) {
			errno = r < 0 ? errno : 0;
			mcp_broken("witness socket got nothing within %d ms", DLV_POSITIVE_MS);
		}
	} while (rx_tag(&rx) != tag);
}

/* per[i]: datagrams of tag socket i got, reading until it has sent of them
 * (positive waits) and then what is queued */
static void count_each(const struct dlv_fam *f, const int *fd, int n, uint32_t tag, int sent, int *per)
{
	for (int i = 0; i < n; i++) {
		union any_rx rx;

		per[i] = 0;
		while (per[i] < sent && dlv_recv_by(f->read, fd[i], &rx, DLV_POSITIVE_MS) == 1)
			per[i] += rx_tag(&rx) == tag;
		per[i] += dlv_drain_by(f->read, sizeof(rx), fd[i], tag, NULL);
	}
}

/* unicast: each of want datagrams goes to exactly one member of the group */
static int count_spread(const struct dlv_fam *f, const int *fd, int n, uint32_t tag, int want)
{
	int got = 0;

	for (int spins = 0; spins < 1000 && got < want; spins++) {
		union any_rx rx;

		for (int i = 0; i < n; i++)
			got += dlv_drain_by(f->read, sizeof(rx), fd[i], tag, NULL);
		/* a short block on one member keeps the loop from spinning */
		if (got < want && dlv_recv_by(f->read, fd[spins % n], &rx, 10) == 1 && rx_tag(&rx) == tag)
			got++;
	}
	for (int i = 0; i < n; i++)
		got += dlv_drain_by(f->read, sizeof(union any_rx), fd[i], tag, NULL);
	return got;
}

void dlv_reuseport(const struct dlv_fam *f, const char *group, uint16_t port, const char *unicast,
		   int ifindex, const char *id_multicast, const char *id_unicast)
{
	int fd[3], per[3], s, sent = 0;

	for (int i = 0; i < 3; i++) {
		fd[i] = dlv_must_udp(f, DLV_REUSEPORT, f->any, port);
		dlv_must_join(f, fd[i], group, ifindex);
	}
	s = dlv_must_sender(f, ifindex);
	for (int k = 0; k < 4; k++)
		sent += f->send(s, group, port, 1, (uint32_t)k, 64) == 64;
	count_each(f, fd, 3, 1, sent, per);
	obs_begin("%s", id_multicast);
	obs_int("sent", sent);
	obs_arr_begin("received");
	for (int i = 0; i < 3; i++)
		obs_int(NULL, per[i]);
	obs_arr_end();
	obs_end();

	for (int k = 0; k < 6; k++)
		dlv_must_send(f, s, unicast, port, 2, (uint32_t)k, 64);
	obs_begin("%s", id_unicast);
	obs_int("sent", 6);
	obs_int("received_total", count_spread(f, fd, 3, 2, 6));
	obs_end();
	close(s);
	for (int i = 0; i < 3; i++)
		close(fd[i]);
}

void dlv_path_rows(const struct dlv_path *p, const struct dlv_path_row *rows, size_t n, uint32_t tag0)
{
	for (size_t i = 0; i < n; i++) {
		int s = dlv_must_sender_set(p->f, *p->ifindex[rows[i].dev], rows[i].loop, rows[i].hops);

		p->observe(s, tag0 + (uint32_t)i);
		obs_begin("%s", rows[i].id);
		p->report(&rows[i]);
		obs_end();
		close(s);
	}
}

static int ifindex_cb(void *ifname)
{
	return mcp_ifindex(ifname);
}

int dlv_ifindex_in(int nsfd, const char *ifname)
{
	return mcp_in_ns(nsfd, ifindex_cb, (void *)ifname);
}

/* see dlv.h: serialised behind linkwatch, not only IFF_RUNNING */
static int wait_running_cb(void *ifname)
{
	return mcp_link_wait_up(ifname, DLV_POSITIVE_MS);
}

int dlv_wait_running(int nsfd, const char *ifname)
{
	return mcp_in_ns(nsfd, wait_running_cb, (void *)ifname);
}

int dlv_link_pair(const char *local, const char *local_cidr, int peer_nsfd,
		  const char *peer, const char *peer_cidr)
{
	if (mcp_link_pair(local, local_cidr, peer_nsfd, peer, peer_cidr) < 0)
		return -1;
	if (dlv_wait_running(-1, local) < 0 || dlv_wait_running(peer_nsfd, peer) < 0)
		return -1;
	return 0;
}

struct ifname_args {
	int ifindex;
	char *out;
};

static int ifname_cb(void *arg)
{
	struct ifname_args *a = arg;

	if (a->ifindex <= 0 || !if_indextoname((unsigned int)a->ifindex, a->out))
		snprintf(a->out, IF_NAMESIZE + 1, "?");
	return 0;
}

const char *dlv_ifname_in(int nsfd, int ifindex)
{
	static char ring[4][IF_NAMESIZE + 1];
	static int slot;
	char *out = ring[slot++ % 4];
	struct ifname_args a = { ifindex, out };

	if (mcp_in_ns(nsfd, ifname_cb, &a) < 0)
		mcp_broken("enter namespace for if_indextoname");
	return out;
}

const char *dlv_ntoa(struct in_addr a)
{
	static char ring[4][INET_ADDRSTRLEN];
	static int slot;
	char *out = ring[slot++ % 4];

	inet_ntop(AF_INET, &a, out, INET_ADDRSTRLEN);
	return out;
}

const char *dlv_hex(const void *p, size_t n)
{
	static char ring[4][65];
	static int slot;
	char *out = ring[slot++ % 4];
	const unsigned char *b = p;

	if (n > 32)
		n = 32;
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
	out[2 * n] = 0;
	return out;
}

void dlv_obs_defaults(int family, int level, const int opts[4], const struct dlv_default_row *rows, size_t n)
{
	MCP_SAFE(mcp_sysctl_set("net.ipv4.ping_group_range", "0 2147483647"));
	for (size_t i = 0; i < n; i++) {
		int fd = MCP_SAFE(socket(family, rows[i].type | SOCK_CLOEXEC, rows[i].proto));

		for (size_t o = 0; o < 4; o++) {
			int v = -1;
			struct mcp_res r = MCP_TRY(dlv_get_int(fd, level, opts[o], &v));

			obs_begin("%s", rows[i].ids[o]);
			obs_res(NULL, r);
			obs_int("value", v);
			obs_end();
		}
		close(fd);
	}
}
