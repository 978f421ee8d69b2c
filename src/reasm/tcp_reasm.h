/* SPDX-License-Identifier: BSD-2-Clause */
/* tcp_reasm: TCP connections from segments to a consumer (reasm/conn.h): the flow table, each
 * direction's tcp_stream, and the connection's life (SYN, FIN, RST, expiry, eviction). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "base/anomaly.h"
#include "base/bytebuf.h"
#include "base/limits.h"
#include "net/packet.h"
#include "reasm/conn.h"

typedef struct CpTcpReasmStats {
    uint64_t segments;    /* TCP segments handed in */
    uint64_t connections; /* connections created */
    uint64_t peak_flows;  /* most connections tracked at once */
} CpTcpReasmStats;

typedef struct CpTcpReasm CpTcpReasm;

/* limits, anomalies and memcap are borrowed for the reassembler's life; consumer is copied. */
CpTcpReasm *cp_tcp_reasm_new(const CpLimits *limits, CpAnomalies *anomalies, CpMemcap *memcap,
                             const CpConnConsumer *consumer);
/* Closes every connection still open (reason FLUSH), then frees. */
void cp_tcp_reasm_free(CpTcpReasm *r);
/* One TCP segment. Returns true when it belongs to a connection the consumer still follows or
 * has not been asked about yet (the handshake evidence live capture keeps), false otherwise. */
bool cp_tcp_reasm_segment(CpTcpReasm *r, const CpPacket *pk);
/* The same, as a tri-state (conn.h CpKeep); *flow is the connection's serial (0 for none), so
 * a later YES can bring back what was kept aside for it. */
CpKeep cp_tcp_reasm_segment_keep(CpTcpReasm *r, const CpPacket *pk, uint64_t *flow);
/* Expires idle connections at capture time now_ns; rate-limited to once a second of capture
 * time, so it can be called per packet and from a live capture's clock. */
void cp_tcp_reasm_tick(CpTcpReasm *r, uint64_t now_ns);
/* End of input: closes every connection (reason FLUSH). */
void cp_tcp_reasm_flush(CpTcpReasm *r);
const CpTcpReasmStats *cp_tcp_reasm_stats(const CpTcpReasm *r);
