#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Live capture under attack (issue #12): certpath -i on a veth pair while a raw-socket sender
replays an attack mix into it at full speed — 30,000 SYNs that never carry a byte, then SYNs,
bare ACKs, blind RSTs and HTTP responses whose body holds a TLS hello — and real openssl
handshakes happen in between. Checks that:

  * every real handshake is reported (reading never waits for analysis: live_queue.c);
  * the summary carries libpcap's drop counters and certpath's own (dropped_queue), printed
    here so they can be quoted;
  * the 30,000 SYNs do not fill a 1 MiB -w file: the real handshake is in it (evidence_hold.c);
  * the HTTP bodies "present" no certificate (starttls.c).

usage: test_attack.py CERTPATH        (root and iproute2 needed, else exit 77 = skipped)
       test_attack.py --send IFACE DSTMAC PHASE SECONDS   (the sender, run in a namespace)
"""

import json
import os
import socket
import struct
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402
from test_live import Certpath, check, FAILS  # noqa: E402
import test_live  # noqa: E402

PORT = 5061
SYNS = 30000
SRC_MAC = b"\x02\x00\x00\x00\x00\x09"


def ip_checksum(hdr):
    s = sum(struct.unpack(">10H", hdr))
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def frame(dst_mac, src, dst, sport, dport, seq, ack, flags, payload=b""):
    tcp = struct.pack(">HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF, 5 << 4,
                      flags, 65535, 0, 0)
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 40 + len(payload), 1, 0x4000, 64, 6, 0, src, dst)
    ip = ip[:10] + struct.pack(">H", ip_checksum(ip)) + ip[12:]
    return dst_mac + SRC_MAC + b"\x08\x00" + ip + tcp + payload


def attacker_hello_record():
    """A record header and ServerHello header that pass certpath's 9-byte hello pattern."""
    body = b"\x03\x03" + bytes(32) + b"\x00" + b"\x00\x2f" + b"\x00"
    hs = b"\x02" + struct.pack(">I", len(body))[1:] + body
    return b"\x16\x03\x03" + struct.pack(">H", len(hs)) + hs


def syn_frames(dst_mac, dst):
    out = []
    for i in range(SYNS):
        src = bytes([10, 98, (i >> 8) & 0xFF, i & 0xFF])
        out.append(frame(dst_mac, src, dst, 1024 + i % 60000, 443, i * 7919, 0, 0x02))
    return out


def mix_frames(dst_mac, dst):
    """SYNs, bare ACKs and blind RSTs to the TLS port; HTTP answers with a hello in the body."""
    out = []
    http = (b"HTTP/1.1 200 OK\r\nContent-Length: 200\r\n\r\n" + attacker_hello_record() +
            bytes(100))
    for i in range(20000):
        src = bytes([10, 97, (i >> 8) & 0xFF, i & 0xFF])
        kind = i % 4
        if kind == 0:
            out.append(frame(dst_mac, src, dst, 2000 + i % 50000, PORT, i, 0, 0x02))
        elif kind == 1:
            out.append(frame(dst_mac, src, dst, 2000 + i % 50000, PORT, i, i, 0x10))
        elif kind == 2:
            out.append(frame(dst_mac, src, dst, 2000 + i % 50000, PORT, i * 31, 0, 0x04))
        elif i % 64 == 3:
            out.append(frame(dst_mac, src, dst, 80, 3000 + i % 50000, 1, 1, 0x18, http))
    return out


def send(iface, dst_mac_text, phase, seconds):
    dst_mac = bytes.fromhex(dst_mac_text.replace(":", ""))
    dst = socket.inet_aton(netns.CLIENT_IP)
    frames = syn_frames(dst_mac, dst) if phase == "syn" else mix_frames(dst_mac, dst)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    sent, t0 = 0, time.monotonic()
    if phase == "syn":
        for f in frames:
            s.send(f)
        sent = len(frames)
    else:
        deadline = t0 + float(seconds)
        while time.monotonic() < deadline:
            for f in frames:
                try:
                    s.send(f)
                    sent += 1
                except OSError:  # the device queue is full: that is full speed
                    pass
    took = time.monotonic() - t0
    print(json.dumps({"sent": sent, "seconds": round(took, 3),
                      "pps": int(sent / took) if took > 0 else 0}), flush=True)


def sender(net, phase, seconds=0):
    mac = net.ns(net.ns_cli, "cat", f"/sys/class/net/{net.if_cli}/address").stdout.decode().strip()
    cmd = ["python3", os.path.abspath(__file__), "--send", net.if_srv, mac, phase, str(seconds)]
    return net.popen(net.ns_srv, cmd, stdout=subprocess.PIPE)


def sender_result(p, timeout=120):
    out, _ = p.communicate(timeout=timeout)
    try:
        return json.loads(out.decode().strip().splitlines()[-1])
    except (ValueError, IndexError):
        return {}


