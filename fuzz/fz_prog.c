// SPDX-License-Identifier: GPL-2.0
/*
 * fz_prog.c - the program interpreter shared by the three fuzz targets: the
 * opcode table of each target, the step loop and the checks at the end of an
 * input. Its parts (operations, frames, trace, reproducer, oracle, tables)
 * are in the files listed in fz_prog.h.
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
 *   igmp     : memberships (IPv4, IPv6), then IGMP and MLD frames from the peer
 *              end of the veth
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
#include "fz_prog.h"

#include <sys/uio.h>
#include <unistd.h>

struct fz_state fzs;

void touch(int what)
{
	fzs.dirty |= what;
	fzs.ever |= what;
	fzs.closed_verified = 0;
}

enum op { O_SOCKET, O_JOIN, O_SOURCE, O_MSF4, O_GSF, O_SETINT, O_SETRAW, O_GET, O_BIND, O_CONNECT,
	  O_LISTEN, O_SEND, O_RECV, O_CLOSE, O_SYSCTL, O_LINK, O_INJECT, O_INJECT6 };

/* querier: the f0 Querier column is checked after the step (Q_IGMP: in the igmp target) */
enum { Q_NO, Q_YES, Q_IGMP };

static const struct {
	void (*run)(struct rd *in);
	int querier;
} OPS[] = {
	[O_SOCKET] = { op_socket, Q_NO },	[O_JOIN] = { op_join, Q_NO },
	[O_SOURCE] = { op_source, Q_NO },	[O_MSF4] = { op_msf4, Q_NO },
	[O_GSF] = { op_gsf, Q_NO },		[O_SETINT] = { op_setint, Q_NO },
	[O_SETRAW] = { op_setraw, Q_NO },	[O_GET] = { op_get, Q_NO },
	[O_BIND] = { op_bind, Q_NO },		[O_CONNECT] = { op_connect, Q_NO },
	[O_LISTEN] = { op_listen_accept, Q_NO }, [O_SEND] = { op_send, Q_NO },
	[O_RECV] = { op_recv, Q_NO },		[O_CLOSE] = { op_close, Q_NO },
	[O_SYSCTL] = { op_sysctl, Q_IGMP },	[O_LINK] = { op_link, Q_YES },
	[O_INJECT] = { op_inject, Q_YES },	[O_INJECT6] = { op_inject6, Q_NO },
};

static const uint8_t PROF_SOCKOPT[16] = { O_SOCKET, O_JOIN, O_JOIN, O_SOURCE, O_MSF4, O_GSF, O_SETINT,
	O_SETRAW, O_GET, O_BIND, O_CONNECT, O_LISTEN, O_SEND, O_RECV, O_CLOSE, O_SYSCTL };
static const uint8_t PROF_MSFILTER[10] = { O_SOCKET, O_JOIN, O_SOURCE, O_SOURCE, O_MSF4, O_GSF, O_GET,
	O_MSF4, O_CLOSE, O_SYSCTL };
/* O_INJECT6 last: the opcodes of older igmp inputs keep their meaning (link is now 7 * 12 + 9) */
static const uint8_t PROF_IGMP[12] = { O_SOCKET, O_JOIN, O_JOIN, O_SOURCE, O_MSF4, O_INJECT, O_INJECT,
	O_INJECT, O_CLOSE, O_SYSCTL, O_INJECT6, O_INJECT6 };

/* one operation; returns whether the Querier column must be checked after it */
static int step(uint8_t opb, struct rd *in)
{
	const uint8_t *tab;
	size_t n;
	int op;

	switch (fzs.profile) {
	case FZ_MSFILTER: tab = PROF_MSFILTER; n = sizeof(PROF_MSFILTER); break;
	case FZ_IGMP: tab = PROF_IGMP; n = sizeof(PROF_IGMP); break;
	default: tab = PROF_SOCKOPT; n = sizeof(PROF_SOCKOPT); break;
	}
	op = tab[opb % n];
	/*
	 * The last slot of sockopt and igmp doubles as link down/up/delete, one
	 * time in eight: a link change costs milliseconds (a delete tens of them).
	 */
	if (op == O_SYSCTL && fzs.profile != FZ_MSFILTER && (opb / n) % 8 == 7)
		op = O_LINK;
	OPS[op].run(in);
	return OPS[op].querier == Q_YES || (OPS[op].querier == Q_IGMP && fzs.profile == FZ_IGMP);
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
	fzs.profile = p;
	fzt.n = 0;
	fzt.arena_used = 0;
	fzs.v1_seen = fzs.v2_seen = fzs.force_f0 = fzs.force_all = fzs.mld_query = 0;
	fz.mcf6_input_stale = 0;
	fzt.start_f0_index = fz.f0_index;
	fz_cov_begin();
	fzs.dirty = fzs.ever = fzs.closed_verified = fzs.nparked = fzs.nopened = fzs.nset = fzs.nset6 = 0;
	while (in.off < in.n && ops++ < FZ_MAXOPS) {
		int querier = step(u8(&in), &in);

		/* /proc is read after every step that may have changed it */
		if (fzs.dirty)
			check_ns(fzs.dirty, "after this step");
		fzs.dirty = 0;
		if (querier)
			check_querier("after this step");
	}
	for (int i = 0; i < FZ_NSOCK; i++)
		do_close(i);
	if (fzs.dirty)
		check_ns(fzs.dirty, "after closing every socket");
	if (fzs.nset)	/* a step whose effect the model judged invisible is still seen here */
		fzs.ever |= CK_IGMP | CK_MCF | (fzs.nset6 ? CK_IGMP6 | CK_MCF6 : 0);
	if ((fzs.ever | CK_IGMP) & ~fzs.closed_verified)
		check_ns((fzs.ever | CK_IGMP) & ~fzs.closed_verified, "baseline: every socket closed");
	fz_cov_end();
	fz_env_restore();
	if (!fz.raw)
		check_fds();
	if (!fz.raw && fz_kmsg_new_warning(kmsg, sizeof(kmsg)))
		diverge("new kernel warning in /dev/kmsg: %s", kmsg);
	if (fz.verbose)
		print_listing(stderr);
	if (fzt.c_path)
		write_c(fzt.c_path);
	return 0;
}
