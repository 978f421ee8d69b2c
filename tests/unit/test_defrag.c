/* SPDX-License-Identifier: BSD-2-Clause */
/* test_defrag: the IP fragment reassembler on its own (src/net/defrag.h): completion in any
 * order, first-seen overlaps, timeout, datagram and memory limits, size and tail checks. */
#include <string.h>

#include "harness.h"
#include "net/defrag.h"

#define SEC 1000000000ull

typedef struct Fixture {
    CpLimits limits;
    CpAnomalies anomalies;
    CpDefrag *d;
    uint8_t data[70000]; /* pattern: byte i of a datagram is (i * 7 + 3) & 0xff */
} Fixture;

static Fixture fx;

static void
setup(void)
{
    memset(&fx.anomalies, 0, sizeof fx.anomalies);
    cp_limits_init_default(&fx.limits);
    for (size_t i = 0; i < sizeof fx.data; i++)
        fx.data[i] = (uint8_t)(i * 7 + 3);
}

static void
start(void)
{
    fx.d = cp_defrag_new(&fx.limits, &fx.anomalies);
}

static void
finish(void)
{
    cp_defrag_free(fx.d);
    fx.d = NULL;
}

static uint64_t
anomaly(CpAnomalyId id)
{
    return fx.anomalies.count[id];
}

static CpDefragFrag
frag4(uint32_t id, size_t off, size_t len, bool more)
{
    CpDefragFrag f = { 0 };

    f.key.family = 4;
    f.key.proto = 6;
    f.key.id = id;
    f.key.src[0] = 10;
    f.key.src[3] = 1;
    f.key.dst[0] = 10;
    f.key.dst[3] = 2;
    f.next_proto = 6;
    f.hdr_len = 20;
    f.offset = off;
    f.more = more;
    f.data = fx.data + off;
    f.len = len;
    return f;
}

static CpDefragResult
add(CpDefragFrag f, uint64_t ts, CpDefragDatagram *out)
{
    return cp_defrag_add(fx.d, &f, ts, out);
}

static void
check_pattern(const CpDefragDatagram *dg, size_t len)
{
    CU_ASSERT_EQUAL(dg->len, len);
    CU_ASSERT_PTR_NOT_NULL_FATAL(dg->data);
    CU_ASSERT_EQUAL(memcmp(dg->data, fx.data, len), 0);
}

static void
test_defrag_in_order_completes(void)
{
    CpDefragDatagram dg;

    setup();
    start();
    CU_ASSERT_EQUAL(add(frag4(1, 0, 16, true), 0, &dg), CP_DEFRAG_HELD);
    CU_ASSERT_EQUAL(cp_defrag_count(fx.d), 1);
    CU_ASSERT_EQUAL(add(frag4(1, 16, 16, true), 0, &dg), CP_DEFRAG_HELD);
    CU_ASSERT_EQUAL(add(frag4(1, 32, 5, false), 0, &dg), CP_DEFRAG_DONE);
    check_pattern(&dg, 37);
    CU_ASSERT_EQUAL(dg.next_proto, 6);
    CU_ASSERT_EQUAL(cp_defrag_count(fx.d), 0);
    CU_ASSERT_EQUAL(cp_defrag_memuse(fx.d), 0);
    finish();
}

static void
test_defrag_out_of_order_completes(void)
{
    CpDefragDatagram dg;

    setup();
    start();
    CU_ASSERT_EQUAL(add(frag4(2, 32, 5, false), 0, &dg), CP_DEFRAG_HELD);
    CU_ASSERT_EQUAL(add(frag4(2, 0, 16, true), 0, &dg), CP_DEFRAG_HELD);
    CU_ASSERT_EQUAL(add(frag4(2, 16, 16, true), 0, &dg), CP_DEFRAG_DONE);
    check_pattern(&dg, 37);
    CU_ASSERT_EQUAL(anomaly(CP_ANOMALY_IP_FRAG_OVERLAP), 0);
    finish();
}

