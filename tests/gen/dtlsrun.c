/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dtlsrun.c - the "dtls" scenario: the PKI of "single" (root -> issuing CA ->
 * www.example.test), served over DTLS 1.2 (RFC 6347) on 192.0.2.10:4433.
 *
 * Client and server SSL objects (DTLS_method, cookie exchange on, MTU 400 so
 * the Certificate message travels in several fragments) talk over memory BIOs.
 * A BIO callback on each endpoint's write BIO records where each BIO_write
 * ends: OpenSSL writes one datagram per call, so those are the datagrams. Each
 * flight is written as IPv4/UDP packets, impaired as asked: --reorder swaps
 * neighbouring datagrams of a flight, --duplicate sends each datagram twice.
 * The peer always reads the original order (the impairment is on the wire
 * only). After the handshake each side sends one application datagram.
 *
 * The session owns the capture and truth files of TCP scenarios; a UDP
 * conversation is written here, so this scenario builds its PKI, lets the
 * session finish (it exports the PKI and closes its empty files) and then
 * writes both files itself through pcapw.h and truth.h.
 */
#include "dtlsrun.h"

#include "cgerror.h"
#include "scnutil.h"

#include <string.h>

#define DTLS_SERVER   CG_IPV4(192, 0, 2, 10)
#define DTLS_CLIENT   CG_IPV4(10, 1, 9, 10)
#define DTLS_PORT     4433
#define DTLS_MTU      400
#define PACKET_GAP_NS 250000u  /* 0.25 ms between packets */
#define FLIGHT_GAP_NS 2000000u /* 2 ms before each flight */
#define MAX_ROUNDS    32
#define COOKIE_LEN    16
#define IPV4_HDR_LEN  20
#define UDP_HDR_LEN   8
#define CLIENT_PORT   50443

/* Where one endpoint's datagrams end in its write BIO. */
typedef struct Sizes {
    GArray *len; /* size_t per datagram written */
} Sizes;

typedef struct Wire {
    CgPcapWriter *pcap;
    GRand *rand;
    const CgOptions *opt;
    uint64_t clock_ns;
    uint16_t ip_id;
} Wire;

static long
record_write(BIO *b, int oper, const char *argp, size_t len, int argi, long argl, int ret,
             size_t *processed)
{
    Sizes *sz = (void *)BIO_get_callback_arg(b);

    (void)argp, (void)len, (void)argi, (void)argl;
    if (oper == (BIO_CB_WRITE | BIO_CB_RETURN) && ret > 0 && processed != NULL)
        g_array_append_val(sz->len, *processed);
    return ret;
}

static int
cookie_generate(SSL *ssl, unsigned char *cookie, unsigned int *len)
{
    (void)ssl;
    memset(cookie, 0xc0, COOKIE_LEN);
    *len = COOKIE_LEN;
    return 1;
}

static int
cookie_verify(SSL *ssl, const unsigned char *cookie, unsigned int len)
{
    unsigned char expect[COOKIE_LEN];

    (void)ssl;
    memset(expect, 0xc0, COOKIE_LEN);
    return len == COOKIE_LEN && memcmp(cookie, expect, COOKIE_LEN) == 0;
}

