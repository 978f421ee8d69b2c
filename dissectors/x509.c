/* SPDX-License-Identifier: BSD-2-Clause */
/* x509: one DER certificate -> CpCert through OpenSSL (RFC 5280 §4.1 fields, §4.2 extensions),
 * thumbprints, and host matching (RFC 6125 §6.4).
 *
 * Algorithm of cp_cert_parse():
 *   1. d2i_X509 once on the caller's bytes; the input pointer must advance by exactly len
 *      (STYLE R29): a shortfall is x509.trailing_data, the certificate is still returned.
 *   2. Thumbprints over the certificate's own DER (the consumed bytes).
 *   3. Names through X509_NAME_print_ex as RFC 4514 (XN_FLAG_RFC2253 minus ESC_MSB: UTF-8
 *      stays UTF-8, R70 escapes at output).
 *   4. Every other field is best effort: a field OpenSSL cannot decode is left empty
 *      (NULL / 0 / -1 / empty array) and parsing goes on; a hostile extension never fails the
 *      certificate.
 * Every failing OpenSSL call is followed by ERR_clear_error() so its queued errors cannot be
 * mistaken for the next, unrelated call's (R29). Strings never hold NUL: a NUL byte in a value
 * becomes the four characters "\00", so a "good.com\0.evil.com" CN cannot pass as
 * "good.com" to a C-string comparison. */
#include "dissectors/x509.h"

#include <arpa/inet.h>
#include <limits.h>
#include <string.h>

#include <glib.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/core_names.h>
#include <openssl/objects.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "base/hexfmt.h"
#include "dissectors/x509_private.h"

/* RFC 2253 layout and escaping minus ESC_MSB: bytes >= 0x80 stay UTF-8 (we escape at output). */
#define NAME_FLAGS (XN_FLAG_RFC2253 & ~(unsigned long)ASN1_STRFLGS_ESC_MSB)

