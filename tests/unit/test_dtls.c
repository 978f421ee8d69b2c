/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests for dissectors/dtls.c (RFC 6347 §4.1-§4.2.3): the UDP table entry takes a datagram
 * opening with an epoch-0 handshake record (after STUN, RFC 7983), reads several records per
 * datagram, reassembles handshake messages by message_seq and fragment offset through
 * duplicates, reordering, overlaps and retransmitted flights, hands them to the TLS parser in
 * turn, ends a direction at ChangeCipherSpec or a later epoch, and bounds what it holds
 * (--max-dtls-messages, --max-dtls-pending, --max-handshake). */
#include <string.h>
#include <CUnit/CUnit.h>

#include "dissectors/dissector.h"
#include "harness.h"
#include "tls_builders.h"

enum { DG = CP_STREAM_DATAGRAM };

typedef struct Fx {
    CpLimits limits;
    CpAnomalies an;
    CpMemcap memcap;
    Rec rec;
    CpDissectConn *c;
} Fx;

static void
fx_init(Fx *fx)
{
    memset(fx, 0, sizeof *fx);
    cp_limits_init_default(&fx->limits);
    fx->memcap.cap = 1 << 22;
}

static void
fx_open(Fx *fx)
{
    CpDissectCtx ctx = { &fx->limits, &fx->an, &fx->memcap, on_event, &fx->rec, NULL };
    fx->c = cp_dissect_conn_new(&ctx, CP_TRANSPORT_UDP);
}

static void
fx_close(Fx *fx)
{
    cp_dissect_conn_free(fx->c);
    CU_ASSERT_EQUAL(fx->memcap.used, 0); /* every held message was returned to the budget */
}

static CpFeedStatus
feed(Fx *fx, CpDir dir, const GByteArray *dg)
{
    CpFeedResult r = cp_dissect_conn_feed(fx->c, dir, dg->data, dg->len, DG);
    return r.status;
}

static CpFeedStatus
fin(Fx *fx, CpDir dir)
{
    return cp_dissect_conn_feed(fx->c, dir, NULL, 0, CP_STREAM_FIN).status;
}

/* ---- builders ---- */

static void
record(GByteArray *out, uint8_t type, uint16_t epoch, const uint8_t *p, size_t n)
{
    static uint32_t rseq;

    put8(out, type);
    put16(out, 0xfefd);
    put16(out, epoch);
    put16(out, 0);
    put16(out, 0);
    put16(out, (uint16_t)rseq++);
    put16(out, (uint16_t)n);
    g_byte_array_append(out, p, (guint)n);
}

/* One handshake fragment (header + bytes) of a message whose whole body is body. */
static void
frag(GByteArray *out, uint8_t type, uint16_t seq, const GByteArray *body, size_t off, size_t n)
{
    put8(out, type);
    put24(out, body->len);
    put16(out, seq);
    put24(out, (uint32_t)off);
    put24(out, (uint32_t)n);
    if (n > 0) /* an empty body's data is NULL */
        g_byte_array_append(out, body->data + off, (guint)n);
}

/* A handshake record holding one fragment. */
static void
frag_record(GByteArray *dg, uint8_t type, uint16_t seq, const GByteArray *body, size_t off,
            size_t n)
{
    GByteArray *f = g_byte_array_new();
    frag(f, type, seq, body, off, n);
    record(dg, 22, 0, f->data, f->len);
    g_byte_array_unref(f);
}

static void
whole_record(GByteArray *dg, uint8_t type, uint16_t seq, const GByteArray *body)
{
    frag_record(dg, type, seq, body, 0, body->len);
}

/* Bodies (no 4-byte TLS header). A DTLS ClientHello carries a cookie after the session id. */
static GByteArray *
body_of(GByteArray *msg)
{
    GByteArray *b = g_byte_array_new();
    g_byte_array_append(b, msg->data + 4, msg->len - 4);
    g_byte_array_unref(msg);
    return b;
}

static GByteArray *
client_hello_body(const char *sni, size_t cookie_len)
{
    GByteArray *m = g_byte_array_new();
    msg_client_hello(m, sni, NULL, 0);
    GByteArray *b = body_of(m);
    GByteArray *c = g_byte_array_new();
    g_byte_array_append(c, b->data, 35); /* version, random, empty session id */
    put8(c, (uint8_t)cookie_len);
    putn(c, 0xcc, cookie_len);
    g_byte_array_append(c, b->data + 35, b->len - 35);
    c->data[0] = 0xfe;
    c->data[1] = 0xfd;
    g_byte_array_unref(b);
    return c;
}

