/* SPDX-License-Identifier: BSD-2-Clause */
/* udp_flows: UDP datagrams grouped into conversations by endpoint pair and handed to the same
 * consumer as TCP connections (reasm/conn.h), one datagram per data call (CP_STREAM_DATAGRAM).
 * A conversation opens with its first datagram and closes when the consumer is done with both
 * directions, when idle for --flow-timeout, on eviction or at the end of input. */
#pragma once

#include <stdbool.h>

#include "base/anomaly.h"
#include "base/limits.h"
#include "net/packet.h"
#include "reasm/conn.h"

typedef struct CpUdpFlows CpUdpFlows;

/* limits and anomalies are borrowed for the table's life; consumer is copied. */
CpUdpFlows *cp_udp_flows_new(const CpLimits *limits, CpAnomalies *anomalies,
                             const CpConnConsumer *consumer);
/* Closes every conversation (reason FLUSH), then frees. */
void cp_udp_flows_free(CpUdpFlows *u);
/* One datagram (pk->payload). Returns true while the consumer follows its conversation. */
bool cp_udp_flows_datagram(CpUdpFlows *u, const CpPacket *pk);
/* Expires idle conversations at capture time now_ns (rate-limited like TCP's). */
void cp_udp_flows_tick(CpUdpFlows *u, uint64_t now_ns);
void cp_udp_flows_flush(CpUdpFlows *u);
