/* SPDX-License-Identifier: BSD-2-Clause */
/* diagnose_private: what the rules (diagnose.c, diagnose_site.c), the registry (findings.c) and
 * the wording (finding_text.c) share.
 *
 * A rule decides and gathers the facts; cp_diag_report() finds the finding of that fault (or
 * creates it and has its wording function describe it from the facts, once); the rule then says
 * which servers, certificates and handshakes the finding covers. */
#pragma once

#include "analysis/diagnose.h"

typedef struct Diag {
    CpDiagnosis *d;
    CpModel *model;
    CpCertCache *cache;
    CpTrust *trust;
    const CpDiagOptions *opt;
    GHashTable *by_key; /* "code|key" -> CpFinding* */
    GHashTable *sender; /* sha1 -> the first CpServer* sending it; built on first use */
} Diag;

/* The keyed string hash (base/hash.h) for the diagnosis' tables of attacker-derived text. */
guint cp_diag_str_hash(gconstpointer s);

/* The root a path leads to (ca-mismatch). */
typedef struct DiagRoot {
    const char *name;
    const char *sha1;   /* NULL when the root certificate was never seen */
    const char *key_id; /* NULL when unknown */
} DiagRoot;

/* One server presenting one leaf for a name (array-mismatch). */
typedef struct DiagServed {
    const CpServer *s;
    const CpCert *leaf;
    const CpSeenChain *chain; /* the chain that leaf heads */
} DiagServed;

/* What a rule found, for the wording. Each wording function names the fields it reads; the rest
 * stay zero. Every pointer is borrowed for the call. */
typedef struct DiagFacts {
    const CpServer *server;      /* the server at fault */
    const CpSeenChain *chain;    /* the chain judged */
    const CpCert *cert;          /* the certificate at fault (nullable for client-rejected) */
    bool is_leaf;                /* cert is the server's own certificate */
    int64_t at;                  /* the time the chain was judged at */
    const char *name;            /* a name clients asked for; an array's name */
    const char *why;             /* chain-order: what is out of order */
    const char *aia;             /* (nullable) where the certificate says its issuer is */
    const CpPath *path;          /* the path built for the chain */
    const CpPathCert *path_cert; /* the certificate of the path at fault */
    const CpServer *other;       /* who else sent it; the front end (ca-mismatch) */
    const CpSeenChain *other_chain;
    const CpAlertSeen *alert;
    const DiagRoot *root, *other_root; /* ca-mismatch: the Exchange's, the front end's */
    const GArray *served;              /* DiagServed (array-mismatch) */
    const GPtrArray *names;            /* (element-type utf8) array-mismatch: every name shared */
    const GPtrArray *group;            /* CpCaSeen*: similar-issuers, ca-renewed */
    const CpCert *other_cert;          /* dual-certificate, renewed: the newer leaf */
    const char *root_name;             /* root-retired: the root the path needs */
    unsigned limit;                    /* incomplete-evidence: the --max-chain in force */
    const char *clients;               /* client-incompatible: which clients may fail, and how */
    const char *fix;                   /* client-incompatible: how to re-issue */
} DiagFacts;

/* Writes the message and remedy of a new finding. */
typedef void (*DiagTextFn)(Diag *g, CpFinding *f, const DiagFacts *x);

/* The one way a rule reports a fault: finds the finding with this code and key or creates it and
 * has text describe it from x (only then: a fault seen in a thousand handshakes is described
 * once). (transfer none) owned by g->d. */
CpFinding *cp_diag_report(Diag *g, CpFindingCode code, const char *key, DiagTextFn text,
                          const DiagFacts *x);
void cp_diag_add_server(CpFinding *f, const char *endpoint);
/* A finding covers this server, this certificate (nullable), and these handshakes. */
void cp_diag_cover(CpFinding *f, const CpServer *s, const char *sha1, uint64_t handshakes);
void cp_diag_add_cert(CpFinding *f, const char *sha1);
void cp_diag_add_client(CpFinding *f, const char *addr);
void cp_diag_finding_free(gpointer f);

/* Wording (finding_text.c). */
void cp_diag_cert_ref(GString *o, const CpCert *c);
void cp_diag_date(GString *o, int64_t t);
/* The server's names for messages: "mail.contoso.com (10.1.0.20:443)". */
void cp_diag_server_ref(Diag *g, GString *o, const CpServer *s);
/* The same at the start of a sentence. */
void cp_diag_server_ref_cap(Diag *g, GString *o, const CpServer *s);

