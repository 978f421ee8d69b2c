#!/usr/bin/env python3
"""End-to-end cases: capgen makes a capture (real OpenSSL handshakes, chosen impairments) and a
truth file; certpath reads the capture; its JSON Lines and its text report must say exactly what
the truth and the case expect.

usage: e2e.py --list
       e2e.py CAPGEN CERTPATH WORKDIR CASE
"""
import json
import os
import re
import shutil
import subprocess
import sys

# Chain extraction under impairments (the pipeline issue): scenario, capgen options.
CHAIN_CASES = {
    "plain": ("single", []),
    "tiny-segments": ("single", ["--mss", "7"]),
    "one-byte-segments": ("single", ["--mss", "1"]),
    "reordered": ("healthy", ["--reorder", "--mss", "300"]),
    "duplicated": ("healthy", ["--duplicate"]),
    "overlapping": ("healthy", ["--overlap", "--mss", "500"]),
    "lost-segment": ("healthy", ["--loss"]),
    "ipv6": ("healthy", ["--ipv6"]),
    "vlan-ipv6": ("healthy", ["--ipv6", "--link", "vlan"]),
    "qinq": ("healthy", ["--link", "qinq"]),
    "linux-cooked": ("healthy", ["--link", "sll"]),
    "linux-cooked-v2": ("healthy", ["--link", "sll2"]),
    "raw-ip": ("healthy", ["--link", "raw"]),
    "bsd-loopback": ("healthy", ["--link", "null"]),
    "pcapng": ("healthy", ["--format", "pcapng"]),
    "seq-wrap": ("healthy", ["--seq-wrap", "--mss", "200"]),
    "ip-fragments": ("healthy", ["--ip-frag", "576"]),
    "ipv6-fragments": ("healthy", ["--ipv6", "--ip-frag", "576"]),
    "snaplen": ("single", ["--snaplen", "200"]),
    "midstream": ("healthy", ["--midstream"]),
    "tls-versions": ("versions", []),
    "everything-at-once": ("all", ["--mss", "100", "--reorder", "--duplicate", "--link", "vlan"]),
}

# Diagnosis (the diagnosis issue): scenario -> the exact set of finding codes.
FINDINGS = {
    "healthy": set(),
    "public-ca": {"ca-mismatch"},
    "lookalike": {"ca-mismatch", "similar-issuers"},
    "leaf-only": {"missing-intermediate"},
    "edge-serials": {"array-mismatch"},
    "unknown-ca": {"client-rejected"},
    "expired": {"expired"},
    "not-yet-valid": {"not-yet-valid"},
    "sni-mismatch": {"name-mismatch"},
    "weak": {"weak-key", "weak-signature"},
    "tls13": {"tls13-encrypted"},
    "all": {"client-rejected", "missing-intermediate", "array-mismatch"},
}
IMPAIRMENTS = {
    "": [],
    "+tiny": ["--mss", "7"],
    "+reordered": ["--reorder", "--mss", "400"],
    "+vlan": ["--link", "vlan"],
    "+ipv6": ["--ipv6"],
}
# Options that change the diagnosis: scenario, certpath arguments ({root:NAME} is replaced by that
# CA's thumbprint from the truth, {work} by the work folder), expected finding codes.
OPTION_CASES = {
    "opt-trusted-ca": ("public-ca", ["--trusted-ca", "{root:public-root}"], set()),
    "opt-trusted-ca-other-root": ("public-ca", ["--trusted-ca", "{root:contoso-issuing}"],
                                  {"ca-mismatch"}),
    "opt-role-override": ("public-ca", ["--role", "edge=10.1.0.20"], set()),
    "opt-config-roles": ("public-ca", ["--config", "{work}/roles.conf"], {"ca-mismatch"}),
    "opt-at-later": ("healthy", ["--at", "2027-06-01"], {"expired"}),
    "opt-at-earlier": ("healthy", ["--at", "2025-01-01T00:00:00Z"], {"not-yet-valid"}),
    # Chains cut by certpath's own limits: incomplete evidence, never a fault built from the cut.
    "opt-max-chain-1": ("healthy", ["--max-chain", "1"], {"incomplete-evidence"}),
    "opt-max-chain-1-leaf-only": ("leaf-only", ["--max-chain", "1"],
                                  {"missing-intermediate", "incomplete-evidence"}),
    "opt-max-chain-1-public-ca": ("public-ca", ["--max-chain", "1"], {"incomplete-evidence"}),
    "opt-max-chain-1-all": ("all", ["--max-chain", "1"],
                            {"client-rejected", "missing-intermediate", "array-mismatch",
                             "incomplete-evidence"}),
    "opt-max-cert-size-small": ("healthy", ["--max-cert-size", "300"], {"incomplete-evidence"}),
}
FINDING_CASES = {}
for scen in FINDINGS:
    for suffix, opts in IMPAIRMENTS.items():
        if suffix and scen in ("tls13", "weak", "expired", "not-yet-valid"):
            continue
        FINDING_CASES["findings-" + scen + suffix] = (scen, opts)


