#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""hostile_io: issue #12's output and STARTTLS edges, pinned on captures built by hostile.py's
helpers (suite 'adversarial'). Same usage and exit codes as hostile.py:

    hostile_io.py CERTPATH WORKDIR CASE     (--list prints the cases)
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hostile import (Check, Conn, Pcap, certificate, certificate_msg,  # noqa: E402
                     client_hello, der_name, handshake, record, run, run_main,
                     server_hello_msg, summary_of)

ATTACKER_CN = b'attacker.example.test'


def attacker_flight():
    cert = certificate(der_name(ATTACKER_CN), der_name(b'Attacker CA'), [ATTACKER_CN])
    return record(22, server_hello_msg() + certificate_msg([cert]) + handshake(14, b''))


def write_capture(work, name, build):
    path = os.path.join(work, name)
    p = Pcap(path)
    build(p)
    p.close()
    return path


def certificates_seen(chk, certpath, path):
    rc, out, err, _ = run(certpath, ['--format', 'json', path])
    summ, lines = summary_of(chk, out)
    return rc, summ, [x for x in lines if x.get('type') == 'certificate']


def small_capture(p):
    c = Conn(p, 50000)
    c.client_send(client_hello())
    c.server_send(attacker_flight())
    c.close()


# ---------------------------------------------------------------------------- -o write errors

def write_error_names_the_file_and_the_cause(certpath, work, chk):
    """-o /dev/full used to exit 2 in silence: one line naming the file and ENOSPC."""
    if not os.path.exists('/dev/full'):
        print('SKIP: no /dev/full')
        sys.exit(77)
    path = write_capture(work, 'devfull.pcap', small_capture)
    for fmt in ('text', 'json'):
        rc, out, err, _ = run(certpath, ['--format', fmt, '-o', '/dev/full', path])
        chk.eq(fmt + ': exit status', rc, 2)
        lines = [x for x in err.splitlines() if x.strip()]
        chk.eq(fmt + ': stderr lines %r' % err, len(lines), 1)
        chk.true(fmt + ': names /dev/full and the cause: %r' % err,
                 '/dev/full' in err and 'No space left on device' in err)


# ---------------------------------------------------------------------------- STARTTLS positions

def http_body_with_a_hello_presents_no_certificate(certpath, work, chk):
    """Port 80: an HTTP response whose body carries hello bytes is not a TLS upgrade."""
    def build(p):
        c = Conn(p, 50001, sport=80)
        c.client_send(b'GET /x HTTP/1.1\r\nHost: www.example.test\r\n\r\n')
        body = attacker_flight()
        c.server_send(b'HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n' % len(body) + body)
        c.close()
        # Not even after a line that looks like an SMTP reply: the client asked for no upgrade.
        c = Conn(p, 50002, sport=80)
        c.client_send(b'GET /y HTTP/1.1\r\n\r\n')
        c.server_send(b'220 ready\r\n' + attacker_flight())
        c.close()
    path = write_capture(work, 'http_body_hello.pcap', build)
    rc, summ, certs = certificates_seen(chk, certpath, path)
    chk.eq('certificates presented', len(certs), 0)
    chk.eq('TLS handshakes', summ.get('handshakes'), 0)


def smtp_hello_mid_line_is_not_an_upgrade(certpath, work, chk):
    """SMTP: a hello inside a DATA body, or before the server said 220, is not TLS."""
    def build(p):
        c = Conn(p, 50003, sport=25)
        c.server_send(b'220 mx.example.test ESMTP\r\n')
        c.client_send(b'EHLO a\r\nDATA\r\n')
        c.server_send(b'354 go ahead\r\n')
        c.client_send(b'Subject: x\r\n\r\n' + client_hello() + b'\r\n.\r\n')
        c.server_send(b'250 queued ' + attacker_flight() + b'\r\n')
        c.close()
    path = write_capture(work, 'smtp_mid_line.pcap', build)
    rc, summ, certs = certificates_seen(chk, certpath, path)
    chk.eq('certificates presented', len(certs), 0)


def smtp_starttls_at_the_upgrade_point_is_tls(certpath, work, chk):
    """The positive control: STARTTLS, 220, then the hellos: the certificate is seen."""
    def build(p):
        c = Conn(p, 50004, sport=25)
        c.server_send(b'220 mx.example.test ESMTP\r\n')
        c.client_send(b'EHLO a\r\n')
        c.server_send(b'250-mx.example.test\r\n250 STARTTLS\r\n')
        c.client_send(b'STARTTLS\r\n')
        c.server_send(b'220 2.0.0 Ready to start TLS\r\n')
        c.client_send(client_hello())
        c.server_send(attacker_flight())
        c.close()
    path = write_capture(work, 'smtp_starttls.pcap', build)
    rc, summ, certs = certificates_seen(chk, certpath, path)
    chk.eq('certificates presented', len(certs), 1)
    chk.eq('TLS handshakes', summ.get('handshakes'), 1)


CASES = {f.__name__: f for f in [
    write_error_names_the_file_and_the_cause,
    http_body_with_a_hello_presents_no_certificate,
    smtp_hello_mid_line_is_not_an_upgrade,
    smtp_starttls_at_the_upgrade_point_is_tls,
]}


def main():
    return run_main(CASES, 'hostile_io.py')


if __name__ == '__main__':
    sys.exit(main())
