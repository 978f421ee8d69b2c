/* SPDX-License-Identifier: BSD-2-Clause */
/* finding_text_client: the wording of the client-side findings. Each names the clients (address,
 * what their ClientHello offered, the class it shows where that is clear) and how many other
 * clients the same server or chain served, so a ticket says who is broken and who is not.
 *
 * Facts checked against Microsoft's documentation (docs/guide.md lists the pages): Lync Phone
 * Edition cannot use TLS 1.2 and is out of scope once TLS 1.0/1.1 are disabled on Skype for
 * Business Server; the server side of a protocol is switched in SCHANNEL's registry key
 * Protocols\<version>\Server (Enabled, DisabledByDefault); server-to-server traffic is MTLS, and
 * each side must trust the CA of the other's certificate. */
#include "analysis/diagnose_client.h"

#include <string.h>

#include "dissectors/tls_tables.h"

enum { LISTED_MAX = 8, TLS10 = 0x0301 };

bool
cp_diag_client_is_phone_like(const CpClientSeen *c)
{
    return c->max_version != 0 && c->max_version <= TLS10 && !c->sni;
}

static void
version_text(GString *o, uint16_t v)
{
    const char *n = cp_tls_version_name(v);

    if (n != NULL)
        g_string_append(o, n);
    else
        g_string_append_printf(o, "0x%04x", v);
}

static void
prop(GString *o, bool on, const char *name, bool *first)
{
    if (!on)
        return;
    g_string_append_printf(o, "%s%s", *first ? "" : ", ", name);
    *first = false;
}

static void
suites_text(GString *o, const CpSuiteSummary *su)
{
    bool first = true;

    g_string_append_printf(o, "%u cipher suite%s", su->count, su->count == 1 ? "" : "s");
    if (su->count == 0)
        return;
    g_string_append(o, " (");
    prop(o, su->tls13, "TLS 1.3", &first);
    prop(o, su->ecdhe, "ECDHE", &first);
    prop(o, su->dhe, "DHE", &first);
    prop(o, su->rsa_kx, "RSA key exchange", &first);
    prop(o, su->aead, "AEAD", &first);
    prop(o, su->cbc, "CBC", &first);
    prop(o, su->rc4, "RC4", &first);
    prop(o, su->des3, "3DES", &first);
    if (first)
        g_string_append(o, "none known");
    g_string_append(o, ")");
}

void
cp_diag_client_class(GString *o, const CpClientSeen *c)
{
    if (c->max_version > TLS10)
        g_string_append(o, "up to ");
    version_text(o, c->max_version);
    if (c->max_version <= TLS10)
        g_string_append(o, " only");
    g_string_append(o, c->sni ? ", SNI" : ", no SNI");
    g_string_append(o, ", ");
    suites_text(o, &c->suites);
    if (cp_diag_client_is_phone_like(c))
        g_string_append(o, ": TLS 1.0 only without SNI, as Lync Phone Edition (Windows CE) sends");
}

static bool
listed_before(const CpServer *s, guint upto, const CpClientSeen *c, const DiagClientSel *sel)
{
    for (guint i = 0; i < upto; i++) {
        const CpClientSeen *p = &g_array_index(s->clients, CpClientSeen, i);
        if (cp_diag_client_selected(p, sel) && cp_addr_equal(&p->addr, &c->addr))
            return true;
    }
    return false;
}

unsigned
cp_diag_clients_count(const CpServer *s, const DiagClientSel *sel)
{
    unsigned n = 0;

    for (guint i = 0; i < s->clients->len; i++) {
        const CpClientSeen *c = &g_array_index(s->clients, CpClientSeen, i);
        n += cp_diag_client_selected(c, sel) && !listed_before(s, i, c, sel);
    }
    return n;
}

unsigned
cp_diag_clients_list(GString *o, const CpServer *s, const DiagClientSel *sel)
{
    unsigned n = 0;

    for (guint i = 0; i < s->clients->len; i++) {
        const CpClientSeen *c = &g_array_index(s->clients, CpClientSeen, i);
        if (!cp_diag_client_selected(c, sel) || listed_before(s, i, c, sel))
            continue;
        if (n++ >= LISTED_MAX)
            continue;
        char addr[64];
        cp_addr_format(&c->addr, addr, sizeof addr);
        g_string_append_printf(o, "%s%s (", n > 1 ? "; " : "", addr);
        if (c->has_mac)
            g_string_append_printf(o, "MAC %02x:%02x:%02x:%02x:%02x:%02x, ", c->mac[0], c->mac[1],
                                   c->mac[2], c->mac[3], c->mac[4], c->mac[5]);
        cp_diag_client_class(o, c);
        g_string_append(o, ")");
    }
    if (n > LISTED_MAX)
        g_string_append_printf(o, "; and %u more", n - LISTED_MAX);
    return n;
}

