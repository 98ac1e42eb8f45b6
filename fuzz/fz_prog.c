// SPDX-License-Identifier: GPL-2.0
/*
 * fz_prog.c - the operation interpreter shared by the three fuzz targets,
 * and the oracle that judges every step.
 *
 * Input format: a sequence of operations, each one opcode byte followed by
 * its argument bytes (missing bytes read as 0, so every input is a valid
 * program). Arguments index small tables of meaningful values (groups,
 * interface addresses, ifindexes, sources, lengths around each structure's
 * boundary); SET_RAW instead takes level/option/optlen/bytes straight from
 * the input. The opcode table depends on the target (profile):
 *   sockopt  : everything (sockets of every kind, all options, bind/connect/
 *              listen/accept/send/recv/close, sysctls, f0 down/up/delete)
 *   msfilter : source filters (IP_MSFILTER, MCAST_MSFILTER, source options)
 *              with arbitrary numsrc/fmode/optlen, read back, mcfilter check
 *   igmp     : memberships, then IGMP frames from the peer end of the veth
 *
 * Oracle, after each step: rc/errno equal to the model's (or, for calls the
 * model does not cover, inside the errno set allowed for that call); values
 * read back equal to the model's; /proc/net/igmp (igmp6, mcfilter) equal to
 * the model after every step that changed memberships or source lists in the
 * model, after every close/link/inject step, and after every option the model
 * does not cover; the f0 Querier column after every frame and version sysctl.
 * After every input: all sockets closed -> /proc back to the baseline, every fd
 * the input opened closed, no new kernel warning in /dev/kmsg.
 * A divergence prints the listing of the program up to the failing step
 * and aborts.
 */
#include "fz.h"
#include "mcp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/in6.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

/* ---------------- input reader ---------------- */

struct rd {
	const uint8_t *p;
	size_t n, off;
};

static uint8_t u8(struct rd *r)
{
	return r->off < r->n ? r->p[r->off++] : 0;
}

