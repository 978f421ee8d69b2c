/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pki.h - certificate hierarchies for the capture generator.
 *
 * A CgPki owns every certificate and key it creates, in creation order, so the
 * truth file can list them and --export-pki can write the CAs. Certificates
 * follow RFC 5280: basicConstraints/keyUsage on CAs, SKI/AKI everywhere, SAN
 * dNSName and AIA (caIssuers + OCSP) on leaves issued by intermediates.
 */
#ifndef CG_PKI_H
#define CG_PKI_H

#include <glib.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum CgKeyType {
    CG_KEY_RSA2048 = 0,
    CG_KEY_RSA1024,
    CG_KEY_EC_P256,
} CgKeyType;

/* One attribute of a distinguished name, e.g. {"CN", "contoso-Root-CA"}. */
typedef struct CgRdn {
    const char *attr;
    const char *value;
} CgRdn;

/* What to put into one certificate. Arrays are borrowed for the call. */
typedef struct CgCertSpec {
    const char *name;        /* PKI name: truth "name" and export file name */
    const CgRdn *subject;    /* RFC 4514 order: most specific first */
    size_t subject_count;    /* entries in subject */
    CgKeyType key;           /* key type of the new certificate */
    const char *md;          /* signature digest: "SHA256" (NULL) or "SHA1" */
    bool is_ca;              /* CA:TRUE + keyCertSign, else a TLS server leaf */
    int64_t not_before;      /* epoch seconds */
    int64_t not_after;       /* epoch seconds */
    const char *const *sans; /* NULL-terminated dNSName list (leaves) */
    const char *domain;      /* AIA host: http://pki.<domain>/<issuer>.crt */
    const char *key_usage;   /* leaves: keyUsage value, NULL = digitalSignature,keyEncipherment */
    const char *eku;         /* leaves: extendedKeyUsage value, NULL = serverAuth,clientAuth */
    bool pss;                /* sign with RSASSA-PSS (the issuer's key must be RSA) */
} CgCertSpec;

typedef struct CgCert {
    char *name;            /* PKI name */
    X509 *x509;            /* the certificate */
    EVP_PKEY *key;         /* its private key */
    struct CgCert *issuer; /* borrowed; NULL when self-signed */
    bool is_ca;
} CgCert;

typedef struct CgPki CgPki;

CgPki *cg_pki_new(void);
void cg_pki_free(CgPki *pki);

/*
 * Generate `count` RSA 2048 keys on all CPUs now, so later cg_pki_issue() calls
 * for RSA 2048 certificates take a ready key instead of waiting for one.
 */
void cg_pki_prefetch_rsa(CgPki *pki, unsigned count);

/*
 * Create a certificate signed by `issuer` (self-signed when NULL). The result
 * is owned by the PKI (transfer none) and valid until cg_pki_free().
 */
CgCert *cg_pki_issue(CgPki *pki, const CgCertSpec *spec, CgCert *issuer, GError **error);

/* All certificates in creation order (transfer none). */
const GPtrArray *cg_pki_certs(const CgPki *pki);

/* Write every CA certificate as DIR/<name>.pem, creating DIR if needed. */
gboolean cg_pki_export(const CgPki *pki, const char *dir, GError **error);

/* Uppercase hex digest of the DER ("SHA1" or "SHA256") into a new string. */
char *cg_pki_digest_hex(X509 *x509, const char *md);

/* Subject or issuer as X509_NAME_print_ex(XN_FLAG_RFC2253) prints it (new string). */
char *cg_pki_name_rfc2253(const X509_NAME *name);

/* Serial number as uppercase hex (new string). */
char *cg_pki_serial_hex(X509 *x509);

#endif /* CG_PKI_H */