void cp_diag_text_dates(Diag *g, CpFinding *f, const DiagFacts *x);
void cp_diag_text_weak_key(Diag *g, CpFinding *f, const DiagFacts *x);
void cp_diag_text_weak_signature(Diag *g, CpFinding *f, const DiagFacts *x);
void cp_diag_text_chain_order(Diag *g, CpFinding *f, const DiagFacts *x);
void cp_diag_text_client_rejected(Diag *g, CpFinding *f, const DiagFacts *x);
void cp_diag_text_name_mismatch(Diag *g, CpFinding *f, const DiagFacts *x);
void cp_diag_text_intermediate_elsewhere(Diag *g, CpFinding *f, const DiagFacts *x);
void cp_diag_text_intermediate_unknown(Diag *g, CpFinding *f, const DiagFacts *x);
void cp_diag_text_issuer_unknown_ca(Diag *g, CpFinding *f, const DiagFacts *x);
void cp_diag_text_untrusted_root(Diag *g, CpFinding *f, const DiagFacts *x);
void cp_diag_text_truncated(Diag *g, CpFinding *f, const DiagFacts *x);
void cp_diag_text_tls13(Diag *g, CpFinding *f, const DiagFacts *x);
void cp_diag_text_cut_max_chain(Diag *g, CpFinding *f, const DiagFacts *x);
void cp_diag_text_cut_cert_size(Diag *g, CpFinding *f, const DiagFacts *x);
void cp_diag_text_cut_damaged(Diag *g, CpFinding *f, const DiagFacts *x);
void cp_diag_text_overlap_conflict(Diag *g, CpFinding *f, const DiagFacts *x);
void cp_diag_text_ca_mismatch(Diag *g, CpFinding *f, const DiagFacts *x);
void cp_diag_text_array_mismatch(Diag *g, CpFinding *f, const DiagFacts *x);
void cp_diag_text_similar_issuers(Diag *g, CpFinding *f, const DiagFacts *x);
void cp_diag_text_ca_renewed(Diag *g, CpFinding *f, const DiagFacts *x);
void cp_diag_text_dual_certificate(Diag *g, CpFinding *f, const DiagFacts *x);
void cp_diag_text_renewed(Diag *g, CpFinding *f, const DiagFacts *x);
void cp_diag_text_ip_literal_sni(Diag *g, CpFinding *f, const DiagFacts *x);
void cp_diag_text_issuer_unknown(Diag *g, CpFinding *f, const DiagFacts *x);
void cp_diag_text_root_retired(Diag *g, CpFinding *f, const DiagFacts *x);
void cp_diag_ca_free(gpointer ca);

/* What certpath kept of this chain is not the whole chain the clients got: certificates dropped
 * by a limit, or every handshake carrying it had TCP overlaps with different bytes. Rules about
 * what a chain lacks or how it is ordered are not judged on such a chain. */
bool cp_diag_chain_cut(const CpSeenChain *ch);
/* Whether the first certificate kept is the server's own: not when --max-cert-size may have
 * dropped the leaf and left a CA certificate first. */
bool cp_diag_leaf_known(const CpSeenChain *ch);

void cp_diag_site_rules(Diag *g);

/* Certificate properties (diagnose_cert.c): wrong-purpose and client-incompatible on one chain. */
void cp_diag_cert_rules(Diag *g, const CpServer *s, const CpSeenChain *ch);
/* A chain whose newest certificate starts far after the time it is judged at (at): the capture's
 * clock is wrong. Reports capture-clock and returns true; the date rules then skip the chain. */
bool cp_diag_clock_wrong(Diag *g, const CpServer *s, const CpSeenChain *ch, int64_t at);
/* Tor's random names in SNI and certificate: reports random-names and returns true, so the name
 * is not judged. */
bool cp_diag_random_names(Diag *g, const CpServer *s, const CpSeenChain *ch, const char *asked);
/* A Tor relay's chain asked for a Tor name: its issuer is the relay's identity certificate,
 * sent only inside the encrypted channel, so its absence is no fault (random-names says why). */
bool cp_diag_tor_relay(const CpSeenChain *ch);
