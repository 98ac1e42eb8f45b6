/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fz_prog.h - what the files of the interpreter share (not the model, not
 * the environment: those are in fz.h).
 *
 *   fz_prog.c    the program: opcode tables per target, the step loop, the
 *                checks at the end of an input
 *   fz_tables.c  the value tables an argument byte indexes (groups, addresses,
 *                sources, ifindexes, lengths around a structure's size)
 *   fz_trace.c   every call of the input, the listing, divergence and judging
 *   fz_repro.c   the standalone C reproducer written from the trace
 *   fz_ops.c     the socket, option, sysctl and link operations
 *   fz_frames.c  IGMP and MLD frames injected from the peer, the Querier rule,
 *                what an MLD query leaves unknown
 *   fz_oracle.c  the /proc read-and-compare code; built without coverage and
 *                sanitizers in the fuzzers (fuzz/harness.ignorelist)
 */
#ifndef FZ_PROG_H
#define FZ_PROG_H

#include "fz.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* ---------------- input reader ---------------- */

/* missing bytes read as 0, so every input is a valid program */
struct rd {
	const uint8_t *p;
	size_t n, off;
};

static inline uint8_t u8(struct rd *r)
{
	return r->off < r->n ? r->p[r->off++] : 0;
}

/* ---------------- value tables (fz_tables.c) ---------------- */

#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (uint32_t)(d))

extern const uint32_t GROUP4[16];
extern const uint32_t ADDR4[8];
extern const uint32_t SRC4[8];
extern const uint8_t GROUP6[8][16];
extern const uint8_t SRC6[8][16];

struct kind {
	int family, type, proto;
	const char *name;
};
extern const struct kind KINDS[8];

int ifidx(uint8_t sel);
int lenv(uint8_t sel, int e);
uint32_t numsrc_v(uint8_t b);
uint32_t fmode_v(uint8_t b);
socklen_t mk_addr(uint8_t sel, uint8_t pb, struct sockaddr_storage *ss, uint16_t port_override);

/* ---------------- trace (fz_trace.c) ---------------- */

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

/* every syscall of the input, for the listing and the C reproducer */
struct fz_trace {
	struct rec rec[FZ_TRACE_MAX];
	int n;
	uint8_t arena[1 << 18];
	uint32_t arena_used;
	const char *c_path;	/* write a C reproducer there (fz_set_c_output) */
	int start_f0_index;	/* f0 when the input started (the reproducer prints it) */
};
extern struct fz_trace fzt;

struct rec *rec_new(int kind, int slot, const void *buf, size_t blen);
const char *lvl_name(int l);
const char *opt_name(int level, int opt);
void fmt_a4(char *o, size_t n, const uint8_t *p);
void fmt_a6(char *o, size_t n, const uint8_t *p);
void fmt_expect(char *o, size_t n, const struct fz_expect *e);
void listing_line(FILE *f, const struct rec *r);
void print_listing(FILE *f);
/* prints the listing up to this step (and the reproducer) and aborts */
void diverge(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* rc/errno against the record's expectation, or the allowed errnos when the model has no claim */
void judge(struct rec *r, const char *call, int rc, int err, const int *allowed, size_t nallowed);
/* the C reproducer (fz_repro.c) */
void write_c(const char *path);

/* ---------------- interpreter state (fz_prog.c) ---------------- */

enum { CK_IGMP = 1, CK_IGMP6 = 2, CK_MCF = 4, CK_MCF6 = 8 };

struct fz_state {
	enum fz_profile profile;
	/* what the last steps may have changed (also by failing: spec 3.6 quirk), and ever changed */
	int dirty, ever, closed_verified, nset, nset6;
	/* the Querier rule's inputs: forced versions, v1/v2 queries heard in this input */
	int force_f0, force_all, v1_seen, v2_seen;
	int mld_query;	/* an MLD query was sent from p0 in this input */
	/* every descriptor an input opened: all must be closed when the input ends */
	int opened[FZ_MAXOPS * 2], nopened;
	/* groups f0 held when it went down in this input (fz_ops.c park_f0_groups) */
	uint32_t parked[FZ_NSOCK * FZ_MAXMEMB + 64];
	int nparked;
};
extern struct fz_state fzs;

/* ---------------- operations (fz_ops.c, fz_frames.c) ---------------- */

void touch(int what);
void op_socket(struct rd *in);
void op_join(struct rd *in);
void op_source(struct rd *in);
void op_msf4(struct rd *in);
void op_gsf(struct rd *in);
void op_setint(struct rd *in);
void op_setraw(struct rd *in);
void op_get(struct rd *in);
void op_bind(struct rd *in);
void op_connect(struct rd *in);
void op_listen_accept(struct rd *in);
void op_send(struct rd *in);
void op_recv(struct rd *in);
void op_close(struct rd *in);
void op_sysctl(struct rd *in);
void op_link(struct rd *in);
void op_inject(struct rd *in);
void op_inject6(struct rd *in);
void do_close(int slot);
/* the Querier columns the model allows for f0, as bits 1 << version */
int querier_allowed(void);

/* ---------------- oracle (fz_oracle.c) ---------------- */

int f0_parked(uint32_t g);
void check_ns(int what, const char *when);
void check_querier(const char *when);
void check_fds(void);

#endif