static GByteArray *
server_hello_body(void)
{
    GByteArray *m = g_byte_array_new();
    msg_server_hello(m, 0xc02f, 0);
    GByteArray *b = body_of(m);
    b->data[0] = 0xfe;
    b->data[1] = 0xfd;
    return b;
}

static GByteArray *
certificate_body(size_t a, size_t b)
{
    size_t len[2] = { a, b };
    GByteArray *m = g_byte_array_new();
    msg_certificate(m, len, 2);
    return body_of(m);
}

static GByteArray *
empty_body(void)
{
    return g_byte_array_new();
}

static void
check_chain(const Fx *fx, size_t a, size_t b)
{
    const Ev *e = find_type(&fx->rec, CP_TLS_EV_CERTIFICATE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->cert_count, 2);
    CU_ASSERT_EQUAL(e->cert_len[0], a);
    CU_ASSERT_EQUAL(e->cert_len[1], b);
    CU_ASSERT_TRUE(e->cert_ok[0]);
    CU_ASSERT_TRUE(e->cert_ok[1]);
}

/* ---- probe ---- */

static void
probe_epoch0_handshake_record_takes_the_datagram(void)
{
    GByteArray *ch = client_hello_body("a.test", 0), *dg = g_byte_array_new();
    whole_record(dg, 1, 0, ch);
    size_t needed = 0;

    CU_ASSERT_TRUE(cp_dissect_handles(CP_TRANSPORT_UDP));
    CU_ASSERT_PTR_EQUAL(cp_dissect_find("dtls"), &cp_dissector_dtls);
    CU_ASSERT_EQUAL(cp_dissector_dtls.probe(CP_DIR_0, dg->data, dg->len, DG, &needed),
                    CP_PROBE_YES);
    dg->data[2] = 0xff; /* DTLS 1.0 */
    CU_ASSERT_EQUAL(cp_dissector_dtls.probe(CP_DIR_0, dg->data, dg->len, DG, &needed),
                    CP_PROBE_YES);
    dg->data[4] = 1; /* epoch 1: encrypted, not a conversation's start */
    CU_ASSERT_EQUAL(cp_dissector_dtls.probe(CP_DIR_0, dg->data, dg->len, DG, &needed), CP_PROBE_NO);
    dg->data[4] = 0;
    dg->data[1] = 0x03; /* a TLS version */
    dg->data[2] = 0x03;
    CU_ASSERT_EQUAL(cp_dissector_dtls.probe(CP_DIR_0, dg->data, dg->len, DG, &needed), CP_PROBE_NO);
    CU_ASSERT_EQUAL(cp_dissector_dtls.probe(CP_DIR_0, dg->data, 12, DG, &needed), CP_PROBE_NO);
    g_byte_array_unref(ch);
    g_byte_array_unref(dg);
}

static const uint8_t stun_binding[20] = { 0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42, 1,  2,
                                          3,    4,    5,    6,    7,    8,    9,    10,   11, 12 };

static void
probe_stun_first_waits_for_the_dtls_hello(void)
{
    Fx fx;
    fx_init(&fx);
    fx_open(&fx);
    CpFeedResult r = cp_dissect_conn_feed(fx.c, CP_DIR_0, stun_binding, sizeof stun_binding, DG);
    CU_ASSERT_EQUAL(r.status, CP_FEED_MORE);
    CU_ASSERT_PTR_NULL(cp_dissect_conn_dissector(fx.c));

    GByteArray *ch = client_hello_body("webrtc.test", 0), *dg = g_byte_array_new();
    whole_record(dg, 1, 0, ch);
    CU_ASSERT_EQUAL(feed(&fx, CP_DIR_0, dg), CP_FEED_MORE);
    CU_ASSERT_PTR_EQUAL(cp_dissect_conn_dissector(fx.c), &cp_dissector_dtls);
    /* STUN keeps flowing on the same ports once DTLS has started: ignored, not an anomaly */
    r = cp_dissect_conn_feed(fx.c, CP_DIR_0, stun_binding, sizeof stun_binding, DG);
    CU_ASSERT_EQUAL(r.status, CP_FEED_MORE);
    const Ev *e = find_type(&fx.rec, CP_TLS_EV_CLIENT_HELLO);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_STRING_EQUAL(e->sni, "webrtc.test");
    CU_ASSERT_EQUAL(ANOM(&fx, TLS_RECORD_BAD_TYPE), 0);
    fx_close(&fx);
    g_byte_array_unref(ch);
    g_byte_array_unref(dg);
}

