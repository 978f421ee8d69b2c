/* SPDX-License-Identifier: BSD-2-Clause */
/* tcp: TCP header fields and the payload view into a CpPacket (RFC 9293 §3.1). No state.
 *
 *   | Source Port | Destination Port |
 *   | Sequence Number                |
 *   | Acknowledgment Number          |
 *   | DOff | Rsrvd | Flags | Window  |
 *   | Checksum | Urgent Pointer      |
 *   | Options (DOff > 5)             |
 *
 * The segment reader's declared length comes from the IP header, its avail from the capture:
 * payload_len is what we have, payload_declared what the sender sent, and reassembly treats the
 * difference as a gap. The checksum is not verified (offload zeros on the sending host).
 */
#include "net/decode.h"

enum {
    TCP_MIN_DOFF = 5,
};

CpNetResult
cp_tcp_decode(CpNet *net, CpReader *seg, CpPacket *out)
{
    uint8_t doff_byte, flags;
    uint16_t window, csum, urgent;
    size_t seg_declared = cp_reader_declared_left(seg);

    if (!cp_reader_be16(seg, &out->sport) || !cp_reader_be16(seg, &out->dport) ||
        !cp_reader_be32(seg, &out->seq) || !cp_reader_be32(seg, &out->ack) ||
        !cp_reader_u8(seg, &doff_byte) || !cp_reader_u8(seg, &flags) ||
        !cp_reader_be16(seg, &window) || !cp_reader_be16(seg, &csum) ||
        !cp_reader_be16(seg, &urgent)) {
        /* tcp.truncated: the capture cut the header; tcp.malformed: IP says the segment is
         * shorter than a TCP header. */
        return cp_net_skip(net, cp_reader_status(seg) == CP_READ_TRUNCATED
                                        ? CP_ANOMALY_TCP_TRUNCATED
                                        : CP_ANOMALY_TCP_MALFORMED);
    }
    size_t hdr_len = (size_t)(doff_byte >> 4) * 4;

    /* tcp.malformed: a data offset below the fixed header, or past the segment's end, would
     * make us read header bytes as payload or payload past the segment. */
    if (doff_byte >> 4 < TCP_MIN_DOFF || hdr_len > seg_declared)
        return cp_net_skip(net, CP_ANOMALY_TCP_MALFORMED);
    if (!cp_reader_skip(seg, hdr_len - TCP_MIN_DOFF * 4))
        return cp_net_skip(net, CP_ANOMALY_TCP_TRUNCATED); /* options cut by the capture */
    out->tcp_flags = flags;
    out->payload_declared = cp_reader_declared_left(seg);
    out->payload_len = cp_reader_remaining(seg);
    if (!cp_reader_bytes(seg, out->payload_len, &out->payload))
        return cp_net_skip(net, CP_ANOMALY_TCP_MALFORMED); /* cannot happen: len is what is left */
    if (out->payload_len < out->payload_declared) {
        /* capture.snaplen_cut when the capture's snaplen cut the frame; tcp.truncated when the
         * frame itself ended early (only with a zero, offload-style IP length). The segment is
         * still delivered: the handshake bytes before the cut are usable. */
        cp_anomaly_add(net->anomalies, net->snaplen_cut ? CP_ANOMALY_CAPTURE_CAPLEN_SHORT
                                                        : CP_ANOMALY_TCP_TRUNCATED);
    }
    return CP_NET_TCP;
}
