/* SPDX-License-Identifier: BSD-2-Clause */
/* x509_private: what x509.c (any certificate, through d2i_X509) and x509_leaf.c (a plain leaf,
 * without OpenSSL's key decoding) share: both read the same decoded parts the same way. */
#pragma once

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "dissectors/x509.h"

/* The decoded pieces of a certificate the fields are read from (borrowed). */
typedef struct CpCertParts {
    const X509_NAME *subject;
    const X509_NAME *issuer;
    const ASN1_INTEGER *serial;
    const ASN1_TIME *not_before;
    const ASN1_TIME *not_after;
    const X509_ALGOR *tbs_sig_alg; /* TBSCertificate.signature */
    const X509_ALGOR *sig_alg;     /* Certificate.signatureAlgorithm */
    const STACK_OF(X509_EXTENSION) * exts;
    /* Set while the fields are read: */
    bool malformed;   /* an extension read was repeated or did not decode */
    bool has_pathlen; /* basicConstraints has a pathLenConstraint */
} CpCertParts;

/* A certificate of refcount 1 holding a copy of der[0..len), its arrays empty. */
CpCert *cp_x509_cert_new(const uint8_t *der, size_t len);
/* Thumbprints, names, serial, validity, signature name, SAN, basic constraints, key ids, AIA.
 * False when one of those extensions was repeated or did not decode (its field left empty). */
bool cp_x509_fill_parts(CpCert *c, CpCertParts *p);
/* c->issuer_shape; false if it cannot be computed. */
bool cp_x509_issuer_shape(CpCert *c, const CpCertParts *p, EVP_MD_CTX *md);
char *cp_x509_signature_hash(X509 *x, int sig_nid);
/* X509V3_get_d2i with the error queue cleared; *found (nullable) as its crit argument: -1 absent,
 * -2 more than one, else the extension was there (even if it did not decode). */
void *cp_x509_get_ext(const STACK_OF(X509_EXTENSION) * exts, int nid, int *found);
/* OpenSSL's keyUsage bits (KU_*, as its extension cache holds them) as CP_KU_* bits. */
unsigned cp_x509_usage_bits(uint32_t ku);
/* SHA-1 (0) or SHA-256 (1), fetched once. */
const EVP_MD *cp_x509_md(int which);
