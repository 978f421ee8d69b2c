/* SPDX-License-Identifier: BSD-2-Clause */
/* graph: the trust graph of a diagnosis, as DOT and as SVG laid out by Graphviz (libgvc).
 *
 * Design. Nodes are servers (one per endpoint, standing for the leaf it sends), CAs (one per
 * thumbprint, or per name when never seen) and "missing" boxes. Each server's built paths give the
 * edges, leaf side first, so with rankdir=LR servers land on the left and roots (rank=sink) on the
 * right. The findings then mark where the fault is: a missing intermediate becomes a dashed box
 * of its own on that server's path (the same CA stays a plain node for servers that send it), two
 * look-alike CAs are ranked side by side with their differing characters highlighted, the servers
 * of an array answering one name are a cluster with the odd one red, and a client's fatal alert,
 * or an Exchange root that is not the front end's, marks the edge where trust failed. The model
 * keeps raw strings; escaping happens when the DOT is written (HTML-like labels, R70). */
#include "output/graph.h"

#include <string.h>

#include <graphviz/cgraph.h>
#include <graphviz/gvc.h>

#include "base/error.h"
#include "output/escape.h"
#include "output/format.h"

#define MAX_LABEL 160 /* bytes of one attacker string put in the picture */
#define MAX_DIFF  256 /* characters compared when marking look-alike names */

static void
node_free(gpointer p)
{
    CpGraphNode *n = p;

    g_free(n->label);
    g_free(n->detail);
    g_free(n->diff_with);
    g_free(n);
}

void
cp_graph_free(CpGraph *g)
{
    if (g == NULL)
        return;
    for (guint i = 0; i < g->edges->len; i++)
        g_free(g_array_index(g->edges, CpGraphEdge, i).label);
    g_array_free(g->edges, TRUE);
    g_ptr_array_free(g->nodes, TRUE);
    g_ptr_array_free(g->groups, TRUE);
    g_free(g);
}

/* Builder state: nodes by key, and each server's first and last edge on its main path. */
typedef struct Build {
    CpGraph *g;
    GHashTable *by_key;     /* key -> node index + 1 */
    GHashTable *edge_index; /* "from>to" -> edge index + 1 */
    GHashTable *missing;    /* "endpoint|sha1" of missing-intermediate findings */
    GHashTable *servers;    /* endpoint -> const CpServer* */
    GArray *first_edge;     /* per node: first out edge + 1 (servers) */
    GArray *last_edge;      /* per node: last edge of the main path + 1 (servers) */
} Build;

static guint
node_add(Build *b, const char *key, CpGraphKind kind, const char *label, bool *created)
{
    gpointer v = g_hash_table_lookup(b->by_key, key);

    *created = v == NULL;
    if (v != NULL)
        return GPOINTER_TO_UINT(v) - 1;
    CpGraphNode *n = g_new0(CpGraphNode, 1);
    guint idx = b->g->nodes->len;
    g_snprintf(n->id, sizeof n->id, "n%u", idx);
    n->kind = kind;
    n->label = g_strdup(label != NULL ? label : "");
    n->group = -1;
    n->pair = -1;
    g_ptr_array_add(b->g->nodes, n);
    g_hash_table_insert(b->by_key, g_strdup(key), GUINT_TO_POINTER(idx + 1));
    guint zero = 0;
    g_array_append_val(b->first_edge, zero);
    g_array_append_val(b->last_edge, zero);
    return idx;
}

static CpGraphNode *
node_at(const Build *b, guint i)
{
    return b->g->nodes->pdata[i];
}

static guint
edge_add(Build *b, guint from, guint to)
{
    g_autofree char *key = g_strdup_printf("%u>%u", from, to);
    gpointer v = g_hash_table_lookup(b->edge_index, key);

    if (v != NULL)
        return GPOINTER_TO_UINT(v) - 1;
    CpGraphEdge e = { .from = from, .to = to };
    g_array_append_val(b->g->edges, e);
    guint idx = b->g->edges->len - 1;
    g_hash_table_insert(b->edge_index, g_steal_pointer(&key), GUINT_TO_POINTER(idx + 1));
    if (g_array_index(b->first_edge, guint, from) == 0)
        g_array_index(b->first_edge, guint, from) = idx + 1;
    return idx;
}

