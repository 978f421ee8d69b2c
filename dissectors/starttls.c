/* SPDX-License-Identifier: BSD-2-Clause */
/* starttls: upgrade positions in SMTP (RFC 3207), IMAP (RFC 9051 §6.2.1), POP3 (RFC 2595 §4),
 * FTP (RFC 4217 §4), XMPP (RFC 6120 §5.4), LDAP (RFC 4511 §4.14), PostgreSQL (protocol
 * "SSLRequest"), MySQL (SSL request packet) and HTTP CONNECT (RFC 9110 §9.3.6) — starttls.h.
 *
 * The plaintext is cut into units (a line or XML tag, an LDAP message, a MySQL packet, or
 * PostgreSQL's fixed request and answer); each unit either arms the direction (the next byte may
 * be a hello) or disarms it. Blank lines leave the state as it was, since servers add them.
 */
#include "dissectors/starttls.h"

#include <string.h>
#include <glib.h>

#include "base/reader.h"
#include "dissectors/tls_prefix.h"

#define MAX_TEXT_UNIT 4096 /* a longer line is not a command: passed as plaintext */
#define CLASSIFY_LEN  512  /* the bytes of a line a command or answer must fit in */
/* A hello right after a command waits this long for the other side's answer to be seen (its
 * segment may be delivered later); beyond, the bytes are plaintext. */
#define MAX_HELLO_WAIT    (32 * 1024)
#define LDAP_STARTTLS_OID "1.3.6.1.4.1.1466.20037"

static const uint8_t pg_ssl_request[8] = { 0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f };

typedef enum Unit { UNIT_PLAIN, UNIT_COMMAND, UNIT_REPLY, UNIT_BLANK } Unit;

/* ------------------------------------------------------------------ text lines and XML tags */

static bool
word_is(const char *s, size_t n, const char *word)
{
    return n == strlen(word) && g_ascii_strncasecmp(s, word, n) == 0;
}

static bool
starts_with(const char *s, size_t n, const char *prefix)
{
    size_t k = strlen(prefix);
    return n >= k && g_ascii_strncasecmp(s, prefix, k) == 0;
}

static bool
xmpp_tag(const char *s, size_t n, const char *name)
{
    return starts_with(s, n, name) && g_strstr_len(s, (gssize)n, "xmpp-tls") != NULL && n >= 2 &&
           s[n - 1] == '>';
}

/* SMTP/IMAP/POP3/FTP commands and answers; s is the unit without surrounding blanks. */
static Unit
classify_line(CpStarttlsDir *d, const char *s, size_t n)
{
    const char *sp = memchr(s, ' ', n);
    const char *second = sp != NULL ? sp + 1 : s + n;
    size_t second_len = (size_t)(s + n - second);

    if (word_is(s, n, "STARTTLS") || word_is(s, n, "STLS") || word_is(s, n, "AUTH TLS") ||
        word_is(s, n, "AUTH SSL") || word_is(s, n, "AUTH TLS-C") ||
        (sp != NULL && word_is(second, second_len, "STARTTLS")) || xmpp_tag(s, n, "<starttls"))
        return UNIT_COMMAND;
    if (starts_with(s, n, "CONNECT ")) {
        d->header_block = (uint8_t)UNIT_COMMAND;
        return UNIT_PLAIN; /* armed by the empty line that ends the headers */
    }
    if ((starts_with(s, n, "HTTP/1.0 2") || starts_with(s, n, "HTTP/1.1 2"))) {
        d->header_block = (uint8_t)UNIT_REPLY;
        return UNIT_PLAIN;
    }
    if (starts_with(s, n, "220 ") || word_is(s, n, "220") || starts_with(s, n, "234 ") ||
        word_is(s, n, "234") || starts_with(s, n, "+OK") || xmpp_tag(s, n, "<proceed") ||
        (sp != NULL && sp != s && starts_with(second, second_len, "OK") &&
         (second_len == 2 || second[2] == ' ')))
        return UNIT_REPLY;
    return UNIT_PLAIN;
}

