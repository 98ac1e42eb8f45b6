// SPDX-License-Identifier: GPL-2.0
/*
 * capture.c - AF_PACKET capture and injection helpers; see capture.h.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "capture.h"
#include "mcp.h"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <linux/if.h>	/* IF_OPER_UP; after <net/if.h>, which it defers to */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* the socket belongs to the namespace it was made in, wherever we go next */
static int packet_socket(void *arg)
{
	int one = 1, e, fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ETH_P_ALL));

	(void)arg;
	if (fd >= 0 &&
	    (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)) < 0 ||
	     setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)) < 0)) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int mcap_open(struct mcap *c, int nsfd)
{
	memset(c, 0, sizeof(*c));
	c->fd = mcp_in_ns(nsfd, packet_socket, NULL);
	if (c->fd < 0)
		return -1;
	clock_gettime(CLOCK_REALTIME, &c->mark);
	return 0;
}

int mcap_bind_dev(struct mcap *c, const char *ifname)
{
	struct ifreq ifr;

	/* ioctls on the packet socket resolve names in the socket's namespace */
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(c->fd, SIOCGIFINDEX, &ifr) < 0)
		return -1;
	c->ifindex = ifr.ifr_ifindex;
	if (ioctl(c->fd, SIOCGIFHWADDR, &ifr) < 0)
		return -1;
	memcpy(c->mac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

static long long ts_us(const struct timespec *a, const struct timespec *b)
{
	return (long long)(a->tv_sec - b->tv_sec) * 1000000 + (a->tv_nsec - b->tv_nsec) / 1000;
}

/* One frame from the socket: 1 kept, 0 skipped, -1 nothing queued (errno). */
static int read_one(struct mcap *c)
{
	unsigned char buf[2048];
	char ctl[256];
	struct sockaddr_ll sll;
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr m = {
		.msg_name = &sll, .msg_namelen = sizeof(sll),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl, .msg_controllen = sizeof(ctl),
	};
	struct timespec ts = { 0, 0 };
	struct mcap_frame *f;
	ssize_t n = recvmsg(c->fd, &m, MSG_TRUNC);

	if (n < 0)
		return -1;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&m); cm; cm = CMSG_NXTHDR(&m, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_TIMESTAMPNS)
			memcpy(&ts, CMSG_DATA(cm), sizeof(ts));
	if (!ts.tv_sec)
		clock_gettime(CLOCK_REALTIME, &ts);
	/* only IPv4 (or c->ethertype) arriving on the watched device; the rest is not this capture's business */
	if (!c->ifindex || sll.sll_ifindex != c->ifindex || sll.sll_pkttype == PACKET_OUTGOING ||
	    sll.sll_protocol != htons(c->ethertype ? c->ethertype : ETH_P_IP))
		return 0;
	if (c->n >= MCAP_MAX_FRAMES) {
		c->dropped++;
		return 0;
	}
	f = &c->f[c->n++];
	f->t_us = ts_us(&ts, &c->mark);
	f->wire_len = (unsigned int)n;
	f->len = (unsigned int)((size_t)n < sizeof(f->data) ? (size_t)n : sizeof(f->data));
	memcpy(f->data, buf, f->len);
	return 1;
}

int mcap_drain(struct mcap *c)
{
	/* bounded: a socket buffer holds far fewer frames than this */
	for (int i = 0; i < 10000; i++)
		if (read_one(c) < 0)
			break;
	return c->n;
}

int mcap_mark(struct mcap *c)
{
	mcap_drain(c);
	c->n = 0;
	c->dropped = 0;
	return clock_gettime(CLOCK_REALTIME, &c->mark);
}

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int mcap_wait(struct mcap *c, int want, int deadline_ms, int quiet_ms)
{
	long long start = now_ms(), end = start + deadline_ms, quiet_end;
	int have;

	mcap_drain(c);
	while (c->n < want && now_ms() < end) {
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		long long left = end - now_ms();

		poll(&p, 1, left > 0 ? (int)left : 0);
		mcap_drain(c);
	}
	/* the quiet window restarts with every frame; bounded by frame count */
	have = c->n;
	quiet_end = now_ms() + quiet_ms;
	for (int i = 0; i < MCAP_MAX_FRAMES + 1; ) {
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		long long left = quiet_end - now_ms();

		if (left <= 0)
			break;
		poll(&p, 1, (int)left);
		mcap_drain(c);
		if (c->n != have) {
			have = c->n;
			quiet_end = now_ms() + quiet_ms;
			i++;
		}
	}
	return c->n;
}

