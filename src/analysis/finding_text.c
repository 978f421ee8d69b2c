/* SPDX-License-Identifier: BSD-2-Clause */
/* finding_text: the words of each finding — the plain-language message and the exact remedy, with
 * real names and thumbprints — written from the facts a rule gathered (DiagFacts). Nothing here
 * decides whether something is wrong; docs/guide.md shows each text in a report. */
#include "analysis/diagnose_client.h"
#include "analysis/diagnose_private.h"

#include <string.h>

#include "dissectors/tls_tables.h"

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

/* expired, not-yet-valid: server, cert, is_leaf, at. */
void
cp_diag_text_dates(Diag *g, CpFinding *f, const DiagFacts *x)
{
    const CpCert *c = x->cert;
    bool expired = f->code == CP_FINDING_EXPIRED;

    g_string_append_printf(f->message, "The %s certificate ", x->is_leaf ? "server" : "CA");
    cp_diag_cert_ref(f->message, c);
    g_string_append(f->message, expired ? " expired on " : " is not valid before ");
    cp_diag_date(f->message, expired ? c->not_after : c->not_before);
    g_string_append_printf(f->message, "; the %s is ",
                           g->opt->has_at ? "time asked for" : "capture");
    cp_diag_date(f->message, x->at);
    g_string_append(f->message, ". Clients refuse it.");
    g_string_append(f->remedy, expired ? "Renew the certificate"
                                       : "Check the clock of the CA "
                                         "that issued it, or wait until it is valid,");
    g_string_append_printf(f->remedy, " and install it on %s", x->server->endpoint);
    switch (cp_roles_get(g->d->roles, x->server)) {
    case CP_ROLE_EXCHANGE:
        g_string_append(f->remedy, "; on Exchange assign the new certificate with "
                                   "Enable-ExchangeCertificate -Thumbprint <new thumbprint> "
                                   "-Services IIS (add SMTP, IMAP, POP if they used the old one).");
        break;
    case CP_ROLE_FRONTEND:
    case CP_ROLE_EDGE:
        g_string_append(f->remedy, "; on Lync/Skype for Business assign it with Set-CsCertificate "
                                   "-Type <the types of the old one, see Get-CsCertificate> "
                                   "-Thumbprint <new thumbprint> (or the Certificate Wizard of the "
                                   "Deployment Wizard), then restart the services.");
        break;
    default:
        g_string_append(f->remedy, ", then restart the service (or rebind the certificate) so it "
                                   "presents the new one.");
        break;
    }
}

/* The certificate at fault, named by its place: the server's own, a CA's, a root's. */
static void
cert_role_ref(GString *o, const DiagFacts *x)
{
    g_string_append(o, x->is_leaf             ? "The server certificate "
                       : x->cert->self_signed ? "The root certificate "
                                              : "The CA certificate ");
    cp_diag_cert_ref(o, x->cert);
}

/* weak-key: cert, is_leaf. */
void
cp_diag_text_weak_key(Diag *g, CpFinding *f, const DiagFacts *x)
{
    const CpCert *c = x->cert;
    bool ec = strcmp(c->key_type, "EC") == 0;

    (void)g;
    cert_role_ref(f->message, x);
    g_string_append_printf(f->message, " has a %u-bit %s key. ", c->key_bits, c->key_type);
    if (ec)
        g_string_append(f->message, "Public CAs issue EC keys on the curves P-256, P-384 and "
                                    "P-521 only, and those are the curves Lync and Skype for "
                                    "Business Server support.");
    else
        g_string_append_printf(f->message,
                               "OpenSSL clients refuse %s keys under 2048 bits at security level "
                               "2 (the default of OpenSSL 3.2 and of current Linux "
                               "distributions), and public CAs have issued none since 2014; "
                               "Windows itself blocks only RSA keys under 1024 bits (KB 2661254), "
                               "so Windows clients may still accept it.",
                               c->key_type);
    if (!x->is_leaf) {
        g_string_append(f->message, " The key is the CA's: a new server certificate under the "
                                    "same CA does not change it.");
        g_string_append(f->remedy, "Renew the CA with a new key of 2048 bits or more (on a Windows "
                                   "CA: RenewalKeyLength=2048 in CAPolicy.inf, then Renew CA "
                                   "Certificate in the Certification Authority console with a "
                                   "new key pair, or certutil -renewCert without ReuseKeys), "
                                   "give clients the new CA "
                                   "certificate, and re-issue the server certificates under it.");
        return;
    }
    if (ec)
        g_string_append(f->remedy,
                        "Request a new certificate with a P-256 (or larger) EC key, or a "
                        "2048-bit RSA key, and install it in place of this one.");
    else
        g_string_append(f->remedy,
                        "Request a new certificate with a 2048-bit RSA key (Lync and Skype "
                        "for Business Server accept RSA keys of 1024, 2048 or 4096 bits "
                        "and recommend 2048 or more).");
}