static void
probe_other_udp_not_taken(void)
{
    Fx fx;
    fx_init(&fx);
    fx_open(&fx);
    const uint8_t dns[] = { 0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0 };
    CpFeedResult r = cp_dissect_conn_feed(fx.c, CP_DIR_0, dns, sizeof dns, DG);
    CU_ASSERT_EQUAL(r.status, CP_FEED_DONE);
    CU_ASSERT_PTR_NULL(cp_dissect_conn_dissector(fx.c));
    fx_close(&fx);
}

/* ---- records and messages ---- */

/* The server's flight as one datagram of four records, the client's hello with a cookie. */
static void
flight_in_one_datagram_reports_hello_version_and_chain(void)
{
    Fx fx;
    fx_init(&fx);
    fx_open(&fx);
    GByteArray *ch = client_hello_body("vpn.contoso.com", 20), *sh = server_hello_body();
    GByteArray *cert = certificate_body(300, 200), *done = empty_body();
    GByteArray *c1 = g_byte_array_new(), *s1 = g_byte_array_new();

    whole_record(c1, 1, 0, ch);
    whole_record(s1, 2, 0, sh);
    whole_record(s1, 11, 1, cert);
    whole_record(s1, 14, 2, done);
    CU_ASSERT_EQUAL(feed(&fx, CP_DIR_0, c1), CP_FEED_MORE);
    CU_ASSERT_EQUAL(feed(&fx, CP_DIR_1, s1), CP_FEED_MORE);
    const Ev *e = find_type(&fx.rec, CP_TLS_EV_CLIENT_HELLO);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_TRUE(e->has_sni);
    CU_ASSERT_STRING_EQUAL(e->sni, "vpn.contoso.com");
    CU_ASSERT_EQUAL(e->legacy, 0xfefd);
    e = find_type(&fx.rec, CP_TLS_EV_SERVER_HELLO);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->version, 0xfefd);
    CU_ASSERT_EQUAL(e->cipher, 0xc02f);
    check_chain(&fx, 300, 200);
    CU_ASSERT_EQUAL(ANOM(&fx, TLS_HANDSHAKE_MALFORMED), 0);
    fx_close(&fx);
    g_byte_array_unref(ch);
    g_byte_array_unref(sh);
    g_byte_array_unref(cert);
    g_byte_array_unref(done);
    g_byte_array_unref(c1);
    g_byte_array_unref(s1);
}

/* The Certificate in 7 fragments of 80 bytes (the last shorter), sent in the order given, each
 * fragment its own datagram. */
static void
send_cert_fragments(Fx *fx, const GByteArray *cert, const size_t *order, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        GByteArray *dg = g_byte_array_new();
        size_t off = order[i] * 80;
        frag_record(dg, 11, 1, cert, off, MIN(80, cert->len - off));
        CU_ASSERT_EQUAL(feed(fx, CP_DIR_1, dg), CP_FEED_MORE);
        g_byte_array_unref(dg);
    }
}

static void
fragments_reordered_and_duplicated_make_one_certificate(void)
{
    Fx fx;
    fx_init(&fx);
    fx_open(&fx);
    GByteArray *sh = server_hello_body(), *cert = certificate_body(300, 200);
    GByteArray *dg = g_byte_array_new();
    const size_t order[] = { 3, 0, 0, 6, 1, 5, 3, 2, 4 }; /* 509 bytes: 7 fragments */

    CU_ASSERT_EQUAL(cert->len, 509);
    send_cert_fragments(&fx, cert, order, G_N_ELEMENTS(order) - 1);
    CU_ASSERT_EQUAL(count_type(&fx.rec, CP_TLS_EV_CERTIFICATE), 0); /* fragment 4 missing */
    send_cert_fragments(&fx, cert, order + 8, 1);
    /* complete, but the ServerHello (seq 0) comes after it: held for its turn */
    CU_ASSERT_EQUAL(count_type(&fx.rec, CP_TLS_EV_CERTIFICATE), 0);
    whole_record(dg, 2, 0, sh);
    CU_ASSERT_EQUAL(feed(&fx, CP_DIR_1, dg), CP_FEED_MORE);
    CU_ASSERT_EQUAL(fx.rec.n, 2);
    CU_ASSERT_EQUAL(fx.rec.ev[0].type, CP_TLS_EV_SERVER_HELLO);
    CU_ASSERT_EQUAL(fx.rec.ev[1].type, CP_TLS_EV_CERTIFICATE);
    check_chain(&fx, 300, 200);
    CU_ASSERT_EQUAL(ANOM(&fx, DTLS_FRAGMENT_CONFLICT), 0);
    fx_close(&fx);
    g_byte_array_unref(sh);
    g_byte_array_unref(cert);
    g_byte_array_unref(dg);
}

