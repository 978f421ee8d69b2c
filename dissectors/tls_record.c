/* SPDX-License-Identifier: BSD-2-Clause */
/* tls_record: the TLS record layer per direction and handshake message reassembly across records
 * (RFC 5246 §6.2, RFC 8446 §5.1), plus the SSLv2-compatible ClientHello framing
 * (RFC 5246 Appendix E.2).
 *
 * The stream (stream_sink.h) hands us the unconsumed bytes of one direction each time. A record
 * that is not complete yet is left unconsumed and `needed` says how long to wait: 5 until the
 * header is there, then 5 + length. A delivery is read as:
 *
 *   0. GAP flag: bytes before this delivery are lost. Drop the pending handshake message, emit
 *      TRUNCATED (tls.truncated), and resynchronise: the delivery must open with a valid record
 *      header, else the direction is DONE (we never parse garbage).
 *   1. First bytes of a direction: a high bit means SSLv2 framing (a compatible ClientHello, or
 *      an SSLv2 SERVER-HELLO that ends the direction); anything but a TLS record header is
 *      tls.not_tls.
 *   2. For each complete record: check type 20-24 and version 3.0-3.4 (tls.record_bad_type),
 *      length (tls.record_too_long), runs of empty records (tls.record_flood), then dispatch:
 *      ChangeCipherSpec and application data mean this direction is encrypted: DONE (R27).
 *      Alerts are parsed (they are plaintext until CCS); heartbeats are skipped.
 *   3. FIN: if a record or a handshake message is incomplete, emit TRUNCATED; DONE.
 *
 * Handshake records (R26; Wireshark's dissect_tls_handshake, Suricata's hs_buffer). Each
 * direction keeps at most one pending message in a capped CpBytebuf (4 + max_handshake_len):
 *   (1) if a message is pending, append up to its missing length;
 *   (2) if it is complete, parse it and free the buffer;
 *   (3) parse the whole messages left in the record in place (views, no copy);
 *   (4) save a trailing partial one (header included) as the pending message.
 * Nothing is allocated unless a message spans records. Every loop is bounded by the record it
 * walks (each step consumes at least 4 bytes of a record of at most max_record_len, R25).
 */
#include "dissectors/tls.h"

#include "base/reader.h"
#include "dissectors/tls_private.h"
#include "dissectors/tls_tables.h"

enum {
    SSLV2_HEADER_LEN = 2,            /* RFC 5246 E.2: 2-byte header with the high bit set */
    PROBE_MAX_RECORD = 16384 + 2048, /* RFC 5246 §6.2.3: TLSCiphertext.length limit */
};

typedef struct RecHeader {
    uint8_t type;
    uint16_t version;
    uint16_t len;
} RecHeader;

/* How the record loop goes on after one step. */
typedef enum Step { STEP_NEXT, STEP_WAIT, STEP_END } Step;

static size_t
clamp_size(uint64_t v)
{
    return v > SIZE_MAX ? SIZE_MAX : (size_t)v;
}

static CpFeedResult
result(CpFeedStatus st, size_t consumed, size_t needed)
{
    CpFeedResult r = { .status = st, .consumed = consumed, .needed = needed };

    if (st != CP_FEED_MORE)
        r.needed = 0;
    return r;
}

static void
drop_pending(CpTlsDir *d)
{
    cp_bytebuf_clear(&d->pend);
    d->pend_total = 0;
}

/* The direction needs nothing more: the answer becomes sticky and buffers are freed. */
static CpFeedStatus
finish(CpTlsDir *d, CpFeedStatus st)
{
    if (st != CP_FEED_MORE) {
        d->final = st;
        drop_pending(d);
    }
    return st;
}

static CpFeedStatus
give_up(CpTlsSession *s, CpTlsDir *d, CpAnomalyId id)
{
    cp_anomaly_add(s->anomalies, id);
    return finish(d, CP_FEED_ERROR);
}

