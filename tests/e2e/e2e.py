#!/usr/bin/env python3
"""End-to-end cases: capgen makes a capture (real OpenSSL handshakes, chosen impairments) and a
truth file; certpath reads the capture; its JSON Lines and its text report must say exactly what
the truth and the case expect.

usage: e2e.py --list
       e2e.py CAPGEN CERTPATH WORKDIR CASE
"""
import gzip
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
    "wifi-radiotap": ("healthy", ["--link", "wlan"]),
    "pcapng": ("healthy", ["--format", "pcapng"]),
    "seq-wrap": ("healthy", ["--seq-wrap", "--mss", "200"]),
    "ip-fragments": ("healthy", ["--ip-frag", "576"]),
    "ipv6-fragments": ("healthy", ["--ipv6", "--ip-frag", "576"]),
    "snaplen": ("single", ["--snaplen", "200"]),
    "midstream": ("healthy", ["--midstream"]),
    "tls-versions": ("versions", []),
    "everything-at-once": ("all", ["--mss", "100", "--reorder", "--duplicate", "--link", "vlan"]),
    # DTLS 1.2 over UDP: cookie exchange, Certificate in fragments, several records a datagram.
    "dtls": ("dtls", []),
    "dtls-reordered-duplicated": ("dtls", ["--reorder", "--duplicate", "--seed", "3"]),
    "dtls-vlan-pcapng": ("dtls", ["--link", "vlan", "--format", "pcapng", "--reorder"]),
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
    # Certificate properties and capture patterns (diagnose_cert.c, tests/gen/certprops.c).
    "wildcard-pool": {"client-incompatible"},
    "pss-exchange": {"client-incompatible"},
    "no-serverauth": {"wrong-purpose"},
    "ca-renewed": {"ca-renewed"},
    "dual-cert": {"dual-certificate"},
    "ip-literal-sni": {"ip-literal-sni"},
    "capture-clock": {"capture-clock"},
    # Client-side faults: a client resetting silently after the chain, a TLS 1.0-only client
    # without SNI against a TLS 1.2-only pool, mutual TLS with an untrusted client certificate.
    "silent-reject": {"silent-rejection"},
    "protocol-reject": {"protocol-rejected"},
    "mtls-untrusted": {"client-cert-rejected"},
}
# Scenarios judged on the plain capture only: their point is a rule, not the capture's shape.
RULE_ONLY = ("tls13", "weak", "expired", "not-yet-valid", "wildcard-pool", "pss-exchange",
             "no-serverauth", "ca-renewed", "dual-cert", "ip-literal-sni", "capture-clock")
CLIENT_SIDE = {"client-rejected", "protocol-rejected", "silent-rejection", "client-cert-rejected"}
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
    # A --ca-file that is not self-signed is a known intermediate, not a trust anchor: the
    # leaf-only servers still omit it (issue 10; it used to make this site clean).
    "opt-ca-file-intermediate": ("leaf-only", ["--ca-file",
                                               "{work}/opt-ca-file-intermediate.pki/"
                                               "contoso-issuing.pem"],
                                 {"missing-intermediate"}),
}
FINDING_CASES = {}
for scen in FINDINGS:
    for suffix, opts in IMPAIRMENTS.items():
        if suffix and scen in RULE_ONLY:
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
    files = {f[:-4] for f in os.listdir(out_dir) if re.fullmatch(r"[0-9A-F]{40}\.pem", f)}
    if files != sent:
        sys.exit("exported %s, sent %s" % (sorted(files), sorted(sent)))
    for sha1 in files:
        p = run(["openssl", "x509", "-noout", "-fingerprint", "-sha1", "-in",
                 os.path.join(out_dir, sha1 + ".pem")])
        got = p.stdout.decode().strip().split("=")[-1].replace(":", "")
        if got != sha1:
            sys.exit("%s.pem holds a certificate with thumbprint %s" % (sha1, got))
    print("export-certs: %d certificates, each <SHA1>.pem readable by openssl" % len(files))


def pem_sha1s(path):
    """SHA-1 thumbprints of the certificates of a PEM bundle, in file order."""
    import base64
    import hashlib
    blocks = re.findall(r"-----BEGIN CERTIFICATE-----\n(.*?)-----END CERTIFICATE-----",
                        open(path).read(), re.S)
    return [hashlib.sha1(base64.b64decode("".join(b.split()))).hexdigest().upper()
            for b in blocks]


