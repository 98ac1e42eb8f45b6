// SPDX-License-Identifier: GPL-2.0
/*
 * fz_model.c - the reference model the fuzzers compare the kernel with.
 *
 * Per socket: IPv4 and IPv6 membership lists (kept in the kernel's order:
 * new entries first), each with filter mode and source list; the multicast
 * option values (TTL/LOOP/ALL/IF, HOPS/LOOP/ALL/IF). Per namespace: which of
 * lo/f0 exist and are up, whether the group routes are there, the sysctls.
 *
 * Every rule cites the kernel function it mirrors (net/ipv4/ip_sockglue.c,
 * net/ipv4/igmp.c, net/ipv6/ipv6_sockglue.c, net/ipv6/mcast.c) and follows
 * kernel-spec.md sections 2-4, 7 and 11. The check order matters: it is the
 * kernel's. Rules changed after a divergence carry a "kernel:" comment.
 * MCP_FUZZ_WRONG_RULE=<name> (fz.wrong_rule) breaks one rule on purpose so a
 * test can prove the oracle fires: ttl_default, max_msf, users, users6,
 * mcf_count, querier.
 */
#include "fz.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/in6.h>
#include <string.h>

struct fz_model fzm;

#define MCP_ARRAY_SIZE_(a) (sizeof(a) / sizeof((a)[0]))

/*
 * Device memberships leaked by the kernel (ip_mc_leave_group found the socket
 * entry by its address but no device, so ip_mc_dec_group was not called: kernel
 * finding, fuzz/findings/leave_by_address_leak.c). They stay on the device, with
 * their sources, until it is destroyed, so they outlive the input; entries of a
 * device that no longer exists are ignored.
 */
#define FZ_F0_LEAKS_MAX 256
struct fz_leak fz_leaks[4096];	/* identical leaks share a record: the oracle scans the table often */
int fz_nleaks;

static void leak_add(const struct fz_memb *m)
{
	struct fz_leak *l;
	int n = 0;

	for (int i = 0; i < fz_nleaks; i++)	/* leaks of a destroyed device are gone */
		if (fz_dev_alive(fz_leaks[i].ifindex))
			fz_leaks[n++] = fz_leaks[i];
	fz_nleaks = n;
	for (int i = 0; i < fz_nleaks; i++) {
		struct fz_leak *o = &fz_leaks[i];
		int same = o->ifindex == m->ifindex && o->mode == m->mode && o->nsrc == m->nsrc &&
			   !memcmp(&o->group, m->group, 4);

		for (int k = 0; same && k < m->nsrc; k++)
			same = !memcmp(&o->src[k], m->src[k], 4);
		if (same) {
			o->count++;
			goto counted;
		}
	}
	if (fz_nleaks >= (int)MCP_ARRAY_SIZE_(fz_leaks))
		fz_die("more than %zu device memberships leaked on lo in one process (restart it)",
		       MCP_ARRAY_SIZE_(fz_leaks));
	l = &fz_leaks[fz_nleaks++];
	l->ifindex = m->ifindex;
	l->mode = m->mode;
	memcpy(&l->group, m->group, 4);
	l->nsrc = m->nsrc;
	for (int i = 0; i < m->nsrc; i++)
		memcpy(&l->src[i], m->src[i], 4);
	l->count = 1;
counted:
	if (m->ifindex == fz.f0_index) {
		/*
		 * The environment rebuilds f0 after this input (20-40 ms of RCU grace
		 * periods). With link steps that is needed: a leaked INCLUDE membership
		 * has its sources parked in a tomb record by a later down and swapped
		 * back at up (igmpv3_add_delrec/del_delrec, kernel finding 3). Without
		 * them f0 keeps its leaks as lo does (the model
		 * counts both the same way) until there are FZ_F0_LEAKS_MAX of them.
		 */
		int on_f0 = 0;

		for (int i = 0; i < fz_nleaks; i++)
			on_f0 += fz_leaks[i].ifindex == fz.f0_index ? fz_leaks[i].count : 0;
		if (!fz.no_link || on_f0 >= FZ_F0_LEAKS_MAX)
			fz.f0_leaked = 1;
	}
}

int fz_wrong(const char *rule)
{
	return fz.wrong_rule && !strcmp(fz.wrong_rule, rule);
}

#define OK(w) ((struct fz_expect){ 0, 0, 0, (w) })
#define ERR(e, w) ((struct fz_expect){ -1, (e), 0, (w) })
#define ANY(w) ((struct fz_expect){ 0, 0, 1, (w) })

/* ---------------- namespace facts ---------------- */

static uint16_t rd16(const void *p, int off)
{
	uint16_t v;

	memcpy(&v, (const char *)p + off, 2);
	return v;
}

static int is_mc4(uint32_t a) { return (ntohl(a) & 0xf0000000u) == 0xe0000000u; }
static int is_mc6(const uint8_t *a) { return a[0] == 0xff; }

/* __ip_dev_find: an address of this netns, or anything the local table calls local */
static int local_dev4(uint32_t a)
{
	uint32_t h = ntohl(a);

	if ((h >> 24) == 127)
		return fz.lo_index;
	if (h == 0x0a630001u && fz.f0_index)	/* 10.99.0.1, found via the address hash even when down */
		return fz.f0_index;
	return 0;
}

/* ip_route_output(dst): the device the route for dst goes out of, 0 for no route */
static int route_dev4(uint32_t a)
{
	uint32_t h = ntohl(a);

	if (h == 0 || (h >> 24) == 127)
		return fz.lo_index;	/* no daddr -> loopback; 127/8 local */
	if (is_mc4(a))
		return fz.f0_up && fz.f0_mroute ? fz.f0_index : 0;
	if (fz.f0_up && h == 0x0a630001u)
		return fz.lo_index;	/* local address: output via loopback */
	if (fz.f0_up && (h & 0xffffff00u) == 0x0a630000u)
		return fz.f0_index;	/* connected 10.99.0.0/24 */
	return 0;
}