static void
edge_fault(Build *b, guint e, const char *label)
{
    CpGraphEdge *x = &g_array_index(b->g->edges, CpGraphEdge, e);

    x->is_fault = true;
    if (label != NULL && x->label == NULL)
        x->label = g_strdup(label);
}

static const CpCert *
sent_cert(const CpServer *s, const char *sha1)
{
    for (guint i = 0; i < s->chains->len; i++) {
        const GArray *links = ((const CpSeenChain *)s->chains->pdata[i])->links;
        for (guint j = 0; j < links->len; j++) {
            const CpChainLink *l = &g_array_index(links, CpChainLink, j);
            if (l->cert != NULL && strcmp(l->sha1, sha1) == 0)
                return l->cert;
        }
    }
    return NULL;
}

static const CpCert *
leaf_of(const CpServer *s)
{
    if (s->chains->len == 0)
        return NULL;
    const GArray *links = ((const CpSeenChain *)s->chains->pdata[0])->links;
    return links->len > 0 ? g_array_index(links, CpChainLink, 0).cert : NULL;
}

/* "not sent by <server>", and where a client could fetch it (the AIA of the certificate below). */
static char *
missing_detail(const CpServer *s, const char *below_sha1)
{
    const CpCert *below = below_sha1 != NULL ? sent_cert(s, below_sha1) : NULL;
    GString *d = g_string_new("not sent by ");

    g_string_append(d, s->endpoint);
    if (below != NULL && below->aia_ca_issuers->len > 0)
        g_string_append_printf(d, "\nAIA: %s", (const char *)below->aia_ca_issuers->pdata[0]);
    return g_string_free(d, FALSE);
}

static guint
missing_node(Build *b, const CpServer *s, const char *key_sha1, const char *name,
             const char *below_sha1)
{
    g_autofree char *key = g_strdup_printf("missing|%s|%s", s->endpoint, key_sha1);
    bool created;
    guint m = node_add(b, key, CP_GRAPH_MISSING, name, &created);

    if (created) {
        node_at(b, m)->detail = missing_detail(s, below_sha1);
        node_at(b, m)->is_fault = true;
    }
    return m;
}

static void
path_edges(Build *b, guint server, const CpServer *s, const CpPath *p, bool main_path)
{
    guint prev = server;
    guint last = 0;

    for (guint k = 1; k < p->certs->len; k++) {
        const CpPathCert *pc = &g_array_index(p->certs, CpPathCert, k);
        const CpPathCert *below = &g_array_index(p->certs, CpPathCert, k - 1);
        g_autofree char *mkey = g_strdup_printf("%s|%s", s->endpoint, pc->sha1);
        if (pc->source != CP_SRC_SENT && g_hash_table_contains(b->missing, mkey)) {
            guint m = missing_node(b, s, pc->sha1, pc->subject, below->sha1);
            last = edge_add(b, prev, m) + 1;
            edge_fault(b, last - 1, "intermediate not sent");
            prev = m;
            continue;
        }
        bool top = k + 1 == p->certs->len;
        bool is_root = top && p->status != CP_PATH_ISSUER_MISSING;
        bool created;
        guint n =
                node_add(b, pc->sha1, is_root ? CP_GRAPH_ROOT : CP_GRAPH_CA, pc->subject, &created);
        CpGraphNode *node = node_at(b, n);
        if (created) {
            g_strlcpy(node->sha1, pc->sha1, sizeof node->sha1);
            node->detail = g_strdup_printf("%s%s", pc->sha1, pc->is_anchor ? "\ntrust anchor" : "");
        }
        if (is_root)
            node->kind = CP_GRAPH_ROOT;
        node->is_anchor |= pc->is_anchor;
        last = edge_add(b, prev, n) + 1;
        prev = n;
    }
    if (p->status == CP_PATH_ISSUER_MISSING && p->missing_issuer != NULL) {
        const CpPathCert *top = cp_path_top(p);
        g_autofree char *key = g_strdup_printf("issuer:%s", p->missing_issuer);
        guint m = missing_node(b, s, key, p->missing_issuer, top != NULL ? top->sha1 : NULL);
        last = edge_add(b, prev, m) + 1;
        edge_fault(b, last - 1, "issuer found nowhere");
    }
    if (main_path && last != 0)
        g_array_index(b->last_edge, guint, server) = last;
}

