/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mcp.h - the small C library every mcprobe probe is built on.
 *
 * A probe observes; it never judges. It runs each scenario in a forked
 * child that first moves into a private network namespace (unshare), so a
 * scenario can never touch the namespace the probe was started in, and the
 * namespace disappears with the child even when it is SIGKILLed: nothing is
 * named, mounted or left behind.
 *
 * Observations are JSON Lines on stdout, one object per check id:
 *   {"id":"ipv4.membership.limit.default","probe":"membership","facts":{"value":20}}
 * and, when a whole probe cannot run:
 *   {"probe":"membership","skip":"reason"}
 *
 * Helpers return -1 and set errno on failure, like system calls.
 */
#ifndef MCP_H
#define MCP_H

#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define MCP_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---------- scenarios and the probe main loop ---------- */

struct mcp_scenario {
	const char *name;	/* e.g. "limit", shown in broken-scenario records */
	void (*run)(void);	/* runs in a fresh child inside a fresh netns */
	unsigned int timeout_s;	/* 0: default bound (10 s) */
};

/*
 * Runs every scenario (or those named by --only) sequentially, each in a
 * fresh child process inside a fresh network namespace with lo up.
 * Options: --list, --only NAME[,NAME], --pause-after CHECK_ID (test hook: the
 * scenario stops for up to 60 s after emitting that check, so a test can
 * SIGKILL a run half way), --repeat N.
 * Exit: 0 ran, 4 whole probe skipped (no privilege / no netns), 1 a scenario broke.
 */
int mcp_main(int argc, char **argv, const char *probe,
	     const struct mcp_scenario *sc, size_t n);

#define MCP_EXIT_SKIP 4	/* kselftest's KSFT_SKIP */

/*
 * mcp_main, with the scenarios in lanes that run side by side: each lane
 * (a comma-separated list of scenario names, run in sequence) is a child
 * running this probe with --only LANE, its records kept in a memfd and
 * written out in lane order. For areas that mostly sleep on kernel timers.
 * Options that select or list scenarios give one plain sequential run.
 */
int mcp_main_lanes(int argc, char **argv, const char *probe, const struct mcp_scenario *sc, size_t n,
		   const char *const *lanes, size_t nlanes);

/* Record that the running scenario could not do its work (setup failed).
 * When errno says a kernel feature is missing (EOPNOTSUPP, EPROTONOSUPPORT,
 * EAFNOSUPPORT), the record is a skip with the reason instead. */
