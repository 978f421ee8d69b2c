/* SPDX-License-Identifier: BSD-2-Clause */
/* diag_world: the fixture of the diagnosis tests (test_diagnose, test_diagnose_client) — test
 * certificates made with OpenSSL, and a small world of certificate cache, model, trust store and
 * diagnosis that handshakes are added to in memory, as the pipeline would. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "analysis/cert_cache.h"
#include "analysis/diagnose.h"
#include "analysis/model.h"
#include "analysis/trust.h"

#include <CUnit/CUnit.h>

/* A fatal check gcc can follow: CUnit leaves the test by longjmp, which -Wnull-dereference does
 * not see. */
#define REQUIRE(p)                       \
    do {                                 \
        CU_ASSERT_PTR_NOT_NULL_FATAL(p); \
        if ((p) == NULL)                 \
            return;                      \
    } while (0)

G_DEFINE_AUTOPTR_CLEANUP_FUNC(X509, X509_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(EVP_PKEY, EVP_PKEY_free)

/* 2025-01-15 10:00 UTC: inside every certificate's validity the fixture makes. */
#define CAPTURE_NS (UINT64_C(1736935200) * 1000000000u)

/* ---- certificates ------------------------------------------------------------------------ */

/* (transfer full) A new EC P-256 key. */
EVP_PKEY *key_new(void);
/* (transfer full) An RSA key of bits (2048 or 3072) from rsa_keys.c; two calls in a row give
 * two different 2048-bit keys (an RSA issuer and its RSA subject). */
EVP_PKEY *rsa_key(unsigned bits);
/* Adds the extension nid = value (OpenSSL's config syntax) to x. */
void add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value);
/* (transfer full) A v3 certificate for cn with key, issued by issuer (NULL: self-signed with
 * key), valid from not_before to not_after. A CA when san is NULL; else a server certificate
 * whose SAN is san ("DNS:host" or "IP:address"). */
X509 *cert_make_full(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key,
                     const char *san, long serial, const char *not_before, const char *not_after);
/* (transfer full) The same, from 2024-01-01, with a dNSName SAN when san is not NULL. */
X509 *cert_make(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key, const char *san,
                long serial, const char *not_after);

/* root -> issuing CA -> server certificate, one PKI. */
typedef struct Pki {
    EVP_PKEY *root_key, *ca_key, *leaf_key;
    X509 *root, *ca, *leaf;
} Pki;

void pki_init(Pki *p, const char *prefix, const char *host, const char *leaf_not_after);
void pki_clear(Pki *p);

/* ---- a small world: cache, model, trust store, diagnosis ---------------------------------- */

typedef struct World {
    CpLimits limits;
    CpAnomalies anomalies;
    CpCertCache *cache;
    CpModel *model;
    CpTrust *trust;
    CpDiagnosis *diag;
    char *ca_file;   /* (nullable) temporary PEM of the anchors */
    uint16_t cipher; /* the suite the next handshakes negotiate (wrong-purpose reads it) */
} World;

/* max_chain: --max-chain, 0 for the default. */
void world_init(World *w, uint64_t max_chain);
void world_clear(World *w);
/* Trust store: no system CAs, only anchor (when not NULL). */
void world_trust(World *w, X509 *anchor);
/* Appends x to chain, parsed through the world's certificate cache (the first one as a server's
 * leaf). */
void world_chain_add(World *w, GArray *chain, X509 *x);
/* A handshake at ts_ns from 10.1.9.<client>:50000 to 10.1.0.<server>:port, nothing seen yet. */
void world_handshake_init(CpHandshake *h, uint64_t ts_ns, uint8_t client, uint8_t server,
                          uint16_t port);
/* One handshake from 10.1.9.1 to 10.1.0.<last>:port whose Certificate message kept chain[0..n)
 * and dropped `dropped` certificates; conflict: its TCP overlaps carried different bytes. */
void world_add_at(World *w, uint64_t ts_ns, uint8_t last, uint16_t port, const char *sni,
                  X509 *const *chain, size_t n, size_t dropped, bool conflict);
void world_add(World *w, uint8_t last, uint16_t port, const char *sni, X509 *const *chain, size_t n,
               size_t dropped, bool conflict);
/* (transfer none) The world's diagnosis (owned by w), with an empty trust store unless
 * world_trust gave one. */
const CpDiagnosis *world_diagnose_opt(World *w, const CpDiagOptions *opt);
const CpDiagnosis *world_diagnose(World *w);
/* (transfer none) The i-th server of the model. */
const CpServer *server_at(World *w, guint i);

/* ---- findings ---------------------------------------------------------------------------- */

unsigned count_code(const CpDiagnosis *d, CpFindingCode code);
/* (transfer none) The first finding with code, or NULL. */
const CpFinding *finding(const CpDiagnosis *d, CpFindingCode code);
