// SPDX-License-Identifier: GPL-2.0
/*
 * sfl.c - source-filter helpers (see sfl.h).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "sfl.h"
#include "mcp.h"

#include <arpa/inet.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define SFL_GUARD 0xa5

static void put32(unsigned char *p, uint32_t v) { memcpy(p, &v, 4); }
static uint32_t get32(const unsigned char *p) { uint32_t v; memcpy(&v, p, 4); return v; }

static void put_sin(unsigned char *p, const char *dotted)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr = mcp_in(dotted) };

	memset(p, 0, sizeof(struct sockaddr_storage));
	memcpy(p, &sin, sizeof(sin));
}

int sfl_ip_src(int fd, int opt, const char *group, const char *ifaddr, const char *src,
	       socklen_t optlen)
{
	unsigned char b[64] = { 0 };
	struct in_addr g = mcp_in(group), i = mcp_in(ifaddr), s = mcp_in(src);

	/* struct ip_mreq_source: multiaddr, interface, sourceaddr */
	memcpy(b, &g, 4);
	memcpy(b + 4, &i, 4);
	memcpy(b + 8, &s, 4);
	if (optlen > sizeof(b)) {
		errno = E2BIG;
		return -1;
	}
	return setsockopt(fd, IPPROTO_IP, opt, b, optlen);
}

int sfl_mcast_src(int fd, int opt, const char *group, int ifindex, const char *src,
		  socklen_t optlen)
{
	struct group_source_req r;
	unsigned char b[sizeof(r) + 64];

	memset(b, 0, sizeof(b));
	if (optlen > sizeof(b)) {
		errno = E2BIG;
		return -1;
	}
	put32(b + offsetof(struct group_source_req, gsr_interface), (uint32_t)ifindex);
	put_sin(b + offsetof(struct group_source_req, gsr_group), group);
	put_sin(b + offsetof(struct group_source_req, gsr_source), src);
	return setsockopt(fd, IPPROTO_IP, opt, b, optlen);
}

static int msf_set(int fd, int opt, unsigned char *b, socklen_t optlen)
{
	int rc, e;

	errno = 0;
	rc = setsockopt(fd, IPPROTO_IP, opt, b, optlen);
	e = errno;
	free(b);
	errno = e;
	return rc;
}

int sfl_ip_msf_set(int fd, const char *group, const char *ifaddr, uint32_t fmode,
		   uint32_t numsrc, const char *const *srcs, unsigned int n, socklen_t optlen)
{
	size_t size = SFL_IMSF_SIZE(n) > optlen ? SFL_IMSF_SIZE(n) : optlen;
	unsigned char *b = calloc(1, size);
	struct in_addr g = mcp_in(group), i = mcp_in(ifaddr);

	if (!b)
		return -1;
	memcpy(b, &g, 4);
	memcpy(b + 4, &i, 4);
	put32(b + 8, fmode);
	put32(b + 12, numsrc);
	for (unsigned int k = 0; k < n; k++) {
		struct in_addr s = mcp_in(srcs[k]);

		memcpy(b + SFL_IMSF_HDR + 4 * k, &s, 4);
	}
	return msf_set(fd, IP_MSFILTER, b, optlen);
}

int sfl_mcast_msf_set(int fd, const char *group, int ifindex, uint32_t fmode,
		      uint32_t numsrc, const char *const *srcs, unsigned int n, socklen_t optlen)
{
	size_t size = SFL_GF_SIZE(n) > optlen ? SFL_GF_SIZE(n) : optlen;
	unsigned char *b = calloc(1, size);

	if (!b)
		return -1;
	put32(b + offsetof(struct group_filter, gf_interface), (uint32_t)ifindex);
	put_sin(b + offsetof(struct group_filter, gf_group), group);
	put32(b + offsetof(struct group_filter, gf_fmode), fmode);
	put32(b + offsetof(struct group_filter, gf_numsrc), numsrc);
	for (unsigned int k = 0; k < n; k++)
		put_sin(b + SFL_GF_HDR + SFL_GF_ENTRY * k, srcs[k]);
	return msf_set(fd, MCAST_MSFILTER, b, optlen);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

/* Record what the kernel wrote: header fields, and how far past the header
 * it wrote into the guard-filled tail. */
static void msf_result(struct sfl_get *o, const unsigned char *b, size_t size, size_t hdr,
		       size_t entry, size_t fmode_off, size_t numsrc_off)
{
	unsigned int written_entries;

	o->fmode = get32(b + fmode_off);
	o->numsrc = get32(b + numsrc_off);
	o->tail_changed = 0;
	o->extent = 0;
	for (size_t k = hdr; k < size; k++) {
		if (b[k] != SFL_GUARD) {
			o->tail_changed++;
			o->extent = (unsigned int)k + 1;
		}
	}
	o->nsrc = 0;
	if (o->rc < 0)
		return;
	/* decode only entries the kernel fully wrote, never past the allocation */
	written_entries = o->extent > hdr ? (unsigned int)((o->extent - hdr + entry - 1) / entry) : 0;
	for (unsigned int k = 0; k < written_entries && k < 64; k++) {
		const unsigned char *p = b + hdr + entry * k;
		struct in_addr a;

		if (entry == 4) {
			memcpy(&a, p, 4);
		} else {
			struct sockaddr_in sin;

			memcpy(&sin, p, sizeof(sin));
			a = sin.sin_addr;
		}
		inet_ntop(AF_INET, &a, o->srcs[o->nsrc], sizeof(o->srcs[0]));
		o->nsrc++;
	}
	qsort(o->srcs, o->nsrc, sizeof(o->srcs[0]), str_cmp);
}

/*
 * size bytes that end exactly where a PROT_NONE page begins: a kernel write
 * past the allocation faults (EFAULT) instead of landing in other memory.
 */
struct guarded {
	void *map;
	size_t maplen;
	unsigned char *b;
};

static int guarded_alloc(struct guarded *g, size_t size)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), body = (size + pg - 1) / pg * pg;

	if (!body)
		body = pg;
	g->maplen = body + pg;
	g->map = mmap(NULL, g->maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->map == MAP_FAILED)
		return -1;
	if (mprotect((char *)g->map + body, pg, PROT_NONE) < 0) {
		munmap(g->map, g->maplen);
		return -1;
	}
	g->b = (unsigned char *)g->map + body - size;
	return 0;
}

