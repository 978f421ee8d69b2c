/* SPDX-License-Identifier: BSD-2-Clause */
/* diagnose: per-server rules (dates, keys, signatures, names, order, path completeness, client
 * alerts, the evidence itself) and the finding list. Cross-server rules live in diagnose_site.c,
 * the registry in findings.c, the words in finding_text.c: a rule only decides, gathers the facts
 * and calls cp_diag_report().
 *
 * Every chain a server sent is judged at the capture time of the first handshake that carried
 * it (or --at). Findings are deduplicated by a key naming the fault (the certificate, or the
 * server and name), so a fault seen in a thousand handshakes is one finding listing its servers.
 *
 * A chain certpath did not see whole (certificates dropped by --max-chain or --max-cert-size,
 * or carried only by TCP overlaps with different bytes) gets incomplete-evidence and is not judged
 * for what it lacks or how it is ordered (missing-intermediate, untrusted-root, chain-order): the
 * missing part may be exactly what certpath dropped.
 */
#include "analysis/diagnose_client.h"
#include "analysis/diagnose_private.h"

#include <string.h>

/* Captures with a zeroed or absurd clock (before 1995) cannot date anything; -1 skips the date
 * rules unless the user gave --at or --now. */
#define PLAUSIBLE_CAPTURE_S 788918400 /* 1995-01-01 */

bool
cp_diag_chain_cut(const CpSeenChain *ch)
{
    return ch->certs_dropped > 0 || ch->cut == CP_CHAIN_CUT_DAMAGED ||
           (ch->conflicts > 0 && ch->conflicts >= ch->count);
}

bool
cp_diag_leaf_known(const CpSeenChain *ch)
{
    const CpCert *first = g_array_index(ch->links, CpChainLink, 0).cert;

    return ch->cut != CP_CHAIN_CUT_CERT_SIZE || (first != NULL && !first->is_ca);
}

void
cp_diag_cover(CpFinding *f, const CpServer *s, const char *sha1, uint64_t handshakes)
{
    cp_diag_add_server(f, s->endpoint);
    if (sha1 != NULL)
        cp_diag_add_cert(f, sha1);
    f->handshakes += handshakes;
}

static int64_t
judge_time(Diag *g, const CpSeenChain *ch)
{
    int64_t t = (int64_t)(ch->first_ts_ns / 1000000000u);

    if (g->opt->has_at)
        return g->opt->at_s;
    return t < PLAUSIBLE_CAPTURE_S ? -1 : t;
}

static void
dates(Diag *g, const CpServer *s, const CpSeenChain *ch)
{
    int64_t at = judge_time(g, ch);
    bool leaf_known = cp_diag_leaf_known(ch);

    if (cp_diag_clock_wrong(g, s, ch, at))
        return;
    for (guint i = 0; at >= 0 && i < ch->links->len; i++) {
        const CpCert *c = g_array_index(ch->links, CpChainLink, i).cert;
        if (c == NULL || (at >= c->not_before && at <= c->not_after))
            continue;
        DiagFacts x = {
            .server = s, .chain = ch, .cert = c, .is_leaf = i == 0 && leaf_known, .at = at
        };
        CpFindingCode code = at > c->not_after ? CP_FINDING_EXPIRED : CP_FINDING_NOT_YET_VALID;
        cp_diag_cover(cp_diag_report(g, code, c->sha1, cp_diag_text_dates, &x), s, c->sha1,
                      ch->count);
    }
}

/* When clients stopped accepting this signature hash on server certificates; 0 for a hash still
 * accepted. MD5: Microsoft Security Advisory 2862973 (2013-08-13) restricts it under public roots,
 * browsers had dropped it before. SHA-1: browsers and Windows refuse it under public roots from
 * 2017 (Edge and Internet Explorer 11 on 2017-05-09, "Windows Enforcement of SHA1
 * Certificates"); OpenSSL 3 refuses it at its default security level. */
static int64_t
hash_retired_s(const char *h)
{
    if (h == NULL)
        return 0;
    if (strcmp(h, "MD5") == 0)
        return 1376352000; /* 2013-08-13 */
    if (strcmp(h, "SHA1") == 0)
        return 1483228800; /* 2017-01-01 */
    return 0;
}

static bool
on_path(const CpPath *p, const char *sha1)
{
    for (guint k = 0; k < p->certs->len; k++)
        if (strcmp(g_array_index(p->certs, CpPathCert, k).sha1, sha1) == 0)
            return true;
    return false;
}

