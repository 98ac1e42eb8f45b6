// SPDX-License-Identifier: GPL-2.0
/*
 * mld.c - veth with a fixed MAC, MLD frames; see mld.h.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "mld.h"
#include "capture.h"
#include "mcp.h"

#include <arpa/inet.h>
#include <string.h>
#include <unistd.h>

int mld_veth_pair(const char *local, const unsigned char mac[6], int peer_nsfd, const char *peer)
{
	int here, rc = -1, e;

	/* the MAC first: addrconf derives the link-local address when the link comes up */
	if (mcp_veth_add(local, peer, peer_nsfd) < 0 || mcp_link_set_mac(local, mac) < 0 ||
	    mcp_link_set_up(local, 1) < 0)
		return -1;
	here = mcp_ns_self();
	if (here < 0)
		return -1;
	if (mcp_ns_enter(peer_nsfd) == 0) {
		rc = mcp_link_set_up(peer, 1);
		e = errno;
		if (mcp_ns_enter(here) < 0)
			_exit(3);	/* never go on in the wrong namespace */
		errno = e;
	}
	e = errno;
	close(here);
	errno = e;
	return rc;
}

/* RFC 4443 2.3: the sum covers the pseudo-header (RFC 8200 8.1) and the message */
static uint16_t icmp6_csum(const struct in6_addr *s, const struct in6_addr *d, const unsigned char *m,
			   size_t len)
{
	unsigned char ph[40 + 256];

	if (len > 256)
		return 0;
	memset(ph, 0, 40);
	memcpy(ph, s, 16);
	memcpy(ph + 16, d, 16);
	ph[34] = (unsigned char)(len >> 8);
	ph[35] = (unsigned char)len;
	ph[39] = 58;	/* IPPROTO_ICMPV6 */
	memcpy(ph + 40, m, len);
	return mcap_csum(ph, 40 + len);
}

int mld_frame(unsigned char *buf, size_t cap, const unsigned char src_mac[6], const char *src,
	      const char *dst, int hl, int ra, const void *icmp, size_t len)
{
	struct in6_addr s, d;
	size_t hbh = ra >= 0 ? 8 : 0, total = 14 + 40 + hbh + len;
	unsigned char *ip = buf + 14, *m;
	uint16_t sum;

	if (inet_pton(AF_INET6, src, &s) != 1 || inet_pton(AF_INET6, dst, &d) != 1) {
		errno = EINVAL;
		return -1;
	}
	if (total > cap || len > 256) {
		errno = EMSGSIZE;
		return -1;
	}
	memset(buf, 0, 14 + 40 + hbh);
	/* 33:33 + the low 32 bits of the group (RFC 2464 7) */
	buf[0] = 0x33;
	buf[1] = 0x33;
	memcpy(buf + 2, d.s6_addr + 12, 4);
	memcpy(buf + 6, src_mac, 6);
	buf[12] = 0x86;
	buf[13] = 0xdd;
	ip[0] = 0x60;
	ip[4] = (unsigned char)((hbh + len) >> 8);
	ip[5] = (unsigned char)(hbh + len);
	ip[6] = hbh ? 0 : 58;	/* Hop-by-Hop, or ICMPv6 */
	ip[7] = (unsigned char)hl;
	memcpy(ip + 8, &s, 16);
	memcpy(ip + 24, &d, 16);
	if (hbh) {
		ip[40] = 58;
		ip[41] = 0;	/* 8 bytes */
		ip[42] = 5;	/* Router Alert, RFC 2711 */
		ip[43] = 2;
		ip[44] = (unsigned char)(ra >> 8);
		ip[45] = (unsigned char)ra;
		ip[46] = 1;	/* PadN, 0 bytes of padding data */
		ip[47] = 0;
	}
	m = ip + 40 + hbh;
	memcpy(m, icmp, len);
	m[2] = m[3] = 0;
	sum = icmp6_csum(&s, &d, m, len);
	memcpy(m + 2, &sum, 2);
	return (int)total;
}
