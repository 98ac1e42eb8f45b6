// SPDX-License-Identifier: GPL-2.0
/*
 * fz_ops.c - the socket operations of a fuzz input: socket, the multicast
 * set/getsockopt calls (structured from the value tables, or raw
 * level/option/optlen/bytes), bind/connect/listen/accept/send/recv/close,
 * the igmp_max_memberships/igmp_max_msf/force_igmp_version sysctls and f0
 * down/up/delete. Each call is recorded (fz_trace.c), the model predicts it
 * before it runs (fz_model.c) and the answer is judged; what it may have
 * changed in /proc is marked for the oracle (touch).
 */
#include "fz_prog.h"
#include "mcp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/in6.h>
#include <unistd.h>

/* kernel-spec.md 15.1: the errnos the multicast options may return at all */
static const int OPT_ERRNOS[] = { EINVAL, ENODEV, EADDRINUSE, EADDRNOTAVAIL, ENOBUFS, ENOMEM, EFAULT,
				  EPROTO, ENOPROTOOPT, EOPNOTSUPP, ESRCH };

static uint8_t optbuf[16384 + 512];	/* zero-padded: a call may read up to optlen */

static int slot_of(uint8_t b) { return b % FZ_NSOCK; }

/* every descriptor an input opened: all must be closed when the input ends */
static void note_fd(int fd)
{
	if (fd >= 0 && fzs.nopened < (int)MCP_ARRAY_SIZE(fzs.opened))
		fzs.opened[fzs.nopened++] = fd;
}

static int sfd(int slot) { return fzm.s[slot].fd; }

void do_close(int slot)
{
	struct rec *r;
	int rc, e;

	if (sfd(slot) < 0)
		return;
	touch((fzm.s[slot].nm4 ? CK_IGMP | CK_MCF : 0) | (fzm.s[slot].nm6 ? CK_IGMP6 | CK_MCF6 : 0));
	r = rec_new(R_CLOSE, slot, NULL, 0);
	rc = close(sfd(slot));
	e = errno;
	fz_model_sock_close(slot);
	if (r)
		r->exp = (struct fz_expect){ 0, 0, 0, "close" };
	judge(r, "close", rc, e, NULL, 0);
}

void op_close(struct rd *in)
{
	do_close(slot_of(u8(in)));
}

void op_socket(struct rd *in)
{
	int slot = slot_of(u8(in)), k = u8(in) & 7, fd, e;
	struct rec *r;

	do_close(slot);
	r = rec_new(R_SOCKET, slot, NULL, 0);
	if (r) {
		r->opt = k;
		r->exp = (struct fz_expect){ 0, 0, 0, "socket: root in its own netns" };
	}
	fd = socket(KINDS[k].family, KINDS[k].type | SOCK_NONBLOCK | SOCK_CLOEXEC, KINDS[k].proto);
	e = errno;
	judge(r, "socket", fd, e, NULL, 0);
	note_fd(fd);
	if (fd >= 0)
		fz_model_sock_new(slot, fd, KINDS[k].family, KINDS[k].type, KINDS[k].proto);
	else
		fzm.s[slot].fd = -1;
}

/* one setsockopt, judged; returns the check mask the step needs */
static void do_set(int slot, int level, int opt, const void *buf, int len)
{
	struct rec *r;
	struct fz_expect ex = { 0, 0, 1, NULL };
	int rc, e;

	if (sfd(slot) < 0)
		return;
	unsigned long gm = fzm.gen_members, gs = fzm.gen_sources;

	fzs.nset++;
	fzs.nset6 += level == SOL_IPV6;
	r = rec_new(R_SET, slot, buf, len > 0 ? (size_t)len : 0);
	if (!fz.raw) {
		if (len < 0)
			ex = (struct fz_expect){ -1, EINVAL, 0, "__sys_setsockopt: optlen < 0" };
		else
			ex = fz_model_setsockopt(slot, level, opt, buf, len);
	}
	if (r) {
		r->level = level;
		r->opt = opt;
		r->len = len;
		r->exp = ex;
	}
	rc = setsockopt(sfd(slot), level, opt, buf, (socklen_t)len);
	e = errno;
	judge(r, "setsockopt", rc, e, OPT_ERRNOS, MCP_ARRAY_SIZE(OPT_ERRNOS));
	/*
	 * /proc is read after the steps that change memberships or source lists
	 * in the model (the kernel agreed on the return value); a change the model
	 * did not predict shows at the next read, at the latest when the input ends.
	 * A model claim of "no claim" (options outside it) reads everything.
	 */
	if (fz.raw)
		return;
	if (ex.any)
		touch(CK_IGMP | CK_IGMP6 | CK_MCF | CK_MCF6);
	if (fzm.gen_members != gm)
		touch(level == SOL_IPV6 ? CK_IGMP6 | CK_MCF6 : CK_IGMP);
	if (fzm.gen_sources != gs)
		touch(level == SOL_IPV6 ? CK_MCF6 : CK_MCF);
}

