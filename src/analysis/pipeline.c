/* SPDX-License-Identifier: BSD-2-Clause */
/* pipeline: per-frame glue and the per-connection TLS state.
 *
 * Per frame: decode (net) -> find/create the connection (flow_table; only segments with a SYN or
 * payload create one) -> feed each direction's bytes to tcp_stream, which delivers contiguous
 * bytes to the connection's TLS session -> TLS events fill the connection's CpHandshake. When
 * both directions of a TLS session are done (handshake over, encrypted, or given up), the
 * handshake is reported and the session freed: the flow stays as a small tombstone so later
 * segments of the same connection cost one lookup. Connections end on RST, on FIN from both
 * sides, on idle expiry, on eviction and at the end of input.
 *
 * Roles: the server is the side that sent the ServerHello; failing that, the peer of the side
 * that sent the ClientHello; failing that, the sender of a Certificate; failing that, the
 * connection's listener (the SYN/ACK sender, or the lower port).
 */
#include "analysis/pipeline.h"

#include <string.h>

#include "dissectors/tls.h"
#include "dissectors/tls_prefix.h"
#include "net/net.h"
#include "reasm/flow_table.h"

#define EXPIRE_EVERY_NS 1000000000ull

typedef struct Conn {
    CpPipeline *pl;
    CpFlow *flow;
    CpTlsSession *tls;
    CpTlsPrefix prefix[2];
    CpHandshake hs;
    int server_dir; /* -1 unknown */
    bool saw_tls;
    bool done[2];
} Conn;

struct CpPipeline {
    CpLimits limits;
    CpPipelineHooks hooks;
    CpAnomalies anomalies;
    CpMemcap memcap;
    CpReasmCtx reasm;
    CpNet *net;
    CpFlowTable *flows;
    CpCertCache *certs;
    CpModel *model;
    CpPipelineStats stats;
    GArray *bad_links; /* CpLinkSeen */
    uint64_t now_ns;
    uint64_t next_expire_ns;
};

static void on_flow_end(void *user, CpFlow *flow);

CpPipeline *
cp_pipeline_new(const CpLimits *limits, const CpPipelineHooks *hooks)
{
    CpPipeline *p = g_new0(CpPipeline, 1);

    p->limits = *limits;
    p->hooks = *hooks;
    p->memcap.cap = (size_t)limits->reasm_memcap;
    p->reasm = (CpReasmCtx){ &p->limits, &p->memcap, &p->anomalies };
    p->net = cp_net_new(&p->limits, &p->anomalies);
    p->flows = cp_flow_table_new(&p->limits, &p->anomalies, on_flow_end, p);
    p->certs = cp_cert_cache_new(&p->limits, &p->anomalies);
    p->model = cp_model_new(&p->limits);
    p->bad_links = g_array_new(FALSE, FALSE, sizeof(CpLinkSeen));
    return p;
}

void
cp_pipeline_free(CpPipeline *p)
{
    if (p == NULL)
        return;
    cp_flow_table_free(p->flows);
    cp_net_free(p->net);
    cp_model_free(p->model);
    cp_cert_cache_free(p->certs);
    g_array_free(p->bad_links, TRUE);
    g_free(p);
}

static void
chain_from_event(CpPipeline *p, GArray *chain, const CpTlsEvent *ev)
{
    g_array_set_size(chain, 0);
    for (size_t i = 0; i < ev->cert_count; i++) {
        CpChainLink link;
        bool is_new;
        link.cert =
                cp_cert_cache_get(p->certs, ev->cert_der[i], ev->cert_len[i], &is_new, link.sha1);
        if (is_new && p->hooks.certificate != NULL)
            p->hooks.certificate(p->hooks.user, link.cert);
        g_array_append_val(chain, link);
    }
}

