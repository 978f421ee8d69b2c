/* SPDX-License-Identifier: BSD-2-Clause */
/* live_diag: the live re-diagnosis, on a thread of its own. A finding is printed the first time
 * its key is known; afterwards it is only counted (the final report has the counts). Diagnosis is
 * due only when handshakes were added, at most once per second, and backs off to keep under a
 * tenth of the time when the model is large.
 *
 * The caller offers the model and the certificate cache while holding the lock that guards them;
 * when a diagnosis is due and none is running, live_diag copies both (cp_model_snapshot,
 * cp_cert_cache_snapshot: the certificates themselves are shared by reference) and returns at
 * once. The diagnosis runs over the copy on the live_diag thread, so the pipeline goes on taking
 * handshakes however long it takes; its new findings are printed under the output lock.
 *
 * The report so far (SIGUSR1) is made the same way: the caller's lock is held only while the
 * model, the certificate cache, the counters and the run's information are copied; the
 * diagnosis and the report (cp_report_final, under the output lock) follow on the live_diag
 * thread. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "analysis/diagnose.h"
#include "analysis/seen.h"
#include "output/report.h"

typedef struct CpLiveDiag CpLiveDiag;

/* Runs one diagnosis over a snapshot ((transfer none) m and certs, valid during the call);
 * returns (transfer full) the diagnosis. cp_diagnose with the run's trust and options, or a test's
 * own. */
typedef CpDiagnosis *(*CpLiveDiagnoseFn)(void *ctx, CpModel *m, CpCertCache *certs);

/* report, output (the lock of the report's stream) and ctx are borrowed for d's life. */
CpLiveDiag *cp_live_diag_new(int64_t now_us, CpReport *report, GMutex *output, CpLiveDiagnoseFn fn,
                             void *ctx);
/* Waits for the diagnosis and the report under way or waiting, which are printed, then ends the
 * thread. */
void cp_live_diag_free(CpLiveDiag *d);
/* Whether to diagnose now: handshakes (the pipeline's count) changed since the last snapshot, the
 * back-off has passed and no diagnosis is running. */
bool cp_live_diag_due(CpLiveDiag *d, uint64_t handshakes, int64_t now_us);
/* With the lock that guards m and certs held: when due, snapshots them for the live_diag thread
 * and returns true at once; false (nothing done) otherwise. */
bool cp_live_diag_offer(CpLiveDiag *d, CpModel *m, CpCertCache *certs, uint64_t handshakes,
                        int64_t now_us);
/* With the lock that guards m, certs and seen held, and info not changing: copies them (seen's
 * servers become the model snapshot's; info's arrays are copied) for a report so far made on the
 * live_diag thread — the findings in it never streamed are streamed first, then cp_report_final
 * — and returns true at once. False (nothing done) when a report already waits to be made: it
 * answers this request too, so requests never queue. */
bool cp_live_diag_report(CpLiveDiag *d, CpModel *m, CpCertCache *certs, const CpSeen *seen,
                         const CpRunInfo *info);
/* Waits until no diagnosis or report is running or waiting to run (all of it printed). */
void cp_live_diag_sync(CpLiveDiag *d);
