#!/usr/bin/env python3
"""DTLS 1.3 with a key log (RFC 9147) on the public corpus's illustrated__dtls13.pcap: the server
certificate that tshark cannot decrypt comes out of certpath, with the key log found beside the
capture and with --keylog; without the key log the handshake stays tls13-encrypted. The expected
row is the corpus's own (expected/illustrated__dtls13.pcap.certs.tsv). Exit 77 (meson: skipped)
without the corpus.

usage: check_dtls13.py CERTPATH CORPUS_DIR
"""
import csv
import json
import os
import subprocess
import sys


def run(certpath, args):
    p = subprocess.run([certpath, "--format", "json", "--no-system-ca"] + args,
                       capture_output=True, timeout=120)
    if p.returncode not in (0, 1):
        sys.exit("certpath %s: exit %d: %s" % (args, p.returncode, p.stderr.decode()))
    out = [json.loads(l) for l in p.stdout.decode().splitlines()]
    return out, p.stderr.decode()


def main():
    certpath, corpus = sys.argv[1:3]
    cap = os.path.join(corpus, "public", "illustrated__dtls13.pcap")
    expected = os.path.join(corpus, "public", "expected", "illustrated__dtls13.pcap.certs.tsv")
    if not (os.path.exists(cap) and os.path.exists(cap + ".keylog") and os.path.exists(expected)):
        print("no public corpus at %s: skipped" % corpus)
        return 77
    with open(expected) as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    want = [r["sha1"].upper() for r in rows if r["sender"] == "server"]
    for args in ([cap], ["--keylog", cap + ".keylog", cap]):
        out, err = run(certpath, args)
        hs = [o for o in out if o["type"] == "handshake"]
        summ = out[-1]
        if len(hs) != 1 or hs[0]["chain"] != want or hs[0]["version"] != "DTLS 1.3":
            sys.exit("%s: handshakes %s, expected the chain %s" % (args, hs, want))
        if hs[0]["tls13_encrypted"] or summ.get("keylogs") != [cap + ".keylog"]:
            sys.exit("%s: encrypted %s, key logs %s" % (args, hs[0]["tls13_encrypted"],
                                                        summ.get("keylogs")))
        bad = [k for k in summ.get("anomalies", {}) if k.startswith(("tls.decrypt", "dtls."))]
        if bad:
            sys.exit("%s: anomalies %s" % (args, summ["anomalies"]))
    out, _ = run(certpath, ["--no-keylog-search", cap])
    hs = [o for o in out if o["type"] == "handshake"]
    codes = {o["code"] for o in out if o["type"] == "finding"}
    if [h["chain"] for h in hs] != [[]] or codes != {"tls13-encrypted"}:
        sys.exit("without the key log: handshakes %s, findings %s" % (hs, codes))
    print("illustrated__dtls13.pcap: DTLS 1.3 chain %s read with the key log (beside and "
          "--keylog); tls13-encrypted without it" % want)
    return 0


if __name__ == "__main__":
    sys.exit(main())
