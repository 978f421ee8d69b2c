/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests for dissectors/registry: the table and the dispatcher pick an entry by content —
 * TLS records go to tls, a plaintext prefix to starttls, which still finds the hello after it —
 * wait for enough bytes to decide, and hand both directions to the entry that took them. */
#include <string.h>
#include <CUnit/CUnit.h>

#include "dissectors/dissector.h"
#include "harness.h"
#include "tls_builders.h"

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
    fx->memcap.cap = 1 << 20;
    CpDissectCtx ctx = { &fx->limits, &fx->an, &fx->memcap, on_event, &fx->rec, NULL };
    fx->c = cp_dissect_conn_new(&ctx, CP_TRANSPORT_TCP);
}

static GByteArray *
client_hello_records(const char *sni)
{
    GByteArray *msg = g_byte_array_new(), *rec = g_byte_array_new();

    msg_client_hello(msg, sni, NULL, 0);
    records(rec, 22, msg, 16384);
    g_byte_array_unref(msg);
    return rec;
}

static void
table_has_tcp_entries_and_dtls_for_udp(void)
{
    CU_ASSERT_TRUE(cp_dissect_handles(CP_TRANSPORT_TCP));
    /* DTLS (dissectors/dtls.c) is the table's UDP entry: the pipeline asks net for datagrams. */
    CU_ASSERT_TRUE(cp_dissect_handles(CP_TRANSPORT_UDP));
    CU_ASSERT_PTR_NOT_NULL(cp_dissect_find("dtls"));
    CU_ASSERT_PTR_EQUAL(cp_dissect_find("tls"), &cp_dissector_tls);
    CU_ASSERT_PTR_EQUAL(cp_dissect_find("starttls"), &cp_dissector_starttls);
    CU_ASSERT_PTR_NULL(cp_dissect_find("quic"));
}

static void
tls_records_pick_the_tls_entry(void)
{
    Fx fx;
    fx_init(&fx);
    GByteArray *ch = client_hello_records("mail.contoso.com");

    CpFeedResult r = cp_dissect_conn_feed(fx.c, CP_DIR_0, ch->data, ch->len, 0);
    CU_ASSERT_EQUAL(r.status, CP_FEED_MORE);
    CU_ASSERT_PTR_EQUAL(cp_dissect_conn_dissector(fx.c), &cp_dissector_tls);
    const Ev *e = find_type(&fx.rec, CP_TLS_EV_CLIENT_HELLO);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_STRING_EQUAL(e->sni, "mail.contoso.com");
    g_byte_array_unref(ch);
    cp_dissect_conn_free(fx.c);
}

static void
too_few_bytes_to_decide_asks_for_more(void)
{
    Fx fx;
    fx_init(&fx);
    const uint8_t two[] = { 0x16, 0x03 };

    CpFeedResult r = cp_dissect_conn_feed(fx.c, CP_DIR_0, two, sizeof two, 0);
    CU_ASSERT_EQUAL(r.status, CP_FEED_MORE);
    CU_ASSERT_EQUAL(r.consumed, 0);
    CU_ASSERT_EQUAL(r.needed, 5);
    CU_ASSERT_PTR_NULL(cp_dissect_conn_dissector(fx.c));
    cp_dissect_conn_free(fx.c);
}

static void
plaintext_prefix_goes_to_starttls_which_finds_the_hello(void)
{
    Fx fx;
    fx_init(&fx);
    GByteArray *ch = client_hello_records("smtp.contoso.com");
    GByteArray *all = g_byte_array_new();
    const char *smtp = "EHLO client\r\nSTARTTLS\r\n";

    /* The server's 220 greeting counts as the answer a client's upgrade position needs. */
    const char *greeting = "220 mx.contoso.com ESMTP\r\n";
    cp_dissect_conn_feed(fx.c, CP_DIR_1, (const uint8_t *)greeting, strlen(greeting), 0);
    g_byte_array_append(all, (const uint8_t *)smtp, (guint)strlen(smtp));
    g_byte_array_append(all, ch->data, ch->len);
    cp_dissect_conn_feed(fx.c, CP_DIR_0, all->data, all->len, 0);
    CU_ASSERT_PTR_EQUAL(cp_dissect_conn_dissector(fx.c), &cp_dissector_starttls);
    const Ev *e = find_type(&fx.rec, CP_TLS_EV_CLIENT_HELLO);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_STRING_EQUAL(e->sni, "smtp.contoso.com");
    g_byte_array_unref(ch);
    g_byte_array_unref(all);
    cp_dissect_conn_free(fx.c);
}

static void
plaintext_without_tls_is_given_up_and_counted(void)
{
    Fx fx;
    fx_init(&fx);
    const char *http = "GET / HTTP/1.1\r\nHost: example\r\n\r\n";

    CpFeedResult r = cp_dissect_conn_feed(fx.c, CP_DIR_0, (const uint8_t *)http, strlen(http),
                                          CP_STREAM_FIN);
    CU_ASSERT_EQUAL(r.status, CP_FEED_DONE);
    CU_ASSERT_EQUAL(ANOM(&fx, TLS_NOT_TLS), 1);
    CU_ASSERT_EQUAL(fx.rec.n, 0);
    cp_dissect_conn_free(fx.c);
}

static void
the_chosen_entry_gets_the_other_direction_too(void)
{
    Fx fx;
    fx_init(&fx);
    GByteArray *ch = client_hello_records(NULL);
    GByteArray *sh = g_byte_array_new(), *msg = g_byte_array_new();

    msg_server_hello(msg, 0xc02f, 0);
    records(sh, 22, msg, 16384);
    cp_dissect_conn_feed(fx.c, CP_DIR_0, ch->data, ch->len, 0);
    cp_dissect_conn_feed(fx.c, CP_DIR_1, sh->data, sh->len, 0);
    const Ev *e = find_type(&fx.rec, CP_TLS_EV_SERVER_HELLO);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->dir, CP_DIR_1);
    CU_ASSERT_EQUAL(e->cipher, 0xc02f);
    g_byte_array_unref(ch);
    g_byte_array_unref(sh);
    g_byte_array_unref(msg);
    cp_dissect_conn_free(fx.c);
}

static CU_TestInfo tests[] = {
    { "table_has_tcp_entries_and_dtls_for_udp", table_has_tcp_entries_and_dtls_for_udp },
    { "tls_records_pick_the_tls_entry", tls_records_pick_the_tls_entry },
    { "too_few_bytes_to_decide_asks_for_more", too_few_bytes_to_decide_asks_for_more },
    { "plaintext_prefix_goes_to_starttls_which_finds_the_hello",
      plaintext_prefix_goes_to_starttls_which_finds_the_hello },
    { "plaintext_without_tls_is_given_up_and_counted",
      plaintext_without_tls_is_given_up_and_counted },
    { "the_chosen_entry_gets_the_other_direction_too",
      the_chosen_entry_gets_the_other_direction_too },
    CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
    return cp_test_main("dissector", tests, argc, argv);
}
