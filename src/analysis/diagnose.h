/* SPDX-License-Identifier: BSD-2-Clause */
/* diagnose: compares the servers of a capture and turns what is wrong into findings, each with
 * the exact remedy (the table of the diagnosis issue; docs/guide.md walks through each). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "analysis/cert_cache.h"
#include "analysis/model.h"
#include "analysis/roles.h"
#include "analysis/seen.h"
#include "analysis/trust.h"

typedef enum CpSeverity { CP_SEV_INFO = 0, CP_SEV_WARNING, CP_SEV_ERROR } CpSeverity;

typedef enum CpFindingCode {

#define CP_FINDING(id, code, sev, doc) CP_FINDING_##id,
#include "analysis/findings.def"
#undef CP_FINDING
    CP_FINDING__COUNT
} CpFindingCode;

/* Lifetime: the diagnosis. One finding per fault, listing every server/handshake it covers. */
typedef struct CpFinding {
    CpFindingCode code;
    CpSeverity severity;
    char *key;           /* deduplication key */
    GPtrArray *servers;  /* (element-type utf8) endpoints */
    GPtrArray *certs;    /* (element-type utf8) SHA-1 thumbprints */
    GPtrArray *clients;  /* (element-type utf8) addresses of the clients it is about (client-side
                          * findings: the refused ones); empty for the others */
    GString *message;    /* plain words: what is wrong */
    GString *remedy;     /* what to do, with real names and thumbprints */
    uint64_t handshakes; /* handshakes it covers */
    GHashTable *listed;  /* (private) "s:endpoint" and "c:sha1" already in servers and certs */
} CpFinding;

/* A CA on somebody's path: the whiteboard picture. */
typedef struct CpCaSeen {
    char *name;
    char *key_id;  /* (nullable) */
    char sha1[41]; /* "" when the certificate itself was never seen */
    bool is_root;
    bool is_anchor;
    GPtrArray *servers; /* (element-type utf8) endpoints whose paths go through it */
    char *root;         /* (nullable) what its paths end at: the root's SHA-1, or "?issuer|aki" */
    bool root_conflict; /* its paths end at different roots */
} CpCaSeen;

typedef struct CpServerDiag {
    const CpServer *server;
    CpRole role;
    GPtrArray *paths; /* CpPath* (nullable entries), one per s->chains entry */
} CpServerDiag;

typedef struct CpDiagOptions {
    const CpRoleRule *rules;
    size_t n_rules;
    char **trusted_ca; /* (nullable) SHA-1 thumbprints of TrustedCACerts roots */
    bool has_at;       /* judge validity at at_s instead of capture time */
    int64_t at_s;
} CpDiagOptions;

typedef struct CpDiagnosis {
    GPtrArray *findings; /* CpFinding*, most severe first */
    GPtrArray *cas;      /* CpCaSeen* */
    GPtrArray *servers;  /* CpServerDiag*, in model order */
    CpRoles *roles;
    CpSeverity worst;
    unsigned count[3];          /* findings per severity */
    GPtrArray *trusted_applied; /* (element-type utf8) --trusted-ca thumbprints that made an
                                 * Exchange path acceptable to phones */
} CpDiagnosis;

/* What a run can honestly conclude, worst last: the exit status follows it (cli/main.c). */
typedef enum CpOutcome {
    CP_OUTCOME_CLEAN = 0,    /* every chain seen judged, no warning or error */
    CP_OUTCOME_WARNING,      /* at least one warning, no error */
    CP_OUTCOME_ERROR,        /* at least one error */
    CP_OUTCOME_INCONCLUSIVE, /* no warning or error, but no certificate was seen, or a limit
                              * kept certpath from seeing everything */
} CpOutcome;

/* The anomalies that mean certpath did not see every server, chain or connection: a run that
 * counted any of them is never called clean. */
bool cp_diag_evidence_incomplete(const CpAnomalies *a);
/* Servers with at least one chain certpath could judge. */
unsigned cp_diag_servers_checked(const GPtrArray *servers);
CpOutcome cp_diag_outcome(const CpDiagnosis *d, const CpSeen *seen);

CpDiagnosis *cp_diagnose(CpModel *m, CpCertCache *cache, CpTrust *trust, const CpDiagOptions *o);
void cp_diagnosis_free(CpDiagnosis *d);
/* The registry (findings.def, findings.c). (transfer none) "ca-mismatch" ..., "unknown" when c is
 * out of range. */
const char *cp_finding_code_name(CpFindingCode c);
/* The severity a finding of this code always has (CP_SEV_INFO when c is out of range). */
CpSeverity cp_finding_severity(CpFindingCode c);
/* (transfer none) the one-line title of findings.def, "" when c is out of range. */
const char *cp_finding_title(CpFindingCode c);
/* CP_FINDING__COUNT when no finding has this code. */
CpFindingCode cp_finding_code_from_name(const char *name);
/* (transfer none) "error", "warning", "info". */
const char *cp_severity_name(CpSeverity s);
