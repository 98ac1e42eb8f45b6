// SPDX-License-Identifier: GPL-2.0
/*
 * ipc - is loopback multicast a good IPC? A benchmark, not a test.
 *
 * Four ways to deliver every message from one publisher to N local
 * receivers (threads of this process), the designs the tutorials show:
 *   routed  the baseline: a select()-based AF_UNIX SOCK_STREAM relay that
 *           routes by client id. Each client connects and sends a hello with
 *           its id; every message is framed {destination id, length} +
 *           payload; the relay forwards each frame to the client with that
 *           id; the publisher sends one frame per receiver id
 *   mcast   one UDP sendto() to a group on lo; receivers share the port
 *           (SO_REUSEADDR) and are joined on lo
 *   relay   a select()-based AF_UNIX SOCK_SEQPACKET server: the publisher
 *           writes each message to it, it writes it to each connected client
 *   direct  the publisher sendto()s each message to each receiver's
 *           AF_UNIX SOCK_DGRAM socket
 * For N = 1, 4, 16 and payloads of 64 and 1400 bytes:
 *   latency     one message in flight at a time (the next is sent when all N
 *               have it): p50/p99 of send -> receive over all deliveries
 *   throughput  the publisher sends as fast as it can for a fixed window;
 *               delivered messages/s over all receivers (until the last one
 *               was read) and the share lost (multicast has no flow control:
 *               a full receive buffer drops; AF_UNIX blocks the sender)
 * Everything runs in a private network namespace with only lo (the host's
 * namespace sees no traffic), bounded in time: each configuration takes a
 * fixed window (40 ms by default), each configuration runs 3 times (medians;
 * latency samples pooled), the whole run a few seconds.
 *
 * Usage: ipc [--out FILE.md] [--window-ms N]
 */
#include "mcp.h"

#include <arpa/inet.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

enum design { ROUTED, MCAST, RELAY, DIRECT };
static const char *const dname[] = { "baseline: select() AF_UNIX stream relay, routed by id", "multicast on lo",
				     "select() AF_UNIX seqpacket fan-out", "direct AF_UNIX dgram" };

#define GROUP "239.99.0.1"
#define PORT 7700
#define MAXN 16
#define LAT_MAX 400		/* latency samples per configuration (messages) */
#define IDLE_MS 20		/* a receiver that has been idle this long after the end stops */

struct msg {
	uint64_t sent_ns;
	uint32_t seq;
	uint32_t phase;		/* 1 latency, 2 throughput */
};

/* the frame header of the routed relay, on every hop */
struct frame_hdr {
	uint32_t dst;		/* receiver id */
	uint32_t len;		/* payload bytes that follow */
};

#define ID_BASE 100		/* receiver i has id ID_BASE + i: not its accept() order */

struct rcv {
	int fd;
	int stream;		/* routed relay: read frames, not datagrams */
	uint32_t id;		/* routed relay: the id it said hello with */
	pthread_t th;
	uint64_t lat[LAT_MAX];
	int nlat;
	long count;		/* throughput-phase messages */
	uint64_t last_ns;
};

static struct rcv rcvs[MAXN];
static int nrecv;
static atomic_int acks;
static atomic_uint cur_seq;
static atomic_int stop;
static int ack_efd;
static int window_ms = 40;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void die(const char *what)
{
	perror(what);
	exit(2);
}

/* exactly len bytes from a stream: len, 0 at end of stream, -1 on error */
static ssize_t read_full(int fd, void *p, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = recv(fd, (char *)p + got, len - got, 0);

		if (n <= 0)
			return n;
		got += (size_t)n;
	}
	return (ssize_t)len;
}

static int write_full(int fd, const void *p, size_t len)
{
	size_t put = 0;

	while (put < len) {
		ssize_t n = send(fd, (const char *)p + put, len - put, MSG_NOSIGNAL);

		if (n < 0)
			return -1;
		put += (size_t)n;
	}
	return 0;
}

/* one frame's payload into buf: its length, 0 at end of stream; a frame
 * routed to another id ends the benchmark (the relay is wrong) */