static void
overlapping_fragments_first_seen_kept_conflict_counted(void)
{
    Fx fx;
    fx_init(&fx);
    fx_open(&fx);
    GByteArray *sh = server_hello_body(), *cert = certificate_body(300, 200);
    GByteArray *bad = g_byte_array_new(), *dg = g_byte_array_new();

    whole_record(dg, 2, 0, sh);
    frag_record(dg, 11, 1, cert, 0, 200);
    CU_ASSERT_EQUAL(feed(&fx, CP_DIR_1, dg), CP_FEED_MORE);
    /* 100..350 overlaps the first fragment by 100 bytes that now differ */
    g_byte_array_append(bad, cert->data, cert->len);
    memset(bad->data + 150, 0x55, 20);
    g_byte_array_set_size(dg, 0);
    frag_record(dg, 11, 1, bad, 100, 250);
    CU_ASSERT_EQUAL(feed(&fx, CP_DIR_1, dg), CP_FEED_MORE);
    CU_ASSERT_EQUAL(ANOM(&fx, DTLS_FRAGMENT_CONFLICT), 1);
    g_byte_array_set_size(dg, 0);
    frag_record(dg, 11, 1, cert, 300, cert->len - 300);
    CU_ASSERT_EQUAL(feed(&fx, CP_DIR_1, dg), CP_FEED_MORE);
    check_chain(&fx, 300, 200); /* the pattern check fails if 0x55 had been kept */
    fx_close(&fx);
    g_byte_array_unref(sh);
    g_byte_array_unref(cert);
    g_byte_array_unref(bad);
    g_byte_array_unref(dg);
}

static void
retransmitted_flight_reported_once(void)
{
    Fx fx;
    fx_init(&fx);
    fx_open(&fx);
    GByteArray *sh = server_hello_body(), *cert = certificate_body(100, 50);
    GByteArray *dg = g_byte_array_new();

    whole_record(dg, 2, 0, sh);
    frag_record(dg, 11, 1, cert, 0, 60);
    frag_record(dg, 11, 1, cert, 60, cert->len - 60);
    CU_ASSERT_EQUAL(feed(&fx, CP_DIR_1, dg), CP_FEED_MORE);
    CU_ASSERT_EQUAL(feed(&fx, CP_DIR_1, dg), CP_FEED_MORE); /* the timer fired: all again */
    CU_ASSERT_EQUAL(count_type(&fx.rec, CP_TLS_EV_SERVER_HELLO), 1);
    CU_ASSERT_EQUAL(count_type(&fx.rec, CP_TLS_EV_CERTIFICATE), 1);
    fx_close(&fx);
    g_byte_array_unref(sh);
    g_byte_array_unref(cert);
    g_byte_array_unref(dg);
}

/* RFC 6347 §4.2.1: HelloVerifyRequest (seq 0), the client's second hello is seq 1 and the
 * ServerHello seq 1. */
static void
cookie_exchange_then_second_hello(void)
{
    Fx fx;
    fx_init(&fx);
    fx_open(&fx);
    GByteArray *ch0 = client_hello_body("a.test", 0), *ch1 = client_hello_body("a.test", 32);
    GByteArray *hvr = g_byte_array_new(), *sh = server_hello_body();
    GByteArray *cert = certificate_body(10, 20), *dg = g_byte_array_new();

    put16(hvr, 0xfeff);
    put8(hvr, 32);
    putn(hvr, 0xcc, 32);
    whole_record(dg, 1, 0, ch0);
    CU_ASSERT_EQUAL(feed(&fx, CP_DIR_0, dg), CP_FEED_MORE);
    g_byte_array_set_size(dg, 0);
    whole_record(dg, 3, 0, hvr);
    CU_ASSERT_EQUAL(feed(&fx, CP_DIR_1, dg), CP_FEED_MORE);
    g_byte_array_set_size(dg, 0);
    whole_record(dg, 1, 1, ch1);
    CU_ASSERT_EQUAL(feed(&fx, CP_DIR_0, dg), CP_FEED_MORE);
    g_byte_array_set_size(dg, 0);
    whole_record(dg, 2, 1, sh);
    whole_record(dg, 11, 2, cert);
    CU_ASSERT_EQUAL(feed(&fx, CP_DIR_1, dg), CP_FEED_MORE);
    CU_ASSERT_EQUAL(count_type(&fx.rec, CP_TLS_EV_CLIENT_HELLO), 2);
    CU_ASSERT_EQUAL(count_type(&fx.rec, CP_TLS_EV_SERVER_HELLO), 1);
    check_chain(&fx, 10, 20);
    CU_ASSERT_EQUAL(ANOM(&fx, TLS_HANDSHAKE_MALFORMED), 0);
    fx_close(&fx);
    g_byte_array_unref(ch0);
    g_byte_array_unref(ch1);
    g_byte_array_unref(hvr);
    g_byte_array_unref(sh);
    g_byte_array_unref(cert);
    g_byte_array_unref(dg);
}

