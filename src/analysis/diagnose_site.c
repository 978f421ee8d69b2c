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

/* The --trusted-ca thumbprint that accepts this path (its root or a CA on it), noted once in
 * d->trusted_applied so the report says it was used; NULL when none does. */
static const char *
trusted_by_list(Diag *g, const CpPath *p, const DiagRoot *root)
{
    for (char **t = g->opt->trusted_ca; t != NULL && *t != NULL; t++) {
        bool hit = root->sha1 != NULL && g_ascii_strcasecmp(*t, root->sha1) == 0;
        for (guint i = 0; !hit && i < p->certs->len; i++)
            hit = g_ascii_strcasecmp(*t, g_array_index(p->certs, CpPathCert, i).sha1) == 0;
        if (!hit)
            continue;
        if (!g_ptr_array_find_with_equal_func(g->d->trusted_applied, *t, g_str_equal, NULL))
            g_ptr_array_add(g->d->trusted_applied, g_strdup(*t));
        return *t;
    }
    return NULL;
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
            !root_of(exp, exch, &exr) || trusted_by_list(g, exp, &exr) != NULL)
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
add_served(GHashTable *by_name, const char *name, const CpServer *s, const CpSeenChain *ch,
           const CpCert *leaf)
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
    DiagServed v = { s, leaf, ch };
    g_array_append_val(a, v);
}

/* Whether address x answered this name with at least one leaf address y also answered it with. */
static bool
share_a_leaf(const GArray *a, const CpAddr *x, const CpAddr *y)
{
    for (guint i = 0; i < a->len; i++) {
        const DiagServed *p = &g_array_index(a, DiagServed, i);
        if (!cp_addr_equal(&p->s->addr, x))
            continue;
        for (guint j = 0; j < a->len; j++) {
            const DiagServed *q = &g_array_index(a, DiagServed, j);
            if (cp_addr_equal(&q->s->addr, y) && strcmp(p->leaf->sha1, q->leaf->sha1) == 0)
                return true;
        }
    }
    return false;
}

/* An array fault needs two addresses answering for one name with no leaf in common: one address
 * with two leaves (RSA and ECDSA chosen per client, a renewal during the capture) is not one. */
static bool
mismatched(const GArray *a)
{
    for (guint i = 0; i < a->len; i++)
        for (guint j = i + 1; j < a->len; j++) {
            const DiagServed *x = &g_array_index(a, DiagServed, i),
                             *y = &g_array_index(a, DiagServed, j);
            if (!cp_addr_equal(&x->s->addr, &y->s->addr) &&
                !share_a_leaf(a, &x->s->addr, &y->s->addr))
                return true;
        }
    return false;
}

static gint
cmp_str(gconstpointer a, gconstpointer b)
{
    return g_strcmp0(*(char *const *)a, *(char *const *)b);
}

/* The members of an array and what each presents, as one key: "addr=sha1,addr=sha1", sorted. */
static char *
members_key(const GArray *a)
{
    GPtrArray *parts = g_ptr_array_new_with_free_func(g_free);

    for (guint i = 0; i < a->len; i++) {
        const DiagServed *x = &g_array_index(a, DiagServed, i);
        char addr[64];
        cp_addr_format(&x->s->addr, addr, sizeof addr);
        char *p = g_strdup_printf("%s=%s", addr, x->leaf->sha1);
        if (g_ptr_array_find_with_equal_func(parts, p, g_str_equal, NULL))
            g_free(p);
        else
            g_ptr_array_add(parts, p);
    }
    g_ptr_array_sort(parts, cmp_str);
    g_ptr_array_add(parts, NULL);
    char *out = g_strjoinv(",", (char **)parts->pdata);
    g_ptr_array_free(parts, TRUE);
    return out;
}

/* One array finding per set of members, naming every name they share. */
static void
array_finding(Diag *g, const char *key, const GArray *a, const GPtrArray *names)
{
    DiagFacts x = { .name = names->pdata[0], .names = names, .served = a };
    CpFinding *f =
            cp_diag_report(g, CP_FINDING_ARRAY_MISMATCH, key, cp_diag_text_array_mismatch, &x);

    for (guint i = 0; i < a->len; i++) {
        const DiagServed *s = &g_array_index(a, DiagServed, i);
        cp_diag_add_server(f, s->s->endpoint);
        cp_diag_add_cert(f, s->leaf->sha1);
        f->handshakes += s->chain->count;
    }
}

/* Two leaves on one endpoint for one name: two key types served side by side, or an older
 * certificate followed by a newer one (renewed during the capture). */