/* A signature clients check: not a root's self-signature, and not that of a sent certificate
 * the path to a trust anchor does without (a cross-certificate of a root the clients hold: they
 * stop at their own copy and never check it). */
static bool
signature_checked(const CpChainLink *l, const CpPath *p)
{
    if (l->cert->self_signed)
        return false;
    return p == NULL || p->status != CP_PATH_TRUSTED || on_path(p, l->sha1);
}

static void
weak(Diag *g, const CpServer *s, const CpSeenChain *ch, const CpPath *p)
{
    int64_t at = judge_time(g, ch);
    bool tor = cp_diag_tor_relay(ch);

    for (guint i = 0; i < ch->links->len; i++) {
        const CpChainLink *l = &g_array_index(ch->links, CpChainLink, i);
        const CpCert *c = l->cert;
        if (c == NULL)
            continue;
        DiagFacts x = { .server = s,
                        .chain = ch,
                        .cert = c,
                        .is_leaf = i == 0 && cp_diag_leaf_known(ch),
                        .at = at };
        bool ec = strcmp(c->key_type, "EC") == 0;
        bool rsa_dsa = strcmp(c->key_type, "RSA") == 0 || strcmp(c->key_type, "DSA") == 0;
        /* Tor fixes its link and identity keys at 1024-bit RSA: said in random-names, no fault
         * a relay's operator can mend. */
        if (((rsa_dsa && c->key_bits < 2048) || (ec && c->key_bits < 256)) && !tor)
            cp_diag_cover(
                    cp_diag_report(g, CP_FINDING_WEAK_KEY, c->sha1, cp_diag_text_weak_key, &x), s,
                    c->sha1, ch->count);
        int64_t retired = hash_retired_s(c->sig_hash);
        if (retired == 0 || !signature_checked(l, p))
            continue;
        /* Captured before clients refused the hash, by a certificate that existed then (a wrong
         * clock, or none, keeps the warning): what clients did at the time, like root-retired. */
        bool then = at >= 0 && at < retired && c->not_before <= at;
        cp_diag_cover(cp_diag_report(g,
                                     then ? CP_FINDING_WEAK_SIGNATURE_OLD_CAPTURE
                                          : CP_FINDING_WEAK_SIGNATURE,
                                     c->sha1, cp_diag_text_weak_signature, &x),
                      s, c->sha1, ch->count);
    }
}

static void
order(Diag *g, const CpServer *s, const CpSeenChain *ch)
{
    GString *why = g_string_new(NULL);

    for (guint i = 0; i + 1 < ch->links->len; i++) {
        const CpChainLink *a = &g_array_index(ch->links, CpChainLink, i);
        const CpChainLink *b = &g_array_index(ch->links, CpChainLink, i + 1);
        for (guint j = 0; j < i + 1; j++)
            if (strcmp(g_array_index(ch->links, CpChainLink, j).sha1, b->sha1) == 0 && !why->len)
                g_string_append_printf(why, "certificate %u is sent twice", i + 1);
        if (a->cert != NULL && b->cert != NULL && strcmp(a->cert->issuer, b->cert->subject) != 0 &&
            why->len == 0)
            g_string_append_printf(why, "certificate %u ('%s') did not issue certificate %u ('%s')",
                                   i + 1, b->cert->subject, i, a->cert->subject);
    }
    if (why->len > 0) {
        const CpChainLink *leaf = &g_array_index(ch->links, CpChainLink, 0);
        DiagFacts x = { .server = s, .chain = ch, .why = why->str };
        cp_diag_cover(
                cp_diag_report(g, CP_FINDING_CHAIN_ORDER, leaf->sha1, cp_diag_text_chain_order, &x),
                s, NULL, ch->count);
    }
    g_string_free(why, TRUE);
}

/* Fatal alerts a client sends about the server's certificate (RFC 8446 §6.2): bad_certificate,
 * unsupported_certificate, certificate_revoked, certificate_expired, certificate_unknown,
 * unknown_ca. */
static bool
rejects_certificate(int desc)
{
    return (desc >= 42 && desc <= 46) || desc == 48;
}

