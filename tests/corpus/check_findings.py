#!/usr/bin/env python3
"""The diagnosis on real public captures: each named capture must draw the findings (code and
severity) listed here and never the false alarms listed against it (issue 10), with the exit
status that goes with them.

usage: check_findings.py CERTPATH CAPTURES_DIR

Judged with the system trust store, as a user would run certpath. Exit 77 (meson: skipped) when
CAPTURES_DIR/public is absent.
"""
import json
import os
import subprocess
import sys

# file: (findings that must be present {code: severity}, codes that must be absent, exit status)
CASES = {
    # One address, RSA leaf without SNI and ECDSA leaf with it: not an array.
    "zeek__tls__google-cert-repeat.pcap": ({"dual-certificate": "info"}, {"array-mismatch"}, 0),
    # IP literals as SNI: a note, never name-mismatch with a New-ExchangeCertificate fix.
    "ndpi__teams.pcap": ({"ip-literal-sni": "info"}, {"name-mismatch"}, 0),
    "zeek__tls__tls-fragmented-handshake.pcap": ({"ip-literal-sni": "info"}, {"name-mismatch"},
                                                 1),
    "ndpi__ja3_lots_of_cipher_suites_2_anon.pcap": ({"ip-literal-sni": "info"},
                                                    {"name-mismatch"}, 1),
    # 2014 public chains whose roots have expired since and left the stores.
    "zeek__tls__tls-expired-cert.pcap": ({"root-retired": "info", "expired": "error"},
                                         {"untrusted-root"}, 1),
    # ... signed with SHA-1 in 2014-2015, when clients still accepted it: a note, and nothing
    # else was wrong then (in openssl-tls1_2, the SHA-1 cross-signature of GeoTrust Global CA
    # by Equifax too).
    "zeek__tls__imap-starttls.pcap": ({"root-retired": "info",
                                       "weak-signature-old-capture": "info"},
                                      {"untrusted-root", "weak-signature"}, 0),
    "arkime__openssl-tls1_2.pcap": ({"root-retired": "info",
                                     "weak-signature-old-capture": "info"},
                                    {"untrusted-root", "weak-signature"}, 0),
    "ndpi__6in4tunnel.pcap": ({"weak-signature-old-capture": "info"}, {"weak-signature"}, 0),
    # MD5 in 2004 was still accepted; in 2014 (after Microsoft's advisory 2862973) it was not.
    "suricata-verify__sslv2-tls-upgrade.pcap": ({"weak-signature-old-capture": "info"},
                                                {"weak-signature"}, 1),
    "zeek__tls__pop3-starttls.pcap": ({"weak-signature": "warning",
                                       "issuer-unknown": "warning"},
                                      {"weak-signature-old-capture"}, 1),
    # No capture clock (1970): nothing dates the SHA-1 signatures, the warning stays.
    "pcapplusplus__SSL-MultipleRecords3.pcap": ({"weak-signature": "warning"},
                                                {"weak-signature-old-capture"}, 1),
    # A 1024-bit key on the self-signed server certificate of a test server (ndpi__openvpn.pcap
    # above has one on a sent root, worded as the CA's key).
    "arkime__ssl-selfsign.pcap": ({"weak-key": "warning", "untrusted-root": "warning"}, set(),
                                  1),
    # Self-signed server certificates of test servers: untrusted-root, with --ca-file as the way
    # to hand certpath the certificate; never a missing intermediate.
    "zeek__tls__tls-fragmented-handshake.pcap#self-signed": (
        {"untrusted-root": "warning"}, {"missing-intermediate", "issuer-unknown"}, 1),
    # Lab CAs certpath was not given (openssl/hotplace test roots, MySQL's own CA).
    "hotplace__dtls12.pcapng": ({"issuer-unknown": "warning"}, {"missing-intermediate"}, 1),
    "arkime__mysql-tls.pcap": ({"issuer-unknown": "warning"}, {"missing-intermediate"}, 1),
    # The intermediate is sent on another connection of the capture: a real omission.
    "zeek__tls__missing-intermediate.pcap": ({"missing-intermediate": "error"},
                                             {"issuer-unknown"}, 1),
    # Tor relays: random names in SNI and certificate, never name-mismatch (7 ERRORs before).
    "ndpi__tor.pcap": ({"random-names": "info"}, {"name-mismatch"}, 0),
    # ... whose issuer is the relay's identity certificate, sent inside the encrypted channel,
    # and whose 1024-bit RSA keys are the size Tor's specification fixes.
    "ndpi__tor.pcap#issuer": ({"random-names": "info"}, {"issuer-unknown", "weak-key"}, 0),
    # Fabricated or rewritten capture clocks: certificates issued long after the capture's time.
    "zeek__tls__ml-dsa-44-cert.pcap": ({"capture-clock": "warning"}, {"not-yet-valid"}, 1),
    "suricata-verify__tls-issuer-zero.pcap": ({"capture-clock": "warning"}, {"not-yet-valid"}, 1),
    "arkime__arkime_synthetic.pcap": ({"capture-clock": "warning"}, {"not-yet-valid"}, 1),
    # Unrelated OpenVPN servers share the default subject "OpenVPN Server": no array.
    "ndpi__openvpn.pcap": ({"weak-key": "warning"}, {"array-mismatch"}, 1),
    # TLS 1.3 only: nothing could be checked, which is not a clean bill of health.
    "hotplace__tls13_http2.pcapng": ({"tls13-encrypted": "info"}, set(), 1),
}
# Options per capture: the corpus ships key logs beside the TLS 1.3 captures, which certpath
# finds by itself; the TLS 1.3 case above is about a capture without one.
OPTIONS = {"hotplace__tls13_http2.pcapng": ["--no-keylog-search"]}


def main():
    certpath, root = sys.argv[1], sys.argv[2]
    folder = os.path.join(root, "public")
    if not os.path.isdir(folder):
        print("SKIP: no public corpus at %s" % root)
        return 77
    failures = []
    for name, (present, absent, status) in sorted(CASES.items()):
        path = os.path.join(folder, name.split("#")[0])  # "#..." names a second case
        if not os.path.exists(path):
            failures.append("%s: not in the corpus" % name)
            continue
        p = subprocess.run([certpath, "--format", "json"] + OPTIONS.get(name, []) + [path],
                           capture_output=True, timeout=120)
        got = {}
        for line in p.stdout.decode("utf-8").splitlines():
            o = json.loads(line)
            if o.get("type") == "finding":
                got.setdefault(o["code"], set()).add(o["severity"])
        for code, sev in present.items():
            if got.get(code) != {sev}:
                failures.append("%s: %s should be %s, got %s"
                                % (name, code, sev, sorted(got.get(code, [])) or "absent"))
        for code in absent:
            if code in got:
                failures.append("%s: false alarm %s" % (name, code))
        if p.returncode != status:
            failures.append("%s: exit status %d, expected %d" % (name, p.returncode, status))
        print("%s: %s" % (name, " ".join("%s:%s" % (c, "/".join(sorted(s)))
                                          for c, s in sorted(got.items())) or "no finding"))
    for f in failures:
        print("FAIL " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