/* ip_mc_find_dev: fills *ifindex like the kernel fills imr->imr_ifindex */
static int mc_find_dev4(uint32_t group, uint32_t addr, int *ifindex)
{
	int dev = 0;

	if (*ifindex)
		return fz_dev_alive(*ifindex) ? *ifindex : 0;	/* inetdev_by_index */
	if (addr) {
		dev = local_dev4(addr);
		if (!dev)
			return 0;
	}
	if (!dev)
		dev = route_dev4(group);
	if (dev)
		*ifindex = dev;
	return dev;
}

/* rt6_lookup(group) for multicast destinations: ff00::/8 lives on f0 only */
static int route_dev6(const uint8_t *g)
{
	(void)g;
	return fz.f0_v6route ? fz.f0_index : 0;
}

/* ---------------- sockets ---------------- */

void fz_model_reset(void)
{
	for (int i = 0; i < FZ_NSOCK; i++) {
		fzm.s[i].fd = -1;
		fzm.s[i].nm4 = fzm.s[i].nm6 = 0;
	}
}

void fz_model_sock_new(int slot, int fd, int family, int type, int proto)
{
	struct fz_sock *s = &fzm.s[slot];

	memset(s, 0, offsetof(struct fz_sock, m4));
	s->fd = fd;
	s->family = family;
	s->type = type;
	s->proto = proto;
	s->icsk = type == SOCK_STREAM;
	/* inet_create / inet6_create defaults */
	s->ttl = fz_wrong("ttl_default") ? 2 : 1;
	s->loop = 1;
	/*
	 * kernel: inet_create sets MC_ALL, inet6_create does not, so the IPv4
	 * IP_MULTICAST_ALL of an AF_INET6 socket starts at 0 (found by fuzz_sockopt).
	 */
	s->all = family == AF_INET;
	s->hops6 = 1;
	s->loop6 = 1;
	s->all6 = 1;
	s->nm4 = s->nm6 = 0;
}

void fz_model_sock_close(int slot)
{
	fzm.s[slot].fd = -1;
	fzm.s[slot].nm4 = fzm.s[slot].nm6 = 0;
}

static struct fz_memb *find4(struct fz_sock *s, uint32_t g, int ifindex)
{
	for (int i = 0; i < s->nm4; i++)
		if (fz_rd32(s->m4[i].group, 0) == g && s->m4[i].ifindex == ifindex)
			return &s->m4[i];
	return NULL;
}

/*
 * Lists are stored oldest first and walked from the end: that is the kernel's
 * order (new entries go to the head of mc_list / ipv6_mc_list) without moving
 * entries on every join.
 */
static struct fz_memb *prepend(struct fz_memb *list, int *n)
{
	struct fz_memb *m;

	if (*n >= FZ_MAXMEMB)
		return NULL;
	m = &list[(*n)++];
	fzm.gen_members++;
	memset(m, 0, offsetof(struct fz_memb, src));
	return m;
}

static void unlink_at(struct fz_memb *list, int *n, struct fz_memb *m)
{
	int i = (int)(m - list);

	fzm.gen_members++;
	if (m->nsrc)
		fzm.gen_sources++;
	memmove(&list[i], &list[i + 1], sizeof(list[0]) * (size_t)(*n - i - 1));
	(*n)--;
}

/* __ip_mc_join_group */
static int join4(struct fz_sock *s, uint32_t g, uint32_t addr, int *ifindex, int mode, int commit)
{
	int count = 0;
	struct fz_memb *m;

	if (!is_mc4(g))
		return EINVAL;
	if (!mc_find_dev4(g, addr, ifindex))
		return ENODEV;
	for (int i = 0; i < s->nm4; i++) {
		if (fz_rd32(s->m4[i].group, 0) == g && s->m4[i].ifindex == *ifindex)
			return EADDRINUSE;
		count++;
	}
	if (count >= fz.max_memberships)
		return ENOBUFS;
	if (s->nm4 >= FZ_MAXMEMB)
		return ENOBUFS;	/* not reached: sysctl values stay below FZ_MAXMEMB */
	if (commit) {
		m = prepend(s->m4, &s->nm4);
		m->family = AF_INET;
		memcpy(m->group, &g, 4);
		m->ifindex = *ifindex;
		m->addr = addr;
		m->mode = mode;
	}
	return 0;
}

/* ip_mc_leave_group */
static int leave4(struct fz_sock *s, uint32_t g, uint32_t addr, int ifindex, int commit)
{
	int dev = mc_find_dev4(g, addr, &ifindex);

	if (!ifindex && !addr && !dev)
		return ENODEV;
	for (int i = s->nm4 - 1; i >= 0; i--) {	/* kernel order: newest first */
		struct fz_memb *m = &s->m4[i];

		if (fz_rd32(m->group, 0) != g)
			continue;
		if (ifindex) {
			if (m->ifindex != ifindex)
				continue;
		} else if (addr && addr != m->addr) {
			continue;
		}
		if (commit) {
			if (!dev && fz_dev_alive(m->ifindex))
				leak_add(m);	/* in_dev NULL: the device keeps the membership */
			unlink_at(s->m4, &s->nm4, m);
		}
		return 0;
	}
	return EADDRNOTAVAIL;
}

static unsigned int max_msf4(void)
{
	return (unsigned int)(int)(fz_wrong("max_msf") ? fz.max_msf + 1 : fz.max_msf);
}

