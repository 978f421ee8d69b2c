/* SPDX-License-Identifier: BSD-2-Clause */
/* tls_prefix: finds where TLS starts in a stream that opens with another protocol (SMTP/IMAP/
 * POP3/FTP/XMPP/LDAP STARTTLS, MySQL and PostgreSQL SSL requests, HTTP CONNECT), then hands the
 * rest to the TLS session (STYLE R28). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/anomaly.h"
#include "dissectors/starttls.h"
#include "dissectors/tls.h"

/* ContentType, version, record length, message type and length: enough to tell a hello. */
#define CP_TLS_HELLO_PATTERN_LEN 9

typedef enum CpPrefixMode { CP_PREFIX_START = 0, CP_PREFIX_SCAN, CP_PREFIX_TLS } CpPrefixMode;

/* Lifetime: connection; one per direction, zero-initialised. */
typedef struct CpTlsPrefix {
    CpPrefixMode mode;
    uint64_t scanned; /* bytes of prefix skipped so far */
} CpTlsPrefix;

/* Whether data starts with a plausible TLS ClientHello/ServerHello record. */
bool cp_tls_prefix_hello_at(const uint8_t *data, size_t len);

/* Offset of the first plausible TLS ClientHello/ServerHello record in data, or -1. */
long cp_tls_prefix_find(const uint8_t *data, size_t len);

/* Whether a direction's first bytes are TLS (a record, an SSLv2-compatible ClientHello, or a pure
 * SSLv2 server's SERVER-HELLO, which carries the certificate). */
bool cp_tls_prefix_starts_tls(const uint8_t *data, size_t len);

/* A CpStreamFeedFn-shaped wrapper: skips a non-TLS prefix of at most max_prefix bytes
 * (--max-starttls-prefix; beyond it the direction is declared not TLS: tls.not_tls), then feeds
 * the session. st (the connection's, both directions) accepts a hello only at an upgrade
 * position (starttls.h); NULL resynchronises on the first hello anywhere (a capture begun in the
 * middle of a TLS connection). */
CpFeedResult cp_tls_prefix_feed(CpTlsPrefix *p, CpStarttls *st, CpTlsSession *s, CpAnomalies *an,
                                uint64_t max_prefix, CpDir dir, const uint8_t *data, size_t len,
                                unsigned flags);
