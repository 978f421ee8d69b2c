/* SPDX-License-Identifier: BSD-2-Clause */
/* defrag: bounded IP fragment reassembly (RFC 791 §3.2, RFC 8200 §4.5, RFC 5722, RFC 815).
 *
 * How it works.
 *  1. Every call first frees the previous completed datagram, then expires datagrams whose first
 *     fragment is older than frag_timeout_s of capture time (ip.frag_timeout). The age list is
 *     in creation order, so expiry only looks at its head.
 *  2. The datagram is found by a SipHash-2-4 of its key under a random per-instance key
 *     (base/hash.h): the addresses and identification are attacker-chosen (STYLE R49;
 *     Suricata flow-hash.c).
 *  3. A datagram is a sorted list of non-overlapping pieces. A new fragment only fills the
 *     holes it covers: bytes already held win (first seen, like Wireshark and Suricata's
 *     default), and any overlap is counted once (ip.frag_overlap). Not all stacks agree on
 *     this policy; counting the overlap is what tells the user the capture is ambiguous.
 *  4. Every allocation is reserved against frag_memcap first (STYLE R45). When it does not
 *     fit, the oldest other datagrams are evicted; if it still does not fit, the fragment is
 *     dropped (ip.frag_limit). Past max_frag_datagrams the oldest datagram is evicted.
 *  5. When the last fragment is known and the pieces cover [0, total) the pieces are copied
 *     into one buffer held until the next call, and the datagram is forgotten.
 * Cost per fragment: the walk over the pieces starts after the last piece (fragments in
 * order), after the piece inserted last (runs in either direction) or at the head (in reverse
 * order the new piece goes first), and completion compares the bytes held with the total, so
 * 8-byte fragments sent in order or in reverse cost O(1) each, not O(pieces) (an 8192-piece
 * datagram once cost 34 times a normal packet per fragment). Fragments in random order still
 * walk up to the pieces between the hint and their place: at most 8192 per datagram.
 */
#include "net/defrag.h"

#include <string.h>
#include <glib.h>

#include "base/bytebuf.h"
#include "base/hash.h"

/* An IP datagram (IPv4 total length, IPv6 payload length) cannot exceed this. */
#define MAX_DATAGRAM 65535u
/* Hash-table sizing, not a bound on input (that is --max-frag-datagrams): the bucket array
 * follows the datagram limit between these sizes, and chains grow beyond. */
#define MAX_BUCKETS    65536u
#define MIN_BUCKETS    16u
#define NS_PER_SEC     1000000000ull
#define KEY_WIRE_BYTES 38u

typedef struct Piece {
    struct Piece *next;
    size_t off;
    size_t len;
    uint8_t data[];
} Piece;

/* Lifetime: until complete, expired or evicted. */
typedef struct Entry {
    struct Entry *chain; /* next in the hash bucket */
    struct Entry *older; /* age list, creation order */
    struct Entry *newer;
    CpDefragKey key;
    uint64_t hash;
    uint64_t first_ts;
    Piece *pieces; /* (owned) sorted by offset, never overlapping */
    Piece *tail;   /* the last piece (highest offset) */
    Piece *hint;   /* the piece inserted last: where the next fragment usually goes */
    size_t held;   /* bytes in pieces */
    size_t total;  /* datagram length, once the last fragment was seen */
    size_t mem;    /* bytes reserved in the memcap for this entry */
    bool has_last;
    bool has_first;
    uint8_t next_proto;
} Entry;

struct CpDefrag {
    const CpLimits *limits;
    CpAnomalies *anomalies;
    CpHashKey hash_key; /* drawn per instance: bucket choice is not predictable */
    Entry **buckets;
    size_t bucket_mask;
    Entry *oldest;
    Entry *newest;
    size_t count;
    uint64_t timeout_ns;
    CpMemcap memcap;
    CpBytebuf done; /* the last completed datagram; one at most, so outside the memcap */
    uint64_t steps; /* pieces looked at while inserting, for the tests of the cost above */
};

