/* SPDX-License-Identifier: BSD-2-Clause */
/* tls_tables: IANA names for TLS versions, cipher suites, alerts (STYLE R34). */
#pragma once

#include <stdint.h>

/* (transfer none) static strings; NULL when unknown: callers format "0x%04x" themselves. */
const char *cp_tls_version_name(uint16_t v);  /* "TLS 1.2", "SSL 3.0", "TLS 1.3" */
const char *cp_tls_cipher_name(uint16_t v);   /* "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256" */
const char *cp_tls_alert_name(uint8_t desc);  /* "unknown_ca" */
const char *cp_tls_handshake_name(uint8_t t); /* "certificate" */
