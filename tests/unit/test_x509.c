/* SPDX-License-Identifier: BSD-2-Clause */
/* test_x509: cp_cert_parse on certificates built here with OpenSSL (RFC 5280 §4.1, §4.2), on
 * hostile DER (truncated, random, mutated, lying lengths, deep nesting), and host matching
 * (RFC 6125 §6.4). Expected values come from independent OpenSSL calls or fixed inputs. */
#include "dissectors/x509.h"

#include <stdio.h>
#include <string.h>

#include <glib.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cert_same.h"
#include "harness.h"
#include "rsa_keys.h"

G_DEFINE_AUTOPTR_CLEANUP_FUNC(X509, X509_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(X509_NAME, X509_NAME_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(EVP_PKEY, EVP_PKEY_free)

/* ---- builders ---------------------------------------------------------------------------- */

typedef struct Ext {
    int nid;
    const char *value; /* X509V3 config syntax */
} Ext;

typedef struct Spec {
    long version;           /* 0 = v1, 2 = v3 */
    const char *serial_hex; /* BN_hex2bn syntax, may start with '-' */
    X509_NAME *subject;
    X509_NAME *issuer;      /* NULL: same as subject */
    const char *not_before; /* ASN1_TIME_set_string_X509 syntax */
    const char *not_after;
    EVP_PKEY *key;      /* subject public key */
    EVP_PKEY *sign_key; /* NULL: key (self-signed) */
    X509 *issuer_cert;  /* for AKI; NULL: self */
    const EVP_MD *md;   /* NULL for Ed25519 */
    const Ext *exts;    /* ends with nid 0; may be NULL */
} Spec;

static X509_NAME *
name_new(const char *const *pairs)
{
    X509_NAME *n = X509_NAME_new();

    for (size_t i = 0; pairs[i] != NULL; i += 2) {
        int ok = X509_NAME_add_entry_by_txt(n, pairs[i], MBSTRING_UTF8,
                                            (const unsigned char *)pairs[i + 1], -1, -1, 0);
        CU_ASSERT_FATAL(ok == 1);
    }
    return n;
}

static void
set_serial(X509 *x, const char *hex)
{
    BIGNUM *bn = NULL;

    CU_ASSERT_FATAL(BN_hex2bn(&bn, hex) > 0);
    CU_ASSERT_FATAL(BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL);
    BN_free(bn);
}

static void
add_exts(X509 *x, const Spec *s)
{
    X509V3_CTX ctx;

    X509V3_set_ctx(&ctx, s->issuer_cert != NULL ? s->issuer_cert : x, x, NULL, NULL, 0);
    for (const Ext *e = s->exts; e != NULL && e->nid != 0; e++) {
        X509_EXTENSION *ext = X509V3_EXT_nconf_nid(NULL, &ctx, e->nid, e->value);

        CU_ASSERT_FATAL(ext != NULL);
        CU_ASSERT_FATAL(X509_add_ext(x, ext, -1) == 1);
        X509_EXTENSION_free(ext);
    }
}

static X509 *
cert_new(const Spec *s)
{
    X509 *x = X509_new();

    CU_ASSERT_FATAL(X509_set_version(x, s->version) == 1);
    set_serial(x, s->serial_hex != NULL ? s->serial_hex : "1");
    CU_ASSERT_FATAL(X509_set_subject_name(x, s->subject) == 1);
    CU_ASSERT_FATAL(X509_set_issuer_name(x, s->issuer != NULL ? s->issuer : s->subject) == 1);
    CU_ASSERT_FATAL(ASN1_TIME_set_string_X509(X509_getm_notBefore(x),
                                              s->not_before != NULL ? s->not_before
                                                                    : "20240102030405Z") == 1);
    CU_ASSERT_FATAL(ASN1_TIME_set_string_X509(X509_getm_notAfter(x),
                                              s->not_after != NULL ? s->not_after
                                                                   : "20341231235959Z") == 1);
    CU_ASSERT_FATAL(X509_set_pubkey(x, s->key) == 1);
    add_exts(x, s);
    CU_ASSERT_FATAL(X509_sign(x, s->sign_key != NULL ? s->sign_key : s->key, s->md) > 0);
    return x;
}

static uint8_t *
der_of(X509 *x, size_t *len)
{
    unsigned char *buf = NULL;
    int n = i2d_X509(x, &buf);

    CU_ASSERT_FATAL(n > 0);
    uint8_t *out = g_memdup2(buf, (size_t)n);

    OPENSSL_free(buf);
    *len = (size_t)n;
    return out;
}

static CpCert *
parse_ok(const uint8_t *der, size_t len)
{
    CpCertParseStatus st = CP_CERT_BAD_DER;
    CpCert *c = cp_cert_parse(der, len, &st);

    CU_ASSERT_FATAL(c != NULL);
    CU_ASSERT_EQUAL(st, CP_CERT_OK);
    CU_ASSERT_EQUAL(ERR_peek_error(), 0);
    return c;
}

static CpCert *
parse_x509(X509 *x, uint8_t **der, size_t *len)
{
    *der = der_of(x, len);
    return parse_ok(*der, *len);
}

static EVP_PKEY *
rsa_key(unsigned bits)
{
    return test_rsa_key(bits, 0);
}

static EVP_PKEY *
ec_key(const char *curve)
{
    EVP_PKEY *k = EVP_EC_gen(curve);

    CU_ASSERT_FATAL(k != NULL);
    return k;
}

/* Independent thumbprint: EVP_Digest + printf hex. */
static void
expect_digest(const uint8_t *der, size_t len, const EVP_MD *md, const char *got)
{
    unsigned char buf[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    char hex[2 * EVP_MAX_MD_SIZE + 1];

    CU_ASSERT_FATAL(EVP_Digest(der, len, buf, &n, md, NULL) == 1);
    for (unsigned i = 0; i < n; i++)
        snprintf(hex + 2 * i, 3, "%02X", buf[i]);
    CU_ASSERT_STRING_EQUAL(got, hex);
}

static char *
ossl_key_id(X509 *x)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    GString *s = g_string_new(NULL);

    CU_ASSERT_FATAL(X509_pubkey_digest(x, EVP_sha1(), md, &n) == 1);
    for (unsigned i = 0; i < n; i++)
        g_string_append_printf(s, "%02X", md[i]);
    return g_string_free(s, FALSE);
}

/* ---- certificates with every field --------------------------------------------------------- */

static const Ext root_exts[] = {
    { NID_basic_constraints, "critical,CA:TRUE,pathlen:1" },
    { NID_key_usage, "critical,keyCertSign,cRLSign" },
    { NID_subject_key_identifier, "hash" },
    { NID_authority_key_identifier, "keyid:always" },
    { 0, NULL },
};

static void
test_root_rsa2048_every_field(void)
{
    g_autoptr(EVP_PKEY) key = rsa_key(2048);
    static const char *const dn[] = { "C", "US", "O", "Contoso", "CN", "Contoso Root CA", NULL };
    g_autoptr(X509_NAME) name = name_new(dn);
    Spec s = { .version = 2,
               .serial_hex = "00123456789ABCDEF00011",
               .subject = name,
               .not_before = "20240102030405Z",
               .not_after = "20600101000000Z",
               .key = key,
               .md = EVP_sha256(),
               .exts = root_exts };
    g_autoptr(X509) x = cert_new(&s);
    g_autofree uint8_t *der = NULL;
    size_t len = 0;
    g_autoptr(CpCert) c = parse_x509(x, &der, &len);
    g_autofree char *kid = ossl_key_id(x);

    CU_ASSERT_EQUAL(c->refcount, 1);
    CU_ASSERT_EQUAL(c->der_len, len);
    CU_ASSERT(memcmp(c->der, der, len) == 0);
    CU_ASSERT_PTR_NOT_EQUAL(c->der, der);
    CU_ASSERT_PTR_NOT_NULL(c->x509);
    expect_digest(der, len, EVP_sha1(), c->sha1);
    expect_digest(der, len, EVP_sha256(), c->sha256);
    CU_ASSERT_EQUAL(strlen(c->sha1), 40);
    CU_ASSERT_EQUAL(strlen(c->sha256), 64);
    CU_ASSERT_STRING_EQUAL(c->subject, "CN=Contoso Root CA,O=Contoso,C=US");
    CU_ASSERT_STRING_EQUAL(c->issuer, "CN=Contoso Root CA,O=Contoso,C=US");
    CU_ASSERT_STRING_EQUAL(c->serial, "123456789ABCDEF00011");
    CU_ASSERT_EQUAL(c->not_before, INT64_C(1704164645));
    CU_ASSERT_EQUAL(c->not_after, INT64_C(2840140800));
    CU_ASSERT_STRING_EQUAL(c->key_type, "RSA");
    CU_ASSERT_EQUAL(c->key_bits, 2048);
    CU_ASSERT_PTR_NULL(c->key_curve);
    CU_ASSERT_STRING_EQUAL(c->signature, "sha256WithRSAEncryption");
    CU_ASSERT_STRING_EQUAL(c->sig_hash, "SHA256");
    CU_ASSERT_EQUAL(c->san_dns->len, 0);
    CU_ASSERT_EQUAL(c->san_ip->len, 0);
    CU_ASSERT_STRING_EQUAL(c->common_name, "Contoso Root CA");
    CU_ASSERT(c->has_basic_constraints);
    CU_ASSERT(c->is_ca);
    CU_ASSERT_EQUAL(c->path_len, 1);
    CU_ASSERT_STRING_EQUAL(c->ski, kid);
    CU_ASSERT_STRING_EQUAL(c->aki, kid);
    CU_ASSERT_EQUAL(c->aia_ca_issuers->len, 0);
    CU_ASSERT_EQUAL(c->aia_ocsp->len, 0);
    CU_ASSERT(c->self_issued);
    CU_ASSERT(c->self_signed);
}

static const Ext inter_exts[] = {
    { NID_basic_constraints, "critical,CA:TRUE,pathlen:0" },
    { NID_subject_key_identifier, "hash" },
    { NID_authority_key_identifier, "keyid:always" },
    { NID_info_access, "caIssuers;URI:http://pki.contoso.com/root.crt" },
    { 0, NULL },
};

static const Ext leaf_exts[] = {
    { NID_basic_constraints, "CA:FALSE" },
    { NID_subject_key_identifier, "hash" },
    { NID_authority_key_identifier, "keyid:always" },
    { NID_subject_alt_name,
      "DNS:mail.contoso.com,IP:192.0.2.10,DNS:*.contoso.com,IP:2001:db8::1,email:a@contoso.com" },
    { NID_info_access, "caIssuers;URI:http://pki.contoso.com/issuing.crt,"
                       "OCSP;URI:http://ocsp.contoso.com,caIssuers;URI:ldap://pki/x" },
    { 0, NULL },
};

static void
test_chain_intermediate_ec_and_leaf(void)
{
    g_autoptr(EVP_PKEY) root_key = rsa_key(2048);
    g_autoptr(EVP_PKEY) inter_key = ec_key("P-256");
    g_autoptr(EVP_PKEY) leaf_key = test_rsa_key(2048, 1);
    static const char *const root_dn[] = { "O", "Contoso", "CN", "Root", NULL };
    static const char *const inter_dn[] = { "O", "Contoso", "CN", "Issuing", NULL };
    static const char *const leaf_dn[] = { "O",  "Contoso",          "CN", "ignored",
                                           "CN", "mail.contoso.com", NULL };
    g_autoptr(X509_NAME) rn = name_new(root_dn);
    g_autoptr(X509_NAME) in = name_new(inter_dn);
    g_autoptr(X509_NAME) ln = name_new(leaf_dn);
    Spec rs = {
        .version = 2, .subject = rn, .key = root_key, .md = EVP_sha256(), .exts = root_exts
    };
    g_autoptr(X509) root = cert_new(&rs);
    Spec is = { .version = 2,
                .serial_hex = "2",
                .subject = in,
                .issuer = rn,
                .key = inter_key,
                .sign_key = root_key,
                .issuer_cert = root,
                .md = EVP_sha256(),
                .exts = inter_exts };
    g_autoptr(X509) inter = cert_new(&is);
    Spec ls = { .version = 2,
                .serial_hex = "3",
                .subject = ln,
                .issuer = in,
                .key = leaf_key,
                .sign_key = inter_key,
                .issuer_cert = inter,
                .md = EVP_sha256(),
                .exts = leaf_exts };
    g_autoptr(X509) leaf = cert_new(&ls);
    g_autofree uint8_t *ider = NULL;
    g_autofree uint8_t *lder = NULL;
    size_t ilen = 0;
    size_t llen = 0;
    g_autoptr(CpCert) ic = parse_x509(inter, &ider, &ilen);
    g_autoptr(CpCert) lc = parse_x509(leaf, &lder, &llen);
    g_autofree char *root_kid = ossl_key_id(root);
    g_autofree char *inter_kid = ossl_key_id(inter);

    CU_ASSERT_STRING_EQUAL(ic->subject, "CN=Issuing,O=Contoso");
    CU_ASSERT_STRING_EQUAL(ic->issuer, "CN=Root,O=Contoso");
    CU_ASSERT_STRING_EQUAL(ic->key_type, "EC");
    CU_ASSERT_EQUAL(ic->key_bits, 256);
    CU_ASSERT_STRING_EQUAL(ic->key_curve, "prime256v1");
    CU_ASSERT_STRING_EQUAL(ic->signature, "sha256WithRSAEncryption");
    CU_ASSERT(ic->has_basic_constraints && ic->is_ca);
    CU_ASSERT_EQUAL(ic->path_len, 0);
    CU_ASSERT_STRING_EQUAL(ic->ski, inter_kid);
    CU_ASSERT_STRING_EQUAL(ic->aki, root_kid);
    CU_ASSERT_EQUAL_FATAL(ic->aia_ca_issuers->len, 1);
    CU_ASSERT_STRING_EQUAL(g_ptr_array_index(ic->aia_ca_issuers, 0),
                           "http://pki.contoso.com/root.crt");
    CU_ASSERT_EQUAL(ic->aia_ocsp->len, 0);
    CU_ASSERT(!ic->self_issued);
    CU_ASSERT(!ic->self_signed);

    CU_ASSERT_STRING_EQUAL(lc->subject, "CN=mail.contoso.com,CN=ignored,O=Contoso");
    CU_ASSERT_STRING_EQUAL(lc->common_name, "mail.contoso.com");
    CU_ASSERT_STRING_EQUAL(lc->signature, "ecdsa-with-SHA256");
    CU_ASSERT_STRING_EQUAL(lc->sig_hash, "SHA256");
    CU_ASSERT_STRING_EQUAL(lc->serial, "3");
    CU_ASSERT_EQUAL_FATAL(lc->san_dns->len, 2);
    CU_ASSERT_STRING_EQUAL(g_ptr_array_index(lc->san_dns, 0), "mail.contoso.com");
    CU_ASSERT_STRING_EQUAL(g_ptr_array_index(lc->san_dns, 1), "*.contoso.com");
    CU_ASSERT_EQUAL_FATAL(lc->san_ip->len, 2);
    CU_ASSERT_STRING_EQUAL(g_ptr_array_index(lc->san_ip, 0), "192.0.2.10");
    CU_ASSERT_STRING_EQUAL(g_ptr_array_index(lc->san_ip, 1), "2001:db8::1");
    CU_ASSERT(lc->has_basic_constraints);
    CU_ASSERT(!lc->is_ca);
    CU_ASSERT_EQUAL(lc->path_len, -1);
    CU_ASSERT_STRING_EQUAL(lc->aki, inter_kid);
    CU_ASSERT_EQUAL_FATAL(lc->aia_ca_issuers->len, 2);
    CU_ASSERT_STRING_EQUAL(g_ptr_array_index(lc->aia_ca_issuers, 0),
                           "http://pki.contoso.com/issuing.crt");
    CU_ASSERT_STRING_EQUAL(g_ptr_array_index(lc->aia_ca_issuers, 1), "ldap://pki/x");
    CU_ASSERT_EQUAL_FATAL(lc->aia_ocsp->len, 1);
    CU_ASSERT_STRING_EQUAL(g_ptr_array_index(lc->aia_ocsp, 0), "http://ocsp.contoso.com");
    CU_ASSERT(cp_cert_matches_host(lc, "mail.contoso.com"));
    CU_ASSERT(cp_cert_matches_host(lc, "autodiscover.contoso.com"));
    CU_ASSERT(cp_cert_matches_host(lc, "192.0.2.10"));
    CU_ASSERT(!cp_cert_matches_host(lc, "ignored"));
    CU_ASSERT(!cp_cert_matches_host(lc, "contoso.com"));
}

static void
test_v1_cert_without_extensions_rsa1024(void)
{
    g_autoptr(EVP_PKEY) key = rsa_key(1024);
    static const char *const dn[] = { "CN", "legacy", NULL };
    g_autoptr(X509_NAME) name = name_new(dn);
    Spec s = { .version = 0, .serial_hex = "0", .subject = name, .key = key, .md = EVP_sha256() };
    g_autoptr(X509) x = cert_new(&s);
    g_autofree uint8_t *der = NULL;
    size_t len = 0;
    g_autoptr(CpCert) c = parse_x509(x, &der, &len);

    CU_ASSERT_EQUAL(X509_get_version(c->x509), 0);
    CU_ASSERT_STRING_EQUAL(c->serial, "0");
    CU_ASSERT_EQUAL(c->key_bits, 1024);
    CU_ASSERT(!c->has_basic_constraints);
    CU_ASSERT(!c->is_ca);
    CU_ASSERT_EQUAL(c->path_len, -1);
    CU_ASSERT_PTR_NULL(c->ski);
    CU_ASSERT_PTR_NULL(c->aki);
    CU_ASSERT_EQUAL(c->san_dns->len + c->san_ip->len, 0);
    CU_ASSERT_EQUAL(c->aia_ca_issuers->len + c->aia_ocsp->len, 0);
    CU_ASSERT(c->self_issued && c->self_signed);
    CU_ASSERT(cp_cert_matches_host(c, "LEGACY"));
}

typedef struct SigCase {
    const char *md;
    const char *signature;
    const char *hash;
} SigCase;

static void
test_signature_algorithms_and_hashes(void)
{
    static const SigCase rsa_cases[] = {
        { "SHA1", "sha1WithRSAEncryption", "SHA1" },
        { "MD5", "md5WithRSAEncryption", "MD5" },
        { "SHA384", "sha384WithRSAEncryption", "SHA384" },
        { "SHA512", "sha512WithRSAEncryption", "SHA512" },
    };
    g_autoptr(EVP_PKEY) rsa = rsa_key(1024);
    g_autoptr(EVP_PKEY) ec = ec_key("P-384");
    static const char *const dn[] = { "CN", "sig", NULL };
    g_autoptr(X509_NAME) name = name_new(dn);

    for (size_t i = 0; i < G_N_ELEMENTS(rsa_cases); i++) {
        Spec s = {
            .version = 2, .subject = name, .key = rsa, .md = EVP_get_digestbyname(rsa_cases[i].md)
        };
        CU_ASSERT_PTR_NOT_NULL_FATAL(s.md);
        g_autoptr(X509) x = cert_new(&s);
        g_autofree uint8_t *der = NULL;
        size_t len = 0;
        g_autoptr(CpCert) c = parse_x509(x, &der, &len);

        CU_ASSERT_STRING_EQUAL(c->signature, rsa_cases[i].signature);
        CU_ASSERT_STRING_EQUAL(c->sig_hash, rsa_cases[i].hash);
        CU_ASSERT(c->self_signed);
    }
    Spec es = { .version = 2, .subject = name, .key = ec, .md = EVP_sha384() };
    g_autoptr(X509) ex = cert_new(&es);
    g_autofree uint8_t *eder = NULL;
    size_t elen = 0;
    g_autoptr(CpCert) ecc = parse_x509(ex, &eder, &elen);

    CU_ASSERT_STRING_EQUAL(ecc->signature, "ecdsa-with-SHA384");
    CU_ASSERT_STRING_EQUAL(ecc->sig_hash, "SHA384");
    CU_ASSERT_STRING_EQUAL(ecc->key_curve, "secp384r1");
    CU_ASSERT_EQUAL(ecc->key_bits, 384);
    CU_ASSERT(ecc->self_signed);
}

static void
test_ed25519_key_has_no_separate_hash(void)
{
    g_autoptr(EVP_PKEY) key = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    static const char *const dn[] = { "CN", "ed", NULL };
    g_autoptr(X509_NAME) name = name_new(dn);

    CU_ASSERT_PTR_NOT_NULL_FATAL(key);
    Spec s = { .version = 2, .subject = name, .key = key, .md = NULL };
    g_autoptr(X509) x = cert_new(&s);
    g_autofree uint8_t *der = NULL;
    size_t len = 0;
    g_autoptr(CpCert) c = parse_x509(x, &der, &len);

    CU_ASSERT_STRING_EQUAL(c->key_type, "Ed25519");
    CU_ASSERT_EQUAL(c->key_bits, 256);
    CU_ASSERT_PTR_NULL(c->key_curve);
    CU_ASSERT_STRING_EQUAL(c->signature, "ED25519");
    CU_ASSERT_PTR_NULL(c->sig_hash);
    CU_ASSERT(c->self_signed);
}

static void
test_rsa_pss_hash_comes_from_parameters(void)
{
    g_autoptr(EVP_PKEY) key = rsa_key(2048);
    static const char *const dn[] = { "CN", "pss", NULL };
    g_autoptr(X509_NAME) name = name_new(dn);
    Spec s = { .version = 2, .subject = name, .key = key, .md = EVP_sha256() };
    g_autoptr(X509) x = cert_new(&s);
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;

    CU_ASSERT_FATAL(EVP_DigestSignInit(ctx, &pctx, EVP_sha384(), NULL, key) == 1);
    CU_ASSERT_FATAL(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1);
    CU_ASSERT_FATAL(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1);
    CU_ASSERT_FATAL(X509_sign_ctx(x, ctx) > 0);
    EVP_MD_CTX_free(ctx);
    g_autofree uint8_t *der = NULL;
    size_t len = 0;
    g_autoptr(CpCert) c = parse_x509(x, &der, &len);

    CU_ASSERT_STRING_EQUAL(c->signature, "rsassaPss");
    CU_ASSERT_STRING_EQUAL(c->sig_hash, "SHA384");
    CU_ASSERT_STRING_EQUAL(c->key_type, "RSA");
    CU_ASSERT(c->self_signed);
}

/* ---- names ----------------------------------------------------------------------------------- */

static void
test_name_with_comma_and_dc_parts(void)
{
    g_autoptr(EVP_PKEY) key = ec_key("P-256");
    static const char *const dn[] = { "DC",      "com", "DC",
                                      "contoso", "CN",  "Issuing CA for contoso,com",
                                      NULL };
    g_autoptr(X509_NAME) name = name_new(dn);
    Spec s = { .version = 2, .subject = name, .key = key, .md = EVP_sha256() };
    g_autoptr(X509) x = cert_new(&s);
    g_autofree uint8_t *der = NULL;
    size_t len = 0;
    g_autoptr(CpCert) c = parse_x509(x, &der, &len);

    CU_ASSERT_STRING_EQUAL(c->subject, "CN=Issuing CA for contoso\\,com,DC=contoso,DC=com");
    CU_ASSERT_STRING_EQUAL(c->common_name, "Issuing CA for contoso,com");
}

static void
test_name_multivalued_unknown_oid_and_specials(void)
{
    g_autoptr(EVP_PKEY) key = ec_key("P-256");
    g_autoptr(X509_NAME) name = X509_NAME_new();
    const unsigned char *u = (const unsigned char *)"M\xc3\xbcnchen #1 <a>;\"q\"+=\\ ";

    CU_ASSERT_FATAL(X509_NAME_add_entry_by_txt(name, "C", MBSTRING_ASC, (const unsigned char *)"DE",
                                               -1, -1, 0) == 1);
    CU_ASSERT_FATAL(X509_NAME_add_entry_by_txt(name, "L", MBSTRING_UTF8, u, -1, -1, 0) == 1);
    CU_ASSERT_FATAL(X509_NAME_add_entry_by_txt(name, "OU", MBSTRING_ASC,
                                               (const unsigned char *)" IT", -1, -1, 0) == 1);
    /* set -1: joins the previous RDN (multi-valued RDN, printed with '+') */
    CU_ASSERT_FATAL(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                               (const unsigned char *)"Fabrikam", -1, -1, -1) == 1);
    CU_ASSERT_FATAL(X509_NAME_add_entry_by_txt(name, "1.2.3.4.5", MBSTRING_ASC,
                                               (const unsigned char *)"x", -1, -1, 0) == 1);
    CU_ASSERT_FATAL(X509_NAME_add_entry_by_NID(name, NID_commonName, V_ASN1_BMPSTRING,
                                               (const unsigned char *)"\x20\xac", 2, -1, 0) == 1);
    Spec s = { .version = 2, .subject = name, .key = key, .md = EVP_sha256() };
    g_autoptr(X509) x = cert_new(&s);
    g_autofree uint8_t *der = NULL;
    size_t len = 0;
    g_autoptr(CpCert) c = parse_x509(x, &der, &len);

    CU_ASSERT_STRING_EQUAL(c->subject, "CN=\xe2\x82\xac,1.2.3.4.5=#0C0178,O=Fabrikam+OU=\\ IT,"
                                       "L=M\xc3\xbcnchen #1 \\<a\\>\\;\\\"q\\\"\\+=\\\\\\ ,C=DE");
    CU_ASSERT(strstr(c->subject, "+O=Fabrikam") != NULL ||
              strstr(c->subject, "O=Fabrikam+") != NULL);
    CU_ASSERT(strstr(c->subject, "1.2.3.4.5=#") != NULL);
    CU_ASSERT(strstr(c->subject, "L=M\xc3\xbcnchen") != NULL); /* UTF-8 kept, not \C3\BC */
    CU_ASSERT(g_utf8_validate(c->subject, -1, NULL));
    CU_ASSERT_STRING_EQUAL(c->common_name, "\xe2\x82\xac"); /* BMPString -> UTF-8 */
}

/* Adds one entry with raw bytes of a given string type, no validation by OpenSSL. */
static void
add_raw_entry(X509_NAME *n, int nid, int type, const char *bytes, int len)
{
    CU_ASSERT_FATAL(X509_NAME_add_entry_by_NID(n, nid, type, (const unsigned char *)bytes, len, -1,
                                               0) == 1);
}

/* Replaces every occurrence of from (n bytes) in der with to; returns the count. */
static int
patch_all(uint8_t *der, size_t len, const char *from, const char *to, size_t n)
{
    int count = 0;

    for (size_t i = 0; i + n <= len; i++) {
        if (memcmp(der + i, from, n) == 0) {
            memcpy(der + i, to, n);
            count++;
        }
    }
    return count;
}

/* OpenSSL refuses to put invalid UTF-8 into an X509_NAME, so the bytes are patched into the
 * DER afterwards (subject and issuer both; the signature no longer verifies, which is fine). */
static void
test_name_with_escape_byte_t61_and_bad_utf8(void)
{
    g_autoptr(EVP_PKEY) key = ec_key("P-256");
    g_autoptr(X509_NAME) name = X509_NAME_new();

    add_raw_entry(name, NID_organizationName, V_ASN1_UTF8STRING, "a\x1b[31mb", 7);
    add_raw_entry(name, NID_localityName, V_ASN1_T61STRING, "caf\xe9", 4);
    add_raw_entry(name, NID_commonName, V_ASN1_UTF8STRING, "badXYutf8", 9);
    Spec s = { .version = 2, .subject = name, .key = key, .md = EVP_sha256() };
    g_autoptr(X509) x = cert_new(&s);
    size_t len = 0;
    g_autofree uint8_t *der = der_of(x, &len);
    CpCertParseStatus st = CP_CERT_OK;

    CU_ASSERT_EQUAL_FATAL(patch_all(der, len, "badXYutf8", "bad\xc3\x28utf8", 9), 2);
    g_autoptr(CpCert) c = cp_cert_parse(der, len, &st);

    /* OpenSSL 3 canonicalises every name while decoding (x509_name_canon converts each value
     * to UTF-8) and rejects the whole certificate on invalid UTF-8: bad DER, cleanly. */
    CU_ASSERT_PTR_NULL(c);
    CU_ASSERT_EQUAL(st, CP_CERT_BAD_DER);
    CU_ASSERT_EQUAL(ERR_peek_error(), 0);
    /* the same certificate with valid bytes in that place parses, so the patch is the cause */
    CU_ASSERT_EQUAL_FATAL(patch_all(der, len, "bad\xc3\x28utf8", "bad\xc3\xa9utf8", 9), 2);
    g_autoptr(CpCert) ok = parse_ok(der, len);
    CU_ASSERT_STRING_EQUAL(ok->subject, "CN=bad\xc3\xa9utf8,L=caf\xc3\xa9,O=a\\1B[31mb");
    CU_ASSERT_STRING_EQUAL(ok->common_name, "bad\xc3\xa9utf8");
}

static void
test_name_escape_byte_and_t61_without_bad_utf8(void)
{
    g_autoptr(EVP_PKEY) key = ec_key("P-256");
    g_autoptr(X509_NAME) name = X509_NAME_new();

    add_raw_entry(name, NID_organizationName, V_ASN1_UTF8STRING, "a\x1b[31mb", 7);
    add_raw_entry(name, NID_localityName, V_ASN1_T61STRING, "caf\xe9", 4);
    add_raw_entry(name, NID_commonName, V_ASN1_T61STRING, "\xff\x1b", 2);
    Spec s = { .version = 2, .subject = name, .key = key, .md = EVP_sha256() };
    g_autoptr(X509) x = cert_new(&s);
    g_autofree uint8_t *der = NULL;
    size_t len = 0;
    g_autoptr(CpCert) c = parse_x509(x, &der, &len);

    CU_ASSERT_STRING_EQUAL(c->subject, "CN=\xc3\xbf\\1B,L=caf\xc3\xa9,O=a\\1B[31mb");
    CU_ASSERT_STRING_EQUAL(c->common_name, "\xc3\xbf\x1b"); /* raw text; escaped at output */
}

static void
test_name_with_nul_byte_is_not_truncated(void)
{
    g_autoptr(EVP_PKEY) key = ec_key("P-256");
    g_autoptr(X509_NAME) name = X509_NAME_new();

    add_raw_entry(name, NID_commonName, V_ASN1_IA5STRING, "good.com\0.evil.com", 18);
    Spec s = { .version = 2, .subject = name, .key = key, .md = EVP_sha256() };
    g_autoptr(X509) x = cert_new(&s);
    g_autofree uint8_t *der = NULL;
    size_t len = 0;
    g_autoptr(CpCert) c = parse_x509(x, &der, &len);

    CU_ASSERT_STRING_EQUAL(c->subject, "CN=good.com\\00.evil.com");
    CU_ASSERT_STRING_EQUAL(c->common_name, "good.com\\00.evil.com");
    CU_ASSERT(!cp_cert_matches_host(c, "good.com"));
    CU_ASSERT(!cp_cert_matches_host(c, "evil.com"));
}

static void
test_san_dns_with_nul_byte_does_not_match_prefix(void)
{
    g_autoptr(EVP_PKEY) key = ec_key("P-256");
    static const char *const dn[] = { "CN", "good.com", NULL };
    g_autoptr(X509_NAME) name = name_new(dn);
    Spec s = { .version = 2, .subject = name, .key = key, .md = EVP_sha256() };
    g_autoptr(X509) x = cert_new(&s);
    GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
    GENERAL_NAME *gn = GENERAL_NAME_new();
    ASN1_IA5STRING *ia5 = ASN1_IA5STRING_new();

    CU_ASSERT_FATAL(ASN1_STRING_set(ia5, "good.com\0.evil.com", 18) == 1);
    GENERAL_NAME_set0_value(gn, GEN_DNS, ia5);
    CU_ASSERT_FATAL(sk_GENERAL_NAME_push(gens, gn) > 0);
    CU_ASSERT_FATAL(X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, 0) == 1);
    GENERAL_NAMES_free(gens);
    CU_ASSERT_FATAL(X509_sign(x, key, EVP_sha256()) > 0);
    g_autofree uint8_t *der = NULL;
    size_t len = 0;
    g_autoptr(CpCert) c = parse_x509(x, &der, &len);

    CU_ASSERT_EQUAL_FATAL(c->san_dns->len, 1);
    CU_ASSERT_STRING_EQUAL(g_ptr_array_index(c->san_dns, 0), "good.com\\00.evil.com");
    /* a dNSName SAN exists, so the CN "good.com" is not consulted (RFC 6125 §6.4.4) */
    CU_ASSERT(!cp_cert_matches_host(c, "good.com"));
}

