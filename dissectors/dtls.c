/* SPDX-License-Identifier: BSD-2-Clause */
/* dtls: the DTLS 1.0/1.2 table entry (RFC 4347, RFC 6347 §4.1-§4.2.3; RFC 7983 §7 for the first
 * byte of multiplexed flows). UDP conversations, one datagram per feed call.
 *
 *   record:    type(1) version(2: 0xfeff, 0xfefd) epoch(2) sequence_number(6) length(2) body
 *   handshake: msg_type(1) length(3) message_seq(2) fragment_offset(3) fragment_length(3) bytes
 *
 * A datagram holds one or more records; a handshake record one or more fragments. A handshake
 * message is reassembled from its fragments by message_seq, and messages are handed to the TLS
 * session (tls.h: the same parser, the same CpTlsEvents as TLS) in message_seq order:
 *
 *   1. A fragment of a message already handed over (seq < next_seq) is a retransmission: skipped.
 *   2. A whole message that is next (seq == next_seq, nothing held for it) is parsed in place.
 *   3. Anything else is held: the message's buffer (its declared length) and a bitmap of the bytes
 *      seen; a byte seen twice keeps its first value and a difference is dtls.fragment_conflict
 *      (STYLE R47). Fragments must agree on type and length with the first one (dtls.malformed).
 *   4. When the next message is complete it is handed over, then the ones held after it, in turn.
 *      A complete ClientHello, ServerHello or HelloVerifyRequest opens a flight: if it is beyond
 *      next_seq (the capture began after earlier messages), next_seq jumps to it and what was held
 *      before it is dropped.
 *   5. ChangeCipherSpec, or any record of a later epoch, ends the plaintext of a direction (R27);
 *      the direction answers DONE once nothing is held (a reordered fragment of the flight may
 *      still come), and at the end of the conversation what is held and complete is handed over in
 *      message_seq order, and an incomplete message is reported TRUNCATED.
 * DTLS 1.3 (RFC 9147): with a key log holding the connection's handshake traffic secrets, the
 * ciphertext records of epoch 2 are opened (dtls13.c) and the handshake fragments inside them
 * go through steps 1-4 like clear ones; a direction is DONE at its Finished or its first record
 * of a later epoch. Without the secrets its ServerHello is reported with ENCRYPTED, as a TLS 1.3
 * one is, and a ciphertext record in the unified header ends a direction's plaintext.
 * Held messages are bounded per direction by --max-dtls-messages and --max-dtls-pending bytes
 * (dtls.pending_limit), each by --max-handshake (tls.handshake_too_large), and their bytes are
 * reserved in the run's reassembly memcap first (R45). Every loop is bounded by the datagram: a
 * record is at least 13 bytes, a fragment at least 12 (R25).
 */
#include "dissectors/dissector.h"

#include <string.h>
#include <glib.h>

#include "base/reader.h"
#include "dissectors/dtls13.h"

enum {
    REC_HEADER_LEN = 13,
    FRAG_HEADER_LEN = 12,
    CT_CCS = 20,
    CT_ALERT = 21,
    CT_HANDSHAKE = 22,
    CT_APPDATA = 23,
    CT_HEARTBEAT = 24,
    DTLS_1_0 = 0xfeff,
    DTLS_1_2 = 0xfefd,
    DTLS_1_3 = 0xfefc,
    UNIFIED_MASK = 0xe0, /* RFC 9147 §4: 001xxxxx opens a DTLS 1.3 ciphertext record */
    UNIFIED_BITS = 0x20,
    HS_CLIENT_HELLO = 1,
    HS_SERVER_HELLO = 2,
    HS_HELLO_VERIFY_REQUEST = 3,
    HS_FINISHED = 20,
    RANDOM_LEN = 32,
    MUX_DTLS_FIRST = 20, /* RFC 7983 §7: first bytes 20-63 are DTLS */
    MUX_DTLS_LAST = 63,
};

#define STUN_MAGIC_COOKIE 0x2112a442u

