/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * session.c - runs connections: TLS handshake -> packets -> truth line.
 *
 * Per connection:
 *   1. run the real handshake in memory (tlsrun.c);
 *   2. find the server's Certificate message in its bytes (tlswire.c): its
 *      hashes become the truth chain; its position places --loss and --seq-wrap;
 *   3. pick ISNs (random from --seed, or wrapping inside the Certificate);
 *   4. send SYN / flights / application data / FIN as packets (tcpsynth.c);
 *   5. write the truth "connection" line.
 */
#include "session.h"

#include "cgerror.h"
#include "tlswire.h"

#include <string.h>

enum {
    BULK_CHUNK = 65536, /* plaintext per SSL_write of bulk data */
    PORT_FIRST = 49152, /* IANA dynamic port range */
    PORT_COUNT = 16384,
};

struct CgSession {
    const CgOptions *opt;
    CgPki *pki;
    CgPcapWriter *pcap;
    CgTruth *truth;
    GRand *rand;
    CgTcpNet net;
    unsigned next_port; /* offset into the dynamic range */
    bool loss_done;     /* --loss applies to one connection only */
    GPtrArray *role_addrs;
    GPtrArray *role_names;
    GPtrArray *contexts; /* SSL_CTX*, owned */
    uint8_t *bulk_plain; /* BULK_CHUNK bytes of application data */
    GString *conn_keys;  /* key log lines of the connection being run */
    GString *all_keys;   /* key log lines of every connection (--keylog) */
};

static gboolean
write_frame(void *ctx, uint64_t ts_ns, const CgEndpoint *src, const CgEndpoint *dst,
            bool from_client, const uint8_t *ip, size_t len, GError **error)
{
    CgSession *s = ctx;
    CgFrameMeta meta = { .ipv6 = s->opt->impair.ipv6, .outgoing = from_client };

    /* Locally administered MACs 02:00:a:b:c:d, fixed per host. */
    meta.src_mac[0] = meta.dst_mac[0] = 0x02;
    for (int i = 0; i < 4; i++) {
        meta.src_mac[2 + i] = (uint8_t)(src->v4 >> (24 - 8 * i));
        meta.dst_mac[2 + i] = (uint8_t)(dst->v4 >> (24 - 8 * i));
    }
    return cg_pcapw_write(s->pcap, ts_ns, &meta, ip, len, error);
}

CgSession *
cg_session_new(const CgOptions *opt, GError **error)
{
    CgSession *s = g_new0(CgSession, 1);

    s->opt = opt;
    s->pki = cg_pki_new();
    s->rand = g_rand_new_with_seed(opt->seed);
    s->role_addrs = g_ptr_array_new_with_free_func(g_free);
    s->role_names = g_ptr_array_new_with_free_func(g_free);
    s->contexts = g_ptr_array_new_with_free_func((GDestroyNotify)SSL_CTX_free);
    s->net.impair = opt->impair;
    s->net.rand = s->rand;
    s->net.clock_ns = (uint64_t)opt->time * 1000000000u;
    s->net.ip_id = (uint16_t)g_rand_int_range(s->rand, 1, 65536);
    s->net.emit = write_frame;
    s->net.emit_ctx = s;
    s->next_port = (unsigned)g_rand_int_range(s->rand, 0, PORT_COUNT);
    s->bulk_plain = g_malloc(BULK_CHUNK);
    s->conn_keys = g_string_new(NULL);
    s->all_keys = g_string_new(NULL);
    for (size_t i = 0; i < BULK_CHUNK; i++)
        s->bulk_plain[i] = (uint8_t)('A' + i % 26);
    s->pcap = cg_pcapw_open(opt->out, opt->format, opt->link, opt->snaplen, error);
    if (s->pcap != NULL)
        s->truth = cg_truth_open(opt->truth, error);
    if (s->truth == NULL) {
        cg_session_free(s);
        return NULL;
    }
    return s;
}

