/* SPDX-License-Identifier: BSD-2-Clause */
/* x509_leaf: a server's plain end-entity certificate read without d2i_X509 (x509.h).
 *
 * Why: d2i_X509 decodes the public key through OpenSSL 3's provider decoders, and setting those
 * up (OSSL_DECODER_CTX_new_for_pkey, under the provider store's locks) is two thirds of its
 * cost. A leaf's key matters to certpath only as type, size, curve and RSA exponent size, and
 * its path is shared with the leaves of its shape (trust.c), so no OpenSSL object is kept.
 *
 * How: the same ASN.1 as RFC 5280 §4.1 through OpenSSL's own item types (X509_NAME, X509_VAL,
 * X509_ALGOR, X509_EXTENSION), with SubjectPublicKeyInfo kept as algorithm + bits; the fields
 * are filled by the code x509.c uses (x509_private.h). The key is read here: RSA (the modulus
 * and exponent as DER INTEGERs) or EC on P-256/P-384/P-521 (the point must lie on the curve, as
 * OpenSSL's decoder requires).
 *
 * Only what this parser is sure of: a v3 certificate, not self-issued, not a CA, one of those
 * keys, a signature algorithm OpenSSL knows other than RSASSA-PSS, no extension repeated, no
 * proxy, name-constraint or RFC 3779 extension, and every extension OpenSSL's extension cache
 * decodes decoding without making the certificate invalid there (EXFLAG_INVALID). Anything else
 * returns NULL and the caller uses cp_cert_parse. test_x509_leaf checks both parsers agree on
 * every certificate of the test captures; fuzz_x509_leaf on arbitrary bytes. */
#include <limits.h>
#include <string.h>

#include <glib.h>

#include <openssl/asn1t.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "dissectors/x509_private.h"

/* More extensions than any real leaf carries: the repeat check is quadratic. */
#define MAX_EXTENSIONS 64

typedef struct CP_SPKI {
    X509_ALGOR *algor;
    ASN1_BIT_STRING *public_key;
} CP_SPKI;

typedef struct CP_TBS {
    ASN1_INTEGER *version;
    ASN1_INTEGER *serial;
    X509_ALGOR *signature;
    X509_NAME *issuer;
    X509_VAL *validity;
    X509_NAME *subject;
    CP_SPKI *key;
    ASN1_BIT_STRING *issuer_uid;
    ASN1_BIT_STRING *subject_uid;
    STACK_OF(X509_EXTENSION) * extensions;
} CP_TBS;

typedef struct CP_LEAF {
    CP_TBS *tbs;
    X509_ALGOR *sig_alg;
    ASN1_BIT_STRING *signature;
} CP_LEAF;

typedef struct CP_RSA_PUB {
    ASN1_INTEGER *n;
    ASN1_INTEGER *e;
} CP_RSA_PUB;

DECLARE_ASN1_ITEM(CP_SPKI)
DECLARE_ASN1_ITEM(CP_TBS)
DECLARE_ASN1_ITEM(CP_LEAF)
DECLARE_ASN1_ITEM(CP_RSA_PUB)

/* clang-format off */
ASN1_SEQUENCE(CP_SPKI) = {
    ASN1_SIMPLE(CP_SPKI, algor, X509_ALGOR),
    ASN1_SIMPLE(CP_SPKI, public_key, ASN1_BIT_STRING)
} ASN1_SEQUENCE_END(CP_SPKI)

/* X509_CINF's fields and tags (RFC 5280 §4.1), the key as CP_SPKI. */
ASN1_SEQUENCE(CP_TBS) = {
    ASN1_EXP_OPT(CP_TBS, version, ASN1_INTEGER, 0),
    ASN1_SIMPLE(CP_TBS, serial, ASN1_INTEGER),
    ASN1_SIMPLE(CP_TBS, signature, X509_ALGOR),
    ASN1_SIMPLE(CP_TBS, issuer, X509_NAME),
    ASN1_SIMPLE(CP_TBS, validity, X509_VAL),
    ASN1_SIMPLE(CP_TBS, subject, X509_NAME),
    ASN1_SIMPLE(CP_TBS, key, CP_SPKI),
    ASN1_IMP_OPT(CP_TBS, issuer_uid, ASN1_BIT_STRING, 1),
    ASN1_IMP_OPT(CP_TBS, subject_uid, ASN1_BIT_STRING, 2),
    ASN1_EXP_SEQUENCE_OF_OPT(CP_TBS, extensions, X509_EXTENSION, 3)
} ASN1_SEQUENCE_END(CP_TBS)

