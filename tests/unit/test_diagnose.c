/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests for analysis/diagnose: the finding registry, what the model folds from handshakes
 * (dropped certificates, conflicting overlaps), and the rules on small models built in memory.
 * Certificates are made here with OpenSSL (EC P-256, signed by their issuer) and parsed by the
 * project's x509 code through the certificate cache, as the pipeline does. */
#include <stdio.h>
#include <pthread.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "diag_world.h"
#include "harness.h"

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
    /* mail.contoso.com is the Exchange server: its cmdlet, not Lync's. */
    CU_ASSERT_PTR_NOT_NULL(strstr(f->remedy->str, "Enable-ExchangeCertificate"));
    CU_ASSERT_PTR_NULL(strstr(f->remedy->str, "Set-CsCertificate"));
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

/* ---- false alarms of the field (issue 10) ------------------------------------------------- */

static void
array_one_address_rsa_and_ecdsa_is_dual_certificate_not_array(void)
{
    Pki p;
    World w;

    pki_init(&p, "Contoso", "www.contoso.com", NULL);
    EVP_PKEY *rsa = EVP_RSA_gen(2048);
    REQUIRE(rsa);
    X509 *rsa_leaf = cert_make("www.contoso.com", rsa, p.ca, p.ca_key, "www.contoso.com", 9,
                               "20291231235959Z");
    world_init(&w, 0);
    world_trust(&w, p.root);
    X509 *a[] = { p.leaf, p.ca }, *b[] = { rsa_leaf, p.ca };
    world_add(&w, 30, 443, "www.contoso.com", a, 2, 0, false);
    world_add(&w, 30, 443, "www.contoso.com", b, 2, 0, false);
    const CpDiagnosis *d = world_diagnose(&w);
    CU_ASSERT_PTR_NULL(finding(d, CP_FINDING_ARRAY_MISMATCH));
    const CpFinding *f = finding(d, CP_FINDING_DUAL_CERTIFICATE);
    REQUIRE(f);
    CU_ASSERT_EQUAL(f->severity, CP_SEV_INFO);
    CU_ASSERT_EQUAL(f->certs->len, 2);
    CU_ASSERT_EQUAL(d->worst, CP_SEV_INFO);
    world_clear(&w);
    X509_free(rsa_leaf);
    EVP_PKEY_free(rsa);
    pki_clear(&p);
}

static void
array_one_address_newer_leaf_later_is_renewed(void)
{
    Pki p;
    World w;

    pki_init(&p, "Contoso", "www.contoso.com", NULL);
    EVP_PKEY *k2 = key_new();
    X509 *renewed = cert_make_full("www.contoso.com", k2, p.ca, p.ca_key, "DNS:www.contoso.com", 10,
                                   "20250110000000Z", "20301231235959Z");
    world_init(&w, 0);
    world_trust(&w, p.root);
    X509 *a[] = { p.leaf, p.ca }, *b[] = { renewed, p.ca };
    world_add_at(&w, CAPTURE_NS, 30, 443, "www.contoso.com", a, 2, 0, false);
    world_add_at(&w, CAPTURE_NS + UINT64_C(3600000000000), 30, 443, "www.contoso.com", b, 2, 0,
                 false);
    const CpDiagnosis *d = world_diagnose(&w);
    CU_ASSERT_PTR_NULL(finding(d, CP_FINDING_ARRAY_MISMATCH));
    CU_ASSERT_PTR_NULL(finding(d, CP_FINDING_DUAL_CERTIFICATE));
    const CpFinding *f = finding(d, CP_FINDING_RENEWED);
    REQUIRE(f);
    CU_ASSERT_EQUAL(f->severity, CP_SEV_INFO);
    world_clear(&w);
    X509_free(renewed);
    EVP_PKEY_free(k2);
    pki_clear(&p);
}

/* Unrelated servers with a product's default subject ("OpenVPN Server") are no array; the same
 * two leaves named for a host are. */
static void
array_needs_a_host_name_not_a_default_subject(void)
{
    const char *cns[] = { "OpenVPN Server", "vpn.contoso.com" };

    for (size_t i = 0; i < G_N_ELEMENTS(cns); i++) {
        Pki p;
        World w;
        pki_init(&p, "Contoso", "www.contoso.com", NULL);
        EVP_PKEY *k2 = key_new();
        X509 *l1 = cert_make_full(cns[i], p.leaf_key, p.ca, p.ca_key, "email:a@contoso.com", 21,
                                  "20240101000000Z", "20291231235959Z");
        X509 *l2 = cert_make_full(cns[i], k2, p.ca, p.ca_key, "email:b@contoso.com", 22,
                                  "20240101000000Z", "20291231235959Z");
        world_init(&w, 0);
        world_trust(&w, p.root);
        X509 *a[] = { l1, p.ca }, *b[] = { l2, p.ca };
        world_add(&w, 41, 443, NULL, a, 2, 0, false);
        world_add(&w, 42, 443, NULL, b, 2, 0, false);
        const CpDiagnosis *d = world_diagnose(&w);
        CU_ASSERT_EQUAL(count_code(d, CP_FINDING_ARRAY_MISMATCH), i == 0 ? 0 : 1);
        world_clear(&w);
        X509_free(l1);
        X509_free(l2);
        EVP_PKEY_free(k2);
        pki_clear(&p);
    }
}

static void
array_two_addresses_two_names_is_one_array_mismatch(void)
{
    Pki p;
    World w;

    pki_init(&p, "Contoso", "sip.contoso.com", NULL);
    EVP_PKEY *k2 = key_new();
    X509 *other = cert_make_full("sip.contoso.com", k2, p.ca, p.ca_key,
                                 "DNS:sip.contoso.com,DNS:access.contoso.com", 11,
                                 "20240101000000Z", "20291231235959Z");
    X509 *leaf2 = cert_make_full("sip.contoso.com", p.leaf_key, p.ca, p.ca_key,
                                 "DNS:sip.contoso.com,DNS:access.contoso.com", 12,
                                 "20240101000000Z", "20291231235959Z");
    world_init(&w, 0);
    world_trust(&w, p.root);
    X509 *a[] = { leaf2, p.ca }, *b[] = { other, p.ca };
    world_add(&w, 31, 443, "sip.contoso.com", a, 2, 0, false);
    world_add(&w, 31, 443, "access.contoso.com", a, 2, 0, false);
    world_add(&w, 32, 443, "sip.contoso.com", b, 2, 0, false);
    world_add(&w, 32, 443, "access.contoso.com", b, 2, 0, false);
    const CpDiagnosis *d = world_diagnose(&w);
    CU_ASSERT_EQUAL(count_code(d, CP_FINDING_ARRAY_MISMATCH), 1);
    const CpFinding *f = finding(d, CP_FINDING_ARRAY_MISMATCH);
    REQUIRE(f);
    CU_ASSERT_EQUAL(f->severity, CP_SEV_ERROR);
    CU_ASSERT_EQUAL(f->servers->len, 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message->str, "'access.contoso.com', 'sip.contoso.com'"));
    world_clear(&w);
    X509_free(other);
    X509_free(leaf2);
    EVP_PKEY_free(k2);
    pki_clear(&p);
}

