/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests for reasm/flow_table: both directions find one flow, opener detection, expiry and
 * oldest-first eviction at the limit. */
#include <string.h>
#include <CUnit/CUnit.h>

#include "harness.h"
#include "reasm/flow_table.h"

static unsigned ended;

static void
on_end(void *user, CpFlow *f, CpConnEndReason why)
{
    (void)user;
    (void)f;
    (void)why;
    ended++;
}

static CpPacket
pkt(uint8_t a, uint16_t sport, uint8_t b, uint16_t dport, uint8_t flags, uint64_t ts)
{
    CpPacket p;

    memset(&p, 0, sizeof p);
    p.src.family = p.dst.family = 4;
    p.src.bytes[0] = 10, p.src.bytes[3] = a;
    p.dst.bytes[0] = 10, p.dst.bytes[3] = b;
    p.sport = sport;
    p.dport = dport;
    p.tcp_flags = flags;
    p.ts_ns = ts;
    return p;
}

static void
both_directions_find_one_flow(void)
{
    CpLimits l;
    cp_limits_init_default(&l);
    CpFlowTable *t = cp_flow_table_new(&l, NULL, on_end, NULL);
    CpDir d1, d2;
    CpPacket syn = pkt(1, 50000, 2, 443, CP_TCP_SYN, 1);
    CpPacket synack = pkt(2, 443, 1, 50000, CP_TCP_SYN | CP_TCP_ACK, 2);

    CpFlow *f = cp_flow_table_lookup(t, &syn, true, &d1);
    CU_ASSERT_PTR_EQUAL(cp_flow_table_lookup(t, &synack, false, &d2), f);
    CU_ASSERT_EQUAL(d1, CP_DIR_0);
    CU_ASSERT_EQUAL(d2, CP_DIR_1);
    CU_ASSERT_EQUAL(f->port[0], 50000);
    CU_ASSERT_EQUAL(cp_flow_table_count(t), 1);
    cp_flow_table_free(t);
}

static void
synack_first_makes_receiver_the_opener(void)
{
    CpLimits l;
    cp_limits_init_default(&l);
    CpFlowTable *t = cp_flow_table_new(&l, NULL, on_end, NULL);
    CpDir d;
    CpPacket synack = pkt(2, 443, 1, 50000, CP_TCP_SYN | CP_TCP_ACK, 2);

    CpFlow *f = cp_flow_table_lookup(t, &synack, true, &d);
    CU_ASSERT_EQUAL(d, CP_DIR_1);
    CU_ASSERT_EQUAL(f->port[0], 50000);
    cp_flow_table_free(t);
}

static void
midstream_higher_port_is_the_client(void)
{
    CpLimits l;
    cp_limits_init_default(&l);
    CpFlowTable *t = cp_flow_table_new(&l, NULL, on_end, NULL);
    CpDir d;
    CpPacket data = pkt(2, 443, 1, 50000, CP_TCP_ACK, 2);

    CpFlow *f = cp_flow_table_lookup(t, &data, true, &d);
    CU_ASSERT_EQUAL(f->port[0], 50000);
    CU_ASSERT_EQUAL(d, CP_DIR_1);
    cp_flow_table_free(t);
}

static void
idle_flows_expire_young_ones_stay(void)
{
    CpLimits l;
    cp_limits_init_default(&l);
    l.flow_timeout_s = 10;
    ended = 0;
    CpFlowTable *t = cp_flow_table_new(&l, NULL, on_end, NULL);
    CpDir d;
    CpPacket a = pkt(1, 50000, 2, 443, CP_TCP_SYN, 1000000000ull);
    CpPacket b = pkt(3, 50001, 2, 443, CP_TCP_SYN, 9000000000ull);

    cp_flow_table_lookup(t, &a, true, &d);
    cp_flow_table_lookup(t, &b, true, &d);
    cp_flow_table_expire(t, 11000000000ull);
    CU_ASSERT_EQUAL(ended, 0);
    cp_flow_table_expire(t, 11000000001ull);
    CU_ASSERT_EQUAL(ended, 1);
    CU_ASSERT_EQUAL(cp_flow_table_count(t), 1);
    cp_flow_table_free(t);
    CU_ASSERT_EQUAL(ended, 2);
}

static void
full_table_evicts_oldest_and_counts(void)
{
    CpLimits l;
    CpAnomalies an;
    cp_limits_init_default(&l);
    memset(&an, 0, sizeof an);
    l.max_flows = 3;
    CpFlowTable *t = cp_flow_table_new(&l, &an, on_end, NULL);
    CpDir d;

    for (uint16_t i = 0; i < 3; i++) {
        CpPacket p = pkt(1, (uint16_t)(40000 + i), 2, 443, CP_TCP_SYN, i);
        cp_flow_table_lookup(t, &p, true, &d);
    }
    CU_ASSERT_EQUAL(an.count[CP_ANOMALY_FLOW_EVICTED], 0);
    CpPacket first = pkt(1, 40000, 2, 443, CP_TCP_ACK, 5);
    CpFlow *f0 = cp_flow_table_lookup(t, &first, false, &d);
    cp_flow_table_touch(t, f0, 5); /* now the youngest: 40001 is the oldest */
    CpPacket p4 = pkt(1, 40003, 2, 443, CP_TCP_SYN, 6);
    cp_flow_table_lookup(t, &p4, true, &d);
    CU_ASSERT_EQUAL(an.count[CP_ANOMALY_FLOW_EVICTED], 1);
    CU_ASSERT_EQUAL(cp_flow_table_count(t), 3);
    CpPacket gone = pkt(1, 40001, 2, 443, CP_TCP_ACK, 7);
    CU_ASSERT_PTR_NULL(cp_flow_table_lookup(t, &gone, false, &d));
    CU_ASSERT_PTR_NOT_NULL(cp_flow_table_lookup(t, &first, false, &d));
    cp_flow_table_free(t);
}

static CU_TestInfo tests[] = {
    { "both_directions_find_one_flow", both_directions_find_one_flow },
    { "synack_first_makes_receiver_the_opener", synack_first_makes_receiver_the_opener },
    { "midstream_higher_port_is_the_client", midstream_higher_port_is_the_client },
    { "idle_flows_expire_young_ones_stay", idle_flows_expire_young_ones_stay },
    { "full_table_evicts_oldest_and_counts", full_table_evicts_oldest_and_counts },
    CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
    return cp_test_main("flow_table", tests, argc, argv);
}