/* ip_mc_source: IPv4 source add/delete, returns errno (0 ok) */
static int source4(struct fz_sock *s, int add, int omode, uint32_t g, uint32_t iface, uint32_t src,
		   int ifindex, int commit)
{
	struct fz_memb *m;
	int i;

	if (!is_mc4(g))
		return EINVAL;
	if (!mc_find_dev4(g, iface, &ifindex))
		return ENODEV;
	m = find4(s, g, ifindex);
	if (!m)
		return EINVAL;	/* must have a prior join */
	if (m->has_sfl) {
		if (m->mode != omode)
			return EINVAL;
	} else if (m->mode != omode) {
		/* empty filters switch mode silently, even when the call then fails (spec 3.6 quirk) */
		if (commit) {
			m->mode = omode;
			fzm.gen_sources++;
		}
	}
	if (!add) {
		if (!m->has_sfl)
			return EADDRNOTAVAIL;
		for (i = 0; i < m->nsrc; i++)
			if (fz_rd32(m->src[i], 0) == src)
				break;
		if (i == m->nsrc)
			return EADDRNOTAVAIL;
		if (m->nsrc == 1 && omode == MCAST_INCLUDE)	/* (INCLUDE, empty) == leave */
			return leave4(s, g, iface, ifindex, commit);
		if (commit) {
			memmove(m->src[i], m->src[i + 1], 16 * (size_t)(m->nsrc - i - 1));
			m->nsrc--;
			fzm.gen_sources++;
		}
		return 0;
	}
	if (m->has_sfl && (unsigned int)m->nsrc >= max_msf4())
		return ENOBUFS;
	for (i = 0; i < m->nsrc; i++)
		if (fz_rd32(m->src[i], 0) == src)
			return EADDRNOTAVAIL;
	if (m->nsrc >= FZ_MAXSRC)
		return ENOBUFS;	/* not reached with the sysctl values used */
	if (commit) {
		memset(m->src[m->nsrc], 0, 16);
		memcpy(m->src[m->nsrc], &src, 4);
		m->nsrc++;
		m->has_sfl = 1;
		fzm.gen_sources++;
	}
	return 0;
}

/* ip_mc_msfilter */
static int msfilter4(struct fz_sock *s, uint32_t g, uint32_t iface, uint32_t fmode, uint32_t numsrc,
		     const uint32_t *srcs, int ifindex, int commit)
{
	struct fz_memb *m;

	if (!is_mc4(g))
		return EINVAL;
	if (fmode != MCAST_INCLUDE && fmode != MCAST_EXCLUDE)
		return EINVAL;
	if (!mc_find_dev4(g, iface, &ifindex))
		return ENODEV;
	if (fmode == MCAST_INCLUDE && numsrc == 0)
		return leave4(s, g, iface, ifindex, commit);
	m = find4(s, g, ifindex);
	if (!m)
		return EINVAL;
	if (numsrc > FZ_MAXSRC)
		return ENOBUFS;	/* not reached: numsrc <= max_msf < FZ_MAXSRC */
	if (commit) {
		for (uint32_t i = 0; i < numsrc; i++) {
			memset(m->src[i], 0, 16);
			memcpy(m->src[i], &srcs[i], 4);
		}
		m->nsrc = (int)numsrc;
		m->has_sfl = numsrc != 0;
		m->mode = (int)fmode;
		fzm.gen_sources++;
	}
	return 0;
}

/* ---------------- IPv6 ---------------- */

static struct fz_memb *find6(struct fz_sock *s, const uint8_t *g, int ifindex, int any)
{
	for (int i = s->nm6 - 1; i >= 0; i--)	/* kernel order: newest first */
		if ((any && !ifindex ? 1 : s->m6[i].ifindex == ifindex) && !memcmp(s->m6[i].group, g, 16))
			return &s->m6[i];
	return NULL;
}

/* __ipv6_sock_mc_join */
static int join6(struct fz_sock *s, const uint8_t *g, int ifindex, int mode, int commit)
{
	int dev;
	struct fz_memb *m;

	if (!is_mc6(g))
		return EINVAL;
	if (find6(s, g, ifindex, 1))
		return EADDRINUSE;
	dev = ifindex ? (fz_dev_alive(ifindex) ? ifindex : 0) : route_dev6(g);
	if (!dev)
		return ENODEV;
	if (s->nm6 >= FZ_MAXMEMB)
		return ENOMEM;	/* not reached: an input has fewer operations */
	if (commit) {
		m = prepend(s->m6, &s->nm6);
		m->family = AF_INET6;
		memcpy(m->group, g, 16);
		m->ifindex = dev;
		m->mode = mode;
	}
	return 0;
}

/* ipv6_sock_mc_drop */
static int drop6(struct fz_sock *s, const uint8_t *g, int ifindex, int commit)
{
	struct fz_memb *m;

	if (!is_mc6(g))
		return EINVAL;
	m = find6(s, g, ifindex, 1);
	if (!m)
		return EADDRNOTAVAIL;
	if (commit)
		unlink_at(s->m6, &s->nm6, m);
	return 0;
}