static int do_get(int slot, int level, int opt, const void *in, int inlen, int len)
{
	static uint8_t out[sizeof(optbuf)], want[sizeof(optbuf)];
	struct rec *r;
	struct fz_expect ex = { 0, 0, 1, NULL };
	socklen_t l = (socklen_t)len;
	int rc, e, wantlen = -1;

	if (sfd(slot) < 0)
		return 0;
	r = rec_new(R_GET, slot, in, (size_t)inlen);
	if (!fz.raw)
		ex = fz_model_getsockopt(slot, level, opt, in, len, want, &wantlen);
	/* poison what the kernel should write, so bytes it did not write show in the compare */
	memset(out, 0xa5, (size_t)(wantlen > 16 ? wantlen : 16));
	memcpy(out, in, (size_t)inlen);
	if (r) {
		r->level = level;
		r->opt = opt;
		r->len = len;
		r->exp = ex;
	}
	rc = getsockopt(sfd(slot), level, opt, out, &l);
	e = errno;
	if (r)
		r->outlen = rc == 0 ? (int)l : -1;
	judge(r, "getsockopt", rc, e, OPT_ERRNOS, MCP_ARRAY_SIZE(OPT_ERRNOS));
	if (fz.raw || ex.any || rc < 0)
		return 0;
	if ((int)l != wantlen)
		diverge("getsockopt(%s, %s) optlen %d, model %d", lvl_name(level), opt_name(level, opt), (int)l,
			wantlen);
	if (wantlen > 0 && memcmp(out, want, (size_t)wantlen)) {
		int i = 0;

		while (out[i] == want[i])
			i++;
		diverge("getsockopt(%s, %s) value differs at byte %d: kernel 0x%02x, model 0x%02x",
			lvl_name(level), opt_name(level, opt), i, out[i], want[i]);
	}
	return 0;
}

static void put32(uint8_t *b, int off, uint32_t v) { memcpy(b + off, &v, 4); }

static void put_ss4(uint8_t *b, int off, uint32_t a)
{
	uint16_t fam = AF_INET;

	memset(b + off, 0, 128);
	memcpy(b + off, &fam, 2);
	put32(b, off + 4, a);
}

static void put_ss6(uint8_t *b, int off, const uint8_t *a)
{
	uint16_t fam = AF_INET6;

	memset(b + off, 0, 128);
	memcpy(b + off, &fam, 2);
	memcpy(b + off + 8, a, 16);
}

/* memberships: ip_mreqn/ip_mreq, group_req (v4/v6), ipv6_mreq */
void op_join(struct rd *in)
{
	int slot = slot_of(u8(in)), api = u8(in), gs = u8(in), is = u8(in), as = u8(in), lv = u8(in);
	int leave = (api >> 3) & 1, len;

	memset(optbuf, 0, 512);
	switch (api & 3) {
	case 0:	/* ip_mreqn / ip_mreq by length */
		put32(optbuf, 0, htonl(GROUP4[gs & 15]));
		put32(optbuf, 4, htonl(ADDR4[as & 7]));
		put32(optbuf, 8, (uint32_t)ifidx((uint8_t)is));
		len = lenv((uint8_t)lv, (as & 8) ? 8 : 12);
		do_set(slot, SOL_IP, leave ? IP_DROP_MEMBERSHIP : IP_ADD_MEMBERSHIP, optbuf, len);
		break;
	case 1:	/* group_req, IPv4 */
		put32(optbuf, 0, (uint32_t)ifidx((uint8_t)is));
		put_ss4(optbuf, 8, htonl(GROUP4[gs & 15]));
		if (as & 8)
			optbuf[8] = AF_INET6;	/* wrong family */
		do_set(slot, SOL_IP, leave ? MCAST_LEAVE_GROUP : MCAST_JOIN_GROUP, optbuf, lenv((uint8_t)lv, 136));
		break;
	case 2:	/* ipv6_mreq */
		memcpy(optbuf, GROUP6[gs & 7], 16);
		put32(optbuf, 16, (uint32_t)ifidx((uint8_t)is));
		do_set(slot, SOL_IPV6, leave ? IPV6_DROP_MEMBERSHIP : IPV6_ADD_MEMBERSHIP, optbuf,
		       lenv((uint8_t)lv, 20));
		break;
	default: /* group_req, IPv6 */
		put32(optbuf, 0, (uint32_t)ifidx((uint8_t)is));
		put_ss6(optbuf, 8, GROUP6[gs & 7]);
		if (as & 8)
			optbuf[8] = AF_INET;
		do_set(slot, SOL_IPV6, leave ? MCAST_LEAVE_GROUP : MCAST_JOIN_GROUP, optbuf,
		       lenv((uint8_t)lv, 136));
		break;
	}
}