/* How many addresses sel picks that other picks too (the list is bounded by
 * --max-server-clients, so the pairwise walk is too). */
static unsigned
addresses_in_both(const CpServer *s, const DiagClientSel *sel, const DiagClientSel *other)
{
    unsigned n = 0;

    for (guint i = 0; i < s->clients->len; i++) {
        const CpClientSeen *c = &g_array_index(s->clients, CpClientSeen, i);
        if (!cp_diag_client_selected(c, sel) || listed_before(s, i, c, sel))
            continue;
        for (guint j = 0; j < s->clients->len; j++) {
            const CpClientSeen *d = &g_array_index(s->clients, CpClientSeen, j);
            if (cp_diag_client_selected(d, other) && cp_addr_equal(&d->addr, &c->addr)) {
                n++;
                break;
            }
        }
    }
    return n;
}

/* "2 other clients (10.1.9.12, 10.1.9.13) completed ..." for those that accepted the chain. */
static void
accepted_text(GString *o, const CpServer *s, int chain)
{
    DiagClientSel ok = { 1u << CP_CLIENT_ACCEPTED, chain, -2, NULL };
    DiagClientSel no = { (1u << CP_CLIENT_ALERTED) | (1u << CP_CLIENT_SILENT) |
                                 (1u << CP_CLIENT_PROTOCOL_REJECTED) |
                                 (1u << CP_CLIENT_CERT_REJECTED),
                         chain, -2, NULL };
    unsigned accepted = cp_diag_clients_count(s, &ok);
    unsigned refused = cp_diag_clients_count(s, &no);

    g_string_append_printf(o, " %u client%s accepted %s and %u refused it", accepted,
                           accepted == 1 ? "" : "s", chain >= 0 ? "the same chain" : "this server",
                           refused);
    if (accepted == 0) {
        g_string_append(o, ".");
        return;
    }
    g_string_append(o, "; accepted by: ");
    cp_diag_clients_list(o, s, &ok);
    g_string_append(o, ".");
    /* One address on both sides reads as a contradiction unless said: it is one machine whose
     * programs decided differently. */
    unsigned both = addresses_in_both(s, &ok, &no);
    if (both > 0)
        g_string_append_printf(
                o,
                " %s also refused it: programs on one machine can decide differently (a browser "
                "and a command-line tool, or an application with a trust store of its own, such "
                "as Firefox or Java).",
                both == 1 && accepted == 1 ? "That address" : "Addresses that accepted it");
}

void
cp_diag_clients_alerted_text(GString *o, const CpServer *s, int alert)
{
    DiagClientSel sel = { 1u << CP_CLIENT_ALERTED, -1, alert, NULL };

    if (cp_diag_clients_count(s, &sel) == 0)
        return; /* the alerts came from handshakes not classified (cut, truncated) */
    g_string_append(o, " Refused by: ");
    cp_diag_clients_list(o, s, &sel);
    g_string_append(o, ".");
    accepted_text(o, s, -1);
}