static uint32_t rd32_le(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* ---------------- value tables ---------------- */

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

static const uint32_t GROUP4[16] = {
	IP4(239, 1, 2, 3), IP4(239, 1, 2, 4), IP4(232, 1, 1, 1), IP4(224, 0, 0, 251),
	IP4(224, 0, 0, 1), IP4(224, 0, 0, 22), IP4(239, 255, 255, 250), IP4(225, 0, 0, 1),
	IP4(10, 1, 1, 1), IP4(0, 0, 0, 0), IP4(255, 255, 255, 255), IP4(127, 0, 0, 1),
	IP4(10, 99, 0, 2), IP4(239, 1, 2, 3), IP4(224, 0, 0, 2), IP4(238, 0, 0, 9),
};
static const uint32_t ADDR4[8] = {
	0, IP4(127, 0, 0, 1), IP4(10, 99, 0, 1), IP4(10, 99, 0, 2),
	IP4(10, 9, 9, 9), IP4(127, 0, 0, 5), IP4(224, 0, 0, 1), IP4(10, 99, 0, 1),
};
static const uint32_t SRC4[8] = {
	IP4(10, 99, 0, 2), IP4(10, 99, 0, 3), IP4(10, 99, 0, 4), IP4(1, 2, 3, 4),
	0, IP4(224, 1, 1, 1), IP4(10, 99, 0, 1), IP4(255, 255, 255, 255),
};
static const uint8_t GROUP6[8][16] = {
	{ 0xff, 0x05, [13] = 1, [15] = 3 },	/* ff05::1:3 */
	{ 0xff, 0x0e, [14] = 1, [15] = 1 },	/* ff0e::101 */
	{ 0xff, 0x02, [15] = 0xfb },		/* ff02::fb */
	{ 0xff, 0x15, [14] = 0xab, [15] = 0xcd },	/* ff15::abcd */
	{ 0xff, 0x02, [15] = 1 },		/* ff02::1 (all nodes, auto) */
	{ [15] = 1 },				/* ::1 */
	{ 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },	/* 2001:db8::1 */
	{ [10] = 0xff, [11] = 0xff, 239, 1, 2, 3 },	/* ::ffff:239.1.2.3 */
};
static const uint8_t SRC6[8][16] = {
	{ 0xfe, 0x80, [15] = 2 }, { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 },
	{ 0x20, 0x01, 0x0d, 0xb8, [15] = 3 }, { 0 },
	{ 0xff, 0x02, [15] = 1 }, { [15] = 1 },
	{ 0x20, 0x01, 0x0d, 0xb8, [15] = 4 }, { 0xfe, 0x80, [15] = 3 },
};

static int ifidx(uint8_t sel)
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
static int lenv(uint8_t sel, int e)
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

struct kind {
	int family, type, proto;
	const char *name;
};
static const struct kind KINDS[8] = {
	{ AF_INET, SOCK_DGRAM, IPPROTO_UDP, "AF_INET, SOCK_DGRAM, IPPROTO_UDP" },
	{ AF_INET, SOCK_DGRAM, IPPROTO_UDP, "AF_INET, SOCK_DGRAM, IPPROTO_UDP" },
	{ AF_INET, SOCK_RAW, IPPROTO_IGMP, "AF_INET, SOCK_RAW, IPPROTO_IGMP" },
	{ AF_INET, SOCK_STREAM, IPPROTO_TCP, "AF_INET, SOCK_STREAM, IPPROTO_TCP" },
	{ AF_INET6, SOCK_DGRAM, IPPROTO_UDP, "AF_INET6, SOCK_DGRAM, IPPROTO_UDP" },
	{ AF_INET6, SOCK_RAW, IPPROTO_ICMPV6, "AF_INET6, SOCK_RAW, IPPROTO_ICMPV6" },
	{ AF_INET6, SOCK_STREAM, IPPROTO_TCP, "AF_INET6, SOCK_STREAM, IPPROTO_TCP" },
	{ AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE, "AF_INET, SOCK_DGRAM, IPPROTO_UDPLITE" },
};

/* ---------------- trace: every syscall of the input, for the listing and the C reproducer ---------------- */

enum rk { R_SOCKET, R_SET, R_GET, R_BIND, R_CONNECT, R_LISTEN, R_ACCEPT, R_SEND, R_RECV, R_CLOSE,
	  R_SYSCTL, R_LINK, R_INJECT, R_CHECK };

struct rec {
	uint8_t kind;
	int8_t slot, slot2;
	int level, opt, len, outlen;
	int rc, err;
	struct fz_expect exp;
	uint32_t off, blen;	/* input bytes in the arena */
	const char *text;	/* sysctl name, check text */
	long val;
};

static struct rec trace[FZ_TRACE_MAX];
static int ntrace;
static uint8_t arena[1 << 18];
static uint32_t arena_used;
static int step_no;
static const char *c_path;
static enum fz_profile cur_profile;
static char diverge_msg[4096];
static int start_f0_index;	/* f0 when the input started (the reproducer prints it) */

void fz_set_c_output(const char *path) { c_path = path; }
void fz_set_raw(int raw) { fz.raw = raw; }

static struct rec *rec_new(int kind, int slot, const void *buf, size_t blen)
{
	struct rec *r;

	if (fz.raw || ntrace >= FZ_TRACE_MAX)
		return NULL;
	r = &trace[ntrace++];
	memset(r, 0, sizeof(*r));
	r->kind = (uint8_t)kind;
	r->slot = (int8_t)slot;
	r->slot2 = -1;
	r->exp.any = 1;
	if (buf && blen && arena_used + blen <= sizeof(arena)) {
		r->off = arena_used;
		r->blen = (uint32_t)blen;
		memcpy(arena + arena_used, buf, blen);
		arena_used += (uint32_t)blen;
	}
	return r;
}

static const char *lvl_name(int l)
{
	return l == SOL_IP ? "SOL_IP" : l == SOL_IPV6 ? "SOL_IPV6" : "level?";
}

static const char *opt_name(int level, int opt)
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

static void fmt_a4(char *o, size_t n, const uint8_t *p)
{
	snprintf(o, n, "%u.%u.%u.%u", p[0], p[1], p[2], p[3]);
}

static void fmt_a6(char *o, size_t n, const uint8_t *p)
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
		snprintf(o, n, "{multiaddr %s, ifindex %d}", x, (int)rd32_le(b + 16));
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

static void fmt_expect(char *o, size_t n, const struct fz_expect *e)
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

static void listing_line(FILE *f, const struct rec *r)
{
	char buf[2048], rc[64], ex[256];
	const uint8_t *b = arena + r->off;

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
		fprintf(f, "inject from p0: %u-byte frame, IPv4 %s -> %s\n", r->blen, rc, buf);
		break;
	}
	case R_CHECK:
		fprintf(f, "  check: %s\n", r->text);
		break;
	}
}

static void print_listing(FILE *f)
{
	fprintf(f, "---- program (%s target), %d calls ----\n",
		cur_profile == FZ_SOCKOPT ? "sockopt" : cur_profile == FZ_MSFILTER ? "msfilter" : "igmp", ntrace);
	for (int i = 0; i < ntrace; i++) {
		fprintf(f, "%3d ", i + 1);
		listing_line(f, &trace[i]);
	}
	fprintf(f, "---- end of program ----\n");
}

/* ---------------- C reproducer ---------------- */

static void c_bytes(FILE *f, const char *name, const uint8_t *b, uint32_t n, uint32_t alloc)
{
	fprintf(f, "\t\tstatic unsigned char %s[%u] = {", name, alloc ? alloc : 1);
	for (uint32_t i = 0; i < n; i++)
		fprintf(f, "%s0x%02x", !i ? "\n\t\t\t" : i % 16 ? ", " : ",\n\t\t\t", b[i]);
	fprintf(f, " };\n");
}

