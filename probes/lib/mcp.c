// SPDX-License-Identifier: GPL-2.0
/*
 * mcp.c - namespaces, rtnetlink, sysctls, /proc/net/igmp and the JSON Lines
 * writer shared by every probe. See mcp.h for the contract.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "mcp.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <linux/if.h>	/* IF_OPER_UP; after <net/if.h>, which it defers to */
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *cur_probe = "?";
static const char *cur_scenario = "?";
static const char *pause_after_id;

/* ------------------------------------------------------------------ */
/* JSON writer: one line is built in memory and written with one write(2),
 * so records from sequential children never interleave or tear. */

static char *jbuf;
static size_t jlen, jcap;
static int jfirst[16];	/* per nesting level: no comma needed yet */
static int jdepth;
static char cur_id[256];

static void jput(const char *s, size_t n)
{
	if (jlen + n + 1 > jcap) {
		size_t nc = jcap ? jcap * 2 : 4096;

		while (nc < jlen + n + 1)
			nc *= 2;
		jbuf = realloc(jbuf, nc);
		if (!jbuf)
			abort();
		jcap = nc;
	}
	memcpy(jbuf + jlen, s, n);
	jlen += n;
	jbuf[jlen] = 0;
}

static void jputs(const char *s) { jput(s, strlen(s)); }

static void jstr(const char *s)
{
	char esc[8];

	jputs("\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			jput(esc, 2);
		} else if (c < 0x20 || c >= 0x7f) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			jputs(esc);
		} else {
			jput((const char *)&c, 1);
		}
	}
	jputs("\"");
}

static void jkey(const char *key)
{
	if (!jfirst[jdepth])
		jputs(",");
	jfirst[jdepth] = 0;
	if (key) {
		jstr(key);
		jputs(":");
	}
}

static void jflush_line(void)
{
	size_t off = 0;

	jputs("\n");
	while (off < jlen) {
		ssize_t w = write(STDOUT_FILENO, jbuf + off, jlen - off);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			_exit(3);
		}
		off += (size_t)w;
	}
	jlen = 0;
}

static void at_string(char *out, size_t len, const char *file, int line)
{
	snprintf(out, len, "%s:%d", file, line);
}

void obs_begin_at(const char *file, int line, const char *id_fmt, ...)
{
	char at[256];
	va_list ap;

	va_start(ap, id_fmt);
	vsnprintf(cur_id, sizeof(cur_id), id_fmt, ap);
	va_end(ap);
	at_string(at, sizeof(at), file, line);
	jlen = 0;
	jdepth = 0;
	jputs("{\"id\":");
	jstr(cur_id);
	jputs(",\"probe\":");
	jstr(cur_probe);
	jputs(",\"at\":");
	jstr(at);
	jputs(",\"facts\":{");
	jdepth = 1;
	jfirst[1] = 1;
}

void obs_int(const char *key, long long v)
{
	char n[32];

	jkey(key);
	snprintf(n, sizeof(n), "%lld", v);
	jputs(n);
}

void obs_bool(const char *key, int v)
{
	jkey(key);
	jputs(v ? "true" : "false");
}

void obs_str(const char *key, const char *v)
{
	jkey(key);
	jstr(v);
}

void obs_null(const char *key)
{
	jkey(key);
	jputs("null");
}

void obs_sysctl_int(const char *key, const char *name)
{
	long v = -1;

	if (mcp_sysctl_get_int(name, &v) < 0)
		obs_null(key);
	else
		obs_int(key, v);
}

void obs_arr_begin(const char *key)
{
	jkey(key);
	jputs("[");
	jfirst[++jdepth] = 1;
}

void obs_arr_end(void)
{
	jputs("]");
	jdepth--;
}

void obs_obj_begin(const char *key)
{
	jkey(key);
	jputs("{");
	jfirst[++jdepth] = 1;
}

void obs_obj_end(void)
{
	jputs("}");
	jdepth--;
}

const char *mcp_errname(int err)
{
	const char *n;

	if (!err)
		return "0";
	n = strerrorname_np(err);
	return n ? n : "E?";
}

void obs_call(const char *prefix, int rc, int err)
{
	char k1[128], k2[128];

	snprintf(k1, sizeof(k1), "%s%sret", prefix ? prefix : "", prefix ? "_" : "");
	snprintf(k2, sizeof(k2), "%s%serrno", prefix ? prefix : "", prefix ? "_" : "");
	obs_int(k1, rc);
	if (rc < 0)
		obs_str(k2, mcp_errname(err));
	else
		obs_null(k2);
}

void obs_res(const char *prefix, struct mcp_res r)
{
	obs_call(prefix, r.rc, r.err);
}

static int row_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void obs_igmp(const char *key)
{
	struct mcp_igmp_row rows[256];
	char *lines[256];
	int n = mcp_igmp_rows(rows, 256), k = 0;

	if (n > 256)
		n = 256;
	for (int i = 0; i < n; i++) {
		char g[INET_ADDRSTRLEN];

		if (rows[i].group.s_addr == htonl(INADDR_ALLHOSTS_GROUP))
			continue;
		inet_ntop(AF_INET, &rows[i].group, g, sizeof(g));
		if (asprintf(&lines[k], "%s %s users=%d", rows[i].dev, g, rows[i].users) < 0)
			abort();
		k++;
	}
	qsort(lines, (size_t)k, sizeof(lines[0]), row_cmp);
	obs_arr_begin(key);
	for (int i = 0; i < k; i++) {
		obs_str(NULL, lines[i]);
		free(lines[i]);
	}
	obs_arr_end();
}

