/* SPDX-License-Identifier: BSD-2-Clause */
/* live: the live capture loop, built to run for days.
 *
 *  1. open the device (libpcap) and the -w file while still privileged;
 *  2. drop privileges (privdrop) before the first packet is parsed;
 *  3. the main thread reads frames: each goes to the pipeline (handshakes are reported by the
 *     pipeline's hook as they end), and a frame the pipeline calls evidence to the -w file;
 *  4. a housekeeping thread wakes every TICK_US, traffic or not: idle connections expire at
 *     wall-clock time, the -w file is flushed, and — at most once per DIAG_MIN_US, only when
 *     handshakes were added — the model is diagnosed again and each finding whose key is new is
 *     reported (a known key is only counted: the final report has the counts); it also turns
 *     --duration, a dead output and SIGHUP/SIGUSR1 (report so far) into actions;
 *  5. stop on --duration, --count, SIGINT/SIGTERM or a dead output; the caller prints the final
 *     report.
 *
 * Why a thread: libpcap's read timeout cannot be relied on to return. On Linux, without
 * immediate mode (TPACKET_V3) the kernel never retires an empty block, and with it libpcap's
 * blocking read loops over poll timeouts internally: pcap_next_ex only returns with a packet
 * or after pcap_breakloop. So the clock lives in its own thread, and one mutex serialises every
 * use of the pipeline, the report and the -w file (uncontended: one lock per frame). The
 * capture handle itself is only used by the main thread, except cp_capture_break, which
 * libpcap 1.10 makes safe from other threads and from signal handlers.
 *
 * Signal handlers only set sig_atomic_t flags and call cp_capture_break. Memory stays flat:
 * the flow table, reassembly, certificate cache and model are capped by CpLimits, and the set
 * of reported finding keys by the model it comes from.
 */
#include "cli/live.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "capture/capture.h"
#include "capture/privdrop.h"
#include "output/pcapng_writer.h"

#define TICK_US         (250 * 1000)  /* housekeeping period */
#define READ_TIMEOUT_MS 200           /* libpcap read timeout: batching delay at most */
#define DIAG_MIN_US     (1000 * 1000) /* findings are re-computed at most once a second */
#define DIAG_MAX_US     (60 * 1000 * 1000)
#define STATS_EVERY_US  (1000 * 1000)

/* The only process-wide state: a signal handler cannot be given a context pointer. */
static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t report_requested;
static CpCapture *volatile signal_capture;

typedef struct Counter32 {
    uint32_t last; /* last raw value of a wrapping 32-bit pcap_stat counter */
    uint64_t total;
} Counter32;

typedef struct Live {
    const CpLiveJob *job;
    CpCapture *cap;
    CpPcapngWriter *pcapng;
    GHashTable *reported;  /* finding keys already printed (set) */
    uint64_t diagnosed_hs; /* tls_connections at the last diagnosis */
    int64_t next_diag_us;  /* monotonic */
    int64_t end_us;        /* --duration deadline, 0 none */
    uint64_t packets_left; /* --count */
    int64_t next_stats_us;
    Counter32 recv, drop, ifdrop;
    bool output_dead;
    /* housekeeping thread */
    GMutex lock; /* everything above once the loop runs, except cap */
    GCond wake;
    bool finished;
} Live;

static void
on_stop_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
    if (signal_capture != NULL)
        cp_capture_break(signal_capture);
}

static void
on_report_signal(int sig)
{
    (void)sig;
    report_requested = 1;
}

static void
set_handler(int sig, void (*fn)(int), bool once)
{
#ifdef SA_RESETHAND
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    /* A second Ctrl-C kills at once, should the final report ever hang. */
    sa.sa_flags = once ? SA_RESETHAND : 0;
    sigaction(sig, &sa, NULL);
#else
    (void)once;
    signal(sig, fn);
#endif
}

static void
signals_install(CpCapture *cap)
{
    stop_requested = 0;
    report_requested = 0;
    signal_capture = cap;
    set_handler(SIGINT, on_stop_signal, true);
    set_handler(SIGTERM, on_stop_signal, true);
#ifdef SIGHUP
    set_handler(SIGHUP, on_report_signal, false);
#endif
#ifdef SIGUSR1
    set_handler(SIGUSR1, on_report_signal, false);
#endif
#ifdef SIGPIPE
    /* A log shipper that goes away must end the run cleanly (write error), not kill it. */
    set_handler(SIGPIPE, SIG_IGN, false);
#endif
}

