/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tlsrun.c - in-process TLS handshakes over memory BIOs.
 *
 * The pump, until neither side makes progress:
 *   1. let the client run its state machine (SSL_do_handshake) unless it has
 *      finished or failed;
 *   2. move what it wrote into the transcript and the server's read BIO;
 *   3. the same for the server.
 * A side that fails (e.g. the client rejecting the server's chain) has already
 * written its fatal alert, which step 2/3 moves like any other bytes: OpenSSL
 * itself chooses and sends the alert (RFC 5246 §7.2.2, RFC 8446 §6.2).
 */
#include "tlsrun.h"

#include "cgerror.h"

#include <openssl/err.h>

static const struct {
    int desc;
    const char *name;
} alert_names[] = {
    { 0, "close_notify" },
    { 10, "unexpected_message" },
    { 20, "bad_record_mac" },
    { 22, "record_overflow" },
    { 40, "handshake_failure" },
    { 42, "bad_certificate" },
    { 43, "unsupported_certificate" },
    { 44, "certificate_revoked" },
    { 45, "certificate_expired" },
    { 46, "certificate_unknown" },
    { 47, "illegal_parameter" },
    { 48, "unknown_ca" },
    { 49, "access_denied" },
    { 50, "decode_error" },
    { 51, "decrypt_error" },
    { 70, "protocol_version" },
    { 71, "insufficient_security" },
    { 80, "internal_error" },
    { 86, "inappropriate_fallback" },
    { 90, "user_canceled" },
    { 109, "missing_extension" },
    { 110, "unsupported_extension" },
    { 112, "unrecognized_name" },
    { 116, "certificate_required" },
    { 120, "no_application_protocol" },
};

const char *
cg_tls_alert_name(int desc)
{
    for (size_t i = 0; i < G_N_ELEMENTS(alert_names); i++) {
        if (alert_names[i].desc == desc)
            return alert_names[i].name;
    }
    return NULL;
}

static gboolean
apply_params(SSL_CTX *ctx, const CgTlsParams *p)
{
    if (p->legacy) {
        /* OpenSSL 3 refuses TLS < 1.2, SHA-1 and RSA 1024 above level 0. */
        SSL_CTX_set_security_level(ctx, 0);
        if (!SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0"))
            return FALSE;
    }
    if (p->ciphers != NULL && !SSL_CTX_set_cipher_list(ctx, p->ciphers))
        return FALSE;
    return SSL_CTX_set_min_proto_version(ctx, p->min_version) &&
           SSL_CTX_set_max_proto_version(ctx, p->max_version);
}

gboolean
cg_tls_server_require_client_cert(SSL_CTX *server, X509 *trust, GError **error)
{
    if (X509_STORE_add_cert(SSL_CTX_get_cert_store(server), trust) != 1) {
        cg_error_ssl(error, "server trust store");
        return FALSE;
    }
    SSL_CTX_set_verify(server, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
    return TRUE;
}

gboolean
cg_tls_client_use_cert(SSL_CTX *client, const CgCert *leaf, CgCert *const *chain,
                       size_t chain_count, GError **error)
{
    gboolean ok = SSL_CTX_use_certificate(client, leaf->x509) == 1 &&
                  SSL_CTX_use_PrivateKey(client, leaf->key) == 1;

    for (size_t i = 0; ok && i < chain_count; i++)
        ok = SSL_CTX_add1_chain_cert(client, chain[i]->x509) == 1;
    if (!ok) {
        cg_error_ssl(error, "client certificate");
        return FALSE;
    }
    SSL_CTX_set_mode(client, SSL_MODE_NO_AUTO_CHAIN);
    return TRUE;
}

SSL_CTX *
cg_tls_server_ctx_new(const CgCert *leaf, CgCert *const *chain, size_t chain_count,
                      const CgTlsParams *params, GError **error)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    gboolean ok = ctx != NULL && apply_params(ctx, params) &&
                  SSL_CTX_use_certificate(ctx, leaf->x509) == 1 &&
                  SSL_CTX_use_PrivateKey(ctx, leaf->key) == 1;

    for (size_t i = 0; ok && i < chain_count; i++)
        ok = SSL_CTX_add1_chain_cert(ctx, chain[i]->x509) == 1;
    if (!ok) {
        SSL_CTX_free(ctx);
        cg_error_ssl(error, "server context");
        return NULL;
    }
    /* Send exactly the configured chain, even when it is incomplete. */
    SSL_CTX_set_mode(ctx, SSL_MODE_NO_AUTO_CHAIN);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
    SSL_CTX_set_session_id_context(ctx, (const unsigned char *)"capgen", 6);
    return ctx;
}

SSL_CTX *
cg_tls_client_ctx_new(const CgTlsParams *params, X509 *trust, GError **error)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

    if (ctx == NULL || !apply_params(ctx, params) ||
        (trust != NULL && X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx), trust) != 1)) {
        SSL_CTX_free(ctx);
        cg_error_ssl(error, "client context");
        return NULL;
    }
    SSL_CTX_set_verify(ctx, trust != NULL ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT);
    return ctx;
}

