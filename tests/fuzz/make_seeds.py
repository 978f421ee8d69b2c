#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""make_seeds: turns capgen captures into the seed corpora of the fuzz targets (STYLE R65).

Usage: make_seeds.py OUT_DIR CAPTURE.pcap...
Writes, from each classic-pcap Ethernet/IPv4 capture, into OUT_DIR/<target>/:
  tls/        each connection in fuzz_tls's scripted mode (both directions, capture order) and each
              direction in stream mode with a few chunk sizes (see fuzz_tls.c for the layout);
  x509/       every certificate DER of every TLS 1.2 Certificate message (RFC 5246 §7.4.2);
  tcp_stream/ each connection's segments in fuzz_tcp_stream's segment layout;
  openvpn/    the first connection's TLS bytes wrapped in OpenVPN control packets (see
              fuzz_openvpn.c): TCP and UDP, without and with a 20-byte tls-auth HMAC, in order
              and (UDP) reordered with a retransmission;
  pcap/       the capture itself is copied by the caller (run_fuzzers.sh does not need this).
No third-party modules."""
import hashlib
import os
import struct
import sys


def packets(path):
    with open(path, 'rb') as f:
        data = f.read()
    magic = struct.unpack('<I', data[:4])[0]
    if magic != 0xA1B2C3D4:
        return
    linktype = struct.unpack('<I', data[20:24])[0]
    if linktype != 1:
        return
    at = 24
    while at + 16 <= len(data):
        _, _, incl, _ = struct.unpack('<IIII', data[at:at + 16])
        yield data[at + 16:at + 16 + incl]
        at += 16 + incl


def tcp_segments(path):
    """(conn key, direction 0/1, seq, flags, payload) for Ethernet/IPv4/TCP frames."""
    first = {}
    for frame in packets(path):
        if len(frame) < 34 or frame[12:14] != b'\x08\x00':
            continue
        ip = frame[14:]
        ihl = (ip[0] & 15) * 4
        if ip[9] != 6:
            continue
        total = struct.unpack('>H', ip[2:4])[0]
        tcp = ip[ihl:total]
        sport, dport, seq = struct.unpack('>HHI', tcp[:8])
        off = (tcp[12] >> 4) * 4
        a, b = (ip[12:16], sport), (ip[16:20], dport)
        key = tuple(sorted([a, b]))
        first.setdefault(key, a)
        yield key, 0 if first[key] == a else 1, seq, tcp[13], tcp[off:]


def streams(path):
    conns = {}
    for key, d, seq, flags, payload in tcp_segments(path):
        conns.setdefault(key, []).append((d, seq, flags, payload))
    return list(conns.values())


def write(out, target, name, blob):
    os.makedirs(os.path.join(out, target), exist_ok=True)
    with open(os.path.join(out, target, name), 'wb') as f:
        f.write(blob)


def tls_seeds(out, tag, segs):
    script = bytearray([0x80])
    data = [bytearray(), bytearray()]
    for d, _, _, payload in segs:
        for i in range(0, len(payload), 255):
            piece = payload[i:i + 255]
            script += bytes([d, len(piece)]) + piece
        data[d] += payload
    write(out, 'tls', tag + '-scripted', bytes(script))
    for d in (0, 1):
        for chunk_index in (0, 3, 6):  # whole, 3-byte and 64-byte deliveries
            mode = d | (chunk_index << 1)
            write(out, 'tls', '%s-dir%d-chunk%d' % (tag, d, chunk_index), bytes([mode]) + data[d])
    return data


def certificates(stream):
    """DER certificates of TLS 1.2 Certificate messages in one direction's bytes."""
    hs = bytearray()
    at = 0
    while at + 5 <= len(stream):
        ctype, _, length = struct.unpack('>BHH', stream[at:at + 5])
        if ctype == 22:
            hs += stream[at + 5:at + 5 + length]
        at += 5 + length
    at = 0
    while at + 4 <= len(hs):
        mtype = hs[at]
        mlen = int.from_bytes(hs[at + 1:at + 4], 'big')
        body = hs[at + 4:at + 4 + mlen]
        at += 4 + mlen
        if mtype != 11 or len(body) < 3:
            continue
        pos = 3
        while pos + 3 <= len(body):
            clen = int.from_bytes(body[pos:pos + 3], 'big')
            yield bytes(body[pos + 3:pos + 3 + clen])
            pos += 3 + clen