/* The capture began after the cookie exchange: the ServerHello (seq 1) opens the flight. */
static void
hello_beyond_next_seq_resynchronises(void)
{
    Fx fx;
    fx_init(&fx);
    fx_open(&fx);
    GByteArray *sh = server_hello_body(), *cert = certificate_body(10, 20);
    GByteArray *dg = g_byte_array_new();

    whole_record(dg, 11, 2, cert); /* reordered before the hello */
    whole_record(dg, 2, 1, sh);
    CU_ASSERT_EQUAL(feed(&fx, CP_DIR_1, dg), CP_FEED_MORE);
    CU_ASSERT_EQUAL(fx.rec.n, 2);
    CU_ASSERT_EQUAL(fx.rec.ev[0].type, CP_TLS_EV_SERVER_HELLO);
    check_chain(&fx, 10, 20);
    fx_close(&fx);
    g_byte_array_unref(sh);
    g_byte_array_unref(cert);
    g_byte_array_unref(dg);
}

static void
ccs_ends_the_direction(void)
{
    Fx fx;
    fx_init(&fx);
    fx_open(&fx);
    GByteArray *sh = server_hello_body(), *dg = g_byte_array_new();
    const uint8_t ccs = 1, fin[40] = { 0 };

    whole_record(dg, 2, 0, sh);
    record(dg, 20, 0, &ccs, 1);
    record(dg, 22, 1, fin, sizeof fin);
    CU_ASSERT_EQUAL(feed(&fx, CP_DIR_1, dg), CP_FEED_DONE);
    CU_ASSERT_EQUAL(count_type(&fx.rec, CP_TLS_EV_SERVER_HELLO), 1);
    CU_ASSERT_EQUAL(ANOM(&fx, DTLS_MALFORMED), 0);
    fx_close(&fx);
    g_byte_array_unref(sh);
    g_byte_array_unref(dg);
}

/* A CCS while a fragment of the flight is missing: the direction waits for it, then is done. */
static void
ccs_with_message_held_waits_for_its_fragment(void)
{
    Fx fx;
    fx_init(&fx);
    fx_open(&fx);
    GByteArray *sh = server_hello_body(), *cert = certificate_body(100, 50);
    GByteArray *dg = g_byte_array_new();
    const uint8_t ccs = 1;

    whole_record(dg, 2, 0, sh);
    frag_record(dg, 11, 1, cert, 60, cert->len - 60);
    record(dg, 20, 0, &ccs, 1);
    CU_ASSERT_EQUAL(feed(&fx, CP_DIR_1, dg), CP_FEED_MORE);
    g_byte_array_set_size(dg, 0);
    frag_record(dg, 11, 1, cert, 0, 60);
    CU_ASSERT_EQUAL(feed(&fx, CP_DIR_1, dg), CP_FEED_DONE);
    check_chain(&fx, 100, 50);
    fx_close(&fx);
    g_byte_array_unref(sh);
    g_byte_array_unref(cert);
    g_byte_array_unref(dg);
}

static void
fatal_alert_reported_and_done(void)
{
    Fx fx;
    fx_init(&fx);
    fx_open(&fx);
    GByteArray *ch = client_hello_body(NULL, 0), *dg = g_byte_array_new();
    const uint8_t alert[2] = { 2, 48 };

    whole_record(dg, 1, 0, ch);
    CU_ASSERT_EQUAL(feed(&fx, CP_DIR_0, dg), CP_FEED_MORE);
    g_byte_array_set_size(dg, 0);
    record(dg, 21, 0, alert, 2);
    CU_ASSERT_EQUAL(feed(&fx, CP_DIR_0, dg), CP_FEED_DONE);
    const Ev *e = find_type(&fx.rec, CP_TLS_EV_ALERT);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->level, 2);
    CU_ASSERT_EQUAL(e->desc, 48);
    fx_close(&fx);
    g_byte_array_unref(ch);
    g_byte_array_unref(dg);
}

