/* SPDX-License-Identifier: BSD-2-Clause */
/* net: stateless decoding of one frame to a TCP segment, plus bounded IP defragmentation. */
#pragma once

#include "base/anomaly.h"
#include "base/limits.h"
#include "net/packet.h"

typedef enum CpNetResult {
    CP_NET_TCP = 0, /* out holds a TCP segment */
    CP_NET_SKIP,    /* not for us (non-IP, non-TCP, fragment held, malformed); already counted */
    CP_NET_UDP,     /* out holds a UDP datagram (only after cp_net_want_udp) */
} CpNetResult;

typedef struct CpNet CpNet;

/* (transfer full) free with cp_net_free. limits and anomalies are borrowed for the run. */
CpNet *cp_net_new(const CpLimits *limits, CpAnomalies *anomalies);
void cp_net_free(CpNet *net);
/* linktype is the DLT/LINKTYPE value of the frame's interface. caplen bytes are present of a
 * wirelen-byte frame. Counts every reason to skip a frame in the anomalies. */
CpNetResult cp_net_decode(CpNet *net, int linktype, const uint8_t *data, size_t caplen,
                          size_t wirelen, uint64_t ts_ns, CpPacket *out);
/* Asks for UDP datagrams that are not tunnels (for the UDP dissectors); off by default, so UDP
 * costs nothing when no dissector takes it. */
void cp_net_want_udp(CpNet *net, bool want);
/* Whether certpath decodes this link type at all (for the one-time warning). */
bool cp_net_linktype_supported(int linktype);
