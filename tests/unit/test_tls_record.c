/* SPDX-License-Identifier: BSD-2-Clause */
/* test_tls_record: record framing, reassembly across records and deliveries, gaps, FIN, limits
 * and SSLv2 framing of the TLS dissector (dissectors/tls_record.c). Bytes are built here with
 * small builders; a tiny driver plays the stream (stream_sink.h): it keeps unconsumed bytes,
 * re-delivers them with new ones, and does not call before `needed` bytes are there. */
#include <string.h>
#include <glib.h>

#include "harness.h"
#include "base/limits.h"
#include "dissectors/tls.h"

#include "tls_builders.h"

static const uint16_t offered[] = { 0x3a3a, 0x0304, 0x0303 };

/* ---- tests ---- */

static void
probe_accepts_tls_and_sslv2_rejects_others(void)
{
    const uint8_t hs[] = { 0x16, 0x03, 0x01, 0x02, 0x00 };
    const uint8_t v2[] = { 0x80, 0x2e, 0x01, 0x03, 0x01 };
    const uint8_t http[] = "GET / HTTP/1.1\r\n";
    const uint8_t big[] = { 0x16, 0x03, 0x03, 0x48, 0x01 }; /* 2^14 + 2048 + 1 */
    const uint8_t max[] = { 0x16, 0x03, 0x03, 0x48, 0x00 };
    const uint8_t minor5[] = { 0x16, 0x03, 0x05, 0x00, 0x10 };

    CU_ASSERT_TRUE(cp_tls_probe(hs, sizeof(hs)));
    CU_ASSERT_TRUE(cp_tls_probe(v2, sizeof(v2)));
    CU_ASSERT_TRUE(cp_tls_probe(max, sizeof(max)));
    CU_ASSERT_FALSE(cp_tls_probe(big, sizeof(big)));
    CU_ASSERT_FALSE(cp_tls_probe(minor5, sizeof(minor5)));
    CU_ASSERT_FALSE(cp_tls_probe(http, sizeof(http) - 1));
    CU_ASSERT_FALSE(cp_tls_probe(hs, 4)); /* undecidable yet */
    CU_ASSERT_FALSE(cp_tls_probe(NULL, 0));
}

static void
feed_incomplete_record_consumes_nothing_and_asks_for_rest(void)
{
    Drv *d = drv_new();
    g_autoptr(GByteArray) m = g_byte_array_new(), r = g_byte_array_new();
    msg_client_hello(m, "a.example", offered, 3);
    records(r, 22, m, 16384);

    CpFeedResult res = cp_tls_session_feed(d->s, CP_DIR_0, r->data, 3, 0);
    CU_ASSERT_EQUAL(res.status, CP_FEED_MORE);
    CU_ASSERT_EQUAL(res.consumed, 0);
    CU_ASSERT_EQUAL(res.needed, 5);
    res = cp_tls_session_feed(d->s, CP_DIR_0, r->data, 7, 0);
    CU_ASSERT_EQUAL(res.consumed, 0);
    CU_ASSERT_EQUAL(res.needed, r->len);
    CU_ASSERT_EQUAL(d->rec.n, 0);
    res = cp_tls_session_feed(d->s, CP_DIR_0, r->data, r->len, 0);
    CU_ASSERT_EQUAL(res.status, CP_FEED_MORE);
    CU_ASSERT_EQUAL(res.consumed, r->len);
    CU_ASSERT_EQUAL(res.needed, 5);
    CU_ASSERT_EQUAL(count_type(&d->rec, CP_TLS_EV_CLIENT_HELLO), 1);
    drv_free(d);
}

static void
client_hello_fed_byte_by_byte_is_reported_once(void)
{
    Drv *d = drv_new();
    g_autoptr(GByteArray) m = g_byte_array_new(), r = g_byte_array_new();
    msg_client_hello(m, "lync.example.com", offered, 3);
    records(r, 22, m, 40); /* the hello spans several records too */

    CU_ASSERT_EQUAL(drv_feed_bytewise(d, CP_DIR_0, r), CP_FEED_MORE);
    CU_ASSERT_EQUAL(d->rec.n, 1);
    const Ev *e = find_type(&d->rec, CP_TLS_EV_CLIENT_HELLO);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_STRING_EQUAL(e->sni, "lync.example.com");
    CU_ASSERT_EQUAL(e->offered_count, 2);
    CU_ASSERT_EQUAL(e->dir, CP_DIR_0);
    /* needed was honoured: far fewer feed calls than bytes */
    CU_ASSERT(d->calls < r->len / 2);
    CU_ASSERT_EQUAL(d->held[0]->len, 0);
    drv_free(d);
}

