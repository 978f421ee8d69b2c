/* SPDX-License-Identifier: BSD-2-Clause */
/* tls_private: session state shared by tls_record.c (framing, reassembly) and tls_handshake.c
 * (message contents). Not for use outside dissectors/tls_*.c. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/bytebuf.h"
#include "base/reader.h"
#include "dissectors/tls.h"
#include "dissectors/tls_cipher.h"

enum {
    CP_TLS_REC_HEADER_LEN = 5, /* RFC 5246 §6.2.1: type, version, length */
    CP_TLS_HS_HEADER_LEN = 4,  /* RFC 8446 §4: msg_type, uint24 length */
    CP_TLS_CT_CCS = 20,
    CP_TLS_CT_ALERT = 21,
    CP_TLS_CT_HANDSHAKE = 22,
    CP_TLS_CT_APPDATA = 23,
    CP_TLS_CT_HEARTBEAT = 24,
    CP_TLS_HS_CLIENT_HELLO = 1,
    CP_TLS_HS_SERVER_HELLO = 2,
    CP_TLS_HS_CERTIFICATE = 11,
    CP_TLS_HS_CERTIFICATE_REQUEST = 13,
    CP_TLS_HS_SERVER_HELLO_DONE = 14,
    CP_TLS_HS_FINISHED = 20,
};

/* Lifetime: connection. One per direction; roles are decided by content (the hello types), never
 * by CpDir (stream_sink.h). */
typedef struct CpTlsDir {
    CpBytebuf pend;     /* (owned) one handshake message spanning records, header included */
    size_t pend_total;  /* 4 + body length once pend holds the 4 header bytes, else 0 */
    int partial_type;   /* handshake type opening the record left unconsumed, -1 if unknown */
    size_t empty_run;   /* zero-length records in a row (tls.record_flood) */
    CpFeedStatus final; /* MORE while parsing; DONE/ERROR once answered, then sticky */
    bool started;       /* first bytes seen (the not-TLS / SSLv2 decision is made) */
    bool left_bytes;    /* the last answer left bytes unconsumed (a partial record) */
    bool resync;        /* after a gap: the next record header must be valid, else DONE */
    bool hs_unsync;     /* after a gap: handshake bytes may start mid-message */
    bool sent_client_hello;
    bool sent_second_client_hello; /* a ClientHello after a HelloRetryRequest */
    bool sent_server_hello;        /* the final one, not a HelloRetryRequest */
    bool sent_certificate;
    CpTlsCipher *cipher; /* (owned, nullable) keys from the key log: records are decrypted */
    uint64_t decrypted;  /* record bytes after the keys (--max-decrypt-bytes) */
} CpTlsDir;

struct CpTlsSession {
    const CpLimits *limits; /* borrowed */
    CpAnomalies *anomalies; /* borrowed, nullable */
    CpTlsEventFn cb;        /* nullable */
    void *user;
    CpTlsDir dir[2];
    uint16_t version;  /* negotiated by the final ServerHello, 0 until then */
    bool hrr_seen;     /* a HelloRetryRequest went by: CCS may be a TLS 1.3 dummy */
    bool sslv2_server; /* an SSLv2 SERVER-HELLO was seen: the client talks SSLv2 too */
    /* decryption (tls_decrypt.c): the latest hellos' randoms and suite */
    const CpKeylog *keylog; /* borrowed, nullable: no key log, nothing is decrypted */
    uint8_t client_random[CP_KEYLOG_RANDOM_LEN];
    uint8_t server_random[CP_KEYLOG_RANDOM_LEN];
    bool have_client_random;
    bool have_server_random;
    uint16_t cipher_suite;
    bool encrypt_then_mac; /* RFC 7366, negotiated by the latest ServerHello */
};

/* An event with every field neutral (lost_msg_type -1). */
void cp_tls_event_init(CpTlsEvent *ev, CpTlsEventType type, CpDir dir);
void cp_tls_emit(CpTlsSession *s, const CpTlsEvent *ev);

/* True for RFC 8446 TLS 1.3 and its draft code points (0x7fNN): the handshake after the
 * ServerHello is encrypted. */
bool cp_tls_version_is_13(uint16_t v);

/* One complete handshake message (body without the 4-byte header). Returns MORE to keep going,
 * DONE when the direction is now encrypted. Malformed bodies are counted and skipped. */
CpFeedStatus cp_tls_handshake_parse(CpTlsSession *s, CpDir dir, uint8_t type, const uint8_t *body,
                                    size_t len);
/* A plaintext alert record's payload (RFC 8446 §6): MORE, or DONE after a fatal alert. */
CpFeedStatus cp_tls_alert_parse(CpTlsSession *s, CpDir dir, const uint8_t *p, size_t len);
/* A ChangeCipherSpec in dir: false when it is a TLS 1.3 compatibility dummy (RFC 8446 D.4)
 * that plaintext hellos still follow, true when the direction is now encrypted. */
bool cp_tls_ccs_ends_plaintext(const CpTlsSession *s, CpDir dir);
/* Reports that dir sent the ChangeCipherSpec that ends its plaintext: the sender accepted what
 * it had seen so far (a client that goes on to Finished accepted the server's certificate). */
void cp_tls_emit_ccs(CpTlsSession *s, CpDir dir);
/* SSLv2 message body after the 2-byte record header (RFC 5246 E.2; SSL 2.0 draft §2.5-2.6).
 * Returns MORE (ClientHello parsed: TLS records follow), or ERROR (not TLS, SSLv2 server). */
CpFeedStatus cp_tls_sslv2_parse(CpTlsSession *s, CpDir dir, const uint8_t *p, size_t len);

/* Steps (1)-(4) of tls_record.c for one handshake record's payload (clear or decrypted). */
CpFeedStatus cp_tls_handshake_record(CpTlsSession *s, CpDir dir, CpReader *rec);

/* tls_decrypt.c. A TLS 1.3 final ServerHello from server_dir: true when the key log opened the
 * server's direction (the client's too when its secret is there). */
bool cp_tls_keys13(CpTlsSession *s, CpDir server_dir);
/* A ChangeCipherSpec in dir with a key log: false when the key log does not apply (the caller
 * goes on as without one); true with *keep_going when the direction goes on decrypted. */
bool cp_tls_decrypt_ccs(CpTlsSession *s, CpDir dir, bool *keep_going);
/* One record of a direction that has keys (hdr: its 5-byte header). */
CpFeedStatus cp_tls_decrypt_record(CpTlsSession *s, CpDir dir, const uint8_t hdr[5],
                                   CpReader *payload);
/* A Finished message in dir: DONE when it ends what the keys can open. */
CpFeedStatus cp_tls_decrypt_finished(const CpTlsSession *s, CpDir dir);
