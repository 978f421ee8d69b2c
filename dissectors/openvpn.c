/* SPDX-License-Identifier: BSD-2-Clause */
/* openvpn: TLS inside OpenVPN's control channel, over TCP and over UDP (two table entries). The
 * layout is OpenVPN's own (doc/doxygen/doc_protocol_overview.h and src/openvpn/ssl_pkt.h in the
 * OpenVPN sources; Wireshark's packet-openvpn.c reads it the same way):
 *
 *   TCP only:  packet length (2, big-endian), then one packet
 *   packet:    opcode (5 bits) | key_id (3 bits)
 *              session_id (8)
 *              tls-auth only: HMAC (16/20/32/48/64 by --auth digest), packet_id (4), net_time (4)
 *              ack count n (1, at most 8), n acked packet-ids (4 each), remote session_id (8, if n)
 *              message packet-id (4; not in P_ACK_V1)
 *              payload: TLS bytes (P_CONTROL_V1); none in the hard resets
 *
 * Nothing in a packet says whether the tls-auth HMAC is there, nor its size: it is inferred once
 * per connection from the first packet whose layout proves it, trying each size, smallest first:
 * a hard reset that the layout consumes exactly, or a P_CONTROL_V1 whose payload opens with a TLS
 * record header. Until then packets are skipped (an ACK proves nothing). tls-crypt and
 * tls-crypt-v2 encrypt the control channel: no size fits and nothing is read, which is the truth.
 *
 * The payloads of a direction are a TLS byte stream in message packet-id order: the next id is
 * handed over (appended to the direction's stream buffer, which the TLS session reads with its
 * own consumed/needed contract), a retransmission (an id already handed over) is skipped, a
 * later id is held until its turn, at most --max-openvpn-pending per direction
 * (openvpn.pending_limit), its bytes reserved in the run's memcap first (STYLE R45). Only the
 * first TLS session (key_id 0) is followed: a renegotiation (key_id 1-7) is a new TLS session
 * whose certificates are those of the first. The data channel is encrypted: skipped.
 * Every loop is bounded: a TCP delivery by its bytes (each packet eats at least 2), the layout
 * tries by the size table, the held packets by the limit (STYLE R25).
 */
#include "dissectors/dissector.h"

#include <string.h>
#include <glib.h>

#include "base/reader.h"

enum {
    OP_SHIFT = 3,
    KEY_ID_MASK = 0x07,
    P_CONTROL_HARD_RESET_CLIENT_V1 = 1,
    P_CONTROL_HARD_RESET_SERVER_V1 = 2,
    P_CONTROL_SOFT_RESET_V1 = 3,
    P_CONTROL_V1 = 4,
    P_ACK_V1 = 5,
    P_CONTROL_HARD_RESET_CLIENT_V2 = 7,
    P_CONTROL_HARD_RESET_SERVER_V2 = 8,
    SESSION_ID_LEN = 8,
    PACKET_ID_LEN = 4,
    REPLAY_LEN = 8,      /* tls-auth: packet_id + net_time after the HMAC */
    MAX_ACKS = 8,        /* RELIABLE_ACK_SIZE */
    TCP_PREFIX_LEN = 2,  /* the packet length in front of each packet over TCP */
    MIN_RESET_LEN = 14,  /* opcode, session id, ack count 0, message packet-id */
    MAX_RESET_LEN = 512, /* the largest layout (64-byte HMAC, 8 acks) is 126 bytes */
    TLS_HANDSHAKE = 22,
};

/* tls-auth HMAC sizes by digest: none, MD5, SHA-1, SHA-256, SHA-384, SHA-512. */
static const size_t hmac_sizes[] = { 0, 16, 20, 32, 48, 64 };

#define HMAC_UNKNOWN SIZE_MAX

/* Lifetime: connection. A packet whose turn has not come: its payload, copied. */
typedef struct Held {
    uint32_t id;
    size_t len;
    uint8_t data[];
} Held;