static uint64_t
key_hash(const CpDefrag *d, const CpDefragKey *k)
{
    uint8_t buf[KEY_WIRE_BYTES];

    buf[0] = (uint8_t)(k->id >> 24);
    buf[1] = (uint8_t)(k->id >> 16);
    buf[2] = (uint8_t)(k->id >> 8);
    buf[3] = (uint8_t)k->id;
    buf[4] = k->family;
    buf[5] = k->proto;
    memcpy(buf + 6, k->src, 16);
    memcpy(buf + 22, k->dst, 16);
    return cp_hash_bytes(&d->hash_key, buf, sizeof buf);
}

static bool
key_equal(const CpDefragKey *a, const CpDefragKey *b)
{
    return a->id == b->id && a->family == b->family && a->proto == b->proto &&
           memcmp(a->src, b->src, 16) == 0 && memcmp(a->dst, b->dst, 16) == 0;
}

static void
count(CpDefrag *d, CpAnomalyId id)
{
    cp_anomaly_add(d->anomalies, id);
}

static size_t
clamp_size(uint64_t v)
{
    return v > SIZE_MAX ? SIZE_MAX : (size_t)v;
}

CpDefrag *
cp_defrag_new(const CpLimits *limits, CpAnomalies *anomalies)
{
    CpDefrag *d = g_new0(CpDefrag, 1);
    size_t want = clamp_size(limits->max_frag_datagrams);
    size_t n = MIN_BUCKETS;

    while (n < want && n < MAX_BUCKETS)
        n *= 2;
    d->limits = limits;
    d->anomalies = anomalies;
    cp_hash_key_init_random(&d->hash_key);
    d->buckets = g_new0(Entry *, n);
    d->bucket_mask = n - 1;
    d->timeout_ns = limits->frag_timeout_s > UINT64_MAX / NS_PER_SEC
                            ? UINT64_MAX
                            : limits->frag_timeout_s * NS_PER_SEC;
    d->memcap.cap = clamp_size(limits->frag_memcap);
    cp_bytebuf_init(&d->done, MAX_DATAGRAM, NULL);
    return d;
}

/* Unlinks e from its bucket and the age list, frees it and returns its bytes to the budget. */
static void
drop_entry(CpDefrag *d, Entry *e)
{
    Entry **link = &d->buckets[e->hash & d->bucket_mask];

    while (*link != e)
        link = &(*link)->chain;
    *link = e->chain;
    if (e->older != NULL)
        e->older->newer = e->newer;
    else
        d->oldest = e->newer;
    if (e->newer != NULL)
        e->newer->older = e->older;
    else
        d->newest = e->older;
    for (Piece *p = e->pieces, *next; p != NULL; p = next) {
        next = p->next;
        g_free(p);
    }
    cp_memcap_release(&d->memcap, e->mem);
    g_free(e);
    d->count--;
}

void
cp_defrag_release(CpDefrag *d)
{
    cp_bytebuf_clear(&d->done);
}

void
cp_defrag_free(CpDefrag *d)
{
    if (d == NULL)
        return;
    while (d->oldest != NULL)
        drop_entry(d, d->oldest);
    cp_defrag_release(d);
    g_free(d->buckets);
    g_free(d);
}

size_t
cp_defrag_count(const CpDefrag *d)
{
    return d->count;
}

size_t
cp_defrag_memuse(const CpDefrag *d)
{
    return d->memcap.used;
}

uint64_t
cp_defrag_steps(const CpDefrag *d)
{
    return d->steps;
}

/* ip.frag_timeout: capture time, measured from the first fragment (as Linux does), so a
 * trickle of fragments cannot keep a datagram alive forever. */
void
cp_defrag_expire(CpDefrag *d, uint64_t now)
{
    while (d->oldest != NULL && now > d->oldest->first_ts &&
           now - d->oldest->first_ts > d->timeout_ns) {
        count(d, CP_ANOMALY_IP_FRAG_TIMEOUT);
        drop_entry(d, d->oldest);
    }
}

