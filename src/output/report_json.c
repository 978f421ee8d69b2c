/* SPDX-License-Identifier: BSD-2-Clause */
/* report_json: JSON Lines (RFC 8259, one object per line). Field names are stable API (R15):
 * add fields, never rename them. */
#include "output/report_private.h"

#include <string.h>

#include "output/escape.h"
#include "output/format.h"

static void
key(CpReport *r, const char *k)
{
    g_string_append_printf(r->line, ",\"%s\":", k);
}

static void
str(CpReport *r, const char *k, const char *v)
{
    key(r, k);
    r->invalid_utf8 += cp_escape_json(r->line, v);
}

static void
num(CpReport *r, const char *k, uint64_t v)
{
    key(r, k);
    g_string_append_printf(r->line, "%" G_GUINT64_FORMAT, v);
}

static void
boolean(CpReport *r, const char *k, bool v)
{
    key(r, k);
    g_string_append(r->line, v ? "true" : "false");
}

static void
str_array(CpReport *r, const char *k, const GPtrArray *a)
{
    key(r, k);
    g_string_append_c(r->line, '[');
    for (guint i = 0; a != NULL && i < a->len; i++) {
        if (i > 0)
            g_string_append_c(r->line, ',');
        r->invalid_utf8 += cp_escape_json(r->line, a->pdata[i]);
    }
    g_string_append_c(r->line, ']');
}

static void
time_field(CpReport *r, const char *k, int64_t t)
{
    key(r, k);
    g_string_append_c(r->line, '"');
    cp_fmt_time(r->line, t, 0, false);
    g_string_append_c(r->line, '"');
}

static void
json_certificate(CpReport *r, const CpCert *c)
{
    g_string_append(r->line, "{\"type\":\"certificate\"");
    str(r, "sha1", c->sha1);
    str(r, "sha256", c->sha256);
    str(r, "subject", c->subject);
    str(r, "issuer", c->issuer);
    str(r, "serial", c->serial);
    time_field(r, "not_before", c->not_before);
    time_field(r, "not_after", c->not_after);
    str(r, "key_type", c->key_type);
    num(r, "key_bits", c->key_bits);
    if (c->key_curve != NULL)
        str(r, "key_curve", c->key_curve);
    str(r, "signature", c->signature);
    str(r, "signature_hash", c->sig_hash);
    str_array(r, "san", c->san_dns);
    str_array(r, "san_ip", c->san_ip);
    boolean(r, "is_ca", c->is_ca);
    boolean(r, "self_signed", c->self_signed);
    str(r, "ski", c->ski);
    str(r, "aki", c->aki);
    str_array(r, "aia_ca_issuers", c->aia_ca_issuers);
    str_array(r, "aia_ocsp", c->aia_ocsp);
    num(r, "der_len", c->der_len);
    /* The DER itself, once per distinct certificate: what lets --records rebuild and check the
     * chains from several sensors' lines (base64 needs no escaping). */
    g_autofree char *der = g_base64_encode(c->der, c->der_len);
    g_string_append_printf(r->line, ",\"der\":\"%s\"", der);
    g_string_append(r->line, "}\n");
    cp_report_emit(r);
}

static void
endpoint(CpReport *r, const char *k, const CpAddr *a, uint16_t port)
{
    char buf[64];

    cp_addr_format_endpoint(a, port, buf, sizeof buf);
    str(r, k, buf);
}

static void
chain(CpReport *r, const char *k, const GArray *links)
{
    key(r, k);
    g_string_append_c(r->line, '[');
    for (guint i = 0; i < links->len; i++)
        g_string_append_printf(r->line, "%s\"%s\"", i ? "," : "",
                               g_array_index(links, CpChainLink, i).sha1);
    g_string_append_c(r->line, ']');
}

/* What the client offered and how the connection ended: the facts of the client-side findings,
 * so --records on another host judges them as the sensor would. */