G_DEFINE_AUTOPTR_CLEANUP_FUNC(X509, X509_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(BIO, BIO_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(BIGNUM, BN_free)

/* Copies n raw bytes as a NUL-terminated string, each NUL byte written as the text "\00". */
static char *
dup_text(const uint8_t *data, size_t n)
{
    GString *s = g_string_sized_new(n + 1);

    for (size_t i = 0; i < n; i++) {
        if (data[i] == 0)
            g_string_append(s, "\\00");
        else
            g_string_append_c(s, (char)data[i]);
    }
    return g_string_free(s, FALSE);
}

static char *
dup_asn1_text(const ASN1_STRING *s)
{
    int n = ASN1_STRING_length(s);

    return dup_text(ASN1_STRING_get0_data(s), n > 0 ? (size_t)n : 0);
}

/* Takes the memory BIO's contents out as a string, and empties the BIO for reuse. */
static char *
bio_take_text(BIO *bio)
{
    char *data = NULL;
    long n = BIO_get_mem_data(bio, &data);
    char *out = dup_text((const uint8_t *)data, n > 0 && data != NULL ? (size_t)n : 0);

    (void)BIO_reset(bio);
    return out;
}

static bool
digest_hex(const uint8_t *data, size_t len, const EVP_MD *md, char *out)
{
    unsigned char buf[EVP_MAX_MD_SIZE];
    unsigned int n = 0;

    if (EVP_Digest(data, len, buf, &n, md, NULL) != 1) {
        ERR_clear_error();
        out[0] = '\0';
        return false;
    }
    cp_hex_upper(buf, n, out);
    return true;
}

/* The digests fetched from the provider once: EVP_sha1() and EVP_sha256() make OpenSSL 3 look
 * the implementation up again (under its store lock) on every EVP_Digest. Kept for the life of
 * the process. */
const EVP_MD *
cp_x509_md(int which)
{
    static EVP_MD *mds[2];
    static gsize once;

    if (g_once_init_enter(&once)) {
        mds[0] = EVP_MD_fetch(NULL, "SHA1", NULL);
        mds[1] = EVP_MD_fetch(NULL, "SHA256", NULL);
        ERR_clear_error();
        g_once_init_leave(&once, 1);
    }
    if (mds[which] != NULL)
        return mds[which];
    return which == 0 ? EVP_sha1() : EVP_sha256();
}

void
cp_cert_sha1_hex(const uint8_t *der, size_t len, char out[41])
{
    g_return_if_fail(out != NULL);
    g_return_if_fail(der != NULL || len == 0);
    (void)digest_hex(der, len, cp_x509_md(0), out);
}

/* RFC 4514 §2.1 text, most specific RDN first. X509_NAME_print_ex gives up on the whole name
 * when one value is invalid in its string type; the retry prints every value as "#<hex DER>"
 * (RFC 4514 §2.4) rather than losing the name. (OpenSSL 3.0's d2i already rejects such names
 * while canonicalising them; this does not depend on it.) */
static char *
name_to_text(const X509_NAME *name, BIO *bio)
{
    if (X509_NAME_print_ex(bio, name, 0, NAME_FLAGS) < 0) {
        ERR_clear_error();
        (void)BIO_reset(bio);
        if (X509_NAME_print_ex(bio, name, 0, NAME_FLAGS | ASN1_STRFLGS_DUMP_ALL) < 0) {
            ERR_clear_error();
            (void)BIO_reset(bio);
        }
    }
    return bio_take_text(bio);
}

/* The last CN of the name, as UTF-8; raw bytes when the value is not valid in its type. */
static char *
last_common_name(const X509_NAME *name)
{
    int idx = -1;
    int next;

    while ((next = X509_NAME_get_index_by_NID(name, NID_commonName, idx)) >= 0)
        idx = next;
    if (idx < 0)
        return NULL;
    const ASN1_STRING *val = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
    unsigned char *utf8 = NULL;
    int n = ASN1_STRING_to_UTF8(&utf8, val);

    if (n < 0) {
        ERR_clear_error();
        return dup_asn1_text(val);
    }
    char *out = dup_text(utf8, (size_t)n);

    OPENSSL_free(utf8);
    return out;
}

/* Leading zeros stripped, at least one digit kept, sign kept. */
static char *
strip_hex_zeros(const char *hex)
{
    bool neg = hex[0] == '-';
    const char *p = hex + (neg ? 1 : 0);

    while (p[0] == '0' && p[1] != '\0')
        p++;
    return g_strconcat(neg ? "-" : "", p, NULL);
}

static char *
serial_to_text(const ASN1_INTEGER *serial)
{
    if (serial == NULL)
        return NULL;
    g_autoptr(BIGNUM) bn = ASN1_INTEGER_to_BN(serial, NULL);
    char *hex = bn != NULL ? BN_bn2hex(bn) : NULL;

    if (hex == NULL) {
        /* BN could not take it: the content octets are the magnitude, big-endian. */
        ERR_clear_error();
        int n = ASN1_STRING_length(serial);
        g_autofree char *raw =
                cp_hex_upper_dup(ASN1_STRING_get0_data(serial), n > 0 ? (size_t)n : 0);
        g_autofree char *signed_raw =
                g_strconcat(ASN1_STRING_type(serial) == V_ASN1_NEG_INTEGER ? "-" : "", raw,
                            raw[0] == '\0' ? "0" : "", NULL);
        return strip_hex_zeros(signed_raw);
    }
    char *out = strip_hex_zeros(hex);

    OPENSSL_free(hex);
    return out;
}

/* Days from 1970-01-01 to the proleptic Gregorian date y-m-d (H. Hinnant's days_from_civil),
 * so the conversion needs neither timegm nor TZ. */
static int64_t
days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

    return era * 146097 + doe - 719468;
}

/* Seconds since the epoch, 0 when the time is absent or not a valid UTCTime/GeneralizedTime
 * (ASN1_TIME_to_tm with NULL would mean "now", hence the explicit check). */
static int64_t
time_to_epoch(const ASN1_TIME *t)
{
    struct tm tm;

    if (t == NULL)
        return 0;
    memset(&tm, 0, sizeof tm);
    if (ASN1_TIME_to_tm(t, &tm) != 1) {
        ERR_clear_error();
        return 0;
    }
    int64_t days = days_from_civil((int64_t)tm.tm_year + 1900, (int64_t)tm.tm_mon + 1,
                                   (int64_t)tm.tm_mday);

    return days * 86400 + (int64_t)tm.tm_hour * 3600 + (int64_t)tm.tm_min * 60 + tm.tm_sec;
}

static const char *
key_type_name(const EVP_PKEY *pk)
{
    int id = EVP_PKEY_get_base_id(pk);

    switch (id) {
    case EVP_PKEY_RSA:
        return "RSA";
    case EVP_PKEY_EC:
        return "EC";
    case EVP_PKEY_DSA:
        return "DSA";
    case EVP_PKEY_ED25519:
        return "Ed25519";
    case EVP_PKEY_ED448:
        return "Ed448";
    default:
        break;
    }
    const char *sn = id != NID_undef ? OBJ_nid2sn(id) : NULL;

    if (sn == NULL)
        sn = EVP_PKEY_get0_type_name(pk); /* provider-only key types have no legacy id */
    return sn != NULL ? sn : "unknown";
}

/* An undecodable key (unknown algorithm, broken RSA modulus) leaves "unknown"/0: the rest of
 * the certificate is still worth reporting. */
static void
fill_key(CpCert *c)
{
    EVP_PKEY *pk = X509_get0_pubkey(c->x509);

    if (pk == NULL) {
        ERR_clear_error();
        c->key_type = g_strdup("unknown");
        return;
    }
    c->key_type = g_strdup(key_type_name(pk));
    int bits = EVP_PKEY_get_bits(pk);

    c->key_bits = bits > 0 ? (unsigned)bits : 0;
    c->key_too_costly = cp_x509_key_too_costly(c->x509);
    if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_EC) {
        char group[80];
        size_t n = 0;

        if (EVP_PKEY_get_group_name(pk, group, sizeof group, &n) == 1)
            c->key_curve = g_strdup(group);
        else
            ERR_clear_error(); /* explicit curve parameters have no name */
    }
}

