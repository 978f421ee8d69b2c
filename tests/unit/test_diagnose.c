/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests for analysis/diagnose: the finding registry, what the model folds from handshakes
 * (dropped certificates, conflicting overlaps), and the rules on small models built in memory.
 * Certificates are made here with OpenSSL (EC P-256, signed by their issuer) and parsed by the
 * project's x509 code through the certificate cache, as the pipeline does. */
#include <stdio.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "analysis/cert_cache.h"
#include "analysis/diagnose.h"
#include "analysis/model.h"
#include "analysis/trust.h"
#include "harness.h"

/* A fatal check gcc can follow: CUnit leaves the test by longjmp, which -Wnull-dereference does
 * not see. */
#define REQUIRE(p)                       \
    do {                                 \
        CU_ASSERT_PTR_NOT_NULL_FATAL(p); \
        if ((p) == NULL)                 \
            return;                      \
    } while (0)

G_DEFINE_AUTOPTR_CLEANUP_FUNC(X509, X509_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(EVP_PKEY, EVP_PKEY_free)

/* 2025-01-15 10:00 UTC: inside every certificate's validity below. */
#define CAPTURE_NS (UINT64_C(1736935200) * 1000000000u)

/* ---- certificates ------------------------------------------------------------------------ */

static EVP_PKEY *
key_new(void)
{
    EVP_PKEY *k = EVP_EC_gen("P-256");

    CU_ASSERT_FATAL(k != NULL);
    return k;
}

static void
add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
    X509_EXTENSION *e = X509V3_EXT_nconf_nid(NULL, ctx, nid, value);

    CU_ASSERT_FATAL(e != NULL);
    CU_ASSERT_FATAL(X509_add_ext(x, e, -1) == 1);
    X509_EXTENSION_free(e);
}

/* A v3 certificate for cn with key, issued by issuer (NULL: self-signed with key). A CA when
 * san is NULL; else a server certificate for the dNSName san. */
static X509 *
cert_make(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key, const char *san,
          long serial, const char *not_after)
{
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();
    X509V3_CTX ctx;

    CU_ASSERT_FATAL(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn,
                                               -1, -1, 0) == 1);
    CU_ASSERT_FATAL(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                                               (const unsigned char *)"Contoso", -1, -1, 0) == 1);
    CU_ASSERT_FATAL(X509_set_version(x, 2) == 1);
    CU_ASSERT_FATAL(ASN1_INTEGER_set(X509_get_serialNumber(x), serial) == 1);
    CU_ASSERT_FATAL(X509_set_subject_name(x, name) == 1);
    CU_ASSERT_FATAL(X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name) == 1);
    CU_ASSERT_FATAL(ASN1_TIME_set_string_X509(X509_getm_notBefore(x), "20240101000000Z") == 1);
    CU_ASSERT_FATAL(ASN1_TIME_set_string_X509(X509_getm_notAfter(x), not_after) == 1);
    CU_ASSERT_FATAL(X509_set_pubkey(x, key) == 1);
    X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
    add_ext(x, &ctx, NID_basic_constraints, san ? "critical,CA:FALSE" : "critical,CA:TRUE");
    add_ext(x, &ctx, NID_subject_key_identifier, "hash");
    add_ext(x, &ctx, NID_authority_key_identifier, "keyid");
    if (san != NULL) {
        g_autofree char *v = g_strdup_printf("DNS:%s", san);
        add_ext(x, &ctx, NID_subject_alt_name, v);
    } else {
        add_ext(x, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
    }
    CU_ASSERT_FATAL(X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()) > 0);
    X509_NAME_free(name);
    return x;
}

/* root -> issuing CA -> server certificate, one PKI. */
typedef struct Pki {
    EVP_PKEY *root_key, *ca_key, *leaf_key;
    X509 *root, *ca, *leaf;
} Pki;

static void
pki_init(Pki *p, const char *prefix, const char *host, const char *leaf_not_after)
{
    g_autofree char *root_cn = g_strdup_printf("%s Root CA", prefix);
    g_autofree char *ca_cn = g_strdup_printf("%s Issuing CA", prefix);

    p->root_key = key_new();
    p->ca_key = key_new();
    p->leaf_key = key_new();
    p->root = cert_make(root_cn, p->root_key, NULL, NULL, NULL, 1, "20391231235959Z");
    p->ca = cert_make(ca_cn, p->ca_key, p->root, p->root_key, NULL, 2, "20341231235959Z");
    p->leaf = cert_make(host, p->leaf_key, p->ca, p->ca_key, host, 3,
                        leaf_not_after ? leaf_not_after : "20291231235959Z");
}

