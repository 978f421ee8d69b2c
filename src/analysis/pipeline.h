/* SPDX-License-Identifier: BSD-2-Clause */
/* pipeline: frame -> net -> reassembly -> dissector table -> model. One pipeline per run;
 * frames from any number of files go through the same one. It turns what the dissectors report
 * into the model and queues what the caller shows as it happens (new certificates, finished
 * handshakes): the caller takes the queue after each frame, outside the reassembly call stack. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "analysis/cert_cache.h"
#include "analysis/model.h"
#include "analysis/seen.h"
#include "base/anomaly.h"
#include "base/limits.h"
#include "capture/capture.h"
#include "reasm/conn.h"

typedef enum CpEventKind {
    CP_EVENT_CERTIFICATE, /* a certificate seen for the first time */
    CP_EVENT_HANDSHAKE,   /* a TLS connection whose handshake is over, or that ended */
} CpEventKind;

typedef struct CpEvent {
    CpEventKind kind;
    CpCert *cert;           /* CERTIFICATE: one reference, owned by the event list */
    CpHandshake *handshake; /* HANDSHAKE: owned by the event list */
} CpEvent;

typedef struct CpPipeline CpPipeline;

/* limits is borrowed for the pipeline's life. */
CpPipeline *cp_pipeline_new(const CpLimits *limits);
void cp_pipeline_free(CpPipeline *p);
/* Returns true when the frame belongs to a TCP connection whose TLS handshake is still being
 * followed (the evidence -w keeps), false for everything else (bulk data after it, non-TCP). */
bool cp_pipeline_frame(CpPipeline *p, const CpFrame *f);
/* The same as a tri-state (reasm/conn.h CpKeep): UNDECIDED for a packet of a TCP connection that
 * has carried no payload yet; *flow names the connection (0: none) so that what was kept aside
 * for it can be written once it says YES. */
CpKeep cp_pipeline_frame_keep(CpPipeline *p, const CpFrame *f, uint64_t *flow);
/* Live capture: lets idle expiry advance to now_ns (wall clock, same scale as frame stamps)
 * when no packet arrives for a while; cheap, rate-limited like the per-frame expiry. */
void cp_pipeline_tick(CpPipeline *p, uint64_t now_ns);
/* Ends every connection still open (end of input). */
void cp_pipeline_finish(CpPipeline *p);
/* (transfer full) the events since the last call, in the order they happened (a certificate
 * before the handshake that carries it), or NULL when there are none. Free with
 * cp_pipeline_events_free. */
GArray *cp_pipeline_take_events(CpPipeline *p);
void cp_pipeline_events_free(GArray *events);
/* Key log text (NSS format: --keylog, or the TLSK secrets of a pcapng Decryption Secrets
 * Block): connections opened from now on decrypt what its secrets open. Returns the secrets
 * added; lines that are not key log lines are counted as keylog.malformed. */
size_t cp_pipeline_add_secrets(CpPipeline *p, const uint8_t *text, size_t len);

/* Fills out with what the run saw so far. */
void cp_pipeline_seen(CpPipeline *p, CpSeen *out);
uint64_t cp_pipeline_tls_connections(const CpPipeline *p);
CpModel *cp_pipeline_model(CpPipeline *p);
CpCertCache *cp_pipeline_certs(CpPipeline *p);

/* Records (--records, analysis/records.h): what other certpath sensors wrote, through the same
 * certificate cache, model and queue as packets, so the diagnosis cannot tell the difference. */
/* (transfer none) the certificate of der (queued when new), NULL when it does not parse;
 * sha1_out receives the thumbprint always. */
const CpCert *cp_pipeline_record_der(CpPipeline *p, const uint8_t *der, size_t len,
                                     char sha1_out[41]);
/* h (transfer full, g_new'd) joins the model and the queue. */
void cp_pipeline_record_handshake(CpPipeline *p, CpHandshake *h);
/* (transfer none) the run's anomaly counters, for what records themselves count. */
CpAnomalies *cp_pipeline_anomalies(CpPipeline *p);