/* protocol-rejected: server, alert (desc -1: a reset). */
void
cp_diag_text_protocol_rejected(Diag *g, CpFinding *f, const DiagFacts *x)
{
    const CpServer *s = x->server;
    int desc = x->alert->desc;
    DiagClientSel sel = { 1u << CP_CLIENT_PROTOCOL_REJECTED, -1, desc, NULL };
    bool phones = false, old = false;

    cp_diag_server_ref_cap(g, f->message, s);
    if (desc >= 0)
        g_string_append_printf(f->message,
                               " answered the ClientHello with the fatal alert %s, before any "
                               "certificate, for %u client%s: ",
                               cp_tls_alert_name((uint8_t)desc), cp_diag_clients_count(s, &sel),
                               cp_diag_clients_count(s, &sel) == 1 ? "" : "s");
    else
        g_string_append_printf(f->message,
                               " reset the connection right after the ClientHello, before any "
                               "certificate, for %u client%s: ",
                               cp_diag_clients_count(s, &sel),
                               cp_diag_clients_count(s, &sel) == 1 ? "" : "s");
    cp_diag_clients_list(f->message, s, &sel);
    g_string_append(f->message, ".");
    accepted_text(f->message, s, -1);
    for (guint i = 0; i < s->clients->len; i++) {
        const CpClientSeen *c = &g_array_index(s->clients, CpClientSeen, i);
        if (!cp_diag_client_selected(c, &sel))
            continue;
        phones |= cp_diag_client_is_phone_like(c);
        old |= c->max_version <= TLS10;
    }
    if (old)
        g_string_append(
                f->remedy,
                "These clients offer nothing newer than TLS 1.0, which the server no longer "
                "accepts. Either re-enable TLS 1.0 on the server side of SCHANNEL on every server "
                "these clients reach (registry key HKLM\\SYSTEM\\CurrentControlSet\\Control\\"
                "SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.0\\Server: Enabled=1, "
                "DisabledByDefault=0, then restart the server), or retire the clients.");
    else
        g_string_append(
                f->remedy,
                "The server and these clients share no protocol version or cipher suite: compare "
                "what they offered (above) with the protocols and the cipher suite order enabled "
                "in the server's SCHANNEL configuration, and enable a common one or update the "
                "clients.");
    if (phones)
        g_string_append(f->remedy,
                        " Lync Phone Edition cannot use TLS 1.2: Microsoft lists it as out of "
                        "scope once TLS 1.0/1.1 are disabled on Skype for Business Server, so "
                        "keep TLS 1.0 enabled where the phones connect until they are replaced by "
                        "devices that speak TLS 1.2.");
    if (desc < 0)
        g_string_append(f->remedy,
                        " A Windows server resets instead of alerting when SCHANNEL refuses the "
                        "hello: its System event log names the reason (Schannel events).");
}

static void
chain_text(GString *o, const CpSeenChain *ch, const CpCert *leaf)
{
    g_string_append_printf(o, " The chain it saw (%u certificate%s): ", ch->links->len,
                           ch->links->len == 1 ? "" : "s");
    if (leaf == NULL) {
        g_string_append_printf(o, "first thumbprint %s",
                               g_array_index(ch->links, CpChainLink, 0).sha1);
    } else {
        cp_diag_cert_ref(o, leaf);
        g_string_append_printf(o, ", issued by '%s'", leaf->issuer);
    }
    g_string_append(o, ".");
}

/* silent-rejection: server, chain, cert (nullable: the leaf). */
void
cp_diag_text_silent_rejection(Diag *g, CpFinding *f, const DiagFacts *x)
{
    const CpServer *s = x->server;
    int chain = cp_diag_client_chain_of(s, x->chain);
    DiagClientSel sel = { 1u << CP_CLIENT_SILENT, chain, -2, NULL };
    unsigned n = cp_diag_clients_count(s, &sel);
    bool phones = false;

    g_string_append_printf(f->message, "%u client%s closed or reset the connection after ", n,
                           n == 1 ? "" : "s");
    cp_diag_server_ref(g, f->message, s);
    g_string_append(f->message,
                    " sent its certificate, without an alert and without finishing the handshake "
                    "(Windows CE devices and phones give up silently on a certificate they do not "
                    "accept): ");
    cp_diag_clients_list(f->message, s, &sel);
    g_string_append(f->message, ".");
    chain_text(f->message, x->chain, x->cert);
    accepted_text(f->message, s, chain);
    for (guint i = 0; i < s->clients->len; i++) {
        const CpClientSeen *c = &g_array_index(s->clients, CpClientSeen, i);
        phones |= cp_diag_client_selected(c, &sel) && cp_diag_client_is_phone_like(c);
    }
    g_string_append(f->remedy,
                    "Make this chain acceptable to these clients, as for client-rejected: give "
                    "them the root of this chain (Trusted Root Certification Authorities; Lync "
                    "phones may not trust it unless it is the pool's CA, a root in "
                    "TrustedCACerts — see ca-mismatch — or a public root of their firmware), or "
                    "re-issue the server certificate from a CA they trust. The other findings "
                    "for this server name what else they may refuse.");
    if (phones)
        g_string_append(f->remedy,
                        " Early Lync Phone Edition firmware may not accept SHA-256-signed "
                        "certificates: update the phones and test one before re-issuing.");
}

