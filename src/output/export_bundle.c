/* SPDX-License-Identifier: BSD-2-Clause */
/* export_bundle: chain bundles and manifest.json (export_bundle.h). The bundles come from the
 * model's distinct chains, so a chain sent in a thousand handshakes is one file. A link whose
 * certificate did not parse (or was dropped by a limit) has no DER to write: the bundle then
 * lacks it and the manifest says so ("missing"). */
#include "output/export_bundle.h"

#include <string.h>

#include "analysis/model.h"
#include "base/error.h"
#include "output/escape.h"
#include "output/format.h"

char *
cp_export_safe_name(const char *name)
{
    char *s = g_strdup(name);

    for (char *p = s; *p != '\0'; p++)
        if (!g_ascii_isalnum(*p) && *p != '.' && *p != '-')
            *p = '_';
    if (s[0] == '.')
        s[0] = '_'; /* never a hidden file, never ".." */
    return s;
}

static void
pem_append(GString *pem, const CpCert *c)
{
    g_autofree char *b64 = g_base64_encode(c->der, c->der_len);
    size_t n = strlen(b64);

    g_string_append(pem, "-----BEGIN CERTIFICATE-----\n");
    for (size_t i = 0; i < n; i += 64) {
        g_string_append_len(pem, b64 + i, (gssize)(n - i < 64 ? n - i : 64));
        g_string_append_c(pem, '\n');
    }
    g_string_append(pem, "-----END CERTIFICATE-----\n");
}

static bool
write_file(const char *dir, const char *name, const GString *text, GError **error)
{
    g_autofree char *path = g_build_filename(dir, name, NULL);
    GError *e = NULL;

    if (g_file_set_contents(path, text->str, (gssize)text->len, &e))
        return true;
    g_set_error(error, CP_ERROR, CP_ERROR_OUTPUT, "--export-certs %s: %s", dir, e->message);
    g_error_free(e);
    return false;
}

static void
json_str_array(GString *m, const char *key, const GPtrArray *v)
{
    g_string_append_printf(m, ",\"%s\":[", key);
    for (guint i = 0; v != NULL && i < v->len; i++) {
        if (i > 0)
            g_string_append_c(m, ',');
        cp_escape_json(m, v->pdata[i]);
    }
    g_string_append_c(m, ']');
}

/* One chain: its bundle written, its manifest entry appended to m. */
static bool
export_chain(const char *dir, const CpServer *s, guint index, GString *m, GHashTable *certs,
             CpExportCount *count, GError **error)
{
    const CpSeenChain *ch = s->chains->pdata[index];
    g_autofree char *safe = cp_export_safe_name(s->endpoint);
    g_autofree char *file = g_strdup_printf("%s-chain%u.pem", safe, index + 1);
    GString *pem = g_string_new(NULL);

    g_string_append_printf(m, "%s{\"file\":", index ? "," : "");
    cp_escape_json(m, file);
    g_string_append_printf(m, ",\"handshakes\":%" G_GUINT64_FORMAT ",\"first_seen\":\"", ch->count);
    cp_fmt_time_ns(m, ch->first_ts_ns, true);
    g_string_append_c(m, '"');
    json_str_array(m, "sni", ch->names);
    g_string_append(m, ",\"certificates\":[");
    for (guint k = 0; k < ch->links->len; k++) {
        const CpChainLink *l = &g_array_index(ch->links, CpChainLink, k);
        g_string_append_printf(m, "%s{\"sha1\":\"%s\",\"subject\":", k ? "," : "", l->sha1);
        if (l->cert != NULL) {
            cp_escape_json(m, l->cert->subject);
            g_string_append_printf(m, ",\"sha256\":\"%s\",\"file\":\"%s.pem\"}", l->cert->sha256,
                                   l->cert->sha1);
            pem_append(pem, l->cert);
            g_hash_table_add(certs, (gpointer)l->cert->sha1);
        } else {
            g_string_append(m, "null,\"missing\":true}");
        }
    }
    g_string_append(m, "]}");
    bool ok = pem->len == 0 || write_file(dir, file, pem, error);
    if (ok && pem->len > 0)
        count->bundles++;
    g_string_free(pem, TRUE);
    return ok;
}

bool
cp_export_bundles(const char *dir, const GPtrArray *servers, CpExportCount *count, GError **error)
{
    GString *m = g_string_new("{\"servers\":[");
    GHashTable *certs = g_hash_table_new(g_str_hash, g_str_equal);
    bool ok = true;

    memset(count, 0, sizeof *count);
    for (guint i = 0; ok && i < servers->len; i++) {
        const CpServer *s = servers->pdata[i];
        g_string_append(m, i ? ",\n{\"server\":" : "\n{\"server\":");
        cp_escape_json(m, s->endpoint);
        g_string_append_printf(m, ",\"handshakes\":%" G_GUINT64_FORMAT, s->handshakes);
        json_str_array(m, "names", s->names);
        g_string_append(m, ",\"chains\":[");
        for (guint j = 0; ok && j < s->chains->len; j++)
            ok = export_chain(dir, s, j, m, certs, count, error);
        g_string_append(m, "]}");
    }
    count->certificates = g_hash_table_size(certs);
    g_hash_table_destroy(certs);
    g_string_append(m, "\n]}\n");
    ok = ok && write_file(dir, "manifest.json", m, error);
    g_string_free(m, TRUE);
    return ok;
}