static void
pki_clear(Pki *p)
{
    X509_free(p->root);
    X509_free(p->ca);
    X509_free(p->leaf);
    EVP_PKEY_free(p->root_key);
    EVP_PKEY_free(p->ca_key);
    EVP_PKEY_free(p->leaf_key);
}

/* ---- a small world: cache, model, trust store, diagnosis ---------------------------------- */

typedef struct World {
    CpLimits limits;
    CpAnomalies anomalies;
    CpCertCache *cache;
    CpModel *model;
    CpTrust *trust;
    CpDiagnosis *diag;
    char *ca_file; /* (nullable) temporary PEM of the anchors */
} World;

static void
world_init(World *w, uint64_t max_chain)
{
    memset(w, 0, sizeof *w);
    cp_limits_init_default(&w->limits);
    if (max_chain != 0)
        w->limits.max_chain_certs = max_chain;
    w->cache = cp_cert_cache_new(&w->limits, &w->anomalies);
    w->model = cp_model_new(&w->limits, NULL);
}

/* Trust store: no system CAs, only anchor (when not NULL). */
static void
world_trust(World *w, X509 *anchor)
{
    char *files[2] = { NULL, NULL };
    CpTrustOptions o = { .no_system_ca = true };
    GError *e = NULL;

    if (anchor != NULL) {
        int fd = g_file_open_tmp("test_diagnose_XXXXXX.pem", &w->ca_file, &e);
        CU_ASSERT_FATAL(fd >= 0);
        CU_ASSERT_FATAL(g_close(fd, NULL));
        FILE *f = fopen(w->ca_file, "w");
        CU_ASSERT_FATAL(f != NULL);
        CU_ASSERT_FATAL(PEM_write_X509(f, anchor) == 1);
        fclose(f);
        files[0] = w->ca_file;
        o.ca_files = files;
    }
    w->trust = cp_trust_new(&o, &e);
    CU_ASSERT_PTR_NULL(e);
    CU_ASSERT_FATAL(w->trust != NULL);
}

/* One handshake from 10.1.9.1 to 10.1.0.<last>:port whose Certificate message kept chain[0..n)
 * and dropped `dropped` certificates; conflict: its TCP overlaps carried different bytes. */
static void
world_add(World *w, uint8_t last, uint16_t port, const char *sni, X509 *const *chain, size_t n,
          size_t dropped, bool conflict)
{
    CpHandshake h;

    cp_handshake_init(&h);
    h.ts_ns = CAPTURE_NS;
    h.client.family = h.server.family = 4;
    h.client.bytes[0] = h.server.bytes[0] = 10;
    h.client.bytes[1] = h.server.bytes[1] = 1;
    h.client.bytes[2] = 9;
    h.client.bytes[3] = 1;
    h.server.bytes[3] = last;
    h.client_port = 50000;
    h.server_port = port;
    h.sni = sni ? g_strdup(sni) : NULL;
    h.has_client_hello = h.has_server_hello = true;
    h.version = 0x0303;
    h.cipher = 0xc02f;
    h.has_chain = true;
    for (size_t i = 0; i < n; i++) {
        unsigned char *der = NULL;
        int len = i2d_X509(chain[i], &der);
        CpChainLink link;
        bool is_new;
        CU_ASSERT_FATAL(len > 0);
        link.cert = cp_cert_cache_get(w->cache, der, (size_t)len, &is_new, link.sha1);
        CU_ASSERT_FATAL(link.cert != NULL);
        g_array_append_val(h.chain, link);
        OPENSSL_free(der);
    }
    h.certs_dropped = dropped;
    h.overlap_conflict = conflict;
    CU_ASSERT_FATAL(cp_model_add(w->model, &h));
    cp_handshake_clear(&h);
}

static const CpDiagnosis *
world_diagnose(World *w)
{
    CpDiagOptions o = { 0 };

    if (w->trust == NULL)
        world_trust(w, NULL);
    w->diag = cp_diagnose(w->model, w->cache, w->trust, &o);
    CU_ASSERT_FATAL(w->diag != NULL);
    return w->diag;
}