static void write_c(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		return;
	}
	fprintf(f,
		"// SPDX-License-Identifier: GPL-2.0\n"
		"/*\n * Reproducer generated by `make fuzz-repro` (mcprobe fuzz/). It replays the\n"
		" * system calls of one fuzz input without libFuzzer, in the same topology:\n"
		" * a private netns (never the caller's) with lo and veth f0 10.99.0.1/24\n"
		" * (route 224.0.0.0/4) whose peer p0 10.99.0.2/24 is in a second private netns.\n"
		" * Each line prints the kernel's answer next to the model's expectation.\n"
		" * Build: cc -D_GNU_SOURCE -Iprobes/lib -o repro repro.c probes/lib/mcp.c\n"
		" * Run as root.\n */\n"
		"#include \"mcp.h\"\n#include <linux/if_packet.h>\n#include <sched.h>\n#include <stdio.h>\n"
		"#include <string.h>\n#include <sys/socket.h>\n#include <unistd.h>\n\n"
		"static int s[%d] = { -1, -1, -1, -1 };\n\n"
		"static void show(int step, long rc, const char *model)\n{\n"
		"\tprintf(\"%%3d = %%ld %%s   [%%s]\\n\", step, rc, rc < 0 ? mcp_errname(errno) : \"\", model);\n}\n\n"
		"static void dump(const char *path)\n{\n\tchar line[512];\n\tFILE *p = fopen(path, \"r\");\n\n"
		"\tprintf(\"--- %%s\\n\", path);\n\twhile (p && fgets(line, sizeof(line), p))\n\t\tfputs(line, stdout);\n"
		"\tif (p)\n\t\tfclose(p);\n}\n\n"
		"int main(void)\n{\n\tint peer, here, pkt = -1, p0 = 0;\n\tlong rc;\n\n"
		"\tsetvbuf(stdout, NULL, _IONBF, 0);\n"
		"\tif (unshare(CLONE_NEWNET) < 0) {\n\t\tperror(\"unshare(CLONE_NEWNET)\");\n\t\treturn 2;\n\t}\n"
		"\tmcp_link_set_up(\"lo\", 1);\n"
		"\tmcp_sysctl_set_int(\"net.ipv4.conf.all.force_igmp_version\", 0);\n"
		"\tmcp_sysctl_set_int(\"net.ipv4.conf.default.force_igmp_version\", 0);\n"
		"\tmcp_sysctl_set_int(\"net.ipv4.conf.all.rp_filter\", 0);\n"
		"\tmcp_sysctl_set_int(\"net.ipv4.conf.default.rp_filter\", 0);\n"
		"\tmcp_sysctl_set_int(\"net.ipv6.conf.default.accept_dad\", 0);\n"
		"\tmcp_sysctl_set_int(\"net.ipv4.igmp_max_memberships\", 20);\n"
		"\tmcp_sysctl_set_int(\"net.ipv4.igmp_max_msf\", 10);\n"
		"\tpeer = mcp_ns_new();\n"
		"\tif (peer < 0 || mcp_link_pair(\"f0\", \"10.99.0.1/24\", peer, \"p0\", \"10.99.0.2/24\") < 0 ||\n"
		"\t    mcp_route_add(\"224.0.0.0/4\", \"f0\", NULL) < 0) {\n\t\tperror(\"topology\");\n\t\treturn 2;\n\t}\n"
		"\there = mcp_ns_self();\n\tif (mcp_ns_enter(peer) == 0) {\n"
		"\t\tpkt = socket(AF_PACKET, SOCK_RAW, 0);\n\t\tp0 = mcp_ifindex(\"p0\");\n"
		"\t\tif (mcp_ns_enter(here) < 0)\n\t\t\treturn 3;\n\t}\n"
		"\t(void)pkt;\n\t(void)p0;\n"
		"\tprintf(\"f0 ifindex %%d (the fuzz run had %d)\\n\", mcp_ifindex(\"f0\"));\n\n",
		FZ_NSOCK, start_f0_index);
	for (int i = 0; i < ntrace; i++) {
		const struct rec *r = &trace[i];
		const uint8_t *b = arena + r->off;
		char ex[256], line[2048];
		FILE *mem;

		fmt_expect(ex, sizeof(ex), &r->exp);
		for (char *c = ex; *c; c++)
			if (*c == '"' || *c == '\\')
				*c = '\'';
		mem = fmemopen(line, sizeof(line), "w");
		listing_line(mem, r);
		fclose(mem);
		line[strcspn(line, "\n")] = 0;
		for (char *c = line; *c; c++)
			if (*c == '*' && c[1] == '/')
				c[1] = '|';
		fprintf(f, "\t/* %d: %s */\n", i + 1, line);
		switch (r->kind) {
		case R_SOCKET:
			fprintf(f, "\tif (s[%d] >= 0)\n\t\tclose(s[%d]);\n", r->slot, r->slot);
			fprintf(f, "\ts[%d] = socket(%d, %d | SOCK_NONBLOCK, %d);\n\tshow(%d, s[%d], \"%s\");\n",
				r->slot, KINDS[r->opt & 7].family, KINDS[r->opt & 7].type, KINDS[r->opt & 7].proto,
				i + 1, r->slot, ex);
			break;
		case R_SET:
			fprintf(f, "\t{\n");
			c_bytes(f, "b", b, r->blen, r->blen > 16384 ? r->blen : 16384);
			fprintf(f, "\t\trc = setsockopt(s[%d], %d, %d, b, %d);\n\t\tshow(%d, rc, \"%s\");\n\t}\n",
				r->slot, r->level, r->opt, r->len, i + 1, ex);
			break;
		case R_GET:
			fprintf(f, "\t{\n");
			c_bytes(f, "b", b, r->blen, 16384);
			fprintf(f, "\t\tsocklen_t l = (socklen_t)%d;\n\n\t\trc = getsockopt(s[%d], %d, %d, b, &l);\n"
				"\t\tshow(%d, rc, \"%s\");\n\t\tprintf(\"    optlen %%d (fuzz run: %d)\\n\", (int)l);\n\t}\n",
				r->len, r->slot, r->level, r->opt, i + 1, ex, r->outlen);
			break;
		case R_BIND:
		case R_CONNECT:
		case R_SEND:
			fprintf(f, "\t{\n");
			c_bytes(f, "a", b, r->blen, r->blen);
			if (r->kind == R_SEND)
				fprintf(f, "\t\trc = sendto(s[%d], \"mcprobe\", 7, MSG_DONTWAIT, (void *)a, %u);\n",
					r->slot, r->blen);
			else
				fprintf(f, "\t\trc = %s(s[%d], (void *)a, %u);\n",
					r->kind == R_BIND ? "bind" : "connect", r->slot, r->blen);
			fprintf(f, "\t\tshow(%d, rc, \"\");\n\t}\n", i + 1);
			break;
		case R_LISTEN:
			fprintf(f, "\tshow(%d, listen(s[%d], 8), \"\");\n", i + 1, r->slot);
			break;
		case R_ACCEPT:
			fprintf(f, "\trc = accept4(s[%d], NULL, NULL, SOCK_NONBLOCK);\n\tshow(%d, rc, \"\");\n",
				r->slot, i + 1);
			if (r->slot2 >= 0)
				fprintf(f, "\ts[%d] = (int)rc;\n", r->slot2);
			else
				fprintf(f, "\tif (rc >= 0)\n\t\tclose((int)rc);\n");
			break;
		case R_RECV:
			fprintf(f, "\t{\n\t\tchar b[2048];\n\n\t\tshow(%d, recv(s[%d], b, sizeof(b), MSG_DONTWAIT), \"\");\n\t}\n",
				i + 1, r->slot);
			break;
		case R_CLOSE:
			fprintf(f, "\tshow(%d, close(s[%d]), \"\");\n\ts[%d] = -1;\n", i + 1, r->slot, r->slot);
			break;
		case R_SYSCTL:
			fprintf(f, "\tshow(%d, mcp_sysctl_set_int(\"%s\", %ld), \"\");\n", i + 1, r->text, r->val);
			break;
		case R_LINK:
			if (r->val == 2)
				fprintf(f, "\tshow(%d, mcp_link_del(\"f0\"), \"\");\n", i + 1);
			else
				fprintf(f, "\tshow(%d, mcp_link_set_up(\"f0\", %ld), \"\");\n", i + 1, r->val);
			break;
		case R_INJECT:
			fprintf(f, "\t{\n");
			c_bytes(f, "fr", b, r->blen, r->blen);
			fprintf(f, "\t\tstruct sockaddr_ll ll = { .sll_family = AF_PACKET, .sll_ifindex = p0, .sll_halen = 6 };\n\n"
				"\t\tmemcpy(ll.sll_addr, fr, 6);\n"
				"\t\tshow(%d, sendto(pkt, fr, sizeof(fr), 0, (void *)&ll, sizeof(ll)), \"\");\n\t}\n", i + 1);
			break;
		case R_CHECK:
			fprintf(f, "\tdump(\"/proc/self/net/igmp\");\n\tdump(\"/proc/self/net/mcfilter\");\n");
			break;
		}
	}
	fprintf(f, "\tdump(\"/proc/self/net/igmp\");\n\tdump(\"/proc/self/net/mcfilter\");\n"
		"\tdump(\"/proc/self/net/igmp6\");\n\treturn 0;\n}\n");
	fclose(f);
	fprintf(stderr, "mcprobe-fuzz: C reproducer written to %s\n", path);
}