/* Reads a 5-byte record header without consuming it. */
static bool
peek_header(const CpReader *in, RecHeader *h)
{
    CpReader look = *in;

    return cp_reader_u8(&look, &h->type) && cp_reader_be16(&look, &h->version) &&
           cp_reader_be16(&look, &h->len);
}

/* A record whose version bytes are damaged but whose type is a known one, in a direction whose
 * framing its hello already proved: the previous record's length put us here, so the header is
 * where a record starts. Wireshark reads such records too; TLS stacks never send them. */
static bool
header_misversioned(const CpTlsDir *d, const RecHeader *h)
{
    return !d->resync && (d->sent_client_hello || d->sent_server_hello) &&
           h->type >= CP_TLS_CT_CCS && h->type <= CP_TLS_CT_HEARTBEAT;
}

static bool
header_known(const RecHeader *h)
{
    return h->type >= CP_TLS_CT_CCS && h->type <= CP_TLS_CT_HEARTBEAT && (h->version >> 8) == 3 &&
           (h->version & 0xff) <= 4;
}

/* An SSLv2 record that opens with a ClientHello offering SSL 2.0 or SSL 3.0 .. TLS 1.3. */
static bool
sslv2_hello_start(CpReader r)
{
    uint16_t hdr, ver;
    uint8_t type;

    if (!cp_reader_be16(&r, &hdr) || !cp_reader_u8(&r, &type) || !cp_reader_be16(&r, &ver))
        return false;
    /* 9 = msg_type + version + three 2-byte lengths: the fixed part of CLIENT-HELLO */
    return (hdr & 0x8000) != 0 && (hdr & 0x7fff) >= 9 && type == CP_TLS_HS_CLIENT_HELLO &&
           (ver == 0x0002 || ((ver >> 8) == 3 && (ver & 0xff) <= 4));
}

bool
cp_tls_probe(const uint8_t *data, size_t len)
{
    CpReader r;
    RecHeader h;

    cp_reader_init(&r, data, len, len);
    if (sslv2_hello_start(r))
        return true;
    if (!peek_header(&r, &h))
        return false;
    return header_known(&h) && h.len <= PROBE_MAX_RECORD;
}

CpTlsSession *
cp_tls_session_new(const CpLimits *limits, CpAnomalies *anomalies, CpTlsEventFn cb, void *user)
{
    g_return_val_if_fail(limits != NULL, NULL);

    CpTlsSession *s = g_new0(CpTlsSession, 1);
    size_t max_hs = clamp_size(limits->max_handshake_len);
    size_t cap =
            max_hs > SIZE_MAX - CP_TLS_HS_HEADER_LEN ? SIZE_MAX : max_hs + CP_TLS_HS_HEADER_LEN;

    s->limits = limits;
    s->anomalies = anomalies;
    s->cb = cb;
    s->user = user;
    for (size_t i = 0; i < 2; i++) {
        cp_bytebuf_init(&s->dir[i].pend, cap, NULL);
        s->dir[i].partial_type = -1;
        s->dir[i].final = CP_FEED_MORE;
    }
    return s;
}

void
cp_tls_session_set_memcap(CpTlsSession *s, CpMemcap *memcap)
{
    s->dir[0].pend.memcap = memcap;
    s->dir[1].pend.memcap = memcap;
}

void
cp_tls_session_free(CpTlsSession *s)
{
    if (s == NULL)
        return;
    drop_pending(&s->dir[0]);
    drop_pending(&s->dir[1]);
    cp_tls_cipher_free(s->dir[0].cipher);
    cp_tls_cipher_free(s->dir[1].cipher);
    g_free(s);
}

size_t
cp_tls_session_mem(const CpTlsSession *s)
{
    if (s == NULL)
        return 0;
    return sizeof(*s) + s->dir[0].pend.alloc + s->dir[1].pend.alloc;
}

/* The handshake type being lost: the pending message's, else the one opening the record that
 * was left unconsumed, else unknown. */
static int
lost_type(const CpTlsDir *d)
{
    CpReader r;
    uint8_t t;

    cp_reader_init(&r, d->pend.data, d->pend.len, d->pend.len);
    if (cp_reader_u8(&r, &t))
        return t;
    return d->left_bytes ? d->partial_type : -1;
}

