#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""hostile: writes hostile captures and pins certpath's exact answer to each (suite 'adversarial').

Usage: hostile.py CERTPATH WORKDIR CASE     (CASE: one of CASES below; --list prints them)

Each case writes its capture into WORKDIR (the build directory), runs certpath on it, and
asserts the exit status, the summary line of `--format json` (packets, connections, handshakes,
certificates, and the exact anomalies dictionary) and, where the edge is about output, the text
report. Everything is built here by hand: Ethernet/IPv4/TCP frames (RFC 791, RFC 9293), TLS
records and handshake messages (RFC 5246 §6.2, §7.4) and certificate DER (RFC 5280, X.690), with
no third-party module and no external tool. Exit 0 = pass, 1 = an assertion failed (each failure
printed on its own line), 77 = skipped (meson's convention).
"""
import json
import re
import os
import resource
import shutil
import struct
import subprocess
import sys
import time

BASE_TS = 1768471200  # capture clock: 2026-01-15 10:00 UTC, inside the certificates' validity
CLIENT_IP = bytes([10, 1, 0, 10])
SERVER_IP = bytes([192, 0, 2, 10])
MIB = 1024 * 1024


# ---------------------------------------------------------------------------- pcap and frames

class Pcap:
    """Classic pcap, microsecond timestamps, Ethernet (linktype 1)."""

    def __init__(self, path, snaplen=262144):
        self.f = open(path, 'wb')
        self.f.write(struct.pack('<IHHiIII', 0xA1B2C3D4, 2, 4, 0, 0, snaplen, 1))
        self.frames = 0
        self.usec = 0

    def frame(self, data):
        ts = BASE_TS * 1000000 + self.usec
        self.usec += 1000
        self.f.write(struct.pack('<IIII', ts // 1000000, ts % 1000000, len(data), len(data)))
        self.f.write(data)
        self.frames += 1

    def raw(self, data):
        self.f.write(data)

    def close(self):
        self.f.close()


def ip_checksum(hdr):
    s = sum(struct.unpack('>10H', hdr))
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


ETH = b'\x02\x00\x00\x00\x00\x02' + b'\x02\x00\x00\x00\x00\x01' + b'\x08\x00'


def tcp_frame(src, dst, sport, dport, seq, ack, flags, payload=b''):
    tcp = struct.pack('>HHIIBBHHH', sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4,
                      flags, 65535, 0, 0)
    total = 20 + len(tcp) + len(payload)
    ip = struct.pack('>BBHHHBBH4s4s', 0x45, 0, total, 1, 0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack('>H', ip_checksum(ip)) + ip[12:]
    return ETH + ip + tcp + payload


FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


class Conn:
    """One TCP connection client:cport -> server:443 written into a Pcap."""

    def __init__(self, pcap, cport=50000, client=CLIENT_IP, server=SERVER_IP, sport=443):
        self.p, self.cport, self.sport = pcap, cport, sport
        self.client, self.server = client, server
        self.cseq, self.sseq = 1000, 500000  # next sequence numbers
        self.p.frame(self._c(SYN, self.cseq - 1, 0))
        self.p.frame(self._s(SYN | ACK, self.sseq - 1, self.cseq))
        self.p.frame(self._c(ACK, self.cseq, self.sseq))

    def _c(self, flags, seq, ack, payload=b''):
        return tcp_frame(self.client, self.server, self.cport, self.sport, seq, ack, flags, payload)

    def _s(self, flags, seq, ack, payload=b''):
        return tcp_frame(self.server, self.client, self.sport, self.cport, seq, ack, flags, payload)

    def client_send(self, data, mss=1460):
        for i in range(0, len(data), mss):
            self.p.frame(self._c(PSH | ACK, self.cseq, self.sseq, data[i:i + mss]))
            self.cseq += len(data[i:i + mss])

    def server_send(self, data, mss=1460):
        for i in range(0, len(data), mss):
            self.p.frame(self._s(PSH | ACK, self.sseq, self.cseq, data[i:i + mss]))
            self.sseq += len(data[i:i + mss])

    def server_segment(self, offset, data):
        """A server segment at sseq + offset, without moving sseq (reordering, overlaps)."""
        self.p.frame(self._s(PSH | ACK, self.sseq + offset, self.cseq, data))

    def close(self):
        self.p.frame(self._c(FIN | ACK, self.cseq, self.sseq))
        self.p.frame(self._s(FIN | ACK, self.sseq, self.cseq + 1))
        self.p.frame(self._c(ACK, self.cseq + 1, self.sseq + 1))


# ---------------------------------------------------------------------------- TLS and DER

def u8(n):
    return struct.pack('>B', n)


def u16(n):
    return struct.pack('>H', n)


def u24(n):
    return n.to_bytes(3, 'big')


def record(ctype, body, version=0x0303):
    return u8(ctype) + u16(version) + u16(len(body)) + body


def handshake(mtype, body):
    return u8(mtype) + u24(len(body)) + body


def client_hello(sni=b'www.example.test'):
    server_name = u8(0) + u16(len(sni)) + sni
    sni_ext = u16(0) + u16(len(server_name) + 2) + u16(len(server_name)) + server_name
    body = (u16(0x0303) + bytes(range(32)) + u8(0) + u16(2) + u16(0xC02F) + u8(1) + u8(0) +
            u16(len(sni_ext)) + sni_ext)
    return record(22, handshake(1, body), version=0x0301)


def server_hello_msg():
    return handshake(2, u16(0x0303) + bytes(32) + u8(0) + u16(0xC02F) + u8(0))


def certificate_msg(ders):
    certs = b''.join(u24(len(d)) + d for d in ders)
    return handshake(11, u24(len(certs)) + certs)


def tlv(tag, body):
    n = len(body)
    if n < 0x80:
        length = u8(n)
    elif n < 0x100:
        length = b'\x81' + u8(n)
    elif n < 0x10000:
        length = b'\x82' + u16(n)
    else:
        length = b'\x83' + u24(n)
    return u8(tag) + length + body


def der_seq(*parts):
    return tlv(0x30, b''.join(parts))


def der_oid(hexstr):
    return tlv(0x06, bytes.fromhex(hexstr))


OID_CN = '550403'
OID_SAN = '551d11'
# P-256's generator: a valid public point, so OpenSSL decodes the key.
P256_G = bytes.fromhex('04'
                       '6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296'
                       '4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5')


def der_name(cn, tag=0x0C):
    return der_seq(tlv(0x31, der_seq(der_oid(OID_CN), tlv(tag, cn))))


def certificate(subject, issuer, san_dns=()):
    """A v3 certificate with an EC P-256 key; the signature is well-formed but not valid."""
    sigalg = der_seq(der_oid('2a8648ce3d040302'))  # ecdsa-with-SHA256
    spki = der_seq(der_seq(der_oid('2a8648ce3d0201'), der_oid('2a8648ce3d030107')),
                   tlv(0x03, b'\x00' + P256_G))
    exts = b''
    if san_dns:
        names = der_seq(*[tlv(0x82, n) for n in san_dns])
        exts = tlv(0xA3, der_seq(der_seq(der_oid(OID_SAN), tlv(0x04, names))))
    tbs = der_seq(tlv(0xA0, tlv(0x02, b'\x02')), tlv(0x02, b'\x01\x23'), sigalg, issuer,
                  der_seq(tlv(0x17, b'250101000000Z'), tlv(0x17, b'350101000000Z')), subject,
                  spki, exts)
    sig = der_seq(tlv(0x02, b'\x01'), tlv(0x02, b'\x01'))
    return der_seq(tbs, sigalg, tlv(0x03, b'\x00' + sig))


def plain_certificate():
    return certificate(der_name(b'www.example.test'), der_name(b'Example Issuing CA'),
                       [b'www.example.test'])


def tls_connection(pcap, server_flight, cport=50000, sni=b'www.example.test'):
    """ClientHello, then the server's bytes, then a clean close."""
    c = Conn(pcap, cport)
    c.client_send(client_hello(sni))
    c.server_send(server_flight)
    c.close()


# ---------------------------------------------------------------------------- running certpath

class Check:
    def __init__(self, name):
        self.name = name
        self.failures = []

    def eq(self, what, got, want):
        if got != want:
            self.failures.append('%s: got %r, want %r' % (what, got, want))

    def true(self, what, cond):
        if not cond:
            self.failures.append(what)

    def done(self):
        for f in self.failures:
            print('FAIL %s: %s' % (self.name, f))
        if not self.failures:
            print('ok %s' % self.name)
        return 1 if self.failures else 0


def run(certpath, args, timeout=120):
    t0 = time.monotonic()
    p = subprocess.run([certpath] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout)
    return p.returncode, p.stdout, p.stderr.decode('utf-8', 'replace'), time.monotonic() - t0


def summary_of(chk, out):
    """Parses every JSON line (each must be valid JSON); returns (summary, the other lines)."""
    lines = []
    for n, line in enumerate(out.decode('utf-8', 'strict').splitlines(), 1):
        try:
            lines.append(json.loads(line))
        except ValueError as e:
            chk.failures.append('JSON line %d does not parse (%s): %r' % (n, e, line[:200]))
    summ = [x for x in lines if x.get('type') == 'summary']
    chk.eq('summary lines', len(summ), 1)
    chk.true('the summary is the last line', bool(lines) and lines[-1].get('type') == 'summary')
    return (summ[-1] if summ else {}), lines


def findings_of(lines):
    return [x.get('code') for x in lines if x.get('type') == 'finding']


def sanitized(certpath):
    """True for an ASan build (its shadow memory makes RSS meaningless)."""
    with open(certpath, 'rb') as f:
        return b'__asan_init' in f.read()


# ---------------------------------------------------------------------------- the cases

def syn_flood(path, count, spread_addrs):
    """count distinct SYNs, 1 us apart (all within the idle timeout, so the table must evict)."""
    p = Pcap(path)
    ts = BASE_TS * 1000000
    hdr = struct.Struct('<IIII')
    chunk = []
    for i in range(count):
        src = bytes([10, (i >> 16) & 0xFF if spread_addrs else 0, (i >> 8) & 0xFF, i & 0xFF])
        sport = 1024 + (i % 60000)
        f = tcp_frame(src, SERVER_IP, sport, 443, i * 7919, 0, SYN)
        t = ts + i
        chunk.append(hdr.pack(t // 1000000, t % 1000000, len(f), len(f)) + f)
        if len(chunk) == 65536:
            p.raw(b''.join(chunk))
            chunk = []
    p.raw(b''.join(chunk))
    p.close()


def syn_flood_1m_completes_in_bounded_memory(certpath, work, chk):
    path = os.path.join(work, 'syn_flood_1m.pcap')
    syn_flood(path, 1000000, True)
    rc, out, err, secs = run(certpath, ['--format', 'json', path], timeout=900)
    rss_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    chk.eq('exit status (inconclusive: no certificate judged, or flows evicted)', rc, 1)
    s, lines = summary_of(chk, out)
    chk.eq('packets', s.get('packets'), 1000000)
    chk.eq('connections', s.get('connections'), 1000000)
    chk.eq('handshakes', s.get('handshakes'), 0)
    # 262144 (--max-flows default) are kept; every SYN beyond evicts the oldest.
    chk.eq('anomalies', s.get('anomalies'), {'flow.evicted': 1000000 - 262144})
    print('syn flood: %.1f s, peak RSS %.1f MiB' % (secs, rss_kib / 1024.0))
    if sanitized(certpath):
        print('peak RSS not asserted: sanitizer build')
    else:
        chk.true('peak RSS %.1f MiB under 256 MiB' % (rss_kib / 1024.0), rss_kib < 256 * 1024)


def syn_flood_5000_max_flows_1000_evicts_4000(certpath, work, chk):
    path = os.path.join(work, 'syn_flood_5000.pcap')
    syn_flood(path, 5000, False)
    rc, out, err, _ = run(certpath, ['--format', 'json', '--max-flows', '1000', path])
    chk.eq('exit status (inconclusive: no certificate judged, or flows evicted)', rc, 1)
    s, _ = summary_of(chk, out)
    chk.eq('connections', s.get('connections'), 5000)
    chk.eq('anomalies', s.get('anomalies'), {'flow.evicted': 4000})


def handshake_claiming_16mb_is_too_large_without_hang(certpath, work, chk):
    path = os.path.join(work, 'handshake_16mb.pcap')
    p = Pcap(path)
    # ServerHello, then a Certificate header claiming 2^24-1 bytes, then 64 KiB of it: the
    # dissector must refuse at the header, not buffer towards 16 MB.
    flight = record(22, server_hello_msg()) + record(22, b'\x0b\xff\xff\xff' + bytes(16380))
    flight += b''.join(record(22, bytes(16384)) for _ in range(3))
    tls_connection(p, flight)
    p.close()
    rc, out, err, secs = run(certpath, ['--format', 'json', path], timeout=30)
    chk.eq('exit status (inconclusive: no certificate judged, or flows evicted)', rc, 1)
    s, _ = summary_of(chk, out)
    chk.eq('handshakes', s.get('handshakes'), 1)
    chk.eq('certificate_messages', s.get('certificate_messages'), 0)
    chk.eq('anomalies', s.get('anomalies'), {'tls.handshake_too_large': 1})
    chk.true('finished in %.1f s (< 10 s)' % secs, secs < 10)


def overlap_with_different_bytes_counts_conflict_first_seen_kept(certpath, work, chk):
    path = os.path.join(work, 'overlap_conflict.pcap')
    p = Pcap(path)
    flight = (record(22, server_hello_msg() + certificate_msg([plain_certificate()])) +
              record(22, handshake(14, b'')))
    c = Conn(p)
    c.client_send(client_hello())
    # Bytes 100..300 arrive first (held out of order), then 0..300 whose 100..300 differ.
    c.server_segment(100, flight[100:300])
    forged = flight[:100] + bytes(b ^ 0xFF for b in flight[100:300])
    c.server_segment(0, forged)
    c.server_segment(300, flight[300:])
    c.sseq += len(flight)
    c.close()
    p.close()
    rc, out, err, _ = run(certpath, ['--format', 'json', path])
    # The certificate reached the model, but the only chain seen came through a conflicting
    # overlap: the diagnosis says the evidence is incomplete instead of judging a chain the wire
    # may have disagreed about (no missing-intermediate built from it).
    chk.eq('exit status', rc, 1)
    s, lines = summary_of(chk, out)
    chk.eq('findings', findings_of(lines), ['incomplete-evidence'])
    chk.eq('anomalies', s.get('anomalies'), {'tcp.overlap_conflict': 1})
    chk.eq('handshakes', s.get('handshakes'), 1)
    # First seen wins: the genuine bytes were held first, so the certificate is intact.
    chk.eq('certificates', s.get('certificates'), 1)


def zero_length_records_100000_is_record_flood(certpath, work, chk):
    path = os.path.join(work, 'record_flood.pcap')
    p = Pcap(path)
    flight = record(22, server_hello_msg()) + record(22, b'') * 100000
    tls_connection(p, flight)
    p.close()
    rc, out, err, secs = run(certpath, ['--format', 'json', path], timeout=60)
    chk.eq('exit status (inconclusive: no certificate judged, or flows evicted)', rc, 1)
    s, _ = summary_of(chk, out)
    chk.eq('handshakes', s.get('handshakes'), 1)
    chk.eq('anomalies', s.get('anomalies'), {'tls.record_flood': 1})


ESC_CN = b'\x1b[2J\x1b]0;owned\x07evil\x1b[31m red'
ESC_SAN = b'\x1b[2J.\xff\xfe.\xc3\x28.evil.test'  # ESC, 0xFF, 0xFE, 0xC3 not followed by 10xxxxxx
ESC_SNI = b'\x1b[1mbold\xff.test'
INVALID_SEQS = 3 + 1  # invalid sequences in ESC_SAN and in ESC_SNI
SUBJECT_TEXT = 'CN=\\1B[2J\\1B]0\\;owned\\07evil\\1B[31m red'


def escape_flight():
    # The CN as a T61String: OpenSSL 3 refuses invalid UTF-8 in a UTF8String name, but takes any
    # byte in a T61String (and converts it as Latin-1), so the ESC bytes reach certpath.
    cert = certificate(der_name(ESC_CN, tag=0x14), der_name(b'Hostile CA'), [ESC_SAN])
    return record(22, server_hello_msg() + certificate_msg([cert]) + handshake(14, b''))


def dn_with_terminal_escapes_is_escaped_in_text_and_json(certpath, work, chk):
    path = os.path.join(work, 'escape_dn.pcap')
    p = Pcap(path)
    tls_connection(p, escape_flight(), sni=ESC_SNI)
    p.close()
    rc, text, err, _ = run(certpath, [path])
    # Findings: the issuer was never sent, and the SNI is not the SAN (both errors).
    chk.eq('text: exit status', rc, 1)
    chk.true('text: no raw ESC byte (0x1b) in the report', b'\x1b' not in text)
    chk.true('text: no raw BEL byte (0x07) in the report', b'\x07' not in text)
    chk.true('text: the SNI is shown with ESC escaped as \\x1B', b'\\x1B[1mbold' in text)
    chk.true('text: invalid UTF-8 shown as \\xFF', b'\\xFF' in text)
    chk.true('text: the SAN is shown escaped', b'\\x1B[2J.\\xFF\\xFE.\\xC3(.evil.test' in text)
    # OpenSSL's RFC 4514 printing turns the DN's control bytes into backslash + hex itself.
    chk.true('text: the DN shown with ESC as \\1B', re.search(rb'CN=\\{1,2}1B\[2J', text))
    rc, out, err, _ = run(certpath, ['--format', 'json', path])
    chk.eq('json: exit status', rc, 1)
    chk.true('json: no raw ESC byte', b'\x1b' not in out)
    s, lines = summary_of(chk, out)
    # The synthetic client closes (FIN) right after the server's Certificate without finishing:
    # on the wire that is a silent rejection (warning).
    chk.eq('json: findings', findings_of(lines), ['name-mismatch', 'silent-rejection',
                                                  'issuer-unknown'])
    joined = out.decode('utf-8', 'replace')
    chk.true('json: U+FFFD stands for the invalid bytes', '\ufffd' in joined)
    certs = [x for x in lines if x.get('type') == 'certificate']
    chk.eq('json: certificate lines', len(certs), 1)
    if certs:
        # OpenSSL's RFC 4514 printing already writes control bytes of a DN as \1B (backslash,
        # hex): the subject holds no raw ESC, only that text, which JSON keeps as is.
        chk.eq('json: subject', certs[0].get('subject'), SUBJECT_TEXT)
        chk.eq('json: SAN with U+FFFD', certs[0].get('san'),
               ['\x1b[2J.\ufffd\ufffd.\ufffd(.evil.test'])
    hs = [x for x in lines if x.get('type') == 'handshake']
    chk.eq('json: handshake SNI', [h.get('sni') for h in hs], ['\x1b[1mbold\ufffd.test'])
    # Every replacement is counted: as many U+FFFD as output.invalid_utf8 says (the SAN and the
    # SNI appear in several lines: certificate, handshake, findings, servers).
    replaced = joined.count('\ufffd')
    chk.true('json: at least %d U+FFFD (got %d)' % (INVALID_SEQS, replaced),
             replaced >= INVALID_SEQS)
    chk.eq('json: anomalies', s.get('anomalies'), {'output.invalid_utf8': replaced})


def valid_utf8(b):
    try:
        b.decode('utf-8', 'strict')
        return True
    except UnicodeDecodeError:
        return False


def deeply_nested_and_huge_der_is_bad_der(certpath, work, chk):
    path = os.path.join(work, 'bad_der.pcap')
    nested = b''
    for _ in range(10000):  # 10000 nested SEQUENCEs, 40 KB
        nested = der_seq(nested)
    huge = b'\x30\x84\xff\xff\xff\xff' + der_seq(b'\x02\x01\x01') * 10  # claims 4 GiB
    garbage = bytes((i * 131 + 7) & 0xFF for i in range(600))
    msg = certificate_msg([nested, huge, garbage])
    flight = record(22, server_hello_msg())
    for i in range(0, len(msg), 16384):
        flight += record(22, msg[i:i + 16384])
    flight += record(22, handshake(14, b''))
    p = Pcap(path)
    tls_connection(p, flight)
    p.close()
    rc, out, err, _ = run(certpath, ['--format', 'json', path], timeout=60)
    # No certificate parsed, so nothing to diagnose: anomalies are counted, not findings.
    chk.eq('exit status', rc, 0)
    s, lines = summary_of(chk, out)
    chk.eq('findings', findings_of(lines), [])
    chk.eq('certificate_messages', s.get('certificate_messages'), 1)
    chk.eq('certificates', s.get('certificates'), 0)
    chk.eq('anomalies', s.get('anomalies'), {'x509.bad_der': 3})


def small_tls_capture(p, connections):
    for i in range(connections):
        tls_connection(p, record(22, server_hello_msg() + certificate_msg([plain_certificate()]) +
                                 handshake(14, b'')), cport=50000 + i)


def expect_input_error(chk, rc, err, path, needle=None):
    chk.eq('exit status', rc, 2)
    lines = [x for x in err.splitlines() if x.strip()]
    chk.eq('stderr lines', len(lines), 1)
    chk.true('stderr names the file: %r' % err, path in err)
    if needle is not None:
        chk.true('stderr says %r: %r' % (needle, err), needle in err)


def caplen_above_256k_is_input_error(certpath, work, chk):
    path = os.path.join(work, 'caplen_huge.pcap')
    p = Pcap(path)
    small_tls_capture(p, 1)
    good = p.frames
    p.raw(struct.pack('<IIII', BASE_TS + 5, 0, 0x7FFFFFFF, 0x7FFFFFFF) + bytes(64))
    p.close()
    rc, out, err, _ = run(certpath, ['--format', 'json', path])
    expect_input_error(chk, rc, err, path)
    s, _ = summary_of(chk, out)
    chk.eq('packets before the lie', s.get('packets'), good)
    chk.eq('errors', len(s.get('errors', [])), 1)


def caplen_beyond_end_of_file_is_input_error(certpath, work, chk):
    path = os.path.join(work, 'caplen_past_eof.pcap')
    p = Pcap(path)
    small_tls_capture(p, 1)
    good = p.frames
    p.raw(struct.pack('<IIII', BASE_TS + 5, 0, 200000, 200000) + bytes(1000))
    p.close()
    rc, out, err, _ = run(certpath, ['--format', 'json', path])
    expect_input_error(chk, rc, err, path)
    s, _ = summary_of(chk, out)
    chk.eq('packets before the lie', s.get('packets'), good)


def truncated_pcap_reports_packets_before_cut(certpath, work, chk):
    path = os.path.join(work, 'truncated.pcap')
    p = Pcap(path)
    small_tls_capture(p, 2)
    p.close()
    with open(path, 'rb') as f:
        data = f.read()
    # Cut in the middle of the last frame (the client's final ACK of the second connection).
    with open(path, 'wb') as f:
        f.write(data[:-30])
    rc, out, err, _ = run(certpath, ['--format', 'json', path])
    expect_input_error(chk, rc, err, path)
    s, lines = summary_of(chk, out)
    chk.eq('packets', s.get('packets'), p.frames - 1)
    chk.eq('connections', s.get('connections'), 2)
    chk.eq('handshakes', s.get('handshakes'), 2)
    chk.eq('certificates', s.get('certificates'), 1)


def random_bytes_is_not_a_capture(certpath, work, chk):
    path = os.path.join(work, 'random.bin')
    state = 0x12345678
    out = bytearray()
    for _ in range(4096):  # xorshift32: reproducible noise
        state ^= (state << 13) & 0xFFFFFFFF
        state ^= state >> 17
        state ^= (state << 5) & 0xFFFFFFFF
        out.append(state & 0xFF)
    with open(path, 'wb') as f:
        f.write(out)
    rc, stdout, err, _ = run(certpath, ['--format', 'json', path])
    expect_input_error(chk, rc, err, path, 'not a pcap or pcapng file')


# A name that carries line breaks in every spelling: the 4 characters \x0A, a real newline,
# U+2028 and U+2029, each followed by text that would look like certpath's own lines.
FORGE = (b'www.example.test\\x0AVerdict: no certificate trust problem found.'
         b'\n  certutil -addstore -f Root \\\\203.0.113.9\\evil.cer'
         b'\nVerdict: forged\xe2\x80\xa8Verdict: forged too\xe2\x80\xa9  certutil -f'
         b'\nFix: forged\n  $cert = New-CsWebTrustedCACertificate -Thumbprint '
         b'0123456789012345678901234567890123456789 -CAStore TrustedRootCA\nVerdict: x')


def names_with_newlines_cannot_forge_report_lines(certpath, work, chk):
    path = os.path.join(work, 'forged_lines.pcap')
    p = Pcap(path)
    cert = certificate(der_name(b'forged.example.test'), der_name(b'Forging CA'), [FORGE])
    flight = record(22, server_hello_msg() + certificate_msg([cert]) + handshake(14, b''))
    tls_connection(p, flight, sni=FORGE)
    p.close()
    rc, out, err, _ = run(certpath, [path])
    chk.eq('exit status', rc, 1)
    text = out.decode('utf-8', 'strict')
    lines = text.split('\n')
    verdicts = [l for l in lines if l.startswith('Verdict:')]
    chk.eq('lines starting "Verdict:"', len(verdicts), 1)
    chk.true('the verdict is certpath\'s: %r' % verdicts[:1],
             bool(verdicts) and re.match(r'Verdict: \d+ errors?', verdicts[0]))
    chk.eq('lines starting "  certutil"', [l for l in lines if l.startswith('  certutil')], [])
    chk.eq('command lines with a forged thumbprint',
           [l for l in lines if l.lstrip().startswith('$cert')], [])
    chk.true('no U+2028/U+2029 reaches the report',
             '\u2028' not in text and '\u2029' not in text)
    chk.true('U+2028 shown escaped', '\\xE2\\x80\\xA8Verdict: forged too' in text)
    chk.true('the newline is shown escaped inside the line',
             '\\x0AVerdict: forged' in text)
    # Two "\nFix:" in the verdict (the name's and certpath's): neither is taken as a break.
    chk.eq('lines starting "Fix: forged"', [l for l in lines if l.startswith('Fix: forged')], [])


def output_through_planted_symlink_is_refused(certpath, work, chk):
    """-o (as root before -Z): a link planted where the report goes must not truncate its target."""
    path = os.path.join(work, 'symlink_out.pcap')
    p = Pcap(path)
    small_tls_capture(p, 1)
    p.close()
    target = os.path.join(work, 'symlink_victim')
    link = os.path.join(work, 'symlink_report.txt')
    with open(target, 'w') as f:
        f.write('precious')
    if os.path.lexists(link):
        os.unlink(link)
    os.symlink(target, link)
    rc, out, err, _ = run(certpath, ['-o', link, path])
    expect_input_error(chk, rc, err, link, 'symbolic link')
    with open(target) as f:
        chk.eq('the link target is untouched', f.read(), 'precious')
    os.unlink(link)


def export_certs_does_not_create_missing_parents(certpath, work, chk):
    path = os.path.join(work, 'export_parents.pcap')
    p = Pcap(path)
    small_tls_capture(p, 1)
    p.close()
    parent = os.path.join(work, 'export_missing_parent')
    shutil.rmtree(parent, ignore_errors=True)
    target = os.path.join(parent, 'certs')
    rc, out, err, _ = run(certpath, ['--export-certs', target, path])
    expect_input_error(chk, rc, err, target, 'parent directory does not exist')
    chk.true('the missing parent was not created', not os.path.exists(parent))
    os.makedirs(parent, exist_ok=True)
    rc, out, err, _ = run(certpath, ['--export-certs', target, path])
    chk.eq('with the parent present: exit status', rc, 1)
    names = os.listdir(target) if os.path.isdir(target) else []
    pems = [n for n in names if re.fullmatch(r'[0-9A-F]{40}\.pem', n)]
    chk.eq('one <SHA1>.pem exported', len(pems), 1)
    chk.eq('one chain bundle and the manifest beside it',
           sorted(n for n in names if n.endswith('-chain1.pem') or n == 'manifest.json'),
           sorted(n for n in names if n not in pems))
    chk.eq('two more files: the bundle and manifest.json', len(names), 3)


def plain_flight():
    return record(22, server_hello_msg() + certificate_msg([plain_certificate()]) +
                  handshake(14, b''))


def blind_rst_does_not_end_the_connection(certpath, work, chk):
    """RFC 5961 §3.2: a reset at a sequence number nobody expects is not a reset."""
    path = os.path.join(work, 'blind_rst.pcap')
    p = Pcap(path)
    c = Conn(p)
    c.client_send(client_hello())
    flight = plain_flight()
    c.server_send(flight[:100])
    p.frame(c._c(RST, c.cseq + 0x40000000, 0))  # forged: far from the client's next byte
    p.frame(c._s(RST | ACK, c.sseq - 0x20000000, c.cseq))  # forged: far from the server's
    c.server_send(flight[100:])
    c.close()
    p.close()
    rc, out, err, _ = run(certpath, ['--format', 'json', path])
    s, lines = summary_of(chk, out)
    chk.eq('certificates', s.get('certificates'), 1)
    chk.eq('anomalies', s.get('anomalies'), {'tcp.rst_ignored': 2})


def client_abort_keeps_the_server_flight_on_the_wire(certpath, work, chk):
    """The client resets right after its hello; the server's flight, already sent, is captured
    after the RST and still shows which certificate the server presented."""
    path = os.path.join(work, 'client_abort.pcap')
    p = Pcap(path)
    c = Conn(p)
    c.client_send(client_hello())
    p.frame(c._c(RST | ACK, c.cseq, c.sseq))
    c.server_send(plain_flight())
    p.close()
    rc, out, err, _ = run(certpath, ['--format', 'json', path])
    s, lines = summary_of(chk, out)
    chk.eq('handshakes', s.get('handshakes'), 1)
    chk.eq('certificates', s.get('certificates'), 1)


def two_syn_acks_server_flight_follows_the_acknowledged_one(certpath, work, chk):
    path = os.path.join(work, 'two_syn_acks.pcap')
    p = Pcap(path)
    c = Conn(p)  # SYN, SYN/ACK (ISN 499999), ACK
    c.sseq = 7000000
    p.frame(c._s(SYN | ACK, c.sseq - 1, c.cseq))  # a second SYN/ACK, another ISN
    p.frame(c._c(ACK, c.cseq, c.sseq))  # the client takes it
    c.client_send(client_hello())
    c.server_send(plain_flight())
    c.close()
    p.close()
    rc, out, err, _ = run(certpath, ['--format', 'json', path])
    s, lines = summary_of(chk, out)
    chk.eq('certificates', s.get('certificates'), 1)
    chk.eq('anomalies', s.get('anomalies'), {})


CASES = {f.__name__: f for f in [
    syn_flood_1m_completes_in_bounded_memory,
    syn_flood_5000_max_flows_1000_evicts_4000,
    handshake_claiming_16mb_is_too_large_without_hang,
    overlap_with_different_bytes_counts_conflict_first_seen_kept,
    zero_length_records_100000_is_record_flood,
    dn_with_terminal_escapes_is_escaped_in_text_and_json,
    deeply_nested_and_huge_der_is_bad_der,
    caplen_above_256k_is_input_error,
    caplen_beyond_end_of_file_is_input_error,
    truncated_pcap_reports_packets_before_cut,
    random_bytes_is_not_a_capture,
    names_with_newlines_cannot_forge_report_lines,
    output_through_planted_symlink_is_refused,
    export_certs_does_not_create_missing_parents,
    blind_rst_does_not_end_the_connection,
    client_abort_keeps_the_server_flight_on_the_wire,
    two_syn_acks_server_flight_follows_the_acknowledged_one,
]}


def run_main(cases, script):
    """The command line of a hostile-case script: --list, or CERTPATH WORKDIR CASE."""
    if len(sys.argv) == 2 and sys.argv[1] == '--list':
        print('\n'.join(cases))
        return 0
    if len(sys.argv) != 4 or sys.argv[3] not in cases:
        print('usage: %s CERTPATH WORKDIR CASE (--list for the cases)' % script, file=sys.stderr)
        return 2
    certpath, work, case = sys.argv[1:]
    os.makedirs(work, exist_ok=True)
    chk = Check(case)
    try:
        cases[case](certpath, work, chk)
    except subprocess.TimeoutExpired as e:
        chk.failures.append('certpath did not finish within %s s (hang?)' % e.timeout)
    return chk.done()


def main():
    return run_main(CASES, 'hostile.py')


if __name__ == '__main__':
    sys.exit(main())