static void
names_ip_literal_sni_without_ip_san_is_info_not_name_mismatch(void)
{
    Pki p;
    World w;

    pki_init(&p, "Contoso", "tr.contoso.com", NULL);
    world_init(&w, 0);
    world_trust(&w, p.root);
    X509 *a[] = { p.leaf, p.ca };
    world_add(&w, 40, 443, "10.1.0.40", a, 2, 0, false);
    const CpDiagnosis *d = world_diagnose(&w);
    CU_ASSERT_PTR_NULL(finding(d, CP_FINDING_NAME_MISMATCH));
    const CpFinding *f = finding(d, CP_FINDING_IP_LITERAL_SNI);
    REQUIRE(f);
    CU_ASSERT_EQUAL(f->severity, CP_SEV_INFO);
    CU_ASSERT_PTR_NULL(strstr(f->remedy->str, "New-ExchangeCertificate"));
    world_clear(&w);
    pki_clear(&p);
}

static void
names_ip_literal_sni_matching_ip_san_is_quiet(void)
{
    Pki p;
    World w;

    pki_init(&p, "Contoso", "tr.contoso.com", NULL);
    X509 *ip_leaf = cert_make_full("tr.contoso.com", p.leaf_key, p.ca, p.ca_key,
                                   "DNS:tr.contoso.com,IP:10.1.0.40", 13, "20240101000000Z",
                                   "20291231235959Z");
    world_init(&w, 0);
    world_trust(&w, p.root);
    X509 *a[] = { ip_leaf, p.ca };
    world_add(&w, 40, 443, "10.1.0.40", a, 2, 0, false);
    const CpDiagnosis *d = world_diagnose(&w);
    CU_ASSERT_EQUAL(d->findings->len, 0);
    world_clear(&w);
    X509_free(ip_leaf);
    pki_clear(&p);
}

static void
names_dns_sni_mismatch_is_still_name_mismatch(void)
{
    Pki p;
    World w;

    pki_init(&p, "Contoso", "tr.contoso.com", NULL);
    world_init(&w, 0);
    world_trust(&w, p.root);
    X509 *a[] = { p.leaf, p.ca };
    world_add(&w, 40, 443, "mail.contoso.com", a, 2, 0, false);
    const CpDiagnosis *d = world_diagnose(&w);
    CU_ASSERT_PTR_NOT_NULL(finding(d, CP_FINDING_NAME_MISMATCH));
    CU_ASSERT_PTR_NULL(finding(d, CP_FINDING_IP_LITERAL_SNI));
    world_clear(&w);
    pki_clear(&p);
}

/* Root R; the issuing CA "Contoso Issuing CA" under two keys, both issued by R. */
static void
ca_renewed_same_name_new_key_same_root_is_info(void)
{
    Pki p;
    World w;

    pki_init(&p, "Contoso", "mail.contoso.com", NULL);
    EVP_PKEY *k2 = key_new(), *lk = key_new();
    X509 *ca2 =
            cert_make("Contoso Issuing CA", k2, p.root, p.root_key, NULL, 20, "20341231235959Z");
    X509 *leaf2 =
            cert_make("pool.contoso.com", lk, ca2, k2, "pool.contoso.com", 21, "20291231235959Z");
    world_init(&w, 0);
    world_trust(&w, p.root);
    X509 *a[] = { p.leaf, p.ca }, *b[] = { leaf2, ca2 };
    world_add(&w, 20, 443, "mail.contoso.com", a, 2, 0, false);
    world_add(&w, 10, 5061, "pool.contoso.com", b, 2, 0, false);
    const CpDiagnosis *d = world_diagnose(&w);
    CU_ASSERT_PTR_NULL(finding(d, CP_FINDING_SIMILAR_ISSUERS));
    const CpFinding *f = finding(d, CP_FINDING_CA_RENEWED);
    REQUIRE(f);
    CU_ASSERT_EQUAL(f->severity, CP_SEV_INFO);
    CU_ASSERT_EQUAL(f->servers->len, 2);
    world_clear(&w);
    X509_free(ca2);
    X509_free(leaf2);
    EVP_PKEY_free(k2);
    EVP_PKEY_free(lk);
    pki_clear(&p);
}

/* Four PKIs whose CAs read as one ("Contoso Issuing CA", "Contoso-Issuing-CA", ...): one
 * finding for the group, not six for the pairs. */
static void
similar_issuers_four_look_alikes_are_one_finding(void)
{
    static const char *const cns[] = { "Contoso Issuing CA", "Contoso-Issuing-CA",
                                       "contoso issuing ca", "Contoso Issuing, CA" };
    EVP_PKEY *keys[4][3];
    X509 *certs[4][3];
    World w;

    world_init(&w, 0);
    for (int i = 0; i < 4; i++) {
        g_autofree char *root_cn = g_strdup_printf("Root %d", i);
        g_autofree char *host = g_strdup_printf("s%d.contoso.com", i);
        for (int k = 0; k < 3; k++)
            keys[i][k] = key_new();
        certs[i][0] = cert_make(root_cn, keys[i][0], NULL, NULL, NULL, 1, "20391231235959Z");
        certs[i][1] =
                cert_make(cns[i], keys[i][1], certs[i][0], keys[i][0], NULL, 2, "20341231235959Z");
        certs[i][2] =
                cert_make(host, keys[i][2], certs[i][1], keys[i][1], host, 3, "20291231235959Z");
        X509 *chain[] = { certs[i][2], certs[i][1], certs[i][0] };
        world_add(&w, (uint8_t)(50 + i), 443, host, chain, 3, 0, false);
    }
    const CpDiagnosis *d = world_diagnose(&w);
    CU_ASSERT_EQUAL(count_code(d, CP_FINDING_SIMILAR_ISSUERS), 1);
    CU_ASSERT_PTR_NULL(finding(d, CP_FINDING_CA_RENEWED));
    const CpFinding *f = finding(d, CP_FINDING_SIMILAR_ISSUERS);
    REQUIRE(f);
    CU_ASSERT_EQUAL(f->servers->len, 4);
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message->str, "4 different CAs"));
    world_clear(&w);
    for (int i = 0; i < 4; i++)
        for (int k = 0; k < 3; k++) {
            X509_free(certs[i][k]);
            EVP_PKEY_free(keys[i][k]);
        }
}

static void
issuer_unknown_without_user_ca_is_not_missing_intermediate(void)
{
    Pki p;
    World w;

    /* A single-tier lab: the leaf's issuer is the root, which certpath was not given. */
    pki_init(&p, "Contoso", "pool.contoso.com", NULL);
    world_init(&w, 0);
    world_trust(&w, NULL);
    world_add(&w, 10, 5061, "pool.contoso.com", &p.leaf, 1, 0, false);
    const CpDiagnosis *d = world_diagnose(&w);
    CU_ASSERT_PTR_NULL(finding(d, CP_FINDING_MISSING_INTERMEDIATE));
    const CpFinding *f = finding(d, CP_FINDING_ISSUER_UNKNOWN);
    REQUIRE(f);
    CU_ASSERT_EQUAL(f->severity, CP_SEV_WARNING);
    CU_ASSERT_PTR_NOT_NULL(strstr(f->remedy->str, "--ca-file"));
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message->str, "your own root CA"));
    /* An issuer known only by name is not listed as a CA with no thumbprint. */
    for (guint i = 0; i < d->cas->len; i++)
        CU_ASSERT_TRUE(((const CpCaSeen *)d->cas->pdata[i])->sha1[0] != '\0');
    world_clear(&w);
    pki_clear(&p);
}

