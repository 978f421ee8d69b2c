/* SPDX-License-Identifier: BSD-2-Clause */
/* test_tls_handshake: the contents of handshake messages and alerts (dissectors/tls_handshake.c)
 * and the name tables (tls_tables.c): hellos, supported_versions, HelloRetryRequest, Certificate
 * limits, alerts. Same builders and stream driver as test_tls_record.c; the messages go through
 * the public feed API as a stream would deliver them. */
#include <string.h>
#include <glib.h>

#include "harness.h"
#include "base/limits.h"
#include "dissectors/tls.h"
#include "dissectors/tls_tables.h"

#include "tls_builders.h"

static const uint16_t offered[] = { 0x3a3a, 0x0304, 0x0303 };

/* ---- tests ---- */

static GByteArray *
one_record(void (*build)(GByteArray *))
{
    g_autoptr(GByteArray) m = g_byte_array_new();
    GByteArray *r = g_byte_array_new();
    build(m);
    records(r, 22, m, 16384);
    return r;
}

static void
client_hello_reports_sni_and_versions_without_grease(void)
{
    Drv *d = drv_new();
    const uint16_t vers[] = { 0x7a7a, 0x0304, 0x0303, 0xfafa, 0x0302 };
    g_autoptr(GByteArray) m = g_byte_array_new(), r = g_byte_array_new();
    msg_client_hello(m, "sip.contoso.com", vers, 5);
    records(r, 22, m, 16384);

    CU_ASSERT_EQUAL(drv_feed_bytewise(d, CP_DIR_0, r), CP_FEED_MORE);
    const Ev *e = find_type(&d->rec, CP_TLS_EV_CLIENT_HELLO);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_STRING_EQUAL(e->sni, "sip.contoso.com");
    CU_ASSERT_EQUAL(e->legacy, 0x0303);
    CU_ASSERT_EQUAL(e->offered_count, 3);
    CU_ASSERT_EQUAL(e->offered[0], 0x0304);
    CU_ASSERT_EQUAL(e->offered[1], 0x0303);
    CU_ASSERT_EQUAL(e->offered[2], 0x0302);
    CU_ASSERT_FALSE(e->sslv2);
    CU_ASSERT_EQUAL(ANOM(d, TLS_HANDSHAKE_MALFORMED), 0);
    drv_free(d);
}

static void
client_hello_without_extensions_has_no_sni_and_no_versions(void)
{
    Drv *d = drv_new();
    g_autoptr(GByteArray) body = g_byte_array_new(), m = g_byte_array_new(), r = g_byte_array_new();
    put16(body, 0x0301);
    putn(body, 0, 32);
    put8(body, 0);
    put16(body, 2);
    put16(body, 0x002f);
    put8(body, 1);
    put8(body, 0); /* ends here: no extensions block (pre-RFC 3546) */
    msg_raw(m, 1, body);
    records(r, 22, m, 16384);

    CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_0, r, 0), CP_FEED_MORE);
    const Ev *e = find_type(&d->rec, CP_TLS_EV_CLIENT_HELLO);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_FALSE(e->has_sni);
    CU_ASSERT_EQUAL(e->offered_count, 0);
    CU_ASSERT_EQUAL(e->legacy, 0x0301);
    CU_ASSERT_EQUAL(ANOM(d, TLS_HANDSHAKE_MALFORMED), 0);
    drv_free(d);
}

/* A ClientHello whose SNI extension lies about its list length, followed by a good
 * supported_versions: the lie is counted, the hello still reported with the versions. */
static void
client_hello_lying_sni_is_counted_and_hello_still_reported(void)
{
    Drv *d = drv_new();
    g_autoptr(GByteArray) body = g_byte_array_new(), m = g_byte_array_new(), r = g_byte_array_new();
    put16(body, 0x0303);
    putn(body, 0, 32);
    put8(body, 0);
    put16(body, 2);
    put16(body, 0x1301);
    put8(body, 1);
    put8(body, 0);
    size_t e = vec_begin(body, 2);
    put16(body, 0);   /* server_name */
    put16(body, 6);   /* extension length */
    put16(body, 200); /* ServerNameList length: overruns the extension */
    put8(body, 0);
    put16(body, 1);
    put8(body, 'x');
    put16(body, 43);
    put16(body, 3);
    put8(body, 2);
    put16(body, 0x0304);
    vec_end(body, e, 2);
    msg_raw(m, 1, body);
    records(r, 22, m, 16384);

    CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_0, r, 0), CP_FEED_MORE);
    CU_ASSERT_EQUAL(ANOM(d, TLS_HANDSHAKE_MALFORMED), 1);
    const Ev *ev = find_type(&d->rec, CP_TLS_EV_CLIENT_HELLO);
    CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
    CU_ASSERT_FALSE(ev->has_sni);
    CU_ASSERT_EQUAL(ev->offered_count, 1);
    CU_ASSERT_EQUAL(ev->offered[0], 0x0304);
    drv_free(d);
}

