/* SPDX-License-Identifier: BSD-2-Clause */
/* ipv6: IPv6 header and a bounded extension-header walk (RFC 8200 §3-§4, RFC 4302 §2 for AH,
 * RFC 6946 for atomic fragments).
 *
 *   | Version | Traffic Class | Flow Label (20) |
 *   | Payload Length (16) | Next Header | Hop Limit |
 *   | Source Address (128) | Destination Address (128) |          = 40 bytes
 *
 * Extension headers walked: hop-by-hop (0), routing (43), destination options (60) — length in
 * 8-octet units not counting the first 8; AH (51) — length in 4-octet units minus 2; fragment
 * (44) — fixed 8 bytes. At most limits->max_ipv6_ext of them (ipv6.ext_limit), counted across a
 * reassembly so fragmenting does not reset the budget. ESP (50) and anything unknown end the walk
 * as "not TCP": the rest is not readable.
 */
#include <string.h>

#include "net/decode.h"

enum {
    IPV6_HDR = 40,
    NH_HOP_BY_HOP = 0,
    NH_ROUTING = 43,
    NH_FRAGMENT = 44,
    NH_AH = 51,
    NH_DEST_OPTS = 60,
    FRAG_OFFSET_MASK = 0xfff8,
    FRAG_M = 0x0001,
};

typedef struct Ipv6Walk {
    CpReader *cur; /* the bytes being walked: the packet, then a reassembled payload */
    CpReader assembled;
    size_t payload_start; /* position of the first payload byte in the packet reader */
    uint8_t src[16];
    uint8_t dst[16];
    uint64_t ext_count;
} Ipv6Walk;

static CpNetResult
header_short(CpNet *net, const CpReader *r)
{
    return cp_net_skip(net, cp_reader_status(r) == CP_READ_TRUNCATED ? CP_ANOMALY_IP_TRUNCATED
                                                                     : CP_ANOMALY_IP_MALFORMED);
}

static void
set_addr(CpAddr *a, const uint8_t b[16])
{
    a->family = 6;
    memcpy(a->bytes, b, 16);
}

/* Skips one option-style or AH extension header and returns its next header. */
static bool
skip_ext(CpReader *r, uint8_t type, uint8_t *next)
{
    uint8_t len;

    if (!cp_reader_u8(r, next) || !cp_reader_u8(r, &len))
        return false;
    size_t total = type == NH_AH ? ((size_t)len + 2) * 4 : ((size_t)len + 1) * 8;
    return cp_reader_skip(r, total - 2);
}

typedef enum { FRAG_CONTINUE, FRAG_STOP } FragStep;

/* Handles a fragment header. CONTINUE: walk on in w->cur from *next (an atomic fragment, or a
 * completed reassembly); STOP: *result holds the answer. */
