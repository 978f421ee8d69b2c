#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Live capture of a huge certificate during a flood (issue #12): one server presents a leaf with
60,000 dNSNames (about 900 KB of DER, under the default --max-cert-size), another a normal one;
while test_attack.py's sender replays its attack mix into the veth pair at full speed, clients
fetch the huge chain again and again (each new handshake makes the live diagnosis due again) and
one normal handshake happens among them. Checks that:

  * both servers' handshakes are reported, and both faults are streamed before the end (the
    huge leaf's diagnosis runs beside the analysis, on a snapshot: analysis never waits for it);
  * the summary carries the drop counters, printed here so they can be quoted.

The huge chain is fetched with a hand-made TLS 1.2 ClientHello over a plain socket: OpenSSL
clients refuse a Certificate message over 100 KB (max_cert_list) before it is even sent whole.

usage: test_bigcert.py CERTPATH [--names N] [--seconds S] [--arg CERTPATH_ARG]...
       (root needed, else exit 77 = skipped; --arg passes an option to certpath, e.g.
       --arg=--live-queue=65536 to see what a stalled analysis would drop)
"""

import os
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402
import test_attack  # noqa: E402
import test_live  # noqa: E402
from test_live import Certpath, check, FAILS  # noqa: E402

PORT_NORMAL = 5061
PORT_BIG = 5062
BIG_SNI = "big.contoso.com"


def make_big_leaf(pki, names):
    """A self-signed leaf for BIG_SNI (leaf.key) with `names` more dNSNames: its fault
    (self-signed) differs from the normal server's (missing-intermediate)."""
    ext = os.path.join(pki, "big.cnf")
    with open(ext, "w") as f:
        f.write("[big]\nbasicConstraints=CA:false\nkeyUsage=critical,digitalSignature,"
                "keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=@alt\n[alt]\n"
                f"DNS.0={BIG_SNI}\n")
        for i in range(names):
            f.write(f"DNS.{i + 1}=h{i:05d}.c.test\n")
    netns.openssl("req", "-new", "-key", "leaf.key", "-subj", f"/O=Contoso/CN={BIG_SNI}",
                  "-out", "big.csr", cwd=pki)
    netns.openssl("x509", "-req", "-in", "big.csr", "-signkey", "leaf.key", "-days", "365",
                  "-sha256", "-extfile", ext, "-extensions", "big", "-out", "big.pem", cwd=pki)


def client_hello(sni):
    """A TLS 1.2 ClientHello (RFC 5246 §7.4.1.2) with SNI, ECDHE-RSA suites and the usual
    extensions: enough for openssl s_server to answer with its chain."""
    suites = b"\xc0\x2f\xc0\x30\xc0\x13\xc0\x14\x00\x9c\x00\x2f"
    host = sni.encode()
    sni_ext = struct.pack(">HBH", len(host) + 3, 0, len(host)) + host
    exts = b"".join(struct.pack(">HH", t, len(v)) + v for t, v in (
        (0x0000, sni_ext),
        (0x000a, b"\x00\x04\x00\x17\x00\x1d"),  # supported_groups: P-256, X25519
        (0x000b, b"\x01\x00"),  # ec_point_formats: uncompressed
        (0x000d, b"\x00\x06\x04\x01\x05\x01\x08\x04"),  # rsa_pkcs1 sha256/384, rsa_pss sha256
        (0xff01, b"\x00"),  # renegotiation_info
    ))
    body = (b"\x03\x03" + os.urandom(32) + b"\x00" + struct.pack(">H", len(suites)) + suites +
            b"\x01\x00" + struct.pack(">H", len(exts)) + exts)
    hs = b"\x01" + struct.pack(">I", len(body))[1:] + body
    return b"\x16\x03\x01" + struct.pack(">H", len(hs)) + hs


FETCH = """
import socket, sys
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=20)
s.sendall(bytes.fromhex(sys.argv[3]))
got = b""
while not got.endswith(b"\\x0e\\x00\\x00\\x00"):   # ServerHelloDone, alone at a record's end
    d = s.recv(65536)
    if not d:
        break
    got += d
s.close()
print(len(got))
"""


def fetch_big(net):
    """One handshake with the huge chain; the number of bytes the server sent."""
    r = net.ns(net.ns_cli, "python3", "-c", FETCH, netns.SERVER_IP, str(PORT_BIG),
               client_hello(BIG_SNI).hex(), check=False, timeout=60)
    try:
        return int(r.stdout.decode().strip() or 0)
    except ValueError:
        return 0


def handshakes_of(cp, sni):
    return [o for _, o in cp.of_type("handshake") if o.get("sni") == sni]


def run(net, pki, seconds, extra):
    cp = Certpath(net, ["--format", "json", "--allow-root", "-B", "8", *extra], pki)
    mix = test_attack.sender(net, "mix", seconds)
    t0 = time.monotonic()
    fetched, normal_rc = [], []

    def normal_later():
        time.sleep(seconds / 2)
        normal_rc.append(net.s_client(pki, PORT_NORMAL).returncode)

    t = threading.Thread(target=normal_later)
    t.start()
    while time.monotonic() - t0 < seconds:
        fetched.append(fetch_big(net))
    t.join()
    flood = test_attack.sender_result(mix)
    print(f"note: attack mix: {flood.get('sent')} frames in {flood.get('seconds')} s "
          f"({flood.get('pps')} packets/s); {len(fetched)} fetches of the huge chain "
          f"({max(fetched or [0])} bytes each)", flush=True)
    check(len(fetched) >= 1 and min(fetched) > 800000, "the huge chain was fetched whole")
    check(normal_rc == [0], "the normal handshake during the flood completes")
    got = cp.wait(lambda: handshakes_of(cp, BIG_SNI) and handshakes_of(cp, netns.SNI), 120)
    check(got, "the huge and the normal handshakes are reported while capturing")
    streamed = cp.wait(lambda: len({o.get("code") for _, o in cp.of_type("finding")}) >= 2, 60)
    t_stop, rc = cp.stop(timeout=120)
    test_attack.summary_counters(cp)
    big = handshakes_of(cp, BIG_SNI)
    check(any(o.get("chain") for o in big), f"a huge handshake carries its chain ({len(big)})")
    early = [o for t, o in cp.of_type("finding") if t < t_stop]
    codes = [o.get("code") for o in early]
    print(f"note: findings streamed before the stop: {codes}", flush=True)
    check(streamed and len(codes) == len(set(codes)),
          "findings streamed while capturing, each once")
    check(rc in (0, 1), f"certpath exits 0 or 1 (got {rc})")


def main():
    args = sys.argv[1:]
    names, seconds = 60000, 8.0
    extra = [a[len("--arg="):] for a in args if a.startswith("--arg=")]
    args = [a for a in args if not a.startswith("--arg=")]
    if "--names" in args:
        names = int(args.pop(args.index("--names") + 1))
        args.remove("--names")
    if "--seconds" in args:
        seconds = float(args.pop(args.index("--seconds") + 1))
        args.remove("--seconds")
    if len(args) != 1:
        print(__doc__)
        return 2
    test_live.CERTPATH = test_attack.CERTPATH = os.path.abspath(args[0])
    netns.skip_unless_possible()
    with netns.world("cpb", pki_subdir="pki") as (net, _, pki):
        make_big_leaf(pki, names)
        net.start_server(pki, PORT_NORMAL)
        net.start_server(pki, PORT_BIG, cert="big.pem")
        run(net, pki, seconds, extra)
    print("all huge-certificate checks passed" if not FAILS else f"{len(FAILS)} check(s) failed")
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
