/* SPDX-License-Identifier: BSD-2-Clause */
/* diagnose: per-server rules (dates, keys, signatures, names, order, path completeness, client
 * alerts) and the finding list. Cross-server rules live in diagnose_site.c.
 *
 * Every chain a server sent is judged at the capture time of the first handshake that carried
 * it (or --at). Findings are deduplicated by a key naming the fault (the certificate, or the
 * server and name), so a fault seen in a thousand handshakes is one finding listing its servers.
 */
#include "analysis/diagnose_private.h"

#include <string.h>

#include "dissectors/tls_tables.h"

static const struct {
    const char *code;
    CpSeverity sev;
} finding_info[] = {

#define CP_FINDING(id, code, sev, doc) [CP_FINDING_##id] = { code, CP_SEV_##sev },
#include "analysis/findings.def"
#undef CP_FINDING
};

const char *
cp_finding_code_name(CpFindingCode c)
{
    return c < CP_FINDING__COUNT ? finding_info[c].code : "unknown";
}

const char *
cp_severity_name(CpSeverity s)
{
    return s == CP_SEV_ERROR ? "error" : s == CP_SEV_WARNING ? "warning" : "info";
}

static void
add_unique(GPtrArray *a, const char *s)
{
    for (guint i = 0; i < a->len; i++)
        if (strcmp(a->pdata[i], s) == 0)
            return;
    g_ptr_array_add(a, g_strdup(s));
}

void
cp_diag_add_server(CpFinding *f, const char *endpoint)
{
    add_unique(f->servers, endpoint);
}

void
cp_diag_add_cert(CpFinding *f, const char *sha1)
{
    add_unique(f->certs, sha1);
}

CpFinding *
cp_diag_finding(Diag *g, CpFindingCode code, const char *key)
{
    g_autofree char *full = g_strdup_printf("%s|%s", cp_finding_code_name(code), key);
    CpFinding *f = g_hash_table_lookup(g->by_key, full);

    if (f != NULL)
        return f;
    f = g_new0(CpFinding, 1);
    f->code = code;
    f->severity = finding_info[code].sev;
    f->key = g_steal_pointer(&full);
    f->servers = g_ptr_array_new_with_free_func(g_free);
    f->certs = g_ptr_array_new_with_free_func(g_free);
    f->message = g_string_new(NULL);
    f->remedy = g_string_new(NULL);
    g_hash_table_insert(g->by_key, f->key, f);
    g_ptr_array_add(g->d->findings, f);
    return f;
}

void
cp_diag_cert_ref(GString *o, const CpCert *c)
{
    g_string_append_printf(o, "'%s' (serial %s, thumbprint %s)", c->subject, c->serial, c->sha1);
}

void
cp_diag_date(GString *o, int64_t t)
{
    g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(t);
    g_autofree char *s = dt ? g_date_time_format(dt, "%Y-%m-%d %H:%M UTC") : g_strdup("?");

    g_string_append(o, s);
}

CpServerDiag *
cp_diag_server(Diag *g, const CpServer *s)
{
    for (guint i = 0; i < g->d->servers->len; i++) {
        CpServerDiag *sd = g->d->servers->pdata[i];
        if (sd->server == s)
            return sd;
    }
    return NULL;
}

void
cp_diag_server_ref(Diag *g, GString *o, const CpServer *s)
{
    const GPtrArray *names = cp_roles_names(g->d->roles, s);
    CpRole role = cp_roles_get(g->d->roles, s);

    if (role != CP_ROLE_UNKNOWN)
        g_string_append_printf(o, "%s ",
                               role == CP_ROLE_FRONTEND   ? "the front end"
                               : role == CP_ROLE_EXCHANGE ? "the Exchange server"
                                                          : "the Edge server");
    if (names->len > 0)
        g_string_append_printf(o, "%s (%s)", (const char *)names->pdata[0], s->endpoint);
    else
        g_string_append(o, s->endpoint);
}

