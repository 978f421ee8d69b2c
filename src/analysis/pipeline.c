/* SPDX-License-Identifier: BSD-2-Clause */
/* pipeline: turns dissector events into the model.
 *
 * Per frame: decode (net) -> the TCP reassembler (reasm/tcp_reasm.c), which owns each
 * connection's life and hands its bytes to the consumer below (UDP datagrams, when a dissector
 * of the table takes them, go the same way through reasm/udp_flows.c) -> the consumer gives every
 * connection a dispatcher over the dissector table (dissectors/dissector.h) -> the chosen
 * dissector reports TLS events, which fill the connection's CpHandshake. When reassembly closes
 * the connection, the handshake takes reassembly's facts (gaps, overlap conflicts), is folded
 * into the model and queued for the caller with any certificate seen for the first time.
 *
 * Roles: the server is the side that sent the ServerHello; failing that, the peer of the side
 * that sent the ClientHello; failing that, the sender of a Certificate; failing that, the
 * connection's listener (the SYN/ACK sender, or the lower port).
 */
#include "analysis/pipeline.h"

#include <string.h>

#include "dissectors/dissector.h"
#include "net/net.h"
#include "reasm/tcp_reasm.h"
#include "reasm/udp_flows.h"

#define MAX_LINKS_NOTED 64 /* distinct unsupported link types listed; a list, not a limit */

/* Lifetime: connection. */
typedef struct Conn {
    CpPipeline *pl;
    CpDissectConn *dissect;
    CpHandshake hs;
    CpConnInfo info; /* for a handshake reported before the close (a renegotiation) */
    int server_dir;  /* -1 unknown */
    bool saw_tls;
} Conn;

struct CpPipeline {
    CpLimits limits;
    CpAnomalies anomalies;
    CpMemcap memcap;
    CpDissectCtx dissect_ctx;
    CpNet *net;
    CpTcpReasm *tcp;
    CpUdpFlows *udp; /* (nullable) only when a dissector of the table takes UDP */
    CpCertCache *certs;
    CpModel *model;
    CpTrafficStats stats;
    GArray *bad_links; /* CpLinkSeen */
    GArray *events;    /* CpEvent, since the caller last took them */
    CpKeylog *keylog;  /* (nullable) --keylog files and pcapng Decryption Secrets Blocks */
    uint64_t now_ns;
};

static void *conn_open(void *user, const CpConnInfo *info);
static CpFeedResult conn_data(void *state, CpDir dir, const uint8_t *data, size_t len,
                              unsigned flags);
static void conn_close(void *state, const CpConnInfo *info, const CpConnEnd *end);
static bool conn_recognised(void *state);
static void on_tls_event(void *user, const CpTlsEvent *ev);

static GArray *
events_new(void)
{
    return g_array_new(FALSE, FALSE, sizeof(CpEvent));
}

CpPipeline *
cp_pipeline_new(const CpLimits *limits)
{
    CpPipeline *p = g_new0(CpPipeline, 1);
    CpConnConsumer consumer = { conn_open, conn_data, conn_close, p, conn_recognised };

    p->limits = *limits;
    p->memcap.cap = (size_t)limits->reasm_memcap;
    p->dissect_ctx =
            (CpDissectCtx){ &p->limits, &p->anomalies, &p->memcap, on_tls_event, NULL, NULL };
    p->net = cp_net_new(&p->limits, &p->anomalies);
    p->tcp = cp_tcp_reasm_new(&p->limits, &p->anomalies, &p->memcap, &consumer);
    if (cp_dissect_handles(CP_TRANSPORT_UDP)) {
        p->udp = cp_udp_flows_new(&p->limits, &p->anomalies, &consumer);
        cp_net_want_udp(p->net, true);
    }
    p->certs = cp_cert_cache_new(&p->limits, &p->anomalies);
    p->model = cp_model_new(&p->limits, &p->anomalies);
    p->bad_links = g_array_new(FALSE, FALSE, sizeof(CpLinkSeen));
    p->events = events_new();
    return p;
}

size_t
cp_pipeline_add_secrets(CpPipeline *p, const uint8_t *text, size_t len)
{
    if (p->keylog == NULL) {
        p->keylog = cp_keylog_new(p->limits.max_keylog_secrets, &p->anomalies);
        p->dissect_ctx.keylog = p->keylog; /* connections opened from now on may decrypt */
    }
    return cp_keylog_add_text(p->keylog, text, len);
}

void
cp_pipeline_events_free(GArray *events)
{
    if (events == NULL)
        return;
    for (guint i = 0; i < events->len; i++) {
        CpEvent *e = &g_array_index(events, CpEvent, i);
        if (e->handshake != NULL) {
            cp_handshake_clear(e->handshake);
            g_free(e->handshake);
        }
        if (e->cert != NULL)
            cp_cert_unref(e->cert);
    }
    g_array_free(events, TRUE);
}