WRAPPER = os.environ.get("CERTPATH_WRAPPER", "").split()


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, timeout=600, **kw)


def run_certpath(cmd):
    """certpath, under valgrind when the memcheck setup asks for it (exit 99 = memory error)."""
    p = run(WRAPPER + cmd)
    if p.returncode == 99:
        sys.exit("valgrind found a memory error:\n" + p.stderr.decode()[-3000:])
    return p


def generate(capgen, work, name, scenario, opts):
    cap = os.path.join(work, name + ".pcap")
    truth = os.path.join(work, name + ".truth")
    pki = os.path.join(work, name + ".pki")
    shutil.rmtree(pki, ignore_errors=True)
    p = run([capgen, "--scenario", scenario, "--out", cap, "--truth", truth, "--export-pki", pki]
            + opts)
    if p.returncode != 0:
        sys.exit("capgen failed: " + p.stderr.decode())
    lines = [json.loads(l) for l in open(truth)]
    roots = sorted(os.path.join(pki, f) for f in os.listdir(pki) if "root" in f)
    return cap, lines, roots


def certpath_json(certpath, cap, extra=()):
    p = run_certpath([certpath, "--format", "json"] + list(extra) + [cap])
    if p.returncode not in (0, 1):
        sys.exit("certpath failed (%d): %s" % (p.returncode, p.stderr.decode()))
    return p.returncode, [json.loads(l) for l in p.stdout.decode().splitlines()]


def check_chains(capgen, certpath, work, name):
    scenario, opts = CHAIN_CASES[name]
    cap, truth, _ = generate(capgen, work, name, scenario, opts)
    _, out = certpath_json(certpath, cap)
    hs = {(o["client"], o["server"]): o for o in out if o["type"] == "handshake"}
    certs = {o["sha1"] for o in out if o["type"] == "certificate"}
    summary = out[-1]
    assert summary["type"] == "summary", "last line is not the summary"
    conns = [t for t in truth if t["type"] == "connection"]
    assert conns, "the truth has no connection"
    bad = []
    for t in conns:
        h = hs.get((t["client"], t["server"]))
        if h is None:
            bad.append("no handshake for %s -> %s" % (t["client"], t["server"]))
            continue
        if t.get("truncated") or "--snaplen" in opts:
            if not h["truncated"]:
                bad.append("%s: not marked truncated" % t["server"])
            continue
        if h["chain"] != t["chain"]:
            bad.append("%s: chain %s, truth %s" % (t["server"], h["chain"], t["chain"]))
        if t.get("sni") != h["sni"]:
            bad.append("%s: sni %r, truth %r" % (t["server"], h["sni"], t.get("sni")))
        if t.get("version") != h["version"]:
            bad.append("%s: version %r, truth %r" % (t["server"], h["version"], t.get("version")))
        if t.get("alert") != h["alert"]:
            bad.append("%s: alert %r, truth %r" % (t["server"], h["alert"], t.get("alert")))
        missing = [c for c in t["chain"] if c not in certs]
        if missing:
            bad.append("%s: no certificate line for %s" % (t["server"], missing))
    if len(hs) != len(conns):
        bad.append("%d handshakes reported, %d in the truth" % (len(hs), len(conns)))
    if summary["handshakes"] != len(conns):
        bad.append("summary says %d handshakes" % summary["handshakes"])
    if bad:
        sys.exit("\n".join(bad))
    print("%s: %d connections, every chain as sent" % (name, len(conns)))


