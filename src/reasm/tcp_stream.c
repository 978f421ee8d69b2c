/* SPDX-License-Identifier: BSD-2-Clause */
/* tcp_stream: per-direction TCP reassembly (RFC 9293 §3.4, §3.10.7.4).
 *
 * How it works:
 *  1. A segment at next_seq is delivered at once (the fast path: no copy when the consumer eats
 *     it whole); bytes the consumer leaves unconsumed are kept in buf (capped, memcap'd).
 *  2. A segment ahead of next_seq is kept in the sorted ooo list, split into the pieces no held
 *     segment covers yet: first seen wins (Wireshark, Suricata), and overlapping bytes that
 *     differ are counted as tcp.overlap_conflict. Held segments are delivered as soon as the
 *     hole before them fills.
 *  3. A segment wholly below next_seq is a retransmission; it is compared with the bytes still
 *     in buf when they are there.
 *  4. A hole is declared lost (a gap) when the peer acknowledges data past the first held
 *     segment, when the direction ends with segments held, when too many are held, or when the
 *     capture cut a segment (snaplen). Buffered bytes are dropped and the next delivery carries
 *     CP_STREAM_GAP, so the consumer never parses bytes across a hole.
 *  5. Once the consumer answers DONE (handshake over, encrypted, or given up), everything is
 *     freed and later segments cost one comparison.
 * Sequence numbers are compared wrap-safely (base/seq.h); off counts absolute bytes for depth.
 */
#include "reasm/tcp_stream.h"

#include <string.h>

#include "base/seq.h"

struct CpSeg {
    CpSeg *next;
    uint32_t seq;
    uint32_t len;
    uint8_t data[];
};

void
cp_tcp_stream_init(CpTcpStream *s)
{
    memset(s, 0, sizeof *s);
    cp_bytebuf_init(&s->buf, 0, NULL);
}

static void
free_ooo(const CpReasmCtx *ctx, CpTcpStream *s)
{
    while (s->ooo != NULL) {
        CpSeg *n = s->ooo->next;
        cp_memcap_release(ctx->memcap, sizeof(CpSeg) + s->ooo->len);
        g_free(s->ooo);
        s->ooo = n;
    }
    s->ooo_count = 0;
}

void
cp_tcp_stream_clear(const CpReasmCtx *ctx, CpTcpStream *s)
{
    cp_bytebuf_clear(&s->buf);
    free_ooo(ctx, s);
    s->done = true;
}

void
cp_tcp_stream_set_next_seq(CpTcpStream *s, uint32_t seq)
{
    if (!s->has_seq) {
        s->next_seq = seq;
        s->has_seq = true;
    }
}

bool
cp_tcp_stream_rebase(CpTcpStream *s, uint32_t seq)
{
    if (s->done || s->off != 0 || s->ooo != NULL || s->buf.len != 0 || s->gap_pending)
        return false;
    bool changed = !s->has_seq || s->next_seq != seq;
    s->next_seq = seq;
    s->has_seq = true;
    return changed;
}

/* The consumer will never get more: tell it (so a pending message is reported truncated). */
static void
give_up(const CpReasmCtx *ctx, CpTcpStream *s, const CpStreamSink *sink, CpAnomalyId why)
{
    cp_anomaly_add(ctx->anomalies, why);
    s->truncated = true;
    if (!s->done)
        sink->feed(sink->consumer, sink->dir, NULL, 0, CP_STREAM_GAP | CP_STREAM_FIN);
    cp_tcp_stream_clear(ctx, s);
}

static bool
keep(const CpReasmCtx *ctx, CpTcpStream *s, const CpStreamSink *sink, const uint8_t *d, size_t n)
{
    if (s->buf.max_len == 0) {
        s->buf.max_len = (size_t)ctx->limits->max_dir_buffer;
        s->buf.memcap = ctx->memcap;
    }
    switch (cp_bytebuf_append(&s->buf, d, n)) {
    case CP_BUF_OK:
        return true;
    case CP_BUF_TOO_BIG:
        give_up(ctx, s, sink, CP_ANOMALY_TCP_BUFFER_LIMIT); /* tcp.buffer_limit */
        return false;
    default:
        give_up(ctx, s, sink, CP_ANOMALY_TCP_MEMCAP); /* tcp.memcap */
        return false;
    }
}

/* Returns false when the consumer is finished with this direction. */
static bool
feed(const CpReasmCtx *ctx, CpTcpStream *s, const CpStreamSink *sink, const uint8_t *d, size_t n,
     size_t *consumed)
{
    unsigned flags = s->gap_pending ? CP_STREAM_GAP : 0;
    CpFeedResult r = sink->feed(sink->consumer, sink->dir, d, n, flags);

    s->gap_pending = false;
    if (r.status != CP_FEED_MORE) {
        cp_tcp_stream_clear(ctx, s);
        return false;
    }
    *consumed = r.consumed > n ? n : r.consumed;
    s->needed = r.needed > UINT32_MAX ? UINT32_MAX : (uint32_t)r.needed;
    return true;
}

