/* SPDX-License-Identifier: BSD-2-Clause */
/* pipeline: frame -> net -> flow table -> tcp_stream -> tls -> model; the glue of the analysis
 * layer. One pipeline per run; frames from any number of files go through the same one. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "analysis/cert_cache.h"
#include "analysis/model.h"
#include "base/anomaly.h"
#include "base/limits.h"
#include "capture/capture.h"

typedef struct CpPipelineHooks {
    /* A certificate seen for the first time (before the handshake that carries it). */
    void (*certificate)(void *user, const CpCert *cert);
    /* A TLS connection whose handshake is over (or whose connection ended). */
    void (*handshake)(void *user, const CpHandshake *h);
    void *user;
} CpPipelineHooks;

typedef struct CpPipelineStats {
    uint64_t frames;
    uint64_t bytes; /* wire bytes */
    uint64_t tcp_segments;
    uint64_t connections; /* TCP connections seen */
    uint64_t tls_connections;
    uint64_t cert_messages; /* server Certificate messages */
    uint64_t first_ts_ns, last_ts_ns;
    uint64_t peak_flows;
    uint64_t peak_reasm_bytes;
} CpPipelineStats;

typedef struct CpLinkSeen {
    int linktype;
    uint64_t frames;
} CpLinkSeen;

typedef struct CpPipeline CpPipeline;

/* limits is borrowed for the pipeline's life; hooks are copied. */
CpPipeline *cp_pipeline_new(const CpLimits *limits, const CpPipelineHooks *hooks);
void cp_pipeline_free(CpPipeline *p);
/* Returns true when the frame belongs to a TCP connection whose TLS handshake is still being
 * followed (the evidence -w keeps), false for everything else (bulk data after it, non-TCP). */
bool cp_pipeline_frame(CpPipeline *p, const CpFrame *f);
/* Live capture: lets idle expiry advance to now_ns (wall clock, same scale as frame stamps)
 * when no packet arrives for a while; cheap, rate-limited like the per-frame expiry. */
void cp_pipeline_tick(CpPipeline *p, uint64_t now_ns);
/* Ends every connection still open (end of input) and reports them. */
void cp_pipeline_finish(CpPipeline *p);

const CpPipelineStats *cp_pipeline_stats(const CpPipeline *p);
const CpAnomalies *cp_pipeline_anomalies(const CpPipeline *p);
CpAnomalies *cp_pipeline_anomalies_mut(CpPipeline *p);
CpModel *cp_pipeline_model(CpPipeline *p);
CpCertCache *cp_pipeline_certs(CpPipeline *p);
/* (transfer none) CpLinkSeen for each unsupported link type met */
const GArray *cp_pipeline_unsupported_links(const CpPipeline *p);
