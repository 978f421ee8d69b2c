/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests for reasm/tcp_reasm: reassembly owns the connection's life and tells its consumer
 * through reasm/conn.h — open on the first payload byte, data in order, close once with the
 * reason and the stream facts (gaps, conflicts), tombstone after DONE. */
#include <string.h>
#include <CUnit/CUnit.h>

#include "harness.h"
#include "reasm/tcp_reasm.h"

/* A consumer that records what reassembly tells it. */
typedef struct Rec {
    unsigned opens, closes;
    bool decline;       /* open returns NULL */
    bool done_after[2]; /* answer DONE after the first delivery of direction d */
    GString *bytes[2];
    unsigned flags_seen[2];
    CpConnInfo info;
    CpConnEnd end;
} Rec;

static void *
rec_open(void *user, const CpConnInfo *info)
{
    Rec *r = user;

    r->opens++;
    r->info = *info;
    return r->decline ? NULL : r;
}

static CpFeedResult
rec_data(void *state, CpDir dir, const uint8_t *data, size_t len, unsigned flags)
{
    Rec *r = state;

    g_string_append_len(r->bytes[dir], (const char *)data, (gssize)len);
    r->flags_seen[dir] |= flags;
    if (r->done_after[dir])
        return (CpFeedResult){ CP_FEED_DONE, len, 0 };
    return (CpFeedResult){ CP_FEED_MORE, len, 0 };
}

static void
rec_close(void *state, const CpConnInfo *info, const CpConnEnd *end)
{
    Rec *r = state;

    (void)info;
    r->closes++;
    r->end = *end;
}

typedef struct Fixture {
    CpLimits limits;
    CpAnomalies an;
    CpMemcap memcap;
    Rec rec;
    CpTcpReasm *tcp;
} Fixture;

static void
setup(Fixture *fx)
{
    memset(fx, 0, sizeof *fx);
    cp_limits_init_default(&fx->limits);
    fx->memcap.cap = 1 << 20;
    fx->rec.bytes[0] = g_string_new(NULL);
    fx->rec.bytes[1] = g_string_new(NULL);
    CpConnConsumer c = { rec_open, rec_data, rec_close, &fx->rec };
    fx->tcp = cp_tcp_reasm_new(&fx->limits, &fx->an, &fx->memcap, &c);
}

static void
teardown(Fixture *fx)
{
    cp_tcp_reasm_free(fx->tcp);
    g_string_free(fx->rec.bytes[0], TRUE);
    g_string_free(fx->rec.bytes[1], TRUE);
}

/* A segment of client 10.0.0.1:50000 <-> server 10.0.0.2:443; from_client picks the
 * direction. */
static CpPacket
packet(bool from_client, uint8_t flags, uint32_t seq, uint32_t ack, const char *payload)
{
    CpPacket p;

    memset(&p, 0, sizeof p);
    p.src.family = p.dst.family = 4;
    p.src.bytes[0] = p.dst.bytes[0] = 10;
    p.src.bytes[3] = from_client ? 1 : 2;
    p.dst.bytes[3] = from_client ? 2 : 1;
    p.sport = from_client ? 50000 : 443;
    p.dport = from_client ? 443 : 50000;
    p.seq = seq;
    p.ack = ack;
    p.tcp_flags = flags;
    p.payload = (const uint8_t *)payload;
    p.payload_len = p.payload_declared = payload != NULL ? strlen(payload) : 0;
    p.ts_ns = 1000;
    return p;
}

static bool
seg_ack(Fixture *fx, bool from_client, uint8_t flags, uint32_t seq, uint32_t ack,
        const char *payload)
{
    CpPacket p = packet(from_client, flags, seq, ack, payload);

    return cp_tcp_reasm_segment(fx->tcp, &p);
}

static bool
seg(Fixture *fx, bool from_client, uint8_t flags, uint32_t seq, const char *payload)
{
    return seg_ack(fx, from_client, flags, seq, 0, payload);
}

static void
handshake(Fixture *fx)
{
    seg(fx, true, CP_TCP_SYN, 99, NULL);
    seg(fx, false, CP_TCP_SYN | CP_TCP_ACK, 499, NULL);
}