void
cp_diag_server_ref_cap(Diag *g, GString *o, const CpServer *s)
{
    size_t at = o->len;

    /* Host names keep their case: "The server www.x.org", not "Www.x.org". */
    if (cp_roles_get(g->d->roles, s) == CP_ROLE_UNKNOWN)
        g_string_append(o, "The server ");
    cp_diag_server_ref(g, o, s);
    if (at < o->len)
        o->str[at] = g_ascii_toupper(o->str[at]);
}

/* Captures with a zeroed or absurd clock (before 1995) cannot date anything; -1 skips the date
 * rules unless the user gave --at or --now. */
#define PLAUSIBLE_CAPTURE_S 788918400 /* 1995-01-01 */

/* A finding covers this server, this certificate, and these handshakes. */
static void
cover(CpFinding *f, const CpServer *s, const char *sha1, uint64_t handshakes)
{
    cp_diag_add_server(f, s->endpoint);
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

    for (guint i = 0; at >= 0 && i < ch->links->len; i++) {
        const CpCert *c = g_array_index(ch->links, CpChainLink, i).cert;
        if (c == NULL || (at >= c->not_before && at <= c->not_after))
            continue;
        bool expired = at > c->not_after;
        CpFinding *f = cp_diag_finding(g, expired ? CP_FINDING_EXPIRED : CP_FINDING_NOT_YET_VALID,
                                       c->sha1);
        if (f->message->len == 0) {
            g_string_append_printf(f->message, "The %s certificate ", i == 0 ? "server" : "CA");
            cp_diag_cert_ref(f->message, c);
            g_string_append(f->message, expired ? " expired on " : " is not valid before ");
            cp_diag_date(f->message, expired ? c->not_after : c->not_before);
            g_string_append_printf(f->message, "; the %s is ",
                                   g->opt->has_at ? "time asked for" : "capture");
            cp_diag_date(f->message, at);
            g_string_append(f->message, ". Clients refuse it.");
            g_string_append(f->remedy, expired ? "Renew the certificate"
                                               : "Check the clock of the CA "
                                                 "that issued it, or wait until it is valid,");
            g_string_append_printf(f->remedy,
                                   " and install it on %s; Lync and Exchange "
                                   "servers need a restart of their services (or a rebind in "
                                   "IIS) to present the new one.",
                                   s->endpoint);
        }
        cover(f, s, c->sha1, ch->count);
    }
}

static void
weak(Diag *g, const CpServer *s, const CpSeenChain *ch)
{
    for (guint i = 0; i < ch->links->len; i++) {
        const CpCert *c = g_array_index(ch->links, CpChainLink, i).cert;
        if (c == NULL)
            continue;
        bool ec = strcmp(c->key_type, "EC") == 0;
        bool rsa_dsa = strcmp(c->key_type, "RSA") == 0 || strcmp(c->key_type, "DSA") == 0;
        if ((rsa_dsa && c->key_bits < 2048) || (ec && c->key_bits < 256)) {
            CpFinding *f = cp_diag_finding(g, CP_FINDING_WEAK_KEY, c->sha1);
            if (f->message->len == 0) {
                cp_diag_cert_ref(f->message, c);
                g_string_append_printf(f->message,
                                       " has a %u-bit %s key; clients and browsers "
                                       "refuse keys under %s bits.",
                                       c->key_bits, c->key_type, ec ? "256" : "2048");
                g_string_append(f->remedy, "Request a new certificate with a 2048-bit (or larger) "
                                           "RSA key, or an EC P-256 key.");
            }
            cover(f, s, c->sha1, ch->count);
        }
        const char *h = c->sig_hash;
        if (!c->self_signed && h != NULL && (strcmp(h, "SHA1") == 0 || strcmp(h, "MD5") == 0)) {
            CpFinding *f = cp_diag_finding(g, CP_FINDING_WEAK_SIGNATURE, c->sha1);
            if (f->message->len == 0) {
                cp_diag_cert_ref(f->message, c);
                g_string_append_printf(f->message,
                                       " is signed with %s (%s); current clients "
                                       "reject %s signatures on certificates other than roots.",
                                       h, c->signature, h);
                g_string_append(f->remedy, "Re-issue it from a CA configured to sign with "
                                           "SHA-256 (certutil -setreg ca\\csp\\CNGHashAlgorithm "
                                           "SHA256 on a Windows CA, then restart certsvc).");
            }
            cover(f, s, c->sha1, ch->count);
        }
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
        CpFinding *f = cp_diag_finding(g, CP_FINDING_CHAIN_ORDER, leaf->sha1);
        if (f->message->len == 0) {
            g_string_append_printf(f->message,
                                   "The chain %s sends is not in issuer order: %s. "
                                   "Most clients cope; strict ones (and some phones) do not.",
                                   s->endpoint, why->str);
            g_string_append(f->remedy, "Install only the leaf and its intermediate CA "
                                       "certificates, each issued by the next.");
        }
        cp_diag_add_server(f, s->endpoint);
        f->handshakes += ch->count;
    }
    g_string_free(why, TRUE);
}

