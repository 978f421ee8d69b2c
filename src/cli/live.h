/* SPDX-License-Identifier: BSD-2-Clause */
/* live: capture on a device for as long as asked (--duration, --count, SIGINT/SIGTERM),
 * streaming handshakes and findings as they are known; SIGUSR1 prints the report so far, SIGHUP
 * reopens -o FILE (the report so far without -o). */
#pragma once

#include <stdbool.h>
#include <glib.h>

#include "analysis/diagnose.h"
#include "analysis/pipeline.h"
#include "analysis/trust.h"
#include "cli/options.h"
#include "output/report.h"

/* What the live loop works with; everything is borrowed. */
typedef struct CpLiveJob {
    const CpConfig *cfg;
    CpReport *report;
    FILE *out; /* the report's stream, watched for write errors */
    CpPipeline *pl;
    CpTrust *trust;
    const CpDiagOptions *dopt;
    CpRunInfo *info;       /* capture statistics and errors are filled in */
    GError **export_error; /* the first --export-certs error, kept for the end */
} CpLiveJob;

/* Opens the device (and -w file), drops privileges, and runs until told to stop. Returns false
 * with error set when nothing could start (device, filter, -w file, privileges): nothing to
 * report. Otherwise true, with *input_ok false when the capture failed midway (the error is in
 * info->errors); the caller then finishes the pipeline and prints the final report. */
bool cp_live_run(const CpLiveJob *job, bool *input_ok, GError **error);