void
cp_pipeline_free(CpPipeline *p)
{
    if (p == NULL)
        return;
    cp_tcp_reasm_free(p->tcp);
    cp_udp_flows_free(p->udp);
    cp_net_free(p->net);
    cp_model_free(p->model);
    cp_cert_cache_free(p->certs);
    cp_keylog_free(p->keylog);
    g_array_free(p->bad_links, TRUE);
    cp_pipeline_events_free(p->events);
    g_free(p);
}

GArray *
cp_pipeline_take_events(CpPipeline *p)
{
    if (p->events->len == 0)
        return NULL;
    GArray *taken = p->events;
    p->events = events_new();
    return taken;
}

/* A certificate through the cache, queued for the caller when it is seen for the first time. */
static CpCert *
cert_get(CpPipeline *p, const uint8_t *der, size_t len, CpCertUse use, char sha1[41])
{
    bool is_new;
    CpCert *cert = cp_cert_cache_get_as(p->certs, der, len, use, &is_new, sha1);

    if (is_new && cert != NULL) {
        /* The queue holds its own reference: the cache may evict before it is taken. */
        CpEvent e = { CP_EVENT_CERTIFICATE, cp_cert_ref(cert), NULL };
        g_array_append_val(p->events, e);
    }
    return cert;
}

static void
chain_from_event(CpPipeline *p, GArray *chain, const CpTlsEvent *ev, CpCertUse use)
{
    g_array_set_size(chain, 0);
    for (size_t i = 0; i < ev->cert_count; i++) {
        char sha1[41];
        CpCertUse as = i == 0 && use == CP_CERT_USE_SERVER ? CP_CERT_USE_SERVER_LEAF : use;
        CpCert *cert = cert_get(p, ev->cert_der[i], ev->cert_len[i], as, sha1);
        cp_chain_append(chain, cert, sha1);
    }
}

static void
on_certificate(Conn *c, const CpTlsEvent *ev)
{
    if (c->server_dir < 0)
        c->server_dir = (int)ev->dir;
    if ((int)ev->dir != c->server_dir) {
        chain_from_event(c->pl, c->hs.client_chain, ev, CP_CERT_USE_CLIENT);
        return;
    }
    if (c->hs.has_chain)
        return; /* a second server Certificate in the clear: keep the first */
    c->hs.has_chain = true;
    c->hs.certs_dropped = ev->certs_dropped;
    c->hs.chain_damaged = ev->certs_damaged;
    c->pl->stats.cert_messages++;
    chain_from_event(c->pl, c->hs.chain, ev, CP_CERT_USE_SERVER);
}

static void
on_client_hello(Conn *c, const CpTlsEvent *ev)
{
    if (c->server_dir < 0)
        c->server_dir = 1 - (int)ev->dir;
    c->hs.has_client_hello = true;
    c->hs.sslv2_hello = ev->sslv2_hello;
    c->hs.client_version = ev->legacy_version;
    for (size_t i = 0; i < ev->offered_count; i++)
        if (ev->offered[i] > c->hs.client_version && ev->offered[i] <= 0x0304)
            c->hs.client_version = ev->offered[i];
    cp_suite_summary_read(&c->hs.suites, ev->suites, ev->suites_len);
    if (ev->sni_len > 0 && c->hs.sni == NULL) {
        size_t n = ev->sni_len > 255 ? 255 : ev->sni_len;
        c->hs.sni = g_strndup((const char *)ev->sni, n); /* stops at an embedded NUL */
    }
}

static void
on_alert(Conn *c, const CpTlsEvent *ev)
{
    if (c->hs.alert_desc < 0 || (ev->alert_level == 2 && c->hs.alert_level != 2)) {
        c->hs.alert_desc = ev->alert_desc;
        c->hs.alert_level = ev->alert_level;
        c->hs.alert_from_client = c->server_dir >= 0 && (int)ev->dir != c->server_dir;
    }
}

static void report(CpPipeline *p, Conn *c, const CpConnInfo *info, const CpConnEnd *end);

/* A second ServerHello on a connection whose first handshake is read (a TLS 1.2 renegotiation,
 * seen through a key log): the first handshake is reported as it stands, the second starts
 * afresh, so each Certificate message is a handshake of its own. */
