/* SPDX-License-Identifier: BSD-2-Clause */
/* evidence_hold: -w's packets of connections not yet decided (a SYN, a SYN-ACK: no payload yet,
 * reasm/conn.h CP_KEEP_UNDECIDED), kept aside in a bounded store until the connection's first
 * bytes go to a dissector — then they are written before it — or forgotten. A flood of SYNs
 * that never carry a byte costs at most the store's budget and never a byte of the file. */
#pragma once

#include <stdint.h>
#include <glib.h>

#include "capture/capture.h"

typedef struct CpEvidenceHold CpEvidenceHold;

/* max_bytes: all frames held; max_frames_per_flow: a connection's (SYN retransmissions). */
CpEvidenceHold *cp_evidence_hold_new(uint64_t max_bytes, unsigned max_frames_per_flow);
void cp_evidence_hold_free(CpEvidenceHold *h);
/* Keeps a copy of f for flow; the oldest connections' frames go when the budget is used up. */
void cp_evidence_hold_add(CpEvidenceHold *h, uint64_t flow, const CpFrame *f);
/* (transfer full, element-type CpFrame with its bytes in the same allocation: g_free) what was
 * held for flow, oldest first, now forgotten; NULL when nothing was. */
GPtrArray *cp_evidence_hold_take(CpEvidenceHold *h, uint64_t flow);
/* Frames forgotten for the budget or the per-connection cap, and frames held now. */
uint64_t cp_evidence_hold_discarded(const CpEvidenceHold *h);
uint64_t cp_evidence_hold_count(const CpEvidenceHold *h);