/* Lifetime: connection. One handshake message being reassembled or waiting for its turn. */
typedef struct DtlsMsg {
    uint16_t seq;
    uint8_t type;
    size_t len;      /* the message body's declared length */
    uint8_t *body;   /* (owned) len bytes */
    uint8_t *have;   /* (owned) bitmap: which body bytes were seen */
    size_t have_len; /* bytes seen */
    size_t cost;     /* bytes allocated, reserved in the memcap */
} DtlsMsg;

typedef struct DtlsDir {
    GPtrArray *held;    /* (owned) DtlsMsg*, at most max_dtls_messages */
    size_t held_bytes;  /* sum of their cost, at most max_dtls_pending */
    uint32_t next_seq;  /* the message_seq handed over next */
    bool encrypted;     /* a CCS or a later epoch was seen */
    CpFeedStatus final; /* MORE while parsing; then sticky */
} DtlsDir;

typedef struct DtlsConn {
    const CpLimits *limits;
    CpAnomalies *anomalies;
    CpMemcap *memcap;
    CpTlsEventFn emit;
    void *user;
    CpTlsSession *session; /* (owned) */
    DtlsDir dir[2];
    bool dtls13; /* a DTLS 1.3 ServerHello: the rest of the handshake is encrypted */
    /* DTLS 1.3 with a key log (dtls13.c) */
    const CpKeylog *keylog; /* borrowed, nullable */
    uint8_t client_random[CP_KEYLOG_RANDOM_LEN];
    bool have_random;
    bool dtls13_keys;  /* the key log opened the server's epoch 2 */
    bool sent_cert[2]; /* a Certificate message came from that direction */
    CpDir d13_server;  /* the direction of the DTLS 1.3 ServerHello */
    CpDtls13Dir d13[2];
} DtlsConn;

typedef struct Frag {
    uint8_t type;
    uint32_t len;
    uint16_t seq;
    uint32_t off;
    const uint8_t *data;
    size_t data_len;
} Frag;

static bool
version_known(uint16_t v)
{
    return v == DTLS_1_0 || v == DTLS_1_2;
}

/* RFC 5389 §6: a STUN message (first two bits zero, the magic cookie at byte 4). WebRTC and
 * TURN flows check connectivity with STUN on the port before DTLS starts (RFC 7983). */
static bool
is_stun(CpReader r)
{
    uint16_t type, len;
    uint32_t cookie;

    return cp_reader_be16(&r, &type) && cp_reader_be16(&r, &len) && cp_reader_be32(&r, &cookie) &&
           (type >> 14) == 0 && cookie == STUN_MAGIC_COOKIE;
}

/* A datagram opening with a handshake record of epoch 0: how every DTLS conversation starts.
 * A STUN datagram leaves the question open for the next datagram (a datagram is always whole, so
 * asking for one byte more than it holds means "the next one"). */
static CpProbe
dtls_probe(CpDir dir, const uint8_t *data, size_t len, unsigned flags, size_t *needed)
{
    CpReader r;
    uint8_t type;
    uint16_t version, epoch, rec_len;

    (void)dir, (void)flags;
    cp_reader_init(&r, data, len, len);
    if (is_stun(r)) {
        *needed = len + 1;
        return CP_PROBE_NEED_MORE;
    }
    if (!cp_reader_u8(&r, &type) || !cp_reader_be16(&r, &version) || !cp_reader_be16(&r, &epoch) ||
        !cp_reader_skip(&r, 6) || !cp_reader_be16(&r, &rec_len))
        return CP_PROBE_NO;
    return type == CT_HANDSHAKE && version_known(version) && epoch == 0 &&
                           rec_len >= FRAG_HEADER_LEN && rec_len <= cp_reader_remaining(&r)
                   ? CP_PROBE_YES
                   : CP_PROBE_NO;
}

static void
msg_free(DtlsConn *c, DtlsDir *d, DtlsMsg *m)
{
    cp_memcap_release(c->memcap, m->cost);
    d->held_bytes -= m->cost;
    g_free(m->body);
    g_free(m->have);
    g_free(m);
}