static void
opens_on_first_payload_with_the_opener_known(void)
{
    Fixture fx;
    setup(&fx);
    handshake(&fx);
    CU_ASSERT_EQUAL(fx.rec.opens, 0);
    seg(&fx, true, CP_TCP_ACK, 100, "hello");
    CU_ASSERT_EQUAL(fx.rec.opens, 1);
    CU_ASSERT_TRUE(fx.rec.info.opener_known);
    CU_ASSERT_EQUAL(fx.rec.info.port[0], 50000);
    CU_ASSERT_EQUAL(fx.rec.info.port[1], 443);
    CU_ASSERT_STRING_EQUAL(fx.rec.bytes[0]->str, "hello");
    CU_ASSERT_EQUAL(fx.an.count[CP_ANOMALY_FLOW_MIDSTREAM], 0);
    teardown(&fx);
}

static void
out_of_order_bytes_arrive_in_order(void)
{
    Fixture fx;
    setup(&fx);
    handshake(&fx);
    seg(&fx, false, CP_TCP_ACK, 503, "def");
    seg(&fx, false, CP_TCP_ACK, 500, "abc");
    CU_ASSERT_STRING_EQUAL(fx.rec.bytes[1]->str, "abcdef");
    teardown(&fx);
}

static void
fin_from_both_ends_each_direction_and_closes_once(void)
{
    Fixture fx;
    setup(&fx);
    handshake(&fx);
    seg(&fx, true, CP_TCP_ACK, 100, "ab");
    seg(&fx, true, CP_TCP_ACK | CP_TCP_FIN, 102, NULL);
    CU_ASSERT_TRUE(fx.rec.flags_seen[0] & CP_STREAM_FIN);
    CU_ASSERT_EQUAL(fx.rec.closes, 0);
    seg(&fx, false, CP_TCP_ACK | CP_TCP_FIN, 500, NULL);
    /* Both directions ended in order: the consumer is done before the connection is. */
    CU_ASSERT_EQUAL(fx.rec.closes, 1);
    CU_ASSERT_EQUAL(fx.rec.end.reason, CP_CONN_END_DONE);
    CU_ASSERT_EQUAL(cp_tcp_reasm_stats(fx.tcp)->connections, 1);
    teardown(&fx);
    CU_ASSERT_EQUAL(fx.rec.closes, 1); /* never twice */
}

static void
fin_from_both_with_a_hole_closes_with_reason_fin(void)
{
    Fixture fx;
    setup(&fx);
    handshake(&fx);
    seg(&fx, false, CP_TCP_ACK, 502, "cd");
    seg(&fx, false, CP_TCP_ACK | CP_TCP_FIN, 504, NULL); /* waits for bytes 500-501 */
    seg(&fx, true, CP_TCP_ACK | CP_TCP_FIN, 100, NULL);
    CU_ASSERT_EQUAL(fx.rec.closes, 1);
    CU_ASSERT_EQUAL(fx.rec.end.reason, CP_CONN_END_FIN);
    CU_ASSERT_TRUE(fx.rec.end.truncated[1]);
    CU_ASSERT_STRING_EQUAL(fx.rec.bytes[1]->str, "cd");
    teardown(&fx);
}

static void
fin_before_a_hole_waits_for_it(void)
{
    Fixture fx;
    setup(&fx);
    handshake(&fx);
    seg(&fx, false, CP_TCP_ACK, 502, "cd");
    seg(&fx, false, CP_TCP_ACK | CP_TCP_FIN, 504, NULL);
    CU_ASSERT_FALSE(fx.rec.flags_seen[1] & CP_STREAM_FIN);
    seg(&fx, false, CP_TCP_ACK, 500, "ab");
    CU_ASSERT_STRING_EQUAL(fx.rec.bytes[1]->str, "abcd");
    CU_ASSERT_TRUE(fx.rec.flags_seen[1] & CP_STREAM_FIN);
    teardown(&fx);
}

static void
done_both_ways_closes_and_leaves_a_tombstone(void)
{
    Fixture fx;
    setup(&fx);
    fx.rec.done_after[0] = fx.rec.done_after[1] = true;
    handshake(&fx);
    CU_ASSERT_TRUE(seg(&fx, true, CP_TCP_ACK, 100, "x"));
    CU_ASSERT_TRUE(seg(&fx, false, CP_TCP_ACK, 500, "y"));
    CU_ASSERT_EQUAL(fx.rec.closes, 1);
    CU_ASSERT_EQUAL(fx.rec.end.reason, CP_CONN_END_DONE);
    /* Bulk data after the handshake: no longer evidence, no second open. */
    CU_ASSERT_FALSE(seg(&fx, false, CP_TCP_ACK, 501, "more"));
    CU_ASSERT_EQUAL(fx.rec.opens, 1);
    CU_ASSERT_STRING_EQUAL(fx.rec.bytes[1]->str, "y");
    teardown(&fx);
    CU_ASSERT_EQUAL(fx.rec.closes, 1);
}

