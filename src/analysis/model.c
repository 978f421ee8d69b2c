/* SPDX-License-Identifier: BSD-2-Clause */
/* model: per-server summaries, bounded (a server keeps at most --max-server-names names and
 * --max-server-chains distinct chains: a hostile client can send any SNI, a load balancer many
 * chains). */
#include "analysis/model.h"

#include <string.h>

struct CpModel {
    const CpLimits *limits;
    CpAnomalies *anomalies;  /* (nullable) */
    GHashTable *by_endpoint; /* endpoint string (borrowed from server) -> CpServer* */
    GPtrArray *servers;
};

void
cp_chain_link_clear(gpointer p)
{
    CpChainLink *l = p;

    g_clear_pointer(&l->cert, cp_cert_unref);
}

GArray *
cp_chain_new(guint reserve)
{
    GArray *a = g_array_sized_new(FALSE, TRUE, sizeof(CpChainLink), reserve);

    g_array_set_clear_func(a, cp_chain_link_clear);
    return a;
}

void
cp_chain_append(GArray *chain, CpCert *cert, const char sha1[41])
{
    CpChainLink l = { .cert = cert != NULL ? cp_cert_ref(cert) : NULL };

    memcpy(l.sha1, sha1, sizeof l.sha1);
    g_array_append_val(chain, l);
}

GArray *
cp_chain_copy(const GArray *chain)
{
    GArray *out = cp_chain_new(chain->len);

    for (guint i = 0; i < chain->len; i++) {
        const CpChainLink *l = &g_array_index(chain, CpChainLink, i);
        cp_chain_append(out, l->cert, l->sha1);
    }
    return out;
}

void
cp_handshake_init(CpHandshake *h)
{
    memset(h, 0, sizeof *h);
    h->alert_desc = -1;
    h->chain = cp_chain_new(0);
    h->client_chain = cp_chain_new(0);
}

void
cp_handshake_clear(CpHandshake *h)
{
    g_free(h->sni);
    if (h->chain != NULL)
        g_array_free(h->chain, TRUE);
    if (h->client_chain != NULL)
        g_array_free(h->client_chain, TRUE);
    memset(h, 0, sizeof *h);
    h->alert_desc = -1;
}

bool
cp_handshake_is_resumed(const CpHandshake *h)
{
    return h->has_server_hello && !h->has_chain && !h->tls13_encrypted && !h->truncated &&
           h->version != 0x0304 && h->alert_desc < 0;
}

static void
seen_chain_free(gpointer p)
{
    CpSeenChain *c = p;
    g_array_free(c->links, TRUE);
    g_ptr_array_free(c->names, TRUE);
    g_free(c);
}

static void
server_free(gpointer p)
{
    CpServer *s = p;
    g_ptr_array_free(s->names, TRUE);
    g_array_free(s->versions, TRUE);
    g_array_free(s->ciphers, TRUE);
    g_ptr_array_free(s->chains, TRUE);
    g_array_free(s->alerts, TRUE);
    g_array_free(s->clients, TRUE);
    g_free(s);
}

CpModel *
cp_model_new(const CpLimits *limits, CpAnomalies *anomalies)
{
    CpModel *m = g_new0(CpModel, 1);

    m->limits = limits;
    m->anomalies = anomalies;
    m->by_endpoint = g_hash_table_new(g_str_hash, g_str_equal);
    m->servers = g_ptr_array_new_with_free_func(server_free);
    return m;
}

void
cp_model_free(CpModel *m)
{
    if (m == NULL)
        return;
    g_hash_table_destroy(m->by_endpoint);
    g_ptr_array_free(m->servers, TRUE);
    g_free(m);
}

GPtrArray *
cp_model_servers(CpModel *m)
{
    return m->servers;
}

