/* SPDX-License-Identifier: BSD-2-Clause */
/* report_ecs: one JSON document per line mapped to the Elastic Common Schema (ECS 8.11), for log
 * shippers (Filebeat, Fluent Bit, docs/ecs.md): each handshake as event.kind "event" with
 * source.*, destination.*, tls.* and the leaf under tls.server.x509.*; each finding as
 * event.kind "alert" with rule.name = the finding code. Only field names of the ECS reference are
 * written (a test checks them, tests/e2e/e2e.py "ecs-fields"). Strings from the wire are escaped
 * by cp_escape_json (R70). */
#include "output/report_private.h"

#include <string.h>

#include "output/escape.h"
#include "output/format.h"

#define ECS_VERSION "8.11.0"

/* Writers of one nested object: first says whether a comma is due. */
typedef struct Obj {
    CpReport *r;
    bool first[8];
    int depth;
} Obj;

static void
key(Obj *o, const char *k)
{
    if (!o->first[o->depth])
        g_string_append_c(o->r->line, ',');
    o->first[o->depth] = false;
    g_string_append_printf(o->r->line, "\"%s\":", k);
}

static void
open_obj(Obj *o, const char *k)
{
    key(o, k);
    g_string_append_c(o->r->line, '{');
    o->depth++;
    o->first[o->depth] = true;
}

static void
close_obj(Obj *o)
{
    g_string_append_c(o->r->line, '}');
    o->depth--;
}

static void
str(Obj *o, const char *k, const char *v)
{
    if (v == NULL)
        return;
    key(o, k);
    o->r->invalid_utf8 += cp_escape_json(o->r->line, v);
}

static void
num(Obj *o, const char *k, uint64_t v)
{
    key(o, k);
    g_string_append_printf(o->r->line, "%" G_GUINT64_FORMAT, v);
}

static void
boolean(Obj *o, const char *k, bool v)
{
    key(o, k);
    g_string_append(o->r->line, v ? "true" : "false");
}

static void
str_array(Obj *o, const char *k, const GPtrArray *a)
{
    key(o, k);
    g_string_append_c(o->r->line, '[');
    for (guint i = 0; a != NULL && i < a->len; i++) {
        if (i > 0)
            g_string_append_c(o->r->line, ',');
        o->r->invalid_utf8 += cp_escape_json(o->r->line, a->pdata[i]);
    }
    g_string_append_c(o->r->line, ']');
}

static void
time_str(Obj *o, const char *k, int64_t t)
{
    key(o, k);
    g_string_append_c(o->r->line, '"');
    cp_fmt_time(o->r->line, t, 0, false);
    g_string_append_c(o->r->line, '"');
}

static void
begin(Obj *o, CpReport *r, uint64_t ts_ns)
{
    memset(o, 0, sizeof *o);
    o->r = r;
    o->first[0] = true;
    g_string_append_c(r->line, '{');
    key(o, "@timestamp");
    g_string_append_c(r->line, '"');
    cp_fmt_time_ns(r->line, ts_ns, true);
    g_string_append_c(r->line, '"');
    open_obj(o, "ecs");
    str(o, "version", ECS_VERSION);
    close_obj(o);
}

static void
end(Obj *o)
{
    g_string_append(o->r->line, "}\n");
    cp_report_emit(o->r);
}

static void
event(Obj *o, const char *kind, const char *category, const char *type, const char *dataset)
{
    open_obj(o, "event");
    str(o, "kind", kind);
    key(o, "category");
    g_string_append_printf(o->r->line, "[\"%s\"]", category);
    key(o, "type");
    g_string_append_printf(o->r->line, "[\"%s\"]", type);
    str(o, "module", "certpath");
    str(o, "dataset", dataset);
}

static void
endpoint(Obj *o, const char *k, const CpAddr *a, uint16_t port)
{
    char ip[64];

    cp_addr_format(a, ip, sizeof ip);
    open_obj(o, k);
    str(o, "ip", ip);
    num(o, "port", port);
    close_obj(o);
}

/* "TLS 1.2" -> tls.version_protocol "tls", tls.version "1.2". */
static void
version(Obj *o, uint16_t v)
{
    GString *s = g_string_new(NULL);

    cp_fmt_version(s, v);
    const char *space = strchr(s->str, ' ');
    if (space != NULL) {
        g_autofree char *proto = g_ascii_strdown(s->str, space - s->str);
        str(o, "version", space + 1);
        str(o, "version_protocol", proto);
    }
    g_string_free(s, TRUE);
}

static void
x509(Obj *o, const CpCert *c)
{
    open_obj(o, "x509");
    open_obj(o, "subject");
    str(o, "distinguished_name", c->subject);
    if (c->common_name != NULL) {
        key(o, "common_name");
        g_string_append_c(o->r->line, '[');
        o->r->invalid_utf8 += cp_escape_json(o->r->line, c->common_name);
        g_string_append_c(o->r->line, ']');
    }
    close_obj(o);
    open_obj(o, "issuer");
    str(o, "distinguished_name", c->issuer);
    close_obj(o);
    str(o, "serial_number", c->serial);
    time_str(o, "not_before", c->not_before);
    time_str(o, "not_after", c->not_after);
    str(o, "public_key_algorithm", c->key_type);
    num(o, "public_key_size", c->key_bits);
    str(o, "public_key_curve", c->key_curve);
    str(o, "signature_algorithm", c->signature);
    GPtrArray *names = g_ptr_array_new();
    for (guint i = 0; i < c->san_dns->len; i++)
        g_ptr_array_add(names, c->san_dns->pdata[i]);
    for (guint i = 0; i < c->san_ip->len; i++)
        g_ptr_array_add(names, c->san_ip->pdata[i]);
    if (names->len > 0)
        str_array(o, "alternative_names", names);
    g_ptr_array_free(names, TRUE);
    close_obj(o);
}

