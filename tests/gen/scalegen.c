/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * scalegen - captures for certpath's scaling benchmark and its hostile-at-scale tests.
 *
 * capgen runs real OpenSSL handshakes, which is right for fidelity and far too slow for hundreds
 * of thousands of certificates. scalegen builds real certificates (OpenSSL, signed, one reused
 * EC key per role, so nothing but serials and names costs per certificate) and writes the TLS 1.2
 * handshake records around them itself (RFC 5246 §7.4: ClientHello with SNI, ServerHello,
 * Certificate, CertificateRequest, ServerHelloDone; the client's Certificate, ClientKeyExchange,
 * ChangeCipherSpec and an opaque Finished), carried by capgen's TCP synthesis and pcap writer.
 * The key exchange bytes are not a working one: certpath reads no further than the certificates.
 *
 *   scalegen --scenario NAME --n N --out FILE [--der-out FILE]
 *
 * Scenarios (N is the size that grows):
 *   leaves    N servers, each with its own leaf from one issuing CA under one root
 *   roles     N/2 front ends (lyncdiscover.contoso.com) and N/2 Exchange servers
 *             (mail.contoso.com) on distinct addresses, front ends and Exchange under two roots
 *   lookalike N servers, each leaf from its own "CN=Corp Issuing CA" (N different CA keys)
 *   samelen   N connections to one server, each a different leaf of the same length
 *   names     one server whose leaf carries N dNSNames
 *   blind     N connections each sending 16 junk client certificates to one server, then an
 *             Exchange server (mail.contoso.com, 10.1.0.20) with an expired self-signed leaf
 *   frag8     N connections to one server whose 1500-name leaf (~35 KB) goes out in one TCP
 *             segment, every IPv4 packet cut into 8-byte fragments (~4600 per Certificate flight)
 *   unfrag    the same connections in ordinary 1460-byte segments: the per-packet baseline
 *   rsaexp    N servers, each with its own self-signed certificate under one RSA-2048 key whose
 *             public exponent has about 2000 bits (a check with it costs milliseconds)
 * --der-out writes every distinct certificate sent, each as a 4-byte big-endian length and the
 * DER, for the benchmark's OpenSSL parsing floor (tests/bench/x509floor.c).
 */
#include <stdio.h>
#include <string.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cgerror.h"
#include "pcapw.h"
#include "tcpsynth.h"

#define CAPTURE_TIME_S 1780000000u /* 2026-05-28: every certificate below is dated around it */
#define DAY_S          86400
#define JUNK_PER_CONN  16

typedef struct Gen {
    CgTcpNet net;
    CgPcapWriter *pcap;
    FILE *der_out;
    EVP_PKEY *leaf_key; /* shared by every leaf: key generation is the slow part */
    uint64_t serial;
    uint32_t next_client;
    GHashTable *written; /* SHA-256 hex of the certificates already in der_out */
} Gen;

static gboolean
write_frame(void *ctx, uint64_t ts_ns, const CgEndpoint *src, const CgEndpoint *dst,
            bool from_client, const uint8_t *ip, size_t len, GError **error)
{
    Gen *g = ctx;
    CgFrameMeta meta = { .ipv6 = false, .outgoing = from_client };

    meta.src_mac[0] = meta.dst_mac[0] = 0x02;
    for (int i = 0; i < 4; i++) {
        meta.src_mac[2 + i] = (uint8_t)(src->v4 >> (24 - 8 * i));
        meta.dst_mac[2 + i] = (uint8_t)(dst->v4 >> (24 - 8 * i));
    }
    return cg_pcapw_write(g->pcap, ts_ns, &meta, ip, len, error);
}

static EVP_PKEY *
ec_key(void)
{
    return EVP_EC_gen("P-256");
}

static void
add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;

    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (e != NULL) {
        X509_add_ext(x, e, -1);
        X509_EXTENSION_free(e);
    }
}

typedef struct CertSpec {
    const char *cn;
    X509 *issuer;         /* NULL: self-signed */
    EVP_PKEY *issuer_key; /* NULL: self-signed with key */
    EVP_PKEY *key;
    bool ca;
    const char *san; /* "DNS:a,DNS:b" or NULL */
    int64_t not_before, not_after;
} CertSpec;