static void
drop_held(DtlsConn *c, DtlsDir *d)
{
    while (d->held != NULL && d->held->len > 0) {
        DtlsMsg *m = g_ptr_array_steal_index_fast(d->held, d->held->len - 1);
        msg_free(c, d, m);
    }
}

static CpFeedStatus
finish(DtlsConn *c, DtlsDir *d, CpFeedStatus st)
{
    if (st != CP_FEED_MORE) {
        d->final = st;
        drop_held(c, d);
    }
    return st;
}

/* What TLS 1.3 says after its ServerHello: the certificates follow encrypted, unread. */
static void
emit_encrypted(DtlsConn *c, CpDir dir)
{
    CpTlsEvent enc;

    memset(&enc, 0, sizeof enc);
    enc.type = CP_TLS_EV_ENCRYPTED;
    enc.dir = dir;
    enc.lost_msg_type = -1;
    if (c->emit != NULL)
        c->emit(c->user, &enc);
}

/* Events pass through unchanged; a DTLS 1.3 ServerHello (RFC 9147 §5.3: supported_versions
 * selects 0xfefc) also says what TLS 1.3 says, that the certificates follow encrypted, unless
 * the key log opens them. */
static void
on_tls_event(void *user, const CpTlsEvent *ev)
{
    DtlsConn *c = user;

    if (c->emit != NULL)
        c->emit(c->user, ev);
    if (ev->type == CP_TLS_EV_CERTIFICATE)
        c->sent_cert[ev->dir] = true;
    if (ev->type == CP_TLS_EV_SERVER_HELLO && ev->version == DTLS_1_3 && c->have_random &&
        cp_dtls13_keys(c->d13, ev->dir, c->keylog, c->client_random, ev->cipher, c->anomalies)) {
        c->dtls13_keys = true; /* the key log opens what follows: no ENCRYPTED */
        c->d13_server = ev->dir;
        return;
    }
    if (ev->type == CP_TLS_EV_SERVER_HELLO && ev->version == DTLS_1_3) {
        c->dtls13 = true;
        emit_encrypted(c, ev->dir);
    }
}

static void *
dtls_new(const CpDissectCtx *ctx)
{
    DtlsConn *c = g_new0(DtlsConn, 1);

    c->limits = ctx->limits;
    c->anomalies = ctx->anomalies;
    c->memcap = ctx->memcap;
    c->emit = ctx->emit;
    c->user = ctx->user;
    c->keylog = ctx->keylog;
    c->session = cp_tls_session_new(ctx->limits, ctx->anomalies, on_tls_event, c);
    cp_tls_session_set_memcap(c->session, ctx->memcap);
    for (size_t i = 0; i < 2; i++) {
        c->dir[i].held = g_ptr_array_new();
        c->dir[i].final = CP_FEED_MORE;
    }
    return c;
}

static void
dtls_free(void *state)
{
    DtlsConn *c = state;

    if (c == NULL)
        return;
    for (size_t i = 0; i < 2; i++) {
        drop_held(c, &c->dir[i]);
        g_ptr_array_free(c->dir[i].held, TRUE);
        cp_dtls13_dir_clear(&c->d13[i]);
    }
    cp_tls_session_free(c->session);
    g_free(c);
}

/* RFC 6347 §4.2.1: a DTLS ClientHello has a cookie<0..2^8-1> after the session id. The TLS
 * parser reads the TLS layout, so it gets a copy without the cookie (the SNI view points into the
 * copy, which lives for the call like every event view). */
static CpFeedStatus
client_hello(DtlsConn *c, CpDir dir, const uint8_t *body, size_t len)
{
    CpReader r;
    CpReader sid, cookie;

    cp_reader_init(&r, body, len, len);
    c->have_random = cp_reader_skip(&r, 2) && cp_reader_copy(&r, c->client_random, RANDOM_LEN);
    if (!c->have_random || !cp_reader_vec8(&r, &sid)) {
        cp_anomaly_add(c->anomalies, CP_ANOMALY_TLS_HANDSHAKE_MALFORMED);
        return CP_FEED_MORE; /* tls.handshake_malformed: the fixed part lies */
    }
    size_t head = r.pos;
    if (!cp_reader_vec8(&r, &cookie)) {
        cp_anomaly_add(c->anomalies, CP_ANOMALY_TLS_HANDSHAKE_MALFORMED);
        return CP_FEED_MORE;
    }
    size_t tail = r.pos;
    g_autofree uint8_t *copy = g_malloc(head + (len - tail) + 1);
    memcpy(copy, body, head);
    memcpy(copy + head, body + tail, len - tail);
    return cp_tls_session_handshake(c->session, dir, HS_CLIENT_HELLO, copy, head + (len - tail));
}