static void
ca_file_intermediate_is_known_not_anchor_and_still_missing(void)
{
    Pki p;
    World w;

    /* --ca-file with the issuing CA (not self-signed): the server still omits it. */
    pki_init(&p, "Contoso", "mail.contoso.com", NULL);
    world_init(&w, 0);
    world_trust(&w, p.ca);
    world_add(&w, 20, 443, "mail.contoso.com", &p.leaf, 1, 0, false);
    const CpDiagnosis *d = world_diagnose(&w);
    const CpFinding *f = finding(d, CP_FINDING_MISSING_INTERMEDIATE);
    REQUIRE(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message->str, "Contoso Issuing CA"));
    CU_ASSERT_TRUE(d->worst == CP_SEV_ERROR);
    const CpServerDiag *sd = d->servers->pdata[0];
    const CpPath *path = sd->paths->pdata[0];
    REQUIRE(path);
    for (guint i = 0; i < path->certs->len; i++)
        CU_ASSERT_FALSE(g_array_index(path->certs, CpPathCert, i).is_anchor);
    world_clear(&w);
    pki_clear(&p);
}

/* A public chain of 2014 whose root (sent) expired in 2018: valid at capture time. */
static void
root_expired_since_capture_is_root_retired_info(void)
{
    EVP_PKEY *rk = key_new(), *ck = key_new(), *lk = key_new();
    X509 *root = cert_make_full("Old Public Root", rk, NULL, NULL, NULL, 1, "20080101000000Z",
                                "20180101000000Z");
    X509 *ca = cert_make_full("Old Public CA", ck, root, rk, NULL, 2, "20100101000000Z",
                              "20171231000000Z");
    X509 *leaf = cert_make_full("www.example.com", lk, ca, ck, "DNS:www.example.com", 3,
                                "20140101000000Z", "20150101000000Z");
    World w;

    world_init(&w, 0);
    X509 *chain[] = { leaf, ca, root };
    world_add_at(&w, UINT64_C(1400000000) * 1000000000u, 60, 443, "www.example.com", chain, 3, 0,
                 false);
    const CpDiagnosis *d = world_diagnose(&w);
    CU_ASSERT_PTR_NULL(finding(d, CP_FINDING_UNTRUSTED_ROOT));
    const CpFinding *f = finding(d, CP_FINDING_ROOT_RETIRED);
    REQUIRE(f);
    CU_ASSERT_EQUAL(f->severity, CP_SEV_INFO);
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message->str, "valid at capture time"));
    world_clear(&w);
    X509_free(root);
    X509_free(ca);
    X509_free(leaf);
    EVP_PKEY_free(rk);
    EVP_PKEY_free(ck);
    EVP_PKEY_free(lk);
}

static void
root_still_valid_and_not_anchor_stays_untrusted_root(void)
{
    Pki p;
    World w;

    pki_init(&p, "Contoso", "mail.contoso.com", NULL);
    world_init(&w, 0);
    X509 *chain[] = { p.leaf, p.ca, p.root };
    world_add(&w, 20, 443, "mail.contoso.com", chain, 3, 0, false);
    const CpDiagnosis *d = world_diagnose(&w);
    CU_ASSERT_PTR_NOT_NULL(finding(d, CP_FINDING_UNTRUSTED_ROOT));
    CU_ASSERT_PTR_NULL(finding(d, CP_FINDING_ROOT_RETIRED));
    world_clear(&w);
    pki_clear(&p);
}

static void
outcome_nothing_seen_or_evidence_lost_is_inconclusive(void)
{
    Pki p;
    World w;
    CpSeen seen = { 0 };

    pki_init(&p, "Contoso", "mail.contoso.com", NULL);
    world_init(&w, 0);
    world_trust(&w, p.root);
    const CpDiagnosis *empty = world_diagnose(&w);
    seen.servers = cp_model_servers(w.model);
    seen.anomalies = &w.anomalies;
    CU_ASSERT_EQUAL(cp_diag_outcome(empty, &seen), CP_OUTCOME_INCONCLUSIVE);
    cp_diagnosis_free(w.diag);
    X509 *a[] = { p.leaf, p.ca };
    world_add(&w, 20, 443, "mail.contoso.com", a, 2, 0, false);
    const CpDiagnosis *d = world_diagnose(&w);
    CU_ASSERT_EQUAL(cp_diag_outcome(d, &seen), CP_OUTCOME_CLEAN);
    w.anomalies.count[CP_ANOMALY_FLOW_EVICTED] = 1;
    CU_ASSERT_TRUE(cp_diag_evidence_incomplete(&w.anomalies));
    CU_ASSERT_EQUAL(cp_diag_outcome(d, &seen), CP_OUTCOME_INCONCLUSIVE);
    world_clear(&w);
    pki_clear(&p);
}

static void
outcome_warning_beats_incomplete_evidence(void)
{
    Pki p;
    World w;
    CpSeen seen = { 0 };

    pki_init(&p, "Contoso", "mail.contoso.com", NULL);
    world_init(&w, 0);
    world_add(&w, 20, 443, "mail.contoso.com", &p.leaf, 1, 0, false);
    const CpDiagnosis *d = world_diagnose(&w);
    seen.servers = cp_model_servers(w.model);
    seen.anomalies = &w.anomalies;
    w.anomalies.count[CP_ANOMALY_TCP_MEMCAP] = 1;
    CU_ASSERT_EQUAL(cp_diag_outcome(d, &seen), CP_OUTCOME_WARNING);
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

static void
wrong_intermediate_sent_says_to_remove_it(void)
{
    Pki p, q;
    World w;

    /* mail sends its leaf with another PKI's CA; its own CA is sent by the front end. */
    pki_init(&p, "Contoso", "mail.contoso.com", NULL);
    pki_init(&q, "Fabrikam", "www.fabrikam.com", NULL);
    world_init(&w, 0);
    world_trust(&w, p.root);
    X509 *wrong[] = { p.leaf, q.ca };
    world_add(&w, 20, 443, "mail.contoso.com", wrong, 2, 0, false);
    world_add(&w, 10, 5061, "pool.contoso.com", &p.ca, 1, 0, false);
    const CpDiagnosis *d = world_diagnose(&w);
    const CpFinding *f = finding(d, CP_FINDING_MISSING_INTERMEDIATE);
    REQUIRE(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(f->remedy->str, "remove that CA"));
    CU_ASSERT_PTR_NOT_NULL(strstr(f->remedy->str, "Fabrikam Issuing CA"));
    world_clear(&w);
    pki_clear(&p);
    pki_clear(&q);
}

static void
ca_mismatch_unknown_root_names_issuer_without_placeholder(void)
{
    Pki fe, ex;
    World w;
    const CpDiagnosis *d = lync_site(&w, &fe, &ex, 0);
    const CpFinding *f = finding(d, CP_FINDING_CA_MISMATCH);

    REQUIRE(f);
    /* The Exchange's issuing CA was never seen: it is not called a root with a thumbprint. */
    CU_ASSERT_PTR_NULL(strstr(f->message->str, "the root 'CN=Public Issuing CA"));
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message->str, "whether it is the root"));
    CU_ASSERT_PTR_NOT_NULL(strstr(f->remedy->str, "Certification Path"));
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message->str, "may not trust"));
    CU_ASSERT_PTR_NULL(strstr(f->message->str, "trust only"));
    world_clear(&w);
    pki_clear(&fe);
    pki_clear(&ex);
}

