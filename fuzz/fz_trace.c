// SPDX-License-Identifier: GPL-2.0
/*
 * fz_trace.c - the record of every system call an input made, with the
 * model's expectation next to each: printed as the program listing (repro,
 * divergence), turned into a C program by fz_repro.c. Judging a call and the
 * divergence exit (listing, /proc snapshot, reproducer, abort) are here too.
 */
#include "fz_prog.h"
#include "mcp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/in6.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

struct fz_trace fzt;
static char diverge_msg[4096];

void fz_set_c_output(const char *path) { fzt.c_path = path; }
void fz_set_raw(int raw) { fz.raw = raw; }

struct rec *rec_new(int kind, int slot, const void *buf, size_t blen)
{
	struct rec *r;

	if (fz.raw || fzt.n >= FZ_TRACE_MAX)
		return NULL;
	r = &fzt.rec[fzt.n++];
	memset(r, 0, sizeof(*r));
	r->kind = (uint8_t)kind;
	r->slot = (int8_t)slot;
	r->slot2 = -1;
	r->exp.any = 1;
	if (buf && blen && fzt.arena_used + blen <= sizeof(fzt.arena)) {
		r->off = fzt.arena_used;
		r->blen = (uint32_t)blen;
		memcpy(fzt.arena + fzt.arena_used, buf, blen);
		fzt.arena_used += (uint32_t)blen;
	}
	return r;
}

const char *lvl_name(int l)
{
	return l == SOL_IP ? "SOL_IP" : l == SOL_IPV6 ? "SOL_IPV6" : "level?";
}

const char *opt_name(int level, int opt)
{
	static const char *const ip[] = { "IP_MULTICAST_IF", "IP_MULTICAST_TTL", "IP_MULTICAST_LOOP",
		"IP_ADD_MEMBERSHIP", "IP_DROP_MEMBERSHIP", "IP_UNBLOCK_SOURCE", "IP_BLOCK_SOURCE",
		"IP_ADD_SOURCE_MEMBERSHIP", "IP_DROP_SOURCE_MEMBERSHIP", "IP_MSFILTER", "MCAST_JOIN_GROUP",
		"MCAST_BLOCK_SOURCE", "MCAST_UNBLOCK_SOURCE", "MCAST_LEAVE_GROUP", "MCAST_JOIN_SOURCE_GROUP",
		"MCAST_LEAVE_SOURCE_GROUP", "MCAST_MSFILTER", "IP_MULTICAST_ALL" };
	static char b[32];

	if (opt >= 42 && opt <= 48)
		return ip[opt - 32];
	if (level == SOL_IP && opt >= 32 && opt <= 49)
		return ip[opt - 32];
	if (level == SOL_IPV6) {
		switch (opt) {
		case 17: return "IPV6_MULTICAST_IF";
		case 18: return "IPV6_MULTICAST_HOPS";
		case 19: return "IPV6_MULTICAST_LOOP";
		case 20: return "IPV6_ADD_MEMBERSHIP";
		case 21: return "IPV6_DROP_MEMBERSHIP";
		case 29: return "IPV6_MULTICAST_ALL";
		}
	}
	snprintf(b, sizeof(b), "%d", opt);
	return b;
}

void fmt_a4(char *o, size_t n, const uint8_t *p)
{
	snprintf(o, n, "%u.%u.%u.%u", p[0], p[1], p[2], p[3]);
}

void fmt_a6(char *o, size_t n, const uint8_t *p)
{
	inet_ntop(AF_INET6, p, o, (socklen_t)n);
}

static void fmt_ss(char *o, size_t n, const uint8_t *p)
{
	uint16_t fam;
	char a[64];

	memcpy(&fam, p, 2);
	if (fam == AF_INET)
		fmt_a4(a, sizeof(a), p + 4);
	else if (fam == AF_INET6)
		fmt_a6(a, sizeof(a), p + 8);
	else
		snprintf(a, sizeof(a), "?");
	snprintf(o, n, "{family %u, %s}", fam, a);
}

