/* SPDX-License-Identifier: BSD-2-Clause */
/* diagnose_site: rules that compare servers — the Lync Phone Edition trust rule (ca-mismatch),
 * arrays serving one name with different certificates (array-mismatch), CAs whose names a human
 * reads as one (similar-issuers) — and the list of CAs with the servers behind each. The rules
 * decide and gather facts; their words are in finding_text.c. */
#include "analysis/diagnose_private.h"

#include <string.h>

/* The chain a server sends most: what its clients see. */
static const CpPath *
main_path(const CpServerDiag *sd, const CpSeenChain **chain)
{
    const CpPath *best = NULL;
    uint64_t n = 0;

    for (guint i = 0; i < sd->paths->len; i++) {
        const CpSeenChain *ch = sd->server->chains->pdata[i];
        if (sd->paths->pdata[i] != NULL && ch->count > n) {
            best = sd->paths->pdata[i];
            n = ch->count;
            if (chain != NULL)
                *chain = ch;
        }
    }
    return best;
}

/* The root the path of chain ch leads to. Unknown when the path stops short on a chain certpath
 * did not see whole: the root may be above the certificates it dropped. */
static bool
root_of(const CpPath *p, const CpSeenChain *ch, DiagRoot *r)
{
    const CpPathCert *top = cp_path_top(p);

    if (top == NULL)
        return false;
    if (p->status == CP_PATH_ISSUER_MISSING) {
        if (cp_diag_chain_cut(ch))
            return false;
        *r = (DiagRoot){ p->missing_issuer, NULL, p->missing_aki };
        return r->name != NULL;
    }
    *r = (DiagRoot){ top->subject, top->sha1, top->ski };
    return true;
}

static bool
same_root(const DiagRoot *a, const DiagRoot *b)
{
    if (a->sha1 != NULL && b->sha1 != NULL)
        return strcmp(a->sha1, b->sha1) == 0;
    if (strcmp(a->name, b->name) != 0)
        return false;
    return a->key_id == NULL || b->key_id == NULL || strcmp(a->key_id, b->key_id) == 0;
}

static bool
trusted_by_list(const CpDiagOptions *o, const CpPath *p, const DiagRoot *root)
{
    for (char **t = o->trusted_ca; t != NULL && *t != NULL; t++) {
        if (root->sha1 != NULL && g_ascii_strcasecmp(*t, root->sha1) == 0)
            return true;
        for (guint i = 0; i < p->certs->len; i++)
            if (g_ascii_strcasecmp(*t, g_array_index(p->certs, CpPathCert, i).sha1) == 0)
                return true;
    }
    return false;
}

static void
ca_mismatch(Diag *g)
{
    GPtrArray *sv = g->d->servers;

    for (guint i = 0; i < sv->len; i++) {
        const CpServerDiag *ex = sv->pdata[i];
        const CpSeenChain *exch = NULL;
        const CpPath *exp;
        DiagRoot exr;
        if (ex->role != CP_ROLE_EXCHANGE || (exp = main_path(ex, &exch)) == NULL ||
            !root_of(exp, exch, &exr) || trusted_by_list(g->opt, exp, &exr))
            continue;
        for (guint j = 0; j < sv->len; j++) {
            const CpServerDiag *fe = sv->pdata[j];
            const CpSeenChain *fech = NULL;
            const CpPath *fep;
            DiagRoot fer;
            if (fe->role != CP_ROLE_FRONTEND ||
                !cp_roles_related(g->d->roles, fe->server, ex->server) ||
                (fep = main_path(fe, &fech)) == NULL || !root_of(fep, fech, &fer) ||
                same_root(&fer, &exr))
                continue;
            g_autofree char *key = g_strdup_printf("%s|%s", exr.name, fer.name);
            DiagFacts x = { .server = ex->server,
                            .other = fe->server,
                            .other_chain = fech,
                            .root = &exr,
                            .other_root = &fer };
            CpFinding *f =
                    cp_diag_report(g, CP_FINDING_CA_MISMATCH, key, cp_diag_text_ca_mismatch, &x);
            cp_diag_add_server(f, ex->server->endpoint);
            cp_diag_add_server(f, fe->server->endpoint);
            if (exr.sha1 != NULL)
                cp_diag_add_cert(f, exr.sha1);
            if (fer.sha1 != NULL)
                cp_diag_add_cert(f, fer.sha1);
            f->handshakes += ex->server->handshakes;
        }
    }
}