ASN1_SEQUENCE(CP_LEAF) = {
    ASN1_SIMPLE(CP_LEAF, tbs, CP_TBS),
    ASN1_SIMPLE(CP_LEAF, sig_alg, X509_ALGOR),
    ASN1_SIMPLE(CP_LEAF, signature, ASN1_BIT_STRING)
} ASN1_SEQUENCE_END(CP_LEAF)

/* RFC 8017 §A.1.1 RSAPublicKey. */
ASN1_SEQUENCE(CP_RSA_PUB) = {
    ASN1_SIMPLE(CP_RSA_PUB, n, ASN1_INTEGER),
    ASN1_SIMPLE(CP_RSA_PUB, e, ASN1_INTEGER)
} ASN1_SEQUENCE_END(CP_RSA_PUB)
        /* clang-format on */

        /* Bits of a positive INTEGER's magnitude (BN_num_bits); 0 for zero or a negative value. */
        static unsigned int_bits(const ASN1_INTEGER *v)
{
    const unsigned char *d = ASN1_STRING_get0_data(v);
    int n = ASN1_STRING_length(v);
    int i = 0;

    if (ASN1_STRING_type(v) != V_ASN1_INTEGER)
        return 0;
    while (i < n && d[i] == 0)
        i++;
    if (i == n)
        return 0;
    unsigned top = 8;
    while (top > 0 && (d[i] & (1u << (top - 1))) == 0)
        top--;
    return (unsigned)(n - i - 1) * 8u + top;
}

/* The key's bits with no unused bits at the end (a DER key never has any). */
static bool
key_bytes(const CP_SPKI *k, const unsigned char **data, long *len)
{
    const ASN1_BIT_STRING *b = k->public_key;

    if ((b->flags & ASN1_STRING_FLAG_BITS_LEFT) != 0 && (b->flags & 0x07) != 0)
        return false;
    *data = ASN1_STRING_get0_data(b);
    *len = ASN1_STRING_length(b);
    return *len > 0;
}

static bool
read_rsa(CpCert *c, const CP_SPKI *k)
{
    int ptype = V_ASN1_UNDEF;
    const unsigned char *data;
    long len;

    X509_ALGOR_get0(NULL, &ptype, NULL, k->algor);
    if ((ptype != V_ASN1_NULL && ptype != V_ASN1_UNDEF) || !key_bytes(k, &data, &len))
        return false;
    const unsigned char *p = data;
    CP_RSA_PUB *r = (CP_RSA_PUB *)ASN1_item_d2i(NULL, &p, len, ASN1_ITEM_rptr(CP_RSA_PUB));
    bool whole = r != NULL && p == data + len;
    unsigned n_bits = whole ? int_bits(r->n) : 0;
    unsigned e_bits = whole ? int_bits(r->e) : 0;

    ASN1_item_free((ASN1_VALUE *)r, ASN1_ITEM_rptr(CP_RSA_PUB));
    if (n_bits == 0 || e_bits == 0)
        return false;
    c->key_type = g_strdup("RSA");
    c->key_bits = n_bits;
    c->key_too_costly = e_bits > OPENSSL_RSA_MAX_PUBEXP_BITS;
    return true;
}

static const int curves[] = { NID_X9_62_prime256v1, NID_secp384r1, NID_secp521r1 };

/* The groups of curves[], made once and only read afterwards. */
static const EC_GROUP *
group_of(int nid)
{
    static EC_GROUP *groups[G_N_ELEMENTS(curves)];
    static gsize once;

    if (g_once_init_enter(&once)) {
        for (size_t i = 0; i < G_N_ELEMENTS(curves); i++)
            groups[i] = EC_GROUP_new_by_curve_name(curves[i]);
        ERR_clear_error();
        g_once_init_leave(&once, 1);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(curves); i++)
        if (curves[i] == nid)
            return groups[i];
    return NULL;
}

