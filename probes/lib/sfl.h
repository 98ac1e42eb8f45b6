/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sfl.h - helpers for source-filter probes: source-filter socket options
 * built byte by byte (no flexible-array games) and /proc/net/mcfilter rows
 * normalised to stable strings. (The macvlan link for "several hosts behind
 * one wire" topologies is mcp_macvlan_add.)
 *
 * Like mcp.h: helpers return -1 and set errno; nothing here judges.
 */
#ifndef SFL_H
#define SFL_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

/* IP_MSFILTER_SIZE(n) / GROUP_FILTER_SIZE(n) without the libc macros' types */
#define SFL_IMSF_HDR 16u
#define SFL_IMSF_SIZE(n) (SFL_IMSF_HDR + 4u * (unsigned int)(n))
#define SFL_GF_HDR 144u
#define SFL_GF_ENTRY 128u
#define SFL_GF_SIZE(n) (SFL_GF_HDR + SFL_GF_ENTRY * (unsigned int)(n))

/* ip_mreq_source {group, interface address, source}, optlen chosen by the caller */
int sfl_ip_src(int fd, int opt, const char *group, const char *ifaddr, const char *src,
	       socklen_t optlen);
/* group_source_req {ifindex, group, source}, optlen chosen by the caller */
int sfl_mcast_src(int fd, int opt, const char *group, int ifindex, const char *src,
		  socklen_t optlen);

/*
 * IP_MSFILTER / MCAST_MSFILTER set with n sources (srcs may be NULL when n
 * is 0). numsrc is written as given so it may disagree with n; the buffer is
 * max(optlen, size of n sources) bytes so the kernel can never read outside it.
 */
int sfl_ip_msf_set(int fd, const char *group, const char *ifaddr, uint32_t fmode,
		   uint32_t numsrc, const char *const *srcs, unsigned int n, socklen_t optlen);
int sfl_mcast_msf_set(int fd, const char *group, int ifindex, uint32_t fmode,
		      uint32_t numsrc, const char *const *srcs, unsigned int n, socklen_t optlen);

/* the state a getsockopt(*_MSFILTER) call left behind */
struct sfl_get {
	int rc, err;
	socklen_t optlen_out;	/* *optlen after the call */
	uint32_t fmode, numsrc;	/* header as written back */
	unsigned int tail_changed;	/* guard bytes after the header that changed */
	unsigned int extent;	/* 1 + offset of the last changed byte (0: none) */
	unsigned int nsrc;	/* entries decoded (bounded by what was written) */
	char srcs[64][16];	/* dotted, sorted */
};

/*
 * getsockopt with a guard-filled (0xa5) allocation of alloc_n entries that
 * ends at a PROT_NONE page, asking for numsrc entries with *optlen = optlen.
 * The kernel sizes its copy from numsrc, not from optlen (kernel-spec §15.4):
 * with alloc_n < numsrc an over-long copy faults (EFAULT) at the guard page
 * instead of writing into other memory.
 */
int sfl_ip_msf_get(int fd, const char *group, const char *ifaddr, uint32_t numsrc,
		   unsigned int alloc_n, socklen_t optlen, struct sfl_get *out);
int sfl_mcast_msf_get(int fd, const char *group, int ifindex, uint32_t numsrc,
		      unsigned int alloc_n, socklen_t optlen, struct sfl_get *out);

/* /proc/net/mcfilter of this netns as "dev group source inc=N exc=M", sorted. */
int sfl_mcfilter_lines(char (*lines)[96], int max);
void sfl_obs_mcfilter(const char *key);
/* only the rows of one group (dotted) */
void sfl_obs_mcfilter_group(const char *key, const char *group);


#endif