static void
world_clear(World *w)
{
    cp_diagnosis_free(w->diag);
    cp_trust_free(w->trust);
    cp_model_free(w->model);
    cp_cert_cache_free(w->cache);
    if (w->ca_file != NULL)
        g_unlink(w->ca_file);
    g_free(w->ca_file);
}

static const CpFinding *
finding(const CpDiagnosis *d, CpFindingCode code)
{
    for (guint i = 0; i < d->findings->len; i++) {
        const CpFinding *f = d->findings->pdata[i];
        if (f->code == code)
            return f;
    }
    return NULL;
}

static const CpServer *
server_at(World *w, guint i)
{
    GPtrArray *s = cp_model_servers(w->model);

    CU_ASSERT_FATAL(i < s->len);
    return s->pdata[i];
}

/* ---- the registry ------------------------------------------------------------------------ */

static void
registry_codes_unique_named_and_round_trip(void)
{
    for (int i = 0; i < CP_FINDING__COUNT; i++) {
        CpFindingCode c = (CpFindingCode)i;
        const char *name = cp_finding_code_name(c);
        CU_ASSERT_STRING_NOT_EQUAL(name, "unknown");
        CU_ASSERT_TRUE(name[0] != '\0' &&
                       strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-") == strlen(name));
        CU_ASSERT_TRUE(cp_finding_title(c)[0] != '\0');
        CU_ASSERT_TRUE(cp_finding_severity(c) <= CP_SEV_ERROR);
        CU_ASSERT_EQUAL(cp_finding_code_from_name(name), c);
        for (int j = 0; j < i; j++)
            CU_ASSERT_STRING_NOT_EQUAL(cp_finding_code_name((CpFindingCode)j), name);
    }
    CU_ASSERT_STRING_EQUAL(cp_finding_code_name(CP_FINDING__COUNT), "unknown");
    CU_ASSERT_EQUAL(cp_finding_code_from_name("no-such-finding"), CP_FINDING__COUNT);
    CU_ASSERT_EQUAL(cp_finding_code_from_name(NULL), CP_FINDING__COUNT);
}

static void
registry_keeps_stable_codes_and_severities(void)
{
    /* R15: codes are API. A renamed or re-graded finding must fail here. */
    CU_ASSERT_STRING_EQUAL(cp_finding_code_name(CP_FINDING_CA_MISMATCH), "ca-mismatch");
    CU_ASSERT_STRING_EQUAL(cp_finding_code_name(CP_FINDING_MISSING_INTERMEDIATE),
                           "missing-intermediate");
    CU_ASSERT_STRING_EQUAL(cp_finding_code_name(CP_FINDING_INCOMPLETE_EVIDENCE),
                           "incomplete-evidence");
    CU_ASSERT_EQUAL(cp_finding_severity(CP_FINDING_MISSING_INTERMEDIATE), CP_SEV_ERROR);
    CU_ASSERT_EQUAL(cp_finding_severity(CP_FINDING_INCOMPLETE_EVIDENCE), CP_SEV_WARNING);
    CU_ASSERT_EQUAL(cp_finding_severity(CP_FINDING_CHAIN_ORDER), CP_SEV_INFO);
    CU_ASSERT_STRING_EQUAL(cp_severity_name(CP_SEV_WARNING), "warning");
}

/* ---- the model --------------------------------------------------------------------------- */

static void
model_add_folds_dropped_certs_cut_and_conflicts(void)
{
    Pki p;
    World w;

    pki_init(&p, "Contoso", "mail.contoso.com", NULL);
    world_init(&w, 2);
    X509 *full[] = { p.leaf, p.ca };
    world_add(&w, 20, 443, "mail.contoso.com", full, 2, 1, false); /* at --max-chain: the tail */
    world_add(&w, 20, 443, "mail.contoso.com", full, 2, 3, true);
    world_add(&w, 20, 443, "mail.contoso.com", full, 1, 1, false); /* under it: oversized */
    world_add(&w, 20, 443, "mail.contoso.com", full, 0, 2, false); /* nothing kept */
    const CpServer *s = server_at(&w, 0);
    CU_ASSERT_EQUAL_FATAL(s->chains->len, 2);
    const CpSeenChain *two = s->chains->pdata[0], *one = s->chains->pdata[1];
    CU_ASSERT_EQUAL(two->count, 2);
    CU_ASSERT_EQUAL(two->certs_dropped, 3);
    CU_ASSERT_EQUAL(two->cut, CP_CHAIN_CUT_MAX_CHAIN);
    CU_ASSERT_EQUAL(two->conflicts, 1);
    CU_ASSERT_EQUAL(one->cut, CP_CHAIN_CUT_CERT_SIZE);
    CU_ASSERT_EQUAL(one->conflicts, 0);
    CU_ASSERT_EQUAL(s->chains_dropped, 1);
    CU_ASSERT_EQUAL(s->chains_dropped_cut, CP_CHAIN_CUT_CERT_SIZE);
    CU_ASSERT_EQUAL(s->handshakes, 4);
    world_clear(&w);
    pki_clear(&p);
}

static void
model_add_whole_chain_is_not_cut(void)
{
    Pki p;
    World w;

    pki_init(&p, "Contoso", "mail.contoso.com", NULL);
    world_init(&w, 2);
    X509 *full[] = { p.leaf, p.ca };
    world_add(&w, 20, 443, NULL, full, 2, 0, false); /* at the limit, nothing dropped */
    const CpSeenChain *ch = server_at(&w, 0)->chains->pdata[0];
    CU_ASSERT_EQUAL(ch->certs_dropped, 0);
    CU_ASSERT_EQUAL(ch->cut, CP_CHAIN_CUT_NONE);
    CU_ASSERT_EQUAL(server_at(&w, 0)->chains_dropped, 0);
    world_clear(&w);
    pki_clear(&p);
}

/* ---- per-server rules -------------------------------------------------------------------- */

static void
diagnose_leaf_with_unknown_issuer_is_missing_intermediate(void)
{
    Pki p;
    World w;

    pki_init(&p, "Contoso", "mail.contoso.com", NULL);
    world_init(&w, 0);
    world_trust(&w, p.root);
    world_add(&w, 20, 443, "mail.contoso.com", &p.leaf, 1, 0, false);
    const CpDiagnosis *d = world_diagnose(&w);
    const CpFinding *f = finding(d, CP_FINDING_MISSING_INTERMEDIATE);
    REQUIRE(f);
    CU_ASSERT_EQUAL(f->severity, CP_SEV_ERROR);
    CU_ASSERT_EQUAL(f->servers->len, 1);
    CU_ASSERT_STRING_EQUAL(f->servers->pdata[0], "10.1.0.20:443");
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message->str, "Contoso Issuing CA"));
    CU_ASSERT_TRUE(f->remedy->len > 0);
    CU_ASSERT_EQUAL(f->handshakes, 1);
    CU_ASSERT_PTR_NULL(finding(d, CP_FINDING_INCOMPLETE_EVIDENCE));
    CU_ASSERT_EQUAL(d->worst, CP_SEV_ERROR);
    world_clear(&w);
    pki_clear(&p);
}