def check_export(capgen, certpath, work):
    cap, truth, _ = generate(capgen, work, "export", "healthy", [])
    out_dir = os.path.join(work, "exported")
    shutil.rmtree(out_dir, ignore_errors=True)
    run_certpath([certpath, "--export-certs", out_dir, cap])
    sent = {c for t in truth if t["type"] == "connection" for c in t["chain"]}
    files = {f[:-4] for f in os.listdir(out_dir) if f.endswith(".pem")}
    if files != sent:
        sys.exit("exported %s, sent %s" % (sorted(files), sorted(sent)))
    for sha1 in files:
        p = run(["openssl", "x509", "-noout", "-fingerprint", "-sha1", "-in",
                 os.path.join(out_dir, sha1 + ".pem")])
        got = p.stdout.decode().strip().split("=")[-1].replace(":", "")
        if got != sha1:
            sys.exit("%s.pem holds a certificate with thumbprint %s" % (sha1, got))
    print("export-certs: %d certificates, each <SHA1>.pem readable by openssl" % len(files))


def text_codes(text):
    return set(re.findall(r"^\[(?:ERROR|WARNING|info)\] ([a-z0-9-]+):", text, re.M))


def option_args(args, truth, work):
    out = []
    for a in args:
        if a.startswith("{root:"):
            name = a[6:-1]
            a = [t["sha1"] for t in truth if t["type"] == "certificate" and t["name"] == name][0]
        out.append(a.replace("{work}", work))
    if "--config" in args:
        with open(os.path.join(work, "roles.conf"), "w") as f:
            f.write("# the site names its servers its own way\n[roles]\n"
                    "frontend=10.1.0.10\nexchange=10.1.0.20;mail.contoso.com\n")
    return out


def check_findings(capgen, certpath, work, name):
    if name in OPTION_CASES:
        scenario, extra, want = OPTION_CASES[name]
        opts = []
    else:
        scenario, opts = FINDING_CASES[name]
        extra, want = [], FINDINGS[scenario]
    cap, truth, roots = generate(capgen, work, name.replace("+", "_"), scenario, opts)
    trust = ["--no-system-ca"] + [a for r in roots for a in ("--ca-file", r)]
    trust += option_args(extra, truth, work)
    status, out = certpath_json(certpath, cap, trust)
    got = {o["code"] for o in out if o["type"] == "finding"}
    text = run_certpath([certpath] + trust + [cap]).stdout.decode()
    problems = []
    if got != want:
        problems.append("JSON findings %s, expected %s" % (sorted(got), sorted(want)))
    if text_codes(text) != want:
        problems.append("text findings %s, expected %s" % (sorted(text_codes(text)), sorted(want)))
    worst = {o["severity"] for o in out if o["type"] == "finding"}
    expect_status = 1 if worst & {"error", "warning"} else 0
    if status != expect_status:
        problems.append("exit status %d, expected %d" % (status, expect_status))
    if not want and "Verdict: no certificate trust problem" not in text:
        problems.append("a healthy site must get the all-clear verdict")
    if want == {"tls13-encrypted"} and "Verdict: no certificate could be checked" not in text:
        problems.append("a TLS 1.3-only capture must say nothing could be checked")
    if worst & {"error", "warning"} and not re.search(r"^Verdict: \d+ error", text, re.M):
        problems.append("the text report does not open with the verdict")
    for o in out:
        if o["type"] == "finding" and (not o["message"] or not o["remedy"] or not o["servers"]):
            problems.append("%s has an empty message, remedy or server list" % o["code"])
        if o["type"] == "finding" and o["code"] == "ca-mismatch":
            if "New-CsWebTrustedCACertificate -Thumbprint " not in o["remedy"]:
                problems.append("ca-mismatch remedy lacks the PowerShell line")
            thumb = re.search(r"-Thumbprint ([0-9A-F]{40})", o["remedy"])
            roots_sha1 = {t["sha1"] for t in truth if t["type"] == "certificate"
                          and t["subject"] == t["issuer"]}
            if not thumb or thumb.group(1) not in roots_sha1:
                problems.append("ca-mismatch remedy does not name a real root thumbprint")
    if problems:
        print(text)
        sys.exit("\n".join(problems))
    print("%s: findings %s in JSON and text" % (name, sorted(got) or "none"))


def main():
    if sys.argv[1:] == ["--list"]:
        print("\n".join(list(CHAIN_CASES) + list(FINDING_CASES) + list(OPTION_CASES)
                        + ["export-certs"]))
        return 0
    capgen, certpath, work, name = sys.argv[1:5]
    os.makedirs(work, exist_ok=True)
    if name == "export-certs":
        check_export(capgen, certpath, work)
    elif name in CHAIN_CASES:
        check_chains(capgen, certpath, work, name)
    else:
        check_findings(capgen, certpath, work, name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