static uint16_t
ip_checksum(const uint8_t *p, size_t n)
{
    uint32_t sum = 0;

    for (size_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

static void
put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}

/* One IPv4/UDP packet (UDP checksum 0: none, RFC 768) to the capture. */
static gboolean
send_datagram(Wire *w, bool from_client, const uint8_t *data, size_t len, GError **error)
{
    uint32_t src = from_client ? DTLS_CLIENT : DTLS_SERVER;
    uint32_t dst = from_client ? DTLS_SERVER : DTLS_CLIENT;
    uint16_t sport = from_client ? CLIENT_PORT : DTLS_PORT;
    uint16_t dport = from_client ? DTLS_PORT : CLIENT_PORT;
    size_t total = IPV4_HDR_LEN + UDP_HDR_LEN + len;
    g_autofree uint8_t *ip = g_malloc0(total);
    CgFrameMeta meta = { .ipv6 = false, .outgoing = from_client };

    ip[0] = 0x45;
    put16(ip + 2, (uint16_t)total);
    put16(ip + 4, w->ip_id++);
    ip[8] = 64;
    ip[9] = 17;
    put32(ip + 12, src);
    put32(ip + 16, dst);
    put16(ip + 10, ip_checksum(ip, IPV4_HDR_LEN));
    put16(ip + 20, sport);
    put16(ip + 22, dport);
    put16(ip + 24, (uint16_t)(UDP_HDR_LEN + len));
    memcpy(ip + IPV4_HDR_LEN + UDP_HDR_LEN, data, len);
    meta.src_mac[0] = meta.dst_mac[0] = 0x02;
    for (int i = 0; i < 4; i++) {
        meta.src_mac[2 + i] = (uint8_t)(src >> (24 - 8 * i));
        meta.dst_mac[2 + i] = (uint8_t)(dst >> (24 - 8 * i));
    }
    w->clock_ns += PACKET_GAP_NS;
    return cg_pcapw_write(w->pcap, w->clock_ns, &meta, ip, total, error);
}

/* Takes what the endpoint wrote since last time: hands it to the peer unchanged, and writes its
 * datagrams to the capture, impaired. */
static gboolean
flight(Wire *w, BIO *wbio, Sizes *sz, BIO *peer_rbio, bool from_client, GError **error)
{
    char *mem = NULL;
    long n = BIO_get_mem_data(wbio, &mem);
    const uint8_t *data = (const uint8_t *)mem;
    size_t count = sz->len->len, off = 0;
    g_autofree size_t *offs = g_new(size_t, count + 1);
    g_autofree guint *order = g_new(guint, count + 1);

    if (n <= 0) {
        g_array_set_size(sz->len, 0);
        return TRUE;
    }
    for (guint i = 0; i < count; i++) {
        offs[i] = off;
        off += g_array_index(sz->len, size_t, i);
        order[i] = i;
    }
    if (off != (size_t)n) {
        g_set_error(error, CG_ERROR, CG_ERROR_OPENSSL, "DTLS datagram sizes do not add up");
        return FALSE;
    }
    if (w->opt->impair.reorder) {
        for (guint i = 0; i + 1 < count; i += 2) {
            if (g_rand_boolean(w->rand)) {
                guint t = order[i];
                order[i] = order[i + 1];
                order[i + 1] = t;
            }
        }
    }
    w->clock_ns += FLIGHT_GAP_NS;
    for (guint i = 0; i < count; i++) {
        size_t k = order[i], len = g_array_index(sz->len, size_t, k);
        for (int copy = 0; copy < (w->opt->impair.duplicate ? 2 : 1); copy++)
            if (!send_datagram(w, from_client, data + offs[k], len, error))
                return FALSE;
    }
    if (BIO_write(peer_rbio, data, (int)n) != (int)n)
        return cg_error_ssl(error, "DTLS delivery");
    (void)BIO_reset(wbio);
    g_array_set_size(sz->len, 0);
    return TRUE;
}

static SSL_CTX *
server_ctx(const CgCert *leaf, const CgCert *ca, GError **error)
{
    SSL_CTX *ctx = SSL_CTX_new(DTLS_server_method());

    if (ctx == NULL || SSL_CTX_set_max_proto_version(ctx, DTLS1_2_VERSION) != 1 ||
        SSL_CTX_use_certificate(ctx, leaf->x509) != 1 ||
        SSL_CTX_use_PrivateKey(ctx, leaf->key) != 1 ||
        SSL_CTX_add1_chain_cert(ctx, ca->x509) != 1) {
        SSL_CTX_free(ctx);
        cg_error_ssl(error, "DTLS server context");
        return NULL;
    }
    SSL_CTX_set_mode(ctx, SSL_MODE_NO_AUTO_CHAIN);
    SSL_CTX_set_options(ctx, SSL_OP_COOKIE_EXCHANGE);
    SSL_CTX_set_cookie_generate_cb(ctx, cookie_generate);
    SSL_CTX_set_cookie_verify_cb(ctx, cookie_verify);
    return ctx;
}

static SSL_CTX *
client_ctx(GError **error)
{
    SSL_CTX *ctx = SSL_CTX_new(DTLS_client_method());

    if (ctx == NULL || SSL_CTX_set_max_proto_version(ctx, DTLS1_2_VERSION) != 1) {
        SSL_CTX_free(ctx);
        cg_error_ssl(error, "DTLS client context");
        return NULL;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    return ctx;
}

typedef struct Ends {
    SSL *ssl[2]; /* [0] client, [1] server */
    BIO *rbio[2], *wbio[2];
    Sizes sz[2];
} Ends;

static void
ends_clear(Ends *e)
{
    for (int i = 0; i < 2; i++) {
        SSL_free(e->ssl[i]); /* frees its BIOs */
        if (e->sz[i].len != NULL)
            g_array_free(e->sz[i].len, TRUE);
    }
}

static gboolean
ends_init(Ends *e, SSL_CTX *cctx, SSL_CTX *sctx, GError **error)
{
    SSL_CTX *ctx[2] = { cctx, sctx };

    for (int i = 0; i < 2; i++) {
        e->sz[i].len = g_array_new(FALSE, FALSE, sizeof(size_t));
        e->ssl[i] = SSL_new(ctx[i]);
        e->rbio[i] = BIO_new(BIO_s_mem());
        e->wbio[i] = BIO_new(BIO_s_mem());
        if (e->ssl[i] == NULL || e->rbio[i] == NULL || e->wbio[i] == NULL) {
            BIO_free(e->rbio[i]);
            BIO_free(e->wbio[i]);
            return cg_error_ssl(error, "DTLS endpoint");
        }
        BIO_set_mem_eof_return(e->rbio[i], -1);
        BIO_set_callback_ex(e->wbio[i], record_write);
        BIO_set_callback_arg(e->wbio[i], (char *)&e->sz[i]);
        SSL_set_bio(e->ssl[i], e->rbio[i], e->wbio[i]);
        SSL_set_options(e->ssl[i], SSL_OP_NO_QUERY_MTU);
        SSL_set_mtu(e->ssl[i], DTLS_MTU);
    }
    static char host[] = "www.example.test"; /* the macro casts away const */

    SSL_set_connect_state(e->ssl[0]);
    SSL_set_accept_state(e->ssl[1]);
    if (SSL_set_tlsext_host_name(e->ssl[0], host) != 1)
        return cg_error_ssl(error, "DTLS SNI");
    return TRUE;
}

static gboolean
handshake(Wire *w, Ends *e, GError **error)
{
    for (int round = 0; round < MAX_ROUNDS; round++) {
        for (int i = 0; i < 2; i++) {
            int r = SSL_do_handshake(e->ssl[i]);
            if (r <= 0 && SSL_get_error(e->ssl[i], r) != SSL_ERROR_WANT_READ)
                return cg_error_ssl(error,
                                    i == 0 ? "DTLS client handshake" : "DTLS server handshake");
            if (!flight(w, e->wbio[i], &e->sz[i], e->rbio[1 - i], i == 0, error))
                return FALSE;
        }
        if (SSL_is_init_finished(e->ssl[0]) && SSL_is_init_finished(e->ssl[1]))
            return TRUE;
    }
    g_set_error(error, CG_ERROR, CG_ERROR_OPENSSL, "DTLS handshake stalled");
    return FALSE;
}

static gboolean
application(Wire *w, Ends *e, GError **error)
{
    static const char msg[] = "ping";

    for (int i = 0; i < 2; i++) {
        if (SSL_write(e->ssl[i], msg, sizeof msg - 1) <= 0)
            return cg_error_ssl(error, "DTLS application data");
        if (!flight(w, e->wbio[i], &e->sz[i], e->rbio[1 - i], i == 0, error))
            return FALSE;
    }
    return TRUE;
}

static void
write_truth(CgTruth *t, CgSession *s, const CgCert *leaf, const CgCert *ca)
{
    const CgOptions *opt = cg_session_options(s);
    g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(opt->time);
    g_autofree char *when =
            dt != NULL ? g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ") : g_strdup("invalid");
    CgEndpoint server = { DTLS_SERVER, DTLS_PORT }, client = { DTLS_CLIENT, CLIENT_PORT };
    g_autoptr(GPtrArray) addrs = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) chain = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *cs = cg_endpoint_format(&client, false);
    g_autofree char *ss = cg_endpoint_format(&server, false);
    const GPtrArray *certs = cg_pki_certs(cg_session_pki(s));

    g_ptr_array_add(addrs, cg_endpoint_addr(&server, false));
    g_ptr_array_add(names, g_strdup("web"));
    cg_truth_scenario(t, opt->scenario, when, addrs, names);
    for (guint i = 0; i < certs->len; i++)
        cg_truth_certificate(t, g_ptr_array_index(certs, i));
    g_ptr_array_add(chain, cg_pki_digest_hex(leaf->x509, "SHA1"));
    g_ptr_array_add(chain, cg_pki_digest_hex(ca->x509, "SHA1"));
    CgTruthConn conn = {
        .client = cs,
        .server = ss,
        .sni = "www.example.test",
        .version = "DTLS 1.2",
        .chain = chain,
    };
    cg_truth_connection(t, &conn);
}

static gboolean
run(CgSession *s, const CgCert *leaf, const CgCert *ca, GError **error)
{
    const CgOptions *opt = cg_session_options(s);
    SSL_CTX *sctx = server_ctx(leaf, ca, error);
    SSL_CTX *cctx = sctx != NULL ? client_ctx(error) : NULL;
    Wire w = { .rand = cg_session_rand(s), .opt = opt };
    Ends e = { 0 };
    CgTruth *t = NULL;
    gboolean ok = cctx != NULL;

    /* the first packet at exactly --time, as in the TCP scenarios */
    w.clock_ns = (uint64_t)opt->time * 1000000000u - FLIGHT_GAP_NS - PACKET_GAP_NS;
    w.ip_id = (uint16_t)g_rand_int_range(w.rand, 1, 65536);
    if (ok)
        w.pcap = cg_pcapw_open(opt->out, opt->format, opt->link, opt->snaplen, error);
    ok = ok && w.pcap != NULL && (t = cg_truth_open(opt->truth, error)) != NULL;
    ok = ok && ends_init(&e, cctx, sctx, error) && handshake(&w, &e, error) &&
         application(&w, &e, error);
    if (ok)
        write_truth(t, s, leaf, ca);
    ends_clear(&e);
    SSL_CTX_free(cctx);
    SSL_CTX_free(sctx);
    ok = cg_pcapw_close(w.pcap, ok ? error : NULL) && ok;
    ok = cg_truth_close(t, ok ? error : NULL) && ok;
    return ok;
}

gboolean
cg_dtls_scenario(CgSession *s, GError **error)
{
    CgRdn root_dn[] = { { "CN", "Example Test Root CA" }, { "O", "Example Test" } };
    CgRdn ca_dn[] = { { "CN", "Example Test Issuing CA" }, { "O", "Example Test" } };
    const char *sans[] = { "www.example.test", "example.test", NULL };
    const CgOptions *opt = cg_session_options(s);
    CgCert *root, *ca, *leaf;

    if (opt->impair.ipv6 || opt->loss || opt->seq_wrap || opt->impair.ip_frag_mtu != 0) {
        g_set_error(error, CG_ERROR, CG_ERROR_USAGE,
                    "scenario dtls takes only --reorder, --duplicate, --link and --format");
        return FALSE;
    }
    cg_pki_prefetch_rsa(cg_session_pki(s), 1);
    root = cg_scn_ca(s, "example-root", root_dn, 2, NULL, error);
    ca = root != NULL ? cg_scn_ca(s, "example-issuing", ca_dn, 2, root, error) : NULL;
    leaf = ca != NULL ? cg_scn_leaf(s, "example-www", sans, "example.test", ca, NULL, error) : NULL;
    /* The session's own files are for TCP scenarios: let it export the PKI and close them. */
    if (leaf == NULL || !cg_session_finish(s, error))
        return FALSE;
    return run(s, leaf, ca, error);
}