static void
ca_mismatch_trusted_ca_applied_is_recorded(void)
{
    Pki fe, ex;
    World w;

    pki_init(&fe, "Contoso", "pool.contoso.com", NULL);
    pki_init(&ex, "Public", "mail.contoso.com", NULL);
    world_init(&w, 0);
    world_trust(&w, fe.root);
    X509 *fe_chain[] = { fe.leaf, fe.ca }, *ex_chain[] = { ex.leaf, ex.ca, ex.root };
    world_add(&w, 10, 5061, "pool.contoso.com", fe_chain, 2, 0, false);
    world_add(&w, 20, 443, "mail.contoso.com", ex_chain, 3, 0, false);
    const CpDiagnosis *plain = world_diagnose(&w);
    const CpFinding *f = finding(plain, CP_FINDING_CA_MISMATCH);
    REQUIRE(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(f->remedy->str, "-Thumbprint "));
    CU_ASSERT_EQUAL(plain->trusted_applied->len, 0);
    char root_sha1[41];
    const CpCert *rc = NULL;
    GPtrArray *all = cp_cert_cache_all(w.cache);
    for (guint i = 0; i < all->len; i++)
        if (strstr(((const CpCert *)all->pdata[i])->subject, "Public Root CA") != NULL)
            rc = all->pdata[i];
    REQUIRE(rc);
    g_strlcpy(root_sha1, rc->sha1, sizeof root_sha1);
    cp_diagnosis_free(w.diag);
    char *list[] = { root_sha1, NULL };
    CpDiagOptions o = { .trusted_ca = list };
    const CpDiagnosis *d = world_diagnose_opt(&w, &o);
    CU_ASSERT_PTR_NULL(finding(d, CP_FINDING_CA_MISMATCH));
    CU_ASSERT_EQUAL_FATAL(d->trusted_applied->len, 1);
    CU_ASSERT_STRING_EQUAL(d->trusted_applied->pdata[0], root_sha1);
    world_clear(&w);
    pki_clear(&fe);
    pki_clear(&ex);
}

/* ---- certificate properties (diagnose_cert.c) --------------------------------------------- */

/* What cert_custom puts in a certificate; NULL fields are left out. */
typedef struct Props {
    const char *subject;                /* "CN=..." one RDN, or "CN=...,O=..." */
    const char *san;                    /* "DNS:a,DNS:b" */
    const char *bc;                     /* basicConstraints */
    const char *ku;                     /* keyUsage */
    const char *eku;                    /* extendedKeyUsage */
    const char *not_before, *not_after; /* default 2024-01-01 .. 2029-12-31 */
    bool pss;                           /* sign with RSASSA-PSS (the issuer key must be RSA) */
} Props;

static X509_NAME *
name_parse(const char *dn)
{
    X509_NAME *n = X509_NAME_new();
    g_auto(GStrv) parts = g_strsplit(dn, ",", -1);

    for (char **p = parts; *p != NULL; p++) {
        char *eq = strchr(*p, '=');
        CU_ASSERT_FATAL(eq != NULL);
        *eq = '\0';
        CU_ASSERT_FATAL(X509_NAME_add_entry_by_txt(n, *p, MBSTRING_UTF8,
                                                   (const unsigned char *)eq + 1, -1, -1, 0) == 1);
    }
    return n;
}

static void
sign_pss(X509 *x, EVP_PKEY *key)
{
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;

    CU_ASSERT_FATAL(EVP_DigestSignInit(md, &pctx, EVP_sha256(), NULL, key) == 1);
    CU_ASSERT_FATAL(EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1);
    CU_ASSERT_FATAL(EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1);
    CU_ASSERT_FATAL(X509_sign_ctx(x, md) > 0);
    EVP_MD_CTX_free(md);
}

static X509 *
cert_custom(const Props *p, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key, long serial)
{
    X509 *x = X509_new();
    X509_NAME *name = name_parse(p->subject);
    X509V3_CTX ctx;

    CU_ASSERT_FATAL(X509_set_version(x, 2) == 1);
    CU_ASSERT_FATAL(ASN1_INTEGER_set(X509_get_serialNumber(x), serial) == 1);
    CU_ASSERT_FATAL(X509_set_subject_name(x, name) == 1);
    CU_ASSERT_FATAL(X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name) == 1);
    CU_ASSERT_FATAL(ASN1_TIME_set_string_X509(X509_getm_notBefore(x),
                                              p->not_before ? p->not_before : "20240101000000Z") ==
                    1);
    CU_ASSERT_FATAL(ASN1_TIME_set_string_X509(X509_getm_notAfter(x),
                                              p->not_after ? p->not_after : "20291231235959Z") ==
                    1);
    CU_ASSERT_FATAL(X509_set_pubkey(x, key) == 1);
    X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
    if (p->bc != NULL)
        add_ext(x, &ctx, NID_basic_constraints, p->bc);
    if (p->ku != NULL)
        add_ext(x, &ctx, NID_key_usage, p->ku);
    if (p->eku != NULL)
        add_ext(x, &ctx, NID_ext_key_usage, p->eku);
    if (p->san != NULL)
        add_ext(x, &ctx, NID_subject_alt_name, p->san);
    if (p->pss)
        sign_pss(x, issuer_key ? issuer_key : key);
    else
        CU_ASSERT_FATAL(X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()) > 0);
    X509_NAME_free(name);
    return x;
}

/* A CA (EC) and a server certificate with props under it, on 10.1.0.<last>:port asked for sni,
 * diagnosed with the CA as the only anchor. */
typedef struct Case {
    EVP_PKEY *ca_key, *leaf_key;
    X509 *ca, *leaf;
    World w;
} Case;

static const CpDiagnosis *
case_run(Case *c, const Props *leaf, EVP_PKEY *ca_key, EVP_PKEY *leaf_key, uint8_t last,
         uint16_t port, const char *sni, uint16_t cipher)
{
    Props ca = { .subject = "CN=Contoso Issuing CA,O=Contoso",
                 .bc = "critical,CA:TRUE",
                 .ku = "critical,keyCertSign,cRLSign" };

    c->ca_key = ca_key ? ca_key : key_new();
    c->leaf_key = leaf_key ? leaf_key : key_new();
    c->ca = cert_custom(&ca, c->ca_key, NULL, NULL, 1);
    c->leaf = cert_custom(leaf, c->leaf_key, c->ca, c->ca_key, 2);
    world_init(&c->w, 0);
    world_trust(&c->w, c->ca);
    c->w.cipher = cipher;
    world_add(&c->w, last, port, sni, &c->leaf, 1, 0, false);
    return world_diagnose(&c->w);
}

static void
case_clear(Case *c)
{
    world_clear(&c->w);
    X509_free(c->ca);
    X509_free(c->leaf);
    EVP_PKEY_free(c->ca_key);
    EVP_PKEY_free(c->leaf_key);
}

static void
wrong_purpose_leaf_without_server_auth_eku(void)
{
    Props bad = { .subject = "CN=www.contoso.com",
                  .san = "DNS:www.contoso.com",
                  .bc = "critical,CA:FALSE",
                  .ku = "critical,digitalSignature",
                  .eku = "clientAuth" };
    Props good = bad;
    good.eku = "serverAuth,clientAuth";
    Case c1, c2;

    const CpDiagnosis *d = case_run(&c1, &bad, NULL, NULL, 10, 443, "www.contoso.com", 0xc02b);
    const CpFinding *f = finding(d, CP_FINDING_WRONG_PURPOSE);
    REQUIRE(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message->str, "serverAuth"));
    CU_ASSERT_PTR_NOT_NULL(strstr(f->remedy->str, "Web Server template"));
    CU_ASSERT_EQUAL(f->severity, CP_SEV_ERROR);
    case_clear(&c1);
    d = case_run(&c2, &good, NULL, NULL, 10, 443, "www.contoso.com", 0xc02b);
    CU_ASSERT_EQUAL(count_code(d, CP_FINDING_WRONG_PURPOSE), 0);
    CU_ASSERT_EQUAL(d->findings->len, 0);
    case_clear(&c2);
}

