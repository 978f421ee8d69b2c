/* SPDX-License-Identifier: BSD-2-Clause */
/* report_private: state shared by the text and JSON renderers. */
#pragma once

#include "output/report.h"

struct CpReport {
    CpFormat format;
    FILE *out;
    bool stream_text;
    GString *line; /* reused line buffer */
    uint64_t invalid_utf8;
};

void cp_report_json_certificate(CpReport *r, const CpCert *c);
void cp_report_json_handshake(CpReport *r, const CpHandshake *h);
void cp_report_json_summary(CpReport *r, CpPipeline *pl, const CpRunInfo *info,
                            const CpDiagnosis *diag);
void cp_report_json_finding(CpReport *r, const CpFinding *f);
void cp_report_json_servers(CpReport *r, const CpDiagnosis *diag);
void cp_report_text_finding(CpReport *r, const CpFinding *f, bool live);
void cp_report_text_handshake(CpReport *r, const CpHandshake *h);
void cp_report_text_final(CpReport *r, CpPipeline *pl, const CpRunInfo *info,
                          const CpDiagnosis *diag);
/* Writes and clears r->line; JSON lines are flushed one by one (for | jq and log shippers). */
void cp_report_emit(CpReport *r);
