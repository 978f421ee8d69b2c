/* SPDX-License-Identifier: BSD-2-Clause */
/* live: the live capture loop, built to run for days.
 *
 *  1. open the device (libpcap) and the -w file while still privileged;
 *  2. drop privileges (privdrop) before the first packet is parsed;
 *  3. the main thread only reads: each frame is copied into a bounded queue (live_queue.h) and
 *     never waits for analysis — when analysis falls behind, frames beyond the queue's budget
 *     are dropped and counted (dropped_queue, beside the kernel's drops);
 *  4. an analysis thread takes the frames in order: each goes to the pipeline under the state
 *     lock; then, under the output lock only, a frame the pipeline calls evidence goes to the
 *     -w file and what the pipeline queued (handshakes, new certificates) is printed and
 *     exported — so a slow output never runs inside reassembly;
 *  5. a clock thread wakes every TICK_US, traffic or not: idle connections expire at wall-clock
 *     time, the model and the certificate cache are offered to live_diag, which copies them when
 *     a diagnosis is due (rate-limited to a tenth of the time) and diagnoses the copy on its own
 *     thread — analysis waits only for the copy, never for the diagnosis —, the -w file is
 *     flushed, and --duration, a dead output, SIGUSR1 (report so far, cli/signals.c) and SIGHUP
 *     (reopen -o FILE for logrotate; the report so far without -o) become actions. The report
 *     so far is made the same way: the clock copies the model, the certificate cache, the
 *     counters and the run's information for live_diag, whose thread diagnoses the copy and
 *     prints the report; a request while one waits is answered by that one;
 *  6. stop on --duration, --count, SIGINT/SIGTERM or a dead output; the caller prints the final
 *     report.
 *
 * Why a thread: libpcap's read timeout cannot be relied on to return. On Linux, without
 * immediate mode (TPACKET_V3) the kernel never retires an empty block, and with it libpcap's
 * blocking read loops over poll timeouts internally: pcap_next_ex only returns with a packet
 * or after pcap_breakloop. The capture handle itself is only used by the main thread, except
 * cp_capture_break, which libpcap 1.10 makes safe from other threads and from signal handlers.
 *
 * Locks: `state` guards the pipeline, `output` the report stream, the -w file and the export
 * directory (and info->errors, which -w adds to). When both are held, state is taken first.
 * live_diag's own lock is a leaf, taken under either or both (to copy the model) and never held
 * while taking another. The reading thread takes none of them while it captures: only `stats`,
 * which nothing holds for long.
 */
#include "cli/live.h"

#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "capture/capture.h"
#include "capture/privdrop.h"
#include "cli/evidence.h"
#include "cli/live_diag.h"
#include "cli/logfile.h"
#include "cli/live_queue.h"
#include "cli/signals.h"
#include "output/export_pem.h"

#define TICK_US         (250 * 1000) /* housekeeping period */
#define READ_TIMEOUT_MS 200          /* libpcap read timeout: batching delay at most */
#define STATS_EVERY_US  (1000 * 1000)

typedef struct Counter32 {
    uint32_t last; /* last raw value of a wrapping 32-bit pcap_stat counter */
    uint64_t total;
} Counter32;

typedef struct Live {
    const CpLiveJob *job;
    CpCapture *cap;
    CpEvidence *evidence;
    CpLiveDiag *diag;
    CpLiveQueue *queue;
    int64_t end_us;        /* --duration deadline, 0 none */
    uint64_t packets_left; /* --count */
    int64_t next_stats_us;
    Counter32 recv, drop, ifdrop; /* reading thread only */
    GMutex stats;                 /* the published totals below */
    bool stats_valid;
    uint64_t received, dropped_kernel, dropped_iface;
    bool output_dead;
    GMutex state;  /* job->pl */
    GMutex output; /* job->report and its stream, evidence, export */
    GCond wake;
    bool finished; /* under state */
} Live;

static void
note_error(Live *l, const char *msg)
{
    fprintf(stderr, "certpath: %s\n", msg);
    g_ptr_array_add(l->job->info->errors, g_strdup(msg));
}

