/* SPDX-License-Identifier: BSD-2-Clause */
/* live_queue: a GAsyncQueue of frame copies with a byte budget (live_queue.h). */
#include "cli/live_queue.h"

#include <string.h>
#include <glib.h>

/* A frame's bookkeeping cost beyond its bytes, so a flood of tiny frames is bounded too. */
#define FRAME_OVERHEAD (sizeof(CpLiveFrame) + 64)

struct CpLiveQueue {
    GAsyncQueue *q;
    GMutex lock; /* the counters below */
    uint64_t max_bytes, bytes, peak, dropped;
};

/* Pushed by close: a static address no frame can have. */
static CpLiveFrame end_marker;

CpLiveQueue *
cp_live_queue_new(uint64_t max_bytes)
{
    CpLiveQueue *q = g_new0(CpLiveQueue, 1);

    q->q = g_async_queue_new();
    g_mutex_init(&q->lock);
    q->max_bytes = max_bytes;
    return q;
}

void
cp_live_queue_free(CpLiveQueue *q)
{
    if (q == NULL)
        return;
    gpointer item;
    while ((item = g_async_queue_try_pop(q->q)) != NULL)
        if (item != &end_marker)
            g_free(item);
    g_async_queue_unref(q->q);
    g_mutex_clear(&q->lock);
    g_free(q);
}

static uint64_t
cost(uint32_t caplen)
{
    return (uint64_t)caplen + FRAME_OVERHEAD;
}

bool
cp_live_queue_push(CpLiveQueue *q, const CpFrame *f)
{
    uint64_t c = cost(f->caplen);

    g_mutex_lock(&q->lock);
    bool fits = c <= q->max_bytes && q->bytes <= q->max_bytes - c;
    if (fits) {
        q->bytes += c;
        if (q->bytes > q->peak)
            q->peak = q->bytes;
    } else {
        q->dropped++;
    }
    g_mutex_unlock(&q->lock);
    if (!fits)
        return false;
    CpLiveFrame *lf = g_malloc(sizeof(*lf) + f->caplen);
    uint8_t *data = (uint8_t *)(lf + 1);
    memcpy(data, f->data, f->caplen);
    lf->frame = *f;
    lf->frame.data = data;
    g_async_queue_push(q->q, lf);
    return true;
}

void
cp_live_queue_close(CpLiveQueue *q)
{
    g_async_queue_push(q->q, &end_marker);
}

CpLiveFrame *
cp_live_queue_pop(CpLiveQueue *q)
{
    CpLiveFrame *lf = g_async_queue_pop(q->q);

    if (lf == &end_marker)
        return NULL;
    g_mutex_lock(&q->lock);
    q->bytes -= cost(lf->frame.caplen);
    g_mutex_unlock(&q->lock);
    return lf;
}

void
cp_live_queue_frame_free(CpLiveFrame *lf)
{
    g_free(lf);
}

uint64_t
cp_live_queue_dropped(CpLiveQueue *q)
{
    g_mutex_lock(&q->lock);
    uint64_t n = q->dropped;
    g_mutex_unlock(&q->lock);
    return n;
}

uint64_t
cp_live_queue_peak(CpLiveQueue *q)
{
    g_mutex_lock(&q->lock);
    uint64_t n = q->peak;
    g_mutex_unlock(&q->lock);
    return n;
}
