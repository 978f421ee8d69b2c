/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests for reasm/tcp_stream: ordering, overlaps, wrap-around, gaps, limits. */
#include <string.h>
#include <CUnit/CUnit.h>

#include "harness.h"
#include "reasm/tcp_stream.h"

/* A consumer that records what it is given: it consumes everything, or nothing until it holds
 * want bytes (like a record parser waiting for a whole record), or says DONE after done_at. */
typedef struct Rec {
    GByteArray *bytes;
    unsigned gaps;
    unsigned fins;
    unsigned calls;
    size_t want;
    size_t done_at;
} Rec;

static CpFeedResult
rec_feed(void *consumer, CpDir dir, const uint8_t *data, size_t len, unsigned flags)
{
    Rec *r = consumer;

    (void)dir;
    r->calls++;
    r->gaps += (flags & CP_STREAM_GAP) != 0;
    r->fins += (flags & CP_STREAM_FIN) != 0;
    if (r->want > 0 && len < r->want)
        return (CpFeedResult){ CP_FEED_MORE, 0, r->want };
    if (len > 0)
        g_byte_array_append(r->bytes, data, (guint)len);
    if (r->done_at > 0 && r->bytes->len >= r->done_at)
        return (CpFeedResult){ CP_FEED_DONE, len, 0 };
    return (CpFeedResult){ CP_FEED_MORE, len, 0 };
}

typedef struct Fix {
    CpLimits limits;
    CpMemcap memcap;
    CpAnomalies an;
    CpReasmCtx ctx;
    CpTcpStream s;
    Rec rec;
    CpStreamSink sink;
} Fix;

static void
fix_init(Fix *f)
{
    memset(f, 0, sizeof *f);
    cp_limits_init_default(&f->limits);
    f->memcap.cap = 1 << 20;
    f->ctx = (CpReasmCtx){ &f->limits, &f->memcap, &f->an };
    cp_tcp_stream_init(&f->s);
    f->rec.bytes = g_byte_array_new();
    f->sink = (CpStreamSink){ rec_feed, &f->rec, CP_DIR_0 };
}

static void
fix_clear(Fix *f)
{
    cp_tcp_stream_clear(&f->ctx, &f->s);
    CU_ASSERT_EQUAL(f->memcap.used, 0);
    g_byte_array_free(f->rec.bytes, TRUE);
}

static void
seg(Fix *f, uint32_t seq, const char *text)
{
    size_t n = strlen(text);
    cp_tcp_stream_segment(&f->ctx, &f->s, &f->sink, seq, (const uint8_t *)text, n, n);
}

static bool
got(Fix *f, const char *want)
{
    return f->rec.bytes->len == strlen(want) && memcmp(f->rec.bytes->data, want, strlen(want)) == 0;
}

static void
in_order_segments_delivered_in_order(void)
{
    Fix f;
    fix_init(&f);
    cp_tcp_stream_set_next_seq(&f.s, 1000);
    seg(&f, 1000, "hello ");
    seg(&f, 1006, "world");
    CU_ASSERT_TRUE(got(&f, "hello world"));
    fix_clear(&f);
}

static void
out_of_order_segment_waits_for_hole(void)
{
    Fix f;
    fix_init(&f);
    cp_tcp_stream_set_next_seq(&f.s, 1);
    seg(&f, 7, "world");
    CU_ASSERT_EQUAL(f.rec.bytes->len, 0);
    seg(&f, 1, "hello ");
    CU_ASSERT_TRUE(got(&f, "hello world"));
    CU_ASSERT_EQUAL(f.rec.gaps, 0);
    fix_clear(&f);
}

static void
retransmission_counted_not_delivered_twice(void)
{
    Fix f;
    fix_init(&f);
    f.rec.want = 100; /* keep bytes buffered so the retransmission can be compared */
    cp_tcp_stream_set_next_seq(&f.s, 1);
    seg(&f, 1, "abcdef");
    seg(&f, 1, "abcdef");
    CU_ASSERT_EQUAL(f.an.count[CP_ANOMALY_TCP_RETRANSMISSION], 1);
    CU_ASSERT_EQUAL(f.an.count[CP_ANOMALY_TCP_OVERLAP_CONFLICT], 0);
    f.rec.want = 0;
    seg(&f, 7, "g");
    cp_tcp_stream_finish(&f.ctx, &f.s, &f.sink);
    CU_ASSERT_TRUE(got(&f, "abcdefg"));
    fix_clear(&f);
}

static void
overlap_with_different_bytes_counts_conflict_first_wins(void)
{
    Fix f;
    fix_init(&f);
    cp_tcp_stream_set_next_seq(&f.s, 1);
    seg(&f, 5, "EFGH");
    seg(&f, 3, "cdXXGHij"); /* ahead too: overlaps the held EFGH with different bytes */
    CU_ASSERT_EQUAL(f.an.count[CP_ANOMALY_TCP_OVERLAP_CONFLICT], 1);
    seg(&f, 1, "ab");
    CU_ASSERT_TRUE(got(&f, "abcdEFGHij"));
    CU_ASSERT_TRUE(f.s.conflict);
    fix_clear(&f);
}