/* Digest of the signature: from the signature info (knows RSASSA-PSS parameters), else from
 * the algorithm table; NULL for algorithms without a separate digest (Ed25519). Without x, from
 * the table only (the leaf parser takes no RSASSA-PSS certificate). */
char *
cp_x509_signature_hash(X509 *x, int sig_nid)
{
    int md_nid = NID_undef;
    int pk_nid = NID_undef;

    if (x == NULL || X509_get_signature_info(x, &md_nid, &pk_nid, NULL, NULL) != 1) {
        ERR_clear_error();
        md_nid = NID_undef;
        if (OBJ_find_sigid_algs(sig_nid, &md_nid, &pk_nid) != 1)
            md_nid = NID_undef;
    }
    const char *sn = md_nid != NID_undef ? OBJ_nid2sn(md_nid) : NULL;

    return sn != NULL ? g_ascii_strup(sn, -1) : NULL;
}

/* The signature algorithm's name (the hash is the caller's: cp_x509_signature_hash). */
static void
fill_signature(CpCert *c, const CpCertParts *p)
{
    const ASN1_OBJECT *obj = NULL;

    X509_ALGOR_get0(&obj, NULL, NULL, p->sig_alg);
    int nid = obj != NULL ? OBJ_obj2nid(obj) : NID_undef;
    const char *ln = nid != NID_undef ? OBJ_nid2ln(nid) : NULL;

    if (ln != NULL) {
        c->signature = g_strdup(ln);
    } else {
        char oid[128];

        if (obj != NULL && OBJ_obj2txt(oid, sizeof oid, obj, 1) > 0)
            c->signature = g_strdup(oid);
        else
            c->signature = g_strdup("unknown");
        ERR_clear_error();
    }
    c->sig_pss = nid == NID_rsassaPss;
}

/* iPAddress: 4 or 16 octets as text; other lengths (not valid in a SAN) as hex so they are
 * visible but can never equal a parsed address. */
static char *
ip_to_text(const ASN1_OCTET_STRING *ip)
{
    const uint8_t *b = ASN1_STRING_get0_data(ip);
    int n = ASN1_STRING_length(ip);
    char buf[INET6_ADDRSTRLEN];

    if (n == 4 && inet_ntop(AF_INET, b, buf, sizeof buf) != NULL)
        return g_strdup(buf);
    if (n == 16 && inet_ntop(AF_INET6, b, buf, sizeof buf) != NULL)
        return g_strdup(buf);
    return cp_hex_upper_dup(b, n > 0 ? (size_t)n : 0);
}

