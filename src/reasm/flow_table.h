/* SPDX-License-Identifier: BSD-2-Clause */
/* flow_table: bounded table of TCP connections, hashed with a per-run seed, with idle expiry and
 * oldest-first eviction (p0f's nuke_flows, Suricata's flow-hash). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "base/anomaly.h"
#include "base/limits.h"
#include "net/packet.h"
#include "reasm/tcp_stream.h"

/* Lifetime: connection. Endpoint [d] is the sender of direction d; direction 0 opened the
 * connection when its SYN was seen, else it is the endpoint with the higher port. */
typedef struct CpFlow {
    CpAddr addr[2];
    uint16_t port[2];
    uint64_t first_ts_ns;
    uint64_t last_ts_ns;
    CpTcpStream stream[2];
    struct CpFlow *older, *newer; /* age list, oldest at the table's head */
    void *app;                    /* the pipeline's per-connection state */
    uint8_t fin_mask;             /* bit d: direction d sent FIN */
    bool syn_seen;
    bool closed;
    bool finalized; /* the pipeline has reported this connection */
    uint32_t hash;
} CpFlow;

/* Called once per flow when it ends (closed, expired, evicted or flushed); the table frees the
 * flow after the call. */
typedef void (*CpFlowEndFn)(void *user, CpFlow *flow);

typedef struct CpFlowTable CpFlowTable;

CpFlowTable *cp_flow_table_new(const CpLimits *limits, CpAnomalies *anomalies, CpFlowEndFn on_end,
                               void *user);
void cp_flow_table_free(CpFlowTable *t);
/* Finds the packet's connection, or creates one when create is set (evicting the oldest when
 * the table is full). *dir is the packet's direction. (transfer none) */
CpFlow *cp_flow_table_lookup(CpFlowTable *t, const CpPacket *p, bool create, CpDir *dir);
/* Marks activity and moves the flow to the young end of the age list. */
void cp_flow_table_touch(CpFlowTable *t, CpFlow *f, uint64_t ts_ns);
/* Ends flows idle for longer than the timeout at capture time now_ns. */
void cp_flow_table_expire(CpFlowTable *t, uint64_t now_ns);
/* Ends one flow now. */
void cp_flow_table_remove(CpFlowTable *t, CpFlow *f);
/* Ends every flow (end of input). */
void cp_flow_table_flush(CpFlowTable *t);
uint64_t cp_flow_table_count(const CpFlowTable *t);
uint64_t cp_flow_table_created(const CpFlowTable *t);