static void
emit_truncated(CpTlsSession *s, CpDir dir)
{
    CpTlsDir *d = &s->dir[dir];
    CpTlsEvent ev;

    cp_tls_event_init(&ev, CP_TLS_EV_TRUNCATED, dir);
    ev.lost_msg_type = lost_type(d);
    cp_anomaly_add(s->anomalies, CP_ANOMALY_TLS_TRUNCATED); /* tls.truncated */
    drop_pending(d);
    d->left_bytes = false;
    d->partial_type = -1;
    cp_tls_emit(s, &ev);
}

/* After a gap the first handshake bytes may be the tail of a lost message: accept them only if
 * they open like a message we know, with a length within the limit. */
static bool
hs_plausible(const CpTlsSession *s, const CpReader *rec)
{
    CpReader look = *rec;
    uint8_t type;
    uint32_t len;

    if (!cp_reader_u8(&look, &type) || !cp_reader_be24(&look, &len))
        return false;
    return cp_tls_handshake_name(type) != NULL && len <= s->limits->max_handshake_len;
}

static CpFeedStatus
pend_append(CpTlsSession *s, CpTlsDir *d, CpReader *rec, size_t n)
{
    const uint8_t *p;

    if (!cp_reader_bytes(rec, n, &p))
        return CP_FEED_MORE; /* n never exceeds remaining(); nothing appended if it did */
    /* Cannot exceed the cap: lengths were checked against max_handshake_len first. */
    switch (cp_bytebuf_append(&d->pend, p, n)) {
    case CP_BUF_OK:
        break;
    case CP_BUF_MEMCAP:
        return give_up(s, d, CP_ANOMALY_TCP_MEMCAP); /* tcp.memcap: the run's budget is spent */
    default:
        return give_up(s, d, CP_ANOMALY_TLS_HANDSHAKE_TOO_LARGE);
    }
    return CP_FEED_MORE;
}

/* Step (2): the pending message is complete; parse it from the buffer, then free it. */
static CpFeedStatus
pend_parse(CpTlsSession *s, CpDir dir)
{
    CpTlsDir *d = &s->dir[dir];
    CpReader r;
    const uint8_t *body;
    uint8_t type;
    size_t body_len = d->pend_total - CP_TLS_HS_HEADER_LEN;
    CpFeedStatus st = CP_FEED_MORE;

    cp_reader_init(&r, d->pend.data, d->pend.len, d->pend.len);
    if (cp_reader_u8(&r, &type) && cp_reader_skip(&r, 3) && cp_reader_bytes(&r, body_len, &body))
        st = cp_tls_handshake_parse(s, dir, type, body, body_len);
    drop_pending(d);
    return finish(d, st);
}

/* Step (1): feed the pending message from this record. */
static CpFeedStatus
pend_fill(CpTlsSession *s, CpDir dir, CpReader *rec)
{
    CpTlsDir *d = &s->dir[dir];
    CpFeedStatus st;

    if (d->pend_total == 0) {
        size_t want = CP_TLS_HS_HEADER_LEN - d->pend.len;
        size_t have = cp_reader_remaining(rec);
        st = pend_append(s, d, rec, want < have ? want : have);
        if (st != CP_FEED_MORE || d->pend.len < CP_TLS_HS_HEADER_LEN)
            return st;
        CpReader h;
        uint8_t type;
        uint32_t len = 0;
        cp_reader_init(&h, d->pend.data, d->pend.len, d->pend.len);
        if (!cp_reader_u8(&h, &type) || !cp_reader_be24(&h, &len) ||
            len > s->limits->max_handshake_len) /* tls.handshake_too_large */
            return give_up(s, d, CP_ANOMALY_TLS_HANDSHAKE_TOO_LARGE);
        d->pend_total = CP_TLS_HS_HEADER_LEN + (size_t)len;
    }
    size_t want = d->pend_total - d->pend.len;
    size_t have = cp_reader_remaining(rec);
    st = pend_append(s, d, rec, want < have ? want : have);
    if (st != CP_FEED_MORE || d->pend.len < d->pend_total)
        return st;
    return pend_parse(s, dir);
}

