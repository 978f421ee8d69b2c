#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""The progress line: certpath reading a slow standard input shows "reading standard input: N packets" on
standard error, rewritten in place, when standard error is a terminal (a pty here), erases it
before the report ends, and never writes it when standard error is a pipe.

usage: test_progress.py CAPGEN CERTPATH WORKDIR
"""
import os
import pty
import re
import select
import subprocess
import sys
import time


def run(certpath, cap, tty):
    data = open(cap, "rb").read()
    half = 24 + (len(data) - 24) // 2  # the pcap header and about half of the packets
    master = slave = None
    if tty:
        master, slave = pty.openpty()
    p = subprocess.Popen([certpath, "--format", "json", "-"], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=slave if tty else subprocess.PIPE)
    if tty:
        os.close(slave)
    p.stdin.write(data[:half])
    p.stdin.flush()
    time.sleep(1.6)  # longer than the progress period: the next packet shows the line
    p.stdin.write(data[half:])
    p.stdin.close()
    out = p.stdout.read()
    err = b""
    if tty:
        while True:
            r, _, _ = select.select([master], [], [], 5)
            if not r:
                break
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: the other side is closed
                break
            if not chunk:
                break
            err += chunk
        os.close(master)
    else:
        err = p.stderr.read()
    p.wait(30)
    return p.returncode, out.decode(), err.decode("utf-8", "replace")


def main():
    capgen, certpath, work = sys.argv[1:4]
    os.makedirs(work, exist_ok=True)
    cap = os.path.join(work, "progress.pcap")
    subprocess.run([capgen, "--scenario", "all", "--out", cap, "--truth", cap + ".truth"],
                   check=True, capture_output=True)
    fails = []
    rc, out, err = run(certpath, cap, True)
    line = re.search(r"\rcertpath: reading standard input: (\d+) packets, (\d+) TLS handshakes so far\x1b\[K",
                     err)
    if not line or int(line.group(1)) == 0:
        fails.append("no progress line on the terminal: %r" % err)
    if not err.endswith("\r\x1b[K"):
        fails.append("the progress line is not erased at the end: %r" % err[-80:])
    summary = out.splitlines()[-1] if out else ""
    if rc not in (0, 1) or '"type":"summary"' not in summary:
        fails.append("the report suffered: exit %d, last line %r" % (rc, summary))
    rc, out, err = run(certpath, cap, False)
    if "reading" in err or "\r" in err:
        fails.append("progress written to a pipe: %r" % err)
    if fails:
        sys.exit("\n".join(fails))
    print("progress: %s packets shown on the tty, nothing on a pipe" % line.group(1))


if __name__ == "__main__":
    main()
