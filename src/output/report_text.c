/* SPDX-License-Identifier: BSD-2-Clause */
/* report_text: the human report — capture facts, then each server with its chains drawn as a
 * tree, then anomalies. Every string from the wire goes through cp_escape_text. */
#include "output/report_private.h"

#include <string.h>

#include "output/escape.h"
#include "output/format.h"

#define MAX_SHOWN 1024 /* bytes of one attacker string shown */

static void
esc(GString *o, const char *s)
{
    if (s == NULL)
        g_string_append(o, "-");
    else
        cp_escape_text(o, s, strlen(s), MAX_SHOWN);
}

static void
esc_list(GString *o, const GPtrArray *a)
{
    for (guint i = 0; a != NULL && i < a->len; i++) {
        if (i > 0)
            g_string_append(o, ", ");
        esc(o, a->pdata[i]);
    }
}

static void
date(GString *o, int64_t t)
{
    GString *tmp = g_string_new(NULL);

    cp_fmt_time(tmp, t, 0, false);
    g_string_append_len(o, tmp->str, 10);
    g_string_append_c(o, ' ');
    g_string_append_len(o, tmp->str + 11, 8);
    g_string_free(tmp, TRUE);
}

static void
field(GString *o, const char *indent, const char *name)
{
    g_string_append_printf(o, "%s%-9s ", indent, name);
}

static void
cert_details(GString *o, const CpCert *c, const char *indent)
{
    field(o, indent, "issuer");
    esc(o, c->issuer);
    g_string_append_c(o, '\n');
    field(o, indent, "serial");
    esc(o, c->serial);
    g_string_append_c(o, '\n');
    field(o, indent, "sha1");
    g_string_append_printf(o, "%s\n", c->sha1);
    field(o, indent, "sha256");
    g_string_append_printf(o, "%s\n", c->sha256);
    field(o, indent, "key");
    esc(o, c->key_type);
    g_string_append_printf(o, " %u", c->key_bits);
    if (c->key_curve != NULL) {
        g_string_append(o, " (");
        esc(o, c->key_curve);
        g_string_append_c(o, ')');
    }
    g_string_append(o, ", signed ");
    esc(o, c->signature);
    g_string_append_c(o, '\n');
    field(o, indent, "valid");
    date(o, c->not_before);
    g_string_append(o, " to ");
    date(o, c->not_after);
    g_string_append(o, " UTC\n");
    if (c->san_dns->len > 0 || c->san_ip->len > 0) {
        field(o, indent, "names");
        esc_list(o, c->san_dns);
        if (c->san_dns->len > 0 && c->san_ip->len > 0)
            g_string_append(o, ", ");
        esc_list(o, c->san_ip);
        g_string_append_c(o, '\n');
    }
    if (c->is_ca || c->self_signed) {
        field(o, indent, "type");
        g_string_append_printf(o, "%s%s%s\n", c->is_ca ? "CA" : "",
                               c->is_ca && c->self_signed ? ", " : "",
                               c->self_signed ? "self-signed (root)" : "");
    }
    if (c->ski != NULL || c->aki != NULL) {
        field(o, indent, "key ids");
        g_string_append_printf(o, "subject %s, authority %s\n", c->ski ? c->ski : "-",
                               c->aki ? c->aki : "-");
    }
    if (c->aia_ca_issuers->len > 0) {
        field(o, indent, "issuer at");
        esc_list(o, c->aia_ca_issuers);
        g_string_append_c(o, '\n');
    }
}

/* Each certificate is described in full once; later chains refer to it by thumbprint, so a
 * site where ten servers send the same intermediate reads as ten lines, not ten pages. */
static void
chain_tree(GString *o, const CpSeenChain *ch, GHashTable *shown)
{
    for (guint i = 0; i < ch->links->len; i++) {
        const CpChainLink *l = &g_array_index(ch->links, CpChainLink, i);
        bool last = i + 1 == ch->links->len;
        g_string_append_printf(o, "    %s [%u] ", last ? "`-" : "|-", i);
        if (l->cert == NULL) {
            g_string_append_printf(o, "(certificate that does not parse) sha1 %s\n", l->sha1);
            continue;
        }
        esc(o, l->cert->subject);
        if (g_hash_table_contains(shown, l->cert->sha1)) {
            g_string_append_printf(o, "  (thumbprint %s, described above)\n", l->cert->sha1);
            continue;
        }
        g_hash_table_add(shown, l->cert->sha1);
        g_string_append_c(o, '\n');
        cert_details(o, l->cert, last ? "          " : "    |     ");
    }
}

