/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests for analysis/cert_cache: a full cache evicts the least recently used certificate
 * nobody holds, client certificates first, and refuses only when every one is in use; the
 * per-certificate byte budget; the issuer index path building reads. */
#include <string.h>
#include <CUnit/CUnit.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "analysis/cert_cache.h"
#include "harness.h"

static EVP_PKEY *key;

/* A DER certificate: CN=cn, a self-signed CA or a leaf of "CN=Test Issuer", signed with the
 * shared key; the serial makes each one distinct. (transfer full) */
static GBytes *
cert_der(const char *cn, long serial, bool ca)
{
    X509 *x = X509_new();
    X509_NAME *n = X509_NAME_new();
    X509V3_CTX ctx;
    unsigned char *der = NULL;

    if (key == NULL)
        key = EVP_EC_gen("P-256");
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1, 0);
    X509_set_subject_name(x, n);
    X509_NAME_free(n);
    /* CAs are self-signed roots; leaves name another issuer (not self-issued). */
    if (!ca) {
        n = X509_NAME_new();
        X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)"Test Issuer", -1,
                                   -1, 0);
    } else {
        n = X509_NAME_dup(X509_get_subject_name(x));
    }
    X509_set_issuer_name(x, n);
    X509_NAME_free(n);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_set_pubkey(x, key);
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints,
                                            ca ? "critical,CA:TRUE" : "CA:FALSE");
    X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
    e = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_key_identifier, "hash");
    X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
    X509_sign(x, key, EVP_sha256());
    int len = i2d_X509(x, &der);
    GBytes *b = g_bytes_new(der, (gsize)len);
    OPENSSL_free(der);
    X509_free(x);
    return b;
}

typedef struct Box {
    CpLimits limits;
    CpAnomalies anomalies;
    CpCertCache *cache;
} Box;

static void
box_init(Box *b, uint64_t max_certs)
{
    memset(b, 0, sizeof *b);
    cp_limits_init_default(&b->limits);
    b->limits.max_certs = max_certs;
    b->cache = cp_cert_cache_new(&b->limits, &b->anomalies);
}

static CpCert *
get(Box *b, GBytes *der, CpCertUse use)
{
    gsize n;
    const uint8_t *d = g_bytes_get_data(der, &n);
    bool is_new;
    char sha1[41];

    return cp_cert_cache_get_as(b->cache, d, n, use, &is_new, sha1);
}

static void
full_cache_evicts_client_certificates_first(void)
{
    Box b;
    GBytes *srv = cert_der("server", 1, false), *c1 = cert_der("client", 2, false),
           *c2 = cert_der("client", 3, false), *srv2 = cert_der("server2", 4, false);

    box_init(&b, 3);
    CpCert *s = get(&b, srv, CP_CERT_USE_SERVER);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    char s_sha1[41];
    memcpy(s_sha1, s->sha1, 41);
    CpCert *x = get(&b, c1, CP_CERT_USE_CLIENT);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    CU_ASSERT_PTR_NULL(x->x509); /* a client's leaf keeps its fields only */
    char c1_sha1[41];
    memcpy(c1_sha1, x->sha1, 41);
    CU_ASSERT_PTR_NOT_NULL(get(&b, c2, CP_CERT_USE_CLIENT));
    /* Full: the server's certificate is the least recently used, but clients' go first. */
    CU_ASSERT_PTR_NOT_NULL(get(&b, srv2, CP_CERT_USE_SERVER));
    CU_ASSERT_EQUAL(cp_cert_cache_count(b.cache), 3);
    CU_ASSERT_PTR_NOT_NULL(cp_cert_cache_find_sha1(b.cache, s_sha1));
    CU_ASSERT_PTR_NULL(cp_cert_cache_find_sha1(b.cache, c1_sha1));
    CU_ASSERT_EQUAL(cp_cert_cache_evicted(b.cache), 1);
    CU_ASSERT_EQUAL(b.anomalies.count[CP_ANOMALY_CERT_CACHE_FULL], 0);
    cp_cert_cache_free(b.cache);
    g_bytes_unref(srv), g_bytes_unref(c1), g_bytes_unref(c2), g_bytes_unref(srv2);
}