/* ip.frag_limit: evicts the oldest datagram other than keep. */
static bool
evict_oldest(CpDefrag *d, const Entry *keep)
{
    Entry *victim = d->oldest;

    if (victim == keep && victim != NULL)
        victim = victim->newer;
    if (victim == NULL)
        return false;
    count(d, CP_ANOMALY_IP_FRAG_LIMIT);
    drop_entry(d, victim);
    return true;
}

/* Memcap before allocation (STYLE R45): makes room by evicting older datagrams. */
static bool
reserve(CpDefrag *d, size_t n, const Entry *keep)
{
    while (!cp_memcap_reserve(&d->memcap, n)) {
        if (!evict_oldest(d, keep))
            return false;
    }
    return true;
}

static Entry *
lookup(const CpDefrag *d, const CpDefragKey *key, uint64_t hash)
{
    for (Entry *e = d->buckets[hash & d->bucket_mask]; e != NULL; e = e->chain) {
        if (e->hash == hash && key_equal(&e->key, key))
            return e;
    }
    return NULL;
}

static Entry *
create(CpDefrag *d, const CpDefragKey *key, uint64_t hash, uint64_t ts)
{
    /* ip.frag_limit: a zero limit turns reassembly off, every fragment is dropped. */
    if (d->limits->max_frag_datagrams == 0)
        return NULL;
    while (d->count >= d->limits->max_frag_datagrams)
        (void)evict_oldest(d, NULL);
    if (!reserve(d, sizeof(Entry), NULL))
        return NULL;

    Entry *e = g_new0(Entry, 1);
    Entry **bucket = &d->buckets[hash & d->bucket_mask];

    e->key = *key;
    e->hash = hash;
    e->first_ts = ts;
    e->mem = sizeof(Entry);
    e->chain = *bucket;
    *bucket = e;
    e->older = d->newest;
    if (d->newest != NULL)
        d->newest->newer = e;
    else
        d->oldest = e;
    d->newest = e;
    d->count++;
    return e;
}

static Piece *
new_piece(CpDefrag *d, Entry *e, const CpDefragFrag *f, size_t from, size_t to)
{
    size_t len = to - from;
    size_t need = sizeof(Piece) + len;

    if (!reserve(d, need, e))
        return NULL;
    Piece *p = g_malloc(need);
    p->next = NULL;
    p->off = from;
    p->len = len;
    memcpy(p->data, f->data + (from - f->offset), len);
    e->mem += need;
    return p;
}

static bool
ends_by(const Piece *p, size_t off)
{
    return p != NULL && p->off + p->len <= off;
}

/* Where the walk for a fragment starting at off may begin: every piece before it ends by off. */
static Piece **
walk_start(Entry *e, size_t off)
{
    if (ends_by(e->tail, off))
        return &e->tail->next;
    if (ends_by(e->hint, off))
        return &e->hint->next;
    return &e->pieces;
}

/* Copies the parts of f that fill holes in e; bytes already held win (first seen). Returns
 * false when the memcap stopped it (what was inserted before stays: it is valid data). */
static bool
insert(CpDefrag *d, Entry *e, const CpDefragFrag *f, bool *overlap)
{
    size_t cur = f->offset;
    size_t end = f->offset + f->len;
    Piece **link = walk_start(e, cur);

    while (cur < end) {
        Piece *p = *link;

        d->steps++;
        if (p != NULL && p->off + p->len <= cur) {
            link = &p->next;
            continue;
        }
        if (p != NULL && p->off <= cur) {
            *overlap = true; /* ip.frag_overlap: keep what is there */
            cur = p->off + p->len;
            link = &p->next;
            continue;
        }
        size_t to = (p == NULL || p->off > end) ? end : p->off;
        Piece *n = new_piece(d, e, f, cur, to);
        if (n == NULL)
            return false;
        n->next = p;
        *link = n;
        link = &n->next;
        cur = to;
        e->held += n->len;
        e->hint = n;
        if (p == NULL)
            e->tail = n;
    }
    return true;
}

