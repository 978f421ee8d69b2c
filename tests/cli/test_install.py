#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""meson install puts certpath in bin/ and its manual page in share/man/man1/ under the prefix
(DESTDIR keeps it out of the system), the installed binary runs, and the page is the built one.

usage: test_install.py BUILDDIR WORKDIR
"""
import os
import shutil
import subprocess
import sys


def main():
    build, work = sys.argv[1:3]
    dest = os.path.join(work, "destdir")
    shutil.rmtree(dest, ignore_errors=True)
    r = subprocess.run(["meson", "install", "-C", build, "--no-rebuild", "--quiet",
                        "--destdir", dest], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("meson install failed: " + r.stderr[-2000:])
    found = {}
    for root, _, files in os.walk(dest):
        for f in files:
            found[os.path.relpath(os.path.join(root, f), dest)] = os.path.join(root, f)
    bins = [k for k in found if k.endswith("/bin/certpath")]
    pages = [k for k in found if k.endswith("/man/man1/certpath.1")]
    fails = []
    if len(bins) != 1:
        fails.append("no bin/certpath installed: %s" % sorted(found))
    if len(pages) != 1:
        fails.append("no man1/certpath.1 installed: %s" % sorted(found))
    if bins:
        v = subprocess.run([found[bins[0]], "--version"], capture_output=True, text=True)
        if v.returncode != 0 or not v.stdout.startswith("certpath "):
            fails.append("the installed certpath does not run: %r" % (v.stdout + v.stderr))
    if pages:
        page = open(found[pages[0]]).read()
        if "@VERSION@" in page or ".TH CERTPATH 1" not in page:
            fails.append("the installed page is not the configured one")
    if fails:
        sys.exit("\n".join(fails))
    print("install: %s and %s" % (bins[0], pages[0]))


if __name__ == "__main__":
    main()
