/* SPDX-License-Identifier: BSD-2-Clause */
/* tcp_reasm: the life of a TCP connection, owned by reassembly (RFC 9293 §3.5–3.6).
 *
 * Per segment:
 *  1. expire idle connections (at most once per second of capture time);
 *  2. find the connection, or create it for a SYN or a segment with payload (a bare ACK or RST
 *     of an unknown connection creates nothing);
 *  3. a SYN fixes that direction's first sequence number;
 *  4. the first payload byte opens the connection for the consumer (CP_FLOW_NEW -> FOLLOWED, or
 *     CLOSED when the consumer declines);
 *  5. payload goes to the direction's tcp_stream, the ACK tells the other direction which bytes
 *     its receiver had (lost bytes become gaps), a FIN ends the direction once the bytes before
 *     it are in;
 *  6. when the consumer has finished with both directions it is closed (reason DONE): the flow
 *     stays as a tombstone, so later segments of the connection cost one lookup;
 *  7. an RST, or FIN from both sides, ends the connection: what is held is delivered, the
 *     consumer is closed with the reason, and the flow is freed.
 *
 * Real stacks, and attackers, bend this:
 *  - a server may answer one SYN with several SYN/ACKs of different initial sequence numbers
 *    (a retransmitted SYN met a new incarnation): the server's data follows the one the client
 *    acknowledged, so until the direction carries a byte, the last SYN sets its first sequence
 *    number and a peer ACK naming one of the last two SYNs moves it there (keeping the first
 *    would drop the whole server flight as retransmissions);
 *  - an RST is taken only when its sequence number is acceptable (RFC 5961 §3.2, the exact
 *    RCV.NXT a passive observer can know: the byte after what its sender sent, or the peer's
 *    last acknowledgment); a blind RST at any other number is counted (tcp.rst_ignored) and
 *    changes nothing;
 *  - an RST ends its sender's direction only: the other side's flight already on the wire (a
 *    client aborting a speculative connection while the server's certificates travel) is still
 *    delivered, until that side ends too (FIN, RST, its consumer done, idle expiry, end of input).
 */
#include "reasm/tcp_reasm.h"

#include <string.h>

#include "base/seq.h"
#include "reasm/flow_table.h"

struct CpTcpReasm {
    CpReasmCtx ctx;
    CpConnConsumer consumer;
    CpFlowTable *flows;
    CpTcpReasmStats stats;
};

static void on_flow_end(void *user, CpFlow *f, CpConnEndReason why);

CpTcpReasm *
cp_tcp_reasm_new(const CpLimits *limits, CpAnomalies *anomalies, CpMemcap *memcap,
                 const CpConnConsumer *consumer)
{
    CpTcpReasm *r = g_new0(CpTcpReasm, 1);

    r->ctx = (CpReasmCtx){ limits, memcap, anomalies };
    r->consumer = *consumer;
    r->flows = cp_flow_table_new(limits, anomalies, on_flow_end, r);
    return r;
}

void
cp_tcp_reasm_free(CpTcpReasm *r)
{
    if (r == NULL)
        return;
    cp_flow_table_free(r->flows);
    g_free(r);
}

static CpStreamSink
sink_of(CpTcpReasm *r, CpFlow *f, CpDir dir)
{
    return (CpStreamSink){ r->consumer.data, f->consumer, dir };
}

/* Asked while the consumer holds the connection: once recognised, always. */
static void
note_recognised(CpTcpReasm *r, CpFlow *f)
{
    if (!f->recognised && f->consumer != NULL)
        f->recognised = r->consumer.recognised == NULL || r->consumer.recognised(f->consumer);
}

/* Hands the connection back to the consumer for good; the streams free their buffers. */
static void
close_consumer(CpTcpReasm *r, CpFlow *f, CpConnEndReason why)
{
    CpConnInfo info = cp_flow_info(f, CP_TRANSPORT_TCP);
    CpConnEnd end = { .reason = why };

    for (int d = 0; d < 2; d++) {
        end.truncated[d] = f->stream[d].truncated;
        end.conflict[d] = f->stream[d].conflict;
        end.fin[d] = (f->fin_mask >> d) & 1u;
        end.rst[d] = (f->rst_mask >> d) & 1u;
        cp_tcp_stream_clear(&r->ctx, &f->stream[d]);
    }
    note_recognised(r, f);
    f->state = CP_FLOW_CLOSED;
    r->consumer.close(f->consumer, &info, &end);
    f->consumer = NULL;
}

