/* SPDX-License-Identifier: BSD-2-Clause */
/* records: JSON Lines written by certpath sensors (--format json) back into the pipeline's model
 * (certpath --records). Each server of a site captures its own side; the certificate records
 * carry the DER once per distinct certificate and the handshake records name chains by SHA-1,
 * so lines from several sensors rebuild the certificates, servers and handshakes one capture of
 * the whole site would have given, and the same diagnosis runs over them.
 *
 * Lines are untrusted (log shippers, files anyone may write): each is parsed by base/json.h
 * within --max-record-* limits, and a bad one is a counted anomaly (records.*), never fatal. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/pipeline.h"
#include "base/limits.h"

typedef struct CpRecords CpRecords;

typedef struct CpRecordsStats {
    uint64_t lines;        /* lines given, blank ones included */
    uint64_t certificates; /* certificate records whose DER was taken */
    uint64_t handshakes;   /* handshake records folded into the model */
    uint64_t no_der;       /* certificate records without DER (an older certpath) */
    uint64_t rejected;     /* lines skipped: malformed, too large, DER that lies */
} CpRecordsStats;

/* pl and limits are borrowed for the reader's life. */
CpRecords *cp_records_new(CpPipeline *pl, const CpLimits *limits);
void cp_records_free(CpRecords *rd);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CpRecords, cp_records_free)
/* One line without its end of line (a trailing '\r' is allowed). Returns false when the line was
 * skipped (counted in the anomalies and in stats.rejected). */
bool cp_records_line(CpRecords *rd, const uint8_t *line, size_t len);
/* A line longer than --max-record-line, skipped unread by the caller (records.too_large). */
void cp_records_line_too_long(CpRecords *rd);
/* After the last line: links of the model's chains that named a certificate whose record came
 * later (a shipper that does not keep each sensor's order) get it now. Returns how many. */
uint64_t cp_records_finish(CpRecords *rd);
/* (transfer none) counts since the reader was made. */
const CpRecordsStats *cp_records_stats(const CpRecords *rd);
