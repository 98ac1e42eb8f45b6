// SPDX-License-Identifier: GPL-2.0
/*
 * ipc - is loopback multicast a good IPC? A benchmark, not a test.
 *
 * Three ways to deliver every message from one publisher to N local
 * receivers (threads of this process), the designs the tutorials show:
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

enum design { MCAST, RELAY, DIRECT };
static const char *const dname[] = { "multicast on lo", "select() AF_UNIX relay", "direct AF_UNIX dgram" };

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

struct rcv {
	int fd;
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
		n = recv(r->fd, buf, sizeof(buf), 0);
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

static struct result run(enum design d, int n, size_t len)
{
	struct sockaddr_in grp = { .sin_family = AF_INET, .sin_port = htons(PORT), .sin_addr = mcp_in(GROUP) };
	struct sockaddr_un dst[MAXN];
	socklen_t dstlen[MAXN];
	struct relay rl = { .n = n };
	struct result res = { 0 };
	char buf[2048] = { 0 };
	int pub = -1, one = 1;
	long sent = 0, delivered = 0;
	uint64_t t0, tend, tlast;

	nrecv = n;
	atomic_store(&stop, 0);
	memset(rcvs, 0, sizeof(rcvs));
	if (d == MCAST) {
		struct in_addr lo = mcp_in("127.0.0.1");

		for (int i = 0; i < n; i++) {
			struct sockaddr_in b = { .sin_family = AF_INET, .sin_port = htons(PORT) };

			rcvs[i].fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
			if (rcvs[i].fd < 0 || setsockopt(rcvs[i].fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
			    bind(rcvs[i].fd, (struct sockaddr *)&b, sizeof(b)) < 0 ||
			    mcp_join_addr(rcvs[i].fd, GROUP, "127.0.0.1") < 0)
				die("mcast receiver");
		}
		pub = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (pub < 0 || setsockopt(pub, IPPROTO_IP, IP_MULTICAST_IF, &lo, sizeof(lo)) < 0)
			die("mcast sender");
	} else if (d == DIRECT) {
		for (int i = 0; i < n; i++) {
			unix_name(&dst[i], &dstlen[i], "d", i);
			rcvs[i].fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
			if (rcvs[i].fd < 0 || bind(rcvs[i].fd, (struct sockaddr *)&dst[i], dstlen[i]) < 0)
				die("direct receiver");
		}
		pub = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (pub < 0)
			die("direct sender");
	} else {
		struct sockaddr_un a;
		socklen_t al;

		unix_name(&a, &al, "relay", 0);
		rl.lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		if (rl.lfd < 0 || bind(rl.lfd, (struct sockaddr *)&a, al) < 0 || listen(rl.lfd, MAXN + 2) < 0)
			die("relay listen");
		/* clients connect first, then the publisher: accept() order tells them apart */
		for (int i = 0; i < n; i++) {
			rcvs[i].fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
			if (rcvs[i].fd < 0 || connect(rcvs[i].fd, (struct sockaddr *)&a, al) < 0)
				die("relay client");
			rl.clients[i] = accept(rl.lfd, NULL, NULL);
			if (rl.clients[i] < 0)
				die("accept");
		}
		pub = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
		if (pub < 0 || connect(pub, (struct sockaddr *)&a, al) < 0)
			die("relay publisher");
		rl.pub = accept(rl.lfd, NULL, NULL);
		if (rl.pub < 0 || pthread_create(&rl.th, NULL, relay_main, &rl))
			die("relay start");
	}
	for (int i = 0; i < n; i++)
		if (pthread_create(&rcvs[i].th, NULL, rcv_main, &rcvs[i]))
			die("pthread_create");

#define SEND(m)                                                                                   \
	do {                                                                                      \
		memcpy(buf, &(m), sizeof(m));                                                     \
		if (d == MCAST) {                                                                 \
			if (sendto(pub, buf, len, 0, (struct sockaddr *)&grp, sizeof(grp)) < 0)   \
				die("sendto group");                                              \
		} else if (d == RELAY) {                                                          \
			if (send(pub, buf, len, 0) < 0)                                           \
				die("send relay");                                                \
		} else {                                                                          \
			for (int i_ = 0; i_ < n; i_++)                                            \
				if (sendto(pub, buf, len, 0, (struct sockaddr *)&dst[i_], dstlen[i_]) < 0) \
					die("sendto unix");                                       \
		}                                                                                 \
	} while (0)

	/* latency: one in flight; bounded by LAT_MAX messages and the window */
	t0 = now_ns();
	for (uint32_t s = 1; s <= LAT_MAX && now_ns() - t0 < (uint64_t)window_ms * 1000000ull; s++) {
		struct msg m = { 0, s, 1 };
		struct pollfd p = { .fd = ack_efd, .events = POLLIN };
		uint64_t v;

		atomic_store(&acks, 0);
		atomic_store(&cur_seq, s);
		m.sent_ns = now_ns();
		SEND(m);
		/* a lost multicast datagram must not stall the run */
		if (poll(&p, 1, 1000) != 1) {
			res.lat_lost++;
			continue;
		}
		if (read(ack_efd, &v, sizeof(v)) < 0)
			die("eventfd read");
	}
	atomic_store(&cur_seq, 0);

	/* throughput: as fast as the publisher can for the window */
	t0 = now_ns();
	tend = t0 + (uint64_t)window_ms * 1000000ull;
	for (uint32_t s = 1;; s++) {
		struct msg m = { 0, s, 2 };

		if ((s & 15) == 0 && now_ns() >= tend)
			break;
		m.sent_ns = now_ns();
		SEND(m);
		sent++;
	}
	if (d == RELAY) {
		shutdown(pub, SHUT_WR);
		pthread_join(rl.th, NULL);
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
	close(pub);
	if (d == RELAY) {
		close(rl.pub);
		close(rl.lfd);
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
			for (int d = MCAST; d <= DIRECT; d++) {
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