static void
test_defrag_overlap_counts_first_seen_wins(void)
{
    CpDefragDatagram dg;
    uint8_t other[24];
    CpDefragFrag f;

    setup();
    start();
    CU_ASSERT_EQUAL(add(frag4(3, 8, 16, true), 0, &dg), CP_DEFRAG_HELD);
    /* Covers [0, 24) with different bytes: only [0, 8) is new; [8, 24) keeps the first. */
    memset(other, 0xee, sizeof other);
    f = frag4(3, 0, 24, true);
    f.data = other;
    CU_ASSERT_EQUAL(add(f, 0, &dg), CP_DEFRAG_HELD);
    CU_ASSERT_EQUAL(anomaly(CP_ANOMALY_IP_FRAG_OVERLAP), 1);
    CU_ASSERT_EQUAL(add(frag4(3, 24, 8, false), 0, &dg), CP_DEFRAG_DONE);
    CU_ASSERT_EQUAL_FATAL(dg.len, 32);
    CU_ASSERT_EQUAL(memcmp(dg.data, other, 8), 0);
    CU_ASSERT_EQUAL(memcmp(dg.data + 8, fx.data + 8, 24), 0);
    finish();
}

static void
test_defrag_overlap_spanning_holes_fills_only_holes(void)
{
    CpDefragDatagram dg;
    uint8_t other[48];
    CpDefragFrag f;

    setup();
    start();
    CU_ASSERT_EQUAL(add(frag4(4, 8, 8, true), 0, &dg), CP_DEFRAG_HELD);
    CU_ASSERT_EQUAL(add(frag4(4, 24, 8, true), 0, &dg), CP_DEFRAG_HELD);
    /* One fragment over two held pieces and three holes, ending the datagram. */
    memset(other, 0x55, sizeof other);
    f = frag4(4, 0, 40, false);
    f.data = other;
    CU_ASSERT_EQUAL(add(f, 0, &dg), CP_DEFRAG_DONE);
    CU_ASSERT_EQUAL(anomaly(CP_ANOMALY_IP_FRAG_OVERLAP), 1);
    CU_ASSERT_EQUAL_FATAL(dg.len, 40);
    CU_ASSERT_EQUAL(memcmp(dg.data, other, 8), 0);
    CU_ASSERT_EQUAL(memcmp(dg.data + 8, fx.data + 8, 8), 0);
    CU_ASSERT_EQUAL(memcmp(dg.data + 16, other, 8), 0);
    CU_ASSERT_EQUAL(memcmp(dg.data + 24, fx.data + 24, 8), 0);
    CU_ASSERT_EQUAL(memcmp(dg.data + 32, other, 8), 0);
    finish();
}

static void
test_defrag_duplicate_fragment_counts_overlap(void)
{
    CpDefragDatagram dg;

    setup();
    start();
    CU_ASSERT_EQUAL(add(frag4(5, 0, 8, true), 0, &dg), CP_DEFRAG_HELD);
    CU_ASSERT_EQUAL(add(frag4(5, 0, 8, true), 0, &dg), CP_DEFRAG_HELD);
    CU_ASSERT_EQUAL(anomaly(CP_ANOMALY_IP_FRAG_OVERLAP), 1);
    CU_ASSERT_EQUAL(add(frag4(5, 8, 1, false), 0, &dg), CP_DEFRAG_DONE);
    check_pattern(&dg, 9);
    finish();
}

static void
test_defrag_timeout_expires(void)
{
    CpDefragDatagram dg;

    setup();
    fx.limits.frag_timeout_s = 30;
    start();
    CU_ASSERT_EQUAL(add(frag4(6, 0, 8, true), 100 * SEC, &dg), CP_DEFRAG_HELD);
    /* Exactly at the timeout the datagram is still kept. */
    CU_ASSERT_EQUAL(add(frag4(7, 0, 8, true), 130 * SEC, &dg), CP_DEFRAG_HELD);
    CU_ASSERT_EQUAL(anomaly(CP_ANOMALY_IP_FRAG_TIMEOUT), 0);
    CU_ASSERT_EQUAL(cp_defrag_count(fx.d), 2);
    /* One nanosecond later it expires: its tail alone does not complete anything. */
    CU_ASSERT_EQUAL(add(frag4(6, 8, 4, false), 130 * SEC + 1, &dg), CP_DEFRAG_HELD);
    CU_ASSERT_EQUAL(anomaly(CP_ANOMALY_IP_FRAG_TIMEOUT), 1);
    CU_ASSERT_EQUAL(cp_defrag_count(fx.d), 2);
    finish();
}