/* ip6_mc_source */
static int source6(struct fz_sock *s, int add, int omode, const uint8_t *g, const uint8_t *src,
		   int ifindex, int commit)
{
	struct fz_memb *m;
	int i, dev;

	if (!is_mc6(g))
		return EINVAL;
	dev = ifindex ? (fz_dev_alive(ifindex) ? ifindex : 0) : route_dev6(g);	/* ip6_mc_find_dev */
	if (!dev)
		return ENODEV;
	m = find6(s, g, ifindex, 1);
	if (!m)
		return EINVAL;
	/*
	 * kernel: with interface 0, ip6_mc_source takes the device from the
	 * route (f0) but the first membership of the group on any device; the
	 * source count then goes to f0's filter (ip6_mc_add_src/del_src on that
	 * idev) whatever device the membership is on, and ip6_mc_leave_src later
	 * takes it from the membership's own: f0 keeps a count no socket explains
	 * (fuzz/findings/README.md). No claim on mcfilter6 while a socket is open,
 * none on f0's rows until f0 is rebuilt.
	 */
	if (commit && m->ifindex != dev) {
		fz.mcf6_f0_stale = fz.mcf6_input_stale = 1;
		fz.f0_leaked = 1;
	}
	if (m->has_sfl) {
		if (m->mode != omode)
			return EINVAL;
	} else if (m->mode != omode) {
		if (commit) {
			m->mode = omode;
			fzm.gen_sources++;
		}
	}
	if (!add) {
		if (!m->has_sfl)
			return EADDRNOTAVAIL;
		for (i = 0; i < m->nsrc; i++)
			if (!memcmp(m->src[i], src, 16))
				break;
		if (i == m->nsrc)
			return EADDRNOTAVAIL;
		if (m->nsrc == 1 && omode == MCAST_INCLUDE)
			return drop6(s, g, ifindex, commit);
		if (commit) {
			memmove(m->src[i], m->src[i + 1], 16 * (size_t)(m->nsrc - i - 1));
			m->nsrc--;
			fzm.gen_sources++;
		}
		return 0;
	}
	if (m->has_sfl && m->nsrc >= fz.mld_max_msf)
		return ENOBUFS;
	for (i = 0; i < m->nsrc; i++)
		if (!memcmp(m->src[i], src, 16))
			return EADDRNOTAVAIL;
	if (m->nsrc >= FZ_MAXSRC)
		return ENOBUFS;
	if (commit) {
		memcpy(m->src[m->nsrc], src, 16);
		m->nsrc++;
		m->has_sfl = 1;
		fzm.gen_sources++;
	}
	return 0;
}

/* ip6_mc_msfilter; srcs point at sockaddr_storage entries (family not checked) */
static int msfilter6(struct fz_sock *s, const uint8_t *g, int ifindex, uint32_t fmode, uint32_t numsrc,
		     const uint8_t *srcs, int commit)
{
	struct fz_memb *m = NULL;

	if (!is_mc6(g))
		return EINVAL;
	if (fmode != MCAST_INCLUDE && fmode != MCAST_EXCLUDE)
		return EINVAL;
	if (!(ifindex ? fz_dev_alive(ifindex) : route_dev6(g)))
		return ENODEV;
	if (fmode == MCAST_INCLUDE && numsrc == 0)
		return drop6(s, g, ifindex, commit);
	for (int i = 0; i < s->nm6; i++)
		if (s->m6[i].ifindex == ifindex && !memcmp(s->m6[i].group, g, 16)) {
			m = &s->m6[i];
			break;
		}
	if (!m)
		return EINVAL;
	if (numsrc > FZ_MAXSRC)
		return ENOBUFS;
	if (commit) {
		for (uint32_t i = 0; i < numsrc; i++)
			memcpy(m->src[i], srcs + 128 * i + 8, 16);	/* sin6_addr */
		m->nsrc = (int)numsrc;
		m->has_sfl = numsrc != 0;
		m->mode = (int)fmode;
		fzm.gen_sources++;
	}
	return 0;
}

/* ---------------- setsockopt ---------------- */

/*
 * The MSFILTER options refuse optlen > optmem_max (ENOBUFS) before reading the
 * buffer. Unknown optmem_max (fz_env.c read_limits): no claim above the
 * smallest default, 20480 (6.1).
 */
static int optmem_exceeded(int len)
{
	return len > (fz.optmem_max > 0 ? fz.optmem_max : 20480);
}

static struct fz_expect optmem_expect(const char *why)
{
	return fz.optmem_max > 0 ? ERR(ENOBUFS, why) : ANY(why);
}

static struct fz_expect errno_to(int e, const char *why)
{
	return e ? ERR(e, why) : OK(why);
}

/* IP_MULTICAST_IF: in_addr, ip_mreq or ip_mreqn by optlen */
static struct fz_expect set_ip_if(struct fz_sock *s, const uint8_t *b, int len, int commit)
{
	uint32_t addr;
	int ifindex = 0, dev;

	if (s->type == SOCK_STREAM)
		return ERR(EINVAL, "if: SOCK_STREAM");
	if (len < 4)
		return ERR(EINVAL, "if: optlen < 4");
	if (len >= 12) {
		addr = fz_rd32(b, 4);
		ifindex = (int)fz_rd32(b, 8);
	} else if (len >= 8) {
		addr = fz_rd32(b, 4);	/* ip_mreq: the interface is the 2nd field */
	} else {
		addr = fz_rd32(b, 0);
	}
	if (!ifindex) {
		if (!addr) {
			if (commit)
				s->mc_index = 0, s->mc_addr = 0;
			return OK("if: reset");
		}
		dev = local_dev4(addr);
		ifindex = dev;
	} else {
		dev = fz_dev_alive(ifindex);	/* dev_get_by_index */
	}
	if (!dev)
		return ERR(EADDRNOTAVAIL, "if: no such device/address");
	if (commit)
		s->mc_index = ifindex, s->mc_addr = addr;
	return OK("if: stored");
}

/* the ip_mreq_source options */
static struct fz_expect set_ip_source(struct fz_sock *s, int opt, const uint8_t *b, int len, int commit)
{
	uint32_t g, iface, src;
	int add, omode, ifindex = 0;