/* A signed certificate; the serial is a fixed-width counter, so equal names give equal lengths. */
static X509 *
make_cert(Gen *g, const CertSpec *sp)
{
    X509 *x = X509_new();
    X509_NAME *n = X509_NAME_new();

    X509_set_version(x, 2);
    ASN1_INTEGER_set_uint64(X509_get_serialNumber(x), 0x1000000000000000ull + g->serial++);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)sp->cn, -1, -1, 0);
    X509_NAME_add_entry_by_txt(n, "O", MBSTRING_UTF8, (const unsigned char *)"Scale Test", -1, -1,
                               0);
    X509_set_subject_name(x, n);
    X509_set_issuer_name(x, sp->issuer ? X509_get_subject_name(sp->issuer) : n);
    X509_NAME_free(n);
    ASN1_TIME_set(X509_getm_notBefore(x), (time_t)sp->not_before);
    ASN1_TIME_set(X509_getm_notAfter(x), (time_t)sp->not_after);
    X509_set_pubkey(x, sp->key);
    X509 *iss = sp->issuer ? sp->issuer : x;
    add_ext(x, iss, NID_basic_constraints, sp->ca ? "critical,CA:TRUE" : "CA:FALSE");
    add_ext(x, iss, NID_subject_key_identifier, "hash");
    add_ext(x, iss, NID_authority_key_identifier, "keyid:always");
    if (sp->san != NULL)
        add_ext(x, iss, NID_subject_alt_name, sp->san);
    X509_sign(x, sp->issuer_key ? sp->issuer_key : sp->key, EVP_sha256());
    return x;
}

static GByteArray *
der_of(X509 *x)
{
    unsigned char *d = NULL;
    int n = i2d_X509(x, &d);
    GByteArray *b = g_byte_array_new();

    g_byte_array_append(b, d, (guint)(n > 0 ? n : 0));
    OPENSSL_free(d);
    return b;
}

static void
put_u8(GByteArray *b, unsigned v)
{
    uint8_t c = (uint8_t)v;
    g_byte_array_append(b, &c, 1);
}

static void
put_u16(GByteArray *b, unsigned v)
{
    put_u8(b, v >> 8);
    put_u8(b, v);
}

static void
put_u24(GByteArray *b, size_t v)
{
    put_u8(b, (unsigned)(v >> 16) & 0xff);
    put_u16(b, (unsigned)v & 0xffff);
}

/* Handshake messages, split into records of at most 16 KiB. */
static void
records(GByteArray *out, uint8_t type, const GByteArray *body)
{
    for (size_t off = 0; off < body->len || body->len == 0;) {
        size_t n = MIN(body->len - off, (size_t)16384);
        put_u8(out, type);
        put_u16(out, 0x0303);
        put_u16(out, (unsigned)n);
        g_byte_array_append(out, body->data + off, (guint)n);
        off += n;
        if (body->len == 0)
            break;
    }
}

static void
hs_msg(GByteArray *hs, uint8_t type, const GByteArray *body)
{
    put_u8(hs, type);
    put_u24(hs, body->len);
    g_byte_array_append(hs, body->data, body->len);
}

static void
client_hello(GByteArray *hs, const char *sni)
{
    GByteArray *b = g_byte_array_new();
    uint8_t rnd[32] = { 1 };
    size_t n = strlen(sni);

    put_u16(b, 0x0303);
    g_byte_array_append(b, rnd, 32);
    put_u8(b, 0);       /* session id */
    put_u16(b, 2);      /* cipher suites */
    put_u16(b, 0xc02b); /* ECDHE-ECDSA-AES128-GCM-SHA256 */
    put_u8(b, 1);
    put_u8(b, 0);
    put_u16(b, (unsigned)(n + 9)); /* extensions */
    put_u16(b, 0);                 /* server_name (RFC 6066 §3) */
    put_u16(b, (unsigned)(n + 5));
    put_u16(b, (unsigned)(n + 3));
    put_u8(b, 0);
    put_u16(b, (unsigned)n);
    g_byte_array_append(b, (const guint8 *)sni, (guint)n);
    hs_msg(hs, 1, b);
    g_byte_array_free(b, TRUE);
}