static ssize_t read_frame(int fd, uint32_t id, char *buf, size_t cap)
{
	struct frame_hdr h;
	ssize_t n = read_full(fd, &h, sizeof(h));

	if (n <= 0)
		return n;
	if (h.dst != id)
		die("routed relay: frame for another id");
	if (h.len > cap)
		die("frame too long");
	n = read_full(fd, buf, h.len);
	return n < (ssize_t)h.len ? 0 : n;
}

static void *rcv_main(void *arg)
{
	struct rcv *r = arg;
	char buf[2048];

	for (;;) {
		struct pollfd p = { .fd = r->fd, .events = POLLIN };
		int pr = poll(&p, 1, IDLE_MS);
		ssize_t n;
		struct msg m;

		if (pr == 0) {
			if (atomic_load(&stop))
				break;
			continue;
		}
		n = r->stream ? read_frame(r->fd, r->id, buf, sizeof(buf)) : recv(r->fd, buf, sizeof(buf), 0);
		if (n == 0)
			break;		/* relay closed the connection */
		if (n < (ssize_t)sizeof(m))
			continue;
		memcpy(&m, buf, sizeof(m));
		if (m.phase == 1) {
			if (m.seq == atomic_load(&cur_seq) && r->nlat < LAT_MAX) {
				r->lat[r->nlat++] = now_ns() - m.sent_ns;
				if (atomic_fetch_add(&acks, 1) + 1 == nrecv) {
					uint64_t one = 1;

					if (write(ack_efd, &one, sizeof(one)) < 0)
						die("eventfd");
				}
			}
		} else {
			r->count++;
			r->last_ns = now_ns();
		}
	}
	return NULL;
}

/* ---- the relay server: select() on the listener and the publisher ---- */

struct relay {
	int lfd, pub, clients[MAXN], n;
	pthread_t th;
};

static void *relay_main(void *arg)
{
	struct relay *rl = arg;
	char buf[2048];

	for (;;) {
		fd_set rd;
		struct timeval tv = { 1, 0 };
		int mx = rl->pub > rl->lfd ? rl->pub : rl->lfd;
		ssize_t n;

		FD_ZERO(&rd);
		FD_SET(rl->pub, &rd);
		FD_SET(rl->lfd, &rd);
		if (select(mx + 1, &rd, NULL, NULL, &tv) < 0)
			die("select");
		if (!FD_ISSET(rl->pub, &rd))
			continue;	/* no late joiners in this benchmark */
		n = recv(rl->pub, buf, sizeof(buf), 0);
		if (n <= 0)
			break;
		for (int i = 0; i < rl->n; i++)
			if (send(rl->clients[i], buf, (size_t)n, MSG_NOSIGNAL) < 0)
				die("relay send");
	}
	for (int i = 0; i < rl->n; i++)
		close(rl->clients[i]);
	return NULL;
}

/* ---- the routed relay (baseline): select() over every connection ---- */

struct routed {
	int lfd, pub;			/* listener; the publisher's connection once it said hello 0 */
	int conn[MAXN + 1], nconn;	/* accepted, hello not read yet (-1: done) */
	int by_id[MAXN];		/* client fd of id ID_BASE + i */
	int registered, want;
	int reg_efd;			/* written once all want clients and the publisher said hello */
	pthread_t th;
	char in[1 << 16];		/* the publisher's stream, parsed into frames */
	size_t have;
};

/* A hello is the client's id (uint32); 0 is the publisher. */
static void routed_hello(struct routed *rt, int k)
{
	uint32_t id;

	if (read_full(rt->conn[k], &id, sizeof(id)) != sizeof(id))
		die("routed hello");
	if (id == 0)
		rt->pub = rt->conn[k];
	else if (id >= ID_BASE && id < ID_BASE + MAXN)
		rt->by_id[id - ID_BASE] = rt->conn[k];
	else
		die("routed hello id");
	rt->conn[k] = -1;
	if (++rt->registered == rt->want + 1) {
		uint64_t one = 1;

		if (write(rt->reg_efd, &one, sizeof(one)) < 0)
			die("eventfd");
	}
}