static void
test_defrag_datagram_limit_evicts_oldest(void)
{
    CpDefragDatagram dg;

    setup();
    fx.limits.max_frag_datagrams = 2;
    start();
    CU_ASSERT_EQUAL(add(frag4(10, 0, 8, true), 1, &dg), CP_DEFRAG_HELD);
    CU_ASSERT_EQUAL(add(frag4(11, 0, 8, true), 2, &dg), CP_DEFRAG_HELD);
    CU_ASSERT_EQUAL(anomaly(CP_ANOMALY_IP_FRAG_LIMIT), 0); /* at the limit */
    CU_ASSERT_EQUAL(add(frag4(12, 0, 8, true), 3, &dg), CP_DEFRAG_HELD);
    CU_ASSERT_EQUAL(anomaly(CP_ANOMALY_IP_FRAG_LIMIT), 1); /* over: id 10 evicted */
    CU_ASSERT_EQUAL(cp_defrag_count(fx.d), 2);
    /* id 11 still completes; id 10's tail starts a new, incomplete datagram. */
    CU_ASSERT_EQUAL(add(frag4(11, 8, 2, false), 4, &dg), CP_DEFRAG_DONE);
    CU_ASSERT_EQUAL(add(frag4(10, 8, 2, false), 5, &dg), CP_DEFRAG_HELD);
    finish();
}

static void
test_defrag_memcap_limit_drops(void)
{
    CpDefragDatagram dg;

    setup();
    fx.limits.frag_memcap = 2048;
    start();
    /* A fragment larger than the whole budget can never be stored. */
    CU_ASSERT_EQUAL(add(frag4(20, 0, 4000, true), 0, &dg), CP_DEFRAG_DROPPED);
    CU_ASSERT_EQUAL(anomaly(CP_ANOMALY_IP_FRAG_LIMIT), 1);
    CU_ASSERT_EQUAL(cp_defrag_count(fx.d), 0);
    CU_ASSERT_EQUAL(cp_defrag_memuse(fx.d), 0);
    /* Small ones fit, and memory is accounted and returned. */
    CU_ASSERT_EQUAL(add(frag4(21, 0, 512, true), 0, &dg), CP_DEFRAG_HELD);
    CU_ASSERT(cp_defrag_memuse(fx.d) >= 512);
    CU_ASSERT(cp_defrag_memuse(fx.d) <= 2048);
    /* A second datagram that does not fit next to it evicts the older one. */
    CU_ASSERT_EQUAL(add(frag4(22, 0, 1600, true), 0, &dg), CP_DEFRAG_HELD);
    CU_ASSERT_EQUAL(anomaly(CP_ANOMALY_IP_FRAG_LIMIT), 2);
    CU_ASSERT_EQUAL(cp_defrag_count(fx.d), 1);
    CU_ASSERT_EQUAL(add(frag4(22, 1600, 8, false), 0, &dg), CP_DEFRAG_DONE);
    check_pattern(&dg, 1608);
    CU_ASSERT_EQUAL(cp_defrag_memuse(fx.d), 0);
    finish();
}

static void
test_defrag_zero_datagram_limit_drops_all(void)
{
    CpDefragDatagram dg;

    setup();
    fx.limits.max_frag_datagrams = 0;
    start();
    CU_ASSERT_EQUAL(add(frag4(30, 0, 8, true), 0, &dg), CP_DEFRAG_DROPPED);
    CU_ASSERT_EQUAL(anomaly(CP_ANOMALY_IP_FRAG_LIMIT), 1);
    finish();
}