def check_export_bundles(capgen, certpath, work):
    """--export-certs: the count said on standard error, one bundle per server chain (leaf
    first, as the server sent it) and a manifest.json that links them."""
    cap, truth, _ = generate(capgen, work, "bundles", "edge-serials", [])
    out_dir = os.path.join(work, "bundles-out")
    shutil.rmtree(out_dir, ignore_errors=True)
    p = run_certpath([certpath, "--export-certs", out_dir, cap])
    err = p.stderr.decode()
    problems = []
    sent = {c for t in truth if t["type"] == "connection" for c in t["chain"]}
    m = re.search(r"--export-certs \S+: (\d+) certificates? as <SHA1>\.pem, (\d+) chain bundles?",
                  err)
    if not m or int(m.group(1)) != len(sent):
        problems.append("stderr does not say %d certificates were written: %r" % (len(sent), err))
    manifest = json.load(open(os.path.join(out_dir, "manifest.json")))
    want = {}
    for t in truth:
        if t["type"] == "connection" and t["chain"]:
            want.setdefault(t["server"], set()).add(tuple(t["chain"]))
    got = {}
    bundles = 0
    for s in manifest["servers"]:
        for ch in s["chains"]:
            shas = tuple(c["sha1"] for c in ch["certificates"])
            got.setdefault(s["server"], set()).add(shas)
            path = os.path.join(out_dir, ch["file"])
            if not re.fullmatch(r"[A-Za-z0-9._-]+-chain\d+\.pem", ch["file"]):
                problems.append("unsafe bundle name %r" % ch["file"])
            elif tuple(pem_sha1s(path)) != shas:
                problems.append("%s holds %s, manifest says %s" % (ch["file"], pem_sha1s(path),
                                                                   shas))
            bundles += 1
            if ch["handshakes"] < 1:
                problems.append("%s: no handshake counted" % ch["file"])
    if got != want:
        problems.append("manifest chains %s, truth %s" % (got, want))
    if m and int(m.group(2)) != bundles:
        problems.append("stderr says %s bundles, manifest lists %d" % (m.group(2), bundles))
    if problems:
        sys.exit("\n".join(problems))
    print("export-bundles: %d certificates, %d chain bundles of %d servers, manifest agrees"
          % (len(sent), bundles, len(got)))


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
    if want == {"tls13-encrypted"}:
        expect_status = 1  # nothing could be checked: inconclusive, never the clean status
    if status != expect_status:
        problems.append("exit status %d, expected %d" % (status, expect_status))
    if not want and "Verdict: no certificate trust problem" not in text:
        problems.append("a healthy site must get the all-clear verdict")
    if want == {"tls13-encrypted"} and "Verdict: inconclusive. No certificate could be checked" \
            not in text:
        problems.append("a TLS 1.3-only capture must say nothing could be checked")
    if worst & {"error", "warning"} and not re.search(r"^Verdict: \d+ error", text, re.M):
        problems.append("the text report does not open with the verdict")
    for o in out:
        if o["type"] == "finding" and (not o["message"] or not o["remedy"] or not o["servers"]):
            problems.append("%s has an empty message, remedy or server list" % o["code"])
        if o["type"] == "finding" and o["code"] in CLIENT_SIDE:
            # Which clients: the address and, on these Ethernet captures, the MAC capgen gives
            # every host (02:00 + the IPv4 address).
            if not o.get("clients"):
                problems.append("%s names no client" % o["code"])
            for c in o.get("clients", []):
                if not re.search(re.escape(c) + r" \(MAC 02:00:[0-9a-f:]{11}, ", o["message"]):
                    problems.append("%s does not describe client %s with its MAC" % (o["code"], c))
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


def dtls_same_as_tls(capgen, certpath, work, name):
    """The same PKI over DTLS and over TLS ("single"): certpath reports the same findings, with
    the generator's root trusted and with no trust anchor at all."""
    got = {}
    for scen in ("dtls", "single"):
        cap, truth, roots = generate(capgen, work, name + "-" + scen, scen, [])
        for anchors in ("root", "none"):
            trust = ["--no-system-ca"]
            if anchors == "root":
                trust += [a for r in roots for a in ("--ca-file", r)]
            _, out = certpath_json(certpath, cap, trust)
            got[scen, anchors] = {o["code"] for o in out if o["type"] == "finding"}
            chains = [o["chain"] for o in out if o["type"] == "handshake"]
            want = [t["chain"] for t in truth if t["type"] == "connection"]
            if chains != want:
                sys.exit("%s: chains %s, truth %s" % (scen, chains, want))
    for anchors in ("root", "none"):
        if got["dtls", anchors] != got["single", anchors]:
            sys.exit("trust anchors %s: DTLS findings %s, TLS findings %s"
                     % (anchors, sorted(got["dtls", anchors]), sorted(got["single", anchors])))
    if not got["dtls", "none"]:
        sys.exit("without a trust anchor the chain must draw a finding")
    print("%s: findings %s with the root, %s without, as over TLS"
          % (name, sorted(got["dtls", "root"]) or "none", sorted(got["dtls", "none"])))


