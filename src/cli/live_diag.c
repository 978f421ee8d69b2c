/* SPDX-License-Identifier: BSD-2-Clause */
/* live_diag: the live re-diagnosis policy (live_diag.h). */
#include "cli/live_diag.h"

#include <glib.h>

#define DIAG_MIN_US (1000 * 1000)      /* findings are re-computed at most once a second */
#define DIAG_MAX_US (60 * 1000 * 1000) /* and at least once a minute while handshakes come */

struct CpLiveDiag {
    GHashTable *reported;  /* finding keys already printed (set) */
    uint64_t diagnosed_hs; /* handshakes at the last diagnosis */
    int64_t next_us;       /* monotonic */
};

CpLiveDiag *
cp_live_diag_new(int64_t now_us)
{
    CpLiveDiag *d = g_new0(CpLiveDiag, 1);

    d->reported = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    d->next_us = now_us;
    return d;
}

void
cp_live_diag_free(CpLiveDiag *d)
{
    if (d == NULL)
        return;
    g_hash_table_destroy(d->reported);
    g_free(d);
}

bool
cp_live_diag_due(const CpLiveDiag *d, uint64_t handshakes, int64_t now_us)
{
    return handshakes != d->diagnosed_hs && now_us >= d->next_us;
}

void
cp_live_diag_report_new(CpLiveDiag *d, const CpDiagnosis *diag, CpReport *report,
                        uint64_t handshakes, int64_t started_us)
{
    d->diagnosed_hs = handshakes;
    for (guint i = 0; i < diag->findings->len; i++) {
        const CpFinding *f = diag->findings->pdata[i];
        if (f->key == NULL || g_hash_table_contains(d->reported, f->key))
            continue;
        g_hash_table_add(d->reported, g_strdup(f->key));
        cp_report_finding(report, f);
    }
    /* A huge model makes diagnosis slow: keep it under a tenth of the time. */
    int64_t took = g_get_monotonic_time() - started_us;
    d->next_us = started_us + CLAMP(took * 10, DIAG_MIN_US, DIAG_MAX_US);
}
