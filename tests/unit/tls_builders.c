/* SPDX-License-Identifier: BSD-2-Clause */
/* tls_builders: see tls_builders.h. */
#include "tls_builders.h"

#include <string.h>
#include <CUnit/CUnit.h>

/* ---- byte builders (RFC 5246 §6.2, RFC 8446 §4) ---- */

void
put8(GByteArray *b, uint8_t v)
{
    g_byte_array_append(b, &v, 1);
}

void
put16(GByteArray *b, uint16_t v)
{
    put8(b, (uint8_t)(v >> 8));
    put8(b, (uint8_t)v);
}

void
put24(GByteArray *b, uint32_t v)
{
    put8(b, (uint8_t)(v >> 16));
    put16(b, (uint16_t)v);
}

void
putn(GByteArray *b, uint8_t v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put8(b, v);
}

/* Opens a length-prefixed vector of width bytes; vec_end patches the length. */
size_t
vec_begin(GByteArray *b, size_t width)
{
    size_t at = b->len;
    putn(b, 0, width);
    return at;
}

void
vec_end(GByteArray *b, size_t at, size_t width)
{
    size_t n = b->len - at - width;
    for (size_t i = 0; i < width; i++)
        b->data[at + i] = (uint8_t)(n >> (8 * (width - 1 - i)));
}

/* ClientHello message (header included) with SNI and supported_versions. */
void
msg_client_hello(GByteArray *b, const char *sni, const uint16_t *vers, size_t nvers)
{
    put8(b, 1);
    size_t m = vec_begin(b, 3);
    put16(b, 0x0303);
    putn(b, 0x11, 32);
    put8(b, 0);
    put16(b, 4);
    put16(b, 0x1301);
    put16(b, 0xc02f);
    put8(b, 1);
    put8(b, 0);
    size_t e = vec_begin(b, 2);
    if (sni != NULL) {
        put16(b, 0);
        size_t x = vec_begin(b, 2), l = vec_begin(b, 2);
        put8(b, 0);
        size_t h = vec_begin(b, 2);
        g_byte_array_append(b, (const guint8 *)sni, (guint)strlen(sni));
        vec_end(b, h, 2);
        vec_end(b, l, 2);
        vec_end(b, x, 2);
    }
    if (nvers > 0) {
        put16(b, 43);
        size_t x = vec_begin(b, 2), l = vec_begin(b, 1);
        for (size_t i = 0; i < nvers; i++)
            put16(b, vers[i]);
        vec_end(b, l, 1);
        vec_end(b, x, 2);
    }
    vec_end(b, e, 2);
    vec_end(b, m, 3);
}

void
msg_server_hello(GByteArray *b, uint16_t cipher, uint16_t selected)
{
    put8(b, 2);
    size_t m = vec_begin(b, 3);
    put16(b, 0x0303);
    putn(b, 0x22, 32);
    put8(b, 0);
    put16(b, cipher);
    put8(b, 0);
    if (selected != 0) {
        size_t e = vec_begin(b, 2);
        put16(b, 43);
        put16(b, 2);
        put16(b, selected);
        vec_end(b, e, 2);
    }
    vec_end(b, m, 3);
}

/* Certificate of n dummy "DER" blobs: blob i is len[i] bytes of value 0xA0 + i. */
void
msg_certificate(GByteArray *b, const size_t *len, size_t n)
{
    put8(b, 11);
    size_t m = vec_begin(b, 3), l = vec_begin(b, 3);
    for (size_t i = 0; i < n; i++) {
        put24(b, (uint32_t)len[i]);
        putn(b, (uint8_t)(0xA0 + i), len[i]);
    }
    vec_end(b, l, 3);
    vec_end(b, m, 3);
}

/* A message with a caller-built body. */
G_GNUC_UNUSED void
msg_raw(GByteArray *b, uint8_t type, const GByteArray *body)
{
    put8(b, type);
    put24(b, body->len);
    g_byte_array_append(b, body->data, body->len);
}

void
msg_empty(GByteArray *b, uint8_t type)
{
    put8(b, type);
    put24(b, 0);
}

/* Wraps payload into records of at most frag bytes each. */
void
records(GByteArray *out, uint8_t type, const GByteArray *payload, size_t frag)
{
    size_t off = 0;
    do {
        size_t n = MIN(frag, payload->len - off);
        put8(out, type);
        put16(out, 0x0303);
        put16(out, (uint16_t)n);
        g_byte_array_append(out, payload->data + off, (guint)n);
        off += n;
    } while (off < payload->len);
}