/* When clients stopped accepting the hash (see hash_retired_s in diagnose.c). */
static const char *
hash_refused_since(const char *h)
{
    return strcmp(h, "MD5") == 0 ? "2013 (Microsoft Security Advisory 2862973)"
                                 : "2017 (Edge and Internet Explorer 11 from May 2017)";
}

/* weak-signature, weak-signature-old-capture: cert, is_leaf, at. */
void
cp_diag_text_weak_signature(Diag *g, CpFinding *f, const DiagFacts *x)
{
    const CpCert *c = x->cert;
    bool old = f->code == CP_FINDING_WEAK_SIGNATURE_OLD_CAPTURE;

    (void)g;
    cert_role_ref(f->message, x);
    g_string_append_printf(f->message, " is signed with %s (%s). ", c->sig_hash, c->signature);
    if (old) {
        g_string_append(f->message, "The capture was made on ");
        cp_diag_date(f->message, x->at);
        g_string_append_printf(f->message,
                               ", before browsers and Windows began refusing %s-signed server "
                               "certificates under public roots in %s: clients accepted it then. "
                               "A server presenting it today would be refused by them and by "
                               "OpenSSL 3 clients.",
                               c->sig_hash, hash_refused_since(c->sig_hash));
        g_string_append(f->remedy, "Nothing to fix in an old capture. On a live server, ");
    } else {
        g_string_append_printf(f->message,
                               "%s signatures can be forged: browsers and Windows refuse them on "
                               "server certificates under public roots since %s, and OpenSSL 3 "
                               "clients refuse them under any root at their default security "
                               "level. Windows still accepts them from an enterprise CA.",
                               c->sig_hash, hash_refused_since(c->sig_hash));
    }
    g_string_append(f->remedy,
                    x->is_leaf ? "re-issue it from a CA configured to sign with SHA-256 "
                                 "(certutil -setreg ca\\csp\\CNGHashAlgorithm SHA256 on a "
                                 "Windows CA, then restart certsvc)."
                               : "renew this CA certificate from its parent CA configured to sign "
                                 "with SHA-256 (certutil -setreg ca\\csp\\CNGHashAlgorithm SHA256 "
                                 "on a Windows CA, then restart certsvc) and install it where the "
                                 "servers send it.");
    if (!old) /* the remedy starts with that sentence: capitalise it */
        f->remedy->str[0] = g_ascii_toupper(f->remedy->str[0]);
    g_string_append(f->remedy, " Where Lync Phone Edition devices connect, bring their firmware up "
                               "to date first and test one: early releases may not handle "
                               "SHA-256-signed certificates.");
}

/* chain-order: server, why. */
void
cp_diag_text_chain_order(Diag *g, CpFinding *f, const DiagFacts *x)
{
    (void)g;
    g_string_append_printf(f->message,
                           "The chain %s sends is not in issuer order: %s. "
                           "Most clients cope; strict ones (and some phones) do not.",
                           x->server->endpoint, x->why);
    g_string_append(f->remedy, "Install only the leaf and its intermediate CA "
                               "certificates, each issued by the next.");
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
        return "the client refused the certificate";
    }
}

/* client-rejected: server, alert, cert (nullable: the leaf of the server's first chain). */
void
cp_diag_text_client_rejected(Diag *g, CpFinding *f, const DiagFacts *x)
{
    const CpAlertSeen *a = x->alert;

    g_string_append(f->message, "A client rejected the certificate of ");
    cp_diag_server_ref(g, f->message, x->server);
    g_string_append_printf(f->message,
                           " with the fatal alert %s (%" G_GUINT64_FORMAT " time%s): %s.",
                           cp_tls_alert_name((uint8_t)a->desc), a->count, a->count == 1 ? "" : "s",
                           alert_meaning(a->desc));
    if (x->cert != NULL) {
        g_string_append(f->message, " The certificate is ");
        cp_diag_cert_ref(f->message, x->cert);
        g_string_append_printf(f->message, ", issued by '%s'.", x->cert->issuer);
    }
    cp_diag_clients_alerted_text(f->message, x->server, a->desc);
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
}

