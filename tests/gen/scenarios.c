/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * scenarios.c - the scenario table and the single-server scenarios
 * (single, tls13, versions). Site scenarios live in site.c, bench in bench.c.
 */
#include "scenarios.h"

#include "bench.h"
#include "certprops.h"
#include "cgerror.h"
#include "clientfaults.h"
#include "dtlsrun.h"
#include "scnutil.h"
#include "site.h"

#define EXAMPLE_SERVER CG_IPV4(192, 0, 2, 10)

/* root -> intermediate -> www.example.test, served by 192.0.2.10:443; with client_leaf, also
 * a client certificate "example-client" from the same intermediate. */
static SSL_CTX *
example_server_pki(CgSession *s, const CgTlsParams *params, CgCert **client_leaf, GError **error)
{
    CgRdn root_dn[] = { { "CN", "Example Test Root CA" }, { "O", "Example Test" } };
    CgRdn ca_dn[] = { { "CN", "Example Test Issuing CA" }, { "O", "Example Test" } };
    const char *sans[] = { "www.example.test", "example.test", NULL };
    CgCert *root, *ca, *leaf;

    cg_session_role(s, EXAMPLE_SERVER, "web");
    cg_session_begin(s, cg_session_options(s)->scenario);
    cg_pki_prefetch_rsa(cg_session_pki(s), 1);
    root = cg_scn_ca(s, "example-root", root_dn, 2, NULL, error);
    ca = root != NULL ? cg_scn_ca(s, "example-issuing", ca_dn, 2, root, error) : NULL;
    leaf = ca != NULL ? cg_scn_leaf(s, "example-www", sans, "example.test", ca, NULL, error) : NULL;
    if (leaf == NULL)
        return NULL;
    if (client_leaf != NULL) {
        const char *client_sans[] = { "client.example.test", NULL };
        *client_leaf =
                cg_scn_leaf(s, "example-client", client_sans, "example.test", ca, NULL, error);
        if (*client_leaf == NULL)
            return NULL;
    }
    cg_session_certificates(s);
    return cg_session_server_ctx(s, leaf, &ca, 1, params, error);
}

static SSL_CTX *
example_server(CgSession *s, const CgTlsParams *params, GError **error)
{
    return example_server_pki(s, params, NULL, error);
}

static gboolean
example_connect(CgSession *s, SSL_CTX *server, const CgTlsParams *client_params, unsigned host,
                GError **error)
{
    SSL_CTX *client = cg_session_client_ctx(s, client_params, NULL, error);
    CgConnSpec c = {
        .client_v4 = CG_IPV4(10, 1, 9, host),
        .server = { EXAMPLE_SERVER, 443 },
        .sni = "www.example.test",
        .client_ctx = client,
        .server_ctx = server,
    };

    return client != NULL && cg_session_connect(s, &c, error);
}

static gboolean
run_single(CgSession *s, GError **error)
{
    CgTlsParams server = { 0 };
    CgTlsParams client = { .max_version = TLS1_2_VERSION };
    SSL_CTX *ctx = example_server(s, &server, error);

    return ctx != NULL && example_connect(s, ctx, &client, 10, error);
}

static gboolean
run_tls13(CgSession *s, GError **error)
{
    CgTlsParams server = { 0 };
    CgTlsParams client = { .min_version = TLS1_3_VERSION, .max_version = TLS1_3_VERSION };
    SSL_CTX *ctx = example_server(s, &server, error);

    return ctx != NULL && example_connect(s, ctx, &client, 10, error);
}

/* TLS 1.2, then the server renegotiates and asks for the client's certificate: the second
 * handshake (both certificates) travels encrypted under the first one's keys. */
static gboolean
renegotiation(CgSession *s, const char *ciphers, bool no_etm, GError **error)
{
    CgTlsParams params = { .max_version = TLS1_2_VERSION };
    CgCert *client_leaf = NULL;
    SSL_CTX *server = example_server_pki(s, &params, &client_leaf, error);
    SSL_CTX *client = server != NULL ? cg_session_client_ctx(s, &params, NULL, error) : NULL;

    if (client == NULL)
        return FALSE;
    if (ciphers != NULL && SSL_CTX_set_cipher_list(server, ciphers) != 1)
        return cg_error_ssl(error, "cipher list");
    if (no_etm) /* RFC 7366 off: the MAC inside the encryption, as before 2014 */
        SSL_CTX_set_options(server, SSL_OP_NO_ENCRYPT_THEN_MAC);
    if (SSL_CTX_use_certificate(client, client_leaf->x509) != 1 ||
        SSL_CTX_use_PrivateKey(client, client_leaf->key) != 1)
        return cg_error_ssl(error, "client certificate");
    CgConnSpec c = {
        .client_v4 = CG_IPV4(10, 1, 9, 10),
        .server = { EXAMPLE_SERVER, 443 },
        .sni = "www.example.test",
        .client_ctx = client,
        .server_ctx = server,
        .renegotiate = true,
    };
    return cg_session_connect(s, &c, error);
}