static void
certificate(GByteArray *hs, GByteArray *const *ders, size_t n)
{
    GByteArray *b = g_byte_array_new();
    size_t total = 0;

    for (size_t i = 0; i < n; i++)
        total += 3 + ders[i]->len;
    put_u24(b, total);
    for (size_t i = 0; i < n; i++) {
        put_u24(b, ders[i]->len);
        g_byte_array_append(b, ders[i]->data, ders[i]->len);
    }
    hs_msg(hs, 11, b);
    g_byte_array_free(b, TRUE);
}

static void
note_der(Gen *g, const GByteArray *d)
{
    uint8_t len[4] = { (uint8_t)(d->len >> 24), (uint8_t)(d->len >> 16), (uint8_t)(d->len >> 8),
                       (uint8_t)d->len };

    if (g->der_out == NULL ||
        !g_hash_table_add(g->written,
                          g_compute_checksum_for_data(G_CHECKSUM_SHA256, d->data, d->len)))
        return;
    fwrite(len, 1, 4, g->der_out);
    fwrite(d->data, 1, d->len, g->der_out);
}

/* One connection: the server sends chain (leaf first); the client, when nclient > 0, answers the
 * CertificateRequest with its own certificates. */
static gboolean
connection(Gen *g, uint32_t server_v4, const char *sni, GByteArray *const *chain, size_t n,
           GByteArray *const *client, size_t nclient, GError **error)
{
    CgEndpoint cl = { 0x0a800000u + (g->next_client++ % 0x7fffffu), 40000 },
               sv = { server_v4, 443 };
    CgTcpConn c;
    GByteArray *hs = g_byte_array_new(), *wire = g_byte_array_new(), *b = g_byte_array_new();
    static const uint8_t ccs[] = { 20, 3, 3, 0, 1, 1 };
    uint8_t fin[45] = { 22, 3, 3, 0, 40 };
    gboolean ok;

    for (size_t i = 0; i < n; i++)
        note_der(g, chain[i]);
    for (size_t i = 0; i < nclient; i++)
        note_der(g, client[i]);
    cg_tcp_conn_init(&c, &g->net, &cl, &sv, 1000u + g->next_client, 5000u);
    ok = cg_tcp_conn_open(&c, error);
    client_hello(hs, sni);
    records(wire, 22, hs);
    ok = ok && cg_tcp_conn_send(&c, CG_DIR_C2S, wire->data, wire->len, -1, error);

    g_byte_array_set_size(hs, 0);
    g_byte_array_set_size(wire, 0);
    uint8_t rnd[32] = { 2 };
    put_u16(b, 0x0303);
    g_byte_array_append(b, rnd, 32);
    put_u8(b, 0);
    put_u16(b, 0xc02b);
    put_u8(b, 0);
    hs_msg(hs, 2, b);
    certificate(hs, chain, n);
    if (nclient > 0) {
        static const uint8_t req[] = { 1, 64, 0, 2, 4, 3, 0, 0 }; /* ecdsa_sign, P-256/SHA-256 */
        g_byte_array_set_size(b, 0);
        g_byte_array_append(b, req, sizeof req);
        hs_msg(hs, 13, b);
    }
    g_byte_array_set_size(b, 0);
    hs_msg(hs, 14, b);
    records(wire, 22, hs);
    ok = ok && cg_tcp_conn_send(&c, CG_DIR_S2C, wire->data, wire->len, -1, error);

    g_byte_array_set_size(hs, 0);
    g_byte_array_set_size(wire, 0);
    if (nclient > 0)
        certificate(hs, client, nclient);
    g_byte_array_set_size(b, 0);
    put_u8(b, 65);
    for (int i = 0; i < 65; i++)
        put_u8(b, 4);
    hs_msg(hs, 16, b);
    records(wire, 22, hs);
    g_byte_array_append(wire, ccs, sizeof ccs);
    g_byte_array_append(wire, fin, sizeof fin);
    ok = ok && cg_tcp_conn_send(&c, CG_DIR_C2S, wire->data, wire->len, -1, error);
    g_byte_array_set_size(wire, 0);
    g_byte_array_append(wire, ccs, sizeof ccs);
    g_byte_array_append(wire, fin, sizeof fin);
    ok = ok && cg_tcp_conn_send(&c, CG_DIR_S2C, wire->data, wire->len, -1, error);
    ok = ok && cg_tcp_conn_close(&c, error);
    g_byte_array_free(hs, TRUE);
    g_byte_array_free(wire, TRUE);
    g_byte_array_free(b, TRUE);
    return ok;
}

