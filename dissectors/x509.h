/* SPDX-License-Identifier: BSD-2-Clause */
/* x509: DER certificate -> CpCert through OpenSSL (RFC 5280 §4.1); with x509_leaf.c the only
 * X.509 code of the dissectors layer. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

struct x509_st; /* OpenSSL's X509, opaque here */

/* Lifetime: run (shared through cp_cert_ref/unref by the certificate cache and the model).
 * Strings are NUL-terminated raw text as found in the certificate (may hold any byte but NUL:
 * escaping is the output layer's job, R70). */
typedef struct CpCert {
    gint refcount;
    uint8_t *der;
    size_t der_len;
    struct x509_st *x509; /* (owned) parsed certificate, for path building */
    char sha1[41];        /* uppercase hex of SHA-1(DER), no separators */
    char sha256[65];
    char *subject; /* RFC 4514, e.g. "CN=mail.contoso.com,O=Contoso,DC=contoso,DC=com" */
    char *issuer;
    char *serial;       /* uppercase hex, no separators, leading zeros stripped ("0" for 0) */
    int64_t not_before; /* seconds since the Unix epoch (UTC) */
    int64_t not_after;
    char *key_type;     /* "RSA", "EC", "DSA", "Ed25519", "Ed448", or OpenSSL's short name */
    unsigned key_bits;  /* EVP_PKEY_get_bits */
    char *key_curve;    /* EC curve short name ("prime256v1"), NULL otherwise */
    char *signature;    /* "sha256WithRSAEncryption", "ecdsa-with-SHA256", ... (OpenSSL ln) */
    char *sig_hash;     /* "SHA256", "SHA1", "MD5", ... NULL if not determinable */
    GPtrArray *san_dns; /* (element-type utf8) dNSName entries */
    GPtrArray *san_ip;  /* (element-type utf8) iPAddress entries, text form */
    char *common_name;  /* last CN of the subject, NULL if none */
    bool has_basic_constraints;
    bool is_ca;
    int path_len;              /* -1 when absent */
    char *ski;                 /* uppercase hex, NULL if absent */
    char *aki;                 /* keyIdentifier of AKI, uppercase hex, NULL if absent */
    GPtrArray *aia_ca_issuers; /* (element-type utf8) URIs */
    GPtrArray *aia_ocsp;       /* (element-type utf8) URIs */
    bool self_issued;          /* subject == issuer (DER-equal names) */
    bool self_signed;          /* self-issued and its signature verifies with its own key */
    bool sig_pss;              /* signed with RSASSA-PSS (Lync/Skype do not support it) */
    bool has_key_usage;        /* a keyUsage extension is present */
    unsigned key_usage;        /* CP_KU_* bits, 0 when absent */
    bool has_eku;              /* an extendedKeyUsage extension is present */
    bool eku_server_auth;      /* it lists serverAuth or anyExtendedKeyUsage */
    bool key_too_costly;       /* RSA with a public exponent over 64 bits: never verified with */
    /* Everything OpenSSL's X509_check_issued reads of this certificate when it looks for its
     * issuer (RFC 5280 §6.1 name chaining, the AKID, the signature algorithm), as one SHA-1: two
     * certificates with the same value get the same issuer candidates. */
    uint8_t issuer_shape[20];
    /* A plain end-entity certificate (not a CA, not self-issued, no proxy or undecodable
     * extension, a decodable RSA/EC/EdDSA key) whose path OpenSSL builds from issuer_shape alone:
     * its path can be shared with every leaf of the same shape (trust.c), so it needs no OpenSSL
     * object once its fields are read. */
    bool path_shareable;
} CpCert;

/* keyUsage bits certpath judges (RFC 5280 §4.2.1.3), independent of OpenSSL's values. */
#define CP_KU_DIGITAL_SIGNATURE 0x1u
#define CP_KU_KEY_ENCIPHERMENT  0x2u
#define CP_KU_KEY_AGREEMENT     0x4u
#define CP_KU_KEY_CERT_SIGN     0x8u

typedef enum CpCertParseStatus {
    CP_CERT_OK = 0,
    CP_CERT_BAD_DER,       /* OpenSSL could not parse it (x509.bad_der) */
    CP_CERT_TRAILING_DATA, /* parsed, but bytes follow the DER (x509.trailing_data); cert returned
                            */
} CpCertParseStatus;

/* (transfer full) parses der[0..len); NULL on CP_CERT_BAD_DER. Drains OpenSSL's error queue. */
CpCert *cp_cert_parse(const uint8_t *der, size_t len, CpCertParseStatus *status);
/* (transfer full) The same for a plain end-entity certificate (CpCert.path_shareable), without
 * an OpenSSL object (x509 NULL) and without OpenSSL's key decoding, most of what d2i_X509 costs
 * (x509_leaf.c). NULL when der is not such a certificate or not one this parser is sure of: the
 * caller then uses cp_cert_parse, whose fields these equal. */
CpCert *cp_cert_parse_leaf(const uint8_t *der, size_t len, CpCertParseStatus *status);
CpCert *cp_cert_ref(CpCert *c);
void cp_cert_unref(CpCert *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CpCert, cp_cert_unref)

/* An RSA key whose public exponent exceeds 64 bits (OPENSSL_RSA_MAX_PUBEXP_BITS, the bound OpenSSL
 * itself applies only above 3072-bit moduli): one signature check with it costs milliseconds, so
 * certpath never verifies with it; a signature it made counts as not verifying. */
bool cp_x509_key_too_costly(struct x509_st *x);
/* SHA-1 of DER as 40 uppercase hex characters + NUL into out[41], without parsing. */
void cp_cert_sha1_hex(const uint8_t *der, size_t len, char out[41]);
/* Does SAN (or CN when there is no dNSName SAN, RFC 6125 §6.4.4) cover host? Wildcards: one
 * left-most label only. Case-insensitive. */
bool cp_cert_matches_host(const CpCert *c, const char *host);
