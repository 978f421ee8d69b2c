/* SPDX-License-Identifier: BSD-2-Clause */
/* flow_table: bounded table of TCP connections, hashed with a per-run seed, with idle expiry and
 * oldest-first eviction (p0f's nuke_flows, Suricata's flow-hash). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "base/anomaly.h"
#include "base/limits.h"
#include "net/packet.h"
#include "reasm/conn.h"
#include "reasm/tcp_stream.h"

typedef enum CpFlowState {
    CP_FLOW_NEW = 0,  /* no payload yet: the consumer has not been asked */
    CP_FLOW_FOLLOWED, /* the consumer takes this connection's bytes */
    CP_FLOW_CLOSED,   /* closed for the consumer: a tombstone until the connection ends */
} CpFlowState;

/* Lifetime: connection. Endpoint [d] is the sender of direction d; direction 0 opened the
 * connection when its SYN was seen, else it is the endpoint with the higher port. Everything
 * here is reassembly's own state; the consumer's is behind the opaque consumer pointer. */
typedef struct CpFlow {
    CpAddr addr[2];
    uint16_t port[2];
    uint64_t last_ts_ns;
    CpTcpStream stream[2];
    struct CpFlow *older, *newer; /* age list, oldest at the table's head */
    void *consumer;               /* (opaque) the consumer's state while FOLLOWED */
    uint32_t hash;
    uint32_t syn_next[2][2]; /* direction d's last two SYNs: the sequence number after each */
    uint32_t last_ack[2];    /* the last acknowledgment number direction d sent */
    uint8_t state;           /* CpFlowState */
    uint8_t fin_mask;        /* bit d: direction d sent FIN */
    uint8_t rst_mask;        /* bit d: direction d sent an acceptable RST (it is over) */
    uint8_t ack_mask;        /* bit d: last_ack[d] is set */
    uint8_t syn_count[2];    /* SYNs of direction d, up to 2 (with different sequence numbers) */
    bool syn_seen;
    bool recognised;  /* the consumer recognised the connection: its packets are evidence */
    uint64_t serial;  /* 1, 2, ... in creation order: names the flow after it is freed */
    uint8_t mac_mask; /* bit d: mac[d] is direction d's sender's Ethernet address */
    uint8_t mac[2][6];
} CpFlow;

/* Called once per flow when it ends, with the reason; the table frees the flow after the call. */
typedef void (*CpFlowEndFn)(void *user, CpFlow *flow, CpConnEndReason why);

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
/* cp_flow_table_expire at most once per second of capture time, so it can be called per packet
 * and from a live capture's clock. */
void cp_flow_table_tick(CpFlowTable *t, uint64_t now_ns);
/* The consumer's view of a flow's endpoints (reasm/conn.h). */
CpConnInfo cp_flow_info(const CpFlow *f, CpTransport transport);
/* Ends one flow now. */
void cp_flow_table_remove(CpFlowTable *t, CpFlow *f, CpConnEndReason why);
/* Ends every flow (end of input). */
void cp_flow_table_flush(CpFlowTable *t);
uint64_t cp_flow_table_count(const CpFlowTable *t);
uint64_t cp_flow_table_created(const CpFlowTable *t);
