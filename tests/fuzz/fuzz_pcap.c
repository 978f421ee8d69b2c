/* SPDX-License-Identifier: BSD-2-Clause */
/* fuzz_pcap: the whole pipeline — bytes -> fmemopen -> capture (pcap or pcapng) -> net ->
 * reassembly -> TLS -> X.509 -> model -> diagnosis (path building, without the system store,
 * which would cost more than the rest) -> JSON and text reports written to /dev/null, so the
 * output escaping of attacker strings is fuzzed too (STYLE R65; fmemopen instead of libpcap's
 * temporary file, checked in STYLE §3.12). Limits are lowered so eviction and memcap paths are
 * reachable with small inputs. */
#include <glib.h>
#include <stdio.h>
#include <string.h>

#include "analysis/diagnose.h"
#include "analysis/pipeline.h"
#include "analysis/trust.h"
#include "capture/capture.h"
#include "fuzz.h"
#include "output/report.h"

typedef struct FuzzReports {
    CpReport *json;
    CpReport *text;
} FuzzReports;

/* What the pipeline queued during a frame, to both reports, as certpath's run loop does. */
static void
show_events(CpPipeline *pl, FuzzReports *r)
{
    GArray *events = cp_pipeline_take_events(pl);

    for (guint i = 0; events != NULL && i < events->len; i++) {
        const CpEvent *e = &g_array_index(events, CpEvent, i);
        CP_FUZZ_CHECK((e->kind == CP_EVENT_HANDSHAKE) == (e->handshake != NULL));
        if (e->kind == CP_EVENT_HANDSHAKE) {
            cp_report_handshake(r->json, e->handshake);
            cp_report_handshake(r->text, e->handshake);
        } else {
            cp_report_certificate(r->json, e->cert);
            cp_report_certificate(r->text, e->cert);
        }
    }
    cp_pipeline_events_free(events);
}

static void
lower_limits(CpLimits *l)
{
    l->max_flows = 64;
    l->reasm_memcap = 4 * 1024 * 1024;
    l->max_frag_datagrams = 16;
    l->frag_memcap = 512 * 1024;
    l->max_certs = 64;
    l->max_servers = 64;
}

/* Reads every frame through the pipeline; records the error that stopped it, if any. */
static void
read_frames(CpCapture *cap, CpPipeline *pl, FuzzReports *reports, GPtrArray *errors)
{
    CpFrame f;
    GError *err = NULL;

    for (;;) {
        CpCaptureStatus st = cp_capture_next(cap, &f, &err);
        if (st == CP_CAPTURE_FRAME) {
            CP_FUZZ_CHECK(f.data != NULL || f.caplen == 0);
            cp_pipeline_frame(pl, &f);
            show_events(pl, reports);
            continue;
        }
        CP_FUZZ_CHECK(st == CP_CAPTURE_END || st == CP_CAPTURE_ERROR);
        if (st == CP_CAPTURE_ERROR) {
            CP_FUZZ_CHECK(err != NULL && err->message != NULL);
            g_ptr_array_add(errors, g_strdup(err->message));
            g_error_free(err);
        }
        return;
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0; /* fmemopen refuses an empty buffer */
    void *copy = g_memdup2(data, size);
    FILE *fp = fmemopen(copy, size, "rb");
    FILE *devnull = fopen("/dev/null", "w");
    CP_FUZZ_CHECK(fp != NULL && devnull != NULL);

    GError *err = NULL;
    CpLimits limits;
    cp_limits_init_default(&limits);
    lower_limits(&limits);
    CpCapture *cap = cp_capture_open_stream_full(fp, "fuzz.pcap", true, &limits, &err);
    if (cap == NULL) {
        CP_FUZZ_CHECK(err != NULL);
        g_error_free(err); /* cp_capture_open_stream closed fp (own_fp) */
        fclose(devnull);
        g_free(copy);
        return 0;
    }
    FuzzReports reports = { cp_report_new("json", devnull, false),
                            cp_report_new("text", devnull, true) };
    CpPipeline *pl = cp_pipeline_new(&limits);
    CpRunInfo info = { .inputs = g_ptr_array_new_with_free_func(g_free),
                       .errors = g_ptr_array_new_with_free_func(g_free) };

    g_ptr_array_add(info.inputs, g_strdup(cp_capture_name(cap)));
    read_frames(cap, pl, &reports, info.errors);
    cp_pipeline_finish(pl);
    show_events(pl, &reports);
    CpTrustOptions topt = { .no_system_ca = true };
    CpTrust *trust = cp_trust_new(&topt, NULL);
    CP_FUZZ_CHECK(trust != NULL);
    CpDiagOptions dopt = { 0 };
    CpDiagnosis *diag = cp_diagnose(cp_pipeline_model(pl), cp_pipeline_certs(pl), trust, &dopt);
    CpSeen seen;
    cp_pipeline_seen(pl, &seen);
    cp_report_final(reports.json, &seen, &info, diag);
    cp_report_final(reports.text, &seen, &info, diag);
    cp_diagnosis_free(diag);
    cp_trust_free(trust);

    cp_pipeline_free(pl);
    cp_report_free(reports.json);
    cp_report_free(reports.text);
    g_ptr_array_unref(info.inputs);
    g_ptr_array_unref(info.errors);
    cp_capture_free(cap);
    fclose(devnull);
    g_free(copy);
    return 0;
}
