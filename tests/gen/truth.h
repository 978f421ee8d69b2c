/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * truth.h - the "truth" JSON Lines file: what the generator really sent.
 *
 * Lines, in order: one "scenario" object, one "certificate" object per
 * certificate created, then one "connection" object per TCP connection.
 * Field names are stable (tests/gen/README.md documents them).
 */
#ifndef CG_TRUTH_H
#define CG_TRUTH_H

#include "pki.h"

#include <glib.h>
#include <stdbool.h>

typedef struct CgTruth CgTruth;

/* One "connection" line; strings are borrowed. */
typedef struct CgTruthConn {
    const char *client; /* "ip:port" or "[ip6]:port" */
    const char *server;
    const char *sni;        /* NULL = no SNI sent */
    const char *version;    /* "TLS 1.2" */
    const GPtrArray *chain; /* char* SHA-1 hex, leaf first, as sent */
    const char *alert;      /* "unknown_ca" or NULL */
    bool truncated;         /* part of the Certificate message is not captured */
    bool resumed;           /* abbreviated handshake */
} CgTruthConn;

/* Open `path` for writing; a NULL path gives a writer that discards. */
CgTruth *cg_truth_open(const char *path, GError **error);

/* roles: address text -> role name (borrowed). */
void cg_truth_scenario(CgTruth *t, const char *name, const char *capture_time,
                       GPtrArray *role_addrs, GPtrArray *role_names);
void cg_truth_certificate(CgTruth *t, const CgCert *cert);
void cg_truth_connection(CgTruth *t, const CgTruthConn *conn);

/* Close and free; FALSE with `error` when a write failed. NULL is a no-op. */
gboolean cg_truth_close(CgTruth *t, GError **error);

/* Append `s` to `out` as a JSON string literal (RFC 8259 §7). */
void cg_truth_json_string(GString *out, const char *s);

#endif /* CG_TRUTH_H */
