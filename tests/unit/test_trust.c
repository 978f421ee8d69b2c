/* SPDX-License-Identifier: BSD-2-Clause */
/* test_trust: paths shared by the plain leaves of one shape (trust.c, trust_share.c). A shared
 * path must be the one OpenSSL builds for each leaf: the leaf's own signature is still checked,
 * renewed CAs are chosen by the leaf's own time, and a certificate the cache gains is seen by
 * the next diagnosis. The leaves keep no OpenSSL object (cert_cache.c, x509_leaf.c). */
#include <string.h>

#include "diag_world.h"
#include "harness.h"

/* (transfer none) The path of the server at 10.1.0.<last>:443. */
static const CpPath *
path_of(const CpDiagnosis *d, unsigned last)
{
    g_autofree char *endpoint = g_strdup_printf("10.1.0.%u:443", last);

    for (guint i = 0; i < d->servers->len; i++) {
        const CpServerDiag *sd = d->servers->pdata[i];
        if (strcmp(sd->server->endpoint, endpoint) == 0 && sd->paths->len > 0)
            return sd->paths->pdata[0];
    }
    return NULL;
}

static void
sha1_hex(X509 *x, char out[41])
{
    unsigned char md[20];
    unsigned n = 0;

    CU_ASSERT_FATAL(X509_digest(x, EVP_sha1(), md, &n) == 1 && n == 20);
    for (unsigned i = 0; i < n; i++)
        g_snprintf(out + 2 * i, 3, "%02X", md[i]);
}

/* The leaf went the shared way: kept without OpenSSL's object. */
static void
assert_plain_leaf(World *w, X509 *leaf)
{
    char sha1[41];

    sha1_hex(leaf, sha1);
    const CpCert *c = cp_cert_cache_find_sha1(w->cache, sha1);
    REQUIRE(c);
    CU_ASSERT_TRUE(c->path_shareable);
    CU_ASSERT_PTR_NULL(c->x509);
}

/* Two leaves with the issuer's name and key identifier, one signed by the issuer and one by
 * another key: the same shape, so one path; each leaf's own signature decides its status. */
static void
forged_leaf_of_a_shared_shape_is_bad_signature(bool forged_first)
{
    Pki p;
    World w;
    g_autoptr(EVP_PKEY) forger = key_new();

    pki_init(&p, "Contoso", "mail.contoso.com", NULL);
    X509 *forged = cert_make("web.contoso.com", p.leaf_key, p.ca, forger, "web.contoso.com", 9,
                             "20291231235959Z");
    X509 *good[] = { p.leaf, p.ca };
    X509 *bad[] = { forged, p.ca };
    world_init(&w, 0);
    world_trust(&w, p.root);
    world_add(&w, forged_first ? 2 : 1, 443, "web.contoso.com", bad, 2, 0, false);
    world_add(&w, forged_first ? 1 : 2, 443, "mail.contoso.com", good, 2, 0, false);
    const CpDiagnosis *d = world_diagnose(&w);
    const CpPath *ok = path_of(d, forged_first ? 1 : 2);
    const CpPath *ko = path_of(d, forged_first ? 2 : 1);
    REQUIRE(ok);
    REQUIRE(ko);
    CU_ASSERT_EQUAL(ok->status, CP_PATH_TRUSTED);
    CU_ASSERT_EQUAL(ko->status, CP_PATH_BAD_SIGNATURE);
    CU_ASSERT_EQUAL(ko->sent_only_status, CP_PATH_BAD_SIGNATURE);
    CU_ASSERT_EQUAL(ok->certs->len, 3);
    CU_ASSERT_EQUAL(ko->certs->len, 3);
    assert_plain_leaf(&w, p.leaf);
    assert_plain_leaf(&w, forged);
    world_clear(&w);
    X509_free(forged);
    pki_clear(&p);
}

static void
forged_leaf_after_good_one_is_bad_signature(void)
{
    forged_leaf_of_a_shared_shape_is_bad_signature(false);
}

static void
forged_leaf_before_good_one_is_bad_signature(void)
{
    forged_leaf_of_a_shared_shape_is_bad_signature(true);
}

/* A CA renewed with the same name and key: OpenSSL takes the one valid when the leaf was seen.
 * Leaves of one shape seen before and after the renewal get different paths. */