typedef struct OvpnDir {
    CpBytebuf tls;      /* TLS bytes handed over and not yet consumed by the session */
    GPtrArray *held;    /* (owned) Held*, at most max_openvpn_pending */
    uint32_t next_id;   /* the message packet-id handed over next */
    bool have_next;     /* next_id is set (by the first message packet seen) */
    CpFeedStatus final; /* MORE while the TLS session wants this direction; then sticky */
} OvpnDir;

typedef struct OvpnConn {
    CpTlsSession *session;
    const CpLimits *limits;
    CpAnomalies *anomalies;
    CpMemcap *memcap;
    size_t hmac; /* HMAC_UNKNOWN until a packet proves it */
    OvpnDir dir[2];
} OvpnConn;

/* One control packet's parts after the opcode byte. */
typedef struct OvpnPacket {
    bool has_id; /* every control packet but P_ACK_V1 */
    uint32_t id;
    CpReader payload;
} OvpnPacket;

static bool
is_hard_reset(uint8_t op)
{
    return op == P_CONTROL_HARD_RESET_CLIENT_V1 || op == P_CONTROL_HARD_RESET_SERVER_V1 ||
           op == P_CONTROL_HARD_RESET_CLIENT_V2 || op == P_CONTROL_HARD_RESET_SERVER_V2;
}

static bool
is_control(uint8_t op)
{
    return is_hard_reset(op) || op == P_CONTROL_SOFT_RESET_V1 || op == P_CONTROL_V1 ||
           op == P_ACK_V1;
}

/* The layout after the opcode with an HMAC of hmac bytes (0: no tls-auth). */
static bool
parse_control(CpReader *r, size_t hmac, uint8_t op, OvpnPacket *out)
{
    uint8_t acks;

    out->has_id = false;
    if (!cp_reader_skip(r, SESSION_ID_LEN) || (hmac > 0 && !cp_reader_skip(r, hmac + REPLAY_LEN)) ||
        !cp_reader_u8(r, &acks) || acks > MAX_ACKS ||
        !cp_reader_skip(r, (size_t)acks * PACKET_ID_LEN + (acks > 0 ? SESSION_ID_LEN : 0)))
        return false;
    if (op == P_ACK_V1)
        return cp_reader_expect_end(r);
    if (!cp_reader_be32(r, &out->id))
        return false;
    out->has_id = true;
    return cp_reader_sub(r, cp_reader_remaining(r), &out->payload);
}

/* A payload that opens with a TLS handshake record header (type 22, version 3.0-3.4). */
static bool
opens_tls(const CpReader *payload)
{
    uint8_t type, major, minor;

    return cp_reader_peek_u8(payload, 0, &type) && cp_reader_peek_u8(payload, 1, &major) &&
           cp_reader_peek_u8(payload, 2, &minor) && type == TLS_HANDSHAKE && major == 3 &&
           minor <= 4;
}

/* The HMAC size this packet proves (see the header comment), or HMAC_UNKNOWN. */
static size_t
prove_hmac(uint8_t op, const CpReader *after_op)
{
    for (size_t i = 0; i < G_N_ELEMENTS(hmac_sizes); i++) {
        CpReader r = *after_op;
        OvpnPacket pk;

        if (!parse_control(&r, hmac_sizes[i], op, &pk) || !pk.has_id)
            continue;
        if (is_hard_reset(op) && cp_reader_remaining(&pk.payload) == 0)
            return hmac_sizes[i];
        if (op == P_CONTROL_V1 && opens_tls(&pk.payload))
            return hmac_sizes[i];
    }
    return HMAC_UNKNOWN;
}