static void
client_hello_cut_inside_fixed_part_is_malformed_and_skipped(void)
{
    Drv *d = drv_new();
    g_autoptr(GByteArray) body = g_byte_array_new(), m = g_byte_array_new(), r = g_byte_array_new();
    put16(body, 0x0303);
    putn(body, 0, 32);
    put8(body, 32); /* session id of 32 bytes, but only 3 follow */
    putn(body, 0, 3);
    msg_raw(m, 1, body);
    msg_client_hello(m, "next.example", NULL, 0); /* the next message still counts */
    records(r, 22, m, 16384);

    CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_0, r, 0), CP_FEED_MORE);
    CU_ASSERT_EQUAL(ANOM(d, TLS_HANDSHAKE_MALFORMED), 1);
    CU_ASSERT_EQUAL(d->rec.n, 1);
    CU_ASSERT_STRING_EQUAL(d->rec.ev[0].sni, "next.example");
    drv_free(d);
}

static void
tls12_server_hello(GByteArray *m)
{
    msg_server_hello(m, 0xc030, 0);
}

static void
server_hello_tls12_reports_version_and_cipher_and_parsing_goes_on(void)
{
    Drv *d = drv_new();
    g_autoptr(GByteArray) r = one_record(tls12_server_hello);

    CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_1, r, 0), CP_FEED_MORE);
    CU_ASSERT_EQUAL(d->rec.n, 1);
    const Ev *e = find_type(&d->rec, CP_TLS_EV_SERVER_HELLO);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->version, 0x0303);
    CU_ASSERT_EQUAL(e->legacy, 0x0303);
    CU_ASSERT_EQUAL(e->cipher, 0xc030);
    CU_ASSERT_EQUAL(e->dir, CP_DIR_1);
    drv_free(d);
}

static void
tls13_server_hello(GByteArray *m)
{
    msg_server_hello(m, 0x1301, 0x0304);
}

static void
server_hello_tls13_emits_encrypted_and_ends_server_direction(void)
{
    Drv *d = drv_new();
    g_autoptr(GByteArray) r = one_record(tls13_server_hello);
    const size_t lens[] = { 10 };
    g_autoptr(GByteArray) m = g_byte_array_new();
    msg_certificate(m, lens, 1);
    records(r, 22, m, 16384); /* never parsed: it would be encrypted on the wire */

    CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_1, r, 0), CP_FEED_DONE);
    CU_ASSERT_EQUAL(d->rec.n, 2);
    CU_ASSERT_EQUAL(d->rec.ev[0].type, CP_TLS_EV_SERVER_HELLO);
    CU_ASSERT_EQUAL(d->rec.ev[0].version, 0x0304);
    CU_ASSERT_EQUAL(d->rec.ev[0].legacy, 0x0303);
    CU_ASSERT_EQUAL(d->rec.ev[0].cipher, 0x1301);
    CU_ASSERT_EQUAL(d->rec.ev[1].type, CP_TLS_EV_ENCRYPTED);
    CU_ASSERT_EQUAL(d->rec.ev[1].dir, CP_DIR_1);
    drv_free(d);
}