/* name-mismatch: server, cert (the leaf), name. */
void
cp_diag_text_name_mismatch(Diag *g, CpFinding *f, const DiagFacts *x)
{
    const CpCert *leaf = x->cert;

    (void)g;
    g_string_append_printf(f->message, "Clients asked %s for '%s', but its certificate ",
                           x->server->endpoint, x->name);
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
                           x->name);
}

/* missing-intermediate, found elsewhere: server, path_cert, other (nullable: from the store),
 * aia. */
void
cp_diag_text_intermediate_elsewhere(Diag *g, CpFinding *f, const DiagFacts *x)
{
    const CpPathCert *pc = x->path_cert;

    cp_diag_server_ref_cap(g, f->message, x->server);
    g_string_append_printf(f->message,
                           " does not send the intermediate CA '%s' "
                           "(thumbprint %s) its certificate needs. ",
                           pc->subject, pc->sha1);
    if (x->other != NULL)
        g_string_append_printf(f->message,
                               "It was seen elsewhere in this capture (sent by "
                               "%s), so certpath could complete the path, but clients that "
                               "do not fetch missing CAs (Lync phones, Edge peers) cannot.",
                               x->other->endpoint);
    else
        g_string_append(f->message, "It came from the trust store; clients without it "
                                    "there (Lync phones, Edge peers) cannot build the path.");
    g_string_append_printf(f->remedy,
                           "On %s, import '%s' into the computer's "
                           "Intermediate Certification Authorities store (certlm.msc), so "
                           "the server sends it with its certificate; restart the "
                           "service or rebind the certificate.",
                           x->server->endpoint, pc->subject);
    if (x->other_cert != NULL)
        g_string_append_printf(f->remedy,
                               " It sends '%s' instead, which is not on its certificate's path: "
                               "remove that CA from the chain (from the Intermediate "
                               "Certification Authorities store of %s if it came from there).",
                               x->other_cert->subject, x->server->endpoint);
    if (x->aia != NULL)
        g_string_append_printf(f->remedy, " The certificate it issued says to download it from %s.",
                               x->aia);
}

/* How to hand certpath a CA of one's own: --ca-file reads PEM, and Windows exports DER by
 * default. */
#define CA_FILE_HOWTO                                                                           \
    "give it to certpath with --ca-file ROOT.pem (on the CA: certutil -ca.cert root.cer, then " \
    "certutil -encode root.cer root.pem for the Base64 form certpath reads; or certlm.msc > "   \
    "Export > Base-64 encoded X.509)"

static void
missing_issuer_ref(GString *o, const CpPath *p)
{
    g_string_append_printf(o, "'%s'%s%s%s", p->missing_issuer ? p->missing_issuer : "?",
                           p->missing_aki ? " (key id " : "", p->missing_aki ? p->missing_aki : "",
                           p->missing_aki ? ")" : "");
}

/* issuer-unknown: server, path, path_cert (the top: the server's own certificate), aia,
 * other_cert (nullable: a CA sent that is not on the path). */
void
cp_diag_text_issuer_unknown(Diag *g, CpFinding *f, const DiagFacts *x)
{
    const CpPath *p = x->path;
    const char *issuer = p->missing_issuer ? p->missing_issuer : "?";

    cp_diag_server_ref_cap(g, f->message, x->server);
    g_string_append_printf(f->message, " sends its certificate '%s', issued by ",
                           x->path_cert ? x->path_cert->subject : "?");
    missing_issuer_ref(f->message, p);
    g_string_append(f->message,
                    ", a CA that the server did not send, that no other server of this "
                    "capture sent and that is not in the trust store certpath used. "
                    "Either it is an intermediate CA the server omits (clients that do "
                    "not download missing CAs, such as Lync phones and Edge peers, then "
                    "cannot build the path), or it is your own root CA, which servers "
                    "need not send and certpath was not given.");
    if (x->other_cert != NULL)
        g_string_append_printf(f->message,
                               " The server does send '%s', which did not issue its certificate.",
                               x->other_cert->subject);
    g_string_append_printf(f->remedy,
                           "If '%s' is your root CA (a lab or test CA too), " CA_FILE_HOWTO
                           " and run again: certpath then checks the rest of the path. "
                           "If it is an intermediate CA, import it into the Intermediate "
                           "Certification Authorities store of %s (certlm.msc) and rebind or "
                           "restart the service, so the server sends it with its certificate.",
                           issuer, x->server->endpoint);
    if (x->other_cert != NULL)
        g_string_append_printf(f->remedy, " Remove '%s' from the chain the server sends.",
                               x->other_cert->subject);
    if (x->aia != NULL)
        g_string_append_printf(f->remedy,
                               " The server's certificate says its issuer can be downloaded from "
                               "%s.",
                               x->aia);
}

