/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests for dissectors/openvpn.c: the TCP and UDP table entries take a connection opening
 * with an OpenVPN hard reset, infer the tls-auth HMAC size (none, SHA-1, SHA-512), put the
 * P_CONTROL_V1 payloads back in packet-id order through retransmissions and reordering, hand
 * them to the TLS parser, skip ACKs, data and renegotiation packets, and bound what they hold
 * (--max-openvpn-pending, the memcap). */
#include <string.h>
#include <CUnit/CUnit.h>

#include "dissectors/dissector.h"
#include "harness.h"
#include "tls_builders.h"

enum {
    DG = CP_STREAM_DATAGRAM,
    OP_RESET_CLIENT_V2 = 7,
    OP_RESET_SERVER_V2 = 8,
    OP_CONTROL = 4,
    OP_ACK = 5,
    OP_DATA_V2 = 9,
    CHUNK = 100, /* OpenVPN splits the TLS stream in pieces about this long */
};

typedef struct Fx {
    CpLimits limits;
    CpAnomalies an;
    CpMemcap memcap;
    Rec rec;
    CpDissectConn *c;
    CpTransport transport;
    size_t hmac; /* tls-auth HMAC size the builders write */
} Fx;

static void
fx_open(Fx *fx, CpTransport t, size_t hmac)
{
    memset(fx, 0, sizeof *fx);
    cp_limits_init_default(&fx->limits);
    fx->memcap.cap = 1 << 22;
    fx->transport = t;
    fx->hmac = hmac;
    CpDissectCtx ctx = { &fx->limits, &fx->an, &fx->memcap, on_event, &fx->rec };
    fx->c = cp_dissect_conn_new(&ctx, t);
}

static void
fx_close(Fx *fx)
{
    cp_dissect_conn_free(fx->c);
    CU_ASSERT_EQUAL(fx->memcap.used, 0); /* every held packet was returned to the budget */
}

/* One OpenVPN packet: opcode/key, session id, [HMAC, packet_id, net_time], no acks, [msg id],
 * payload. Over TCP the 2-byte length goes in front. */
static void
packet(const Fx *fx, GByteArray *out, uint8_t op, uint8_t key, uint32_t id, const uint8_t *p,
       size_t n)
{
    GByteArray *pk = g_byte_array_new();

    put8(pk, (uint8_t)(op << 3 | key));
    putn(pk, 0x5a, 8);
    if (fx->hmac > 0) {
        putn(pk, 0xc3, fx->hmac);
        putn(pk, 0x01, 8);
    }
    put8(pk, op == OP_ACK ? 1 : 0);
    if (op == OP_ACK) {
        put16(pk, 0), put16(pk, 0);
        putn(pk, 0x77, 8);
    } else {
        put16(pk, (uint16_t)(id >> 16));
        put16(pk, (uint16_t)id);
    }
    if (n > 0)
        g_byte_array_append(pk, p, (guint)n);
    if (fx->transport == CP_TRANSPORT_TCP)
        put16(out, (uint16_t)pk->len);
    g_byte_array_append(out, pk->data, pk->len);
    g_byte_array_unref(pk);
}

static CpFeedStatus
xmit(Fx *fx, CpDir dir, const GByteArray *b)
{
    return cp_dissect_conn_feed(fx->c, dir, b->data, b->len,
                                fx->transport == CP_TRANSPORT_UDP ? DG : 0)
            .status;
}

/* The server's TLS flight: ServerHello, Certificate (two entries), ServerHelloDone. */
static GByteArray *
server_flight(void)
{
    const size_t lens[] = { 300, 200 };
    GByteArray *m = g_byte_array_new(), *r = g_byte_array_new();

    msg_server_hello(m, 0xc030, 0);
    msg_certificate(m, lens, 2);
    put8(m, 14), put24(m, 0); /* ServerHelloDone */
    records(r, 22, m, 16384);
    g_byte_array_unref(m);
    return r;
}

static GByteArray *
client_flight(void)
{
    GByteArray *m = g_byte_array_new(), *r = g_byte_array_new();

    msg_client_hello(m, NULL, NULL, 0);
    records(r, 22, m, 16384);
    g_byte_array_unref(m);
    return r;
}

/* The flight in CHUNK-byte P_CONTROL_V1 packets, ids from first; one packet per GByteArray. */
static GPtrArray *
chunks(const Fx *fx, const GByteArray *flight, uint32_t first)
{
    GPtrArray *a = g_ptr_array_new_with_free_func((GDestroyNotify)g_byte_array_unref);

    for (size_t off = 0; off < flight->len; off += CHUNK) {
        GByteArray *b = g_byte_array_new();
        size_t n = MIN((size_t)CHUNK, flight->len - off);
        packet(fx, b, OP_CONTROL, 0, first + (uint32_t)(off / CHUNK), flight->data + off, n);
        g_ptr_array_add(a, b);
    }
    return a;
}