/* Forward every complete frame held; 0 at the publisher's end of stream. */
static int routed_forward(struct routed *rt)
{
	ssize_t n = recv(rt->pub, rt->in + rt->have, sizeof(rt->in) - rt->have, 0);
	size_t off = 0;

	if (n <= 0)
		return 0;
	rt->have += (size_t)n;
	while (rt->have - off >= sizeof(struct frame_hdr)) {
		struct frame_hdr h;
		size_t whole;

		memcpy(&h, rt->in + off, sizeof(h));
		whole = sizeof(h) + h.len;
		if (rt->have - off < whole)
			break;
		if (h.dst < ID_BASE || h.dst >= ID_BASE + (uint32_t)rt->want || rt->by_id[h.dst - ID_BASE] < 0)
			die("routed: unknown destination");
		if (write_full(rt->by_id[h.dst - ID_BASE], rt->in + off, whole) < 0)
			die("routed send");
		off += whole;
	}
	memmove(rt->in, rt->in + off, rt->have - off);
	rt->have -= off;
	return 1;
}

static void *routed_main(void *arg)
{
	struct routed *rt = arg;

	for (;;) {
		fd_set rd;
		struct timeval tv = { 1, 0 };
		int mx = rt->lfd;

		FD_ZERO(&rd);
		FD_SET(rt->lfd, &rd);
		for (int k = 0; k < rt->nconn; k++)
			if (rt->conn[k] >= 0) {
				FD_SET(rt->conn[k], &rd);
				mx = rt->conn[k] > mx ? rt->conn[k] : mx;
			}
		if (rt->pub >= 0) {
			FD_SET(rt->pub, &rd);
			mx = rt->pub > mx ? rt->pub : mx;
		}
		if (select(mx + 1, &rd, NULL, NULL, &tv) < 0)
			die("select");
		if (FD_ISSET(rt->lfd, &rd) && rt->nconn <= MAXN) {
			rt->conn[rt->nconn] = accept4(rt->lfd, NULL, NULL, SOCK_CLOEXEC);
			if (rt->conn[rt->nconn++] < 0)
				die("routed accept");
		}
		for (int k = 0; k < rt->nconn; k++)
			if (rt->conn[k] >= 0 && FD_ISSET(rt->conn[k], &rd))
				routed_hello(rt, k);
		if (rt->pub >= 0 && FD_ISSET(rt->pub, &rd) && !routed_forward(rt))
			break;
	}
	for (int i = 0; i < rt->want; i++)
		close(rt->by_id[i]);
	close(rt->pub);
	return NULL;
}

static void unix_name(struct sockaddr_un *a, socklen_t *len, const char *kind, int i)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	/* abstract names belong to this process's (private) network namespace */
	int l = snprintf(a->sun_path + 1, sizeof(a->sun_path) - 1, "mcprobe-ipc-%s-%d", kind, i);
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)l);
}

struct result {
	double rate, loss;
	long lat_lost;
};

#define REPS 3		/* each configuration runs this often: medians, pooled latencies */
static uint64_t all[REPS * MAXN * LAT_MAX];
static size_t nall;

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Everything one configuration's run holds. */
struct cfg {
	enum design d;
	int n;
	size_t len;
	int pub;
	struct sockaddr_in grp;
	struct sockaddr_un dst[MAXN];
	socklen_t dstlen[MAXN];
	struct relay rl;
	struct routed rt;
};

static void setup_mcast(struct cfg *c)
{
	struct in_addr lo = mcp_in("127.0.0.1");
	int one = 1;

	c->grp = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(PORT), .sin_addr = mcp_in(GROUP) };
	for (int i = 0; i < c->n; i++) {
		struct sockaddr_in b = { .sin_family = AF_INET, .sin_port = htons(PORT) };

		rcvs[i].fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (rcvs[i].fd < 0 || setsockopt(rcvs[i].fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
		    bind(rcvs[i].fd, (struct sockaddr *)&b, sizeof(b)) < 0 ||
		    mcp_join_addr(rcvs[i].fd, GROUP, "127.0.0.1") < 0)
			die("mcast receiver");
	}
	c->pub = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (c->pub < 0 || setsockopt(c->pub, IPPROTO_IP, IP_MULTICAST_IF, &lo, sizeof(lo)) < 0)
		die("mcast sender");
}

