/* SPDX-License-Identifier: BSD-2-Clause */
/* decode: private glue between the net layer's decoders (link -> IP -> TCP). Not for other
 * layers: they use net/net.h.
 *
 * Every decoder takes the CpNet first and a CpReader positioned at its header. The reader's
 * avail is what the capture holds and its declared is what the wire frame (or the enclosing IP
 * length) promised, so each layer can tell a snaplen cut (truncated) from a lying length
 * (malformed). A decoder either fills the CpPacket and returns CP_NET_TCP (or CP_NET_UDP), or
 * counts exactly one reason and returns CP_NET_SKIP.
 */
#pragma once

#include "base/reader.h"
#include "net/defrag.h"
#include "net/net.h"

/* Lifetime: run. Per-frame fields are reset by cp_net_decode. */
struct CpNet {
    const CpLimits *limits;
    CpAnomalies *anomalies;
    CpDefrag *defrag; /* (owned) */
    bool want_udp;    /* return UDP datagrams (CP_NET_UDP) instead of skipping them */
    /* per frame */
    uint64_t ts_ns;
    bool snaplen_cut;      /* caplen < wirelen */
    bool reassembled;      /* the payload being decoded came out of the defragmenter */
    unsigned tunnel_depth; /* tunnels entered (limits->max_tunnels, ip.tunnel_limit) */
};

/* Counts id and returns CP_NET_SKIP, so a decoder can end with `return cp_net_skip(...)`. */
CpNetResult cp_net_skip(CpNet *net, CpAnomalyId id);
/* Dispatches an IP payload by protocol number: TCP, or an inner IPv4/IPv6 header. */
CpNetResult cp_net_ip_payload(CpNet *net, uint8_t proto, CpReader *r, CpPacket *out);

CpNetResult cp_link_decode(CpNet *net, int linktype, CpReader *frame, CpPacket *out);
bool cp_link_supported(int linktype);
CpNetResult cp_ipv4_decode(CpNet *net, CpReader *r, CpPacket *out);
CpNetResult cp_ipv6_decode(CpNet *net, CpReader *r, CpPacket *out);
CpNetResult cp_tcp_decode(CpNet *net, CpReader *seg, CpPacket *out);
/* UDP: GTP-U, VXLAN and Geneve tunnels carrying TCP; any other datagram is CP_NET_UDP when the
 * caller wants datagrams, else ip.not_tcp. */
CpNetResult cp_udp_decode(CpNet *net, CpReader *r, CpPacket *out);
/* GRE (IP protocol 47): IPv4, IPv6, Ethernet, ERSPAN type I/II/III (gre.c). */
CpNetResult cp_gre_decode(CpNet *net, CpReader *r, CpPacket *out);
/* An Ethernet frame inside a tunnel (VXLAN, Geneve, GRE, ERSPAN). */
CpNetResult cp_link_ethernet(CpNet *net, CpReader *r, CpPacket *out);