/* source options: ip_mreq_source (IPv4) and group_source_req (v4/v6) */
void op_source(struct rd *in)
{
	static const int ipo[4] = { IP_ADD_SOURCE_MEMBERSHIP, IP_DROP_SOURCE_MEMBERSHIP, IP_BLOCK_SOURCE,
				    IP_UNBLOCK_SOURCE };
	static const int mco[4] = { MCAST_JOIN_SOURCE_GROUP, MCAST_LEAVE_SOURCE_GROUP, MCAST_BLOCK_SOURCE,
				    MCAST_UNBLOCK_SOURCE };
	int slot = slot_of(u8(in)), api = u8(in), gs = u8(in), is = u8(in), ss = u8(in), lv = u8(in);

	memset(optbuf, 0, 512);
	switch ((api >> 2) & 3) {
	case 0:
	case 1:	/* ip_mreq_source */
		put32(optbuf, 0, htonl(GROUP4[gs & 15]));
		put32(optbuf, 4, htonl(ADDR4[is & 7]));
		put32(optbuf, 8, htonl(SRC4[ss & 7]));
		do_set(slot, SOL_IP, ipo[api & 3], optbuf, lenv((uint8_t)lv, 12));
		break;
	case 2:	/* group_source_req, IPv4 */
		put32(optbuf, 0, (uint32_t)ifidx((uint8_t)is));
		put_ss4(optbuf, 8, htonl(GROUP4[gs & 15]));
		put_ss4(optbuf, 136, htonl(SRC4[ss & 7]));
		if (ss & 8)
			optbuf[136] = AF_INET6;
		do_set(slot, SOL_IP, mco[api & 3], optbuf, lenv((uint8_t)lv, 264));
		break;
	default: /* group_source_req, IPv6 */
		put32(optbuf, 0, (uint32_t)ifidx((uint8_t)is));
		put_ss6(optbuf, 8, GROUP6[gs & 7]);
		put_ss6(optbuf, 136, SRC6[ss & 7]);
		if (ss & 8)
			optbuf[136] = AF_INET;
		do_set(slot, SOL_IPV6, mco[api & 3], optbuf, lenv((uint8_t)lv, 264));
		break;
	}
}

/* IP_MSFILTER set */
void op_msf4(struct rd *in)
{
	int slot = slot_of(u8(in)), gs = u8(in), as = u8(in), fm = u8(in), nb = u8(in), lv = u8(in);
	uint32_t numsrc = numsrc_v((uint8_t)nb), n = numsrc < 72 ? numsrc : 0;
	int len;

	memset(optbuf, 0, 16 + 4 * 80);
	put32(optbuf, 0, htonl(GROUP4[gs & 15]));
	put32(optbuf, 4, htonl(ADDR4[as & 7]));
	put32(optbuf, 8, fmode_v((uint8_t)fm));
	put32(optbuf, 12, numsrc);
	for (uint32_t i = 0; i < n; i++)
		put32(optbuf, 16 + 4 * (int)i, htonl(SRC4[u8(in) & 7]));
	len = 16 + 4 * (int)n;
	switch (lv & 7) {
	case 5: len -= 4; break;
	case 6: len += 4; break;
	case 7: len = 15; break;
	}
	do_set(slot, SOL_IP, IP_MSFILTER, optbuf, len);
}