/* RFC 8446 §4.1.3 and D.4: HRR, dummy CCS both ways, second ClientHello, real ServerHello. */
static void
hello_retry_request_is_not_the_final_server_hello(void)
{
    static const uint8_t hrr[32] = {
        0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C,
        0x02, 0x1E, 0x65, 0xB8, 0x91, 0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB,
        0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
    };
    const uint8_t one = 1;
    const uint16_t v13[] = { 0x0304 };
    Drv *d = drv_new();
    g_autoptr(GByteArray) m = g_byte_array_new(), srv = g_byte_array_new(),
                          cli = g_byte_array_new();

    msg_client_hello(m, "retry.example", v13, 1);
    records(cli, 22, m, 16384);
    CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_0, cli, 0), CP_FEED_MORE);

    g_byte_array_set_size(m, 0);
    msg_server_hello(m, 0x1301, 0x0304);
    memcpy(m->data + 6, hrr, sizeof(hrr)); /* type(1) len(3) legacy_version(2) random */
    records(srv, 22, m, 16384);
    record_raw(srv, 20, &one, 1);
    CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_1, srv, 0), CP_FEED_MORE);
    CU_ASSERT_EQUAL(count_type(&d->rec, CP_TLS_EV_SERVER_HELLO), 0);
    CU_ASSERT_EQUAL(count_type(&d->rec, CP_TLS_EV_ENCRYPTED), 0);

    g_byte_array_set_size(cli, 0);
    record_raw(cli, 20, &one, 1);
    g_byte_array_set_size(m, 0);
    msg_client_hello(m, "retry.example", v13, 1);
    records(cli, 22, m, 16384);
    CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_0, cli, 0), CP_FEED_MORE);
    CU_ASSERT_EQUAL(count_type(&d->rec, CP_TLS_EV_CLIENT_HELLO), 2);

    g_byte_array_set_size(srv, 0);
    g_byte_array_set_size(m, 0);
    msg_server_hello(m, 0x1301, 0x0304);
    records(srv, 22, m, 16384);
    CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_1, srv, 0), CP_FEED_DONE);
    CU_ASSERT_EQUAL(count_type(&d->rec, CP_TLS_EV_SERVER_HELLO), 1);
    CU_ASSERT_EQUAL(count_type(&d->rec, CP_TLS_EV_ENCRYPTED), 1);

    /* the client's CCS after its second hello precedes its encrypted flight */
    g_byte_array_set_size(cli, 0);
    record_raw(cli, 20, &one, 1);
    CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_0, cli, 0), CP_FEED_DONE);
    drv_free(d);
}

static void
certificate_with_empty_list_reports_zero_certs(void)
{
    Drv *d = drv_new();
    g_autoptr(GByteArray) m = g_byte_array_new(), r = g_byte_array_new();
    msg_certificate(m, NULL, 0);
    records(r, 22, m, 16384);

    CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_0, r, 0), CP_FEED_MORE);
    const Ev *e = find_type(&d->rec, CP_TLS_EV_CERTIFICATE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->cert_count, 0);
    CU_ASSERT_EQUAL(e->dropped, 0);
    CU_ASSERT_EQUAL(e->dir, CP_DIR_0); /* a client certificate message */
    drv_free(d);
}

static void
certificate_chain_at_limit_keeps_all(void)
{
    Drv *d = drv_new();
    d->limits.max_chain_certs = 3;
    const size_t lens[] = { 10, 20, 30 };
    g_autoptr(GByteArray) m = g_byte_array_new(), r = g_byte_array_new();
    msg_certificate(m, lens, 3);
    records(r, 22, m, 16384);

    CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_1, r, 0), CP_FEED_MORE);
    const Ev *e = find_type(&d->rec, CP_TLS_EV_CERTIFICATE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->cert_count, 3);
    CU_ASSERT_EQUAL(e->dropped, 0);
    CU_ASSERT_EQUAL(ANOM(d, TLS_CHAIN_TOO_LONG), 0);
    drv_free(d);
}

static void
certificate_chain_over_limit_drops_rest_and_counts_once(void)
{
    Drv *d = drv_new();
    d->limits.max_chain_certs = 2;
    const size_t lens[] = { 10, 20, 30, 40 };
    g_autoptr(GByteArray) m = g_byte_array_new(), r = g_byte_array_new();
    msg_certificate(m, lens, 4);
    records(r, 22, m, 16384);

    CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_1, r, 0), CP_FEED_MORE);
    const Ev *e = find_type(&d->rec, CP_TLS_EV_CERTIFICATE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->cert_count, 2);
    CU_ASSERT_EQUAL(e->dropped, 2);
    CU_ASSERT_EQUAL(e->cert_len[0], 10);
    CU_ASSERT_EQUAL(e->cert_len[1], 20);
    CU_ASSERT_EQUAL(ANOM(d, TLS_CHAIN_TOO_LONG), 1);
    drv_free(d);
}