static void
rst_from_client_ends_its_side_server_flight_still_delivered(void)
{
    Fixture fx;
    setup(&fx);
    handshake(&fx);
    seg(&fx, false, CP_TCP_ACK, 500, "ab");
    seg(&fx, false, CP_TCP_ACK, 504, "ef"); /* held behind a hole */
    seg(&fx, true, CP_TCP_RST, 100, NULL);  /* the client aborts: its RCV.NXT is exact */
    CU_ASSERT_EQUAL(fx.rec.closes, 0);
    /* The server's flight was already on the wire: it still arrives and is delivered. */
    seg(&fx, false, CP_TCP_ACK, 502, "cd");
    CU_ASSERT_STRING_EQUAL(fx.rec.bytes[1]->str, "abcdef");
    CU_ASSERT_FALSE(seg(&fx, true, CP_TCP_ACK, 100, "late")); /* the client side is over */
    CU_ASSERT_STRING_EQUAL(fx.rec.bytes[0]->str, "");
    cp_tcp_reasm_flush(fx.tcp);
    CU_ASSERT_EQUAL(fx.rec.closes, 1);
    CU_ASSERT_EQUAL(fx.rec.end.reason, CP_CONN_END_RST);
    CU_ASSERT_FALSE(fx.rec.flags_seen[1] & CP_STREAM_GAP);
    CU_ASSERT_FALSE(fx.rec.end.truncated[1]);
    teardown(&fx);
}

static void
rst_from_both_sides_closes_and_delivers_what_is_held(void)
{
    Fixture fx;
    setup(&fx);
    handshake(&fx);
    seg(&fx, false, CP_TCP_ACK, 500, "ab");
    seg(&fx, false, CP_TCP_ACK, 504, "ef"); /* held behind a hole */
    seg(&fx, true, CP_TCP_RST, 100, NULL);
    seg(&fx, false, CP_TCP_RST, 502, NULL);
    CU_ASSERT_EQUAL(fx.rec.closes, 1);
    CU_ASSERT_EQUAL(fx.rec.end.reason, CP_CONN_END_RST);
    CU_ASSERT_STRING_EQUAL(fx.rec.bytes[1]->str, "abef");
    CU_ASSERT_TRUE(fx.rec.flags_seen[1] & CP_STREAM_GAP);
    CU_ASSERT_TRUE(fx.rec.end.truncated[1]);
    CU_ASSERT_FALSE(fx.rec.end.truncated[0]);
    teardown(&fx);
}

static void
rst_at_unacceptable_seq_is_counted_and_ignored(void)
{
    Fixture fx;
    setup(&fx);
    handshake(&fx);
    seg_ack(&fx, true, CP_TCP_ACK, 100, 500, "hi");
    seg_ack(&fx, false, CP_TCP_ACK, 500, 102, "ab");
    /* Blind resets: neither side's RCV.NXT (RFC 5961 §3.2). */
    CU_ASSERT_FALSE(seg(&fx, false, CP_TCP_RST, 70000, NULL));
    CU_ASSERT_FALSE(seg(&fx, true, CP_TCP_RST, 99, NULL));
    CU_ASSERT_EQUAL(fx.an.count[CP_ANOMALY_TCP_RST_IGNORED], 2);
    CU_ASSERT_EQUAL(fx.rec.closes, 0);
    seg_ack(&fx, false, CP_TCP_ACK, 502, 102, "cd");
    CU_ASSERT_STRING_EQUAL(fx.rec.bytes[1]->str, "abcd");
    /* The exact one is taken. */
    seg(&fx, false, CP_TCP_RST, 504, NULL);
    seg(&fx, true, CP_TCP_RST, 102, NULL);
    CU_ASSERT_EQUAL(fx.rec.closes, 1);
    CU_ASSERT_EQUAL(fx.rec.end.reason, CP_CONN_END_RST);
    teardown(&fx);
}

