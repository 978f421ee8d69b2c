/* SPDX-License-Identifier: BSD-2-Clause */
/* live_diag: the live re-diagnosis policy and its thread (live_diag.h).
 *
 * One snapshot at a time: the clock thread offers the model every tick; while a diagnosis runs
 * (or waits to), offers are refused, so at most one streaming copy of the model exists and a slow
 * diagnosis makes the next one later (back-off), never a queue of them. The snapshot costs a copy
 * of what diagnosis reads, taken under the caller's lock; the diagnosis itself takes no lock of
 * the caller's, only `output` to print what it found.
 *
 * A report so far (SIGUSR1) has a slot of its own beside the streaming one, the two served in
 * turn: one report being made and at most one waiting, so signals faster than reports coalesce
 * into the waiting one instead of queueing copies of the model. Both run on this one thread, so two
 * diagnoses never overlap. `lock` is a leaf: nothing else is taken while it is held. */
#include "cli/live_diag.h"

#include <pthread.h>
#include <glib.h>

#include "analysis/seen.h"

#define DIAG_MIN_US (1000 * 1000)      /* findings are re-computed at most once a second */
#define DIAG_MAX_US (60 * 1000 * 1000) /* and at least once a minute while handshakes come */

/* What a report so far reads, copied when it was asked for; every pointer is the copy's own. */
typedef struct SoFar {
    CpModel *model;
    CpCertCache *certs;
    CpSeen seen;           /* servers: the model snapshot's */
    CpAnomalies anomalies; /* seen.anomalies */
    GArray *links;         /* seen.unsupported_links */
    CpRunInfo info;        /* inputs, errors and keylogs copied */
} SoFar;

struct CpLiveDiag {
    GHashTable *reported; /* finding keys already printed (set); the thread's only */
    CpReport *report;
    GMutex *output;
    CpLiveDiagnoseFn fn;
    void *ctx;
    GThread *thread;
    /* guards everything below; POSIX, not GMutex, so that ThreadSanitizer sees it (STYLE R62) */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    uint64_t snapshot_hs; /* handshakes at the last snapshot */
    int64_t next_us;      /* monotonic */
    bool busy;            /* a snapshot waits or is being diagnosed */
    bool quit;
    CpModel *model; /* the snapshot waiting for the thread, NULL when none */
    CpCertCache *certs;
    int64_t started_us;
    SoFar *so_far;  /* the report waiting for the thread, NULL when none */
    bool reporting; /* a report is being made */
};

static GPtrArray *
strings_copy(const GPtrArray *a)
{
    if (a == NULL)
        return NULL;
    GPtrArray *c = g_ptr_array_new_full(a->len, g_free);
    for (guint i = 0; i < a->len; i++)
        g_ptr_array_add(c, g_strdup(a->pdata[i]));
    return c;
}

/* seen, but pointing at the copy's own counters and links, and at the snapshot's servers. */
static void
so_far_copy_seen(SoFar *sf, const CpSeen *seen)
{
    const GArray *links = seen->unsupported_links;
    guint n_links = links != NULL ? links->len : 0;

    sf->seen = *seen;
    sf->seen.servers = cp_model_servers(sf->model);
    if (seen->anomalies != NULL)
        sf->anomalies = *seen->anomalies;
    sf->seen.anomalies = &sf->anomalies;
    sf->links = g_array_sized_new(FALSE, FALSE, sizeof(CpLinkSeen), n_links);
    if (n_links > 0)
        g_array_append_vals(sf->links, links->data, n_links);
    sf->seen.unsupported_links = sf->links;
}

static SoFar *
so_far_new(CpModel *m, CpCertCache *certs, const CpSeen *seen, const CpRunInfo *info)
{
    SoFar *sf = g_new0(SoFar, 1);

    sf->model = cp_model_snapshot(m);
    sf->certs = cp_cert_cache_snapshot(certs);
    so_far_copy_seen(sf, seen);
    sf->info = *info;
    sf->info.inputs = strings_copy(info->inputs);
    sf->info.errors = strings_copy(info->errors);
    sf->info.keylogs = strings_copy(info->keylogs);
    return sf;
}

static void
so_far_free(SoFar *sf)
{
    g_clear_pointer(&sf->info.inputs, g_ptr_array_unref);
    g_clear_pointer(&sf->info.errors, g_ptr_array_unref);
    g_clear_pointer(&sf->info.keylogs, g_ptr_array_unref);
    g_clear_pointer(&sf->links, g_array_unref);
    cp_model_free(sf->model);
    cp_cert_cache_free(sf->certs);
    g_free(sf);
}

/* Prints each finding whose key was never printed (output lock held). */
static void
report_new(CpLiveDiag *d, const CpDiagnosis *diag)
{
    for (guint i = 0; i < diag->findings->len; i++) {
        const CpFinding *f = diag->findings->pdata[i];
        if (f->key == NULL || g_hash_table_contains(d->reported, f->key))
            continue;
        g_hash_table_add(d->reported, g_strdup(f->key));
        cp_report_finding(d->report, f);
    }
}

/* One diagnosis over the snapshot the caller took from the slot (no lock held). */
static void
diagnose_snapshot(CpLiveDiag *d, CpModel *m, CpCertCache *certs)
{
    CpDiagnosis *diag = d->fn(d->ctx, m, certs);

    g_mutex_lock(d->output);
    report_new(d, diag);
    g_mutex_unlock(d->output);
    cp_diagnosis_free(diag);
    cp_model_free(m);
    cp_cert_cache_free(certs);
}