int mcap_inject(struct mcap *c, const void *frame, size_t len)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_ifindex = c->ifindex,
		.sll_halen = 6,
	};
	ssize_t w;

	if (!c->ifindex) {
		errno = ENODEV;
		return -1;
	}
	memcpy(sll.sll_addr, frame, 6);
	w = sendto(c->fd, frame, len, 0, (struct sockaddr *)&sll, sizeof(sll));
	if (w < 0)
		return -1;
	if ((size_t)w != len) {
		errno = EMSGSIZE;
		return -1;
	}
	return 0;
}

int mcap_link_ready(const char *ifname, int deadline_ms)
{
	return mcp_link_wait_up(ifname, deadline_ms);
}

void mcap_close(struct mcap *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

void obs_frames(const char *key, const struct mcap *c)
{
	static const char hx[] = "0123456789abcdef";
	char hex[2 * MCAP_SNAP + 1];

	obs_arr_begin(key);
	for (int i = 0; i < c->n; i++) {
		const struct mcap_frame *f = &c->f[i];

		for (unsigned int j = 0; j < f->len; j++) {
			hex[2 * j] = hx[f->data[j] >> 4];
			hex[2 * j + 1] = hx[f->data[j] & 15];
		}
		hex[2 * f->len] = 0;
		obs_obj_begin(NULL);
		obs_int("t_us", f->t_us);
		obs_str("hex", hex);
		if (f->wire_len != f->len)
			obs_int("wire_len", f->wire_len);
		obs_obj_end();
	}
	obs_arr_end();
	if (c->dropped)
		obs_int("frames_dropped", c->dropped);
}

uint16_t mcap_csum(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)(p[len - 1] << 8);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return htons((uint16_t)~s);
}

int mcap_ipv4_frame(unsigned char *buf, size_t cap, const unsigned char src_mac[6],
		    const char *src, const char *dst, int proto, int ttl, int tos, int ra,
		    const void *payload, size_t plen)
{
	struct in_addr s = mcp_in(src), d = mcp_in(dst);
	uint32_t dh = ntohl(d.s_addr);
	size_t ihl = ra ? 24 : 20, len = 14 + ihl + plen;
	unsigned char *ip = buf + 14;
	uint16_t sum;

	if (len > cap || ihl + plen > 0xffff) {
		errno = EMSGSIZE;
		return -1;
	}
	memset(buf, 0, 14 + ihl);
	/* 01:00:5e + the low 23 bits of the group (RFC 1112 6.4) */
	buf[0] = 0x01;
	buf[1] = 0x00;
	buf[2] = 0x5e;
	buf[3] = (unsigned char)((dh >> 16) & 0x7f);
	buf[4] = (unsigned char)(dh >> 8);
	buf[5] = (unsigned char)dh;
	memcpy(buf + 6, src_mac, 6);
	buf[12] = 0x08;
	buf[13] = 0x00;
	ip[0] = (unsigned char)(0x40 | (ihl / 4));
	ip[1] = (unsigned char)tos;
	ip[2] = (unsigned char)((ihl + plen) >> 8);
	ip[3] = (unsigned char)(ihl + plen);
	ip[6] = 0x40;		/* DF */
	ip[8] = (unsigned char)ttl;
	ip[9] = (unsigned char)proto;
	memcpy(ip + 12, &s, 4);
	memcpy(ip + 16, &d, 4);
	if (ra) {
		ip[20] = 0x94;	/* Router Alert, RFC 2113 */
		ip[21] = 0x04;
	}
	sum = mcap_csum(ip, ihl);
	memcpy(ip + 10, &sum, 2);
	memcpy(ip + ihl, payload, plen);
	return (int)len;
}