static void
diagnose_whole_chain_to_anchor_has_no_finding(void)
{
    Pki p;
    World w;

    pki_init(&p, "Contoso", "mail.contoso.com", NULL);
    world_init(&w, 0);
    world_trust(&w, p.root);
    X509 *full[] = { p.leaf, p.ca };
    world_add(&w, 20, 443, "mail.contoso.com", full, 2, 0, false);
    const CpDiagnosis *d = world_diagnose(&w);
    CU_ASSERT_EQUAL(d->findings->len, 0);
    world_clear(&w);
    pki_clear(&p);
}

static void
diagnose_chain_cut_by_max_chain_is_incomplete_not_missing_intermediate(void)
{
    Pki p;
    World w;

    pki_init(&p, "Contoso", "mail.contoso.com", NULL);
    world_init(&w, 1);
    world_trust(&w, p.root);
    world_add(&w, 20, 443, "mail.contoso.com", &p.leaf, 1, 1, false);
    world_add(&w, 20, 443, "mail.contoso.com", &p.leaf, 1, 1, false);
    const CpDiagnosis *d = world_diagnose(&w);
    const CpFinding *f = finding(d, CP_FINDING_INCOMPLETE_EVIDENCE);
    REQUIRE(f);
    CU_ASSERT_EQUAL(f->severity, CP_SEV_WARNING);
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message->str, "--max-chain 1"));
    CU_ASSERT_PTR_NOT_NULL(strstr(f->remedy->str, "--max-chain"));
    CU_ASSERT_STRING_EQUAL(f->servers->pdata[0], "10.1.0.20:443");
    CU_ASSERT_EQUAL(f->handshakes, 2);
    CU_ASSERT_PTR_NULL(finding(d, CP_FINDING_MISSING_INTERMEDIATE));
    CU_ASSERT_PTR_NULL(finding(d, CP_FINDING_UNTRUSTED_ROOT));
    CU_ASSERT_PTR_NULL(finding(d, CP_FINDING_CHAIN_ORDER));
    CU_ASSERT_EQUAL(d->worst, CP_SEV_WARNING);
    world_clear(&w);
    pki_clear(&p);
}

