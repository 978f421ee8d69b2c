/* SPDX-License-Identifier: BSD-2-Clause */
/* report: the only code that writes what certpath found — text for people, JSON Lines for tools. */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include <glib.h>

#include "analysis/diagnose.h"
#include "analysis/model.h"
#include "analysis/pipeline.h"

typedef enum CpFormat { CP_FORMAT_TEXT, CP_FORMAT_JSON } CpFormat;

typedef struct CpRunInfo {
    GPtrArray *inputs; /* (element-type utf8) files read, or the device */
    GPtrArray *errors; /* (element-type utf8) one-line input errors met */
    bool live;
    bool stats_valid; /* live capture statistics below */
    uint64_t received, dropped_kernel, dropped_iface;
    bool has_at; /* validity judged at at_s, not capture time */
    int64_t at_s;
} CpRunInfo;

typedef struct CpReport CpReport;

/* out is borrowed. stream_text: print one line per handshake as it ends (live mode). */
CpReport *cp_report_new(CpFormat format, FILE *out, bool stream_text);
void cp_report_free(CpReport *r);
void cp_report_certificate(CpReport *r, const CpCert *c);
void cp_report_handshake(CpReport *r, const CpHandshake *h);
/* The full report: verdict, findings, CAs and the servers with their chains as text; or finding
 * and server lines then the summary line as JSON. diag may be NULL (nothing diagnosed). */
void cp_report_final(CpReport *r, CpPipeline *pl, const CpRunInfo *info, const CpDiagnosis *diag);
/* One finding as soon as it is known (live mode). */
void cp_report_finding(CpReport *r, const CpFinding *f);
/* Invalid UTF-8 sequences replaced in JSON output so far. */
uint64_t cp_report_invalid_utf8(const CpReport *r);
