/* SPDX-License-Identifier: GPL-2.0 */
/*
 * fz.h - shared pieces of the mcprobe fuzz targets (fuzz/).
 *
 * An input is a small program over a table of sockets. The interpreter
 * (fz_prog.c and the files fz_prog.h lists) runs each operation against the
 * kernel and, before the call, asks a reference model (fz_model.c) what the
 * kernel must answer in the state the model holds. Any difference is a
 * divergence: the program listing up to the failing step is printed and the
 * process aborts, so libFuzzer saves the input.
 *
 * Environment (fz_env.c): the process leaves the namespace it was started in
 * before the first input (LLVMFuzzerInitialize -> fz_env_init): a private
 * netns with lo and a veth "f0" (10.99.0.1/24, route 224.0.0.0/4) whose peer
 * "p0" (10.99.0.2/24) sits in a second private netns used to inject frames.
 * Nothing is named, so both vanish with the process.
 */
#ifndef FZ_H
#define FZ_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>	/* fz_rd32 */

#define FZ_NSOCK	4	/* socket table slots */
#define FZ_MAXMEMB	64	/* memberships tracked per socket and family */
#define FZ_MAXSRC	72	/* sources per membership (> any max_msf we set) */
#define FZ_MAXOPS	48	/* operations per input */
#define FZ_TRACE_MAX	512	/* syscall records per input */

/*
 * The oracle's read-and-compare code (fz_oracle.c: parsing /proc, counting
 * rows, the model's answers per /proc row) is built without coverage and
 * sanitizers in the fuzzers: fuzz/harness.ignorelist names that file. Its
 * edges track the size of /proc, not kernel paths, and the trace-cmp
 * callbacks in its loops cost more than the parsing. Put new oracle code
 * there, and nothing else.
 */

static inline uint32_t fz_rd32(const void *p, int off)
{
	uint32_t v;

	memcpy(&v, (const char *)p + off, 4);
	return v;
}

/* which target is running: selects the operation table */
enum fz_profile { FZ_SOCKOPT = 0, FZ_MSFILTER = 1, FZ_IGMP = 2 };

/* ---------------- environment (fz_env.c) ---------------- */

struct fz_env {
	int ready;
	int f0_index;		/* current ifindex of f0, 0 when deleted */
	int f0_up;
	int f0_mroute;		/* 224.0.0.0/4 dev f0 present */
	int f0_v6route;		/* ff00::/8 dev f0 usable (f0 up) */
	int lo_index;
	int peer_ns;		/* fd of the peer netns */
	int pkt_fd;		/* AF_PACKET socket on p0, in the peer netns */
	int p0_index;
	unsigned char f0_mac[6], p0_mac[6];
	long max_memberships, max_msf;	/* current sysctl values */
	long base_max_memberships, base_max_msf;
	long optmem_max;	/* net.core.optmem_max as the kernel applies it to us, 0 unknown */
	long mld_max_msf;	/* net.ipv6.mld_max_msf (global) */
	int sysctl_dirty, link_dirty, f0_went_down, f0_leaked;
	int ever_v1, ever_v2;		/* f0 heard a v1/v2 query in an earlier input */
	int ever_v1_next, ever_v2_next;
	/*
	 * MLD on f0 (fz_frames.c op_inject6): an MLDv1 query may have been heard
	 * by this in6_dev (mc_v1_seen lasts qrv*qi+qri, 260 s by default, and the
	 * fuzzer's v2 queries change those), and when the last MLD query was sent
	 * (queries are handled later, in mld_query_work).
	 */
	int mld_v1_ever;
	int mcf6_f0_stale;	/* f0's mcfilter6 rows hold counts no socket explains (fz_model.c source6) */
	int mcf6_input_stale;	/* and a membership's own device misses some (until its socket closes) */
	long long mld_query_ns;
	int igmp_fd, mcf_fd, igmp6_fd, mcf6_fd, kmsg_fd;
	int v6_allnodes_lo, v6_allnodes_f0;	/* baseline users of ff02::1 */
	const char *wrong_rule;	/* MCP_FUZZ_WRONG_RULE: a deliberately wrong model rule */
	int raw;		/* raw ceiling mode: no model, no oracle */
	int verbose;		/* print every step (repro) */
	int no_link;		/* MCP_FUZZ_NO_LINK: skip f0 down/up/delete (throughput) */
	int record_fd;		/* MCP_FUZZ_RECORD: every input appended (bench) */
};
extern struct fz_env fz;

/* MCP_FUZZ_WRONG_RULE names this rule: the model breaks it on purpose (fz_model.c) */
int fz_wrong(const char *rule);

void fz_env_init(void);
void fz_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* reset after an input: sockets are closed by the caller first */
void fz_env_restore(void);
int fz_sysctl_write(const char *path, long v);
int fz_link_op(int action);	/* 0 down, 1 up, 2 delete */
/* read a /proc file through a kept-open fd; returns bytes or -1 */
ssize_t fz_proc_read(int fd, char *buf, size_t len);
/* new kernel warnings since the last call: copies the first into msg */
int fz_kmsg_new_warning(char *msg, size_t len);
/* send one Ethernet frame from p0 (peer netns) */
int fz_inject(const void *frame, size_t len);

