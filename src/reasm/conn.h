/* SPDX-License-Identifier: BSD-2-Clause */
/* conn: the one interface through which reassembly hands connections to their consumer.
 *
 * Reassembly owns a connection's life: it opens it when the first payload byte arrives, delivers
 * each direction's bytes in order (with CP_STREAM_GAP where bytes are missing), and closes it —
 * when the consumer has finished with both directions, on FIN from both sides, on RST, on idle
 * expiry, on eviction, or at the end of input. The consumer (the analysis pipeline) never sees
 * sequence numbers, flags or the flow table; reassembly never sees what the bytes mean.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* Whether a packet is evidence of a handshake (live -w keeps those). UNDECIDED: its connection
 * has not shown its consumer a protocol yet (a SYN, a SYN-ACK, payload before a TLS hello): kept
 * aside until the consumer recognises the connection (YES) or it ends without (never written),
 * so neither a SYN flood nor a flood of plaintext connections can fill -w. */
typedef enum CpKeep { CP_KEEP_NO = 0, CP_KEEP_YES, CP_KEEP_UNDECIDED } CpKeep;

#include "net/packet.h"
#include "reasm/stream_sink.h"

typedef enum CpConnEndReason {
    CP_CONN_END_DONE = 0, /* the consumer needs nothing more from either direction */
    CP_CONN_END_FIN,      /* both sides sent FIN */
    CP_CONN_END_RST,      /* a side reset the connection */
    CP_CONN_END_TIMEOUT,  /* idle for longer than --flow-timeout */
    CP_CONN_END_EVICTED,  /* the table was full (--max-flows) */
    CP_CONN_END_FLUSH,    /* end of input */
} CpConnEndReason;

/* Lifetime: the call. Endpoint [d] sends direction d (conn.h's CpDir). */
typedef struct CpConnInfo {
    CpTransport transport;
    CpAddr addr[2];
    uint16_t port[2];
    bool opener_known;    /* direction 0 sent the SYN (else: guessed from the ports) */
    uint64_t first_ts_ns; /* first packet of the connection */
    uint8_t mac[2][6];    /* endpoint d's Ethernet address, when has_mac[d] */
    bool has_mac[2];
} CpConnInfo;

/* What reassembly knows about the bytes it delivered, given at close. */
typedef struct CpConnEnd {
    CpConnEndReason reason;
    bool truncated[2]; /* direction d lost bytes: a gap, a snaplen cut or a limit */
    bool conflict[2];  /* overlapping segments of direction d carried different bytes */
    bool fin[2];       /* the sender of direction d sent a FIN (TCP) */
    bool rst[2];       /* the sender of direction d sent an accepted RST (TCP) */
} CpConnEnd;

typedef struct CpConnConsumer {
    /* A connection carries its first payload byte. Returns the consumer's state for it, or NULL
     * when the consumer wants nothing from this connection. */
    void *(*open)(void *user, const CpConnInfo *info);
    /* Bytes of one direction, in order; consumer is the state open returned. */
    CpStreamFeedFn data;
    /* Called once per opened connection, after the last data call; the state is the consumer's
     * to free. */
    void (*close)(void *state, const CpConnInfo *info, const CpConnEnd *end);
    void *user;
    /* (optional) Whether the consumer has recognised the connection (a TLS hello): its packets
     * are then evidence. NULL: every opened connection is. */
    bool (*recognised)(void *state);
} CpConnConsumer;
