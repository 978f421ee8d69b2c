/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tcpsynth.h - TCP/IP packet synthesis with deterministic impairments.
 *
 * A connection turns each side's flights into IPv4 or IPv6 packets with correct
 * sequence numbers, acknowledgements and checksums (RFC 791, 793, 8200), and
 * applies the impairments of CgImpair. All randomness comes from the caller's
 * GRand, so a seed reproduces a capture exactly. Packets go to a callback
 * (normally the pcap writer); nothing is buffered beyond one flight's plan.
 */
#ifndef CG_TCPSYNTH_H
#define CG_TCPSYNTH_H

#include "tlsrun.h"

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

/* A host is named by its IPv4 address; with ipv6 it maps to fd00:1::b:c:d. */
typedef struct CgEndpoint {
    uint32_t v4; /* host order, e.g. 0x0a01000a for 10.1.0.10 */
    uint16_t port;
} CgEndpoint;

typedef struct CgImpair {
    unsigned mss;         /* payload bytes per data segment (1460 by default) */
    bool reorder;         /* swap neighbouring data segments within a flight */
    bool duplicate;       /* send every data segment twice */
    bool overlap;         /* add retransmissions overlapping earlier segments */
    bool midstream;       /* omit the three-way handshake */
    bool ipv6;            /* IPv6 instead of IPv4 */
    unsigned ip_frag_mtu; /* fragment IP packets above this size; 0 = never */
} CgImpair;

/* Receives each finished IP packet (borrowed for the call). */
typedef gboolean (*CgPacketFn)(void *ctx, uint64_t ts_ns, const CgEndpoint *src,
                               const CgEndpoint *dst, bool from_client, const uint8_t *ip,
                               size_t len, GError **error);

/* State shared by all connections of a capture. */
typedef struct CgTcpNet {
    CgImpair impair;
    GRand *rand;       /* borrowed */
    uint64_t clock_ns; /* timestamp of the next packet */
    bool started;      /* a packet has been emitted */
    uint16_t ip_id;    /* next IPv4 identification / IPv6 fragment id */
    CgPacketFn emit;
    void *emit_ctx;
} CgTcpNet;

typedef struct CgTcpConn {
    CgTcpNet *net;
    CgEndpoint ep[2]; /* indexed by CgDir: [C2S] client, [S2C] server */
    uint32_t isn[2];  /* initial sequence number of each sender */
    uint64_t sent[2]; /* stream bytes each sender has sent */
} CgTcpConn;

void cg_tcp_conn_init(CgTcpConn *c, CgTcpNet *net, const CgEndpoint *client,
                      const CgEndpoint *server, uint32_t isn_client, uint32_t isn_server);

/* SYN, SYN/ACK, ACK (nothing with impair.midstream). */
gboolean cg_tcp_conn_open(CgTcpConn *c, GError **error);

/*
 * Send one flight of `dir`'s stream as data segments, then the peer's ACK.
 * The segment holding byte `drop_off` of this flight (negative = none) is
 * left out of the capture.
 */
gboolean cg_tcp_conn_send(CgTcpConn *c, CgDir dir, const uint8_t *data, size_t len,
                          int64_t drop_off, GError **error);

/* One RST/ACK from `dir` instead of the FIN exchange (a side that gives up). */
gboolean cg_tcp_conn_reset(CgTcpConn *c, CgDir dir, GError **error);

/* FIN/ACK from the client, FIN/ACK from the server, final ACK. */
gboolean cg_tcp_conn_close(CgTcpConn *c, GError **error);

/* Text form of an endpoint: "10.1.0.10:443" or "[fd00:1::1:0:a]:443". */
char *cg_endpoint_format(const CgEndpoint *ep, bool ipv6);

/* Text form of the address alone. */
char *cg_endpoint_addr(const CgEndpoint *ep, bool ipv6);

#endif /* CG_TCPSYNTH_H */