/* ---------------- divergence ---------------- */

static void diverge(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void diverge(const char *fmt, ...)
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
	if (c_path)
		write_c(c_path);
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

/* kernel-spec.md 15.1: the errnos the multicast options may return at all */
static const int OPT_ERRNOS[] = { EINVAL, ENODEV, EADDRINUSE, EADDRNOTAVAIL, ENOBUFS, ENOMEM, EFAULT,
				  EPROTO, ENOPROTOOPT, EOPNOTSUPP, ESRCH };

static void judge(struct rec *r, const char *call, int rc, int err, const int *allowed, size_t nallowed)
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
static uint32_t parked[FZ_NSOCK * FZ_MAXMEMB + 64];
static int nparked;

static FZ_NOCOV int f0_parked(uint32_t g)
{
	for (int i = 0; i < nparked; i++)
		if (parked[i] == g)
			return 1;
	return 0;
}

static void park_add(uint32_t g)
{
	if (f0_parked(g))
		return;
	if (nparked >= (int)MCP_ARRAY_SIZE(parked))
		fz_die("more than %zu parked f0 groups", MCP_ARRAY_SIZE(parked));
	parked[nparked++] = g;
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
static FZ_NOCOV const char *sc_sp(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static FZ_NOCOV const char *sc_word(const char *p)	/* a non-empty token, then blanks */
{
	const char *q = p;

	while (*q && *q != ' ' && *q != '\t')
		q++;
	return q == p ? NULL : sc_sp(q);
}

static FZ_NOCOV const char *sc_dec(const char *p, long *v)	/* [-]digits, then blanks */
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

static FZ_NOCOV int hexval(char c);

static FZ_NOCOV const char *sc_hex(const char *p, unsigned long *v)	/* [0x]hexdigits, then blanks */
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
static FZ_NOCOV char *sc_line(char **cur)
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

static FZ_NOCOV int querier_f0(void)	/* 1, 2, 3 from /proc/net/igmp, 0 when f0 has no line */
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
static FZ_NOCOV void check_igmp4(const char *when)
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

static FZ_NOCOV int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static FZ_NOCOV int hex16(const char *h, uint8_t out[16])
{
	for (int i = 0; i < 16; i++) {
		int a = hexval(h[2 * i]), b = a < 0 ? -1 : hexval(h[2 * i + 1]);

		if (b < 0)
			return -1;
		out[i] = (uint8_t)(a << 4 | b);
	}
	return 0;
}

static FZ_NOCOV int group6_tracked(const uint8_t *g)
{
	for (int i = 0; i < 8; i++)
		if (!memcmp(g, GROUP6[i], 16))
			return 1;
	return 0;
}

/*
 * /proc/net/igmp6: groups of our table must match exactly (ff02::1 with its
 * baseline users); any other group a socket joined from raw bytes must have
 * at least the model's users (the kernel may hold it too, e.g. solicited-node).
 */
static FZ_NOCOV void check_igmp6(const char *when)
{
	char *l, *cur = procbuf;
	int seen_rows = 0, want_rows = 0;

	if (fz_proc_read(fz.igmp6_fd, procbuf, sizeof(procbuf)) < 0)
		diverge("read /proc/net/igmp6: %s", mcp_errname(errno));
	while ((l = sc_line(&cur))) {	/* "%-4d %-15s %pi6 %5d %08X %ld" */
		int idx, users, want;
		long v;
		const char *p;
		uint8_t g[16];

		if (!(p = sc_dec(l, &v)) || !(p = sc_word(p)))
			continue;
		idx = (int)v;
		if (hex16(p, g) < 0 || (p[32] != ' ' && p[32] != '\t') || !sc_dec(sc_sp(p + 32), &v))
			continue;
		users = (int)v;
		want = fz_model_users6(idx, g);
		if (group6_tracked(g)) {
			seen_rows++;
			if (users != want) {
				char a[64];

				fmt_a6(a, sizeof(a), g);
				diverge("%s: /proc/net/igmp6 ifindex %d group %s users %d, model %d", when, idx, a,
					users, want);
			}
		} else if (users < want) {
			char a[64];

			fmt_a6(a, sizeof(a), g);
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

/*
 * Device group order (in_dev->mc_list: a new group record is put first). The
 * model needs it because /proc/net/mcfilter (igmp_mcf_get_first) starts at the
 * first device whose *first* group has sources: source rows of devices before
 * that one are not printed (kernel finding, fuzz/findings/). Kept in step at
 * every check: between two checks at most one group appears.
 */
static uint32_t gorder[2][FZ_NSOCK * FZ_MAXMEMB + 2];
static int ngorder[2], gorder_f0;

static FZ_NOCOV void sync_order(void)
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

static FZ_NOCOV int group_has_rows(int dev, uint32_t g)
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

/* /proc/net/mcfilter == per-source counts summed over the model's memberships, as printed */
static FZ_NOCOV void check_mcf4(const char *when)
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
	/* count the distinct (dev, group, source) triples the model holds, as printed */
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
		want_rows = nt;
	}
	if (rows != want_rows)
		diverge("%s: /proc/net/mcfilter has %d rows, model %d (printed from %s)", when, rows, want_rows,
			first == 0 ? "lo" : first == 1 ? "f0" : "no device");
}

enum { CK_IGMP = 1, CK_IGMP6 = 2, CK_MCF = 4 };

/* what the last steps may have changed (also by failing: spec 3.6 quirk), and ever changed */
static int dirty, ever, closed_verified, nset, nset6;


static void touch(int what)
{
	dirty |= what;
	ever |= what;
	closed_verified = 0;
}

static void check_ns(int what, const char *when)
{
	int open = 0;

	if (fz.raw)
		return;
	sync_order();
	if (what & CK_IGMP)
		check_igmp4(when);
	if (what & CK_IGMP6)
		check_igmp6(when);
	if (what & CK_MCF)
		check_mcf4(when);
	for (int i = 0; i < FZ_NSOCK; i++)
		open |= fzm.s[i].fd >= 0;
	if (!open)	/* this check saw the namespace with every socket closed */
		closed_verified |= what;
}

/* ---------------- operations ---------------- */

static uint8_t optbuf[16384 + 512];	/* zero-padded: a call may read up to optlen */

static int slot_of(uint8_t b) { return b % FZ_NSOCK; }

/* every descriptor an input opened: all must be closed when the input ends */
static int opened[FZ_MAXOPS * 2], nopened;

static void note_fd(int fd)
{
	if (fd >= 0 && nopened < (int)MCP_ARRAY_SIZE(opened))
		opened[nopened++] = fd;
}

static FZ_NOCOV void check_fds(void)
{
	for (int i = 0; i < nopened; i++) {
		int fd = opened[i];

		if (fd == fz.pkt_fd || fd == fz.peer_ns)	/* reused by a rebuilt f0 */
			continue;
		if (fcntl(fd, F_GETFD) >= 0)
			diverge("fd %d opened by this input is still open after every socket was closed", fd);
	}
}
static int sfd(int slot) { return fzm.s[slot].fd; }

static void do_close(int slot)
{
	struct rec *r;
	int rc, e;

	if (sfd(slot) < 0)
		return;
	touch((fzm.s[slot].nm4 ? CK_IGMP | CK_MCF : 0) | (fzm.s[slot].nm6 ? CK_IGMP6 : 0));
	r = rec_new(R_CLOSE, slot, NULL, 0);
	rc = close(sfd(slot));
	e = errno;
	fz_model_sock_close(slot);
	if (r)
		r->exp = (struct fz_expect){ 0, 0, 0, "close" };
	judge(r, "close", rc, e, NULL, 0);
}

static void op_socket(struct rd *in)
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

	nset++;
	nset6 += level == SOL_IPV6;
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
		touch(CK_IGMP | CK_IGMP6 | CK_MCF);
	if (fzm.gen_members != gm)
		touch(level == SOL_IPV6 ? CK_IGMP6 : CK_IGMP);
	if (fzm.gen_sources != gs)
		touch(level == SOL_IPV6 ? 0 : CK_MCF);
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
static void op_join(struct rd *in)
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
static void op_source(struct rd *in)
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

static uint32_t numsrc_v(uint8_t b)
{
	static const uint32_t big[] = { 0x3ffffffc, 0xffffffff, 0x1ffffff, 0x40000000, 65, 11, 0x80000000, 2 };

	return b < 248 ? b % 72 : big[b - 248];
}

static uint32_t fmode_v(uint8_t b)
{
	return b < 250 ? (uint32_t)(b & 1) : (uint32_t)b - 248;	/* 2..7: invalid modes */
}

/* IP_MSFILTER set */
static void op_msf4(struct rd *in)
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
static void op_gsf(struct rd *in)
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
static void op_setint(struct rd *in)
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
static void op_setraw(struct rd *in)
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
static void op_get(struct rd *in)
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

static socklen_t mk_addr(uint8_t sel, uint8_t pb, struct sockaddr_storage *ss, uint16_t port_override)
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

static const int NET_ERRNOS[] = { EINVAL, EADDRINUSE, EADDRNOTAVAIL, EAFNOSUPPORT, EINPROGRESS, ECONNREFUSED,
				  ENETUNREACH, EISCONN, EALREADY, EHOSTUNREACH, EOPNOTSUPP, EAGAIN, EACCES,
				  ENOTCONN, EDESTADDRREQ, EPIPE, ENOBUFS, EMSGSIZE, ECONNRESET, ECONNABORTED,
				  ENOPROTOOPT };

static void op_bind(struct rd *in)
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

static void op_connect(struct rd *in)
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

static void op_listen_accept(struct rd *in)
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

		ever |= CK_IGMP | CK_IGMP6 | CK_MCF;	/* a child must not carry memberships (CVE-2017-8890) */
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

static void op_send(struct rd *in)
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

static void op_recv(struct rd *in)
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

static int force_f0, force_all, v1_seen, v2_seen;

static void op_sysctl(struct rd *in)
{
	static const long mm[8] = { 0, 1, 2, 3, 20, 40, -1, 5 };
	static const long msf[8] = { 0, 1, 2, 10, 11, 64, 3, 5 };
	int which = u8(in), vs = u8(in) & 7, rc, e;
	const char *name;
	long v;
	struct rec *r;

	int k = which % (cur_profile == FZ_IGMP ? 4 : 2);

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
			force_f0 = (int)v;
		else
			force_all = (int)v;
	}
}

static void op_link(struct rd *in)
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
	touch(CK_IGMP | CK_IGMP6 | CK_MCF);
	if (a == 0)
		park_f0_groups();
	rc = fz_link_op(a);
	e = errno;
	judge(r, "link", rc, e, NULL, 0);
}

/* ---------------- IGMP frames from the peer ---------------- */

static int is_mc_dst(uint32_t a) { return (ntohl(a) & 0xf0000000u) == 0xe0000000u; }
static int wrong(const char *rule) { return fz.wrong_rule && !strcmp(fz.wrong_rule, rule); }

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
static int querier_allowed(void)
{
	if (force_all == 1 || force_f0 == 1 || v1_seen)
		return 1 << 1;
	if (force_all == 2 || force_f0 == 2 || v2_seen)
		return 1 << 2 | (fz.ever_v1 ? 1 << 1 : 0);
	return 1 << 3 | (fz.ever_v1 ? 1 << 1 : 0) | (fz.ever_v2 ? 1 << 2 : 0);
}

/* the Querier column of f0 must follow IGMP_V1_SEEN / IGMP_V2_SEEN */
static void check_querier(const char *when)
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
		want & 4 ? " V2" : "", want & 8 ? " V3" : "", v1_seen, v2_seen, fz.ever_v1, fz.ever_v2,
		force_all, force_f0);
}