static void
certificate_spanning_three_records_is_reassembled(void)
{
    Drv *d = drv_new();
    const size_t lens[] = { 900, 700, 500 };
    g_autoptr(GByteArray) m = g_byte_array_new(), r = g_byte_array_new();
    msg_certificate(m, lens, 3);
    records(r, 22, m, (m->len + 2) / 3);
    size_t idle = cp_tls_session_mem(d->s);

    CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_1, r, 0), CP_FEED_MORE);
    CU_ASSERT_EQUAL(d->rec.n, 1);
    const Ev *e = find_type(&d->rec, CP_TLS_EV_CERTIFICATE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->cert_count, 3);
    CU_ASSERT_EQUAL(e->dropped, 0);
    for (size_t i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL(e->cert_len[i], lens[i]);
        CU_ASSERT_TRUE(e->cert_ok[i]);
    }
    CU_ASSERT_EQUAL(e->dir, CP_DIR_1);
    CU_ASSERT_EQUAL(cp_tls_session_mem(d->s), idle); /* the pending buffer was freed */
    drv_free(d);
}

static void
pending_message_is_accounted_then_freed(void)
{
    Drv *d = drv_new();
    const size_t lens[] = { 3000 };
    g_autoptr(GByteArray) m = g_byte_array_new(), r = g_byte_array_new();
    msg_certificate(m, lens, 1);
    records(r, 22, m, 1000);
    size_t idle = cp_tls_session_mem(d->s);

    CU_ASSERT_EQUAL(drv_feed(d, CP_DIR_1, r->data, 1005, 0), CP_FEED_MORE);
    CU_ASSERT(cp_tls_session_mem(d->s) >= idle + 1000);
    CU_ASSERT_EQUAL(d->rec.n, 0);
    CU_ASSERT_EQUAL(drv_feed(d, CP_DIR_1, r->data + 1005, r->len - 1005, 0), CP_FEED_MORE);
    CU_ASSERT_EQUAL(count_type(&d->rec, CP_TLS_EV_CERTIFICATE), 1);
    CU_ASSERT_EQUAL(cp_tls_session_mem(d->s), idle);
    drv_free(d);
}

static void
several_messages_in_one_record_are_all_parsed(void)
{
    Drv *d = drv_new();
    const size_t lens[] = { 100, 50 };
    g_autoptr(GByteArray) m = g_byte_array_new(), r = g_byte_array_new();
    msg_server_hello(m, 0xc02f, 0);
    msg_certificate(m, lens, 2);
    msg_empty(m, 14); /* ServerHelloDone */
    records(r, 22, m, 16384);

    CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_1, r, 0), CP_FEED_MORE);
    CU_ASSERT_EQUAL(d->rec.n, 2);
    CU_ASSERT_EQUAL(d->rec.ev[0].type, CP_TLS_EV_SERVER_HELLO);
    CU_ASSERT_EQUAL(d->rec.ev[0].version, 0x0303);
    CU_ASSERT_EQUAL(d->rec.ev[1].type, CP_TLS_EV_CERTIFICATE);
    CU_ASSERT_EQUAL(d->rec.ev[1].cert_count, 2);
    drv_free(d);
}

static void
messages_split_at_every_offset_are_reassembled(void)
{
    const size_t lens[] = { 40, 30 };
    g_autoptr(GByteArray) m = g_byte_array_new();
    msg_server_hello(m, 0xc030, 0);
    msg_certificate(m, lens, 2);
    msg_empty(m, 14);

    /* Record boundaries at every position, including inside the 4-byte message headers. */
    for (size_t frag = 1; frag <= m->len; frag++) {
        Drv *d = drv_new();
        size_t idle = cp_tls_session_mem(d->s);
        g_autoptr(GByteArray) r = g_byte_array_new();
        records(r, 22, m, frag);
        CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_1, r, 0), CP_FEED_MORE);
        CU_ASSERT_EQUAL(d->rec.n, 2);
        const Ev *e = find_type(&d->rec, CP_TLS_EV_CERTIFICATE);
        CU_ASSERT(e != NULL && e->cert_count == 2 && e->cert_ok[0] && e->cert_ok[1]);
        CU_ASSERT_EQUAL(cp_tls_session_mem(d->s), idle);
        drv_free(d);
    }
}