static void
client_side(CpReport *r, const CpHandshake *h)
{
    const CpSuiteSummary *su = &h->suites;

    key(r, "client_version");
    if (h->has_client_hello && h->client_version != 0) {
        g_string_append_c(r->line, '"');
        cp_fmt_version(r->line, h->client_version);
        g_string_append_c(r->line, '"');
    } else {
        g_string_append(r->line, "null");
    }
    g_string_append_printf(
            r->line,
            ",\"client_suites\":{\"count\":%u,\"tls13\":%s,\"ecdhe\":%s,"
            "\"dhe\":%s,\"rsa_kx\":%s,\"aead\":%s,\"cbc\":%s,\"rc4\":%s,"
            "\"des3\":%s}",
            (unsigned)su->count, su->tls13 ? "true" : "false", su->ecdhe ? "true" : "false",
            su->dhe ? "true" : "false", su->rsa_kx ? "true" : "false", su->aead ? "true" : "false",
            su->cbc ? "true" : "false", su->rc4 ? "true" : "false", su->des3 ? "true" : "false");
    boolean(r, "cert_requested", h->cert_requested);
    boolean(r, "client_ccs", h->client_ccs);
    boolean(r, "server_ccs", h->server_ccs);
    key(r, "client_end");
    g_string_append(r->line, h->client_reset ? "\"rst\"" : h->client_closed ? "\"fin\"" : "null");
    boolean(r, "server_reset", h->server_reset);
    boolean(r, "client_truncated", h->client_truncated);
    key(r, "client_mac");
    if (h->has_client_mac)
        g_string_append_printf(r->line, "\"%02x:%02x:%02x:%02x:%02x:%02x\"", h->client_mac[0],
                               h->client_mac[1], h->client_mac[2], h->client_mac[3],
                               h->client_mac[4], h->client_mac[5]);
    else
        g_string_append(r->line, "null");
}

static void
json_handshake(CpReport *r, const CpHandshake *h)
{
    g_string_append(r->line, "{\"type\":\"handshake\",\"ts\":\"");
    cp_fmt_time_ns(r->line, h->ts_ns, true);
    g_string_append_c(r->line, '"');
    endpoint(r, "client", &h->client, h->client_port);
    endpoint(r, "server", &h->server, h->server_port);
    str(r, "sni", h->sni);
    key(r, "version");
    if (h->has_server_hello && h->version == 0x0002) {
        /* SSLv2 negotiates no single suite in its SERVER-HELLO. */
        g_string_append(r->line, "\"SSL 2.0\",\"cipher\":null");
    } else if (h->has_server_hello) {
        g_string_append_c(r->line, '"');
        cp_fmt_version(r->line, h->version);
        g_string_append(r->line, "\",\"cipher\":\"");
        cp_fmt_cipher(r->line, h->cipher);
        g_string_append_c(r->line, '"');
    } else {
        g_string_append(r->line, "null,\"cipher\":null");
    }
    chain(r, "chain", h->chain);
    if (h->client_chain->len > 0)
        chain(r, "client_chain", h->client_chain);
    key(r, "alert");
    if (h->alert_desc >= 0) {
        g_string_append_c(r->line, '"');
        cp_fmt_alert(r->line, h->alert_desc);
        g_string_append_printf(r->line, "\",\"alert_level\":\"%s\",\"alert_sender\":\"%s\"",
                               h->alert_level == 2 ? "fatal" : "warning",
                               h->alert_from_client ? "client" : "server");
    } else {
        /* Present whenever "alert" is, so a consumer's schema never loses a column. */
        g_string_append(r->line, "null,\"alert_level\":null,\"alert_sender\":null");
    }
    boolean(r, "truncated", h->truncated);
    boolean(r, "resumed", cp_handshake_is_resumed(h));
    boolean(r, "tls13_encrypted", h->tls13_encrypted);
    boolean(r, "chain_damaged", h->chain_damaged);
    g_string_append_printf(r->line, ",\"renegotiation\":%u", (unsigned)h->renegotiation);
    client_side(r, h);
    g_string_append(r->line, "}\n");
    cp_report_emit(r);
}

