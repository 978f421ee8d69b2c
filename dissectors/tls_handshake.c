/* SPDX-License-Identifier: BSD-2-Clause */
/* tls_handshake: the contents of complete handshake messages and alerts, turned into CpTlsEvents
 * (RFC 5246 §7.2, §7.4; RFC 8446 §4.1.2-4.1.4, §4.2.1, §4.4.2, §6; RFC 6066 §3; SSL 2.0 draft
 * §2.6 for the SSLv2 hellos; RFC 8701 GREASE).
 *
 * Every message arrives whole (tls_record.c reassembles), so a read that fails here means an inner
 * length lies: tls.handshake_malformed, the message is skipped, the direction goes on. For the
 * hellos the fixed part must parse; a lying extension is counted and the hello still reported
 * with what was read before it (the SNI matters more than a broken padding extension).
 */
#include "base/reader.h"
#include "dissectors/tls_private.h"

#include <string.h>

enum {
    EXT_SERVER_NAME = 0,         /* RFC 6066 §3 */
    EXT_ENCRYPT_THEN_MAC = 22,   /* RFC 7366 */
    EXT_SUPPORTED_VERSIONS = 43, /* RFC 8446 §4.2.1 */
    SNI_HOST_NAME = 0,
    RANDOM_LEN = 32,
    ALERT_FATAL = 2,
    CERT_SLOTS = 32, /* chains up to this long need no heap */
    SSLV2_SERVER_HELLO = 4,
    SSLV2_CT_X509 = 1, /* SSL 2.0: SSL_CT_X509_CERTIFICATE */
};

/* RFC 8446 §4.1.3: SHA-256("HelloRetryRequest") marks a HelloRetryRequest. */
static const uint8_t hrr_random[RANDOM_LEN] = {
    0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
    0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
};

void
cp_tls_event_init(CpTlsEvent *ev, CpTlsEventType type, CpDir dir)
{
    memset(ev, 0, sizeof(*ev));
    ev->type = type;
    ev->dir = dir;
    ev->lost_msg_type = -1;
}

void
cp_tls_emit(CpTlsSession *s, const CpTlsEvent *ev)
{
    if (s->cb != NULL)
        s->cb(s->user, ev);
}

bool
cp_tls_version_is_13(uint16_t v)
{
    return v == 0x0304 || (v >> 8) == 0x7f;
}

static void
malformed(CpTlsSession *s)
{
    cp_anomaly_add(s->anomalies, CP_ANOMALY_TLS_HANDSHAKE_MALFORMED);
}