static bool
blank(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* One line (to '\n') or XML tag (to '>'): its length, or 0 when not complete in data. */
static size_t
text_unit_len(const uint8_t *data, size_t len)
{
    size_t n = len < MAX_TEXT_UNIT ? len : MAX_TEXT_UNIT;

    for (size_t i = 0; i < n; i++)
        if (data[i] == '\n' || data[i] == '>')
            return i + 1;
    return len >= MAX_TEXT_UNIT ? MAX_TEXT_UNIT : 0;
}

static Unit
classify_text(CpStarttlsDir *d, const uint8_t *unit, size_t n)
{
    size_t a = 0, b = n;
    char buf[CLASSIFY_LEN];
    CpReader r;

    while (a < b && blank(unit[a]))
        a++;
    while (b > a && blank(unit[b - 1]))
        b--;
    if (a == b)
        return UNIT_BLANK;
    if (b - a > sizeof(buf))
        return UNIT_PLAIN;
    cp_reader_init(&r, unit + a, b - a, b - a);
    if (!cp_reader_copy(&r, buf, b - a))
        return UNIT_PLAIN;
    return classify_line(d, buf, b - a);
}

/* ------------------------------------------------------------------ LDAP (BER) and MySQL */

/* An LDAPMessage: SEQUENCE { messageID INTEGER, protocolOp [APPLICATION n] ... } (RFC 4511
 * §4.2). Its total length in *unit_len, or false when the bytes cannot be one. */
static bool
ber_header(const uint8_t *data, size_t len, size_t *hdr_len, size_t *body_len)
{
    CpReader r;
    uint8_t tag, l0;

    cp_reader_init(&r, data, len, len);
    if (!cp_reader_u8(&r, &tag) || !cp_reader_u8(&r, &l0) || tag != 0x30)
        return false;
    if (l0 < 0x80) {
        *body_len = l0;
    } else {
        unsigned k = l0 & 0x7fu;
        uint32_t v = 0;
        if (k == 0 || k > 3)
            return false;
        for (unsigned i = 0; i < k; i++) {
            uint8_t b;
            if (!cp_reader_u8(&r, &b))
                return false;
            v = (v << 8) | b;
        }
        *body_len = v;
    }
    *hdr_len = len - cp_reader_remaining(&r);
    return true;
}

static bool
contains(const uint8_t *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);

    for (size_t i = 0; k <= n && i <= n - k; i++)
        if (memcmp(hay + i, needle, k) == 0)
            return true;
    return false;
}

static Unit
classify_ldap(const uint8_t *msg, size_t n, size_t hdr)
{
    CpReader r, id;
    uint8_t tag, op, res_tag, res_len, res;

    cp_reader_init(&r, msg + hdr, n - hdr, n - hdr);
    if (!cp_reader_u8(&r, &tag) || tag != 0x02 || !cp_reader_vec8(&r, &id) ||
        !cp_reader_u8(&r, &op))
        return UNIT_PLAIN;
    if (op == 0x77) /* ExtendedRequest: the StartTLS OID is its requestName */
        return contains(msg + hdr, n - hdr, LDAP_STARTTLS_OID) ? UNIT_COMMAND : UNIT_PLAIN;
    uint8_t l0;
    if (op != 0x78 || !cp_reader_u8(&r, &l0) || l0 >= 0x80)
        return UNIT_PLAIN;
    /* ExtendedResponse: resultCode ENUMERATED, success (0). */
    if (!cp_reader_u8(&r, &res_tag) || !cp_reader_u8(&r, &res_len) || !cp_reader_u8(&r, &res))
        return UNIT_PLAIN;
    return res_tag == 0x0a && res_len == 1 && res == 0 ? UNIT_REPLY : UNIT_PLAIN;
}

/* A MySQL packet: 3-byte little-endian length, sequence number, payload. */
static bool
mysql_header(const uint8_t *data, size_t len, uint32_t *plen, uint8_t *seq, uint8_t *first)
{
    CpReader r;
    uint8_t b0, b1, b2;

    cp_reader_init(&r, data, len, len);
    if (!cp_reader_u8(&r, &b0) || !cp_reader_u8(&r, &b1) || !cp_reader_u8(&r, &b2) ||
        !cp_reader_u8(&r, seq) || !cp_reader_u8(&r, first))
        return false;
    *plen = (uint32_t)b0 | ((uint32_t)b1 << 8) | ((uint32_t)b2 << 16);
    return true;
}

static Unit
classify_mysql(const uint8_t *pkt, size_t n, uint32_t plen, uint8_t seq, uint8_t first)
{
    CpReader r;
    uint16_t caps;

    if (seq == 0 && first == 0x0a)
        return UNIT_REPLY; /* the server's greeting: its hello follows once the client asked */
    cp_reader_init(&r, pkt + 4, n - 4, n - 4);
    /* The SSL request: 32 bytes whose capability flags have CLIENT_SSL (0x800). */
    if (seq == 1 && plen == 32 && cp_reader_le16(&r, &caps) && (caps & 0x0800u) != 0)
        return UNIT_COMMAND;
    return UNIT_PLAIN;
}

/* ------------------------------------------------------------------ units */

static CpStarttlsFraming
framing_of(const uint8_t *data, size_t len)
{
    size_t hdr, body;
    uint32_t plen;
    uint8_t seq, first;

    if (ber_header(data, len, &hdr, &body) && len > hdr && data[hdr] == 0x02)
        return CP_STARTTLS_BER;
    if (mysql_header(data, len, &plen, &seq, &first) && plen >= 1 && plen < 0x10000 &&
        ((seq == 0 && first == 0x0a) || (seq == 1 && plen == 32)))
        return CP_STARTTLS_MYSQL;
    return CP_STARTTLS_TEXT;
}