/* missing-intermediate, issuer seen nowhere and not among the CAs the user gave: server, path,
 * path_cert (the top: the server's own certificate), aia, other_cert (nullable). */
void
cp_diag_text_intermediate_unknown(Diag *g, CpFinding *f, const DiagFacts *x)
{
    const CpPath *p = x->path;
    const char *issuer = p->missing_issuer ? p->missing_issuer : "?";

    cp_diag_server_ref_cap(g, f->message, x->server);
    g_string_append_printf(f->message,
                           " sends its certificate '%s' without the CA that issued it: ",
                           x->path_cert ? x->path_cert->subject : "?");
    missing_issuer_ref(f->message, p);
    g_string_append(f->message, ". That CA is not among the CAs certpath was given (--ca-file, "
                                "--ca-path) and no server of this capture sent it, so it is most "
                                "likely an intermediate the server omits: clients that do not "
                                "download missing CAs (Lync phones, Edge peers) cannot build the "
                                "path.");
    if (x->other_cert != NULL)
        g_string_append_printf(f->message,
                               " The server does send '%s', which did not issue its certificate.",
                               x->other_cert->subject);
    g_string_append_printf(f->remedy,
                           "Import the intermediate certificate '%s' into the Intermediate "
                           "Certification Authorities store of %s (certlm.msc), then rebind or "
                           "restart the service so the server sends the whole chain. If '%s' is "
                           "in fact another root of yours, give it to certpath with --ca-file "
                           "instead.",
                           issuer, x->server->endpoint, issuer);
    if (x->other_cert != NULL)
        g_string_append_printf(f->remedy, " Remove '%s' from the chain the server sends.",
                               x->other_cert->subject);
    if (x->aia != NULL)
        g_string_append_printf(f->remedy,
                               " The server's certificate says its issuer can be downloaded from "
                               "%s.",
                               x->aia);
}

/* untrusted-root, the path ends at a CA whose issuer was seen nowhere: path, path_cert (the top).
 */
void
cp_diag_text_issuer_unknown_ca(Diag *g, CpFinding *f, const DiagFacts *x)
{
    const CpPath *p = x->path;

    (void)g;
    g_string_append_printf(f->message, "The path ends at the CA '%s', issued by ",
                           x->path_cert->subject);
    missing_issuer_ref(f->message, p);
    g_string_append(f->message, ", which is neither sent by the server nor a trust anchor here.");
    g_string_append_printf(f->remedy,
                           "If '%s' is your enterprise (or lab) root CA, clients must have "
                           "it in Trusted Root Certification Authorities; " CA_FILE_HOWTO
                           " to check the rest of the path.",
                           p->missing_issuer ? p->missing_issuer : "?");
}

/* untrusted-root, self-signed: server, path, path_cert (the root, or the server's own
 * self-signed certificate when the path has no other). */
void
cp_diag_text_untrusted_root(Diag *g, CpFinding *f, const DiagFacts *x)
{
    const CpPathCert *top = x->path_cert;

    if (x->path->certs->len == 1) {
        cp_diag_server_ref_cap(g, f->message, x->server);
        g_string_append_printf(f->message,
                               " presents the self-signed certificate '%s' (thumbprint %s): no CA "
                               "vouches for it, so only clients that hold this very certificate "
                               "as trusted, or pin its fingerprint (as WebRTC peers do through "
                               "the SDP), accept it: the way appliances and test servers work.",
                               top->subject, top->sha1);
        g_string_append(f->remedy,
                        "If the clients are meant to trust it, give certpath the same certificate "
                        "with --ca-file CERT.pem (certpath --export-certs DIR writes it as PEM) to "
                        "judge the rest. Otherwise install a certificate from a CA the clients "
                        "trust (your enterprise CA: the Web Server template on a Windows CA).");
        return;
    }
    g_string_append_printf(f->message,
                           "The path ends at the self-signed root '%s' "
                           "(thumbprint %s), which is not a trust anchor here.",
                           top->subject, top->sha1);
    g_string_append_printf(f->remedy,
                           "If '%s' is your enterprise (or lab) root, clients must have it "
                           "in Trusted Root Certification Authorities (Group Policy), and "
                           "certpath needs it with --ca-file ROOT.pem (certpath --export-certs DIR "
                           "writes the certificates the servers sent as PEM); otherwise re-issue "
                           "the certificate from a CA the clients trust.",
                           top->subject);
}

