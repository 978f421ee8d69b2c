#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""bench: certpath's speed against a bare libpcap loop (the floor), tshark and ssldump.

Every program reads the same capture from the page cache (it is read once first), in turns
(round r runs them all, in an order rotated by r, so no program always runs first or right
after another), RUNS times each. CPU is user+sys of the child from os.wait4's rusage, peak
memory its ru_maxrss; each program writes its output to a file, as `certpath --format json
FILE > out.jsonl` would. Medians are printed, and each program's CPU as a ratio of the floor's.

  bench.py --certpath P --floor P [--runs N] [--tools auto|none|tshark,ssldump] FILE
  bench.py ... --scaling SMALL LARGE         certpath and floor on both, per-GB figures
  bench.py ... --generate CAPGEN --connections N --bulk B [--keep DIR]   make the capture
  bench.py ... --truth TRUTH                 also check certpath's chains against capgen's truth
  bench.py ... --baseline OTHER_CERTPATH     also time another build (before/after figures)

Exit status: 0, or 1 when certpath fails or (with --truth) prints other chains than the truth
says. Timing never fails the run: machines are noisy (docs/internals/performance.md).
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


class Prog:
    def __init__(self, name, argv):
        self.name = name
        self.argv = argv
        self.cpu, self.wall, self.rss = [], [], []
        self.failed = None


RUNONE = None  # path of tests/bench/runone (set by --runone)