static void
rejected(Diag *g, const CpServer *s)
{
    for (guint i = 0; i < s->alerts->len; i++) {
        const CpAlertSeen *a = &g_array_index(s->alerts, CpAlertSeen, i);
        if (!a->from_client || !rejects_certificate(a->desc))
            continue;
        DiagFacts x = { .server = s, .alert = a };
        if (s->chains->len > 0) {
            const CpSeenChain *ch = s->chains->pdata[0];
            if (cp_diag_leaf_known(ch))
                x.cert = g_array_index(ch->links, CpChainLink, 0).cert;
        }
        g_autofree char *key = g_strdup_printf("%s|%d", s->endpoint, a->desc);
        CpFinding *f = cp_diag_report(g, CP_FINDING_CLIENT_REJECTED, key,
                                      cp_diag_text_client_rejected, &x);
        cp_diag_cover(f, s, x.cert != NULL ? x.cert->sha1 : NULL, a->count);
        cp_diag_add_alerted_clients(f, s, a->desc);
    }
}

/* Each chain against the names it was asked for (servers choose certificates by SNI). An IP
 * literal is no host name (RFC 6066 §3 forbids it in SNI): it is compared with the iPAddress
 * SANs, and when none matches that is a note, not a name fault — such clients do not check the
 * name against the DNS names the certificate carries. */
static void
names(Diag *g, const CpServer *s, const CpSeenChain *ch)
{
    const CpCert *leaf = g_array_index(ch->links, CpChainLink, 0).cert;

    for (guint i = 0; leaf != NULL && i < ch->names->len; i++) {
        const char *asked = ch->names->pdata[i];
        if (cp_cert_matches_host(leaf, asked) || cp_diag_random_names(g, s, ch, asked))
            continue;
        DiagFacts x = { .server = s, .chain = ch, .cert = leaf, .is_leaf = true, .name = asked };
        g_autofree char *key = g_strdup_printf("%s|%s", s->endpoint, asked);
        CpFinding *f = g_hostname_is_ip_address(asked)
                               ? cp_diag_report(g, CP_FINDING_IP_LITERAL_SNI, key,
                                                cp_diag_text_ip_literal_sni, &x)
                               : cp_diag_report(g, CP_FINDING_NAME_MISMATCH, key,
                                                cp_diag_text_name_mismatch, &x);
        cp_diag_cover(f, s, leaf->sha1, ch->count);
    }
}

/* Where the certificate with this thumbprint says its issuer can be downloaded (caIssuers). */
static const char *
aia_of(Diag *g, const char *sha1)
{
    const CpCert *c = sha1 != NULL ? cp_cert_cache_find_sha1(g->cache, sha1) : NULL;

    if (c != NULL && c->aia_ca_issuers->len > 0)
        return c->aia_ca_issuers->pdata[0];
    return NULL;
}

/* A CA certificate the server sent that is not on the path of its own certificate (the wrong
 * intermediate, or one of another PKI). NULL when every certificate sent is on the path. */
static const CpCert *
sent_off_path(const CpSeenChain *ch, const CpPath *p)
{
    for (guint i = 1; i < ch->links->len; i++) {
        const CpChainLink *l = &g_array_index(ch->links, CpChainLink, i);
        bool on = false;
        for (guint k = 0; k < p->certs->len && !on; k++)
            on = strcmp(g_array_index(p->certs, CpPathCert, k).sha1, l->sha1) == 0;
        if (!on && l->cert != NULL)
            return l->cert;
    }
    return NULL;
}

/* Which server of the capture sent the certificate with this SHA-1 (for "seen elsewhere"): the
 * first, from an index built once rather than a walk over every server per question. */
static const CpServer *
sender_of(Diag *g, const char *sha1)
{
    if (g->sender == NULL) {
        GPtrArray *servers = cp_model_servers(g->model);
        g->sender = g_hash_table_new(cp_diag_str_hash, g_str_equal);
        for (guint i = 0; i < servers->len; i++) {
            CpServer *s = servers->pdata[i];
            for (guint j = 0; j < s->chains->len; j++) {
                const CpSeenChain *ch = s->chains->pdata[j];
                for (guint k = 0; k < ch->links->len; k++) {
                    char *sha = g_array_index(ch->links, CpChainLink, k).sha1;
                    if (!g_hash_table_contains(g->sender, sha))
                        g_hash_table_insert(g->sender, sha, s);
                }
            }
        }
    }
    return g_hash_table_lookup(g->sender, sha1);
}

