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

/* Front ends whose main paths lead to one root, within one bucket (a domain, or the servers the
 * user placed by hand). Two such front ends compare alike with any Exchange server (same_root
 * reads only the root's thumbprint, name and key id, which the group's key fixes). */
typedef struct FeGroup {
    DiagRoot root;
    const CpSeenChain *chain; /* the first front end's main chain */
    GPtrArray *fes;           /* CpServerDiag*, model order */
    guint first;              /* model index of the first front end: the order rules meet them */
} FeGroup;

static void
fe_group_free(gpointer p)
{
    FeGroup *grp = p;
    g_ptr_array_free(grp->fes, TRUE);
    g_free(grp);
}

#define USER_BUCKET "\001user" /* not a domain: every server the user placed is one site */

/* The front-end groups, by bucket and root (every part length-prefixed: names are attacker
 * text, and two groups must never share a key), and each bucket's list of groups. */
typedef struct FeIndex {
    GHashTable *group_of; /* key (owned) -> FeGroup* (borrowed from groups) */
    GHashTable *lists;    /* lowercased bucket (owned) -> GPtrArray of FeGroup* (owned) */
    GPtrArray *groups;    /* FeGroup* (owned) */
} FeIndex;

static void
bucket_add(FeIndex *ix, const char *bucket, CpServerDiag *fe, guint index, const CpSeenChain *ch,
           const DiagRoot *r)
{
    g_autofree char *b = g_ascii_strdown(bucket, -1);
    const char *sha1 = r->sha1 ? r->sha1 : "", *kid = r->key_id ? r->key_id : "-";
    g_autofree char *k = g_strdup_printf("%zu:%s%zu:%s%zu:%s%zu:%s", strlen(b), b, strlen(sha1),
                                         sha1, strlen(r->name), r->name, strlen(kid), kid);
    FeGroup *grp = g_hash_table_lookup(ix->group_of, k);

    if (grp == NULL) {
        grp = g_new0(FeGroup, 1);
        *grp = (FeGroup){ *r, ch, g_ptr_array_new(), index };
        g_ptr_array_add(ix->groups, grp);
        g_hash_table_insert(ix->group_of, g_steal_pointer(&k), grp);
        GPtrArray *list = g_hash_table_lookup(ix->lists, b);
        if (list == NULL) {
            list = g_ptr_array_new();
            g_hash_table_insert(ix->lists, g_strdup(b), list);
        }
        g_ptr_array_add(list, grp);
    }
    if (grp->fes->len == 0 || grp->fes->pdata[grp->fes->len - 1] != fe)
        g_ptr_array_add(grp->fes, fe);
}

static gint
by_first(gconstpointer a, gconstpointer b)
{
    const FeGroup *x = *(FeGroup *const *)a, *y = *(FeGroup *const *)b;
    return x->first < y->first ? -1 : x->first > y->first;
}

/* The groups of front ends related to ex (sharing a domain, or both placed by the user), each
 * once, in the order the front ends come in the model. */
static GPtrArray *
related_groups(Diag *g, const FeIndex *ix, const CpServerDiag *ex)
{
    GPtrArray *out = g_ptr_array_new();
    GHashTable *seen = g_hash_table_new(g_direct_hash, g_direct_equal);
    const GPtrArray *doms = cp_roles_domains(g->d->roles, ex->server);

    for (guint i = 0; i <= doms->len; i++) {
        const char *b = i < doms->len ? doms->pdata[i] : NULL;
        if (b == NULL && !cp_roles_user_set(g->d->roles, ex->server))
            continue;
        g_autofree char *low = g_ascii_strdown(b != NULL ? b : USER_BUCKET, -1);
        const GPtrArray *list = g_hash_table_lookup(ix->lists, low);
        for (guint k = 0; list != NULL && k < list->len; k++)
            if (g_hash_table_add(seen, list->pdata[k]))
                g_ptr_array_add(out, list->pdata[k]);
    }
    g_ptr_array_sort(out, by_first);
    g_hash_table_destroy(seen);
    return out;
}

