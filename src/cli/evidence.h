/* SPDX-License-Identifier: BSD-2-Clause */
/* evidence: live capture's -w FILE — the packets of each handshake as pcapng (capture/
 * pcapng_writer.h), rotated by size (-C) over a ring of files (-W) as tcpdump does, with its
 * errors and its closing line said the way the rest of certpath says them. */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "capture/capture.h"
#include "cli/options.h"
#include "reasm/conn.h"

typedef struct CpEvidence CpEvidence;

/* (transfer full) NULL with error set when the file cannot be created. errors (borrowed)
 * collects one-line errors met later. */
CpEvidence *cp_evidence_open(const CpConfig *cfg, GPtrArray *errors, GError **error);
void cp_evidence_add(CpEvidence *e, const CpFrame *f);
/* What the pipeline said of f (analysis/pipeline.h cp_pipeline_frame_keep): YES writes what was
 * held for its connection, then f; UNDECIDED holds f aside; NO forgets what was held. */
void cp_evidence_offer(CpEvidence *e, const CpFrame *f, CpKeep keep, uint64_t flow);
void cp_evidence_flush(CpEvidence *e);
/* Closes the file, says how much was written and what the size limit kept out, and frees. */
void cp_evidence_close(CpEvidence *e);
/* (transfer full) the name of -w file number index, as tcpdump -w NAME -C [-W files] names
 * it: NAME, NAME1, NAME2... without -W (files <= 0); NAME0..NAME<files-1>, zero-padded to the
 * width of files-1, with it. */
char *cp_evidence_file_name(const char *name, int files, unsigned index);
/* Frees without the closing line (nothing was captured). */
void cp_evidence_discard(CpEvidence *e);