static void
missing_found_elsewhere(Diag *g, const CpServer *s, const CpSeenChain *ch, const CpPath *p)
{
    for (guint i = 1; i < p->certs->len; i++) {
        const CpPathCert *pc = &g_array_index(p->certs, CpPathCert, i);
        /* A root is never an intermediate: servers need not send it, clients must hold it. */
        if (pc->source == CP_SRC_SENT || pc->is_anchor || pc->self_signed)
            continue;
        g_autofree char *key = g_strdup_printf("%s|%s", s->endpoint, pc->sha1);
        DiagFacts x = { .server = s,
                        .chain = ch,
                        .path = p,
                        .path_cert = pc,
                        .aia = aia_of(g, g_array_index(p->certs, CpPathCert, i - 1).sha1),
                        .other_cert = sent_off_path(ch, p) };
        if (pc->source == CP_SRC_CAPTURE)
            x.other = sender_of(g, pc->sha1);
        cp_diag_cover(cp_diag_report(g, CP_FINDING_MISSING_INTERMEDIATE, key,
                                     cp_diag_text_intermediate_elsewhere, &x),
                      s, pc->sha1, ch->count);
    }
}

/* The top of the path was valid at the time judged and has expired since: the root above it
 * left the trust store after the capture was made (public roots are withdrawn as they expire),
 * so certpath's store today says nothing about what clients trusted then. */
static bool
retired(Diag *g, const CpSeenChain *ch, const CpPath *p)
{
    const CpPathCert *top = cp_path_top(p);
    const CpCert *c = top != NULL ? cp_cert_cache_find_sha1(g->cache, top->sha1) : NULL;
    int64_t at = judge_time(g, ch);
    int64_t now = g_get_real_time() / G_USEC_PER_SEC;

    /* A lone self-signed server certificate is nobody's public root. */
    return c != NULL && c->is_ca && p->certs->len > 1 && at >= 0 && at >= c->not_before &&
           at <= c->not_after && c->not_after < now;
}

static void
root_retired(Diag *g, const CpServer *s, const CpSeenChain *ch, const CpPath *p)
{
    const CpPathCert *top = cp_path_top(p);
    DiagFacts x = { .server = s,
                    .chain = ch,
                    .path = p,
                    .path_cert = top,
                    .cert = cp_cert_cache_find_sha1(g->cache, top->sha1),
                    .at = judge_time(g, ch),
                    .root_name = p->status == CP_PATH_ISSUER_MISSING ? p->missing_issuer
                                                                     : top->subject };

    cp_diag_cover(
            cp_diag_report(g, CP_FINDING_ROOT_RETIRED, top->sha1, cp_diag_text_root_retired, &x), s,
            top->sha1, ch->count);
}

static void
issuer_missing(Diag *g, const CpServer *s, const CpSeenChain *ch, const CpPath *p)
{
    const CpPathCert *top = cp_path_top(p);
    const CpCert *top_cert = top ? cp_cert_cache_find_sha1(g->cache, top->sha1) : NULL;
    bool top_is_ca = top_cert != NULL && top_cert->is_ca;
    g_autofree char *key = g_strdup_printf("%s|%s", p->missing_issuer ? p->missing_issuer : "",
                                           p->missing_aki ? p->missing_aki : "");
    DiagFacts x = { .server = s,
                    .chain = ch,
                    .path = p,
                    .path_cert = top,
                    .aia = aia_of(g, top ? top->sha1 : NULL),
                    .other_cert = sent_off_path(ch, p) };

    if (top_is_ca && retired(g, ch, p)) {
        root_retired(g, s, ch, p);
        return;
    }
    if (cp_diag_tor_relay(ch))
        return;
    /* The server's own certificate names an issuer nobody sent and no store holds: an
     * intermediate the server omits, or a private root certpath was not given. The capture
     * cannot tell which; when the user gave certpath their own CAs and this issuer is not among
     * them, an omitted intermediate is the likely one. */
    CpFinding *f;
    if (top_is_ca)
        f = cp_diag_report(g, CP_FINDING_UNTRUSTED_ROOT, key, cp_diag_text_issuer_unknown_ca, &x);
    else if (cp_trust_has_user_cas(g->trust))
        f = cp_diag_report(g, CP_FINDING_MISSING_INTERMEDIATE, key,
                           cp_diag_text_intermediate_unknown, &x);
    else
        f = cp_diag_report(g, CP_FINDING_ISSUER_UNKNOWN, key, cp_diag_text_issuer_unknown, &x);

    cp_diag_cover(f, s, top != NULL ? top->sha1 : NULL, ch->count);
}

static void
untrusted_root(Diag *g, const CpServer *s, const CpSeenChain *ch, const CpPath *p)
{
    const CpPathCert *top = cp_path_top(p);
    DiagFacts x = { .server = s, .chain = ch, .path = p, .path_cert = top };

    if (retired(g, ch, p)) {
        root_retired(g, s, ch, p);
        return;
    }
    cp_diag_cover(cp_diag_report(g, CP_FINDING_UNTRUSTED_ROOT, top->sha1,
                                 cp_diag_text_untrusted_root, &x),
                  s, top->sha1, ch->count);
}