static void
on_certificate(Conn *c, const CpTlsEvent *ev)
{
    if (c->server_dir < 0)
        c->server_dir = (int)ev->dir;
    if ((int)ev->dir != c->server_dir) {
        chain_from_event(c->pl, c->hs.client_chain, ev);
        return;
    }
    if (c->hs.has_chain)
        return; /* a second server Certificate in the clear: keep the first */
    c->hs.has_chain = true;
    c->hs.certs_dropped = ev->certs_dropped;
    c->pl->stats.cert_messages++;
    chain_from_event(c->pl, c->hs.chain, ev);
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
    if (ev->sni_len > 0 && c->hs.sni == NULL) {
        size_t n = ev->sni_len > 255 ? 255 : ev->sni_len;
        c->hs.sni = g_strndup((const char *)ev->sni, n); /* stops at an embedded NUL */
    }
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
        c->server_dir = (int)ev->dir;
        c->hs.has_server_hello = true;
        c->hs.version = ev->version;
        c->hs.cipher = ev->cipher;
        break;
    case CP_TLS_EV_CERTIFICATE:
        on_certificate(c, ev);
        break;
    case CP_TLS_EV_ALERT:
        if (c->hs.alert_desc < 0 || (ev->alert_level == 2 && c->hs.alert_level != 2)) {
            c->hs.alert_desc = ev->alert_desc;
            c->hs.alert_level = ev->alert_level;
            c->hs.alert_from_client = c->server_dir >= 0 && (int)ev->dir != c->server_dir;
        }
        break;
    case CP_TLS_EV_ENCRYPTED:
        c->hs.tls13_encrypted = true;
        break;
    case CP_TLS_EV_TRUNCATED:
        c->hs.truncated = true;
        break;
    }
}

static void
finalize(CpPipeline *p, CpFlow *f, Conn *c)
{
    if (f->finalized)
        return;
    f->finalized = true;
    if (c->saw_tls) {
        int s = c->server_dir >= 0 ? c->server_dir : 1;
        c->hs.server = f->addr[s];
        c->hs.server_port = f->port[s];
        c->hs.client = f->addr[1 - s];
        c->hs.client_port = f->port[1 - s];
        c->hs.truncated |= f->stream[s].truncated && !c->hs.has_chain && !c->hs.tls13_encrypted;
        c->hs.overlap_conflict = f->stream[0].conflict || f->stream[1].conflict;
        p->stats.tls_connections++;
        if (p->hooks.handshake != NULL)
            p->hooks.handshake(p->hooks.user, &c->hs);
        if (!cp_model_add(p->model, &c->hs))
            cp_anomaly_add(&p->anomalies, CP_ANOMALY_MODEL_SERVER_LIMIT); /* model.server_limit */
    }
    cp_tls_session_free(c->tls);
    cp_handshake_clear(&c->hs);
    g_free(c);
    f->app = NULL;
}

/* Feeds the TLS session and notes when a direction is finished with. */
static CpFeedResult
conn_feed(void *consumer, CpDir dir, const uint8_t *data, size_t len, unsigned flags)
{
    Conn *c = consumer;
    CpFeedResult r =
            cp_tls_prefix_feed(&c->prefix[dir], c->tls, &c->pl->anomalies, dir, data, len, flags);

    if (r.status != CP_FEED_MORE || (flags & CP_STREAM_FIN))
        c->done[dir] = true;
    return r;
}

static CpStreamSink
sink_of(Conn *c, CpDir dir)
{
    return (CpStreamSink){ conn_feed, c, dir };
}

static void
on_flow_end(void *user, CpFlow *f)
{
    CpPipeline *p = user;
    Conn *c = f->app;

    if (c != NULL) {
        for (int d = 0; d < 2; d++) {
            CpStreamSink sink = sink_of(c, (CpDir)d);
            cp_tcp_stream_finish(&p->reasm, &f->stream[d], &sink);
        }
        finalize(p, f, c);
    }
    cp_tcp_stream_clear(&p->reasm, &f->stream[0]);
    cp_tcp_stream_clear(&p->reasm, &f->stream[1]);
}

static Conn *
conn_new(CpPipeline *p, CpFlow *f)
{
    Conn *c = g_new0(Conn, 1);

    c->pl = p;
    c->flow = f;
    c->server_dir = -1;
    c->tls = cp_tls_session_new(&p->limits, &p->anomalies, on_tls_event, c);
    cp_tls_session_set_memcap(c->tls, &p->memcap);
    cp_handshake_init(&c->hs);
    f->app = c;
    return c;
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
    if (p->bad_links->len < 64) {
        CpLinkSeen l = { linktype, 1 };
        g_array_append_val(p->bad_links, l);
    }
}