static const int INJECT_ERRNOS[] = { ENETDOWN, ENXIO, ENODEV, ENOBUFS };

static void op_inject(struct rd *in)
{
	static uint8_t fr[1600];
	uint8_t *ip = fr + 14, *ig;
	int kind = u8(in) & 7, flags = u8(in), gs = u8(in), hl = (flags & 2) ? 20 : 24, il = 0, rc, e;
	uint32_t group = htonl(GROUP4[gs & 15]), dst = htonl(IP4(224, 0, 0, 1)), src;
	struct rec *r;

	if (!fz.f0_index)
		return;
	memset(fr, 0, 14 + 24 + 8);
	ig = ip + hl;
	switch (kind) {
	case 0:	/* v1 query: 8 bytes, code 0 */
		ig[0] = 0x11;
		il = 8;
		break;
	case 1:	/* v2 query: 8 bytes, code != 0, general or group-specific */
		ig[0] = 0x11;
		ig[1] = u8(in) | 1;
		if (gs & 0x10)
			memcpy(ig + 4, &group, 4);
		if (gs & 0x20)
			dst = group;
		il = 8;
		break;
	case 2: {	/* v3 query */
		int n = u8(in) % 6;

		ig[0] = 0x11;
		ig[1] = u8(in);			/* max resp code */
		if (gs & 0x10)
			memcpy(ig + 4, &group, 4);
		ig[8] = u8(in);			/* resv/S/QRV */
		ig[9] = u8(in);			/* QQIC */
		ig[10] = 0;
		ig[11] = (uint8_t)n;
		for (int i = 0; i < n; i++) {
			uint32_t s = htonl(SRC4[u8(in) & 7]);

			memcpy(ig + 12 + 4 * i, &s, 4);
		}
		if (gs & 0x20)
			dst = group;
		il = 12 + 4 * n;
		break;
	}
	case 3:
	case 4:
	case 5:	/* v1 report, v2 report, v2 leave */
		ig[0] = kind == 3 ? 0x12 : kind == 4 ? 0x16 : 0x17;
		memcpy(ig + 4, &group, 4);
		dst = kind == 5 ? htonl(IP4(224, 0, 0, 2)) : group;
		il = 8;
		break;
	case 6: {	/* v3 report with records */
		int ng = u8(in) % 4;

		ig[0] = 0x22;
		memset(ig + 1, 0, 7);
		ig[7] = (uint8_t)ng;
		il = 8;
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
		dst = htonl(IP4(224, 0, 0, 22));
		break;
	}
	default: {	/* raw IGMP bytes */
		static const uint32_t dsts[4] = { IP4(224, 0, 0, 1), 0, IP4(224, 0, 0, 22), IP4(224, 0, 0, 2) };

		il = u8(in) % 48;
		for (int i = 0; i < il; i++)
			ig[i] = u8(in);
		dst = (gs & 0x30) == 0x10 ? group : htonl(dsts[(gs >> 4) & 3]);
		break;
	}
	}
	if (il >= 4) {
		ig[2] = ig[3] = 0;
		{
			uint16_t c = csum16(ig, (size_t)il);

			if (flags & 1)
				c ^= 0x5a5a;	/* a wrong checksum */
			ig[2] = (uint8_t)(c >> 8);
			ig[3] = (uint8_t)c;
		}
	}
	if (flags & 0x20)
		dst = htonl(IP4(10, 99, 0, 1));	/* unicast to us */
	src = (flags & 0x40) ? 0 : htonl(IP4(10, 99, 0, 2));
	/* IPv4 header, with the Router Alert option unless flag 2 */
	ip[0] = (uint8_t)(0x40 | hl / 4);
	ip[1] = 0xc0;
	{
		int tot = hl + il + ((flags & 0x10) ? 4 : 0);	/* flag 0x10: claims more than is there */

		ip[2] = (uint8_t)(tot >> 8);
		ip[3] = (uint8_t)tot;
	}
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
	{
		uint16_t c = csum16(ip, (size_t)hl);

		if (flags & 4)
			c ^= 0x0101;
		ip[10] = (uint8_t)(c >> 8);
		ip[11] = (uint8_t)c;
	}
	/* Ethernet: the group's MAC (01:00:5e + low 23 bits) or f0's */
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
	touch(CK_IGMP);
	r = rec_new(R_INJECT, -1, fr, (size_t)(14 + hl + il));
	rc = fz_inject(fr, (size_t)(14 + hl + il));
	e = errno;
	judge(r, "inject", rc, e, INJECT_ERRNOS, MCP_ARRAY_SIZE(INJECT_ERRNOS));
	if (il >= 8 && ig[0] == 0x11 && !(flags & (1 | 4 | 0x10)) && fz.f0_up)
		fz.ever_v1_next |= il == 8 && !ig[1], fz.ever_v2_next |= il == 8 && ig[1];
	/* igmp_rcv -> igmp_heard_query: an 8-byte query is v1 (code 0) or v2 */
	if (rc > 0 && fz.f0_up && il == 8 && ig[0] == 0x11 && !(flags & (1 | 4 | 0x10))) {
		uint32_t hd = ntohl(dst);
		/*
		 * ip_route_input: 0.0.0.0 is a martian source for unicast, allowed for
		 * IGMP to a group; ip_route_input_slow takes 255.255.255.255, and also
		 * 0.0.0.0 -> 0.0.0.0, as local broadcast (brd_input) before its
		 * zeronet martian checks. kernel: the last case was missed by this
		 * rule until fuzz_igmp found it (fuzz/findings/README.md, item 10).
		 */
		int accepted = hd == IP4(224, 0, 0, 1) || (hd == IP4(10, 99, 0, 1) && src) || hd == 0xffffffffu ||
			       (hd == 0 && !src) || (is_mc_dst(dst) && fz_model_users4(fz.f0_index, dst) > 0);

		if (accepted) {
			if (wrong("querier"))
				;	/* the wrong rule: a v1/v2 query changes nothing */
			else if (ig[1] == 0)
				v1_seen = fz.ever_v1_next = 1;
			else
				v2_seen = fz.ever_v2_next = 1;
		}
	}
}