/* The chain certpath kept is not all the clients got: say so, and why. */
static void
incomplete(Diag *g, const CpServer *s, const CpSeenChain *ch)
{
    DiagFacts x = { .server = s, .chain = ch, .limit = ch->links->len };

    if (ch->cut == CP_CHAIN_CUT_MAX_CHAIN)
        cp_diag_cover(cp_diag_report(g, CP_FINDING_INCOMPLETE_EVIDENCE, "max-chain",
                                     cp_diag_text_cut_max_chain, &x),
                      s, NULL, ch->count);
    else if (ch->cut == CP_CHAIN_CUT_CERT_SIZE)
        cp_diag_cover(cp_diag_report(g, CP_FINDING_INCOMPLETE_EVIDENCE, "max-cert-size",
                                     cp_diag_text_cut_cert_size, &x),
                      s, NULL, ch->count);
    else if (ch->cut == CP_CHAIN_CUT_DAMAGED)
        cp_diag_cover(cp_diag_report(g, CP_FINDING_INCOMPLETE_EVIDENCE, "damaged-list",
                                     cp_diag_text_cut_damaged, &x),
                      s, NULL, ch->count);
    if (ch->conflicts > 0 && ch->conflicts >= ch->count)
        cp_diag_cover(cp_diag_report(g, CP_FINDING_INCOMPLETE_EVIDENCE, "overlap-conflict",
                                     cp_diag_text_overlap_conflict, &x),
                      s, NULL, ch->count);
}

static void
paths(Diag *g, const CpServer *s, CpServerDiag *sd)
{
    for (guint i = 0; i < s->chains->len; i++) {
        const CpSeenChain *ch = s->chains->pdata[i];
        int64_t at = judge_time(g, ch);
        bool cut = cp_diag_chain_cut(ch);
        CpPath *p = cp_trust_build(g->trust, g->cache, ch->links,
                                   at >= 0 ? at : (int64_t)(ch->first_ts_ns / 1000000000u));
        g_ptr_array_add(sd->paths, p);
        if (cut)
            incomplete(g, s, ch);
        if (p == NULL)
            continue;
        if (!cut && p->status == CP_PATH_ISSUER_MISSING)
            issuer_missing(g, s, ch, p);
        else if (!cut && p->status == CP_PATH_UNTRUSTED_ROOT)
            untrusted_root(g, s, ch, p);
        if (!cut)
            missing_found_elsewhere(g, s, ch, p);
        dates(g, s, ch);
        weak(g, s, ch, p);
        cp_diag_cert_rules(g, s, ch);
        if (!cut)
            order(g, s, ch);
        if (cp_diag_leaf_known(ch))
            names(g, s, ch);
    }
}

/* Handshakes whose Certificate message lost every certificate to a limit: nothing to judge. */
static void
dropped(Diag *g, const CpServer *s)
{
    DiagFacts x = { .server = s };

    if (s->chains_dropped == 0)
        return;
    if (s->chains_dropped_cut == CP_CHAIN_CUT_MAX_CHAIN)
        cp_diag_cover(cp_diag_report(g, CP_FINDING_INCOMPLETE_EVIDENCE, "max-chain",
                                     cp_diag_text_cut_max_chain, &x),
                      s, NULL, s->chains_dropped);
    else
        cp_diag_cover(cp_diag_report(g, CP_FINDING_INCOMPLETE_EVIDENCE, "max-cert-size",
                                     cp_diag_text_cut_cert_size, &x),
                      s, NULL, s->chains_dropped);
}

static void
unseen(Diag *g, const CpServer *s)
{
    DiagFacts x = { .server = s };

    if (s->chains->len > 0)
        return;
    if (s->truncated > 0)
        cp_diag_cover(cp_diag_report(g, CP_FINDING_TRUNCATED_CAPTURE, s->endpoint,
                                     cp_diag_text_truncated, &x),
                      s, NULL, s->truncated);
    else if (s->tls13 > 0)
        cp_diag_cover(
                cp_diag_report(g, CP_FINDING_TLS13_ENCRYPTED, s->endpoint, cp_diag_text_tls13, &x),
                s, NULL, s->tls13);
}

