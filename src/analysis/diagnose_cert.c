/* SPDX-License-Identifier: BSD-2-Clause */
/* diagnose_cert: rules about the properties of the certificates themselves, and the two patterns
 * that make date and name rules meaningless on a capture.
 *
 * - wrong-purpose: a leaf whose extendedKeyUsage lacks serverAuth, a keyUsage that does not allow
 *   what the negotiated key exchange does with the key, a CA certificate of the chain without
 *   CA basic constraints. Every RFC 5280 client refuses these, so they are errors.
 * - client-incompatible: what a class of clients of a Lync/Skype or Exchange server may not
 *   handle (wildcard names for phones, RSASSA-PSS, RSA sizes other than 1024/2048/4096). Raised
 *   only where the server's role makes that client class plausible (a front end or Edge, or an
 *   Exchange server of the same site), and as a warning: the capture shows the certificate, not
 *   the clients' firmware.
 * - capture-clock: a server cannot send a certificate before it exists. A certificate whose
 *   notBefore is far after the capture time says the capture's clock is wrong (rewritten or
 *   fabricated timestamps), not the certificate; its chain's dates are then not judged.
 * - random-names: Tor relays put random www.<base32>.com names in SNI and unrelated random
 *   www.<base32>.net names in their certificates; nothing is meant to match, and the issuer (the
 *   relay's identity certificate) travels inside the encrypted channel: no issuer-unknown.
 *
 * The words are here too (static text functions), so the shared finding_text.c stays untouched.
 */
#include "analysis/diagnose_private.h"

#include <string.h>

#include "dissectors/tls_tables.h"

/* How far a certificate's notBefore may lie after the capture before the capture's clock, not the
 * certificate, is the likelier fault. A CA with a wrong clock or a start date set on purpose is
 * off by hours or days; a month is beyond what an issuing CA does and what the not-yet-valid
 * finding is for. */
#define CLOCK_LEAD_S ((int64_t)30 * 86400)

/* RSA key sizes Lync/Skype for Business Server certificates support ("Certificate infrastructure
 * requirements for Lync Server 2013"). */
static bool
lync_rsa_size(unsigned bits)
{
    return bits == 1024 || bits == 2048 || bits == 4096;
}

static bool
is_rsa(const CpCert *c)
{
    return strcmp(c->key_type, "RSA") == 0 || strcmp(c->key_type, "RSA-PSS") == 0;
}

/* ---- capture-clock ---- */

/* server, chain, cert (the newest), at. */
static void
text_capture_clock(Diag *g, CpFinding *f, const DiagFacts *x)
{
    (void)g;
    g_string_append(f->message, "The capture's clock says ");
    cp_diag_date(f->message, x->at);
    g_string_append_printf(f->message, ", but %s sent the certificate ", x->server->endpoint);
    cp_diag_cert_ref(f->message, x->cert);
    g_string_append(f->message, ", which starts ");
    cp_diag_date(f->message, x->cert->not_before);
    g_string_append(f->message,
                    ". A server cannot send a certificate before it is issued, so the capture's "
                    "timestamps are wrong (rewritten, or the capturing machine's clock), not the "
                    "certificate: certpath did not judge the dates of the chains that show it. A "
                    "wrong clock on a client (a phone without NTP) shows instead as the client "
                    "refusing the "
                    "certificate.");
    g_string_append(f->remedy,
                    "Check the clock of the machine that captured, or give the real capture time "
                    "with --at YYYY-MM-DD to have the dates judged.");
}

bool
cp_diag_clock_wrong(Diag *g, const CpServer *s, const CpSeenChain *ch, int64_t at)
{
    const CpCert *newest = NULL;

    if (g->opt->has_at || at < 0)
        return false;
    for (guint i = 0; i < ch->links->len; i++) {
        const CpCert *c = g_array_index(ch->links, CpChainLink, i).cert;
        if (c != NULL && (newest == NULL || c->not_before > newest->not_before))
            newest = c;
    }
    /* One finding per capture: the clock is the capture's, whichever chains show it. */
    if (newest == NULL || newest->not_before - at <= CLOCK_LEAD_S)
        return false;
    DiagFacts x = { .server = s, .chain = ch, .cert = newest, .at = at };
    cp_diag_cover(cp_diag_report(g, CP_FINDING_CAPTURE_CLOCK, "capture", text_capture_clock, &x), s,
                  newest->sha1, ch->count);
    return true;
}

