/* SPDX-License-Identifier: BSD-2-Clause */
/* cert_cache: DER -> CpCert, keyed by the DER bytes themselves (a keyed hash + memcmp costs less
 * than a SHA-1 per sighting); the SHA-1 is computed once, at parse time.
 *
 * The table hashes the whole DER with SipHash-2-4 under a key drawn when the cache is created
 * (base/hash.h): certificates are attacker-chosen bytes, so neither a sampled hash (equal-length
 * certificates differing only outside the sample collide) nor an unkeyed one (collisions can be
 * computed offline) would keep lookups O(1) on hostile captures (STYLE R49).
 *
 * A full cache must not blind the diagnosis: any client can send certificates, and 64k junk
 * client certificates once kept a later server's expired certificate from being parsed at all.
 * So the cache evicts instead of refusing, least recently used first, and client certificates
 * (never diagnosed) before server ones. A certificate someone still holds a reference to (a
 * connection's chain, a chain the model keeps, a queued event) is never evicted: the cache's own
 * reference is then not the last. Only when no certificate can go does it refuse
 * (cert.cache_full), and the diagnosis calls that run inconclusive.
 *
 * Memory: a client's own certificate keeps its fields, not OpenSSL's object (path building never
 * uses it), and a certificate whose DER and fields exceed --max-cert-memory is not kept at all.
 *
 * Issuers are indexed by subject name and by subject key identifier, so path building asks for
 * the candidates of one certificate instead of scanning every CA seen (cp_cert_cache_issuers). */
#include "analysis/cert_cache.h"

#include <stdatomic.h>
#include <string.h>
#include <openssl/x509.h>

#include "base/hash.h"

/* Eviction looks at most this many certificates from the cold end of a list: the ones it skips
 * are in use, and are moved to the warm end, so a run of them cannot make every lookup slow. */
#define EVICT_SCAN 64

typedef struct Entry {
    const uint8_t *der; /* borrowed from cert */
    size_t len;
    guint hash;
    CpCert *cert; /* one reference */
    GList link;   /* in lru[server] */
    bool server;  /* seen in a server's chain */
    bool indexed; /* in the issuer indexes */
} Entry;

struct CpCertCache {
    const CpLimits *limits;
    CpAnomalies *anomalies;
    GHashTable *by_der;     /* Entry* (key and value; owned) */
    GHashTable *by_sha1;    /* sha1 (borrowed from cert) -> Entry* */
    GHashTable *by_subject; /* subject (owned copy) -> GPtrArray of CpCert* (CA certificates) */
    GHashTable *by_ski;     /* ski (owned copy) -> GPtrArray of CpCert* (CA certificates) */
    GQueue lru[2];          /* [0] client-only, [1] server: head most recently used */
    GPtrArray *order;       /* every kept CpCert*, first-seen order; rebuilt after evictions */
    bool order_stale;
    uint64_t evicted;
    uint64_t version;
    CpHashKey hash_key; /* drawn per cache: bucket choice is not predictable */
};

/* Versions are drawn from one counter, so no two caches (a live snapshot and its original, or a
 * cache freed and another allocated at its address) ever show the same one. */
static void
changed(CpCertCache *c)
{
    static atomic_uint_fast64_t next = 1;

    c->version = atomic_fetch_add(&next, 1);
}

static guint
der_hash(const CpCertCache *c, const uint8_t *d, size_t n)
{
    uint64_t h = cp_hash_bytes(&c->hash_key, d, n);

    return (guint)(h ^ (h >> 32)); /* GHashTable takes 32 bits; fold, do not drop, the top */
}

static guint
entry_hash(gconstpointer k)
{
    return ((const Entry *)k)->hash;
}

static gboolean
entry_equal(gconstpointer a, gconstpointer b)
{
    const Entry *x = a, *y = b;
    return x->len == y->len && memcmp(x->der, y->der, x->len) == 0;
}

/* Subjects and key identifiers are attacker text too: the same keyed hash (R49). */
static CpHashKey str_key;

static guint
str_hash(gconstpointer s)
{
    uint64_t h = cp_hash_bytes(&str_key, s, strlen(s));
    return (guint)(h ^ (h >> 32));
}