static void
anomalies(CpReport *r, const CpAnomalies *a)
{
    bool first = true;

    key(r, "anomalies");
    g_string_append_c(r->line, '{');
    for (int i = 0; i < CP_ANOMALY__COUNT; i++) {
        uint64_t n = a->count[i];
        if (i == CP_ANOMALY_OUTPUT_INVALID_UTF8)
            n += r->invalid_utf8;
        if (n == 0)
            continue;
        g_string_append_printf(r->line, "%s\"%s\":%" G_GUINT64_FORMAT, first ? "" : ",",
                               cp_anomaly_name((CpAnomalyId)i), n);
        first = false;
    }
    g_string_append_c(r->line, '}');
    /* anomaly_options: for each anomaly above that a limit caused, the options (without "--")
     * that raise it, from limits.def; a separate object so "anomalies" stays name -> count. */
    first = true;
    key(r, "anomaly_options");
    g_string_append_c(r->line, '{');
    for (int i = 0; i < CP_ANOMALY__COUNT; i++) {
        const char *opts[4];
        if (a->count[i] == 0)
            continue;
        size_t n_opts = cp_anomaly_options((CpAnomalyId)i, opts, G_N_ELEMENTS(opts));
        if (n_opts == 0)
            continue;
        g_string_append_printf(r->line, "%s\"%s\":[", first ? "" : ",",
                               cp_anomaly_name((CpAnomalyId)i));
        for (size_t j = 0; j < n_opts && j < G_N_ELEMENTS(opts); j++)
            g_string_append_printf(r->line, "%s\"%s\"", j == 0 ? "" : ",", opts[j]);
        g_string_append_c(r->line, ']');
        first = false;
    }
    g_string_append_c(r->line, '}');
}

static void
json_summary(CpReport *r, const CpSeen *seen, const CpRunInfo *info, const CpDiagnosis *diag)
{
    const CpTrafficStats *s = &seen->stats;

    g_string_append(r->line, "{\"type\":\"summary\"");
    str_array(r, "inputs", info->inputs);
    if (info->keylogs != NULL && info->keylogs->len > 0)
        str_array(r, "keylogs", info->keylogs);
    num(r, "packets", s->frames);
    num(r, "bytes", s->bytes);
    num(r, "tcp_segments", s->tcp_segments);
    num(r, "connections", s->connections);
    num(r, "handshakes", s->tls_connections);
    num(r, "certificate_messages", s->cert_messages);
    num(r, "certificates", seen->certificates);
    num(r, "servers", seen->servers->len);
    if (s->frames > 0 || (info->records && s->tls_connections > 0)) {
        key(r, "capture_start");
        g_string_append_c(r->line, '"');
        cp_fmt_time_ns(r->line, s->first_ts_ns, true);
        g_string_append(r->line, "\",\"capture_end\":\"");
        cp_fmt_time_ns(r->line, s->last_ts_ns, true);
        g_string_append_c(r->line, '"');
    }
    if (info->records)
        boolean(r, "records", true);
    if (info->stats_valid) {
        num(r, "received", info->received);
        num(r, "dropped_kernel", info->dropped_kernel);
        num(r, "dropped_interface", info->dropped_iface);
        num(r, "dropped_queue", info->dropped_queue);
    }
    if (diag != NULL) {
        static const char *const outcomes[] = { "clean", "warning", "error", "inconclusive" };
        key(r, "findings");
        g_string_append_printf(r->line, "{\"error\":%u,\"warning\":%u,\"info\":%u}",
                               diag->count[CP_SEV_ERROR], diag->count[CP_SEV_WARNING],
                               diag->count[CP_SEV_INFO]);
        str(r, "outcome", outcomes[cp_diag_outcome(diag, seen)]);
        if (diag->trusted_applied->len > 0)
            str_array(r, "trusted_ca_applied", diag->trusted_applied);
    } else if (info->errors != NULL && info->errors->len > 0) {
        str(r, "outcome", "input-error"); /* nothing could be read: exit status 2 */
    }
    if (info->has_at) {
        key(r, "judged_at");
        g_string_append_c(r->line, '"');
        cp_fmt_time(r->line, info->at_s, 0, false);
        g_string_append_c(r->line, '"');
    }
    anomalies(r, seen->anomalies);
    str_array(r, "errors", info->errors);
    g_string_append(r->line, "}\n");
    cp_report_emit(r);
}