static void
second_syn_ack_with_other_isn_carries_the_server_flight(void)
{
    Fixture fx;
    setup(&fx);
    seg(&fx, true, CP_TCP_SYN, 99, NULL);
    seg_ack(&fx, false, CP_TCP_SYN | CP_TCP_ACK, 499, 100, NULL);
    seg_ack(&fx, false, CP_TCP_SYN | CP_TCP_ACK, 8999, 100, NULL);
    seg_ack(&fx, true, CP_TCP_ACK, 100, 9000, NULL);
    seg_ack(&fx, true, CP_TCP_ACK, 100, 9000, "hello");
    seg_ack(&fx, false, CP_TCP_ACK, 9000, 105, "cert");
    CU_ASSERT_STRING_EQUAL(fx.rec.bytes[1]->str, "cert");
    CU_ASSERT_EQUAL(fx.an.count[CP_ANOMALY_TCP_RETRANSMISSION], 0);
    teardown(&fx);
}

static void
peer_ack_picks_the_earlier_of_two_syn_acks(void)
{
    Fixture fx;
    setup(&fx);
    seg(&fx, true, CP_TCP_SYN, 99, NULL);
    seg_ack(&fx, false, CP_TCP_SYN | CP_TCP_ACK, 499, 100, NULL);
    seg_ack(&fx, false, CP_TCP_SYN | CP_TCP_ACK, 8999, 100, NULL);
    seg_ack(&fx, true, CP_TCP_ACK, 100, 500, "hello"); /* the client took the first */
    seg_ack(&fx, false, CP_TCP_ACK, 500, 105, "cert");
    CU_ASSERT_STRING_EQUAL(fx.rec.bytes[1]->str, "cert");
    /* Once bytes flowed, a late SYN/ACK cannot move the sequence space. */
    seg_ack(&fx, false, CP_TCP_SYN | CP_TCP_ACK, 7776, 100, NULL);
    seg_ack(&fx, false, CP_TCP_ACK, 504, 105, "!");
    CU_ASSERT_STRING_EQUAL(fx.rec.bytes[1]->str, "cert!");
    teardown(&fx);
}

static void
conflicting_overlap_reaches_the_consumer(void)
{
    Fixture fx;
    setup(&fx);
    handshake(&fx);
    seg(&fx, false, CP_TCP_ACK, 502, "cd");
    seg(&fx, false, CP_TCP_ACK, 502, "XY"); /* same bytes, other content: first seen wins */
    seg(&fx, false, CP_TCP_ACK, 500, "ab");
    cp_tcp_reasm_flush(fx.tcp);
    CU_ASSERT_STRING_EQUAL(fx.rec.bytes[1]->str, "abcd");
    CU_ASSERT_EQUAL(fx.rec.end.reason, CP_CONN_END_FLUSH);
    CU_ASSERT_TRUE(fx.rec.end.conflict[1]);
    CU_ASSERT_FALSE(fx.rec.end.conflict[0]);
    teardown(&fx);
}

static CpKeep
keep_of(Fixture *fx, bool from_client, uint8_t flags, uint32_t seq, const char *payload,
        uint64_t *flow)
{
    CpPacket p = packet(from_client, flags, seq, 0, payload);

    return cp_tcp_reasm_segment_keep(fx->tcp, &p, flow);
}

/* SYNs are undecided until the connection's first payload is taken: a SYN flood is never
 * evidence by itself, and a SYN of a connection that reaches a hello is. */
static void
syn_is_undecided_until_the_first_payload(void)
{
    Fixture fx;
    uint64_t f1 = 0, f2 = 0, f3 = 0;
    setup(&fx);
    CU_ASSERT_EQUAL(keep_of(&fx, true, CP_TCP_SYN, 99, NULL, &f1), CP_KEEP_UNDECIDED);
    CU_ASSERT_EQUAL(keep_of(&fx, false, CP_TCP_SYN | CP_TCP_ACK, 499, NULL, &f2),
                    CP_KEEP_UNDECIDED);
    CU_ASSERT(f1 != 0 && f1 == f2); /* the same connection names itself the same */
    CU_ASSERT_EQUAL(keep_of(&fx, true, CP_TCP_ACK, 100, "hello", &f3), CP_KEEP_YES);
    CU_ASSERT_EQUAL(f3, f1);
    teardown(&fx);

    setup(&fx);
    fx.rec.decline = true;
    CU_ASSERT_EQUAL(keep_of(&fx, true, CP_TCP_SYN, 99, NULL, &f1), CP_KEEP_UNDECIDED);
    CU_ASSERT_EQUAL(keep_of(&fx, true, CP_TCP_ACK, 100, "GET", &f3), CP_KEEP_NO);
    CU_ASSERT_EQUAL(f3, f1); /* what was held for it can be forgotten */
    teardown(&fx);
}

