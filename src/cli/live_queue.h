/* SPDX-License-Identifier: BSD-2-Clause */
/* live_queue: the bounded hand-over from live capture's reading thread to its analysis thread.
 * Reading never waits for analysis: a frame that would take the queue beyond its byte budget
 * (--live-queue) is not queued but counted, and that count is reported beside the kernel's
 * drops. Frames are copied in, since libpcap's buffer is reused by the next read. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "capture/capture.h"

typedef struct CpLiveQueue CpLiveQueue;

typedef struct CpLiveFrame {
    CpFrame frame; /* frame.data points into this allocation */
} CpLiveFrame;

CpLiveQueue *cp_live_queue_new(uint64_t max_bytes);
/* Frees the queue and any frame still in it. */
void cp_live_queue_free(CpLiveQueue *q);
/* Reading thread: copies f in; false, and counted as dropped, when the budget is used up. */
bool cp_live_queue_push(CpLiveQueue *q, const CpFrame *f);
/* Reading thread: no more frames; cp_live_queue_pop returns NULL once the rest is taken. */
void cp_live_queue_close(CpLiveQueue *q);
/* Analysis thread: (transfer full) the oldest frame, waiting for one; NULL after close. */
CpLiveFrame *cp_live_queue_pop(CpLiveQueue *q);
void cp_live_queue_frame_free(CpLiveFrame *lf);
/* Any thread: frames refused so far, and the most bytes ever queued at once. */
uint64_t cp_live_queue_dropped(CpLiveQueue *q);
uint64_t cp_live_queue_peak(CpLiveQueue *q);