static bool
read_ec(CpCert *c, const CP_SPKI *k)
{
    int ptype = V_ASN1_UNDEF;
    const void *pval = NULL;
    const unsigned char *data;
    long len;

    X509_ALGOR_get0(NULL, &ptype, &pval, k->algor);
    if (ptype != V_ASN1_OBJECT || !key_bytes(k, &data, &len))
        return false;
    int nid = OBJ_obj2nid(pval);
    const EC_GROUP *g = group_of(nid);
    /* Compressed or uncompressed only: the infinity and hybrid forms are no real leaf's key. */
    if (g == NULL || (data[0] != 2 && data[0] != 3 && data[0] != 4))
        return false;
    EC_POINT *pt = EC_POINT_new(g);
    bool on_curve = pt != NULL && EC_POINT_oct2point(g, pt, data, (size_t)len, NULL) == 1;

    EC_POINT_free(pt);
    if (!on_curve)
        return false;
    c->key_type = g_strdup("EC");
    c->key_bits = (unsigned)EC_GROUP_order_bits(g);
    c->key_curve = g_strdup(OBJ_nid2sn(nid));
    return true;
}

static bool
read_key(CpCert *c, const CP_SPKI *k)
{
    switch (OBJ_obj2nid(k->algor->algorithm)) {
    case NID_rsaEncryption:
        return read_rsa(c, k);
    case NID_X9_62_id_ecPublicKey:
        return read_ec(c, k);
    default:
        return false;
    }
}

static bool
repeated(const STACK_OF(X509_EXTENSION) * exts)
{
    int n = sk_X509_EXTENSION_num(exts);

    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (OBJ_cmp(X509_EXTENSION_get_object(sk_X509_EXTENSION_value(exts, i)),
                        X509_EXTENSION_get_object(sk_X509_EXTENSION_value(exts, j))) == 0)
                return true;
    return false;
}

/* keyUsage as OpenSSL's cache reads it (ex_kusage); false if it would make the certificate
 * invalid (RFC 5280 §4.2.1.3: no bit set). */
static bool
read_key_usage(CpCert *c, const ASN1_BIT_STRING *ku)
{
    const unsigned char *d = ASN1_STRING_get0_data(ku);
    int n = ASN1_STRING_length(ku);
    unsigned v = n > 0 ? d[0] : 0u;

    if (n > 1)
        v |= (unsigned)d[1] << 8;
    c->has_key_usage = true;
    c->key_usage = cp_x509_usage_bits(v);
    return v != 0;
}

static void
read_eku(CpCert *c, const EXTENDED_KEY_USAGE *eku)
{
    c->has_eku = true;
    for (int i = 0; i < sk_ASN1_OBJECT_num(eku); i++) {
        int nid = OBJ_obj2nid(sk_ASN1_OBJECT_value(eku, i));
        c->eku_server_auth |= nid == NID_server_auth || nid == NID_anyExtendedKeyUsage;
    }
}

/* setup_crldp's rules, kept to full names: a relative name makes OpenSSL build one. */
static bool
plain_crldp(const CRL_DIST_POINTS *dps)
{
    for (int i = 0; i < sk_DIST_POINT_num(dps); i++) {
        const DIST_POINT *dp = sk_DIST_POINT_value(dps, i);
        if (dp->distpoint == NULL || dp->distpoint->type != 0)
            return false;
    }
    return true;
}

/* One of the extensions OpenSSL's cache decodes and cp_x509_fill_parts does not: absent, or
 * present once, decoding and valid there; keyUsage and extendedKeyUsage are read into c on the
 * way. */