/* a readable decoding of an option buffer (as far as it is long enough) */
static void fmt_optbuf(char *o, size_t n, int level, int opt, const uint8_t *b, uint32_t blen)
{
	char x[128], y[128], z[128];
	uint32_t v[4];

	memset(v, 0, sizeof(v));
	memcpy(v, b, blen < 16 ? blen : 16);
	if (level == SOL_IP && (opt == IP_ADD_MEMBERSHIP || opt == IP_DROP_MEMBERSHIP ||
				opt == IP_MULTICAST_IF) && blen >= 8) {
		fmt_a4(x, sizeof(x), b);
		fmt_a4(y, sizeof(y), b + 4);
		snprintf(o, n, "{multiaddr %s, address %s, ifindex %d}", x, y, blen >= 12 ? (int)v[2] : 0);
	} else if (level == SOL_IP && opt >= IP_UNBLOCK_SOURCE && opt <= IP_DROP_SOURCE_MEMBERSHIP &&
		   blen >= 12) {
		fmt_a4(x, sizeof(x), b);
		fmt_a4(y, sizeof(y), b + 4);
		fmt_a4(z, sizeof(z), b + 8);
		snprintf(o, n, "{multiaddr %s, interface %s, sourceaddr %s}", x, y, z);
	} else if (level == SOL_IP && opt == IP_MSFILTER && blen >= 16) {
		size_t l;

		fmt_a4(x, sizeof(x), b);
		fmt_a4(y, sizeof(y), b + 4);
		l = (size_t)snprintf(o, n, "{multiaddr %s, interface %s, fmode %u, numsrc %u, slist [", x, y,
				     v[2], v[3]);
		for (uint32_t i = 0; 16 + 4 * i + 4 <= blen && l < n - 40; i++) {
			fmt_a4(x, sizeof(x), b + 16 + 4 * i);
			l += (size_t)snprintf(o + l, n - l, "%s%s", i ? " " : "", x);
		}
		snprintf(o + l, n - l, "]}");
	} else if ((opt == MCAST_JOIN_GROUP || opt == MCAST_LEAVE_GROUP) && blen >= 136) {
		fmt_ss(x, sizeof(x), b + 8);
		snprintf(o, n, "{interface %d, group %s}", (int)v[0], x);
	} else if (opt >= MCAST_BLOCK_SOURCE && opt <= MCAST_LEAVE_SOURCE_GROUP && blen >= 264) {
		fmt_ss(x, sizeof(x), b + 8);
		fmt_ss(y, sizeof(y), b + 136);
		snprintf(o, n, "{interface %d, group %s, source %s}", (int)v[0], x, y);
	} else if (opt == MCAST_MSFILTER && blen >= 144) {
		size_t l;
		uint32_t fm, ns;

		memcpy(&fm, b + 136, 4);
		memcpy(&ns, b + 140, 4);
		fmt_ss(x, sizeof(x), b + 8);
		l = (size_t)snprintf(o, n, "{interface %d, group %s, fmode %u, numsrc %u, slist [", (int)v[0],
				     x, fm, ns);
		for (uint32_t i = 0; 144 + 128 * i + 128 <= blen && l < n - 80; i++) {
			fmt_ss(y, sizeof(y), b + 144 + 128 * i);
			l += (size_t)snprintf(o + l, n - l, "%s%s", i ? " " : "", y);
		}
		snprintf(o + l, n - l, "]}");
	} else if (level == SOL_IPV6 && (opt == IPV6_ADD_MEMBERSHIP || opt == IPV6_DROP_MEMBERSHIP) &&
		   blen >= 20) {
		fmt_a6(x, sizeof(x), b);
		snprintf(o, n, "{multiaddr %s, ifindex %d}", x, (int)fz_rd32(b, 16));
	} else if (blen >= 4 && blen <= 16) {
		snprintf(o, n, "{int %d}", (int)v[0]);
	} else {
		size_t l = 0;

		o[0] = 0;
		for (uint32_t i = 0; i < blen && l + 4 < n && i < 64; i++)
			l += (size_t)snprintf(o + l, n - l, "%02x", b[i]);
		if (blen > 64)
			snprintf(o + l, n - l, "...");
	}
}

