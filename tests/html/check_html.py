#!/usr/bin/env python3
"""The HTML report of each demo capture, as a browser shows it: certpath --html, an HTML
validator (tidy -errors, Debian package tidy), then headless Chromium (Debian package chromium)
dumps the DOM and takes a screenshot, and the trust graph's SVG must hold the expected nodes and
the marked (fault) edges.

usage: check_html.py CERTPATH CAPTURES_DIR WORKDIR CASE
       check_html.py --list
"""
import glob
import html.parser
import os
import shutil
import subprocess
import sys
import tempfile

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}


def fault_edge(tail=None, head_class=None, head_text=(), label=None):
    return {"tail": tail, "head_class": head_class, "head_text": head_text, "label": label}


# capture -> what the picture must show. nodes: strings some node's text must contain.
CASES = {
    "healthy": {"nodes": ["10.1.0.10:5061", "10.1.0.20:443", "contoso-Root-CA"], "faults": []},
    "lookalike": {
        "nodes": ["10.1.0.20:443", "10.1.0.10:5061"],
        "lookalike_edges": 2,
        "faults": [fault_edge(tail="Issuing", head_class="root",
                              label="not the front end's root")],
    },
    "leaf-only": {
        "nodes": ["10.1.0.20:443"],
        "missing": ["contoso-Issuing-CA", "http://pki.contoso.com/contoso-issuing.crt",
                    "not sent by 10.1.0.20:443"],
        "faults": [fault_edge(tail="10.1.0.20:443", head_class="missing",
                              head_text=("contoso-Issuing-CA",), label="intermediate not sent")],
    },
    "public-ca": {
        "nodes": ["10.1.0.20:443", "10.1.0.10:5061"],
        "faults": [fault_edge(head_class="root", label="not the front end's root")],
    },
    "edge-serials": {
        "nodes": ["10.1.0.31:443", "10.1.0.32:443"],
        "cluster": "sip.contoso.com",
        "faults": [fault_edge(tail="10.1.0.32:443", label="a different certificate")],
    },
    "unknown-ca": {
        "nodes": ["10.1.0.20:443"],
        "faults": [fault_edge(tail="10.1.0.20:443", label="unknown_ca")],
    },
    "expired": {"nodes": ["10.1.0.20:443"], "faults": []},
    "sni-mismatch": {"nodes": ["10.1.0.20:443"], "faults": []},
    "weak": {"nodes": ["10.1.0.20:443"], "faults": []},
    "all": {"nodes": ["10.1.0.10:5061"], "faults": [fault_edge(label="unknown_ca")]},
    # Names from the wire built to break out of the page, the SVG or a Graphviz label.
    # OpenSSL prints the DN RFC 4514-escaped (\< ...); a backslash is drawn as U+2216 in the
    # graph, so \N and \G stay text instead of becoming Graphviz's node and graph names.
    "hostile": {"nodes": ["\u2216<script\u2216>alert(1)", "\u2216\u2216N\u2216\u2216G",
                          "\u2216xE2\u2216x80\u2216xAE evil", "192.0.2.10:443"],
                "missing": ["\u2216</text\u2216>\u2216</g\u2216>\u2216<script"],
                "faults": [fault_edge(tail="192.0.2.10:443", head_class="missing",
                                      label="issuer found nowhere")]},
}

HOSTILE_CN = (b'<script>alert(1)</script>"\'><img src=x onerror=alert(2)></svg></html>'
              b' & &amp; \\N\\G \xe2\x80\xae evil \\')
HOSTILE_ISSUER = b'</text></g><script>alert(3)</script>\\'


