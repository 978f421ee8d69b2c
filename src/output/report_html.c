/* SPDX-License-Identifier: BSD-2-Clause */
/* report_html: one self-contained HTML page (inline CSS and SVG, no script, nothing fetched) —
 * the verdict and the fix on top with the commands in copyable blocks, then the trust graph laid
 * out by Graphviz (graph.c), then one card per server with its chain. Every string from the wire
 * goes through cp_graph_escape_html (R70); the SVG comes from Graphviz, which escapes the
 * already-escaped labels again for XML. */
#include "output/report_private.h"

#include <string.h>

#include "output/format.h"
#include "output/graph.h"

static const char style[] =
        "body{font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;"
        "margin:0 auto;max-width:1200px;padding:1em 2em;color:#212121;background:#fafafa}"
        "h1{font-size:1.5em;margin-bottom:.2em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em}"
        ".meta{color:#616161;margin-top:0}"
        ".verdict{padding:.8em 1.2em;border-radius:6px;border-left:6px solid}"
        ".verdict.bad{background:#ffebee;border-color:#c62828}"
        ".verdict.ok{background:#e8f5e9;border-color:#2e7d32}"
        ".verdict.none{background:#fff8e1;border-color:#f9a825}"
        ".finding{background:#fff;border:1px solid #ddd;border-radius:6px;padding:.5em 1em;"
        "margin:.8em 0}"
        ".finding h3{margin:.3em 0;font-size:1.05em}"
        ".sev{display:inline-block;padding:0 .5em;border-radius:3px;color:#fff;font-size:.85em}"
        ".sev-error{background:#c62828}.sev-warning{background:#ef6c00}.sev-info{background:#"
        "546e7a}"
        "pre.cmd{background:#263238;color:#eceff1;padding:.6em .8em;border-radius:4px;"
        "overflow-x:auto;user-select:all;-webkit-user-select:all}"
        ".graph{background:#fff;border:1px solid #ddd;border-radius:6px;padding:.5em;"
        "overflow-x:auto}.graph svg{max-width:100%;height:auto}"
        ".legend span{margin-right:1.2em}.cards{display:grid;"
        "grid-template-columns:repeat(auto-fill,minmax(360px,1fr));gap:1em}"
        ".card{background:#fff;border:1px solid #ddd;border-radius:6px;padding:.6em 1em}"
        ".card.fault{border-color:#c62828;border-width:2px}"
        ".card h3{margin:.2em 0;font-size:1em;font-family:monospace}"
        ".chain{padding-left:1.4em}.chain li{margin:.3em 0}"
        ".chain .d{color:#616161;font-size:.85em;word-break:break-all}"
        "code{font-size:.9em}";

static void
esc(GString *o, const char *s)
{
    cp_graph_escape_html(o, s);
}

/* A message or remedy: paragraphs, and the lines certpath indents (commands) as <pre>. */
static void
prose(GString *o, const char *text, const char *lead)
{
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    bool in_pre = false, in_p = false;

    for (char **l = lines; *l != NULL; l++) {
        bool cmd = g_str_has_prefix(*l, "  ");
        if (cmd && !in_pre) {
            if (in_p)
                g_string_append(o, "</p>\n");
            in_p = false;
            g_string_append(o, "<pre class=\"cmd\">");
            in_pre = true;
        } else if (cmd) {
            g_string_append_c(o, '\n');
        } else if (in_pre) {
            g_string_append(o, "</pre>\n");
            in_pre = false;
        }
        if (cmd) {
            esc(o, *l + 2);
            continue;
        }
        if (!in_p) {
            g_string_append(o, "<p>");
            if (lead != NULL && l == lines)
                g_string_append_printf(o, "<strong>%s</strong> ", lead);
            in_p = true;
        } else {
            g_string_append_c(o, ' ');
        }
        esc(o, *l);
    }
    if (in_pre)
        g_string_append(o, "</pre>\n");
    if (in_p)
        g_string_append(o, "</p>\n");
}

static void
finding(GString *o, const CpFinding *f, guint i)
{
    const char *sev = cp_severity_name(f->severity);

    g_string_append_printf(o,
                           "<article class=\"finding\" id=\"finding-%u\">\n<h3><span "
                           "class=\"sev sev-%s\">%s</span> <code>%s</code> at ",
                           i, sev, sev, cp_finding_code_name(f->code));
    for (guint j = 0; j < f->servers->len; j++) {
        if (j > 0)
            g_string_append(o, ", ");
        esc(o, f->servers->pdata[j]);
    }
    g_string_append(o, "</h3>\n");
    prose(o, f->message->str, NULL);
    if (f->remedy->len > 0)
        prose(o, f->remedy->str, "Fix:");
    g_string_append(o, "</article>\n");
}

static unsigned
checked_servers(const CpSeen *seen)
{
    unsigned n = 0;

    for (guint i = 0; i < seen->servers->len; i++)
        n += ((const CpServer *)seen->servers->pdata[i])->chains->len > 0;
    return n;
}

