/* SPDX-License-Identifier: BSD-2-Clause */
/* diagnose_private: helpers shared by the per-server and the cross-server rules. */
#pragma once

#include "analysis/diagnose.h"

typedef struct Diag {
    CpDiagnosis *d;
    CpModel *model;
    CpCertCache *cache;
    CpTrust *trust;
    const CpDiagOptions *opt;
    GHashTable *by_key; /* key -> CpFinding* */
} Diag;

/* Finds or creates the finding with this key; the caller fills message/remedy when new
 * (message->len == 0). */
CpFinding *cp_diag_finding(Diag *g, CpFindingCode code, const char *key);
void cp_diag_add_server(CpFinding *f, const char *endpoint);
void cp_diag_add_cert(CpFinding *f, const char *sha1);
/* "CN=x,O=y" plus " (sha1 ...)" as a quoted reference in a message. */
void cp_diag_cert_ref(GString *o, const CpCert *c);
void cp_diag_date(GString *o, int64_t t);
/* The server's names for messages: "mail.contoso.com (10.1.0.20:443)". */
void cp_diag_server_ref(Diag *g, GString *o, const CpServer *s);
/* The same at the start of a sentence. */
void cp_diag_server_ref_cap(Diag *g, GString *o, const CpServer *s);
CpServerDiag *cp_diag_server(Diag *g, const CpServer *s);

void cp_diag_site_rules(Diag *g);