/* The report so far, after the findings it holds that were never streamed: a live log then has
 * each fault with final:false before any report repeats it (no lock held). */
static void
report_so_far(CpLiveDiag *d, SoFar *sf)
{
    CpDiagnosis *diag = d->fn(d->ctx, sf->model, sf->certs);

    g_mutex_lock(d->output);
    report_new(d, diag);
    cp_report_final(d->report, &sf->seen, &sf->info, diag);
    g_mutex_unlock(d->output);
    cp_diagnosis_free(diag);
    so_far_free(sf);
}

/* Thread, d->lock held: makes the waiting report, if any; false when none waits. */
static bool
serve_report(CpLiveDiag *d)
{
    SoFar *sf = g_steal_pointer(&d->so_far);

    if (sf == NULL)
        return false;
    d->reporting = true;
    pthread_mutex_unlock(&d->lock);
    report_so_far(d, sf);
    pthread_mutex_lock(&d->lock);
    d->reporting = false;
    pthread_cond_broadcast(&d->cond);
    return true;
}

/* Thread, d->lock held: diagnoses the waiting snapshot, if any; false when none waits. */
static bool
serve_snapshot(CpLiveDiag *d)
{
    if (d->model == NULL)
        return false;
    CpModel *m = g_steal_pointer(&d->model);
    CpCertCache *certs = g_steal_pointer(&d->certs);
    int64_t started = d->started_us;
    pthread_mutex_unlock(&d->lock);
    diagnose_snapshot(d, m, certs);
    pthread_mutex_lock(&d->lock);
    /* A huge model makes diagnosis slow: keep it under a tenth of the time. */
    int64_t took = g_get_monotonic_time() - started;
    d->next_us = started + CLAMP(took * 10, DIAG_MIN_US, DIAG_MAX_US);
    d->busy = false;
    pthread_cond_broadcast(&d->cond);
    return true;
}

static gpointer
diag_thread(gpointer data)
{
    CpLiveDiag *d = data;

    pthread_mutex_lock(&d->lock);
    for (;;) {
        while (d->model == NULL && d->so_far == NULL && !d->quit)
            pthread_cond_wait(&d->cond, &d->lock);
        /* Each in turn, so a stream of signals cannot starve the streaming diagnosis. */
        bool served = serve_report(d);
        served = serve_snapshot(d) || served;
        if (!served)
            break; /* told to quit, nothing left to diagnose */
    }
    pthread_mutex_unlock(&d->lock);
    return NULL;
}

CpLiveDiag *
cp_live_diag_new(int64_t now_us, CpReport *report, GMutex *output, CpLiveDiagnoseFn fn, void *ctx)
{
    CpLiveDiag *d = g_new0(CpLiveDiag, 1);

    d->reported = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    d->report = report;
    d->output = output;
    d->fn = fn;
    d->ctx = ctx;
    d->next_us = now_us;
    pthread_mutex_init(&d->lock, NULL);
    pthread_cond_init(&d->cond, NULL);
    d->thread = g_thread_new("certpath-diag", diag_thread, d);
    return d;
}

void
cp_live_diag_free(CpLiveDiag *d)
{
    if (d == NULL)
        return;
    pthread_mutex_lock(&d->lock);
    d->quit = true;
    pthread_cond_broadcast(&d->cond);
    pthread_mutex_unlock(&d->lock);
    g_thread_join(d->thread);
    pthread_mutex_destroy(&d->lock);
    pthread_cond_destroy(&d->cond);
    g_hash_table_destroy(d->reported);
    g_free(d);
}

static bool
due_locked(const CpLiveDiag *d, uint64_t handshakes, int64_t now_us)
{
    return !d->busy && !d->quit && handshakes != d->snapshot_hs && now_us >= d->next_us;
}

bool
cp_live_diag_due(CpLiveDiag *d, uint64_t handshakes, int64_t now_us)
{
    pthread_mutex_lock(&d->lock);
    bool due = due_locked(d, handshakes, now_us);
    pthread_mutex_unlock(&d->lock);
    return due;
}

bool
cp_live_diag_offer(CpLiveDiag *d, CpModel *m, CpCertCache *certs, uint64_t handshakes,
                   int64_t now_us)
{
    pthread_mutex_lock(&d->lock);
    bool due = due_locked(d, handshakes, now_us);
    if (due) {
        d->busy = true;
        d->snapshot_hs = handshakes;
        d->started_us = now_us;
        d->model = cp_model_snapshot(m);
        d->certs = cp_cert_cache_snapshot(certs);
        pthread_cond_broadcast(&d->cond);
    }
    pthread_mutex_unlock(&d->lock);
    return due;
}

bool
cp_live_diag_report(CpLiveDiag *d, CpModel *m, CpCertCache *certs, const CpSeen *seen,
                    const CpRunInfo *info)
{
    pthread_mutex_lock(&d->lock);
    bool taken = d->so_far == NULL && !d->quit;
    if (taken) {
        d->so_far = so_far_new(m, certs, seen, info);
        pthread_cond_broadcast(&d->cond);
    }
    pthread_mutex_unlock(&d->lock);
    return taken;
}

void
cp_live_diag_sync(CpLiveDiag *d)
{
    pthread_mutex_lock(&d->lock);
    while (d->busy || d->so_far != NULL || d->reporting)
        pthread_cond_wait(&d->cond, &d->lock);
    pthread_mutex_unlock(&d->lock);
}