/* truncated-capture: server. */
void
cp_diag_text_truncated(Diag *g, CpFinding *f, const DiagFacts *x)
{
    const CpServer *s = x->server;

    (void)g;
    g_string_append_printf(f->message,
                           "The certificate of %s could not be read: %" G_GUINT64_FORMAT
                           " handshake%s lost bytes to the capture (a snaplen shorter than the "
                           "packets, or segments the capture dropped).",
                           s->endpoint, s->truncated, s->truncated == 1 ? "" : "s");
    g_string_append(f->remedy, "Capture again with whole packets, on the server itself if "
                               "possible: tcpdump -i any -s 0 -w trace.pcap 'tcp port 443 or "
                               "tcp port 5061' (Windows: netsh trace start capture=yes, or "
                               "certpath -i on the server).");
}

/* tls13-encrypted: server. */
void
cp_diag_text_tls13(Diag *g, CpFinding *f, const DiagFacts *x)
{
    (void)g;
    g_string_append_printf(f->message,
                           "%s negotiated TLS 1.3, which encrypts the server's "
                           "certificate: certpath cannot see its chain without the "
                           "session's key log.",
                           x->server->endpoint);
    g_string_append(f->remedy, "Read it with the client's key log: run the client with "
                               "SSLKEYLOGFILE=FILE (browsers, curl) or openssl s_client "
                               "-keylogfile FILE, then certpath --keylog FILE (or a pcapng with "
                               "the secrets in it: editcap --inject-secrets tls,FILE). Or "
                               "capture a handshake from a client limited to TLS 1.2 (e.g. "
                               "openssl s_client -tls1_2 -connect HOST:PORT -showcerts).");
}

/* What a cut chain still tells, and what it does not: the same for every cause. */
#define NOT_JUDGED                                                                               \
    " Missing intermediates, chain order and the root were not judged on those chains; what is " \
    "reported about the certificates certpath did read still holds."

/* incomplete-evidence, --max-chain: limit (the number of certificates kept). */
void
cp_diag_text_cut_max_chain(Diag *g, CpFinding *f, const DiagFacts *x)
{
    CpLimits def;

    (void)g;
    cp_limits_init_default(&def);
    if (x->limit == 0)
        g_string_append(f->message, "certpath read no certificate of the chains these servers "
                                    "sent (--max-chain 0), so it could not judge them.");
    else if (x->limit == 1)
        g_string_append(f->message, "These servers sent chains longer than certpath reads: it kept "
                                    "only the first certificate of each (--max-chain 1) and "
                                    "dropped the rest, so it cannot tell whether the servers send "
                                    "the intermediate CAs their certificates need." NOT_JUDGED);
    else
        g_string_append_printf(f->message,
                               "These servers sent chains longer than certpath reads: it kept the "
                               "first %u certificates of each (--max-chain %u) and dropped the "
                               "rest, so it cannot tell whether the servers send the intermediate "
                               "CAs their certificates need." NOT_JUDGED,
                               x->limit, x->limit);
    g_string_append_printf(
            f->remedy,
            "Run certpath again with a larger --max-chain (the default, %" G_GUINT64_FORMAT
            ", is enough for any real chain).",
            def.max_chain_certs);
}

/* incomplete-evidence, --max-cert-size: nothing. */
void
cp_diag_text_cut_cert_size(Diag *g, CpFinding *f, const DiagFacts *x)
{
    CpLimits def;

    (void)g;
    (void)x;
    cp_limits_init_default(&def);
    g_string_append(f->message, "Certificates larger than certpath reads (--max-cert-size) were "
                                "dropped from the chains these servers sent, so certpath cannot "
                                "tell which certificates those chains hold, nor whether the first "
                                "one left is the server's own." NOT_JUDGED);
    g_string_append_printf(f->remedy,
                           "Run certpath again with a larger --max-cert-size (the default is "
                           "%" G_GUINT64_FORMAT
                           " bytes). Real certificates take a few kilobytes: a much "
                           "larger one deserves a look in the capture itself.",
                           def.max_cert_len);
}