static void setup_direct(struct cfg *c)
{
	for (int i = 0; i < c->n; i++) {
		unix_name(&c->dst[i], &c->dstlen[i], "d", i);
		rcvs[i].fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (rcvs[i].fd < 0 || bind(rcvs[i].fd, (struct sockaddr *)&c->dst[i], c->dstlen[i]) < 0)
			die("direct receiver");
	}
	c->pub = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (c->pub < 0)
		die("direct sender");
}

static void setup_relay(struct cfg *c)
{
	struct relay *rl = &c->rl;
	struct sockaddr_un a;
	socklen_t al;

	rl->n = c->n;
	unix_name(&a, &al, "relay", 0);
	rl->lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (rl->lfd < 0 || bind(rl->lfd, (struct sockaddr *)&a, al) < 0 || listen(rl->lfd, MAXN + 2) < 0)
		die("relay listen");
	/* clients connect first, then the publisher: accept() order tells them apart */
	for (int i = 0; i < c->n; i++) {
		rcvs[i].fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		if (rcvs[i].fd < 0 || connect(rcvs[i].fd, (struct sockaddr *)&a, al) < 0)
			die("relay client");
		rl->clients[i] = accept(rl->lfd, NULL, NULL);
		if (rl->clients[i] < 0)
			die("accept");
	}
	c->pub = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (c->pub < 0 || connect(c->pub, (struct sockaddr *)&a, al) < 0)
		die("relay publisher");
	rl->pub = accept(rl->lfd, NULL, NULL);
	if (rl->pub < 0 || pthread_create(&rl->th, NULL, relay_main, rl))
		die("relay start");
}

static int unix_stream_hello(const struct sockaddr_un *a, socklen_t al, uint32_t id)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || connect(fd, (const struct sockaddr *)a, al) < 0 || write_full(fd, &id, sizeof(id)) < 0)
		die("routed client");
	return fd;
}

/* Clients connect in reverse id order, so routing cannot lean on accept() order. */
static void setup_routed(struct cfg *c)
{
	struct routed *rt = &c->rt;
	struct pollfd p;
	struct sockaddr_un a;
	socklen_t al;
	uint64_t v;

	memset(rt, 0, sizeof(*rt));
	rt->pub = -1;
	rt->want = c->n;
	for (int i = 0; i < MAXN; i++)
		rt->by_id[i] = -1;
	rt->reg_efd = eventfd(0, EFD_CLOEXEC);
	unix_name(&a, &al, "routed", 0);
	rt->lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (rt->reg_efd < 0 || rt->lfd < 0 || bind(rt->lfd, (struct sockaddr *)&a, al) < 0 ||
	    listen(rt->lfd, MAXN + 2) < 0 || pthread_create(&rt->th, NULL, routed_main, rt))
		die("routed listen");
	for (int i = c->n - 1; i >= 0; i--) {
		rcvs[i].fd = unix_stream_hello(&a, al, ID_BASE + (uint32_t)i);
		rcvs[i].stream = 1;
		rcvs[i].id = ID_BASE + (uint32_t)i;
	}
	c->pub = unix_stream_hello(&a, al, 0);
	p = (struct pollfd){ .fd = rt->reg_efd, .events = POLLIN };
	if (poll(&p, 1, 5000) != 1 || read(rt->reg_efd, &v, sizeof(v)) < 0)
		die("routed: clients never registered");
}

