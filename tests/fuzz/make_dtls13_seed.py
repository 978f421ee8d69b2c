#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-2-Clause
"""make_dtls13_seed: writes the DTLS 1.3 seed of fuzz_decrypt (corpus/decrypt/dtls13-keylog).

OpenSSL 3.0 cannot make DTLS 1.3 handshakes, so capgen cannot either: this script builds one
flight by RFC 9147 itself (plaintext ClientHello and ServerHello, then the server's
EncryptedExtensions, Certificate and Finished and the client's Finished in epoch 2 records with
record number encryption), with made-up secrets in the key log text in front. The certificate is
tests' own bytes, not a real one: the seed is there to reach the record layer and the handshake
parser behind it. Needs Python's cryptography module (only to regenerate the committed file).

usage: make_dtls13_seed.py OUT_FILE
"""
import struct
import sys

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand

RANDOM = bytes(range(0xe0, 0x100))
SECRETS = {"SERVER_HANDSHAKE_TRAFFIC_SECRET": bytes([0x5a] * 32),
           "CLIENT_HANDSHAKE_TRAFFIC_SECRET": bytes([0xc5] * 32)}


def expand(secret, label, n):
    lab = b"dtls13" + label
    info = struct.pack(">HB", n, len(lab)) + lab + b"\x00"
    return HKDFExpand(hashes.SHA256(), n, info).derive(secret)


def u24(n):
    return struct.pack(">I", n)[1:]


def hs(msg_type, seq, body):
    return bytes([msg_type]) + u24(len(body)) + struct.pack(">H", seq) + u24(0) + u24(len(body)) + body


def plaintext(body):
    return b"\x16\xfe\xfd" + b"\x00\x00" + b"\x00" * 6 + struct.pack(">H", len(body)) + body


def protect(secret, seq, inner, inner_type=22):
    key, iv, sn = expand(secret, b"key", 16), expand(secret, b"iv", 12), expand(secret, b"sn", 16)
    first = 0x2e  # 001 C=0 S=1 L=1 EE=2
    pt = inner + bytes([inner_type])
    hdr = bytes([first]) + struct.pack(">HH", seq, len(pt) + 16)
    nonce = bytes(a ^ b for a, b in zip(iv, seq.to_bytes(12, "big")))
    ct = AESGCM(key).encrypt(nonce, pt, hdr)
    enc = Cipher(algorithms.AES(sn), modes.ECB()).encryptor()
    mask = enc.update(ct[:16]) + enc.finalize()
    return bytes([first, hdr[1] ^ mask[0], hdr[2] ^ mask[1]]) + hdr[3:] + ct


def main():
    ext_sv_client = b"\x00\x2b\x00\x03\x02\xfe\xfc"
    ch = (b"\xfe\xfd" + RANDOM + b"\x00" + b"\x00" + b"\x00\x02\x13\x01" + b"\x01\x00"
          + struct.pack(">H", len(ext_sv_client)) + ext_sv_client)
    ext_sv_server = b"\x00\x2b\x00\x02\xfe\xfc"
    sh = (b"\xfe\xfd" + bytes(range(0x70, 0x90)) + b"\x00" + b"\x13\x01" + b"\x00"
          + struct.pack(">H", len(ext_sv_server)) + ext_sv_server)
    der = b"\x30\x82\x01\x00" + bytes(range(256))
    cert = b"\x00" + u24(3 + len(der) + 2) + u24(len(der)) + der + b"\x00\x00"
    srv, cli = SECRETS["SERVER_HANDSHAKE_TRAFFIC_SECRET"], SECRETS["CLIENT_HANDSHAKE_TRAFFIC_SECRET"]
    flight = (protect(srv, 0, hs(8, 1, b"\x00\x00")) + protect(srv, 1, hs(11, 2, cert))
              + protect(srv, 2, hs(20, 3, bytes(32))))
    client_fin = protect(cli, 0, hs(20, 1, bytes(32)))
    keylog = "".join("%s %s %s\n" % (k, RANDOM.hex(), v.hex()) for k, v in SECRETS.items())
    datagrams = [(0, plaintext(hs(1, 0, ch))), (1, plaintext(hs(2, 0, sh)) + flight),
                 (0, client_fin)]
    out = struct.pack(">H", 0x8000 | len(keylog)) + keylog.encode()
    for d, dg in datagrams:
        out += bytes([d]) + struct.pack(">H", len(dg)) + dg
    with open(sys.argv[1], "wb") as f:
        f.write(out)


if __name__ == "__main__":
    main()