static void
u16_list(GString *o, const GArray *a, void (*fmt)(GString *, uint16_t))
{
    for (guint i = 0; i < a->len; i++) {
        if (i > 0)
            g_string_append(o, ", ");
        fmt(o, g_array_index(a, uint16_t, i));
    }
}

static const char *
source_words(CpCertSource src)
{
    return src == CP_SRC_SENT      ? "sent by the server"
           : src == CP_SRC_CAPTURE ? "found in another server's chain in this capture"
                                   : "from the trust store";
}

static void
path_lines(GString *o, const CpPath *p)
{
    if (p == NULL) {
        g_string_append(o, "    path: the leaf certificate does not parse\n");
        return;
    }
    switch (p->status) {
    case CP_PATH_TRUSTED:
        g_string_append(o, "    path: complete, ends at a trust anchor\n");
        break;
    case CP_PATH_UNTRUSTED_ROOT:
        g_string_append(o, "    path: ends at a root that is not a trust anchor\n");
        break;
    case CP_PATH_ISSUER_MISSING:
        g_string_append(o, "    path: incomplete, the issuer of the last certificate was found "
                           "nowhere: ");
        esc(o, p->missing_issuer);
        g_string_append_c(o, '\n');
        break;
    default:
        g_string_append(o, "    path: a signature does not verify\n");
        break;
    }
    for (guint i = 0; i < p->certs->len; i++) {
        const CpPathCert *pc = &g_array_index(p->certs, CpPathCert, i);
        g_string_append_printf(o, "      %u. ", i);
        esc(o, pc->subject);
        g_string_append_printf(o, "  [%s%s]\n", source_words(pc->source),
                               pc->is_anchor ? ", trust anchor" : "");
    }
}

static void
server_block(GString *o, const CpServer *s, const CpServerDiag *sd, GHashTable *shown)
{
    g_string_append_printf(o, "\n%s", s->endpoint);
    if (sd != NULL && sd->role != CP_ROLE_UNKNOWN)
        g_string_append_printf(o, "  (%s)", cp_role_name(sd->role));
    g_string_append_c(o, '\n');
    if (s->names->len > 0) {
        g_string_append(o, "  asked for  ");
        esc_list(o, s->names);
        g_string_append_c(o, '\n');
    }
    g_string_append_printf(o, "  handshakes %" G_GUINT64_FORMAT, s->handshakes);
    if (s->resumed > 0)
        g_string_append_printf(o, " (%" G_GUINT64_FORMAT " resumed)", s->resumed);
    if (s->versions->len > 0) {
        g_string_append(o, ", ");
        u16_list(o, s->versions, cp_fmt_version);
    }
    g_string_append_c(o, '\n');
    if (s->ciphers->len > 0) {
        g_string_append(o, "  cipher     ");
        u16_list(o, s->ciphers, cp_fmt_cipher);
        g_string_append_c(o, '\n');
    }
    for (guint i = 0; i < s->alerts->len; i++) {
        const CpAlertSeen *a = &g_array_index(s->alerts, CpAlertSeen, i);
        g_string_append_printf(o, "  alert      %s sent ", a->from_client ? "client" : "server");
        cp_fmt_alert(o, a->desc);
        g_string_append_printf(o, " (%" G_GUINT64_FORMAT "x)\n", a->count);
    }
    if (s->tls13 > 0)
        g_string_append_printf(o,
                               "  TLS 1.3    %" G_GUINT64_FORMAT " handshakes: certificates "
                               "encrypted, not visible on the wire\n",
                               s->tls13);
    if (s->truncated > 0)
        g_string_append_printf(o,
                               "  truncated  %" G_GUINT64_FORMAT " handshakes lost bytes to the "
                               "capture (snaplen or lost segments)\n",
                               s->truncated);
    for (guint i = 0; i < s->chains->len; i++) {
        const CpSeenChain *ch = s->chains->pdata[i];
        g_string_append_printf(
                o, "  chain %s%u certificate%s sent, in %" G_GUINT64_FORMAT " handshake%s\n",
                s->chains->len > 1 ? "variant " : "", ch->links->len,
                ch->links->len == 1 ? "" : "s", ch->count, ch->count == 1 ? "" : "s");
        chain_tree(o, ch, shown);
        if (sd != NULL && i < sd->paths->len)
            path_lines(o, sd->paths->pdata[i]);
    }
}