/* Hands one complete message to the TLS session. */
static CpFeedStatus
deliver(DtlsConn *c, CpDir dir, uint8_t type, const uint8_t *body, size_t len)
{
    c->dir[dir].next_seq++;
    if (type == HS_CLIENT_HELLO)
        return client_hello(c, dir, body, len);
    if (type == HS_HELLO_VERIFY_REQUEST)
        return CP_FEED_MORE; /* RFC 6347 §4.2.1: a cookie exchange, the ClientHello comes again */
    CpFeedStatus st = cp_tls_session_handshake(c->session, dir, type, body, len);
    /* RFC 9147 §6.1: the handshake keys end at Finished; what follows is epoch 3 */
    if (c->dtls13_keys && type == HS_FINISHED)
        return CP_FEED_DONE;
    return c->dtls13 && type == HS_SERVER_HELLO ? CP_FEED_DONE : st;
}

static DtlsMsg *
held_find(const DtlsDir *d, uint32_t seq, guint *index)
{
    for (guint i = 0; i < d->held->len; i++) {
        DtlsMsg *m = g_ptr_array_index(d->held, i);
        if (m->seq == seq) {
            if (index != NULL)
                *index = i;
            return m;
        }
    }
    return NULL;
}

/* Step 4: hands over the next messages while they are complete. Bounded by the held list. */
static CpFeedStatus
drain(DtlsConn *c, CpDir dir)
{
    DtlsDir *d = &c->dir[dir];
    guint i;
    DtlsMsg *m;

    while ((m = held_find(d, d->next_seq, &i)) != NULL && m->have_len == m->len) {
        g_ptr_array_remove_index_fast(d->held, i);
        CpFeedStatus st = deliver(c, dir, m->type, m->body, m->len);
        msg_free(c, d, m);
        if (st != CP_FEED_MORE)
            return finish(c, d, st);
    }
    return CP_FEED_MORE;
}

static bool
opens_flight(uint8_t type)
{
    return type == HS_CLIENT_HELLO || type == HS_SERVER_HELLO || type == HS_HELLO_VERIFY_REQUEST;
}

/* Step 4's jump: a complete hello beyond next_seq; what was held before it is dropped. */
static void
resync(DtlsConn *c, DtlsDir *d, uint16_t seq)
{
    for (guint i = d->held->len; i > 0; i--) {
        DtlsMsg *m = g_ptr_array_index(d->held, i - 1);
        if (m->seq < seq) {
            g_ptr_array_remove_index_fast(d->held, i - 1);
            msg_free(c, d, m);
        }
    }
    d->next_seq = seq;
}

/* A new held message for f, within the limits. NULL when a limit says no (counted). */
static DtlsMsg *
held_new(DtlsConn *c, DtlsDir *d, const Frag *f)
{
    size_t bitmap = ((size_t)f->len + 7) / 8;
    size_t cost = (size_t)f->len + bitmap;

    /* dtls.pending_limit: fragments of many messages, or of huge ones, held at once would let a
     * peer make us buffer without end (--max-dtls-messages, --max-dtls-pending). */
    if (d->held->len >= c->limits->max_dtls_messages ||
        cost > c->limits->max_dtls_pending - MIN(d->held_bytes, c->limits->max_dtls_pending)) {
        cp_anomaly_add(c->anomalies, CP_ANOMALY_DTLS_PENDING_LIMIT);
        return NULL;
    }
    if (!cp_memcap_reserve(c->memcap, cost)) { /* tcp.memcap: the run's budget is spent */
        cp_anomaly_add(c->anomalies, CP_ANOMALY_TCP_MEMCAP);
        return NULL;
    }
    DtlsMsg *m = g_new0(DtlsMsg, 1);
    m->seq = f->seq;
    m->type = f->type;
    m->len = f->len;
    m->body = g_malloc(f->len + 1);
    m->have = g_malloc0(bitmap + 1);
    m->cost = cost;
    d->held_bytes += cost;
    g_ptr_array_add(d->held, m);
    return m;
}