/* MCAST_MSFILTER set, IPv4 or IPv6 */
void op_gsf(struct rd *in)
{
	int slot = slot_of(u8(in)), fam = u8(in), gs = u8(in), is = u8(in), fm = u8(in), nb = u8(in),
	    lv = u8(in);
	uint32_t numsrc = numsrc_v((uint8_t)nb), n = numsrc < 72 ? numsrc : 0;
	int v6 = fam & 1, len;

	memset(optbuf, 0, 144 + 128 * (n + 1));
	put32(optbuf, 0, (uint32_t)ifidx((uint8_t)is));
	if (v6)
		put_ss6(optbuf, 8, GROUP6[gs & 7]);
	else
		put_ss4(optbuf, 8, htonl(GROUP4[gs & 15]));
	put32(optbuf, 136, fmode_v((uint8_t)fm));
	put32(optbuf, 140, numsrc);
	for (uint32_t i = 0; i < n; i++) {
		uint8_t s = u8(in);

		if (v6)
			put_ss6(optbuf, 144 + 128 * (int)i, SRC6[s & 7]);
		else
			put_ss4(optbuf, 144 + 128 * (int)i, htonl(SRC4[s & 7]));
		if (s & 0x80)	/* a source of the other family */
			optbuf[144 + 128 * i] = v6 ? AF_INET : AF_INET6;
	}
	if (fam & 2)
		optbuf[8] = v6 ? AF_INET : AF_INET6;
	len = 144 + 128 * (int)n;
	switch (lv & 7) {
	case 5: len -= 1; break;
	case 6: len += 128; break;
	case 7: len = 143; break;
	}
	do_set(slot, v6 ? SOL_IPV6 : SOL_IP, MCAST_MSFILTER, optbuf, len);
}

/* integer-ish options: IPv4 TTL/LOOP/ALL/IF, IPv6 HOPS/LOOP/ALL/IF */
void op_setint(struct rd *in)
{
	static const int opts[8][2] = { { SOL_IP, IP_MULTICAST_TTL }, { SOL_IP, IP_MULTICAST_LOOP },
		{ SOL_IP, IP_MULTICAST_ALL }, { SOL_IP, IP_MULTICAST_IF }, { SOL_IPV6, IPV6_MULTICAST_HOPS },
		{ SOL_IPV6, IPV6_MULTICAST_LOOP }, { SOL_IPV6, IPV6_MULTICAST_ALL }, { SOL_IPV6, IPV6_MULTICAST_IF } };
	static const int lens[12] = { 4, 4, 4, 4, 1, 2, 3, 0, 8, 12, 5, -1 };
	int slot = slot_of(u8(in)), o = u8(in) & 7, vs = u8(in), ls = u8(in) % 12, as = u8(in), is = u8(in);
	int vals[16] = { 0, 1, 2, 255, 256, -1, -2, 5, fz.lo_index, fz.f0_index, 999, 64, 0x7fffffff, 0x100,
			 (int)htonl(ADDR4[as & 7]), -1000 };
	int len = lens[ls];

	memset(optbuf, 0, 64);
	if (opts[o][1] == IP_MULTICAST_IF && opts[o][0] == SOL_IP) {
		/* in_addr / ip_mreq / ip_mreqn by length */
		if (len == 4 || len < 4 || len == 5)
			put32(optbuf, 0, htonl(ADDR4[as & 7]));
		put32(optbuf, 4, htonl(ADDR4[as & 7]));
		put32(optbuf, 8, (uint32_t)ifidx((uint8_t)is));
	} else {
		put32(optbuf, 0, (uint32_t)vals[vs & 15]);
	}
	do_set(slot, opts[o][0], opts[o][1], optbuf, len);
}

/* raw setsockopt: level, option, optlen and bytes from the input */
void op_setraw(struct rd *in)
{
	static const int v6opts[11] = { 17, 18, 19, 20, 21, 29, 42, 45, 46, 47, 48 };
	int slot = slot_of(u8(in)), lvb = u8(in), ob = u8(in), len = u8(in) | ((lvb & 6) << 7);
	int level = lvb & 1 ? SOL_IPV6 : SOL_IP, opt = level == SOL_IP ? 32 + ob % 18 : v6opts[ob % 11];

	memset(optbuf, 0, (size_t)len + 16);
	for (int i = 0; i < len && in->off < in->n; i++)
		optbuf[i] = u8(in);
	do_set(slot, level, opt, optbuf, len);
}

