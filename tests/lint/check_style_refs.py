#!/usr/bin/env python3
"""Every style-rule citation names a rule docs/internals/style.md defines (STYLE R78).

Comments cite the project's style rules as "STYLE R<n>", "STYLE R<n>-R<m>", "STYLE R<n>, R<m>" or
a bare "R<n>", and sections as "STYLE §<n>.<m>"; all of them refer to docs/internals/style.md. A
rule is defined there by a paragraph that opens with **R<n> (bold), a section by a heading that
opens with §<n>.<m>. Scans the tracked and new files under src/, dissectors/, tests/, docs/ and
the top-level meson files. Usage: check_style_refs.py SOURCE_ROOT"""
import os
import re
import subprocess
import sys

root = sys.argv[1]
STYLE_MD = "docs/internals/style.md"
SCANNED = ["src", "dissectors", "tests", "docs", "meson.build", "meson_options.txt"]
SKIP_DIRS = ("tests/fuzz/corpus/",)

try:
    text = open(os.path.join(root, STYLE_MD), encoding="utf-8").read()
except OSError as e:
    print("%s: %s" % (STYLE_MD, e))
    sys.exit(1)
rules = {int(n) for n in re.findall(r"^\*\*R(\d+)\b", text, re.M)}
sections = set(re.findall(r"^#+ §(\d+(?:\.\d+)*)", text, re.M))


def files():
    try:
        out = subprocess.run(["git", "-C", root, "ls-files", "-z", "--cached", "--others",
                              "--exclude-standard", "--"] + SCANNED,
                             capture_output=True, check=True).stdout
        names = sorted(set(n for n in out.decode().split("\0") if n))
    except (OSError, subprocess.CalledProcessError):
        names = []
        for top in SCANNED:
            if os.path.isfile(os.path.join(root, top)):
                names.append(top)
            for d, _, fs in os.walk(os.path.join(root, top)):
                names += [os.path.relpath(os.path.join(d, f), root) for f in fs]
    return [n for n in names if not n.startswith(SKIP_DIRS) and os.path.isfile(os.path.join(root, n))]


# A citation may wrap across a comment line ("STYLE\n * R63"): comment leaders become spaces.
LEADER = re.compile(r"\n[ \t]*(?:\*|#|//|--)?[ \t]*")
STYLE_REF = re.compile(r"STYLE\s+((?:§\s*\d+(?:\.\d+)*|R\s?\d+)(?:\s*(?:[-–,;/]|and)\s*(?:R\s?\d+|§\s*\d+(?:\.\d+)*))*)")
BARE_RULE = re.compile(r"(?<![\w§/.-])R(\d{1,3})\b(?![\w.-])")

bad = []
count = 0
for name in files():
    try:
        raw = open(os.path.join(root, name), encoding="utf-8").read()
    except (UnicodeDecodeError, OSError):
        continue  # binary test data
    flat = LEADER.sub(" ", raw)
    cited = set()
    for m in STYLE_REF.finditer(flat):
        for sec in re.findall(r"§\s*(\d+(?:\.\d+)*)", m.group(1)):
            count += 1
            if sec not in sections:
                bad.append("%s: STYLE §%s is not a section of %s" % (name, sec, STYLE_MD))
        cited |= {int(n) for n in re.findall(r"R\s?(\d+)", m.group(1))}
    cited |= {int(n) for n in BARE_RULE.findall(flat)}
    for n in sorted(cited):
        count += 1
        if n not in rules:
            bad.append("%s: R%d is not a rule of %s" % (name, n, STYLE_MD))

for b in bad:
    print("dangling style citation: " + b)
if not bad:
    print("%d citations, all defined (%d rules, %d sections in %s)"
          % (count, len(rules), len(sections), STYLE_MD))
sys.exit(1 if bad else 0)