/* A guarded buffer of size filled with SFL_GUARD for a get; NULL on failure. */
static unsigned char *msf_get_buf(struct guarded *gd, size_t size, struct sfl_get *out)
{
	memset(out, 0, sizeof(*out));
	if (guarded_alloc(gd, size) < 0)
		return NULL;
	memset(gd->b, SFL_GUARD, size);
	return gd->b;
}

/* The getsockopt itself, its result and the buffer as the kernel left it. */
static void msf_get_call(int fd, int opt, struct guarded *gd, size_t size, socklen_t optlen, struct sfl_get *out,
			 size_t hdr, size_t entry, size_t fmode_off, size_t numsrc_off)
{
	socklen_t len = optlen;

	errno = 0;
	out->rc = getsockopt(fd, IPPROTO_IP, opt, gd->b, &len);
	out->err = out->rc < 0 ? errno : 0;
	out->optlen_out = len;
	msf_result(out, gd->b, size, hdr, entry, fmode_off, numsrc_off);
	munmap(gd->map, gd->maplen);
}

int sfl_ip_msf_get(int fd, const char *group, const char *ifaddr, uint32_t numsrc,
		   unsigned int alloc_n, socklen_t optlen, struct sfl_get *out)
{
	size_t size = SFL_IMSF_SIZE(alloc_n);
	struct guarded gd;
	unsigned char *b = msf_get_buf(&gd, size, out);
	struct in_addr g = mcp_in(group), i = mcp_in(ifaddr);

	if (!b)
		return -1;
	memcpy(b, &g, 4);
	memcpy(b + 4, &i, 4);
	/* imsf_fmode stays guard: whether the kernel wrote the header shows */
	put32(b + 12, numsrc);
	msf_get_call(fd, IP_MSFILTER, &gd, size, optlen, out, SFL_IMSF_HDR, 4, 8, 12);
	return 0;
}

int sfl_mcast_msf_get(int fd, const char *group, int ifindex, uint32_t numsrc,
		      unsigned int alloc_n, socklen_t optlen, struct sfl_get *out)
{
	size_t size = SFL_GF_SIZE(alloc_n);
	struct guarded gd;
	unsigned char *b = msf_get_buf(&gd, size, out);

	if (!b)
		return -1;
	memset(b, 0, offsetof(struct group_filter, gf_fmode));
	put32(b + offsetof(struct group_filter, gf_interface), (uint32_t)ifindex);
	put_sin(b + offsetof(struct group_filter, gf_group), group);
	/* gf_fmode stays guard: whether the kernel wrote the header shows */
	put32(b + offsetof(struct group_filter, gf_numsrc), numsrc);
	msf_get_call(fd, MCAST_MSFILTER, &gd, size, optlen, out, SFL_GF_HDR, SFL_GF_ENTRY,
		     offsetof(struct group_filter, gf_fmode), offsetof(struct group_filter, gf_numsrc));
	return 0;
}

/* ------------------------------------------------------------------ */
/* /proc/net/mcfilter rows (mcp_mcfilter_rows) as stable strings */

int sfl_mcfilter_lines(char (*lines)[96], int max)
{
	struct mcp_mcfilter_row rows[128];
	int n = mcp_mcfilter_rows(rows, 128);

	if (n < 0)
		return -1;
	if (n > max)
		n = max;
	if (n > 128)
		n = 128;
	for (int i = 0; i < n; i++) {
		char g[INET_ADDRSTRLEN], s[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &rows[i].group, g, sizeof(g));
		inet_ntop(AF_INET, &rows[i].source, s, sizeof(s));
		snprintf(lines[i], sizeof(lines[0]), "%s %s %s inc=%lu exc=%lu", rows[i].dev, g, s,
			 rows[i].inc, rows[i].exc);
	}
	qsort(lines, (size_t)n, sizeof(lines[0]), str_cmp);
	return n;
}

void sfl_obs_mcfilter_group(const char *key, const char *group)
{
	char lines[128][96], pat[INET_ADDRSTRLEN + 2];
	int n = sfl_mcfilter_lines(lines, 128);

	if (n < 0) {
		obs_null(key);
		return;
	}
	snprintf(pat, sizeof(pat), " %s ", group ? group : "");
	obs_arr_begin(key);
	for (int i = 0; i < n; i++)
		if (!group || strstr(lines[i], pat))
			obs_str(NULL, lines[i]);
	obs_arr_end();
}

void sfl_obs_mcfilter(const char *key)
{
	sfl_obs_mcfilter_group(key, NULL);
}