void *
cp_x509_get_ext(const STACK_OF(X509_EXTENSION) * exts, int nid, int *found)
{
    int crit = -1;
    void *ext = X509V3_get_d2i(exts, nid, &crit, NULL);

    if (ext == NULL)
        ERR_clear_error();
    if (found != NULL)
        *found = crit;
    return ext;
}

/* X509_get_ext_d2i (which is this on the certificate's extensions), with its error queue
 * cleared when the extension is malformed. */
static void *
get_ext(CpCertParts *p, int nid)
{
    int found;
    void *ext = cp_x509_get_ext(p->exts, nid, &found);

    p->malformed |= ext == NULL && found != -1;
    return ext;
}

static void
fill_san(CpCert *c, CpCertParts *p)
{
    GENERAL_NAMES *names = get_ext(p, NID_subject_alt_name);

    for (int i = 0; i < sk_GENERAL_NAME_num(names); i++) {
        const GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);

        if (gn->type == GEN_DNS)
            g_ptr_array_add(c->san_dns, dup_asn1_text(gn->d.dNSName));
        else if (gn->type == GEN_IPADD)
            g_ptr_array_add(c->san_ip, ip_to_text(gn->d.iPAddress));
    }
    GENERAL_NAMES_free(names);
}

static void
fill_basic_constraints(CpCert *c, CpCertParts *p)
{
    BASIC_CONSTRAINTS *bc = get_ext(p, NID_basic_constraints);

    c->path_len = -1;
    if (bc == NULL)
        return;
    c->has_basic_constraints = true;
    c->is_ca = bc->ca != 0;
    p->has_pathlen = bc->pathlen != NULL;
    if (bc->pathlen != NULL) {
        /* Negative or unreadable pathLenConstraint is invalid: treated as absent. */
        long v = ASN1_INTEGER_get(bc->pathlen);

        c->path_len = v < 0 ? -1 : v > INT_MAX ? INT_MAX : (int)v;
        ERR_clear_error();
    }
    BASIC_CONSTRAINTS_free(bc);
}

/* What X509_get0_subject_key_id and X509_get0_authority_key_id return: OpenSSL's extension cache
 * decodes the same two extensions. */
static void
fill_key_ids(CpCert *c, CpCertParts *p)
{
    ASN1_OCTET_STRING *ski = get_ext(p, NID_subject_key_identifier);
    AUTHORITY_KEYID *akid = get_ext(p, NID_authority_key_identifier);
    const ASN1_OCTET_STRING *aki = akid != NULL ? akid->keyid : NULL;

    if (ski != NULL) {
        int n = ASN1_STRING_length(ski);

        c->ski = cp_hex_upper_dup(ASN1_STRING_get0_data(ski), n > 0 ? (size_t)n : 0);
    }
    if (aki != NULL) {
        int n = ASN1_STRING_length(aki);

        c->aki = cp_hex_upper_dup(ASN1_STRING_get0_data(aki), n > 0 ? (size_t)n : 0);
    }
    ASN1_OCTET_STRING_free(ski);
    AUTHORITY_KEYID_free(akid);
}

static void
fill_aia(CpCert *c, CpCertParts *p)
{
    AUTHORITY_INFO_ACCESS *aia = get_ext(p, NID_info_access);

    for (int i = 0; i < sk_ACCESS_DESCRIPTION_num(aia); i++) {
        const ACCESS_DESCRIPTION *ad = sk_ACCESS_DESCRIPTION_value(aia, i);
        int method = OBJ_obj2nid(ad->method);

        if (ad->location == NULL || ad->location->type != GEN_URI)
            continue;
        if (method == NID_ad_ca_issuers)
            g_ptr_array_add(c->aia_ca_issuers,
                            dup_asn1_text(ad->location->d.uniformResourceIdentifier));
        else if (method == NID_ad_OCSP)
            g_ptr_array_add(c->aia_ocsp, dup_asn1_text(ad->location->d.uniformResourceIdentifier));
    }
    AUTHORITY_INFO_ACCESS_free(aia);
}

bool
cp_x509_key_too_costly(X509 *x)
{
    EVP_PKEY *pk = x != NULL ? X509_get0_pubkey(x) : NULL;
    BIGNUM *e = NULL;
    bool costly = false;

    if (pk != NULL && (EVP_PKEY_get_base_id(pk) == EVP_PKEY_RSA ||
                       EVP_PKEY_get_base_id(pk) == EVP_PKEY_RSA_PSS)) {
        costly = EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_E, &e) == 1 &&
                 BN_num_bits(e) > OPENSSL_RSA_MAX_PUBEXP_BITS;
        BN_free(e);
    }
    ERR_clear_error();
    return costly;
}