static CpServer *
server_get(CpModel *m, const CpHandshake *h)
{
    char ep[64];

    cp_addr_format_endpoint(&h->server, h->server_port, ep, sizeof ep);
    CpServer *s = g_hash_table_lookup(m->by_endpoint, ep);
    if (s != NULL)
        return s;
    if (m->servers->len >= m->limits->max_servers)
        return NULL;
    s = g_new0(CpServer, 1);
    s->addr = h->server;
    s->port = h->server_port;
    g_strlcpy(s->endpoint, ep, sizeof s->endpoint);
    s->names = g_ptr_array_new_with_free_func(g_free);
    s->versions = g_array_new(FALSE, FALSE, sizeof(uint16_t));
    s->ciphers = g_array_new(FALSE, FALSE, sizeof(uint16_t));
    s->chains = g_ptr_array_new_with_free_func(seen_chain_free);
    s->alerts = g_array_new(FALSE, FALSE, sizeof(CpAlertSeen));
    s->clients = g_array_new(FALSE, FALSE, sizeof(CpClientSeen));
    g_array_set_clear_func(s->clients, cp_client_seen_clear);
    s->first_ts_ns = h->ts_ns;
    g_hash_table_insert(m->by_endpoint, s->endpoint, s);
    g_ptr_array_add(m->servers, s);
    return s;
}

static void
add_u16(const CpModel *m, GArray *a, uint16_t v)
{
    for (guint i = 0; i < a->len; i++)
        if (g_array_index(a, uint16_t, i) == v)
            return;
    if (a->len < m->limits->max_server_values)
        g_array_append_val(a, v);
}

static void
add_name(CpModel *m, GPtrArray *names, const char *name)
{
    for (guint i = 0; i < names->len; i++)
        if (g_ascii_strcasecmp(names->pdata[i], name) == 0)
            return;
    if (names->len < m->limits->max_server_names)
        g_ptr_array_add(names, g_strdup(name));
    else
        cp_anomaly_add(m->anomalies, CP_ANOMALY_MODEL_NAME_LIMIT); /* model.name_limit */
}

bool
cp_chain_equal(const GArray *a, const GArray *b)
{
    if (a == NULL || b == NULL)
        return a == b;
    if (a->len != b->len)
        return false;
    for (guint i = 0; i < a->len; i++)
        if (strcmp(g_array_index(a, CpChainLink, i).sha1, g_array_index(b, CpChainLink, i).sha1))
            return false;
    return true;
}

/* Why this handshake's Certificate message lost certificates. The dissector keeps certificates
 * until --max-chain is reached and drops those above --max-cert-size wherever they are: a message
 * that kept fewer than --max-chain lost only oversized ones. */
static CpChainCut
cut_of(const CpModel *m, const CpHandshake *h)
{
    if (h->chain_damaged)
        return CP_CHAIN_CUT_DAMAGED;
    if (h->certs_dropped == 0)
        return CP_CHAIN_CUT_NONE;
    if (h->chain->len >= m->limits->max_chain_certs)
        return CP_CHAIN_CUT_MAX_CHAIN;
    return CP_CHAIN_CUT_CERT_SIZE;
}

static void
add_chain(CpModel *m, CpServer *s, const CpHandshake *h)
{
    CpSeenChain *c = NULL;
    CpChainCut cut = cut_of(m, h);

    for (guint i = 0; i < s->chains->len && c == NULL; i++)
        if (cp_chain_equal(((CpSeenChain *)s->chains->pdata[i])->links, h->chain))
            c = s->chains->pdata[i];
    if (c == NULL) {
        if (s->chains->len >= m->limits->max_server_chains) {
            cp_anomaly_add(m->anomalies, CP_ANOMALY_MODEL_CHAIN_LIMIT); /* model.chain_limit */
            return;
        }
        c = g_new0(CpSeenChain, 1);
        c->links = cp_chain_copy(h->chain);
        c->first_ts_ns = h->ts_ns;
        c->names = g_ptr_array_new_with_free_func(g_free);
        g_ptr_array_add(s->chains, c);
    }
    c->count++;
    if (h->certs_dropped > c->certs_dropped)
        c->certs_dropped = h->certs_dropped;
    if (cut > c->cut)
        c->cut = cut;
    c->conflicts += h->overlap_conflict;
    /* Which names this chain answered: a server may pick its certificate by SNI. */
    if (h->sni != NULL && h->sni[0] != '\0')
        add_name(m, c->names, h->sni);
}