static bool
plain_extension(CpCert *c, const STACK_OF(X509_EXTENSION) * exts, int nid)
{
    int found;
    void *v = cp_x509_get_ext(exts, nid, &found);

    if (v == NULL)
        return found == -1;
    bool ok = true;
    switch (nid) {
    case NID_key_usage:
        ok = read_key_usage(c, v);
        break;
    case NID_ext_key_usage:
        read_eku(c, v);
        break;
    case NID_crl_distribution_points:
        ok = plain_crldp(v);
        break;
    default:
        break;
    }
    const X509V3_EXT_METHOD *m = X509V3_EXT_get_nid(nid);
    if (m != NULL && m->it != NULL)
        ASN1_item_free(v, ASN1_ITEM_ptr(m->it));
    return ok;
}

static bool
plain_extensions(CpCert *c, const STACK_OF(X509_EXTENSION) * exts)
{
    static const int never[] = { NID_proxyCertInfo, NID_name_constraints, NID_sbgp_ipAddrBlock,
                                 NID_sbgp_autonomousSysNum };
    /* basicConstraints, the key identifiers and the SAN: checked by leaf_of as
     * cp_x509_fill_parts reads them. */
    static const int decoded[] = { NID_key_usage, NID_ext_key_usage, NID_netscape_cert_type,
                                   NID_crl_distribution_points };

    if (sk_X509_EXTENSION_num(exts) > MAX_EXTENSIONS || repeated(exts))
        return false;
    for (size_t i = 0; i < G_N_ELEMENTS(never); i++)
        if (X509v3_get_ext_by_NID(exts, never[i], -1) >= 0)
            return false;
    for (size_t i = 0; i < G_N_ELEMENTS(decoded); i++)
        if (!plain_extension(c, exts, decoded[i]))
            return false;
    return true;
}

static bool
plain_signature(const CP_LEAF *x, int *nid)
{
    int md;
    int pk;

    *nid = OBJ_obj2nid(x->sig_alg->algorithm);
    return *nid != NID_rsassaPss && OBJ_find_sigid_algs(*nid, &md, &pk) == 1;
}

/* The certificate's fields when it is a plain leaf this parser is sure of, else NULL. */
static CpCert *
leaf_of(const CP_LEAF *x, const uint8_t *der, size_t used)
{
    const CP_TBS *t = x->tbs;
    int sig_nid;

    if (t->version == NULL || ASN1_INTEGER_get(t->version) != 2 ||
        X509_NAME_cmp(t->subject, t->issuer) == 0 || !plain_signature(x, &sig_nid))
        return NULL;
    CpCert *c = cp_x509_cert_new(der, used);
    CpCertParts p = {
        .subject = t->subject,
        .issuer = t->issuer,
        .serial = t->serial,
        .not_before = t->validity->notBefore,
        .not_after = t->validity->notAfter,
        .tbs_sig_alg = t->signature,
        .sig_alg = x->sig_alg,
        .exts = t->extensions,
    };
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    bool plain = md != NULL && read_key(c, t->key) && plain_extensions(c, t->extensions) &&
                 cp_x509_issuer_shape(c, &p, md);

    EVP_MD_CTX_free(md);
    /* A CA or a pathLenConstraint (which OpenSSL invalidates when negative) is not plain. */
    if (!plain || !cp_x509_fill_parts(c, &p) || c->is_ca || p.has_pathlen) {
        cp_cert_unref(c);
        return NULL;
    }
    c->sig_hash = cp_x509_signature_hash(NULL, sig_nid);
    c->path_shareable = true;
    return c;
}

CpCert *
cp_cert_parse_leaf(const uint8_t *der, size_t len, CpCertParseStatus *status)
{
    if (der == NULL || len == 0 || len > (size_t)LONG_MAX)
        return NULL;
    const unsigned char *p = der;
    CP_LEAF *x = (CP_LEAF *)ASN1_item_d2i(NULL, &p, (long)len, ASN1_ITEM_rptr(CP_LEAF));
    size_t used = x != NULL ? (size_t)(p - der) : 0;
    CpCert *c = x != NULL ? leaf_of(x, der, used) : NULL;

    ASN1_item_free((ASN1_VALUE *)x, ASN1_ITEM_rptr(CP_LEAF));
    ERR_clear_error();
    if (c != NULL && status != NULL)
        *status = used == len ? CP_CERT_OK : CP_CERT_TRAILING_DATA;
    return c;
}