static void
wrong_purpose_key_usage_follows_the_key_exchange(void)
{
    /* digitalSignature only: right for ECDHE_RSA, wrong for RSA key exchange. */
    Props p = { .subject = "CN=www.contoso.com",
                .san = "DNS:www.contoso.com",
                .bc = "critical,CA:FALSE",
                .ku = "critical,digitalSignature",
                .eku = "serverAuth" };
    Case c1, c2;

    const CpDiagnosis *d = case_run(&c1, &p, NULL, rsa_key(2048), 10, 443, "www.contoso.com",
                                    0x009c /* TLS_RSA_WITH_AES_128_GCM_SHA256 */);
    const CpFinding *f = finding(d, CP_FINDING_WRONG_PURPOSE);
    REQUIRE(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message->str, "Key Encipherment"));
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message->str, "TLS_RSA_WITH_AES_128_GCM_SHA256"));
    case_clear(&c1);
    d = case_run(&c2, &p, NULL, rsa_key(2048), 10, 443, "www.contoso.com", 0xc02f);
    CU_ASSERT_EQUAL(count_code(d, CP_FINDING_WRONG_PURPOSE), 0);
    case_clear(&c2);
}

static void
wrong_purpose_ca_without_ca_basic_constraints(void)
{
    Props root_p = { .subject = "CN=Contoso Root,O=Contoso",
                     .bc = "critical,CA:TRUE",
                     .ku = "critical,keyCertSign,cRLSign" };
    Props mid_p = { .subject = "CN=Contoso Issuing,O=Contoso", .bc = "critical,CA:FALSE" };
    Props leaf_p = { .subject = "CN=www.contoso.com",
                     .san = "DNS:www.contoso.com",
                     .bc = "critical,CA:FALSE",
                     .eku = "serverAuth" };
    g_autoptr(EVP_PKEY) rk = key_new();
    g_autoptr(EVP_PKEY) mk = key_new();
    g_autoptr(EVP_PKEY) lk = key_new();
    g_autoptr(X509) root = cert_custom(&root_p, rk, NULL, NULL, 1);
    g_autoptr(X509) mid = cert_custom(&mid_p, mk, root, rk, 2);
    g_autoptr(X509) leaf = cert_custom(&leaf_p, lk, mid, mk, 3);
    X509 *chain[] = { leaf, mid };
    World w;

    world_init(&w, 0);
    world_trust(&w, root);
    world_add(&w, 10, 443, "www.contoso.com", chain, 2, 0, false);
    const CpDiagnosis *d = world_diagnose(&w);
    const CpFinding *f = finding(d, CP_FINDING_WRONG_PURPOSE);
    REQUIRE(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message->str, "CN=Contoso Issuing"));
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message->str, "not a CA"));
    CU_ASSERT_EQUAL(count_code(d, CP_FINDING_WRONG_PURPOSE), 1);
    world_clear(&w);
}

static void
client_incompatible_wildcard_only_where_phones_connect(void)
{
    Props p = { .subject = "CN=pool.contoso.com",
                .san = "DNS:pool.contoso.com,DNS:*.contoso.com",
                .bc = "critical,CA:FALSE",
                .eku = "serverAuth" };
    Case fe, web;

    /* pool. on 5061: the front end, where Lync Phone Edition signs in. */
    const CpDiagnosis *d = case_run(&fe, &p, NULL, NULL, 10, 5061, "pool.contoso.com", 0xc02b);
    const CpFinding *f = finding(d, CP_FINDING_CLIENT_INCOMPATIBLE);
    REQUIRE(f);
    CU_ASSERT_EQUAL(f->severity, CP_SEV_WARNING);
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message->str, "wildcard"));
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message->str, "Lync Phone Edition"));
    case_clear(&fe);
    /* The same certificate on a web server of no Lync/Exchange role: no phone is expected. */
    Props w = p;
    w.subject = "CN=www.contoso.com";
    w.san = "DNS:www.contoso.com,DNS:*.contoso.com";
    d = case_run(&web, &w, NULL, NULL, 10, 443, "www.contoso.com", 0xc02b);
    CU_ASSERT_EQUAL(count_code(d, CP_FINDING_CLIENT_INCOMPATIBLE), 0);
    case_clear(&web);
}

static void
client_incompatible_pss_signature_on_exchange(void)
{
    Props p = { .subject = "CN=mail.contoso.com",
                .san = "DNS:mail.contoso.com",
                .bc = "critical,CA:FALSE",
                .eku = "serverAuth",
                .pss = true };
    Case c;

    /* An Exchange-like name alone (outlook.com on the Internet) serves no phone certpath sees. */
    const CpDiagnosis *d =
            case_run(&c, &p, rsa_key(2048), rsa_key(2048), 20, 443, "mail.contoso.com", 0xc02f);
    CU_ASSERT_EQUAL(count_code(d, CP_FINDING_CLIENT_INCOMPATIBLE), 0);
    /* Named Exchange by the user: Lync clients and phones of the site read its web services. */
    char selector[] = "10.1.0.20";
    CpRoleRule rule = { CP_ROLE_EXCHANGE, selector };
    CpDiagOptions o = { .rules = &rule, .n_rules = 1 };
    cp_diagnosis_free(c.w.diag);
    d = world_diagnose_opt(&c.w, &o);
    const CpFinding *f = finding(d, CP_FINDING_CLIENT_INCOMPATIBLE);
    REQUIRE(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message->str, "RSASSA-PSS"));
    CU_ASSERT_PTR_NOT_NULL(strstr(f->remedy->str, "AlternateSignatureAlgorithm"));
    case_clear(&c);
}

static void
client_incompatible_rsa_3072_on_front_end(void)
{
    Props p = { .subject = "CN=pool.contoso.com",
                .san = "DNS:pool.contoso.com",
                .bc = "critical,CA:FALSE",
                .eku = "serverAuth" };
    Case c;

    const CpDiagnosis *d =
            case_run(&c, &p, NULL, rsa_key(3072), 10, 5061, "pool.contoso.com", 0xc02f);
    const CpFinding *f = finding(d, CP_FINDING_CLIENT_INCOMPATIBLE);
    REQUIRE(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message->str, "3072-bit"));
    CU_ASSERT_EQUAL(count_code(d, CP_FINDING_WEAK_KEY), 0);
    case_clear(&c);
}

static void
capture_clock_far_behind_is_not_not_yet_valid(void)
{
    /* Capture 2025-01-15; a certificate from 2026-06-01 could not have been sent then. */
    Props far = { .subject = "CN=www.contoso.com",
                  .san = "DNS:www.contoso.com",
                  .bc = "critical,CA:FALSE",
                  .eku = "serverAuth",
                  .not_before = "20260601000000Z" };
    /* ... but one starting 10 days after the capture is a real not-yet-valid certificate. */
    Props near = far;
    near.not_before = "20250125000000Z";
    Case c1, c2;

    const CpDiagnosis *d = case_run(&c1, &far, NULL, NULL, 10, 443, "www.contoso.com", 0xc02b);
    CU_ASSERT_EQUAL(count_code(d, CP_FINDING_CAPTURE_CLOCK), 1);
    CU_ASSERT_EQUAL(count_code(d, CP_FINDING_NOT_YET_VALID), 0);
    CpDiagOptions at = { .has_at = true, .at_s = 1736935200 };
    cp_diagnosis_free(c1.w.diag);
    /* --at is the user's word for the time: dates are judged at it. */
    d = world_diagnose_opt(&c1.w, &at);
    CU_ASSERT_EQUAL(count_code(d, CP_FINDING_CAPTURE_CLOCK), 0);
    CU_ASSERT_EQUAL(count_code(d, CP_FINDING_NOT_YET_VALID), 1);
    case_clear(&c1);
    d = case_run(&c2, &near, NULL, NULL, 10, 443, "www.contoso.com", 0xc02b);
    CU_ASSERT_EQUAL(count_code(d, CP_FINDING_CAPTURE_CLOCK), 0);
    CU_ASSERT_EQUAL(count_code(d, CP_FINDING_NOT_YET_VALID), 1);
    case_clear(&c2);
}