/* Appends in-order bytes and hands what the consumer can use to it. */
static void
deliver(const CpReasmCtx *ctx, CpTcpStream *s, const CpStreamSink *sink, const uint8_t *d, size_t n)
{
    size_t used = 0;

    if (s->done || n == 0)
        return;
    s->off += n;
    if (s->off > ctx->limits->max_depth) {
        give_up(ctx, s, sink, CP_ANOMALY_TCP_DEPTH); /* tcp.depth */
        return;
    }
    if (s->buf.len == 0 && n >= s->needed) {
        if (feed(ctx, s, sink, d, n, &used) && used < n)
            keep(ctx, s, sink, d + used, n - used);
        return;
    }
    if (!keep(ctx, s, sink, d, n) || s->buf.len < s->needed)
        return;
    if (feed(ctx, s, sink, s->buf.data, s->buf.len, &used))
        cp_bytebuf_consume(&s->buf, used);
}

/* Bytes before next_seq are lost: drop the partial data and flag the next delivery. */
static void
set_gap(const CpReasmCtx *ctx, CpTcpStream *s, uint32_t new_next)
{
    cp_anomaly_add(ctx->anomalies, CP_ANOMALY_TCP_GAP); /* tcp.gap */
    s->off += (uint32_t)cp_seq_diff(new_next, s->next_seq);
    s->next_seq = new_next;
    s->buf.len = 0;
    s->needed = 0;
    s->gap_pending = true;
    s->truncated = true;
}

/* Compares bytes [seq, seq+n) below next_seq with those still in buf (retransmissions). */
static void
check_old(const CpReasmCtx *ctx, CpTcpStream *s, uint32_t seq, const uint8_t *d, size_t n)
{
    uint32_t buf_start = s->next_seq - (uint32_t)s->buf.len;
    uint32_t from = cp_seq_gt(seq, buf_start) ? seq : buf_start;
    uint32_t to = seq + (uint32_t)n;

    if (s->buf.len == 0 || !cp_seq_lt(from, to) || cp_seq_gt(to, s->next_seq))
        return;
    size_t k = (size_t)cp_seq_diff(to, from);
    if (memcmp(d + (from - seq), s->buf.data + (from - buf_start), k) != 0) {
        cp_anomaly_add(ctx->anomalies, CP_ANOMALY_TCP_OVERLAP_CONFLICT); /* tcp.overlap_conflict */
        s->conflict = true;
    }
}

static void
drain(const CpReasmCtx *ctx, CpTcpStream *s, const CpStreamSink *sink)
{
    while (!s->done && s->ooo != NULL && cp_seq_le(s->ooo->seq, s->next_seq)) {
        CpSeg *g = s->ooo;
        s->ooo = g->next;
        s->ooo_count--;
        uint32_t end = g->seq + g->len;
        if (cp_seq_gt(end, s->next_seq)) {
            uint32_t skip = s->next_seq - g->seq;
            s->next_seq = end;
            deliver(ctx, s, sink, g->data + skip, g->len - skip);
        }
        cp_memcap_release(ctx->memcap, sizeof(CpSeg) + g->len);
        g_free(g);
    }
}

static bool
hold_piece(const CpReasmCtx *ctx, CpTcpStream *s, CpSeg **at, uint32_t seq, const uint8_t *d,
           size_t n)
{
    if (s->ooo_count >= ctx->limits->max_ooo_segments) {
        cp_anomaly_add(ctx->anomalies, CP_ANOMALY_TCP_OOO_LIMIT); /* tcp.ooo_limit */
        return false;
    }
    if (!cp_memcap_reserve(ctx->memcap, sizeof(CpSeg) + n)) {
        cp_anomaly_add(ctx->anomalies, CP_ANOMALY_TCP_MEMCAP); /* tcp.memcap */
        return false;
    }
    CpSeg *g = g_malloc(sizeof(CpSeg) + n);
    g->seq = seq;
    g->len = (uint32_t)n;
    memcpy(g->data, d, n);
    g->next = *at;
    *at = g;
    s->ooo_count++;
    return true;
}

/* Holds the parts of [seq, seq+n) that no held segment covers; compares the parts that one does. */
static void
hold(const CpReasmCtx *ctx, CpTcpStream *s, uint32_t seq, const uint8_t *d, size_t n)
{
    CpSeg **at = &s->ooo;
    uint32_t cur = seq, end = seq + (uint32_t)n;

    while (cp_seq_lt(cur, end)) {
        CpSeg *g = *at;
        if (g == NULL || cp_seq_ge(g->seq, end)) {
            hold_piece(ctx, s, at, cur, d + (cur - seq), (size_t)cp_seq_diff(end, cur));
            return;
        }
        uint32_t gend = g->seq + g->len;
        if (cp_seq_le(gend, cur)) {
            at = &g->next;
            continue;
        }
        if (cp_seq_lt(cur, g->seq)) {
            if (!hold_piece(ctx, s, at, cur, d + (cur - seq), (size_t)cp_seq_diff(g->seq, cur)))
                return;
            at = &(*at)->next;
            cur = g->seq;
        }
        uint32_t to = cp_seq_lt(gend, end) ? gend : end;
        if (memcmp(d + (cur - seq), g->data + (cur - g->seq), (size_t)cp_seq_diff(to, cur)) != 0) {
            cp_anomaly_add(ctx->anomalies, CP_ANOMALY_TCP_OVERLAP_CONFLICT);
            s->conflict = true;
        }
        cur = to;
        at = &g->next;
    }
}

