/* SPDX-License-Identifier: BSD-2-Clause */
/* live_diag: when a live capture diagnoses again, and which findings it prints. A finding is
 * printed the first time its key is known; afterwards it is only counted (the final report has
 * the counts). Diagnosis runs only when handshakes were added, at most once per second, and
 * backs off to keep under a tenth of the time when the model is large. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "analysis/diagnose.h"
#include "output/report.h"

typedef struct CpLiveDiag CpLiveDiag;

CpLiveDiag *cp_live_diag_new(int64_t now_us);
void cp_live_diag_free(CpLiveDiag *d);
/* Whether to diagnose now: handshakes (the pipeline's count) changed since the last time and the
 * back-off has passed. */
bool cp_live_diag_due(const CpLiveDiag *d, uint64_t handshakes, int64_t now_us);
/* Prints each finding of diag whose key was never printed, and schedules the next diagnosis
 * from how long this one took (started at started_us, monotonic). */
void cp_live_diag_report_new(CpLiveDiag *d, const CpDiagnosis *diag, CpReport *report,
                             uint64_t handshakes, int64_t started_us);