static const char *
alert_meaning(int desc)
{
    switch (desc) {
    case 42:
        return "the client found the certificate unusable (corrupt, bad signature, or not "
               "meeting its requirements)";
    case 43:
        return "the client does not support this kind of certificate (key type or key usage)";
    case 44:
        return "the client found the certificate revoked (check the CA's CRL/OCSP)";
    case 45:
        return "by the client's clock the certificate has expired or is not yet valid";
    case 46:
        return "the client could not accept the certificate for another reason (often a name "
               "mismatch, a missing Server Authentication EKU, or an unreachable revocation list)";
    case 48:
        return "the client could not build a path to a CA it trusts: the root (or the "
               "intermediate) of this chain is not in its trust store";
    default:
        return NULL;
    }
}

static void
rejected(Diag *g, const CpServer *s)
{
    for (guint i = 0; i < s->alerts->len; i++) {
        const CpAlertSeen *a = &g_array_index(s->alerts, CpAlertSeen, i);
        const char *meaning = alert_meaning(a->desc);
        if (!a->from_client || meaning == NULL)
            continue;
        const char *name = cp_tls_alert_name((uint8_t)a->desc);
        g_autofree char *key = g_strdup_printf("%s|%d", s->endpoint, a->desc);
        CpFinding *f = cp_diag_finding(g, CP_FINDING_CLIENT_REJECTED, key);
        g_string_append(f->message, "A client rejected the certificate of ");
        cp_diag_server_ref(g, f->message, s);
        g_string_append_printf(f->message,
                               " with the fatal alert %s (%" G_GUINT64_FORMAT " time%s): %s.", name,
                               a->count, a->count == 1 ? "" : "s", meaning);
        if (s->chains->len > 0) {
            const CpSeenChain *ch = s->chains->pdata[0];
            const CpCert *leaf = g_array_index(ch->links, CpChainLink, 0).cert;
            if (leaf != NULL) {
                g_string_append(f->message, " The certificate is ");
                cp_diag_cert_ref(f->message, leaf);
                g_string_append_printf(f->message, ", issued by '%s'.", leaf->issuer);
                cp_diag_add_cert(f, leaf->sha1);
            }
        }
        g_string_append(
                f->remedy,
                a->desc == 48
                        ? "Give the client the root of this chain (import it into its Trusted Root "
                          "Certification Authorities; for Lync phones add it to TrustedCACerts, "
                          "see "
                          "ca-mismatch), or re-issue the server certificate from a CA the client "
                          "trusts."
                        : "See the other findings for this server; fix the certificate the alert "
                          "points "
                          "at and capture again.");
        cp_diag_add_server(f, s->endpoint);
        f->handshakes += a->count;
    }
}

