/* SPDX-License-Identifier: BSD-2-Clause */
/* tcp_stream: one direction of a TCP connection reassembled by sequence number (RFC 9293 §3.4)
 * and delivered to its consumer through the stream_sink contract. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "base/anomaly.h"
#include "base/bytebuf.h"
#include "base/limits.h"
#include "reasm/stream_sink.h"

/* Shared by every stream of a run. */
typedef struct CpReasmCtx {
    const CpLimits *limits;
    CpMemcap *memcap; /* reassembly budget: buffers and out-of-order segments */
    CpAnomalies *anomalies;
} CpReasmCtx;

typedef struct CpSeg CpSeg;

/* Lifetime: connection. Costs nothing but this struct once done. */
typedef struct CpTcpStream {
    CpBytebuf buf;     /* in-order bytes the consumer has not consumed yet */
    CpSeg *ooo;        /* out-of-order segments, sorted by seq, never overlapping */
    uint32_t next_seq; /* sequence number of the byte after buf */
    uint64_t off;      /* absolute stream offset of next_seq (never wraps) */
    uint32_t needed;   /* deliver only once buf holds this many bytes */
    uint32_t fin_seq;  /* sequence number of the FIN, when has_fin */
    uint16_t ooo_count;
    bool has_seq;
    bool has_fin;     /* a FIN was seen: the direction ends once every byte before it is in */
    bool gap_pending; /* bytes before next_seq are missing: flag the next delivery */
    bool done;        /* the consumer needs nothing more from this direction */
    bool fin_delivered;
    bool conflict;  /* overlapping segments disagreed */
    bool truncated; /* gap or snaplen cut in this direction */
} CpTcpStream;

/* Binds a stream to its consumer for delivery. */
typedef struct CpStreamSink {
    CpStreamFeedFn feed;
    void *consumer;
    CpDir dir;
} CpStreamSink;

void cp_tcp_stream_init(CpTcpStream *s);
/* Frees buffers and segments; the stream stays usable as "done". */
void cp_tcp_stream_clear(const CpReasmCtx *ctx, CpTcpStream *s);
/* The first byte's sequence number, from a SYN (isn + 1). */
void cp_tcp_stream_set_next_seq(CpTcpStream *s, uint32_t seq);
/* Another SYN of the same direction (a server answering with several SYN/ACKs of different
 * initial sequence numbers), or the peer's ACK naming which one it took: the first byte's
 * sequence number becomes seq, as long as no byte of the direction has been seen yet (once data
 * flowed, the sequence space is settled). Returns whether it changed. */
bool cp_tcp_stream_rebase(CpTcpStream *s, uint32_t seq);
/* One segment: len bytes present of a segment that carried declared bytes (declared > len when
 * the capture cut it: the rest becomes a gap). data is borrowed for the call. */
void cp_tcp_stream_segment(const CpReasmCtx *ctx, CpTcpStream *s, const CpStreamSink *sink,
                           uint32_t seq, const uint8_t *data, size_t len, size_t declared);
/* The peer acknowledged ack: bytes below it that we never saw were lost to the capture. */
void cp_tcp_stream_acked(const CpReasmCtx *ctx, CpTcpStream *s, const CpStreamSink *sink,
                         uint32_t ack);
/* The sender's FIN at fin_seq (the sequence number after its data). The direction finishes as
 * soon as every byte before it has been delivered: now, or when a hole before it fills. */
void cp_tcp_stream_fin(const CpReasmCtx *ctx, CpTcpStream *s, const CpStreamSink *sink,
                       uint32_t fin_seq);
/* End of this direction (FIN, RST, expiry, end of input): delivers what is held, gaps flagged,
 * then CP_STREAM_FIN. */
void cp_tcp_stream_finish(const CpReasmCtx *ctx, CpTcpStream *s, const CpStreamSink *sink);
/* Heap bytes held. */
size_t cp_tcp_stream_mem(const CpTcpStream *s);