	if (len != 12)
		return ERR(EINVAL, "ip source: optlen != 12");
	g = fz_rd32(b, 0);
	iface = fz_rd32(b, 4);
	src = fz_rd32(b, 8);
	if (opt == IP_ADD_SOURCE_MEMBERSHIP) {
		int e = join4(s, g, iface, &ifindex, MCAST_INCLUDE, commit);

		if (e && e != EADDRINUSE)
			return ERR(e, "add source: join");
		ifindex = 0;	/* ip_mc_source is called with ifindex 0 again */
	}
	add = opt == IP_BLOCK_SOURCE || opt == IP_ADD_SOURCE_MEMBERSHIP;
	omode = (opt == IP_BLOCK_SOURCE || opt == IP_UNBLOCK_SOURCE) ? MCAST_EXCLUDE : MCAST_INCLUDE;
	return errno_to(source4(s, add, omode, g, iface, src, ifindex, commit), "ip_mc_source");
}

/* IP_MSFILTER: struct ip_msfilter */
static struct fz_expect set_ip_msfilter(struct fz_sock *s, const uint8_t *b, int len, int commit)
{
	uint32_t numsrc, srcs[FZ_MAXSRC];

	if (len < 16)
		return ERR(EINVAL, "ip_msfilter: optlen < 16");
	if (optmem_exceeded(len))
		return optmem_expect("ip_msfilter: optlen > optmem_max");
	numsrc = fz_rd32(b, 12);
	if (numsrc >= 0x3ffffffcu || numsrc > max_msf4())
		return ERR(ENOBUFS, "ip_msfilter: numsrc > igmp_max_msf");
	if (16 + 4 * (uint64_t)numsrc > (uint64_t)len)
		return ERR(EINVAL, "ip_msfilter: IP_MSFILTER_SIZE(numsrc) > optlen");
	for (uint32_t i = 0; i < numsrc && i < FZ_MAXSRC; i++)
		srcs[i] = fz_rd32(b, 16 + 4 * (int)i);
	return errno_to(msfilter4(s, fz_rd32(b, 0), fz_rd32(b, 4), fz_rd32(b, 8), numsrc, srcs, 0, commit),
			"ip_mc_msfilter");
}

/* the group_source_req options, IPv4 */
static struct fz_expect set_ip_gsource(struct fz_sock *s, int opt, const uint8_t *b, int len, int commit)
{
	uint32_t g, src;
	int ifindex, add, omode;

	if (len != 264)
		return ERR(EINVAL, "group_source_req: optlen != 264");
	if (rd16(b, 8) != AF_INET || rd16(b, 136) != AF_INET)
		return ERR(EADDRNOTAVAIL, "group_source_req: family != AF_INET");
	g = fz_rd32(b, 12);
	src = fz_rd32(b, 140);
	ifindex = (int)fz_rd32(b, 0);
	if (opt == MCAST_JOIN_SOURCE_GROUP) {
		int e = join4(s, g, 0, &ifindex, MCAST_INCLUDE, commit);

		if (e && e != EADDRINUSE)
			return ERR(e, "join source group: join");
	}
	add = opt == MCAST_BLOCK_SOURCE || opt == MCAST_JOIN_SOURCE_GROUP;
	omode = (opt == MCAST_BLOCK_SOURCE || opt == MCAST_UNBLOCK_SOURCE) ? MCAST_EXCLUDE
									   : MCAST_INCLUDE;
	return errno_to(source4(s, add, omode, g, 0, src, ifindex, commit), "ip_mc_source");
}

/* MCAST_MSFILTER, IPv4: struct group_filter */
static struct fz_expect set_ip_gsf(struct fz_sock *s, const uint8_t *b, int len, int commit)
{
	uint32_t numsrc, srcs[FZ_MAXSRC];

	if (len < 144)
		return ERR(EINVAL, "group_filter: optlen < 144");
	if (optmem_exceeded(len))
		return optmem_expect("group_filter: optlen > optmem_max");
	numsrc = fz_rd32(b, 140);
	if (numsrc >= 0x1ffffffu || numsrc > max_msf4())
		return ERR(ENOBUFS, "group_filter: numsrc > igmp_max_msf");
	if (144 + 128 * (uint64_t)numsrc > (uint64_t)len)
		return ERR(EINVAL, "group_filter: GROUP_FILTER_SIZE(numsrc) > optlen");
	if (rd16(b, 8) != AF_INET)
		return ERR(EADDRNOTAVAIL, "group_filter: group family");
	for (uint32_t i = 0; i < numsrc; i++) {
		if (rd16(b, 144 + 128 * (int)i) != AF_INET)
			return ERR(EADDRNOTAVAIL, "group_filter: source family");
		srcs[i] = fz_rd32(b, 144 + 128 * (int)i + 4);
	}
	return errno_to(msfilter4(s, fz_rd32(b, 12), 0, fz_rd32(b, 136), numsrc, srcs, (int)fz_rd32(b, 0),
				  commit), "ip_mc_msfilter");
}

/* ip_setsockopt (IPv4 level), any socket that reaches it */
static struct fz_expect set_ip(struct fz_sock *s, int opt, const uint8_t *b, int len, int commit)
{
	int val = 0;

	if (len >= 4)
		val = (int)fz_rd32(b, 0);
	else if (len >= 1)
		val = b[0];