static void
signals_restore(void)
{
    set_handler(SIGINT, SIG_DFL, false);
    set_handler(SIGTERM, SIG_DFL, false);
#ifdef SIGHUP
    set_handler(SIGHUP, SIG_DFL, false);
#endif
#ifdef SIGUSR1
    set_handler(SIGUSR1, SIG_DFL, false);
#endif
    signal_capture = NULL;
}

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

/* Main thread only (the capture handle is not shared); called with the lock held. */
static void
update_stats(Live *l)
{
    CpCaptureStats st;
    CpRunInfo *info = l->job->info;

    if (!cp_capture_stats(l->cap, &st))
        return;
    fold(&l->recv, st.received);
    fold(&l->drop, st.dropped_kernel);
    fold(&l->ifdrop, st.dropped_iface);
    info->stats_valid = true;
    info->received = l->recv.total;
    info->dropped_kernel = l->drop.total;
    info->dropped_iface = l->ifdrop.total;
}

static CpDiagnosis *
diagnose(Live *l)
{
    const CpLiveJob *j = l->job;

    return cp_diagnose(cp_pipeline_model(j->pl), cp_pipeline_certs(j->pl), j->trust, j->dopt);
}

/* Reports each finding whose key was never reported; a known fault is only counted. */
static void
stream_findings(Live *l, int64_t now_us)
{
    uint64_t hs = cp_pipeline_stats(l->job->pl)->tls_connections;

    if (hs == l->diagnosed_hs || now_us < l->next_diag_us)
        return;
    l->diagnosed_hs = hs;
    CpDiagnosis *d = diagnose(l);
    for (guint i = 0; i < d->findings->len; i++) {
        const CpFinding *f = d->findings->pdata[i];
        if (f->key == NULL || g_hash_table_contains(l->reported, f->key))
            continue;
        g_hash_table_add(l->reported, g_strdup(f->key));
        cp_report_finding(l->job->report, f);
    }
    cp_diagnosis_free(d);
    /* A huge model makes diagnosis slow: keep it under a tenth of the time. */
    int64_t took = g_get_monotonic_time() - now_us;
    l->next_diag_us = now_us + CLAMP(took * 10, DIAG_MIN_US, DIAG_MAX_US);
}

static void
report_so_far(Live *l)
{
    CpDiagnosis *d = diagnose(l);
    cp_report_final(l->job->report, l->job->pl, l->job->info, d);
    cp_diagnosis_free(d);
}

/* One tick of the housekeeping thread, with the lock held. */
static void
housekeeping(Live *l, int64_t now_us)
{
    /* Frame stamps are wall-clock time too: expiry goes on when the wire is silent. */
    cp_pipeline_tick(l->job->pl, (uint64_t)g_get_real_time() * 1000u);
    stream_findings(l, now_us);
    if (l->pcapng != NULL) {
        GError *err = NULL;
        if (!cp_pcapng_writer_flush(l->pcapng, &err) && err != NULL) {
            note_error(l, err->message);
            g_error_free(err);
        }
    }
    if (report_requested) {
        report_requested = 0;
        report_so_far(l);
    }
    if (fflush(l->job->out) != 0 || ferror(l->job->out))
        l->output_dead = true;
    if (l->output_dead || (l->end_us != 0 && now_us >= l->end_us)) {
        stop_requested = 1;
        cp_capture_break(l->cap);
    }
}

static gpointer
clock_thread(gpointer data)
{
    Live *l = data;

    g_mutex_lock(&l->lock);
    while (!l->finished) {
        int64_t deadline = g_get_monotonic_time() + TICK_US;
        while (!l->finished && g_cond_wait_until(&l->wake, &l->lock, deadline))
            ; /* woken early: only l->finished matters */
        if (!l->finished)
            housekeeping(l, g_get_monotonic_time());
    }
    g_mutex_unlock(&l->lock);
    return NULL;
}

static void
on_frame(Live *l, const CpFrame *f)
{
    bool evidence = cp_pipeline_frame(l->job->pl, f);

    if (evidence && l->pcapng != NULL) {
        GError *err = NULL;
        if (!cp_pcapng_writer_add(l->pcapng, f, &err) && err != NULL) {
            note_error(l, err->message);
            g_error_free(err);
        }
    }
    if (l->packets_left > 0 && --l->packets_left == 0)
        stop_requested = 1;
}