static guint
server_node(Build *b, const CpServer *s, CpRole role)
{
    bool created;
    guint n = node_add(b, s->endpoint, CP_GRAPH_SERVER, s->endpoint, &created);
    CpGraphNode *node = node_at(b, n);
    const CpCert *leaf = leaf_of(s);

    /* The table only reads: const is dropped for GHashTable's gpointer. */
    g_hash_table_insert(b->servers, (gpointer)(uintptr_t)s->endpoint, (gpointer)(uintptr_t)s);
    if (created) {
        node->detail = g_strdup_printf("%s%s%s", role != CP_ROLE_UNKNOWN ? cp_role_name(role) : "",
                                       role != CP_ROLE_UNKNOWN && leaf != NULL ? "\n" : "",
                                       leaf != NULL && leaf->subject != NULL ? leaf->subject : "");
        if (leaf != NULL)
            g_strlcpy(node->sha1, leaf->sha1, sizeof node->sha1);
    }
    return n;
}

static bool
lookup(const Build *b, const char *key, guint *idx)
{
    gpointer v = g_hash_table_lookup(b->by_key, key);

    if (v == NULL)
        return false;
    *idx = GPOINTER_TO_UINT(v) - 1;
    return true;
}

static void
mark_first_edge(Build *b, guint server, const char *label)
{
    guint e = g_array_index(b->first_edge, guint, server);

    node_at(b, server)->is_fault = true;
    if (e != 0)
        edge_fault(b, e - 1, label);
}

static void
rejected(Build *b, const CpFinding *f, const CpDiagnosis *d)
{
    for (guint i = 0; i < f->servers->len; i++) {
        guint n;
        if (!lookup(b, f->servers->pdata[i], &n))
            continue;
        GString *l = g_string_new("rejected by clients:");
        for (guint j = 0; j < d->servers->len; j++) {
            const CpServer *s = ((const CpServerDiag *)d->servers->pdata[j])->server;
            if (strcmp(s->endpoint, f->servers->pdata[i]) != 0)
                continue;
            for (guint k = 0; k < s->alerts->len; k++) {
                const CpAlertSeen *a = &g_array_index(s->alerts, CpAlertSeen, k);
                if (!a->from_client)
                    continue;
                g_string_append_c(l, ' ');
                cp_fmt_alert(l, a->desc);
                g_string_append_printf(l, " (%" G_GUINT64_FORMAT "x)", a->count);
            }
        }
        mark_first_edge(b, n, l->str);
        g_string_free(l, TRUE);
    }
}

static void
ca_mismatch(Build *b, const CpFinding *f)
{
    guint n;

    /* The first server named is the Exchange server (diagnose_site.c). */
    if (f->servers->len == 0 || !lookup(b, f->servers->pdata[0], &n))
        return;
    guint e = g_array_index(b->last_edge, guint, n);
    node_at(b, n)->is_fault = true;
    if (e != 0)
        edge_fault(b, e - 1, "not the front end's root");
}

static bool
has_name(const CpServer *s, const char *name)
{
    for (guint i = 0; i < s->names->len; i++)
        if (g_ascii_strcasecmp(s->names->pdata[i], name) == 0)
            return true;
    const CpCert *leaf = leaf_of(s);
    return leaf != NULL && leaf->common_name != NULL &&
           g_ascii_strcasecmp(leaf->common_name, name) == 0;
}

/* (transfer full) the name every server of an array finding answers: an SNI or leaf CN they
 * share, else the first server's. */
