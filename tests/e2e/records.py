#!/usr/bin/env python3
"""certpath --records end to end: one site captured at several points (capgen makes the whole
site; certpath's own -r FILE 'filter' cuts out what each sensor would see, overlapping like real
sensors do), each sensor's capture read with --format json, and the sensors' JSON Lines given to
--records must give the findings, servers, paths and summary counts of the whole capture.

usage: records.py --list
       records.py CAPGEN CERTPATH WORKDIR CASE
       records.py CAPGEN CERTPATH WORKDIR records-public-captures CORPUS_DIR
"""
import json
import os
import re
import shutil
import subprocess
import sys

WRAPPER = os.environ.get("CERTPATH_WRAPPER", "").split()

# scenario, sensors (a BPF filter each: what that server's own capture holds), and the finding
# codes the whole site has that no single sensor has (the point of merging).
SITES = {
    # Front end + the Exchange it talks to; the Exchange servers of the other domains; the Edge
    # pairs, which also capture the Exchange server 10.1.0.20 (its handshakes seen twice).
    "records-three-sensors": ("all", [
        "host 10.1.0.10 or host 10.1.0.20 or host 10.3.0.20",
        "host 10.4.0.20 or host 10.6.0.20 or host 10.1.0.20",
        "host 10.1.0.31 or host 10.1.0.32 or net 10.5.0.0/16",
    ], set()),
    # The look-alike CAs are only a fault when servers of both CAs are seen together.
    "records-lookalike": ("lookalike", [
        "host 10.1.0.10 or host 10.1.0.31 or host 10.1.0.32",
        "host 10.1.0.20",
    ], {"similar-issuers"}),
}
OTHER = ["records-stdin", "records-older-version", "records-hostile"]


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, timeout=600, **kw)


def certpath(cp, args, **kw):
    p = run(WRAPPER + [cp] + args, **kw)
    if p.returncode == 99:
        sys.exit("valgrind found a memory error:\n" + p.stderr.decode()[-3000:])
    return p


def lines_of(p):
    return [json.loads(l) for l in p.stdout.decode().splitlines()]


def generate(capgen, work, name, scenario):
    cap = os.path.join(work, name + ".pcap")
    pki = os.path.join(work, name + ".pki")
    shutil.rmtree(pki, ignore_errors=True)
    p = run([capgen, "--scenario", scenario, "--out", cap, "--truth", cap + ".truth",
             "--export-pki", pki])
    if p.returncode != 0:
        sys.exit("capgen failed: " + p.stderr.decode())
    roots = sorted(os.path.join(pki, f) for f in os.listdir(pki) if "root" in f)
    return cap, ["--no-system-ca"] + [a for r in roots for a in ("--ca-file", r)]


def view(out, words=True):
    """What must not depend on how the evidence arrived: findings, servers and their paths, the
    summary's counts and outcome (order aside: servers appear in the order first seen). words:
    the messages and remedies too, which name what was seen first (the first SNI, the first
    array member), so they match only when the lines come in capture order."""
    findings = sorted((o["code"], o["severity"], tuple(sorted(o["servers"])),
                       tuple(sorted(o["certificates"])), o["handshakes"],
                       o["message"] if words else "", o["remedy"] if words else "")
                      for o in out if o["type"] == "finding")
    servers = sorted((o["server"], o["role"], tuple(sorted(o["names"])), o["handshakes"],
                      json.dumps(o["paths"], sort_keys=True)) for o in out if o["type"] == "server")
    s = [o for o in out if o["type"] == "summary"][-1]
    summary = {k: s.get(k) for k in ("handshakes", "certificate_messages", "certificates",
                                     "servers", "findings", "outcome")}
    return findings, servers, summary