/* A FIN whose preceding bytes have all been delivered ends the direction. */
static void
fin_if_complete(const CpReasmCtx *ctx, CpTcpStream *s, const CpStreamSink *sink)
{
    if (s->has_fin && !s->done && s->ooo == NULL && s->next_seq == s->fin_seq)
        cp_tcp_stream_finish(ctx, s, sink);
}

void
cp_tcp_stream_segment(const CpReasmCtx *ctx, CpTcpStream *s, const CpStreamSink *sink, uint32_t seq,
                      const uint8_t *data, size_t len, size_t declared)
{
    if (s->done || declared == 0)
        return;
    if (len > declared)
        len = declared;
    if (!s->has_seq) {
        s->next_seq = seq;
        s->has_seq = true;
    }
    int32_t rel = cp_seq_diff(seq, s->next_seq);
    if (rel < 0) {
        size_t old = (size_t)(-(int64_t)rel);
        check_old(ctx, s, seq, data, old < len ? old : len);
        if (old >= declared) {
            cp_anomaly_add(ctx->anomalies, CP_ANOMALY_TCP_RETRANSMISSION); /* tcp.retransmission */
            return;
        }
        size_t cut = old < len ? old : len;
        data += cut;
        len -= cut;
        declared -= old;
        seq = s->next_seq;
    } else if (rel > 0) {
        /* Far beyond anything we could buffer: another sequence space (a reused port, or a
         * forged segment), not a hole worth waiting for. */
        if ((uint64_t)rel > ctx->limits->max_depth)
            return;
        if (len > 0)
            hold(ctx, s, seq, data, len);
        return;
    }
    /* In order. First seen wins: stop at a held segment that already covers later bytes. */
    if (s->ooo != NULL) {
        int32_t room = cp_seq_diff(s->ooo->seq, seq);
        if (room >= 0 && (size_t)room < len) {
            hold(ctx, s, seq + (uint32_t)room, data + room, len - (size_t)room);
            len = declared = (size_t)room;
        }
    }
    s->next_seq = seq + (uint32_t)len;
    deliver(ctx, s, sink, data, len);
    if (declared > len && !s->done)
        set_gap(ctx, s, seq + (uint32_t)declared); /* cut by the capture's snaplen */
    drain(ctx, s, sink);
    fin_if_complete(ctx, s, sink);
}

void
cp_tcp_stream_acked(const CpReasmCtx *ctx, CpTcpStream *s, const CpStreamSink *sink, uint32_t ack)
{
    if (s->done || s->ooo == NULL)
        return;
    /* The receiver has every byte up to ack, including the hole before the first held
     * segment: the capture lost them, waiting is pointless. */
    if (cp_seq_ge(ack, s->ooo->seq + s->ooo->len)) {
        set_gap(ctx, s, s->ooo->seq);
        drain(ctx, s, sink);
        fin_if_complete(ctx, s, sink);
    }
}

void
cp_tcp_stream_fin(const CpReasmCtx *ctx, CpTcpStream *s, const CpStreamSink *sink, uint32_t fin_seq)
{
    /* Without a sequence number the direction carried nothing we followed: nothing to end. A
     * later FIN replaces an earlier one (a retransmission, or a forged one that never fits). */
    if (s->done || !s->has_seq)
        return;
    s->has_fin = true;
    s->fin_seq = fin_seq;
    fin_if_complete(ctx, s, sink);
}

void
cp_tcp_stream_finish(const CpReasmCtx *ctx, CpTcpStream *s, const CpStreamSink *sink)
{
    while (!s->done && s->ooo != NULL) {
        set_gap(ctx, s, s->ooo->seq);
        drain(ctx, s, sink);
    }
    if (s->done)
        return;
    unsigned flags = CP_STREAM_FIN | (s->gap_pending ? CP_STREAM_GAP : 0);
    sink->feed(sink->consumer, sink->dir, s->buf.data, s->buf.len, flags);
    cp_tcp_stream_clear(ctx, s);
}

size_t
cp_tcp_stream_mem(const CpTcpStream *s)
{
    size_t n = s->buf.alloc;

    for (const CpSeg *g = s->ooo; g != NULL; g = g->next)
        n += sizeof(CpSeg) + g->len;
    return n;
}
