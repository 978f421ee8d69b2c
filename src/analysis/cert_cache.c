/* SPDX-License-Identifier: BSD-2-Clause */
/* cert_cache: DER -> CpCert, keyed by the DER bytes themselves (a keyed hash + memcmp costs less
 * than a SHA-1 per sighting); the SHA-1 is computed once, at parse time.
 *
 * The table hashes the whole DER with SipHash-2-4 under a key drawn when the cache is created
 * (base/hash.h): certificates are attacker-chosen bytes, so neither a sampled hash (equal-length
 * certificates differing only outside the sample collide) nor an unkeyed one (collisions can be
 * computed offline) would keep lookups O(1) on hostile captures (STYLE R49). */
#include "analysis/cert_cache.h"

#include <string.h>

#include "base/hash.h"

typedef struct Key {
    const uint8_t *der;
    size_t len;
    guint hash;
} Key;

struct CpCertCache {
    const CpLimits *limits;
    CpAnomalies *anomalies;
    GHashTable *by_der;  /* Key* (owned) -> CpCert* */
    GHashTable *by_sha1; /* sha1 (borrowed from cert) -> CpCert* */
    GPtrArray *order;    /* CpCert* (owns one reference each) */
    CpHashKey hash_key;  /* drawn per cache: bucket choice is not predictable */
};

static guint
der_hash(const CpCertCache *c, const uint8_t *d, size_t n)
{
    uint64_t h = cp_hash_bytes(&c->hash_key, d, n);

    return (guint)(h ^ (h >> 32)); /* GHashTable takes 32 bits; fold, do not drop, the top */
}

static guint
key_hash(gconstpointer k)
{
    return ((const Key *)k)->hash;
}

static gboolean
key_equal(gconstpointer a, gconstpointer b)
{
    const Key *x = a, *y = b;
    return x->len == y->len && memcmp(x->der, y->der, x->len) == 0;
}

CpCertCache *
cp_cert_cache_new(const CpLimits *limits, CpAnomalies *anomalies)
{
    CpCertCache *c = g_new0(CpCertCache, 1);

    c->limits = limits;
    c->anomalies = anomalies;
    cp_hash_key_init_random(&c->hash_key);
    c->by_der = g_hash_table_new_full(key_hash, key_equal, g_free, NULL);
    c->by_sha1 = g_hash_table_new(g_str_hash, g_str_equal);
    c->order = g_ptr_array_new_with_free_func((GDestroyNotify)cp_cert_unref);
    return c;
}

void
cp_cert_cache_free(CpCertCache *c)
{
    if (c == NULL)
        return;
    g_hash_table_destroy(c->by_der);
    g_hash_table_destroy(c->by_sha1);
    g_ptr_array_free(c->order, TRUE);
    g_free(c);
}

CpCert *
cp_cert_cache_get(CpCertCache *c, const uint8_t *der, size_t len, bool *is_new, char sha1_out[41])
{
    Key k = { der, len, der_hash(c, der, len) };
    CpCert *cert = g_hash_table_lookup(c->by_der, &k);

    *is_new = false;
    if (cert != NULL) {
        memcpy(sha1_out, cert->sha1, 41);
        return cert;
    }
    if (c->order->len >= c->limits->max_certs) {
        cp_anomaly_add(c->anomalies, CP_ANOMALY_CERT_CACHE_FULL); /* cert.cache_full */
        cp_cert_sha1_hex(der, len, sha1_out);
        return NULL;
    }
    CpCertParseStatus st;
    cert = cp_cert_parse(der, len, &st);
    if (st == CP_CERT_TRAILING_DATA)
        cp_anomaly_add(c->anomalies, CP_ANOMALY_X509_TRAILING_DATA); /* x509.trailing_data */
    if (cert == NULL) {
        cp_anomaly_add(c->anomalies, CP_ANOMALY_X509_BAD_DER); /* x509.bad_der */
        cp_cert_sha1_hex(der, len, sha1_out);
        return NULL;
    }
    Key *owned = g_new(Key, 1);
    *owned = (Key){ cert->der, cert->der_len, k.hash };
    g_hash_table_insert(c->by_der, owned, cert);
    g_hash_table_insert(c->by_sha1, cert->sha1, cert);
    g_ptr_array_add(c->order, cert);
    memcpy(sha1_out, cert->sha1, 41);
    *is_new = true;
    return cert;
}

CpCert *
cp_cert_cache_find_sha1(CpCertCache *c, const char *sha1)
{
    return g_hash_table_lookup(c->by_sha1, sha1);
}

GPtrArray *
cp_cert_cache_all(CpCertCache *c)
{
    return c->order;
}