static void
verdict(GString *o, const CpSeen *seen, const CpDiagnosis *d)
{
    unsigned problems = d->count[CP_SEV_ERROR] + d->count[CP_SEV_WARNING];
    unsigned checked = checked_servers(seen);

    if (problems > 0) {
        g_string_append_printf(o,
                               "<section class=\"verdict bad\" id=\"verdict\">\n<h2>Verdict: %u "
                               "error%s and %u warning%s</h2>\n",
                               d->count[CP_SEV_ERROR], d->count[CP_SEV_ERROR] == 1 ? "" : "s",
                               d->count[CP_SEV_WARNING], d->count[CP_SEV_WARNING] == 1 ? "" : "s");
    } else if (checked == 0) {
        g_string_append(o, "<section class=\"verdict none\" id=\"verdict\">\n<h2>Verdict: no "
                           "certificate could be checked</h2>\n");
    } else {
        g_string_append_printf(o,
                               "<section class=\"verdict ok\" id=\"verdict\">\n<h2>Verdict: no "
                               "certificate trust problem found among %u server%s</h2>\n",
                               checked, checked == 1 ? "" : "s");
    }
    for (guint i = 0; i < d->findings->len; i++) {
        const CpFinding *f = d->findings->pdata[i];
        if (f->severity != CP_SEV_INFO)
            finding(o, f, i);
    }
    g_string_append(o, "</section>\n");
}

static void
graph_section(GString *o, const CpSeen *seen, const CpDiagnosis *d)
{
    g_autoptr(CpGraph) g = cp_graph_build(seen, d);
    g_autoptr(GError) err = NULL;
    g_autofree char *svg = g->nodes->len > 0 ? cp_graph_render_svg(g, &err) : NULL;

    if (g->nodes->len == 0)
        return;
    g_string_append(o, "<section id=\"trust-graph\">\n<h2>Trust graph</h2>\n<p class=\"legend\">"
                       "<span>servers left, CAs in the middle, roots right</span>"
                       "<span style=\"color:#2e7d32\">green: trust anchor</span>"
                       "<span style=\"color:#d50000\">red: where trust fails</span>"
                       "<span>dashed: a certificate the server does not send</span></p>\n"
                       "<div class=\"graph\">\n");
    if (svg != NULL) {
        g_string_append(o, svg);
    } else {
        g_string_append(o, "<p>The graph could not be drawn: ");
        esc(o, err != NULL ? err->message : "unknown error");
        g_string_append(o, "</p>");
    }
    g_string_append(o, "</div>\n</section>\n");
}

static const char *
status_words(const CpPath *p)
{
    if (p == NULL)
        return "the leaf certificate does not parse";
    switch (p->status) {
    case CP_PATH_TRUSTED:
        return "complete, ends at a trust anchor";
    case CP_PATH_UNTRUSTED_ROOT:
        return "ends at a root that is not a trust anchor";
    case CP_PATH_ISSUER_MISSING:
        return "incomplete: an issuer was found nowhere";
    default:
        return "a signature does not verify";
    }
}

static void
cert_item(GString *o, const CpChainLink *l)
{
    const CpCert *c = l->cert;

    g_string_append(o, "<li>");
    if (c == NULL) {
        g_string_append_printf(o,
                               "(certificate that does not parse)<br><span class=\"d\">sha1 "
                               "%s</span></li>\n",
                               l->sha1);
        return;
    }
    g_string_append(o, "<strong>");
    esc(o, c->subject);
    g_string_append(o, "</strong><br><span class=\"d\">issuer ");
    esc(o, c->issuer);
    g_string_append_printf(o, "<br>sha1 %s<br>valid ", c->sha1);
    cp_fmt_time(o, c->not_before, 0, false);
    g_string_append(o, " to ");
    cp_fmt_time(o, c->not_after, 0, false);
    if (c->san_dns->len > 0) {
        g_string_append(o, "<br>names ");
        for (guint i = 0; i < c->san_dns->len; i++) {
            if (i > 0)
                g_string_append(o, ", ");
            esc(o, c->san_dns->pdata[i]);
        }
    }
    for (guint i = 0; i < c->aia_ca_issuers->len; i++) {
        g_string_append(o, "<br>issuer at ");
        esc(o, c->aia_ca_issuers->pdata[i]);
    }
    g_string_append(o, "</span></li>\n");
}

static bool
server_in_finding(const CpDiagnosis *d, const CpServer *s)
{
    for (guint i = 0; i < d->findings->len; i++) {
        const CpFinding *f = d->findings->pdata[i];
        if (f->severity == CP_SEV_INFO)
            continue;
        for (guint j = 0; j < f->servers->len; j++)
            if (strcmp(f->servers->pdata[j], s->endpoint) == 0)
                return true;
    }
    return false;
}