void fmt_expect(char *o, size_t n, const struct fz_expect *e)
{
	if (e->any)
		snprintf(o, n, "model: no claim%s%s", e->why ? ", " : "", e->why ? e->why : "");
	else if (e->rc == 0)
		snprintf(o, n, "model: ok (%s)", e->why ? e->why : "");
	else
		snprintf(o, n, "model: -1 %s (%s)", mcp_errname(e->err), e->why ? e->why : "");
}

static void fmt_rc(char *o, size_t n, int rc, int err)
{
	if (rc < 0)
		snprintf(o, n, "-1 %s", mcp_errname(err));
	else
		snprintf(o, n, "%d", rc);
}

static void fmt_sockaddr(char *o, size_t n, const uint8_t *b, uint32_t blen)
{
	uint16_t fam = 0, port = 0;
	char a[64] = "?";

	if (blen >= 2)
		memcpy(&fam, b, 2);
	if (blen >= 4)
		memcpy(&port, b + 2, 2);
	if (fam == AF_INET && blen >= 8)
		fmt_a4(a, sizeof(a), b + 4);
	else if (fam == AF_INET6 && blen >= 24)
		fmt_a6(a, sizeof(a), b + 8);
	snprintf(o, n, "{family %u, %s port %u}", fam, a, ntohs(port));
}

void listing_line(FILE *f, const struct rec *r)
{
	char buf[2048], rc[64], ex[256];
	const uint8_t *b = fzt.arena + r->off;

	fmt_rc(rc, sizeof(rc), r->rc, r->err);
	fmt_expect(ex, sizeof(ex), &r->exp);
	switch (r->kind) {
	case R_SOCKET:
		fprintf(f, "s%d = socket(%s) = %s\n", r->slot, KINDS[r->opt & 7].name, rc);
		break;
	case R_SET:
		fmt_optbuf(buf, sizeof(buf), r->level, r->opt, b, r->blen);
		fprintf(f, "setsockopt(s%d, %s, %s, %s, %d) = %s   [%s]\n", r->slot, lvl_name(r->level),
			opt_name(r->level, r->opt), buf, r->len, rc, ex);
		break;
	case R_GET:
		fmt_optbuf(buf, sizeof(buf), r->level, r->opt, b, r->blen);
		fprintf(f, "getsockopt(s%d, %s, %s, in %s, len %d) = %s, optlen %d   [%s]\n", r->slot,
			lvl_name(r->level), opt_name(r->level, r->opt), buf, r->len, rc, r->outlen, ex);
		break;
	case R_BIND:
	case R_CONNECT:
	case R_SEND:
		fmt_sockaddr(buf, sizeof(buf), b, r->blen);
		fprintf(f, "%s(s%d, %s) = %s\n", r->kind == R_BIND ? "bind" : r->kind == R_CONNECT ? "connect" :
			"sendto", r->slot, buf, rc);
		break;
	case R_LISTEN:
		fprintf(f, "listen(s%d, 8) = %s\n", r->slot, rc);
		break;
	case R_ACCEPT:
		fprintf(f, "s%d = accept4(s%d) = %s\n", r->slot2, r->slot, rc);
		break;
	case R_RECV:
		fprintf(f, "recv(s%d) = %s\n", r->slot, rc);
		break;
	case R_CLOSE:
		fprintf(f, "close(s%d) = %s\n", r->slot, rc);
		break;
	case R_SYSCTL:
		fprintf(f, "sysctl %s = %ld -> %s\n", r->text, r->val, rc);
		break;
	case R_LINK:
		fprintf(f, "ip link %s f0 -> %s\n", r->val == 0 ? "set down" : r->val == 1 ? "set up" : "delete", rc);
		break;
	case R_INJECT: {
		size_t l = 0;

		for (uint32_t i = 14; i < r->blen && l + 4 < sizeof(buf); i++)
			l += (size_t)snprintf(buf + l, sizeof(buf) - l, "%02x", b[i]);
		fprintf(f, "inject from p0: %u-byte frame, %s %s -> %s\n", r->blen,
			r->blen > 13 && b[12] == 0x86 ? "IPv6" : "IPv4", rc, buf);
		break;
	}
	case R_CHECK:
		fprintf(f, "  check: %s\n", r->text);
		break;
	}
}