static const int64_t NB = (int64_t)CAPTURE_TIME_S - 365 * DAY_S;
static const int64_t NA = (int64_t)CAPTURE_TIME_S + 365 * DAY_S;

/* A root, and an issuing CA under it. */
static void
pki(Gen *g, const char *root_cn, const char *ca_cn, X509 **root, X509 **ca, EVP_PKEY **ca_key)
{
    EVP_PKEY *rk = ec_key();
    *ca_key = ec_key();
    *root = make_cert(
            g,
            &(CertSpec){ .cn = root_cn, .key = rk, .ca = true, .not_before = NB, .not_after = NA });
    *ca = make_cert(g, &(CertSpec){ .cn = ca_cn,
                                    .issuer = *root,
                                    .issuer_key = rk,
                                    .key = *ca_key,
                                    .ca = true,
                                    .not_before = NB,
                                    .not_after = NA });
    EVP_PKEY_free(rk);
}

static GByteArray *
leaf(Gen *g, const char *name, X509 *ca, EVP_PKEY *ca_key, const char *san)
{
    g_autofree char *s = san ? NULL : g_strdup_printf("DNS:%s", name);
    X509 *x = make_cert(g, &(CertSpec){ .cn = name,
                                        .issuer = ca,
                                        .issuer_key = ca_key,
                                        .key = g->leaf_key,
                                        .san = san ? san : s,
                                        .not_before = NB,
                                        .not_after = NA });
    GByteArray *d = der_of(x);
    X509_free(x);
    return d;
}

static uint32_t
server_addr(unsigned i)
{
    return 0x0b000000u + i + 1; /* 11.0.0.1 ... */
}

static gboolean
run_leaves(Gen *g, unsigned n, GError **error)
{
    X509 *root, *ca;
    EVP_PKEY *ca_key;
    gboolean ok = TRUE;

    pki(g, "Corp Root CA", "Corp Issuing CA", &root, &ca, &ca_key);
    GByteArray *cad = der_of(ca);
    for (unsigned i = 0; ok && i < n; i++) {
        g_autofree char *name = g_strdup_printf("s%07u.corp.test", i);
        GByteArray *chain[2] = { leaf(g, name, ca, ca_key, NULL), cad };
        ok = connection(g, server_addr(i), name, chain, 2, NULL, 0, error);
        g_byte_array_free(chain[0], TRUE);
    }
    g_byte_array_free(cad, TRUE);
    X509_free(root);
    X509_free(ca);
    EVP_PKEY_free(ca_key);
    return ok;
}

static gboolean
run_roles(Gen *g, unsigned n, GError **error)
{
    X509 *r1, *c1, *r2, *c2;
    EVP_PKEY *k1, *k2;
    gboolean ok = TRUE;

    pki(g, "Lync Root CA", "Lync Issuing CA", &r1, &c1, &k1);
    pki(g, "Mail Root CA", "Mail Issuing CA", &r2, &c2, &k2);
    GByteArray *fe[2] = { leaf(g, "lyncdiscover.contoso.com", c1, k1, NULL), der_of(c1) };
    GByteArray *ex[2] = { leaf(g, "mail.contoso.com", c2, k2, NULL), der_of(c2) };
    for (unsigned i = 0; ok && i < n; i++) {
        bool is_fe = i % 2 == 0;
        ok = connection(g, server_addr(i), is_fe ? "lyncdiscover.contoso.com" : "mail.contoso.com",
                        is_fe ? fe : ex, 2, NULL, 0, error);
    }
    for (int i = 0; i < 2; i++) {
        g_byte_array_free(fe[i], TRUE);
        g_byte_array_free(ex[i], TRUE);
    }
    X509_free(r1), X509_free(c1), X509_free(r2), X509_free(c2);
    EVP_PKEY_free(k1), EVP_PKEY_free(k2);
    return ok;
}

