/* SPDX-License-Identifier: BSD-2-Clause */
/* tls_cipher: one direction's TLS record protection from key log secrets, by OpenSSL's EVP
 * (STYLE R21): the TLS 1.3 key schedule's HKDF-Expand-Label (RFC 8446 §7.1, §7.3), the TLS 1.2
 * PRF key block (RFC 5246 §6.3), and the AEAD / CBC+HMAC record decryption (RFC 8446 §5.2,
 * RFC 5288, RFC 7905, RFC 6655, RFC 5246 §6.2.3). No cipher of our own. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct CpTlsCipher CpTlsCipher;

enum {
    CP_TLS_RECORD_HEADER_LEN = 5,
    CP_DTLS13_SAMPLE_LEN = 16, /* RFC 9147 §4.2.3: the ciphertext bytes the mask is made from */
};

/* Whether suite is one certpath decrypts for this version (0x0304: TLS 1.3 suites). */
bool cp_tls_cipher_supported(uint16_t version, uint16_t suite);
/* (transfer full) TLS 1.3: from a handshake traffic secret. NULL when the suite is unknown or
 * the secret has the wrong length for its hash. */
CpTlsCipher *cp_tls_cipher_new13(uint16_t suite, const uint8_t *secret, size_t secret_len);
/* (transfer full) TLS 1.0-1.2: from the 48-byte master secret and the hello randoms, for the
 * keys the client (client_writes) or the server writes with; encrypt_then_mac: RFC 7366 was
 * negotiated (CBC suites MAC the ciphertext). */
CpTlsCipher *cp_tls_cipher_new12(uint16_t version, uint16_t suite, const uint8_t *master,
                                 size_t master_len, const uint8_t client_random[32],
                                 const uint8_t server_random[32], bool client_writes,
                                 bool encrypt_then_mac);
void cp_tls_cipher_free(CpTlsCipher *c);
/* Decrypts and authenticates the next record of the direction: hdr is its 5-byte header, in its
 * len-byte payload. out has room for len bytes; the plaintext is out[0..*out_len), its content
 * type *type (TLS 1.3: the inner type). false: authentication failed or the record is
 * malformed; the sequence number advances either way. */
bool cp_tls_cipher_open(CpTlsCipher *c, const uint8_t hdr[5], const uint8_t *in, size_t len,
                        uint8_t *out, size_t *out_len, uint8_t *type);
/* Accounts a record skipped without decryption (TLS 1.2 application data): sequence number,
 * and for TLS 1.0 CBC the chained IV (the record's last cipher block). */
void cp_tls_cipher_skip(CpTlsCipher *c, const uint8_t *in, size_t len);
/* RFC 8446 §7.1 HKDF-Expand-Label(secret, label, context, out_len) with digest "SHA256" or
 * "SHA384". Exposed for the RFC 8448 test vectors. */
bool cp_tls13_expand_label(const char *digest, const uint8_t *secret, size_t secret_len,
                           const char *label, const uint8_t *ctx, size_t ctx_len, uint8_t *out,
                           size_t out_len);

/* DTLS 1.3 (RFC 9147 §5.9, §4.2.3): HKDF-Expand-Label with the "dtls13" prefix. */
bool cp_dtls13_expand_label(const char *digest, const uint8_t *secret, size_t secret_len,
                            const char *label, const uint8_t *ctx, size_t ctx_len, uint8_t *out,
                            size_t out_len);
/* (transfer full) DTLS 1.3: key, iv and sn_key from a handshake traffic secret; NULL as
 * cp_tls_cipher_new13. */
CpTlsCipher *cp_dtls13_cipher_new(uint16_t suite, const uint8_t *secret, size_t secret_len);
/* The record number mask of a TLS 1.3 suite from its sn_key (key-length bytes) and the first 16
 * ciphertext bytes (sample, sample_len bytes on the wire: false when fewer). */
bool cp_dtls13_sn_mask(uint16_t suite, const uint8_t *sn_key, const uint8_t *sample,
                       size_t sample_len, uint8_t mask[CP_DTLS13_SAMPLE_LEN]);
/* The same with the cipher's own sn_key. */
bool cp_dtls13_cipher_mask(const CpTlsCipher *c, const uint8_t *sample, size_t sample_len,
                           uint8_t mask[CP_DTLS13_SAMPLE_LEN]);
/* Opens one DTLSCiphertext: seq is its reconstructed sequence number (RFC 9147 §4: without the
 * epoch), aad the unified header as sent with the record number unmasked. As
 * cp_tls_cipher_open. */
bool cp_dtls13_cipher_open(CpTlsCipher *c, uint64_t seq, const uint8_t *aad, size_t aad_len,
                           const uint8_t *in, size_t len, uint8_t *out, size_t *out_len,
                           uint8_t *type);