static void
certificate_chain_beyond_stack_slots_is_kept_whole(void)
{
    Drv *d = drv_new();
    d->limits.max_chain_certs = 100;
    size_t lens[40];
    for (size_t i = 0; i < 40; i++)
        lens[i] = 5;
    g_autoptr(GByteArray) m = g_byte_array_new(), r = g_byte_array_new();
    msg_certificate(m, lens, 40);
    records(r, 22, m, 16384);

    CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_1, r, 0), CP_FEED_MORE);
    const Ev *e = find_type(&d->rec, CP_TLS_EV_CERTIFICATE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->cert_count, 40);
    CU_ASSERT_EQUAL(e->dropped, 0);
    drv_free(d);
}

static void
certificate_over_size_limit_is_dropped_and_counted(void)
{
    Drv *d = drv_new();
    d->limits.max_cert_len = 100;
    const size_t lens[] = { 100, 101, 50 };
    g_autoptr(GByteArray) m = g_byte_array_new(), r = g_byte_array_new();
    msg_certificate(m, lens, 3);
    records(r, 22, m, 16384);

    CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_1, r, 0), CP_FEED_MORE);
    const Ev *e = find_type(&d->rec, CP_TLS_EV_CERTIFICATE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->cert_count, 2);
    CU_ASSERT_EQUAL(e->cert_len[0], 100);
    CU_ASSERT_EQUAL(e->cert_len[1], 50);
    CU_ASSERT_EQUAL(e->dropped, 1);
    CU_ASSERT_EQUAL(ANOM(d, TLS_CERT_TOO_LARGE), 1);
    drv_free(d);
}

static void
certificate_entry_overrunning_list_is_malformed_and_skipped(void)
{
    Drv *d = drv_new();
    const size_t lens[] = { 10 };
    g_autoptr(GByteArray) body = g_byte_array_new(), m = g_byte_array_new(), r = g_byte_array_new();
    put24(body, 13);
    put24(body, 11); /* one byte more than the list holds */
    putn(body, 0xA0, 10);
    msg_raw(m, 11, body);
    msg_certificate(m, lens, 1);
    records(r, 22, m, 16384);

    CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_1, r, 0), CP_FEED_MORE);
    CU_ASSERT_EQUAL(ANOM(d, TLS_HANDSHAKE_MALFORMED), 1);
    CU_ASSERT_EQUAL(count_type(&d->rec, CP_TLS_EV_CERTIFICATE), 1);
    CU_ASSERT_EQUAL(d->rec.ev[0].cert_len[0], 10);
    drv_free(d);
}

/* A lying length after good entries (a corrupted capture): the entries before it are kept, as
 * Wireshark shows them, and the event says the list is damaged. */
static void
certificate_entries_before_a_lying_length_are_kept_as_damaged(void)
{
    Drv *d = drv_new();
    g_autoptr(GByteArray) body = g_byte_array_new(), m = g_byte_array_new(), r = g_byte_array_new();
    put24(body, 3 + 10 + 3 + 5);
    put24(body, 10);
    putn(body, 0xA0, 10);
    put24(body, 0xAAAAAA); /* what editcap's fuzzer leaves: 0xAA to the end of the frame */
    putn(body, 0xAA, 5);
    msg_raw(m, 11, body);
    records(r, 22, m, 16384);

    CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_1, r, 0), CP_FEED_MORE);
    CU_ASSERT_EQUAL(ANOM(d, TLS_HANDSHAKE_MALFORMED), 1);
    const Ev *e = find_type(&d->rec, CP_TLS_EV_CERTIFICATE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->cert_count, 1);
    CU_ASSERT_EQUAL(e->cert_len[0], 10);
    CU_ASSERT_TRUE(e->cert_ok[0]);
    CU_ASSERT_TRUE(e->damaged);
    drv_free(d);
}

static void
certificate_zero_length_entry_is_malformed(void)
{
    Drv *d = drv_new();
    g_autoptr(GByteArray) body = g_byte_array_new(), m = g_byte_array_new(), r = g_byte_array_new();
    put24(body, 3);
    put24(body, 0); /* ASN.1Cert<1..2^24-1> */
    msg_raw(m, 11, body);
    records(r, 22, m, 16384);

    CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_1, r, 0), CP_FEED_MORE);
    CU_ASSERT_EQUAL(ANOM(d, TLS_HANDSHAKE_MALFORMED), 1);
    CU_ASSERT_EQUAL(d->rec.n, 0);
    drv_free(d);
}

