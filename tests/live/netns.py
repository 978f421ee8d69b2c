# SPDX-License-Identifier: BSD-2-Clause
"""netns: a throw-away test network for live capture — two network namespaces joined by a veth
pair, a test PKI made with the openssl command line, and an `openssl s_server` on one side.
Shared by the live tests and soak.py. Nothing is left behind: close() deletes the namespaces
(which deletes the veth pair)."""

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time

SKIP = 77
SERVER_IP = "10.99.0.1"
CLIENT_IP = "10.99.0.2"
SNI = "mail.contoso.com"


def skip_unless_possible(need=("ip", "openssl")):
    """Exits 77 (skipped), saying why, when the test cannot run here."""
    if not sys.platform.startswith("linux"):
        print("SKIP: live capture tests need Linux network namespaces")
        sys.exit(SKIP)
    if os.geteuid() != 0:
        print("SKIP: live capture tests need root (network namespaces, veth, capture)")
        sys.exit(SKIP)
    for tool in need:
        if shutil.which(tool) is None:
            print(f"SKIP: '{tool}' is not installed")
            sys.exit(SKIP)
    probe = f"cpl_probe_{os.getpid()}"
    r = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
    if r.returncode != 0:
        print(f"SKIP: cannot create a network namespace: {r.stderr.strip()}")
        sys.exit(SKIP)
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)


def run(cmd, **kw):
    kw.setdefault("check", True)
    kw.setdefault("capture_output", True)
    return subprocess.run(cmd, **kw)


def openssl(*args, cwd):
    run(["openssl", *args], cwd=cwd)


def make_pki(d, leaf_days=365, expired=False):
    """Root -> issuing CA -> leaf for mail.contoso.com, all RSA 2048 / SHA-256, in d."""
    ext = os.path.join(d, "ext.cnf")
    with open(ext, "w") as f:
        f.write("[ca]\nbasicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\n"
                "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"
                f"[leaf]\nbasicConstraints=CA:false\nsubjectAltName=DNS:{SNI}\n"
                "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n"
                "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n")
    for name in ("root", "ca", "leaf"):
        openssl("genrsa", "-out", f"{name}.key", "2048", cwd=d)
    openssl("req", "-x509", "-new", "-key", "root.key", "-sha256", "-days", "3650", "-subj",
            "/O=Contoso Test/CN=Contoso Test Root", "-addext", "basicConstraints=critical,CA:true",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", "root.pem", cwd=d)
    openssl("req", "-new", "-key", "ca.key", "-subj", "/O=Contoso Test/CN=Contoso Issuing CA 1",
            "-out", "ca.csr", cwd=d)
    openssl("x509", "-req", "-in", "ca.csr", "-CA", "root.pem", "-CAkey", "root.key",
            "-CAcreateserial", "-days", "1825", "-sha256", "-extfile", ext, "-extensions", "ca",
            "-out", "ca.pem", cwd=d)
    openssl("req", "-new", "-key", "leaf.key", "-subj", f"/O=Contoso/CN={SNI}", "-out",
            "leaf.csr", cwd=d)
    openssl("x509", "-req", "-in", "leaf.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-days", str(leaf_days), "-sha256", "-extfile", ext,
            "-extensions", "leaf", "-out", "leaf.pem", cwd=d)
    with open(os.path.join(d, "fullchain.pem"), "w") as out:
        for n in ("leaf.pem", "ca.pem"):
            out.write(open(os.path.join(d, n)).read())


class TestNet:
    """Namespaces <tag>s (server, SERVER_IP) and <tag>c (client, CLIENT_IP), veth <tag>s0/<tag>c0."""

    def __init__(self, tag):
        self.tag = tag
        self.ns_srv, self.ns_cli = f"{tag}s", f"{tag}c"
        self.if_srv, self.if_cli = f"{tag}s0", f"{tag}c0"
        self.procs = []
        self.close()  # leftovers of an interrupted run
        run(["ip", "netns", "add", self.ns_srv])
        run(["ip", "netns", "add", self.ns_cli])
        run(["ip", "link", "add", self.if_srv, "netns", self.ns_srv, "type", "veth", "peer",
             "name", self.if_cli, "netns", self.ns_cli])
        for ns, ifc, ip in ((self.ns_srv, self.if_srv, SERVER_IP),
                            (self.ns_cli, self.if_cli, CLIENT_IP)):
            self.ns(ns, "ip", "addr", "add", f"{ip}/24", "dev", ifc)
            self.ns(ns, "ip", "link", "set", ifc, "up")
            self.ns(ns, "ip", "link", "set", "lo", "up")

    def ns(self, ns, *cmd, **kw):
        return run(["ip", "netns", "exec", ns, *cmd], **kw)

    def popen(self, ns, cmd, **kw):
        p = subprocess.Popen(["ip", "netns", "exec", ns, *cmd], **kw)
        self.procs.append(p)
        return p

    def start_server(self, pki, port, cert="leaf.pem", extra=()):
        p = self.popen(self.ns_srv, ["openssl", "s_server", "-accept", f"{SERVER_IP}:{port}",
                                     "-cert", cert, "-key", "leaf.key", "-www", "-quiet",
                                     *extra],
                       cwd=pki, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while time.time() < deadline:
            out = self.ns(self.ns_srv, "ss", "-ltnH", check=False).stdout.decode()
            if f"{SERVER_IP}:{port}" in out:
                return p
            if p.poll() is not None:
                raise RuntimeError("openssl s_server exited at start")
            time.sleep(0.1)
        raise RuntimeError("openssl s_server does not listen")

    def s_client(self, pki, port, sni=SNI, extra=("-tls1_2",)):
        return self.ns(self.ns_cli, "openssl", "s_client", "-connect", f"{SERVER_IP}:{port}",
                       "-servername", sni, "-CAfile", os.path.join(pki, "root.pem"), *extra,
                       input=b"", check=False, timeout=20)

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        self.procs = []
        for ns in (self.ns_srv, self.ns_cli):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True)


@contextlib.contextmanager
def world(tag, pki_subdir=None):
    """A temporary directory (0755: certpath reads it after -Z drops root), a test PKI in it (or
    in its pki_subdir) and a TestNet named after tag; all removed on the way out. Yields
    (net, tmp, pki)."""
    with tempfile.TemporaryDirectory(prefix=tag) as tmp:
        os.chmod(tmp, 0o755)
        pki = tmp
        if pki_subdir is not None:
            pki = os.path.join(tmp, pki_subdir)
            os.mkdir(pki)
        make_pki(pki)
        net = TestNet(free_tag(tag))
        try:
            yield net, tmp, pki
        finally:
            net.close()


def free_tag(prefix):
    """A short unique tag: interface names are limited to 15 characters."""
    return f"{prefix}{os.getpid() % 100000}"