static void
gap_in_middle_of_certificate_emits_truncated_then_resyncs(void)
{
    Drv *d = drv_new();
    const size_t lens[] = { 1200, 1200 };
    g_autoptr(GByteArray) m = g_byte_array_new(), r = g_byte_array_new(), tail = g_byte_array_new();
    msg_certificate(m, lens, 2);
    records(r, 22, m, 1000); /* 3 records: 1000, 1000, rest */
    const uint8_t alert[] = { 2, 48 };
    record_raw(tail, 21, alert, 2);

    /* First record whole, then half of the second; then a gap swallows the rest of the
     * certificate and the stream resumes at the alert record. */
    CU_ASSERT_EQUAL(drv_feed(d, CP_DIR_1, r->data, 1005 + 300, 0), CP_FEED_MORE);
    CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_1, tail, CP_STREAM_GAP), CP_FEED_DONE);
    CU_ASSERT_EQUAL(d->rec.n, 2);
    CU_ASSERT_EQUAL(d->rec.ev[0].type, CP_TLS_EV_TRUNCATED);
    CU_ASSERT_EQUAL(d->rec.ev[0].lost, 11);
    CU_ASSERT_EQUAL(d->rec.ev[1].type, CP_TLS_EV_ALERT);
    CU_ASSERT_EQUAL(d->rec.ev[1].desc, 48);
    CU_ASSERT_EQUAL(ANOM(d, TLS_TRUNCATED), 1);
    CU_ASSERT_EQUAL(count_type(&d->rec, CP_TLS_EV_CERTIFICATE), 0);
    drv_free(d);
}

static void
gap_landing_mid_record_ends_direction_without_parsing(void)
{
    Drv *d = drv_new();
    const size_t lens[] = { 3000 };
    g_autoptr(GByteArray) m = g_byte_array_new(), r = g_byte_array_new();
    msg_certificate(m, lens, 1);
    records(r, 22, m, 1000);

    CU_ASSERT_EQUAL(drv_feed(d, CP_DIR_1, r->data, 1005, 0), CP_FEED_MORE);
    /* resume inside the second record's payload: 0xA0 bytes are no record header */
    CU_ASSERT_EQUAL(drv_feed(d, CP_DIR_1, r->data + 1200, 500, CP_STREAM_GAP), CP_FEED_DONE);
    CU_ASSERT_EQUAL(count_type(&d->rec, CP_TLS_EV_TRUNCATED), 1);
    CU_ASSERT_EQUAL(d->rec.ev[0].lost, 11);
    CU_ASSERT_EQUAL(ANOM(d, TLS_RECORD_BAD_TYPE), 0);
    CU_ASSERT_EQUAL(d->rec.n, 1);
    drv_free(d);
}

static void
gap_resync_skips_continuation_record_of_lost_message(void)
{
    Drv *d = drv_new();
    const size_t lens[] = { 3000 };
    g_autoptr(GByteArray) m = g_byte_array_new(), r = g_byte_array_new(), m2 = g_byte_array_new();
    msg_certificate(m, lens, 1);
    records(r, 22, m, 1000); /* records at 0, 1005, 2010, 3015 */
    msg_empty(m2, 14);
    records(r, 22, m2, 100);

    CU_ASSERT_EQUAL(drv_feed(d, CP_DIR_1, r->data, 1005, 0), CP_FEED_MORE);
    /* the gap swallows the second record: the third starts with a valid header but its
     * payload is the middle of the lost certificate, which must not be parsed */
    CU_ASSERT_EQUAL(drv_feed(d, CP_DIR_1, r->data + 2010, r->len - 2010, CP_STREAM_GAP),
                    CP_FEED_MORE);
    CU_ASSERT_EQUAL(d->rec.n, 1);
    CU_ASSERT_EQUAL(d->rec.ev[0].type, CP_TLS_EV_TRUNCATED);
    CU_ASSERT_EQUAL(ANOM(d, TLS_HANDSHAKE_TOO_LARGE), 0);
    CU_ASSERT_EQUAL(ANOM(d, TLS_HANDSHAKE_MALFORMED), 0);
    drv_free(d);
}