/* Step 3: copies the fragment's bytes not seen yet; first seen wins. */
static void
held_fill(DtlsConn *c, DtlsMsg *m, const Frag *f)
{
    bool conflict = false;

    for (size_t i = 0; i < f->data_len; i++) {
        size_t at = (size_t)f->off + i;
        uint8_t bit = (uint8_t)(1u << (at % 8));
        if (m->have[at / 8] & bit) {
            conflict |= m->body[at] != f->data[i];
            continue;
        }
        m->have[at / 8] |= bit;
        m->body[at] = f->data[i];
        m->have_len++;
    }
    /* dtls.fragment_conflict: a retransmission that disagrees is an injection or a broken
     * stack; the first bytes are kept. */
    if (conflict)
        cp_anomaly_add(c->anomalies, CP_ANOMALY_DTLS_FRAGMENT_CONFLICT);
}

/* Steps 1-4 for one fragment. */
static CpFeedStatus
fragment(DtlsConn *c, CpDir dir, const Frag *f)
{
    DtlsDir *d = &c->dir[dir];

    if (f->seq < d->next_seq)
        return CP_FEED_MORE; /* a retransmission of what was handed over */
    DtlsMsg *m = held_find(d, f->seq, NULL);
    if (m == NULL && f->seq == d->next_seq && f->off == 0 && f->data_len == f->len) {
        CpFeedStatus st = deliver(c, dir, f->type, f->data, f->data_len);
        return st == CP_FEED_MORE ? drain(c, dir) : finish(c, d, st);
    }
    if (m != NULL && (m->type != f->type || m->len != f->len)) {
        /* dtls.malformed: two fragments of one message disagree on what it is */
        cp_anomaly_add(c->anomalies, CP_ANOMALY_DTLS_MALFORMED);
        return CP_FEED_MORE;
    }
    if (m == NULL && (m = held_new(c, d, f)) == NULL)
        return CP_FEED_MORE;
    held_fill(c, m, f);
    if (m->have_len == m->len && opens_flight(m->type) && m->seq > d->next_seq)
        resync(c, d, m->seq);
    return drain(c, dir);
}

/* One handshake record's fragments. */
static CpFeedStatus
handshake_record(DtlsConn *c, CpDir dir, CpReader *rec)
{
    while (cp_reader_remaining(rec) > 0) {
        Frag f = { 0 };
        uint32_t frag_len;
        if (!cp_reader_u8(rec, &f.type) || !cp_reader_be24(rec, &f.len) ||
            !cp_reader_be16(rec, &f.seq) || !cp_reader_be24(rec, &f.off) ||
            !cp_reader_be24(rec, &frag_len) || f.off > f.len || frag_len > f.len - f.off ||
            !cp_reader_bytes(rec, frag_len, &f.data)) {
            /* dtls.malformed: a fragment running past its message or its record */
            cp_anomaly_add(c->anomalies, CP_ANOMALY_DTLS_MALFORMED);
            return CP_FEED_MORE;
        }
        /* tls.handshake_too_large: a 24-bit length would make us buffer up to 16 MB */
        if (f.len > c->limits->max_handshake_len) {
            cp_anomaly_add(c->anomalies, CP_ANOMALY_TLS_HANDSHAKE_TOO_LARGE);
            continue;
        }
        f.data_len = frag_len;
        CpFeedStatus st = fragment(c, dir, &f);
        if (st != CP_FEED_MORE)
            return st;
    }
    return CP_FEED_MORE;
}