static gboolean
run_lookalike(Gen *g, unsigned n, GError **error)
{
    gboolean ok = TRUE;
    EVP_PKEY *rk = ec_key();
    X509 *root = make_cert(g, &(CertSpec){ .cn = "Corp Root CA",
                                           .key = rk,
                                           .ca = true,
                                           .not_before = NB,
                                           .not_after = NA });

    for (unsigned i = 0; ok && i < n; i++) {
        EVP_PKEY *k = ec_key();
        X509 *ca = make_cert(g, &(CertSpec){ .cn = "Corp Issuing CA",
                                             .issuer = root,
                                             .issuer_key = rk,
                                             .key = k,
                                             .ca = true,
                                             .not_before = NB,
                                             .not_after = NA });
        g_autofree char *name = g_strdup_printf("s%07u.corp.test", i);
        GByteArray *chain[2] = { leaf(g, name, ca, k, NULL), der_of(ca) };
        ok = connection(g, server_addr(i), name, chain, 2, NULL, 0, error);
        g_byte_array_free(chain[0], TRUE);
        g_byte_array_free(chain[1], TRUE);
        X509_free(ca);
        EVP_PKEY_free(k);
    }
    X509_free(root);
    EVP_PKEY_free(rk);
    return ok;
}

static gboolean
run_samelen(Gen *g, unsigned n, GError **error)
{
    X509 *root, *ca;
    EVP_PKEY *ca_key;
    gboolean ok = TRUE;
    size_t len0 = 0;

    pki(g, "Corp Root CA", "Corp Issuing CA", &root, &ca, &ca_key);
    for (unsigned i = 0; ok && i < n; i++) {
        /* ECDSA signatures vary in length by a byte or two: keep only those of the first's. */
        GByteArray *d;
        while ((d = leaf(g, "www.corp.test", ca, ca_key, NULL))->len != len0 && len0 != 0)
            g_byte_array_free(d, TRUE);
        len0 = d->len;
        GByteArray *chain[1] = { d };
        ok = connection(g, server_addr(0), "www.corp.test", chain, 1, NULL, 0, error);
        g_byte_array_free(d, TRUE);
    }
    X509_free(root);
    X509_free(ca);
    EVP_PKEY_free(ca_key);
    return ok;
}

/* conns connections to one server whose leaf carries names dNSNames. */
static gboolean
names_leaf(Gen *g, unsigned names, unsigned conns, GError **error)
{
    X509 *root, *ca;
    EVP_PKEY *ca_key;
    GString *san = g_string_new("DNS:www.corp.test");
    gboolean ok = TRUE;

    pki(g, "Corp Root CA", "Corp Issuing CA", &root, &ca, &ca_key);
    for (unsigned i = 1; i < names; i++)
        g_string_append_printf(san, ",DNS:n%07u.corp.test", i);
    GByteArray *chain[2] = { leaf(g, "www.corp.test", ca, ca_key, san->str), der_of(ca) };
    for (unsigned i = 0; ok && i < conns; i++)
        ok = connection(g, server_addr(0), "www.corp.test", chain, 2, NULL, 0, error);
    g_byte_array_free(chain[0], TRUE);
    g_byte_array_free(chain[1], TRUE);
    g_string_free(san, TRUE);
    X509_free(root);
    X509_free(ca);
    EVP_PKEY_free(ca_key);
    return ok;
}

static gboolean
run_names(Gen *g, unsigned n, GError **error)
{
    return names_leaf(g, n, 1, error);
}

