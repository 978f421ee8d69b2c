/* SPDX-License-Identifier: BSD-2-Clause */
/* tls: per-connection TLS handshake dissector (RFC 5246, RFC 8446). Fed reassembled bytes per
 * direction through the stream_sink contract; reports what it sees as CpTlsEvents. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/anomaly.h"
#include "base/bytebuf.h"
#include "base/limits.h"
#include "dissectors/tls_keylog.h"
#include "reasm/stream_sink.h"

typedef enum CpTlsEventType {
    CP_TLS_EV_CLIENT_HELLO,       /* sni, offered versions */
    CP_TLS_EV_SERVER_HELLO,       /* version (negotiated, supported_versions honoured), cipher */
    CP_TLS_EV_CERTIFICATE,        /* certs: the Certificate message as sent (either sender) */
    CP_TLS_EV_ALERT,              /* plaintext alert: level, description */
    CP_TLS_EV_ENCRYPTED,          /* TLS 1.3: server certificates follow encrypted */
    CP_TLS_EV_TRUNCATED,          /* a handshake message was lost to a gap/snaplen; type if known */
    CP_TLS_EV_CERT_REQUEST,       /* the server asked for the client's certificate (mutual TLS) */
    CP_TLS_EV_CHANGE_CIPHER_SPEC, /* the sender went on to its encrypted Finished */
} CpTlsEventType;

#define CP_TLS_MAX_VERSIONS 16

/* Lifetime: the callback. Every pointer is a view into the stream buffer. */
typedef struct CpTlsEvent {
    CpTlsEventType type;
    CpDir dir; /* direction the message came from */
    /* CLIENT_HELLO */
    const uint8_t *sni; /* host_name from server_name (RFC 6066 §3), raw bytes, not NUL-ended */
    size_t sni_len;
    uint16_t legacy_version;               /* ClientHello/ServerHello legacy_version */
    uint16_t offered[CP_TLS_MAX_VERSIONS]; /* supported_versions (ClientHello), GREASE removed */
    size_t offered_count;
    bool sslv2_hello;      /* the ClientHello came in SSLv2-compatible framing */
    const uint8_t *suites; /* cipher_suites as sent, 2 bytes each (SSLv2 framing: NULL) */
    size_t suites_len;
    /* SERVER_HELLO */
    uint16_t version; /* negotiated: supported_versions if present, else legacy_version */
    uint16_t cipher;
    /* CERTIFICATE: up to limits->max_chain_certs entries, in wire order (leaf first) */
    size_t cert_count;
    const uint8_t *const *cert_der;
    const size_t *cert_len;
    size_t certs_dropped; /* beyond the chain limit, or above the size limit */
    bool certs_damaged;   /* an entry's length overran the list: the entries before it only */
    /* ALERT */
    uint8_t alert_level; /* 1 warning, 2 fatal */
    uint8_t alert_desc;
    /* TRUNCATED */
    int lost_msg_type; /* handshake type that was lost, -1 if unknown */
} CpTlsEvent;

typedef void (*CpTlsEventFn)(void *user, const CpTlsEvent *ev);

typedef struct CpTlsSession CpTlsSession;

/* True when the first bytes of a direction look like TLS (record header 0x14-0x18, 0x03 0x00-0x04,
 * or an SSLv2-compatible ClientHello). len may be short: returns false if undecidable. */
bool cp_tls_probe(const uint8_t *data, size_t len);

/* (transfer full) limits/anomalies/user are borrowed and must outlive the session. */
CpTlsSession *cp_tls_session_new(const CpLimits *limits, CpAnomalies *anomalies, CpTlsEventFn cb,
                                 void *user);
void cp_tls_session_free(CpTlsSession *s);
/* Accounts pending handshake messages in a shared budget (the run's reassembly memcap), set
 * before the first feed. */
void cp_tls_session_set_memcap(CpTlsSession *s, CpMemcap *memcap);
/* The CpStreamFeedFn for a session (consumer = the session). */
CpFeedResult cp_tls_session_feed(void *session, CpDir dir, const uint8_t *data, size_t len,
                                 unsigned flags);
/* Secrets to decrypt the handshake with (borrowed, must outlive the session; NULL: none),
 * set before the first feed (tls_decrypt.c). */
void cp_tls_session_set_keylog(CpTlsSession *s, const CpKeylog *keylog);
/* Bytes of heap held by the session (for memory accounting). */
size_t cp_tls_session_mem(const CpTlsSession *s);
/* For record layers other than TLS's own (DTLS, dissectors/dtls.c): one complete handshake
 * message (type, body without its header) in the TLS 1.2 layout, parsed and reported exactly as
 * tls_record.c does it. Returns MORE, or DONE when the direction is now encrypted (a TLS 1.3
 * ServerHello). Event views point into body and live for the call. */
CpFeedStatus cp_tls_session_handshake(CpTlsSession *s, CpDir dir, uint8_t type, const uint8_t *body,
                                      size_t len);
/* The same for one plaintext alert record's payload: MORE, or DONE after a fatal alert. */
CpFeedStatus cp_tls_session_alert(CpTlsSession *s, CpDir dir, const uint8_t *p, size_t len);