static char *
shared_name(const Build *b, const CpFinding *f)
{
    const CpServer *first =
            f->servers->len > 0 ? g_hash_table_lookup(b->servers, f->servers->pdata[0]) : NULL;
    GPtrArray *cands = g_ptr_array_new();

    if (first == NULL)
        return g_strdup("one name");
    for (guint i = 0; i < first->names->len; i++)
        g_ptr_array_add(cands, first->names->pdata[i]);
    const CpCert *leaf = leaf_of(first);
    if (leaf != NULL && leaf->common_name != NULL)
        g_ptr_array_add(cands, leaf->common_name);
    const char *found = NULL;
    for (guint c = 0; c < cands->len && found == NULL; c++) {
        bool all = true;
        for (guint i = 1; i < f->servers->len && all; i++) {
            const CpServer *s = g_hash_table_lookup(b->servers, f->servers->pdata[i]);
            all = s == NULL || has_name(s, cands->pdata[c]);
        }
        if (all)
            found = cands->pdata[c];
    }
    char *name = g_strdup(found != NULL ? found : first->endpoint);
    g_ptr_array_free(cands, TRUE);
    return name;
}

/* The servers answering one name, the odd ones (whose leaf fewer members share) red. */
static void
array_group(Build *b, const CpFinding *f)
{
    int group = (int)b->g->groups->len;
    GHashTable *leaf_count = g_hash_table_new(g_str_hash, g_str_equal);
    guint most = 0;

    g_ptr_array_add(b->g->groups, shared_name(b, f));
    for (guint i = 0; i < f->servers->len; i++) {
        guint n;
        if (!lookup(b, f->servers->pdata[i], &n))
            continue;
        CpGraphNode *node = node_at(b, n);
        if (node->group < 0)
            node->group = group;
        guint c = GPOINTER_TO_UINT(g_hash_table_lookup(leaf_count, node->sha1)) + 1;
        g_hash_table_insert(leaf_count, node->sha1, GUINT_TO_POINTER(c));
        most = MAX(most, c);
    }
    /* With a tie (one server each), the first seen is taken as the reference. */
    const char *reference = NULL;
    for (guint i = 0; i < f->servers->len && reference == NULL; i++) {
        guint n;
        if (lookup(b, f->servers->pdata[i], &n) &&
            GPOINTER_TO_UINT(g_hash_table_lookup(leaf_count, node_at(b, n)->sha1)) == most)
            reference = node_at(b, n)->sha1;
    }
    for (guint i = 0; reference != NULL && i < f->servers->len; i++) {
        guint n;
        if (lookup(b, f->servers->pdata[i], &n) && strcmp(node_at(b, n)->sha1, reference) != 0)
            mark_first_edge(b, n, "a different certificate for the same name");
    }
    g_hash_table_destroy(leaf_count);
}

static void
lookalike(Build *b, const CpFinding *f)
{
    guint x, y;

    if (f->certs->len < 2 || !lookup(b, f->certs->pdata[0], &x) ||
        !lookup(b, f->certs->pdata[1], &y))
        return;
    CpGraphNode *a = node_at(b, x), *c = node_at(b, y);
    int pair = a->pair >= 0 ? a->pair : c->pair >= 0 ? c->pair : b->g->pairs++;
    a->pair = c->pair = pair;
    a->is_fault = c->is_fault = true;
    if (a->diff_with == NULL)
        a->diff_with = g_strdup(c->label);
    if (c->diff_with == NULL)
        c->diff_with = g_strdup(a->label);
}

