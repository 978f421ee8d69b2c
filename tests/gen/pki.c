/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pki.c - certificate hierarchies built with OpenSSL's X509 and EVP_PKEY APIs.
 *
 * RFC 5280 §4.2 extensions: CAs get basicConstraints CA:TRUE and keyUsage
 * keyCertSign/cRLSign (both critical); leaves get digitalSignature +
 * keyEncipherment, extendedKeyUsage serverAuth/clientAuth and a SAN. Every
 * certificate has an SKI and an AKI (keyid). Leaves under an intermediate carry
 * an AIA extension (caIssuers + OCSP), as enterprise and public CAs issue them.
 *
 * RSA key generation dominates run time (~0.1-0.3 s per 2048-bit key), so
 * cg_pki_prefetch_rsa() generates the keys a scenario will need on all CPUs.
 */
#include "pki.h"

#include "cgerror.h"

#include <errno.h>
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>
#include <stdio.h>

struct CgPki {
    GPtrArray *certs;    /* CgCert*, owned, creation order */
    GPtrArray *rsa_pool; /* EVP_PKEY* RSA 2048 generated ahead of time */
};

static void
cert_free(gpointer p)
{
    CgCert *c = p;

    g_free(c->name);
    X509_free(c->x509);
    EVP_PKEY_free(c->key);
    g_free(c);
}

CgPki *
cg_pki_new(void)
{
    CgPki *pki = g_new0(CgPki, 1);

    pki->certs = g_ptr_array_new_with_free_func(cert_free);
    pki->rsa_pool = g_ptr_array_new_with_free_func((GDestroyNotify)EVP_PKEY_free);
    return pki;
}

void
cg_pki_free(CgPki *pki)
{
    if (pki == NULL)
        return;
    g_ptr_array_free(pki->certs, TRUE);
    g_ptr_array_free(pki->rsa_pool, TRUE);
    g_free(pki);
}

const GPtrArray *
cg_pki_certs(const CgPki *pki)
{
    return pki->certs;
}

static gpointer
rsa_thread(gpointer data)
{
    GPtrArray *out = data; /* private to this thread until joined */

    for (guint i = 0; i < out->len; i++)
        g_ptr_array_index(out, i) = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    return NULL;
}

void
cg_pki_prefetch_rsa(CgPki *pki, unsigned count)
{
    unsigned nthreads = MIN(MAX(g_get_num_processors(), 1u), 8u);
    GThread *threads[8];
    GPtrArray *parts[8];

    nthreads = MIN(nthreads, MAX(count, 1u));
    for (unsigned t = 0; t < nthreads; t++) {
        parts[t] = g_ptr_array_new();
        g_ptr_array_set_size(parts[t], (gint)(count / nthreads + (t < count % nthreads ? 1 : 0)));
        threads[t] = g_thread_new("capgen-rsa", rsa_thread, parts[t]);
    }
    for (unsigned t = 0; t < nthreads; t++) {
        g_thread_join(threads[t]);
        for (guint i = 0; i < parts[t]->len; i++) {
            EVP_PKEY *k = g_ptr_array_index(parts[t], i);
            if (k != NULL)
                g_ptr_array_add(pki->rsa_pool, k);
        }
        g_ptr_array_free(parts[t], TRUE);
    }
}

static EVP_PKEY *
make_key(CgPki *pki, CgKeyType type)
{
    switch (type) {
    case CG_KEY_RSA2048:
        if (pki->rsa_pool->len > 0)
            return g_ptr_array_steal_index(pki->rsa_pool, pki->rsa_pool->len - 1);
        return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    case CG_KEY_RSA1024:
        return EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
    case CG_KEY_EC_P256:
        return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    }
    return NULL;
}

