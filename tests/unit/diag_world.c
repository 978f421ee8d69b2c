/* SPDX-License-Identifier: BSD-2-Clause */
/* diag_world: the diagnosis tests' fixture (see diag_world.h). */
#include "diag_world.h"

#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include <openssl/pem.h>

#include "rsa_keys.h"

/* ---- certificates ------------------------------------------------------------------------ */

EVP_PKEY *
key_new(void)
{
    EVP_PKEY *k = EVP_EC_gen("P-256");

    CU_ASSERT_FATAL(k != NULL);
    return k;
}

EVP_PKEY *
rsa_key(unsigned bits)
{
    static unsigned turn;

    return test_rsa_key(bits, bits == 2048 ? turn++ % 2 : 0);
}

void
add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
    X509_EXTENSION *e = X509V3_EXT_nconf_nid(NULL, ctx, nid, value);

    CU_ASSERT_FATAL(e != NULL);
    CU_ASSERT_FATAL(X509_add_ext(x, e, -1) == 1);
    X509_EXTENSION_free(e);
}

X509 *
cert_make_full(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key, const char *san,
               long serial, const char *not_before, const char *not_after)
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
    CU_ASSERT_FATAL(ASN1_TIME_set_string_X509(X509_getm_notBefore(x), not_before) == 1);
    CU_ASSERT_FATAL(ASN1_TIME_set_string_X509(X509_getm_notAfter(x), not_after) == 1);
    CU_ASSERT_FATAL(X509_set_pubkey(x, key) == 1);
    X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
    add_ext(x, &ctx, NID_basic_constraints, san ? "critical,CA:FALSE" : "critical,CA:TRUE");
    add_ext(x, &ctx, NID_subject_key_identifier, "hash");
    add_ext(x, &ctx, NID_authority_key_identifier, "keyid");
    if (san != NULL)
        add_ext(x, &ctx, NID_subject_alt_name, san);
    else
        add_ext(x, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign");
    CU_ASSERT_FATAL(X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()) > 0);
    X509_NAME_free(name);
    return x;
}

X509 *
cert_make(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key, const char *san,
          long serial, const char *not_after)
{
    g_autofree char *v = san ? g_strdup_printf("DNS:%s", san) : NULL;

    return cert_make_full(cn, key, issuer, issuer_key, v, serial, "20240101000000Z", not_after);
}

void
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

void
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

void
world_init(World *w, uint64_t max_chain)
{
    memset(w, 0, sizeof *w);
    cp_limits_init_default(&w->limits);
    if (max_chain != 0)
        w->limits.max_chain_certs = max_chain;
    w->cache = cp_cert_cache_new(&w->limits, &w->anomalies);
    w->model = cp_model_new(&w->limits, NULL);
    w->cipher = 0xc02f; /* TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 */
}

void
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

void
world_chain_add(World *w, GArray *chain, X509 *x)
{
    unsigned char *der = NULL;
    int len = i2d_X509(x, &der);
    char sha1[41];
    bool is_new;

    CU_ASSERT_FATAL(len > 0);
    /* As the pipeline does: the first certificate is the server's leaf, kept without OpenSSL's
     * object when it is a plain one, so its path is built the way a capture's is (trust.c). */
    CpCertUse use = chain->len == 0 ? CP_CERT_USE_SERVER_LEAF : CP_CERT_USE_SERVER;
    CpCert *cert = cp_cert_cache_get_as(w->cache, der, (size_t)len, use, &is_new, sha1);
    CU_ASSERT_FATAL(cert != NULL);
    cp_chain_append(chain, cert, sha1); /* the chain holds its own reference */
    OPENSSL_free(der);
}

void
world_handshake_init(CpHandshake *h, uint64_t ts_ns, uint8_t client, uint8_t server, uint16_t port)
{
    cp_handshake_init(h);
    h->ts_ns = ts_ns;
    h->client.family = h->server.family = 4;
    h->client.bytes[0] = h->server.bytes[0] = 10;
    h->client.bytes[1] = h->server.bytes[1] = 1;
    h->client.bytes[2] = 9;
    h->client.bytes[3] = client;
    h->server.bytes[3] = server;
    h->client_port = 50000;
    h->server_port = port;
}

void
world_add_at(World *w, uint64_t ts_ns, uint8_t last, uint16_t port, const char *sni,
             X509 *const *chain, size_t n, size_t dropped, bool conflict)
{
    CpHandshake h;

    world_handshake_init(&h, ts_ns, 1, last, port);
    h.sni = sni ? g_strdup(sni) : NULL;
    h.has_client_hello = h.has_server_hello = true;
    h.version = 0x0303;
    h.cipher = w->cipher;
    h.has_chain = true;
    for (size_t i = 0; i < n; i++)
        world_chain_add(w, h.chain, chain[i]);
    h.certs_dropped = dropped;
    h.overlap_conflict = conflict;
    CU_ASSERT_FATAL(cp_model_add(w->model, &h));
    cp_handshake_clear(&h);
}

void
world_add(World *w, uint8_t last, uint16_t port, const char *sni, X509 *const *chain, size_t n,
          size_t dropped, bool conflict)
{
    world_add_at(w, CAPTURE_NS, last, port, sni, chain, n, dropped, conflict);
}

const CpDiagnosis *
world_diagnose_opt(World *w, const CpDiagOptions *opt)
{
    CpDiagOptions o = { 0 };

    if (opt != NULL)
        o = *opt;
    if (w->trust == NULL)
        world_trust(w, NULL);
    w->diag = cp_diagnose(w->model, w->cache, w->trust, &o);
    CU_ASSERT_FATAL(w->diag != NULL);
    return w->diag;
}

const CpDiagnosis *
world_diagnose(World *w)
{
    return world_diagnose_opt(w, NULL);
}

unsigned
count_code(const CpDiagnosis *d, CpFindingCode code)
{
    unsigned n = 0;

    for (guint i = 0; i < d->findings->len; i++)
        n += ((const CpFinding *)d->findings->pdata[i])->code == code;
    return n;
}

void
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

const CpFinding *
finding(const CpDiagnosis *d, CpFindingCode code)
{
    for (guint i = 0; i < d->findings->len; i++) {
        const CpFinding *f = d->findings->pdata[i];
        if (f->code == code)
            return f;
    }
    return NULL;
}

const CpServer *
server_at(World *w, guint i)
{
    GPtrArray *s = cp_model_servers(w->model);

    CU_ASSERT_FATAL(i < s->len);
    return s->pdata[i];
}
