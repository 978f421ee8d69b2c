/* SPDX-License-Identifier: BSD-2-Clause */
/* gre: GRE (IP protocol 47; RFC 2784, RFC 2890 key and sequence) carrying IPv4, IPv6 or Ethernet
 * (0x6558, transparent Ethernet bridging), and the ERSPAN mirror sessions that a remote SPAN
 * delivers to a sensor (draft-foschiano-erspan-03): type I/II (0x88BE) and type III (0x22EB),
 * both carrying the mirrored Ethernet frame.
 *
 *   GRE:        C R K S | recur | flags | ver (16) | protocol type (16)
 *               [checksum(2) reserved(2)] if C, [key(4)] if K, [sequence(4)] if S
 *   ERSPAN II:  ver=1 (4) vlan (12) | cos(3) en(2) t(1) session(10) | reserved(12) index(20)
 *               = 8 bytes; type I has no header (GRE without S)
 *   ERSPAN III: ver=2 (4) vlan (12) | cos bso t session (16) | timestamp (32) | sgt (16) |
 *               p(1) ft(5) hw id(6) d(1) gra(2) o(1) (16) = 12 bytes, then 8 bytes of platform
 *               sub-header when o is set; ft 0 is an Ethernet frame
 *
 * A GRE header counts as one tunnel (--max-tunnels, ip.tunnel_limit) like IP-in-IP and UDP
 * encapsulations. RFC 1701 source routing (R), version 1 (PPTP's enhanced GRE) and other
 * payloads are not TCP for us (ip.not_tcp).
 */
#include "net/decode.h"

enum {
    GRE_C = 0x8000,
    GRE_R = 0x4000,
    GRE_K = 0x2000,
    GRE_S = 0x1000,
    GRE_VERSION = 0x0007,
    GRE_IPV4 = 0x0800,
    GRE_IPV6 = 0x86dd,
    GRE_ETHERNET = 0x6558,
    GRE_ERSPAN_2 = 0x88be,
    GRE_ERSPAN_3 = 0x22eb,
    ERSPAN_2_LEN = 8,
    ERSPAN_3_LEN = 12,
    ERSPAN_3_SUBHEADER = 8,
    ERSPAN_VER_2 = 1, /* the version field of a type II header */
    ERSPAN_VER_3 = 2,
};

/* ip.truncated when the capture cut the header; ip.malformed when the packet is too short. */
static CpNetResult
short_or_bad(CpNet *net, const CpReader *r)
{
    return cp_net_skip(net, cp_reader_status(r) == CP_READ_TRUNCATED ? CP_ANOMALY_IP_TRUNCATED
                                                                     : CP_ANOMALY_IP_MALFORMED);
}

static CpNetResult
erspan_2(CpNet *net, CpReader *r, CpPacket *out)
{
    uint8_t ver;

    if (!cp_reader_peek_u8(r, 0, &ver) || !cp_reader_skip(r, ERSPAN_2_LEN))
        return short_or_bad(net, r);
    /* ip.not_tcp: another ERSPAN version behind the type II protocol number */
    if (ver >> 4 != ERSPAN_VER_2)
        return cp_net_skip(net, CP_ANOMALY_IP_NOT_TCP);
    return cp_link_ethernet(net, r, out);
}

static CpNetResult
erspan_3(CpNet *net, CpReader *r, CpPacket *out)
{
    CpReader look = *r;
    uint8_t ver;
    uint16_t tail;

    if (!cp_reader_u8(&look, &ver) || !cp_reader_skip(&look, 9) || !cp_reader_be16(&look, &tail))
        return short_or_bad(net, &look);
    /* ip.not_tcp: another version, or a frame type other than Ethernet (ft 0) */
    if (ver >> 4 != ERSPAN_VER_3 || ((tail >> 10) & 0x1f) != 0)
        return cp_net_skip(net, CP_ANOMALY_IP_NOT_TCP);
    size_t len = ERSPAN_3_LEN + ((tail & 1) ? ERSPAN_3_SUBHEADER : 0);
    if (!cp_reader_skip(r, len))
        return short_or_bad(net, r);
    return cp_link_ethernet(net, r, out);
}

static CpNetResult
inner(CpNet *net, uint16_t proto, bool has_seq, CpReader *r, CpPacket *out)
{
    switch (proto) {
    case GRE_IPV4:
        return cp_ipv4_decode(net, r, out);
    case GRE_IPV6:
        return cp_ipv6_decode(net, r, out);
    case GRE_ETHERNET:
        return cp_link_ethernet(net, r, out);
    case GRE_ERSPAN_2:
        /* type I has no sequence number and no ERSPAN header: the frame follows GRE */
        return has_seq ? erspan_2(net, r, out) : cp_link_ethernet(net, r, out);
    case GRE_ERSPAN_3:
        return erspan_3(net, r, out);
    default:
        return cp_net_skip(net, CP_ANOMALY_IP_NOT_TCP); /* ip.not_tcp: WCCP, keepalives, ... */
    }
}

CpNetResult
cp_gre_decode(CpNet *net, CpReader *r, CpPacket *out)
{
    uint16_t flags, proto;

    if (!cp_reader_be16(r, &flags) || !cp_reader_be16(r, &proto))
        return short_or_bad(net, r);
    /* ip.not_tcp: PPTP's enhanced GRE (version 1) and RFC 1701 routing are not mirrored
     * traffic we can read */
    if ((flags & GRE_VERSION) != 0 || (flags & GRE_R))
        return cp_net_skip(net, CP_ANOMALY_IP_NOT_TCP);
    size_t opt =
            ((flags & GRE_C) ? 4u : 0u) + ((flags & GRE_K) ? 4u : 0u) + ((flags & GRE_S) ? 4u : 0u);
    if (!cp_reader_skip(r, opt))
        return short_or_bad(net, r);
    /* ip.tunnel_limit (--max-tunnels): the same budget as IP-in-IP and UDP tunnels */
    if (net->tunnel_depth >= net->limits->max_tunnels)
        return cp_net_skip(net, CP_ANOMALY_IP_TUNNEL_LIMIT);
    net->tunnel_depth++;
    return inner(net, proto, (flags & GRE_S) != 0, r, out);
}
