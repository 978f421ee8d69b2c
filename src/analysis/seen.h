/* SPDX-License-Identifier: BSD-2-Clause */
/* seen: what a run saw, as a value the reports read — traffic counters, anomalies, servers and
 * certificates. Filled by the pipeline (cp_pipeline_seen); the reports never see the pipeline. */
#pragma once

#include <stdint.h>
#include <glib.h>

#include "base/anomaly.h"

typedef struct CpTrafficStats {
    uint64_t frames;
    uint64_t bytes; /* wire bytes */
    uint64_t tcp_segments;
    uint64_t connections; /* TCP connections seen */
    uint64_t tls_connections;
    uint64_t cert_messages; /* server Certificate messages */
    uint64_t first_ts_ns, last_ts_ns;
    uint64_t peak_flows;
    uint64_t peak_reasm_bytes;
} CpTrafficStats;

typedef struct CpLinkSeen {
    int linktype;
    uint64_t frames;
} CpLinkSeen;

/* Lifetime: until the pipeline next reads a frame. Every pointer is borrowed. */
typedef struct CpSeen {
    CpTrafficStats stats;
    const CpAnomalies *anomalies;
    const GArray *unsupported_links; /* CpLinkSeen, one per link type certpath does not decode */
    GPtrArray *servers;              /* CpServer*, first-seen order (analysis/model.h) */
    unsigned certificates;           /* distinct certificates */
} CpSeen;