static void
info_cb(const SSL *ssl, int where, int ret)
{
    CgTlsRun *run = SSL_get_app_data(ssl);

    /* ret = level << 8 | description (RFC 5246 §7.2); keep the first fatal. */
    if ((where & SSL_CB_WRITE_ALERT) != 0 && (ret >> 8) == SSL3_AL_FATAL && run->alert < 0)
        run->alert = ret & 0xff;
}

static gboolean
setup_side(CgTlsRun *run, CgDir dir, SSL_CTX *ctx)
{
    run->ssl[dir] = SSL_new(ctx);
    run->rbio[dir] = BIO_new(BIO_s_mem());
    run->wbio[dir] = BIO_new(BIO_s_mem());
    if (run->ssl[dir] == NULL || run->rbio[dir] == NULL || run->wbio[dir] == NULL)
        return FALSE;
    /* An empty read BIO means "retry later", not end of stream. */
    BIO_set_mem_eof_return(run->rbio[dir], -1);
    BIO_up_ref(run->rbio[dir]);
    BIO_up_ref(run->wbio[dir]);
    SSL_set_bio(run->ssl[dir], run->rbio[dir], run->wbio[dir]);
    SSL_set_app_data(run->ssl[dir], run);
    SSL_set_info_callback(run->ssl[dir], info_cb);
    return TRUE;
}

static void
flight_free(gpointer p)
{
    CgFlight *f = p;

    g_byte_array_unref(f->bytes);
    g_free(f);
}

CgTlsRun *
cg_tls_run_new(SSL_CTX *client, SSL_CTX *server, const char *sni, SSL_SESSION *resume,
               GError **error)
{
    CgTlsRun *run = g_new0(CgTlsRun, 1);
    /* SSL_set_tlsext_host_name is a macro that casts its argument to void *: give it a copy. */
    g_autofree char *host = g_strdup(sni);

    run->alert = -1;
    run->flights = g_ptr_array_new_with_free_func(flight_free);
    if (!setup_side(run, CG_DIR_C2S, client) || !setup_side(run, CG_DIR_S2C, server) ||
        (host != NULL && SSL_set_tlsext_host_name(run->ssl[CG_DIR_C2S], host) != 1) ||
        (resume != NULL && SSL_set_session(run->ssl[CG_DIR_C2S], resume) != 1)) {
        cg_error_ssl(error, "connection setup");
        cg_tls_run_free(run);
        return NULL;
    }
    SSL_set_connect_state(run->ssl[CG_DIR_C2S]);
    SSL_set_accept_state(run->ssl[CG_DIR_S2C]);
    return run;
}

