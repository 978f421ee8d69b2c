#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""End-to-end live capture test: real TLS over a veth pair between two network namespaces,
certpath -i on the client side. The server (openssl s_server) sends only its leaf, so the chain
misses its issuing CA: certpath must stream each handshake and the missing-intermediate finding
while it runs, then print the full report on SIGINT and exit 1.

usage: test_live.py CERTPATH        (root and iproute2 needed, else exit 77 = skipped)
"""

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402

PORT = 5061
FAILS = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        FAILS.append(what)
    return cond


class Certpath:
    """certpath -i running in the client namespace; stdout lines collected as they come."""

    def __init__(self, net, args, pki):
        self.lines = []  # (time, text)
        self.err = []
        self.lock = threading.RLock()
        cmd = [CERTPATH, "-i", net.if_cli, "--no-system-ca", "--ca-file",
               os.path.join(pki, "root.pem"), *args]
        self.p = net.popen(net.ns_cli, cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        threading.Thread(target=self._read, args=(self.p.stdout, self.lines), daemon=True).start()
        threading.Thread(target=self._read, args=(self.p.stderr, self.err), daemon=True).start()
        if not self.wait(lambda: any("listening on" in t for _, t in self.err), 10, True):
            raise RuntimeError("certpath did not start: " + " | ".join(self.stderr()))

    def _read(self, stream, into):
        for raw in stream:
            with self.lock:
                into.append((time.time(), raw.decode("utf-8", "replace").rstrip("\n")))

    def wait(self, pred, timeout, _=None):
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                if pred():
                    return True
            if self.p.poll() is not None:
                time.sleep(0.2)
                with self.lock:
                    return pred()
            time.sleep(0.05)
        return False

    def json_lines(self):
        with self.lock:
            out = []
            for t, text in self.lines:
                try:
                    out.append((t, json.loads(text)))
                except ValueError:
                    out.append((t, {"type": "not-json", "text": text}))
            return out

    def of_type(self, kind):
        return [(t, o) for t, o in self.json_lines() if o.get("type") == kind]

    def stderr(self):
        with self.lock:
            return [t for _, t in self.err]

    def stop(self, sig=signal.SIGINT, timeout=20):
        t = time.time()
        os.kill(self.p.pid, sig)  # ip netns exec execs certpath: same pid
        try:
            rc = self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            rc = None
        time.sleep(0.2)  # let the readers drain
        return t, rc


def check_report_so_far(cp, handshakes, sig):
    """The last summary so far: it counts the handshakes, comes after their lines, and holds the
    missing-intermediate finding (final: true) after it was streamed (final: false)."""
    lines = [o for _, o in cp.json_lines()]
    at = max(i for i, o in enumerate(lines) if o.get("type") == "summary")
    summary = lines[at]
    check(summary.get("handshakes", 0) >= handshakes,
          f"{sig}: the report counts {handshakes} handshakes ({summary.get('handshakes')})")
    shown = sum(1 for o in lines[:at] if o.get("type") == "handshake")
    check(shown >= summary.get("handshakes", 0),
          f"{sig}: the summary comes after the {shown} handshake lines it counts")
    mi = [i for i, o in enumerate(lines[:at]) if o.get("code") == "missing-intermediate"]
    check(bool(mi) and lines[mi[0]].get("final") is False and lines[mi[-1]].get("final") is True
          and lines[mi[-1]].get("handshakes", 0) >= handshakes,
          f"{sig}: the finding was streamed, then the report holds it with its count")


def test_stream_and_sigint(net, pki):
    """Handshakes and the finding stream before SIGINT; the summary and exit status after."""
    cp = Certpath(net, ["--format", "json", "--allow-root"], pki)
    for _ in range(3):
        r = net.s_client(pki, PORT)
        check(r.returncode == 0, "s_client handshake completes")
    got = cp.wait(lambda: len([1 for _, o in cp.json_lines() if o.get("type") == "handshake"]) >= 3
                  and any(o.get("type") == "finding" for _, o in cp.json_lines()), 15)
    check(got, "3 handshake lines and a finding line streamed while capturing")
    # SIGHUP: the report so far, and capture goes on.
    # Another handshake with the same fault, and a diagnosis round: only counted, not repeated.
    net.s_client(pki, PORT)
    check(cp.wait(lambda: len(cp.of_type("handshake")) >= 4, 10), "a 4th handshake streamed")
    time.sleep(1.5)
    t_hup = time.time()
    os.kill(cp.p.pid, signal.SIGHUP)
    check(cp.wait(lambda: any(o.get("type") == "summary" for _, o in cp.json_lines()), 5),
          "SIGHUP prints the report so far")
    check(cp.p.poll() is None, "certpath still runs after SIGHUP")
    check_report_so_far(cp, 4, "SIGHUP")
    r = net.s_client(pki, PORT)
    check(cp.wait(lambda: len(cp.of_type("handshake")) >= 5, 10),
          "a handshake after SIGHUP is still streamed")
    # SIGUSR1: the same report so far, now counting the 5th handshake.
    os.kill(cp.p.pid, signal.SIGUSR1)
    check(cp.wait(lambda: len(cp.of_type("summary")) >= 2, 5), "SIGUSR1 prints the report so far")
    check(cp.p.poll() is None, "certpath still runs after SIGUSR1")
    check_report_so_far(cp, 5, "SIGUSR1")
    t_int, rc = cp.stop()
    hs = cp.of_type("handshake")
    check(all(o.get("sni") == netns.SNI for _, o in hs), "handshakes carry the SNI")
    check(all(t < t_int for t, _ in hs[:5]), "handshake lines arrived before SIGINT")
    findings = cp.of_type("finding")
    early = [o for t, o in findings if t < t_int]
    check(any(o.get("code") == "missing-intermediate" for o in early),
          "missing-intermediate finding arrived before SIGINT")
    # Streamed findings are those before SIGHUP (its report repeats them).
    codes = [o.get("code") for t, o in findings if t < t_hup]
    check(len(codes) == len(set(codes)), f"each finding streamed once, not per handshake ({codes})")
    summaries = cp.of_type("summary")
    last = summaries[-1][1] if summaries else {}
    check(len(summaries) >= 2 and summaries[-1][0] >= t_int, "a final summary after SIGINT")
    check(last.get("received", 0) > 0, f"summary counts received packets ({last.get('received')})")
    check("dropped_kernel" in last, "summary has kernel drops")
    check(last.get("handshakes", 0) >= 5, "summary counts the handshakes")
    final = [o for t, o in findings if t >= t_int and o.get("code") == "missing-intermediate"]
    check(bool(final) and final[0].get("handshakes", 0) >= 5,
          "the final report counts the fault over every handshake")
    check(rc == 1, f"exit status 1 because of the finding (got {rc})")


def test_text_stream(net, pki):
    """Text mode: one line per handshake as it ends, with a timestamp."""
    cp = Certpath(net, ["--allow-root"], pki)
    net.s_client(pki, PORT)
    check(cp.wait(lambda: any(netns.SNI in t for _, t in cp.lines), 10),
          "text mode streams a handshake line")
    t_int, rc = cp.stop(signal.SIGTERM)
    first = next((t for _, t in cp.lines if netns.SNI in t), "")
    check(first[:2] == "20" and ":" in first[:20], f"handshake line starts with a time: {first!r}")
    check(any("received" in t for _, t in cp.lines), "text summary shows capture statistics")
    check(rc == 1, f"SIGTERM ends cleanly with status 1 (got {rc})")


def uid_of(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("Uid:"):
                return [int(x) for x in line.split()[1:]]
    return []


def test_privdrop_and_write(net, pki, tmp):
    """-Z nobody: capture goes on unprivileged; -w keeps the handshake packets as pcapng."""
    out = os.path.join(tmp, "hs.pcapng")
    cp = Certpath(net, ["--format", "json", "-Z", "nobody", "-w", out], pki)
    uids = uid_of(cp.p.pid)
    check(bool(uids) and all(u != 0 for u in uids), f"-Z nobody: no uid is root ({uids})")
    for _ in range(2):
        net.s_client(pki, PORT)
    check(cp.wait(lambda: len(cp.of_type("handshake")) >= 2, 10), "-Z nobody: handshakes streamed")
    # bulk data after the handshake must not be kept: fetch a page over the same connection
    _, rc = cp.stop()
    check(rc == 1, f"-Z nobody run exits 1 (got {rc})")
    check(any("handshake packets written" in t for t in cp.stderr()), "-w reports what it wrote")
    check(os.path.getsize(out) > 1000, "-w file holds packets")
    if netns.shutil.which("tshark") is None:
        print("note: tshark not installed; -w file not opened in tshark")
        return
    r = subprocess.run(["tshark", "-r", out, "-d", f"tcp.port=={PORT},tls", "-Y",
                        "tls.handshake.type == 11", "-T", "fields", "-e",
                        "tls.handshake.certificate_length"], capture_output=True, text=True)
    check(r.returncode == 0, f"tshark -r opens the -w file ({r.stderr.strip()[:200]})")
    certs = [line for line in r.stdout.splitlines() if line.strip()]
    check(len(certs) >= 2, f"tshark finds the Certificate messages in the -w file ({len(certs)})")
    r = subprocess.run(["tshark", "-r", out, "-T", "fields", "-e", "frame.time_epoch"],
                       capture_output=True, text=True)
    stamps = [float(x) for x in r.stdout.split()]
    check(bool(stamps) and abs(stamps[0] - time.time()) < 300, "-w timestamps are wall clock")


def test_idle_expiry(net, pki):
    """A handshake left hanging is reported by idle expiry while the wire stays silent."""
    cp = Certpath(net, ["--format", "json", "--allow-root", "--flow-timeout", "2"], pki)
    script = (
        "import socket,ssl,time\n"
        "ctx=ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT);ctx.check_hostname=False\n"
        "ctx.verify_mode=ssl.CERT_NONE;ctx.maximum_version=ssl.TLSVersion.TLSv1_2\n"
        "i,o=ssl.MemoryBIO(),ssl.MemoryBIO()\n"
        f"t=ctx.wrap_bio(i,o,server_hostname='{netns.SNI}')\n"
        "try: t.do_handshake()\n"
        "except ssl.SSLWantReadError: pass\n"
        f"s=socket.create_connection(('{netns.SERVER_IP}',{PORT}))\n"
        "s.sendall(o.read()); s.recv(65536); time.sleep(8)\n")
    client = net.popen(net.ns_cli, [sys.executable, "-c", script])
    got = cp.wait(lambda: len(cp.of_type("handshake")) >= 1, 7)
    check(got and client.poll() is None,
          "an idle half-done handshake is reported by expiry while its connection is silent")
    client.kill()
    client.wait()
    cp.stop()


def test_cli_errors(net, pki):
    r = net.ns(net.ns_cli, CERTPATH, "-D", check=False)
    check(r.returncode == 0 and net.if_cli in r.stdout.decode(), "-D lists the veth interface")
    r = net.ns(net.ns_cli, CERTPATH, "-i", "nosuch0", "--allow-root", check=False)
    err = r.stderr.decode().strip().splitlines()
    check(r.returncode == 2 and len(err) == 1 and "nosuch0" in err[0],
          f"a bad interface: one line, exit 2 ({err})")
    r = net.ns(net.ns_cli, CERTPATH, "-i", net.if_cli, check=False)
    err = r.stderr.decode().strip().splitlines()
    check(r.returncode == 2 and len(err) == 1 and "-Z nobody" in err[0] and "--allow-root" in err[0],
          f"root without -Z or --allow-root is refused in one line ({err})")
    r = net.ns(net.ns_cli, CERTPATH, "-i", net.if_cli, "-Z", "no_such_user_x", check=False)
    check(r.returncode == 2 and len(r.stderr.decode().strip().splitlines()) == 1,
          "-Z with an unknown user: one line, exit 2")
    r = net.ns(net.ns_cli, CERTPATH, "-i", net.if_cli, "--allow-root", "tcp port (", check=False)
    check(r.returncode == 2 and "filter" in r.stderr.decode(), "a bad BPF filter: exit 2")
    t0 = time.time()
    r = net.ns(net.ns_cli, CERTPATH, "-i", net.if_cli, "--allow-root", "--duration", "1",
               "--format", "json", check=False, timeout=20)
    took = time.time() - t0
    last = json.loads(r.stdout.decode().strip().splitlines()[-1])
    # Nothing seen is inconclusive (exit 1, outcome "inconclusive"), not clean.
    check(r.returncode == 1 and last.get("type") == "summary" and took < 5,
          f"--duration 1 on a silent wire ends in time with a summary, exit 1 ({took:.1f}s, "
          f"{r.returncode})")


def test_export_after_privdrop(net, pki, tmp):
    """--export-certs with -Z nobody: the directory certpath creates is the user's, so the
    certificates are exported; one root owns and nobody cannot write is refused before capture."""
    exp = os.path.join(tmp, "exported")
    cp = Certpath(net, ["--format", "json", "-Z", "nobody", "--export-certs", exp], pki)
    net.s_client(pki, PORT)
    check(cp.wait(lambda: len(cp.of_type("handshake")) >= 1, 10), "-Z nobody export: handshake")
    _, rc = cp.stop()
    pems = [n for n in os.listdir(exp) if n.endswith(".pem")] if os.path.isdir(exp) else []
    check(len(pems) >= 1, f"-Z nobody: certificates exported ({pems})")
    said = [t for t in cp.stderr() if "<SHA1>.pem" in t]
    check(not any("export" in t.lower() for t in cp.stderr() if t not in said),
          f"-Z nobody: no export error ({cp.stderr()})")
    check(len(said) == 1 and os.path.exists(os.path.join(exp, "manifest.json")),
          f"-Z nobody: the bundles and manifest.json written after the drop, and said ({said})")
    locked = os.path.join(tmp, "root-only")
    os.makedirs(locked, mode=0o755, exist_ok=True)
    os.chmod(locked, 0o755)
    r = net.ns(net.ns_cli, CERTPATH, "-i", net.if_cli, "-Z", "nobody", "--export-certs", locked,
               check=False, timeout=20)
    err = r.stderr.decode().strip().splitlines()
    check(r.returncode == 2 and len(err) == 1 and locked in err[0] and "-Z user" in err[0],
          f"an export directory the -Z user cannot write: one line, exit 2, before capture ({err})")


def nobody_dir(tmp, name):
    """A directory the -Z user owns, as LogsDirectory= gives the service user (contrib/)."""
    import pwd
    d = os.path.join(tmp, name)
    os.makedirs(d, exist_ok=True)
    pw = pwd.getpwnam("nobody")
    os.chown(d, pw.pw_uid, pw.pw_gid)
    return d


def json_file_lines(path):
    try:
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]
    except (OSError, ValueError):
        return []


def wait_for(pred, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(0.1)
    return pred()


def test_reopen_on_sighup(net, pki, tmp):
    """-o FILE under -Z nobody: logrotate moves FILE away and sends SIGHUP; certpath goes on in a
    new FILE, nothing lost, nothing written twice, and the final summary lands in the new one."""
    logdir = nobody_dir(tmp, "logs")
    log = os.path.join(logdir, "certpath.jsonl")
    cp = Certpath(net, ["--format", "json", "-Z", "nobody", "-o", log], pki)
    net.s_client(pki, PORT)
    kinds = lambda path, k: [o for o in json_file_lines(path) if o.get("type") == k]  # noqa: E731
    check(wait_for(lambda: len(kinds(log, "handshake")) >= 1, 10), "-o: handshake in the file")
    os.rename(log, log + ".1")
    os.kill(cp.p.pid, signal.SIGHUP)
    check(wait_for(lambda: os.path.exists(log), 5), "SIGHUP: -o FILE created again")
    check(cp.p.poll() is None, "certpath still runs after SIGHUP with -o")
    net.s_client(pki, PORT)
    net.s_client(pki, PORT)
    check(wait_for(lambda: len(kinds(log, "handshake")) >= 2, 10),
          "handshakes after SIGHUP go to the new file")
    _, rc = cp.stop()
    old, new = json_file_lines(log + ".1"), json_file_lines(log)
    check(len([o for o in old if o.get("type") == "handshake"]) == 1
          and not any(o.get("type") == "summary" for o in old),
          f"the rotated file keeps the first handshake only ({[o.get('type') for o in old]})")
    summaries = [o for o in new if o.get("type") == "summary"]
    check(len(summaries) == 1 and summaries[0].get("handshakes") == 3,
          "the final summary is in the new file and counts all 3 handshakes")
    check(cp.lines == [], "nothing on standard output with -o")
    streamed = [o.get("code") for o in old + new
                if o.get("type") == "finding" and o.get("final") is False]
    final = [o.get("code") for o in new if o.get("type") == "finding" and o.get("final") is True]
    check(streamed and len(streamed) == len(set(streamed)) and set(final) == set(streamed),
          f"each finding streamed once (final: false), then in the final report (final: true) "
          f"({streamed}, {final})")
    check(not [t for t in cp.stderr() if "reopen" in t], f"no reopen error ({cp.stderr()})")
    check(rc == 1, f"exit status 1 (finding) after a reopen (got {rc})")


def test_write_rotation(net, pki, tmp):
    """-w FILE -C 4k -W 3 under -Z nobody: tcpdump's ring FILE0..FILE2, each file a readable
    pcapng under the size, the oldest overwritten."""
    ring = os.path.join(nobody_dir(tmp, "ring"), "hs.pcapng")
    cp = Certpath(net, ["--format", "json", "-Z", "nobody", "-w", ring, "-C", "4k", "-W", "3"],
                  pki)
    for _ in range(12):
        net.s_client(pki, PORT)
    check(cp.wait(lambda: len(cp.of_type("handshake")) >= 12, 20), "-C/-W: 12 handshakes")
    _, rc = cp.stop()
    names = sorted(os.listdir(os.path.dirname(ring)))
    check(names == ["hs.pcapng0", "hs.pcapng1", "hs.pcapng2"],
          f"-W 3: exactly the files hs.pcapng0..2, as tcpdump names them ({names})")
    sizes = [os.path.getsize(os.path.join(os.path.dirname(ring), n)) for n in names]
    check(all(0 < sz <= 4096 for sz in sizes), f"-C 4k: no file past 4096 bytes ({sizes})")
    done = [t for t in cp.stderr() if "handshake packets written" in t]
    m = re.search(r"in (\d+) files", done[0]) if done else None
    check(bool(m) and int(m.group(1)) > 3, f"more files written than kept: the ring wrapped ({done})")
    lost = [t for t in cp.stderr() if "not written" in t or "rotation stopped" in t]
    check(not lost, f"every handshake packet written, the ring reused as the -Z user ({lost})")
    for n in names:
        r = subprocess.run([CERTPATH, "--format", "json", os.path.join(os.path.dirname(ring), n)],
                           capture_output=True, text=True)
        check(r.returncode in (0, 1), f"{n} reads back as a capture ({r.stderr.strip()[:200]})")
    r = subprocess.run([CERTPATH, "--format", "json", ring], capture_output=True, text=True)
    last = json.loads(r.stdout.splitlines()[-1]) if r.stdout else {}
    check(r.returncode in (0, 1) and last.get("handshakes", 0) >= 3,
          f"certpath reads the ring back as one file set by its -w name ({last.get('handshakes')})")
    check(rc == 1, f"-C/-W run exits 1 (got {rc})")


def main():
    global CERTPATH
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    CERTPATH = os.path.abspath(sys.argv[1])
    netns.skip_unless_possible()
    with netns.world("cpl") as (net, tmp, _):
        net.start_server(tmp, PORT, extra=("-tls1_2",))
        for t in (test_cli_errors, test_stream_and_sigint, test_text_stream, test_idle_expiry):
            print(f"-- {t.__name__}", flush=True)
            t(net, tmp)
        print("-- test_privdrop_and_write", flush=True)
        test_privdrop_and_write(net, tmp, tmp)
        print("-- test_export_after_privdrop", flush=True)
        test_export_after_privdrop(net, tmp, tmp)
        for t in (test_reopen_on_sighup, test_write_rotation):
            print(f"-- {t.__name__}", flush=True)
            t(net, tmp, tmp)
    if FAILS:
        print(f"{len(FAILS)} check(s) failed")
        return 1
    print("all live checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