/* Self-signed is only tried on self-issued certificates (roots), so the signature check costs
 * nothing for the leaves and intermediates that make up most of a capture. */
static void
fill_self(CpCert *c)
{
    c->self_issued =
            X509_NAME_cmp(X509_get_subject_name(c->x509), X509_get_issuer_name(c->x509)) == 0;
    if (!c->self_issued) {
        ERR_clear_error();
        return;
    }
    EVP_PKEY *pk = X509_get0_pubkey(c->x509);

    c->self_signed = pk != NULL && !c->key_too_costly && X509_verify(c->x509, pk) == 1;
    ERR_clear_error();
}

unsigned
cp_x509_usage_bits(uint32_t ku)
{
    return ((ku & KU_DIGITAL_SIGNATURE) ? CP_KU_DIGITAL_SIGNATURE : 0u) |
           ((ku & KU_KEY_ENCIPHERMENT) ? CP_KU_KEY_ENCIPHERMENT : 0u) |
           ((ku & KU_KEY_AGREEMENT) ? CP_KU_KEY_AGREEMENT : 0u) |
           ((ku & KU_KEY_CERT_SIGN) ? CP_KU_KEY_CERT_SIGN : 0u);
}

/* keyUsage and extendedKeyUsage as OpenSSL's extension cache decoded them: what a client checks
 * before it uses the key for TLS (wrong-purpose). */
static void
fill_usage(CpCert *c)
{
    uint32_t flags = X509_get_extension_flags(c->x509);

    c->has_key_usage = (flags & EXFLAG_KUSAGE) != 0;
    if (c->has_key_usage) {
        c->key_usage = cp_x509_usage_bits(X509_get_key_usage(c->x509));
    }
    c->has_eku = (flags & EXFLAG_XKUSAGE) != 0;
    if (c->has_eku)
        c->eku_server_auth =
                (X509_get_extended_key_usage(c->x509) & (XKU_SSL_SERVER | XKU_ANYEKU)) != 0;
    ERR_clear_error();
}

/* The DER of what X509_check_issued compares (OpenSSL 3.0 ossl_x509_likely_issued: the issuer
 * name, the authorityKeyIdentifier, the TBS signature algorithm against the issuer's key type),
 * hashed into c->issuer_shape. */
bool
cp_x509_issuer_shape(CpCert *c, const CpCertParts *p, EVP_MD_CTX *md)
{
    unsigned char *name = NULL;
    unsigned char *alg = NULL;
    int name_len = i2d_X509_NAME(p->issuer, &name);
    int alg_len = i2d_X509_ALGOR(p->tbs_sig_alg, &alg);
    int akid = X509v3_get_ext_by_NID(p->exts, NID_authority_key_identifier, -1);
    const ASN1_OCTET_STRING *akid_der =
            akid >= 0 ? X509_EXTENSION_get_data(X509v3_get_ext(p->exts, akid)) : NULL;
    bool ok = name_len > 0 && alg_len > 0 && EVP_DigestInit_ex(md, cp_x509_md(0), NULL) == 1 &&
              EVP_DigestUpdate(md, name, (size_t)name_len) == 1 &&
              EVP_DigestUpdate(md, alg, (size_t)alg_len) == 1 &&
              (akid_der == NULL || EVP_DigestUpdate(md, ASN1_STRING_get0_data(akid_der),
                                                    (size_t)ASN1_STRING_length(akid_der)) == 1) &&
              EVP_DigestFinal_ex(md, c->issuer_shape, NULL) == 1;

    OPENSSL_free(name);
    OPENSSL_free(alg);
    return ok;
}

/* Which leaves may share a path (CpCert.path_shareable). Everything else OpenSSL's path building
 * reads from a leaf makes the path the leaf's own: a CA or self-issued certificate can be its own
 * issuer, a proxy certificate chains by other rules, an undecodable extension makes
 * X509_check_issued refuse every issuer, and a key that does not decode (or lacks its
 * parameters) stops X509_verify_cert early (X509_get_pubkey_parameters). */