static void
diagnose_chain_cut_after_ca_gives_no_untrusted_root(void)
{
    Pki p;
    World w;

    /* The server sends leaf, CA, root; --max-chain 2 drops the root; no anchor. Uncut, the path
     * would end at the CA whose issuer is nowhere: untrusted-root. */
    pki_init(&p, "Contoso", "mail.contoso.com", NULL);
    world_init(&w, 2);
    X509 *full[] = { p.leaf, p.ca };
    world_add(&w, 20, 443, "mail.contoso.com", full, 2, 1, false);
    const CpDiagnosis *d = world_diagnose(&w);
    CU_ASSERT_PTR_NOT_NULL(finding(d, CP_FINDING_INCOMPLETE_EVIDENCE));
    CU_ASSERT_PTR_NULL(finding(d, CP_FINDING_UNTRUSTED_ROOT));
    CU_ASSERT_PTR_NULL(finding(d, CP_FINDING_MISSING_INTERMEDIATE));
    world_clear(&w);
    pki_clear(&p);
}

static void
diagnose_same_chain_uncut_gives_untrusted_root(void)
{
    Pki p;
    World w;

    /* The counterpart of the test above: the rule itself still fires on a whole chain. */
    pki_init(&p, "Contoso", "mail.contoso.com", NULL);
    world_init(&w, 2);
    X509 *full[] = { p.leaf, p.ca };
    world_add(&w, 20, 443, "mail.contoso.com", full, 2, 0, false);
    const CpDiagnosis *d = world_diagnose(&w);
    CU_ASSERT_PTR_NOT_NULL(finding(d, CP_FINDING_UNTRUSTED_ROOT));
    CU_ASSERT_PTR_NULL(finding(d, CP_FINDING_INCOMPLETE_EVIDENCE));
    world_clear(&w);
    pki_clear(&p);
}

static void
diagnose_chain_cut_by_cert_size_names_max_cert_size(void)
{
    Pki p;
    World w;

    pki_init(&p, "Contoso", "mail.contoso.com", NULL);
    world_init(&w, 0); /* --max-chain 16: one kept, one dropped means it was too large */
    world_trust(&w, p.root);
    world_add(&w, 20, 443, "mail.contoso.com", &p.leaf, 1, 1, false);
    const CpDiagnosis *d = world_diagnose(&w);
    const CpFinding *f = finding(d, CP_FINDING_INCOMPLETE_EVIDENCE);
    REQUIRE(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message->str, "--max-cert-size"));
    CU_ASSERT_PTR_NOT_NULL(strstr(f->remedy->str, "--max-cert-size"));
    CU_ASSERT_PTR_NULL(finding(d, CP_FINDING_MISSING_INTERMEDIATE));
    world_clear(&w);
    pki_clear(&p);
}

static void
diagnose_leaf_dropped_by_size_is_not_judged_as_leaf(void)
{
    Pki p;
    World w;

    /* The leaf was too large: the CA certificate comes first. It is not for mail.contoso.com,
     * but that says nothing about the server's own certificate. */
    pki_init(&p, "Contoso", "mail.contoso.com", NULL);
    world_init(&w, 0);
    world_trust(&w, p.root);
    world_add(&w, 20, 443, "mail.contoso.com", &p.ca, 1, 1, false);
    const CpDiagnosis *d = world_diagnose(&w);
    CU_ASSERT_PTR_NOT_NULL(finding(d, CP_FINDING_INCOMPLETE_EVIDENCE));
    CU_ASSERT_PTR_NULL(finding(d, CP_FINDING_NAME_MISMATCH));
    world_clear(&w);
    pki_clear(&p);
}

