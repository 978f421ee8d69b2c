/* SPDX-License-Identifier: BSD-2-Clause */
/* flow_table: open hash of connections plus an age list.
 *
 * The key is the unordered pair of endpoints, so both directions find the same flow. Each
 * endpoint is hashed with the table's own SipHash key (base/hash.h; attackers choose addresses
 * and ports: R49) and the two hashes are added, so either direction gives the same value. Flows sit
 * in a doubly linked list ordered by last activity; expiry walks it from the old end and stops at
 * the first young flow, so it costs O(expired). When the table is full the oldest flow is
 * ended (flow.evicted), which keeps memory bounded under a SYN flood. The last flow found is
 * checked first: segments come in runs of one connection (a bulk transfer, a flight), and an
 * endpoint compare costs less than hashing both endpoints (docs/internals/performance.md).
 */
#include "reasm/flow_table.h"

#include <string.h>
#include <glib.h>

#include "base/hash.h"

struct CpFlowTable {
    const CpLimits *limits;
    CpAnomalies *anomalies;
    CpFlowEndFn on_end;
    void *user;
    GHashTable *index; /* CpFlow* -> CpFlow*, hash/equal on endpoints */
    CpFlow *oldest, *newest;
    CpFlow *last; /* (borrowed) the flow the previous lookup found, or NULL */
    uint64_t count;
    uint64_t created;
    uint64_t next_tick_ns; /* cp_flow_table_tick: no expiry walk before this capture time */
    CpHashKey key;
};

/* One endpoint serialised without padding (base/hash.h): family, address, port. */
static uint64_t
endpoint_hash(const CpHashKey *key, const CpAddr *a, uint16_t port)
{
    uint8_t b[1 + 16 + 2];

    b[0] = a->family;
    memcpy(b + 1, a->bytes, 16);
    b[17] = (uint8_t)(port >> 8);
    b[18] = (uint8_t)port;
    return cp_hash_bytes(key, b, sizeof b);
}

static guint
flow_hash(gconstpointer key)
{
    const CpFlow *f = key;
    return f->hash;
}

static bool
endpoint_eq(const CpAddr *a, uint16_t pa, const CpAddr *b, uint16_t pb)
{
    return pa == pb && a->family == b->family && memcmp(a->bytes, b->bytes, 16) == 0;
}

static gboolean
flow_equal(gconstpointer x, gconstpointer y)
{
    const CpFlow *a = x, *b = y;

    if (endpoint_eq(&a->addr[0], a->port[0], &b->addr[0], b->port[0]))
        return endpoint_eq(&a->addr[1], a->port[1], &b->addr[1], b->port[1]);
    return endpoint_eq(&a->addr[0], a->port[0], &b->addr[1], b->port[1]) &&
           endpoint_eq(&a->addr[1], a->port[1], &b->addr[0], b->port[0]);
}

/* Symmetric: the sum of the endpoint hashes is the same whichever way the packet goes. */
static uint32_t
pair_hash(const CpFlowTable *t, const CpAddr *a, uint16_t pa, const CpAddr *b, uint16_t pb)
{
    uint64_t h = endpoint_hash(&t->key, a, pa) + endpoint_hash(&t->key, b, pb);
    return (uint32_t)(h ^ (h >> 32));
}

CpFlowTable *
cp_flow_table_new(const CpLimits *limits, CpAnomalies *anomalies, CpFlowEndFn on_end, void *user)
{
    CpFlowTable *t = g_new0(CpFlowTable, 1);

    t->limits = limits;
    t->anomalies = anomalies;
    t->on_end = on_end;
    t->user = user;
    t->index = g_hash_table_new(flow_hash, flow_equal);
    cp_hash_key_init_random(&t->key);
    return t;
}

static void
unlink_age(CpFlowTable *t, CpFlow *f)
{
    if (f->older != NULL)
        f->older->newer = f->newer;
    else
        t->oldest = f->newer;
    if (f->newer != NULL)
        f->newer->older = f->older;
    else
        t->newest = f->older;
    f->older = f->newer = NULL;
}

static void
push_young(CpFlowTable *t, CpFlow *f)
{
    f->older = t->newest;
    f->newer = NULL;
    if (t->newest != NULL)
        t->newest->newer = f;
    else
        t->oldest = f;
    t->newest = f;
}

void
cp_flow_table_remove(CpFlowTable *t, CpFlow *f, CpConnEndReason why)
{
    g_hash_table_remove(t->index, f);
    if (t->last == f)
        t->last = NULL;
    unlink_age(t, f);
    t->count--;
    t->on_end(t->user, f, why);
    g_free(f);
}