static void
on_server_hello(Conn *c, const CpTlsEvent *ev)
{
    if (c->hs.has_server_hello && c->hs.has_chain) {
        CpConnEnd end = { 0 };
        uint64_t ts = c->hs.ts_ns;
        uint16_t n = c->hs.renegotiation;
        char *sni = g_strdup(c->hs.sni); /* the name the connection was opened for */
        report(c->pl, c, &c->info, &end);
        c->hs.ts_ns = ts;
        c->hs.renegotiation = n < G_MAXUINT16 ? (uint16_t)(n + 1) : n;
        c->hs.has_client_hello = true;
        c->hs.sni = sni;
    }
    c->server_dir = (int)ev->dir;
    c->hs.has_server_hello = true;
    c->hs.version = ev->version;
    c->hs.cipher = ev->cipher;
}

static void
on_tls_event(void *user, const CpTlsEvent *ev)
{
    Conn *c = user;

    if (!c->saw_tls) {
        c->saw_tls = true;
        c->hs.ts_ns = c->pl->now_ns;
    }
    switch (ev->type) {
    case CP_TLS_EV_CLIENT_HELLO:
        on_client_hello(c, ev);
        break;
    case CP_TLS_EV_SERVER_HELLO:
        on_server_hello(c, ev);
        break;
    case CP_TLS_EV_CERTIFICATE:
        on_certificate(c, ev);
        break;
    case CP_TLS_EV_ALERT:
        on_alert(c, ev);
        break;
    case CP_TLS_EV_ENCRYPTED:
        c->hs.tls13_encrypted = true;
        break;
    case CP_TLS_EV_TRUNCATED:
        c->hs.truncated = true;
        break;
    case CP_TLS_EV_CERT_REQUEST:
        c->hs.cert_requested |= c->server_dir < 0 || (int)ev->dir == c->server_dir;
        break;
    case CP_TLS_EV_CHANGE_CIPHER_SPEC:
        if (c->server_dir >= 0 && (int)ev->dir == c->server_dir)
            c->hs.server_ccs = true;
        else if (c->server_dir >= 0)
            c->hs.client_ccs = true;
        break;
    }
}

static void *
conn_open(void *user, const CpConnInfo *info)
{
    CpPipeline *p = user;
    Conn *c = g_new0(Conn, 1);
    CpDissectCtx ctx = p->dissect_ctx;

    c->pl = p;
    c->info = *info;
    c->server_dir = -1;
    cp_handshake_init(&c->hs);
    ctx.user = c;
    c->dissect = cp_dissect_conn_new(&ctx, info->transport);
    return c;
}

static CpFeedResult
conn_data(void *state, CpDir dir, const uint8_t *data, size_t len, unsigned flags)
{
    Conn *c = state;

    return cp_dissect_conn_feed(c->dissect, dir, data, len, flags);
}

/* A finished handshake joins the model and the queue, which owns it from here. */
static void
fold(CpPipeline *p, CpHandshake *h)
{
    p->stats.tls_connections++;
    if (!cp_model_add(p->model, h))
        cp_anomaly_add(&p->anomalies, CP_ANOMALY_MODEL_SERVER_LIMIT); /* model.server_limit */
    CpEvent e = { CP_EVENT_HANDSHAKE, NULL, h };
    g_array_append_val(p->events, e);
}

/* The handshake takes the endpoints and reassembly's facts, joins the model and the queue. */
static void
report(CpPipeline *p, Conn *c, const CpConnInfo *info, const CpConnEnd *end)
{
    int s = c->server_dir >= 0 ? c->server_dir : 1;
    CpHandshake *h = g_new(CpHandshake, 1);

    c->hs.server = info->addr[s];
    c->hs.server_port = info->port[s];
    c->hs.client = info->addr[1 - s];
    c->hs.client_port = info->port[1 - s];
    c->hs.truncated |= end->truncated[s] && !c->hs.has_chain && !c->hs.tls13_encrypted;
    c->hs.overlap_conflict = end->conflict[0] || end->conflict[1];
    c->hs.client_truncated = end->truncated[1 - s];
    c->hs.client_reset = end->rst[1 - s];
    c->hs.client_closed = end->fin[1 - s] || end->rst[1 - s];
    c->hs.server_reset = end->rst[s];
    c->hs.has_client_mac = info->has_mac[1 - s];
    memcpy(c->hs.client_mac, info->mac[1 - s], sizeof c->hs.client_mac);
    *h = c->hs; /* the queue takes the handshake's arrays and name */
    cp_handshake_init(&c->hs);
    fold(p, h);
}

/* -w evidence: a connection counts from its first TLS (or DTLS) hello, not its first byte. */
static bool
conn_recognised(void *state)
{
    const Conn *c = state;

    return c->saw_tls;
}

