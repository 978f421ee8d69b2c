/* SPDX-License-Identifier: BSD-2-Clause */
/* client_seen: how each client fared with a server — the evidence of the client-side findings
 * (protocol-rejected, silent-rejection, client-cert-rejected) and of "how many clients accepted
 * the same chain". A handshake is classified only when its evidence is whole: bytes lost in
 * either direction, or a connection still open when the capture ended, say nothing about the
 * client. */
#include "analysis/model.h"

#include <string.h>

#include "base/reader.h"
#include "dissectors/tls_tables.h"

enum {
    ALERT_HANDSHAKE_FAILURE = 40,
    ALERT_PROTOCOL_VERSION = 70,
    ALERT_INSUFFICIENT_SECURITY = 71,
    ALERT_FATAL = 2,
};

/* RFC 7507 TLS_FALLBACK_SCSV, RFC 5746 TLS_EMPTY_RENEGOTIATION_INFO_SCSV, RFC 8701 GREASE:
 * signals, not suites a client can use. */
static bool
is_signal(uint16_t v)
{
    return v == 0x00ff || v == 0x5600 || ((v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff));
}

static void
summary_add(CpSuiteSummary *o, uint16_t v)
{
    if (is_signal(v))
        return;
    o->count++;
    if ((v >> 8) == 0x13) {
        o->tls13 = o->aead = true;
        return;
    }
    const char *n = cp_tls_cipher_name(v);
    if (n == NULL)
        return;
    o->ecdhe |= strstr(n, "_ECDHE_") != NULL;
    o->dhe |= strstr(n, "_DHE_") != NULL;
    o->rsa_kx |= strncmp(n, "TLS_RSA_WITH_", 13) == 0;
    o->aead |=
            strstr(n, "_GCM") != NULL || strstr(n, "CHACHA20") != NULL || strstr(n, "_CCM") != NULL;
    o->cbc |= strstr(n, "_CBC") != NULL;
    o->rc4 |= strstr(n, "_RC4_") != NULL;
    o->des3 |= strstr(n, "3DES") != NULL;
}

void
cp_suite_summary_read(CpSuiteSummary *out, const uint8_t *suites, size_t len)
{
    CpReader r;
    uint16_t v;

    memset(out, 0, sizeof *out);
    if (suites == NULL)
        return;
    cp_reader_init(&r, suites, len, len);
    /* Bounded by the vector: at most 32767 suites in a 16-bit length. */
    while (cp_reader_be16(&r, &v))
        if (out->count < UINT16_MAX)
            summary_add(out, v);
}

void
cp_client_seen_clear(void *client)
{
    CpClientSeen *c = client;

    if (c->client_chain != NULL)
        g_array_free(c->client_chain, TRUE);
    c->client_chain = NULL;
}

/* Alerts with which a server refuses a client's certificate (RFC 8446 §6.2): bad_certificate,
 * unsupported_certificate, certificate_revoked, certificate_expired, certificate_unknown,
 * unknown_ca, access_denied, certificate_required. */
static bool
refuses_client_cert(int desc)
{
    return (desc >= 42 && desc <= 46) || desc == 48 || desc == 49 || desc == 116;
}

/* The server refused the ClientHello itself: a fatal protocol_version, handshake_failure or
 * insufficient_security before any ServerHello, or a reset without one. */
static bool
protocol_rejected(const CpHandshake *h)
{
    if (h->has_server_hello || h->has_chain || h->truncated || h->client_truncated)
        return false;
    if (h->alert_desc >= 0)
        return !h->alert_from_client && h->alert_level == ALERT_FATAL &&
               (h->alert_desc == ALERT_HANDSHAKE_FAILURE ||
                h->alert_desc == ALERT_PROTOCOL_VERSION ||
                h->alert_desc == ALERT_INSUFFICIENT_SECURITY);
    return h->server_reset && !h->client_closed;
}