# --format ecs: every field name certpath writes must be one of the Elastic Common Schema's
# (ECS 8.11 field reference, https://www.elastic.co/guide/en/ecs/current/ecs-field-reference.html:
# the base, ecs, event, log, rule, related, source, destination, network and tls field sets, and
# the x509 field set nested at tls.server.x509 and tls.client.x509).
_X509 = ["alternative_names", "issuer.common_name", "issuer.country",
         "issuer.distinguished_name", "issuer.locality", "issuer.organization",
         "issuer.organizational_unit", "issuer.state_or_province", "not_after", "not_before",
         "public_key_algorithm", "public_key_curve", "public_key_exponent", "public_key_size",
         "serial_number", "signature_algorithm", "subject.common_name", "subject.country",
         "subject.distinguished_name", "subject.locality", "subject.organization",
         "subject.organizational_unit", "subject.state_or_province", "version_number"]
_TLS_SIDE = ["certificate", "certificate_chain", "hash.md5", "hash.sha1", "hash.sha256", "issuer",
             "ja3", "not_after", "not_before", "subject", "supported_ciphers"]
_ENDPOINT = ["address", "bytes", "domain", "ip", "mac", "nat.ip", "nat.port", "packets", "port",
             "registered_domain", "subdomain", "top_level_domain"]
ECS_FIELDS = (
    {"@timestamp", "labels", "message", "tags", "ecs.version",
     "event.action", "event.agent_id_status", "event.category", "event.code", "event.created",
     "event.dataset", "event.duration", "event.end", "event.hash", "event.id", "event.ingested",
     "event.kind", "event.module", "event.original", "event.outcome", "event.provider",
     "event.reason", "event.reference", "event.risk_score", "event.risk_score_norm",
     "event.sequence", "event.severity", "event.start", "event.timezone", "event.type",
     "event.url", "log.level", "log.logger",
     "rule.author", "rule.category", "rule.description", "rule.id", "rule.license", "rule.name",
     "rule.reference", "rule.ruleset", "rule.uuid", "rule.version",
     "related.hash", "related.hosts", "related.ip", "related.user",
     "network.application", "network.bytes", "network.community_id", "network.direction",
     "network.iana_number", "network.name", "network.packets", "network.protocol",
     "network.transport", "network.type",
     "tls.cipher", "tls.curve", "tls.established", "tls.next_protocol", "tls.resumed",
     "tls.version", "tls.version_protocol", "tls.client.server_name", "tls.client.ja3",
     "tls.server.ja3s"}
    | {side + "." + f for side in ("source", "destination") for f in _ENDPOINT}
    | {"tls.%s.%s" % (side, f) for side in ("client", "server") for f in _TLS_SIDE}
    | {"tls.%s.x509.%s" % (side, f) for side in ("client", "server") for f in _X509})


def ecs_names(doc, prefix=""):
    for k, v in doc.items():
        name = prefix + k
        if isinstance(v, dict):
            yield from ecs_names(v, name + ".")
        else:
            yield name


def check_ecs(capgen, certpath, work):
    cap, truth, roots = generate(capgen, work, "ecs", "lookalike", [])
    trust = ["--no-system-ca"] + [a for r in roots for a in ("--ca-file", r)]
    p = run_certpath([certpath, "--format", "ecs"] + trust + [cap])
    if p.returncode not in (0, 1):
        sys.exit("certpath failed (%d): %s" % (p.returncode, p.stderr.decode()))
    docs = [json.loads(l) for l in p.stdout.decode().splitlines()]
    problems = []
    names = set()
    for d in docs:
        names |= set(ecs_names(d))
    unknown = sorted(names - ECS_FIELDS)
    if unknown:
        problems.append("not ECS field names: %s" % unknown)
    hs = [d for d in docs if d["event"]["kind"] == "event"]
    alerts = [d for d in docs if d["event"]["kind"] == "alert"]
    conns = [t for t in truth if t["type"] == "connection"]
    if len(hs) != len(conns) or len(hs) + len(alerts) != len(docs):
        problems.append("%d handshake documents for %d connections, %d alerts of %d documents"
                        % (len(hs), len(conns), len(alerts), len(docs)))
    leaves = {(t["client"], t["server"]): t["chain"][0] for t in conns if t["chain"]}
    for d in hs:
        if "network" not in d["event"]["category"]:
            problems.append("a handshake is not event.category network")
        key = ("%s:%d" % (d["source"]["ip"], d["source"]["port"]),
               "%s:%d" % (d["destination"]["ip"], d["destination"]["port"]))
        if key in leaves and d["tls"]["server"]["hash"]["sha1"] != leaves[key]:
            problems.append("%s: tls.server.hash.sha1 is not the leaf's thumbprint" % (key,))
        chain = d["tls"].get("server", {}).get("certificate_chain", [])
        if key in leaves and not chain:
            problems.append("%s: no tls.server.certificate_chain" % (key,))
    codes = {a["rule"]["name"] for a in alerts}
    if codes != FINDINGS["lookalike"]:
        problems.append("alerts %s, expected %s" % (sorted(codes), sorted(FINDINGS["lookalike"])))
    if problems:
        sys.exit("\n".join(problems))
    print("ecs-fields: %d documents, %d field names, all in the ECS reference"
          % (len(docs), len(names)))