def run_once(argv, out_path):
    """Runs argv with stdout to out_path; returns (status, cpu s, wall s, maxrss KiB).

    Through runone when available: ru_maxrss survives execve, so a child spawned straight
    from this Python would report Python's own RSS as a floor (see runone.c).
    """
    out_fd = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    err_fd = os.open(out_path + '.err', os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    report = out_path + '.rusage'
    full = [RUNONE, report] + argv if RUNONE else argv
    t0 = time.monotonic()
    try:
        pid = os.posix_spawnp(full[0], full, os.environ,
                              file_actions=[(os.POSIX_SPAWN_DUP2, out_fd, 1),
                                            (os.POSIX_SPAWN_DUP2, err_fd, 2)])
    finally:
        os.close(out_fd)
        os.close(err_fd)
    _, status, ru = os.wait4(pid, 0)
    wall = time.monotonic() - t0
    code = os.waitstatus_to_exitcode(status)
    if not RUNONE:
        return code, ru.ru_utime + ru.ru_stime, wall, ru.ru_maxrss
    if code != 0:
        return 125, ru.ru_utime + ru.ru_stime, wall, ru.ru_maxrss
    with open(report) as f:
        c, user, sys_, rss, wall = f.read().split()
    return int(c), float(user) + float(sys_), float(wall), int(rss)


def warm(path):
    """Reads the file once so every program finds it in the page cache."""
    with open(path, 'rb') as f:
        while f.read(1 << 20):
            pass


def measure(progs, runs, workdir):
    """Runs the programs in turns; certpath's exit 0/1 (clean/findings) both count as success."""
    for r in range(runs):
        order = progs[r % len(progs):] + progs[:r % len(progs)]
        for p in order:
            out = os.path.join(workdir, p.name.replace(' ', '_') + '.out')
            code, cpu, wall, rss = run_once(p.argv, out)
            ok = code in (0, 1) if p.name.startswith('certpath') else code == 0
            if not ok and p.failed is None:
                with open(out + '.err', errors='replace') as f:
                    p.failed = 'exit %d: %s' % (code, f.read().strip()[-500:])
            p.cpu.append(cpu)
            p.wall.append(wall)
            p.rss.append(rss)


def med(xs):
    return statistics.median(xs) if xs else float('nan')


def report(progs, size, floor_cpu):
    gb = size / 1e9
    print('%-12s %9s %9s %9s %9s %8s  %s' %
          ('program', 'cpu s', 'cpu s/GB', 'wall s', 'RSS MiB', 'x floor', 'cpu s per run'))
    for p in progs:
        c = med(p.cpu)
        ratio = c / floor_cpu if floor_cpu > 0 else float('nan')
        runs = ' '.join('%.3f' % x for x in p.cpu)
        print('%-12s %9.3f %9.3f %9.3f %9.1f %8.2f  %s' %
              (p.name, c, c / gb, med(p.wall), max(p.rss) / 1024.0, ratio, runs))
        if p.failed:
            print('  %s FAILED: %s' % (p.name, p.failed))


def chains_from_certpath(path):
    got = {}
    with open(path) as f:
        for line in f:
            o = json.loads(line)
            if o.get('type') == 'handshake':
                got.setdefault((o['client'], o['server']), []).append(o['chain'])
    return got


def chains_from_truth(path):
    want = {}
    with open(path) as f:
        for line in f:
            o = json.loads(line)
            if o.get('type') == 'connection':
                want.setdefault((o['client'], o['server']), []).append(o['chain'])
    return want


def check_truth(out_path, truth_path):
    got, want = chains_from_certpath(out_path), chains_from_truth(truth_path)
    bad = [k for k in set(got) | set(want) if sorted(got.get(k, [])) != sorted(want.get(k, []))]
    n_chains = sum(1 for v in want.values() for c in v if c)
    n_certs = sum(len(c) for v in want.values() for c in v)
    if bad:
        print('truth: MISMATCH on %d of %d connections, e.g. %s: certpath %s, truth %s' %
              (len(bad), len(want), bad[0], got.get(bad[0]), want.get(bad[0])))
        return False
    print('truth: all %d connections match (%d chains, %d certificates)' %
          (sum(len(v) for v in want.values()), n_chains, n_certs))
    return True


def tool_progs(tools, capture):
    progs = []
    wanted = ['tshark', 'ssldump'] if tools == 'auto' else \
        [] if tools == 'none' else tools.split(',')
    for t in wanted:
        exe = shutil.which(t)
        if exe is None:
            if tools != 'auto':
                print('bench: %s is not installed, left out' % t)
            continue
        if t == 'tshark':
            progs.append(Prog('tshark', [exe, '-n', '-r', capture, '-T', 'fields',
                                         '-e', 'tls.handshake.certificate']))
        elif t == 'ssldump':
            # -n: no reverse DNS (it blocks for seconds per address without a resolver).
            progs.append(Prog('ssldump', [exe, '-n', '-N', '-r', capture]))
    return progs


def generate(args, workdir):
    out = os.path.join(args.keep or workdir, 'bench.pcap')
    truth = out + '.truth'
    subprocess.run([args.generate, '--scenario', 'bench', '--connections', str(args.connections),
                    '--bulk', str(args.bulk), '--out', out, '--truth', truth], check=True)
    return out, truth


def bench_file(args, capture, workdir):
    size = os.path.getsize(capture)
    warm(capture)
    cp = Prog('certpath', [args.certpath, '--format', 'json', capture])
    fl = Prog('floor', [args.floor, capture])
    progs = [cp, fl] + tool_progs(args.tools, capture)
    if args.baseline:
        progs.insert(1, Prog('certpath-ref', [args.baseline, '--format', 'json', capture]))
    print('capture: %s, %.1f MB; %d runs each, in turns' % (capture, size / 1e6, args.runs))
    measure(progs, args.runs, workdir)
    report(progs, size, med(fl.cpu))
    return cp, fl, size


def scaling(args, workdir):
    rows = []
    for capture in args.scaling:
        warm(capture)
        rows.append((capture, os.path.getsize(capture),
                     Prog('certpath', [args.certpath, '--format', 'json', capture]),
                     Prog('floor', [args.floor, capture])))
    # Interleave the files too: small, large, small, large...
    for r in range(args.runs):
        for _, _, cp, fl in rows:
            measure([cp, fl] if r % 2 == 0 else [fl, cp], 1, workdir)
    print('%-28s %9s %12s %12s %12s %8s' %
          ('capture', 'MB', 'certpath s', 'cp s/GB', 'cp RSS MiB', 'x floor'))
    for capture, size, cp, fl in rows:
        print('%-28s %9.1f %12.3f %12.3f %12.1f %8.2f' %
              (os.path.basename(capture), size / 1e6, med(cp.cpu), med(cp.cpu) / (size / 1e9),
               max(cp.rss) / 1024.0, med(cp.cpu) / med(fl.cpu)))
        if cp.failed:
            print('  certpath FAILED: %s' % cp.failed)
    (_, s0, c0, _), (_, s1, c1, _) = rows[0], rows[-1]
    (_, _, _, f0), (_, _, _, f1) = rows[0], rows[-1]
    # cpu = fixed + per_gb * size: the marginal cost is what grows with the file.
    gb = (s1 - s0) / 1e9
    cp_gb, fl_gb = (med(c1.cpu) - med(c0.cpu)) / gb, (med(f1.cpu) - med(f0.cpu)) / gb
    print('size x%.2f -> certpath cpu x%.2f, RSS %.1f -> %.1f MiB' %
          (s1 / s0, med(c1.cpu) / med(c0.cpu), max(c0.rss) / 1024.0, max(c1.rss) / 1024.0))
    print('marginal cpu s/GB: certpath %.3f, floor %.3f (x%.2f); fixed cost: certpath %.3f s, '
          'floor %.3f s' % (cp_gb, fl_gb, cp_gb / fl_gb if fl_gb > 0 else float('nan'),
                            med(c0.cpu) - cp_gb * s0 / 1e9, med(f0.cpu) - fl_gb * s0 / 1e9))
    return all(r[2].failed is None for r in rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--certpath', required=True)
    ap.add_argument('--floor', required=True)
    ap.add_argument('--runs', type=int, default=5)
    ap.add_argument('--tools', default='auto', help='auto, none, or a list: tshark,ssldump')
    ap.add_argument('--scaling', nargs=2, metavar=('SMALL', 'LARGE'))
    ap.add_argument('--generate', metavar='CAPGEN')
    ap.add_argument('--connections', type=int, default=470)
    ap.add_argument('--bulk', type=int, default=420000)
    ap.add_argument('--keep', metavar='DIR', help='write the generated capture here')
    ap.add_argument('--truth')
    ap.add_argument('--baseline', metavar='CERTPATH', help='another certpath build to compare')
    ap.add_argument('capture', nargs='?')
    ap.add_argument('--runone', help='tests/bench/runone, for exact peak RSS figures')
    args = ap.parse_args()
    global RUNONE
    RUNONE = args.runone
    workdir = tempfile.mkdtemp(prefix='certpath-bench-')
    try:
        if args.scaling:
            return 0 if scaling(args, workdir) else 1
        capture, truth = args.capture, args.truth
        if args.generate:
            capture, truth = generate(args, workdir)
        if capture is None:
            ap.error('a capture, --generate or --scaling is needed')
        cp, _, _ = bench_file(args, capture, workdir)
        if cp.failed:
            return 1
        if truth and not check_truth(os.path.join(workdir, 'certpath.out'), truth):
            return 1
        return 0
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == '__main__':
    sys.exit(main())
