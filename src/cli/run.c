/* SPDX-License-Identifier: BSD-2-Clause */
/* run: wires capture -> pipeline -> report, for files and for live capture. */
#include "cli/run.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "analysis/diagnose.h"
#include "analysis/pipeline.h"
#include "analysis/trust.h"
#include "base/error.h"
#include "capture/capture.h"
#include "capture/offline_filter.h"
#include "cli/keylog.h"
#include "capture/pcapng_writer.h"
#include "capture/privdrop.h"
#include "cli/live.h"
#include "output/export_pem.h"
#include "output/report.h"

typedef struct Run {
    const CpConfig *cfg;
    CpReport *report;
    CpPipeline *pl;
    CpTrust *trust;
    CpRunInfo info;
    GError *export_error;
    uint64_t packets_left;   /* --count */
    unsigned opened;         /* inputs that could be opened */
    CpOfflineFilter *filter; /* (nullable, borrowed) -r FILE EXPRESSION */
} Run;

/* Shows what the pipeline queued during the last frame: outside reassembly's call stack, so a
 * slow output or export directory never runs inside it. */
static void
show_events(Run *r)
{
    GArray *events = cp_pipeline_take_events(r->pl);

    for (guint i = 0; events != NULL && i < events->len; i++) {
        const CpEvent *e = &g_array_index(events, CpEvent, i);
        if (e->kind == CP_EVENT_HANDSHAKE) {
            if (!r->cfg->quiet)
                cp_report_handshake(r->report, e->handshake);
            continue;
        }
        if (!r->cfg->quiet)
            cp_report_certificate(r->report, e->cert);
        if (r->cfg->export_dir != NULL && r->export_error == NULL)
            cp_export_pem(r->cfg->export_dir, e->cert, &r->export_error);
    }
    cp_pipeline_events_free(events);
}

static void
warn(const char *msg)
{
    fprintf(stderr, "certpath: %s\n", msg);
}

/* Reads one source to its end; returns false on an input error (already recorded). */
static bool
read_all(Run *r, CpCapture *cap)
{
    CpFrame f;
    GError *err = NULL;

    for (;;) {
        if (r->cfg->count >= 0 && r->packets_left == 0)
            return true;
        CpCaptureStatus st = cp_capture_next(cap, &f, &err);
        if (st == CP_CAPTURE_END)
            return true;
        if (st == CP_CAPTURE_TIMEOUT)
            continue;
        if (st == CP_CAPTURE_ERROR) {
            warn(err->message);
            g_ptr_array_add(r->info.errors, g_strdup(err->message));
            g_error_free(err);
            return false;
        }
        if (r->filter != NULL && !cp_offline_filter_match(r->filter, &f, &err)) {
            if (err != NULL) { /* once per link type the expression does not apply to */
                warn(err->message);
                g_clear_error(&err);
            }
            continue; /* like tcpdump, -c counts the packets that pass */
        }
        cp_pipeline_frame(r->pl, &f);
        show_events(r);
        if (r->cfg->count >= 0)
            r->packets_left--;
    }
}

/* Each input is one capture: a file, standard input, or a directory or ring-buffer file set
 * whose files are read one after the other in time order (cp_capture_expand_input). */
static bool
run_files(Run *r)
{
    bool ok = true;

    for (char **in = r->cfg->inputs; *in != NULL; in++) {
        GError *err = NULL;
        GPtrArray *skipped = g_ptr_array_new_with_free_func(g_free);
        GPtrArray *files = cp_capture_expand_input(*in, &r->cfg->limits, skipped, &err);
        g_ptr_array_add(r->info.inputs, g_strdup(*in));
        for (guint i = 0; i < skipped->len; i++) {
            char *note = g_strdup_printf("%s: skipped %s", *in, (const char *)skipped->pdata[i]);
            warn(note);
            g_free(note);
        }
        g_ptr_array_unref(skipped);
        if (files == NULL) {
            warn(err->message);
            g_ptr_array_add(r->info.errors, g_strdup(err->message));
            g_error_free(err);
            ok = false;
            continue;
        }
        bool opened = false;
        for (guint i = 0; i < files->len; i++) {
            CpCapture *cap = cp_capture_open_file_full(files->pdata[i], &r->cfg->limits, &err);
            if (cap == NULL) {
                warn(err->message);
                g_ptr_array_add(r->info.errors, g_strdup(err->message));
                g_clear_error(&err);
                ok = false;
                continue;
            }
            opened = true;
            cp_cli_take_secrets(cap, r->pl);
            ok &= read_all(r, cap);
            if (cp_capture_skipped(cap) > 0) {
                char *note = g_strdup_printf("%s: %" G_GUINT64_FORMAT
                                             " NetMon records that are not packets skipped "
                                             "(NetEvent, network info, other media)",
                                             cp_capture_name(cap), cp_capture_skipped(cap));
                warn(note);
                g_free(note);
            }
            cp_capture_free(cap);
        }
        r->opened += opened;
        g_ptr_array_unref(files);
    }
    return ok;
}

