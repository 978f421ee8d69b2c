/* SPDX-License-Identifier: BSD-2-Clause */
/* report: dispatch to the text or JSON renderer. */
#include "output/report_private.h"

CpReport *
cp_report_new(CpFormat format, FILE *out, bool stream_text)
{
    CpReport *r = g_new0(CpReport, 1);

    r->format = format;
    r->out = out;
    r->stream_text = stream_text;
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

void
cp_report_emit(CpReport *r)
{
    fwrite(r->line->str, 1, r->line->len, r->out);
    if (r->format == CP_FORMAT_JSON || r->stream_text)
        fflush(r->out);
    g_string_truncate(r->line, 0);
}

void
cp_report_certificate(CpReport *r, const CpCert *c)
{
    if (r->format == CP_FORMAT_JSON && c != NULL)
        cp_report_json_certificate(r, c);
}

void
cp_report_handshake(CpReport *r, const CpHandshake *h)
{
    if (r->format == CP_FORMAT_JSON)
        cp_report_json_handshake(r, h);
    else if (r->stream_text)
        cp_report_text_handshake(r, h);
}

void
cp_report_final(CpReport *r, CpPipeline *pl, const CpRunInfo *info, const CpDiagnosis *diag)
{
    if (r->format == CP_FORMAT_JSON) {
        for (guint i = 0; diag != NULL && i < diag->findings->len; i++)
            cp_report_json_finding(r, diag->findings->pdata[i]);
        if (diag != NULL)
            cp_report_json_servers(r, diag);
        cp_report_json_summary(r, pl, info, diag);
    } else {
        cp_report_text_final(r, pl, info, diag);
    }
    fflush(r->out);
}

void
cp_report_finding(CpReport *r, const CpFinding *f)
{
    if (r->format == CP_FORMAT_JSON)
        cp_report_json_finding(r, f);
    else
        cp_report_text_finding(r, f, true);
}

uint64_t
cp_report_invalid_utf8(const CpReport *r)
{
    return r->invalid_utf8;
}