void obs_end(void)
{
	jputs("}}");
	jdepth = 0;
	jflush_line();
	if (pause_after_id && !strcmp(cur_id, pause_after_id)) {
		/* Test hook: hold the scenario (and its namespaces) so a test can
		 * SIGKILL the run half way; MCP_PAUSED_FILE tells the test when the
		 * hold has begun. Bounded so it can never hang a run. */
		const char *f = getenv("MCP_PAUSED_FILE");

		if (f)
			close(open(f, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
		poll(NULL, 0, 60000);
	}
}

/* One flat line of string members: {"k0":"v0","k1":"v1",...}; kv ends with NULL. */
static void emit_strings(const char *const *kv)
{
	jlen = 0;
	jdepth = 0;
	jputs("{");
	for (int i = 0; kv[i]; i += 2) {
		if (i)
			jputs(",");
		jstr(kv[i]);
		jputs(":");
		jstr(kv[i + 1]);
	}
	jputs("}");
	jflush_line();
}

void obs_skip_at(const char *file, int line, const char *id, const char *fmt, ...)
{
	char msg[512], at[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	at_string(at, sizeof(at), file, line);
	emit_strings((const char *const[]){ "id", id, "probe", cur_probe, "at", at, "skip", msg, NULL });
}

static void emit_record(const char *kind, const char *msg)
{
	emit_strings((const char *const[]){ "probe", cur_probe, "scenario", cur_scenario, kind, msg, NULL });
}

void mcp_broken(const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int e = errno;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (e) {
		size_t l = strlen(msg);

		snprintf(msg + l, sizeof(msg) - l, ": %s", mcp_errname(e));
	}
	/*
	 * The kernel lacks what the setup needs (no veth, macvlan or ipmr
	 * built in or loaded): the scenario's checks are not observable here,
	 * which is a SKIP with this reason, not a failure.
	 */
	if (e == EOPNOTSUPP || e == EPROTONOSUPPORT || e == EAFNOSUPPORT) {
		size_t l = strlen(msg);

		snprintf(msg + l, sizeof(msg) - l, " (kernel feature missing)");
		emit_record("skip", msg);
		_exit(MCP_EXIT_SKIP);
	}
	emit_record("broken", msg);
	_exit(1);
}

/* ------------------------------------------------------------------ */
/* namespaces */

int mcp_ns_self(void)
{
	return open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
}

int mcp_ns_enter(int nsfd)
{
	return setns(nsfd, CLONE_NEWNET);
}

int mcp_in_ns(int nsfd, int (*fn)(void *), void *arg)
{
	int here, rc, e;

	if (nsfd < 0)
		return fn(arg);
	here = mcp_ns_self();
	if (here < 0)
		return -1;
	if (mcp_ns_enter(nsfd) < 0) {
		e = errno;
		close(here);
		errno = e;
		return -1;
	}
	rc = fn(arg);
	e = errno;
	if (mcp_ns_enter(here) < 0)
		_exit(3);	/* never go on in the wrong namespace */
	close(here);
	errno = e;
	return rc;
}

int mcp_ns_new(void)
{
	int here = mcp_ns_self(), fd = -1, e;

	if (here < 0)
		return -1;
	if (unshare(CLONE_NEWNET) < 0)
		goto out;
	fd = mcp_ns_self();
	if (fd >= 0 && mcp_link_set_up("lo", 1) < 0) {
		close(fd);
		fd = -1;
	}
	if (setns(here, CLONE_NEWNET) < 0) {
		/* cannot return to where we were: never continue in the wrong netns */
		_exit(3);
	}
out:
	e = errno;
	close(here);
	errno = e;
	return fd;
}

/* ------------------------------------------------------------------ */
/* rtnetlink */

/* a request is built in a plain byte buffer so the compiler sees its real size */
struct nlreq {
	char buf[2048] __attribute__((aligned(NLMSG_ALIGNTO)));
};
#define NLREQ_INIT(r) ((struct nlmsghdr *)memset((r).buf, 0, sizeof((r).buf)))

struct rtattr *mcp_nla_put(struct nlmsghdr *h, int type, const void *data, size_t len)
{
	struct rtattr *rta = (struct rtattr *)((char *)h + NLMSG_ALIGN(h->nlmsg_len));

	rta->rta_type = (unsigned short)type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(rta), data, len);
	h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(rta->rta_len);
	return rta;
}

struct rtattr *mcp_nla_nest(struct nlmsghdr *h, int type)
{
	return mcp_nla_put(h, type, NULL, 0);
}

void mcp_nla_nest_end(struct nlmsghdr *h, struct rtattr *nest)
{
	nest->rta_len = (unsigned short)((char *)h + h->nlmsg_len - (char *)nest);
}

/* Send one request and wait for its ack; returns -1 with the kernel's errno. */
static int nl_talk(struct nlmsghdr *h)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char ans[4096];
	int fd, rc = -1, e = 0;
	ssize_t n;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -1;
	h->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	h->nlmsg_seq = 1;
	if (sendto(fd, h, h->nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		e = errno;
		goto out;
	}
	for (int tries = 0; tries < 16; tries++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		/* the kernel acks synchronously; the bound only guards against a lost ack */
		if (poll(&p, 1, 5000) != 1) {
			e = ETIMEDOUT;
			goto out;
		}
		n = recv(fd, ans, sizeof(ans), 0);
		if (n < 0) {
			e = errno;
			goto out;
		}
		for (struct nlmsghdr *a = (struct nlmsghdr *)ans; NLMSG_OK(a, (size_t)n);
		     a = NLMSG_NEXT(a, n)) {
			if (a->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *err = NLMSG_DATA(a);

				e = -err->error;
				rc = e ? -1 : 0;
				goto out;
			}
		}
	}
	e = EPROTO;
out:
	close(fd);
	errno = e;
	return e ? -1 : rc;
}

int mcp_nl_talk(struct nlmsghdr *h)
{
	return nl_talk(h);
}

int mcp_ifindex(const char *ifname)
{
	unsigned int i = if_nametoindex(ifname);

	if (!i) {
		errno = ENODEV;
		return -1;
	}
	return (int)i;
}

/* IFLA_OPERSTATE of ifname here (RTM_GETLINK), or -1 with errno. */
static int link_operstate(const char *ifname)
{
	struct nlreq r;
	struct nlmsghdr *h = NLREQ_INIT(r);
	struct ifinfomsg *ifi;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char ans[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
	int fd, idx = mcp_ifindex(ifname), st = -1, e = EPROTO;
	ssize_t n;

	if (idx < 0)
		return -1;
	h->nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
	h->nlmsg_type = RTM_GETLINK;
	h->nlmsg_flags = NLM_F_REQUEST;
	ifi = NLMSG_DATA(h);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = idx;
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -1;
	if (sendto(fd, h, h->nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		e = errno;
		goto out;
	}
	{
		struct pollfd p = { .fd = fd, .events = POLLIN };

		/* the kernel answers synchronously; the bound only guards a lost answer */
		if (poll(&p, 1, 5000) != 1) {
			e = ETIMEDOUT;
			goto out;
		}
	}
	n = recv(fd, ans, sizeof(ans), 0);
	for (struct nlmsghdr *a = (struct nlmsghdr *)ans; n > 0 && NLMSG_OK(a, (size_t)n); a = NLMSG_NEXT(a, n)) {
		struct ifinfomsg *info = NLMSG_DATA(a);
		int len = (int)IFLA_PAYLOAD(a);

		if (a->nlmsg_type != RTM_NEWLINK)
			continue;
		for (struct rtattr *at = IFLA_RTA(info); RTA_OK(at, len); at = RTA_NEXT(at, len))
			if (at->rta_type == IFLA_OPERSTATE)
				st = *(unsigned char *)RTA_DATA(at);
	}
out:
	close(fd);
	if (st < 0)
		errno = e;
	return st;
}

int mcp_link_wait_up(const char *ifname, int deadline_ms)
{
	/*
	 * IF_OPER_UP is only ever set by linkwatch (a new device starts
	 * UNKNOWN, which IFF_RUNNING would already report), in the same
	 * RTNL-held step that activates the qdisc. Bounded by count: 1 ms steps.
	 */
	for (int i = 0; i <= deadline_ms; i++) {
		int st = link_operstate(ifname);

		if (st < 0)
			return -1;
		if (st == IF_OPER_UP)
			return mcp_link_set_up(ifname, 1);	/* serialise behind linkwatch's RTNL hold */
		poll(NULL, 0, 1);
	}
	errno = ETIMEDOUT;
	return -1;
}

/* RTM_NEWLINK for ifname into h; NULL if there is no such device. */
static struct ifinfomsg *newlink(struct nlmsghdr *h, const char *ifname)
{
	struct ifinfomsg *ifi;
	int idx = mcp_ifindex(ifname);

	if (idx < 0)
		return NULL;
	h->nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
	h->nlmsg_type = RTM_NEWLINK;
	ifi = NLMSG_DATA(h);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = idx;
	return ifi;
}

int mcp_link_set_up(const char *ifname, int up)
{
	struct nlreq r;
	struct nlmsghdr *h = NLREQ_INIT(r);
	struct ifinfomsg *ifi = newlink(h, ifname);

	if (!ifi)
		return -1;
	ifi->ifi_change = IFF_UP;
	ifi->ifi_flags = up ? IFF_UP : 0;
	return nl_talk(h);
}

int mcp_link_set_mac(const char *ifname, const unsigned char mac[6])
{
	struct nlreq r;
	struct nlmsghdr *h = NLREQ_INIT(r);

	if (!newlink(h, ifname))
		return -1;
	mcp_nla_put(h, IFLA_ADDRESS, mac, 6);
	return nl_talk(h);
}

/* RTM_NEWLINK creating a device named name into h. */
static void newlink_create(struct nlmsghdr *h, const char *name)
{
	struct ifinfomsg *ifi;

	h->nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
	h->nlmsg_type = RTM_NEWLINK;
	h->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifi = NLMSG_DATA(h);
	ifi->ifi_family = AF_UNSPEC;
	mcp_nla_put(h, IFLA_IFNAME, name, strlen(name) + 1);
}

int mcp_macvlan_add(const char *name, const char *lower, int nsfd)
{
	struct nlreq r;
	struct nlmsghdr *h = NLREQ_INIT(r);
	struct rtattr *li;
	int link = mcp_ifindex(lower);
	uint32_t l, fd;

	if (link < 0)
		return -1;
	l = (uint32_t)link;
	newlink_create(h, name);
	mcp_nla_put(h, IFLA_LINK, &l, sizeof(l));
	if (nsfd >= 0) {
		fd = (uint32_t)nsfd;
		mcp_nla_put(h, IFLA_NET_NS_FD, &fd, sizeof(fd));
	}
	li = mcp_nla_nest(h, IFLA_LINKINFO);
	mcp_nla_put(h, IFLA_INFO_KIND, "macvlan", 7);
	mcp_nla_nest_end(h, li);
	return nl_talk(h);
}

int mcp_veth_add(const char *name, const char *peer, int peer_nsfd)
{
	struct nlreq r;
	struct nlmsghdr *h = NLREQ_INIT(r);
	struct ifinfomsg *pifi;
	struct rtattr *li, *data, *pinfo;

	newlink_create(h, name);
	li = mcp_nla_nest(h, IFLA_LINKINFO);
	mcp_nla_put(h, IFLA_INFO_KIND, "veth", 4);
	data = mcp_nla_nest(h, IFLA_INFO_DATA);
	pinfo = mcp_nla_nest(h, VETH_INFO_PEER);
	pifi = (struct ifinfomsg *)((char *)h + h->nlmsg_len);
	memset(pifi, 0, sizeof(*pifi));
	h->nlmsg_len += NLMSG_ALIGN(sizeof(*pifi));
	mcp_nla_put(h, IFLA_IFNAME, peer, strlen(peer) + 1);
	if (peer_nsfd >= 0) {
		uint32_t fd = (uint32_t)peer_nsfd;

		mcp_nla_put(h, IFLA_NET_NS_FD, &fd, sizeof(fd));
	}
	mcp_nla_nest_end(h, pinfo);
	mcp_nla_nest_end(h, data);
	mcp_nla_nest_end(h, li);
	return nl_talk(h);
}

int mcp_link_del(const char *ifname)
{
	struct nlreq r;
	struct nlmsghdr *h = NLREQ_INIT(r);
	struct ifinfomsg *ifi;
	int idx = mcp_ifindex(ifname);

	if (idx < 0)
		return -1;
	h->nlmsg_len = NLMSG_LENGTH(sizeof(*ifi));
	h->nlmsg_type = RTM_DELLINK;
	ifi = NLMSG_DATA(h);
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = idx;
	return nl_talk(h);
}

static int parse_cidr(const char *cidr, struct in_addr *a, int *plen)
{
	char tmp[64], *slash;

	if (!strcmp(cidr, "default")) {
		a->s_addr = 0;
		*plen = 0;
		return 0;
	}
	snprintf(tmp, sizeof(tmp), "%s", cidr);
	slash = strchr(tmp, '/');
	*plen = 32;
	if (slash) {
		*slash = 0;
		*plen = atoi(slash + 1);
	}
	if (inet_pton(AF_INET, tmp, a) != 1 || *plen < 0 || *plen > 32) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

/* "2001:db8::5/64" (no prefix: /128) */
static int parse_cidr6(const char *cidr, struct in6_addr *a, int *plen)
{
	char tmp[64], *slash;

	snprintf(tmp, sizeof(tmp), "%s", cidr);
	slash = strchr(tmp, '/');
	*plen = 128;
	if (slash) {
		*slash = 0;
		*plen = atoi(slash + 1);
	}
	if (inet_pton(AF_INET6, tmp, a) != 1 || *plen < 0 || *plen > 128) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

static int addr_op(int type, const char *ifname, const char *cidr)
{
	struct nlreq r;
	struct nlmsghdr *h = NLREQ_INIT(r);
	struct ifaddrmsg *ifa;
	struct in_addr a;
	struct in6_addr a6;
	int plen, idx = mcp_ifindex(ifname), v6 = strchr(cidr, ':') != NULL;

	if (idx < 0 || (v6 ? parse_cidr6(cidr, &a6, &plen) : parse_cidr(cidr, &a, &plen)) < 0)
		return -1;
	h->nlmsg_len = NLMSG_LENGTH(sizeof(*ifa));
	h->nlmsg_type = (unsigned short)type;
	if (type == RTM_NEWADDR)
		h->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifa = NLMSG_DATA(h);
	ifa->ifa_family = v6 ? AF_INET6 : AF_INET;
	ifa->ifa_prefixlen = (unsigned char)plen;
	ifa->ifa_index = (unsigned int)idx;
	if (v6) {
		/* no DAD: the address is usable (and its group joined) at once */
		ifa->ifa_flags = type == RTM_NEWADDR ? IFA_F_NODAD : 0;
		mcp_nla_put(h, IFA_LOCAL, &a6, sizeof(a6));
	} else {
		mcp_nla_put(h, IFA_LOCAL, &a, sizeof(a));
		mcp_nla_put(h, IFA_ADDRESS, &a, sizeof(a));
	}
	return nl_talk(h);
}

int mcp_addr_add(const char *ifname, const char *cidr) { return addr_op(RTM_NEWADDR, ifname, cidr); }
int mcp_addr_del(const char *ifname, const char *cidr) { return addr_op(RTM_DELADDR, ifname, cidr); }

static int route_op(int type, const char *dst, const char *ifname, const char *gw)
{
	struct nlreq r;
	struct nlmsghdr *h = NLREQ_INIT(r);
	struct rtmsg *rtm;
	struct in_addr d, g;
	int plen, idx = -1;

	if (parse_cidr(dst, &d, &plen) < 0)
		return -1;
	if (ifname && (idx = mcp_ifindex(ifname)) < 0)
		return -1;
	h->nlmsg_len = NLMSG_LENGTH(sizeof(*rtm));
	h->nlmsg_type = (unsigned short)type;
	if (type == RTM_NEWROUTE)
		h->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	rtm = NLMSG_DATA(h);
	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = (unsigned char)plen;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_BOOT;
	rtm->rtm_scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	rtm->rtm_type = RTN_UNICAST;
	if (plen)
		mcp_nla_put(h, RTA_DST, &d, sizeof(d));
	if (idx >= 0) {
		uint32_t oif = (uint32_t)idx;

		mcp_nla_put(h, RTA_OIF, &oif, sizeof(oif));
	}
	if (gw) {
		if (inet_pton(AF_INET, gw, &g) != 1) {
			errno = EINVAL;
			return -1;
		}
		mcp_nla_put(h, RTA_GATEWAY, &g, sizeof(g));
	}
	return nl_talk(h);
}

int mcp_route_add(const char *dst, const char *ifname, const char *gw)
{
	return route_op(RTM_NEWROUTE, dst, ifname, gw);
}

int mcp_route_del(const char *dst, const char *ifname, const char *gw)
{
	return route_op(RTM_DELROUTE, dst, ifname, gw);
}

struct peer_end {
	const char *name, *cidr;
};

static int peer_end_up(void *arg)
{
	const struct peer_end *p = arg;

	if (p->cidr && mcp_addr_add(p->name, p->cidr) < 0)
		return -1;
	return mcp_link_set_up(p->name, 1);
}

int mcp_link_pair(const char *local, const char *local_cidr, int peer_nsfd,
		  const char *peer, const char *peer_cidr)
{
	struct peer_end p = { peer, peer_cidr };

	if (mcp_veth_add(local, peer, peer_nsfd) < 0)
		return -1;
	if (local_cidr && mcp_addr_add(local, local_cidr) < 0)
		return -1;
	if (mcp_link_set_up(local, 1) < 0)
		return -1;
	return mcp_in_ns(peer_nsfd, peer_end_up, &p);
}

/* ------------------------------------------------------------------ */
/* sysctls: /proc/sys/net is resolved against the opener's netns */

static void sysctl_path(const char *name, char *path, size_t len)
{
	size_t off = (size_t)snprintf(path, len, "/proc/sys/");

	for (const char *s = name; *s && off + 1 < len; s++)
		path[off++] = *s == '.' ? '/' : *s;
	path[off] = 0;
}

int mcp_sysctl_set(const char *name, const char *value)
{
	char path[256];
	int fd, e;
	ssize_t w;

	sysctl_path(name, path, sizeof(path));
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	w = write(fd, value, strlen(value));
	e = errno;
	close(fd);
	errno = e;
	return w < 0 ? -1 : 0;
}

int mcp_sysctl_set_int(const char *name, long value)
{
	char v[32];

	snprintf(v, sizeof(v), "%ld", value);
	return mcp_sysctl_set(name, v);
}

int mcp_sysctl_get_int(const char *name, long *out)
{
	char path[256], buf[64];
	int fd;
	ssize_t n;

	sysctl_path(name, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0) {
		errno = EIO;
		return -1;
	}
	buf[n] = 0;
	*out = strtol(buf, NULL, 10);
	return 0;
}

static int sysctl_pin(const char *name, long value, long *got)
{
	*got = 0;
	if (mcp_sysctl_set_int(name, value) < 0 || mcp_sysctl_get_int(name, got) < 0)
		return -1;
	if (*got != value) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int mcp_sysctl_pin(const char *name, long value)
{
	long got;

	return sysctl_pin(name, value, &got);
}

void mcp_pin(const char *name, long value)
{
	long got;

	if (sysctl_pin(name, value, &got) < 0)
		mcp_broken("pin %s=%ld read back %ld", name, value, got);
}

void mcp_pin_conf(const char *ipv, const char *dev, const char *key, long value)
{
	char name[160];

	snprintf(name, sizeof(name), "net.%s.conf.%s.%s", ipv, dev, key);
	mcp_pin(name, value);
}

/* ------------------------------------------------------------------ */
/* /proc/net/igmp: device lines "idx\tname : count V3", group lines
 * "\t\t\t\tGGGGGGGG users timer\t\treporter" with the group as raw be32 */

int mcp_igmp_rows(struct mcp_igmp_row *rows, int max)
{
	FILE *f = fopen("/proc/self/net/igmp", "re");
	char line[256], dev[32] = "";
	int n = 0, idx = 0;

	if (!f)
		return -1;
	if (!fgets(line, sizeof(line), f)) {	/* header */
		fclose(f);
		return 0;
	}
	while (fgets(line, sizeof(line), f)) {
		unsigned int g;
		int users;

		if (line[0] != '\t') {
			if (sscanf(line, "%d %31s", &idx, dev) != 2)
				dev[0] = 0;
			continue;
		}
		if (sscanf(line, " %x %d", &g, &users) != 2)
			continue;
		if (n < max) {
			snprintf(rows[n].dev, sizeof(rows[n].dev), "%s", dev);
			rows[n].ifindex = idx;
			rows[n].group.s_addr = g;	/* already network order as printed */
			rows[n].users = users;
		}
		n++;
	}
	fclose(f);
	return n;
}

int mcp_igmp_users(const char *dev, const char *group)
{
	struct mcp_igmp_row rows[512];
	struct in_addr g = mcp_in(group);
	int n = mcp_igmp_rows(rows, 512);

	for (int i = 0; i < n && i < 512; i++)
		if (!strcmp(rows[i].dev, dev) && rows[i].group.s_addr == g.s_addr)
			return rows[i].users;
	return 0;
}

int mcp_igmp_querier(int ifindex, char *out, size_t len)
{
	FILE *f = fopen("/proc/self/net/igmp", "re");
	char line[256], dev[32], q[16];
	int idx, count, found = 0;

	snprintf(out, len, "absent");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (line[0] != '\t' && sscanf(line, "%d %31s : %d %15s", &idx, dev, &count, q) == 4 &&
		    idx == ifindex) {
			snprintf(out, len, "%s", q);
			found = 1;
		}
	fclose(f);
	if (!found) {
		errno = ENOENT;
		return -1;
	}
	return 0;
}

/* 32 hex digits, as /proc prints an IPv6 address, to network order */
static int hex_in6(const char *hex, struct in6_addr *a)
{
	if (strlen(hex) != 32)
		return -1;
	for (int i = 0; i < 16; i++) {
		unsigned int b;

		if (sscanf(hex + 2 * i, "%2x", &b) != 1)
			return -1;
		a->s6_addr[i] = (unsigned char)b;
	}
	return 0;
}

/*
 * The loop of every /proc/net table reader: skips `header` lines, parses
 * each further line into the next row (parse returns -1 for a line that is
 * not a row), keeps at most max rows and returns how many the file holds.
 */
static int proc_rows(const char *path, int header, int (*parse)(const char *line, void *row), void *rows,
		     size_t size, int max)
{
	FILE *f = fopen(path, "re");
	char line[256];
	int n = 0;

	if (!f)
		return -1;
	if (size > 256)
		abort();	/* a row type larger than the buffer: a bug here, not an observation */
	while (fgets(line, sizeof(line), f)) {
		_Alignas(max_align_t) unsigned char row[256];

		if (header > 0) {
			header--;
			continue;
		}
		if (parse(line, row) < 0)
			continue;
		if (n < max)
			memcpy((char *)rows + (size_t)n * size, row, size);
		n++;
	}
	fclose(f);
	return n;
}

/* /proc/net/igmp6: "idx dev group(hex) users flags(hex) timer", no header */
static int parse_igmp6(const char *line, void *row)
{
	struct mcp_igmp6_row *r = row;
	char hex[40];

	if (sscanf(line, "%d %31s %39s %d %x", &r->ifindex, r->dev, hex, &r->users, &r->flags) != 5)
		return -1;
	return hex_in6(hex, &r->group);
}

int mcp_igmp6_rows(struct mcp_igmp6_row *rows, int max)
{
	return proc_rows("/proc/self/net/igmp6", 0, parse_igmp6, rows, sizeof(*rows), max);
}

int mcp_igmp6_users(const char *dev, const char *group)
{
	/* a device can hold thousands of groups (optmem rows): size to the file */
	int n = mcp_igmp6_rows(NULL, 0), users = 0, max = n + 64;
	struct mcp_igmp6_row *rows;
	struct in6_addr g;

	if (inet_pton(AF_INET6, group, &g) != 1)
		abort();	/* a typo in a probe, not an observation */
	if (n < 0)
		return -1;
	rows = calloc((size_t)max, sizeof(*rows));
	if (!rows)
		return -1;
	n = mcp_igmp6_rows(rows, max);
	for (int i = 0; i < n && i < max; i++)
		if (!strcmp(rows[i].dev, dev) && !memcmp(&rows[i].group, &g, sizeof(g)))
			users = rows[i].users;
	free(rows);
	return n < 0 ? -1 : users;
}

/* /proc/net/mcfilter: header, then "%3d %6.6s 0x%08x 0x%08x %6lu %6lu"
 * (ifindex, device, group and source in host order, INC and EXC counts). */
static int parse_mcfilter(const char *line, void *row)
{
	struct mcp_mcfilter_row *r = row;
	unsigned int ga, sa;

	if (sscanf(line, "%d %31s %x %x %lu %lu", &r->ifindex, r->dev, &ga, &sa, &r->inc, &r->exc) != 6)
		return -1;
	r->group.s_addr = htonl(ga);
	r->source.s_addr = htonl(sa);
	return 0;
}

int mcp_mcfilter_rows(struct mcp_mcfilter_row *rows, int max)
{
	return proc_rows("/proc/self/net/mcfilter", 1, parse_mcfilter, rows, sizeof(*rows), max);
}

/* /proc/net/mcfilter6: header, then "%3d %6.6s %pi6 %pi6 %6lu %6lu" */
static int parse_mcfilter6(const char *line, void *row)
{
	struct mcp_mcfilter6_row *r = row;
	char g[40], so[40];

	if (sscanf(line, "%d %31s %39s %39s %lu %lu", &r->ifindex, r->dev, g, so, &r->inc, &r->exc) != 6 ||
	    hex_in6(g, &r->group) < 0 || hex_in6(so, &r->source) < 0)
		return -1;
	return 0;
}

int mcp_mcfilter6_rows(struct mcp_mcfilter6_row *rows, int max)
{
	return proc_rows("/proc/self/net/mcfilter6", 1, parse_mcfilter6, rows, sizeof(*rows), max);
}

/* /proc/net/dev_mcast: "idx dev refcount global_use address(hex)", no header */
static int parse_dev_mcast(const char *line, void *row)
{
	struct mcp_dev_mcast_row *r = row;

	return sscanf(line, "%d %31s %d %d %63s", &r->ifindex, r->dev, &r->users, &r->global, r->hex) == 5 ? 0 : -1;
}

int mcp_dev_mcast_rows(struct mcp_dev_mcast_row *rows, int max)
{
	return proc_rows("/proc/self/net/dev_mcast", 0, parse_dev_mcast, rows, sizeof(*rows), max);
}

/* ------------------------------------------------------------------ */
/* socket helpers */

struct in_addr mcp_in(const char *dotted)
{
	struct in_addr a = { 0 };

	if (inet_pton(AF_INET, dotted, &a) != 1)
		abort();	/* a typo in a probe, not an observation */
	return a;
}

static int mreqn_op(int fd, int opt, const char *group, int ifindex)
{
	struct ip_mreqn m = { .imr_multiaddr = mcp_in(group), .imr_ifindex = ifindex };

	return setsockopt(fd, IPPROTO_IP, opt, &m, sizeof(m));
}

static int mreq_op(int fd, int opt, const char *group, const char *ifaddr)
{
	struct ip_mreq m = { .imr_multiaddr = mcp_in(group), .imr_interface = mcp_in(ifaddr) };

	return setsockopt(fd, IPPROTO_IP, opt, &m, sizeof(m));
}

int mcp_join_ifindex(int fd, const char *g, int i) { return mreqn_op(fd, IP_ADD_MEMBERSHIP, g, i); }
int mcp_drop_ifindex(int fd, const char *g, int i) { return mreqn_op(fd, IP_DROP_MEMBERSHIP, g, i); }
int mcp_join_addr(int fd, const char *g, const char *a) { return mreq_op(fd, IP_ADD_MEMBERSHIP, g, a); }
int mcp_drop_addr(int fd, const char *g, const char *a) { return mreq_op(fd, IP_DROP_MEMBERSHIP, g, a); }

static int group_req_op(int fd, int opt, const char *group, int ifindex)
{
	struct group_req gr = { .gr_interface = (uint32_t)ifindex };
	struct sockaddr_in *sin = (struct sockaddr_in *)&gr.gr_group;

	sin->sin_family = AF_INET;
	sin->sin_addr = mcp_in(group);
	return setsockopt(fd, IPPROTO_IP, opt, &gr, sizeof(gr));
}

int mcp_mcast_join(int fd, const char *g, int i) { return group_req_op(fd, MCAST_JOIN_GROUP, g, i); }
int mcp_mcast_leave(int fd, const char *g, int i) { return group_req_op(fd, MCAST_LEAVE_GROUP, g, i); }

const char *mcp_nth_group(unsigned int n)
{
	static char buf[INET_ADDRSTRLEN];

	/* 239.128.0.0/9 is organisation-local scope: never one of the named groups */
	snprintf(buf, sizeof(buf), "239.%u.%u.%u", 128 + ((n >> 16) & 0x7f), (n >> 8) & 0xff,
		 (n & 0xff));
	return buf;
}

void *mcp_unreadable_page(void)
{
	void *p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		mcp_broken("mmap PROT_NONE");
	return p;
}

/* ------------------------------------------------------------------ */
/* main loop */

static void usage(const char *probe, const struct mcp_scenario *sc, size_t n)
{
	fprintf(stderr, "usage: %s [--list] [--only NAME[,NAME]] [--repeat N] [--pause-after CHECK_ID]\nscenarios:", probe);
	for (size_t i = 0; i < n; i++)
		fprintf(stderr, " %s", sc[i].name);
	fprintf(stderr, "\n");
}

static int selected(const char *only, const char *name)
{
	const char *p = only;
	size_t l = strlen(name);

	if (!only)
		return 1;
	while ((p = strstr(p, name))) {
		if ((p == only || p[-1] == ',') && (p[l] == 0 || p[l] == ','))
			return 1;
		p += l;
	}
	return 0;
}

/* Can this process make a network namespace at all? Checked in a child so the
 * probe itself never leaves the namespace it was started in. */
static int can_unshare(int *err)
{
	int st;
	pid_t p = fork();

	if (p < 0) {
		*err = errno;
		return 0;
	}
	if (!p)
		_exit(unshare(CLONE_NEWNET) < 0 ? errno : 0);
	if (waitpid(p, &st, 0) < 0 || !WIFEXITED(st)) {
		*err = EIO;
		return 0;
	}
	*err = WEXITSTATUS(st);
	return *err == 0;
}

static int run_one(const struct mcp_scenario *s)
{
	unsigned int bound = s->timeout_s ? s->timeout_s : 10;
	int st;
	pid_t p;
	char msg[160];

	cur_scenario = s->name;
	p = fork();
	if (p < 0) {
		emit_record("broken", "fork failed");
		return 1;
	}
	if (!p) {
		int fd;

		/* If the parent dies, the scenario must not outlive it. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() == 1)
			_exit(1);
		/* bound every scenario: a hang becomes a named broken record */
		alarm(bound);
		if (unshare(CLONE_NEWNET) < 0)
			mcp_broken("unshare(CLONE_NEWNET)");
		errno = 0;
		if (mcp_link_set_up("lo", 1) < 0)
			mcp_broken("lo up");
		fd = mcp_ns_self();
		if (fd < 0)
			mcp_broken("open own netns");
		close(fd);
		s->run();
		_exit(0);
	}
	if (waitpid(p, &st, 0) < 0) {
		emit_record("broken", "waitpid failed");
		return 1;
	}
	if (WIFEXITED(st) && (WEXITSTATUS(st) == 0 || WEXITSTATUS(st) == MCP_EXIT_SKIP))
		return 0;	/* a skipped scenario already said why */
	if (WIFSIGNALED(st))
		snprintf(msg, sizeof(msg), "scenario killed by signal %s%s", sigabbrev_np(WTERMSIG(st)) ?: "?",
			 WTERMSIG(st) == SIGALRM ? " (bound exceeded)" : "");
	else
		snprintf(msg, sizeof(msg), "scenario exited %d", WEXITSTATUS(st));
	if (!(WIFEXITED(st) && WEXITSTATUS(st) == 1))	/* 1: mcp_broken already said why */
		emit_record("broken", msg);
	return 1;
}

int mcp_main(int argc, char **argv, const char *probe,
	     const struct mcp_scenario *sc, size_t n)
{
	static const struct option opts[] = {
		{ "list", no_argument, NULL, 'l' },
		{ "only", required_argument, NULL, 'o' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "pause-after", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	const char *only = NULL;
	int c, err, bad = 0;
	long repeat = 1;

	cur_probe = probe;
	while ((c = getopt_long(argc, argv, "lo:r:p:h", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			for (size_t i = 0; i < n; i++)
				printf("%s\n", sc[i].name);
			return 0;
		case 'o':
			only = optarg;
			break;
		case 'r':
			repeat = strtol(optarg, NULL, 10);
			if (repeat < 1 || repeat > 100000)
				repeat = 1;
			break;
		case 'p':
			pause_after_id = optarg;
			break;
		default:
			usage(probe, sc, n);
			return c == 'h' ? 0 : 2;
		}
	}
	/* the probe is a child of a harness: never outlive it */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	setvbuf(stdout, NULL, _IONBF, 0);
	if (!can_unshare(&err)) {
		char msg[160];

		snprintf(msg, sizeof(msg), "cannot create a network namespace (unshare CLONE_NEWNET: %s); run as root with CAP_SYS_ADMIN",
			 mcp_errname(err));
		emit_strings((const char *const[]){ "probe", probe, "skip", msg, NULL });
		return 4;
	}
	for (long r = 0; r < repeat; r++)
		for (size_t i = 0; i < n; i++)
			if (selected(only, sc[i].name))
				bad |= run_one(&sc[i]);
	return bad ? 1 : 0;
}

/* One lane: this probe again, restricted to the lane's scenarios, its
 * stdout in out. Never returns. */
static void lane_child(int argc, char **argv, const char *probe, const struct mcp_scenario *sc,
		       size_t n, const char *lane, int out, pid_t parent)
{
	char **av = calloc((size_t)argc + 3, sizeof(*av));

	/* a lane never outlives the probe, even if it died before this line */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (!av || getppid() != parent)
		_exit(1);
	for (int i = 0; i < argc; i++)
		av[i] = argv[i];
	av[argc] = "--only";
	av[argc + 1] = (char *)lane;
	if (dup2(out, STDOUT_FILENO) < 0)
		_exit(3);
	_exit(mcp_main(argc + 2, av, probe, sc, n));
}

/* Waits for lane l and copies its records out; 4 when it skipped, 0 ok, 1 not. */
static int lane_collect(pid_t pid, int out)
{
	char buf[65536];
	int st, rc;
	ssize_t n;

	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
		rc = 1;
	else
		rc = WEXITSTATUS(st) == MCP_EXIT_SKIP ? MCP_EXIT_SKIP : !!WEXITSTATUS(st);
	lseek(out, 0, SEEK_SET);
	while ((n = read(out, buf, sizeof(buf))) > 0)
		if (write(STDOUT_FILENO, buf, (size_t)n) != n)
			rc = 1;
	close(out);
	return rc;
}

int mcp_main_lanes(int argc, char **argv, const char *probe, const struct mcp_scenario *sc, size_t n,
		   const char *const *lanes, size_t nlanes)
{
	pid_t self = getpid(), *pid = calloc(nlanes, sizeof(*pid));
	int *out = calloc(nlanes, sizeof(*out)), rc = 0;
	size_t skipped = 0;

	/* options that select or list scenarios: one plain sequential run */
	for (int i = 1; i < argc; i++)
		if (!strncmp(argv[i], "--only", 6) || !strcmp(argv[i], "--list") || !strcmp(argv[i], "-l") ||
		    !strncmp(argv[i], "-o", 2) || !strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return mcp_main(argc, argv, probe, sc, n);
	if (!pid || !out)
		return 1;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	for (size_t l = 0; l < nlanes; l++) {
		out[l] = memfd_create("mcp-lane", MFD_CLOEXEC);
		if (out[l] < 0)
			return 1;
		pid[l] = fork();
		if (pid[l] < 0)
			return 1;
		if (!pid[l])
			lane_child(argc, argv, probe, sc, n, lanes[l], out[l], self);
	}
	/* records come out in lane order: they never interleave, and the
	 * output does not depend on which lane finished first */
	for (size_t l = 0; l < nlanes; l++) {
		int r = lane_collect(pid[l], out[l]);

		if (r == MCP_EXIT_SKIP)
			skipped++;
		else if (r)
			rc = 1;
	}
	free(pid);
	free(out);
	return skipped == nlanes ? MCP_EXIT_SKIP : rc;
}