static void
test_empty_subject_prints_empty_string(void)
{
    g_autoptr(EVP_PKEY) key = ec_key("P-256");
    g_autoptr(X509_NAME) name = X509_NAME_new();
    Spec s = { .version = 2, .subject = name, .key = key, .md = EVP_sha256() };
    g_autoptr(X509) x = cert_new(&s);
    g_autofree uint8_t *der = NULL;
    size_t len = 0;
    g_autoptr(CpCert) c = parse_x509(x, &der, &len);

    CU_ASSERT_STRING_EQUAL(c->subject, "");
    CU_ASSERT_STRING_EQUAL(c->issuer, "");
    CU_ASSERT_PTR_NULL(c->common_name);
    CU_ASSERT(!cp_cert_matches_host(c, "anything"));
}

/* ---- serials, times, keys -------------------------------------------------------------------- */

static void
test_serial_forms(void)
{
    static const char *const cases[][2] = {
        { "-5", "-5" },
        { "0", "0" },
        { "00000A", "A" },
        { "-0100", "-100" },
        { "7F", "7F" },
        { "80", "80" },
        { "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF", "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF" },
    };
    g_autoptr(EVP_PKEY) key = ec_key("P-256");
    static const char *const dn[] = { "CN", "serial", NULL };
    g_autoptr(X509_NAME) name = name_new(dn);

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        Spec s = {
            .version = 2, .serial_hex = cases[i][0], .subject = name, .key = key, .md = EVP_sha256()
        };
        g_autoptr(X509) x = cert_new(&s);
        g_autofree uint8_t *der = NULL;
        size_t len = 0;
        g_autoptr(CpCert) c = parse_x509(x, &der, &len);

        CU_ASSERT_STRING_EQUAL(c->serial, cases[i][1]);
    }
}