static void
fin_with_partial_record_emits_truncated(void)
{
    Drv *d = drv_new();
    const size_t lens[] = { 800 };
    g_autoptr(GByteArray) m = g_byte_array_new(), r = g_byte_array_new();
    msg_certificate(m, lens, 1);
    records(r, 22, m, 16384);

    /* a snaplen-cut capture: the stream delivers what it has, then FIN */
    CU_ASSERT_EQUAL(drv_feed(d, CP_DIR_1, r->data, 400, 0), CP_FEED_MORE);
    CU_ASSERT_EQUAL(drv_feed(d, CP_DIR_1, NULL, 0, CP_STREAM_FIN), CP_FEED_DONE);
    CU_ASSERT_EQUAL(d->rec.n, 1);
    CU_ASSERT_EQUAL(d->rec.ev[0].type, CP_TLS_EV_TRUNCATED);
    CU_ASSERT_EQUAL(d->rec.ev[0].lost, 11);
    CU_ASSERT_EQUAL(ANOM(d, TLS_TRUNCATED), 1);
    drv_free(d);
}

static void
fin_at_record_boundary_is_done_without_truncated(void)
{
    Drv *d = drv_new();
    g_autoptr(GByteArray) m = g_byte_array_new(), r = g_byte_array_new();
    msg_server_hello(m, 0xc02f, 0);
    records(r, 22, m, 16384);

    CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_1, r, CP_STREAM_FIN), CP_FEED_DONE);
    CU_ASSERT_EQUAL(count_type(&d->rec, CP_TLS_EV_SERVER_HELLO), 1);
    CU_ASSERT_EQUAL(count_type(&d->rec, CP_TLS_EV_TRUNCATED), 0);
    drv_free(d);
}

static void
ccs_ends_its_direction_only(void)
{
    Drv *d = drv_new();
    g_autoptr(GByteArray) m = g_byte_array_new(), srv = g_byte_array_new(),
                          cli = g_byte_array_new();
    msg_server_hello(m, 0xc02f, 0);
    records(srv, 22, m, 16384);
    const uint8_t one = 1;
    record_raw(srv, 20, &one, 1);
    record_raw(srv, 22, (const uint8_t *)"\x14\x00\x00\x0cencrypted...", 16); /* not parsed */
    g_byte_array_set_size(m, 0);
    msg_client_hello(m, "x.example", NULL, 0);
    records(cli, 22, m, 16384);

    CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_1, srv, 0), CP_FEED_DONE);
    CU_ASSERT_EQUAL(d->rec.n, 2); /* ServerHello, then its ChangeCipherSpec */
    CU_ASSERT_EQUAL(d->rec.ev[1].type, CP_TLS_EV_CHANGE_CIPHER_SPEC);
    CU_ASSERT_EQUAL(d->rec.ev[1].dir, CP_DIR_1);
    CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_0, cli, 0), CP_FEED_MORE);
    CU_ASSERT_EQUAL(count_type(&d->rec, CP_TLS_EV_CLIENT_HELLO), 1);
    /* DONE is sticky and swallows whatever comes later */
    CpFeedResult res = cp_tls_session_feed(d->s, CP_DIR_1, srv->data, srv->len, 0);
    CU_ASSERT_EQUAL(res.status, CP_FEED_DONE);
    CU_ASSERT_EQUAL(res.consumed, srv->len);
    drv_free(d);
}

static void
client_alert_after_server_certificate_is_reported(void)
{
    Drv *d = drv_new();
    const size_t lens[] = { 300, 200 };
    g_autoptr(GByteArray) m = g_byte_array_new(), srv = g_byte_array_new(),
                          cli = g_byte_array_new();
    msg_client_hello(m, "exchange.example", offered + 2, 1);
    records(cli, 22, m, 16384);
    g_byte_array_set_size(m, 0);
    msg_server_hello(m, 0xc030, 0);
    msg_certificate(m, lens, 2);
    msg_empty(m, 14);
    records(srv, 22, m, 16384);

    CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_0, cli, 0), CP_FEED_MORE);
    CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_1, srv, 0), CP_FEED_MORE);
    g_byte_array_set_size(cli, 0);
    const uint8_t alert[] = { 2, 48 }; /* fatal unknown_ca: the client rejects the chain */
    record_raw(cli, 21, alert, 2);
    CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_0, cli, 0), CP_FEED_DONE);
    const Ev *e = find_type(&d->rec, CP_TLS_EV_ALERT);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->dir, CP_DIR_0);
    CU_ASSERT_EQUAL(e->level, 2);
    CU_ASSERT_EQUAL(e->desc, 48);
    /* the server direction is still being parsed */
    CU_ASSERT_EQUAL(d->st[CP_DIR_1], CP_FEED_MORE);
    drv_free(d);
}

