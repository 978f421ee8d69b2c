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

/* What a ClientHello's cipher_suites offered, by property (signalling values left out): enough to
 * tell a client class without keeping the list. */
typedef struct CpSuiteSummary {
    uint16_t count;
    bool tls13; /* TLS 1.3 suites (0x13xx) */
    bool ecdhe, dhe, rsa_kx;
    bool aead, cbc, rc4, des3;
} CpSuiteSummary;

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
    bool chain_damaged;     /* a lying entry length ended the Certificate message's list early */
    uint16_t renegotiation; /* 0: the connection's first handshake; n: its n-th renegotiation */
    int alert_desc;         /* -1: none */
    int alert_level;
    bool alert_from_client;
    bool truncated;       /* bytes of the handshake were lost (gap, snaplen) */
    bool tls13_encrypted; /* certificates encrypted by TLS 1.3 */
    bool overlap_conflict;
    /* The client side of the handshake (client-side findings, client_seen.c). */
    CpSuiteSummary suites;
    bool cert_requested; /* the server sent CertificateRequest (mutual TLS) */
    bool client_ccs;     /* the client went on to ChangeCipherSpec (its Finished) */
    bool server_ccs;
    bool client_closed;    /* the client sent FIN or RST */
    bool client_reset;     /* ... an RST */
    bool server_reset;     /* the server sent an RST */
    bool client_truncated; /* bytes the client sent were lost (gap, snaplen) */
    bool has_client_mac;   /* the link carried the client's Ethernet address */
    uint8_t client_mac[6];
} CpHandshake;

/* A chain: a GArray of CpChainLink whose elements hold a reference to their certificate,
 * dropped when the array frees or shrinks them. */
GArray *cp_chain_new(guint reserve);
/* Appends cert (nullable; a reference is taken) with its thumbprint. */
void cp_chain_append(GArray *chain, CpCert *cert, const char sha1[41]);
/* (transfer full) a new chain with the same links, each holding its own reference. */
GArray *cp_chain_copy(const GArray *chain);
/* Two chains (nullable) with the same thumbprints in the same order. */
bool cp_chain_equal(const GArray *a, const GArray *b);
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

/* How one client's handshake with a server ended, as the client-side rules read it. */
typedef enum CpClientOutcome {
    CP_CLIENT_ACCEPTED = 0,      /* it went on to ChangeCipherSpec after the server's chain */
    CP_CLIENT_ALERTED,           /* it sent a fatal alert after the server's chain */
    CP_CLIENT_SILENT,            /* it closed or reset after the chain: no alert, no Finished */
    CP_CLIENT_PROTOCOL_REJECTED, /* the server refused its ClientHello (fatal alert or reset) */
    CP_CLIENT_CERT_REJECTED,     /* the server refused its certificate with a fatal alert */
} CpClientOutcome;

/* One client of a server with one outcome: the evidence of the client-side findings. */
typedef struct CpClientSeen {
    CpAddr addr;
    CpClientOutcome outcome;
    int chain;            /* index in the server's chains of the chain it was sent; -1: none */
    int alert_desc;       /* the fatal alert that ended it; -1: none */
    uint16_t max_version; /* the highest version it offered */
    bool sni;             /* it sent SNI */
    CpSuiteSummary suites;
    GArray *client_chain; /* (nullable) CpChainLink: its own chain (CP_CLIENT_CERT_REJECTED) */
    bool has_mac;
    uint8_t mac[6]; /* its Ethernet address (or its last router's) when the link had one */
    uint64_t count; /* handshakes */
} CpClientSeen;

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
    GArray *clients;   /* CpClientSeen, capped (--max-server-clients) */
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
/* client_seen.c: folds the client side of h into s->clients (nothing when h says nothing about
 * how the client fared); counts model.client_limit when the server's list is full. */
void cp_model_add_client(const CpLimits *limits, CpAnomalies *anomalies, CpServer *s,
                         const CpHandshake *h);
void cp_client_seen_clear(void *client);
/* Reads a ClientHello's cipher_suites (2 bytes each) into a summary. */
void cp_suite_summary_read(CpSuiteSummary *out, const uint8_t *suites, size_t len);
/* (transfer full) a copy of m that shares only its certificates (by reference) and counts no
 * anomalies: diagnosed on another thread while m goes on changing (cli/live_diag.c). */
CpModel *cp_model_snapshot(const CpModel *m);
/* (transfer none) servers in first-seen order (element-type CpServer*) */
GPtrArray *cp_model_servers(CpModel *m);