# The command line (issue 13 "The command line", issue 12 "Option slips"): scenario, arguments
# ({cap} the capture, {root:NAME} a CA's thumbprint, {work} the work folder), standard input from
# the capture, the exit statuses allowed, a regex standard error must match (None: must be empty
# of "certpath:" errors), and a check of standard output.
LRM = "\u200e"
CLI_CASES = {
    "cli-read-filter": ("healthy", ["--format", "json", "-r", "{cap}",
                                    "host 10.1.0.10 and port 5061"], False, {0, 1}, None,
                        lambda out: [json.loads(l) for l in out.splitlines()][-1]["handshakes"]
                        == 1),
    "cli-read-no-filter": ("healthy", ["--format", "json", "-r", "{cap}"], False, {0, 1}, None,
                           lambda out: [json.loads(l) for l in out.splitlines()][-1]["handshakes"]
                           > 1),
    "cli-filter-syntax-error": ("healthy", ["-r", "{cap}", "port 443 and"], False, {2},
                                r"^certpath: capture filter \"port 443 and\": ", None),
    "cli-read-and-interface": ("healthy", ["-r", "{cap}", "-i", "lo"], False, {2},
                               r"-r and -i exclude each other", None),
    "cli-quiet": ("healthy", ["-q", "{cap}"], False, {0, 1}, None, lambda out: out == ""),
    "cli-plurals": ("healthy", ["-r", "{cap}", "host 10.1.0.10 and port 5061"], False, {0, 1},
                    None, lambda out: re.search(r"\b1 TCP connection\b(?!s)", out)
                    and re.search(r"\b1 TLS handshake\b(?!s)", out)
                    and re.search(r"\b1 server\b(?!s)", out)),
    "cli-unknown-option": ("healthy", ["--bogus", "{cap}"], False, {2},
                           r"^certpath: unknown option --bogus \(see certpath --help\)\n$", None),
    "cli-thumbprint-lrm": ("public-ca", ["--format", "json", "--trusted-ca",
                                         LRM + "{root:public-root}", "{cap}"], False, {0},
                           r"U\+200E", lambda out: not any(
                               json.loads(l)["type"] == "finding" for l in out.splitlines())),
    "cli-thumbprint-non-ascii": ("healthy", ["--trusted-ca", "\u00e9" * 3, "{cap}"], False, {2},
                                 r"--trusted-ca wants a SHA-1 thumbprint \(40 hex digits\), not "
                                 r"\"(\\xC3\\xA9){3}\"", None),
    "cli-config-unknown-key": ("healthy", ["--config", "{work}/typo.conf", "{cap}"], False,
                               {0, 1}, r"unknown key ca_file in \[trust\].*\n.*unknown group "
                               r"\[role\]", None),
    "cli-config-bad-boolean": ("healthy", ["--config", "{work}/maybe.conf", "{cap}"], False,
                               {2}, r"\[trust\] no-system-ca wants true or false, not \"maybe\"",
                               None),
    "cli-at-overflow": ("healthy", ["--at", "-9223372036854775808", "{cap}"], False, {2},
                        r"--at -9223372036854775808 is outside the years 1 to 9999", None),
    "cli-at-year-10000": ("healthy", ["--at", "253402300800", "{cap}"], False, {2},
                          r"is outside the years 1 to 9999", None),
    "cli-limit-negative": ("healthy", ["--max-chain", "-1", "{cap}"], False, {2},
                           r"--max-chain wants a positive whole number, not \"-1\"", None),
    "cli-count-negative": ("healthy", ["-c", "-5", "{cap}"], False, {2},
                           r"-c/--count wants a positive whole number of packets, not \"-5\"",
                           None),
    "cli-dashdash-stdin": ("healthy", ["--format", "json", "--", "-"], True, {0, 1}, None,
                           lambda out: [json.loads(l) for l in out.splitlines()][-1]["inputs"]
                           == ["-"]),
    "cli-html": ("leaf-only", ["--html", "{work}/report.html", "{cap}"], False, {1}, None,
                 lambda out: out == "" and open(os.path.join(WORK[0], "report.html")).read()
                 .startswith("<!DOCTYPE html>")),
    "cli-html-and-output": ("healthy", ["--html", "{work}/a.html", "-o", "{work}/b", "{cap}"],
                            False, {2}, r"--html FILE writes the HTML report to FILE", None),
    "cli-format-dot": ("leaf-only", ["--format", "dot", "{cap}"], False, {1}, None,
                       lambda out: out.startswith("digraph certpath {")
                       and 'class="missing fault"' in out and 'class="fault"' in out),
    # Issue 13, the rest of "The command line".
    "cli-plurals-verdict": ("healthy", ["-r", "{cap}", "host 10.1.0.10 and port 5061"], False,
                            {0}, None, lambda out: "(1 TLS handshake)" in out
                            and "(1 TLS handshakes)" not in out),
    "cli-directory-empty": ("healthy", ["{work}/empty-dir"], False, {2},
                            r"^certpath: .*/empty-dir: is a directory with no files in it", None),
    "cli-directory-no-capture": ("healthy", ["{work}/notes-dir"], False, {2},
                                 r"^certpath: .*/notes-dir: is a directory, and it holds no "
                                 r"capture file$", None),
    "cli-role-unused": ("healthy", ["--role", "edge=10.9.9.9", "--role", "frontend=10.1.0.10",
                                    "{cap}"], False, {0, 1},
                        r"^certpath: warning: --role edge=10\.9\.9\.9 matches no server seen",
                        lambda out: "Verdict" in out),
    "cli-trusted-ca-unused": ("healthy", ["--trusted-ca", "AB" * 20, "{cap}"], False, {0, 1},
                              r"^certpath: warning: --trusted-ca (AB){20} changed nothing",
                              lambda out: "Verdict" in out),
    "cli-role-used-no-warning": ("healthy", ["--role", "frontend=10.1.0.10", "-q", "{cap}"],
                                 False, {0}, r"\A\Z", None),
    "cli-json-missing-file": ("healthy", ["--format", "json", "{work}/no-such.pcap"], False, {2},
                              r"no-such\.pcap: No such file", lambda out: json_summary_error(out)),
    "cli-json-alert-fields": ("unknown-ca", ["--format", "json", "{cap}"], False, {1}, None,
                              lambda out: alert_fields_present(out)),
    "cli-lines-offline": ("healthy", ["--lines", "{cap}"], False, {0}, None,
                          lambda out: handshake_lines(out) == 8
                          and "Verdict: no certificate trust problem" in out),
    "cli-lines-json": ("healthy", ["--lines", "--format", "json", "{cap}"], False, {2},
                       r"--lines is a text mode", None),
    "cli-rotation-needs-w": ("healthy", ["-C", "10", "{cap}"], False, {2},
                             r"-C and -W rotate the -w FILE: give -w", None),
    "cli-ring-needs-size": ("healthy", ["-w", "{work}/x.pcapng", "-W", "3", "{cap}"], False,
                            {2}, r"-W N needs -C MB", None),
}
WORK = [""]