static void
server_card(GString *o, const CpServerDiag *sd, const CpDiagnosis *d, guint idx)
{
    const CpServer *s = sd->server;

    g_string_append_printf(o, "<div class=\"card%s\" id=\"server-%u\">\n<h3>",
                           server_in_finding(d, s) ? " fault" : "", idx);
    esc(o, s->endpoint);
    if (sd->role != CP_ROLE_UNKNOWN)
        g_string_append_printf(o, " (%s)", cp_role_name(sd->role));
    g_string_append(o, "</h3>\n<p>");
    g_string_append_printf(o, "%" G_GUINT64_FORMAT " handshake%s", s->handshakes,
                           s->handshakes == 1 ? "" : "s");
    if (s->names->len > 0) {
        g_string_append(o, "; asked for ");
        for (guint i = 0; i < s->names->len; i++) {
            if (i > 0)
                g_string_append(o, ", ");
            esc(o, s->names->pdata[i]);
        }
    }
    for (guint i = 0; i < s->alerts->len; i++) {
        const CpAlertSeen *a = &g_array_index(s->alerts, CpAlertSeen, i);
        g_string_append_printf(o, "; %s alert ", a->from_client ? "client" : "server");
        cp_fmt_alert(o, a->desc);
        g_string_append_printf(o, " (%" G_GUINT64_FORMAT "x)", a->count);
    }
    g_string_append(o, "</p>\n");
    for (guint i = 0; i < s->chains->len; i++) {
        const CpSeenChain *ch = s->chains->pdata[i];
        const CpPath *p = i < sd->paths->len ? sd->paths->pdata[i] : NULL;
        g_string_append_printf(o,
                               "<p>Chain sent (%u certificate%s), path: %s</p>\n<ol "
                               "class=\"chain\" start=\"0\">\n",
                               ch->links->len, ch->links->len == 1 ? "" : "s", status_words(p));
        for (guint j = 0; j < ch->links->len; j++)
            cert_item(o, &g_array_index(ch->links, CpChainLink, j));
        g_string_append(o, "</ol>\n");
    }
    g_string_append(o, "</div>\n");
}

static void
html_final(CpReport *r, const CpSeen *seen, const CpRunInfo *info, const CpDiagnosis *diag)
{
    GString *o = r->line;
    const CpTrafficStats *s = &seen->stats;

    g_string_append_printf(o,
                           "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">"
                           "\n<meta name=\"viewport\" content=\"width=device-width, "
                           "initial-scale=1\">\n<title>certpath report</title>\n"
                           "<style>%s</style>\n</head>\n<body>\n<header>\n<h1>certpath "
                           "report</h1>\n<p class=\"meta\">",
                           style);
    for (guint i = 0; i < info->inputs->len; i++) {
        if (i > 0)
            g_string_append(o, ", ");
        esc(o, info->inputs->pdata[i]);
    }
    g_string_append_printf(o,
                           ": %u server%s, %" G_GUINT64_FORMAT " TLS handshake%s, %u distinct "
                           "certificate%s",
                           seen->servers->len, seen->servers->len == 1 ? "" : "s",
                           s->tls_connections, s->tls_connections == 1 ? "" : "s",
                           seen->certificates, seen->certificates == 1 ? "" : "s");
    for (guint i = 0; info->keylogs != NULL && i < info->keylogs->len; i++) {
        g_string_append(o, i == 0 ? "; key log " : ", ");
        esc(o, info->keylogs->pdata[i]);
    }
    if (s->frames > 0) {
        g_string_append(o, "; captured ");
        cp_fmt_time_ns(o, s->first_ts_ns, false);
        g_string_append(o, " to ");
        cp_fmt_time_ns(o, s->last_ts_ns, false);
    }
    if (info->has_at) {
        g_string_append(o, "; validity judged at ");
        cp_fmt_time(o, info->at_s, 0, false);
    }
    g_string_append(o, "</p>\n</header>\n");
    if (diag != NULL)
        verdict(o, seen, diag);
    graph_section(o, seen, diag);
    bool infos = false;
    for (guint i = 0; diag != NULL && i < diag->findings->len; i++) {
        const CpFinding *f = diag->findings->pdata[i];
        if (f->severity != CP_SEV_INFO)
            continue;
        if (!infos)
            g_string_append(o, "<section id=\"notes\">\n<h2>Notes</h2>\n");
        infos = true;
        finding(o, f, i);
    }
    if (infos)
        g_string_append(o, "</section>\n");
    if (diag != NULL && diag->servers->len > 0) {
        g_string_append(o, "<section id=\"servers\">\n<h2>Servers</h2>\n<div class=\"cards\">\n");
        for (guint i = 0; i < diag->servers->len; i++)
            server_card(o, diag->servers->pdata[i], diag, i);
        g_string_append(o, "</div>\n</section>\n");
    }
    for (guint i = 0; info->errors != NULL && i < info->errors->len; i++) {
        g_string_append(o, "<p class=\"error\">error: ");
        esc(o, info->errors->pdata[i]);
        g_string_append(o, "</p>\n");
    }
    g_string_append(o, "</body>\n</html>\n");
    cp_report_emit(r);
}

const CpReportWriter cp_report_writer_html = {
    .name = "html",
    .final = html_final,
};