/* ---- random-names (Tor) ---- */

/* "www." + 4..32 base32 letters (a-z, 2-7) + "." + tld: the shape of Tor's random names. */
static bool
tor_name(const char *n, const char *tld)
{
    size_t len = strlen(n), tl = strlen(tld);

    if (len < 4 + 4 + 1 + tl || g_ascii_strncasecmp(n, "www.", 4) != 0 || n[len - tl - 1] != '.' ||
        g_ascii_strcasecmp(n + len - tl, tld) != 0)
        return false;
    size_t label = len - 4 - tl - 1;
    if (label > 32)
        return false;
    for (size_t i = 4; i < 4 + label; i++) {
        char c = g_ascii_tolower(n[i]);
        if (!((c >= 'a' && c <= 'z') || (c >= '2' && c <= '7')))
            return false;
    }
    return true;
}

/* "CN=www.<base32>.<tld>" and nothing else. */
static bool
tor_dn(const char *dn, const char *tld)
{
    return dn != NULL && strncmp(dn, "CN=", 3) == 0 && strchr(dn + 3, ',') == NULL &&
           strchr(dn + 3, '=') == NULL && tor_name(dn + 3, tld);
}

/* server, cert (the leaf), name. */
static void
text_random_names(Diag *g, CpFinding *f, const DiagFacts *x)
{
    (void)g;
    g_string_append_printf(
            f->message,
            "Clients asked %s (and any other server listed) for the random name '%s' and it "
            "answered with ",
            x->server->endpoint, x->name);
    cp_diag_cert_ref(f->message, x->cert);
    g_string_append(f->message,
                    ", itself a random name issued by another random name: the pattern of Tor "
                    "relays, whose clients authenticate the relay by its Tor identity key, not by "
                    "the name. The names are not meant to match, and the issuer is not meant "
                    "to be found: it is the relay's identity certificate, which Tor sends inside "
                    "the encrypted channel, so certpath does not report it as unknown. Nor does "
                    "it report the relays' 1024-bit RSA keys as weak: Tor's specification fixes "
                    "its link and identity keys at that size.");
    g_string_append(f->remedy, "Nothing to fix on a Tor relay. If this traffic should not be on "
                               "the network, it is a policy matter, not a certificate one.");
}

/* The leaf of a Tor relay: a random .net name issued by a random .com name, no SAN. */
static bool
tor_leaf(const CpCert *leaf)
{
    return leaf != NULL && leaf->san_dns->len == 0 && tor_dn(leaf->subject, "net") &&
           tor_dn(leaf->issuer, "com");
}

bool
cp_diag_tor_relay(const CpSeenChain *ch)
{
    if (!tor_leaf(g_array_index(ch->links, CpChainLink, 0).cert))
        return false;
    for (guint i = 0; i < ch->names->len; i++)
        if (tor_name(ch->names->pdata[i], "com"))
            return true;
    return false;
}

bool
cp_diag_random_names(Diag *g, const CpServer *s, const CpSeenChain *ch, const char *asked)
{
    const CpCert *leaf = g_array_index(ch->links, CpChainLink, 0).cert;

    if (!tor_leaf(leaf) || !tor_name(asked, "com"))
        return false;
    /* One note per capture, listing every relay: the pattern, not each relay, is the news. */
    DiagFacts x = { .server = s, .chain = ch, .cert = leaf, .is_leaf = true, .name = asked };
    cp_diag_cover(cp_diag_report(g, CP_FINDING_RANDOM_NAMES, "tor", text_random_names, &x), s,
                  leaf->sha1, ch->count);
    return true;
}

/* ---- wrong-purpose ---- */