static void
on_flow_end(void *user, CpFlow *f, CpConnEndReason why)
{
    CpTcpReasm *r = user;

    /* A side reset earlier and the other side has now ended too: the connection was reset. */
    if (f->rst_mask != 0 && (why == CP_CONN_END_TIMEOUT || why == CP_CONN_END_FLUSH))
        why = CP_CONN_END_RST;
    if (f->state == CP_FLOW_FOLLOWED) {
        for (int d = 0; d < 2; d++) {
            CpStreamSink sink = sink_of(r, f, (CpDir)d);
            cp_tcp_stream_finish(&r->ctx, &f->stream[d], &sink);
        }
        close_consumer(r, f, why);
    }
    cp_tcp_stream_clear(&r->ctx, &f->stream[0]);
    cp_tcp_stream_clear(&r->ctx, &f->stream[1]);
}

static void
open_consumer(CpTcpReasm *r, CpFlow *f)
{
    CpConnInfo info = cp_flow_info(f, CP_TRANSPORT_TCP);

    if (!f->syn_seen)
        cp_anomaly_add(r->ctx.anomalies, CP_ANOMALY_FLOW_MIDSTREAM); /* flow.midstream */
    f->consumer = r->consumer.open(r->consumer.user, &info);
    f->state = f->consumer != NULL ? CP_FLOW_FOLLOWED : CP_FLOW_CLOSED;
}

/* A SYN of direction dir: remember it (the last two) and, before any data, follow it. */
static void
syn(CpFlow *f, CpDir dir, uint32_t next)
{
    f->syn_seen = true;
    if (f->syn_count[dir] == 0 || f->syn_next[dir][0] != next) {
        f->syn_next[dir][1] = f->syn_next[dir][0];
        f->syn_next[dir][0] = next;
        if (f->syn_count[dir] < 2)
            f->syn_count[dir]++;
    }
    if (f->syn_count[dir] == 1)
        cp_tcp_stream_set_next_seq(&f->stream[dir], next);
    else
        (void)cp_tcp_stream_rebase(&f->stream[dir], next);
}

/* The peer of a direction with two different SYNs acknowledged one: its data follows that one. */
static void
ack_picks_syn(CpFlow *f, CpDir dir, uint32_t ack)
{
    CpDir peer = (CpDir)(1 - dir);

    if (f->syn_count[peer] == 2 && (ack == f->syn_next[peer][0] || ack == f->syn_next[peer][1]))
        (void)cp_tcp_stream_rebase(&f->stream[peer], ack);
}

/* RFC 5961 §3.2 for an observer: the RST's sequence number must be the receiver's RCV.NXT. The
 * observer knows it only within bounds: at least what the receiver last acknowledged, at most
 * the byte after what the sender sent. With neither known there is nothing to check against. */
static bool
rst_acceptable(const CpFlow *f, CpDir dir, uint32_t seq)
{
    CpDir peer = (CpDir)(1 - dir);
    const CpTcpStream *s = &f->stream[dir];
    bool known_next = s->has_seq;
    bool known_ack = (f->ack_mask & (1u << peer)) != 0;

    if (f->state != CP_FLOW_FOLLOWED || (!known_next && !known_ack))
        return true;
    if ((known_next && seq == s->next_seq) || (known_ack && seq == f->last_ack[peer]))
        return true;
    return known_next && known_ack && cp_seq_ge(seq, f->last_ack[peer]) &&
           cp_seq_le(seq, s->next_seq);
}

/* Steps 3–6 of the file comment for one segment of flow f in direction dir. */
static void
segment(CpTcpReasm *r, CpFlow *f, CpDir dir, const CpPacket *pk)
{
    uint32_t seq = pk->seq;

    if (pk->tcp_flags & CP_TCP_SYN) {
        seq++; /* the SYN occupies one sequence number; data (rare) follows it */
        syn(f, dir, seq);
    }
    if (pk->tcp_flags & CP_TCP_ACK) {
        ack_picks_syn(f, dir, pk->ack);
        f->last_ack[dir] = pk->ack;
        f->ack_mask |= (uint8_t)(1u << dir);
    }
    if (f->state == CP_FLOW_NEW && pk->payload_declared > 0)
        open_consumer(r, f);
    if (f->state != CP_FLOW_FOLLOWED)
        return;
    CpStreamSink sink = sink_of(r, f, dir);
    if (pk->payload_declared > 0)
        cp_tcp_stream_segment(&r->ctx, &f->stream[dir], &sink, seq, pk->payload, pk->payload_len,
                              pk->payload_declared);
    if (pk->tcp_flags & CP_TCP_ACK) {
        CpStreamSink other = sink_of(r, f, (CpDir)(1 - dir));
        cp_tcp_stream_acked(&r->ctx, &f->stream[1 - dir], &other, pk->ack);
    }
    if (pk->tcp_flags & CP_TCP_FIN)
        cp_tcp_stream_fin(&r->ctx, &f->stream[dir], &sink, seq + (uint32_t)pk->payload_declared);
    if (f->stream[0].done && f->stream[1].done)
        close_consumer(r, f, CP_CONN_END_DONE);
}