static void
end_with_missing_fragment_reports_truncated(void)
{
    Fx fx;
    fx_init(&fx);
    fx_open(&fx);
    GByteArray *sh = server_hello_body(), *cert = certificate_body(100, 50);
    GByteArray *dg = g_byte_array_new();

    whole_record(dg, 2, 0, sh);
    frag_record(dg, 11, 1, cert, 0, 60);
    CU_ASSERT_EQUAL(feed(&fx, CP_DIR_1, dg), CP_FEED_MORE);
    CU_ASSERT_EQUAL(fin(&fx, CP_DIR_1), CP_FEED_DONE);
    const Ev *e = find_type(&fx.rec, CP_TLS_EV_TRUNCATED);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->lost, 11);
    CU_ASSERT_EQUAL(ANOM(&fx, TLS_TRUNCATED), 1);
    CU_ASSERT_EQUAL(count_type(&fx.rec, CP_TLS_EV_CERTIFICATE), 0);
    fx_close(&fx);
    g_byte_array_unref(sh);
    g_byte_array_unref(cert);
    g_byte_array_unref(dg);
}

/* The ServerHello never came: at the end the complete Certificate held is still reported. */
static void
end_hands_over_complete_messages_held(void)
{
    Fx fx;
    fx_init(&fx);
    fx_open(&fx);
    GByteArray *cert = certificate_body(100, 50), *dg = g_byte_array_new();

    whole_record(dg, 11, 1, cert);
    CU_ASSERT_EQUAL(feed(&fx, CP_DIR_1, dg), CP_FEED_MORE);
    CU_ASSERT_EQUAL(count_type(&fx.rec, CP_TLS_EV_CERTIFICATE), 0);
    cp_dissect_conn_free(fx.c); /* close without FIN: the dissector's close reports */
    check_chain(&fx, 100, 50);
    CU_ASSERT_EQUAL(fx.memcap.used, 0);
    g_byte_array_unref(cert);
    g_byte_array_unref(dg);
}

/* RFC 9147: a DTLS 1.3 ServerHello says the certificates follow encrypted, like TLS 1.3. */
static void
dtls13_server_hello_reports_encrypted_and_done(void)
{
    Fx fx;
    fx_init(&fx);
    fx_open(&fx);
    GByteArray *m = g_byte_array_new(), *dg = g_byte_array_new();
    msg_server_hello(m, 0x1301, 0xfefc);
    GByteArray *sh = body_of(m);

    whole_record(dg, 2, 0, sh);
    CU_ASSERT_EQUAL(feed(&fx, CP_DIR_1, dg), CP_FEED_DONE);
    const Ev *e = find_type(&fx.rec, CP_TLS_EV_SERVER_HELLO);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->version, 0xfefc);
    CU_ASSERT_EQUAL(count_type(&fx.rec, CP_TLS_EV_ENCRYPTED), 1);
    fx_close(&fx);
    g_byte_array_unref(sh);
    g_byte_array_unref(dg);
}

/* RFC 9147 §4: the client's encrypted flight in unified headers: plaintext ends, nothing counted.
 */
static void
unified_header_record_ends_direction_quietly(void)
{
    Fx fx;
    fx_init(&fx);
    fx_open(&fx);
    GByteArray *ch = client_hello_body("a.test", 0), *dg = g_byte_array_new();
    const uint8_t unified[] = { 0x2c, 0x00, 0x01, 0x00, 0x04, 0xde, 0xad, 0xbe, 0xef };

    whole_record(dg, 1, 0, ch);
    CU_ASSERT_EQUAL(feed(&fx, CP_DIR_0, dg), CP_FEED_MORE);
    CpFeedResult r = cp_dissect_conn_feed(fx.c, CP_DIR_0, unified, sizeof unified, DG);
    CU_ASSERT_EQUAL(r.status, CP_FEED_DONE);
    CU_ASSERT_EQUAL(ANOM(&fx, TLS_RECORD_BAD_TYPE), 0);
    CU_ASSERT_EQUAL(ANOM(&fx, DTLS_MALFORMED), 0);
    fx_close(&fx);
    g_byte_array_unref(ch);
    g_byte_array_unref(dg);
}

/* ---- limits and malformed input ---- */