/* pcap_stat counters are 32 bits and wrap within hours at high rates: fold the increments. */
static void
fold(Counter32 *c, uint64_t raw)
{
    c->total += (uint32_t)((uint32_t)raw - c->last);
    c->last = (uint32_t)raw;
}

/* Reading thread only (the capture handle is not shared): publishes the folded counters. */
static void
update_stats(Live *l)
{
    CpCaptureStats st;

    if (!cp_capture_stats(l->cap, &st))
        return;
    fold(&l->recv, st.received);
    fold(&l->drop, st.dropped_kernel);
    fold(&l->ifdrop, st.dropped_iface);
    g_mutex_lock(&l->stats);
    l->stats_valid = true;
    l->received = l->recv.total;
    l->dropped_kernel = l->drop.total;
    l->dropped_iface = l->ifdrop.total;
    g_mutex_unlock(&l->stats);
}

/* Before a report, with the state lock held: the latest counters into info, the report's. */
static void
publish_stats(Live *l, CpRunInfo *info)
{
    g_mutex_lock(&l->stats);
    info->stats_valid = l->stats_valid;
    info->received = l->received;
    info->dropped_kernel = l->dropped_kernel;
    info->dropped_iface = l->dropped_iface;
    g_mutex_unlock(&l->stats);
    info->dropped_queue = cp_live_queue_dropped(l->queue);
}

/* The live_diag thread, over a snapshot: no lock of ours is held. */
static CpDiagnosis *
diagnose_snapshot(void *ctx, CpModel *m, CpCertCache *certs)
{
    const CpLiveJob *j = ((Live *)ctx)->job;

    return cp_diagnose(m, certs, j->trust, j->dopt);
}

/* Clock thread, state lock held: when a diagnosis is due, live_diag copies the model for its
 * thread (which prints the new findings) and this returns at once. */
static void
stream_findings(Live *l, int64_t now_us)
{
    const CpLiveJob *j = l->job;

    cp_live_diag_offer(l->diag, cp_pipeline_model(j->pl), cp_pipeline_certs(j->pl),
                       cp_pipeline_tls_connections(j->pl), now_us);
}

/* Clock thread, state lock held: live_diag copies what the report reads and makes it on its
 * thread, so analysis (and, behind it, capture) never waits for a diagnosis of the whole model. */
static void
report_so_far(Live *l)
{
    const CpLiveJob *j = l->job;
    CpRunInfo now = *j->info;
    CpSeen seen;

    publish_stats(l, &now);
    cp_pipeline_seen(j->pl, &seen);
    g_mutex_lock(&l->output); /* -w adds to info->errors under it, not under state */
    cp_live_diag_report(l->diag, cp_pipeline_model(j->pl), cp_pipeline_certs(j->pl), &seen, &now);
    g_mutex_unlock(&l->output);
}

/* Clock thread, output lock held. */
static void
flush_outputs(Live *l)
{
    if (l->evidence != NULL)
        cp_evidence_flush(l->evidence);
    if (fflush(l->job->out) != 0 || ferror(l->job->out))
        l->output_dead = true;
}

static void show_events(Live *l, GArray *events);

/* Clock thread, state lock held. SIGHUP: logrotate moved -o FILE away, so write to a new one;
 * without -o (standard output cannot be reopened) the report so far, as SIGUSR1. */
static void
on_hangup(Live *l)
{
    const char *path = l->job->cfg->output;
    GError *err = NULL;

    if (path == NULL) {
        report_so_far(l);
        return;
    }
    g_mutex_lock(&l->output);
    if (!cp_logfile_reopen(l->job->out, path, &err)) {
        fprintf(stderr, "certpath: %s\n", err->message); /* goes on writing the old file */
        g_error_free(err);
    }
    g_mutex_unlock(&l->output);
}

