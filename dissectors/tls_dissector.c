/* SPDX-License-Identifier: BSD-2-Clause */
/* tls_dissector: the table entries that carry TCP connections to the TLS session (dissector.h).
 *
 * tls      — the connection's first bytes are TLS (RFC 5246 §6.2, RFC 8446 §5.1) or SSLv2.
 * starttls — anything else: TLS may start after a plaintext exchange (SMTP/IMAP/POP3/FTP/XMPP/
 *            LDAP STARTTLS, MySQL and PostgreSQL SSL requests, HTTP CONNECT). The entry takes
 *            every connection the others refused; its bounded scan (tls_prefix.c) gives up with
 *            tls.not_tls when no hello comes within --max-starttls-prefix bytes.
 * Both hold one TLS session per connection and a prefix state per direction, so a direction
 * that starts mid-record (a capture begun mid-connection) still resynchronises on a hello.
 */
#include "dissectors/dissector.h"

#include <glib.h>

#include "dissectors/tls_prefix.h"

#define TLS_RECORD_HEADER_LEN 5

typedef struct TlsConn {
    CpTlsSession *session;
    CpTlsPrefix prefix[2];
    CpStarttls starttls; /* upgrade positions, for the starttls entry only */
    bool positional;
    CpAnomalies *anomalies;
    uint64_t max_prefix;
} TlsConn;

static CpProbe
tls_probe(CpDir dir, const uint8_t *data, size_t len, unsigned flags, size_t *needed)
{
    (void)dir;
    if (len < TLS_RECORD_HEADER_LEN && !(flags & CP_STREAM_FIN)) {
        *needed = TLS_RECORD_HEADER_LEN;
        return CP_PROBE_NEED_MORE;
    }
    return cp_tls_prefix_starts_tls(data, len) ? CP_PROBE_YES : CP_PROBE_NO;
}

static CpProbe
starttls_probe(CpDir dir, const uint8_t *data, size_t len, unsigned flags, size_t *needed)
{
    (void)dir, (void)data, (void)len, (void)flags, (void)needed;
    return CP_PROBE_YES;
}

static void *
tls_new(const CpDissectCtx *ctx)
{
    TlsConn *t = g_new0(TlsConn, 1);

    t->session = cp_tls_session_new(ctx->limits, ctx->anomalies, ctx->emit, ctx->user);
    cp_tls_session_set_memcap(t->session, ctx->memcap);
    cp_tls_session_set_keylog(t->session, ctx->keylog);
    t->anomalies = ctx->anomalies;
    t->max_prefix = ctx->limits->max_starttls_prefix;
    return t;
}

static CpFeedResult
tls_feed(void *state, CpDir dir, const uint8_t *data, size_t len, unsigned flags)
{
    TlsConn *t = state;

    return cp_tls_prefix_feed(&t->prefix[dir], t->positional ? &t->starttls : NULL, t->session,
                              t->anomalies, t->max_prefix, dir, data, len, flags);
}

/* A connection that did not start with TLS: TLS only where an upgrade exchange puts it. */
static void *
starttls_new(const CpDissectCtx *ctx)
{
    TlsConn *t = tls_new(ctx);

    t->positional = true;
    return t;
}

static void
tls_free(void *state)
{
    TlsConn *t = state;

    cp_tls_session_free(t->session);
    g_free(t);
}

const CpDissector cp_dissector_tls = {
    .name = "tls",
    .transport = CP_TRANSPORT_TCP,
    .probe = tls_probe,
    .new = tls_new,
    .feed = tls_feed,
    .free = tls_free,
};

const CpDissector cp_dissector_starttls = {
    .name = "starttls",
    .transport = CP_TRANSPORT_TCP,
    .probe = starttls_probe,
    .new = starttls_new,
    .feed = tls_feed,
    .free = tls_free,
};