static void
test_defrag_total_at_65535_completes_above_counts_too_large(void)
{
    CpDefragDatagram dg;

    setup();
    start();
    /* 20 header bytes + 65515 payload = 65535: the largest legal datagram. */
    CU_ASSERT_EQUAL(add(frag4(40, 0, 65512, true), 0, &dg), CP_DEFRAG_HELD);
    CU_ASSERT_EQUAL(add(frag4(40, 65512, 3, false), 0, &dg), CP_DEFRAG_DONE);
    check_pattern(&dg, 65515);
    CU_ASSERT_EQUAL(anomaly(CP_ANOMALY_IP_FRAG_TOO_LARGE), 0);
    /* One more byte: the held datagram is dropped whole. */
    CU_ASSERT_EQUAL(add(frag4(41, 0, 8, true), 0, &dg), CP_DEFRAG_HELD);
    CU_ASSERT_EQUAL(add(frag4(41, 65512, 4, false), 0, &dg), CP_DEFRAG_DROPPED);
    CU_ASSERT_EQUAL(anomaly(CP_ANOMALY_IP_FRAG_TOO_LARGE), 1);
    CU_ASSERT_EQUAL(cp_defrag_count(fx.d), 0);
    finish();
}

static void
test_defrag_conflicting_tail_dropped(void)
{
    CpDefragDatagram dg;

    setup();
    start();
    CU_ASSERT_EQUAL(add(frag4(50, 16, 4, false), 0, &dg), CP_DEFRAG_HELD);
    CU_ASSERT_EQUAL(add(frag4(50, 16, 8, false), 0, &dg), CP_DEFRAG_DROPPED);
    CU_ASSERT_EQUAL(anomaly(CP_ANOMALY_IP_FRAG_OVERLAP), 1);
    /* Data past the known end is malformed. */
    CU_ASSERT_EQUAL(add(frag4(50, 16, 16, true), 0, &dg), CP_DEFRAG_DROPPED);
    CU_ASSERT_EQUAL(anomaly(CP_ANOMALY_IP_MALFORMED), 1);
    /* The first tail still defines the datagram. */
    CU_ASSERT_EQUAL(add(frag4(50, 0, 16, true), 0, &dg), CP_DEFRAG_DONE);
    check_pattern(&dg, 20);
    finish();
}

static void
test_defrag_tail_inside_held_data_is_malformed(void)
{
    CpDefragDatagram dg;

    setup();
    start();
    CU_ASSERT_EQUAL(add(frag4(51, 0, 32, true), 0, &dg), CP_DEFRAG_HELD);
    CU_ASSERT_EQUAL(add(frag4(51, 8, 8, false), 0, &dg), CP_DEFRAG_DROPPED);
    CU_ASSERT_EQUAL(anomaly(CP_ANOMALY_IP_MALFORMED), 1);
    finish();
}

static void
test_defrag_keys_differ_by_id_proto_family_addr(void)
{
    CpDefragDatagram dg;
    CpDefragFrag f;

    setup();
    start();
    CU_ASSERT_EQUAL(add(frag4(60, 0, 8, true), 0, &dg), CP_DEFRAG_HELD);
    f = frag4(61, 8, 8, false); /* other id */
    CU_ASSERT_EQUAL(add(f, 0, &dg), CP_DEFRAG_HELD);
    f = frag4(60, 8, 8, false);
    f.key.proto = 17; /* other protocol */
    CU_ASSERT_EQUAL(add(f, 0, &dg), CP_DEFRAG_HELD);
    f = frag4(60, 8, 8, false);
    f.key.family = 6; /* other family */
    CU_ASSERT_EQUAL(add(f, 0, &dg), CP_DEFRAG_HELD);
    f = frag4(60, 8, 8, false);
    f.key.src[15] = 1; /* other source */
    CU_ASSERT_EQUAL(add(f, 0, &dg), CP_DEFRAG_HELD);
    CU_ASSERT_EQUAL(cp_defrag_count(fx.d), 5);
    CU_ASSERT_EQUAL(add(frag4(60, 8, 8, false), 0, &dg), CP_DEFRAG_DONE);
    check_pattern(&dg, 16);
    finish();
}

static void
test_defrag_next_proto_from_offset_zero_fragment(void)
{
    CpDefragDatagram dg;
    CpDefragFrag f;

    setup();
    start();
    f = frag4(70, 8, 8, false);
    f.key.family = 6;
    f.key.proto = 0;
    f.next_proto = 99; /* not the first fragment: ignored (RFC 8200 §4.5) */
    CU_ASSERT_EQUAL(add(f, 0, &dg), CP_DEFRAG_HELD);
    f = frag4(70, 0, 8, true);
    f.key.family = 6;
    f.key.proto = 0;
    f.next_proto = 6;
    CU_ASSERT_EQUAL(add(f, 0, &dg), CP_DEFRAG_DONE);
    CU_ASSERT_EQUAL(dg.next_proto, 6);
    finish();
}