/* Pieces never overlap and, once the last fragment is known, all end by total (accept_tail):
 * they cover [0, total) exactly when they hold total bytes. */
static bool
complete(const Entry *e)
{
    return e->has_last && e->held == e->total;
}

static size_t
held_end(const Entry *e)
{
    return e->tail != NULL ? e->tail->off + e->tail->len : 0;
}

static CpDefragResult
assemble(CpDefrag *d, Entry *e, CpDefragDatagram *out)
{
    uint8_t *dst;

    out->next_proto = e->next_proto;
    out->len = e->total;
    if (e->total > 0) {
        if (cp_bytebuf_reserve(&d->done, e->total, &dst) != CP_BUF_OK) {
            /* Cannot happen: total <= MAX_DATAGRAM was checked fragment by fragment. */
            count(d, CP_ANOMALY_IP_FRAG_TOO_LARGE);
            drop_entry(d, e);
            return CP_DEFRAG_DROPPED;
        }
        for (const Piece *p = e->pieces; p != NULL; p = p->next)
            memcpy(dst + p->off, p->data, p->len);
        d->done.len = e->total;
        out->data = d->done.data;
    }
    drop_entry(d, e);
    return CP_DEFRAG_DONE;
}

/* ip.frag_too_large: the reassembled datagram would exceed what its length field can say
 * (the "ping of death" shape). Checked per fragment so nothing above it is ever stored. */
static bool
too_large(const CpDefragFrag *f)
{
    return f->hdr_len > MAX_DATAGRAM || f->offset > MAX_DATAGRAM || f->len > MAX_DATAGRAM ||
           f->hdr_len + f->offset + f->len > MAX_DATAGRAM;
}

/* Records the last fragment; a second, different end is a conflict and loses (first seen). */
static bool
accept_tail(CpDefrag *d, Entry *e, const CpDefragFrag *f)
{
    size_t end = f->offset + f->len;

    if (f->more) {
        if (e->has_last && end > e->total) {
            count(d, CP_ANOMALY_IP_MALFORMED); /* data past the known end */
            return false;
        }
        return true;
    }
    if (e->has_last && end != e->total) {
        count(d, CP_ANOMALY_IP_FRAG_OVERLAP); /* two different ends */
        return false;
    }
    if (!e->has_last && held_end(e) > end) {
        count(d, CP_ANOMALY_IP_MALFORMED); /* the end falls inside data already held */
        return false;
    }
    e->has_last = true;
    e->total = end;
    return true;
}

CpDefragResult
cp_defrag_add(CpDefrag *d, const CpDefragFrag *f, uint64_t ts_ns, CpDefragDatagram *out)
{
    bool overlap = false;

    cp_defrag_release(d);
    memset(out, 0, sizeof *out);
    cp_defrag_expire(d, ts_ns);

    uint64_t hash = key_hash(d, &f->key);
    Entry *e = lookup(d, &f->key, hash);

    if (too_large(f)) {
        count(d, CP_ANOMALY_IP_FRAG_TOO_LARGE);
        if (e != NULL)
            drop_entry(d, e);
        return CP_DEFRAG_DROPPED;
    }
    if (e == NULL && (e = create(d, &f->key, hash, ts_ns)) == NULL) {
        count(d, CP_ANOMALY_IP_FRAG_LIMIT);
        return CP_DEFRAG_DROPPED;
    }
    if (!accept_tail(d, e, f))
        return CP_DEFRAG_DROPPED;
    if (f->offset == 0 && !e->has_first) {
        e->has_first = true;
        e->next_proto = f->next_proto;
    }
    bool stored = insert(d, e, f, &overlap);
    if (overlap)
        count(d, CP_ANOMALY_IP_FRAG_OVERLAP);
    if (!stored) {
        count(d, CP_ANOMALY_IP_FRAG_LIMIT);
        if (e->pieces == NULL)
            drop_entry(d, e);
        return CP_DEFRAG_DROPPED;
    }
    return complete(e) ? assemble(d, e, out) : CP_DEFRAG_HELD;
}