static gboolean
run_renegotiation(CgSession *s, GError **error)
{
    return renegotiation(s, NULL, false, error);
}

/* The same with CBC + HMAC suites (encrypt-then-MAC as OpenSSL negotiates it, and
 * MAC-then-encrypt) and with ChaCha20-Poly1305. */
static gboolean
run_renegotiation_cbc(CgSession *s, GError **error)
{
    return renegotiation(s, "ECDHE-RSA-AES128-SHA256", false, error);
}

static gboolean
run_renegotiation_cbc_mte(CgSession *s, GError **error)
{
    return renegotiation(s, "ECDHE-RSA-AES256-SHA", true, error);
}

static gboolean
run_renegotiation_chacha(CgSession *s, GError **error)
{
    return renegotiation(s, "ECDHE-RSA-CHACHA20-POLY1305", false, error);
}

static gboolean
run_versions(CgSession *s, GError **error)
{
    static const int versions[] = { TLS1_VERSION, TLS1_1_VERSION, TLS1_2_VERSION };
    CgTlsParams server = { .min_version = TLS1_VERSION,
                           .max_version = TLS1_2_VERSION,
                           .legacy = true };
    SSL_CTX *ctx = example_server(s, &server, error);

    for (unsigned i = 0; ctx != NULL && i < G_N_ELEMENTS(versions); i++) {
        CgTlsParams client = { versions[i], versions[i], true };
        if (!example_connect(s, ctx, &client, 10 + i, error))
            return FALSE;
    }
    return ctx != NULL;
}

static gboolean
run_bench(CgSession *s, GError **error)
{
    return cg_bench_run(s, error);
}

/* A full contoso.com site whose Exchange is of the given kind. */
static gboolean
contoso(CgSession *s, CgExchKind exch, bool edge_serials, bool lookalike, GError **error)
{
    CgSiteSpec spec = {
        .label = "contoso",
        .net = 1,
        .frontend = true,
        .edge = true,
        .edge_serials = edge_serials,
        .lookalike = lookalike,
        .exch = exch,
    };

    return cg_site_scenario(s, cg_session_options(s)->scenario, &spec, 1, error);
}

#define CONTOSO(fn, kind, serials, lookalike)               \
    static gboolean fn(CgSession *s, GError **error)        \
    {                                                       \
        return contoso(s, kind, serials, lookalike, error); \
    }

CONTOSO(run_healthy, CG_EXCH_NORMAL, false, false)
CONTOSO(run_public_ca, CG_EXCH_PUBLIC, false, false)
CONTOSO(run_lookalike, CG_EXCH_NORMAL, false, true)
CONTOSO(run_leaf_only, CG_EXCH_LEAF_ONLY, false, false)
CONTOSO(run_edge_serials, CG_EXCH_NORMAL, true, false)
CONTOSO(run_unknown_ca, CG_EXCH_UNKNOWN_CA, false, false)
CONTOSO(run_expired, CG_EXCH_EXPIRED, false, false)
CONTOSO(run_not_yet_valid, CG_EXCH_NOT_YET_VALID, false, false)
CONTOSO(run_sni_mismatch, CG_EXCH_SNI_MISMATCH, false, false)
CONTOSO(run_weak, CG_EXCH_WEAK, false, false)

/* One site per situation, each with its own domain and 10.N network. */
static gboolean
run_all(CgSession *s, GError **error)
{
    static const CgSiteSpec specs[] = {
        { .label = "contoso", .net = 1, .frontend = true, .edge = true, .exch = CG_EXCH_NORMAL },
        { .label = "fabrikam", .net = 3, .exch = CG_EXCH_PUBLIC },
        { .label = "tailspin", .net = 4, .exch = CG_EXCH_LEAF_ONLY },
        { .label = "litware", .net = 5, .edge = true, .edge_serials = true },
        { .label = "wingtip", .net = 6, .exch = CG_EXCH_UNKNOWN_CA },
    };

    return cg_site_scenario(s, "all", specs, G_N_ELEMENTS(specs), error);
}

