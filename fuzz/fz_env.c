// SPDX-License-Identifier: GPL-2.0
/*
 * fz_env.c - the private namespaces every fuzz target runs in, and the
 * oracle's windows on the kernel: /proc/net/{igmp,mcfilter,igmp6,mcfilter6}
 * of that namespace and /dev/kmsg.
 *
 * fz_env_init() runs once per process (LLVMFuzzerInitialize, or main() of the
 * standalone replayer) before any input: it unshare()s a new netns and builds
 *   lo (127.0.0.1/8)  f0 (10.99.0.1/24, route 224.0.0.0/4) <-veth-> p0 (10.99.0.2/24, peer netns)
 * If unshare fails the process exits with a message: it never fuzzes the
 * namespace it was started in. Neither namespace has a name, so both vanish
 * with the process (including libFuzzer -fork/-jobs children, each of which
 * runs its own LLVMFuzzerInitialize).
 */
#include "fz.h"
#include "mcp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

struct fz_env fz = { .igmp_fd = -1, .mcf_fd = -1, .igmp6_fd = -1, .mcf6_fd = -1,
		     .kmsg_fd = -1, .pkt_fd = -1, .peer_ns = -1,
		     .record_fd = -1 };

void fz_die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "mcprobe-fuzz: setup failed: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (errno %s)\n", mcp_errname(errno));
	_exit(2);
}

static int get_mac(int fd, const char *ifname, unsigned char mac[6])
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		return -1;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

int fz_sysctl_write(const char *path, long v)
{
	return mcp_sysctl_set_int(path, v);
}

static void pin(const char *name, long v)
{
	long got = -12345;

	if (mcp_sysctl_set_int(name, v) < 0 || mcp_sysctl_get_int(name, &got) < 0 || got != v)
		fz_die("pin %s=%ld (read %ld)", name, v, got);
}

/*
 * The limits the model reads instead of assuming (kernel-spec.md, sysctl
 * table): net.core.optmem_max is per netns since ~6.8 (131072 on 6.12/6.18)
 * and global, visible only in init_net, before (20480 on 6.1);
 * net.ipv6.mld_max_msf is global and visible only in init_net. Both are read
 * in the namespace the process was started in, before unshare (a read
 * changes nothing there), and optmem_max again in our own namespace, where
 * the kernel takes it from on a newer kernel. Unreadable (a container's netns
 * on 6.1): optmem_max 0, the model makes no claim above 20480 (fz_model.c);
 * mld_max_msf the kernel's default, 64 on every kernel since 2.6.
 */
static void read_limits(int own_ns)
{
	long v;

	if (mcp_sysctl_get_int("net.core.optmem_max", &v) == 0 && v > 0)
		fz.optmem_max = v;
	if (own_ns)
		return;
	if (mcp_sysctl_get_int("net.ipv6.mld_max_msf", &v) == 0)
		fz.mld_max_msf = v;
	else
		fz.mld_max_msf = 64;
}

/* the packet socket lives in the peer netns: frames leave p0 and arrive on f0 */
static void open_pkt(void)
{
	int here = mcp_ns_self();
	struct sockaddr_ll ll;

	if (fz.pkt_fd >= 0)
		close(fz.pkt_fd);
	if (here < 0 || mcp_ns_enter(fz.peer_ns) < 0)
		fz_die("enter peer netns");
	fz.pkt_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);	/* proto 0: sends only */
	fz.p0_index = mcp_ifindex("p0");
	if (fz.pkt_fd < 0 || fz.p0_index < 0 || get_mac(fz.pkt_fd, "p0", fz.p0_mac) < 0)
		fz_die("packet socket on p0");
	memset(&ll, 0, sizeof(ll));
	ll.sll_family = AF_PACKET;
	ll.sll_ifindex = fz.p0_index;
	if (bind(fz.pkt_fd, (struct sockaddr *)&ll, sizeof(ll)) < 0)
		fz_die("bind packet socket");
	if (mcp_ns_enter(here) < 0)
		_exit(3);	/* never go on in the wrong namespace */
	close(here);
}

static void wait_v6_ready(void);

/* (re)build f0/p0 with everything pinned; used at start and after a delete */
static void make_f0(void)
{
	int s;

	/* new devices copy conf/default: pin it before the link exists */
	pin("net.ipv4.conf.default.force_igmp_version", 0);
	pin("net.ipv4.conf.default.rp_filter", 0);
	pin("net.ipv6.conf.default.accept_dad", 0);
	if (mcp_link_pair("f0", "10.99.0.1/24", fz.peer_ns, "p0", "10.99.0.2/24") < 0)
		fz_die("veth f0/p0");
	pin("net.ipv4.conf.f0.force_igmp_version", 0);
	if (mcp_route_add("224.0.0.0/4", "f0", NULL) < 0)
		fz_die("route 224.0.0.0/4 dev f0");
	fz.f0_index = mcp_ifindex("f0");
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fz.f0_index < 0 || s < 0 || get_mac(s, "f0", fz.f0_mac) < 0)
		fz_die("f0 index/mac");
	close(s);
	wait_v6_ready();
	fz.f0_up = 1;
	fz.f0_mroute = 1;
	fz.f0_v6route = 1;
	fz.ever_v1 = fz.ever_v2 = fz.ever_v1_next = fz.ever_v2_next = 0;	/* a new in_device */
	fz.mld_v1_ever = fz.mcf6_f0_stale = 0;	/* and a new inet6_dev */
	fz.mld_query_ns = 0;
	open_pkt();
}

