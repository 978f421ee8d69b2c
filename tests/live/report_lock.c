/* SPDX-License-Identifier: BSD-2-Clause */
/* report_lock: how long the live capture's clock thread holds the state lock for a report so
 * far (SIGUSR1), over the model a capture leaves (tests/gen/scalegen makes a big one). Not a
 * test: it prints two times, in milliseconds of wall clock:
 *   diagnose-under-lock  what live.c held the lock for before: cp_diagnose of the model and
 *                        cp_report_final (JSON, to /dev/null);
 *   copy-under-lock      what it holds it for now: cp_pipeline_seen and cp_live_diag_report
 *                        (the snapshot copies); the report is then made on the live_diag thread,
 *                        whose time (waited for with cp_live_diag_sync) is printed as off-lock.
 * usage: report_lock CAPTURE [ROUNDS] */
#include <stdio.h>
#include <stdlib.h>
#include <glib.h>

#include "analysis/diagnose.h"
#include "analysis/pipeline.h"
#include "analysis/trust.h"
#include "capture/capture.h"
#include "cli/live_diag.h"
#include "output/report.h"

typedef struct Bench {
    CpTrust *trust;
    CpDiagOptions dopt;
} Bench;

static CpDiagnosis *
diagnose(void *ctx, CpModel *m, CpCertCache *certs)
{
    Bench *b = ctx;

    return cp_diagnose(m, certs, b->trust, &b->dopt);
}

/* The capture through the pipeline, every connection ended: the model a long capture holds. */
static CpPipeline *
load(const char *path, const CpLimits *limits)
{
    GError *err = NULL;
    CpCapture *cap = cp_capture_open_file_full(path, limits, &err);
    CpPipeline *pl = cp_pipeline_new(limits);
    CpFrame f;

    if (cap == NULL) {
        fprintf(stderr, "report_lock: %s\n", err->message);
        exit(2);
    }
    while (cp_capture_next(cap, &f, &err) == CP_CAPTURE_FRAME) {
        cp_pipeline_frame(pl, &f);
        cp_pipeline_events_free(cp_pipeline_take_events(pl));
    }
    g_clear_error(&err);
    cp_pipeline_finish(pl);
    cp_pipeline_events_free(cp_pipeline_take_events(pl));
    cp_capture_free(cap);
    return pl;
}

static double
ms_since(int64_t t0)
{
    return (double)(g_get_monotonic_time() - t0) / 1000.0;
}

static void
round_of(CpPipeline *pl, Bench *b, CpReport *report, CpLiveDiag *d, const CpRunInfo *info)
{
    CpSeen seen;
    int64_t t0 = g_get_monotonic_time();
    CpDiagnosis *diag = diagnose(b, cp_pipeline_model(pl), cp_pipeline_certs(pl));
    cp_pipeline_seen(pl, &seen);
    cp_report_final(report, &seen, info, diag);
    double before = ms_since(t0);
    cp_diagnosis_free(diag);

    t0 = g_get_monotonic_time();
    cp_pipeline_seen(pl, &seen);
    cp_live_diag_report(d, cp_pipeline_model(pl), cp_pipeline_certs(pl), &seen, info);
    double now = ms_since(t0);
    t0 = g_get_monotonic_time();
    cp_live_diag_sync(d);
    printf("servers %u  diagnose-under-lock %.1f ms  copy-under-lock %.1f ms  off-lock %.1f ms\n",
           seen.servers->len, before, now, ms_since(t0));
}

int
main(int argc, char **argv)
{
    CpLimits limits;
    CpTrustOptions to = { .no_system_ca = true };
    Bench b = { .trust = cp_trust_new(&to, NULL) };
    CpRunInfo info = { .inputs = g_ptr_array_new(), .errors = g_ptr_array_new(), .live = true };
    GMutex output;

    if (argc < 2) {
        fprintf(stderr, "usage: report_lock CAPTURE [ROUNDS]\n");
        return 2;
    }
    cp_limits_init_default(&limits);
    CpPipeline *pl = load(argv[1], &limits);
    FILE *null = fopen("/dev/null", "w");
    CpReport *report = cp_report_new("json", null, false);
    g_mutex_init(&output);
    CpLiveDiag *d = cp_live_diag_new(0, report, &output, diagnose, &b);
    guint64 rounds = argc > 2 ? g_ascii_strtoull(argv[2], NULL, 10) : 3;
    for (guint64 i = 0; i < rounds && i < 1000; i++)
        round_of(pl, &b, report, d, &info);
    cp_live_diag_free(d);
    cp_report_free(report);
    fclose(null);
    g_mutex_clear(&output);
    cp_pipeline_free(pl);
    cp_trust_free(b.trust);
    g_ptr_array_unref(info.inputs);
    g_ptr_array_unref(info.errors);
    return 0;
}