/* Each chain against the names it was asked for (servers choose certificates by SNI). */
static void
names(Diag *g, const CpServer *s, const CpSeenChain *ch)
{
    const CpCert *leaf = g_array_index(ch->links, CpChainLink, 0).cert;

    for (guint i = 0; leaf != NULL && i < ch->names->len; i++) {
        const char *asked = ch->names->pdata[i];
        if (cp_cert_matches_host(leaf, asked))
            continue;
        g_autofree char *key = g_strdup_printf("%s|%s", s->endpoint, asked);
        CpFinding *f = cp_diag_finding(g, CP_FINDING_NAME_MISMATCH, key);
        if (f->message->len == 0) {
            g_string_append_printf(f->message, "Clients asked %s for '%s', but its certificate ",
                                   s->endpoint, asked);
            cp_diag_cert_ref(f->message, leaf);
            g_string_append(f->message, " is for ");
            for (guint j = 0; j < leaf->san_dns->len; j++)
                g_string_append_printf(f->message, "%s'%s'", j ? ", " : "",
                                       (const char *)leaf->san_dns->pdata[j]);
            for (guint j = 0; j < leaf->san_ip->len; j++)
                g_string_append_printf(f->message, "%s'%s'", j || leaf->san_dns->len ? ", " : "",
                                       (const char *)leaf->san_ip->pdata[j]);
            if (leaf->san_dns->len == 0 && leaf->san_ip->len == 0)
                g_string_append_printf(f->message, "'%s' (CN, no SAN)",
                                       leaf->common_name ? leaf->common_name : "");
            g_string_append(f->message, " only.");
            g_string_append_printf(f->remedy,
                                   "Add '%s' to the Subject Alternative Name of a new "
                                   "certificate for this server (Exchange: New-ExchangeCertificate "
                                   "-DomainName; Lync: the Certificate Wizard), or point the "
                                   "client at a name the certificate has.",
                                   asked);
        }
        cover(f, s, leaf->sha1, ch->count);
    }
}

static const char *
aia_of(const CpSeenChain *ch)
{
    const CpChainLink *last = &g_array_index(ch->links, CpChainLink, ch->links->len - 1);
    if (last->cert != NULL && last->cert->aia_ca_issuers->len > 0)
        return last->cert->aia_ca_issuers->pdata[0];
    return NULL;
}

/* Which server of the capture sent the certificate with this SHA-1 (for "seen elsewhere"). */
static const CpServer *
sender_of(Diag *g, const char *sha1)
{
    GPtrArray *servers = cp_model_servers(g->model);
    for (guint i = 0; i < servers->len; i++) {
        const CpServer *s = servers->pdata[i];
        for (guint j = 0; j < s->chains->len; j++) {
            const CpSeenChain *ch = s->chains->pdata[j];
            for (guint k = 0; k < ch->links->len; k++)
                if (strcmp(g_array_index(ch->links, CpChainLink, k).sha1, sha1) == 0)
                    return s;
        }
    }
    return NULL;
}

static void
missing_found_elsewhere(Diag *g, const CpServer *s, const CpSeenChain *ch, const CpPath *p)
{
    for (guint i = 1; i < p->certs->len; i++) {
        const CpPathCert *pc = &g_array_index(p->certs, CpPathCert, i);
        if (pc->source == CP_SRC_SENT || pc->is_anchor)
            continue;
        g_autofree char *key = g_strdup_printf("%s|%s", s->endpoint, pc->sha1);
        CpFinding *f = cp_diag_finding(g, CP_FINDING_MISSING_INTERMEDIATE, key);
        if (f->message->len == 0) {
            const CpServer *o = pc->source == CP_SRC_CAPTURE ? sender_of(g, pc->sha1) : NULL;
            cp_diag_server_ref_cap(g, f->message, s);
            g_string_append_printf(f->message,
                                   " does not send the intermediate CA '%s' "
                                   "(thumbprint %s) its certificate needs. ",
                                   pc->subject, pc->sha1);
            if (o != NULL)
                g_string_append_printf(f->message,
                                       "It was seen elsewhere in this capture (sent by "
                                       "%s), so certpath could complete the path, but clients that "
                                       "do not fetch missing CAs (Lync phones, Edge peers) cannot.",
                                       o->endpoint);
            else
                g_string_append(f->message,
                                "It came from the trust store; clients without it "
                                "there (Lync phones, Edge peers) cannot build the path.");
            g_string_append_printf(f->remedy,
                                   "On %s, import '%s' into the computer's "
                                   "Intermediate Certification Authorities store (certlm.msc), so "
                                   "the server sends it with its certificate; restart the "
                                   "service or rebind the certificate.",
                                   s->endpoint, pc->subject);
            if (aia_of(ch) != NULL)
                g_string_append_printf(f->remedy, " Download it from %s.", aia_of(ch));
            cp_diag_add_cert(f, pc->sha1);
        }
        cp_diag_add_server(f, s->endpoint);
        f->handshakes += ch->count;
    }
}