/* The first packet of a connection: a hard reset of the first key whose layout fits exactly. */
static bool
opens_session(const uint8_t *p, size_t n)
{
    CpReader r;
    uint8_t opkey;

    cp_reader_init(&r, p, n, n);
    if (!cp_reader_u8(&r, &opkey) || (opkey & KEY_ID_MASK) != 0 ||
        !is_hard_reset(opkey >> OP_SHIFT))
        return false;
    return prove_hmac((uint8_t)(opkey >> OP_SHIFT), &r) != HMAC_UNKNOWN;
}

static CpProbe
ovpn_tcp_probe(CpDir dir, const uint8_t *data, size_t len, unsigned flags, size_t *needed)
{
    CpReader r;
    uint16_t plen;

    (void)dir;
    cp_reader_init(&r, data, len, len);
    if (!cp_reader_be16(&r, &plen)) {
        *needed = TCP_PREFIX_LEN;
        return (flags & CP_STREAM_FIN) ? CP_PROBE_NO : CP_PROBE_NEED_MORE;
    }
    if (plen < MIN_RESET_LEN || plen > MAX_RESET_LEN)
        return CP_PROBE_NO;
    if (cp_reader_remaining(&r) < plen) {
        *needed = TCP_PREFIX_LEN + (size_t)plen;
        return (flags & CP_STREAM_FIN) ? CP_PROBE_NO : CP_PROBE_NEED_MORE;
    }
    return opens_session(data + TCP_PREFIX_LEN, plen) ? CP_PROBE_YES : CP_PROBE_NO;
}

static CpProbe
ovpn_udp_probe(CpDir dir, const uint8_t *data, size_t len, unsigned flags, size_t *needed)
{
    (void)dir, (void)flags, (void)needed;
    return len >= MIN_RESET_LEN && len <= MAX_RESET_LEN && opens_session(data, len) ? CP_PROBE_YES
                                                                                    : CP_PROBE_NO;
}

static void *
ovpn_new(const CpDissectCtx *ctx)
{
    OvpnConn *c = g_new0(OvpnConn, 1);

    c->session = cp_tls_session_new(ctx->limits, ctx->anomalies, ctx->emit, ctx->user);
    cp_tls_session_set_memcap(c->session, ctx->memcap);
    c->limits = ctx->limits;
    c->anomalies = ctx->anomalies;
    c->memcap = ctx->memcap;
    c->hmac = HMAC_UNKNOWN;
    for (int i = 0; i < 2; i++) {
        /* one record being completed plus the largest packet payload appended to it */
        cp_bytebuf_init(&c->dir[i].tls, (size_t)ctx->limits->max_record_len + 5 + 65535,
                        ctx->memcap);
        c->dir[i].held = g_ptr_array_new();
        c->dir[i].final = CP_FEED_MORE;
    }
    return c;
}

static void
drop_held(OvpnConn *c, OvpnDir *d)
{
    for (guint i = 0; i < d->held->len; i++) {
        Held *h = d->held->pdata[i];
        cp_memcap_release(c->memcap, sizeof *h + h->len);
        g_free(h);
    }
    g_ptr_array_set_size(d->held, 0);
}

/* The TLS session read all it wants of this direction (or it failed): free what is kept. */
static void
finish(OvpnConn *c, OvpnDir *d, CpFeedStatus st)
{
    d->final = st;
    cp_bytebuf_clear(&d->tls);
    drop_held(c, d);
}

/* Hands the direction's buffered TLS bytes to the session. */
static void
run_tls(OvpnConn *c, CpDir dir, unsigned flags)
{
    OvpnDir *d = &c->dir[dir];
    CpFeedResult res = cp_tls_session_feed(c->session, dir, d->tls.data, d->tls.len, flags);

    if (res.consumed > d->tls.len) /* cannot happen: the session consumes what it was given */
        res.consumed = d->tls.len;
    cp_bytebuf_consume(&d->tls, res.consumed);
    if (res.status != CP_FEED_MORE || (flags & CP_STREAM_FIN))
        finish(c, d, res.status == CP_FEED_MORE ? CP_FEED_DONE : res.status);
}