static void
diagnose_cut_chain_still_reports_expired_leaf(void)
{
    Pki p;
    World w;

    /* What was read still holds: an expired leaf is expired whatever was dropped after it. */
    pki_init(&p, "Contoso", "mail.contoso.com", "20241231235959Z");
    world_init(&w, 1);
    world_trust(&w, p.root);
    world_add(&w, 20, 443, "mail.contoso.com", &p.leaf, 1, 1, false);
    const CpDiagnosis *d = world_diagnose(&w);
    const CpFinding *f = finding(d, CP_FINDING_EXPIRED);
    REQUIRE(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message->str, "The server certificate"));
    CU_ASSERT_PTR_NOT_NULL(finding(d, CP_FINDING_INCOMPLETE_EVIDENCE));
    world_clear(&w);
    pki_clear(&p);
}

static void
diagnose_every_certificate_dropped_is_incomplete(void)
{
    Pki p;
    World w;

    pki_init(&p, "Contoso", "mail.contoso.com", NULL);
    world_init(&w, 0);
    world_add(&w, 20, 443, "mail.contoso.com", NULL, 0, 2, false);
    const CpDiagnosis *d = world_diagnose(&w);
    const CpFinding *f = finding(d, CP_FINDING_INCOMPLETE_EVIDENCE);
    REQUIRE(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message->str, "--max-cert-size"));
    CU_ASSERT_EQUAL(f->handshakes, 1);
    CU_ASSERT_EQUAL(d->findings->len, 1);
    world_clear(&w);
    pki_clear(&p);
}

static void
diagnose_chain_seen_only_with_overlap_conflict_is_incomplete(void)
{
    Pki p;
    World w;

    pki_init(&p, "Contoso", "mail.contoso.com", NULL);
    world_init(&w, 0);
    world_trust(&w, p.root);
    world_add(&w, 20, 443, "mail.contoso.com", &p.leaf, 1, 0, true);
    const CpDiagnosis *d = world_diagnose(&w);
    const CpFinding *f = finding(d, CP_FINDING_INCOMPLETE_EVIDENCE);
    REQUIRE(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message->str, "tcp.overlap_conflict"));
    CU_ASSERT_PTR_NULL(finding(d, CP_FINDING_MISSING_INTERMEDIATE));
    world_clear(&w);
    pki_clear(&p);
}

static void
diagnose_chain_also_seen_clean_is_judged_despite_conflict(void)
{
    Pki p;
    World w;

    pki_init(&p, "Contoso", "mail.contoso.com", NULL);
    world_init(&w, 0);
    world_trust(&w, p.root);
    world_add(&w, 20, 443, "mail.contoso.com", &p.leaf, 1, 0, true);
    world_add(&w, 20, 443, "mail.contoso.com", &p.leaf, 1, 0, false);
    const CpDiagnosis *d = world_diagnose(&w);
    CU_ASSERT_PTR_NOT_NULL(finding(d, CP_FINDING_MISSING_INTERMEDIATE));
    CU_ASSERT_PTR_NULL(finding(d, CP_FINDING_INCOMPLETE_EVIDENCE));
    world_clear(&w);
    pki_clear(&p);
}

static void
diagnose_cut_servers_share_one_incomplete_finding(void)
{
    Pki p;
    World w;

    pki_init(&p, "Contoso", "mail.contoso.com", NULL);
    world_init(&w, 1);
    world_trust(&w, p.root);
    world_add(&w, 20, 443, "mail.contoso.com", &p.leaf, 1, 1, false);
    world_add(&w, 21, 443, "mail.contoso.com", &p.leaf, 1, 2, false);
    const CpDiagnosis *d = world_diagnose(&w);
    const CpFinding *f = finding(d, CP_FINDING_INCOMPLETE_EVIDENCE);
    REQUIRE(f);
    CU_ASSERT_EQUAL(f->servers->len, 2);
    CU_ASSERT_EQUAL(d->count[CP_SEV_WARNING], 1);
    world_clear(&w);
    pki_clear(&p);
}

/* ---- cross-server rules ------------------------------------------------------------------ */

/* Front end pool.contoso.com:5061 with a whole chain to its anchored root; Exchange
 * mail.contoso.com sends only its leaf, from another PKI whose CA is nowhere. */