typedef struct TimeCase {
    const char *before;
    const char *after;
    int64_t before_s;
    int64_t after_s;
} TimeCase;

static void
test_times_are_utc_epoch_seconds(void)
{
    static const TimeCase cases[] = {
        { "19650101000000Z", "20601231235959Z", INT64_C(-157766400), INT64_C(2871763199) },
        { "20000229120000Z", "99991231235959Z", INT64_C(951825600), INT64_C(253402300799) },
        { "19500101000000Z", "19700101000000Z", INT64_C(-631152000), 0 },
    };
    g_autoptr(EVP_PKEY) key = ec_key("P-256");
    static const char *const dn[] = { "CN", "time", NULL };
    g_autoptr(X509_NAME) name = name_new(dn);

    g_setenv("TZ", "America/Los_Angeles", TRUE); /* must not matter */
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        Spec s = { .version = 2,
                   .subject = name,
                   .key = key,
                   .md = EVP_sha256(),
                   .not_before = cases[i].before,
                   .not_after = cases[i].after };
        g_autoptr(X509) x = cert_new(&s);
        g_autofree uint8_t *der = NULL;
        size_t len = 0;
        g_autoptr(CpCert) c = parse_x509(x, &der, &len);

        CU_ASSERT_EQUAL(c->not_before, cases[i].before_s);
        CU_ASSERT_EQUAL(c->not_after, cases[i].after_s);
    }
    g_unsetenv("TZ");
}

