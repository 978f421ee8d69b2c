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

/* Who sent a certificate: only servers' chains are diagnosed, so a full cache evicts client
 * certificates first. */
typedef enum CpCertUse {
    CP_CERT_USE_SERVER = 0,  /* in a server's chain, any position */
    CP_CERT_USE_CLIENT,      /* in a client's chain: never path-built */
    CP_CERT_USE_SERVER_LEAF, /* first in a server's chain: a plain end-entity certificate keeps
                              * no OpenSSL object (CpCert.path_shareable, trust.c) */
} CpCertUse;

CpCertCache *cp_cert_cache_new(const CpLimits *limits, CpAnomalies *anomalies);
void cp_cert_cache_free(CpCertCache *c);
/* Finds or parses der. Returns (transfer none) the cached certificate, or NULL when the DER does
 * not parse (x509.bad_der), exceeds --max-cert-memory or every cached certificate is in use
 * (cert.cache_full); *is_new is set when this call parsed it. sha1_out (41 bytes) always
 * receives the thumbprint. The certificate stays valid while the caller holds a reference
 * (cp_cert_ref): beyond --max-certs the least recently used certificate nobody else holds is
 * evicted, client ones first. */
CpCert *cp_cert_cache_get_as(CpCertCache *c, const uint8_t *der, size_t len, CpCertUse use,
                             bool *is_new, char sha1_out[41]);
/* cp_cert_cache_get_as(..., CP_CERT_USE_SERVER, ...) */
CpCert *cp_cert_cache_get(CpCertCache *c, const uint8_t *der, size_t len, bool *is_new,
                          char sha1_out[41]);
/* Changes whenever a certificate is added, evicted or indexed, and differs between caches: what
 * trust.c learnt from this cache holds while the version is the same. */
uint64_t cp_cert_cache_version(const CpCertCache *c);
/* Looks a certificate up by SHA-1 hex (uppercase). (transfer none) */
CpCert *cp_cert_cache_find_sha1(CpCertCache *c, const char *sha1);
/* (transfer none) every cached certificate (element-type CpCert*), in first-seen order until the
 * first eviction, least recently used first after it. Valid until the next get. */
GPtrArray *cp_cert_cache_all(CpCertCache *c);
/* (transfer full) a copy of the tables holding a reference to each server certificate and
 * possible issuer kept (what diagnosis looks up; clients' own certificates are left out), with no
 * anomaly counters: read while c goes on changing (live diagnosis, cli/live_diag.c). */
CpCertCache *cp_cert_cache_snapshot(CpCertCache *c);
/* Certificates kept now, and evicted so far. */
unsigned cp_cert_cache_count(const CpCertCache *c);
uint64_t cp_cert_cache_evicted(const CpCertCache *c);
/* Bytes a parsed certificate keeps (DER and fields), as --max-cert-memory counts them. */
size_t cp_cert_cache_cost(const CpCert *x);
/* The CA certificates (basicConstraints CA or self-issued) with this subject (RFC 4514 text) or
 * this subject key identifier (uppercase hex): path building's issuer candidates. (transfer
 * none, element-type CpCert*) NULL when none. Valid until the next get. */
const GPtrArray *cp_cert_cache_issuers_by_subject(CpCertCache *c, const char *subject);
const GPtrArray *cp_cert_cache_issuers_by_ski(CpCertCache *c, const char *ski);