/* The main thread's loop; returns false when the capture failed (recorded in info->errors). */
static bool
loop(Live *l)
{
    CpFrame f;
    bool ok = true;

    while (!stop_requested) {
        GError *err = NULL;
        CpCaptureStatus st = cp_capture_next(l->cap, &f, &err);
        if (st == CP_CAPTURE_END)
            break;
        if (st == CP_CAPTURE_TIMEOUT)
            continue;
        g_mutex_lock(&l->lock);
        if (st == CP_CAPTURE_ERROR) {
            note_error(l, err->message);
            g_error_free(err);
            ok = false;
        } else {
            on_frame(l, &f);
            int64_t now = g_get_monotonic_time();
            if (now >= l->next_stats_us) {
                l->next_stats_us = now + STATS_EVERY_US;
                update_stats(l);
            }
        }
        g_mutex_unlock(&l->lock);
        if (!ok)
            break;
    }
    return ok;
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
        uint64_t limit = (uint64_t)cfg->write_limit_mib * 1024u * 1024u;
        l->pcapng = cp_pcapng_writer_open(cfg->write_file, cfg->iface, limit, error);
        if (l->pcapng == NULL)
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
close_pcapng(Live *l)
{
    const CpConfig *cfg = l->job->cfg;
    const CpPcapngStats *s = cp_pcapng_writer_stats(l->pcapng);
    uint64_t written = s->written, over = s->over_limit, bytes = s->bytes;
    GError *err = NULL;

    if (!cp_pcapng_writer_close(l->pcapng, &err) && err != NULL) {
        note_error(l, err->message);
        g_error_free(err);
    }
    l->pcapng = NULL;
    fprintf(stderr,
            "certpath: %s: %" G_GUINT64_FORMAT " handshake packets written (%" G_GUINT64_FORMAT
            " bytes)\n",
            cfg->write_file, written, bytes);
    if (over > 0) {
        g_autofree char *msg = g_strdup_printf("%s: %" G_GUINT64_FORMAT
                                               " handshake packets not written: the file reached "
                                               "--write-limit %d MiB",
                                               cfg->write_file, over, cfg->write_limit_mib);
        note_error(l, msg);
    }
}

static void
live_clear(Live *l)
{
    if (l->pcapng != NULL)
        close_pcapng(l);
    cp_capture_free(l->cap);
    g_hash_table_destroy(l->reported);
    g_mutex_clear(&l->lock);
    g_cond_clear(&l->wake);
}

/* Runs the loop with the housekeeping thread beside it. */
static bool
run_threads(Live *l)
{
    signals_install(l->cap);
    GThread *clock = g_thread_new("certpath-clock", clock_thread, l);
    bool ok = l->job->cfg->count == 0 || loop(l);
    g_mutex_lock(&l->lock);
    l->finished = true;
    g_cond_signal(&l->wake);
    g_mutex_unlock(&l->lock);
    g_thread_join(clock);
    signals_restore();
    return ok;
}

bool
cp_live_run(const CpLiveJob *job, bool *input_ok, GError **error)
{
    Live l = { .job = job };

    *input_ok = true;
    g_mutex_init(&l.lock);
    g_cond_init(&l.wake);
    l.reported = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    if (!open_all(&l, error)) {
        if (l.pcapng != NULL)
            cp_pcapng_writer_close(l.pcapng, NULL);
        l.pcapng = NULL;
        live_clear(&l);
        return false;
    }
    g_ptr_array_add(job->info->inputs, g_strdup(job->cfg->iface));
    job->info->live = true;
    int64_t start = g_get_monotonic_time();
    l.end_us =
            job->cfg->duration_s > 0 ? start + (int64_t)job->cfg->duration_s * G_USEC_PER_SEC : 0;
    l.packets_left = job->cfg->count > 0 ? (uint64_t)job->cfg->count : 0;
    l.next_diag_us = start;
    *input_ok = run_threads(&l);
    update_stats(&l);
    if (l.output_dead)
        g_ptr_array_add(job->info->errors, g_strdup("the report output failed; capture stopped"));
    live_clear(&l);
    return true;
}
