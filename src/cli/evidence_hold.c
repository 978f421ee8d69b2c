/* SPDX-License-Identifier: BSD-2-Clause */
/* evidence_hold: connections in arrival order (a GQueue, oldest first, for eviction) and by
 * serial (a hash table), each with its frame copies (evidence_hold.h). */
#include "cli/evidence_hold.h"

#include <string.h>

#define FRAME_OVERHEAD 64 /* bookkeeping per frame, so tiny frames are bounded too */

typedef struct Held {
    uint64_t flow;
    GPtrArray *frames; /* CpFrame + bytes, one allocation each */
    uint64_t bytes;
    GList *link; /* in order */
} Held;

struct CpEvidenceHold {
    GHashTable *by_flow; /* uint64 serial -> Held */
    GQueue order;
    uint64_t max_bytes, bytes, count, discarded;
    unsigned max_per_flow;
};

static void
held_free(Held *hd)
{
    g_ptr_array_free(hd->frames, TRUE);
    g_free(hd);
}

CpEvidenceHold *
cp_evidence_hold_new(uint64_t max_bytes, unsigned max_frames_per_flow)
{
    CpEvidenceHold *h = g_new0(CpEvidenceHold, 1);

    h->by_flow = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL, NULL);
    g_queue_init(&h->order);
    h->max_bytes = max_bytes;
    h->max_per_flow = max_frames_per_flow;
    return h;
}

void
cp_evidence_hold_free(CpEvidenceHold *h)
{
    if (h == NULL)
        return;
    g_hash_table_destroy(h->by_flow);
    g_queue_clear_full(&h->order, (GDestroyNotify)held_free);
    g_free(h);
}

static void
forget(CpEvidenceHold *h, Held *hd)
{
    g_hash_table_remove(h->by_flow, &hd->flow);
    g_queue_delete_link(&h->order, hd->link);
    h->bytes -= hd->bytes;
    h->count -= hd->frames->len;
}

static uint64_t
cost(const CpFrame *f)
{
    return (uint64_t)f->caplen + sizeof(CpFrame) + FRAME_OVERHEAD;
}

void
cp_evidence_hold_add(CpEvidenceHold *h, uint64_t flow, const CpFrame *f)
{
    uint64_t c = cost(f);

    if (c > h->max_bytes) {
        h->discarded++;
        return;
    }
    while (h->bytes > h->max_bytes - c && h->order.head != NULL) {
        Held *old = h->order.head->data;
        h->discarded += old->frames->len;
        forget(h, old);
        held_free(old);
    }
    Held *hd = g_hash_table_lookup(h->by_flow, &flow);
    if (hd == NULL) {
        hd = g_new0(Held, 1);
        hd->flow = flow;
        hd->frames = g_ptr_array_new_with_free_func(g_free);
        g_queue_push_tail(&h->order, hd);
        hd->link = h->order.tail;
        g_hash_table_insert(h->by_flow, &hd->flow, hd);
    }
    if (hd->frames->len >= h->max_per_flow) {
        h->discarded++;
        return;
    }
    CpFrame *copy = g_malloc(sizeof(CpFrame) + f->caplen);
    uint8_t *data = (uint8_t *)(copy + 1);
    memcpy(data, f->data, f->caplen);
    *copy = *f;
    copy->data = data;
    g_ptr_array_add(hd->frames, copy);
    hd->bytes += c;
    h->bytes += c;
    h->count++;
}

GPtrArray *
cp_evidence_hold_take(CpEvidenceHold *h, uint64_t flow)
{
    Held *hd = g_hash_table_lookup(h->by_flow, &flow);

    if (hd == NULL)
        return NULL;
    forget(h, hd);
    GPtrArray *frames = hd->frames;
    g_free(hd);
    return frames;
}

uint64_t
cp_evidence_hold_discarded(const CpEvidenceHold *h)
{
    return h->discarded;
}

uint64_t
cp_evidence_hold_count(const CpEvidenceHold *h)
{
    return h->count;
}
