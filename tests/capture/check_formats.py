#!/usr/bin/env python3
"""Capture formats end to end: capgen makes a pcap (real OpenSSL handshakes); the case turns it
into another container (NetMon 1.x/2.x with editcap, gzip, zstd, a directory, a ring-buffer file
set) or into something that is not a capture; certpath must report exactly the same
certificates, handshakes, servers and findings as for the pcap, or the one-line error the case
expects. Exit 77 (skipped) when a tool the case needs (editcap, zstd) is missing.

usage: check_formats.py --list
       check_formats.py CAPGEN CERTPATH WORKDIR CASE
"""
import gzip
import json
import os
import shutil
import subprocess
import sys

CASES = ["netmon2", "netmon1", "netmon2-per-packet", "gzip", "gzip-stdin", "gzip-members",
         "gzip-truncated", "gzip-not-capture", "zstd", "netmon-gzip", "etl", "matp",
         "directory", "ring-tcpdump", "ring-dumpcap", "skip-netevent"]
SKIP = 77
# The memcheck test setup runs certpath under valgrind through this (as tests/e2e/e2e.py does).
WRAPPER = os.environ.get("CERTPATH_WRAPPER", "").split()

# Fields that legitimately differ between containers of the same packets: where they came from
# and timestamps rounded by the container (NetMon 1.x keeps milliseconds).
VOLATILE = {"handshake": {"ts"}, "summary": {"inputs", "capture_start", "capture_end", "errors"}}


def need(tool):
    if shutil.which(tool) is None:
        print(f"SKIP: {tool} not installed")
        sys.exit(SKIP)


def run(certpath, args, stdin=None):
    p = subprocess.run(WRAPPER + [certpath, "-F", "json", "--no-system-ca"] + args, input=stdin,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=600)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def facts(out):
    """The report as a sorted list of canonical JSON lines, volatile fields removed."""
    lines = []
    for line in out.splitlines():
        obj = json.loads(line)
        for k in VOLATILE.get(obj.get("type"), ()):
            obj.pop(k, None)
        lines.append(json.dumps(obj, sort_keys=True))
    return sorted(lines)


def same(ref, got, what):
    a, b = facts(ref), facts(got)
    if a != b:
        print(f"FAIL: {what} differs from the pcap")
        for line in sorted(set(a) ^ set(b))[:10]:
            print(("  pcap only: " if line in a else "  got only:  ") + line[:300])
        sys.exit(1)
    if not any('"type": "handshake"' in l for l in a):
        print("FAIL: the reference has no handshake: the case proves nothing")
        sys.exit(1)


def expect_error(rc, err, needle):
    if rc != 2 or needle not in err or len(err.strip().splitlines()) != 1:
        print(f"FAIL: expected exit 2 and one line containing {needle!r}, got {rc}: {err!r}")
        sys.exit(1)


def split(pcap, outdir, prefix, packets):
    """editcap -c: the capture cut into files of `packets` packets each, in order."""
    os.makedirs(outdir, exist_ok=True)
    subprocess.run(["editcap", "-F", "pcap", "-c", str(packets), pcap,
                    os.path.join(outdir, prefix)], check=True)
    return sorted(os.listdir(outdir))