static void
renewed_ca_is_chosen_by_each_leafs_time(void)
{
    World w;
    g_autoptr(EVP_PKEY) rk = key_new();
    g_autoptr(EVP_PKEY) ck = key_new();
    g_autoptr(EVP_PKEY) lk = key_new();
    X509 *root = cert_make_full("Corp Root", rk, NULL, NULL, NULL, 1, "20200101000000Z",
                                "20391231235959Z");
    X509 *ca_old =
            cert_make_full("Corp CA", ck, root, rk, NULL, 2, "20200101000000Z", "20250101000000Z");
    X509 *ca_new =
            cert_make_full("Corp CA", ck, root, rk, NULL, 3, "20240601000000Z", "20300101000000Z");
    X509 *early = cert_make_full("a.corp.test", lk, ca_new, ck, "DNS:a.corp.test", 4,
                                 "20230101000000Z", "20280101000000Z");
    X509 *late = cert_make_full("b.corp.test", lk, ca_new, ck, "DNS:b.corp.test", 5,
                                "20230101000000Z", "20280101000000Z");
    const uint64_t march_2024 = UINT64_C(1709251200) * 1000000000u;
    const uint64_t june_2025 = UINT64_C(1748736000) * 1000000000u;
    char old_sha1[41], new_sha1[41];

    sha1_hex(ca_old, old_sha1);
    sha1_hex(ca_new, new_sha1);
    world_init(&w, 0);
    world_trust(&w, root);
    world_add_at(&w, march_2024, 3, 443, NULL, &ca_old, 1, 0, false); /* the CAs, known */
    world_add_at(&w, march_2024, 4, 443, NULL, &ca_new, 1, 0, false);
    world_add_at(&w, march_2024, 1, 443, "a.corp.test", &early, 1, 0, false);
    world_add_at(&w, june_2025, 2, 443, "b.corp.test", &late, 1, 0, false);
    const CpDiagnosis *d = world_diagnose(&w);
    const CpPath *p1 = path_of(d, 1);
    const CpPath *p2 = path_of(d, 2);
    REQUIRE(p1);
    REQUIRE(p2);
    CU_ASSERT_EQUAL(p1->status, CP_PATH_TRUSTED);
    CU_ASSERT_EQUAL(p2->status, CP_PATH_TRUSTED);
    REQUIRE(p1->certs->len == 3 && p2->certs->len == 3 ? p1 : NULL);
    CU_ASSERT_STRING_EQUAL(g_array_index(p1->certs, CpPathCert, 1).sha1, old_sha1);
    CU_ASSERT_STRING_EQUAL(g_array_index(p2->certs, CpPathCert, 1).sha1, new_sha1);
    assert_plain_leaf(&w, early);
    assert_plain_leaf(&w, late);
    world_clear(&w);
    X509 *all[] = { root, ca_old, ca_new, early, late };
    for (size_t i = 0; i < G_N_ELEMENTS(all); i++)
        X509_free(all[i]);
}

/* A path learnt while the issuing CA was unknown is not reused once another server sent it. */
static void
issuer_seen_later_completes_the_path(void)
{
    Pki p;
    World w;

    pki_init(&p, "Contoso", "mail.contoso.com", NULL);
    world_init(&w, 0);
    world_trust(&w, p.root);
    world_add(&w, 1, 443, "mail.contoso.com", &p.leaf, 1, 0, false);
    const CpPath *before = path_of(world_diagnose(&w), 1);
    REQUIRE(before);
    CU_ASSERT_EQUAL(before->status, CP_PATH_ISSUER_MISSING);
    cp_diagnosis_free(w.diag);
    w.diag = NULL;
    world_add(&w, 2, 443, NULL, &p.ca, 1, 0, false);
    const CpPath *after = path_of(world_diagnose(&w), 1);
    REQUIRE(after);
    CU_ASSERT_EQUAL(after->status, CP_PATH_TRUSTED);
    CU_ASSERT_EQUAL(after->sent_only_status, CP_PATH_ISSUER_MISSING);
    CU_ASSERT_TRUE(after->used_capture);
    world_clear(&w);
    pki_clear(&p);
}

/* A server that sends its leaf twice: the second copy, an intermediate by position, is parsed
 * again for the path (the cache keeps no OpenSSL object for it). */
static void
leaf_sent_again_after_itself_still_builds(void)
{
    Pki p;
    World w;

    pki_init(&p, "Contoso", "mail.contoso.com", NULL);
    X509 *chain[] = { p.leaf, p.leaf, p.ca };
    world_init(&w, 0);
    world_trust(&w, p.root);
    world_add(&w, 1, 443, "mail.contoso.com", chain, 3, 0, false);
    const CpPath *path = path_of(world_diagnose(&w), 1);
    REQUIRE(path);
    CU_ASSERT_EQUAL(path->status, CP_PATH_TRUSTED);
    CU_ASSERT_EQUAL(path->certs->len, 3);
    world_clear(&w);
    pki_clear(&p);
}

static CU_TestInfo tests[] = {
    { "forged_leaf_after_good_one_is_bad_signature", forged_leaf_after_good_one_is_bad_signature },
    { "forged_leaf_before_good_one_is_bad_signature",
      forged_leaf_before_good_one_is_bad_signature },
    { "renewed_ca_is_chosen_by_each_leafs_time", renewed_ca_is_chosen_by_each_leafs_time },
    { "issuer_seen_later_completes_the_path", issuer_seen_later_completes_the_path },
    { "leaf_sent_again_after_itself_still_builds", leaf_sent_again_after_itself_still_builds },
    CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
    return cp_test_main("trust", tests, argc, argv);
}