/* Step (4): keep what is left of the record as the start of a pending message. */
static CpFeedStatus
pend_start(CpTlsSession *s, CpDir dir, CpReader *rec, size_t total)
{
    CpTlsDir *d = &s->dir[dir];

    d->pend_total = total;
    return pend_append(s, d, rec, cp_reader_remaining(rec));
}

/* Steps (1)-(4) for one handshake record. */
CpFeedStatus
cp_tls_handshake_record(CpTlsSession *s, CpDir dir, CpReader *rec)
{
    CpTlsDir *d = &s->dir[dir];

    if (d->hs_unsync) {
        if (!hs_plausible(s, rec))
            return CP_FEED_MORE; /* the tail of a message lost to the gap: skip it */
        d->hs_unsync = false;
    }
    if (d->pend.len > 0) {
        CpFeedStatus st = pend_fill(s, dir, rec);
        if (st != CP_FEED_MORE || d->pend.len > 0)
            return st;
    }
    while (cp_reader_remaining(rec) > 0) {
        size_t left = cp_reader_remaining(rec);
        if (left < CP_TLS_HS_HEADER_LEN)
            return pend_start(s, dir, rec, 0);
        CpReader look = *rec;
        uint8_t type;
        uint32_t len;
        const uint8_t *body;
        if (!cp_reader_u8(&look, &type) || !cp_reader_be24(&look, &len))
            return CP_FEED_MORE;
        /* tls.handshake_too_large: a 24-bit length would make us buffer up to 16 MB */
        if (len > s->limits->max_handshake_len)
            return give_up(s, d, CP_ANOMALY_TLS_HANDSHAKE_TOO_LARGE);
        if (len > left - CP_TLS_HS_HEADER_LEN)
            return pend_start(s, dir, rec, CP_TLS_HS_HEADER_LEN + (size_t)len);
        if (!cp_reader_skip(rec, CP_TLS_HS_HEADER_LEN) || !cp_reader_bytes(rec, len, &body))
            return CP_FEED_MORE;
        CpFeedStatus st = cp_tls_handshake_parse(s, dir, type, body, len);
        if (st != CP_FEED_MORE)
            return finish(d, st);
    }
    return CP_FEED_MORE;
}

/* A ChangeCipherSpec: the direction is encrypted from here, unless a key log opens it. */
static CpFeedStatus
ccs_record(CpTlsSession *s, CpDir dir)
{
    bool keep_going;
    bool ends = cp_tls_ccs_ends_plaintext(s, dir);

    if (ends)
        cp_tls_emit_ccs(s, dir); /* the sender accepted what it saw (client findings) */
    if (s->keylog != NULL && cp_tls_decrypt_ccs(s, dir, &keep_going))
        return keep_going ? CP_FEED_MORE : finish(&s->dir[dir], CP_FEED_DONE);
    return ends ? finish(&s->dir[dir], CP_FEED_DONE) : CP_FEED_MORE;
}

/* One complete record's payload, by content type (RFC 8446 §5.1). */
static CpFeedStatus
record(CpTlsSession *s, CpDir dir, const RecHeader *h, CpReader *payload)
{
    CpTlsDir *d = &s->dir[dir];
    size_t n = cp_reader_remaining(payload);
    uint8_t type = h->type;
    const uint8_t *p;