def summary_counters(cp):
    """Prints the final summary's packet and drop counters (to be quoted) and checks each is
    there; returns the summary."""
    summ = cp.of_type("summary")
    last = summ[-1][1] if summ else {}
    print("note: certpath summary: received %s, dropped_kernel %s, dropped_interface %s, "
          "dropped_queue %s, packets %s, handshakes %s" % (
              last.get("received"), last.get("dropped_kernel"), last.get("dropped_interface"),
              last.get("dropped_queue"), last.get("packets"), last.get("handshakes")), flush=True)
    for key in ("received", "dropped_kernel", "dropped_interface", "dropped_queue"):
        check(isinstance(last.get(key), int), f"the summary has {key}")
    return last


def pcapng_frames(path):
    """The packet bytes of each Enhanced Packet Block (little-endian, as certpath writes)."""
    data, out, pos = open(path, "rb").read(), [], 0
    while pos + 12 <= len(data):
        btype, blen = struct.unpack_from("<II", data, pos)
        if blen < 12:
            break
        if btype == 6:
            caplen = struct.unpack_from("<I", data, pos + 20)[0]
            out.append(data[pos + 28:pos + 28 + caplen])
        pos += blen
    return out


def run(net, pki, tmp):
    out = os.path.join(tmp, "attack.pcapng")
    cp = Certpath(net, ["--format", "json", "--allow-root", "-w", out, "--write-limit", "1"], pki)
    syn = sender_result(sender(net, "syn"))
    print(f"note: {syn.get('sent')} SYNs sent at {syn.get('pps')} packets/s", flush=True)
    check(syn.get("sent") == SYNS, "the SYN flood was sent")
    r = net.s_client(pki, PORT)
    check(r.returncode == 0, "the real handshake after the SYN flood completes")
    mix = sender(net, "mix", 6)
    time.sleep(1)
    r2 = net.s_client(pki, PORT)
    check(r2.returncode == 0, "a real handshake during the attack mix completes")
    flood = sender_result(mix)
    print(f"note: attack mix: {flood.get('sent')} frames in {flood.get('seconds')} s "
          f"({flood.get('pps')} packets/s)", flush=True)
    got = cp.wait(lambda: len([o for _, o in cp.of_type("handshake")
                               if o.get("sni") == netns.SNI]) >= 2, 60)
    check(got, "both real handshakes are reported")
    _, rc = cp.stop(timeout=60)
    summary_counters(cp)
    certs = [o for _, o in cp.json_lines() if o.get("type") == "certificate"]
    subjects = [str(o.get("subject", "")) for o in certs]
    check(not any("attacker" in s.lower() for s in subjects) and len(certs) >= 1,
          f"only the real server's certificates are reported ({len(certs)})")
    err = cp.stderr()
    check(not any("reached --write-limit" in t for t in err),
          "the SYN flood did not fill the 1 MiB -w file: " + " | ".join(err[-3:]))
    check(os.path.getsize(out) < 1024 * 1024, f"-w file under 1 MiB ({os.path.getsize(out)})")
    r = subprocess.run([CERTPATH, "--format", "json", out], capture_output=True, text=True)
    lines = [json.loads(x) for x in r.stdout.splitlines() if x.startswith("{")]
    hs = [o for o in lines if o.get("type") == "handshake" and o.get("sni") == netns.SNI]
    check(len(hs) >= 1, f"the -w file holds the real handshake ({len(hs)} found)")
    frames = pcapng_frames(out)
    flood = [f for f in frames if f[26:28] in (b"\x0a\x62", b"\x0a\x61") and len(f) <= 54]
    print(f"note: -w file: {len(frames)} packets, {os.path.getsize(out)} bytes", flush=True)
    check(not flood, f"no packet of the flood without payload is in the -w file ({len(flood)})")
    server = socket.inet_aton(netns.SERVER_IP)
    syns = [f for f in frames if len(f) >= 54 and f[30:34] == server and
            struct.unpack_from(">H", f, 36)[0] == PORT and f[47] & 0x12 == 0x02]
    check(len(syns) >= 2, f"the real connections' SYNs were held and then written ({len(syns)})")
    check(rc in (0, 1), f"certpath exits 0 or 1 (got {rc})")


def main():
    global CERTPATH
    if len(sys.argv) == 6 and sys.argv[1] == "--send":
        send(*sys.argv[2:])
        return 0
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    CERTPATH = test_live.CERTPATH = os.path.abspath(sys.argv[1])
    netns.skip_unless_possible()
    with netns.world("cpa", pki_subdir="pki") as (net, tmp, pki):
        net.start_server(pki, PORT)
        run(net, pki, tmp)
    print("all attack checks passed" if not FAILS else f"{len(FAILS)} check(s) failed")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