static void
application_data_record_ends_direction(void)
{
    Drv *d = drv_new();
    g_autoptr(GByteArray) r = g_byte_array_new();
    const uint8_t junk[] = { 1, 2, 3, 4 };
    record_raw(r, 23, junk, sizeof(junk));

    CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_0, r, 0), CP_FEED_DONE);
    CU_ASSERT_EQUAL(d->rec.n, 0);
    drv_free(d);
}

static void
heartbeat_record_is_skipped(void)
{
    Drv *d = drv_new();
    g_autoptr(GByteArray) m = g_byte_array_new(), r = g_byte_array_new();
    const uint8_t hb[] = { 1, 0, 0 };
    record_raw(r, 24, hb, sizeof(hb));
    msg_client_hello(m, "hb.example", NULL, 0);
    records(r, 22, m, 16384);

    CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_0, r, 0), CP_FEED_MORE);
    CU_ASSERT_EQUAL(count_type(&d->rec, CP_TLS_EV_CLIENT_HELLO), 1);
    drv_free(d);
}

static void
record_length_at_limit_is_accepted_over_limit_gives_up(void)
{
    Drv *d = drv_new();
    d->limits.max_record_len = 100;
    g_autoptr(GByteArray) r = g_byte_array_new();
    uint8_t hb[101] = { 0 };
    record_raw(r, 24, hb, 100);
    CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_0, r, 0), CP_FEED_MORE);
    g_byte_array_set_size(r, 0);
    record_raw(r, 24, hb, 101);
    CU_ASSERT_EQUAL(drv_feed(d, CP_DIR_0, r->data, 5, 0), CP_FEED_ERROR);
    CU_ASSERT_EQUAL(ANOM(d, TLS_RECORD_TOO_LONG), 1);
    drv_free(d);
}

static void
empty_record_flood_over_limit_gives_up(void)
{
    Drv *d = drv_new();
    d->limits.max_records_flood = 10;
    g_autoptr(GByteArray) r = g_byte_array_new();
    for (size_t i = 0; i < 10; i++)
        record_raw(r, 22, NULL, 0);
    const uint8_t hb[] = { 1 };
    record_raw(r, 24, hb, 1); /* resets the run */
    for (size_t i = 0; i < 10; i++)
        record_raw(r, 22, NULL, 0);
    CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_0, r, 0), CP_FEED_MORE);
    CU_ASSERT_EQUAL(ANOM(d, TLS_RECORD_FLOOD), 0);
    g_byte_array_set_size(r, 0);
    record_raw(r, 22, NULL, 0);
    CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_0, r, 0), CP_FEED_ERROR);
    CU_ASSERT_EQUAL(ANOM(d, TLS_RECORD_FLOOD), 1);
    drv_free(d);
}

static void
handshake_length_claiming_16mb_is_too_large(void)
{
    Drv *d = drv_new();
    g_autoptr(GByteArray) r = g_byte_array_new();
    const uint8_t hdr[] = { 11, 0xff, 0xff, 0xff, 0, 0, 0 };
    record_raw(r, 22, hdr, sizeof(hdr));
    size_t idle = cp_tls_session_mem(d->s);

    CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_1, r, 0), CP_FEED_ERROR);
    CU_ASSERT_EQUAL(ANOM(d, TLS_HANDSHAKE_TOO_LARGE), 1);
    CU_ASSERT_EQUAL(cp_tls_session_mem(d->s), idle); /* nothing buffered for the claim */
    CU_ASSERT_EQUAL(d->rec.n, 0);
    drv_free(d);
}

static void
handshake_length_over_limit_in_split_header_is_too_large(void)
{
    Drv *d = drv_new();
    d->limits.max_handshake_len = 1000;
    g_autoptr(GByteArray) r = g_byte_array_new();
    const uint8_t a[] = { 11, 0x00 }, b[] = { 0x03, 0xe9, 0 }; /* 1001 */
    record_raw(r, 22, a, sizeof(a));
    record_raw(r, 22, b, sizeof(b));

    CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_1, r, 0), CP_FEED_ERROR);
    CU_ASSERT_EQUAL(ANOM(d, TLS_HANDSHAKE_TOO_LARGE), 1);
    drv_free(d);
}