static gboolean
set_name(X509_NAME *name, const CgRdn *rdns, size_t count)
{
    /* The spec lists RDNs most specific first (RFC 4514 order); DER stores the
     * reverse, so add from the end. */
    for (size_t i = count; i-- > 0;) {
        if (!X509_NAME_add_entry_by_txt(name, rdns[i].attr, MBSTRING_UTF8,
                                        (const unsigned char *)rdns[i].value, -1, -1, 0))
            return FALSE;
    }
    return TRUE;
}

static gboolean
add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *ext;
    int ok;

    X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
    ext = X509V3_EXT_nconf_nid(NULL, &ctx, nid, value);
    if (ext == NULL)
        return FALSE;
    ok = X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    return ok == 1;
}

static gboolean
set_serial(X509 *x)
{
    BIGNUM *bn = BN_new();
    gboolean ok;

    /* 127 random bits: positive, non-zero with overwhelming probability and
     * well under RFC 5280's 20-octet limit. */
    ok = bn != NULL && BN_rand(bn, 127, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) &&
         BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
    BN_free(bn);
    return ok;
}

static char *
san_value(const char *const *sans)
{
    GString *s = g_string_new(NULL);

    for (size_t i = 0; sans != NULL && sans[i] != NULL; i++)
        g_string_append_printf(s, "%sDNS:%s", i > 0 ? "," : "", sans[i]);
    return g_string_free(s, FALSE);
}

static gboolean
add_leaf_exts(X509 *x, X509 *issuer_x509, const CgCertSpec *spec, const CgCert *issuer)
{
    g_autofree char *san = san_value(spec->sans);
    const char *ku =
            spec->key_usage ? spec->key_usage : "critical,digitalSignature,keyEncipherment";
    gboolean ok = add_ext(x, issuer_x509, NID_key_usage, ku) &&
                  add_ext(x, issuer_x509, NID_ext_key_usage,
                          spec->eku ? spec->eku : "serverAuth,clientAuth");

    if (ok && san[0] != '\0')
        ok = add_ext(x, issuer_x509, NID_subject_alt_name, san);
    /* AIA only on leaves issued by an intermediate (issuer has an issuer). */
    if (ok && issuer != NULL && issuer->issuer != NULL && spec->domain != NULL) {
        g_autofree char *aia =
                g_strdup_printf("caIssuers;URI:http://pki.%s/%s.crt,OCSP;URI:http://ocsp.%s/",
                                spec->domain, issuer->name, spec->domain);
        ok = add_ext(x, issuer_x509, NID_info_access, aia);
    }
    return ok;
}

static gboolean
add_exts(X509 *x, const CgCertSpec *spec, CgCert *issuer)
{
    X509 *issuer_x509 = issuer != NULL ? issuer->x509 : x;

    if (!add_ext(x, issuer_x509, NID_subject_key_identifier, "hash") ||
        !add_ext(x, issuer_x509, NID_authority_key_identifier, "keyid:always"))
        return FALSE;
    if (spec->is_ca)
        return add_ext(x, issuer_x509, NID_basic_constraints, "critical,CA:TRUE") &&
               add_ext(x, issuer_x509, NID_key_usage, "critical,keyCertSign,cRLSign");
    return add_ext(x, issuer_x509, NID_basic_constraints, "critical,CA:FALSE") &&
           add_leaf_exts(x, issuer_x509, spec, issuer);
}

/* RSASSA-PSS with the digest's length as salt: what a Windows CA with the alternate signature
 * format enabled produces. */
static gboolean
sign_pss(X509 *x, EVP_PKEY *key, const char *md)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    gboolean ok = ctx != NULL &&
                  EVP_DigestSignInit(ctx, &pctx, EVP_get_digestbyname(md), NULL, key) == 1 &&
                  EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
                  EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1 &&
                  X509_sign_ctx(x, ctx) > 0;

    EVP_MD_CTX_free(ctx);
    return ok;
}