/* incomplete-evidence, a damaged certificate list: nothing (chains of several lengths share it). */
void
cp_diag_text_cut_damaged(Diag *g, CpFinding *f, const DiagFacts *x)
{
    (void)g;
    (void)x;
    g_string_append(f->message, "The Certificate messages these servers sent are damaged: a length "
                                "inside the certificate list is wrong, so certpath kept the "
                                "certificates before it and could not read the rest." NOT_JUDGED);
    g_string_append(f->remedy, "The capture is corrupt (or the message was crafted): capture the "
                               "handshake again, on the server itself if possible, and compare.");
}

/* incomplete-evidence, conflicting overlaps: nothing. */
void
cp_diag_text_overlap_conflict(Diag *g, CpFinding *f, const DiagFacts *x)
{
    (void)g;
    (void)x;
    g_string_append(f->message, "In every handshake that carried the chains these servers sent, "
                                "TCP segments overlapped with different bytes "
                                "(tcp.overlap_conflict): certpath kept the bytes that came first, "
                                "which need not be what the client received." NOT_JUDGED);
    g_string_append(f->remedy, "Capture again on the server or the client itself rather than on "
                               "a port that mirrors two paths. Different bytes for the same TCP "
                               "sequence numbers also come from middleboxes that rewrite TLS "
                               "(inspection proxies): check whether one sits between the clients "
                               "and these servers.");
}

/* How a root certpath could not see is named: its name and key id, never a made-up thumbprint. */
static void
root_ref(GString *o, const DiagRoot *r)
{
    if (r->sha1 != NULL) {
        g_string_append_printf(o, "the root '%s' (thumbprint %s)", r->name, r->sha1);
        return;
    }
    g_string_append_printf(o,
                           "a CA named '%s'%s%s%s, whose certificate is in neither this capture "
                           "nor the trust store (so its thumbprint, and whether it is the root, "
                           "are unknown)",
                           r->name, r->key_id ? " (key id " : "", r->key_id ? r->key_id : "",
                           r->key_id ? ")" : "");
}

/* ca-mismatch: server (the Exchange server), other (the front end), other_chain (the front end's
 * main chain), root (the Exchange's), other_root (the front end's). */
void
cp_diag_text_ca_mismatch(Diag *g, CpFinding *f, const DiagFacts *x)
{
    const CpCert *fe_leaf = g_array_index(x->other_chain->links, CpChainLink, 0).cert;
    const char *fe_ca = fe_leaf != NULL ? fe_leaf->issuer : x->other_root->name;
    const DiagRoot *exr = x->root, *fer = x->other_root;

    g_string_append(f->message, "Lync Phone Edition devices trust the CA of the front end pool's "
                                "certificate, the roots in its TrustedCACerts and the public roots "
                                "their firmware carries; they may not trust anything else. ");
    cp_diag_server_ref_cap(g, f->message, x->server);
    g_string_append(f->message, " presents a certificate whose path leads to ");
    root_ref(f->message, exr);
    g_string_append(f->message, "; the path of ");
    cp_diag_server_ref(g, f->message, x->other);
    g_string_append(f->message, " leads to ");
    root_ref(f->message, fer);
    g_string_append(f->message, " instead. Phones show \"Connection to Microsoft Exchange is "
                                "unavailable\" (calendar, voicemail and call logs fail).");
    g_string_append_printf(f->remedy,
                           "Either re-issue the Exchange certificate from the front end's CA "
                           "'%s', or make the phones trust the Exchange certificate's root",
                           fe_ca);
    if (exr->sha1 != NULL) {
        g_string_append_printf(f->remedy,
                               " '%s': in the Lync Server Management Shell run\n"
                               "  $cert = New-CsWebTrustedCACertificate -Thumbprint %s -CAStore "
                               "TrustedRootCA\n"
                               "  Set-CsWebServiceConfiguration -Identity Global -TrustedCACerts "
                               "@{Add=$cert}\n",
                               exr->name, exr->sha1);
    } else {
        g_string_append_printf(f->remedy,
                               ". certpath did not see it: on the Exchange server open the "
                               "certificate (certlm.msc > Personal > Certificates > Certification "
                               "Path): the top entry is the root ('%s' itself or a CA above it); "
                               "its Details tab gives the thumbprint. Then in the Lync Server "
                               "Management Shell run\n"
                               "  $cert = New-CsWebTrustedCACertificate -Thumbprint "
                               "<that thumbprint> -CAStore TrustedRootCA\n"
                               "  Set-CsWebServiceConfiguration -Identity Global -TrustedCACerts "
                               "@{Add=$cert}\n",
                               exr->name);
    }
    g_string_append(f->remedy, "(without -Identity only the global collection changes: repeat "
                               "with -Identity site:NAME for sites that have their own; the root "
                               "must be in the front end servers' Trusted Root Certification "
                               "Authorities store; phones pick the list up when they next sign "
                               "in).");
}