def json_summary_error(out):
    """A JSON run that could read nothing still ends with its summary, the error in it."""
    lines = [json.loads(l) for l in out.splitlines()]
    return (len(lines) == 1 and lines[0]["type"] == "summary"
            and lines[0]["outcome"] == "input-error"
            and any("no-such.pcap" in e for e in lines[0]["errors"]))


def alert_fields_present(out):
    """alert_level and alert_sender are there whenever alert is: null with it, set with it."""
    hs = [o for o in map(json.loads, out.splitlines()) if o["type"] == "handshake"]
    keys = all({"alert", "alert_level", "alert_sender"} <= set(h) for h in hs)
    nulls = all((h["alert"] is None) == (h["alert_level"] is None) == (h["alert_sender"] is None)
                for h in hs)
    return keys and nulls and any(h["alert"] for h in hs) and any(h["alert"] is None for h in hs)


def handshake_lines(out):
    """The --lines lines, which come before the report's first line."""
    head = out.split("certpath: ", 1)[0]
    return len(re.findall(r"^20\d\d-\d\d-\d\dT[\d:.]+Z \S+ -> \S+ .*chain \d", head, re.M))


def check_cli(capgen, certpath, work, name):
    scenario, args, stdin, statuses, err_re, out_ok = CLI_CASES[name]
    cap, truth, roots = generate(capgen, work, name, scenario, [])
    WORK[0] = work
    with open(os.path.join(work, "typo.conf"), "w") as f:
        f.write("[trust]\nca_file=/nowhere.pem\n[role]\nedge=10.1.0.31\n")
    with open(os.path.join(work, "maybe.conf"), "w") as f:
        f.write("[trust]\nno-system-ca=maybe\n")
    shutil.rmtree(os.path.join(work, "empty-dir"), ignore_errors=True)
    os.makedirs(os.path.join(work, "empty-dir"))
    os.makedirs(os.path.join(work, "notes-dir"), exist_ok=True)
    with open(os.path.join(work, "notes-dir", "README.txt"), "w") as f:
        f.write("captures go here\n")
    trust = ["--no-system-ca"] + [a for r in roots for a in ("--ca-file", r)]
    argv = []
    for a in args:
        m = re.search(r"\{root:([^}]+)\}", a)
        if m:
            sha1 = [t["sha1"] for t in truth if t["type"] == "certificate"
                    and t["name"] == m.group(1)][0]
            a = a.replace(m.group(0), sha1)
        argv.append(a.replace("{cap}", cap).replace("{work}", work))
    cmd = [certpath] + (trust if "--" not in argv else []) + argv
    if "--" in argv:
        i = argv.index("--")
        cmd = [certpath] + argv[:i] + trust + argv[i:]
    wrapper = list(WRAPPER)
    if wrapper and "--html" in args:
        # Graphviz and fontconfig leak inside their own code (tests/html/graphviz.supp).
        wrapper.insert(1, "--suppressions=" + os.path.join(
            os.path.dirname(os.path.abspath(__file__)), "..", "html", "graphviz.supp"))
    p = run(wrapper + [a.encode() for a in cmd],
            stdin=open(cap, "rb") if stdin else subprocess.DEVNULL)
    if p.returncode == 99:
        sys.exit("valgrind found a memory error:\n" + p.stderr.decode()[-3000:])
    out, err = p.stdout.decode(), p.stderr.decode()
    problems = []
    if p.returncode not in statuses:
        problems.append("exit status %d, expected %s" % (p.returncode, sorted(statuses)))
    if err_re is not None and not re.search(err_re, err, re.M):
        problems.append("standard error does not match %r:\n%s" % (err_re, err))
    if err_re is None and "certpath:" in err and p.returncode == 2:
        problems.append("unexpected error: " + err)
    if out_ok is not None and not out_ok(out):
        problems.append("standard output is not as expected:\n" + out[:3000])
    if problems:
        sys.exit("%s: %s" % (name, "\n".join(problems)))
    print("%s: exit %d as expected" % (name, p.returncode))