/* Reset both ways, the client's hello, then the server's flight in the order given (indexes
 * into its chunks; -1 ends the list). */
static void
handshake(Fx *fx, const int *order)
{
    g_autoptr(GByteArray) rc = g_byte_array_new(), rs = g_byte_array_new();
    g_autoptr(GByteArray) ch = client_flight(), sf = server_flight();

    packet(fx, rc, OP_RESET_CLIENT_V2, 0, 0, NULL, 0);
    packet(fx, rs, OP_RESET_SERVER_V2, 0, 0, NULL, 0);
    CU_ASSERT_EQUAL(xmit(fx, CP_DIR_0, rc), CP_FEED_MORE);
    CU_ASSERT_EQUAL(xmit(fx, CP_DIR_1, rs), CP_FEED_MORE);
    g_autoptr(GPtrArray) cc = chunks(fx, ch, 1), sc = chunks(fx, sf, 1);
    for (guint i = 0; i < cc->len; i++)
        xmit(fx, CP_DIR_0, cc->pdata[i]);
    for (size_t i = 0; order[i] >= 0; i++)
        if ((guint)order[i] < sc->len)
            xmit(fx, CP_DIR_1, sc->pdata[order[i]]);
}

static void
check_chain(const Fx *fx)
{
    const Ev *e = find_type(&fx->rec, CP_TLS_EV_CERTIFICATE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->dir, CP_DIR_1);
    CU_ASSERT_EQUAL(e->cert_count, 2);
    CU_ASSERT_EQUAL(e->cert_len[0], 300);
    CU_ASSERT_EQUAL(e->cert_len[1], 200);
    CU_ASSERT_TRUE(e->cert_ok[0] && e->cert_ok[1]);
    CU_ASSERT_EQUAL(count_type(&fx->rec, CP_TLS_EV_CLIENT_HELLO), 1);
    CU_ASSERT_EQUAL(count_type(&fx->rec, CP_TLS_EV_SERVER_HELLO), 1);
}

static const int in_order[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, -1 };

static void
tcp_without_tls_auth_reads_the_chain(void)
{
    Fx fx;
    fx_open(&fx, CP_TRANSPORT_TCP, 0);
    handshake(&fx, in_order);
    check_chain(&fx);
    CU_ASSERT_STRING_EQUAL(cp_dissect_conn_dissector(fx.c)->name, "openvpn-tcp");
    fx_close(&fx);
}

static void
udp_with_sha1_tls_auth_reads_the_chain(void)
{
    Fx fx;
    fx_open(&fx, CP_TRANSPORT_UDP, 20);
    handshake(&fx, in_order);
    check_chain(&fx);
    CU_ASSERT_STRING_EQUAL(cp_dissect_conn_dissector(fx.c)->name, "openvpn-udp");
    fx_close(&fx);
}

static void
udp_with_sha512_tls_auth_reads_the_chain(void)
{
    Fx fx;
    fx_open(&fx, CP_TRANSPORT_UDP, 64);
    handshake(&fx, in_order);
    check_chain(&fx);
    fx_close(&fx);
}

/* UDP delivers out of order and twice: the packet-ids put the stream back together. */
static void
reordered_and_retransmitted_packets_make_one_chain(void)
{
    static const int order[] = { 2, 0, 0, 3, 1, 2, 8, 7, 6, 5, 4, 1, -1 };
    Fx fx;
    fx_open(&fx, CP_TRANSPORT_UDP, 20);
    handshake(&fx, order);
    check_chain(&fx);
    CU_ASSERT_EQUAL(count_type(&fx.rec, CP_TLS_EV_CERTIFICATE), 1);
    fx_close(&fx);
}

/* A lost packet stalls the stream: nothing after it is parsed, the end reports truncated. */
static void
lost_packet_leaves_the_chain_unread_and_truncated(void)
{
    static const int order[] = { 0, 1, 3, 4, 5, 6, 7, 8, -1 };
    Fx fx;
    fx_open(&fx, CP_TRANSPORT_UDP, 0);
    handshake(&fx, order);
    CU_ASSERT_EQUAL(count_type(&fx.rec, CP_TLS_EV_CERTIFICATE), 0);
    cp_dissect_conn_free(fx.c);
    CU_ASSERT_EQUAL(count_type(&fx.rec, CP_TLS_EV_TRUNCATED), 1);
    CU_ASSERT_EQUAL(fx.memcap.used, 0);
}

