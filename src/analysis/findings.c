/* SPDX-License-Identifier: BSD-2-Clause */
/* findings: the registry of findings.def (code, severity, title) and the one find-or-create of a
 * finding by the key naming its fault. The rules live in diagnose.c and diagnose_site.c, the
 * words in finding_text.c. */
#include "analysis/diagnose_private.h"

#include <string.h>

#include "base/hash.h"

static const struct {
    const char *code;
    CpSeverity sev;
    const char *title;
} registry[] = {

#define CP_FINDING(id, code, sev, title) [CP_FINDING_##id] = { code, CP_SEV_##sev, title },
#include "analysis/findings.def"
#undef CP_FINDING
};

G_STATIC_ASSERT(G_N_ELEMENTS(registry) == CP_FINDING__COUNT);

const char *
cp_finding_code_name(CpFindingCode c)
{
    return c < CP_FINDING__COUNT ? registry[c].code : "unknown";
}

CpSeverity
cp_finding_severity(CpFindingCode c)
{
    return c < CP_FINDING__COUNT ? registry[c].sev : CP_SEV_INFO;
}

const char *
cp_finding_title(CpFindingCode c)
{
    return c < CP_FINDING__COUNT ? registry[c].title : "";
}

/* Endpoints, names and thumbprints derive from attacker bytes: one keyed hash for every table of
 * the diagnosis (STYLE R49), its key drawn once per process. */
guint
cp_diag_str_hash(gconstpointer s)
{
    static CpHashKey key;
    static gsize once;

    if (g_once_init_enter(&once)) {
        cp_hash_key_init_random(&key);
        g_once_init_leave(&once, 1);
    }
    uint64_t h = cp_hash_bytes(&key, s, strlen(s));
    return (guint)(h ^ (h >> 32));
}

CpFindingCode
cp_finding_code_from_name(const char *name)
{
    for (size_t i = 0; name != NULL && i < CP_FINDING__COUNT; i++)
        if (strcmp(registry[i].code, name) == 0)
            return (CpFindingCode)i;
    return CP_FINDING__COUNT;
}

const char *
cp_severity_name(CpSeverity s)
{
    return s == CP_SEV_ERROR ? "error" : s == CP_SEV_WARNING ? "warning" : "info";
}

/* A finding may cover every server of a site: listing is a set lookup, not a scan (issue 12). */
static void
add_unique(CpFinding *f, GPtrArray *a, char kind, const char *s)
{
    char *k = g_strdup_printf("%c:%s", kind, s);

    if (!g_hash_table_add(f->listed, k))
        return;
    g_ptr_array_add(a, g_strdup(s));
}

void
cp_diag_add_server(CpFinding *f, const char *endpoint)
{
    add_unique(f, f->servers, 's', endpoint);
}

void
cp_diag_add_cert(CpFinding *f, const char *sha1)
{
    add_unique(f, f->certs, 'c', sha1);
}

void
cp_diag_add_client(CpFinding *f, const char *addr)
{
    add_unique(f, f->clients, 'k', addr);
}

CpFinding *
cp_diag_report(Diag *g, CpFindingCode code, const char *key, DiagTextFn text, const DiagFacts *x)
{
    g_return_val_if_fail(code < CP_FINDING__COUNT && text != NULL && x != NULL, NULL);

    g_autofree char *full = g_strdup_printf("%s|%s", registry[code].code, key);
    CpFinding *f = g_hash_table_lookup(g->by_key, full);

    if (f != NULL)
        return f;
    f = g_new0(CpFinding, 1);
    f->code = code;
    f->severity = registry[code].sev;
    f->key = g_steal_pointer(&full);
    f->servers = g_ptr_array_new_with_free_func(g_free);
    f->certs = g_ptr_array_new_with_free_func(g_free);
    f->clients = g_ptr_array_new_with_free_func(g_free);
    f->message = g_string_new(NULL);
    f->remedy = g_string_new(NULL);
    f->listed = g_hash_table_new_full(cp_diag_str_hash, g_str_equal, g_free, NULL);
    g_hash_table_insert(g->by_key, f->key, f);
    g_ptr_array_add(g->d->findings, f);
    text(g, f, x);
    return f;
}

void
cp_diag_finding_free(gpointer p)
{
    CpFinding *f = p;

    g_free(f->key);
    g_ptr_array_free(f->servers, TRUE);
    g_ptr_array_free(f->certs, TRUE);
    g_ptr_array_free(f->clients, TRUE);
    g_string_free(f->message, TRUE);
    g_string_free(f->remedy, TRUE);
    if (f->listed != NULL)
        g_hash_table_destroy(f->listed);
    g_free(f);
}