# Key logs (issue 11): capgen's TLS 1.3 scenario with the client's key log as a file (--keylog)
# or inside the pcapng (--dsb); the chains must be the ones the client received and the
# findings those of the same PKI sent in the clear ("single", TLS 1.2).
KEYLOG_CASES = {
    "keylog-tls13": (["--keylog", "{keylog}"], True),
    "keylog-tls13-small-segments": (["--keylog", "{keylog}", "--mss", "100", "--reorder"], True),
    "keylog-tls13-dsb": (["--format", "pcapng", "--dsb"], False),
    "keylog-tls13-dsb-ipv6": (["--format", "pcapng", "--dsb", "--ipv6", "--link", "sll2"], False),
}


def keylog_same_as_clear(capgen, certpath, work, name):
    gen_opts, pass_file = KEYLOG_CASES[name]
    keylog = os.path.join(work, name + ".keylog")
    gen_opts = [o.replace("{keylog}", keylog) for o in gen_opts]
    cap, truth, roots = generate(capgen, work, name, "tls13", gen_opts)
    extra = ["--keylog", keylog] if pass_file else []
    want = [t["chain"] for t in truth if t["type"] == "connection"]
    if not want or not all(want):
        sys.exit("the truth has no decrypted chain: %s" % want)
    got = {}
    for anchors in ("root", "none"):
        trust = ["--no-system-ca"]
        if anchors == "root":
            trust += [a for r in roots for a in ("--ca-file", r)]
        _, out = certpath_json(certpath, cap, trust + extra)
        chains = [o["chain"] for o in out if o["type"] == "handshake"]
        if chains != want:
            sys.exit("chains %s, truth %s" % (chains, want))
        got[anchors] = {o["code"] for o in out if o["type"] == "finding"}
        anomalies = out[-1].get("anomalies", {})
        if any(k.startswith("tls.decrypt") or k.startswith("keylog.") for k in anomalies):
            sys.exit("decryption anomalies: %s" % anomalies)
    clear = {}
    cap2, _, roots2 = generate(capgen, work, name + "-clear", "single", [])
    for anchors in ("root", "none"):
        trust = ["--no-system-ca"]
        if anchors == "root":
            trust += [a for r in roots2 for a in ("--ca-file", r)]
        _, out = certpath_json(certpath, cap2, trust)
        clear[anchors] = {o["code"] for o in out if o["type"] == "finding"}
    if got != clear:
        sys.exit("findings with the key log %s, in the clear %s" % (got, clear))
    if pass_file:
        _, out = certpath_json(certpath, cap, ["--no-system-ca", "--no-keylog-search"])
        codes = {o["code"] for o in out if o["type"] == "finding"}
        if codes != {"tls13-encrypted"}:
            sys.exit("without the key log: findings %s, expected tls13-encrypted" % codes)
        p = run_certpath([certpath, "--keylog", cap, cap])
        if p.returncode != 2 or b"no key log line" not in p.stderr:
            sys.exit("a capture given as --keylog must be refused in one line: %r" % p.stderr)
    print("%s: chains as received, findings %s with the root, %s without, as in the clear"
          % (name, sorted(got["root"]) or "none", sorted(got["none"])))