static void
random_names_of_tor_are_info_not_name_mismatch(void)
{
    Props issuer_p = { .subject = "CN=www.xkgk7fdx362yyyxib.com", .bc = "critical,CA:TRUE" };
    Props leaf_p = { .subject = "CN=www.g6ghvisevf3ibuu5.net" };
    g_autoptr(EVP_PKEY) ik = key_new();
    g_autoptr(EVP_PKEY) lk = rsa_key(1024); /* Tor's link keys are 1024-bit RSA */
    g_autoptr(X509) issuer = cert_custom(&issuer_p, ik, NULL, NULL, 1);
    g_autoptr(X509) leaf = cert_custom(&leaf_p, lk, issuer, ik, 2);
    World w;

    world_init(&w, 0);
    world_add(&w, 10, 443, "www.ct7ctrgb6cr7.com", &leaf, 1, 0, false);
    /* A real host name against the same certificate is still a name fault. */
    world_add(&w, 11, 443, "www.example.org", &leaf, 1, 0, false);
    const CpDiagnosis *d = world_diagnose(&w);
    CU_ASSERT_EQUAL(count_code(d, CP_FINDING_RANDOM_NAMES), 1);
    CU_ASSERT_EQUAL(count_code(d, CP_FINDING_NAME_MISMATCH), 1);
    const CpFinding *f = finding(d, CP_FINDING_NAME_MISMATCH);
    REQUIRE(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message->str, "www.example.org"));
    /* The relay's issuer is its identity certificate, sent inside Tor's channel: not unknown on
     * the relay asked for a Tor name, unknown on the server asked for a real one. */
    f = finding(d, CP_FINDING_ISSUER_UNKNOWN);
    REQUIRE(f);
    CU_ASSERT_EQUAL(f->servers->len, 1);
    CU_ASSERT_STRING_EQUAL(f->servers->pdata[0], "10.1.0.11:443");
    /* Likewise the 1024-bit key: Tor's own size on the relay, a weak key on the other. */
    f = finding(d, CP_FINDING_WEAK_KEY);
    REQUIRE(f);
    CU_ASSERT_EQUAL(f->servers->len, 1);
    CU_ASSERT_STRING_EQUAL(f->servers->pdata[0], "10.1.0.11:443");
    world_clear(&w);
}

/* ---- the warnings on real captures: weak signatures, weak keys, unknown roots ------------- */

/* Signs x again with SHA-1 by key: what CAs did before 2017. */
static void
resign_sha1(X509 *x, EVP_PKEY *key)
{
    CU_ASSERT_FATAL(X509_sign(x, key, EVP_sha1()) > 0);
}

static bool
covers_cert(const CpFinding *f, X509 *x)
{
    unsigned char md[20];
    char hex[41];

    CU_ASSERT_FATAL(X509_digest(x, EVP_sha1(), md, NULL) == 1);
    for (int i = 0; i < 20; i++)
        g_snprintf(hex + 2 * i, 3, "%02X", md[i]);
    for (guint i = 0; i < f->certs->len; i++)
        if (g_ascii_strcasecmp(f->certs->pdata[i], hex) == 0)
            return true;
    return false;
}

static void
weak_signature_on_intermediate_not_on_root_self_signature(void)
{
    Pki p;
    World w;

    pki_init(&p, "Contoso", "mail.contoso.com", NULL);
    resign_sha1(p.root, p.root_key); /* a root's self-signature: no client checks it */
    resign_sha1(p.ca, p.root_key);   /* the intermediate's: every client checks it */
    world_init(&w, 0);
    world_trust(&w, p.root);
    X509 *chain[] = { p.leaf, p.ca, p.root };
    world_add(&w, 20, 443, "mail.contoso.com", chain, 3, 0, false);
    const CpDiagnosis *d = world_diagnose(&w);
    CU_ASSERT_EQUAL(count_code(d, CP_FINDING_WEAK_SIGNATURE), 1);
    CU_ASSERT_EQUAL(count_code(d, CP_FINDING_WEAK_SIGNATURE_OLD_CAPTURE), 0);
    const CpFinding *f = finding(d, CP_FINDING_WEAK_SIGNATURE);
    REQUIRE(f);
    CU_ASSERT_EQUAL(f->severity, CP_SEV_WARNING);
    CU_ASSERT_TRUE(covers_cert(f, p.ca));
    CU_ASSERT_FALSE(covers_cert(f, p.root));
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message->str, "The CA certificate"));
    CU_ASSERT_PTR_NOT_NULL(strstr(f->remedy->str, "parent CA"));
    world_clear(&w);
    pki_clear(&p);
}

static void
weak_signature_cross_certificate_off_the_trusted_path_is_quiet(void)
{
    /* The server sends leaf, issuing CA and a cross-certificate of its root signed with SHA-1 by
     * an older root. A client holding the new root stops there and never checks the
     * cross-signature; a client that only has the old root goes through it. */
    EVP_PKEY *ok = key_new(), *rk = key_new(), *ck = key_new(), *lk = key_new();
    X509 *old = cert_make("Contoso Old Root", ok, NULL, NULL, NULL, 1, "20391231235959Z");
    X509 *root = cert_make("Contoso Root CA", rk, NULL, NULL, NULL, 2, "20391231235959Z");
    X509 *cross = cert_make("Contoso Root CA", rk, old, ok, NULL, 3, "20391231235959Z");
    X509 *ca = cert_make("Contoso Issuing CA", ck, root, rk, NULL, 4, "20341231235959Z");
    X509 *leaf =
            cert_make("mail.contoso.com", lk, ca, ck, "mail.contoso.com", 5, "20291231235959Z");
    X509 *chain[] = { leaf, ca, cross };
    World w1, w2;

    resign_sha1(cross, ok);
    world_init(&w1, 0);
    world_trust(&w1, root);
    world_add(&w1, 20, 443, "mail.contoso.com", chain, 3, 0, false);
    const CpDiagnosis *d = world_diagnose(&w1);
    CU_ASSERT_EQUAL(count_code(d, CP_FINDING_WEAK_SIGNATURE), 0);
    world_clear(&w1);

    world_init(&w2, 0);
    world_trust(&w2, old);
    world_add(&w2, 20, 443, "mail.contoso.com", chain, 3, 0, false);
    d = world_diagnose(&w2);
    const CpFinding *f = finding(d, CP_FINDING_WEAK_SIGNATURE);
    REQUIRE(f);
    CU_ASSERT_TRUE(covers_cert(f, cross));
    world_clear(&w2);
    X509 *all[] = { old, root, cross, ca, leaf };
    for (size_t i = 0; i < G_N_ELEMENTS(all); i++)
        X509_free(all[i]);
    EVP_PKEY *keys[] = { ok, rk, ck, lk };
    for (size_t i = 0; i < G_N_ELEMENTS(keys); i++)
        EVP_PKEY_free(keys[i]);
}