static void
non_tls_first_bytes_are_not_tls(void)
{
    Drv *d = drv_new();
    const char *http = "GET / HTTP/1.1\r\n";

    CU_ASSERT_EQUAL(drv_feed(d, CP_DIR_0, (const uint8_t *)http, strlen(http), 0), CP_FEED_ERROR);
    CU_ASSERT_EQUAL(ANOM(d, TLS_NOT_TLS), 1);
    /* a plausible type byte with a bad version is not TLS either */
    const uint8_t bad[] = { 0x16, 0x04, 0x00, 0x00, 0x01, 0x00 };
    CU_ASSERT_EQUAL(drv_feed(d, CP_DIR_1, bad, sizeof(bad), 0), CP_FEED_ERROR);
    CU_ASSERT_EQUAL(ANOM(d, TLS_NOT_TLS), 2);
    drv_free(d);
}

static void
unknown_record_type_after_start_is_bad_type(void)
{
    Drv *d = drv_new();
    g_autoptr(GByteArray) m = g_byte_array_new(), r = g_byte_array_new();
    msg_client_hello(m, NULL, NULL, 0);
    records(r, 22, m, 16384);
    const uint8_t junk[] = { 0x30, 0x03, 0x03, 0x00, 0x01, 0x00 };
    g_byte_array_append(r, junk, sizeof(junk));

    CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_0, r, 0), CP_FEED_ERROR);
    CU_ASSERT_EQUAL(ANOM(d, TLS_RECORD_BAD_TYPE), 1);
    CU_ASSERT_EQUAL(count_type(&d->rec, CP_TLS_EV_CLIENT_HELLO), 1);
    drv_free(d);
}

/* After the direction's hello proved the framing, a handshake record whose version bytes are
 * damaged is read (counted); an unknown type still ends the direction. */
static void
misversioned_record_after_hello_is_read_and_counted(void)
{
    Drv *d = drv_new();
    const size_t lens[] = { 10 };
    g_autoptr(GByteArray) m = g_byte_array_new(), r = g_byte_array_new();
    msg_server_hello(m, 0xc02f, 0);
    records(r, 22, m, 16384);
    size_t at = r->len;
    g_byte_array_set_size(m, 0);
    msg_certificate(m, lens, 1);
    records(r, 22, m, 16384);
    r->data[at + 1] = 0x25; /* version 0x2503 */

    CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_1, r, 0), CP_FEED_MORE);
    CU_ASSERT_EQUAL(ANOM(d, TLS_RECORD_BAD_VERSION), 1);
    CU_ASSERT_EQUAL(ANOM(d, TLS_RECORD_BAD_TYPE), 0);
    CU_ASSERT_EQUAL(count_type(&d->rec, CP_TLS_EV_CERTIFICATE), 1);
    drv_free(d);
}

/* Before any hello the version is part of what tells TLS from other bytes: not read. */
static void
misversioned_record_before_hello_is_not_read(void)
{
    Drv *d = drv_new();
    const size_t lens[] = { 10 };
    g_autoptr(GByteArray) m = g_byte_array_new(), r = g_byte_array_new();
    msg_certificate(m, lens, 1);
    records(r, 22, m, 16384);
    r->data[1] = 0x25;

    CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_1, r, 0), CP_FEED_ERROR);
    CU_ASSERT_EQUAL(ANOM(d, TLS_RECORD_BAD_VERSION), 0);
    CU_ASSERT_EQUAL(count_type(&d->rec, CP_TLS_EV_CERTIFICATE), 0);
    drv_free(d);
}

/* SSLv2-compatible CLIENT-HELLO (RFC 5246 E.2) offering TLS 1.0. */
static void
sslv2_hello(GByteArray *b)
{
    size_t at = b->len;
    put16(b, 0x8000);
    put8(b, 1);
    put16(b, 0x0301);
    put16(b, 6);  /* cipher specs */
    put16(b, 0);  /* session id */
    put16(b, 16); /* challenge */
    const uint8_t specs[] = { 0x00, 0x00, 0x2f, 0x01, 0x00, 0x80 };
    g_byte_array_append(b, specs, sizeof(specs));
    putn(b, 0x5c, 16);
    size_t n = b->len - at - 2;
    b->data[at] = (uint8_t)(0x80 | (n >> 8));
    b->data[at + 1] = (uint8_t)n;
}