/*
 * IPv6 configures f0 (ff00::/8 route) when the link is operationally up, which
 * linkwatch reports from a workqueue shortly after "up": wait for it (bounded)
 * so the model's "f0 up => IPv6 groups route via f0" holds from the next call.
 * The probe: connect() to a multicast group fails with ENETUNREACH until then.
 */
static void wait_v6_ready(void)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons(9) };
	int s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	a.sin6_addr.s6_addr[0] = 0xff;
	a.sin6_addr.s6_addr[1] = 0x05;
	a.sin6_addr.s6_addr[15] = 3;
	if (s < 0)
		fz_die("socket for the IPv6 readiness probe");
	for (int i = 0; i < 20000; i++) {	/* 20000 x 100 us = 2 s at most */
		if (connect(s, (struct sockaddr *)&a, sizeof(a)) == 0) {
			close(s);
			return;
		}
		usleep(100);
	}
	fz_die("f0 has no IPv6 multicast route 2 s after link up");
}

static int open_proc(const char *name)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/self/net/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fz_die("open %s", path);
	return fd;
}

/*
 * One pread from offset 0: seq_file restarts at the first record and fills the
 * buffer until EOF, so a short read is the whole file.
 */
ssize_t fz_proc_read(int fd, char *buf, size_t len)
{
	ssize_t n = pread(fd, buf, len - 1, 0);
	size_t off;

	if (n < 0)
		return -1;
	off = (size_t)n;
	while (off + 1 < len) {	/* only when the file filled the buffer */
		if (n == 0 || off + 1 < len - 4096)
			break;
		n = pread(fd, buf + off, len - 1 - off, (off_t)off);
		if (n < 0)
			return -1;
		off += (size_t)n;
	}
	buf[off] = 0;
	return (ssize_t)off;
}

static int count_v6_allnodes(int ifindex)
{
	static char buf[65536];
	char *l;
	int users = 0;

	if (fz_proc_read(fz.igmp6_fd, buf, sizeof(buf)) < 0)
		return -1;
	for (l = strtok(buf, "\n"); l; l = strtok(NULL, "\n")) {
		int idx, u;
		char dev[32], grp[40];

		if (sscanf(l, "%d %31s %39s %d", &idx, dev, grp, &u) == 4 && idx == ifindex &&
		    !strcmp(grp, "ff020000000000000000000000000001"))
			users = u;
	}
	return users;
}

void fz_env_init(void)
{
	const char *w;

	if (fz.ready)
		return;
	read_limits(0);
	if (unshare(CLONE_NEWNET) < 0)
		fz_die("unshare(CLONE_NEWNET): the fuzzers run only in a private network namespace "
		       "(needs CAP_SYS_ADMIN; refusing to run in the current one)");
	if (mcp_link_set_up("lo", 1) < 0)
		fz_die("lo up");
	fz.lo_index = mcp_ifindex("lo");
	read_limits(1);
	/* new netns inherit conf/all and conf/default from the host: pin what the model relies on */
	pin("net.ipv4.conf.all.force_igmp_version", 0);
	pin("net.ipv4.conf.all.rp_filter", 0);
	pin("net.ipv6.conf.all.disable_ipv6", 0);
	pin("net.ipv4.igmp_max_memberships", 20);
	pin("net.ipv4.igmp_max_msf", 10);
	fz.max_memberships = fz.base_max_memberships = 20;
	fz.max_msf = fz.base_max_msf = 10;
	fz.peer_ns = mcp_ns_new();
	if (fz.peer_ns < 0)
		fz_die("peer netns");
	make_f0();
	fz.igmp_fd = open_proc("igmp");
	fz.mcf_fd = open_proc("mcfilter");
	fz.igmp6_fd = open_proc("igmp6");
	fz.mcf6_fd = open_proc("mcfilter6");
	fz.v6_allnodes_lo = count_v6_allnodes(fz.lo_index);
	fz.v6_allnodes_f0 = count_v6_allnodes(fz.f0_index);
	/* /dev/kmsg is global and read-only here: start at its end, read what is new after each input */
	fz.kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fz.kmsg_fd >= 0)
		lseek(fz.kmsg_fd, 0, SEEK_END);
	else
		fprintf(stderr, "mcprobe-fuzz: /dev/kmsg unreadable (%s): kernel warnings not watched\n",
			mcp_errname(errno));
	w = getenv("MCP_FUZZ_WRONG_RULE");
	if (w && *w) {
		fz.wrong_rule = w;
		fprintf(stderr, "mcprobe-fuzz: MCP_FUZZ_WRONG_RULE=%s: the model is deliberately wrong\n", w);
	}
	fz.verbose = getenv("MCP_FUZZ_VERBOSE") != NULL;
	/*
	 * A link change costs 20-40 ms (the veth is rebuilt: RCU grace periods), so
	 * campaigns on the option logic may skip link steps.
	 */
	fz.no_link = getenv("MCP_FUZZ_NO_LINK") != NULL;
	w = getenv("MCP_FUZZ_RECORD");	/* the benchmark replays exactly what the fuzzer ran */
	if (w && *w)
		fz.record_fd = open(w, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	fz_cov_init();
	fz.ready = 1;
}

