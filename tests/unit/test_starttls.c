/* SPDX-License-Identifier: BSD-2-Clause */
/* Unit tests for dissectors/starttls: a hello counts only at the byte after an upgrade exchange
 * (RFC 3207, RFC 9051, RFC 2595, RFC 4217, RFC 6120, RFC 4511, PostgreSQL's SSLRequest, HTTP
 * CONNECT), never inside a body or a line, and an answer's position needs the request. */
#include <string.h>
#include <CUnit/CUnit.h>
#include <glib.h>

#include "../harness.h"
#include "dissectors/starttls.h"

#define C CP_DIR_0 /* the client's direction */
#define S CP_DIR_1

/* A record header and hello header that pass the 9-byte pattern, then the body. */
static const uint8_t hello[] = { 0x16, 0x03, 0x01, 0x00, 0x40, 0x01, 0x00, 0x00, 0x3c,
                                 0,    0,    0,    0,    0,    0,    0,    0,    0 };

/* Offset of an accepted hello in prefix+hello, or -1. */
static long
scan(CpStarttls *st, CpDir dir, const void *prefix, size_t n)
{
    GByteArray *b = g_byte_array_new();
    size_t consumed = 0, needed = 0;

    g_byte_array_append(b, prefix, (guint)n);
    g_byte_array_append(b, hello, sizeof(hello));
    long at = cp_starttls_scan(st, dir, b->data, b->len, false, &consumed, &needed);
    g_byte_array_free(b, TRUE);
    return at;
}

static long
scan_text(CpStarttls *st, CpDir dir, const char *prefix)
{
    return scan(st, dir, prefix, strlen(prefix));
}

/* Plaintext only (no hello): units taken, the state moves. */
static void
feed(CpStarttls *st, CpDir dir, const char *text)
{
    size_t consumed = 0, needed = 0;

    CU_ASSERT_EQUAL(cp_starttls_scan(st, dir, (const uint8_t *)text, strlen(text), false, &consumed,
                                     &needed),
                    -1);
    CU_ASSERT_EQUAL(consumed, strlen(text));
}

static void
smtp_both_sides_at_the_upgrade(void)
{
    CpStarttls st = { 0 };

    feed(&st, S, "220 mx.example.test ESMTP\r\n");
    feed(&st, C, "EHLO a\r\n");
    feed(&st, S, "250-mx\r\n250 STARTTLS\r\n");
    const char *cmd = "STARTTLS\r\n";
    CU_ASSERT_EQUAL(scan_text(&st, C, cmd), (long)strlen(cmd));
    const char *ok = "220 2.0.0 Ready to start TLS\r\n";
    CU_ASSERT_EQUAL(scan_text(&st, S, ok), (long)strlen(ok));
}

static void
answer_without_request_is_not_a_position(void)
{
    CpStarttls st = { 0 };

    /* A server that says 220 (or +OK, or OK) when nobody asked for TLS. */
    CU_ASSERT_EQUAL(scan_text(&st, S, "220 ready\r\n"), -1);
    CpStarttls st2 = { 0 };
    CU_ASSERT_EQUAL(scan_text(&st2, S, "+OK\r\n"), -1);
}

static void
hello_inside_a_line_or_body_is_plaintext(void)
{
    CpStarttls st = { 0 };

    feed(&st, C, "STARTTLS\r\n");
    /* Armed only for the very next byte: one more line and the position is gone. */
    CU_ASSERT_EQUAL(scan_text(&st, C, "NOOP\r\n"), -1);
    CpStarttls st2 = { 0 };
    feed(&st2, C, "a STARTTLS\r\n");
    CU_ASSERT_EQUAL(scan_text(&st2, S, "250 queued "), -1); /* mid-line */
}

static void
feed_bin(CpStarttls *st, CpDir dir, const uint8_t *p, size_t n)
{
    size_t consumed = 0, needed = 0;

    CU_ASSERT_EQUAL(cp_starttls_scan(st, dir, p, n, false, &consumed, &needed), -1);
    CU_ASSERT_EQUAL(consumed, n);
}