    /* tls.record_flood: endless zero-length records would keep us busy for nothing */
    if (n == 0 && ++d->empty_run > s->limits->max_records_flood)
        return give_up(s, d, CP_ANOMALY_TLS_RECORD_FLOOD);
    if (n > 0)
        d->empty_run = 0;
    /* TLS 1.3 protects only application_data records; 1.2 everything after the CCS */
    if (d->cipher != NULL && type != CP_TLS_CT_CCS &&
        (type == CP_TLS_CT_APPDATA || !cp_tls_version_is_13(s->version))) {
        const uint8_t hdr[CP_TLS_REC_HEADER_LEN] = { type, (uint8_t)(h->version >> 8),
                                                     (uint8_t)h->version, (uint8_t)(h->len >> 8),
                                                     (uint8_t)h->len };
        return finish(d, cp_tls_decrypt_record(s, dir, hdr, payload));
    }
    switch (type) {
    case CP_TLS_CT_CCS:
        return ccs_record(s, dir);
    case CP_TLS_CT_ALERT:
        if (!cp_reader_bytes(payload, n, &p))
            return CP_FEED_MORE;
        return finish(d, cp_tls_alert_parse(s, dir, p, n));
    case CP_TLS_CT_HANDSHAKE:
        return cp_tls_handshake_record(s, dir, payload);
    case CP_TLS_CT_APPDATA:
        /* TLS 1.3 handshake flights and 0-RTT data travel as application data: encrypted */
        return finish(d, CP_FEED_DONE);
    default:
        return CP_FEED_MORE; /* heartbeat (RFC 6520): nothing we report */
    }
}

/* Remembers which handshake message an incomplete record opens, for TRUNCATED at FIN/gap. */
static void
note_partial(CpTlsDir *d, const RecHeader *h, CpReader in)
{
    uint8_t t;

    d->partial_type = -1;
    if (h->type != CP_TLS_CT_HANDSHAKE || d->pend.len > 0 || d->hs_unsync)
        return;
    if (cp_reader_skip(&in, CP_TLS_REC_HEADER_LEN) && cp_reader_u8(&in, &t))
        d->partial_type = t;
}

/* Step 2 for one TLS record at the front of in. */
static Step
tls_record_step(CpTlsSession *s, CpDir dir, CpReader *in, size_t *needed)
{
    CpTlsDir *d = &s->dir[dir];
    RecHeader h;
    uint8_t first;

    if (!peek_header(in, &h)) {
        *needed = CP_TLS_REC_HEADER_LEN;
        return STEP_WAIT;
    }
    if (!header_known(&h) && header_misversioned(d, &h) && h.len <= s->limits->max_record_len) {
        cp_anomaly_add(s->anomalies,
                       CP_ANOMALY_TLS_RECORD_BAD_VERSION); /* tls.record_bad_version */
    } else if (!header_known(&h) || h.len > s->limits->max_record_len) {
        if (d->resync) { /* the gap left us mid-record: stop rather than parse garbage */
            finish(d, CP_FEED_DONE);
            return STEP_END;
        }
        if (cp_reader_peek_u8(in, 0, &first) && (first & 0x80) && s->sslv2_server) {
            finish(d, CP_FEED_DONE); /* SSLv2 CLIENT-MASTER-KEY after an SSLv2 server */
            return STEP_END;
        }
        /* tls.record_bad_type / tls.record_too_long: we lost the framing or it is not TLS */
        give_up(s, d,
                header_known(&h) ? CP_ANOMALY_TLS_RECORD_TOO_LONG : CP_ANOMALY_TLS_RECORD_BAD_TYPE);
        return STEP_END;
    }
    d->resync = false;
    size_t total = CP_TLS_REC_HEADER_LEN + (size_t)h.len;
    if (cp_reader_remaining(in) < total) {
        note_partial(d, &h, *in);
        *needed = total;
        return STEP_WAIT;
    }
    CpReader rec;
    if (!cp_reader_sub(in, total, &rec) || !cp_reader_skip(&rec, CP_TLS_REC_HEADER_LEN))
        return STEP_WAIT;
    return record(s, dir, &h, &rec) == CP_FEED_MORE ? STEP_NEXT : STEP_END;
}