/* A SHA-1 leaf issued in 2014 under an anchor, captured at capture_s (0: no clock). */
static const CpDiagnosis *
sha1_leaf_at(World *w, Pki *p, int64_t capture_s)
{
    p->root_key = key_new();
    p->ca_key = NULL;
    p->leaf_key = key_new();
    p->root = cert_make_full("Contoso Root CA", p->root_key, NULL, NULL, NULL, 1, "20100101000000Z",
                             "20391231235959Z");
    p->ca = NULL;
    p->leaf = cert_make_full("mail.contoso.com", p->leaf_key, p->root, p->root_key,
                             "DNS:mail.contoso.com", 2, "20140101000000Z", "20291231235959Z");
    resign_sha1(p->leaf, p->root_key);
    world_init(w, 0);
    world_trust(w, p->root);
    world_add_at(w, (uint64_t)capture_s * 1000000000u, 20, 443, "mail.contoso.com", &p->leaf, 1, 0,
                 false);
    return world_diagnose(w);
}

static void
weak_signature_in_a_capture_before_2017_is_a_note(void)
{
    Pki p1, p2, p3;
    World w1, w2, w3;

    /* 2015-06-01: clients accepted SHA-1 then. */
    const CpDiagnosis *d = sha1_leaf_at(&w1, &p1, 1433116800);
    CU_ASSERT_EQUAL(count_code(d, CP_FINDING_WEAK_SIGNATURE), 0);
    const CpFinding *f = finding(d, CP_FINDING_WEAK_SIGNATURE_OLD_CAPTURE);
    REQUIRE(f);
    CU_ASSERT_EQUAL(f->severity, CP_SEV_INFO);
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message->str, "2015-06-01"));
    CU_ASSERT_PTR_NOT_NULL(strstr(f->remedy->str, "Nothing to fix in an old capture"));
    CU_ASSERT_EQUAL(d->worst, CP_SEV_INFO);
    world_clear(&w1);
    pki_clear(&p1);
    /* 2018-06-01: refused by then. */
    d = sha1_leaf_at(&w2, &p2, 1527811200);
    CU_ASSERT_EQUAL(count_code(d, CP_FINDING_WEAK_SIGNATURE), 1);
    CU_ASSERT_EQUAL(count_code(d, CP_FINDING_WEAK_SIGNATURE_OLD_CAPTURE), 0);
    world_clear(&w2);
    pki_clear(&p2);
    /* No clock (1970): nothing dates it, the warning stays. */
    d = sha1_leaf_at(&w3, &p3, 62);
    CU_ASSERT_EQUAL(count_code(d, CP_FINDING_WEAK_SIGNATURE), 1);
    CU_ASSERT_EQUAL(count_code(d, CP_FINDING_WEAK_SIGNATURE_OLD_CAPTURE), 0);
    world_clear(&w3);
    pki_clear(&p3);
}

static void
weak_key_on_a_root_asks_to_renew_the_ca_not_the_server(void)
{
    EVP_PKEY *rk = rsa_key(1024), *lk = rsa_key(1024), *ok = key_new();
    X509 *root = cert_make("Contoso Root CA", rk, NULL, NULL, NULL, 1, "20391231235959Z");
    X509 *leaf =
            cert_make("mail.contoso.com", ok, root, rk, "mail.contoso.com", 2, "20291231235959Z");
    X509 *weak_leaf =
            cert_make("www.contoso.com", lk, root, rk, "www.contoso.com", 3, "20291231235959Z");
    World w;

    world_init(&w, 0);
    world_trust(&w, root);
    X509 *chain[] = { leaf, root };
    world_add(&w, 20, 443, "mail.contoso.com", chain, 2, 0, false);
    X509 *chain2[] = { weak_leaf, root };
    world_add(&w, 21, 443, "www.contoso.com", chain2, 2, 0, false);
    const CpDiagnosis *d = world_diagnose(&w);
    CU_ASSERT_EQUAL(count_code(d, CP_FINDING_WEAK_KEY), 2);
    for (guint i = 0; i < d->findings->len; i++) {
        const CpFinding *f = d->findings->pdata[i];
        if (f->code != CP_FINDING_WEAK_KEY)
            continue;
        if (covers_cert(f, root)) {
            CU_ASSERT_PTR_NOT_NULL(strstr(f->message->str, "The root certificate"));
            CU_ASSERT_PTR_NOT_NULL(strstr(f->remedy->str, "Renew the CA"));
            CU_ASSERT_PTR_NULL(strstr(f->remedy->str, "Request a new certificate"));
        } else {
            CU_ASSERT_TRUE(covers_cert(f, weak_leaf));
            CU_ASSERT_PTR_NOT_NULL(strstr(f->message->str, "The server certificate"));
            CU_ASSERT_PTR_NOT_NULL(strstr(f->remedy->str, "Request a new certificate"));
            CU_ASSERT_PTR_NOT_NULL(strstr(f->message->str, "KB 2661254"));
        }
    }
    world_clear(&w);
    X509_free(root);
    X509_free(leaf);
    X509_free(weak_leaf);
    EVP_PKEY_free(rk);
    EVP_PKEY_free(lk);
    EVP_PKEY_free(ok);
}

static void
untrusted_self_signed_server_certificate_is_not_called_a_root(void)
{
    Pki p;
    EVP_PKEY *k = key_new();
    X509 *self = cert_make_full("appliance.contoso.com", k, NULL, NULL, "DNS:appliance.contoso.com",
                                7, "20240101000000Z", "20291231235959Z");
    World w;

    pki_init(&p, "Lab", "www.lab.test", NULL);
    world_init(&w, 0);
    world_add(&w, 30, 443, "appliance.contoso.com", &self, 1, 0, false);
    X509 *chain[] = { p.leaf, p.ca, p.root };
    world_add(&w, 31, 443, "www.lab.test", chain, 3, 0, false);
    const CpDiagnosis *d = world_diagnose(&w);
    CU_ASSERT_EQUAL(count_code(d, CP_FINDING_UNTRUSTED_ROOT), 2);
    for (guint i = 0; i < d->findings->len; i++) {
        const CpFinding *f = d->findings->pdata[i];
        if (f->code != CP_FINDING_UNTRUSTED_ROOT)
            continue;
        bool appliance = covers_cert(f, self);
        CU_ASSERT_EQUAL(strstr(f->message->str, "presents the self-signed certificate") != NULL,
                        appliance);
        CU_ASSERT_EQUAL(strstr(f->message->str, "self-signed root") != NULL, !appliance);
        CU_ASSERT_PTR_NOT_NULL(strstr(f->remedy->str, "--ca-file"));
        CU_ASSERT_PTR_NOT_NULL(strstr(f->remedy->str, "--export-certs"));
    }
    world_clear(&w);
    X509_free(self);
    EVP_PKEY_free(k);
    pki_clear(&p);
}

static void
issuer_unknown_tells_how_to_give_certpath_a_pem_root(void)
{
    Pki p;
    World w;

    pki_init(&p, "Test", "www.test.example", NULL);
    world_init(&w, 0);
    world_add(&w, 40, 443, "www.test.example", &p.leaf, 1, 0, false);
    const CpDiagnosis *d = world_diagnose(&w);
    const CpFinding *f = finding(d, CP_FINDING_ISSUER_UNKNOWN);
    REQUIRE(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(f->remedy->str, "--ca-file"));
    CU_ASSERT_PTR_NOT_NULL(strstr(f->remedy->str, "certutil -encode"));
    CU_ASSERT_PTR_NULL(strstr(f->remedy->str, "public"));
    world_clear(&w);
    pki_clear(&p);
}