void print_listing(FILE *f)
{
	fprintf(f, "---- program (%s target), %d calls ----\n",
		fzs.profile == FZ_SOCKOPT ? "sockopt" : fzs.profile == FZ_MSFILTER ? "msfilter" : "igmp", fzt.n);
	for (int i = 0; i < fzt.n; i++) {
		fprintf(f, "%3d ", i + 1);
		listing_line(f, &fzt.rec[i]);
	}
	fprintf(f, "---- end of program ----\n");
}

/* ---------------- divergence ---------------- */

void diverge(const char *fmt, ...)
{
	va_list ap;
	struct rec *r;

	va_start(ap, fmt);
	vsnprintf(diverge_msg, sizeof(diverge_msg), fmt, ap);
	va_end(ap);
	r = rec_new(R_CHECK, -1, NULL, 0);
	if (r)
		r->text = diverge_msg;
	fprintf(stderr, "\nMCPROBE-DIVERGENCE: %s\n", diverge_msg);
	if (fz.wrong_rule)
		fprintf(stderr, "(MCP_FUZZ_WRONG_RULE=%s is set: the model was wrong on purpose)\n", fz.wrong_rule);
	print_listing(stderr);
	if (fz.igmp_fd >= 0) {
		static char snap[1 << 16];
		static const char *const names[] = { "igmp", "mcfilter", "igmp6" };
		const int fds[] = { fz.igmp_fd, fz.mcf_fd, fz.igmp6_fd };

		for (int i = 0; i < 3; i++)
			if (fz_proc_read(fds[i], snap, sizeof(snap)) >= 0)
				fprintf(stderr, "---- /proc/net/%s now ----\n%s", names[i], snap);
	}
	if (fzt.c_path)
		write_c(fzt.c_path);
	{
		/* -fork children's output is discarded: MCP_FUZZ_DIVERGENCE_LOG keeps the listing */
		const char *lp = getenv("MCP_FUZZ_DIVERGENCE_LOG");
		FILE *lf = lp ? fopen(lp, "a") : NULL;

		if (lf) {
			fprintf(lf, "\nMCPROBE-DIVERGENCE: %s\n", diverge_msg);
			print_listing(lf);
			fclose(lf);
		}
	}
	fflush(stderr);
	abort();
}

/* ---------------- judging single calls ---------------- */

static int errno_in(int e, const int *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == e)
			return 1;
	return 0;
}

void judge(struct rec *r, const char *call, int rc, int err, const int *allowed, size_t nallowed)
{
	if (fz.raw)
		return;
	if (r) {
		r->rc = rc;
		r->err = rc < 0 ? err : 0;
	}
	if (r && !r->exp.any) {
		if (r->exp.rc == 0 && rc < 0)
			diverge("%s returned -1 %s, model expected success (%s)", call, mcp_errname(err),
				r->exp.why);
		if (r->exp.rc < 0 && rc >= 0)
			diverge("%s succeeded, model expected -1 %s (%s)", call, mcp_errname(r->exp.err),
				r->exp.why);
		if (r->exp.rc < 0 && err != r->exp.err)
			diverge("%s returned -1 %s, model expected -1 %s (%s)", call, mcp_errname(err),
				mcp_errname(r->exp.err), r->exp.why);
		return;
	}
	if (rc < 0 && !errno_in(err, allowed, nallowed))
		diverge("%s returned -1 %s, outside the errnos allowed for this call", call, mcp_errname(err));
}