/* The next unit: its length (0: incomplete, *need says how many bytes) and what it is. */
static size_t
next_unit(CpStarttls *st, CpDir dir, const uint8_t *data, size_t len, Unit *what, size_t *need)
{
    CpStarttlsDir *d = &st->dir[dir];
    size_t hdr, body, n;
    uint32_t plen;
    uint8_t seq, first;

    *need = 0;
    if (!d->started && len >= sizeof(pg_ssl_request) &&
        memcmp(data, pg_ssl_request, sizeof(pg_ssl_request)) == 0) {
        *what = UNIT_COMMAND;
        return sizeof(pg_ssl_request);
    }
    if (!d->started && st->requested_by[1 - dir] && data[0] == 'S' &&
        d->framing == CP_STARTTLS_UNKNOWN) {
        *what = UNIT_REPLY; /* PostgreSQL: 'S', then the server's hello */
        return 1;
    }
    if (d->framing == CP_STARTTLS_UNKNOWN)
        d->framing = framing_of(data, len);
    switch (d->framing) {
    case CP_STARTTLS_BER:
        if (!ber_header(data, len, &hdr, &body)) {
            d->framing = CP_STARTTLS_TEXT; /* no longer LDAP: cut the rest by lines */
            return next_unit(st, dir, data, len, what, need);
        }
        n = hdr + body;
        if (n > len) {
            *need = n;
            return 0;
        }
        *what = classify_ldap(data, n, hdr);
        return n;
    case CP_STARTTLS_MYSQL:
        if (!mysql_header(data, len, &plen, &seq, &first)) {
            *need = 5;
            return 0;
        }
        n = 4 + (size_t)plen;
        if (n > len) {
            *need = n;
            return 0;
        }
        *what = classify_mysql(data, n, plen, seq, first);
        return n;
    default:
        n = text_unit_len(data, len);
        if (n > 0)
            *what = classify_text(d, data, n);
        return n;
    }
}

static void
take(CpStarttls *st, CpDir dir, Unit what)
{
    CpStarttlsDir *d = &st->dir[dir];

    d->started = true;
    if (what == UNIT_BLANK) {
        if (d->header_block == 0)
            return;                   /* blank lines between units change nothing */
        what = (Unit)d->header_block; /* the empty line ends CONNECT's or a 2xx's headers */
        d->header_block = 0;
    } else if (what == UNIT_PLAIN && d->header_block != 0) {
        d->armed = false; /* a header line */
        return;
    }
    if (what == UNIT_COMMAND)
        st->requested_by[dir] = true;
    if (what == UNIT_REPLY)
        st->replied_by[dir] = true;
    d->armed = what == UNIT_COMMAND || what == UNIT_REPLY;
    st->armed_by_reply[dir] = what == UNIT_REPLY;
}

/* A hello here is accepted: the position is armed and the other side did its half — asked,
 * for an answer's position; answered, for a command's (a MySQL client's SSL request follows the
 * server's greeting, which counts as that answer). */
typedef enum Verdict { V_NO, V_YES, V_WAIT } Verdict;

static Verdict
accept_here(const CpStarttls *st, CpDir dir)
{
    CpDir peer = (CpDir)(1 - dir);

    if (!st->dir[dir].armed)
        return V_NO;
    if (st->armed_by_reply[dir])
        return st->requested_by[peer] ? V_YES : V_NO;
    return st->replied_by[peer] ? V_YES : V_WAIT;
}

long
cp_starttls_scan(CpStarttls *st, CpDir dir, const uint8_t *data, size_t len, bool fin,
                 size_t *consumed, size_t *needed)
{
    size_t pos = 0;

    *needed = 0;
    for (;;) {
        size_t left = len - pos;
        if (left == 0)
            break;
        Verdict v = accept_here(st, dir);
        if (v != V_NO) {
            if (left < CP_TLS_HELLO_PATTERN_LEN && !fin) {
                *needed = CP_TLS_HELLO_PATTERN_LEN;
                break;
            }
            bool hello = cp_tls_prefix_hello_at(data + pos, left);
            if (hello && v == V_YES)
                return (long)pos;
            if (hello && !fin && left < MAX_HELLO_WAIT) {
                *needed = left + 1; /* until the answer is seen, or more bytes come */
                break;
            }
        }
        Unit what = UNIT_PLAIN;
        size_t need = 0;
        size_t n = next_unit(st, dir, data + pos, left, &what, &need);
        if (n == 0) {
            *needed = need;
            break;
        }
        take(st, dir, what);
        pos += n;
    }
    *consumed = pos;
    return -1;
}