/* False when the handshake says nothing about how the client fared with the server's chain. */
static bool
classify(const CpHandshake *h, CpClientOutcome *out)
{
    if (!h->has_client_hello || h->sslv2_hello)
        return false;
    if (protocol_rejected(h)) {
        *out = CP_CLIENT_PROTOCOL_REJECTED;
        return true;
    }
    /* A client's own fatal alert after the server's chain is its verdict on what it received,
     * however much of that chain certpath kept: it names the client even when a limit cut it. */
    if (h->has_chain && h->alert_desc >= 0 && h->alert_level == ALERT_FATAL &&
        h->alert_from_client) {
        *out = CP_CLIENT_ALERTED;
        return true;
    }
    if (!h->has_chain || h->chain->len == 0 || h->certs_dropped > 0 || h->truncated ||
        h->client_truncated || h->overlap_conflict || h->tls13_encrypted)
        return false;
    /* A client's plaintext alert comes before its ChangeCipherSpec; a server's may come after
     * it (mutual TLS: the client's certificate and ChangeCipherSpec travel in one flight). */
    if (h->alert_desc >= 0 && h->alert_level == ALERT_FATAL) {
        if (h->alert_from_client)
            *out = CP_CLIENT_ALERTED;
        else if (h->cert_requested && h->client_chain->len > 0 &&
                 refuses_client_cert(h->alert_desc))
            *out = CP_CLIENT_CERT_REJECTED;
        else if (h->client_ccs)
            *out = CP_CLIENT_ACCEPTED;
        else
            return false;
        return true;
    }
    if (h->client_ccs) {
        *out = CP_CLIENT_ACCEPTED;
        return true;
    }
    if (h->alert_desc >= 0)
        return false; /* a warning alert: the client said something, not silent */
    /* No alert, no ChangeCipherSpec, and the client itself ended the connection (the server's
     * own close or a capture cut short is not the client giving up). */
    if (!h->client_closed || h->server_ccs)
        return false;
    *out = CP_CLIENT_SILENT;
    return true;
}

static int
chain_index(const CpServer *s, const CpHandshake *h)
{
    if (!h->has_chain)
        return -1;
    for (guint i = 0; i < s->chains->len; i++)
        if (cp_chain_equal(((const CpSeenChain *)s->chains->pdata[i])->links, h->chain))
            return (int)i;
    return -1;
}

void
cp_model_add_client(const CpLimits *limits, CpAnomalies *anomalies, CpServer *s,
                    const CpHandshake *h)
{
    CpClientOutcome outcome;

    if (!classify(h, &outcome))
        return;
    int chain = chain_index(s, h);
    int alert = outcome == CP_CLIENT_ACCEPTED ? -1 : h->alert_desc;
    const GArray *own = outcome == CP_CLIENT_CERT_REJECTED ? h->client_chain : NULL;
    for (guint i = 0; i < s->clients->len; i++) {
        CpClientSeen *c = &g_array_index(s->clients, CpClientSeen, i);
        if (c->outcome == outcome && c->chain == chain && c->alert_desc == alert &&
            cp_addr_equal(&c->addr, &h->client) && cp_chain_equal(c->client_chain, own)) {
            c->count++;
            return;
        }
    }
    if (s->clients->len >= limits->max_server_clients) {
        cp_anomaly_add(anomalies, CP_ANOMALY_MODEL_CLIENT_LIMIT); /* model.client_limit */
        return;
    }
    CpClientSeen c = {
        .addr = h->client,
        .outcome = outcome,
        .chain = chain,
        .alert_desc = alert,
        .max_version = h->client_version,
        .sni = h->sni != NULL && h->sni[0] != '\0',
        .suites = h->suites,
        .has_mac = h->has_client_mac,
        .count = 1,
    };
    memcpy(c.mac, h->client_mac, sizeof c.mac);
    /* Its own references: the cache evicts client certificates first, and only unheld ones. */
    if (own != NULL)
        c.client_chain = cp_chain_copy(own);
    g_array_append_val(s->clients, c);
}