static void
issuer_missing(Diag *g, const CpServer *s, const CpSeenChain *ch, const CpPath *p)
{
    const CpPathCert *top = cp_path_top(p);
    const CpCert *top_cert = top ? cp_cert_cache_find_sha1(g->cache, top->sha1) : NULL;
    bool top_is_ca = top_cert != NULL && top_cert->is_ca;
    g_autofree char *key = g_strdup_printf("%s|%s", p->missing_issuer ? p->missing_issuer : "",
                                           p->missing_aki ? p->missing_aki : "");
    CpFinding *f = cp_diag_finding(
            g, top_is_ca ? CP_FINDING_UNTRUSTED_ROOT : CP_FINDING_MISSING_INTERMEDIATE, key);
    if (f->message->len == 0 && top_is_ca) {
        g_string_append_printf(f->message,
                               "The path ends at the CA '%s', issued by '%s'%s%s%s, "
                               "which is neither sent by the server nor a trust anchor here.",
                               top->subject, p->missing_issuer ? p->missing_issuer : "?",
                               p->missing_aki ? " (key id " : "",
                               p->missing_aki ? p->missing_aki : "", p->missing_aki ? ")" : "");
        g_string_append_printf(f->remedy,
                               "If '%s' is your enterprise root CA, clients must have "
                               "it in Trusted Root Certification Authorities; give it to certpath "
                               "with --ca-file ROOT.pem (export: certutil -ca.cert root.cer, or "
                               "from certlm.msc) to check the rest of the path.",
                               p->missing_issuer ? p->missing_issuer : "?");
    } else if (f->message->len == 0) {
        cp_diag_server_ref_cap(g, f->message, s);
        g_string_append_printf(f->message,
                               " sends its certificate '%s' without the CA that "
                               "issued it: '%s'%s%s%s, which is not a trust anchor and was not "
                               "seen anywhere in this capture. Clients that do not download "
                               "missing CAs (Lync phones, Edge peers) cannot build the path.",
                               top ? top->subject : "?",
                               p->missing_issuer ? p->missing_issuer : "?",
                               p->missing_aki ? " (key id " : "",
                               p->missing_aki ? p->missing_aki : "", p->missing_aki ? ")" : "");
        g_string_append_printf(f->remedy,
                               "Install the intermediate certificate '%s' on %s "
                               "(import it into the computer's Intermediate Certification "
                               "Authorities store, then rebind or restart the service) so the "
                               "server sends the whole chain.",
                               p->missing_issuer ? p->missing_issuer : "?", s->endpoint);
        if (aia_of(ch) != NULL)
            g_string_append_printf(f->remedy,
                                   " The certificate says it can be downloaded from "
                                   "%s.",
                                   aia_of(ch));
    }
    cp_diag_add_server(f, s->endpoint);
    if (top != NULL)
        cp_diag_add_cert(f, top->sha1);
    f->handshakes += ch->count;
}

static void
untrusted_root(Diag *g, const CpServer *s, const CpSeenChain *ch, const CpPath *p)
{
    const CpPathCert *top = cp_path_top(p);
    CpFinding *f = cp_diag_finding(g, CP_FINDING_UNTRUSTED_ROOT, top->sha1);

    if (f->message->len == 0) {
        g_string_append_printf(f->message,
                               "The path ends at the self-signed root '%s' "
                               "(thumbprint %s), which is not a trust anchor here.",
                               top->subject, top->sha1);
        g_string_append_printf(f->remedy,
                               "If '%s' is your enterprise root, clients must have it "
                               "in Trusted Root Certification Authorities (Group Policy), and "
                               "certpath needs it with --ca-file; otherwise re-issue the "
                               "certificate from a CA the clients trust.",
                               top->subject);
        cp_diag_add_cert(f, top->sha1);
    }
    cp_diag_add_server(f, s->endpoint);
    f->handshakes += ch->count;
}