static const CpDiagnosis *
lync_site(World *w, Pki *fe, Pki *ex, size_t exchange_dropped)
{
    pki_init(fe, "Contoso", "pool.contoso.com", NULL);
    pki_init(ex, "Public", "mail.contoso.com", NULL);
    world_init(w, exchange_dropped > 0 ? 1 : 0);
    world_trust(w, fe->root);
    X509 *fe_chain[] = { fe->leaf };
    if (exchange_dropped == 0) {
        X509 *whole[] = { fe->leaf, fe->ca };
        world_add(w, 10, 5061, "pool.contoso.com", whole, 2, 0, false);
    } else {
        /* --max-chain 1 also cuts the front end's chain; its CA is in the store's reach only
         * through the capture, so give it as another server's chain. */
        world_add(w, 10, 5061, "pool.contoso.com", fe_chain, 1, 1, false);
        world_add(w, 11, 443, "lyncdiscover.contoso.com", &fe->ca, 1, 0, false);
    }
    world_add(w, 20, 443, "mail.contoso.com", &ex->leaf, 1, exchange_dropped, false);
    return world_diagnose(w);
}

static void
ca_mismatch_exchange_path_to_other_root_is_reported(void)
{
    Pki fe, ex;
    World w;
    const CpDiagnosis *d = lync_site(&w, &fe, &ex, 0);

    CU_ASSERT_PTR_NOT_NULL(finding(d, CP_FINDING_CA_MISMATCH));
    CU_ASSERT_PTR_NOT_NULL(finding(d, CP_FINDING_MISSING_INTERMEDIATE));
    world_clear(&w);
    pki_clear(&fe);
    pki_clear(&ex);
}

static void
ca_mismatch_not_built_from_cut_exchange_chain(void)
{
    Pki fe, ex;
    World w;
    const CpDiagnosis *d = lync_site(&w, &fe, &ex, 1);

    CU_ASSERT_PTR_NULL(finding(d, CP_FINDING_CA_MISMATCH));
    CU_ASSERT_PTR_NULL(finding(d, CP_FINDING_MISSING_INTERMEDIATE));
    CU_ASSERT_PTR_NOT_NULL(finding(d, CP_FINDING_INCOMPLETE_EVIDENCE));
    world_clear(&w);
    pki_clear(&fe);
    pki_clear(&ex);
}

static CU_TestInfo tests[] = {
    { "registry_codes_unique_named_and_round_trip", registry_codes_unique_named_and_round_trip },
    { "registry_keeps_stable_codes_and_severities", registry_keeps_stable_codes_and_severities },
    { "model_add_folds_dropped_certs_cut_and_conflicts",
      model_add_folds_dropped_certs_cut_and_conflicts },
    { "model_add_whole_chain_is_not_cut", model_add_whole_chain_is_not_cut },
    { "diagnose_leaf_with_unknown_issuer_is_missing_intermediate",
      diagnose_leaf_with_unknown_issuer_is_missing_intermediate },
    { "diagnose_whole_chain_to_anchor_has_no_finding",
      diagnose_whole_chain_to_anchor_has_no_finding },
    { "diagnose_chain_cut_by_max_chain_is_incomplete_not_missing_intermediate",
      diagnose_chain_cut_by_max_chain_is_incomplete_not_missing_intermediate },
    { "diagnose_chain_cut_after_ca_gives_no_untrusted_root",
      diagnose_chain_cut_after_ca_gives_no_untrusted_root },
    { "diagnose_same_chain_uncut_gives_untrusted_root",
      diagnose_same_chain_uncut_gives_untrusted_root },
    { "diagnose_chain_cut_by_cert_size_names_max_cert_size",
      diagnose_chain_cut_by_cert_size_names_max_cert_size },
    { "diagnose_leaf_dropped_by_size_is_not_judged_as_leaf",
      diagnose_leaf_dropped_by_size_is_not_judged_as_leaf },
    { "diagnose_cut_chain_still_reports_expired_leaf",
      diagnose_cut_chain_still_reports_expired_leaf },
    { "diagnose_every_certificate_dropped_is_incomplete",
      diagnose_every_certificate_dropped_is_incomplete },
    { "diagnose_chain_seen_only_with_overlap_conflict_is_incomplete",
      diagnose_chain_seen_only_with_overlap_conflict_is_incomplete },
    { "diagnose_chain_also_seen_clean_is_judged_despite_conflict",
      diagnose_chain_also_seen_clean_is_judged_despite_conflict },
    { "diagnose_cut_servers_share_one_incomplete_finding",
      diagnose_cut_servers_share_one_incomplete_finding },
    { "ca_mismatch_exchange_path_to_other_root_is_reported",
      ca_mismatch_exchange_path_to_other_root_is_reported },
    { "ca_mismatch_not_built_from_cut_exchange_chain",
      ca_mismatch_not_built_from_cut_exchange_chain },
    CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
    return cp_test_main("diagnose", tests, argc, argv);
}