/* Step 5: plaintext ends; DONE as soon as nothing of the flight is still awaited. */
static CpFeedStatus
encrypted(DtlsConn *c, DtlsDir *d)
{
    d->encrypted = true;
    return d->held->len == 0 ? finish(c, d, CP_FEED_DONE) : CP_FEED_MORE;
}

/* A DTLS 1.3 record the key log did not open: the direction is left, and a server whose chain
 * was not read yet is reported as without the key log (ENCRYPTED). */
static CpFeedStatus
undecrypted(DtlsConn *c, CpDir dir)
{
    if (dir == c->d13_server && !c->sent_cert[dir])
        emit_encrypted(c, dir);
    return finish(c, &c->dir[dir], CP_FEED_DONE);
}

/* A DTLS 1.3 ciphertext record of a direction with keys (dtls13.c); its plaintext is read as a
 * clear record of its inner type. false when the rest of the datagram is unreadable. */
static bool
ciphertext(DtlsConn *c, CpDir dir, CpReader *in, CpFeedStatus *st)
{
    DtlsDir *d = &c->dir[dir];
    g_autofree uint8_t *plain = NULL;
    size_t n;
    uint8_t type;
    CpReader r;

    switch (cp_dtls13_open(&c->d13[dir], in, c->limits, c->anomalies, &plain, &n, &type)) {
    case CP_DTLS13_OPENED:
        break;
    case CP_DTLS13_OTHER_EPOCH:
        *st = encrypted(c, d);
        return true;
    case CP_DTLS13_FAILED:
    case CP_DTLS13_LIMIT:
        *st = undecrypted(c, dir);
        return false;
    default:
        return false;
    }
    cp_reader_init(&r, plain, n, n);
    switch (type) {
    case CT_HANDSHAKE:
        *st = handshake_record(c, dir, &r);
        break;
    case CT_ALERT:
        *st = finish(c, d, cp_tls_session_alert(c->session, dir, plain, n));
        break;
    case CT_APPDATA:
        *st = encrypted(c, d); /* application data under handshake keys: the handshake is over */
        break;
    default:
        break; /* ACK (RFC 9147 §7): nothing we report */
    }
    return true;
}

/* One record at the front of the datagram; false when the rest of the datagram is unreadable. */
static bool
record(DtlsConn *c, CpDir dir, CpReader *in, CpFeedStatus *st)
{
    DtlsDir *d = &c->dir[dir];
    uint8_t type;
    uint16_t version, epoch, len;
    CpReader rec;
    const uint8_t *p;

    /* RFC 9147 §4: a DTLS 1.3 ciphertext record; its length may be implicit, so it is the
     * datagram's last record we can frame: the direction is encrypted */
    if (cp_reader_peek_u8(in, 0, &type) && (type & UNIFIED_MASK) == UNIFIED_BITS) {
        if (c->d13[dir].cipher != NULL)
            return ciphertext(c, dir, in, st);
        *st = encrypted(c, d);
        return false;
    }
    if (!cp_reader_u8(in, &type) || !cp_reader_be16(in, &version) || !cp_reader_be16(in, &epoch) ||
        !cp_reader_skip(in, 6) || !cp_reader_be16(in, &len)) {
        cp_anomaly_add(c->anomalies, CP_ANOMALY_DTLS_MALFORMED); /* dtls.malformed: a stub */
        return false;
    }
    /* tls.record_bad_type: not a DTLS record we know; the rest of the datagram is unframed */
    if (type < CT_CCS || type > CT_HEARTBEAT || !version_known(version)) {
        cp_anomaly_add(c->anomalies, CP_ANOMALY_TLS_RECORD_BAD_TYPE);
        return false;
    }
    /* tls.record_too_long / dtls.malformed: a length beyond the limit or the datagram */
    if (len > c->limits->max_record_len) {
        cp_anomaly_add(c->anomalies, CP_ANOMALY_TLS_RECORD_TOO_LONG);
        return false;
    }
    if (len > cp_reader_remaining(in) || !cp_reader_sub(in, len, &rec)) {
        cp_anomaly_add(c->anomalies, CP_ANOMALY_DTLS_MALFORMED);
        return false;
    }
    if (epoch != 0) {
        *st = encrypted(c, d);
        return true;
    }
    switch (type) {
    case CT_CCS:
        *st = encrypted(c, d);
        break;
    case CT_ALERT:
        if (cp_reader_bytes(&rec, len, &p))
            *st = finish(c, d, cp_tls_session_alert(c->session, dir, p, len));
        break;
    case CT_HANDSHAKE:
        *st = handshake_record(c, dir, &rec);
        if (*st == CP_FEED_MORE && d->encrypted && d->held->len == 0)
            *st = finish(c, d, CP_FEED_DONE);
        break;
    case CT_APPDATA:
        *st = encrypted(c, d);
        break;
    default:
        break; /* heartbeat (RFC 6520): nothing we report */
    }
    return true;
}