static void
add_served(GHashTable *by_name, const char *name, const CpServer *s, const CpCert *leaf)
{
    g_autofree char *k = g_ascii_strdown(name, -1);
    GArray *a = g_hash_table_lookup(by_name, k);

    if (a == NULL) {
        a = g_array_new(FALSE, FALSE, sizeof(DiagServed));
        g_hash_table_insert(by_name, g_steal_pointer(&k), a);
    }
    for (guint i = 0; i < a->len; i++) {
        DiagServed *x = &g_array_index(a, DiagServed, i);
        if (x->s == s && x->leaf == leaf)
            return;
    }
    DiagServed v = { s, leaf };
    g_array_append_val(a, v);
}

static bool
mismatched(const GArray *a)
{
    for (guint i = 0; i < a->len; i++)
        for (guint j = i + 1; j < a->len; j++) {
            const DiagServed *x = &g_array_index(a, DiagServed, i),
                             *y = &g_array_index(a, DiagServed, j);
            if (strcmp(x->leaf->sha1, y->leaf->sha1) != 0 &&
                (x->s == y->s || !cp_addr_equal(&x->s->addr, &y->s->addr)))
                return true;
        }
    return false;
}

static void
array_finding(Diag *g, const char *name, const GArray *a)
{
    DiagFacts x = { .name = name, .served = a };
    CpFinding *f =
            cp_diag_report(g, CP_FINDING_ARRAY_MISMATCH, name, cp_diag_text_array_mismatch, &x);

    for (guint i = 0; i < a->len; i++) {
        const DiagServed *s = &g_array_index(a, DiagServed, i);
        cp_diag_add_server(f, s->s->endpoint);
        cp_diag_add_cert(f, s->leaf->sha1);
        f->handshakes += s->s->handshakes;
    }
}

static void
array_mismatch(Diag *g)
{
    GHashTable *by_name =
            g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_array_unref);
    GPtrArray *servers = cp_model_servers(g->model);

    for (guint i = 0; i < servers->len; i++) {
        const CpServer *s = servers->pdata[i];
        for (guint j = 0; j < s->chains->len; j++) {
            const CpSeenChain *ch = s->chains->pdata[j];
            const CpCert *leaf = g_array_index(ch->links, CpChainLink, 0).cert;
            if (leaf == NULL || !cp_diag_leaf_known(ch))
                continue;
            /* The names clients asked for, and the name the certificate is for: not every SAN,
             * since a front end's SAN lists the Edge's sip. name too. */
            for (guint k = 0; k < ch->names->len; k++)
                add_served(by_name, ch->names->pdata[k], s, leaf);
            if (leaf->common_name != NULL && ch->names->len == 0)
                add_served(by_name, leaf->common_name, s, leaf);
        }
    }
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, by_name);
    while (g_hash_table_iter_next(&it, &k, &v))
        if (mismatched(v))
            array_finding(g, k, v);
    g_hash_table_destroy(by_name);
}

static CpCaSeen *
ca_get(Diag *g, const char *name, const char *key_id, const char *sha1)
{
    for (guint i = 0; i < g->d->cas->len; i++) {
        CpCaSeen *c = g->d->cas->pdata[i];
        bool same_key = (c->key_id == NULL && key_id == NULL) ||
                        (c->key_id != NULL && key_id != NULL && strcmp(c->key_id, key_id) == 0);
        if (strcmp(c->name, name) == 0 && same_key) {
            if (c->sha1[0] == '\0' && sha1 != NULL)
                g_strlcpy(c->sha1, sha1, sizeof c->sha1);
            return c;
        }
    }
    CpCaSeen *c = g_new0(CpCaSeen, 1);
    c->name = g_strdup(name);
    c->key_id = g_strdup(key_id);
    if (sha1 != NULL)
        g_strlcpy(c->sha1, sha1, sizeof c->sha1);
    c->servers = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(g->d->cas, c);
    return c;
}

static void
ca_add_server(CpCaSeen *c, const char *endpoint)
{
    for (guint i = 0; i < c->servers->len; i++)
        if (strcmp(c->servers->pdata[i], endpoint) == 0)
            return;
    g_ptr_array_add(c->servers, g_strdup(endpoint));
}