static void
paths(Diag *g, const CpServer *s, CpServerDiag *sd)
{
    for (guint i = 0; i < s->chains->len; i++) {
        const CpSeenChain *ch = s->chains->pdata[i];
        int64_t at = judge_time(g, ch);
        CpPath *p = cp_trust_build(g->trust, g->cache, ch->links,
                                   at >= 0 ? at : (int64_t)(ch->first_ts_ns / 1000000000u));
        g_ptr_array_add(sd->paths, p);
        if (p == NULL)
            continue;
        if (p->status == CP_PATH_ISSUER_MISSING)
            issuer_missing(g, s, ch, p);
        else if (p->status == CP_PATH_UNTRUSTED_ROOT)
            untrusted_root(g, s, ch, p);
        missing_found_elsewhere(g, s, ch, p);
        dates(g, s, ch);
        weak(g, s, ch);
        order(g, s, ch);
        names(g, s, ch);
    }
}

static void
unseen(Diag *g, const CpServer *s)
{
    if (s->chains->len > 0)
        return;
    if (s->truncated > 0) {
        CpFinding *f = cp_diag_finding(g, CP_FINDING_TRUNCATED_CAPTURE, s->endpoint);
        g_string_append_printf(f->message,
                               "The certificate of %s could not be read: %" G_GUINT64_FORMAT
                               " handshake%s lost bytes to the capture (a snaplen shorter than the "
                               "packets, or segments the capture dropped).",
                               s->endpoint, s->truncated, s->truncated == 1 ? "" : "s");
        g_string_append(f->remedy, "Capture again with whole packets, on the server itself if "
                                   "possible: tcpdump -i any -s 0 -w trace.pcap 'tcp port 443 or "
                                   "tcp port 5061' (Windows: netsh trace start capture=yes, or "
                                   "certpath -i on the server).");
        cp_diag_add_server(f, s->endpoint);
        f->handshakes += s->truncated;
    } else if (s->tls13 > 0) {
        CpFinding *f = cp_diag_finding(g, CP_FINDING_TLS13_ENCRYPTED, s->endpoint);
        g_string_append_printf(f->message,
                               "%s negotiated TLS 1.3, which encrypts the server's "
                               "certificate: certpath cannot see its chain.",
                               s->endpoint);
        g_string_append(f->remedy, "Capture a handshake from a client limited to TLS 1.2 (e.g. "
                                   "openssl s_client -tls1_2 -connect HOST:PORT -showcerts).");
        cp_diag_add_server(f, s->endpoint);
        f->handshakes += s->tls13;
    }
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
    Diag g = { d, m, cache, trust, opt, g_hash_table_new(g_str_hash, g_str_equal) };
    GPtrArray *servers = cp_model_servers(m);

    d->findings = g_ptr_array_new();
    d->cas = g_ptr_array_new();
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
    }
    cp_diag_site_rules(&g);
    g_ptr_array_sort(d->findings, by_severity);
    for (guint i = 0; i < d->findings->len; i++) {
        const CpFinding *f = d->findings->pdata[i];
        d->count[f->severity]++;
        if (f->severity > d->worst)
            d->worst = f->severity;
    }
    g_hash_table_destroy(g.by_key);
    return d;
}

static void
finding_free(gpointer p)
{
    CpFinding *f = p;
    g_free(f->key);
    g_ptr_array_free(f->servers, TRUE);
    g_ptr_array_free(f->certs, TRUE);
    g_string_free(f->message, TRUE);
    g_string_free(f->remedy, TRUE);
    g_free(f);
}

static void
ca_free(gpointer p)
{
    CpCaSeen *c = p;
    g_free(c->name);
    g_free(c->key_id);
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
    g_ptr_array_set_free_func(d->findings, finding_free);
    g_ptr_array_free(d->findings, TRUE);
    g_ptr_array_set_free_func(d->cas, ca_free);
    g_ptr_array_free(d->cas, TRUE);
    g_ptr_array_set_free_func(d->servers, server_diag_free);
    g_ptr_array_free(d->servers, TRUE);
    cp_roles_free(d->roles);
    g_free(d);
}
