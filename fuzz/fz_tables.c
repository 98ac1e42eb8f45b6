// SPDX-License-Identifier: GPL-2.0
/*
 * fz_tables.c - the meaningful values an argument byte of a fuzz input
 * selects: groups (valid, reserved, not multicast), interface addresses,
 * ifindexes (ours, absent, the next one), sources, socket kinds, option
 * lengths around each structure's boundary, numsrc and fmode values around
 * the kernel's limits, socket addresses for bind/connect.
 */
#include "fz_prog.h"
#include "mcp.h"

#include <arpa/inet.h>
#include <netinet/in.h>

const uint32_t GROUP4[16] = {
	IP4(239, 1, 2, 3), IP4(239, 1, 2, 4), IP4(232, 1, 1, 1), IP4(224, 0, 0, 251),
	IP4(224, 0, 0, 1), IP4(224, 0, 0, 22), IP4(239, 255, 255, 250), IP4(225, 0, 0, 1),
	IP4(10, 1, 1, 1), IP4(0, 0, 0, 0), IP4(255, 255, 255, 255), IP4(127, 0, 0, 1),
	IP4(10, 99, 0, 2), IP4(239, 1, 2, 3), IP4(224, 0, 0, 2), IP4(238, 0, 0, 9),
};
const uint32_t ADDR4[8] = {
	0, IP4(127, 0, 0, 1), IP4(10, 99, 0, 1), IP4(10, 99, 0, 2),
	IP4(10, 9, 9, 9), IP4(127, 0, 0, 5), IP4(224, 0, 0, 1), IP4(10, 99, 0, 1),
};
const uint32_t SRC4[8] = {
	IP4(10, 99, 0, 2), IP4(10, 99, 0, 3), IP4(10, 99, 0, 4), IP4(1, 2, 3, 4),
	0, IP4(224, 1, 1, 1), IP4(10, 99, 0, 1), IP4(255, 255, 255, 255),
};
const uint8_t GROUP6[8][16] = {
	{ 0xff, 0x05, [13] = 1, [15] = 3 },	/* ff05::1:3 */
	{ 0xff, 0x0e, [14] = 1, [15] = 1 },	/* ff0e::101 */
	{ 0xff, 0x02, [15] = 0xfb },		/* ff02::fb */
	{ 0xff, 0x15, [14] = 0xab, [15] = 0xcd },	/* ff15::abcd */
	{ 0xff, 0x02, [15] = 1 },		/* ff02::1 (all nodes, auto) */
	{ [15] = 1 },				/* ::1 */
	{ 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },	/* 2001:db8::1 */
	{ [10] = 0xff, [11] = 0xff, 239, 1, 2, 3 },	/* ::ffff:239.1.2.3 */
};
const uint8_t SRC6[8][16] = {
	{ 0xfe, 0x80, [15] = 2 }, { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 },
	{ 0x20, 0x01, 0x0d, 0xb8, [15] = 3 }, { 0 },
	{ 0xff, 0x02, [15] = 1 }, { [15] = 1 },
	{ 0x20, 0x01, 0x0d, 0xb8, [15] = 4 }, { 0xfe, 0x80, [15] = 3 },
};

int ifidx(uint8_t sel)
{
	switch (sel & 7) {
	case 1: return fz.lo_index;
	case 2: case 3: return fz.f0_index;
	case 4: return 999;
	case 5: return -1;
	case 6: return fz.f0_index + 1;	/* the next index: never a device of ours */
	default: return 0;
	}
}

/* optlen around the structure size E */
int lenv(uint8_t sel, int e)
{
	static const int fixed[] = { 8, 0, 1, 4, 12, 16, 20, 136, 144, 264, 3, 2 };

	sel &= 31;
	if (sel < 12)
		return e;
	if (sel == 12)
		return e - 1;
	if (sel == 13)
		return e + 1;
	if (sel == 14)
		return e + 4;
	if (sel == 15)
		return -1;
	return fixed[(sel - 16) % MCP_ARRAY_SIZE(fixed)];
}

const struct kind KINDS[8] = {
	{ AF_INET, SOCK_DGRAM, IPPROTO_UDP, "AF_INET, SOCK_DGRAM, IPPROTO_UDP" },
	{ AF_INET, SOCK_DGRAM, IPPROTO_UDP, "AF_INET, SOCK_DGRAM, IPPROTO_UDP" },
	{ AF_INET, SOCK_RAW, IPPROTO_IGMP, "AF_INET, SOCK_RAW, IPPROTO_IGMP" },
	{ AF_INET, SOCK_STREAM, IPPROTO_TCP, "AF_INET, SOCK_STREAM, IPPROTO_TCP" },
	{ AF_INET6, SOCK_DGRAM, IPPROTO_UDP, "AF_INET6, SOCK_DGRAM, IPPROTO_UDP" },
	{ AF_INET6, SOCK_RAW, IPPROTO_ICMPV6, "AF_INET6, SOCK_RAW, IPPROTO_ICMPV6" },
	{ AF_INET6, SOCK_STREAM, IPPROTO_TCP, "AF_INET6, SOCK_STREAM, IPPROTO_TCP" },
	{ AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE, "AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE" },
};


uint32_t numsrc_v(uint8_t b)
{
	static const uint32_t big[] = { 0x3ffffffc, 0xffffffff, 0x1ffffff, 0x40000000, 65, 11, 0x80000000, 2 };

	return b < 248 ? b % 72 : big[b - 248];
}

uint32_t fmode_v(uint8_t b)
{
	return b < 250 ? (uint32_t)(b & 1) : (uint32_t)b - 248;	/* 2..7: invalid modes */
}

/*
 * bind/connect addresses, by bit 2 and the low bits: IPv4 any, loopback, a
 * group, f0's; IPv6 any, ::1, a group, ::ffff:127.0.0.1
 */
socklen_t mk_addr(uint8_t sel, uint8_t pb, struct sockaddr_storage *ss, uint16_t port_override)
{
	static const uint32_t a4[4] = { 0, IP4(127, 0, 0, 1), IP4(239, 1, 2, 3), IP4(10, 99, 0, 1) };
	static const uint8_t a6[4][16] = { { 0 }, { [15] = 1 }, { 0xff, 0x05, [13] = 1, [15] = 3 },
					   { [10] = 0xff, [11] = 0xff, 127, 0, 0, 1 } };
	uint16_t port = htons(port_override ? port_override : (pb & 63) ? 40000 + (pb & 63) : 0);

	memset(ss, 0, sizeof(*ss));
	if (sel & 4) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = port;
		memcpy(&s6->sin6_addr, a6[sel & 3], 16);
		return sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		s4->sin_port = port;
		s4->sin_addr.s_addr = htonl(a4[sel & 3]);
		return sizeof(*s4);
	}
}