/* One tick of the clock thread, with the state lock held. */
static void
housekeeping(Live *l, int64_t now_us)
{
    /* Frame stamps are wall-clock time too: expiry goes on when the wire is silent, and the
     * handshakes it ends are shown now, not when the next packet comes. */
    cp_pipeline_tick(l->job->pl, (uint64_t)g_get_real_time() * 1000u);
    GArray *expired = cp_pipeline_take_events(l->job->pl);
    g_mutex_lock(&l->output);
    show_events(l, expired);
    g_mutex_unlock(&l->output);
    cp_pipeline_events_free(expired);
    stream_findings(l, now_us);
    if (cp_signals_take_report_request())
        report_so_far(l);
    if (cp_signals_take_hangup_request())
        on_hangup(l);
    g_mutex_lock(&l->output);
    flush_outputs(l);
    bool dead = l->output_dead;
    g_mutex_unlock(&l->output);
    if (dead || (l->end_us != 0 && now_us >= l->end_us))
        cp_signals_request_stop();
}

static gpointer
clock_thread(gpointer data)
{
    Live *l = data;

    g_mutex_lock(&l->state);
    while (!l->finished) {
        int64_t deadline = g_get_monotonic_time() + TICK_US;
        while (!l->finished && g_cond_wait_until(&l->wake, &l->state, deadline))
            ; /* woken early: only l->finished matters */
        if (!l->finished)
            housekeeping(l, g_get_monotonic_time());
    }
    g_mutex_unlock(&l->state);
    return NULL;
}

/* Main thread, output lock held: what the pipeline queued while the frame went through. */
static void
show_events(Live *l, GArray *events)
{
    const CpLiveJob *j = l->job;

    for (guint i = 0; events != NULL && i < events->len; i++) {
        const CpEvent *e = &g_array_index(events, CpEvent, i);
        if (e->kind == CP_EVENT_HANDSHAKE) {
            cp_report_handshake(j->report, e->handshake);
            continue;
        }
        cp_report_certificate(j->report, e->cert);
        if (j->cfg->export_dir != NULL && *j->export_error == NULL)
            cp_export_pem(j->cfg->export_dir, e->cert, j->export_error);
    }
}

/* Analysis thread: one frame through the pipeline, then its evidence and events. */
static void
analyse(Live *l, const CpFrame *f)
{
    uint64_t flow;

    g_mutex_lock(&l->state);
    CpKeep keep = cp_pipeline_frame_keep(l->job->pl, f, &flow);
    GArray *events = cp_pipeline_take_events(l->job->pl);
    /* Output before state is let go: a snapshot taken from now on is printed after these
     * handshakes, so no finding comes before the handshake it is about. */
    g_mutex_lock(&l->output);
    g_mutex_unlock(&l->state);
    if (l->evidence != NULL)
        cp_evidence_offer(l->evidence, f, keep, flow);
    show_events(l, events);
    g_mutex_unlock(&l->output);
    cp_pipeline_events_free(events);
}

static gpointer
analysis_thread(gpointer data)
{
    Live *l = data;
    CpLiveFrame *lf;

    while ((lf = cp_live_queue_pop(l->queue)) != NULL) {
        analyse(l, &lf->frame);
        cp_live_queue_frame_free(lf);
    }
    return NULL;
}

/* Reading thread: queue the frame (or count it dropped), never waiting for analysis. */
static void
on_frame(Live *l, const CpFrame *f)
{
    cp_live_queue_push(l->queue, f);
    int64_t now = g_get_monotonic_time();
    if (now >= l->next_stats_us) {
        l->next_stats_us = now + STATS_EVERY_US;
        update_stats(l);
    }
    if (l->packets_left > 0 && --l->packets_left == 0)
        cp_signals_request_stop();
}

/* The main thread's loop; returns false when the capture failed (recorded in info->errors). */
static bool
loop(Live *l)
{
    CpFrame f;

    while (!cp_signals_stop_requested()) {
        GError *err = NULL;
        CpCaptureStatus st = cp_capture_next(l->cap, &f, &err);
        if (st == CP_CAPTURE_END)
            break;
        if (st == CP_CAPTURE_TIMEOUT)
            continue;
        if (st == CP_CAPTURE_ERROR) {
            g_mutex_lock(&l->state);
            note_error(l, err->message);
            g_mutex_unlock(&l->state);
            g_error_free(err);
            return false;
        }
        on_frame(l, &f);
    }
    return true;
}