RENEG_CASES = {
    "keylog-tls12-renegotiation": ("renegotiation", []),
    "keylog-tls12-renegotiation-cbc": ("renegotiation-cbc", ["--mss", "300"]),
    "keylog-tls12-renegotiation-cbc-mte": ("renegotiation-cbc-mte", ["--link", "vlan"]),
    "keylog-tls12-renegotiation-chacha": ("renegotiation-chacha", ["--format", "pcapng", "--dsb"]),
}


def renegotiation_read(capgen, certpath, work, name):
    """A TLS 1.2 renegotiation asking for a client certificate: without a key log the first
    handshake only; with it a second handshake on the same connection, with the server's chain
    again and the client's certificate, and the findings of the same PKI in the clear."""
    scenario, opts = RENEG_CASES[name]
    keylog = os.path.join(work, name + ".keylog")
    cap, truth, roots = generate(capgen, work, name, scenario, opts + ["--keylog", keylog])
    conn = [t for t in truth if t["type"] == "connection"]
    client = [t["sha1"] for t in truth if t["type"] == "certificate" and t["name"] == "example-client"]
    if len(conn) != 1 or not conn[0]["chain"] or len(client) != 1:
        sys.exit("unexpected truth: %s" % truth)
    extra = [] if "--dsb" in opts else ["--keylog", keylog]
    trust = ["--no-system-ca"] + [a for r in roots for a in ("--ca-file", r)]
    _, out = certpath_json(certpath, cap, trust + extra)
    hs = [o for o in out if o["type"] == "handshake"]
    if [h["chain"] for h in hs] != [conn[0]["chain"]] * 2:
        sys.exit("with the key log: chains %s, expected the truth's twice" % [h["chain"] for h in hs])
    if hs[1].get("client_chain") != client or "client_chain" in hs[0]:
        sys.exit("client chains %s, expected %s in the second handshake"
                 % ([h.get("client_chain") for h in hs], client))
    if hs[1]["resumed"] or hs[1]["sni"] != conn[0]["sni"]:
        sys.exit("second handshake: %s" % hs[1])
    if [h["renegotiation"] for h in hs] != [0, 1]:
        sys.exit("renegotiation numbers %s, expected [0, 1]" % [h["renegotiation"] for h in hs])
    # Read back from its own records, the renegotiation stays a handshake of its own (same
    # endpoints and time: only its number tells it from a second sensor's copy).
    lines = os.path.join(work, name + ".jsonl")
    with open(lines, "w") as fh:
        fh.write("".join(json.dumps(o) + "\n" for o in out))
    _, back = certpath_json(certpath, lines, trust + ["--records"])
    back_hs = [o for o in back if o["type"] == "handshake"]
    if len(back_hs) != 2 or back[-1].get("anomalies", {}).get("records.duplicate"):
        sys.exit("--records read the renegotiation back as %d handshake(s): %s"
                 % (len(back_hs), back[-1]))
    anomalies = out[-1].get("anomalies", {})
    if any(k.startswith("tls.decrypt") or k.startswith("keylog.") for k in anomalies):
        sys.exit("decryption anomalies: %s" % anomalies)
    got = {o["code"] for o in out if o["type"] == "finding"}
    cap2, _, roots2 = generate(capgen, work, name + "-clear", "single", [])
    trust2 = ["--no-system-ca"] + [a for r in roots2 for a in ("--ca-file", r)]
    _, out2 = certpath_json(certpath, cap2, trust2)
    clear = {o["code"] for o in out2 if o["type"] == "finding"}
    if got != clear:
        sys.exit("findings with the key log %s, in the clear %s" % (got, clear))
    if "--dsb" not in opts:
        _, out = certpath_json(certpath, cap, trust + ["--no-keylog-search"])
        hs = [o for o in out if o["type"] == "handshake"]
        if [h["chain"] for h in hs] != [conn[0]["chain"]] or "client_chain" in hs[0]:
            sys.exit("without the key log: %s" % hs)
    print("%s: both handshakes read, client certificate in the second, findings %s"
          % (name, sorted(got) or "none"))


# Key logs found beside the capture (no --keylog): FILE.keylog, FILE's extension replaced, a
# directory of captures with theirs; discovery turned off; a sibling that is no key log.
BESIDE_CASES = ["keylog-beside-capture", "keylog-beside-disabled", "keylog-beside-malformed"]


def summary_of(out):
    return [o for o in out if o["type"] == "summary"][-1]