static void
collect_cas(Diag *g)
{
    for (guint i = 0; i < g->d->servers->len; i++) {
        const CpServerDiag *sd = g->d->servers->pdata[i];
        for (guint j = 0; j < sd->paths->len; j++) {
            const CpPath *p = sd->paths->pdata[j];
            for (guint k = 1; p != NULL && k < p->certs->len; k++) {
                const CpPathCert *pc = &g_array_index(p->certs, CpPathCert, k);
                CpCaSeen *c = ca_get(g, pc->subject, pc->ski, pc->sha1);
                c->is_root |= pc->self_signed;
                c->is_anchor |= pc->is_anchor;
                ca_add_server(c, sd->server->endpoint);
            }
            if (p != NULL && p->status == CP_PATH_ISSUER_MISSING && p->missing_issuer != NULL)
                ca_add_server(ca_get(g, p->missing_issuer, p->missing_aki, NULL),
                              sd->server->endpoint);
        }
    }
}

static gint
cmp_str(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

/* The words of a DN's values, lowercased, without attribute types or punctuation, sorted and
 * unique: "CN=Issuing CA for contoso\,com" and "CN=Issuing-CA for contoso,DC=contoso,DC=com"
 * both give "ca com contoso for issuing". */
static char *
words_of(const char *dn)
{
    GPtrArray *w = g_ptr_array_new_with_free_func(g_free);
    GString *cur = g_string_new(NULL);

    for (const char *p = dn;; p++) {
        if (*p != '\0' && g_ascii_isalnum(*p)) {
            g_string_append_c(cur, g_ascii_tolower(*p));
            continue;
        }
        /* "CN=", "DC=", "OU=" ...: the attribute type is not part of the name a human reads. */
        if (cur->len > 0 && *p != '=' &&
            !g_ptr_array_find_with_equal_func(w, cur->str, g_str_equal, NULL))
            g_ptr_array_add(w, g_strdup(cur->str));
        g_string_truncate(cur, 0);
        if (*p == '\0')
            break;
    }
    g_ptr_array_sort(w, cmp_str);
    g_ptr_array_add(w, NULL);
    char *out = g_strjoinv(" ", (char **)w->pdata);
    g_ptr_array_free(w, TRUE);
    g_string_free(cur, TRUE);
    return out;
}

static void
similar_issuers(Diag *g)
{
    GPtrArray *cas = g->d->cas;
    GPtrArray *words = g_ptr_array_new_with_free_func(g_free);

    for (guint i = 0; i < cas->len; i++)
        g_ptr_array_add(words, words_of(((CpCaSeen *)cas->pdata[i])->name));
    for (guint i = 0; i < cas->len; i++) {
        for (guint j = i + 1; j < cas->len; j++) {
            const CpCaSeen *a = cas->pdata[i], *b = cas->pdata[j];
            bool same_name = strcmp(a->name, b->name) == 0;
            bool keys_differ = a->key_id && b->key_id && strcmp(a->key_id, b->key_id) != 0;
            if (same_name ? !keys_differ : strcmp(words->pdata[i], words->pdata[j]) != 0)
                continue;
            g_autofree char *key =
                    g_strdup_printf("%s|%s|%s|%s", a->name, a->key_id ? a->key_id : "", b->name,
                                    b->key_id ? b->key_id : "");
            DiagFacts x = { .ca = a, .other_ca = b };
            CpFinding *f = cp_diag_report(g, CP_FINDING_SIMILAR_ISSUERS, key,
                                          cp_diag_text_similar_issuers, &x);
            for (guint k = 0; k < a->servers->len; k++)
                cp_diag_add_server(f, a->servers->pdata[k]);
            for (guint k = 0; k < b->servers->len; k++)
                cp_diag_add_server(f, b->servers->pdata[k]);
            if (a->sha1[0])
                cp_diag_add_cert(f, a->sha1);
            if (b->sha1[0])
                cp_diag_add_cert(f, b->sha1);
        }
    }
    g_ptr_array_free(words, TRUE);
}

void
cp_diag_site_rules(Diag *g)
{
    collect_cas(g);
    ca_mismatch(g);
    array_mismatch(g);
    similar_issuers(g);
}