	switch (opt) {
	case IP_MULTICAST_TTL:
		if (s->type == SOCK_STREAM)
			return ERR(EINVAL, "ttl: SOCK_STREAM");
		if (len < 1)
			return ERR(EINVAL, "ttl: optlen < 1");
		if (val == -1)
			val = 1;
		if (val < 0 || val > 255)
			return ERR(EINVAL, "ttl: out of 0..255");
		if (commit)
			s->ttl = val;
		return OK("ttl: stored");
	case IP_MULTICAST_LOOP:
		if (len < 1)
			return ERR(EINVAL, "loop: optlen < 1");
		if (commit)
			s->loop = !!val;
		return OK("loop: stored !!val");
	case IP_MULTICAST_ALL:
		if (len < 1)
			return ERR(EINVAL, "all: optlen < 1");
		if (val != 0 && val != 1)
			return ERR(EINVAL, "all: not 0/1");
		if (commit)
			s->all = val;
		return OK("all: stored");
	case IP_MULTICAST_IF:
		return set_ip_if(s, b, len, commit);
	case IP_ADD_MEMBERSHIP:
	case IP_DROP_MEMBERSHIP: {
		uint32_t g, addr;
		int ifindex;

		if (s->icsk)
			return ERR(EPROTO, "membership: connection oriented socket");
		if (len < 8)
			return ERR(EINVAL, "membership: optlen < 8");
		g = fz_rd32(b, 0);
		addr = fz_rd32(b, 4);
		ifindex = len >= 12 ? (int)fz_rd32(b, 8) : 0;
		if (opt == IP_ADD_MEMBERSHIP)
			return errno_to(join4(s, g, addr, &ifindex, MCAST_EXCLUDE, commit), "join4");
		return errno_to(leave4(s, g, addr, ifindex, commit), "leave4");
	}
	case IP_UNBLOCK_SOURCE:
	case IP_BLOCK_SOURCE:
	case IP_ADD_SOURCE_MEMBERSHIP:
	case IP_DROP_SOURCE_MEMBERSHIP:
		return set_ip_source(s, opt, b, len, commit);
	case IP_MSFILTER:
		return set_ip_msfilter(s, b, len, commit);
	case MCAST_JOIN_GROUP:
	case MCAST_LEAVE_GROUP: {
		uint32_t g;
		int ifindex;

		if (len < 136)
			return ERR(EINVAL, "group_req: optlen < 136");
		if (rd16(b, 8) != AF_INET)
			return ERR(EINVAL, "group_req: family != AF_INET");
		g = fz_rd32(b, 12);
		ifindex = (int)fz_rd32(b, 0);
		if (opt == MCAST_JOIN_GROUP)
			return errno_to(join4(s, g, 0, &ifindex, MCAST_EXCLUDE, commit), "join4");
		return errno_to(leave4(s, g, 0, ifindex, commit), "leave4");
	}
	case MCAST_JOIN_SOURCE_GROUP:
	case MCAST_LEAVE_SOURCE_GROUP:
	case MCAST_BLOCK_SOURCE:
	case MCAST_UNBLOCK_SOURCE:
		return set_ip_gsource(s, opt, b, len, commit);
	case MCAST_MSFILTER:
		return set_ip_gsf(s, b, len, commit);
	default:
		return ANY("ip level: option outside the model");
	}
}

/* do_ipv6_setsockopt, AF_INET6 sockets only */
static struct fz_expect set_ipv6(struct fz_sock *s, int opt, const uint8_t *b, int len, int commit)
{
	int val = len >= 4 ? (int)fz_rd32(b, 0) : 0;

	switch (opt) {
	case IPV6_MULTICAST_LOOP:
		if (len < 4)
			return ERR(EINVAL, "loop6: optlen < 4");
		if (val != 0 && val != 1)
			return ERR(EINVAL, "loop6: not 0/1");
		if (commit)
			s->loop6 = val;
		return OK("loop6: stored");
	case IPV6_MULTICAST_HOPS:
		if (s->type == SOCK_STREAM)
			return ERR(ENOPROTOOPT, "hops6: SOCK_STREAM");
		if (len < 4)
			return ERR(EINVAL, "hops6: optlen < 4");
		if (val > 255 || val < -1)
			return ERR(EINVAL, "hops6: out of -1..255");
		if (commit)
			s->hops6 = val == -1 ? 1 : val;
		return OK("hops6: stored");
	case IPV6_MULTICAST_ALL:
		if (len < 4)
			return ERR(EINVAL, "all6: optlen < 4");
		if (commit)
			s->all6 = !!val;
		return OK("all6: stored !!val");
	case IPV6_MULTICAST_IF:
		if (s->type == SOCK_STREAM)
			return ERR(ENOPROTOOPT, "if6: SOCK_STREAM");
		if (len < 4)
			return ERR(EINVAL, "if6: optlen < 4");
		if (val && !fz_dev_alive(val))
			return ERR(ENODEV, "if6: no such device");
		if (commit)
			s->oif6 = val;
		return OK("if6: stored");
	case IPV6_ADD_MEMBERSHIP:
	case IPV6_DROP_MEMBERSHIP:
		if (len < 20)
			return ERR(EINVAL, "ipv6_mreq: optlen < 20");
		if (s->icsk)
			return ERR(EPROTO, "ipv6_mreq: connection oriented socket");
		if (opt == IPV6_ADD_MEMBERSHIP)
			return errno_to(join6(s, b, (int)fz_rd32(b, 16), MCAST_EXCLUDE, commit), "join6");
		return errno_to(drop6(s, b, (int)fz_rd32(b, 16), commit), "drop6");
	case MCAST_JOIN_GROUP:
	case MCAST_LEAVE_GROUP:
		if (len < 136)
			return ERR(EINVAL, "group_req6: optlen < 136");
		if (rd16(b, 8) != AF_INET6)
			return ERR(EADDRNOTAVAIL, "group_req6: family");
		if (opt == MCAST_JOIN_GROUP)
			return errno_to(join6(s, b + 16, (int)fz_rd32(b, 0), MCAST_EXCLUDE, commit), "join6");
		return errno_to(drop6(s, b + 16, (int)fz_rd32(b, 0), commit), "drop6");
	case MCAST_JOIN_SOURCE_GROUP:
	case MCAST_LEAVE_SOURCE_GROUP:
	case MCAST_BLOCK_SOURCE:
	case MCAST_UNBLOCK_SOURCE: {
		int ifindex = (int)fz_rd32(b, 0), add, omode;

		if (len < 264)
			return ERR(EINVAL, "group_source_req6: optlen < 264");
		if (rd16(b, 8) != AF_INET6 || rd16(b, 136) != AF_INET6)
			return ERR(EADDRNOTAVAIL, "group_source_req6: family");
		if (opt == MCAST_JOIN_SOURCE_GROUP) {
			int e = join6(s, b + 16, ifindex, MCAST_INCLUDE, commit);

			if (e && e != EADDRINUSE)
				return ERR(e, "join source group6: join");
		}
		add = opt == MCAST_BLOCK_SOURCE || opt == MCAST_JOIN_SOURCE_GROUP;
		omode = (opt == MCAST_BLOCK_SOURCE || opt == MCAST_UNBLOCK_SOURCE) ? MCAST_EXCLUDE
										   : MCAST_INCLUDE;
		return errno_to(source6(s, add, omode, b + 16, b + 144, ifindex, commit), "ip6_mc_source");
	}
	case MCAST_MSFILTER: {
		uint32_t numsrc;

		if (len < 144)
			return ERR(EINVAL, "group_filter6: optlen < 144");
		if (optmem_exceeded(len))
			return optmem_expect("group_filter6: optlen > optmem_max");
		numsrc = fz_rd32(b, 140);
		if (numsrc >= 0x1ffffffu || numsrc > (uint32_t)fz.mld_max_msf)
			return ERR(ENOBUFS, "group_filter6: numsrc > mld_max_msf");
		if (144 + 128 * (uint64_t)numsrc > (uint64_t)len)
			return ERR(EINVAL, "group_filter6: size > optlen");
		return errno_to(msfilter6(s, b + 16, (int)fz_rd32(b, 0), fz_rd32(b, 136), numsrc, b + 144, commit),
				"ip6_mc_msfilter");
	}
	default:
		return ANY("ipv6 level: option outside the model");
	}
}