static gboolean
run_blind(Gen *g, unsigned n, GError **error)
{
    X509 *root, *ca;
    EVP_PKEY *ca_key;
    gboolean ok = TRUE;

    pki(g, "Junk Root CA", "Junk Issuing CA", &root, &ca, &ca_key);
    GByteArray *srv[2] = { leaf(g, "portal.junk.test", ca, ca_key, NULL), der_of(ca) };
    GByteArray *junk[JUNK_PER_CONN];
    for (unsigned i = 0; ok && i < n; i++) {
        for (unsigned k = 0; k < JUNK_PER_CONN; k++)
            junk[k] = leaf(g, "client.junk.test", ca, ca_key, NULL);
        ok = connection(g, server_addr(0), "portal.junk.test", srv, 2, junk, JUNK_PER_CONN, error);
        for (unsigned k = 0; k < JUNK_PER_CONN; k++)
            g_byte_array_free(junk[k], TRUE);
    }
    /* The victim: an Exchange server whose self-signed certificate expired 10 days ago. */
    EVP_PKEY *k = ec_key();
    X509 *x = make_cert(g, &(CertSpec){ .cn = "mail.contoso.com",
                                        .key = k,
                                        .san = "DNS:mail.contoso.com,DNS:autodiscover.contoso.com",
                                        .not_before = NB,
                                        .not_after = (int64_t)CAPTURE_TIME_S - 10 * DAY_S });
    GByteArray *ex[1] = { der_of(x) };
    ok = ok && connection(g, 0x0a010014u, "mail.contoso.com", ex, 1, NULL, 0, error);
    g_byte_array_free(ex[0], TRUE);
    g_byte_array_free(srv[0], TRUE);
    g_byte_array_free(srv[1], TRUE);
    X509_free(x);
    EVP_PKEY_free(k);
    X509_free(root);
    X509_free(ca);
    EVP_PKEY_free(ca_key);
    return ok;
}

/* RSA-2048 with a ~2000-bit odd public exponent: n = pq, d = e^-1 mod (p-1)(q-1), with the CRT
 * values so that signing stays fast. Key generation refuses such exponents, so it is built. */
static EVP_PKEY *
rsa_huge_exponent_key(void)
{
    BN_CTX *bc = BN_CTX_new();
    BIGNUM *p = BN_new(), *q = BN_new(), *n = BN_new(), *e = BN_new(), *d = BN_new();
    BIGNUM *p1 = BN_new(), *q1 = BN_new(), *phi = BN_new(), *g = BN_new();
    BIGNUM *dp = BN_new(), *dq = BN_new(), *qi = BN_new();
    EVP_PKEY *pk = NULL;

    BN_generate_prime_ex(p, 1024, 0, NULL, NULL, NULL);
    BN_generate_prime_ex(q, 1024, 0, NULL, NULL, NULL);
    BN_mul(n, p, q, bc);
    BN_sub(p1, p, BN_value_one());
    BN_sub(q1, q, BN_value_one());
    BN_mul(phi, p1, q1, bc);
    do
        BN_rand(e, 2000, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ODD);
    while (BN_gcd(g, e, phi, bc) != 1 || !BN_is_one(g));
    BN_mod_inverse(d, e, phi, bc);
    BN_mod(dp, d, p1, bc);
    BN_mod(dq, d, q1, bc);
    BN_mod_inverse(qi, q, p, bc);

    OSSL_PARAM_BLD *b = OSSL_PARAM_BLD_new();
    OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_N, n);
    OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_E, e);
    OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_D, d);
    OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_FACTOR1, p);
    OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_FACTOR2, q);
    OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_EXPONENT1, dp);
    OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_EXPONENT2, dq);
    OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, qi);
    OSSL_PARAM *params = OSSL_PARAM_BLD_to_param(b);
    EVP_PKEY_CTX *pc = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
    if (pc == NULL || EVP_PKEY_fromdata_init(pc) != 1 ||
        EVP_PKEY_fromdata(pc, &pk, EVP_PKEY_KEYPAIR, params) != 1)
        pk = NULL;
    EVP_PKEY_CTX_free(pc);
    OSSL_PARAM_free(params);
    OSSL_PARAM_BLD_free(b);
    BIGNUM *all[] = { p, q, n, e, d, p1, q1, phi, g, dp, dq, qi };
    for (size_t i = 0; i < G_N_ELEMENTS(all); i++)
        BN_clear_free(all[i]);
    BN_CTX_free(bc);
    return pk;
}

static gboolean
run_rsaexp(Gen *g, unsigned n, GError **error)
{
    EVP_PKEY *k = rsa_huge_exponent_key();
    gboolean ok = k != NULL;

    if (!ok)
        g_set_error(error, CG_ERROR, 1, "cannot build the RSA key");
    for (unsigned i = 0; ok && i < n; i++) {
        g_autofree char *name = g_strdup_printf("s%07u.corp.test", i);
        g_autofree char *san = g_strdup_printf("DNS:%s", name);
        X509 *x = make_cert(
                g,
                &(CertSpec){ .cn = name, .key = k, .san = san, .not_before = NB, .not_after = NA });
        GByteArray *chain[1] = { der_of(x) };
        ok = connection(g, server_addr(i), name, chain, 1, NULL, 0, error);
        g_byte_array_free(chain[0], TRUE);
        X509_free(x);
    }
    EVP_PKEY_free(k);
    return ok;
}