/* pluggable coverage source (fz_cov.c): no-op by default, KCOV with -DMCP_FUZZ_KCOV */
void fz_cov_init(void);
void fz_cov_begin(void);
void fz_cov_end(void);

/* ---------------- model (fz_model.c) ---------------- */

struct fz_memb {
	int family;		/* AF_INET: inet->mc_list, AF_INET6: np->ipv6_mc_list */
	uint8_t group[16];	/* IPv4 in the first 4 bytes */
	int ifindex;		/* resolved, as the kernel stores it */
	uint32_t addr;		/* IPv4 imr_address as given at join */
	int mode;		/* MCAST_EXCLUDE / MCAST_INCLUDE */
	int has_sfl;		/* source list object exists (may be empty) */
	int nsrc;
	uint8_t src[FZ_MAXSRC][16];
};

struct fz_sock {
	int fd;			/* -1: free slot */
	int family, type, proto;
	int icsk;		/* connection oriented (TCP) */
	int ttl, loop, all;	/* IPv4 */
	uint32_t mc_addr;
	int mc_index;
	int hops6, loop6, all6, oif6;	/* IPv6 */
	int nm4, nm6;
	struct fz_memb m4[FZ_MAXMEMB], m6[FZ_MAXMEMB];
	int listening;
	uint16_t port;		/* bound port, host order, 0 unknown */
};

struct fz_model {
	struct fz_sock s[FZ_NSOCK];
	unsigned long gen_members;	/* bumped when a membership comes or goes */
	unsigned long gen_sources;	/* bumped when a source list or filter mode changes */
};
extern struct fz_model fzm;

/* expected outcome of one call */
struct fz_expect {
	int rc;			/* 0 or -1 */
	int err;		/* errno when rc == -1 */
	int any;		/* model makes no claim (outside the modelled surface) */
	const char *why;	/* the rule that decided */
};

void fz_model_reset(void);
void fz_model_sock_new(int slot, int fd, int family, int type, int proto);
void fz_model_sock_close(int slot);
/*
 * Predict and apply: the model changes as the kernel must. A divergence aborts
 * the input, so a state that went wrong is never used again.
 */
struct fz_expect fz_model_setsockopt(int slot, int level, int opt, const void *buf, int len);
/* predicted getsockopt: out/outlen are what the kernel must write */
struct fz_expect fz_model_getsockopt(int slot, int level, int opt, const void *in, int len,
				     void *out, int *outlen);
/*
 * Device memberships leaked by the kernel (fz_model.c leak_add): identical
 * leaks share a record; entries of a device that no longer exists are ignored.
 */
struct fz_leak {
	int ifindex, mode, nsrc;
	int count;
	uint32_t group;
	uint32_t src[FZ_MAXSRC];
};
extern struct fz_leak fz_leaks[4096];
extern int fz_nleaks;

/* the model's answers per /proc row (fz_oracle.c), computed from fzm and fz_leaks */
int fz_model_users4(int ifindex, uint32_t group);
int fz_model_users6(int ifindex, const uint8_t *group);
/* /proc/net/mcfilter6 expectation for (ifindex, group, source): counts */
void fz_model_mcfilter6(int ifindex, const uint8_t *group, const uint8_t *src, int *inc, int *exc);
/* /proc/net/mcfilter expectation for (ifindex, group, source): counts */
void fz_model_mcfilter4(int ifindex, uint32_t group, uint32_t src, int *inc, int *exc);
int fz_dev_alive(int ifindex);
/* device memberships the kernel leaked (persist across inputs) */
int fz_model_leaks(int ifindex, uint32_t group, uint32_t src, int *inc, int *exc);
int fz_model_leaked_group(int i, int *ifindex, uint32_t *group, int *nsrc, const uint32_t **src);

/* ---------------- interpreter (fz_prog.c) ---------------- */

int fz_run(enum fz_profile p, const uint8_t *data, size_t size);
/* repro output: listing on stderr, a C program to path (NULL: none) */
void fz_set_c_output(const char *path);
/* raw ceiling: the same programs without model, oracle or /proc reads */
void fz_set_raw(int raw);

/*
 * The libFuzzer entry points of a target: the private namespaces are made
 * once per process, before the first input (fz_env_init refuses to run in
 * the caller's namespace); every input is one program of the profile.
 */
#define FZ_LIBFUZZER_TARGET(profile)                                          \
	int LLVMFuzzerInitialize(int *argc, char ***argv);                    \
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);         \
	int LLVMFuzzerInitialize(int *argc, char ***argv)                     \
	{                                                                     \
		(void)argc;                                                   \
		(void)argv;                                                   \
		fz_env_init();                                                \
		return 0;                                                     \
	}                                                                     \
	int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)          \
	{                                                                     \
		return fz_run(profile, data, size);                           \
	}

#endif