/* array-mismatch: names (every name the members share), served (for the first name). */
void
cp_diag_text_array_mismatch(Diag *g, CpFinding *f, const DiagFacts *x)
{
    const GArray *a = x->served;
    GString *names = g_string_new(NULL);

    (void)g;
    for (guint i = 0; x->names != NULL && i < x->names->len; i++)
        g_string_append_printf(names, "%s'%s'", i == 0 ? "" : ", ",
                               (const char *)x->names->pdata[i]);
    if (names->len == 0)
        g_string_append_printf(names, "'%s'", x->name);
    g_string_append_printf(f->message,
                           "%s %s served by several addresses with different "
                           "certificates:",
                           names->str, x->names != NULL && x->names->len > 1 ? "are" : "is");
    for (guint i = 0; i < a->len; i++) {
        const DiagServed *s = &g_array_index(a, DiagServed, i);
        bool shown = false;
        for (guint j = 0; j < i; j++) {
            const DiagServed *y = &g_array_index(a, DiagServed, j);
            shown |= y->leaf == s->leaf && cp_addr_equal(&y->s->addr, &s->s->addr);
        }
        if (!shown) {
            char addr[64];
            cp_addr_format(&s->s->addr, addr, sizeof addr);
            g_string_append_printf(f->message, "%s %s presents serial %s (thumbprint %s)",
                                   i ? ";" : "", addr, s->leaf->serial, s->leaf->sha1);
        }
    }
    g_string_append(f->message, ". Members of one array (an Edge pool, a load-balanced pool) "
                                "must present the same certificate: sessions that move between "
                                "members fail, and peers that cache one member's certificate "
                                "reject the others.");
    g_string_append_printf(f->remedy,
                           "Export the certificate of one member with its private "
                           "key (certlm.msc > Export, .pfx) and import it on every other member "
                           "serving %s; on Lync/Skype Edge servers assign it with "
                           "Set-CsCertificate on each, then restart the services.",
                           names->str);
    g_string_free(names, TRUE);
}

static void
leaf_line(GString *o, const CpCert *c)
{
    g_string_append_printf(o, "serial %s (thumbprint %s, %s %u-bit key, valid from ", c->serial,
                           c->sha1, c->key_type, c->key_bits);
    cp_diag_date(o, c->not_before);
    g_string_append(o, ")");
}

/* dual-certificate, renewed: the server, then "<lead> <cert> <middle> <other_cert><tail>". */
static void
two_leaves(Diag *g, CpFinding *f, const DiagFacts *x, const char *lead, const char *middle,
           const char *tail, const char *remedy)
{
    cp_diag_server_ref_cap(g, f->message, x->server);
    g_string_append(f->message, lead);
    leaf_line(f->message, x->cert);
    g_string_append(f->message, middle);
    leaf_line(f->message, x->other_cert);
    g_string_append(f->message, tail);
    g_string_append(f->remedy, remedy);
}

/* dual-certificate: server, cert, other_cert. */
void
cp_diag_text_dual_certificate(Diag *g, CpFinding *f, const DiagFacts *x)
{
    two_leaves(g, f, x, " presents two certificates for the same name: ", " and ",
               ". One address choosing a certificate per client (RSA or ECDSA by what the client "
               "offers, or by SNI) is not an array fault.",
               "Nothing to fix if both are meant to be there; judge each by the other findings.");
}

/* renewed: server, cert (the older), other_cert (the newer). */
void
cp_diag_text_renewed(Diag *g, CpFinding *f, const DiagFacts *x)
{
    two_leaves(g, f, x, " first presented ", ", then the newer ",
               ": the certificate was renewed during the capture.",
               "Nothing to fix; if members of a pool serve this name, install the new certificate "
               "on each of them.");
}

/* ip-literal-sni: server, cert (the leaf), name (the IP literal). */
void
cp_diag_text_ip_literal_sni(Diag *g, CpFinding *f, const DiagFacts *x)
{
    (void)g;
    g_string_append_printf(f->message,
                           "A client asked %s for the IP address '%s' in its SNI, which RFC 6066 "
                           "does not allow (SNI carries host names only). The certificate ",
                           x->server->endpoint, x->name);
    cp_diag_cert_ref(f->message, x->cert);
    g_string_append(f->message, " has no iPAddress entry for it; a client that connects by address "
                                "and checks names would refuse it, but one that puts an address "
                                "in SNI usually does not check the name at all.");
    g_string_append(f->remedy, "No change on the server. If a client really connects by IP "
                               "address, point it at a DNS name the certificate carries.");
}