static void
dual_or_renewed(Diag *g, const GArray *a)
{
    for (guint i = 0; i < a->len; i++)
        for (guint j = i + 1; j < a->len; j++) {
            const DiagServed *x = &g_array_index(a, DiagServed, i),
                             *y = &g_array_index(a, DiagServed, j);
            if (x->s != y->s || strcmp(x->leaf->sha1, y->leaf->sha1) == 0)
                continue;
            const DiagServed *old = x->leaf->not_before <= y->leaf->not_before ? x : y;
            const DiagServed *new = old == x ? y : x;
            bool same_kind = strcmp(x->leaf->key_type, y->leaf->key_type) == 0;
            bool renewal = same_kind && new->leaf->not_before >
                                                old->leaf->not_before &&new->chain->first_ts_ns >=
                                                old->chain->first_ts_ns;
            DiagFacts f = { .server = x->s, .cert = old->leaf, .other_cert = new->leaf };
            g_autofree char *key =
                    g_strdup_printf("%s|%s|%s", x->s->endpoint, old->leaf->sha1, new->leaf->sha1);
            CpFinding *fd =
                    renewal ? cp_diag_report(g, CP_FINDING_RENEWED, key, cp_diag_text_renewed, &f)
                            : cp_diag_report(g, CP_FINDING_DUAL_CERTIFICATE, key,
                                             cp_diag_text_dual_certificate, &f);
            if (fd->handshakes > 0)
                continue;
            cp_diag_add_server(fd, x->s->endpoint);
            cp_diag_add_cert(fd, old->leaf->sha1);
            cp_diag_add_cert(fd, new->leaf->sha1);
            fd->handshakes += x->chain->count + y->chain->count;
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
             * since a front end's SAN lists the Edge's sip. name too. An IP literal names one
             * address, never an array. */
            for (guint k = 0; k < ch->names->len; k++)
                if (!g_hostname_is_ip_address(ch->names->pdata[k]))
                    add_served(by_name, ch->names->pdata[k], s, ch, leaf);
            if (leaf->common_name != NULL && ch->names->len == 0)
                add_served(by_name, leaf->common_name, s, ch, leaf);
        }
    }
    /* Names in a stable order, so the name that describes a finding does not depend on hashing. */
    GList *names = g_list_sort(g_hash_table_get_keys(by_name), (GCompareFunc)g_strcmp0);
    GHashTable *arrays = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                               (GDestroyNotify)g_ptr_array_unref);
    GPtrArray *order = g_ptr_array_new(); /* member keys, first-found order */
    for (GList *n = names; n != NULL; n = n->next) {
        const GArray *a = g_hash_table_lookup(by_name, n->data);
        if (!mismatched(a)) {
            dual_or_renewed(g, a);
            continue;
        }
        char *key = members_key(a);
        GPtrArray *shared = g_hash_table_lookup(arrays, key);
        if (shared == NULL) {
            shared = g_ptr_array_new();
            g_hash_table_insert(arrays, key, shared);
            g_ptr_array_add(order, key);
        } else {
            g_free(key);
        }
        g_ptr_array_add(shared, n->data);
    }
    for (guint i = 0; i < order->len; i++) {
        const GPtrArray *shared = g_hash_table_lookup(arrays, order->pdata[i]);
        array_finding(g, order->pdata[i], g_hash_table_lookup(by_name, shared->pdata[0]), shared);
    }
    g_ptr_array_free(order, TRUE);
    g_hash_table_destroy(arrays);
    g_list_free(names);
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

/* What the path through a CA ends at: its root's thumbprint, or the issuer it names when the
 * root was found nowhere. (transfer full) */
static char *
root_identity(const CpPath *p)
{
    const CpPathCert *top = cp_path_top(p);

    if (p->status == CP_PATH_ISSUER_MISSING)
        return g_strdup_printf("?%s|%s", p->missing_issuer ? p->missing_issuer : "",
                               p->missing_aki ? p->missing_aki : "");
    return top != NULL ? g_strdup(top->sha1) : NULL;
}

static void
ca_note_root(CpCaSeen *c, const char *root)
{
    if (root == NULL || c->root_conflict)
        return;
    if (c->root == NULL)
        c->root = g_strdup(root);
    else if (strcmp(c->root, root) != 0)
        c->root_conflict = true;
}