/* The root the client's chain leads to, as far as the chain says. */
static void
client_root_text(GString *o, const CpClientSeen *c)
{
    const CpChainLink *top = &g_array_index(c->client_chain, CpChainLink, c->client_chain->len - 1);

    if (top->cert == NULL) {
        g_string_append_printf(o, "its top certificate (thumbprint %s) did not parse", top->sha1);
        return;
    }
    if (top->cert->self_signed) {
        g_string_append_printf(o, "its root is '%s' (thumbprint %s, sent by the client)",
                               top->cert->subject, top->sha1);
        return;
    }
    g_string_append_printf(o, "its root is '%s' (not sent; the top certificate sent is '%s')",
                           top->cert->issuer, top->cert->subject);
}

static const char *
store_text(CpRole role)
{
    switch (role) {
    case CP_ROLE_FRONTEND:
        return "the Trusted Root Certification Authorities store of the local computer on every "
               "front end of the pool (Exchange UM, the Mediation Server and the Edge's internal "
               "interface connect to it by MTLS)";
    case CP_ROLE_EXCHANGE:
        return "the Trusted Root Certification Authorities store of the local computer on the "
               "Exchange server (the front end pool connects to Exchange UM by MTLS)";
    case CP_ROLE_EDGE:
        return "the Trusted Root Certification Authorities store of the local computer on the "
               "Edge server (it is usually not in the domain, so the enterprise root does not "
               "reach it by Group Policy: import it by hand)";
    case CP_ROLE_UNKNOWN:
    default:
        return "the server's trusted root store (on Windows, Trusted Root Certification "
               "Authorities of the local computer)";
    }
}

/* client-cert-rejected: server, alert, cert (the client's leaf), chain (nullable). */
void
cp_diag_text_client_cert_rejected(Diag *g, CpFinding *f, const DiagFacts *x)
{
    const CpServer *s = x->server;
    DiagClientSel sel = { 1u << CP_CLIENT_CERT_REJECTED, -1, -2, x->cert->sha1 };
    const CpClientSeen *first = NULL;

    for (guint i = 0; i < s->clients->len && first == NULL; i++) {
        const CpClientSeen *c = &g_array_index(s->clients, CpClientSeen, i);
        if (cp_diag_client_selected(c, &sel))
            first = c;
    }
    cp_diag_server_ref_cap(g, f->message, s);
    g_string_append_printf(f->message,
                           " asked for a client certificate (mutual TLS) and refused the one "
                           "sent with the fatal alert %s: ",
                           cp_tls_alert_name((uint8_t)x->alert->desc));
    cp_diag_cert_ref(f->message, x->cert);
    g_string_append_printf(f->message, ", issued by '%s'; ", x->cert->issuer);
    if (first != NULL)
        client_root_text(f->message, first);
    g_string_append(f->message, ". Sent by: ");
    cp_diag_clients_list(f->message, s, &sel);
    g_string_append(f->message, ".");
    DiagClientSel ok = { 1u << CP_CLIENT_ACCEPTED, -1, -2, NULL };
    unsigned accepted = cp_diag_clients_count(s, &ok);
    g_string_append_printf(f->message, " %u other client%s completed a handshake with this server.",
                           accepted, accepted == 1 ? "" : "s");
    g_string_append(f->remedy, "Import the root of the client's chain");
    if (first != NULL) {
        const CpChainLink *top =
                &g_array_index(first->client_chain, CpChainLink, first->client_chain->len - 1);
        if (top->cert != NULL)
            g_string_append_printf(f->remedy, " ('%s')",
                                   top->cert->self_signed ? top->cert->subject : top->cert->issuer);
    }
    g_string_append(f->remedy, " into ");
    g_string_append(f->remedy, store_text(cp_roles_get(g->d->roles, s)));
    g_string_append(f->remedy,
                    ", and any intermediate the client does not send into Intermediate "
                    "Certification Authorities; or re-issue the client's certificate from a CA "
                    "the server already trusts. Server-to-server traffic in Lync and Skype for "
                    "Business is always MTLS: both sides must trust the CA of the other's "
                    "certificate.");
}
