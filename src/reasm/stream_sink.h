/* SPDX-License-Identifier: BSD-2-Clause */
/* stream_sink: how reassembly hands one direction's bytes to its consumer and learns how many it
 * used (STYLE R22, Suricata's AppLayerResult, Wireshark's TCP PDU helper). */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Direction 0 is the side that opened the connection (SYN sender) when known, else the first
 * talker with the higher port; consumers must not rely on it and decide roles by content. */
typedef enum CpDir { CP_DIR_0 = 0, CP_DIR_1 = 1 } CpDir;

/* What carries the bytes: a TCP stream, or UDP datagrams (one per delivery). */
typedef enum CpTransport { CP_TRANSPORT_TCP = 0, CP_TRANSPORT_UDP } CpTransport;

enum {
    CP_STREAM_GAP = 1u << 0, /* bytes before this delivery are missing (lost or not captured) */
    CP_STREAM_FIN = 1u << 1, /* the direction ended after these bytes (FIN, RST, end of input) */
    CP_STREAM_DATAGRAM = 1u << 2, /* the call carries exactly one datagram (UDP transports) */
};

typedef enum CpFeedStatus { CP_FEED_MORE, CP_FEED_DONE, CP_FEED_ERROR } CpFeedStatus;

typedef struct CpFeedResult {
    CpFeedStatus status; /* DONE/ERROR: this direction needs nothing more; free its buffers */
    size_t consumed;     /* bytes of this delivery the consumer will never need again */
    size_t needed;       /* with MORE: don't call again before this many unconsumed bytes (0=any) */
} CpFeedResult;

/* data is borrowed for the call. The stream re-delivers unconsumed bytes with the next ones. */
typedef CpFeedResult (*CpStreamFeedFn)(void *consumer, CpDir dir, const uint8_t *data, size_t len,
                                       unsigned flags);
