/* SPDX-License-Identifier: BSD-2-Clause */
/* starttls: where a plaintext protocol hands over to TLS. A hello is accepted only at the byte
 * right after an upgrade exchange — a command (SMTP/IMAP STARTTLS, POP3 STLS, FTP AUTH TLS, XMPP
 * <starttls/>, an LDAP StartTLS extended request, a PostgreSQL SSLRequest, a MySQL SSL request,
 * an HTTP CONNECT header block) in one direction, or, once the connection asked for one, a
 * positive answer (220, 234, +OK, "tag OK", <proceed/>, an LDAP success, PostgreSQL's 'S', a
 * MySQL greeting, a 2xx response to CONNECT) in the other. Each side needs the other's half: a
 * command's position counts once the other direction answered, an answer's once the other
 * direction asked — so one side alone (a web server writing "STARTTLS" and a hello into a page)
 * cannot make an upgrade. Hello bytes anywhere else — an HTTP body, a mail body, the middle of
 * a line — are plaintext (STYLE R28). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reasm/stream_sink.h"

typedef enum CpStarttlsFraming {
    CP_STARTTLS_UNKNOWN = 0, /* the direction's first bytes decide */
    CP_STARTTLS_TEXT,        /* lines (and XML tags) */
    CP_STARTTLS_BER,         /* LDAP messages */
    CP_STARTTLS_MYSQL,       /* MySQL packets */
} CpStarttlsFraming;

typedef struct CpStarttlsDir {
    CpStarttlsFraming framing;
    bool armed;           /* the next byte is an upgrade position */
    uint8_t header_block; /* HTTP: 0, or what the empty line after CONNECT's or a 2xx
                           * answer's headers counts as (a command or an answer) */
    bool started;         /* a unit was seen (PostgreSQL's request and answer come first) */
} CpStarttlsDir;

/* Lifetime: connection, zero-initialised. */
typedef struct CpStarttls {
    bool requested_by[2];   /* dir sent an upgrade command */
    bool replied_by[2];     /* dir sent a positive answer */
    bool armed_by_reply[2]; /* dir's position comes from an answer, else from a command */
    CpStarttlsDir dir[2];
} CpStarttls;

/* Scans data (the direction's unconsumed plaintext) unit by unit. Returns the offset of a hello
 * at an upgrade position, or -1 with *consumed (whole units passed) and *needed (bytes wanted
 * before a call is worth it, 0 for any more) set. fin: no more bytes will come. */
long cp_starttls_scan(CpStarttls *st, CpDir dir, const uint8_t *data, size_t len, bool fin,
                      size_t *consumed, size_t *needed);