/* Mutual TLS and the end of plaintext are reported with their sender (client-side findings). */
static void
certificate_request_and_ccs_are_reported_with_their_direction(void)
{
    Drv *d = drv_new();
    g_autoptr(GByteArray) m = g_byte_array_new(), srv = g_byte_array_new();
    msg_server_hello(m, 0xc02f, 0);
    msg_empty(m, 13); /* CertificateRequest: only that it was sent matters */
    msg_empty(m, 14);
    records(srv, 22, m, 16384);
    const uint8_t one = 1;
    record_raw(srv, 20, &one, 1);

    CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_1, srv, 0), CP_FEED_DONE);
    const Ev *e = find_type(&d->rec, CP_TLS_EV_CERT_REQUEST);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->dir, CP_DIR_1);
    e = find_type(&d->rec, CP_TLS_EV_CHANGE_CIPHER_SPEC);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->dir, CP_DIR_1);
    CU_ASSERT_EQUAL(count_type(&d->rec, CP_TLS_EV_CERT_REQUEST), 1);
    drv_free(d);
}

static void
sslv2_client_hello_is_reported_then_tls_records_follow(void)
{
    Drv *d = drv_new();
    g_autoptr(GByteArray) b = g_byte_array_new();
    sslv2_hello(b);
    const uint8_t one = 1;
    record_raw(b, 20, &one, 1);

    CU_ASSERT_EQUAL(drv_feed_bytewise(d, CP_DIR_0, b), CP_FEED_DONE);
    CU_ASSERT_EQUAL(d->rec.n, 2); /* the hello, then the ChangeCipherSpec */
    const Ev *e = find_type(&d->rec, CP_TLS_EV_CLIENT_HELLO);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_TRUE(e->sslv2);
    CU_ASSERT_EQUAL(e->legacy, 0x0301);
    CU_ASSERT_FALSE(e->has_sni);
    CU_ASSERT_TRUE(cp_tls_probe(b->data, b->len));
    drv_free(d);
}

static void
sslv2_server_hello_counts_and_gives_up_with_its_certificate(void)
{
    Drv *d = drv_new();
    g_autoptr(GByteArray) b = g_byte_array_new();
    put16(b, 0);
    put8(b, 4); /* SERVER-HELLO */
    put8(b, 0); /* session id hit */
    put8(b, 1); /* X.509 */
    put16(b, 0x0002);
    put16(b, 20); /* certificate */
    put16(b, 3);  /* cipher specs */
    put16(b, 16); /* connection id */
    putn(b, 0xA0, 20);
    putn(b, 0x07, 3);
    putn(b, 0x33, 16);
    size_t n = b->len - 2;
    b->data[0] = (uint8_t)(0x80 | (n >> 8));
    b->data[1] = (uint8_t)n;

    CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_1, b, 0), CP_FEED_ERROR);
    CU_ASSERT_EQUAL(ANOM(d, TLS_SSLV2), 1);
    const Ev *sh = find_type(&d->rec, CP_TLS_EV_SERVER_HELLO);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sh);
    CU_ASSERT_EQUAL(sh->version, 0x0002);
    const Ev *e = find_type(&d->rec, CP_TLS_EV_CERTIFICATE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->cert_count, 1);
    CU_ASSERT_EQUAL(e->cert_len[0], 20);
    CU_ASSERT_TRUE(e->cert_ok[0]);
    drv_free(d);
}

/* Deterministic hostile-input sweep: mutated handshakes fed in random slices must never crash
 * (the sanitizer build makes this meaningful) and must never consume more than given. */
