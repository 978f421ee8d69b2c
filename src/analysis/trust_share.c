/* SPDX-License-Identifier: BSD-2-Clause */
/* trust_share: one path for all the plain leaves of one shape (trust.c's module comment says why
 * that is the path OpenSSL would build for each of them).
 *
 * A shape is the leaf's CpCert.issuer_shape plus the SHA-1s of the certificates sent after it.
 * Its paths hold while the certificate cache keeps its version (a certificate added, evicted or
 * indexed may be a new issuer candidate); the first build on another version forgets them all.
 * Each shape keeps up to MAX_VARIANTS paths, one per pattern of validity of its ambiguous issuer
 * candidates at the leaves' times (a site renewed its CA: leaves before and after choose
 * differently). Everything is bounded: MAX_SHARED paths in all, then start again empty. */
#include <string.h>
#include <openssl/err.h>

#include "analysis/trust_private.h"
#include "base/hash.h"

#define MAX_SHARED   65536u
#define MAX_VARIANTS 16u

typedef struct Shape {
    GBytes *key;
    guint hash;
    GPtrArray *variants; /* CpSharedPath* (owned) */
} Shape;

struct CpTrustShapes {
    GHashTable *by_key; /* Shape* (key and value, owned) */
    unsigned paths;     /* CpSharedPaths held */
    uint64_t version;   /* of the cache they were learnt from */
    CpHashKey hash_key; /* shapes are attacker-chosen bytes (STYLE R49) */
};

static void
verdict_clear(CpPathVerdict *v)
{
    X509_free(v->leaf_issuer);
    v->leaf_issuer = NULL;
}

static void
shared_path_free(gpointer p)
{
    CpSharedPath *sp = p;

    if (sp == NULL)
        return;
    cp_path_free(sp->tpl);
    verdict_clear(&sp->sent);
    verdict_clear(&sp->final);
    sk_X509_pop_free(sp->cands, X509_free);
    g_array_free(sp->valid, TRUE);
    g_free(sp);
}

static void
shape_free(gpointer p)
{
    Shape *s = p;

    g_bytes_unref(s->key);
    g_ptr_array_free(s->variants, TRUE);
    g_free(s);
}

static guint
shape_hash(gconstpointer k)
{
    return ((const Shape *)k)->hash;
}

static gboolean
shape_equal(gconstpointer a, gconstpointer b)
{
    return g_bytes_equal(((const Shape *)a)->key, ((const Shape *)b)->key);
}

CpTrustShapes *
cp_trust_shapes_new(void)
{
    CpTrustShapes *s = g_new0(CpTrustShapes, 1);

    s->by_key = g_hash_table_new_full(shape_hash, shape_equal, shape_free, NULL);
    cp_hash_key_init_random(&s->hash_key);
    return s;
}

void
cp_trust_shapes_free(CpTrustShapes *s)
{
    if (s == NULL)
        return;
    g_hash_table_destroy(s->by_key);
    g_free(s);
}

/* The leaf's issuer shape, then the SHA-1 of each certificate sent after it. */
static Shape
shape_of(const CpTrustShapes *s, const GArray *chain, const CpCert *leaf)
{
    GByteArray *b = g_byte_array_sized_new(20 + 40 * chain->len);
    Shape k = { 0 };

    g_byte_array_append(b, leaf->issuer_shape, sizeof leaf->issuer_shape);
    for (guint i = 1; i < chain->len; i++)
        g_byte_array_append(b, (const guint8 *)g_array_index(chain, CpChainLink, i).sha1, 40);
    k.key = g_byte_array_free_to_bytes(b);
    gsize n = 0;
    const void *data = g_bytes_get_data(k.key, &n);
    uint64_t h = cp_hash_bytes(&s->hash_key, data, n);
    k.hash = (guint)(h ^ (h >> 32));
    return k;
}

/* The path built for the same validities of the shape's ambiguous candidates at at_s. */
static CpSharedPath *
variant_at(const Shape *s, int64_t at_s)
{
    for (guint v = 0; v < s->variants->len; v++) {
        CpSharedPath *sp = s->variants->pdata[v];
        bool same = true;
        for (int i = 0; same && i < sk_X509_num(sp->cands); i++)
            same = cp_trust_valid_at(sk_X509_value(sp->cands, i), at_s) ==
                   (bool)g_array_index(sp->valid, gboolean, i);
        if (same)
            return sp;
    }
    return NULL;
}