static void
certificate_trailing_bytes_after_list_is_malformed(void)
{
    Drv *d = drv_new();
    const size_t lens[] = { 10 };
    g_autoptr(GByteArray) m = g_byte_array_new(), r = g_byte_array_new();
    msg_certificate(m, lens, 1);
    put8(m, 0xff); /* one byte past the list, inside the message */
    m->data[3] = (uint8_t)(m->data[3] + 1);
    records(r, 22, m, 16384);

    CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_1, r, 0), CP_FEED_MORE);
    CU_ASSERT_EQUAL(ANOM(d, TLS_HANDSHAKE_MALFORMED), 1);
    CU_ASSERT_EQUAL(d->rec.n, 0);
    drv_free(d);
}

/* TLS 1.3 layout (RFC 8446 §4.4.2) if one ever shows up in plaintext after a 1.3 ServerHello. */
static void
plaintext_certificate_after_tls13_uses_13_layout(void)
{
    Drv *d = drv_new();
    g_autoptr(GByteArray) sh = one_record(tls13_server_hello);
    g_autoptr(GByteArray) body = g_byte_array_new(), m = g_byte_array_new(), r = g_byte_array_new();
    CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_1, sh, 0), CP_FEED_DONE);
    put8(body, 0); /* certificate_request_context */
    size_t l = vec_begin(body, 3);
    put24(body, 7);
    putn(body, 0xA0, 7);
    put16(body, 0); /* entry extensions */
    put24(body, 4);
    putn(body, 0xA1, 4);
    put16(body, 4);
    putn(body, 0, 4);
    vec_end(body, l, 3);
    msg_raw(m, 11, body);
    records(r, 22, m, 16384);

    CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_0, r, 0), CP_FEED_MORE);
    const Ev *e = find_type(&d->rec, CP_TLS_EV_CERTIFICATE);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->cert_count, 2);
    CU_ASSERT_EQUAL(e->cert_len[0], 7);
    CU_ASSERT_EQUAL(e->cert_len[1], 4);
    CU_ASSERT_TRUE(e->cert_ok[0] && e->cert_ok[1]);
    CU_ASSERT_EQUAL(ANOM(d, TLS_HANDSHAKE_MALFORMED), 0);
    drv_free(d);
}

static void
warning_alert_is_reported_and_fatal_alert_ends_direction(void)
{
    Drv *d = drv_new();
    g_autoptr(GByteArray) r = g_byte_array_new();
    const uint8_t warn[] = { 1, 112 }, fatal[] = { 2, 40 };
    record_raw(r, 21, warn, 2);
    CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_1, r, 0), CP_FEED_MORE);
    g_byte_array_set_size(r, 0);
    record_raw(r, 21, fatal, 2);
    CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_1, r, 0), CP_FEED_DONE);
    CU_ASSERT_EQUAL(d->rec.n, 2);
    CU_ASSERT_EQUAL(d->rec.ev[0].type, CP_TLS_EV_ALERT);
    CU_ASSERT_EQUAL(d->rec.ev[0].level, 1);
    CU_ASSERT_EQUAL(d->rec.ev[0].desc, 112);
    CU_ASSERT_EQUAL(d->rec.ev[1].level, 2);
    CU_ASSERT_EQUAL(d->rec.ev[1].desc, 40);
    drv_free(d);
}