static void
conn_close(void *state, const CpConnInfo *info, const CpConnEnd *end)
{
    Conn *c = state;

    /* The dissector's close may still report (a pending message): before the handshake. */
    cp_dissect_conn_free(c->dissect);
    if (c->saw_tls)
        report(c->pl, c, info, end);
    cp_handshake_clear(&c->hs);
    g_free(c);
}

static void
note_bad_link(CpPipeline *p, int linktype)
{
    for (guint i = 0; i < p->bad_links->len; i++) {
        CpLinkSeen *l = &g_array_index(p->bad_links, CpLinkSeen, i);
        if (l->linktype == linktype) {
            l->frames++;
            return;
        }
    }
    if (p->bad_links->len < MAX_LINKS_NOTED) {
        CpLinkSeen l = { linktype, 1 };
        g_array_append_val(p->bad_links, l);
    }
}

static void
count_frame(CpPipeline *p, const CpFrame *fr)
{
    p->stats.frames++;
    p->stats.bytes += fr->wirelen;
    if (p->stats.first_ts_ns == 0 || fr->ts_ns < p->stats.first_ts_ns)
        p->stats.first_ts_ns = fr->ts_ns;
    if (fr->ts_ns > p->stats.last_ts_ns)
        p->stats.last_ts_ns = fr->ts_ns;
    p->now_ns = fr->ts_ns;
}

bool
cp_pipeline_frame(CpPipeline *p, const CpFrame *fr)
{
    uint64_t flow;

    return cp_pipeline_frame_keep(p, fr, &flow) != CP_KEEP_NO;
}

CpKeep
cp_pipeline_frame_keep(CpPipeline *p, const CpFrame *fr, uint64_t *flow)
{
    CpPacket pk;

    *flow = 0;
    count_frame(p, fr);
    cp_pipeline_tick(p, fr->ts_ns);
    CpNetResult res =
            cp_net_decode(p->net, fr->linktype, fr->data, fr->caplen, fr->wirelen, fr->ts_ns, &pk);
    if (res == CP_NET_UDP)
        return cp_udp_flows_datagram(p->udp, &pk) ? CP_KEEP_YES : CP_KEEP_NO;
    if (res != CP_NET_TCP) {
        if (!cp_net_linktype_supported(fr->linktype))
            note_bad_link(p, fr->linktype);
        return CP_KEEP_NO;
    }
    CpKeep keep = cp_tcp_reasm_segment_keep(p->tcp, &pk, flow);
    if (p->memcap.peak > p->stats.peak_reasm_bytes)
        p->stats.peak_reasm_bytes = p->memcap.peak;
    return keep;
}

void
cp_pipeline_tick(CpPipeline *p, uint64_t now_ns)
{
    cp_tcp_reasm_tick(p->tcp, now_ns);
    if (p->udp != NULL)
        cp_udp_flows_tick(p->udp, now_ns);
}

void
cp_pipeline_finish(CpPipeline *p)
{
    cp_tcp_reasm_flush(p->tcp);
    if (p->udp != NULL)
        cp_udp_flows_flush(p->udp);
}

void
cp_pipeline_seen(CpPipeline *p, CpSeen *out)
{
    const CpTcpReasmStats *t = cp_tcp_reasm_stats(p->tcp);

    out->stats = p->stats;
    out->stats.tcp_segments = t->segments;
    out->stats.connections = t->connections;
    out->stats.peak_flows = t->peak_flows;
    out->anomalies = &p->anomalies;
    out->unsupported_links = p->bad_links;
    out->servers = cp_model_servers(p->model);
    out->certificates = cp_cert_cache_count(p->certs);
}

uint64_t
cp_pipeline_tls_connections(const CpPipeline *p)
{
    return p->stats.tls_connections;
}

CpModel *
cp_pipeline_model(CpPipeline *p)
{
    return p->model;
}

CpCertCache *
cp_pipeline_certs(CpPipeline *p)
{
    return p->certs;
}

const CpCert *
cp_pipeline_record_der(CpPipeline *p, const uint8_t *der, size_t len, char sha1_out[41])
{
    return cert_get(p, der, len, CP_CERT_USE_SERVER, sha1_out);
}

void
cp_pipeline_record_handshake(CpPipeline *p, CpHandshake *h)
{
    p->stats.cert_messages += h->has_chain; /* no Certificate event came for it */
    if (p->stats.first_ts_ns == 0 || h->ts_ns < p->stats.first_ts_ns)
        p->stats.first_ts_ns = h->ts_ns;
    if (h->ts_ns > p->stats.last_ts_ns)
        p->stats.last_ts_ns = h->ts_ns;
    fold(p, h);
}

CpAnomalies *
cp_pipeline_anomalies(CpPipeline *p)
{
    return &p->anomalies;
}
