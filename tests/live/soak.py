#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Soak benchmark for live capture (not a test): many short TLS 1.2 connections over a veth
pair for a bounded time while `certpath -i` watches; the offered rate rises step by step.
Per step: connections/s achieved, packets received and dropped (from certpath's report so far,
asked for with SIGUSR1); overall: certpath's RSS at start and end (VmRSS, VmHWM) and the
highest rate sustained without a kernel drop.

usage: soak.py CERTPATH [--seconds 60] [--rates 200,400,...] [--clients 2] [--servers 2]
Needs root and iproute2 (exit 77 otherwise). Internal modes: --serve, --client.
"""

import argparse
import asyncio
import json
import os
import signal
import ssl
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import netns  # noqa: E402

PORT = 443


# ---- server and client processes (run inside the namespaces) ---------------------------

async def serve(pki):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2  # certificates in the clear, as Lync/Exchange
    ctx.load_cert_chain(os.path.join(pki, "leaf.pem"), os.path.join(pki, "leaf.key"))
    ctx.options |= ssl.OP_NO_TICKET

    async def handle(reader, writer):
        try:
            await reader.read(1)  # until the client closes
        except (OSError, ssl.SSLError):
            pass
        writer.close()

    srv = await asyncio.start_server(handle, netns.SERVER_IP, PORT, ssl=ctx, reuse_port=True,
                                     backlog=4096)
    async with srv:
        await srv.serve_forever()


async def client(rate, seconds, concurrency):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    sem = asyncio.Semaphore(concurrency)
    done = {"ok": 0, "fail": 0}

    async def one():
        try:
            _, w = await asyncio.wait_for(asyncio.open_connection(
                netns.SERVER_IP, PORT, ssl=ctx, server_hostname=netns.SNI), 5)
            w.close()
            done["ok"] += 1
        except (OSError, ssl.SSLError, asyncio.TimeoutError):
            done["fail"] += 1
        finally:
            sem.release()

    start = time.monotonic()
    n = 0
    tasks = set()
    while True:
        now = time.monotonic()
        if now - start >= seconds:
            break
        due = start + n / rate
        if due > now:
            await asyncio.sleep(due - now)
        await sem.acquire()
        t = asyncio.ensure_future(one())
        tasks.add(t)
        t.add_done_callback(tasks.discard)
        n += 1
    if tasks:
        await asyncio.wait(tasks, timeout=10)
    done["seconds"] = time.monotonic() - start
    print(json.dumps(done), flush=True)


# ---- the driver ---------------------------------------------------------------------------

def proc_status(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM"):
                out[k] = int(v.split()[0])  # kB
    return out


class Watcher:
    """certpath -i on the client side; JSON Lines to a file, read back per report."""

    def __init__(self, net, certpath, tmp):
        self.out_path = os.path.join(tmp, "certpath.jsonl")
        self.err_path = os.path.join(tmp, "certpath.err")
        self.p = net.popen(net.ns_cli, [certpath, "-i", net.if_cli, "--format", "json",
                                        "--allow-root", "--no-system-ca", "--ca-file",
                                        os.path.join(tmp, "root.pem"), "-B", "64",
                                        f"tcp port {PORT}"],
                           stdout=open(self.out_path, "w"), stderr=open(self.err_path, "w"))
        deadline = time.time() + 10
        while "listening on" not in open(self.err_path).read():
            if time.time() > deadline or self.p.poll() is not None:
                raise RuntimeError("certpath did not start: " + open(self.err_path).read())
            time.sleep(0.05)

    def summaries(self):
        out = []
        for line in open(self.out_path):
            if '"type":"summary"' in line:
                out.append(json.loads(line))
        return out

    def report(self, sig=signal.SIGUSR1):
        n = len(self.summaries())
        os.kill(self.p.pid, sig)
        deadline = time.time() + 30
        while len(self.summaries()) <= n and time.time() < deadline:
            time.sleep(0.05)
        s = self.summaries()
        return s[-1] if len(s) > n else {}


def run_step(net, args, rate):
    per = rate / args.clients
    procs = [net.popen(net.ns_cli, [sys.executable, os.path.abspath(__file__), "--client",
                                    "--rate", str(per), "--step-seconds", str(args.step),
                                    "--concurrency", "256"],
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
             for _ in range(args.clients)]
    ok = fail = 0
    secs = args.step
    for p in procs:
        out, _ = p.communicate(timeout=args.step + 60)
        try:
            r = json.loads(out.decode().strip().splitlines()[-1])
            ok, fail, secs = ok + r["ok"], fail + r["fail"], max(secs, r["seconds"])
        except (ValueError, IndexError):
            fail += 1
    return ok, fail, secs


def drive(args):
    netns.skip_unless_possible()
    with tempfile.TemporaryDirectory(prefix="cpsoak") as tmp:
        os.chmod(tmp, 0o755)
        netns.make_pki(tmp)
        net = netns.TestNet(netns.free_tag("cps"))
        try:
            for _ in range(args.servers):
                net.popen(net.ns_srv, [sys.executable, os.path.abspath(__file__), "--serve",
                                       tmp])
            time.sleep(1.0)
            w = Watcher(net, args.certpath, tmp)
            time.sleep(0.5)
            rss0 = proc_status(w.p.pid)
            rows, prev = [], {"received": 0, "dropped_kernel": 0, "handshakes": 0}
            t0 = time.time()
            for rate in args.rates:
                if time.time() - t0 + args.step > args.seconds + 1:
                    break
                ok, fail, secs = run_step(net, args, rate)
                s = w.report()
                row = {"offered": rate, "conn_per_s": round(ok / secs, 1), "failed": fail,
                       "received": s.get("received", 0) - prev["received"],
                       "dropped": s.get("dropped_kernel", 0) - prev["dropped_kernel"],
                       "handshakes": s.get("handshakes", 0) - prev["handshakes"],
                       "rss_kb": proc_status(w.p.pid).get("VmRSS")}
                prev = s
                rows.append(row)
                print(json.dumps(row), flush=True)
            rss1 = proc_status(w.p.pid)
            final = w.report(signal.SIGINT)
            rc = w.p.wait(60)
        finally:
            net.close()
    clean = [r for r in rows if r["dropped"] == 0 and r["failed"] == 0]
    best = max((r["conn_per_s"] for r in clean), default=0)
    print(f"certpath RSS: start {rss0.get('VmRSS')} kB, end {rss1.get('VmRSS')} kB, "
          f"peak (VmHWM) {rss1.get('VmHWM')} kB")
    print(f"final: {final.get('handshakes')} handshakes, {final.get('received')} packets "
          f"received, {final.get('dropped_kernel')} dropped by the kernel, "
          f"{final.get('servers')} servers, exit {rc}")
    print(f"highest rate sustained without drops: {best} connections/s")
    return 0 if rows and final else 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("certpath", nargs="?")
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--rates", default="100,200,400,700,1000,1500,2000,3000")
    ap.add_argument("--clients", type=int, default=2)
    ap.add_argument("--servers", type=int, default=2)
    ap.add_argument("--serve")
    ap.add_argument("--client", action="store_true")
    ap.add_argument("--rate", type=float)
    ap.add_argument("--step-seconds", type=float)
    ap.add_argument("--concurrency", type=int, default=256)
    args = ap.parse_args()
    if args.serve:
        asyncio.run(serve(args.serve))
        return 0
    if args.client:
        asyncio.run(client(args.rate, args.step_seconds, args.concurrency))
        return 0
    if not args.certpath:
        ap.error("CERTPATH is required")
    args.certpath = os.path.abspath(args.certpath)
    args.rates = [int(x) for x in args.rates.split(",")]
    args.step = args.seconds / len(args.rates)
    return drive(args)


if __name__ == "__main__":
    sys.exit(main())
