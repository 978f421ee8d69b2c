/* SPDX-License-Identifier: BSD-2-Clause */
/* net: one captured frame -> one TCP segment (CpPacket), through link, IP and TCP decoders.
 *
 * Layout of a decode: cp_net_decode resets the per-frame state and frees the previous
 * reassembled datagram, link.c strips the link header (table by linktype), ipv4.c / ipv6.c
 * validate the IP header and hand fragments to defrag.c, cp_net_ip_payload below dispatches on
 * the protocol number (TCP, UDP and its tunnels, GRE, or a tunnelled IP header), and tcp.c
 * fills the CpPacket. Nothing on this path allocates except the defragmenter.
 */
#include "net/net.h"

#include <string.h>
#include <glib.h>

#include "net/decode.h"

enum {
    IPPROTO_NUM_IPIP = 4,
    IPPROTO_NUM_TCP = 6,
    IPPROTO_NUM_UDP = 17,
    IPPROTO_NUM_IPV6 = 41,
    IPPROTO_NUM_GRE = 47,
};

CpNet *
cp_net_new(const CpLimits *limits, CpAnomalies *anomalies)
{
    CpNet *net = g_new0(CpNet, 1);

    net->limits = limits;
    net->anomalies = anomalies;
    net->defrag = cp_defrag_new(limits, anomalies);
    return net;
}

void
cp_net_free(CpNet *net)
{
    if (net == NULL)
        return;
    cp_defrag_free(net->defrag);
    g_free(net);
}

void
cp_net_want_udp(CpNet *net, bool want)
{
    net->want_udp = want;
}

bool
cp_net_linktype_supported(int linktype)
{
    return cp_link_supported(linktype);
}

CpNetResult
cp_net_skip(CpNet *net, CpAnomalyId id)
{
    cp_anomaly_add(net->anomalies, id);
    return CP_NET_SKIP;
}

CpNetResult
cp_net_ip_payload(CpNet *net, uint8_t proto, CpReader *r, CpPacket *out)
{
    if (proto == IPPROTO_NUM_TCP)
        return cp_tcp_decode(net, r, out);
    if (proto == IPPROTO_NUM_UDP)
        return cp_udp_decode(net, r, out);
    if (proto == IPPROTO_NUM_GRE)
        return cp_gre_decode(net, r, out);
    if (proto != IPPROTO_NUM_IPIP && proto != IPPROTO_NUM_IPV6)
        return cp_net_skip(net, CP_ANOMALY_IP_NOT_TCP);
    /* ip.tunnel_limit (--max-tunnels): each nesting level costs a header walk; real tunnels
     * (6in4 over a 4in6 transition) stay within two, deeper stacks are crafted. */
    if (net->tunnel_depth >= net->limits->max_tunnels)
        return cp_net_skip(net, CP_ANOMALY_IP_TUNNEL_LIMIT);
    net->tunnel_depth++;
    return proto == IPPROTO_NUM_IPIP ? cp_ipv4_decode(net, r, out) : cp_ipv6_decode(net, r, out);
}

CpNetResult
cp_net_decode(CpNet *net, int linktype, const uint8_t *data, size_t caplen, size_t wirelen,
              uint64_t ts_ns, CpPacket *out)
{
    CpReader frame;

    memset(out, 0, sizeof *out);
    out->ts_ns = ts_ns;
    /* The previous frame's reassembled payload dies here, as net.h promises. */
    cp_defrag_release(net->defrag);
    cp_defrag_expire(net->defrag, ts_ns);
    net->ts_ns = ts_ns;
    net->snaplen_cut = caplen < wirelen;
    net->reassembled = false;
    net->tunnel_depth = 0;
    /* A wire length below the captured length is a broken capture file; trust the bytes. */
    cp_reader_init(&frame, data, caplen, wirelen < caplen ? caplen : wirelen);
    return cp_link_decode(net, linktype, &frame, out);
}