static CpPath *
path_copy(const CpPath *src)
{
    CpPath *p = g_memdup2(src, sizeof *src);

    p->certs = g_array_copy(src->certs);
    for (guint i = 0; i < p->certs->len; i++) {
        CpPathCert *c = &g_array_index(p->certs, CpPathCert, i);
        c->subject = g_strdup(c->subject);
        c->issuer = g_strdup(c->issuer);
        c->ski = g_strdup(c->ski);
    }
    p->missing_issuer = g_strdup(src->missing_issuer);
    p->missing_aki = g_strdup(src->missing_aki);
    return p;
}

/* The leaf's place on the path, from its own fields. */
static void
put_leaf(CpPath *p, const CpCert *leaf)
{
    if (p->certs->len == 0)
        return;
    CpPathCert *c = &g_array_index(p->certs, CpPathCert, 0);
    g_free(c->subject);
    g_free(c->issuer);
    g_free(c->ski);
    *c = (CpPathCert){ .subject = g_strdup(leaf->subject),
                       .issuer = g_strdup(leaf->issuer),
                       .ski = g_strdup(leaf->ski),
                       .source = CP_SRC_SENT };
    memcpy(c->sha1, leaf->sha1, sizeof c->sha1);
}

static CpPathStatus
status_for(CpTrust *t, const CpPathVerdict *v, const CpCert *leaf, X509 **own)
{
    if (v->unsigned_status != CP_PATH_TRUSTED || !v->sigs_checked)
        return v->unsigned_status;
    if (v->bad_above)
        return CP_PATH_BAD_SIGNATURE;
    /* No certificate above the leaf with its signatures checked would be a self-signed leaf,
     * which is never shared. */
    if (v->leaf_issuer != NULL && !cp_trust_leaf_signature_ok(t, leaf, v->leaf_issuer, own))
        return CP_PATH_BAD_SIGNATURE;
    return CP_PATH_TRUSTED;
}

static CpPath *
instantiate(CpTrust *t, const CpSharedPath *sp, const CpCert *leaf, X509 **own)
{
    CpPath *p = path_copy(sp->tpl);

    put_leaf(p, leaf);
    p->sent_only_status = status_for(t, &sp->sent, leaf, own);
    p->status = status_for(t, &sp->final, leaf, own);
    return p;
}

/* Builds the shape's path from this leaf, parsed again for it. */
static CpSharedPath *
learn(CpTrust *t, CpCertCache *cache, const GArray *chain, CpCert *leaf, int64_t at_s, X509 **own)
{
    if ((*own = cp_trust_x509_of(leaf)) == NULL)
        return NULL;
    CpSharedPath *sp = g_new0(CpSharedPath, 1);
    sp->cands = sk_X509_new_null();
    sp->valid = g_array_new(FALSE, FALSE, sizeof(gboolean));
    sp->tpl = cp_trust_path_build(t, cache, chain, leaf, *own, at_s, sp);
    return sp;
}

static void
forget_if_stale(CpTrustShapes *s, CpCertCache *cache)
{
    if (s->version == cp_cert_cache_version(cache) && s->paths < MAX_SHARED)
        return;
    g_hash_table_remove_all(s->by_key);
    s->paths = 0;
    s->version = cp_cert_cache_version(cache);
}

/* Keeps sp for the shape's next leaves; false when it cannot be kept (the caller frees it). */
static bool
keep(CpTrustShapes *s, Shape *k, CpSharedPath *sp)
{
    Shape *shape = g_hash_table_lookup(s->by_key, k);

    if (sp->unshareable || (shape != NULL && shape->variants->len >= MAX_VARIANTS))
        return false;
    if (shape == NULL) {
        shape = g_new0(Shape, 1);
        shape->key = g_bytes_ref(k->key);
        shape->hash = k->hash;
        shape->variants = g_ptr_array_new_with_free_func(shared_path_free);
        g_hash_table_add(s->by_key, shape);
    }
    g_ptr_array_add(shape->variants, sp);
    s->paths++;
    return true;
}

CpPath *
cp_trust_shared_build(CpTrust *t, CpTrustShapes *s, CpCertCache *cache, const GArray *chain,
                      CpCert *leaf, int64_t at_s)
{
    forget_if_stale(s, cache);
    Shape k = shape_of(s, chain, leaf);
    const Shape *shape = g_hash_table_lookup(s->by_key, &k);
    CpSharedPath *sp = shape != NULL ? variant_at(shape, at_s) : NULL;
    X509 *own = NULL;
    bool kept = true;

    if (sp == NULL) {
        sp = learn(t, cache, chain, leaf, at_s, &own);
        kept = sp != NULL && keep(s, &k, sp);
    }
    CpPath *p = sp != NULL ? instantiate(t, sp, leaf, &own) : NULL;
    if (!kept)
        shared_path_free(sp);
    X509_free(own);
    g_bytes_unref(k.key);
    ERR_clear_error();
    return p;
}
