#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""contrib/systemd/certpath.service passes `systemd-analyze verify` (with the built certpath
and manual page standing in for the installed ones), asks for capabilities instead of root,
and its command line is one certpath accepts; contrib/logrotate/certpath rotates the -o file the
unit writes and sends SIGHUP. Skipped (77) without systemd-analyze.

usage: test_systemd_unit.py SOURCEDIR CERTPATH MANPAGE WORKDIR
"""
import os
import re
import shlex
import shutil
import subprocess
import sys


def main():
    src, certpath, man, work = sys.argv[1:5]
    unit = open(os.path.join(src, "contrib", "systemd", "certpath.service")).read()
    rotate = open(os.path.join(src, "contrib", "logrotate", "certpath")).read()
    fails = []
    keys = dict(re.findall(r"^(\w+)=(.*)$", unit, re.M))
    exec_start = re.search(r"^ExecStart=((?:.*\\\n)*.*)$", unit, re.M).group(1)
    argv = shlex.split(exec_start.replace("\\\n", " "))
    if keys.get("User") in (None, "root") or "CAP_NET_RAW" not in keys.get(
            "AmbientCapabilities", "") or "CAP_NET_ADMIN" not in keys.get(
            "CapabilityBoundingSet", ""):
        fails.append("the unit must run as a user with CAP_NET_RAW and CAP_NET_ADMIN")
    if "-Z" not in argv or "-o" not in argv:
        fails.append("ExecStart lacks -Z or -o: %s" % argv)
    log = argv[argv.index("-o") + 1] if "-o" in argv else ""
    if not log or not rotate.startswith("#") or log + " {" not in rotate:
        fails.append("the logrotate snippet does not rotate the unit's -o file %s" % log)
    if not re.search(r"postrotate\n.*(kill|HUP).*\n\s*endscript", rotate):
        fails.append("the logrotate snippet sends no SIGHUP in postrotate")
    # The unit's own options, minus the interface (a file instead): certpath must accept them.
    opts = argv[1:]
    i = opts.index("-i")
    del opts[i:i + 2]
    check = subprocess.run([certpath, "--format", "json", "--help"], capture_output=True,
                           text=True)
    for o in [a for a in opts if a.startswith("-")]:
        if o not in check.stdout:
            fails.append("ExecStart option %s is not one certpath knows" % o)
    sa = shutil.which("systemd-analyze")
    if sa is None:
        print("systemd-analyze not installed: unit not verified")
        if fails:
            sys.exit("\n".join(fails))
        sys.exit(77)
    os.makedirs(os.path.join(work, "man", "man1"), exist_ok=True)
    shutil.copy(man, os.path.join(work, "man", "man1", "certpath.1"))
    local = os.path.join(work, "certpath.service")
    with open(local, "w") as f:
        f.write(unit.replace(argv[0], os.path.abspath(certpath)))
    env = dict(os.environ, MANPATH=os.path.join(work, "man"), SYSTEMD_LOG_LEVEL="warning")
    r = subprocess.run([sa, "verify", local], capture_output=True, text=True, env=env,
                       timeout=120)
    # Only lines about our unit count: a container's own units may draw warnings of their own.
    ours = [l for l in (r.stdout + r.stderr).splitlines() if "certpath" in l]
    if r.returncode != 0 or ours:
        fails.append("systemd-analyze verify: exit %d\n%s" % (r.returncode, "\n".join(ours)))
    if fails:
        sys.exit("\n".join(fails))
    print("systemd unit verified; logrotate snippet rotates %s with SIGHUP" % log)


if __name__ == "__main__":
    main()