CpCertCache *
cp_cert_cache_new(const CpLimits *limits, CpAnomalies *anomalies)
{
    CpCertCache *c = g_new0(CpCertCache, 1);
    static gsize once;

    if (g_once_init_enter(&once)) {
        cp_hash_key_init_random(&str_key);
        g_once_init_leave(&once, 1);
    }
    c->limits = limits;
    c->anomalies = anomalies;
    cp_hash_key_init_random(&c->hash_key);
    c->by_der = g_hash_table_new(entry_hash, entry_equal);
    c->by_sha1 = g_hash_table_new(g_str_hash, g_str_equal); /* our own hex: not attacker-chosen */
    c->by_subject =
            g_hash_table_new_full(str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
    c->by_ski =
            g_hash_table_new_full(str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
    c->order = g_ptr_array_new();
    changed(c);
    return c;
}

static void
entry_free(gpointer p)
{
    Entry *e = p;

    cp_cert_unref(e->cert);
    g_free(e);
}

void
cp_cert_cache_free(CpCertCache *c)
{
    if (c == NULL)
        return;
    g_hash_table_destroy(c->by_subject);
    g_hash_table_destroy(c->by_ski);
    g_hash_table_destroy(c->by_sha1);
    g_ptr_array_free(c->order, TRUE);
    GList *all = g_hash_table_get_values(c->by_der);
    g_hash_table_destroy(c->by_der);
    g_list_free_full(all, entry_free);
    g_free(c);
}

static void
index_add(GHashTable *t, const char *k, CpCert *cert)
{
    GPtrArray *a;

    if (k == NULL)
        return;
    if ((a = g_hash_table_lookup(t, k)) == NULL) {
        a = g_ptr_array_new();
        g_hash_table_insert(t, g_strdup(k), a);
    }
    g_ptr_array_add(a, cert);
}

static void
index_remove(GHashTable *t, const char *k, CpCert *cert)
{
    GPtrArray *a = k != NULL ? g_hash_table_lookup(t, k) : NULL;

    if (a == NULL)
        return;
    g_ptr_array_remove_fast(a, cert);
    if (a->len == 0)
        g_hash_table_remove(t, k);
}

static void
entry_index(CpCertCache *c, Entry *e)
{
    CpCert *x = e->cert;

    if (e->indexed || x->x509 == NULL || !(x->is_ca || x->self_issued))
        return;
    index_add(c->by_subject, x->subject, x);
    index_add(c->by_ski, x->ski, x);
    e->indexed = true;
}

static void
entry_unindex(CpCertCache *c, Entry *e)
{
    if (!e->indexed)
        return;
    index_remove(c->by_subject, e->cert->subject, e->cert);
    index_remove(c->by_ski, e->cert->ski, e->cert);
    e->indexed = false;
}

/* Only the cache holds it: nobody borrows it any more. */
static bool
unused(const Entry *e)
{
    return g_atomic_int_get(&e->cert->refcount) == 1;
}

static void
evict(CpCertCache *c, Entry *e)
{
    g_queue_unlink(&c->lru[e->server], &e->link);
    entry_unindex(c, e);
    g_hash_table_remove(c->by_sha1, e->cert->sha1);
    g_hash_table_remove(c->by_der, e);
    entry_free(e);
    c->order_stale = true;
    c->evicted++;
    changed(c);
}

/* Makes room for one certificate: the least recently used one nobody holds, client
 * certificates first. False when every certificate looked at is in use. */
static bool
make_room(CpCertCache *c)
{
    for (int q = 0; q < 2; q++) {
        for (unsigned n = 0; n < EVICT_SCAN && c->lru[q].tail != NULL; n++) {
            GList *l = c->lru[q].tail;
            Entry *e = l->data;
            if (unused(e)) {
                evict(c, e);
                return true;
            }
            g_queue_unlink(&c->lru[q], l);
            g_queue_push_head_link(&c->lru[q], l);
        }
    }
    return false;
}

static size_t
strv_cost(const GPtrArray *a)
{
    size_t n = a->len * (sizeof(gpointer) + 16); /* the pointer and malloc's header */

    for (guint i = 0; i < a->len; i++)
        n += strlen(a->pdata[i]) + 1;
    return n;
}

static size_t
str_cost(const char *s)
{
    return s != NULL ? strlen(s) + 17 : 0;
}

/* What a parsed certificate keeps: its DER and the fields read from it. OpenSSL's object is
 * not counted: a client certificate drops it, and a server certificate's is bounded by its DER
 * through --max-cert-size. */
size_t
cp_cert_cache_cost(const CpCert *x)
{
    return sizeof *x + x->der_len + str_cost(x->subject) + str_cost(x->issuer) +
           str_cost(x->serial) + str_cost(x->key_type) + str_cost(x->key_curve) +
           str_cost(x->signature) + str_cost(x->sig_hash) + str_cost(x->common_name) +
           str_cost(x->ski) + str_cost(x->aki) + strv_cost(x->san_dns) + strv_cost(x->san_ip) +
           strv_cost(x->aia_ca_issuers) + strv_cost(x->aia_ocsp);
}

/* A client certificate seen again in a server's chain needs OpenSSL's object back, unless it is
 * that server's leaf and its path can be shared. */
static bool
become_server(CpCertCache *c, Entry *e, CpCertUse use)
{
    bool needs_x509 = use != CP_CERT_USE_SERVER_LEAF || !e->cert->path_shareable;

    if (e->cert->x509 == NULL && needs_x509) {
        const unsigned char *p = e->der;
        e->cert->x509 = d2i_X509(NULL, &p, (long)e->len);
        if (e->cert->x509 == NULL)
            return false;
    }
    g_queue_unlink(&c->lru[0], &e->link);
    g_queue_push_head_link(&c->lru[1], &e->link);
    e->server = true;
    entry_index(c, e);
    changed(c);
    return true;
}

static void
touch(CpCertCache *c, Entry *e)
{
    g_queue_unlink(&c->lru[e->server], &e->link);
    g_queue_push_head_link(&c->lru[e->server], &e->link);
}

static CpCert *
not_kept(CpCertCache *c, const uint8_t *der, size_t len, char sha1_out[41])
{
    cp_anomaly_add(c->anomalies, CP_ANOMALY_CERT_CACHE_FULL); /* cert.cache_full */
    cp_cert_sha1_hex(der, len, sha1_out);
    return NULL;
}

static CpCert *
parse_new(CpCertCache *c, const uint8_t *der, size_t len, CpCertUse use, char sha1_out[41])
{
    CpCertParseStatus st = CP_CERT_BAD_DER;
    /* A server's leaf is most of a large capture's certificates: the leaf parser skips what
     * costs most in d2i_X509 when it can. */
    CpCert *cert = use == CP_CERT_USE_SERVER_LEAF ? cp_cert_parse_leaf(der, len, &st) : NULL;

    if (cert == NULL)
        cert = cp_cert_parse(der, len, &st);

    if (st == CP_CERT_TRAILING_DATA)
        cp_anomaly_add(c->anomalies, CP_ANOMALY_X509_TRAILING_DATA); /* x509.trailing_data */
    if (cert == NULL) {
        cp_anomaly_add(c->anomalies, CP_ANOMALY_X509_BAD_DER); /* x509.bad_der */
        cp_cert_sha1_hex(der, len, sha1_out);
        return NULL;
    }
    if (cert->key_too_costly)
        cp_anomaly_add(c->anomalies, CP_ANOMALY_X509_RSA_EXPONENT); /* x509.rsa_exponent */
    if (cp_cert_cache_cost(cert) > c->limits->max_cert_memory) {
        cp_cert_unref(cert);
        return not_kept(c, der, len, sha1_out);
    }
    /* A client's own certificate is never path-built: keep its fields only. Its CA certificates
     * keep theirs, as possible issuers of a server's chain. A server's plain leaf is path-built
     * from its fields (trust.c): OpenSSL's object, kept for every distinct leaf, was most of the
     * memory of a large capture and made every later parse slower. */
    if ((use == CP_CERT_USE_CLIENT && !cert->is_ca && !cert->self_issued) ||
        (use == CP_CERT_USE_SERVER_LEAF && cert->path_shareable))
        g_clear_pointer(&cert->x509, X509_free);
    return cert;
}

CpCert *
cp_cert_cache_get_as(CpCertCache *c, const uint8_t *der, size_t len, CpCertUse use, bool *is_new,
                     char sha1_out[41])
{
    Entry k = { .der = der, .len = len, .hash = der_hash(c, der, len) };
    Entry *e = g_hash_table_lookup(c->by_der, &k);

    *is_new = false;
    if (e != NULL) {
        if (use != CP_CERT_USE_CLIENT && !e->server && !become_server(c, e, use))
            return not_kept(c, der, len, sha1_out);
        touch(c, e);
        memcpy(sha1_out, e->cert->sha1, 41);
        return e->cert;
    }
    if (g_hash_table_size(c->by_der) >= c->limits->max_certs && !make_room(c))
        return not_kept(c, der, len, sha1_out);
    CpCert *cert = parse_new(c, der, len, use, sha1_out);
    if (cert == NULL)
        return NULL;
    e = g_new0(Entry, 1);
    *e = (Entry){ .der = cert->der, .len = cert->der_len, .hash = k.hash, .cert = cert };
    e->link.data = e;
    e->server = use != CP_CERT_USE_CLIENT;
    g_hash_table_add(c->by_der, e);
    g_hash_table_insert(c->by_sha1, cert->sha1, e);
    g_queue_push_head_link(&c->lru[e->server], &e->link);
    entry_index(c, e);
    if (!c->order_stale)
        g_ptr_array_add(c->order, cert);
    memcpy(sha1_out, cert->sha1, 41);
    *is_new = true;
    changed(c);
    return cert;
}

CpCert *
cp_cert_cache_get(CpCertCache *c, const uint8_t *der, size_t len, bool *is_new, char sha1_out[41])
{
    return cp_cert_cache_get_as(c, der, len, CP_CERT_USE_SERVER, is_new, sha1_out);
}

CpCert *
cp_cert_cache_find_sha1(CpCertCache *c, const char *sha1)
{
    Entry *e = g_hash_table_lookup(c->by_sha1, sha1);
    return e != NULL ? e->cert : NULL;
}

GPtrArray *
cp_cert_cache_all(CpCertCache *c)
{
    if (!c->order_stale)
        return c->order;
    /* After evictions the list is rebuilt from the recency lists, oldest first. */
    g_ptr_array_set_size(c->order, 0);
    for (int q = 0; q < 2; q++)
        for (GList *l = c->lru[q].tail; l != NULL; l = l->prev)
            g_ptr_array_add(c->order, ((Entry *)l->data)->cert);
    c->order_stale = false;
    return c->order;
}

uint64_t
cp_cert_cache_version(const CpCertCache *c)
{
    return c->version;
}

unsigned
cp_cert_cache_count(const CpCertCache *c)
{
    return g_hash_table_size(c->by_der);
}

uint64_t
cp_cert_cache_evicted(const CpCertCache *c)
{
    return c->evicted;
}

const GPtrArray *
cp_cert_cache_issuers_by_subject(CpCertCache *c, const char *subject)
{
    return subject != NULL ? g_hash_table_lookup(c->by_subject, subject) : NULL;
}

const GPtrArray *
cp_cert_cache_issuers_by_ski(CpCertCache *c, const char *ski)
{
    return ski != NULL ? g_hash_table_lookup(c->by_ski, ski) : NULL;
}

/* Live capture diagnoses beside the analysis (cli/live_diag.c): a copy of the tables, sharing
 * the certificates by reference, so the original may go on growing and evicting. Only what a
 * diagnosis can ask for — certificates of servers' chains and possible issuers —: a client's own
 * certificate pinned by a copy could not be evicted meanwhile. Oldest first, so the copy's
 * recency lists and cp_cert_cache_all keep the original's order. */
CpCertCache *
cp_cert_cache_snapshot(CpCertCache *src)
{
    CpCertCache *c = cp_cert_cache_new(src->limits, NULL);

    for (int q = 0; q < 2; q++) {
        for (GList *l = src->lru[q].tail; l != NULL; l = l->prev) {
            const Entry *s = l->data;
            if (!s->server && !s->indexed)
                continue;
            Entry *e = g_new0(Entry, 1);
            *e = (Entry){ .der = s->der, .len = s->len, .cert = cp_cert_ref(s->cert) };
            e->hash = der_hash(c, e->der, e->len);
            e->link.data = e;
            e->server = s->server;
            g_hash_table_add(c->by_der, e);
            g_hash_table_insert(c->by_sha1, e->cert->sha1, e);
            g_queue_push_head_link(&c->lru[q], &e->link);
            if (s->indexed)
                entry_index(c, e);
        }
    }
    c->order_stale = true;
    changed(c);
    return c;
}