static void send_msg(struct cfg *c, const struct msg *m)
{
	char buf[sizeof(struct frame_hdr) + 2048] = { 0 };
	struct frame_hdr h = { 0, (uint32_t)c->len };

	memcpy(buf + sizeof(h), m, sizeof(*m));
	if (c->d == MCAST) {
		if (sendto(c->pub, buf + sizeof(h), c->len, 0, (struct sockaddr *)&c->grp, sizeof(c->grp)) < 0)
			die("sendto group");
	} else if (c->d == RELAY) {
		if (send(c->pub, buf + sizeof(h), c->len, 0) < 0)
			die("send relay");
	} else if (c->d == DIRECT) {
		for (int i = 0; i < c->n; i++)
			if (sendto(c->pub, buf + sizeof(h), c->len, 0, (struct sockaddr *)&c->dst[i], c->dstlen[i]) < 0)
				die("sendto unix");
	} else {
		for (int i = 0; i < c->n; i++) {
			h.dst = ID_BASE + (uint32_t)i;
			memcpy(buf, &h, sizeof(h));
			if (write_full(c->pub, buf, sizeof(h) + c->len) < 0)
				die("send routed");
		}
	}
}

/* one in flight; bounded by LAT_MAX messages and the window */
static long latency_phase(struct cfg *c)
{
	uint64_t t0 = now_ns();
	long lost = 0;

	for (uint32_t s = 1; s <= LAT_MAX && now_ns() - t0 < (uint64_t)window_ms * 1000000ull; s++) {
		struct msg m = { 0, s, 1 };
		struct pollfd p = { .fd = ack_efd, .events = POLLIN };
		uint64_t v;

		atomic_store(&acks, 0);
		atomic_store(&cur_seq, s);
		m.sent_ns = now_ns();
		send_msg(c, &m);
		/* a lost multicast datagram must not stall the run */
		if (poll(&p, 1, 1000) != 1) {
			lost++;
			continue;
		}
		if (read(ack_efd, &v, sizeof(v)) < 0)
			die("eventfd read");
	}
	atomic_store(&cur_seq, 0);
	return lost;
}

/* as fast as the publisher can for the window; returns how many it sent */
static long throughput_phase(struct cfg *c, uint64_t t0)
{
	uint64_t tend = t0 + (uint64_t)window_ms * 1000000ull;
	long sent = 0;

	for (uint32_t s = 1;; s++) {
		struct msg m = { 0, s, 2 };

		if ((s & 15) == 0 && now_ns() >= tend)
			break;
		m.sent_ns = now_ns();
		send_msg(c, &m);
		sent++;
	}
	return sent;
}

static struct result run(enum design d, int n, size_t len)
{
	static struct cfg c;
	struct result res = { 0 };
	long sent, delivered = 0;
	uint64_t t0, tlast;

	memset(&c, 0, sizeof(c));
	c.d = d;
	c.n = n;
	c.len = len;
	nrecv = n;
	atomic_store(&stop, 0);
	memset(rcvs, 0, sizeof(rcvs));
	if (d == MCAST)
		setup_mcast(&c);
	else if (d == DIRECT)
		setup_direct(&c);
	else if (d == RELAY)
		setup_relay(&c);
	else
		setup_routed(&c);
	for (int i = 0; i < n; i++)
		if (pthread_create(&rcvs[i].th, NULL, rcv_main, &rcvs[i]))
			die("pthread_create");
	res.lat_lost = latency_phase(&c);
	t0 = now_ns();
	sent = throughput_phase(&c, t0);
	if (d == RELAY || d == ROUTED) {
		shutdown(c.pub, SHUT_WR);
		pthread_join(d == RELAY ? c.rl.th : c.rt.th, NULL);
	}
	atomic_store(&stop, 1);
	tlast = t0;
	for (int i = 0; i < n; i++) {
		pthread_join(rcvs[i].th, NULL);
		delivered += rcvs[i].count;
		if (rcvs[i].last_ns > tlast)
			tlast = rcvs[i].last_ns;
		for (int k = 0; k < rcvs[i].nlat; k++)
			all[nall++] = rcvs[i].lat[k];
		close(rcvs[i].fd);
	}
	close(c.pub);
	if (d == RELAY) {
		close(c.rl.pub);
		close(c.rl.lfd);
	} else if (d == ROUTED) {
		close(c.rt.lfd);
		close(c.rt.reg_efd);
	}
	res.rate = tlast > t0 ? (double)delivered / ((double)(tlast - t0) / 1e9) : 0;
	res.loss = sent ? 100.0 * (1.0 - (double)delivered / ((double)sent * n)) : 0;
	return res;
}