/* root-retired: server, path, path_cert (the top), cert (the top's certificate), at,
 * root_name. */
void
cp_diag_text_root_retired(Diag *g, CpFinding *f, const DiagFacts *x)
{
    (void)g;
    g_string_append_printf(f->message,
                           "The path of %s ends at '%s', which was valid at capture "
                           "time (",
                           x->server->endpoint, x->path_cert->subject);
    cp_diag_date(f->message, x->at);
    g_string_append(f->message, ") and expired on ");
    cp_diag_date(f->message, x->cert->not_after);
    g_string_append_printf(f->message,
                           ". The trust store certpath used does not hold the root '%s' today: "
                           "public roots leave the stores as they expire or are withdrawn, so a "
                           "public chain like this one was probably trusted when the capture was "
                           "made. (If it is a private CA of yours, it has simply expired.)",
                           x->root_name ? x->root_name : x->path_cert->subject);
    g_string_append(f->remedy, "Nothing to fix in an old capture. To judge it as clients did "
                               "then, give certpath that root with --ca-file; on a live site, "
                               "re-issue from a CA whose root clients hold today.");
}

static void
describe_difference(GString *o, const char *a, const char *b)
{
    bool a_dc = strstr(a, "DC=") != NULL, b_dc = strstr(b, "DC=") != NULL;

    if (strcmp(a, b) == 0) {
        g_string_append(o, "the same name, but two different keys");
        return;
    }
    if (g_ascii_strcasecmp(a, b) == 0) {
        g_string_append(o, "only letter case");
        return;
    }
    g_string_append(o, "punctuation or spacing");
    if (a_dc != b_dc)
        g_string_append(o, ", DC= components");
    g_string_append(o, " (same words otherwise)");
}

static void
group_list(GString *o, const GPtrArray *group)
{
    for (guint i = 0; i < group->len; i++) {
        const CpCaSeen *a = group->pdata[i];
        g_string_append_printf(o, "%s'%s' (key id %s", i == 0 ? "" : "; ", a->name,
                               a->key_id ? a->key_id : "unknown");
        if (a->sha1[0])
            g_string_append_printf(o, ", thumbprint %s", a->sha1);
        g_string_append(o, ") on the path of");
        for (guint k = 0; k < a->servers->len; k++)
            g_string_append_printf(o, " %s", (const char *)a->servers->pdata[k]);
    }
}

/* similar-issuers: group (two or more CAs whose names read as one). */
void
cp_diag_text_similar_issuers(Diag *g, CpFinding *f, const DiagFacts *x)
{
    const GPtrArray *group = x->group;
    const CpCaSeen *a = group->pdata[0], *b = group->pdata[1];

    (void)g;
    for (guint i = 2; strcmp(a->name, b->name) == 0 && i < group->len; i++)
        b = group->pdata[i];
    g_string_append_printf(f->message,
                           "%u different CAs have names that read as one: ", group->len);
    group_list(f->message, group);
    g_string_append(f->message, ". They differ in ");
    describe_difference(f->message, a->name, b->name);
    g_string_append(f->message, ", and their paths do not end at one root: a client that trusts "
                                "one does not necessarily trust the others.");
    g_string_append_printf(f->remedy,
                           "Compare the thumbprints, not the names. Issue all "
                           "certificates of the site from one CA (e.g. '%s'), or make "
                           "every client trust each of their roots.",
                           a->name);
}

/* ca-renewed: group (one CA name with several keys, every path to the same root). */
void
cp_diag_text_ca_renewed(Diag *g, CpFinding *f, const DiagFacts *x)
{
    const GPtrArray *group = x->group;
    const CpCaSeen *a = group->pdata[0];

    (void)g;
    g_string_append_printf(f->message, "The CA '%s' appears with %u different keys: ", a->name,
                           group->len);
    group_list(f->message, group);
    g_string_append(f->message, ". Every path through them ends at the same root, so this is one "
                                "CA renewed with a new key (AD CS renewal): clients that trust the "
                                "root trust certificates from either key.");
    g_string_append(f->remedy, "Nothing to fix. Servers must send the CA certificate of the key "
                               "that signed their own certificate; the older one stays valid "
                               "until it expires.");
}