def hostile_capture(work):
    """A server whose leaf, issuer, SAN and the client's SNI carry markup and Graphviz escapes,
    written with the adversarial suite's capture builder (tests/adversarial/hostile.py)."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                    "adversarial"))
    import hostile
    path = os.path.join(work, "hostile.pcap")
    p = hostile.Pcap(path)
    cert = hostile.certificate(hostile.der_name(HOSTILE_CN), hostile.der_name(HOSTILE_ISSUER),
                               [b'<b onmouseover=alert(4)>x</b>'])
    flight = hostile.record(22, hostile.server_hello_msg() + hostile.certificate_msg([cert])
                            + hostile.handshake(14, b''))
    hostile.tls_connection(p, flight, sni=b'"><iframe src=//evil.test>')
    p.close()
    return path


class Dom(html.parser.HTMLParser):
    """The SVG groups Graphviz writes (<g id class><title>..</title><text>..</text>), the open/close
    balance of the page, and any attribute that would fetch something."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.groups, self.cur = [], [], []
        self.fetching, self.unbalanced = [], []
        self.field = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for k, v in a.items():
            if k in ("src", "href", "xlink:href", "action", "srcset") or k.startswith("on"):
                self.fetching.append((tag, k, v))
        if tag in ("script", "iframe", "img", "object", "embed") or (tag == "link" and "stylesheet" in (a.get("rel") or "")):
            self.fetching.append((tag, "", ""))
        if tag in VOID:
            return
        self.stack.append(tag)
        if tag == "g":
            g = {"id": a.get("id", ""), "class": (a.get("class") or "").split(), "title": "",
                 "text": [], "red_text": 0}
            self.groups.append(g)
            self.cur.append(g)
        elif tag in ("title", "text") and self.cur:
            self.field = tag
            if tag == "text" and (a.get("fill") or "").lower() == "#d50000":
                self.cur[-1]["red_text"] += 1

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.unbalanced.append((tag, list(self.stack[-3:])))
            if tag in self.stack:
                while self.stack.pop() != tag:
                    pass
            return
        self.stack.pop()
        if tag == "g":
            self.cur.pop()
        if tag in ("title", "text"):
            self.field = None

    def handle_data(self, data):
        if self.field and self.cur:
            g = self.cur[-1]
            if self.field == "title":
                g["title"] += data
            else:
                g["text"].append(data)


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def browser(exe, profile, *args):
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
           "--disable-extensions", "--user-data-dir=" + profile] + list(args)
    return subprocess.run(cmd, capture_output=True, timeout=120)


