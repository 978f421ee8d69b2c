/* SPDX-License-Identifier: BSD-2-Clause */
/* report_private: state shared by the text and JSON renderers. */
#pragma once

#include "output/report.h"

/* One output format: what it writes for each thing certpath reports. NULL: nothing for that. */
typedef struct CpReportWriter {
    const char *name; /* the --format value */
    bool flush_lines; /* flush every line to a reader that is not a file (| jq, a log shipper) */
    void (*certificate)(CpReport *r, const CpCert *c);
    void (*handshake)(CpReport *r, const CpHandshake *h);
    void (*finding)(CpReport *r, const CpFinding *f); /* live: as soon as it is known */
    void (*final)(CpReport *r, const CpSeen *seen, const CpRunInfo *info, const CpDiagnosis *diag);
} CpReportWriter;

extern const CpReportWriter cp_report_writer_text;
extern const CpReportWriter cp_report_writer_json;
extern const CpReportWriter cp_report_writer_html; /* report_html.c */
extern const CpReportWriter cp_report_writer_dot;  /* report_dot.c */
extern const CpReportWriter cp_report_writer_ecs;  /* report_ecs.c */

struct CpReport {
    const CpReportWriter *writer;
    FILE *out;
    bool stream_text;
    bool flush_each; /* every line goes out when it is written */
    GString *line;   /* reused line buffer */
    uint64_t invalid_utf8;
    int write_errno; /* the first failed write's errno: stdio keeps only a flag */
};

/* Writes and clears r->line; flushed when the writer or live streaming asks for it. */
void cp_report_emit(CpReport *r);
