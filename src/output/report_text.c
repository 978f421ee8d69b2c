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
                               "  TLS 1.3    %" G_GUINT64_FORMAT " handshake%s: certificates "
                               "encrypted, readable with a key log (--keylog)\n",
                               s->tls13, s->tls13 == 1 ? "" : "s");
    if (s->truncated > 0)
        g_string_append_printf(o,
                               "  truncated  %" G_GUINT64_FORMAT " handshake%s lost bytes to the "
                               "capture (snaplen or lost segments)\n",
                               s->truncated, s->truncated == 1 ? "" : "s");
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
                o, "  link type %d is not supported: %" G_GUINT64_FORMAT " frame%s skipped\n",
                l->linktype, l->frames, l->frames == 1 ? "" : "s");
    }
}

/* The command lines certpath's remedies print (finding_text.c): fixed templates whose only
 * variable part ('#') is a thumbprint certpath computed. A line of a message is printed as a
 * command only when it matches one, so no name from the wire (SNI, SAN, AIA, DN) can add a
 * command line of its own: its newlines are shown escaped, inside the sentence. */
static const char *const command_templates[] = {
    "  $cert = New-CsWebTrustedCACertificate -Thumbprint # -CAStore TrustedRootCA",
    "  Set-CsWebServiceConfiguration -Identity Global -TrustedCACerts @{Add=$cert}",
    "  Set-CsWebServiceConfiguration -TrustedCACerts @{Add=$cert}",
};
#define THUMB_ASK "<that thumbprint>" /* the root was not seen: the remedy says where to look */
#define THUMB_PLACEHOLDER \
    "<thumbprint of that root: export it from the Exchange server's chain, certlm.msc>"

/* thumbprints: the finding's; a command may name only one of those. */
static bool
thumbprint_ok(const char *s, size_t n, const GPtrArray *thumbprints)
{
    if ((n == strlen(THUMB_PLACEHOLDER) && memcmp(s, THUMB_PLACEHOLDER, n) == 0) ||
        (n == strlen(THUMB_ASK) && memcmp(s, THUMB_ASK, n) == 0))
        return true;
    if (n != 40)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!g_ascii_isxdigit(s[i]))
            return false;
    for (guint i = 0; i < thumbprints->len; i++) {
        const char *t = thumbprints->pdata[i];
        if (t != NULL && strlen(t) == n && g_ascii_strncasecmp(t, s, n) == 0)
            return true;
    }
    return false;
}

/* thumbprints NULL: the caller cannot say which values were validated, so no line is a command. */
static bool
is_command(const char *line, const GPtrArray *thumbprints)
{
    size_t n = strlen(line);

    if (thumbprints == NULL)
        return false;
    for (size_t i = 0; i < G_N_ELEMENTS(command_templates); i++) {
        const char *t = command_templates[i], *hole = strchr(t, '#');
        if (hole == NULL) {
            if (strcmp(line, t) == 0)
                return true;
            continue;
        }
        size_t pre = (size_t)(hole - t), post = strlen(hole + 1);
        if (n < pre + post || memcmp(line, t, pre) != 0 || strcmp(line + n - post, hole + 1) != 0)
            continue;
        if (thumbprint_ok(line + pre, n - pre - post, thumbprints))
            return true;
    }
    return false;
}

static size_t
count_breaks_before(char **lines, const char *prefix)
{
    size_t n = 0;

    for (char **l = lines; *l != NULL; l++)
        if (l != lines && g_str_has_prefix(*l, prefix))
            n++;
    return n;
}

/* One paragraph word-wrapped: each word is escaped as it is placed (the width counts what is
 * shown), so an escaped newline stays text and never becomes a break. A continuation line that
 * starts at column 0 (the verdict) never starts with a word holding a colon ("Verdict:",
 * "Fix:"): a name cannot be wrapped into a header of its own. */
