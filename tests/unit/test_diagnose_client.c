/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests for the client-side findings (analysis/client_seen.c, diagnose_client.c): how a
 * handshake's end is read as a client's outcome, and the rules on small models built in memory,
 * so a rule change is checked in seconds. Certificates are made here with OpenSSL (EC P-256) and
 * parsed by the project's x509 code through the certificate cache, as the pipeline does. */
#include <string.h>

#include <glib.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "diag_world.h"
#include "harness.h"

/* The certificates every test shares, made once (EC P-256, no extensions): the server's, under
 * "Contoso Root CA", and a client's own, under "Other Root CA". */
typedef struct Certs {
    EVP_PKEY *key;
    X509 *root, *leaf, *client_root, *client_leaf;
} Certs;

static Certs certs;

static X509 *
cert_plain(const char *cn, X509 *issuer, long serial)
{
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();

    CU_ASSERT_FATAL(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, (const unsigned char *)cn,
                                               -1, -1, 0) == 1);
    CU_ASSERT_FATAL(X509_set_version(x, 2) == 1);
    CU_ASSERT_FATAL(ASN1_INTEGER_set(X509_get_serialNumber(x), serial) == 1);
    CU_ASSERT_FATAL(X509_set_subject_name(x, name) == 1);
    CU_ASSERT_FATAL(X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : name) == 1);
    CU_ASSERT_FATAL(ASN1_TIME_set_string_X509(X509_getm_notBefore(x), "20240101000000Z") == 1);
    CU_ASSERT_FATAL(ASN1_TIME_set_string_X509(X509_getm_notAfter(x), "20301231235959Z") == 1);
    CU_ASSERT_FATAL(X509_set_pubkey(x, certs.key) == 1);
    CU_ASSERT_FATAL(X509_sign(x, certs.key, EVP_sha256()) > 0);
    X509_NAME_free(name);
    return x;
}

/* A fresh world; the certificates are made by the first test that asks (CUnit's assertions need
 * a running test) and freed by main. */
static void
setup(World *w)
{
    world_init(w, 0);
    if (certs.key != NULL)
        return;
    certs.key = key_new();
    certs.root = cert_plain("Contoso Root CA", NULL, 1);
    certs.leaf = cert_plain("pool.contoso.com", certs.root, 2);
    certs.client_root = cert_plain("Other Root CA", NULL, 3);
    certs.client_leaf = cert_plain("gw01.other.test", certs.client_root, 4);
}

static void
certs_clear(void)
{
    X509_free(certs.root);
    X509_free(certs.leaf);
    X509_free(certs.client_root);
    X509_free(certs.client_leaf);
    EVP_PKEY_free(certs.key);
}

/* A handshake from 10.1.9.<client> to 10.1.0.10:443 that reached the server's Certificate (the
 * caller sets how it ended). */
static void
hs_init(World *w, CpHandshake *h, uint8_t client, bool with_chain)
{
    world_handshake_init(h, CAPTURE_NS, client, 10, 443);
    h->has_client_hello = true;
    h->client_version = 0x0303;
    h->sni = g_strdup("pool.contoso.com");
    h->suites = (CpSuiteSummary){ .count = 4, .ecdhe = true, .aead = true };
    if (!with_chain)
        return;
    h->has_server_hello = true;
    h->version = 0x0303;
    h->cipher = 0xc02f;
    h->has_chain = true;
    world_chain_add(w, h->chain, certs.leaf);
}

static void
hs_add(World *w, CpHandshake *h)
{
    CU_ASSERT_FATAL(cp_model_add(w->model, h));
    cp_handshake_clear(h);
}

static void
add_accepted(World *w, uint8_t client)
{
    CpHandshake h;

    hs_init(w, &h, client, true);
    h.client_ccs = h.server_ccs = true;
    hs_add(w, &h);
}

static const CpClientSeen *
client_at(World *w, guint i)
{
    const CpServer *s = cp_model_servers(w->model)->pdata[0];

    CU_ASSERT_FATAL(i < s->clients->len);
    return &g_array_index(s->clients, CpClientSeen, i);
}

/* ---- suites ------------------------------------------------------------------------------ */

static void
suites_summary_reads_properties_and_skips_signals(void)
{
    /* TLS_RSA_WITH_AES_128_CBC_SHA, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, 3DES, SCSV, GREASE */
    static const uint8_t suites[] = { 0x00, 0x2f, 0xc0, 0x2f, 0x00, 0x0a, 0x00, 0xff, 0x0a, 0x0a };
    CpSuiteSummary s;

    cp_suite_summary_read(&s, suites, sizeof suites);
    CU_ASSERT_EQUAL(s.count, 3);
    CU_ASSERT_TRUE(s.rsa_kx && s.ecdhe && s.aead && s.cbc && s.des3);
    CU_ASSERT_FALSE(s.tls13 || s.rc4 || s.dhe);
    cp_suite_summary_read(&s, suites, 3); /* an odd length reads the whole pairs only */
    CU_ASSERT_EQUAL(s.count, 1);
}