/* Every packet of the server's flight but the first arrives before it: all of them wait. */
static void
held_packets_at_and_over_limit(void)
{
    static const int order[] = { 1, 2, 3, 4, 5, 6, 7, 8, 0, -1 };
    g_autoptr(GByteArray) sf = server_flight();
    size_t waiting = (sf->len + CHUNK - 1) / CHUNK - 1;
    Fx fx;

    CU_ASSERT_FATAL(waiting >= 3 && waiting <= 8);
    fx_open(&fx, CP_TRANSPORT_UDP, 0);
    fx.limits.max_openvpn_pending = waiting;
    handshake(&fx, order);
    check_chain(&fx);
    CU_ASSERT_EQUAL(ANOM(&fx, OPENVPN_PENDING_LIMIT), 0);
    fx_close(&fx);

    fx_open(&fx, CP_TRANSPORT_UDP, 0);
    fx.limits.max_openvpn_pending = waiting - 1;
    handshake(&fx, order);
    CU_ASSERT_EQUAL(ANOM(&fx, OPENVPN_PENDING_LIMIT), 1);
    CU_ASSERT_EQUAL(count_type(&fx.rec, CP_TLS_EV_CERTIFICATE), 0);
    fx_close(&fx);
}

static void
memcap_spent_drops_held_packet(void)
{
    static const int order[] = { 1, 0, -1 };
    Fx fx;
    fx_open(&fx, CP_TRANSPORT_UDP, 0);
    fx.memcap.cap = 0;
    handshake(&fx, order);
    CU_ASSERT_EQUAL(ANOM(&fx, OPENVPN_PENDING_LIMIT), 1);
    fx_close(&fx);
}

/* ACKs carry no message id, data packets are encrypted, key_id 1 is a renegotiation: none of
 * them reaches TLS, and none disturbs the stream. */
static void
acks_data_and_other_keys_are_skipped(void)
{
    Fx fx;
    fx_open(&fx, CP_TRANSPORT_TCP, 0);
    g_autoptr(GByteArray) rc = g_byte_array_new(), rs = g_byte_array_new(), x = g_byte_array_new();
    g_autoptr(GByteArray) sf = server_flight();
    packet(&fx, rc, OP_RESET_CLIENT_V2, 0, 0, NULL, 0);
    packet(&fx, rs, OP_RESET_SERVER_V2, 0, 0, NULL, 0);
    xmit(&fx, CP_DIR_0, rc);
    xmit(&fx, CP_DIR_1, rs);
    packet(&fx, x, OP_ACK, 0, 0, NULL, 0);
    packet(&fx, x, OP_DATA_V2, 0, 0, (const uint8_t *)"\x16\x03\x01\x00\x01", 5);
    packet(&fx, x, OP_CONTROL, 1, 1, sf->data, 50); /* another key's session */
    xmit(&fx, CP_DIR_1, x);
    g_autoptr(GPtrArray) sc = chunks(&fx, sf, 1);
    for (guint i = 0; i < sc->len; i++)
        xmit(&fx, CP_DIR_1, sc->pdata[i]);
    const Ev *e = find_type(&fx.rec, CP_TLS_EV_CERTIFICATE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->cert_count, 2);
    CU_ASSERT_EQUAL(ANOM(&fx, OPENVPN_MALFORMED), 0);
    fx_close(&fx);
}

/* TCP: packets split across deliveries and several in one: the length prefix frames them. */
static void
tcp_packets_split_and_coalesced(void)
{
    Fx fx;
    fx_open(&fx, CP_TRANSPORT_TCP, 0);
    g_autoptr(GByteArray) all = g_byte_array_new(), sf = server_flight();
    packet(&fx, all, OP_RESET_SERVER_V2, 0, 0, NULL, 0);
    g_autoptr(GPtrArray) sc = chunks(&fx, sf, 1);
    for (guint i = 0; i < sc->len; i++) {
        GByteArray *b = sc->pdata[i];
        g_byte_array_append(all, b->data, b->len);
    }
    /* play tcp_stream: keep what was not consumed, deliver 7 bytes more each time */
    size_t kept = 0, pos = 0;
    while (pos < all->len) {
        size_t n = MIN((size_t)7, all->len - pos);
        pos += n;
        CpFeedResult r = cp_dissect_conn_feed(fx.c, CP_DIR_1, all->data + kept, pos - kept, 0);
        kept += r.consumed;
        if (r.status != CP_FEED_MORE)
            break;
    }
    const Ev *e = find_type(&fx.rec, CP_TLS_EV_CERTIFICATE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->cert_count, 2);
    fx_close(&fx);
}