static gint
by_severity(gconstpointer a, gconstpointer b)
{
    const CpFinding *x = *(CpFinding *const *)a, *y = *(CpFinding *const *)b;

    if (x->severity != y->severity)
        return x->severity > y->severity ? -1 : 1;
    return x->code < y->code ? -1 : x->code > y->code;
}

CpDiagnosis *
cp_diagnose(CpModel *m, CpCertCache *cache, CpTrust *trust, const CpDiagOptions *opt)
{
    CpDiagnosis *d = g_new0(CpDiagnosis, 1);
    Diag g = { d, m, cache, trust, opt, g_hash_table_new(cp_diag_str_hash, g_str_equal), NULL };
    GPtrArray *servers = cp_model_servers(m);

    d->findings = g_ptr_array_new();
    d->cas = g_ptr_array_new();
    d->trusted_applied = g_ptr_array_new_with_free_func(g_free);
    d->servers = g_ptr_array_new();
    d->roles = cp_roles_assign(m, opt->rules, opt->n_rules);
    for (guint i = 0; i < servers->len; i++) {
        const CpServer *s = servers->pdata[i];
        CpServerDiag *sd = g_new0(CpServerDiag, 1);
        sd->server = s;
        sd->role = cp_roles_get(d->roles, s);
        sd->paths = g_ptr_array_new_with_free_func((GDestroyNotify)cp_path_free);
        g_ptr_array_add(d->servers, sd);
        paths(&g, s, sd);
        rejected(&g, s);
        unseen(&g, s);
        dropped(&g, s);
    }
    cp_diag_site_rules(&g);
    cp_diag_client_rules(&g);
    g_ptr_array_sort(d->findings, by_severity);
    for (guint i = 0; i < d->findings->len; i++) {
        const CpFinding *f = d->findings->pdata[i];
        d->count[f->severity]++;
        if (f->severity > d->worst)
            d->worst = f->severity;
    }
    g_hash_table_destroy(g.by_key);
    if (g.sender != NULL)
        g_hash_table_destroy(g.sender);
    return d;
}

bool
cp_diag_evidence_incomplete(const CpAnomalies *a)
{
    static const CpAnomalyId lost[] = { CP_ANOMALY_CERT_CACHE_FULL,   CP_ANOMALY_MODEL_SERVER_LIMIT,
                                        CP_ANOMALY_MODEL_CHAIN_LIMIT, CP_ANOMALY_FLOW_EVICTED,
                                        CP_ANOMALY_TCP_MEMCAP,        CP_ANOMALY_RECORDS_NO_DER };

    for (size_t i = 0; a != NULL && i < G_N_ELEMENTS(lost); i++)
        if (a->count[lost[i]] > 0)
            return true;
    return false;
}

unsigned
cp_diag_servers_checked(const GPtrArray *servers)
{
    unsigned n = 0;

    for (guint i = 0; servers != NULL && i < servers->len; i++)
        n += ((const CpServer *)servers->pdata[i])->chains->len > 0;
    return n;
}

CpOutcome
cp_diag_outcome(const CpDiagnosis *d, const CpSeen *seen)
{
    if (d->count[CP_SEV_ERROR] > 0)
        return CP_OUTCOME_ERROR;
    if (d->count[CP_SEV_WARNING] > 0)
        return CP_OUTCOME_WARNING;
    if (cp_diag_servers_checked(seen->servers) == 0 || cp_diag_evidence_incomplete(seen->anomalies))
        return CP_OUTCOME_INCONCLUSIVE;
    return CP_OUTCOME_CLEAN;
}

void
cp_diag_ca_free(gpointer p)
{
    CpCaSeen *c = p;
    g_free(c->name);
    g_free(c->key_id);
    g_free(c->root);
    g_ptr_array_free(c->servers, TRUE);
    g_free(c);
}

static void
server_diag_free(gpointer p)
{
    CpServerDiag *sd = p;
    g_ptr_array_free(sd->paths, TRUE);
    g_free(sd);
}

void
cp_diagnosis_free(CpDiagnosis *d)
{
    if (d == NULL)
        return;
    g_ptr_array_set_free_func(d->findings, cp_diag_finding_free);
    g_ptr_array_free(d->findings, TRUE);
    g_ptr_array_set_free_func(d->cas, cp_diag_ca_free);
    g_ptr_array_free(d->cas, TRUE);
    g_ptr_array_set_free_func(d->servers, server_diag_free);
    g_ptr_array_free(d->servers, TRUE);
    cp_roles_free(d->roles);
    g_ptr_array_free(d->trusted_applied, TRUE);
    g_free(d);
}
