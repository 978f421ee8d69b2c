/* SPDX-License-Identifier: BSD-2-Clause */
/* cert_cache: each distinct certificate (by DER) parsed once per run. Real traffic repeats the
 * same few chains thousands of times, and d2i_X509 costs ~100 µs. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/anomaly.h"
#include "base/limits.h"
#include "dissectors/x509.h"

typedef struct CpCertCache CpCertCache;

CpCertCache *cp_cert_cache_new(const CpLimits *limits, CpAnomalies *anomalies);
void cp_cert_cache_free(CpCertCache *c);
/* Finds or parses der. Returns (transfer none) the cached certificate, valid for the run, or
 * NULL when the DER does not parse (x509.bad_der) or the cache is full (cert.cache_full);
 * *is_new is set when this call parsed it. sha1_out (41 bytes) always receives the thumbprint. */
CpCert *cp_cert_cache_get(CpCertCache *c, const uint8_t *der, size_t len, bool *is_new,
                          char sha1_out[41]);
/* Looks a certificate up by SHA-1 hex (uppercase). (transfer none) */
CpCert *cp_cert_cache_find_sha1(CpCertCache *c, const char *sha1);
/* (transfer none) every cached certificate in first-seen order (element-type CpCert*) */
GPtrArray *cp_cert_cache_all(CpCertCache *c);
