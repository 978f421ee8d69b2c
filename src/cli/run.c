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
#include "cli/progress.h"
#include "output/export_bundle.h"
#include "cli/records_input.h"
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
    CpProgress *progress;    /* the terminal's progress line (offline) */
    uint64_t frames;         /* read so far, for the progress line */
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

/* One line on standard error, after the progress line (if shown) is erased. */
static void
warn(Run *r, const char *msg)
{
    cp_progress_clear(r->progress);
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
            warn(r, err->message);
            g_ptr_array_add(r->info.errors, g_strdup(err->message));
            g_error_free(err);
            return false;
        }
        if (r->filter != NULL && !cp_offline_filter_match(r->filter, &f, &err)) {
            if (err != NULL) { /* once per link type the expression does not apply to */
                warn(r, err->message);
                g_clear_error(&err);
            }
            continue; /* like tcpdump, -c counts the packets that pass */
        }
        cp_pipeline_frame(r->pl, &f);
        show_events(r);
        cp_progress_frame(r->progress, cp_capture_name(cap), ++r->frames,
                          cp_pipeline_tls_connections(r->pl));
        if (r->cfg->count >= 0)
            r->packets_left--;
    }
}

/* Without --keylog, the key log beside a capture file (cli/keylog.c), each file once; never in
 * live mode, which does not come here. */
static void
sibling_keylog(Run *r, const char *file)
{
    g_autofree char *path = NULL;
    g_autofree char *msg = NULL;

    if (r->cfg->keylog_files != NULL || r->cfg->no_keylog_search)
        return;
    g_autofree char *found = cp_cli_sibling_keylog(file);
    for (guint i = 0; found != NULL && i < r->info.keylogs->len; i++)
        if (strcmp(r->info.keylogs->pdata[i], found) == 0)
            return; /* one key log beside several inputs: read once */
    CpSiblingKeylog st = cp_cli_load_sibling_keylog(r->pl, file, &r->cfg->limits, &path, &msg);
    if (st == CP_SIBLING_KEYLOG_USED)
        g_ptr_array_add(r->info.keylogs, g_steal_pointer(&path));
    if (msg != NULL && (st == CP_SIBLING_KEYLOG_UNUSABLE || !r->cfg->quiet))
        warn(r, msg);
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
            warn(r, note);
            g_free(note);
        }
        g_ptr_array_unref(skipped);
        if (files == NULL) {
            warn(r, err->message);
            g_ptr_array_add(r->info.errors, g_strdup(err->message));
            g_error_free(err);
            ok = false;
            continue;
        }
        bool opened = false;
        for (guint i = 0; i < files->len; i++) {
            CpCapture *cap = cp_capture_open_file_full(files->pdata[i], &r->cfg->limits, &err);
            if (cap == NULL) {
                warn(r, err->message);
                g_ptr_array_add(r->info.errors, g_strdup(err->message));
                g_clear_error(&err);
                ok = false;
                continue;
            }
            opened = true;
            sibling_keylog(r, files->pdata[i]);
            cp_cli_take_secrets(cap, r->pl);
            ok &= read_all(r, cap);
            if (cp_capture_skipped(cap) > 0) {
                char *note = g_strdup_printf("%s: %" G_GUINT64_FORMAT
                                             " NetMon records that are not packets skipped "
                                             "(NetEvent, network info, other media)",
                                             cp_capture_name(cap), cp_capture_skipped(cap));
                warn(r, note);
                g_free(note);
            }
            cp_capture_free(cap);
        }
        r->opened += opened;
        g_ptr_array_unref(files);
    }
    return ok;
}

/* A full disk or a vanished reader must not end the run with a bare exit 2: say which file and
 * why. stdio keeps only an error flag, so err is the report's first failed write (report.h);
 * otherwise the last fflush or fclose gives the cause. Closes out unless it is stdout. */