static void
mutated_streams_never_crash(void)
{
    const size_t lens[] = { 60, 40, 20 };
    g_autoptr(GByteArray) m = g_byte_array_new(), base = g_byte_array_new();
    msg_client_hello(m, "fuzz.example", offered, 3);
    msg_server_hello(m, 0xc02f, 0x0303);
    msg_certificate(m, lens, 3);
    msg_empty(m, 14);
    records(base, 22, m, 97);
    GRand *rng = g_rand_new_with_seed(1234);

    for (int round = 0; round < 3000; round++) {
        Drv *d = drv_new();
        d->limits.max_chain_certs = (uint64_t)g_rand_int_range(rng, 0, 4);
        g_autoptr(GByteArray) b = g_byte_array_new();
        g_byte_array_append(b, base->data, base->len);
        int flips = g_rand_int_range(rng, 1, 6);
        for (int i = 0; i < flips; i++)
            b->data[g_rand_int_range(rng, 0, (gint32)b->len)] = (uint8_t)g_rand_int(rng);
        size_t off = 0;
        while (off < b->len) {
            size_t want = (size_t)g_rand_int_range(rng, 1, 300); /* MIN() evaluates twice */
            size_t n = MIN(want, b->len - off);
            unsigned flags = g_rand_int_range(rng, 0, 20) == 0 ? CP_STREAM_GAP : 0;
            drv_feed(d, (CpDir)(round & 1), b->data + off, n, flags);
            off += n;
        }
        drv_feed(d, (CpDir)(round & 1), NULL, 0, CP_STREAM_FIN);
        CU_ASSERT_NOT_EQUAL(d->st[round & 1], CP_FEED_MORE);
        drv_free(d);
    }
    g_rand_free(rng);
}

static CU_TestInfo tests[] = {
    { "probe_accepts_tls_and_sslv2_rejects_others", probe_accepts_tls_and_sslv2_rejects_others },
    { "feed_incomplete_record_consumes_nothing_and_asks_for_rest",
      feed_incomplete_record_consumes_nothing_and_asks_for_rest },
    { "client_hello_fed_byte_by_byte_is_reported_once",
      client_hello_fed_byte_by_byte_is_reported_once },
    { "certificate_spanning_three_records_is_reassembled",
      certificate_spanning_three_records_is_reassembled },
    { "pending_message_is_accounted_then_freed", pending_message_is_accounted_then_freed },
    { "several_messages_in_one_record_are_all_parsed",
      several_messages_in_one_record_are_all_parsed },
    { "messages_split_at_every_offset_are_reassembled",
      messages_split_at_every_offset_are_reassembled },
    { "gap_in_middle_of_certificate_emits_truncated_then_resyncs",
      gap_in_middle_of_certificate_emits_truncated_then_resyncs },
    { "gap_landing_mid_record_ends_direction_without_parsing",
      gap_landing_mid_record_ends_direction_without_parsing },
    { "gap_resync_skips_continuation_record_of_lost_message",
      gap_resync_skips_continuation_record_of_lost_message },
    { "fin_with_partial_record_emits_truncated", fin_with_partial_record_emits_truncated },
    { "fin_at_record_boundary_is_done_without_truncated",
      fin_at_record_boundary_is_done_without_truncated },
    { "ccs_ends_its_direction_only", ccs_ends_its_direction_only },
    { "client_alert_after_server_certificate_is_reported",
      client_alert_after_server_certificate_is_reported },
    { "application_data_record_ends_direction", application_data_record_ends_direction },
    { "heartbeat_record_is_skipped", heartbeat_record_is_skipped },
    { "record_length_at_limit_is_accepted_over_limit_gives_up",
      record_length_at_limit_is_accepted_over_limit_gives_up },
    { "empty_record_flood_over_limit_gives_up", empty_record_flood_over_limit_gives_up },
    { "handshake_length_claiming_16mb_is_too_large", handshake_length_claiming_16mb_is_too_large },
    { "handshake_length_over_limit_in_split_header_is_too_large",
      handshake_length_over_limit_in_split_header_is_too_large },
    { "non_tls_first_bytes_are_not_tls", non_tls_first_bytes_are_not_tls },
    { "unknown_record_type_after_start_is_bad_type", unknown_record_type_after_start_is_bad_type },
    { "misversioned_record_after_hello_is_read_and_counted",
      misversioned_record_after_hello_is_read_and_counted },
    { "misversioned_record_before_hello_is_not_read",
      misversioned_record_before_hello_is_not_read },
    { "certificate_request_and_ccs_are_reported_with_their_direction",
      certificate_request_and_ccs_are_reported_with_their_direction },
    { "sslv2_client_hello_is_reported_then_tls_records_follow",
      sslv2_client_hello_is_reported_then_tls_records_follow },
    { "sslv2_server_hello_counts_and_gives_up_with_its_certificate",
      sslv2_server_hello_counts_and_gives_up_with_its_certificate },
    { "mutated_streams_never_crash", mutated_streams_never_crash },
    CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
    return cp_test_main("tls_record", tests, argc, argv);
}
