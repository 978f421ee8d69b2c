/* SPDX-License-Identifier: BSD-2-Clause */
/* tls_keylog: the secrets of an NSS key log (SSLKEYLOGFILE, openssl -keylogfile, the TLSK
 * secrets of a pcapng Decryption Secrets Block), looked up by label and client random. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/anomaly.h"

enum {
    CP_KEYLOG_RANDOM_LEN = 32,
    CP_KEYLOG_SECRET_MAX = 64, /* TLS 1.2 master secrets are 48 bytes, TLS 1.3 SHA-384 ones 48 */
};

/* The labels certpath uses; the others of the format (traffic secrets of application data,
 * exporter and early secrets) are recognised and skipped. */
typedef enum CpKeylogLabel {
    CP_KEYLOG_CLIENT_RANDOM = 0, /* TLS 1.0-1.2 master secret */
    CP_KEYLOG_CLIENT_HS,         /* CLIENT_HANDSHAKE_TRAFFIC_SECRET */
    CP_KEYLOG_SERVER_HS,         /* SERVER_HANDSHAKE_TRAFFIC_SECRET */
} CpKeylogLabel;

typedef struct CpKeylog CpKeylog;

/* (transfer full) holds at most max_entries secrets (keylog.limit beyond). anomalies is
 * borrowed (nullable) and counts lines that are not key log lines (keylog.malformed). */
CpKeylog *cp_keylog_new(uint64_t max_entries, CpAnomalies *anomalies);
void cp_keylog_free(CpKeylog *k);
/* Adds the lines of key log text (LF or CRLF; '#' comments). Returns the secrets added. */
size_t cp_keylog_add_text(CpKeylog *k, const uint8_t *text, size_t len);
/* The secret for label and client random: true with secret[0..*len) filled. */
bool cp_keylog_find(const CpKeylog *k, CpKeylogLabel label,
                    const uint8_t random[CP_KEYLOG_RANDOM_LEN],
                    uint8_t secret[CP_KEYLOG_SECRET_MAX], size_t *len);
size_t cp_keylog_count(const CpKeylog *k);