static void
test_defrag_many_datagrams_free_cleanly(void)
{
    CpDefragDatagram dg;

    setup();
    start();
    /* Exercise the hash chains beyond the bucket count; all freed by cp_defrag_free. */
    for (uint32_t id = 0; id < 3000; id++)
        (void)add(frag4(id, 0, 8, true), id, &dg);
    CU_ASSERT_EQUAL(cp_defrag_count(fx.d), 1024);
    CU_ASSERT_EQUAL(anomaly(CP_ANOMALY_IP_FRAG_LIMIT), 3000 - 1024);
    CU_ASSERT_EQUAL(add(frag4(2999, 8, 8, false), 3000, &dg), CP_DEFRAG_DONE);
    finish();
}

#define TINY_N 8189 /* 20 header bytes + 8 * 8189 = 65532, within an IPv4 datagram */

/* 8-byte fragments of a near-maximal datagram (issue 12: each once walked every piece held).
 * in_order: ascending offsets; otherwise descending. Returns the pieces looked at. */
static uint64_t
tiny_fragments(bool in_order)
{
    enum { N = TINY_N, LEN = 8 * N };

    CpDefragDatagram dg;
    CpDefragResult last = CP_DEFRAG_HELD;

    setup();
    start();
    for (size_t i = 0; i < N; i++) {
        size_t k = in_order ? i : N - 1 - i;
        last = add(frag4(9, 8 * k, 8, k + 1 < N), 0, &dg);
        CU_ASSERT_EQUAL(last, i + 1 < N ? CP_DEFRAG_HELD : CP_DEFRAG_DONE);
    }
    if (last == CP_DEFRAG_DONE)
        check_pattern(&dg, LEN);
    uint64_t steps = cp_defrag_steps(fx.d);
    finish();
    return steps;
}

static void
test_defrag_tiny_fragments_cost_constant_each(void)
{
    /* One step per fragment in either direction; the old walk took ~N/2 each (33 million). */
    CU_ASSERT(tiny_fragments(true) <= 2 * TINY_N);
    CU_ASSERT(tiny_fragments(false) <= 2 * TINY_N);
}

static CU_TestInfo tests[] = {
    { "defrag_tiny_fragments_cost_constant_each", test_defrag_tiny_fragments_cost_constant_each },
    { "defrag_in_order_completes", test_defrag_in_order_completes },
    { "defrag_out_of_order_completes", test_defrag_out_of_order_completes },
    { "defrag_overlap_counts_first_seen_wins", test_defrag_overlap_counts_first_seen_wins },
    { "defrag_overlap_spanning_holes_fills_only_holes",
      test_defrag_overlap_spanning_holes_fills_only_holes },
    { "defrag_duplicate_fragment_counts_overlap", test_defrag_duplicate_fragment_counts_overlap },
    { "defrag_timeout_expires", test_defrag_timeout_expires },
    { "defrag_datagram_limit_evicts_oldest", test_defrag_datagram_limit_evicts_oldest },
    { "defrag_memcap_limit_drops", test_defrag_memcap_limit_drops },
    { "defrag_zero_datagram_limit_drops_all", test_defrag_zero_datagram_limit_drops_all },
    { "defrag_total_at_65535_completes_above_counts_too_large",
      test_defrag_total_at_65535_completes_above_counts_too_large },
    { "defrag_conflicting_tail_dropped", test_defrag_conflicting_tail_dropped },
    { "defrag_tail_inside_held_data_is_malformed", test_defrag_tail_inside_held_data_is_malformed },
    { "defrag_keys_differ_by_id_proto_family_addr",
      test_defrag_keys_differ_by_id_proto_family_addr },
    { "defrag_next_proto_from_offset_zero_fragment",
      test_defrag_next_proto_from_offset_zero_fragment },
    { "defrag_many_datagrams_free_cleanly", test_defrag_many_datagrams_free_cleanly },
    CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
    return cp_test_main("defrag", tests, argc, argv);
}