static const CgScenario scenarios[] = {
    { "single", "one TLS 1.2 connection to www.example.test (root -> intermediate -> leaf)",
      run_single },
    { "healthy", "contoso.com Lync site: front end, Exchange, Edge pair, one enterprise PKI",
      run_healthy },
    { "public-ca", "as healthy, Exchange's leaf from a public-CA-like hierarchy", run_public_ca },
    { "lookalike", "front end and Exchange chains from look-alike issuing CAs under two roots",
      run_lookalike },
    { "leaf-only", "as healthy, Exchange sends only its leaf", run_leaf_only },
    { "edge-serials", "as healthy, the two Edge servers present different certificates",
      run_edge_serials },
    { "unknown-ca", "front end and Edge, and a verifying client rejecting Exchange (unknown_ca)",
      run_unknown_ca },
    { "expired", "as healthy, Exchange's leaf expired 10 days before the capture", run_expired },
    { "not-yet-valid", "as healthy, Exchange's leaf valid from 10 days after the capture",
      run_not_yet_valid },
    { "sni-mismatch", "as healthy, a client asks Exchange for owa.contoso.com", run_sni_mismatch },
    { "weak", "as healthy, Exchange's leaf is RSA 1024 signed with SHA-1", run_weak },
    { "tls13", "one TLS 1.3 connection (certificates encrypted)", run_tls13 },
    { "versions", "three connections forced to TLS 1.0, 1.1 and 1.2", run_versions },
    { "renegotiation",
      "TLS 1.2 to www.example.test, then a renegotiation asking for the client's certificate",
      run_renegotiation },
    { "renegotiation-cbc", "renegotiation with ECDHE-RSA-AES128-SHA256 (CBC + HMAC)",
      run_renegotiation_cbc },
    { "renegotiation-cbc-mte",
      "renegotiation with ECDHE-RSA-AES256-SHA, MAC-then-encrypt (no RFC 7366)",
      run_renegotiation_cbc_mte },
    { "renegotiation-chacha", "renegotiation with ECDHE-RSA-CHACHA20-POLY1305",
      run_renegotiation_chacha },
    { "bench", "--connections N to 40 servers, 6 chains, 30% resumed, --bulk on 25%", run_bench },
    { "all", "healthy + public-ca + leaf-only + edge-serials + unknown-ca, one domain each",
      run_all },
    { "dtls", "the single server over DTLS 1.2 (UDP 4433), cookie exchange, fragmented Certificate",
      cg_dtls_scenario },
    { "wildcard-pool", "front end pool certificate with *.contoso.com next to its own names",
      cg_certprops_wildcard_pool },
    { "pss-exchange", "Exchange's leaf signed with RSASSA-PSS by an RSA issuing CA",
      cg_certprops_pss_exchange },
    { "no-serverauth", "Exchange's leaf with extendedKeyUsage clientAuth only",
      cg_certprops_no_serverauth },
    { "ca-renewed", "issuing CA renewed with a new key: front end under the old, Exchange the new",
      cg_certprops_ca_renewed },
    { "dual-cert", "Exchange serves an RSA and an ECDSA certificate for mail.contoso.com",
      cg_certprops_dual_cert },
    { "ip-literal-sni", "a client sends Exchange's address 10.1.0.20 as SNI",
      cg_certprops_ip_literal_sni },
    { "capture-clock", "every certificate starts 400 days after the capture time",
      cg_certprops_capture_clock },
    { "silent-reject",
      "two clients accept the pool's chain, a third resets after it without an "
      "alert",
      cg_silent_reject_scenario },
    { "protocol-reject",
      "a TLS 1.2-only pool refuses a TLS 1.0-only client without SNI "
      "(protocol_version)",
      cg_protocol_reject_scenario },
    { "mtls-untrusted",
      "mutual TLS: the pool accepts a contoso client certificate and refuses one "
      "from another root (unknown_ca)",
      cg_mtls_untrusted_scenario },
    { NULL, NULL, NULL },
};

const CgScenario *
cg_scenarios(void)
{
    return scenarios;
}

const CgScenario *
cg_scenario_find(const char *name)
{
    for (const CgScenario *sc = scenarios; sc->name != NULL; sc++) {
        if (g_strcmp0(sc->name, name) == 0)
            return sc;
    }
    return NULL;
}
