#!/usr/bin/env python3
"""Compare certpath with tshark's view of the public capture corpus.

usage: check_corpus.py CERTPATH CAPTURES_DIR

CAPTURES_DIR holds public/ and derived/, each with MANIFEST.tsv and expected/<file>.certs.tsv
(made with tshark; see that folder's README for where tshark itself is wrong). For every file,
certpath --format json runs once; each server Certificate message tshark saw must come out as
a handshake with the same chain (SHA-1 thumbprints, wire order) for the same server endpoint.
Files are in the core scope (TLS <= 1.2 over TCP, any link type or impairment), or extended
(tags naming STARTTLS-like prefixes, TLS 1.3 with key logs, DTLS, tunnels, NetMon, fuzzing).

Fails when a core chain is missing, when any file crashes or hangs certpath, or when certpath
leaves invalid JSON. Prints agreement per scope. Exit 77 (meson: skipped) without the corpus.
"""
import collections
import csv
import json
import os
import subprocess
import sys

EXTENDED = ("starttls-", "tls1.3", "dtls", "renegotiation-keylog", "pcapng-dsb", "netmon",
            "tls-inside-openvpn", "stun-mux", "http-connect-proxy", "tunnel-", "pppoe",
            "fuzzed", "ambiguous", "tshark-fails")


def endpoint(s):
    s = (s or "").strip()
    if s.count(":") > 1 and not s.startswith("["):
        addr, port = s.rsplit(":", 1)
        return "[%s]:%s" % (addr.lower(), port)
    return s.lower()


def expected(path):
    msgs = collections.defaultdict(dict)
    if os.path.exists(path):
        with open(path, newline="") as f:
            for row in csv.DictReader(f, delimiter="\t"):
                if row["sender"] == "server" and row["stream"].startswith("tcp"):
                    key = (row["frame"], row["stream"], endpoint(row["server"]))
                    msgs[key][int(row["chain_pos"])] = row["sha1"].upper()
    out = collections.Counter()
    for (_, _, server), chain in msgs.items():
        out[(server, tuple(chain[i] for i in sorted(chain)))] += 1
    return out


def observed(certpath, path):
    try:
        p = subprocess.run([certpath, "--format", "json", path], capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        return None, "hung"
    if p.returncode not in (0, 1, 2):
        return None, "crashed with status %d: %s" % (p.returncode, p.stderr[-300:])
    got = collections.Counter()
    for line in p.stdout.decode("utf-8").splitlines():
        obj = json.loads(line)  # invalid JSON fails the test
        if obj.get("type") == "handshake" and obj.get("chain"):
            got[(endpoint(obj["server"]), tuple(obj["chain"]))] += 1
    return got, None


def main():
    certpath, root = sys.argv[1], sys.argv[2]
    if not os.path.isdir(os.path.join(root, "public")):
        print("SKIP: no public corpus at %s" % root)
        return 77
    agree = {"core": [0, 0], "extended": [0, 0]}
    failures = []
    for sub in ("public", "derived"):
        folder = os.path.join(root, sub)
        manifest = os.path.join(folder, "MANIFEST.tsv")
        if not os.path.exists(manifest):
            continue
        with open(manifest, newline="") as f:
            rows = list(csv.DictReader(f, delimiter="\t"))
        for row in rows:
            tags = (row.get("tags") or "").split(";")
            scope = "extended" if any(t.startswith(e) for t in tags for e in EXTENDED) else "core"
            want = expected(os.path.join(folder, "expected", row["file"] + ".certs.tsv"))
            got, err = observed(certpath, os.path.join(folder, row["file"]))
            agree[scope][1] += sum(want.values())
            if err:
                failures.append("%s/%s: %s" % (sub, row["file"], err))
                continue
            ok = sum((want & got).values())
            agree[scope][0] += ok
            extra = got - want
            if ok != sum(want.values()) or extra:
                print("%-8s %s/%s: %d/%d chains agree, %d more than tshark"
                      % (scope, sub, row["file"], ok, sum(want.values()), sum(extra.values())))
            if scope == "core" and ok != sum(want.values()):
                failures.append("%s/%s: core chains missing" % (sub, row["file"]))
    for scope, (ok, total) in agree.items():
        print("%s agreement: %d/%d chains (%.1f%%)" % (scope, ok, total, 100.0 * ok / max(total, 1)))
    for f in failures:
        print("FAIL " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