static void
declined_connection_is_never_fed(void)
{
    Fixture fx;
    setup(&fx);
    fx.rec.decline = true;
    handshake(&fx);
    /* The packet the consumer was asked on and declined is no handshake's evidence either. */
    CU_ASSERT_FALSE(seg(&fx, true, CP_TCP_ACK, 100, "x"));
    CU_ASSERT_FALSE(seg(&fx, true, CP_TCP_ACK, 101, "y"));
    CU_ASSERT_EQUAL(fx.rec.opens, 1);
    CU_ASSERT_EQUAL(fx.rec.bytes[0]->len, 0);
    teardown(&fx);
    CU_ASSERT_EQUAL(fx.rec.closes, 0);
}

static void
midstream_connection_is_counted_and_guessed_by_port(void)
{
    Fixture fx;
    setup(&fx);
    seg(&fx, false, CP_TCP_ACK, 500, "srv");
    CU_ASSERT_EQUAL(fx.an.count[CP_ANOMALY_FLOW_MIDSTREAM], 1);
    CU_ASSERT_FALSE(fx.rec.info.opener_known);
    CU_ASSERT_EQUAL(fx.rec.info.port[1], 443);
    CU_ASSERT_STRING_EQUAL(fx.rec.bytes[1]->str, "srv");
    teardown(&fx);
}

static void
idle_connection_expires_with_reason_timeout(void)
{
    Fixture fx;
    setup(&fx);
    handshake(&fx);
    seg(&fx, true, CP_TCP_ACK, 100, "x");
    cp_tcp_reasm_tick(fx.tcp, 1000 + (fx.limits.flow_timeout_s + 2) * 1000000000ull);
    CU_ASSERT_EQUAL(fx.rec.closes, 1);
    CU_ASSERT_EQUAL(fx.rec.end.reason, CP_CONN_END_TIMEOUT);
    teardown(&fx);
}

static CU_TestInfo tests[] = {
    { "opens_on_first_payload_with_the_opener_known",
      opens_on_first_payload_with_the_opener_known },
    { "out_of_order_bytes_arrive_in_order", out_of_order_bytes_arrive_in_order },
    { "fin_from_both_ends_each_direction_and_closes_once",
      fin_from_both_ends_each_direction_and_closes_once },
    { "fin_from_both_with_a_hole_closes_with_reason_fin",
      fin_from_both_with_a_hole_closes_with_reason_fin },
    { "fin_before_a_hole_waits_for_it", fin_before_a_hole_waits_for_it },
    { "done_both_ways_closes_and_leaves_a_tombstone",
      done_both_ways_closes_and_leaves_a_tombstone },
    { "rst_from_client_ends_its_side_server_flight_still_delivered",
      rst_from_client_ends_its_side_server_flight_still_delivered },
    { "rst_from_both_sides_closes_and_delivers_what_is_held",
      rst_from_both_sides_closes_and_delivers_what_is_held },
    { "rst_at_unacceptable_seq_is_counted_and_ignored",
      rst_at_unacceptable_seq_is_counted_and_ignored },
    { "second_syn_ack_with_other_isn_carries_the_server_flight",
      second_syn_ack_with_other_isn_carries_the_server_flight },
    { "peer_ack_picks_the_earlier_of_two_syn_acks", peer_ack_picks_the_earlier_of_two_syn_acks },
    { "conflicting_overlap_reaches_the_consumer", conflicting_overlap_reaches_the_consumer },
    { "declined_connection_is_never_fed", declined_connection_is_never_fed },
    { "syn_is_undecided_until_the_first_payload", syn_is_undecided_until_the_first_payload },
    { "midstream_connection_is_counted_and_guessed_by_port",
      midstream_connection_is_counted_and_guessed_by_port },
    { "idle_connection_expires_with_reason_timeout", idle_connection_expires_with_reason_timeout },
    CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
    return cp_test_main("tcp_reasm", tests, argc, argv);
}
