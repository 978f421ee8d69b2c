/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests for cli/live_queue: the reading thread never blocks — frames beyond the byte budget
 * are refused and counted — and the analysis thread gets every queued frame, in order, then the
 * end. */
#include <string.h>
#include <CUnit/CUnit.h>
#include <glib.h>

#include "../harness.h"
#include "cli/live_queue.h"

static CpFrame
frame(uint8_t tag, uint8_t *buf, uint32_t len)
{
    memset(buf, tag, len);
    CpFrame f = { .ts_ns = tag, .caplen = len, .wirelen = len, .linktype = 1, .data = buf };
    return f;
}

static void
over_budget_is_refused_and_counted_in_order_after(void)
{
    uint8_t buf[1000];
    CpLiveQueue *q = cp_live_queue_new(4096);
    unsigned queued = 0;

    for (uint8_t i = 0; i < 10; i++) {
        CpFrame f = frame(i, buf, sizeof(buf));
        queued += cp_live_queue_push(q, &f) ? 1u : 0u;
    }
    /* 1000 bytes plus bookkeeping each: three fit in 4096, never four. */
    CU_ASSERT_EQUAL(queued, 3);
    CU_ASSERT_EQUAL(cp_live_queue_dropped(q), 7);
    CU_ASSERT(cp_live_queue_peak(q) <= 4096);
    cp_live_queue_close(q);
    for (uint8_t i = 0; i < 3; i++) {
        CpLiveFrame *lf = cp_live_queue_pop(q);
        CU_ASSERT_PTR_NOT_NULL_FATAL(lf);
        CU_ASSERT_EQUAL(lf->frame.ts_ns, i);
        CU_ASSERT_EQUAL(lf->frame.caplen, sizeof(buf));
        CU_ASSERT_EQUAL(lf->frame.data[999], i);
        cp_live_queue_frame_free(lf);
    }
    CU_ASSERT_PTR_NULL(cp_live_queue_pop(q));
    cp_live_queue_free(q);
}

static void
taken_frames_free_their_budget(void)
{
    uint8_t buf[1000];
    CpLiveQueue *q = cp_live_queue_new(2048);

    for (uint8_t i = 0; i < 100; i++) {
        CpFrame f = frame(i, buf, sizeof(buf));
        CU_ASSERT_TRUE(cp_live_queue_push(q, &f));
        cp_live_queue_frame_free(cp_live_queue_pop(q));
    }
    CU_ASSERT_EQUAL(cp_live_queue_dropped(q), 0);
    /* A frame larger than the whole budget can never fit. */
    uint8_t big[4096];
    CpFrame f = frame(1, big, sizeof(big));
    CU_ASSERT_FALSE(cp_live_queue_push(q, &f));
    CU_ASSERT_EQUAL(cp_live_queue_dropped(q), 1);
    cp_live_queue_free(q);
}

static gpointer
consumer(gpointer data)
{
    CpLiveQueue *q = data;
    CpLiveFrame *lf;
    uint64_t next = 0;
    gboolean in_order = TRUE;

    while ((lf = cp_live_queue_pop(q)) != NULL) {
        in_order = in_order && lf->frame.ts_ns >= next;
        next = lf->frame.ts_ns + 1;
        g_usleep(10); /* a slow analysis */
        cp_live_queue_frame_free(lf);
    }
    return GINT_TO_POINTER(in_order);
}

static void
slow_consumer_never_blocks_the_reader(void)
{
    uint8_t buf[200];
    CpLiveQueue *q = cp_live_queue_new(64 * 1024);
    GThread *t = g_thread_new("consumer", consumer, q);
    uint64_t refused = 0;

    for (unsigned i = 0; i < 20000; i++) {
        CpFrame f = frame((uint8_t)i, buf, sizeof(buf));
        f.ts_ns = i;
        refused += cp_live_queue_push(q, &f) ? 0u : 1u;
    }
    cp_live_queue_close(q);
    CU_ASSERT_TRUE(GPOINTER_TO_INT(g_thread_join(t)));
    CU_ASSERT_EQUAL(cp_live_queue_dropped(q), refused);
    CU_ASSERT(refused > 0); /* 20000 pushes outrun a consumer sleeping per frame */
    cp_live_queue_free(q);
}

static CU_TestInfo tests[] = {
    { "over_budget_is_refused_and_counted_in_order_after",
      over_budget_is_refused_and_counted_in_order_after },
    { "taken_frames_free_their_budget", taken_frames_free_their_budget },
    { "slow_consumer_never_blocks_the_reader", slow_consumer_never_blocks_the_reader },
    CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
    return cp_test_main("live_queue", tests, argc, argv);
}
