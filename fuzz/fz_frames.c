// SPDX-License-Identifier: GPL-2.0
/*
 * fz_frames.c - IGMP frames sent into f0 from its peer p0 (AF_PACKET in the
 * peer netns): v1/v2/v3 queries, v1/v2 reports, v2 leaves, v3 reports with
 * records, raw IGMP bytes; wrong checksums, TTL, lengths, addresses and the
 * Router Alert option by flag bits. The Querier rule the oracle checks after
 * each frame (IGMP_V1_SEEN / IGMP_V2_SEEN) is kept here.
 */
#include "fz_prog.h"
#include "mcp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <time.h>

static const int INJECT_ERRNOS[] = { ENETDOWN, ENXIO, ENODEV, ENOBUFS };

static int is_mc_dst(uint32_t a) { return (ntohl(a) & 0xf0000000u) == 0xe0000000u; }

static uint16_t csum16(const uint8_t *p, size_t n)
{
	uint32_t s = 0;

	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/*
 * IGMP_V1_SEEN / IGMP_V2_SEEN: a forced version, or a v1/v2 query heard less
 * than qrv*qi+qri ago. ip_mc_up does not clear mr_v1_seen/mr_v2_seen (only a
 * new in_device starts clean) and qrv/qi come from the fuzzer's v3 queries,
 * so a query heard in an earlier input may or may not still count: the model
 * allows that version too (fz.ever_v1/ever_v2, reset when f0 is recreated).
 * Returns the set of allowed Querier columns as bits 1<<1 (V1) .. 1<<3 (V3).
 */
int querier_allowed(void)
{
	if (fzs.force_all == 1 || fzs.force_f0 == 1 || fzs.v1_seen)
		return 1 << 1;
	if (fzs.force_all == 2 || fzs.force_f0 == 2 || fzs.v2_seen)
		return 1 << 2 | (fz.ever_v1 ? 1 << 1 : 0);
	return 1 << 3 | (fz.ever_v1 ? 1 << 1 : 0) | (fz.ever_v2 ? 1 << 2 : 0);
}

/*
 * One IGMP message at ig (its checksum is set later): returns its length and
 * sets *dst where the message kind decides the destination. kind 3..5 share
 * a builder; gs bits 0x10/0x20 make a query group-specific / sent to the group.
 */
struct igmp_msg {
	int kind, gs;
	uint32_t group;
};

static int msg_query_v1(uint8_t *ig, const struct igmp_msg *m, uint32_t *dst, struct rd *in)
{
	(void)m, (void)dst, (void)in;
	ig[0] = 0x11;	/* 8 bytes, code 0 */
	return 8;
}

static int msg_query_v2(uint8_t *ig, const struct igmp_msg *m, uint32_t *dst, struct rd *in)
{
	ig[0] = 0x11;	/* 8 bytes, code != 0, general or group-specific */
	ig[1] = u8(in) | 1;
	if (m->gs & 0x10)
		memcpy(ig + 4, &m->group, 4);
	if (m->gs & 0x20)
		*dst = m->group;
	return 8;
}

static int msg_query_v3(uint8_t *ig, const struct igmp_msg *m, uint32_t *dst, struct rd *in)
{
	int n = u8(in) % 6;

	ig[0] = 0x11;
	ig[1] = u8(in);			/* max resp code */
	if (m->gs & 0x10)
		memcpy(ig + 4, &m->group, 4);
	ig[8] = u8(in);			/* resv/S/QRV */
	ig[9] = u8(in);			/* QQIC */
	ig[10] = 0;
	ig[11] = (uint8_t)n;
	for (int i = 0; i < n; i++) {
		uint32_t s = htonl(SRC4[u8(in) & 7]);

		memcpy(ig + 12 + 4 * i, &s, 4);
	}
	if (m->gs & 0x20)
		*dst = m->group;
	return 12 + 4 * n;
}

static int msg_report_v12(uint8_t *ig, const struct igmp_msg *m, uint32_t *dst, struct rd *in)
{
	(void)in;	/* kind 3 v1 report, 4 v2 report, 5 v2 leave */
	ig[0] = m->kind == 3 ? 0x12 : m->kind == 4 ? 0x16 : 0x17;
	memcpy(ig + 4, &m->group, 4);
	*dst = m->kind == 5 ? htonl(IP4(224, 0, 0, 2)) : m->group;
	return 8;
}

static int msg_report_v3(uint8_t *ig, const struct igmp_msg *m, uint32_t *dst, struct rd *in)
{
	int ng = u8(in) % 4, il = 8;

	(void)m;
	ig[0] = 0x22;
	memset(ig + 1, 0, 7);
	ig[7] = (uint8_t)ng;
	for (int g = 0; g < ng; g++) {
		int ns = u8(in) % 4;
		uint32_t ga = htonl(GROUP4[u8(in) & 15]);

		ig[il] = u8(in) % 8;	/* record type, 0 and 7 invalid */
		ig[il + 1] = 0;
		ig[il + 2] = 0;
		ig[il + 3] = (uint8_t)ns;
		memcpy(ig + il + 4, &ga, 4);
		il += 8;
		for (int i = 0; i < ns; i++) {
			uint32_t s = htonl(SRC4[u8(in) & 7]);

			memcpy(ig + il, &s, 4);
			il += 4;
		}
	}
	*dst = htonl(IP4(224, 0, 0, 22));
	return il;
}

static int msg_raw(uint8_t *ig, const struct igmp_msg *m, uint32_t *dst, struct rd *in)
{
	static const uint32_t dsts[4] = { IP4(224, 0, 0, 1), 0, IP4(224, 0, 0, 22), IP4(224, 0, 0, 2) };
	int il = u8(in) % 48;

	for (int i = 0; i < il; i++)
		ig[i] = u8(in);
	*dst = (m->gs & 0x30) == 0x10 ? m->group : htonl(dsts[(m->gs >> 4) & 3]);
	return il;
}

static int (*const IGMP_MSG[8])(uint8_t *, const struct igmp_msg *, uint32_t *, struct rd *) = {
	msg_query_v1, msg_query_v2, msg_query_v3, msg_report_v12, msg_report_v12, msg_report_v12,
	msg_report_v3, msg_raw,
};

/* IPv4 header at ip, with the Router Alert option when hl is 24; flag bits break it */
static void ip_header(uint8_t *ip, int hl, int il, int flags, uint32_t src, uint32_t dst)
{
	int tot = hl + il + ((flags & 0x10) ? 4 : 0);	/* flag 0x10: claims more than is there */
	uint16_t c;

	ip[0] = (uint8_t)(0x40 | hl / 4);
	ip[1] = 0xc0;
	ip[2] = (uint8_t)(tot >> 8);
	ip[3] = (uint8_t)tot;
	ip[4] = ip[5] = 0;
	ip[6] = 0x40;	/* DF */
	ip[7] = 0;
	ip[8] = (flags & 8) ? 64 : 1;
	ip[9] = IPPROTO_IGMP;
	ip[10] = ip[11] = 0;
	memcpy(ip + 12, &src, 4);
	memcpy(ip + 16, &dst, 4);
	if (hl == 24) {
		ip[20] = 0x94;
		ip[21] = 0x04;
		ip[22] = ip[23] = 0;
	}
	c = csum16(ip, (size_t)hl);
	if (flags & 4)
		c ^= 0x0101;
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
}

/* Ethernet: the group's MAC (01:00:5e + low 23 bits) or f0's, from p0 */
static void eth_header(uint8_t *fr, uint32_t dst)
{
	if ((ntohl(dst) & 0xf0000000u) == 0xe0000000u) {
		uint32_t h = ntohl(dst);

		fr[0] = 0x01, fr[1] = 0x00, fr[2] = 0x5e;
		fr[3] = (uint8_t)((h >> 16) & 0x7f), fr[4] = (uint8_t)(h >> 8), fr[5] = (uint8_t)h;
	} else {
		memcpy(fr, fz.f0_mac, 6);
	}
	memcpy(fr + 6, fz.p0_mac, 6);
	fr[12] = 0x08;
	fr[13] = 0x00;
}

/* igmp_rcv -> igmp_heard_query: an 8-byte query f0 accepted is v1 (code 0) or v2 */
static void heard_query(const uint8_t *ig, int il, int flags, uint32_t src, uint32_t dst, int rc)
{
	uint32_t hd = ntohl(dst);
	int accepted;

	if (il >= 8 && ig[0] == 0x11 && !(flags & (1 | 4 | 0x10)) && fz.f0_up)
		fz.ever_v1_next |= il == 8 && !ig[1], fz.ever_v2_next |= il == 8 && ig[1];
	if (!(rc > 0 && fz.f0_up && il == 8 && ig[0] == 0x11 && !(flags & (1 | 4 | 0x10))))
		return;
	/*
	 * ip_route_input: 0.0.0.0 is a martian source for unicast, allowed for
	 * IGMP to a group; ip_route_input_slow takes 255.255.255.255, and also
	 * 0.0.0.0 -> 0.0.0.0, as local broadcast (brd_input) before its
	 * zeronet martian checks. kernel: the last case was missed by this
	 * rule until fuzz_igmp found it (fuzz/findings/README.md, item 10).
	 */
	accepted = hd == IP4(224, 0, 0, 1) || (hd == IP4(10, 99, 0, 1) && src) || hd == 0xffffffffu ||
		   (hd == 0 && !src) || (is_mc_dst(dst) && fz_model_users4(fz.f0_index, dst) > 0);
	if (!accepted)
		return;
	if (fz_wrong("querier"))
		;	/* the wrong rule: a v1/v2 query changes nothing */
	else if (ig[1] == 0)
		fzs.v1_seen = fz.ever_v1_next = 1;
	else
		fzs.v2_seen = fz.ever_v2_next = 1;
}

void op_inject(struct rd *in)
{
	static uint8_t fr[1600];
	uint8_t *ip = fr + 14, *ig;
	int kind = u8(in) & 7, flags = u8(in), gs = u8(in), hl = (flags & 2) ? 20 : 24, il, rc, e;
	struct igmp_msg m = { kind, gs, htonl(GROUP4[gs & 15]) };
	uint32_t dst = htonl(IP4(224, 0, 0, 1)), src;
	struct rec *r;

	if (!fz.f0_index)
		return;
	memset(fr, 0, 14 + 24 + 8);
	ig = ip + hl;
	il = IGMP_MSG[kind](ig, &m, &dst, in);
	if (il >= 4) {
		uint16_t c;

		ig[2] = ig[3] = 0;
		c = csum16(ig, (size_t)il);
		if (flags & 1)
			c ^= 0x5a5a;	/* a wrong checksum */
		ig[2] = (uint8_t)(c >> 8);
		ig[3] = (uint8_t)c;
	}
	if (flags & 0x20)
		dst = htonl(IP4(10, 99, 0, 1));	/* unicast to us */
	src = (flags & 0x40) ? 0 : htonl(IP4(10, 99, 0, 2));
	ip_header(ip, hl, il, flags, src, dst);
	eth_header(fr, dst);
	touch(CK_IGMP);
	r = rec_new(R_INJECT, -1, fr, (size_t)(14 + hl + il));
	rc = fz_inject(fr, (size_t)(14 + hl + il));
	e = errno;
	judge(r, "inject", rc, e, INJECT_ERRNOS, MCP_ARRAY_SIZE(INJECT_ERRNOS));
	heard_query(ig, il, flags, src, dst, rc);
}

/* ---------------- MLD (RFC 2710, RFC 3810) from p0 ---------------- */

/*
 * One MLD message at m: returns its length, sets dst (the IPv6 destination)
 * where the kind decides it. gs bit 0x10 makes a query group-specific, 0x20
 * sends it to the group instead of ff02::1.
 */
static const uint8_t ALLNODES6[16] = { 0xff, 2, [15] = 1 };
static const uint8_t ALLROUTERS6[16] = { 0xff, 2, [15] = 2 };
static const uint8_t MLDV2_ROUTERS6[16] = { 0xff, 2, [15] = 0x16 };

static int mld_query(uint8_t *m, const uint8_t *g, int v2, int gs, uint8_t *dst, struct rd *in)
{
	int n = v2 ? u8(in) % 5 : 0;

	m[0] = 130;
	m[4] = u8(in) & 0x7f;	/* Maximum Response (Code): keep it below 32768 ms */
	m[5] = u8(in);
	if (gs & 0x10)
		memcpy(m + 8, g, 16);
	if (gs & 0x20)
		memcpy(dst, g, 16);
	if (!v2)
		return 24;
	m[24] = u8(in) & 0x0f;	/* S, QRV */
	m[25] = u8(in);		/* QQIC */
	m[27] = (uint8_t)n;	/* n > 0 and a group: group-and-source-specific */
	for (int i = 0; i < n; i++)
		memcpy(m + 28 + 16 * i, SRC6[u8(in) & 7], 16);
	return 28 + 16 * n;
}

static int mld_report2(uint8_t *m, struct rd *in)
{
	int nr = u8(in) % 3, l = 8;

	m[0] = 143;
	m[7] = (uint8_t)nr;
	for (int r = 0; r < nr; r++) {
		int ns = u8(in) % 3;

		m[l] = u8(in) % 8;	/* record type, 0 and 7 invalid */
		m[l + 3] = (uint8_t)ns;
		memcpy(m + l + 4, GROUP6[u8(in) & 7], 16);
		l += 20;
		for (int i = 0; i < ns; i++, l += 16)
			memcpy(m + l, SRC6[u8(in) & 7], 16);
	}
	return l;
}

/* kinds 0..7: v1 query, v2 query (twice), v1 report, v1 done, v2 report, raw MLD bytes, v1 query */
static int mld_msg(uint8_t *m, int kind, int gs, uint8_t *dst, struct rd *in)
{
	static const uint8_t raw_types[4] = { 130, 131, 132, 143 };
	const uint8_t *g = GROUP6[gs & 7];
	int l;

	switch (kind) {
	case 0: case 7: return mld_query(m, g, 0, gs, dst, in);
	case 1: case 2: return mld_query(m, g, 1, gs, dst, in);
	case 3: case 4:
		m[0] = kind == 3 ? 131 : 132;
		memcpy(m + 8, g, 16);
		memcpy(dst, kind == 3 ? g : ALLROUTERS6, 16);
		return 24;
	case 5:
		memcpy(dst, MLDV2_ROUTERS6, 16);
		return mld_report2(m, in);
	default:	/* only MLD types: an RA or NS from p0 would change f0's addresses and routes */
		l = 4 + u8(in) % 60;
		for (int i = 1; i < l; i++)
			m[i] = u8(in);
		m[0] = raw_types[m[1] & 3];
		return l;
	}
}

/* the ICMPv6 checksum over the pseudo-header (RFC 8200 8.1) */
static void mld_csum(uint8_t *m, int l, const uint8_t *src, const uint8_t *dst, int wrong)
{
	uint8_t ph[40 + 1024];
	uint16_t c;

	memcpy(ph, src, 16);
	memcpy(ph + 16, dst, 16);
	memset(ph + 32, 0, 8);
	ph[34] = (uint8_t)(l >> 8);
	ph[35] = (uint8_t)l;
	ph[39] = IPPROTO_ICMPV6;
	m[2] = m[3] = 0;
	memcpy(ph + 40, m, (size_t)l);
	c = csum16(ph, (size_t)(40 + l));
	if (wrong)
		c ^= 0x5a5a;
	m[2] = (uint8_t)(c >> 8);
	m[3] = (uint8_t)c;
}

/*
 * What an MLD query tells the model: mld_query_work handles it later, in a
 * worker, so its effects (MLDv1 mode, per-group timers: the MAF_TIMER_RUNNING
 * and MAF_LAST_REPORTER flags of /proc/net/igmp6) may come at any later step.
 * Every ICMPv6 type 130 counts, valid or not (a claim left out is safe), and a
 * 24-byte one (mld_process_v1) may switch f0 to MLDv1 mode for 260 s.
 */
static void heard_query6(const uint8_t *m, int l)
{
	struct timespec t;

	if (m[0] != 130 || (l == 24 && fz_wrong("mld_v1")))
		return;	/* the wrong rule: a v1 query changes nothing */
	clock_gettime(CLOCK_MONOTONIC, &t);
	fzs.mld_query = 1;
	fz.mld_query_ns = (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
	if (l == 24)
		fz.mld_v1_ever = 1;
}

/*
 * Flag bits of the argument: 1 wrong checksum, 2 no Hop-by-Hop Router Alert,
 * 4 hop limit 64, 8 a global source (MLD needs a link-local one).
 */
void op_inject6(struct rd *in)
{
	static uint8_t fr[1600];
	static const uint8_t src_ll[16] = { 0xfe, 0x80, [15] = 2 }, src_gl[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
	int kind = u8(in) & 7, flags = u8(in), gs = u8(in), hbh = (flags & 2) ? 0 : 8, l, rc, e;
	uint8_t dst[16], *ip = fr + 14, *m = ip + 40 + hbh;
	const uint8_t *src = (flags & 8) ? src_gl : src_ll;
	struct rec *r;

	if (!fz.f0_index)
		return;
	memset(fr, 0, 14 + 40 + 8 + 28);
	memcpy(dst, ALLNODES6, 16);
	l = mld_msg(m, kind, gs, dst, in);
	mld_csum(m, l, src, dst, flags & 1);
	ip[0] = 0x60;
	ip[4] = (uint8_t)((hbh + l) >> 8);
	ip[5] = (uint8_t)(hbh + l);
	ip[6] = hbh ? 0 : IPPROTO_ICMPV6;
	ip[7] = (flags & 4) ? 64 : 1;
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);
	if (hbh) {	/* next header ICMPv6, Router Alert (MLD), PadN */
		static const uint8_t opt[8] = { IPPROTO_ICMPV6, 0, 5, 2, 0, 0, 1, 0 };

		memcpy(ip + 40, opt, 8);
	}
	fr[0] = 0x33, fr[1] = 0x33;	/* RFC 2464: 33:33 + the low 32 bits */
	memcpy(fr + 2, dst + 12, 4);
	memcpy(fr + 6, fz.p0_mac, 6);
	fr[12] = 0x86;
	fr[13] = 0xdd;
	touch(CK_IGMP6 | CK_MCF6);
	r = rec_new(R_INJECT, -1, fr, (size_t)(14 + 40 + hbh + l));
	rc = fz_inject(fr, (size_t)(14 + 40 + hbh + l));
	e = errno;
	judge(r, "inject", rc, e, INJECT_ERRNOS, MCP_ARRAY_SIZE(INJECT_ERRNOS));
	heard_query6(m, l);
}