def sensors_jsonl(cp, work, name, cap, trust, filters):
    files = []
    for i, f in enumerate(filters):
        path = os.path.join(work, "%s.sensor%d.jsonl" % (name, i))
        p = certpath(cp, ["--format", "json"] + trust + ["-r", cap, f])
        if p.returncode not in (0, 1):
            sys.exit("sensor %d: certpath failed (%d): %s" % (i, p.returncode, p.stderr.decode()))
        with open(path, "wb") as fh:
            fh.write(p.stdout)
        files.append(path)
    return files


def compare(whole, merged, what, words=True):
    problems = []
    for label, a, b in zip(("findings", "servers", "summary"), view(whole, words),
                           view(merged, words)):
        if a != b:
            problems.append("%s: %s differ from the whole capture's:\n  whole:  %s\n  merged: %s"
                            % (what, label, a, b))
    return problems


def check_site(capgen, cp, work, name):
    scenario, filters, only_merged = SITES[name]
    cap, trust = generate(capgen, work, name, scenario)
    whole_p = certpath(cp, ["--format", "json"] + trust + [cap])
    files = sensors_jsonl(cp, work, name, cap, trust, filters)
    merged_p = certpath(cp, ["--format", "json"] + trust + ["--records"] + files)
    problems = compare(lines_of(whole_p), lines_of(merged_p), "--records")
    if merged_p.returncode != whole_p.returncode:
        problems.append("exit status %d, the whole capture's %d" % (merged_p.returncode,
                                                                   whole_p.returncode))
    merged = lines_of(merged_p)
    codes = {o["code"] for o in merged if o["type"] == "finding"}
    if not codes:
        problems.append("the site has no finding: the comparison would prove nothing")
    summary = merged[-1]
    if summary.get("records") is not True or summary["packets"] != 0:
        problems.append("the summary does not say the run read records: %s" % summary)
    if len(filters) == 3 and summary["anomalies"].get("records.duplicate", 0) == 0:
        problems.append("handshakes two sensors captured were not recognised as one")
    for i, f in enumerate(files):
        own = {o["code"] for o in lines_of(certpath(cp, ["--format", "json"] + trust +
                                                    ["--records", f]))
               if o["type"] == "finding"}
        if codes <= own:
            problems.append("sensor %d alone already has every finding %s: the split is not a "
                            "test of merging" % (i, sorted(codes)))
        if only_merged & own:
            problems.append("sensor %d alone finds %s" % (i, sorted(only_merged & own)))
    if not only_merged <= codes:
        problems.append("merged findings %s lack %s" % (sorted(codes), sorted(only_merged)))
    # The text report from records names the same codes as from the capture.
    text_codes = lambda t: set(re.findall(r"^\[(?:ERROR|WARNING|info)\] ([a-z0-9-]+):", t, re.M))
    t_whole = certpath(cp, trust + [cap]).stdout.decode()
    t_merged = certpath(cp, trust + ["--records"] + files).stdout.decode()
    if text_codes(t_whole) != text_codes(t_merged):
        problems.append("text findings differ: %s vs %s" % (sorted(text_codes(t_whole)),
                                                           sorted(text_codes(t_merged))))
    if "JSON records of certpath sensors" not in t_merged:
        problems.append("the text report does not say it read records")
    if problems:
        sys.exit("\n".join(problems))
    print("%s: %d sensors merged give the whole capture's findings %s" % (name, len(files),
                                                                          sorted(codes)))


def three_sensors(capgen, cp, work, name):
    cap, trust = generate(capgen, work, name, "all")
    files = sensors_jsonl(cp, work, name, cap, trust, SITES["records-three-sensors"][1])
    whole = lines_of(certpath(cp, ["--format", "json"] + trust + [cap]))
    return cap, trust, files, whole


