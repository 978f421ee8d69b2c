/* SPDX-License-Identifier: BSD-2-Clause */
/* report: the table of writers, and dispatch to the one a report was made with. Adding a format
 * is one report_<name>.c defining a CpReportWriter and one entry below. */
#include "output/report_private.h"

#include <errno.h>
#include <sys/stat.h>

static const CpReportWriter *const writers[] = {
    /* clang-format off */
    &cp_report_writer_text,
    &cp_report_writer_json,
    &cp_report_writer_html,
    &cp_report_writer_dot,
    &cp_report_writer_ecs,
    /* clang-format on */
};

static const CpReportWriter *
writer_find(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(writers); i++)
        if (g_ascii_strcasecmp(writers[i]->name, name) == 0)
            return writers[i];
    return NULL;
}

const char *
cp_report_format_name(const char *format)
{
    const CpReportWriter *w = format != NULL ? writer_find(format) : NULL;

    return w != NULL ? w->name : NULL;
}

char *
cp_report_format_list(void)
{
    GString *s = g_string_new(NULL);

    for (size_t i = 0; i < G_N_ELEMENTS(writers); i++)
        g_string_append_printf(s, "%s%s", i ? ", " : "", writers[i]->name);
    return g_string_free(s, FALSE);
}

/* Live capture and a reader at the other end of a pipe, socket or terminal want each line when it
 * is made. Offline output to a regular file is read when the run is over: a write(2) per line
 * was a twentieth of a run over 50k servers. */
static bool
flush_each_line(const CpReportWriter *w, FILE *out, bool stream_text)
{
    struct stat st;
    int fd = fileno(out);

    if (stream_text)
        return true;
    return w->flush_lines && (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode));
}

CpReport *
cp_report_new(const char *format, FILE *out, bool stream_text)
{
    const CpReportWriter *w = writer_find(format);
    g_return_val_if_fail(w != NULL, NULL);

    CpReport *r = g_new0(CpReport, 1);
    r->writer = w;
    r->out = out;
    r->stream_text = stream_text;
    r->flush_each = flush_each_line(w, out, stream_text);
    r->line = g_string_sized_new(1024);
    return r;
}

void
cp_report_free(CpReport *r)
{
    if (r == NULL)
        return;
    g_string_free(r->line, TRUE);
    g_free(r);
}

static void
note_write(CpReport *r, bool ok)
{
    if (!ok && r->write_errno == 0)
        r->write_errno = errno != 0 ? errno : EIO;
}

void
cp_report_emit(CpReport *r)
{
    errno = 0;
    note_write(r, fwrite(r->line->str, 1, r->line->len, r->out) == r->line->len);
    if (r->flush_each)
        note_write(r, fflush(r->out) == 0);
    g_string_truncate(r->line, 0);
}

int
cp_report_write_errno(const CpReport *r)
{
    return r->write_errno;
}

void
cp_report_certificate(CpReport *r, const CpCert *c)
{
    if (r->writer->certificate != NULL && c != NULL)
        r->writer->certificate(r, c);
}

void
cp_report_handshake(CpReport *r, const CpHandshake *h)
{
    if (r->writer->handshake != NULL)
        r->writer->handshake(r, h);
}

void
cp_report_final(CpReport *r, const CpSeen *seen, const CpRunInfo *info, const CpDiagnosis *diag)
{
    r->writer->final(r, seen, info, diag);
    errno = 0;
    note_write(r, fflush(r->out) == 0);
}

void
cp_report_finding(CpReport *r, const CpFinding *f)
{
    if (r->writer->finding != NULL)
        r->writer->finding(r, f);
}