static void
wrap_para(GString *o, const char *para, const char *indent, size_t width)
{
    size_t ind = strlen(indent), col = ind;
    char **words = g_strsplit(para, " ", -1);
    GString *w = g_string_new(NULL);
    bool first = true;

    for (char **raw = words; *raw != NULL; raw++) {
        g_string_truncate(w, 0);
        cp_escape_text(w, *raw, strlen(*raw), MAX_SHOWN);
        size_t n = (size_t)g_utf8_strlen(w->str, (gssize)w->len);
        bool header_like = ind == 0 && strchr(w->str, ':') != NULL;
        if (!first && col + 1 + n > width && !header_like) {
            g_string_append_c(o, '\n');
            g_string_append(o, indent);
            col = ind;
            first = true;
        }
        if (!first) {
            g_string_append_c(o, ' ');
            col++;
        }
        g_string_append_len(o, w->str, (gssize)w->len);
        col += n;
        first = false;
    }
    g_string_free(w, TRUE);
    g_strfreev(words);
}

/* Whether the newline before lines[i] is certpath's: before a command line, between two, after
 * the last one when certpath's own sentence goes on in parentheses (finding_text.c), and before
 * the verdict's one "Fix:". A line after a command is never a free line: a name carrying a copy of
 * a command cannot buy itself a line of its own. */
static bool
honoured_break(char **lines, const bool *cmd, size_t i, bool fix_break)
{
    if (cmd[i])
        return true;
    if (cmd[i - 1])
        return lines[i][0] == '(';
    return fix_break && g_str_has_prefix(lines[i], "Fix: ");
}

/* Appends text wrapped at width columns, each line after the first indented. The text's own
 * newlines are line breaks only where certpath put them (honoured_break: around a command line
 * matching a template above with a thumbprint of the finding, and before the verdict's one
 * "Fix:"). Every other newline, like every other byte of a name from the wire, is escaped in
 * place (STYLE R70): escaping happens once, after these decisions, never before a split.
 * thumbprints (nullable): the finding's; NULL recognises no command line. */
static void
wrap_checked(GString *o, const char *text, const char *indent, size_t width,
             const GPtrArray *thumbprints)
{
    char **lines = g_strsplit(text, "\n", -1);
    size_t n_lines = g_strv_length(lines);
    bool *cmd = g_new0(bool, n_lines + 1);
    /* A second "\nFix: " means a name carries one: then none of them is a break. */
    bool fix_break =
            g_str_has_prefix(text, "Verdict: ") && count_breaks_before(lines, "Fix: ") == 1;
    GString *para = g_string_new(n_lines > 0 ? lines[0] : "");

    for (size_t i = 0; i < n_lines; i++)
        cmd[i] = is_command(lines[i], thumbprints);
    g_string_append(o, indent);
    for (size_t i = 1; i <= n_lines; i++) {
        bool end = i == n_lines;
        if (!end && !honoured_break(lines, cmd, i, fix_break)) {
            g_string_append_c(para, '\n'); /* a name's newline: shown escaped */
            g_string_append(para, lines[i]);
            continue;
        }
        if (cmd[i - 1])
            g_string_append(o, para->str); /* a command line to copy: never broken */
        else
            wrap_para(o, para->str, indent, width);
        if (end)
            break;
        g_string_append_c(o, '\n');
        g_string_append(o, indent);
        g_string_assign(para, lines[i]);
    }
    g_string_append_c(o, '\n');
    g_string_free(para, TRUE);
    g_free(cmd);
    g_strfreev(lines);
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
    wrap_checked(o, f->message->str, "    ", 100, f->certs);
    if (f->remedy->len > 0) {
        g_autofree char *fix = g_strconcat("Fix: ", f->remedy->str, NULL);
        wrap_checked(o, fix, "    ", 100, f->certs);
    }
    if (live)
        cp_report_emit(r);
}

static unsigned
servers_with_chains(const CpSeen *seen)
{
    return cp_diag_servers_checked(seen->servers);
}