CpGraph *
cp_graph_build(const CpSeen *seen, const CpDiagnosis *d)
{
    CpGraph *g = g_new0(CpGraph, 1);
    Build b = {
        .g = g,
        .by_key = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
        .edge_index = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
        .missing = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
        .servers = g_hash_table_new(g_str_hash, g_str_equal),
        .first_edge = g_array_new(FALSE, TRUE, sizeof(guint)),
        .last_edge = g_array_new(FALSE, TRUE, sizeof(guint)),
    };

    g->nodes = g_ptr_array_new_with_free_func(node_free);
    g->edges = g_array_new(FALSE, TRUE, sizeof(CpGraphEdge));
    g->groups = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; d != NULL && i < d->findings->len; i++) {
        const CpFinding *f = d->findings->pdata[i];
        if (f->code != CP_FINDING_MISSING_INTERMEDIATE)
            continue;
        for (guint j = 0; j < f->servers->len; j++)
            for (guint k = 0; k < f->certs->len; k++)
                g_hash_table_add(b.missing,
                                 g_strdup_printf("%s|%s", (const char *)f->servers->pdata[j],
                                                 (const char *)f->certs->pdata[k]));
    }
    if (d == NULL) {
        for (guint i = 0; i < seen->servers->len; i++)
            server_node(&b, seen->servers->pdata[i], CP_ROLE_UNKNOWN);
    }
    for (guint i = 0; d != NULL && i < d->servers->len; i++) {
        const CpServerDiag *sd = d->servers->pdata[i];
        if (sd->server->chains->len == 0)
            continue;
        guint n = server_node(&b, sd->server, sd->role);
        for (guint j = 0; j < sd->paths->len; j++)
            if (sd->paths->pdata[j] != NULL)
                path_edges(&b, n, sd->server, sd->paths->pdata[j], j == 0);
    }
    for (guint i = 0; d != NULL && i < d->findings->len; i++) {
        const CpFinding *f = d->findings->pdata[i];
        switch (f->code) {
        case CP_FINDING_CLIENT_REJECTED:
            rejected(&b, f, d);
            break;
        case CP_FINDING_CA_MISMATCH:
            ca_mismatch(&b, f);
            break;
        case CP_FINDING_ARRAY_MISMATCH:
            array_group(&b, f);
            break;
        case CP_FINDING_SIMILAR_ISSUERS:
            lookalike(&b, f);
            break;
        case CP_FINDING_EXPIRED:
        case CP_FINDING_NOT_YET_VALID:
        case CP_FINDING_NAME_MISMATCH:
            for (guint j = 0; j < f->servers->len; j++) {
                guint n;
                if (lookup(&b, f->servers->pdata[j], &n))
                    node_at(&b, n)->is_fault = true;
            }
            break;
        default:
            break;
        }
    }
    g_hash_table_destroy(b.by_key);
    g_hash_table_destroy(b.edge_index);
    g_hash_table_destroy(b.missing);
    g_hash_table_destroy(b.servers);
    g_array_free(b.first_edge, TRUE);
    g_array_free(b.last_edge, TRUE);
    return g;
}

/* --- escaping ------------------------------------------------------------------------------ */

/* dot: for a Graphviz label, where a backslash starts an escape (\N is the node's name, \G the
 * graph's, and a span ending in a backslash is read past its end by Graphviz 2.42): a backslash
 * from a name is drawn as U+2216 SET MINUS, which looks the same. The cards and the text report
 * keep the exact bytes. */
static void
html_chars(GString *out, const char *s, size_t len, bool dot)
{
    for (size_t i = 0; i < len; i++) {
        switch (s[i]) {
        case '\\':
            g_string_append(out, dot ? "&#8726;" : "\\");
            break;
        case '&':
            g_string_append(out, "&amp;");
            break;
        case '<':
            g_string_append(out, "&lt;");
            break;
        case '>':
            g_string_append(out, "&gt;");
            break;
        case '"':
            g_string_append(out, "&quot;");
            break;
        case '\'':
            g_string_append(out, "&#39;");
            break;
        default:
            g_string_append_c(out, s[i]);
        }
    }
}

/* cp_escape_text leaves valid, printable UTF-8 (controls, bidi overrides and invalid bytes
 * become \xNN text), so what is left to do is the markup characters. */
static void
esc_max(GString *out, const char *s, size_t max_len, bool dot)
{
    GString *t = g_string_new(NULL);

    if (s == NULL)
        g_string_append_c(t, '-');
    else
        cp_escape_text(t, s, strlen(s), max_len);
    html_chars(out, t->str, t->len, dot);
    g_string_free(t, TRUE);
}