/* getsockopt and compare with the model */
void op_get(struct rd *in)
{
	static const int opts[12][2] = { { SOL_IP, IP_MULTICAST_TTL }, { SOL_IP, IP_MULTICAST_LOOP },
		{ SOL_IP, IP_MULTICAST_ALL }, { SOL_IP, IP_MULTICAST_IF }, { SOL_IP, IP_MSFILTER },
		{ SOL_IP, MCAST_MSFILTER }, { SOL_IPV6, IPV6_MULTICAST_HOPS }, { SOL_IPV6, IPV6_MULTICAST_LOOP },
		{ SOL_IPV6, IPV6_MULTICAST_ALL }, { SOL_IPV6, IPV6_MULTICAST_IF }, { SOL_IPV6, MCAST_MSFILTER },
		{ SOL_IP, IP_ADD_MEMBERSHIP } };
	static const int lens[8] = { 4, 4, 1, 2, 0, -1, 3, 8 };
	int slot = slot_of(u8(in)), o = u8(in) % 12, ls = u8(in), gs = u8(in), is = u8(in), nb = u8(in);
	int level = opts[o][0], opt = opts[o][1], len = lens[ls & 7], inlen = 0;

	memset(optbuf, 0, 512);
	if (opt == IP_MSFILTER) {
		put32(optbuf, 0, htonl(GROUP4[gs & 15]));
		put32(optbuf, 4, htonl(ADDR4[is & 7]));
		put32(optbuf, 12, (uint32_t)(nb % 80));
		inlen = 16;
		len = (ls & 8) ? 15 : 16 + 4 * (ls & 7);
	} else if (opt == MCAST_MSFILTER) {
		put32(optbuf, 0, (uint32_t)ifidx((uint8_t)is));
		if (level == SOL_IPV6)
			put_ss6(optbuf, 8, GROUP6[gs & 7]);
		else
			put_ss4(optbuf, 8, htonl(GROUP4[gs & 15]));
		if (gs & 0x80)
			optbuf[8] = level == SOL_IPV6 ? AF_INET : AF_INET6;
		put32(optbuf, 140, (uint32_t)(nb % 80));
		inlen = 144;
		len = (ls & 8) ? 143 : 144;
	}
	do_get(slot, level, opt, optbuf, inlen, len);
}


static const int NET_ERRNOS[] = { EINVAL, EADDRINUSE, EADDRNOTAVAIL, EAFNOSUPPORT, EINPROGRESS, ECONNREFUSED,
				  ENETUNREACH, EISCONN, EALREADY, EHOSTUNREACH, EOPNOTSUPP, EAGAIN, EACCES,
				  ENOTCONN, EDESTADDRREQ, EPIPE, ENOBUFS, EMSGSIZE, ECONNRESET, ECONNABORTED,
				  ENOPROTOOPT };

void op_bind(struct rd *in)
{
	int slot = slot_of(u8(in)), sel = u8(in), pb = u8(in), rc, e;
	struct sockaddr_storage ss;
	socklen_t l;
	struct rec *r;

	if (sfd(slot) < 0)
		return;
	l = mk_addr((uint8_t)sel, (uint8_t)pb, &ss, 0);
	r = rec_new(R_BIND, slot, &ss, l);
	rc = bind(sfd(slot), (struct sockaddr *)&ss, l);
	e = errno;
	judge(r, "bind", rc, e, NET_ERRNOS, MCP_ARRAY_SIZE(NET_ERRNOS));
}

void op_connect(struct rd *in)
{
	int slot = slot_of(u8(in)), sel = u8(in), pb = u8(in), rc, e;
	uint16_t port = 0;
	struct sockaddr_storage ss;
	socklen_t l;
	struct rec *r;

	if (sfd(slot) < 0)
		return;
	if (sel & 8) {	/* to a listener of ours, if there is one */
		for (int i = 0; i < FZ_NSOCK; i++)
			if (fzm.s[i].fd >= 0 && fzm.s[i].listening && fzm.s[i].port)
				port = fzm.s[i].port;
		sel = (sel & 4) | 1;
	}
	l = mk_addr((uint8_t)sel, (uint8_t)pb, &ss, port);
	if ((sel & 0x30) == 0x30) {
		ss.ss_family = AF_UNSPEC;	/* dissolve the association */
		l = sizeof(struct sockaddr_in);
	}
	r = rec_new(R_CONNECT, slot, &ss, l);
	rc = connect(sfd(slot), (struct sockaddr *)&ss, l);
	e = errno;
	judge(r, "connect", rc, e, NET_ERRNOS, MCP_ARRAY_SIZE(NET_ERRNOS));
}