/* After ServerHelloDone the server side is parsed until its CCS, so its plaintext alert shows. */
static void
server_alert_after_hello_done_is_reported(void)
{
    Drv *d = drv_new();
    const size_t lens[] = { 30 };
    const uint8_t fatal[] = { 2, 80 };
    g_autoptr(GByteArray) m = g_byte_array_new(), cli = g_byte_array_new(),
                          srv = g_byte_array_new();
    msg_client_hello(m, "owa.example", offered, 3);
    records(cli, 22, m, 16384);
    g_byte_array_set_size(m, 0);
    msg_server_hello(m, 0xc02f, 0);
    msg_certificate(m, lens, 1);
    msg_empty(m, 14);
    records(srv, 22, m, 16384);
    record_raw(srv, 21, fatal, 2);

    CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_0, cli, 0), CP_FEED_MORE);
    CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_1, srv, 0), CP_FEED_DONE);
    CU_ASSERT_EQUAL(d->rec.n, 4);
    CU_ASSERT_EQUAL(d->rec.ev[3].type, CP_TLS_EV_ALERT);
    CU_ASSERT_EQUAL(d->rec.ev[3].dir, CP_DIR_1);
    CU_ASSERT_EQUAL(d->rec.ev[3].desc, 80);
    CU_ASSERT_EQUAL(d->st[CP_DIR_0], CP_FEED_MORE);
    drv_free(d);
}

static void
alert_after_ccs_is_never_parsed(void)
{
    Drv *d = drv_new();
    g_autoptr(GByteArray) r = g_byte_array_new();
    const uint8_t one = 1, enc[] = { 0x8e, 0x11, 0x52, 0x07 };
    record_raw(r, 20, &one, 1);
    record_raw(r, 21, enc, sizeof(enc));

    CU_ASSERT_EQUAL(drv_feed_all(d, CP_DIR_0, r, 0), CP_FEED_DONE);
    /* Only the ChangeCipherSpec itself is reported (the client-side findings need it). */
    CU_ASSERT_EQUAL(d->rec.n, 1);
    CU_ASSERT_EQUAL(count_type(&d->rec, CP_TLS_EV_CHANGE_CIPHER_SPEC), 1);
    CU_ASSERT_EQUAL(count_type(&d->rec, CP_TLS_EV_ALERT), 0);
    drv_free(d);
}

typedef struct Row {
    uint16_t v;
    const char *name;
} Row;

static const Row cipher_rows[] = {
#define CP_TLS_CIPHER(v, n) { (v), (n) },
#include "dissectors/tls_tables.def"
};

static const Row alert_rows[] = {
#define CP_TLS_ALERT(v, n) { (v), (n) },
#include "dissectors/tls_tables.def"
};

static const Row hs_rows[] = {
#define CP_TLS_HANDSHAKE(v, n) { (v), (n) },
#include "dissectors/tls_tables.def"
};

static const Row version_rows[] = {
#define CP_TLS_VERSION(v, n) { (v), (n) },
#include "dissectors/tls_tables.def"
};

static bool
same_name(const char *got, const char *want)
{
    return got != NULL && strcmp(got, want) == 0;
}