static void
add_alert(const CpModel *m, CpServer *s, const CpHandshake *h)
{
    for (guint i = 0; i < s->alerts->len; i++) {
        CpAlertSeen *a = &g_array_index(s->alerts, CpAlertSeen, i);
        if (a->desc == h->alert_desc && a->from_client == h->alert_from_client) {
            a->count++;
            return;
        }
    }
    if (s->alerts->len < m->limits->max_server_values) {
        CpAlertSeen a = { h->alert_desc, h->alert_from_client, 1 };
        g_array_append_val(s->alerts, a);
    }
}

bool
cp_model_add(CpModel *m, const CpHandshake *h)
{
    CpServer *s = server_get(m, h);

    if (s == NULL)
        return false;
    s->handshakes++;
    if (h->ts_ns > s->last_ts_ns)
        s->last_ts_ns = h->ts_ns;
    if (h->sni != NULL && h->sni[0] != '\0')
        add_name(m, s->names, h->sni);
    if (h->has_server_hello) {
        add_u16(m, s->versions, h->version);
        if (h->version != 0x0002) /* SSLv2 has no negotiated suite */
            add_u16(m, s->ciphers, h->cipher);
    }
    if (h->has_chain && h->chain->len > 0) {
        add_chain(m, s, h);
    } else if (h->has_chain && h->certs_dropped > 0) {
        CpChainCut cut = cut_of(m, h);
        s->chains_dropped++;
        if (cut > s->chains_dropped_cut)
            s->chains_dropped_cut = cut;
    }
    if (h->alert_desc >= 0)
        add_alert(m, s, h);
    cp_model_add_client(m->limits, m->anomalies, s, h);
    s->resumed += cp_handshake_is_resumed(h);
    s->truncated += h->truncated;
    s->tls13 += h->tls13_encrypted;
    return true;
}

static GPtrArray *
strv_copy(const GPtrArray *a)
{
    GPtrArray *out = g_ptr_array_new_full(a->len, g_free);

    for (guint i = 0; i < a->len; i++)
        g_ptr_array_add(out, g_strdup(a->pdata[i]));
    return out;
}

static CpSeenChain *
seen_chain_copy(const CpSeenChain *src)
{
    CpSeenChain *c = g_new(CpSeenChain, 1);

    *c = *src;
    c->links = cp_chain_copy(src->links);
    c->names = strv_copy(src->names);
    return c;
}

static CpServer *
server_copy(const CpServer *src)
{
    CpServer *s = g_new(CpServer, 1);

    *s = *src;
    s->names = strv_copy(src->names);
    s->versions = g_array_copy(src->versions);
    s->ciphers = g_array_copy(src->ciphers);
    s->alerts = g_array_copy(src->alerts);
    s->chains = g_ptr_array_new_full(src->chains->len, seen_chain_free);
    for (guint i = 0; i < src->chains->len; i++)
        g_ptr_array_add(s->chains, seen_chain_copy(src->chains->pdata[i]));
    s->clients = g_array_copy(src->clients);
    g_array_set_clear_func(s->clients, cp_client_seen_clear);
    for (guint i = 0; i < s->clients->len; i++) {
        CpClientSeen *c = &g_array_index(s->clients, CpClientSeen, i);
        if (c->client_chain != NULL)
            c->client_chain = cp_chain_copy(c->client_chain);
    }
    return s;
}

/* A deep copy: strings and arrays are the copy's own, certificates shared by reference (they do
 * not change once parsed), so the original can go on folding handshakes meanwhile. */
CpModel *
cp_model_snapshot(const CpModel *m)
{
    CpModel *c = cp_model_new(m->limits, NULL);

    for (guint i = 0; i < m->servers->len; i++) {
        CpServer *s = server_copy(m->servers->pdata[i]);
        g_hash_table_insert(c->by_endpoint, s->endpoint, s);
        g_ptr_array_add(c->servers, s);
    }
    return c;
}