static void
segment_across_seq_wrap_is_in_order(void)
{
    Fix f;
    fix_init(&f);
    cp_tcp_stream_set_next_seq(&f.s, 0xfffffffcu);
    seg(&f, 0x00000002u, "gh");
    seg(&f, 0xfffffffcu, "abcdef"); /* 6 bytes: wraps to 2 */
    CU_ASSERT_TRUE(got(&f, "abcdefgh"));
    CU_ASSERT_EQUAL(f.s.next_seq, 4u);
    fix_clear(&f);
}

static void
ack_past_held_segment_declares_gap(void)
{
    Fix f;
    fix_init(&f);
    cp_tcp_stream_set_next_seq(&f.s, 1);
    seg(&f, 1, "abc");
    seg(&f, 10, "xyz");
    cp_tcp_stream_acked(&f.ctx, &f.s, &f.sink, 5); /* not past the held segment: wait */
    CU_ASSERT_EQUAL(f.rec.gaps, 0);
    cp_tcp_stream_acked(&f.ctx, &f.s, &f.sink, 13);
    CU_ASSERT_EQUAL(f.rec.gaps, 1);
    CU_ASSERT_TRUE(got(&f, "abcxyz"));
    CU_ASSERT_TRUE(f.s.truncated);
    CU_ASSERT_EQUAL(f.an.count[CP_ANOMALY_TCP_GAP], 1);
    fix_clear(&f);
}

static void
finish_with_held_segments_flags_gap_then_fin(void)
{
    Fix f;
    fix_init(&f);
    cp_tcp_stream_set_next_seq(&f.s, 1);
    seg(&f, 1, "abc");
    seg(&f, 20, "tail");
    cp_tcp_stream_finish(&f.ctx, &f.s, &f.sink);
    CU_ASSERT_EQUAL(f.rec.gaps, 1);
    CU_ASSERT_EQUAL(f.rec.fins, 1);
    CU_ASSERT_TRUE(got(&f, "abctail"));
    CU_ASSERT_TRUE(f.s.done);
    fix_clear(&f);
}

static void
snaplen_cut_segment_makes_gap(void)
{
    Fix f;
    fix_init(&f);
    cp_tcp_stream_set_next_seq(&f.s, 1);
    cp_tcp_stream_segment(&f.ctx, &f.s, &f.sink, 1, (const uint8_t *)"abcd", 4, 10);
    seg(&f, 11, "next");
    CU_ASSERT_EQUAL(f.rec.gaps, 1);
    CU_ASSERT_TRUE(got(&f, "abcdnext"));
    fix_clear(&f);
}

static void
consumer_waiting_for_whole_record_gets_it_whole(void)
{
    Fix f;
    fix_init(&f);
    f.rec.want = 9;
    cp_tcp_stream_set_next_seq(&f.s, 1);
    seg(&f, 1, "abc");
    seg(&f, 4, "def");
    CU_ASSERT_EQUAL(f.rec.bytes->len, 0);
    unsigned calls = f.rec.calls;
    seg(&f, 7, "ghi");
    CU_ASSERT_TRUE(got(&f, "abcdefghi"));
    CU_ASSERT_EQUAL(f.rec.calls, calls + 1);
    fix_clear(&f);
}

static void
done_frees_buffers_and_ignores_later_segments(void)
{
    Fix f;
    fix_init(&f);
    f.rec.done_at = 3;
    cp_tcp_stream_set_next_seq(&f.s, 1);
    seg(&f, 10, "later");
    seg(&f, 1, "abc");
    CU_ASSERT_TRUE(f.s.done);
    CU_ASSERT_EQUAL(cp_tcp_stream_mem(&f.s), 0);
    CU_ASSERT_EQUAL(f.memcap.used, 0);
    seg(&f, 4, "zzz");
    CU_ASSERT_TRUE(got(&f, "abc"));
    fix_clear(&f);
}

static void
ooo_limit_at_limit_holds_over_limit_drops(void)
{
    Fix f;
    fix_init(&f);
    f.limits.max_ooo_segments = 2;
    cp_tcp_stream_set_next_seq(&f.s, 1);
    seg(&f, 10, "a");
    seg(&f, 20, "b");
    CU_ASSERT_EQUAL(f.an.count[CP_ANOMALY_TCP_OOO_LIMIT], 0);
    seg(&f, 30, "c");
    CU_ASSERT_EQUAL(f.an.count[CP_ANOMALY_TCP_OOO_LIMIT], 1);
    CU_ASSERT_EQUAL(f.s.ooo_count, 2);
    fix_clear(&f);
}

static void
buffer_limit_gives_up_direction(void)
{
    Fix f;
    fix_init(&f);
    f.limits.max_dir_buffer = 8;
    f.rec.want = 1000;
    cp_tcp_stream_set_next_seq(&f.s, 1);
    seg(&f, 1, "12345678");
    CU_ASSERT_FALSE(f.s.done);
    seg(&f, 9, "9");
    CU_ASSERT_TRUE(f.s.done);
    CU_ASSERT_EQUAL(f.an.count[CP_ANOMALY_TCP_BUFFER_LIMIT], 1);
    CU_ASSERT_EQUAL(f.rec.fins, 1);
    fix_clear(&f);
}