/* frag8's connections: its Certificate flight in one TCP segment, so one datagram. */
static gboolean
run_frag8(Gen *g, unsigned n, GError **error)
{
    g->net.impair.mss = 60000;
    g->net.impair.ip_frag_mtu = 28; /* 20-byte header + 8 bytes of data */
    return names_leaf(g, 1500, n, error);
}

static gboolean
run_unfrag(Gen *g, unsigned n, GError **error)
{
    return names_leaf(g, 1500, n, error);
}

static const struct {
    const char *name;
    gboolean (*run)(Gen *g, unsigned n, GError **error);
} scenarios[] = {
    { "leaves", run_leaves },   { "roles", run_roles }, { "lookalike", run_lookalike },
    { "samelen", run_samelen }, { "names", run_names }, { "blind", run_blind },
    { "rsaexp", run_rsaexp },   { "frag8", run_frag8 }, { "unfrag", run_unfrag },
};

int
main(int argc, char **argv)
{
    g_autofree char *scenario = NULL, *out = NULL, *der_out = NULL;
    int n = 0;
    GOptionEntry entries[] = {
        { "scenario", 0, 0, G_OPTION_ARG_STRING, &scenario, "scenario", "NAME" },
        { "n", 0, 0, G_OPTION_ARG_INT, &n, "size", "N" },
        { "out", 0, 0, G_OPTION_ARG_FILENAME, &out, "pcap file to write", "FILE" },
        { "der-out", 0, 0, G_OPTION_ARG_FILENAME, &der_out, "certificates sent", "FILE" },
        { NULL, 0, 0, 0, NULL, NULL, NULL },
    };
    GOptionContext *ctx = g_option_context_new("- captures for scaling tests");
    GError *error = NULL;
    Gen g = { 0 };
    gboolean (*run)(Gen *, unsigned, GError **) = NULL;

    g_option_context_add_main_entries(ctx, entries, NULL);
    if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
        fprintf(stderr, "scalegen: %s\n", error->message);
        return 2;
    }
    g_option_context_free(ctx);
    for (size_t i = 0; scenario != NULL && i < G_N_ELEMENTS(scenarios); i++)
        if (strcmp(scenarios[i].name, scenario) == 0)
            run = scenarios[i].run;
    if (run == NULL || out == NULL || n <= 0) {
        fprintf(stderr, "scalegen: want --scenario "
                        "leaves|roles|lookalike|samelen|names|blind|rsaexp|frag8|unfrag "
                        "--n N --out FILE\n");
        return 2;
    }
    g.pcap = cg_pcapw_open(out, CG_FORMAT_PCAP, CG_LINK_ETHER, 0, &error);
    if (g.pcap == NULL) {
        fprintf(stderr, "scalegen: %s\n", error->message);
        return 1;
    }
    if (der_out != NULL && (g.der_out = fopen(der_out, "wb")) == NULL) {
        fprintf(stderr, "scalegen: %s: cannot write\n", der_out);
        return 1;
    }
    g.written = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g.leaf_key = ec_key();
    g.net.impair.mss = 1460;
    g.net.rand = g_rand_new_with_seed(1);
    g.net.clock_ns = (uint64_t)CAPTURE_TIME_S * 1000000000u;
    g.net.emit = write_frame;
    g.net.emit_ctx = &g;
    gboolean ok = run(&g, (unsigned)n, &error) && cg_pcapw_close(g.pcap, &error);
    if (g.der_out != NULL && fclose(g.der_out) != 0)
        ok = FALSE;
    if (!ok) {
        fprintf(stderr, "scalegen: %s\n", error ? error->message : "cannot write");
        return 1;
    }
    g_hash_table_destroy(g.written);
    g_rand_free(g.net.rand);
    EVP_PKEY_free(g.leaf_key);
    return 0;
}