static void
take(OvpnConn *c, CpDir dir, const uint8_t *p, size_t n)
{
    OvpnDir *d = &c->dir[dir];

    d->next_id++;
    if (n == 0 || d->final != CP_FEED_MORE)
        return;
    CpBufStatus st = cp_bytebuf_append(&d->tls, p, n);
    if (st != CP_BUF_OK) {
        /* tcp.memcap: the run's budget is spent. The buffer's own ceiling cannot be reached:
         * the session refuses a record above --max-record before that (tls.record_too_long). */
        cp_anomaly_add(c->anomalies, st == CP_BUF_MEMCAP ? CP_ANOMALY_TCP_MEMCAP
                                                         : CP_ANOMALY_TLS_RECORD_TOO_LONG);
        finish(c, d, CP_FEED_DONE);
        return;
    }
    run_tls(c, dir, 0);
}

/* Hands over the held packets whose turn has come, in packet-id order. */
static void
drain(OvpnConn *c, CpDir dir)
{
    OvpnDir *d = &c->dir[dir];
    bool found = true;

    while (found && d->held->len > 0) { /* each pass removes one held packet or stops */
        found = false;
        for (guint i = 0; i < d->held->len; i++) {
            Held *h = d->held->pdata[i];
            if (h->id != d->next_id)
                continue;
            g_ptr_array_remove_index_fast(d->held, i);
            take(c, dir, h->data, h->len);
            cp_memcap_release(c->memcap, sizeof *h + h->len);
            g_free(h);
            found = true;
            break;
        }
    }
}

static void
hold(OvpnConn *c, OvpnDir *d, uint32_t id, const CpReader *payload)
{
    size_t n = cp_reader_remaining(payload);
    const uint8_t *p;

    for (guint i = 0; i < d->held->len; i++)
        if (((Held *)d->held->pdata[i])->id == id)
            return; /* a retransmission of a packet already held */
    /* openvpn.pending_limit (--max-openvpn-pending): a lost packet stalls the stream; what
     * comes after it is held only so far */
    if (d->held->len >= c->limits->max_openvpn_pending ||
        !cp_memcap_reserve(c->memcap, sizeof(Held) + n)) {
        cp_anomaly_add(c->anomalies, CP_ANOMALY_OPENVPN_PENDING_LIMIT);
        return;
    }
    CpReader v = *payload;
    Held *h = g_malloc(sizeof *h + n);
    h->id = id;
    h->len = n;
    if (n > 0 && cp_reader_bytes(&v, n, &p))
        memcpy(h->data, p, n);
    g_ptr_array_add(d->held, h);
}

/* One message packet in packet-id order (ids wrap after 2^32: sessions never get there). */
static void
order(OvpnConn *c, CpDir dir, const OvpnPacket *pk)
{
    OvpnDir *d = &c->dir[dir];
    const uint8_t *p = NULL;
    CpReader v = pk->payload;
    size_t n = cp_reader_remaining(&v);

    if (!d->have_next) {
        d->next_id = pk->id;
        d->have_next = true;
    }
    if (pk->id < d->next_id)
        return; /* a retransmission of what was handed over */
    if (pk->id > d->next_id) {
        hold(c, d, pk->id, &pk->payload);
        return;
    }
    if (n > 0 && !cp_reader_bytes(&v, n, &p))
        return;
    take(c, dir, p, n);
    drain(c, dir);
}

