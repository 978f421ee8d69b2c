/* SPDX-License-Identifier: BSD-2-Clause */
/* diagnose_client: the client-side findings — a server refusing a client's hello
 * (protocol-rejected), a client giving up silently on the server's certificate
 * (silent-rejection), a server refusing a client's certificate (client-cert-rejected) — and
 * their wording (finding_text_client.c), which names the clients: addresses, how many accepted
 * or refused the same chain, and the client class their ClientHello shows. */
#pragma once

#include "analysis/diagnose_private.h"

void cp_diag_client_rules(Diag *g);

/* Which records of s->clients a finding covers (the wording lists them). */
typedef struct DiagClientSel {
    unsigned outcomes;       /* bit (1u << CpClientOutcome) for each outcome it covers */
    int chain;               /* the server's chain index, -1: any */
    int alert;               /* the alert, -1: a reset / none; -2: any */
    const char *client_leaf; /* (nullable) SHA-1 of the client's own leaf */
} DiagClientSel;

/* The index of ch in s->chains, -1 when ch is NULL or not the server's. */
int cp_diag_client_chain_of(const CpServer *s, const CpSeenChain *ch);
bool cp_diag_client_selected(const CpClientSeen *c, const DiagClientSel *sel);
/* "10.1.9.50 (TLS 1.0 only, no SNI, 3 cipher suites: RSA key exchange, CBC; what Lync Phone
 * Edition sends), ..." for the distinct addresses selected, capped; returns how many. */
unsigned cp_diag_clients_list(GString *o, const CpServer *s, const DiagClientSel *sel);
/* Distinct addresses among the selected records. */
unsigned cp_diag_clients_count(const CpServer *s, const DiagClientSel *sel);
/* What a client's ClientHello offered: "TLS 1.0 only, no SNI, 3 cipher suites: ...". */
void cp_diag_client_class(GString *o, const CpClientSeen *c);
/* A TLS 1.0-only client without SNI: what Lync Phone Edition (Windows CE) sends. */
bool cp_diag_client_is_phone_like(const CpClientSeen *c);

/* client-rejected (diagnose.c): the clients that sent the fatal alert `alert` after s's chain —
 * added to f's clients, and named with how many accepted the server ("Refused by: ..."). */
void cp_diag_add_alerted_clients(CpFinding *f, const CpServer *s, int alert);
void cp_diag_clients_alerted_text(GString *o, const CpServer *s, int alert);

void cp_diag_text_protocol_rejected(Diag *g, CpFinding *f, const DiagFacts *x);
void cp_diag_text_silent_rejection(Diag *g, CpFinding *f, const DiagFacts *x);
void cp_diag_text_client_cert_rejected(Diag *g, CpFinding *f, const DiagFacts *x);