static void
ca_mismatch_report(Diag *g, GHashTable *listed, const CpServerDiag *ex, DiagRoot *exr,
                   const FeGroup *grp)
{
    const CpServerDiag *fe = grp->fes->pdata[0];
    g_autofree char *key = g_strdup_printf("%s|%s", exr->name, grp->root.name);
    DiagFacts x = { .server = ex->server,
                    .other = fe->server,
                    .other_chain = grp->chain,
                    .root = exr,
                    .other_root = &grp->root };
    CpFinding *f = cp_diag_report(g, CP_FINDING_CA_MISMATCH, key, cp_diag_text_ca_mismatch, &x);

    cp_diag_add_server(f, ex->server->endpoint);
    /* Each group's front ends are listed once per finding, not once per Exchange server. */
    if (g_hash_table_add(listed, g_strdup_printf("%p|%p", (void *)f, (const void *)grp)))
        for (guint i = 0; i < grp->fes->len; i++)
            cp_diag_add_server(f, ((const CpServerDiag *)grp->fes->pdata[i])->server->endpoint);
    if (exr->sha1 != NULL)
        cp_diag_add_cert(f, exr->sha1);
    if (grp->root.sha1 != NULL)
        cp_diag_add_cert(f, grp->root.sha1);
    /* The handshakes at stake are the Exchange server's, counted once per finding. */
    if (g_hash_table_add(listed, g_strdup_printf("%p|%p", (void *)f, (const void *)ex)))
        f->handshakes += ex->server->handshakes;
}

/* Every Exchange server against the front ends of its site. Front ends are grouped by site and
 * root first, so the cost is Exchange servers x distinct roots of their sites, not Exchange
 * servers x front ends (8k servers took 383 s). */
static void
ca_mismatch(Diag *g)
{
    GPtrArray *sv = g->d->servers;
    FeIndex ix = { g_hash_table_new_full(cp_diag_str_hash, g_str_equal, g_free, NULL),
                   g_hash_table_new_full(cp_diag_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify)g_ptr_array_unref),
                   g_ptr_array_new_with_free_func(fe_group_free) };
    GHashTable *listed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

    for (guint j = 0; j < sv->len; j++) {
        CpServerDiag *fe = sv->pdata[j];
        const CpSeenChain *fech = NULL;
        const CpPath *fep;
        DiagRoot fer;
        if (fe->role != CP_ROLE_FRONTEND || (fep = main_path(fe, &fech)) == NULL ||
            !root_of(fep, fech, &fer))
            continue;
        const GPtrArray *doms = cp_roles_domains(g->d->roles, fe->server);
        for (guint i = 0; i < doms->len; i++)
            bucket_add(&ix, doms->pdata[i], fe, j, fech, &fer);
        if (cp_roles_user_set(g->d->roles, fe->server))
            bucket_add(&ix, USER_BUCKET, fe, j, fech, &fer);
    }
    for (guint i = 0; ix.groups->len > 0 && i < sv->len; i++) {
        const CpServerDiag *ex = sv->pdata[i];
        const CpSeenChain *exch = NULL;
        const CpPath *exp;
        DiagRoot exr;
        if (ex->role != CP_ROLE_EXCHANGE || (exp = main_path(ex, &exch)) == NULL ||
            !root_of(exp, exch, &exr) || trusted_by_list(g, exp, &exr) != NULL)
            continue;
        GPtrArray *rel = related_groups(g, &ix, ex);
        for (guint k = 0; k < rel->len; k++) {
            const FeGroup *grp = rel->pdata[k];
            if (!same_root(&grp->root, &exr))
                ca_mismatch_report(g, listed, ex, &exr, grp);
        }
        g_ptr_array_free(rel, TRUE);
    }
    g_hash_table_destroy(listed);
    g_hash_table_destroy(ix.group_of);
    g_hash_table_destroy(ix.lists);
    g_ptr_array_free(ix.groups, TRUE);
}

static void
add_served(GHashTable *by_name, GHashTable *pairs, const char *name, const CpServer *s,
           const CpSeenChain *ch, const CpCert *leaf)
{
    g_autofree char *k = g_ascii_strdown(name, -1);
    GArray *a = g_hash_table_lookup(by_name, k);

    if (a == NULL) {
        a = g_array_new(FALSE, FALSE, sizeof(DiagServed));
        g_hash_table_insert(by_name, g_strdup(k), a);
    }
    /* (name, server, leaf) once: a set, not a scan of the name's list. */
    if (!g_hash_table_add(pairs,
                          g_strdup_printf("%p|%p|%s", (const void *)s, (const void *)leaf, k)))
        return;
    DiagServed v = { s, leaf, ch };
    g_array_append_val(a, v);
}

