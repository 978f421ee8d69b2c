/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_tcp_stream: both directions of a TCP connection reassembled by reasm/tcp_stream.h
 * (RFC 9293 §3.4) with a consumer that plays the stream_sink contract adversarially: it
 * sometimes consumes part of a delivery, asks for more with `needed`, or says DONE (STYLE R65).
 *
 * Input layout:
 *   header (8 bytes): isn0[4] (big-endian), config, rng seed, tiny-limits flags, unused
 *     config bit 0/1: the SYN of direction 0/1 was seen (cp_tcp_stream_set_next_seq);
 *   then segments of {flags, delta_hi, delta_lo, len, len bytes}:
 *     flags bit 0: direction; bit 1: this is an ACK from the other side (delta moves the ack,
 *     no payload); bit 2: finish the direction after it; bit 3: the capture cut the segment
 *     (declared = len + 100); delta: signed 16-bit offset from where the previous segment of
 *     the direction ended (0 = in order, < 0 overlap/retransmission, > 0 hole).
 * Checked: consumed <= len, no delivery after DONE or FIN, `needed` honoured unless FIN/GAP,
 * the memcap never exceeded and back to 0 once both directions are cleared.
 */
#include <glib.h>
#include <string.h>

#include "fuzz.h"
#include "reasm/tcp_stream.h"

enum {
    CFG_SYN0 = 0x01,
    CFG_SYN1 = 0x02,
    SEG_DIR1 = 0x01,
    SEG_ACK = 0x02,
    SEG_FIN = 0x04,
    SEG_CUT = 0x08,
    TINY_BUFFER = 0x01,
    TINY_OOO = 0x02,
    TINY_MEMCAP = 0x04,
    HEADER_LEN = 8,
};

typedef struct FuzzConsumer {
    uint32_t rng;
    size_t needed[2];
    bool done[2];
    bool fin[2];
    unsigned sum;
} FuzzConsumer;

static uint32_t
next_rand(FuzzConsumer *c)
{
    c->rng = c->rng * 1103515245u + 12345u; /* ANSI C LCG: deterministic per input */
    return c->rng >> 16;
}

static CpFeedResult
consume(void *user, CpDir dir, const uint8_t *data, size_t len, unsigned flags)
{
    FuzzConsumer *c = user;
    CpFeedResult r = { .status = CP_FEED_MORE };

    CP_FUZZ_CHECK(dir == CP_DIR_0 || dir == CP_DIR_1);
    CP_FUZZ_CHECK(!c->done[dir] && !c->fin[dir]);
    CP_FUZZ_CHECK(len == 0 || data != NULL);
    if (!(flags & (CP_STREAM_FIN | CP_STREAM_GAP)))
        CP_FUZZ_CHECK(len >= c->needed[dir]);
    for (size_t i = 0; i < len; i++)
        c->sum += data[i];
    if (flags & CP_STREAM_FIN)
        c->fin[dir] = true;
    uint32_t roll = next_rand(c);
    if (roll % 61 == 0) {
        c->done[dir] = true;
        r.status = (roll & 1) ? CP_FEED_DONE : CP_FEED_ERROR;
        return r;
    }
    r.consumed = (roll & 3) == 0 ? len : (len > 0 ? next_rand(c) % (len + 1) : 0);
    c->needed[dir] = 0;
    if ((roll & 0x30) == 0x30) /* wait for more than is there now */
        c->needed[dir] = len - r.consumed + 1 + next_rand(c) % 300;
    r.needed = c->needed[dir];
    return r;
}

static uint32_t
be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static void
init_limits(CpLimits *l, uint8_t tiny)
{
    cp_limits_init_default(l);
    if (tiny & TINY_BUFFER)
        l->max_dir_buffer = 300;
    if (tiny & TINY_OOO)
        l->max_ooo_segments = 3;
    if (tiny & TINY_MEMCAP)
        l->reasm_memcap = 2048;
}

typedef struct FuzzConn {
    CpReasmCtx ctx;
    CpTcpStream stream[2];
    CpStreamSink sink[2];
    uint32_t cursor[2]; /* where the last segment of each direction ended */
    uint32_t ack[2];    /* highest ack sent for each direction */
} FuzzConn;

/* One segment record; returns the bytes it used from data. */
static size_t
one_segment(FuzzConn *k, const uint8_t *data, size_t size)
{
    uint8_t fl = data[0];
    int dir = fl & SEG_DIR1;
    uint16_t raw = (uint16_t)((data[1] << 8) | data[2]);
    /* A signed 16-bit offset, sign-extended modulo 2^32 as sequence numbers wrap. */
    uint32_t delta = (raw & 0x8000u) ? (0xFFFF0000u | raw) : raw;
    size_t len = MIN((size_t)data[3], size - 4);
    const uint8_t *payload = data + 4;

    if (fl & SEG_ACK) {
        k->ack[dir] += delta;
        cp_tcp_stream_acked(&k->ctx, &k->stream[dir], &k->sink[dir], k->ack[dir]);
        return 4;
    }
    uint32_t seq = k->cursor[dir] + delta;
    size_t declared = (fl & SEG_CUT) ? len + 100 : len;
    cp_tcp_stream_segment(&k->ctx, &k->stream[dir], &k->sink[dir], seq, payload, len, declared);
    k->cursor[dir] = seq + (uint32_t)declared;
    if (fl & SEG_FIN)
        cp_tcp_stream_finish(&k->ctx, &k->stream[dir], &k->sink[dir]);
    CP_FUZZ_CHECK(k->ctx.memcap->used <= k->ctx.memcap->cap);
    return 4 + len;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < HEADER_LEN)
        return 0;
    CpLimits limits;
    CpAnomalies anomalies = { 0 };
    FuzzConsumer consumer = { .rng = data[5] };
    FuzzConn k = { 0 };

    init_limits(&limits, data[6]);
    CpMemcap memcap = { .cap = limits.reasm_memcap };
    k.ctx = (CpReasmCtx){ .limits = &limits, .memcap = &memcap, .anomalies = &anomalies };
    k.cursor[0] = be32(data);
    k.cursor[1] = ~k.cursor[0];
    for (int d = 0; d < 2; d++) {
        cp_tcp_stream_init(&k.stream[d]);
        k.sink[d] = (CpStreamSink){ .feed = consume, .consumer = &consumer, .dir = (CpDir)d };
        k.ack[d] = k.cursor[d];
        if (data[4] & (CFG_SYN0 << d))
            cp_tcp_stream_set_next_seq(&k.stream[d], k.cursor[d]);
    }
    for (size_t at = HEADER_LEN; at + 4 <= size;)
        at += one_segment(&k, data + at, size - at);
    for (int d = 0; d < 2; d++) {
        if (!k.stream[d].fin_delivered)
            cp_tcp_stream_finish(&k.ctx, &k.stream[d], &k.sink[d]);
        (void)cp_tcp_stream_mem(&k.stream[d]);
        cp_tcp_stream_clear(&k.ctx, &k.stream[d]);
    }
    CP_FUZZ_CHECK(memcap.used == 0);
    return 0;
}
