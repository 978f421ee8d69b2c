#!/usr/bin/env python3
"""Every long option of certpath --help-all is in the man page, and every limit of limits.def is in
docs/limits.md with its default (STYLE R79)."""
import os
import re
import subprocess
import sys

src, certpath = sys.argv[1], sys.argv[2]
# The page the build generates (docs/meson.build); without it, its template docs/certpath.1.in.
man_path = sys.argv[3] if len(sys.argv) > 3 else src + "/docs/certpath.1.in"
helptext = subprocess.run([certpath, "--help-all"], capture_output=True, text=True).stdout
options = set(re.findall(r"--([a-z][a-z0-9-]+)", helptext)) - {"help", "help-all", "help-limits"}
man = open(man_path).read().replace("\\-", "-")
limits_md = open(src + "/docs/limits.md").read()
bad = [o for o in sorted(options) if "--" + o not in man]
if os.path.exists(src + "/docs/certpath.1"):
    bad.append("docs/certpath.1 in the source tree: the page is built from docs/certpath.1.in, "
               "edit that instead")
for line in open(src + "/src/base/limits.def"):
    m = re.match(r'CP_LIMIT\((\w+), ([^,]+), "([^"]+)"', line)
    if m and ("--" + m.group(3)) not in limits_md:
        bad.append("limit --%s missing from docs/limits.md" % m.group(3))
for b in bad:
    print("undocumented: " + b)
print("%d options, all documented" % len(options) if not bad else "")
sys.exit(1 if bad else 0)