/* Messages held beyond --max-dtls-messages: at the limit all are kept, one more is dropped. */
static void
held_messages_at_and_over_limit(void)
{
    for (uint64_t limit = 3; limit <= 4; limit++) {
        Fx fx;
        fx_init(&fx);
        fx.limits.max_dtls_messages = 3;
        fx_open(&fx);
        GByteArray *cert = certificate_body(10, 10), *dg = g_byte_array_new();
        for (uint16_t seq = 1; seq <= limit; seq++)
            frag_record(dg, 11, seq, cert, 0, 5); /* incomplete: all held */
        CU_ASSERT_EQUAL(feed(&fx, CP_DIR_1, dg), CP_FEED_MORE);
        CU_ASSERT_EQUAL(ANOM(&fx, DTLS_PENDING_LIMIT), limit - 3);
        fx_close(&fx);
        g_byte_array_unref(cert);
        g_byte_array_unref(dg);
    }
}

static void
held_bytes_at_and_over_limit(void)
{
    GByteArray *cert = certificate_body(100, 50);
    const uint64_t cost = cert->len + (cert->len + 7) / 8; /* the body and its bitmap */

    for (uint64_t limit = cost; limit >= cost - 1; limit--) {
        Fx fx;
        fx_init(&fx);
        fx.limits.max_dtls_pending = limit;
        fx_open(&fx);
        GByteArray *dg = g_byte_array_new();
        frag_record(dg, 11, 1, cert, 0, 60);
        frag_record(dg, 11, 1, cert, 60, cert->len - 60);
        CU_ASSERT_EQUAL(feed(&fx, CP_DIR_1, dg), CP_FEED_MORE);
        CU_ASSERT_EQUAL(ANOM(&fx, DTLS_PENDING_LIMIT), limit == cost ? 0 : 2);
        fx_close(&fx);
        CU_ASSERT_EQUAL(count_type(&fx.rec, CP_TLS_EV_CERTIFICATE), limit == cost ? 1 : 0);
        g_byte_array_unref(dg);
    }
    g_byte_array_unref(cert);
}

static void
memcap_spent_drops_fragment(void)
{
    Fx fx;
    fx_init(&fx);
    fx.memcap.cap = 100;
    fx_open(&fx);
    GByteArray *cert = certificate_body(100, 50), *dg = g_byte_array_new();
    frag_record(dg, 11, 1, cert, 0, 60);
    CU_ASSERT_EQUAL(feed(&fx, CP_DIR_1, dg), CP_FEED_MORE);
    CU_ASSERT_EQUAL(ANOM(&fx, TCP_MEMCAP), 1);
    fx_close(&fx);
    g_byte_array_unref(cert);
    g_byte_array_unref(dg);
}

static void
handshake_over_max_handshake_skipped(void)
{
    Fx fx;
    fx_init(&fx);
    fx.limits.max_handshake_len = 158; /* the body is 159 */
    fx_open(&fx);
    GByteArray *cert = certificate_body(100, 50), *dg = g_byte_array_new();
    frag_record(dg, 11, 1, cert, 0, 60);
    CU_ASSERT_EQUAL(feed(&fx, CP_DIR_1, dg), CP_FEED_MORE);
    CU_ASSERT_EQUAL(ANOM(&fx, TLS_HANDSHAKE_TOO_LARGE), 1);
    CU_ASSERT_EQUAL(fx.memcap.used, 0);
    fx_close(&fx);
    g_byte_array_unref(cert);
    g_byte_array_unref(dg);
}

typedef struct Bad {
    const char *name;
    uint8_t bytes[40];
    size_t len;
    CpAnomalyId anomaly;
} Bad;

/* STYLE R58: each row one datagram after a valid hello, and the anomaly it must count. */
static const Bad bad_rows[] = {
    { "record header cut", { 22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0 }, 10, CP_ANOMALY_DTLS_MALFORMED },
    { "record longer than datagram",
      { 22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 9, 0, 40, 1, 2 },
      15,
      CP_ANOMALY_DTLS_MALFORMED },
    { "unknown content type",
      { 30, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0 },
      13,
      CP_ANOMALY_TLS_RECORD_BAD_TYPE },
    { "TLS version in a DTLS record",
      { 22, 3, 3, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0 },
      13,
      CP_ANOMALY_TLS_RECORD_BAD_TYPE },
    { "fragment past its message",
      { 22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 9, 0, 14, 11, 0, 0, 4, 0, 1, 0, 0, 3, 0, 0, 2, 1, 2 },
      27,
      CP_ANOMALY_DTLS_MALFORMED },
    { "fragment past its record",
      { 22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 9, 0, 13, 11, 0, 0, 9, 0, 1, 0, 0, 0, 0, 0, 9, 1 },
      26,
      CP_ANOMALY_DTLS_MALFORMED },
    { "record over --max-record",
      { 22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 9, 0xff, 0xff },
      13,
      CP_ANOMALY_TLS_RECORD_TOO_LONG },
};