/* Each fault once: its title in words, its code, and every server any finding of it covers. */
static void
verdict_faults(GString *v, const CpDiagnosis *d)
{
    bool first = true;

    for (guint i = 0; i < d->findings->len; i++) {
        const CpFinding *f = d->findings->pdata[i];
        bool earlier = false;
        if (f->severity == CP_SEV_INFO)
            continue;
        for (guint j = 0; j < i; j++)
            earlier |= ((const CpFinding *)d->findings->pdata[j])->code == f->code;
        if (earlier)
            continue;
        GPtrArray *servers = g_ptr_array_new();
        for (guint j = i; j < d->findings->len; j++) {
            const CpFinding *g = d->findings->pdata[j];
            for (guint k = 0; g->code == f->code && k < g->servers->len; k++)
                if (!g_ptr_array_find_with_equal_func(servers, g->servers->pdata[k], g_str_equal,
                                                      NULL))
                    g_ptr_array_add(servers, g->servers->pdata[k]);
        }
        g_string_append_printf(v, "%s%s (%s)", first ? ": " : "; ", cp_finding_title(f->code),
                               cp_finding_code_name(f->code));
        if (servers->len > 0)
            g_string_append_printf(v, " at %s", (const char *)servers->pdata[0]);
        if (servers->len > 1)
            g_string_append_printf(v, " and %u more server%s", servers->len - 1,
                                   servers->len == 2 ? "" : "s");
        g_ptr_array_free(servers, TRUE);
        first = false;
    }
}

/* The anomalies that mean certpath did not see everything, by name. */
static void
lost_evidence(GString *v, const CpAnomalies *a)
{
    static const CpAnomalyId lost[] = { CP_ANOMALY_CERT_CACHE_FULL,   CP_ANOMALY_MODEL_SERVER_LIMIT,
                                        CP_ANOMALY_MODEL_CHAIN_LIMIT, CP_ANOMALY_FLOW_EVICTED,
                                        CP_ANOMALY_TCP_MEMCAP,        CP_ANOMALY_RECORDS_NO_DER };
    bool first = true;

    for (size_t i = 0; i < G_N_ELEMENTS(lost); i++) {
        if (a->count[lost[i]] == 0)
            continue;
        g_string_append_printf(v, "%s%s %" G_GUINT64_FORMAT, first ? "" : ", ",
                               cp_anomaly_name(lost[i]), a->count[lost[i]]);
        first = false;
    }
}

/* The paragraph a help-desk engineer pastes into the ticket: what certpath could see first
 * (a damaged input, evidence a limit cut), then the faults in words, each once, then the worst
 * in full. */
