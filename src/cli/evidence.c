/* SPDX-License-Identifier: BSD-2-Clause */
/* evidence: the -w glue between live capture and the pcapng writer (evidence.h), with tcpdump's
 * -C/-W rotation. */
#include "cli/evidence.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <unistd.h>

#include "base/error.h"
#include "capture/pcapng_writer.h"
#include "cli/evidence_hold.h"

/* a SYN, its SYN-ACK, the ACK, a STARTTLS preamble, retransmissions */
#define HOLD_FRAMES_PER_FLOW 16

struct CpEvidence {
    const CpConfig *cfg;
    CpPcapngWriter *w;    /* NULL once a rotated file could not be created */
    CpEvidenceHold *hold; /* packets of connections not yet decided */
    GPtrArray *errors;    /* (borrowed) */
    /* -C/-W rotation: the file being written and what the closed ones held */
    unsigned index; /* tcpdump's count: FILE, FILE1... or FILE0..FILE(W-1) */
    unsigned files; /* files opened so far */
    uint64_t done_written, done_bytes, done_over;
    uint64_t lost; /* packets not written because no file could take them */
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

/* Digits tcpdump pads the count to with -W N: those of N-1 (none for -W 1 or without -W). */
static int
count_width(int files)
{
    int width = 0;

    for (int x = files - 1; x > 0; x /= 10)
        width++;
    return width;
}

/* (transfer full) tcpdump's name for file number index: the name itself for the first file
 * without -W (and for every file with -W 1), else the name followed by the number. */
char *
cp_evidence_file_name(const char *name, int files, unsigned index)
{
    int width = count_width(files);

    if (index == 0 && width == 0)
        return g_strdup(name);
    return g_strdup_printf("%s%0*u", name, width, index);
}

static uint64_t
file_limit(const CpConfig *cfg)
{
    /* -C (parsed as tcpdump's, options.c); without it --write-limit caps the one file. */
    if (cfg->write_size > 0)
        return cfg->write_size;
    return (uint64_t)cfg->write_limit_mib * 1024u * 1024u;
}

static CpPcapngWriter *
open_numbered(CpEvidence *e, unsigned index, GError **error)
{
    g_autofree char *path = cp_evidence_file_name(e->cfg->write_file, e->cfg->write_files, index);

    return cp_pcapng_writer_open(path, e->cfg->iface, file_limit(e->cfg), error);
}

/* Closes the full file and opens the next one (wrapping with -W); false when it could not be
 * created (said once; later packets are counted as not written). */
static bool
rotate(CpEvidence *e)
{
    const CpPcapngStats *s = cp_pcapng_writer_stats(e->w);
    GError *err = NULL;

    e->done_written += s->written;
    e->done_bytes += s->bytes;
    e->done_over += s->over_limit - 1; /* the frame that did not fit goes to the next file */
    if (!cp_pcapng_writer_close(e->w, &err))
        note_gerror(e, err);
    e->w = NULL;
    e->index++;
    if (e->cfg->write_files > 0 && e->index >= (unsigned)e->cfg->write_files)
        e->index = 0; /* a ring: the oldest file is overwritten */
    e->w = open_numbered(e, e->index, &err);
    if (e->w == NULL) {
        g_autofree char *msg = g_strdup_printf("-w rotation stopped: %s", err->message);
        g_error_free(err);
        note_error(e, msg);
        return false;
    }
    e->files++;
    return true;
}

/* With -C the ring comes back to the first file after privileges are dropped: as root with -Z,
 * that file (created now, as root) is handed to the -Z user, as the files it creates later will
 * be its own. */
static bool
give_first_file(const CpConfig *cfg, GError **error)
{
    if (cfg->write_size == 0 || cfg->user == NULL || geteuid() != 0)
        return true;
    g_autofree char *path = cp_evidence_file_name(cfg->write_file, cfg->write_files, 0);
    struct passwd *pw = getpwnam(cfg->user);
    if (pw != NULL && lchown(path, pw->pw_uid, pw->pw_gid) == 0)
        return true;
    g_set_error(error, CP_ERROR, CP_ERROR_USAGE,
                "%s: cannot give the -w file to the -Z user %s%s%s", path, cfg->user,
                pw != NULL ? ": " : " (no such user)", pw != NULL ? g_strerror(errno) : "");
    return false;
}

CpEvidence *
cp_evidence_open(const CpConfig *cfg, GPtrArray *errors, GError **error)
{
    CpEvidence *e = g_new0(CpEvidence, 1);

    e->cfg = cfg;
    e->errors = errors;
    e->w = open_numbered(e, 0, error);
    if (e->w == NULL) {
        g_free(e);
        return NULL;
    }
    e->files = 1;
    if (!give_first_file(cfg, error)) {
        cp_pcapng_writer_close(e->w, NULL);
        g_free(e);
        return NULL;
    }
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

    if (e->w == NULL) {
        e->lost++;
        return;
    }
    if (cp_pcapng_writer_add(e->w, f, &err))
        return;
    if (err != NULL || cp_pcapng_writer_stats(e->w)->write_failed || e->cfg->write_size == 0) {
        /* A write error (said once, the file stays as it was), or the one file reached
         * --write-limit: only a full -C file is rotated. */
        note_gerror(e, err);
        return;
    }
    /* The file is full: the frame goes to the next one. A frame that does not fit even an empty
     * file stays counted as over the limit there. */
    if (rotate(e) && !cp_pcapng_writer_add(e->w, f, &err))
        note_gerror(e, err);
    else if (e->w == NULL)
        e->lost++;
}

void
cp_evidence_flush(CpEvidence *e)
{
    GError *err = NULL;

    if (e->w != NULL && !cp_pcapng_writer_flush(e->w, &err))
        note_gerror(e, err);
}

void
cp_evidence_close(CpEvidence *e)
{
    uint64_t written = e->done_written, bytes = e->done_bytes, over = e->lost + e->done_over;
    GError *err = NULL;

    if (e->w != NULL) {
        const CpPcapngStats *s = cp_pcapng_writer_stats(e->w);
        written += s->written;
        bytes += s->bytes;
        over += s->over_limit;
        if (!cp_pcapng_writer_close(e->w, &err))
            note_gerror(e, err);
    }
    if (e->cfg->write_size > 0)
        fprintf(stderr,
                "certpath: %s: %" G_GUINT64_FORMAT " handshake packets written (%" G_GUINT64_FORMAT
                " bytes) in %u file%s, rotated at %" G_GUINT64_FORMAT " bytes%s\n",
                e->cfg->write_file, written, bytes, e->files, e->files == 1 ? "" : "s",
                e->cfg->write_size, e->cfg->write_files > 0 ? ", oldest overwritten" : "");
    else
        fprintf(stderr,
                "certpath: %s: %" G_GUINT64_FORMAT " handshake packets written (%" G_GUINT64_FORMAT
                " bytes)\n",
                e->cfg->write_file, written, bytes);
    cp_evidence_hold_free(e->hold);
    if (over > 0) {
        g_autofree char *msg =
                e->cfg->write_size > 0
                        ? g_strdup_printf("%s: %" G_GUINT64_FORMAT
                                          " handshake packets not written (larger than -C, or "
                                          "no file could be created)",
                                          e->cfg->write_file, over)
                        : g_strdup_printf("%s: %" G_GUINT64_FORMAT
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
    if (e->w != NULL)
        cp_pcapng_writer_close(e->w, NULL);
    cp_evidence_hold_free(e->hold);
    g_free(e);
}