void
cg_session_free(CgSession *s)
{
    if (s == NULL)
        return;
    cg_pcapw_close(s->pcap, NULL);
    cg_truth_close(s->truth, NULL);
    g_ptr_array_free(s->contexts, TRUE);
    g_ptr_array_free(s->role_addrs, TRUE);
    g_ptr_array_free(s->role_names, TRUE);
    cg_pki_free(s->pki);
    g_rand_free(s->rand);
    g_free(s->bulk_plain);
    g_string_free(s->conn_keys, TRUE);
    g_string_free(s->all_keys, TRUE);
    g_free(s);
}

const CgOptions *
cg_session_options(const CgSession *s)
{
    return s->opt;
}

CgPki *
cg_session_pki(CgSession *s)
{
    return s->pki;
}

GRand *
cg_session_rand(CgSession *s)
{
    return s->rand;
}

void
cg_session_role(CgSession *s, uint32_t v4, const char *role)
{
    CgEndpoint ep = { v4, 0 };

    g_ptr_array_add(s->role_addrs, cg_endpoint_addr(&ep, s->opt->impair.ipv6));
    g_ptr_array_add(s->role_names, g_strdup(role));
}

void
cg_session_begin(CgSession *s, const char *name)
{
    g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(s->opt->time);
    g_autofree char *when =
            dt != NULL ? g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ") : g_strdup("invalid");

    cg_truth_scenario(s->truth, name, when, s->role_addrs, s->role_names);
}

void
cg_session_certificates(CgSession *s)
{
    const GPtrArray *certs = cg_pki_certs(s->pki);

    for (guint i = 0; i < certs->len; i++)
        cg_truth_certificate(s->truth, g_ptr_array_index(certs, i));
}

SSL_CTX *
cg_session_server_ctx(CgSession *s, const CgCert *leaf, CgCert *const *chain, size_t chain_count,
                      const CgTlsParams *params, GError **error)
{
    SSL_CTX *ctx = cg_tls_server_ctx_new(leaf, chain, chain_count, params, error);

    if (ctx != NULL)
        g_ptr_array_add(s->contexts, ctx);
    return ctx;
}

/* OpenSSL's key log callback (SSLKEYLOGFILE format): one line per secret, no newline. */
static void
on_keylog(const SSL *ssl, const char *line)
{
    CgSession *s = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));

    g_string_append(s->conn_keys, line);
    g_string_append_c(s->conn_keys, '\n');
}

SSL_CTX *
cg_session_client_ctx(CgSession *s, const CgTlsParams *params, X509 *trust, GError **error)
{
    SSL_CTX *ctx = cg_tls_client_ctx_new(params, trust, error);

    if (ctx != NULL)
        g_ptr_array_add(s->contexts, ctx);
    if (ctx != NULL && (s->opt->keylog != NULL || s->opt->dsb)) {
        SSL_CTX_set_app_data(ctx, s);
        SSL_CTX_set_keylog_callback(ctx, on_keylog);
    }
    return ctx;
}

/* The connection's secrets: a Decryption Secrets Block before its packets (--dsb), and the
 * --keylog file's lines. */
static gboolean
take_keys(CgSession *s, GError **error)
{
    gboolean ok = TRUE;

    if (s->opt->dsb && s->conn_keys->len > 0)
        ok = cg_pcapw_write_dsb(s->pcap, s->conn_keys->str, s->conn_keys->len, error);
    g_string_append_len(s->all_keys, s->conn_keys->str, (gssize)s->conn_keys->len);
    g_string_truncate(s->conn_keys, 0);
    return ok;
}

/* Server ISN: random, or placed so the sequence space wraps mid-Certificate. */
static uint32_t
server_isn(CgSession *s, const CgWireInfo *wire)
{
    if (!s->opt->seq_wrap)
        return g_rand_int(s->rand);
    if (!wire->has_certificate)
        return 0xffffff00u; /* still wraps within the first flight */
    /* Byte k has seq isn + 1 + k; make the middle byte's seq 0. */
    return 0xffffffffu - (uint32_t)((wire->cert_start + wire->cert_end) / 2);
}