void
cg_tls_run_free(CgTlsRun *run)
{
    if (run == NULL)
        return;
    for (int d = 0; d < 2; d++) {
        /* The TCP connection closes without close_notify; mark the SSL shut
         * down anyway, or OpenSSL makes the session non-resumable. */
        if (run->ssl[d] != NULL && run->complete)
            SSL_set_shutdown(run->ssl[d], SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
        SSL_free(run->ssl[d]);
        BIO_free(run->rbio[d]);
        BIO_free(run->wbio[d]);
    }
    g_ptr_array_free(run->flights, TRUE);
    g_free(run);
}

/* Move what the endpoint sending in `dir` wrote; returns the byte count. */
static size_t
drain(CgTlsRun *run, CgDir dir, GByteArray *wire, bool deliver)
{
    char *data = NULL;
    long len = BIO_get_mem_data(run->wbio[dir], &data);

    if (len <= 0)
        return 0;
    g_byte_array_append(wire, (const guint8 *)data, (guint)len);
    if (deliver)
        BIO_write(run->rbio[1 - dir], data, (int)len);
    (void)BIO_reset(run->wbio[dir]);
    return (size_t)len;
}

static size_t
record_flight(CgTlsRun *run, CgDir dir)
{
    CgFlight *last =
            run->flights->len > 0 ? g_ptr_array_index(run->flights, run->flights->len - 1) : NULL;

    if (BIO_ctrl_pending(run->wbio[dir]) == 0)
        return 0;
    if (last == NULL || last->dir != dir) {
        last = g_new0(CgFlight, 1);
        last->dir = dir;
        last->bytes = g_byte_array_new();
        g_ptr_array_add(run->flights, last);
    }
    return drain(run, dir, last->bytes, true);
}

/* One state-machine step; returns false once this side has failed. */
static bool
step(CgTlsRun *run, CgDir dir, bool *done)
{
    int rc;
    int err;

    if (*done)
        return true;
    rc = SSL_do_handshake(run->ssl[dir]);
    if (rc == 1) {
        *done = true;
        return true;
    }
    err = SSL_get_error(run->ssl[dir], rc);
    return err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE;
}

gboolean
cg_tls_run_handshake(CgTlsRun *run, GError **error)
{
    bool done[2] = { false, false };
    bool alive[2] = { true, true };

    for (int iter = 0; iter < 64; iter++) {
        size_t moved = 0;

        for (int d = 0; d < 2; d++) {
            if (alive[d])
                alive[d] = step(run, (CgDir)d, &done[d]);
            moved += record_flight(run, (CgDir)d);
        }
        if (moved == 0 && ((done[0] && done[1]) || !alive[0] || !alive[1])) {
            ERR_clear_error(); /* a rejected handshake leaves its reason queued */
            run->complete = done[0] && done[1];
            run->resumed = run->complete && SSL_session_reused(run->ssl[CG_DIR_C2S]) == 1;
            return TRUE;
        }
    }
    g_set_error(error, CG_ERROR, CG_ERROR_OPENSSL, "TLS handshake made no progress");
    return FALSE;
}

static int
accept_any(int ok, X509_STORE_CTX *ctx)
{
    (void)ok, (void)ctx;
    return 1;
}

gboolean
cg_tls_run_renegotiate(CgTlsRun *run, GError **error)
{
    SSL *srv = run->ssl[CG_DIR_S2C], *cli = run->ssl[CG_DIR_C2S];
    char buf[256];

    SSL_set_verify(srv, SSL_VERIFY_PEER, accept_any);
    /* A full handshake, as IIS does to ask for a client certificate, not a resumption. */
    SSL_set_options(srv, SSL_OP_NO_SESSION_RESUMPTION_ON_RENEGOTIATION);
    if (SSL_renegotiate(srv) != 1)
        return cg_error_ssl(error, "SSL_renegotiate");
    for (int iter = 0; iter < 64; iter++) {
        size_t moved = 0;
        /* SSL_do_handshake sends the HelloRequest; from then on both sides take part in the
         * handshake from inside SSL_read, as an application would. */
        if (iter == 0)
            (void)SSL_do_handshake(srv);
        else
            (void)SSL_read(srv, buf, sizeof(buf));
        moved += record_flight(run, CG_DIR_S2C);
        (void)SSL_read(cli, buf, sizeof(buf));
        moved += record_flight(run, CG_DIR_C2S);
        if (moved == 0 && SSL_renegotiate_pending(srv) == 0) {
            ERR_clear_error();
            return TRUE;
        }
    }
    g_set_error(error, CG_ERROR, CG_ERROR_OPENSSL, "TLS renegotiation made no progress");
    return FALSE;
}

static gboolean
consume(CgTlsRun *run, CgDir reader)
{
    char buf[16384];

    for (;;) {
        int rc = SSL_read(run->ssl[reader], buf, sizeof(buf));
        if (rc <= 0) {
            int err = SSL_get_error(run->ssl[reader], rc);
            return err == SSL_ERROR_WANT_READ;
        }
    }
}

gboolean
cg_tls_run_write(CgTlsRun *run, CgDir dir, const void *data, size_t len, GByteArray *wire,
                 bool deliver, GError **error)
{
    size_t written = 0;

    if (len > (size_t)INT_MAX) {
        g_set_error(error, CG_ERROR, CG_ERROR_USAGE, "TLS write too large");
        return FALSE;
    }
    if (len > 0 && (SSL_write_ex(run->ssl[dir], data, len, &written) != 1 || written != len))
        return cg_error_ssl(error, "SSL_write");
    drain(run, dir, wire, deliver);
    if (deliver && !consume(run, (CgDir)(1 - dir)))
        return cg_error_ssl(error, "SSL_read");
    /* Reading may make the peer answer (TLS 1.3 tickets are read here); those
     * bytes are not part of this exchange, so drop them. */
    (void)BIO_reset(run->wbio[1 - dir]);
    return TRUE;
}

const char *
cg_tls_run_version(const CgTlsRun *run)
{
    switch (SSL_version(run->ssl[CG_DIR_C2S])) {
    case TLS1_VERSION:
        return "TLS 1.0";
    case TLS1_1_VERSION:
        return "TLS 1.1";
    case TLS1_2_VERSION:
        return "TLS 1.2";
    case TLS1_3_VERSION:
        return "TLS 1.3";
    default:
        return "unknown";
    }
}

SSL_SESSION *
cg_tls_run_session(const CgTlsRun *run)
{
    return SSL_get1_session(run->ssl[CG_DIR_C2S]);
}