static void
anomaly_block(GString *o, const CpAnomalies *a, const GArray *bad_links)
{
    bool any = false;

    for (int i = 0; i < CP_ANOMALY__COUNT; i++) {
        if (a->count[i] == 0)
            continue;
        if (!any)
            g_string_append(o, "\nInput anomalies (counted, not fatal)\n");
        any = true;
        g_string_append_printf(o, "  %-26s %8" G_GUINT64_FORMAT "  %s",
                               cp_anomaly_name((CpAnomalyId)i), a->count[i],
                               cp_anomaly_doc((CpAnomalyId)i));
        /* Counted because a limit was reached: name the option that raises it (limits.def). */
        const char *opts[4];
        size_t n_opts = cp_anomaly_options((CpAnomalyId)i, opts, G_N_ELEMENTS(opts));
        for (size_t j = 0; j < n_opts && j < G_N_ELEMENTS(opts); j++)
            g_string_append_printf(o, "%s--%s", j == 0 ? "; raise with " : " or ", opts[j]);
        g_string_append_c(o, '\n');
    }
    for (guint i = 0; i < bad_links->len; i++) {
        const CpLinkSeen *l = &g_array_index(bad_links, CpLinkSeen, i);
        g_string_append_printf(
                o, "  link type %d is not supported: %" G_GUINT64_FORMAT " frames skipped\n",
                l->linktype, l->frames);
    }
}

/* Appends text wrapped at width columns, each line after the first indented. */
static void
wrap(GString *o, const char *text, const char *indent, size_t width)
{
    GString *esc_text = g_string_new(NULL);
    size_t col = strlen(indent);

    cp_escape_text(esc_text, text, strlen(text), 16 * MAX_SHOWN);
    g_string_append(o, indent);
    /* The escaper turns newlines into \x0A; remedies use them for command lines. */
    char **paras = g_strsplit(esc_text->str, "\\x0A", -1);
    for (char **para = paras; *para != NULL; para++) {
        if (para != paras) {
            g_string_append_c(o, '\n');
            g_string_append(o, indent);
            col = strlen(indent);
        }
        if (g_str_has_prefix(*para, "  ")) {
            /* A command line to copy: never break it. */
            g_string_append(o, *para);
            continue;
        }
        char **words = g_strsplit(*para, " ", -1);
        bool first = true;
        for (char **w = words; *w != NULL; w++) {
            size_t n = strlen(*w);
            if (!first && col + 1 + n > width) {
                g_string_append_c(o, '\n');
                g_string_append(o, indent);
                col = strlen(indent);
                first = true;
            }
            if (!first) {
                g_string_append_c(o, ' ');
                col++;
            }
            g_string_append(o, *w);
            col += n;
            first = false;
        }
        g_strfreev(words);
    }
    g_strfreev(paras);
    g_string_append_c(o, '\n');
    g_string_free(esc_text, TRUE);
}

static const char *
sev_label(CpSeverity s)
{
    return s == CP_SEV_ERROR ? "ERROR" : s == CP_SEV_WARNING ? "WARNING" : "info";
}

static void
finding_block(CpReport *r, const CpFinding *f, bool live)
{
    GString *o = r->line;

    g_string_append_printf(o, "%s[%s] %s:", live ? "" : "\n", sev_label(f->severity),
                           cp_finding_code_name(f->code));
    for (guint i = 0; i < f->servers->len; i++)
        g_string_append_printf(o, " %s", (const char *)f->servers->pdata[i]);
    g_string_append_c(o, '\n');
    wrap(o, f->message->str, "    ", 100);
    if (f->remedy->len > 0) {
        g_autofree char *fix = g_strconcat("Fix: ", f->remedy->str, NULL);
        wrap(o, fix, "    ", 100);
    }
    if (live)
        cp_report_emit(r);
}

static unsigned
servers_with_chains(const CpSeen *seen)
{
    const GPtrArray *servers = seen->servers;
    unsigned n = 0;

    for (guint i = 0; i < servers->len; i++)
        n += ((const CpServer *)servers->pdata[i])->chains->len > 0;
    return n;
}

