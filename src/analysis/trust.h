/* SPDX-License-Identifier: BSD-2-Clause */
/* trust: trust anchors and certification path building with OpenSSL's verifier (RFC 5280 §6),
 * using intermediates from the server's own chain, from every chain in the capture, and from the
 * stores; says which source completed the path. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "analysis/cert_cache.h"
#include "analysis/model.h"

typedef struct CpTrustOptions {
    bool no_system_ca;
    char **ca_files; /* (nullable) PEM files of extra anchors */
    char **ca_paths; /* (nullable) directories (c_rehash layout or plain PEM files) */
} CpTrustOptions;

typedef enum CpCertSource {
    CP_SRC_SENT = 0, /* in the chain the server sent */
    CP_SRC_CAPTURE,  /* sent by another server in this capture */
    CP_SRC_STORE,    /* from the trust store (system, --ca-file, --ca-path) */
} CpCertSource;

/* One certificate of a built path. */
typedef struct CpPathCert {
    char *subject;
    char *issuer;
    char sha1[41];
    char *ski; /* (nullable) */
    CpCertSource source;
    bool self_signed;
    bool is_anchor; /* self-signed and in the trust store (a CA file that is not self-signed
                     * is a known intermediate, not an anchor) */
} CpPathCert;

typedef enum CpPathStatus {
    CP_PATH_TRUSTED = 0,    /* reaches a trust anchor */
    CP_PATH_UNTRUSTED_ROOT, /* ends at a self-signed certificate that is not an anchor */
    CP_PATH_ISSUER_MISSING, /* ends at a certificate whose issuer was found nowhere */
    CP_PATH_BAD_SIGNATURE,  /* a signature in the path does not verify */
} CpPathStatus;

/* The path for one chain, leaf first. Lifetime: owned by the caller (cp_path_free). */
typedef struct CpPath {
    CpPathStatus status;
    GArray *certs;     /* CpPathCert, leaf first, up to the root or the last found */
    bool used_capture; /* a certificate from another server's chain was needed */
    bool used_store_intermediate;
    /* With ISSUER_MISSING: what the last certificate names as its issuer. */
    char *missing_issuer;
    char *missing_aki; /* (nullable) */
    /* With the server's own chain only (before capture-wide help): */
    CpPathStatus sent_only_status;
    int sent_only_depth; /* certificates of the sent chain on that path */
} CpPath;

typedef struct CpTrust CpTrust;

/* Fails (boundary error) when a CA file or path cannot be read. */
CpTrust *cp_trust_new(const CpTrustOptions *opt, GError **error);
void cp_trust_free(CpTrust *t);
/* Whether the user gave CA certificates of their own (--ca-file, --ca-path). */
bool cp_trust_has_user_cas(const CpTrust *t);
/* Builds the path of chain (CpChainLink array, leaf first) at time at_s, with every CA certificate
 * of the cert cache as a possible intermediate. (transfer full) NULL when the leaf did not parse.
 */
CpPath *cp_trust_build(CpTrust *t, CpCertCache *cache, const GArray *chain, int64_t at_s);
void cp_path_free(CpPath *p);
/* The top of a path: its root or, when the issuer is missing, the last certificate found. */
const CpPathCert *cp_path_top(const CpPath *p);