static void
addr_key(const CpAddr *a, char out[64])
{
    cp_addr_format(a, out, 64);
}

/* Whether two leaf sets (sha1 -> itself) have a leaf in common. */
static bool
share_a_leaf(GHashTable *x, GHashTable *y)
{
    GHashTableIter it;
    gpointer k;

    if (g_hash_table_size(x) > g_hash_table_size(y)) {
        GHashTable *t = x;
        x = y, y = t;
    }
    g_hash_table_iter_init(&it, x);
    while (g_hash_table_iter_next(&it, &k, NULL))
        if (g_hash_table_contains(y, k))
            return true;
    return false;
}

/* An array fault needs two addresses answering for one name with no leaf in common: one address
 * with two leaves (RSA and ECDSA chosen per client, a renewal during the capture) is not one.
 * Each address's leaves are a set; when one leaf is at every address no pair can differ (the
 * common case of a healthy array, decided in one pass), else addresses are compared in pairs,
 * stopping at the first pair without a common leaf. */
static bool
mismatched(const GArray *a)
{
    GHashTable *by_addr = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                                (GDestroyNotify)g_hash_table_unref);
    GHashTable *at_addrs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL); /* sha1 ->
                                                                                        count */
    GPtrArray *sets = g_ptr_array_new();
    bool differ = false, common = false;

    for (guint i = 0; i < a->len; i++) {
        const DiagServed *x = &g_array_index(a, DiagServed, i);
        char addr[64];
        addr_key(&x->s->addr, addr);
        GHashTable *leaves = g_hash_table_lookup(by_addr, addr);
        if (leaves == NULL) {
            leaves = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
            g_hash_table_insert(by_addr, g_strdup(addr), leaves);
            g_ptr_array_add(sets, leaves);
        }
        if (g_hash_table_add(leaves, g_strdup(x->leaf->sha1))) {
            guint n = GPOINTER_TO_UINT(g_hash_table_lookup(at_addrs, x->leaf->sha1)) + 1;
            g_hash_table_insert(at_addrs, g_strdup(x->leaf->sha1), GUINT_TO_POINTER(n));
        }
    }
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, at_addrs);
    while (!common && g_hash_table_iter_next(&it, NULL, &v))
        common = GPOINTER_TO_UINT(v) == sets->len;
    for (guint i = 0; !common && !differ && i < sets->len; i++)
        for (guint j = i + 1; !differ && j < sets->len; j++)
            differ = !share_a_leaf(sets->pdata[i], sets->pdata[j]);
    g_ptr_array_free(sets, TRUE);
    g_hash_table_destroy(at_addrs);
    g_hash_table_destroy(by_addr);
    return differ;
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
    GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal); /* borrows parts' strings */

    for (guint i = 0; i < a->len; i++) {
        const DiagServed *x = &g_array_index(a, DiagServed, i);
        char addr[64];
        cp_addr_format(&x->s->addr, addr, sizeof addr);
        char *p = g_strdup_printf("%s=%s", addr, x->leaf->sha1);
        if (g_hash_table_add(seen, p))
            g_ptr_array_add(parts, p);
        else
            g_free(p);
    }
    g_hash_table_destroy(seen);
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