/* What the server's key must be allowed to do for the suites it negotiated with this key type:
 * CP_KU_KEY_ENCIPHERMENT for RSA key exchange, CP_KU_DIGITAL_SIGNATURE for (EC)DHE and TLS 1.3
 * (RFC 5246 §7.4.2, RFC 8446 §4.4.2.2). Suites of the other key type (a dual RSA/ECDSA server)
 * and static ECDH are left out. */
static unsigned
needed_usage(const CpServer *s, const CpCert *leaf, uint16_t *cipher_out)
{
    unsigned need = 0;
    bool rsa = is_rsa(leaf), ec = strcmp(leaf->key_type, "EC") == 0;

    for (guint i = 0; i < s->ciphers->len; i++) {
        uint16_t v = g_array_index(s->ciphers, uint16_t, i);
        const char *n = cp_tls_cipher_name(v);
        unsigned add = 0;
        if (n == NULL)
            continue;
        if (rsa && g_str_has_prefix(n, "TLS_RSA_"))
            add = CP_KU_KEY_ENCIPHERMENT;
        else if (rsa &&
                 (g_str_has_prefix(n, "TLS_ECDHE_RSA_") || g_str_has_prefix(n, "TLS_DHE_RSA_")))
            add = CP_KU_DIGITAL_SIGNATURE;
        else if (ec && g_str_has_prefix(n, "TLS_ECDHE_ECDSA_"))
            add = CP_KU_DIGITAL_SIGNATURE;
        else if ((rsa || ec) && (v >> 8) == 0x13)
            add = CP_KU_DIGITAL_SIGNATURE;
        if ((add & ~leaf->key_usage) != 0 && *cipher_out == 0)
            *cipher_out = v;
        need |= add;
    }
    return need;
}

/* server, chain, cert, is_leaf, why (what is wrong), clients (who refuses it). */
static void
text_wrong_purpose(Diag *g, CpFinding *f, const DiagFacts *x)
{
    g_string_append(f->message, "The ");
    g_string_append(f->message, x->is_leaf ? "server certificate " : "CA certificate ");
    cp_diag_cert_ref(f->message, x->cert);
    g_string_append_printf(f->message, " sent by %s %s. %s", x->server->endpoint, x->why,
                           x->clients);
    if (!x->is_leaf) {
        g_string_append(f->remedy, "Re-issue this CA certificate as a CA (basicConstraints "
                                   "CA:TRUE; on a Windows CA, the Subordinate Certification "
                                   "Authority template), or stop sending it if it is not the "
                                   "issuer, then re-issue the server certificate under it.");
        return;
    }
    g_string_append(f->remedy, "Re-issue the certificate from the Web Server template (on a "
                               "Windows CA), which gives the Server Authentication purpose and "
                               "the key usage TLS needs (digital signature and key encipherment "
                               "for RSA), ");
    switch (cp_roles_get(g->d->roles, x->server)) {
    case CP_ROLE_FRONTEND:
    case CP_ROLE_EDGE:
        g_string_append(f->remedy, "with Request-CsCertificate or the Certificate Wizard (Lync "
                                   "server certificates must have the Server EKU), then assign it "
                                   "with Set-CsCertificate.");
        break;
    case CP_ROLE_EXCHANGE:
        g_string_append(f->remedy, "then assign it with Enable-ExchangeCertificate -Thumbprint "
                                   "<new thumbprint> -Services IIS.");
        break;
    default:
        g_string_append(f->remedy, "then install it and rebind the service.");
        break;
    }
}

static void
wrong_purpose(Diag *g, const CpServer *s, const CpSeenChain *ch, const char *why,
              const char *effect, const CpCert *c, bool is_leaf)
{
    DiagFacts x = {
        .server = s, .chain = ch, .cert = c, .is_leaf = is_leaf, .why = why, .clients = effect
    };
    g_autofree char *key = g_strdup_printf("%s|%s", c->sha1, why);

    cp_diag_cover(cp_diag_report(g, CP_FINDING_WRONG_PURPOSE, key, text_wrong_purpose, &x), s,
                  c->sha1, ch->count);
}