void mcp_broken(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/*
 * A setup step that must succeed: evaluates call, and when it returns < 0
 * breaks the scenario with "file:line: call: ERRNO" (LTP's SAFE_* idea), so
 * a failed setup reads as broken, never as a kernel difference. Otherwise
 * yields the call's result.
 */
#define MCP_SAFE(call)                                                          \
	({                                                                      \
		errno = 0;                                                      \
		__typeof__(call) __safe = (call);                               \
		if (__safe < 0)                                                 \
			mcp_broken("%s:%d: %s", __FILE__, __LINE__, #call);     \
		__safe;                                                         \
	})

/* ---------- namespaces ---------- */

/* The fd of the namespace the calling thread is in now (O_CLOEXEC). */
int mcp_ns_self(void);
/* Make a new netns, bring its lo up, return its fd; the caller stays where it was. */
int mcp_ns_new(void);
int mcp_ns_enter(int nsfd);
/*
 * Runs fn(arg) inside namespace nsfd (-1: right here) and comes back: the
 * one way a probe visits another namespace. Returns fn's result with the
 * errno fn left; -1 with errno if nsfd cannot be entered. A failure to come
 * back ends the process (exit 3): nothing may go on in the wrong namespace.
 */
int mcp_in_ns(int nsfd, int (*fn)(void *), void *arg);

/* ---------- rtnetlink (the current netns) ---------- */

struct nlmsghdr;
/* Send one rtnetlink request (NLM_F_REQUEST|NLM_F_ACK are added) and wait,
 * bounded, for its ack: -1 with the kernel's errno, for link kinds of one's own. */
int mcp_nl_talk(struct nlmsghdr *h);
/* Attribute builders for a request of one's own: h must sit in a buffer with
 * room for the attribute (the callers use 1-2 KiB buffers). */
struct rtattr;
struct rtattr *mcp_nla_put(struct nlmsghdr *h, int type, const void *data, size_t len);
struct rtattr *mcp_nla_nest(struct nlmsghdr *h, int type);
void mcp_nla_nest_end(struct nlmsghdr *h, struct rtattr *nest);
int mcp_ifindex(const char *ifname);	/* -1/ENODEV if absent */
int mcp_link_set_up(const char *ifname, int up);
/* ifname's hardware address (IFLA_ADDRESS); the link should be down. */
int mcp_link_set_mac(const char *ifname, const unsigned char mac[6]);
/*
 * Waits (bounded) until ifname here can really transmit: a fresh veth end
 * silently drops its first frames until linkwatch activates its queue,
 * 4-28 ms after the pair comes up. -1/ETIMEDOUT past deadline_ms.
 */
int mcp_link_wait_up(const char *ifname, int deadline_ms);
/* veth pair; the peer end is moved into peer_nsfd (-1: stays here). */
int mcp_veth_add(const char *name, const char *peer, int peer_nsfd);
/* A macvlan device on lower, created in namespace nsfd (-1: here). */
int mcp_macvlan_add(const char *name, const char *lower, int nsfd);
int mcp_link_del(const char *ifname);
/* "10.0.0.1/24", or "2001:db8::5/64" (added IFA_F_NODAD) */
int mcp_addr_add(const char *ifname, const char *cidr);
int mcp_addr_del(const char *ifname, const char *cidr);
/* dst "224.0.0.0/4" or "default"; gw may be NULL. */
int mcp_route_add(const char *dst, const char *ifname, const char *gw);
int mcp_route_del(const char *dst, const char *ifname, const char *gw);

/*
 * A veth pair from here to the namespace peer_nsfd: local end "local" with
 * local_cidr, peer end "peer" with peer_cidr (NULL: no address), both up.
 * The caller stays in its own namespace.
 */
int mcp_link_pair(const char *local, const char *local_cidr, int peer_nsfd,
		  const char *peer, const char *peer_cidr);

/* ---------- sysctls of the current netns ---------- */

/* name uses dots or slashes: "net.ipv4.igmp_max_memberships" */
int mcp_sysctl_set(const char *name, const char *value);
int mcp_sysctl_set_int(const char *name, long value);
int mcp_sysctl_get_int(const char *name, long *out);
/* Sets, then reads back: -1/EINVAL if the kernel kept another value. */
int mcp_sysctl_pin(const char *name, long value);
/* mcp_sysctl_pin, breaking the scenario if the kernel did not take it. */
void mcp_pin(const char *name, long value);
/* mcp_pin of net.<ipv>.conf.<dev>.<key>: ipv "ipv4" or "ipv6", dev "all", "default", "v0"... */
void mcp_pin_conf(const char *ipv, const char *dev, const char *key, long value);

/* ---------- /proc/net/igmp of the current netns ---------- */

struct mcp_igmp_row {
	char dev[32];
	int ifindex;
	struct in_addr group;
	int users;
};
/* Fills up to max rows; returns the number of rows (may exceed max). */
int mcp_igmp_rows(struct mcp_igmp_row *rows, int max);
/* Users of group on dev, 0 if absent. */
int mcp_igmp_users(const char *dev, const char *group);
/* The Querier column ("V1", "V2", "V3") of device ifindex into out; -1/ENOENT
 * if the device has no line (out is then "absent"). */
int mcp_igmp_querier(int ifindex, char *out, size_t len);

/* ---------- the other /proc/net multicast tables of the current netns ---------- */
/* Each reader fills up to max rows and returns how many there are (may exceed
 * max), -1 with errno if the file cannot be read. Addresses are in network order. */

struct mcp_igmp6_row {		/* /proc/net/igmp6 */
	char dev[32];
	int ifindex;
	struct in6_addr group;
	int users;
	unsigned int flags;
};
int mcp_igmp6_rows(struct mcp_igmp6_row *rows, int max);
/* Users of group (textual IPv6) on dev, 0 if absent, -1 if unreadable. */
int mcp_igmp6_users(const char *dev, const char *group);

struct mcp_mcfilter_row {	/* /proc/net/mcfilter */
	char dev[32];
	int ifindex;
	struct in_addr group, source;
	unsigned long inc, exc;
};
int mcp_mcfilter_rows(struct mcp_mcfilter_row *rows, int max);

struct mcp_mcfilter6_row {	/* /proc/net/mcfilter6 */
	char dev[32];
	int ifindex;
	struct in6_addr group, source;
	unsigned long inc, exc;
};
int mcp_mcfilter6_rows(struct mcp_mcfilter6_row *rows, int max);

struct mcp_dev_mcast_row {	/* /proc/net/dev_mcast: link-layer filter entries */
	char dev[32];
	int ifindex;
	int users;		/* refcount column */
	int global;		/* global_use column */
	char hex[64];		/* the address as printed, lower-case hex */
};
int mcp_dev_mcast_rows(struct mcp_dev_mcast_row *rows, int max);

/* ---------- socket helpers ---------- */

struct in_addr mcp_in(const char *dotted);
/* IP_ADD/DROP_MEMBERSHIP with ip_mreqn (ifindex) or ip_mreq (address). */
int mcp_join_ifindex(int fd, const char *group, int ifindex);
int mcp_join_addr(int fd, const char *group, const char *ifaddr);
int mcp_drop_ifindex(int fd, const char *group, int ifindex);
int mcp_drop_addr(int fd, const char *group, const char *ifaddr);
/* MCAST_JOIN_GROUP / MCAST_LEAVE_GROUP */
int mcp_mcast_join(int fd, const char *group, int ifindex);
int mcp_mcast_leave(int fd, const char *group, int ifindex);
/* The n-th group of a block used for "many groups": 239.<n>.<n>.<n> style, distinct for n < 2^16. */
const char *mcp_nth_group(unsigned int n);
/* A page whose contents cannot be read (PROT_NONE), for EFAULT rows. */
void *mcp_unreadable_page(void);

/* ---------- observations (JSON Lines on stdout) ---------- */

/* errno name ("ENOBUFS"), or "0" for 0 */
const char *mcp_errname(int err);

/*
 * Starts the record of one check. Every record says where it was recorded:
 * "at":"probes/x.c:N", the file:line of the obs_begin (or obs_skip) call,
 * which the harness shows in a failure ("recorded at").
 */
void obs_begin_at(const char *file, int line, const char *id_fmt, ...)
	__attribute__((format(printf, 3, 4)));
#define obs_begin(...) obs_begin_at(__FILE__, __LINE__, __VA_ARGS__)
void obs_int(const char *key, long long v);
void obs_bool(const char *key, int v);
void obs_str(const char *key, const char *v);
void obs_null(const char *key);
/* the sysctl's value, or null where this namespace has no such sysctl */
void obs_sysctl_int(const char *key, const char *name);
/* "ret": rc and "errno": name (null when rc >= 0). Pass errno captured right after the call. */
void obs_call(const char *prefix, int rc, int err);
/* Arrays/objects: key NULL inside arrays. */
void obs_arr_begin(const char *key);
void obs_arr_end(void);
void obs_obj_begin(const char *key);
void obs_obj_end(void);
/* The /proc/net/igmp rows of this netns except the automatic 224.0.0.1 ones, as
 * strings "dev group users=N", sorted. */
void obs_igmp(const char *key);
void obs_end(void);
/* This one check cannot be observed here (a kernel feature is missing): SKIP with the reason. */
void obs_skip_at(const char *file, int line, const char *id, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
#define obs_skip(id, ...) obs_skip_at(__FILE__, __LINE__, id, __VA_ARGS__)

/*
 * Shorthand for the common "one call, one check": performs nothing itself,
 * records rc/errno under "ret"/"errno".
 */
#define OBS_CALL(id, rc_expr)                                 \
	do {                                                  \
		int __rc, __err;                              \
		errno = 0;                                    \
		__rc = (rc_expr);                             \
		__err = errno;                                \
		obs_begin("%s", id);                          \
		obs_call(NULL, __rc, __err);                  \
		obs_end();                                    \
	} while (0)

/* Capture rc and errno of an expression without losing errno to later calls. */
struct mcp_res {
	int rc;
	int err;
};
#define MCP_TRY(expr) \
	({ errno = 0; int __r = (expr); (struct mcp_res){ __r, __r < 0 ? errno : 0 }; })
void obs_res(const char *prefix, struct mcp_res r);

#endif