def check_stdin(capgen, cp, work, name):
    cap, trust, files, whole = three_sensors(capgen, cp, work, name)
    stream = b"".join(open(f, "rb").read() for f in files)
    p = certpath(cp, ["--format", "json"] + trust + ["--records", "-"], input=stream)
    problems = compare(whole, lines_of(p), "--records -")
    # A shipper that delivers a sensor's lines twice: every handshake of the repeat is the same
    # connection, counted once.
    p2 = certpath(cp, ["--format", "json"] + trust + ["--records", "-", files[0]], input=stream)
    problems += compare(whole, lines_of(p2), "a sensor's lines twice")
    # A shipper that mixed the order: handshakes before the certificates they name.
    lines = stream.splitlines(keepends=True)
    p3 = certpath(cp, ["--format", "json"] + trust + ["--records", "-"],
                  input=b"".join(reversed(lines)))
    problems += compare(whole, lines_of(p3), "lines in reverse order", words=False)
    if problems:
        sys.exit("\n".join(problems))
    print("%s: standard input, repeated lines and reversed lines give the whole capture's "
          "findings" % name)


def check_older(capgen, cp, work, name):
    cap, trust, files, whole = three_sensors(capgen, cp, work, name)
    old = os.path.join(work, name + ".old.jsonl")
    with open(old, "w") as fh:
        for f in files:
            for line in open(f):
                o = json.loads(line)
                o.pop("der", None)
                fh.write(json.dumps(o) + "\n")
    p = certpath(cp, ["--format", "json"] + trust + ["--records", old])
    err = p.stderr.decode()
    problems = []
    if not re.search(r"certificate records carry no DER \(written by a certpath older than "
                     r"--records\)", err):
        problems.append("no clear message for records without DER:\n" + err)
    if len(err.strip().splitlines()) != 1:
        problems.append("the message is not said once:\n" + err)
    s = lines_of(p)[-1]
    if s["anomalies"].get("records.no_der", 0) == 0 or s["certificates"] != 0:
        problems.append("records.no_der not counted: %s" % s)
    # The only findings left are alerts the clients sent; never a clean bill of health.
    if p.returncode != 1:
        problems.append("exit status %d, expected 1" % p.returncode)
    if s["outcome"] == "clean":
        problems.append("a run that could check no chain is called clean")
    text = certpath(cp, trust + ["--records", old]).stdout.decode()
    if "records.no_der" not in text:
        problems.append("the text verdict does not name records.no_der")
    if problems:
        sys.exit("\n".join(problems))
    print("%s: older records are named, counted and inconclusive" % name)