/* ---------------- the program ---------------- */

enum op { O_SOCKET, O_JOIN, O_SOURCE, O_MSF4, O_GSF, O_SETINT, O_SETRAW, O_GET, O_BIND, O_CONNECT,
	  O_LISTEN, O_SEND, O_RECV, O_CLOSE, O_SYSCTL, O_LINK, O_INJECT };

static const uint8_t PROF_SOCKOPT[16] = { O_SOCKET, O_JOIN, O_JOIN, O_SOURCE, O_MSF4, O_GSF, O_SETINT,
	O_SETRAW, O_GET, O_BIND, O_CONNECT, O_LISTEN, O_SEND, O_RECV, O_CLOSE, O_SYSCTL };
static const uint8_t PROF_MSFILTER[10] = { O_SOCKET, O_JOIN, O_SOURCE, O_SOURCE, O_MSF4, O_GSF, O_GET,
	O_MSF4, O_CLOSE, O_SYSCTL };
static const uint8_t PROF_IGMP[10] = { O_SOCKET, O_JOIN, O_JOIN, O_SOURCE, O_MSF4, O_INJECT, O_INJECT,
	O_INJECT, O_CLOSE, O_SYSCTL };

static int step(uint8_t opb, struct rd *in)
{
	const uint8_t *tab;
	size_t n;
	int op;

	switch (cur_profile) {
	case FZ_MSFILTER: tab = PROF_MSFILTER; n = sizeof(PROF_MSFILTER); break;
	case FZ_IGMP: tab = PROF_IGMP; n = sizeof(PROF_IGMP); break;
	default: tab = PROF_SOCKOPT; n = sizeof(PROF_SOCKOPT); break;
	}
	op = tab[opb % n];
	/*
	 * The last slot of sockopt and igmp doubles as link down/up/delete, one
	 * time in eight: a link change costs milliseconds (a delete tens of them).
	 */
	if (op == O_SYSCTL && cur_profile != FZ_MSFILTER && (opb / n) % 8 == 7)
		op = O_LINK;
	switch (op) {
	case O_SOCKET: op_socket(in); break;
	case O_JOIN: op_join(in); break;
	case O_SOURCE: op_source(in); break;
	case O_MSF4: op_msf4(in); break;
	case O_GSF: op_gsf(in); break;
	case O_SETINT: op_setint(in); break;
	case O_SETRAW: op_setraw(in); break;
	case O_GET: op_get(in); break;
	case O_BIND: op_bind(in); break;
	case O_CONNECT: op_connect(in); break;
	case O_LISTEN: op_listen_accept(in); break;
	case O_SEND: op_send(in); break;
	case O_RECV: op_recv(in); break;
	case O_CLOSE: do_close(slot_of(u8(in))); break;
	case O_SYSCTL: op_sysctl(in); return cur_profile == FZ_IGMP;
	case O_LINK: op_link(in); return 1;
	default: op_inject(in); return 1;
	}
	return 0;
}