void
cp_graph_escape_html(GString *out, const char *s)
{
    esc_max(out, s, 4096, false);
}

/* Multi-line detail: each line escaped, joined with <BR/>. */
static void
esc_lines(GString *out, const char *s)
{
    g_auto(GStrv) lines = g_strsplit(s, "\n", 8);

    for (char **l = lines; *l != NULL; l++) {
        if (l != lines)
            g_string_append(out, "<BR/>");
        esc_max(out, *l, MAX_LABEL, true);
    }
}

/* a, with the characters that are not in the longest common subsequence with b highlighted. */
static void
esc_diff(GString *out, const char *a, const char *b)
{
    GString *ta = g_string_new(NULL), *tb = g_string_new(NULL);
    cp_escape_text(ta, a, strlen(a), MAX_LABEL);
    cp_escape_text(tb, b, strlen(b), MAX_LABEL);
    glong na = 0, nb = 0;
    gunichar *ua = g_utf8_to_ucs4_fast(ta->str, -1, &na);
    gunichar *ub = g_utf8_to_ucs4_fast(tb->str, -1, &nb);
    size_t n = (size_t)MIN(na, MAX_DIFF), m = (size_t)MIN(nb, MAX_DIFF);
    /* lcs[i][j]: the LCS of ua[i..n) and ub[j..m). */
    uint16_t *lcs = g_new0(uint16_t, (n + 1) * (m + 1));
    for (size_t i = n; i-- > 0;)
        for (size_t j = m; j-- > 0;)
            lcs[i * (m + 1) + j] =
                    ua[i] == ub[j] ? (uint16_t)(lcs[(i + 1) * (m + 1) + j + 1] + 1)
                                   : MAX(lcs[(i + 1) * (m + 1) + j], lcs[i * (m + 1) + j + 1]);
    size_t i = 0, j = 0;
    bool marked = false;
    for (; i < (size_t)na; i++) {
        bool same = false;
        if (i < n) {
            while (j < m && ua[i] != ub[j] &&
                   lcs[i * (m + 1) + j + 1] >= lcs[(i + 1) * (m + 1) + j])
                j++;
            same = j < m && ua[i] == ub[j];
            if (same)
                j++;
        }
        char utf8[8];
        size_t len = (size_t)g_unichar_to_utf8(ua[i], utf8);
        if (!same && !marked)
            g_string_append(out, "<FONT COLOR=\"#d50000\"><U>");
        else if (same && marked)
            g_string_append(out, "</U></FONT>");
        marked = !same;
        /* A differing space would not show: draw it as a middle dot. */
        if (!same && ua[i] == ' ')
            g_string_append(out, "\xC2\xB7");
        else
            html_chars(out, utf8, len, true);
    }
    if (marked)
        g_string_append(out, "</U></FONT>");
    g_free(lcs);
    g_free(ua);
    g_free(ub);
    g_string_free(ta, TRUE);
    g_string_free(tb, TRUE);
}

/* --- DOT ------------------------------------------------------------------------------------ */

static const char *
kind_class(CpGraphKind k)
{
    return k == CP_GRAPH_SERVER ? "server"
           : k == CP_GRAPH_CA   ? "ca"
           : k == CP_GRAPH_ROOT ? "root"
                                : "missing";
}