int main(int argc, char **argv)
{
	static const int ns[] = { 1, 4, 16 };
	static const size_t lens[] = { 64, 1400 };
	const char *out = NULL;
	char cpu[256] = "?", line[512];
	struct utsname u;
	FILE *f;
	char *text = NULL;
	size_t tlen = 0;
	FILE *t = open_memstream(&text, &tlen);
	uint64_t start = now_ns();

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--out") && i + 1 < argc)
			out = argv[++i];
		else if (!strcmp(argv[i], "--window-ms") && i + 1 < argc)
			window_ms = atoi(argv[++i]);
		else {
			fprintf(stderr, "usage: %s [--out FILE.md] [--window-ms N]\n", argv[0]);
			return 2;
		}
	}
	if (window_ms < 10 || window_ms > 2000)
		window_ms = 40;
	/* a private namespace before any thread exists: no traffic on the host's lo */
	if (unshare(CLONE_NEWNET) < 0) {
		perror("unshare(CLONE_NEWNET) (run as root)");
		return 4;
	}
	if (mcp_link_set_up("lo", 1) < 0)
		die("lo up");
	ack_efd = eventfd(0, EFD_CLOEXEC);
	if (ack_efd < 0)
		die("eventfd");
	f = fopen("/proc/cpuinfo", "re");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "model name", 10) && strchr(line, ':')) {
			snprintf(cpu, sizeof(cpu), "%s", strchr(line, ':') + 2);
			cpu[strcspn(cpu, "\n")] = 0;
			break;
		}
	if (f)
		fclose(f);
	uname(&u);
	fprintf(t, "## Is multicast a good IPC? (`make bench`)\n\n");
	fprintf(t, "Machine: %s, %ld cores, kernel %s. One publisher, N receiver threads, all in one process\n",
		cpu, sysconf(_SC_NPROCESSORS_ONLN), u.release);
	fprintf(t, "in a private netns; every row is %d runs. Latency: one message in flight (the next is sent when all\n", REPS);
	fprintf(t, "N have it), send->receive over all deliveries of all runs. Throughput: the publisher sends flat out\n");
	fprintf(t, "for %d ms; delivered = messages read by all receivers per second until the last read, lost = share\n", window_ms);
	fprintf(t, "of the N x sent copies never read (medians of the runs). Multicast has no flow control.\n\n");
	fprintf(t, "| design | N | payload B | delivered msg/s | lost %% | p50 us | p99 us |\n");
	fprintf(t, "|---|---:|---:|---:|---:|---:|---:|\n");
	for (size_t li = 0; li < MCP_ARRAY_SIZE(lens); li++)
		for (size_t ni = 0; ni < MCP_ARRAY_SIZE(ns); ni++)
			for (int d = ROUTED; d <= DIRECT; d++) {
				double rate[REPS], loss[REPS], p50, p99;

				nall = 0;
				for (int k = 0; k < REPS; k++) {
					struct result r = run((enum design)d, ns[ni], lens[li]);

					rate[k] = r.rate;
					loss[k] = r.loss < 0 ? 0 : r.loss;
				}
				qsort(rate, REPS, sizeof(rate[0]), cmp_dbl);
				qsort(loss, REPS, sizeof(loss[0]), cmp_dbl);
				qsort(all, nall, sizeof(all[0]), cmp_u64);
				p50 = nall ? (double)all[nall / 2] / 1000.0 : -1;
				p99 = nall ? (double)all[(nall * 99) / 100] / 1000.0 : -1;
				fprintf(t, "| %s | %d | %zu | %.0f | %.1f | %.1f | %.1f |\n", dname[d], ns[ni], lens[li],
					rate[REPS / 2], loss[REPS / 2], p50, p99);
				fflush(t);
			}
	fprintf(t, "\nWhole benchmark: %.1f s.\n", (double)(now_ns() - start) / 1e9);
	fclose(t);
	fputs(text, stdout);
	if (out) {
		f = fopen(out, "w");
		if (!f || fputs(text, f) < 0 || fclose(f) != 0)
			die(out);
	}
	free(text);
	return 0;
}
