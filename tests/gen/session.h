/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * session.h - one capgen run: options, output files and the connection runner.
 *
 * Scenarios declare server roles, build their PKI, then call
 * cg_session_connect() per TCP connection; the session runs the real TLS
 * handshake, synthesises the packets (streamed to the capture file) and writes
 * the truth line. Memory does not grow with the number of connections.
 */
#ifndef CG_SESSION_H
#define CG_SESSION_H

#include "pcapw.h"
#include "pki.h"
#include "tcpsynth.h"
#include "tlsrun.h"
#include "truth.h"

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct CgOptions {
    const char *scenario;
    const char *out;
    const char *truth;      /* NULL = no truth file */
    const char *export_pki; /* NULL = do not export */
    CgFormat format;
    CgLink link;
    CgImpair impair;
    bool loss;
    bool seq_wrap;
    unsigned snaplen;     /* 0 = no cut */
    unsigned connections; /* bench: number of connections */
    uint64_t bulk;        /* bench: application bytes on a quarter of connections */
    uint32_t seed;
    int64_t time;       /* capture time, epoch seconds */
    const char *keylog; /* NULL = none: the clients' NSS key log is written here */
    bool dsb;           /* pcapng: each connection's secrets in a Decryption Secrets Block */
} CgOptions;

typedef struct CgSession CgSession;

/* One TCP connection to run. Contexts and `resume` are borrowed. */
typedef struct CgConnSpec {
    uint32_t client_v4;
    CgEndpoint server;
    const char *sni; /* NULL = no SNI */
    SSL_CTX *client_ctx;
    SSL_CTX *server_ctx;
    SSL_SESSION *resume; /* offer this session (abbreviated handshake) */
    uint64_t bulk;       /* extra server-to-client application bytes */
    SSL_SESSION **save;  /* if set: receives the client's session (old one freed) */
    bool renegotiate;    /* after the handshake the server renegotiates, asking for a client
                          * certificate (TLS 1.2) */
    bool silent_reset;   /* the client gives up after the server's first flight: what it
                          * would send next (its alert) is not sent, it resets instead */
} CgConnSpec;

/* Open the capture and truth files. */
CgSession *cg_session_new(const CgOptions *opt, GError **error);
void cg_session_free(CgSession *s);

const CgOptions *cg_session_options(const CgSession *s);
CgPki *cg_session_pki(CgSession *s);
GRand *cg_session_rand(CgSession *s);

/* Declare a server role for the scenario line; call before cg_session_begin(). */
void cg_session_role(CgSession *s, uint32_t v4, const char *role);

/* Write the scenario line. */
void cg_session_begin(CgSession *s, const char *name);

/* Write a certificate line for every certificate the PKI holds. */
void cg_session_certificates(CgSession *s);

/* Contexts owned by the session (freed with it). */
SSL_CTX *cg_session_server_ctx(CgSession *s, const CgCert *leaf, CgCert *const *chain,
                               size_t chain_count, const CgTlsParams *params, GError **error);
SSL_CTX *cg_session_client_ctx(CgSession *s, const CgTlsParams *params, X509 *trust,
                               GError **error);

/* Run one connection end to end. */
gboolean cg_session_connect(CgSession *s, const CgConnSpec *spec, GError **error);

/* Export the PKI if asked and close the files. */
gboolean cg_session_finish(CgSession *s, GError **error);

#endif /* CG_SESSION_H */