/* RFC 8701: GREASE values are 0x?A?A with both bytes equal. */
static bool
is_grease(uint16_t v)
{
    return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

typedef bool (*ExtFn)(void *ctx, uint16_t type, CpReader *ext);

/* Walks an optional extensions block to the end of msg. Bounded: each step eats >= 4 bytes. */
static void
walk_extensions(CpTlsSession *s, CpReader *msg, ExtFn fn, void *ctx)
{
    CpReader exts;

    if (cp_reader_declared_left(msg) == 0)
        return; /* hellos before RFC 3546 end without an extensions block */
    if (!cp_reader_vec16(msg, &exts)) {
        malformed(s);
        return;
    }
    while (cp_reader_remaining(&exts) > 0) {
        uint16_t type;
        CpReader ext;
        if (!cp_reader_be16(&exts, &type) || !cp_reader_vec16(&exts, &ext)) {
            malformed(s);
            return;
        }
        if (!fn(ctx, type, &ext))
            malformed(s);
    }
    if (!cp_reader_expect_end(msg))
        malformed(s);
}

/* RFC 6066 §3: ServerNameList of {name_type, HostName<1..2^16-1>}; the first host_name wins. */
static bool
ext_server_name(CpTlsEvent *ev, CpReader *ext)
{
    CpReader list;
    const uint8_t *sni = NULL;
    size_t sni_len = 0;

    if (!cp_reader_vec16(ext, &list) || !cp_reader_expect_end(ext))
        return false;
    while (cp_reader_remaining(&list) > 0) {
        uint8_t type;
        CpReader name;
        if (!cp_reader_u8(&list, &type) || !cp_reader_vec16(&list, &name))
            return false;
        size_t n = cp_reader_remaining(&name);
        if (type != SNI_HOST_NAME || sni != NULL)
            continue;
        if (n == 0 || !cp_reader_bytes(&name, n, &sni))
            return false;
        sni_len = n;
    }
    if (ev->sni == NULL) {
        ev->sni = sni;
        ev->sni_len = sni_len;
    }
    return true;
}

/* RFC 8446 §4.2.1: ClientHello form, ProtocolVersion versions<2..254>. */
static bool
ext_versions_offered(CpTlsEvent *ev, CpReader *ext)
{
    CpReader list;
    uint16_t v[CP_TLS_MAX_VERSIONS];
    size_t n = 0;

    if (!cp_reader_vec8(ext, &list) || !cp_reader_expect_end(ext))
        return false;
    while (cp_reader_remaining(&list) > 0) { /* at most 127 steps: the list is < 256 bytes */
        uint16_t one;
        if (!cp_reader_be16(&list, &one))
            return false;
        if (!is_grease(one) && n < CP_TLS_MAX_VERSIONS)
            v[n++] = one;
    }
    if (ev->offered_count == 0) { /* a repeated extension is ignored */
        memcpy(ev->offered, v, n * sizeof(v[0]));
        ev->offered_count = n;
    }
    return true;
}

static bool
client_ext(void *ctx, uint16_t type, CpReader *ext)
{
    switch (type) {
    case EXT_SERVER_NAME:
        return ext_server_name(ctx, ext);
    case EXT_SUPPORTED_VERSIONS:
        return ext_versions_offered(ctx, ext);
    default:
        return true;
    }
}

static void
note_client_hello(CpTlsSession *s, CpDir dir)
{
    CpTlsDir *d = &s->dir[dir];

    if (d->sent_client_hello && s->hrr_seen)
        d->sent_second_client_hello = true;
    d->sent_client_hello = true;
}

/* RFC 8446 §4.1.2 / RFC 5246 §7.4.1.2. */
static CpFeedStatus
client_hello(CpTlsSession *s, CpDir dir, CpReader *msg)
{
    CpTlsEvent ev;
    CpReader sid, suites, comp;

    cp_tls_event_init(&ev, CP_TLS_EV_CLIENT_HELLO, dir);
    if (!cp_reader_be16(msg, &ev.legacy_version) ||
        !cp_reader_copy(msg, s->client_random, RANDOM_LEN) || !cp_reader_vec8(msg, &sid) ||
        !cp_reader_vec16(msg, &suites) || !cp_reader_vec8(msg, &comp)) {
        malformed(s);
        return CP_FEED_MORE;
    }
    s->have_client_random = true;
    size_t n_suites = cp_reader_remaining(&suites);
    if (n_suites % 2 == 0 && cp_reader_bytes(&suites, n_suites, &ev.suites))
        ev.suites_len = n_suites;
    walk_extensions(s, msg, client_ext, &ev);
    note_client_hello(s, dir);
    cp_tls_emit(s, &ev);
    return CP_FEED_MORE;
}

typedef struct ServerExts {
    uint16_t selected;
    bool encrypt_then_mac;
} ServerExts;

/* RFC 8446 §4.2.1: ServerHello form, a single selected_version; RFC 7366 encrypt_then_mac
 * (empty), which changes how CBC records are protected (tls_cipher.c). */
static bool
server_ext(void *ctx, uint16_t type, CpReader *ext)
{
    ServerExts *x = ctx;
    uint16_t v;

    if (type == EXT_ENCRYPT_THEN_MAC) {
        x->encrypt_then_mac = true;
        return cp_reader_expect_end(ext);
    }
    if (type != EXT_SUPPORTED_VERSIONS)
        return true;
    if (!cp_reader_be16(ext, &v) || !cp_reader_expect_end(ext))
        return false;
    x->selected = v;
    return true;
}

/* RFC 8446 §4.1.3 / RFC 5246 §7.4.1.3. A HelloRetryRequest shares the layout; it is not the
 * final ServerHello, so it is not reported and does not start TLS 1.3 encryption. */
static CpFeedStatus
server_hello(CpTlsSession *s, CpDir dir, CpReader *msg)
{
    CpTlsEvent ev;
    CpReader sid;
    uint8_t random[RANDOM_LEN], comp;
    ServerExts x = { 0 };

    cp_tls_event_init(&ev, CP_TLS_EV_SERVER_HELLO, dir);
    if (!cp_reader_be16(msg, &ev.legacy_version) || !cp_reader_copy(msg, random, RANDOM_LEN) ||
        !cp_reader_vec8(msg, &sid) || !cp_reader_be16(msg, &ev.cipher) ||
        !cp_reader_u8(msg, &comp)) {
        malformed(s);
        return CP_FEED_MORE;
    }
    walk_extensions(s, msg, server_ext, &x);
    if (memcmp(random, hrr_random, RANDOM_LEN) == 0) {
        s->hrr_seen = true;
        return CP_FEED_MORE;
    }
    ev.version = x.selected != 0 ? x.selected : ev.legacy_version;
    s->encrypt_then_mac = x.encrypt_then_mac;
    s->version = ev.version;
    s->dir[dir].sent_server_hello = true;
    memcpy(s->server_random, random, RANDOM_LEN);
    s->have_server_random = true;
    s->cipher_suite = ev.cipher;
    cp_tls_emit(s, &ev);
    if (!cp_tls_version_is_13(ev.version))
        return CP_FEED_MORE;
    if (s->keylog != NULL && cp_tls_keys13(s, dir))
        return CP_FEED_MORE; /* the key log opens what follows (tls_decrypt.c) */
    /* RFC 8446 §2: everything after the ServerHello is encrypted, certificates included */
    cp_tls_event_init(&ev, CP_TLS_EV_ENCRYPTED, dir);
    cp_tls_emit(s, &ev);
    return CP_FEED_DONE;
}

typedef struct CertList {
    const uint8_t **der;
    size_t *len;
    size_t count;
    size_t max;   /* slots usable: min(limit, what der/len hold) */
    size_t limit; /* max_chain_certs */
    size_t dropped;
    bool chain_flagged;
    bool damaged; /* the walk stopped at an entry whose length lies */
} CertList;

/* One CERTIFICATE event for a walked list (TLS Certificate message or SSLv2 SERVER-HELLO). */
static void
emit_certificates(CpTlsSession *s, CpDir dir, const CertList *cl)
{
    CpTlsEvent ev;

    cp_tls_event_init(&ev, CP_TLS_EV_CERTIFICATE, dir);
    ev.cert_count = cl->count;
    ev.cert_der = cl->der;
    ev.cert_len = cl->len;
    ev.certs_dropped = cl->dropped;
    ev.certs_damaged = cl->damaged;
    cp_tls_emit(s, &ev);
}

/* One certificate entry's DER: kept, or dropped and counted. */
static bool
cert_take(CpTlsSession *s, CertList *cl, CpReader *cert)
{
    size_t n = cp_reader_remaining(cert);

    if (n == 0)
        return false;                  /* ASN.1Cert<1..2^24-1> */
    if (n > s->limits->max_cert_len) { /* tls.cert_too_large */
        cp_anomaly_add(s->anomalies, CP_ANOMALY_TLS_CERT_TOO_LARGE);
        cl->dropped++;
        return true;
    }
    if (cl->count >= cl->max) { /* tls.chain_too_long: counted once per message */
        if (!cl->chain_flagged)
            cp_anomaly_add(s->anomalies, CP_ANOMALY_TLS_CHAIN_TOO_LONG);
        cl->chain_flagged = true;
        cl->dropped++;
        return true;
    }
    if (!cp_reader_bytes(cert, n, &cl->der[cl->count]))
        return false;
    cl->len[cl->count++] = n;
    return true;
}

/* Walks certificate_list; TLS 1.3 entries carry extensions after the DER (RFC 8446 §4.4.2).
 * An entry whose length overruns the list ends the walk: the entries before it were framed by
 * lengths that held, so they are kept (as Wireshark shows them) and the list is marked damaged;
 * nothing after the lying length can be framed. */
static bool
cert_walk(CpTlsSession *s, CertList *cl, CpReader *list, bool tls13)
{
    while (cp_reader_remaining(list) > 0) { /* each entry is >= 3 bytes */
        CpReader cert, exts;
        if (!cp_reader_vec24(list, &cert) || (tls13 && !cp_reader_vec16(list, &exts)) ||
            !cert_take(s, cl, &cert)) {
            cl->damaged = true;
            return cl->count > 0;
        }
    }
    return true;
}

static CpFeedStatus
certificate(CpTlsSession *s, CpDir dir, CpReader *msg)
{
    /* DTLS 1.3 (0xfefc, RFC 9147 §5) has TLS 1.3's layout: a key log opened it (dtls13.c) */
    bool tls13 = cp_tls_version_is_13(s->version) || s->version == 0xfefc;
    CpReader ctx, list;
    const uint8_t *stack_der[CERT_SLOTS];
    size_t stack_len[CERT_SLOTS];
    g_autofree const uint8_t **heap_der = NULL;
    g_autofree size_t *heap_len = NULL;
    CertList cl = { .der = stack_der, .len = stack_len };

    if ((tls13 && !cp_reader_vec8(msg, &ctx)) || !cp_reader_vec24(msg, &list) ||
        !cp_reader_expect_end(msg)) {
        malformed(s);
        return CP_FEED_MORE;
    }
    cl.limit =
            s->limits->max_chain_certs > SIZE_MAX ? SIZE_MAX : (size_t)s->limits->max_chain_certs;
    /* The list cannot hold more than one entry per 3 bytes: size the slots by that, not the
     * configured limit, so a huge limit never turns into a huge allocation. */
    size_t fit = cp_reader_remaining(&list) / 3;
    cl.max = cl.limit < fit ? cl.limit : fit;
    if (cl.max > CERT_SLOTS) {
        heap_der = g_new(const uint8_t *, cl.max);
        heap_len = g_new(size_t, cl.max);
        cl.der = heap_der;
        cl.len = heap_len;
    }
    bool kept = cert_walk(s, &cl, &list, tls13);
    if (cl.damaged)
        malformed(s); /* tls.handshake_malformed: counted whether or not entries were kept */
    if (kept) {
        s->dir[dir].sent_certificate = true;
        emit_certificates(s, dir, &cl);
    }
    return CP_FEED_MORE;
}

CpFeedStatus
cp_tls_handshake_parse(CpTlsSession *s, CpDir dir, uint8_t type, const uint8_t *body, size_t len)
{
    CpReader msg;

    cp_reader_init(&msg, body, len, len);
    switch (type) {
    case CP_TLS_HS_CLIENT_HELLO:
        return client_hello(s, dir, &msg);
    case CP_TLS_HS_SERVER_HELLO:
        return server_hello(s, dir, &msg);
    case CP_TLS_HS_CERTIFICATE:
        return certificate(s, dir, &msg);
    case CP_TLS_HS_FINISHED:
        return cp_tls_decrypt_finished(s, dir);
    case CP_TLS_HS_CERTIFICATE_REQUEST: {
        /* Only that it was asked matters (mutual TLS): the body is not needed. */
        CpTlsEvent ev;
        cp_tls_event_init(&ev, CP_TLS_EV_CERT_REQUEST, dir);
        cp_tls_emit(s, &ev);
        return CP_FEED_MORE;
    }
    default:
        return CP_FEED_MORE; /* ServerHelloDone, key exchange...: parsing goes on until CCS */
    }
}

CpFeedStatus
cp_tls_alert_parse(CpTlsSession *s, CpDir dir, const uint8_t *p, size_t len)
{
    CpReader r;
    CpTlsEvent ev;

    cp_reader_init(&r, p, len, len);
    /* Bounded by the record. A lone trailing byte would be a fragmented alert: never seen in
     * practice and not worth a buffer, so it is ignored. */
    while (cp_reader_remaining(&r) >= 2) {
        cp_tls_event_init(&ev, CP_TLS_EV_ALERT, dir);
        if (!cp_reader_u8(&r, &ev.alert_level) || !cp_reader_u8(&r, &ev.alert_desc))
            break;
        cp_tls_emit(s, &ev);
        if (ev.alert_level == ALERT_FATAL) /* RFC 5246 §7.2.2: the connection is over */
            return CP_FEED_DONE;
    }
    return CP_FEED_MORE;
}

bool
cp_tls_ccs_ends_plaintext(const CpTlsSession *s, CpDir dir)
{
    const CpTlsDir *d = &s->dir[dir];

    if (!s->hrr_seen)
        return true;
    /* RFC 8446 D.4: around a HelloRetryRequest the server's dummy CCS follows the HRR and the
     * client's may precede its second ClientHello; the hellos after them are plaintext. */
    if (d->sent_client_hello)
        return d->sent_second_client_hello;
    return d->sent_server_hello;
}

void
cp_tls_emit_ccs(CpTlsSession *s, CpDir dir)
{
    CpTlsEvent ev;

    cp_tls_event_init(&ev, CP_TLS_EV_CHANGE_CIPHER_SPEC, dir);
    cp_tls_emit(s, &ev);
}

/* SSL 2.0 CLIENT-HELLO, as sent by clients that also speak SSL 3.0/TLS (RFC 5246 E.2). */
static CpFeedStatus
sslv2_client_hello(CpTlsSession *s, CpDir dir, CpReader *r)
{
    CpTlsEvent ev;
    uint16_t spec_len, sid_len, chal_len;

    cp_tls_event_init(&ev, CP_TLS_EV_CLIENT_HELLO, dir);
    ev.sslv2_hello = true;
    if (!cp_reader_be16(r, &ev.legacy_version) || !cp_reader_be16(r, &spec_len) ||
        !cp_reader_be16(r, &sid_len) || !cp_reader_be16(r, &chal_len) ||
        !cp_reader_skip(r, spec_len) || !cp_reader_skip(r, sid_len) ||
        !cp_reader_skip(r, chal_len)) {
        malformed(s);
        return CP_FEED_MORE;
    }
    note_client_hello(s, dir);
    cp_tls_emit(s, &ev);
    return CP_FEED_MORE;
}

/* SSL 2.0 SERVER-HELLO: the server picked SSLv2, so no TLS Certificate message will come; its
 * one certificate sits in this message. */
static CpFeedStatus
sslv2_server_hello(CpTlsSession *s, CpDir dir, CpReader *r)
{
    uint8_t hit, cert_type;
    uint16_t version, cert_len, specs_len, cid_len;
    CpReader cert;
    CpTlsEvent ev;

    cp_anomaly_add(s->anomalies, CP_ANOMALY_TLS_SSLV2); /* tls.sslv2_server */
    s->sslv2_server = true;
    if (!cp_reader_u8(r, &hit) || !cp_reader_u8(r, &cert_type) || !cp_reader_be16(r, &version) ||
        !cp_reader_be16(r, &cert_len) || !cp_reader_be16(r, &specs_len) ||
        !cp_reader_be16(r, &cid_len) || !cp_reader_sub(r, cert_len, &cert)) {
        malformed(s);
        return CP_FEED_ERROR;
    }
    cp_tls_event_init(&ev, CP_TLS_EV_SERVER_HELLO, dir);
    ev.legacy_version = version;
    ev.version = 0x0002;
    cp_tls_emit(s, &ev);
    if (cert_type != SSLV2_CT_X509 || cert_len == 0)
        return CP_FEED_ERROR;

    const uint8_t *der_one[1];
    size_t len_one[1];
    CertList cl = { .der = der_one, .len = len_one, .max = 1, .limit = 1 };
    if (s->limits->max_chain_certs == 0)
        cl.max = 0;
    if (!cert_take(s, &cl, &cert))
        return CP_FEED_ERROR;
    emit_certificates(s, dir, &cl);
    return CP_FEED_ERROR;
}

CpFeedStatus
cp_tls_sslv2_parse(CpTlsSession *s, CpDir dir, const uint8_t *p, size_t len)
{
    CpReader r;
    uint8_t type;

    cp_reader_init(&r, p, len, len);
    if (cp_reader_u8(&r, &type) && type == CP_TLS_HS_CLIENT_HELLO)
        return sslv2_client_hello(s, dir, &r);
    if (type == SSLV2_SERVER_HELLO)
        return sslv2_server_hello(s, dir, &r);
    cp_anomaly_add(s->anomalies, CP_ANOMALY_TLS_NOT_TLS); /* tls.not_tls */
    return CP_FEED_ERROR;
}

CpFeedStatus
cp_tls_session_handshake(CpTlsSession *s, CpDir dir, uint8_t type, const uint8_t *body, size_t len)
{
    return cp_tls_handshake_parse(s, dir, type, body, len);
}

CpFeedStatus
cp_tls_session_alert(CpTlsSession *s, CpDir dir, const uint8_t *p, size_t len)
{
    return cp_tls_alert_parse(s, dir, p, len);
}