static void
fill_shape(CpCert *c, const CpCertParts *p)
{
    const uint32_t own_path = EXFLAG_INVALID | EXFLAG_PROXY | EXFLAG_CA | EXFLAG_SI | EXFLAG_SS |
                              EXFLAG_INVALID_POLICY | EXFLAG_NO_FINGERPRINT;
    bool plain_key = (strcmp(c->key_type, "EC") == 0 && c->key_curve != NULL) ||
                     strcmp(c->key_type, "RSA") == 0 || strcmp(c->key_type, "Ed25519") == 0 ||
                     strcmp(c->key_type, "Ed448") == 0;
    EVP_MD_CTX *md = EVP_MD_CTX_new();

    c->path_shareable = md != NULL && cp_x509_issuer_shape(c, p, md) && plain_key && !c->is_ca &&
                        !c->self_issued && (X509_get_extension_flags(c->x509) & own_path) == 0;
    EVP_MD_CTX_free(md);
    ERR_clear_error();
}

bool
cp_x509_fill_parts(CpCert *c, CpCertParts *p)
{
    g_autoptr(BIO) bio = BIO_new(BIO_s_mem());

    (void)digest_hex(c->der, c->der_len, cp_x509_md(0), c->sha1);
    (void)digest_hex(c->der, c->der_len, cp_x509_md(1), c->sha256);
    if (bio != NULL) {
        c->subject = name_to_text(p->subject, bio);
        c->issuer = name_to_text(p->issuer, bio);
    } else {
        ERR_clear_error();
        c->subject = g_strdup("");
        c->issuer = g_strdup("");
    }
    c->common_name = last_common_name(p->subject);
    c->serial = serial_to_text(p->serial);
    c->not_before = time_to_epoch(p->not_before);
    c->not_after = time_to_epoch(p->not_after);
    fill_signature(c, p);
    fill_san(c, p);
    fill_basic_constraints(c, p);
    fill_key_ids(c, p);
    fill_aia(c, p);
    return !p->malformed;
}

static void
fill_fields(CpCert *c)
{
    X509 *x = c->x509;
    CpCertParts p = {
        .subject = X509_get_subject_name(x),
        .issuer = X509_get_issuer_name(x),
        .serial = X509_get0_serialNumber(x),
        .not_before = X509_get0_notBefore(x),
        .not_after = X509_get0_notAfter(x),
        .tbs_sig_alg = X509_get0_tbs_sigalg(x),
        .exts = X509_get0_extensions(x),
    };

    X509_get0_signature(NULL, &p.sig_alg, x);
    (void)cp_x509_fill_parts(c, &p); /* a malformed extension leaves its field empty */
    fill_key(c);
    c->sig_hash = cp_x509_signature_hash(x, X509_get_signature_nid(x));
    fill_self(c);
    fill_usage(c);
    fill_shape(c, &p);
}

static void
set_status(CpCertParseStatus *status, CpCertParseStatus v)
{
    if (status != NULL)
        *status = v;
}

CpCert *
cp_cert_parse(const uint8_t *der, size_t len, CpCertParseStatus *status)
{
    set_status(status, CP_CERT_BAD_DER);
    /* d2i takes a long length; a certificate never comes near it. */
    if (der == NULL || len == 0 || len > (size_t)LONG_MAX)
        return NULL;
    const unsigned char *p = der;
    g_autoptr(X509) x = d2i_X509(NULL, &p, (long)len);

    if (x == NULL) {
        ERR_clear_error();
        return NULL;
    }
    size_t used = (size_t)(p - der);
    CpCert *c = cp_x509_cert_new(der, used);

    c->x509 = g_steal_pointer(&x);
    fill_fields(c);
    ERR_clear_error();
    set_status(status, used == len ? CP_CERT_OK : CP_CERT_TRAILING_DATA);
    return c;
}

CpCert *
cp_x509_cert_new(const uint8_t *der, size_t len)
{
    CpCert *c = g_new0(CpCert, 1);

    c->refcount = 1;
    c->der = g_memdup2(der, len);
    c->der_len = len;
    c->path_len = -1;
    c->san_dns = g_ptr_array_new_with_free_func(g_free);
    c->san_ip = g_ptr_array_new_with_free_func(g_free);
    c->aia_ca_issuers = g_ptr_array_new_with_free_func(g_free);
    c->aia_ocsp = g_ptr_array_new_with_free_func(g_free);
    return c;
}