static void
certificates_in_use_are_never_evicted(void)
{
    Box b;
    GBytes *a = cert_der("a", 1, false), *c = cert_der("c", 2, false);

    box_init(&b, 1);
    CpCert *held = cp_cert_ref(get(&b, a, CP_CERT_USE_CLIENT)); /* a chain holds it */
    CU_ASSERT_PTR_NULL(get(&b, c, CP_CERT_USE_SERVER));         /* refused, counted */
    CU_ASSERT_EQUAL(b.anomalies.count[CP_ANOMALY_CERT_CACHE_FULL], 1);
    CU_ASSERT_STRING_EQUAL(held->subject, "CN=a");
    cp_cert_unref(held);
    /* Released: now it can go. */
    CU_ASSERT_PTR_NOT_NULL(get(&b, c, CP_CERT_USE_SERVER));
    CU_ASSERT_EQUAL(cp_cert_cache_count(b.cache), 1);
    cp_cert_cache_free(b.cache);
    g_bytes_unref(a), g_bytes_unref(c);
}

static void
client_certificate_seen_from_a_server_gets_its_object_back(void)
{
    Box b;
    GBytes *a = cert_der("shared", 1, false);

    box_init(&b, 8);
    CpCert *x = get(&b, a, CP_CERT_USE_CLIENT);
    CU_ASSERT_PTR_NULL(x->x509);
    CpCert *y = get(&b, a, CP_CERT_USE_SERVER);
    CU_ASSERT_PTR_EQUAL(x, y);
    CU_ASSERT_PTR_NOT_NULL(y->x509);
    cp_cert_cache_free(b.cache);
    g_bytes_unref(a);
}

static void
over_the_memory_budget_is_not_kept(void)
{
    Box b;
    GBytes *a = cert_der("a", 1, false);

    box_init(&b, 8);
    b.limits.max_cert_memory = 256; /* less than the DER alone */
    CU_ASSERT_PTR_NULL(get(&b, a, CP_CERT_USE_SERVER));
    CU_ASSERT_EQUAL(b.anomalies.count[CP_ANOMALY_CERT_CACHE_FULL], 1);
    CU_ASSERT_EQUAL(cp_cert_cache_count(b.cache), 0);
    cp_cert_cache_free(b.cache);
    g_bytes_unref(a);
}

static void
issuer_index_by_subject_and_key_id_follows_eviction(void)
{
    Box b;
    GBytes *ca1 = cert_der("Corp CA", 1, true), *ca2 = cert_der("Corp CA", 2, true),
           *leaf = cert_der("leaf", 3, false);

    box_init(&b, 2);
    CpCert *a = get(&b, ca1, CP_CERT_USE_SERVER);
    CU_ASSERT_PTR_NOT_NULL(get(&b, ca2, CP_CERT_USE_SERVER));
    const GPtrArray *by_name = cp_cert_cache_issuers_by_subject(b.cache, "CN=Corp CA");
    CU_ASSERT_PTR_NOT_NULL_FATAL(by_name);
    CU_ASSERT_EQUAL(by_name->len, 2);
    const GPtrArray *by_key = cp_cert_cache_issuers_by_ski(b.cache, a->ski);
    CU_ASSERT_PTR_NOT_NULL_FATAL(by_key);
    CU_ASSERT_EQUAL(by_key->len, 2); /* one key signs both */
    CU_ASSERT_PTR_NULL(cp_cert_cache_issuers_by_subject(b.cache, "CN=leaf"));
    /* The leaf evicts the older CA: the index forgets it. */
    CU_ASSERT_PTR_NOT_NULL(get(&b, leaf, CP_CERT_USE_SERVER));
    by_name = cp_cert_cache_issuers_by_subject(b.cache, "CN=Corp CA");
    CU_ASSERT_PTR_NOT_NULL_FATAL(by_name);
    CU_ASSERT_EQUAL(by_name->len, 1);
    cp_cert_cache_free(b.cache);
    g_bytes_unref(ca1), g_bytes_unref(ca2), g_bytes_unref(leaf);
}

static CU_TestInfo tests[] = {
    { "full_cache_evicts_client_certificates_first", full_cache_evicts_client_certificates_first },
    { "certificates_in_use_are_never_evicted", certificates_in_use_are_never_evicted },
    { "client_certificate_seen_from_a_server_gets_its_object_back",
      client_certificate_seen_from_a_server_gets_its_object_back },
    { "over_the_memory_budget_is_not_kept", over_the_memory_budget_is_not_kept },
    { "issuer_index_by_subject_and_key_id_follows_eviction",
      issuer_index_by_subject_and_key_id_follows_eviction },
    CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
    int rc = cp_test_main("cert_cache", tests, argc, argv);
    EVP_PKEY_free(key);
    return rc;
}