static void
packet(OvpnConn *c, CpDir dir, const uint8_t *data, size_t len)
{
    CpReader r;
    uint8_t opkey, op;
    OvpnPacket pk;

    cp_reader_init(&r, data, len, len);
    if (!cp_reader_u8(&r, &opkey))
        return;
    op = (uint8_t)(opkey >> OP_SHIFT);
    if (!is_control(op) || (opkey & KEY_ID_MASK) != 0)
        return; /* the encrypted data channel, or a renegotiation's session */
    if (c->hmac == HMAC_UNKNOWN)
        c->hmac = prove_hmac(op, &r);
    if (c->hmac == HMAC_UNKNOWN)
        return; /* nothing proves the layout yet */
    if (!parse_control(&r, c->hmac, op, &pk)) {
        cp_anomaly_add(c->anomalies, CP_ANOMALY_OPENVPN_MALFORMED); /* openvpn.malformed */
        return;
    }
    if (pk.has_id)
        order(c, dir, &pk);
}

/* The end of a direction: what the TLS session still holds is reported (truncated). */
static void
end_dir(OvpnConn *c, CpDir dir)
{
    if (c->dir[dir].final == CP_FEED_MORE)
        run_tls(c, dir, CP_STREAM_FIN);
}

static CpFeedResult
answer(const OvpnDir *d, size_t consumed, size_t needed)
{
    CpFeedResult res = { d->final, consumed, d->final == CP_FEED_MORE ? needed : 0 };

    return res;
}

static CpFeedResult
ovpn_feed(void *state, CpDir dir, const uint8_t *data, size_t len, unsigned flags)
{
    OvpnConn *c = state;
    OvpnDir *d = &c->dir[dir];
    CpReader r;
    size_t needed = 0;

    if (d->final != CP_FEED_MORE)
        return answer(d, len, 0);
    if (flags & CP_STREAM_DATAGRAM) {
        packet(c, dir, data, len);
    } else if (flags & CP_STREAM_GAP) {
        end_dir(c, dir); /* the packet framing is lost with the bytes */
        return answer(d, len, 0);
    } else {
        cp_reader_init(&r, data, len, len);
        for (;;) { /* bounded by len: each packet eats at least its 2-byte length */
            CpReader look = r, pkt;
            uint16_t plen;
            const uint8_t *p = NULL;
            if (!cp_reader_be16(&look, &plen)) {
                needed = TCP_PREFIX_LEN;
                break;
            }
            if (cp_reader_remaining(&look) < plen) {
                needed = TCP_PREFIX_LEN + (size_t)plen;
                break;
            }
            if (!cp_reader_skip(&r, TCP_PREFIX_LEN) || !cp_reader_sub(&r, plen, &pkt) ||
                (plen > 0 && !cp_reader_bytes(&pkt, plen, &p)))
                break; /* cannot happen: the length was checked above */
            packet(c, dir, p, plen);
            if (d->final != CP_FEED_MORE)
                return answer(d, len, 0);
        }
        len -= cp_reader_remaining(&r);
    }
    if (flags & CP_STREAM_FIN)
        end_dir(c, dir);
    return answer(d, len, needed);
}

static void
ovpn_close(void *state)
{
    OvpnConn *c = state;

    end_dir(c, CP_DIR_0);
    end_dir(c, CP_DIR_1);
}

static void
ovpn_free(void *state)
{
    OvpnConn *c = state;

    for (int i = 0; i < 2; i++) {
        drop_held(c, &c->dir[i]);
        g_ptr_array_free(c->dir[i].held, TRUE);
        cp_bytebuf_clear(&c->dir[i].tls);
    }
    cp_tls_session_free(c->session);
    g_free(c);
}

const CpDissector cp_dissector_openvpn_tcp = {
    .name = "openvpn-tcp",
    .transport = CP_TRANSPORT_TCP,
    .probe = ovpn_tcp_probe,
    .new = ovpn_new,
    .feed = ovpn_feed,
    .close = ovpn_close,
    .free = ovpn_free,
};

const CpDissector cp_dissector_openvpn_udp = {
    .name = "openvpn-udp",
    .transport = CP_TRANSPORT_UDP,
    .probe = ovpn_udp_probe,
    .new = ovpn_new,
    .feed = ovpn_feed,
    .close = ovpn_close,
    .free = ovpn_free,
};