int fz_link_op(int action)
{
	int rc;

	if (!fz.f0_index) {
		errno = ENODEV;
		return -1;
	}
	fz.link_dirty = 1;
	if (action == 2) {
		rc = mcp_link_del("f0");
		if (rc == 0) {
			fz.f0_index = 0;
			fz.f0_up = 0;
			fz.f0_mroute = 0;
			fz.f0_v6route = 0;
		}
		return rc;
	}
	if (action == 0)
		fz.f0_went_down = 1;
	rc = mcp_link_set_up("f0", action == 1);
	if (rc == 0 && action == 1 && !fz.f0_up)
		wait_v6_ready();
	if (rc == 0) {
		/* down flushes the routes through f0; up brings back only the connected ones */
		if (!action)
			fz.f0_mroute = 0;
		fz.f0_up = action == 1;
		fz.f0_v6route = fz.f0_up;
	}
	return rc;
}

void fz_env_restore(void)
{
	if (fz.f0_leaked) {	/* a leaked device membership: start the next input on a clean f0 */
		fz.link_dirty = 1;
		fz.f0_went_down = 1;
		fz.f0_leaked = 0;
	}
	fz.ever_v1 |= fz.ever_v1_next;
	fz.ever_v2 |= fz.ever_v2_next;
	if (fz.sysctl_dirty) {
		if (fz.max_memberships != fz.base_max_memberships)
			pin("net.ipv4.igmp_max_memberships", fz.base_max_memberships);
		if (fz.max_msf != fz.base_max_msf)
			pin("net.ipv4.igmp_max_msf", fz.base_max_msf);
		pin("net.ipv4.conf.all.force_igmp_version", 0);
		if (fz.f0_index)
			pin("net.ipv4.conf.f0.force_igmp_version", 0);
		fz.max_memberships = fz.base_max_memberships;
		fz.max_msf = fz.base_max_msf;
		fz.sysctl_dirty = 0;
	}
	if (fz.link_dirty) {
		/*
		 * A link down leaves IGMPv3 tomb records (igmpv3_add_delrec) that outlive
		 * the input: a source whose socket left while f0 was down stays in them
		 * and the next INCLUDE join of that group takes it back (kernel finding
		 * 3, fuzz/findings/link_down_include_sources.c; how long they last
		 * depends on report timers). f0 is rebuilt, so every input starts from a
		 * fresh in_device.
		 */
		if (fz.f0_index && fz.f0_went_down) {
			if (mcp_link_del("f0") < 0)
				fz_die("delete f0");
			fz.f0_index = 0;
		}
		fz.f0_went_down = 0;
		if (!fz.f0_index) {
			make_f0();
		} else {
			if (mcp_link_set_up("f0", 1) < 0)
				fz_die("f0 up");
			if (!fz.f0_up)
				wait_v6_ready();
			fz.f0_up = 1;
			fz.f0_v6route = 1;
			if (mcp_route_add("224.0.0.0/4", "f0", NULL) < 0 && errno != EEXIST)
				fz_die("route 224.0.0.0/4 dev f0");
			fz.f0_mroute = 1;
		}
		fz.link_dirty = 0;
	}
}

int fz_kmsg_new_warning(char *msg, size_t len)
{
	static const char *const pat[] = { "WARNING:", "BUG:", "RIP:", "Call Trace:" };
	char rec[2048];
	int found = 0;

	if (fz.kmsg_fd < 0)
		return 0;
	for (int i = 0; i < 10000; i++) {	/* bounded: records arrive far slower than we read */
		ssize_t n = read(fz.kmsg_fd, rec, sizeof(rec) - 1);

		if (n < 0) {
			if (errno == EPIPE)	/* overwritten while we were away: continue with the next */
				continue;
			break;		/* EAGAIN: nothing new */
		}
		rec[n] = 0;
		for (size_t p = 0; p < MCP_ARRAY_SIZE(pat) && !found; p++) {
			if (strstr(rec, pat[p])) {
				char *body = strchr(rec, ';');

				snprintf(msg, len, "%s", body ? body + 1 : rec);
				found = 1;
			}
		}
	}
	return found;
}

int fz_inject(const void *frame, size_t len)
{
	struct sockaddr_ll ll;

	memset(&ll, 0, sizeof(ll));
	ll.sll_family = AF_PACKET;
	ll.sll_ifindex = fz.p0_index;
	ll.sll_halen = 6;
	memcpy(ll.sll_addr, frame, 6);
	return (int)sendto(fz.pkt_fd, frame, len, 0, (struct sockaddr *)&ll, sizeof(ll));
}