static void
memcap_refuses_held_segment(void)
{
    Fix f;
    fix_init(&f);
    f.memcap.cap = 16;
    cp_tcp_stream_set_next_seq(&f.s, 1);
    seg(&f, 100, "0123456789abcdef0123");
    CU_ASSERT_EQUAL(f.an.count[CP_ANOMALY_TCP_MEMCAP], 1);
    CU_ASSERT_EQUAL(f.s.ooo_count, 0);
    fix_clear(&f);
}

static void
depth_limit_gives_up(void)
{
    Fix f;
    fix_init(&f);
    f.limits.max_depth = 5;
    cp_tcp_stream_set_next_seq(&f.s, 1);
    seg(&f, 1, "abcde");
    CU_ASSERT_FALSE(f.s.done);
    seg(&f, 6, "f");
    CU_ASSERT_TRUE(f.s.done);
    CU_ASSERT_EQUAL(f.an.count[CP_ANOMALY_TCP_DEPTH], 1);
    fix_clear(&f);
}

static void
midstream_first_segment_sets_sequence(void)
{
    Fix f;
    fix_init(&f);
    seg(&f, 123456, "mid");
    seg(&f, 123459, "dle");
    CU_ASSERT_TRUE(got(&f, "middle"));
    fix_clear(&f);
}

static void
partial_overlap_trims_old_part(void)
{
    Fix f;
    fix_init(&f);
    cp_tcp_stream_set_next_seq(&f.s, 1);
    seg(&f, 1, "abcd");
    seg(&f, 3, "cdef");
    CU_ASSERT_TRUE(got(&f, "abcdef"));
    fix_clear(&f);
}

static void
rebase_before_any_byte_moves_the_first_sequence_number(void)
{
    Fix f;
    fix_init(&f);
    cp_tcp_stream_set_next_seq(&f.s, 500);            /* the first SYN/ACK */
    CU_ASSERT_TRUE(cp_tcp_stream_rebase(&f.s, 9000)); /* the one the client took */
    CU_ASSERT_FALSE(cp_tcp_stream_rebase(&f.s, 9000));
    seg(&f, 9000, "cert");
    CU_ASSERT_TRUE(got(&f, "cert"));
    CU_ASSERT_EQUAL(f.an.count[CP_ANOMALY_TCP_RETRANSMISSION], 0);
    fix_clear(&f);
}

static void
rebase_after_data_or_held_segment_is_refused(void)
{
    Fix f;
    fix_init(&f);
    cp_tcp_stream_set_next_seq(&f.s, 1);
    seg(&f, 5, "held");
    CU_ASSERT_FALSE(cp_tcp_stream_rebase(&f.s, 5)); /* a segment is held: the space is settled */
    seg(&f, 1, "abcd");
    CU_ASSERT_TRUE(got(&f, "abcdheld"));
    CU_ASSERT_FALSE(cp_tcp_stream_rebase(&f.s, 7777)); /* bytes flowed */
    seg(&f, 9, "!");
    CU_ASSERT_TRUE(got(&f, "abcdheld!"));
    fix_clear(&f);
}

static CU_TestInfo tests[] = {
    { "rebase_before_any_byte_moves_the_first_sequence_number",
      rebase_before_any_byte_moves_the_first_sequence_number },
    { "rebase_after_data_or_held_segment_is_refused",
      rebase_after_data_or_held_segment_is_refused },
    { "in_order_segments_delivered_in_order", in_order_segments_delivered_in_order },
    { "out_of_order_segment_waits_for_hole", out_of_order_segment_waits_for_hole },
    { "retransmission_counted_not_delivered_twice", retransmission_counted_not_delivered_twice },
    { "overlap_with_different_bytes_counts_conflict_first_wins",
      overlap_with_different_bytes_counts_conflict_first_wins },
    { "segment_across_seq_wrap_is_in_order", segment_across_seq_wrap_is_in_order },
    { "ack_past_held_segment_declares_gap", ack_past_held_segment_declares_gap },
    { "finish_with_held_segments_flags_gap_then_fin",
      finish_with_held_segments_flags_gap_then_fin },
    { "snaplen_cut_segment_makes_gap", snaplen_cut_segment_makes_gap },
    { "consumer_waiting_for_whole_record_gets_it_whole",
      consumer_waiting_for_whole_record_gets_it_whole },
    { "done_frees_buffers_and_ignores_later_segments",
      done_frees_buffers_and_ignores_later_segments },
    { "ooo_limit_at_limit_holds_over_limit_drops", ooo_limit_at_limit_holds_over_limit_drops },
    { "buffer_limit_gives_up_direction", buffer_limit_gives_up_direction },
    { "memcap_refuses_held_segment", memcap_refuses_held_segment },
    { "depth_limit_gives_up", depth_limit_gives_up },
    { "midstream_first_segment_sets_sequence", midstream_first_segment_sets_sequence },
    { "partial_overlap_trims_old_part", partial_overlap_trims_old_part },
    CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
    return cp_test_main("tcp_stream", tests, argc, argv);
}
