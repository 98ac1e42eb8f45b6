// SPDX-License-Identifier: GPL-2.0
/* mrt.c - see mrt.h */
#include "mrt.h"
#include "mcp.h"

#include <errno.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int router_socket(const struct mrt_family *f)
{
	return socket(f->domain, SOCK_RAW | SOCK_CLOEXEC, f->proto);
}

int mrt_missing(const struct mrt_family *f, const char *const *ids, size_t n)
{
	int fd = MCP_SAFE(router_socket(f));
	int v = 0, e;
	socklen_t len = sizeof(v);

	if (!getsockopt(fd, f->level, f->opt_version, &v, &len)) {
		close(fd);
		return 0;
	}
	e = errno;
	if (e != ENOPROTOOPT && e != EOPNOTSUPP)
		mcp_broken("%s", f->version_name);
	for (size_t i = 0; i < n; i++)
		obs_skip(ids[i], "no %s (%s: %s; %s)", f->routing, f->version_name,
			 mcp_errname(e), f->config);
	close(fd);
	return 1;
}

/* The call from a child that has left the netns owner's user namespace: it
 * keeps the socket but holds no CAP_NET_ADMIN over the netns any more.
 * 1: done (*res set), 0: no user namespaces here (*err says why). */
static int call_nocap(const struct mrt_family *f, const struct mrt_row *rw, int m0, int m1,
		      struct mcp_res *res, int *err)
{
	int p[2], st = 0, fd = MCP_SAFE(router_socket(f));
	struct mcp_res r = { -1, 0 };
	pid_t pid;

	MCP_SAFE(pipe(p));
	pid = MCP_SAFE(fork());
	if (!pid) {
		close(p[0]);
		if (unshare(CLONE_NEWUSER) < 0)
			r = (struct mcp_res){ -2, errno };
		else
			r = MCP_TRY(f->call(fd, rw, m0, m1));
		_exit(write(p[1], &r, sizeof(r)) == sizeof(r) ? 0 : 1);
	}
	close(p[1]);
	if (read(p[0], &r, sizeof(r)) != sizeof(r) || waitpid(pid, &st, 0) != pid || st)
		mcp_broken("child without CAP_NET_ADMIN");
	close(p[0]);
	close(fd);
	*err = r.err;
	if (r.rc == -2)
		return 0;
	*res = r;
	return 1;
}

void mrt_api(const struct mrt_family *f, const struct mrt_row *rows, size_t n)
{
	const char *ids[n ? n : 1];
	int fds[MRT_S_N], m0, m1;

	for (size_t i = 0; i < n; i++)
		ids[i] = rows[i].id;
	if (mrt_missing(f, ids, n))
		return;
	if (f->pin)
		MCP_SAFE(f->pin());
	MCP_SAFE(mcp_veth_add("m0", "m1", -1));
	m0 = MCP_SAFE(mcp_ifindex("m0"));
	m1 = MCP_SAFE(mcp_ifindex("m1"));
	fds[MRT_S_A] = MCP_SAFE(router_socket(f));
	fds[MRT_S_B] = MCP_SAFE(router_socket(f));
	fds[MRT_S_UDP] = MCP_SAFE(socket(f->domain, SOCK_DGRAM | SOCK_CLOEXEC, 0));
	fds[MRT_S_RAW_UDP] = MCP_SAFE(socket(f->domain, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_UDP));
	fds[MRT_S_NOCAP] = -1;
	for (size_t i = 0; i < n; i++) {
		const struct mrt_row *rw = &rows[i];
		struct mcp_res r;
		int e;

		if (rw->sock == MRT_S_NOCAP) {
			if (!call_nocap(f, rw, m0, m1, &r, &e)) {
				obs_skip(rw->id, "no user namespace to drop CAP_NET_ADMIN in (unshare: %s)",
					 mcp_errname(e));
				continue;
			}
		} else {
			r = MCP_TRY(f->call(fds[rw->sock], rw, m0, m1));
		}
		obs_begin("%s", rw->id);
		obs_res(NULL, r);
		obs_end();
	}
	for (int i = 0; i < MRT_S_NOCAP; i++)
		close(fds[i]);
}

void mrt_mc_forwarding(const struct mrt_family *f, const char *id)
{
	long before = -1, init = -1, done = -1;
	struct mcp_res w;
	int fd, one = 1;

	if (mrt_missing(f, &id, 1))
		return;
	if (f->pin)
		MCP_SAFE(f->pin());
	MCP_SAFE(mcp_sysctl_get_int(f->mc_forwarding, &before));
	fd = MCP_SAFE(router_socket(f));
	MCP_SAFE(setsockopt(fd, f->level, f->opt_init, &one, sizeof(one)));
	MCP_SAFE(mcp_sysctl_get_int(f->mc_forwarding, &init));
	w = MCP_TRY(mcp_sysctl_set_int(f->mc_forwarding, 0));
	MCP_SAFE(setsockopt(fd, f->level, f->opt_done, NULL, 0));
	MCP_SAFE(mcp_sysctl_get_int(f->mc_forwarding, &done));
	close(fd);
	obs_begin("%s", id);
	obs_int("before_init", before);
	obs_int("after_init", init);
	obs_res("write_0", w);
	obs_int("after_done", done);
	obs_end();
}