static void
server_side(Obj *o, const CpHandshake *h)
{
    const CpCert *leaf = g_array_index(h->chain, CpChainLink, 0).cert;

    open_obj(o, "server");
    open_obj(o, "hash");
    str(o, "sha1", g_array_index(h->chain, CpChainLink, 0).sha1);
    if (leaf != NULL)
        str(o, "sha256", leaf->sha256);
    close_obj(o);
    /* ECS: "Array of PEM-encoded certificates": the base64 of each DER, without the armour. */
    key(o, "certificate_chain");
    g_string_append_c(o->r->line, '[');
    bool first = true;
    for (guint i = 0; i < h->chain->len; i++) {
        const CpCert *c = g_array_index(h->chain, CpChainLink, i).cert;
        if (c == NULL)
            continue;
        g_autofree char *b64 = g_base64_encode(c->der, c->der_len);
        g_string_append_printf(o->r->line, "%s\"%s\"", first ? "" : ",", b64);
        first = false;
    }
    g_string_append_c(o->r->line, ']');
    if (leaf != NULL) {
        str(o, "subject", leaf->subject);
        str(o, "issuer", leaf->issuer);
        time_str(o, "not_before", leaf->not_before);
        time_str(o, "not_after", leaf->not_after);
        x509(o, leaf);
    }
    close_obj(o);
}

static void
ecs_handshake(CpReport *r, const CpHandshake *h)
{
    Obj o;

    begin(&o, r, h->ts_ns);
    event(&o, "event", "network", "protocol", "certpath.handshake");
    if (h->alert_desc >= 0) {
        GString *a = g_string_new(NULL);
        cp_fmt_alert(a, h->alert_desc);
        g_string_prepend(a, h->alert_from_client ? "client alert " : "server alert ");
        str(&o, "reason", a->str);
        g_string_free(a, TRUE);
    }
    close_obj(&o);
    endpoint(&o, "source", &h->client, h->client_port);
    endpoint(&o, "destination", &h->server, h->server_port);
    open_obj(&o, "network");
    str(&o, "transport", "tcp");
    str(&o, "protocol", "tls");
    close_obj(&o);
    open_obj(&o, "tls");
    if (h->has_server_hello) {
        version(&o, h->version);
        if (h->version != 0x0002) {
            GString *c = g_string_new(NULL);
            cp_fmt_cipher(c, h->cipher);
            str(&o, "cipher", c->str);
            g_string_free(c, TRUE);
        }
    }
    boolean(&o, "resumed", cp_handshake_is_resumed(h));
    if (h->sni != NULL) {
        open_obj(&o, "client");
        str(&o, "server_name", h->sni);
        close_obj(&o);
    }
    if (h->chain->len > 0)
        server_side(&o, h);
    close_obj(&o);
    end(&o);
}

static void
finding_doc(CpReport *r, const CpFinding *f, uint64_t ts_ns)
{
    Obj o;

    begin(&o, r, ts_ns);
    event(&o, "alert", "configuration", "info", "certpath.finding");
    num(&o, "severity", f->severity == CP_SEV_ERROR ? 3 : f->severity == CP_SEV_WARNING ? 2 : 1);
    close_obj(&o);
    open_obj(&o, "log");
    str(&o, "level", cp_severity_name(f->severity));
    close_obj(&o);
    open_obj(&o, "rule");
    str(&o, "name", cp_finding_code_name(f->code));
    str(&o, "description", cp_finding_title(f->code));
    str(&o, "ruleset", "certpath");
    close_obj(&o);
    GString *m = g_string_new(f->message->str);
    if (f->remedy->len > 0)
        g_string_append_printf(m, "\nFix: %s", f->remedy->str);
    str(&o, "message", m->str);
    g_string_free(m, TRUE);
    /* related.ip: the servers' addresses, without the port. */
    GPtrArray *ips = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < f->servers->len; i++) {
        const char *ep = f->servers->pdata[i];
        const char *colon = strrchr(ep, ':');
        char *ip = ep[0] == '[' && colon != NULL && colon > ep + 1
                           ? g_strndup(ep + 1, (size_t)(colon - ep) - 2)
                   : colon != NULL ? g_strndup(ep, (size_t)(colon - ep))
                                   : g_strdup(ep);
        bool dup = false;
        for (guint j = 0; j < ips->len && !dup; j++)
            dup = strcmp(ips->pdata[j], ip) == 0;
        if (dup)
            g_free(ip);
        else
            g_ptr_array_add(ips, ip);
    }
    open_obj(&o, "related");
    str_array(&o, "ip", ips);
    str_array(&o, "hash", f->certs);
    close_obj(&o);
    g_ptr_array_free(ips, TRUE);
    end(&o);
}

static void
ecs_finding(CpReport *r, const CpFinding *f)
{
    finding_doc(r, f, (uint64_t)g_get_real_time() * 1000u);
}

static void
ecs_final(CpReport *r, const CpSeen *seen, const CpRunInfo *info, const CpDiagnosis *diag)
{
    uint64_t ts =
            seen->stats.frames > 0 ? seen->stats.last_ts_ns : (uint64_t)g_get_real_time() * 1000u;

    (void)info;
    for (guint i = 0; diag != NULL && i < diag->findings->len; i++)
        finding_doc(r, diag->findings->pdata[i], ts);
}

const CpReportWriter cp_report_writer_ecs = {
    .name = "ecs",
    .flush_lines = true,
    .handshake = ecs_handshake,
    .finding = ecs_finding,
    .final = ecs_final,
};