static GByteArray *
server_stream(const CgTlsRun *run)
{
    GByteArray *all = g_byte_array_new();

    for (guint i = 0; i < run->flights->len; i++) {
        const CgFlight *f = g_ptr_array_index(run->flights, i);
        if (f->dir == CG_DIR_S2C)
            g_byte_array_append(all, f->bytes->data, f->bytes->len);
    }
    return all;
}

/* How many flights go on the wire: all, or with silent_reset up to the server's first. */
static guint
flights_sent(const CgTlsRun *run, const CgConnSpec *spec)
{
    for (guint i = 0; spec->silent_reset && i < run->flights->len; i++) {
        const CgFlight *f = g_ptr_array_index(run->flights, i);
        if (f->dir == CG_DIR_S2C)
            return i + 1;
    }
    return run->flights->len;
}

static gboolean
send_handshake(CgTcpConn *tcp, const CgTlsRun *run, const CgConnSpec *spec, int64_t drop_off,
               GError **error)
{
    int64_t server_off = 0;
    guint n = flights_sent(run, spec);

    for (guint i = 0; i < n; i++) {
        const CgFlight *f = g_ptr_array_index(run->flights, i);
        int64_t drop = f->dir == CG_DIR_S2C && drop_off >= 0 ? drop_off - server_off : -1;
        if (!cg_tcp_conn_send(tcp, f->dir, f->bytes->data, f->bytes->len, drop, error))
            return FALSE;
        if (f->dir == CG_DIR_S2C)
            server_off += f->bytes->len;
    }
    return TRUE;
}

/* One SSL_write from `dir`, sent as one flight. */
static gboolean
send_app(CgTcpConn *tcp, CgTlsRun *run, CgDir dir, const void *data, size_t len, bool deliver,
         GError **error)
{
    GByteArray *wire = g_byte_array_new();
    gboolean ok = cg_tls_run_write(run, dir, data, len, wire, deliver, error) &&
                  cg_tcp_conn_send(tcp, dir, wire->data, wire->len, -1, error);

    g_byte_array_unref(wire);
    return ok;
}

static gboolean
send_application(CgSession *s, CgTcpConn *tcp, CgTlsRun *run, const CgConnSpec *spec,
                 GError **error)
{
    g_autofree char *req = g_strdup_printf("GET / HTTP/1.1\r\nHost: %s\r\n\r\n",
                                           spec->sni != NULL ? spec->sni : "server");
    static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

    if (!send_app(tcp, run, CG_DIR_C2S, req, strlen(req), true, error) ||
        !send_app(tcp, run, CG_DIR_S2C, resp, sizeof(resp) - 1, true, error))
        return FALSE;
    /* Bulk data is encrypted for real but never read back: the client's
     * buffers would otherwise grow with --bulk. */
    for (uint64_t left = spec->bulk; left > 0;) {
        size_t n = (size_t)MIN(left, (uint64_t)BULK_CHUNK);
        if (!send_app(tcp, run, CG_DIR_S2C, s->bulk_plain, n, false, error))
            return FALSE;
        left -= n;
    }
    return TRUE;
}

/* TLS 1.3 with --keylog/--dsb: the chain is encrypted on the wire but a key log reader sees it;
 * the truth is what the client received (OpenSSL keeps it as sent, leaf first). */
static GPtrArray *
decrypted_chain(const CgTlsRun *run)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    STACK_OF(X509) *sk = SSL_get_peer_cert_chain(run->ssl[CG_DIR_C2S]);

    for (int i = 0; sk != NULL && i < sk_X509_num(sk); i++) {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int n = 0;
        if (X509_digest(sk_X509_value(sk, i), EVP_sha1(), md, &n) != 1)
            continue;
        GString *hex = g_string_new(NULL);
        for (unsigned j = 0; j < n; j++)
            g_string_append_printf(hex, "%02X", md[j]);
        g_ptr_array_add(out, g_string_free(hex, FALSE));
    }
    return out;
}

