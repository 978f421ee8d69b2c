/* SPDX-License-Identifier: BSD-2-Clause */
/* model: what was seen — handshakes (connection lifetime, handed to the report as they end) and
 * servers (run lifetime: the summary the diagnosis and the text report work from). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "base/anomaly.h"
#include "base/limits.h"
#include "dissectors/x509.h"
#include "net/packet.h"

/* One link of a chain: the certificate when it parsed, and its thumbprint always. */
typedef struct CpChainLink {
    CpCert *cert; /* (nullable) one reference, held by the array holding the link: the cert
                   * cache evicts only certificates nobody holds */
    char sha1[41];
} CpChainLink;

typedef struct CpHandshake {
    uint64_t ts_ns; /* first packet of the connection */
    CpAddr client, server;
    uint16_t client_port, server_port;
    char *sni; /* (nullable) raw bytes up to the first NUL (escaped at output) */
    bool has_client_hello;
    bool has_server_hello;
    bool sslv2_hello;
    uint16_t client_version; /* highest offered */
    uint16_t version;        /* negotiated */
    uint16_t cipher;
    bool has_chain;       /* the server sent a Certificate message */
    GArray *chain;        /* CpChainLink, wire order (leaf first) */
    GArray *client_chain; /* CpChainLink, client certificates */
    size_t certs_dropped;
    bool chain_damaged; /* a lying entry length ended the Certificate message's list early */
    int alert_desc;     /* -1: none */
    int alert_level;
    bool alert_from_client;
    bool truncated;       /* bytes of the handshake were lost (gap, snaplen) */
    bool tls13_encrypted; /* certificates encrypted by TLS 1.3 */
    bool overlap_conflict;
} CpHandshake;

/* A chain: a GArray of CpChainLink whose elements hold a reference to their certificate,
 * dropped when the array frees or shrinks them. */
GArray *cp_chain_new(guint reserve);
/* Appends cert (nullable; a reference is taken) with its thumbprint. */
void cp_chain_append(GArray *chain, CpCert *cert, const char sha1[41]);
void cp_chain_link_clear(gpointer link);
void cp_handshake_init(CpHandshake *h);
void cp_handshake_clear(CpHandshake *h);
/* Whether the server answered: resumed (no Certificate in a full TLS <= 1.2 handshake). */
bool cp_handshake_is_resumed(const CpHandshake *h);

/* Why a server's Certificate message lost certificates to certpath's own limits (R44); a larger
 * value says more, and folding keeps the largest. */
typedef enum CpChainCut {
    CP_CHAIN_CUT_NONE = 0,
    CP_CHAIN_CUT_CERT_SIZE, /* certificates above --max-cert-size were dropped, from anywhere */
    CP_CHAIN_CUT_MAX_CHAIN, /* --max-chain certificates kept and some lost: the tail beyond the
                             * limit (or certificates above --max-cert-size; no telling which) */
    CP_CHAIN_CUT_DAMAGED,   /* the list's own lengths broke after the certificates kept: the
                             * capture is damaged (or crafted), the tail is unreadable */
} CpChainCut;

typedef struct CpSeenChain {
    GArray *links; /* CpChainLink, the certificates kept */
    uint64_t count;
    uint64_t first_ts_ns;
    GPtrArray *names;     /* (element-type utf8) SNIs this chain answered, capped */
    size_t certs_dropped; /* most certificates one handshake's message lost to a limit */
    CpChainCut cut;       /* why (the largest over its handshakes) */
    uint64_t conflicts;   /* handshakes carrying it whose TCP overlaps carried different bytes */
} CpSeenChain;

typedef struct CpAlertSeen {
    int desc;
    bool from_client;
    uint64_t count;
} CpAlertSeen;

/* Lifetime: run. */
typedef struct CpServer {
    CpAddr addr;
    uint16_t port;
    char endpoint[64]; /* "10.0.0.1:443" / "[::1]:443" */
    GPtrArray *names;  /* (element-type utf8) distinct SNIs, capped */
    GArray *versions;  /* uint16_t distinct negotiated versions */
    GArray *ciphers;   /* uint16_t distinct cipher suites */
    uint64_t handshakes;
    uint64_t resumed;
    uint64_t truncated;
    uint64_t tls13;
    /* Handshakes whose Certificate message lost every certificate to a limit (no chain left to
     * keep), and why (the largest over them). */
    uint64_t chains_dropped;
    CpChainCut chains_dropped_cut;
    GPtrArray *chains; /* CpSeenChain*, distinct chains, capped */
    GArray *alerts;    /* CpAlertSeen */
    uint64_t first_ts_ns, last_ts_ns;
} CpServer;

typedef struct CpModel CpModel;

/* anomalies (nullable) counts what the per-server limits left out. */
CpModel *cp_model_new(const CpLimits *limits, CpAnomalies *anomalies);
void cp_model_free(CpModel *m);
/* Folds a finished handshake into its server's summary, with what limits the evidence: certificates
 * dropped by --max-chain/--max-cert-size (certs_dropped, cut, chains_dropped), overlaps with
 * different bytes (conflicts), lost bytes (truncated). False when the server table is full. */
bool cp_model_add(CpModel *m, const CpHandshake *h);
/* (transfer none) servers in first-seen order (element-type CpServer*) */
GPtrArray *cp_model_servers(CpModel *m);