CpCert *
cp_cert_ref(CpCert *c)
{
    g_return_val_if_fail(c != NULL, NULL);
    /* Atomic: live capture hands queued certificates to the output thread, which drops its
     * references outside the pipeline's lock. */
    g_atomic_int_inc(&c->refcount);
    return c;
}

void
cp_cert_unref(CpCert *c)
{
    if (c == NULL)
        return;
    g_return_if_fail(g_atomic_int_get(&c->refcount) > 0);
    if (!g_atomic_int_dec_and_test(&c->refcount))
        return;
    X509_free(c->x509);
    g_free(c->der);
    g_free(c->subject);
    g_free(c->issuer);
    g_free(c->serial);
    g_free(c->key_type);
    g_free(c->key_curve);
    g_free(c->signature);
    g_free(c->sig_hash);
    g_free(c->common_name);
    g_free(c->ski);
    g_free(c->aki);
    g_clear_pointer(&c->san_dns, g_ptr_array_unref);
    g_clear_pointer(&c->san_ip, g_ptr_array_unref);
    g_clear_pointer(&c->aia_ca_issuers, g_ptr_array_unref);
    g_clear_pointer(&c->aia_ocsp, g_ptr_array_unref);
    g_free(c);
}

/* Drops one trailing dot (an absolute DNS name means the same host). */
static size_t
host_len(const char *s)
{
    size_t n = strlen(s);

    return n > 0 && s[n - 1] == '.' ? n - 1 : n;
}

static bool
labels_equal(const char *a, size_t an, const char *b, size_t bn)
{
    return an == bn && g_ascii_strncasecmp(a, b, an) == 0;
}

/* RFC 6125 §6.4.3: a wildcard is the whole left-most label only, matches exactly one
 * non-empty label, and needs at least two labels after it ("*.com" matches nothing). */
static bool
dns_name_matches(const char *pattern, const char *host)
{
    size_t pn = host_len(pattern);
    size_t hn = host_len(host);

    if (pn == 0 || hn == 0)
        return false;
    if (pattern[0] != '*')
        return memchr(pattern, '*', pn) == NULL && labels_equal(pattern, pn, host, hn);
    if (pn < 2 || pattern[1] != '.')
        return false;
    const char *suffix = pattern + 2;
    size_t sn = pn - 2;

    if (memchr(suffix, '*', sn) == NULL && memchr(suffix, '.', sn) != NULL) {
        const char *dot = memchr(host, '.', hn);

        if (dot != NULL && dot != host && memchr(host, '*', hn) == NULL)
            return labels_equal(suffix, sn, dot + 1, hn - (size_t)(dot + 1 - host));
    }
    return false;
}

/* Canonical text of an IP literal (the form ip_to_text produces), or false if host is not one. */
static bool
ip_canonical(const char *host, char *out, size_t out_len)
{
    unsigned char buf[16];

    if (inet_pton(AF_INET, host, buf) == 1)
        return inet_ntop(AF_INET, buf, out, (socklen_t)out_len) != NULL;
    if (inet_pton(AF_INET6, host, buf) == 1)
        return inet_ntop(AF_INET6, buf, out, (socklen_t)out_len) != NULL;
    return false;
}

static bool
array_has(const GPtrArray *a, const char *s)
{
    for (guint i = 0; a != NULL && i < a->len; i++) {
        if (g_ascii_strcasecmp(g_ptr_array_index(a, i), s) == 0)
            return true;
    }
    return false;
}

bool
cp_cert_matches_host(const CpCert *c, const char *host)
{
    char ip[INET6_ADDRSTRLEN];

    if (c == NULL || host == NULL || host[0] == '\0')
        return false;
    /* RFC 6125 §6.4.4 does not let an IP literal match a DNS name or the CN. */
    if (ip_canonical(host, ip, sizeof ip))
        return array_has(c->san_ip, ip);
    if (c->san_dns != NULL && c->san_dns->len > 0) {
        for (guint i = 0; i < c->san_dns->len; i++) {
            if (dns_name_matches(g_ptr_array_index(c->san_dns, i), host))
                return true;
        }
        return false;
    }
    return c->common_name != NULL && dns_name_matches(c->common_name, host);
}
