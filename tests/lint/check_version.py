#!/usr/bin/env python3
"""The version is stated once, in meson.build's project(): `certpath --version` and the manual page
the build produces (docs/certpath.1.in -> build/docs/certpath.1) both carry it.
Usage: check_version.py VERSION CERTPATH BUILT_MAN_PAGE"""
import re
import subprocess
import sys

version, certpath, man_path = sys.argv[1], sys.argv[2], sys.argv[3]
bad = []

run = subprocess.run([certpath, "--version"], capture_output=True, text=True)
got = run.stdout.strip()
if run.returncode != 0 or got != "certpath " + version:
    bad.append("certpath --version printed %r (exit %d), expected %r"
               % (got, run.returncode, "certpath " + version))

th = [line for line in open(man_path) if line.startswith(".TH ")]
if len(th) != 1:
    bad.append("%s: expected one .TH line, found %d" % (man_path, len(th)))
elif ('"certpath %s"' % version) not in th[0]:
    bad.append("%s: .TH line does not carry version %s: %s" % (man_path, version, th[0].strip()))
if re.search(r"@[A-Z_]+@", open(man_path).read()):
    bad.append("%s: unsubstituted @PLACEHOLDER@ left in the built page" % man_path)

for b in bad:
    print("version mismatch: " + b)
if not bad:
    print("certpath --version and %s both say %s" % (man_path, version))
sys.exit(1 if bad else 0)