def check_hostile(capgen, cp, work, name):
    cap, trust, files, whole = three_sensors(capgen, cp, work, name)
    good = b"".join(open(f, "rb").read() for f in files)
    cert = next(l for l in good.splitlines() if b'"type":"certificate"' in l)
    o = json.loads(cert)
    lying = dict(o, sha1="0" * 40)
    junk = [
        b"not json at all", b"{", b"[" * 100000, b"[1]" , b'"a string"', b"{}",
        b'{"type":"handshake","ts":"yesterday"}', b'{"type":"handshake"}',
        b'{"type":"certificate","sha1":"XYZ","der":"AAAA"}',
        json.dumps(lying).encode(),
        cert.replace(b'"der":"', b'"der":"*'),
        b'{"s":"\xff\xfe"}', b"\x00\x01\x02", b'{"a":"\\ud800"}',
        b"[" + b"1," * 70000 + b"1]",
        b'{"type":"certificate","sha1":"' + b"A" * 40 + b'","der":"' + b"A" * 5000000 + b'"}',
        b'{"type":"future-record","x":1}', b"   ", b"",
    ]
    hostile = os.path.join(work, name + ".hostile.jsonl")
    with open(hostile, "wb") as fh:
        fh.write(b"\n".join(junk) + b"\n" + good + b"\r\n".join(junk[:3]))  # no final newline
    p = certpath(cp, ["--format", "json"] + trust + ["--records", hostile])
    problems = compare(whole, lines_of(p), "records among hostile lines")
    if p.returncode not in (0, 1):
        problems.append("exit status %d: %s" % (p.returncode, p.stderr.decode()))
    an = lines_of(p)[-1]["anomalies"]
    for k in ("records.malformed", "records.too_large", "records.der_mismatch"):
        if an.get(k, 0) == 0:
            problems.append("%s not counted: %s" % (k, an))
    if not re.search(r"lines skipped: not certpath records", p.stderr.decode()):
        problems.append("skipped lines not said on standard error: " + p.stderr.decode())
    # Lower limits are honoured and named.
    p = certpath(cp, ["--format", "json", "--max-record-line", "100", "--records", hostile])
    an = lines_of(p)[-1]["anomalies"]
    if an.get("records.too_large", 0) < len(good.splitlines()):
        problems.append("--max-record-line 100 did not skip the certificate lines: %s" % an)
    if "max-record-line" not in json.dumps(lines_of(p)[-1]["anomaly_options"]):
        problems.append("anomaly_options does not name --max-record-line")
    # Inputs that are not records at all: one line each, exit 2.
    for args, want in (([cap], "is a capture file, not certpath JSON records"),
                       ([work], "is a directory"),
                       ([os.path.join(work, "missing.jsonl")], "No such file"),
                       (["-i", "lo"], "--records reads JSON Lines: it excludes -i"),
                       (["-r", files[0], "port 443"], "excludes -i and a capture filter")):
        p = certpath(cp, ["--records"] + args)
        if p.returncode != 2 or want not in p.stderr.decode():
            problems.append("%s: exit %d, stderr %r (want %r)" % (args, p.returncode,
                                                                   p.stderr.decode(), want))
    if problems:
        sys.exit("\n".join(problems))
    print("%s: hostile lines counted and skipped, the records among them still merged" % name)


def check_public(cp, work, corpus):
    """Every public capture of the corpus (real servers, real faults): its JSON records read back
    give its own findings, servers and counts. Skipped (77) without the corpus."""
    public = os.path.join(corpus, "public")
    manifest = os.path.join(public, "MANIFEST.tsv")
    if not os.path.exists(manifest):
        print("SKIP: no public captures at " + public)
        return 77
    names = [l.split("\t")[0] for l in open(manifest).read().splitlines()[1:] if l.strip()]
    problems, same = [], 0
    for n in names:
        # Captures with a key log beside them (hotplace__tls12_renegotiation: two handshakes on
        # one connection, seconds apart) are read with it, so a renegotiation must come back as
        # two handshakes, not as a duplicate of one.
        p = certpath(cp, ["--format", "json", os.path.join(public, n)])
        if p.returncode not in (0, 1):
            continue  # an input error: nothing to compare
        path = os.path.join(work, "public-%s.jsonl" % n)
        with open(path, "wb") as fh:
            fh.write(p.stdout)
        q = certpath(cp, ["--format", "json", "--records", path])
        got = compare(lines_of(p), lines_of(q), n)
        if q.returncode != p.returncode:
            got.append("%s: exit %d from records, %d from the capture" % (n, q.returncode,
                                                                          p.returncode))
        problems += got
        same += not got
    if problems or same == 0:
        sys.exit("\n".join(problems) or "no public capture compared")
    print("records-public-captures: %d captures give the same diagnosis from their records" % same)
    return 0


def main():
    if sys.argv[1:] == ["--list"]:
        print("\n".join(list(SITES) + OTHER))
        return 0
    capgen, cp, work, name = sys.argv[1:5]
    os.makedirs(work, exist_ok=True)
    if name == "records-public-captures":
        return check_public(cp, work, sys.argv[5])
    if name in SITES:
        check_site(capgen, cp, work, name)
    elif name == "records-stdin":
        check_stdin(capgen, cp, work, name)
    elif name == "records-older-version":
        check_older(capgen, cp, work, name)
    elif name == "records-hostile":
        check_hostile(capgen, cp, work, name)
    else:
        sys.exit("unknown case " + name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