void
record_raw(GByteArray *out, uint8_t type, const uint8_t *p, size_t n)
{
    put8(out, type);
    put16(out, 0x0303);
    put16(out, (uint16_t)n);
    g_byte_array_append(out, p, (guint)n);
}

/* ---- event recorder ---- */

void
on_event(void *user, const CpTlsEvent *e)
{
    Rec *r = user;
    if (r->n >= MAX_EVS)
        return;
    Ev *v = &r->ev[r->n++];
    memset(v, 0, sizeof(*v));
    v->type = e->type;
    v->dir = e->dir;
    v->has_sni = e->sni != NULL;
    if (e->sni != NULL)
        memcpy(v->sni, e->sni, MIN(e->sni_len, sizeof(v->sni) - 1));
    v->legacy = e->legacy_version;
    v->version = e->version;
    v->cipher = e->cipher;
    v->offered_count = MIN(e->offered_count, (size_t)CP_TLS_MAX_VERSIONS);
    memcpy(v->offered, e->offered, v->offered_count * sizeof(v->offered[0]));
    v->sslv2 = e->sslv2_hello;
    v->cert_count = e->cert_count;
    v->dropped = e->certs_dropped;
    v->damaged = e->certs_damaged;
    for (size_t i = 0; i < e->cert_count && i < 8; i++) {
        v->cert_len[i] = e->cert_len[i];
        v->cert_ok[i] = true;
        for (size_t k = 0; k < e->cert_len[i]; k++)
            if (e->cert_der[i][k] != (uint8_t)(0xA0 + i))
                v->cert_ok[i] = false;
    }
    v->level = e->alert_level;
    v->desc = e->alert_desc;
    v->lost = e->lost_msg_type;
}

size_t
count_type(const Rec *r, CpTlsEventType t)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++)
        n += r->ev[i].type == t;
    return n;
}

const Ev *
find_type(const Rec *r, CpTlsEventType t)
{
    for (size_t i = 0; i < r->n; i++)
        if (r->ev[i].type == t)
            return &r->ev[i];
    return NULL;
}

/* ---- stream driver ---- */

Drv *
drv_new(void)
{
    Drv *d = g_new0(Drv, 1);
    cp_limits_init_default(&d->limits);
    d->s = cp_tls_session_new(&d->limits, &d->an, on_event, &d->rec);
    d->held[0] = g_byte_array_new();
    d->held[1] = g_byte_array_new();
    return d;
}

void
drv_free(Drv *d)
{
    cp_tls_session_free(d->s);
    g_byte_array_unref(d->held[0]);
    g_byte_array_unref(d->held[1]);
    g_free(d);
}

/* Delivers bytes like tcp_stream: appended to what is held, handed over once needed is met. */
CpFeedStatus
drv_feed(Drv *d, CpDir dir, const uint8_t *p, size_t n, unsigned flags)
{
    GByteArray *h = d->held[dir];
    if (d->st[dir] != CP_FEED_MORE)
        return d->st[dir];
    if (flags & CP_STREAM_GAP)
        g_byte_array_set_size(h, 0); /* bytes before a gap cannot be completed any more */
    if (n > 0)
        g_byte_array_append(h, p, (guint)n);
    if (flags == 0 && h->len < MAX(d->needed[dir], 1))
        return CP_FEED_MORE;
    CpFeedResult r = cp_tls_session_feed(d->s, dir, h->data, h->len, flags);
    d->calls++;
    CU_ASSERT(r.consumed <= h->len);
    g_byte_array_remove_range(h, 0, (guint)MIN(r.consumed, h->len));
    d->needed[dir] = r.needed;
    d->st[dir] = r.status;
    return r.status;
}

CpFeedStatus
drv_feed_bytewise(Drv *d, CpDir dir, const GByteArray *b)
{
    CpFeedStatus st = CP_FEED_MORE;
    for (size_t i = 0; i < b->len; i++)
        st = drv_feed(d, dir, b->data + i, 1, 0);
    return st;
}

CpFeedStatus
drv_feed_all(Drv *d, CpDir dir, const GByteArray *b, unsigned flags)
{
    return drv_feed(d, dir, b->data, b->len, flags);
}