static bool
open_all(Live *l, GError **error)
{
    const CpConfig *cfg = l->job->cfg;
    CpLiveOptions lo = {
        .device = cfg->iface,
        .filter = cfg->filter,
        .snaplen = cfg->snaplen,
        .buffer_size = cfg->buffer_mib * 1024 * 1024,
        .immediate = cfg->immediate,
        .promisc = !cfg->no_promisc,
        .timeout_ms = READ_TIMEOUT_MS,
    };

    l->cap = cp_capture_open_live(&lo, error);
    if (l->cap == NULL)
        return false;
    if (cfg->write_file != NULL) {
        l->evidence = cp_evidence_open(cfg, l->job->info->errors, error);
        if (l->evidence == NULL)
            return false;
    }
    /* Everything privileged is open: no packet has been parsed yet. */
    if (!cp_privdrop_apply(cfg->user, cfg->allow_root, error))
        return false;
    /* As tcpdump does: says capture has begun (scripts wait for this line). */
    fprintf(stderr, "certpath: listening on %s, filter \"%s\"%s%s\n", cfg->iface,
            cfg->filter != NULL && cfg->filter[0] != '\0' ? cfg->filter : "tcp",
            cp_privdrop_is_root() ? ", as root" : ", as user ",
            cp_privdrop_is_root() ? "" : (cfg->user != NULL ? cfg->user : g_get_user_name()));
    return true;
}

static void
live_clear(Live *l)
{
    cp_capture_free(l->cap);
    cp_live_diag_free(l->diag);
    cp_live_queue_free(l->queue);
    g_mutex_clear(&l->stats);
    g_mutex_clear(&l->state);
    g_mutex_clear(&l->output);
    g_cond_clear(&l->wake);
}

/* Runs the reading loop with the analysis and clock threads beside it; analysis drains the
 * queue before the clock stops, so every frame read is analysed before the final report. */
static bool
run_threads(Live *l)
{
    cp_signals_install(l->cap);
    GThread *clock = g_thread_new("certpath-clock", clock_thread, l);
    GThread *analysis = g_thread_new("certpath-analysis", analysis_thread, l);
    bool ok = l->job->cfg->count == 0 || loop(l);
    cp_live_queue_close(l->queue);
    g_thread_join(analysis);
    g_mutex_lock(&l->state);
    l->finished = true;
    g_cond_signal(&l->wake);
    g_mutex_unlock(&l->state);
    g_thread_join(clock);
    /* The diagnosis under way ends and prints its findings before the final report. */
    g_clear_pointer(&l->diag, cp_live_diag_free);
    cp_signals_restore();
    return ok;
}

bool
cp_live_run(const CpLiveJob *job, bool *input_ok, GError **error)
{
    Live l = { .job = job };

    *input_ok = true;
    g_mutex_init(&l.state);
    g_mutex_init(&l.stats);
    g_mutex_init(&l.output);
    g_cond_init(&l.wake);
    if (!open_all(&l, error)) {
        cp_evidence_discard(l.evidence);
        live_clear(&l);
        return false;
    }
    g_ptr_array_add(job->info->inputs, g_strdup(job->cfg->iface));
    job->info->live = true;
    int64_t start = g_get_monotonic_time();
    l.diag = cp_live_diag_new(start, job->report, &l.output, diagnose_snapshot, &l);
    l.queue = cp_live_queue_new(job->cfg->limits.live_queue_bytes);
    l.end_us =
            job->cfg->duration_s > 0 ? start + (int64_t)job->cfg->duration_s * G_USEC_PER_SEC : 0;
    l.packets_left = job->cfg->count > 0 ? (uint64_t)job->cfg->count : 0;
    *input_ok = run_threads(&l);
    update_stats(&l);
    publish_stats(&l, job->info);
    if (l.output_dead)
        g_ptr_array_add(job->info->errors, g_strdup("the report output failed; capture stopped"));
    if (l.evidence != NULL)
        cp_evidence_close(l.evidence);
    live_clear(&l);
    return true;
}