static void
leaf_purpose(Diag *g, const CpServer *s, const CpSeenChain *ch, const CpCert *leaf)
{
    uint16_t cipher = 0;

    if (leaf->has_eku && !leaf->eku_server_auth)
        wrong_purpose(g, s, ch,
                      "has an extended key usage without Server Authentication (serverAuth)",
                      "Windows, browsers and OpenSSL refuse it as a server certificate, and Lync "
                      "and Skype for Business require the Server EKU on every server certificate.",
                      leaf, true);
    if (!leaf->has_key_usage)
        return;
    unsigned need = needed_usage(s, leaf, &cipher);
    unsigned lacks = need & ~leaf->key_usage;
    if (lacks == 0 || cipher == 0)
        return;
    g_autofree char *why = g_strdup_printf(
            "has a key usage without %s, which the negotiated suite %s needs",
            (lacks & CP_KU_KEY_ENCIPHERMENT) ? "Key Encipherment" : "Digital Signature",
            cp_tls_cipher_name(cipher));
    wrong_purpose(g, s, ch, why,
                  "Clients that enforce key usage (RFC 5280 4.2.1.3) refuse the handshake; "
                  "lenient ones let it pass, so it may fail for some clients only.",
                  leaf, true);
}

/* A certificate of the chain that issued the one before it but is not a CA. Self-signed
 * certificates are left alone: a root is an anchor, and X.509 v1 roots have no extensions. */
static void
ca_purpose(Diag *g, const CpServer *s, const CpSeenChain *ch)
{
    for (guint i = 1; i < ch->links->len; i++) {
        const CpCert *prev = g_array_index(ch->links, CpChainLink, i - 1).cert;
        const CpCert *c = g_array_index(ch->links, CpChainLink, i).cert;
        if (c == NULL || prev == NULL || c->self_signed || c->is_ca ||
            strcmp(prev->issuer, c->subject) != 0)
            continue;
        wrong_purpose(g, s, ch,
                      c->has_basic_constraints
                              ? "issued the certificate before it but its basic constraints say "
                                "it is not a CA"
                              : "issued the certificate before it but has no CA basic constraints",
                      "RFC 5280 clients (Windows, browsers, OpenSSL) do not accept it as an "
                      "issuer, so the path ends there.",
                      c, false);
    }
}

/* ---- client-incompatible ---- */

/* (transfer none) the first wildcard name of the leaf, and whether it is its subject CN. */
static const char *
wildcard_of(const CpCert *c, bool *in_cn)
{
    *in_cn = c->common_name != NULL && c->common_name[0] == '*';
    if (*in_cn)
        return c->common_name;
    for (guint i = 0; i < c->san_dns->len; i++)
        if (((const char *)c->san_dns->pdata[i])[0] == '*')
            return c->san_dns->pdata[i];
    return NULL;
}

/* server, cert, why (the property), clients (which clients, and what they may not do), fix. */
static void
text_client_incompatible(Diag *g, CpFinding *f, const DiagFacts *x)
{
    cp_diag_server_ref_cap(g, f->message, x->server);
    g_string_append(f->message, " presents ");
    cp_diag_cert_ref(f->message, x->cert);
    g_string_append_printf(f->message, ", which %s. %s", x->why, x->clients);
    g_string_append(f->remedy, x->fix);
}

static void
incompatible(Diag *g, const CpServer *s, const CpSeenChain *ch, const CpCert *c, const char *what,
             const char *why, const char *clients, const char *fix)
{
    DiagFacts x = {
        .server = s, .chain = ch, .cert = c, .why = why, .clients = clients, .fix = fix
    };
    g_autofree char *key = g_strdup_printf("%s|%s", c->sha1, what);

    cp_diag_cover(
            cp_diag_report(g, CP_FINDING_CLIENT_INCOMPATIBLE, key, text_client_incompatible, &x), s,
            c->sha1, ch->count);
}

/* Whether Lync/Skype clients and phones plausibly reach this server: it is a front end or Edge,
 * or an Exchange server the user named as such or that shares a domain with a front end or Edge
 * of the capture. A server that merely has an Exchange-like name (outlook.com, a public mail
 * host) serves no phone certpath can see. */
