/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * truth.c - JSON Lines writer for the truth file (RFC 8259 strings; one
 * object per line, no pretty printing, so `grep`/`jq -c` work line by line).
 */
#include "truth.h"

#include "cgerror.h"

#include <errno.h>
#include <stdio.h>

struct CgTruth {
    FILE *file; /* NULL = discard */
    char *path;
    bool failed;
};

CgTruth *
cg_truth_open(const char *path, GError **error)
{
    CgTruth *t = g_new0(CgTruth, 1);

    if (path != NULL) {
        t->file = fopen(path, "w");
        if (t->file == NULL) {
            g_set_error(error, CG_ERROR, CG_ERROR_IO, "%s: %s", path, g_strerror(errno));
            g_free(t);
            return NULL;
        }
        t->path = g_strdup(path);
    }
    return t;
}

void
cg_truth_json_string(GString *out, const char *s)
{
    if (s == NULL) {
        g_string_append(out, "null");
        return;
    }
    g_string_append_c(out, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        switch (*p) {
        case '"':
            g_string_append(out, "\\\"");
            break;
        case '\\':
            g_string_append(out, "\\\\");
            break;
        case '\n':
            g_string_append(out, "\\n");
            break;
        case '\r':
            g_string_append(out, "\\r");
            break;
        case '\t':
            g_string_append(out, "\\t");
            break;
        default:
            if (*p < 0x20)
                g_string_append_printf(out, "\\u%04x", *p);
            else
                g_string_append_c(out, (char)*p);
        }
    }
    g_string_append_c(out, '"');
}

static void
emit_line(CgTruth *t, GString *line)
{
    g_string_append_c(line, '\n');
    if (t->file != NULL && fwrite(line->str, 1, line->len, t->file) != line->len)
        t->failed = true;
    g_string_free(line, TRUE);
}

static void
field(GString *line, const char *key, const char *value)
{
    g_string_append_printf(line, ",\"%s\":", key);
    cg_truth_json_string(line, value);
}

void
cg_truth_scenario(CgTruth *t, const char *name, const char *capture_time, GPtrArray *role_addrs,
                  GPtrArray *role_names)
{
    GString *line = g_string_new("{\"type\":\"scenario\"");

    field(line, "name", name);
    field(line, "capture_time", capture_time);
    g_string_append(line, ",\"roles\":{");
    for (guint i = 0; i < role_addrs->len; i++) {
        if (i > 0)
            g_string_append_c(line, ',');
        cg_truth_json_string(line, g_ptr_array_index(role_addrs, i));
        g_string_append_c(line, ':');
        cg_truth_json_string(line, g_ptr_array_index(role_names, i));
    }
    g_string_append(line, "}}");
    emit_line(t, line);
}

void
cg_truth_certificate(CgTruth *t, const CgCert *cert)
{
    GString *line = g_string_new("{\"type\":\"certificate\"");
    g_autofree char *sha1 = cg_pki_digest_hex(cert->x509, "SHA1");
    g_autofree char *sha256 = cg_pki_digest_hex(cert->x509, "SHA256");
    g_autofree char *subject = cg_pki_name_rfc2253(X509_get_subject_name(cert->x509));
    g_autofree char *issuer = cg_pki_name_rfc2253(X509_get_issuer_name(cert->x509));
    g_autofree char *serial = cg_pki_serial_hex(cert->x509);

    field(line, "name", cert->name);
    field(line, "sha1", sha1);
    field(line, "sha256", sha256);
    field(line, "subject", subject);
    field(line, "issuer", issuer);
    field(line, "serial", serial);
    g_string_append_c(line, '}');
    emit_line(t, line);
}

void
cg_truth_connection(CgTruth *t, const CgTruthConn *c)
{
    GString *line = g_string_new("{\"type\":\"connection\"");

    field(line, "client", c->client);
    field(line, "server", c->server);
    field(line, "sni", c->sni);
    field(line, "version", c->version);
    g_string_append(line, ",\"chain\":[");
    for (guint i = 0; c->chain != NULL && i < c->chain->len; i++) {
        if (i > 0)
            g_string_append_c(line, ',');
        cg_truth_json_string(line, g_ptr_array_index(c->chain, i));
    }
    g_string_append_c(line, ']');
    field(line, "alert", c->alert);
    g_string_append_printf(line, ",\"truncated\":%s,\"resumed\":%s}",
                           c->truncated ? "true" : "false", c->resumed ? "true" : "false");
    emit_line(t, line);
}

gboolean
cg_truth_close(CgTruth *t, GError **error)
{
    gboolean ok;

    if (t == NULL)
        return TRUE;
    ok = !t->failed && (t->file == NULL || fclose(t->file) == 0);
    if (!ok)
        g_set_error(error, CG_ERROR, CG_ERROR_IO, "%s: write failed",
                    t->path != NULL ? t->path : "truth");
    g_free(t->path);
    g_free(t);
    return ok;
}