def tcp_stream_seed(segs):
    """fuzz_tcp_stream layout: header then {flags, delta, len, bytes}, as captured."""
    isn = [None, None]
    cursor = [0, 0]
    body = bytearray()
    for d, seq, flags, payload in segs:
        if flags & 0x02:  # SYN: the stream starts at isn + 1
            isn[d] = seq + 1
            cursor[d] = seq + 1
            continue
        if isn[d] is None:
            isn[d] = cursor[d] = seq
        for i in range(0, max(len(payload), 1), 255):
            piece = payload[i:i + 255]
            if not piece:
                break
            delta = (seq + i - cursor[d]) & 0xFFFF
            body += bytes([d]) + struct.pack('>H', delta) + bytes([len(piece)]) + piece
            cursor[d] = (seq + i + len(piece)) & 0xFFFFFFFF
    # The target starts direction 0 at isn0 and direction 1 at ~isn0 with both SYNs seen, and
    # deltas are relative, so in-order data replays in order whatever the real ISNs were.
    head = struct.pack('>I', isn[0] or 0) + bytes([0x03, 7, 0, 0])
    return head + bytes(body)


def openvpn_packet(op, sid, hmac, pid, payload):
    """One OpenVPN control packet (OpenVPN's ssl_pkt.h layout; no acks)."""
    p = bytes([op << 3]) + sid
    if hmac:
        p += b'\xc3' * hmac + struct.pack('>II', pid + 1, 0x50000000)
    return p + b'\x00' + struct.pack('>I', pid) + payload


def openvpn_seeds(out, tag, data):
    for hmac in (0, 20):
        per_dir = []
        for d in (0, 1):
            sid = bytes([0x11 * (d + 1)]) * 8
            pk = [openvpn_packet(7 if d == 0 else 8, sid, hmac, 0, b'')]
            tls = bytes(data[d])
            pk += [openvpn_packet(4, sid, hmac, 1 + i // 100, tls[i:i + 100])
                   for i in range(0, len(tls), 100)]
            per_dir.append(pk)
        # client reset first, then the directions interleaved in turn
        order = [(0, 0), (1, 0)]
        for i in range(1, max(len(per_dir[0]), len(per_dir[1]))):
            order += [(d, i) for d in (0, 1) if i < len(per_dir[d])]
        for tcp in (False, True):
            items = order if tcp else order[:2] + order[3:4] + order[2:3] + order[4:] + order[2:3]
            blob = bytearray([0x04 if tcp else 0x00])
            for d, i in items:
                p = per_dir[d][i]
                if tcp:
                    p = struct.pack('>H', len(p)) + p
                blob += bytes([d]) + struct.pack('>H', len(p)) + p
            write(out, 'openvpn', '%s-%s-hmac%d' % (tag, 'tcp' if tcp else 'udp', hmac), blob)


def main():
    out = sys.argv[1]
    for path in sys.argv[2:]:
        tag = os.path.splitext(os.path.basename(path))[0]
        for n, segs in enumerate(streams(path)):
            data = tls_seeds(out, '%s-c%d' % (tag, n), segs)
            if n == 0:
                openvpn_seeds(out, '%s-c%d' % (tag, n), data)
            write(out, 'tcp_stream', '%s-c%d' % (tag, n), tcp_stream_seed(segs))
            for d in (0, 1):
                for der in certificates(bytes(data[d])):
                    write(out, 'x509', hashlib.sha1(der).hexdigest()[:16] + '.der', der)


if __name__ == '__main__':
    main()
