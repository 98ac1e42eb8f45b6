/* SPDX-License-Identifier: GPL-2.0 */
/*
 * capture.h - AF_PACKET capture and frame injection on one device of a
 * namespace, for probes that look at what the kernel puts on the wire.
 *
 * A capture is opened inside a namespace (usually the peer end of a veth)
 * before the device it watches exists, so frames sent while a link comes up
 * are seen too. It keeps incoming IPv4 frames (or those of c->ethertype, set
 * after mcap_open) of one device with the kernel's
 * receive timestamp; the probe records them as hex (obs_frames) and the
 * harness dissects them. Frames the capture socket itself sends (injected
 * queries) are not captured (PACKET_IGNORE_OUTGOING).
 *
 * Helpers return -1 and set errno, like system calls.
 */
#ifndef MCP_CAPTURE_H
#define MCP_CAPTURE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define MCAP_MAX_FRAMES 32
#define MCAP_SNAP 256		/* IGMP frames are far shorter */

struct mcap_frame {
	long long t_us;		/* kernel rx timestamp minus the capture's mark */
	unsigned int len;	/* bytes kept (<= MCAP_SNAP) */
	unsigned int wire_len;	/* bytes on the wire */
	unsigned char data[MCAP_SNAP];
};

struct mcap {
	int fd;
	int ifindex;		/* 0 until mcap_bind_dev */
	unsigned short ethertype;	/* kept frames' protocol, host order; 0: IPv4 */
	unsigned char mac[6];	/* of the watched device */
	struct timespec mark;	/* CLOCK_REALTIME, same clock as SO_TIMESTAMPNS */
	int n;
	int dropped;		/* frames beyond MCAP_MAX_FRAMES since the mark */
	struct mcap_frame f[MCAP_MAX_FRAMES];
};

/* Opens the capture socket inside namespace nsfd; the caller stays where it is. */
int mcap_open(struct mcap *c, int nsfd);
/* Restricts the capture to device ifname (resolved in the capture's namespace). */
int mcap_bind_dev(struct mcap *c, const char *ifname);
/* Forgets every frame captured so far and starts the clock for t_us. */
int mcap_mark(struct mcap *c);
/* Reads what is queued now, without waiting. Returns the number of frames held. */
int mcap_drain(struct mcap *c);
/*
 * Waits up to deadline_ms (from the call) until at least want frames are
 * held, then until no new frame has come for quiet_ms. The positive wait is
 * the generous one; quiet_ms is the short negative wait that catches extra
 * frames. Returns the number of frames held.
 */
int mcap_wait(struct mcap *c, int want, int deadline_ms, int quiet_ms);
/* Sends one complete Ethernet frame out of the bound device. */
int mcap_inject(struct mcap *c, const void *frame, size_t len);
void mcap_close(struct mcap *c);

/*
 * Waits (up to deadline_ms) until ifname in the current namespace can send:
 * a veth end that gains carrier when its peer comes up keeps the noop qdisc
 * on its tx queue, which drops every frame (IGMP reports included), until
 * linkwatch runs dev_activate() - asynchronously (measured here: 4-28 ms
 * after the peer came up, longer than the 8 ms before a first report).
 * Linkwatch sets the operstate and activates the queue under one RTNL hold,
 * so: poll RTM_GETLINK until IFLA_OPERSTATE is UP, then make one RTNL-taking
 * request, which cannot be served before that hold ends. -1/ETIMEDOUT if
 * never.
 */
int mcap_link_ready(const char *ifname, int deadline_ms);

/* Emits the held frames as an array of {"t_us": N, "hex": "..."}. */
void obs_frames(const char *key, const struct mcap *c);

/* ---- building IPv4 frames for injection ---- */

uint16_t mcap_csum(const void *data, size_t len);
/*
 * Ethernet + IPv4 (+ Router Alert option when ra) + payload into buf.
 * The destination MAC is the group mapping of dst. Checksums are valid.
 * Returns the frame length, or -1/EMSGSIZE.
 */
int mcap_ipv4_frame(unsigned char *buf, size_t cap, const unsigned char src_mac[6],
		    const char *src, const char *dst, int proto, int ttl, int tos, int ra,
		    const void *payload, size_t plen);

#endif
