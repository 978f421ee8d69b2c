/* SPDX-License-Identifier: BSD-2-Clause */
/* udp_tunnel: TCP carried inside UDP encapsulations seen in real captures — GTP-U (3GPP TS 29.281
 * §5.1, port 2152: mobile core networks), VXLAN (RFC 7348 §5, port 4789) and Geneve (RFC 8926
 * §3.4, port 6081: cloud virtual networks). Other UDP goes to the UDP dissectors when the caller
 * asked for datagrams (cp_net_want_udp), else it is not ours (ip.not_tcp).
 *
 *   UDP:    src port(2) dst port(2) length(2) checksum(2)
 *   GTP-U:  flags(1: version 3 bits, PT, *, E, S, PN) type(1: 0xff G-PDU) length(2) TEID(4)
 *           [seq(2) N-PDU(1) next-ext(1)] when E|S|PN, then extension headers (len*4 bytes each)
 *   VXLAN:  flags(1) reserved(3) VNI(3) reserved(1), then an Ethernet frame
 *   Geneve: ver/optlen(1) flags(1) protocol type(2) VNI(3) reserved(1), options(optlen*4)
 */
#include "net/decode.h"

enum {
    PORT_GTPU = 2152,
    PORT_VXLAN = 4789,
    PORT_GENEVE = 6081,
    GTP_GPDU = 0xff,
    GTP_MAX_EXT = 8, /* extension headers walked */
};

static CpNetResult
short_or_bad(CpNet *net, const CpReader *r)
{
    return cp_net_skip(net, cp_reader_status(r) == CP_READ_TRUNCATED ? CP_ANOMALY_IP_TRUNCATED
                                                                     : CP_ANOMALY_IP_MALFORMED);
}

static CpNetResult
inner_ip(CpNet *net, CpReader *r, CpPacket *out)
{
    uint8_t v;

    if (!cp_reader_peek_u8(r, 0, &v))
        return short_or_bad(net, r);
    if (v >> 4 == 4)
        return cp_ipv4_decode(net, r, out);
    if (v >> 4 == 6)
        return cp_ipv6_decode(net, r, out);
    return cp_net_skip(net, CP_ANOMALY_IP_NOT_TCP);
}

static CpNetResult
gtpu(CpNet *net, CpReader *r, CpPacket *out)
{
    uint8_t flags, type, next = 0;
    uint16_t len;
    CpReader body;

    if (!cp_reader_u8(r, &flags) || !cp_reader_u8(r, &type) || !cp_reader_be16(r, &len) ||
        !cp_reader_skip(r, 4))
        return short_or_bad(net, r);
    /* Only version 1 G-PDUs carry user packets; echo and signalling messages do not. */
    if (flags >> 5 != 1 || type != GTP_GPDU)
        return cp_net_skip(net, CP_ANOMALY_IP_NOT_TCP);
    if (!cp_reader_sub(r, len, &body) && cp_reader_status(r) != CP_READ_TRUNCATED)
        return short_or_bad(net, r);
    if (flags & 0x07) {
        if (!cp_reader_skip(&body, 3) || !cp_reader_u8(&body, &next))
            return short_or_bad(net, &body);
    }
    for (unsigned i = 0; next != 0; i++) {
        uint8_t ext_len;
        /* ip.malformed: a chain of extension headers longer than any defined use. */
        if (i == GTP_MAX_EXT || !cp_reader_u8(&body, &ext_len) || ext_len == 0 ||
            !cp_reader_skip(&body, (size_t)ext_len * 4 - 2) || !cp_reader_u8(&body, &next))
            return cp_net_skip(net, CP_ANOMALY_IP_MALFORMED);
    }
    return inner_ip(net, &body, out);
}

static CpNetResult
geneve(CpNet *net, CpReader *r, CpPacket *out)
{
    uint8_t ver_opt, flags;
    uint16_t proto;

    if (!cp_reader_u8(r, &ver_opt) || !cp_reader_u8(r, &flags) || !cp_reader_be16(r, &proto) ||
        !cp_reader_skip(r, 4) || !cp_reader_skip(r, (size_t)(ver_opt & 0x3f) * 4))
        return short_or_bad(net, r);
    if (ver_opt >> 6 != 0)
        return cp_net_skip(net, CP_ANOMALY_IP_NOT_TCP);
    if (proto == 0x6558)
        return cp_link_ethernet(net, r, out);
    if (proto == 0x0800 || proto == 0x86dd)
        return inner_ip(net, r, out);
    return cp_net_skip(net, CP_ANOMALY_IP_NOT_TCP);
}

/* A datagram for the UDP dissectors: its payload is what the UDP length says, within the IP
 * payload (RFC 768). */
static CpNetResult
datagram(CpNet *net, CpReader *r, uint16_t sport, uint16_t dport, uint16_t len, CpPacket *out)
{
    CpReader body;

    /* ip.malformed: a UDP length shorter than its own header, or longer than the IP payload.
     * A datagram the capture cut is still delivered up to the cut (the child reader holds it). */
    if (len < 8)
        return cp_net_skip(net, CP_ANOMALY_IP_MALFORMED);
    if (!cp_reader_sub(r, (size_t)len - 8, &body) && cp_reader_status(r) != CP_READ_TRUNCATED)
        return cp_net_skip(net, CP_ANOMALY_IP_MALFORMED);
    out->sport = sport;
    out->dport = dport;
    out->payload_declared = cp_reader_declared_left(&body);
    out->payload_len = cp_reader_remaining(&body);
    if (!cp_reader_bytes(&body, out->payload_len, &out->payload))
        return cp_net_skip(net, CP_ANOMALY_IP_MALFORMED);
    if (out->payload_len < out->payload_declared)
        cp_anomaly_add(net->anomalies, net->snaplen_cut ? CP_ANOMALY_CAPTURE_CAPLEN_SHORT
                                                        : CP_ANOMALY_IP_TRUNCATED);
    return CP_NET_UDP;
}

CpNetResult
cp_udp_decode(CpNet *net, CpReader *r, CpPacket *out)
{
    uint16_t sport, dport, len;

    if (!cp_reader_be16(r, &sport) || !cp_reader_be16(r, &dport) || !cp_reader_be16(r, &len) ||
        !cp_reader_skip(r, 2))
        return short_or_bad(net, r);
    /* ip.tunnel_limit (--max-tunnels): the same budget as IP-in-IP nesting. */
    if (net->tunnel_depth >= net->limits->max_tunnels)
        return cp_net_skip(net, CP_ANOMALY_IP_TUNNEL_LIMIT);
    net->tunnel_depth++;
    if (dport == PORT_GTPU || sport == PORT_GTPU)
        return gtpu(net, r, out);
    if (dport == PORT_VXLAN) {
        if (!cp_reader_skip(r, 8))
            return short_or_bad(net, r);
        return cp_link_ethernet(net, r, out);
    }
    if (dport == PORT_GENEVE)
        return geneve(net, r, out);
    if (!net->want_udp)
        return cp_net_skip(net, CP_ANOMALY_IP_NOT_TCP);
    return datagram(net, r, sport, dport, len, out);
}
