#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""check_capture.py - check a capgen capture against its truth file with tshark.

Usage: check_capture.py [options] CAPTURE TRUTH

For every connection in the truth file, the certificates tshark extracts from
the server's Certificate message (SHA-1 of each DER) must equal the truth
chain, leaf first; connections with an empty chain must show no Certificate.
Also checked: the number of TCP connections, alerts, and (with --clean) that
tshark reports no malformed packet and no error-level expert info, bad
checksums included. --caplen N checks the snap length instead of the chains.
Exit 77 (skip) when tshark is not installed.
"""
import argparse
import hashlib
import json
import shutil
import subprocess
import sys

SKIP = 77
TSHARK_PREFS = [
    "-o", "tcp.check_checksum:TRUE",
    "-o", "ip.check_checksum:TRUE",
    "-o", "tcp.reassemble_out_of_order:TRUE",
    "-o", "tcp.desegment_tcp_streams:TRUE",
    "-o", "tls.desegment_ssl_records:TRUE",
    "-o", "tls.desegment_ssl_application_data:TRUE",
]


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def load_truth(path):
    lines = [json.loads(l) for l in open(path, encoding="utf-8") if l.strip()]
    if not lines or lines[0].get("type") != "scenario":
        fail("truth file does not start with a scenario line")
    return lines


def tshark(capture, ports, args):
    cmd = ["tshark", "-n", "-r", capture] + TSHARK_PREFS
    for port in sorted(ports):
        cmd += ["-d", "tcp.port==%d,tls" % port]
    res = subprocess.run(cmd + args, capture_output=True, text=True)
    if res.returncode != 0:
        fail("tshark failed: " + res.stderr.strip())
    return res.stdout


def endpoint(addr, port):
    return "[%s]:%s" % (addr, port) if ":" in addr else "%s:%s" % (addr, port)


def frame_fields(capture, ports, fields):
    args = ["-T", "fields", "-E", "separator=\t", "-E", "occurrence=a", "-E", "aggregator=,"]
    for f in fields:
        args += ["-e", f]
    out = tshark(capture, ports, args)
    return [line.split("\t") for line in out.splitlines()]


def observed_chains(capture, ports):
    """(client, server) -> list of chains (one per Certificate message seen)."""
    rows = frame_fields(capture, ports, ["ip.src", "ipv6.src", "tcp.srcport", "ip.dst",
                                         "ipv6.dst", "tcp.dstport",
                                         "tls.handshake.certificate"])
    seen = {}
    for row in rows:
        if len(row) < 7 or not row[6]:
            continue
        src = endpoint(row[0].split(",")[-1] or row[1], row[2])
        dst = endpoint(row[3].split(",")[-1] or row[4], row[5])
        chain = [hashlib.sha1(bytes.fromhex(c.replace(":", ""))).hexdigest().upper()
                 for c in row[6].split(",")]
        seen.setdefault((dst, src), []).append(chain)
    return seen


def check_chains(capture, ports, conns):
    seen = observed_chains(capture, ports)
    for c in conns:
        key = (c["client"], c["server"])
        got = seen.pop(key, [])
        want = [c["chain"]] if c["chain"] else []
        if got != want:
            fail("%s -> %s: tshark saw %s, truth says %s" % (key[0], key[1], got, want))
    if seen:
        fail("certificates on connections missing from the truth: %s" % list(seen))


def check_streams(capture, ports, conns):
    rows = frame_fields(capture, ports, ["tcp.stream"])
    streams = {r[0] for r in rows if r and r[0]}
    if len(streams) != len(conns):
        fail("tshark sees %d TCP connections, truth has %d" % (len(streams), len(conns)))


def check_alerts(capture, ports, conns):
    rows = frame_fields(capture, ports, ["tls.alert_message.desc"])
    alerts = sum(1 for r in rows if r and r[0] and "48" in r[0].split(","))
    want = sum(1 for c in conns if c["alert"] == "unknown_ca")
    if alerts != want:
        fail("tshark sees %d unknown_ca alerts, truth has %d" % (alerts, want))


def check_clean(capture, ports):
    out = tshark(capture, ports, ["-Y", "_ws.malformed || _ws.expert.severity >= error"])
    if out.strip():
        fail("tshark reports errors:\n" + out)


def check_caplen(capture, ports, snaplen):
    rows = frame_fields(capture, ports, ["frame.len", "frame.cap_len"])
    cut = 0
    for length, caplen in ((int(r[0]), int(r[1])) for r in rows):
        if caplen != min(length, snaplen):
            fail("frame of %d bytes captured as %d, snaplen %d" % (length, caplen, snaplen))
        cut += length > snaplen
    if cut == 0:
        fail("no frame longer than the snap length %d" % snaplen)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("capture")
    ap.add_argument("truth")
    ap.add_argument("--clean", action="store_true", help="also require no tshark errors")
    ap.add_argument("--caplen", type=int, help="check the snap length, not the chains")
    a = ap.parse_args()
    if shutil.which("tshark") is None:
        print("SKIP: tshark is not installed")
        return SKIP
    truth = load_truth(a.truth)
    conns = [l for l in truth if l["type"] == "connection"]
    if not conns:
        fail("truth file has no connections")
    ports = {int(c["server"].rsplit(":", 1)[1]) for c in conns}
    if a.caplen is not None:
        check_caplen(a.capture, ports, a.caplen)
    else:
        check_streams(a.capture, ports, conns)
        check_chains(a.capture, ports, conns)
        check_alerts(a.capture, ports, conns)
    if a.clean:
        check_clean(a.capture, ports)
    print("OK: %d connections" % len(conns))
    return 0


if __name__ == "__main__":
    sys.exit(main())