/* The paragraph a help-desk engineer pastes into the ticket. */
static void
verdict(GString *o, const CpSeen *seen, const CpDiagnosis *d, const CpRunInfo *info)
{
    const CpTrafficStats *s = &seen->stats;
    unsigned problems = d->count[CP_SEV_ERROR] + d->count[CP_SEV_WARNING];
    unsigned checked = servers_with_chains(seen);
    GString *v = g_string_new(NULL);

    g_string_append(v, "Verdict: ");
    if (problems > 0) {
        const CpFinding *top = d->findings->pdata[0];
        g_string_append_printf(v, "%u error%s and %u warning%s", d->count[CP_SEV_ERROR],
                               d->count[CP_SEV_ERROR] == 1 ? "" : "s", d->count[CP_SEV_WARNING],
                               d->count[CP_SEV_WARNING] == 1 ? "" : "s");
        /* With several problems, name them all in one line before detailing the worst. */
        for (guint i = 0; problems > 1 && i < d->findings->len; i++) {
            const CpFinding *f = d->findings->pdata[i];
            if (f->severity == CP_SEV_INFO)
                continue;
            g_string_append_printf(v, "%s%s at %s", i == 0 ? ": " : "; ",
                                   cp_finding_code_name(f->code),
                                   f->servers->len ? (const char *)f->servers->pdata[0] : "?");
            if (f->servers->len > 1)
                g_string_append_printf(v, " and %u more", f->servers->len - 1);
        }
        g_string_append_printf(v, ". Most serious (%s): %s\nFix: %s",
                               cp_finding_code_name(top->code), top->message->str,
                               top->remedy->str);
    } else if (checked == 0) {
        g_string_append(v, "no certificate could be checked: ");
        if (d->findings->len > 0)
            g_string_append(v, ((const CpFinding *)d->findings->pdata[0])->message->str);
        else
            g_string_append(v, s->tls_connections > 0
                                       ? "the TLS handshakes seen carried no server certificate "
                                         "(resumed sessions, or the capture started too late)."
                                       : "no TLS handshake was seen in this input.");
    } else {
        g_string_append_printf(v,
                               "no certificate trust problem found among %u server%s "
                               "(%" G_GUINT64_FORMAT " TLS handshakes): every chain seen is "
                               "complete, leads to a trusted root, is valid at %s and covers the "
                               "names clients asked for.",
                               checked, checked == 1 ? "" : "s", s->tls_connections,
                               info->has_at ? "the time asked for" : "capture time");
        if (d->findings->len > 0)
            g_string_append_printf(v, " %u note%s below.", d->findings->len,
                                   d->findings->len == 1 ? "" : "s");
    }
    wrap(o, v->str, "", 100);
    g_string_free(v, TRUE);
}

static void
cas_block(GString *o, const CpDiagnosis *d)
{
    if (d->cas->len == 0)
        return;
    g_string_append(o, "\nCertificate authorities on the paths\n");
    for (guint i = 0; i < d->cas->len; i++) {
        const CpCaSeen *c = d->cas->pdata[i];
        g_string_append(o, "  ");
        esc(o, c->name);
        g_string_append_printf(o, "%s%s\n", c->is_root ? " (root" : " (intermediate",
                               c->is_anchor ? ", trust anchor)" : ")");
        g_string_append_printf(o, "    thumbprint %s, key id %s\n    used by",
                               c->sha1[0] ? c->sha1 : "unknown (never seen)",
                               c->key_id ? c->key_id : "unknown");
        for (guint j = 0; j < c->servers->len; j++)
            g_string_append_printf(o, " %s", (const char *)c->servers->pdata[j]);
        g_string_append_c(o, '\n');
    }
}

static const CpServerDiag *
diag_of(const CpDiagnosis *d, const CpServer *s)
{
    for (guint i = 0; d != NULL && i < d->servers->len; i++)
        if (((const CpServerDiag *)d->servers->pdata[i])->server == s)
            return d->servers->pdata[i];
    return NULL;
}