static void
segment(CpPipeline *p, CpFlow *f, CpDir dir, const CpPacket *pk)
{
    Conn *c = f->app;
    uint32_t seq = pk->seq;

    if (pk->tcp_flags & CP_TCP_SYN) {
        f->syn_seen = true;
        seq++; /* the SYN occupies one sequence number; data (rare) follows it */
        cp_tcp_stream_set_next_seq(&f->stream[dir], seq);
    }
    if (f->finalized)
        return;
    if (c == NULL && pk->payload_declared > 0) {
        if (!f->syn_seen)
            cp_anomaly_add(&p->anomalies, CP_ANOMALY_FLOW_MIDSTREAM); /* flow.midstream */
        c = conn_new(p, f);
    }
    if (c == NULL)
        return;
    CpStreamSink sink = sink_of(c, dir);
    if (pk->payload_declared > 0)
        cp_tcp_stream_segment(&p->reasm, &f->stream[dir], &sink, seq, pk->payload, pk->payload_len,
                              pk->payload_declared);
    if (pk->tcp_flags & CP_TCP_ACK) {
        CpStreamSink other = sink_of(c, (CpDir)(1 - dir));
        cp_tcp_stream_acked(&p->reasm, &f->stream[1 - dir], &other, pk->ack);
    }
    if ((pk->tcp_flags & CP_TCP_FIN) && !f->stream[dir].done && f->stream[dir].ooo == NULL &&
        f->stream[dir].next_seq == seq + (uint32_t)pk->payload_declared)
        cp_tcp_stream_finish(&p->reasm, &f->stream[dir], &sink);
    if (c->done[0] && c->done[1])
        finalize(p, f, c);
}

bool
cp_pipeline_frame(CpPipeline *p, const CpFrame *fr)
{
    CpPacket pk;
    CpDir dir;

    p->stats.frames++;
    p->stats.bytes += fr->wirelen;
    if (p->stats.first_ts_ns == 0 || fr->ts_ns < p->stats.first_ts_ns)
        p->stats.first_ts_ns = fr->ts_ns;
    if (fr->ts_ns > p->stats.last_ts_ns)
        p->stats.last_ts_ns = fr->ts_ns;
    p->now_ns = fr->ts_ns;
    if (fr->ts_ns >= p->next_expire_ns) {
        cp_flow_table_expire(p->flows, fr->ts_ns);
        p->next_expire_ns = fr->ts_ns + EXPIRE_EVERY_NS;
    }
    if (cp_net_decode(p->net, fr->linktype, fr->data, fr->caplen, fr->wirelen, fr->ts_ns, &pk) !=
        CP_NET_TCP) {
        if (!cp_net_linktype_supported(fr->linktype))
            note_bad_link(p, fr->linktype);
        return false;
    }
    p->stats.tcp_segments++;
    bool opens = (pk.tcp_flags & CP_TCP_SYN) || pk.payload_declared > 0;
    CpFlow *f = cp_flow_table_lookup(p->flows, &pk, opens && !(pk.tcp_flags & CP_TCP_RST), &dir);
    if (f == NULL)
        return false;
    cp_flow_table_touch(p->flows, f, fr->ts_ns);
    /* Before segment(): the packet that completes a handshake is part of the evidence. */
    bool evidence = !f->finalized;
    segment(p, f, dir, &pk);
    if (pk.tcp_flags & CP_TCP_FIN)
        f->fin_mask |= (uint8_t)(1u << dir);
    if ((pk.tcp_flags & CP_TCP_RST) || f->fin_mask == 3)
        cp_flow_table_remove(p->flows, f);
    p->stats.connections = cp_flow_table_created(p->flows);
    uint64_t n = cp_flow_table_count(p->flows);
    if (n > p->stats.peak_flows)
        p->stats.peak_flows = n;
    if (p->memcap.peak > p->stats.peak_reasm_bytes)
        p->stats.peak_reasm_bytes = p->memcap.peak;
    return evidence;
}

void
cp_pipeline_tick(CpPipeline *p, uint64_t now_ns)
{
    if (now_ns < p->next_expire_ns)
        return;
    cp_flow_table_expire(p->flows, now_ns);
    p->next_expire_ns = now_ns + EXPIRE_EVERY_NS;
}

void
cp_pipeline_finish(CpPipeline *p)
{
    cp_flow_table_flush(p->flows);
    p->stats.connections = cp_flow_table_created(p->flows);
}

const CpPipelineStats *
cp_pipeline_stats(const CpPipeline *p)
{
    return &p->stats;
}

const CpAnomalies *
cp_pipeline_anomalies(const CpPipeline *p)
{
    return &p->anomalies;
}

CpAnomalies *
cp_pipeline_anomalies_mut(CpPipeline *p)
{
    return &p->anomalies;
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

const GArray *
cp_pipeline_unsupported_links(const CpPipeline *p)
{
    return p->bad_links;
}
