/* SPDX-License-Identifier: BSD-2-Clause */
/* dissector: the table every connection's bytes go through (STYLE R23), and the per-connection
 * dispatcher that picks an entry by content, not by port.
 *
 * A dissector is one file defining one CpDissector and one line in dissectors.def. Reassembly
 * delivers a TCP direction's bytes in order (or, for a UDP entry, one datagram per call, flag
 * CP_STREAM_DATAGRAM); the dispatcher asks each entry of the connection's transport, in table
 * order, whether the first bytes are its protocol, and from then on hands every byte of both
 * directions to the one that said yes. What a dissector sees it reports as CpTlsEvents through
 * the context's emit callback: certpath's dissectors all end in a TLS handshake (TLS itself,
 * TLS after a plaintext STARTTLS exchange, and next DTLS and TLS inside tunnels).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/anomaly.h"
#include "base/bytebuf.h"
#include "base/limits.h"
#include "dissectors/tls.h"
#include "reasm/stream_sink.h"

typedef enum CpProbe {
    CP_PROBE_NO = 0,    /* not this protocol */
    CP_PROBE_YES,       /* this protocol: the entry takes the connection */
    CP_PROBE_NEED_MORE, /* undecidable yet: ask again with *needed bytes */
} CpProbe;

/* Lifetime: the connection. Shared by every dissector instance of a run. */
typedef struct CpDissectCtx {
    const CpLimits *limits;
    CpAnomalies *anomalies;
    CpMemcap *memcap; /* budget for buffered messages (the run's reassembly memcap) */
    CpTlsEventFn emit;
    void *user;             /* passed to emit */
    const CpKeylog *keylog; /* (nullable) secrets to decrypt TLS handshakes with */
} CpDissectCtx;

typedef struct CpDissector {
    const char *name;
    CpTransport transport;
    /* The first bytes of direction dir (flags: CP_STREAM_FIN when no more will come). */
    CpProbe (*probe)(CpDir dir, const uint8_t *data, size_t len, unsigned flags, size_t *needed);
    /* (transfer full) the connection's state; ctx is borrowed for the connection's life. */
    void *(*new)(const CpDissectCtx *ctx);
    /* The stream_sink contract (reasm/stream_sink.h): bytes in order, consumed/needed back. */
    CpFeedResult (*feed)(void *state, CpDir dir, const uint8_t *data, size_t len, unsigned flags);
    /* (optional) the connection ended: report what is still pending. */
    void (*close)(void *state);
    void (*free)(void *state);
} CpDissector;

#define CP_DISSECTOR(name) extern const CpDissector cp_dissector_##name;
#include "dissectors/dissectors.def"
#undef CP_DISSECTOR

/* Whether any entry takes connections of this transport (so a caller can skip tracking them). */
bool cp_dissect_handles(CpTransport transport);
/* (transfer none) the entry called name, or NULL. */
const CpDissector *cp_dissect_find(const char *name);

typedef struct CpDissectConn CpDissectConn;

/* (transfer full) ctx is copied. */
CpDissectConn *cp_dissect_conn_new(const CpDissectCtx *ctx, CpTransport transport);
/* A CpStreamFeedFn (consumer = the CpDissectConn): probes until an entry takes the connection,
 * then feeds it. A direction no entry wants is answered DONE. */
CpFeedResult cp_dissect_conn_feed(void *conn, CpDir dir, const uint8_t *data, size_t len,
                                  unsigned flags);
/* (transfer none) the entry that took the connection, or NULL. */
const CpDissector *cp_dissect_conn_dissector(const CpDissectConn *c);
/* Closes the chosen dissector (its close, then its free) and frees the dispatcher. */
void cp_dissect_conn_free(CpDissectConn *c);