void op_listen_accept(struct rd *in)
{
	int slot = slot_of(u8(in)), what = u8(in), rc, e;
	struct rec *r;

	if (sfd(slot) < 0)
		return;
	if (!(what & 1)) {
		struct sockaddr_storage ss;
		socklen_t l = sizeof(ss);

		r = rec_new(R_LISTEN, slot, NULL, 0);
		rc = listen(sfd(slot), 8);
		e = errno;
		judge(r, "listen", rc, e, NET_ERRNOS, MCP_ARRAY_SIZE(NET_ERRNOS));
		if (rc == 0 && getsockname(sfd(slot), (struct sockaddr *)&ss, &l) == 0) {
			fzm.s[slot].listening = 1;
			fzm.s[slot].port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		}
		return;
	}
	r = rec_new(R_ACCEPT, slot, NULL, 0);
	rc = accept4(sfd(slot), NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	e = errno;
	judge(r, "accept", rc, e, NET_ERRNOS, MCP_ARRAY_SIZE(NET_ERRNOS));
	note_fd(rc);
	if (rc >= 0) {
		const struct fz_sock *p = &fzm.s[slot];

		fzs.ever |= CK_IGMP | CK_IGMP6 | CK_MCF | CK_MCF6;	/* a child must not carry memberships (CVE-2017-8890) */
		int to = -1;

		for (int i = 0; i < FZ_NSOCK; i++)
			if (fzm.s[i].fd < 0)
				to = i;
		if (to < 0) {
			close(rc);
			return;
		}
		if (r)
			r->slot2 = (int8_t)to;
		fz_model_sock_new(to, rc, p->family, p->type, p->proto);
		/*
		 * The child is a copy of the listener without memberships (CVE-2017-8890
		 * fix), except what tcp_v{4,6}_syn_recv_sock sets from the SYN: mc_ttl,
		 * mc_index, mcast_hops, mcast_oif. Those four are read, not predicted.
		 */
		{
			struct fz_sock *c = &fzm.s[to];
			socklen_t l4 = 4;
			int v = 0;

			c->loop = p->loop;
			c->all = p->all;
			c->mc_addr = p->mc_addr;
			c->loop6 = p->loop6;
			c->all6 = p->all6;
			if (getsockopt(rc, SOL_IP, IP_MULTICAST_TTL, &v, &l4) == 0)
				c->ttl = v;
			c->mc_index = 0;
			if (c->family == AF_INET6) {
				l4 = 4;
				if (getsockopt(rc, SOL_IPV6, IPV6_MULTICAST_HOPS, &v, &l4) == 0)
					c->hops6 = v;
				l4 = 4;
				if (getsockopt(rc, SOL_IPV6, IPV6_MULTICAST_IF, &v, &l4) == 0)
					c->oif6 = v;
			}
		}
	}
}

void op_send(struct rd *in)
{
	int slot = slot_of(u8(in)), gs = u8(in), pb = u8(in), rc, e;
	struct sockaddr_storage ss;
	socklen_t l;
	struct rec *r;

	if (sfd(slot) < 0)
		return;
	memset(&ss, 0, sizeof(ss));
	if (gs & 0x80) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(40000 + (pb & 63));
		memcpy(&s6->sin6_addr, GROUP6[gs & 7], 16);
		l = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(40000 + (pb & 63));
		s4->sin_addr.s_addr = htonl(GROUP4[gs & 15]);
		l = sizeof(*s4);
	}
	r = rec_new(R_SEND, slot, &ss, l);
	rc = (int)sendto(sfd(slot), "mcprobe", 7, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&ss, l);
	e = errno;
	judge(r, "sendto", rc, e, NET_ERRNOS, MCP_ARRAY_SIZE(NET_ERRNOS));
}

void op_recv(struct rd *in)
{
	int slot = slot_of(u8(in)), rc, e;
	char b[2048];
	struct rec *r;

	if (sfd(slot) < 0)
		return;
	r = rec_new(R_RECV, slot, NULL, 0);
	rc = (int)recv(sfd(slot), b, sizeof(b), MSG_DONTWAIT);
	e = errno;
	judge(r, "recv", rc, e, NET_ERRNOS, MCP_ARRAY_SIZE(NET_ERRNOS));
}


