/* SPDX-License-Identifier: BSD-2-Clause */
/* trust_private: what trust.c (verification) and trust_share.c (paths shared by leaves of one
 * shape) tell each other. Not for other files. */
#pragma once

#include <openssl/x509.h>

#include "analysis/trust.h"

/* One verification as any leaf of the same shape sees it: all but the leaf's own signature. */
typedef struct CpPathVerdict {
    CpPathStatus unsigned_status; /* MISSING, UNTRUSTED, or TRUSTED if the signatures are good */
    bool sigs_checked;            /* the signatures decide the status */
    bool bad_above;               /* a signature above the leaf does not verify */
    X509 *leaf_issuer;            /* (owned, nullable) the certificate above the leaf */
} CpPathVerdict;

/* What building one leaf's path taught about every leaf of its shape. tpl's first certificate is
 * that leaf: each leaf puts its own there. */
typedef struct CpSharedPath {
    CpPath *tpl;
    CpPathVerdict sent, final; /* with the sent chain only; with the capture's CAs too */
    STACK_OF(X509) * cands;    /* issuer candidates of ambiguous steps (owned references) */
    GArray *valid;             /* (gboolean) each candidate's validity when tpl was built */
    bool unshareable;          /* too many candidates to remember */
} CpSharedPath;

typedef struct CpTrustShapes CpTrustShapes;

CpTrustShapes *cp_trust_shapes_new(void);
void cp_trust_shapes_free(CpTrustShapes *s);

/* The rest is called with the trust store's lock held. */

/* Builds chain's path from leaf (chain's first certificate, its OpenSSL object leaf_x509); with
 * rec, also fills rec for the leaves of its shape. */
CpPath *cp_trust_path_build(CpTrust *t, CpCertCache *cache, const GArray *chain, CpCert *leaf,
                            X509 *leaf_x509, int64_t at_s, CpSharedPath *rec);
/* Does issuer verify the signature of leaf, a certificate without OpenSSL object? Parses it again
 * into *own (the caller frees it) only when that pair was never checked. */
bool cp_trust_leaf_signature_ok(CpTrust *t, const CpCert *leaf, X509 *issuer, X509 **own);
/* Whether x is valid at at_s the way OpenSSL's issuer choice judges it. */
bool cp_trust_valid_at(X509 *x, int64_t at_s);
/* Parses a certificate that keeps no OpenSSL object; NULL if it does not parse. */
X509 *cp_trust_x509_of(const CpCert *c);
/* The path of a plain leaf (CpCert.path_shareable) through the shapes of t. */
CpPath *cp_trust_shared_build(CpTrust *t, CpTrustShapes *s, CpCertCache *cache, const GArray *chain,
                              CpCert *leaf, int64_t at_s);