static void
dot_node(GString *o, const CpGraphNode *n)
{
    g_string_append_printf(o, "  %s [id=\"%s\", class=\"%s%s%s\"", n->id, n->id,
                           kind_class(n->kind), n->is_anchor ? " anchor" : "",
                           n->is_fault ? " fault" : "");
    if (n->kind == CP_GRAPH_MISSING)
        g_string_append(o, ", style=\"rounded,dashed\", color=\"#d50000\", penwidth=2");
    else if (n->is_fault)
        g_string_append_printf(o, ", color=\"#d50000\", fillcolor=\"#ffebee\", penwidth=2%s",
                               n->is_anchor ? ", peripheries=2" : "");
    else if (n->is_anchor)
        g_string_append(o, ", color=\"#2e7d32\", fillcolor=\"#e8f5e9\", penwidth=2, "
                           "peripheries=2");
    else if (n->kind == CP_GRAPH_SERVER)
        g_string_append(o, ", fillcolor=\"#e3f2fd\"");
    g_string_append(o, ", label=<");
    if (n->kind == CP_GRAPH_MISSING)
        g_string_append(o, "<I>missing:</I> ");
    g_string_append(o, "<B>");
    if (n->diff_with != NULL)
        esc_diff(o, n->label, n->diff_with);
    else
        esc_max(o, n->label, MAX_LABEL, true);
    g_string_append(o, "</B>");
    if (n->detail != NULL && n->detail[0] != '\0') {
        g_string_append(o, "<BR/><FONT POINT-SIZE=\"9\">");
        esc_lines(o, n->detail);
        g_string_append(o, "</FONT>");
    }
    if (n->is_anchor && n->kind != CP_GRAPH_MISSING)
        g_string_append(o, "<BR/><FONT POINT-SIZE=\"9\" COLOR=\"#2e7d32\">\xE2\x9C\x93 "
                           "trusted</FONT>");
    g_string_append(o, ">];\n");
}

void
cp_graph_write_dot(const CpGraph *g, GString *o)
{
    g_string_append(o, "digraph certpath {\n"
                       "  graph [rankdir=LR, nodesep=0.25, ranksep=0.9, fontname=\"Helvetica\", "
                       "fontsize=11];\n"
                       "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", "
                       "fontname=\"Helvetica\", fontsize=11];\n"
                       "  edge [color=\"#607d8b\", fontname=\"Helvetica\", fontsize=9];\n");
    for (guint k = 0; k < g->groups->len; k++) {
        g_string_append_printf(o,
                               "  subgraph cluster_array%u {\n    id=\"array%u\"; "
                               "style=\"rounded,dashed\"; color=\"#ef6c00\"; label=<array "
                               "answering ",
                               k, k);
        esc_max(o, g->groups->pdata[k], MAX_LABEL, true);
        g_string_append(o, ">;\n");
        for (guint i = 0; i < g->nodes->len; i++) {
            const CpGraphNode *n = g->nodes->pdata[i];
            if (n->group == (int)k)
                dot_node(o, n);
        }
        g_string_append(o, "  }\n");
    }
    for (guint i = 0; i < g->nodes->len; i++) {
        const CpGraphNode *n = g->nodes->pdata[i];
        if (n->group < 0)
            dot_node(o, n);
    }
    /* Roots on the right; look-alike CAs that are not roots side by side. */
    g_string_append(o, "  { rank=sink;");
    for (guint i = 0; i < g->nodes->len; i++) {
        const CpGraphNode *n = g->nodes->pdata[i];
        if (n->kind == CP_GRAPH_ROOT)
            g_string_append_printf(o, " %s;", n->id);
    }
    g_string_append(o, " }\n");
    for (int p = 0; p < g->pairs; p++) {
        GString *same = g_string_new(NULL);
        for (guint i = 0; i < g->nodes->len; i++) {
            const CpGraphNode *n = g->nodes->pdata[i];
            if (n->pair == p && n->kind != CP_GRAPH_ROOT)
                g_string_append_printf(same, " %s;", n->id);
        }
        if (same->len > 0)
            g_string_append_printf(o, "  { rank=same;%s }\n", same->str);
        g_string_free(same, TRUE);
        /* A flat edge keeps the two next to each other and says why they are marked. */
        int prev = -1;
        for (guint i = 0; i < g->nodes->len; i++) {
            const CpGraphNode *n = g->nodes->pdata[i];
            if (n->pair != p)
                continue;
            if (prev >= 0)
                g_string_append_printf(o,
                                       "  n%d -> %s [class=\"lookalike\", dir=none, "
                                       "style=dotted, color=\"#d50000\", fontcolor=\"#d50000\", "
                                       "label=<looks like>];\n",
                                       prev, n->id);
            prev = (int)i;
        }
    }
    for (guint i = 0; i < g->edges->len; i++) {
        const CpGraphEdge *e = &g_array_index(g->edges, CpGraphEdge, i);
        const CpGraphNode *to = g->nodes->pdata[e->to];
        g_string_append_printf(o, "  n%u -> n%u [id=\"e%u\", class=\"%s\"", e->from, e->to, i,
                               e->is_fault ? "fault" : "link");
        if (e->is_fault)
            g_string_append(o, ", color=\"#d50000\", fontcolor=\"#d50000\", penwidth=2.5");
        if (to->kind == CP_GRAPH_MISSING)
            g_string_append(o, ", style=dashed");
        if (e->label != NULL) {
            g_string_append(o, ", label=<");
            esc_max(o, e->label, MAX_LABEL, true);
            g_string_append_c(o, '>');
        }
        g_string_append(o, "];\n");
    }
    g_string_append(o, "}\n");
}

