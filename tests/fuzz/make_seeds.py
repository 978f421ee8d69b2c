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
  starttls/   the first connection's two hellos after each upgrade exchange starttls.c knows
              (SMTP, IMAP, POP3, FTP, XMPP, LDAP, PostgreSQL, MySQL, HTTP CONNECT), whole and
              byte by byte with fin (see fuzz_starttls.c);
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


# Upgrade exchanges (client 0, server 1) before the hellos, as test_starttls.c has them.
LDAP_OID = b'1.3.6.1.4.1.1466.20037'
STARTTLS_EXCHANGES = {
    'smtp': [(1, b'220 mx.example.test ESMTP\r\n'), (0, b'EHLO a\r\n'),
             (1, b'250-mx\r\n250 STARTTLS\r\n'), (0, b'STARTTLS\r\n'),
             (1, b'220 2.0.0 Ready to start TLS\r\n')],
    'imap': [(1, b'* OK IMAP4rev2\r\n'), (0, b'a1 STARTTLS\r\n'), (1, b'a1 OK Begin TLS\r\n')],
    'pop3': [(1, b'+OK POP3\r\n'), (0, b'STLS\r\n'), (1, b'+OK go\r\n')],
    'ftp': [(1, b'220 FTP\r\n'), (0, b'AUTH TLS\r\n'), (1, b'234 AUTH TLS OK.\r\n')],
    'xmpp': [(0, b"<stream:stream to='x'><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"),
             (1, b"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>\n")],
    'ldap': [(0, bytes([0x30, 0x1d, 0x02, 0x01, 0x01, 0x77, 0x18, 0x80, 0x16]) + LDAP_OID),
             (1, bytes([0x30, 0x0c, 0x02, 0x01, 0x01, 0x78, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00,
                        0x04, 0x00]))],
    'postgresql': [(0, bytes([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f])), (1, b'S')],
    'mysql': [(1, struct.pack('<I', 20)[:3] + b'\x00\x0a' + b'8.0.36\x00' + b'\x00' * 12),
              (0, struct.pack('<I', 32)[:3] + b'\x01' + struct.pack('<H', 0x0a00 | 0x0800) +
               b'\x00' * 30)],
    'http-connect': [(0, b'CONNECT mail.example.test:443 HTTP/1.1\r\nHost: x\r\n\r\n'),
                     (1, b'HTTP/1.1 200 Connection established\r\n\r\n')],
}


def starttls_seeds(out, tag, data):
    """Each exchange, then the client's and the server's first 600 TLS bytes; mode 0 (whole
    items) and mode 3 (byte by byte, fin at the end)."""
    for proto, items in STARTTLS_EXCHANGES.items():
        items = items + [(0, bytes(data[0][:600])), (1, bytes(data[1][:600]))]
        for mode in (0, 3):
            blob = bytearray([mode])
            for d, b in items:
                blob += bytes([d]) + struct.pack('>H', len(b)) + b
            write(out, 'starttls', '%s-%s-mode%d' % (proto, tag, mode), bytes(blob))


def main():
    out = sys.argv[1]
    for path in sys.argv[2:]:
        tag = os.path.splitext(os.path.basename(path))[0]
        for n, segs in enumerate(streams(path)):
            data = tls_seeds(out, '%s-c%d' % (tag, n), segs)
            if n == 0:
                openvpn_seeds(out, '%s-c%d' % (tag, n), data)
                starttls_seeds(out, '%s-c%d' % (tag, n), data)
            write(out, 'tcp_stream', '%s-c%d' % (tag, n), tcp_stream_seed(segs))
            for d in (0, 1):
                for der in certificates(bytes(data[d])):
                    write(out, 'x509', hashlib.sha1(der).hexdigest()[:16] + '.der', der)


if __name__ == '__main__':
    main()