/* Not OpenVPN: a hard reset whose length fits no layout, a TLS hello, key_id 2. */
static void
probe_refuses_what_is_not_a_reset(void)
{
    const CpDissector *u = cp_dissect_find("openvpn-udp"), *t = cp_dissect_find("openvpn-tcp");
    size_t needed = 0;
    Fx fx;
    fx_open(&fx, CP_TRANSPORT_UDP, 0);
    g_autoptr(GByteArray) ok = g_byte_array_new(), tcp = g_byte_array_new();
    packet(&fx, ok, OP_RESET_CLIENT_V2, 0, 0, NULL, 0);
    CU_ASSERT_EQUAL(u->probe(CP_DIR_0, ok->data, ok->len, DG, &needed), CP_PROBE_YES);
    ok->data[0] = (uint8_t)(OP_RESET_CLIENT_V2 << 3 | 2);
    CU_ASSERT_EQUAL(u->probe(CP_DIR_0, ok->data, ok->len, DG, &needed), CP_PROBE_NO);
    ok->data[0] = (uint8_t)(OP_RESET_CLIENT_V2 << 3);
    put8(ok, 0); /* one byte more than any layout */
    CU_ASSERT_EQUAL(u->probe(CP_DIR_0, ok->data, ok->len, DG, &needed), CP_PROBE_NO);
    g_autoptr(GByteArray) ch = client_flight();
    CU_ASSERT_EQUAL(u->probe(CP_DIR_0, ch->data, ch->len, DG, &needed), CP_PROBE_NO);
    fx_close(&fx);

    fx_open(&fx, CP_TRANSPORT_TCP, 0);
    packet(&fx, tcp, OP_RESET_CLIENT_V2, 0, 0, NULL, 0);
    CU_ASSERT_EQUAL(t->probe(CP_DIR_0, tcp->data, 5, 0, &needed), CP_PROBE_NEED_MORE);
    CU_ASSERT_EQUAL(needed, tcp->len);
    CU_ASSERT_EQUAL(t->probe(CP_DIR_0, tcp->data, tcp->len, 0, &needed), CP_PROBE_YES);
    CU_ASSERT_EQUAL(t->probe(CP_DIR_0, ch->data, ch->len, 0, &needed), CP_PROBE_NO);
    fx_close(&fx);
}

/* Once the HMAC size is known, a packet that does not fit it is counted, and the rest goes on. */
static void
malformed_packet_counted_and_survived(void)
{
    Fx fx;
    fx_open(&fx, CP_TRANSPORT_UDP, 0);
    g_autoptr(GByteArray) rs = g_byte_array_new(), bad = g_byte_array_new();
    packet(&fx, rs, OP_RESET_SERVER_V2, 0, 0, NULL, 0);
    xmit(&fx, CP_DIR_1, rs);
    const uint8_t junk[] = { OP_CONTROL << 3, 1, 2, 3, 4, 5, 6, 7, 8, 200 }; /* 200 acks */
    g_byte_array_append(bad, junk, sizeof junk);
    CU_ASSERT_EQUAL(xmit(&fx, CP_DIR_1, bad), CP_FEED_MORE);
    CU_ASSERT_EQUAL(ANOM(&fx, OPENVPN_MALFORMED), 1);
    g_autoptr(GByteArray) sf = server_flight();
    g_autoptr(GPtrArray) sc = chunks(&fx, sf, 1);
    for (guint i = 0; i < sc->len; i++)
        xmit(&fx, CP_DIR_1, sc->pdata[i]);
    CU_ASSERT_EQUAL(count_type(&fx.rec, CP_TLS_EV_CERTIFICATE), 1);
    fx_close(&fx);
}

static CU_TestInfo tests[] = {
    { "tcp_without_tls_auth_reads_the_chain", tcp_without_tls_auth_reads_the_chain },
    { "udp_with_sha1_tls_auth_reads_the_chain", udp_with_sha1_tls_auth_reads_the_chain },
    { "udp_with_sha512_tls_auth_reads_the_chain", udp_with_sha512_tls_auth_reads_the_chain },
    { "reordered_and_retransmitted_packets_make_one_chain",
      reordered_and_retransmitted_packets_make_one_chain },
    { "lost_packet_leaves_the_chain_unread_and_truncated",
      lost_packet_leaves_the_chain_unread_and_truncated },
    { "held_packets_at_and_over_limit", held_packets_at_and_over_limit },
    { "memcap_spent_drops_held_packet", memcap_spent_drops_held_packet },
    { "acks_data_and_other_keys_are_skipped", acks_data_and_other_keys_are_skipped },
    { "tcp_packets_split_and_coalesced", tcp_packets_split_and_coalesced },
    { "probe_refuses_what_is_not_a_reset", probe_refuses_what_is_not_a_reset },
    { "malformed_packet_counted_and_survived", malformed_packet_counted_and_survived },
    CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
    return cp_test_main("openvpn", tests, argc, argv);
}