/* --- SVG through libgvc ---------------------------------------------------------------------- */

/* HTML wants width="1301" where Graphviz writes width="976pt" (validators reject the unit). */
static char *
px_sizes(char *svg)
{
    static const char *const attrs[] = { " width=\"", " height=\"" };
    GString *o = g_string_new(svg);

    for (size_t i = 0; i < G_N_ELEMENTS(attrs); i++) {
        const char *tag_end = strchr(o->str, '>');
        const char *a = strstr(o->str, attrs[i]);
        if (a == NULL || tag_end == NULL || a > tag_end)
            continue;
        const char *num = a + strlen(attrs[i]);
        char *end = NULL;
        double pt = g_ascii_strtod(num, &end);
        if (end == num || !g_str_has_prefix(end, "pt\"") || !(pt >= 0 && pt < 1e6))
            continue;
        size_t at = (size_t)(num - o->str);
        g_string_erase(o, (gssize)at, end + 2 - num);
        char px[32];
        g_snprintf(px, sizeof px, "%.0f", pt * 4.0 / 3.0);
        g_string_insert(o, (gssize)at, px);
    }
    g_free(svg);
    return g_string_free(o, FALSE);
}

char *
cp_graph_render_svg(const CpGraph *g, GError **error)
{
    GString *dot = g_string_new(NULL);
    char *data = NULL;
    unsigned int len = 0;
    char *svg = NULL;

    cp_graph_write_dot(g, dot);
    agseterr(AGERR); /* warnings are Graphviz's business, not the report's */
    GVC_t *gvc = gvContext();
    Agraph_t *ag = gvc != NULL ? agmemread(dot->str) : NULL;
    if (ag == NULL) {
        g_set_error(error, CP_ERROR, CP_ERROR_OUTPUT, "graphviz could not read the trust graph");
    } else if (gvLayout(gvc, ag, "dot") != 0) {
        g_set_error(error, CP_ERROR, CP_ERROR_OUTPUT, "graphviz could not lay out the graph");
    } else {
        if (gvRenderData(gvc, ag, "svg", &data, &len) != 0 || data == NULL) {
            g_set_error(error, CP_ERROR, CP_ERROR_OUTPUT,
                        "graphviz could not render SVG (is the libgvc core plugin installed?)");
        } else {
            /* Inline in HTML: drop the XML prolog and DOCTYPE before <svg. */
            const char *start = g_strstr_len(data, len, "<svg");
            if (start != NULL)
                svg = px_sizes(g_strndup(start, len - (size_t)(start - data)));
            else
                g_set_error(error, CP_ERROR, CP_ERROR_OUTPUT, "graphviz rendered no <svg>");
        }
        if (data != NULL)
            gvFreeRenderData(data);
        gvFreeLayout(gvc, ag);
    }
    if (ag != NULL)
        agclose(ag);
    if (gvc != NULL)
        gvFreeContext(gvc);
    g_string_free(dot, TRUE);
    return svg;
}