/* Step 1 for an SSLv2-framed record (high bit set) opening a direction. */
static Step
sslv2_step(CpTlsSession *s, CpDir dir, CpReader *in, size_t *needed)
{
    CpTlsDir *d = &s->dir[dir];
    CpReader look = *in, rec;
    uint16_t hdr;

    if (!cp_reader_be16(&look, &hdr)) {
        *needed = SSLV2_HEADER_LEN;
        return STEP_WAIT;
    }
    size_t len = hdr & 0x7fff;
    if (len > s->limits->max_record_len) { /* tls.record_too_long */
        give_up(s, d, CP_ANOMALY_TLS_RECORD_TOO_LONG);
        return STEP_END;
    }
    if (cp_reader_remaining(in) < SSLV2_HEADER_LEN + len) {
        *needed = SSLV2_HEADER_LEN + len;
        return STEP_WAIT;
    }
    const uint8_t *body;
    if (!cp_reader_sub(in, SSLV2_HEADER_LEN + len, &rec) ||
        !cp_reader_skip(&rec, SSLV2_HEADER_LEN) || !cp_reader_bytes(&rec, len, &body))
        return STEP_WAIT;
    d->started = true;
    return finish(d, cp_tls_sslv2_parse(s, dir, body, len)) == CP_FEED_MORE ? STEP_NEXT : STEP_END;
}

/* Step 1: decide on the first bytes of a direction (or the first after a gap). */
static Step
first_step(CpTlsSession *s, CpDir dir, CpReader *in, size_t *needed)
{
    CpTlsDir *d = &s->dir[dir];
    RecHeader h;
    uint8_t first;

    if (!cp_reader_peek_u8(in, 0, &first)) {
        *needed = 1;
        return STEP_WAIT;
    }
    if ((first & 0x80) && !d->resync)
        return sslv2_step(s, dir, in, needed);
    bool plausible = first >= CP_TLS_CT_CCS && first <= CP_TLS_CT_HEARTBEAT;
    if (plausible && !peek_header(in, &h)) {
        *needed = CP_TLS_REC_HEADER_LEN;
        return STEP_WAIT;
    }
    if (!plausible || !header_known(&h)) {
        if (d->resync)
            finish(d, CP_FEED_DONE); /* a gap before anything usable */
        else
            give_up(s, d, CP_ANOMALY_TLS_NOT_TLS); /* tls.not_tls */
        return STEP_END;
    }
    d->started = true;
    return STEP_NEXT;
}

static void
on_gap(CpTlsSession *s, CpDir dir)
{
    CpTlsDir *d = &s->dir[dir];

    emit_truncated(s, dir);
    d->resync = true;
    d->hs_unsync = true;
    d->empty_run = 0;
}

CpFeedResult
cp_tls_session_feed(void *session, CpDir dir, const uint8_t *data, size_t len, unsigned flags)
{
    CpTlsSession *s = session;

    g_return_val_if_fail(s != NULL && (dir == CP_DIR_0 || dir == CP_DIR_1),
                         result(CP_FEED_ERROR, len, 0));
    CpTlsDir *d = &s->dir[dir];
    if (d->final != CP_FEED_MORE)
        return result(d->final, len, 0);
    if (flags & CP_STREAM_GAP)
        on_gap(s, dir);

    CpReader in;
    size_t needed = 0;
    Step step = STEP_NEXT;
    cp_reader_init(&in, data, len, len);
    /* Bounded: every STEP_NEXT consumes at least one record header. */
    while (step == STEP_NEXT && cp_reader_remaining(&in) > 0) {
        needed = 0;
        if (!d->started)
            step = first_step(s, dir, &in, &needed);
        if (step == STEP_NEXT && d->started && d->final == CP_FEED_MORE)
            step = tls_record_step(s, dir, &in, &needed);
    }
    if (d->final != CP_FEED_MORE)
        return result(d->final, len, 0);
    d->left_bytes = cp_reader_remaining(&in) > 0;
    if (!d->left_bytes)
        needed = d->started ? CP_TLS_REC_HEADER_LEN : 1;
    if (flags & CP_STREAM_FIN) {
        if (d->left_bytes || d->pend.len > 0)
            emit_truncated(s, dir);
        finish(d, CP_FEED_DONE);
        return result(CP_FEED_DONE, len, 0);
    }
    return result(CP_FEED_MORE, in.pos, needed);
}