static void
test_invalid_time_is_zero_and_rest_parses(void)
{
    g_autoptr(EVP_PKEY) key = ec_key("P-256");
    static const char *const dn[] = { "CN", "badtime", NULL };
    g_autoptr(X509_NAME) name = name_new(dn);
    Spec s = { .version = 2, .subject = name, .key = key, .md = EVP_sha256() };
    g_autoptr(X509) x = cert_new(&s);

    /* month 13: a GeneralizedTime whose content is not a date */
    CU_ASSERT_FATAL(ASN1_STRING_set(X509_getm_notBefore(x), "20241340000000Z", -1) == 1);
    CU_ASSERT_FATAL(X509_sign(x, key, EVP_sha256()) > 0);
    g_autofree uint8_t *der = NULL;
    size_t len = 0;
    CpCertParseStatus st = CP_CERT_BAD_DER;

    der = der_of(x, &len);
    g_autoptr(CpCert) c = cp_cert_parse(der, len, &st);

    CU_ASSERT_EQUAL(ERR_peek_error(), 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL(st, CP_CERT_OK);
    CU_ASSERT_EQUAL(c->not_before, 0);
    CU_ASSERT_EQUAL(c->not_after, INT64_C(2051222399));
    CU_ASSERT_STRING_EQUAL(c->common_name, "badtime");
}

/* Replaces the subject public key's algorithm and bits, then re-signs with the real key. */
static uint8_t *
cert_with_raw_key(int alg_nid, const char *alg_oid, const uint8_t *bits, int n, EVP_PKEY *key,
                  size_t *len)
{
    static const char *const dn[] = { "CN", "oddkey", NULL };
    g_autoptr(X509_NAME) name = name_new(dn);
    Spec s = { .version = 2, .subject = name, .key = key, .md = EVP_sha256(), .exts = root_exts };
    g_autoptr(X509) x = cert_new(&s);
    ASN1_OBJECT *obj = alg_oid != NULL ? OBJ_txt2obj(alg_oid, 1) : OBJ_nid2obj(alg_nid);
    unsigned char *copy = OPENSSL_memdup(bits, (size_t)n);

    CU_ASSERT_FATAL(obj != NULL && copy != NULL);
    CU_ASSERT_FATAL(
            X509_PUBKEY_set0_param(X509_get_X509_PUBKEY(x), obj, V_ASN1_NULL, NULL, copy, n) == 1);
    CU_ASSERT_FATAL(X509_sign(x, key, EVP_sha256()) > 0);
    return der_of(x, len);
}

static void
test_unparseable_and_unknown_keys_do_not_fail_cert(void)
{
    static const uint8_t junk[] = { 0x30, 0x03, 0x02, 0x01, 0x00, 0xff, 0xee };
    g_autoptr(EVP_PKEY) key = ec_key("P-256");
    size_t len = 0;
    g_autofree uint8_t *bad_rsa =
            cert_with_raw_key(NID_rsaEncryption, NULL, junk, (int)sizeof junk, key, &len);
    g_autoptr(CpCert) c = parse_ok(bad_rsa, len);

    CU_ASSERT_STRING_EQUAL(c->key_type, "unknown");
    CU_ASSERT_EQUAL(c->key_bits, 0);
    CU_ASSERT_PTR_NULL(c->key_curve);
    CU_ASSERT(c->self_issued);
    CU_ASSERT(!c->self_signed);
    CU_ASSERT_STRING_EQUAL(c->common_name, "oddkey");
    CU_ASSERT(c->is_ca);

    size_t len2 = 0;
    g_autofree uint8_t *unknown =
            cert_with_raw_key(0, "1.3.6.1.4.1.99999.1", junk, (int)sizeof junk, key, &len2);
    g_autoptr(CpCert) u = parse_ok(unknown, len2);

    CU_ASSERT_STRING_EQUAL(u->key_type, "unknown");
    CU_ASSERT_EQUAL(u->key_bits, 0);
    CU_ASSERT(!u->self_signed);
    CU_ASSERT_STRING_EQUAL(u->signature, "ecdsa-with-SHA256");
}

/* Patches every sha256WithRSAEncryption OID (tbs and outer) into an unassigned PKCS#1 arc. */
static void
test_unknown_signature_algorithm_is_dotted_oid(void)
{
    static const uint8_t oid[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b };
    g_autoptr(EVP_PKEY) key = rsa_key(1024);
    static const char *const dn[] = { "CN", "unknown sig", NULL };
    g_autoptr(X509_NAME) name = name_new(dn);
    Spec s = { .version = 2, .subject = name, .key = key, .md = EVP_sha256() };
    g_autoptr(X509) x = cert_new(&s);
    size_t len = 0;
    g_autofree uint8_t *der = der_of(x, &len);
    int patched = 0;

    for (size_t i = 0; i + sizeof oid <= len; i++) {
        if (memcmp(der + i, oid, sizeof oid) == 0) {
            der[i + sizeof oid - 1] = 0x7f;
            patched++;
        }
    }
    CU_ASSERT_EQUAL_FATAL(patched, 2);
    g_autoptr(CpCert) c = parse_ok(der, len);

    CU_ASSERT_STRING_EQUAL(c->signature, "1.2.840.113549.1.1.127");
    CU_ASSERT_PTR_NULL(c->sig_hash);
    CU_ASSERT_STRING_EQUAL(c->key_type, "RSA");
    CU_ASSERT(c->self_issued);
    CU_ASSERT(!c->self_signed);
}

static void
test_large_san_list_kept_in_order(void)
{
    g_autoptr(EVP_PKEY) key = ec_key("P-256");
    static const char *const dn[] = { "CN", "many", NULL };
    g_autoptr(X509_NAME) name = name_new(dn);
    GString *san = g_string_new(NULL);

    for (int i = 0; i < 2000; i++)
        g_string_append_printf(san, "%sDNS:host%d.contoso.com", i ? "," : "", i);
    Ext exts[] = { { NID_subject_alt_name, san->str }, { 0, NULL } };
    Spec s = { .version = 2, .subject = name, .key = key, .md = EVP_sha256(), .exts = exts };
    g_autoptr(X509) x = cert_new(&s);
    g_autofree uint8_t *der = NULL;
    size_t len = 0;
    g_autoptr(CpCert) c = parse_x509(x, &der, &len);

    g_string_free(san, TRUE);
    CU_ASSERT(len > 40000);
    CU_ASSERT_EQUAL_FATAL(c->san_dns->len, 2000);
    CU_ASSERT_STRING_EQUAL(g_ptr_array_index(c->san_dns, 1999), "host1999.contoso.com");
    CU_ASSERT(cp_cert_matches_host(c, "host1234.contoso.com"));
    CU_ASSERT(!cp_cert_matches_host(c, "many"));
}

/* ---- hostile DER ----------------------------------------------------------------------------- */

static uint8_t *
small_cert_der(size_t *len)
{
    g_autoptr(EVP_PKEY) key = ec_key("P-256");
    static const char *const dn[] = { "DC", "com", "CN", "t", NULL };
    g_autoptr(X509_NAME) name = name_new(dn);
    Spec s = { .version = 2, .subject = name, .key = key, .md = EVP_sha256(), .exts = leaf_exts };
    g_autoptr(X509) x = cert_new(&s);

    return der_of(x, len);
}

static void
test_trailing_byte_is_trailing_data_and_cert_returned(void)
{
    size_t len = 0;
    g_autofree uint8_t *der = small_cert_der(&len);
    g_autofree uint8_t *longer = g_malloc(len + 3);
    CpCertParseStatus st = CP_CERT_OK;

    memcpy(longer, der, len);
    memcpy(longer + len, "\x00\x01\x02", 3);
    g_autoptr(CpCert) c = cp_cert_parse(longer, len + 1, &st);

    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL(st, CP_CERT_TRAILING_DATA);
    CU_ASSERT_EQUAL(c->der_len, len);
    CU_ASSERT(memcmp(c->der, der, len) == 0);
    expect_digest(der, len, EVP_sha1(), c->sha1);
    CU_ASSERT_EQUAL(c->san_dns->len, 2);

    g_autoptr(CpCert) c3 = cp_cert_parse(longer, len + 3, &st);
    CU_ASSERT_PTR_NOT_NULL(c3);
    CU_ASSERT_EQUAL(st, CP_CERT_TRAILING_DATA);
    CU_ASSERT_EQUAL(ERR_peek_error(), 0);
}

static void
test_truncated_at_every_length_is_bad_der(void)
{
    size_t len = 0;
    g_autofree uint8_t *der = small_cert_der(&len);

    for (size_t n = 0; n < len; n++) {
        /* a fresh heap copy of exactly n bytes, so ASan sees any read past the end */
        g_autofree uint8_t *cut = g_memdup2(der, n);
        CpCertParseStatus st = CP_CERT_OK;
        CpCert *c = cp_cert_parse(n > 0 ? cut : der, n, &st);

        CU_ASSERT_PTR_NULL(c);
        CU_ASSERT_EQUAL(st, CP_CERT_BAD_DER);
        CU_ASSERT_EQUAL(ERR_peek_error(), 0);
        cp_cert_unref(c);
    }
    CU_ASSERT_PTR_NULL(cp_cert_parse(NULL, 10, NULL));
}

static void
test_random_bytes_never_crash(void)
{
    g_autoptr(GRand) rng = g_rand_new_with_seed(0x5eed);

    for (int i = 0; i < 3000; i++) {
        size_t n = (size_t)g_rand_int_range(rng, 1, 600);
        g_autofree uint8_t *buf = g_malloc(n);

        for (size_t j = 0; j < n; j++)
            buf[j] = (uint8_t)g_rand_int(rng);
        if (i % 2 == 0 && n > 4) {
            buf[0] = 0x30; /* look like a SEQUENCE to get past the first byte */
            buf[1] = 0x82;
            buf[2] = (uint8_t)((n - 4) >> 8);
            buf[3] = (uint8_t)(n - 4);
        }
        CpCertParseStatus st = CP_CERT_OK;
        CpCert *c = cp_cert_parse(buf, n, &st);

        CU_ASSERT_PTR_NULL(c);
        CU_ASSERT_EQUAL(st, CP_CERT_BAD_DER);
        cp_cert_unref(c);
    }
    CU_ASSERT_EQUAL(ERR_peek_error(), 0);
}

/* Byte flips in a real certificate reach deep into OpenSSL's decoders and our field code. */
static void
test_mutated_certificates_never_crash(void)
{
    size_t len = 0;
    g_autofree uint8_t *der = small_cert_der(&len);
    g_autoptr(GRand) rng = g_rand_new_with_seed(42);
    int parsed = 0;

    for (int i = 0; i < 4000; i++) {
        g_autofree uint8_t *m = g_memdup2(der, len);
        int flips = g_rand_int_range(rng, 1, 4);

        for (int f = 0; f < flips; f++)
            m[g_rand_int_range(rng, 0, (gint32)len)] ^= (uint8_t)g_rand_int_range(rng, 1, 256);
        CpCertParseStatus st = CP_CERT_OK;
        CpCert *c = cp_cert_parse(m, len, &st);

        CU_ASSERT_EQUAL(ERR_peek_error(), 0);
        if (c == NULL) {
            CU_ASSERT_EQUAL(st, CP_CERT_BAD_DER);
            continue;
        }
        parsed++;
        CU_ASSERT(st == CP_CERT_OK || st == CP_CERT_TRAILING_DATA);
        CU_ASSERT_PTR_NOT_NULL(c->subject);
        CU_ASSERT_PTR_NOT_NULL(c->issuer);
        CU_ASSERT_PTR_NOT_NULL(c->key_type);
        CU_ASSERT_PTR_NOT_NULL(c->signature);
        CU_ASSERT_EQUAL(strlen(c->sha256), 64);
        (void)cp_cert_matches_host(c, "mail.contoso.com");
        cp_cert_unref(c);
    }
    CU_ASSERT(parsed > 0); /* flips inside strings and signatures still parse */
}

static void
test_lying_huge_length_and_deep_nesting_are_bad_der(void)
{
    static const uint8_t huge4[] = { 0x30, 0x84, 0x7f, 0xff, 0xff, 0xff,
                                     0x30, 0x03, 0x02, 0x01, 0x02 };
    static const uint8_t huge8[] = { 0x30, 0x88, 0xff, 0xff, 0xff, 0xff,
                                     0xff, 0xff, 0xff, 0xff, 0x30, 0x00 };
    static const uint8_t indef[] = { 0x30, 0x80, 0x30, 0x80, 0x00, 0x00 };
    CpCertParseStatus st = CP_CERT_OK;

    CU_ASSERT_PTR_NULL(cp_cert_parse(huge4, sizeof huge4, &st));
    CU_ASSERT_EQUAL(st, CP_CERT_BAD_DER);
    st = CP_CERT_OK;
    CU_ASSERT_PTR_NULL(cp_cert_parse(huge8, sizeof huge8, &st));
    CU_ASSERT_EQUAL(st, CP_CERT_BAD_DER);
    st = CP_CERT_OK;
    CU_ASSERT_PTR_NULL(cp_cert_parse(indef, sizeof indef, &st));
    CU_ASSERT_EQUAL(st, CP_CERT_BAD_DER);

    /* 50,000 nested indefinite-length SEQUENCEs: OpenSSL's nesting limit must stop it */
    size_t n = 200000;
    g_autofree uint8_t *deep = g_malloc(n);

    for (size_t i = 0; i + 1 < n; i += 2) {
        deep[i] = 0x30;
        deep[i + 1] = 0x80;
    }
    st = CP_CERT_OK;
    CU_ASSERT_PTR_NULL(cp_cert_parse(deep, n, &st));
    CU_ASSERT_EQUAL(st, CP_CERT_BAD_DER);
    CU_ASSERT_EQUAL(ERR_peek_error(), 0);
}

static void
test_error_queue_left_empty_after_failures(void)
{
    static const uint8_t junk[] = { 0x30, 0x03, 0x02, 0x01 };
    CpCertParseStatus st = CP_CERT_OK;

    CU_ASSERT_PTR_NULL(cp_cert_parse(junk, sizeof junk, &st));
    CU_ASSERT_EQUAL(ERR_peek_error(), 0);
    size_t len = 0;
    g_autofree uint8_t *der = small_cert_der(&len);
    g_autoptr(CpCert) c = parse_ok(der, len);
    CU_ASSERT_PTR_NOT_NULL(c);
}

/* ---- thumbprints, refcount ------------------------------------------------------------------- */

static void
test_sha1_hex_without_parsing(void)
{
    size_t len = 0;
    g_autofree uint8_t *der = small_cert_der(&len);
    char out[41];
    static const uint8_t not_der[] = "abc";

    memset(out, 'x', sizeof out);
    cp_cert_sha1_hex(der, len, out);
    expect_digest(der, len, EVP_sha1(), out);
    cp_cert_sha1_hex(not_der, 3, out);
    CU_ASSERT_STRING_EQUAL(out, "A9993E364706816ABA3E25717850C26C9CD0D89D"); /* FIPS 180 */
    cp_cert_sha1_hex(not_der, 0, out);
    CU_ASSERT_STRING_EQUAL(out, "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709");
}

static void
test_ref_unref_shares_one_cert(void)
{
    size_t len = 0;
    g_autofree uint8_t *der = small_cert_der(&len);
    CpCert *c = parse_ok(der, len);
    CpCert *r = cp_cert_ref(c);

    CU_ASSERT_PTR_EQUAL(r, c);
    CU_ASSERT_EQUAL(c->refcount, 2);
    cp_cert_unref(r);
    CU_ASSERT_EQUAL(c->refcount, 1);
    CU_ASSERT_STRING_EQUAL(c->common_name, "t");
    cp_cert_unref(c); /* last reference: ASan/valgrind catch leaks and double frees */
    cp_cert_unref(NULL);
}

/* ---- host matching --------------------------------------------------------------------------- */

typedef struct HostCase {
    const char *host;
    bool match;
} HostCase;

static GPtrArray *
strv_array(const char *const *v)
{
    GPtrArray *a = g_ptr_array_new_with_free_func(g_free);

    for (size_t i = 0; v != NULL && v[i] != NULL; i++)
        g_ptr_array_add(a, g_strdup(v[i]));
    return a;
}

static void
check_hosts(const char *const *dns, const char *const *ips, const char *cn, const HostCase *cases,
            size_t n)
{
    CpCert c = { .refcount = 1 };

    c.san_dns = strv_array(dns);
    c.san_ip = strv_array(ips);
    c.common_name = g_strdup(cn);
    for (size_t i = 0; i < n; i++) {
        bool got = cp_cert_matches_host(&c, cases[i].host);

        if (got != cases[i].match)
            fprintf(stderr, "host %s: got %d\n", cases[i].host ? cases[i].host : "(null)", got);
        CU_ASSERT_EQUAL(got, cases[i].match);
    }
    g_ptr_array_unref(c.san_dns);
    g_ptr_array_unref(c.san_ip);
    g_free(c.common_name);
}

static void
test_host_matching_san_wildcards_case_ip(void)
{
    static const char *const dns[] = {
        "*.contoso.com", "Mail.Fabrikam.COM", "*.com", "f*.x.org", "*", "*.", NULL
    };
    static const char *const ips[] = { "192.0.2.1", "2001:db8::1", NULL };
    static const HostCase cases[] = {
        { "a.contoso.com", true },
        { "A.CONTOSO.COM", true },
        { "lyncdiscover.contoso.com.", true },
        { "contoso.com", false },
        { "a.b.contoso.com", false },
        { ".contoso.com", false },
        { "acontoso.com", false },
        { "mail.fabrikam.com", true },
        { "MAIL.fabrikam.com", true },
        { "mail.fabrikam.co", false },
        { "xmail.fabrikam.com", false },
        { "example.com", false },
        { "foo.x.org", false },
        { "f*.x.org", false },
        { "*.contoso.com", false },
        { "192.0.2.1", true },
        { "192.0.2.2", false },
        { "2001:DB8:0:0::1", true },
        { "2001:db8::2", false },
        { "sip.contoso.com", true },
        { "", false },
        { NULL, false },
        { "anything", false },
        { "ignored.example", false }, /* the CN: not consulted when a dNSName SAN exists */
    };

    check_hosts(dns, ips, "ignored.example", cases, G_N_ELEMENTS(cases));
}

static void
test_host_matching_cn_fallback_only_without_dns_san(void)
{
    static const char *const ips[] = { "10.0.0.1", NULL };
    static const HostCase cn_cases[] = {
        { "sip.contoso.com", true }, { "SIP.Contoso.Com", true }, { "sip.contoso.co", false },
        { "10.0.0.1", true },        { "10.0.0.2", false },       { "contoso.com", false },
    };
    static const HostCase wild_cn[] = {
        { "web.contoso.com", true },
        { "contoso.com", false },
        { "a.web.contoso.com", false },
    };
    static const char *const dns[] = { "other.contoso.com", NULL };
    static const HostCase san_wins[] = {
        { "sip.contoso.com", false },
        { "other.contoso.com", true },
    };
    static const HostCase ip_cn[] = {
        { "192.0.2.7", false }, /* an IP must match an iPAddress SAN, never the CN */
    };

    check_hosts(NULL, ips, "sip.contoso.com", cn_cases, G_N_ELEMENTS(cn_cases));
    check_hosts(NULL, NULL, "*.contoso.com", wild_cn, G_N_ELEMENTS(wild_cn));
    check_hosts(dns, NULL, "sip.contoso.com", san_wins, G_N_ELEMENTS(san_wins));
    check_hosts(NULL, NULL, "192.0.2.7", ip_cn, G_N_ELEMENTS(ip_cn));
    check_hosts(NULL, NULL, NULL, ip_cn, G_N_ELEMENTS(ip_cn));
    CU_ASSERT(!cp_cert_matches_host(NULL, "x"));
}

/* ---- the leaf parser (x509_leaf.c) against cp_cert_parse ---------------------------------- */

/* Whatever cp_cert_parse_leaf accepts, cp_cert_parse accepts the same way, as a shareable leaf
 * with the same fields. True when the leaf parser took it. */
static bool
leaf_agrees(const uint8_t *der, size_t len)
{
    CpCertParseStatus leaf_st = CP_CERT_BAD_DER;
    CpCertParseStatus st = CP_CERT_BAD_DER;
    g_autoptr(CpCert) leaf = cp_cert_parse_leaf(der, len, &leaf_st);
    g_autoptr(CpCert) full = cp_cert_parse(der, len, &st);

    CU_ASSERT_EQUAL(ERR_peek_error(), 0);
    if (leaf == NULL)
        return false;
    CU_ASSERT_PTR_NULL(leaf->x509);
    CU_ASSERT_PTR_NOT_NULL_FATAL(full);
    CU_ASSERT_EQUAL(leaf_st, st);
    CU_ASSERT(full->path_shareable);
    CU_ASSERT(cp_test_cert_same(leaf, full));
    return true;
}

static const Ext plain_leaf_exts[] = {
    { NID_basic_constraints, "critical,CA:FALSE" },
    { NID_key_usage, "critical,digitalSignature,keyEncipherment" },
    { NID_ext_key_usage, "serverAuth,clientAuth" },
    { NID_subject_key_identifier, "hash" },
    { NID_subject_alt_name, "DNS:mail.contoso.com,DNS:autodiscover.contoso.com,IP:192.0.2.10" },
    { NID_info_access,
      "caIssuers;URI:http://pki.contoso.com/ca.crt,OCSP;URI:http://ocsp.contoso.com" },
    { NID_crl_distribution_points, "URI:http://pki.contoso.com/ca.crl" },
    { NID_certificate_policies, "DER:30:0D:30:0B:06:09:2B:06:01:04:01:82:37:15:0A" },
    { 0, NULL },
};

/* A server certificate from "CN=Contoso Issuing CA" (signed with its own key: neither parser
 * checks the signature). */
static uint8_t *
plain_leaf_der(EVP_PKEY *key, const EVP_MD *md, const Ext *exts, long version, size_t *len)
{
    static const char *const dn[] = {
        "DC", "com", "DC", "contoso", "CN", "mail.contoso.com", NULL
    };
    static const char *const ca[] = {
        "DC", "com", "DC", "contoso", "CN", "Contoso Issuing CA", NULL
    };
    g_autoptr(X509_NAME) subject = name_new(dn);
    g_autoptr(X509_NAME) issuer = name_new(ca);
    Spec s = { .version = version,
               .serial_hex = "1A2B3C4D5E6F",
               .subject = subject,
               .issuer = issuer,
               .key = key,
               .md = md,
               .exts = exts };
    g_autoptr(X509) x = cert_new(&s);

    return der_of(x, len);
}

static void
test_leaf_parser_equals_full_parser_on_plain_leaves(void)
{
    static const struct {
        const char *curve; /* NULL: RSA */
        unsigned bits;
        const char *md;
    } keys[] = {
        { NULL, 2048, "SHA256" },   { NULL, 3072, "SHA1" },     { NULL, 2048, "SHA512" },
        { "P-256", 256, "SHA256" }, { "P-384", 384, "SHA384" }, { "P-521", 521, "SHA512" },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(keys); i++) {
        g_autoptr(EVP_PKEY) key = keys[i].curve ? ec_key(keys[i].curve) : rsa_key(keys[i].bits);
        size_t len = 0;
        g_autofree uint8_t *der =
                plain_leaf_der(key, EVP_get_digestbyname(keys[i].md), plain_leaf_exts, 2, &len);

        CU_ASSERT(leaf_agrees(der, len));
        g_autoptr(CpCert) c = cp_cert_parse_leaf(der, len, NULL);
        CU_ASSERT_PTR_NOT_NULL_FATAL(c);
        CU_ASSERT_EQUAL(c->key_bits, keys[i].bits);
        CU_ASSERT_STRING_EQUAL(c->key_type, keys[i].curve ? "EC" : "RSA");
        CU_ASSERT_STRING_EQUAL(c->sig_hash, keys[i].md);
        CU_ASSERT(c->has_key_usage && c->has_eku && c->eku_server_auth);
        CU_ASSERT_EQUAL(c->san_dns->len, 2);
        CU_ASSERT_EQUAL(c->aia_ocsp->len, 1);
    }
}

/* Each of these makes OpenSSL treat the certificate apart (a CA, an invalid or repeated
 * extension, a relative CRL distribution point name) or has a key or form the leaf parser does
 * not read: left to cp_cert_parse. */
static void
test_leaf_parser_declines_what_it_is_not_sure_of(void)
{
    static const Ext ca[] = { { NID_basic_constraints, "critical,CA:TRUE" }, { 0, NULL } };
    static const Ext pathlen[] = { { NID_basic_constraints, "CA:FALSE,pathlen:0" }, { 0, NULL } };
    static const Ext empty_ku[] = { { NID_key_usage, "DER:03:01:00" }, { 0, NULL } };
    static const Ext bad_san[] = { { NID_subject_alt_name, "DER:30:03:82:05:61" }, { 0, NULL } };
    static const Ext twice[] = { { NID_subject_alt_name, "DNS:a.contoso.com" },
                                 { NID_subject_alt_name, "DNS:b.contoso.com" },
                                 { 0, NULL } };
    static const Ext nc[] = { { NID_name_constraints, "permitted;DNS:contoso.com" }, { 0, NULL } };
    /* DistributionPoint { distributionPoint [0] { nameRelativeToCRLIssuer [1] { CN } } } */
    static const Ext relative_dp[] = { { NID_crl_distribution_points,
                                         "DER:30:0F:30:0D:A0:0B:A1:09:30:07:06:03:55:04:03:0C:00" },
                                       { 0, NULL } };
    const Ext *const declined[] = { ca, pathlen, empty_ku, bad_san, twice, nc, relative_dp };
    g_autoptr(EVP_PKEY) key = ec_key("P-256");
    size_t len = 0;

    for (size_t i = 0; i < G_N_ELEMENTS(declined); i++) {
        g_autofree uint8_t *der = plain_leaf_der(key, EVP_sha256(), declined[i], 2, &len);
        CU_ASSERT_FALSE(leaf_agrees(der, len));
    }
    g_autofree uint8_t *v1 = plain_leaf_der(key, EVP_sha256(), NULL, 0, &len);
    CU_ASSERT_FALSE(leaf_agrees(v1, len));
    g_autoptr(EVP_PKEY) k1 = ec_key("secp256k1");
    g_autofree uint8_t *odd_curve = plain_leaf_der(k1, EVP_sha256(), NULL, 2, &len);
    CU_ASSERT_FALSE(leaf_agrees(odd_curve, len));
    g_autoptr(EVP_PKEY) ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
    g_autofree uint8_t *eddsa = plain_leaf_der(ed, NULL, NULL, 2, &len);
    CU_ASSERT_FALSE(leaf_agrees(eddsa, len));
    size_t self_len = 0;
    g_autofree uint8_t *self = small_cert_der(&self_len); /* self-issued: its own candidate */
    CU_ASSERT_FALSE(leaf_agrees(self, self_len));
}

static void
test_leaf_parser_declines_pss_signatures(void)
{
    g_autoptr(EVP_PKEY) key = rsa_key(2048);
    static const char *const dn[] = { "CN", "pss leaf", NULL };
    static const char *const ca[] = { "CN", "pss ca", NULL };
    g_autoptr(X509_NAME) subject = name_new(dn);
    g_autoptr(X509_NAME) issuer = name_new(ca);
    g_autoptr(X509) x = X509_new();
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;

    CU_ASSERT_FATAL(X509_set_version(x, 2) == 1);
    CU_ASSERT_FATAL(X509_set_subject_name(x, subject) == 1);
    CU_ASSERT_FATAL(X509_set_issuer_name(x, issuer) == 1);
    CU_ASSERT_FATAL(X509_gmtime_adj(X509_getm_notBefore(x), 0) != NULL);
    CU_ASSERT_FATAL(X509_gmtime_adj(X509_getm_notAfter(x), 86400) != NULL);
    CU_ASSERT_FATAL(X509_set_pubkey(x, key) == 1);
    CU_ASSERT_FATAL(EVP_DigestSignInit(mctx, &pctx, EVP_sha256(), NULL, key) == 1);
    CU_ASSERT_FATAL(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1);
    CU_ASSERT_FATAL(X509_sign_ctx(x, mctx) > 0);
    EVP_MD_CTX_free(mctx);
    size_t len = 0;
    g_autofree uint8_t *der = der_of(x, &len);

    CU_ASSERT_FALSE(leaf_agrees(der, len));
    g_autoptr(CpCert) full = cp_cert_parse(der, len, NULL);
    CU_ASSERT_PTR_NOT_NULL_FATAL(full);
    CU_ASSERT(full->sig_pss);
}

/* Byte flips in a plain leaf: wherever the leaf parser still accepts, both parsers agree; bytes
 * after the certificate give the same status; no prefix is accepted. */
static void
test_leaf_parser_agrees_on_mutated_leaves(void)
{
    g_autoptr(EVP_PKEY) key = rsa_key(2048);
    size_t len = 0;
    g_autofree uint8_t *der = plain_leaf_der(key, EVP_sha256(), plain_leaf_exts, 2, &len);
    g_autoptr(GRand) rng = g_rand_new_with_seed(7);
    int accepted = 0;

    for (int i = 0; i < 3000; i++) {
        g_autofree uint8_t *m = g_memdup2(der, len);
        int flips = g_rand_int_range(rng, 1, 3);

        for (int f = 0; f < flips; f++)
            m[g_rand_int_range(rng, 0, (gint32)len)] ^= (uint8_t)g_rand_int_range(rng, 1, 256);
        accepted += leaf_agrees(m, len);
    }
    CU_ASSERT(accepted > 100); /* flips in names, serial, key bits or signature still parse */
    g_autofree uint8_t *longer = g_malloc(len + 2);
    memcpy(longer, der, len);
    memcpy(longer + len, "\x05\x00", 2);
    CU_ASSERT(leaf_agrees(longer, len + 2));
    for (size_t n = 0; n < len; n += 7) {
        g_autofree uint8_t *cut = g_memdup2(der, n);
        CU_ASSERT_FALSE(leaf_agrees(n > 0 ? cut : der, n));
    }
}

static CU_TestInfo tests[] = {
    { "root_rsa2048_every_field", test_root_rsa2048_every_field },
    { "chain_intermediate_ec_and_leaf", test_chain_intermediate_ec_and_leaf },
    { "v1_cert_without_extensions_rsa1024", test_v1_cert_without_extensions_rsa1024 },
    { "signature_algorithms_and_hashes", test_signature_algorithms_and_hashes },
    { "ed25519_key_has_no_separate_hash", test_ed25519_key_has_no_separate_hash },
    { "rsa_pss_hash_comes_from_parameters", test_rsa_pss_hash_comes_from_parameters },
    { "name_with_comma_and_dc_parts", test_name_with_comma_and_dc_parts },
    { "name_multivalued_unknown_oid_and_specials", test_name_multivalued_unknown_oid_and_specials },
    { "name_with_escape_byte_t61_and_bad_utf8", test_name_with_escape_byte_t61_and_bad_utf8 },
    { "name_escape_byte_and_t61_without_bad_utf8", test_name_escape_byte_and_t61_without_bad_utf8 },
    { "name_with_nul_byte_is_not_truncated", test_name_with_nul_byte_is_not_truncated },
    { "san_dns_with_nul_byte_does_not_match_prefix",
      test_san_dns_with_nul_byte_does_not_match_prefix },
    { "empty_subject_prints_empty_string", test_empty_subject_prints_empty_string },
    { "serial_forms", test_serial_forms },
    { "times_are_utc_epoch_seconds", test_times_are_utc_epoch_seconds },
    { "invalid_time_is_zero_and_rest_parses", test_invalid_time_is_zero_and_rest_parses },
    { "unparseable_and_unknown_keys_do_not_fail_cert",
      test_unparseable_and_unknown_keys_do_not_fail_cert },
    { "unknown_signature_algorithm_is_dotted_oid", test_unknown_signature_algorithm_is_dotted_oid },
    { "large_san_list_kept_in_order", test_large_san_list_kept_in_order },
    { "trailing_byte_is_trailing_data_and_cert_returned",
      test_trailing_byte_is_trailing_data_and_cert_returned },
    { "truncated_at_every_length_is_bad_der", test_truncated_at_every_length_is_bad_der },
    { "random_bytes_never_crash", test_random_bytes_never_crash },
    { "mutated_certificates_never_crash", test_mutated_certificates_never_crash },
    { "lying_huge_length_and_deep_nesting_are_bad_der",
      test_lying_huge_length_and_deep_nesting_are_bad_der },
    { "error_queue_left_empty_after_failures", test_error_queue_left_empty_after_failures },
    { "sha1_hex_without_parsing", test_sha1_hex_without_parsing },
    { "ref_unref_shares_one_cert", test_ref_unref_shares_one_cert },
    { "host_matching_san_wildcards_case_ip", test_host_matching_san_wildcards_case_ip },
    { "host_matching_cn_fallback_only_without_dns_san",
      test_host_matching_cn_fallback_only_without_dns_san },
    { "leaf_parser_equals_full_parser_on_plain_leaves",
      test_leaf_parser_equals_full_parser_on_plain_leaves },
    { "leaf_parser_declines_what_it_is_not_sure_of",
      test_leaf_parser_declines_what_it_is_not_sure_of },
    { "leaf_parser_declines_pss_signatures", test_leaf_parser_declines_pss_signatures },
    { "leaf_parser_agrees_on_mutated_leaves", test_leaf_parser_agrees_on_mutated_leaves },
    CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
    return cp_test_main("x509", tests, argc, argv);
}