static void
text_final(CpReport *r, const CpSeen *seen, const CpRunInfo *info, const CpDiagnosis *diag)
{
    const CpTrafficStats *s = &seen->stats;
    const GPtrArray *servers = seen->servers;
    GString *o = r->line;

    g_string_append_printf(o,
                           "certpath: %u server%s, %" G_GUINT64_FORMAT " TLS handshake%s, %u "
                           "distinct certificate%s\n",
                           servers->len, servers->len == 1 ? "" : "s", s->tls_connections,
                           s->tls_connections == 1 ? "" : "s", seen->certificates,
                           seen->certificates == 1 ? "" : "s");
    g_string_append(o, "input: ");
    esc_list(o, info->inputs);
    g_string_append_printf(o,
                           "; %" G_GUINT64_FORMAT " packets, %" G_GUINT64_FORMAT " TCP connections",
                           s->frames, s->connections);
    if (s->frames > 0) {
        g_string_append(o, "; captured ");
        date(o, (int64_t)(s->first_ts_ns / 1000000000u));
        g_string_append(o, " to ");
        date(o, (int64_t)(s->last_ts_ns / 1000000000u));
        g_string_append(o, " UTC");
    }
    g_string_append_c(o, '\n');
    if (info->stats_valid)
        g_string_append_printf(o,
                               "capture: %" G_GUINT64_FORMAT " received, %" G_GUINT64_FORMAT
                               " dropped by the kernel, %" G_GUINT64_FORMAT
                               " dropped by the interface\n",
                               info->received, info->dropped_kernel, info->dropped_iface);
    if (info->has_at) {
        g_string_append(o, "validity judged at ");
        date(o, info->at_s);
        g_string_append(o, " UTC (not capture time)\n");
    }
    if (diag != NULL) {
        g_string_append_c(o, '\n');
        verdict(o, seen, diag, info);
        if (diag->findings->len > 0)
            g_string_append(o, "\nFindings\n");
        for (guint i = 0; i < diag->findings->len; i++) {
            finding_block(r, diag->findings->pdata[i], false);
        }
        cas_block(o, diag);
    }
    GHashTable *shown = g_hash_table_new(g_str_hash, g_str_equal);
    if (servers->len > 0)
        g_string_append(o, "\nServers\n");
    for (guint i = 0; i < servers->len; i++)
        server_block(o, servers->pdata[i], diag_of(diag, servers->pdata[i]), shown);
    g_hash_table_destroy(shown);
    anomaly_block(o, seen->anomalies, seen->unsupported_links);
    for (guint i = 0; info->errors != NULL && i < info->errors->len; i++) {
        g_string_append(o, "\nerror: ");
        esc(o, info->errors->pdata[i]);
        g_string_append_c(o, '\n');
    }
    cp_report_emit(r);
}

static void
text_handshake(CpReport *r, const CpHandshake *h)
{
    char cli[64], srv[64];
    GString *o = r->line;

    if (!r->stream_text)
        return; /* offline, handshakes are part of the final report */
    cp_addr_format_endpoint(&h->client, h->client_port, cli, sizeof cli);
    cp_addr_format_endpoint(&h->server, h->server_port, srv, sizeof srv);
    cp_fmt_time_ns(o, h->ts_ns, true);
    g_string_append_printf(o, " %s -> %s", cli, srv);
    if (h->sni != NULL) {
        g_string_append(o, " sni ");
        esc(o, h->sni);
    }
    if (h->has_server_hello) {
        g_string_append_c(o, ' ');
        cp_fmt_version(o, h->version);
    }
    if (h->chain->len > 0) {
        const CpChainLink *leaf = &g_array_index(h->chain, CpChainLink, 0);
        g_string_append_printf(o, " chain %u, leaf ", h->chain->len);
        if (leaf->cert != NULL)
            esc(o, leaf->cert->subject);
        g_string_append_printf(o, " (%s)", leaf->sha1);
    }
    if (h->alert_desc >= 0) {
        g_string_append_printf(o, " %s alert ", h->alert_from_client ? "client" : "server");
        cp_fmt_alert(o, h->alert_desc);
    }
    if (h->truncated)
        g_string_append(o, " [truncated]");
    g_string_append_c(o, '\n');
    cp_report_emit(r);
}

static void
text_finding(CpReport *r, const CpFinding *f)
{
    finding_block(r, f, true);
}

const CpReportWriter cp_report_writer_text = {
    .name = "text",
    .handshake = text_handshake,
    .finding = text_finding,
    .final = text_final,
};