struct fz_expect fz_model_setsockopt(int slot, int level, int opt, const void *buf, int len)
{
	const int commit = 1;	/* a divergence aborts the input, so the model may change as it predicts */
	struct fz_sock *s = &fzm.s[slot];

	if (s->fd < 0)
		return ERR(EBADF, "no socket in slot");
	if (level == SOL_IP) {
		if (s->family == AF_INET6 && s->type == SOCK_RAW)
			return ERR(ENOPROTOOPT, "SOL_IP on an AF_INET6 raw socket");
		return set_ip(s, opt, buf, len, commit);
	}
	if (level == SOL_IPV6) {
		if (s->family == AF_INET)
			return ERR(ENOPROTOOPT, "SOL_IPV6 on an AF_INET socket");
		return set_ipv6(s, opt, buf, len, commit);
	}
	return ANY("level outside the model");
}

/* ---------------- getsockopt ---------------- */

/*
 * What ip_mc_gsfget / ip6_mc_msfget write back: the caller's 136-byte header,
 * the membership's mode and real source count, then min(count, the caller's
 * numsrc) sockaddr_storage entries. Returns the resulting optlen.
 */
static int gf_reply(void *out, const uint8_t *b, const struct fz_memb *m, uint32_t numsrc, int family)
{
	uint32_t copy = (uint32_t)m->nsrc < numsrc ? (uint32_t)m->nsrc : numsrc;

	memcpy(out, b, 136);
	memcpy((char *)out + 136, &m->mode, 4);
	memcpy((char *)out + 140, &m->nsrc, 4);
	for (uint32_t i = 0; i < copy; i++) {
		uint8_t *e = (uint8_t *)out + 144 + 128 * i;
		uint16_t fam = (uint16_t)family;

		memset(e, 0, 128);
		memcpy(e, &fam, 2);
		if (family == AF_INET6)
			memcpy(e + 8, m->src[i], 16);	/* sin6_addr */
		else
			memcpy(e + 4, m->src[i], 4);	/* sin_addr */
	}
	return 144 + 128 * (int)copy;
}

static int put_int(int val, int len, void *out, int *outlen, int ip)
{
	/* do_ip_getsockopt: 1 byte when 0 < len < 4 and the value fits */
	if (ip && len < 4 && len > 0 && val >= 0 && val <= 255) {
		uint8_t c = (uint8_t)val;

		memcpy(out, &c, 1);
		*outlen = 1;
		return 0;
	}
	if (ip)
		*outlen = len < 4 ? len : 4;
	else
		*outlen = (unsigned int)len < 4u ? len : 4;	/* IPv6: min_t(unsigned int) */
	memcpy(out, &val, (size_t)*outlen);
	return 0;
}