/* final: written by a report (offline, or live at the end or on SIGUSR1) rather than streamed
 * the first time live capture knew it, so a live log's alert rule can take one or the other and
 * see each fault once. */
static void
json_finding_line(CpReport *r, const CpFinding *f, bool final)
{
    g_string_append(r->line, "{\"type\":\"finding\"");
    str(r, "code", cp_finding_code_name(f->code));
    str(r, "severity", cp_severity_name(f->severity));
    str_array(r, "servers", f->servers);
    str_array(r, "certificates", f->certs);
    if (f->clients->len > 0)
        str_array(r, "clients", f->clients);
    str(r, "message", f->message->str);
    str(r, "remedy", f->remedy->str);
    num(r, "handshakes", f->handshakes);
    boolean(r, "final", final);
    g_string_append(r->line, "}\n");
    cp_report_emit(r);
}

static void
json_finding(CpReport *r, const CpFinding *f)
{
    json_finding_line(r, f, false);
}

static const char *
path_status_name(CpPathStatus s)
{
    switch (s) {
    case CP_PATH_TRUSTED:
        return "trusted";
    case CP_PATH_UNTRUSTED_ROOT:
        return "untrusted-root";
    case CP_PATH_ISSUER_MISSING:
        return "issuer-missing";
    default:
        return "bad-signature";
    }
}

static const char *
source_name(CpCertSource s)
{
    return s == CP_SRC_SENT ? "sent" : s == CP_SRC_CAPTURE ? "capture" : "store";
}

/* One line per server: its role, names and the path of each chain it sent. */
static void
json_servers(CpReport *r, const CpDiagnosis *diag)
{
    for (guint i = 0; i < diag->servers->len; i++) {
        const CpServerDiag *sd = diag->servers->pdata[i];
        const CpServer *s = sd->server;
        g_string_append(r->line, "{\"type\":\"server\"");
        str(r, "server", s->endpoint);
        str(r, "role", cp_role_name(sd->role));
        str_array(r, "names", cp_roles_names(diag->roles, s));
        num(r, "handshakes", s->handshakes);
        key(r, "paths");
        g_string_append_c(r->line, '[');
        for (guint j = 0; j < sd->paths->len; j++) {
            const CpPath *p = sd->paths->pdata[j];
            g_string_append(r->line, j ? ",{" : "{");
            g_string_append_printf(r->line, "\"status\":\"%s\",\"certificates\":[",
                                   p ? path_status_name(p->status) : "unparsed");
            for (guint k = 0; p != NULL && k < p->certs->len; k++) {
                const CpPathCert *pc = &g_array_index(p->certs, CpPathCert, k);
                g_string_append_printf(r->line, "%s{\"sha1\":\"%s\",\"source\":\"%s\",\"subject\":",
                                       k ? "," : "", pc->sha1, source_name(pc->source));
                r->invalid_utf8 += cp_escape_json(r->line, pc->subject);
                g_string_append_printf(r->line, ",\"anchor\":%s}",
                                       pc->is_anchor ? "true" : "false");
            }
            g_string_append(r->line, "]}");
        }
        g_string_append(r->line, "]}\n");
        cp_report_emit(r);
    }
}

static void
json_final(CpReport *r, const CpSeen *seen, const CpRunInfo *info, const CpDiagnosis *diag)
{
    for (guint i = 0; diag != NULL && i < diag->findings->len; i++)
        json_finding_line(r, diag->findings->pdata[i], true);
    if (diag != NULL)
        json_servers(r, diag);
    json_summary(r, seen, info, diag);
}

const CpReportWriter cp_report_writer_json = {
    .name = "json",
    .flush_lines = true,
    .certificate = json_certificate,
    .handshake = json_handshake,
    .finding = json_finding,
    .final = json_final,
};
