#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""Hostile-at-scale cases through the real binary (suite 'scale'): tests/gen/scalegen writes each
capture into the build directory; certpath's JSON Lines are checked.

  scale_cases.py SCALEGEN CERTPATH WORKDIR CASE
"""
import json
import os
import subprocess
import sys


def run(argv, **kw):
    return subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def gen(scalegen, work, scenario, n):
    path = os.path.join(work, f'{scenario}-{n}.pcap')
    if not os.path.exists(path):
        r = run([scalegen, '--scenario', scenario, '--n', str(n), '--out', path + '.tmp'])
        if r.returncode != 0:
            sys.exit(f'scalegen failed: {r.stderr}')
        os.rename(path + '.tmp', path)
    return path


def certpath_json(certpath, pcap, *opts):
    r = run([certpath, '--format', 'json', *opts, pcap], timeout=600)
    lines = [json.loads(x) for x in r.stdout.splitlines() if x.strip()]
    return r.returncode, lines, r.stderr


def expect(cond, what):
    if not cond:
        sys.exit('FAIL: ' + what)


def summary_of(lines):
    s = [x for x in lines if x.get('type') == 'summary']
    expect(len(s) == 1, 'one summary line')
    return s[0]


def case_junk_client_certificates_cannot_blind(scalegen, certpath, work):
    """1100 connections each send 16 distinct client certificates (17600) into a cache of 4096;
    the Exchange server that follows has an expired self-signed certificate: it must be parsed
    and reported, and the run must not end 0."""
    pcap = gen(scalegen, work, 'blind', 1100)
    rc, lines, err = certpath_json(certpath, pcap, '--max-certs', '4096')
    expired = [f for f in lines if f.get('type') == 'finding' and f.get('code') == 'expired']
    expect(len(expired) == 1 and expired[0]['servers'] == ['10.1.0.20:443'],
           f'expired finding for 10.1.0.20:443, got {expired}')
    s = summary_of(lines)
    expect(rc != 0, 'exit status not 0')
    expect(s['outcome'] in ('error', 'inconclusive'), f"outcome {s['outcome']}")
    # Client certificates were evicted, not refused: nothing the diagnosis needed was lost.
    expect('cert.cache_full' not in s['anomalies'], f"anomalies {s['anomalies']}")
    expect(s['certificates'] <= 4096, f"certificates kept {s['certificates']}")


def case_cache_of_certificates_in_use_is_inconclusive(scalegen, certpath, work):
    """Every certificate the cache holds is in a server chain the model keeps: it cannot evict,
    refuses (cert.cache_full), and the verdict says the evidence is incomplete."""
    pcap = gen(scalegen, work, 'leaves', 40)
    rc, lines, err = certpath_json(certpath, pcap, '--max-certs', '16')
    s = summary_of(lines)
    expect(s['anomalies'].get('cert.cache_full', 0) > 0, f"anomalies {s['anomalies']}")
    expect(rc != 0 and s['outcome'] != 'clean', f"rc {rc} outcome {s['outcome']}")


def case_one_certificate_over_memory_budget_is_not_kept(scalegen, certpath, work):
    """A leaf with 20000 names costs more than a 256 KiB --max-cert-memory: thumbprinted, not
    kept, counted, and the run is not called clean."""
    pcap = gen(scalegen, work, 'names', 20000)
    rc, lines, err = certpath_json(certpath, pcap, '--max-cert-memory', str(256 * 1024))
    s = summary_of(lines)
    expect(s['anomalies'].get('cert.cache_full', 0) >= 1, f"anomalies {s['anomalies']}")
    expect(rc != 0 and s['outcome'] != 'clean', f"rc {rc} outcome {s['outcome']}")
    rc, lines, err = certpath_json(certpath, pcap)
    s = summary_of(lines)
    expect('cert.cache_full' not in s['anomalies'], 'kept under the default budget')
    srv = [x for x in lines if x.get('type') == 'server']
    expect(len(srv) == 1 and len(srv[0]['names']) == 20000, 'every name of the leaf kept')


def case_rsa_huge_exponent_is_not_verified_with(scalegen, certpath, work):
    """40 self-signed certificates under an RSA key with a ~2000-bit public exponent: each is still
    reported, none is verified with the key (x509.rsa_exponent counts each, so no signature check
    ran: one cost milliseconds), and none is called self-signed, since that was not checked."""
    pcap = gen(scalegen, work, 'rsaexp', 40)
    rc, lines, err = certpath_json(certpath, pcap)
    s = summary_of(lines)
    expect(s['anomalies'].get('x509.rsa_exponent') == 40, f"anomalies {s['anomalies']}")
    certs = [x for x in lines if x.get('type') == 'certificate']
    expect(len(certs) == 40, f'{len(certs)} certificates reported')
    expect(all(c['key_type'] == 'RSA' and not c['self_signed'] for c in certs),
           'RSA keys, not called self-signed')
    roots = [f for f in lines if f.get('type') == 'finding' and f.get('code') == 'untrusted-root']
    expect(len(roots) == 40, f'{len(roots)} untrusted-root findings')


CASES = {k[5:]: v for k, v in globals().items() if k.startswith('case_')}

if __name__ == '__main__':
    if len(sys.argv) == 2 and sys.argv[1] == '--list':
        print('\n'.join(CASES))
        sys.exit(0)
    scalegen, certpath, work, case = sys.argv[1:5]
    os.makedirs(work, exist_ok=True)
    CASES[case](scalegen, certpath, work)
    print('ok', case)