static void
http_body_is_not_an_upgrade_but_connect_is(void)
{
    CpStarttls st = { 0 };

    feed(&st, C, "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    CU_ASSERT_EQUAL(scan_text(&st, S, "HTTP/1.1 200 OK\r\nContent-Length: 80\r\n\r\n"), -1);

    CpStarttls tunnel = { 0 };
    feed(&tunnel, C, "CONNECT mail.example.test:443 HTTP/1.1\r\nHost: x\r\n\r\n");
    const char *resp = "HTTP/1.1 200 Connection established\r\n\r\n";
    CU_ASSERT_EQUAL(scan_text(&tunnel, S, resp), (long)strlen(resp));
    CU_ASSERT_EQUAL(scan_text(&tunnel, C, ""), 0);
}

/* A web page that writes an upgrade command and a hello: one side alone is no upgrade. */
static void
one_side_alone_cannot_upgrade(void)
{
    CpStarttls st = { 0 };

    feed(&st, C, "GET / HTTP/1.1\r\n\r\n");
    CU_ASSERT_EQUAL(scan_text(&st, S, "HTTP/1.1 200 OK\r\n\r\nx STARTTLS\r\n"), -1);
    CpStarttls st2 = { 0 };
    CU_ASSERT_EQUAL(scan_text(&st2, S, "STARTTLS\r\n220 go\r\n"), -1);
}

/* Command, answer, then both hellos, in the order the wire has them. */
static void
upgrade(const char *cmd, const char *answer)
{
    CpStarttls st = { 0 };

    feed(&st, C, cmd);
    CU_ASSERT_EQUAL(scan_text(&st, S, answer), (long)strlen(answer));
    CU_ASSERT_EQUAL(scan_text(&st, C, ""), 0);
}

static void
imap_pop3_ftp_xmpp(void)
{
    upgrade("a1 STARTTLS\r\n", "a1 OK Begin TLS\r\n");
    upgrade("STLS\r\n", "+OK go\r\n");
    upgrade("AUTH TLS\r\n", "234 AUTH TLS OK.\r\n");
    upgrade("<stream:stream to='x'><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>",
            "<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>\n");
    /* The client's hello before its answer was seen waits for it instead of being lost. */
    CpStarttls st = { 0 };
    CU_ASSERT_EQUAL(scan_text(&st, C, "STLS\r\n"), -1);
    feed(&st, S, "+OK\r\n");
    CU_ASSERT_EQUAL(scan_text(&st, C, "STLS\r\n"), 6);
}

static void
postgresql_and_ldap(void)
{
    static const uint8_t ssl_request[] = { 0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f };
    CpStarttls pg = { 0 };
    feed_bin(&pg, C, ssl_request, sizeof(ssl_request));
    CU_ASSERT_EQUAL(scan(&pg, S, "S", 1), 1);
    CU_ASSERT_EQUAL(scan(&pg, C, "", 0), 0);
    CpStarttls pg2 = { 0 }; /* 'S' with no request before it */
    CU_ASSERT_EQUAL(scan(&pg2, S, "S", 1), -1);

    static const uint8_t ext_req[] = { 0x30, 0x1d, 0x02, 0x01, 0x01, 0x77, 0x18, 0x80,
                                       0x16, '1',  '.',  '3',  '.',  '6',  '.',  '1',
                                       '.',  '4',  '.',  '1',  '.',  '1',  '4',  '6',
                                       '6',  '.',  '2',  '0',  '0',  '3',  '7' };
    static const uint8_t ext_resp[] = { 0x30, 0x0c, 0x02, 0x01, 0x01, 0x78, 0x07,
                                        0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00 };
    static const uint8_t ext_refused[] = { 0x30, 0x0c, 0x02, 0x01, 0x01, 0x78, 0x07,
                                           0x0a, 0x01, 0x34, 0x04, 0x00, 0x04, 0x00 };
    CpStarttls ldap = { 0 };
    feed_bin(&ldap, C, ext_req, sizeof(ext_req));
    CU_ASSERT_EQUAL(scan(&ldap, S, ext_resp, sizeof(ext_resp)), (long)sizeof(ext_resp));
    CU_ASSERT_EQUAL(scan(&ldap, C, "", 0), 0);
    CpStarttls ldap2 = { 0 };
    feed_bin(&ldap2, C, ext_req, sizeof(ext_req));
    CU_ASSERT_EQUAL(scan(&ldap2, S, ext_refused, sizeof(ext_refused)), -1);
}

static void
partial_units_wait_and_long_lines_pass(void)
{
    CpStarttls st = { 0 };
    size_t consumed = 9, needed = 9;
    const char *part = "STAR";

    CU_ASSERT_EQUAL(cp_starttls_scan(&st, C, (const uint8_t *)part, 4, false, &consumed, &needed),
                    -1);
    CU_ASSERT_EQUAL(consumed, 0); /* the line is not complete: nothing taken */
    /* A line of 10000 bytes without an end is passed in bounded units. */
    char *junk = g_malloc(10000);
    memset(junk, 'x', 10000);
    CU_ASSERT_EQUAL(
            cp_starttls_scan(&st, C, (const uint8_t *)junk, 10000, false, &consumed, &needed), -1);
    CU_ASSERT(consumed >= 8192 && consumed <= 10000);
    g_free(junk);
}

static CU_TestInfo tests[] = {
    { "smtp_both_sides_at_the_upgrade", smtp_both_sides_at_the_upgrade },
    { "answer_without_request_is_not_a_position", answer_without_request_is_not_a_position },
    { "hello_inside_a_line_or_body_is_plaintext", hello_inside_a_line_or_body_is_plaintext },
    { "http_body_is_not_an_upgrade_but_connect_is", http_body_is_not_an_upgrade_but_connect_is },
    { "one_side_alone_cannot_upgrade", one_side_alone_cannot_upgrade },
    { "imap_pop3_ftp_xmpp", imap_pop3_ftp_xmpp },
    { "postgresql_and_ldap", postgresql_and_ldap },
    { "partial_units_wait_and_long_lines_pass", partial_units_wait_and_long_lines_pass },
    CU_TEST_INFO_NULL,
};

int
main(int argc, char **argv)
{
    return cp_test_main("starttls", tests, argc, argv);
}
