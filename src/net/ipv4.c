/* SPDX-License-Identifier: BSD-2-Clause */
/* ipv4: IPv4 header validation, options skipped, fragments to the defragmenter (RFC 791 §3.1).
 *
 *    0                   1                   2                   3
 *   |Version|  IHL  |    TOS        |          Total Length         |
 *   |         Identification        |Flags|     Fragment Offset     |
 *   |      TTL      |   Protocol    |        Header Checksum        |
 *   |                        Source Address                         |
 *   |                     Destination Address                       |
 *   |                    Options (IHL > 5)                          |
 *
 * The total length, not the frame, decides where the payload ends (Ethernet pads runts to 60
 * bytes; p0f's "honor this claim"). The header checksum is not checked: captures taken on the
 * sending host show checksum offload's zeros, and a wrong checksum changes nothing we report.
 */
#include <string.h>

#include "net/decode.h"

enum {
    IPV4_MIN_HDR = 20,
    IPV4_MF = 0x2000,
    IPV4_OFFSET_MASK = 0x1fff,
};

typedef struct Ipv4Header {
    size_t hdr_len;
    uint16_t total_len;
    uint16_t id;
    uint16_t frag;
    uint8_t proto;
    uint8_t src[4];
    uint8_t dst[4];
} Ipv4Header;

/* ip.truncated when the capture cut the header; ip.malformed when the frame itself (or the
 * enclosing IP length) is too short for it. */
static CpNetResult
header_short(CpNet *net, const CpReader *r)
{
    return cp_net_skip(net, cp_reader_status(r) == CP_READ_TRUNCATED ? CP_ANOMALY_IP_TRUNCATED
                                                                     : CP_ANOMALY_IP_MALFORMED);
}

static void
set_addr(CpAddr *a, const uint8_t b[4])
{
    memset(a, 0, sizeof *a);
    a->family = 4;
    memcpy(a->bytes, b, 4);
}

/* Reads the fixed header from a copy of r, so the datagram can then be cut out of r. */
static CpReadStatus
read_fixed(const CpReader *r, Ipv4Header *h, bool *bad_version)
{
    CpReader p = *r;
    uint8_t vihl, tos, ttl;
    uint16_t csum;

    *bad_version = false;
    if (!cp_reader_u8(&p, &vihl))
        return cp_reader_status(&p);
    /* ip.malformed: another version, or a header length below the fixed 20 bytes. */
    if (vihl >> 4 != 4 || (vihl & 0x0f) < 5) {
        *bad_version = true;
        return CP_READ_MALFORMED;
    }
    h->hdr_len = (size_t)(vihl & 0x0f) * 4;
    if (!cp_reader_u8(&p, &tos) || !cp_reader_be16(&p, &h->total_len) ||
        !cp_reader_be16(&p, &h->id) || !cp_reader_be16(&p, &h->frag) || !cp_reader_u8(&p, &ttl) ||
        !cp_reader_u8(&p, &h->proto) || !cp_reader_be16(&p, &csum) ||
        !cp_reader_copy(&p, h->src, 4) || !cp_reader_copy(&p, h->dst, 4))
        return cp_reader_status(&p);
    return CP_READ_OK;
}

static CpNetResult
fragment(CpNet *net, const Ipv4Header *h, CpReader *ip, CpPacket *out)
{
    CpDefragFrag f = { 0 };
    CpDefragDatagram dg;
    CpReader payload;

    /* ip.frag_nested: one reassembly per frame; a second would reuse the buffer we read. */
    if (net->reassembled)
        return cp_net_skip(net, CP_ANOMALY_IP_FRAG_NESTED);
    f.len = cp_reader_declared_left(ip);
    /* capture.snaplen_cut: a fragment missing bytes cannot be reassembled faithfully. */
    if (cp_reader_remaining(ip) < f.len)
        return cp_net_skip(net, CP_ANOMALY_CAPTURE_CAPLEN_SHORT);
    /* ip.malformed: RFC 791 fragments other than the last carry a multiple of 8 bytes. */
    if ((h->frag & IPV4_MF) && (f.len == 0 || f.len % 8 != 0))
        return cp_net_skip(net, CP_ANOMALY_IP_MALFORMED);
    if (!cp_reader_bytes(ip, f.len, &f.data))
        return header_short(net, ip);
    f.key.family = 4;
    f.key.proto = h->proto;
    f.key.id = h->id;
    memcpy(f.key.src, h->src, 4);
    memcpy(f.key.dst, h->dst, 4);
    f.next_proto = h->proto;
    f.hdr_len = h->hdr_len;
    f.offset = (size_t)(h->frag & IPV4_OFFSET_MASK) * 8;
    f.more = (h->frag & IPV4_MF) != 0;
    if (cp_defrag_add(net->defrag, &f, net->ts_ns, &dg) != CP_DEFRAG_DONE)
        return CP_NET_SKIP; /* held, or dropped and counted by the defragmenter */
    net->reassembled = true;
    cp_reader_init(&payload, dg.data, dg.len, dg.len);
    return cp_net_ip_payload(net, dg.next_proto, &payload, out);
}

CpNetResult
cp_ipv4_decode(CpNet *net, CpReader *r, CpPacket *out)
{
    Ipv4Header h;
    bool bad_version;
    CpReadStatus st = read_fixed(r, &h, &bad_version);
    size_t wire_left = cp_reader_declared_left(r);
    size_t total;
    CpReader ip;

    if (bad_version)
        return cp_net_skip(net, CP_ANOMALY_IP_MALFORMED);
    if (st != CP_READ_OK)
        return cp_net_skip(net, st == CP_READ_TRUNCATED ? CP_ANOMALY_IP_TRUNCATED
                                                        : CP_ANOMALY_IP_MALFORMED);
    /* A zero total length is what large-send offload leaves in captures taken on the sending
     * host (Windows LSO; Wireshark says the same): the frame is the datagram. */
    total = h.total_len != 0 ? h.total_len : wire_left;
    /* ip.malformed: the length must cover the header and fit in what the wire carried. */
    if (total < h.hdr_len || total > wire_left)
        return cp_net_skip(net, CP_ANOMALY_IP_MALFORMED);
    if (!cp_reader_sub(r, total, &ip) || !cp_reader_skip(&ip, h.hdr_len))
        return header_short(net, &ip); /* options cut by the capture */
    set_addr(&out->src, h.src);
    set_addr(&out->dst, h.dst);
    if ((h.frag & (IPV4_MF | IPV4_OFFSET_MASK)) != 0)
        return fragment(net, &h, &ip, out);
    return cp_net_ip_payload(net, h.proto, &ip, out);
}
