/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests for cli/evidence_hold: -w's undecided packets are given back per connection in
 * order, bounded by bytes and per connection, the oldest connections forgotten first. */
#include <string.h>
#include <CUnit/CUnit.h>
#include <glib.h>

#include "../harness.h"
#include "cli/evidence_hold.h"

static CpFrame
frame(uint64_t ts, uint8_t *buf, uint32_t len)
{
    memset(buf, (int)(ts & 0xff), len);
    CpFrame f = { .ts_ns = ts, .caplen = len, .wirelen = len, .linktype = 1, .data = buf };
    return f;
}

static void
frames_come_back_per_flow_in_order(void)
{
    uint8_t buf[60];
    CpEvidenceHold *h = cp_evidence_hold_new(1 << 20, 8);

    for (uint64_t i = 0; i < 6; i++) {
        CpFrame f = frame(i, buf, sizeof(buf));
        cp_evidence_hold_add(h, 1 + i % 2, &f); /* flows 1 and 2 interleaved */
    }
    GPtrArray *two = cp_evidence_hold_take(h, 2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(two);
    CU_ASSERT_EQUAL(two->len, 3);
    for (guint i = 0; i < two->len; i++) {
        const CpFrame *f = two->pdata[i];
        CU_ASSERT_EQUAL(f->ts_ns, 1 + 2 * i);
        CU_ASSERT_EQUAL(f->data[59], (uint8_t)(1 + 2 * i)); /* a copy, not the reused buffer */
    }
    g_ptr_array_free(two, TRUE);
    CU_ASSERT_PTR_NULL(cp_evidence_hold_take(h, 2)); /* taken once */
    CU_ASSERT_EQUAL(cp_evidence_hold_count(h), 3);
    CU_ASSERT_PTR_NULL(cp_evidence_hold_take(h, 99));
    cp_evidence_hold_free(h);
}

static void
syn_flood_is_bounded_oldest_forgotten(void)
{
    uint8_t buf[54];
    const uint64_t budget = 64 * 1024;
    CpEvidenceHold *h = cp_evidence_hold_new(budget, 8);

    for (uint64_t flow = 1; flow <= 30000; flow++) {
        CpFrame f = frame(flow, buf, sizeof(buf));
        cp_evidence_hold_add(h, flow, &f);
    }
    /* Each held frame costs more than its 54 bytes: far fewer than 30000 stay. */
    CU_ASSERT(cp_evidence_hold_count(h) * sizeof(buf) <= budget);
    CU_ASSERT_EQUAL(cp_evidence_hold_count(h) + cp_evidence_hold_discarded(h), 30000);
    CU_ASSERT_PTR_NULL(cp_evidence_hold_take(h, 1)); /* the oldest went first */
    GPtrArray *last = cp_evidence_hold_take(h, 30000);
    CU_ASSERT_PTR_NOT_NULL_FATAL(last);
    CU_ASSERT_EQUAL(last->len, 1);
    g_ptr_array_free(last, TRUE);
    cp_evidence_hold_free(h);
}

static void
per_flow_cap_counts_the_rest(void)
{
    uint8_t buf[54];
    CpEvidenceHold *h = cp_evidence_hold_new(1 << 20, 4);

    for (uint64_t i = 0; i < 10; i++) {
        CpFrame f = frame(i, buf, sizeof(buf));
        cp_evidence_hold_add(h, 7, &f); /* SYN retransmissions without end */
    }
    CU_ASSERT_EQUAL(cp_evidence_hold_count(h), 4);
    CU_ASSERT_EQUAL(cp_evidence_hold_discarded(h), 6);
    cp_evidence_hold_free(h); /* frees what is still held */
}

static CU_TestInfo tests[] = {
    { "frames_come_back_per_flow_in_order", frames_come_back_per_flow_in_order },
    { "syn_flood_is_bounded_oldest_forgotten", syn_flood_is_bounded_oldest_forgotten },
    { "per_flow_cap_counts_the_rest", per_flow_cap_counts_the_rest },
    CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
    return cp_test_main("evidence_hold", tests, argc, argv);
}