/* An acceptable RST from dir ends that direction; the connection ends when the other side has
 * ended too, or has nothing to deliver. */
static void
reset(CpTcpReasm *r, CpFlow *f, CpDir dir)
{
    f->rst_mask |= (uint8_t)(1u << dir);
    if (f->state == CP_FLOW_FOLLOWED && !f->stream[dir].done) {
        CpStreamSink sink = sink_of(r, f, dir);
        cp_tcp_stream_finish(&r->ctx, &f->stream[dir], &sink);
    }
    CpDir peer = (CpDir)(1 - dir);
    bool peer_over = (f->fin_mask | f->rst_mask) & (1u << peer);
    if (f->state != CP_FLOW_FOLLOWED || peer_over || f->stream[peer].done) {
        cp_flow_table_remove(r->flows, f, CP_CONN_END_RST);
        return;
    }
    if (f->stream[0].done && f->stream[1].done)
        close_consumer(r, f, CP_CONN_END_DONE);
}

/* Before segment() the state says what the flow was. A connection is evidence once its consumer
 * recognised it (a TLS hello), from the packet that shows it to the one that closes it; before,
 * its packets are UNDECIDED (held aside by -w), and never if it closes unrecognised. */
static CpKeep
keep_of(CpTcpReasm *r, CpFlow *f, uint8_t before)
{
    if (before == CP_FLOW_CLOSED)
        return CP_KEEP_NO;
    if (f->state == CP_FLOW_FOLLOWED)
        note_recognised(r, f);
    if (f->recognised)
        return CP_KEEP_YES;
    return f->state == CP_FLOW_CLOSED ? CP_KEEP_NO : CP_KEEP_UNDECIDED;
}

bool
cp_tcp_reasm_segment(CpTcpReasm *r, const CpPacket *pk)
{
    uint64_t flow;

    return cp_tcp_reasm_segment_keep(r, pk, &flow) != CP_KEEP_NO;
}

CpKeep
cp_tcp_reasm_segment_keep(CpTcpReasm *r, const CpPacket *pk, uint64_t *flow)
{
    CpDir dir;

    *flow = 0;
    cp_tcp_reasm_tick(r, pk->ts_ns);
    r->stats.segments++;
    bool opens = (pk->tcp_flags & CP_TCP_SYN) || pk->payload_declared > 0;
    CpFlow *f = cp_flow_table_lookup(r->flows, pk, opens && !(pk->tcp_flags & CP_TCP_RST), &dir);
    if (f == NULL)
        return CP_KEEP_NO;
    /* A direction that reset is over: what it sends later is not followed. */
    if (f->rst_mask & (1u << dir))
        return CP_KEEP_NO;
    bool rst = (pk->tcp_flags & CP_TCP_RST) != 0;
    if (rst && !rst_acceptable(f, dir, pk->seq)) {
        cp_anomaly_add(r->ctx.anomalies, CP_ANOMALY_TCP_RST_IGNORED); /* tcp.rst_ignored */
        return CP_KEEP_NO;
    }
    cp_flow_table_touch(r->flows, f, pk->ts_ns);
    if (pk->has_src_mac && !(f->mac_mask & (1u << dir))) {
        memcpy(f->mac[dir], pk->src_mac, sizeof f->mac[dir]);
        f->mac_mask |= (uint8_t)(1u << dir);
    }
    *flow = f->serial;
    uint8_t before = f->state;
    segment(r, f, dir, pk);
    CpKeep keep = keep_of(r, f, before);
    if (pk->tcp_flags & CP_TCP_FIN)
        f->fin_mask |= (uint8_t)(1u << dir);
    if (rst)
        reset(r, f, dir);
    else if ((f->fin_mask | f->rst_mask) == 3)
        cp_flow_table_remove(r->flows, f, f->rst_mask ? CP_CONN_END_RST : CP_CONN_END_FIN);
    r->stats.connections = cp_flow_table_created(r->flows);
    uint64_t n = cp_flow_table_count(r->flows);
    if (n > r->stats.peak_flows)
        r->stats.peak_flows = n;
    return keep;
}

void
cp_tcp_reasm_tick(CpTcpReasm *r, uint64_t now_ns)
{
    cp_flow_table_tick(r->flows, now_ns);
}

void
cp_tcp_reasm_flush(CpTcpReasm *r)
{
    cp_flow_table_flush(r->flows);
    r->stats.connections = cp_flow_table_created(r->flows);
}

const CpTcpReasmStats *
cp_tcp_reasm_stats(const CpTcpReasm *r)
{
    return &r->stats;
}