def check(certpath, captures, work, name):
    want = CASES[name]
    cap = (hostile_capture(work) if name == "hostile"
           else os.path.join(captures, name + ".pcapng"))
    roots = sorted(glob.glob(os.path.join(captures, "pki", name, "*root*.pem")))
    page = os.path.join(work, name + ".html")
    args = [certpath, "--no-system-ca", "--html", page]
    for r in roots:
        args += ["--ca-file", r]
    wrapper = os.environ.get("CERTPATH_WRAPPER", "").split()
    if wrapper:
        # Under the memcheck setup: Graphviz and fontconfig leak inside their own code.
        wrapper.insert(1, "--suppressions=" + os.path.join(
            os.path.dirname(os.path.abspath(__file__)), "graphviz.supp"))
    p = subprocess.run(wrapper + args + [cap], capture_output=True, timeout=600)
    if p.returncode == 99:
        sys.exit("valgrind found a memory error:\n" + p.stderr.decode()[-3000:])
    if p.returncode not in (0, 1):
        sys.exit("certpath failed (%d): %s" % (p.returncode, p.stderr.decode()))
    src = open(page, encoding="utf-8").read()
    problems = []

    # Self-contained: nothing fetched, parses balanced, and the validator has nothing to say.
    d = Dom()
    d.feed(src)
    d.close()
    if d.fetching:
        problems.append("the page would fetch or run something: %s" % d.fetching[:3])
    if d.unbalanced or d.stack:
        problems.append("unbalanced tags: %s, left open %s" % (d.unbalanced[:3], d.stack))
    tidy = shutil.which("tidy")
    if tidy:
        t = subprocess.run([tidy, "-errors", "-q", page], capture_output=True, timeout=60)
        if t.returncode != 0:
            problems.append("tidy: " + t.stderr.decode()[:1500])
    else:
        print("tidy not found: checked with Python's HTML parser only")

    exe = chromium()
    if exe is None:
        print("chromium not found (Debian package chromium)")
        return 77
    with tempfile.TemporaryDirectory(dir=work) as profile:
        url = "file://" + os.path.abspath(page)
        shot = os.path.join(work, name + ".png")
        if os.path.exists(shot):
            os.unlink(shot)
        b = browser(exe, profile, "--window-size=1280,2000", "--screenshot=" + shot, url)
        if not os.path.exists(shot) or os.path.getsize(shot) < 10000:
            problems.append("no screenshot: " + b.stderr.decode()[-800:])
        elif open(shot, "rb").read(8) != b"\x89PNG\r\n\x1a\n":
            problems.append("the screenshot is not a PNG")
        dom = browser(exe, profile, "--dump-dom", url)
    rendered = Dom()
    rendered.feed(dom.stdout.decode("utf-8", "replace"))
    nodes = {g["id"]: g for g in rendered.groups if "node" in g["class"]}
    edges = [g for g in rendered.groups if "edge" in g["class"]]
    if not nodes:
        problems.append("the rendered page has no graph node")

    def text(g):
        return "".join(g["text"]).replace("\u00b7", " ")

    def words(g):
        return " ".join(g["text"])

    for n in want["nodes"]:
        if not any(n in words(g) for g in nodes.values()):
            problems.append("no node shows %r" % n)
    for m in want.get("missing", []):
        if not any(m in words(g) and "missing" in g["class"] for g in nodes.values()):
            problems.append("no dashed missing-certificate box shows %r" % m)
    if "lookalike_edges" in want:
        got = sum(1 for e in edges if "lookalike" in e["class"])
        if got != want["lookalike_edges"]:
            problems.append("%d look-alike pairs drawn, expected %d" % (got,
                                                                       want["lookalike_edges"]))
        marked = [g for g in nodes.values() if "fault" in g["class"] and g["red_text"] > 0]
        if len(marked) < 4:
            problems.append("look-alike CAs without their differing characters highlighted")
    if "cluster" in want:
        clusters = [g for g in rendered.groups if "cluster" in g["class"]]
        if not any(want["cluster"] in words(c) for c in clusters):
            problems.append("no array group answering %r" % want["cluster"])
    faults = [e for e in edges if "fault" in e["class"]]
    for f in want["faults"]:
        ok = False
        for e in faults:
            tail_id, _, head_id = e["title"].partition("->")
            tail, head = nodes.get(tail_id.strip()), nodes.get(head_id.strip())
            if tail is None or head is None:
                continue
            if f["tail"] and f["tail"] not in text(tail):
                continue
            if f["head_class"] and f["head_class"] not in head["class"]:
                continue
            if any(t not in text(head) for t in f["head_text"]):
                continue
            if f["label"] and f["label"] not in words(e):
                continue
            ok = True
        if not ok:
            problems.append("no marked edge %s (marked: %s)" % (
                f, [(e["title"], words(e)) for e in faults]))
    if not want["faults"] and faults:
        problems.append("a healthy picture has marked edges: %s" % [e["title"] for e in faults])
    if problems:
        sys.exit("%s:\n  " % name + "\n  ".join(problems))
    print("%s: %d nodes, %d edges (%d marked), screenshot %s" % (
        name, len(nodes), len(edges), len(faults), os.path.join(work, name + ".png")))
    return 0


def main():
    if sys.argv[1:] == ["--list"]:
        print("\n".join(CASES))
        return 0
    certpath, captures, work, name = sys.argv[1:5]
    os.makedirs(work, exist_ok=True)
    return check(certpath, captures, work, name)


if __name__ == "__main__":
    sys.exit(main())