static void
malformed_datagrams_counted_and_survived(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(bad_rows); i++) {
        const Bad *row = &bad_rows[i];
        Fx fx;
        fx_init(&fx);
        fx_open(&fx);
        GByteArray *ch = client_hello_body("a.test", 0), *dg = g_byte_array_new();
        whole_record(dg, 1, 0, ch);
        CU_ASSERT_EQUAL(feed(&fx, CP_DIR_0, dg), CP_FEED_MORE);
        CpFeedResult r = cp_dissect_conn_feed(fx.c, CP_DIR_1, row->bytes, row->len, DG);
        if (fx.an.count[row->anomaly] != 1)
            fprintf(stderr, "row '%s': anomaly not counted\n", row->name);
        CU_ASSERT_EQUAL(fx.an.count[row->anomaly], 1);
        CU_ASSERT_EQUAL(r.status, CP_FEED_MORE); /* the next datagram may be fine */
        CU_ASSERT_EQUAL(count_type(&fx.rec, CP_TLS_EV_CERTIFICATE), 0);
        fx_close(&fx);
        g_byte_array_unref(ch);
        g_byte_array_unref(dg);
    }
}

/* Two fragments of one message disagreeing on its length: the second is malformed, dropped. */
static void
fragments_disagreeing_on_length_malformed(void)
{
    Fx fx;
    fx_init(&fx);
    fx_open(&fx);
    GByteArray *sh = server_hello_body(), *cert = certificate_body(100, 50);
    GByteArray *longer = certificate_body(100, 51), *dg = g_byte_array_new();

    whole_record(dg, 2, 0, sh);
    frag_record(dg, 11, 1, cert, 0, 60);
    frag_record(dg, 11, 1, longer, 60, longer->len - 60);
    CU_ASSERT_EQUAL(feed(&fx, CP_DIR_1, dg), CP_FEED_MORE);
    CU_ASSERT_EQUAL(ANOM(&fx, DTLS_MALFORMED), 1);
    CU_ASSERT_EQUAL(count_type(&fx.rec, CP_TLS_EV_CERTIFICATE), 0);
    fx_close(&fx);
    g_byte_array_unref(sh);
    g_byte_array_unref(cert);
    g_byte_array_unref(longer);
    g_byte_array_unref(dg);
}

static CU_TestInfo tests[] = {
    { "probe_epoch0_handshake_record_takes_the_datagram",
      probe_epoch0_handshake_record_takes_the_datagram },
    { "probe_stun_first_waits_for_the_dtls_hello", probe_stun_first_waits_for_the_dtls_hello },
    { "probe_other_udp_not_taken", probe_other_udp_not_taken },
    { "flight_in_one_datagram_reports_hello_version_and_chain",
      flight_in_one_datagram_reports_hello_version_and_chain },
    { "fragments_reordered_and_duplicated_make_one_certificate",
      fragments_reordered_and_duplicated_make_one_certificate },
    { "overlapping_fragments_first_seen_kept_conflict_counted",
      overlapping_fragments_first_seen_kept_conflict_counted },
    { "retransmitted_flight_reported_once", retransmitted_flight_reported_once },
    { "cookie_exchange_then_second_hello", cookie_exchange_then_second_hello },
    { "hello_beyond_next_seq_resynchronises", hello_beyond_next_seq_resynchronises },
    { "ccs_ends_the_direction", ccs_ends_the_direction },
    { "ccs_with_message_held_waits_for_its_fragment",
      ccs_with_message_held_waits_for_its_fragment },
    { "fatal_alert_reported_and_done", fatal_alert_reported_and_done },
    { "end_with_missing_fragment_reports_truncated", end_with_missing_fragment_reports_truncated },
    { "end_hands_over_complete_messages_held", end_hands_over_complete_messages_held },
    { "dtls13_server_hello_reports_encrypted_and_done",
      dtls13_server_hello_reports_encrypted_and_done },
    { "unified_header_record_ends_direction_quietly",
      unified_header_record_ends_direction_quietly },
    { "held_messages_at_and_over_limit", held_messages_at_and_over_limit },
    { "held_bytes_at_and_over_limit", held_bytes_at_and_over_limit },
    { "memcap_spent_drops_fragment", memcap_spent_drops_fragment },
    { "handshake_over_max_handshake_skipped", handshake_over_max_handshake_skipped },
    { "malformed_datagrams_counted_and_survived", malformed_datagrams_counted_and_survived },
    { "fragments_disagreeing_on_length_malformed", fragments_disagreeing_on_length_malformed },
    CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
    return cp_test_main("dtls", tests, argc, argv);
}