def main():
    if sys.argv[1:] == ["--list"]:
        print("\n".join(CASES))
        return
    capgen, certpath, work, case = sys.argv[1:5]
    work = os.path.join(work, case)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    pcap = os.path.join(work, "ref.pcap")
    subprocess.run([capgen, "--scenario", "all", "--seed", "7", "--time", "1700000000",
                    "--out", pcap], check=True, stdout=subprocess.DEVNULL)
    rc_ref, ref, _ = run(certpath, [pcap])
    if rc_ref not in (0, 1):
        print(f"FAIL: certpath on the reference pcap exited {rc_ref}")
        sys.exit(1)
    raw = open(pcap, "rb").read()

    if case in ("netmon2", "netmon1"):
        need("editcap")
        cap = os.path.join(work, case + ".cap")
        subprocess.run(["editcap", "-F", case, pcap, cap], check=True)
        magic = open(cap, "rb").read(4)
        assert magic == (b"GMBU" if case == "netmon2" else b"RTSS"), magic
        rc, out, err = run(certpath, [cap])
        same(ref, out, case)
    elif case == "netmon2-per-packet":
        # NetMon 2.3 as NetMon 3.4 writes it: a media type and a UTC FILETIME per frame.
        # Ethernet frames (media 1), then raw IP (media 9, "Raw IP Frames") and Linux cooked
        # v2 frames (0xE000 | LINKTYPE 276, a converted pcap); editcap cannot write these, so
        # the test writes the file from generator pcaps.
        raw_ip = os.path.join(work, "raw.pcap")
        subprocess.run([capgen, "--scenario", "single", "--seed", "3", "--time", "1700000100",
                        "--link", "raw", "--out", raw_ip], check=True, stdout=subprocess.DEVNULL)
        sll2 = os.path.join(work, "sll2.pcap")
        subprocess.run([capgen, "--scenario", "single", "--seed", "4", "--time", "1700000200",
                        "--link", "sll2", "--out", sll2], check=True, stdout=subprocess.DEVNULL)
        cap = os.path.join(work, "perpacket.cap")
        frames = ([(1, f) for f in pcap_frames(pcap)] + [(9, f) for f in pcap_frames(raw_ip)] +
                  [(0xE000 | 276, f) for f in pcap_frames(sll2)])
        open(cap, "wb").write(netmon23(frames))
        _, ref2, _ = run(certpath, [pcap, raw_ip, sll2])
        rc, out, err = run(certpath, [cap])
        same(ref2, out, case)
        if not facts_ts(out) or facts_ts(ref2) != facts_ts(out):
            print("FAIL: NetMon 2.3 per-frame UTC timestamps differ from the pcap's")
            sys.exit(1)
    elif case == "gzip":
        gz = os.path.join(work, "ref.pcap.gz")
        open(gz, "wb").write(gzip.compress(raw))
        rc, out, err = run(certpath, [gz])
        same(ref, out, case)
    elif case == "gzip-stdin":
        rc, out, err = run(certpath, ["-"], stdin=gzip.compress(raw))
        same(ref, out, case)
    elif case == "gzip-members":
        # `cat a.gz b.gz` of one file cut in two: one stream, as gzip -d reads it.
        gz = os.path.join(work, "two.pcap.gz")
        half = len(raw) // 2
        open(gz, "wb").write(gzip.compress(raw[:half]) + gzip.compress(raw[half:]))
        rc, out, err = run(certpath, [gz])
        same(ref, out, case)
    elif case == "gzip-truncated":
        gz = os.path.join(work, "cut.pcap.gz")
        data = gzip.compress(raw)
        open(gz, "wb").write(data[: len(data) * 3 // 4])
        rc, out, err = run(certpath, [gz])
        expect_error(rc, err, "gzip-compressed data is truncated after")
        got = facts(out)
        if not any('"type": "handshake"' in l for l in got):
            print("FAIL: nothing read before the cut was reported")
            sys.exit(1)
    elif case == "gzip-not-capture":
        gz = os.path.join(work, "notes.txt.gz")
        open(gz, "wb").write(gzip.compress(b"hello, this is not a capture\n" * 10))
        rc, out, err = run(certpath, [gz])
        expect_error(rc, err, "gzip-compressed, but what it holds is not a pcap")
    elif case == "zstd":
        need("zstd")
        zst = os.path.join(work, "ref.pcap.zst")
        subprocess.run(["zstd", "-q", "-f", pcap, "-o", zst], check=True)
        rc, out, err = run(certpath, [zst])
        if "built without libzstd" in err:
            print("SKIP: certpath built without libzstd")
            sys.exit(SKIP)
        same(ref, out, case)
        rc, out, err = run(certpath, ["-"], stdin=open(zst, "rb").read())
        same(ref, out, case + " from standard input")
    elif case == "netmon-gzip":
        need("editcap")
        cap = os.path.join(work, "ref.cap")
        subprocess.run(["editcap", "-F", "netmon2", pcap, cap], check=True)
        rc, out, err = run(certpath, ["-"], stdin=gzip.compress(open(cap, "rb").read()))
        same(ref, out, case)
    elif case == "etl":
        # The first bytes of an ETW buffer (a 64 KiB buffer size), and the logger's file name in
        # UTF-16 as the logfile header carries it; named .bin so the content decides.
        etl = os.path.join(work, "trace.bin")
        body = (65536).to_bytes(4, "little") + bytes(60) + "C:\\trace\\NetTrace.etl".encode(
            "utf-16-le") + bytes(200)
        open(etl, "wb").write(body)
        rc, out, err = run(certpath, [etl])
        expect_error(rc, err, "this is an ETW trace (.etl): convert it with `pktmon etl2pcap")
        named = os.path.join(work, "NetTrace.ETL")
        open(named, "wb").write(bytes(512))
        rc, out, err = run(certpath, [named])
        expect_error(rc, err, "this is an ETW trace (.etl)")
    elif case == "matp":
        matp = os.path.join(work, "session.matp")
        open(matp, "wb").write(b"PK\x03\x04" + bytes(100))
        rc, out, err = run(certpath, [matp])
        expect_error(rc, err, "this is a Message Analyzer .matp file")
    elif case == "directory":
        need("editcap")
        d = os.path.join(work, "dir")
        names = split(pcap, d, "part.pcap", 40)
        assert len(names) > 2, names
        # Names that sort against time order: only the first packet's time may decide.
        for i, n in enumerate(names):
            os.rename(os.path.join(d, n), os.path.join(d, f"{len(names) - i:03d}.pcap"))
        open(os.path.join(d, "README.txt"), "w").write("captures of the outage\n")
        rc, out, err = run(certpath, [d])
        same(ref, out, case)
        if "README.txt" not in err:
            print(f"FAIL: the skipped README is not named: {err!r}")
            sys.exit(1)
        if json.loads(out.splitlines()[-1]).get("inputs") != [d]:
            print("FAIL: the directory is not reported as one input")
            sys.exit(1)
    elif case == "ring-tcpdump":
        # tcpdump -w ring.pcap -C 1: ring.pcap, ring.pcap1, ring.pcap2 ...
        need("editcap")
        d = os.path.join(work, "ring")
        names = split(pcap, d, "x.pcap", 40)
        for i, n in enumerate(names):
            os.rename(os.path.join(d, n), os.path.join(d, "ring.pcap" + (str(i) if i else "")))
        rc, out, err = run(certpath, [os.path.join(d, "ring.pcap")])
        same(ref, out, case)
    elif case == "ring-dumpcap":
        # dumpcap -w ring.pcapng -b filesize:N: ring_00001_YYYYMMDDhhmmss.pcapng ... given as
        # the name passed to -w; numbers wrapped as in a ring (the oldest is not 00001).
        need("editcap")
        d = os.path.join(work, "ring")
        names = split(pcap, d, "x.pcap", 40)
        for i, n in enumerate(names):
            num = (i + 3) % len(names) + 1
            os.rename(os.path.join(d, n),
                      os.path.join(d, f"ring_{num:05d}_2023111422{i:02d}00.pcapng"))
        rc, out, err = run(certpath, [os.path.join(d, "ring.pcapng")])
        same(ref, out, case)
    elif case == "skip-netevent":
        # A NetMon 2.1 file whose first record is a NetEvent (media 0xFFE0): skipped, counted.
        need("editcap")
        cap = os.path.join(work, "ref.cap")
        subprocess.run(["editcap", "-F", "netmon2", pcap, cap], check=True)
        data = bytearray(open(cap, "rb").read())
        data = netmon_add_netevent(data)
        ev = os.path.join(work, "event.cap")
        open(ev, "wb").write(data)
        rc, out, err = run(certpath, [ev])
        same(ref, out, case)
        if "1 NetMon records that are not packets skipped" not in err:
            print(f"FAIL: the skipped NetEvent is not counted: {err!r}")
            sys.exit(1)
    else:
        print(f"unknown case {case}")
        sys.exit(2)
    print(f"ok: {case}")


def facts_ts(out):
    objs = (json.loads(line) for line in out.splitlines())
    return sorted(o["ts"] for o in objs if o.get("type") == "handshake")


def pcap_frames(path):
    """(ts_ns, bytes) of each record of a little-endian microsecond pcap (capgen's)."""
    data = open(path, "rb").read()
    assert data[:4] == b"\xd4\xc3\xb2\xa1", "capgen pcap expected"
    off, out = 24, []
    while off + 16 <= len(data):
        sec, usec, incl = (int.from_bytes(data[off + i:off + i + 4], "little") for i in (0, 4, 8))
        out.append((sec * 10**9 + usec * 1000, data[off + 16:off + 16 + incl]))
        off += 16 + incl
    return out


def netmon23(frames):
    """A NetMon 2.3 file: 128-byte header, records with a 15-byte trailer (media, process
    index, FILETIME, time zone index), the frame table."""
    start = min(ts for _, (ts, _) in frames)
    out = bytearray(b"GMBU" + bytes([3, 2]) + (1).to_bytes(2, "little") + bytes(120))
    offs = []
    for media, (ts, pkt) in frames:
        offs.append(len(out))
        ft = ts // 100 + 116444736000000000
        out += ((ts - start) // 1000).to_bytes(8, "little") + len(pkt).to_bytes(4, "little")
        out += len(pkt).to_bytes(4, "little") + pkt
        out += media.to_bytes(2, "little") + bytes(4) + ft.to_bytes(8, "little") + b"\x00"
    out[24:28] = len(out).to_bytes(4, "little")
    out[28:32] = (4 * len(offs)).to_bytes(4, "little")
    for o in offs:
        out += o.to_bytes(4, "little")
    return bytes(out)


def netmon_add_netevent(data):
    """Rewrites a NetMon 2.0 file as 2.1 (a 2-byte media trailer per frame) with a NetEvent
    record in front of the frames; offsets in the frame table follow."""
    le = int.from_bytes
    table_off, table_len = le(data[24:28], "little"), le(data[28:32], "little")
    offs = [le(data[table_off + 4 * i:table_off + 4 * i + 4], "little")
            for i in range(table_len // 4)]
    media = le(data[6:8], "little")
    recs = [(0).to_bytes(8, "little") + (4).to_bytes(4, "little") + (4).to_bytes(
        4, "little") + b"EVT!" + (0xFFE0).to_bytes(2, "little")]
    for o in offs:
        incl = le(data[o + 12:o + 16], "little")
        recs.append(bytes(data[o:o + 16 + incl]) + media.to_bytes(2, "little"))
    out = bytearray(data[:128])
    out[4] = 1  # minor version 2.1
    new_offs = []
    for r in recs:
        new_offs.append(len(out))
        out += r
    tab = len(out)
    for o in new_offs:
        out += o.to_bytes(4, "little")
    out[24:28] = tab.to_bytes(4, "little")
    out[28:32] = (4 * len(new_offs)).to_bytes(4, "little")
    return out


if __name__ == "__main__":
    main()
