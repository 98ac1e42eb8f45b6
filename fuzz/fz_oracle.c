// SPDX-License-Identifier: GPL-2.0
/*
 * fz_oracle.c - the oracle's read-and-compare code: /proc/net/igmp, igmp6,
 * mcfilter and mcfilter6 parsed and compared with the model after a step that changed
 * memberships or source lists, the f0 Querier column after a frame, the
 * input's descriptors after it ended.
 *
 * Built without SanitizerCoverage, ASan and UBSan in the libFuzzer targets
 * (fuzz/harness.ignorelist names this file): it parses what the kernel
 * printed, never fuzzer bytes, and its edges and comparisons track the size
 * of /proc and of the model, not kernel paths. fz_tool builds it with ASan
 * and UBSan, and make fuzz-smoke replays the smoke corpus through it.
 */
#include "fz_prog.h"
#include "mcp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <time.h>
#include <unistd.h>

/* a group f0 held when it went down in this input: its mcfilter rows are not judged (fz_ops.c) */
int f0_parked(uint32_t g)
{
	for (int i = 0; i < fzs.nparked; i++)
		if (fzs.parked[i] == g)
			return 1;
	return 0;
}

/* ---------------- the oracle's views of the namespace ---------------- */

static char procbuf[1 << 16];

/*
 * Hand-written scanners for the fixed formats of igmp_mc_seq_show,
 * igmp6_mc_seq_show and igmp_mcf_seq_show: sscanf (an ASan interceptor plus
 * glibc's vfscanf) was the largest user-space cost of the oracle. Each takes
 * a cursor inside one NUL-terminated line and returns NULL when the field is
 * not there, so a line the kernel prints differently is skipped exactly as
 * the sscanf forms skipped it (and then shows as a row-count divergence).
 */
static const char *sc_sp(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static const char *sc_word(const char *p)	/* a non-empty token, then blanks */
{
	const char *q = p;

	while (*q && *q != ' ' && *q != '\t')
		q++;
	return q == p ? NULL : sc_sp(q);
}

static const char *sc_dec(const char *p, long *v)	/* [-]digits, then blanks */
{
	int neg = *p == '-';
	long x = 0;
	const char *q = p + neg;

	if (*q < '0' || *q > '9')
		return NULL;
	while (*q >= '0' && *q <= '9' && x < (1L << 40))
		x = x * 10 + (*q++ - '0');
	*v = neg ? -x : x;
	return sc_sp(q);
}

static int hexval(char c);

static const char *sc_hex(const char *p, unsigned long *v)	/* [0x]hexdigits, then blanks */
{
	unsigned long x = 0;
	int n = 0;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && hexval(p[2]) >= 0)
		p += 2;
	for (; hexval(*p) >= 0 && n < 16; p++, n++)
		x = x << 4 | (unsigned long)hexval(*p);
	if (!n)
		return NULL;
	*v = x;
	return sc_sp(p);
}

/* next line of a NUL-terminated buffer, cut at its newline; NULL at the end */
static char *sc_line(char **cur)
{
	char *l = *cur, *e;

	while (*l == '\n')
		l++;
	if (!*l)
		return NULL;
	e = strchr(l, '\n');
	if (e) {
		*e = 0;
		*cur = e + 1;
	} else {
		*cur = l + strlen(l);
	}
	return l;
}

static int querier_f0(void)	/* 1, 2, 3 from /proc/net/igmp, 0 when f0 has no line */
{
	char *l, *cur = procbuf;

	if (fz_proc_read(fz.igmp_fd, procbuf, sizeof(procbuf)) < 0)
		return -1;
	while ((l = sc_line(&cur))) {	/* "%d\t%-10s: %5d %7s" */
		long idx, cnt;
		const char *p;

		if (l[0] == '\t' || !(p = sc_dec(l, &idx)) || !(p = sc_word(p)))
			continue;
		if (*p == ':')	/* a name of 10 characters or more runs into the colon */
			p = sc_sp(p + 1);
		if (!(p = sc_dec(p, &cnt)) || !*p || idx != fz.f0_index)
			continue;
		return p[0] == 'V' ? p[1] - '0' : -1;
	}
	return 0;
}