static void
collect_cas(Diag *g)
{
    for (guint i = 0; i < g->d->servers->len; i++) {
        const CpServerDiag *sd = g->d->servers->pdata[i];
        for (guint j = 0; j < sd->paths->len; j++) {
            const CpPath *p = sd->paths->pdata[j];
            if (p == NULL)
                continue;
            g_autofree char *root = root_identity(p);
            for (guint k = 1; k < p->certs->len; k++) {
                const CpPathCert *pc = &g_array_index(p->certs, CpPathCert, k);
                CpCaSeen *c = ca_get(g, pc->subject, pc->ski, pc->sha1);
                c->is_root |= pc->self_signed;
                c->is_anchor |= pc->is_anchor;
                ca_add_server(c, sd->server->endpoint);
                ca_note_root(c, root);
            }
            if (p->status == CP_PATH_ISSUER_MISSING && p->missing_issuer != NULL) {
                CpCaSeen *c = ca_get(g, p->missing_issuer, p->missing_aki, NULL);
                ca_add_server(c, sd->server->endpoint);
                ca_note_root(c, root);
            }
        }
    }
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

/* Two CAs of one look-alike group a human would take for one: different names with the same
 * words, or the same name with two known keys. */
static bool
look_alike(const CpCaSeen *a, const CpCaSeen *b)
{
    if (strcmp(a->name, b->name) != 0)
        return true;
    return a->key_id != NULL && b->key_id != NULL && strcmp(a->key_id, b->key_id) != 0;
}

/* One group of CAs with the same words: the CAs worth naming (a CA met only as an unnamed-key
 * issuer adds nothing next to the same name with its key), and whether they are one CA renewed
 * with new keys — the same name on every member, every path through them to the same root. */
static void
judge_group(Diag *g, GPtrArray *group)
{
    GPtrArray *shown = g_ptr_array_new();
    bool any = false, renewed = true;

    for (guint i = 0; i < group->len; i++) {
        const CpCaSeen *a = group->pdata[i];
        bool redundant = false;
        for (guint j = 0; j < group->len; j++) {
            const CpCaSeen *b = group->pdata[j];
            redundant |= j != i && a->key_id == NULL && b->key_id != NULL &&
                         strcmp(a->name, b->name) == 0;
            any |= j > i && look_alike(a, b);
        }
        if (!redundant)
            g_ptr_array_add(shown, group->pdata[i]);
    }
    for (guint i = 0; any && i < shown->len; i++) {
        const CpCaSeen *a = shown->pdata[i], *first = shown->pdata[0];
        renewed &= !a->is_root && a->root != NULL && !a->root_conflict &&
                   strcmp(a->name, first->name) == 0 && strcmp(a->root, first->root) == 0;
    }
    if (any && shown->len >= 2) {
        GString *key = g_string_new(NULL);
        for (guint i = 0; i < shown->len; i++) {
            const CpCaSeen *a = shown->pdata[i];
            g_string_append_printf(key, "%s|%s|", a->name, a->key_id ? a->key_id : "");
        }
        DiagFacts x = { .group = shown };
        CpFinding *f = renewed ? cp_diag_report(g, CP_FINDING_CA_RENEWED, key->str,
                                                cp_diag_text_ca_renewed, &x)
                               : cp_diag_report(g, CP_FINDING_SIMILAR_ISSUERS, key->str,
                                                cp_diag_text_similar_issuers, &x);
        for (guint i = 0; i < shown->len; i++) {
            const CpCaSeen *a = shown->pdata[i];
            for (guint k = 0; k < a->servers->len; k++)
                cp_diag_add_server(f, a->servers->pdata[k]);
            if (a->sha1[0])
                cp_diag_add_cert(f, a->sha1);
        }
        g_string_free(key, TRUE);
    }
    g_ptr_array_free(shown, TRUE);
}

/* CAs grouped by the words of their names (a hash, not every pair): one finding per group. */
static void
similar_issuers(Diag *g)
{
    GHashTable *groups = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                               (GDestroyNotify)g_ptr_array_unref);
    GPtrArray *order = g_ptr_array_new(); /* the groups' words, first-seen order */

    for (guint i = 0; i < g->d->cas->len; i++) {
        CpCaSeen *c = g->d->cas->pdata[i];
        char *w = words_of(c->name);
        GPtrArray *group = g_hash_table_lookup(groups, w);
        if (group == NULL) {
            group = g_ptr_array_new();
            g_hash_table_insert(groups, w, group);
            g_ptr_array_add(order, w);
        } else {
            g_free(w);
        }
        g_ptr_array_add(group, c);
    }
    for (guint i = 0; i < order->len; i++) {
        GPtrArray *group = g_hash_table_lookup(groups, order->pdata[i]);
        if (group->len >= 2)
            judge_group(g, group);
    }
    g_ptr_array_free(order, TRUE);
    g_hash_table_destroy(groups);
}

/* The CA list of the report holds the CAs certpath saw: an issuer known only by the name a
 * certificate gives it may be a root or an intermediate, and has no thumbprint to show. */
static void
drop_unseen_cas(Diag *g)
{
    GPtrArray *cas = g->d->cas;

    for (guint i = cas->len; i > 0; i--) {
        CpCaSeen *c = cas->pdata[i - 1];
        if (c->sha1[0] == '\0') {
            cp_diag_ca_free(c);
            g_ptr_array_remove_index(cas, i - 1);
        }
    }
}

void
cp_diag_site_rules(Diag *g)
{
    collect_cas(g);
    ca_mismatch(g);
    array_mismatch(g);
    similar_issuers(g);
    drop_unseen_cas(g);
}
