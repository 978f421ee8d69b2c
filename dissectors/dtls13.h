/* SPDX-License-Identifier: BSD-2-Clause */
/* dtls13: DTLS 1.3 ciphertext records (RFC 9147 §4) opened with the handshake traffic secrets of
 * a key log, for dtls.c: the unified header, record number decryption and reconstruction, and
 * the AEAD, through tls_cipher.c (OpenSSL's EVP). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/anomaly.h"
#include "base/limits.h"
#include "base/reader.h"
#include "dissectors/tls_cipher.h"
#include "dissectors/tls_keylog.h"
#include "reasm/stream_sink.h"

enum {
    CP_DTLS13_HANDSHAKE_EPOCH = 2, /* RFC 9147 §6.1: epoch 2 carries the handshake keys */
};

/* Lifetime: connection. One direction's handshake keys. */
typedef struct CpDtls13Dir {
    CpTlsCipher *cipher; /* (owned, nullable) epoch 2 keys */
    uint64_t next_seq;   /* the 48-bit sequence number expected next in epoch 2 */
    uint64_t decrypted;  /* record bytes opened (--max-decrypt-bytes) */
} CpDtls13Dir;

typedef enum CpDtls13Status {
    CP_DTLS13_OPENED,      /* plaintext and its inner content type are out */
    CP_DTLS13_OTHER_EPOCH, /* a record of another epoch: the handshake keys are over */
    CP_DTLS13_FAILED,      /* did not open (wrong secret, damage): tls.decrypt_failed */
    CP_DTLS13_LIMIT,       /* --max-decrypt-bytes reached: tls.decrypt_limit */
    CP_DTLS13_UNFRAMED,    /* the rest of the datagram cannot be framed (counted) */
} CpDtls13Status;

/* At a DTLS 1.3 ServerHello from server_dir: both directions' epoch 2 keys from the key log's
 * handshake traffic secrets of client_random (the client's only when its secret is there).
 * true when the server's direction has keys; a suite certpath does not decrypt is counted
 * (tls.decrypt_suite). */
bool cp_dtls13_keys(CpDtls13Dir dirs[2], CpDir server_dir, const CpKeylog *keylog,
                    const uint8_t client_random[CP_KEYLOG_RANDOM_LEN], uint16_t suite,
                    CpAnomalies *anomalies);
void cp_dtls13_dir_clear(CpDtls13Dir *d);
/* One DTLSCiphertext record at in's position (its first byte 001CSLEE), consumed whatever the
 * status. OPENED: *plain (transfer full, g_free) holds *plain_len bytes of inner content of
 * type *type. */
CpDtls13Status cp_dtls13_open(CpDtls13Dir *d, CpReader *in, const CpLimits *limits,
                              CpAnomalies *anomalies, uint8_t **plain, size_t *plain_len,
                              uint8_t *type);
/* RFC 9147 §4.2.2: the sequence number closest to expected whose low bits (8 or 16) are low. */
uint64_t cp_dtls13_reconstruct_seq(uint64_t expected, uint64_t low, unsigned bits);
