/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tlsrun.h - real TLS handshakes between two in-process OpenSSL endpoints.
 *
 * Client and server SSL objects talk over memory BIOs; the bytes each side
 * writes are recorded as "flights" (maximal runs of bytes sent by one side)
 * and handed to the peer, so the transcript is exactly what a wire would carry.
 */
#ifndef CG_TLSRUN_H
#define CG_TLSRUN_H

#include "pki.h"

#include <glib.h>
#include <openssl/ssl.h>
#include <stdbool.h>

typedef enum CgDir {
    CG_DIR_C2S = 0, /* client to server */
    CG_DIR_S2C = 1, /* server to client */
} CgDir;

typedef struct CgFlight {
    CgDir dir;
    GByteArray *bytes; /* owned */
} CgFlight;

/* Protocol range and policy of one endpoint. */
typedef struct CgTlsParams {
    int min_version;     /* TLS1_VERSION ... TLS1_3_VERSION, 0 = library default */
    int max_version;     /* 0 = library default (TLS 1.3) */
    bool legacy;         /* security level 0: allow TLS 1.0/1.1, SHA-1, RSA 1024 */
    const char *ciphers; /* TLS <= 1.2 cipher list (OpenSSL syntax), NULL = default */
} CgTlsParams;

/*
 * A server context presenting `leaf` followed by exactly `chain` (no automatic
 * chain building). Session tickets stay enabled so clients can resume.
 */
SSL_CTX *cg_tls_server_ctx_new(const CgCert *leaf, CgCert *const *chain, size_t chain_count,
                               const CgTlsParams *params, GError **error);

/*
 * A client context. With `trust` non-NULL the client verifies the server's
 * chain against that single root (SSL_VERIFY_PEER) and so rejects other chains
 * with a fatal alert; with NULL it accepts anything.
 */
SSL_CTX *cg_tls_client_ctx_new(const CgTlsParams *params, X509 *trust, GError **error);

/*
 * Mutual TLS. The server asks for a client certificate and verifies it against
 * the single root `trust` (refusing others with OpenSSL's own fatal alert); the
 * client presents `leaf` followed by exactly `chain`.
 */
gboolean cg_tls_server_require_client_cert(SSL_CTX *server, X509 *trust, GError **error);
gboolean cg_tls_client_use_cert(SSL_CTX *client, const CgCert *leaf, CgCert *const *chain,
                                size_t chain_count, GError **error);

typedef struct CgTlsRun {
    SSL *ssl[2];        /* indexed by the CgDir the endpoint sends in */
    BIO *rbio[2];       /* bytes the endpoint will read */
    BIO *wbio[2];       /* bytes the endpoint wrote */
    GPtrArray *flights; /* CgFlight*, the handshake transcript, owned */
    int alert;          /* first fatal alert written by either side, -1 if none */
    bool complete;      /* both sides finished the handshake */
    bool resumed;       /* abbreviated handshake */
} CgTlsRun;

/* Set up a connection; `resume` (borrowed, may be NULL) offers a session. */
CgTlsRun *cg_tls_run_new(SSL_CTX *client, SSL_CTX *server, const char *sni, SSL_SESSION *resume,
                         GError **error);
void cg_tls_run_free(CgTlsRun *run);

/*
 * Pump the handshake to its end (success or a fatal alert). A rejected
 * handshake is not an error: `complete` stays false and `alert` says why.
 * Errors are reserved for a stalled exchange.
 */
gboolean cg_tls_run_handshake(CgTlsRun *run, GError **error);

/*
 * After a complete TLS 1.2 handshake: the server renegotiates (HelloRequest) and asks for the
 * client's certificate (accepting any); the second handshake's flights are recorded like the
 * first's, encrypted under the first one's keys.
 */
gboolean cg_tls_run_renegotiate(CgTlsRun *run, GError **error);

/*
 * SSL_write `len` bytes from the endpoint sending in `dir` and append the
 * resulting records to `wire`. With `deliver` the peer reads and discards them
 * (keeps both state machines in step); without, they are only recorded.
 */
gboolean cg_tls_run_write(CgTlsRun *run, CgDir dir, const void *data, size_t len, GByteArray *wire,
                          bool deliver, GError **error);

/* Negotiated protocol as "TLS 1.2" etc. (static string). */
const char *cg_tls_run_version(const CgTlsRun *run);

/* The client's session for later resumption (transfer full, may be NULL). */
SSL_SESSION *cg_tls_run_session(const CgTlsRun *run);

/* RFC 8446 §6 name of an alert description ("unknown_ca"), or NULL. */
const char *cg_tls_alert_name(int desc);

#endif /* CG_TLSRUN_H */
