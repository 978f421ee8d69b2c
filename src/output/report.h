/* SPDX-License-Identifier: BSD-2-Clause */
/* report: the only code that writes what certpath found, through a table of writers — text for
 * people, JSON Lines for tools. A report reads values (analysis/seen.h, the model, the
 * diagnosis); never the machinery that made them. */
#pragma once

#include <stdbool.h>
#include <stdio.h>
#include <glib.h>

#include "analysis/diagnose.h"
#include "analysis/model.h"
#include "analysis/seen.h"

typedef struct CpRunInfo {
    GPtrArray *inputs; /* (element-type utf8) files read, or the device */
    GPtrArray *errors; /* (element-type utf8) one-line input errors met */
    /* (element-type utf8, nullable) key log files used: --keylog, or found beside a capture */
    GPtrArray *keylogs;
    bool live;
    bool records;     /* --records: inputs are JSON Lines of certpath sensors, not captures */
    bool stats_valid; /* live capture statistics below */
    uint64_t received, dropped_kernel, dropped_iface;
    uint64_t dropped_queue; /* frames certpath read but could not queue for analysis */
    bool has_at;            /* validity judged at at_s, not capture time */
    int64_t at_s;
} CpRunInfo;

typedef struct CpReport CpReport;

/* (transfer none) the writer's own name for format (any case), or NULL when none has it. */
const char *cp_report_format_name(const char *format);
/* (transfer full) the writers' names, comma-separated, for messages. */
char *cp_report_format_list(void);
/* A report in a known format; out is borrowed. stream_text: print one line per handshake as it
 * ends (live mode). */
CpReport *cp_report_new(const char *format, FILE *out, bool stream_text);
void cp_report_free(CpReport *r);
/* The errno of the first write or flush that failed, 0 when none did. */
int cp_report_write_errno(const CpReport *r);
void cp_report_certificate(CpReport *r, const CpCert *c);
void cp_report_handshake(CpReport *r, const CpHandshake *h);
/* The full report: verdict, findings, CAs and the servers with their chains as text; or finding
 * and server lines then the summary line as JSON. diag may be NULL (nothing diagnosed). */
void cp_report_final(CpReport *r, const CpSeen *seen, const CpRunInfo *info,
                     const CpDiagnosis *diag);
/* One finding as soon as it is known (live mode). */
void cp_report_finding(CpReport *r, const CpFinding *f);