/* /proc/net/igmp == the model's memberships (+ all-hosts on up devices) */
static void check_igmp4(const char *when)
{
	char *l, *cur = procbuf;
	int idx = 0, rows = 0, expected = 0;

	if (fz_proc_read(fz.igmp_fd, procbuf, sizeof(procbuf)) < 0)
		diverge("read /proc/net/igmp: %s", mcp_errname(errno));
	while ((l = sc_line(&cur))) {
		unsigned int g;
		int users, want;
		long v;
		unsigned long h;
		const char *p;

		if (l[0] != '\t') {	/* device line "%d\t%-10s: ..." (the header has no number) */
			p = sc_dec(l, &v);
			idx = p && sc_word(p) ? (int)v : 0;
			continue;
		}
		/* group line "\t\t\t\t%08X %5d %d:%08lX\t\t%d" */
		if (!(p = sc_hex(sc_sp(l), &h)) || !sc_dec(p, &v))
			continue;
		g = (unsigned int)h;
		users = (int)v;
		rows++;
		want = fz_model_users4(idx, g);	/* g is the raw be32 the kernel printed */
		if (users != want) {
			char a[32];

			fmt_a4(a, sizeof(a), (const uint8_t *)&g);
			diverge("%s: /proc/net/igmp ifindex %d group %s users %d, model %d", when, idx, a, users,
				want);
		}
	}
	/* every (device, group) the model holds must have appeared */
	for (int d = 0; d < 2; d++) {
		int dev = d ? fz.f0_index : fz.lo_index;
		uint32_t seen[FZ_NSOCK * FZ_MAXMEMB + 65];
		int ns = 0;

		if (!fz_dev_alive(dev))
			continue;
		seen[ns++] = htonl(0xe0000001u);
		for (int i = 0; i < FZ_NSOCK; i++) {
			const struct fz_sock *s = &fzm.s[i];

			for (int j = 0; s->fd >= 0 && j < s->nm4; j++) {
				uint32_t g;
				int dup = 0;

				memcpy(&g, s->m4[j].group, 4);
				if (s->m4[j].ifindex != dev)
					continue;
				for (int k = 0; k < ns; k++)
					dup |= seen[k] == g;
				if (!dup)
					seen[ns++] = g;
			}
		}
		{	/* and the memberships the kernel leaked on this device */
			int li, ldev, lnsrc;
			uint32_t lg;
			const uint32_t *ls;

			for (li = 0; fz_model_leaked_group(li, &ldev, &lg, &lnsrc, &ls); li++) {
				int dup = 0;

				for (int k = 0; k < ns; k++)
					dup |= seen[k] == lg;
				if (ldev == dev && !dup && ns < (int)MCP_ARRAY_SIZE(seen))
					seen[ns++] = lg;
			}
		}
		for (int k = 0; k < ns; k++)
			expected += fz_model_users4(dev, seen[k]) > 0;
	}
	if (rows != expected)
		diverge("%s: /proc/net/igmp has %d group rows, model %d", when, rows, expected);
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static int hex16(const char *h, uint8_t out[16])
{
	for (int i = 0; i < 16; i++) {
		int a = hexval(h[2 * i]), b = a < 0 ? -1 : hexval(h[2 * i + 1]);

		if (b < 0)
			return -1;
		out[i] = (uint8_t)(a << 4 | b);
	}
	return 0;
}

static int group6_tracked(const uint8_t *g)
{
	for (int i = 0; i < 8; i++)
		if (!memcmp(g, GROUP6[i], 16))
			return 1;
	return 0;
}

/*
 * MLD state the model can tell from here (mcast.c): MAF_NOREPORT (8) is set
 * at mca_alloc for ff02::1 only (the table has no interface-local group);
 * MAF_LOADED (4) by igmp6_group_added for every group of link scope or wider,
 * cleared by ipv6_mc_down (a join while down sets it again: no claim then).
 * The timer bits MAF_TIMER_RUNNING (1), MAF_LAST_REPORTER (2) and MAF_GSQUERY
 * (0x10) are never set for ff02::1 or on lo (no query reaches it), and on f0
 * they are set only by a query (igmp6_group_queried, mld_marksources) or by
 * a join in MLDv1 mode (igmp6_join_group): clear while no query was sent in
 * this input, none in the last 2 s (mld_query_work runs later) and no MLDv1
 * query since f0 was made (mc_v1_seen outlives an input).
 */
static int mld_quiet(void)
{
	struct timespec t;
	long long now;

	if (fzs.mld_query || fz.mld_v1_ever)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &t);
	now = (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
	return !fz.mld_query_ns || now - fz.mld_query_ns > 2000000000LL;
}

static void check_flags6(const char *when, int idx, const uint8_t *g, unsigned long flags)
{
	static const uint8_t allnodes[16] = { 0xff, 2, [15] = 1 };
	int an = !memcmp(g, allnodes, 16), up = idx == fz.lo_index || (idx == fz.f0_index && fz.f0_up);
	unsigned long mask = 8, want = an ? 8 : 0;
	char a[64];

	if (up)
		mask |= 4, want |= 4;
	if (an || idx == fz.lo_index || mld_quiet())
		mask |= 0x13;
	if ((flags & mask) == want)
		return;
	fmt_a6(a, sizeof(a), g);
	diverge("%s: /proc/net/igmp6 ifindex %d group %s flags %02lX, model %02lX under mask %02lX (query sent in "
		"this input %d, MLDv1 query since f0 was made %d, f0 up %d)", when, idx, a, flags, want, mask,
		fzs.mld_query, fz.mld_v1_ever, fz.f0_up);
}

/* the first group of lo and f0 in /proc/net/igmp6 (idev->mc_list order), for check_mcf6 */
static uint8_t first6[2][16];
static int have_first6[2];

/*
 * /proc/net/igmp6: groups of our table must match exactly (ff02::1 with its
 * baseline users), and their predictable flags; any other group a socket
 * joined from raw bytes must have at least the model's users (the kernel may
 * hold it too, e.g. solicited-node).
 */
static void check_igmp6(const char *when)
{
	char *l, *cur = procbuf;
	int seen_rows = 0, want_rows = 0;

	have_first6[0] = have_first6[1] = 0;
	if (fz_proc_read(fz.igmp6_fd, procbuf, sizeof(procbuf)) < 0)
		diverge("read /proc/net/igmp6: %s", mcp_errname(errno));
	while ((l = sc_line(&cur))) {	/* "%-4d %-15s %pi6 %5d %08X %ld" */
		int idx, users, want, d;
		long v;
		unsigned long flags;
		const char *p;
		uint8_t g[16];
		char a[64];

		if (!(p = sc_dec(l, &v)) || !(p = sc_word(p)))
			continue;
		idx = (int)v;
		if (hex16(p, g) < 0 || (p[32] != ' ' && p[32] != '\t') || !(p = sc_dec(sc_sp(p + 32), &v)) ||
		    !sc_hex(p, &flags))
			continue;
		users = (int)v;
		want = fz_model_users6(idx, g);
		d = idx == fz.lo_index ? 0 : idx == fz.f0_index ? 1 : -1;
		if (d >= 0 && !have_first6[d]) {
			memcpy(first6[d], g, 16);
			have_first6[d] = 1;
		}
		fmt_a6(a, sizeof(a), g);
		if (group6_tracked(g)) {
			seen_rows++;
			if (users != want)
				diverge("%s: /proc/net/igmp6 ifindex %d group %s users %d, model %d", when, idx, a,
					users, want);
			if (d >= 0)
				check_flags6(when, idx, g, flags);
		} else if (users < want) {
			diverge("%s: /proc/net/igmp6 ifindex %d group %s users %d, model at least %d", when, idx,
				a, users, want);
		}
	}
	for (int d = 0; d < 2; d++) {
		int dev = d ? fz.f0_index : fz.lo_index;

		if (!fz_dev_alive(dev))
			continue;
		for (int i = 0; i < 8; i++)
			want_rows += i < 5 && fz_model_users6(dev, GROUP6[i]) > 0;
	}
	if (seen_rows != want_rows)
		diverge("%s: /proc/net/igmp6 has %d rows of the groups table, model %d", when, seen_rows,
			want_rows);
}

/* a socket of the model lists sources for (dev, group): the kernel's mca_sources is not empty */
static int group6_has_rows(int dev, const uint8_t *g)
{
	for (int i = 0; i < FZ_NSOCK; i++) {
		const struct fz_sock *s = &fzm.s[i];

		for (int j = 0; s->fd >= 0 && j < s->nm6; j++)
			if (s->m6[j].ifindex == dev && !memcmp(s->m6[j].group, g, 16) && s->m6[j].nsrc)
				return 1;
	}
	return 0;
}

/*
 * Rows of f0 are not judged after a source change the kernel applied to f0
 * for a membership on lo (fz_model.c source6), nor after f0 went down in
 * this input: in MLDv2 mode
 * igmp6_group_dropped -> mld_add_delrec moves an INCLUDE group's sources to
 * the tomb and ipv6_mc_up brings them back only for some (as in IPv4, parked).
 */
static int mcf6_judged(int dev, const int shown[2])
{
	return fz_dev_alive(dev) && shown[dev == fz.f0_index] &&
	       !(dev == fz.f0_index && (fz.f0_went_down || fz.mcf6_f0_stale));
}

/* the distinct (dev, group, source) triples the model holds, as /proc/net/mcfilter6 prints them */
static int mcf6_model_rows(const int shown[2])
{
	static struct { int dev; uint8_t g[16], s[16]; } trip[FZ_NSOCK * FZ_MAXMEMB * 8];
	int nt = 0, cap = (int)MCP_ARRAY_SIZE(trip);

	for (int i = 0; i < FZ_NSOCK; i++) {
		const struct fz_sock *s = &fzm.s[i];

		for (int j = 0; s->fd >= 0 && j < s->nm6; j++) {
			const struct fz_memb *m = &s->m6[j];

			if (!mcf6_judged(m->ifindex, shown))
				continue;
			for (int k = 0; k < m->nsrc; k++) {
				int dup = 0;

				for (int t = 0; t < nt && !dup; t++)
					dup = trip[t].dev == m->ifindex && !memcmp(trip[t].g, m->group, 16) &&
					      !memcmp(trip[t].s, m->src[k], 16);
				if (dup || nt >= cap)
					continue;
				trip[nt].dev = m->ifindex;
				memcpy(trip[nt].g, m->group, 16);
				memcpy(trip[nt].s, m->src[k], 16);
				nt++;
			}
		}
	}
	return nt;
}

/*
 * /proc/net/mcfilter6 == per-source counts summed over the model's IPv6
 * memberships. igmp6_mcf_get_first starts at the first device whose first
 * group (idev->mc_list, newest first, as /proc/net/igmp6 prints it) has
 * sources, like IPv4: that order is the kernel's own groups and ours, taken
 * from the igmp6 read just before (check_ns).
 */
static void check_mcf6(const char *when)
{
	char *l, *cur = procbuf;
	int rows = 0, want_rows, shown[2], first = 2;

	for (int i = 0; fz.mcf6_input_stale && i < FZ_NSOCK; i++)
		if (fzm.s[i].fd >= 0)
			return;	/* a source on the wrong device (fz_model.c source6) */
	for (int d = 0; d < 2; d++) {
		int dev = d ? fz.f0_index : fz.lo_index;

		if (first == 2 && fz_dev_alive(dev) && have_first6[d] && group6_has_rows(dev, first6[d]))
			first = d;
		shown[d] = first <= d;
	}
	if (fz_proc_read(fz.mcf6_fd, procbuf, sizeof(procbuf)) < 0)
		diverge("read /proc/net/mcfilter6: %s", mcp_errname(errno));
	while ((l = sc_line(&cur))) {	/* "%3d %6.6s %pi6 %pi6 %6lu %6lu" */
		uint8_t g[16], src[16];
		long v, vi, ve;
		int idx, inc, exc;
		const char *p;

		if (!(p = sc_dec(sc_sp(l), &v)) || !(p = sc_word(p)) || hex16(p, g) < 0 || p[32] != ' ' ||
		    hex16(sc_sp(p + 32), src) < 0 || !(p = sc_dec(sc_sp(sc_sp(p + 32) + 32), &vi)) ||
		    !sc_dec(p, &ve))
			continue;
		idx = (int)v;
		if (idx == fz.f0_index && (fz.f0_went_down || fz.mcf6_f0_stale))
			continue;
		rows++;
		fz_model_mcfilter6(idx, g, src, &inc, &exc);
		if (!shown[idx == fz.f0_index])
			inc = exc = 0;
		if (inc != vi || exc != ve) {
			char a[64], b[64];

			fmt_a6(a, sizeof(a), g);
			fmt_a6(b, sizeof(b), src);
			diverge("%s: /proc/net/mcfilter6 ifindex %d group %s source %s INC %ld EXC %ld, model %d %d%s",
				when, idx, a, b, vi, ve, inc, exc,
				shown[idx == fz.f0_index] ? "" : " (device not printed: its first group has no sources)");
		}
	}
	want_rows = mcf6_model_rows(shown);
	if (rows != want_rows)
		diverge("%s: /proc/net/mcfilter6 has %d rows, model %d (printed from %s)", when, rows, want_rows,
			first == 0 ? "lo" : first == 1 ? "f0" : "no device");
}

/*
 * Device group order (in_dev->mc_list: a new group record is put first). The
 * model needs it because /proc/net/mcfilter (igmp_mcf_get_first) starts at the
 * first device whose *first* group has sources: source rows of devices before
 * that one are not printed (kernel finding, fuzz/findings/). Kept in step at
 * every check: between two checks at most one group appears.
 */
static uint32_t gorder[2][FZ_NSOCK * FZ_MAXMEMB + 2];
static int ngorder[2], gorder_f0;

static void sync_order(void)
{
	if (gorder_f0 != fz.f0_index) {
		ngorder[1] = 0;
		gorder_f0 = fz.f0_index;
	}
	for (int d = 0; d < 2; d++) {
		int dev = d ? fz.f0_index : fz.lo_index, n = 0;
		uint32_t *o = gorder[d];

		for (int k = 0; k < ngorder[d]; k++)	/* groups that went away */
			if (fz_model_users4(dev, o[k]) > 0)
				o[n++] = o[k];
		ngorder[d] = n;
		{	/* leaked groups stay on the device */
			int li, ldev, lhas;
			uint32_t lg;
			const uint32_t *ls;

			for (li = 0; fz_model_leaked_group(li, &ldev, &lg, &lhas, &ls); li++) {
				int have = 0;

				if (ldev != dev)
					continue;
				for (int k = 0; k < ngorder[d] && !have; k++)
					have = o[k] == lg;
				if (!have) {
					memmove(o + 1, o, sizeof(o[0]) * (size_t)ngorder[d]);
					o[0] = lg;
					ngorder[d]++;
				}
			}
		}
		for (int i = -1; i < FZ_NSOCK; i++) {	/* groups that appeared: first */
			const struct fz_sock *s = i >= 0 ? &fzm.s[i] : NULL;
			int nm = s ? (s->fd >= 0 ? s->nm4 : 0) : 1;

			for (int j = 0; j < nm; j++) {
				uint32_t g = htonl(0xe0000001u);
				int have = 0;

				if (s) {
					if (s->m4[j].ifindex != dev)
						continue;
					memcpy(&g, s->m4[j].group, 4);
				}
				for (int k = 0; k < ngorder[d] && !have; k++)
					have = o[k] == g;
				if (have || fz_model_users4(dev, g) <= 0)
					continue;
				memmove(o + 1, o, sizeof(o[0]) * (size_t)ngorder[d]);
				o[0] = g;
				ngorder[d]++;
			}
		}
	}
}

static int group_has_rows(int dev, uint32_t g)
{
	int li, ldev, lhas;
	uint32_t lg;
	const uint32_t *ls;

	for (li = 0; fz_model_leaked_group(li, &ldev, &lg, &lhas, &ls); li++)
		if (ldev == dev && lg == g && lhas)
			return 1;
	for (int i = 0; i < FZ_NSOCK; i++) {
		const struct fz_sock *s = &fzm.s[i];

		for (int j = 0; s->fd >= 0 && j < s->nm4; j++)
			if (s->m4[j].ifindex == dev && !memcmp(s->m4[j].group, &g, 4) && s->m4[j].nsrc)
				return 1;
	}
	return 0;
}

/* the distinct (dev, group, source) triples the model holds, as /proc/net/mcfilter prints them */
static int mcf4_model_rows(const int shown[2], int f0_unknown)
{
	static uint32_t trip[(FZ_NSOCK * FZ_MAXMEMB + 64) * FZ_MAXSRC / 4][3];
	int nt = 0, cap = (int)MCP_ARRAY_SIZE(trip);

	for (int i = 0; i <= FZ_NSOCK; i++) {
		const struct fz_sock *s = i < FZ_NSOCK ? &fzm.s[i] : NULL;
		/* every leaked membership (the loop ends where the table does), not the first 64 */
		int n = s ? (s->fd >= 0 ? s->nm4 : 0) : INT_MAX;

		for (int j = 0; j < n; j++) {
			int dev, nsrc;
			uint32_t g, srcs[FZ_MAXSRC];

			if (s) {
				const struct fz_memb *m = &s->m4[j];

				dev = m->ifindex;
				memcpy(&g, m->group, 4);
				nsrc = m->nsrc;
				for (int k = 0; k < nsrc; k++)
					memcpy(&srcs[k], m->src[k], 4);
			} else {
				const uint32_t *ls;

				if (!fz_model_leaked_group(j, &dev, &g, &nsrc, &ls))
					break;
				memcpy(srcs, ls, sizeof(uint32_t) * (size_t)nsrc);
			}
			if (!fz_dev_alive(dev) || (dev == fz.f0_index && (f0_unknown || f0_parked(g))) ||
			    !shown[dev == fz.f0_index])
				continue;
			for (int k = 0; k < nsrc; k++) {
				int dup = 0;

				for (int t = 0; t < nt && !dup; t++)
					dup = trip[t][0] == (uint32_t)dev && trip[t][1] == g && trip[t][2] == srcs[k];
				if (!dup && nt < cap) {
					trip[nt][0] = (uint32_t)dev;
					trip[nt][1] = g;
					trip[nt][2] = srcs[k];
					nt++;
				}
			}
		}
	}
	return nt;
}

/* /proc/net/mcfilter == per-source counts summed over the model's memberships, as printed */
static void check_mcf4(const char *when)
{
	char *l, *cur = procbuf;
	int rows = 0, want_rows = 0, shown[2], first = 2, f0_unknown;

	sync_order();
	for (int d = 0; d < 2; d++) {
		int dev = d ? fz.f0_index : fz.lo_index;

		if (first == 2 && fz_dev_alive(dev) && ngorder[d] && group_has_rows(dev, gorder[d][0]))
			first = d;
		shown[d] = first <= d;
	}
	/* whether f0 is printed depends on its first group: unknown if that one is parked */
	f0_unknown = first > 0 && ngorder[1] && f0_parked(gorder[1][0]);
	if (fz_proc_read(fz.mcf_fd, procbuf, sizeof(procbuf)) < 0)
		diverge("read /proc/net/mcfilter: %s", mcp_errname(errno));
	while ((l = sc_line(&cur))) {	/* "%3d %6.6s 0x%08x 0x%08x %6lu %6lu" */
		int idx, inc, exc;
		unsigned long kinc, kexc, h1, h2;
		unsigned int g, src;
		long v, vi, ve;
		const char *p;

		if (!(p = sc_dec(sc_sp(l), &v)) || !(p = sc_word(p)) || p[0] != '0' || p[1] != 'x' ||
		    !(p = sc_hex(p, &h1)) || p[0] != '0' || p[1] != 'x' || !(p = sc_hex(p, &h2)) ||
		    !(p = sc_dec(p, &vi)) || !sc_dec(p, &ve) || vi < 0 || ve < 0)
			continue;
		idx = (int)v;
		g = (unsigned int)h1;
		src = (unsigned int)h2;
		kinc = (unsigned long)vi;
		kexc = (unsigned long)ve;
		if (idx == fz.f0_index && (f0_unknown || f0_parked(htonl(g))))
			continue;
		rows++;
		fz_model_mcfilter4(idx, htonl(g), htonl(src), &inc, &exc);
		if (!shown[idx == fz.f0_index])
			inc = exc = 0;
		if ((unsigned long)inc != kinc || (unsigned long)exc != kexc) {
			uint32_t gn = htonl(g), sn = htonl(src);
			char a[32], b[32];

			fmt_a4(a, sizeof(a), (const uint8_t *)&gn);
			fmt_a4(b, sizeof(b), (const uint8_t *)&sn);
			diverge("%s: /proc/net/mcfilter ifindex %d group %s source %s INC %lu EXC %lu, model %d %d%s",
				when, idx, a, b, kinc, kexc, inc, exc,
				shown[idx == fz.f0_index] ? "" : " (device not printed: its first group has no sources)");
		}
	}
	want_rows = mcf4_model_rows(shown, f0_unknown);
	if (rows != want_rows)
		diverge("%s: /proc/net/mcfilter has %d rows, model %d (printed from %s)", when, rows, want_rows,
			first == 0 ? "lo" : first == 1 ? "f0" : "no device");
}

void check_ns(int what, const char *when)
{
	int open = 0;

	if (fz.raw)
		return;
	sync_order();
	if (what & CK_IGMP)
		check_igmp4(when);
	if (what & (CK_IGMP6 | CK_MCF6))	/* check_mcf6 needs the group order it reads */
		check_igmp6(when);
	if (what & CK_MCF)
		check_mcf4(when);
	if (what & CK_MCF6)
		check_mcf6(when);
	for (int i = 0; i < FZ_NSOCK; i++)
		open |= fzm.s[i].fd >= 0;
	if (!open)	/* this check saw the namespace with every socket closed */
		fzs.closed_verified |= what;
}

void check_fds(void)
{
	for (int i = 0; i < fzs.nopened; i++) {
		int fd = fzs.opened[i];

		if (fd == fz.pkt_fd || fd == fz.peer_ns)	/* reused by a rebuilt f0 */
			continue;
		if (fcntl(fd, F_GETFD) >= 0)
			diverge("fd %d fzs.opened by this input is still open after every socket was closed", fd);
	}
}

/* the Querier column of f0 must follow IGMP_V1_SEEN / IGMP_V2_SEEN */
void check_querier(const char *when)
{
	struct timespec t0, t;
	int want = querier_allowed(), got = 0;

	if (fz.raw || !fz.f0_index)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < 5000; i++) {	/* bounded: the frame is handled in our own softirq */
		got = querier_f0();
		if (got == 0 || (got > 0 && (want & (1 << got))))
			return;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) > 500000000L)
			break;
		usleep(100);
	}
	diverge("%s: f0 querier V%d in /proc/net/igmp, model allows%s%s%s (v1 heard %d, v2 heard %d, "
		"earlier inputs v1 %d v2 %d, force all %d f0 %d)", when, got, want & 2 ? " V1" : "",
		want & 4 ? " V2" : "", want & 8 ? " V3" : "", fzs.v1_seen, fzs.v2_seen, fz.ever_v1, fz.ever_v2,
		fzs.force_all, fzs.force_f0);
}