static CpFlow *
create(CpFlowTable *t, const CpPacket *p, uint32_t hash, CpDir *dir)
{
    if (t->count >= t->limits->max_flows && t->oldest != NULL) {
        cp_anomaly_add(t->anomalies, CP_ANOMALY_FLOW_EVICTED); /* flow.evicted */
        cp_flow_table_remove(t, t->oldest, CP_CONN_END_EVICTED);
    }
    CpFlow *f = g_new0(CpFlow, 1);
    /* Direction 0 is the opener: the SYN sender, the SYN/ACK receiver, or (mid-stream) the
     * endpoint with the higher port, since servers listen on the lower, well-known one. */
    bool src_opens;
    if (p->tcp_flags & CP_TCP_SYN)
        src_opens = !(p->tcp_flags & CP_TCP_ACK);
    else
        src_opens = p->sport >= p->dport;
    int s = src_opens ? 0 : 1;
    f->addr[s] = p->src;
    f->port[s] = p->sport;
    f->addr[1 - s] = p->dst;
    f->port[1 - s] = p->dport;
    f->hash = hash;
    f->last_ts_ns = p->ts_ns;
    cp_tcp_stream_init(&f->stream[0]);
    cp_tcp_stream_init(&f->stream[1]);
    g_hash_table_add(t->index, f);
    push_young(t, f);
    t->count++;
    t->created++;
    f->serial = t->created;
    *dir = (CpDir)s;
    return f;
}

CpFlow *
cp_flow_table_lookup(CpFlowTable *t, const CpPacket *p, bool create_it, CpDir *dir)
{
    CpFlow key;
    CpFlow *last = t->last;

    if (last != NULL) {
        if (endpoint_eq(&last->addr[0], last->port[0], &p->src, p->sport) &&
            endpoint_eq(&last->addr[1], last->port[1], &p->dst, p->dport)) {
            *dir = CP_DIR_0;
            return last;
        }
        if (endpoint_eq(&last->addr[1], last->port[1], &p->src, p->sport) &&
            endpoint_eq(&last->addr[0], last->port[0], &p->dst, p->dport)) {
            *dir = CP_DIR_1;
            return last;
        }
    }
    key.addr[0] = p->src;
    key.port[0] = p->sport;
    key.addr[1] = p->dst;
    key.port[1] = p->dport;
    key.hash = pair_hash(t, &p->src, p->sport, &p->dst, p->dport);
    CpFlow *f = g_hash_table_lookup(t->index, &key);
    if (f != NULL) {
        *dir = endpoint_eq(&f->addr[0], f->port[0], &p->src, p->sport) ? CP_DIR_0 : CP_DIR_1;
        t->last = f;
        return f;
    }
    if (!create_it)
        return NULL;
    t->last = create(t, p, key.hash, dir);
    return t->last;
}

void
cp_flow_table_touch(CpFlowTable *t, CpFlow *f, uint64_t ts_ns)
{
    if (ts_ns > f->last_ts_ns)
        f->last_ts_ns = ts_ns;
    if (t->newest != f) {
        unlink_age(t, f);
        push_young(t, f);
    }
}

#define TICK_EVERY_NS 1000000000ull /* idle expiry granularity: one second of capture time */

void
cp_flow_table_tick(CpFlowTable *t, uint64_t now_ns)
{
    if (now_ns < t->next_tick_ns)
        return;
    cp_flow_table_expire(t, now_ns);
    t->next_tick_ns = now_ns + TICK_EVERY_NS;
}

CpConnInfo
cp_flow_info(const CpFlow *f, CpTransport transport)
{
    CpConnInfo info = { .transport = transport, .opener_known = f->syn_seen };

    for (int d = 0; d < 2; d++) {
        info.addr[d] = f->addr[d];
        info.port[d] = f->port[d];
        info.has_mac[d] = (f->mac_mask >> d) & 1u;
        memcpy(info.mac[d], f->mac[d], sizeof info.mac[d]);
    }
    return info;
}

void
cp_flow_table_expire(CpFlowTable *t, uint64_t now_ns)
{
    uint64_t idle = t->limits->flow_timeout_s * 1000000000ull;

    while (t->oldest != NULL && t->oldest->last_ts_ns + idle < now_ns)
        cp_flow_table_remove(t, t->oldest, CP_CONN_END_TIMEOUT);
}

void
cp_flow_table_flush(CpFlowTable *t)
{
    while (t->oldest != NULL)
        cp_flow_table_remove(t, t->oldest, CP_CONN_END_FLUSH);
}

uint64_t
cp_flow_table_count(const CpFlowTable *t)
{
    return t->count;
}

uint64_t
cp_flow_table_created(const CpFlowTable *t)
{
    return t->created;
}

void
cp_flow_table_free(CpFlowTable *t)
{
    if (t == NULL)
        return;
    cp_flow_table_flush(t);
    g_hash_table_destroy(t->index);
    g_free(t);
}