int fz_run(enum fz_profile p, const uint8_t *data, size_t size)
{
	struct rd in = { data, size, 0 };
	char kmsg[1024];
	int ops = 0;
	static int model_ready;

	if (!fz.ready)
		fz_env_init();
	if (!model_ready) {
		fz_model_reset();
		model_ready = 1;
	}
	if (fz.record_fd >= 0) {
		uint32_t n = (uint32_t)size;
		struct iovec v[2] = { { &n, 4 }, { (void *)data, size } };

		if (writev(fz.record_fd, v, 2) < 0)
			fz.record_fd = -1;
	}
	cur_profile = p;
	ntrace = 0;
	arena_used = 0;
	v1_seen = v2_seen = force_f0 = force_all = 0;
	start_f0_index = fz.f0_index;
	fz_cov_begin();
	dirty = ever = closed_verified = nparked = nopened = nset = nset6 = 0;
	while (in.off < in.n && ops++ < FZ_MAXOPS) {
		int querier = step(u8(&in), &in);

		step_no = ops;
		/* /proc is read after every step that may have changed it */
		if (dirty)
			check_ns(dirty, "after this step");
		dirty = 0;
		if (querier)
			check_querier("after this step");
	}
	for (int i = 0; i < FZ_NSOCK; i++)
		do_close(i);
	if (dirty)
		check_ns(dirty, "after closing every socket");
	if (nset)	/* a step whose effect the model judged invisible is still seen here */
		ever |= CK_IGMP | CK_MCF | (nset6 ? CK_IGMP6 : 0);
	if ((ever | CK_IGMP) & ~closed_verified)
		check_ns((ever | CK_IGMP) & ~closed_verified, "baseline: every socket closed");
	fz_cov_end();
	fz_env_restore();
	if (!fz.raw)
		check_fds();
	if (!fz.raw && fz_kmsg_new_warning(kmsg, sizeof(kmsg)))
		diverge("new kernel warning in /dev/kmsg: %s", kmsg);
	if (fz.verbose)
		print_listing(stderr);
	if (c_path)
		write_c(c_path);
	return 0;
}