static gboolean
fill_cert(X509 *x, EVP_PKEY *key, const CgCertSpec *spec, CgCert *issuer)
{
    X509_NAME *subject = X509_get_subject_name(x);
    EVP_PKEY *sign_key = issuer != NULL ? issuer->key : key;
    const char *md = spec->md != NULL ? spec->md : "SHA256";

    if (!X509_set_version(x, 2) || !set_serial(x) ||
        !set_name(subject, spec->subject, spec->subject_count) ||
        !X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer->x509) : subject) ||
        ASN1_TIME_set(X509_getm_notBefore(x), (time_t)spec->not_before) == NULL ||
        ASN1_TIME_set(X509_getm_notAfter(x), (time_t)spec->not_after) == NULL ||
        !X509_set_pubkey(x, key) || !add_exts(x, spec, issuer))
        return FALSE;
    if (spec->pss)
        return sign_pss(x, sign_key, md);
    return X509_sign(x, sign_key, EVP_get_digestbyname(md)) > 0;
}

CgCert *
cg_pki_issue(CgPki *pki, const CgCertSpec *spec, CgCert *issuer, GError **error)
{
    EVP_PKEY *key = make_key(pki, spec->key);
    X509 *x = X509_new();
    CgCert *cert;

    if (key == NULL || x == NULL || !fill_cert(x, key, spec, issuer)) {
        g_autofree char *what = g_strdup_printf("certificate %s", spec->name);
        EVP_PKEY_free(key);
        X509_free(x);
        cg_error_ssl(error, what);
        return NULL;
    }
    cert = g_new0(CgCert, 1);
    cert->name = g_strdup(spec->name);
    cert->x509 = x;
    cert->key = key;
    cert->issuer = issuer;
    cert->is_ca = spec->is_ca;
    g_ptr_array_add(pki->certs, cert);
    return cert;
}

static gboolean
write_pem(const CgCert *c, const char *dir, GError **error)
{
    g_autofree char *file = g_strdup_printf("%s.pem", c->name);
    g_autofree char *path = g_build_filename(dir, file, NULL);
    FILE *f = fopen(path, "w");
    gboolean ok;

    if (f == NULL) {
        g_set_error(error, CG_ERROR, CG_ERROR_IO, "%s: %s", path, g_strerror(errno));
        return FALSE;
    }
    ok = PEM_write_X509(f, c->x509) == 1;
    if (fclose(f) != 0 || !ok) {
        g_set_error(error, CG_ERROR, CG_ERROR_IO, "%s: write failed", path);
        return FALSE;
    }
    return TRUE;
}

gboolean
cg_pki_export(const CgPki *pki, const char *dir, GError **error)
{
    if (g_mkdir_with_parents(dir, 0755) != 0) {
        g_set_error(error, CG_ERROR, CG_ERROR_IO, "%s: %s", dir, g_strerror(errno));
        return FALSE;
    }
    for (guint i = 0; i < pki->certs->len; i++) {
        const CgCert *c = g_ptr_array_index(pki->certs, i);
        if (c->is_ca && !write_pem(c, dir, error))
            return FALSE;
    }
    return TRUE;
}

char *
cg_pki_digest_hex(X509 *x509, const char *md)
{
    unsigned char buf[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    GString *s = g_string_new(NULL);

    if (X509_digest(x509, EVP_get_digestbyname(md), buf, &len) == 1) {
        for (unsigned int i = 0; i < len; i++)
            g_string_append_printf(s, "%02X", buf[i]);
    }
    return g_string_free(s, FALSE);
}

char *
cg_pki_name_rfc2253(const X509_NAME *name)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *data = NULL;
    long len;
    char *out;

    X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253);
    len = BIO_get_mem_data(bio, &data);
    out = g_strndup(data, len > 0 ? (gsize)len : 0);
    BIO_free(bio);
    return out;
}

char *
cg_pki_serial_hex(X509 *x509)
{
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x509), NULL);
    char *hex = bn != NULL ? BN_bn2hex(bn) : NULL;
    char *out = g_strdup(hex != NULL ? hex : "");

    OPENSSL_free(hex);
    BN_free(bn);
    return out;
}