void op_sysctl(struct rd *in)
{
	static const long mm[8] = { 0, 1, 2, 3, 20, 40, -1, 5 };
	static const long msf[8] = { 0, 1, 2, 10, 11, 64, 3, 5 };
	int which = u8(in), vs = u8(in) & 7, rc, e;
	const char *name;
	long v;
	struct rec *r;

	int k = which % (fzs.profile == FZ_IGMP ? 4 : 2);

	switch (k) {
	case 0: name = "net.ipv4.igmp_max_memberships"; v = mm[vs]; break;
	case 1: name = "net.ipv4.igmp_max_msf"; v = msf[vs]; break;
	case 2: name = "net.ipv4.conf.f0.force_igmp_version"; v = vs & 3; break;
	default: name = "net.ipv4.conf.all.force_igmp_version"; v = vs & 3; break;
	}
	if (k == 2 && !fz.f0_index)
		return;	/* f0 is gone: nothing to set */
	r = rec_new(R_SYSCTL, -1, NULL, 0);
	if (r) {
		r->text = name;
		r->val = v;
		r->exp = (struct fz_expect){ 0, 0, 0, "proc_dointvec takes any int" };
	}
	fz.sysctl_dirty = 1;
	rc = fz_sysctl_write(name, v);
	e = errno;
	judge(r, "sysctl write", rc, e, NULL, 0);
	if (rc == 0) {
		if (k == 0)
			fz.max_memberships = v;
		else if (k == 1)
			fz.max_msf = v;
		else if (k == 2)
			fzs.force_f0 = (int)v;
		else
			fzs.force_all = (int)v;
	}
}


/*
 * Groups f0 held when it went down in this input: the model makes no claim
 * about their rows of /proc/net/mcfilter for the rest of the input (kernel
 * finding 3, fuzz/findings/link_down_include_sources.c). ip_mc_down parks the
 * source records of INCLUDE-mode groups in tomb records (igmpv3_add_delrec);
 * socket operations while down miss them (a leaving socket's source stays,
 * one added is lost at up, when igmpv3_del_delrec swaps the parked list back
 * into a group that is INCLUDE by then), and state-change reports sent while
 * down can free the parked records first: timer-dependent, so not modelled.
 * Groups joined after the down, other devices, users counts and the sockets'
 * own filters stay judged. The environment rebuilds f0 after such an input.
 */

static void park_add(uint32_t g)
{
	if (f0_parked(g))
		return;
	if (fzs.nparked >= (int)MCP_ARRAY_SIZE(fzs.parked))
		fz_die("more than %zu fzs.parked f0 groups", MCP_ARRAY_SIZE(fzs.parked));
	fzs.parked[fzs.nparked++] = g;
}

static void park_f0_groups(void)
{
	int li, ldev, lnsrc;
	uint32_t lg;
	const uint32_t *ls;

	for (int i = 0; i < FZ_NSOCK; i++) {
		const struct fz_sock *s = &fzm.s[i];

		for (int j = 0; s->fd >= 0 && j < s->nm4; j++) {
			uint32_t g;

			memcpy(&g, s->m4[j].group, 4);
			if (s->m4[j].ifindex == fz.f0_index)
				park_add(g);
		}
	}
	for (li = 0; fz_model_leaked_group(li, &ldev, &lg, &lnsrc, &ls); li++)
		if (ldev == fz.f0_index)
			park_add(lg);
}

void op_link(struct rd *in)
{
	int b = u8(in), a = b % 8 < 4 ? 0 : b % 8 < 7 ? 1 : 2, rc, e;	/* down, up, delete (rare) */

	if (fz.no_link)
		return;
	struct rec *r;

	if (!fz.f0_index)
		return;
	r = rec_new(R_LINK, -1, NULL, 0);
	if (r) {
		r->val = a;
		r->exp = (struct fz_expect){ 0, 0, 0, "rtnetlink on our own veth" };
	}
	touch(CK_IGMP | CK_IGMP6 | CK_MCF | CK_MCF6);
	if (a == 0)
		park_f0_groups();
	rc = fz_link_op(a);
	e = errno;
	judge(r, "link", rc, e, NULL, 0);
}