static void
tables_find_every_row_and_known_names(void)
{
    size_t nc = G_N_ELEMENTS(cipher_rows);
    CU_ASSERT(nc >= 350);
    /* every row is found through the bisecting lookup (fails if the .def order breaks); names
     * compare by content: identical literals need not share storage across files */
    for (size_t i = 0; i < nc; i++)
        CU_ASSERT_TRUE(same_name(cp_tls_cipher_name(cipher_rows[i].v), cipher_rows[i].name));
    for (size_t i = 0; i < G_N_ELEMENTS(alert_rows); i++)
        CU_ASSERT_TRUE(same_name(cp_tls_alert_name((uint8_t)alert_rows[i].v), alert_rows[i].name));
    for (size_t i = 0; i < G_N_ELEMENTS(hs_rows); i++)
        CU_ASSERT_TRUE(same_name(cp_tls_handshake_name((uint8_t)hs_rows[i].v), hs_rows[i].name));
    for (size_t i = 0; i < G_N_ELEMENTS(version_rows); i++)
        CU_ASSERT_TRUE(same_name(cp_tls_version_name(version_rows[i].v), version_rows[i].name));

    CU_ASSERT_STRING_EQUAL(cp_tls_cipher_name(0xc02f), "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
    CU_ASSERT_STRING_EQUAL(cp_tls_cipher_name(0x1302), "TLS_AES_256_GCM_SHA384");
    CU_ASSERT_STRING_EQUAL(cp_tls_cipher_name(0x000a), "TLS_RSA_WITH_3DES_EDE_CBC_SHA");
    CU_ASSERT_STRING_EQUAL(cp_tls_cipher_name(0xcca9),
                           "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256");
    CU_ASSERT_STRING_EQUAL(cp_tls_cipher_name(0x00ff), "TLS_EMPTY_RENEGOTIATION_INFO_SCSV");
    CU_ASSERT_STRING_EQUAL(cp_tls_cipher_name(0xc0ad), "TLS_ECDHE_ECDSA_WITH_AES_256_CCM");
    CU_ASSERT_PTR_NULL(cp_tls_cipher_name(0x0a0a)); /* GREASE */
    CU_ASSERT_PTR_NULL(cp_tls_cipher_name(0xffff));
    CU_ASSERT_STRING_EQUAL(cp_tls_version_name(0x0303), "TLS 1.2");
    CU_ASSERT_STRING_EQUAL(cp_tls_version_name(0x0300), "SSL 3.0");
    CU_ASSERT_STRING_EQUAL(cp_tls_version_name(0x0304), "TLS 1.3");
    CU_ASSERT_PTR_NULL(cp_tls_version_name(0x0305));
    CU_ASSERT_STRING_EQUAL(cp_tls_alert_name(48), "unknown_ca");
    CU_ASSERT_STRING_EQUAL(cp_tls_alert_name(42), "bad_certificate");
    CU_ASSERT_PTR_NULL(cp_tls_alert_name(255));
    CU_ASSERT_STRING_EQUAL(cp_tls_handshake_name(11), "certificate");
    CU_ASSERT_STRING_EQUAL(cp_tls_handshake_name(14), "server_hello_done");
    CU_ASSERT_PTR_NULL(cp_tls_handshake_name(7));
}

static CU_TestInfo tests[] = {
    { "client_hello_reports_sni_and_versions_without_grease",
      client_hello_reports_sni_and_versions_without_grease },
    { "client_hello_without_extensions_has_no_sni_and_no_versions",
      client_hello_without_extensions_has_no_sni_and_no_versions },
    { "client_hello_lying_sni_is_counted_and_hello_still_reported",
      client_hello_lying_sni_is_counted_and_hello_still_reported },
    { "client_hello_cut_inside_fixed_part_is_malformed_and_skipped",
      client_hello_cut_inside_fixed_part_is_malformed_and_skipped },
    { "server_hello_tls12_reports_version_and_cipher_and_parsing_goes_on",
      server_hello_tls12_reports_version_and_cipher_and_parsing_goes_on },
    { "server_hello_tls13_emits_encrypted_and_ends_server_direction",
      server_hello_tls13_emits_encrypted_and_ends_server_direction },
    { "hello_retry_request_is_not_the_final_server_hello",
      hello_retry_request_is_not_the_final_server_hello },
    { "certificate_with_empty_list_reports_zero_certs",
      certificate_with_empty_list_reports_zero_certs },
    { "certificate_chain_at_limit_keeps_all", certificate_chain_at_limit_keeps_all },
    { "certificate_chain_over_limit_drops_rest_and_counts_once",
      certificate_chain_over_limit_drops_rest_and_counts_once },
    { "certificate_chain_beyond_stack_slots_is_kept_whole",
      certificate_chain_beyond_stack_slots_is_kept_whole },
    { "certificate_over_size_limit_is_dropped_and_counted",
      certificate_over_size_limit_is_dropped_and_counted },
    { "certificate_entry_overrunning_list_is_malformed_and_skipped",
      certificate_entry_overrunning_list_is_malformed_and_skipped },
    { "certificate_zero_length_entry_is_malformed", certificate_zero_length_entry_is_malformed },
    { "certificate_entries_before_a_lying_length_are_kept_as_damaged",
      certificate_entries_before_a_lying_length_are_kept_as_damaged },
    { "certificate_trailing_bytes_after_list_is_malformed",
      certificate_trailing_bytes_after_list_is_malformed },
    { "plaintext_certificate_after_tls13_uses_13_layout",
      plaintext_certificate_after_tls13_uses_13_layout },
    { "warning_alert_is_reported_and_fatal_alert_ends_direction",
      warning_alert_is_reported_and_fatal_alert_ends_direction },
    { "server_alert_after_hello_done_is_reported", server_alert_after_hello_done_is_reported },
    { "alert_after_ccs_is_never_parsed", alert_after_ccs_is_never_parsed },
    { "tables_find_every_row_and_known_names", tables_find_every_row_and_known_names },
    CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
    return cp_test_main("tls_handshake", tests, argc, argv);
}