static bool
finish_output(FILE *out, const char *name, int err)
{
    const char *what = name != NULL ? name : "standard output";

    if (fflush(out) != 0 && err == 0)
        err = errno;
    bool bad = err != 0 || ferror(out);
    if (out != stdout && fclose(out) != 0) {
        bad = true;
        if (err == 0)
            err = errno;
    }
    if (!bad)
        return true;
    fprintf(stderr, "certpath: %s: cannot write the report: %s\n", what,
            err != 0 ? g_strerror(err) : "write error");
    return false;
}

static void
show_events_cb(void *user)
{
    show_events(user);
}

/* Why a file added less than it holds: said once per file, on standard error. */
static void
note_records(Run *r, const char *path, const CpRecordsStats *before, const CpRecordsStats *after)
{
    uint64_t no_der = after->no_der - before->no_der;
    uint64_t rejected = after->rejected - before->rejected;

    if (no_der > 0) {
        g_autofree char *msg = g_strdup_printf(
                "%s: %" G_GUINT64_FORMAT " certificate records carry no DER (written by a "
                "certpath older than --records): chains naming them cannot be checked; run the "
                "sensor's certpath again with this version",
                path, no_der);
        warn(r, msg);
    }
    if (rejected > 0) {
        g_autofree char *msg = g_strdup_printf(
                "%s: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " lines skipped: not certpath "
                "records, or damaged (records.* in the summary's anomalies)",
                path, rejected, after->lines - before->lines);
        warn(r, msg);
    }
}