/* ---- silent-rejection -------------------------------------------------------------------- */

static void
silent_reset_after_chain_is_silent_rejection_with_accepted_count(void)
{
    World w;
    CpHandshake h;

    setup(&w);
    add_accepted(&w, 12);
    add_accepted(&w, 13);
    hs_init(&w, &h, 50, true);
    h.client_closed = h.client_reset = true;
    hs_add(&w, &h);
    const CpFinding *f = finding(world_diagnose(&w), CP_FINDING_SILENT_REJECTION);
    REQUIRE(f);
    CU_ASSERT_EQUAL(f->severity, CP_SEV_WARNING);
    CU_ASSERT_EQUAL(f->handshakes, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message->str, "10.1.9.50"));
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message->str, "2 clients accepted the same chain"));
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message->str, "10.1.9.12"));
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message->str, "pool.contoso.com"));
    world_clear(&w);
}

static void
silent_not_after_completed_handshake_nor_cut_capture(void)
{
    World w;
    CpHandshake h;

    setup(&w);
    /* The client finished (ChangeCipherSpec) and reset later: a normal abort. */
    hs_init(&w, &h, 20, true);
    h.client_ccs = true;
    h.client_closed = h.client_reset = true;
    hs_add(&w, &h);
    /* The capture ended with the connection open: nobody closed. */
    hs_init(&w, &h, 21, true);
    hs_add(&w, &h);
    /* Bytes of the client were lost: its Finished may be in the hole. */
    hs_init(&w, &h, 22, true);
    h.client_closed = true;
    h.client_truncated = true;
    hs_add(&w, &h);
    /* The server closed, not the client. */
    hs_init(&w, &h, 23, true);
    h.server_reset = true;
    hs_add(&w, &h);
    /* A warning alert from the client is not silence. */
    hs_init(&w, &h, 24, true);
    h.client_closed = true;
    h.alert_desc = 0;
    h.alert_level = 1;
    h.alert_from_client = true;
    hs_add(&w, &h);
    const CpDiagnosis *d = world_diagnose(&w);
    CU_ASSERT_PTR_NULL(finding(d, CP_FINDING_SILENT_REJECTION));
    CU_ASSERT_PTR_NULL(finding(d, CP_FINDING_PROTOCOL_REJECTED));
    CU_ASSERT_EQUAL(client_at(&w, 0)->outcome, CP_CLIENT_ACCEPTED);
    world_clear(&w);
}

/* One address that both accepted and refused is one machine's programs deciding differently:
 * said, so the counts do not read as a contradiction; two addresses get no such note. */
static void
same_address_accepting_and_refusing_is_explained(void)
{
    World w;
    CpHandshake h;

    setup(&w);
    add_accepted(&w, 12);
    hs_init(&w, &h, 12, true);
    h.client_closed = h.client_reset = true;
    hs_add(&w, &h);
    const CpFinding *f = finding(world_diagnose(&w), CP_FINDING_SILENT_REJECTION);
    REQUIRE(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message->str, "That address also refused it"));
    world_clear(&w);

    setup(&w);
    add_accepted(&w, 13);
    hs_init(&w, &h, 12, true);
    h.client_closed = h.client_reset = true;
    hs_add(&w, &h);
    f = finding(world_diagnose(&w), CP_FINDING_SILENT_REJECTION);
    REQUIRE(f);
    CU_ASSERT_PTR_NULL(strstr(f->message->str, "also refused it"));
    world_clear(&w);
}

/* ---- protocol-rejected ------------------------------------------------------------------- */

static void
protocol_version_alert_names_phone_like_client(void)
{
    World w;
    CpHandshake h;

    setup(&w);
    add_accepted(&w, 12);
    hs_init(&w, &h, 50, false);
    g_free(h.sni);
    h.sni = NULL;
    h.client_version = 0x0301;
    h.suites = (CpSuiteSummary){ .count = 3, .rsa_kx = true, .cbc = true, .des3 = true };
    h.alert_desc = 70;
    h.alert_level = 2;
    h.alert_from_client = false;
    h.client_closed = true;
    h.has_client_mac = true;
    memcpy(h.client_mac, "\x02\x00\x0a\x01\x09\x32", 6);
    hs_add(&w, &h);
    const CpFinding *f = finding(world_diagnose(&w), CP_FINDING_PROTOCOL_REJECTED);
    REQUIRE(f);
    CU_ASSERT_EQUAL(f->severity, CP_SEV_ERROR);
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message->str, "protocol_version"));
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message->str,
                                  "10.1.9.50 (MAC 02:00:0a:01:09:32, TLS 1.0 only, no SNI, 3 "
                                  "cipher suites"));
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message->str, "Lync Phone Edition"));
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message->str, "1 client accepted this server"));
    CU_ASSERT_PTR_NOT_NULL(strstr(f->remedy->str, "SCHANNEL"));
    CU_ASSERT_PTR_NOT_NULL(strstr(f->remedy->str, "TLS 1.0\\Server"));
    world_clear(&w);
}

