/* SPDX-License-Identifier: BSD-2-Clause */
/* evidence: the -w glue between live capture and the pcapng writer (evidence.h). */
#include "cli/evidence.h"

#include <stdio.h>

#include "capture/pcapng_writer.h"
#include "cli/evidence_hold.h"

#define HOLD_FRAMES_PER_FLOW 8 /* a SYN, its SYN-ACK, the ACK and retransmissions */

struct CpEvidence {
    const CpConfig *cfg;
    CpPcapngWriter *w;
    CpEvidenceHold *hold; /* packets of connections not yet decided */
    GPtrArray *errors;    /* (borrowed) */
};

static void
note_error(CpEvidence *e, const char *msg)
{
    fprintf(stderr, "certpath: %s\n", msg);
    g_ptr_array_add(e->errors, g_strdup(msg));
}

static void
note_gerror(CpEvidence *e, GError *err)
{
    if (err == NULL)
        return;
    note_error(e, err->message);
    g_error_free(err);
}

CpEvidence *
cp_evidence_open(const CpConfig *cfg, GPtrArray *errors, GError **error)
{
    uint64_t limit = (uint64_t)cfg->write_limit_mib * 1024u * 1024u;
    CpPcapngWriter *w = cp_pcapng_writer_open(cfg->write_file, cfg->iface, limit, error);

    if (w == NULL)
        return NULL;
    CpEvidence *e = g_new0(CpEvidence, 1);
    e->cfg = cfg;
    e->w = w;
    e->errors = errors;
    e->hold = cp_evidence_hold_new(cfg->limits.max_evidence_hold, HOLD_FRAMES_PER_FLOW);
    return e;
}

/* Written before the packet that decided: the same connection's earlier packets. */
static void
release(CpEvidence *e, uint64_t flow, bool write)
{
    GPtrArray *held = cp_evidence_hold_take(e->hold, flow);

    for (guint i = 0; held != NULL && write && i < held->len; i++)
        cp_evidence_add(e, held->pdata[i]);
    if (held != NULL)
        g_ptr_array_free(held, TRUE);
}

void
cp_evidence_offer(CpEvidence *e, const CpFrame *f, CpKeep keep, uint64_t flow)
{
    if (keep == CP_KEEP_UNDECIDED) {
        cp_evidence_hold_add(e->hold, flow, f);
        return;
    }
    if (flow != 0)
        release(e, flow, keep == CP_KEEP_YES);
    if (keep == CP_KEEP_YES)
        cp_evidence_add(e, f);
}

void
cp_evidence_add(CpEvidence *e, const CpFrame *f)
{
    GError *err = NULL;

    if (!cp_pcapng_writer_add(e->w, f, &err))
        note_gerror(e, err);
}

void
cp_evidence_flush(CpEvidence *e)
{
    GError *err = NULL;

    if (!cp_pcapng_writer_flush(e->w, &err))
        note_gerror(e, err);
}

void
cp_evidence_close(CpEvidence *e)
{
    const CpPcapngStats *s = cp_pcapng_writer_stats(e->w);
    uint64_t written = s->written, over = s->over_limit, bytes = s->bytes;
    GError *err = NULL;

    if (!cp_pcapng_writer_close(e->w, &err))
        note_gerror(e, err);
    cp_evidence_hold_free(e->hold);
    fprintf(stderr,
            "certpath: %s: %" G_GUINT64_FORMAT " handshake packets written (%" G_GUINT64_FORMAT
            " bytes)\n",
            e->cfg->write_file, written, bytes);
    if (over > 0) {
        g_autofree char *msg = g_strdup_printf("%s: %" G_GUINT64_FORMAT
                                               " handshake packets not written: the file reached "
                                               "--write-limit %d MiB",
                                               e->cfg->write_file, over, e->cfg->write_limit_mib);
        note_error(e, msg);
    }
    g_free(e);
}

void
cp_evidence_discard(CpEvidence *e)
{
    if (e == NULL)
        return;
    cp_pcapng_writer_close(e->w, NULL);
    cp_evidence_hold_free(e->hold);
    g_free(e);
}