/* --records: every input is JSON Lines from a certpath sensor; all of them make one model. */
static bool
run_records(Run *r)
{
    g_autoptr(CpRecords) rd = cp_records_new(r->pl, &r->cfg->limits);
    bool ok = true;

    for (char **in = r->cfg->inputs; *in != NULL; in++) {
        GError *err = NULL;
        CpRecordsStats before = *cp_records_stats(rd);
        g_ptr_array_add(r->info.inputs, g_strdup(*in));
        if (!cp_records_read(rd, *in, r->cfg->limits.max_record_line, show_events_cb, r, &err)) {
            warn(r, err->message);
            g_ptr_array_add(r->info.errors, g_strdup(err->message));
            g_error_free(err);
            ok = false;
            continue;
        }
        r->opened++;
        note_records(r, strcmp(*in, "-") == 0 ? "standard input" : *in, &before,
                     cp_records_stats(rd));
    }
    cp_records_finish(rd);
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

/* A --role (or [roles]) selector that selects no server is most likely a typo: the role it
 * was meant to give is then detected, or not, without a word. */
static void
warn_unused_roles(const CpConfig *cfg, const CpDiagnosis *diag)
{
    for (guint i = 0; cfg->roles != NULL && i < cfg->roles->len; i++) {
        const CpRoleRule *rule = &g_array_index(cfg->roles, CpRoleRule, i);
        if (cp_roles_rule_used(diag->roles, rule))
            continue;
        g_autofree char *sel = g_strescape(rule->selector, NULL);
        fprintf(stderr,
                "certpath: warning: --role %s=%s matches no server seen (give an address, "
                "address:port or a name the server answers for)\n",
                cp_role_name(rule->role), sel);
    }
}

/* A run that ends before any report (a key log that does not load, a device that does not open):
 * everything it set up is released. */
static bool
abandon(Run *r, FILE *out)
{
    cp_pipeline_free(r->pl);
    cp_report_free(r->report);
    g_ptr_array_free(r->info.inputs, TRUE);
    g_ptr_array_free(r->info.errors, TRUE);
    g_ptr_array_free(r->info.keylogs, TRUE);
    cp_trust_free(r->trust);
    if (out != stdout)
        fclose(out);
    return false;
}

/* A --trusted-ca thumbprint that changed no path: a typo, or a root no server sends and certpath
 * was not given — said, so a clean verdict is not mistaken for that root having been checked. */
static void
warn_unused_trusted(const CpConfig *cfg, const CpDiagnosis *diag)
{
    for (char **t = cfg->trusted_ca; t != NULL && *t != NULL; t++) {
        bool used = false;
        for (guint i = 0; !used && diag->trusted_applied != NULL && i < diag->trusted_applied->len;
             i++)
            used = g_ascii_strcasecmp(diag->trusted_applied->pdata[i], *t) == 0;
        if (!used)
            fprintf(stderr,
                    "certpath: warning: --trusted-ca %s changed nothing: no Exchange path that "
                    "phones would refuse ends at that root (a root the servers do not send must "
                    "also be given with --ca-file)\n",
                    *t);
    }
}

/* --export-certs: the chain bundles and manifest.json once everything is seen, and one line
 * saying what the directory now holds. */
static void
export_bundles(Run *r, const CpSeen *seen)
{
    CpExportCount n;
    const char *dir = r->cfg->export_dir;

    if (r->export_error != NULL || !cp_export_bundles(dir, seen->servers, &n, &r->export_error))
        return;
    if (!r->cfg->quiet)
        fprintf(stderr,
                "certpath: --export-certs %s: %u certificate%s as <SHA1>.pem, %u chain "
                "bundle%s as <server>-chain<N>.pem (leaf first), manifest.json\n",
                dir, seen->certificates, seen->certificates == 1 ? "" : "s", n.bundles,
                n.bundles == 1 ? "" : "s");
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
    r.info.records = cfg->records;
    r.info.at_s = cfg->at_s;
    r.report = cp_report_new(cfg->format, out, cfg->iface != NULL || cfg->lines);
    r.info.inputs = g_ptr_array_new_with_free_func(g_free);
    r.info.errors = g_ptr_array_new_with_free_func(g_free);
    r.info.keylogs = g_ptr_array_new_with_free_func(g_free);
    for (char **k = cfg->keylog_files; k != NULL && *k != NULL; k++)
        g_ptr_array_add(r.info.keylogs, g_strdup(*k));
    r.packets_left = cfg->count >= 0 ? (uint64_t)cfg->count : 0;
    r.pl = cp_pipeline_new(&cfg->limits);
    if (!cp_cli_load_keylogs(r.pl, cfg->keylog_files, &cfg->limits, error)) {
        return abandon(&r, out);
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
    } else if (cfg->records) {
        ok = run_records(&r);
    } else {
        r.progress = cp_progress_new(!cfg->quiet && cp_progress_stderr_is_tty());
        ok = run_files(&r);
        cp_progress_free(r.progress);
        r.progress = NULL;
    }
    if (!started) {
        /* The device never opened: nothing to report. */
        return abandon(&r, out);
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
        warn_unused_roles(cfg, diag);
        warn_unused_trusted(cfg, diag);
        if (cfg->export_dir != NULL)
            export_bundles(&r, &seen);
        /* 0 clean, 1 warning, 2 error, 3 inconclusive (CpOutcome): main.c maps it to 0 or 1. */
        res->worst_severity = (int)cp_diag_outcome(diag, &seen);
        cp_diagnosis_free(diag);
    } else if (!cfg->quiet && strcmp(cfg->format, "json") == 0) {
        /* A pipeline reading JSON still gets its summary line, with the error in it. */
        CpSeen seen;
        cp_pipeline_seen(r.pl, &seen);
        cp_report_final(r.report, &seen, &r.info, NULL);
    }
    if (r.export_error != NULL) {
        warn(&r, r.export_error->message);
        g_error_free(r.export_error);
        res->output_error = true;
    }
    res->input_error = !ok;
    if (!finish_output(out, cfg->output, cp_report_write_errno(r.report)))
        res->output_error = true;
    cp_pipeline_free(r.pl);
    cp_trust_free(r.trust);
    cp_report_free(r.report);
    g_ptr_array_free(r.info.inputs, TRUE);
    g_ptr_array_free(r.info.errors, TRUE);
    g_ptr_array_free(r.info.keylogs, TRUE);
    return true;
}