static void
verdict(GString *o, const CpSeen *seen, const CpDiagnosis *d, const CpRunInfo *info)
{
    const CpTrafficStats *s = &seen->stats;
    unsigned problems = d->count[CP_SEV_ERROR] + d->count[CP_SEV_WARNING];
    unsigned checked = servers_with_chains(seen);
    bool incomplete = cp_diag_evidence_incomplete(seen->anomalies);
    GString *v = g_string_new(NULL);

    g_string_append(v, "Verdict: ");
    if (info->errors != NULL && info->errors->len > 0)
        g_string_append_printf(v,
                               "the input is damaged or truncated (%s), so this covers only what "
                               "certpath read before that point. ",
                               (const char *)info->errors->pdata[0]);
    if (problems > 0) {
        g_string_append_printf(v, "%u error%s and %u warning%s", d->count[CP_SEV_ERROR],
                               d->count[CP_SEV_ERROR] == 1 ? "" : "s", d->count[CP_SEV_WARNING],
                               d->count[CP_SEV_WARNING] == 1 ? "" : "s");
        verdict_faults(v, d);
        g_string_append_c(v, '.');
    } else if (checked == 0) {
        g_string_append(v, "inconclusive. No certificate could be checked: ");
        if (d->findings->len > 0)
            g_string_append(v, ((const CpFinding *)d->findings->pdata[0])->message->str);
        else
            g_string_append(v, s->tls_connections > 0
                                       ? "the TLS handshakes seen carried no server certificate "
                                         "(resumed sessions, or the capture started too late)."
                                       : "no TLS handshake was seen in this input.");
        g_string_append(v, " This is not a clean bill of health: capture a full handshake.");
    } else if (incomplete) {
        g_string_append(v, "inconclusive. The evidence is incomplete (");
        lost_evidence(v, seen->anomalies);
        g_string_append_printf(v,
                               "): certpath did not see every connection, server or chain. "
                               "Among the %u server%s it could check, no certificate trust "
                               "problem was found.",
                               checked, checked == 1 ? "" : "s");
    } else {
        g_string_append_printf(v,
                               "no certificate trust problem found among %u server%s "
                               "(%" G_GUINT64_FORMAT " TLS handshake%s): every chain seen is "
                               "complete, leads to a trusted root, is valid at %s and covers the "
                               "names clients asked for.",
                               checked, checked == 1 ? "" : "s", s->tls_connections,
                               s->tls_connections == 1 ? "" : "s",
                               info->has_at ? "the time asked for" : "capture time");
        if (d->findings->len > 0)
            g_string_append_printf(v, " %u note%s below.", d->findings->len,
                                   d->findings->len == 1 ? "" : "s");
    }
    if (incomplete && (problems > 0 || checked == 0)) {
        g_string_append(v, " The evidence is incomplete (");
        lost_evidence(v, seen->anomalies);
        g_string_append(v, "): there may be more.");
    }
    for (guint i = 0; d->trusted_applied != NULL && i < d->trusted_applied->len; i++)
        g_string_append_printf(v, "%s%s",
                               i == 0 ? " Roots taken as TrustedCACerts (--trusted-ca): " : ", ",
                               (const char *)d->trusted_applied->pdata[i]);
    if (d->trusted_applied != NULL && d->trusted_applied->len > 0)
        g_string_append_c(v, '.');
    if (problems > 0) {
        const CpFinding *top = d->findings->pdata[0];
        g_string_append_printf(v, " Most serious: %s\nFix: %s", top->message->str,
                               top->remedy->str);
    }
    /* The worst finding's commands keep their lines when they name its own thumbprints. */
    wrap_checked(o, v->str, "", 100,
                 problems > 0 ? ((const CpFinding *)d->findings->pdata[0])->certs : NULL);
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
    if (info->records)
        g_string_append(o, "; JSON records of certpath sensors");
    else
        g_string_append_printf(
                o, "; %" G_GUINT64_FORMAT " packet%s, %" G_GUINT64_FORMAT " TCP connection%s",
                s->frames, s->frames == 1 ? "" : "s", s->connections,
                s->connections == 1 ? "" : "s");
    if (s->frames > 0 || (info->records && s->tls_connections > 0)) {
        g_string_append(o, "; captured ");
        date(o, (int64_t)(s->first_ts_ns / 1000000000u));
        g_string_append(o, " to ");
        date(o, (int64_t)(s->last_ts_ns / 1000000000u));
        g_string_append(o, " UTC");
    }
    g_string_append_c(o, '\n');
    if (info->keylogs != NULL && info->keylogs->len > 0) {
        g_string_append(o, "key log: ");
        esc_list(o, info->keylogs);
        g_string_append_c(o, '\n');
    }
    if (info->stats_valid)
        g_string_append_printf(o,
                               "capture: %" G_GUINT64_FORMAT " received, %" G_GUINT64_FORMAT
                               " dropped by the kernel, %" G_GUINT64_FORMAT
                               " dropped by the interface\n",
                               info->received, info->dropped_kernel, info->dropped_iface);
    if (info->stats_valid && info->dropped_queue > 0)
        g_string_append_printf(
                o,
                "capture: %" G_GUINT64_FORMAT
                " packets not analysed: the analysis queue was full (--live-queue)\n",
                info->dropped_queue);
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