static void
list_devices(CpRunResult *res, GError **error)
{
    GPtrArray *devs = cp_capture_list_devices(error);

    if (devs == NULL) {
        res->input_error = true;
        return;
    }
    for (guint i = 0; i < devs->len; i++)
        printf("%u.%s\n", i + 1, (const char *)devs->pdata[i]);
    g_ptr_array_free(devs, TRUE);
}

bool
cp_run(const CpConfig *cfg, CpRunResult *res, GError **error)
{
    Run r = { .cfg = cfg };
    FILE *out = stdout;

    memset(res, 0, sizeof *res);
    if (cfg->list_ifaces) {
        list_devices(res, error);
        return !res->input_error;
    }
    /* Refuse to run as root before anything is opened or created. */
    if (cfg->iface != NULL && !cp_privdrop_check(cfg->user, cfg->allow_root, error))
        return false;
    /* Live with -Z: the directory must be writable by the user certpath becomes. */
    if (cfg->export_dir != NULL &&
        !cp_export_prepare(cfg->export_dir, cfg->iface != NULL ? cfg->user : NULL, error))
        return false;
    /* The filter expression is checked before anything is read or created. */
    g_autoptr(CpOfflineFilter) filter = NULL;
    if (cfg->offline_filter != NULL && cfg->iface == NULL &&
        (filter = cp_offline_filter_new(cfg->offline_filter, error)) == NULL)
        return false;
    r.filter = filter;
    CpTrustOptions topt = { cfg->no_system_ca, cfg->ca_files, cfg->ca_paths };
    r.trust = cp_trust_new(&topt, error);
    if (r.trust == NULL)
        return false;
    /* Not fopen: a link planted at -o must not make root truncate another file. */
    if (cfg->output != NULL && (out = cp_pcapng_writer_create_file(cfg->output, error)) == NULL) {
        cp_trust_free(r.trust);
        return false;
    }
    r.info.has_at = cfg->has_at;
    r.info.at_s = cfg->at_s;
    r.report = cp_report_new(cfg->format, out, cfg->iface != NULL);
    r.info.inputs = g_ptr_array_new_with_free_func(g_free);
    r.info.errors = g_ptr_array_new_with_free_func(g_free);
    r.packets_left = cfg->count >= 0 ? (uint64_t)cfg->count : 0;
    r.pl = cp_pipeline_new(&cfg->limits);
    if (!cp_cli_load_keylogs(r.pl, cfg->keylog_files, &cfg->limits, error)) {
        cp_pipeline_free(r.pl);
        cp_report_free(r.report);
        g_ptr_array_free(r.info.inputs, TRUE);
        g_ptr_array_free(r.info.errors, TRUE);
        cp_trust_free(r.trust);
        if (out != stdout)
            fclose(out);
        return false;
    }

    CpDiagOptions dopt = {
        .rules = cfg->roles ? (const CpRoleRule *)(void *)cfg->roles->data : NULL,
        .n_rules = cfg->roles ? cfg->roles->len : 0,
        .trusted_ca = cfg->trusted_ca,
        .has_at = cfg->has_at,
        .at_s = cfg->at_s,
    };
    bool ok = true;
    bool started = true;
    if (cfg->iface != NULL) {
        CpLiveJob job = { cfg, r.report, out, r.pl, r.trust, &dopt, &r.info, &r.export_error };
        started = cp_live_run(&job, &ok, error);
    } else {
        ok = run_files(&r);
    }
    if (!started) {
        /* The device never opened: nothing to report. */
        cp_pipeline_free(r.pl);
        cp_report_free(r.report);
        g_ptr_array_free(r.info.inputs, TRUE);
        g_ptr_array_free(r.info.errors, TRUE);
        cp_trust_free(r.trust);
        if (out != stdout)
            fclose(out);
        return false;
    }
    cp_pipeline_finish(r.pl);
    show_events(&r);
    /* Nothing could be opened: the one-line errors already said it all. */
    if (r.opened > 0 || cfg->iface != NULL) {
        CpDiagnosis *diag =
                cp_diagnose(cp_pipeline_model(r.pl), cp_pipeline_certs(r.pl), r.trust, &dopt);
        CpSeen seen;
        cp_pipeline_seen(r.pl, &seen);
        if (!cfg->quiet)
            cp_report_final(r.report, &seen, &r.info, diag);
        /* 0 clean, 1 warning, 2 error, 3 inconclusive (CpOutcome): main.c maps it to 0 or 1. */
        res->worst_severity = (int)cp_diag_outcome(diag, &seen);
        cp_diagnosis_free(diag);
    }
    if (r.export_error != NULL) {
        warn(r.export_error->message);
        g_error_free(r.export_error);
        res->output_error = true;
    }
    res->input_error = !ok;
    if (ferror(out) || (out != stdout && fclose(out) != 0))
        res->output_error = true;
    cp_pipeline_free(r.pl);
    cp_trust_free(r.trust);
    cp_report_free(r.report);
    g_ptr_array_free(r.info.inputs, TRUE);
    g_ptr_array_free(r.info.errors, TRUE);
    return true;
}