static FragStep
fragment(CpNet *net, Ipv6Walk *w, uint8_t *next, CpNetResult *result)
{
    CpDefragFrag f = { 0 };
    CpDefragDatagram dg;
    uint8_t reserved;
    uint16_t off_flags;
    size_t hdr_end;

    *result = CP_NET_SKIP;
    if (!cp_reader_u8(w->cur, next) || !cp_reader_u8(w->cur, &reserved) ||
        !cp_reader_be16(w->cur, &off_flags) || !cp_reader_be32(w->cur, &f.key.id)) {
        *result = header_short(net, w->cur);
        return FRAG_STOP;
    }
    /* RFC 6946: offset 0 without M is a whole packet; process it in place. */
    if ((off_flags & (FRAG_OFFSET_MASK | FRAG_M)) == 0)
        return FRAG_CONTINUE;
    hdr_end = w->cur->pos;
    /* ip.frag_nested: one reassembly per frame; a second would reuse the buffer we read. */
    if (net->reassembled) {
        *result = cp_net_skip(net, CP_ANOMALY_IP_FRAG_NESTED);
        return FRAG_STOP;
    }
    f.len = cp_reader_declared_left(w->cur);
    /* capture.snaplen_cut: a fragment missing bytes cannot be reassembled faithfully. */
    if (cp_reader_remaining(w->cur) < f.len) {
        *result = cp_net_skip(net, CP_ANOMALY_CAPTURE_CAPLEN_SHORT);
        return FRAG_STOP;
    }
    /* ip.malformed: RFC 8200 §4.5, fragments other than the last carry a multiple of 8. */
    if ((off_flags & FRAG_M) && (f.len == 0 || f.len % 8 != 0)) {
        *result = cp_net_skip(net, CP_ANOMALY_IP_MALFORMED);
        return FRAG_STOP;
    }
    if (!cp_reader_bytes(w->cur, f.len, &f.data)) {
        *result = header_short(net, w->cur);
        return FRAG_STOP;
    }
    f.key.family = 6;
    memcpy(f.key.src, w->src, 16);
    memcpy(f.key.dst, w->dst, 16);
    f.next_proto = *next;
    f.hdr_len = hdr_end - w->payload_start;
    f.offset = off_flags & FRAG_OFFSET_MASK;
    f.more = (off_flags & FRAG_M) != 0;
    if (cp_defrag_add(net->defrag, &f, net->ts_ns, &dg) != CP_DEFRAG_DONE)
        return FRAG_STOP; /* held, or dropped and counted by the defragmenter */
    net->reassembled = true;
    cp_reader_init(&w->assembled, dg.data, dg.len, dg.len);
    w->cur = &w->assembled;
    *next = dg.next_proto;
    return FRAG_CONTINUE;
}

static CpNetResult
walk(CpNet *net, Ipv6Walk *w, uint8_t nh, CpPacket *out)
{
    for (;;) {
        uint8_t next;
        CpNetResult result;

        if (nh != NH_HOP_BY_HOP && nh != NH_ROUTING && nh != NH_DEST_OPTS && nh != NH_AH &&
            nh != NH_FRAGMENT)
            return cp_net_ip_payload(net, nh, w->cur, out);
        /* ipv6.ext_limit: each header costs a step; long chains only serve evasion. */
        if (w->ext_count >= net->limits->max_ipv6_ext)
            return cp_net_skip(net, CP_ANOMALY_IPV6_EXT_LIMIT);
        w->ext_count++;
        if (nh == NH_FRAGMENT) {
            if (fragment(net, w, &next, &result) == FRAG_STOP)
                return result;
        } else if (!skip_ext(w->cur, nh, &next)) {
            return header_short(net, w->cur); /* a length running past the payload: malformed */
        }
        nh = next;
    }
}

CpNetResult
cp_ipv6_decode(CpNet *net, CpReader *r, CpPacket *out)
{
    CpReader p = *r;
    CpReader ip;
    Ipv6Walk w = { 0 };
    uint8_t first, nh, hop;
    uint16_t plen;
    size_t wire_left = cp_reader_declared_left(r);
    size_t total;

    if (!cp_reader_u8(&p, &first))
        return header_short(net, &p);
    if (first >> 4 != 6)
        return cp_net_skip(net, CP_ANOMALY_IP_MALFORMED); /* ip.malformed: not version 6 */
    if (!cp_reader_skip(&p, 3) || !cp_reader_be16(&p, &plen) || !cp_reader_u8(&p, &nh) ||
        !cp_reader_u8(&p, &hop) || !cp_reader_copy(&p, w.src, 16) || !cp_reader_copy(&p, w.dst, 16))
        return header_short(net, &p);
    /* A zero payload length is a jumbogram (not supported) or large-send offload on the sending
     * host; either way the frame is the packet. */
    total = plen != 0 ? (size_t)plen + IPV6_HDR : wire_left;
    /* ip.malformed: the payload length must fit in what the wire carried. */
    if (total > wire_left)
        return cp_net_skip(net, CP_ANOMALY_IP_MALFORMED);
    if (!cp_reader_sub(r, total, &ip) || !cp_reader_skip(&ip, IPV6_HDR))
        return header_short(net, &ip);
    set_addr(&out->src, w.src);
    set_addr(&out->dst, w.dst);
    w.cur = &ip;
    w.payload_start = IPV6_HDR;
    return walk(net, &w, nh, out);
}