static bool
lync_clients(Diag *g, const CpServer *s, CpRole role)
{
    if (role == CP_ROLE_FRONTEND || role == CP_ROLE_EDGE)
        return true;
    if (role != CP_ROLE_EXCHANGE)
        return false;
    if (cp_roles_user_set(g->d->roles, s))
        return true;
    GPtrArray *servers = cp_model_servers(g->model);
    for (guint i = 0; i < servers->len; i++) {
        const CpServer *o = servers->pdata[i];
        CpRole r = cp_roles_get(g->d->roles, o);
        if (o != s && (r == CP_ROLE_FRONTEND || r == CP_ROLE_EDGE) &&
            cp_roles_related(g->d->roles, o, s))
            return true;
    }
    return false;
}

static void
client_classes(Diag *g, const CpServer *s, const CpSeenChain *ch, const CpCert *leaf)
{
    CpRole role = cp_roles_get(g->d->roles, s);
    bool lync = role == CP_ROLE_FRONTEND || role == CP_ROLE_EDGE;

    if (!lync_clients(g, s, role))
        return;
    bool in_cn = false;
    const char *wild = wildcard_of(leaf, &in_cn);
    if (wild != NULL) {
        g_autofree char *why = g_strdup_printf("carries the wildcard %s '%s'",
                                               in_cn ? "subject name (CN)" : "SAN entry", wild);
        incompatible(
                g, s, ch, leaf, "wildcard", why,
                in_cn ? "Microsoft supports no wildcard as the subject name of any Lync/Skype "
                        "server role, and Lync Phone Edition devices may fail to sign in."
                      : "Microsoft allows wildcard SAN entries on Lync/Skype servers for the "
                        "simple URLs and asks to test unified communications devices first: Lync "
                        "Phone Edition devices may fail to sign in against a wildcard "
                        "certificate.",
                "Re-issue the certificate with every name spelled out (pool, front end and "
                "service names: Request-CsCertificate or the Certificate Wizard fills them in; "
                "on Exchange New-ExchangeCertificate -DomainName with each name), assign it, and "
                "test a phone before retiring the wildcard one.");
    }
    for (guint i = 0; i < ch->links->len; i++) {
        const CpCert *c = g_array_index(ch->links, CpChainLink, i).cert;
        if (c == NULL || !c->sig_pss || c->self_signed)
            continue;
        incompatible(g, s, ch, c, "pss", "is signed with RSASSA-PSS",
                     "Lync and Skype for Business do not support RSASSA-PSS signatures: sign-in "
                     "and call forwarding may fail for their clients and phones.",
                     "On the issuing Windows CA turn off the alternate signature format "
                     "(certutil -setreg ca\\csp\\AlternateSignatureAlgorithm 0, then restart "
                     "certsvc; clear 'Use alternate signature format' in the template), re-issue "
                     "the certificate with a PKCS #1 v1.5 signature and assign it.");
    }
    if (lync && is_rsa(leaf) && !lync_rsa_size(leaf->key_bits)) {
        g_autofree char *why = g_strdup_printf("has a %u-bit RSA key", leaf->key_bits);
        incompatible(g, s, ch, leaf, "rsa-size", why,
                     "Lync and Skype for Business Server support RSA keys of 1024, 2048 or 4096 "
                     "bits only.",
                     "Request a new certificate with a 2048-bit key (Request-CsCertificate "
                     "-KeySize 2048, or the Certificate Wizard) and assign it with "
                     "Set-CsCertificate.");
    }
}

void
cp_diag_cert_rules(Diag *g, const CpServer *s, const CpSeenChain *ch)
{
    const CpCert *leaf = g_array_index(ch->links, CpChainLink, 0).cert;

    if (!cp_diag_chain_cut(ch))
        ca_purpose(g, s, ch);
    if (leaf == NULL || !cp_diag_leaf_known(ch))
        return;
    leaf_purpose(g, s, ch, leaf);
    client_classes(g, s, ch, leaf);
}