/* The pairs of one server's entries (indexes into a) for one name. */
static void
dual_or_renewed_one(Diag *g, const GArray *a, const GArray *idx)
{
    for (guint i = 0; i < idx->len; i++)
        for (guint j = i + 1; j < idx->len; j++) {
            const DiagServed *x = &g_array_index(a, DiagServed, g_array_index(idx, guint, i)),
                             *y = &g_array_index(a, DiagServed, g_array_index(idx, guint, j));
            if (strcmp(x->leaf->sha1, y->leaf->sha1) == 0)
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

/* Two leaves on one endpoint for one name: two key types served side by side, or an older
 * certificate followed by a newer one (renewed during the capture). */
static void
dual_or_renewed(Diag *g, const GArray *a)
{
    /* Only entries of one server pair up: group them by server first (a server keeps at most
     * --max-server-chains chains, so each group is small however many servers share the name). */
    GHashTable *by_server = g_hash_table_new_full(cp_diag_str_hash, g_str_equal, g_free,
                                                  (GDestroyNotify)g_array_unref); /* endpoint */
    GPtrArray *order = g_ptr_array_new();

    for (guint i = 0; i < a->len; i++) {
        const DiagServed *x = &g_array_index(a, DiagServed, i);
        GArray *idx = g_hash_table_lookup(by_server, x->s->endpoint);
        if (idx == NULL) {
            idx = g_array_new(FALSE, FALSE, sizeof(guint));
            g_hash_table_insert(by_server, g_strdup(x->s->endpoint), idx);
            g_ptr_array_add(order, idx);
        }
        g_array_append_val(idx, i);
    }
    for (guint k = 0; k < order->len; k++)
        dual_or_renewed_one(g, a, order->pdata[k]);
    g_ptr_array_free(order, TRUE);
    g_hash_table_destroy(by_server);
}

/* A DNS name (a dot, letters, digits, '-', '_', '*'), not an address: only a name clients look up
 * can be served by an array. A subject CN such as "OpenVPN Server" is every default installation's
 * name, shared by unrelated servers (ndpi__openvpn.pcap). */
static bool
is_host_name(const char *n)
{
    if (n == NULL || strchr(n, '.') == NULL || g_hostname_is_ip_address(n))
        return false;
    for (const char *c = n; *c != '\0'; c++)
        if (!g_ascii_isalnum(*c) && strchr("-._*", *c) == NULL)
            return false;
    return true;
}

static void
array_mismatch(Diag *g)
{
    GHashTable *by_name = g_hash_table_new_full(cp_diag_str_hash, g_str_equal, g_free,
                                                (GDestroyNotify)g_array_unref);
    GHashTable *pairs = g_hash_table_new_full(cp_diag_str_hash, g_str_equal, g_free, NULL);
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
                if (is_host_name(ch->names->pdata[k]))
                    add_served(by_name, pairs, ch->names->pdata[k], s, ch, leaf);
            if (ch->names->len == 0 && is_host_name(leaf->common_name))
                add_served(by_name, pairs, leaf->common_name, s, ch, leaf);
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
    g_hash_table_destroy(pairs);
    g_hash_table_destroy(by_name);
}

/* The CAs by name and key id, and (CA, server) pairs already listed: sets, not scans, since every
 * path of every server passes here (issue 12). */
typedef struct CaIndex {
    GHashTable *by_id;  /* "len:name" + key id or "-" (owned) -> CpCaSeen* */
    GHashTable *listed; /* "%p|endpoint" (owned) */
} CaIndex;

static CpCaSeen *
ca_get(Diag *g, CaIndex *ix, const char *name, const char *key_id, const char *sha1)
{
    g_autofree char *id = g_strdup_printf("%zu:%s%s", strlen(name), name, key_id ? key_id : "-");
    CpCaSeen *c = g_hash_table_lookup(ix->by_id, id);

    if (c != NULL) {
        if (c->sha1[0] == '\0' && sha1 != NULL)
            g_strlcpy(c->sha1, sha1, sizeof c->sha1);
        return c;
    }
    c = g_new0(CpCaSeen, 1);
    g_hash_table_insert(ix->by_id, g_steal_pointer(&id), c);
    c->name = g_strdup(name);
    c->key_id = g_strdup(key_id);
    if (sha1 != NULL)
        g_strlcpy(c->sha1, sha1, sizeof c->sha1);
    c->servers = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(g->d->cas, c);
    return c;
}

static void
ca_add_server(CaIndex *ix, CpCaSeen *c, const char *endpoint)
{
    if (g_hash_table_add(ix->listed, g_strdup_printf("%p|%s", (void *)c, endpoint)))
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
    CaIndex ix = { g_hash_table_new_full(cp_diag_str_hash, g_str_equal, g_free, NULL),
                   g_hash_table_new_full(cp_diag_str_hash, g_str_equal, g_free, NULL) };

    for (guint i = 0; i < g->d->servers->len; i++) {
        const CpServerDiag *sd = g->d->servers->pdata[i];
        for (guint j = 0; j < sd->paths->len; j++) {
            const CpPath *p = sd->paths->pdata[j];
            if (p == NULL)
                continue;
            g_autofree char *root = root_identity(p);
            for (guint k = 1; k < p->certs->len; k++) {
                const CpPathCert *pc = &g_array_index(p->certs, CpPathCert, k);
                CpCaSeen *c = ca_get(g, &ix, pc->subject, pc->ski, pc->sha1);
                c->is_root |= pc->self_signed;
                c->is_anchor |= pc->is_anchor;
                ca_add_server(&ix, c, sd->server->endpoint);
                ca_note_root(c, root);
            }
            if (p->status == CP_PATH_ISSUER_MISSING && p->missing_issuer != NULL) {
                CpCaSeen *c = ca_get(g, &ix, p->missing_issuer, p->missing_aki, NULL);
                ca_add_server(&ix, c, sd->server->endpoint);
                ca_note_root(c, root);
            }
        }
    }
    g_hash_table_destroy(ix.by_id);
    g_hash_table_destroy(ix.listed);
}

/* The words of a DN's values, lowercased, without attribute types or punctuation, sorted and
 * unique: "CN=Issuing CA for contoso\,com" and "CN=Issuing-CA for contoso,DC=contoso,DC=com"
 * both give "ca com contoso for issuing". */
static char *
words_of(const char *dn)
{
    GPtrArray *w = g_ptr_array_new_with_free_func(g_free);
    GHashTable *seen = g_hash_table_new(cp_diag_str_hash, g_str_equal); /* borrows w's words */
    GString *cur = g_string_new(NULL);

    for (const char *p = dn;; p++) {
        if (*p != '\0' && g_ascii_isalnum(*p)) {
            g_string_append_c(cur, g_ascii_tolower(*p));
            continue;
        }
        /* "CN=", "DC=", "OU=" ...: the attribute type is not part of the name a human reads. */
        if (cur->len > 0 && *p != '=' && !g_hash_table_contains(seen, cur->str)) {
            char *word = g_strdup(cur->str);
            g_hash_table_add(seen, word);
            g_ptr_array_add(w, word);
        }
        g_string_truncate(cur, 0);
        if (*p == '\0')
            break;
    }
    g_ptr_array_sort(w, cmp_str);
    g_ptr_array_add(w, NULL);
    char *out = g_strjoinv(" ", (char **)w->pdata);
    g_hash_table_destroy(seen);
    g_ptr_array_free(w, TRUE);
    g_string_free(cur, TRUE);
    return out;
}

/* One group of CAs with the same words: the CAs worth naming (a CA met only as an unnamed-key
 * issuer adds nothing next to the same name with its key), and whether they are one CA renewed
 * with new keys — the same name on every member, every path through them to the same root. */
/* Whether two CAs of the group are look-alikes a human would take for one — different names with
 * the same words, or the same name with two known keys — found in one pass, not over every pair;
 * and, in keyed, which names have a CA with a key id. */
static bool
any_look_alike(const GPtrArray *group, GHashTable *keyed)
{
    const CpCaSeen *first = group->len > 0 ? group->pdata[0] : NULL;
    bool any = false;

    for (guint i = 0; i < group->len; i++) {
        const CpCaSeen *a = group->pdata[i];
        any |= strcmp(a->name, first->name) != 0;
        if (a->key_id == NULL)
            continue;
        const char *k = g_hash_table_lookup(keyed, a->name);
        if (k == NULL)
            g_hash_table_insert(keyed, a->name, a->key_id);
        else
            any |= strcmp(k, a->key_id) != 0;
    }
    return any;
}

static void
judge_group(Diag *g, GPtrArray *group)
{
    GPtrArray *shown = g_ptr_array_new();
    GHashTable *keyed = g_hash_table_new(cp_diag_str_hash, g_str_equal); /* name -> a key id */
    bool any = any_look_alike(group, keyed), renewed = true;

    /* A CA met only as an unnamed-key issuer is redundant next to its name with a key. */
    for (guint i = 0; i < group->len; i++) {
        const CpCaSeen *a = group->pdata[i];
        if (a->key_id != NULL || !g_hash_table_contains(keyed, a->name))
            g_ptr_array_add(shown, group->pdata[i]);
    }
    g_hash_table_destroy(keyed);
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