/* Two diagnoses on two threads with one trust store (as live capture once did: a snapshot on its
 * thread, a SIGUSR1 report on the clock thread): OpenSSL's store lookups, the signature memo and
 * the shared paths are then used by two threads at once. A fresh trust each round, many distinct
 * trusted links and two threads released together: run-all's ThreadSanitizer step fails this test
 * when path building is not serialised (it judges by happens-before, not by a collision); here
 * every diagnosis must still find every path trusted. */
typedef struct {
    CpModel *model;
    CpCertCache *certs;
    CpTrust *trust;
    pthread_barrier_t *start;
    unsigned untrusted;
} SharedTrustJob;

static gpointer
shared_trust_job(gpointer data)
{
    SharedTrustJob *j = data;
    CpDiagOptions o = { 0 };

    pthread_barrier_wait(j->start);
    CpDiagnosis *d = cp_diagnose(j->model, j->certs, j->trust, &o);
    j->untrusted = count_code(d, CP_FINDING_UNTRUSTED_ROOT) +
                   count_code(d, CP_FINDING_ISSUER_UNKNOWN) +
                   count_code(d, CP_FINDING_MISSING_INTERMEDIATE);
    cp_diagnosis_free(d);
    return NULL;
}

static void
one_trust_shared_by_two_diagnosing_threads(void)
{
    enum { LEAVES = 200, ROUNDS = 3 };

    World w;
    Pki p;

    world_init(&w, 0);
    pki_init(&p, "Contoso", "mail.contoso.com", NULL);
    world_trust(&w, p.root);
    for (int i = 0; i < LEAVES; i++) {
        g_autofree char *host = g_strdup_printf("s%d.contoso.com", i);
        g_autoptr(X509) leaf =
                cert_make(host, p.leaf_key, p.ca, p.ca_key, host, 100 + i, "20291231235959Z");
        X509 *chain[] = { leaf, p.ca };
        world_add(&w, (uint8_t)(1 + i % 200), (uint16_t)(443 + i / 200), host, chain, 2, 0, false);
    }
    char *files[] = { w.ca_file, NULL };
    CpTrustOptions to = { .no_system_ca = true, .ca_files = files };
    for (int r = 0; r < ROUNDS; r++) {
        GError *e = NULL;
        CpTrust *t = cp_trust_new(&to, &e);
        REQUIRE(t);
        pthread_barrier_t start;
        pthread_barrier_init(&start, NULL, 2);
        SharedTrustJob jobs[2];
        GThread *th[2];
        for (int k = 0; k < 2; k++) {
            jobs[k] = (SharedTrustJob){ cp_model_snapshot(w.model), cp_cert_cache_snapshot(w.cache),
                                        t, &start, 1 };
            th[k] = g_thread_new("diag", shared_trust_job, &jobs[k]);
        }
        for (int k = 0; k < 2; k++) {
            g_thread_join(th[k]);
            CU_ASSERT_EQUAL(jobs[k].untrusted, 0);
            cp_model_free(jobs[k].model);
            cp_cert_cache_free(jobs[k].certs);
        }
        pthread_barrier_destroy(&start);
        cp_trust_free(t);
    }
    pki_clear(&p);
    world_clear(&w);
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
    { "array_one_address_rsa_and_ecdsa_is_dual_certificate_not_array",
      array_one_address_rsa_and_ecdsa_is_dual_certificate_not_array },
    { "array_one_address_newer_leaf_later_is_renewed",
      array_one_address_newer_leaf_later_is_renewed },
    { "array_needs_a_host_name_not_a_default_subject",
      array_needs_a_host_name_not_a_default_subject },
    { "array_two_addresses_two_names_is_one_array_mismatch",
      array_two_addresses_two_names_is_one_array_mismatch },
    { "names_ip_literal_sni_without_ip_san_is_info_not_name_mismatch",
      names_ip_literal_sni_without_ip_san_is_info_not_name_mismatch },
    { "names_ip_literal_sni_matching_ip_san_is_quiet",
      names_ip_literal_sni_matching_ip_san_is_quiet },
    { "names_dns_sni_mismatch_is_still_name_mismatch",
      names_dns_sni_mismatch_is_still_name_mismatch },
    { "ca_renewed_same_name_new_key_same_root_is_info",
      ca_renewed_same_name_new_key_same_root_is_info },
    { "similar_issuers_four_look_alikes_are_one_finding",
      similar_issuers_four_look_alikes_are_one_finding },
    { "issuer_unknown_without_user_ca_is_not_missing_intermediate",
      issuer_unknown_without_user_ca_is_not_missing_intermediate },
    { "ca_file_intermediate_is_known_not_anchor_and_still_missing",
      ca_file_intermediate_is_known_not_anchor_and_still_missing },
    { "root_expired_since_capture_is_root_retired_info",
      root_expired_since_capture_is_root_retired_info },
    { "root_still_valid_and_not_anchor_stays_untrusted_root",
      root_still_valid_and_not_anchor_stays_untrusted_root },
    { "outcome_nothing_seen_or_evidence_lost_is_inconclusive",
      outcome_nothing_seen_or_evidence_lost_is_inconclusive },
    { "outcome_warning_beats_incomplete_evidence", outcome_warning_beats_incomplete_evidence },
    { "wrong_intermediate_sent_says_to_remove_it", wrong_intermediate_sent_says_to_remove_it },
    { "ca_mismatch_unknown_root_names_issuer_without_placeholder",
      ca_mismatch_unknown_root_names_issuer_without_placeholder },
    { "ca_mismatch_trusted_ca_applied_is_recorded", ca_mismatch_trusted_ca_applied_is_recorded },
    { "wrong_purpose_leaf_without_server_auth_eku", wrong_purpose_leaf_without_server_auth_eku },
    { "wrong_purpose_key_usage_follows_the_key_exchange",
      wrong_purpose_key_usage_follows_the_key_exchange },
    { "wrong_purpose_ca_without_ca_basic_constraints",
      wrong_purpose_ca_without_ca_basic_constraints },
    { "client_incompatible_wildcard_only_where_phones_connect",
      client_incompatible_wildcard_only_where_phones_connect },
    { "client_incompatible_pss_signature_on_exchange",
      client_incompatible_pss_signature_on_exchange },
    { "client_incompatible_rsa_3072_on_front_end", client_incompatible_rsa_3072_on_front_end },
    { "capture_clock_far_behind_is_not_not_yet_valid",
      capture_clock_far_behind_is_not_not_yet_valid },
    { "random_names_of_tor_are_info_not_name_mismatch",
      random_names_of_tor_are_info_not_name_mismatch },
    { "one_trust_shared_by_two_diagnosing_threads", one_trust_shared_by_two_diagnosing_threads },
    { "weak_signature_on_intermediate_not_on_root_self_signature",
      weak_signature_on_intermediate_not_on_root_self_signature },
    { "weak_signature_cross_certificate_off_the_trusted_path_is_quiet",
      weak_signature_cross_certificate_off_the_trusted_path_is_quiet },
    { "weak_signature_in_a_capture_before_2017_is_a_note",
      weak_signature_in_a_capture_before_2017_is_a_note },
    { "weak_key_on_a_root_asks_to_renew_the_ca_not_the_server",
      weak_key_on_a_root_asks_to_renew_the_ca_not_the_server },
    { "untrusted_self_signed_server_certificate_is_not_called_a_root",
      untrusted_self_signed_server_certificate_is_not_called_a_root },
    { "issuer_unknown_tells_how_to_give_certpath_a_pem_root",
      issuer_unknown_tells_how_to_give_certpath_a_pem_root },
    CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
    return cp_test_main("diagnose", tests, argc, argv);
}