/* IP_MSFILTER get: ip_mc_msfget */
static struct fz_expect get_ip_msfilter(struct fz_sock *s, const uint8_t *b, int len, void *out,
					 int *outlen)
{
	uint32_t g, iface, numsrc, copy;
	int ifindex = 0;
	struct fz_memb *m;

	if (len < 16)
		return ERR(EINVAL, "get ip_msfilter: len < 16");
	g = fz_rd32(b, 0);
	iface = fz_rd32(b, 4);
	numsrc = fz_rd32(b, 12);
	if (!is_mc4(g))
		return ERR(EINVAL, "get ip_msfilter: group not multicast");
	if (!mc_find_dev4(g, iface, &ifindex))
		return ERR(ENODEV, "get ip_msfilter: no device");
	m = find4(s, g, ifindex);
	if (!m)
		return ERR(EADDRNOTAVAIL, "get ip_msfilter: not joined");
	copy = (uint32_t)m->nsrc < numsrc ? (uint32_t)m->nsrc : numsrc;
	memcpy(out, b, 8);
	memcpy((char *)out + 8, &m->mode, 4);
	memcpy((char *)out + 12, &m->nsrc, 4);
	for (uint32_t i = 0; i < copy; i++)
		memcpy((char *)out + 16 + 4 * i, m->src[i], 4);
	*outlen = 16 + 4 * (int)copy;
	return OK("get ip_msfilter");
}

/* do_ip_getsockopt, the multicast options */
static struct fz_expect get_ip(struct fz_sock *s, int opt, const uint8_t *b, int len, void *out,
			       int *outlen)
{
	switch (opt) {
	case IP_MULTICAST_TTL:
		put_int(s->ttl, len, out, outlen, 1);
		return OK("get ttl");
	case IP_MULTICAST_LOOP:
		put_int(s->loop, len, out, outlen, 1);
		return OK("get loop");
	case IP_MULTICAST_ALL:
		put_int(s->all, len, out, outlen, 1);
		return OK("get all");
	case IP_MULTICAST_IF:
		*outlen = len < 4 ? len : 4;
		memcpy(out, &s->mc_addr, (size_t)*outlen);
		return OK("get if: mc_addr");
	case IP_MSFILTER:
		return get_ip_msfilter(s, b, len, out, outlen);
	case MCAST_MSFILTER: {
		uint32_t g, numsrc;
		struct fz_memb *m;

		if (len < 144)
			return ERR(EINVAL, "get group_filter: len < 144");
		if (rd16(b, 8) != AF_INET)
			return ERR(EINVAL, "get group_filter: family");
		g = fz_rd32(b, 12);
		numsrc = fz_rd32(b, 140);
		if (!is_mc4(g))
			return ERR(EINVAL, "get group_filter: not multicast");
		m = find4(s, g, (int)fz_rd32(b, 0));	/* exact ifindex, 0 never matches */
		if (!m)
			return ERR(EADDRNOTAVAIL, "get group_filter: not joined on gf_interface");
		*outlen = gf_reply(out, b, m, numsrc, AF_INET);
		return OK("get group_filter");
	}
	default:
		if (opt >= IP_ADD_MEMBERSHIP && opt <= MCAST_LEAVE_SOURCE_GROUP)
			return ERR(ENOPROTOOPT, "get of a set-only option");
		return ANY("ip get: option outside the model");
	}
}

/* do_ipv6_getsockopt, the multicast options */
static struct fz_expect get_ipv6(struct fz_sock *s, int opt, const uint8_t *b, int len, void *out,
				 int *outlen)
{
	switch (opt) {
	case IPV6_MULTICAST_HOPS:
		put_int(s->hops6, len, out, outlen, 0);
		return OK("get hops6");
	case IPV6_MULTICAST_LOOP:
		put_int(s->loop6, len, out, outlen, 0);
		return OK("get loop6");
	case IPV6_MULTICAST_ALL:
		put_int(s->all6, len, out, outlen, 0);
		return OK("get all6");
	case IPV6_MULTICAST_IF:
		put_int(s->oif6, len, out, outlen, 0);
		return OK("get if6");
	case MCAST_MSFILTER: {
		uint32_t numsrc;
		struct fz_memb *m = NULL;

		if (len < 144)
			return ERR(EINVAL, "get group_filter6: len < 144");
		if (rd16(b, 8) != AF_INET6)
			return ERR(EADDRNOTAVAIL, "get group_filter6: family");
		if (!is_mc6(b + 16))
			return ERR(EINVAL, "get group_filter6: not multicast");
		for (int i = 0; i < s->nm6; i++)
			if (s->m6[i].ifindex == (int)fz_rd32(b, 0) && !memcmp(s->m6[i].group, b + 16, 16)) {
				m = &s->m6[i];
				break;
			}
		if (!m)
			return ERR(EADDRNOTAVAIL, "get group_filter6: not joined on gf_interface");
		numsrc = fz_rd32(b, 140);
		*outlen = gf_reply(out, b, m, numsrc, AF_INET6);
		return OK("get group_filter6");
	}
	default:
		if (opt == IPV6_ADD_MEMBERSHIP || opt == IPV6_DROP_MEMBERSHIP ||
		    (opt >= MCAST_JOIN_GROUP && opt <= MCAST_LEAVE_SOURCE_GROUP))
			return ERR(ENOPROTOOPT, "get6 of a set-only option");
		return ANY("ipv6 get: option outside the model");
	}
}

struct fz_expect fz_model_getsockopt(int slot, int level, int opt, const void *in, int len,
				     void *out, int *outlen)
{
	struct fz_sock *s = &fzm.s[slot];
	const uint8_t *b = in;

	*outlen = -1;
	if (s->fd < 0)
		return ERR(EBADF, "no socket in slot");
	if (level == SOL_IP && !(s->family == AF_INET6 && s->type == SOCK_RAW)) {
		if (len < 0)
			return ERR(EINVAL, "ip get: len < 0");
		return get_ip(s, opt, b, len, out, outlen);
	}
	if (level == SOL_IP)
		return ANY("SOL_IP get on AF_INET6 raw");
	if (level == SOL_IPV6) {
		if (s->family == AF_INET)
			return ERR(EOPNOTSUPP, "SOL_IPV6 get on AF_INET");
		return get_ipv6(s, opt, b, len, out, outlen);
	}
	return ANY("get level outside the model");
}