def keylog_beside(capgen, certpath, work, name):
    keylog = os.path.join(work, name + ".secrets")
    cap, truth, _ = generate(capgen, work, name, "tls13", ["--keylog", keylog])
    want = [t["chain"] for t in truth if t["type"] == "connection"]
    stem = cap[:-len(".pcap")] + ".keylog"
    for f in (cap + ".keylog", stem):
        if os.path.exists(f):
            os.unlink(f)
    if name == "keylog-beside-capture":
        folder = os.path.join(work, name + ".dir")
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        shutil.copy(cap, folder)
        shutil.copy(keylog, os.path.join(folder, os.path.basename(cap) + ".keylog"))
        packed = os.path.join(work, name + ".gz.dir")
        shutil.rmtree(packed, ignore_errors=True)
        os.makedirs(packed)
        with open(cap, "rb") as src, gzip.open(os.path.join(packed, "t.pcap.gz"), "wb") as dst:
            dst.write(src.read())
        shutil.copy(keylog, os.path.join(packed, "t.pcap.keylog"))
        for sibling, target in ((cap + ".keylog", cap), (stem, cap), (None, folder),
                                (os.path.join(packed, "t.pcap.keylog"),
                                 os.path.join(packed, "t.pcap.gz"))):
            if sibling is None:
                sibling = os.path.join(folder, os.path.basename(cap) + ".keylog")
            elif target == cap:
                shutil.copy(keylog, sibling)
            p = run_certpath([certpath, "--format", "json", "--no-system-ca", target])
            out = [json.loads(l) for l in p.stdout.decode().splitlines()]
            chains = [o["chain"] for o in out if o["type"] == "handshake"]
            err = p.stderr.decode()
            if chains != want or summary_of(out).get("keylogs") != [sibling]:
                sys.exit("%s beside %s: chains %s (truth %s), summary %s"
                         % (sibling, target, chains, want, summary_of(out)))
            if err.count("\n") != 1 or "using key log " + sibling not in err:
                sys.exit("%s: expected one stderr line naming the key log: %r" % (target, err))
            if any(k.startswith("keylog.") for k in summary_of(out).get("anomalies", {})):
                sys.exit("anomalies: %s" % summary_of(out)["anomalies"])
            if sibling != stem and os.path.exists(sibling) and target == cap:
                os.unlink(sibling)
        print("%s: key log read as FILE.keylog, as FILE's stem .keylog, in a directory and beside "
              "a .pcap.gz" % name)
        return
    shutil.copy(keylog, stem)
    if name == "keylog-beside-malformed":
        with open(stem, "w") as f:
            f.write("this is not a key log\n")
        extra = []
    else:
        extra = ["--no-keylog-search"]
    p = run_certpath([certpath, "--format", "json", "--no-system-ca"] + extra + [cap])
    if p.returncode != 1:
        sys.exit("exit %d, expected 1 (tls13-encrypted is inconclusive): %r"
                 % (p.returncode, p.stderr))
    out = [json.loads(l) for l in p.stdout.decode().splitlines()]
    codes = {o["code"] for o in out if o["type"] == "finding"}
    summ = summary_of(out)
    if codes != {"tls13-encrypted"} or "keylogs" in summ:
        sys.exit("findings %s, summary %s: the key log must not have been used" % (codes, summ))
    err = p.stderr.decode()
    anomalies = summ.get("anomalies", {})
    if name == "keylog-beside-disabled":
        if err or anomalies.get("keylog.sibling_unusable"):
            sys.exit("discovery off: stderr %r, anomalies %s" % (err, anomalies))
    elif (err.count("\n") != 1 or "warning: key log " + stem not in err
          or anomalies.get("keylog.sibling_unusable") != 1):
        sys.exit("malformed sibling: stderr %r, anomalies %s" % (err, anomalies))
    print("%s: not used, %s" % (name, err.strip() or "nothing said"))


def main():
    if sys.argv[1:] == ["--list"]:
        print("\n".join(list(CHAIN_CASES) + list(FINDING_CASES) + list(OPTION_CASES)
                        + ["dtls-findings-as-tls"] + list(KEYLOG_CASES) + list(RENEG_CASES) + BESIDE_CASES
                        + ["export-certs", "export-bundles", "ecs-fields"] + list(CLI_CASES)))
        return 0
    capgen, certpath, work, name = sys.argv[1:5]
    os.makedirs(work, exist_ok=True)
    if name == "export-certs":
        check_export(capgen, certpath, work)
    elif name == "export-bundles":
        check_export_bundles(capgen, certpath, work)
    elif name == "ecs-fields":
        check_ecs(capgen, certpath, work)
    elif name in CLI_CASES:
        check_cli(capgen, certpath, work, name)
    elif name == "dtls-findings-as-tls":
        dtls_same_as_tls(capgen, certpath, work, name)
    elif name in KEYLOG_CASES:
        keylog_same_as_clear(capgen, certpath, work, name)
    elif name in BESIDE_CASES:
        keylog_beside(capgen, certpath, work, name)
    elif name in RENEG_CASES:
        renegotiation_read(capgen, certpath, work, name)
    elif name in CHAIN_CASES:
        check_chains(capgen, certpath, work, name)
    else:
        check_findings(capgen, certpath, work, name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