static void
emit_truncated(DtlsConn *c, CpDir dir, int type)
{
    CpTlsEvent ev;

    memset(&ev, 0, sizeof ev);
    ev.type = CP_TLS_EV_TRUNCATED;
    ev.dir = dir;
    ev.lost_msg_type = type;
    cp_anomaly_add(c->anomalies, CP_ANOMALY_TLS_TRUNCATED); /* tls.truncated */
    if (c->emit != NULL)
        c->emit(c->user, &ev);
}

static gint
by_seq(gconstpointer a, gconstpointer b)
{
    const DtlsMsg *x = *(DtlsMsg *const *)a;
    const DtlsMsg *y = *(DtlsMsg *const *)b;

    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Step 5 at the end: complete messages still held are handed over in message_seq order (the
 * ones before them never came); the first incomplete one is reported lost. */
static void
end_dir(DtlsConn *c, CpDir dir)
{
    DtlsDir *d = &c->dir[dir];
    int lost = -2;

    if (d->final != CP_FEED_MORE)
        return;
    g_ptr_array_sort(d->held, by_seq);
    for (guint i = 0; i < d->held->len && d->final == CP_FEED_MORE; i++) {
        DtlsMsg *m = g_ptr_array_index(d->held, i);
        if (m->have_len < m->len) {
            if (lost == -2)
                lost = m->type;
            continue;
        }
        d->next_seq = m->seq;
        finish(c, d, deliver(c, dir, m->type, m->body, m->len));
    }
    if (lost != -2)
        emit_truncated(c, dir, lost);
    finish(c, d, CP_FEED_DONE);
}

static CpFeedResult
dtls_feed(void *state, CpDir dir, const uint8_t *data, size_t len, unsigned flags)
{
    DtlsConn *c = state;
    DtlsDir *d = &c->dir[dir];
    CpFeedStatus st = CP_FEED_MORE;
    CpReader in;
    uint8_t first;

    if (d->final == CP_FEED_MORE && len > 0) {
        cp_reader_init(&in, data, len, len);
        /* RFC 7983: STUN, TURN channels, ZRTP and RTP share the port; only 20-63 is DTLS */
        if (cp_reader_peek_u8(&in, 0, &first) && first >= MUX_DTLS_FIRST &&
            first <= MUX_DTLS_LAST) {
            while (st == CP_FEED_MORE && cp_reader_remaining(&in) > 0 && record(c, dir, &in, &st))
                ;
        }
    }
    if ((flags & CP_STREAM_FIN) && d->final == CP_FEED_MORE)
        end_dir(c, dir);
    if (d->final != CP_FEED_MORE)
        return (CpFeedResult){ d->final, len, 0 };
    return (CpFeedResult){ CP_FEED_MORE, len, 0 };
}

static void
dtls_close(void *state)
{
    DtlsConn *c = state;

    end_dir(c, CP_DIR_0);
    end_dir(c, CP_DIR_1);
}

const CpDissector cp_dissector_dtls = {
    .name = "dtls",
    .transport = CP_TRANSPORT_UDP,
    .probe = dtls_probe,
    .new = dtls_new,
    .feed = dtls_feed,
    .close = dtls_close,
    .free = dtls_free,
};