static void
write_truth(CgSession *s, const CgTcpConn *tcp, const CgConnSpec *spec, const CgTlsRun *run,
            const CgWireInfo *wire, bool truncated)
{
    bool keys = s->opt->keylog != NULL || s->opt->dsb;
    g_autoptr(GPtrArray) opened = NULL;
    if (keys && !truncated && wire->chain->len == 0 && run->complete && !run->resumed &&
        SSL_version(run->ssl[CG_DIR_C2S]) == TLS1_3_VERSION)
        opened = decrypted_chain(run);
    g_autofree char *client = cg_endpoint_format(&tcp->ep[CG_DIR_C2S], s->opt->impair.ipv6);
    g_autofree char *server = cg_endpoint_format(&tcp->ep[CG_DIR_S2C], s->opt->impair.ipv6);
    GPtrArray *empty = g_ptr_array_new();
    CgTruthConn t = {
        .client = client,
        .server = server,
        .sni = spec->sni,
        .version = cg_tls_run_version(run),
        .chain = truncated        ? empty
                 : opened != NULL ? opened
                                  : wire->chain,
        .alert = run->alert >= 0 && !spec->silent_reset ? cg_tls_alert_name(run->alert) : NULL,
        .truncated = truncated,
        .resumed = run->resumed,
    };

    cg_truth_connection(s->truth, &t);
    g_ptr_array_free(empty, TRUE);
}

static gboolean
transmit(CgSession *s, const CgConnSpec *spec, CgTlsRun *run, GError **error)
{
    g_autoptr(GByteArray) stream = server_stream(run);
    CgWireInfo wire;
    CgTcpConn tcp;
    CgEndpoint client = { spec->client_v4, (uint16_t)(PORT_FIRST + s->next_port) };
    int64_t drop_off = -1;
    uint32_t isn_client = g_rand_int(s->rand);
    gboolean ok;

    s->next_port = (s->next_port + 1) % PORT_COUNT;
    cg_tlswire_scan_server(stream->data, stream->len, &wire);
    if (s->opt->loss && !s->loss_done && wire.has_certificate) {
        drop_off = (int64_t)((wire.cert_start + wire.cert_end) / 2);
        s->loss_done = true;
    }
    cg_tcp_conn_init(&tcp, &s->net, &client, &spec->server, isn_client, server_isn(s, &wire));
    ok = take_keys(s, error) && cg_tcp_conn_open(&tcp, error) &&
         send_handshake(&tcp, run, spec, drop_off, error);
    if (ok && spec->silent_reset)
        ok = cg_tcp_conn_reset(&tcp, CG_DIR_C2S, error);
    else if (ok)
        ok = (!run->complete || send_application(s, &tcp, run, spec, error)) &&
             cg_tcp_conn_close(&tcp, error);
    if (ok)
        write_truth(s, &tcp, spec, run, &wire, drop_off >= 0);
    cg_wire_info_clear(&wire);
    return ok;
}

gboolean
cg_session_connect(CgSession *s, const CgConnSpec *spec, GError **error)
{
    CgTlsRun *run =
            cg_tls_run_new(spec->client_ctx, spec->server_ctx, spec->sni, spec->resume, error);
    gboolean ok = run != NULL && cg_tls_run_handshake(run, error) &&
                  (!spec->renegotiate || !run->complete || cg_tls_run_renegotiate(run, error)) &&
                  transmit(s, spec, run, error);

    if (ok && spec->save != NULL && run->complete) {
        SSL_SESSION_free(*spec->save);
        *spec->save = cg_tls_run_session(run);
    }
    cg_tls_run_free(run);
    return ok;
}

gboolean
cg_session_finish(CgSession *s, GError **error)
{
    gboolean ok = s->opt->export_pki == NULL || cg_pki_export(s->pki, s->opt->export_pki, error);
    CgPcapWriter *pcap = s->pcap;
    CgTruth *truth = s->truth;

    s->pcap = NULL;
    s->truth = NULL;
    if (ok && s->opt->keylog != NULL)
        ok = g_file_set_contents(s->opt->keylog, s->all_keys->str, (gssize)s->all_keys->len, error);
    ok = cg_pcapw_close(pcap, ok ? error : NULL) && ok;
    ok = cg_truth_close(truth, ok ? error : NULL) && ok;
    return ok;
}
