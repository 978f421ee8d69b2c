/* SPDX-License-Identifier: BSD-2-Clause */
/* tls_prefix: a bounded search for the first TLS hello in a stream that does not start with TLS.
 *
 * Protocol-specific STARTTLS parsers (one per SMTP, IMAP, LDAP, MySQL...) each know one upgrade;
 * what they all share is that the upgraded stream starts with a handshake record holding a
 * ClientHello (client side) or ServerHello (server side): RFC 5246 §6.2.1 + §7.4. That
 * pattern — 0x16, 0x03, minor 0..4, a length within the record limit, message type 1 or 2 with a
 * length that fits — is 9 bytes no text protocol produces (0x16 is a control character). But a
 * body can carry any bytes (an HTTP response on port 80 "presenting" a certificate), so for a
 * connection that did not start with TLS the pattern counts only at an upgrade position
 * (starttls.c); the anywhere-scan is kept for a TLS connection's other direction, which may
 * start mid-record in a capture begun mid-connection. The scan is bounded
 * (--max-starttls-prefix) and consumes what it passes, so a plain-text connection costs no
 * buffering.
 */
#include "dissectors/tls_prefix.h"

#include "base/reader.h"

#define HELLO_PATTERN_LEN CP_TLS_HELLO_PATTERN_LEN

bool
cp_tls_prefix_hello_at(const uint8_t *p, size_t n)
{
    CpReader r;
    uint8_t type, major, minor, hs;
    uint16_t rec_len;
    uint32_t hs_len;

    cp_reader_init(&r, p, n, n);
    if (!cp_reader_u8(&r, &type) || !cp_reader_u8(&r, &major) || !cp_reader_u8(&r, &minor) ||
        !cp_reader_be16(&r, &rec_len) || !cp_reader_u8(&r, &hs) || !cp_reader_be24(&r, &hs_len))
        return false;
    return type == 0x16 && major == 3 && minor <= 4 && rec_len >= 4 && rec_len <= 16384 + 2048 &&
           (hs == 1 || hs == 2) && hs_len >= 38 && hs_len <= 0xffff;
}

long
cp_tls_prefix_find(const uint8_t *data, size_t len)
{
    for (size_t i = 0; i + HELLO_PATTERN_LEN <= len; i++) {
        if (data[i] == 0x16 && cp_tls_prefix_hello_at(data + i, len - i))
            return (long)i;
    }
    return -1;
}

/* SSLv2 record (2-byte header, high bit set) holding a SERVER-HELLO (message type 4). */
static bool
sslv2_server_hello(const uint8_t *data, size_t len)
{
    CpReader r;
    uint8_t b0, b1, type;

    cp_reader_init(&r, data, len, len);
    if (!cp_reader_u8(&r, &b0) || !cp_reader_u8(&r, &b1) || !cp_reader_u8(&r, &type))
        return false;
    return (b0 & 0x80) != 0 && type == 4 && (((b0 & 0x7f) << 8) | b1) >= 11;
}

bool
cp_tls_prefix_starts_tls(const uint8_t *data, size_t len)
{
    return cp_tls_probe(data, len) || sslv2_server_hello(data, len);
}

static CpFeedResult
give_up(CpAnomalies *an)
{
    cp_anomaly_add(an, CP_ANOMALY_TLS_NOT_TLS); /* tls.not_tls */
    return (CpFeedResult){ CP_FEED_DONE, 0, 0 };
}

/* A hello at data[at]: from there on the direction is TLS; what the session answers is counted
 * from data[0]. */
static CpFeedResult
hand_over(CpTlsPrefix *p, CpTlsSession *s, CpDir dir, const uint8_t *data, size_t len, long at,
          unsigned flags)
{
    p->mode = CP_PREFIX_TLS;
    CpFeedResult r = cp_tls_session_feed(s, dir, data + at, len - (size_t)at, flags);
    r.consumed += (size_t)at;
    if (r.needed > 0)
        r.needed += (size_t)at;
    return r;
}

/* Positions: only where a STARTTLS-style exchange hands over (starttls.h). */
static CpFeedResult
scan_positions(CpTlsPrefix *p, CpStarttls *st, CpTlsSession *s, CpAnomalies *an,
               uint64_t max_prefix, CpDir dir, const uint8_t *data, size_t len, unsigned flags)
{
    size_t used = 0, needed = 0;
    long at = cp_starttls_scan(st, dir, data, len, (flags & CP_STREAM_FIN) != 0, &used, &needed);

    if (at < 0) {
        if ((flags & CP_STREAM_FIN) || (uint64_t)p->scanned + len > max_prefix)
            return give_up(an);
        p->scanned += used;
        return (CpFeedResult){ CP_FEED_MORE, used, needed > len - used ? needed : 0 };
    }
    return hand_over(p, s, dir, data, len, at, flags);
}

static CpFeedResult
scan(CpTlsPrefix *p, CpStarttls *st, CpTlsSession *s, CpAnomalies *an, uint64_t max_prefix,
     CpDir dir, const uint8_t *data, size_t len, unsigned flags)
{
    if (st != NULL)
        return scan_positions(p, st, s, an, max_prefix, dir, data, len, flags);
    long at = cp_tls_prefix_find(data, len);

    if (at < 0) {
        if ((flags & CP_STREAM_FIN) || (uint64_t)p->scanned + len > max_prefix)
            return give_up(an);
        /* Keep a tail that could be the start of a hello split across deliveries. */
        size_t used = len > HELLO_PATTERN_LEN ? len - (HELLO_PATTERN_LEN - 1) : 0;
        p->scanned += used;
        return (CpFeedResult){ CP_FEED_MORE, used, used == 0 ? HELLO_PATTERN_LEN : 0 };
    }
    return hand_over(p, s, dir, data, len, at, flags);
}

CpFeedResult
cp_tls_prefix_feed(CpTlsPrefix *p, CpStarttls *st, CpTlsSession *s, CpAnomalies *an,
                   uint64_t max_prefix, CpDir dir, const uint8_t *data, size_t len, unsigned flags)
{
    if (p->mode == CP_PREFIX_TLS)
        return cp_tls_session_feed(s, dir, data, len, flags);
    if (p->mode == CP_PREFIX_START) {
        if (len < 5 && !(flags & CP_STREAM_FIN))
            return (CpFeedResult){ CP_FEED_MORE, 0, 5 };
        if (len == 0)
            return cp_tls_session_feed(s, dir, data, len, flags);
        /* Direct TLS (the common case), including a capture that starts mid-handshake, and a
         * pure SSLv2 server, whose SERVER-HELLO carries the certificate. */
        p->mode = cp_tls_prefix_starts_tls(data, len) ? CP_PREFIX_TLS : CP_PREFIX_SCAN;
        if (p->mode == CP_PREFIX_TLS)
            return cp_tls_session_feed(s, dir, data, len, flags);
    }
    return scan(p, st, s, an, max_prefix, dir, data, len, flags);
}