/* ---------------- what the model says each /proc row must show ---------------- */

/*
 * Not fz_rd32: an inline function of a header keeps its sanitizers here
 * (-fsanitize-ignorelist matches src: against the file a function is
 * defined in; the coverage ignorelist against the file compiled).
 */
static uint32_t rd4(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

int fz_model_leaks(int ifindex, uint32_t group, uint32_t src, int *inc, int *exc)
{
	int users = 0;

	for (int i = 0; i < fz_nleaks; i++) {
		const struct fz_leak *l = &fz_leaks[i];

		if (l->ifindex != ifindex || l->group != group || !fz_dev_alive(ifindex))
			continue;
		users += l->count;
		for (int k = 0; inc && k < l->nsrc; k++)
			if (l->src[k] == src)
				(*(l->mode == MCAST_INCLUDE ? inc : exc)) += l->count;
	}
	return users;
}

int fz_model_leaked_group(int i, int *ifindex, uint32_t *group, int *nsrc, const uint32_t **src)
{
	if (i >= fz_nleaks)
		return 0;
	*ifindex = fz_dev_alive(fz_leaks[i].ifindex) ? fz_leaks[i].ifindex : 0;
	*group = fz_leaks[i].group;
	*nsrc = fz_leaks[i].nsrc;
	*src = fz_leaks[i].src;
	return 1;
}

int fz_dev_alive(int ifindex)
{
	return ifindex != 0 && (ifindex == fz.lo_index || ifindex == fz.f0_index);
}

static int dev_up(int ifindex)
{
	return ifindex == fz.lo_index || (ifindex == fz.f0_index && fz.f0_up);
}

int fz_model_users4(int ifindex, uint32_t group)
{
	int n = 0;

	if (!fz_dev_alive(ifindex))
		return 0;
	for (int i = 0; i < FZ_NSOCK; i++) {
		const struct fz_sock *s = &fzm.s[i];

		if (s->fd < 0)
			continue;
		for (int j = 0; j < s->nm4; j++)
			if (s->m4[j].ifindex == ifindex && rd4(s->m4[j].group) == group)
				n++;
	}
	if (group == htonl(0xe0000001u) && dev_up(ifindex))
		n++;	/* ip_mc_up joins all-hosts on every up device */
	n += fz_model_leaks(ifindex, group, 0, NULL, NULL);
	if (n && fz_wrong("users"))
		n++;
	return n;
}

int fz_model_users6(int ifindex, const uint8_t *group)
{
	static const uint8_t allnodes[16] = { 0xff, 2, [15] = 1 };
	int n = 0;

	if (!fz_dev_alive(ifindex))
		return 0;
	for (int i = 0; i < FZ_NSOCK; i++) {
		const struct fz_sock *s = &fzm.s[i];

		if (s->fd < 0)
			continue;
		for (int j = 0; j < s->nm6; j++)
			if (s->m6[j].ifindex == ifindex && !memcmp(s->m6[j].group, group, 16))
				n++;
	}
	if (!memcmp(group, allnodes, 16))
		n += ifindex == fz.lo_index ? fz.v6_allnodes_lo : fz.v6_allnodes_f0;
	if (n && fz_wrong("users6"))
		n++;
	return n;
}

/* per-source sf_count[INCLUDE/EXCLUDE] of the IPv6 device filter (ip6_mc_add_src), as for IPv4 */
void fz_model_mcfilter6(int ifindex, const uint8_t *group, const uint8_t *src, int *inc, int *exc)
{
	*inc = *exc = 0;
	if (!fz_dev_alive(ifindex))
		return;
	for (int i = 0; i < FZ_NSOCK; i++) {
		const struct fz_sock *s = &fzm.s[i];

		for (int j = 0; s->fd >= 0 && j < s->nm6; j++) {
			const struct fz_memb *m = &s->m6[j];

			if (m->ifindex != ifindex || memcmp(m->group, group, 16))
				continue;
			for (int k = 0; k < m->nsrc; k++)
				if (!memcmp(m->src[k], src, 16))
					(*(m->mode == MCAST_INCLUDE ? inc : exc))++;
		}
	}
	if (fz_wrong("mcf6_count") && (*inc || *exc))
		(*(*inc ? inc : exc))++;
}

/* per-source sf_count[INCLUDE/EXCLUDE] of the device filter: one count per membership listing it */
void fz_model_mcfilter4(int ifindex, uint32_t group, uint32_t src, int *inc, int *exc)
{
	*inc = *exc = 0;
	if (!fz_dev_alive(ifindex))
		return;
	for (int i = 0; i < FZ_NSOCK; i++) {
		const struct fz_sock *s = &fzm.s[i];

		if (s->fd < 0)
			continue;
		for (int j = 0; j < s->nm4; j++) {
			const struct fz_memb *m = &s->m4[j];

			if (m->ifindex != ifindex || rd4(m->group) != group)
				continue;
			for (int k = 0; k < m->nsrc; k++)
				if (rd4(m->src[k]) == src)
					(*(m->mode == MCAST_INCLUDE ? inc : exc))++;
		}
	}
	fz_model_leaks(ifindex, group, src, inc, exc);
	if (fz_wrong("mcf_count") && (*inc || *exc))
		(*(*inc ? inc : exc))++;
}
