/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mld.h - what the MLD probe needs beyond mcp.h and capture.h: a veth whose
 * MAC is fixed (so link-local addresses and frames are the same every run)
 * and IPv6/ICMPv6 frames for injected queries (addresses and the /proc rows
 * are mcp.h's).
 *
 * Helpers return -1 and set errno, like system calls.
 */
#ifndef MCP_MLD_H
#define MCP_MLD_H

#include <stddef.h>

/*
 * A veth pair local <-> peer (moved into peer_nsfd), local's MAC set to mac
 * before either end is up, then both up. The caller stays where it is.
 */
int mld_veth_pair(const char *local, const unsigned char mac[6], int peer_nsfd, const char *peer);
/*
 * Ethernet (to 33:33 + the low 32 bits of dst) + IPv6 with hop limit hl,
 * a Hop-by-Hop header with Router Alert value ra (ra < 0: no Hop-by-Hop
 * header), then the ICMPv6 message icmp (len bytes) with its checksum
 * computed over the pseudo-header. Returns the frame length, or -1/EMSGSIZE,
 * -1/EINVAL for an unparsable address.
 */
int mld_frame(unsigned char *buf, size_t cap, const unsigned char src_mac[6], const char *src,
	      const char *dst, int hl, int ra, const void *icmp, size_t len);

#endif