static void
server_reset_after_hello_is_protocol_rejected_client_close_is_not(void)
{
    World w;
    CpHandshake h;

    setup(&w);
    hs_init(&w, &h, 50, false);
    h.server_reset = true;
    hs_add(&w, &h);
    const CpFinding *f = finding(world_diagnose(&w), CP_FINDING_PROTOCOL_REJECTED);
    REQUIRE(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message->str, "reset the connection right after"));
    world_clear(&w);

    /* The client gave up before any answer, or another alert: not the server refusing. */
    setup(&w);
    hs_init(&w, &h, 51, false);
    h.client_closed = h.client_reset = true;
    hs_add(&w, &h);
    hs_init(&w, &h, 52, false);
    h.alert_desc = 112; /* unrecognized_name */
    h.alert_level = 2;
    hs_add(&w, &h);
    CU_ASSERT_PTR_NULL(finding(world_diagnose(&w), CP_FINDING_PROTOCOL_REJECTED));
    world_clear(&w);
}

/* ---- client-cert-rejected ---------------------------------------------------------------- */

static void
mutual_tls_unknown_ca_from_server_is_client_cert_rejected(void)
{
    World w;
    CpHandshake h;

    setup(&w);
    hs_init(&w, &h, 21, true);
    h.cert_requested = true;
    world_chain_add(&w, h.client_chain, certs.client_leaf);
    world_chain_add(&w, h.client_chain, certs.client_root);
    h.client_ccs = true; /* certificate and ChangeCipherSpec travel in one flight */
    h.alert_desc = 48;
    h.alert_level = 2;
    h.alert_from_client = false;
    hs_add(&w, &h);
    const CpDiagnosis *d = world_diagnose(&w);
    const CpFinding *f = finding(d, CP_FINDING_CLIENT_CERT_REJECTED);
    REQUIRE(f);
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message->str, "unknown_ca"));
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message->str, "gw01.other.test"));
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message->str, "its root is 'CN=Other Root CA'"));
    CU_ASSERT_PTR_NOT_NULL(strstr(f->message->str, "10.1.9.21"));
    CU_ASSERT_PTR_NOT_NULL(strstr(f->remedy->str, "Trusted Root Certification Authorities"));
    CU_ASSERT_PTR_NULL(finding(d, CP_FINDING_CLIENT_REJECTED));
    world_clear(&w);
}

static void
server_alert_without_certificate_request_is_not_client_cert_rejected(void)
{
    World w;
    CpHandshake h;

    setup(&w);
    hs_init(&w, &h, 21, true);
    world_chain_add(&w, h.client_chain, certs.client_leaf);
    h.alert_desc = 48;
    h.alert_level = 2;
    hs_add(&w, &h);
    CU_ASSERT_PTR_NULL(finding(world_diagnose(&w), CP_FINDING_CLIENT_CERT_REJECTED));
    world_clear(&w);
}

static CU_TestInfo tests[] = {
    { "suites_summary_reads_properties_and_skips_signals",
      suites_summary_reads_properties_and_skips_signals },
    { "silent_reset_after_chain_is_silent_rejection_with_accepted_count",
      silent_reset_after_chain_is_silent_rejection_with_accepted_count },
    { "same_address_accepting_and_refusing_is_explained",
      same_address_accepting_and_refusing_is_explained },
    { "silent_not_after_completed_handshake_nor_cut_capture",
      silent_not_after_completed_handshake_nor_cut_capture },
    { "protocol_version_alert_names_phone_like_client",
      protocol_version_alert_names_phone_like_client },
    { "server_reset_after_hello_is_protocol_rejected_client_close_is_not",
      server_reset_after_hello_is_protocol_rejected_client_close_is_not },
    { "mutual_tls_unknown_ca_from_server_is_client_cert_rejected",
      mutual_tls_unknown_ca_from_server_is_client_cert_rejected },
    { "server_alert_without_certificate_request_is_not_client_cert_rejected",
      server_alert_without_certificate_request_is_not_client_cert_rejected },
    CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
    int rc = cp_test_main("diagnose_client", tests, argc, argv);

    certs_clear();
    return rc;
}
