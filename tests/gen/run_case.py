#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""run_case.py - one meson test of capgen.

  run_case.py CAPGEN CHECKER capture [--clean] [--caplen N] [--truncated N] -- CAPGEN_ARGS
      generate into a temporary directory, then run check_capture.py on it;
      --truncated N also requires N connections marked "truncated" in the truth.
  run_case.py CAPGEN CHECKER usage
      bad options exit 2 with a one-line message; --list names every scenario.
  run_case.py CAPGEN CHECKER export
      --export-pki writes every CA of the truth file as a PEM named after it.
  run_case.py CAPGEN CHECKER determinism
      the same --seed gives the same packets, timestamps and ports.
"""
import json
import os
import subprocess
import sys
import tempfile


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def capgen(exe, args, expect=0):
    res = subprocess.run([exe] + args, capture_output=True, text=True)
    if res.returncode != expect:
        fail("capgen %s exited %d (want %d): %s" % (" ".join(args), res.returncode, expect,
                                                      res.stderr.strip()))
    return res


def truth_lines(path):
    return [json.loads(l) for l in open(path, encoding="utf-8")]


def case_capture(exe, checker, argv, tmp):
    split = argv.index("--")
    check_args, gen_args = argv[:split], argv[split + 1:]
    truncated = None
    if "--truncated" in check_args:
        i = check_args.index("--truncated")
        truncated = int(check_args[i + 1])
        del check_args[i:i + 2]
    pcap, truth = os.path.join(tmp, "cap"), os.path.join(tmp, "truth.jsonl")
    capgen(exe, gen_args + ["--out", pcap, "--truth", truth])
    if truncated is not None:
        got = sum(1 for l in truth_lines(truth) if l.get("truncated"))
        if got != truncated:
            fail("%d truncated connections in the truth, want %d" % (got, truncated))
    res = subprocess.run([sys.executable, checker] + check_args + [pcap, truth])
    return res.returncode


def case_usage(exe, tmp):
    out = os.path.join(tmp, "x.pcap")
    for args in (["--scenario", "nope", "--out", out], ["--scenario", "single"],
                 ["--scenario", "single", "--out", out, "--link", "token-ring"],
                 ["--scenario", "single", "--out", out, "--format", "erf"],
                 ["--scenario", "single", "--out", out, "--mss", "0"],
                 ["--scenario", "single", "--out", out, "--ip-frag", "20"],
                 ["--no-such-option"]):
        err = capgen(exe, args, expect=2).stderr
        if len(err.strip().splitlines()) != 1 or not err.startswith("capgen: "):
            fail("usage error for %s is not one 'capgen: ' line: %r" % (args, err))
    listed = capgen(exe, ["--list"]).stdout.splitlines()
    names = {l.split()[0] for l in listed}
    for want in ("single", "healthy", "public-ca", "lookalike", "leaf-only", "edge-serials",
                 "unknown-ca", "expired", "not-yet-valid", "sni-mismatch", "weak", "tls13",
                 "versions", "bench", "all"):
        if want not in names:
            fail("--list does not name %s" % want)
    return 0


def case_export(exe, tmp):
    d = os.path.join(tmp, "pki")
    truth = os.path.join(tmp, "t.jsonl")
    capgen(exe, ["--scenario", "public-ca", "--out", os.path.join(tmp, "c"), "--truth", truth,
                 "--export-pki", d])
    certs = [l for l in truth_lines(truth) if l["type"] == "certificate"]
    cas = {c["name"] for c in certs if c["name"].endswith(("root", "issuing", "g2"))}
    files = {f[:-4] for f in os.listdir(d) if f.endswith(".pem")}
    if cas != files or "contoso-root" not in files or "public-root" not in files:
        fail("exported %s, expected CAs %s" % (sorted(files), sorted(cas)))
    for f in files:
        text = open(os.path.join(d, f + ".pem")).read()
        if not text.startswith("-----BEGIN CERTIFICATE-----"):
            fail(f + ".pem is not a PEM certificate")
    return 0


def packet_shape(pcap):
    """What the seed decides: SYN times, ports and ISNs. (Later packets depend on
    handshake sizes, which vary with the random keys and signatures.)"""
    out = subprocess.run(["tshark", "-n", "-r", pcap, "-Y", "tcp.flags.syn == 1",
                          "-T", "fields", "-e", "frame.time_epoch",
                          "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "tcp.seq_raw",
                          "-e", "tcp.flags"], capture_output=True, text=True, check=True)
    return out.stdout


def case_determinism(exe, tmp):
    shapes = []
    for i in range(2):
        pcap = os.path.join(tmp, "d%d" % i)
        capgen(exe, ["--scenario", "single", "--seed", "7", "--out", pcap])
        shapes.append(packet_shape(pcap))
    other = os.path.join(tmp, "d2")
    capgen(exe, ["--scenario", "single", "--seed", "8", "--out", other])
    if shapes[0] != shapes[1] or not shapes[0]:
        fail("same seed gave different packet timing, ports or sequence numbers")
    if packet_shape(other) == shapes[0]:
        fail("a different seed gave identical ports and sequence numbers")
    if not shapes[0].startswith("1768471200.000000000"):
        fail("first packet not at the default capture time: " + shapes[0][:40])
    return 0


def main():
    exe, checker, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    with tempfile.TemporaryDirectory(prefix="capgen-") as tmp:
        if mode == "capture":
            return case_capture(exe, checker, sys.argv[4:], tmp)
        if mode == "usage":
            return case_usage(exe, tmp)
        if mode == "export":
            return case_export(exe, tmp)
        if mode == "determinism":
            if subprocess.run(["which", "tshark"], capture_output=True).returncode != 0:
                print("SKIP: tshark is not installed")
                return 77
            return case_determinism(exe, tmp)
    fail("unknown mode " + mode)


if __name__ == "__main__":
    sys.exit(main())
