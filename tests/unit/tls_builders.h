/* SPDX-License-Identifier: BSD-2-Clause */
/* tls_builders: byte builders for TLS records and handshake messages (RFC 5246 §6.2, RFC 8446
 * §4), an event recorder, and a driver that plays tcp_stream (keeps unconsumed bytes, re-delivers
 * them, waits for `needed`) — shared by test_tls_record and test_tls_handshake. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include "base/limits.h"
#include "dissectors/tls.h"

#define MAX_EVS     64
#define ANOM(d, id) ((d)->an.count[CP_ANOMALY_##id])

typedef struct Ev {
    CpTlsEventType type;
    CpDir dir;
    char sni[256];
    bool has_sni;
    uint16_t legacy, version, cipher;
    uint16_t offered[CP_TLS_MAX_VERSIONS];
    size_t offered_count;
    bool sslv2;
    size_t cert_count, dropped;
    bool damaged;
    size_t cert_len[8];
    bool cert_ok[8]; /* every byte is 0xA0 + index (the builder's pattern) */
    uint8_t level, desc;
    int lost;
} Ev;

typedef struct Rec {
    Ev ev[MAX_EVS];
    size_t n;
} Rec;

typedef struct Drv {
    CpLimits limits;
    CpAnomalies an;
    Rec rec;
    CpTlsSession *s;
    GByteArray *held[2];
    size_t needed[2];
    CpFeedStatus st[2];
    size_t calls;
} Drv;

void put8(GByteArray *b, uint8_t v);
void put16(GByteArray *b, uint16_t v);
void put24(GByteArray *b, uint32_t v);
void putn(GByteArray *b, uint8_t v, size_t n);
size_t vec_begin(GByteArray *b, size_t width);
void vec_end(GByteArray *b, size_t at, size_t width);
void msg_client_hello(GByteArray *b, const char *sni, const uint16_t *vers, size_t nvers);
void msg_server_hello(GByteArray *b, uint16_t cipher, uint16_t selected);
void msg_certificate(GByteArray *b, const size_t *len, size_t n);
G_GNUC_UNUSED void msg_raw(GByteArray *b, uint8_t type, const GByteArray *body);
void msg_empty(GByteArray *b, uint8_t type);
void records(GByteArray *out, uint8_t type, const GByteArray *payload, size_t frag);
void record_raw(GByteArray *out, uint8_t type, const uint8_t *p, size_t n);
void on_event(void *user, const CpTlsEvent *e);
size_t count_type(const Rec *r, CpTlsEventType t);
const Ev *find_type(const Rec *r, CpTlsEventType t);
Drv *drv_new(void);
void drv_free(Drv *d);
CpFeedStatus drv_feed(Drv *d, CpDir dir, const uint8_t *p, size_t n, unsigned flags);
CpFeedStatus drv_feed_bytewise(Drv *d, CpDir dir, const GByteArray *b);
CpFeedStatus drv_feed_all(Drv *d, CpDir dir, const GByteArray *b, unsigned flags);
